//! The results page, `/recherche`: the query and every filter, the sort and the page are plain GET
//! parameters (the same names as `/api/v1/search`), so that every state of the page is a URL.

use std::sync::Arc;

use poem::web::Data;
use poem::{Request, handler};
use registre_domain::identifiers::CountryCode;
use registre_domain::taxonomy::{Status, Vocabulary};
use registre_indexer::search::{
    DocKind, FacetCounts, FacetName, Filters, HighlightField, Hit, Interpretation, MAX_LIMIT,
    SearchError, SearchRequest, SearchResults, Sort, run_search_work,
};
use serde::Serialize;

use crate::Web;
use crate::errors::internal;
use crate::language::Lang;
use crate::pages::{path_and_query, render_page};
use crate::render::{Html, Layout};
use crate::views::{Badge, date, exposure_badge, in_force_badge, label, status_tone, tier_badge};

/// Hits per page.
const PAGE_SIZE: usize = 20;

/// The deepest page reachable by its number alone (`page=N` without a cursor): reaching it walks the
/// results from the first page, `MAX_LIMIT` hits per step, so its cost grows with its depth.
const MAX_NUMBERED_PAGE: u32 = 250;

/// The facets in the order the page lists them.
const FACET_ORDER: [FacetName; 11] = [
    FacetName::Kind,
    FacetName::Category,
    FacetName::Scheme,
    FacetName::ValidToday,
    FacetName::Status,
    FacetName::Exposure,
    FacetName::SuiteTier,
    FacetName::SuiteClass,
    FacetName::Country,
    FacetName::DeploymentModel,
    FacetName::OpenSource,
];

fn facet_label(lang: Lang, facet: FacetName) -> &'static str {
    let (fr, en) = match facet {
        FacetName::Kind => ("Type de fiche", "Record type"),
        FacetName::Category => ("Catégorie", "Category"),
        FacetName::SuiteClass => (
            "Type d'outil (La Suite numérique)",
            "Kind of tool (La Suite numérique)",
        ),
        FacetName::SuiteTier => (
            "Place dans La Suite numérique",
            "Place in La Suite numérique",
        ),
        FacetName::Scheme => (
            "Qualification ou certification",
            "Qualification or certification",
        ),
        FacetName::ValidToday => ("En vigueur aujourd'hui", "In force today"),
        FacetName::Status => ("Statut de la qualification", "Qualification status"),
        FacetName::Country => ("Pays du siège", "Head-office country"),
        FacetName::Exposure => (
            "Exposition aux lois extra-européennes",
            "Exposure to extra-EU law",
        ),
        FacetName::OpenSource => ("Logiciel libre", "Open source"),
        FacetName::DeploymentModel => ("Mode de déploiement", "Deployment model"),
    };
    lang.pick(fr, en)
}

