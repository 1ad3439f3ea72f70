//! Following the audit trail without losing events committed out of id order.
//!
//! Event ids come from a sequence taken when a transaction writes, not when it commits: on PostgreSQL
//! a transaction holding id 41 may commit after another one holding 42. Reading "everything after the
//! highest id seen" would then skip 41 forever. The cursor therefore remembers ids missing below the
//! highest one seen, looks for them again on every poll, and gives up on one only after a grace
//! period (a rolled-back transaction leaves a hole that never fills). The restart point written with
//! each index commit is the floor below which nothing is pending; events above it that were already
//! applied are simply applied again after a restart, which is harmless since applying an event means
//! re-reading the current state of the records it touched.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub(crate) struct EventCursor {
    /// The highest event id seen.
    high_water: i64,
    /// Ids below `high_water` not seen yet, with when they were first missed.
    gaps: BTreeMap<i64, Instant>,
    grace: Duration,
}

/// A gap larger than this is taken as ids that were never used (a sequence jump), not as
/// transactions in flight.
const LARGEST_GAP: i64 = 10_000;

impl EventCursor {
    /// A cursor for which every event up to `floor` is applied.
    pub(crate) fn new(floor: i64, grace: Duration) -> Self {
        Self {
            high_water: floor,
            gaps: BTreeMap::new(),
            grace,
        }
    }

    /// Fetch events with ids above this one.
    pub(crate) fn high_water(&self) -> i64 {
        self.high_water
    }

    /// Ids still missing, to look up again.
    pub(crate) fn missing(&self) -> Vec<i64> {
        self.gaps.keys().copied().collect()
    }

    /// Every event at or below this id is applied: the restart point.
    pub(crate) fn floor(&self) -> i64 {
        self.gaps
            .keys()
            .next()
            .map_or(self.high_water, |first| first - 1)
    }

    /// Records events just applied, and forgets gaps older than the grace period.
    pub(crate) fn applied(&mut self, ids: &[i64], now: Instant) {
        for &id in ids {
            if id > self.high_water {
                if id - self.high_water <= LARGEST_GAP {
                    for missing in self.high_water + 1..id {
                        self.gaps.entry(missing).or_insert(now);
                    }
                }
                self.high_water = id;
            }
            self.gaps.remove(&id);
        }
        let grace = self.grace;
        self.gaps
            .retain(|_, first_missed| now.duration_since(*first_missed) < grace);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_late_commit_below_the_high_water_is_still_picked_up() {
        let start = Instant::now();
        let mut cursor = EventCursor::new(40, Duration::from_secs(5));
        // 42 commits before 41.
        cursor.applied(&[42], start);
        assert_eq!(cursor.high_water(), 42);
        assert_eq!(cursor.missing(), vec![41]);
        assert_eq!(cursor.floor(), 40, "a restart must look at 41 again");
        cursor.applied(&[41], start + Duration::from_millis(200));
        assert!(cursor.missing().is_empty());
        assert_eq!(cursor.floor(), 42);
    }

    #[test]
    fn a_hole_that_never_fills_is_given_up_after_the_grace_period() {
        let start = Instant::now();
        let mut cursor = EventCursor::new(0, Duration::from_secs(5));
        cursor.applied(&[1, 3], start);
        assert_eq!(cursor.floor(), 1);
        cursor.applied(&[], start + Duration::from_secs(6));
        assert_eq!(cursor.floor(), 3);
    }
}
