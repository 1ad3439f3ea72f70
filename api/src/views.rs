//! What the API answers: records with their computed facts (exposure, status today), built from domain types.

use chrono::{DateTime, NaiveDate, Utc};
use poem_openapi::Object;
use registre_domain::model::{AttestationData, OfferData, Record, SupplierData};
use registre_domain::sovereignty::{Assessment, ExposureReason};
use registre_domain::taxonomy::Vocabulary;
use registre_store::refresh::Change;

fn codes<V: Vocabulary>(values: &[V]) -> Vec<String> {
    values.iter().map(|v| v.code().to_owned()).collect()
}

/// One fact behind an exposure level.
#[derive(Debug, Clone, Object)]
pub struct ReasonView {
    /// Stable code, e.g. `control_outside_eu`, `secnumcloud_immunity`.
    pub code: String,
    /// The level this fact alone leads to.
    pub effect: String,
    pub fact_fr: String,
    pub fact_en: String,
    /// The record holding the fact, e.g. `supplier:ovhcloud`.
    pub source: String,
    pub references: Vec<String>,
    /// False when the record marks the underlying fact as unverified.
    pub verified: bool,
}

/// Exposure to extra-EU law, computed from the recorded facts.
#[derive(Debug, Clone, Object)]
pub struct ExposureView {
    /// `none`, `low`, `medium`, `high`, `unknown` or `not_applicable`.
    pub level: String,
    pub label_fr: String,
    pub label_en: String,
    pub reasons: Vec<ReasonView>,
}

impl From<Assessment> for ExposureView {
    fn from(assessment: Assessment) -> Self {
        Self {
            level: assessment.level.code().to_owned(),
            label_fr: assessment.level.label_fr().to_owned(),
            label_en: assessment.level.label_en().to_owned(),
            reasons: assessment
                .reasons
                .into_iter()
                .map(ReasonView::from)
                .collect(),
        }
    }
}

impl From<ExposureReason> for ReasonView {
    fn from(reason: ExposureReason) -> Self {
        Self {
            code: reason.code.to_owned(),
            effect: reason.effect.code().to_owned(),
            fact_fr: reason.fact_fr,
            fact_en: reason.fact_en,
            source: reason.source,
            references: reason.references,
            verified: reason.verified,
        }
    }
}

#[derive(Debug, Clone, Object)]
pub struct ControlLinkView {
    pub name: String,
    /// ISO 3166-1 alpha-2, null when unknown.
    pub country: Option<String>,
    pub relation: String,
}

