//! The write side: [`Indexer`], the only writer of the index.
//!
//! Lifecycle:
//! 1. `open` opens the live generation when its schema version is the code's, and installs it in the
//!    [`Searcher`] at once; otherwise the searcher stays "not ready" until a rebuild.
//! 2. `prepare` rebuilds when needed — into a fresh generation, validated (its document count equals
//!    the suppliers and offers read, and the database's counts when nothing was written meanwhile),
//!    then published by an atomic rename — and catches up with the audit trail. The new generation's
//!    segments are then merged in the background (see `segments` and [`Indexer::settle`]).
//! 3. `run` polls the audit trail (every 200 ms by default): the suppliers touched by new events are
//!    re-indexed as whole groups (the supplier and all its offers, plus the offers that name a changed
//!    offer as replaced), and the commit carries the restart point in its payload. After a crash the
//!    index reopens at its last commit and replays the events after that point.
//! 4. Once a day, documents whose computed facts depend on the date (an attestation ending or
//!    starting) are re-indexed, found by their `recheck_on` day.

use std::collections::BTreeSet;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use registre_store::{CatalogueSlice, Store, StoreError};
use serde::{Deserialize, Serialize};
use tantivy::collector::DocSetCollector;
use tantivy::merge_policy::NoMergePolicy;
use tantivy::query::RangeQuery;
use tantivy::{Index, IndexWriter, ReloadPolicy, Term, Warmer};

use super::analysis;
use super::document::{day_number, records_of};
use super::events::EventCursor;
use super::layout::{GenerationMeta, Layout};
use super::parallel::SearchThreads;
use super::schema::{self, Fields, schema_version};
use super::searcher::{LiveIndex, Searcher};
use super::segments::merge_live;
use super::warm::SegmentCache;

/// How the indexer works; `IndexerSettings::new(dir)` gives the defaults.
#[derive(Debug, Clone)]
pub struct IndexerSettings {
    /// `<data_dir>/index`.
    pub directory: PathBuf,
    /// Pause between two looks at the audit trail.
    pub poll_interval: Duration,
    /// Events read per batch; each batch is one commit.
    pub events_per_batch: u64,
    /// Suppliers read per slice during a rebuild.
    pub suppliers_per_slice: u64,
    /// Memory of the tantivy writer, in bytes (shared by its threads).
    pub writer_memory: usize,
    pub writer_threads: usize,
    /// How long a hole in the event ids is waited for (see `events`).
    pub gap_grace: Duration,
    /// A fixed "today" (tests); `None` is the current UTC date.
    pub today: Option<NaiveDate>,
    /// Threads a search may share its segments out to while fewer searches run than this (see
    /// `parallel`); 1 searches each segment in turn on the caller's thread.
    pub search_threads: usize,
    /// By relevance, documents a search walks first per document of its page, in the blocks of
    /// the highest ceilings (see `collector`); the tests lower it so that the blocks left after the
    /// first pass are many.
    pub first_pass: usize,
}

impl IndexerSettings {
    pub fn new(directory: impl Into<PathBuf>) -> Self {
        Self {
            directory: directory.into(),
            poll_interval: Duration::from_millis(200),
            events_per_batch: 1_000,
            suppliers_per_slice: 500,
            writer_memory: 128 * 1024 * 1024,
            writer_threads: 2,
            gap_grace: Duration::from_secs(5),
            today: None,
            search_threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            first_pass: 256,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IndexerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index files: {0}")]
    Io(#[from] std::io::Error),
    /// A rebuilt generation failed its checks and was discarded.
    #[error("rebuilt index rejected: {0}")]
    Invalid(String),
    #[error("index task failed: {0}")]
    Task(String),
}

/// What a rebuild did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebuildReport {
    pub generation: String,
    pub documents: u64,
    /// The audit event the rebuilt index is consistent with (later ones are replayed).
    pub event: i64,
}

/// What one batch of events did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Staged {
    pub events: usize,
    /// Supplier groups re-indexed.
    pub groups: usize,
}

/// Carried in each tantivy commit: where to resume.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Checkpoint {
    /// Every audit event up to this id is in the index.
    event: i64,
    /// The day the documents' computed facts hold for.
    day: NaiveDate,
}

