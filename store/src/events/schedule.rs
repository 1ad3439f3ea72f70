//! Scheduling through the store: the event's accepted requests become a `matchmaking` instance, the
//! optimiser runs with the organiser's published seed, the independent checker must pass before
//! anything is stored, and each pair keeps one meeting row (its calendar identity) across re-schedules:
//! a move bumps its sequence, a pair that no longer meets is kept as cancelled.

use std::collections::HashMap;

use chrono::Utc;
use registre_matchmaking::instance::{
    Administration, AdministrationFlags, Instance, Meeting, Params, Request, Schedule, Vendor,
};
use registre_matchmaking::scheduler::{DecisionLog, ScheduleError};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use serde::{Deserialize, Serialize};

use super::{
    Event, MeetingRequest, Participant, ParticipantKind, RequestStatus, Slot, from_json,
    schedule_id, to_json,
};
use crate::Store;
use crate::entities::{event, event_meeting};
use crate::error::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingStatus {
    Confirmed,
    Cancelled,
}

impl MeetingStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Confirmed => "confirmed",
            Self::Cancelled => "cancelled",
        }
    }
}

/// One meeting as a participant or the organiser sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaMeeting {
    pub id: i64,
    pub administration_id: i64,
    pub administration_name: String,
    pub vendor_id: i64,
    pub vendor_name: String,
    pub slot: usize,
    pub time: Slot,
    /// 1-based, as printed on the table.
    pub table: usize,
    pub weight: u32,
    pub status: MeetingStatus,
    /// Bumped each time the meeting moves or is cancelled (iCalendar `SEQUENCE`).
    pub sequence: u32,
    pub updated_at: chrono::DateTime<Utc>,
}

impl AgendaMeeting {
    /// Stable across re-schedules: one identity per pair of participants.
    pub fn uid(&self, event_id: i64) -> String {
        format!(
            "meeting-{event_id}-{}-{}@registre",
            self.administration_id, self.vendor_id
        )
    }
}

/// A participant's (or the whole event's) meetings and the decisions that concern them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agenda {
    pub event: Event,
    pub meetings: Vec<AgendaMeeting>,
    pub decisions: Vec<LoggedDecision>,
}

/// One step of the optimiser's decision log, as stored with the published schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedDecision {
    /// `input`, `selection`, `timetable`, `gaps` or `reschedule`.
    pub stage: String,
    /// Scheduler ids (`A12`, `V40`) of the participants concerned; empty for the whole day.
    pub participants: Vec<String>,
    pub message: String,
}

fn logged(log: &DecisionLog) -> Vec<LoggedDecision> {
    log.entries
        .iter()
        .map(|decision| LoggedDecision {
            stage: serde_json::to_value(decision.stage)
                .ok()
                .and_then(|value| value.as_str().map(str::to_owned))
                .unwrap_or_default(),
            participants: decision.participants.clone(),
            message: decision.message.clone(),
        })
        .collect()
}

/// What a scheduling run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleReport {
    pub seed: u64,
    pub meetings: usize,
    pub kept: usize,
    pub moved: usize,
    pub cancelled: usize,
    pub added: usize,
    pub decisions: usize,
}

