//! A word's best field: a disjunction-max that does its work only for the documents asked of it.
//!
//! Each word of a query matches in up to ten fields (and its corrections and completions in more).
//! tantivy's `DisjunctionMaxQuery` merges them through a buffered union, which scores every
//! document of a 4,096-document window at once: ideal when every document is read in turn, but in
//! a query of several words the rarest word leads and the others are only asked "do you hold
//! document d?" — and each such seek refilled a whole window of ten fields to answer for one
//! document (over a quarter of the time of two-word searches on a million records). Here the field
//! scorers are kept side by side: a seek moves each to the target with its skip lists, the current
//! document is the smallest of theirs, and a score is computed only for a document actually
//! collected; documents read in order (or by short seeks, as an intersection's leader reads) still
//! go a window at a time. The score is tantivy's: the best field's score plus `tie_breaker` times
//! the others'.

use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

/// The documents matching any of `disjuncts`, scored as the best one plus `tie_breaker` times the
/// others.
#[derive(Debug)]
pub(crate) struct BestOf {
    disjuncts: Vec<Box<dyn Query>>,
    tie_breaker: Score,
}

impl Clone for BestOf {
    fn clone(&self) -> Self {
        BestOf {
            disjuncts: self.disjuncts.iter().map(|q| q.box_clone()).collect(),
            tie_breaker: self.tie_breaker,
        }
    }
}

impl BestOf {
    pub(crate) fn new(disjuncts: Vec<Box<dyn Query>>, tie_breaker: Score) -> Self {
        BestOf {
            disjuncts,
            tie_breaker,
        }
    }
}

