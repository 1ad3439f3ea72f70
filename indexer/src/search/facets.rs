//! Facet values as small integers in one multi-valued fast field, filters over them, and the
//! disjunctive counting that the search collector does in a single pass.
//!
//! Every facet value of a document is one `u64` in the `facet` column: the facet's slot in the high
//! bits, the value's position in its vocabulary in the low bits. One column read per document gives
//! every facet at once, and counting is array increments, not string lookups. Positions depend on the
//! vocabularies' order, which is why the schema fingerprint covers every vocabulary (see `schema`).
//!
//! The three attestation facets are not stored separately: each attestation of a document is one
//! value (scheme, status, valid today), so that "SecNumCloud" and "valid today" can be required of the
//! same attestation.

use std::collections::BTreeSet;

use registre_domain::identifiers::CountryCode;
use registre_domain::taxonomy::{
    Category, DeploymentModel, ExposureLevel, Scheme, Status, SuiteClass, SuiteTier, Vocabulary,
};

use super::blocks::Block;
use super::types::{DocKind, FacetCounts, FacetName, FacetValue, Filters};

/// Slots of the `facet` column (the high 32 bits of a value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Slot {
    Kind = 0,
    Category = 1,
    SuiteClass = 2,
    SuiteTier = 3,
    Country = 4,
    Exposure = 5,
    OpenSource = 6,
    Deployment = 7,
    /// One value per distinct (scheme, status, valid today) among the document's attestations.
    Attestation = 8,
}

/// Plain (non-attestation) slots, in filter-group order.
const PLAIN_SLOTS: [Slot; 8] = [
    Slot::Kind,
    Slot::Category,
    Slot::SuiteClass,
    Slot::SuiteTier,
    Slot::Country,
    Slot::Exposure,
    Slot::OpenSource,
    Slot::Deployment,
];

const COUNTRY_VALUES: usize = 26 * 26;
const STATUS_BITS: u32 = 3;

pub(crate) fn encode(slot: Slot, value: u32) -> u64 {
    (u64::from(slot as u8) << 32) | u64::from(value)
}

fn decode(raw: u64) -> (u8, u32) {
    ((raw >> 32) as u8, raw as u32)
}

pub(crate) fn position<V: Vocabulary + PartialEq>(value: V) -> u32 {
    V::all()
        .iter()
        .position(|v| *v == value)
        .expect("a vocabulary value is in its own list") as u32
}

/// Two letters as a number below 676.
pub(crate) fn country_value(country: CountryCode) -> u32 {
    let bytes = country.as_str().as_bytes();
    u32::from(bytes[0] - b'A') * 26 + u32::from(bytes[1] - b'A')
}

fn country_of(value: u32) -> Option<CountryCode> {
    let letters = [b'A' + (value / 26) as u8, b'A' + (value % 26) as u8];
    CountryCode::parse(std::str::from_utf8(&letters).ok()?).ok()
}

pub(crate) fn attestation_value(scheme: Scheme, status: Status, valid: bool) -> u32 {
    (position(scheme) << (STATUS_BITS + 1)) | (position(status) << 1) | u32::from(valid)
}

fn split_attestation(value: u32) -> (usize, usize, bool) {
    (
        (value >> (STATUS_BITS + 1)) as usize,
        ((value >> 1) & ((1 << STATUS_BITS) - 1)) as usize,
        value & 1 == 1,
    )
}

/// Counters of the attestation facets a document holding the attestation value `raw` counts for
/// when no filter applies, as offsets from the first scheme counter: its scheme's, its status's
/// and, when valid today, "valid today" (a document counts for "not valid today" when it holds
/// no valid attestation: see [`BlockCounter::finish`]). None for a value outside the
/// vocabularies, which is counted nowhere.
pub(crate) fn attestation_counters(raw: u64) -> Option<impl Iterator<Item = u16>> {
    let (scheme, status, valid) = split_attestation(decode(raw).1);
    (scheme < Layout::SCHEMES && status < Layout::STATUSES).then(|| {
        [
            Some(scheme),
            Some(Layout::SCHEMES + status),
            valid.then_some(VALID_TODAY),
        ]
        .into_iter()
        .flatten()
        .map(|offset| offset as u16)
    })
}

/// The attestation counters, from the first scheme's: schemes, statuses, "not valid today",
/// "valid today" (the layout's `scheme_offset`, `status_offset` and `valid_offset` follow it).
pub(crate) const ATTESTATION_COUNTERS: usize = Layout::SCHEMES + Layout::STATUSES + 2;
const NOT_VALID_TODAY: usize = Layout::SCHEMES + Layout::STATUSES;
const VALID_TODAY: usize = NOT_VALID_TODAY + 1;

