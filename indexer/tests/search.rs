//! The search index against a real SQLite store loaded with the bundled dataset: lifecycle (rebuild,
//! reopen, follow, crash recovery), queries, filters and facets, pages, and measured relevance.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use registre_domain::identifiers::CountryCode;
use registre_domain::model::{Key, OfferData};
use registre_domain::taxonomy::{
    Category, Confidence, DeploymentModel, ExposureLevel, Scheme, SuiteClass, Vocabulary,
};
use registre_indexer::search::{
    DocKind, FacetName, Filters, HighlightField, Indexer, IndexerSettings, Interpretation,
    SearchError, SearchRequest, SearchResults, Searcher, Sort,
};
use registre_store::Store;
use tempfile::TempDir;

const DATASET: &str = include_str!("../../dataset/registre.jsonl");

/// Searches are judged on a fixed day, so that "valid today" does not drift with the calendar.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
}

struct Catalogue {
    dir: TempDir,
    store: Store,
}

impl Catalogue {
    async fn loaded() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("registre.db").display()
        );
        let store = Store::connect(&url).await.unwrap();
        let report = store.import(DATASET, "test").await.unwrap();
        assert!(report.rejected.is_empty(), "{:?}", report.rejected);
        Self { dir, store }
    }

    fn index_dir(&self) -> PathBuf {
        self.dir.path().join("index")
    }

    /// Settings for a second index beside the first, rebuilt into three segments (three writer
    /// threads each flush one, merged into one per search thread).
    fn three_segments(&self) -> IndexerSettings {
        let mut settings = self.settings();
        settings.directory = self.dir.path().join("split");
        settings.writer_threads = 3;
        settings.writer_memory = 3 * 15 * 1024 * 1024;
        settings.search_threads = 3;
        settings
    }

    fn settings(&self) -> IndexerSettings {
        let mut settings = IndexerSettings::new(self.index_dir());
        settings.today = Some(today());
        settings.poll_interval = Duration::from_millis(50);
        settings.writer_threads = 1;
        settings.writer_memory = 30 * 1024 * 1024;
        settings
    }

    async fn indexed(&self) -> (Indexer, Searcher) {
        let (mut indexer, searcher) = Indexer::open(self.store.clone(), self.settings()).unwrap();
        indexer.prepare().await.unwrap();
        indexer.settle().await.unwrap();
        (indexer, searcher)
    }
}

fn run(searcher: &Searcher, request: SearchRequest) -> SearchResults {
    searcher.search(&request).unwrap()
}

fn search(searcher: &Searcher, query: &str) -> SearchResults {
    run(searcher, SearchRequest::text(query))
}

fn keys(results: &SearchResults) -> Vec<String> {
    results
        .hits
        .iter()
        .map(|hit| format!("{}:{}", hit.kind.code(), hit.key))
        .collect()
}

/// Every document the index holds, as "kind:key" (all pages, by name).
fn indexed_keys(searcher: &Searcher) -> BTreeSet<String> {
    let mut all = BTreeSet::new();
    let mut cursor = None;
    loop {
        let page = run(
            searcher,
            SearchRequest {
                sort: Sort::Name,
                limit: 100,
                cursor,
                ..SearchRequest::default()
            },
        );
        all.extend(keys(&page));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return all,
        }
    }
}

/// The bundled dataset's rows, as JSON.
fn dataset_rows() -> impl Iterator<Item = serde_json::Value> {
    DATASET
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
}

fn dataset_keys() -> BTreeSet<String> {
    dataset_rows()
        .filter(|row| matches!(row["record"].as_str(), Some("supplier" | "offer")))
        .map(|row| {
            format!(
                "{}:{}",
                row["record"].as_str().unwrap(),
                row["key"].as_str().unwrap()
            )
        })
        .collect()
}

async fn supplier_id(store: &Store, key: &str) -> i64 {
    let mut after = None;
    loop {
        let slice = store.catalogue_slice(after, 100).await.unwrap();
        if let Some(found) = slice.suppliers.iter().find(|s| s.key.as_str() == key) {
            return found.id;
        }
        after = Some(slice.suppliers.last().expect("the supplier exists").id);
    }
}

