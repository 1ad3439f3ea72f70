//! The public pages over their real routes: a SQLite store loaded with the bundled dataset, a tantivy
//! index built by the indexer in a temporary directory, validity judged on a fixed day.

use std::time::Duration;

use poem::EndpointExt;
use poem::endpoint::BoxEndpoint;
use poem::http::StatusCode;
use poem::test::{TestClient, TestResponse};
use registre_indexer::search::{Indexer, IndexerSettings};
use registre_store::{PageRequest, Store, SupplierFilter};
use registre_web::Web;

/// The day validity is judged on, so that the dataset's end dates do not age the tests.
fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
}

struct Site {
    _dir: tempfile::TempDir,
    store: Store,
    client: TestClient<BoxEndpoint<'static>>,
}

async fn site() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("db").display());
    let store = Store::connect(&url).await.unwrap();
    let report = store
        .import(include_str!("../../dataset/registre.jsonl"), "test")
        .await
        .unwrap();
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    let mut settings = IndexerSettings::new(dir.path().join("index"));
    settings.poll_interval = Duration::from_millis(50);
    settings.writer_threads = 1;
    settings.writer_memory = 30 * 1024 * 1024;
    settings.today = Some(today());
    let (mut indexer, searcher) = Indexer::open(store.clone(), settings).unwrap();
    indexer.prepare().await.unwrap();
    let routes = Web::new(store.clone(), searcher)
        .with_today(today())
        .routes();
    let client = TestClient::new(routes.map_to_response().boxed());
    Site {
        _dir: dir,
        store,
        client,
    }
}

struct Page {
    status: StatusCode,
    headers: poem::http::HeaderMap,
    body: String,
}

async fn read(response: TestResponse) -> Page {
    let status = response.0.status();
    let headers = response.0.headers().clone();
    let body = response.0.into_body().into_string().await.unwrap();
    Page {
        status,
        headers,
        body,
    }
}

impl Site {
    async fn get(&self, uri: &str) -> Page {
        read(self.client.get(uri).send().await).await
    }

    async fn bytes(&self, uri: &str, gzip: bool) -> (StatusCode, poem::http::HeaderMap, Vec<u8>) {
        let mut request = self.client.get(uri);
        if gzip {
            request = request.header("Accept-Encoding", "gzip");
        }
        let response = request.send().await;
        let status = response.0.status();
        let headers = response.0.headers().clone();
        let body = response.0.into_body().into_vec().await.unwrap();
        (status, headers, body)
    }

    async fn supplier_id(&self, key: &str) -> i64 {
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
            if let Some(found) = page.items.iter().find(|s| s.key.as_str() == key) {
                return found.id;
            }
            after = Some(page.next_after.expect("the supplier is in the dataset"));
        }
    }

    async fn offer_id(&self, key: &str) -> i64 {
        let page = self
            .store
            .list_offers(
                &Default::default(),
                PageRequest {
                    after: None,
                    limit: 200,
                },
                today(),
            )
            .await
            .unwrap();
        page.items
            .iter()
            .find(|o| o.key.as_str() == key)
            .expect("the offer is in the dataset")
            .id
    }
}

fn header<'a>(page: &'a Page, name: &str) -> &'a str {
    page.headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

