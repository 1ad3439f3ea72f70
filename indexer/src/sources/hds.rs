//! The `ans-hds` source: the Agence du Numérique en Santé's list of certified health-data hosts
//! (HDS), read with `csv` into supplier-level `hds` observations.
//!
//! The real list's format has not been seen (a third party describes an HTML page fed letter by
//! letter by a data endpoint); the layout below is the project's CSV fixture: `;` separator,
//! dd/mm/yyyy dates, UTF-8, one row per certificate holder.
//!
//! **Key rule.** An HDS certificate belongs to a legal entity, so the reference is the holder's
//! name reduced by `normalise_name` (case, accents and legal forms dropped): "CLEVER CLOUD" gives
//! `hds-clever-cloud`, the key the bundled dataset uses (its HDS keys are `hds-<supplier key>`),
//! so a refresh verifies the bundled attestation instead of adding a second one. The certificate
//! number is not the reference: it changes at each renewal ("38436-2"), which would turn every
//! renewal into an absence plus an addition; it is kept in the scope, where the bundled records
//! already carry it. A holder listed twice is told apart by its certificate numbers
//! (`hds-<holder>-<certificate>`). A feed spelling that differs from the registry's supplier key
//! ("OVH" for `ovhcloud`) resolves to the right supplier through its aliases but gets its own key
//! (`hds-ovh`): matching supplier-level attestations by supplier is the apply step's to do.
//!
//! **Edition.** The list carries no date: an edition is dated by the day it is fetched (00:00
//! UTC). Each day is then a new edition, applied without change events when nothing moved.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Utc};
use registre_domain::observation::{Edition, Observation, normalise_name};
use registre_domain::taxonomy::{Category, Scheme, Status};

use super::contract::Source;

pub struct AnsHds;

/// The official page (sic, "herbergeurs"; older path `/labels-certifications/hds/...`).
pub const URL: &str = "https://esante.gouv.fr/offres-services/hds/liste-des-herbergeurs-certifies";

/// The list's columns, by header (compared trimmed, case-insensitively). A renamed column is a
/// one-line fix here; columns not named here are ignored.
struct Columns {
    holder: &'static str,
    certification_body: &'static str,
    certificate: &'static str,
    referential: &'static str,
    valid_from: &'static str,
    valid_until: &'static str,
    /// The six activities of the HDS referential (2018 and 2024), with their English name; a
    /// non-blank cell means the certificate covers the activity.
    activities: [(&'static str, &'static str); 6],
}

const COLUMNS: Columns = Columns {
    holder: "raison_sociale",
    certification_body: "organisme_certificateur",
    certificate: "numero_certificat",
    referential: "referentiel",
    valid_from: "date_debut_validite",
    valid_until: "date_fin_validite",
    activities: [
        ("activite_1_sites_physiques", "physical sites"),
        (
            "activite_2_infrastructure_materielle",
            "hardware infrastructure",
        ),
        (
            "activite_3_infrastructure_virtuelle",
            "virtual infrastructure",
        ),
        (
            "activite_4_plateforme_applicative",
            "application hosting platform",
        ),
        (
            "activite_5_administration_exploitation",
            "administration and operation",
        ),
        ("activite_6_sauvegarde", "backup"),
    ],
};

const DELIMITER: u8 = b';';
const DATE_FORMAT: &str = "%d/%m/%Y";

/// One row of the list, as printed.
struct Row {
    line: u64,
    holder: String,
    certification_body: String,
    certificate: String,
    referential: String,
    valid_from: Option<NaiveDate>,
    valid_until: Option<NaiveDate>,
    /// Numbers (1–6) and names of the covered activities.
    activities: Vec<(usize, &'static str)>,
}

/// The position of each mapped column in the header.
struct Positions {
    holder: usize,
    certification_body: usize,
    certificate: usize,
    referential: usize,
    valid_from: usize,
    valid_until: usize,
    activities: [usize; 6],
}

fn positions(headers: &csv::StringRecord) -> Result<Positions, String> {
    let names: Vec<String> = headers.iter().map(|h| h.trim().to_lowercase()).collect();
    let find = |wanted: &str| {
        names.iter().position(|h| h == wanted).ok_or_else(|| {
            format!(
                "column '{wanted}' is missing (the header has: {})",
                names.join(", ")
            )
        })
    };
    let mut activities = [0; 6];
    for (slot, (column, _)) in activities.iter_mut().zip(COLUMNS.activities) {
        *slot = find(column)?;
    }
    Ok(Positions {
        holder: find(COLUMNS.holder)?,
        certification_body: find(COLUMNS.certification_body)?,
        certificate: find(COLUMNS.certificate)?,
        referential: find(COLUMNS.referential)?,
        valid_from: find(COLUMNS.valid_from)?,
        valid_until: find(COLUMNS.valid_until)?,
        activities,
    })
}

fn date(value: &str, line: u64, column: &str) -> Result<Option<NaiveDate>, String> {
    if value.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(value, DATE_FORMAT)
        .map(Some)
        .map_err(|_| format!("line {line}, {column}: '{value}' is not a dd/mm/yyyy date"))
}

fn read_rows(text: &str) -> Result<Vec<Row>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(DELIMITER)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| format!("unreadable header line: {e}"))?
        .clone();
    if headers.len() < 2 {
        return Err(format!(
            "the header line has no ';'-separated columns (read: '{}')",
            headers.iter().collect::<Vec<_>>().join(",")
        ));
    }
    let at = positions(&headers)?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("unreadable row: {e}"))?;
        let line = record.position().map_or(0, |p| p.line());
        let cell = |i: usize| record.get(i).unwrap_or("").trim().to_owned();
        let holder = cell(at.holder);
        if holder.is_empty() {
            if record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            return Err(format!(
                "line {line}: no {} (the holder's name)",
                COLUMNS.holder
            ));
        }
        rows.push(Row {
            line,
            certification_body: cell(at.certification_body),
            certificate: cell(at.certificate),
            referential: cell(at.referential),
            valid_from: date(&cell(at.valid_from), line, COLUMNS.valid_from)?,
            valid_until: date(&cell(at.valid_until), line, COLUMNS.valid_until)?,
            activities: at
                .activities
                .iter()
                .zip(COLUMNS.activities)
                .enumerate()
                .filter(|(_, (i, _))| !cell(**i).is_empty())
                .map(|(number, (_, (_, name)))| (number + 1, name))
                .collect(),
            holder,
        });
    }
    Ok(rows)
}

