//! One search's segments collected on the idle cores.
//!
//! tantivy collects a query segment by segment, by default one after the other on the calling
//! thread. Here, on a quiet server, the segments of a search are shared between the calling thread
//! and a process-wide pool of one thread per other core, largest first, each thread taking the next
//! segment when it is done with one (longest processing time first): a search takes about the time
//! of its largest segment. When every core already has a search, a search runs on its own thread as
//! tantivy would: handing segments to busy threads would only add switching (measured: 15% less
//! throughput under two concurrent clients at 1M documents). So does a search on a server whose
//! cores were all taken in the last [`BUSY_WINDOW`]: under steady load a search finds itself alone
//! for the instant between a client's response and its next request, and sharing then took the
//! core the next search needed (two HTTP clients at 1M documents, eight alternated pairs: 694–973
//! searches/s, mean 867, without the window; 794–1,129, mean 986, with it). The fruits are
//! merged in segment order, as tantivy's own executor does. The page's hits (stored fields read,
//! highlights computed) are shared out the same way.

use std::cmp::Reverse;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tantivy::collector::Collector;
use tantivy::query::{EnableScoring, Query};
use tantivy::{Searcher, SegmentReader};

/// How long after searches last filled every thread a search still runs on its own thread: under
/// a steady load of as many concurrent searches as threads, a search often finds itself alone for
/// the instant a client takes to send its next request, and sharing its segments then only moves
/// work to a core that the next search needs.
const BUSY_WINDOW: Duration = Duration::from_millis(100);

/// The threads searches may share out their segments to, and the searches running.
pub(crate) struct SearchThreads {
    /// `None` with one thread (or if the pool cannot start): the calling thread does the work.
    pool: Option<rayon::ThreadPool>,
    running: AtomicUsize,
    /// When searches last filled every thread, in nanoseconds since `epoch` (0: never).
    busy_at: AtomicU64,
    busy_window: Duration,
    epoch: Instant,
}

impl std::fmt::Debug for SearchThreads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchThreads")
            .field(
                "threads",
                &self.pool.as_ref().map_or(1, threads_with_caller),
            )
            .finish()
    }
}

impl SearchThreads {
    /// `threads` threads in all: the calling one and a pool of the others (1: no pool).
    pub(crate) fn new(threads: usize) -> Self {
        Self::with_window(threads, BUSY_WINDOW)
    }

    /// As `new`, a search sharing its work only if no search filled every thread in the last
    /// `busy_window`.
    fn with_window(threads: usize, busy_window: Duration) -> Self {
        let pool = (threads > 1)
            .then(|| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads - 1)
                    .thread_name(|n| format!("registre-search-{n}"))
                    .build()
                    .inspect_err(|error| {
                        tracing::warn!(%error, "no search thread pool: one thread per search");
                    })
                    .ok()
            })
            .flatten();
        Self {
            pool,
            running: AtomicUsize::new(0),
            busy_at: AtomicU64::new(0),
            busy_window,
            epoch: Instant::now(),
        }
    }

    /// `searcher.search(query, collector)`, with the segments collected in parallel while fewer
    /// searches run than there are threads.
    pub(crate) fn search<C: Collector>(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        collector: &C,
    ) -> tantivy::Result<C::Fruit> {
        let scoring = if collector.requires_scoring() {
            EnableScoring::enabled_from_searcher(searcher)
        } else {
            EnableScoring::disabled_from_searcher(searcher)
        };
        let weight = query.weight(scoring)?;
        let readers = searcher.segment_readers();
        let collect = |ordinal: usize| {
            collector.collect_segment(weight.as_ref(), ordinal as u32, &readers[ordinal])
        };
        let running = Running::enter(&self.running);
        let fruits = match self.idle_pool(&running, readers.len()) {
            Some(pool) => collect_shared(pool, readers, &collect)?,
            None => (0..readers.len())
                .map(collect)
                .collect::<tantivy::Result<_>>()?,
        };
        drop(running);
        collector.merge_fruits(fruits)
    }

    /// `work(i)` for every `i` below `count`, in order: shared out to the pool's threads while
    /// fewer searches run than there are threads (a page's hits, read and highlighted), otherwise
    /// done on the calling thread.
    pub(crate) fn map<T: Send>(&self, count: usize, work: impl Fn(usize) -> T + Sync) -> Vec<T> {
        let running = Running::enter(&self.running);
        match self.idle_pool(&running, count) {
            Some(pool) => shared(pool, count, work),
            None => (0..count).map(work).collect(),
        }
    }

    /// The pool, when `items` pieces of work are worth sharing out: more than one, fewer searches
    /// running than there are threads when `running` started, and none that filled them in the
    /// last `busy_window`.
    fn idle_pool(&self, running: &Running<'_>, items: usize) -> Option<&rayon::ThreadPool> {
        let pool = self.pool.as_ref()?;
        let now = self.nanos();
        if !running.alone(threads_with_caller(pool)) {
            self.busy_at.store(now, Ordering::Relaxed);
            return None;
        }
        let busy_at = self.busy_at.load(Ordering::Relaxed);
        let quiet =
            busy_at == 0 || now.saturating_sub(busy_at) > self.busy_window.as_nanos() as u64;
        (items > 1 && quiet).then_some(pool)
    }

    /// Nanoseconds since `epoch`, at least 1.
    fn nanos(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_nanos())
            .unwrap_or(u64::MAX)
            .max(1)
    }
}

