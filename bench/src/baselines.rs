//! The baselines, measured in the same run on the same corpus and queries with Rust clients:
//! SQLite FTS5 (the embedded choice) and PostgreSQL full-text search (french configuration with
//! unaccent, GIN index).
//!
//! Ported from the shared kit's `fts5_bench.py` and `pg_bench.py`: the same schemas, weights and SQL
//! (AND over the words, top 20 by relevance plus the total count in one statement; a facets mode
//! adding category and country counts over all hits; filters as exact matches). The documents are
//! Registre's (suppliers and offers), built here the way the indexer builds its own: a supplier
//! carries its offers' categories and all its attestations, an offer its supplier's names, country
//! and whole-company attestations.

use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

use anyhow::Context;
use chrono::NaiveDate;
use registre_domain::identifiers::CountryCode;
use registre_domain::taxonomy::{Category, SuiteClass, Vocabulary};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, Row};

use crate::corpus::{AttestationLine, Corpus};
use crate::measure::{self, EngineRun, Own, Patience, Phase};
use crate::queries::{BenchQuery, QueryFilters};

/// One searchable row.
#[derive(Debug, Clone)]
pub struct Doc {
    pub id: i64,
    pub kind: &'static str,
    pub name: String,
    pub other_names: String,
    pub labels: String,
    pub description: String,
    pub country: String,
    pub categories: Vec<String>,
    /// Schemes with an attestation valid today.
    pub schemes: Vec<String>,
    pub open_source: bool,
}

fn valid_on(attestation: &AttestationLine, today: NaiveDate) -> bool {
    attestation.status == "qualified"
        && attestation.valid_until.is_none_or(|until| until >= today)
        && attestation.valid_from.is_none_or(|from| from <= today)
}

fn category_labels(code: &str, out: &mut Vec<String>) {
    if let Ok(category) = Category::parse(code) {
        out.push(category.label_fr().to_owned());
        out.push(category.label_en().to_owned());
    }
}

