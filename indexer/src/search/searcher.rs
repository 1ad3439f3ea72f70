//! The read side: [`Searcher`], a cheap handle the API and the web share, answering searches and
//! suggestions from the live index generation without touching the database.

use std::collections::{BTreeSet, HashSet};
use std::ops::Bound;
use std::sync::{Arc, Mutex, RwLock};

use registre_domain::taxonomy::{Category, SuiteClass};
use tantivy::collector::TopDocs;
use tantivy::query::Query;
use tantivy::schema::Value;
use tantivy::{
    DocAddress, DocId, IndexReader, Searcher as TantivySearcher, SegmentReader, TantivyDocument,
    Term,
};

use super::alternatives::{asks_for_alternative, find_product, is_framing};
use super::analysis::{
    english_analyzer, english_term, french_analyzer, french_term, normalize, terms, word_spans,
};
use super::collector::{Harvest, Plan, Ranked, SearchCollector, rounded};
use super::cursor::{self, Position};
use super::document::StoredHit;
use super::facets::{FilterSet, kinds_of_tool};
use super::highlight::FieldMarks;
use super::parallel::SearchThreads;
use super::query::{
    CORRECTIONS, Clause, Identifier, Lookups, MIN_PREFIX, Parsed, QueryBuilder, is_stop_word,
    parse, typo_distance,
};
use super::schema::Fields;
use super::types::{
    Explanation, Highlight, HighlightField, Hit, Interpretation, MAX_LIMIT, MAX_QUERY_CHARS,
    MAX_SUGGESTIONS, Qualification, SearchError, SearchRequest, SearchResults, Suggestion,
};
use super::warm::SegmentCache;

impl From<tantivy::TantivyError> for SearchError {
    fn from(error: tantivy::TantivyError) -> Self {
        SearchError::Index(error.to_string())
    }
}

impl From<std::io::Error> for SearchError {
    fn from(error: std::io::Error) -> Self {
        SearchError::Index(error.to_string())
    }
}

/// One open index generation.
pub(crate) struct LiveIndex {
    pub reader: IndexReader,
    pub fields: Fields,
    pub generation: String,
    /// The facet masks of the reader's segments (the reader's warmer, held here: it keeps a weak
    /// reference only).
    pub segments: Arc<SegmentCache>,
    pub threads: Arc<SearchThreads>,
    /// `IndexerSettings::first_pass`.
    pub first_pass: usize,
    /// Held while the reader reloads: a commit's reload and the end of a merge's (see `segments`)
    /// may run at once, and tantivy installs whichever searcher is built last, which could be the
    /// older one.
    pub reloading: Mutex<()>,
}

impl LiveIndex {
    /// Makes the last commit (and any ended merge) visible to the searches.
    pub(crate) fn reload(&self) -> tantivy::Result<()> {
        let _one_at_a_time = self.reloading.lock().unwrap_or_else(|e| e.into_inner());
        self.reader.reload()
    }
}

/// The state of the index, for readiness checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexStatus {
    /// An index generation is open and answers.
    pub ready: bool,
    pub generation: Option<String>,
    pub documents: u64,
    /// Segments of the live generation (a rebuild leaves one per search thread).
    pub segments: usize,
}

/// A handle on the live index: clone it freely. Searches are synchronous and CPU-bound: call them
/// from a blocking thread (`spawn_blocking`) in async code.
#[derive(Clone, Default)]
pub struct Searcher {
    live: Arc<RwLock<Option<Arc<LiveIndex>>>>,
}

impl std::fmt::Debug for Searcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Searcher")
            .field("status", &self.status())
            .finish()
    }
}

/// Words found, corrected or completed, to be highlighted.
#[derive(Default)]
struct Marked {
    words: BTreeSet<String>,
    phrases: Vec<String>,
}

impl Searcher {
    /// A handle that no indexer feeds: never ready. Used where only the API's shape matters.
    pub fn detached() -> Self {
        Self::default()
    }

    /// Makes `live` the generation that answers from now on.
    pub(crate) fn install(&self, live: Arc<LiveIndex>) {
        *self.live.write().unwrap_or_else(|e| e.into_inner()) = Some(live);
    }

    fn live(&self) -> Result<Arc<LiveIndex>, SearchError> {
        self.live
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .ok_or(SearchError::NotReady)
    }

