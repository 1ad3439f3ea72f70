//! Cross-crate scenarios: the whole application on port 0 over real HTTP, the store and its
//! migrations on SQLite and PostgreSQL, the import and the OpenAPI document.

mod support;

mod api_attestations;
mod api_errors;
mod api_events;
mod api_offers;
mod api_pagination;
mod api_sources;
mod api_suppliers;
mod browser;
mod import;
mod migrations;
mod open_data;
mod openapi;
mod search_crash;
mod store;
