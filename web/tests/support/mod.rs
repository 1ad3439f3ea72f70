//! What the pages' tests share: a SQLite store loaded with records, a real index built from it, the
//! official sources, the fixed day validity is judged on. Each test file uses part of it.
#![allow(dead_code)]

use std::path::Path;
use std::time::Duration;

use chrono::NaiveDate;
use registre_indexer::search::{Indexer, IndexerSettings, Searcher};
use registre_indexer::sources::contract::{self, DEFAULT_INTERVAL, SourceConfig};
use registre_indexer::sources::fetch::FetchPolicy;
use registre_indexer::sources::service::Sources;
use registre_store::Store;

/// The bundled dataset, as `registre` loads it on a first start.
pub const DATASET: &str = include_str!("../../../dataset/registre.jsonl");

/// The day validity is judged on, so that the dataset's end dates do not age the tests.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
}

/// A SQLite store in `dir` holding `records` (JSON Lines, the import format), every row accepted.
pub async fn store_with(dir: &Path, records: &str) -> Store {
    let url = format!("sqlite://{}?mode=rwc", dir.join("db").display());
    let store = Store::connect(&url).await.unwrap();
    let report = store.import(records, "test").await.unwrap();
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    store
}

/// The store's search index, built by the indexer under `dir`, judging validity on `day` (today
/// when `None`).
pub async fn indexed(store: &Store, dir: &Path, day: Option<NaiveDate>) -> Searcher {
    let mut settings = IndexerSettings::new(dir.join("index"));
    settings.poll_interval = Duration::from_millis(50);
    settings.writer_threads = 1;
    settings.writer_memory = 30 * 1024 * 1024;
    settings.today = day;
    let (mut indexer, searcher) = Indexer::open(store.clone(), settings).unwrap();
    indexer.prepare().await.unwrap();
    searcher
}

/// Every official source at its official address (nothing is fetched: the pages only read runs).
pub fn official_sources(store: &Store) -> Sources {
    let configs = contract::all()
        .iter()
        .map(|source| SourceConfig {
            id: source.id(),
            url: source.default_url().to_owned(),
            interval: DEFAULT_INTERVAL,
        })
        .collect();
    Sources::with_configs(store.clone(), FetchPolicy::default(), configs).unwrap()
}