    pub fn is_ready(&self) -> bool {
        self.live().is_ok()
    }

    pub fn status(&self) -> IndexStatus {
        match self.live() {
            Ok(live) => {
                let searcher = live.reader.searcher();
                IndexStatus {
                    ready: true,
                    generation: Some(live.generation.clone()),
                    documents: searcher.num_docs(),
                    segments: searcher.segment_readers().len(),
                }
            }
            Err(_) => IndexStatus {
                ready: false,
                generation: None,
                documents: 0,
                segments: 0,
            },
        }
    }

    /// Runs one search.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        check_length(&request.query)?;
        if !(1..=MAX_LIMIT).contains(&request.limit) {
            return Err(SearchError::LimitOutOfRange { max: MAX_LIMIT });
        }
        let fingerprint = cursor::fingerprint(&request.query, &request.filters, request.sort);
        let after = request
            .cursor
            .as_deref()
            .filter(|c| !c.is_empty())
            .map(|c| cursor::decode(c, &fingerprint, request.sort))
            .transpose()?;
        let live = self.live()?;
        Run::new(&live, request, request.limit + 1, after).execute(&fingerprint)
    }

    /// Every hit of a search, in its order, to be read a batch at a time (downloads of a whole result
    /// set). One pass over the matches serves the whole set, where following page cursors would
    /// redo that pass for every page. The request's limit and cursor do not apply; facets are not
    /// counted; hits carry no highlights.
    pub fn export(&self, request: &SearchRequest) -> Result<Export, SearchError> {
        check_length(&request.query)?;
        let live = self.live()?;
        let mut run = Run::new(&live, request, usize::MAX, None);
        let text = request.query.trim().to_owned();
        let planned = run.plan(&text, &parse(&text))?;
        let scoring = planned.scoring;
        Ok(Export {
            order: planned
                .harvest
                .top
                .into_iter()
                .map(|r| (r.address, if scoring { r.score } else { 0.0 }))
                .collect(),
            searcher: run.searcher,
            fields: live.fields.clone(),
            next: 0,
        })
    }

    /// Up to `limit` (at most [`MAX_SUGGESTIONS`]) names completing `text`, as typed in a search box.
    pub fn suggest(&self, text: &str, limit: usize) -> Result<Vec<Suggestion>, SearchError> {
        check_length(text)?;
        if !(1..=MAX_SUGGESTIONS).contains(&limit) {
            return Err(SearchError::LimitOutOfRange {
                max: MAX_SUGGESTIONS,
            });
        }
        let typed = normalize(text);
        // One letter would expand to a large share of the vocabulary for little use.
        if typed.chars().count() < 2 {
            return Ok(Vec::new());
        }
        let live = self.live()?;
        let searcher = live.reader.searcher();
        let fields = &live.fields;
        let top = completing(&live, &searcher, text, &typed, limit * 3)?;
        let mut seen = HashSet::new();
        let mut suggestions = Vec::new();
        for address in top {
            let stored = stored_hit(&searcher, fields, address)?;
            if seen.insert(normalize(&stored.name)) {
                suggestions.push(Suggestion {
                    text: stored.name,
                    kind: stored.kind,
                    id: stored.id,
                    key: stored.key,
                });
            }
            if suggestions.len() == limit {
                break;
            }
        }
        Ok(suggestions)
    }
}