/// The corpus as baseline rows: suppliers (ids 1..) then offers.
pub fn documents(corpus: &Corpus, today: NaiveDate) -> Vec<Doc> {
    let mut offers_of: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, offer) in corpus.offers.iter().enumerate() {
        offers_of
            .entry(offer.supplier.as_str())
            .or_default()
            .push(i);
    }
    let mut attestations_of: HashMap<&str, Vec<&AttestationLine>> = HashMap::new();
    for attestation in &corpus.attestations {
        attestations_of
            .entry(attestation.supplier.as_str())
            .or_default()
            .push(attestation);
    }
    let mut docs = Vec::with_capacity(corpus.suppliers.len() + corpus.offers.len());
    let mut next_id = 0i64;
    let mut offer_docs = Vec::with_capacity(corpus.offers.len());
    for supplier in &corpus.suppliers {
        let offers = offers_of
            .get(supplier.key.as_str())
            .cloned()
            .unwrap_or_default();
        let attestations = attestations_of
            .get(supplier.key.as_str())
            .cloned()
            .unwrap_or_default();
        let country = CountryCode::parse(&supplier.country).ok();
        let country_label = country
            .and_then(|c| c.label_fr().map(str::to_owned))
            .unwrap_or_default();
        let mut identifiers: Vec<String> = Vec::new();
        identifiers.extend(supplier.siren.clone());
        identifiers.extend(supplier.vat_number.clone());
        let display = supplier
            .trade_names
            .first()
            .unwrap_or(&supplier.legal_name)
            .clone();
        let mut names: Vec<String> = vec![supplier.legal_name.clone()];
        names.extend(supplier.aliases.iter().cloned());
        names.extend(identifiers.iter().cloned());
        let mut labels = vec![country_label.clone()];
        labels.extend(supplier.hq_city.clone());
        let mut categories = BTreeSet::new();
        let mut open_source = false;
        for &i in &offers {
            let offer = &corpus.offers[i];
            categories.insert(offer.category.clone());
            open_source |= !offer.licences.is_empty();
        }
        for category in &categories {
            category_labels(category, &mut labels);
        }
        let schemes: BTreeSet<String> = attestations
            .iter()
            .filter(|a| valid_on(a, today))
            .map(|a| a.scheme.clone())
            .collect();
        for scheme in attestations
            .iter()
            .map(|a| &a.scheme)
            .collect::<BTreeSet<_>>()
        {
            labels.push(scheme.clone());
        }
        next_id += 1;
        docs.push(Doc {
            id: next_id,
            kind: "supplier",
            name: display.clone(),
            other_names: names.join(" "),
            labels: labels.join(" "),
            description: String::new(),
            country: supplier.country.clone(),
            categories: categories.into_iter().collect(),
            schemes: schemes.into_iter().collect(),
            open_source,
        });
        for &i in &offers {
            let offer = &corpus.offers[i];
            let covering: Vec<&&AttestationLine> = attestations
                .iter()
                .filter(|a| a.offer.as_ref().is_none_or(|k| *k == offer.key))
                .collect();
            let mut labels = vec![country_label.clone()];
            category_labels(&offer.category, &mut labels);
            if let Some(class) = offer
                .suite_class
                .as_deref()
                .and_then(|c| SuiteClass::parse(c).ok())
            {
                labels.push(class.label_fr().to_owned());
                labels.push(class.label_en().to_owned());
            }
            if !offer.licences.is_empty() {
                labels.push("logiciel libre open source".to_owned());
                labels.extend(offer.licences.iter().cloned());
            }
            for scheme in covering.iter().map(|a| &a.scheme).collect::<BTreeSet<_>>() {
                labels.push(scheme.clone());
            }
            let mut other = vec![display.clone(), supplier.legal_name.clone()];
            other.extend(identifiers.iter().cloned());
            offer_docs.push(Doc {
                id: 0,
                kind: "offer",
                name: offer.name.clone(),
                other_names: other.join(" "),
                labels: labels.join(" "),
                description: format!(
                    "{} {}",
                    offer.description_fr.as_deref().unwrap_or(""),
                    offer.description_en.as_deref().unwrap_or("")
                ),
                country: supplier.country.clone(),
                categories: vec![offer.category.clone()],
                schemes: covering
                    .iter()
                    .filter(|a| valid_on(a, today))
                    .map(|a| a.scheme.clone())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect(),
                open_source: !offer.licences.is_empty(),
            });
        }
    }
    for mut doc in offer_docs {
        next_id += 1;
        doc.id = next_id;
        docs.push(doc);
    }
    docs
}

/// How long a baseline load took, and what it weighs.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct BaselineLoad {
    pub engine: &'static str,
    pub seconds: f64,
    pub detail: String,
    pub bytes: u64,
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

// ---------------------------------------------------------------------------------------------
// SQLite FTS5

/// FTS5 match expression: every word quoted as a phrase token, all required (the kit's).
fn match_expression(q: &str) -> String {
    q.split_whitespace()
        .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" ")
}

fn fts5_filters(filters: &QueryFilters, binds: &mut Vec<String>) -> String {
    let mut sql = String::new();
    if let Some(country) = &filters.country {
        sql.push_str(" AND s.country = ?");
        binds.push(country.clone());
    }
    if let Some(category) = &filters.category {
        sql.push_str(" AND instr(s.cats, ?) > 0");
        binds.push(format!("\"{category}\""));
    }
    if let Some(scheme) = &filters.scheme {
        sql.push_str(" AND instr(s.schemes, ?) > 0");
        binds.push(format!("\"{scheme}\""));
    }
    if filters.open_source == Some(true) {
        sql.push_str(" AND s.open_source = 1");
    }
    if let Some(kind) = &filters.kind {
        sql.push_str(" AND s.kind = ?");
        binds.push(kind.clone());
    }
    sql
}

fn sqlite_options(path: &std::path::Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .pragma("cache_size", "-262144")
        .pragma("mmap_size", "4294967296")
}

