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

use registre_domain::identifiers::CountryCode;
use registre_domain::taxonomy::{
    Category, DeploymentModel, ExposureLevel, Scheme, Status, SuiteClass, SuiteTier, Vocabulary,
};

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
    /// Indexed like `PLAIN_SLOTS`.
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

/// Whether a document's attestations satisfy the attestation filters, all on one attestation.
/// `valid == Some(false)` means: none of the (selected schemes') attestations is valid today, but
/// the document holds one in the selected statuses when schemes or statuses are selected.
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

    fn valid_offset() -> usize {
        Self::status_offset() + Self::STATUSES
    }

    fn size() -> usize {
        Self::valid_offset() + 2
    }
}

/// What one document's facet values say against the filters.
pub(crate) struct Verdict {
    /// The document matches every filter.
    pub matches: bool,
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

/// Decoded facet values of one document, reused from document to document.
#[derive(Default)]
pub(crate) struct DocFacets {
    plain: [Vec<u32>; 8],
    attestations: Vec<u32>,
}

impl DocFacets {
    pub(crate) fn load(&mut self, raw: impl Iterator<Item = u64>) {
        for values in &mut self.plain {
            values.clear();
        }
        self.attestations.clear();
        for value in raw {
            let (slot, value) = decode(value);
            if slot == Slot::Attestation as u8 {
                self.attestations.push(value);
            } else if let Some(values) = self.plain.get_mut(usize::from(slot)) {
                values.push(value);
            }
        }
    }
}

impl Tally {
    /// Judges one document and, when `count` is set, adds it to the disjunctive counts: a facet's
    /// values are counted when the document passes every filter but (possibly) that facet's own.
    pub(crate) fn judge(&mut self, doc: &DocFacets, filters: &FilterSet, count: bool) -> Verdict {
        let mut failing = [false; 8];
        let mut failures = 0;
        for (group, filter) in filters.plain.iter().enumerate() {
            if let Some(set) = filter
                && !doc.plain[group].iter().any(|&v| set.contains(v))
            {
                failing[group] = true;
                failures += 1;
            }
        }
        let attestations_pass = attestation_matches(
            &doc.attestations,
            filters.schemes.as_ref(),
            filters.statuses.as_ref(),
            filters.valid,
        );
        let matches = failures == 0 && attestations_pass;
        if !count {
            return Verdict { matches };
        }
        // Plain facets: counted when everything else passes.
        for group in 0..PLAIN_SLOTS.len() {
            let others_pass =
                attestations_pass && (failures == 0 || (failures == 1 && failing[group]));
            if others_pass {
                let offset = Layout::plain_offset(group);
                let size = slot_size(PLAIN_SLOTS[group]);
                for &value in &doc.plain[group] {
                    if (value as usize) < size {
                        self.counts[offset + value as usize] += 1;
                    }
                }
            }
        }
        if failures == 0 {
            let schemes = filters.schemes.as_ref();
            let statuses = filters.statuses.as_ref();
            let mut seen_schemes = 0u32;
            let mut seen_statuses = 0u32;
            for &a in &doc.attestations {
                let (s, t, _) = split_attestation(a);
                seen_schemes |= 1 << s;
                seen_statuses |= 1 << t;
            }
            for s in 0..Layout::SCHEMES {
                if seen_schemes & (1 << s) != 0 {
                    let only = ValueSet::of([s as u32]);
                    if attestation_matches(
                        &doc.attestations,
                        only.as_ref(),
                        statuses,
                        filters.valid,
                    ) {
                        self.counts[Layout::scheme_offset() + s] += 1;
                    }
                }
            }
            for t in 0..Layout::STATUSES {
                if seen_statuses & (1 << t) != 0 {
                    let only = ValueSet::of([t as u32]);
                    if attestation_matches(&doc.attestations, schemes, only.as_ref(), filters.valid)
                    {
                        self.counts[Layout::status_offset() + t] += 1;
                    }
                }
            }
            for valid in [false, true] {
                if attestation_matches(&doc.attestations, schemes, statuses, Some(valid)) {
                    self.counts[Layout::valid_offset() + usize::from(valid)] += 1;
                }
            }
        }
        Verdict { matches }
    }

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
    use super::*;

    fn doc(values: &[u64]) -> DocFacets {
        let mut facets = DocFacets::default();
        facets.load(values.iter().copied());
        facets
    }

    fn count(tally: &Tally, filters: &Filters, facet: FacetName, code: &str) -> u64 {
        tally
            .facets(filters)
            .into_iter()
            .find(|f| f.facet == facet)
            .and_then(|f| f.values.into_iter().find(|v| v.code == code))
            .map_or(0, |v| v.count)
    }

    #[test]
    fn a_facets_own_filter_does_not_narrow_its_counts() {
        let iaas = encode(Slot::Category, position(Category::Iaas));
        let paas = encode(Slot::Category, position(Category::Paas));
        let fr = encode(
            Slot::Country,
            country_value(CountryCode::parse("FR").unwrap()),
        );
        let de = encode(
            Slot::Country,
            country_value(CountryCode::parse("DE").unwrap()),
        );
        let filters = Filters {
            categories: vec![Category::Iaas],
            countries: vec![CountryCode::parse("FR").unwrap()],
            ..Filters::default()
        };
        let set = FilterSet::new(&filters);
        let mut tally = Tally::default();
        let verdicts: Vec<bool> = [[iaas, fr], [paas, fr], [iaas, de], [paas, de]]
            .iter()
            .map(|values| tally.judge(&doc(values), &set, true).matches)
            .collect();
        assert_eq!(verdicts, vec![true, false, false, false]);
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
        let set = FilterSet::new(&filters);
        let mut tally = Tally::default();
        assert!(
            !tally
                .judge(&doc(&[valid_hds, snc_in_progress]), &set, true)
                .matches
        );
        // The scheme facet (its own filter ignored) still sees the valid HDS attestation.
        assert_eq!(count(&tally, &filters, FacetName::Scheme, "hds"), 1);
        assert_eq!(count(&tally, &filters, FacetName::ValidToday, "false"), 1);
        let not_valid = Filters {
            schemes: vec![Scheme::SecNumCloud],
            valid_today: Some(false),
            ..Filters::default()
        };
        assert!(
            Tally::default()
                .judge(
                    &doc(&[valid_hds, snc_in_progress]),
                    &FilterSet::new(&not_valid),
                    false
                )
                .matches
        );
    }

    #[test]
    fn countries_round_trip_through_their_number() {
        for code in ["FR", "DE", "ZW", "AD"] {
            let country = CountryCode::parse(code).unwrap();
            assert_eq!(country_of(country_value(country)), Some(country));
        }
    }
}
