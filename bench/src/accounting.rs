//! Accounting: what was published against what arrived.

use std::time::Instant;

use crate::receiver::Arrivals;
use crate::table::{verdict, Table};

#[derive(Default, Debug)]
pub struct Check {
    pub lost: usize,
    pub duplicates: usize,
    pub unexpected: usize,
    pub publish_failures: usize,
}

impl Check {
    pub fn add(&mut self, other: Check) {
        self.lost += other.lost;
        self.duplicates += other.duplicates;
        self.unexpected += other.unexpected;
        self.publish_failures += other.publish_failures;
    }

    pub fn exactly_once(&self) -> bool {
        self.lost == 0 && self.duplicates == 0 && self.unexpected == 0
    }

    /// Every published message arrived exactly once and no publish failed.
    pub fn passed(&self) -> bool {
        self.exactly_once() && self.publish_failures == 0
    }

    pub fn report(&self, table: &mut Table) {
        table.row(
            "lost / duplicates / unexpected",
            format!("{} / {} / {}", self.lost, self.duplicates, self.unexpected),
            verdict(self.exactly_once()),
        );
    }
}

/// Compares what was expected with what arrived.
pub fn account<'a>(expected: impl IntoIterator<Item = &'a String>, arrived: &Arrivals) -> Check {
    let mut check = Check::default();
    let mut n = 0;
    for id in expected {
        n += 1;
        match arrived.get(id) {
            None => check.lost += 1,
            Some((count, _)) => check.duplicates += (*count as usize).saturating_sub(1),
        }
    }
    check.unexpected = arrived.len().saturating_sub(n - check.lost);
    check
}

pub fn last_arrival(arrived: &Arrivals) -> Option<Instant> {
    arrived.values().map(|(_, t)| *t).max()
}
