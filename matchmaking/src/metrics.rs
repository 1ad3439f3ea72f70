//! The benchmark's figures, defined exactly as `stats` and `idle_gaps` in `gen_matchmaking_instance.py`
//! compute them (edge cases included), and the even-spread bound on the total weight.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::instance::{Instance, Schedule};

/// What the script's `stats` prints, plus `idle_gaps`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    pub requests: usize,
    pub mutual_requests: usize,
    /// `slots × tables`.
    pub capacity: usize,
    pub meetings: usize,
    /// Sum of the request weights of the scheduled pairs (0 for a pair nobody requested).
    pub weighted: u64,
    pub admins_zero: usize,
    /// Jain's index over administrations, rounded to 3 decimals; `None` when nothing is scheduled.
    pub jain: Option<f64>,
    /// Meetings per administration, rounded to 2 decimals; `None` for an instance without any.
    pub mean_per_admin: Option<f64>,
    pub idle_gaps: u64,
}

/// Computes every figure of the script for a schedule.
///
/// As in the script: `admins_zero` and Jain's index run over the distinct administration ids while the
/// divisor `n` counts the listed administrations; meetings of an unknown administration are left out of
/// the per-administration counts (the script would stop with a `KeyError`).
pub fn metrics(instance: &Instance, schedule: &Schedule) -> Metrics {
    let weights = instance.request_weights();
    let mut per_admin: HashMap<&str, u64> = instance
        .administrations
        .iter()
        .map(|admin| (admin.id.as_str(), 0))
        .collect();
    for meeting in &schedule.meetings {
        if let Some(count) = per_admin.get_mut(meeting.admin.as_str()) {
            *count += 1;
        }
    }
    let n = instance.administrations.len() as u64;
    let sum: u64 = per_admin.values().sum();
    let sum_of_squares: u64 = per_admin.values().map(|count| count * count).sum();
    Metrics {
        requests: instance.requests.len(),
        mutual_requests: instance
            .requests
            .iter()
            .filter(|request| request.mutual)
            .count(),
        capacity: instance.params.capacity(),
        meetings: schedule.meetings.len(),
        weighted: schedule
            .meetings
            .iter()
            .map(|meeting| {
                u64::from(
                    weights
                        .get(&(meeting.admin.as_str(), meeting.vendor.as_str()))
                        .copied()
                        .unwrap_or(0),
                )
            })
            .sum(),
        admins_zero: per_admin.values().filter(|&&count| count == 0).count(),
        jain: jain(sum, sum_of_squares, n),
        mean_per_admin: (n > 0).then(|| round_like_python(sum as f64 / n as f64, 2)),
        idle_gaps: idle_gaps(schedule),
    }
}

/// `round(s*s/(n*s2), 3) if s2 else None`.
fn jain(sum: u64, sum_of_squares: u64, n: u64) -> Option<f64> {
    if sum_of_squares == 0 {
        return None;
    }
    // Both operands stay below 2^53 for any real day, so each converts exactly and the division is
    // correctly rounded, like Python's int / int.
    let numerator = (u128::from(sum) * u128::from(sum)) as f64;
    let denominator = (u128::from(n) * u128::from(sum_of_squares)) as f64;
    Some(round_like_python(numerator / denominator, 3))
}

/// Jain's fairness index of a list of counts, unrounded (1.0 is perfectly even).
pub fn jain_index(counts: &[u64]) -> Option<f64> {
    let sum: u64 = counts.iter().sum();
    let sum_of_squares: u64 = counts.iter().map(|count| count * count).sum();
    (sum_of_squares > 0)
        .then(|| (sum as f64 * sum as f64) / (counts.len() as f64 * sum_of_squares as f64))
}

/// Python's `round(x, digits)`: the exact binary value rounded half to even in decimal. Rust's
/// fixed-precision formatting rounds the same exact value the same way, so format and parse back.
pub fn round_like_python(value: f64, digits: usize) -> f64 {
    format!("{value:.digits$}")
        .parse()
        .expect("a formatted float parses")
}

/// Idle slots between each participant's first and last meeting, summed over administrations and
/// vendors. Like the script, participants are keyed by id alone (an administration and a vendor sharing
/// an id would be counted as one), and several meetings in one slot fill that slot once.
pub fn idle_gaps(schedule: &Schedule) -> u64 {
    let mut slots: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
    for meeting in &schedule.meetings {
        slots
            .entry(meeting.admin.as_str())
            .or_default()
            .insert(meeting.slot);
        slots
            .entry(meeting.vendor.as_str())
            .or_default()
            .insert(meeting.slot);
    }
    slots
        .values()
        .filter_map(|set| {
            let (first, last) = (set.first()?, set.last()?);
            Some((last - first + 1 - set.len()) as u64)
        })
        .sum()
}

