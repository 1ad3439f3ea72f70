//! The paths a buyer takes through the pages, each asserting on what the page shows. A scenario
//! starts from a URL of its own, so that it does not depend on the one before it.

use anyhow::{Context, Result, ensure};
use fantoccini::Locator;
use fantoccini::key::Key;

use super::Outcome;
use super::harness::Browser;
use crate::support::TestApp;

/// The number in the results' status line ("42 résultats").
async fn total(browser: &Browser) -> Result<u64> {
    let status = browser.text(".registre-results-head [role=status]").await?;
    status
        .split(|c: char| !c.is_ascii_digit())
        .find(|part| !part.is_empty())
        .and_then(|digits| digits.parse().ok())
        .with_context(|| format!("no count in the status line {status:?}"))
}

/// The names of the hits on a results page.
async fn hits(browser: &Browser) -> Result<Vec<String>> {
    browser.texts(".registre-hits .fr-card__title a").await
}

/// A query typed into the home page's search box and sent with its button.
pub fn search_from_the_home_page<'a>(browser: &'a Browser, _app: &'a TestApp) -> Outcome<'a> {
    Box::pin(async move {
        browser.open("/").await?;
        let title = browser.text("h1").await?;
        ensure!(
            title.contains("Qui peut fournir"),
            "home heading: {title:?}"
        );
        browser.find("#q").await?.send_keys("ovhcloud").await?;
        browser
            .click("#recherche-principale button[type=submit]")
            .await?;
        let path = browser
            .wait_for_path("the results of the query", |p| p.starts_with("/recherche?"))
            .await?;
        ensure!(path == "/recherche?q=ovhcloud", "results URL: {path}");
        let heading = browser.text("h1").await?;
        ensure!(
            heading == "Résultats pour « ovhcloud »",
            "results heading: {heading:?}"
        );
        let value = browser.find("#q").await?.prop("value").await?;
        ensure!(
            value.as_deref() == Some("ovhcloud"),
            "the search box keeps the query, shows {value:?}"
        );
        let names = hits(browser).await?;
        ensure!(
            names.iter().any(|name| name.contains("OVHcloud")),
            "no OVHcloud among the hits {names:?}"
        );
        ensure!(total(browser).await? >= names.len() as u64);
        Ok(())
    })
}

/// Two facet checkboxes ticked, then "Appliquer les filtres": fewer results, each matching both.
pub fn filter_the_results_by_two_facets<'a>(
    browser: &'a Browser,
    _app: &'a TestApp,
) -> Outcome<'a> {
    Box::pin(async move {
        browser.open("/recherche").await?;
        let everything = total(browser).await?;
        // A keyboard or pointer user ticks the label: DSFR draws its own box over the input.
        browser.click("label[for=f-category-iaas]").await?;
        browser.click("label[for=f-scheme-secnumcloud]").await?;
        browser
            .click("#recherche-principale .fr-col-md-4 > button[type=submit]")
            .await?;
        let path = browser
            .wait_for_path("the filtered results", |p| p.contains("scheme=secnumcloud"))
            .await?;
        ensure!(
            path.contains("category=iaas"),
            "both facets in the URL: {path}"
        );
        for checkbox in ["#f-category-iaas", "#f-scheme-secnumcloud"] {
            ensure!(
                browser.find(checkbox).await?.is_selected().await?,
                "{checkbox} is no longer ticked on {path}"
            );
        }
        let filtered = total(browser).await?;
        ensure!(
            filtered > 0 && filtered < everything,
            "{filtered} results with both filters, {everything} without"
        );
        // Suppliers match through their offers; each offer shown must match both filters itself.
        let offers = browser
            .script(
                "return [...document.querySelectorAll('.registre-hits > li')]
                   .filter(li => li.querySelector('.fr-card__title a[href^=\"/offres/\"]'))
                   .map(li => li.textContent)",
                vec![],
            )
            .await?;
        let offers = offers.as_array().context("a list of offer cards")?;
        ensure!(!offers.is_empty(), "no offer shown for {filtered} results");
        for card in offers {
            let card = card.as_str().unwrap_or_default();
            ensure!(
                card.contains("SecNumCloud") && card.contains("(IaaS)"),
                "an offer that is not IaaS with SecNumCloud: {card:?}"
            );
        }
        let clear = browser.find_link("Retirer tous les filtres").await?;
        let href = clear.attr("href").await?.unwrap_or_default();
        ensure!(
            !href.contains("category") && !href.contains("scheme"),
            "the link that removes the filters goes to {href}"
        );
        Ok(())
    })
}

