//! When a failed call may be sent again, and how long to wait first.
//!
//! Only idempotent calls are retried (GET, DELETE, PATCH with a mask, the pause/resume/
//! enable state changes, and a publish because the client always sends an
//! `Idempotency-Key`), on connection errors and on 429/502/503/504. A `Retry-After`
//! header is honoured up to `max_retry_after`; a server asking for longer gets its error
//! back instead of a client that hangs.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;
use reqwest::header::{HeaderMap, RETRY_AFTER};

#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Tries in all, the first included. 1 disables retries.
    pub max_attempts: u32,
    /// Wait before the first retry; doubles for each further one (with jitter).
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    /// The longest `Retry-After` that is waited for.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Default::default()
        }
    }

    /// The wait before retry number `retry` (1 for the first retry): exponential, capped,
    /// with "equal jitter" (half fixed, half random) so clients that failed together spread out.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry.saturating_sub(1)));
        let capped = exp.min(self.max_backoff);
        let half = capped / 2;
        let jitter = rand::thread_rng().gen_range(0..=half.as_millis() as u64);
        half + Duration::from_millis(jitter)
    }
}

/// Statuses worth another try: the server (or a proxy) says it cannot answer right now.
pub fn retryable_status(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// Statuses after which the request may or may not have been carried out (a gateway may
/// have forwarded it before giving up).
pub fn outcome_unknown_status(status: u16) -> bool {
    matches!(status, 502 | 504)
}

/// `Retry-After` as a delay: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
pub fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let raw = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = raw.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = DateTime::parse_from_rfc2822(raw).ok()?.with_timezone(&Utc);
    Some((when - now).to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(350),
            ..Default::default()
        };
        for _ in 0..20 {
            let first = p.backoff(1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let third = p.backoff(3);
            assert!(third >= Duration::from_millis(175) && third <= Duration::from_millis(350));
            assert!(p.backoff(30) <= Duration::from_millis(350));
        }
    }

    #[test]
    fn reads_both_retry_after_forms() {
        let now = DateTime::parse_from_rfc3339("2015-10-21T07:27:50Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(7)));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(10)));
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h, now), None);
    }
}