/// The threads a search shared out to `pool` runs on: the pool's and the caller's.
fn threads_with_caller(pool: &rayon::ThreadPool) -> usize {
    pool.current_num_threads() + 1
}

/// One search counted as running, until dropped.
struct Running<'a> {
    counter: &'a AtomicUsize,
    /// Searches running when this one started, itself included.
    at_start: usize,
}

impl<'a> Running<'a> {
    fn enter(counter: &'a AtomicUsize) -> Self {
        Running {
            at_start: counter.fetch_add(1, Ordering::Relaxed) + 1,
            counter,
        }
    }

    /// Whether fewer searches than `threads` were running when this one started.
    fn alone(&self, threads: usize) -> bool {
        self.at_start < threads
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.counter.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Every segment collected by the calling thread and the pool's, largest first; the fruits in
/// segment order.
fn collect_shared<F: Send>(
    pool: &rayon::ThreadPool,
    readers: &[SegmentReader],
    collect: &(dyn Fn(usize) -> tantivy::Result<F> + Sync),
) -> tantivy::Result<Vec<F>> {
    let mut order: Vec<usize> = (0..readers.len()).collect();
    order.sort_by_key(|&ordinal| Reverse(readers[ordinal].num_docs()));
    let mut fruits: Vec<(usize, F)> = shared(pool, order.len(), |i| {
        let ordinal = order[i];
        collect(ordinal).map(|fruit| (ordinal, fruit))
    })
    .into_iter()
    .collect::<tantivy::Result<_>>()?;
    fruits.sort_by_key(|(ordinal, _)| *ordinal);
    Ok(fruits.into_iter().map(|(_, fruit)| fruit).collect())
}

/// `work(i)` for every `i` below `count`, in order, each thread (the calling one and the pool's)
/// taking the next `i` when done with one. The calling thread works rather than waits: waking the
/// pool's threads for all of it and putting the caller to sleep cost one more thread switch per
/// search, and under two concurrent searches that sharing cost 11% more CPU per search than no
/// sharing at all; with the caller working, two HTTP clients at 1M documents measured 951–1,070
/// → 1,058–1,105 searches/s (alternated runs).
fn shared<T: Send>(
    pool: &rayon::ThreadPool,
    count: usize,
    work: impl Fn(usize) -> T + Sync,
) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let take_all = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= count {
                return done;
            }
            done.push((i, work(i)));
        }
    };
    let helpers = pool.current_num_threads().min(count.saturating_sub(1));
    let mut parts: Vec<Vec<(usize, T)>> = (0..=helpers).map(|_| Vec::new()).collect();
    pool.in_place_scope(|scope| {
        let (mine, theirs) = parts.split_first_mut().expect("the caller's part");
        for part in theirs {
            scope.spawn(|_| *part = take_all());
        }
        *mine = take_all();
    });
    let mut all: Vec<(usize, T)> = parts.into_iter().flatten().collect();
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, result)| result).collect()
}