fn new_offer(supplier_id: i64, name: &str) -> OfferData {
    OfferData {
        supplier_id,
        name: name.to_owned(),
        category: Category::VideoConferencing,
        description_fr: Some("Salles de réunion virtuelles hébergées en France.".to_owned()),
        description_en: None,
        deployment_models: vec![DeploymentModel::Saas],
        licences: vec![],
        hosting_locations: vec![],
        suite_class: Some(SuiteClass::Visio),
        suite_tier: None,
        suite_role: None,
        url: None,
        source_repo: None,
        alternative_to: vec![],
        unverified: vec![],
        notes: None,
        references: vec![],
        confidence: Confidence::Medium,
    }
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_start_rebuilds_every_supplier_and_offer_into_a_published_generation() {
    let catalogue = Catalogue::loaded().await;
    let (mut indexer, searcher) =
        Indexer::open(catalogue.store.clone(), catalogue.settings()).unwrap();
    assert!(indexer.needs_rebuild());
    assert!(matches!(
        searcher.search(&SearchRequest::text("ovh")),
        Err(SearchError::NotReady)
    ));
    let report = indexer.rebuild().await.unwrap();
    let (suppliers, offers) = catalogue.store.catalogue_counts().await.unwrap();
    assert_eq!(report.documents, suppliers + offers);
    assert_eq!(report.event, catalogue.store.last_event_id().await.unwrap());
    let status = searcher.status();
    assert!(status.ready);
    assert_eq!(status.documents, suppliers + offers);
    let current = std::fs::read_to_string(catalogue.index_dir().join("CURRENT")).unwrap();
    assert_eq!(current.trim(), report.generation);
    assert_eq!(indexed_keys(&searcher), dataset_keys());
    indexer.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebuild_merges_its_segments_into_one_per_search_thread() {
    let catalogue = Catalogue::loaded().await;
    let mut settings = catalogue.settings();
    // Three writer threads each flush a segment of their own at the commit.
    settings.writer_threads = 3;
    settings.writer_memory = 3 * 15 * 1024 * 1024;
    for threads in [1, 2] {
        settings.search_threads = threads;
        let (mut indexer, searcher) =
            Indexer::open(catalogue.store.clone(), settings.clone()).unwrap();
        let report = indexer.rebuild().await.unwrap();
        // Live at once with every document, whatever the merge has done so far.
        let (suppliers, offers) = catalogue.store.catalogue_counts().await.unwrap();
        assert_eq!(searcher.status().documents, suppliers + offers);
        indexer.settle().await.unwrap();
        let status = searcher.status();
        assert_eq!(status.segments, threads, "{threads} search threads");
        // The merged segments' files are gone from the generation.
        let files = std::fs::read_dir(catalogue.index_dir().join(&report.generation)).unwrap();
        let segment_files: BTreeSet<String> = files
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter_map(|name| {
                let (stem, _) = name.split_once('.')?;
                (stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit()))
                    .then(|| stem.to_owned())
            })
            .collect();
        assert_eq!(segment_files.len(), threads, "{segment_files:?}");
        // Each segment, merged from several, holds its documents in the order of their facet
        // values' key (which keeps a block's facet masks mostly zero).
        let index =
            tantivy::Index::open_in_dir(catalogue.index_dir().join(&report.generation)).unwrap();
        let reader = index.reader().unwrap();
        for segment in reader.searcher().segment_readers() {
            let column = segment.fast_fields().u64("cluster").unwrap();
            let keys: Vec<u64> = (0..segment.max_doc())
                .map(|doc| column.first(doc).unwrap())
                .collect();
            assert!(keys.is_sorted(), "{threads} search threads");
            assert!(keys.first() < keys.last(), "several keys: {keys:?}");
        }
        assert_eq!(status.documents, suppliers + offers);
        assert_eq!(indexed_keys(&searcher), dataset_keys());
        indexer.close().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebuild_read_in_many_slices_indexes_them_all_and_an_unreadable_slice_keeps_the_live_index()
 {
    let catalogue = Catalogue::loaded().await;
    let mut settings = catalogue.settings();
    // Slices of three suppliers: the catalogue is read in many slices, several ahead of the
    // documents being built.
    settings.suppliers_per_slice = 3;
    let (mut indexer, searcher) = Indexer::open(catalogue.store.clone(), settings.clone()).unwrap();
    let first = indexer.rebuild().await.unwrap();
    let (suppliers, offers) = catalogue.store.catalogue_counts().await.unwrap();
    assert!(
        suppliers > 3 * 4,
        "{suppliers} suppliers: too few for several slices"
    );
    assert_eq!(first.documents, suppliers + offers);
    assert_eq!(indexed_keys(&searcher), dataset_keys());

    // The last offer's row becomes unreadable (a category no vocabulary knows): the slice holding
    // it fails after the earlier ones were read and indexed.
    let url = format!(
        "sqlite://{}?mode=rw",
        catalogue.dir.path().join("registre.db").display()
    );
    let db = sea_orm::Database::connect(url.as_str()).await.unwrap();
    use sea_orm::ConnectionTrait;
    db.execute_unprepared(
        "UPDATE offers SET category = 'not-a-category' WHERE id = (SELECT max(id) FROM offers)",
    )
    .await
    .unwrap();
    let error = indexer.rebuild().await.unwrap_err();
    assert!(error.to_string().contains("not-a-category"), "{error}");
    // Nothing of the failed build is kept; the live generation still answers, whole.
    let current = std::fs::read_to_string(catalogue.index_dir().join("CURRENT")).unwrap();
    assert_eq!(current.trim(), first.generation);
    let generations: Vec<String> = std::fs::read_dir(catalogue.index_dir())
        .unwrap()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.file_type().unwrap().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(generations, vec![first.generation.clone()]);
    assert_eq!(searcher.status().documents, suppliers + offers);
    assert_eq!(indexed_keys(&searcher), dataset_keys());
    indexer.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reopened_index_is_kept_and_a_schema_change_rebuilds_it_into_a_fresh_generation() {
    let catalogue = Catalogue::loaded().await;
    let (indexer, _) = catalogue.indexed().await;
    indexer.close().await.unwrap();
    let generation = |dir: &Path| std::fs::read_to_string(dir.join("CURRENT")).unwrap();
    let first = generation(&catalogue.index_dir());

    let (indexer, searcher) = Indexer::open(catalogue.store.clone(), catalogue.settings()).unwrap();
    assert!(!indexer.needs_rebuild(), "same schema: the index is reused");
    assert!(searcher.is_ready(), "a reopened index answers at once");
    indexer.close().await.unwrap();

    // Pretend the index was built by an older schema.
    let meta = catalogue
        .index_dir()
        .join(first.trim())
        .join("registre-index.json");
    let text = std::fs::read_to_string(&meta).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["schema"] = "0-old".into();
    std::fs::write(&meta, json.to_string()).unwrap();

    let (mut indexer, searcher) =
        Indexer::open(catalogue.store.clone(), catalogue.settings()).unwrap();
    assert!(indexer.needs_rebuild());
    indexer.prepare().await.unwrap();
    let second = generation(&catalogue.index_dir());
    assert_ne!(first, second);
    assert!(
        !catalogue.index_dir().join(first.trim()).exists(),
        "the old generation is removed"
    );
    assert_eq!(indexed_keys(&searcher), dataset_keys());
    indexer.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_is_searchable_within_a_second_while_the_indexer_follows_the_audit_trail() {
    let catalogue = Catalogue::loaded().await;
    let (indexer, searcher) = catalogue.indexed().await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let following = tokio::spawn(indexer.run(async {
        let _ = stopped.await;
    }));
    let olvid = supplier_id(&catalogue.store, "olvid").await;
    let written = Instant::now();
    catalogue
        .store
        .create_offer(
            None,
            new_offer(olvid, "Olvid Visioconférence Zephyrine"),
            "test",
        )
        .await
        .unwrap();
    let found = loop {
        let hits = search(&searcher, "zephyrine");
        if !hits.hits.is_empty() {
            break written.elapsed();
        }
        assert!(
            written.elapsed() < Duration::from_secs(5),
            "never became searchable"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert!(found < Duration::from_secs(1), "searchable after {found:?}");

    // The supplier's own document follows its offers (its categories now include video).
    let filtered = run(
        &searcher,
        SearchRequest {
            query: "olvid".into(),
            filters: Filters {
                kinds: vec![DocKind::Supplier],
                categories: vec![Category::VideoConferencing],
                ..Filters::default()
            },
            ..SearchRequest::default()
        },
    );
    assert_eq!(keys(&filtered), vec!["supplier:olvid"]);
    stop.send(()).unwrap();
    following.await.unwrap().unwrap();
}

/// Creates `count` offers for `supplier` straight through the store (each write audited).
async fn bulk_write(store: &Store, supplier: i64, count: usize, prefix: &str) {
    for n in 0..count {
        store
            .create_offer(
                Some(Key::parse(&format!("{prefix}-{n}")).unwrap()),
                new_offer(supplier, &format!("Bulk {prefix} {n}")),
                "bulk",
            )
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_writer_dropped_between_batches_without_commit_reopens_and_catches_up_with_the_database()
{
    let catalogue = Catalogue::loaded().await;
    let (indexer, _) = catalogue.indexed().await;
    indexer.close().await.unwrap();
    let tixeo = supplier_id(&catalogue.store, "tixeo").await;
    bulk_write(&catalogue.store, tixeo, 30, "crash").await;

    let mut settings = catalogue.settings();
    settings.events_per_batch = 7;
    let (mut indexer, _) = Indexer::open(catalogue.store.clone(), settings.clone()).unwrap();
    // Two batches applied, a third half-way: then the process dies before any commit.
    assert_eq!(indexer.stage_pending().await.unwrap().events, 7);
    assert_eq!(indexer.stage_pending().await.unwrap().events, 7);
    drop(indexer);

    let (mut indexer, searcher) = Indexer::open(catalogue.store.clone(), settings).unwrap();
    assert!(!indexer.needs_rebuild(), "the last commit is intact");
    assert!(
        search(&searcher, "bulk crash").hits.is_empty(),
        "nothing uncommitted survived"
    );
    let applied = indexer.catch_up().await.unwrap();
    assert_eq!(applied, 30);
    let mut expected = dataset_keys();
    expected.extend((0..30).map(|n| format!("offer:crash-{n}")));
    assert_eq!(indexed_keys(&searcher), expected);
    indexer.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follow_task_aborted_during_a_bulk_write_leaves_an_index_that_opens_and_catches_up() {
    let catalogue = Catalogue::loaded().await;
    let (indexer, _) = catalogue.indexed().await;
    let tixeo = supplier_id(&catalogue.store, "tixeo").await;
    let following = tokio::spawn(indexer.run(std::future::pending()));
    bulk_write(&catalogue.store, tixeo, 20, "abort-a").await;
    following.abort();
    let _ = following.await;
    bulk_write(&catalogue.store, tixeo, 20, "abort-b").await;

    // The aborted task's writer may still be finishing a commit on a blocking thread.
    let started = Instant::now();
    let (mut indexer, searcher) = loop {
        match Indexer::open(catalogue.store.clone(), catalogue.settings()) {
            Ok(opened) => break opened,
            Err(error) if started.elapsed() < Duration::from_secs(10) => {
                let _ = error;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(error) => panic!("the index does not reopen: {error}"),
        }
    };
    indexer.catch_up().await.unwrap();
    let mut expected = dataset_keys();
    expected.extend((0..20).map(|n| format!("offer:abort-a-{n}")));
    expected.extend((0..20).map(|n| format!("offer:abort-b-{n}")));
    assert_eq!(indexed_keys(&searcher), expected);
    indexer.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletes_and_renames_reach_the_index_and_dependent_documents() {
    let catalogue = Catalogue::loaded().await;
    let (mut indexer, searcher) = catalogue.indexed().await;
    let store = &catalogue.store;
    // Rename WeTransfer: Smash, which names it as replaced, must follow.
    let wetransfer = search(&searcher, "wetransfer")
        .hits
        .into_iter()
        .find(|h| h.kind == DocKind::Offer && h.key == "wetransfer")
        .unwrap();
    let mut offer = store.offer(wetransfer.id).await.unwrap();
    offer.data.name = "Transferotron".into();
    store
        .update_offer(offer.id, Some(offer.version), offer.data, "test")
        .await
        .unwrap();
    // Delete an offer without attestations.
    let planka = search(&searcher, "planka")
        .hits
        .into_iter()
        .find(|h| h.key == "planka" && h.kind == DocKind::Offer)
        .unwrap();
    store.delete_offer(planka.id, None, "test").await.unwrap();
    indexer.catch_up().await.unwrap();

    let renamed = search(&searcher, "transferotron");
    assert!(keys(&renamed).contains(&"offer:wetransfer".to_owned()));
    assert!(
        keys(&renamed).contains(&"offer:smash-transfer".to_owned()),
        "an offer replacing the renamed one is found by the new name"
    );
    assert!(!keys(&search(&searcher, "planka")).contains(&"offer:planka".to_owned()));
    indexer.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_day_expired_attestations_no_longer_count_as_valid() {
    let catalogue = Catalogue::loaded().await;
    let (indexer, searcher) = catalogue.indexed().await;
    let valid = |searcher: &Searcher| {
        let hit = search(searcher, "Outscale IaaS")
            .hits
            .into_iter()
            .find(|h| h.key == "outscale-iaas")
            .unwrap();
        hit.attestations.valid_today.contains(&Scheme::SecNumCloud)
    };
    // secnumcloud-2023-2118 ends on 2026-11-30.
    assert!(valid(&searcher));
    indexer.close().await.unwrap();
    let mut settings = catalogue.settings();
    settings.today = NaiveDate::from_ymd_opt(2026, 12, 1);
    let (mut indexer, searcher) = Indexer::open(catalogue.store.clone(), settings).unwrap();
    indexer.catch_up().await.unwrap();
    assert!(!valid(&searcher));
    indexer.close().await.unwrap();
}

// ---------------------------------------------------------------------------------------------
// Queries

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_behave_as_a_french_and_english_reader_expects() {
    let catalogue = Catalogue::loaded().await;
    let (indexer, searcher) = catalogue.indexed().await;

    // Accents, case and elisions do not matter.
    assert_eq!(
        keys(&search(&searcher, "visioconférence")),
        keys(&search(&searcher, "VISIOCONFERENCE"))
    );
    assert!(
        keys(&search(&searcher, "l'hébergement"))
            .iter()
            .any(|k| k.contains("cloud"))
    );

    // Identifiers go to exact lookup: the supplier first, then its offers.
    let siren = search(&searcher, "424 761 419");
    assert_eq!(keys(&siren)[0], "supplier:ovhcloud");
    assert!(matches!(
        siren.interpretation,
        Interpretation::Identifier {
            scheme: "siren",
            ..
        }
    ));
    assert_eq!(
        keys(&search(&searcher, "FR87524172699"))[0],
        "supplier:clever-cloud"
    );

    // Typos within the allowance; short words need exact spelling.
    assert_eq!(keys(&search(&searcher, "scalewya"))[0], "supplier:scaleway");
    assert!(keys(&search(&searcher, "nextclod")).contains(&"supplier:nextcloud".to_owned()));

    // Prefix on the word being typed.
    assert!(keys(&search(&searcher, "scal")).contains(&"supplier:scalingo".to_owned()));

    // Phrases keep their words together.
    let phrase = search(&searcher, "\"La Suite territoriale\"");
    assert!(!phrase.hits.is_empty());
    assert!(
        phrase
            .hits
            .iter()
            .all(|h| h.key == "anct" || h.supplier.as_ref().is_some_and(|s| s.key == "anct")),
        "only ANCT (trade name La Suite territoriale) and its offers"
    );

    // "Alternative to X".
    let teams = search(&searcher, "alternative à Teams");
    assert!(matches!(
        teams.interpretation,
        Interpretation::Alternative { .. }
    ));
    assert!(
        teams
            .hits
            .iter()
            .all(|h| matches!(h.suite_class, Some(SuiteClass::Visio | SuiteClass::Tchap)))
    );
    let wetransfer = keys(&search(&searcher, "alternative à WeTransfer"));
    assert!(
        !wetransfer.contains(&"offer:wetransfer".to_owned()),
        "not an alternative to itself"
    );
    assert!(wetransfer[..3].contains(&"offer:smash-transfer".to_owned()));
    assert_eq!(
        keys(&search(&searcher, "wetransfer"))[0].split(':').nth(1),
        Some("wetransfer")
    );

    // Nothing found, but close words exist.
    let typo = search(&searcher, "ovj");
    assert!(typo.hits.is_empty());
    assert_eq!(typo.did_you_mean.as_deref(), Some("ovh"));
    let nothing = search(&searcher, "zzzzqqqq");
    assert!(nothing.hits.is_empty() && nothing.did_you_mean.is_none());
    indexer.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_combine_and_facet_counts_ignore_their_own_facet() {
    let catalogue = Catalogue::loaded().await;
    let (indexer, searcher) = catalogue.indexed().await;
    let everything = run(&searcher, SearchRequest::default());
    let request = SearchRequest {
        filters: Filters {
            kinds: vec![DocKind::Offer],
            schemes: vec![Scheme::SecNumCloud],
            valid_today: Some(true),
            ..Filters::default()
        },
        limit: 100,
        ..SearchRequest::default()
    };
    let qualified = run(&searcher, request.clone());
    // 20 offers qualified themselves, and Wimi's offer covered by its whole-company qualification.
    assert_eq!(
        qualified.total, 21,
        "offers with a SecNumCloud qualification valid today"
    );
    assert!(
        qualified.hits.iter().all(|h| h.kind == DocKind::Offer
            && h.attestations.valid_today.contains(&Scheme::SecNumCloud))
    );
    let count = |results: &SearchResults, facet: FacetName, code: &str| {
        results
            .facets
            .iter()
            .find(|f| f.facet == facet)
            .and_then(|f| f.values.iter().find(|v| v.code == code))
            .map_or(0, |v| v.count)
    };
    // The kind facet ignores the kind filter: it also counts the supplier holding a whole-company
    // SecNumCloud (Wimi), and the selected value is marked.
    assert_eq!(count(&qualified, FacetName::Kind, "offer"), 21);
    assert_eq!(count(&qualified, FacetName::Kind, "supplier"), 13);
    // The validity facet ignores the validity filter: the in-progress ones are counted as not valid.
    assert_eq!(count(&qualified, FacetName::ValidToday, "false"), 3);
    // Other facets are counted among the results.
    let by_category: u64 = qualified
        .facets
        .iter()
        .find(|f| f.facet == FacetName::Category)
        .unwrap()
        .values
        .iter()
        .map(|v| v.count)
        .sum();
    assert_eq!(by_category, 21, "one category per offer");
    assert!(count(&everything, FacetName::Country, "FR") > 0);
    let labels = &qualified
        .facets
        .iter()
        .find(|f| f.facet == FacetName::Exposure)
        .unwrap()
        .values;
    assert!(
        labels
            .iter()
            .all(|v| !v.label_fr.is_empty() && !v.label_en.is_empty())
    );

    // Country and exposure filters.
    let german = run(
        &searcher,
        SearchRequest {
            filters: Filters {
                countries: vec![CountryCode::parse("DE").unwrap()],
                exposures: vec![ExposureLevel::High],
                ..Filters::default()
            },
            ..SearchRequest::default()
        },
    );
    assert!(
        german
            .hits
            .iter()
            .all(|h| h.country.as_str() == "DE" && h.exposure == ExposureLevel::High)
    );
    indexer.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_follow_each_other_without_repeating_or_skipping_in_every_sort() {
    let catalogue = Catalogue::loaded().await;
    let (indexer, searcher) = catalogue.indexed().await;
    for sort in [
        Sort::Relevance,
        Sort::Name,
        Sort::QualificationEnd,
        Sort::QualificationEndDesc,
    ] {
        for query in ["", "cloud"] {
            let whole = run(
                &searcher,
                SearchRequest {
                    query: query.into(),
                    sort,
                    limit: 100,
                    ..SearchRequest::default()
                },
            );
            let (paged, total) = all_pages(
                &searcher,
                SearchRequest {
                    query: query.into(),
                    sort,
                    limit: 7,
                    ..SearchRequest::default()
                },
            );
            assert_eq!(total, whole.total);
            let paged: Vec<String> = paged.into_iter().map(|(key, _)| key).collect();
            let expected: Vec<String> = keys(&whole).into_iter().take(100).collect();
            assert_eq!(paged[..expected.len()], expected[..], "{sort:?} {query:?}");
            assert_eq!(paged.len() as u64, whole.total, "{sort:?} {query:?}");
            // An export reads the same hits in the same order, in batches, from one pass.
            let mut export = searcher
                .export(&SearchRequest {
                    query: query.into(),
                    sort,
                    ..SearchRequest::default()
                })
                .unwrap();
            assert_eq!(export.total() as u64, whole.total);
            let mut exported = Vec::new();
            loop {
                let batch = export.next_batch(11).unwrap();
                if batch.is_empty() {
                    break;
                }
                exported.extend(batch.iter().map(|h| format!("{}:{}", h.kind.code(), h.key)));
            }
            assert_eq!(exported, paged, "export {sort:?} {query:?}");
        }
    }
    let by_name = run(
        &searcher,
        SearchRequest {
            sort: Sort::Name,
            limit: 100,
            ..SearchRequest::default()
        },
    );
    let names: Vec<String> = by_name
        .hits
        .iter()
        .map(|h| registre_indexer::search::normalize(&h.name))
        .collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "alphabetical");
    let by_end = run(
        &searcher,
        SearchRequest {
            sort: Sort::QualificationEnd,
            limit: 100,
            ..SearchRequest::default()
        },
    );
    let ends: Vec<NaiveDate> = by_end
        .hits
        .iter()
        .filter_map(|h| h.attestations.qualified_until)
        .collect();
    assert!(ends.windows(2).all(|w| w[0] <= w[1]), "soonest end first");
    indexer.close().await.unwrap();
}

/// Every page of `request`, following the cursors: (kind:key, score) per hit, and the total every
/// page gives.
fn all_pages(searcher: &Searcher, request: SearchRequest) -> (Vec<(String, f32)>, u64) {
    first_pages(searcher, request, usize::MAX)
}

/// The first `pages` pages of `request`, as `all_pages`.
fn first_pages(
    searcher: &Searcher,
    request: SearchRequest,
    pages: usize,
) -> (Vec<(String, f32)>, u64) {
    let mut hits = Vec::new();
    let mut total = None;
    let mut cursor = None;
    for _ in 0..pages {
        let page = run(
            searcher,
            SearchRequest {
                cursor,
                ..request.clone()
            },
        );
        assert_eq!(*total.get_or_insert(page.total), page.total, "{request:?}");
        hits.extend(
            page.hits
                .iter()
                .map(|h| (format!("{}:{}", h.kind.code(), h.key), h.score)),
        );
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    (hits, total.unwrap_or_default())
}

/// A generation's metadata, as JSON.
fn generation_meta(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Rewrites a merged generation's metadata as a stop in the middle of its merge leaves it; returns
/// the metadata's path.
fn mark_unmerged(settings: &IndexerSettings, generation: &str) -> PathBuf {
    let path = settings
        .directory
        .join(generation)
        .join("registre-index.json");
    let mut meta = generation_meta(&path);
    assert_eq!(meta["merged"], true);
    meta["merged"] = false.into();
    std::fs::write(&path, meta.to_string()).unwrap();
    path
}

/// A generation is published before its merge ends: when the process stops in between, the next
/// open finds it unmerged (its metadata says so) and merges it then.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generation_whose_merge_was_cut_short_is_merged_when_next_opened() {
    let catalogue = Catalogue::loaded().await;
    let mut settings = catalogue.three_segments();
    let (mut indexer, _) = Indexer::open(catalogue.store.clone(), settings.clone()).unwrap();
    let report = indexer.rebuild().await.unwrap();
    indexer.close().await.unwrap();
    // Three segments, one per search thread; then the metadata of a merge that never ended.
    let meta_path = mark_unmerged(&settings, &report.generation);

    settings.search_threads = 1;
    let (mut indexer, searcher) = Indexer::open(catalogue.store.clone(), settings.clone()).unwrap();
    assert!(!indexer.needs_rebuild());
    assert_eq!(searcher.status().documents, report.documents);
    indexer.settle().await.unwrap();
    assert_eq!(searcher.status().segments, 1);
    assert_eq!(
        searcher.status().generation.as_deref(),
        Some(report.generation.as_str())
    );
    assert_eq!(generation_meta(&meta_path)["merged"], true);
    assert_eq!(indexed_keys(&searcher), dataset_keys());
    indexer.close().await.unwrap();

    // Merged now: opening again leaves the segment as it is.
    let (indexer, searcher) = Indexer::open(catalogue.store.clone(), settings).unwrap();
    assert_eq!(searcher.status().segments, 1);
    indexer.close().await.unwrap();
}

/// A merge of several groups (here the three segments of a rebuild and those of three later
/// commits, into two) runs them one after the other, on a writer opened with tantivy's own merge
/// policy: every document stays searchable, and the index ends with one segment per search thread.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merge_of_several_groups_merges_them_in_turn_and_keeps_every_document() {
    let catalogue = Catalogue::loaded().await;
    let mut settings = catalogue.three_segments();
    settings.events_per_batch = 2;
    let (mut indexer, _) = Indexer::open(catalogue.store.clone(), settings.clone()).unwrap();
    let report = indexer.rebuild().await.unwrap();
    indexer.settle().await.unwrap();
    let tixeo = supplier_id(&catalogue.store, "tixeo").await;
    bulk_write(&catalogue.store, tixeo, 6, "later").await;
    assert_eq!(indexer.catch_up().await.unwrap(), 6);
    indexer.close().await.unwrap();
    let meta_path = mark_unmerged(&settings, &report.generation);

    settings.search_threads = 2;
    let (mut indexer, searcher) = Indexer::open(catalogue.store.clone(), settings).unwrap();
    let before = searcher.status().segments;
    assert!(before >= 6, "{before} segments: two groups of several");
    indexer.settle().await.unwrap();
    assert_eq!(searcher.status().segments, 2);
    let mut expected = dataset_keys();
    expected.extend((0..6).map(|n| format!("offer:later-{n}")));
    assert_eq!(indexed_keys(&searcher), expected);
    assert_eq!(generation_meta(&meta_path)["merged"], true);
    indexer.close().await.unwrap();
}

/// The segments of a search share the floor of their pages (a segment collected after another, or
/// beside it, turns away what cannot pass the other's full page): the pages are those of one
/// segment, whether three segments are collected one after another or side by side.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_the_same_over_one_segment_or_three_in_any_order() {
    let catalogue = Catalogue::loaded().await;
    let (indexer, whole) = catalogue.indexed().await;
    assert_eq!(whole.status().segments, 1);
    let mut settings = catalogue.three_segments();
    let (mut split_indexer, _) = Indexer::open(catalogue.store.clone(), settings.clone()).unwrap();
    split_indexer.rebuild().await.unwrap();
    split_indexer.close().await.unwrap();
    let queries = [
        "cloud",
        "hébergement données de santé",
        "visioconference",
        "messagerie",
    ];
    for threads in [1, 3] {
        settings.search_threads = threads;
        let (split_indexer, split) =
            Indexer::open(catalogue.store.clone(), settings.clone()).unwrap();
        assert_eq!(split.status().segments, 3, "{threads} search threads");
        for query in queries {
            for limit in [1, 3, 7] {
                let request = SearchRequest {
                    query: query.into(),
                    limit,
                    ..SearchRequest::default()
                };
                let expected = all_pages(&whole, request.clone());
                assert!(
                    expected.0.len() > 2 * limit,
                    "{query:?}: {} hits",
                    expected.0.len()
                );
                assert_eq!(
                    all_pages(&split, request),
                    expected,
                    "{query:?} by {limit}, {threads} search threads"
                );
            }
        }
        split_indexer.close().await.unwrap();
    }
    indexer.close().await.unwrap();
}

/// `count` offers of one supplier, as import lines: "cloud" in the names of a few, in the short
/// descriptions of some, once in long descriptions in most, so that the blocks of a segment have
/// ceilings far apart.
fn cloud_offers(count: usize) -> String {
    let categories = ["iaas", "paas", "file_storage", "messaging", "coediting"];
    (0..count)
        .map(|n| {
            let name = match n % 97 {
                0 => format!("Cloud {n}"),
                _ => format!("Offre {n}"),
            };
            let padding = "service hébergé et exploité en France ".repeat(n % 11);
            let kind = if n % 7 == 0 { "souverain" } else { "public" };
            format!(
                r#"{{"record":"offer","key":"many-{n}","supplier":"ale","name":"{name}","category":"{}","description_fr":"{padding}cloud {kind}","description_en":"{kind} cloud","deployment_models":[],"licences":[],"hosting_locations":[],"suite_class":null,"suite_tier":null,"suite_role":null,"url":null,"source_repo":null,"alternative_to":[],"unverified":[],"notes":null,"references":["bg"],"confidence":"low"}}"#,
                categories[n % categories.len()]
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// By relevance a search walks first the blocks of the highest ceilings, then those left that
/// still reach its page's floor, with a second scorer for the blocks the first one has passed:
/// over thousands of documents and three segments, with a first pass of one document per kept
/// one (most blocks left to the second pass), the first pages are those of one segment walked in
/// order (each segment is also checked against the document-at-a-time pass in debug builds).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_pass_over_the_highest_ceilings_gives_the_pages_of_a_walk_in_order() {
    let catalogue = Catalogue::loaded().await;
    let report = catalogue
        .store
        .import(&cloud_offers(3_000), "test")
        .await
        .unwrap();
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    let mut settings = catalogue.settings();
    settings.search_threads = 1;
    settings.first_pass = usize::MAX;
    let (mut indexer, in_order) = Indexer::open(catalogue.store.clone(), settings.clone()).unwrap();
    indexer.rebuild().await.unwrap();
    indexer.settle().await.unwrap();
    assert_eq!(in_order.status().segments, 1);
    let mut settings = catalogue.three_segments();
    settings.first_pass = 1;
    let (mut split_indexer, first_pass) = Indexer::open(catalogue.store.clone(), settings).unwrap();
    split_indexer.rebuild().await.unwrap();
    split_indexer.settle().await.unwrap();
    assert_eq!(first_pass.status().segments, 3);
    for query in ["cloud", "cloud souverain", "service cloud"] {
        for limit in [1, 3, 20] {
            let request = SearchRequest {
                query: query.into(),
                limit,
                ..SearchRequest::default()
            };
            let expected = first_pages(&in_order, request.clone(), 4);
            assert!(expected.0.len() == 4 * limit, "{query:?}: {expected:?}");
            assert!(expected.1 > 400, "{query:?}: {} hits", expected.1);
            assert_eq!(
                first_pages(&first_pass, request, 4),
                expected,
                "{query:?} by {limit}"
            );
        }
    }
    split_indexer.close().await.unwrap();
    indexer.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hits_carry_highlights_explanations_and_ties_broken_by_qualification() {
    let catalogue = Catalogue::loaded().await;
    let (indexer, searcher) = catalogue.indexed().await;
    let results = run(
        &searcher,
        SearchRequest {
            query: "visioconférence chiffrée".into(),
            explain: true,
            ..SearchRequest::default()
        },
    );
    let tixeo = results
        .hits
        .iter()
        .find(|h| h.key == "tixeo-meeting")
        .unwrap();
    let description = tixeo
        .highlights
        .iter()
        .find(|h| h.field == HighlightField::DescriptionFr)
        .unwrap();
    assert!(description.html.contains("<mark>"));
    let (start, end) = description.ranges[0];
    let marked: String = description
        .text
        .chars()
        .skip(start)
        .take(end - start)
        .collect();
    assert!(
        marked.to_lowercase().starts_with("visioconf")
            || marked.to_lowercase().starts_with("chiffr")
    );
    let explanation = tixeo.explanation.as_ref().unwrap();
    assert!(explanation.summary.contains("qualification"));
    assert!(explanation.details.is_object());
    assert!((explanation.score - tixeo.score).abs() < 1e-4);

    // Among hits of equal relevance, one valid today comes before one in progress, before none.
    let alternatives = run(
        &searcher,
        SearchRequest {
            query: "alternative to AWS".into(),
            limit: 40,
            ..SearchRequest::default()
        },
    );
    let ranks: Vec<(u32, u8)> = alternatives
        .hits
        .iter()
        .map(|h| {
            (
                (h.score * 100.0).round() as u32,
                h.attestations.qualification.rank(),
            )
        })
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] >= w[1]), "{ranks:?}");
    indexer.close().await.unwrap();
}

/// Display names of the bundled dataset's suppliers and offers, normalised as the index keeps them
/// for sorting: lowercase, accents folded.
fn dataset_names() -> Vec<String> {
    dataset_rows()
        .filter_map(|row| match row["record"].as_str() {
            Some("offer") => row["name"].as_str().map(str::to_owned),
            Some("supplier") => row["trade_names"][0]
                .as_str()
                .or(row["legal_name"].as_str())
                .map(str::to_owned),
            _ => None,
        })
        .map(|name| registre_indexer::search::normalize(&name))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggestions_of_prefixes_many_names_start_with_rank_those_names_first() {
    let catalogue = Catalogue::loaded().await;
    let (indexer, searcher) = catalogue.indexed().await;
    let names = dataset_names();
    let mut prefixes: BTreeSet<String> = BTreeSet::new();
    for name in &names {
        for length in 2..=4 {
            if let Some((end, _)) = name.char_indices().nth(length) {
                prefixes.insert(name[..end].to_owned());
            }
        }
    }
    // Prefixes that at least 3 × limit display names start with: those names rank first.
    let mut checked = 0;
    for prefix in &prefixes {
        let starting = names
            .iter()
            .filter(|n| n.starts_with(prefix.as_str()))
            .count();
        for limit in [1, 3, 10] {
            let suggestions = searcher.suggest(prefix, limit).unwrap();
            assert!(suggestions.len() <= limit);
            if starting >= 3 * limit {
                checked += 1;
                assert_eq!(suggestions.len(), limit, "{prefix:?}");
                let starts: Vec<bool> = suggestions
                    .iter()
                    .map(|s| {
                        registre_indexer::search::normalize(&s.text).starts_with(prefix.as_str())
                    })
                    .collect();
                assert!(starts.iter().all(|s| *s), "{prefix:?}: {suggestions:?}");
            }
        }
    }
    assert!(checked >= 20, "only {checked} prefixes and limits checked");
    indexer.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggestions_complete_names_and_bad_requests_are_refused() {
    let catalogue = Catalogue::loaded().await;
    let (indexer, searcher) = catalogue.indexed().await;
    let suggestions = searcher.suggest("sca", 10).unwrap();
    let texts: Vec<&str> = suggestions.iter().map(|s| s.text.as_str()).collect();
    assert!(
        texts.contains(&"Scaleway") && texts.contains(&"Scalingo"),
        "{texts:?}"
    );
    assert!(
        texts.iter().all(|t| t.to_lowercase().starts_with("sca")),
        "{texts:?}"
    );
    assert!(
        searcher
            .suggest("thales cl", 10)
            .unwrap()
            .iter()
            .any(|s| s.key == "s3ns")
    );
    assert!(searcher.suggest("s", 10).unwrap().is_empty());
    assert!(searcher.suggest("ov", 3).unwrap().len() <= 3);

    let long = "a".repeat(201);
    assert!(matches!(
        searcher.search(&SearchRequest::text(long)),
        Err(SearchError::QueryTooLong { .. })
    ));
    let limit = SearchRequest {
        limit: 101,
        ..SearchRequest::default()
    };
    assert!(matches!(
        searcher.search(&limit),
        Err(SearchError::LimitOutOfRange { .. })
    ));
    let garbage = SearchRequest {
        cursor: Some("%%%".into()),
        ..SearchRequest::default()
    };
    assert!(matches!(
        searcher.search(&garbage),
        Err(SearchError::InvalidCursor(_))
    ));
    let page = run(
        &searcher,
        SearchRequest {
            query: "cloud".into(),
            limit: 2,
            ..SearchRequest::default()
        },
    );
    let other = SearchRequest {
        query: "visio".into(),
        limit: 2,
        cursor: page.next_cursor,
        ..SearchRequest::default()
    };
    assert!(
        matches!(searcher.search(&other), Err(SearchError::InvalidCursor(_))),
        "a cursor from another search"
    );
    indexer.close().await.unwrap();
}

// ---------------------------------------------------------------------------------------------
// Relevance

#[derive(serde::Deserialize)]
struct Judged {
    query: String,
    #[serde(default)]
    filters: HashMap<String, serde_json::Value>,
    relevant: HashMap<String, u32>,
    why: String,
}

fn codes<V: Vocabulary>(value: &serde_json::Value) -> Vec<V> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| V::parse(v.as_str().unwrap()).unwrap())
        .collect()
}

fn filters_of(raw: &HashMap<String, serde_json::Value>) -> Filters {
    let mut filters = Filters::default();
    for (name, value) in raw {
        match name.as_str() {
            "kind" => filters.kinds = codes(value),
            "category" => filters.categories = codes(value),
            "scheme" => filters.schemes = codes(value),
            "valid_today" => filters.valid_today = value.as_bool(),
            "open_source" => filters.open_source = value.as_bool(),
            "country" => {
                filters.countries = value
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| CountryCode::parse(c.as_str().unwrap()).unwrap())
                    .collect()
            }
            other => panic!("unknown filter {other} in relevance.jsonl"),
        }
    }
    filters
}

/// nDCG@10 with gains 2^grade - 1, and the reciprocal rank of the first relevant hit in the top 10.
fn scores(ranked: &[String], relevant: &HashMap<String, u32>) -> (f64, f64) {
    let gain = |grade: u32| f64::from((1u32 << grade) - 1);
    let dcg: f64 = ranked
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, key)| gain(*relevant.get(key).unwrap_or(&0)) / ((i + 2) as f64).log2())
        .sum();
    let mut ideal: Vec<u32> = relevant.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, grade)| gain(*grade) / ((i + 2) as f64).log2())
        .sum();
    let reciprocal = ranked
        .iter()
        .take(10)
        .position(|key| relevant.get(key).is_some_and(|g| *g > 0))
        .map_or(0.0, |i| 1.0 / (i + 1) as f64);
    (if idcg > 0.0 { dcg / idcg } else { 0.0 }, reciprocal)
}

/// The judgments were written from the dataset before the first run. Measurements (82 queries):
/// - first honest measurement: nDCG@10 = 0.8384, MRR = 0.9421 (thresholds were set then at 0.83 / 0.94);
/// - after weighing inherited labels (a supplier's offers' kinds, an offer's supplier-wide
///   attestations) at 0.5, looking bare product names up in names only, and ranking La Suite
///   numérique's tiers first among alternatives: nDCG@10 = 0.9037, MRR = 0.9878.
///
/// The thresholds follow the ranking as it improves, just under the latest measurement; never lower
/// them to make a change pass.
const MIN_NDCG: f64 = 0.90;
const MIN_MRR: f64 = 0.98;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relevance_over_the_judged_queries_stays_above_its_thresholds() {
    let judged: Vec<Judged> = include_str!("data/relevance.jsonl")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(judged.len() >= 60);
    let catalogue = Catalogue::loaded().await;
    let (indexer, searcher) = catalogue.indexed().await;
    let (mut ndcg_sum, mut mrr_sum) = (0.0, 0.0);
    let mut report = String::new();
    for case in &judged {
        let results = run(
            &searcher,
            SearchRequest {
                query: case.query.clone(),
                filters: filters_of(&case.filters),
                limit: 10,
                ..SearchRequest::default()
            },
        );
        let ranked = keys(&results);
        let (ndcg, reciprocal) = scores(&ranked, &case.relevant);
        ndcg_sum += ndcg;
        mrr_sum += reciprocal;
        report.push_str(&format!(
            "{ndcg:.3} {reciprocal:.2}  {:<40} {:<50} {}\n",
            case.query,
            case.why,
            ranked.iter().take(5).cloned().collect::<Vec<_>>().join(" ")
        ));
    }
    let count = judged.len() as f64;
    let (ndcg, mrr) = (ndcg_sum / count, mrr_sum / count);
    eprintln!(
        "{report}\n{} judged queries: nDCG@10 = {ndcg:.4}, MRR = {mrr:.4}",
        judged.len()
    );
    assert!(ndcg >= MIN_NDCG, "nDCG@10 {ndcg:.4} fell under {MIN_NDCG}");
    assert!(mrr >= MIN_MRR, "MRR {mrr:.4} fell under {MIN_MRR}");
    indexer.close().await.unwrap();
}
