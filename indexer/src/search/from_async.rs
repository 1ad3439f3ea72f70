//! Running a search from async code (the API's and the web's handlers).
//!
//! A search is CPU work of a few milliseconds. On a multi-threaded tokio runtime it runs on the
//! handler's own worker thread, tokio handing the worker's other tasks to another thread meanwhile
//! (`block_in_place`); sent to the blocking pool instead, each search cost two thread wake-ups (the
//! pool thread's, then the handler's), measured at 7–12% of the throughput under two HTTP clients at
//! a million documents. On a current-thread runtime, where `block_in_place` is not allowed, it goes to
//! the blocking pool. Either way a panic in the work becomes an index error, not a lost response.

use std::panic::{AssertUnwindSafe, catch_unwind};

use tokio::runtime::{Handle, RuntimeFlavor};

use super::types::SearchError;

/// Runs `work` (a search, a suggestion) without stalling the async threads.
pub async fn run_search_work<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, SearchError> + Send + 'static,
) -> Result<T, SearchError> {
    let finished = if Handle::current().runtime_flavor() == RuntimeFlavor::MultiThread {
        tokio::task::block_in_place(|| catch_unwind(AssertUnwindSafe(work))).ok()
    } else {
        tokio::task::spawn_blocking(work).await.ok()
    };
    finished.unwrap_or_else(|| {
        tracing::error!("a search did not finish: it panicked, or the runtime is shutting down");
        Err(SearchError::Index("the search failed".to_owned()))
    })
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

    #[tokio::test(flavor = "current_thread")]
    async fn work_runs_and_a_panic_becomes_an_error_on_a_current_thread_runtime() {
        assert_eq!(run_search_work(|| Ok(7u8)).await.unwrap(), 7);
        assert!(matches!(
            run_search_work(boom).await,
            Err(SearchError::Index(_))
        ));
    }
}
