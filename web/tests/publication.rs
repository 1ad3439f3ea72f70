//! What the site publishes beside its pages, over the real routes (a SQLite store loaded with the
//! bundled dataset, a real tantivy index): result sets as CSV and JSON, the open-data dump, schema.org
//! JSON-LD on supplier pages, the sitemap and robots.txt, and the search box's autocomplete script.

use std::collections::HashSet;
use std::io::Read;
use std::path::PathBuf;

use poem::EndpointExt;
use poem::endpoint::BoxEndpoint;
use poem::http::StatusCode;
use poem::test::TestClient;
use registre_indexer::sources::fetch::FetchPolicy;
use registre_indexer::sources::service::Sources;
use registre_store::{OfferFilter, PageRequest, Store, SupplierFilter};
use registre_web::Web;
use registre_web::open_data::{Manifest, write_dump};

mod support;

use support::{DATASET, indexed, store_with, today};

const PUBLIC_URL: &str = "https://registre.example.gouv.fr";

struct Site {
    dir: tempfile::TempDir,
    store: Store,
    client: TestClient<BoxEndpoint<'static>>,
}

struct Fetched {
    status: StatusCode,
    headers: poem::http::HeaderMap,
    body: Vec<u8>,
}

impl Fetched {
    fn text(&self) -> &str {
        std::str::from_utf8(&self.body).expect("UTF-8")
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name} header"))
            .to_str()
            .unwrap()
    }
}

async fn site() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with(dir.path(), DATASET).await;
    let searcher = indexed(&store, dir.path(), Some(today())).await;
    let sources = Sources::with_configs(store.clone(), FetchPolicy::default(), vec![]).unwrap();
    let routes = Web::new(store.clone(), searcher, sources)
        .with_today(today())
        .with_public_url(&format!("{PUBLIC_URL}/"))
        .with_open_data(dir.path().join("open-data"))
        .routes();
    let client = TestClient::new(routes.map_to_response().boxed());
    Site { dir, store, client }
}

impl Site {
    async fn get(&self, uri: &str) -> Fetched {
        let response = self.client.get(uri).send().await;
        let status = response.0.status();
        let headers = response.0.headers().clone();
        let body = response.0.into_body().into_vec().await.unwrap();
        Fetched {
            status,
            headers,
            body,
        }
    }

    fn open_data(&self) -> PathBuf {
        self.dir.path().join("open-data")
    }

    async fn supplier_count(&self) -> u64 {
        self.store.catalogue_counts().await.unwrap().0
    }

    async fn offer_count(&self) -> u64 {
        self.store.catalogue_counts().await.unwrap().1
    }

    async fn attestation_count(&self) -> u64 {
        let mut count = 0;
        let mut after = None;
        loop {
            let page = self
                .store
                .list_attestations(
                    &Default::default(),
                    PageRequest { after, limit: 200 },
                    today(),
                )
                .await
                .unwrap();
            count += page.items.len() as u64;
            match page.next_after {
                Some(next) => after = Some(next),
                None => return count,
            }
        }
    }

    async fn supplier(
        &self,
        key: &str,
    ) -> registre_domain::model::Record<registre_domain::model::SupplierData> {
        let mut after = None;
        loop {
            let page = self
                .store
                .list_suppliers(
                    &SupplierFilter::default(),
                    PageRequest { after, limit: 200 },
                )
                .await
                .unwrap();
            if let Some(found) = page.items.into_iter().find(|s| s.key.as_str() == key) {
                return found;
            }
            after = Some(page.next_after.expect("the supplier is in the dataset"));
        }
    }
}

