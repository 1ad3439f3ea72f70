//! The CSV registration import: one participant per row, every bad row reported with its line, field
//! and reason, the good rows registered. Header:
//! `kind,name,representatives,availability,categories,suite_classes,sensitivity,free_text,supplier_id,offer_ids`
//! (lists separated by `;`; an empty availability is every slot).

use chrono::{DateTime, Utc};
use registre_domain::taxonomy::{Category, SuiteClass, Vocabulary};

use super::{Participant, ParticipantKind, ParticipantSpec, Sensitivity};
use crate::Store;
use crate::error::StoreError;

/// A row that was not registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The line in the file, 1-based, the header being line 1.
    pub line: u64,
    pub field: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// The registered participants with their tokens, shown once.
    pub registered: Vec<(Participant, String)>,
    pub errors: Vec<RowError>,
}

const COLUMNS: &[&str] = &[
    "kind",
    "name",
    "representatives",
    "availability",
    "categories",
    "suite_classes",
    "sensitivity",
    "free_text",
    "supplier_id",
    "offer_ids",
];

fn list(text: &str) -> impl Iterator<Item = &str> {
    text.split(';')
        .map(str::trim)
        .filter(|item| !item.is_empty())
}

fn row_error(line: u64, field: &str, reason: impl Into<String>) -> RowError {
    RowError {
        line,
        field: field.to_owned(),
        reason: reason.into(),
    }
}

fn parse_row(line: u64, get: &dyn Fn(&str) -> String) -> Result<ParticipantSpec, RowError> {
    let kind = ParticipantKind::parse(&get("kind"))
        .ok_or_else(|| row_error(line, "kind", "expected administration or vendor"))?;
    let representatives = match get("representatives").trim() {
        "" => 1,
        text => text
            .parse()
            .map_err(|_| row_error(line, "representatives", "expected a whole number"))?,
    };
    let availability = match get("availability").trim() {
        "" | "all" => None,
        text => Some(
            list(text)
                .map(|slot| slot.parse::<usize>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| {
                    row_error(line, "availability", "expected slot numbers separated by ;")
                })?,
        ),
    };
    let categories = list(&get("categories"))
        .map(Category::parse)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| row_error(line, "categories", error.to_string()))?;
    let suite_classes = list(&get("suite_classes"))
        .map(SuiteClass::parse)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| row_error(line, "suite_classes", error.to_string()))?;
    let sensitivity = Sensitivity::parse_or_standard(&get("sensitivity")).ok_or_else(|| {
        row_error(
            line,
            "sensitivity",
            "expected standard, sensitive or health",
        )
    })?;
    let supplier_id = match get("supplier_id").trim() {
        "" => None,
        text => Some(
            text.parse()
                .map_err(|_| row_error(line, "supplier_id", "expected a supplier id"))?,
        ),
    };
    let offer_ids = list(&get("offer_ids"))
        .map(str::parse)
        .collect::<Result<Vec<i64>, _>>()
        .map_err(|_| row_error(line, "offer_ids", "expected offer ids separated by ;"))?;
    let free_text = get("free_text");
    Ok(ParticipantSpec {
        kind,
        name: get("name"),
        representatives,
        availability,
        categories,
        suite_classes,
        sensitivity,
        free_text: (!free_text.trim().is_empty()).then_some(free_text),
        supplier_id,
        offer_ids,
    })
}

impl Store {
    /// Registers every good row of `text`; the others are reported. A file without the `kind` and
    /// `name` columns is refused as a whole.
    pub async fn import_participants(
        &self,
        event_id: i64,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<ImportReport, StoreError> {
        let event = self.event(event_id).await?;
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|error| super::invalid("body", "invalid_csv", error.to_string()))?
            .clone();
        for required in ["kind", "name"] {
            if !headers.iter().any(|header| header == required) {
                return Err(super::invalid(
                    required,
                    "missing_column",
                    format!("the header names the columns: {}", COLUMNS.join(",")),
                ));
            }
        }
        if let Some(unknown) = headers.iter().find(|header| !COLUMNS.contains(header)) {
            return Err(super::invalid(
                unknown,
                "unknown_column",
                format!("expected columns among: {}", COLUMNS.join(",")),
            ));
        }
        let mut report = ImportReport {
            registered: Vec::new(),
            errors: Vec::new(),
        };
        for record in reader.records() {
            let record = match record {
                Ok(record) => record,
                Err(error) => {
                    let line = error.position().map_or(0, |position| position.line());
                    report
                        .errors
                        .push(row_error(line, "row", error.to_string()));
                    continue;
                }
            };
            let line = record.position().map_or(0, |position| position.line());
            let get = |column: &str| {
                headers
                    .iter()
                    .position(|header| header == column)
                    .and_then(|index| record.get(index))
                    .unwrap_or("")
                    .to_owned()
            };
            let spec = match parse_row(line, &get) {
                Ok(spec) => spec,
                Err(error) => {
                    report.errors.push(error);
                    continue;
                }
            };
            match self.register_participant(event.id, spec, now).await {
                Ok(registered) => report.registered.push(registered),
                Err(StoreError::Invalid(invalid)) => {
                    let field = invalid
                        .field
                        .split(['[', '.'])
                        .next()
                        .unwrap_or("row")
                        .to_owned();
                    report.errors.push(row_error(line, &field, invalid.message));
                }
                Err(other) => return Err(other),
            }
        }
        Ok(report)
    }
}
