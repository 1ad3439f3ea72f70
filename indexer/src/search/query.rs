//! From what a person types to a tantivy query.
//!
//! A query is read as words and "quoted phrases". Each word matches, in every text field, its French
//! stem (names, descriptions, labels) and its English stem (English labels and descriptions); a
//! document scores the best field for each word (a disjunction max), so a word repeated across fields
//! does not outweigh a word found once in the name. Words are required together; when that finds
//! nothing, one word at a time may be left out (see `Searcher::search`).
//!
//! Score parts (all documented in `explain`):
//! - BM25 per field, times the field boost: name 3, other names 2, English and French labels 1.2,
//!   descriptions, supplier names and replaced offers 1;
//! - typo tolerance for words missing from the index: words of 5 to 8 letters within one edit, of
//!   9 or more within two, scored as the 3 closest words at 0.7 of their weight (and a floor of 0.2
//!   for any of the 10 closest, so that a less common close word still matches);
//! - the last word, while typed (3 letters or more, no space after it), completed to the 20 most
//!   frequent name words starting with it: 1;
//! - the whole query equal to a name: +5; equal to a record key: +2;
//! - what a record only inherits from its group (a supplier's offers' kinds, an offer's supplier-wide
//!   attestations): 0.5;
//! - "alternative to X": offers of X's kind, 3 each, + 1 / 0.6 / 0.3 for the socle / complementary /
//!   innovation tiers of La Suite numérique (the State's own choices first) + their text relevance.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use registre_domain::identifiers::{Lei, Siren, Siret, VatNumber};
use registre_domain::model::Key;
use registre_domain::taxonomy::{Category, SuiteClass, SuiteTier};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhraseQuery, Query,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher as TantivySearcher, Term};

use super::analysis::{
    english_analyzer, english_term, french_analyzer, french_term, normalize, terms, words,
};
use super::conjunction::AllOf;
use super::disjunction::BestOf;
use super::facets::{Slot, encode, position};
use super::schema::Fields;
use super::types::DocKind;

pub(crate) const NAME_BOOST: f32 = 3.0;
pub(crate) const OTHER_NAMES_BOOST: f32 = 2.0;
pub(crate) const LABEL_BOOST: f32 = 1.2;
pub(crate) const TEXT_BOOST: f32 = 1.0;
pub(crate) const CONTEXT_BOOST: f32 = 0.5;
pub(crate) const CORRECTION_WEIGHT: f32 = 0.7;
pub(crate) const FUZZY_FLOOR: f32 = 0.2;
pub(crate) const PREFIX_SCORE: f32 = 1.0;
pub(crate) const EXACT_NAME_SCORE: f32 = 5.0;
pub(crate) const KEY_SCORE: f32 = 2.0;
pub(crate) const ALTERNATIVE_SCORE: f32 = 3.0;
/// Replaced-offer names weigh more in "alternative to" queries: the record says it replaces X.
pub(crate) const REPLACES_ALTERNATIVE_BOOST: f32 = 2.0;
/// Shortest word completed as a prefix in a search: shorter ones would expand to a large share of
/// the names (suggestions, which rank names only, start at two letters).
pub(crate) const MIN_PREFIX: usize = 3;
/// Ties between the fields of one word: a small reward for a word found in several fields.
const TIE_BREAKER: f32 = 0.1;
/// Close words a misspelt word matches (the first `CORRECTIONS` are also scored as the word).
pub(crate) const CLOSE_WORDS: usize = 10;
pub(crate) const CORRECTIONS: usize = 3;
/// Name words a word being typed completes to: the most frequent ones, so that the work of a short
/// prefix stays bounded however many names start with it.
pub(crate) const COMPLETIONS: usize = 20;

/// One part of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Clause {
    /// A plain (lowercase, accent-folded) word.
    Word(String),
    /// The text between quotes.
    Phrase(String),
}