/// The number the results page gives as its total.
fn page_total(html: &str) -> u64 {
    let marker = "role=\"status\"><strong>";
    let at = html.find(marker).expect("the results count") + marker.len();
    let text = &html[at..at + html[at..].find('<').unwrap()];
    text.split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Parses a CSV download with the csv crate: its header and rows.
fn read_csv(body: &[u8]) -> (Vec<String>, Vec<csv::StringRecord>) {
    let body = body
        .strip_prefix("\u{feff}".as_bytes())
        .expect("a byte-order mark, for spreadsheet software");
    let mut reader = csv::Reader::from_reader(body);
    let headers = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader.records().collect::<Result<Vec<_>, _>>().unwrap();
    (headers, rows)
}

fn column(headers: &[String], name: &str) -> usize {
    headers
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {headers:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_result_set_downloads_as_csv_with_every_hit_of_the_page_and_its_filters() {
    let site = site().await;
    let all = page_total(site.get("/recherche").await.text());
    assert!(all > 100, "more hits than one search page holds: {all}");

    let everything = site.get("/recherche.csv").await;
    assert_eq!(everything.status, StatusCode::OK);
    assert_eq!(everything.header("content-type"), "text/csv; charset=utf-8");
    let disposition = everything.header("content-disposition");
    assert!(
        disposition.starts_with("attachment; filename=\"registre-recherche-2026-11-29.csv\""),
        "{disposition}"
    );
    let (headers, rows) = read_csv(&everything.body);
    assert_eq!(rows.len() as u64, all, "every hit, across search pages");
    for name in [
        "type",
        "identifiant",
        "clé",
        "nom",
        "fournisseur",
        "catégorie",
        "type d'outil (La Suite numérique)",
        "place dans La Suite numérique",
        "qualifications en vigueur (référentiel : date de fin)",
        "exposition aux lois extra-européennes",
        "pays du siège",
        "page",
    ] {
        column(&headers, name);
    }
    let ids: HashSet<(String, String)> = rows
        .iter()
        .map(|r| (r[0].to_owned(), r[1].to_owned()))
        .collect();
    assert_eq!(ids.len(), rows.len(), "no hit twice");
    let ovh = rows
        .iter()
        .find(|r| &r[column(&headers, "clé")] == "ovhcloud")
        .expect("OVHcloud is listed");
    assert_eq!(&ovh[column(&headers, "type")], "Fournisseur");
    assert_eq!(
        &ovh[column(&headers, "page")],
        format!("{PUBLIC_URL}/fournisseurs/ovhcloud")
    );
    assert_eq!(&ovh[column(&headers, "pays du siège")], "France (FR)");

    // The same filters as the page, and the same count.
    let filters = "category=iaas&scheme=secnumcloud&valid_today=true";
    let on_page = page_total(site.get(&format!("/recherche?{filters}")).await.text());
    let filtered = site.get(&format!("/recherche.csv?{filters}")).await;
    let (headers, rows) = read_csv(&filtered.body);
    assert_eq!(rows.len() as u64, on_page);
    assert!(on_page > 0 && on_page < all, "{on_page} of {all}");
    let kind = column(&headers, "type");
    let category = column(&headers, "catégorie");
    let qualifications = column(
        &headers,
        "qualifications en vigueur (référentiel : date de fin)",
    );
    for row in &rows {
        assert!(
            row[qualifications].contains("SecNumCloud : "),
            "a SecNumCloud qualification in force, with its end date: {row:?}"
        );
        if &row[kind] == "Offre" {
            assert_eq!(&row[category], "Infrastructure en nuage (IaaS)", "{row:?}");
        }
    }
    // The paging parameters of the page do not cut the download short.
    let with_cursor = site
        .get(&format!("/recherche.csv?{filters}&page=3&cursor=garbage"))
        .await;
    assert_eq!(read_csv(&with_cursor.body).1.len() as u64, on_page);

    // Under /en: English headers and labels, English page URLs.
    let english = site.get("/en/recherche.csv?q=ovh").await;
    assert_eq!(english.status, StatusCode::OK);
    let en_total = page_total(site.get("/en/recherche?q=ovh").await.text());
    let (headers, rows) = read_csv(&english.body);
    assert_eq!(rows.len() as u64, en_total);
    assert!(en_total > 0);
    assert_eq!(headers[0], "kind");
    let kind = column(&headers, "kind");
    let url = column(&headers, "page URL");
    for row in &rows {
        assert!(["Supplier", "Offer"].contains(&&row[kind]), "{row:?}");
        assert!(
            row[url].starts_with(&format!("{PUBLIC_URL}/en/")),
            "{row:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_result_set_downloads_as_json_with_codes_and_the_same_count() {
    let site = site().await;
    let all = page_total(site.get("/recherche").await.text());
    let everything = site.get("/recherche.json").await;
    assert_eq!(everything.status, StatusCode::OK);
    assert_eq!(everything.header("content-type"), "application/json");
    assert!(
        everything
            .header("content-disposition")
            .contains("registre-recherche-2026-11-29.json")
    );
    let document: serde_json::Value = serde_json::from_slice(&everything.body).unwrap();
    assert_eq!(document["total"], all);
    let items = document["items"].as_array().unwrap();
    assert_eq!(items.len() as u64, all);
    assert!(
        document["licence"]
            .as_str()
            .unwrap()
            .contains("Licence Ouverte")
    );

    let filtered: serde_json::Value = serde_json::from_slice(
        &site
            .get("/recherche.json?kind=offer&category=iaas")
            .await
            .body,
    )
    .unwrap();
    let on_page = page_total(site.get("/recherche?kind=offer&category=iaas").await.text());
    let items = filtered["items"].as_array().unwrap();
    assert_eq!(items.len() as u64, on_page);
    assert!(on_page > 0 && on_page < all);
    for item in items {
        assert_eq!(item["kind"], "offer", "{item}");
        assert_eq!(item["category"], "iaas", "{item}");
        assert!(item["supplier"]["name"].is_string(), "{item}");
        let url = item["url"].as_str().unwrap();
        assert_eq!(
            url,
            format!("{PUBLIC_URL}/offres/{}", item["key"].as_str().unwrap())
        );
    }
    let qualified = items
        .iter()
        .flat_map(|i| i["qualifications_valid_today"].as_array().unwrap())
        .find(|q| q["scheme"] == "secnumcloud")
        .expect("a SecNumCloud-qualified IaaS offer");
    assert!(qualified["valid_until"].as_str().unwrap() > "2026-11-29");

    // Nothing found is still a whole document.
    let none: serde_json::Value = serde_json::from_slice(
        &site
            .get("/recherche.json?q=zzzzqqqqxxxx&category=iaas")
            .await
            .body,
    )
    .unwrap();
    assert_eq!(none["total"], 0);
    assert_eq!(none["items"].as_array().unwrap().len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_results_page_links_both_downloads_with_its_filters_but_not_its_page() {
    let site = site().await;
    let first = site.get("/recherche?category=iaas&sort=name").await;
    let html = first.text();
    assert!(
        html.contains("href=\"/recherche.csv?category=iaas&amp;sort=name\" download"),
        "{}",
        &html[html.find("id=\"telechargements\"").map_or(0, |at| at)..][..300.min(html.len())]
    );
    assert!(html.contains("href=\"/recherche.json?category=iaas&amp;sort=name\" download"));
    let english = site.get("/en/recherche?q=ovh&page=2").await;
    assert!(
        english
            .text()
            .contains("href=\"/en/recherche.csv?q=ovh\" download")
    );
    assert!(english.text().contains("Download all these results:"));
}

/// The text of the page's JSON-LD block.
fn json_ld(html: &str) -> &str {
    let open = "<script type=\"application/ld+json\">";
    let at = html.find(open).expect("a JSON-LD block") + open.len();
    &html[at..at + html[at..].find("</script>").unwrap()]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supplier_pages_carry_their_facts_as_schema_org_json_ld() {
    let site = site().await;
    let ovh = site.supplier("ovhcloud").await;
    let offers = site
        .store
        .list_offers(
            &OfferFilter {
                supplier_id: Some(ovh.id),
                ..OfferFilter::default()
            },
            PageRequest {
                after: None,
                limit: 200,
            },
            today(),
        )
        .await
        .unwrap()
        .items;
    assert!(!offers.is_empty());
    let page = site.get(&format!("/fournisseurs/{}", ovh.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    let value: serde_json::Value = serde_json::from_str(json_ld(page.text())).unwrap();
    assert_eq!(value["@context"], "https://schema.org");
    assert_eq!(value["@type"], "Organization");
    assert_eq!(value["legalName"], ovh.data.legal_name.as_str());
    assert_eq!(value["address"]["addressCountry"], "FR");
    let siren = ovh.data.siren.as_ref().expect("OVHcloud has a SIREN");
    let identifiers = value["identifier"].as_array().unwrap();
    assert!(
        identifiers.iter().any(|i| i["@type"] == "PropertyValue"
            && i["propertyID"] == "SIREN"
            && i["value"] == siren.as_str()),
        "{identifiers:?}"
    );
    let made = value["makesOffer"].as_array().unwrap();
    assert_eq!(made.len(), offers.len());
    for offer in &offers {
        let listed = made
            .iter()
            .find(|o| o["itemOffered"]["name"] == offer.data.name.as_str())
            .unwrap_or_else(|| panic!("{} is offered", offer.data.name));
        assert_eq!(listed["@type"], "Offer");
        assert_eq!(listed["url"], format!("{PUBLIC_URL}/offres/{}", offer.key));
    }
    assert_eq!(
        value["mainEntityOfPage"],
        format!("{PUBLIC_URL}/fournisseurs/ovhcloud")
    );

    // Text that would close the block is escaped, and still reads back the same.
    let tricky = "Évasion </script><script>alert(1)</script> & Cie";
    let mut data = ovh.data.clone();
    data.legal_name = tricky.to_owned();
    data.trade_names = vec![];
    data.aliases = vec![];
    data.siren = None;
    data.siret = None;
    data.vat_number = None;
    data.lei = None;
    let created = site
        .store
        .create_supplier(None, data, "test")
        .await
        .unwrap();
    let page = site.get(&format!("/fournisseurs/{}", created.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(
        !html.contains("<script>alert(1)"),
        "the name ended the block"
    );
    let block = json_ld(html);
    assert!(!block.contains('<') && !block.contains('>'));
    let value: serde_json::Value = serde_json::from_str(block).unwrap();
    assert_eq!(value["legalName"], tricky);
    assert!(value.get("identifier").is_none());
}

/// A URL entry's alternates: `(hreflang, href)`.
type Alternates = Vec<(String, String)>;

/// Every `<loc>` of a sitemap document, checked to be well-formed XML by quick-xml, and the
/// `hreflang` alternates of each URL entry.
fn read_sitemap(xml: &str) -> (String, Vec<String>, Vec<Alternates>) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut root = String::new();
    let mut locs = Vec::new();
    let mut alternates: Vec<Alternates> = Vec::new();
    let mut in_loc = false;
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                if root.is_empty() {
                    root = name.clone();
                }
                if name == "url" {
                    alternates.push(Vec::new());
                }
                in_loc = name == "loc";
            }
            Event::Empty(e) if e.name().as_ref() == b"xhtml:link" => {
                let attribute = |key: &[u8]| {
                    e.try_get_attribute(key)
                        .unwrap()
                        .map(|a| {
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .unwrap()
                                .into_owned()
                        })
                        .unwrap_or_default()
                };
                assert_eq!(attribute(b"rel"), "alternate");
                alternates
                    .last_mut()
                    .expect("a link inside a url")
                    .push((attribute(b"hreflang"), attribute(b"href")));
            }
            Event::Text(t) if in_loc => locs.push(t.decode().unwrap().into_owned()),
            Event::End(_) => in_loc = false,
            Event::Eof => break,
            _ => {}
        }
    }
    (root, locs, alternates)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sitemap_lists_every_supplier_and_offer_in_both_languages() {
    let site = site().await;
    let index = site.get("/sitemap.xml").await;
    assert_eq!(index.status, StatusCode::OK);
    assert_eq!(
        index.header("content-type"),
        "application/xml; charset=utf-8"
    );
    let (root, files, _) = read_sitemap(index.text());
    assert_eq!(root, "sitemapindex");
    assert!(files.len() >= 3, "{files:?}");
    let mut urls = Vec::new();
    for file in &files {
        let path = file
            .strip_prefix(PUBLIC_URL)
            .unwrap_or_else(|| panic!("{file} is absolute, on the public address"));
        let sitemap = site.get(path).await;
        assert_eq!(sitemap.status, StatusCode::OK, "{path}");
        let (root, locs, alternates) = read_sitemap(sitemap.text());
        assert_eq!(root, "urlset", "{path}");
        if path.ends_with("/pages.xml") {
            for loc in &locs {
                let page = site.get(loc.strip_prefix(PUBLIC_URL).unwrap()).await;
                assert_eq!(page.status, StatusCode::OK, "{loc} is a page");
            }
        }
        assert!(locs.len() <= 50_000);
        assert_eq!(locs.len(), alternates.len());
        for (loc, links) in locs.iter().zip(&alternates) {
            let languages: Vec<&str> = links.iter().map(|(l, _)| l.as_str()).collect();
            assert_eq!(languages, ["fr", "en"], "{loc}");
            assert!(
                links.iter().any(|(_, href)| href == loc),
                "{loc} names itself"
            );
        }
        urls.extend(locs);
    }
    let suppliers = urls.iter().filter(|u| u.contains("/fournisseurs/")).count() as u64;
    let offers = urls.iter().filter(|u| u.contains("/offres/")).count() as u64;
    assert_eq!(suppliers, 2 * site.supplier_count().await);
    assert_eq!(offers, 2 * site.offer_count().await);
    for expected in [
        format!("{PUBLIC_URL}/"),
        format!("{PUBLIC_URL}/en/"),
        format!("{PUBLIC_URL}/donnees"),
        format!("{PUBLIC_URL}/fournisseurs/ovhcloud"),
        format!("{PUBLIC_URL}/en/fournisseurs/ovhcloud"),
        format!("{PUBLIC_URL}/offres/ovh-hpc-snc"),
    ] {
        assert!(urls.contains(&expected), "{expected} is listed");
    }
    let unique: HashSet<&String> = urls.iter().collect();
    assert_eq!(unique.len(), urls.len(), "no URL twice");
    // A range past the last record names nothing.
    assert_eq!(
        site.get("/sitemaps/fournisseurs-99.xml").await.status,
        StatusCode::NOT_FOUND
    );

    let robots = site.get("/robots.txt").await;
    assert_eq!(robots.status, StatusCode::OK);
    assert!(robots.header("content-type").starts_with("text/plain"));
    assert!(
        robots
            .text()
            .lines()
            .any(|l| l == format!("Sitemap: {PUBLIC_URL}/sitemap.xml"))
    );
}

fn gunzip(bytes: &[u8]) -> String {
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut text)
        .unwrap();
    text
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_open_data_dump_holds_the_whole_database_and_is_served_with_its_page() {
    let site = site().await;
    // Before any dump: the page says so, the files are not there.
    let pending = site.get("/donnees").await;
    assert_eq!(pending.status, StatusCode::OK);
    assert!(pending.text().contains("en cours de préparation"));
    assert_eq!(
        site.get("/donnees/suppliers.jsonl.gz").await.status,
        StatusCode::NOT_FOUND
    );

    let manifest = write_dump(&site.store, &site.open_data(), today())
        .await
        .unwrap();
    assert_eq!(
        manifest.records("supplier"),
        Some(site.supplier_count().await)
    );
    assert_eq!(manifest.records("offer"), Some(site.offer_count().await));
    assert_eq!(
        manifest.records("attestation"),
        Some(site.attestation_count().await)
    );
    assert_eq!(manifest.records("change"), Some(0));
    assert!(manifest.licence.name.contains("Licence Ouverte"));

    let served: Manifest =
        serde_json::from_slice(&site.get("/donnees/manifest.json").await.body).unwrap();
    assert_eq!(served, manifest);
    for file in &manifest.files {
        let fetched = site.get(&format!("/donnees/{}", file.name)).await;
        assert_eq!(fetched.status, StatusCode::OK, "{}", file.name);
        assert_eq!(fetched.header("content-type"), "application/gzip");
        assert!(
            fetched
                .header("content-disposition")
                .starts_with("attachment")
        );
        assert_eq!(fetched.body.len() as u64, file.bytes, "{}", file.name);
        assert_eq!(sha256(&fetched.body), file.sha256, "{}", file.name);
        let text = gunzip(&fetched.body);
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len() as u64, file.records, "{}", file.name);
        match file.record_type.as_str() {
            "supplier" => {
                let ovh = lines.iter().find(|l| l["key"] == "ovhcloud").unwrap();
                assert!(ovh["id"].is_i64() && ovh["legal_name"].is_string());
                assert!(ovh["exposure"].is_string());
            }
            "offer" => assert!(lines.iter().all(|l| l["supplier_id"].is_i64()
                && l["name"].is_string()
                && l["exposure"].is_string())),
            "attestation" => assert!(lines.iter().all(|l| l["provenance"]["source"].is_string()
                && l["provenance"]["last_seen"].is_string()
                && l["status_on_judged_day"].is_string())),
            _ => {}
        }
    }
    // A file that is not in the dump is not served, whatever its path.
    for missing in [
        "/donnees/CURRENT",
        "/donnees/..%2FCURRENT",
        "/donnees/nothing.gz",
    ] {
        assert_eq!(
            site.get(missing).await.status,
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }

    // The page, in both languages: the licence, the date, each file with its count and size.
    let page = site.get("/donnees").await;
    let html = page.text();
    assert!(html.contains("Licence Ouverte / Open Licence version 2.0"));
    assert!(html.contains("https://www.etalab.gouv.fr/licence-ouverte-open-licence/"));
    for file in &manifest.files {
        assert!(html.contains(&format!("href=\"/donnees/{}\"", file.name)));
        assert!(html.contains(&format!("<td>{}</td>", file.records)));
    }
    assert!(html.contains(&manifest.generated_at.format("%d/%m/%Y").to_string()));
    let english = site.get("/en/donnees").await;
    assert!(english.text().contains("<html lang=\"en\""));
    assert!(english.text().contains("<h1>Open data</h1>"));

    // A new dump replaces the published one; the one before stays for readers in flight, older go.
    let second = write_dump(&site.store, &site.open_data(), today())
        .await
        .unwrap();
    assert!(second.generated_at > manifest.generated_at);
    let served: Manifest =
        serde_json::from_slice(&site.get("/donnees/manifest.json").await.body).unwrap();
    assert_eq!(served.generated_at, second.generated_at);
    write_dump(&site.store, &site.open_data(), today())
        .await
        .unwrap();
    let generations = std::fs::read_dir(site.open_data())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_type().unwrap().is_dir())
        .count();
    assert_eq!(generations, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_autocomplete_script_is_external_deferred_and_follows_the_combobox_pattern() {
    let site = site().await;
    let home = site.get("/").await;
    let html = home.text();
    let open = html.find("<script src=\"").expect("a script element");
    let tag = &html[open..open + html[open..].find('>').unwrap() + 1];
    assert!(tag.ends_with(" defer>"), "{tag}");
    let src = &tag["<script src=\"".len()..tag[13..].find('"').unwrap() + 13];
    assert!(src.starts_with("/static/") && src.ends_with("/registre-autocomplete.js"));
    let script = site.get(src).await;
    assert_eq!(script.status, StatusCode::OK);
    assert_eq!(
        script.header("content-type"),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(
        script.header("cache-control"),
        "public, max-age=31536000, immutable"
    );
    let code = script.text();
    for needle in [
        "\"combobox\"",
        "aria-expanded",
        "aria-controls",
        "aria-activedescendant",
        "\"listbox\"",
        "\"option\"",
        "aria-live",
        "\"polite\"",
        "ArrowDown",
        "ArrowUp",
        "Escape",
        "Enter",
        "/api/v1/suggest",
    ] {
        assert!(code.contains(needle), "the script handles {needle}");
    }
    // The search forms still work without it: plain GET forms with a `q` input.
    assert!(html.contains("action=\"/recherche\" method=\"get\""));
}
