//! Every word of a query, with optional bonuses, and a bound on the score of the current document.
//!
//! `AllOf` matches the documents every part matches (each part a word's or a phrase's `BestOf`)
//! and scores them as the sum of the parts' scores and of the bonuses (the whole query equal to a
//! name or a key) the document also matches, as tantivy's boolean query of required parts and
//! optional bonuses would. It adds one thing tantivy's scorers cannot give: [`AllOfScorer::bound`],
//! a score no smaller than the current document's, computed without reading its field lengths
//! (see `BestOfScorer::bound`). Sorting by relevance, the collector asks for the bound first and
//! computes the score only when the bound could enter the page: most documents of a common word
//! match it in descriptions only and never could.

use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

use super::common_terms::CommonTerms;
use super::disjunction::BestOfScorer;
use super::matches::Matches;

/// The documents matching every part, scored as the sum of the parts' scores and the bonuses'.
#[derive(Debug)]
pub(crate) struct AllOf {
    parts: Vec<Box<dyn Query>>,
    bonuses: Vec<Box<dyn Query>>,
}

impl Clone for AllOf {
    fn clone(&self) -> Self {
        AllOf {
            parts: self.parts.iter().map(|q| q.box_clone()).collect(),
            bonuses: self.bonuses.iter().map(|q| q.box_clone()).collect(),
        }
    }
}

impl AllOf {
    pub(crate) fn new(parts: Vec<Box<dyn Query>>, bonuses: Vec<Box<dyn Query>>) -> Self {
        AllOf { parts, bonuses }
    }
}

impl Query for AllOf {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = |queries: &[Box<dyn Query>]| {
            queries
                .iter()
                .map(|query| query.weight(enable_scoring))
                .collect::<tantivy::Result<Vec<_>>>()
        };
        Ok(Box::new(AllOfWeight {
            parts: weights(&self.parts)?,
            bonuses: weights(&self.bonuses)?,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for query in self.parts.iter().chain(&self.bonuses) {
            query.query_terms(visitor);
        }
    }
}

struct AllOfWeight {
    parts: Vec<Box<dyn Weight>>,
    bonuses: Vec<Box<dyn Weight>>,
}

impl Weight for AllOfWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut parts = Vec::with_capacity(self.parts.len());
        for weight in &self.parts {
            let scorer = weight.scorer(reader, boost)?;
            if scorer.doc() == TERMINATED {
                return Ok(Box::new(EmptyScorer));
            }
            parts.push(match scorer.downcast::<BestOfScorer>() {
                Ok(best) => Part::Best(best),
                Err(other) => Part::Other(other),
            });
        }
        if parts.is_empty() {
            return Ok(Box::new(EmptyScorer));
        }
        // The rarest part leads; the others are asked whether they hold its documents.
        parts.sort_by_key(Part::cost);
        let mut bonuses = Vec::with_capacity(self.bonuses.len());
        let mut bonus_weights = Vec::with_capacity(self.bonuses.len());
        for weight in &self.bonuses {
            let scorer = weight.scorer(reader, boost)?;
            if scorer.doc() != TERMINATED {
                bonuses.push(scorer);
                bonus_weights.push(weight.as_ref());
            }
        }
        // A second scorer of each bonus, for `matches` to read through.
        let spare_bonuses = bonus_weights
            .into_iter()
            .map(|weight| weight.scorer(reader, boost))
            .collect::<tantivy::Result<_>>()?;
        let mut scorer = AllOfScorer {
            doc: 0,
            parts,
            bonuses,
            spare_bonuses,
            bonus_from: 0,
        };
        let first = scorer.parts[0].scorer().doc();
        scorer.align(first);
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        let mut explanation =
            Explanation::new("sum of the words' and bonuses' scores", scorer.score());
        for weight in self.parts.iter().chain(&self.bonuses) {
            if let Ok(detail) = weight.explain(reader, doc) {
                explanation.add_detail(detail);
            }
        }
        Ok(explanation)
    }
}

