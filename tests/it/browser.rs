//! End-to-end tests in a real headless Chromium (Debian's chromium and chromedriver) against the real
//! application loaded with the bundled dataset: the buyer's paths, axe-core on every page type in
//! French and English, and screenshots of every page type at desktop and mobile widths written to
//! `target/screenshots/` (a failed scenario leaves `failed-<scenario>.png` there too).
//!
//! One browser session serves the whole run. Adding a scenario: a function of the browser and the app
//! returning an `Outcome` in `browser/scenarios.rs`, and a line in `SCENARIOS`; adding a page type: a
//! line in `page_types`.
//! Without chromium the test fails, unless `REGISTRE_TEST_SKIP_BROWSER=1` says to skip it.

mod accessibility;
mod harness;
mod scenarios;

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use anyhow::Context;
use registre_store::{PageRequest, SupplierFilter};

use crate::support::{Engine, TestApp, spawn_app};
use harness::Browser;

/// What a scenario returns: `Err` says what the page showed instead of what was expected.
pub type Outcome<'a> = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send + 'a>>;
type Scenario = for<'a> fn(&'a Browser, &'a TestApp) -> Outcome<'a>;

const SCENARIOS: &[(&str, Scenario)] = &[
    ("search-from-home", scenarios::search_from_the_home_page),
    ("two-facets", scenarios::filter_the_results_by_two_facets),
    ("open-supplier", scenarios::open_a_supplier),
    (
        "switch-language",
        scenarios::switch_language_on_the_same_page,
    ),
    (
        "keyboard-only",
        scenarios::keyboard_only_from_the_skip_link_to_a_result,
    ),
    ("need-helper", scenarios::use_the_need_helper),
    ("compare", scenarios::compare_two_offers),
    ("csv-download", scenarios::download_the_results_as_csv),
    ("autocomplete", scenarios::autocomplete_opens_a_suggestion),
    ("axe-can-fail", scenarios::axe_reports_a_planted_violation),
    ("event-grid", scenarios::open_an_event_grid_with_the_token),
    (
        "event-agenda",
        scenarios::open_a_participant_agenda_with_the_token,
    ),
    (
        "inline-script-blocked",
        scenarios::the_security_policy_blocks_inline_scripts,
    ),
];

/// A page type: its name in the screenshot files, its French path and the heading each language shows.
struct PageType {
    name: &'static str,
    path: String,
    french: &'static str,
    english: &'static str,
}

impl PageType {
    fn new(
        name: &'static str,
        path: impl Into<String>,
        french: &'static str,
        english: &'static str,
    ) -> Self {
        Self {
            name,
            path: path.into(),
            french,
            english,
        }
    }
}

async fn supplier_id(app: &TestApp, key: &str) -> i64 {
    let mut after = None;
    loop {
        let page = app
            .store
            .list_suppliers(
                &SupplierFilter::default(),
                PageRequest { after, limit: 200 },
            )
            .await
            .expect("suppliers list");
        if let Some(found) = page.items.iter().find(|s| s.key.as_str() == key) {
            return found.id;
        }
        after = Some(
            page.next_after
                .expect("the supplier is in the bundled dataset"),
        );
    }
}

async fn offer_id(app: &TestApp, key: &str) -> i64 {
    let mut after = None;
    let today = chrono::Utc::now().date_naive();
    loop {
        let page = app
            .store
            .list_offers(
                &Default::default(),
                PageRequest { after, limit: 200 },
                today,
            )
            .await
            .expect("offers list");
        if let Some(found) = page.items.iter().find(|o| o.key.as_str() == key) {
            return found.id;
        }
        after = Some(
            page.next_after
                .expect("the offer is in the bundled dataset"),
        );
    }
}

