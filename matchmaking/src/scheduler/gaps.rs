//! Step (c): close idle gaps without losing a meeting. Simulated annealing over two moves that keep
//! every placed pair placed: move a meeting to another slot with a free table, or swap the slots of two
//! meetings. The iteration count is fixed (not a time budget), so a seed gives one result on any
//! machine, in debug and release builds alike.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::problem::{Problem, SlotSet};
use super::timetable::Timetable;

/// Idle slots between a participant's first and last meeting, as the benchmark script counts them.
pub(crate) fn gaps_of(busy: SlotSet) -> u32 {
    if busy == 0 {
        0
    } else {
        (64 - busy.leading_zeros() - busy.trailing_zeros()) - busy.count_ones()
    }
}

pub(crate) fn total_gaps(timetable: &Timetable) -> u32 {
    timetable
        .admin_busy
        .iter()
        .chain(&timetable.vendor_busy)
        .map(|&busy| gaps_of(busy))
        .sum()
}

/// Moves attempted per placed meeting.
const MOVES_PER_MEETING: usize = 3000;

/// What the annealing did, for the decision log.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct GapReport {
    pub before: u32,
    pub after: u32,
    /// Meetings that ended in another slot than the one the timetable gave them.
    pub moved: usize,
}

pub(crate) fn close_gaps(
    problem: &Problem,
    timetable: &mut Timetable,
    rng: &mut ChaCha8Rng,
) -> GapReport {
    let movable: Vec<usize> = {
        let mut pairs: Vec<usize> = timetable
            .placed()
            .filter(|&pair| !timetable.fixed[pair])
            .collect();
        pairs.sort_unstable();
        pairs
    };
    let before = total_gaps(timetable);
    let mut report = GapReport {
        before,
        after: before,
        ..GapReport::default()
    };
    if movable.is_empty() || problem.slots < 2 {
        return report;
    }
    let iterations = MOVES_PER_MEETING * movable.len();
    let mut current = before;
    let mut best = before;
    let initial_slots: Vec<Option<usize>> = timetable.slot_of.clone();
    let mut best_slots = initial_slots.clone();
    let (hot, cold) = (0.6f64, 0.02f64);
    // Geometric cooling from `hot` to `cold` over the run.
    let cooling = (cold / hot).powf(1.0 / iterations as f64);
    let mut temperature = hot;
    for _ in 0..iterations {
        if current == 0 {
            break;
        }
        temperature *= cooling;
        let pair = movable[rng.random_range(0..movable.len())];
        let from = timetable.slot_of[pair].expect("movable pairs are placed");
        let choices = problem.pairs[pair].common & !(1 << from);
        if choices == 0 {
            continue;
        }
        let to = nth_slot(choices, rng.random_range(0..choices.count_ones()));
        let Some((delta, change)) = try_move(problem, timetable, pair, from, to, rng) else {
            continue;
        };
        let accept = delta <= 0 || rng.random::<f64>() < (-(delta as f64) / temperature).exp();
        if accept {
            current = current
                .checked_add_signed(delta)
                .expect("gaps stay non-negative");
            if current < best {
                best = current;
                best_slots.clone_from(&timetable.slot_of);
            }
        } else {
            undo(problem, timetable, change);
        }
    }
    if current != best {
        restore(problem, timetable, &best_slots);
    }
    report.after = total_gaps(timetable);
    report.moved = initial_slots
        .iter()
        .zip(&timetable.slot_of)
        .filter(|(before, after)| before != after)
        .count();
    report
}

fn nth_slot(mut set: SlotSet, n: u32) -> usize {
    for _ in 0..n {
        set &= set - 1;
    }
    set.trailing_zeros() as usize
}

