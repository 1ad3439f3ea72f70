//! Reading query parameters into typed filters, naming the parameter when one is wrong.

use registre_domain::identifiers::IdentifierError;
use registre_domain::taxonomy::Vocabulary;

use crate::problem::ApiError;

pub fn parse_with<T>(
    field: &str,
    value: Option<&str>,
    parse: impl Fn(&str) -> Result<T, IdentifierError>,
) -> Result<Option<T>, ApiError> {
    value
        .map(|v| parse(v).map_err(|e| ApiError::bad_parameter(field, e.code(), e.to_string())))
        .transpose()
}

pub fn parse_code<V: Vocabulary>(field: &str, value: Option<&str>) -> Result<Option<V>, ApiError> {
    value
        .map(|v| {
            V::parse(v).map_err(|e| ApiError::bad_parameter(field, "unknown_code", e.to_string()))
        })
        .transpose()
}
