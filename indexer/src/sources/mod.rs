//! Official qualification sources (ANSSI first): fetch, parse, validate, diff, apply, record.

pub mod acn;
pub mod anssi;
pub mod anssi_catalogue;
pub mod contract;
pub mod eu_coc;
pub mod fetch;
pub mod hds;
pub mod in_qualification;
pub mod runner;
pub mod service;
