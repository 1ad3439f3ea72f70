//! Typed readings of table cells: texts, X marks, dates, decision links and recommendation ticks.

use chrono::NaiveDate;

use super::decision::Decision;
use super::error::ParseError;
use super::recommendation::RecommendationLevel;
use super::table::TableRow;

pub(crate) fn required_text(
    row: &TableRow,
    column: usize,
    section: &'static str,
    what: &str,
) -> Result<String, ParseError> {
    let text = row.cell(column).text.clone();
    if text.is_empty() {
        return Err(row.error(section, format!("empty {what}")));
    }
    Ok(text)
}

pub(crate) fn optional_text(row: &TableRow, column: usize) -> Option<String> {
    Some(row.cell(column).text.clone()).filter(|text| !text.is_empty())
}

/// An "X" cell; anything else but blank means the columns were misread.
pub(crate) fn is_mark(
    row: &TableRow,
    column: usize,
    section: &'static str,
) -> Result<bool, ParseError> {
    match row.cell(column).text.as_str() {
        "" => Ok(false),
        "X" | "x" => Ok(true),
        other => Err(row.error(
            section,
            format!("unexpected text {other:?} in a mark column"),
        )),
    }
}

/// A DD/MM/YYYY date, possibly wrapped over two lines (already glued by the table reader).
pub(crate) fn date(
    row: &TableRow,
    column: usize,
    section: &'static str,
    what: &str,
) -> Result<NaiveDate, ParseError> {
    let text: String = row
        .cell(column)
        .text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    NaiveDate::parse_from_str(&text, "%d/%m/%Y")
        .map_err(|_| row.error(section, format!("{what} {text:?} is not DD/MM/YYYY")))
}

/// The decision from the link over the decision cell; the shown number must agree with it.
pub(crate) fn decision(
    row: &TableRow,
    column: usize,
    section: &'static str,
) -> Result<Decision, ParseError> {
    let cell = row.cell(column);
    let decision = cell
        .links
        .iter()
        .find_map(|uri| Decision::from_url(uri))
        .ok_or_else(|| {
            row.error(
                section,
                format!("no decision link <YEAR>_<NUMBER> over {:?}", cell.text),
            )
        })?;
    let shown: String = cell.text.chars().filter(char::is_ascii_digit).collect();
    if !shown.is_empty() && shown != decision.number.to_string() {
        return Err(row.error(
            section,
            format!(
                "decision cell shows {shown} but its link targets {}",
                decision.key()
            ),
        ));
    }
    Ok(decision)
}

pub(crate) fn recommendation(
    row: &TableRow,
    column: usize,
    section: &'static str,
) -> Result<Option<RecommendationLevel>, ParseError> {
    let marks = &row.cell(column).marks;
    if let Some(level) = marks
        .iter()
        .find_map(|fill| RecommendationLevel::from_fill(*fill))
    {
        return Ok(Some(level));
    }
    match marks.first() {
        // A coloured tick of an unknown colour: a new level or a new palette, to look at.
        Some(fill) => Err(row.error(
            section,
            format!(
                "recommendation tick of unknown colour ({:.3}, {:.3}, {:.3})",
                fill.0, fill.1, fill.2
            ),
        )),
        None => Ok(None),
    }
}
