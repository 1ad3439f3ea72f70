//! Numbered headings and the page span of the catalogue section that holds a table.

use super::page_layout::PageLayout;
use super::text_lines::{lines, normalize_label};

/// Headings are set at 12–14 pt, the table of contents at 10 pt and the prose at 9 pt: the size
/// alone keeps the table of contents (which repeats every title) out.
const HEADING_MIN_SIZE: f32 = 11.0;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Heading {
    /// Index into the page list (not the printed page number).
    pub page: usize,
    pub y: f32,
    /// "3.3", "3.3.1", "2.1.2": trailing dots dropped ("3.3." in older editions).
    pub number: String,
    pub title: String,
}

/// The part of the document between a section's heading and the next heading.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SectionRegion {
    pub number: String,
    pub first_page: usize,
    /// Content of the first page lies below this y.
    pub top: f32,
    pub last_page: usize,
    /// Content of the last page lies above this y.
    pub bottom: f32,
}

impl SectionRegion {
    /// The vertical window of `page` that belongs to the section.
    pub(crate) fn window(&self, page: usize) -> (f32, f32) {
        let top = if page == self.first_page {
            self.top
        } else {
            f32::INFINITY
        };
        let bottom = if page == self.last_page {
            self.bottom
        } else {
            f32::NEG_INFINITY
        };
        (bottom, top)
    }
}

pub(crate) fn headings(pages: &[PageLayout]) -> Vec<Heading> {
    let mut headings = Vec::new();
    for (index, page) in pages.iter().enumerate() {
        for line in lines(page.runs.iter().filter(|run| run.size >= HEADING_MIN_SIZE)) {
            // The number is a run of its own in ANSSI's editions (" 3.3 "), or the first word of
            // the line in other producers' ("3.3      Services…").
            let text = line.text();
            let mut words = text.split_whitespace();
            let Some(first) = words.next() else { continue };
            let number = first.trim_end_matches('.');
            let is_number = !number.is_empty()
                && number
                    .split('.')
                    .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()));
            if !is_number {
                continue;
            }
            let title = words.collect::<Vec<_>>().join(" ");
            if title.contains("....") || title.contains('…') {
                continue;
            }
            headings.push(Heading {
                page: index,
                y: line.y,
                number: number.to_string(),
                title,
            });
        }
    }
    headings
}

/// Finds the section whose heading title satisfies `title_matches` (given the normalised title). When
/// the next heading is its "Les services qualifiés/certifiés" subsection, the region starts there, so
/// that the following subsection (the evaluation bodies, whose table looks alike) ends it.
pub(crate) fn find_section(
    headings: &[Heading],
    pages: &[PageLayout],
    title_matches: impl Fn(&str) -> bool,
) -> Option<SectionRegion> {
    let mut start = headings
        .iter()
        .position(|heading| title_matches(&normalize_label(&heading.title)))?;
    if let Some(next) = headings.get(start + 1) {
        let child = next
            .number
            .starts_with(&format!("{}.", headings[start].number));
        let title = normalize_label(&next.title);
        if child
            && (title.starts_with("lesservicesqualifies")
                || title.starts_with("lesservicescertifies"))
        {
            start += 1;
        }
    }
    let heading = &headings[start];
    let (last_page, bottom) = match headings.get(start + 1) {
        Some(end) => (end.page, end.y),
        None => (pages.len().saturating_sub(1), f32::NEG_INFINITY),
    };
    Some(SectionRegion {
        number: heading.number.clone(),
        first_page: heading.page,
        top: heading.y,
        last_page,
        bottom,
    })
}
