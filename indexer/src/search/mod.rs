//! The tantivy search index over suppliers and offers.
//!
//! - [`Indexer`] is the index's only writer: it rebuilds it from the database when needed (into a fresh
//!   generation, validated, then swapped in) and keeps it in step with the audit trail.
//! - [`Searcher`] is the read handle the API and the web share: free text in French and English with
//!   typo tolerance, phrases and prefixes, exact identifier lookup, "alternative to X", facet filters
//!   with disjunctive counts, relevance with a documented tie-break, highlights, cursor pages,
//!   "did you mean" and suggestions.
//!
//! Request and response types ([`types`]) are plain domain types: tantivy stays inside this module.

mod alternatives;
mod analysis;
mod blocks;
mod ceiling;
mod collector;
mod common_terms;
mod conjunction;
mod cursor;
#[cfg(test)]
mod dice;
mod disjunction;
mod document;
mod events;
mod facets;
mod from_async;
mod highlight;
mod indexer;
mod layout;
mod matches;
mod parallel;
mod query;
mod schema;
mod searcher;
mod segments;
pub mod types;
mod warm;

pub use analysis::normalize;
pub use from_async::run_search_work;
pub use indexer::{Indexer, IndexerError, IndexerSettings, RebuildReport, Staged};
pub use schema::{SCHEMA_VERSION, schema_version};
pub use searcher::{Export, IndexStatus, Searcher};
pub use types::*;