/// A query split into clauses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Parsed {
    pub clauses: Vec<Clause>,
    /// The last clause is a word still being typed (no space after it): it may be a prefix.
    pub prefix_last: bool,
    /// Every plain word of the query, phrases included, in order.
    pub words: Vec<String>,
}

pub(crate) fn parse(text: &str) -> Parsed {
    let mut clauses = Vec::new();
    let mut all = Vec::new();
    for (index, part) in text.split('"').enumerate() {
        if index % 2 == 1 {
            let phrase_words = words(part);
            if !phrase_words.is_empty() {
                all.extend(phrase_words.iter().cloned());
                if phrase_words.len() == 1 {
                    clauses.push(Clause::Word(phrase_words[0].clone()));
                } else {
                    clauses.push(Clause::Phrase(part.to_owned()));
                }
            }
        } else {
            for word in words(part) {
                all.push(word.clone());
                clauses.push(Clause::Word(word));
            }
        }
    }
    let ends_in_word = text.chars().last().is_some_and(char::is_alphanumeric);
    let prefix_last = ends_in_word && matches!(clauses.last(), Some(Clause::Word(_)));
    Parsed {
        clauses,
        prefix_last,
        words: all,
    }
}

/// An identifier typed as the whole query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Identifier {
    Siren(Siren),
    Siret(Siret),
    Vat(VatNumber),
    Lei(Lei),
}

impl Identifier {
    /// The query's text, when it is shaped like an identifier and valid as one (check digits included).
    pub(crate) fn recognise(text: &str) -> Option<Self> {
        let compact: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-' | '_'))
            .collect();
        let digits = compact.chars().all(|c| c.is_ascii_digit());
        let alphanumeric = compact.chars().all(|c| c.is_ascii_alphanumeric());
        if digits && compact.len() == 9 {
            return Siren::parse(&compact).ok().map(Identifier::Siren);
        }
        if digits && compact.len() == 14 {
            return Siret::parse(&compact).ok().map(Identifier::Siret);
        }
        if alphanumeric
            && compact.len() == 20
            && compact.chars().any(|c| c.is_ascii_digit())
            && let Ok(lei) = Lei::parse(&compact)
        {
            return Some(Identifier::Lei(lei));
        }
        let starts_with_letters = compact.len() >= 4
            && compact.chars().take(2).all(|c| c.is_ascii_alphabetic())
            && compact.chars().skip(2).any(|c| c.is_ascii_digit());
        if alphanumeric && starts_with_letters {
            return VatNumber::parse(&compact).ok().map(Identifier::Vat);
        }
        None
    }

    pub(crate) fn scheme(&self) -> &'static str {
        match self {
            Identifier::Siren(_) => "siren",
            Identifier::Siret(_) => "siret",
            Identifier::Vat(_) => "vat_number",
            Identifier::Lei(_) => "lei",
        }
    }

    pub(crate) fn value(&self) -> String {
        match self {
            Identifier::Siren(v) => v.as_str().to_owned(),
            Identifier::Siret(v) => v.as_str().to_owned(),
            Identifier::Vat(v) => v.as_str().to_owned(),
            Identifier::Lei(v) => v.as_str().to_owned(),
        }
    }

    /// The values to look up: the identifier itself, and the SIREN it contains when it has one,
    /// so that a SIRET or a French VAT number also finds a supplier recorded with its SIREN only.
    fn lookups(&self) -> Vec<String> {
        let mut values = vec![self.value()];
        match self {
            Identifier::Siret(siret) => values.push(siret.siren().as_str().to_owned()),
            Identifier::Vat(vat) if vat.country_prefix() == "FR" => {
                let number = vat.national_number();
                if number.len() == 11 {
                    values.push(number[2..].to_owned());
                }
            }
            _ => {}
        }
        values
    }
}