struct Writable {
    live: Arc<LiveIndex>,
    writer: Arc<Mutex<IndexWriter>>,
}

/// The single writer of the search index.
pub struct Indexer {
    store: Store,
    settings: IndexerSettings,
    layout: Layout,
    searcher: Searcher,
    writable: Option<Writable>,
    cursor: EventCursor,
    day: NaiveDate,
    /// Documents written since the last commit.
    dirty: bool,
    /// Shared by every generation's searches.
    threads: Arc<SearchThreads>,
    /// The thread bringing a live generation's merged segments live (see `segments`).
    merging: Option<std::thread::JoinHandle<Result<(), IndexerError>>>,
}

fn today(settings: &IndexerSettings) -> NaiveDate {
    settings
        .today
        .unwrap_or_else(|| chrono::Utc::now().date_naive())
}

fn open_index(directory: &Path) -> Result<(Index, Fields), IndexerError> {
    let index = Index::open_in_dir(directory)?;
    analysis::register(index.tokenizers());
    let fields = schema::fields_of(&index.schema())?;
    Ok((index, fields))
}

fn live_index(
    index: Index,
    fields: Fields,
    directory: &Path,
    threads: Arc<SearchThreads>,
    first_pass: usize,
) -> Result<LiveIndex, IndexerError> {
    let segments = Arc::new(SegmentCache::default());
    let warmer: Weak<dyn Warmer> = Arc::downgrade(&segments) as Weak<dyn Warmer>;
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .warmers(vec![warmer])
        .try_into()?;
    let generation = directory
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(LiveIndex {
        reader,
        fields,
        generation,
        segments,
        threads,
        first_pass,
        reloading: Mutex::new(()),
    })
}

fn checkpoint_of(index: &Index) -> Option<Checkpoint> {
    let payload = index.load_metas().ok()?.payload?;
    serde_json::from_str(&payload).ok()
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, IndexerError> + Send + 'static,
) -> Result<T, IndexerError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| IndexerError::Task(e.to_string()))?
}

impl Indexer {
    /// Opens the live index when it exists under the current schema version (the returned
    /// [`Searcher`] is then ready); takes the writer lock.
    pub fn open(store: Store, settings: IndexerSettings) -> Result<(Self, Searcher), IndexerError> {
        let layout = Layout::new(&settings.directory)?;
        let searcher = Searcher::default();
        let wanted = schema_version();
        let current = layout.current().and_then(|dir| {
            let meta = Layout::read_meta(&dir).filter(|meta| meta.schema == wanted)?;
            Some((dir, meta.merged))
        });
        let mut indexer = Self {
            cursor: EventCursor::new(0, settings.gap_grace),
            day: today(&settings),
            store,
            layout,
            searcher: searcher.clone(),
            writable: None,
            dirty: false,
            threads: Arc::new(SearchThreads::new(settings.search_threads)),
            merging: None,
            settings,
        };
        match current {
            Some((directory, merged)) => {
                let (index, fields) = open_index(&directory)?;
                let checkpoint = checkpoint_of(&index);
                let writer = index.writer_with_num_threads(
                    indexer.settings.writer_threads,
                    indexer.settings.writer_memory,
                )?;
                let live = Arc::new(live_index(
                    index,
                    fields,
                    &directory,
                    indexer.threads.clone(),
                    indexer.settings.first_pass,
                )?);
                if let Some(checkpoint) = &checkpoint {
                    indexer.cursor = EventCursor::new(checkpoint.event, indexer.settings.gap_grace);
                    indexer.day = checkpoint.day;
                }
                searcher.install(live.clone());
                indexer.layout.remove_others(Some(&directory));
                tracing::info!(
                    generation = %live.generation,
                    documents = live.reader.searcher().num_docs(),
                    event = checkpoint.as_ref().map_or(0, |c| c.event),
                    "search index opened"
                );
                indexer.writable = Some(Writable {
                    live,
                    writer: Arc::new(Mutex::new(writer)),
                });
                if !merged {
                    tracing::info!("the live generation's merge was cut short: merging again");
                    indexer.start_merging(directory);
                }
            }
            None => {
                tracing::info!(
                    directory = %indexer.layout.root().display(),
                    "no search index under the current schema: it will be rebuilt"
                );
                indexer.layout.remove_others(None);
            }
        }
        Ok((indexer, searcher))
    }

