//! The `acn-cloud` source: the catalogue of cloud services and digital infrastructures qualified
//! for the Italian public administration by ACN (Agenzia per la Cybersicurezza Nazionale).
//!
//! **One URL, four lists.** The catalogue is served as four JSON arrays of flat objects with string
//! values, one per kind: `https://catalogocloud.acn.gov.it/json/make_json/{IN,IA,PA,SA}`
//! (infrastructures, IaaS, PaaS, SaaS); the public viewers fetch the four and concatenate them.
//! A source has one URL, so this adapter reads a body holding one array **or several arrays one
//! after the other** (`[...][...]`, whitespace allowed between them). Its default URL is the IaaS
//! list (the kind that meets the registry's SecNumCloud and HDS hosts); to follow the whole
//! catalogue, point `REGISTRE_SOURCE_ACN_CLOUD_URL` at a mirror that serves the four responses
//! concatenated (e.g. a cron job `curl …/IN …/IA …/PA …/SA > acn.json`). Pointing it at another
//! single list works as well; what the source no longer lists is then marked absent, as usual.
//!
//! **Keys.** The lists carry no identifier that has been seen: the reference is the supplier's
//! normalised name and the service's name (`acn-<supplier>-<service>`). A service listed under two
//! kinds (IaaS and PaaS) is one qualification covering both models.
//!
//! **Edition.** The lists carry no date: an edition is dated by the day it is fetched (00:00 UTC).

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::{Months, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use registre_domain::model::Key;
use registre_domain::observation::{Edition, Observation, normalise_name};
use registre_domain::taxonomy::{Category, Scheme, ServiceModel, Status};
use serde_json::{Map, Value};

use super::contract::Source;

pub struct AcnCloud;

pub const URL: &str = "https://catalogocloud.acn.gov.it/json/make_json/IA";

/// The objects' keys. They are the fixture's (the real key names have not been seen): a renamed
/// key is a one-line fix here. Keys not named here are ignored.
struct Keys {
    supplier: &'static str,
    /// Services are named under the first key, infrastructures under the second.
    name: [&'static str; 2],
    kind: &'static str,
    level: &'static str,
    valid_from: &'static str,
    valid_until: &'static str,
}

const KEYS: Keys = Keys {
    supplier: "Fornitore",
    name: ["Nome servizio", "Nome infrastruttura"],
    kind: "Tipologia",
    level: "Livello di qualificazione",
    valid_from: "Data qualificazione",
    valid_until: "Scadenza qualificazione",
};

/// `Tipologia` values (compared case-insensitively), the category of an offer created for the row,
/// and the service model it covers. SaaS gets the category `anssi-catalogue` gives a SaaS-only
/// service: the registry has no generic SaaS category, and an editor can refine it.
const KINDS: [(&str, Category, Option<ServiceModel>); 5] = [
    ("IaaS", Category::Iaas, Some(ServiceModel::Iaas)),
    ("PaaS", Category::Paas, Some(ServiceModel::Paas)),
    ("CaaS", Category::Caas, Some(ServiceModel::Caas)),
    (
        "SaaS",
        Category::CollaborativePlatform,
        Some(ServiceModel::Saas),
    ),
    ("Infrastruttura", Category::Iaas, None),
];

/// Qualification levels of the ACN regulation: QC1–QC4 for cloud services, QI1–QI4 for infrastructures.
const LEVELS: [&str; 8] = ["QC1", "QC2", "QC3", "QC4", "QI1", "QI2", "QI3", "QI4"];

/// ACN qualifications are valid 36 months (Regolamento, decreto direttoriale ACN n. 21007/24 of
/// 27/06/2024, in force 1 August 2024). When only the start is given, the end is the day before the
/// same date 36 months later: 01/08/2024 → 31/07/2027, as the rows that give both dates show.
const VALIDITY: Months = Months::new(36);

const DATE_FORMATS: [&str; 2] = ["%d/%m/%Y", "%Y-%m-%d"];

/// The end of a qualification that started on `start`, when the catalogue gives no end.
pub fn default_end(start: NaiveDate) -> Option<NaiveDate> {
    start
        .checked_add_months(VALIDITY)
        .and_then(|d| d.pred_opt())
}

fn text(object: &Map<String, Value>, key: &str, place: &str) -> Result<String, String> {
    match object.get(key) {
        Some(Value::String(s)) => Ok(s.trim().to_owned()),
        Some(Value::Null) => Ok(String::new()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        Some(other) => Err(format!("{place}: '{key}' is not a string ({other})")),
        None => Err(format!(
            "{place}: no '{key}' key (it has: {})",
            object
                .keys()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

fn date(value: &str, place: &str, key: &str) -> Result<Option<NaiveDate>, String> {
    if value.is_empty() {
        return Ok(None);
    }
    DATE_FORMATS
        .iter()
        .find_map(|format| NaiveDate::parse_from_str(value, format).ok())
        .map(Some)
        .ok_or_else(|| format!("{place}: {key} '{value}' is not a dd/mm/yyyy date"))
}

fn observation(object: &Map<String, Value>, place: &str) -> Result<Observation, String> {
    let supplier = text(object, KEYS.supplier, place)?;
    if supplier.is_empty() {
        return Err(format!("{place}: empty '{}'", KEYS.supplier));
    }
    let name_key = KEYS
        .name
        .iter()
        .find(|k| object.contains_key(**k))
        .copied()
        .unwrap_or(KEYS.name[0]);
    let name = text(object, name_key, place)?;
    let kind = text(object, KEYS.kind, place)?;
    let (category, model) = KINDS
        .iter()
        .find(|(label, _, _)| label.eq_ignore_ascii_case(&kind))
        .map(|(_, category, model)| (*category, *model))
        .ok_or_else(|| {
            format!(
                "{place}: {} '{kind}' is none of {}",
                KEYS.kind,
                KINDS.iter().map(|k| k.0).collect::<Vec<_>>().join(", ")
            )
        })?;
    let level = text(object, KEYS.level, place)?.to_uppercase();
    if !level.is_empty() && !LEVELS.contains(&level.as_str()) {
        return Err(format!(
            "{place}: {} '{level}' is none of {}",
            KEYS.level,
            LEVELS.join(", ")
        ));
    }
    let valid_from = date(
        &text(object, KEYS.valid_from, place)?,
        place,
        KEYS.valid_from,
    )?;
    let valid_until = match date(
        &text(object, KEYS.valid_until, place)?,
        place,
        KEYS.valid_until,
    )? {
        Some(end) => Some(end),
        None => valid_from.and_then(default_end),
    };
    let service = (!name.is_empty()).then_some(name);
    let reference = match &service {
        Some(service) => format!("{} {service}", normalise_name(&supplier)),
        None => format!("{} {kind}", normalise_name(&supplier)),
    };
    Ok(Observation {
        scheme: Scheme::Acn,
        supplier_name: supplier,
        supplier_siren: None,
        service_name: service,
        category,
        status: Status::Qualified,
        milestone: None,
        level: (!level.is_empty()).then_some(level),
        service_models: model.into_iter().collect(),
        scope: None,
        valid_from,
        valid_until,
        decision: None,
        reference,
        recommendation: None,
    })
}

/// Folds a row into those already read: a service listed under several kinds is one observation
/// with every model; any other difference between two rows of the same key is an error.
/// `positions` maps each key already read to its observation (the catalogue has thousands of rows).
fn merge(
    observations: &mut Vec<Observation>,
    positions: &mut HashMap<Key, usize>,
    row: Observation,
    place: &str,
) -> Result<(), String> {
    let same = match positions.entry(row.key()) {
        Entry::Vacant(vacant) => {
            vacant.insert(observations.len());
            observations.push(row);
            return Ok(());
        }
        Entry::Occupied(occupied) => &mut observations[*occupied.get()],
    };
    let comparable = |o: &Observation| Observation {
        service_models: vec![],
        category: Category::Iaas,
        ..o.clone()
    };
    if comparable(same) != comparable(&row) {
        return Err(format!(
            "{place}: {} / {} is listed again with other details (level {:?} vs {:?}, validity {:?}–{:?} vs {:?}–{:?})",
            row.supplier_name,
            row.service_name.as_deref().unwrap_or("—"),
            same.level,
            row.level,
            same.valid_from,
            same.valid_until,
            row.valid_from,
            row.valid_until
        ));
    }
    for model in row.service_models {
        if !same.service_models.contains(&model) {
            same.service_models.push(model);
        }
    }
    same.service_models.sort();
    Ok(())
}

/// Reads one or several concatenated JSON arrays, dated `fetch_day`.
pub fn parse_lists(bytes: &[u8], fetch_day: NaiveDate) -> Result<Edition, String> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut observations = Vec::new();
    let mut positions = HashMap::new();
    let mut lists = 0;
    for (list_index, list) in serde_json::Deserializer::from_slice(bytes)
        .into_iter::<Value>()
        .enumerate()
    {
        let list_number = list_index + 1;
        let list = list.map_err(|e| format!("list {list_number} is not valid JSON: {e}"))?;
        let Value::Array(items) = list else {
            return Err(format!("list {list_number} is not a JSON array of objects"));
        };
        lists += 1;
        for (item_index, item) in items.iter().enumerate() {
            let place = format!("list {list_number}, element {}", item_index + 1);
            let Value::Object(object) = item else {
                return Err(format!("{place} is not a JSON object"));
            };
            let row = observation(object, &place)?;
            merge(&mut observations, &mut positions, row, &place)?;
        }
    }
    if lists == 0 {
        return Err("the body holds no JSON array".to_owned());
    }
    Ok(Edition {
        label: format!(
            "{} (catalogue non daté, jour du relevé)",
            fetch_day.format("%d/%m/%Y")
        ),
        published_at: NaiveDateTime::new(fetch_day, NaiveTime::MIN),
        observations,
    })
}

impl Source for AcnCloud {
    fn id(&self) -> &'static str {
        "acn-cloud"
    }

    fn default_url(&self) -> &'static str {
        URL
    }

    fn check_body(&self, content_type: Option<&str>, bytes: &[u8]) -> Result<(), String> {
        let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        let first = bytes.iter().copied().find(|b| !b.is_ascii_whitespace());
        match first {
            Some(b'[') => Ok(()),
            Some(b'<') => Err(format!(
                "an HTML page where a JSON list was expected (content type {}; the catalogue is known to answer automated clients with a login page)",
                content_type.unwrap_or("unknown")
            )),
            _ => {
                let start = String::from_utf8_lossy(&bytes[..bytes.len().min(40)]).into_owned();
                Err(format!("not a JSON array (starts with {start:?})"))
            }
        }
    }

    fn parse(&self, bytes: &[u8]) -> Result<Edition, String> {
        parse_lists(bytes, Utc::now().date_naive())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirty_six_months_end_the_day_before_the_anniversary() {
        let day = |d: &str| NaiveDate::parse_from_str(d, "%d/%m/%Y").unwrap();
        assert_eq!(default_end(day("01/08/2024")), Some(day("31/07/2027")));
        assert_eq!(default_end(day("15/09/2024")), Some(day("14/09/2027")));
    }
}