/// The documents whose names complete `text` (`typed` once normalised), best first, at most
/// `wanted`: those whose display name starts with it, then those with another name or a later
/// word that does; each group by qualification, suppliers before offers, then by record.
fn completing(
    live: &LiveIndex,
    searcher: &TantivySearcher,
    text: &str,
    typed: &str,
    wanted: usize,
) -> Result<Vec<DocAddress>, SearchError> {
    let query = completion_query(&live.fields, &parse(text));
    let start = typed.as_bytes().to_vec();
    let mut end = start.clone();
    end.push(0xFF);
    let segments = live.segments.clone();
    // Short prefixes match a large share of the index: every match is ranked, by one number read
    // from arrays the warmer keeps (not from the columns, nor as a tuple).
    let rank = move |segment: &SegmentReader| {
        let warm = segments.get(segment).ok();
        let (from, to) = warm
            .as_ref()
            .and_then(|w| w.name_sort.as_ref())
            .and_then(|column| {
                column
                    .dictionary()
                    .term_bounds_to_ord(
                        Bound::Included(start.as_slice()),
                        Bound::Excluded(end.as_slice()),
                    )
                    .ok()
            })
            .map_or((u64::MAX, 0), |(lower, upper)| {
                (lower_ord(lower), upper_ord(upper))
            });
        move |doc: DocId| -> u128 {
            let Some(warm) = warm.as_deref() else {
                return 0;
            };
            let starts = warm
                .name_ord(doc)
                .is_some_and(|ord| ord >= from && ord < to);
            let uid = warm.uid[doc as usize];
            u128::from(starts) << 127
                | u128::from(warm.qualification[doc as usize]) << 65
                | u128::from(uid & 1 == 0) << 64
                | u128::from(u64::MAX - uid)
        }
    };
    let top = live.threads.search(
        searcher,
        query.as_ref(),
        &TopDocs::with_limit(wanted).order_by(rank),
    )?;
    Ok(top.into_iter().map(|(_, address)| address).collect())
}

/// Every word of `parsed` in a name, the last one as a prefix while it is being typed.
fn completion_query(fields: &Fields, parsed: &Parsed) -> Box<dyn Query> {
    let last = parsed.words.len() - 1;
    let parts: Vec<Box<dyn Query>> = parsed
        .words
        .iter()
        .enumerate()
        .map(|(index, word)| -> Box<dyn Query> {
            let term = Term::from_field_text(fields.name_words, word);
            if index == last && parsed.prefix_last {
                Box::new(tantivy::query::FuzzyTermQuery::new_prefix(term, 0, false))
            } else {
                Box::new(tantivy::query::TermQuery::new(
                    term,
                    tantivy::schema::IndexRecordOption::Basic,
                ))
            }
        })
        .collect();
    Box::new(tantivy::query::BooleanQuery::intersection(parts))
}

/// Refuses a query longer than [`MAX_QUERY_CHARS`].
fn check_length(text: &str) -> Result<(), SearchError> {
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(SearchError::QueryTooLong {
            max: MAX_QUERY_CHARS,
        });
    }
    Ok(())
}

fn lower_ord(bound: Bound<u64>) -> u64 {
    match bound {
        Bound::Included(ord) => ord,
        Bound::Excluded(ord) => ord + 1,
        Bound::Unbounded => 0,
    }
}

fn upper_ord(bound: Bound<u64>) -> u64 {
    match bound {
        Bound::Included(ord) => ord + 1,
        Bound::Excluded(ord) => ord,
        Bound::Unbounded => u64::MAX,
    }
}

fn hit_of(
    stored: StoredHit,
    highlights: Vec<Highlight>,
    score: f32,
    explanation: Option<Explanation>,
) -> Hit {
    Hit {
        highlights,
        kind: stored.kind,
        id: stored.id,
        key: stored.key,
        name: stored.name,
        legal_name: stored.legal_name,
        supplier: stored.supplier,
        category: stored.category,
        suite_class: stored.suite_class,
        suite_tier: stored.suite_tier,
        country: stored.country,
        exposure: stored.exposure,
        open_source: stored.open_source,
        deployment_models: stored.deployment_models,
        attestations: stored.attestations,
        score,
        explanation,
    }
}

/// Every hit of one search, in order (see [`Searcher::export`]).
pub struct Export {
    searcher: TantivySearcher,
    fields: Fields,
    order: Vec<(DocAddress, f32)>,
    next: usize,
}

impl Export {
    /// Hits in the result set.
    pub fn total(&self) -> usize {
        self.order.len()
    }

    /// Hits not read yet.
    pub fn remaining(&self) -> usize {
        self.order.len() - self.next
    }

    /// The next (up to) `size` hits; empty once every hit has been read.
    pub fn next_batch(&mut self, size: usize) -> Result<Vec<Hit>, SearchError> {
        let end = (self.next + size).min(self.order.len());
        let mut hits = Vec::with_capacity(end - self.next);
        for &(address, score) in &self.order[self.next..end] {
            let stored = stored_hit(&self.searcher, &self.fields, address)?;
            hits.push(hit_of(stored, Vec::new(), score, None));
        }
        self.next = end;
        Ok(hits)
    }
}