/// A matchmaking day created over the API with the admin token: its id and the organiser's token.
async fn event(app: &TestApp) -> anyhow::Result<(i64, String)> {
    let now = chrono::Utc::now();
    let response = app
        .admin(reqwest::Method::POST, "/api/v1/events")
        .json(&serde_json::json!({
            "name": "Journée Alternatives, Bercy", "date": "2026-03-27", "venue": "Bercy",
            "utc_offset": "+01:00", "start": "09:00", "end": "12:30", "slot_minutes": 30,
            "breaks": [{"start": "10:30", "end": "11:00"}], "tables": 2, "max_meetings_per_participant": 3,
            "registration_opens": (now - chrono::Duration::hours(1)).to_rfc3339(),
            "registration_closes": (now + chrono::Duration::days(1)).to_rfc3339(),
            "rules": "Une demande réciproque pèse 3, une demande de l'administration 2, une demande de l'éditeur 1."
        }))
        .send()
        .await?;
    anyhow::ensure!(
        response.status() == 201,
        "POST /api/v1/events: {}",
        response.status()
    );
    let body: serde_json::Value = response.json().await?;
    let id = body["event"]["id"].as_i64().context("the event's id")?;
    let token = body["organiser_token"]
        .as_str()
        .context("the organiser's token")?;
    Ok((id, token.to_owned()))
}

/// axe and a desktop screenshot of the page a scenario reached (a page no GET URL gives, such as
/// the answer to a POST form): `Err` lists every serious or critical violation.
async fn audit(browser: &Browser, name: &str) -> anyhow::Result<()> {
    let file = harness::screenshot_dir().join(format!("{name}.fr.desktop.png"));
    browser.screenshot(&file).await?;
    let blocking: Vec<String> = accessibility::check(browser)
        .await?
        .iter()
        .filter(|v| v.blocks())
        .map(ToString::to_string)
        .collect();
    anyhow::ensure!(blocking.is_empty(), "axe: {}", blocking.join("; "));
    Ok(())
}

/// Every page type, with a record that fills it (a supplier with offers, attestations and a control
/// chain; an offer with alternatives).
async fn page_types(app: &TestApp) -> Vec<PageType> {
    let supplier = supplier_id(app, "ovhcloud").await;
    let offer = offer_id(app, "ovh-hpc-snc").await;
    let (event, _) = event(app).await.expect("an event");
    vec![
        PageType::new("home", "/", "Qui peut fournir", "Who can provide"),
        PageType::new(
            "results",
            "/recherche?q=cloud",
            "Résultats pour « cloud »",
            "Results for “cloud”",
        ),
        PageType::new(
            "results-filtered",
            "/recherche?category=iaas&scheme=secnumcloud&sort=name",
            "Fournisseurs et offres",
            "Suppliers and offers",
        ),
        PageType::new(
            "supplier",
            format!("/fournisseurs/{supplier}"),
            "OVHcloud",
            "OVHcloud",
        ),
        PageType::new(
            "offer",
            format!("/offres/{offer}"),
            "OVHcloud Hosted Private Cloud (SecNumCloud)",
            "OVHcloud Hosted Private Cloud (SecNumCloud)",
        ),
        PageType::new(
            "compare",
            "/comparer?offre=cegedim-iaas&offre=cloudtemple-iaas",
            "CegNumCloud Secured IaaS, Cloud Temple Secure Temple (IaaS)",
            "CegNumCloud Secured IaaS, Cloud Temple Secure Temple (IaaS)",
        ),
        PageType::new(
            "need",
            "/besoin?besoin=suite_class:visio&sensibilite=sensitive",
            "Trouver une offre selon son besoin",
            "Find an offer for your need",
        ),
        PageType::new("sources", "/sources", "Sources", "Sources"),
        PageType::new(
            "event-token",
            format!("/evenements/{event}/grille"),
            "Grille de l'organisateur",
            "Organiser's grid",
        ),
        PageType::new("open-data", "/donnees", "Données ouvertes", "Open data"),
        PageType::new(
            "accessibility",
            "/accessibilite",
            "accessibilité",
            "ccessibility",
        ),
        PageType::new(
            "legal",
            "/mentions-legales",
            "Mentions légales",
            "Legal notice",
        ),
        PageType::new(
            "not-found",
            "/cette-page-n-existe-pas",
            "Page non trouvée",
            "Page not found",
        ),
    ]
}