pub fn fts5_load(docs: &[Doc], path: &std::path::Path) -> anyhow::Result<BaselineLoad> {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    runtime()?.block_on(async {
        let mut c = sqlite_options(path)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Off)
            .connect()
            .await?;
        sqlx::raw_sql(
            "CREATE TABLE records (id INTEGER PRIMARY KEY, kind TEXT, name TEXT, other_names TEXT, \
               labels TEXT, description TEXT, country TEXT, cats TEXT, schemes TEXT, open_source INT);
             CREATE VIRTUAL TABLE docs USING fts5(name, other_names, labels, description, \
               content='records', content_rowid='id', tokenize='unicode61 remove_diacritics 2');",
        )
        .execute(&mut c)
        .await?;
        let started = Instant::now();
        let mut tx = c.begin().await?;
        for doc in docs {
            sqlx::query("INSERT INTO records VALUES (?,?,?,?,?,?,?,?,?,?)")
                .bind(doc.id)
                .bind(doc.kind)
                .bind(&doc.name)
                .bind(&doc.other_names)
                .bind(&doc.labels)
                .bind(&doc.description)
                .bind(&doc.country)
                .bind(serde_json::to_string(&doc.categories)?)
                .bind(serde_json::to_string(&doc.schemes)?)
                .bind(i32::from(doc.open_source))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        let insert = started.elapsed().as_secs_f64();
        let t = Instant::now();
        sqlx::raw_sql(
            "BEGIN; INSERT INTO docs(rowid, name, other_names, labels, description) \
               SELECT id, name, other_names, labels, description FROM records; COMMIT;",
        )
        .execute(&mut c)
        .await?;
        let build = t.elapsed().as_secs_f64();
        let t = Instant::now();
        sqlx::raw_sql("INSERT INTO docs(docs) VALUES('optimize')")
            .execute(&mut c)
            .await?;
        let optimize = t.elapsed().as_secs_f64();
        sqlx::raw_sql(
            "CREATE INDEX docs_country ON records(country); ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);",
        )
        .execute(&mut c)
        .await?;
        let seconds = started.elapsed().as_secs_f64();
        c.close().await?;
        Ok(BaselineLoad {
            engine: "sqlite-fts5",
            seconds,
            detail: format!("insert {insert:.1} s, FTS build {build:.1} s, optimize {optimize:.1} s"),
            bytes: std::fs::metadata(path).map_or(0, |m| m.len()),
        })
    })
}

struct SqliteClient {
    runtime: tokio::runtime::Runtime,
    connection: SqliteConnection,
}

fn fts5_query(client: &mut SqliteClient, query: &BenchQuery, facets: bool) -> measure::Outcome {
    let mut binds = vec![match_expression(&query.q)];
    let extra = fts5_filters(&query.filters, &mut binds);
    let sql = if facets {
        format!(
            "WITH m AS MATERIALIZED (SELECT s.id, s.name, s.cats, s.country, \
               bm25(docs, 3.0, 2.0, 2.0, 1.0) AS r FROM docs JOIN records s ON s.id = docs.rowid \
               WHERE docs MATCH ?{extra}) \
             SELECT 'hit', id, name, NULL FROM (SELECT id, name FROM m ORDER BY r LIMIT 20) \
             UNION ALL SELECT 'total', NULL, NULL, count(*) FROM m \
             UNION ALL SELECT 'country', NULL, country, count(*) FROM m GROUP BY country \
             UNION ALL SELECT 'cat', NULL, j.value, count(*) FROM m, json_each(m.cats) j GROUP BY j.value"
        )
    } else {
        format!(
            "WITH m AS MATERIALIZED (SELECT s.id, s.name, bm25(docs, 3.0, 2.0, 2.0, 1.0) AS r \
               FROM docs JOIN records s ON s.id = docs.rowid WHERE docs MATCH ?{extra}) \
             SELECT id, name, count(*) OVER () AS total FROM m ORDER BY r LIMIT 20"
        )
    };
    let SqliteClient {
        runtime,
        connection,
    } = client;
    runtime.block_on(async {
        let mut statement = sqlx::query(sqlx::AssertSqlSafe(sql));
        for bind in &binds {
            statement = statement.bind(bind);
        }
        let rows = statement.fetch_all(&mut *connection).await?;
        if facets {
            for row in &rows {
                if row.try_get::<String, _>(0)? == "total" {
                    return Ok(row.try_get::<i64, _>(3)? as u64);
                }
            }
            Ok(0)
        } else {
            Ok(rows
                .first()
                .map(|r| r.try_get::<i64, _>(2))
                .transpose()?
                .unwrap_or(0) as u64)
        }
    })
}

