//! The other qualified services of the catalogue: PASSI, PRIS, PDIS, PVID and PAMS tables.

use chrono::NaiveDate;

use super::cell_values::{date, is_mark, optional_text, recommendation, required_text};
use super::decision::Decision;
use super::error::ParseError;
use super::page_layout::PageLayout;
use super::recommendation::RecommendationLevel;
use super::sections::{Heading, find_section};
use super::table::{TableRow, TableSpec, read_table};

/// The qualification schemes read besides SecNumCloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Qualification {
    /// Prestataires d'audit de la sécurité des systèmes d'information (3.1.2).
    Passi,
    /// Prestataires de réponse aux incidents de sécurité (3.1.3).
    Pris,
    /// Prestataires de détection des incidents de sécurité (3.1.4).
    Pdis,
    /// Prestataires de vérification d'identité à distance (3.2.1).
    Pvid,
    /// Prestataires d'administration et de maintenance sécurisées (3.4.1).
    Pams,
}

impl Qualification {
    pub const ALL: [Qualification; 5] = [
        Qualification::Passi,
        Qualification::Pris,
        Qualification::Pdis,
        Qualification::Pvid,
        Qualification::Pams,
    ];

    /// "PASSI", "PRIS", …
    pub fn acronym(self) -> &'static str {
        match self {
            Qualification::Passi => "PASSI",
            Qualification::Pris => "PRIS",
            Qualification::Pdis => "PDIS",
            Qualification::Pvid => "PVID",
            Qualification::Pams => "PAMS",
        }
    }

    /// The catalogue section that lists the qualified services.
    pub fn section(self) -> &'static str {
        match self {
            Qualification::Passi => "3.1.2",
            Qualification::Pris => "3.1.3",
            Qualification::Pdis => "3.1.4",
            Qualification::Pvid => "3.2.1",
            Qualification::Pams => "3.4.1",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Qualification::Passi => "Audit de la sécurité des systèmes d'information (PASSI)",
            Qualification::Pris => "Réponse aux incidents de sécurité (PRIS)",
            Qualification::Pdis => "Détection des incidents de sécurité (PDIS)",
            Qualification::Pvid => "Vérification d'identité à distance (PVID)",
            Qualification::Pams => "Services d'infogérance",
        }
    }

    /// Recognises the section heading by its (normalised) title, not by its number, which moves.
    fn title_matches(self, title: &str) -> bool {
        match self {
            Qualification::Passi => title.contains("(passi)"),
            Qualification::Pris => title.contains("(pris)"),
            Qualification::Pdis => title.contains("(pdis)"),
            Qualification::Pvid => title.contains("(pvid)"),
            Qualification::Pams => title.contains("infogerance"),
        }
    }

    fn columns(self) -> &'static [(&'static str, Role)] {
        use Role::*;
        match self {
            Qualification::Passi => &[
                ("Nom du fournisseur de service", Supplier),
                (
                    "Audit organisationnel et physique",
                    Activity(ServiceActivity::AuditOrganisationnelEtPhysique),
                ),
                (
                    "Audit d'architecture",
                    Activity(ServiceActivity::AuditArchitecture),
                ),
                (
                    "Audit de configuration",
                    Activity(ServiceActivity::AuditConfiguration),
                ),
                (
                    "Audit de code source",
                    Activity(ServiceActivity::AuditCodeSource),
                ),
                (
                    "Tests d'intrusion",
                    Activity(ServiceActivity::TestsIntrusion),
                ),
                ("Niveau de qualification", Level),
                ("Sécurité nationale", NationalSecurity),
                ("Date de début de qualification", Start),
                ("Date de fin de qualification", End),
                ("Lien vers la décision de qualification", Decision),
                ("Niveau de recommandation", Recommendation),
            ],
            Qualification::Pris => &[
                ("Nom du fournisseur de service", Supplier),
                (
                    "Recherche d'indicateurs de compromission",
                    Activity(ServiceActivity::RechercheIoc),
                ),
                (
                    "Investigation numérique",
                    Activity(ServiceActivity::InvestigationNumerique),
                ),
                (
                    "Analyse de codes malveillants",
                    Activity(ServiceActivity::AnalyseCodesMalveillants),
                ),
                (
                    "Pilotage et coordination",
                    Activity(ServiceActivity::PilotageEtCoordination),
                ),
                ("Niveau de qualification", Level),
                ("Sécurité nationale", NationalSecurity),
                ("Date de début de qualification", Start),
                ("Date de fin de qualification", End),
                ("Lien vers la décision de qualification", Decision),
                ("Niveau de recommandation", Recommendation),
            ],
            Qualification::Pdis => &[
                ("Nom du fournisseur de service", Supplier),
                ("Niveau de qualification", Level),
                ("Sécurité nationale", NationalSecurity),
                ("Date de début de qualification", Start),
                ("Date de fin de qualification", End),
                ("Lien vers la décision de qualification", Decision),
                ("Niveau de recommandation", Recommendation),
            ],
            Qualification::Pvid => &[
                ("Nom du fournisseur de service", Supplier),
                ("Nom du service", Service),
                ("OID du service", Oid),
                ("Niveau de certification", Level),
                ("Date de début de qualification", Start),
                ("Date de fin de qualification", End),
                ("Lien vers la décision de certification", Decision),
                ("Niveau de recommandation", Recommendation),
            ],
            Qualification::Pams => &[
                ("Nom du fournisseur de service", Supplier),
                ("Nom du service", Service),
                ("Date de début de qualification", Start),
                ("Date de fin de qualification", End),
                ("Lien vers la décision de qualification", Decision),
                ("Niveau de recommandation", Recommendation),
            ],
        }
    }
}

