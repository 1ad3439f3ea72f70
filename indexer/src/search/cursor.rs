//! Opaque page cursors: the sort position of the last hit of a page, bound to the search it came from.
//!
//! A page starts strictly after the previous page's last hit in sort order ("search after"), so pages
//! neither repeat nor skip records when the index changes between them, and a deep page costs no more
//! than the first. The fingerprint of the query, filters and sort makes a cursor useless for another
//! search: it is refused rather than silently giving a wrong page.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use super::schema::fnv1a;
use super::types::{Filters, SearchError, Sort};

/// Where the previous page ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "s", rename_all = "snake_case")]
pub(crate) enum Position {
    /// Relevance rounded to hundredths, qualification rank, document uid.
    Relevance { r: u32, q: u8, u: u64 },
    /// Normalised name and uid.
    Name { n: String, u: u64 },
    /// Qualification end day (0 when none) and uid.
    Until { d: u64, u: u64 },
}

#[derive(Serialize, Deserialize)]
struct Envelope {
    v: u8,
    f: String,
    p: Position,
}

const VERSION: u8 = 1;

/// A fingerprint of what decides the result set and its order.
pub(crate) fn fingerprint(query: &str, filters: &Filters, sort: Sort) -> String {
    let text = format!("{}\u{0}{filters:?}\u{0}{}", query.trim(), sort.code());
    format!("{:016x}", fnv1a(text.as_bytes()))
}

pub(crate) fn encode(fingerprint: &str, position: Position) -> String {
    let envelope = Envelope {
        v: VERSION,
        f: fingerprint.to_owned(),
        p: position,
    };
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&envelope).expect("a cursor serialises"))
}

pub(crate) fn decode(cursor: &str, fingerprint: &str, sort: Sort) -> Result<Position, SearchError> {
    let unreadable = || {
        SearchError::InvalidCursor(
            "cursor is not one this API returned: pass next_cursor from the previous page unchanged"
                .to_owned(),
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| unreadable())?;
    let envelope: Envelope = serde_json::from_slice(&bytes).map_err(|_| unreadable())?;
    if envelope.v != VERSION {
        return Err(unreadable());
    }
    if envelope.f != fingerprint {
        return Err(SearchError::InvalidCursor(
            "cursor belongs to another search: keep q, filters and sort unchanged while paging"
                .to_owned(),
        ));
    }
    let fits = matches!(
        (&envelope.p, sort),
        (Position::Relevance { .. }, Sort::Relevance)
            | (Position::Name { .. }, Sort::Name)
            | (
                Position::Until { .. },
                Sort::QualificationEnd | Sort::QualificationEndDesc
            )
    );
    if fits {
        Ok(envelope.p)
    } else {
        Err(unreadable())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_is_bound_to_its_search() {
        let filters = Filters::default();
        let print = fingerprint("cloud", &filters, Sort::Name);
        let position = Position::Name {
            n: "ovhcloud".into(),
            u: 42,
        };
        let cursor = encode(&print, position.clone());
        assert_eq!(decode(&cursor, &print, Sort::Name).unwrap(), position);
        let other = fingerprint("visio", &filters, Sort::Name);
        assert!(decode(&cursor, &other, Sort::Name).is_err());
        assert!(decode("not-a-cursor", &print, Sort::Name).is_err());
        assert!(decode(&cursor, &print, Sort::Relevance).is_err());
    }
}