#[derive(Debug, Clone, Object)]
pub struct SupplierView {
    pub id: i64,
    pub key: String,
    /// Incremented on every change; also sent as the `ETag` header.
    pub version: i32,
    pub legal_name: String,
    pub trade_names: Vec<String>,
    pub aliases: Vec<String>,
    pub kind: String,
    pub siren: Option<String>,
    pub siret: Option<String>,
    pub vat_number: Option<String>,
    pub lei: Option<String>,
    pub country: String,
    pub hq_city: Option<String>,
    pub website: Option<String>,
    pub control_chain: Vec<ControlLinkView>,
    /// Null when unknown.
    pub ultimate_control_country: Option<String>,
    pub exposure: ExposureView,
    /// Fields whose value no source has confirmed.
    pub unverified: Vec<String>,
    pub notes: Option<String>,
    pub references: Vec<String>,
    pub confidence: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl SupplierView {
    pub fn new(record: Record<SupplierData>, exposure: Assessment) -> Self {
        let d = record.data;
        Self {
            id: record.id,
            key: record.key.to_string(),
            version: record.version,
            legal_name: d.legal_name,
            trade_names: d.trade_names,
            aliases: d.aliases,
            kind: d.kind.code().to_owned(),
            siren: d.siren.map(|v| v.to_string()),
            siret: d.siret.map(|v| v.to_string()),
            vat_number: d.vat_number.map(|v| v.to_string()),
            lei: d.lei.map(|v| v.to_string()),
            country: d.country.to_string(),
            hq_city: d.hq_city,
            website: d.website,
            control_chain: d
                .control_chain
                .into_iter()
                .map(|link| ControlLinkView {
                    name: link.name,
                    country: link.country.map(|c| c.to_string()),
                    relation: link.relation.code().to_owned(),
                })
                .collect(),
            ultimate_control_country: d.ultimate_control_country.map(|c| c.to_string()),
            exposure: exposure.into(),
            unverified: d.unverified,
            notes: d.notes,
            references: d.references,
            confidence: d.confidence.code().to_owned(),
            created_at: record.created_at,
            updated_at: record.updated_at,
        }
    }
}

/// A supplier named from another record.
#[derive(Debug, Clone, Object)]
pub struct SupplierRef {
    pub id: i64,
    pub key: String,
    pub legal_name: String,
}

/// An attestation as listed on its offer.
#[derive(Debug, Clone, Object)]
pub struct AttestationSummary {
    pub id: i64,
    pub key: String,
    pub scheme: String,
    /// The status that holds today.
    pub status: String,
    pub valid_until: Option<NaiveDate>,
    pub valid_today: bool,
    pub verification: String,
}

impl AttestationSummary {
    pub fn new(record: &Record<AttestationData>, today: NaiveDate) -> Self {
        Self {
            id: record.id,
            key: record.key.to_string(),
            scheme: record.data.scheme.code().to_owned(),
            status: record.data.effective_status(today).code().to_owned(),
            valid_until: record.data.valid_until,
            valid_today: record.data.is_valid_on(today),
            verification: record.data.provenance.verification.code().to_owned(),
        }
    }
}

#[derive(Debug, Clone, Object)]
pub struct OfferView {
    pub id: i64,
    pub key: String,
    pub version: i32,
    pub supplier: SupplierRef,
    pub name: String,
    pub category: String,
    pub description_fr: Option<String>,
    pub description_en: Option<String>,
    pub deployment_models: Vec<String>,
    pub licences: Vec<String>,
    pub hosting_locations: Vec<String>,
    pub suite_class: Option<String>,
    /// Set only where the State uses the offer in La Suite numérique.
    pub suite_tier: Option<String>,
    pub suite_role: Option<String>,
    pub url: Option<String>,
    pub source_repo: Option<String>,
    /// Ids of the offers this one can replace.
    pub alternative_to: Vec<i64>,
    /// Attestations of this offer and of its supplier as a whole.
    pub attestations: Vec<AttestationSummary>,
    pub exposure: ExposureView,
    /// What the official sources changed about this offer, oldest first (single-offer reads only).
    pub timeline: Option<Vec<ChangeView>>,
    pub unverified: Vec<String>,
    pub notes: Option<String>,
    pub references: Vec<String>,
    pub confidence: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl OfferView {
    pub fn new(
        record: Record<OfferData>,
        supplier: &Record<SupplierData>,
        attestations: Vec<AttestationSummary>,
        exposure: Assessment,
    ) -> Self {
        let d = record.data;
        Self {
            id: record.id,
            key: record.key.to_string(),
            version: record.version,
            supplier: SupplierRef {
                id: supplier.id,
                key: supplier.key.to_string(),
                legal_name: supplier.data.legal_name.clone(),
            },
            name: d.name,
            category: d.category.code().to_owned(),
            description_fr: d.description_fr,
            description_en: d.description_en,
            deployment_models: codes(&d.deployment_models),
            licences: d.licences,
            hosting_locations: d.hosting_locations.iter().map(|c| c.to_string()).collect(),
            suite_class: d.suite_class.map(|v| v.code().to_owned()),
            suite_tier: d.suite_tier.map(|v| v.code().to_owned()),
            suite_role: d.suite_role,
            url: d.url,
            source_repo: d.source_repo,
            alternative_to: d.alternative_to,
            attestations,
            exposure: exposure.into(),
            timeline: None,
            unverified: d.unverified,
            notes: d.notes,
            references: d.references,
            confidence: d.confidence.code().to_owned(),
            created_at: record.created_at,
            updated_at: record.updated_at,
        }
    }
}

#[derive(Debug, Clone, Object)]
pub struct DecisionView {
    pub year: i32,
    pub number: String,
    pub url: Option<String>,
}

/// Where a fact came from and when it was seen.
#[derive(Debug, Clone, Object)]
pub struct ProvenanceView {
    /// `anssi-catalogue`, `ans-hds`, `vendor`, `press`, `research`, ...
    pub source: String,
    pub source_reference: Option<String>,
    pub first_seen: NaiveDate,
    pub last_seen: NaiveDate,
    /// `verified` (read from an official source) or `declared`.
    pub verification: String,
}

#[derive(Debug, Clone, Object)]
pub struct AttestationView {
    pub id: i64,
    pub key: String,
    pub version: i32,
    pub supplier_id: i64,
    /// Null for an attestation of the supplier as a whole.
    pub offer_id: Option<i64>,
    pub scheme: String,
    /// The status that holds today: a qualification past its end date is `expired`.
    pub status: String,
    /// The status as last recorded.
    pub recorded_status: String,
    pub valid_today: bool,
    pub milestone: Option<String>,
    pub level: Option<String>,
    pub service_models: Vec<String>,
    pub scope: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub decision: Option<DecisionView>,
    pub recommendation: Option<String>,
    pub provenance: ProvenanceView,
    /// The day the source's latest edition stopped listing it; null while it is listed.
    pub absent_since: Option<NaiveDate>,
    pub unverified: Vec<String>,
    pub notes: Option<String>,
    pub references: Vec<String>,
    pub confidence: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl AttestationView {
    pub fn new(record: Record<AttestationData>, today: NaiveDate) -> Self {
        let status = record.data.effective_status(today).code().to_owned();
        let valid_today = record.data.is_valid_on(today);
        let d = record.data;
        Self {
            id: record.id,
            key: record.key.to_string(),
            version: record.version,
            supplier_id: d.supplier_id,
            offer_id: d.offer_id,
            scheme: d.scheme.code().to_owned(),
            status,
            recorded_status: d.status.code().to_owned(),
            valid_today,
            milestone: d.milestone,
            level: d.level,
            service_models: codes(&d.service_models),
            scope: d.scope,
            valid_from: d.valid_from,
            valid_until: d.valid_until,
            decision: d.decision.map(|x| DecisionView {
                year: x.year,
                number: x.number,
                url: x.url,
            }),
            recommendation: d.recommendation.map(|r| r.code().to_owned()),
            provenance: ProvenanceView {
                source: d.provenance.source,
                source_reference: d.provenance.source_reference,
                first_seen: d.provenance.first_seen,
                last_seen: d.provenance.last_seen,
                verification: d.provenance.verification.code().to_owned(),
            },
            absent_since: d.absent_since,
            unverified: d.unverified,
            notes: d.notes,
            references: d.references,
            confidence: d.confidence.code().to_owned(),
            created_at: record.created_at,
            updated_at: record.updated_at,
        }
    }
}

#[derive(Debug, Clone, Object)]
pub struct SupplierList {
    pub items: Vec<SupplierView>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Object)]
pub struct OfferList {
    pub items: Vec<OfferView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Object)]
pub struct AttestationList {
    pub items: Vec<AttestationView>,
    pub next_cursor: Option<String>,
}

/// One event of an official source's history.
#[derive(Debug, Clone, Object)]
pub struct ChangeView {
    pub id: i64,
    pub seen_at: DateTime<Utc>,
    pub source: String,
    pub edition: Option<String>,
    /// `added`, `renamed`, `dates_changed`, `recommendation_changed`, `status_changed`, `verified`, `expired`, `absent`, `back`.
    pub kind: String,
    pub attestation_id: Option<i64>,
    pub offer_id: Option<i64>,
    pub supplier_id: Option<i64>,
    pub summary_fr: String,
    pub summary_en: String,
}

impl From<Change> for ChangeView {
    fn from(change: Change) -> Self {
        Self {
            id: change.id,
            seen_at: change.seen_at,
            source: change.source_id,
            edition: change.edition,
            kind: change.kind,
            attestation_id: change.attestation_id,
            offer_id: change.offer_id,
            supplier_id: change.supplier_id,
            summary_fr: change.summary_fr,
            summary_en: change.summary_en,
        }
    }
}
