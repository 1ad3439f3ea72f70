//! The boundary of the pages: failures become HTML error pages (404, 500, ...) in the page's language,
//! the cause of a 5xx is logged once here and never shown, and HTML is gzipped for clients accepting it.

use std::sync::Arc;

use poem::http::{HeaderValue, StatusCode, header};
use poem::{Endpoint, IntoResponse, Request, Response};
use registre_store::StoreError;

use crate::Web;
use crate::assets::{accepts_gzip, gzip};
use crate::language::Lang;
use crate::render::{Html, Layout, render};

/// A page that does not exist (unknown record, unknown path).
pub fn not_found() -> poem::Error {
    poem::Error::from_status(StatusCode::NOT_FOUND)
}

/// A failure the reader cannot act on; `cause` goes to the log only.
pub fn internal(cause: impl std::fmt::Display) -> poem::Error {
    poem::Error::from_string(cause.to_string(), StatusCode::INTERNAL_SERVER_ERROR)
}

/// A store read: a missing record is a 404, anything else a 500.
pub fn store(error: StoreError) -> poem::Error {
    match error {
        StoreError::NotFound { .. } => not_found(),
        other => internal(other),
    }
}

fn error_page(web: &Web, lang: Lang, status: StatusCode, path_and_query: &str) -> Response {
    let (heading, message) = match status {
        StatusCode::NOT_FOUND => (
            lang.pick("Page non trouvée", "Page not found"),
            lang.pick(
                "La page que vous cherchez est introuvable : l'adresse est peut-être mal saisie, ou la fiche n'existe plus. Vous pouvez chercher un fournisseur ou une offre.",
                "The page you are looking for cannot be found: the address may be mistyped, or the record no longer exists. You can search for a supplier or an offer.",
            ),
        ),
        status if status.is_server_error() => (
            lang.pick("Erreur inattendue", "Unexpected error"),
            lang.pick(
                "Désolé, le service a rencontré un problème. Réessayez dans un instant ; l'incident a été enregistré.",
                "Sorry, the service ran into a problem. Try again in a moment; the incident has been logged.",
            ),
        ),
        _ => (
            lang.pick("Requête incorrecte", "Bad request"),
            lang.pick(
                "Cette adresse n'a pas pu être comprise.",
                "This address could not be understood.",
            ),
        ),
    };
    let layout = Layout::new(lang, heading, path_and_query);
    let page = serde_json::json!({
        "heading": heading,
        "message": message,
        "status": status.as_u16(),
    });
    match render(&web.templates, "error.html", &layout, page) {
        Ok(body) => Html { status, body }.into_response(),
        Err(error) => {
            tracing::error!(error = %format!("{error:#}"), "the error page does not render");
            Response::builder()
                .status(status)
                .content_type("text/plain; charset=utf-8")
                .body(heading.to_owned())
        }
    }
}

/// Runs a page, turning errors into error pages and gzipping HTML.
pub async fn pages<E: Endpoint>(
    web: Arc<Web>,
    endpoint: Arc<E>,
    request: Request,
) -> poem::Result<Response> {
    let lang = Lang::of_path(request.uri().path());
    let path_and_query = request
        .uri()
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
    let gzip_ok = accepts_gzip(&request);
    let method = request.method().clone();
    let response = match endpoint.call(request).await {
        Ok(response) => response.into_response(),
        Err(error) => {
            let mut status = error.status();
            // A path that does not parse (`/fournisseurs/abc`) names no page.
            if error.is::<poem::error::ParsePathError>() {
                status = StatusCode::NOT_FOUND;
            }
            if status.is_server_error() {
                tracing::error!(%error, path = %path_and_query, "page failed");
            }
            let mut response = error_page(&web, lang, status, &path_and_query);
            if status == StatusCode::METHOD_NOT_ALLOWED {
                response
                    .headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
            }
            response
        }
    };
    if method == poem::http::Method::HEAD {
        return Ok(response);
    }
    Ok(compress_html(response, gzip_ok).await)
}

async fn compress_html(response: Response, gzip_ok: bool) -> Response {
    let is_html = response
        .content_type()
        .is_some_and(|t| t.starts_with("text/html"));
    if !is_html || response.headers().contains_key(header::CONTENT_ENCODING) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    parts
        .headers
        .insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if !gzip_ok {
        return Response::from_parts(parts, body);
    }
    let bytes = match body.into_bytes().await {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::error!(%error, "cannot read a page body");
            return Response::builder()
                .status(StatusCode::INTERNAL_SERVER_ERROR)
                .finish();
        }
    };
    parts
        .headers
        .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, gzip(&bytes).into())
}
