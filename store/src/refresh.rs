//! Applying an edition of an official source: resolve each row to a supplier (or queue it for
//! review), match it to a known attestation by decision or key, record every change as an event,
//! mark what the edition no longer lists as absent — all in one transaction, under a per-source lock.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use registre_domain::model::{AttestationData, Key, OfferData, Provenance, Record, SupplierData};
use registre_domain::observation::{Edition, Observation, normalise_name};
use registre_domain::taxonomy::{Confidence, Status, Verification, Vocabulary};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement, TransactionTrait,
};
use serde::Serialize;

use crate::Store;
use crate::aggregate::{self, Written};
use crate::codec::{attestation_from_row, supplier_from_row, to_json};
use crate::entities::{attestation, change, offer, review_item, source_run, supplier};
use crate::error::StoreError;
use crate::page::{Page, PageRequest};

/// One event of a source's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub id: i64,
    pub seen_at: DateTime<Utc>,
    pub source_id: String,
    pub edition: Option<String>,
    /// `added`, `renamed`, `dates_changed`, `recommendation_changed`, `status_changed`, `verified`,
    /// `expired`, `absent` or `back`.
    pub kind: String,
    pub attestation_id: Option<i64>,
    pub offer_id: Option<i64>,
    pub supplier_id: Option<i64>,
    pub summary_fr: String,
    pub summary_en: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

fn change_from_row(row: change::Model) -> Change {
    Change {
        id: row.id,
        seen_at: row.seen_at,
        source_id: row.source_id,
        edition: row.edition,
        kind: row.kind,
        attestation_id: row.attestation_id,
        offer_id: row.offer_id,
        supplier_id: row.supplier_id,
        summary_fr: row.summary_fr,
        summary_en: row.summary_en,
        before: row.before.and_then(|t| serde_json::from_str(&t).ok()),
        after: row.after.and_then(|t| serde_json::from_str(&t).ok()),
    }
}

/// One attempt to refresh a source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceRun {
    pub id: i64,
    pub source_id: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// `running`, `applied`, `unchanged` (nothing new, e.g. HTTP 304) or `failed`.
    pub outcome: String,
    pub edition: Option<String>,
    pub edition_at: Option<DateTime<Utc>>,
    pub rows: Option<i32>,
    pub changes: Option<i32>,
    pub error: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

fn run_from_row(row: source_run::Model) -> SourceRun {
    SourceRun {
        id: row.id,
        source_id: row.source_id,
        started_at: row.started_at,
        finished_at: row.finished_at,
        outcome: row.outcome,
        edition: row.edition,
        edition_at: row.edition_at,
        rows: row.rows,
        changes: row.changes,
        error: row.error,
        etag: row.etag,
        last_modified: row.last_modified,
    }
}

/// How a run ended, to be recorded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunEnd {
    pub outcome: &'static str,
    pub edition: Option<String>,
    pub edition_at: Option<DateTime<Utc>>,
    pub rows: Option<i32>,
    pub changes: Option<i32>,
    pub error: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A source row that resolved to no supplier, waiting for someone to link it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewItem {
    pub id: i64,
    pub source_id: String,
    pub edition: Option<String>,
    pub supplier_name: String,
    /// The attestation key the row would get.
    pub identity: String,
    pub row: serde_json::Value,
    /// `open`, `linked` or `created`.
    pub status: String,
    pub supplier_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}

fn review_from_row(row: review_item::Model) -> ReviewItem {
    ReviewItem {
        id: row.id,
        source_id: row.source_id,
        edition: row.edition,
        supplier_name: row.supplier_name,
        identity: row.identity,
        row: serde_json::from_str(&row.row).unwrap_or_default(),
        status: row.status,
        supplier_id: row.supplier_id,
        created_at: row.created_at,
        resolved_at: row.resolved_at,
    }
}

/// What applying an edition did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ApplyReport {
    pub rows: usize,
    pub changes: Vec<(String, String)>,
    pub queued_for_review: usize,
}

/// Held while a source runs: no other run of that source starts, in this process or (on
/// PostgreSQL, through an advisory lock) in any other instance sharing the database.
pub struct SourceLock {
    store: Store,
    source: String,
    txn: Option<DatabaseTransaction>,
}

