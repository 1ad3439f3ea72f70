//! What the templates show, built from domain records: every label already in the page's language,
//! every date already formatted, so that templates only lay values out.

use chrono::{DateTime, NaiveDate, Utc};
use registre_domain::identifiers::CountryCode;
use registre_domain::model::{AttestationData, Record};
use registre_domain::sovereignty::Assessment;
use registre_domain::taxonomy::{ExposureLevel, Scheme, Status, SuiteTier, Vocabulary};
use registre_store::refresh::Change;
use serde::Serialize;

use crate::language::Lang;

pub fn label<V: Vocabulary>(lang: Lang, value: V) -> String {
    lang.pick(value.label_fr(), value.label_en()).to_owned()
}

pub fn country(lang: Lang, code: &CountryCode) -> String {
    let name = match lang {
        Lang::Fr => code.label_fr(),
        Lang::En => code.label_en(),
    };
    name.map_or_else(|| code.to_string(), |name| format!("{name} ({code})"))
}

#[derive(Debug, Clone, Serialize)]
pub struct DateView {
    pub iso: String,
    pub text: String,
}

pub fn date(lang: Lang, day: NaiveDate) -> DateView {
    DateView {
        iso: day.format("%Y-%m-%d").to_string(),
        text: match lang {
            Lang::Fr => day.format("%d/%m/%Y").to_string(),
            Lang::En => day.format("%Y-%m-%d").to_string(),
        },
    }
}

pub fn instant(lang: Lang, at: DateTime<Utc>) -> DateView {
    date(lang, at.date_naive())
}

/// A DSFR badge: its text and its tone (`success`, `warning`, `error`, `info`, `new` or none).
#[derive(Debug, Clone, Serialize)]
pub struct Badge {
    pub text: String,
    pub tone: Option<&'static str>,
}

impl Badge {
    pub fn new(text: impl Into<String>, tone: Option<&'static str>) -> Self {
        Self {
            text: text.into(),
            tone,
        }
    }
}

pub fn exposure_badge(lang: Lang, level: ExposureLevel) -> Badge {
    let tone = match level {
        ExposureLevel::None | ExposureLevel::Low => Some("success"),
        ExposureLevel::Medium => Some("warning"),
        ExposureLevel::High => Some("error"),
        ExposureLevel::NotApplicable => Some("info"),
        ExposureLevel::Unknown => None,
    };
    Badge::new(label(lang, level), tone)
}

/// The tone of an attestation's status, the same on every page: an attestation that no longer
/// holds is an error for whoever relies on it, on a record page as on a result card.
pub fn status_tone(status: Status) -> Option<&'static str> {
    match status {
        Status::Qualified => Some("success"),
        Status::InProgress => Some("info"),
        Status::Expired | Status::Withdrawn | Status::NotMaintained => Some("error"),
    }
}

pub fn status_badge(lang: Lang, status: Status) -> Badge {
    Badge::new(label(lang, status), status_tone(status))
}

/// An attestation in force: its scheme, and the day it ends when it has one.
pub fn in_force_badge(lang: Lang, scheme: Scheme, until: Option<NaiveDate>) -> Badge {
    let text = match until {
        Some(until) => format!(
            "{} · {} {}",
            label(lang, scheme),
            lang.pick("jusqu'au", "until"),
            date(lang, until).text
        ),
        None => label(lang, scheme),
    };
    Badge::new(text, status_tone(Status::Qualified))
}

pub fn tier_badge(lang: Lang, tier: SuiteTier) -> Badge {
    Badge::new(
        format!(
            "{} · {}",
            lang.pick("La Suite numérique", "La Suite numérique"),
            label(lang, tier)
        ),
        Some("new"),
    )
}

#[derive(Debug, Clone, Serialize)]
pub struct ReasonView {
    pub fact: String,
    pub source: String,
    pub references: String,
    pub verified: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct AssessmentView {
    pub badge: Badge,
    pub reasons: Vec<ReasonView>,
}

pub fn assessment(lang: Lang, assessment: &Assessment) -> AssessmentView {
    AssessmentView {
        badge: exposure_badge(lang, assessment.level),
        reasons: assessment
            .reasons
            .iter()
            .map(|reason| ReasonView {
                fact: lang.pick(&reason.fact_fr, &reason.fact_en).to_owned(),
                source: reason.source.clone(),
                references: reason.references.join(", "),
                verified: reason.verified,
            })
            .collect(),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AttestationView {
    pub scheme: String,
    pub level: Option<String>,
    /// The offer holding it, on a supplier page; "the whole supplier" when none.
    pub holder: Option<String>,
    pub status: Badge,
    pub milestone: Option<String>,
    pub recommendation: Option<String>,
    pub valid_from: Option<DateView>,
    pub valid_until: Option<DateView>,
    pub decision: Option<String>,
    pub decision_url: Option<String>,
    pub source: String,
    pub source_reference: Option<String>,
    pub last_seen: Option<DateView>,
    pub verification: String,
    pub absent_since: Option<DateView>,
}

pub fn attestation(
    lang: Lang,
    record: &Record<AttestationData>,
    holder: Option<String>,
    today: NaiveDate,
) -> AttestationView {
    let data = &record.data;
    AttestationView {
        scheme: label(lang, data.scheme),
        level: data.level.clone(),
        holder,
        status: status_badge(lang, data.effective_status(today)),
        milestone: data.milestone.clone(),
        recommendation: data.recommendation.map(|r| label(lang, r)),
        valid_from: data.valid_from.map(|d| date(lang, d)),
        valid_until: data.valid_until.map(|d| date(lang, d)),
        decision: data.decision.as_ref().map(|d| {
            format!(
                "{} {}-{}",
                lang.pick("Décision", "Decision"),
                d.year,
                d.number
            )
        }),
        decision_url: data
            .decision
            .as_ref()
            .and_then(|d| d.url.clone())
            .filter(|url| url.starts_with("https://") || url.starts_with("http://")),
        source: data.provenance.source.clone(),
        source_reference: data.provenance.source_reference.clone(),
        last_seen: Some(date(lang, data.provenance.last_seen)),
        verification: label(lang, data.provenance.verification),
        absent_since: data.absent_since.map(|d| date(lang, d)),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ChangeView {
    pub date: DateView,
    pub summary: String,
    pub source: String,
    pub edition: Option<String>,
}

pub fn change(lang: Lang, change: &Change) -> ChangeView {
    ChangeView {
        date: instant(lang, change.seen_at),
        summary: lang.pick(&change.summary_fr, &change.summary_en).to_owned(),
        source: change.source_id.clone(),
        edition: change.edition.clone(),
    }
}

/// Whether `field` is listed among a record's unverified fields, as a map for templates.
pub fn unverified_map(fields: &[String]) -> std::collections::BTreeMap<String, bool> {
    fields.iter().map(|f| (f.clone(), true)).collect()
}

/// Only web addresses become links (a stored value is never trusted to be one).
pub fn web_address(value: Option<&str>) -> Option<String> {
    value
        .filter(|v| v.starts_with("https://") || v.starts_with("http://"))
        .map(str::to_owned)
}
