//! The registry's records: suppliers, offers and attestations, each checked as a whole before it is kept.
//!
//! Fields are typed (identifiers, vocabularies, dates) so that most mistakes cannot be represented;
//! what types cannot express (a SIRET that belongs to another SIREN, an end date before the start date)
//! is checked by `validate`, which names the field at fault.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::identifiers::{CountryCode, Lei, Siren, Siret, VatNumber};
use crate::taxonomy::{
    Category, Confidence, ControlRelation, DeploymentModel, Recommendation, Scheme, ServiceModel,
    Status, SuiteClass, SuiteTier, SupplierKind, Verification,
};

/// A rejected value: which field, a stable machine code and a message for a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ValidationError {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            message: message.into(),
        }
    }
}

const MAX_NAME: usize = 300;
const MAX_TEXT: usize = 5_000;
const MAX_LIST: usize = 50;

/// A stable, human-readable record key (`ovhcloud`, `secnumcloud-2023-2279`): used by imports and URLs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Key(String);

impl Key {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let key = raw.trim();
        let well_formed = !key.is_empty()
            && key.len() <= 80
            && key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !key.starts_with('-')
            && !key.ends_with('-');
        if well_formed {
            Ok(Self(key.to_owned()))
        } else {
            Err(ValidationError::new(
                "key",
                "invalid_key",
                "a key is 1 to 80 characters among a-z, 0-9 and '-', not starting or ending with '-'",
            ))
        }
    }

    /// A key derived from a name: accents folded, other characters turned into single dashes.
    pub fn from_name(name: &str) -> Self {
        let mut slug = String::new();
        for c in name.chars().flat_map(fold_accent) {
            if c.is_ascii_alphanumeric() {
                slug.push(c.to_ascii_lowercase());
            } else if !slug.ends_with('-') && !slug.is_empty() {
                slug.push('-');
            }
        }
        let mut slug: String = slug.trim_end_matches('-').chars().take(70).collect();
        slug = slug.trim_end_matches('-').to_owned();
        if slug.is_empty() {
            slug.push_str("record");
        }
        Self(slug)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Key {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Key> for String {
    fn from(key: Key) -> Self {
        key.0
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Folds the accented Latin letters met in French and European names to ASCII.
pub fn fold_accent(c: char) -> impl Iterator<Item = char> {
    let folded: &str = match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => "a",
        'À' | 'Á' | 'Â' | 'Ä' | 'Ã' | 'Å' => "A",
        'ç' => "c",
        'Ç' => "C",
        'è' | 'é' | 'ê' | 'ë' => "e",
        'È' | 'É' | 'Ê' | 'Ë' => "E",
        'ì' | 'í' | 'î' | 'ï' => "i",
        'Ì' | 'Í' | 'Î' | 'Ï' => "I",
        'ñ' => "n",
        'Ñ' => "N",
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'ø' => "o",
        'Ò' | 'Ó' | 'Ô' | 'Ö' | 'Õ' | 'Ø' => "O",
        'ù' | 'ú' | 'û' | 'ü' => "u",
        'Ù' | 'Ú' | 'Û' | 'Ü' => "U",
        'ý' | 'ÿ' => "y",
        'œ' => "oe",
        'Œ' => "OE",
        'æ' => "ae",
        'Æ' => "AE",
        'ß' => "ss",
        _ => "",
    };
    let single = folded.is_empty().then_some(c);
    folded.chars().chain(single)
}

/// A company above the supplier in its control chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlLink {
    pub name: String,
    /// `None` when the country is not known: the assessment then says so.
    pub country: Option<CountryCode>,
    pub relation: ControlRelation,
}

/// A legal entity that provides offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierData {
    pub legal_name: String,
    pub trade_names: Vec<String>,
    /// Other spellings, such as the short names official catalogues use ("OVH", "Thales Cloud Sécurisé").
    pub aliases: Vec<String>,
    pub kind: SupplierKind,
    pub siren: Option<Siren>,
    pub siret: Option<Siret>,
    pub vat_number: Option<VatNumber>,
    pub lei: Option<Lei>,
    pub country: CountryCode,
    pub hq_city: Option<String>,
    pub website: Option<String>,
    pub control_chain: Vec<ControlLink>,
    /// `None` means unknown, which is not the same as "the supplier's own country".
    pub ultimate_control_country: Option<CountryCode>,
    /// Names of the fields whose value no source has confirmed; shown as such to readers.
    pub unverified: Vec<String>,
    pub notes: Option<String>,
    pub references: Vec<String>,
    pub confidence: Confidence,
}

pub const SUPPLIER_FIELDS: &[&str] = &[
    "legal_name",
    "trade_names",
    "aliases",
    "kind",
    "siren",
    "siret",
    "vat_number",
    "lei",
    "country",
    "hq_city",
    "website",
    "control_chain",
    "ultimate_control_country",
];

impl SupplierData {
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_name("legal_name", &self.legal_name)?;
        check_names("trade_names", &self.trade_names)?;
        check_names("aliases", &self.aliases)?;
        check_optional_text("hq_city", self.hq_city.as_deref(), MAX_NAME)?;
        check_optional_url("website", self.website.as_deref())?;
        check_optional_text("notes", self.notes.as_deref(), MAX_TEXT)?;
        check_references(&self.references)?;
        check_unverified(&self.unverified, SUPPLIER_FIELDS)?;
        if let (Some(siren), Some(siret)) = (&self.siren, &self.siret)
            && siret.siren() != *siren
        {
            return Err(ValidationError::new(
                "siret",
                "siret_siren_mismatch",
                format!("SIRET {siret} does not belong to SIREN {siren}"),
            ));
        }
        if let Some(vat) = &self.vat_number
            && vat.country_prefix() == "FR"
        {
            let owner = self
                .siren
                .clone()
                .or_else(|| self.siret.as_ref().map(Siret::siren));
            if let Some(siren) = owner {
                let expected = VatNumber::french_from_siren(&siren);
                if *vat != expected {
                    return Err(ValidationError::new(
                        "vat_number",
                        "vat_siren_mismatch",
                        format!(
                            "French VAT number {vat} does not match SIREN {siren} (expected {expected})"
                        ),
                    ));
                }
            }
        }
        if self.control_chain.len() > MAX_LIST {
            return Err(too_many("control_chain"));
        }
        for (index, link) in self.control_chain.iter().enumerate() {
            check_name(&format!("control_chain[{index}].name"), &link.name)?;
        }
        Ok(())
    }

    /// Every name a reader or a catalogue may use for this supplier.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.legal_name.as_str())
            .chain(self.trade_names.iter().map(String::as_str))
            .chain(self.aliases.iter().map(String::as_str))
    }
}

