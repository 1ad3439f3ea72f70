//! The sovereignty assessment: is an offer exposed to extra-EU law, how much, and why.
//!
//! It is computed from recorded facts (head office, control chain, hosting, attestations), never typed
//! in, so it changes as soon as a fact changes. Each reason carries the fact, where it was recorded and
//! whether that fact is verified. "Unknown" (facts missing) and "not applicable" (the buyer runs the
//! software) are answers of their own, distinct from "none".

use chrono::NaiveDate;
use serde::Serialize;

use crate::identifiers::CountryCode;
use crate::model::{AttestationData, OfferData, Record, SupplierData};
use crate::taxonomy::{ControlRelation, ExposureLevel, Scheme, Vocabulary};

/// One fact that moves the assessment, in both languages, with where it was recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExposureReason {
    /// Stable code, e.g. `control_outside_eu`.
    pub code: &'static str,
    /// The level this fact alone leads to.
    pub effect: ExposureLevel,
    pub fact_fr: String,
    pub fact_en: String,
    /// The record holding the fact (`supplier:ovhcloud`, `attestation:secnumcloud-2023-2279`, ...).
    pub source: String,
    /// Reference keys the record cites for it.
    pub references: Vec<String>,
    /// False when the record marks the underlying field as unverified.
    pub verified: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    pub level: ExposureLevel,
    pub reasons: Vec<ExposureReason>,
}

/// How a country's law weighs: inside the EU, a close neighbour, or elsewhere.
enum Jurisdiction {
    EuropeanUnion,
    /// EEA members outside the EU, Switzerland and the United Kingdom: outside the EU, with adequacy decisions.
    Neighbour,
    Elsewhere,
}

fn name_fr(country: &CountryCode) -> String {
    country.label_fr().map_or_else(
        || country.to_string(),
        |label| format!("{label} ({country})"),
    )
}

fn name_en(country: &CountryCode) -> String {
    country.label_en().map_or_else(
        || country.to_string(),
        |label| format!("{label} ({country})"),
    )
}

fn jurisdiction(country: &CountryCode) -> Jurisdiction {
    if country.is_eu_member() {
        Jurisdiction::EuropeanUnion
    } else if country.is_eea() || matches!(country.as_str(), "CH" | "GB") {
        Jurisdiction::Neighbour
    } else {
        Jurisdiction::Elsewhere
    }
}

struct Facts<'a> {
    supplier_source: String,
    supplier: &'a SupplierData,
    reasons: Vec<ExposureReason>,
}

impl Facts<'_> {
    fn supplier_reason(
        &mut self,
        code: &'static str,
        effect: ExposureLevel,
        field: &str,
        fact_fr: String,
        fact_en: String,
    ) {
        self.reasons.push(ExposureReason {
            code,
            effect,
            fact_fr,
            fact_en,
            source: self.supplier_source.clone(),
            references: self.supplier.references.clone(),
            verified: !self.supplier.unverified.iter().any(|f| f == field),
        });
    }
}

/// Assesses a supplier on its own facts (head office and control chain).
pub fn assess_supplier(supplier: &Record<SupplierData>) -> Assessment {
    let facts = supplier_facts(supplier);
    conclude(facts.reasons)
}

