//! Why a catalogue could not be read, in the words a maintainer needs to fix the parser or the input.

/// A catalogue that cannot be read as a whole. Each variant names where it stopped and what it saw, so
/// that a layout change in a new edition can be diagnosed from the log line alone.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    #[error("not a PDF document: it does not start with \"%PDF-\" (first bytes: {first_bytes:?})")]
    NotPdf { first_bytes: String },

    #[error(
        "the PDF is truncated: {size} bytes and no \"%%EOF\" marker at the end (incomplete download?)"
    )]
    Truncated { size: usize },

    #[error("the PDF structure cannot be read: {reason}")]
    Unreadable { reason: String },

    #[error(
        "no edition stamp \"Catalogue mis à jour le DD/MM/YYYY à HH:MM:SS\" in the first {pages_searched} pages"
    )]
    MissingEditionStamp { pages_searched: usize },

    #[error("the edition stamp {text:?} (page {page}) is not a valid date and time")]
    InvalidEditionStamp { page: usize, text: String },

    #[error(
        "section {section} \"{title}\" not found (looked for its heading after the table of contents)"
    )]
    SectionNotFound {
        section: &'static str,
        title: &'static str,
    },

    #[error(
        "section {section}: table header not recognised on page {page}: label {missing:?} not found \
         (header cells read: {found:?})"
    )]
    HeaderNotRecognised {
        section: &'static str,
        page: usize,
        missing: &'static str,
        found: Vec<String>,
    },

    #[error("section {section}: no table header found on pages {first_page}–{last_page}")]
    TableNotFound {
        section: &'static str,
        first_page: usize,
        last_page: usize,
    },

    #[error("section {section}: the table has no rows (pages {first_page}–{last_page})")]
    EmptyTable {
        section: &'static str,
        first_page: usize,
        last_page: usize,
    },

    #[error("section {section}, page {page}: a row cannot be read ({problem}); row text: {text:?}")]
    UnreadableRow {
        section: &'static str,
        page: usize,
        problem: String,
        text: String,
    },
}