    pub fn searcher(&self) -> Searcher {
        self.searcher.clone()
    }

    /// Whether the index must be rebuilt before it can answer.
    pub fn needs_rebuild(&self) -> bool {
        self.writable.is_none()
    }

    /// Rebuilds if needed, then applies every pending event: afterwards the index matches the database.
    pub async fn prepare(&mut self) -> Result<(), IndexerError> {
        if self.needs_rebuild() {
            self.rebuild().await?;
        }
        self.catch_up().await?;
        Ok(())
    }

    /// Builds a complete new generation from the database and makes it the live one. Its segments
    /// are merged afterwards, in the background (see [`Indexer::settle`]).
    pub async fn rebuild(&mut self) -> Result<RebuildReport, IndexerError> {
        self.settle().await?;
        let started = Instant::now();
        let snapshot = self.store.last_event_id().await?;
        let day = today(&self.settings);
        let directory = self.layout.new_generation()?;
        let outcome = self.build_generation(&directory, snapshot, day).await;
        let (live, writer, documents) = match outcome {
            Ok(built) => built,
            Err(error) => {
                let _ = std::fs::remove_dir_all(&directory);
                return Err(error);
            }
        };
        self.layout.publish(&directory)?;
        let live = Arc::new(live);
        self.searcher.install(live.clone());
        let previous = self.writable.replace(Writable {
            live: live.clone(),
            writer: Arc::new(Mutex::new(writer)),
        });
        if let Some(previous) = previous {
            // The old writer must let go of its files before they are removed.
            blocking(move || {
                drop(previous);
                Ok(())
            })
            .await?;
        }
        self.layout.remove_others(Some(&directory));
        self.start_merging(directory);
        self.cursor = EventCursor::new(snapshot, self.settings.gap_grace);
        self.day = day;
        self.dirty = false;
        tracing::info!(
            generation = %live.generation,
            documents,
            event = snapshot,
            seconds = started.elapsed().as_secs_f64(),
            "search index rebuilt"
        );
        Ok(RebuildReport {
            generation: live.generation.clone(),
            documents,
            event: snapshot,
        })
    }

    async fn build_generation(
        &self,
        directory: &Path,
        snapshot: i64,
        day: NaiveDate,
    ) -> Result<(LiveIndex, IndexWriter, u64), IndexerError> {
        let (schema, fields) = schema::build();
        let index = Index::builder()
            .schema(schema)
            .settings(schema::settings())
            .create_in_dir(directory)?;
        analysis::register(index.tokenizers());
        let mut writer: IndexWriter = index
            .writer_with_num_threads(self.settings.writer_threads, self.settings.writer_memory)?;
        // The segments are merged once, at the end (see `merge_into`), not level by level meanwhile.
        writer.set_merge_policy(Box::new(NoMergePolicy));
        let mut after = None;
        let mut added: u64 = 0;
        loop {
            let slice = self
                .store
                .catalogue_slice(after, self.settings.suppliers_per_slice)
                .await?;
            let Some(last) = slice.suppliers.last() else {
                break;
            };
            after = Some(last.id);
            for record in records_of(&slice, day) {
                writer.add_document(record.to_document(&fields))?;
                added += 1;
            }
        }
        let payload = serde_json::to_string(&Checkpoint {
            event: snapshot,
            day,
        })
        .expect("a checkpoint serialises");
        let writer = blocking(move || {
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload(&payload);
            prepared.commit()?;
            Ok(writer)
        })
        .await?;
        let live = live_index(
            index,
            fields,
            directory,
            self.threads.clone(),
            self.settings.first_pass,
        )?;
        live.reload()?;
        let documents = live.reader.searcher().num_docs();
        if documents != added {
            return Err(IndexerError::Invalid(format!(
                "{documents} documents in the index for {added} records read"
            )));
        }
        let (suppliers, offers) = self.store.catalogue_counts().await?;
        let quiet = self.store.last_event_id().await? == snapshot;
        if quiet && documents != suppliers + offers {
            return Err(IndexerError::Invalid(format!(
                "{documents} documents for {suppliers} suppliers and {offers} offers in the database"
            )));
        }
        Layout::write_meta(
            directory,
            &GenerationMeta {
                schema: schema_version(),
                documents,
                built_at: chrono::Utc::now().to_rfc3339(),
                merged: false,
            },
        )?;
        Ok((live, writer, documents))
    }

