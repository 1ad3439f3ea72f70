//! One run of a source: fetch → parse → validate → diff and apply → record. A run that fails at
//! any step changes nothing and is recorded as failed with its reason; the data already kept goes
//! on being served.

use chrono::{NaiveDate, TimeZone, Utc};
use registre_domain::observation::Edition;
use registre_store::Store;
use registre_store::refresh::RunEnd;

use super::contract::{Source, SourceConfig};
use super::fetch::{Fetched, Fetcher, Validators};

/// An edition with fewer rows than this share of the last applied one is taken for a broken feed.
const MIN_ROW_SHARE: f64 = 0.5;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunOutcome {
    Applied {
        rows: usize,
        changes: usize,
        queued_for_review: usize,
    },
    /// HTTP 304, or the same edition as the last one applied.
    Unchanged,
    Failed {
        reason: String,
    },
    /// Another run of this source is in progress (here or in another instance).
    AlreadyRunning,
}

impl RunOutcome {
    pub fn succeeded(&self) -> bool {
        matches!(self, RunOutcome::Applied { .. } | RunOutcome::Unchanged)
    }
}

/// Runs `source` once against `config.url`.
pub async fn run(
    store: &Store,
    fetcher: &Fetcher,
    source: &dyn Source,
    config: &SourceConfig,
    today: NaiveDate,
) -> RunOutcome {
    let mut lock = match store.lock_source(source.id()).await {
        Ok(Some(lock)) => lock,
        Ok(None) => return RunOutcome::AlreadyRunning,
        Err(error) => {
            return RunOutcome::Failed {
                reason: format!("cannot take the run lock: {error}"),
            };
        }
    };
    let run_id = match store.start_run(source.id()).await {
        Ok(id) => id,
        Err(error) => {
            return RunOutcome::Failed {
                reason: format!("cannot record the run: {error}"),
            };
        }
    };
    let (outcome, end) = attempt(store, fetcher, source, config, today, &mut lock).await;
    drop(lock);
    if let Err(error) = store.finish_run(run_id, end).await {
        tracing::error!(source = source.id(), %error, "cannot record the end of a run");
    }
    match &outcome {
        RunOutcome::Failed { reason } => {
            tracing::warn!(source = source.id(), %reason, "source run failed")
        }
        other => tracing::info!(source = source.id(), outcome = ?other, "source run finished"),
    }
    outcome
}

fn failed(reason: String, end: RunEnd) -> (RunOutcome, RunEnd) {
    (
        RunOutcome::Failed {
            reason: reason.clone(),
        },
        RunEnd {
            outcome: "failed",
            error: Some(reason),
            ..end
        },
    )
}

async fn attempt(
    store: &Store,
    fetcher: &Fetcher,
    source: &dyn Source,
    config: &SourceConfig,
    today: NaiveDate,
    lock: &mut registre_store::refresh::SourceLock,
) -> (RunOutcome, RunEnd) {
    let previous = match store.last_applied(source.id()).await {
        Ok(previous) => previous,
        Err(error) => {
            return failed(
                format!("cannot read the previous runs: {error}"),
                RunEnd::default(),
            );
        }
    };
    let validators = match store.last_success(source.id()).await {
        Ok(Some(run)) => Validators {
            etag: run.etag,
            last_modified: run.last_modified,
        },
        _ => Validators::default(),
    };
    let (bytes, content_type, validators) = match fetcher.fetch(&config.url, &validators).await {
        Ok(Fetched::NotModified) => {
            return (
                RunOutcome::Unchanged,
                RunEnd {
                    outcome: "unchanged",
                    edition: previous.as_ref().and_then(|p| p.edition.clone()),
                    edition_at: previous.as_ref().and_then(|p| p.edition_at),
                    etag: validators.etag,
                    last_modified: validators.last_modified,
                    ..Default::default()
                },
            );
        }
        Ok(Fetched::Body {
            bytes,
            content_type,
            validators,
        }) => (bytes, content_type, validators),
        Err(error) => return failed(format!("fetch {}: {error}", config.url), RunEnd::default()),
    };
    let end = RunEnd {
        etag: validators.etag.clone(),
        last_modified: validators.last_modified.clone(),
        ..Default::default()
    };
    if let Err(reason) = source.check_body(content_type.as_deref(), &bytes) {
        return failed(format!("unexpected body: {reason}"), end);
    }
    let edition = match source.parse(&bytes) {
        Ok(edition) => edition,
        Err(reason) => return failed(format!("layout not recognised: {reason}"), end),
    };
    let edition_at = Utc.from_utc_datetime(&edition.published_at);
    let end = RunEnd {
        edition: Some(edition.label.clone()),
        edition_at: Some(edition_at),
        rows: Some(edition.observations.len() as i32),
        ..end
    };
    if let Err(reason) = validate(&edition, previous.as_ref()) {
        return failed(reason, end);
    }
    if previous.as_ref().and_then(|p| p.edition_at) == Some(edition_at) {
        return (
            RunOutcome::Unchanged,
            RunEnd {
                outcome: "unchanged",
                ..end
            },
        );
    }
    match lock.apply(&edition, today).await {
        Ok(report) => (
            RunOutcome::Applied {
                rows: report.rows,
                changes: report.changes.len(),
                queued_for_review: report.queued_for_review,
            },
            RunEnd {
                outcome: "applied",
                changes: Some(report.changes.len() as i32),
                ..end
            },
        ),
        Err(error) => failed(
            format!("applying the edition failed, nothing was changed: {error}"),
            end,
        ),
    }
}

/// Refuses editions that look broken rather than new: empty, far shorter, or older than the last.
fn validate(
    edition: &Edition,
    previous: Option<&registre_store::refresh::SourceRun>,
) -> Result<(), String> {
    if edition.observations.is_empty() {
        return Err(format!("the edition of {} has no rows", edition.label));
    }
    let Some(previous) = previous else {
        return Ok(());
    };
    if let Some(previous_rows) = previous.rows
        && (edition.observations.len() as f64) < f64::from(previous_rows) * MIN_ROW_SHARE
    {
        return Err(format!(
            "the edition of {} has {} rows, far fewer than the {} of the last applied edition ({}): a partial feed is not applied",
            edition.label,
            edition.observations.len(),
            previous_rows,
            previous.edition.as_deref().unwrap_or("?")
        ));
    }
    if let Some(previous_at) = previous.edition_at
        && Utc.from_utc_datetime(&edition.published_at) < previous_at
    {
        return Err(format!(
            "the edition of {} is older than the last applied one ({}): not applied",
            edition.label,
            previous.edition.as_deref().unwrap_or("?")
        ));
    }
    Ok(())
}
