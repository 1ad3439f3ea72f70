//! Outputs of a published schedule: a participant's agenda as an iCalendar feed (RFC 5545) and the
//! schedule as CSV. Each meeting keeps one UID per pair, its `SEQUENCE` grows when it moves, and a
//! meeting that no longer takes place stays in the feed as `STATUS:CANCELLED` so calendars drop it.
//!
//! Times: an event with a named zone gives local times with `TZID=<IANA name>` and the `VTIMEZONE`
//! the RFC requires for it (the observances in force that day, computed from the IANA data), so a
//! calendar shows the venue's wall-clock time even if it knows the zone differently; an event with
//! a fixed offset only, or held in UTC, gives UTC times.

use chrono::{DateTime, NaiveTime, Utc};

use super::schedule::{Agenda, MeetingStatus};
use super::zone::{Tz, ics_offset, observances};

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn text(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for character in value.chars() {
        match character {
            '\\' => escaped.push_str("\\\\"),
            ';' => escaped.push_str("\\;"),
            ',' => escaped.push_str("\\,"),
            '\n' => escaped.push_str("\\n"),
            '\r' => {}
            other => escaped.push(other),
        }
    }
    escaped
}

/// Folds a content line at 75 octets, never inside a UTF-8 character (RFC 5545 §3.1).
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for character in line.chars() {
        let size = character.len_utf8();
        if width + size > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(character);
        width += size;
    }
    out.push_str("\r\n");
}

fn utc(value: DateTime<Utc>) -> String {
    value.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The zone the feed names with `TZID`: none for a fixed-offset event or one held in UTC, whose
/// times are plain UTC (`Z`).
fn named_zone(agenda: &Agenda) -> Option<Tz> {
    agenda
        .event
        .time_zone
        .filter(|zone| !matches!(zone, Tz::UTC | Tz::Etc__UTC))
}

/// `DTSTART`/`DTEND` of a meeting: local with its zone, or UTC.
fn moment(agenda: &Agenda, name: &str, time: NaiveTime) -> String {
    let event = &agenda.event;
    match named_zone(agenda) {
        Some(zone) => format!(
            "{name};TZID={}:{}",
            zone.name(),
            event.day.and_time(time).format("%Y%m%dT%H%M%S")
        ),
        None => format!("{name}:{}", utc(event.instant(time))),
    }
}

/// The `VTIMEZONE` of `zone` for the hours of the day (RFC 5545 §3.6.5): each observance's onset is
/// written in the local time in force before it.
fn vtimezone(agenda: &Agenda, zone: Tz, out: &mut String) {
    let event = &agenda.event;
    let (Some(first), Some(last)) = (event.slots.first(), event.slots.last()) else {
        return;
    };
    fold("BEGIN:VTIMEZONE", out);
    fold(&format!("TZID:{}", zone.name()), out);
    for observance in observances(zone, event.instant(first.start), event.instant(last.end)) {
        let kind = if observance.daylight {
            "DAYLIGHT"
        } else {
            "STANDARD"
        };
        let onset =
            observance.start.naive_utc() + chrono::Duration::seconds(i64::from(observance.from));
        fold(&format!("BEGIN:{kind}"), out);
        fold(&format!("DTSTART:{}", onset.format("%Y%m%dT%H%M%S")), out);
        fold(
            &format!("TZOFFSETFROM:{}", ics_offset(observance.from)),
            out,
        );
        fold(&format!("TZOFFSETTO:{}", ics_offset(observance.to)), out);
        if let Some(name) = &observance.abbreviation {
            fold(&format!("TZNAME:{}", text(name)), out);
        }
        fold(&format!("END:{kind}"), out);
    }
    fold("END:VTIMEZONE", out);
}

/// The agenda as an iCalendar document, seen by `viewer` (a participant id, or `None` for the
/// organiser).
pub fn agenda_ics(agenda: &Agenda, viewer: Option<i64>) -> String {
    let event = &agenda.event;
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Registre//Matchmaking days//FR",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        fold(line, &mut out);
    }
    fold(&format!("X-WR-CALNAME:{}", text(&event.name)), &mut out);
    if let Some(zone) = named_zone(agenda) {
        fold(&format!("X-WR-TIMEZONE:{}", zone.name()), &mut out);
        vtimezone(agenda, zone, &mut out);
    }
    for meeting in &agenda.meetings {
        let other = match viewer {
            Some(id) if id == meeting.administration_id => meeting.vendor_name.clone(),
            Some(_) => meeting.administration_name.clone(),
            None => format!("{} – {}", meeting.administration_name, meeting.vendor_name),
        };
        fold("BEGIN:VEVENT", &mut out);
        fold(&format!("UID:{}", meeting.uid(event.id)), &mut out);
        fold(&format!("DTSTAMP:{}", utc(meeting.updated_at)), &mut out);
        fold(
            &format!("LAST-MODIFIED:{}", utc(meeting.updated_at)),
            &mut out,
        );
        fold(&moment(agenda, "DTSTART", meeting.time.start), &mut out);
        fold(&moment(agenda, "DTEND", meeting.time.end), &mut out);
        fold(&format!("SEQUENCE:{}", meeting.sequence), &mut out);
        let status = match meeting.status {
            MeetingStatus::Confirmed => "CONFIRMED",
            MeetingStatus::Cancelled => "CANCELLED",
        };
        fold(&format!("STATUS:{status}"), &mut out);
        fold(
            &format!("SUMMARY:{}", text(&format!("{} : {other}", event.name))),
            &mut out,
        );
        fold(
            &format!(
                "LOCATION:{}",
                text(&format!("{}, table {}", event.venue, meeting.table))
            ),
            &mut out,
        );
        fold(
            &format!(
                "DESCRIPTION:{}",
                text(&format!(
                    "{} meets {}, {}–{}, table {}.",
                    meeting.administration_name,
                    meeting.vendor_name,
                    meeting.time.start.format("%H:%M"),
                    meeting.time.end.format("%H:%M"),
                    meeting.table
                ))
            ),
            &mut out,
        );
        fold("TRANSP:OPAQUE", &mut out);
        fold("END:VEVENT", &mut out);
    }
    fold("END:VCALENDAR", &mut out);
    out
}

