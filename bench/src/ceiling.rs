//! The ceiling: the receiver hit directly, with the node's own delivery client and the
//! node's request headers, and no dispatcher.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::http::header::{CONTENT_TYPE, USER_AGENT};
use axum::http::{HeaderMap, HeaderValue};

use crate::accounting::{account, Check};
use crate::receiver::Seen;

/// The `i`th ceiling request's message ID, as long as the node's.
fn ceiling_id(i: usize) -> String {
    format!("ceiling_{i:028}")
}

/// The receiver hit directly: same payload, same client settings, same concurrency.
pub async fn ceiling(
    url: &str,
    seen: &Seen,
    body: &Bytes,
    n: usize,
    concurrency: usize,
) -> anyhow::Result<(f64, Check)> {
    seen.take();
    let client = switchboard::sinks::http::DeliveryClient::new(&[])?;
    let uri: axum::http::Uri = url.parse()?;
    let timeout = switchboard::dispatch::config::DeliveryConfig::default().timeout;
    // The requests the node sends, headers included, so that the ratio measures the
    // dispatcher rather than the weight of its requests: a message ID as long as the
    // node's (`msg_` and 32 hex digits), a timestamp, and a signature of a signature's
    // length (a fixed one: signing is the dispatcher's work, measured in the drain), each
    // under Svix's and Standard Webhooks' names.
    let signature = HeaderValue::from_str(&format!("v1,{}", "A".repeat(43) + "="))?;
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency.max(1) {
        let (client, uri, body, next, signature) = (
            client.clone(),
            uri.clone(),
            body.clone(),
            next.clone(),
            signature.clone(),
        );
        tasks.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return anyhow::Ok(());
                }
                let id = HeaderValue::from_str(&ceiling_id(i))?;
                let timestamp = HeaderValue::from(
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)?
                        .as_secs(),
                );
                let mut headers = HeaderMap::new();
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                headers.insert(
                    USER_AGENT,
                    HeaderValue::from_static(switchboard::sinks::webhook::USER_AGENT_VALUE),
                );
                for [id_name, ts_name, sig_name] in switchboard::sinks::webhook::SIGNATURE_HEADERS {
                    headers.insert(id_name, id.clone());
                    headers.insert(ts_name, timestamp.clone());
                    headers.insert(sig_name, signature.clone());
                }
                client.post(&uri, headers, body.clone(), timeout).await?;
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    let elapsed = started.elapsed();
    let arrived = seen.take();
    let expected: Vec<String> = (0..n).map(ceiling_id).collect();
    Ok((
        n as f64 / elapsed.as_secs_f64(),
        account(&expected, &arrived),
    ))
}
