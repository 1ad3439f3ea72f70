//! Facet values held in memory per segment, as bit masks over blocks of 64 documents.
//!
//! For every block of 64 consecutive documents of a segment, [`SegmentFacets`] keeps one `u64` per
//! facet value present in the segment: bit `i` is set when document `64 × block + i` holds that
//! value. The search collector gathers the documents matching the text of one block into a `u64`
//! too; filtering and counting a whole block is then a few ANDs, ORs and popcounts per facet value
//! (see `facets::BlockCounter`), instead of decoding every matching document's values one by one —
//! which is what made facet counting most of a search's time on large catalogues.
//!
//! The masks are built once per segment, when a new index generation is opened (see `warm`), and
//! dropped with the segment: about 17 MB for a million documents.

use std::collections::{HashMap, HashSet};

use tantivy::{DocId, SegmentReader};

/// Documents per block: the bits of a `u64`.
pub(crate) const BLOCK: DocId = 64;

/// One segment's facet values as block masks.
#[derive(Debug)]
pub(crate) struct SegmentFacets {
    /// The `facet` values present in the segment, ascending.
    values: Vec<u64>,
    /// `masks[block × values.len() + k]`: the documents of `block` holding `values[k]`.
    masks: Vec<u64>,
}

impl SegmentFacets {
    /// Reads a segment's `facet` column.
    pub(crate) fn load(reader: &SegmentReader) -> tantivy::Result<Self> {
        let column = reader.fast_fields().u64("facet")?;
        Ok(Self::build(reader.max_doc(), |doc| {
            column.values_for_doc(doc)
        }))
    }

    /// Builds the masks of `documents` documents from each document's values.
    pub(crate) fn build<I: Iterator<Item = u64>>(
        documents: DocId,
        values_of: impl Fn(DocId) -> I,
    ) -> Self {
        let mut distinct = HashSet::new();
        for doc in 0..documents {
            distinct.extend(values_of(doc));
        }
        let mut values: Vec<u64> = distinct.into_iter().collect();
        values.sort_unstable();
        let width = values.len();
        let slot: HashMap<u64, usize> = values.iter().enumerate().map(|(k, v)| (*v, k)).collect();
        let blocks = documents.div_ceil(BLOCK) as usize;
        let mut masks = vec![0u64; blocks * width];
        for doc in 0..documents {
            let row = (doc / BLOCK) as usize * width;
            let bit = 1u64 << (doc % BLOCK);
            for value in values_of(doc) {
                masks[row + slot[&value]] |= bit;
            }
        }
        Self { values, masks }
    }

    /// The values present, ascending; a value's position here is its column in every row.
    pub(crate) fn values(&self) -> &[u64] {
        &self.values
    }

    /// Asks the processor to start loading a block's row into its caches, so that the row is there
    /// when the block is counted: the documents of a block are scored and collected meanwhile, and
    /// a row read cold from memory was most of the counting's time (rows are 11 cache lines wide
    /// on the benchmark's million documents, and a search reads thousands of them). A hint only:
    /// nothing is read, and on other architectures than x86-64 it does nothing.
    #[inline]
    pub(crate) fn prefetch_row(&self, block: DocId) {
        #[cfg(target_arch = "x86_64")]
        {
            let row = self.row(block);
            // One address per cache line (eight masks), and the row's last one, which may start a
            // line of its own.
            for mask in row.iter().step_by(8).chain(row.last()) {
                safe_arch::prefetch_t0(mask);
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = block;
    }

    /// The masks of one block, one per value.
    #[inline]
    pub(crate) fn row(&self, block: DocId) -> &[u64] {
        let width = self.values.len();
        let start = block as usize * width;
        &self.masks[start..start + width]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_value_has_one_column_and_each_block_one_row() {
        let docs: Vec<Vec<u64>> = (0..130u64).map(|d| vec![d % 3, 10 + d % 2]).collect();
        let facets = SegmentFacets::build(docs.len() as DocId, |d| {
            docs[d as usize].clone().into_iter()
        });
        assert_eq!(facets.values(), &[0, 1, 2, 10, 11]);
        // Block 2 holds documents 128 and 129: 128 % 3 = 2, 129 % 3 = 0; 128 even, 129 odd.
        assert_eq!(facets.row(2), &[0b10, 0, 0b01, 0b01, 0b10]);
        let zeros_in_block_0 = facets.row(0)[0];
        assert_eq!(zeros_in_block_0.count_ones(), 22); // 0, 3, …, 63
        assert_eq!(zeros_in_block_0 & 1, 1);
    }
}
