//! Optimistic concurrency over HTTP: the version as a strong `ETag`, checked through `If-Match`.

use poem::http::StatusCode;

use crate::problem::ApiError;

pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// The version an update was based on. `*` accepts any current version; absence is refused, so
/// that no update can silently overwrite another.
pub fn required_version(if_match: Option<&str>) -> Result<Option<i32>, ApiError> {
    match if_match {
        None => Err(ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "if_match_required",
            "send If-Match with the ETag of the version you read, so that no other change is overwritten",
            Some("If-Match"),
        )),
        Some(value) => optional_version(Some(value)),
    }
}

/// Like `required_version`, for deletes, where the header is optional.
pub fn optional_version(if_match: Option<&str>) -> Result<Option<i32>, ApiError> {
    let Some(value) = if_match.map(str::trim) else {
        return Ok(None);
    };
    if value == "*" {
        return Ok(None);
    }
    value
        .trim_start_matches("W/")
        .trim_matches('"')
        .parse()
        .map(Some)
        .map_err(|_| {
            ApiError::bad_parameter(
                "If-Match",
                "invalid_if_match",
                "If-Match must be an ETag this API returned, such as \"3\"",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_accepts_etags_and_star_and_refuses_the_rest() {
        assert_eq!(optional_version(Some(&etag(7))).unwrap(), Some(7));
        assert_eq!(optional_version(Some("W/\"7\"")).unwrap(), Some(7));
        assert_eq!(optional_version(Some("*")).unwrap(), None);
        assert!(optional_version(Some("\"seven\"")).is_err());
        assert!(required_version(None).is_err());
    }
}
