//! CSPN product certificates: the current table (2.1.2) and the archived or unmaintained one (6.2).

use chrono::NaiveDate;

use super::cell_values::{date, required_text};
use super::error::ParseError;
use super::page_layout::PageLayout;
use super::sections::{Heading, find_section};
use super::table::{TableRow, TableSpec, read_table};

/// One CSPN certificate (Certification de Sécurité de Premier Niveau).
#[derive(Debug, Clone, PartialEq)]
pub struct CspnCertificate {
    /// Catalogue section: "2.1.2" (current) or "6.2" (archived or not maintained).
    pub section: String,
    pub archived: bool,
    pub developer: String,
    pub product: String,
    pub sponsor: String,
    pub evaluation_centre: String,
    pub product_type: String,
    pub valid_from: NaiveDate,
    /// `None` when the catalogue says "Non maintenu" (certificates issued before March 2022).
    pub valid_until: Option<NaiveDate>,
    pub maintained: bool,
    /// "ANSSI-CSPN-2025-13": the text of the certificate link.
    pub reference: String,
    pub certificate_url: Option<String>,
    pub report_url: Option<String>,
    pub security_target_url: Option<String>,
    pub page: usize,
}

const CSPN_LABELS: &[&str] = &[
    "Nom du développeur du produit",
    "Nom du produit",
    "Nom du commanditaire",
    "Nom du centre d'évaluation",
    "Type de produit",
    "Date de début de certification",
    "Date de fin de certification",
    "Lien vers le certificat",
    "Lien vers le rapport de certification",
    "Lien vers la cible de sécurité",
];

/// What the end-date cell says for certificates without an end of validity.
const NOT_MAINTAINED: &str = "Non maintenu";

/// Reads the current and the archived table; like the other schemes, a table that cannot be read is
/// reported as a problem and does not hide the other.
pub(crate) fn read_cspn(
    pages: &[PageLayout],
    headings: &[Heading],
) -> (Vec<CspnCertificate>, Vec<ParseError>) {
    let mut certificates = Vec::new();
    let mut problems = Vec::new();
    for archived in [false, true] {
        match read_cspn_table(pages, headings, archived) {
            Ok(rows) => certificates.extend(rows),
            Err(problem) => problems.push(problem),
        }
    }
    (certificates, problems)
}

fn read_cspn_table(
    pages: &[PageLayout],
    headings: &[Heading],
    archived: bool,
) -> Result<Vec<CspnCertificate>, ParseError> {
    let (section, title) = if archived {
        (
            "6.2",
            "Produits certifiés selon la CSPN archivés ou non maintenus",
        )
    } else {
        ("2.1.2", "Produits certifiés selon la CSPN")
    };
    let found = find_section(headings, pages, |text| {
        text.contains("selonlacspn") && text.contains("archiv") == archived
    });
    let Some(region) = found else {
        // Older editions may have no archive annex; the current table is required.
        return if archived {
            Ok(Vec::new())
        } else {
            Err(ParseError::SectionNotFound { section, title })
        };
    };
    let spec = TableSpec {
        section,
        labels: CSPN_LABELS,
    };
    read_table(pages, &region, &spec)?
        .iter()
        .map(|row| read_row(row, &region.number, archived, section))
        .collect()
}

fn read_row(
    row: &TableRow,
    number: &str,
    archived: bool,
    section: &'static str,
) -> Result<CspnCertificate, ParseError> {
    let end = row.cell(6).text.clone();
    let valid_until = if end.eq_ignore_ascii_case(NOT_MAINTAINED) {
        None
    } else {
        Some(date(row, 6, section, "end date")?)
    };
    let link = |column: usize| row.cell(column).links.first().cloned();
    Ok(CspnCertificate {
        section: number.to_string(),
        archived,
        developer: required_text(row, 0, section, "developer")?,
        product: required_text(row, 1, section, "product")?,
        sponsor: row.cell(2).text.clone(),
        evaluation_centre: row.cell(3).text.clone(),
        product_type: row.cell(4).text.clone(),
        valid_from: date(row, 5, section, "start date")?,
        maintained: valid_until.is_some(),
        valid_until,
        reference: required_text(row, 7, section, "certificate reference")?,
        certificate_url: link(7),
        report_url: link(8),
        security_target_url: link(9),
        page: row.page,
    })
}
