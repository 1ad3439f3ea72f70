//! The template environment: the templates are embedded in the binary, and three functions give them
//! the page's words (`t`), a path in the page's language (`l`) and a fingerprinted asset URL (`asset`).

use std::sync::Arc;

use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, Error, ErrorKind, State, Value};
use poem::http::{StatusCode, header};
use poem::{IntoResponse, Response};
use serde::Serialize;

use crate::assets::Assets;
use crate::language::{Lang, switch_url};
use crate::messages::message;

pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("home.html", include_str!("../templates/home.html")),
    ("search.html", include_str!("../templates/search.html")),
    ("supplier.html", include_str!("../templates/supplier.html")),
    ("offer.html", include_str!("../templates/offer.html")),
    (
        "accessibility.html",
        include_str!("../templates/accessibility.html"),
    ),
    ("legal.html", include_str!("../templates/legal.html")),
    (
        "open_data.html",
        include_str!("../templates/open_data.html"),
    ),
    ("compare.html", include_str!("../templates/compare.html")),
    ("need.html", include_str!("../templates/need.html")),
    ("sources.html", include_str!("../templates/sources.html")),
    (
        "event_access.html",
        include_str!("../templates/event_access.html"),
    ),
    (
        "event_agenda.html",
        include_str!("../templates/event_agenda.html"),
    ),
    (
        "event_grid.html",
        include_str!("../templates/event_grid.html"),
    ),
    ("error.html", include_str!("../templates/error.html")),
];

/// Escapes text for HTML content and double-quoted attributes (templates quote every attribute
/// with `"`, so apostrophes, frequent in French, stay as they are).
pub fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            c => escaped.push(c),
        }
    }
    escaped
}

fn page_lang(state: &State) -> Lang {
    match state.lookup("lang").as_ref().and_then(Value::as_str) {
        Some("en") => Lang::En,
        _ => Lang::Fr,
    }
}

pub fn environment(assets: Arc<Assets>) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    // minijinja's HTML escaping also escapes `/`, which turns every URL into `&#x2f;` soup: escape
    // only what HTML needs (`& < > " '`), in text and in quoted attributes alike.
    env.set_formatter(|out, state, value| match value.as_str() {
        Some(text) if *state.auto_escape() == AutoEscape::Html && !value.is_safe() => {
            out.write_str(&escape_html(text)).map_err(Error::from)
        }
        _ => minijinja::escape_formatter(out, state, value),
    });
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .unwrap_or_else(|error| panic!("template {name} does not parse: {error:#}"));
    }
    env.add_function("t", |state: &State, key: &str| -> Result<String, Error> {
        message(key, page_lang(state) == Lang::En)
            .map(str::to_owned)
            .ok_or_else(|| Error::new(ErrorKind::UndefinedError, format!("no message '{key}'")))
    });
    env.add_function("l", |state: &State, path: &str| page_lang(state).path(path));
    env.add_function("asset", move |path: &str| assets.url(path));
    env
}

/// What every page's layout needs, beside the page's own values.
#[derive(Serialize)]
pub struct Layout {
    pub lang: Lang,
    pub other_lang: Lang,
    pub title: String,
    /// This page in the other language.
    pub switch_url: String,
    /// The id of the search form the skip link goes to.
    pub search_anchor: &'static str,
    /// The home page has its own search form, so the header has none.
    pub home: bool,
}

impl Layout {
    pub fn new(lang: Lang, title: impl Into<String>, path_and_query: &str) -> Self {
        Self {
            lang,
            other_lang: lang.other(),
            title: title.into(),
            switch_url: switch_url(path_and_query, lang.other()),
            search_anchor: "recherche-entete",
            home: false,
        }
    }
}

/// A rendered page.
pub struct Html {
    pub status: StatusCode,
    pub body: String,
}

impl IntoResponse for Html {
    fn into_response(self) -> Response {
        Response::builder()
            .status(self.status)
            .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
            .header(header::CACHE_CONTROL, "no-cache")
            .body(self.body)
    }
}

/// Renders `template` with the layout's values and the page's own (`page`, an object whose fields
/// become top-level names).
pub fn render(
    env: &Environment<'static>,
    template: &str,
    layout: &Layout,
    page: impl Serialize,
) -> Result<String, Error> {
    let context = minijinja::context! { ..Value::from(Serde(layout)), ..Value::from(Serde(page)) };
    env.get_template(template)?.render(context)
}
