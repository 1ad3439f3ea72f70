//! A query's matches in a segment read block by block straight from the postings, with a ceiling
//! for each block of 64 documents, for the collector's two-phase pass (see `collector`).
//!
//! Walking a word's fields document at a time (`disjunction::BestOf`) costs a comparison per field
//! and a move per posting; decoding each posting block and setting one bit per document costs a
//! fraction of it. The matches of every word, ANDed, give the documents to count; the ceilings
//! tell which blocks could hold a document for the page, and only those are walked with the scorer.

use tantivy::postings::BlockSegmentPostings;
use tantivy::{DocId, Score};

use super::blocks::BLOCK;

/// Postings per block of a posting list (tantivy's compression block; the last one holds fewer).
const POSTINGS_PER_BLOCK: usize = 128;

/// A word's matches: one bit per document and, per block of `BLOCK` documents, the largest
/// ceiling of each thing matching in it (a field's postings, a constant-scored group), as their
/// maximum and their sum.
pub(crate) struct WordMatches {
    pub bits: Vec<u64>,
    max: Vec<Score>,
    sum: Vec<Score>,
}

impl WordMatches {
    pub(crate) fn new(max_doc: DocId) -> Self {
        let blocks = (max_doc as usize).div_ceil(BLOCK as usize);
        WordMatches {
            bits: vec![0; blocks],
            max: vec![0.0; blocks],
            sum: vec![0.0; blocks],
        }
    }

    /// Adds a field's postings; `ceiling(j)` bounds the scores of its `j`-th block of postings.
    /// With `within` (the blocks of documents some other word already matches), only the posting
    /// blocks holding a document of a block of `within` are decoded, the others skipped through
    /// the postings' skip list: a rare word ANDed with a common one reads little of the common one.
    pub(crate) fn add_postings(
        &mut self,
        mut postings: BlockSegmentPostings,
        ceiling: impl Fn(usize) -> Score,
        within: Option<&[u64]>,
    ) {
        let mut run = Run::default();
        let mut index = 0;
        let mut from: DocId = 0;
        loop {
            if let Some(within) = within {
                // The first document of the next block of `within` from `from` on.
                let Some(next) = next_block(within, from) else {
                    break;
                };
                let target = (next * BLOCK).max(from);
                // Every block but the last holds the same number of postings: the rank of the
                // first one from `target` on tells its block.
                index = postings.rank(target) as usize / POSTINGS_PER_BLOCK;
                if postings.docs().last().is_none_or(|&last| last < target) {
                    break;
                }
            }
            let docs = postings.docs();
            let Some(&last) = docs.last() else {
                break;
            };
            run.add_postings(docs, ceiling(index), |block, mask, share| {
                self.write(block, mask, share)
            });
            from = last.saturating_add(1);
            if within.is_none() {
                index += 1;
                postings.advance();
            }
        }
        if let Some((block, mask, share)) = run.end() {
            self.write(block, mask, share);
        }
    }

    /// Adds a field's documents given as one mask per block (see `common_terms`), those of
    /// block `b` scoring at most `ceiling(b)`. With `within`, only its blocks.
    pub(crate) fn add_masks(
        &mut self,
        masks: &[u64],
        ceiling: impl Fn(usize) -> Score,
        within: Option<&[u64]>,
    ) {
        for (block, &mask) in masks.iter().enumerate() {
            let mask = match within {
                Some(within) if within[block] == 0 => continue,
                _ => mask,
            };
            if mask != 0 {
                self.write(block, mask, ceiling(block));
            }
        }
    }

    /// Adds another thing's matches, each block scoring at most `score(block)`.
    pub(crate) fn add_blocks(&mut self, bits: &[u64], score: impl Fn(usize) -> Score) {
        for (block, &mask) in bits.iter().enumerate() {
            if mask != 0 {
                self.write(block, mask, score(block));
            }
        }
    }

    fn write(&mut self, block: usize, mask: u64, score: Score) {
        self.bits[block] |= mask;
        self.max[block] = self.max[block].max(score);
        self.sum[block] += score;
    }

    /// No document of `block` scores more: the best thing matching in it plus `tie_breaker` times
    /// the others (a disjunction-max's score grows with each of its parts').
    pub(crate) fn ceiling(&self, block: usize, tie_breaker: Score) -> Score {
        let max = self.max[block];
        max + (self.sum[block] - max) * tie_breaker
    }
}

