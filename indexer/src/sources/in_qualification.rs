//! The `anssi-in-qualification` source: ANSSI's HTML page of SecNumCloud services still under
//! evaluation, read with `scraper` into `in_progress` observations (with the milestone J0–J3 where
//! the page gives one).
//!
//! Three rules worth knowing:
//!
//! - **Keys never meet a qualified attestation.** Every row's reference starts with `progress`, so
//!   its key is `secnumcloud-progress-<supplier>[-<service>]`. Qualified SecNumCloud attestations are
//!   keyed by decision (`secnumcloud-<year>-<number>`), so an in-progress row can never overwrite
//!   one. The page is known to lag: the fixture still lists "OVH SNC Cloud Platform" after its
//!   qualification (decision 2026_3393) because the real page did; with these keys that row adds an
//!   in-progress attestation beside the qualified one instead of downgrading it. The price: the
//!   bundled in-progress claims (`secnumcloud-bleu-cloud`, keyed by offer) are not matched either;
//!   they stay declared until someone reconciles them.
//! - **Rows attach to the supplier, not to an offer.** The page's service names are informal
//!   ("OVH SNC Cloud Platform" where the registry says "OVHcloud SNC Cloud Platform"), and an
//!   evaluation is not an offer: an observation with a service name would create a near-duplicate
//!   offer. The service name is kept in the attestation's scope and in its key.
//! - **The edition is the page's own date** ("Page mise à jour le 20/07/2026"), at 00:00. A page
//!   that prints no such date is dated by the day it is fetched (00:00 UTC): every day is then a
//!   new edition, applied with no change event when nothing moved. A page edited without its date
//!   changing is seen as the same edition until the date moves (or the next day, when undated).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Utc};
use registre_domain::model::fold_accent;
use registre_domain::observation::{Edition, Observation, normalise_name};
use registre_domain::taxonomy::{Category, Scheme, ServiceModel, Status};
use scraper::{ElementRef, Html, Selector};

use super::contract::Source;

pub struct AnssiInQualification;

/// The official page (the older address seen in 2026 was
/// `https://cyber.gouv.fr/prestataires-de-services-dinformatique-en-nuage-secnumcloud`).
pub const URL: &str = "https://cyber.gouv.fr/offre-de-service/solutions-certifiees-et-qualifiees/services-de-securite-evalue/solutions-en-cours-de-qualification/prestataires-secnumcloud/";

/// Where each fact sits on the page. The real markup has not been seen (the fixture's DSFR-like
/// classes are an assumption), so nothing depends on classes: the table is the one whose header
/// names a supplier column. A changed layout is a one-line fix here.
struct Layout {
    /// Header texts, accent- and case-folded, matched as substrings.
    supplier: &'static str,
    service: &'static str,
    /// Optional: the fixture has no such column; a J0–J3 in the service cell is read too.
    milestone: &'static str,
    /// Header texts matched exactly (folded); a non-blank cell is a mark.
    service_models: [(&'static str, ServiceModel); 4],
    /// Cell texts meaning "not given".
    blank: &'static [&'static str],
    /// Folded texts that precede the page's own date.
    updated_markers: &'static [&'static str],
    /// The milestones of a SecNumCloud evaluation, as ANSSI names them.
    milestones: &'static [&'static str],
}

const LAYOUT: Layout = Layout {
    supplier: "fournisseur",
    service: "nom du service",
    milestone: "jalon",
    service_models: [
        ("saas", ServiceModel::Saas),
        ("paas", ServiceModel::Paas),
        ("caas", ServiceModel::Caas),
        ("iaas", ServiceModel::Iaas),
    ],
    blank: &["", "—", "–", "-", "n/a", "nc"],
    updated_markers: &["mise a jour le", "mis a jour le"],
    milestones: &["J0", "J1", "J2", "J3"],
};

const FRENCH_MONTHS: [&str; 12] = [
    "janvier",
    "fevrier",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "aout",
    "septembre",
    "octobre",
    "novembre",
    "decembre",
];