/// A supplier opened from the results: its page names it and shows its offers.
pub fn open_a_supplier<'a>(browser: &'a Browser, _app: &'a TestApp) -> Outcome<'a> {
    Box::pin(async move {
        browser.open("/recherche?q=ovhcloud&kind=supplier").await?;
        let link = browser.find(".registre-hits .fr-card__title a").await?;
        let name = link.text().await?;
        let href = link.attr("href").await?.unwrap_or_default();
        ensure!(
            href.starts_with("/fournisseurs/"),
            "the first supplier hit links to {href}"
        );
        link.click().await?;
        let path = browser.wait_for_path(&href, |p| p == href).await?;
        let heading = browser.text("h1").await?;
        ensure!(
            heading == name,
            "{path} is headed {heading:?}, the link said {name:?}"
        );
        let sections = browser.texts("main h2").await?;
        for wanted in [
            "Identité",
            "Chaîne de contrôle",
            "Exposition aux lois extra-européennes",
        ] {
            ensure!(
                sections.iter().any(|s| s == wanted),
                "no {wanted:?} section on {path}: {sections:?}"
            );
        }
        let offers = browser
            .find_all(".registre-offers a[href^='/offres/']")
            .await?;
        ensure!(!offers.is_empty(), "{name} shows no offer");
        Ok(())
    })
}

/// The language switch keeps the page and its query, both ways.
pub fn switch_language_on_the_same_page<'a>(
    browser: &'a Browser,
    _app: &'a TestApp,
) -> Outcome<'a> {
    Box::pin(async move {
        browser.open("/recherche?q=ovhcloud&category=iaas").await?;
        browser.click(".registre-tools a[hreflang=en]").await?;
        let path = browser
            .wait_for_path("the English results", |p| p.starts_with("/en/"))
            .await?;
        ensure!(
            path == "/en/recherche?q=ovhcloud&category=iaas",
            "English results at {path}"
        );
        ensure!(browser.lang().await? == "en");
        let heading = browser.text("h1").await?;
        ensure!(
            heading == "Results for “ovhcloud”",
            "English heading {heading:?}"
        );
        ensure!(
            browser
                .find("#f-category-iaas")
                .await?
                .is_selected()
                .await?
        );
        ensure!(browser.text(".fr-col-md-4 > button[type=submit]").await? == "Apply the filters");

        // The same on a supplier page, and back to French by the footer's switch.
        let supplier = browser
            .find(".registre-hits .fr-card__title a[href^='/en/fournisseurs/']")
            .await?;
        let name = supplier.text().await?;
        let href = supplier.attr("href").await?.unwrap_or_default();
        supplier.click().await?;
        browser.wait_for_path(&href, |p| p == href).await?;
        let sections = browser.texts("main h2").await?;
        ensure!(
            sections.iter().any(|s| s == "Control chain"),
            "English supplier sections {sections:?}"
        );
        browser.click("footer a[hreflang=fr]").await?;
        let french = href.trim_start_matches("/en");
        let path = browser.wait_for_path(french, |p| p == french).await?;
        ensure!(browser.lang().await? == "fr", "{path} is not in French");
        ensure!(
            browser.text("h1").await? == name,
            "{path} is another supplier"
        );
        let sections = browser.texts("main h2").await?;
        ensure!(
            sections.iter().any(|s| s == "Chaîne de contrôle"),
            "French supplier sections {sections:?}"
        );
        Ok(())
    })
}

