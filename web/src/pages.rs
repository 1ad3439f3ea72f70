//! The home page, the accessibility statement, the legal notice and the assets.

use std::sync::Arc;

use poem::web::{Data, Path};
use poem::{Request, Response, handler};
use serde::Serialize;

use crate::Web;
use crate::errors::{internal, not_found};
use crate::language::Lang;
use crate::render::{Html, Layout, render};

/// The path and query of the request (with its language prefix): the pages are mounted at the root.
pub fn path_and_query(request: &Request) -> String {
    request
        .uri()
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned())
}

pub fn render_page(
    web: &Web,
    template: &str,
    layout: &Layout,
    values: impl Serialize,
) -> poem::Result<Html> {
    let body = render(&web.templates, template, layout, values)
        .map_err(|error| internal(format!("template {template}: {error:#}")))?;
    Ok(Html {
        status: poem::http::StatusCode::OK,
        body,
    })
}

#[derive(Serialize)]
struct Link {
    title: String,
    detail: String,
    url: String,
}

/// The entry points by need: each is a search URL with its filters.
fn needs(lang: Lang) -> Vec<Link> {
    let need = |fr: &str, en: &str, detail_fr: &str, detail_en: &str, query: &str| Link {
        title: lang.pick(fr, en).to_owned(),
        detail: lang.pick(detail_fr, detail_en).to_owned(),
        url: lang.path(&format!("/recherche?{query}")),
    };
    vec![
        Link {
            title: lang
                .pick(
                    "Appliquer la doctrine à mon besoin",
                    "Apply the doctrine to my need",
                )
                .to_owned(),
            detail: lang
                .pick(
                    "L'outil de l'État d'abord, puis les offres qualifiées selon la sensibilité des données",
                    "The State's own tool first, then the offers qualified for how sensitive the data are",
                )
                .to_owned(),
            url: lang.path("/besoin"),
        },
        need(
            "Héberger des données de santé",
            "Host health data",
            "Hébergeurs certifiés HDS aujourd'hui",
            "Hosts certified HDS today",
            "scheme=hds&valid_today=true",
        ),
        need(
            "Visioconférence pour réunions sensibles",
            "Video conferencing for sensitive meetings",
            "Outils de visioconférence sans exposition connue ou faible",
            "Video tools with no known or low exposure",
            "category=video_conferencing&exposure=none&exposure=low&exposure=not_applicable",
        ),
        need(
            "Envoyer de gros fichiers",
            "Send large files",
            "Services de transfert de fichiers",
            "File transfer services",
            "category=file_transfer",
        ),
        need(
            "Un nuage qualifié SecNumCloud",
            "A SecNumCloud-qualified cloud",
            "Offres qualifiées SecNumCloud aujourd'hui",
            "Offers qualified SecNumCloud today",
            "scheme=secnumcloud&valid_today=true&kind=offer",
        ),
    ]
}

fn alternatives(lang: Lang) -> Vec<Link> {
    [
        "Teams",
        "Zoom",
        "WeTransfer",
        "Google Drive",
        "Slack",
        "AWS",
    ]
    .into_iter()
    .map(|product| {
        let question = format!("{} {product}", lang.pick("alternative à", "alternative to"));
        let query = serde_urlencoded::to_string([("q", question.as_str())])
            .expect("a string pair always encodes");
        Link {
            title: product.to_owned(),
            detail: question.clone(),
            url: lang.path(&format!("/recherche?{query}")),
        }
    })
    .collect()
}

#[handler]
pub async fn home(lang: Lang, web: Data<&Arc<Web>>, request: &Request) -> poem::Result<Html> {
    let (suppliers, offers) = web.store.catalogue_counts().await.map_err(internal)?;
    let mut layout = Layout::new(lang, lang.pick("Accueil", "Home"), &path_and_query(request));
    layout.home = true;
    layout.search_anchor = "recherche-principale";
    let counts = match lang {
        Lang::Fr => format!("{suppliers} fournisseurs et {offers} offres recensés."),
        Lang::En => format!("{suppliers} suppliers and {offers} offers listed."),
    };
    render_page(
        &web,
        "home.html",
        &layout,
        serde_json::json!({
            "needs": needs(lang),
            "alternatives": alternatives(lang),
            "counts": counts,
        }),
    )
}

/// The day the accessibility statement was drawn up.
const STATEMENT_DATE: (i32, u32, u32) = (2026, 11, 29);

#[handler]
pub fn accessibility(lang: Lang, web: Data<&Arc<Web>>, request: &Request) -> poem::Result<Html> {
    let layout = Layout::new(
        lang,
        lang.pick("Déclaration d'accessibilité", "Accessibility statement"),
        &path_and_query(request),
    );
    let (y, m, d) = STATEMENT_DATE;
    let day = chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a valid date");
    let date = crate::views::date(lang, day);
    render_page(
        &web,
        "accessibility.html",
        &layout,
        serde_json::json!({ "statement_date": date.iso, "statement_date_text": date.text }),
    )
}

#[handler]
pub fn legal(lang: Lang, web: Data<&Arc<Web>>, request: &Request) -> poem::Result<Html> {
    let layout = Layout::new(
        lang,
        lang.pick("Mentions légales", "Legal notice"),
        &path_and_query(request),
    );
    render_page(&web, "legal.html", &layout, serde_json::json!({}))
}

#[handler]
pub fn asset(
    Path((fingerprint, path)): Path<(String, String)>,
    web: Data<&Arc<Web>>,
    request: &Request,
) -> poem::Result<Response> {
    web.assets
        .respond(&fingerprint, &path, request)
        .ok_or_else(not_found)
}
