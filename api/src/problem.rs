//! One error shape for every failure (RFC 9457 problem details): a stable snake_case `code`, the
//! `field` at fault when there is one, and a message for a person. Callers' mistakes are 4xx; a
//! 5xx body says nothing about internals, which go to the log once.

use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};
use registre_domain::identifiers::IdentifierError;
use registre_domain::model::ValidationError;
use registre_domain::taxonomy::UnknownCode;
use registre_store::StoreError;

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Object)]
pub struct Problem {
    /// A URI naming the problem kind: `/problems/{code}`.
    #[oai(rename = "type")]
    pub kind: String,
    /// A short summary of the problem kind.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// Stable snake_case machine code, e.g. `invalid_siren`, `version_mismatch`.
    pub code: String,
    /// What went wrong, for a person.
    pub detail: String,
    /// The request field at fault (`country`, `control_chain[0].country`, `limit`, ...), when one is.
    pub field: Option<String>,
}

#[derive(Debug, ApiResponse)]
pub enum ApiError {
    /// Malformed request: a parameter, cursor or body that cannot be read.
    #[oai(status = 400)]
    BadRequest(Json<Box<Problem>>),
    /// Missing or unknown bearer token.
    #[oai(status = 401)]
    Unauthorized(Json<Box<Problem>>),
    /// The token is known but does not open this: another participant's records, an organiser's
    /// operation with a participant's token.
    #[oai(status = 403)]
    Forbidden(Json<Box<Problem>>),
    #[oai(status = 404)]
    NotFound(Json<Box<Problem>>),
    /// The change conflicts with other records (a taken key or SIREN, dependents on delete), or the
    /// same record was written twice (`already_exists`, also when two identical requests race).
    #[oai(status = 409)]
    Conflict(Json<Box<Problem>>),
    /// `If-Match` names a version that is no longer current.
    #[oai(status = 412)]
    PreconditionFailed(Json<Box<Problem>>),
    /// The body is well-formed but a value breaks a rule.
    #[oai(status = 422)]
    Unprocessable(Json<Box<Problem>>),
    /// An update needs `If-Match` with the version it was based on.
    #[oai(status = 428)]
    PreconditionRequired(Json<Box<Problem>>),
    #[oai(status = 500)]
    Internal(Json<Box<Problem>>),
}

fn title(status: StatusCode) -> String {
    status.canonical_reason().unwrap_or("Error").to_owned()
}

pub fn problem(
    status: StatusCode,
    code: &str,
    detail: impl Into<String>,
    field: Option<String>,
) -> Problem {
    Problem {
        kind: format!("/problems/{code}"),
        title: title(status),
        status: status.as_u16(),
        code: code.to_owned(),
        detail: detail.into(),
        field,
    }
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &str,
        detail: impl Into<String>,
        field: Option<&str>,
    ) -> Self {
        let body = Json(Box::new(problem(
            status,
            code,
            detail,
            field.map(str::to_owned),
        )));
        match status {
            StatusCode::BAD_REQUEST => Self::BadRequest(body),
            StatusCode::UNAUTHORIZED => Self::Unauthorized(body),
            StatusCode::FORBIDDEN => Self::Forbidden(body),
            StatusCode::NOT_FOUND => Self::NotFound(body),
            StatusCode::CONFLICT => Self::Conflict(body),
            StatusCode::PRECONDITION_FAILED => Self::PreconditionFailed(body),
            StatusCode::UNPROCESSABLE_ENTITY => Self::Unprocessable(body),
            StatusCode::PRECONDITION_REQUIRED => Self::PreconditionRequired(body),
            _ => Self::Internal(body),
        }
    }

    /// A query or path parameter that cannot be used.
    pub fn bad_parameter(field: &str, code: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail, Some(field))
    }

    /// A body value that breaks a rule.
    pub fn invalid(field: &str, code: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail, Some(field))
    }

    pub fn identifier(field: &str, error: &IdentifierError) -> Self {
        Self::invalid(field, error.code(), error.to_string())
    }

    pub fn vocabulary(field: &str, error: &UnknownCode) -> Self {
        Self::invalid(field, "unknown_code", error.to_string())
    }

    pub fn unauthorized(code: &str, detail: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, detail, None)
    }

    /// The caller is known but not allowed to do this.
    pub fn forbidden(code: &str, detail: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, detail, None)
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "the server failed to answer; the incident is logged",
            None,
        )
    }
}