/// The page's parameters, read leniently: an unknown code in a shared URL is dropped, not an error.
#[derive(Debug, Default)]
pub(crate) struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    pub(crate) fn parse(query: &str) -> Self {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
        Self {
            pairs: pairs
                .into_iter()
                .map(|(k, v)| (k, v.trim().to_owned()))
                .filter(|(_, v)| !v.is_empty())
                .collect(),
        }
    }

    pub(crate) fn first(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs
            .iter()
            .filter(move |(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    fn codes<V: Vocabulary>(&self, name: &str) -> Vec<V> {
        let mut values: Vec<V> = self.all(name).filter_map(|v| V::parse(v).ok()).collect();
        values.dedup_by_key(|v| v.code());
        values
    }

    /// `true` or `false`; both (or neither) mean no filter.
    fn boolean(&self, name: &str) -> Option<bool> {
        let yes = self.all(name).any(|v| v == "true");
        let no = self.all(name).any(|v| v == "false");
        match (yes, no) {
            (true, false) => Some(true),
            (false, true) => Some(false),
            _ => None,
        }
    }

    pub(crate) fn filters(&self) -> Filters {
        Filters {
            kinds: self.codes(FacetName::Kind.code()),
            categories: self.codes(FacetName::Category.code()),
            suite_classes: self.codes(FacetName::SuiteClass.code()),
            suite_tiers: self.codes(FacetName::SuiteTier.code()),
            schemes: self.codes(FacetName::Scheme.code()),
            valid_today: self.boolean(FacetName::ValidToday.code()),
            statuses: self.codes(FacetName::Status.code()),
            countries: self
                .all(FacetName::Country.code())
                .filter_map(|c| CountryCode::parse(c).ok())
                .collect(),
            exposures: self.codes(FacetName::Exposure.code()),
            open_source: self.boolean(FacetName::OpenSource.code()),
            deployment_models: self.codes(FacetName::DeploymentModel.code()),
        }
    }

    pub(crate) fn sort(&self) -> Sort {
        self.first("sort").and_then(Sort::parse).unwrap_or_default()
    }

    /// The download of the whole result set (every page), as `csv` or `json`.
    fn download_url(&self, lang: Lang, extension: &str) -> String {
        let pairs: Vec<(&str, &str)> = self
            .pairs
            .iter()
            .filter(|(k, _)| k != "cursor" && k != "page")
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let query = serde_urlencoded::to_string(&pairs).expect("string pairs always encode");
        let path = format!("/recherche.{extension}");
        if query.is_empty() {
            lang.path(&path)
        } else {
            lang.path(&format!("{path}?{query}"))
        }
    }

    fn has_filters(&self) -> bool {
        self.pairs
            .iter()
            .any(|(k, _)| FacetName::ALL.iter().any(|f| f.code() == k))
    }

    /// The URL of the page with these parameters, less `drop`, plus `add`.
    fn url(&self, lang: Lang, drop: &[&str], add: &[(&str, &str)]) -> String {
        let mut pairs: Vec<(&str, &str)> = self
            .pairs
            .iter()
            .filter(|(k, _)| !drop.contains(&k.as_str()))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        pairs.extend_from_slice(add);
        let query = serde_urlencoded::to_string(&pairs).expect("string pairs always encode");
        if query.is_empty() {
            lang.path("/recherche")
        } else {
            lang.path(&format!("/recherche?{query}"))
        }
    }
}

#[derive(Serialize)]
struct FacetValueView {
    code: String,
    label: String,
    count: u64,
    selected: bool,
}

#[derive(Serialize)]
struct FacetView {
    code: &'static str,
    label: &'static str,
    values: Vec<FacetValueView>,
}

fn facets(lang: Lang, counts: &[FacetCounts]) -> Vec<FacetView> {
    FACET_ORDER
        .iter()
        .filter_map(|name| counts.iter().find(|c| c.facet == *name))
        .filter(|counts| !counts.values.is_empty())
        .map(|counts| FacetView {
            code: counts.facet.code(),
            label: facet_label(lang, counts.facet),
            values: counts
                .values
                .iter()
                .map(|value| FacetValueView {
                    code: value.code.clone(),
                    label: lang.pick(&value.label_fr, &value.label_en).to_owned(),
                    count: value.count,
                    selected: value.selected,
                })
                .collect(),
        })
        .collect()
}

#[derive(Serialize)]
struct HitView {
    url: String,
    name: String,
    subtitle: String,
    highlight: Option<String>,
    supplier: Option<String>,
    tags: Vec<Badge>,
    facts: Vec<Badge>,
    /// For an offer: the key its "compare" checkbox sends.
    compare_key: Option<String>,
}

fn hit(lang: Lang, hit: Hit) -> HitView {
    let url = match hit.kind {
        DocKind::Supplier => lang.path(&format!("/fournisseurs/{}", hit.key)),
        DocKind::Offer => lang.path(&format!("/offres/{}", hit.key)),
    };
    let compare_key = (hit.kind == DocKind::Offer).then(|| hit.key.clone());
    let wanted = lang.pick("fr", "en");
    let highlight = hit
        .highlights
        .iter()
        .find(|h| match h.field {
            HighlightField::DescriptionFr => wanted == "fr",
            HighlightField::DescriptionEn => wanted == "en",
            HighlightField::Name => false,
        })
        .map(|h| h.html.clone());
    let mut tags = vec![Badge::new(label(lang, hit.kind), None)];
    if let Some(category) = hit.category {
        tags.push(Badge::new(label(lang, category), None));
    }
    let mut facts = Vec::new();
    for item in hit.attestations.items.iter().filter(|i| i.valid_today) {
        facts.push(in_force_badge(lang, item.scheme, item.valid_until));
    }
    for scheme in &hit.attestations.in_progress {
        facts.push(Badge::new(
            format!(
                "{} · {}",
                label(lang, *scheme),
                lang.pick("en cours", "in progress")
            ),
            Some("info"),
        ));
    }
    // An attestation that no longer holds still matches a filter on its scheme: the card says so.
    for item in hit.attestations.items.iter().filter(|i| {
        matches!(
            i.status,
            Status::Expired | Status::Withdrawn | Status::NotMaintained
        )
    }) {
        let text = match (item.status, item.valid_until) {
            (Status::Expired, Some(until)) => format!(
                "{} · {} {}",
                label(lang, item.scheme),
                lang.pick("expirée le", "expired on"),
                date(lang, until).text
            ),
            (status, _) => format!("{} · {}", label(lang, item.scheme), label(lang, status)),
        };
        facts.push(Badge::new(text, status_tone(item.status)));
    }
    let mut exposure = exposure_badge(lang, hit.exposure);
    exposure.text = format!(
        "{} {}",
        lang.pick("Exposition :", "Exposure:"),
        exposure.text
    );
    facts.push(exposure);
    if let Some(tier) = hit.suite_tier {
        facts.push(tier_badge(lang, tier));
    }
    let subtitle = match (&hit.legal_name, &hit.supplier) {
        (Some(legal), _) => format!("{legal} · {}", crate::views::country(lang, &hit.country)),
        (None, Some(_)) => hit.category.map(|c| label(lang, c)).unwrap_or_default(),
        (None, None) => String::new(),
    };
    HitView {
        url,
        name: hit.name,
        subtitle,
        highlight,
        supplier: hit.supplier.map(|s| s.name),
        tags,
        facts,
        compare_key,
    }
}

#[derive(Serialize)]
struct SortOption {
    code: &'static str,
    label: &'static str,
    selected: bool,
}

fn sorts(lang: Lang, current: Sort) -> Vec<SortOption> {
    [
        (Sort::Relevance, "Pertinence", "Relevance"),
        (Sort::Name, "Nom", "Name"),
        (
            Sort::QualificationEnd,
            "Fin de qualification, la plus proche d'abord",
            "Qualification end, soonest first",
        ),
        (
            Sort::QualificationEndDesc,
            "Fin de qualification, la plus lointaine d'abord",
            "Qualification end, latest first",
        ),
    ]
    .into_iter()
    .map(|(sort, fr, en)| SortOption {
        code: sort.code(),
        label: lang.pick(fr, en),
        selected: sort == current,
    })
    .collect()
}

fn interpretation_notice(lang: Lang, interpretation: &Interpretation) -> Option<String> {
    match interpretation {
        Interpretation::Identifier { scheme, value } => Some(match lang {
            Lang::Fr => format!("Recherche exacte de l'identifiant {value} ({scheme})."),
            Lang::En => format!("Exact lookup of identifier {value} ({scheme})."),
        }),
        Interpretation::Alternative {
            product,
            suite_classes,
            categories,
        } => {
            let kinds: Vec<String> = suite_classes
                .iter()
                .map(|c| label(lang, *c))
                .chain(categories.iter().map(|c| label(lang, *c)))
                .collect();
            Some(match lang {
                Lang::Fr => format!(
                    "Offres pouvant remplacer {product} : {}. L'outil de l'État, s'il existe, vient en premier.",
                    kinds.join(", ")
                ),
                Lang::En => format!(
                    "Offers that can replace {product}: {}. The State's own tool, where one exists, comes first.",
                    kinds.join(", ")
                ),
            })
        }
        Interpretation::Text { .. } | Interpretation::Everything => None,
    }
}

fn search_error(lang: Lang, error: &SearchError) -> Option<String> {
    match error {
        SearchError::QueryTooLong { max } => Some(match lang {
            Lang::Fr => format!("La recherche dépasse {max} caractères : raccourcissez-la."),
            Lang::En => format!("The query is longer than {max} characters: shorten it."),
        }),
        SearchError::InvalidCursor(_) => Some(
            lang.pick(
                "Cette page de résultats n'existe plus : voici la première.",
                "This page of results no longer exists: here is the first one.",
            )
            .to_owned(),
        ),
        SearchError::NotReady => Some(
            lang.pick(
                "L'index de recherche est en cours de construction : réessayez dans quelques secondes.",
                "The search index is being built: try again in a few seconds.",
            )
            .to_owned(),
        ),
        SearchError::LimitOutOfRange { .. } | SearchError::Index(_) => None,
    }
}

async fn run(web: &Web, request: SearchRequest) -> Result<SearchResults, SearchError> {
    let searcher = web.searcher.clone();
    run_search_work(move || searcher.search(&request)).await
}

/// The cursor that starts page `page` of `search` (its hits from `(page - 1) * PAGE_SIZE` on), found by
/// walking the results from the first page; `None` when the results end before that page.
async fn cursor_for_page(
    web: &Web,
    search: &SearchRequest,
    page: u32,
) -> Result<Option<String>, SearchError> {
    let mut to_skip = (page.saturating_sub(1) as usize) * PAGE_SIZE;
    let mut cursor = None;
    while to_skip > 0 {
        let step = to_skip.min(MAX_LIMIT);
        let request = SearchRequest {
            limit: step,
            cursor: cursor.take(),
            ..search.clone()
        };
        let results = run(web, request).await?;
        if results.hits.len() < step {
            return Ok(None);
        }
        match results.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(None),
        }
        to_skip -= step;
    }
    Ok(cursor)
}

fn missing_page(lang: Lang) -> String {
    lang.pick(
        "Cette page de résultats n'existe plus : voici la première.",
        "This page of results no longer exists: here is the first one.",
    )
    .to_owned()
}

#[handler]
pub async fn search_page(
    lang: Lang,
    web: Data<&Arc<Web>>,
    request: &Request,
) -> poem::Result<Html> {
    let params = Params::parse(request.uri().query().unwrap_or_default());
    let query = params.first("q").unwrap_or_default().to_owned();
    let sort = params.sort();
    let mut page_number: u32 = params
        .first("page")
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let mut search = SearchRequest {
        query: query.clone(),
        filters: params.filters(),
        sort,
        limit: PAGE_SIZE,
        cursor: params.first("cursor").map(str::to_owned),
        explain: false,
    };
    let mut error = None;
    // A page named by its number alone (the "previous page" links): find where it starts.
    if search.cursor.is_none() && page_number > 1 {
        if page_number > MAX_NUMBERED_PAGE {
            error = Some(match lang {
                Lang::Fr => format!(
                    "Les pages au-delà de la {MAX_NUMBERED_PAGE}e ne s'ouvrent que par « Page suivante » : voici la première. Affinez la recherche avec les filtres."
                ),
                Lang::En => format!(
                    "Pages beyond page {MAX_NUMBERED_PAGE} only open through “Next page”: here is the first one. Narrow the search with the filters."
                ),
            });
        } else {
            match cursor_for_page(&web, &search, page_number).await {
                Ok(Some(cursor)) => search.cursor = Some(cursor),
                Ok(None) => error = Some(missing_page(lang)),
                Err(failure @ (SearchError::Index(_) | SearchError::LimitOutOfRange { .. })) => {
                    return Err(internal(failure));
                }
                Err(failure) => error = search_error(lang, &failure),
            }
        }
        if search.cursor.is_none() {
            page_number = 1;
        }
    }
    let mut outcome = run(&web, search.clone()).await;
    if let Err(stale @ SearchError::InvalidCursor(_)) = &outcome {
        error = search_error(lang, stale);
        search.cursor = None;
        outcome = run(&web, search.clone()).await;
    }
    let results = match outcome {
        Ok(results) => Some(results),
        Err(failure @ (SearchError::Index(_) | SearchError::LimitOutOfRange { .. })) => {
            return Err(internal(failure));
        }
        Err(failure) => {
            error = search_error(lang, &failure);
            None
        }
    };
    let on_later_page = search.cursor.is_some();
    // The previous page by its number: a plain URL that stays valid however it was reached.
    let previous_url = (on_later_page && page_number > 1).then(|| {
        if page_number == 2 {
            params.url(lang, &["cursor", "page"], &[])
        } else {
            let previous = (page_number - 1).to_string();
            params.url(lang, &["cursor", "page"], &[("page", previous.as_str())])
        }
    });
    let heading = if query.is_empty() {
        lang.pick("Fournisseurs et offres", "Suppliers and offers")
            .to_owned()
    } else {
        match lang {
            Lang::Fr => format!("Résultats pour « {query} »"),
            Lang::En => format!("Results for “{query}”"),
        }
    };
    let mut layout = Layout::new(lang, heading.clone(), &path_and_query(request));
    layout.search_anchor = "recherche-principale";
    let (hits, total, facet_views, did_you_mean, next_url, notice) = match results {
        Some(results) => {
            let total = results.total;
            let next_url = results.next_cursor.as_deref().map(|cursor| {
                let next_page = (page_number + 1).to_string();
                params.url(
                    lang,
                    &["cursor", "page"],
                    &[("cursor", cursor), ("page", next_page.as_str())],
                )
            });
            let did_you_mean = results.did_you_mean.as_deref().map(|text| {
                serde_json::json!({
                    "text": text,
                    "url": params.url(lang, &["q", "cursor", "page"], &[("q", text)]),
                })
            });
            (
                results
                    .hits
                    .into_iter()
                    .map(|h| hit(lang, h))
                    .collect::<Vec<_>>(),
                total,
                facets(lang, &results.facets),
                did_you_mean,
                next_url,
                interpretation_notice(lang, &results.interpretation),
            )
        }
        None => (Vec::new(), 0, Vec::new(), None, None, None),
    };
    let total_text = match (lang, total) {
        (Lang::Fr, 0) => "Aucun résultat".to_owned(),
        (Lang::Fr, 1) => "1 résultat".to_owned(),
        (Lang::Fr, n) => format!("{n} résultats"),
        (Lang::En, 0) => "No result".to_owned(),
        (Lang::En, 1) => "1 result".to_owned(),
        (Lang::En, n) => format!("{n} results"),
    };
    render_page(
        &web,
        "search.html",
        &layout,
        serde_json::json!({
            "heading": heading,
            "query": query,
            "hits": hits,
            "total_text": total_text,
            "facets": facet_views,
            "sorts": sorts(lang, sort),
            "did_you_mean": did_you_mean,
            "notice": notice,
            "error": error,
            "page": if on_later_page { page_number } else { 1 },
            "next_url": next_url,
            "previous_url": previous_url,
            "csv_url": params.download_url(lang, "csv"),
            "json_url": params.download_url(lang, "json"),
            "first_url": on_later_page.then(|| params.url(lang, &["cursor", "page"], &[])),
            "clear_url": params.has_filters().then(|| {
                let keep: Vec<&str> = ["q", "sort"].into_iter().filter(|k| params.first(k).is_some()).collect();
                let add: Vec<(&str, &str)> = keep.iter().map(|k| (*k, params.first(k).unwrap_or_default())).collect();
                Params::default().url(lang, &[], &add)
            }),
        }),
    )
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use registre_domain::taxonomy::{Category, ExposureLevel, Scheme};
    use registre_indexer::search::{AttestationDigest, AttestationItem, Qualification};

    use super::*;

    fn attestation(scheme: Scheme, status: Status, until: &str) -> AttestationItem {
        AttestationItem {
            key: format!("{}-{}", scheme.code(), status.code()),
            scheme,
            status,
            valid_today: status == Status::Qualified,
            valid_until: Some(NaiveDate::parse_from_str(until, "%Y-%m-%d").unwrap()),
            whole_supplier: false,
        }
    }

    fn offer(items: Vec<AttestationItem>) -> Hit {
        Hit {
            kind: DocKind::Offer,
            id: 7,
            key: "offre-iaas".to_owned(),
            name: "Offre IaaS".to_owned(),
            legal_name: None,
            supplier: None,
            category: Some(Category::Iaas),
            suite_class: None,
            suite_tier: None,
            country: CountryCode::parse("FR").unwrap(),
            exposure: ExposureLevel::None,
            open_source: false,
            deployment_models: Vec::new(),
            attestations: AttestationDigest {
                qualification: Qualification::ValidToday,
                valid_today: vec![Scheme::Hds],
                in_progress: Vec::new(),
                qualified_until: None,
                items,
            },
            highlights: Vec::new(),
            score: 0.0,
            explanation: None,
        }
    }

    #[test]
    fn a_card_says_which_attestations_hold_and_which_ended_in_both_languages() {
        let items = vec![
            attestation(Scheme::Hds, Status::Qualified, "2028-03-01"),
            attestation(Scheme::SecNumCloud, Status::Expired, "2026-11-30"),
            attestation(Scheme::Cspn, Status::Withdrawn, "2027-01-01"),
        ];
        let facts = |lang| -> Vec<(String, Option<&'static str>)> {
            hit(lang, offer(items.clone()))
                .facts
                .into_iter()
                .map(|badge| (badge.text, badge.tone))
                .filter(|(_, tone)| *tone != Some("info"))
                .take(3)
                .collect()
        };
        let fr = facts(Lang::Fr);
        assert_eq!(fr[0].1, Some("success"));
        assert!(fr[0].0.ends_with("jusqu'au 01/03/2028"), "{fr:?}");
        assert_eq!(fr[1].1, Some("error"));
        assert!(fr[1].0.ends_with("expirée le 30/11/2026"), "{fr:?}");
        assert_eq!(fr[2].1, Some("error"));
        assert!(fr[2].0.ends_with("Retiré"), "{fr:?}");
        let en = facts(Lang::En);
        assert!(en[1].0.ends_with("expired on 2026-11-30"), "{en:?}");
        assert!(en[2].0.ends_with("Withdrawn"), "{en:?}");
    }
}
