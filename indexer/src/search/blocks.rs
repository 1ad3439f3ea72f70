//! Facet values held in memory per segment, as bit masks over blocks of 64 documents.
//!
//! For every block of 64 consecutive documents of a segment, [`SegmentFacets`] keeps one `u64` per
//! facet value present in the segment: bit `i` is set when document `64 × block + i` holds that
//! value. The search collector gathers the documents matching the text of one block into a `u64`
//! too; filtering and counting a whole block is then a few ANDs, ORs and popcounts per facet value
//! (see `facets::BlockCounter`), instead of decoding every matching document's values one by one —
//! which is what made facet counting most of a search's time on large catalogues.
//!
//! Counting reads the non-zero masks only: each block also lists the columns of its plain
//! (non-attestation) values whose mask is not zero, with those masks. The index is sorted by a key
//! made of the facet values (see `facets::cluster_key`), so that the documents of a block mostly
//! share their kind, categories, country and Suite classes: at a million documents a block holds
//! about 16 non-zero masks of 85, against 50 in the order of the catalogue.
//!
//! The masks are built once per segment, when a new index generation is opened (see `warm`), and
//! dropped with the segment: about 20 MB for a million documents.

use std::collections::{HashMap, HashSet};

use tantivy::{DocId, SegmentReader};

use super::facets::{ATTESTATION_COUNTERS, Slot, attestation_counters};

/// Documents per block: the bits of a `u64`.
pub(crate) const BLOCK: DocId = 64;

/// One segment's facet values as block masks.
#[derive(Debug)]
pub(crate) struct SegmentFacets {
    /// The `facet` values present in the segment, ascending.
    values: Vec<u64>,
    /// `masks[block × values.len() + k]`: the documents of `block` holding `values[k]`.
    masks: Vec<u64>,
    /// The non-zero masks of the plain values, block after block: those of `block` are at
    /// `starts[block]..splits[block]` of `columns` (their value's column) and `nonzero`; then, to
    /// `starts[block + 1]`, those of the attestation counters (see `facets::attestation_counters`:
    /// the documents counting for each, the OR of their attestation values' masks), with the
    /// counter in `columns`. Counting without filters reads these lists and not the row.
    starts: Vec<u32>,
    splits: Vec<u32>,
    columns: Vec<u16>,
    nonzero: Vec<u64>,
}

