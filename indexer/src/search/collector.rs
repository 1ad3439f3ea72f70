//! One pass over the documents that match the text: filters, disjunctive facet counts, the total and
//! the top of the page.
//!
//! Filters are not part of the tantivy query: the documents matching the text are gathered block by
//! block (64 documents, one bit each) and each block is judged against every filter and counted from
//! the segment's facet masks held in memory (see `blocks`, `warm` and `facets::BlockCounter`), which
//! gives in the same pass the counts of each facet under all the other filters (disjunctive
//! counts) — one pass where a query per filtered facet would need several. The page is the best
//! `limit` documents strictly after the cursor in sort order. The collector drives the scorer itself
//! and asks for a document's score only when the page needs it: never for a document the filters
//! leave out, and by relevance, once the page is full, only when the bound on its score (given by
//! `conjunction::AllOf`) reaches the page's floor; a document scoring below the worst one kept is
//! dropped before anything else of it is read. The segments of one search share that floor (see
//! `SharedFloor`): a segment collected after another starts from the other's full page.
//!
//! A query whose words are all read from postings (`AllOf` of `BestOf`s, the usual free text) is
//! collected in two phases: its matches are read block by block into one bit per document, with
//! a ceiling per block of 64 (`matches`), every block is counted, and the scorer is moved only onto
//! the documents of blocks whose ceiling reaches the page's floor — or, once the page is full,
//! that could win a tie with its worst document on the qualification and the record id (read
//! before the score). Walking every match with the scorer, one field comparison at a time, was
//! most of a search's time at 1M. By relevance the blocks of the highest ceilings are walked
//! first, so that the floor rises early; the blocks left are walked after only where they still
//! reach it. In debug builds (the tests) every such segment is collected both ways and the
//! harvests compared.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::ops::Bound;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering as AtomicOrdering};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::fastfield::AliveBitSet;
use tantivy::query::{Scorer, Weight};
use tantivy::{DocAddress, DocId, DocSet, Score, SegmentOrdinal, SegmentReader, TERMINATED};

use super::blocks::BLOCK;
use super::conjunction::AllOfScorer;
use super::cursor::Position;
use super::facets::{BlockCounter, FilterSet, Tally};
use super::matches::Matches;
use super::types::Sort;
use super::warm::{SegmentCache, Warm};

/// What to collect.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub filters: FilterSet,
    pub sort: Sort,
    pub after: Option<Position>,
    /// How many documents to keep (the page size plus one, to know whether another page follows;
    /// `usize::MAX` for every one).
    pub keep: usize,
    pub count_facets: bool,
    pub scoring: bool,
    /// By relevance, documents the two-phase pass walks first per document kept (see
    /// `SegmentSearch::read_matches`).
    pub first_pass: usize,
}

/// Relevance is compared at this precision, so that near-equal scores tie and the qualification
/// decides between them.
pub(crate) fn rounded(score: Score) -> u32 {
    // Adding a half and truncating rounds a non-negative number to the nearest, without the call
    // to `roundf` that `round` compiles to on the baseline x86-64 (a search rounds every match).
    (score.max(0.0) * 100.0 + 0.5) as u32
}

/// The smallest score whose relevance could be `relevance` or more, less a margin for the
/// rounding of the division: `rounded(score) >= relevance` implies `score >= floor_of(relevance)`.
fn floor_of(relevance: u64) -> Score {
    (relevance as Score - 0.5) / 100.0 - 1e-3
}

/// A document's place in the order: larger is better.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Rank {
    /// (primary, secondary, reversed uid): relevance and qualification dates.
    Number(u64, u64, u64),
    /// Name and uid, both ascending.
    Name(String, u64),
}

impl Ord for Rank {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Rank::Number(a, b, c), Rank::Number(x, y, z)) => (a, b, c).cmp(&(x, y, z)),
            (Rank::Name(n, u), Rank::Name(m, v)) => (m, v).cmp(&(n, u)),
            (Rank::Number(..), Rank::Name(..)) => Ordering::Greater,
            (Rank::Name(..), Rank::Number(..)) => Ordering::Less,
        }
    }
}

