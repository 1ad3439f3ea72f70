//! ANSSI's monthly PDF catalogue: the only official list of SecNumCloud-qualified services.
//!
//! [`parse_catalogue`] reads one edition (its "mis à jour le" stamp, table 3.3.1 SecNumCloud, the other
//! qualified services and the CSPN certificates) from the PDF bytes; [`diff_secnumcloud`] compares two
//! editions by decision; [`fixture`] renders catalogue-like PDFs for tests.

mod cell_values;
mod cspn;
mod decision;
mod diff;
mod edition;
mod error;
pub mod fixture;
mod page_layout;
mod qualified_services;
mod recommendation;
mod secnumcloud;
mod sections;
mod table;
mod text_lines;

pub use cspn::CspnCertificate;
pub use decision::{Decision, DecisionKey};
pub use diff::{SecNumCloudChange, SecNumCloudDiff, SecNumCloudField, diff_secnumcloud};
pub use edition::{CatalogueEdition, parse_catalogue};
pub use error::ParseError;
pub use qualified_services::{Qualification, QualifiedService, ServiceActivity};
pub use recommendation::RecommendationLevel;
pub use secnumcloud::{SECNUMCLOUD_SECTION, SecNumCloudService, ServiceModel};