/// The Suite classes and categories among a document's facet values.
pub(crate) fn kinds_of_tool(raw: impl Iterator<Item = u64>) -> (Vec<SuiteClass>, Vec<Category>) {
    let (mut classes, mut categories) = (Vec::new(), Vec::new());
    for value in raw {
        let (slot, value) = decode(value);
        if slot == Slot::SuiteClass as u8 {
            classes.extend(SuiteClass::all().get(value as usize).copied());
        } else if slot == Slot::Category as u8 {
            categories.extend(Category::all().get(value as usize).copied());
        }
    }
    (classes, categories)
}

/// Number of values of each plain slot.
fn slot_size(slot: Slot) -> usize {
    match slot {
        Slot::Kind => DocKind::all().len(),
        Slot::Category => Category::all().len(),
        Slot::SuiteClass => SuiteClass::all().len(),
        Slot::SuiteTier => SuiteTier::all().len(),
        Slot::Country => COUNTRY_VALUES,
        Slot::Exposure => ExposureLevel::all().len(),
        Slot::OpenSource => 2,
        Slot::Deployment => DeploymentModel::all().len(),
        Slot::Attestation => 0,
    }
}

/// How a slot's values enter the cluster key: the set of them, or the smallest one.
#[derive(Clone, Copy)]
enum KeyPart {
    Set,
    Smallest,
}

/// The slots of the cluster key, most significant first: the order that left the fewest non-zero
/// block masks on the benchmark's million documents (about 16 of 85 per block, against 50 in the
/// catalogue's order); suppliers hold several categories and classes, whose sets are kept whole.
const CLUSTER_KEY: [(Slot, KeyPart); 9] = [
    (Slot::Kind, KeyPart::Smallest),
    (Slot::Category, KeyPart::Set),
    (Slot::Country, KeyPart::Smallest),
    (Slot::SuiteClass, KeyPart::Set),
    (Slot::Attestation, KeyPart::Smallest),
    (Slot::Deployment, KeyPart::Smallest),
    (Slot::Exposure, KeyPart::Smallest),
    (Slot::OpenSource, KeyPart::Smallest),
    (Slot::SuiteTier, KeyPart::Smallest),
];

/// The index's sort key (see `blocks`): documents with the same facet values get the same key,
/// and documents that share the leading parts of it (kind, categories, country...) neighbouring
/// keys. Parts are packed most significant first while they fit in 64 bits; a smallest value is
/// stored plus one, zero meaning none.
pub(crate) fn cluster_key(facets: &[u64]) -> u64 {
    let (mut key, mut room) = (0u64, 64u32);
    for (slot, part) in CLUSTER_KEY {
        let values = facets
            .iter()
            .map(|raw| decode(*raw))
            .filter(|(s, _)| *s == slot as u8)
            .map(|(_, value)| value);
        let largest = match slot {
            Slot::Attestation => (Layout::SCHEMES as u32) << (STATUS_BITS + 1),
            _ => slot_size(slot) as u32,
        };
        let bits = match part {
            KeyPart::Set => largest,
            KeyPart::Smallest => u32::BITS - largest.leading_zeros(),
        };
        if bits > room {
            break;
        }
        let value = match part {
            KeyPart::Set => values
                .filter(|v| *v < largest)
                .fold(0u64, |set, v| set | 1 << v),
            KeyPart::Smallest => values
                .min()
                .map_or(0, |v| u64::from(v.min(largest - 1)) + 1),
        };
        room -= bits;
        key |= value << room;
    }
    key
}

/// A set of values of one slot, as a bitmap (the largest slot, countries, has 676 values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ValueSet([u64; COUNTRY_VALUES.div_ceil(64)]);

impl ValueSet {
    fn of(values: impl IntoIterator<Item = u32>) -> Option<Self> {
        let mut set = ValueSet([0; COUNTRY_VALUES.div_ceil(64)]);
        let mut any = false;
        for value in values {
            set.0[value as usize / 64] |= 1 << (value % 64);
            any = true;
        }
        any.then_some(set)
    }

    #[inline]
    fn contains(&self, value: u32) -> bool {
        let value = value as usize;
        value < COUNTRY_VALUES && self.0[value / 64] & (1 << (value % 64)) != 0
    }
}

fn positions<V: Vocabulary + PartialEq>(values: &[V]) -> Option<ValueSet> {
    ValueSet::of(values.iter().map(|v| position(*v)))
}

/// The request's filters, compiled to value sets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct FilterSet {
    /// Indexed like `PLAIN_SLOTS` (and slot numbers).
    plain: [Option<ValueSet>; 8],
    schemes: Option<ValueSet>,
    statuses: Option<ValueSet>,
    valid: Option<bool>,
}

impl FilterSet {
    pub(crate) fn new(filters: &Filters) -> Self {
        let bool_value = |b: Option<bool>| b.and_then(|b| ValueSet::of([u32::from(b)]));
        Self {
            plain: [
                positions(&filters.kinds),
                positions(&filters.categories),
                positions(&filters.suite_classes),
                positions(&filters.suite_tiers),
                ValueSet::of(filters.countries.iter().map(|c| country_value(*c))),
                positions(&filters.exposures),
                bool_value(filters.open_source),
                positions(&filters.deployment_models),
            ],
            schemes: positions(&filters.schemes),
            statuses: positions(&filters.statuses),
            valid: filters.valid_today,
        }
    }
}