/// The instance the optimiser sees: ids `A<participant id>` and `V<participant id>`.
pub fn instance_of(
    event: &Event,
    participants: &[Participant],
    requests: &[MeetingRequest],
) -> Instance {
    let slots = event.slots.len();
    let free = |participant: &Participant| {
        let mut vector = vec![0u8; slots];
        for slot in &participant.availability {
            if let Some(flag) = vector.get_mut(*slot) {
                *flag = 1;
            }
        }
        vector
    };
    // Sessions are the runs of back-to-back slots between breaks.
    let mut sessions = Vec::new();
    let mut first = 0;
    for index in 1..=slots {
        if index == slots || event.slots[index].start != event.slots[index - 1].end {
            sessions.push([first, index]);
            first = index;
        }
    }
    let administrations = participants
        .iter()
        .filter(|p| p.kind == ParticipantKind::Administration)
        .map(|p| Administration {
            id: p.schedule_id(),
            kind: "administration".to_owned(),
            flags: AdministrationFlags {
                requires_secnumcloud: p.sensitivity == super::Sensitivity::Sensitive,
                requires_hds: p.sensitivity == super::Sensitivity::Health,
                requires_no_extra_eu_exposure: false,
            },
            needs: p
                .categories
                .iter()
                .map(|c| registre_domain::taxonomy::Vocabulary::code(*c).to_owned())
                .collect(),
            reps: p.representatives,
            availability: free(p),
        })
        .collect();
    let vendors = participants
        .iter()
        .filter(|p| p.kind == ParticipantKind::Vendor)
        .map(|p| Vendor {
            id: p.schedule_id(),
            country: String::new(),
            exposure: String::new(),
            categories: Vec::new(),
            secnumcloud: false,
            hds: false,
            reps: p.representatives,
            availability: free(p),
        })
        .collect();
    let requests = requests
        .iter()
        .filter(|r| r.status == RequestStatus::Accepted)
        .map(|r| Request {
            admin: schedule_id(ParticipantKind::Administration, r.administration_id),
            vendor: schedule_id(ParticipantKind::Vendor, r.vendor_id),
            weight: r.weight(),
            mutual: r.mutual(),
        })
        .collect();
    Instance {
        params: Params {
            scale: "event".to_owned(),
            seed: 0,
            administrations: participants
                .iter()
                .filter(|p| p.kind == ParticipantKind::Administration)
                .count(),
            vendors: participants
                .iter()
                .filter(|p| p.kind == ParticipantKind::Vendor)
                .count(),
            slots,
            slot_minutes: 0,
            tables: event.tables as usize,
            sessions,
            purpose: String::new(),
            max_meetings_per_administration: event.max_meetings,
        },
        administrations,
        vendors,
        requests,
    }
}

fn participant_number(schedule_id: &str) -> i64 {
    schedule_id[1..].parse().unwrap_or_default()
}

fn rejected(violations: &[registre_matchmaking::Violation]) -> StoreError {
    tracing::error!(
        ?violations,
        "the optimiser produced a schedule the checker refuses"
    );
    StoreError::Conflict {
        field: "schedule".to_owned(),
        message: format!(
            "the computed schedule fails the checker and was not published: {}",
            violations
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        ),
    }
}

/// Runs the optimiser on a blocking thread: a large day takes seconds of CPU, which must not stall
/// the async workers serving other requests.
async fn off_the_executor<T: Send + 'static>(
    event_id: i64,
    run: impl FnOnce() -> (Instance, Result<T, ScheduleError>) + Send + 'static,
) -> Result<(Instance, T), StoreError> {
    let (instance, outcome) = tokio::task::spawn_blocking(run)
        .await
        .map_err(|error| StoreError::corrupt("event", event_id, error))?;
    let outcome = outcome.map_err(|error| StoreError::corrupt("event", event_id, error))?;
    Ok((instance, outcome))
}

impl Store {
    async fn event_instance(&self, event_id: i64) -> Result<(Event, Instance), StoreError> {
        let event = self.event(event_id).await?;
        let participants = self.participants(event_id).await?;
        let requests = self.requests(event_id, None).await?;
        let instance = instance_of(&event, &participants, &requests);
        Ok((event, instance))
    }