fn stored_hit(
    searcher: &TantivySearcher,
    fields: &Fields,
    address: DocAddress,
) -> Result<StoredHit, SearchError> {
    let doc: TantivyDocument = searcher.doc(address)?;
    stored_of(&doc, fields)
}

fn stored_of(doc: &TantivyDocument, fields: &Fields) -> Result<StoredHit, SearchError> {
    let json = doc
        .get_first(fields.summary)
        .and_then(|v| v.as_str())
        .ok_or_else(|| SearchError::Index("a document has no summary".to_owned()))?;
    serde_json::from_str(json).map_err(|e| SearchError::Index(format!("unreadable summary: {e}")))
}

/// One hit of the page: its stored fields, highlights and, if asked, explanation.
fn hit(
    searcher: &TantivySearcher,
    fields: &Fields,
    request: &SearchRequest,
    planned: &Planned,
    highlighter: &Highlighter,
    ranked: &Ranked,
) -> Result<Hit, SearchError> {
    let doc: TantivyDocument = searcher.doc(ranked.address)?;
    let stored = stored_of(&doc, fields)?;
    let explanation = if request.explain {
        Some(explain(searcher, request, planned, ranked, &stored)?)
    } else {
        None
    };
    let score = if planned.scoring { ranked.score } else { 0.0 };
    Ok(hit_of(
        stored,
        highlighter.highlights(&doc),
        score,
        explanation,
    ))
}

/// What "alternative to X" looks for.
struct Target {
    /// X, as the table or the registry names it.
    name: String,
    /// X's words in the query.
    words: Vec<String>,
    classes: Vec<SuiteClass>,
    categories: Vec<Category>,
    /// X itself, which is no alternative to itself.
    excluded: Vec<Box<dyn Query>>,
}

/// One search in progress.
struct Run<'a> {
    /// Documents kept from the pass: the page and one more, or every one (exports).
    keep: usize,
    searcher: TantivySearcher,
    fields: &'a Fields,
    segments: &'a Arc<SegmentCache>,
    threads: &'a SearchThreads,
    first_pass: usize,
    lookups: Lookups,
    request: &'a SearchRequest,
    filters: FilterSet,
    after: Option<Position>,
    marked: Marked,
}

/// What the query turned into.
struct Planned {
    query: Box<dyn Query>,
    interpretation: Interpretation,
    harvest: Harvest,
    scoring: bool,
}

impl<'a> Run<'a> {
    /// A search of `request` over `live`, keeping `keep` documents after `after`.
    fn new(
        live: &'a LiveIndex,
        request: &'a SearchRequest,
        keep: usize,
        after: Option<Position>,
    ) -> Self {
        Run {
            keep,
            searcher: live.reader.searcher(),
            fields: &live.fields,
            segments: &live.segments,
            threads: &live.threads,
            first_pass: live.first_pass,
            lookups: Lookups::default(),
            request,
            filters: FilterSet::new(&request.filters),
            after,
            marked: Marked::default(),
        }
    }

