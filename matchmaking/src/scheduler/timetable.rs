//! Step (b): give each selected pair a slot. A sweep over the slots solves, slot by slot, a weighted
//! b-matching (a small network LP, again with microlp) that fills the slot's tables with the pairs that
//! are most urgent; an ejection-chain repair then places what the sweep could not.

use good_lp::{
    Expression, ProblemVariables, ResolutionError, Solution, SolverModel, Variable, microlp,
    variable,
};

use super::problem::{Problem, SlotSet};

/// Who sits where: the slot of every placed pair and the loads this implies.
#[derive(Debug, Clone)]
pub(crate) struct Timetable {
    slots: usize,
    tables: usize,
    pub slot_of: Vec<Option<usize>>,
    /// Meetings of administration `a` in slot `t`, at `a * slots + t`.
    admin_load: Vec<u32>,
    vendor_load: Vec<u32>,
    pub admin_busy: Vec<SlotSet>,
    pub vendor_busy: Vec<SlotSet>,
    pub slot_load: Vec<usize>,
    /// The placed pairs of each slot, and each pair's position in that list.
    pub by_slot: Vec<Vec<usize>>,
    position: Vec<usize>,
    /// Pairs that must stay where they are (a reschedule keeps them in place).
    pub fixed: Vec<bool>,
}

impl Timetable {
    pub fn new(problem: &Problem) -> Self {
        let pairs = problem.pairs.len();
        Timetable {
            slots: problem.slots,
            tables: problem.tables,
            slot_of: vec![None; pairs],
            admin_load: vec![0; problem.admin_ids.len() * problem.slots],
            vendor_load: vec![0; problem.vendor_ids.len() * problem.slots],
            admin_busy: vec![0; problem.admin_ids.len()],
            vendor_busy: vec![0; problem.vendor_ids.len()],
            slot_load: vec![0; problem.slots],
            by_slot: vec![Vec::new(); problem.slots],
            position: vec![0; pairs],
            fixed: vec![false; pairs],
        }
    }

    pub fn admin_load(&self, admin: usize, slot: usize) -> u32 {
        self.admin_load[admin * self.slots + slot]
    }

    pub fn vendor_load(&self, vendor: usize, slot: usize) -> u32 {
        self.vendor_load[vendor * self.slots + slot]
    }

    /// Whether the pair could sit in this slot as things stand.
    pub fn fits(&self, problem: &Problem, pair: usize, slot: usize) -> bool {
        let p = &problem.pairs[pair];
        p.common & (1 << slot) != 0
            && self.slot_load[slot] < self.tables
            && self.admin_load(p.admin, slot) < problem.admin_reps[p.admin]
            && self.vendor_load(p.vendor, slot) < problem.vendor_reps[p.vendor]
    }

    pub fn place(&mut self, problem: &Problem, pair: usize, slot: usize) {
        debug_assert!(self.slot_of[pair].is_none());
        let p = &problem.pairs[pair];
        self.slot_of[pair] = Some(slot);
        self.admin_load[p.admin * self.slots + slot] += 1;
        self.vendor_load[p.vendor * self.slots + slot] += 1;
        self.admin_busy[p.admin] |= 1 << slot;
        self.vendor_busy[p.vendor] |= 1 << slot;
        self.slot_load[slot] += 1;
        self.position[pair] = self.by_slot[slot].len();
        self.by_slot[slot].push(pair);
    }

    pub fn remove(&mut self, problem: &Problem, pair: usize) -> usize {
        let slot = self.slot_of[pair]
            .take()
            .expect("only placed pairs are removed");
        let p = &problem.pairs[pair];
        let admin_cell = p.admin * self.slots + slot;
        self.admin_load[admin_cell] -= 1;
        if self.admin_load[admin_cell] == 0 {
            self.admin_busy[p.admin] &= !(1 << slot);
        }
        let vendor_cell = p.vendor * self.slots + slot;
        self.vendor_load[vendor_cell] -= 1;
        if self.vendor_load[vendor_cell] == 0 {
            self.vendor_busy[p.vendor] &= !(1 << slot);
        }
        self.slot_load[slot] -= 1;
        let position = self.position[pair];
        self.by_slot[slot].swap_remove(position);
        if let Some(&moved) = self.by_slot[slot].get(position) {
            self.position[moved] = position;
        }
        slot
    }

    pub fn placed(&self) -> impl Iterator<Item = usize> + '_ {
        self.by_slot.iter().flatten().copied()
    }
}

