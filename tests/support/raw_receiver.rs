//! A receiver that misbehaves at the socket level, as a test scripts it: never answers,
//! trickles its body, resets the connection halfway, answers with megabytes or without a
//! length. Each connection reads one request, counts it, then does what it was told.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Clone, Debug)]
pub enum Behaviour {
    /// Read the request, then say nothing (and keep the connection open).
    Silent,
    /// Send `head` (status line and headers), then one byte of body every `every`.
    Trickle { head: &'static str, every: Duration },
    /// Send these bytes, then close the connection normally.
    Answer(Vec<u8>),
    /// Send these bytes, then reset the connection (RST, not FIN).
    ResetAfter(Vec<u8>),
}

pub struct RawReceiver {
    pub addr: SocketAddr,
    requests: Arc<AtomicUsize>,
}

impl RawReceiver {
    pub async fn start(behaviour: Behaviour) -> RawReceiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(AtomicUsize::new(0));
        let counted = requests.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let behaviour = behaviour.clone();
                let counted = counted.clone();
                tokio::spawn(async move {
                    if read_request(&mut { socket }, behaviour, counted)
                        .await
                        .is_err()
                    {
                        // The node hung up first: what a timeout looks like from here.
                    }
                });
            }
        });
        RawReceiver { addr, requests }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// How many whole requests arrived.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

async fn read_request(
    socket: &mut TcpStream,
    behaviour: Behaviour,
    counted: Arc<AtomicUsize>,
) -> std::io::Result<()> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let body_start = loop {
        let n = socket.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        seen.extend_from_slice(&buf[..n]);
        if let Some(i) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&seen[..body_start]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while seen.len() < body_start + length {
        let n = socket.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        seen.extend_from_slice(&buf[..n]);
    }
    counted.fetch_add(1, Ordering::SeqCst);
    match behaviour {
        Behaviour::Silent => {
            // Hold the connection until the node gives up on it.
            let _ = socket.read(&mut buf).await;
        }
        Behaviour::Trickle { head, every } => {
            socket.write_all(head.as_bytes()).await?;
            loop {
                tokio::time::sleep(every).await;
                socket.write_all(b"x").await?;
            }
        }
        Behaviour::Answer(bytes) => {
            socket.write_all(&bytes).await?;
            socket.shutdown().await?;
        }
        Behaviour::ResetAfter(bytes) => {
            socket.write_all(&bytes).await?;
            socket.set_zero_linger()?;
        }
    }
    Ok(())
}