pub fn fts5_runs(
    path: &std::path::Path,
    queries: &[BenchQuery],
    threads: usize,
    min_seconds: f64,
    patience: &Patience,
    modes: &[&str],
) -> anyhow::Result<Vec<EngineRun>> {
    // SQLite runs in this process: its CPU per query is the engine's.
    let own = Own::me().with_server(std::process::id());
    let connect = || -> anyhow::Result<SqliteClient> {
        let runtime = runtime()?;
        let connection = runtime.block_on(sqlite_options(path).read_only(true).connect())?;
        Ok(SqliteClient {
            runtime,
            connection,
        })
    };
    let mut runs = Vec::new();
    for mode in modes {
        let facets = *mode == "facets";
        eprintln!("sqlite-fts5: {mode}");
        let run = |client: &mut SqliteClient, query: &BenchQuery| fts5_query(client, query, facets);
        let (latency, throughput, average_total, zero_hit_share) = measure::protocol(
            &own,
            patience,
            queries,
            threads,
            min_seconds,
            &connect,
            &run,
        )?;
        runs.push(EngineRun {
            engine: "sqlite-fts5".to_owned(),
            mode: (*mode).to_owned(),
            server_cpu_ms_per_query: throughput.server_cpu_ms_per_query,
            latency,
            throughput,
            average_total,
            zero_hit_share,
        });
    }
    Ok(runs)
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

const PG_DDL: &str = r"
CREATE EXTENSION IF NOT EXISTS unaccent;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'fr_unaccent') THEN
    CREATE TEXT SEARCH CONFIGURATION fr_unaccent (COPY = french);
    ALTER TEXT SEARCH CONFIGURATION fr_unaccent ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
  END IF;
END $$;
CREATE TABLE docs (
  id bigint PRIMARY KEY, kind text NOT NULL, name text NOT NULL, other_names text, labels text,
  description text, country text NOT NULL, categories text[] NOT NULL, schemes text[] NOT NULL,
  open_source bool NOT NULL,
  tsv tsvector GENERATED ALWAYS AS (
     setweight(to_tsvector('fr_unaccent'::regconfig, coalesce(name,'') || ' ' || coalesce(other_names,'')), 'A') ||
     setweight(to_tsvector('fr_unaccent'::regconfig, coalesce(labels,'')), 'B') ||
     setweight(to_tsvector('fr_unaccent'::regconfig, coalesce(description,'')), 'C')) STORED
);
";

/// A scratch database on the configured server, dropped at the end.
pub struct Postgres {
    pub admin_url: String,
    pub database: String,
    pub settings: String,
}

fn copy_text(value: &str, out: &mut String) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            other => out.push(other),
        }
    }
}

fn copy_array(values: &[String], out: &mut String) {
    out.push('{');
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        copy_text(&v.replace('"', "\\\""), out);
        out.push('"');
    }
    out.push('}');
}