fn boxed(query: impl Query) -> Box<dyn Query> {
    Box::new(query)
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    boxed(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

/// A term matched without frequencies (for constant scores).
fn basic_term_query(field: Field, text: &str) -> Box<dyn Query> {
    boxed(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::Basic,
    ))
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if (boost - 1.0).abs() < f32::EPSILON {
        query
    } else {
        boxed(BoostQuery::new(query, boost))
    }
}

fn constant(query: Box<dyn Query>, score: f32) -> Box<dyn Query> {
    boxed(ConstScoreQuery::new(query, score))
}

fn any_of(queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    boxed(BooleanQuery::new(
        queries.into_iter().map(|q| (Occur::Should, q)).collect(),
    ))
}

/// A word is skipped when it is a stop word in either language: "pour", "the", "de".
pub(crate) fn is_stop_word(word: &str) -> bool {
    french_term(word).is_none() || english_term(word).is_none()
}

/// Edit distance allowed for a word of this many characters.
pub(crate) fn typo_distance(word: &str) -> u8 {
    match word.chars().count() {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// Levenshtein distance with adjacent transpositions counted as one edit (as FuzzyTermQuery does).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut before_previous = previous.clone();
    for i in 1..=a.len() {
        let mut current = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            current[j] = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                current[j] = current[j].min(before_previous[j - 2] + 1);
            }
        }
        before_previous = std::mem::replace(&mut previous, current);
    }
    previous[b.len()]
}

/// Words of the index's vocabulary (the `words` field) within `distance` edits of `word`, with their
/// document frequencies, closest and most frequent first.
fn close_words(
    searcher: &TantivySearcher,
    fields: &Fields,
    word: &str,
    distance: u8,
    limit: usize,
) -> tantivy::Result<Vec<(String, u64)>> {
    let fuzzy = FuzzyTermQuery::new(Term::from_field_text(fields.words, word), distance, true);
    // Built once for every segment: building the automaton costs as much as running it on one.
    let automaton = fuzzy.automaton()?;
    let mut found: HashMap<String, u64> = HashMap::new();
    for segment in searcher.segment_readers() {
        let index = segment.inverted_index(fields.words)?;
        let mut stream = index.terms().search(&automaton).into_stream()?;
        while stream.advance() {
            if let Ok(term) = std::str::from_utf8(stream.key()) {
                *found.entry(term.to_owned()).or_default() += u64::from(stream.value().doc_freq);
            }
        }
    }
    let mut candidates: Vec<(String, u64)> = found.into_iter().filter(|(t, _)| t != word).collect();
    candidates.sort_by(|(a, fa), (b, fb)| {
        edit_distance(word, a)
            .cmp(&edit_distance(word, b))
            .then(fb.cmp(fa))
            .then(a.cmp(b))
    });
    candidates.truncate(limit);
    Ok(candidates)
}

/// The `limit` most frequent name words (the `name_words` field) starting with `prefix`, most
/// frequent first.
fn completions(
    searcher: &TantivySearcher,
    fields: &Fields,
    prefix: &str,
    limit: usize,
) -> tantivy::Result<Vec<String>> {
    let mut found: HashMap<String, u64> = HashMap::new();
    let mut end = prefix.as_bytes().to_vec();
    end.push(0xFF);
    for segment in searcher.segment_readers() {
        let index = segment.inverted_index(fields.name_words)?;
        let mut stream = index
            .terms()
            .range()
            .ge(prefix.as_bytes())
            .lt(&end)
            .into_stream()?;
        while stream.advance() {
            if let Ok(word) = std::str::from_utf8(stream.key()) {
                *found.entry(word.to_owned()).or_default() += u64::from(stream.value().doc_freq);
            }
        }
    }
    let mut words: Vec<(String, u64)> = found.into_iter().collect();
    words.sort_by(|(a, fa), (b, fb)| fb.cmp(fa).then(a.cmp(b)));
    Ok(words.into_iter().take(limit).map(|(w, _)| w).collect())
}

/// Whether `word` is in the index's vocabulary.
pub(crate) fn is_known(searcher: &TantivySearcher, fields: &Fields, word: &str) -> bool {
    searcher
        .doc_freq(&Term::from_field_text(fields.words, word))
        .is_ok_and(|n| n > 0)
}