/// The group of a column whose value is outside its vocabulary (an index written by a later
/// version): counted among no documents.
const UNCOUNTED: u8 = 8;

/// Offsets of each facet's counters in a flat array.
struct Layout;

impl Layout {
    const SCHEMES: usize = 13;
    const STATUSES: usize = 8;

    fn plain_offset(group: usize) -> usize {
        PLAIN_SLOTS[..group].iter().map(|s| slot_size(*s)).sum()
    }

    fn scheme_offset() -> usize {
        Self::plain_offset(PLAIN_SLOTS.len())
    }

    fn status_offset() -> usize {
        Self::scheme_offset() + Self::SCHEMES
    }

    /// "Not valid today", then "valid today" (see [`ATTESTATION_COUNTERS`]).
    fn valid_offset() -> usize {
        Self::scheme_offset() + NOT_VALID_TODAY
    }

    fn size() -> usize {
        Self::valid_offset() + 2
    }
}

/// Counters of one segment (or of the whole search once merged).
#[derive(Debug, Clone)]
pub(crate) struct Tally {
    counts: Vec<u64>,
}

impl Default for Tally {
    fn default() -> Self {
        assert!(Scheme::all().len() <= Layout::SCHEMES && Status::all().len() <= Layout::STATUSES);
        Self {
            counts: vec![0; Layout::size()],
        }
    }
}

impl Tally {
    pub(crate) fn merge(&mut self, other: &Tally) {
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
    }

    /// The counts as facets with labelled values, for the request's `filters`.
    pub(crate) fn facets(&self, filters: &Filters) -> Vec<FacetCounts> {
        let plain = |group: usize| &self.counts[Layout::plain_offset(group)..];
        FacetName::ALL
            .iter()
            .map(|&facet| {
                let values = match facet {
                    FacetName::Kind => vocabulary_values(plain(0), &filters.kinds),
                    FacetName::Category => vocabulary_values(plain(1), &filters.categories),
                    FacetName::SuiteClass => vocabulary_values(plain(2), &filters.suite_classes),
                    FacetName::SuiteTier => vocabulary_values(plain(3), &filters.suite_tiers),
                    FacetName::Country => country_values(plain(4), &filters.countries),
                    FacetName::Exposure => vocabulary_values(plain(5), &filters.exposures),
                    FacetName::OpenSource => boolean_values(
                        plain(6),
                        filters.open_source,
                        ("Logiciel libre", "Open source"),
                        ("Propriétaire ou non renseigné", "Proprietary or not stated"),
                    ),
                    FacetName::DeploymentModel => {
                        vocabulary_values(plain(7), &filters.deployment_models)
                    }
                    FacetName::Scheme => {
                        vocabulary_values(&self.counts[Layout::scheme_offset()..], &filters.schemes)
                    }
                    FacetName::Status => vocabulary_values(
                        &self.counts[Layout::status_offset()..],
                        &filters.statuses,
                    ),
                    FacetName::ValidToday => boolean_values(
                        &self.counts[Layout::valid_offset()..],
                        filters.valid_today,
                        (
                            "Attestation en vigueur aujourd'hui",
                            "Attestation valid today",
                        ),
                        (
                            "Aucune attestation en vigueur",
                            "No attestation valid today",
                        ),
                    ),
                };
                FacetCounts { facet, values }
            })
            .collect()
    }
}

/// Documents of a block satisfying the attestation filters: some attestation among `any` (every
/// document when `any` is `None`) and none among `none_of`. Positions are columns of the segment's
/// block rows (see `blocks`).
#[derive(Debug, Clone, Default)]
struct Predicate {
    any: Option<Vec<usize>>,
    none_of: Vec<usize>,
}

fn union(row: &[u64], columns: &[usize]) -> u64 {
    columns.iter().fold(0, |mask, &k| mask | row[k])
}

impl Predicate {
    /// Whether a document holding no attestation at all satisfies the predicate.
    fn holds_without_attestation(&self) -> bool {
        self.any.is_none()
    }

    #[inline]
    fn eval(&self, row: &[u64], within: u64) -> u64 {
        let held = match &self.any {
            None => within,
            Some(columns) => union(row, columns) & within,
        };
        if self.none_of.is_empty() {
            held
        } else {
            held & !union(row, &self.none_of)
        }
    }
}

/// An attestation value present in a segment: its column and what it says.
struct Combination {
    column: usize,
    scheme: usize,
    status: usize,
    valid: bool,
}