impl Postgres {
    pub fn create(admin_url: &str) -> anyhow::Result<Self> {
        let database = format!("registre_bench_{}", std::process::id());
        let settings = runtime()?.block_on(async {
            let mut c = PgConnection::connect(admin_url).await.with_context(|| {
                format!(
                    "cannot connect to PostgreSQL at {}",
                    registre::settings::redact(admin_url)
                )
            })?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {database}"
            )))
            .execute(&mut c)
            .await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {database}")))
                .execute(&mut c)
                .await?;
            let mut settings = Vec::new();
            for name in [
                "server_version",
                "shared_buffers",
                "work_mem",
                "effective_cache_size",
                "max_parallel_workers_per_gather",
            ] {
                let row = sqlx::query(sqlx::AssertSqlSafe(format!("SHOW {name}")))
                    .fetch_one(&mut c)
                    .await?;
                settings.push(format!("{name} {}", row.try_get::<String, _>(0)?));
            }
            c.close().await?;
            anyhow::Ok(settings.join(", "))
        })?;
        Ok(Self {
            admin_url: admin_url.to_owned(),
            database,
            settings,
        })
    }

    fn options(&self) -> anyhow::Result<PgConnectOptions> {
        let options: PgConnectOptions = self.admin_url.parse()?;
        Ok(options.database(&self.database))
    }

    pub fn load(&self, docs: &[Doc]) -> anyhow::Result<BaselineLoad> {
        let options = self.options()?;
        runtime()?.block_on(async {
            let mut c = options.connect().await?;
            sqlx::raw_sql(PG_DDL).execute(&mut c).await?;
            let started = Instant::now();
            let mut copy = c
                .copy_in_raw(
                    "COPY docs (id, kind, name, other_names, labels, description, country, categories, schemes, open_source) FROM STDIN",
                )
                .await?;
            let mut buffer = String::with_capacity(1 << 20);
            for doc in docs {
                buffer.push_str(&doc.id.to_string());
                for text in [doc.kind, &doc.name, &doc.other_names, &doc.labels, &doc.description, &doc.country] {
                    buffer.push('\t');
                    copy_text(text, &mut buffer);
                }
                buffer.push('\t');
                copy_array(&doc.categories, &mut buffer);
                buffer.push('\t');
                copy_array(&doc.schemes, &mut buffer);
                buffer.push('\t');
                buffer.push(if doc.open_source { 't' } else { 'f' });
                buffer.push('\n');
                if buffer.len() > (1 << 20) {
                    copy.send(buffer.as_bytes()).await?;
                    buffer.clear();
                }
            }
            if !buffer.is_empty() {
                copy.send(buffer.as_bytes()).await?;
            }
            copy.finish().await?;
            let copied = started.elapsed().as_secs_f64();
            let t = Instant::now();
            sqlx::raw_sql("SET maintenance_work_mem = '1GB'; CREATE INDEX docs_tsv ON docs USING gin (tsv)")
                .execute(&mut c)
                .await?;
            let gin = t.elapsed().as_secs_f64();
            let t = Instant::now();
            sqlx::raw_sql(
                "CREATE INDEX docs_country ON docs (country); CREATE INDEX docs_categories ON docs USING gin (categories);",
            )
            .execute(&mut c)
            .await?;
            let other = t.elapsed().as_secs_f64();
            let t = Instant::now();
            sqlx::raw_sql("VACUUM ANALYZE docs").execute(&mut c).await?;
            let analyze = t.elapsed().as_secs_f64();
            let seconds = started.elapsed().as_secs_f64();
            let row = sqlx::query("SELECT pg_total_relation_size('docs')::bigint, pg_relation_size('docs_tsv')::bigint")
                .fetch_one(&mut c)
                .await?;
            let total: i64 = row.try_get(0)?;
            let gin_bytes: i64 = row.try_get(1)?;
            c.close().await?;
            Ok(BaselineLoad {
                engine: "postgres-fts",
                seconds,
                detail: format!(
                    "COPY+tsvector {copied:.1} s, GIN {gin:.1} s, other indexes {other:.1} s, analyze {analyze:.1} s; GIN {:.0} MiB",
                    measure::mib(gin_bytes as u64)
                ),
                bytes: total as u64,
            })
        })
    }

    pub fn runs(
        &self,
        queries: &[BenchQuery],
        threads: usize,
        min_seconds: f64,
        patience: &Patience,
        modes: &[&str],
    ) -> anyhow::Result<Vec<EngineRun>> {
        let own = postgres_processes();
        let options = self.options()?;
        let connect = || PgClient::connect(&options);
        let mut runs = Vec::new();
        for mode in modes {
            let facets = *mode == "facets";
            eprintln!("postgres-fts: {mode}");
            let run = |client: &mut PgClient, query: &BenchQuery| pg_query(client, query, facets);
            let (latency, throughput, average_total, zero_hit_share) = measure::protocol(
                &own,
                patience,
                queries,
                threads,
                min_seconds,
                &connect,
                &run,
            )?;
            runs.push(EngineRun {
                engine: "postgres-fts".to_owned(),
                mode: (*mode).to_owned(),
                latency,
                throughput,
                average_total,
                zero_hit_share,
                server_cpu_ms_per_query: None,
            });
        }
        Ok(runs)
    }

    /// One more throughput pass of the `search` mode over the query set, for the turns (see `main`).
    pub fn search_throughput(
        &self,
        queries: &[BenchQuery],
        threads: usize,
        min_seconds: f64,
        patience: &Patience,
    ) -> anyhow::Result<Phase> {
        let options = self.options()?;
        measure::throughput(
            &postgres_processes(),
            patience,
            queries,
            threads,
            min_seconds,
            &|| PgClient::connect(&options),
            &|client, query| pg_query(client, query, false),
        )
    }

    pub fn drop_database(&self) -> anyhow::Result<()> {
        runtime()?.block_on(async {
            let mut c = PgConnection::connect(&self.admin_url).await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.database
            )))
            .execute(&mut c)
            .await?;
            c.close().await?;
            anyhow::Ok(())
        })
    }
}