impl PartialOrd for Rank {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn numeric_rank(
    sort: Sort,
    score: Score,
    qualification: u64,
    until: u64,
    uid: u64,
) -> (u64, u64, u64) {
    let tail = u64::MAX - uid;
    match sort {
        Sort::Relevance => (u64::from(rounded(score)), qualification, tail),
        Sort::QualificationEnd => (u64::from(until > 0), u64::MAX - until, tail),
        Sort::QualificationEndDesc => (u64::from(until > 0), until, tail),
        Sort::Name => unreachable!("names are ranked by term ordinal"),
    }
}

fn position_rank(sort: Sort, position: &Position) -> Option<(u64, u64, u64)> {
    match (sort, position) {
        (Sort::Relevance, Position::Relevance { r, q, u }) => {
            Some((u64::from(*r), u64::from(*q), u64::MAX - u))
        }
        (Sort::QualificationEnd | Sort::QualificationEndDesc, Position::Until { d, u }) => {
            Some(numeric_rank(sort, 0.0, 0, *d, *u))
        }
        _ => None,
    }
}

/// A collected document.
#[derive(Debug, Clone)]
pub(crate) struct Ranked {
    pub address: DocAddress,
    pub score: Score,
    pub position: Position,
}

/// The result of the pass.
#[derive(Debug, Clone, Default)]
pub(crate) struct Harvest {
    /// Documents matching the text and every filter.
    pub total: u64,
    /// Documents matching the text, whatever the filters.
    pub matched: u64,
    pub tally: Tally,
    /// Best first.
    pub top: Vec<Ranked>,
}

pub(crate) struct SearchCollector {
    pub plan: Arc<Plan>,
    pub segments: Arc<SegmentCache>,
    /// One search's floor, shared by its segments.
    pub floor: Arc<SharedFloor>,
}

/// By relevance, the floor of the merged page as the segments collected so far prove it: a
/// segment whose page is full holds `keep` documents of its worst relevance or more, so no
/// document of a lower relevance, in any segment, can enter the merged page. A segment collected
/// after another (or beside it, on another thread) starts from that floor instead of nothing.
#[derive(Debug, Default)]
pub(crate) struct SharedFloor(AtomicU32);

impl SharedFloor {
    /// Notes a full page whose worst relevance is `relevance`.
    fn raise(&self, relevance: u64) {
        let stored = u32::try_from(relevance).map_or(u32::MAX, |r| r.saturating_add(1));
        self.0.fetch_max(stored, AtomicOrdering::Relaxed);
    }

