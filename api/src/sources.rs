//! `/api/v1/sources`, `/api/v1/changes` and `/api/v1/review-queue`: the official sources, their
//! freshness, the history of what they changed, and the rows waiting for a supplier.

use chrono::{DateTime, Utc};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use registre_indexer::sources::runner::RunOutcome;
use registre_indexer::sources::service::{SourceStatus, Sources};
use registre_store::Store;
use registre_store::refresh::{ReviewItem, SourceRun};

use crate::ApiTags;
use crate::auth::AdminToken;
use crate::body::JsonBody;
use crate::cursor::{next_cursor, page_request};
use crate::inputs::SupplierInput;
use crate::problem::ApiError;
use crate::views::ChangeView;

pub struct SourcesApi {
    pub store: Store,
    pub sources: Sources,
}

#[derive(Debug, Clone, Object)]
pub struct RunView {
    pub id: i64,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// `running`, `applied`, `unchanged` or `failed`.
    pub outcome: String,
    /// The edition stamp as the source prints it.
    pub edition: Option<String>,
    pub edition_at: Option<DateTime<Utc>>,
    pub rows: Option<i32>,
    /// Number of changes the run applied.
    pub changes: Option<i32>,
    /// Why the run failed, for a maintainer.
    pub error: Option<String>,
}

impl From<SourceRun> for RunView {
    fn from(run: SourceRun) -> Self {
        Self {
            id: run.id,
            started_at: run.started_at,
            finished_at: run.finished_at,
            outcome: run.outcome,
            edition: run.edition,
            edition_at: run.edition_at,
            rows: run.rows,
            changes: run.changes,
            error: run.error,
        }
    }
}

#[derive(Debug, Clone, Object)]
pub struct SourceView {
    /// `anssi-catalogue`, ...
    pub id: String,
    pub url: String,
    pub interval_hours: f64,
    pub last_attempt: Option<RunView>,
    pub last_success: Option<RunView>,
    /// The edition the registry reflects.
    pub edition: Option<String>,
    /// True when the last success is older than 72 hours, or when there was none.
    pub stale: bool,
}

impl From<SourceStatus> for SourceView {
    fn from(status: SourceStatus) -> Self {
        Self {
            id: status.id.to_owned(),
            url: status.url,
            interval_hours: status.interval.as_secs_f64() / 3600.0,
            edition: status
                .last_success
                .as_ref()
                .and_then(|run| run.edition.clone()),
            last_attempt: status.last_attempt.map(RunView::from),
            last_success: status.last_success.map(RunView::from),
            stale: status.stale,
        }
    }
}

#[derive(Debug, Clone, Object)]
pub struct SourceList {
    pub items: Vec<SourceView>,
}

#[derive(Debug, Clone, Object)]
pub struct RefreshView {
    pub source: String,
    /// `applied`, `unchanged`, `failed`.
    pub outcome: String,
    pub rows: Option<i64>,
    pub changes: Option<i64>,
    pub queued_for_review: Option<i64>,
    pub error: Option<String>,
}

#[derive(ApiResponse)]
pub enum RefreshResponse {
    /// The run ended; a failed run changed nothing.
    #[oai(status = 200)]
    Done(Json<RefreshView>),
}

#[derive(Debug, Clone, Object)]
pub struct ChangeList {
    pub items: Vec<ChangeView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Object)]
pub struct ReviewView {
    pub id: i64,
    pub source: String,
    pub edition: Option<String>,
    /// The supplier as the source names it.
    pub supplier_name: String,
    /// The attestation key the row would get.
    pub identity: String,
    pub row: serde_json::Value,
    /// `open`, `linked` or `created`.
    pub status: String,
    pub supplier_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl From<ReviewItem> for ReviewView {
    fn from(item: ReviewItem) -> Self {
        Self {
            id: item.id,
            source: item.source_id,
            edition: item.edition,
            supplier_name: item.supplier_name,
            identity: item.identity,
            row: item.row,
            status: item.status,
            supplier_id: item.supplier_id,
            created_at: item.created_at,
        }
    }
}

#[derive(Debug, Clone, Object)]
pub struct ReviewList {
    pub items: Vec<ReviewView>,
}

#[derive(Debug, Clone, Object, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    /// The supplier the source's name designates; the name becomes one of its aliases.
    pub supplier_id: i64,
}

