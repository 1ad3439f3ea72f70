//! Registre's JSON API under `/api/v1` (poem-openapi): one `XxxApi` per resource, thin handlers that
//! parse, call the store and map to a response; one problem-details error shape everywhere.

mod attestations;
mod auth;
mod body;
mod cursor;
mod events;
mod feed;
mod inputs;
mod offers;
mod problem;
mod query;
mod responses;
mod search;
mod sources;
mod suppliers;
mod taxonomy;
mod versioning;
mod views;

use poem::endpoint::make_sync;
use poem::http::StatusCode;
use poem::web::Json;
use poem::{Endpoint, EndpointExt, IntoResponse, Route, get};
use poem_openapi::{OpenApiService, Tags};
use registre_indexer::search::Searcher;
use registre_indexer::sources::service::Sources;
use registre_store::Store;

pub use problem::render_framework_error;
/// The search index's writer and read handle, for the process that wires them to the API.
pub use registre_indexer::search::{Indexer, IndexerSettings, Searcher as SearchIndex};

#[derive(Tags)]
enum ApiTags {
    /// Legal entities that provide offers.
    Suppliers,
    /// Products and services, with their exposure and attestations.
    Offers,
    /// Qualifications, certifications and labels, with provenance.
    Attestations,
    /// Controlled vocabularies.
    Taxonomy,
    /// Full-text search and suggestions over suppliers and offers.
    Search,
    /// The official sources, their freshness, the changes they brought and the review queue.
    Sources,
    /// Matchmaking days: events, participants, requests, suggestions, the schedule and agendas.
    Events,
}

/// The day against which validity is judged (UTC).
fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

type Apis = (
    suppliers::SuppliersApi,
    offers::OffersApi,
    attestations::AttestationsApi,
    taxonomy::TaxonomyApi,
    search::SearchApi,
    sources::SourcesApi,
    events::EventsApi,
);

fn service(store: &Store, searcher: &Searcher, sources: &Sources) -> OpenApiService<Apis, ()> {
    let apis = (
        suppliers::SuppliersApi {
            store: store.clone(),
        },
        offers::OffersApi {
            store: store.clone(),
        },
        attestations::AttestationsApi {
            store: store.clone(),
        },
        taxonomy::TaxonomyApi,
        search::SearchApi {
            searcher: searcher.clone(),
        },
        sources::SourcesApi {
            store: store.clone(),
            sources: sources.clone(),
        },
        events::EventsApi {
            store: store.clone(),
        },
    );
    OpenApiService::new(apis, "Registre", env!("CARGO_PKG_VERSION"))
        .description(
            "Registre des fournisseurs numériques français et européens : offres, qualifications \
             (SecNumCloud, HDS, CSPN, ...) avec leur provenance, exposition aux lois extra-européennes \
             et place dans La Suite numérique. / Registry of French and European digital suppliers: \
             offers, qualifications with provenance, exposure to extra-EU law and place in La Suite numérique.",
        )
        .server("/api/v1")
}

/// The generated OpenAPI document, as served at `/api/v1/openapi.json`.
pub fn spec_json(store: &Store) -> String {
    let sources = Sources::with_configs(store.clone(), Default::default(), vec![])
        .expect("sources without configuration always build");
    service(store, &Searcher::detached(), &sources).spec()
}

/// All API routes: `/api/v1/...`, `/api/docs`, `/healthz` and `/readyz`. `searcher` answers
/// `/api/v1/search` once its indexer has opened or built the index.
pub fn routes(store: Store, searcher: Searcher, sources: Sources) -> impl Endpoint {
    let service = service(&store, &searcher, &sources);
    let feed_store = store.clone();
    let spec = service.spec_endpoint();
    let docs = service.swagger_ui();
    let ready_store = store.clone();
    let ready_search = searcher.clone();
    Route::new()
        .at("/api/v1/openapi.json", spec)
        .at(
            "/api/v1/changes.atom",
            get(poem::endpoint::make(move |_| {
                let store = feed_store.clone();
                async move { feed::changes(&store).await }
            })),
        )
        .nest("/api/v1", service)
        .nest("/api/docs", docs)
        .at("/healthz", get(make_sync(|_| Json(serde_json::json!({"status": "alive"})))))
        .at(
            "/readyz",
            get(poem::endpoint::make(move |_| {
                let store = ready_store.clone();
                let search = ready_search.status();
                async move {
                    // The search index is ready once opened (or rebuilt on a first start).
                    let index = if search.ready { "open" } else { "building" };
                    match store.ping().await {
                        Ok(()) if search.ready => Json(serde_json::json!({"status": "ready", "database": "ok", "search": index, "documents": search.documents})).into_response(),
                        Ok(()) => Json(serde_json::json!({"status": "not_ready", "database": "ok", "search": index}))
                            .with_status(StatusCode::SERVICE_UNAVAILABLE)
                            .into_response(),
                        Err(error) => {
                            tracing::warn!(%error, "readiness check failed");
                            Json(serde_json::json!({"status": "not_ready", "database": "unreachable", "search": index}))
                                .with_status(StatusCode::SERVICE_UNAVAILABLE)
                                .into_response()
                        }
                    }
                }
            })),
        )
        .catch_all_error(render_framework_error)
}
