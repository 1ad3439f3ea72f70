//! Conversions between table rows and domain records. Lists are JSON text; vocabularies are their codes.

use chrono::Utc;
use registre_domain::identifiers::{CountryCode, Lei, Siren, Siret, VatNumber};
use registre_domain::model::{
    AttestationData, Decision, Key, OfferData, Provenance, Record, SupplierData,
};
use registre_domain::taxonomy::Vocabulary;
use sea_orm::ActiveValue::{NotSet, Set};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::entities::{attestation, offer, supplier};
use crate::error::StoreError;

pub(crate) fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("domain values always serialise to JSON")
}

struct Reader {
    entity: &'static str,
    id: i64,
}

impl Reader {
    fn json<T: DeserializeOwned>(&self, text: &str) -> Result<T, StoreError> {
        serde_json::from_str(text).map_err(|e| StoreError::corrupt(self.entity, self.id, e))
    }

    fn code<V: Vocabulary>(&self, code: &str) -> Result<V, StoreError> {
        V::parse(code).map_err(|e| StoreError::corrupt(self.entity, self.id, e))
    }

    fn optional_code<V: Vocabulary>(&self, code: Option<&str>) -> Result<Option<V>, StoreError> {
        code.map(|c| self.code(c)).transpose()
    }

    fn parsed<T, E: ToString>(
        &self,
        value: Option<&str>,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Result<Option<T>, StoreError> {
        value
            .map(|v| parse(v).map_err(|e| StoreError::corrupt(self.entity, self.id, e.to_string())))
            .transpose()
    }

    fn key(&self, key: &str) -> Result<Key, StoreError> {
        Key::parse(key).map_err(|e| StoreError::corrupt(self.entity, self.id, e))
    }
}

pub(crate) fn supplier_from_row(row: supplier::Model) -> Result<Record<SupplierData>, StoreError> {
    let r = Reader {
        entity: "supplier",
        id: row.id,
    };
    let data = SupplierData {
        legal_name: row.legal_name,
        trade_names: r.json(&row.trade_names)?,
        aliases: r.json(&row.aliases)?,
        kind: r.code(&row.kind)?,
        siren: r.parsed(row.siren.as_deref(), Siren::parse)?,
        siret: r.parsed(row.siret.as_deref(), Siret::parse)?,
        vat_number: r.parsed(row.vat_number.as_deref(), VatNumber::parse)?,
        lei: r.parsed(row.lei.as_deref(), Lei::parse)?,
        country: r
            .parsed(Some(&row.country), CountryCode::parse)?
            .expect("a present value parses to Some"),
        hq_city: row.hq_city,
        website: row.website,
        control_chain: r.json(&row.control_chain)?,
        ultimate_control_country: r
            .parsed(row.ultimate_control_country.as_deref(), CountryCode::parse)?,
        unverified: r.json(&row.unverified)?,
        notes: row.notes,
        references: r.json(&row.references)?,
        confidence: r.code(&row.confidence)?,
    };
    Ok(Record {
        id: row.id,
        key: r.key(&row.key)?,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
        data,
    })
}

pub(crate) fn supplier_to_row(record: &Record<SupplierData>) -> supplier::ActiveModel {
    let d = &record.data;
    supplier::ActiveModel {
        id: if record.id == 0 {
            NotSet
        } else {
            Set(record.id)
        },
        key: Set(record.key.to_string()),
        legal_name: Set(d.legal_name.clone()),
        trade_names: Set(to_json(&d.trade_names)),
        aliases: Set(to_json(&d.aliases)),
        kind: Set(d.kind.code().to_owned()),
        siren: Set(d.siren.as_ref().map(|v| v.to_string())),
        siret: Set(d.siret.as_ref().map(|v| v.to_string())),
        vat_number: Set(d.vat_number.as_ref().map(|v| v.to_string())),
        lei: Set(d.lei.as_ref().map(|v| v.to_string())),
        country: Set(d.country.to_string()),
        hq_city: Set(d.hq_city.clone()),
        website: Set(d.website.clone()),
        control_chain: Set(to_json(&d.control_chain)),
        ultimate_control_country: Set(d.ultimate_control_country.as_ref().map(|v| v.to_string())),
        unverified: Set(to_json(&d.unverified)),
        notes: Set(d.notes.clone()),
        references: Set(to_json(&d.references)),
        confidence: Set(d.confidence.code().to_owned()),
        version: Set(record.version),
        created_at: Set(record.created_at),
        updated_at: Set(record.updated_at),
    }
}

/// `alternative_to` lives in its own table: the caller fills it in.
pub(crate) fn offer_from_row(
    row: offer::Model,
    alternative_to: Vec<i64>,
) -> Result<Record<OfferData>, StoreError> {
    let r = Reader {
        entity: "offer",
        id: row.id,
    };
    let data = OfferData {
        supplier_id: row.supplier_id,
        name: row.name,
        category: r.code(&row.category)?,
        description_fr: row.description_fr,
        description_en: row.description_en,
        deployment_models: r.json(&row.deployment_models)?,
        licences: r.json(&row.licences)?,
        hosting_locations: r.json(&row.hosting_locations)?,
        suite_class: r.optional_code(row.suite_class.as_deref())?,
        suite_tier: r.optional_code(row.suite_tier.as_deref())?,
        suite_role: row.suite_role,
        url: row.url,
        source_repo: row.source_repo,
        alternative_to,
        unverified: r.json(&row.unverified)?,
        notes: row.notes,
        references: r.json(&row.references)?,
        confidence: r.code(&row.confidence)?,
    };
    Ok(Record {
        id: row.id,
        key: r.key(&row.key)?,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
        data,
    })
}

pub(crate) fn offer_to_row(record: &Record<OfferData>) -> offer::ActiveModel {
    let d = &record.data;
    offer::ActiveModel {
        id: if record.id == 0 {
            NotSet
        } else {
            Set(record.id)
        },
        key: Set(record.key.to_string()),
        supplier_id: Set(d.supplier_id),
        name: Set(d.name.clone()),
        category: Set(d.category.code().to_owned()),
        description_fr: Set(d.description_fr.clone()),
        description_en: Set(d.description_en.clone()),
        deployment_models: Set(to_json(&d.deployment_models)),
        licences: Set(to_json(&d.licences)),
        hosting_locations: Set(to_json(&d.hosting_locations)),
        suite_class: Set(d.suite_class.map(|v| v.code().to_owned())),
        suite_tier: Set(d.suite_tier.map(|v| v.code().to_owned())),
        suite_role: Set(d.suite_role.clone()),
        url: Set(d.url.clone()),
        source_repo: Set(d.source_repo.clone()),
        unverified: Set(to_json(&d.unverified)),
        notes: Set(d.notes.clone()),
        references: Set(to_json(&d.references)),
        confidence: Set(d.confidence.code().to_owned()),
        version: Set(record.version),
        created_at: Set(record.created_at),
        updated_at: Set(record.updated_at),
    }
}

pub(crate) fn attestation_from_row(
    row: attestation::Model,
) -> Result<Record<AttestationData>, StoreError> {
    let r = Reader {
        entity: "attestation",
        id: row.id,
    };
    let decision = match (row.decision_year, row.decision_number) {
        (Some(year), Some(number)) => Some(Decision {
            year,
            number,
            url: row.decision_url,
        }),
        _ => None,
    };
    let data = AttestationData {
        supplier_id: row.supplier_id,
        offer_id: row.offer_id,
        scheme: r.code(&row.scheme)?,
        status: r.code(&row.status)?,
        milestone: row.milestone,
        level: row.level,
        service_models: r.json(&row.service_models)?,
        scope: row.scope,
        valid_from: row.valid_from,
        valid_until: row.valid_until,
        decision,
        recommendation: r.optional_code(row.recommendation.as_deref())?,
        provenance: Provenance {
            source: row.source,
            source_reference: row.source_reference,
            first_seen: row.first_seen,
            last_seen: row.last_seen,
            verification: r.code(&row.verification)?,
        },
        absent_since: row.absent_since,
        unverified: r.json(&row.unverified)?,
        notes: row.notes,
        references: r.json(&row.references)?,
        confidence: r.code(&row.confidence)?,
    };
    Ok(Record {
        id: row.id,
        key: r.key(&row.key)?,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
        data,
    })
}

pub(crate) fn attestation_to_row(record: &Record<AttestationData>) -> attestation::ActiveModel {
    let d = &record.data;
    let p = &d.provenance;
    attestation::ActiveModel {
        id: if record.id == 0 {
            NotSet
        } else {
            Set(record.id)
        },
        key: Set(record.key.to_string()),
        supplier_id: Set(d.supplier_id),
        offer_id: Set(d.offer_id),
        scheme: Set(d.scheme.code().to_owned()),
        status: Set(d.status.code().to_owned()),
        milestone: Set(d.milestone.clone()),
        level: Set(d.level.clone()),
        service_models: Set(to_json(&d.service_models)),
        scope: Set(d.scope.clone()),
        valid_from: Set(d.valid_from),
        valid_until: Set(d.valid_until),
        decision_year: Set(d.decision.as_ref().map(|x| x.year)),
        decision_number: Set(d.decision.as_ref().map(|x| x.number.clone())),
        decision_url: Set(d.decision.as_ref().and_then(|x| x.url.clone())),
        recommendation: Set(d.recommendation.map(|v| v.code().to_owned())),
        source: Set(p.source.clone()),
        source_reference: Set(p.source_reference.clone()),
        first_seen: Set(p.first_seen),
        last_seen: Set(p.last_seen),
        verification: Set(p.verification.code().to_owned()),
        absent_since: Set(d.absent_since),
        unverified: Set(to_json(&d.unverified)),
        notes: Set(d.notes.clone()),
        references: Set(to_json(&d.references)),
        confidence: Set(d.confidence.code().to_owned()),
        version: Set(record.version),
        created_at: Set(record.created_at),
        updated_at: Set(record.updated_at),
    }
}

/// A fresh record around `data`, before the database gives it an id.
pub(crate) fn new_record<T>(key: Key, data: T) -> Record<T> {
    let now = Utc::now();
    Record {
        id: 0,
        key,
        version: 1,
        created_at: now,
        updated_at: now,
        data,
    }
}