    fn writable(&self) -> Result<&Writable, IndexerError> {
        self.writable
            .as_ref()
            .ok_or_else(|| IndexerError::Invalid("the index is not built yet".to_owned()))
    }

    /// Re-indexes whole supplier groups from the current database state (a group that no longer
    /// exists is only removed). Does not commit.
    async fn reindex_groups(&mut self, groups: &BTreeSet<i64>) -> Result<(), IndexerError> {
        let day = today(&self.settings);
        let ids: Vec<i64> = groups.iter().copied().collect();
        for chunk in ids.chunks(self.settings.suppliers_per_slice.max(1) as usize) {
            let slice: CatalogueSlice = self.store.catalogue_of_suppliers(chunk).await?;
            let records = records_of(&slice, day);
            let writable = self.writable()?;
            let fields = &writable.live.fields;
            let writer = writable.writer.lock().unwrap_or_else(|e| e.into_inner());
            for group in chunk {
                writer.delete_term(Term::from_field_u64(fields.group, *group as u64));
            }
            for record in &records {
                writer.add_document(record.to_document(fields))?;
            }
        }
        self.dirty |= !groups.is_empty();
        Ok(())
    }

    /// Applies one batch of pending events to the writer, without committing. The follow loop commits
    /// after each batch; a crash between the two loses only uncommitted work, replayed on restart.
    pub async fn stage_pending(&mut self) -> Result<Staged, IndexerError> {
        self.writable()?;
        let mut events = self
            .store
            .index_events_after(self.cursor.high_water(), self.settings.events_per_batch)
            .await?;
        let missing = self.cursor.missing();
        if !missing.is_empty() {
            events.extend(self.store.index_events_among(&missing).await?);
        }
        let ids: Vec<i64> = events.iter().map(|e| e.id).collect();
        let mut groups: BTreeSet<i64> = events
            .iter()
            .flat_map(|e| e.supplier_ids.iter().copied())
            .collect();
        let offers: Vec<i64> = events
            .iter()
            .filter(|e| e.entity == "offer")
            .map(|e| e.entity_id)
            .collect();
        groups.extend(self.store.suppliers_of_offers_replacing(&offers).await?);
        self.reindex_groups(&groups).await?;
        self.cursor.applied(&ids, Instant::now());
        Ok(Staged {
            events: ids.len(),
            groups: groups.len(),
        })
    }

    /// Commits what was staged, with the restart point, and lets searches see it.
    pub async fn commit(&mut self) -> Result<(), IndexerError> {
        let writable = self.writable()?;
        let writer = writable.writer.clone();
        let live = writable.live.clone();
        let payload = serde_json::to_string(&Checkpoint {
            event: self.cursor.floor(),
            day: self.day,
        })
        .expect("a checkpoint serialises");
        blocking(move || {
            let mut writer = writer.lock().unwrap_or_else(|e| e.into_inner());
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload(&payload);
            prepared.commit()?;
            drop(writer);
            live.reload()?;
            Ok(())
        })
        .await?;
        self.dirty = false;
        Ok(())
    }

    /// Applies every pending event (and the day's re-checks), committing after each batch. Returns the
    /// number of events applied.
    pub async fn catch_up(&mut self) -> Result<usize, IndexerError> {
        let mut applied = 0;
        let before = self.cursor.floor();
        loop {
            let staged = self.stage_pending().await?;
            applied += staged.events;
            if staged.events == 0 {
                break;
            }
            self.commit().await?;
        }
        let day = today(&self.settings);
        if day != self.day {
            self.recheck(day).await?;
        }
        // A hole given up on moves the restart point without any new event.
        if self.dirty || self.cursor.floor() != before {
            self.commit().await?;
        }
        Ok(applied)
    }