/// Assesses an offer: its supplier's facts, where it is hosted, how it is deployed and its attestations.
/// `attestations` may include ones of other offers; only the offer's own and supplier-wide ones count.
pub fn assess_offer(
    supplier: &Record<SupplierData>,
    offer: &Record<OfferData>,
    attestations: &[Record<AttestationData>],
    today: NaiveDate,
) -> Assessment {
    let offer_source = format!("offer:{}", offer.key);
    if offer.data.is_run_by_buyer_only() {
        let models: Vec<&str> = offer
            .data
            .deployment_models
            .iter()
            .map(|m| m.code())
            .collect();
        return Assessment {
            level: ExposureLevel::NotApplicable,
            reasons: vec![ExposureReason {
                code: "run_by_buyer",
                effect: ExposureLevel::NotApplicable,
                fact_fr: format!(
                    "L'offre est exploitée par l'acheteur lui-même ({}) : ses données ne passent pas par l'éditeur.",
                    models.join(", ")
                ),
                fact_en: format!(
                    "The buyer runs the offer itself ({}): its data never reaches the publisher.",
                    models.join(", ")
                ),
                source: offer_source,
                references: offer.data.references.clone(),
                verified: !offer
                    .data
                    .unverified
                    .iter()
                    .any(|f| f == "deployment_models"),
            }],
        };
    }
    let mut facts = supplier_facts(supplier);
    for country in &offer.data.hosting_locations {
        if !matches!(jurisdiction(country), Jurisdiction::EuropeanUnion) {
            facts.reasons.push(ExposureReason {
                code: "hosting_outside_eu",
                effect: ExposureLevel::Medium,
                fact_fr: format!("L'offre est hébergée hors de l'Union européenne ({country})."),
                fact_en: format!("The offer is hosted outside the European Union ({country})."),
                source: offer_source.clone(),
                references: offer.data.references.clone(),
                verified: !offer
                    .data
                    .unverified
                    .iter()
                    .any(|f| f == "hosting_locations"),
            });
        }
    }
    let qualification = attestations.iter().find(|attestation| {
        let data = &attestation.data;
        data.scheme == Scheme::SecNumCloud
            && data.supplier_id == supplier.id
            && data.offer_id.is_none_or(|id| id == offer.id)
            && data.is_valid_on(today)
    });
    let mut assessment = conclude(facts.reasons);
    if let Some(attestation) = qualification {
        let until = attestation
            .data
            .valid_until
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_else(|| "?".into());
        assessment.reasons.push(ExposureReason {
            code: "secnumcloud_immunity",
            effect: ExposureLevel::Low,
            fact_fr: format!(
                "Qualification SecNumCloud en vigueur jusqu'au {until} : le référentiel exige la protection contre les lois extra-européennes."
            ),
            fact_en: format!(
                "SecNumCloud qualification valid until {until}: the framework requires protection from extra-EU law."
            ),
            source: format!(
                "attestation:{} ({}, {})",
                attestation.key,
                attestation.data.provenance.source,
                attestation.data.provenance.verification.code()
            ),
            references: attestation.data.references.clone(),
            verified: true,
        });
        // A valid qualification caps the exposure: ANSSI checked control and immunity for this service.
        if matches!(
            assessment.level,
            ExposureLevel::Medium | ExposureLevel::High | ExposureLevel::Unknown
        ) {
            assessment.level = ExposureLevel::Low;
        }
    }
    assessment
}

fn supplier_facts(supplier: &Record<SupplierData>) -> Facts<'_> {
    let data = &supplier.data;
    let mut facts = Facts {
        supplier_source: format!("supplier:{}", supplier.key),
        supplier: data,
        reasons: Vec::new(),
    };
    let country = &data.country;
    match jurisdiction(country) {
        Jurisdiction::EuropeanUnion => {}
        Jurisdiction::Neighbour => facts.supplier_reason(
            "head_office_outside_eu",
            ExposureLevel::Low,
            "country",
            format!("Siège hors de l'UE ({country}), dans un pays voisin couvert par une décision d'adéquation."),
            format!("Head office outside the EU ({country}), in a neighbouring country with an adequacy decision."),
        ),
        Jurisdiction::Elsewhere => facts.supplier_reason(
            "head_office_outside_eu",
            ExposureLevel::High,
            "country",
            format!("Siège hors de l'UE ({country}) : le fournisseur relève directement d'un droit extra-européen."),
            format!("Head office outside the EU ({country}): the supplier is directly subject to extra-EU law."),
        ),
    }
    for link in &data.control_chain {
        let relation_fr = link.relation.label_fr().to_lowercase();
        let relation_en = link.relation.label_en().to_lowercase();
        let Some(link_country) = &link.country else {
            if link.relation.confers_control() {
                facts.supplier_reason(
                    "control_country_unknown",
                    ExposureLevel::Unknown,
                    "control_chain",
                    format!("Pays inconnu pour {} ({relation_fr}).", link.name),
                    format!("Unknown country for {} ({relation_en}).", link.name),
                );
            }
            continue;
        };
        let effect = match (jurisdiction(link_country), link.relation) {
            (Jurisdiction::EuropeanUnion, _) => continue,
            (Jurisdiction::Neighbour, _) => ExposureLevel::Low,
            (Jurisdiction::Elsewhere, relation) if relation.confers_control() => {
                ExposureLevel::High
            }
            (Jurisdiction::Elsewhere, ControlRelation::TechnologyLicensor) => ExposureLevel::Medium,
            (Jurisdiction::Elsewhere, _) => ExposureLevel::Low,
        };
        let code = if link.relation.confers_control() {
            "control_outside_eu"
        } else if link.relation == ControlRelation::TechnologyLicensor {
            "technology_outside_eu"
        } else {
            "minor_link_outside_eu"
        };
        facts.supplier_reason(
            code,
            effect,
            "control_chain",
            format!(
                "{} ({relation_fr}) relève du droit de : {}.",
                link.name,
                name_fr(link_country)
            ),
            format!(
                "{} ({relation_en}) is subject to the law of {}.",
                link.name,
                name_en(link_country)
            ),
        );
    }
    match &data.ultimate_control_country {
        None => facts.supplier_reason(
            "ultimate_control_unknown",
            ExposureLevel::Unknown,
            "ultimate_control_country",
            "Le pays de contrôle ultime n'est pas connu.".into(),
            "The ultimate controlling country is not known.".into(),
        ),
        Some(ultimate) => match jurisdiction(ultimate) {
            Jurisdiction::EuropeanUnion => facts.supplier_reason(
                "ultimate_control_in_eu",
                ExposureLevel::None,
                "ultimate_control_country",
                format!("Contrôle ultime dans l'Union européenne ({ultimate})."),
                format!("Ultimately controlled from the European Union ({ultimate})."),
            ),
            Jurisdiction::Neighbour => facts.supplier_reason(
                "ultimate_control_outside_eu",
                ExposureLevel::Low,
                "ultimate_control_country",
                format!("Contrôle ultime hors de l'UE, dans un pays voisin ({ultimate})."),
                format!("Ultimately controlled from outside the EU, from a neighbouring country ({ultimate})."),
            ),
            Jurisdiction::Elsewhere => facts.supplier_reason(
                "ultimate_control_outside_eu",
                ExposureLevel::High,
                "ultimate_control_country",
                format!("Contrôle ultime hors de l'UE ({ultimate})."),
                format!("Ultimately controlled from outside the EU ({ultimate})."),
            ),
        },
    }
    facts
}

