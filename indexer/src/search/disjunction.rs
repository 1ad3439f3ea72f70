//! A word's best field: a disjunction-max that scores only the documents it is asked to score.
//!
//! Each word of a query matches in up to ten fields (and its corrections and completions in more).
//! tantivy's `DisjunctionMaxQuery` merges them through a buffered union, which scores every
//! document of a 4,096-document window as it reads it. A search does not need most of those
//! scores: in a query of several words only the documents holding every word count, the filters
//! leave out more, and the collector asks for a score only for a document that passes them (see
//! `collector`). Here the fields are read document at a time: the current document is the smallest
//! of the fields', and a score is computed, from the fields standing on it, only when asked. A
//! word's plain field matches (`BestOf::terms`) are read straight from their postings, without a
//! boxed scorer per field; anything else (phrases, constant-score groups) joins as a boxed scorer.
//! The score is tantivy's: the best field's score plus `tie_breaker` times the others'.

use std::sync::Arc;

use tantivy::InvertedIndexReader;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{BlockSegmentPostings, Postings, SegmentPostings, TermInfo};
use tantivy::query::{
    Bm25Weight, EmptyScorer, EnableScoring, Explanation, Query, Scorer, TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

use super::ceiling::{BlockFactors, Ceiling};
use super::common_terms::CommonTerms;
use super::matches::WordMatches;

/// The documents matching any of `terms` (each with its boost) or `disjuncts` (each with its
/// constant score, or scored by its own scorer), scored as the best one plus `tie_breaker` times
/// the others.
#[derive(Debug)]
pub(crate) struct BestOf {
    terms: Vec<(Term, Score)>,
    disjuncts: Vec<(Box<dyn Query>, Option<Score>)>,
    tie_breaker: Score,
}

impl Clone for BestOf {
    fn clone(&self) -> Self {
        BestOf {
            terms: self.terms.clone(),
            disjuncts: self
                .disjuncts
                .iter()
                .map(|(q, constant)| (q.box_clone(), *constant))
                .collect(),
            tie_breaker: self.tie_breaker,
        }
    }
}

impl BestOf {
    pub(crate) fn new(disjuncts: Vec<Box<dyn Query>>, tie_breaker: Score) -> Self {
        Self::of(Vec::new(), disjuncts, tie_breaker)
    }

    /// Term matches scored by BM25 times their boost, beside other queries.
    pub(crate) fn of(
        terms: Vec<(Term, Score)>,
        disjuncts: Vec<Box<dyn Query>>,
        tie_breaker: Score,
    ) -> Self {
        BestOf {
            terms,
            disjuncts: disjuncts.into_iter().map(|q| (q, None)).collect(),
            tie_breaker,
        }
    }

    /// Adds `query`, scoring `score` for any document it matches.
    pub(crate) fn with_constant(mut self, query: Box<dyn Query>, score: Score) -> Self {
        self.disjuncts.push((query, Some(score)));
        self
    }
}

impl Query for BestOf {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let mut weights = self
            .disjuncts
            .iter()
            .map(|(query, constant)| {
                let term = query.downcast_ref::<TermQuery>().map(|q| q.term().clone());
                Ok((query.weight(enable_scoring)?, *constant, term))
            })
            .collect::<tantivy::Result<Vec<_>>>()?;
        let mut terms = Vec::with_capacity(self.terms.len());
        match enable_scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => {
                let documents = statistics_provider.total_num_docs()?.max(1) as Score;
                for (term, boost) in &self.terms {
                    let bm25 =
                        Bm25Weight::for_terms(statistics_provider, std::slice::from_ref(term))?;
                    let average =
                        statistics_provider.total_num_tokens(term.field())? as Score / documents;
                    terms.push(Weighted {
                        term: term.clone(),
                        boost: *boost,
                        bm25,
                        average,
                    });
                }
            }
            // Without scores the terms are plain term queries.
            EnableScoring::Disabled { .. } => {
                for (term, _) in &self.terms {
                    let query = TermQuery::new(term.clone(), IndexRecordOption::Basic);
                    weights.push((query.weight(enable_scoring)?, None, Some(term.clone())));
                }
            }
        }
        Ok(Box::new(BestOfWeight {
            terms,
            weights,
            tie_breaker: self.tie_breaker,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (term, _) in &self.terms {
            visitor(term, false);
        }
        for (query, _) in &self.disjuncts {
            query.query_terms(visitor);
        }
    }
}

/// A term of a `BestOf`, weighed for the whole index.
struct Weighted {
    term: Term,
    boost: Score,
    /// Unboosted.
    bm25: Bm25Weight,
    /// The field's average length over the index, which `bm25` scores lengths against.
    average: Score,
}

/// A disjunct's weight, its constant score if it has one, and its term when it is a term query.
type Disjunct = (Box<dyn Weight>, Option<Score>, Option<Term>);

struct BestOfWeight {
    terms: Vec<Weighted>,
    weights: Vec<Disjunct>,
    tie_breaker: Score,
}

impl BestOfWeight {
    fn fields(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Vec<FieldScorer>> {
        let mut fields = Vec::with_capacity(self.terms.len());
        for weighted in &self.terms {
            let Some(TermPostings {
                index,
                info,
                postings,
            }) = postings(reader, &weighted.term)?
            else {
                continue;
            };
            let norms = reader.get_fieldnorms_reader(weighted.term.field())?;
            let bm25 = weighted.bm25.boost_by(weighted.boost * boost);
            fields.push(FieldScorer {
                field: weighted.term.field(),
                documents: reader.max_doc(),
                index,
                info,
                postings,
                norms,
                bm25,
                average: weighted.average,
                ceiling: None,
            });
        }
        Ok(fields)
    }
}

impl Weight for BestOfWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let fields = self.fields(reader, boost)?;
        let mut others = Vec::with_capacity(self.weights.len());
        for (weight, constant, term) in &self.weights {
            let scorer = weight.scorer(reader, boost)?;
            if scorer.doc() != TERMINATED {
                let constant = constant.map(|score| score * boost);
                others.push(Other {
                    scorer,
                    constant,
                    term: term.clone(),
                });
            }
        }
        if fields.is_empty() && others.is_empty() {
            return Ok(Box::new(EmptyScorer));
        }
        Ok(Box::new(BestOfScorer::new(
            fields,
            others,
            self.tie_breaker,
        )))
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
        for Weighted {
            term, boost, bm25, ..
        } in &self.terms
        {
            let Some(TermPostings { mut postings, .. }) = postings(reader, term)? else {
                continue;
            };
            if postings.doc() > doc || postings.seek(doc) != doc {
                continue;
            }
            let norm = reader
                .get_fieldnorms_reader(term.field())?
                .fieldnorm_id(doc);
            let mut detail = bm25.explain(norm, postings.term_freq());
            detail.add_context(format!("Term={term:?}"));
            let mut boosted = Explanation::new_with_string(
                format!("Boost x{boost} of ..."),
                detail.value() * boost,
            );
            boosted.add_detail(detail);
            explanation.add_detail(boosted);
        }
        for (weight, constant, _) in &self.weights {
            if let Ok(detail) = weight.explain(reader, doc) {
                explanation.add_detail(match constant {
                    Some(score) => {
                        let mut constant = Explanation::new("constant", *score);
                        constant.add_detail(detail);
                        constant
                    }
                    None => detail,
                });
            }
        }
        Ok(explanation)
    }
}

/// A term's postings in one segment, with frequencies, and where they were read from.
struct TermPostings {
    index: Arc<InvertedIndexReader>,
    info: TermInfo,
    postings: SegmentPostings,
}

/// The postings of `term` in the segment; `None` when it has none.
fn postings(reader: &SegmentReader, term: &Term) -> tantivy::Result<Option<TermPostings>> {
    let index = reader.inverted_index(term.field())?;
    let Some(info) = index.get_term_info(term)? else {
        return Ok(None);
    };
    let postings = index.read_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)?;
    Ok((postings.doc() != TERMINATED).then_some(TermPostings {
        index,
        info,
        postings,
    }))
}