/// Close words with their document frequencies.
pub(crate) type CloseWords = Rc<Vec<(String, u64)>>;

/// Dictionary lookups made once per search: the query, the highlights and "did you mean" read the
/// same close words and completions.
#[derive(Default)]
pub(crate) struct Lookups {
    close: RefCell<HashMap<(String, u8), CloseWords>>,
    completions: RefCell<HashMap<String, Rc<Vec<String>>>>,
}

/// Builds queries against one index.
pub(crate) struct QueryBuilder<'a> {
    pub searcher: &'a TantivySearcher,
    pub fields: &'a Fields,
    pub lookups: &'a Lookups,
}

impl QueryBuilder<'_> {
    /// Up to [`CLOSE_WORDS`] words within `distance` edits of `word`, closest and most frequent first.
    pub(crate) fn close_words(&self, word: &str, distance: u8) -> tantivy::Result<CloseWords> {
        let key = (word.to_owned(), distance);
        if let Some(found) = self.lookups.close.borrow().get(&key) {
            return Ok(found.clone());
        }
        let found = Rc::new(close_words(
            self.searcher,
            self.fields,
            word,
            distance,
            CLOSE_WORDS,
        )?);
        self.lookups.close.borrow_mut().insert(key, found.clone());
        Ok(found)
    }

    /// The [`COMPLETIONS`] most frequent name words starting with `prefix`.
    pub(crate) fn completions(&self, prefix: &str) -> tantivy::Result<Rc<Vec<String>>> {
        if let Some(found) = self.lookups.completions.borrow().get(prefix) {
            return Ok(found.clone());
        }
        let found = Rc::new(completions(
            self.searcher,
            self.fields,
            prefix,
            COMPLETIONS,
        )?);
        self.lookups
            .completions
            .borrow_mut()
            .insert(prefix.to_owned(), found.clone());
        Ok(found)
    }

    pub(crate) fn is_known(&self, word: &str) -> bool {
        is_known(self.searcher, self.fields, word)
    }
}

/// The text fields a word's French stem is scored in, with their boosts.
fn french_fields(fields: &Fields) -> [(Field, f32); 7] {
    [
        (fields.name, NAME_BOOST),
        (fields.other_names, OTHER_NAMES_BOOST),
        (fields.supplier_names, TEXT_BOOST),
        (fields.labels_fr, LABEL_BOOST),
        (fields.context_fr, CONTEXT_BOOST),
        (fields.description_fr, TEXT_BOOST),
        (fields.replaces, TEXT_BOOST),
    ]
}

/// The text fields a word's English stem is scored in, with their boosts.
fn english_fields(fields: &Fields) -> [(Field, f32); 3] {
    [
        (fields.labels_en, LABEL_BOOST),
        (fields.context_en, CONTEXT_BOOST),
        (fields.description_en, TEXT_BOOST),
    ]
}

/// Every field whose terms a search scores by BM25 (words and phrases): the only ones whose
/// common terms the warmer reads (see `common_terms`).
pub(crate) fn scored_fields(fields: &Fields) -> Vec<Field> {
    french_fields(fields)
        .into_iter()
        .chain(english_fields(fields))
        .map(|(field, _)| field)
        .collect()
}

/// A word's match in each text field, at `weight`: terms and their boosts.
fn stem_terms(fields: &Fields, word: &str, weight: f32) -> Vec<(Term, f32)> {
    let mut terms = Vec::new();
    if let Some(fr) = french_term(word) {
        for (field, boost) in french_fields(fields) {
            terms.push((Term::from_field_text(field, &fr), boost * weight));
        }
    }
    if let Some(en) = english_term(word) {
        for (field, boost) in english_fields(fields) {
            terms.push((Term::from_field_text(field, &en), boost * weight));
        }
    }
    terms
}