/// The attestation filters as a predicate over one segment's columns. `valid == Some(false)` means:
/// none of the (selected schemes') attestations is valid today, but the document holds one in the
/// selected statuses when schemes or statuses are selected.
fn predicate(
    combinations: &[Combination],
    schemes: Option<&ValueSet>,
    statuses: Option<&ValueSet>,
    valid: Option<bool>,
) -> Predicate {
    let scheme_ok = |s: usize| schemes.is_none_or(|set| set.contains(s as u32));
    let status_ok = |t: usize| statuses.is_none_or(|set| set.contains(t as u32));
    let columns = |keep: &dyn Fn(&Combination) -> bool| -> Vec<usize> {
        combinations
            .iter()
            .filter(|c| keep(c))
            .map(|c| c.column)
            .collect()
    };
    let unselected = schemes.is_none() && statuses.is_none();
    let held = || (!unselected).then(|| columns(&|c| scheme_ok(c.scheme) && status_ok(c.status)));
    match valid {
        None => Predicate {
            any: held(),
            none_of: Vec::new(),
        },
        Some(true) => Predicate {
            any: Some(columns(&|c| {
                c.valid && scheme_ok(c.scheme) && status_ok(c.status)
            })),
            none_of: Vec::new(),
        },
        Some(false) => Predicate {
            any: held(),
            none_of: columns(&|c| c.valid && scheme_ok(c.scheme)),
        },
    }
}

/// A search's filters and facet counters compiled against one segment's facet values: filters and
/// counts a block of 64 documents at a time.
///
/// Disjunctive counts: a plain facet's values are counted among the matching documents that pass
/// every filter but that facet's own; the scheme, status and validity facets among those passing
/// every plain filter, each with its own attestation filter replaced by the value counted.
///
/// A block is counted from its plain values' non-zero masks only (see `blocks`) into one
/// accumulator per column, and the columns are added to the facet counters once, by
/// [`BlockCounter::finish`].
/// The attestation facets are only evaluated for blocks where some counted document holds an
/// attestation; otherwise what a document without attestations counts for is added directly.
pub(crate) struct BlockCounter {
    /// Per plain group (`PLAIN_SLOTS`), the columns of the selected values; `None`: no filter.
    groups: [Option<Vec<usize>>; 8],
    attestation: Predicate,
    /// Whether a document holding no attestation passes the attestation filters.
    unattested_passes: bool,
    /// The columns of the attestation values (the last ones of a row).
    attestation_columns: std::ops::Range<usize>,
    /// Whether any filter applies.
    filtered: bool,
    /// Per plain column, its group (`PLAIN_SLOTS`); `UNCOUNTED` for a value outside its vocabulary.
    group_of: Vec<u8>,
    /// Every plain value present: (column, counter).
    plain: Vec<(usize, usize)>,
    /// Per column, the documents counted so far.
    columns: Vec<u64>,
    /// Without filters: per attestation counter (see [`attestation_counters`]), the documents
    /// counted so far, and the documents counted in all.
    attestations: [u64; ATTESTATION_COUNTERS],
    counted: u64,
    /// Predicates of the attestation facets' values, with their counters.
    attestation_values: Vec<(Predicate, usize)>,
    /// The attestation facets' counters a document without attestations counts for.
    unattested: Vec<usize>,
}

impl BlockCounter {
    pub(crate) fn new(filters: &FilterSet, values: &[u64]) -> Self {
        let groups: [Option<Vec<usize>>; 8] = std::array::from_fn(|group| {
            filters.plain[group].as_ref().map(|set| {
                values
                    .iter()
                    .enumerate()
                    .filter(|(_, raw)| {
                        let (slot, value) = decode(**raw);
                        usize::from(slot) == group && set.contains(value)
                    })
                    .map(|(column, _)| column)
                    .collect()
            })
        });
        let mut plain = Vec::new();
        let mut group_of = Vec::new();
        let mut combinations = Vec::new();
        for (column, raw) in values.iter().enumerate() {
            let (slot, value) = decode(*raw);
            if slot == Slot::Attestation as u8 {
                let (scheme, status, valid) = split_attestation(value);
                if scheme < Layout::SCHEMES && status < Layout::STATUSES {
                    combinations.push(Combination {
                        column,
                        scheme,
                        status,
                        valid,
                    });
                }
            } else if let Some(&slot_kind) = PLAIN_SLOTS.get(usize::from(slot))
                && (value as usize) < slot_size(slot_kind)
            {
                plain.push((
                    column,
                    Layout::plain_offset(usize::from(slot)) + value as usize,
                ));
                group_of.resize(column, UNCOUNTED);
                group_of.push(slot);
            }
        }
        let attestation_start = values
            .iter()
            .position(|raw| decode(*raw).0 == Slot::Attestation as u8)
            .unwrap_or(values.len());
        let (schemes, statuses) = (filters.schemes.as_ref(), filters.statuses.as_ref());
        // The schemes and statuses present, each counted with its own filter replaced by itself.
        let present = |part: fn(&Combination) -> usize| -> BTreeSet<usize> {
            combinations.iter().map(part).collect()
        };
        let only = |value: usize| ValueSet::of([value as u32]);
        let mut attestation_values = Vec::new();
        for s in present(|c| c.scheme) {
            attestation_values.push((
                predicate(&combinations, only(s).as_ref(), statuses, filters.valid),
                Layout::scheme_offset() + s,
            ));
        }
        for t in present(|c| c.status) {
            attestation_values.push((
                predicate(&combinations, schemes, only(t).as_ref(), filters.valid),
                Layout::status_offset() + t,
            ));
        }
        for valid in [false, true] {
            attestation_values.push((
                predicate(&combinations, schemes, statuses, Some(valid)),
                Layout::valid_offset() + usize::from(valid),
            ));
        }
        let attestation = predicate(&combinations, schemes, statuses, filters.valid);
        let filtered = groups.iter().any(Option::is_some)
            || attestation.any.is_some()
            || !attestation.none_of.is_empty();
        let unattested = attestation_values
            .iter()
            .filter(|(predicate, _)| predicate.holds_without_attestation())
            .map(|(_, counter)| *counter)
            .collect();
        Self {
            groups,
            unattested_passes: attestation.holds_without_attestation(),
            attestation,
            attestation_columns: attestation_start..values.len(),
            filtered,
            group_of,
            plain,
            columns: vec![0; values.len()],
            attestations: [0; ATTESTATION_COUNTERS],
            counted: 0,
            attestation_values,
            unattested,
        }
    }