/// Places `pairs` slot by slot. Returns the pairs left without a slot.
pub(crate) fn sweep(
    problem: &Problem,
    timetable: &mut Timetable,
    pairs: &[usize],
) -> Result<Vec<usize>, ResolutionError> {
    let slots = problem.slots;
    let mut remaining_admin = vec![0u32; problem.admin_ids.len()];
    let mut remaining_vendor = vec![0u32; problem.vendor_ids.len()];
    let mut waiting: Vec<usize> = Vec::with_capacity(pairs.len());
    for &pair in pairs {
        if timetable.slot_of[pair].is_none() {
            remaining_admin[problem.pairs[pair].admin] += 1;
            remaining_vendor[problem.pairs[pair].vendor] += 1;
            waiting.push(pair);
        }
    }
    for slot in 0..slots {
        let later: SlotSet = if slot + 1 >= 64 {
            0
        } else {
            !((1u64 << (slot + 1)) - 1)
        };
        let from_now: SlotSet = later | (1 << slot);
        // Free seats a participant still has from this slot on, and after it.
        let admin_seats = |admin: usize, range: SlotSet| -> u32 {
            (0..slots)
                .filter(|&t| range & problem.admin_free[admin] & (1 << t) != 0)
                .map(|t| problem.admin_reps[admin].saturating_sub(timetable.admin_load(admin, t)))
                .sum()
        };
        let vendor_seats = |vendor: usize, range: SlotSet| -> u32 {
            (0..slots)
                .filter(|&t| range & problem.vendor_free[vendor] & (1 << t) != 0)
                .map(|t| {
                    problem.vendor_reps[vendor].saturating_sub(timetable.vendor_load(vendor, t))
                })
                .sum()
        };
        let candidates: Vec<usize> = waiting
            .iter()
            .copied()
            .filter(|&pair| timetable.fits(problem, pair, slot))
            .collect();
        if candidates.is_empty() {
            continue;
        }
        let started_before = (1u64 << slot) - 1;
        let priorities: Vec<f64> = candidates
            .iter()
            .map(|&pair| {
                let p = &problem.pairs[pair];
                let mut priority = 1000.0;
                let sides = [
                    (
                        remaining_admin[p.admin],
                        admin_seats(p.admin, from_now),
                        admin_seats(p.admin, later),
                        timetable.admin_busy[p.admin] & started_before != 0,
                    ),
                    (
                        remaining_vendor[p.vendor],
                        vendor_seats(p.vendor, from_now),
                        vendor_seats(p.vendor, later),
                        timetable.vendor_busy[p.vendor] & started_before != 0,
                    ),
                ];
                for (remaining, seats_now, seats_later, started) in sides {
                    if remaining > seats_later {
                        priority += 300.0;
                    }
                    priority += 100.0 * f64::from(remaining) / f64::from(seats_now.max(1));
                    if started {
                        // A participant who has begun should go on without a break.
                        priority += 80.0;
                    }
                }
                let chances = (p.common & from_now).count_ones();
                if p.common & later == 0 {
                    priority += 300.0;
                }
                priority + 20.0 / f64::from(chances)
            })
            .collect();
        let chosen = match_slot(problem, timetable, slot, &candidates, &priorities)?;
        for pair in chosen {
            timetable.place(problem, pair, slot);
            remaining_admin[problem.pairs[pair].admin] -= 1;
            remaining_vendor[problem.pairs[pair].vendor] -= 1;
        }
        waiting.retain(|&pair| timetable.slot_of[pair].is_none());
    }
    Ok(waiting)
}

