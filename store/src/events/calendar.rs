//! Outputs of a published schedule: a participant's agenda as an iCalendar feed (RFC 5545) and the
//! schedule as CSV. Each meeting keeps one UID per pair, its `SEQUENCE` grows when it moves, and a
//! meeting that no longer takes place stays in the feed as `STATUS:CANCELLED` so calendars drop it.

use chrono::{DateTime, Duration, NaiveDateTime, NaiveTime, Utc};

use super::schedule::{Agenda, MeetingStatus};

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

/// A local time of the event's day, in UTC.
fn instant(agenda: &Agenda, time: NaiveTime) -> DateTime<Utc> {
    let local = NaiveDateTime::new(agenda.event.day, time);
    (local - Duration::seconds(i64::from(agenda.event.offset_seconds()))).and_utc()
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
        fold(
            &format!("DTSTART:{}", utc(instant(agenda, meeting.time.start))),
            &mut out,
        );
        fold(
            &format!("DTEND:{}", utc(instant(agenda, meeting.time.end))),
            &mut out,
        );
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

    #[test]
    fn text_values_escape_commas_semicolons_and_newlines() {
        assert_eq!(text("a, b; c\\d\ne"), "a\\, b\\; c\\\\d\\ne");
    }
}