    fn builder(&self) -> QueryBuilder<'_> {
        QueryBuilder {
            searcher: &self.searcher,
            fields: self.fields,
            lookups: &self.lookups,
        }
    }

    fn collect(&self, query: &dyn Query, scoring: bool) -> Result<Harvest, SearchError> {
        let plan = Plan {
            filters: self.filters.clone(),
            sort: self.request.sort,
            after: self.after.clone(),
            keep: self.keep,
            count_facets: self.keep != usize::MAX,
            scoring,
            first_pass: self.first_pass,
        };
        Ok(self.threads.search(
            &self.searcher,
            query,
            &SearchCollector {
                plan: Arc::new(plan),
                segments: self.segments.clone(),
                floor: Default::default(),
            },
        )?)
    }

    fn planned(
        &self,
        query: Box<dyn Query>,
        interpretation: Interpretation,
        scoring: bool,
    ) -> Result<Planned, SearchError> {
        let harvest = self.collect(query.as_ref(), scoring)?;
        Ok(Planned {
            query,
            interpretation,
            harvest,
            scoring,
        })
    }

    fn execute(mut self, fingerprint: &str) -> Result<SearchResults, SearchError> {
        let text = self.request.query.trim().to_owned();
        let parsed = parse(&text);
        let planned = self.plan(&text, &parsed)?;
        let did_you_mean = if planned.harvest.matched == 0 && !parsed.words.is_empty() {
            self.did_you_mean(&text)?
        } else {
            None
        };
        let limit = self.request.limit;
        let next_cursor = (planned.harvest.top.len() > limit)
            .then(|| cursor::encode(fingerprint, planned.harvest.top[limit - 1].position.clone()));
        let facets = planned.harvest.tally.facets(&self.request.filters);
        let highlighter = self.highlighter();
        let page = &planned.harvest.top[..planned.harvest.top.len().min(limit)];
        let hits = self
            .threads
            .map(page.len(), |i| {
                hit(
                    &self.searcher,
                    self.fields,
                    self.request,
                    &planned,
                    &highlighter,
                    &page[i],
                )
            })
            .into_iter()
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SearchResults {
            hits,
            total: planned.harvest.total,
            facets,
            did_you_mean,
            next_cursor,
            interpretation: planned.interpretation,
        })
    }

    /// Reads the query: an identifier, an "alternative to" question, words, or nothing.
    fn plan(&mut self, text: &str, parsed: &Parsed) -> Result<Planned, SearchError> {
        if let Some(identifier) = Identifier::recognise(text) {
            let query = self.builder().identifier(&identifier);
            let planned = self.planned(
                query,
                Interpretation::Identifier {
                    scheme: identifier.scheme(),
                    value: identifier.value(),
                },
                true,
            )?;
            if planned.harvest.matched > 0 {
                return Ok(planned);
            }
        }
        if parsed.words.is_empty() {
            return self.planned(
                QueryBuilder::everything(),
                Interpretation::Everything,
                false,
            );
        }
        if let Some(planned) = self.alternative(text, parsed)? {
            return Ok(planned);
        }
        let clauses = self.builder().clauses(parsed)?;
        self.note_words(parsed)?;
        if clauses.is_empty() {
            return self.planned(
                QueryBuilder::everything(),
                Interpretation::Everything,
                false,
            );
        }
        let words = clauses.len();
        // When every word together finds nothing, the least useful words may go, one at a time, down
        // to half of them: "hébergement données de santé" still finds health-data hosts that never
        // say "hébergement".
        let least = words.div_ceil(2).max(1);
        let mut required = words;
        loop {
            let clauses = clauses.iter().map(|c| c.box_clone()).collect();
            let bonuses = self.builder().exact(text);
            let query = if required == words {
                QueryBuilder::all(clauses, bonuses)
            } else {
                QueryBuilder::with_bonuses(QueryBuilder::text(clauses, required), bonuses)
            };
            let planned = self.planned(query, Interpretation::Text { words, required }, true)?;
            if planned.harvest.matched > 0 || required <= least {
                return Ok(planned);
            }
            required -= 1;
        }
    }

    /// "alternative à Teams", "alternative to Zoom", "teams": the offers of the product's kind.
    fn alternative(&mut self, text: &str, parsed: &Parsed) -> Result<Option<Planned>, SearchError> {
        let words = &parsed.words;
        let explicit = asks_for_alternative(words);
        let product = find_product(words);
        let bare_product = product
            .as_ref()
            .is_some_and(|(_, range)| range.len() == words.len());
        if !explicit && !bare_product {
            return Ok(None);
        }
        let builder = self.builder();
        let Some(Target {
            name,
            words: target,
            classes,
            categories,
            excluded,
        }) = (match &product {
            Some((product, range)) => Some(Target {
                name: product.product.clone(),
                words: words[range.clone()].to_vec(),
                classes: product.suite_classes.clone(),
                categories: product.categories.clone(),
                excluded: product
                    .names
                    .iter()
                    .map(|n| builder.named(&n.join(" ")))
                    .collect(),
            }),
            None => self.registry_target(words)?,
        })
        else {
            return Ok(None);
        };
        if classes.is_empty() && categories.is_empty() {
            return Ok(None);
        }
        let interpretation = Interpretation::Alternative {
            product: name,
            suite_classes: classes.clone(),
            categories: categories.clone(),
        };
        let kinds = QueryBuilder::optional(
            builder.kinds_of_tool(&classes, &categories),
            builder.suite_tiers(),
        );
        let query = if explicit {
            // What is left once the framing and the product are gone ("open source", "chiffré")
            // ranks the alternatives; the product itself is not an alternative to itself.
            let rest: Vec<Clause> = words
                .iter()
                .filter(|w| !is_framing(w) && !target.contains(w))
                .map(|w| Clause::Word(w.clone()))
                .collect();
            let rest = Parsed {
                clauses: rest,
                prefix_last: false,
                words: Vec::new(),
            };
            let mut optional = Vec::new();
            let clauses = builder.clauses(&rest)?;
            if !clauses.is_empty() {
                optional.push(QueryBuilder::text(clauses, 1));
            }
            optional.extend(builder.replacing(&target));
            QueryBuilder::excluding(QueryBuilder::optional(kinds, optional), excluded)
        } else {
            // A bare product name: the product itself when the registry has it, then its alternatives.
            let mut either = vec![kinds];
            if let Some(names) = builder.names(words) {
                either.push(QueryBuilder::with_bonuses(names, builder.exact(text)));
            }
            QueryBuilder::either(either)
        };
        self.note_words(parsed)?;
        Ok(Some(self.planned(query, interpretation, true)?))
    }

    /// "alternative à X" where X is not in the table but may be a record of the registry
    /// ("alternative à Pronote"): the kinds of tool of the records named X.
    fn registry_target(&self, words: &[String]) -> Result<Option<Target>, SearchError> {
        let target: Vec<String> = words.iter().filter(|w| !is_framing(w)).cloned().collect();
        if target.is_empty() {
            return Ok(None);
        }
        let builder = self.builder();
        let named = builder.named(&target.join(" "));
        let found = self
            .searcher
            .search(named.as_ref(), &TopDocs::with_limit(5).order_by_score())?;
        let (mut classes, mut categories) = (Vec::new(), Vec::new());
        let mut excluded = Vec::new();
        for (_, address) in &found {
            let fast = self
                .searcher
                .segment_reader(address.segment_ord)
                .fast_fields();
            let (c, k) = kinds_of_tool(fast.u64("facet")?.values_for_doc(address.doc_id));
            classes.extend(c);
            categories.extend(k);
            let uid = fast.u64("uid")?.first(address.doc_id);
            excluded.extend(uid.map(|u| builder.uid(u)));
        }
        classes.sort();
        classes.dedup();
        categories.sort();
        categories.dedup();
        let name = found
            .first()
            .map(|(_, a)| stored_hit(&self.searcher, self.fields, *a).map(|s| s.name))
            .transpose()?
            .unwrap_or_else(|| target.join(" "));
        Ok(Some(Target {
            name,
            words: target,
            classes,
            categories,
            excluded,
        }))
    }

    /// Remembers the words to highlight: those typed, their corrections and their completions.
    fn note_words(&mut self, parsed: &Parsed) -> Result<(), SearchError> {
        let last = parsed.clauses.len().saturating_sub(1);
        for (index, clause) in parsed.clauses.iter().enumerate() {
            match clause {
                Clause::Word(word) => {
                    self.marked.words.insert(word.clone());
                    let distance = typo_distance(word);
                    let builder = self.builder();
                    let mut noted = Vec::new();
                    if distance > 0 && !builder.is_known(word) {
                        let close = builder.close_words(word, distance)?;
                        noted.extend(close.iter().take(CORRECTIONS).map(|(w, _)| w.clone()));
                    }
                    if parsed.prefix_last && index == last && word.chars().count() >= MIN_PREFIX {
                        noted.extend(builder.completions(word)?.iter().cloned());
                    }
                    self.marked.words.extend(noted);
                }
                Clause::Phrase(text) => self.marked.phrases.push(text.clone()),
            }
        }
        Ok(())
    }

    /// A corrected query for one that found nothing: each unknown word replaced by the closest known
    /// one (one edit for words of 3 or 4 letters, as for typo tolerance beyond).
    fn did_you_mean(&self, text: &str) -> Result<Option<String>, SearchError> {
        let mut corrected = String::new();
        let mut cursor = 0;
        let mut changed = false;
        for (span, word) in word_spans(text) {
            let builder = self.builder();
            if word.chars().count() < 3 || is_stop_word(&word) || builder.is_known(&word) {
                continue;
            }
            let distance = typo_distance(&word).max(1);
            if let Some((better, _)) = builder.close_words(&word, distance)?.first() {
                corrected.push_str(&text[cursor..span.start]);
                corrected.push_str(better);
                cursor = span.end;
                changed = true;
            }
        }
        corrected.push_str(&text[cursor..]);
        Ok(changed.then_some(corrected))
    }

    fn highlighter(&self) -> Highlighter {
        let mut french = BTreeSet::new();
        let mut english = BTreeSet::new();
        for word in &self.marked.words {
            french.extend(french_term(word));
            english.extend(english_term(word));
        }
        for phrase in &self.marked.phrases {
            french.extend(terms(french_analyzer(), phrase).into_iter().map(|(_, t)| t));
            english.extend(
                terms(english_analyzer(), phrase)
                    .into_iter()
                    .map(|(_, t)| t),
            );
        }
        Highlighter::new(&french, &english, self.fields)
    }
}