    /// The highest worst relevance of a full page so far.
    fn relevance(&self) -> Option<u64> {
        match self.0.load(AtomicOrdering::Relaxed) {
            0 => None,
            stored => Some(u64::from(stored - 1)),
        }
    }
}

/// Where the cursor's name falls in one segment's name dictionary.
enum NameCursor {
    None,
    /// The name exists in this segment with this ordinal: after it means a later ordinal, or the same
    /// ordinal and a later uid.
    At(u64, u64),
    /// The name does not exist here: after it means this ordinal or a later one.
    From(u64),
}

pub(crate) struct SegmentSearch {
    plan: Arc<Plan>,
    shared_floor: Arc<SharedFloor>,
    segment: SegmentOrdinal,
    warm: Arc<Warm>,
    counter: BlockCounter,
    /// The block being gathered, the documents of it matching the text, and those passing the filters.
    block: DocId,
    matched_in_block: u64,
    passing_in_block: u64,
    name_cursor: NameCursor,
    after: Option<(u64, u64, u64)>,
    tally: Tally,
    total: u64,
    matched: u64,
    /// Worst of the kept documents on top.
    heap: BinaryHeap<Reverse<(SegmentRank, DocId, OrderedScore)>>,
    /// By relevance, once the page is full: a score under this one cannot enter it (kept as a
    /// number so that most documents are turned away by one comparison, before any rounding).
    floor: Score,
    /// By relevance, once the page is full: a score under this one cannot pass the worst kept
    /// document's relevance, so it can enter only by tying with it and winning on the tie-breaks.
    tie_floor: Score,
}

/// Segment-local rank: the name variant holds a term ordinal, only comparable within the segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct SegmentRank(u64, u64, u64);

/// A score carried along (not compared).
#[derive(Debug, Clone, Copy)]
struct OrderedScore(Score);

impl PartialEq for OrderedScore {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl Eq for OrderedScore {}
impl PartialOrd for OrderedScore {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for OrderedScore {
    fn cmp(&self, _: &Self) -> Ordering {
        Ordering::Equal
    }
}

impl SearchCollector {
    /// In debug builds (every test), the two-phase pass's harvest against the document-at-a-time
    /// pass's on the same segment, alone: the same counts, and the same page and scores down to the
    /// floor the segments shared (under it, what a page holds depends on when the floor rose).
    #[cfg(debug_assertions)]
    fn checked(
        &self,
        weight: &dyn Weight,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
        harvest: Harvest,
    ) -> tantivy::Result<Harvest> {
        let alone = SearchCollector {
            plan: self.plan.clone(),
            segments: self.segments.clone(),
            floor: Default::default(),
        };
        let mut search = alone.for_segment(segment, reader)?;
        let alive = reader.alive_bitset();
        let mut scorer = weight.scorer(reader, 1.0)?;
        let all = scorer
            .downcast_mut::<AllOfScorer>()
            .expect("the same weight gives the same scorer");
        search.read(all, |doc| alive.is_none_or(|alive| alive.is_alive(doc)));
        let floor = self.floor.relevance();
        let above_floor = |mut harvest: Harvest| {
            if let Some(floor) = floor {
                harvest.top.retain(|ranked| match ranked.position {
                    Position::Relevance { r, .. } => u64::from(r) >= floor,
                    _ => true,
                });
            }
            format!("{harvest:?}")
        };
        assert_eq!(
            above_floor(harvest.clone()),
            above_floor(search.harvest()),
            "the two-phase pass differs from the document-at-a-time pass"
        );
        Ok(harvest)
    }
}

impl Collector for SearchCollector {
    type Fruit = Harvest;
    type Child = SegmentSearch;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentSearch> {
        let warm = self.segments.get(reader)?;
        let plan = self.plan.clone();
        let name_cursor = if plan.sort == Sort::Name {
            match (&warm.name_sort, &plan.after) {
                (Some(column), Some(Position::Name { n, .. })) => {
                    let dictionary = column.dictionary();
                    match dictionary.term_ord(n.as_bytes())? {
                        Some(ord) => match &plan.after {
                            Some(Position::Name { u, .. }) => NameCursor::At(ord, *u),
                            _ => NameCursor::None,
                        },
                        None => {
                            let (lower, _) = dictionary.term_bounds_to_ord(
                                Bound::Included(n.as_bytes()),
                                Bound::Unbounded,
                            )?;
                            match lower {
                                Bound::Included(ord) => NameCursor::From(ord),
                                Bound::Excluded(ord) => NameCursor::From(ord + 1),
                                Bound::Unbounded => NameCursor::From(0),
                            }
                        }
                    }
                }
                _ => NameCursor::None,
            }
        } else {
            NameCursor::None
        };
        let after = match (&plan.after, plan.sort) {
            (Some(position), sort) if sort != Sort::Name => position_rank(sort, position),
            _ => None,
        };
        let counter = BlockCounter::new(&plan.filters, warm.facets.values());
        Ok(SegmentSearch {
            segment,
            warm,
            counter,
            block: DocId::MAX,
            matched_in_block: 0,
            passing_in_block: !0,
            name_cursor,
            after,
            tally: Tally::default(),
            total: 0,
            matched: 0,
            heap: BinaryHeap::with_capacity(plan.keep.min(1024) + 1),
            shared_floor: self.floor.clone(),
            floor: Score::NEG_INFINITY,
            tie_floor: Score::NEG_INFINITY,
            plan,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.plan.scoring
    }

    /// tantivy's loop, except that a document's score is computed only when the page needs it (not
    /// for one the filters leave out, nor by relevance for one that cannot enter a full page).
    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Harvest> {
        let mut search = self.for_segment(segment, reader)?;
        let alive = reader.alive_bitset();
        let is_alive = |doc: DocId| alive.is_none_or(|alive| alive.is_alive(doc));
        if self.plan.scoring {
            let warm = search.warm.clone();
            let common = &warm.terms;
            // A conjunction's scorers take the ceilings of the segment's common terms.
            let scorer = || -> tantivy::Result<Box<dyn Scorer>> {
                let mut scorer = weight.scorer(reader, 1.0)?;
                if let Some(all) = scorer.downcast_mut::<AllOfScorer>() {
                    all.provide(common);
                }
                Ok(scorer)
            };
            let mut first = scorer()?;
            match first.downcast_mut::<AllOfScorer>() {
                Some(all) => match all.matches(reader, common)? {
                    Some(matches) => {
                        let fresh = scorer;
                        search.read_matches(all, &matches, alive, fresh)?;
                        #[cfg(debug_assertions)]
                        return self.checked(weight, segment, reader, search.harvest());
                    }
                    None => search.read(all, is_alive),
                },
                None => search.read(first.as_mut(), is_alive),
            }
        } else {
            weight.for_each_no_score(reader, &mut |docs| {
                for &doc in docs.iter().filter(|&&doc| is_alive(doc)) {
                    search.offer(doc, &mut Known(0.0));
                }
            })?;
        }
        Ok(search.harvest())
    }

    fn merge_fruits(&self, fruits: Vec<Harvest>) -> tantivy::Result<Harvest> {
        let mut merged = Harvest::default();
        let mut ranked: Vec<(Rank, Ranked)> = Vec::new();
        for fruit in fruits {
            merged.total += fruit.total;
            merged.matched += fruit.matched;
            merged.tally.merge(&fruit.tally);
            ranked.extend(
                fruit
                    .top
                    .into_iter()
                    .map(|r| (rank_of(self.plan.sort, &r.position), r)),
            );
        }
        ranked.sort_by(|a, b| b.0.cmp(&a.0));
        ranked.truncate(self.plan.keep);
        merged.top = ranked.into_iter().map(|(_, r)| r).collect();
        Ok(merged)
    }
}

fn rank_of(sort: Sort, position: &Position) -> Rank {
    match position {
        Position::Name { n, u } => Rank::Name(n.clone(), *u),
        other => {
            let (a, b, c) = position_rank(sort, other).unwrap_or((0, 0, 0));
            Rank::Number(a, b, c)
        }
    }
}

impl SegmentSearch {
    /// Counts the block gathered so far.
    fn finish_block(&mut self) {
        let matched = std::mem::take(&mut self.matched_in_block);
        if matched == 0 {
            return;
        }
        self.matched += u64::from(matched.count_ones());
        self.total += u64::from((matched & self.passing_in_block).count_ones());
        if self.plan.count_facets {
            self.counter
                .count(self.warm.facets.block(self.block), matched, &mut self.tally);
        }
    }

    fn rank(&self, doc: DocId, score: Score, uid: u64) -> Option<SegmentRank> {
        if self.plan.sort == Sort::Name {
            let ord = self.warm.name_ord(doc).unwrap_or(u64::MAX);
            let after = match self.name_cursor {
                NameCursor::None => true,
                NameCursor::At(at, cursor_uid) => ord > at || (ord == at && uid > cursor_uid),
                NameCursor::From(from) => ord >= from,
            };
            return after.then_some(SegmentRank(u64::MAX - ord, 0, u64::MAX - uid));
        }
        // Each column is read only for the order that uses it.
        let (qualification, until) = match self.plan.sort {
            Sort::Relevance => (u64::from(self.warm.qualification[doc as usize]), 0),
            _ => (0, self.warm.until.get_val(doc)),
        };
        let (a, b, c) = numeric_rank(self.plan.sort, score, qualification, until, uid);
        match self.after {
            Some(after) if (a, b, c) >= after => None,
            _ => Some(SegmentRank(a, b, c)),
        }
    }

    fn position(&self, doc: DocId, score: Score) -> Position {
        let uid = self.warm.uid[doc as usize];
        match self.plan.sort {
            Sort::Relevance => Position::Relevance {
                r: rounded(score),
                q: self.warm.qualification[doc as usize],
                u: uid,
            },
            Sort::Name => {
                let mut bytes = Vec::new();
                if let Some(column) = &self.warm.name_sort
                    && let Some(ord) = self.warm.name_ord(doc)
                {
                    let _ = column.dictionary().ord_to_term(ord, &mut bytes);
                }
                Position::Name {
                    n: String::from_utf8(bytes).unwrap_or_default(),
                    u: uid,
                }
            }
            Sort::QualificationEnd | Sort::QualificationEndDesc => Position::Until {
                d: self.warm.until.get_val(doc),
                u: uid,
            },
        }
    }
}

/// The score of the document a scorer stands on, computed when asked, and a bound on it.
trait Scored {
    fn score(&mut self) -> Score;

    /// No smaller than `score()`.
    fn bound(&mut self) -> Score {
        Score::INFINITY
    }
}

/// A score already computed.
struct Known(Score);

impl Scored for Known {
    fn score(&mut self) -> Score {
        self.0
    }

    fn bound(&mut self) -> Score {
        self.0
    }
}

impl Scored for dyn Scorer {
    fn score(&mut self) -> Score {
        Scorer::score(self)
    }
}

impl Scored for AllOfScorer {
    fn score(&mut self) -> Score {
        Scorer::score(self)
    }

    fn bound(&mut self) -> Score {
        AllOfScorer::bound(self)
    }
}

impl SegmentSearch {
    /// Every live document of `scorer`.
    fn read<S: Scorer + Scored + ?Sized>(
        &mut self,
        scorer: &mut S,
        is_alive: impl Fn(DocId) -> bool,
    ) {
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            if is_alive(doc) {
                self.offer(doc, scorer);
            }
            doc = scorer.advance();
        }
    }

    /// Takes `doc`, which matches the text; its score is computed only when the page needs it, and
    /// by relevance only when its bound could enter the page.
    fn offer<S: Scored + ?Sized>(&mut self, doc: DocId, scored: &mut S) {
        let block = doc / BLOCK;
        if block != self.block {
            self.warm.facets.prefetch(block, self.counter.filtered());
            self.enter_block(block, 0);
        }
        let bit = 1u64 << (doc % BLOCK);
        self.matched_in_block |= bit;
        if self.passing_in_block & bit == 0 {
            return;
        }
        self.consider(doc, scored);
    }

    /// Moves on to `block`, where the text matches `matched`.
    fn enter_block(&mut self, block: DocId, matched: u64) {
        self.finish_block();
        self.raise_to_shared_floor();
        self.block = block;
        self.matched_in_block = matched;
        self.passing_in_block = if self.counter.filtered() {
            self.counter.pass(self.warm.facets.row(block))
        } else {
            !0
        };
    }

    /// By relevance, raises the floor to the one the search's segments proved so far.
    fn raise_to_shared_floor(&mut self) {
        if self.plan.sort == Sort::Relevance
            && let Some(relevance) = self.shared_floor.relevance()
        {
            self.floor = self.floor.max(floor_of(relevance));
        }
    }

    /// Takes `doc`, which matches the text and passes the filters, into the page if it belongs
    /// there.
    fn consider<S: Scored + ?Sized>(&mut self, doc: DocId, scored: &mut S) {
        let full = self.heap.len() >= self.plan.keep;
        let relevance_score = if self.plan.sort == Sort::Relevance {
            // Relevance comes first in the rank: a lower one cannot enter a full page, a higher one
            // cannot follow the cursor.
            if self.turned_away(scored.bound(), || self.wins_tie(doc)) {
                return;
            }
            let score = scored.score();
            if score < self.floor {
                return;
            }
            Some(score)
        } else {
            None
        };
        if let Some(relevance_score) = relevance_score {
            let relevance = u64::from(rounded(relevance_score));
            if self.after.is_some_and(|(r, _, _)| relevance > r) {
                return;
            }
            if full
                && let Some(Reverse((worst, _, _))) = self.heap.peek()
                && relevance < worst.0
            {
                return;
            }
        }
        let uid = self.warm.uid[doc as usize];
        let Some(rank) = self.rank(doc, relevance_score.unwrap_or(0.0), uid) else {
            return;
        };
        let enters = !full
            || self
                .heap
                .peek()
                .is_some_and(|Reverse((worst, _, _))| rank > *worst);
        if enters {
            if full {
                self.heap.pop();
            }
            let score = relevance_score.unwrap_or_else(|| scored.score());
            self.heap.push(Reverse((rank, doc, OrderedScore(score))));
            if self.plan.sort == Sort::Relevance
                && self.heap.len() >= self.plan.keep
                && let Some(Reverse((worst, _, _))) = self.heap.peek()
            {
                self.floor = self.floor.max(floor_of(worst.0));
                self.tie_floor = floor_of(worst.0 + 1);
                self.shared_floor.raise(worst.0);
            }
        }
    }

    /// By relevance: whether documents scoring at most `bound` cannot enter the page (under its
    /// floor, or unable to pass its worst relevance and, as `may_win_tie` tells, losing the
    /// tie-breaks).
    fn turned_away(&self, bound: Score, may_win_tie: impl FnOnce() -> bool) -> bool {
        bound < self.floor || (bound < self.tie_floor && !may_win_tie())
    }

    /// By relevance, with a full page: whether `doc`, at the relevance of the worst kept document,
    /// would rank above it (its tie-breaks, read before its score).
    fn wins_tie(&self, doc: DocId) -> bool {
        let Some(Reverse((worst, _, _))) = self.heap.peek() else {
            return true;
        };
        let qualification = u64::from(self.warm.qualification[doc as usize]);
        qualification > worst.1
            || (qualification == worst.1 && u64::MAX - self.warm.uid[doc as usize] > worst.2)
    }

    /// By relevance, with a full page: whether some document of `block` could win a tie with the
    /// worst kept document (its best qualification reaches the worst one's).
    fn may_win_tie(&self, block: DocId) -> bool {
        self.heap.peek().is_none_or(|Reverse((worst, _, _))| {
            u64::from(self.warm.best_qualification[block as usize]) >= worst.1
        })
    }

    /// The two-phase pass: every block of `matches` counted, and the scorer walked only through
    /// the documents that could enter the page (by relevance, those of blocks whose ceiling
    /// reaches the page's floor).
    ///
    /// By relevance the walk takes the blocks of the highest ceilings first (in document order,
    /// see `first_pass_ceiling`), so that the page fills with strong documents and its floor
    /// turns most other blocks away; the blocks left that still reach the floor are walked after,
    /// by a `fresh` scorer when the first one has moved past them.
    fn read_matches(
        &mut self,
        scorer: &mut AllOfScorer,
        matches: &Matches,
        alive: Option<&AliveBitSet>,
        fresh: impl Fn() -> tantivy::Result<Box<dyn Scorer>>,
    ) -> tantivy::Result<()> {
        let relevance = self.plan.sort == Sort::Relevance;
        let blocks: Vec<DocId> = (0..matches.bits.len() as DocId)
            .filter(|&block| matches.bits[block as usize] != 0)
            .collect();
        // Every block counted; those holding documents that pass the filters kept for the walk.
        let mut walk: Vec<Walked> = Vec::with_capacity(blocks.len());
        for (index, &block) in blocks.iter().enumerate() {
            // What counting a block reads arrives while the blocks before it are counted.
            if let Some(&ahead) = blocks.get(index + PREFETCH_AHEAD) {
                self.warm.facets.prefetch(ahead, self.counter.filtered());
            }
            let bits = matches.bits[block as usize];
            let matched = match alive {
                Some(alive) => documents(block, bits)
                    .filter(|&doc| alive.is_alive(doc))
                    .fold(0, |mask, doc| mask | 1 << (doc % BLOCK)),
                None => bits,
            };
            if matched == 0 {
                continue;
            }
            self.enter_block(block, matched);
            let docs = matched & self.passing_in_block;
            if docs != 0 {
                walk.push(Walked {
                    block,
                    docs,
                    // A margin for the summing of the ceilings in another order than the bound's.
                    ceiling: matches.ceilings[block as usize] * (1.0 + 1e-5),
                });
            }
        }
        if !relevance {
            for walked in &walk {
                self.walk_block(scorer, walked, false);
            }
            return Ok(());
        }
        let first = first_pass_ceiling(&walk, self.plan.keep.saturating_mul(self.plan.first_pass));
        for walked in walk.iter().filter(|walked| walked.ceiling >= first) {
            if self.reaches_floor(walked) {
                self.walk_block(scorer, walked, true);
            }
        }
        let mut second: Option<Box<dyn Scorer>> = None;
        for walked in walk.iter().filter(|walked| walked.ceiling < first) {
            if !self.reaches_floor(walked) {
                continue;
            }
            if scorer.doc() <= walked.block * BLOCK {
                self.walk_block(scorer, walked, true);
                continue;
            }
            if second.is_none() {
                second = Some(fresh()?);
            }
            let all = second
                .as_mut()
                .and_then(|second| second.downcast_mut::<AllOfScorer>())
                .expect("the same weight gives the same scorer");
            self.walk_block(all, walked, true);
        }
        Ok(())
    }

    /// By relevance: whether some document of a block could enter the page, as far as its
    /// ceiling and its best qualification tell.
    fn reaches_floor(&mut self, walked: &Walked) -> bool {
        self.raise_to_shared_floor();
        !self.turned_away(walked.ceiling, || self.may_win_tie(walked.block))
    }

    /// Moves `scorer` through the documents of a block that could enter the page.
    fn walk_block(&mut self, scorer: &mut AllOfScorer, walked: &Walked, relevance: bool) {
        for doc in documents(walked.block, walked.docs) {
            // The block's ceiling first: it spares moving the scorer.
            if relevance && self.turned_away(walked.ceiling, || self.wins_tie(doc)) {
                continue;
            }
            self.consider(doc, &mut Seeking { scorer, doc });
        }
    }
}

/// A block of the two-phase pass: the documents matching the text and the filters, and the
/// ceiling of their scores.
struct Walked {
    block: DocId,
    docs: u64,
    ceiling: Score,
}

/// The ceiling from which the first pass walks blocks: about the highest one whose blocks and
/// those above hold `wanted` documents (from a histogram of the ceilings between the lowest and
/// the highest, so found in one pass over the blocks). Every block when there are fewer.
fn first_pass_ceiling(walk: &[Walked], wanted: usize) -> Score {
    const BUCKETS: usize = 64;
    let (low, high) = walk.iter().fold((Score::INFINITY, 0.0), |(low, high), w| {
        (w.ceiling.min(low), w.ceiling.max(high))
    });
    if high <= low {
        return Score::NEG_INFINITY;
    }
    let scale = BUCKETS as Score / (high - low);
    let mut counts = [0usize; BUCKETS];
    for walked in walk {
        let bucket = (((walked.ceiling - low) * scale) as usize).min(BUCKETS - 1);
        counts[bucket] += walked.docs.count_ones() as usize;
    }
    let mut seen = 0;
    for bucket in (1..BUCKETS).rev() {
        seen += counts[bucket];
        if seen >= wanted {
            return low + bucket as Score / scale;
        }
    }
    Score::NEG_INFINITY
}

/// How many blocks holding matches ahead of the one counted the two-phase pass asks the processor
/// to fetch.
const PREFETCH_AHEAD: usize = 8;

/// The documents of `block` in `mask`, in order.
fn documents(block: DocId, mut mask: u64) -> impl Iterator<Item = DocId> {
    std::iter::from_fn(move || {
        (mask != 0).then(|| {
            let bit = mask.trailing_zeros();
            mask &= mask - 1;
            block * BLOCK + bit
        })
    })
}

/// A document known to match, the scorer moved onto it only when its bound or score is asked.
struct Seeking<'a> {
    scorer: &'a mut AllOfScorer,
    doc: DocId,
}

impl Seeking<'_> {
    fn on_it(&mut self) -> &mut AllOfScorer {
        let reached = self.scorer.seek(self.doc);
        debug_assert_eq!(reached, self.doc, "the matches and the scorer agree");
        self.scorer
    }
}

impl Scored for Seeking<'_> {
    fn score(&mut self) -> Score {
        Scorer::score(self.on_it())
    }