/// The processes under test when PostgreSQL is: the bench and the server's backends.
fn postgres_processes() -> Own {
    Own::me().with_command("postgres")
}

struct PgClient {
    runtime: tokio::runtime::Runtime,
    connection: PgConnection,
}

impl PgClient {
    fn connect(options: &PgConnectOptions) -> anyhow::Result<Self> {
        let runtime = runtime()?;
        let connection = runtime.block_on(async {
            let mut c = options.connect().await?;
            sqlx::raw_sql("SET jit = off; SET work_mem = '64MB'")
                .execute(&mut c)
                .await?;
            anyhow::Ok(c)
        })?;
        Ok(Self {
            runtime,
            connection,
        })
    }
}

fn pg_query(client: &mut PgClient, query: &BenchQuery, facets: bool) -> measure::Outcome {
    let f = &query.filters;
    let mut binds: Vec<String> = vec![query.q.clone()];
    let mut extra = String::new();
    if let Some(country) = &f.country {
        binds.push(country.clone());
        extra.push_str(&format!(" AND country = ${}", binds.len()));
    }
    if let Some(category) = &f.category {
        binds.push(category.clone());
        extra.push_str(&format!(
            " AND categories @> ARRAY[${}]::text[]",
            binds.len()
        ));
    }
    if let Some(scheme) = &f.scheme {
        binds.push(scheme.clone());
        extra.push_str(&format!(" AND schemes @> ARRAY[${}]::text[]", binds.len()));
    }
    if f.open_source == Some(true) {
        extra.push_str(" AND open_source");
    }
    if let Some(kind) = &f.kind {
        binds.push(kind.clone());
        extra.push_str(&format!(" AND kind = ${}", binds.len()));
    }
    let sql = if facets {
        format!(
            "WITH m AS MATERIALIZED (SELECT id, name, categories, country, ts_rank(tsv, query) AS r \
               FROM docs, websearch_to_tsquery('fr_unaccent', $1) query WHERE tsv @@ query{extra}) \
             SELECT (SELECT json_agg(t)::text FROM (SELECT id, name FROM m ORDER BY r DESC LIMIT 20) t), \
               (SELECT count(*) FROM m), \
               (SELECT json_object_agg(c, n)::text FROM (SELECT unnest(categories) c, count(*) n FROM m GROUP BY 1) x), \
               (SELECT json_object_agg(country, n)::text FROM (SELECT country, count(*) n FROM m GROUP BY 1) y)"
        )
    } else {
        format!(
            "SELECT id, name, ts_rank(tsv, query) AS r, count(*) OVER () AS total \
             FROM docs, websearch_to_tsquery('fr_unaccent', $1) query \
             WHERE tsv @@ query{extra} ORDER BY r DESC LIMIT 20"
        )
    };
    let PgClient {
        runtime,
        connection,
    } = client;
    runtime.block_on(async {
        let mut statement = sqlx::query(sqlx::AssertSqlSafe(sql));
        for bind in &binds {
            statement = statement.bind(bind);
        }
        if facets {
            let row = statement.fetch_one(&mut *connection).await?;
            Ok(row.try_get::<i64, _>(1)? as u64)
        } else {
            let rows = statement.fetch_all(&mut *connection).await?;
            Ok(rows
                .first()
                .map(|r| r.try_get::<i64, _>(3))
                .transpose()?
                .unwrap_or(0) as u64)
        }
    })
}