/// The most weight an even spread of the room's meetings could reach, ignoring vendors and clocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvenSpreadBound {
    /// `C`: meetings the room holds (`slots × tables`).
    pub capacity: usize,
    /// `N`: administrations.
    pub administrations: usize,
    /// `⌊C/N⌋`: meetings every administration gets in an even spread.
    pub per_administration: usize,
    /// Meetings the bound counts (below `C` when the administrations request fewer).
    pub meetings: usize,
    /// The bound itself.
    pub weight: u64,
}

/// The even-spread bound: with `C` meetings for `N` administrations, each administration's best
/// `⌊C/N⌋` request weights, plus the best of their next requests up to `C` in all.
///
/// Made precise by filling level by level: level `k` holds every administration's `k`-th heaviest
/// request; whole levels are taken while they fit in `C`, then the heaviest entries of the next level
/// until `C` is reached. When every administration has more than `⌊C/N⌋` requests this is exactly the
/// sentence above (the extra `C mod N` meetings come from the `⌊C/N⌋+1`-th requests); when some have
/// fewer, their unused share goes to the next level. Levels stop at the administration cap.
pub fn even_spread_bound(instance: &Instance) -> EvenSpreadBound {
    let capacity = instance.params.capacity();
    let mut weights: BTreeMap<&str, Vec<u32>> = instance
        .administrations
        .iter()
        .map(|admin| (admin.id.as_str(), Vec::new()))
        .collect();
    let mut seen = std::collections::HashSet::new();
    for request in &instance.requests {
        if seen.insert((request.admin.as_str(), request.vendor.as_str()))
            && let Some(list) = weights.get_mut(request.admin.as_str())
        {
            list.push(request.weight);
        }
    }
    for list in weights.values_mut() {
        list.sort_unstable_by(|a, b| b.cmp(a));
    }
    let administrations = weights.len();
    let cap = instance.params.max_meetings_per_administration as usize;
    let (mut meetings, mut weight) = (0usize, 0u64);
    for level in 0..cap {
        if meetings >= capacity {
            break;
        }
        let mut entries: Vec<u32> = weights
            .values()
            .filter_map(|list| list.get(level).copied())
            .collect();
        if entries.is_empty() {
            break;
        }
        entries.sort_unstable_by(|a, b| b.cmp(a));
        for entry in entries.into_iter().take(capacity - meetings) {
            weight += u64::from(entry);
            meetings += 1;
        }
    }
    EvenSpreadBound {
        capacity,
        administrations,
        per_administration: capacity.checked_div(administrations).unwrap_or(0),
        meetings,
        weight,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::Meeting;

    #[test]
    fn rounding_follows_python_half_to_even_on_the_exact_value() {
        // Values checked in Python: 2.675 is stored just below, 0.9845 just above.
        assert_eq!(round_like_python(0.125, 2), 0.12);
        assert_eq!(round_like_python(0.375, 2), 0.38);
        assert_eq!(round_like_python(2.675, 2), 2.67);
        assert_eq!(round_like_python(0.9845, 3), 0.985);
        assert_eq!(round_like_python(0.9855, 3), 0.986);
        assert_eq!(round_like_python(0.0625, 3), 0.062);
        assert_eq!(round_like_python(1.0, 3), 1.0);
    }

    #[test]
    fn idle_gaps_count_empty_slots_inside_each_span_once_per_slot() {
        let meeting = |admin: &str, vendor: &str, slot| Meeting {
            admin: admin.into(),
            vendor: vendor.into(),
            slot,
            table: 0,
        };
        let schedule = Schedule {
            meetings: vec![
                meeting("A", "V1", 0),
                meeting("A", "V2", 0),
                meeting("A", "V1", 3),
            ],
        };
        // A: slots {0, 3} → 2; V1: {0, 3} → 2; V2: {0} → 0.
        assert_eq!(idle_gaps(&schedule), 4);
    }

    #[test]
    fn jain_is_none_without_meetings_and_one_when_even() {
        assert_eq!(jain(0, 0, 5), None);
        assert_eq!(jain(6, 12, 3), Some(1.0));
        assert_eq!(jain_index(&[2, 2, 2]), Some(1.0));
    }
}