/// A part's scorer: a word's best field (whose bound is known) or anything else.
enum Part {
    Best(Box<BestOfScorer>),
    Other(Box<dyn Scorer>),
}

impl Part {
    fn cost(&self) -> u64 {
        match self {
            Part::Best(best) => best.cost(),
            Part::Other(other) => other.cost(),
        }
    }

    fn scorer(&mut self) -> &mut dyn Scorer {
        match self {
            Part::Best(best) => best.as_mut(),
            Part::Other(other) => other.as_mut(),
        }
    }
}

pub(crate) struct AllOfScorer {
    doc: DocId,
    /// Rarest first.
    parts: Vec<Part>,
    bonuses: Vec<Box<dyn Scorer>>,
    /// The same bonuses again, unread (see `matches`).
    spare_bonuses: Vec<Box<dyn Scorer>>,
    /// No bonus matches a document before this one (the bonuses' smallest position).
    bonus_from: DocId,
}

impl AllOfScorer {
    /// From `candidate`, where the leading part stands, to the first document every part holds.
    fn align(&mut self, mut candidate: DocId) -> DocId {
        'candidates: while candidate != TERMINATED {
            for part in &mut self.parts[1..] {
                let doc = part.scorer().seek(candidate);
                if doc > candidate {
                    candidate = self.parts[0].scorer().seek(doc);
                    continue 'candidates;
                }
            }
            break;
        }
        self.doc = candidate;
        candidate
    }

    /// The bonuses' sum for the current document.
    fn bonus(&mut self) -> Score {
        if self.doc < self.bonus_from {
            return 0.0;
        }
        let (mut sum, mut from) = (0.0, TERMINATED);
        for bonus in &mut self.bonuses {
            if bonus.doc() < self.doc {
                bonus.seek(self.doc);
            }
            if bonus.doc() == self.doc {
                sum += bonus.score();
            }
            from = from.min(bonus.doc());
        }
        self.bonus_from = from;
        sum
    }

    /// Gives the words' fields the ceilings of the segment's common terms (see
    /// `BestOfScorer::provide`).
    pub(crate) fn provide(&mut self, common: &CommonTerms) {
        for part in &mut self.parts {
            if let Part::Best(best) = part {
                best.provide(common);
            }
        }
    }

    /// A score no smaller than the current document's (infinite when a part cannot tell).
    pub(crate) fn bound(&mut self) -> Score {
        let mut sum = 0.0;
        for part in &mut self.parts {
            sum += match part {
                Part::Best(best) => best.bound(),
                Part::Other(_) => return Score::INFINITY,
            };
        }
        sum + self.bonus()
    }

    /// The documents every part matches in the segment and each block's ceiling (the parts' and
    /// the bonuses'), read from the postings (see `matches`); `None` when a part cannot be read so.
    /// Reads the spare bonuses through: asked once. The parts come cheapest first: each one after
    /// the first reads only the blocks the ones before it match.
    pub(crate) fn matches(
        &mut self,
        reader: &SegmentReader,
        common: &CommonTerms,
    ) -> tantivy::Result<Option<Matches>> {
        let mut matches = Matches::everything(reader.max_doc());
        for (index, part) in self.parts.iter_mut().enumerate() {
            let Part::Best(best) = part else {
                return Ok(None);
            };
            let within = (index > 0).then_some(matches.bits.as_slice());
            let Some(word) = best.matches(reader, within, common, false)? else {
                return Ok(None);
            };
            matches.and(&word, best.tie_breaker());
        }
        for bonus in &mut self.spare_bonuses {
            matches.add_bonus(std::iter::from_fn(|| {
                let doc = bonus.doc();
                (doc != TERMINATED).then(|| {
                    let score = bonus.score();
                    bonus.advance();
                    (doc, score)
                })
            }));
        }
        Ok(Some(matches))
    }
}