/// The heaviest set of candidates that fits in one slot: each participant within its free seats, the
/// slot within its free tables. A bipartite b-matching with one cardinality row: an LP with an integral
/// optimum.
fn match_slot(
    problem: &Problem,
    timetable: &Timetable,
    slot: usize,
    candidates: &[usize],
    priorities: &[f64],
) -> Result<Vec<usize>, ResolutionError> {
    let mut variables = ProblemVariables::new();
    let vars: Vec<Variable> = candidates
        .iter()
        .map(|_| variables.add(variable().min(0).max(1)))
        .collect();
    let objective: Expression = vars
        .iter()
        .zip(priorities)
        .map(|(&var, &priority)| priority * var)
        .sum();
    let mut model = variables.maximise(objective).using(microlp);
    let mut by_admin: std::collections::BTreeMap<usize, Vec<Variable>> = Default::default();
    let mut by_vendor: std::collections::BTreeMap<usize, Vec<Variable>> = Default::default();
    for (index, &pair) in candidates.iter().enumerate() {
        by_admin
            .entry(problem.pairs[pair].admin)
            .or_default()
            .push(vars[index]);
        by_vendor
            .entry(problem.pairs[pair].vendor)
            .or_default()
            .push(vars[index]);
    }
    for (admin, group) in by_admin {
        let seats = problem.admin_reps[admin] - timetable.admin_load(admin, slot);
        if group.len() as u32 > seats {
            let sum: Expression = group.into_iter().sum();
            model = model.with(sum.leq(f64::from(seats)));
        }
    }
    for (vendor, group) in by_vendor {
        let seats = problem.vendor_reps[vendor] - timetable.vendor_load(vendor, slot);
        if group.len() as u32 > seats {
            let sum: Expression = group.into_iter().sum();
            model = model.with(sum.leq(f64::from(seats)));
        }
    }
    let free_tables = problem.tables - timetable.slot_load[slot];
    if candidates.len() > free_tables {
        let sum: Expression = vars.iter().copied().sum();
        model = model.with(sum.leq(free_tables as f64));
    }
    let solution = model.solve()?;
    Ok(candidates
        .iter()
        .zip(&vars)
        .filter(|&(_, &var)| solution.value(var) > 0.5)
        .map(|(&pair, _)| pair)
        .collect())
}

/// Slots of a set, in increasing order.
pub(crate) fn slots_in(set: SlotSet) -> impl Iterator<Item = usize> {
    let mut rest = set;
    std::iter::from_fn(move || {
        (rest != 0).then(|| {
            let slot = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            slot
        })
    })
}

/// How many meetings in a full slot an ejection may try to move, per level.
const EJECTION_CANDIDATES: usize = 16;

/// Places `pair`, moving other (unfixed) meetings out of its way if needed: an ejection chain of at
/// most `depth` moves, never sending a meeting back to a slot it was pushed out of. On failure nothing
/// has changed.
pub(crate) fn insert(
    problem: &Problem,
    timetable: &mut Timetable,
    pair: usize,
    depth: u32,
    banned: SlotSet,
) -> bool {
    chain(problem, timetable, pair, depth, banned, GiveWay::Never).is_some()
}

/// What a chain may do with a meeting it cannot seat again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GiveWay {
    /// Nothing: the chain fails.
    Never,
    /// Cancel a meeting in the way: for the pair being seated, whose other requests the caller tries.
    Cancel,
    /// Give its administration another request, or cancel a meeting in the way.
    SwapOrCancel,
}

/// How a chain that seats a pair ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    /// Every meeting it moved has a seat again.
    Moved,
    /// The last meeting moved, `gone`, could not be seated again; its administration meets `instead`.
    Swapped { gone: usize, instead: usize },
    /// The meeting `gone` was cancelled; its administration keeps at least one other.
    Cancelled { gone: usize },
}

/// Like `insert` from any slot, but when no chain of moves alone seats `pair`, the chain may end by
/// giving the last moved meeting's administration another of its requests instead, or by cancelling a
/// meeting of an administration that keeps at least one other. Nobody loses their last meeting. On
/// failure nothing has changed.
pub(crate) fn insert_or_give_way(
    problem: &Problem,
    timetable: &mut Timetable,
    pair: usize,
    depth: u32,
) -> Option<Ending> {
    if insert(problem, timetable, pair, depth, 0) {
        return Some(Ending::Moved);
    }
    chain(problem, timetable, pair, depth, 0, GiveWay::Cancel)
}

