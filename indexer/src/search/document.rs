//! From records to index documents: what each supplier and offer document holds, computed from the
//! catalogue on the day of indexing (exposure, attestations valid today, the day that may change them).
//!
//! A supplier document also carries what its offers are (categories, Suite classes, deployment
//! models), so that "hébergement" finds hosting suppliers and facet filters apply to suppliers too; an
//! offer document carries its supplier's names, country and identifiers and the attestations that
//! cover it (its own and its supplier's whole-company ones).

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate};
use registre_domain::identifiers::CountryCode;
use registre_domain::model::{AttestationData, OfferData, Record, SupplierData};
use registre_domain::sovereignty::{assess_offer, assess_supplier};
use registre_domain::taxonomy::{
    Category, DeploymentModel, ExposureLevel, Scheme, Status, SuiteClass, SuiteTier, Vocabulary,
};
use registre_store::CatalogueSlice;
use serde::{Deserialize, Serialize};
use tantivy::TantivyDocument;

use super::analysis::normalize;
use super::facets::{Slot, attestation_value, cluster_key, country_value, encode, position};
use super::schema::{Fields, uid};
use super::types::{AttestationDigest, AttestationItem, DocKind, Qualification, SupplierSummary};

/// What a hit shows, stored with the document as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredHit {
    pub kind: DocKind,
    pub id: i64,
    pub key: String,
    pub name: String,
    pub legal_name: Option<String>,
    pub supplier: Option<SupplierSummary>,
    pub category: Option<Category>,
    pub suite_class: Option<SuiteClass>,
    pub suite_tier: Option<SuiteTier>,
    pub country: CountryCode,
    pub exposure: ExposureLevel,
    pub open_source: bool,
    pub deployment_models: Vec<DeploymentModel>,
    pub attestations: AttestationDigest,
}

/// One document to index.
#[derive(Debug, Clone)]
pub(crate) struct IndexRecord {
    pub stored: StoredHit,
    pub group: i64,
    pub other_names: Vec<String>,
    pub supplier_names: Vec<String>,
    pub description_fr: Option<String>,
    pub description_en: Option<String>,
    pub labels_fr: Vec<String>,
    pub labels_en: Vec<String>,
    pub context_fr: Vec<String>,
    pub context_en: Vec<String>,
    pub replaces: Vec<String>,
    pub identifiers: Vec<String>,
    pub supplier_identifiers: Vec<String>,
    pub facets: Vec<u64>,
    pub recheck_on: Option<NaiveDate>,
}

/// Days since 0001-01-01, the unit of date fast fields.
pub(crate) fn day_number(date: NaiveDate) -> u64 {
    u64::try_from(date.num_days_from_ce()).unwrap_or(0)
}

fn supplier_display_name(supplier: &SupplierData) -> &str {
    supplier.trade_names.first().unwrap_or(&supplier.legal_name)
}

fn supplier_identifiers(supplier: &SupplierData) -> Vec<String> {
    let mut identifiers = Vec::new();
    identifiers.extend(supplier.siren.as_ref().map(|v| v.as_str().to_owned()));
    identifiers.extend(supplier.siret.as_ref().map(|v| v.as_str().to_owned()));
    identifiers.extend(supplier.vat_number.as_ref().map(|v| v.as_str().to_owned()));
    identifiers.extend(supplier.lei.as_ref().map(|v| v.as_str().to_owned()));
    identifiers
}

fn country_labels(country: CountryCode, fr: &mut Vec<String>, en: &mut Vec<String>) {
    fr.extend(country.label_fr().map(str::to_owned));
    en.extend(country.label_en().map(str::to_owned));
}

/// Labels of a vocabulary value in both languages.
fn labels<V: Vocabulary>(value: V, fr: &mut Vec<String>, en: &mut Vec<String>) {
    fr.push(value.label_fr().to_owned());
    en.push(value.label_en().to_owned());
}

