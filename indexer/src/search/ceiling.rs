//! The highest score a field's term can give, block of 128 postings by block (see
//! `disjunction::BestOfScorer::bound` and the collector's block ceilings in `matches`).
//!
//! A ceiling has two parts. The **block factors** belong to the segment: for each block of
//! postings, its last document and the best BM25 frequency factor any of its documents reaches,
//! read from what tantivy records beside the postings for block-max pruning (the best document's
//! length and term frequency). tantivy only gives them block by block, each block decoded on the
//! way, which makes reading them a pass over the whole posting list: for a common word the segment
//! reads them once, when it is warmed (see `common_terms`), and every search shares them. The
//! **scores** belong to the search: the factors times the weight's own ceiling (its boost and the
//! term's statistics over the whole index).

use std::sync::Arc;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::TermInfo;
use tantivy::query::Bm25Weight;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, InvertedIndexReader, Score};

/// Posting lists shorter than this are given the weight's own ceiling: their block maxima are not
/// worth reading (a few blocks of 128 documents).
pub(crate) const BLOCKS_READ_FROM: u32 = 512;

/// A term's blocks of postings in one segment: each one's last document and the best frequency
/// factor of its documents, as a share of the largest possible one (from 0 to 1), under the
/// segment's average length.
#[derive(Debug)]
pub(crate) struct BlockFactors {
    ends: Vec<DocId>,
    factors: Vec<Score>,
    segment_average: Score,
}

impl BlockFactors {
    /// Reads them from the postings, handing each decoded block of documents to `each_block`;
    /// `None` for a list shorter than [`BLOCKS_READ_FROM`] or a field without lengths (nothing is
    /// read then).
    pub(crate) fn read(
        documents: DocId,
        index: &InvertedIndexReader,
        info: &TermInfo,
        norms: &FieldNormReader,
        mut each_block: impl FnMut(&[DocId]),
    ) -> tantivy::Result<Option<Self>> {
        let segment_average = index.total_num_tokens() as Score / documents.max(1) as Score;
        if info.doc_freq < BLOCKS_READ_FROM || segment_average <= 0.0 {
            return Ok(None);
        }
        // Any weight gives a block's best frequency factor, `tf / (tf + K)`: its block score over
        // its own ceiling.
        let unit = Bm25Weight::for_one_term_without_explain(
            u64::from(info.doc_freq),
            u64::from(documents),
            segment_average,
        );
        let unit_highest = unit.score(0, u32::MAX);
        let mut blocks =
            index.read_block_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?;
        let count = info.doc_freq.div_ceil(128) as usize;
        let mut ends = Vec::with_capacity(count);
        let mut factors = Vec::with_capacity(count);
        while let Some(&last) = blocks.docs().last() {
            each_block(blocks.docs());
            ends.push(last);
            factors.push((blocks.block_max_score(norms, &unit) / unit_highest).min(1.0));
            blocks.advance();
        }
        Ok(Some(BlockFactors {
            ends,
            factors,
            segment_average,
        }))
    }

    /// Each block's last document, ascending.
    pub(crate) fn ends(&self) -> &[DocId] {
        &self.ends
    }
}

/// A term's ceilings in one segment for one search.
pub(crate) struct Ceiling {
    blocks: Option<Arc<BlockFactors>>,
    /// Beside each block of `blocks`, its ceiling.
    scores: Vec<Score>,
    /// The block of the documents asked last.
    at: usize,
    /// The weight's own ceiling (an empty text and an endless frequency): for every document when
    /// there are no block factors.
    highest: Score,
}

impl Ceiling {
    /// The ceilings of `bm25` (boosted) over `blocks`, the field's average length over the whole
    /// index being `searched_average`.
    ///
    /// A recorded document is the block's best under the segment's average length when it was
    /// written (A), and `bm25` scores against the whole index's (A'). A score is the weight times
    /// `f = tf / (tf + K)`, `K = k1 (1 - b + b len / A)`. When A' <= A, K' >= K and no `f` grows:
    /// the block's best `f` under A, `m`, bounds them all. When A' = r A with r > 1, K' >= K / r,
    /// and `f <= m` means `K >= tf (1 - m) / m`, so `f' = tf / (tf + K') <= m r / (m r + 1 - m)`,
    /// whatever the frequency.
    pub(crate) fn new(
        blocks: Option<Arc<BlockFactors>>,
        bm25: &Bm25Weight,
        searched_average: Score,
    ) -> Self {
        let highest = bm25.score(0, u32::MAX);
        let blocks = blocks.filter(|_| searched_average > 0.0);
        let scores = blocks.as_ref().map_or_else(Vec::new, |blocks| {
            let r = searched_average / blocks.segment_average;
            blocks
                .factors
                .iter()
                .map(|&m| {
                    let factor = if r > 1.0 {
                        m * r / (m * r + 1.0 - m)
                    } else {
                        m
                    };
                    // A margin for the rounding of the divisions.
                    (highest * factor * (1.0 + 1e-4)).min(highest)
                })
                .collect()
        });
        Ceiling {
            blocks,
            scores,
            at: 0,
            highest,
        }
    }

    /// Each block's last document, ascending (none without block factors).
    pub(crate) fn ends(&self) -> &[DocId] {
        self.blocks.as_ref().map_or(&[], |blocks| blocks.ends())
    }

    /// A score no document from `doc` to the end of its block exceeds; asked for documents in
    /// ascending order.
    #[inline]
    pub(crate) fn at(&mut self, doc: DocId) -> Score {
        let ends = self.blocks.as_ref().map_or(&[][..], |blocks| &blocks.ends);
        while self.at < ends.len() && ends[self.at] < doc {
            self.at += 1;
        }
        self.of_block(self.at)
    }

    /// The ceiling of the `block`-th block of 128 postings (the weight's own past the blocks read).
    #[inline]
    pub(crate) fn of_block(&self, block: usize) -> Score {
        self.scores.get(block).copied().unwrap_or(self.highest)
    }
}
