//! The `anssi-catalogue` source: ANSSI's monthly PDF catalogue, read by `anssi_catalogue`, turned
//! into observations (SecNumCloud services, PASSI/PRIS/PDIS/PVID/PAMS providers, CSPN products).

use registre_domain::model::Decision;
use registre_domain::observation::{Edition, Observation};
use registre_domain::taxonomy::{Category, Recommendation, Scheme, ServiceModel, Status};

use super::anssi_catalogue::{self, Qualification, RecommendationLevel};
use super::contract::Source;

pub struct AnssiCatalogue;

pub const URL: &str = "https://messervices.cyber.gouv.fr/visas/catalogue-produits-services-profils-de-protection-sites-certifies-qualifies-agrees-anssi.pdf";

fn recommendation(level: Option<RecommendationLevel>) -> Option<Recommendation> {
    level.map(|level| match level {
        RecommendationLevel::Optimal => Recommendation::Optimal,
        RecommendationLevel::Modere => Recommendation::Modere,
        RecommendationLevel::Critique => Recommendation::Critique,
    })
}

fn service_model(model: anssi_catalogue::ServiceModel) -> ServiceModel {
    match model {
        anssi_catalogue::ServiceModel::Saas => ServiceModel::Saas,
        anssi_catalogue::ServiceModel::Paas => ServiceModel::Paas,
        anssi_catalogue::ServiceModel::Caas => ServiceModel::Caas,
        anssi_catalogue::ServiceModel::Iaas => ServiceModel::Iaas,
    }
}

/// The category of an offer created for a qualified service the registry does not know yet.
fn category(models: &[ServiceModel]) -> Category {
    if models.contains(&ServiceModel::Iaas) {
        Category::Iaas
    } else if models.contains(&ServiceModel::Paas) {
        Category::Paas
    } else if models.contains(&ServiceModel::Caas) {
        Category::Caas
    } else {
        Category::CollaborativePlatform
    }
}

fn scheme(qualification: Qualification) -> Scheme {
    match qualification {
        Qualification::Passi => Scheme::Passi,
        Qualification::Pris => Scheme::Pris,
        Qualification::Pdis => Scheme::Pdis,
        Qualification::Pvid => Scheme::Pvid,
        Qualification::Pams => Scheme::Pams,
    }
}

/// Turns a parsed catalogue edition into observations.
pub fn observations(edition: &anssi_catalogue::CatalogueEdition) -> Vec<Observation> {
    let mut observations = Vec::new();
    for row in &edition.secnumcloud {
        let models: Vec<ServiceModel> = row
            .service_models
            .iter()
            .copied()
            .map(service_model)
            .collect();
        observations.push(Observation {
            scheme: Scheme::SecNumCloud,
            supplier_name: row.supplier.clone(),
            supplier_siren: None,
            service_name: Some(row.service.clone()),
            category: category(&models),
            status: Status::Qualified,
            milestone: None,
            level: None,
            service_models: models,
            scope: None,
            valid_from: Some(row.valid_from),
            valid_until: Some(row.valid_until),
            decision: Some(Decision {
                year: i32::from(row.decision.year),
                number: row.decision.number.to_string(),
                url: Some(row.decision.url.clone()),
            }),
            reference: format!("{}_{}", row.decision.year, row.decision.number),
            recommendation: recommendation(row.recommendation),
        });
    }
    for row in &edition.qualified_services {
        observations.push(Observation {
            scheme: scheme(row.qualification),
            supplier_name: row.supplier.clone(),
            supplier_siren: None,
            service_name: None,
            category: Category::Encryption,
            status: Status::Qualified,
            milestone: None,
            level: row.level.clone(),
            service_models: vec![],
            scope: (!row.activities.is_empty()).then(|| {
                row.activities
                    .iter()
                    .map(|a| a.label())
                    .collect::<Vec<_>>()
                    .join(" ; ")
            }),
            valid_from: Some(row.valid_from),
            valid_until: Some(row.valid_until),
            decision: row.decision.as_ref().map(|d| Decision {
                year: i32::from(d.year),
                number: d.number.to_string(),
                url: Some(d.url.clone()),
            }),
            reference: format!("{}-{}", row.supplier, row.decision_reference),
            recommendation: recommendation(row.recommendation),
        });
    }
    for row in &edition.cspn {
        let reference = row.reference.trim_start_matches("ANSSI-CSPN-").to_owned();
        observations.push(Observation {
            scheme: Scheme::Cspn,
            supplier_name: row.developer.clone(),
            supplier_siren: None,
            service_name: Some(row.product.clone()),
            category: Category::Encryption,
            status: if !row.maintained {
                Status::NotMaintained
            } else {
                Status::Qualified
            },
            milestone: None,
            level: None,
            service_models: vec![],
            scope: Some(row.product_type.clone()),
            valid_from: Some(row.valid_from),
            valid_until: row.valid_until,
            decision: None,
            reference,
            recommendation: None,
        });
    }
    observations
}

impl Source for AnssiCatalogue {
    fn id(&self) -> &'static str {
        "anssi-catalogue"
    }

    fn default_url(&self) -> &'static str {
        URL
    }

    fn check_body(&self, _content_type: Option<&str>, bytes: &[u8]) -> Result<(), String> {
        // Servers label PDFs inconsistently; the magic number does not lie.
        if bytes.starts_with(b"%PDF-") {
            Ok(())
        } else {
            let start = String::from_utf8_lossy(&bytes[..bytes.len().min(40)]).into_owned();
            Err(format!("not a PDF (starts with {start:?})"))
        }
    }

    fn parse(&self, bytes: &[u8]) -> Result<Edition, String> {
        let edition = anssi_catalogue::parse_catalogue(bytes).map_err(|e| e.to_string())?;
        for problem in &edition.problems {
            tracing::warn!(%problem, "a table of the ANSSI catalogue could not be read");
        }
        Ok(Edition {
            label: edition.updated_at.format("%d/%m/%Y %H:%M:%S").to_string(),
            published_at: edition.updated_at,
            observations: observations(&edition),
        })
    }
}
