//! What the API accepts: request bodies as plain JSON values, turned into domain records here so that
//! every mistake comes back with the field at fault and the rule it broke.
//!
//! Each input type derives `Object` (its schema in the OpenAPI document) and serde's `Deserialize`
//! (the parser, which reports the path of a bad field). `PATCH` bodies are JSON merge patches
//! (RFC 7386) applied to the record's current input form, then read like a `POST` body.

use chrono::NaiveDate;
use poem_openapi::Object;
use registre_domain::identifiers::{CountryCode, IdentifierError, Lei, Siren, Siret, VatNumber};
use registre_domain::model::{
    AttestationData, ControlLink, Decision, Key, OfferData, Provenance, Record, SupplierData,
};
use registre_domain::taxonomy::{Confidence, UnknownCode, Verification, Vocabulary};
use serde::{Deserialize, Serialize};

use crate::problem::ApiError;

fn code<V: Vocabulary>(field: &str, value: &str) -> Result<V, ApiError> {
    V::parse(value).map_err(|e: UnknownCode| ApiError::vocabulary(field, &e))
}

fn codes<V: Vocabulary>(field: &str, values: &[String]) -> Result<Vec<V>, ApiError> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| code(&format!("{field}[{i}]"), v))
        .collect()
}

fn optional_code<V: Vocabulary>(field: &str, value: Option<&str>) -> Result<Option<V>, ApiError> {
    value.map(|v| code(field, v)).transpose()
}

fn identifier<T>(
    field: &str,
    value: Option<&str>,
    parse: impl Fn(&str) -> Result<T, IdentifierError>,
) -> Result<Option<T>, ApiError> {
    value
        .map(|v| parse(v).map_err(|e| ApiError::identifier(field, &e)))
        .transpose()
}

fn country(field: &str, value: &str) -> Result<CountryCode, ApiError> {
    CountryCode::parse(value).map_err(|e| ApiError::identifier(field, &e))
}

fn optional_key(value: Option<&str>) -> Result<Option<Key>, ApiError> {
    value
        .map(|v| Key::parse(v).map_err(ApiError::from))
        .transpose()
}

fn default_kind() -> String {
    "company".into()
}

