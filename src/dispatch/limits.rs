//! Delivery rate limits: a node-wide one (Ampersand's default is 1000 messages/s across all
//! destinations) and optional per-destination ones. They delay deliveries, never drop them.

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

/// A token bucket; `None` means no limit.
#[derive(Clone, Default)]
pub struct Limit(Option<Arc<DefaultDirectRateLimiter>>);

impl Limit {
    /// `per_second == 0` means unlimited. The burst is a twentieth of a second's worth, so
    /// the rate holds over short windows too.
    pub fn per_second(per_second: u32) -> Limit {
        let Some(rate) = NonZeroU32::new(per_second) else {
            return Limit(None);
        };
        let burst = NonZeroU32::new((per_second / 20).max(1)).expect("at least one");
        Limit(Some(Arc::new(RateLimiter::direct(
            Quota::per_second(rate).allow_burst(burst),
        ))))
    }

    /// Waits until `n` deliveries may go; how many of them had to wait.
    pub async fn acquire(&self, n: usize) -> u64 {
        let mut waited = 0;
        if let Some(limiter) = &self.0 {
            for _ in 0..n {
                if limiter.check().is_err() {
                    waited += 1;
                    limiter.until_ready().await;
                }
            }
        }
        waited
    }
}

/// Deliveries per second as they happen: the count of the last complete second.
#[derive(Default)]
pub struct RateMeter(Mutex<(u64, u64, u64)>);

impl RateMeter {
    fn now_second() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    }

    pub fn add(&self, n: u64) {
        let now = Self::now_second();
        let mut m = self.0.lock().expect("rate meter");
        let (second, count, last) = *m;
        *m = if second == now {
            (second, count + n, last)
        } else if second + 1 == now {
            (now, n, count)
        } else {
            (now, n, 0)
        };
    }

    /// Deliveries during the last complete second.
    pub fn per_second(&self) -> u64 {
        let now = Self::now_second();
        let (second, count, last) = *self.0.lock().expect("rate meter");
        if second == now {
            last
        } else if second + 1 == now {
            count
        } else {
            0
        }
    }
}