impl Drop for SourceLock {
    fn drop(&mut self) {
        if let Ok(mut running) = self.store.running.lock() {
            running.remove(&self.source);
        }
    }
}

#[derive(Serialize)]
struct ObservedRow<'a> {
    scheme: &'a str,
    supplier_name: &'a str,
    service_name: Option<&'a str>,
    valid_from: Option<NaiveDate>,
    valid_until: Option<NaiveDate>,
    decision: Option<String>,
    reference: &'a str,
}

struct Context<'a> {
    source: &'a str,
    edition: &'a Edition,
    actor: String,
    now: DateTime<Utc>,
    report: ApplyReport,
}

impl Context<'_> {
    #[allow(clippy::too_many_arguments)]
    async fn record(
        &mut self,
        txn: &DatabaseTransaction,
        kind: &str,
        attestation: &Record<AttestationData>,
        summary_fr: String,
        summary_en: String,
        before: Option<String>,
        after: Option<String>,
    ) -> Result<(), StoreError> {
        let row = change::ActiveModel {
            id: NotSet,
            seen_at: Set(self.now),
            source_id: Set(self.source.to_owned()),
            edition: Set(Some(self.edition.label.clone())),
            kind: Set(kind.to_owned()),
            attestation_id: Set(Some(attestation.id)),
            offer_id: Set(attestation.data.offer_id),
            supplier_id: Set(Some(attestation.data.supplier_id)),
            summary_fr: Set(summary_fr),
            summary_en: Set(summary_en.clone()),
            before: Set(before),
            after: Set(after),
        };
        change::Entity::insert(row).exec(txn).await?;
        self.report.changes.push((kind.to_owned(), summary_en));
        Ok(())
    }
}

fn day(date: Option<NaiveDate>) -> String {
    date.map_or_else(|| "—".to_owned(), |d| d.format("%d/%m/%Y").to_string())
}

