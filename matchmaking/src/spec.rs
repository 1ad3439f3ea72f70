//! The benchmark's parameters, transcribed from `data/benchmark_spec.json` (a copy of the shared
//! `data/matchmaking/benchmark_spec.json`, version 0.1). A test reads that copy and checks every value
//! here against it, so the two cannot drift apart silently.
//!
//! Distributions are ordered lists, in the JSON file's key order: the generator draws a uniform number
//! and walks the cumulative sums in that order, as the Python script does.

/// A discrete distribution: outcomes and their probabilities, in the spec's order.
pub type Distribution = &'static [(&'static str, f64)];

/// The size and shape of one benchmark scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaleSpec {
    pub name: &'static str,
    pub administrations: usize,
    pub vendors: usize,
    pub slots: usize,
    pub slot_minutes: u32,
    pub tables: usize,
    /// Morning and afternoon as half-open slot ranges.
    pub sessions: [[usize; 2]; 2],
    pub purpose: &'static str,
}

pub const SCALES: [ScaleSpec; 4] = [
    ScaleSpec {
        name: "S",
        administrations: 30,
        vendors: 60,
        slots: 8,
        slot_minutes: 20,
        tables: 12,
        sessions: [[0, 4], [4, 8]],
        purpose: "unit tests / exact solvers",
    },
    ScaleSpec {
        name: "M",
        administrations: 150,
        vendors: 300,
        slots: 12,
        slot_minutes: 20,
        tables: 40,
        sessions: [[0, 6], [6, 12]],
        purpose: "default benchmark (brief's example); table capacity 480 is the binding constraint",
    },
    ScaleSpec {
        name: "M60",
        administrations: 150,
        vendors: 300,
        slots: 12,
        slot_minutes: 20,
        tables: 60,
        sessions: [[0, 6], [6, 12]],
        purpose: "same population, capacity 720 — participant caps become binding",
    },
    ScaleSpec {
        name: "L",
        administrations: 600,
        vendors: 1200,
        slots: 16,
        slot_minutes: 20,
        tables: 200,
        sessions: [[0, 8], [8, 16]],
        purpose: "stress / scalability (EEN-brokerage-day scale)",
    },
];

pub const ADMINISTRATION_TYPES: Distribution = &[
    ("ministry_central", 0.20),
    ("deconcentrated_state_service", 0.15),
    ("state_operator_agency", 0.20),
    ("hospital_or_GHT", 0.15),
    ("local_authority", 0.25),
    ("university_research", 0.05),
];

/// `requires_secnumcloud`: the default, then per administration type.
pub const REQUIRES_SECNUMCLOUD_DEFAULT: f64 = 0.30;
pub const REQUIRES_SECNUMCLOUD_BY_TYPE: Distribution =
    &[("ministry_central", 0.5), ("hospital_or_GHT", 0.6)];
pub const REQUIRES_HDS_DEFAULT: f64 = 0.0;
pub const REQUIRES_HDS_BY_TYPE: Distribution = &[("hospital_or_GHT", 0.9)];
pub const REQUIRES_NO_EXTRA_EU_EXPOSURE: f64 = 0.5;

pub const NEED_CATEGORIES_PER_ADMINISTRATION: [usize; 2] = [2, 5];
pub const CATEGORIES_PER_VENDOR: [usize; 2] = [1, 3];

pub const CATEGORIES: Distribution = &[
    ("iaas_paas", 0.14),
    ("messaging_chat", 0.08),
    ("video_conferencing", 0.08),
    ("file_transfer", 0.05),
    ("email_groupware", 0.08),
    ("office_coediting", 0.10),
    ("file_storage_sync", 0.08),
    ("project_management", 0.08),
    ("spreadsheet_data", 0.05),
    ("identity", 0.06),
    ("security", 0.10),
    ("ai_assistant", 0.10),
];

pub const VENDOR_COUNTRIES: Distribution = &[
    ("FR", 0.75),
    ("DE", 0.08),
    ("other_EU", 0.10),
    ("CH_UK_NO", 0.04),
    ("US", 0.03),
];

pub const VENDOR_EXPOSURE: Distribution = &[
    ("none_known", 0.80),
    ("low", 0.10),
    ("medium", 0.07),
    ("high", 0.03),
];

pub const SECNUMCLOUD_GIVEN_IAAS_PAAS: f64 = 0.25;
pub const HDS_GIVEN_HOSTING: f64 = 0.40;
/// Vendor popularity is Zipf over vendor ids with this exponent ("Zipf(s=1.1)").
pub const POPULARITY_ZIPF_EXPONENT: f64 = 1.1;

pub const VENDOR_REPRESENTATIVES: Distribution = &[("1", 0.80), ("2", 0.15), ("3", 0.05)];
pub const ADMINISTRATION_REPRESENTATIVES: Distribution = &[("1", 0.90), ("2", 0.10)];

pub const ADMINISTRATION_REQUESTS_PER_ADMIN: [usize; 2] = [5, 12];
pub const VENDOR_REQUESTS_PER_VENDOR: [usize; 2] = [0, 8];
pub const WEIGHT_MUTUAL: u32 = 3;
pub const WEIGHT_ADMINISTRATION_ONLY: u32 = 2;
pub const WEIGHT_VENDOR_ONLY: u32 = 1;

pub const AVAILABILITY: Distribution = &[
    ("full_day", 0.85),
    ("morning_only", 0.05),
    ("afternoon_only", 0.05),
    ("random_2_3_blocked_slots", 0.05),
];

pub const MAX_MEETINGS_PER_ADMINISTRATION: u32 = 6;