/// The values of `attribute="..."` in `html`.
fn attribute_values<'a>(html: &'a str, attribute: &str) -> Vec<&'a str> {
    let needle = format!(" {attribute}=\"");
    html.match_indices(&needle)
        .map(|(at, _)| {
            let rest = &html[at + needle.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

/// The `href` of every `<link>` element.
fn link_hrefs(html: &str) -> Vec<&str> {
    html.match_indices("<link ")
        .flat_map(|(at, _)| {
            let tag = &html[at..at + html[at..].find('>').unwrap()];
            attribute_values(tag, "href")
        })
        .collect()
}

fn assert_is_a_page(page: &Page, lang: &str) {
    assert!(
        page.body.starts_with("<!doctype html>"),
        "{}",
        &page.body[..200.min(page.body.len())]
    );
    assert!(page.body.contains(&format!("<html lang=\"{lang}\"")));
    assert!(page.body.contains("<main id=\"contenu\""));
    assert!(page.body.contains("class=\"fr-skiplinks\""));
    assert!(page.body.contains("<header class=\"fr-header\""));
    assert!(
        page.body
            .contains("<footer class=\"fr-footer\" id=\"pied-de-page\"")
    );
    assert!(
        page.body.contains("Registre</p>"),
        "service name in the header"
    );
    assert_eq!(header(page, "content-type"), "text/html; charset=utf-8");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_type_renders_in_french_and_in_english() {
    let site = site().await;
    let ovh = site.supplier_id("ovhcloud").await;
    let offer = site.offer_id("ovh-hpc-snc").await;
    let cases: Vec<(String, &str, Vec<&str>)> = vec![
        (
            "/".into(),
            "fr",
            vec![
                "Héberger des données de santé",
                "Visioconférence pour réunions sensibles",
                "Envoyer de gros fichiers",
                "Une alternative à",
                "fournisseurs et",
            ],
        ),
        (
            "/en/".into(),
            "en",
            vec![
                "Host health data",
                "Video conferencing for sensitive meetings",
                "Send large files",
                "An alternative to",
                "suppliers and",
            ],
        ),
        ("/en".into(), "en", vec!["Host health data"]),
        (
            "/recherche?q=ovh".into(),
            "fr",
            vec![
                "Résultats pour « ovh »",
                "résultats",
                "OVHcloud",
                "Filtres",
                "Exposition :",
            ],
        ),
        (
            "/en/recherche?q=ovh".into(),
            "en",
            vec![
                "Results for “ovh”",
                "results",
                "OVHcloud",
                "Filters",
                "Exposure:",
            ],
        ),
        (
            format!("/fournisseurs/{ovh}"),
            "fr",
            vec![
                "OVH SAS",
                "Identifiants",
                "424761419",
                "FR22424761419",
                "Chaîne de contrôle",
                "OVH Groupe SA",
                "Société mère",
                "Exposition aux lois extra-européennes",
                "Qualifications et certifications",
                "ANSSI SecNumCloud",
                "vu pour la dernière fois le",
                "Historique des changements",
                "Roubaix",
            ],
        ),
        (
            format!("/en/fournisseurs/{ovh}"),
            "en",
            vec![
                "OVH SAS",
                "Identifiers",
                "424761419",
                "Control chain",
                "Parent company",
                "Exposure to extra-EU law",
                "Qualifications and certifications",
                "last seen on",
                "History of changes",
            ],
        ),
        (
            format!("/offres/{offer}"),
            "fr",
            vec![
                "Hosted Private Cloud",
                "ANSSI SecNumCloud",
                "Qualification SecNumCloud en vigueur jusqu'au",
                "Décision 2023-2279",
                "Alternatives",
                "Aucune exposition connue",
            ],
        ),
        (
            format!("/en/offres/{offer}"),
            "en",
            vec![
                "ANSSI SecNumCloud",
                "SecNumCloud qualification valid until",
                "Decision 2023-2279",
                "Alternatives",
                "No known exposure",
            ],
        ),
        (
            "/accessibilite".into(),
            "fr",
            vec![
                "Déclaration d'accessibilité",
                "non conforme",
                "RGAA",
                "Défenseur des droits",
            ],
        ),
        (
            "/en/accessibilite".into(),
            "en",
            vec!["Accessibility statement", "does not comply", "RGAA"],
        ),
        (
            "/mentions-legales".into(),
            "fr",
            vec![
                "Mentions légales",
                "Licence Ouverte 2.0",
                "réservés aux sites de l'État",
            ],
        ),
        (
            "/en/mentions-legales".into(),
            "en",
            vec![
                "Legal notice",
                "Licence Ouverte 2.0",
                "reserved to State websites",
            ],
        ),
    ];
    for (uri, lang, expected) in cases {
        let page = site.get(&uri).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}");
        assert_is_a_page(&page, lang);
        for text in expected {
            assert!(page.body.contains(text), "{uri} lacks {text:?}");
        }
        // The footer links to the accessibility statement and the legal notice, in the page's language.
        let prefix = if lang == "en" { "/en" } else { "" };
        assert!(
            page.body
                .contains(&format!("href=\"{prefix}/accessibilite\"")),
            "{uri}"
        );
        assert!(
            page.body
                .contains(&format!("href=\"{prefix}/mentions-legales\"")),
            "{uri}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_search_form_is_a_get_form_with_role_search_and_a_q_input() {
    let site = site().await;
    for uri in ["/", "/en/", "/recherche", "/accessibilite"] {
        let page = site.get(uri).await;
        let form_at = page
            .body
            .find("<form role=\"search\"")
            .unwrap_or_else(|| panic!("{uri}: no search form"));
        let form = &page.body[form_at..form_at + page.body[form_at..].find("</form>").unwrap()];
        assert!(form.contains("method=\"get\""), "{uri}");
        assert!(form.contains("name=\"q\""), "{uri}");
        assert!(
            form.contains("<label class=\"fr-label\" for=\"q"),
            "{uri}: the input has a label"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_language_switch_keeps_the_page_and_its_query() {
    let site = site().await;
    let page = site.get("/recherche?q=ovh&category=iaas").await;
    assert!(page.body.contains(
        "href=\"/en/recherche?q=ovh&amp;category=iaas\" hreflang=\"en\" lang=\"en\">English</a>"
    ));
    let page = site.get("/en/recherche?q=ovh").await;
    assert!(
        page.body
            .contains("href=\"/recherche?q=ovh\" hreflang=\"fr\" lang=\"fr\">Français</a>")
    );
    let page = site.get("/en/").await;
    assert!(page.body.contains("href=\"/\" hreflang=\"fr\""));
}

fn total(page: &Page) -> u64 {
    let at = page.body.find("role=\"status\"><strong>").unwrap() + "role=\"status\"><strong>".len();
    let text = &page.body[at..at + page.body[at..].find('<').unwrap()];
    text.split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_facet_checkbox_url_filters_the_results() {
    let site = site().await;
    let everything = site.get("/recherche").await;
    assert!(
        everything.body.contains("name=\"category\" value=\"iaas\""),
        "the category facet lists IaaS as a checkbox"
    );
    let all = total(&everything);
    let filtered = site.get("/recherche?category=iaas").await;
    assert_eq!(filtered.status, StatusCode::OK);
    let iaas = total(&filtered);
    assert!(
        iaas > 0 && iaas < all,
        "{iaas} IaaS offers among {all} records"
    );
    assert!(
        filtered
            .body
            .contains("id=\"f-category-iaas\" name=\"category\" value=\"iaas\" checked")
    );
    // Every offer on the filtered page is an IaaS offer (suppliers match through their offers).
    let cards: Vec<&str> = filtered.body.split("<li class=\"fr-card").skip(1).collect();
    let offers: Vec<&&str> = cards.iter().filter(|c| c.contains(">Offre</p>")).collect();
    assert!(!offers.is_empty());
    for card in &offers {
        assert!(
            card.contains(">Infrastructure en nuage (IaaS)</p>"),
            "{card}"
        );
    }
    assert!(
        cards
            .iter()
            .all(|c| c.contains(">Offre</p>") || c.contains(">Fournisseur</p>"))
    );
    // Two facets combine (AND across facets), and the URL stays a plain GET URL.
    let both = site
        .get("/recherche?category=iaas&scheme=secnumcloud&valid_today=true")
        .await;
    let qualified = total(&both);
    assert!(
        qualified > 0 && qualified < iaas,
        "{qualified} qualified among {iaas}"
    );
    assert!(both.body.contains("Retirer tous les filtres"));
    // An unknown code in a shared URL is ignored, not an error.
    let lenient = site.get("/recherche?category=nonsense").await;
    assert_eq!(lenient.status, StatusCode::OK);
    assert_eq!(total(&lenient), all);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_page_and_sort_are_plain_get_urls() {
    let site = site().await;
    let first = site.get("/recherche").await;
    let next = attribute_values(&first.body, "href")
        .into_iter()
        .find(|href| href.contains("cursor="))
        .expect("a next-page link")
        .replace("&amp;", "&");
    let second = site.get(&next).await;
    assert_eq!(second.status, StatusCode::OK);
    assert!(second.body.contains("Page 2"));
    assert!(second.body.contains("Première page"));
    let sorted = site.get("/recherche?sort=name").await;
    assert!(sorted.body.contains("<option value=\"name\" selected>"));
    let stale = site.get("/recherche?cursor=garbage").await;
    assert_eq!(stale.status, StatusCode::OK);
    assert!(stale.body.contains("Cette page de résultats n'existe plus"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_records_and_paths_get_the_html_404_page() {
    let site = site().await;
    for (uri, lang, text) in [
        ("/fournisseurs/999999", "fr", "Page non trouvée"),
        ("/en/fournisseurs/999999", "en", "Page not found"),
        ("/offres/999999", "fr", "Page non trouvée"),
        ("/fournisseurs/pas-un-nombre", "fr", "Page non trouvée"),
        ("/nulle-part", "fr", "Page non trouvée"),
        ("/en/nowhere", "en", "Page not found"),
        ("/static/000000000000/nothing.css", "fr", "Page non trouvée"),
    ] {
        let page = site.get(uri).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{uri}");
        assert_is_a_page(&page, lang);
        assert!(page.body.contains(text), "{uri}");
        assert!(page.body.contains("404"), "{uri}");
        assert_eq!(
            header(&page, "content-security-policy"),
            registre_web::CONTENT_SECURITY_POLICY
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_carries_the_security_headers_and_pages_load_nothing_from_elsewhere() {
    let site = site().await;
    let ovh = site.supplier_id("ovhcloud").await;
    let offer = site.offer_id("ovh-hpc-snc").await;
    let home = site.get("/").await;
    let css = link_hrefs(&home.body)
        .into_iter()
        .find(|h| h.ends_with("dsfr.min.css"))
        .unwrap()
        .to_owned();
    let uris = [
        "/".to_owned(),
        "/en/".to_owned(),
        "/recherche?q=h%C3%A9bergement".to_owned(),
        format!("/fournisseurs/{ovh}"),
        format!("/offres/{offer}"),
        "/accessibilite".to_owned(),
        "/mentions-legales".to_owned(),
        "/introuvable".to_owned(),
        css,
    ];
    for uri in &uris {
        let page = site.get(uri).await;
        let csp = header(&page, "content-security-policy");
        assert!(csp.contains("default-src 'self'"), "{uri}");
        assert!(csp.contains("frame-ancestors 'none'"), "{uri}");
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{uri}"
        );
        assert_eq!(header(&page, "x-content-type-options"), "nosniff", "{uri}");
        assert_eq!(
            header(&page, "referrer-policy"),
            "strict-origin-when-cross-origin",
            "{uri}"
        );
        if !header(&page, "content-type").starts_with("text/html") {
            continue;
        }
        let body = &page.body;
        assert!(!body.contains("<script"), "{uri}: a script");
        assert!(!body.contains("<style"), "{uri}: an inline stylesheet");
        assert!(!body.contains(" style=\""), "{uri}: an inline style");
        assert!(
            !body.contains(" on") || !body.contains("onclick="),
            "{uri}: an inline handler"
        );
        for resource in attribute_values(body, "src")
            .into_iter()
            .chain(link_hrefs(body))
        {
            assert!(
                resource.starts_with('/') && !resource.starts_with("//"),
                "{uri} loads {resource} from elsewhere"
            );
        }
        assert!(
            !body.contains("action=\"http"),
            "{uri}: a form posting elsewhere"
        );
    }
    // Nor does the stylesheet: its fonts and icons are served from here too.
    let home = site.get("/").await;
    for href in link_hrefs(&home.body) {
        let (_, _, bytes) = site.bytes(href, false).await;
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("url(http") && !text.contains("url(\"http") && !text.contains("url(//"),
            "{href}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_assets_are_fingerprinted_immutable_and_gzipped() {
    let site = site().await;
    let home = site.get("/").await;
    let stylesheets: Vec<&str> = link_hrefs(&home.body)
        .into_iter()
        .filter(|h| h.ends_with(".css"))
        .collect();
    assert_eq!(
        stylesheets.len(),
        2,
        "DSFR and Registre's own: {stylesheets:?}"
    );
    for href in stylesheets {
        assert!(href.starts_with("/static/"), "{href}");
        let (status, headers, plain) = site.bytes(href, false).await;
        assert_eq!(status, StatusCode::OK, "{href}");
        assert_eq!(
            headers["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(headers["content-type"], "text/css; charset=utf-8");
        assert!(headers.get("content-encoding").is_none());
        let (_, headers, gzipped) = site.bytes(href, true).await;
        assert_eq!(headers["content-encoding"], "gzip");
        assert_eq!(headers["vary"], "Accept-Encoding");
        assert!(gzipped.len() < plain.len());
    }
    // The fonts and icons the stylesheet names resolve beside it, under the same fingerprint.
    let css = link_hrefs(&home.body)
        .into_iter()
        .find(|h| h.ends_with("dsfr.min.css"))
        .unwrap();
    let base = css.trim_end_matches("dsfr.min.css");
    for relative in [
        "fonts/Marianne-Regular.woff2",
        "icons/system/search-line.svg",
    ] {
        let (status, headers, _) = site.bytes(&format!("{base}{relative}"), false).await;
        assert_eq!(status, StatusCode::OK, "{relative}");
        assert_eq!(
            headers["cache-control"],
            "public, max-age=31536000, immutable"
        );
    }
    // A URL of an older build still answers, but is not cached for keeps.
    let stale = format!(
        "/static/000000000000/{}",
        &base[base[8..].find('/').unwrap() + 9..]
    );
    let (status, headers, _) = site.bytes(&format!("{stale}dsfr.min.css"), false).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["cache-control"], "no-cache");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_page_transfers_under_500_kb_compressed() {
    let site = site().await;
    let (status, headers, html) = site.bytes("/", true).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-encoding"], "gzip", "pages are gzipped");
    let page = String::from_utf8(
        std::io::Read::bytes(flate2::read::GzDecoder::new(&html[..]))
            .collect::<Result<Vec<u8>, _>>()
            .unwrap(),
    )
    .unwrap();
    let mut total = html.len();
    let mut lines = vec![format!("HTML {} B", html.len())];
    // Everything the page links (stylesheets, favicon), as sent with gzip.
    let mut dsfr_base = String::new();
    for href in link_hrefs(&page) {
        if !href.starts_with("/static/") {
            continue; // the hreflang alternate is another page, not a resource of this one
        }
        let (status, _, body) = site.bytes(href, true).await;
        assert_eq!(status, StatusCode::OK, "{href}");
        total += body.len();
        lines.push(format!("{href} {} B", body.len()));
        if href.ends_with("dsfr.min.css") {
            dsfr_base = href.trim_end_matches("dsfr.min.css").to_owned();
        }
    }
    // The fonts a page in upright text can use (browsers load a face only when text uses it; the
    // italic and Spectral faces are not used here) and every icon the stylesheet names: an upper bound.
    let (_, _, css) = site.bytes(&format!("{dsfr_base}dsfr.min.css"), false).await;
    let css = String::from_utf8(css).unwrap();
    let mut icons: Vec<&str> = css
        .match_indices("url(icons/")
        .map(|(at, _)| &css[at + 4..at + css[at..].find(')').unwrap()])
        .collect();
    icons.sort_unstable();
    icons.dedup();
    let mut icon_bytes = 0;
    for icon in &icons {
        let (status, _, body) = site.bytes(&format!("{dsfr_base}{icon}"), true).await;
        assert_eq!(status, StatusCode::OK, "{icon}");
        icon_bytes += body.len();
    }
    total += icon_bytes;
    lines.push(format!("{} icons {icon_bytes} B", icons.len()));
    for face in ["Light", "Regular", "Medium", "Bold"] {
        let href = format!("{dsfr_base}fonts/Marianne-{face}.woff2");
        let (status, _, body) = site.bytes(&href, true).await;
        assert_eq!(status, StatusCode::OK, "{href}");
        total += body.len();
        lines.push(format!("Marianne-{face}.woff2 {} B", body.len()));
    }
    println!("home page first visit: {total} B\n  {}", lines.join("\n  "));
    assert!(
        total < 500 * 1024,
        "the home page weighs {total} B compressed"
    );
}