impl QueryBuilder<'_> {
    /// A word's query, `None` for a stop word. `typed` marks the word being typed (prefix allowed).
    pub(crate) fn word(&self, word: &str, typed: bool) -> tantivy::Result<Option<Box<dyn Query>>> {
        let fields = self.fields;
        let prefix = typed && word.chars().count() >= MIN_PREFIX;
        if is_stop_word(word) && !prefix {
            return Ok(None);
        }
        let mut terms = if is_stop_word(word) {
            Vec::new()
        } else {
            stem_terms(fields, word, 1.0)
        };
        let mut constants = Vec::new();
        let distance = typo_distance(word);
        if distance > 0 && !self.is_known(word) {
            let close = self.close_words(word, distance)?;
            for (correction, _) in close.iter().take(CORRECTIONS) {
                terms.extend(stem_terms(fields, correction, CORRECTION_WEIGHT));
            }
            if !close.is_empty() {
                let any_close = close
                    .iter()
                    .map(|(w, _)| basic_term_query(fields.words, w))
                    .collect();
                constants.push((boxed(BestOf::new(any_close, 0.0)), FUZZY_FLOOR));
            }
        }
        if prefix {
            let completions = self.completions(word)?;
            if !completions.is_empty() {
                let names = completions
                    .iter()
                    .map(|w| basic_term_query(fields.name_words, w))
                    .collect();
                constants.push((boxed(BestOf::new(names, 0.0)), PREFIX_SCORE));
            }
        }
        if terms.is_empty() && constants.is_empty() {
            return Ok(None);
        }
        let best = constants.into_iter().fold(
            BestOf::of(terms, Vec::new(), TIE_BREAKER),
            |best, (query, score)| best.with_constant(query, score),
        );
        Ok(Some(boxed(best)))
    }

    /// A quoted phrase, matched word for word (French and English fields).
    pub(crate) fn phrase(&self, text: &str) -> Option<Box<dyn Query>> {
        let fields = self.fields;
        let mut disjuncts = Vec::new();
        let french = terms(french_analyzer(), text);
        let english = terms(english_analyzer(), text);
        let phrase = |field: Field,
                      terms: &[(usize, String)],
                      boost: f32|
         -> Option<Box<dyn Query>> {
            match terms {
                [] => None,
                [(_, single)] => Some(boosted(term_query(field, single), boost)),
                many => Some(boosted(
                    boxed(PhraseQuery::new_with_offset(
                        many.iter()
                            .map(|(position, term)| (*position, Term::from_field_text(field, term)))
                            .collect(),
                    )),
                    boost,
                )),
            }
        };
        for (field, boost) in french_fields(fields) {
            disjuncts.extend(phrase(field, &french, boost));
        }
        for (field, boost) in english_fields(fields) {
            disjuncts.extend(phrase(field, &english, boost));
        }
        (!disjuncts.is_empty()).then(|| boxed(BestOf::new(disjuncts, TIE_BREAKER)))
    }

    /// The queries of the clauses that can match (stop words drop out).
    pub(crate) fn clauses(&self, parsed: &Parsed) -> tantivy::Result<Vec<Box<dyn Query>>> {
        let last = parsed.clauses.len().saturating_sub(1);
        let mut queries = Vec::new();
        for (index, clause) in parsed.clauses.iter().enumerate() {
            let query = match clause {
                Clause::Word(word) => self.word(word, parsed.prefix_last && index == last)?,
                Clause::Phrase(text) => self.phrase(text),
            };
            queries.extend(query);
        }
        Ok(queries)
    }

    /// Clauses joined so that at least `required` of them match.
    pub(crate) fn text(clauses: Vec<Box<dyn Query>>, required: usize) -> Box<dyn Query> {
        if clauses.len() == 1 {
            return clauses.into_iter().next().expect("one clause");
        }
        boxed(BooleanQuery::with_minimum_required_clauses(
            clauses.into_iter().map(|q| (Occur::Should, q)).collect(),
            required,
        ))
    }

    /// Bonuses for a query that is exactly a name or a key.
    pub(crate) fn exact(&self, text: &str) -> Vec<Box<dyn Query>> {
        let fields = self.fields;
        let mut bonuses = Vec::new();
        let name = normalize(text);
        if !name.is_empty() {
            bonuses.push(constant(
                term_query(fields.name_exact, &name),
                EXACT_NAME_SCORE,
            ));
            let key = Key::from_name(text);
            bonuses.push(constant(term_query(fields.key, key.as_str()), KEY_SCORE));
        }
        bonuses
    }

    /// Every clause required, with optional bonuses (a bound on each document's score known).
    pub(crate) fn all(
        clauses: Vec<Box<dyn Query>>,
        bonuses: Vec<Box<dyn Query>>,
    ) -> Box<dyn Query> {
        boxed(AllOf::new(clauses, bonuses))
    }

    /// `main` (required) with optional bonuses.
    pub(crate) fn with_bonuses(
        main: Box<dyn Query>,
        bonuses: Vec<Box<dyn Query>>,
    ) -> Box<dyn Query> {
        if bonuses.is_empty() {
            return main;
        }
        let mut parts = vec![(Occur::Must, main)];
        parts.extend(bonuses.into_iter().map(|b| (Occur::Should, b)));
        boxed(BooleanQuery::new(parts))
    }

    /// Offers of these kinds, each scoring `ALTERNATIVE_SCORE`.
    pub(crate) fn kinds_of_tool(
        &self,
        classes: &[SuiteClass],
        categories: &[Category],
    ) -> Box<dyn Query> {
        let facet = |value: u64| -> Box<dyn Query> {
            boxed(TermQuery::new(
                Term::from_field_u64(self.fields.facet, value),
                IndexRecordOption::Basic,
            ))
        };
        let kinds = classes
            .iter()
            .map(|c| facet(encode(Slot::SuiteClass, position(*c))))
            .chain(
                categories
                    .iter()
                    .map(|c| facet(encode(Slot::Category, position(*c)))),
            )
            .collect();
        let offers = facet(encode(Slot::Kind, position(DocKind::Offer)));
        constant(
            boxed(BooleanQuery::new(vec![
                (Occur::Must, any_of(kinds)),
                (Occur::Must, offers),
            ])),
            ALTERNATIVE_SCORE,
        )
    }

    /// Words matched in names only: a bare product name ("teams") looks for the product itself,
    /// not for every description using the word.
    pub(crate) fn names(&self, product_words: &[String]) -> Option<Box<dyn Query>> {
        let fields = self.fields;
        let clauses: Vec<(Occur, Box<dyn Query>)> = product_words
            .iter()
            .filter_map(|w| french_term(w))
            .map(|term| {
                let terms = vec![
                    (Term::from_field_text(fields.name, &term), NAME_BOOST),
                    (
                        Term::from_field_text(fields.other_names, &term),
                        OTHER_NAMES_BOOST,
                    ),
                ];
                (
                    Occur::Must,
                    boxed(BestOf::of(terms, Vec::new(), TIE_BREAKER)),
                )
            })
            .collect();
        (!clauses.is_empty()).then(|| boxed(BooleanQuery::new(clauses)))
    }

    /// Bonuses for offers of La Suite numérique, by tier.
    pub(crate) fn suite_tiers(&self) -> Vec<Box<dyn Query>> {
        [
            (SuiteTier::Socle, 1.0),
            (SuiteTier::Complementary, 0.6),
            (SuiteTier::Innovation, 0.3),
        ]
        .into_iter()
        .map(|(tier, bonus)| {
            constant(
                boxed(TermQuery::new(
                    Term::from_field_u64(
                        self.fields.facet,
                        encode(Slot::SuiteTier, position(tier)),
                    ),
                    IndexRecordOption::Basic,
                )),
                bonus,
            )
        })
        .collect()
    }

    /// Documents that name `words` among the offers they replace.
    pub(crate) fn replacing(&self, product_words: &[String]) -> Option<Box<dyn Query>> {
        let terms: Vec<(usize, Term)> = product_words
            .iter()
            .filter_map(|w| french_term(w))
            .enumerate()
            .map(|(i, t)| (i, Term::from_field_text(self.fields.replaces, &t)))
            .collect();
        let query = match terms.len() {
            0 => return None,
            1 => boxed(TermQuery::new(
                terms[0].1.clone(),
                IndexRecordOption::WithFreqs,
            )),
            _ => boxed(PhraseQuery::new_with_offset(terms)),
        };
        Some(boosted(query, REPLACES_ALTERNATIVE_BOOST))
    }

    /// Documents exactly named `name` (normalised).
    pub(crate) fn named(&self, name: &str) -> Box<dyn Query> {
        term_query(self.fields.name_exact, &normalize(name))
    }

    /// Exact identifier lookup: the record holding it first, then its offers.
    pub(crate) fn identifier(&self, identifier: &Identifier) -> Box<dyn Query> {
        let mut parts = Vec::new();
        for value in identifier.lookups() {
            parts.push(constant(term_query(self.fields.identifiers, &value), 10.0));
            parts.push(constant(
                term_query(self.fields.supplier_identifiers, &value),
                1.0,
            ));
        }
        any_of(parts)
    }

    pub(crate) fn everything() -> Box<dyn Query> {
        boxed(AllQuery)
    }

    /// Documents excluded by uid.
    pub(crate) fn excluding(main: Box<dyn Query>, excluded: Vec<Box<dyn Query>>) -> Box<dyn Query> {
        if excluded.is_empty() {
            return main;
        }
        let mut parts = vec![(Occur::Must, main)];
        parts.extend(excluded.into_iter().map(|q| (Occur::MustNot, q)));
        boxed(BooleanQuery::new(parts))
    }

    pub(crate) fn optional(main: Box<dyn Query>, optional: Vec<Box<dyn Query>>) -> Box<dyn Query> {
        Self::with_bonuses(main, optional)
    }

    pub(crate) fn either(queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
        any_of(queries)
    }

    pub(crate) fn uid(&self, uid: u64) -> Box<dyn Query> {
        boxed(TermQuery::new(
            Term::from_field_u64(self.fields.uid, uid),
            IndexRecordOption::Basic,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_make_phrases_and_the_last_word_may_be_a_prefix() {
        let parsed = parse(r#"hébergement "données de santé" sca"#);
        assert_eq!(
            parsed.clauses,
            vec![
                Clause::Word("hebergement".into()),
                Clause::Phrase("données de santé".into()),
                Clause::Word("sca".into()),
            ]
        );
        assert!(parsed.prefix_last);
        assert!(!parse("scaleway ").prefix_last);
        assert!(!parse(r#""la suite""#).prefix_last);
    }

    #[test]
    fn identifiers_are_recognised_only_with_valid_check_digits() {
        assert_eq!(
            Identifier::recognise("424 761 419").map(|i| i.scheme()),
            Some("siren")
        );
        assert_eq!(Identifier::recognise("424761418"), None);
        assert_eq!(
            Identifier::recognise("FR22424761419").map(|i| i.scheme()),
            Some("vat_number")
        );
        let vat = Identifier::recognise("FR 22 424761419").unwrap();
        assert_eq!(vat.lookups(), vec!["FR22424761419", "424761419"]);
        assert_eq!(Identifier::recognise("ovh"), None);
    }

    #[test]
    fn typo_tolerance_grows_with_word_length() {
        assert_eq!(typo_distance("visio"), 1);
        assert_eq!(typo_distance("ovh"), 0);
        assert_eq!(typo_distance("herbergement"), 2);
        assert_eq!(edit_distance("scalewya", "scaleway"), 1);
        assert_eq!(edit_distance("hebergment", "hebergement"), 1);
    }
}
