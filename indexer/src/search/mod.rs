//! The tantivy search index over suppliers and offers.
