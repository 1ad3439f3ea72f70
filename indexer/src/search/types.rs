//! What a search is asked and what it answers: plain domain types, no tantivy, so that the API and the
//! web depend on the search's contract rather than on the engine behind it.

use chrono::NaiveDate;
use registre_domain::identifiers::CountryCode;
use registre_domain::taxonomy::{
    Category, DeploymentModel, ExposureLevel, Scheme, Status, SuiteClass, SuiteTier, Vocabulary,
};
use serde::{Deserialize, Serialize};

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Largest page of hits.
pub const MAX_LIMIT: usize = 100;
pub const DEFAULT_LIMIT: usize = 20;
/// Most completions `suggest` returns.
pub const MAX_SUGGESTIONS: usize = 10;

/// What a document stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    Supplier,
    Offer,
}

impl Vocabulary for DocKind {
    const NAME: &'static str = "kind";
    fn all() -> &'static [Self] {
        &[DocKind::Supplier, DocKind::Offer]
    }
    fn code(self) -> &'static str {
        match self {
            DocKind::Supplier => "supplier",
            DocKind::Offer => "offer",
        }
    }
    fn label_fr(self) -> &'static str {
        match self {
            DocKind::Supplier => "Fournisseur",
            DocKind::Offer => "Offre",
        }
    }
    fn label_en(self) -> &'static str {
        match self {
            DocKind::Supplier => "Supplier",
            DocKind::Offer => "Offer",
        }
    }
}

/// Where a record stands on qualifications: the tie-break of the relevance ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Qualification {
    /// No attestation in force nor in progress.
    None,
    /// At least one attestation in progress (SecNumCloud J0...), none in force.
    InProgress,
    /// At least one attestation in force today.
    ValidToday,
}

impl Qualification {
    /// The tie-break rank: higher ranks first among equally relevant hits.
    pub fn rank(self) -> u8 {
        self as u8
    }

    pub fn from_rank(rank: u64) -> Self {
        match rank {
            2.. => Qualification::ValidToday,
            1 => Qualification::InProgress,
            0 => Qualification::None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Qualification::None => "none",
            Qualification::InProgress => "in_progress",
            Qualification::ValidToday => "valid_today",
        }
    }
}

/// The order of hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Text relevance, ties broken by qualification (valid today, in progress, none).
    #[default]
    Relevance,
    /// Name, alphabetically (case and accents ignored).
    Name,
    /// End date of the qualification in force, the soonest first; records without one last.
    QualificationEnd,
    /// End date of the qualification in force, the latest first; records without one last.
    QualificationEndDesc,
}

impl Sort {
    pub const CODES: &'static [&'static str] = &[
        "relevance",
        "name",
        "qualification_end",
        "qualification_end_desc",
    ];

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "relevance" => Some(Sort::Relevance),
            "name" => Some(Sort::Name),
            "qualification_end" => Some(Sort::QualificationEnd),
            "qualification_end_desc" => Some(Sort::QualificationEndDesc),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        Self::CODES[self as usize]
    }
}

/// Facet filters. Values of one facet are alternatives (OR); facets combine with AND. The three
/// attestation facets (scheme, status, valid today) apply to one and the same attestation: "SecNumCloud"
/// with "valid today" means a SecNumCloud attestation valid today, not any valid attestation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub kinds: Vec<DocKind>,
    pub categories: Vec<Category>,
    pub suite_classes: Vec<SuiteClass>,
    pub suite_tiers: Vec<SuiteTier>,
    pub schemes: Vec<Scheme>,
    /// `Some(false)`: no attestation (of the selected schemes) is valid today.
    pub valid_today: Option<bool>,
    /// Status that holds today (a qualification past its end date is expired).
    pub statuses: Vec<Status>,
    /// Head-office country of the supplier (of the offer's supplier for an offer).
    pub countries: Vec<CountryCode>,
    pub exposures: Vec<ExposureLevel>,
    pub open_source: Option<bool>,
    pub deployment_models: Vec<DeploymentModel>,
}

/// One search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRequest {
    /// Free text: words, "quoted phrases", an identifier (SIREN, SIRET, VAT number), "alternative à X".
    pub query: String,
    pub filters: Filters,
    pub sort: Sort,
    /// 1 to [`MAX_LIMIT`].
    pub limit: usize,
    /// `next_cursor` of the previous page, unchanged.
    pub cursor: Option<String>,
    /// Attach to each hit why it ranks where it does.
    pub explain: bool,
}

impl Default for SearchRequest {
    fn default() -> Self {
        Self {
            query: String::new(),
            filters: Filters::default(),
            sort: Sort::Relevance,
            limit: DEFAULT_LIMIT,
            cursor: None,
            explain: false,
        }
    }
}

impl SearchRequest {
    pub fn text(query: impl Into<String>) -> Self {
        Self {
            query: query.into(),
            ..Self::default()
        }
    }
}

/// The facets of a search, each with its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FacetName {
    Kind,
    Category,
    SuiteClass,
    SuiteTier,
    Scheme,
    ValidToday,
    Status,
    Country,
    Exposure,
    OpenSource,
    DeploymentModel,
}

