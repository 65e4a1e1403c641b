//! A read object's `schedule`: a 5-field cron expression (minute hour day-of-month month
//! day-of-week, UTC) that may not run every minute (`*` in the minute field) and never
//! runs more often than every 10 minutes — judged by the smallest gap between two runs
//! over a whole year, not only the next one, so `0,5 9 * * 1` (two runs five minutes apart
//! on Mondays) is refused like `*/5 * * * *`. Parsing is `croner`'s.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use croner::parser::{CronParser, Seconds, Year};
use croner::Cron;

/// The shortest time allowed between two reads of an object.
pub const MIN_GAP: Duration = Duration::from_secs(10 * 60);

/// A whole cycle: a leap year (2024), so a schedule on February 29 is judged too.
fn cycle() -> (DateTime<Utc>, DateTime<Utc>) {
    let start = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).single();
    let end = Utc.with_ymd_and_hms(2025, 1, 2, 0, 0, 0).single();
    (start.unwrap_or_default(), end.unwrap_or_default())
}

/// The schedule, parsed, or why it is not acceptable (one sentence, for the manifest's
/// issue at the `schedule` field).
pub fn check_schedule(expression: &str) -> Result<Cron, String> {
    let fields: Vec<&str> = expression.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!(
            "schedule '{expression}' must be a cron expression of 5 fields (minute hour day-of-month month day-of-week), not {}",
            fields.len()
        ));
    }
    if fields[0] == "*" {
        return Err(format!(
            "schedule '{expression}' must not have '*' in the minute field: reads run at most every 10 minutes (e.g. '*/10 * * * *')"
        ));
    }
    let cron = CronParser::builder()
        .seconds(Seconds::Disallowed)
        .year(Year::Disallowed)
        .build()
        .parse(expression)
        .map_err(|e| format!("schedule '{expression}' is not a valid cron expression: {e}"))?;
    let (start, end) = cycle();
    let mut previous: Option<DateTime<Utc>> = None;
    let mut runs = 0usize;
    for run in cron.iter_after(start) {
        if run > end {
            break;
        }
        runs += 1;
        if let Some(previous) = previous {
            let gap = (run - previous).to_std().unwrap_or_default();
            if gap < MIN_GAP {
                return Err(format!(
                    "schedule '{expression}' runs {} apart (at {} and {}); reads may run at most every 10 minutes",
                    humantime::format_duration(gap),
                    previous.format("%a %H:%M"),
                    run.format("%a %H:%M")
                ));
            }
        }
        previous = Some(run);
    }
    if runs == 0 {
        return Err(format!("schedule '{expression}' never runs"));
    }
    Ok(cron)
}

/// The next `n` runs after `after` (for the console's "next three runs").
pub fn next_runs(cron: &Cron, after: DateTime<Utc>, n: usize) -> Vec<DateTime<Utc>> {
    cron.iter_after(after).take(n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(expression: &str) -> String {
        check_schedule(expression)
            .err()
            .unwrap_or_else(|| panic!("{expression} passed"))
    }

    #[test]
    fn the_documented_schedules_pass() {
        for ok in [
            "*/10 * * * *",
            "0 * * * *",
            "15 9 * * 1-5",
            "0,30 * * * *",
            "0 0 29 2 *",
        ] {
            assert!(
                check_schedule(ok).is_ok(),
                "{ok}: {:?}",
                check_schedule(ok).err()
            );
        }
    }

    #[test]
    fn each_broken_rule_is_named() {
        assert!(refused("*/10 * * *").contains("5 fields"));
        assert!(refused("*/10 * * * * *").contains("5 fields"));
        assert!(refused("* * * * *").contains("'*' in the minute field"));
        assert!(refused("*/5 * * * *").contains("5m apart"));
        assert!(refused("61 * * * *").contains("not a valid cron expression"));
        assert!(refused("0 0 30 2 *").contains("never runs"));
        // Only one day of the year runs too often: the whole cycle is judged.
        let once_a_year = refused("0,5 9 29 2 *");
        assert!(
            once_a_year.contains("5m apart") && once_a_year.contains("Thu 09:00"),
            "{once_a_year}"
        );
    }

    #[test]
    fn next_runs_follow_the_schedule() {
        let cron = check_schedule("*/10 * * * *").unwrap();
        let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 3, 0).unwrap();
        let runs: Vec<String> = next_runs(&cron, at, 3)
            .iter()
            .map(|t| t.format("%H:%M").to_string())
            .collect();
        assert_eq!(runs, ["00:10", "00:20", "00:30"]);
    }
}