    /// Whether some filter applies (otherwise every document passes).
    pub(crate) fn filtered(&self) -> bool {
        self.filtered
    }

    /// The documents of a block holding some attestation.
    #[inline]
    fn attested(&self, row: &[u64]) -> u64 {
        row[self.attestation_columns.clone()]
            .iter()
            .fold(0, |mask, m| mask | m)
    }

    /// The `within` documents passing the attestation filters, `held` being the block's documents
    /// holding some attestation.
    #[inline]
    fn attestation_pass(&self, row: &[u64], held: u64, within: u64) -> u64 {
        if within & held == 0 {
            if self.unattested_passes { within } else { 0 }
        } else {
            self.attestation.eval(row, within)
        }
    }

    /// The documents of a block (its `row`) passing every filter.
    #[inline]
    pub(crate) fn pass(&self, row: &[u64]) -> u64 {
        let plain = self
            .groups
            .iter()
            .flatten()
            .fold(!0u64, |mask, columns| mask & union(row, columns));
        self.attestation_pass(row, self.attested(row), plain)
    }

    /// Counts the block's `matched` documents: the attestation facets into `tally` at once, the
    /// plain ones into the column accumulators, which [`BlockCounter::finish`] adds to a tally.
    pub(crate) fn count(&mut self, block: Block<'_>, matched: u64, tally: &mut Tally) {
        let row = block.row;
        let entries = block.columns.iter().zip(block.nonzero);
        if !self.filtered {
            // Every document passes: each value counts the matched documents holding it, and each
            // attestation counter those of its documents (the block's lists of both, not its row).
            for (&column, &mask) in entries {
                self.columns[usize::from(column)] += u64::from((mask & matched).count_ones());
            }
            for (&counter, &mask) in block.counters.iter().zip(block.counted) {
                self.attestations[usize::from(counter)] += u64::from((mask & matched).count_ones());
            }
            self.counted += u64::from(matched.count_ones());
            return;
        }
        let passes: [u64; 8] = std::array::from_fn(|group| {
            self.groups[group]
                .as_ref()
                .map_or(!0, |columns| union(row, columns))
        });
        // "Every plain filter but group g's": the AND of the passes before g and after g.
        let mut before = [!0u64; 9];
        let mut after = [!0u64; 9];
        for g in 0..8 {
            before[g + 1] = before[g] & passes[g];
            after[7 - g] = after[8 - g] & passes[7 - g];
        }
        let held = self.attested(row);
        let attested = self.attestation_pass(row, held, matched);
        // Per group, the documents its values are counted among; none for `UNCOUNTED`.
        let mut within = [0u64; 9];
        for (group, within) in within.iter_mut().take(8).enumerate() {
            *within = attested & before[group] & after[group + 1];
        }
        if within.iter().any(|w| *w != 0) {
            for (&column, &mask) in entries {
                let column = usize::from(column);
                let group = usize::from(self.group_of.get(column).copied().unwrap_or(UNCOUNTED));
                self.columns[column] += u64::from((mask & within[group]).count_ones());
            }
        }
        self.count_attestations(row, held, matched & before[8], tally);
    }

    /// Counts the attestation facets of the block's documents that pass every plain filter.
    #[inline]
    fn count_attestations(&self, row: &[u64], held: u64, plain_pass: u64, tally: &mut Tally) {
        if plain_pass == 0 {
            return;
        }
        if plain_pass & held == 0 {
            let documents = u64::from(plain_pass.count_ones());
            for counter in &self.unattested {
                tally.counts[*counter] += documents;
            }
        } else {
            for (predicate, counter) in &self.attestation_values {
                tally.counts[*counter] += u64::from(predicate.eval(row, plain_pass).count_ones());
            }
        }
    }