/// A term's postings in one field, scored by BM25 on demand.
struct FieldScorer {
    field: Field,
    /// The segment's.
    documents: DocId,
    /// Where the postings were read from, for reading them again block by block (see `matches`).
    index: Arc<InvertedIndexReader>,
    info: TermInfo,
    postings: SegmentPostings,
    norms: FieldNormReader,
    bm25: Bm25Weight,
    /// The field's average length over the index, which `bm25` scores lengths against.
    average: Score,
    /// No document of the postings scores more (see `Ceiling`): from the segment's common terms
    /// when they hold the term (see `BestOfScorer::provide`), else read from the postings when
    /// first asked for (a group scored as a constant never asks).
    ceiling: Option<Ceiling>,
}

impl FieldScorer {
    fn score(&self) -> Score {
        let doc = self.postings.doc();
        self.bm25
            .score(self.norms.fieldnorm_id(doc), self.postings.term_freq())
    }

    /// The postings again, block by block, from their start.
    fn postings_blocks(&self) -> tantivy::Result<BlockSegmentPostings> {
        Ok(self
            .index
            .read_block_postings_from_terminfo(&self.info, IndexRecordOption::Basic)?)
    }

    /// Takes the ceilings of the segment's common term, if the term is one and they are not read.
    fn provide(&mut self, common: &CommonTerms) {
        if self.ceiling.is_none()
            && let Some(term) = common.get(self.field, &self.info)
        {
            self.ceiling = Some(Ceiling::new(
                Some(term.factors.clone()),
                term.documents.clone(),
                &self.bm25,
                self.average,
            ));
        }
    }

