//! What each segment keeps ready between searches.
//!
//! Opening a segment's columns is not free: a column's reader parses its block index (for the
//! blockwise-linear columns, one header per 512 documents, copied out), which was a quarter of the
//! time of a search by identifier at a million documents when every search opened its own. The facet
//! masks (see `blocks`) cost more still. Both are built once per segment, when a new index
//! generation is opened (a tantivy [`Warmer`]), shared by every search, and dropped with the segment; so
//! are its common terms' block factors and masks (see `common_terms`).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

use tantivy::columnar::{ColumnValues, StrColumn};
use tantivy::index::SegmentId;
use tantivy::{DocId, Searcher, SearcherGeneration, SegmentReader, Warmer};

use super::blocks::{BLOCK, SegmentFacets};
use super::common_terms::CommonTerms;
use super::query::scored_fields;
use super::schema::fields_of;

/// One segment's facet masks and the columns a search reads.
pub(crate) struct Warm {
    pub facets: SegmentFacets,
    /// The common terms' block factors and masks (see `common_terms`).
    pub terms: CommonTerms,
    /// Per document, its record id and its qualification rank, read out of their columns: the
    /// collector reads them for every document it considers, and a blockwise-linear column's
    /// lookup was 5% of a search's time at a million documents (9 MB per million documents).
    pub uid: Vec<u64>,
    pub qualification: Vec<u8>,
    /// Per block of `BLOCK` documents, its best qualification (see `collector`'s tie-breaks).
    pub best_qualification: Vec<u8>,
    pub until: Arc<dyn ColumnValues<u64>>,
    pub name_sort: Option<StrColumn>,
    /// Per document, the ordinal of its normalised name in `name_sort`'s dictionary (`u32::MAX`
    /// for none; see `name_ord`): sorting by name and ranking the suggestions read it for every
    /// document they consider (4 MB per million documents).
    name_ords: Vec<u32>,
}

impl std::fmt::Debug for Warm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Warm")
            .field("facet_values", &self.facets.values().len())
            .field("documents", &self.uid.len())
            .finish()
    }
}

impl Warm {
    /// The ordinal of `doc`'s normalised name in `name_sort`'s dictionary.
    #[inline]
    pub(crate) fn name_ord(&self, doc: DocId) -> Option<u64> {
        let ord = self.name_ords[doc as usize];
        (ord != u32::MAX).then_some(u64::from(ord))
    }

    fn load(reader: &SegmentReader) -> tantivy::Result<Self> {
        let fast = reader.fast_fields();
        let column = |name: &str| -> tantivy::Result<Arc<dyn ColumnValues<u64>>> {
            Ok(fast.u64(name)?.first_or_default_col(0))
        };
        let all = |name: &str| -> tantivy::Result<Vec<u64>> {
            let mut values = vec![0; reader.max_doc() as usize];
            column(name)?.get_range(0, &mut values);
            Ok(values)
        };
        // Ranks are 0 to 2.
        let qualification: Vec<u8> = all("qualification")?
            .into_iter()
            .map(|rank| rank.min(u64::from(u8::MAX)) as u8)
            .collect();
        let best_qualification = qualification
            .chunks(BLOCK as usize)
            .map(|block| block.iter().copied().max().unwrap_or(0))
            .collect();
        let started = std::time::Instant::now();
        let scored = scored_fields(&fields_of(reader.schema())?);
        let terms = CommonTerms::load(reader, &scored)?;
        let (common, with_masks, bytes) = terms.size();
        tracing::debug!(
            documents = reader.max_doc(),
            common,
            with_masks,
            bytes,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "segment's common terms read"
        );
        let name_sort = fast.str("name_sort")?;
        let name_ords = (0..reader.max_doc())
            .map(|doc| {
                name_sort
                    .as_ref()
                    .and_then(|column| column.ords().first(doc))
                    .map_or(u32::MAX, |ord| u32::try_from(ord).unwrap_or(u32::MAX))
            })
            .collect();
        Ok(Self {
            facets: SegmentFacets::load(reader)?,
            terms,
            uid: all("uid")?,
            qualification,
            best_qualification,
            until: column("qualified_until")?,
            name_sort,
            name_ords,
        })
    }
}

/// The [`Warm`] part of every live segment, kept by the index reader as its warmer.
#[derive(Debug, Default)]
pub(crate) struct SegmentCache {
    segments: RwLock<HashMap<SegmentId, Arc<Warm>>>,
}

impl SegmentCache {
    /// `reader`'s segment's part, built now if the warmer has not seen it.
    pub(crate) fn get(&self, reader: &SegmentReader) -> tantivy::Result<Arc<Warm>> {
        let id = reader.segment_id();
        if let Some(found) = self
            .segments
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id)
        {
            return Ok(found.clone());
        }
        let built = Arc::new(Warm::load(reader)?);
        self.segments
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, built.clone());
        Ok(built)
    }
}

impl Warmer for SegmentCache {
    /// The new segments' parts built side by side, one thread per core at most: after a rebuild
    /// the index is one segment per search thread, and building their parts one after the other
    /// left a core idle for seconds (opening the 1M index, two segments: about 1.2 s sooner).
    fn warm(&self, searcher: &Searcher) -> tantivy::Result<()> {
        let readers = searcher.segment_readers();
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(readers.len());
        if threads <= 1 {
            return readers
                .iter()
                .try_for_each(|reader| self.get(reader).map(drop));
        }
        let next = AtomicUsize::new(0);
        let take = || -> tantivy::Result<()> {
            while let Some(reader) = readers.get(next.fetch_add(1, Ordering::Relaxed)) {
                self.get(reader)?;
            }
            Ok(())
        };
        std::thread::scope(|scope| {
            let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(take)).collect();
            let mine = take();
            helpers
                .into_iter()
                .map(|helper| helper.join().expect("a warming thread panicked"))
                .chain([mine])
                .collect()
        })
    }

    fn garbage_collect(&self, live_generations: &[&SearcherGeneration]) {
        let live: HashSet<SegmentId> = live_generations
            .iter()
            .flat_map(|generation| generation.segments().keys().copied())
            .collect();
        self.segments
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|id, _| live.contains(id));
    }
}
