//! Step (a): which pairs meet. A linear programme over the requested pairs that maximises, in this
//! order, the fairness of the meeting counts across administrations and then the total weight, under
//! the administration caps, the vendor caps and the room's capacity.
//!
//! The model is a network flow (source → administration → pair → vendor → room), so its constraint
//! matrix is totally unimodular and the simplex vertex microlp returns is already 0/1: no branch and
//! bound is needed.
//!
//! Availability enters through one more family of rows: for each participant and each slot set `S`
//! among the single slots and the sessions, the pairs that can only meet inside `S` fit in the
//! participant's seats there. For one participant these sets are nested or disjoint (a laminar
//! family), and the administrations' rows and the vendors' rows form two laminar families, which keeps
//! the matrix totally unimodular. Without them, two morning-only administrations could both be given
//! the same vendor's single morning seat.
//!
//! Fairness is encoded with decreasing rewards for an administration's 1st, 2nd, … meeting. A strictly
//! concave reward over a flow polytope is maximised exactly by the "decreasingly minimal" count vector
//! (Frank & Murota, discrete decreasing minimisation), i.e. first as many administrations with one
//! meeting as possible, then with two, and so on. Each reward step is larger than any total weight, so
//! weight only breaks ties between equally fair selections.

use good_lp::{
    Expression, ProblemVariables, ResolutionError, Solution, SolverModel, Variable, microlp,
    variable,
};

use super::problem::Problem;

/// What the selection must respect on top of the instance.
#[derive(Debug, Clone, Default)]
pub(crate) struct SelectionInput {
    /// Pairs that must be selected (meetings kept in place by a reschedule).
    pub forced: Vec<usize>,
    /// Pairs that must not be selected (pairs the timetable could not place).
    pub excluded: Vec<bool>,
    /// Order in which pairs enter the model: ties between equally good selections go to the pair that
    /// comes first, so a seeded order makes the tie-breaking public and reproducible.
    pub order: Vec<usize>,
    /// Extra reward per pair, below one weight unit in total (prefers previous pairs on reschedule).
    pub preference: Vec<f64>,
    /// Total meetings allowed (the room's capacity).
    pub capacity: usize,
}

/// The solver gave up on the pair-selection model (it is always feasible, so this means a numerical
/// failure inside microlp).
#[derive(Debug, Clone, thiserror::Error)]
#[error("the pair-selection model could not be solved")]
pub struct SelectionError(#[source] pub ResolutionError);

/// The chosen pairs, in increasing order, and how many LP values were not 0 or 1 (always 0 for a
/// totally unimodular model solved exactly; reported rather than assumed).
#[derive(Debug, Clone)]
pub(crate) struct Selection {
    pub pairs: Vec<usize>,
    pub fractional: usize,
}

pub(crate) fn select_pairs(
    problem: &Problem,
    input: &SelectionInput,
) -> Result<Selection, SelectionError> {
    let pair_count = problem.pairs.len();
    let allowed = |pair: usize| !input.excluded.get(pair).copied().unwrap_or(false);
    let max_cap = problem.admin_cap.iter().copied().max().unwrap_or(0) as f64;
    // Any total weight is below `step`, so one more unit of fairness always wins.
    let mut weights: Vec<u32> = (0..pair_count)
        .filter(|&pair| allowed(pair))
        .map(|pair| problem.pairs[pair].weight)
        .collect();
    weights.sort_unstable_by(|a, b| b.cmp(a));
    let weight_ceiling: f64 = weights
        .iter()
        .take(input.capacity)
        .map(|&w| f64::from(w))
        .sum();
    let step = weight_ceiling + 2.0;

    let mut forced = vec![false; pair_count];
    for &pair in &input.forced {
        forced[pair] = true;
    }
    let mut variables = ProblemVariables::new();
    let mut pair_var: Vec<Option<Variable>> = vec![None; pair_count];
    let mut objective = Expression::default();
    for &pair in &input.order {
        if !allowed(pair) {
            continue;
        }
        let lower = if forced[pair] { 1 } else { 0 };
        let var = variables.add(variable().min(lower).max(1));
        let bonus = input.preference.get(pair).copied().unwrap_or(0.0);
        objective += (f64::from(problem.pairs[pair].weight) + bonus) * var;
        pair_var[pair] = Some(var);
    }
    let mut level_vars: Vec<Vec<Variable>> = Vec::with_capacity(problem.admin_ids.len());
    for admin in 0..problem.admin_ids.len() {
        let levels: Vec<Variable> = (1..=problem.admin_cap[admin])
            .map(|level| {
                let var = variables.add(variable().min(0).max(1));
                objective += step * (max_cap - f64::from(level) + 1.0) * var;
                var
            })
            .collect();
        level_vars.push(levels);
    }

    let mut model = variables.maximise(objective).using(microlp);
    for (pairs, levels) in problem.pairs_of_admin.iter().zip(&level_vars) {
        let meetings: Expression = pairs.iter().filter_map(|&pair| pair_var[pair]).sum();
        let levels: Expression = levels.iter().copied().sum();
        model = model.with(meetings.eq(levels));
    }
    for vendor in 0..problem.vendor_ids.len() {
        let meetings: Vec<Variable> = problem.pairs_of_vendor[vendor]
            .iter()
            .filter_map(|&pair| pair_var[pair])
            .collect();
        if meetings.len() as u32 > problem.vendor_cap[vendor] {
            let sum: Expression = meetings.into_iter().sum();
            model = model.with(sum.leq(f64::from(problem.vendor_cap[vendor])));
        }
    }
    let windows: Vec<super::problem::SlotSet> = (0..problem.slots)
        .map(|slot| 1 << slot)
        .chain(problem.sessions.iter().copied())
        .collect();
    let sides = [
        (
            &problem.pairs_of_admin,
            &problem.admin_free,
            &problem.admin_reps,
        ),
        (
            &problem.pairs_of_vendor,
            &problem.vendor_free,
            &problem.vendor_reps,
        ),
    ];
    for (pairs_of, free, reps) in sides {
        for (participant, pairs) in pairs_of.iter().enumerate() {
            for &window in &windows {
                let inside: Vec<Variable> = pairs
                    .iter()
                    .filter(|&&pair| problem.pairs[pair].common & !window == 0)
                    .filter_map(|&pair| pair_var[pair])
                    .collect();
                let seats = reps[participant] * (free[participant] & window).count_ones();
                if inside.len() as u32 > seats {
                    let sum: Expression = inside.into_iter().sum();
                    model = model.with(sum.leq(f64::from(seats)));
                }
            }
        }
    }
    let all: Expression = pair_var.iter().flatten().copied().sum();
    model = model.with(all.leq(input.capacity as f64));

    let solution = model.solve().map_err(SelectionError)?;
    let values: Vec<Option<f64>> = pair_var
        .iter()
        .map(|var| var.map(|var| solution.value(var)))
        .collect();
    let fractional = values
        .iter()
        .flatten()
        .filter(|&&value| (1e-6..1.0 - 1e-6).contains(&value))
        .count();
    Ok(Selection {
        pairs: (0..pair_count)
            .filter(|&pair| values[pair].is_some_and(|value| value > 0.5))
            .collect(),
        fractional,
    })
}
