//! The benchmark: Registre's scheduler beside the two baselines on one instance, as one JSON line.
//!
//! The `registre schedule-bench --instance FILE [--out FILE] [--seed N]` subcommand is two lines:
//! `let line = schedule_bench_file(&instance, out.as_deref(), seed)?; println!("{line}");`
//! (or hand the raw arguments to [`run_cli`]).

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use crate::baselines;
use crate::checker;
use crate::generator::{self, Scale, UnknownScale};
use crate::instance::{FormatError, Instance, Schedule};
use crate::metrics::{self, EvenSpreadBound};
use crate::scheduler::{self, ScheduleError};

/// The figures of one algorithm on one instance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlgorithmFigures {
    pub meetings: usize,
    pub weighted: u64,
    pub admins_zero: usize,
    /// Jain's index over administrations, rounded to 3 decimals as the script does.
    pub jain: Option<f64>,
    pub idle_gaps: u64,
    /// Wall-clock time of the algorithm alone (not of reading or checking).
    pub seconds: f64,
    pub mean_per_admin: Option<f64>,
    /// `weighted` as a percentage of the even-spread bound, 2 decimals.
    pub bound_pct: f64,
    /// Rule violations the checker found (0 for a valid schedule).
    pub violations: usize,
}

/// One benchmark line: Registre's figures at the top level, the baselines under their names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchLine {
    pub scale: String,
    pub instance_seed: u64,
    /// The published seed given to Registre's scheduler.
    pub seed: u64,
    pub administrations: usize,
    pub vendors: usize,
    pub requests: usize,
    pub mutual_requests: usize,
    pub capacity: usize,
    #[serde(flatten)]
    pub registre: AlgorithmFigures,
    /// The even-spread bound on the total weight (see [`metrics::even_spread_bound`]).
    pub bound: u64,
    pub bound_meetings: usize,
    pub greedy: AlgorithmFigures,
    pub round_robin: AlgorithmFigures,
}

impl BenchLine {
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).expect("a bench line always serialises")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error(transparent)]
    Format(#[from] FormatError),
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    #[error(transparent)]
    Scale(#[from] UnknownScale),
    #[error("{0}")]
    Usage(String),
}

fn figures(
    instance: &Instance,
    schedule: &Schedule,
    seconds: f64,
    bound: &EvenSpreadBound,
) -> AlgorithmFigures {
    let figures = metrics::metrics(instance, schedule);
    let bound_pct = if bound.weight == 0 {
        0.0
    } else {
        metrics::round_like_python(100.0 * figures.weighted as f64 / bound.weight as f64, 2)
    };
    AlgorithmFigures {
        meetings: figures.meetings,
        weighted: figures.weighted,
        admins_zero: figures.admins_zero,
        jain: figures.jain,
        idle_gaps: figures.idle_gaps,
        seconds: metrics::round_like_python(seconds, 4),
        mean_per_admin: figures.mean_per_admin,
        bound_pct,
        violations: checker::check(instance, schedule).len(),
    }
}

fn timed<T>(run: impl FnOnce() -> T) -> (T, f64) {
    let started = Instant::now();
    let value = run();
    (value, started.elapsed().as_secs_f64())
}

/// Runs the scheduler and both baselines; returns the line and Registre's schedule.
pub fn schedule_bench_with_schedule(
    instance: &Instance,
    seed: u64,
) -> Result<(BenchLine, Schedule), BenchError> {
    let bound = metrics::even_spread_bound(instance);
    let (outcome, seconds) = timed(|| scheduler::schedule(instance, seed));
    let schedule = outcome?.schedule;
    let (greedy, greedy_seconds) = timed(|| baselines::greedy(instance));
    let (round_robin, round_robin_seconds) = timed(|| baselines::round_robin(instance));
    let overall = metrics::metrics(instance, &schedule);
    let line = BenchLine {
        scale: instance.params.scale.clone(),
        instance_seed: instance.params.seed,
        seed,
        administrations: instance.administrations.len(),
        vendors: instance.vendors.len(),
        requests: overall.requests,
        mutual_requests: overall.mutual_requests,
        capacity: overall.capacity,
        registre: figures(instance, &schedule, seconds, &bound),
        bound: bound.weight,
        bound_meetings: bound.meetings,
        greedy: figures(instance, &greedy, greedy_seconds, &bound),
        round_robin: figures(instance, &round_robin, round_robin_seconds, &bound),
    };
    Ok((line, schedule))
}

/// Registre's scheduler and both baselines on one instance. (A `Result`, not a bare line: the
/// scheduler refuses days of more than 64 slots and reports a solver failure rather than guess.)
pub fn schedule_bench(instance: &Instance, seed: u64) -> Result<BenchLine, BenchError> {
    schedule_bench_with_schedule(instance, seed).map(|(line, _)| line)
}

/// Reads the instance, runs the benchmark, writes Registre's schedule to `out` (a JSON list of
/// `{"admin","vendor","slot","table"}`) when given, and returns the JSON line.
pub fn schedule_bench_file(
    instance_path: &Path,
    out: Option<&Path>,
    seed: u64,
) -> Result<String, BenchError> {
    let instance = Instance::read(instance_path)?;
    bench_instance(&instance, out, seed)
}

fn bench_instance(
    instance: &Instance,
    out: Option<&Path>,
    seed: u64,
) -> Result<String, BenchError> {
    let (line, schedule) = schedule_bench_with_schedule(instance, seed)?;
    if let Some(out) = out {
        schedule.write(out)?;
    }
    Ok(line.to_json_line())
}

/// The default published seed.
pub const DEFAULT_SEED: u64 = 42;

/// `schedule-bench` arguments: `--instance FILE` or `--scale S|M|M60|L [--instance-seed N]` (an
/// instance from the Rust generator, by default with the scheduler's seed), `[--out FILE]`,
/// `[--seed N]` (default 42). Returns the JSON line.
pub fn run_cli(args: &[String]) -> Result<String, BenchError> {
    let mut instance_path: Option<PathBuf> = None;
    let mut scale: Option<Scale> = None;
    let mut instance_seed: Option<u64> = None;
    let mut out: Option<PathBuf> = None;
    let mut seed = DEFAULT_SEED;
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let mut value = || {
            rest.next()
                .ok_or_else(|| BenchError::Usage(format!("{flag} needs a value")))
        };
        let number = |text: &String| {
            text.parse::<u64>()
                .map_err(|_| BenchError::Usage(format!("{flag} expects a number, not {text:?}")))
        };
        match flag.as_str() {
            "--instance" => instance_path = Some(PathBuf::from(value()?)),
            "--scale" => scale = Some(value()?.parse()?),
            "--instance-seed" => instance_seed = Some(number(value()?)?),
            "--out" => out = Some(PathBuf::from(value()?)),
            "--seed" => seed = number(value()?)?,
            other => {
                return Err(BenchError::Usage(format!(
                    "unknown argument {other:?}; usage: --instance FILE | --scale S|M|M60|L [--instance-seed N], [--out FILE] [--seed N]"
                )));
            }
        }
    }
    match (instance_path, scale) {
        (Some(path), None) => schedule_bench_file(&path, out.as_deref(), seed),
        (None, Some(scale)) => {
            let instance = generator::generate(scale, instance_seed.unwrap_or(seed));
            bench_instance(&instance, out.as_deref(), seed)
        }
        _ => Err(BenchError::Usage(
            "give exactly one of --instance FILE or --scale S|M|M60|L".to_owned(),
        )),
    }
}