impl Query for BestOf {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .disjuncts
            .iter()
            .map(|query| query.weight(enable_scoring))
            .collect::<tantivy::Result<_>>()?;
        Ok(Box::new(BestOfWeight {
            weights,
            tie_breaker: self.tie_breaker,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for query in &self.disjuncts {
            query.query_terms(visitor);
        }
    }
}

struct BestOfWeight {
    weights: Vec<Box<dyn Weight>>,
    tie_breaker: Score,
}

impl Weight for BestOfWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut scorers = Vec::with_capacity(self.weights.len());
        for weight in &self.weights {
            let scorer = weight.scorer(reader, boost)?;
            if scorer.doc() != TERMINATED {
                scorers.push(scorer);
            }
        }
        Ok(match scorers.len() {
            0 => Box::new(EmptyScorer),
            1 => scorers.pop().expect("one scorer"),
            _ => {
                let doc = scorers.iter().map(|s| s.doc()).min().unwrap_or(TERMINATED);
                Box::new(BestOfScorer {
                    scorers,
                    doc,
                    tie_breaker: self.tie_breaker,
                    window: None,
                    in_window: false,
                })
            }
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        let mut explanation = Explanation::new_with_string(
            format!(
                "best field, plus {} times the other matching fields",
                self.tie_breaker
            ),
            scorer.score(),
        );
        for weight in &self.weights {
            if let Ok(detail) = weight.explain(reader, doc) {
                explanation.add_detail(detail);
            }
        }
        Ok(explanation)
    }
}

/// Documents per window of a reading in order (as tantivy's buffered union).
const WINDOW: usize = 4096;

/// A seek at most this far from the current document, or into the window after the current one,
/// reads on in order by windows; a longer jump only moves the field scorers.
const NEAR: DocId = 256;

struct BestOfScorer {
    /// Scorers not yet exhausted: in a window reading, each past the window; otherwise each at or
    /// after `doc`.
    scorers: Vec<Box<dyn Scorer>>,
    doc: DocId,
    tie_breaker: Score,
    /// The window being read in order, if `in_window`; kept allocated across seeks.
    window: Option<Box<Window>>,
    in_window: bool,
}

/// The documents of `[base, base + WINDOW)` matching some scorer, with their best and summed
/// scores.
struct Window {
    base: DocId,
    bits: [u64; WINDOW / 64],
    best: [Score; WINDOW],
    sum: [Score; WINDOW],
}

impl Window {
    /// The first matching document at or after `doc` in the window.
    fn next_from(&self, doc: DocId) -> Option<DocId> {
        let mut offset = (doc.saturating_sub(self.base)) as usize;
        while offset < WINDOW {
            let word = self.bits[offset / 64] >> (offset % 64);
            if word != 0 {
                return Some(self.base + (offset + word.trailing_zeros() as usize) as DocId);
            }
            offset = (offset / 64 + 1) * 64;
        }
        None
    }

    fn end(&self) -> DocId {
        self.base.saturating_add(WINDOW as DocId)
    }
}

impl BestOfScorer {
    /// Drops the exhausted scorers and returns the smallest current document.
    fn settle(&mut self) -> DocId {
        self.scorers.retain(|s| s.doc() != TERMINATED);
        self.doc = self
            .scorers
            .iter()
            .map(|s| s.doc())
            .min()
            .unwrap_or(TERMINATED);
        self.doc
    }

    /// Reads every scorer through the window starting at the smallest current document.
    fn refill(&mut self) -> DocId {
        let base = self.settle();
        if base == TERMINATED {
            self.in_window = false;
            return TERMINATED;
        }
        let mut window = self.window.take().unwrap_or_else(|| {
            Box::new(Window {
                base,
                bits: [0; WINDOW / 64],
                best: [0.0; WINDOW],
                sum: [0.0; WINDOW],
            })
        });
        window.base = base;
        window.bits = [0; WINDOW / 64];
        let end = window.end();
        for scorer in &mut self.scorers {
            let mut doc = scorer.doc();
            while doc < end {
                let offset = (doc - base) as usize;
                let score = scorer.score();
                if window.bits[offset / 64] & (1 << (offset % 64)) == 0 {
                    window.bits[offset / 64] |= 1 << (offset % 64);
                    window.best[offset] = score;
                    window.sum[offset] = score;
                } else {
                    window.best[offset] = window.best[offset].max(score);
                    window.sum[offset] += score;
                }
                doc = scorer.advance();
            }
        }
        self.scorers.retain(|s| s.doc() != TERMINATED);
        self.doc = window.next_from(base).unwrap_or(TERMINATED);
        self.window = Some(window);
        self.in_window = true;
        self.doc
    }
}

impl DocSet for BestOfScorer {
    fn advance(&mut self) -> DocId {
        if let Some(window) = self.window.as_ref().filter(|_| self.in_window) {
            if let Some(doc) = window.next_from(self.doc + 1) {
                self.doc = doc;
                return doc;
            }
        } else {
            // After a seek: the scorers at `doc` move on, then the reading in order resumes.
            let current = self.doc;
            for scorer in &mut self.scorers {
                if scorer.doc() == current {
                    scorer.advance();
                }
            }
        }
        self.refill()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        let near = if let Some(window) = self.window.as_ref().filter(|_| self.in_window) {
            if target < window.end()
                && let Some(doc) = window.next_from(target)
            {
                self.doc = doc;
                return doc;
            }
            target < window.end().saturating_add(WINDOW as DocId)
        } else {
            target - self.doc <= NEAR
        };
        for scorer in &mut self.scorers {
            if scorer.doc() < target {
                scorer.seek(target);
            }
        }
        if near {
            // Read on in order from here (how an intersection's leader moves: by seeks to the
            // next document).
            self.refill()
        } else {
            // A jump: only the scorers' positions, until asked for more.
            self.in_window = false;
            self.settle()
        }
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.scorers
            .iter()
            .map(|s| s.size_hint())
            .max()
            .unwrap_or(0)
    }

    fn cost(&self) -> u64 {
        self.scorers.iter().map(|s| s.cost()).sum()
    }
}

impl Scorer for BestOfScorer {
    fn score(&mut self) -> Score {
        let (max, sum) = match self.window.as_ref().filter(|_| self.in_window) {
            Some(window) => {
                let offset = (self.doc - window.base) as usize;
                (window.best[offset], window.sum[offset])
            }
            None => {
                let (mut max, mut sum) = (0.0 as Score, 0.0 as Score);
                for scorer in &mut self.scorers {
                    if scorer.doc() == self.doc {
                        let score = scorer.score();
                        max = max.max(score);
                        sum += score;
                    }
                }
                (max, sum)
            }
        };
        max + (sum - max) * self.tie_breaker
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, BoostQuery, DisjunctionMaxQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{Index, IndexWriter, doc};

    use super::*;

    /// Three text fields over a small vocabulary, in several segments, from a fixed pseudo-random
    /// sequence: words appear in one field, several or none.
    fn index() -> (Index, Vec<tantivy::schema::Field>) {
        let mut builder = Schema::builder();
        let fields: Vec<_> = ["a", "b", "c"]
            .iter()
            .map(|name| builder.add_text_field(name, TEXT))
            .collect();
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let words = ["cloud", "visio", "santé", "hébergement", "messagerie"];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        for segment in 0..3 {
            for _ in 0..(700 + segment * 4_500) {
                let mut document = tantivy::TantivyDocument::default();
                for field in &fields {
                    let count = next(4);
                    let text: Vec<&str> = (0..count).map(|_| words[next(5) as usize]).collect();
                    document.add_text(*field, text.join(" "));
                }
                writer.add_document(document).unwrap();
            }
            writer.add_document(doc!(fields[0] => "rare")).unwrap();
            writer.commit().unwrap();
        }
        (index, fields)
    }

    fn disjuncts(fields: &[tantivy::schema::Field], word: &str) -> Vec<Box<dyn Query>> {
        fields
            .iter()
            .zip([3.0, 1.2, 0.5])
            .map(|(field, boost)| {
                Box::new(BoostQuery::new(
                    Box::new(TermQuery::new(
                        Term::from_field_text(*field, word),
                        IndexRecordOption::WithFreqs,
                    )),
                    boost,
                )) as Box<dyn Query>
            })
            .collect()
    }

    /// Every document with its score, by tantivy's disjunction-max and by ours, alone and as the
    /// sought side of an intersection (where only seeks reach it).
    #[test]
    fn scores_and_matches_equal_tantivys_disjunction_max() {
        let (index, fields) = index();
        let searcher = index.reader().unwrap().searcher();
        assert!(searcher.segment_readers().len() > 1);
        let all = TopDocs::with_limit(100_000).order_by_score();
        for word in ["cloud", "santé", "rare", "absent"] {
            let theirs = DisjunctionMaxQuery::with_tie_breaker(disjuncts(&fields, word), 0.1);
            let ours = BestOf::new(disjuncts(&fields, word), 0.1);
            let expected = searcher.search(&theirs, &all).unwrap();
            let found = searcher.search(&ours, &all).unwrap();
            assert_eq!(found.len(), expected.len(), "{word}");
            let mut expected: Vec<_> = expected.into_iter().map(|(s, a)| (a, s)).collect();
            let mut found: Vec<_> = found.into_iter().map(|(s, a)| (a, s)).collect();
            expected.sort_by_key(|(a, _)| *a);
            found.sort_by_key(|(a, _)| *a);
            for ((ea, es), (fa, fs)) in expected.iter().zip(&found) {
                assert_eq!(ea, fa, "{word}");
                assert!((es - fs).abs() < 1e-4, "{word}: {es} against {fs}");
            }
            for leader in ["rare", "visio"] {
                let lead = || -> Box<dyn Query> {
                    Box::new(TermQuery::new(
                        Term::from_field_text(fields[0], leader),
                        IndexRecordOption::WithFreqs,
                    ))
                };
                let both = |second: Box<dyn Query>| {
                    BooleanQuery::new(vec![(Occur::Must, lead()), (Occur::Must, second)])
                };
                let mut expected = searcher
                    .search(&both(Box::new(theirs.clone())), &all)
                    .unwrap();
                let mut found = searcher
                    .search(&both(Box::new(ours.clone())), &all)
                    .unwrap();
                expected.sort_by_key(|(_, a)| *a);
                found.sort_by_key(|(_, a)| *a);
                assert_eq!(found.len(), expected.len(), "{leader} {word}");
                for ((es, ea), (fs, fa)) in expected.iter().zip(&found) {
                    assert_eq!(ea, fa, "{leader} {word}");
                    assert!((es - fs).abs() < 1e-4, "{leader} {word}");
                }
            }
        }
    }

    #[test]
    fn explanations_give_the_same_score_as_the_search() {
        let (index, fields) = index();
        let searcher = index.reader().unwrap().searcher();
        let query = BestOf::new(disjuncts(&fields, "cloud"), 0.1);
        let top = searcher
            .search(&query, &TopDocs::with_limit(5).order_by_score())
            .unwrap();
        assert!(!top.is_empty());
        for (score, address) in top {
            let explanation = query.explain(&searcher, address).unwrap();
            assert!((explanation.value() - score).abs() < 1e-4);
        }
    }
}
