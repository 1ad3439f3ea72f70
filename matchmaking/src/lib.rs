//! Matchmaking days: instances, the meeting scheduler, its checker and its benchmark.
//!
//! At a matchmaking day administrations (buyers) and vendors meet 1:1 in time slots at tables. This
//! crate reads and writes the shared benchmark format ([`instance`]), generates instances
//! ([`generator`]), checks schedules against the hard rules ([`checker`]), measures them the way the
//! shared script does ([`metrics`]), runs the script's two baselines ([`baselines`]) and Registre's
//! optimiser ([`scheduler`]), and puts them side by side ([`bench`]).

pub mod baselines;
pub mod bench;
pub mod checker;
pub mod generator;
pub mod instance;
pub mod metrics;
pub mod scheduler;
pub mod spec;

pub use bench::{BenchLine, schedule_bench, schedule_bench_file};
pub use checker::{Violation, check, verify};
pub use instance::{Instance, Meeting, Schedule};
pub use metrics::{Metrics, even_spread_bound, metrics};
pub use scheduler::{RescheduleOutcome, ScheduleOutcome, reschedule, schedule};