    /// The term's ceilings, read from the postings if not provided. A postings read that fails
    /// leaves the weight's own ceiling, which bounds every document too.
    #[inline]
    fn ceiling(&mut self) -> &mut Ceiling {
        if self.ceiling.is_none() {
            let factors =
                BlockFactors::read(self.documents, &self.index, &self.info, &self.norms, None)
                    .ok()
                    .flatten()
                    .map(Arc::new);
            self.ceiling = Some(Ceiling::new(factors, None, &self.bm25, self.average));
        }
        self.ceiling.as_mut().expect("set above")
    }
}

/// Another query's scorer, and its constant score if it has one.
struct Other {
    scorer: Box<dyn Scorer>,
    constant: Option<Score>,
    /// The term, when the scorer is a term query's (see `BestOfScorer::matches`).
    term: Option<Term>,
}

impl Other {
    fn score(&mut self) -> Score {
        match self.constant {
            Some(score) => score,
            None => self.scorer.score(),
        }
    }
}

pub(crate) struct BestOfScorer {
    /// Fields not yet exhausted, each at or after `doc`.
    fields: Vec<FieldScorer>,
    others: Vec<Other>,
    /// Where each field, then each other scorer, stands: read at every step, kept apart from the
    /// scorers (a field's postings hold a decoded block, two kilobytes) so that a step reads one
    /// cache line and moves only the scorers standing on the current document.
    docs: Vec<DocId>,
    /// Beside the other scorers' part of `docs`, each one's highest possible score (see `bound`).
    ceilings: Vec<Score>,
    doc: DocId,
    tie_breaker: Score,
}

impl BestOfScorer {
    fn new(fields: Vec<FieldScorer>, others: Vec<Other>, tie_breaker: Score) -> Self {
        let mut scorer = BestOfScorer {
            fields,
            others,
            docs: Vec::new(),
            ceilings: Vec::new(),
            doc: TERMINATED,
            tie_breaker,
        };
        scorer.settle();
        scorer
    }

    /// Drops the exhausted scorers and returns the smallest current document.
    fn settle(&mut self) -> DocId {
        self.fields.retain(|f| f.postings.doc() != TERMINATED);
        self.others.retain(|o| o.scorer.doc() != TERMINATED);
        self.docs.clear();
        self.docs
            .extend(self.fields.iter().map(|f| f.postings.doc()));
        self.docs.extend(self.others.iter().map(|o| o.scorer.doc()));
        self.doc = self.docs.iter().copied().min().unwrap_or(TERMINATED);
        self.ceilings.clear();
        self.ceilings.extend(
            self.others
                .iter()
                .map(|o| o.constant.unwrap_or(Score::INFINITY)),
        );
        self.doc
    }

    /// Moves the scorers `step` moves, and settles on the smallest document.
    fn step(&mut self, step: impl Step) -> DocId {
        let (mut next, mut ended) = (TERMINATED, false);
        let (fields, others) = self.docs.split_at_mut(self.fields.len());
        for (position, field) in fields.iter_mut().zip(&mut self.fields) {
            if step.moves(*position) {
                *position = step.apply(&mut field.postings);
                ended |= *position == TERMINATED;
            }
            next = next.min(*position);
        }
        for (position, other) in others.iter_mut().zip(&mut self.others) {
            if step.moves(*position) {
                *position = step.apply(other.scorer.as_mut());
                ended |= *position == TERMINATED;
            }
            next = next.min(*position);
        }
        if ended {
            return self.settle();
        }
        self.doc = next;
        next
    }