/// The ejection chain behind `insert` and `insert_or_give_way`.
fn chain(
    problem: &Problem,
    timetable: &mut Timetable,
    pair: usize,
    depth: u32,
    banned: SlotSet,
    give_way: GiveWay,
) -> Option<Ending> {
    let choices = problem.pairs[pair].common & !banned;
    if let Some(slot) = slots_in(choices).find(|&slot| timetable.fits(problem, pair, slot)) {
        timetable.place(problem, pair, slot);
        return Some(Ending::Moved);
    }
    if give_way == GiveWay::SwapOrCancel
        && let Some(instead) = substitute(problem, timetable, problem.pairs[pair].admin, pair, 0)
    {
        return Some(Ending::Swapped {
            gone: pair,
            instead,
        });
    }
    if give_way != GiveWay::Never
        && let Some(gone) = cancel_for(problem, timetable, pair, choices)
    {
        return Some(Ending::Cancelled { gone });
    }
    if depth == 0 {
        return None;
    }
    let below = match give_way {
        GiveWay::Never => GiveWay::Never,
        GiveWay::Cancel | GiveWay::SwapOrCancel => GiveWay::SwapOrCancel,
    };
    for slot in slots_in(choices) {
        for other in in_the_way(problem, timetable, pair, slot) {
            if timetable.fixed[other] {
                continue;
            }
            timetable.remove(problem, other);
            if timetable.fits(problem, pair, slot) {
                timetable.place(problem, pair, slot);
                let rest = chain(
                    problem,
                    timetable,
                    other,
                    depth - 1,
                    banned | (1 << slot),
                    below,
                );
                if rest.is_some() {
                    return rest;
                }
                timetable.remove(problem, pair);
            }
            timetable.place(problem, other, slot);
        }
    }
    None
}

/// The unseated requests of `admin`, other than `except`, heaviest first.
pub(crate) fn unseated_requests(
    problem: &Problem,
    timetable: &Timetable,
    admin: usize,
    except: Option<usize>,
) -> Vec<usize> {
    let mut options: Vec<usize> = problem.pairs_of_admin[admin]
        .iter()
        .copied()
        .filter(|&pair| Some(pair) != except && timetable.slot_of[pair].is_none())
        .collect();
    options.sort_by_key(|&pair| (std::cmp::Reverse(problem.pairs[pair].weight), pair));
    options
}

/// Seats another unseated request of `admin` (heaviest first), other than `except`, moving at most
/// `depth` other meetings out of its way: `admin` keeps its count of meetings without `except`.
pub(crate) fn substitute(
    problem: &Problem,
    timetable: &mut Timetable,
    admin: usize,
    except: usize,
    depth: u32,
) -> Option<usize> {
    unseated_requests(problem, timetable, admin, Some(except))
        .into_iter()
        .find(|&pair| insert(problem, timetable, pair, depth, 0))
}

/// Seats `pair` in one of `choices` by cancelling a meeting in its way whose administration has at
/// least one other meeting: the richest administration's lightest meeting first.
fn cancel_for(
    problem: &Problem,
    timetable: &mut Timetable,
    pair: usize,
    choices: SlotSet,
) -> Option<usize> {
    let meetings_of = |admin: usize| {
        problem.pairs_of_admin[admin]
            .iter()
            .filter(|&&other| timetable.slot_of[other].is_some())
            .count()
    };
    let mut candidates = Vec::new();
    for slot in slots_in(choices) {
        for other in in_the_way(problem, timetable, pair, slot) {
            let admin = problem.pairs[other].admin;
            let meetings = meetings_of(admin);
            if !timetable.fixed[other] && admin != problem.pairs[pair].admin && meetings >= 2 {
                let weight = problem.pairs[other].weight;
                candidates.push((std::cmp::Reverse(meetings), weight, other, slot));
            }
        }
    }
    candidates.sort_unstable();
    for (_, _, other, slot) in candidates {
        timetable.remove(problem, other);
        if timetable.fits(problem, pair, slot) {
            timetable.place(problem, pair, slot);
            return Some(other);
        }
        timetable.place(problem, other, slot);
    }
    None
}

/// The placed meetings whose removal could free `slot` for `pair`: those of its administration when
/// that one is full there, of its vendor when that one is, otherwise (a full room) some of the slot's.
fn in_the_way(problem: &Problem, timetable: &Timetable, pair: usize, slot: usize) -> Vec<usize> {
    let p = &problem.pairs[pair];
    let admin_full = timetable.admin_load(p.admin, slot) >= problem.admin_reps[p.admin];
    let vendor_full = timetable.vendor_load(p.vendor, slot) >= problem.vendor_reps[p.vendor];
    let placed_here = |pairs: &[usize]| -> Vec<usize> {
        pairs
            .iter()
            .copied()
            .filter(|&other| timetable.slot_of[other] == Some(slot))
            .collect()
    };
    match (admin_full, vendor_full) {
        (true, true) => Vec::new(),
        (true, false) => placed_here(&problem.pairs_of_admin[p.admin]),
        (false, true) => placed_here(&problem.pairs_of_vendor[p.vendor]),
        (false, false) => {
            let mut here = timetable.by_slot[slot].clone();
            here.sort_unstable();
            here.truncate(EJECTION_CANDIDATES);
            here
        }
    }
}