/// Keyboard only, Tab and Enter: the skip link to the search, a query, its results, a result opened.
pub fn keyboard_only_from_the_skip_link_to_a_result<'a>(
    browser: &'a Browser,
    _app: &'a TestApp,
) -> Outcome<'a> {
    Box::pin(async move {
        browser.open("/").await?;
        browser.press(Key::Tab).await?;
        let first = browser.focus().await?;
        ensure!(
            first.href == "#contenu" && first.visible,
            "the first Tab stop is not the visible skip link to the content: {first:?}"
        );
        browser.press(Key::Tab).await?;
        let skip = browser.focus().await?;
        ensure!(
            skip.href == "#recherche-principale" && skip.text == "Recherche",
            "the second Tab stop is not the skip link to the search: {skip:?}"
        );
        browser.press(Key::Enter).await?;
        browser.press(Key::Tab).await?;
        let input = browser.focus().await?;
        ensure!(
            input.id == "q",
            "after the skip link, Tab does not reach the search box: {input:?}"
        );
        browser.type_text("ovhcloud").await?;
        browser.press(Key::Enter).await?;
        browser
            .wait_for_path("the results", |p| p == "/recherche?q=ovhcloud")
            .await?;
        let result = browser
            .tab_until("a result link", 200, |focus| {
                focus.href.starts_with("/fournisseurs/") || focus.href.starts_with("/offres/")
            })
            .await?;
        browser.press(Key::Enter).await?;
        let href = result.href.clone();
        browser.wait_for_path(&href, |p| p == href).await?;
        let heading = browser.text("h1").await?;
        ensure!(
            heading == result.text,
            "Enter on {:?} opened a page headed {heading:?}",
            result.text
        );
        Ok(())
    })
}

/// In a real browser, the Content-Security-Policy refuses an inline script (the reason every
/// script must be a file, and why axe is injected by WebDriver).
pub fn the_security_policy_blocks_inline_scripts<'a>(
    browser: &'a Browser,
    _app: &'a TestApp,
) -> Outcome<'a> {
    Box::pin(async move {
        browser.open("/").await?;
        let ran = browser
            .script(
                "const s = document.createElement('script');
                 s.textContent = 'window.registreInline = true';
                 document.head.appendChild(s);
                 return window.registreInline === true;",
                vec![],
            )
            .await?;
        ensure!(
            ran == serde_json::Value::Bool(false),
            "an inline script ran"
        );
        Ok(())
    })
}

/// The need helper, reached from the header: a need and a sensitivity give, in this order, the
/// State's tool, the offers meeting the requirement, then the others, each saying why.
pub fn use_the_need_helper<'a>(browser: &'a Browser, _app: &'a TestApp) -> Outcome<'a> {
    Box::pin(async move {
        browser.open("/").await?;
        browser.click(".registre-tools a[href='/besoin']").await?;
        browser
            .wait_for_path("the need helper", |p| p == "/besoin")
            .await?;
        browser
            .find("#besoin")
            .await?
            .select_by_value("suite_class:visio")
            .await?;
        browser.click("label[for=sensibilite-sensitive]").await?;
        browser
            .click("#formulaire-besoin button[type=submit]")
            .await?;
        let path = browser
            .wait_for_path("the need helper's answer", |p| p.starts_with("/besoin?"))
            .await?;
        ensure!(
            path.contains("besoin=suite_class%3Avisio") && path.contains("sensibilite=sensitive"),
            "the answer's URL {path}"
        );
        let sections = browser.texts("section[aria-labelledby=reponse] h3").await?;
        ensure!(
            sections.len() == 3 && sections[0].contains("outil de l'État"),
            "the answer's sections are not State tool, meeting, others: {sections:?}"
        );
        let state = browser.texts("#outil-etat + ol > li h4").await?;
        ensure!(
            state.iter().any(|name| name.contains("Visio")),
            "the State's video tool is not first: {state:?}"
        );
        let meeting = browser.texts("#offres-conformes ~ p + ol > li").await?;
        ensure!(
            !meeting.is_empty() && meeting.iter().all(|m| m.contains("SecNumCloud")),
            "the offers meeting the requirement do not all say SecNumCloud: {meeting:?}"
        );
        let others = browser.find_all("#autres-offres + ol > li").await?;
        ensure!(!others.is_empty(), "no other offer listed");
        for other in others {
            let reasons = other.find_all(Locator::Css("ul > li")).await?;
            ensure!(
                !reasons.is_empty(),
                "an excluded offer says nothing of why: {:?}",
                other.text().await?
            );
        }
        Ok(())
    })
}

