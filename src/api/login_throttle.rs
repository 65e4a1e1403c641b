//! Console logins with wrong keys, slowed per client address: the first few failures cost
//! nothing, then each further attempt from that address must wait (doubling, at most five
//! minutes) after the last failure, answered 429 with `Retry-After` until then, the key
//! not even looked at. A success clears the address. Guessing a 256-bit key is hopeless
//! anyway; this keeps a script from hammering the login and the log.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// Wrong keys an address may send before it is slowed.
const FREE_FAILURES: u32 = 5;
/// The longest wait.
const MAX_WAIT_MS: i64 = 5 * 60 * 1000;
/// An address that failed this long ago starts afresh.
const FORGET_AFTER_MS: i64 = 60 * 60 * 1000;
/// Addresses remembered at most (the oldest go first).
const MAX_ADDRESSES: usize = 10_000;

#[derive(Clone, Copy, Debug)]
struct Failures {
    count: u32,
    last_ms: i64,
}

/// Keyed by the client's address (`None`: a request without one, as in handler tests).
#[derive(Clone, Default)]
pub struct LoginThrottle(Arc<Mutex<HashMap<Option<IpAddr>, Failures>>>);

impl LoginThrottle {
    /// How long `addr` must still wait before its next attempt is looked at, in ms.
    pub fn wait_ms(&self, addr: Option<IpAddr>, now_ms: i64) -> Option<i64> {
        let failures = *self.0.lock().expect("login throttle").get(&addr)?;
        if failures.count < FREE_FAILURES || now_ms - failures.last_ms > FORGET_AFTER_MS {
            return None;
        }
        let doublings = (failures.count - FREE_FAILURES).min(20);
        let wait = (1000_i64 << doublings).min(MAX_WAIT_MS);
        let left = failures.last_ms + wait - now_ms;
        (left > 0).then_some(left)
    }

    pub fn failed(&self, addr: Option<IpAddr>, now_ms: i64) {
        let mut map = self.0.lock().expect("login throttle");
        if map.len() >= MAX_ADDRESSES && !map.contains_key(&addr) {
            map.retain(|_, f| now_ms - f.last_ms <= FORGET_AFTER_MS);
            if map.len() >= MAX_ADDRESSES {
                if let Some(oldest) = map.iter().min_by_key(|(_, f)| f.last_ms).map(|(a, _)| *a) {
                    map.remove(&oldest);
                }
            }
        }
        let entry = map.entry(addr).or_insert(Failures {
            count: 0,
            last_ms: now_ms,
        });
        if now_ms - entry.last_ms > FORGET_AFTER_MS {
            entry.count = 0;
        }
        entry.count += 1;
        entry.last_ms = now_ms;
    }

    pub fn succeeded(&self, addr: Option<IpAddr>) {
        self.0.lock().expect("login throttle").remove(&addr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_failures_then_doubling_waits_and_a_success_clears() {
        let t = LoginThrottle::default();
        let a = Some("203.0.113.9".parse().unwrap());
        let b = Some("203.0.113.10".parse().unwrap());
        for i in 0..FREE_FAILURES {
            assert_eq!(t.wait_ms(a, 0), None, "failure {i} is free");
            t.failed(a, 0);
        }
        assert_eq!(t.wait_ms(a, 0), Some(1000));
        assert_eq!(t.wait_ms(a, 400), Some(600));
        assert_eq!(t.wait_ms(b, 0), None, "per address");
        t.failed(a, 1000);
        assert_eq!(t.wait_ms(a, 1000), Some(2000));
        t.failed(a, 3000);
        assert_eq!(t.wait_ms(a, 3000), Some(4000));
        t.succeeded(a);
        assert_eq!(t.wait_ms(a, 3000), None);
    }
}