/// Lower case, accents folded, whitespace collapsed: how headers and markers are compared.
fn fold(text: &str) -> String {
    let folded: String = text
        .chars()
        .flat_map(fold_accent)
        .flat_map(char::to_lowercase)
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn cell_text(cell: ElementRef<'_>) -> String {
    cell.text()
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn is_blank(text: &str) -> bool {
    LAYOUT.blank.contains(&fold(text).as_str())
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("the selectors of this module are valid CSS")
}

/// The columns of the table, by position.
struct Columns {
    supplier: usize,
    service: usize,
    milestone: Option<usize>,
    service_models: Vec<(usize, ServiceModel)>,
}

fn header_cells(table: ElementRef<'_>) -> Vec<String> {
    let header_row = table
        .select(&selector("thead tr"))
        .next()
        .or_else(|| table.select(&selector("tr")).next());
    header_row
        .map(|row| {
            row.child_elements()
                .filter(|c| matches!(c.value().name(), "th" | "td"))
                .map(|c| fold(&cell_text(c)))
                .collect()
        })
        .unwrap_or_default()
}

fn columns(headers: &[String]) -> Result<Columns, String> {
    let find = |wanted: &str| headers.iter().position(|h| h.contains(wanted));
    let supplier =
        find(LAYOUT.supplier).ok_or_else(|| format!("no '{}' column", LAYOUT.supplier))?;
    let service = find(LAYOUT.service).ok_or_else(|| {
        format!(
            "no '{}' column in the table of suppliers (its headers: {})",
            LAYOUT.service,
            headers.join(" | ")
        )
    })?;
    let mut service_models = Vec::new();
    for (label, model) in LAYOUT.service_models {
        let index = headers.iter().position(|h| h == label).ok_or_else(|| {
            format!(
                "no '{label}' column in the table of suppliers (its headers: {})",
                headers.join(" | ")
            )
        })?;
        service_models.push((index, model));
    }
    Ok(Columns {
        supplier,
        service,
        milestone: find(LAYOUT.milestone),
        service_models,
    })
}

/// A milestone token ("J1", "(J2)") out of a cell, and the cell without it.
fn split_milestone(text: &str) -> (String, Option<String>) {
    let mut milestone = None;
    let mut kept = Vec::new();
    for word in text.split_whitespace() {
        let core: String = word
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
            .to_uppercase();
        if milestone.is_none() && LAYOUT.milestones.contains(&core.as_str()) {
            milestone = Some(core);
        } else {
            kept.push(word);
        }
    }
    let rest = kept.join(" ");
    let rest = rest
        .trim_matches(|c: char| c.is_whitespace() || matches!(c, '-' | '–' | '—' | ':' | ',' | '/'))
        .to_owned();
    (rest, milestone)
}

/// The page's own date: the first date after "mis(e) à jour le", written 20/07/2026 or 20 juillet 2026.
/// `Ok(None)` when the page says nothing of the kind; an error when it says it but no date follows.
fn updated_on(document: &Html) -> Result<Option<NaiveDate>, String> {
    let text = fold(&document.root_element().text().collect::<Vec<_>>().join(" "));
    let Some((marker, start)) = LAYOUT
        .updated_markers
        .iter()
        .find_map(|m| text.find(m).map(|at| (*m, at + m.len())))
    else {
        return Ok(None);
    };
    let words: Vec<&str> = text[start..]
        .split_whitespace()
        .take(4)
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '/'))
        .collect();
    if let Some(date) = words
        .first()
        .and_then(|w| NaiveDate::parse_from_str(w, "%d/%m/%Y").ok())
    {
        return Ok(Some(date));
    }
    if let [day, month, year, ..] = words.as_slice() {
        let day = day.trim_end_matches("er").parse::<u32>().ok();
        let month = FRENCH_MONTHS
            .iter()
            .position(|m| m == month)
            .map(|m| m as u32 + 1);
        let year = year.parse::<i32>().ok();
        if let (Some(day), Some(month), Some(year)) = (day, month, year)
            && let Some(date) = NaiveDate::from_ymd_opt(year, month, day)
        {
            return Ok(Some(date));
        }
    }
    Err(format!(
        "the page says '{marker}' but no date follows (read: '{}')",
        words.join(" ")
    ))
}

