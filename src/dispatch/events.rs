//! The live event bus: every state change of messages and destinations, for `/stream`.
//! Recent events are kept in a ring so a reconnecting client resumes with `Last-Event-ID`.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;

const RING: usize = 20_000;

/// A live event as the bus keeps it: numbered, with its project, its data serialized once.
#[derive(Clone, Debug)]
pub struct Emitted {
    /// Increases across restarts too (it starts from the clock), so `Last-Event-ID` from
    /// before a restart never hides newer events.
    pub id: u64,
    pub project_id: String,
    pub kind: &'static str,
    /// The event's data as JSON text: serialized once, when emitted, rather than built as
    /// a `serde_json::Value` tree first (one per attempt, ~2 % of the CPU while draining).
    pub data: String,
}

#[derive(Clone)]
pub struct EventBus {
    inner: Arc<Inner>,
}

struct Inner {
    sender: broadcast::Sender<Arc<Emitted>>,
    state: Mutex<State>,
}

struct State {
    next_id: u64,
    ring: VecDeque<Arc<Emitted>>,
}

impl Default for EventBus {
    fn default() -> Self {
        let (sender, _) = broadcast::channel(RING);
        let start = (crate::time::now_ms().max(0) as u64) * 1000;
        EventBus {
            inner: Arc::new(Inner {
                sender,
                state: Mutex::new(State {
                    next_id: start,
                    ring: VecDeque::with_capacity(RING),
                }),
            }),
        }
    }
}

impl EventBus {
    pub fn emit(&self, project_id: &str, event: &crate::model::live::LiveEvent) {
        let (kind, data) = (event.kind(), event.data_json());
        let mut state = self.inner.state.lock().expect("event state");
        state.next_id += 1;
        let event = Arc::new(Emitted {
            id: state.next_id,
            project_id: project_id.to_string(),
            kind,
            data,
        });
        if state.ring.len() == RING {
            state.ring.pop_front();
        }
        state.ring.push_back(event.clone());
        // Sent under the lock so subscribers see events in id order.
        let _ = self.inner.sender.send(event);
    }

    /// Subscribes, returning the events after `last_id` still in the ring first.
    pub fn subscribe(
        &self,
        last_id: Option<u64>,
    ) -> (Vec<Arc<Emitted>>, broadcast::Receiver<Arc<Emitted>>) {
        let state = self.inner.state.lock().expect("event state");
        let receiver = self.inner.sender.subscribe();
        let backlog = match last_id {
            Some(last) => state.ring.iter().filter(|e| e.id > last).cloned().collect(),
            None => Vec::new(),
        };
        (backlog, receiver)
    }
}
