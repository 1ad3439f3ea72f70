//! Downloads of a result set: `/recherche.csv` and `/recherche.json` (and under `/en`) take the
//! results page's parameters and stream every hit: the search runs once (`Searcher::export`, which
//! keeps the hits' order only) and the hits are read and encoded a batch at a time, so that a large
//! result set is neither searched again per page nor held in memory as text.

use std::sync::Arc;

use futures_util::stream::{self, Stream};
use poem::http::{StatusCode, header};
use poem::web::Data;
use poem::{Body, Request, Response, handler};
use registre_domain::taxonomy::Vocabulary;
use registre_indexer::search::{
    DocKind, Export, Hit, MAX_LIMIT, SearchError, SearchRequest, run_search_work,
};
use serde::Serialize;

use crate::Web;
use crate::errors::internal;
use crate::language::Lang;
use crate::results::Params;
use crate::views::{country, label};

/// The columns of the CSV file, in French and in English.
const COLUMNS: [(&str, &str); 12] = [
    ("type", "kind"),
    ("identifiant", "id"),
    ("clé", "key"),
    ("nom", "name"),
    ("fournisseur", "supplier"),
    ("catégorie", "category"),
    ("type d'outil (La Suite numérique)", "Suite class"),
    ("place dans La Suite numérique", "Suite tier"),
    (
        "qualifications en vigueur (référentiel : date de fin)",
        "qualifications in force (scheme: end date)",
    ),
    (
        "exposition aux lois extra-européennes",
        "exposure to extra-EU law",
    ),
    ("pays du siège", "head-office country"),
    ("page", "page URL"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Json,
}

/// Hits read and encoded at a time.
const BATCH: usize = 500;

/// Where the stream stands: the export and whether the next batch is the first, or the end.
enum Step {
    Next(Box<Export>, bool),
    Done,
}

/// The page URL of a hit, absolute, in the key form the pages link with.
fn page_url(web: &Web, lang: Lang, kind: DocKind, key: &str) -> String {
    let path = match kind {
        DocKind::Supplier => format!("/fournisseurs/{key}"),
        DocKind::Offer => format!("/offres/{key}"),
    };
    format!("{}{}", web.public_url, lang.path(&path))
}

fn csv_header(lang: Lang) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(COLUMNS.iter().map(|(fr, en)| lang.pick(fr, en)))?;
    writer.into_inner().map_err(|e| e.into_error().into())
}

fn csv_rows(web: &Web, lang: Lang, hits: &[Hit]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for hit in hits {
        let qualifications: Vec<String> = hit
            .attestations
            .items
            .iter()
            .filter(|item| item.valid_today)
            .map(|item| {
                let until = item.valid_until.map_or_else(
                    || lang.pick("sans date de fin", "no end date").to_owned(),
                    |day| day.format("%Y-%m-%d").to_string(),
                );
                format!(
                    "{}{} {until}",
                    label(lang, item.scheme),
                    lang.pick(" :", ":")
                )
            })
            .collect();
        writer.write_record([
            label(lang, hit.kind),
            hit.id.to_string(),
            hit.key.clone(),
            hit.name.clone(),
            hit.supplier
                .as_ref()
                .map(|s| s.name.clone())
                .unwrap_or_default(),
            hit.category.map(|c| label(lang, c)).unwrap_or_default(),
            hit.suite_class.map(|c| label(lang, c)).unwrap_or_default(),
            hit.suite_tier.map(|t| label(lang, t)).unwrap_or_default(),
            qualifications.join(" ; "),
            label(lang, hit.exposure),
            country(lang, &hit.country),
            page_url(web, lang, hit.kind, &hit.key),
        ])?;
    }
    writer.into_inner().map_err(|e| e.into_error().into())
}

#[derive(Serialize)]
struct QualificationItem {
    scheme: &'static str,
    valid_until: Option<chrono::NaiveDate>,
}

#[derive(Serialize)]
struct SupplierItem<'a> {
    id: i64,
    key: &'a str,
    name: &'a str,
}

/// One hit in the JSON download: codes rather than labels (the taxonomy gives the labels).
#[derive(Serialize)]
struct JsonItem<'a> {
    kind: &'static str,
    id: i64,
    key: &'a str,
    name: &'a str,
    supplier: Option<SupplierItem<'a>>,
    category: Option<&'static str>,
    suite_class: Option<&'static str>,
    suite_tier: Option<&'static str>,
    qualifications_valid_today: Vec<QualificationItem>,
    exposure: &'static str,
    country: String,
    url: String,
}

fn json_items(web: &Web, lang: Lang, hits: &[Hit], first: bool) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::new();
    for (index, hit) in hits.iter().enumerate() {
        if !(first && index == 0) {
            out.push(b',');
        }
        out.push(b'\n');
        serde_json::to_writer(
            &mut out,
            &JsonItem {
                kind: hit.kind.code(),
                id: hit.id,
                key: &hit.key,
                name: &hit.name,
                supplier: hit.supplier.as_ref().map(|s| SupplierItem {
                    id: s.id,
                    key: &s.key,
                    name: &s.name,
                }),
                category: hit.category.map(Vocabulary::code),
                suite_class: hit.suite_class.map(Vocabulary::code),
                suite_tier: hit.suite_tier.map(Vocabulary::code),
                qualifications_valid_today: hit
                    .attestations
                    .items
                    .iter()
                    .filter(|item| item.valid_today)
                    .map(|item| QualificationItem {
                        scheme: item.scheme.code(),
                        valid_until: item.valid_until,
                    })
                    .collect(),
                exposure: hit.exposure.code(),
                country: hit.country.to_string(),
                url: page_url(web, lang, hit.kind, &hit.key),
            },
        )?;
    }
    Ok(out)
}

