//! The organiser's list of participants as CSV: one row per participant, with its needs or its
//! registry records, and how many requests and meetings it has. The columns the registration import
//! also reads (`kind`, `name`, `availability`, …) are written in the import's format (lists separated
//! by `;`, slots 0-based).

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use registre_domain::taxonomy::Vocabulary;

use super::schedule::MeetingStatus;
use super::{ParticipantKind, RequestStatus};
use crate::Store;
use crate::error::StoreError;

/// The header of the participants CSV.
pub const PARTICIPANT_COLUMNS: &[&str] = &[
    "id",
    "kind",
    "name",
    "representatives",
    "availability",
    "categories",
    "suite_classes",
    "sensitivity",
    "requirements",
    "free_text",
    "supplier_id",
    "supplier",
    "offer_ids",
    "requests_accepted",
    "meetings",
];

fn joined<T: ToString>(items: impl IntoIterator<Item = T>) -> String {
    items
        .into_iter()
        .map(|item| item.to_string())
        .collect::<Vec<_>>()
        .join(";")
}

impl Store {
    /// Every participant of the event as CSV, in registration order.
    pub async fn participants_csv(&self, event_id: i64) -> Result<String, StoreError> {
        self.event(event_id).await?;
        let participants = self.participants(event_id).await?;
        let mut accepted: HashMap<i64, usize> = HashMap::new();
        for request in self.requests(event_id, None).await? {
            if request.status == RequestStatus::Accepted {
                *accepted.entry(request.administration_id).or_default() += 1;
                *accepted.entry(request.vendor_id).or_default() += 1;
            }
        }
        let mut meetings: HashMap<i64, usize> = HashMap::new();
        for meeting in self.agenda(event_id, None).await?.meetings {
            if meeting.status == MeetingStatus::Confirmed {
                *meetings.entry(meeting.administration_id).or_default() += 1;
                *meetings.entry(meeting.vendor_id).or_default() += 1;
            }
        }
        let mut suppliers: HashMap<i64, String> = HashMap::new();
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer
            .write_record(PARTICIPANT_COLUMNS)
            .expect("writing to memory");
        for participant in &participants {
            let supplier = match participant.supplier_id {
                Some(id) if participant.kind == ParticipantKind::Vendor => {
                    if let Entry::Vacant(slot) = suppliers.entry(id) {
                        slot.insert(match self.supplier(id).await {
                            Ok(record) => record.data.legal_name,
                            Err(StoreError::NotFound { .. }) => String::new(),
                            Err(error) => return Err(error),
                        });
                    }
                    suppliers[&id].clone()
                }
                _ => String::new(),
            };
            writer
                .write_record([
                    participant.id.to_string(),
                    participant.kind.code().to_owned(),
                    participant.name.clone(),
                    participant.representatives.to_string(),
                    joined(&participant.availability),
                    joined(participant.categories.iter().map(|c| c.code())),
                    joined(participant.suite_classes.iter().map(|c| c.code())),
                    participant.sensitivity.code().to_owned(),
                    joined(participant.sensitivity.requirements()),
                    participant.free_text.clone().unwrap_or_default(),
                    participant
                        .supplier_id
                        .map(|id| id.to_string())
                        .unwrap_or_default(),
                    supplier,
                    joined(&participant.offer_ids),
                    accepted
                        .get(&participant.id)
                        .copied()
                        .unwrap_or_default()
                        .to_string(),
                    meetings
                        .get(&participant.id)
                        .copied()
                        .unwrap_or_default()
                        .to_string(),
                ])
                .expect("writing to memory");
        }
        let bytes = writer.into_inner().expect("writing to memory");
        Ok(String::from_utf8(bytes).expect("CSV of UTF-8 strings"))
    }
}
