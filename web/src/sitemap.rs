//! `sitemap.xml` and `robots.txt`. The sitemap is an index of sitemap files of at most 50,000 URLs:
//! one for the fixed pages, then suppliers and offers in id ranges of 25,000 records (each record has
//! a French and an English URL, each naming the other with `hreflang`). A range is read from the
//! store in keyset pages of ids and dates only, and streamed, so a million records cost no more
//! memory than a hundred.

use std::sync::Arc;

use futures_util::stream::{self, Stream};
use poem::http::{StatusCode, header};
use poem::web::{Data, Path};
use poem::{Body, Response, handler};
use registre_store::{RecordStamp, StampRange};

use crate::Web;
use crate::errors::{internal, not_found};
use crate::language::Lang;

/// Records per sitemap file: two URLs each, under the protocol's 50,000.
pub const RECORDS_PER_FILE: i64 = 25_000;
/// Ids read per round.
const STAMPS_PER_PAGE: u64 = 1_000;

/// The fixed pages listed in the sitemap (French paths; the English ones add `/en`).
const FIXED_PAGES: [&str; 7] = [
    "/",
    "/recherche",
    "/besoin",
    "/sources",
    "/donnees",
    "/accessibilite",
    "/mentions-legales",
];

const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Records {
    Suppliers,
    Offers,
}

impl Records {
    fn file_prefix(self) -> &'static str {
        match self {
            Records::Suppliers => "fournisseurs",
            Records::Offers => "offres",
        }
    }
}

/// Escapes text for XML content and attributes.
fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// The two `<url>` entries of a page (French and English), each naming both versions.
fn entries(base: &str, path: &str, lastmod: Option<&str>, out: &mut String) {
    let fr = xml(&format!("{base}{}", Lang::Fr.path(path)));
    let en = xml(&format!("{base}{}", Lang::En.path(path)));
    for loc in [&fr, &en] {
        out.push_str("<url><loc>");
        out.push_str(loc);
        out.push_str("</loc>");
        if let Some(day) = lastmod {
            out.push_str("<lastmod>");
            out.push_str(day);
            out.push_str("</lastmod>");
        }
        out.push_str(&format!(
            "<xhtml:link rel=\"alternate\" hreflang=\"fr\" href=\"{fr}\"/>\
             <xhtml:link rel=\"alternate\" hreflang=\"en\" href=\"{en}\"/></url>\n"
        ));
    }
}

fn urlset_open() -> String {
    format!(
        "{XML_HEAD}<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
         xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n"
    )
}

const URLSET_CLOSE: &str = "</urlset>\n";

fn xml_response(body: Body) -> Response {
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/xml; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-cache")
        .body(body)
}

/// How many files each kind of record takes: ids are never reused, so ranges stay put.
async fn file_counts(web: &Web) -> poem::Result<(i64, i64)> {
    let (supplier, offer) = web.store.last_record_ids().await.map_err(internal)?;
    let files = |last: i64| (last + RECORDS_PER_FILE - 1) / RECORDS_PER_FILE;
    Ok((files(supplier), files(offer)))
}

#[handler]
pub async fn sitemap_index(web: Data<&Arc<Web>>) -> poem::Result<Response> {
    let (suppliers, offers) = file_counts(&web).await?;
    let base = &web.public_url;
    let mut out =
        format!("{XML_HEAD}<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    let mut add = |name: String| {
        out.push_str(&format!(
            "<sitemap><loc>{}</loc></sitemap>\n",
            xml(&format!("{base}/sitemaps/{name}"))
        ));
    };
    add("pages.xml".to_owned());
    for n in 1..=suppliers {
        add(format!("{}-{n}.xml", Records::Suppliers.file_prefix()));
    }
    for n in 1..=offers {
        add(format!("{}-{n}.xml", Records::Offers.file_prefix()));
    }
    out.push_str("</sitemapindex>\n");
    Ok(xml_response(out.into()))
}

/// `pages.xml`, `fournisseurs-{n}.xml` or `offres-{n}.xml`.
fn parse_file(name: &str) -> Option<Option<(Records, i64)>> {
    if name == "pages.xml" {
        return Some(None);
    }
    let stem = name.strip_suffix(".xml")?;
    let (prefix, number) = stem.rsplit_once('-')?;
    let records = [Records::Suppliers, Records::Offers]
        .into_iter()
        .find(|r| r.file_prefix() == prefix)?;
    let number: i64 = number.parse().ok().filter(|n| *n >= 1)?;
    Some(Some((records, number)))
}