    fn bound(&mut self) -> Score {
        self.on_it().bound()
    }
}

impl SegmentCollector for SegmentSearch {
    type Fruit = Harvest;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.offer(doc, &mut Known(score));
    }

    fn harvest(mut self) -> Harvest {
        self.finish_block();
        self.counter.finish(&mut self.tally);
        let mut kept: Vec<(SegmentRank, DocId, Score)> = self
            .heap
            .iter()
            .map(|Reverse((rank, doc, score))| (*rank, *doc, score.0))
            .collect();
        kept.sort_by_key(|k| Reverse(k.0));
        let top = kept
            .into_iter()
            .map(|(_, doc, score)| Ranked {
                address: DocAddress::new(self.segment, doc),
                score,
                position: self.position(doc, score),
            })
            .collect();
        Harvest {
            total: self.total,
            matched: self.matched,
            tally: self.tally,
            top,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::dice::Dice;
    use super::*;

    /// The first pass starts at the highest bucket of ceilings whose blocks and those above hold
    /// the documents wanted, and takes every block when they hold fewer.
    #[test]
    fn the_first_pass_takes_the_highest_ceilings_that_hold_the_documents_wanted() {
        let walk: Vec<Walked> = [
            (1.0, 0xff),
            (9.0, 0b111),
            (5.0, 0xf),
            (9.5, 0b1),
            (2.0, 0xff),
        ]
        .into_iter()
        .enumerate()
        .map(|(block, (ceiling, docs))| Walked {
            block: block as DocId,
            docs,
            ceiling,
        })
        .collect();
        let taken = |wanted| {
            let first = first_pass_ceiling(&walk, wanted);
            walk.iter()
                .filter(|w| w.ceiling >= first)
                .map(|w| w.block)
                .collect::<Vec<_>>()
        };
        assert_eq!(taken(1), vec![3]);
        assert_eq!(taken(4), vec![1, 3]);
        assert_eq!(taken(5), vec![1, 2, 3]);
        assert_eq!(taken(8), vec![1, 2, 3]);
        assert_eq!(taken(9), vec![1, 2, 3, 4]);
        assert_eq!(taken(24), vec![0, 1, 2, 3, 4]);
        assert_eq!(taken(1_000), vec![0, 1, 2, 3, 4]);
        assert_eq!(first_pass_ceiling(&walk[..1], 1), Score::NEG_INFINITY);
    }

    /// A score is never turned away by the floor of a relevance it rounds to (nor, the floor
    /// growing with the relevance, by the floor of a smaller one).
    #[test]
    fn the_floor_never_turns_away_a_score_of_its_relevance() {
        let mut dice = Dice::new(0x853c_49e6_748f_ea9b);
        for step in 0..200_000u32 {
            let score = match step % 2 {
                0 => dice.roll(8_000_000) as Score / 100_000.0,
                // Right at the rounding edges: x.xx5
                _ => (dice.roll(8_000) as Score + 0.5) / 100.0,
            };
            let relevance = u64::from(rounded(score));
            assert!(score >= floor_of(relevance), "{score} against {relevance}");
            assert!(floor_of(relevance) < floor_of(relevance + 1));
        }
    }
}
