//! Loading a corpus into Registre's database.
//!
//! Two paths:
//! - `Store::import`, the application's own importer (one transaction per row, each row validated,
//!   versioned and audited). It is exact but reads every stored offer again for each offer row, so
//!   it grows with the square of the catalogue: usable at 10k, not at 100k or 1M.
//! - the bulk path used by default: the schema comes from the real migrations (`Store::connect`),
//!   then the JSON Lines rows are written with plain SQL inserts in one transaction, in the exact
//!   column encodings of the store's codec (lists as JSON text, vocabularies as codes, dates and
//!   timestamps through sqlx's chrono types, as sea-orm binds them). It writes no audit events:
//!   the index is then rebuilt from the tables, which is what a rebuild reads anyway.

use std::collections::HashMap;
use std::time::Instant;

use anyhow::Context;
use chrono::Utc;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, QueryBuilder, Sqlite};

use crate::corpus::Corpus;

/// How long each part of a load took.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct LoadReport {
    pub loader: &'static str,
    pub read_seconds: f64,
    pub insert_seconds: f64,
    pub total_seconds: f64,
    pub suppliers: usize,
    pub offers: usize,
    pub attestations: usize,
    pub database_bytes: u64,
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("corpus values serialise")
}

/// Rows per multi-row INSERT (SQLite allows 32,766 bound values; attestations have 28 columns).
const BATCH: usize = 500;

/// Writes `corpus` into the (migrated, empty) SQLite database at `path`.
pub async fn bulk(corpus: &Corpus, path: &std::path::Path) -> anyhow::Result<f64> {
    let started = Instant::now();
    let mut connection = SqliteConnectOptions::new()
        .filename(path)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Off)
        .foreign_keys(false)
        .connect()
        .await
        .context("cannot open the corpus database")?;
    let now = Utc::now();
    let mut tx = sqlx::Connection::begin(&mut connection).await?;

    let mut supplier_ids: HashMap<&str, i64> = HashMap::with_capacity(corpus.suppliers.len());
    for (chunk_index, chunk) in corpus.suppliers.chunks(BATCH).enumerate() {
        let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO suppliers (id, key, legal_name, trade_names, aliases, kind, siren, siret, \
             vat_number, lei, country, hq_city, website, control_chain, ultimate_control_country, \
             unverified, notes, \"references\", confidence, version, created_at, updated_at) ",
        );
        insert.push_values(chunk.iter().enumerate(), |mut row, (i, s)| {
            let id = (chunk_index * BATCH + i + 1) as i64;
            supplier_ids.insert(s.key.as_str(), id);
            row.push_bind(id)
                .push_bind(&s.key)
                .push_bind(&s.legal_name)
                .push_bind(json(&s.trade_names))
                .push_bind(json(&s.aliases))
                .push_bind(&s.kind)
                .push_bind(&s.siren)
                .push_bind(&s.siret)
                .push_bind(&s.vat_number)
                .push_bind(&s.lei)
                .push_bind(&s.country)
                .push_bind(&s.hq_city)
                .push_bind(&s.website)
                .push_bind(json(&s.control_chain))
                .push_bind(&s.ultimate_control_country)
                .push_bind(json(&s.unverified))
                .push_bind(&s.notes)
                .push_bind(json(&s.references))
                .push_bind(&s.confidence)
                .push_bind(1i32)
                .push_bind(now)
                .push_bind(now);
        });
        insert.build().execute(&mut *tx).await?;
    }

    let mut offer_ids: HashMap<&str, i64> = HashMap::with_capacity(corpus.offers.len());
    for (chunk_index, chunk) in corpus.offers.chunks(BATCH).enumerate() {
        let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO offers (id, key, supplier_id, name, category, description_fr, description_en, \
             deployment_models, licences, hosting_locations, suite_class, suite_tier, suite_role, url, \
             source_repo, unverified, notes, \"references\", confidence, version, created_at, updated_at) ",
        );
        let mut missing = None;
        insert.push_values(chunk.iter().enumerate(), |mut row, (i, o)| {
            let id = (chunk_index * BATCH + i + 1) as i64;
            offer_ids.insert(o.key.as_str(), id);
            let supplier = supplier_ids
                .get(o.supplier.as_str())
                .copied()
                .unwrap_or_else(|| {
                    missing = Some(o.key.clone());
                    0
                });
            row.push_bind(id)
                .push_bind(&o.key)
                .push_bind(supplier)
                .push_bind(&o.name)
                .push_bind(&o.category)
                .push_bind(&o.description_fr)
                .push_bind(&o.description_en)
                .push_bind(json(&o.deployment_models))
                .push_bind(json(&o.licences))
                .push_bind(json(&o.hosting_locations))
                .push_bind(&o.suite_class)
                .push_bind(&o.suite_tier)
                .push_bind(&o.suite_role)
                .push_bind(&o.url)
                .push_bind(&o.source_repo)
                .push_bind(json(&o.unverified))
                .push_bind(&o.notes)
                .push_bind(json(&o.references))
                .push_bind(&o.confidence)
                .push_bind(1i32)
                .push_bind(now)
                .push_bind(now);
        });
        if let Some(key) = missing {
            anyhow::bail!("offer {key} names an unknown supplier");
        }
        insert.build().execute(&mut *tx).await?;
    }

    for (chunk_index, chunk) in corpus.attestations.chunks(BATCH).enumerate() {
        let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO attestations (id, key, supplier_id, offer_id, scheme, status, milestone, level, \
             service_models, scope, valid_from, valid_until, decision_year, decision_number, \
             decision_url, recommendation, source, source_reference, first_seen, last_seen, \
             verification, unverified, notes, \"references\", confidence, version, created_at, updated_at) ",
        );
        let mut missing = None;
        insert.push_values(chunk.iter().enumerate(), |mut row, (i, a)| {
            let id = (chunk_index * BATCH + i + 1) as i64;
            let supplier = supplier_ids.get(a.supplier.as_str()).copied();
            let offer = a.offer.as_deref().map(|k| offer_ids.get(k).copied());
            if supplier.is_none() || offer == Some(None) {
                missing = Some(a.key.clone());
            }
            row.push_bind(id)
                .push_bind(&a.key)
                .push_bind(supplier.unwrap_or(0))
                .push_bind(offer.flatten())
                .push_bind(&a.scheme)
                .push_bind(&a.status)
                .push_bind(&a.milestone)
                .push_bind(&a.level)
                .push_bind(json(&a.service_models))
                .push_bind(&a.scope)
                .push_bind(a.valid_from)
                .push_bind(a.valid_until)
                .push_bind(a.decision.as_ref().map(|d| d.year))
                .push_bind(a.decision.as_ref().map(|d| d.number.clone()))
                .push_bind(a.decision.as_ref().and_then(|d| d.url.clone()))
                .push_bind(&a.recommendation)
                .push_bind(&a.provenance.source)
                .push_bind(&a.provenance.source_reference)
                .push_bind(a.provenance.first_seen)
                .push_bind(a.provenance.last_seen)
                .push_bind(&a.provenance.verification)
                .push_bind(json(&a.unverified))
                .push_bind(&a.notes)
                .push_bind(json(&a.references))
                .push_bind(&a.confidence)
                .push_bind(1i32)
                .push_bind(now)
                .push_bind(now);
        });
        if let Some(key) = missing {
            anyhow::bail!("attestation {key} names an unknown supplier or offer");
        }
        insert.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut connection)
        .await?;
    sqlx::query("ANALYZE").execute(&mut connection).await?;
    sqlx::Connection::close(connection).await?;
    Ok(started.elapsed().as_secs_f64())
}
