//! One edition of the catalogue: its stamp and label, and every table read from it.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use super::cspn::{CspnCertificate, read_cspn};
use super::error::ParseError;
use super::page_layout::{PageLayout, read_pages};
use super::qualified_services::{QualifiedService, read_qualified_services};
use super::secnumcloud::{SecNumCloudService, read_secnumcloud};
use super::sections::headings;
use super::text_lines::lines;

/// What one edition of the catalogue says.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogueEdition {
    /// "Catalogue mis à jour le 04/03/2026 à 15:34:17": local time (Europe/Paris), no zone given.
    pub updated_at: NaiveDateTime,
    /// The cover's label ("MARS 2026"), when present.
    pub label: Option<String>,
    /// Table 3.3.1, in catalogue order.
    pub secnumcloud: Vec<SecNumCloudService>,
    /// PASSI, PRIS, PDIS, PVID and PAMS rows, in catalogue order.
    pub qualified_services: Vec<QualifiedService>,
    /// CSPN certificates, current then archived.
    pub cspn: Vec<CspnCertificate>,
    /// Tables other than SecNumCloud that could not be read. SecNumCloud is the reason this parser
    /// exists, so only its failure fails the edition; the others are reported here for a maintainer.
    pub problems: Vec<ParseError>,
}

/// The stamp is on the cover; a few more pages are searched in case a cover page is added.
const STAMP_PAGES: usize = 3;

const MONTHS: [&str; 12] = [
    "JANVIER",
    "FÉVRIER",
    "MARS",
    "AVRIL",
    "MAI",
    "JUIN",
    "JUILLET",
    "AOÛT",
    "SEPTEMBRE",
    "OCTOBRE",
    "NOVEMBRE",
    "DÉCEMBRE",
];

/// Reads one edition of the catalogue from its PDF bytes.
pub fn parse_catalogue(pdf_bytes: &[u8]) -> Result<CatalogueEdition, ParseError> {
    let document = load(pdf_bytes)?;
    let pages = read_pages(&document);
    let (updated_at, label) = read_stamp(&pages)?;
    let headings = headings(&pages);
    let secnumcloud = read_secnumcloud(&pages, &headings)?;
    let (qualified_services, mut problems) = read_qualified_services(&pages, &headings);
    let (cspn, cspn_problems) = read_cspn(&pages, &headings);
    problems.extend(cspn_problems);
    Ok(CatalogueEdition {
        updated_at,
        label,
        secnumcloud,
        qualified_services,
        cspn,
        problems,
    })
}

fn load(bytes: &[u8]) -> Result<lopdf::Document, ParseError> {
    // PDF readers accept a header anywhere in the first kilobyte.
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(5).any(|window| window == b"%PDF-") {
        return Err(ParseError::NotPdf {
            first_bytes: String::from_utf8_lossy(&bytes[..bytes.len().min(16)]).into_owned(),
        });
    }
    // A cut download loses the cross-reference table and the end marker: say so rather than report
    // whatever object the reader tripped on.
    let tail = &bytes[bytes.len().saturating_sub(2048)..];
    if !tail.windows(5).any(|window| window == b"%%EOF") {
        return Err(ParseError::Truncated { size: bytes.len() });
    }
    let document = lopdf::Document::load_mem(bytes).map_err(|error| ParseError::Unreadable {
        reason: error.to_string(),
    })?;
    if document.is_encrypted() {
        return Err(ParseError::Unreadable {
            reason: "the document is encrypted".into(),
        });
    }
    Ok(document)
}

fn read_stamp(pages: &[PageLayout]) -> Result<(NaiveDateTime, Option<String>), ParseError> {
    for page in pages.iter().take(STAMP_PAGES) {
        let page_lines = lines(&page.runs);
        for line in &page_lines {
            let text = line.text();
            let Some(position) = text.find("mis à jour le") else {
                continue;
            };
            let rest = &text[position + "mis à jour le".len()..];
            let updated_at = parse_stamp(rest).ok_or_else(|| ParseError::InvalidEditionStamp {
                page: page.number,
                text: text.trim().to_string(),
            })?;
            let label = page_lines
                .iter()
                .map(|line| line.text())
                .find_map(|text| edition_label(&text));
            return Ok((updated_at, label));
        }
    }
    Err(ParseError::MissingEditionStamp {
        pages_searched: pages.len().min(STAMP_PAGES),
    })
}

/// "05/12/2025 à 13:08:19" (the words around may vary in spacing).
fn parse_stamp(text: &str) -> Option<NaiveDateTime> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let date = NaiveDate::parse_from_str(words.first()?, "%d/%m/%Y").ok()?;
    let time = words.iter().skip(1).find(|word| word.contains(':'))?;
    let time = NaiveTime::parse_from_str(time, "%H:%M:%S").ok()?;
    Some(date.and_time(time))
}

/// "MARS 2026", "DÉCEMBRE 2025".
fn edition_label(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let [month, year] = words.as_slice() else {
        return None;
    };
    let month = month.to_uppercase();
    let known = MONTHS.contains(&month.as_str());
    (known && year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("{month} {year}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stamp_gives_date_and_time() {
        let stamp = parse_stamp(" 04/03/2026 à 15:34:17").unwrap();
        assert_eq!(stamp.to_string(), "2026-03-04 15:34:17");
    }

    #[test]
    fn edition_labels_are_month_and_year() {
        assert_eq!(
            edition_label("DÉCEMBRE 2025").as_deref(),
            Some("DÉCEMBRE 2025")
        );
        assert_eq!(edition_label("CATALOGUE"), None);
    }
}
