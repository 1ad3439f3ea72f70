//! Registre's indexer: the search index (its only writer) and the official qualification sources.

pub mod search;
pub mod sources;