#[handler]
pub async fn sitemap_file(
    Path(name): Path<String>,
    web: Data<&Arc<Web>>,
) -> poem::Result<Response> {
    let Some((records, number)) = parse_file(&name).ok_or_else(not_found)? else {
        let mut out = urlset_open();
        for page in FIXED_PAGES {
            entries(&web.public_url, page, None, &mut out);
        }
        out.push_str(URLSET_CLOSE);
        return Ok(xml_response(out.into()));
    };
    let (suppliers, offers) = file_counts(&web).await?;
    let files = match records {
        Records::Suppliers => suppliers,
        Records::Offers => offers,
    };
    if number > files {
        return Err(not_found());
    }
    let range = StampRange {
        after: (number - 1) * RECORDS_PER_FILE,
        until: number * RECORDS_PER_FILE,
        limit: STAMPS_PER_PAGE,
    };
    Ok(xml_response(Body::from_bytes_stream(urls(
        web.clone(),
        records,
        range,
    ))))
}

/// Where a sitemap file's stream stands.
enum Step {
    Open,
    After(i64),
    Done,
}

async fn stamps(
    web: &Web,
    records: Records,
    range: StampRange,
) -> Result<Vec<RecordStamp>, registre_store::StoreError> {
    match records {
        Records::Suppliers => web.store.supplier_stamps(range).await,
        Records::Offers => web.store.offer_stamps(range).await,
    }
}

fn urls(
    web: Arc<Web>,
    records: Records,
    range: StampRange,
) -> impl Stream<Item = Result<String, std::io::Error>> + Send + 'static {
    stream::unfold(Step::Open, move |step| {
        let web = web.clone();
        async move {
            let (mut out, after) = match step {
                Step::Done => return None,
                Step::Open => (urlset_open(), range.after),
                Step::After(after) => (String::new(), after),
            };
            let page = match stamps(&web, records, StampRange { after, ..range }).await {
                Ok(page) => page,
                Err(error) => {
                    tracing::error!(%error, "a sitemap file stopped part-way");
                    return Some((Err(std::io::Error::other(error)), Step::Done));
                }
            };
            let path = match records {
                Records::Suppliers => "/fournisseurs",
                Records::Offers => "/offres",
            };
            for stamp in &page {
                let day = stamp.updated_at.format("%Y-%m-%d").to_string();
                entries(
                    &web.public_url,
                    &format!("{path}/{}", stamp.key),
                    Some(&day),
                    &mut out,
                );
            }
            let next = match page.last() {
                Some(last) if page.len() as u64 == range.limit => Step::After(last.id),
                _ => {
                    out.push_str(URLSET_CLOSE);
                    Step::Done
                }
            };
            Some((Ok(out), next))
        }
    })
}

#[handler]
pub fn robots_txt(web: Data<&Arc<Web>>) -> Response {
    let body = format!(
        "User-agent: *\n\
         Allow: /\n\
         # Downloads of whole result sets: for people, not for crawlers.\n\
         Disallow: /recherche.csv\n\
         Disallow: /recherche.json\n\
         Disallow: /en/recherche.csv\n\
         Disallow: /en/recherche.json\n\
         \n\
         Sitemap: {}/sitemap.xml\n",
        web.public_url
    );
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sitemap_file_names_name_a_kind_and_a_range() {
        assert_eq!(parse_file("pages.xml"), Some(None));
        assert_eq!(
            parse_file("fournisseurs-3.xml"),
            Some(Some((Records::Suppliers, 3)))
        );
        assert_eq!(parse_file("offres-1.xml"), Some(Some((Records::Offers, 1))));
        assert_eq!(parse_file("offres-0.xml"), None);
        assert_eq!(parse_file("offres-x.xml"), None);
        assert_eq!(parse_file("clients-1.xml"), None);
    }

    #[test]
    fn each_record_gives_a_french_and_an_english_url_naming_each_other() {
        let mut out = String::new();
        entries(
            "https://r.example",
            "/offres/7",
            Some("2026-01-02"),
            &mut out,
        );
        assert_eq!(out.matches("<url>").count(), 2);
        assert!(out.contains("<loc>https://r.example/offres/7</loc>"));
        assert!(out.contains("<loc>https://r.example/en/offres/7</loc>"));
        assert_eq!(out.matches("hreflang=\"en\"").count(), 2);
    }
}