/// The attestations of a document summed up on `today`, with the first later day on which that sum
/// may change.
fn digest(
    attestations: &[&Record<AttestationData>],
    whole_supplier: impl Fn(&AttestationData) -> bool,
    today: NaiveDate,
) -> (AttestationDigest, Option<NaiveDate>) {
    let mut items: Vec<AttestationItem> = attestations
        .iter()
        .map(|a| AttestationItem {
            key: a.key.to_string(),
            scheme: a.data.scheme,
            status: a.data.effective_status(today),
            valid_today: a.data.is_valid_on(today),
            valid_until: a.data.valid_until,
            whole_supplier: whole_supplier(&a.data),
        })
        .collect();
    items.sort_by(|a, b| {
        b.valid_today
            .cmp(&a.valid_today)
            .then_with(|| a.scheme.cmp(&b.scheme))
            .then_with(|| a.key.cmp(&b.key))
    });
    let valid_today: BTreeSet<Scheme> = items
        .iter()
        .filter(|i| i.valid_today)
        .map(|i| i.scheme)
        .collect();
    let in_progress: BTreeSet<Scheme> = items
        .iter()
        .filter(|i| i.status == Status::InProgress)
        .map(|i| i.scheme)
        .collect();
    let qualification = if !valid_today.is_empty() {
        Qualification::ValidToday
    } else if !in_progress.is_empty() {
        Qualification::InProgress
    } else {
        Qualification::None
    };
    let qualified_until = items
        .iter()
        .filter(|i| i.valid_today)
        .filter_map(|i| i.valid_until)
        .max();
    let recheck_on = attestations
        .iter()
        .flat_map(|a| {
            let ends = a
                .data
                .valid_until
                .filter(|until| *until >= today)
                .and_then(|until| until.succ_opt());
            let starts = a.data.valid_from.filter(|from| *from > today);
            ends.into_iter().chain(starts)
        })
        .min();
    (
        AttestationDigest {
            qualification,
            valid_today: valid_today.into_iter().collect(),
            in_progress: in_progress.into_iter().collect(),
            qualified_until,
            items,
        },
        recheck_on,
    )
}

fn attestation_texts(
    attestations: &[&Record<AttestationData>],
    fr: &mut Vec<String>,
    en: &mut Vec<String>,
) {
    let schemes: BTreeSet<Scheme> = attestations.iter().map(|a| a.data.scheme).collect();
    for scheme in schemes {
        labels(scheme, fr, en);
        fr.push(scheme.code().replace('_', " "));
    }
    for attestation in attestations {
        fr.extend(attestation.data.scope.clone());
    }
}

fn attestation_facets(attestations: &[&Record<AttestationData>], today: NaiveDate) -> Vec<u64> {
    let values: BTreeSet<u32> = attestations
        .iter()
        .map(|a| {
            attestation_value(
                a.data.scheme,
                a.data.effective_status(today),
                a.data.is_valid_on(today),
            )
        })
        .collect();
    values
        .into_iter()
        .map(|v| encode(Slot::Attestation, v))
        .collect()
}

fn vocabulary_facets<V: Vocabulary + PartialEq + Ord>(
    slot: Slot,
    values: impl IntoIterator<Item = V>,
) -> impl Iterator<Item = u64> {
    let distinct: BTreeSet<V> = values.into_iter().collect();
    distinct.into_iter().map(move |v| encode(slot, position(v)))
}