#[OpenApi(tag = "ApiTags::Sources")]
impl SourcesApi {
    /// Each official source with its last attempt, last success, edition and staleness.
    #[oai(path = "/sources", method = "get", operation_id = "list_sources")]
    async fn list(&self) -> Result<Json<SourceList>, ApiError> {
        let statuses = self.sources.status().await?;
        Ok(Json(SourceList {
            items: statuses.into_iter().map(SourceView::from).collect(),
        }))
    }

    /// Runs a source now (admin token). One run per source at a time, across instances.
    #[oai(
        path = "/sources/:id/refresh",
        method = "post",
        operation_id = "refresh_source"
    )]
    async fn refresh(
        &self,
        token: AdminToken,
        id: Path<String>,
    ) -> Result<RefreshResponse, ApiError> {
        token.actor(&self.store).await?;
        let outcome = self.sources.refresh(&id.0).await.ok_or_else(|| {
            ApiError::new(
                poem::http::StatusCode::NOT_FOUND,
                "unknown_source",
                format!(
                    "no source has id '{}' (known: {})",
                    id.0,
                    self.sources.ids().join(", ")
                ),
                Some("id"),
            )
        })?;
        let view = |outcome: &str| RefreshView {
            source: id.0.clone(),
            outcome: outcome.to_owned(),
            rows: None,
            changes: None,
            queued_for_review: None,
            error: None,
        };
        let view = match outcome {
            RunOutcome::Applied {
                rows,
                changes,
                queued_for_review,
            } => RefreshView {
                rows: Some(rows as i64),
                changes: Some(changes as i64),
                queued_for_review: Some(queued_for_review as i64),
                ..view("applied")
            },
            RunOutcome::Unchanged => view("unchanged"),
            RunOutcome::Failed { reason } => RefreshView {
                error: Some(reason),
                ..view("failed")
            },
            RunOutcome::AlreadyRunning => {
                return Err(ApiError::new(
                    poem::http::StatusCode::CONFLICT,
                    "already_running",
                    format!("a run of '{}' is in progress", id.0),
                    None,
                ));
            }
        };
        Ok(RefreshResponse::Done(Json(view)))
    }

    /// What the official sources changed, oldest first, in pages.
    #[oai(path = "/changes", method = "get", operation_id = "list_changes")]
    async fn changes(
        &self,
        /// Only changes seen at or after this instant (RFC 3339).
        since: Query<Option<DateTime<Utc>>>,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> Result<Json<ChangeList>, ApiError> {
        let page = self
            .store
            .list_changes(since.0, page_request(limit.0, cursor.0.as_deref())?)
            .await?;
        let next_cursor = next_cursor(&page);
        Ok(Json(ChangeList {
            items: page.items.into_iter().map(ChangeView::from).collect(),
            next_cursor,
        }))
    }

    /// Source rows that name no known supplier, waiting to be linked.
    #[oai(
        path = "/review-queue",
        method = "get",
        operation_id = "list_review_queue"
    )]
    async fn review_queue(&self) -> Result<Json<ReviewList>, ApiError> {
        let items = self.store.review_items(true).await?;
        Ok(Json(ReviewList {
            items: items.into_iter().map(ReviewView::from).collect(),
        }))
    }

    /// Links a queued row to an existing supplier (admin token).
    #[oai(
        path = "/review-queue/:id/link",
        method = "post",
        operation_id = "link_review_item"
    )]
    async fn link(
        &self,
        token: AdminToken,
        id: Path<i64>,
        body: JsonBody<LinkInput>,
    ) -> Result<Json<ReviewView>, ApiError> {
        let actor = token.actor(&self.store).await?;
        let item = self
            .store
            .link_review_item(id.0, body.0.supplier_id, &actor)
            .await?;
        Ok(Json(item.into()))
    }

    /// Creates the supplier a queued row names (admin token).
    #[oai(
        path = "/review-queue/:id/create",
        method = "post",
        operation_id = "create_from_review_item"
    )]
    async fn create(
        &self,
        token: AdminToken,
        id: Path<i64>,
        body: JsonBody<SupplierInput>,
    ) -> Result<Json<ReviewView>, ApiError> {
        let actor = token.actor(&self.store).await?;
        let (key, data) = body.0.into_domain()?;
        let (item, _) = self
            .store
            .create_from_review_item(id.0, key, data, &actor)
            .await?;
        Ok(Json(item.into()))
    }
}
