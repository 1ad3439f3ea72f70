//! Keyset pagination: pages follow the primary key, so concurrent inserts never shift a page.

/// The largest page a caller may ask for.
pub const MAX_PAGE_SIZE: u64 = 200;
pub const DEFAULT_PAGE_SIZE: u64 = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// Return records whose id is greater than this one.
    pub after: Option<i64>,
    pub limit: u64,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            after: None,
            limit: DEFAULT_PAGE_SIZE,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The id to continue after, `None` on the last page.
    pub next_after: Option<i64>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows: the extra row only tells that another page exists.
    pub(crate) fn from_rows(mut rows: Vec<T>, limit: u64, id: impl Fn(&T) -> i64) -> Self {
        let more = rows.len() as u64 > limit;
        rows.truncate(limit as usize);
        let next_after = if more { rows.last().map(&id) } else { None };
        Self {
            items: rows,
            next_after,
        }
    }
}

/// Rows fetched per round when a filter can only be applied after reading (computed values).
const SCAN_BATCH: u64 = 500;

/// A query read in id order, a batch at a time.
pub(crate) trait Batches {
    type Row: Send;
    fn fetch(
        &self,
        after: Option<i64>,
        limit: u64,
    ) -> impl std::future::Future<Output = Result<Vec<Self::Row>, crate::StoreError>> + Send;
    fn id(row: &Self::Row) -> i64;

    /// One page straight from the query.
    async fn page(&self, request: PageRequest) -> Result<Page<Self::Row>, crate::StoreError> {
        let rows = self.fetch(request.after, request.limit + 1).await?;
        Ok(Page::from_rows(rows, request.limit, Self::id))
    }

    /// Fills a page with the rows that pass `keep`, reading batches until it is full. Used for
    /// filters on computed values (the exposure level), which have no column to query.
    async fn scan(
        &self,
        request: PageRequest,
        keep: impl Fn(&Self::Row) -> bool + Send,
    ) -> Result<Page<Self::Row>, crate::StoreError> {
        let mut kept = Vec::new();
        let mut after = request.after;
        loop {
            let batch = self.fetch(after, SCAN_BATCH).await?;
            let exhausted = (batch.len() as u64) < SCAN_BATCH;
            after = batch.last().map(Self::id).or(after);
            kept.extend(batch.into_iter().filter(|row| keep(row)));
            if kept.len() as u64 > request.limit || exhausted {
                return Ok(Page::from_rows(kept, request.limit, Self::id));
            }
        }
    }
}