impl DocSet for AllOfScorer {
    fn advance(&mut self) -> DocId {
        let candidate = self.parts[0].scorer().advance();
        self.align(candidate)
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        let candidate = self.parts[0].scorer().seek(target);
        self.align(candidate)
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        match &self.parts[0] {
            Part::Best(best) => best.size_hint(),
            Part::Other(other) => other.size_hint(),
        }
    }

    fn cost(&self) -> u64 {
        self.parts[0].cost()
    }
}

impl Scorer for AllOfScorer {
    fn score(&mut self) -> Score {
        let mut sum = 0.0;
        for part in &mut self.parts {
            sum += part.scorer().score();
        }
        sum + self.bonus()
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, TermQuery};
    use tantivy::schema::IndexRecordOption;

    use super::*;
    use crate::search::disjunction::BestOf;
    use crate::search::disjunction::tests::index;

    fn word(fields: &[tantivy::schema::Field], word: &str) -> Box<dyn Query> {
        let terms = vec![
            (Term::from_field_text(fields[0], word), 3.0),
            (Term::from_field_text(fields[1], word), 1.0),
        ];
        Box::new(BestOf::of(terms, Vec::new(), 0.1))
    }

    fn bonus(fields: &[tantivy::schema::Field], word: &str) -> Box<dyn Query> {
        let term = TermQuery::new(
            Term::from_field_text(fields[0], word),
            IndexRecordOption::Basic,
        );
        Box::new(ConstScoreQuery::new(Box::new(term), 5.0))
    }

    /// The same documents and scores as tantivy's boolean query of required words and optional
    /// bonuses, and a bound never under the score.
    #[test]
    fn matches_scores_and_bounds_agree_with_a_boolean_query() {
        let (index, fields) = index();
        let searcher = index.reader().unwrap().searcher();
        assert!(searcher.segment_readers().len() > 1);
        let all = TopDocs::with_limit(100_000).order_by_score();
        for words in [
            &["cloud"][..],
            &["santé", "hébergement"],
            &["visio", "messagerie", "cloud"],
            &["cloud", "absent"],
        ] {
            let parts = || words.iter().map(|w| word(&fields, w)).collect::<Vec<_>>();
            let bonuses = || vec![bonus(&fields, "messagerie")];
            let mut clauses: Vec<_> = parts().into_iter().map(|q| (Occur::Must, q)).collect();
            clauses.extend(bonuses().into_iter().map(|q| (Occur::Should, q)));
            let theirs = BooleanQuery::new(clauses);
            let ours = AllOf::new(parts(), bonuses());
            let mut expected = searcher.search(&theirs, &all).unwrap();
            let mut found = searcher.search(&ours, &all).unwrap();
            expected.sort_by_key(|(_, address)| *address);
            found.sort_by_key(|(_, address)| *address);
            assert_eq!(found.len(), expected.len(), "{words:?}");
            if words.contains(&"absent") {
                assert!(found.is_empty());
            } else {
                assert!(found.len() > 10, "{words:?}");
            }
            for ((es, ea), (fs, fa)) in expected.iter().zip(&found) {
                assert_eq!(ea, fa, "{words:?}");
                assert!((es - fs).abs() < 1e-4, "{words:?}: {es} against {fs}");
            }
            let weight = ours
                .weight(EnableScoring::enabled_from_searcher(&searcher))
                .unwrap();
            let mut checked = 0;
            for reader in searcher.segment_readers() {
                let mut scorer = weight.scorer(reader, 1.0).unwrap();
                let Some(all_of) = scorer.downcast_mut::<AllOfScorer>() else {
                    assert_eq!(scorer.doc(), TERMINATED, "{words:?}");
                    continue;
                };
                while all_of.doc() != TERMINATED {
                    let bound = all_of.bound();
                    let score = all_of.score();
                    assert!(bound >= score, "{words:?}: bound {bound} under {score}");
                    assert!(bound.is_finite());
                    checked += 1;
                    all_of.advance();
                }
            }
            assert_eq!(checked, found.len(), "{words:?}");
        }
    }
}