impl FacetName {
    pub const ALL: [FacetName; 11] = [
        FacetName::Kind,
        FacetName::Category,
        FacetName::SuiteClass,
        FacetName::SuiteTier,
        FacetName::Scheme,
        FacetName::ValidToday,
        FacetName::Status,
        FacetName::Country,
        FacetName::Exposure,
        FacetName::OpenSource,
        FacetName::DeploymentModel,
    ];

    /// The name of the facet's query parameter.
    pub fn code(self) -> &'static str {
        match self {
            FacetName::Kind => "kind",
            FacetName::Category => "category",
            FacetName::SuiteClass => "suite_class",
            FacetName::SuiteTier => "suite_tier",
            FacetName::Scheme => "scheme",
            FacetName::ValidToday => "valid_today",
            FacetName::Status => "status",
            FacetName::Country => "country",
            FacetName::Exposure => "exposure",
            FacetName::OpenSource => "open_source",
            FacetName::DeploymentModel => "deployment_model",
        }
    }
}

/// One value of a facet with the number of hits it would give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetValue {
    pub code: String,
    pub label_fr: String,
    pub label_en: String,
    /// Hits with this value under every other filter: a facet's own filter is ignored, so that its
    /// other values show what choosing them instead (or as well) would give.
    pub count: u64,
    /// Whether the request filters on this value.
    pub selected: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetCounts {
    pub facet: FacetName,
    /// Values with at least one hit, and the selected ones; most hits first.
    pub values: Vec<FacetValue>,
}

/// A supplier named from an offer hit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierSummary {
    pub id: i64,
    pub key: String,
    pub name: String,
}

/// One attestation as shown on a hit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestationItem {
    pub key: String,
    pub scheme: Scheme,
    /// Status that held on the day the document was indexed (re-indexed when it changes).
    pub status: Status,
    pub valid_today: bool,
    pub valid_until: Option<NaiveDate>,
    /// Held by the supplier as a whole rather than by the offer.
    pub whole_supplier: bool,
}

/// The attestations of a hit, summed up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestationDigest {
    pub qualification: Qualification,
    /// Schemes with an attestation in force today.
    pub valid_today: Vec<Scheme>,
    /// Schemes with an attestation in progress.
    pub in_progress: Vec<Scheme>,
    /// The latest end date among the attestations in force today.
    pub qualified_until: Option<NaiveDate>,
    pub items: Vec<AttestationItem>,
}

/// Which stored text a highlight comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HighlightField {
    Name,
    DescriptionFr,
    DescriptionEn,
}

/// A fragment of a hit's text with the matched words marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlight {
    pub field: HighlightField,
    pub text: String,
    /// `text`, HTML-escaped, with matches in `<mark>`.
    pub html: String,
    /// Matched spans of `text`, as character (not byte) offsets, end excluded.
    pub ranges: Vec<(usize, usize)>,
}

/// Why a hit ranks where it does.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// The text relevance: BM25 per field with field boosts, plus typo, prefix and exact-name parts.
    pub score: f32,
    /// `score` rounded to two decimals: hits are ordered by this, then by `qualification`.
    pub relevance: f32,
    pub qualification: Qualification,
    /// One line for a person.
    pub summary: String,
    /// tantivy's explanation tree of `score`.
    pub details: serde_json::Value,
}

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub kind: DocKind,
    pub id: i64,
    pub key: String,
    pub name: String,
    /// For a supplier, its legal name; for an offer, null.
    pub legal_name: Option<String>,
    /// For an offer, its supplier.
    pub supplier: Option<SupplierSummary>,
    pub category: Option<Category>,
    pub suite_class: Option<SuiteClass>,
    pub suite_tier: Option<SuiteTier>,
    pub country: CountryCode,
    pub exposure: ExposureLevel,
    pub open_source: bool,
    pub deployment_models: Vec<DeploymentModel>,
    pub attestations: AttestationDigest,
    pub highlights: Vec<Highlight>,
    /// Text relevance (0 for a search without words).
    pub score: f32,
    pub explanation: Option<Explanation>,
}

/// How the query was understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Interpretation {
    /// No words: every record, filtered.
    Everything,
    /// Words matched as text; `required` of the `words` had to match (fewer when all of them found nothing).
    Text { words: usize, required: usize },
    /// An identifier looked up exactly.
    Identifier { scheme: &'static str, value: String },
    /// "Alternative to X": the offers of X's kind.
    Alternative {
        product: String,
        suite_classes: Vec<SuiteClass>,
        categories: Vec<Category>,
    },
}

/// A page of results.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResults {
    pub hits: Vec<Hit>,
    /// Hits matching the query and every filter.
    pub total: u64,
    pub facets: Vec<FacetCounts>,
    /// A corrected query when this one found nothing and close words exist.
    pub did_you_mean: Option<String>,
    /// Pass as `cursor` for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
    pub interpretation: Interpretation,
}

/// A completion for a search box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub text: String,
    pub kind: DocKind,
    pub id: i64,
    pub key: String,
}

/// Why a search could not run.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("the query is longer than {max} characters")]
    QueryTooLong { max: usize },
    #[error("limit must be between 1 and {max}")]
    LimitOutOfRange { max: usize },
    #[error("{0}")]
    InvalidCursor(String),
    /// The index is being built (first start or schema change).
    #[error("the search index is not ready yet")]
    NotReady,
    #[error("search index failure: {0}")]
    Index(String),
}
