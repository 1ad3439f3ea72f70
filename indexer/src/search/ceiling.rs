//! The highest score a field's term can give, block of 128 postings by block, or for the most
//! common terms block of 64 documents by block (see `disjunction::BestOfScorer::bound` and the
//! collector's block ceilings in `matches`).
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

use super::blocks::BLOCK;

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
    /// Reads them from the postings, and with `blocks` the term's documents and factors block of
    /// documents by block; `None` for a list shorter than [`BLOCKS_READ_FROM`] or a field without
    /// lengths (nothing is read then).
    pub(crate) fn read(
        documents: DocId,
        index: &InvertedIndexReader,
        info: &TermInfo,
        norms: &FieldNormReader,
        mut blocks_of_documents: Option<&mut DocumentBlocks>,
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
            if let Some(documents) = blocks_of_documents.as_deref_mut() {
                let freqs = blocks.freqs();
                for (position, &doc) in blocks.docs().iter().enumerate() {
                    // Without frequencies recorded, a posting counts once (as when scored).
                    let tf = freqs.get(position).copied().unwrap_or(1);
                    let factor = unit.score(norms.fieldnorm_id(doc), tf) / unit_highest;
                    documents.add(doc, factor.min(1.0));
                }
            }
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

/// A common term's documents in one segment, block of `BLOCK` documents by block: those holding
/// it (bit `i` of mask `b` for document `BLOCK × b + i`) and their best frequency factor, as in
/// [`BlockFactors`]. Finer than the blocks of postings, which span several blocks of documents
/// for a common term: one short document no longer lifts the ceiling of its neighbours.
#[derive(Debug)]
pub(crate) struct DocumentBlocks {
    pub masks: Vec<u64>,
    pub factors: Vec<Score>,
}

impl DocumentBlocks {
    pub(crate) fn new(documents: DocId) -> Self {
        let blocks = documents.div_ceil(BLOCK) as usize;
        DocumentBlocks {
            masks: vec![0; blocks],
            factors: vec![0.0; blocks],
        }
    }

    fn add(&mut self, doc: DocId, factor: Score) {
        let block = (doc / BLOCK) as usize;
        self.masks[block] |= 1 << (doc % BLOCK);
        if factor > self.factors[block] {
            self.factors[block] = factor;
        }
    }
}

/// A term's ceilings in one segment for one search.
pub(crate) struct Ceiling {
    blocks: Option<Arc<BlockFactors>>,
    /// Beside each block of `blocks`, its ceiling (none when `documents` gives them).
    scores: Vec<Score>,
    /// For a common term, its factors block of documents by block, turned into ceilings when read.
    documents: Option<Arc<DocumentBlocks>>,
    /// The block of postings asked last.
    at: usize,
    /// The weight's own ceiling (an empty text and an endless frequency): for every document when
    /// there are no block factors.
    highest: Score,
    /// The index's average length over the segment's (see `Ceiling::new`).
    r: Score,
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
    ///
    /// With `documents` (a common term's), the ceilings are those of its blocks of documents.
    pub(crate) fn new(
        blocks: Option<Arc<BlockFactors>>,
        documents: Option<Arc<DocumentBlocks>>,
        bm25: &Bm25Weight,
        searched_average: Score,
    ) -> Self {
        let blocks = blocks.filter(|_| searched_average > 0.0);
        let mut ceiling = Ceiling {
            r: blocks
                .as_ref()
                .map_or(1.0, |blocks| searched_average / blocks.segment_average),
            documents: documents.filter(|_| blocks.is_some()),
            blocks,
            scores: Vec::new(),
            at: 0,
            highest: bm25.score(0, u32::MAX),
        };
        if ceiling.documents.is_none()
            && let Some(blocks) = &ceiling.blocks
        {
            ceiling.scores = blocks.factors.iter().map(|&m| ceiling.of(m)).collect();
        }
        ceiling
    }

    /// The ceiling of a best frequency factor `m` under the segment's average length.
    #[inline]
    fn of(&self, m: Score) -> Score {
        let r = self.r;
        let factor = if r > 1.0 {
            m * r / (m * r + 1.0 - m)
        } else {
            m
        };
        // A margin for the rounding of the divisions.
        (self.highest * factor * (1.0 + 1e-4)).min(self.highest)
    }

    /// The ceiling of the documents of the `block`-th block of `BLOCK` documents, for a common
    /// term with [`DocumentBlocks`] (the weight's own otherwise).
    #[inline]
    pub(crate) fn of_documents(&self, block: usize) -> Score {
        match &self.documents {
            Some(documents) => self.of(documents.factors[block]),
            None => self.highest,
        }
    }

    /// A score no document from `doc` to the end of its block exceeds; asked for documents in
    /// ascending order.
    #[inline]
    pub(crate) fn at(&mut self, doc: DocId) -> Score {
        if self.documents.is_some() {
            return self.of_documents((doc / BLOCK) as usize);
        }
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
