//! Running a search from async code (the API's and the web's handlers).
//!
//! A search is CPU work of a few milliseconds. On a multi-threaded tokio runtime it runs on the
//! handler's own worker thread. While at least one other worker stays free for the rest of the
//! server's work (network, timers, other requests), it simply runs there, holding the worker for
//! those milliseconds; past that, tokio hands the worker's other tasks to another thread meanwhile
//! (`block_in_place`). Each way round costs thread wake-ups: sent to the blocking pool, a search cost
//! two (the pool thread's, then the handler's), 7–12% of the throughput under two HTTP clients at a
//! million documents; `block_in_place` one hand-over of the worker, 8–10% against running in place
//! (measured with the application's runtime, `registre::runtime`, then twice as many workers as
//! cores; it now has one more worker than cores).
//! On a current-thread runtime, where neither is allowed, it goes to the blocking pool. Either way a
//! panic in the work becomes an index error, not a lost response.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::runtime::{Handle, RuntimeFlavor};

use super::types::SearchError;

/// Runs `work` (a search, a suggestion) without stalling the async threads.
pub async fn run_search_work<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, SearchError> + Send + 'static,
) -> Result<T, SearchError> {
    let handle = Handle::current();
    let finished = if handle.runtime_flavor() == RuntimeFlavor::MultiThread {
        let others_free = handle.metrics().num_workers().saturating_sub(1);
        match Inline::enter(&INLINE, others_free) {
            Some(_inline) => catch_unwind(AssertUnwindSafe(work)).ok(),
            None => tokio::task::block_in_place(|| catch_unwind(AssertUnwindSafe(work))).ok(),
        }
    } else {
        tokio::task::spawn_blocking(work).await.ok()
    };
    finished.unwrap_or_else(|| {
        tracing::error!("a search did not finish: it panicked, or the runtime is shutting down");
        Err(SearchError::Index("the search failed".to_owned()))
    })
}

/// Searches running on their worker thread itself, process-wide.
static INLINE: AtomicUsize = AtomicUsize::new(0);

/// One search counted in `running`; leaves the count when dropped (a panic included).
struct Inline<'a>(&'a AtomicUsize);

impl<'a> Inline<'a> {
    /// Enters if fewer than `limit` are counted.
    fn enter(running: &'a AtomicUsize, limit: usize) -> Option<Self> {
        running
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |now| {
                (now < limit).then_some(now + 1)
            })
            .ok()
            .map(|_| Inline(running))
    }
}

impl Drop for Inline<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boom() -> Result<u8, SearchError> {
        panic!("boom")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn work_runs_and_a_panic_becomes_an_error_on_a_multi_threaded_runtime() {
        assert_eq!(run_search_work(|| Ok(7u8)).await.unwrap(), 7);
        assert!(matches!(
            run_search_work(boom).await,
            Err(SearchError::Index(_))
        ));
    }

    #[test]
    fn no_more_than_the_limit_run_in_place_and_a_panic_leaves_the_count() {
        let running = AtomicUsize::new(0);
        let first = Inline::enter(&running, 2).expect("under the limit");
        let second = Inline::enter(&running, 2).expect("under the limit");
        assert!(Inline::enter(&running, 2).is_none());
        drop(first);
        let third = Inline::enter(&running, 2).expect("a place left");
        let panicked = catch_unwind(AssertUnwindSafe(|| {
            let _held = third;
            panic!("boom")
        }));
        assert!(panicked.is_err());
        drop(second);
        assert_eq!(running.load(Ordering::Acquire), 0);
        assert!(Inline::enter(&running, 0).is_none());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn work_beyond_the_free_workers_still_runs() {
        // Two workers: one search in place at most; the others hand their worker over.
        let searches: Vec<_> = (0..4u8)
            .map(|n| {
                tokio::spawn(run_search_work(move || {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    Ok(n)
                }))
            })
            .collect();
        for (n, search) in searches.into_iter().enumerate() {
            assert_eq!(search.await.unwrap().unwrap(), n as u8);
        }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn work_runs_and_a_panic_becomes_an_error_on_a_current_thread_runtime() {
        assert_eq!(run_search_work(|| Ok(7u8)).await.unwrap(), 7);
        assert!(matches!(
            run_search_work(boom).await,
            Err(SearchError::Index(_))
        ));
    }
}