    async fn meeting_rows(&self, event_id: i64) -> Result<Vec<event_meeting::Model>, StoreError> {
        Ok(event_meeting::Entity::find()
            .filter(event_meeting::Column::EventId.eq(event_id))
            .order_by_asc(event_meeting::Column::Slot)
            .order_by_asc(event_meeting::Column::TableNumber)
            .order_by_asc(event_meeting::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// The checker's verdict on the published schedule against the event as it stands.
    pub async fn check_schedule(
        &self,
        event_id: i64,
    ) -> Result<Vec<registre_matchmaking::Violation>, StoreError> {
        let (_, instance) = self.event_instance(event_id).await?;
        let schedule = Schedule::new(
            self.meeting_rows(event_id)
                .await?
                .into_iter()
                .filter(|row| row.status == MeetingStatus::Confirmed.code())
                .map(|row| Meeting {
                    admin: schedule_id(ParticipantKind::Administration, row.administration_id),
                    vendor: schedule_id(ParticipantKind::Vendor, row.vendor_id),
                    slot: row.slot as usize,
                    table: row.table_number as usize,
                })
                .collect(),
        );
        Ok(registre_matchmaking::check(&instance, &schedule))
    }

    /// Schedules the event for the first time with a published seed.
    pub async fn schedule_event(
        &self,
        event_id: i64,
        seed: u64,
    ) -> Result<ScheduleReport, StoreError> {
        let (event, instance) = self.event_instance(event_id).await?;
        if event.schedule_runs > 0 {
            return Err(StoreError::Conflict {
                field: "schedule".to_owned(),
                message: "the event is already scheduled: re-schedule it to keep meetings in place"
                    .to_owned(),
            });
        }
        let (instance, outcome) = off_the_executor(event_id, move || {
            let outcome = registre_matchmaking::schedule(&instance, seed);
            (instance, outcome)
        })
        .await?;
        let violations = registre_matchmaking::check(&instance, &outcome.schedule);
        if !violations.is_empty() {
            return Err(rejected(&violations));
        }
        let added = outcome.schedule.len();
        self.publish(&event, seed, &outcome.schedule, &outcome.log)
            .await?;
        Ok(ScheduleReport {
            seed,
            meetings: added,
            kept: 0,
            moved: 0,
            cancelled: 0,
            added,
            decisions: outcome.log.len(),
        })
    }

    /// Schedules again after changes, moving as few published meetings as possible.
    pub async fn reschedule_event(
        &self,
        event_id: i64,
        seed: u64,
    ) -> Result<ScheduleReport, StoreError> {
        let (event, instance) = self.event_instance(event_id).await?;
        if event.schedule_runs == 0 {
            return Err(StoreError::Conflict {
                field: "schedule".to_owned(),
                message: "the event has no schedule yet: schedule it first".to_owned(),
            });
        }
        let previous = Schedule::new(
            self.meeting_rows(event_id)
                .await?
                .into_iter()
                .filter(|row| row.status == MeetingStatus::Confirmed.code())
                .map(|row| Meeting {
                    admin: schedule_id(ParticipantKind::Administration, row.administration_id),
                    vendor: schedule_id(ParticipantKind::Vendor, row.vendor_id),
                    slot: row.slot as usize,
                    table: row.table_number as usize,
                })
                .collect(),
        );
        let (instance, outcome) = off_the_executor(event_id, move || {
            let outcome = registre_matchmaking::reschedule(&instance, &previous, seed);
            (instance, outcome)
        })
        .await?;
        let violations = registre_matchmaking::check(&instance, &outcome.schedule);
        if !violations.is_empty() {
            return Err(rejected(&violations));
        }
        self.publish(&event, seed, &outcome.schedule, &outcome.log)
            .await?;
        Ok(ScheduleReport {
            seed,
            meetings: outcome.schedule.len(),
            kept: outcome.kept,
            moved: outcome.moved,
            cancelled: outcome.cancelled,
            added: outcome.added,
            decisions: outcome.log.len(),
        })
    }

    /// Writes a checked schedule and its log in one transaction, keeping one row per pair.
    async fn publish(
        &self,
        event: &Event,
        seed: u64,
        schedule: &Schedule,
        log: &DecisionLog,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        let transaction = self.db.begin().await?;
        // Two runs computed from the same state: only the first to get here publishes.
        let updated = event::Entity::update_many()
            .col_expr(event::Column::ScheduleSeed, Expr::value(seed as i64))
            .col_expr(
                event::Column::ScheduleLog,
                Expr::value(to_json(&logged(log))),
            )
            .col_expr(event::Column::ScheduledAt, Expr::value(now))
            .col_expr(
                event::Column::ScheduleRuns,
                Expr::value(event.schedule_runs as i32 + 1),
            )
            .filter(event::Column::Id.eq(event.id))
            .filter(event::Column::ScheduleRuns.eq(event.schedule_runs as i32))
            .exec(&transaction)
            .await?;
        if updated.rows_affected != 1 {
            return Err(StoreError::Conflict {
                field: "schedule".to_owned(),
                message: "another schedule run was published meanwhile: read it and run again"
                    .to_owned(),
            });
        }
        let rows = event_meeting::Entity::find()
            .filter(event_meeting::Column::EventId.eq(event.id))
            .all(&transaction)
            .await?;
        let mut existing: HashMap<(i64, i64), event_meeting::Model> = rows
            .into_iter()
            .map(|row| ((row.administration_id, row.vendor_id), row))
            .collect();
        for meeting in &schedule.meetings {
            let pair = (
                participant_number(&meeting.admin),
                participant_number(&meeting.vendor),
            );
            let (slot, table) = (meeting.slot as i32, meeting.table as i32);
            match existing.remove(&pair) {
                Some(row)
                    if row.slot == slot
                        && row.table_number == table
                        && row.status == MeetingStatus::Confirmed.code() => {}
                Some(row) => {
                    let sequence = row.sequence + 1;
                    let mut change: event_meeting::ActiveModel = row.into();
                    change.slot = Set(slot);
                    change.table_number = Set(table);
                    change.sequence = Set(sequence);
                    change.status = Set(MeetingStatus::Confirmed.code().to_owned());
                    change.updated_at = Set(now);
                    change.update(&transaction).await?;
                }
                None => {
                    event_meeting::ActiveModel {
                        id: NotSet,
                        event_id: Set(event.id),
                        administration_id: Set(pair.0),
                        vendor_id: Set(pair.1),
                        slot: Set(slot),
                        table_number: Set(table),
                        sequence: Set(0),
                        status: Set(MeetingStatus::Confirmed.code().to_owned()),
                        updated_at: Set(now),
                    }
                    .insert(&transaction)
                    .await?;
                }
            }
        }
        for (_, row) in existing {
            if row.status == MeetingStatus::Cancelled.code() {
                continue;
            }
            let sequence = row.sequence + 1;
            let mut change: event_meeting::ActiveModel = row.into();
            change.sequence = Set(sequence);
            change.status = Set(MeetingStatus::Cancelled.code().to_owned());
            change.updated_at = Set(now);
            change.update(&transaction).await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    /// The published meetings (cancelled ones included) and the decisions that concern `participant`,
    /// or the whole event's when `None`.
    pub async fn agenda(
        &self,
        event_id: i64,
        participant: Option<&Participant>,
    ) -> Result<Agenda, StoreError> {
        let event = self.event(event_id).await?;
        let participants: HashMap<i64, Participant> = self
            .participants(event_id)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let weights: HashMap<(i64, i64), u32> = self
            .requests(event_id, None)
            .await?
            .into_iter()
            .map(|r| ((r.administration_id, r.vendor_id), r.weight()))
            .collect();
        let name = |id: i64| {
            participants
                .get(&id)
                .map(|p| p.name.clone())
                .unwrap_or_default()
        };
        let meetings = self
            .meeting_rows(event_id)
            .await?
            .into_iter()
            .filter(|row| match participant {
                None => true,
                Some(p) => match p.kind {
                    ParticipantKind::Administration => row.administration_id == p.id,
                    ParticipantKind::Vendor => row.vendor_id == p.id,
                },
            })
            .map(|row| AgendaMeeting {
                id: row.id,
                administration_id: row.administration_id,
                administration_name: name(row.administration_id),
                vendor_id: row.vendor_id,
                vendor_name: name(row.vendor_id),
                slot: row.slot as usize,
                time: event.slots.get(row.slot as usize).copied().unwrap_or(Slot {
                    start: chrono::NaiveTime::MIN,
                    end: chrono::NaiveTime::MIN,
                }),
                table: row.table_number as usize + 1,
                weight: weights
                    .get(&(row.administration_id, row.vendor_id))
                    .copied()
                    .unwrap_or_default(),
                status: if row.status == MeetingStatus::Cancelled.code() {
                    MeetingStatus::Cancelled
                } else {
                    MeetingStatus::Confirmed
                },
                sequence: row.sequence as u32,
                updated_at: row.updated_at,
            })
            .collect();
        let log = event::Entity::find_by_id(event_id)
            .one(&self.db)
            .await?
            .and_then(|row| row.schedule_log);
        let entries: Vec<LoggedDecision> = match log {
            Some(text) => from_json("event", event_id, &text)?,
            None => Vec::new(),
        };
        let decisions = match participant {
            Some(p) => {
                let id = p.schedule_id();
                entries
                    .into_iter()
                    .filter(|d| d.participants.is_empty() || d.participants.contains(&id))
                    .collect()
            }
            None => entries,
        };
        Ok(Agenda {
            event,
            meetings,
            decisions,
        })
    }
}