/// The first block at or after `doc`'s with documents in `within`.
fn next_block(within: &[u64], doc: DocId) -> Option<DocId> {
    let start = (doc / BLOCK) as usize;
    within
        .get(start..)?
        .iter()
        .position(|&mask| mask != 0)
        .map(|offset| (start + offset) as DocId)
}

/// One thing's documents in the block of `BLOCK` documents being gathered, and its largest
/// ceiling there: its documents come in order, so a block's come together, and a block is written
/// once, when they leave it.
struct Run {
    block: usize,
    mask: u64,
    share: Score,
}

impl Default for Run {
    fn default() -> Self {
        Run {
            block: usize::MAX,
            mask: 0,
            share: 0.0,
        }
    }
}

impl Run {
    /// Adds `doc`, scoring at most `score`; returns the block it leaves (block, documents, share).
    #[inline]
    fn add(&mut self, doc: DocId, score: Score) -> Option<(usize, u64, Score)> {
        let block = (doc / BLOCK) as usize;
        let bit = 1 << (doc % BLOCK);
        if block == self.block {
            self.mask |= bit;
            self.share = self.share.max(score);
            return None;
        }
        let left = self.end();
        *self = Run {
            block,
            mask: bit,
            share: score,
        };
        left
    }

    /// Adds a block of postings (ascending), all scoring at most `score`, handing each block it
    /// leaves to `write`. The score being the same for the whole block, it is taken once per block
    /// of documents, not per posting: a maximum per posting made a chain of dependent instructions
    /// that was most of the time of reading common words' postings.
    #[inline]
    fn add_postings(
        &mut self,
        docs: &[DocId],
        score: Score,
        mut write: impl FnMut(usize, u64, Score),
    ) {
        let Some(&first) = docs.first() else {
            return;
        };
        if (first / BLOCK) as usize == self.block && score > self.share {
            self.share = score;
        }
        for &doc in docs {
            let block = (doc / BLOCK) as usize;
            if block != self.block {
                if self.mask != 0 {
                    write(self.block, self.mask, self.share);
                }
                *self = Run {
                    block,
                    mask: 0,
                    share: score,
                };
            }
            self.mask |= 1 << (doc % BLOCK);
        }
    }

    /// The block being gathered, if any.
    fn end(&self) -> Option<(usize, u64, Score)> {
        (self.mask != 0).then_some((self.block, self.mask, self.share))
    }
}

/// A query's matches: the documents and, per block, a score no document of it exceeds.
pub(crate) struct Matches {
    pub bits: Vec<u64>,
    pub ceilings: Vec<Score>,
}

impl Matches {
    /// Every document of `max_doc`, each block at no score yet.
    pub(crate) fn everything(max_doc: DocId) -> Self {
        let blocks = (max_doc as usize).div_ceil(BLOCK as usize);
        let mut bits = vec![!0u64; blocks];
        let rest = max_doc % BLOCK;
        if rest != 0
            && let Some(last) = bits.last_mut()
        {
            *last = (1u64 << rest) - 1;
        }
        Matches {
            bits,
            ceilings: vec![0.0; blocks],
        }
    }

    /// Keeps the documents `word` matches too, adding its ceilings.
    pub(crate) fn and(&mut self, word: &WordMatches, tie_breaker: Score) {
        for (block, (bits, ceiling)) in self.bits.iter_mut().zip(&mut self.ceilings).enumerate() {
            *bits &= word.bits[block];
            if *bits != 0 {
                *ceiling += word.ceiling(block, tie_breaker);
            }
        }
    }

