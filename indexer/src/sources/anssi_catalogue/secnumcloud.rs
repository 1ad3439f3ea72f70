//! Table 3.3(.1): the SecNumCloud-qualified cloud services.

use chrono::NaiveDate;

use super::cell_values::{date, decision, is_mark, recommendation, required_text};
use super::decision::Decision;
use super::error::ParseError;
use super::page_layout::PageLayout;
use super::recommendation::RecommendationLevel;
use super::sections::{Heading, find_section};
use super::table::{TableRow, TableSpec, read_table};

/// One row of table 3.3.1.
#[derive(Debug, Clone, PartialEq)]
pub struct SecNumCloudService {
    pub supplier: String,
    pub service: String,
    /// Service models marked with an X, in the catalogue's column order.
    pub service_models: Vec<ServiceModel>,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub decision: Decision,
    /// `None` when the row has no tick (never seen so far; a missing colour is not a parse failure).
    pub recommendation: Option<RecommendationLevel>,
    /// Printed page number of the row, for provenance.
    pub page: usize,
}

/// The cloud service models of SecNumCloud, in the catalogue's column order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ServiceModel {
    Saas,
    Paas,
    Caas,
    Iaas,
}

impl ServiceModel {
    pub const ALL: [ServiceModel; 4] = [
        ServiceModel::Saas,
        ServiceModel::Paas,
        ServiceModel::Caas,
        ServiceModel::Iaas,
    ];

    /// The label used by ANSSI ("SaaS", "PaaS", "CaaS", "IaaS").
    pub fn label(self) -> &'static str {
        match self {
            ServiceModel::Saas => "SaaS",
            ServiceModel::Paas => "PaaS",
            ServiceModel::Caas => "CaaS",
            ServiceModel::Iaas => "IaaS",
        }
    }
}

/// The canonical section number of the table; older editions number the section "3.3" only.
pub const SECNUMCLOUD_SECTION: &str = "3.3.1";

pub(crate) const SECNUMCLOUD_TABLE: TableSpec<'static> = TableSpec {
    section: SECNUMCLOUD_SECTION,
    labels: &[
        "Nom du fournisseur de service",
        "Nom du service",
        "SaaS",
        "PaaS",
        "CaaS",
        "IaaS",
        "Date de début de qualification",
        "Date de fin de qualification",
        "Lien vers la décision de qualification",
        "Niveau de recommandation",
    ],
};

pub(crate) fn read_secnumcloud(
    pages: &[PageLayout],
    headings: &[Heading],
) -> Result<Vec<SecNumCloudService>, ParseError> {
    let region = find_section(headings, pages, |title| {
        title.contains("secnumcloud") || title.contains("informatiqueennuage")
    })
    .ok_or(ParseError::SectionNotFound {
        section: "3.3",
        title: "Services d'informatique en nuage (SecNumCloud)",
    })?;
    let rows = read_table(pages, &region, &SECNUMCLOUD_TABLE)?;
    let services = rows.iter().map(read_row).collect::<Result<Vec<_>, _>>()?;
    if services
        .iter()
        .all(|service| service.recommendation.is_none())
    {
        // Every row without a tick means the ticks moved, not that ANSSI stopped recommending.
        return Err(rows[0].error(
            SECNUMCLOUD_SECTION,
            "no recommendation tick found in any row",
        ));
    }
    Ok(services)
}

fn read_row(row: &TableRow) -> Result<SecNumCloudService, ParseError> {
    let section = SECNUMCLOUD_SECTION;
    let supplier = required_text(row, 0, section, "supplier name")?;
    let service = required_text(row, 1, section, "service name")?;
    let mut service_models = Vec::new();
    for (offset, model) in ServiceModel::ALL.into_iter().enumerate() {
        if is_mark(row, 2 + offset, section)? {
            service_models.push(model);
        }
    }
    if service_models.is_empty() {
        return Err(row.error(section, "no SaaS/PaaS/CaaS/IaaS mark"));
    }
    Ok(SecNumCloudService {
        supplier,
        service,
        service_models,
        valid_from: date(row, 6, section, "start date")?,
        valid_until: date(row, 7, section, "end date")?,
        decision: decision(row, 8, section)?,
        recommendation: recommendation(row, 9, section)?,
        page: row.page,
    })
}
