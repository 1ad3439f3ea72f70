//! `registre import FILE`: loads a JSON Lines dataset (format in `dataset/README.md`).
//!
//! Every row is validated on its own and written in its own transaction, so a bad row is reported
//! with its line and reason while the good ones are kept. Records are matched on their key, and a row
//! equal to what is stored writes nothing: importing the same file twice changes nothing.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use registre_domain::identifiers::{CountryCode, Lei, Siren, Siret, VatNumber};
use registre_domain::model::{
    AttestationData, ControlLink, Decision, Key, OfferData, Provenance, SupplierData,
};
use registre_domain::taxonomy::{
    Category, Confidence, DeploymentModel, Recommendation, Scheme, ServiceModel, Status,
    SuiteClass, SuiteTier, SupplierKind, Verification,
};
use sea_orm::{EntityTrait, TransactionTrait};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::Store;
use crate::aggregate::{self, Written};
use crate::citations::{self, Citation};
use crate::entities::{citation, offer, supplier};
use crate::error::StoreError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SupplierLine {
    key: Key,
    legal_name: String,
    trade_names: Vec<String>,
    aliases: Vec<String>,
    kind: SupplierKind,
    siren: Option<Siren>,
    siret: Option<Siret>,
    vat_number: Option<VatNumber>,
    lei: Option<Lei>,
    country: CountryCode,
    hq_city: Option<String>,
    website: Option<String>,
    control_chain: Vec<ControlLink>,
    ultimate_control_country: Option<CountryCode>,
    unverified: Vec<String>,
    notes: Option<String>,
    references: Vec<String>,
    confidence: Confidence,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OfferLine {
    key: Key,
    supplier: Key,
    name: String,
    category: Category,
    description_fr: Option<String>,
    description_en: Option<String>,
    deployment_models: Vec<DeploymentModel>,
    licences: Vec<String>,
    hosting_locations: Vec<CountryCode>,
    suite_class: Option<SuiteClass>,
    suite_tier: Option<SuiteTier>,
    suite_role: Option<String>,
    url: Option<String>,
    source_repo: Option<String>,
    alternative_to: Vec<Key>,
    unverified: Vec<String>,
    notes: Option<String>,
    references: Vec<String>,
    confidence: Confidence,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProvenanceLine {
    source: String,
    source_reference: Option<String>,
    first_seen: NaiveDate,
    last_seen: NaiveDate,
    verification: Verification,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AttestationLine {
    key: Key,
    supplier: Key,
    offer: Option<Key>,
    scheme: Scheme,
    status: Status,
    milestone: Option<String>,
    level: Option<String>,
    service_models: Vec<ServiceModel>,
    scope: Option<String>,
    valid_from: Option<NaiveDate>,
    valid_until: Option<NaiveDate>,
    decision: Option<Decision>,
    recommendation: Option<Recommendation>,
    provenance: ProvenanceLine,
    unverified: Vec<String>,
    notes: Option<String>,
    references: Vec<String>,
    confidence: Confidence,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReferenceLine {
    key: Key,
    kind: String,
    title: String,
    locator: Option<String>,
    version: Option<String>,
    supports: Option<String>,
}

/// A row that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub line: usize,
    pub field: Option<String>,
    pub reason: String,
}

/// Counts per record type ("supplier", ...) of what the import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub counts: BTreeMap<&'static str, Counts>,
    pub rejected: Vec<Rejection>,
}

impl ImportReport {
    fn count(&mut self, record: &'static str, written: Written) {
        let counts = self.counts.entry(record).or_default();
        match written {
            Written::Created => counts.created += 1,
            Written::Updated => counts.updated += 1,
            Written::Unchanged => counts.unchanged += 1,
        }
    }

    fn reject(&mut self, line: usize, field: Option<String>, reason: impl Into<String>) {
        self.rejected.push(Rejection {
            line,
            field,
            reason: reason.into(),
        });
    }

    pub fn changed(&self) -> usize {
        self.counts.values().map(|c| c.created + c.updated).sum()
    }
}

/// Rows grouped by type, each with its line number, in the order they must be applied.
#[derive(Default)]
struct Parsed {
    references: Vec<(usize, ReferenceLine)>,
    suppliers: Vec<(usize, SupplierLine)>,
    offers: Vec<(usize, OfferLine)>,
    attestations: Vec<(usize, AttestationLine)>,
}

fn parse_as<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, (Option<String>, String)> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        let field = (path != ".").then_some(path);
        (field, error.into_inner().to_string())
    })
}