/// One block's masks: the whole row, and its plain values' non-zero masks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Block<'a> {
    /// One mask per value of the segment.
    pub row: &'a [u64],
    /// The columns of the plain values with documents in the block, ascending, beside their masks.
    pub columns: &'a [u16],
    pub nonzero: &'a [u64],
    /// The attestation counters with documents in the block, beside their masks.
    pub counters: &'a [u16],
    pub counted: &'a [u64],
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
        // Plain values come first (the attestation slot is the highest).
        let plain = values.partition_point(|v| !is_attestation(*v));
        let counters: Vec<Vec<u16>> = values[plain..]
            .iter()
            .map(|raw| attestation_counters(*raw).map_or_else(Vec::new, Iterator::collect))
            .collect();
        let (mut starts, mut splits) = (vec![0u32], Vec::with_capacity(blocks));
        let (mut columns, mut nonzero) = (Vec::new(), Vec::new());
        for row in masks.chunks(width.max(1)).take(blocks) {
            for (column, &mask) in row[..plain].iter().enumerate() {
                if mask != 0 {
                    columns.push(column as u16);
                    nonzero.push(mask);
                }
            }
            splits.push(nonzero.len() as u32);
            let mut counted = [0u64; ATTESTATION_COUNTERS];
            for (&mask, counters) in row[plain..].iter().zip(&counters) {
                for &counter in counters {
                    counted[usize::from(counter)] |= mask;
                }
            }
            for (counter, &mask) in counted.iter().enumerate() {
                if mask != 0 {
                    columns.push(counter as u16);
                    nonzero.push(mask);
                }
            }
            starts.push(nonzero.len() as u32);
        }
        Self {
            values,
            masks,
            starts,
            splits,
            columns,
            nonzero,
        }
    }

    /// The values present, ascending; a value's position here is its column in every row.
    pub(crate) fn values(&self) -> &[u64] {
        &self.values
    }

    /// Asks the processor to start loading what counting a block reads (its non-zero masks and
    /// their columns, and `with_row`, for a search with filters, the row's attestation masks) into
    /// its caches, so that it is there when the
    /// block is counted: the documents of a block are scored and collected meanwhile, and masks read
    /// cold from memory were most of the counting's time (a search reads thousands of blocks). A
    /// hint only: nothing is read, and on other architectures than x86-64 it does nothing.
    #[inline]
    pub(crate) fn prefetch(&self, block: DocId, with_row: bool) {
        #[cfg(target_arch = "x86_64")]
        {
            // One address per cache line (eight masks), and the last one, which may start a line
            // of its own; the plain values' lists and the attestation counters' follow each other.
            let (from, to) = self.range(block);
            let nonzero = &self.nonzero[from..to];
            for mask in nonzero.iter().step_by(8).chain(nonzero.last()) {
                safe_arch::prefetch_t0(mask);
            }
            if let Some(first) = self.columns.get(from) {
                safe_arch::prefetch_t0(first);
            }
            if with_row && let Some(last) = self.row(block).last() {
                safe_arch::prefetch_t0(last);
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = (block, with_row);
    }

    /// The masks of one block.
    #[inline]
    pub(crate) fn block(&self, block: DocId) -> Block<'_> {
        let (from, to) = self.range(block);
        let split = self.splits[block as usize] as usize;
        Block {
            row: self.row(block),
            columns: &self.columns[from..split],
            nonzero: &self.nonzero[from..split],
            counters: &self.columns[split..to],
            counted: &self.nonzero[split..to],
        }
    }

    /// Where the lists of `block` start and end.
    #[inline]
    fn range(&self, block: DocId) -> (usize, usize) {
        (
            self.starts[block as usize] as usize,
            self.starts[block as usize + 1] as usize,
        )
    }

    /// The masks of one block, one per value (what filtering a block reads: not its lists).
    #[inline]
    pub(crate) fn row(&self, block: DocId) -> &[u64] {
        let width = self.values.len();
        let start = block as usize * width;
        &self.masks[start..start + width]
    }
}

fn is_attestation(raw: u64) -> bool {
    (raw >> 32) as u8 == Slot::Attestation as u8
}

#[cfg(test)]
mod tests {
    use super::super::facets::encode;
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

    #[test]
    fn a_block_lists_its_non_zero_plain_masks() {
        let attested = encode(Slot::Attestation, 5);
        let country = encode(Slot::Country, 7);
        let category = |c| encode(Slot::Category, c);
        // Block 0: every document in category 1, the even ones attested; block 1: categories 1
        // and 2, French (country 7) from document 70 on.
        let docs: Vec<Vec<u64>> = (0..128u64)
            .map(|d| {
                let mut values = vec![category(1 + u64::from(d >= 64 && d % 2 == 1) as u32)];
                if d < 64 && d % 2 == 0 {
                    values.push(attested);
                }
                if d >= 70 {
                    values.push(country);
                }
                values
            })
            .collect();
        let facets = SegmentFacets::build(docs.len() as DocId, |d| {
            docs[d as usize].clone().into_iter()
        });
        assert_eq!(
            facets.values(),
            &[category(1), category(2), country, attested]
        );
        let first = facets.block(0);
        assert_eq!(first.columns, &[0]);
        assert_eq!(first.nonzero, &[!0]);
        assert_eq!(first.row[3], 0x5555_5555_5555_5555);
        // The attestation's counters: its scheme's, its status's and "valid today".
        let counters: Vec<u16> = attestation_counters(attested).unwrap().collect();
        assert_eq!(counters.len(), 3);
        assert_eq!(first.counters, counters.as_slice());
        assert_eq!(first.counted, &[0x5555_5555_5555_5555; 3]);
        let second = facets.block(1);
        assert_eq!(second.columns, &[0, 1, 2]);
        assert_eq!(
            second.nonzero,
            &[0x5555_5555_5555_5555, 0xAAAA_AAAA_AAAA_AAAA, !0 << 6]
        );
        assert_eq!(
            second.row,
            &[second.nonzero[0], second.nonzero[1], !0 << 6, 0]
        );
        assert!(second.counters.is_empty() && second.counted.is_empty());
    }
}