/// A product or service of a supplier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferData {
    pub supplier_id: i64,
    pub name: String,
    pub category: Category,
    pub description_fr: Option<String>,
    pub description_en: Option<String>,
    pub deployment_models: Vec<DeploymentModel>,
    /// SPDX licence identifiers; empty for proprietary software.
    pub licences: Vec<String>,
    pub hosting_locations: Vec<CountryCode>,
    pub suite_class: Option<SuiteClass>,
    /// Set only where the State itself uses the offer in La Suite numérique.
    pub suite_tier: Option<SuiteTier>,
    pub suite_role: Option<String>,
    pub url: Option<String>,
    pub source_repo: Option<String>,
    /// Offers this one can replace.
    pub alternative_to: Vec<i64>,
    pub unverified: Vec<String>,
    pub notes: Option<String>,
    pub references: Vec<String>,
    pub confidence: Confidence,
}

pub const OFFER_FIELDS: &[&str] = &[
    "name",
    "category",
    "description_fr",
    "description_en",
    "deployment_models",
    "licences",
    "hosting_locations",
    "suite_class",
    "suite_tier",
    "suite_role",
    "url",
    "source_repo",
    "alternative_to",
];

impl OfferData {
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_name("name", &self.name)?;
        check_optional_text("description_fr", self.description_fr.as_deref(), MAX_TEXT)?;
        check_optional_text("description_en", self.description_en.as_deref(), MAX_TEXT)?;
        check_optional_text("suite_role", self.suite_role.as_deref(), MAX_NAME)?;
        check_optional_text("notes", self.notes.as_deref(), MAX_TEXT)?;
        check_optional_url("url", self.url.as_deref())?;
        check_optional_text("source_repo", self.source_repo.as_deref(), MAX_NAME)?;
        check_references(&self.references)?;
        check_unverified(&self.unverified, OFFER_FIELDS)?;
        if self.licences.len() > MAX_LIST {
            return Err(too_many("licences"));
        }
        for licence in &self.licences {
            check_spdx(licence)?;
        }
        if self.suite_tier.is_some() && self.suite_class.is_none() {
            return Err(ValidationError::new(
                "suite_tier",
                "tier_without_class",
                "a La Suite numérique tier needs the offer's suite_class",
            ));
        }
        Ok(())
    }

    /// True when every way of deploying the offer leaves the data with the buyer.
    pub fn is_run_by_buyer_only(&self) -> bool {
        !self.deployment_models.is_empty()
            && self
                .deployment_models
                .iter()
                .all(|model| model.is_run_by_buyer())
    }
}

