//! What an official source says in one edition, in the registry's terms, before it is applied.
//!
//! Every adapter (ANSSI catalogue, ANSSI "in qualification" page, ANS HDS list, ...) turns its
//! format into an `Edition` of `Observation`s; one apply step then diffs them against the store.

use chrono::{NaiveDate, NaiveDateTime};

use crate::identifiers::Siren;
use crate::model::{Decision, Key, fold_accent};
use crate::taxonomy::{Category, Recommendation, Scheme, ServiceModel, Status, Vocabulary};

/// One edition of a source: its stamp and its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Edition {
    /// As the source prints it, e.g. "04/03/2026 15:34:17".
    pub label: String,
    /// When the source says it was published; editions are ordered by it.
    pub published_at: NaiveDateTime,
    pub observations: Vec<Observation>,
}

impl Edition {
    pub fn date(&self) -> NaiveDate {
        self.published_at.date()
    }
}

/// One row of an edition: a qualification or certification held by a named supplier.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub scheme: Scheme,
    /// The supplier as the source names it ("OVH", "Thales Cloud Sécurisé").
    pub supplier_name: String,
    pub supplier_siren: Option<Siren>,
    /// The service or product; `None` for an attestation of the supplier as a whole.
    pub service_name: Option<String>,
    /// The category of the offer to create when the service is not in the registry yet.
    pub category: Category,
    pub status: Status,
    pub milestone: Option<String>,
    pub level: Option<String>,
    pub service_models: Vec<ServiceModel>,
    pub scope: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    /// The identity of a qualification across editions, when the source gives one.
    pub decision: Option<Decision>,
    /// The identity within the source otherwise (a certificate number, or the supplier and service).
    pub reference: String,
    pub recommendation: Option<Recommendation>,
}

impl Observation {
    /// The registry key of the attestation this row describes: stable across editions.
    pub fn key(&self) -> Key {
        match &self.decision {
            Some(decision) => Key::from_name(&format!(
                "{}-{}-{}",
                self.scheme.code(),
                decision.year,
                decision.number
            )),
            None => Key::from_name(&format!("{}-{}", self.scheme.code(), self.reference)),
        }
    }
}

const LEGAL_FORMS: &[&str] = &[
    "sas", "sasu", "sa", "sarl", "eurl", "sca", "se", "snc", "gmbh", "ag", "bv", "nv", "spa",
    "srl", "ltd", "inc", "llc",
];

/// A company name reduced for matching: accents folded, lower case, punctuation dropped, legal
/// forms removed ("OVH SAS" and "ovh" match; "Thales Cloud Sécurisé" and "THALES CLOUD SECURISE" too).
pub fn normalise_name(name: &str) -> String {
    let folded: String = name
        .chars()
        .flat_map(fold_accent)
        // "S.A.S." is "SAS": dots join letters rather than separate words.
        .filter(|c| *c != '.')
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect();
    folded
        .split_whitespace()
        .filter(|word| !LEGAL_FORMS.contains(word))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_across_case_accents_punctuation_and_legal_forms() {
        assert_eq!(normalise_name("OVH SAS"), "ovh");
        assert_eq!(
            normalise_name("Thales Cloud Sécurisé"),
            normalise_name("THALES CLOUD SECURISE")
        );
        assert_eq!(normalise_name("3DS Outscale S.A.S."), "3ds outscale");
        assert_eq!(normalise_name("Cloud-Temple"), "cloud temple");
    }

    #[test]
    fn a_decision_gives_the_key_the_bundled_dataset_uses() {
        let observation = Observation {
            scheme: Scheme::SecNumCloud,
            supplier_name: "Outscale".into(),
            supplier_siren: None,
            service_name: Some("IaaS".into()),
            category: Category::Iaas,
            status: Status::Qualified,
            milestone: None,
            level: None,
            service_models: vec![ServiceModel::Iaas],
            scope: None,
            valid_from: None,
            valid_until: None,
            decision: Some(Decision {
                year: 2023,
                number: "2118".into(),
                url: None,
            }),
            reference: "ignored".into(),
            recommendation: None,
        };
        assert_eq!(observation.key().as_str(), "secnumcloud-2023-2118");
    }
}
