//! Success responses shared by the resources.

use poem_openapi::ApiResponse;
use poem_openapi::payload::Json;
use poem_openapi::types::{ToJSON, Type};

#[derive(ApiResponse)]
pub enum Found<T: Type + ToJSON + Send + Sync> {
    /// The record; `ETag` carries its version for a later `If-Match`.
    #[oai(status = 200)]
    Ok(Json<T>, #[oai(header = "ETag")] String),
}

#[derive(ApiResponse)]
pub enum Created<T: Type + ToJSON + Send + Sync> {
    #[oai(status = 201)]
    Created(
        Json<T>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Location")] String,
    ),
}

#[derive(ApiResponse)]
pub enum Deleted {
    #[oai(status = 204)]
    NoContent,
}
