//! `JsonBody<T>`: a JSON request body parsed with serde, so that an error names the exact field
//! (`control_chain[0].country`), which the framework's own JSON payload cannot do.
//!
//! `JsonReply<T>`: a JSON response body written by serde straight from the value, where the
//! framework's payload first builds a `serde_json::Value` tree of the whole response (a tenth of the
//! server's time per search at 100k records). The OpenAPI schema is still `T`'s; each type sent this
//! way has a test that both writings give the same document.

use poem::{IntoResponse, Request, RequestBody};
use poem_openapi::ApiResponse;
use poem_openapi::impl_apirequest_for_payload;
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaResponses};
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::problem::ApiError;

/// Largest accepted request body.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

pub struct JsonBody<T>(pub T);

impl<T: Type> Payload for JsonBody<T> {
    const CONTENT_TYPE: &'static str = "application/json";

    fn check_content_type(content_type: &str) -> bool {
        matches!(content_type.parse::<mime::Mime>(), Ok(mime)
            if mime.type_() == "application" && (mime.subtype() == "json" || mime.suffix().is_some_and(|s| s == "json")))
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: DeserializeOwned + Send> ParsePayload for JsonBody<T> {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let _ = request;
        // Reading stops at the limit, whether or not the client sent Content-Length.
        let bytes = body
            .take()?
            .into_bytes_limit(MAX_BODY_BYTES)
            .await
            .map_err(|error| {
                let too_large = matches!(error, poem::error::ReadBodyError::PayloadTooLarge);
                let (status, code, detail) = if too_large {
                    (
                        poem::http::StatusCode::PAYLOAD_TOO_LARGE,
                        "payload_too_large",
                        format!("request bodies are limited to {MAX_BODY_BYTES} bytes"),
                    )
                } else {
                    (
                        poem::http::StatusCode::BAD_REQUEST,
                        "invalid_body",
                        error.to_string(),
                    )
                };
                let problem = crate::problem::problem(status, code, detail, None);
                poem::Error::from_response(
                    poem_openapi::payload::Json(problem)
                        .with_status(status)
                        .into_response(),
                )
            })?;
        parse(&bytes).map(JsonBody).map_err(poem::Error::from)
    }
}

impl_apirequest_for_payload!(JsonBody<T>, T: Type + DeserializeOwned + Send);

/// Parses a JSON document, reporting the path of the offending field.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.is_empty() {
        return Err(ApiError::new(
            poem::http::StatusCode::BAD_REQUEST,
            "invalid_body",
            "the request needs a JSON body",
            None,
        ));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let field = field_of(&path, &inner.to_string());
        let code = if inner.is_syntax() || inner.is_eof() {
            "invalid_json"
        } else {
            "invalid_body"
        };
        ApiError::new(
            poem::http::StatusCode::BAD_REQUEST,
            code,
            inner.to_string(),
            field.as_deref(),
        )
    })
}

/// The full path of the field at fault; serde names missing and unknown fields only in its message.
fn field_of(path: &str, message: &str) -> Option<String> {
    let named = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split('`').next());
    match (path, named) {
        (".", None) => None,
        (".", Some(name)) => Some(name.to_owned()),
        (path, Some(name)) if path == name || path.ends_with(&format!(".{name}")) => {
            Some(path.to_owned())
        }
        (path, Some(name)) => Some(format!("{path}.{name}")),
        (path, None) => Some(path.to_owned()),
    }
}

/// A 200 response with a JSON body written by serde (see the module's documentation).
pub struct JsonReply<T>(pub T);

const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";

impl<T: Type> Payload for JsonReply<T> {
    const CONTENT_TYPE: &'static str = JSON_CONTENT_TYPE;

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Serialize + Send> IntoResponse for JsonReply<T> {
    fn into_response(self) -> poem::Response {
        // A page of search hits with its facets is 25 to 50 KB: room for it from the start rather
        // than a copy at each doubling.
        let mut body = Vec::with_capacity(64 * 1024);
        match serde_json::to_writer(&mut body, &self.0) {
            Ok(()) => poem::Response::builder()
                .content_type(JSON_CONTENT_TYPE)
                .body(body),
            Err(error) => {
                tracing::error!(%error, "a response could not be written as JSON");
                ApiError::internal().into_response()
            }
        }
    }
}

impl<T: Type + Serialize + Send> ApiResponse for JsonReply<T> {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "",
                status: Some(200),
                status_range: None,
                content: vec![MetaMediaType {
                    content_type: Self::CONTENT_TYPE,
                    schema: Self::schema_ref(),
                }],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

/// Serialises an `f32` as the `f64` it converts to, as the framework's JSON writing does, so that
/// both writings give the same digits.
pub fn f32_as_f64<S: serde::Serializer>(value: &f32, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(f64::from(*value))
}
