//! `registre import`: good rows kept, bad rows reported with their line and reason, a second run
//! changes nothing.

use std::process::Command;

use registre::BUNDLED_DATASET;

use crate::on_both_engines;
use crate::support::{Engine, store};

async fn the_bundled_dataset_imports_whole_and_a_second_import_changes_nothing(engine: Engine) {
    let Some((store, _db)) = store(engine).await else {
        return;
    };
    let first = store.import(BUNDLED_DATASET, "import:test").await.unwrap();
    assert!(first.rejected.is_empty(), "{:?}", first.rejected);
    let lines = BUNDLED_DATASET
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count();
    let created: usize = first.counts.values().map(|c| c.created).sum();
    assert_eq!(created, lines, "every line became a record");
    let second = store.import(BUNDLED_DATASET, "import:test").await.unwrap();
    assert!(second.rejected.is_empty());
    assert_eq!(second.changed(), 0, "{:?}", second.counts);
    let unchanged: usize = second.counts.values().map(|c| c.unchanged).sum();
    assert_eq!(unchanged, lines);
    let trail = store.audit_trail("supplier", 1).await.unwrap();
    assert_eq!(trail.len(), 1, "an unchanged row leaves no audit event");
}

const MIXED: &str = r#"{"record":"reference","key":"ref-1","kind":"web","title":"A page","locator":null,"version":null,"supports":null}
{"record":"supplier","key":"good","legal_name":"Good SAS","trade_names":[],"aliases":[],"kind":"company","siren":"424761419","siret":null,"vat_number":null,"lei":null,"country":"FR","hq_city":null,"website":null,"control_chain":[],"ultimate_control_country":"FR","unverified":[],"notes":null,"references":["ref-1"],"confidence":"high"}
{"record":"supplier","key":"bad-siren","legal_name":"Bad SAS","trade_names":[],"aliases":[],"kind":"company","siren":"424761418","siret":null,"vat_number":null,"lei":null,"country":"FR","hq_city":null,"website":null,"control_chain":[],"ultimate_control_country":"FR","unverified":[],"notes":null,"references":[],"confidence":"high"}
this is not json
{"record":"offer","key":"orphan","supplier":"nobody","name":"Orphan","category":"iaas","description_fr":null,"description_en":null,"deployment_models":[],"licences":[],"hosting_locations":[],"suite_class":null,"suite_tier":null,"suite_role":null,"url":null,"source_repo":null,"alternative_to":[],"unverified":[],"notes":null,"references":[],"confidence":"low"}
{"record":"offer","key":"first","supplier":"good","name":"First","category":"iaas","description_fr":null,"description_en":null,"deployment_models":[],"licences":[],"hosting_locations":[],"suite_class":null,"suite_tier":null,"suite_role":null,"url":null,"source_repo":null,"alternative_to":["second"],"unverified":[],"notes":null,"references":[],"confidence":"low"}
{"record":"offer","key":"second","supplier":"good","name":"Second","category":"iaas","description_fr":null,"description_en":null,"deployment_models":[],"licences":[],"hosting_locations":[],"suite_class":null,"suite_tier":null,"suite_role":null,"url":null,"source_repo":null,"alternative_to":[],"unverified":[],"notes":null,"references":[],"confidence":"low"}
{"record":"widget","key":"w"}
{"record":"attestation","key":"att","supplier":"good","offer":"first","scheme":"secnumcloud","status":"qualified","milestone":null,"level":null,"service_models":["iaas"],"scope":null,"valid_from":"2026-01-01","valid_until":"2025-01-01","decision":null,"recommendation":null,"provenance":{"source":"vendor","source_reference":null,"first_seen":"2026-01-01","last_seen":"2026-01-01","verification":"declared"},"unverified":[],"notes":null,"references":[],"confidence":"low"}
{"record":"supplier","key":"cites-nothing-known","legal_name":"Other SAS","trade_names":[],"aliases":[],"kind":"company","siren":null,"siret":null,"vat_number":null,"lei":null,"country":"FR","hq_city":null,"website":null,"control_chain":[],"ultimate_control_country":"FR","unverified":[],"notes":null,"references":["nowhere"],"confidence":"high"}
"#;

async fn bad_rows_are_reported_with_line_and_reason_and_good_rows_kept(engine: Engine) {
    let Some((store, _db)) = store(engine).await else {
        return;
    };
    let report = store.import(MIXED, "import:mixed").await.unwrap();
    let rejected: Vec<(usize, Option<&str>)> = report
        .rejected
        .iter()
        .map(|r| (r.line, r.field.as_deref()))
        .collect();
    assert_eq!(
        rejected,
        [
            (3, Some("siren")),
            (4, None),
            (5, Some("supplier")),
            (8, Some("record")),
            (9, Some("valid_until")),
            (10, Some("references"))
        ],
        "{:#?}",
        report.rejected
    );
    assert!(
        report.rejected[0].reason.contains("Luhn"),
        "{}",
        report.rejected[0].reason
    );
    assert_eq!(report.counts["supplier"].created, 1);
    assert_eq!(report.counts["offer"].created, 2);
    let offers = store
        .list_offers(
            &Default::default(),
            Default::default(),
            chrono::Utc::now().date_naive(),
        )
        .await
        .unwrap()
        .items;
    let first = offers.iter().find(|o| o.key.as_str() == "first").unwrap();
    let second = offers.iter().find(|o| o.key.as_str() == "second").unwrap();
    assert_eq!(
        first.data.alternative_to,
        [second.id],
        "a link to a later row is written in the second pass"
    );

    let again = store.import(MIXED, "import:mixed").await.unwrap();
    assert_eq!(again.changed(), 0, "{:?}", again.counts);
    assert_eq!(again.rejected.len(), report.rejected.len());
}

on_both_engines!(
    the_bundled_dataset_imports_whole_and_a_second_import_changes_nothing,
    bad_rows_are_reported_with_line_and_reason_and_good_rows_kept,
);

#[test]
fn the_import_command_reports_rejected_rows_and_exits_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mixed.jsonl");
    std::fs::write(&file, MIXED).unwrap();
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_registre"))
            .args(["import", file.to_str().unwrap(), "--data-dir"])
            .arg(dir.path().join("data"))
            .env_remove("REGISTRE_DATABASE_URL")
            .output()
            .unwrap()
    };
    let output = run();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("mixed.jsonl:3: siren:"), "{stdout}");
    assert!(
        stdout.contains("supplier: 1 created, 0 updated, 0 unchanged"),
        "{stdout}"
    );
    let second = run();
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert!(
        stdout.contains("supplier: 0 created, 0 updated, 1 unchanged"),
        "{stdout}"
    );
}