fn offer_record(
    offer: &Record<OfferData>,
    supplier: &Record<SupplierData>,
    supplier_attestations: &[Record<AttestationData>],
    alternative_names: &HashMap<i64, String>,
    today: NaiveDate,
) -> IndexRecord {
    let data = &offer.data;
    let covering: Vec<&Record<AttestationData>> = supplier_attestations
        .iter()
        .filter(|a| a.data.offer_id.is_none_or(|id| id == offer.id))
        .collect();
    let (attestations, recheck_on) = digest(&covering, |a| a.offer_id.is_none(), today);
    let exposure = assess_offer(supplier, offer, supplier_attestations, today).level;
    let open_source = !data.licences.is_empty();

    let (mut fr, mut en) = (Vec::new(), Vec::new());
    labels(data.category, &mut fr, &mut en);
    if let Some(class) = data.suite_class {
        labels(class, &mut fr, &mut en);
    }
    if let Some(tier) = data.suite_tier {
        labels(tier, &mut fr, &mut en);
        // The tier only exists inside La Suite numérique: name it so that "suite numérique" finds it.
        fr.push("La Suite numérique".to_owned());
        en.push("La Suite numérique".to_owned());
    }
    fr.extend(data.suite_role.clone());
    for model in &data.deployment_models {
        labels(*model, &mut fr, &mut en);
    }
    if open_source {
        fr.push("logiciel libre".to_owned());
        en.push("open source".to_owned());
        fr.extend(data.licences.iter().cloned());
    }
    let (own, inherited): (Vec<&Record<AttestationData>>, Vec<&Record<AttestationData>>) = covering
        .iter()
        .partition(|a| a.data.offer_id == Some(offer.id));
    attestation_texts(&own, &mut fr, &mut en);
    country_labels(supplier.data.country, &mut fr, &mut en);
    let (mut context_fr, mut context_en) = (Vec::new(), Vec::new());
    attestation_texts(&inherited, &mut context_fr, &mut context_en);

    let mut facets = vec![
        encode(Slot::Kind, position(DocKind::Offer)),
        encode(Slot::Category, position(data.category)),
        encode(Slot::Country, country_value(supplier.data.country)),
        encode(Slot::Exposure, position(exposure)),
        encode(Slot::OpenSource, u32::from(open_source)),
    ];
    facets.extend(
        data.suite_class
            .map(|c| encode(Slot::SuiteClass, position(c))),
    );
    facets.extend(
        data.suite_tier
            .map(|t| encode(Slot::SuiteTier, position(t))),
    );
    facets.extend(vocabulary_facets(
        Slot::Deployment,
        data.deployment_models.iter().copied(),
    ));
    facets.extend(attestation_facets(&covering, today));

    IndexRecord {
        stored: StoredHit {
            kind: DocKind::Offer,
            id: offer.id,
            key: offer.key.to_string(),
            name: data.name.clone(),
            legal_name: None,
            supplier: Some(SupplierSummary {
                id: supplier.id,
                key: supplier.key.to_string(),
                name: supplier_display_name(&supplier.data).to_owned(),
            }),
            category: Some(data.category),
            suite_class: data.suite_class,
            suite_tier: data.suite_tier,
            country: supplier.data.country,
            exposure,
            open_source,
            deployment_models: data.deployment_models.clone(),
            attestations,
        },
        group: supplier.id,
        other_names: Vec::new(),
        supplier_names: supplier.data.names().map(str::to_owned).collect(),
        description_fr: data.description_fr.clone(),
        description_en: data.description_en.clone(),
        labels_fr: fr,
        labels_en: en,
        context_fr,
        context_en,
        replaces: data
            .alternative_to
            .iter()
            .filter_map(|id| alternative_names.get(id).cloned())
            .collect(),
        identifiers: Vec::new(),
        supplier_identifiers: supplier_identifiers(&supplier.data),
        facets,
        recheck_on,
    }
}

