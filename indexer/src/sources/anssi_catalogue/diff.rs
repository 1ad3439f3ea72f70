//! What changed in table 3.3.1 between two editions, keyed by decision (year, number).

use std::collections::BTreeMap;

use super::decision::DecisionKey;
use super::secnumcloud::SecNumCloudService;

/// Rows added, removed and changed between two editions. A row is the same qualification in both
/// editions when its decision (year, number) is the same: names and service names change under one
/// decision (Outscale "IaaS" became "IaaS Cloud on Demand" under 2023_2118).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SecNumCloudDiff {
    pub added: Vec<SecNumCloudService>,
    pub removed: Vec<SecNumCloudService>,
    pub changed: Vec<SecNumCloudChange>,
}

impl SecNumCloudDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// One field of one decision's row that differs between the editions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecNumCloudChange {
    pub decision: DecisionKey,
    pub field: SecNumCloudField,
    pub before: String,
    pub after: String,
}

/// The comparable fields of a row (the decision itself is the key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SecNumCloudField {
    ProviderName,
    ServiceName,
    ServiceModels,
    ValidFrom,
    ValidUntil,
    DecisionUrl,
    RecommendationLevel,
}

impl SecNumCloudField {
    /// The field's name in exported records ("service_name", …).
    pub fn as_str(self) -> &'static str {
        match self {
            SecNumCloudField::ProviderName => "provider_name",
            SecNumCloudField::ServiceName => "service_name",
            SecNumCloudField::ServiceModels => "service_models",
            SecNumCloudField::ValidFrom => "valid_from",
            SecNumCloudField::ValidUntil => "valid_until",
            SecNumCloudField::DecisionUrl => "decision_url",
            SecNumCloudField::RecommendationLevel => "recommendation_level",
        }
    }
}

/// Compares two editions' SecNumCloud rows. Output follows the new edition's order for additions and
/// changes and the old edition's order for removals, so a report reads like the catalogue.
pub fn diff_secnumcloud(old: &[SecNumCloudService], new: &[SecNumCloudService]) -> SecNumCloudDiff {
    let old_by_key: BTreeMap<DecisionKey, &SecNumCloudService> = old
        .iter()
        .rev()
        .map(|row| (row.decision.key(), row))
        .collect();
    let new_by_key: BTreeMap<DecisionKey, &SecNumCloudService> = new
        .iter()
        .rev()
        .map(|row| (row.decision.key(), row))
        .collect();
    let mut diff = SecNumCloudDiff::default();
    for row in new {
        match old_by_key.get(&row.decision.key()) {
            None => diff.added.push(row.clone()),
            Some(before) => diff.changed.extend(changes(before, row)),
        }
    }
    diff.changed.dedup();
    diff.removed = old
        .iter()
        .filter(|row| !new_by_key.contains_key(&row.decision.key()))
        .cloned()
        .collect();
    diff
}

fn changes(before: &SecNumCloudService, after: &SecNumCloudService) -> Vec<SecNumCloudChange> {
    let models = |row: &SecNumCloudService| {
        row.service_models
            .iter()
            .map(|m| m.label())
            .collect::<Vec<_>>()
            .join("+")
    };
    let level = |row: &SecNumCloudService| {
        row.recommendation
            .map_or("", |level| level.as_str())
            .to_string()
    };
    let fields = [
        (
            SecNumCloudField::ProviderName,
            before.supplier.clone(),
            after.supplier.clone(),
        ),
        (
            SecNumCloudField::ServiceName,
            before.service.clone(),
            after.service.clone(),
        ),
        (
            SecNumCloudField::ServiceModels,
            models(before),
            models(after),
        ),
        (
            SecNumCloudField::ValidFrom,
            before.valid_from.to_string(),
            after.valid_from.to_string(),
        ),
        (
            SecNumCloudField::ValidUntil,
            before.valid_until.to_string(),
            after.valid_until.to_string(),
        ),
        (
            SecNumCloudField::DecisionUrl,
            before.decision.url.clone(),
            after.decision.url.clone(),
        ),
        (
            SecNumCloudField::RecommendationLevel,
            level(before),
            level(after),
        ),
    ];
    fields
        .into_iter()
        .filter(|(_, old, new)| old != new)
        .map(|(field, before_value, after_value)| SecNumCloudChange {
            decision: after.decision.key(),
            field,
            before: before_value,
            after: after_value,
        })
        .collect()
}