    /// A score no smaller than the current document's, read from the positions only: each field
    /// standing on it at the ceiling of its block (see `Ceiling`), constants as they are; infinite
    /// when a scorer of unknown bound stands on the document.
    pub(crate) fn bound(&mut self) -> Score {
        let (mut max, mut sum) = (0.0 as Score, 0.0 as Score);
        let (fields, others) = self.docs.split_at(self.fields.len());
        for (&position, field) in fields.iter().zip(&mut self.fields) {
            if position == self.doc {
                let ceiling = field.ceiling().at(position);
                max = max.max(ceiling);
                sum += ceiling;
            }
        }
        for (&position, &ceiling) in others.iter().zip(&self.ceilings) {
            if position == self.doc {
                max = max.max(ceiling);
                sum += ceiling;
            }
        }
        if max == Score::INFINITY {
            return max;
        }
        max + (sum - max) * self.tie_breaker
    }

    /// Every document the word matches in the segment, read from the postings block by block, with
    /// each block's ceiling (see `matches`), whatever the scorer has read so far; `None` when a part
    /// of it is not a field's postings, a term query or a disjunction-max of them.
    ///
    /// With `within`, only the documents of its blocks are sure to be read (see
    /// [`WordMatches::add_postings`]).
    ///
    /// The common terms' documents are read from the segment's masks, each block at the ceiling
    /// of its own documents (see `common_terms`); a group scored as a constant (`constant`) needs
    /// no ceiling of its own fields.
    pub(crate) fn matches(
        &mut self,
        reader: &SegmentReader,
        within: Option<&[u64]>,
        common: &CommonTerms,
        constant: bool,
    ) -> tantivy::Result<Option<WordMatches>> {
        let mut matches = WordMatches::new(reader.max_doc());
        for field in &mut self.fields {
            let documents = common
                .get(field.field, &field.info)
                .and_then(|term| term.documents.clone());
            if !constant {
                field.provide(common);
                field.ceiling();
            }
            let ceiling = field.ceiling.as_ref().filter(|_| !constant);
            match documents {
                Some(documents) => matches.add_masks(
                    &documents.masks,
                    |block| ceiling.map_or(0.0, |ceiling| ceiling.of_documents(block)),
                    within,
                ),
                None => matches.add_postings(
                    field.postings_blocks()?,
                    |block| ceiling.map_or(0.0, |ceiling| ceiling.of_block(block)),
                    within,
                ),
            }
        }
        for other in &mut self.others {
            // A term query's score is not known here: infinite, unless the group's is constant.
            let ceiling = other.constant.unwrap_or(Score::INFINITY);
            if let Some(term) = &other.term {
                let index = reader.inverted_index(term.field())?;
                if let Some(info) = index.get_term_info(term)? {
                    let postings =
                        index.read_block_postings_from_terminfo(&info, IndexRecordOption::Basic)?;
                    matches.add_postings(postings, |_| ceiling, within);
                }
                continue;
            }
            let Some(inner) = other.scorer.downcast_mut::<BestOfScorer>() else {
                return Ok(None);
            };
            let Some(nested) = inner.matches(reader, within, common, other.constant.is_some())?
            else {
                return Ok(None);
            };
            let tie_breaker = inner.tie_breaker;
            matches.add_blocks(&nested.bits, |block| {
                other
                    .constant
                    .unwrap_or_else(|| nested.ceiling(block, tie_breaker))
            });
        }
        Ok(Some(matches))
    }

    /// Gives the fields whose terms are common in the segment their ceilings from its block
    /// factors, sparing the pass over their postings that reading them takes.
    pub(crate) fn provide(&mut self, common: &CommonTerms) {
        for field in &mut self.fields {
            field.provide(common);
        }
    }

    pub(crate) fn tie_breaker(&self) -> Score {
        self.tie_breaker
    }
}

/// A move of the scorers standing at some positions.
trait Step {
    fn moves(&self, position: DocId) -> bool;
    fn apply<D: DocSet + ?Sized>(&self, scorer: &mut D) -> DocId;
}

/// The scorers on this document go to their next one.
struct Advance(DocId);

impl Step for Advance {
    fn moves(&self, position: DocId) -> bool {
        position == self.0
    }

    fn apply<D: DocSet + ?Sized>(&self, scorer: &mut D) -> DocId {
        scorer.advance()
    }
}

/// The scorers before this document go to it or past it.
struct Seek(DocId);