/// Reads the page: the table of services under evaluation and the page's date.
pub fn parse_page(html: &str, fetch_day: NaiveDate) -> Result<Edition, String> {
    let document = Html::parse_document(html);
    let mut seen_headers = Vec::new();
    let mut found = None;
    for table in document.select(&selector("table")) {
        let headers = header_cells(table);
        if headers.iter().any(|h| h.contains(LAYOUT.supplier)) {
            found = Some((table, columns(&headers)?));
            break;
        }
        seen_headers.push(headers.join(" | "));
    }
    let Some((table, columns)) = found else {
        return Err(format!(
            "no table with a '{}' column on the page ({} other tables{})",
            LAYOUT.supplier,
            seen_headers.len(),
            if seen_headers.is_empty() {
                String::new()
            } else {
                format!(": {}", seen_headers.join(" / "))
            }
        ));
    };

    let width = 1 + [columns.supplier, columns.service]
        .into_iter()
        .chain(columns.milestone)
        .chain(columns.service_models.iter().map(|(i, _)| *i))
        .max()
        .unwrap_or(0);
    let mut observations: Vec<Observation> = Vec::new();
    let rows: Vec<ElementRef<'_>> = {
        let body_rows: Vec<_> = table.select(&selector("tbody tr")).collect();
        if body_rows.is_empty() {
            table.select(&selector("tr")).skip(1).collect()
        } else {
            body_rows
        }
    };
    for (index, row) in rows.into_iter().enumerate() {
        let number = index + 1;
        let cells: Vec<String> = row
            .child_elements()
            .filter(|c| matches!(c.value().name(), "th" | "td"))
            .map(cell_text)
            .collect();
        if cells.iter().all(|c| is_blank(c)) {
            continue;
        }
        if cells.len() < width {
            return Err(format!(
                "row {number} has {} cells where the header announces {width}: {}",
                cells.len(),
                cells.join(" | ")
            ));
        }
        let supplier = cells[columns.supplier].clone();
        if is_blank(&supplier) {
            return Err(format!(
                "row {number} has no supplier name: {}",
                cells.join(" | ")
            ));
        }
        let (service, milestone_in_service) = split_milestone(&cells[columns.service]);
        let service = (!is_blank(&service)).then_some(service);
        let milestone = match columns
            .milestone
            .map(|i| cells[i].as_str())
            .filter(|c| !is_blank(c))
        {
            Some(cell) => match split_milestone(cell).1 {
                Some(milestone) => Some(milestone),
                None => {
                    return Err(format!(
                        "row {number} ({supplier}): milestone '{cell}' is none of {}",
                        LAYOUT.milestones.join(", ")
                    ));
                }
            },
            None => milestone_in_service,
        };
        let service_models = columns
            .service_models
            .iter()
            .filter(|(i, _)| !is_blank(&cells[*i]))
            .map(|(_, m)| *m)
            .collect();
        let reference = match &service {
            Some(service) => format!("progress {} {service}", normalise_name(&supplier)),
            None => format!("progress {}", normalise_name(&supplier)),
        };
        let observation = Observation {
            scheme: Scheme::SecNumCloud,
            supplier_name: supplier,
            supplier_siren: None,
            // Supplier-level (see the module's comment): no offer is created, so the category is unused.
            service_name: None,
            category: Category::Iaas,
            status: Status::InProgress,
            milestone,
            level: None,
            service_models,
            scope: service,
            valid_from: None,
            valid_until: None,
            decision: None,
            reference,
            recommendation: None,
        };
        match observations.iter().find(|o| o.key() == observation.key()) {
            None => observations.push(observation),
            Some(same) if *same == observation => {}
            Some(other) => {
                return Err(format!(
                    "row {number} lists {} / {} again with other details (milestone {:?} vs {:?}, models {:?} vs {:?})",
                    observation.supplier_name,
                    observation.scope.as_deref().unwrap_or("—"),
                    other.milestone,
                    observation.milestone,
                    other.service_models,
                    observation.service_models
                ));
            }
        }
    }

    let (label, day) = match updated_on(&document)? {
        Some(day) => (day.format("%d/%m/%Y").to_string(), day),
        None => (
            format!(
                "{} (page sans date, jour du relevé)",
                fetch_day.format("%d/%m/%Y")
            ),
            fetch_day,
        ),
    };
    Ok(Edition {
        label,
        published_at: NaiveDateTime::new(day, NaiveTime::MIN),
        observations,
    })
}

impl Source for AnssiInQualification {
    fn id(&self) -> &'static str {
        "anssi-in-qualification"
    }

    fn default_url(&self) -> &'static str {
        URL
    }

    fn check_body(&self, content_type: Option<&str>, bytes: &[u8]) -> Result<(), String> {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_lowercase();
        let start = head.trim_start_matches('\u{feff}').trim_start();
        if start.starts_with("<!doctype html")
            || start.starts_with("<html")
            || head.contains("<html")
        {
            return Ok(());
        }
        let shown = String::from_utf8_lossy(&bytes[..bytes.len().min(40)]).into_owned();
        Err(format!(
            "not an HTML page (content type {}, starts with {shown:?})",
            content_type.unwrap_or("unknown")
        ))
    }

    fn parse(&self, bytes: &[u8]) -> Result<Edition, String> {
        let html =
            std::str::from_utf8(bytes).map_err(|e| format!("the page is not UTF-8 text ({e})"))?;
        parse_page(html, Utc::now().date_naive())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_milestone_is_taken_out_of_a_service_cell() {
        assert_eq!(
            split_milestone("Cloud X (J1)"),
            ("Cloud X".to_owned(), Some("J1".to_owned()))
        );
        assert_eq!(
            split_milestone("J2 – Cloud Y"),
            ("Cloud Y".to_owned(), Some("J2".to_owned()))
        );
        assert_eq!(
            split_milestone("ITSecureCloud / ITSecureKube"),
            ("ITSecureCloud / ITSecureKube".to_owned(), None)
        );
    }

    #[test]
    fn the_page_date_may_be_written_in_words() {
        let page = Html::parse_document("<p>Page mise à jour le 1er août 2026.</p>");
        assert_eq!(updated_on(&page), Ok(NaiveDate::from_ymd_opt(2026, 8, 1)));
        let page = Html::parse_document("<p>Mis à jour le <time>03/02/2026</time></p>");
        assert_eq!(updated_on(&page), Ok(NaiveDate::from_ymd_opt(2026, 2, 3)));
        let page = Html::parse_document("<p>Mis à jour le bientôt</p>");
        assert!(updated_on(&page).is_err());
        assert_eq!(updated_on(&Html::parse_document("<p>rien</p>")), Ok(None));
    }
}