fn json_head(web: &Web, query: &str, total: u64) -> serde_json::Result<Vec<u8>> {
    let head = serde_json::json!({
        "query": query,
        "total": total,
        "generated_at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "licence": crate::open_data::LICENCE_NAME,
        "licence_url": crate::open_data::LICENCE_URL,
        "source": web.public_url,
    });
    let mut text = serde_json::to_string(&head)?;
    // Reopen the object to append the items.
    text.pop();
    text.push_str(",\"items\":[");
    Ok(text.into_bytes())
}

/// What every batch of one download is encoded with.
struct Download {
    web: Arc<Web>,
    lang: Lang,
    format: Format,
    query: String,
    total: u64,
}

impl Download {
    /// The bytes of one batch of hits (with, on the first, what comes before them and, on the last,
    /// what comes after).
    fn encode(&self, hits: &[Hit], first: bool, last: bool) -> Result<Vec<u8>, String> {
        let (web, lang) = (self.web.as_ref(), self.lang);
        let mut out = Vec::new();
        match self.format {
            Format::Csv => {
                if first {
                    // A byte-order mark, so that spreadsheet software reads the accents as UTF-8.
                    out.extend_from_slice("\u{feff}".as_bytes());
                    out.extend(csv_header(lang).map_err(|e| e.to_string())?);
                }
                out.extend(csv_rows(web, lang, hits).map_err(|e| e.to_string())?);
            }
            Format::Json => {
                if first {
                    out.extend(json_head(web, &self.query, self.total).map_err(|e| e.to_string())?);
                }
                out.extend(json_items(web, lang, hits, first).map_err(|e| e.to_string())?);
                if last {
                    out.extend_from_slice(b"\n]}\n");
                }
            }
        }
        Ok(out)
    }
}

/// Every hit of `export`, encoded a batch at a time, as a byte stream.
fn batches(
    download: Download,
    export: Export,
) -> impl Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
    let download = Arc::new(download);
    stream::unfold(Step::Next(Box::new(export), true), move |step| {
        let download = download.clone();
        async move {
            let Step::Next(mut export, first) = step else {
                return None;
            };
            let read = run_search_work(move || {
                let hits = export.next_batch(BATCH)?;
                Ok((export, hits))
            })
            .await;
            let (export, hits) = match read {
                Ok(read) => read,
                Err(error) => {
                    // The response has started: all that can be done is to cut it short, which
                    // the client sees as a failed download rather than a short file.
                    tracing::error!(%error, "a download stopped part-way");
                    return Some((Err(std::io::Error::other(error)), Step::Done));
                }
            };
            let last = export.remaining() == 0;
            let bytes = download
                .encode(&hits, first, last)
                .map_err(std::io::Error::other);
            let next = match (&bytes, last) {
                (Ok(_), false) => Step::Next(export, false),
                _ => Step::Done,
            };
            Some((bytes, next))
        }
    })
}

async fn download(
    lang: Lang,
    web: &Arc<Web>,
    request: &Request,
    format: Format,
) -> poem::Result<Response> {
    let params = Params::parse(request.uri().query().unwrap_or_default());
    let search = SearchRequest {
        query: params.first("q").unwrap_or_default().to_owned(),
        filters: params.filters(),
        sort: params.sort(),
        limit: MAX_LIMIT,
        cursor: None,
        explain: false,
    };
    let searcher = web.searcher.clone();
    let request_for_export = search.clone();
    let export = match run_search_work(move || searcher.export(&request_for_export)).await {
        Ok(export) => export,
        Err(SearchError::QueryTooLong { .. }) => {
            return Err(poem::Error::from_status(StatusCode::BAD_REQUEST));
        }
        Err(SearchError::NotReady) => {
            return Err(poem::Error::from_status(StatusCode::SERVICE_UNAVAILABLE));
        }
        Err(error) => return Err(internal(error)),
    };
    let day = web.today().format("%Y-%m-%d");
    let (content_type, extension) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Json => ("application/json", "json"),
    };
    let name = format!(
        "registre-{}-{day}.{extension}",
        lang.pick("recherche", "search")
    );
    let download = Download {
        web: web.clone(),
        lang,
        format,
        total: export.total() as u64,
        query: search.query,
    };
    let body = batches(download, export);
    Ok(Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type)
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        )
        .header(header::CACHE_CONTROL, "no-cache")
        .body(Body::from_bytes_stream(body)))
}

#[handler]
pub async fn results_csv(
    lang: Lang,
    web: Data<&Arc<Web>>,
    request: &Request,
) -> poem::Result<Response> {
    download(lang, &web, request, Format::Csv).await
}

#[handler]
pub async fn results_json(
    lang: Lang,
    web: Data<&Arc<Web>>,
    request: &Request,
) -> poem::Result<Response> {
    download(lang, &web, request, Format::Json).await
}