impl Step for Seek {
    fn moves(&self, position: DocId) -> bool {
        position < self.0
    }

    fn apply<D: DocSet + ?Sized>(&self, scorer: &mut D) -> DocId {
        scorer.seek(self.0)
    }
}

impl DocSet for BestOfScorer {
    fn advance(&mut self) -> DocId {
        self.step(Advance(self.doc))
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        self.step(Seek(target))
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        let fields = self.fields.iter().map(|f| f.postings.size_hint());
        let others = self.others.iter().map(|o| o.scorer.size_hint());
        fields.chain(others).max().unwrap_or(0)
    }

    fn cost(&self) -> u64 {
        let fields = self
            .fields
            .iter()
            .map(|f| u64::from(f.postings.size_hint()));
        let others = self.others.iter().map(|o| o.scorer.cost());
        fields.chain(others).sum()
    }
}

impl Scorer for BestOfScorer {
    fn score(&mut self) -> Score {
        let fields = self.fields.len();
        let (mut max, mut sum) = (0.0 as Score, 0.0 as Score);
        for (index, &position) in self.docs.iter().enumerate() {
            if position == self.doc {
                let score = if index < fields {
                    self.fields[index].score()
                } else {
                    self.others[index - fields].score()
                };
                max = max.max(score);
                sum += score;
            }
        }
        max + (sum - max) * self.tie_breaker
    }
}