/// The decision that granted a qualification. ANSSI numbers restart every year, so the year is part of the identity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Decision {
    pub year: i32,
    pub number: String,
    pub url: Option<String>,
}

/// Where a fact came from and when it was seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// The source id: an official feed (`anssi-catalogue`, `ans-hds`, ...) or `vendor`, `press`, `research`.
    pub source: String,
    /// Where in the source: the edition, table or document.
    pub source_reference: Option<String>,
    pub first_seen: NaiveDate,
    pub last_seen: NaiveDate,
    pub verification: Verification,
}

/// A qualification, certification or label held by an offer, or by a supplier as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestationData {
    pub supplier_id: i64,
    pub offer_id: Option<i64>,
    pub scheme: Scheme,
    /// The status as recorded; see `effective_status` for the one that holds today.
    pub status: Status,
    /// The stage reached while in progress (for SecNumCloud: J0, J1, ...).
    pub milestone: Option<String>,
    /// A level within the scheme where it has one (ACN QC1 to QC4, PRIS "Elevé", EU CoC level 2).
    pub level: Option<String>,
    pub service_models: Vec<ServiceModel>,
    pub scope: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub decision: Option<Decision>,
    pub recommendation: Option<Recommendation>,
    pub provenance: Provenance,
    /// Set by a source's refresh when the latest edition no longer lists the attestation: absence
    /// is not withdrawal (the ANSSI catalogue lists only suppliers who agreed to appear).
    #[serde(default)]
    pub absent_since: Option<NaiveDate>,
    pub unverified: Vec<String>,
    pub notes: Option<String>,
    pub references: Vec<String>,
    pub confidence: Confidence,
}

pub const ATTESTATION_FIELDS: &[&str] = &[
    "scheme",
    "status",
    "milestone",
    "level",
    "service_models",
    "scope",
    "valid_from",
    "valid_until",
    "decision",
    "recommendation",
];

impl AttestationData {
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_optional_text("milestone", self.milestone.as_deref(), MAX_NAME)?;
        check_optional_text("level", self.level.as_deref(), MAX_NAME)?;
        check_optional_text("scope", self.scope.as_deref(), MAX_TEXT)?;
        check_optional_text("notes", self.notes.as_deref(), MAX_TEXT)?;
        check_references(&self.references)?;
        check_unverified(&self.unverified, ATTESTATION_FIELDS)?;
        if let (Some(from), Some(until)) = (self.valid_from, self.valid_until)
            && until < from
        {
            return Err(ValidationError::new(
                "valid_until",
                "end_before_start",
                format!("valid_until {until} is before valid_from {from}"),
            ));
        }
        if self.milestone.is_some() && self.status != Status::InProgress {
            return Err(ValidationError::new(
                "milestone",
                "milestone_without_progress",
                "a milestone is only meaningful for a qualification in progress",
            ));
        }
        if let Some(decision) = &self.decision {
            if !(1990..=2100).contains(&decision.year) {
                return Err(ValidationError::new(
                    "decision.year",
                    "out_of_range",
                    "the decision year must be between 1990 and 2100",
                ));
            }
            let number_ok = !decision.number.is_empty()
                && decision.number.len() <= 20
                && decision
                    .number
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-');
            if !number_ok {
                return Err(ValidationError::new(
                    "decision.number",
                    "invalid_format",
                    "a decision number is 1 to 20 letters, digits or '-'",
                ));
            }
            check_optional_url("decision.url", decision.url.as_deref())?;
        }
        let provenance = &self.provenance;
        if provenance.source.trim().is_empty() || provenance.source.len() > 80 {
            return Err(ValidationError::new(
                "provenance.source",
                "required",
                "every attestation names its source (1 to 80 characters)",
            ));
        }
        check_optional_text(
            "provenance.source_reference",
            provenance.source_reference.as_deref(),
            MAX_NAME,
        )?;
        if provenance.last_seen < provenance.first_seen {
            return Err(ValidationError::new(
                "provenance.last_seen",
                "end_before_start",
                "last_seen is before first_seen",
            ));
        }
        Ok(())
    }

    /// The status that holds on `today`: a qualification past its end date is expired that day,
    /// whatever a feed last said.
    pub fn effective_status(&self, today: NaiveDate) -> Status {
        match (self.status, self.valid_until) {
            (Status::Qualified, Some(until)) if until < today => Status::Expired,
            (status, _) => status,
        }
    }

    /// Whether the attestation is in force on `today`.
    pub fn is_valid_on(&self, today: NaiveDate) -> bool {
        self.effective_status(today) == Status::Qualified
            && self.valid_from.is_none_or(|from| from <= today)
    }
}