fn parse(text: &str, report: &mut ImportReport) -> Parsed {
    let mut parsed = Parsed::default();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let mut value: serde_json::Value = match serde_json::from_str(raw) {
            Ok(value) => value,
            Err(error) => {
                report.reject(line, None, format!("not valid JSON: {error}"));
                continue;
            }
        };
        let kind = value
            .as_object_mut()
            .and_then(|object| object.remove("record"))
            .and_then(|kind| kind.as_str().map(str::to_owned));
        let outcome = match kind.as_deref() {
            Some("reference") => parse_as(value).map(|row| parsed.references.push((line, row))),
            Some("supplier") => parse_as(value).map(|row| parsed.suppliers.push((line, row))),
            Some("offer") => parse_as(value).map(|row| parsed.offers.push((line, row))),
            Some("attestation") => parse_as(value).map(|row| parsed.attestations.push((line, row))),
            other => Err((
                Some("record".to_owned()),
                format!(
                    "unknown record type {other:?}: expected reference, supplier, offer or attestation"
                ),
            )),
        };
        if let Err((field, reason)) = outcome {
            report.reject(line, field, reason);
        }
    }
    parsed
}

fn describe(error: StoreError) -> (Option<String>, String) {
    match error {
        StoreError::Invalid(invalid) => (Some(invalid.field), invalid.message),
        StoreError::Conflict { field, message } => (Some(field), message),
        other => (None, other.to_string()),
    }
}

impl Store {
    /// Imports a JSON Lines dataset. `actor` names the import in the audit trail.
    pub async fn import(&self, text: &str, actor: &str) -> Result<ImportReport, StoreError> {
        let mut report = ImportReport::default();
        let parsed = parse(text, &mut report);

        for (line, row) in parsed.references {
            let citation = Citation {
                key: row.key.to_string(),
                kind: row.kind,
                title: row.title,
                locator: row.locator,
                version: row.version,
                supports: row.supports,
            };
            match citations::upsert(&self.db, &citation).await {
                Ok(written) => report.count("reference", written),
                Err(error) => {
                    let (field, reason) = describe(error);
                    report.reject(line, field, reason);
                }
            }
        }
        let known_references: Vec<String> = citation::Entity::find()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| row.key)
            .collect();
        let unknown_reference = |references: &[String]| {
            references
                .iter()
                .find(|key| !known_references.contains(key))
                .map(|key| format!("cites reference '{key}', which the dataset does not define"))
        };

        for (line, row) in parsed.suppliers {
            if let Some(reason) = unknown_reference(&row.references) {
                report.reject(line, Some("references".into()), reason);
                continue;
            }
            let key = row.key.clone();
            let data = SupplierData {
                legal_name: row.legal_name,
                trade_names: row.trade_names,
                aliases: row.aliases,
                kind: row.kind,
                siren: row.siren,
                siret: row.siret,
                vat_number: row.vat_number,
                lei: row.lei,
                country: row.country,
                hq_city: row.hq_city,
                website: row.website,
                control_chain: row.control_chain,
                ultimate_control_country: row.ultimate_control_country,
                unverified: row.unverified,
                notes: row.notes,
                references: row.references,
                confidence: row.confidence,
            };
            self.apply(&mut report, "supplier", line, key, data, actor)
                .await?;
        }

        let supplier_ids = self.ids_by_key::<supplier::Entity>().await?;
        // Read once, then kept up to date as offers are written: reading it per row made imports quadratic.
        let mut offer_ids = self.ids_by_key::<offer::Entity>().await?;
        // Offers may name later offers as alternatives: those links are written in a second pass.
        let mut deferred = Vec::new();
        for (line, row) in parsed.offers {
            if let Some(reason) = unknown_reference(&row.references) {
                report.reject(line, Some("references".into()), reason);
                continue;
            }
            let Some(&supplier_id) = supplier_ids.get(row.supplier.as_str()) else {
                report.reject(
                    line,
                    Some("supplier".into()),
                    format!("no supplier has key '{}'", row.supplier),
                );
                continue;
            };
            let (known, missing): (Vec<_>, Vec<_>) = row
                .alternative_to
                .iter()
                .partition(|key| offer_ids.contains_key(key.as_str()));
            let key = row.key.clone();
            let alternative_keys = row.alternative_to.clone();
            let mut data = OfferData {
                supplier_id,
                name: row.name,
                category: row.category,
                description_fr: row.description_fr,
                description_en: row.description_en,
                deployment_models: row.deployment_models,
                licences: row.licences,
                hosting_locations: row.hosting_locations,
                suite_class: row.suite_class,
                suite_tier: row.suite_tier,
                suite_role: row.suite_role,
                url: row.url,
                source_repo: row.source_repo,
                alternative_to: known.iter().map(|k| offer_ids[k.as_str()]).collect(),
                unverified: row.unverified,
                notes: row.notes,
                references: row.references,
                confidence: row.confidence,
            };
            if missing.is_empty() {
                if let Some(id) = self
                    .apply(&mut report, "offer", line, key.clone(), data, actor)
                    .await?
                {
                    offer_ids.insert(key.to_string(), id);
                }
            } else {
                // Keep the links this import already holds for the record, so a second import
                // of the same file finds it unchanged.
                if let Some(existing) = self.existing::<OfferData>(&key).await? {
                    data.alternative_to = existing.data.alternative_to;
                }
                if let Some(id) = self
                    .apply(&mut report, "offer", line, key.clone(), data.clone(), actor)
                    .await?
                {
                    offer_ids.insert(key.to_string(), id);
                    deferred.push((line, key, data, alternative_keys));
                }
            }
        }
        if !deferred.is_empty() {
            for (line, key, mut data, alternative_keys) in deferred {
                let mut ids = Vec::new();
                for alternative in &alternative_keys {
                    match offer_ids.get(alternative.as_str()) {
                        Some(id) => ids.push(*id),
                        None => report.reject(
                            line,
                            Some("alternative_to".into()),
                            format!("no offer has key '{alternative}'"),
                        ),
                    }
                }
                data.alternative_to = ids;
                let txn = self.db.begin().await?;
                match aggregate::upsert_by_key(&txn, key, data, actor).await {
                    Ok(_) => txn.commit().await?,
                    Err(error) => {
                        let (field, reason) = describe(error);
                        report.reject(line, field, reason);
                    }
                }
            }
        }