#[cfg(test)]
pub(super) mod tests {
    use tantivy::collector::TopDocs;
    use tantivy::query::EnableScoring;
    use tantivy::query::{BooleanQuery, BoostQuery, DisjunctionMaxQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{Index, IndexWriter, doc};

    use super::super::dice::Dice;
    use super::*;

    /// Three text fields over a small vocabulary, in several segments, from a fixed pseudo-random
    /// sequence: words appear in one field, several or none (the conjunction's tests read it too).
    pub(in crate::search) fn index() -> (Index, Vec<tantivy::schema::Field>) {
        let mut builder = Schema::builder();
        let fields: Vec<_> = ["a", "b", "c"]
            .iter()
            .map(|name| builder.add_text_field(name, TEXT))
            .collect();
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let words = ["cloud", "visio", "santé", "hébergement", "messagerie"];
        let mut dice = Dice::new(0x2545_f491_4f6c_dd1d);
        for segment in 0..3 {
            for _ in 0..(700 + segment * 4_500) {
                let mut document = tantivy::TantivyDocument::default();
                for field in &fields {
                    let text: Vec<&str> = dice.some(&words, 3);
                    document.add_text(*field, text.join(" "));
                }
                writer.add_document(document).unwrap();
            }
            writer.add_document(doc!(fields[0] => "rare")).unwrap();
            writer.commit().unwrap();
        }
        (index, fields)
    }

    const BOOSTS: [f32; 3] = [3.0, 1.2, 0.5];

    fn disjuncts(fields: &[tantivy::schema::Field], word: &str) -> Vec<Box<dyn Query>> {
        fields
            .iter()
            .zip(BOOSTS)
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

    /// The same fields as plain terms with their boosts, the last one as a boxed query.
    fn mixed(fields: &[tantivy::schema::Field], word: &str) -> BestOf {
        let terms = fields[..2]
            .iter()
            .zip(BOOSTS)
            .map(|(field, boost)| (Term::from_field_text(*field, word), boost))
            .collect();
        let rest = disjuncts(fields, word).pop().unwrap();
        BestOf::of(terms, vec![rest], 0.1)
    }

    /// Every document with its score, by tantivy's disjunction-max and by ours (from boxed queries,
    /// and from terms read directly), alone and as the sought side of an intersection (where only
    /// seeks reach it).
    #[test]
    fn scores_and_matches_equal_tantivys_disjunction_max() {
        let (index, fields) = index();
        let searcher = index.reader().unwrap().searcher();
        assert!(searcher.segment_readers().len() > 1);
        let all = TopDocs::with_limit(100_000).order_by_score();
        for word in ["cloud", "santé", "rare", "absent"] {
            let theirs = DisjunctionMaxQuery::with_tie_breaker(disjuncts(&fields, word), 0.1);
            for ours in [
                BestOf::new(disjuncts(&fields, word), 0.1),
                mixed(&fields, word),
            ] {
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
    }

    #[test]
    fn explanations_give_the_same_score_as_the_search() {
        let (index, fields) = index();
        let searcher = index.reader().unwrap().searcher();
        for query in [
            BestOf::new(disjuncts(&fields, "cloud"), 0.1),
            mixed(&fields, "cloud"),
        ] {
            let top = searcher
                .search(&query, &TopDocs::with_limit(5).order_by_score())
                .unwrap();
            assert!(!top.is_empty());
            for (score, address) in top {
                let explanation = query.explain(&searcher, address).unwrap();
                assert!((explanation.value() - score).abs() < 1e-4);
                assert!(
                    explanation
                        .to_pretty_json()
                        .contains("TermQuery, product of")
                );
            }
        }
    }

    /// The ceilings read from the block maxima are never under a document's score, though the
    /// segments were written under other average lengths than the index's (two segments of short
    /// and long texts, then the same merged into one, sorted by another field), and lower than the
    /// weight's own ceiling.
    #[test]
    fn block_ceilings_bound_every_score_and_bound_tighter() {
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT);
        let order = builder.add_u64_field("order", tantivy::schema::FAST);
        let index = Index::builder()
            .schema(builder.build())
            .settings(tantivy::IndexSettings {
                sort_by_field: Some(tantivy::IndexSortByField {
                    field: "order".to_owned(),
                    order: tantivy::Order::Asc,
                }),
                ..Default::default()
            })
            .create_in_ram()
            .unwrap();
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let mut dice = Dice::new(0x9e37_79b9_7f4a_7c15);
        let words = ["cloud", "visio", "santé", "hébergement"];
        for (documents, shortest, longest) in [(3_000, 1, 3), (2_000, 6, 30)] {
            for _ in 0..documents {
                let length = shortest + dice.roll(longest - shortest + 1);
                let text_of: Vec<&str> = (0..length)
                    .map(|_| words[dice.roll(words.len() as u64) as usize])
                    .collect();
                writer
                    .add_document(doc!(text => text_of.join(" "), order => dice.roll(1_000_000)))
                    .unwrap();
            }
            writer.commit().unwrap();
        }
        let check = |index: &Index, segments: usize| {
            let searcher = index.reader().unwrap().searcher();
            assert_eq!(searcher.segment_readers().len(), segments);
            let query = BestOf::of(
                vec![(Term::from_field_text(text, "cloud"), 2.0)],
                vec![],
                0.1,
            );
            let weight = query
                .weight(EnableScoring::enabled_from_searcher(&searcher))
                .unwrap();
            let mut tighter = 0;
            for reader in searcher.segment_readers() {
                let mut scorer = weight.scorer(reader, 1.0).unwrap();
                let best = scorer.downcast_mut::<BestOfScorer>().unwrap();
                let blocks = best.fields[0].info.doc_freq.div_ceil(128) as usize;
                let ceiling = best.fields[0].ceiling();
                // Past the blocks: the weight's own ceiling.
                let highest = ceiling.of_block(blocks);
                if (0..blocks).all(|block| ceiling.of_block(block) < highest * 0.99) {
                    tighter += 1;
                }
                // The segment's common terms give ceilings by block of documents, without reading
                // the postings: above every score still, and mostly under those of the blocks of
                // postings (tantivy records a block's best document under the segment's average
                // length when it wrote the block; the documents' own factors are read under the
                // segment's, so a few come out slightly above).
                let mut provided = weight.scorer(reader, 1.0).unwrap();
                let provided = provided.downcast_mut::<BestOfScorer>().unwrap();
                provided.provide(&CommonTerms::load(reader, &[text]).unwrap());
                assert!(provided.fields[0].ceiling.is_some(), "provided");
                let (mut seen, mut finer) = (0, 0);
                while best.doc() != TERMINATED {
                    assert_eq!(provided.doc(), best.doc());
                    let (bound, score, given) = (best.bound(), best.score(), provided.bound());
                    assert!(bound >= score, "bound {bound} under {score}");
                    assert!(given >= score, "provided bound {given} under {score}");
                    finer += usize::from(given < bound);
                    seen += 1;
                    best.advance();
                    provided.advance();
                }
                assert!(finer > seen / 4, "{finer} finer bounds of {seen}");
                assert!(seen > 500);
            }
            assert_eq!(tighter, segments);
        };
        check(&index, 2);
        let ids = index.searchable_segment_ids().unwrap();
        writer.merge(&ids).wait().unwrap();
        writer.wait_merging_threads().unwrap();
        check(&index, 1);
    }
}
