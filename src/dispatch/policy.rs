//! When the next attempt happens, if at all.

use std::time::Duration;

use rand::Rng;

use crate::sinks::{AttemptResult, ErrorClass};

/// What to do with a message after a failed attempt.
#[derive(Debug, PartialEq)]
pub enum Next {
    RetryIn(Duration),
    Exhausted,
}

/// `attempts_in_round` counts the attempts since the message was (re)queued, this one
/// included. `schedule[i]` is the delay before attempt `i + 1` of a round.
pub fn after_failure(
    schedule: &[Duration],
    attempts_in_round: usize,
    result: &AttemptResult,
    jitter: f64,
    throttle_floor: Duration,
) -> Next {
    if result.permanent || attempts_in_round >= schedule.len() {
        return Next::Exhausted;
    }
    let base = schedule[attempts_in_round];
    let mut delay = jittered(base, jitter);
    if let Some(asked) = result.retry_after {
        // Honour the receiver within [base, 2 × base]: it may slow us down, not stall us.
        delay = asked.clamp(base, base * 2);
    }
    if matches!(
        result.error_class,
        Some(ErrorClass::Throttled) | Some(ErrorClass::Timeout)
    ) {
        delay = delay.max(throttle_floor);
    }
    Next::RetryIn(delay)
}

fn jittered(base: Duration, jitter: f64) -> Duration {
    if base.is_zero() || jitter <= 0.0 {
        return base;
    }
    let factor = rand::thread_rng().gen_range((1.0 - jitter)..=(1.0 + jitter));
    base.mul_f64(factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail(class: ErrorClass) -> AttemptResult {
        AttemptResult::failed(class, "x")
    }

    #[test]
    fn follows_the_schedule_with_jitter_then_exhausts() {
        let schedule = [
            Duration::ZERO,
            Duration::from_secs(5),
            Duration::from_secs(300),
        ];
        for _ in 0..100 {
            let Next::RetryIn(d) = after_failure(
                &schedule,
                1,
                &fail(ErrorClass::Status),
                0.2,
                Duration::from_secs(60),
            ) else {
                panic!("should retry")
            };
            assert!(
                d >= Duration::from_secs(4) && d <= Duration::from_secs(6),
                "{d:?}"
            );
        }
        assert_eq!(
            after_failure(
                &schedule,
                3,
                &fail(ErrorClass::Status),
                0.2,
                Duration::from_secs(60)
            ),
            Next::Exhausted
        );
        let mut permanent = fail(ErrorClass::Config);
        permanent.permanent = true;
        assert_eq!(
            after_failure(&schedule, 1, &permanent, 0.2, Duration::ZERO),
            Next::Exhausted
        );
    }

    #[test]
    fn throttling_and_timeouts_wait_at_least_the_floor() {
        let schedule = [Duration::ZERO, Duration::from_secs(5)];
        for class in [ErrorClass::Throttled, ErrorClass::Timeout] {
            assert_eq!(
                after_failure(&schedule, 1, &fail(class), 0.0, Duration::from_secs(60)),
                Next::RetryIn(Duration::from_secs(60))
            );
        }
    }

    #[test]
    fn retry_after_is_honoured_within_base_and_twice_base() {
        let schedule = [Duration::ZERO, Duration::from_secs(10)];
        let with = |secs| {
            let mut r = fail(ErrorClass::Status);
            r.retry_after = Some(Duration::from_secs(secs));
            after_failure(&schedule, 1, &r, 0.2, Duration::ZERO)
        };
        assert_eq!(with(15), Next::RetryIn(Duration::from_secs(15)));
        assert_eq!(with(1), Next::RetryIn(Duration::from_secs(10)));
        assert_eq!(with(3600), Next::RetryIn(Duration::from_secs(20)));
    }
}
