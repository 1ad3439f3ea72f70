//! `/api/v1/search` and `/api/v1/suggest`: full-text search over suppliers and offers, with facets,
//! and completions for a search box. Handlers only read parameters into a `SearchRequest` and map the
//! answer; the search itself runs in the indexer crate, on a blocking thread.

use std::time::Instant;

use chrono::NaiveDate;
use poem::http::StatusCode;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use registre_domain::identifiers::CountryCode;
use registre_domain::taxonomy::{ExposureLevel, Vocabulary};
use registre_indexer::search::{
    AttestationDigest, DEFAULT_LIMIT, Explanation, FacetCounts, Filters, Highlight, HighlightField,
    Hit, Interpretation, MAX_LIMIT, MAX_SUGGESTIONS, SearchError, SearchRequest, SearchResults,
    Searcher, Sort, Suggestion, run_search_work,
};
use serde::Serialize;

use crate::ApiTags;
use crate::body::{JsonReply, f32_as_f64};
use crate::problem::{ApiError, Problem, problem};
use crate::taxonomy::Term;

pub struct SearchApi {
    pub searcher: Searcher,
}

/// Why a search was not answered, in the API's problem shape.
#[derive(Debug, ApiResponse)]
pub enum SearchFailure {
    /// A parameter cannot be used: an unknown code, a limit out of range, a cursor from elsewhere,
    /// a query over 200 characters.
    #[oai(status = 400)]
    BadRequest(Json<Box<Problem>>),
    /// The index is being built (first start or a schema change): retry shortly.
    #[oai(status = 503)]
    Unavailable(Json<Box<Problem>>),
    #[oai(status = 500)]
    Internal(Json<Box<Problem>>),
}

impl From<ApiError> for SearchFailure {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::BadRequest(body) => SearchFailure::BadRequest(body),
            ApiError::Internal(body)
            | ApiError::Unauthorized(body)
            | ApiError::Forbidden(body)
            | ApiError::NotFound(body)
            | ApiError::Conflict(body)
            | ApiError::PreconditionFailed(body)
            | ApiError::Unprocessable(body)
            | ApiError::PreconditionRequired(body) => SearchFailure::Internal(body),
        }
    }
}

fn bad(field: &str, code: &str, detail: impl Into<String>) -> SearchFailure {
    SearchFailure::BadRequest(Json(Box::new(problem(
        StatusCode::BAD_REQUEST,
        code,
        detail,
        Some(field.to_owned()),
    ))))
}

impl From<SearchError> for SearchFailure {
    fn from(error: SearchError) -> Self {
        match &error {
            SearchError::QueryTooLong { .. } => bad("q", "query_too_long", error.to_string()),
            SearchError::LimitOutOfRange { .. } => {
                bad("limit", "limit_out_of_range", error.to_string())
            }
            SearchError::InvalidCursor(message) => bad("cursor", "invalid_cursor", message.clone()),
            SearchError::NotReady => SearchFailure::Unavailable(Json(Box::new(problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "search_not_ready",
                "the search index is being built; retry in a few seconds",
                None,
            )))),
            SearchError::Index(_) => {
                tracing::error!(%error, "search failed");
                ApiError::internal().into()
            }
        }
    }
}