    /// Adds the values counted so far to `tally`, and starts again from zero. Without filters, a
    /// document counted is "not valid today" unless it is "valid today".
    pub(crate) fn finish(&mut self, tally: &mut Tally) {
        for &(column, counter) in &self.plain {
            tally.counts[counter] += std::mem::take(&mut self.columns[column]);
        }
        let first = Layout::scheme_offset();
        let valid = self.attestations[VALID_TODAY];
        for (counter, count) in self.attestations.iter_mut().enumerate() {
            tally.counts[first + counter] += std::mem::take(count);
        }
        tally.counts[first + NOT_VALID_TODAY] += std::mem::take(&mut self.counted) - valid;
    }
}

fn sorted(mut values: Vec<FacetValue>) -> Vec<FacetValue> {
    values.retain(|v| v.count > 0 || v.selected);
    values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code)));
    values
}

fn vocabulary_values<V: Vocabulary + PartialEq>(counts: &[u64], selected: &[V]) -> Vec<FacetValue> {
    sorted(
        V::all()
            .iter()
            .enumerate()
            .map(|(i, v)| FacetValue {
                code: v.code().to_owned(),
                label_fr: v.label_fr().to_owned(),
                label_en: v.label_en().to_owned(),
                count: counts[i],
                selected: selected.contains(v),
            })
            .collect(),
    )
}

fn country_values(counts: &[u64], selected: &[CountryCode]) -> Vec<FacetValue> {
    sorted(
        (0..COUNTRY_VALUES as u32)
            .filter(|&i| counts[i as usize] > 0 || selected.iter().any(|c| country_value(*c) == i))
            .filter_map(|i| {
                let country = country_of(i)?;
                Some(FacetValue {
                    code: country.as_str().to_owned(),
                    label_fr: country.label_fr().unwrap_or(country.as_str()).to_owned(),
                    label_en: country.label_en().unwrap_or(country.as_str()).to_owned(),
                    count: counts[i as usize],
                    selected: selected.contains(&country),
                })
            })
            .collect(),
    )
}