/// The level is the most severe reason; missing facts make it unknown unless a severe fact already decides.
fn conclude(reasons: Vec<ExposureReason>) -> Assessment {
    let worst = reasons
        .iter()
        .map(|reason| reason.effect)
        .filter(|effect| effect.severity() > 0)
        .max_by_key(|effect| effect.severity())
        .unwrap_or(ExposureLevel::None);
    let unknown = reasons
        .iter()
        .any(|reason| reason.effect == ExposureLevel::Unknown);
    let level = if unknown && worst != ExposureLevel::High {
        ExposureLevel::Unknown
    } else {
        worst
    };
    Assessment { level, reasons }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ControlLink, Key, Provenance};
    use crate::taxonomy::{
        Category, Confidence, DeploymentModel, Status, SupplierKind, Verification,
    };
    use chrono::Utc;

    fn country(code: &str) -> CountryCode {
        CountryCode::parse(code).unwrap()
    }

    fn record<T>(id: i64, key: &str, data: T) -> Record<T> {
        Record {
            id,
            key: Key::parse(key).unwrap(),
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            data,
        }
    }

    fn supplier(
        head_office: &str,
        chain: Vec<ControlLink>,
        ultimate: Option<&str>,
    ) -> Record<SupplierData> {
        record(
            1,
            "acme",
            SupplierData {
                legal_name: "Acme".into(),
                trade_names: vec![],
                aliases: vec![],
                kind: SupplierKind::Company,
                siren: None,
                siret: None,
                vat_number: None,
                lei: None,
                country: country(head_office),
                hq_city: None,
                website: None,
                control_chain: chain,
                ultimate_control_country: ultimate.map(country),
                unverified: vec![],
                notes: None,
                references: vec!["s33".into()],
                confidence: Confidence::High,
            },
        )
    }

    fn offer(deployment: Vec<DeploymentModel>, hosting: &[&str]) -> Record<OfferData> {
        record(
            10,
            "acme-cloud",
            OfferData {
                supplier_id: 1,
                name: "Acme Cloud".into(),
                category: Category::Iaas,
                description_fr: None,
                description_en: None,
                deployment_models: deployment,
                licences: vec![],
                hosting_locations: hosting.iter().map(|c| country(c)).collect(),
                suite_class: None,
                suite_tier: None,
                suite_role: None,
                url: None,
                source_repo: None,
                alternative_to: vec![],
                unverified: vec![],
                notes: None,
                references: vec![],
                confidence: Confidence::High,
            },
        )
    }

    fn secnumcloud(valid_until: &str) -> Record<AttestationData> {
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        record(
            100,
            "secnumcloud-2025-2057",
            AttestationData {
                supplier_id: 1,
                offer_id: Some(10),
                scheme: Scheme::SecNumCloud,
                status: Status::Qualified,
                milestone: None,
                level: None,
                service_models: vec![],
                scope: None,
                valid_from: Some(date("2025-12-17")),
                valid_until: Some(date(valid_until)),
                decision: None,
                recommendation: None,
                provenance: Provenance {
                    source: "anssi-catalogue".into(),
                    source_reference: None,
                    first_seen: date("2026-03-04"),
                    last_seen: date("2026-03-04"),
                    verification: Verification::Declared,
                },
                absent_since: None,
                unverified: vec![],
                notes: None,
                references: vec![],
                confidence: Confidence::High,
            },
        )
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
    }

    fn link(name: &str, code: Option<&str>, relation: ControlRelation) -> ControlLink {
        ControlLink {
            name: name.into(),
            country: code.map(country),
            relation,
        }
    }

    #[test]
    fn a_french_company_controlled_in_france_has_no_known_exposure() {
        let assessment = assess_supplier(&supplier("FR", vec![], Some("FR")));
        assert_eq!(assessment.level, ExposureLevel::None);
        assert_eq!(assessment.reasons[0].code, "ultimate_control_in_eu");
    }

    #[test]
    fn a_us_parent_makes_the_exposure_high_and_says_who() {
        let parent = link("Big Cloud Inc.", Some("US"), ControlRelation::Parent);
        let assessment = assess_supplier(&supplier("FR", vec![parent], Some("US")));
        assert_eq!(assessment.level, ExposureLevel::High);
        let reason = assessment
            .reasons
            .iter()
            .find(|r| r.code == "control_outside_eu")
            .unwrap();
        assert!(reason.fact_en.contains("Big Cloud Inc.") && reason.fact_en.contains("US"));
        assert_eq!(reason.source, "supplier:acme");
    }

    #[test]
    fn an_unknown_controller_is_unknown_not_none() {
        assert_eq!(
            assess_supplier(&supplier("FR", vec![], None)).level,
            ExposureLevel::Unknown
        );
    }

    #[test]
    fn a_us_technology_licensor_is_medium_and_a_valid_secnumcloud_caps_it_to_low() {
        let chain = vec![
            link(
                "Thales",
                Some("FR"),
                ControlRelation::ControllingShareholder,
            ),
            link("Google", Some("US"), ControlRelation::TechnologyLicensor),
        ];
        let supplier = supplier("FR", chain, Some("FR"));
        let offer = offer(vec![DeploymentModel::PublicCloud], &["FR"]);
        let without = assess_offer(&supplier, &offer, &[], today());
        assert_eq!(without.level, ExposureLevel::Medium);
        let with = assess_offer(&supplier, &offer, &[secnumcloud("2028-12-17")], today());
        assert_eq!(with.level, ExposureLevel::Low);
        assert!(
            with.reasons
                .iter()
                .any(|r| r.code == "secnumcloud_immunity")
        );
    }

    #[test]
    fn an_expired_secnumcloud_no_longer_caps_the_exposure() {
        let chain = vec![link(
            "Google",
            Some("US"),
            ControlRelation::TechnologyLicensor,
        )];
        let supplier = supplier("FR", chain, Some("FR"));
        let offer = offer(vec![DeploymentModel::PublicCloud], &[]);
        let assessment = assess_offer(&supplier, &offer, &[secnumcloud("2026-01-01")], today());
        assert_eq!(assessment.level, ExposureLevel::Medium);
    }

    #[test]
    fn software_run_by_the_buyer_is_not_applicable_even_from_a_us_publisher() {
        let supplier = supplier("US", vec![], Some("US"));
        let offer = offer(vec![DeploymentModel::SelfHosted], &[]);
        let assessment = assess_offer(&supplier, &offer, &[], today());
        assert_eq!(assessment.level, ExposureLevel::NotApplicable);
    }

    #[test]
    fn hosting_outside_the_eu_is_medium_and_a_swiss_head_office_is_low() {
        let eu = supplier("FR", vec![], Some("FR"));
        let hosted_in_us = offer(vec![DeploymentModel::Saas], &["FR", "US"]);
        assert_eq!(
            assess_offer(&eu, &hosted_in_us, &[], today()).level,
            ExposureLevel::Medium
        );
        assert_eq!(
            assess_supplier(&supplier("CH", vec![], Some("CH"))).level,
            ExposureLevel::Low
        );
    }

    #[test]
    fn an_unverified_control_fact_is_reported_as_unverified() {
        let mut record = supplier(
            "FR",
            vec![link("X", Some("US"), ControlRelation::MinorityShareholder)],
            Some("FR"),
        );
        record.data.unverified = vec!["control_chain".into()];
        let assessment = assess_supplier(&record);
        let reason = assessment
            .reasons
            .iter()
            .find(|r| r.code == "minor_link_outside_eu")
            .unwrap();
        assert!(!reason.verified);
        assert_eq!(assessment.level, ExposureLevel::Low);
    }
}