        for (line, row) in parsed.attestations {
            if let Some(reason) = unknown_reference(&row.references) {
                report.reject(line, Some("references".into()), reason);
                continue;
            }
            let Some(&supplier_id) = supplier_ids.get(row.supplier.as_str()) else {
                report.reject(
                    line,
                    Some("supplier".into()),
                    format!("no supplier has key '{}'", row.supplier),
                );
                continue;
            };
            let offer_id = match &row.offer {
                None => None,
                Some(key) => match offer_ids.get(key.as_str()) {
                    Some(id) => Some(*id),
                    None => {
                        report.reject(
                            line,
                            Some("offer".into()),
                            format!("no offer has key '{key}'"),
                        );
                        continue;
                    }
                },
            };
            let key = row.key.clone();
            let data = AttestationData {
                supplier_id,
                offer_id,
                scheme: row.scheme,
                status: row.status,
                milestone: row.milestone,
                level: row.level,
                service_models: row.service_models,
                scope: row.scope,
                valid_from: row.valid_from,
                valid_until: row.valid_until,
                decision: row.decision,
                recommendation: row.recommendation,
                provenance: Provenance {
                    source: row.provenance.source,
                    source_reference: row.provenance.source_reference,
                    first_seen: row.provenance.first_seen,
                    last_seen: row.provenance.last_seen,
                    verification: row.provenance.verification,
                },
                // Kept from the stored record: absence is a fact of the source's editions, not of the dataset.
                absent_since: self
                    .existing::<AttestationData>(&row.key)
                    .await?
                    .and_then(|current| current.data.absent_since),
                unverified: row.unverified,
                notes: row.notes,
                references: row.references,
                confidence: row.confidence,
            };
            self.apply(&mut report, "attestation", line, key, data, actor)
                .await?;
        }
        report.rejected.sort_by_key(|rejection| rejection.line);
        Ok(report)
    }

    /// Upserts one row in its own transaction; returns the id of the kept record, if it was kept.
    async fn apply<A>(
        &self,
        report: &mut ImportReport,
        record: &'static str,
        line: usize,
        key: Key,
        data: A,
        actor: &str,
    ) -> Result<Option<i64>, StoreError>
    where
        A: aggregate::Aggregate,
        <A::Entity as EntityTrait>::Model: Send + Sync,
        <A::Entity as EntityTrait>::ActiveModel:
            sea_orm::ActiveModelTrait<Entity = A::Entity> + Send,
    {
        let txn = self.db.begin().await?;
        match aggregate::upsert_by_key(&txn, key, data, actor).await {
            Ok((kept, written)) => {
                txn.commit().await?;
                report.count(record, written);
                Ok(Some(kept.id))
            }
            Err(StoreError::Database(error)) => Err(StoreError::Database(error)),
            Err(error) => {
                let (field, reason) = describe(error);
                report.reject(line, field, reason);
                Ok(None)
            }
        }
    }

    async fn existing<A>(
        &self,
        key: &Key,
    ) -> Result<Option<registre_domain::model::Record<A>>, StoreError>
    where
        A: aggregate::Aggregate,
        <A::Entity as EntityTrait>::Model: Send + Sync,
    {
        let txn = self.db.begin().await?;
        let found = aggregate::load_by_key::<A>(&txn, key).await?;
        txn.commit().await?;
        Ok(found)
    }

    async fn ids_by_key<E>(&self) -> Result<HashMap<String, i64>, StoreError>
    where
        E: EntityTrait,
        E::Model: KeyedRow,
    {
        Ok(E::find()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| (row.key().to_owned(), row.id()))
            .collect())
    }
}

trait KeyedRow {
    fn key(&self) -> &str;
    fn id(&self) -> i64;
}

impl KeyedRow for supplier::Model {
    fn key(&self) -> &str {
        &self.key
    }
    fn id(&self) -> i64 {
        self.id
    }
}

impl KeyedRow for offer::Model {
    fn key(&self) -> &str {
        &self.key
    }
    fn id(&self) -> i64 {
        self.id
    }
}