/// Values of a repeatable parameter: `?category=a&category=b` or `?category=a,b`.
fn values(raw: &[String]) -> impl Iterator<Item = &str> {
    raw.iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

fn codes<V: Vocabulary>(field: &str, raw: &[String]) -> Result<Vec<V>, SearchFailure> {
    values(raw)
        .map(|v| V::parse(v).map_err(|e| bad(field, "unknown_code", e.to_string())))
        .collect()
}

fn term<V: Vocabulary>(value: V) -> Term {
    Term {
        code: value.code().to_owned(),
        label_fr: value.label_fr().to_owned(),
        label_en: value.label_en().to_owned(),
    }
}

#[derive(Debug, Clone, Object, Serialize)]
pub struct SupplierRefView {
    pub id: i64,
    pub key: String,
    pub name: String,
}

#[derive(Debug, Clone, Object, Serialize)]
pub struct AttestationItemView {
    pub key: String,
    pub scheme: String,
    /// Status that holds today (a qualification past its end date is `expired`).
    pub status: String,
    pub valid_today: bool,
    pub valid_until: Option<NaiveDate>,
    /// Held by the supplier as a whole rather than by the offer.
    pub whole_supplier: bool,
}

/// The attestations of a hit, summed up.
#[derive(Debug, Clone, Object, Serialize)]
pub struct AttestationSummaryView {
    /// `valid_today`, `in_progress` or `none`: the relevance tie-break.
    pub qualification: String,
    /// Schemes with an attestation in force today.
    pub valid_today: Vec<String>,
    /// Schemes with an attestation in progress.
    pub in_progress: Vec<String>,
    /// Latest end date among the attestations in force today.
    pub qualified_until: Option<NaiveDate>,
    pub items: Vec<AttestationItemView>,
}

impl From<AttestationDigest> for AttestationSummaryView {
    fn from(digest: AttestationDigest) -> Self {
        Self {
            qualification: digest.qualification.code().to_owned(),
            valid_today: digest
                .valid_today
                .iter()
                .map(|s| s.code().to_owned())
                .collect(),
            in_progress: digest
                .in_progress
                .iter()
                .map(|s| s.code().to_owned())
                .collect(),
            qualified_until: digest.qualified_until,
            items: digest
                .items
                .into_iter()
                .map(|item| AttestationItemView {
                    key: item.key,
                    scheme: item.scheme.code().to_owned(),
                    status: item.status.code().to_owned(),
                    valid_today: item.valid_today,
                    valid_until: item.valid_until,
                    whole_supplier: item.whole_supplier,
                })
                .collect(),
        }
    }
}

/// A matched span of a highlight's text, in characters.
#[derive(Debug, Clone, Object, Serialize)]
pub struct SpanView {
    pub start: u32,
    pub end: u32,
}

#[derive(Debug, Clone, Object, Serialize)]
pub struct HighlightView {
    /// `name`, `description_fr` or `description_en`.
    pub field: String,
    pub text: String,
    /// `text`, HTML-escaped, matches in `<mark>`.
    pub html: String,
    pub matches: Vec<SpanView>,
}

impl From<Highlight> for HighlightView {
    fn from(highlight: Highlight) -> Self {
        Self {
            field: match highlight.field {
                HighlightField::Name => "name",
                HighlightField::DescriptionFr => "description_fr",
                HighlightField::DescriptionEn => "description_en",
            }
            .to_owned(),
            text: highlight.text,
            html: highlight.html,
            matches: highlight
                .ranges
                .into_iter()
                .map(|(start, end)| SpanView {
                    start: start as u32,
                    end: end as u32,
                })
                .collect(),
        }
    }
}

/// Why a hit ranks where it does.
#[derive(Debug, Clone, Object, Serialize)]
pub struct ExplanationView {
    /// Text relevance: BM25 per field times its boost, typo, prefix and exact-name parts.
    #[serde(serialize_with = "f32_as_f64")]
    pub score: f32,
    /// `score` rounded to hundredths: hits are ordered by it, then by `qualification`.
    #[serde(serialize_with = "f32_as_f64")]
    pub relevance: f32,
    pub qualification: String,
    pub summary: String,
    /// The scoring tree (tantivy's explanation).
    pub details: serde_json::Value,
}

impl From<Explanation> for ExplanationView {
    fn from(explanation: Explanation) -> Self {
        Self {
            score: explanation.score,
            relevance: explanation.relevance,
            qualification: explanation.qualification.code().to_owned(),
            summary: explanation.summary,
            details: explanation.details,
        }
    }
}

#[derive(Debug, Clone, Object, Serialize)]
pub struct SearchHit {
    /// `supplier` or `offer`.
    pub kind: String,
    pub id: i64,
    pub key: String,
    pub name: String,
    /// A supplier's legal name.
    pub legal_name: Option<String>,
    /// An offer's supplier.
    pub supplier: Option<SupplierRefView>,
    pub category: Option<Term>,
    pub suite_class: Option<Term>,
    pub suite_tier: Option<Term>,
    /// Head-office country of the supplier.
    pub country: String,
    pub exposure: Term,
    pub open_source: bool,
    pub deployment_models: Vec<String>,
    pub attestations: AttestationSummaryView,
    pub highlights: Vec<HighlightView>,
    #[serde(serialize_with = "f32_as_f64")]
    pub score: f32,
    /// With `explain=true`.
    pub explanation: Option<ExplanationView>,
}

fn exposure_term(level: ExposureLevel) -> Term {
    term(level)
}

impl From<Hit> for SearchHit {
    fn from(hit: Hit) -> Self {
        Self {
            kind: hit.kind.code().to_owned(),
            id: hit.id,
            key: hit.key,
            name: hit.name,
            legal_name: hit.legal_name,
            supplier: hit.supplier.map(|s| SupplierRefView {
                id: s.id,
                key: s.key,
                name: s.name,
            }),
            category: hit.category.map(term),
            suite_class: hit.suite_class.map(term),
            suite_tier: hit.suite_tier.map(term),
            country: hit.country.as_str().to_owned(),
            exposure: exposure_term(hit.exposure),
            open_source: hit.open_source,
            deployment_models: hit
                .deployment_models
                .iter()
                .map(|m| m.code().to_owned())
                .collect(),
            attestations: hit.attestations.into(),
            highlights: hit
                .highlights
                .into_iter()
                .map(HighlightView::from)
                .collect(),
            score: hit.score,
            explanation: hit.explanation.map(ExplanationView::from),
        }
    }
}

#[derive(Debug, Clone, Object, Serialize)]
pub struct FacetValueView {
    pub code: String,
    pub label_fr: String,
    pub label_en: String,
    /// Hits with this value under every other filter (the facet's own filter is ignored).
    pub count: u64,
    pub selected: bool,
}

#[derive(Debug, Clone, Object, Serialize)]
pub struct FacetView {
    /// The facet's query parameter: `kind`, `category`, `suite_class`, ...
    pub facet: String,
    pub values: Vec<FacetValueView>,
}

impl From<FacetCounts> for FacetView {
    fn from(counts: FacetCounts) -> Self {
        Self {
            facet: counts.facet.code().to_owned(),
            values: counts
                .values
                .into_iter()
                .map(|v| FacetValueView {
                    code: v.code,
                    label_fr: v.label_fr,
                    label_en: v.label_en,
                    count: v.count,
                    selected: v.selected,
                })
                .collect(),
        }
    }
}

/// How the query was read.
#[derive(Debug, Clone, Object, Serialize)]
pub struct InterpretationView {
    /// `everything`, `text`, `identifier` or `alternative`.
    pub kind: String,
    /// For `text`: words that count, and how many had to match.
    pub words: Option<u32>,
    pub required: Option<u32>,
    /// For `identifier`: `siren`, `siret`, `vat_number` or `lei`, and the value.
    pub scheme: Option<String>,
    pub value: Option<String>,
    /// For `alternative`: the product, and the kinds of tool looked for.
    pub product: Option<String>,
    pub suite_classes: Vec<String>,
    pub categories: Vec<String>,
}

impl From<Interpretation> for InterpretationView {
    fn from(interpretation: Interpretation) -> Self {
        let mut view = InterpretationView {
            kind: String::new(),
            words: None,
            required: None,
            scheme: None,
            value: None,
            product: None,
            suite_classes: Vec::new(),
            categories: Vec::new(),
        };
        match interpretation {
            Interpretation::Everything => view.kind = "everything".into(),
            Interpretation::Text { words, required } => {
                view.kind = "text".into();
                view.words = Some(words as u32);
                view.required = Some(required as u32);
            }
            Interpretation::Identifier { scheme, value } => {
                view.kind = "identifier".into();
                view.scheme = Some(scheme.to_owned());
                view.value = Some(value);
            }
            Interpretation::Alternative {
                product,
                suite_classes,
                categories,
            } => {
                view.kind = "alternative".into();
                view.product = Some(product);
                view.suite_classes = suite_classes.iter().map(|c| c.code().to_owned()).collect();
                view.categories = categories.iter().map(|c| c.code().to_owned()).collect();
            }
        }
        view
    }
}

#[derive(Debug, Clone, Object, Serialize)]
pub struct SearchResponse {
    pub hits: Vec<SearchHit>,
    /// Hits matching the query and every filter.
    pub total: u64,
    pub facets: Vec<FacetView>,
    /// Time spent searching, in milliseconds.
    pub took_ms: f64,
    /// A corrected query, when this one found nothing and close words exist.
    pub did_you_mean: Option<String>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
    pub interpretation: InterpretationView,
}

#[derive(Debug, Clone, Object, Serialize)]
pub struct SuggestionView {
    pub text: String,
    /// `supplier` or `offer`.
    pub kind: String,
    pub id: i64,
    pub key: String,
}

impl From<Suggestion> for SuggestionView {
    fn from(suggestion: Suggestion) -> Self {
        Self {
            text: suggestion.text,
            kind: suggestion.kind.code().to_owned(),
            id: suggestion.id,
            key: suggestion.key,
        }
    }
}

#[derive(Debug, Clone, Object, Serialize)]
pub struct SuggestResponse {
    pub suggestions: Vec<SuggestionView>,
}

#[OpenApi(tag = "ApiTags::Search")]
impl SearchApi {
    /// Search suppliers and offers: free text (French or English, accents optional, typos forgiven,
    /// "quoted phrases"), an identifier (SIREN, SIRET, VAT number), or "alternative à Teams"; filters
    /// on every facet, each repeatable or comma-separated; facet counts ignore their own facet.
    #[oai(path = "/search", method = "get", operation_id = "search")]
    #[expect(
        clippy::too_many_arguments,
        reason = "one query parameter per facet, as the OpenAPI document lists them"
    )]
    async fn search(
        &self,
        /// The query, at most 200 characters.
        q: Query<Option<String>>,
        /// `supplier` or `offer`.
        kind: Query<Vec<String>>,
        /// Category codes (`GET /taxonomy`).
        category: Query<Vec<String>>,
        /// La Suite numérique class codes.
        suite_class: Query<Vec<String>>,
        /// La Suite numérique tier codes.
        suite_tier: Query<Vec<String>>,
        /// Attestation scheme codes (with `status` and `valid_today`, of the same attestation).
        scheme: Query<Vec<String>>,
        /// Holds an attestation valid today (`false`: holds none).
        valid_today: Query<Option<bool>>,
        /// Attestation status codes, as they hold today.
        status: Query<Vec<String>>,
        /// Supplier head-office countries (ISO 3166-1 alpha-2).
        country: Query<Vec<String>>,
        /// Computed exposure level codes.
        exposure: Query<Vec<String>>,
        /// Open-source offers (or suppliers with one).
        open_source: Query<Option<bool>>,
        /// Deployment model codes.
        deployment_model: Query<Vec<String>>,
        /// `relevance` (default), `name`, `qualification_end` or `qualification_end_desc`.
        sort: Query<Option<String>>,
        /// Page size, 1 to 100 (default 20).
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
        /// Explain each hit's rank.
        explain: Query<Option<bool>>,
    ) -> Result<JsonReply<SearchResponse>, SearchFailure> {
        let sort = match sort.0.as_deref().map(str::trim) {
            None | Some("") => Sort::Relevance,
            Some(code) => Sort::parse(code).ok_or_else(|| {
                bad(
                    "sort",
                    "unknown_code",
                    format!(
                        "unknown sort '{code}' (expected one of: {})",
                        Sort::CODES.join(", ")
                    ),
                )
            })?,
        };
        let limit = limit.0.unwrap_or(DEFAULT_LIMIT as u64);
        if !(1..=MAX_LIMIT as u64).contains(&limit) {
            return Err(bad(
                "limit",
                "limit_out_of_range",
                format!("limit must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let countries = values(&country.0)
            .map(|c| CountryCode::parse(c).map_err(|e| bad("country", e.code(), e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        let request = SearchRequest {
            query: q.0.unwrap_or_default(),
            filters: Filters {
                kinds: codes("kind", &kind.0)?,
                categories: codes("category", &category.0)?,
                suite_classes: codes("suite_class", &suite_class.0)?,
                suite_tiers: codes("suite_tier", &suite_tier.0)?,
                schemes: codes("scheme", &scheme.0)?,
                valid_today: valid_today.0,
                statuses: codes("status", &status.0)?,
                countries,
                exposures: codes("exposure", &exposure.0)?,
                open_source: open_source.0,
                deployment_models: codes("deployment_model", &deployment_model.0)?,
            },
            sort,
            limit: limit as usize,
            cursor: cursor.0,
            explain: explain.0.unwrap_or(false),
        };
        let searcher = self.searcher.clone();
        let started = Instant::now();
        let results: SearchResults = run_search_work(move || searcher.search(&request)).await?;
        let took_ms = started.elapsed().as_secs_f64() * 1000.0;
        Ok(JsonReply(SearchResponse {
            hits: results.hits.into_iter().map(SearchHit::from).collect(),
            total: results.total,
            facets: results.facets.into_iter().map(FacetView::from).collect(),
            took_ms,
            did_you_mean: results.did_you_mean,
            next_cursor: results.next_cursor,
            interpretation: results.interpretation.into(),
        }))
    }

    /// Completions for a search box: names of suppliers and offers starting with what was typed
    /// (at least two letters), those qualified today first.
    #[oai(path = "/suggest", method = "get", operation_id = "suggest")]
    async fn suggest(
        &self,
        /// What was typed so far, at most 200 characters.
        q: Query<Option<String>>,
        /// 1 to 10 (default 10).
        limit: Query<Option<u64>>,
    ) -> Result<JsonReply<SuggestResponse>, SearchFailure> {
        let limit = limit.0.unwrap_or(MAX_SUGGESTIONS as u64);
        if !(1..=MAX_SUGGESTIONS as u64).contains(&limit) {
            return Err(bad(
                "limit",
                "limit_out_of_range",
                format!("limit must be between 1 and {MAX_SUGGESTIONS}"),
            ));
        }
        let text = q.0.unwrap_or_default();
        let searcher = self.searcher.clone();
        let suggestions = run_search_work(move || searcher.suggest(&text, limit as usize)).await?;
        Ok(JsonReply(SuggestResponse {
            suggestions: suggestions.into_iter().map(SuggestionView::from).collect(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use poem::endpoint::BoxEndpoint;
    use poem::http::StatusCode;
    use poem::test::TestClient;
    use poem::{EndpointExt, IntoEndpoint};
    use registre_indexer::search::{Indexer, IndexerSettings};
    use registre_indexer::sources::service::Sources;
    use registre_store::Store;
    use serde_json::{Value, json};

    const TOKEN: &str = "search-api-test-token-0123456789";

    /// serde's writing of `value` and the framework's (its `Value` written out), both read back:
    /// they must be the same document (the keys' order aside).
    fn both_writings<T: serde::Serialize + poem_openapi::types::ToJSON>(
        value: &T,
    ) -> (Value, Value) {
        let read = |bytes: Vec<u8>| serde_json::from_slice::<Value>(&bytes).unwrap();
        (
            read(serde_json::to_vec(value).unwrap()),
            read(serde_json::to_vec(&value.to_json()).unwrap()),
        )
    }

    fn sample_term(code: &str) -> super::Term {
        super::Term {
            code: code.to_owned(),
            label_fr: format!("{code} (fr) « é »"),
            label_en: format!("{code} (en) \"quoted\""),
        }
    }

    #[test]
    fn responses_written_by_serde_equal_the_frameworks_writing() {
        use super::*;
        let attestations = |valid: bool| AttestationSummaryView {
            qualification: if valid { "valid_today" } else { "none" }.to_owned(),
            valid_today: if valid {
                vec!["secnumcloud".to_owned()]
            } else {
                Vec::new()
            },
            in_progress: vec!["hds".to_owned()],
            qualified_until: valid.then(|| NaiveDate::from_ymd_opt(2027, 3, 31).unwrap()),
            items: vec![AttestationItemView {
                key: "snc-1".to_owned(),
                scheme: "secnumcloud".to_owned(),
                status: "qualified".to_owned(),
                valid_today: valid,
                valid_until: None,
                whole_supplier: !valid,
            }],
        };
        let hit = |offer: bool, score: f32| SearchHit {
            kind: if offer { "offer" } else { "supplier" }.to_owned(),
            id: 42,
            key: "ovhcloud".to_owned(),
            name: "OVHcloud <b>&</b>".to_owned(),
            legal_name: (!offer).then(|| "OVH SAS".to_owned()),
            supplier: offer.then(|| SupplierRefView {
                id: 7,
                key: "ovh".to_owned(),
                name: "OVH".to_owned(),
            }),
            category: offer.then(|| sample_term("iaas")),
            suite_class: None,
            suite_tier: offer.then(|| sample_term("socle")),
            country: "FR".to_owned(),
            exposure: sample_term("low"),
            open_source: offer,
            deployment_models: vec!["public_cloud".to_owned()],
            attestations: attestations(offer),
            highlights: vec![HighlightView {
                field: "name".to_owned(),
                text: "Hébergement\tcloud".to_owned(),
                html: "<mark>Hébergement</mark>".to_owned(),
                matches: vec![SpanView { start: 0, end: 11 }],
            }],
            score,
            explanation: offer.then(|| ExplanationView {
                score,
                relevance: 0.1,
                qualification: "valid_today".to_owned(),
                summary: "relevance 12.35".to_owned(),
                details: serde_json::json!({"value": 1.5, "children": [{"value": 0.3}]}),
            }),
        };
        let interpretations = [
            Interpretation::Everything,
            Interpretation::Text {
                words: 2,
                required: 1,
            },
            Interpretation::Identifier {
                scheme: "siren",
                value: "552100554".to_owned(),
            },
        ];
        for interpretation in interpretations {
            let response = SearchResponse {
                hits: vec![hit(true, 12.345_678), hit(false, 0.1)],
                total: 1_234_567,
                facets: vec![FacetView {
                    facet: "category".to_owned(),
                    values: vec![FacetValueView {
                        code: "iaas".to_owned(),
                        label_fr: "Infrastructure".to_owned(),
                        label_en: "Infrastructure".to_owned(),
                        count: 3,
                        selected: true,
                    }],
                }],
                took_ms: 1.0 / 3.0,
                did_you_mean: None,
                next_cursor: Some("abc".to_owned()),
                interpretation: interpretation.into(),
            };
            let (ours, theirs) = both_writings(&response);
            assert_eq!(ours, theirs);
        }
        let suggestions = SuggestResponse {
            suggestions: vec![SuggestionView {
                text: "Scaleway".to_owned(),
                kind: "supplier".to_owned(),
                id: 3,
                key: "scaleway".to_owned(),
            }],
        };
        let (ours, theirs) = both_writings(&suggestions);
        assert_eq!(ours, theirs);
    }

    struct Fixture {
        _dir: tempfile::TempDir,
        store: Store,
        indexer: Option<Indexer>,
        client: TestClient<BoxEndpoint<'static>>,
    }

    /// The real routes over a SQLite store loaded with the bundled dataset; the index is opened but
    /// only built when `prepared`.
    async fn fixture(prepared: bool) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("db").display());
        let store = Store::connect(&url).await.unwrap();
        store
            .import(include_str!("../../dataset/registre.jsonl"), "test")
            .await
            .unwrap();
        store.register_token("test", TOKEN).await.unwrap();
        let mut settings = IndexerSettings::new(dir.path().join("index"));
        settings.poll_interval = Duration::from_millis(50);
        settings.writer_threads = 1;
        settings.writer_memory = 30 * 1024 * 1024;
        // Validity is judged on a fixed day so that the dataset's end dates do not age the test.
        settings.today = chrono::NaiveDate::from_ymd_opt(2026, 11, 29);
        let (mut indexer, searcher) = Indexer::open(store.clone(), settings).unwrap();
        if prepared {
            indexer.prepare().await.unwrap();
        }
        let sources = Sources::with_configs(store.clone(), Default::default(), vec![]).unwrap();
        let routes = crate::routes(store.clone(), searcher, sources).into_endpoint();
        let client = TestClient::new(routes.map_to_response().boxed());
        Fixture {
            _dir: dir,
            store,
            indexer: Some(indexer),
            client,
        }
    }

    async fn get(fixture: &Fixture, uri: &str) -> (StatusCode, Value) {
        let response = fixture.client.get(uri).send().await;
        let status = response.0.status();
        let body = response.0.into_body().into_json::<Value>().await.unwrap();
        (status, body)
    }

    fn hit_keys(body: &Value) -> Vec<String> {
        body["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                format!(
                    "{}:{}",
                    h["kind"].as_str().unwrap(),
                    h["key"].as_str().unwrap()
                )
            })
            .collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn search_answers_hits_facets_and_explanations() {
        let fixture = fixture(true).await;
        let (status, body) = get(
            &fixture,
            "/api/v1/search?q=OVH%20SecNumCloud&explain=true&limit=5",
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(hit_keys(&body)[0], "offer:ovh-hpc-snc");
        let hit = &body["hits"][0];
        assert_eq!(hit["supplier"]["key"], "ovhcloud");
        let valid = hit["attestations"]["valid_today"].as_array().unwrap();
        assert!(valid.contains(&json!("secnumcloud")), "{valid:?}");
        assert!(hit["exposure"]["label_fr"].is_string());
        assert!(
            hit["explanation"]["summary"]
                .as_str()
                .unwrap()
                .contains("qualification")
        );
        assert!(body["took_ms"].as_f64().unwrap() >= 0.0);
        assert_eq!(body["interpretation"]["kind"], "text");
        let facets = body["facets"].as_array().unwrap();
        let kind = facets.iter().find(|f| f["facet"] == "kind").unwrap();
        assert!(kind["values"][0]["label_en"].is_string());

        let (_, filtered) = get(
            &fixture,
            "/api/v1/search?kind=offer&scheme=secnumcloud&valid_today=true&category=iaas,paas&limit=100",
        )
        .await;
        assert!(filtered["total"].as_u64().unwrap() >= 10);
        assert!(
            filtered["hits"]
                .as_array()
                .unwrap()
                .iter()
                .all(|h| h["kind"] == "offer")
        );

        let (_, page) = get(&fixture, "/api/v1/search?q=cloud&limit=2").await;
        let cursor = page["next_cursor"].as_str().unwrap();
        let (status, next) = get(
            &fixture,
            &format!("/api/v1/search?q=cloud&limit=2&cursor={cursor}"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_ne!(hit_keys(&next), hit_keys(&page));

        let (status, suggestions) = get(&fixture, "/api/v1/suggest?q=sca").await;
        assert_eq!(status, StatusCode::OK);
        let texts: Vec<&str> = suggestions["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["text"].as_str().unwrap())
            .collect();
        assert!(texts.contains(&"Scaleway"), "{texts:?}");
        assert!(texts.len() <= 10);
        fixture.indexer.unwrap().close().await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn bad_parameters_get_the_problem_shape_never_a_500() {
        let fixture = fixture(true).await;
        let long = "a".repeat(201);
        for (uri, field, code) in [
            (
                "/api/v1/search?category=teams".to_owned(),
                "category",
                "unknown_code",
            ),
            (
                "/api/v1/search?kind=person".to_owned(),
                "kind",
                "unknown_code",
            ),
            (
                "/api/v1/search?country=XX".to_owned(),
                "country",
                "unknown_country",
            ),
            (
                "/api/v1/search?sort=popularity".to_owned(),
                "sort",
                "unknown_code",
            ),
            (
                "/api/v1/search?limit=0".to_owned(),
                "limit",
                "limit_out_of_range",
            ),
            (
                "/api/v1/search?limit=101".to_owned(),
                "limit",
                "limit_out_of_range",
            ),
            (
                "/api/v1/search?cursor=bm9wZQ".to_owned(),
                "cursor",
                "invalid_cursor",
            ),
            (format!("/api/v1/search?q={long}"), "q", "query_too_long"),
            (
                "/api/v1/search?valid_today=maybe".to_owned(),
                "valid_today",
                "invalid_parameter",
            ),
            (
                "/api/v1/suggest?q=sc&limit=11".to_owned(),
                "limit",
                "limit_out_of_range",
            ),
        ] {
            let (status, body) = get(&fixture, &uri).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
            assert_eq!(body["status"], 400, "{uri}");
            assert_eq!(body["code"], code, "{uri}: {body}");
            assert_eq!(body["field"], field, "{uri}: {body}");
            assert_eq!(body["type"], format!("/problems/{code}"), "{uri}");
        }
        fixture.indexer.unwrap().close().await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn readiness_and_search_wait_for_the_index_then_a_write_through_the_api_is_searchable_within_a_second()
     {
        let mut fixture = fixture(false).await;
        let (status, body) = get(&fixture, "/readyz").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["search"], "building");
        let (status, body) = get(&fixture, "/api/v1/search?q=ovh").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["code"], "search_not_ready");

        let indexer = fixture.indexer.take().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let following = tokio::spawn(indexer.run(async {
            let _ = stopped.await;
        }));
        let started = Instant::now();
        while get(&fixture, "/readyz").await.0 != StatusCode::OK {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the index is never built"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let (_, ready) = get(&fixture, "/readyz").await;
        assert_eq!(ready["search"], "open");

        let supplier = fixture
            .store
            .list_suppliers(&Default::default(), Default::default())
            .await
            .unwrap()
            .items[0]
            .id;
        let created = fixture
            .client
            .post("/api/v1/offers")
            .header("Authorization", format!("Bearer {TOKEN}"))
            .body_json(&json!({
                "supplier_id": supplier,
                "name": "Quetzalcoatl Visio",
                "category": "video_conferencing",
                "description_fr": "Visioconférence hébergée en France."
            }))
            .send()
            .await;
        created.assert_status(StatusCode::CREATED);
        let written = Instant::now();
        loop {
            let (_, body) = get(&fixture, "/api/v1/search?q=quetzalcoatl").await;
            if body["total"].as_u64() == Some(1) {
                break;
            }
            assert!(
                written.elapsed() < Duration::from_secs(5),
                "never searchable"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let elapsed = written.elapsed();
        assert!(
            elapsed < Duration::from_secs(1),
            "searchable after {elapsed:?}"
        );
        stop.send(()).unwrap();
        following.await.unwrap().unwrap();
    }
}
