//! What a segment keeps of its common terms' postings between searches.
//!
//! A search reads two things of every term it scores that depend on the segment alone and cost a
//! pass over the whole posting list: the block factors of its ceilings (see `ceiling`) and, for
//! the collector's two-phase pass, the documents it holds as block masks (see `matches`). A
//! word's postings in a million documents run to hundreds of thousands: reading them made a
//! third of a search's time (a sampled profile of the query set on the 1M bench index: the
//! scorers' creation 9%, the masks 15%). Both are read here once per segment, when a new index
//! generation is opened (see `warm`), for the terms long enough to have block factors.
//!
//! The most common terms, in more than one document in `MASKS_FROM_SHARE` of the segment's, also
//! keep their documents by block of 64 ([`DocumentBlocks`]): a mask per block, smaller than their
//! postings and read a word per block instead of a posting per document, and the best frequency
//! factor of the block's documents, which gives ceilings by block of documents rather than by
//! block of 128 postings (for a common word, several blocks of documents): fewer blocks reach a
//! page's floor. At a million documents (two segments), when every indexed text field was read:
//! 836 terms with masks, 86 MB in all, read in 1.4 s when the index is opened. Only the fields a
//! search scores are read now (not the identifiers, nor the vocabulary the corrections come
//! from): a process opening that index peaks at 236 MB instead of 360 MB.

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::postings::TermInfo;
use tantivy::schema::{Field, FieldType};
use tantivy::{DocId, SegmentReader};

use super::ceiling::{BLOCKS_READ_FROM, BlockFactors, DocumentBlocks};

/// A term is given masks when it is in more than one document in this many of the segment's.
const MASKS_FROM_SHARE: DocId = 16;

/// One common term of a segment.
#[derive(Debug)]
pub(crate) struct CommonTerm {
    pub factors: Arc<BlockFactors>,
    /// For the most common terms, their documents and factors by block of documents.
    pub documents: Option<Arc<DocumentBlocks>>,
}

/// A segment's common terms, by field and by where their postings start (the offset of a term's
/// posting list identifies it among its field's terms without copying its text).
#[derive(Debug, Default)]
pub(crate) struct CommonTerms {
    terms: HashMap<(Field, usize), CommonTerm>,
}

impl CommonTerms {
    /// Reads the common terms of the segment's `scored` fields (those a search scores; the
    /// others' terms, identifiers and the vocabulary of corrections among them, would only take
    /// memory and time).
    pub(crate) fn load(reader: &SegmentReader, scored: &[Field]) -> tantivy::Result<Self> {
        let documents = reader.max_doc();
        let masks_from = (documents / MASKS_FROM_SHARE).max(BLOCKS_READ_FROM);
        let mut terms = HashMap::new();
        for &field in scored {
            let entry = reader.schema().get_field_entry(field);
            if !entry.is_indexed() || !matches!(entry.field_type(), FieldType::Str(_)) {
                continue;
            }
            let index = reader.inverted_index(field)?;
            let norms = reader.get_fieldnorms_reader(field)?;
            let mut stream = index.terms().stream()?;
            while stream.advance() {
                let info = stream.value();
                if info.doc_freq < BLOCKS_READ_FROM {
                    continue;
                }
                let mut blocks =
                    (info.doc_freq > masks_from).then(|| DocumentBlocks::new(documents));
                let factors = BlockFactors::read(documents, &index, info, &norms, blocks.as_mut())?;
                if let Some(factors) = factors {
                    terms.insert(
                        (field, info.postings_range.start),
                        CommonTerm {
                            factors: Arc::new(factors),
                            documents: blocks.map(Arc::new),
                        },
                    );
                }
            }
        }
        Ok(CommonTerms { terms })
    }

    /// `field`'s term whose postings `info` describes, if it is common.
    pub(crate) fn get(&self, field: Field, info: &TermInfo) -> Option<&CommonTerm> {
        self.terms.get(&(field, info.postings_range.start))
    }

    /// The terms kept, those with masks among them, and the memory they take, in bytes.
    pub(crate) fn size(&self) -> (usize, usize, usize) {
        let with_masks = self
            .terms
            .values()
            .filter(|t| t.documents.is_some())
            .count();
        let bytes = self
            .terms
            .values()
            .map(|t| {
                let documents = t.documents.as_ref().map_or(0, |d| d.masks.len() * 12);
                t.factors.ends().len() * 8 + documents + 64
            })
            .sum();
        (self.terms.len(), with_masks, bytes)
    }
}

#[cfg(test)]
mod tests {
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{Index, IndexWriter, Term, doc};

    use super::super::blocks::BLOCK;
    use super::*;

    #[test]
    fn common_terms_hold_their_documents_by_block_and_their_block_ends() {
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT);
        let unscored = builder.add_text_field("unscored", TEXT);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let documents: DocId = 20_000;
        for doc in 0..documents {
            let mut words = vec!["word"];
            if doc % 2 == 0 {
                words.push("common");
            }
            if doc % 25 == 0 {
                words.push("frequent");
            }
            if doc % 50 == 0 {
                words.push("rare");
            }
            let words = words.join(" ");
            writer
                .add_document(doc!(text => words.clone(), unscored => words))
                .unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let reader = &searcher.segment_readers()[0];
        let common = CommonTerms::load(reader, &[text]).unwrap();
        let inverted = reader.inverted_index(text).unwrap();
        let info = |word: &str| {
            inverted
                .get_term_info(&Term::from_field_text(text, word))
                .unwrap()
                .unwrap()
        };
        // "rare" (400 documents) is too short for block factors; "frequent" (800) has them but
        // is in fewer than one document in 16; "common" and "word" have masks too.
        assert!(common.get(text, &info("rare")).is_none());
        // Only the fields asked for are read: the same words in another field are not kept.
        let other = reader.inverted_index(unscored).unwrap();
        let unscored_common = other
            .get_term_info(&Term::from_field_text(unscored, "common"))
            .unwrap()
            .unwrap();
        assert!(common.get(unscored, &unscored_common).is_none());
        let frequent = common.get(text, &info("frequent")).unwrap();
        assert!(frequent.documents.is_none());
        assert_eq!(frequent.factors.ends().len(), 800usize.div_ceil(128));
        assert_eq!(common.size().0, 3);
        assert_eq!(common.size().1, 2);
        let term = common.get(text, &info("common")).unwrap();
        let held = term.documents.as_ref().unwrap();
        let mut postings = inverted
            .read_block_postings_from_terminfo(&info("common"), IndexRecordOption::Basic)
            .unwrap();
        let blocks = held.masks.len();
        let (mut masks, mut ends) = (vec![0u64; blocks], Vec::new());
        while let Some(&last) = postings.docs().last() {
            for &doc in postings.docs() {
                masks[(doc / BLOCK) as usize] |= 1 << (doc % BLOCK);
            }
            ends.push(last);
            postings.advance();
        }
        assert_eq!(blocks, documents.div_ceil(BLOCK) as usize);
        assert_eq!(held.masks, masks);
        assert_eq!(held.masks[0], 0x5555_5555_5555_5555);
        assert_eq!(term.factors.ends(), ends.as_slice());
        // Every document of "common" has the same length and frequency: one factor everywhere.
        assert!(
            held.factors
                .iter()
                .all(|f| *f > 0.0 && *f == held.factors[0])
        );
    }
}