/// The schedule as CSV, one meeting per row, by slot then table.
pub fn schedule_csv(agenda: &Agenda) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = [
        "slot",
        "start",
        "end",
        "table",
        "administration_id",
        "administration",
        "vendor_id",
        "vendor",
        "weight",
        "status",
        "sequence",
        "uid",
    ];
    writer.write_record(header).expect("writing to memory");
    for meeting in &agenda.meetings {
        writer
            .write_record([
                (meeting.slot + 1).to_string(),
                meeting.time.start.format("%H:%M").to_string(),
                meeting.time.end.format("%H:%M").to_string(),
                meeting.table.to_string(),
                meeting.administration_id.to_string(),
                meeting.administration_name.clone(),
                meeting.vendor_id.to_string(),
                meeting.vendor_name.clone(),
                meeting.weight.to_string(),
                meeting.status.code().to_owned(),
                meeting.sequence.to_string(),
                meeting.uid(agenda.event.id),
            ])
            .expect("writing to memory");
    }
    let bytes = writer.into_inner().expect("writing to memory");
    String::from_utf8(bytes).expect("CSV of UTF-8 strings")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_folded_at_75_octets_without_splitting_characters() {
        let mut out = String::new();
        fold(&format!("SUMMARY:{}", "é".repeat(60)), &mut out);
        for line in out.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
        }
        assert_eq!(
            out.replace("\r\n ", ""),
            format!("SUMMARY:{}\r\n", "é".repeat(60))
        );
    }

    fn agenda(zone: Option<Tz>, offset: &str) -> Agenda {
        use super::super::schedule::AgendaMeeting;
        use super::super::{Event, Slot};
        let at = |text| NaiveTime::parse_from_str(text, "%H:%M").unwrap();
        let slot = Slot {
            start: at("09:00"),
            end: at("09:30"),
        };
        Agenda {
            event: Event {
                id: 7,
                name: "Journée".to_owned(),
                day: chrono::NaiveDate::from_ymd_opt(2026, 3, 27).unwrap(),
                venue: "Bercy".to_owned(),
                utc_offset: offset.to_owned(),
                time_zone: zone,
                slots: vec![slot],
                tables: 1,
                max_meetings: 1,
                registration_opens: Utc::now(),
                registration_closes: Utc::now(),
                rules: String::new(),
                schedule_seed: Some(1),
                scheduled_at: None,
                schedule_runs: 1,
            },
            meetings: vec![AgendaMeeting {
                id: 1,
                administration_id: 2,
                administration_name: "Ville".to_owned(),
                vendor_id: 3,
                vendor_name: "Nuage".to_owned(),
                slot: 0,
                time: slot,
                table: 1,
                weight: 3,
                status: MeetingStatus::Confirmed,
                sequence: 0,
                updated_at: Utc::now(),
            }],
            decisions: vec![],
        }
    }

    #[test]
    fn a_named_zone_gives_local_times_with_their_vtimezone() {
        let feed = agenda_ics(&agenda(Some(Tz::Europe__Paris), "+01:00"), Some(2));
        assert!(
            feed.contains("\r\nDTSTART;TZID=Europe/Paris:20260327T090000\r\n"),
            "{feed}"
        );
        assert!(feed.contains("\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\nBEGIN:STANDARD\r\n"));
        assert!(feed.find("END:VTIMEZONE").unwrap() < feed.find("BEGIN:VEVENT").unwrap());
    }

    #[test]
    fn utc_and_fixed_offsets_give_utc_times_without_a_zone() {
        for (zone, offset, start) in [
            (Some(Tz::UTC), "+00:00", "20260327T090000Z"),
            (None, "+01:00", "20260327T080000Z"),
        ] {
            let feed = agenda_ics(&agenda(zone, offset), Some(2));
            assert!(feed.contains(&format!("\r\nDTSTART:{start}\r\n")), "{feed}");
            assert!(
                !feed.contains("VTIMEZONE") && !feed.contains("TZID"),
                "{feed}"
            );
        }
    }

    #[test]
    fn text_values_escape_commas_semicolons_and_newlines() {
        assert_eq!(text("a, b; c\\d\ne"), "a\\, b\\; c\\\\d\\ne");
    }
}
