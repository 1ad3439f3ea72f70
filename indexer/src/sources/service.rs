//! The sources as the process runs them: configured from the environment, refreshed on demand
//! (CLI, API) or on a schedule with jitter, and reported with their freshness.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;
use registre_store::Store;
use registre_store::refresh::SourceRun;

use super::contract::{self, Source, SourceConfig};
use super::fetch::{FetchPolicy, Fetcher};
use super::runner::{self, RunOutcome};

/// A source is stale when its last success is older than this (or when it never succeeded);
/// `REGISTRE_SOURCES_STALE_AFTER_HOURS` changes it.
pub const DEFAULT_STALE_AFTER: Duration = Duration::from_secs(72 * 3600);

struct Entry {
    source: Box<dyn Source>,
    config: SourceConfig,
}

struct Inner {
    store: Store,
    fetcher: Fetcher,
    entries: Vec<Entry>,
    stale_after: Duration,
    /// How many runs applied an edition since start: followers (the open-data dump) wait on it.
    applied: tokio::sync::watch::Sender<u64>,
}

/// Every configured source; cheap to clone.
#[derive(Clone)]
pub struct Sources {
    inner: Arc<Inner>,
}

/// What `GET /api/v1/sources` says of one source.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceStatus {
    pub id: &'static str,
    pub url: String,
    pub interval: Duration,
    pub last_attempt: Option<SourceRun>,
    pub last_success: Option<SourceRun>,
    pub stale: bool,
}

impl Sources {
    /// Reads each source's URL and interval from `REGISTRE_SOURCE_<ID>_*`.
    pub fn from_env(store: Store, policy: FetchPolicy) -> Result<Self, String> {
        let entries = contract::all()
            .into_iter()
            .map(|source| {
                let config = SourceConfig::from_env(source.as_ref())?;
                Ok(Entry { source, config })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Self::build(store, policy, entries)
    }

    /// Sources with explicit configurations (tests, tools).
    pub fn with_configs(
        store: Store,
        policy: FetchPolicy,
        configs: Vec<SourceConfig>,
    ) -> Result<Self, String> {
        let entries = configs
            .into_iter()
            .map(|config| {
                let source = contract::find(config.id)
                    .ok_or_else(|| format!("unknown source '{}'", config.id))?;
                Ok(Entry { source, config })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Self::build(store, policy, entries)
    }

    fn build(store: Store, policy: FetchPolicy, entries: Vec<Entry>) -> Result<Self, String> {
        let fetcher = Fetcher::new(policy).map_err(|e| e.to_string())?;
        Ok(Self {
            inner: Arc::new(Inner {
                store,
                fetcher,
                entries,
                stale_after: stale_after_from_env()?,
                applied: tokio::sync::watch::Sender::new(0),
            }),
        })
    }

    pub fn ids(&self) -> Vec<&'static str> {
        self.inner.entries.iter().map(|e| e.config.id).collect()
    }

    fn entry(&self, id: &str) -> Option<&Entry> {
        self.inner.entries.iter().find(|e| e.config.id == id)
    }

    /// Runs one source now; `None` when no source has that id.
    pub async fn refresh(&self, id: &str) -> Option<RunOutcome> {
        let entry = self.entry(id)?;
        let today = Utc::now().date_naive();
        let outcome = runner::run(
            &self.inner.store,
            &self.inner.fetcher,
            entry.source.as_ref(),
            &entry.config,
            today,
        )
        .await;
        if matches!(outcome, RunOutcome::Applied { .. }) {
            self.inner.applied.send_modify(|count| *count += 1);
        }
        Some(outcome)
    }

    /// Changes (to the number of runs that applied an edition since start) after every run that
    /// applied one, whoever asked for it (schedule, API, CLI); failed and unchanged runs leave it be.
    pub fn applied_runs(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.applied.subscribe()
    }

    pub async fn status(&self) -> Result<Vec<SourceStatus>, registre_store::StoreError> {
        let mut statuses = Vec::new();
        for entry in &self.inner.entries {
            let id = entry.config.id;
            let last_attempt = self.inner.store.runs(id, 1).await?.into_iter().next();
            let last_success = self.inner.store.last_success(id).await?;
            let stale = last_success
                .as_ref()
                .and_then(|run| run.finished_at)
                .is_none_or(|at| age(at) > self.inner.stale_after);
            statuses.push(SourceStatus {
                id,
                url: entry.config.url.clone(),
                interval: entry.config.interval,
                last_attempt,
                last_success,
                stale,
            });
        }
        Ok(statuses)
    }

    /// Refreshes every source on its interval, with ±10% jitter so instances and sources spread
    /// out, until `shutdown` fires.
    pub fn spawn_schedule(
        &self,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        let sources = self.clone();
        tokio::spawn(async move {
            let mut tasks = Vec::new();
            for entry in &sources.inner.entries {
                let sources = sources.clone();
                let id = entry.config.id;
                let interval = entry.config.interval;
                let mut stop = shutdown.clone();
                tasks.push(tokio::spawn(async move {
                    loop {
                        let wait = sources.next_wait(id, interval).await;
                        tokio::select! {
                            () = tokio::time::sleep(wait) => {}
                            _ = stop.changed() => return,
                        }
                        sources.refresh(id).await;
                    }
                }));
            }
            let _ = shutdown.changed().await;
            for task in tasks {
                task.abort();
            }
        })
    }

    async fn next_wait(&self, id: &str, interval: Duration) -> Duration {
        let jitter = |d: Duration| d.mul_f64(rand::rng().random_range(0.9..1.1));
        let last = self
            .inner
            .store
            .runs(id, 1)
            .await
            .ok()
            .and_then(|runs| runs.into_iter().next());
        match last {
            // Never tried: soon after start, spread over the first minutes.
            None => Duration::from_secs(rand::rng().random_range(30..300)),
            Some(run) => jitter(interval).saturating_sub(age(run.started_at)),
        }
    }
}

/// `REGISTRE_SOURCES_STALE_AFTER_HOURS` over the 72-hour default.
fn stale_after_from_env() -> Result<Duration, String> {
    const VARIABLE: &str = "REGISTRE_SOURCES_STALE_AFTER_HOURS";
    match std::env::var(VARIABLE) {
        Err(_) => Ok(DEFAULT_STALE_AFTER),
        Ok(hours) => match hours.parse::<f64>() {
            Ok(h) if h > 0.0 && h <= 24.0 * 365.0 => Ok(Duration::from_secs_f64(h * 3600.0)),
            _ => Err(format!(
                "{VARIABLE}: '{hours}' is not a number of hours between 0 and 8760"
            )),
        },
    }
}

fn age(at: DateTime<Utc>) -> Duration {
    (Utc::now() - at).to_std().unwrap_or_default()
}