// Constants the Python script writes in its code rather than in the spec.
/// Weight of the popularity bonus in an administration's interest score.
pub const POPULARITY_BONUS: f64 = 0.3;
/// Standard deviation of the noise added to interest scores.
pub const INTEREST_NOISE_SIGMA: f64 = 0.1;

pub fn scale(name: &str) -> Option<&'static ScaleSpec> {
    SCALES.iter().find(|scale| scale.name == name)
}

#[cfg(test)]
mod tests {
    //! Every constant above against the copied spec file.

    use serde_json::Value;

    use super::*;

    fn spec() -> Value {
        serde_json::from_str(include_str!("../data/benchmark_spec.json")).unwrap()
    }

    fn assert_distribution(expected: Distribution, actual: &Value) {
        let actual = actual.as_object().unwrap();
        assert_eq!(actual.len(), expected.len());
        for (key, probability) in expected {
            assert_eq!(actual[*key].as_f64().unwrap(), *probability, "{key}");
        }
    }

    #[test]
    fn the_scales_match_the_spec_file() {
        let spec = spec();
        let scales = spec["scales"].as_object().unwrap();
        assert_eq!(scales.len(), SCALES.len());
        for scale in SCALES {
            let json = &scales[scale.name];
            assert_eq!(json["administrations"], scale.administrations);
            assert_eq!(json["vendors"], scale.vendors);
            assert_eq!(json["slots"], scale.slots);
            assert_eq!(json["slot_minutes"], scale.slot_minutes);
            assert_eq!(json["tables"], scale.tables);
            assert_eq!(json["use"], scale.purpose);
            let sessions: Vec<[usize; 2]> =
                serde_json::from_value(json["sessions"].clone()).unwrap();
            assert_eq!(sessions, scale.sessions.to_vec());
        }
    }

    #[test]
    fn the_populations_match_the_spec_file() {
        let spec = spec();
        let populations = &spec["populations"];
        assert_distribution(ADMINISTRATION_TYPES, &populations["administration_types"]);
        assert_distribution(CATEGORIES, &populations["categories"]);
        let flags = &populations["administration_flags"];
        assert_eq!(
            flags["requires_secnumcloud"]["default"],
            REQUIRES_SECNUMCLOUD_DEFAULT
        );
        for (kind, probability) in REQUIRES_SECNUMCLOUD_BY_TYPE {
            assert_eq!(flags["requires_secnumcloud"][*kind], *probability);
        }
        assert_eq!(flags["requires_hds"]["default"], REQUIRES_HDS_DEFAULT);
        for (kind, probability) in REQUIRES_HDS_BY_TYPE {
            assert_eq!(flags["requires_hds"][*kind], *probability);
        }
        assert_eq!(
            flags["requires_no_extra_eu_exposure"]["default"],
            REQUIRES_NO_EXTRA_EU_EXPOSURE
        );
        assert_eq!(
            populations["need_categories_per_administration"],
            serde_json::json!(NEED_CATEGORIES_PER_ADMINISTRATION)
        );
        assert_eq!(
            populations["vendor_categories_per_vendor"],
            serde_json::json!(CATEGORIES_PER_VENDOR)
        );
        let vendors = &populations["vendor_attributes"];
        assert_distribution(VENDOR_COUNTRIES, &vendors["country"]);
        assert_distribution(VENDOR_EXPOSURE, &vendors["exposure_level"]);
        assert_distribution(VENDOR_REPRESENTATIVES, &vendors["representatives"]);
        assert_eq!(
            vendors["secnumcloud_qualified_given_iaas_paas"],
            SECNUMCLOUD_GIVEN_IAAS_PAAS
        );
        assert_eq!(vendors["hds_given_hosting"], HDS_GIVEN_HOSTING);
        assert!(
            vendors["popularity"]
                .as_str()
                .unwrap()
                .contains(&format!("Zipf(s={POPULARITY_ZIPF_EXPONENT})"))
        );
        assert_distribution(
            ADMINISTRATION_REPRESENTATIVES,
            &populations["administration_representatives"],
        );
    }

    #[test]
    fn the_requests_availability_and_caps_match_the_spec_file() {
        let spec = spec();
        let requests = &spec["requests"];
        assert_eq!(
            requests["administration_requests_per_admin"],
            serde_json::json!(ADMINISTRATION_REQUESTS_PER_ADMIN)
        );
        assert_eq!(
            requests["vendor_requests_per_vendor"],
            serde_json::json!(VENDOR_REQUESTS_PER_VENDOR)
        );
        assert_eq!(requests["weights"]["mutual"], WEIGHT_MUTUAL);
        assert_eq!(
            requests["weights"]["administration_only"],
            WEIGHT_ADMINISTRATION_ONLY
        );
        assert_eq!(requests["weights"]["vendor_only"], WEIGHT_VENDOR_ONLY);
        assert_distribution(AVAILABILITY, &spec["availability"]);
        assert_eq!(
            spec["caps"]["max_meetings_per_administration"],
            MAX_MEETINGS_PER_ADMINISTRATION
        );
    }

    #[test]
    fn the_script_constants_match_the_copied_script() {
        let script = include_str!("../data/gen_matchmaking_instance.py");
        assert!(script.contains(&format!("s + {POPULARITY_BONUS}*v[\"popularity\"]/maxpop")));
        assert!(script.contains(&format!("rng.gauss(0, {INTEREST_NOISE_SIGMA})")));
        assert!(script.contains(&format!(
            "popularity=1.0/((j+1)**{POPULARITY_ZIPF_EXPONENT})"
        )));
    }
}