/// "Activities 1, 2, 3, 4 (physical sites, …); certificate FR094504 issued by Bureau Veritas
/// Certification": the wording of the bundled records, so a refresh does not rewrite them.
fn scope(row: &Row) -> Option<String> {
    let mut parts = Vec::new();
    if !row.activities.is_empty() {
        let numbers: Vec<String> = row.activities.iter().map(|(n, _)| n.to_string()).collect();
        let names: Vec<&str> = row.activities.iter().map(|(_, name)| *name).collect();
        parts.push(format!(
            "Activities {} ({})",
            numbers.join(", "),
            names.join(", ")
        ));
    }
    match (
        row.certificate.is_empty(),
        row.certification_body.is_empty(),
    ) {
        (false, false) => parts.push(format!(
            "certificate {} issued by {}",
            row.certificate, row.certification_body
        )),
        (false, true) => parts.push(format!("certificate {}", row.certificate)),
        (true, false) => parts.push(format!("certified by {}", row.certification_body)),
        (true, true) => {}
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// Reads one edition of the list, dated `fetch_day`.
pub fn parse_list(text: &str, fetch_day: NaiveDate) -> Result<Edition, String> {
    let rows = read_rows(text)?;
    let mut observations = Vec::new();
    for row in &rows {
        let holder = normalise_name(&row.holder);
        let repeated = rows
            .iter()
            .filter(|other| normalise_name(&other.holder) == holder)
            .count()
            > 1;
        let reference = if repeated {
            if row.certificate.is_empty() {
                return Err(format!(
                    "line {}: {} is listed more than once and this row has no {} to tell it apart",
                    row.line, row.holder, COLUMNS.certificate
                ));
            }
            format!("{holder} {}", row.certificate)
        } else {
            holder
        };
        observations.push(Observation {
            scheme: Scheme::Hds,
            supplier_name: row.holder.clone(),
            supplier_siren: None,
            service_name: None,
            // Supplier-level: no offer is created, so the category is unused.
            category: Category::Iaas,
            status: Status::Qualified,
            milestone: None,
            level: (!row.referential.is_empty()).then(|| row.referential.clone()),
            service_models: vec![],
            scope: scope(row),
            valid_from: row.valid_from,
            valid_until: row.valid_until,
            decision: None,
            reference,
            recommendation: None,
        });
    }
    if let Some(twice) = observations.iter().enumerate().find_map(|(i, o)| {
        observations[..i]
            .iter()
            .any(|earlier| earlier.key() == o.key())
            .then_some(o)
    }) {
        return Err(format!(
            "{} is listed twice with the same certificate number {}",
            twice.supplier_name, twice.reference
        ));
    }
    Ok(Edition {
        label: format!(
            "{} (liste non datée, jour du relevé)",
            fetch_day.format("%d/%m/%Y")
        ),
        published_at: NaiveDateTime::new(fetch_day, NaiveTime::MIN),
        observations,
    })
}

/// What a CSV body must look like before it is parsed: UTF-8 text, not an HTML page or a PDF.
pub(super) fn check_csv_body(content_type: Option<&str>, bytes: &[u8]) -> Result<(), String> {
    let start = String::from_utf8_lossy(&bytes[..bytes.len().min(40)]).into_owned();
    let trimmed = start.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('<') || content_type.is_some_and(|t| t.contains("html")) {
        return Err(format!(
            "an HTML page where a CSV list was expected (starts with {start:?})"
        ));
    }
    if bytes.starts_with(b"%PDF-") {
        return Err("a PDF where a CSV list was expected".to_owned());
    }
    if let Err(error) = std::str::from_utf8(bytes) {
        return Err(format!("not UTF-8 text ({error})"));
    }
    Ok(())
}

/// The body as text, without a byte-order mark.
pub(super) fn csv_text(bytes: &[u8]) -> Result<&str, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8 text ({e})"))?;
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err("the body is empty: not even a header line".to_owned());
    }
    Ok(text)
}

impl Source for AnsHds {
    fn id(&self) -> &'static str {
        "ans-hds"
    }

    fn default_url(&self) -> &'static str {
        URL
    }

    fn check_body(&self, content_type: Option<&str>, bytes: &[u8]) -> Result<(), String> {
        check_csv_body(content_type, bytes)
    }

    fn parse(&self, bytes: &[u8]) -> Result<Edition, String> {
        parse_list(csv_text(bytes)?, Utc::now().date_naive())
    }
}