/// A kept record: its identity and version around the data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record<T> {
    pub id: i64,
    pub key: Key,
    /// Incremented on every change; the API's ETag.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub data: T,
}

fn check_name(field: &str, value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        return Err(ValidationError::new(field, "required", "must not be empty"));
    }
    if value.trim() != value {
        return Err(ValidationError::new(
            field,
            "surrounding_whitespace",
            "must not start or end with spaces",
        ));
    }
    check_optional_text(field, Some(value), MAX_NAME)
}

fn check_names(field: &str, values: &[String]) -> Result<(), ValidationError> {
    if values.len() > MAX_LIST {
        return Err(too_many(field));
    }
    values
        .iter()
        .enumerate()
        .try_for_each(|(index, value)| check_name(&format!("{field}[{index}]"), value))
}

fn check_optional_text(
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Result<(), ValidationError> {
    match value {
        Some(text) if text.chars().count() > max => Err(ValidationError::new(
            field,
            "too_long",
            format!("must be at most {max} characters"),
        )),
        Some(text) if text.chars().any(|c| c.is_control() && c != '\n') => {
            Err(ValidationError::new(
                field,
                "control_characters",
                "must not contain control characters",
            ))
        }
        _ => Ok(()),
    }
}

fn check_optional_url(field: &str, value: Option<&str>) -> Result<(), ValidationError> {
    let Some(url) = value else { return Ok(()) };
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(rest)
            if !rest.is_empty() && !url.chars().any(char::is_whitespace) && url.len() <= 500 =>
        {
            Ok(())
        }
        _ => Err(ValidationError::new(
            field,
            "invalid_url",
            "must be an absolute http(s) URL without spaces, at most 500 characters",
        )),
    }
}

fn check_spdx(licence: &str) -> Result<(), ValidationError> {
    let valid = !licence.is_empty()
        && licence.len() <= 64
        && licence
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'));
    if valid {
        Ok(())
    } else {
        Err(ValidationError::new(
            "licences",
            "invalid_spdx",
            format!("'{licence}' is not an SPDX licence identifier"),
        ))
    }
}

fn check_references(references: &[String]) -> Result<(), ValidationError> {
    if references.len() > MAX_LIST {
        return Err(too_many("references"));
    }
    references.iter().try_for_each(|reference| {
        Key::parse(reference).map(|_| ()).map_err(|_| {
            ValidationError::new(
                "references",
                "invalid_key",
                format!("'{reference}' is not a reference key"),
            )
        })
    })
}

fn check_unverified(fields: &[String], allowed: &[&str]) -> Result<(), ValidationError> {
    match fields
        .iter()
        .find(|field| !allowed.contains(&field.as_str()))
    {
        Some(unknown) => Err(ValidationError::new(
            "unverified",
            "unknown_field",
            format!(
                "'{unknown}' is not a field that can be marked unverified (one of: {})",
                allowed.join(", ")
            ),
        )),
        None => Ok(()),
    }
}

fn too_many(field: &str) -> ValidationError {
    ValidationError::new(field, "too_many", format!("at most {MAX_LIST} entries"))
}