/// Activities a PASSI or PRIS provider is qualified for (an X in the activity's column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceActivity {
    AuditOrganisationnelEtPhysique,
    AuditArchitecture,
    AuditConfiguration,
    AuditCodeSource,
    TestsIntrusion,
    RechercheIoc,
    InvestigationNumerique,
    AnalyseCodesMalveillants,
    PilotageEtCoordination,
}

impl ServiceActivity {
    /// Short French label ("tests d'intrusion", "recherche IoC").
    pub fn label(self) -> &'static str {
        match self {
            ServiceActivity::AuditOrganisationnelEtPhysique => "audit organisationnel et physique",
            ServiceActivity::AuditArchitecture => "architecture",
            ServiceActivity::AuditConfiguration => "configuration",
            ServiceActivity::AuditCodeSource => "code source",
            ServiceActivity::TestsIntrusion => "tests d'intrusion",
            ServiceActivity::RechercheIoc => "recherche IoC",
            ServiceActivity::InvestigationNumerique => "investigation numérique",
            ServiceActivity::AnalyseCodesMalveillants => "analyse de codes malveillants",
            ServiceActivity::PilotageEtCoordination => "pilotage et coordination",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    Supplier,
    Service,
    Activity(ServiceActivity),
    Oid,
    Level,
    NationalSecurity,
    Start,
    End,
    Decision,
    Recommendation,
}

/// One row of a PASSI, PRIS, PDIS, PVID or PAMS table. Fields a scheme has no column for are empty.
#[derive(Debug, Clone, PartialEq)]
pub struct QualifiedService {
    pub qualification: Qualification,
    /// Catalogue section ("3.1.2", …).
    pub section: &'static str,
    pub supplier: String,
    pub service: Option<String>,
    pub activities: Vec<ServiceActivity>,
    /// PVID: the certified service's OID, without the "OID" prefix.
    pub oid: Option<String>,
    /// "Elevé", "Substantiel", "Sans objet"… as printed.
    pub level: Option<String>,
    /// "Sécurité nationale": qualified for the needs of national security.
    pub national_security: Option<bool>,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    /// The decision as (year, number), when the link target has that form. Some rows point to a
    /// certificate instead (December 2025: "2025_CT-PASSI-042025-0CU01134_np.pdf").
    pub decision: Option<Decision>,
    /// What the decision cell shows ("490", "CT-PASSI-042025-0CU01134").
    pub decision_reference: String,
    /// The decision cell's link target, whatever its form.
    pub decision_url: Option<String>,
    pub recommendation: Option<RecommendationLevel>,
    pub page: usize,
}

/// Reads each scheme's table on its own: one unreadable table costs its own rows, reported as a
/// problem, not the other schemes'.
pub(crate) fn read_qualified_services(
    pages: &[PageLayout],
    headings: &[Heading],
) -> (Vec<QualifiedService>, Vec<ParseError>) {
    let mut services = Vec::new();
    let mut problems = Vec::new();
    for qualification in Qualification::ALL {
        match read_scheme(pages, headings, qualification) {
            Ok(rows) => services.extend(rows),
            Err(problem) => problems.push(problem),
        }
    }
    (services, problems)
}

fn read_scheme(
    pages: &[PageLayout],
    headings: &[Heading],
    qualification: Qualification,
) -> Result<Vec<QualifiedService>, ParseError> {
    let region = find_section(headings, pages, |title| qualification.title_matches(title)).ok_or(
        ParseError::SectionNotFound {
            section: qualification.section(),
            title: qualification.title(),
        },
    )?;
    let labels: Vec<&'static str> = qualification
        .columns()
        .iter()
        .map(|(label, _)| *label)
        .collect();
    let spec = TableSpec {
        section: qualification.section(),
        labels: &labels,
    };
    read_table(pages, &region, &spec)?
        .iter()
        .map(|row| read_row(qualification, row))
        .collect()
}

fn read_row(qualification: Qualification, row: &TableRow) -> Result<QualifiedService, ParseError> {
    let section = qualification.section();
    let mut service = QualifiedService {
        qualification,
        section,
        supplier: String::new(),
        service: None,
        activities: Vec::new(),
        oid: None,
        level: None,
        national_security: None,
        valid_from: NaiveDate::MIN,
        valid_until: NaiveDate::MIN,
        decision: None,
        decision_reference: String::new(),
        decision_url: None,
        recommendation: None,
        page: row.page,
    };
    for (column, (_, role)) in qualification.columns().iter().enumerate() {
        match role {
            Role::Supplier => {
                service.supplier = required_text(row, column, section, "supplier name")?
            }
            Role::Service => service.service = optional_text(row, column),
            Role::Activity(activity) => {
                if is_mark(row, column, section)? {
                    service.activities.push(*activity);
                }
            }
            Role::Oid => {
                service.oid = optional_text(row, column).map(|oid| {
                    oid.trim_start_matches("OID")
                        .split_whitespace()
                        .collect::<String>()
                })
            }
            Role::Level => service.level = optional_text(row, column),
            Role::NationalSecurity => {
                service.national_security = match optional_text(row, column).as_deref() {
                    None => None,
                    Some("Oui") => Some(true),
                    Some("Non") => Some(false),
                    Some(other) => {
                        return Err(row.error(
                            section,
                            format!("\"Sécurité nationale\" is {other:?}, not Oui/Non"),
                        ));
                    }
                }
            }
            Role::Start => service.valid_from = date(row, column, section, "start date")?,
            Role::End => service.valid_until = date(row, column, section, "end date")?,
            Role::Decision => {
                let cell = row.cell(column);
                service.decision_url = cell.links.first().cloned();
                service.decision = cell.links.iter().find_map(|uri| Decision::from_url(uri));
                service.decision_reference = required_text(row, column, section, "decision")?;
            }
            Role::Recommendation => service.recommendation = recommendation(row, column, section)?,
        }
    }
    Ok(service)
}
