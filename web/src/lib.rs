//! Registre's public pages: server-rendered HTML (minijinja templates, the State design system DSFR),
//! working without JavaScript, in French at the root and in English under `/en`. Reads the store and
//! the search index; never writes.

mod assets;
mod errors;
mod language;
mod messages;
mod pages;
mod records;
mod render;
mod results;
mod views;

use std::sync::Arc;

use chrono::NaiveDate;
use minijinja::Environment;
use poem::endpoint::EndpointExt;
use poem::middleware::SetHeader;
use poem::{Endpoint, Route, get};
use registre_indexer::search::Searcher;
use registre_store::Store;

pub use assets::gzip;
pub use language::Lang;

/// The Content-Security-Policy of every page: nothing from another host, no inline script or style.
/// `data:` images are DSFR's own (small SVGs inside its stylesheet).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; \
     style-src 'self'; script-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; \
     form-action 'self'; frame-ancestors 'none'";

/// What the pages read from, shared by every request.
pub struct Web {
    store: Store,
    searcher: Searcher,
    assets: Arc<assets::Assets>,
    templates: Environment<'static>,
    /// The day against which validity is judged; `None`: today (UTC). Tests pin it.
    today: Option<NaiveDate>,
}

impl Web {
    pub fn new(store: Store, searcher: Searcher) -> Self {
        let assets = Arc::new(assets::Assets::embedded());
        let templates = render::environment(assets.clone());
        Self {
            store,
            searcher,
            assets,
            templates,
            today: None,
        }
    }

    /// Judges validity on `day` rather than today (for tests and reproducible renders).
    pub fn with_today(mut self, day: NaiveDate) -> Self {
        self.today = Some(day);
        self
    }

    fn today(&self) -> NaiveDate {
        self.today
            .unwrap_or_else(|| chrono::Utc::now().date_naive())
    }

    /// Every route of the pages and their assets, with the security headers and HTML error pages.
    pub fn routes(self) -> impl Endpoint {
        let web = Arc::new(self);
        let mut route = Route::new().at("/static/:fingerprint/*path", get(pages::asset));
        for lang in [Lang::Fr, Lang::En] {
            route = route
                .at(lang.path("/"), get(pages::home))
                .at(lang.path("/recherche"), get(results::search_page))
                .at(lang.path("/fournisseurs/:id"), get(records::supplier_page))
                .at(lang.path("/offres/:id"), get(records::offer_page))
                .at(lang.path("/accessibilite"), get(pages::accessibility))
                .at(lang.path("/mentions-legales"), get(pages::legal));
        }
        route = route.at("/en", get(pages::home));
        let errors = web.clone();
        route
            .data(web)
            .around(move |endpoint, request| errors::pages(errors.clone(), endpoint, request))
            .with(
                SetHeader::new()
                    .overriding("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                    .overriding("X-Content-Type-Options", "nosniff")
                    .overriding("Referrer-Policy", "strict-origin-when-cross-origin")
                    .overriding("X-Frame-Options", "DENY")
                    .overriding("Cross-Origin-Opener-Policy", "same-origin"),
            )
    }

    /// The URL of an embedded asset, e.g. `dsfr/dsfr.min.css`.
    pub fn asset_url(&self, path: &str) -> String {
        self.assets.url(path)
    }
}

/// The pages' routes over `store` and `searcher`, judging validity on the current day.
pub fn routes(store: Store, searcher: Searcher) -> impl Endpoint {
    Web::new(store, searcher).routes()
}
