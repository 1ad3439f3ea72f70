//! Suggestions for an administration, computed from the registry: the offers whose category or Suite
//! class fits its needs and that meet its requirements (a SecNumCloud qualification valid today for
//! sensitive data, an HDS certificate for health data), ranked, each with its reasons; the offers that
//! fit the needs but fail a requirement are listed apart, with why.

use chrono::NaiveDate;
use registre_domain::model::{OfferData, Record};
use registre_domain::taxonomy::{ExposureLevel, Scheme, Vocabulary};

use super::{Participant, ParticipantKind, Sensitivity, invalid};
use crate::Store;
use crate::error::StoreError;
use crate::offers::OfferFilter;
use crate::page::PageRequest;

/// Why an offer is suggested, or excluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// Stable code: `matching_suite_class`, `matching_category`, `valid_secnumcloud`, `valid_hds`,
    /// `exposure`, `vendor_registered`; for exclusions `no_valid_secnumcloud`, `no_valid_hds`,
    /// `exposed_to_extra_eu_law`.
    pub code: &'static str,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub offer_id: i64,
    pub offer_name: String,
    pub supplier_id: i64,
    pub supplier_name: String,
    pub exposure: ExposureLevel,
    /// Higher first; the sum of the reasons' weights.
    pub score: u32,
    pub reasons: Vec<Reason>,
    /// The vendor participant of this supplier at the event, whom the administration can ask.
    pub vendor_participant_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Exclusion {
    pub offer_id: i64,
    pub offer_name: String,
    pub supplier_name: String,
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Suggestions {
    pub requirements: Vec<&'static str>,
    pub suggested: Vec<Suggestion>,
    pub excluded: Vec<Exclusion>,
}

fn reason(code: &'static str, detail: impl Into<String>) -> Reason {
    Reason {
        code,
        detail: detail.into(),
    }
}

impl Store {
    /// Every offer of the registry, page after page.
    async fn all_offers(&self, today: NaiveDate) -> Result<Vec<Record<OfferData>>, StoreError> {
        let mut offers = Vec::new();
        let mut after = None;
        loop {
            let page = self
                .list_offers(
                    &OfferFilter::default(),
                    PageRequest {
                        after,
                        limit: crate::page::MAX_PAGE_SIZE,
                    },
                    today,
                )
                .await?;
            offers.extend(page.items);
            match page.next_after {
                Some(next) => after = Some(next),
                None => return Ok(offers),
            }
        }
    }

    pub async fn suggestions(
        &self,
        administration: &Participant,
        today: NaiveDate,
    ) -> Result<Suggestions, StoreError> {
        if administration.kind != ParticipantKind::Administration {
            return Err(invalid(
                "participant",
                "not_an_administration",
                "suggestions are computed for administrations",
            ));
        }
        let vendors: Vec<Participant> = self
            .participants(administration.event_id)
            .await?
            .into_iter()
            .filter(|p| p.kind == ParticipantKind::Vendor)
            .collect();
        let offers = self.all_offers(today).await?;
        let context = self.offer_context(&offers).await?;
        let mut suggested = Vec::new();
        let mut excluded = Vec::new();
        for offer in &offers {
            let mut reasons = Vec::new();
            let mut score = 0;
            if let Some(class) = offer.data.suite_class
                && administration.suite_classes.contains(&class)
            {
                score += 3;
                reasons.push(reason(
                    "matching_suite_class",
                    format!("Suite class {} ({})", class.code(), class.label_en()),
                ));
            }
            if administration.categories.contains(&offer.data.category) {
                score += 2;
                reasons.push(reason(
                    "matching_category",
                    format!(
                        "category {} ({})",
                        offer.data.category.code(),
                        offer.data.category.label_en()
                    ),
                ));
            }
            if reasons.is_empty() {
                continue;
            }
            let supplier_name = context
                .supplier(offer)
                .map(|s| s.data.legal_name.clone())
                .unwrap_or_default();
            let valid = |scheme: Scheme| {
                context
                    .attestations_of(offer)
                    .find(|a| a.data.scheme == scheme && a.data.is_valid_on(today))
            };
            let assessment = context.assess(offer, today);
            let mut failures = Vec::new();
            let required = match administration.sensitivity {
                Sensitivity::Standard => None,
                Sensitivity::Sensitive => Some((
                    Scheme::SecNumCloud,
                    "valid_secnumcloud",
                    "no_valid_secnumcloud",
                )),
                Sensitivity::Health => Some((Scheme::Hds, "valid_hds", "no_valid_hds")),
            };
            if let Some((scheme, held, missing)) = required {
                match valid(scheme) {
                    Some(attestation) => {
                        score += 2;
                        reasons.push(reason(
                            held,
                            format!(
                                "{} valid today{}",
                                scheme.label_en(),
                                attestation
                                    .data
                                    .valid_until
                                    .map(|until| format!(", until {until}"))
                                    .unwrap_or_default()
                            ),
                        ));
                    }
                    None => failures.push(reason(
                        missing,
                        format!(
                            "{} data needs {} valid today; the offer holds none",
                            administration.sensitivity.code(),
                            scheme.label_en()
                        ),
                    )),
                }
            }
            if administration.sensitivity == Sensitivity::Sensitive
                && matches!(
                    assessment.level,
                    ExposureLevel::High | ExposureLevel::Medium
                )
            {
                failures.push(reason(
                    "exposed_to_extra_eu_law",
                    format!(
                        "exposure to extra-EU law is {}: {}",
                        assessment.level.code(),
                        assessment
                            .reasons
                            .iter()
                            .map(|r| r.fact_en.as_str())
                            .collect::<Vec<_>>()
                            .join(" ")
                    ),
                ));
            }
            if !failures.is_empty() {
                excluded.push(Exclusion {
                    offer_id: offer.id,
                    offer_name: offer.data.name.clone(),
                    supplier_name,
                    reasons: failures,
                });
                continue;
            }
            score += match assessment.level {
                ExposureLevel::None => 2,
                ExposureLevel::Low | ExposureLevel::NotApplicable => 1,
                _ => 0,
            };
            reasons.push(reason(
                "exposure",
                format!("exposure to extra-EU law: {}", assessment.level.label_en()),
            ));
            let vendor = vendors
                .iter()
                .find(|v| v.supplier_id == Some(offer.data.supplier_id));
            if let Some(vendor) = vendor {
                score += 1;
                reasons.push(reason(
                    "vendor_registered",
                    format!("{} is registered at the event", vendor.name),
                ));
            }
            suggested.push(Suggestion {
                offer_id: offer.id,
                offer_name: offer.data.name.clone(),
                supplier_id: offer.data.supplier_id,
                supplier_name,
                exposure: assessment.level,
                score,
                reasons,
                vendor_participant_id: vendor.map(|v| v.id),
            });
        }
        suggested.sort_by(|a, b| b.score.cmp(&a.score).then(a.offer_id.cmp(&b.offer_id)));
        Ok(Suggestions {
            requirements: administration.sensitivity.requirements(),
            suggested,
            excluded,
        })
    }
}
