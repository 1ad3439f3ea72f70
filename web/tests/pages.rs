//! The public pages over their real routes: a SQLite store loaded with the bundled dataset, a tantivy
//! index built by the indexer in a temporary directory, validity judged on a fixed day.

use poem::EndpointExt;
use poem::endpoint::BoxEndpoint;
use poem::http::StatusCode;
use poem::test::{TestClient, TestResponse};
use registre_indexer::sources::contract;
use registre_store::{PageRequest, Store, SupplierFilter};
use registre_web::Web;

mod support;

use support::{DATASET, indexed, official_sources, store_with, today};

struct Site {
    _dir: tempfile::TempDir,
    store: Store,
    client: TestClient<BoxEndpoint<'static>>,
}

async fn site() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with(dir.path(), DATASET).await;
    let searcher = indexed(&store, dir.path(), Some(today())).await;
    let routes = Web::new(store.clone(), searcher, official_sources(&store))
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
        // Scripts: only external files from here (the optional autocomplete), and non-executable
        // JSON-LD data blocks; no inline code.
        for (at, _) in body.match_indices("<script") {
            let tag = &body[at..at + body[at..].find('>').unwrap() + 1];
            let external = tag.starts_with("<script src=\"/static/")
                && body[at + tag.len()..].starts_with("</script>");
            let data_block = tag == "<script type=\"application/ld+json\">";
            assert!(external || data_block, "{uri}: an inline script {tag}");
        }
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
    // Everything the page links (stylesheets, favicon, the autocomplete script), as sent with gzip.
    let mut dsfr_base = String::new();
    for href in link_hrefs(&page)
        .into_iter()
        .chain(attribute_values(&page, "src"))
    {
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

/// The structure RGAA asks of every page: one `h1`, a label for every field, a legend in every
/// fieldset, a caption in every table and a scope on every header cell, and the skip links.
fn assert_accessible_structure(page: &Page, uri: &str) {
    let body = &page.body;
    assert_eq!(body.matches("<h1").count(), 1, "{uri}: one h1");
    assert!(body.contains("href=\"#contenu\""), "{uri}: skip link");
    for tag in ["<input ", "<select "] {
        for (at, _) in body.match_indices(tag) {
            let element = &body[at..at + body[at..].find('>').unwrap()];
            if element.contains("type=\"hidden\"") {
                continue;
            }
            let id = attribute_values(element, "id")
                .first()
                .copied()
                .unwrap_or_else(|| panic!("{uri}: {element} has no id"));
            assert!(
                body.contains(&format!("for=\"{id}\"")),
                "{uri}: no label for {id}"
            );
        }
    }
    assert_eq!(
        body.matches("<fieldset").count(),
        body.matches("<legend").count(),
        "{uri}: a legend per fieldset"
    );
    assert_eq!(
        body.matches("<table").count(),
        body.matches("<caption").count(),
        "{uri}: a caption per table"
    );
    for (at, _) in body.match_indices("<th") {
        let tag = &body[at..at + body[at..].find('>').unwrap()];
        if !tag.starts_with("<thead") {
            assert!(tag.contains(" scope=\""), "{uri}: {tag} has no scope");
        }
    }
}

/// The links of the result cards, in order.
fn hit_links(html: &str) -> Vec<String> {
    html.split("<h3 class=\"fr-card__title\"><a href=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .collect()
}

fn position(body: &str, text: &str, uri: &str) -> usize {
    body.find(text)
        .unwrap_or_else(|| panic!("{uri} lacks {text:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compare_shows_the_offers_side_by_side_and_refuses_one_five_or_unknown_offers() {
    let site = site().await;
    let outscale = site.offer_id("outscale-iaas").await;
    // By key and by id, in French.
    let uri = format!("/comparer?offre=ovh-hpc-snc&offre={outscale}");
    let page = site.get(&uri).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_is_a_page(&page, "fr");
    assert_accessible_structure(&page, &uri);
    for text in [
        "OVHcloud Hosted Private Cloud (SecNumCloud)",
        "Outscale IaaS (TINA OS)",
        "href=\"/fournisseurs/ovhcloud\"",
        "href=\"/fournisseurs/outscale\"",
        "Infrastructure en nuage (IaaS)",
        "ANSSI SecNumCloud",
        "Décision 2023-2279",
        "Décision 2023-2118",
        "<time datetime=\"2026-12-29\">29/12/2026</time>",
        "<time datetime=\"2026-11-30\">30/11/2026</time>",
        "anssi-catalogue",
        "vu pour la dernière fois le",
        "Hébergeur de données de santé (HDS)",
        "Exposition aux lois extra-européennes",
        "Nuage privé",
        "Logiciel libre",
        "France (FR)",
        "<caption>",
        "<th scope=\"row\">Fournisseur</th>",
    ] {
        assert!(page.body.contains(text), "{uri} lacks {text:?}");
    }
    // Both offers are columns, in the order asked.
    assert!(
        position(
            &page.body,
            "<th scope=\"col\"><a href=\"/offres/ovh-hpc-snc\">",
            &uri
        ) < position(
            &page.body,
            "<th scope=\"col\"><a href=\"/offres/outscale-iaas\">",
            &uri
        )
    );
    let english = site
        .get("/en/comparer?offre=ovh-hpc-snc&offre=outscale-iaas")
        .await;
    assert_eq!(english.status, StatusCode::OK);
    assert_is_a_page(&english, "en");
    assert!(english.body.contains("Decision 2023-2279"));
    assert!(english.body.contains("last seen on"));

    let five = "/comparer?offre=ovh-hpc-snc&offre=outscale-iaas&offre=scw-cloud&offre=ionos-cloud&offre=numspot-platform";
    for (uri, status, lang, text) in [
        (
            "/comparer?offre=ovh-hpc-snc",
            StatusCode::BAD_REQUEST,
            "fr",
            "Une seule offre est choisie : il en faut au moins 2",
        ),
        (
            "/en/comparer?offre=ovh-hpc-snc",
            StatusCode::BAD_REQUEST,
            "en",
            "Only one offer is chosen: a comparison needs at least 2",
        ),
        (
            "/comparer?offre=ovh-hpc-snc&offre=ovh-hpc-snc",
            StatusCode::BAD_REQUEST,
            "fr",
            "Une seule offre est choisie",
        ),
        (
            five,
            StatusCode::BAD_REQUEST,
            "fr",
            "5 offres sont choisies : une comparaison en montre au plus 4. Retirez-en 1.",
        ),
        (
            "/comparer",
            StatusCode::BAD_REQUEST,
            "fr",
            "Aucune offre n'est choisie",
        ),
        (
            "/comparer?offre=ovh-hpc-snc&offre=nulle-part",
            StatusCode::NOT_FOUND,
            "fr",
            "Aucune offre n'a l'identifiant « nulle-part »",
        ),
        (
            "/en/comparer?offre=ovh-hpc-snc&offre=999999",
            StatusCode::NOT_FOUND,
            "en",
            "No offer has the identifier “999999”",
        ),
    ] {
        let page = site.get(uri).await;
        assert_eq!(page.status, status, "{uri}");
        assert_is_a_page(&page, lang);
        assert!(page.body.contains(text), "{uri} lacks {text:?}");
        assert!(page.body.contains(&format!("{}", status.as_u16())), "{uri}");
    }

    // The results page ticks offers into a GET form that submits to /comparer, without JavaScript.
    let results = site.get("/recherche?q=secnumcloud&kind=offer").await;
    assert!(
        results
            .body
            .contains("<form action=\"/comparer\" method=\"get\" id=\"comparer\"")
    );
    assert!(results.body.contains(
        "type=\"checkbox\" id=\"comparer-ovh-hpc-snc\" name=\"offre\" value=\"ovh-hpc-snc\" form=\"comparer\""
    ));
    assert_accessible_structure(&results, "/recherche?q=secnumcloud&kind=offer");
    // The offer page links to a comparison with its alternatives, which renders.
    let offer = site.get("/offres/lasuite-visio").await;
    let compare = attribute_values(&offer.body, "href")
        .into_iter()
        .find(|href| href.starts_with("/comparer?offre=lasuite-visio&amp;offre="))
        .expect("a compare-with-alternatives link")
        .replace("&amp;", "&");
    let compared = site.get(&compare).await;
    assert_eq!(compared.status, StatusCode::OK, "{compare}");
    assert!(compared.body.contains("Visio (La Suite Meet)"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_need_helper_lists_the_state_tool_then_the_qualified_offers_then_the_others_with_why() {
    let site = site().await;
    let form = site.get("/besoin").await;
    assert_eq!(form.status, StatusCode::OK);
    assert_is_a_page(&form, "fr");
    assert_accessible_structure(&form, "/besoin");
    assert!(form.body.contains("<legend class=\"fr-fieldset__legend\" id=\"sensibilite-legende\">Sensibilité des données</legend>"));
    assert!(form.body.contains("<option value=\"suite_class:visio\">"));
    assert!(form.body.contains("<option value=\"category:iaas\">"));
    assert!(
        !form.body.contains("id=\"reponse\""),
        "no answer without a need"
    );

    let uri = "/besoin?besoin=suite_class%3Avisio&sensibilite=sensitive";
    let page = site.get(uri).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_accessible_structure(&page, uri);
    let body = &page.body;
    assert!(body.contains("<option value=\"suite_class:visio\" selected>"));
    assert!(body.contains("value=\"sensitive\" checked"));
    // The order: the State's tool, then SecNumCloud-qualified offers, then the others with why.
    let state_heading = position(body, "1. L'outil de l'État", uri);
    let state_tool = position(body, ">Visio (La Suite Meet)</a>", uri);
    let meeting_heading = position(body, "2. Les offres qui répondent à l'exigence", uri);
    let oodrive = position(body, ">Oodrive Meet (board portal)</a>", uri);
    let others_heading = position(body, "3. Les autres offres", uri);
    let whereby = position(body, ">Whereby</a>", uri);
    let jitsi = position(body, ">Jitsi Meet</a>", uri);
    assert!(state_heading < state_tool && state_tool < meeting_heading);
    assert!(meeting_heading < oodrive && oodrive < others_heading);
    assert!(others_heading < whereby && others_heading < jitsi);
    assert!(
        body[state_tool..meeting_heading]
            .contains("Outil de l'État (La Suite numérique, socle stratégique)")
    );
    assert!(
        body[oodrive..others_heading]
            .contains("Qualification SecNumCloud en vigueur jusqu'au 25/01/2028.")
    );
    let whereby_item = &body[whereby..whereby + body[whereby..].find("</li>\n").unwrap()];
    assert!(
        whereby_item.contains("Aucune qualification SecNumCloud en vigueur : la doctrine la demande pour les données sensibles."),
        "{whereby_item}"
    );
    let jitsi_item = &body[jitsi..jitsi + body[jitsi..].find("</li>\n").unwrap()];
    assert!(
        jitsi_item.contains("Logiciel que vous exploitez vous-même"),
        "{jitsi_item}"
    );
    // Only the State tool and Oodrive Meet are above the others.
    assert_eq!(
        body[meeting_heading..others_heading]
            .matches("<h4 ")
            .count(),
        1
    );

    // Health data: HDS is required, and HDS offers also qualified SecNumCloud come first.
    let uri = "/en/besoin?besoin=suite_class%3Ahosting&sensibilite=health";
    let page = site.get(uri).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_is_a_page(&page, "en");
    let body = &page.body;
    assert!(body.contains("The State has no tool recorded for this need"));
    let meeting_heading = position(body, "2. Offers meeting the requirement", uri);
    let others_heading = position(body, "3. The other offers", uri);
    let first = &body[meeting_heading..others_heading];
    let first = &first[first.find("<li").unwrap()..first.find("</ul>").unwrap()];
    assert!(first.contains("HDS certificate in force"), "{first}");
    assert!(
        first.contains("For health data that are also sensitive"),
        "{first}"
    );
    let temple = position(body, ">Cloud Temple Secure Temple (IaaS)</a>", uri);
    assert!(temple > others_heading);
    assert!(body[temple..].contains(
        "SecNumCloud-qualified, but hosting health data also requires the HDS certificate."
    ));

    // An unknown need is a 400 with the form and what is wrong.
    let page = site.get("/besoin?besoin=teams&sensibilite=secret").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("Ce besoin n'est pas dans la liste"));
    assert!(page.body.contains("Cette sensibilité n'existe pas"));
    assert!(page.body.contains("id=\"formulaire-besoin\""));
    // The home page leads to it.
    let home = site.get("/").await;
    assert!(
        home.body
            .contains("<h3 class=\"fr-tile__title\"><a href=\"/besoin\">"),
        "an entry point of the home page"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sources_page_lists_each_source_its_runs_and_what_changed_lately() {
    use registre_indexer::sources::anssi_catalogue::fixture::{FixtureEdition, render_fixture};
    use registre_store::refresh::RunEnd;

    let site = site().await;
    // A successful run of the ANSSI catalogue (December 2025 edition) and a failed run of ANS HDS.
    let catalogue = contract::find("anssi-catalogue").unwrap();
    let edition = catalogue
        .parse(&render_fixture(&FixtureEdition::december_2025()))
        .unwrap();
    let mut lock = site
        .store
        .lock_source("anssi-catalogue")
        .await
        .unwrap()
        .unwrap();
    let run = site.store.start_run("anssi-catalogue").await.unwrap();
    let report = lock.apply(&edition, today()).await.unwrap();
    assert!(!report.changes.is_empty());
    site.store
        .finish_run(
            run,
            RunEnd {
                outcome: "applied",
                edition: Some(edition.label.clone()),
                rows: Some(report.rows as i32),
                changes: Some(report.changes.len() as i32),
                ..RunEnd::default()
            },
        )
        .await
        .unwrap();
    drop(lock);
    let failed = site.store.start_run("ans-hds").await.unwrap();
    site.store
        .finish_run(
            failed,
            RunEnd {
                outcome: "failed",
                error: Some("HTTP 503 Service Unavailable from the source".into()),
                ..RunEnd::default()
            },
        )
        .await
        .unwrap();
    let latest = site.store.recent_changes(1).await.unwrap().remove(0);

    let page = site.get("/sources").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_is_a_page(&page, "fr");
    assert_accessible_structure(&page, "/sources");
    let body = &page.body;
    for text in [
        "Catalogue de l'ANSSI",
        "Services en cours de qualification (ANSSI)",
        "Hébergeurs de données de santé (ANS)",
        "Catalogue cloud de l'ACN (Italie)",
        "Code de conduite européen du cloud",
        "href=\"/api/v1/changes.atom\"",
        "Jamais relue",
    ] {
        assert!(body.contains(text), "/sources lacks {text:?}");
    }
    let row = |id: &str| {
        let at = position(body, &format!("<tr id=\"source-{id}\">"), "/sources");
        &body[at..at + body[at..].find("</tr>").unwrap()]
    };
    let applied = row("anssi-catalogue");
    assert!(applied.contains(&edition.label), "{applied}");
    assert!(applied.contains("Nouvelle édition appliquée"));
    assert!(applied.contains("À jour"), "{applied}");
    let hds = row("ans-hds");
    assert!(hds.contains("Échec") && hds.contains("HTTP 503 Service Unavailable from the source"));
    assert!(hds.contains("Aucun succès pour l'instant") && hds.contains("Pas à jour"));
    // What changed lately: the newest change first, linked to its record by key.
    let recent = &body[position(body, "Ce qui a changé récemment", "/sources")..];
    assert!(recent.contains(&latest.summary_fr), "{}", latest.summary_fr);
    let offer = site.store.offer(latest.offer_id.unwrap()).await.unwrap();
    assert!(recent.contains(&format!("href=\"/offres/{}\"", offer.key)));
    // English, and the feed is announced on every page.
    let english = site.get("/en/sources").await;
    assert_is_a_page(&english, "en");
    assert!(english.body.contains(&latest.summary_en));
    assert!(english.body.contains("Health-data hosts (ANS)"));
    for uri in ["/", "/en/sources", "/recherche"] {
        let page = site.get(uri).await;
        assert!(page.body.contains(
            "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"/api/v1/changes.atom\""
        ));
        assert!(page.body.contains(if uri.starts_with("/en") {
            "href=\"/en/sources\""
        } else {
            "href=\"/sources\""
        }));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_previous_page_link_leads_back_page_by_page_as_a_plain_url() {
    let site = site().await;
    let link = |page: &Page, class: &str| {
        let at = page.body.find(class)?;
        let tag = &page.body[page.body[..at].rfind('<').unwrap()..];
        attribute_values(tag, "href")
            .first()
            .map(|href| href.replace("&amp;", "&"))
    };
    let next_of = |page: &Page| link(page, "fr-pagination__link--next");
    let previous_of = |page: &Page| link(page, "fr-pagination__link--prev");
    let first = site.get("/recherche?sort=name").await;
    assert!(previous_of(&first).is_none(), "no previous page on page 1");
    let second = site.get(&next_of(&first).unwrap()).await;
    let third = site.get(&next_of(&second).unwrap()).await;
    assert!(third.body.contains("Page 3"));
    let back = previous_of(&third).expect("a previous-page link on page 3");
    assert_eq!(back, "/recherche?sort=name&page=2");
    let second_again = site.get(&back).await;
    assert_eq!(second_again.status, StatusCode::OK);
    assert!(second_again.body.contains("Page 2"));
    assert_eq!(hit_links(&second_again.body), hit_links(&second.body));
    assert_eq!(hit_links(&second.body).len(), 20);
    assert_ne!(hit_links(&second.body), hit_links(&first.body));
    // From page 2, back is the first page, and forward is page 3 again.
    assert_eq!(previous_of(&second_again).unwrap(), "/recherche?sort=name");
    let third_again = site.get(&next_of(&second_again).unwrap()).await;
    assert_eq!(hit_links(&third_again.body), hit_links(&third.body));
    // A page number past the end falls back to the first page with a notice.
    let past = site.get("/recherche?sort=name&page=200").await;
    assert_eq!(past.status, StatusCode::OK);
    assert!(past.body.contains("Cette page de résultats n'existe plus"));
    assert_eq!(hit_links(&past.body), hit_links(&first.body));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_answer_at_their_key_urls_and_pages_link_the_key_form() {
    let site = site().await;
    let ovh = site.supplier_id("ovhcloud").await;
    let by_key = site.get("/fournisseurs/ovhcloud").await;
    assert_eq!(by_key.status, StatusCode::OK);
    assert!(by_key.body.contains("OVH SAS") && by_key.body.contains("424761419"));
    let by_id = site.get(&format!("/fournisseurs/{ovh}")).await;
    assert_eq!(by_id.status, StatusCode::OK);
    assert!(by_id.body.contains("<h1>OVHcloud</h1>") && by_key.body.contains("<h1>OVHcloud</h1>"));
    // The supplier page links its offers by key; the offer page its supplier.
    assert!(by_key.body.contains("href=\"/offres/ovh-hpc-snc\""));
    let offer = site.get("/en/offres/ovh-hpc-snc").await;
    assert_eq!(offer.status, StatusCode::OK);
    assert!(offer.body.contains("Decision 2023-2279"));
    assert!(offer.body.contains("href=\"/en/fournisseurs/ovhcloud\""));
    // Results link the key form.
    let results = site.get("/recherche?q=ovhcloud").await;
    let links = hit_links(&results.body);
    assert!(
        links.contains(&"/fournisseurs/ovhcloud".to_owned()),
        "{links:?}"
    );
    assert!(
        links.iter().all(|l| !l
            .rsplit('/')
            .next()
            .unwrap()
            .bytes()
            .all(|b| b.is_ascii_digit())),
        "{links:?}"
    );
    for uri in [
        "/offres/pas-une-offre",
        "/fournisseurs/ovh-hpc-snc",
        "/offres/Not_A_Key",
        "/en/fournisseurs/nobody",
    ] {
        assert_eq!(site.get(uri).await.status, StatusCode::NOT_FOUND, "{uri}");
    }
}
