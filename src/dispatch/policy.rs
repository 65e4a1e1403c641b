//! When the next attempt happens, if at all.

use std::time::Duration;

use rand::Rng;

use crate::model::message::RetryPlan;
use crate::sinks::{AttemptResult, ErrorClass};
use crate::time::to_datetime;

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

/// The plan of a message that has had `attempt_count` attempts, `round_start` of them
/// before its current round, and waits for the next one at `next_attempt_time` (Unix ms).
/// None when the schedule has no attempt left for it (it is about to be exhausted).
pub fn retry_plan(
    schedule: &[Duration],
    attempt_count: i64,
    round_start: i64,
    next_attempt_time: i64,
) -> Option<RetryPlan> {
    let next_in_round = usize::try_from(attempt_count - round_start).ok()?;
    if next_in_round >= schedule.len() {
        return None;
    }
    let remaining: Duration = schedule[next_in_round + 1..].iter().sum();
    Some(RetryPlan {
        next_attempt: attempt_count + 1,
        last_attempt: round_start + schedule.len() as i64,
        next_attempt_time: to_datetime(next_attempt_time),
        last_attempt_time: to_datetime(next_attempt_time + remaining.as_millis() as i64),
    })
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
    fn a_plan_counts_the_attempts_left_in_the_round() {
        let s = Duration::from_secs;
        let schedule = [s(0), s(5), s(300), s(1800)];
        // Attempt 1 failed; attempt 2 is due at t = 10 s: then 300 s and 1800 s more.
        let plan = retry_plan(&schedule, 1, 0, 10_000).unwrap();
        assert_eq!((plan.next_attempt, plan.last_attempt), (2, 4));
        assert_eq!(plan.next_attempt_time, to_datetime(10_000));
        assert_eq!(plan.last_attempt_time, to_datetime(10_000 + 2_100_000));
        // Recovered after 4 attempts: a new round of four, attempts 5 to 8.
        let plan = retry_plan(&schedule, 4, 4, 0).unwrap();
        assert_eq!((plan.next_attempt, plan.last_attempt), (5, 8));
        assert!(retry_plan(&schedule, 4, 0, 0).is_none());
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
