//! Registre's JSON API under `/api/v1` (poem-openapi): one `XxxApi` per resource, thin handlers that
//! parse, call the store and map to a response; one problem-details error shape everywhere.

mod attestations;
mod auth;
mod body;
mod cursor;
mod inputs;
mod offers;
mod problem;
mod query;
mod responses;
mod suppliers;
mod taxonomy;
mod versioning;
mod views;

use poem::endpoint::make_sync;
use poem::http::StatusCode;
use poem::web::Json;
use poem::{Endpoint, EndpointExt, IntoResponse, Route, get};
use poem_openapi::{OpenApiService, Tags};
use registre_store::Store;

pub use problem::render_framework_error;

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
);

fn service(store: &Store) -> OpenApiService<Apis, ()> {
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
    service(store).spec()
}

/// All API routes: `/api/v1/...`, `/api/docs`, `/healthz` and `/readyz`.
pub fn routes(store: Store) -> impl Endpoint {
    let service = service(&store);
    let spec = service.spec_endpoint();
    let docs = service.swagger_ui();
    let ready_store = store.clone();
    Route::new()
        .at("/api/v1/openapi.json", spec)
        .nest("/api/v1", service)
        .nest("/api/docs", docs)
        .at("/healthz", get(make_sync(|_| Json(serde_json::json!({"status": "alive"})))))
        .at(
            "/readyz",
            get(poem::endpoint::make(move |_| {
                let store = ready_store.clone();
                async move {
                    match store.ping().await {
                        Ok(()) => Json(serde_json::json!({"status": "ready", "database": "ok"})).into_response(),
                        Err(error) => {
                            tracing::warn!(%error, "readiness check failed");
                            Json(serde_json::json!({"status": "not_ready", "database": "unreachable"}))
                                .with_status(StatusCode::SERVICE_UNAVAILABLE)
                                .into_response()
                        }
                    }
                }
            })),
        )
        .catch_all_error(render_framework_error)
}