impl From<ValidationError> for ApiError {
    fn from(error: ValidationError) -> Self {
        Self::invalid(&error.field, error.code, error.message)
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound { entity, id } => Self::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("no {entity} has id {id}"),
                None,
            ),
            StoreError::VersionMismatch {
                entity,
                id,
                expected,
                current,
            } => Self::new(
                StatusCode::PRECONDITION_FAILED,
                "version_mismatch",
                format!(
                    "{entity} {id} changed since version {expected} (now {current}): read it again and reapply your change"
                ),
                None,
            ),
            StoreError::Conflict { field, message } => {
                Self::new(StatusCode::CONFLICT, "conflict", message, Some(&field))
            }
            StoreError::Duplicate { field, message } => Self::new(
                StatusCode::CONFLICT,
                "already_exists",
                message,
                field.as_deref(),
            ),
            StoreError::HasDependents {
                entity,
                id,
                dependents,
            } => Self::new(
                StatusCode::CONFLICT,
                "has_dependents",
                format!("{entity} {id} still has {dependents}: remove them first"),
                None,
            ),
            StoreError::Invalid(invalid) => invalid.into(),
            other @ (StoreError::Corrupt { .. } | StoreError::Database(_)) => {
                tracing::error!(error = %other, "store failure");
                Self::internal()
            }
        }
    }
}

/// Turns the framework's own errors (unparsable parameters, unknown routes, missing auth, size
/// limits) into problem documents; responses the API built itself pass through untouched.
pub async fn render_framework_error(error: poem::Error) -> Response {
    if error.is_from_response() {
        return error.into_response();
    }
    let status = error.status();
    // The framework names path parameters by position; every route of this API has one, `id`.
    let public_name = |name: &str| {
        if name == "param0" {
            "id".to_owned()
        } else {
            name.to_owned()
        }
    };
    let (code, field, detail) =
        if let Some(param) = error.downcast_ref::<poem_openapi::error::ParseParamError>() {
            (
                "invalid_parameter",
                Some(public_name(param.name)),
                param.reason.clone(),
            )
        } else if let Some(path) = error.downcast_ref::<poem_openapi::error::ParsePathError>() {
            (
                "invalid_parameter",
                Some(public_name(path.name)),
                path.reason.clone(),
            )
        } else if error.is::<poem_openapi::error::AuthorizationError>() {
            (
                "missing_token",
                None,
                "this operation needs an admin token: `Authorization: Bearer <token>`".to_owned(),
            )
        } else if error.is::<poem_openapi::error::ContentTypeError>() {
            (
                "unsupported_media_type",
                None,
                format!("{error}; send application/json"),
            )
        } else if error.is::<poem_openapi::error::ParseRequestPayloadError>() {
            ("invalid_body", None, error.to_string())
        } else {
            let code = match status {
                StatusCode::NOT_FOUND => "route_not_found",
                StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
                StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
                s if s.is_server_error() => "internal_error",
                _ => "bad_request",
            };
            let detail = if status.is_server_error() {
                tracing::error!(%error, "unhandled server error");
                "the server failed to answer; the incident is logged".to_owned()
            } else {
                error.to_string()
            };
            (code, None, detail)
        };
    let body = problem(status, code, detail, field);
    poem::web::Json(body_json(&body))
        .with_status(status)
        .with_content_type("application/problem+json")
        .into_response()
}

fn body_json(problem: &Problem) -> serde_json::Value {
    use poem_openapi::types::ToJSON;
    problem.to_json().unwrap_or_default()
}