/// Applies a move (or a swap) of `pair` from `from` to `to` if feasible and returns the change in gaps.
/// The returned change lets `undo` revert it.
fn try_move(
    problem: &Problem,
    timetable: &mut Timetable,
    pair: usize,
    from: usize,
    to: usize,
    rng: &mut ChaCha8Rng,
) -> Option<(i32, Change)> {
    let p = &problem.pairs[pair];
    let mut touched = Touched::default();
    touched.add_pair(problem, pair);
    if timetable.fits(problem, pair, to) {
        let before = touched.gaps(timetable);
        timetable.remove(problem, pair);
        timetable.place(problem, pair, to);
        let delta = touched.gaps(timetable) as i32 - before as i32;
        return Some((delta, Change::Moved { pair, from }));
    }
    // Swap with a meeting sitting in `to` that is in the way: one of this administration's, one of this
    // vendor's, or any meeting there when the slot is full.
    let admin_full = timetable.admin_load(p.admin, to) >= problem.admin_reps[p.admin];
    let vendor_full = timetable.vendor_load(p.vendor, to) >= problem.vendor_reps[p.vendor];
    let other = if admin_full && vendor_full {
        return None;
    } else if admin_full {
        pick_in_slot(timetable, &problem.pairs_of_admin[p.admin], to, rng)?
    } else if vendor_full {
        pick_in_slot(timetable, &problem.pairs_of_vendor[p.vendor], to, rng)?
    } else {
        let here = &timetable.by_slot[to];
        here[rng.random_range(0..here.len())]
    };
    if timetable.fixed[other] || problem.pairs[other].common & (1 << from) == 0 {
        return None;
    }
    touched.add_pair(problem, other);
    let before = touched.gaps(timetable);
    timetable.remove(problem, pair);
    timetable.remove(problem, other);
    if timetable.fits(problem, pair, to) {
        timetable.place(problem, pair, to);
        if timetable.fits(problem, other, from) {
            timetable.place(problem, other, from);
            let delta = touched.gaps(timetable) as i32 - before as i32;
            return Some((
                delta,
                Change::Swapped {
                    pair,
                    from,
                    other,
                    other_from: to,
                },
            ));
        }
        timetable.remove(problem, pair);
    }
    timetable.place(problem, pair, from);
    timetable.place(problem, other, to);
    None
}

/// One of `pairs` sitting in `slot`, drawn uniformly (without allocating: this runs in the hot loop).
fn pick_in_slot(
    timetable: &Timetable,
    pairs: &[usize],
    slot: usize,
    rng: &mut ChaCha8Rng,
) -> Option<usize> {
    let here = |pair: &&usize| timetable.slot_of[**pair] == Some(slot);
    let count = pairs.iter().filter(here).count();
    if count == 0 {
        return None;
    }
    pairs
        .iter()
        .filter(here)
        .nth(rng.random_range(0..count))
        .copied()
}

/// An applied change, kept until it is accepted or undone.
#[derive(Debug, Clone, Copy)]
enum Change {
    Moved {
        pair: usize,
        from: usize,
    },
    Swapped {
        pair: usize,
        from: usize,
        other: usize,
        other_from: usize,
    },
}

fn undo(problem: &Problem, timetable: &mut Timetable, change: Change) {
    match change {
        Change::Moved { pair, from } => {
            timetable.remove(problem, pair);
            timetable.place(problem, pair, from);
        }
        Change::Swapped {
            pair,
            from,
            other,
            other_from,
        } => {
            timetable.remove(problem, pair);
            timetable.remove(problem, other);
            timetable.place(problem, pair, from);
            timetable.place(problem, other, other_from);
        }
    }
}

fn restore(problem: &Problem, timetable: &mut Timetable, slots: &[Option<usize>]) {
    let placed: Vec<usize> = timetable.placed().collect();
    for &pair in &placed {
        timetable.remove(problem, pair);
    }
    for (pair, slot) in slots.iter().enumerate() {
        if let Some(slot) = *slot {
            timetable.place(problem, pair, slot);
        }
    }
}

/// The participants a move touches (at most two administrations and two vendors).
#[derive(Debug, Default)]
struct Touched {
    admins: [Option<usize>; 2],
    vendors: [Option<usize>; 2],
}

impl Touched {
    fn add_pair(&mut self, problem: &Problem, pair: usize) {
        let p = &problem.pairs[pair];
        for (list, who) in [(&mut self.admins, p.admin), (&mut self.vendors, p.vendor)] {
            if !list.contains(&Some(who))
                && let Some(free) = list.iter_mut().find(|entry| entry.is_none())
            {
                *free = Some(who);
            }
        }
    }

    fn gaps(&self, timetable: &Timetable) -> u32 {
        let admins = self
            .admins
            .iter()
            .flatten()
            .map(|&admin| gaps_of(timetable.admin_busy[admin]));
        let vendors = self
            .vendors
            .iter()
            .flatten()
            .map(|&vendor| gaps_of(timetable.vendor_busy[vendor]));
        admins.chain(vendors).sum()
    }
}
