//! Registre's domain: identifiers, vocabularies, records and the sovereignty assessment.
//! Pure types and rules, no I/O: every other crate depends on this one.

pub mod identifiers;
pub mod model;
pub mod need;
pub mod observation;
pub mod sovereignty;
pub mod taxonomy;