    /// Re-indexes the groups holding a document whose computed facts may change by `day`.
    async fn recheck(&mut self, day: NaiveDate) -> Result<(), IndexerError> {
        let writable = self.writable()?;
        let fields = writable.live.fields.clone();
        let searcher = writable.live.reader.searcher();
        let due = RangeQuery::new(
            std::ops::Bound::Unbounded,
            std::ops::Bound::Included(Term::from_field_u64(fields.recheck_on, day_number(day))),
        );
        let addresses = searcher.search(&due, &DocSetCollector)?;
        let mut groups = BTreeSet::new();
        for address in addresses {
            let column = searcher
                .segment_reader(address.segment_ord)
                .fast_fields()
                .u64("group")?;
            groups.extend(column.first(address.doc_id).map(|g| g as i64));
        }
        tracing::info!(%day, groups = groups.len(), "re-indexing records whose dates changed their facts");
        self.reindex_groups(&groups).await?;
        self.day = day;
        self.dirty = true;
        Ok(())
    }

    /// Prepares the index, then follows the audit trail until `shutdown` completes. Failures are logged
    /// and retried on the next tick: the searcher keeps answering from the last commit meanwhile.
    pub async fn run(
        mut self,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), IndexerError> {
        tokio::pin!(shutdown);
        let mut prepared = false;
        // Doubles after each failure (a database outage), up to 5 s, so the log is not flooded.
        let mut pause = self.settings.poll_interval;
        loop {
            let outcome = if prepared {
                self.catch_up().await.map(|_| ())
            } else {
                self.prepare().await
            };
            match outcome {
                Ok(()) => {
                    prepared = true;
                    pause = self.settings.poll_interval;
                }
                Err(error) => {
                    tracing::error!(%error, retry_in = ?pause, "search index update failed");
                    pause = (pause * 2).min(Duration::from_secs(5));
                }
            }
            tokio::select! {
                () = &mut shutdown => break,
                () = tokio::time::sleep(pause) => {}
            }
        }
        if prepared && let Err(error) = self.catch_up().await {
            tracing::warn!(%error, "last search index update before stopping failed");
        }
        self.close().await
    }

    /// Starts merging the live generation's segments (see `segments`). Failing to start leaves it
    /// answering from more segments, and unmerged: it is tried again on the next open.
    fn start_merging(&mut self, directory: PathBuf) {
        let Some(writable) = &self.writable else {
            return;
        };
        let parts = self.settings.search_threads.max(1);
        match merge_live(
            writable.writer.clone(),
            writable.live.clone(),
            directory,
            parts,
        ) {
            Ok(thread) => self.merging = Some(thread),
            Err(error) => tracing::warn!(%error, "cannot start merging the index segments"),
        }
    }

    /// Waits until the segments of the last rebuild (or of a generation whose merge was cut short)
    /// are merged and live. Searches are answered meanwhile; this is for whoever must know that the
    /// index has its final shape (the benchmark, tests, a clean stop).
    pub async fn settle(&mut self) -> Result<(), IndexerError> {
        if let Some(merging) = self.merging.take() {
            blocking(move || {
                merging
                    .join()
                    .map_err(|_| IndexerError::Task("the merging thread panicked".to_owned()))?
            })
            .await?;
        }
        Ok(())
    }

    /// Lets the writer finish its merges and release the index lock. A failed merge of the live
    /// generation is logged, not returned: the index is whole, and is merged again when next opened.
    pub async fn close(mut self) -> Result<(), IndexerError> {
        if let Err(error) = self.settle().await {
            tracing::warn!(%error, "merging the index segments failed: they are merged on the next open");
        }
        if let Some(writable) = self.writable.take() {
            let writer = writable.writer;
            blocking(move || {
                if let Ok(mutex) = Arc::try_unwrap(writer) {
                    let writer = mutex.into_inner().unwrap_or_else(|e| e.into_inner());
                    writer.wait_merging_threads()?;
                }
                Ok(())
            })
            .await?;
        }
        Ok(())
    }
}