#[cfg(test)]
mod tests {
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::TermQuery;
    use tantivy::schema::{INDEXED, IndexRecordOption, STRING, Schema};
    use tantivy::{Index, IndexWriter, Term, doc};

    use super::*;

    /// An index of several segments of different sizes: `word` is "even" or "odd".
    fn index() -> (Index, tantivy::schema::Field) {
        let mut builder = Schema::builder();
        let word = builder.add_text_field("word", STRING);
        let number = builder.add_u64_field("number", INDEXED);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let mut n = 0u64;
        for size in [5, 300, 40, 1_000, 7] {
            for _ in 0..size {
                let parity = if n.is_multiple_of(2) { "even" } else { "odd" };
                writer
                    .add_document(doc!(word => parity, number => n))
                    .unwrap();
                n += 1;
            }
            writer.commit().unwrap();
        }
        (index, word)
    }

    #[test]
    fn parallel_collection_equals_tantivys_own() {
        let (index, word) = index();
        let searcher = index.reader().unwrap().searcher();
        assert!(searcher.segment_readers().len() > 1);
        let query = TermQuery::new(
            Term::from_field_text(word, "even"),
            IndexRecordOption::WithFreqs,
        );
        let collector = (Count, TopDocs::with_limit(50).order_by_score());
        let theirs = searcher.search(&query, &collector).unwrap();
        assert_eq!(theirs.0, 676);
        for threads in [1, 2, 3] {
            let ours = SearchThreads::new(threads)
                .search(&searcher, &query, &collector)
                .unwrap();
            assert_eq!(ours.0, theirs.0);
            assert_eq!(ours.1, theirs.1);
        }
    }

    /// Whether `threads.map` ran any of its work away from the calling thread: two pieces of
    /// work, each waiting (up to a quarter of a second) for the other to start, so that a pool
    /// thread allowed to help has all the time it needs to take one.
    fn shares(threads: &SearchThreads) -> bool {
        let caller = std::thread::current().id();
        let started = AtomicUsize::new(0);
        threads
            .map(2, |_| {
                started.fetch_add(1, Ordering::SeqCst);
                let since = Instant::now();
                while started.load(Ordering::SeqCst) < 2
                    && since.elapsed() < Duration::from_millis(250)
                {
                    std::thread::sleep(Duration::from_millis(1));
                }
                std::thread::current().id()
            })
            .into_iter()
            .any(|id| id != caller)
    }

    #[test]
    fn work_is_shared_only_on_a_server_not_busy_lately() {
        let threads = SearchThreads::with_window(2, Duration::from_secs(600));
        assert!(shares(&threads), "a quiet server shares");
        {
            // Another search running: every thread is taken.
            let _other = Running::enter(&threads.running);
            assert!(!shares(&threads), "a busy server does not share");
        }
        // Alone again, but every thread was taken within the window: still on the calling thread.
        assert!(!shares(&threads), "a server busy lately does not share");

        let threads = SearchThreads::with_window(2, Duration::from_millis(20));
        {
            let _other = Running::enter(&threads.running);
            assert!(!shares(&threads));
        }
        std::thread::sleep(Duration::from_millis(40));
        assert!(
            shares(&threads),
            "a server quiet for the window shares again"
        );
        assert!(!shares(&SearchThreads::new(1)));
    }

    #[test]
    fn map_keeps_the_order_on_any_number_of_threads() {
        for threads in [1, 2, 3] {
            let squares = SearchThreads::new(threads).map(50, |i| i * i);
            assert_eq!(squares, (0..50).map(|i| i * i).collect::<Vec<_>>());
        }
    }
}