/// Two offers ticked in the results and compared side by side.
pub fn compare_two_offers<'a>(browser: &'a Browser, _app: &'a TestApp) -> Outcome<'a> {
    Box::pin(async move {
        browser
            .open("/recherche?category=iaas&scheme=secnumcloud&sort=name")
            .await?;
        let names = browser
            .script(
                "return [...document.querySelectorAll('.registre-compare-pick input')]
                   .map(i => i.closest('li').querySelector('.fr-card__title a').textContent.trim())",
                vec![],
            )
            .await?;
        let names: Vec<&str> = names
            .as_array()
            .context("a list of names")?
            .iter()
            .filter_map(|n| n.as_str())
            .collect();
        let picks = browser.find_all(".registre-compare-pick input").await?;
        ensure!(
            picks.len() >= 2,
            "fewer than 2 offers can be ticked for comparison"
        );
        for pick in &picks[..2] {
            let id = pick.attr("id").await?.unwrap_or_default();
            browser.click(&format!("label[for='{id}']")).await?;
        }
        browser.click("#comparer button[type=submit]").await?;
        let path = browser
            .wait_for_path("the comparison", |p| p.starts_with("/comparer?"))
            .await?;
        ensure!(path.matches("offre=").count() == 2, "comparison URL {path}");
        let columns = browser.texts(".registre-compare thead th a").await?;
        ensure!(
            columns == names[..2],
            "compared {columns:?}, ticked the first two of {names:?}"
        );
        let rows = browser
            .texts(".registre-compare tbody th[scope=row]")
            .await?;
        ensure!(
            rows.iter().any(|r| r.contains("Exposition")),
            "no exposure row among {rows:?}"
        );
        Ok(())
    })
}

/// The CSV download of a filtered result set holds the same results as the page.
pub fn download_the_results_as_csv<'a>(browser: &'a Browser, _app: &'a TestApp) -> Outcome<'a> {
    Box::pin(async move {
        browser
            .open("/recherche?category=iaas&scheme=secnumcloud")
            .await?;
        let shown = total(browser).await?;
        browser
            .click("#telechargements a[href^='/recherche.csv']")
            .await?;
        let csv = browser.downloaded(".csv").await?;
        let mut reader = csv::Reader::from_reader(csv.as_slice());
        let headers: Vec<String> = reader.headers()?.iter().map(str::to_owned).collect();
        ensure!(
            headers.get(3).map(String::as_str) == Some("nom")
                && headers.get(5).map(String::as_str) == Some("catégorie"),
            "unexpected CSV columns {headers:?}"
        );
        let rows = reader.records().collect::<Result<Vec<_>, _>>()?;
        ensure!(
            rows.len() as u64 == shown,
            "the CSV has {} rows, the page says {shown} results",
            rows.len()
        );
        // Same filters, same order: the page's hits are the CSV's first rows.
        let names: Vec<&str> = rows.iter().filter_map(|row| row.get(3)).collect();
        let page = hits(browser).await?;
        ensure!(
            names.len() >= page.len() && names[..page.len()] == page[..],
            "the CSV's first names {names:?} are not the page's {page:?}"
        );
        let offers: Vec<_> = rows
            .iter()
            .filter(|row| row.get(0) == Some("Offre"))
            .collect();
        ensure!(!offers.is_empty(), "no offer row in the CSV");
        for row in offers {
            ensure!(
                row.get(5) == Some("Infrastructure en nuage (IaaS)"),
                "an offer row outside the IaaS category: {row:?}"
            );
        }
        Ok(())
    })
}

