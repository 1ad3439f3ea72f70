//! The report after the day: every meeting held, linked to the registry records it was about (the
//! vendor's supplier and offers), and who went without a meeting.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use super::schedule::MeetingStatus;
use super::{Participant, ParticipantKind};
use crate::Store;
use crate::error::StoreError;

/// A registry record a meeting links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordLink {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedMeeting {
    pub uid: String,
    pub administration_id: i64,
    pub administration: String,
    pub vendor_id: i64,
    pub vendor: String,
    pub slot: usize,
    pub table: usize,
    pub weight: u32,
    pub supplier: Option<RecordLink>,
    pub offers: Vec<RecordLink>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventReport {
    pub event_id: i64,
    pub schedule_seed: Option<u64>,
    pub meetings: Vec<ReportedMeeting>,
    pub cancelled: usize,
    pub total_weight: u32,
    /// Participant ids with no meeting held, administrations first.
    pub without_meeting: Vec<i64>,
}

impl Store {
    pub async fn event_report(&self, event_id: i64) -> Result<EventReport, StoreError> {
        let agenda = self.agenda(event_id, None).await?;
        let participants: HashMap<i64, Participant> = self
            .participants(event_id)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let mut suppliers: HashMap<i64, Option<RecordLink>> = HashMap::new();
        let mut offers: HashMap<i64, Option<RecordLink>> = HashMap::new();
        let mut meetings = Vec::new();
        let mut cancelled = 0;
        for meeting in &agenda.meetings {
            if meeting.status == MeetingStatus::Cancelled {
                cancelled += 1;
                continue;
            }
            let vendor = participants.get(&meeting.vendor_id);
            let supplier = match vendor.and_then(|v| v.supplier_id) {
                Some(id) => {
                    if let Entry::Vacant(slot) = suppliers.entry(id) {
                        // A supplier deleted since the day is reported without its link.
                        let link = self.supplier(id).await.ok().map(|s| RecordLink {
                            id,
                            name: s.data.legal_name,
                        });
                        slot.insert(link);
                    }
                    suppliers[&id].clone()
                }
                None => None,
            };
            let mut linked = Vec::new();
            for id in vendor.map(|v| v.offer_ids.clone()).unwrap_or_default() {
                if let Entry::Vacant(slot) = offers.entry(id) {
                    let link = self.offer(id).await.ok().map(|o| RecordLink {
                        id,
                        name: o.data.name,
                    });
                    slot.insert(link);
                }
                linked.extend(offers[&id].clone());
            }
            meetings.push(ReportedMeeting {
                uid: meeting.uid(event_id),
                administration_id: meeting.administration_id,
                administration: meeting.administration_name.clone(),
                vendor_id: meeting.vendor_id,
                vendor: meeting.vendor_name.clone(),
                slot: meeting.slot,
                table: meeting.table,
                weight: meeting.weight,
                supplier,
                offers: linked,
            });
        }
        let mut without_meeting: Vec<(bool, i64)> = participants
            .values()
            .filter(|p| {
                !meetings
                    .iter()
                    .any(|m| m.administration_id == p.id || m.vendor_id == p.id)
            })
            .map(|p| (p.kind == ParticipantKind::Vendor, p.id))
            .collect();
        without_meeting.sort_unstable();
        Ok(EventReport {
            event_id,
            schedule_seed: agenda.event.schedule_seed,
            total_weight: meetings.iter().map(|m| m.weight).sum(),
            meetings,
            cancelled,
            without_meeting: without_meeting.into_iter().map(|(_, id)| id).collect(),
        })
    }
}