fn default_confidence() -> String {
    Confidence::Medium.code().into()
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlLinkInput {
    pub name: String,
    /// ISO 3166-1 alpha-2; null when unknown.
    #[serde(default)]
    pub country: Option<String>,
    /// `parent`, `controlling_shareholder`, `joint_venture_partner`, `minority_shareholder`, `technology_licensor`, `historic_holding`.
    pub relation: String,
}

/// A supplier as written by a client. Codes are listed by `GET /api/v1/taxonomy`.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[oai(deny_unknown_fields)]
pub struct SupplierInput {
    /// Stable slug (a-z, 0-9, '-'); derived from the name when absent. Cannot change later.
    #[serde(default)]
    pub key: Option<String>,
    pub legal_name: String,
    #[serde(default)]
    #[oai(default)]
    pub trade_names: Vec<String>,
    #[serde(default)]
    #[oai(default)]
    pub aliases: Vec<String>,
    /// `company` (default), `public_operator`, `foundation`, `oss_project`.
    #[serde(default = "default_kind")]
    #[oai(default = "default_kind")]
    pub kind: String,
    /// 9 digits with a valid check digit.
    #[serde(default)]
    pub siren: Option<String>,
    #[serde(default)]
    pub siret: Option<String>,
    /// EU VAT number; for France, its key must match the SIREN.
    #[serde(default)]
    pub vat_number: Option<String>,
    /// ISO 17442 Legal Entity Identifier.
    #[serde(default)]
    pub lei: Option<String>,
    /// Head-office country, ISO 3166-1 alpha-2.
    pub country: String,
    #[serde(default)]
    pub hq_city: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    #[oai(default)]
    pub control_chain: Vec<ControlLinkInput>,
    /// Null when unknown.
    #[serde(default)]
    pub ultimate_control_country: Option<String>,
    #[serde(default)]
    #[oai(default)]
    pub unverified: Vec<String>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    #[oai(default)]
    pub references: Vec<String>,
    /// `high`, `medium` (default) or `low`.
    #[serde(default = "default_confidence")]
    #[oai(default = "default_confidence")]
    pub confidence: String,
}

impl SupplierInput {
    pub fn into_domain(self) -> Result<(Option<Key>, SupplierData), ApiError> {
        let key = optional_key(self.key.as_deref())?;
        let control_chain = self
            .control_chain
            .into_iter()
            .enumerate()
            .map(|(i, link)| {
                Ok(ControlLink {
                    country: link
                        .country
                        .as_deref()
                        .map(|c| country(&format!("control_chain[{i}].country"), c))
                        .transpose()?,
                    relation: code(&format!("control_chain[{i}].relation"), &link.relation)?,
                    name: link.name,
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        let data = SupplierData {
            kind: code("kind", &self.kind)?,
            siren: identifier("siren", self.siren.as_deref(), Siren::parse)?,
            siret: identifier("siret", self.siret.as_deref(), Siret::parse)?,
            vat_number: identifier("vat_number", self.vat_number.as_deref(), VatNumber::parse)?,
            lei: identifier("lei", self.lei.as_deref(), Lei::parse)?,
            country: country("country", &self.country)?,
            ultimate_control_country: self
                .ultimate_control_country
                .as_deref()
                .map(|c| country("ultimate_control_country", c))
                .transpose()?,
            confidence: code("confidence", &self.confidence)?,
            legal_name: self.legal_name,
            trade_names: self.trade_names,
            aliases: self.aliases,
            hq_city: self.hq_city,
            website: self.website,
            control_chain,
            unverified: self.unverified,
            notes: self.notes,
            references: self.references,
        };
        data.validate()?;
        Ok((key, data))
    }

    pub fn from_record(record: &Record<SupplierData>) -> Self {
        let d = &record.data;
        Self {
            key: Some(record.key.to_string()),
            legal_name: d.legal_name.clone(),
            trade_names: d.trade_names.clone(),
            aliases: d.aliases.clone(),
            kind: d.kind.code().into(),
            siren: d.siren.as_ref().map(|v| v.to_string()),
            siret: d.siret.as_ref().map(|v| v.to_string()),
            vat_number: d.vat_number.as_ref().map(|v| v.to_string()),
            lei: d.lei.as_ref().map(|v| v.to_string()),
            country: d.country.to_string(),
            hq_city: d.hq_city.clone(),
            website: d.website.clone(),
            control_chain: d
                .control_chain
                .iter()
                .map(|link| ControlLinkInput {
                    name: link.name.clone(),
                    country: link.country.map(|c| c.to_string()),
                    relation: link.relation.code().into(),
                })
                .collect(),
            ultimate_control_country: d.ultimate_control_country.map(|c| c.to_string()),
            unverified: d.unverified.clone(),
            notes: d.notes.clone(),
            references: d.references.clone(),
            confidence: d.confidence.code().into(),
        }
    }
}

/// An offer as written by a client.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[oai(deny_unknown_fields)]
pub struct OfferInput {
    #[serde(default)]
    pub key: Option<String>,
    pub supplier_id: i64,
    pub name: String,
    pub category: String,
    #[serde(default)]
    pub description_fr: Option<String>,
    #[serde(default)]
    pub description_en: Option<String>,
    #[serde(default)]
    #[oai(default)]
    pub deployment_models: Vec<String>,
    /// SPDX identifiers.
    #[serde(default)]
    #[oai(default)]
    pub licences: Vec<String>,
    /// ISO 3166-1 alpha-2 codes of the countries where the data is hosted.
    #[serde(default)]
    #[oai(default)]
    pub hosting_locations: Vec<String>,
    #[serde(default)]
    pub suite_class: Option<String>,
    #[serde(default)]
    pub suite_tier: Option<String>,
    #[serde(default)]
    pub suite_role: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub source_repo: Option<String>,
    /// Ids of offers this one can replace.
    #[serde(default)]
    #[oai(default)]
    pub alternative_to: Vec<i64>,
    #[serde(default)]
    #[oai(default)]
    pub unverified: Vec<String>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    #[oai(default)]
    pub references: Vec<String>,
    #[serde(default = "default_confidence")]
    #[oai(default = "default_confidence")]
    pub confidence: String,
}

impl OfferInput {
    pub fn into_domain(self) -> Result<(Option<Key>, OfferData), ApiError> {
        let key = optional_key(self.key.as_deref())?;
        let data = OfferData {
            supplier_id: self.supplier_id,
            category: code("category", &self.category)?,
            deployment_models: codes("deployment_models", &self.deployment_models)?,
            hosting_locations: self
                .hosting_locations
                .iter()
                .enumerate()
                .map(|(i, c)| country(&format!("hosting_locations[{i}]"), c))
                .collect::<Result<_, _>>()?,
            suite_class: optional_code("suite_class", self.suite_class.as_deref())?,
            suite_tier: optional_code("suite_tier", self.suite_tier.as_deref())?,
            confidence: code("confidence", &self.confidence)?,
            name: self.name,
            description_fr: self.description_fr,
            description_en: self.description_en,
            licences: self.licences,
            suite_role: self.suite_role,
            url: self.url,
            source_repo: self.source_repo,
            alternative_to: self.alternative_to,
            unverified: self.unverified,
            notes: self.notes,
            references: self.references,
        };
        data.validate()?;
        Ok((key, data))
    }

    pub fn from_record(record: &Record<OfferData>) -> Self {
        let d = &record.data;
        Self {
            key: Some(record.key.to_string()),
            supplier_id: d.supplier_id,
            name: d.name.clone(),
            category: d.category.code().into(),
            description_fr: d.description_fr.clone(),
            description_en: d.description_en.clone(),
            deployment_models: d
                .deployment_models
                .iter()
                .map(|m| m.code().into())
                .collect(),
            licences: d.licences.clone(),
            hosting_locations: d.hosting_locations.iter().map(|c| c.to_string()).collect(),
            suite_class: d.suite_class.map(|v| v.code().into()),
            suite_tier: d.suite_tier.map(|v| v.code().into()),
            suite_role: d.suite_role.clone(),
            url: d.url.clone(),
            source_repo: d.source_repo.clone(),
            alternative_to: d.alternative_to.clone(),
            unverified: d.unverified.clone(),
            notes: d.notes.clone(),
            references: d.references.clone(),
            confidence: d.confidence.code().into(),
        }
    }
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    pub year: i32,
    pub number: String,
    #[serde(default)]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvenanceInput {
    /// An official source id (`anssi-catalogue`, `ans-hds`, ...) or `vendor`, `press`, `research`.
    pub source: String,
    #[serde(default)]
    pub source_reference: Option<String>,
    /// Defaults to today.
    #[serde(default)]
    pub first_seen: Option<NaiveDate>,
    /// Defaults to today.
    #[serde(default)]
    pub last_seen: Option<NaiveDate>,
    /// `declared` (default) or `verified`.
    #[serde(default)]
    pub verification: Option<String>,
}

/// An attestation as written by a client.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[oai(deny_unknown_fields)]
pub struct AttestationInput {
    #[serde(default)]
    pub key: Option<String>,
    pub supplier_id: i64,
    /// Null for an attestation of the supplier as a whole.
    #[serde(default)]
    pub offer_id: Option<i64>,
    pub scheme: String,
    pub status: String,
    #[serde(default)]
    pub milestone: Option<String>,
    #[serde(default)]
    pub level: Option<String>,
    #[serde(default)]
    #[oai(default)]
    pub service_models: Vec<String>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub valid_from: Option<NaiveDate>,
    #[serde(default)]
    pub valid_until: Option<NaiveDate>,
    #[serde(default)]
    pub decision: Option<DecisionInput>,
    #[serde(default)]
    pub recommendation: Option<String>,
    pub provenance: ProvenanceInput,
    /// Set when the source's latest edition no longer lists the attestation.
    #[serde(default)]
    pub absent_since: Option<NaiveDate>,
    #[serde(default)]
    #[oai(default)]
    pub unverified: Vec<String>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    #[oai(default)]
    pub references: Vec<String>,
    #[serde(default = "default_confidence")]
    #[oai(default = "default_confidence")]
    pub confidence: String,
}

impl AttestationInput {
    pub fn into_domain(self, today: NaiveDate) -> Result<(Option<Key>, AttestationData), ApiError> {
        let key = optional_key(self.key.as_deref())?;
        let provenance = Provenance {
            verification: match self.provenance.verification.as_deref() {
                Some(v) => code("provenance.verification", v)?,
                None => Verification::Declared,
            },
            first_seen: self.provenance.first_seen.unwrap_or(today),
            last_seen: self.provenance.last_seen.unwrap_or(today),
            source: self.provenance.source,
            source_reference: self.provenance.source_reference,
        };
        let data = AttestationData {
            supplier_id: self.supplier_id,
            offer_id: self.offer_id,
            scheme: code("scheme", &self.scheme)?,
            status: code("status", &self.status)?,
            service_models: codes("service_models", &self.service_models)?,
            recommendation: optional_code("recommendation", self.recommendation.as_deref())?,
            confidence: code("confidence", &self.confidence)?,
            milestone: self.milestone,
            level: self.level,
            scope: self.scope,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            decision: self.decision.map(|d| Decision {
                year: d.year,
                number: d.number,
                url: d.url,
            }),
            provenance,
            absent_since: self.absent_since,
            unverified: self.unverified,
            notes: self.notes,
            references: self.references,
        };
        data.validate()?;
        Ok((key, data))
    }

    pub fn from_record(record: &Record<AttestationData>) -> Self {
        let d = &record.data;
        Self {
            key: Some(record.key.to_string()),
            supplier_id: d.supplier_id,
            offer_id: d.offer_id,
            scheme: d.scheme.code().into(),
            status: d.status.code().into(),
            milestone: d.milestone.clone(),
            level: d.level.clone(),
            service_models: d.service_models.iter().map(|m| m.code().into()).collect(),
            scope: d.scope.clone(),
            valid_from: d.valid_from,
            valid_until: d.valid_until,
            decision: d.decision.as_ref().map(|x| DecisionInput {
                year: x.year,
                number: x.number.clone(),
                url: x.url.clone(),
            }),
            recommendation: d.recommendation.map(|r| r.code().into()),
            provenance: ProvenanceInput {
                source: d.provenance.source.clone(),
                source_reference: d.provenance.source_reference.clone(),
                first_seen: Some(d.provenance.first_seen),
                last_seen: Some(d.provenance.last_seen),
                verification: Some(d.provenance.verification.code().into()),
            },
            absent_since: d.absent_since,
            unverified: d.unverified.clone(),
            notes: d.notes.clone(),
            references: d.references.clone(),
            confidence: d.confidence.code().into(),
        }
    }
}

/// Applies a JSON merge patch (RFC 7386) to `current`'s input form and reads the result back.
/// The key is fixed once created: a patch may repeat it but not change it.
pub fn merge_patch<T>(current: &T, patch: serde_json::Value) -> Result<T, ApiError>
where
    T: Serialize + serde::de::DeserializeOwned,
{
    let serde_json::Value::Object(changes) = patch else {
        return Err(ApiError::new(
            poem::http::StatusCode::BAD_REQUEST,
            "invalid_body",
            "a PATCH body is a JSON object (merge patch) of the fields to change",
            None,
        ));
    };
    let mut document = serde_json::to_value(current).expect("inputs serialise to JSON");
    if let Some(new_key) = changes.get("key")
        && Some(new_key) != document.get("key")
    {
        return Err(ApiError::invalid(
            "key",
            "immutable_field",
            "a record's key cannot change",
        ));
    }
    merge(&mut document, serde_json::Value::Object(changes));
    let bytes = serde_json::to_vec(&document).expect("JSON values serialise");
    crate::body::parse(&bytes).map_err(|error| match error {
        ApiError::BadRequest(problem) => ApiError::Unprocessable(problem),
        other => other,
    })
}

fn merge(target: &mut serde_json::Value, patch: serde_json::Value) {
    match patch {
        serde_json::Value::Object(changes) => {
            if !target.is_object() {
                *target = serde_json::Value::Object(Default::default());
            }
            let object = target.as_object_mut().expect("made an object above");
            for (name, value) in changes {
                if value.is_null() {
                    object.remove(&name);
                } else {
                    merge(object.entry(name).or_insert(serde_json::Value::Null), value);
                }
            }
        }
        other => *target = other,
    }
}
