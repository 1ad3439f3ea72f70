//! The shared instance and solution formats: `{params, administrations[], vendors[], requests[]}` in,
//! a list of `{admin, vendor, slot, table}` meetings out.
//!
//! Field names and order follow `gen_matchmaking_instance.py` (copied to `data/`), so an instance read
//! and written again comes out byte for byte as the script wrote it.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The default cap on meetings per administration (`caps.max_meetings_per_administration` in the spec),
/// used when an instance's `params` leave it out.
pub const DEFAULT_MAX_MEETINGS_PER_ADMINISTRATION: u32 = 6;

/// A matchmaking day: who comes, when they are free, who wants to meet whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    pub params: Params,
    pub administrations: Vec<Administration>,
    pub vendors: Vec<Vendor>,
    pub requests: Vec<Request>,
}

/// The day's shape. Only `slots`, `tables` and the administration cap drive scheduling; the rest is
/// carried so that a written instance keeps what the generator put there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Params {
    #[serde(default)]
    pub scale: String,
    #[serde(default)]
    pub seed: u64,
    #[serde(default)]
    pub administrations: usize,
    #[serde(default)]
    pub vendors: usize,
    pub slots: usize,
    #[serde(default)]
    pub slot_minutes: u32,
    pub tables: usize,
    /// Half-open `[start, end)` slot ranges, morning then afternoon.
    #[serde(default)]
    pub sessions: Vec<[usize; 2]>,
    #[serde(rename = "use", default)]
    pub purpose: String,
    #[serde(default = "default_max_meetings")]
    pub max_meetings_per_administration: u32,
}

fn default_max_meetings() -> u32 {
    DEFAULT_MAX_MEETINGS_PER_ADMINISTRATION
}

impl Params {
    /// Meetings the room can hold over the day: `slots × tables`.
    pub fn capacity(&self) -> usize {
        self.slots * self.tables
    }
}

/// A buyer. `reps` people can hold `reps` meetings in the same slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Administration {
    pub id: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub flags: AdministrationFlags,
    #[serde(default)]
    pub needs: Vec<String>,
    pub reps: u32,
    pub availability: Vec<u8>,
}

/// Hard requirements an administration puts on the vendors it may meet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdministrationFlags {
    #[serde(default)]
    pub requires_secnumcloud: bool,
    #[serde(default)]
    pub requires_hds: bool,
    #[serde(default)]
    pub requires_no_extra_eu_exposure: bool,
}

/// A supplier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vendor {
    pub id: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub exposure: String,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub secnumcloud: bool,
    #[serde(default)]
    pub hds: bool,
    pub reps: u32,
    pub availability: Vec<u8>,
}

/// A wish to meet: weight 3 when both sides asked, 2 when only the administration did, 1 when only
/// the vendor did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub admin: String,
    pub vendor: String,
    pub weight: u32,
    pub mutual: bool,
}

/// Availability is a 0/1 vector; like the Python script, any non-zero value counts as free, and a slot
/// past the end of the vector counts as not free (the script would fail there instead).
pub fn is_available(availability: &[u8], slot: usize) -> bool {
    availability.get(slot).is_some_and(|&flag| flag != 0)
}

impl Administration {
    pub fn is_available(&self, slot: usize) -> bool {
        is_available(&self.availability, slot)
    }
}

impl Vendor {
    pub fn is_available(&self, slot: usize) -> bool {
        is_available(&self.availability, slot)
    }
}

/// One 1:1 meeting: ids as in the instance, 0-based slot and table.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Meeting {
    pub admin: String,
    pub vendor: String,
    pub slot: usize,
    pub table: usize,
}

/// A schedule. It is written as a bare JSON list of meetings (what `--out` produces); it reads either
/// that list or the spec's `{"meetings": [...]}` object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Schedule {
    pub meetings: Vec<Meeting>,
}

impl<'de> Deserialize<'de> for Schedule {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Shape {
            List(Vec<Meeting>),
            Object { meetings: Vec<Meeting> },
        }
        Ok(match Shape::deserialize(deserializer)? {
            Shape::List(meetings) | Shape::Object { meetings } => Schedule { meetings },
        })
    }
}

impl Schedule {
    pub fn new(mut meetings: Vec<Meeting>) -> Self {
        // One canonical order (slot, table) so equal schedules compare and serialise equal.
        meetings.sort_by(|left, right| {
            (left.slot, left.table, &left.admin, &left.vendor).cmp(&(
                right.slot,
                right.table,
                &right.admin,
                &right.vendor,
            ))
        });
        Schedule { meetings }
    }

    pub fn len(&self) -> usize {
        self.meetings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.meetings.is_empty()
    }
}

/// Reading or writing an instance or a schedule failed.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("cannot read {path}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot write {path}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not a valid {what}")]
    Parse {
        path: String,
        what: &'static str,
        source: serde_json::Error,
    },
}

impl Instance {
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Compact JSON, as the Python script writes it (`separators=(",", ":")`, no ASCII escaping).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("an instance always serialises")
    }

    pub fn read(path: &Path) -> Result<Self, FormatError> {
        let text = std::fs::read_to_string(path).map_err(|source| FormatError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_json(&text).map_err(|source| FormatError::Parse {
            path: path.display().to_string(),
            what: "instance",
            source,
        })
    }

    pub fn write(&self, path: &Path) -> Result<(), FormatError> {
        std::fs::write(path, self.to_json()).map_err(|source| FormatError::Write {
            path: path.display().to_string(),
            source,
        })
    }

    /// The weight of each requested pair. When a pair is requested twice the first request counts,
    /// which is the one the Python baselines would meet first among equals.
    pub fn request_weights(&self) -> HashMap<(&str, &str), u32> {
        let mut weights = HashMap::with_capacity(self.requests.len());
        for request in &self.requests {
            weights
                .entry((request.admin.as_str(), request.vendor.as_str()))
                .or_insert(request.weight);
        }
        weights
    }
}

impl Schedule {
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a schedule always serialises")
    }

    pub fn read(path: &Path) -> Result<Self, FormatError> {
        let text = std::fs::read_to_string(path).map_err(|source| FormatError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_json(&text).map_err(|source| FormatError::Parse {
            path: path.display().to_string(),
            what: "schedule",
            source,
        })
    }

    pub fn write(&self, path: &Path) -> Result<(), FormatError> {
        std::fs::write(path, self.to_json()).map_err(|source| FormatError::Write {
            path: path.display().to_string(),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schedule_reads_both_the_bare_list_and_the_spec_object() {
        let list = r#"[{"admin":"A0000","vendor":"V0001","slot":2,"table":0}]"#;
        let object = r#"{"meetings":[{"admin":"A0000","vendor":"V0001","slot":2,"table":0}]}"#;
        let from_list = Schedule::from_json(list).unwrap();
        assert_eq!(from_list, Schedule::from_json(object).unwrap());
        assert_eq!(from_list.to_json(), list);
    }

    #[test]
    fn a_slot_beyond_the_availability_vector_is_not_free() {
        assert!(is_available(&[1, 0, 2], 0));
        assert!(!is_available(&[1, 0, 2], 1));
        assert!(is_available(&[1, 0, 2], 2));
        assert!(!is_available(&[1, 0, 2], 3));
    }
}
