//! A real webhook receiver on 127.0.0.1:0 that records every request and answers as a
//! test scripts it (status, delay, headers), e.g. "fail twice, then succeed".

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use tokio::sync::mpsc;

/// What the receiver answers to one request.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub delay: Duration,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl Reply {
    pub fn status(status: u16) -> Self {
        Reply {
            status,
            delay: Duration::ZERO,
            headers: vec![],
            body: String::new(),
        }
    }

    pub fn slow(status: u16, delay: Duration) -> Self {
        Reply {
            status,
            delay,
            headers: vec![],
            body: String::new(),
        }
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    #[allow(dead_code)] // not every test binary uses it
    pub fn with_body(mut self, body: impl Into<String>) -> Self {
        self.body = body.into();
        self
    }
}

/// A request as it arrived.
#[derive(Clone, Debug)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Bytes,
    pub at: Instant,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

struct Script {
    queue: VecDeque<Reply>,
    otherwise: Reply,
}

#[derive(Clone)]
struct Shared {
    script: Arc<Mutex<Script>>,
    tx: mpsc::UnboundedSender<Received>,
    /// (requests being answered now, the most there ever were at once)
    concurrency: Arc<Mutex<(usize, usize)>>,
}

pub struct Receiver {
    pub addr: SocketAddr,
    /// `http://127.0.0.1:port`, or `https://localhost:port` behind TLS.
    base: String,
    script: Arc<Mutex<Script>>,
    concurrency: Arc<Mutex<(usize, usize)>>,
    rx: mpsc::UnboundedReceiver<Received>,
    server: tokio::task::JoinHandle<()>,
}

impl Receiver {
    /// Starts a receiver that answers 204 until told otherwise.
    pub async fn start() -> Receiver {
        Self::start_on(tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap()).await
    }

    pub async fn start_on(listener: tokio::net::TcpListener) -> Receiver {
        let base = format!("http://{}", listener.local_addr().unwrap());
        Self::serve(listener, base, None)
    }

    /// Starts a receiver behind TLS with `tls`'s certificate (made for `localhost`).
    #[allow(dead_code)] // not every test binary uses it
    pub async fn start_tls(tls: Arc<tokio_rustls::rustls::ServerConfig>) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!(
            "https://localhost:{}",
            listener.local_addr().unwrap().port()
        );
        Self::serve(listener, base, Some(tokio_rustls::TlsAcceptor::from(tls)))
    }

    fn serve(
        listener: tokio::net::TcpListener,
        base: String,
        tls: Option<tokio_rustls::TlsAcceptor>,
    ) -> Receiver {
        let addr = listener.local_addr().unwrap();
        let script = Arc::new(Mutex::new(Script {
            queue: VecDeque::new(),
            otherwise: Reply::status(204),
        }));
        let (tx, rx) = mpsc::unbounded_channel();
        let concurrency = Arc::new(Mutex::new((0, 0)));
        let shared = Shared {
            script: script.clone(),
            tx,
            concurrency: concurrency.clone(),
        };
        let app = Router::new()
            .route("/{*path}", post(handle))
            .route("/", post(handle))
            .with_state(shared);
        let server = match tls {
            None => tokio::spawn(async move {
                axum::serve(listener, app).await.unwrap();
            }),
            Some(acceptor) => tokio::spawn(serve_tls(listener, acceptor, app)),
        };
        Receiver {
            addr,
            base,
            script,
            concurrency,
            rx,
            server,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The next requests get these answers, in order; after them, `otherwise`.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.script.lock().unwrap().queue.extend(replies);
    }

    /// The most requests this receiver was answering at the same time.
    pub fn max_concurrency(&self) -> usize {
        self.concurrency.lock().unwrap().1
    }

    pub fn otherwise(&self, reply: Reply) {
        self.script.lock().unwrap().otherwise = reply;
    }

    /// The next request, or a panic after `within`.
    pub async fn next(&mut self, within: Duration) -> Received {
        tokio::time::timeout(within, self.rx.recv())
            .await
            .unwrap_or_else(|_| panic!("no request arrived within {within:?}"))
            .expect("receiver open")
    }

    /// A request that has already arrived, if any (for checking that nothing did, once
    /// something else has settled it).
    pub fn try_next(&mut self) -> Option<Received> {
        self.rx.try_recv().ok()
    }

    /// Waits for `n` requests.
    pub async fn take(&mut self, n: usize, within: Duration) -> Vec<Received> {
        let deadline = Instant::now() + within;
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.rx.recv()).await {
                Ok(Some(r)) => out.push(r),
                _ => panic!(
                    "only {} of {n} requests arrived within {within:?}",
                    out.len()
                ),
            }
        }
        out
    }

    /// Everything that arrives until nothing has for `quiet`.
    pub async fn until_quiet(&mut self, quiet: Duration) -> Vec<Received> {
        let mut out = Vec::new();
        while let Ok(Some(r)) = tokio::time::timeout(quiet, self.rx.recv()).await {
            out.push(r);
        }
        out
    }

    /// Asserts nothing has arrived (yet). Call it after an event that says nothing more can
    /// come (the message's state is final) or that the node has gone past the point where
    /// it would have sent it (a later delivery elsewhere arrived): not after a fixed sleep.
    #[allow(dead_code)] // not every test binary uses it
    #[track_caller]
    pub fn assert_nothing_arrived(&mut self) {
        if let Ok(r) = self.rx.try_recv() {
            panic!("unexpected request: {:?}", String::from_utf8_lossy(&r.body));
        }
    }

    pub fn stop(self) {
        self.server.abort();
    }
}

/// Accepts TLS connections and serves `app` on each; a failed handshake (a client that
/// does not trust the certificate) ends only that connection.
async fn serve_tls(
    listener: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    app: Router,
) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            return;
        };
        let (acceptor, app) = (acceptor.clone(), app.clone());
        tokio::spawn(async move {
            let Ok(tls) = acceptor.accept(tcp).await else {
                return;
            };
            let service = hyper_util::service::TowerToHyperService::new(app);
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                .await;
        });
    }
}

async fn handle(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let at = Instant::now();
    let reply = {
        let mut script = shared.script.lock().unwrap();
        script
            .queue
            .pop_front()
            .unwrap_or_else(|| script.otherwise.clone())
    };
    {
        let mut c = shared.concurrency.lock().unwrap();
        c.0 += 1;
        c.1 = c.1.max(c.0);
    }
    // Record first: a slow reply still counts as received.
    let _ = shared.tx.send(Received { headers, body, at });
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    shared.concurrency.lock().unwrap().0 -= 1;
    let status = StatusCode::from_u16(reply.status).unwrap();
    let mut response = (status, reply.body).into_response();
    for (name, value) in reply.headers {
        response.headers_mut().insert(name, value.parse().unwrap());
    }
    response
}