fn supplier_record(
    supplier: &Record<SupplierData>,
    offers: &[&Record<OfferData>],
    attestations: &[Record<AttestationData>],
    today: NaiveDate,
) -> IndexRecord {
    let data = &supplier.data;
    let all: Vec<&Record<AttestationData>> = attestations.iter().collect();
    let (digest, recheck_on) = digest(&all, |a| a.offer_id.is_none(), today);
    let exposure = assess_supplier(supplier).level;
    let open_source = offers.iter().any(|o| !o.data.licences.is_empty());

    let (mut fr, mut en) = (Vec::new(), Vec::new());
    let (mut context_fr, mut context_en) = (Vec::new(), Vec::new());
    labels(data.kind, &mut fr, &mut en);
    let categories: BTreeSet<Category> = offers.iter().map(|o| o.data.category).collect();
    let classes: BTreeSet<SuiteClass> = offers.iter().filter_map(|o| o.data.suite_class).collect();
    let tiers: BTreeSet<SuiteTier> = offers.iter().filter_map(|o| o.data.suite_tier).collect();
    let models: BTreeSet<DeploymentModel> = offers
        .iter()
        .flat_map(|o| o.data.deployment_models.iter().copied())
        .collect();
    for category in &categories {
        labels(*category, &mut context_fr, &mut context_en);
    }
    for class in &classes {
        labels(*class, &mut context_fr, &mut context_en);
    }
    for tier in &tiers {
        labels(*tier, &mut context_fr, &mut context_en);
    }
    for model in &models {
        labels(*model, &mut context_fr, &mut context_en);
    }
    if open_source {
        context_fr.push("logiciel libre".to_owned());
        context_en.push("open source".to_owned());
    }
    let (whole, per_offer): (Vec<&Record<AttestationData>>, Vec<&Record<AttestationData>>) =
        all.iter().partition(|a| a.data.offer_id.is_none());
    attestation_texts(&whole, &mut fr, &mut en);
    attestation_texts(&per_offer, &mut context_fr, &mut context_en);
    fr.extend(data.hq_city.clone());
    country_labels(data.country, &mut fr, &mut en);

    let mut facets = vec![
        encode(Slot::Kind, position(DocKind::Supplier)),
        encode(Slot::Country, country_value(data.country)),
        encode(Slot::Exposure, position(exposure)),
        encode(Slot::OpenSource, u32::from(open_source)),
    ];
    facets.extend(vocabulary_facets(
        Slot::Category,
        categories.iter().copied(),
    ));
    facets.extend(vocabulary_facets(Slot::SuiteClass, classes.iter().copied()));
    facets.extend(vocabulary_facets(Slot::SuiteTier, tiers.iter().copied()));
    facets.extend(vocabulary_facets(Slot::Deployment, models.iter().copied()));
    facets.extend(attestation_facets(&all, today));

    let name = supplier_display_name(data).to_owned();
    let other_names = data
        .names()
        .filter(|n| *n != name)
        .map(str::to_owned)
        .collect();
    IndexRecord {
        stored: StoredHit {
            kind: DocKind::Supplier,
            id: supplier.id,
            key: supplier.key.to_string(),
            name,
            legal_name: Some(data.legal_name.clone()),
            supplier: None,
            category: None,
            suite_class: None,
            suite_tier: None,
            country: data.country,
            exposure,
            open_source,
            deployment_models: models.into_iter().collect(),
            attestations: digest,
        },
        group: supplier.id,
        other_names,
        supplier_names: Vec::new(),
        description_fr: None,
        description_en: None,
        labels_fr: fr,
        labels_en: en,
        context_fr,
        context_en,
        replaces: Vec::new(),
        identifiers: supplier_identifiers(data),
        supplier_identifiers: Vec::new(),
        facets,
        recheck_on,
    }
}