/// With its script, the search box suggests records; the arrow keys choose one and Enter opens it.
pub fn autocomplete_opens_a_suggestion<'a>(browser: &'a Browser, _app: &'a TestApp) -> Outcome<'a> {
    Box::pin(async move {
        browser.open("/").await?;
        browser.click("#q").await?;
        browser.type_text("ovh").await?;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let options = loop {
            let options = browser.texts(".registre-suggestions [role=option]").await?;
            if !options.is_empty() {
                break options;
            }
            ensure!(
                std::time::Instant::now() < deadline,
                "no suggestion appeared for \"ovh\""
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        let expanded = browser.find("#q").await?.attr("aria-expanded").await?;
        ensure!(
            expanded.as_deref() == Some("true"),
            "the combobox says aria-expanded={expanded:?} with {options:?} shown"
        );
        browser.press(Key::Down).await?;
        browser.press(Key::Enter).await?;
        let path = browser
            .wait_for_path("the suggested record", |p| {
                p.starts_with("/fournisseurs/") || p.starts_with("/offres/")
            })
            .await?;
        let heading = browser.text("h1").await?;
        ensure!(
            options[0].starts_with(&heading),
            "{path} is headed {heading:?}, the first suggestion was {:?}",
            options[0]
        );
        Ok(())
    })
}

/// The axe check can fail: an image without a text alternative planted in a page is reported.
pub fn axe_reports_a_planted_violation<'a>(browser: &'a Browser, _app: &'a TestApp) -> Outcome<'a> {
    Box::pin(async move {
        browser.open("/mentions-legales").await?;
        browser
            .script(
                "const img = document.createElement('img');
                 img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
                 document.querySelector('main').appendChild(img);",
                vec![],
            )
            .await?;
        let violations = super::accessibility::check(browser).await?;
        ensure!(
            violations
                .iter()
                .any(|v| v.rule == "image-alt" && v.blocks()),
            "axe missed the planted image without alt: {violations:?}"
        );
        Ok(())
    })
}

/// Types `token` into the token form at `form` and sends it; the answer is a new page at the same
/// address.
async fn submit_token(browser: &Browser, form: &str, token: &str) -> Result<()> {
    browser.find("#jeton").await?.send_keys(token).await?;
    browser
        .click_for_new_page(".registre-token-form button[type=submit]")
        .await?;
    let path = browser.path().await?;
    ensure!(
        path == form,
        "the token form answered at {path}, not {form}"
    );
    Ok(())
}

/// A matchmaking day's organiser opens the grid with the token (sent in a POST body, never in the
/// address); a wrong token gets the form back, marked invalid. Both pages pass axe.
pub fn open_an_event_grid_with_the_token<'a>(
    browser: &'a Browser,
    app: &'a TestApp,
) -> Outcome<'a> {
    Box::pin(async move {
        let (event, token) = super::event(app).await?;
        let form = format!("/evenements/{event}/grille");
        browser.open(&form).await?;
        submit_token(browser, &form, "rgo_wrong").await?;
        let invalid = browser.find("#jeton").await?.attr("aria-invalid").await?;
        ensure!(
            invalid.as_deref() == Some("true"),
            "a wrong token is not marked invalid (aria-invalid={invalid:?})"
        );
        super::audit(browser, "event-token-refused").await?;
        submit_token(browser, &form, &token).await?;
        let heading = browser.text("h1").await?;
        ensure!(
            heading == "Grille de l'organisateur",
            "the organiser's token opened a page headed {heading:?}"
        );
        ensure!(
            !browser.path().await?.contains(&token),
            "the token shows in the address"
        );
        super::audit(browser, "event-grid").await?;
        Ok(())
    })
}

/// A participant of a matchmaking day opens their agenda with their token (sent in a POST body):
/// the page is theirs, and passes axe.
pub fn open_a_participant_agenda_with_the_token<'a>(
    browser: &'a Browser,
    app: &'a TestApp,
) -> Outcome<'a> {
    Box::pin(async move {
        let (event, organiser) = super::event(app).await?;
        let response = app
            .client
            .post(app.url(&format!("/api/v1/events/{event}/participants")))
            .bearer_auth(&organiser)
            .json(&serde_json::json!({
                "kind": "administration", "name": "CHU de Lille", "categories": ["iaas"]
            }))
            .send()
            .await?;
        ensure!(
            response.status() == 201,
            "registering a participant: {}",
            response.status()
        );
        let body: serde_json::Value = response.json().await?;
        let token = body["token"].as_str().context("the participant's token")?;
        let form = format!("/evenements/{event}/agenda");
        browser.open(&form).await?;
        submit_token(browser, &form, token).await?;
        let heading = browser.text("h1").await?;
        ensure!(
            heading == "CHU de Lille",
            "the participant's token opened a page headed {heading:?}"
        );
        super::audit(browser, "event-agenda").await?;
        Ok(())
    })
}
