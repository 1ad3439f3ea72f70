//! The `eu-cloud-coc` source: the public register of cloud services adhering to the EU Cloud Code
//! of Conduct (GDPR Art. 40 code; monitoring body SCOPE Europe), read with `csv`.
//!
//! The register's real format (an HTML list) has not been seen; the layout below is the project's
//! CSV fixture: `;` separator, UTF-8, one row per verified service.
//!
//! **Key rule.** The reference is the register's verification id (`2023LVL02SCOPE4316` gives
//! `eu-cloud-coc-2023lvl02scope4316`): it is the register's own identity of an adherence.
//!
//! **Supplier-level.** The register's service names carry no category and seldom equal the
//! registry's offer names, so a row would create a near-duplicate offer with a guessed category;
//! the attestation is the supplier's, and the service as registered is its scope.
//!
//! **Edition.** The register carries no date: an edition is dated by the day it is fetched (00:00 UTC).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Utc};
use registre_domain::observation::{Edition, Observation};
use registre_domain::taxonomy::{Category, Scheme, Status};

use super::contract::Source;
use super::hds::{check_csv_body, csv_text};

pub struct EuCloudCoc;

pub const URL: &str = "https://eucoc.cloud/en/public-register/list-of-adherent-services";

/// The register's columns, by header (compared trimmed, case-insensitively). A renamed column is a
/// one-line fix here; columns not named here are ignored.
struct Columns {
    provider: &'static str,
    service: &'static str,
    verification_id: &'static str,
    level: &'static str,
}

const COLUMNS: Columns = Columns {
    provider: "provider",
    service: "service",
    verification_id: "verification_id",
    level: "level_of_compliance",
};

const DELIMITER: u8 = b';';

/// The register's spellings of its three levels of compliance (compared case-insensitively), and
/// the registry's. First: evidence checked by the monitoring body; second and third: partial and
/// full independent evidence.
const LEVELS: [(&[&str], &str); 3] = [
    (&["first level", "level 1", "1"], "Level 1"),
    (&["second level", "level 2", "2"], "Level 2"),
    (&["third level", "level 3", "3"], "Level 3"),
];

fn level(value: &str, line: u64) -> Result<Option<String>, String> {
    if value.is_empty() {
        return Ok(None);
    }
    let wanted = value.to_lowercase();
    LEVELS
        .iter()
        .find(|(spellings, _)| spellings.contains(&wanted.as_str()))
        .map(|(_, level)| Some((*level).to_owned()))
        .ok_or_else(|| {
            format!(
                "line {line}: {} '{value}' is none of First, Second or Third Level",
                COLUMNS.level
            )
        })
}

/// Reads one edition of the register, dated `fetch_day`.
pub fn parse_register(text: &str, fetch_day: NaiveDate) -> Result<Edition, String> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(DELIMITER)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| format!("unreadable header line: {e}"))?
        .clone();
    let names: Vec<String> = headers.iter().map(|h| h.trim().to_lowercase()).collect();
    let find = |wanted: &str| {
        names.iter().position(|h| h == wanted).ok_or_else(|| {
            format!(
                "column '{wanted}' is missing (the header has: {})",
                names.join(", ")
            )
        })
    };
    let (provider_at, service_at, id_at, level_at) = (
        find(COLUMNS.provider)?,
        find(COLUMNS.service)?,
        find(COLUMNS.verification_id)?,
        find(COLUMNS.level)?,
    );
    let mut observations: Vec<Observation> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("unreadable row: {e}"))?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = record.position().map_or(0, |p| p.line());
        let cell = |i: usize| record.get(i).unwrap_or("").trim().to_owned();
        let provider = cell(provider_at);
        let verification_id = cell(id_at);
        if provider.is_empty() {
            return Err(format!("line {line}: no {}", COLUMNS.provider));
        }
        if verification_id.is_empty() {
            return Err(format!(
                "line {line} ({provider}): no {}",
                COLUMNS.verification_id
            ));
        }
        let service = cell(service_at);
        let observation = Observation {
            scheme: Scheme::EuCloudCoc,
            supplier_name: provider,
            supplier_siren: None,
            service_name: None,
            // Supplier-level: no offer is created, so the category is unused.
            category: Category::Iaas,
            status: Status::Qualified,
            milestone: None,
            level: level(&cell(level_at), line)?,
            service_models: vec![],
            scope: (!service.is_empty()).then_some(service),
            valid_from: None,
            valid_until: None,
            decision: None,
            reference: verification_id,
            recommendation: None,
        };
        match observations.iter().find(|o| o.key() == observation.key()) {
            None => observations.push(observation),
            Some(same) if *same == observation => {}
            Some(_) => {
                return Err(format!(
                    "line {line}: verification id {} is listed again with other details",
                    observation.reference
                ));
            }
        }
    }
    Ok(Edition {
        label: format!(
            "{} (registre non daté, jour du relevé)",
            fetch_day.format("%d/%m/%Y")
        ),
        published_at: NaiveDateTime::new(fetch_day, NaiveTime::MIN),
        observations,
    })
}

impl Source for EuCloudCoc {
    fn id(&self) -> &'static str {
        "eu-cloud-coc"
    }

    fn default_url(&self) -> &'static str {
        URL
    }

    fn check_body(&self, content_type: Option<&str>, bytes: &[u8]) -> Result<(), String> {
        check_csv_body(content_type, bytes)
    }

    fn parse(&self, bytes: &[u8]) -> Result<Edition, String> {
        parse_register(csv_text(bytes)?, Utc::now().date_naive())
    }
}