    /// Adds a bonus, from the documents it holds and each one's score (a block counts its best).
    pub(crate) fn add_bonus(&mut self, docs: impl Iterator<Item = (DocId, Score)>) {
        let mut run = Run::default();
        for (doc, score) in docs {
            if let Some((block, _, share)) = run.add(doc, score) {
                self.ceilings[block] += share;
            }
        }
        if let Some((block, _, share)) = run.end() {
            self.ceilings[block] += share;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_holds_each_document_once() {
        let all = Matches::everything(130);
        assert_eq!(all.bits.len(), 3);
        let held: u32 = all.bits.iter().map(|b| b.count_ones()).sum();
        assert_eq!(held, 130);
        assert_eq!(all.bits[2], 0b11);
    }

    #[test]
    fn a_block_ceiling_is_the_best_part_plus_the_tie_breaker_times_the_rest() {
        let mut word = WordMatches::new(128);
        word.add_blocks(&[0b1, 0], |_| 2.0);
        word.add_blocks(&[0b11, 0b1], |block| if block == 0 { 1.0 } else { 4.0 });
        assert!((word.ceiling(0, 0.1) - 2.1).abs() < 1e-6);
        assert!((word.ceiling(1, 0.1) - 4.0).abs() < 1e-6);
        let mut matches = Matches::everything(128);
        matches.and(&word, 0.1);
        assert_eq!(matches.bits, vec![0b11, 0b1]);
        matches.add_bonus([(0, 5.0), (1, 5.0), (70, 2.0)].into_iter());
        assert!((matches.ceilings[0] - 7.1).abs() < 1e-5);
        assert!((matches.ceilings[1] - 6.0).abs() < 1e-5);
    }

    /// A posting list of several blocks read whole, and read only within some blocks of
    /// documents, from the postings and from masks: the same documents there, each at the
    /// ceiling of its own block of postings.
    #[test]
    fn postings_read_within_blocks_hold_what_the_whole_read_holds_there() {
        use tantivy::schema::{IndexRecordOption, STRING, Schema};
        use tantivy::{Index, IndexWriter, Term, doc};

        let mut builder = Schema::builder();
        let word = builder.add_text_field("word", STRING);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let documents: DocId = 5_000;
        // "common" in every third document: about 13 blocks of postings.
        for doc in 0..documents {
            let text = if doc % 3 == 0 { "common" } else { "other" };
            writer.add_document(doc!(word => text)).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let segment = &searcher.segment_readers()[0];
        let inverted = segment.inverted_index(word).unwrap();
        let term = Term::from_field_text(word, "common");
        let info = inverted.get_term_info(&term).unwrap().unwrap();
        let postings = || {
            inverted
                .read_block_postings_from_terminfo(&info, IndexRecordOption::Basic)
                .unwrap()
        };
        let ceiling = |block: usize| block as Score;
        let mut whole = WordMatches::new(documents);
        whole.add_postings(postings(), ceiling, None);
        let expected: u32 = (0..documents).filter(|d| d % 3 == 0).count() as u32;
        assert_eq!(
            whole.bits.iter().map(|b| b.count_ones()).sum::<u32>(),
            expected
        );

        let blocks = whole.bits.len();
        // A few blocks, apart and side by side, the first and the last included.
        let mut within = vec![0u64; blocks];
        for block in [0, 1, 17, 18, 19, 40, blocks - 1] {
            within[block] = 1;
        }
        let mut part = WordMatches::new(documents);
        part.add_postings(postings(), ceiling, Some(&within));
        for (block, _) in within.iter().enumerate().filter(|(_, mask)| **mask != 0) {
            assert_eq!(part.bits[block], whole.bits[block], "block {block}");
            assert_eq!(part.max[block], whole.max[block], "block {block}");
            assert_eq!(part.sum[block], whole.sum[block], "block {block}");
        }
        // Skipping read less than everything.
        assert!(part.bits.iter().filter(|b| **b != 0).count() < blocks / 2);

        // The same documents as masks, each block at the ceiling the postings gave it: the same
        // bits and ceilings, read whole and within.
        let mut masks = vec![0u64; blocks];
        let mut read = postings();
        while !read.docs().is_empty() {
            for &doc in read.docs() {
                masks[(doc / BLOCK) as usize] |= 1 << (doc % BLOCK);
            }
            read.advance();
        }
        let block_ceiling = |block: usize| whole.max[block];
        let mut from_masks = WordMatches::new(documents);
        from_masks.add_masks(&masks, block_ceiling, None);
        assert_eq!(from_masks.bits, whole.bits);
        assert_eq!(from_masks.max, whole.max);
        assert_eq!(from_masks.sum, whole.sum);
        let mut part_from_masks = WordMatches::new(documents);
        part_from_masks.add_masks(&masks, block_ceiling, Some(&within));
        for (block, &held) in within.iter().enumerate() {
            if held != 0 {
                assert_eq!(
                    part_from_masks.bits[block], whole.bits[block],
                    "block {block}"
                );
                assert_eq!(
                    part_from_masks.max[block], whole.max[block],
                    "block {block}"
                );
                assert_eq!(
                    part_from_masks.sum[block], whole.sum[block],
                    "block {block}"
                );
            } else {
                assert_eq!(part_from_masks.bits[block], 0, "block {block}");
            }
        }
        // Nothing within: nothing read.
        let mut none = WordMatches::new(documents);
        none.add_postings(postings(), ceiling, Some(&vec![0; blocks]));
        assert!(none.bits.iter().all(|b| *b == 0));
    }
}