/// Why `ranked` ranks where it does.
fn explain(
    searcher: &TantivySearcher,
    request: &SearchRequest,
    planned: &Planned,
    ranked: &Ranked,
    stored: &StoredHit,
) -> Result<Explanation, SearchError> {
    let score = ranked.score;
    let qualification = stored.attestations.qualification;
    let details = if planned.scoring {
        let explanation = planned.query.explain(searcher, ranked.address)?;
        serde_json::to_value(&explanation).unwrap_or(serde_json::Value::Null)
    } else {
        serde_json::Value::Null
    };
    let relevance = rounded(score) as f32 / 100.0;
    let how = match &planned.interpretation {
        Interpretation::Everything => "no words: every record matches equally".to_owned(),
        Interpretation::Text { words, required } => format!(
            "{required} of {words} word(s) required; BM25 per field times its boost (name 3, other names 2, labels 1.2, descriptions 1), best field per word, typo and prefix matches at reduced weight, +5 for an exact name"
        ),
        Interpretation::Identifier { scheme, value } => {
            format!("exact {scheme} {value}: 10 for the record holding it, 1 for its offers")
        }
        Interpretation::Alternative { product, .. } => format!(
            "offer of the same kind as {product} (3), plus the relevance of the other words and of the offers it says it replaces"
        ),
    };
    let summary = match request.sort {
        super::types::Sort::Relevance => format!(
            "relevance {relevance:.2} ({how}); ties broken by qualification: {} (rank {}), then by record",
            qualification_words(qualification),
            qualification.rank()
        ),
        other => format!(
            "sorted by {}; relevance {relevance:.2} ({how})",
            other.code()
        ),
    };
    Ok(Explanation {
        score: if planned.scoring { score } else { 0.0 },
        relevance,
        qualification,
        summary,
        details,
    })
}

