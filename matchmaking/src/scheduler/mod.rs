//! Registre's optimiser: (a) choose which pairs meet with a network LP (fairness first, then weight),
//! (b) give them slots with one b-matching LP per slot plus an ejection-chain repair, (c) close idle
//! gaps by simulated annealing; then seat each meeting at a table. Deterministic for a published seed,
//! which only breaks ties, and explained by a decision log.
//!
//! Objectives, in order: every administration with a feasible request gets a meeting; the meeting
//! counts across administrations are as even as possible (lexicographically: the fewest meetings
//! anyone gets is as high as possible, then as few administrations as possible are at that count, and
//! so on); the total weight; the fewest idle gaps. `reschedule` puts "fewest moved meetings" first.

mod gaps;
pub mod log;
mod problem;
mod selection;
mod timetable;

use std::collections::{BTreeMap, HashMap};

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::instance::{Instance, Meeting, Schedule};

pub use log::{Decision, DecisionLog, Stage};
pub use selection::SelectionError;

use problem::Problem;
use selection::SelectionInput;
use timetable::Timetable;

/// A schedule and the reasons behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScheduleOutcome {
    pub schedule: Schedule,
    pub log: DecisionLog,
}

/// A new schedule after a change, and how much of the previous one it kept.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RescheduleOutcome {
    pub schedule: Schedule,
    pub log: DecisionLog,
    /// Previous meetings kept at the same slot and table.
    pub kept: usize,
    /// Previous pairs that still meet, at another slot or table.
    pub moved: usize,
    /// Previous meetings that no longer take place.
    pub cancelled: usize,
    /// Meetings that were not in the previous schedule.
    pub added: usize,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum ScheduleError {
    #[error("the day has {slots} slots; the optimiser handles at most {max}")]
    TooManySlots { slots: usize, max: usize },
    #[error(transparent)]
    Selection(#[from] SelectionError),
    #[error("a slot-matching model could not be solved")]
    Timetable(#[source] good_lp::ResolutionError),
}

/// Schedules a day from scratch.
pub fn schedule(instance: &Instance, seed: u64) -> Result<ScheduleOutcome, ScheduleError> {
    optimise(instance, None, seed)
}

/// Schedules a day again after a change (a cancellation, a new request, changed availability), keeping
/// every previous meeting that is still valid at its slot and table. Objectives: fewest moved meetings
/// first, then the usual ones for the freed and remaining capacity. Previous pairs that had to leave
/// their place are preferred, among equally fair and heavy choices, when the freed tables are refilled.
pub fn reschedule(
    instance: &Instance,
    previous: &Schedule,
    seed: u64,
) -> Result<RescheduleOutcome, ScheduleError> {
    let run = optimise(instance, Some(previous), seed)?;
    let new_places: HashMap<(&str, &str), (usize, usize)> = run
        .schedule
        .meetings
        .iter()
        .map(|m| ((m.admin.as_str(), m.vendor.as_str()), (m.slot, m.table)))
        .collect();
    let (mut kept, mut moved, mut cancelled) = (0, 0, 0);
    let mut previous_pairs = std::collections::HashSet::new();
    for meeting in &previous.meetings {
        let key = (meeting.admin.as_str(), meeting.vendor.as_str());
        if !previous_pairs.insert(key) {
            // A pair listed twice in the previous schedule: the second copy is gone.
            cancelled += 1;
            continue;
        }
        match new_places.get(&key) {
            Some(&place) if place == (meeting.slot, meeting.table) => kept += 1,
            Some(_) => moved += 1,
            None => cancelled += 1,
        }
    }
    let added = new_places
        .keys()
        .filter(|key| !previous_pairs.contains(*key))
        .count();
    let mut log = run.log;
    log.day(
        Stage::Reschedule,
        format!(
            "Of the {} previous meetings, {kept} stay in place, {moved} moved and {cancelled} no longer take place; {added} meetings were added.",
            previous.meetings.len()
        ),
    );
    Ok(RescheduleOutcome {
        schedule: run.schedule,
        log,
        kept,
        moved,
        cancelled,
        added,
    })
}

/// Rounds of "exclude what could not be placed, select again, place the newcomers".
const REFILL_ROUNDS: usize = 8;
/// Length of the ejection chains the repair tries.
const EJECTION_DEPTH: u32 = 2;

fn optimise(
    instance: &Instance,
    previous: Option<&Schedule>,
    seed: u64,
) -> Result<ScheduleOutcome, ScheduleError> {
    let mut log = DecisionLog::default();
    log.day(
        Stage::Input,
        format!(
            "Published seed {seed}: where two choices are equally good, the order of a ChaCha8 shuffle of the requests drawn from this seed decides."
        ),
    );
    let problem = Problem::build(instance, &mut log).ok_or(ScheduleError::TooManySlots {
        slots: instance.params.slots,
        max: problem::MAX_SLOTS,
    })?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut order: Vec<usize> = (0..problem.pairs.len()).collect();
    order.shuffle(&mut rng);

    let mut timetable = Timetable::new(&problem);
    let mut fixed_tables: HashMap<usize, usize> = HashMap::new();
    let mut preference = vec![0.0; problem.pairs.len()];
    if let Some(previous) = previous {
        keep_previous(
            &problem,
            previous,
            &mut timetable,
            &mut fixed_tables,
            &mut preference,
            &mut log,
        );
    }

    let capacity = problem.capacity();
    log.day(
        Stage::Selection,
        format!(
            "The room holds {capacity} meetings ({} slots × {} tables) for {} administrations: an even spread gives each {} or {} meetings, within each one's cap.",
            problem.slots,
            problem.tables,
            problem.admin_ids.len(),
            capacity.checked_div(problem.admin_ids.len()).unwrap_or(0),
            capacity.checked_div(problem.admin_ids.len()).unwrap_or(0) + 1,
        ),
    );
    let mut excluded = vec![false; problem.pairs.len()];
    let mut input = SelectionInput {
        forced: timetable.placed().collect(),
        excluded: excluded.clone(),
        order,
        preference,
        capacity,
    };
    let selected = selection::select_pairs(&problem, &input)?;
    note_fractional(&selected, &mut log);
    let newcomers: Vec<usize> = selected
        .pairs
        .iter()
        .copied()
        .filter(|&pair| timetable.slot_of[pair].is_none())
        .collect();
    let mut unplaced =
        timetable::sweep(&problem, &mut timetable, &newcomers).map_err(ScheduleError::Timetable)?;
    let swept = newcomers.len() - unplaced.len();
    unplaced.retain(|&pair| !timetable::insert(&problem, &mut timetable, pair, EJECTION_DEPTH, 0));
    log.day(
        Stage::Timetable,
        format!(
            "{} pairs selected; the slot-by-slot matching seated {swept}, the repair {} more.",
            newcomers.len(),
            newcomers.len() - swept - unplaced.len()
        ),
    );
    for round in 0..=REFILL_ROUNDS {
        if unplaced.is_empty() {
            break;
        }
        unplaced = make_room_fairly(&problem, &mut timetable, unplaced, &mut log);
        for &pair in &unplaced {
            excluded[pair] = true;
            let p = &problem.pairs[pair];
            log.note(
                Stage::Timetable,
                vec![
                    problem.admin_ids[p.admin].clone(),
                    problem.vendor_ids[p.vendor].clone(),
                ],
                format!(
                    "{}–{}: no slot could be found where both are free and a table is left; another request takes its place.",
                    problem.admin_ids[p.admin], problem.vendor_ids[p.vendor]
                ),
            );
        }
        if round == REFILL_ROUNDS {
            break;
        }
        input.forced = timetable.placed().collect();
        input.excluded.clone_from(&excluded);
        let selected = selection::select_pairs(&problem, &input)?;
        note_fractional(&selected, &mut log);
        let newcomers: Vec<usize> = selected
            .pairs
            .into_iter()
            .filter(|&pair| timetable.slot_of[pair].is_none())
            .collect();
        unplaced = timetable::sweep(&problem, &mut timetable, &newcomers)
            .map_err(ScheduleError::Timetable)?;
        unplaced
            .retain(|&pair| !timetable::insert(&problem, &mut timetable, pair, EJECTION_DEPTH, 0));
    }

    seat_the_unserved(&problem, &mut timetable, &mut excluded, &mut log);

    let report = gaps::close_gaps(&problem, &mut timetable, &mut rng);
    log.day(
        Stage::Gaps,
        format!(
            "Idle gaps (empty slots between someone's first and last meeting) went from {} to {} by changing the slot of {} meetings; no meeting was dropped.",
            report.before, report.after, report.moved
        ),
    );
    let meetings = seat(&problem, &timetable, &fixed_tables);
    explain(&problem, &timetable, &excluded, &mut log);
    Ok(ScheduleOutcome {
        schedule: Schedule::new(meetings),
        log,
    })
}

fn note_fractional(selection: &selection::Selection, log: &mut DecisionLog) {
    if selection.fractional > 0 {
        log.day(
            Stage::Selection,
            format!(
                "The selection model returned {} fractional values (solver round-off); they were rounded and the timetable re-checks every seat.",
                selection.fractional
            ),
        );
    }
}

/// Meetings in the way that `make_room_fairly` tries to shift, per unseated pair.
const ROOM_CANDIDATES: usize = 32;

/// For pairs the timetable could not seat: a meeting in the way (same vendor, or any meeting of a
/// full slot) steps aside when its administration has more meetings than the unseated pair's. It is
/// seated elsewhere if possible; otherwise its administration meets another of its requests instead;
/// otherwise, only when that administration has at least two meetings more, it gives the seat up.
/// Each exchange raises the poorer count without lowering anyone to it, so fairness never gets worse.
/// Returns the pairs still without a seat.
fn make_room_fairly(
    problem: &Problem,
    timetable: &mut Timetable,
    mut unplaced: Vec<usize>,
    log: &mut DecisionLog,
) -> Vec<usize> {
    let mut count = vec![0u32; problem.admin_ids.len()];
    for pair in timetable.placed() {
        count[problem.pairs[pair].admin] += 1;
    }
    unplaced.sort_by_key(|&pair| (count[problem.pairs[pair].admin], pair));
    let mut still = Vec::new();
    for pair in unplaced {
        let p = &problem.pairs[pair];
        if timetable.slot_of[pair].is_some() {
            continue;
        }
        if count[p.admin] >= problem.admin_cap[p.admin] {
            still.push(pair);
            continue;
        }
        let mut in_the_way: Vec<(usize, usize)> = Vec::new();
        for slot in timetable::slots_in(p.common) {
            if timetable.admin_load(p.admin, slot) >= problem.admin_reps[p.admin] {
                continue;
            }
            let vendor_full =
                timetable.vendor_load(p.vendor, slot) >= problem.vendor_reps[p.vendor];
            for &other in &timetable.by_slot[slot] {
                let o = &problem.pairs[other];
                if !timetable.fixed[other]
                    && (!vendor_full || o.vendor == p.vendor)
                    && count[o.admin] > count[p.admin]
                {
                    in_the_way.push((slot, other));
                }
            }
        }
        // The richest administrations first, then the lightest requests.
        in_the_way.sort_by_key(|&(slot, other)| {
            let o = &problem.pairs[other];
            (std::cmp::Reverse(count[o.admin]), o.weight, other, slot)
        });
        in_the_way.truncate(ROOM_CANDIDATES);
        let (admin, vendor) = names(problem, pair);
        let mut seated = false;
        for (slot, other) in in_the_way {
            let o = &problem.pairs[other];
            let (other_admin, other_vendor) = names(problem, other);
            let who = vec![
                admin.clone(),
                vendor.clone(),
                other_admin.clone(),
                other_vendor.clone(),
            ];
            timetable.remove(problem, other);
            timetable.place(problem, pair, slot);
            if timetable::insert(problem, timetable, other, EJECTION_DEPTH, 1 << slot) {
                log.note(
                    Stage::Timetable,
                    who,
                    format!("{other_admin}–{other_vendor} moved out of slot {slot} so that {admin}–{vendor} could meet there."),
                );
            } else if let Some(instead) =
                timetable::substitute(problem, timetable, o.admin, other, EJECTION_DEPTH)
            {
                let instead_vendor = &problem.vendor_ids[problem.pairs[instead].vendor];
                log.note(
                    Stage::Timetable,
                    who,
                    format!("{other_admin}–{other_vendor} gives its seat in slot {slot} to {admin}–{vendor}, which had no other; {other_admin} meets {instead_vendor} instead."),
                );
            } else if count[o.admin] >= count[p.admin] + 2 {
                count[o.admin] -= 1;
                log.note(
                    Stage::Timetable,
                    who,
                    format!(
                        "{other_admin}–{other_vendor} gives its seat in slot {slot} to {admin}–{vendor}: {admin} had {} meeting(s), {other_admin} {}, and no other seat fits.",
                        count[p.admin],
                        count[o.admin] + 1
                    ),
                );
            } else {
                timetable.remove(problem, pair);
                timetable.place(problem, other, slot);
                continue;
            }
            count[p.admin] += 1;
            seated = true;
            break;
        }
        if !seated {
            still.push(pair);
        }
    }
    still
}

/// The first objective, checked once more after the refill rounds: an administration still without a
/// meeting gets one of its requests (heaviest first) through a chain of moves, or failing that a chain
/// that ends with another administration meeting a different vendor, or cancelling a meeting of an
/// administration that keeps at least one other. Each success serves one more administration and
/// leaves nobody without a meeting who had one.
fn seat_the_unserved(
    problem: &Problem,
    timetable: &mut Timetable,
    excluded: &mut [bool],
    log: &mut DecisionLog,
) {
    for admin in 0..problem.admin_ids.len() {
        let pairs = &problem.pairs_of_admin[admin];
        if problem.admin_cap[admin] == 0
            || pairs.iter().any(|&pair| timetable.slot_of[pair].is_some())
        {
            continue;
        }
        for pair in timetable::unseated_requests(problem, timetable, admin, None) {
            let Some(ending) =
                timetable::insert_or_give_way(problem, timetable, pair, EJECTION_DEPTH)
            else {
                continue;
            };
            excluded[pair] = false;
            let (admin_id, vendor_id) = names(problem, pair);
            let mut who = vec![admin_id.clone(), vendor_id.clone()];
            let text = match ending {
                timetable::Ending::Moved => format!(
                    "{admin_id}–{vendor_id}: seated by moving other meetings, so that {admin_id} has a meeting."
                ),
                timetable::Ending::Swapped { gone, instead } => {
                    let (other_admin, other_vendor) = names(problem, gone);
                    let instead_vendor = &problem.vendor_ids[problem.pairs[instead].vendor];
                    who.extend([
                        other_admin.clone(),
                        other_vendor.clone(),
                        instead_vendor.clone(),
                    ]);
                    format!(
                        "{other_admin} meets {instead_vendor} instead of {other_vendor} so that {admin_id}, which had no meeting, meets {vendor_id}."
                    )
                }
                timetable::Ending::Cancelled { gone } => {
                    let (other_admin, other_vendor) = names(problem, gone);
                    who.extend([other_admin.clone(), other_vendor.clone()]);
                    excluded[gone] = true;
                    format!(
                        "{other_admin}–{other_vendor} gives its seat up so that {admin_id}, which had no meeting, meets {vendor_id}; {other_admin} keeps its other meetings."
                    )
                }
            };
            log.note(Stage::Timetable, who, text);
            break;
        }
    }
}

/// The administration and vendor of a pair.
fn names(problem: &Problem, pair: usize) -> (&String, &String) {
    let p = &problem.pairs[pair];
    (&problem.admin_ids[p.admin], &problem.vendor_ids[p.vendor])
}

/// Keeps each previous meeting that is still valid where it was, and marks it fixed.
fn keep_previous(
    problem: &Problem,
    previous: &Schedule,
    timetable: &mut Timetable,
    fixed_tables: &mut HashMap<usize, usize>,
    preference: &mut [f64],
    log: &mut DecisionLog,
) {
    let admin_index: HashMap<&str, usize> = problem
        .admin_ids
        .iter()
        .enumerate()
        .map(|(index, id)| (id.as_str(), index))
        .collect();
    let vendor_index: HashMap<&str, usize> = problem
        .vendor_ids
        .iter()
        .enumerate()
        .map(|(index, id)| (id.as_str(), index))
        .collect();
    let mut ordered: Vec<&Meeting> = previous.meetings.iter().collect();
    ordered.sort_by_key(|m| (m.slot, m.table, m.admin.clone(), m.vendor.clone()));
    let mut tables_taken = std::collections::HashSet::new();
    let mut admin_count = vec![0u32; problem.admin_ids.len()];
    let mut vendor_count = vec![0u32; problem.vendor_ids.len()];
    let mut displaced = Vec::new();
    for meeting in ordered {
        let who = vec![meeting.admin.clone(), meeting.vendor.clone()];
        let name = format!(
            "{}–{} (slot {}, table {})",
            meeting.admin, meeting.vendor, meeting.slot, meeting.table
        );
        let pair = admin_index
            .get(meeting.admin.as_str())
            .zip(vendor_index.get(meeting.vendor.as_str()))
            .and_then(|(&admin, &vendor)| problem.pair_index.get(&(admin, vendor)).copied());
        let Some(pair) = pair else {
            log.note(
                Stage::Reschedule,
                who,
                format!("{name} is cancelled: the request or a participant is withdrawn, or they no longer share a free slot."),
            );
            continue;
        };
        let p = &problem.pairs[pair];
        let reason = if timetable.slot_of[pair].is_some() {
            Some("it was listed twice")
        } else if meeting.slot >= problem.slots || meeting.table >= problem.tables {
            Some("its slot or table no longer exists")
        } else if p.common & (1 << meeting.slot) == 0 {
            Some("one side is no longer free in that slot")
        } else if !timetable.fits(problem, pair, meeting.slot)
            || tables_taken.contains(&(meeting.slot, meeting.table))
        {
            Some("its seat is now taken")
        } else if admin_count[p.admin] >= problem.admin_cap[p.admin] {
            Some("the administration is above its cap")
        } else if vendor_count[p.vendor] >= problem.vendor_cap[p.vendor] {
            Some("the vendor is above its cap")
        } else {
            None
        };
        if let Some(reason) = reason {
            log.note(
                Stage::Reschedule,
                who,
                format!("{name} cannot stay in place: {reason}; it may be moved."),
            );
            displaced.push(pair);
            continue;
        }
        timetable.place(problem, pair, meeting.slot);
        timetable.fixed[pair] = true;
        fixed_tables.insert(pair, meeting.table);
        tables_taken.insert((meeting.slot, meeting.table));
        admin_count[p.admin] += 1;
        vendor_count[p.vendor] += 1;
    }
    displaced.retain(|&pair| timetable.slot_of[pair].is_none());
    displaced.dedup();
    // Below one weight unit in total, so it only decides between otherwise equal selections.
    let bonus = 0.5 / (displaced.len() + 1) as f64;
    for pair in displaced {
        preference[pair] = bonus;
    }
    log.day(
        Stage::Reschedule,
        format!(
            "{} previous meetings stay exactly where they were.",
            timetable.placed().count()
        ),
    );
}

/// Seats the meetings: fixed ones keep their table; an administration keeps the table it had in its
/// previous slot when it is free (fewer walks across the room); the rest take the lowest free table.
fn seat(
    problem: &Problem,
    timetable: &Timetable,
    fixed_tables: &HashMap<usize, usize>,
) -> Vec<Meeting> {
    let mut meetings = Vec::with_capacity(timetable.placed().count());
    let mut last_tables: Vec<Vec<usize>> = vec![Vec::new(); problem.admin_ids.len()];
    for slot in 0..problem.slots {
        let mut here = timetable.by_slot[slot].clone();
        here.sort_unstable_by_key(|&pair| (problem.pairs[pair].admin, problem.pairs[pair].vendor));
        let mut taken = vec![false; problem.tables];
        let mut table_of: BTreeMap<usize, usize> = BTreeMap::new();
        for &pair in &here {
            if let Some(&table) = fixed_tables.get(&pair) {
                taken[table] = true;
                table_of.insert(pair, table);
            }
        }
        for &pair in &here {
            if table_of.contains_key(&pair) {
                continue;
            }
            let admin = problem.pairs[pair].admin;
            if let Some(&table) = last_tables[admin].iter().find(|&&table| !taken[table]) {
                taken[table] = true;
                table_of.insert(pair, table);
            }
        }
        let mut next_free = 0;
        for &pair in &here {
            if table_of.contains_key(&pair) {
                continue;
            }
            while taken[next_free] {
                next_free += 1;
            }
            taken[next_free] = true;
            table_of.insert(pair, next_free);
        }
        let mut seen_admins = Vec::new();
        for (&pair, &table) in &table_of {
            let p = &problem.pairs[pair];
            if !seen_admins.contains(&p.admin) {
                seen_admins.push(p.admin);
                last_tables[p.admin].clear();
            }
            last_tables[p.admin].push(table);
            meetings.push(Meeting {
                admin: problem.admin_ids[p.admin].clone(),
                vendor: problem.vendor_ids[p.vendor].clone(),
                slot,
                table,
            });
        }
    }
    meetings
}

/// Tells each administration what it got and, for each request not met, why.
fn explain(problem: &Problem, timetable: &Timetable, excluded: &[bool], log: &mut DecisionLog) {
    let mut admin_count = vec![0u32; problem.admin_ids.len()];
    let mut vendor_count = vec![0u32; problem.vendor_ids.len()];
    let mut weight = 0u64;
    for pair in timetable.placed() {
        admin_count[problem.pairs[pair].admin] += 1;
        vendor_count[problem.pairs[pair].vendor] += 1;
        weight += u64::from(problem.pairs[pair].weight);
    }
    let fewest = admin_count.iter().copied().min().unwrap_or(0);
    let most = admin_count.iter().copied().max().unwrap_or(0);
    let without: Vec<&str> = (0..problem.admin_ids.len())
        .filter(|&admin| admin_count[admin] == 0)
        .map(|admin| problem.admin_ids[admin].as_str())
        .collect();
    log.day(
        Stage::Selection,
        format!(
            "{} meetings of total weight {weight}; administrations get between {fewest} and {most} meetings; {} administration(s) without a meeting{}.",
            timetable.placed().count(),
            without.len(),
            if without.is_empty() {
                String::new()
            } else {
                format!(" ({}; their own entries say why)", without.join(", "))
            }
        ),
    );
    for (admin, id) in problem.admin_ids.iter().enumerate() {
        for &pair in &problem.pairs_of_admin[admin] {
            let p = &problem.pairs[pair];
            let vendor = &problem.vendor_ids[p.vendor];
            let line = if let Some(slot) = timetable.slot_of[pair] {
                format!("meets {vendor} in slot {slot} (weight {})", p.weight)
            } else if excluded[pair] {
                format!("not {vendor}: no common slot with a free table could be found")
            } else if vendor_count[p.vendor] >= problem.vendor_cap[p.vendor] {
                format!(
                    "not {vendor}: {vendor} is fully booked ({} meetings)",
                    vendor_count[p.vendor]
                )
            } else if admin_count[admin] >= problem.admin_cap[admin] {
                format!(
                    "not {vendor}: {id} has reached its cap of {} meetings",
                    problem.admin_cap[admin]
                )
            } else {
                format!(
                    "not {vendor} (weight {}): the tables are shared evenly, and {id}'s {} meetings are its fair share; the room went to administrations with fewer meetings or heavier requests",
                    p.weight, admin_count[admin]
                )
            };
            log.note(
                Stage::Selection,
                vec![id.clone(), vendor.clone()],
                format!("{id} {line}."),
            );
        }
        if problem.pairs_of_admin[admin].is_empty() {
            log.note(
                Stage::Selection,
                vec![id.clone()],
                format!("{id} has no request that can be met (no shared free slot with any requested vendor)."),
            );
        }
    }
}