/// The documents of every supplier of `slice` and of their offers.
pub(crate) fn records_of(slice: &CatalogueSlice, today: NaiveDate) -> Vec<IndexRecord> {
    let mut offers: HashMap<i64, Vec<&Record<OfferData>>> = HashMap::new();
    for offer in &slice.offers {
        offers
            .entry(offer.data.supplier_id)
            .or_default()
            .push(offer);
    }
    let mut attestations: HashMap<i64, Vec<Record<AttestationData>>> = HashMap::new();
    for attestation in &slice.attestations {
        attestations
            .entry(attestation.data.supplier_id)
            .or_default()
            .push(attestation.clone());
    }
    let mut records = Vec::with_capacity(slice.suppliers.len() + slice.offers.len());
    for supplier in &slice.suppliers {
        let own_offers = offers.remove(&supplier.id).unwrap_or_default();
        let own_attestations = attestations.remove(&supplier.id).unwrap_or_default();
        records.push(supplier_record(
            supplier,
            &own_offers,
            &own_attestations,
            today,
        ));
        for offer in own_offers {
            records.push(offer_record(
                offer,
                supplier,
                &own_attestations,
                &slice.alternative_names,
                today,
            ));
        }
    }
    records
}

impl IndexRecord {
    /// Names the document answers to: its display name first.
    fn own_names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.stored.name.as_str())
            .chain(self.other_names.iter().map(String::as_str))
    }

    pub(crate) fn to_document(&self, fields: &Fields) -> TantivyDocument {
        let stored = &self.stored;
        let mut doc = TantivyDocument::default();
        doc.add_u64(fields.uid, uid(stored.kind, stored.id));
        doc.add_u64(fields.group, self.group as u64);
        doc.add_text(fields.key, &stored.key);
        doc.add_text(fields.name, &stored.name);
        for name in &self.other_names {
            doc.add_text(fields.other_names, name);
        }
        for name in &self.supplier_names {
            doc.add_text(fields.supplier_names, name);
        }
        if let Some(text) = &self.description_fr {
            doc.add_text(fields.description_fr, text);
        }
        if let Some(text) = &self.description_en {
            doc.add_text(fields.description_en, text);
        }
        for label in &self.labels_fr {
            doc.add_text(fields.labels_fr, label);
        }
        for label in &self.labels_en {
            doc.add_text(fields.labels_en, label);
        }
        for label in &self.context_fr {
            doc.add_text(fields.context_fr, label);
        }
        for label in &self.context_en {
            doc.add_text(fields.context_en, label);
        }
        for name in &self.replaces {
            doc.add_text(fields.replaces, name);
        }
        let texts = self
            .own_names()
            .chain(self.supplier_names.iter().map(String::as_str))
            .chain(self.description_fr.as_deref())
            .chain(self.description_en.as_deref())
            .chain(self.labels_fr.iter().map(String::as_str))
            .chain(self.labels_en.iter().map(String::as_str))
            .chain(self.context_fr.iter().map(String::as_str))
            .chain(self.context_en.iter().map(String::as_str))
            .chain(self.replaces.iter().map(String::as_str));
        for text in texts {
            doc.add_text(fields.words, text);
        }
        let mut exact = BTreeSet::new();
        for name in self.own_names() {
            doc.add_text(fields.name_words, name);
            exact.insert(normalize(name));
        }
        for name in exact.into_iter().filter(|n| !n.is_empty()) {
            doc.add_text(fields.name_exact, name);
        }
        for identifier in &self.identifiers {
            doc.add_text(fields.identifiers, identifier);
        }
        for identifier in &self.supplier_identifiers {
            doc.add_text(fields.supplier_identifiers, identifier);
        }
        for facet in &self.facets {
            doc.add_u64(fields.facet, *facet);
        }
        doc.add_u64(fields.cluster, cluster_key(&self.facets));
        doc.add_u64(
            fields.qualification,
            u64::from(stored.attestations.qualification.rank()),
        );
        doc.add_u64(
            fields.qualified_until,
            stored.attestations.qualified_until.map_or(0, day_number),
        );
        doc.add_text(fields.name_sort, normalize(&stored.name));
        doc.add_u64(
            fields.recheck_on,
            self.recheck_on.map_or(u64::MAX, day_number),
        );
        doc.add_text(
            fields.summary,
            serde_json::to_string(stored).expect("a stored hit always serialises"),
        );
        doc
    }
}