impl Store {
    /// Takes the run lock of `source`, or `None` when a run of it is already in progress.
    pub async fn lock_source(&self, source: &str) -> Result<Option<SourceLock>, StoreError> {
        {
            let mut running = self
                .running
                .lock()
                .expect("the run registry is never poisoned");
            if !running.insert(source.to_owned()) {
                return Ok(None);
            }
        }
        let mut lock = SourceLock {
            store: self.clone(),
            source: source.to_owned(),
            txn: None,
        };
        if self.db.get_database_backend() == DbBackend::Postgres {
            // A transaction-scoped advisory lock: released at commit or rollback, even if the
            // process dies, so a crashed instance never blocks the others.
            let txn = self.db.begin().await?;
            let row = txn
                .query_one_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked",
                    [format!("registre-source:{source}").into()],
                ))
                .await?;
            let locked = row
                .and_then(|r| r.try_get::<bool>("", "locked").ok())
                .unwrap_or(false);
            if !locked {
                return Ok(None);
            }
            lock.txn = Some(txn);
        }
        Ok(Some(lock))
    }

    pub async fn start_run(&self, source: &str) -> Result<i64, StoreError> {
        let row = source_run::ActiveModel {
            id: NotSet,
            source_id: Set(source.to_owned()),
            started_at: Set(Utc::now()),
            finished_at: Set(None),
            outcome: Set("running".into()),
            edition: Set(None),
            edition_at: Set(None),
            rows: Set(None),
            changes: Set(None),
            error: Set(None),
            etag: Set(None),
            last_modified: Set(None),
        };
        Ok(source_run::Entity::insert(row)
            .exec(&self.db)
            .await?
            .last_insert_id)
    }

    pub async fn finish_run(&self, id: i64, end: RunEnd) -> Result<(), StoreError> {
        let row = source_run::ActiveModel {
            id: Set(id),
            finished_at: Set(Some(Utc::now())),
            outcome: Set(end.outcome.to_owned()),
            edition: Set(end.edition),
            edition_at: Set(end.edition_at),
            rows: Set(end.rows),
            changes: Set(end.changes),
            error: Set(end.error),
            etag: Set(end.etag),
            last_modified: Set(end.last_modified),
            ..Default::default()
        };
        source_run::Entity::update(row).exec(&self.db).await?;
        Ok(())
    }

    /// The latest runs of a source, newest first.
    pub async fn runs(&self, source: &str, limit: u64) -> Result<Vec<SourceRun>, StoreError> {
        Ok(source_run::Entity::find()
            .filter(source_run::Column::SourceId.eq(source))
            .order_by_desc(source_run::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(run_from_row)
            .collect())
    }

    /// The latest run that applied an edition (or found nothing new).
    pub async fn last_success(&self, source: &str) -> Result<Option<SourceRun>, StoreError> {
        Ok(source_run::Entity::find()
            .filter(source_run::Column::SourceId.eq(source))
            .filter(source_run::Column::Outcome.is_in(["applied", "unchanged"]))
            .order_by_desc(source_run::Column::Id)
            .one(&self.db)
            .await?
            .map(run_from_row))
    }

    /// The latest run that applied an edition: its edition, rows and validators.
    pub async fn last_applied(&self, source: &str) -> Result<Option<SourceRun>, StoreError> {
        Ok(source_run::Entity::find()
            .filter(source_run::Column::SourceId.eq(source))
            .filter(source_run::Column::Outcome.eq("applied"))
            .order_by_desc(source_run::Column::Id)
            .one(&self.db)
            .await?
            .map(run_from_row))
    }

    /// Changes seen since `since`, oldest first, in keyset pages.
    pub async fn list_changes(
        &self,
        since: Option<DateTime<Utc>>,
        page: PageRequest,
    ) -> Result<Page<Change>, StoreError> {
        let mut query = change::Entity::find();
        if let Some(since) = since {
            query = query.filter(change::Column::SeenAt.gte(since));
        }
        if let Some(after) = page.after {
            query = query.filter(change::Column::Id.gt(after));
        }
        let rows = query
            .order_by_asc(change::Column::Id)
            .limit(page.limit + 1)
            .all(&self.db)
            .await?
            .into_iter()
            .map(change_from_row)
            .collect();
        Ok(Page::from_rows(rows, page.limit, |c: &Change| c.id))
    }

    /// The latest `limit` changes of every source, newest first (the pages' "what changed lately").
    pub async fn recent_changes(&self, limit: u64) -> Result<Vec<Change>, StoreError> {
        Ok(change::Entity::find()
            .order_by_desc(change::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(change_from_row)
            .collect())
    }

    /// The history of an offer's attestations, oldest first.
    pub async fn offer_timeline(&self, offer_id: i64) -> Result<Vec<Change>, StoreError> {
        Ok(change::Entity::find()
            .filter(change::Column::OfferId.eq(offer_id))
            .order_by_asc(change::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(change_from_row)
            .collect())
    }

    pub async fn review_items(&self, open_only: bool) -> Result<Vec<ReviewItem>, StoreError> {
        let mut query = review_item::Entity::find();
        if open_only {
            query = query.filter(review_item::Column::Status.eq("open"));
        }
        Ok(query
            .order_by_asc(review_item::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(review_from_row)
            .collect())
    }

    /// Resolves a review item to an existing supplier: the source's spelling becomes one of the
    /// supplier's aliases, so the next run resolves the row by itself.
    pub async fn link_review_item(
        &self,
        id: i64,
        supplier_id: i64,
        actor: &str,
    ) -> Result<ReviewItem, StoreError> {
        let item = self.open_review_item(id).await?;
        let supplier = self.supplier(supplier_id).await?;
        let mut data = supplier.data.clone();
        if !data
            .names()
            .any(|name| normalise_name(name) == normalise_name(&item.supplier_name))
        {
            data.aliases.push(item.supplier_name.clone());
            self.update_supplier(supplier.id, Some(supplier.version), data, actor)
                .await?;
        }
        self.close_review_item(id, "linked", supplier_id).await
    }

    /// Resolves a review item by creating the supplier it names.
    pub async fn create_from_review_item(
        &self,
        id: i64,
        key: Option<Key>,
        mut data: SupplierData,
        actor: &str,
    ) -> Result<(ReviewItem, Record<SupplierData>), StoreError> {
        let item = self.open_review_item(id).await?;
        if !data
            .names()
            .any(|name| normalise_name(name) == normalise_name(&item.supplier_name))
        {
            data.aliases.push(item.supplier_name.clone());
        }
        let supplier = self.create_supplier(key, data, actor).await?;
        let item = self.close_review_item(id, "created", supplier.id).await?;
        Ok((item, supplier))
    }

    async fn open_review_item(&self, id: i64) -> Result<ReviewItem, StoreError> {
        let item = review_item::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .map(review_from_row)
            .ok_or_else(|| StoreError::NotFound {
                entity: "review item",
                id: id.to_string(),
            })?;
        if item.status != "open" {
            return Err(StoreError::Conflict {
                field: "status".into(),
                message: format!("review item {id} is already {}", item.status),
            });
        }
        Ok(item)
    }

    async fn close_review_item(
        &self,
        id: i64,
        status: &str,
        supplier_id: i64,
    ) -> Result<ReviewItem, StoreError> {
        let row = review_item::ActiveModel {
            id: Set(id),
            status: Set(status.to_owned()),
            supplier_id: Set(Some(supplier_id)),
            resolved_at: Set(Some(Utc::now())),
            ..Default::default()
        };
        Ok(review_from_row(
            review_item::Entity::update(row).exec(&self.db).await?,
        ))
    }
}

impl SourceLock {
    /// Applies `edition` in one transaction; nothing is written if any step fails.
    pub async fn apply(
        &mut self,
        edition: &Edition,
        today: NaiveDate,
    ) -> Result<ApplyReport, StoreError> {
        let txn = match self.txn.take() {
            Some(txn) => txn,
            None => self.store.db.begin().await?,
        };
        let mut context = Context {
            source: &self.source,
            edition,
            actor: format!("source:{}", self.source),
            now: Utc::now(),
            report: ApplyReport {
                rows: edition.observations.len(),
                ..Default::default()
            },
        };
        apply_in(&txn, &mut context, today).await?;
        txn.commit().await?;
        Ok(context.report)
    }
}

/// Suppliers by normalised name and by SIREN.
struct Directory {
    by_name: HashMap<String, Vec<i64>>,
    by_siren: HashMap<String, i64>,
}

impl Directory {
    async fn load(txn: &DatabaseTransaction) -> Result<Self, StoreError> {
        let mut directory = Self {
            by_name: HashMap::new(),
            by_siren: HashMap::new(),
        };
        for row in supplier::Entity::find().all(txn).await? {
            let record = supplier_from_row(row)?;
            for name in record.data.names() {
                let ids = directory.by_name.entry(normalise_name(name)).or_default();
                if !ids.contains(&record.id) {
                    ids.push(record.id);
                }
            }
            if let Some(siren) = &record.data.siren {
                directory.by_siren.insert(siren.to_string(), record.id);
            }
        }
        Ok(directory)
    }

    /// The one supplier a row names; an ambiguous name resolves to nobody rather than to a guess.
    fn resolve(&self, observation: &Observation) -> Option<i64> {
        if let Some(id) = observation
            .supplier_siren
            .as_ref()
            .and_then(|s| self.by_siren.get(s.as_str()))
        {
            return Some(*id);
        }
        match self
            .by_name
            .get(&normalise_name(&observation.supplier_name))
        {
            Some(ids) if ids.len() == 1 => Some(ids[0]),
            _ => None,
        }
    }
}

async fn find_existing(
    txn: &DatabaseTransaction,
    observation: &Observation,
    resolved: Option<i64>,
) -> Result<Option<Record<AttestationData>>, StoreError> {
    if let Some(decision) = &observation.decision {
        let found = attestation::Entity::find()
            .filter(attestation::Column::Scheme.eq(observation.scheme.code()))
            .filter(attestation::Column::DecisionYear.eq(decision.year))
            .filter(attestation::Column::DecisionNumber.eq(decision.number.as_str()))
            .one(txn)
            .await?;
        if let Some(row) = found {
            return Ok(Some(attestation_from_row(row)?));
        }
    }
    if let Some(found) = aggregate::load_by_key::<AttestationData>(txn, &observation.key()).await? {
        return Ok(Some(found));
    }
    // A supplier-wide attestation without a decision ("HDS, OVH"): the source's spelling of the
    // supplier may differ from the key the registry chose, so the one such attestation of that
    // supplier and scheme, in the same status, is the same fact (an in-progress row never takes
    // over a qualification).
    let (Some(supplier_id), None, None) =
        (resolved, &observation.decision, &observation.service_name)
    else {
        return Ok(None);
    };
    let mut candidates = attestation::Entity::find()
        .filter(attestation::Column::Scheme.eq(observation.scheme.code()))
        .filter(attestation::Column::SupplierId.eq(supplier_id))
        .filter(attestation::Column::OfferId.is_null())
        .filter(attestation::Column::DecisionNumber.is_null())
        .filter(attestation::Column::Status.eq(observation.status.code()))
        .all(txn)
        .await?;
    if candidates.len() == 1 {
        return Ok(Some(attestation_from_row(candidates.remove(0))?));
    }
    Ok(None)
}

async fn queue_for_review(
    txn: &DatabaseTransaction,
    context: &mut Context<'_>,
    observation: &Observation,
) -> Result<(), StoreError> {
    let identity = observation.key().to_string();
    let row = to_json(&ObservedRow {
        scheme: observation.scheme.code(),
        supplier_name: &observation.supplier_name,
        service_name: observation.service_name.as_deref(),
        valid_from: observation.valid_from,
        valid_until: observation.valid_until,
        decision: observation
            .decision
            .as_ref()
            .map(|d| format!("{}_{}", d.year, d.number)),
        reference: &observation.reference,
    });
    let open = review_item::Entity::find()
        .filter(review_item::Column::SourceId.eq(context.source))
        .filter(review_item::Column::Identity.eq(identity.as_str()))
        .filter(review_item::Column::Status.eq("open"))
        .one(txn)
        .await?;
    let item = review_item::ActiveModel {
        id: open.as_ref().map_or(NotSet, |o| Set(o.id)),
        source_id: Set(context.source.to_owned()),
        edition: Set(Some(context.edition.label.clone())),
        supplier_name: Set(observation.supplier_name.clone()),
        identity: Set(identity),
        row: Set(row),
        status: Set("open".into()),
        supplier_id: Set(None),
        created_at: Set(open.as_ref().map_or(context.now, |o| o.created_at)),
        resolved_at: Set(None),
    };
    if open.is_some() {
        review_item::Entity::update(item).exec(txn).await?;
    } else {
        review_item::Entity::insert(item).exec(txn).await?;
    }
    context.report.queued_for_review += 1;
    Ok(())
}

/// The supplier's offer for the named service, created when the registry does not have it yet.
async fn offer_for(
    txn: &DatabaseTransaction,
    context: &Context<'_>,
    supplier_id: i64,
    observation: &Observation,
) -> Result<Option<i64>, StoreError> {
    let Some(service) = &observation.service_name else {
        return Ok(None);
    };
    let wanted = normalise_name(service);
    let offers = offer::Entity::find()
        .filter(offer::Column::SupplierId.eq(supplier_id))
        .all(txn)
        .await?;
    if let Some(found) = offers.iter().find(|o| normalise_name(&o.name) == wanted) {
        return Ok(Some(found.id));
    }
    let data = OfferData {
        supplier_id,
        name: service.clone(),
        category: observation.category,
        description_fr: None,
        description_en: None,
        deployment_models: vec![],
        licences: vec![],
        hosting_locations: vec![],
        suite_class: None,
        suite_tier: None,
        suite_role: None,
        url: None,
        source_repo: None,
        alternative_to: vec![],
        unverified: vec![],
        notes: Some(format!(
            "Created from the {} edition of {}.",
            context.edition.label, context.source
        )),
        references: vec![],
        confidence: Confidence::High,
    };
    let created = aggregate::create_in(txn, None, data, &context.actor).await?;
    Ok(Some(created.id))
}

fn observed_data(
    observation: &Observation,
    context: &Context<'_>,
    supplier_id: i64,
    offer_id: Option<i64>,
    previous: Option<&AttestationData>,
) -> AttestationData {
    let edition_day = context.edition.date();
    // Fields the official edition states are now verified; the others keep their marks.
    let stated = [
        "status",
        "valid_from",
        "valid_until",
        "decision",
        "recommendation",
        "service_models",
        "milestone",
        "level",
    ];
    AttestationData {
        supplier_id,
        offer_id,
        scheme: observation.scheme,
        status: observation.status,
        milestone: observation.milestone.clone(),
        level: observation.level.clone(),
        service_models: observation.service_models.clone(),
        scope: observation
            .scope
            .clone()
            .or_else(|| previous.and_then(|p| p.scope.clone())),
        valid_from: observation.valid_from,
        valid_until: observation.valid_until,
        decision: observation.decision.clone(),
        recommendation: observation.recommendation,
        provenance: Provenance {
            source: context.source.to_owned(),
            source_reference: Some(format!(
                "{}, édition du {}",
                context.source, context.edition.label
            )),
            first_seen: previous.map_or(edition_day, |p| p.provenance.first_seen.min(edition_day)),
            last_seen: edition_day,
            verification: Verification::Verified,
        },
        absent_since: None,
        unverified: previous
            .map(|p| {
                p.unverified
                    .iter()
                    .filter(|f| !stated.contains(&f.as_str()))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default(),
        notes: previous.and_then(|p| p.notes.clone()),
        references: previous.map(|p| p.references.clone()).unwrap_or_default(),
        confidence: Confidence::High,
    }
}

async fn apply_in(
    txn: &DatabaseTransaction,
    context: &mut Context<'_>,
    today: NaiveDate,
) -> Result<(), StoreError> {
    let directory = Directory::load(txn).await?;
    let mut seen: HashSet<i64> = HashSet::new();
    let edition = context.edition;
    for observation in &edition.observations {
        let resolved = directory.resolve(observation);
        let existing = find_existing(txn, observation, resolved).await?;
        let supplier_id = match existing.as_ref().map(|a| a.data.supplier_id).or(resolved) {
            Some(id) => id,
            None => {
                queue_for_review(txn, context, observation).await?;
                continue;
            }
        };
        match existing {
            None => {
                let offer_id = offer_for(txn, context, supplier_id, observation).await?;
                let data = observed_data(observation, context, supplier_id, offer_id, None);
                let key = observation.key();
                let key_free = aggregate::load_by_key::<AttestationData>(txn, &key)
                    .await?
                    .is_none();
                let created =
                    aggregate::create_in(txn, key_free.then_some(key), data, &context.actor)
                        .await?;
                seen.insert(created.id);
                let service = observation
                    .service_name
                    .as_deref()
                    .unwrap_or(&observation.supplier_name);
                context
                    .record(
                        txn,
                        "added",
                        &created,
                        format!(
                            "{} : {} ajouté ({} → {}).",
                            observation.supplier_name,
                            service,
                            day(observation.valid_from),
                            day(observation.valid_until)
                        ),
                        format!(
                            "{}: {} added ({} → {}).",
                            observation.supplier_name,
                            service,
                            day(observation.valid_from),
                            day(observation.valid_until)
                        ),
                        None,
                        Some(to_json(&created.data)),
                    )
                    .await?;
            }
            Some(current) => {
                seen.insert(current.id);
                update_existing(txn, context, observation, current).await?;
            }
        }
    }

    let known = attestation::Entity::find()
        .filter(attestation::Column::Source.eq(context.source))
        .all(txn)
        .await?;
    for row in known {
        let record = attestation_from_row(row)?;
        if !seen.contains(&record.id) && record.data.absent_since.is_none() {
            let mut data = record.data.clone();
            data.absent_since = Some(edition.date());
            let (updated, _) =
                aggregate::update_in(txn, record.clone(), None, data, &context.actor).await?;
            let what = describe(&updated);
            context
                .record(
                    txn,
                    "absent",
                    &updated,
                    format!("{what} : absent de la dernière édition (non retiré pour autant)."),
                    format!("{what}: absent from the latest edition (not a withdrawal)."),
                    None,
                    None,
                )
                .await?;
        }
        if record.data.status == Status::Qualified
            && record.data.valid_until.is_some_and(|until| until < today)
            && !expiry_recorded(txn, record.id).await?
        {
            let what = describe(&record);
            context
                .record(
                    txn,
                    "expired",
                    &record,
                    format!("{what} : expiré le {}.", day(record.data.valid_until)),
                    format!("{what}: expired on {}.", day(record.data.valid_until)),
                    None,
                    None,
                )
                .await?;
        }
    }
    Ok(())
}

fn describe(record: &Record<AttestationData>) -> String {
    match &record.data.decision {
        Some(d) => format!("{} {}_{}", record.data.scheme.label_fr(), d.year, d.number),
        None => format!("{} {}", record.data.scheme.label_fr(), record.key),
    }
}

async fn expiry_recorded(
    txn: &DatabaseTransaction,
    attestation_id: i64,
) -> Result<bool, StoreError> {
    Ok(change::Entity::find()
        .filter(change::Column::AttestationId.eq(attestation_id))
        .filter(change::Column::Kind.eq("expired"))
        .one(txn)
        .await?
        .is_some())
}

async fn update_existing(
    txn: &DatabaseTransaction,
    context: &mut Context<'_>,
    observation: &Observation,
    current: Record<AttestationData>,
) -> Result<(), StoreError> {
    let what = describe(&current);
    let mut offer_id = current.data.offer_id;
    // Same decision, new service name: a rename of the offer, not a removal and an addition.
    if let (Some(id), Some(service)) = (offer_id, &observation.service_name) {
        let offer = aggregate::load::<OfferData>(txn, id).await?;
        if let Some(offer) = offer
            && normalise_name(&offer.data.name) != normalise_name(service)
        {
            let before = offer.data.name.clone();
            let mut data = offer.data.clone();
            data.name = service.clone();
            aggregate::update_in(txn, offer, None, data, &context.actor).await?;
            context
                .record(
                    txn,
                    "renamed",
                    &current,
                    format!("{what} : service renommé « {before} » → « {service} »."),
                    format!("{what}: service renamed \"{before}\" → \"{service}\"."),
                    Some(to_json(&before)),
                    Some(to_json(service)),
                )
                .await?;
        }
    }
    if offer_id.is_none() && observation.service_name.is_some() {
        offer_id = offer_for(txn, context, current.data.supplier_id, observation).await?;
    }
    let data = observed_data(
        observation,
        context,
        current.data.supplier_id,
        offer_id,
        Some(&current.data),
    );
    let old = &current.data;
    let mut events: Vec<(&str, String, String)> = Vec::new();
    if (old.valid_from, old.valid_until) != (data.valid_from, data.valid_until) {
        events.push((
            "dates_changed",
            format!(
                "{what} : validité {} → {} devient {} → {}.",
                day(old.valid_from),
                day(old.valid_until),
                day(data.valid_from),
                day(data.valid_until)
            ),
            format!(
                "{what}: validity {} → {} becomes {} → {}.",
                day(old.valid_from),
                day(old.valid_until),
                day(data.valid_from),
                day(data.valid_until)
            ),
        ));
    }
    if old.recommendation != data.recommendation && data.recommendation.is_some() {
        let label = |r: Option<registre_domain::taxonomy::Recommendation>| {
            r.map_or("—", |r| r.label_fr())
        };
        events.push((
            "recommendation_changed",
            format!(
                "{what} : recommandation {} → {}.",
                label(old.recommendation),
                label(data.recommendation)
            ),
            format!(
                "{what}: recommendation {} → {}.",
                old.recommendation.map_or("—", |r| r.label_en()),
                data.recommendation.map_or("—", |r| r.label_en())
            ),
        ));
    }
    if old.status != data.status {
        events.push((
            "status_changed",
            format!(
                "{what} : statut {} → {}.",
                old.status.label_fr(),
                data.status.label_fr()
            ),
            format!(
                "{what}: status {} → {}.",
                old.status.label_en(),
                data.status.label_en()
            ),
        ));
    }
    if old.absent_since.is_some() {
        events.push((
            "back",
            format!("{what} : de nouveau listé."),
            format!("{what}: listed again."),
        ));
    }
    if old.provenance.verification == Verification::Declared {
        events.push((
            "verified",
            format!(
                "{what} : confirmé par la source officielle ({}).",
                context.source
            ),
            format!(
                "{what}: confirmed by the official source ({}).",
                context.source
            ),
        ));
    }
    let before = to_json(old);
    let (updated, written) =
        aggregate::update_in(txn, current.clone(), None, data, &context.actor).await?;
    if written == Written::Unchanged {
        return Ok(());
    }
    for (kind, fr, en) in events {
        context
            .record(
                txn,
                kind,
                &updated,
                fr,
                en,
                Some(before.clone()),
                Some(to_json(&updated.data)),
            )
            .await?;
    }
    Ok(())
}
