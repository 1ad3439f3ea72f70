//! Registre's public pages: server-rendered HTML (minijinja templates, the State design system DSFR),
//! working without JavaScript, in French at the root and in English under `/en`. Reads the store and
//! the search index; never writes.

mod assets;
mod compare;
mod downloads;
mod errors;
mod events;
mod language;
mod messages;
mod need_helper;
pub mod open_data;
mod pages;
mod records;
mod render;
mod results;
mod sitemap;
mod sources_page;
mod structured_data;
mod views;

use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;
use minijinja::Environment;
use poem::endpoint::EndpointExt;
use poem::middleware::SetHeader;
use poem::{Endpoint, Route, get};
use registre_indexer::search::Searcher;
use registre_indexer::sources::service::Sources;
use registre_store::Store;

pub use assets::gzip;
pub use language::Lang;

/// The Content-Security-Policy of every page: nothing from another host, no inline script or style.
/// `data:` images are DSFR's own (small SVGs inside its stylesheet).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; \
     style-src 'self'; script-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; \
     form-action 'self'; frame-ancestors 'none'";

/// The public address when none is given: the default listening address.
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";

/// What the pages read from, shared by every request.
pub struct Web {
    store: Store,
    searcher: Searcher,
    /// The official sources, for their freshness (`/sources`).
    sources: Sources,
    assets: Arc<assets::Assets>,
    templates: Environment<'static>,
    /// The day against which validity is judged; `None`: today (UTC). Tests pin it.
    today: Option<NaiveDate>,
    /// The site's public address, without a trailing `/`: absolute URLs (sitemap, downloads,
    /// JSON-LD) start with it.
    public_url: String,
    /// Where the open-data dump is published (`open_data::write_dump`); `None`: no dump.
    open_data: Option<PathBuf>,
}

impl Web {
    pub fn new(store: Store, searcher: Searcher, sources: Sources) -> Self {
        let assets = Arc::new(assets::Assets::embedded());
        let templates = render::environment(assets.clone());
        Self {
            store,
            searcher,
            sources,
            assets,
            templates,
            today: None,
            public_url: DEFAULT_PUBLIC_URL.to_owned(),
            open_data: None,
        }
    }

    /// The site's public address (`https://registre.numerique.gouv.fr`), for absolute URLs.
    pub fn with_public_url(mut self, url: &str) -> Self {
        self.public_url = url.trim_end_matches('/').to_owned();
        self
    }

    /// Serves the open-data dump published in `dir` at `/donnees`.
    pub fn with_open_data(mut self, dir: impl Into<PathBuf>) -> Self {
        self.open_data = Some(dir.into());
        self
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
                .at(lang.path("/recherche.csv"), get(downloads::results_csv))
                .at(lang.path("/recherche.json"), get(downloads::results_json))
                .at(lang.path("/donnees"), get(open_data::open_data_page))
                .at(lang.path("/fournisseurs/:id"), get(records::supplier_page))
                .at(lang.path("/offres/:id"), get(records::offer_page))
                .at(lang.path("/comparer"), get(compare::compare_page))
                .at(lang.path("/besoin"), get(need_helper::need_page))
                .at(lang.path("/sources"), get(sources_page::sources_page))
                .at(
                    lang.path("/evenements/:id/agenda"),
                    get(events::agenda_form).post(events::agenda_page),
                )
                .at(
                    lang.path("/evenements/:id/grille"),
                    get(events::grid_form).post(events::grid_page),
                )
                .at(lang.path("/accessibilite"), get(pages::accessibility))
                .at(lang.path("/mentions-legales"), get(pages::legal));
        }
        route = route
            .at("/en", get(pages::home))
            .at("/donnees/:file", get(open_data::dump_file))
            .at("/sitemap.xml", get(sitemap::sitemap_index))
            .at("/sitemaps/:file", get(sitemap::sitemap_file))
            .at("/robots.txt", get(sitemap::robots_txt));
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
            // The matchmaking pages opened with a token: `no-referrer` and `no-store` (events.rs).
            .around(events::token_pages)
    }

    /// The URL of an embedded asset, e.g. `dsfr/dsfr.min.css`.
    pub fn asset_url(&self, path: &str) -> String {
        self.assets.url(path)
    }
}

/// The pages' routes over `store`, `searcher` and `sources`, judging validity on the current day.
pub fn routes(store: Store, searcher: Searcher, sources: Sources) -> impl Endpoint {
    Web::new(store, searcher, sources).routes()
}