fn qualification_words(qualification: Qualification) -> &'static str {
    match qualification {
        Qualification::ValidToday => "an attestation valid today",
        Qualification::InProgress => "an attestation in progress",
        Qualification::None => "no attestation valid or in progress",
    }
}

/// Marks matched words in stored texts.
struct Highlighter {
    /// The highlighted fields, each with the terms it is marked for, built once per search.
    fields: Vec<FieldMarks>,
}

impl Highlighter {
    fn new(french: &BTreeSet<String>, english: &BTreeSet<String>, fields: &Fields) -> Self {
        let mut marks = Vec::new();
        if !french.is_empty() {
            marks.push(FieldMarks::new(
                HighlightField::Name,
                fields.name,
                french_analyzer(),
                french,
                300,
            ));
            marks.push(FieldMarks::new(
                HighlightField::DescriptionFr,
                fields.description_fr,
                french_analyzer(),
                french,
                180,
            ));
        }
        if !english.is_empty() {
            marks.push(FieldMarks::new(
                HighlightField::DescriptionEn,
                fields.description_en,
                english_analyzer(),
                english,
                180,
            ));
        }
        Self { fields: marks }
    }

    fn highlights(&self, doc: &TantivyDocument) -> Vec<Highlight> {
        self.fields
            .iter()
            .filter_map(|marks| marks.highlight(doc))
            .collect()
    }
}