fn boolean_values(
    counts: &[u64],
    selected: Option<bool>,
    yes: (&str, &str),
    no: (&str, &str),
) -> Vec<FacetValue> {
    sorted(
        [(true, yes), (false, no)]
            .into_iter()
            .map(|(value, (fr, en))| FacetValue {
                code: value.to_string(),
                label_fr: fr.to_owned(),
                label_en: en.to_owned(),
                count: counts[usize::from(value)],
                selected: selected == Some(value),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::super::blocks::SegmentFacets;
    use super::super::dice::Dice;
    use super::*;

    /// The per-document reading of the attestation filters, as the block predicates must compute it.
    fn attestation_matches(
        attestations: &[u32],
        schemes: Option<&ValueSet>,
        statuses: Option<&ValueSet>,
        valid: Option<bool>,
    ) -> bool {
        let scheme_ok = |s: usize| schemes.is_none_or(|set| set.contains(s as u32));
        let status_ok = |t: usize| statuses.is_none_or(|set| set.contains(t as u32));
        let held = || {
            attestations.iter().any(|&a| {
                let (s, t, _) = split_attestation(a);
                scheme_ok(s) && status_ok(t)
            })
        };
        match valid {
            None => (schemes.is_none() && statuses.is_none()) || held(),
            Some(true) => attestations.iter().any(|&a| {
                let (s, t, v) = split_attestation(a);
                v && scheme_ok(s) && status_ok(t)
            }),
            Some(false) => {
                let any_valid = attestations.iter().any(|&a| {
                    let (s, _, v) = split_attestation(a);
                    v && scheme_ok(s)
                });
                !any_valid && ((schemes.is_none() && statuses.is_none()) || held())
            }
        }
    }

    /// Counts the `matched` documents of `docs` one at a time, the plain way: the reference for the
    /// block counts.
    fn reference(docs: &[Vec<u64>], matched: &[bool], filters: &FilterSet) -> (u64, Tally) {
        let mut tally = Tally::default();
        let mut total = 0;
        for (values, _) in docs.iter().zip(matched).filter(|(_, m)| **m) {
            let mut plain: [Vec<u32>; 8] = Default::default();
            let mut attestations = Vec::new();
            for raw in values {
                let (slot, value) = decode(*raw);
                if slot == Slot::Attestation as u8 {
                    attestations.push(value);
                } else {
                    plain[usize::from(slot)].push(value);
                }
            }
            let failing: Vec<bool> = (0..8)
                .map(|g| {
                    filters.plain[g]
                        .as_ref()
                        .is_some_and(|set| !plain[g].iter().any(|&v| set.contains(v)))
                })
                .collect();
            let failures = failing.iter().filter(|f| **f).count();
            let (schemes, statuses) = (filters.schemes.as_ref(), filters.statuses.as_ref());
            let attested = attestation_matches(&attestations, schemes, statuses, filters.valid);
            if failures == 0 && attested {
                total += 1;
            }
            for group in 0..8 {
                if attested && (failures == 0 || (failures == 1 && failing[group])) {
                    for &value in &plain[group] {
                        tally.counts[Layout::plain_offset(group) + value as usize] += 1;
                    }
                }
            }
            if failures > 0 {
                continue;
            }
            for s in 0..Layout::SCHEMES {
                let only = ValueSet::of([s as u32]);
                if attestation_matches(&attestations, only.as_ref(), statuses, filters.valid) {
                    tally.counts[Layout::scheme_offset() + s] += 1;
                }
            }
            for t in 0..Layout::STATUSES {
                let only = ValueSet::of([t as u32]);
                if attestation_matches(&attestations, schemes, only.as_ref(), filters.valid) {
                    tally.counts[Layout::status_offset() + t] += 1;
                }
            }
            for valid in [false, true] {
                if attestation_matches(&attestations, schemes, statuses, Some(valid)) {
                    tally.counts[Layout::valid_offset() + usize::from(valid)] += 1;
                }
            }
        }
        (total, tally)
    }

    /// Counts the `matched` documents of `docs` block by block, as the collector does.
    fn by_blocks(docs: &[Vec<u64>], matched: &[bool], filters: &FilterSet) -> (u64, Tally) {
        let segment =
            SegmentFacets::build(docs.len() as u32, |d| docs[d as usize].clone().into_iter());
        let mut counter = BlockCounter::new(filters, segment.values());
        let mut tally = Tally::default();
        let mut total = 0;
        for block in 0..(docs.len() as u32).div_ceil(64) {
            let mut mask = 0u64;
            for (bit, is_matched) in matched
                .iter()
                .skip(block as usize * 64)
                .take(64)
                .enumerate()
            {
                if *is_matched {
                    mask |= 1 << bit;
                }
            }
            let block = segment.block(block);
            total += u64::from((counter.pass(block.row) & mask).count_ones());
            counter.count(block, mask, &mut tally);
        }
        counter.finish(&mut tally);
        (total, tally)
    }

    fn all(docs: &[Vec<u64>]) -> Vec<bool> {
        vec![true; docs.len()]
    }

    fn count(tally: &Tally, filters: &Filters, facet: FacetName, code: &str) -> u64 {
        tally
            .facets(filters)
            .into_iter()
            .find(|f| f.facet == facet)
            .and_then(|f| f.values.into_iter().find(|v| v.code == code))
            .map_or(0, |v| v.count)
    }

    fn french() -> CountryCode {
        CountryCode::parse("FR").unwrap()
    }

    #[test]
    fn a_facets_own_filter_does_not_narrow_its_counts() {
        let iaas = encode(Slot::Category, position(Category::Iaas));
        let paas = encode(Slot::Category, position(Category::Paas));
        let fr = encode(Slot::Country, country_value(french()));
        let de = encode(
            Slot::Country,
            country_value(CountryCode::parse("DE").unwrap()),
        );
        let filters = Filters {
            categories: vec![Category::Iaas],
            countries: vec![french()],
            ..Filters::default()
        };
        let docs = vec![
            vec![iaas, fr],
            vec![paas, fr],
            vec![iaas, de],
            vec![paas, de],
        ];
        let (total, tally) = by_blocks(&docs, &all(&docs), &FilterSet::new(&filters));
        assert_eq!(total, 1);
        // Categories are counted among French documents, countries among IaaS ones.
        assert_eq!(count(&tally, &filters, FacetName::Category, "iaas"), 1);
        assert_eq!(count(&tally, &filters, FacetName::Category, "paas"), 1);
        assert_eq!(count(&tally, &filters, FacetName::Country, "FR"), 1);
        assert_eq!(count(&tally, &filters, FacetName::Country, "DE"), 1);
    }

    #[test]
    fn scheme_and_validity_are_required_of_the_same_attestation() {
        let valid_hds = encode(
            Slot::Attestation,
            attestation_value(Scheme::Hds, Status::Qualified, true),
        );
        let snc_in_progress = encode(
            Slot::Attestation,
            attestation_value(Scheme::SecNumCloud, Status::InProgress, false),
        );
        let filters = Filters {
            schemes: vec![Scheme::SecNumCloud],
            valid_today: Some(true),
            ..Filters::default()
        };
        let docs = vec![vec![valid_hds, snc_in_progress]];
        let (total, tally) = by_blocks(&docs, &all(&docs), &FilterSet::new(&filters));
        assert_eq!(total, 0);
        // The scheme facet (its own filter ignored) still sees the valid HDS attestation.
        assert_eq!(count(&tally, &filters, FacetName::Scheme, "hds"), 1);
        assert_eq!(count(&tally, &filters, FacetName::ValidToday, "false"), 1);
        let not_valid = Filters {
            schemes: vec![Scheme::SecNumCloud],
            valid_today: Some(false),
            ..Filters::default()
        };
        assert_eq!(
            by_blocks(&docs, &all(&docs), &FilterSet::new(&not_valid)).0,
            1
        );
    }

    #[test]
    fn block_counts_equal_document_by_document_counts() {
        let countries: Vec<CountryCode> = ["FR", "DE", "BE", "IT"]
            .iter()
            .map(|c| CountryCode::parse(c).unwrap())
            .collect();
        let mut dice = Dice::new(0x9e37_79b9_7f4a_7c15);
        for round in 0..200 {
            let documents = 1 + dice.roll(300) as usize;
            let docs: Vec<Vec<u64>> = (0..documents)
                .map(|_| {
                    let mut values = vec![
                        encode(Slot::Kind, dice.roll(2) as u32),
                        encode(
                            Slot::Country,
                            country_value(countries[dice.roll(4) as usize]),
                        ),
                        encode(Slot::OpenSource, dice.roll(2) as u32),
                    ];
                    for _ in 0..dice.roll(3) {
                        values.push(encode(Slot::Category, dice.roll(4) as u32));
                    }
                    for _ in 0..dice.roll(4) {
                        let scheme = Scheme::all()[dice.roll(3) as usize];
                        let status = Status::all()[dice.roll(3) as usize];
                        values.push(encode(
                            Slot::Attestation,
                            attestation_value(scheme, status, dice.roll(2) == 1),
                        ));
                    }
                    values.sort_unstable();
                    values.dedup();
                    values
                })
                .collect();
            let filters = Filters {
                kinds: dice.some(DocKind::all(), 1),
                categories: dice.some(&Category::all()[..4], 2),
                countries: dice.some(&countries, 2),
                schemes: dice.some(&Scheme::all()[..3], 2),
                statuses: dice.some(&Status::all()[..3], 1),
                valid_today: [None, Some(true), Some(false)][dice.roll(3) as usize],
                open_source: [None, Some(true), Some(false)][dice.roll(3) as usize],
                ..Filters::default()
            };
            // Every document, about one in two, or about one in twenty: full and sparse blocks.
            let density = [1, 2, 20][dice.roll(3) as usize];
            let matched: Vec<bool> = docs.iter().map(|_| dice.roll(density) == 0).collect();
            for filters in [filters, Filters::default()] {
                let set = FilterSet::new(&filters);
                let (expected_total, expected) = reference(&docs, &matched, &set);
                let (total, tally) = by_blocks(&docs, &matched, &set);
                assert_eq!(total, expected_total, "round {round}: {filters:?}");
                assert_eq!(tally.counts, expected.counts, "round {round}: {filters:?}");
            }
        }
    }

    #[test]
    fn countries_round_trip_through_their_number() {
        for code in ["FR", "DE", "ZW", "AD"] {
            let country = CountryCode::parse(code).unwrap();
            assert_eq!(country_of(country_value(country)), Some(country));
        }
    }

    #[test]
    fn the_cluster_key_orders_by_kind_then_categories_then_country() {
        let kind = |k: DocKind| encode(Slot::Kind, position(k));
        let category = |c: Category| encode(Slot::Category, position(c));
        let country = |code: &str| {
            encode(
                Slot::Country,
                country_value(CountryCode::parse(code).unwrap()),
            )
        };
        let attested = encode(
            Slot::Attestation,
            attestation_value(Scheme::Hds, Status::Qualified, true),
        );
        let offer = |c: Category, code: &str| {
            cluster_key(&[kind(DocKind::Offer), category(c), country(code)])
        };
        // The order of the values does not matter, their presence does.
        assert_eq!(
            cluster_key(&[
                country("FR"),
                category(Category::Iaas),
                kind(DocKind::Offer)
            ]),
            offer(Category::Iaas, "FR")
        );
        assert_ne!(
            cluster_key(&[
                kind(DocKind::Offer),
                category(Category::Iaas),
                country("FR"),
                attested
            ]),
            offer(Category::Iaas, "FR")
        );
        // Kind first: every offer on one side of every supplier.
        let supplier = cluster_key(&[
            kind(DocKind::Supplier),
            category(Category::Iaas),
            category(Category::Paas),
            country("AT"),
        ]);
        let offers = [
            offer(Category::Iaas, "FR"),
            offer(Category::Paas, "AT"),
            offer(Category::Iaas, "ZA"),
        ];
        let supplier_first = kind(DocKind::Supplier) < kind(DocKind::Offer);
        assert!(offers.iter().all(|o| (supplier < *o) == supplier_first));
        // Then the categories, before the country: two French offers of different categories lie
        // on either side of the German IaaS offer, whichever category sorts first.
        let (iaas_fr, paas_fr, iaas_de) = (
            offer(Category::Iaas, "FR"),
            offer(Category::Paas, "FR"),
            offer(Category::Iaas, "DE"),
        );
        assert!((iaas_fr < paas_fr) == (iaas_de < paas_fr));
        assert!(iaas_de < iaas_fr);
    }
}