fn english(path: &str) -> String {
    if path == "/" {
        "/en/".to_owned()
    } else {
        format!("/en{path}")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_pass_every_scenario_and_axe_in_headless_chromium() {
    let Some((chromium, chromedriver)) = harness::locate() else {
        return;
    };
    let started = Instant::now();
    let app = spawn_app(Engine::Sqlite, true)
        .await
        .expect("SQLite is never skipped");
    let pages = page_types(&app).await;
    let browser = Browser::start(&chromium, &chromedriver, &app.base)
        .await
        .expect("a headless Chromium session");
    let shots = harness::screenshot_dir();
    // Only this run's pictures: a failure's picture from an earlier run would mislead.
    let _ = std::fs::remove_dir_all(&shots);
    let mut failures = Vec::new();

    for (name, scenario) in SCENARIOS {
        let began = Instant::now();
        match scenario(&browser, &app).await {
            Ok(()) => eprintln!("scenario {name}: ok ({} ms)", began.elapsed().as_millis()),
            Err(error) => {
                let _ = browser
                    .screenshot(&shots.join(format!("failed-{name}.png")))
                    .await;
                failures.push(format!("scenario {name}: {error:#}"));
            }
        }
    }

    // axe and the desktop screenshots, every page type in both languages; then the mobile width.
    for (lang, width, height, axe) in [
        ("fr", 1280, 900, true),
        ("en", 1280, 900, true),
        ("fr", 375, 812, true),
        ("en", 375, 812, false),
    ] {
        if let Err(error) = browser.viewport(width, height).await {
            failures.push(format!("viewport {width}×{height}: {error:#}"));
            continue;
        }
        let device = if width < 768 { "mobile" } else { "desktop" };
        for page in &pages {
            let path = if lang == "fr" {
                page.path.clone()
            } else {
                english(&page.path)
            };
            let heading = if lang == "fr" {
                page.french
            } else {
                page.english
            };
            if let Err(error) = visit(&browser, &path, lang, heading).await {
                failures.push(format!("{path}: {error:#}"));
                continue;
            }
            if axe {
                match accessibility::check(&browser).await {
                    Ok(violations) => {
                        for violation in &violations {
                            if violation.blocks() {
                                failures.push(format!("axe on {path} ({device}): {violation}"));
                            } else {
                                eprintln!("axe on {path} ({device}), not blocking: {violation}");
                            }
                        }
                    }
                    Err(error) => failures.push(format!("axe on {path}: {error:#}")),
                }
            }
            if device == "mobile" {
                match browser.overflow().await {
                    Ok(None) => {}
                    Ok(Some(overflow)) => {
                        failures.push(format!("{path} does not fit a phone's width: {overflow}"))
                    }
                    Err(error) => failures.push(format!("{path}: {error:#}")),
                }
            }
            let file = shots.join(format!("{}.{lang}.{device}.png", page.name));
            if let Err(error) = browser.screenshot(&file).await {
                failures.push(format!("screenshot of {path}: {error:#}"));
            }
        }
    }

    browser.close().await;
    app.stop().await;
    eprintln!(
        "browser tests: {} scenarios, {} page types, {} s; screenshots in {}",
        SCENARIOS.len(),
        pages.len(),
        started.elapsed().as_secs(),
        shots.display()
    );
    assert!(
        failures.is_empty(),
        "{} failures in the browser:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Opens a page and checks it is the page asked for: the language, and its heading when given.
async fn visit(browser: &Browser, path: &str, lang: &str, heading: &str) -> anyhow::Result<()> {
    browser.open(path).await?;
    let shown = browser.lang().await?;
    anyhow::ensure!(shown == lang, "<html lang={shown:?}>, expected {lang:?}");
    let h1 = browser.text("h1").await?;
    anyhow::ensure!(
        h1.contains(heading),
        "the heading is {h1:?}, expected {heading:?}"
    );
    Ok(())
}
