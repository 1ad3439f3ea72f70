//! The other qualification feeds — ANSSI's "in qualification" page, the ANS list of certified
//! health-data hosts, the ACN (Italy) catalogue and the EU Cloud Code of Conduct register: each
//! parsed from the project's fixtures (see `data/sources/PROVENANCE.md`), refused when broken, and
//! run end to end over real HTTP into a real SQLite store seeded with the bundled dataset.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Utc};
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::{Request, Response, Route, Server};
use registre_domain::model::{AttestationData, Record};
use registre_domain::observation::{Edition, Observation};
use registre_domain::taxonomy::{Category, Scheme, ServiceModel, Status, Verification};
use registre_indexer::sources::acn::{self, AcnCloud};
use registre_indexer::sources::anssi_catalogue::fixture::{FixtureEdition, render_fixture};
use registre_indexer::sources::anssi_catalogue::{Decision, RecommendationLevel};
use registre_indexer::sources::contract::{self, Source, SourceConfig};
use registre_indexer::sources::eu_coc::{self, EuCloudCoc};
use registre_indexer::sources::fetch::FetchPolicy;
use registre_indexer::sources::hds::{self, AnsHds};
use registre_indexer::sources::in_qualification::{self, AnssiInQualification};
use registre_indexer::sources::runner::RunOutcome;
use registre_indexer::sources::service::Sources;
use registre_store::{PageRequest, Store};

const DATASET: &str = include_str!("../../dataset/registre.jsonl");
const IN_QUALIFICATION: &str = include_str!("data/sources/anssi-in-qualification_SYNTH.html");
const HDS: &str = include_str!("data/sources/ans-hds_liste-hebergeurs-certifies_SYNTH.csv");
const ACN_IN: &str = include_str!("data/sources/acn-cloud_make_json_IN_SYNTH.json");
const ACN_IA: &str = include_str!("data/sources/acn-cloud_make_json_IA_SYNTH.json");
const ACN_PA: &str = include_str!("data/sources/acn-cloud_make_json_PA_SYNTH.json");
const ACN_SA: &str = include_str!("data/sources/acn-cloud_make_json_SA_SYNTH.json");
const EU_COC: &str = include_str!("data/sources/eu-cloud-coc_public-register_SYNTH.csv");

const HTML: &str = "text/html; charset=utf-8";
const CSV: &str = "text/csv; charset=utf-8";
const JSON: &str = "application/json";

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%d/%m/%Y").unwrap()
}

fn fetch_day() -> NaiveDate {
    day("29/11/2026")
}

fn find<'a>(edition: &'a Edition, key: &str) -> &'a Observation {
    edition
        .observations
        .iter()
        .find(|o| o.key().as_str() == key)
        .unwrap_or_else(|| {
            panic!(
                "no {key} in {:?}",
                edition
                    .observations
                    .iter()
                    .map(|o| o.key())
                    .collect::<Vec<_>>()
            )
        })
}

fn keys(edition: &Edition) -> BTreeSet<String> {
    edition
        .observations
        .iter()
        .map(|o| o.key().to_string())
        .collect()
}

/// The four ACN lists as the public viewers fetch them, one response after the other.
fn acn_catalogue() -> String {
    [ACN_IN, ACN_IA, ACN_PA, ACN_SA].join("\n")
}

// ---------------------------------------------------------------------------------------------
// anssi-in-qualification

#[test]
fn the_in_qualification_page_gives_every_provider_in_progress_dated_by_the_page() {
    let edition = in_qualification::parse_page(IN_QUALIFICATION, fetch_day()).unwrap();
    assert_eq!(edition.label, "20/07/2026");
    assert_eq!(
        edition.published_at,
        day("20/07/2026").and_time(NaiveTime::MIN)
    );
    assert_eq!(edition.observations.len(), 17);
    for observation in &edition.observations {
        assert_eq!(observation.scheme, Scheme::SecNumCloud);
        assert_eq!(observation.status, Status::InProgress);
        assert_eq!(observation.decision, None);
        assert_eq!(
            observation.service_name, None,
            "attached to the supplier, never creating an offer"
        );
        assert!(
            observation
                .key()
                .as_str()
                .starts_with("secnumcloud-progress-"),
            "{}",
            observation.key()
        );
    }

    let bleu = find(
        &edition,
        "secnumcloud-progress-bleu-cloud-de-confiance-bleu",
    );
    assert_eq!(bleu.supplier_name, "Bleu SAS");
    assert_eq!(bleu.scope.as_deref(), Some("Cloud de Confiance Bleu"));
    assert_eq!(
        bleu.service_models,
        vec![ServiceModel::Paas, ServiceModel::Caas, ServiceModel::Iaas]
    );
    assert_eq!(bleu.milestone, None, "the page gives no milestone");

    let ovh = find(&edition, "secnumcloud-progress-ovh-ovh-snc-cloud-platform");
    assert_eq!(ovh.supplier_name, "OVH SAS");
    assert_eq!(ovh.scope.as_deref(), Some("OVH SNC Cloud Platform"));
    assert_eq!(ovh.service_models, vec![ServiceModel::Iaas]);

    let adista = find(&edition, "secnumcloud-progress-adista");
    assert_eq!(adista.scope, None, "'—' is no service");
    assert!(adista.service_models.is_empty());
    let integra = find(
        &edition,
        "secnumcloud-progress-its-integra-itsecurecloud-itsecurekube",
    );
    assert_eq!(
        integra.scope.as_deref(),
        Some("ITSecureCloud / ITSecureKube")
    );
    assert_eq!(
        find(
            &edition,
            "secnumcloud-progress-scaleway-scaleway-secnumcloud"
        )
        .service_models,
        vec![ServiceModel::Paas, ServiceModel::Iaas]
    );
    assert_eq!(
        find(&edition, "secnumcloud-progress-cegedimcloud").supplier_name,
        "Cegedim.cloud"
    );

    // The stale row must not meet the qualified attestation of the same service.
    assert!(!keys(&edition).contains("secnumcloud-ovh-snc-cloud-platform"));

    // Through the contract, the same rows.
    let through_trait = AnssiInQualification
        .parse(IN_QUALIFICATION.as_bytes())
        .unwrap();
    assert_eq!(through_trait.observations, edition.observations);
    assert_eq!(through_trait.published_at, edition.published_at);
}

#[test]
fn a_milestone_is_read_from_its_column_or_from_the_service_cell_without_changing_the_key() {
    let with_tag = IN_QUALIFICATION.replace(
        "<td>ITSecureCloud / ITSecureKube</td>",
        "<td>ITSecureCloud / ITSecureKube <p class=\"fr-tag\">J1</p></td>",
    );
    let edition = in_qualification::parse_page(&with_tag, fetch_day()).unwrap();
    let integra = find(
        &edition,
        "secnumcloud-progress-its-integra-itsecurecloud-itsecurekube",
    );
    assert_eq!(integra.milestone.as_deref(), Some("J1"));
    assert_eq!(
        integra.scope.as_deref(),
        Some("ITSecureCloud / ITSecureKube")
    );

    let with_column = r#"<html><body><table>
        <thead><tr><th>Nom du fournisseur de service</th><th>Nom du service</th><th>SaaS</th><th>PaaS</th><th>CaaS</th><th>IaaS</th><th>Jalon</th></tr></thead>
        <tbody><tr><td>Bleu SAS</td><td>Cloud de Confiance Bleu</td><td></td><td>X</td><td>X</td><td>X</td><td>J0</td></tr></tbody>
        </table><p>Mis à jour le 17 avril 2025</p></body></html>"#;
    let edition = in_qualification::parse_page(with_column, fetch_day()).unwrap();
    assert_eq!(edition.published_at.date(), day("17/04/2025"));
    assert_eq!(
        find(
            &edition,
            "secnumcloud-progress-bleu-cloud-de-confiance-bleu"
        )
        .milestone
        .as_deref(),
        Some("J0")
    );

    let wrong = with_column.replace("<td>J0</td>", "<td>bientôt</td>");
    let error = in_qualification::parse_page(&wrong, fetch_day()).unwrap_err();
    assert!(error.contains("milestone 'bientôt'"), "{error}");
}

#[test]
fn an_undated_page_is_dated_by_the_day_it_is_fetched() {
    let undated = IN_QUALIFICATION.replace("Page mise à jour le", "Page relue le");
    let edition = in_qualification::parse_page(&undated, fetch_day()).unwrap();
    assert_eq!(edition.published_at, fetch_day().and_time(NaiveTime::MIN));
    assert!(edition.label.starts_with("29/11/2026"), "{}", edition.label);
    assert_eq!(edition.observations.len(), 17);
}

#[test]
fn a_broken_in_qualification_page_is_refused_with_what_is_missing() {
    let source = AnssiInQualification;
    assert!(
        source
            .check_body(Some(HTML), IN_QUALIFICATION.as_bytes())
            .is_ok()
    );
    let error = source
        .check_body(Some("application/pdf"), b"%PDF-1.7 catalogue")
        .unwrap_err();
    assert!(error.contains("not an HTML page"), "{error}");
    assert!(source.check_body(Some(JSON), b"[]").is_err());

    let cases = [
        (
            "<html><body><h1>Maintenance</h1><p>Le site est en maintenance.</p></body></html>"
                .to_owned(),
            "no table with a 'fournisseur' column",
        ),
        (
            IN_QUALIFICATION.replace(">Nom du service<", ">Désignation<"),
            "no 'nom du service' column",
        ),
        (
            IN_QUALIFICATION.replace("<th scope=\"col\">IaaS</th>", ""),
            "no 'iaas' column",
        ),
        (
            IN_QUALIFICATION.replace("<td>Bleu SAS</td>", "<td></td>"),
            "row 2 has no supplier name",
        ),
        (
            IN_QUALIFICATION.replace(
                "<time datetime=\"2026-07-20\">20/07/2026</time>",
                "prochainement",
            ),
            "no date follows",
        ),
        (
            IN_QUALIFICATION.replace(
                "<td>Ecritel</td><td>—</td><td></td><td></td><td></td><td></td>",
                "<td>Ecritel</td><td>—</td>",
            ),
            "row 6 has 2 cells",
        ),
    ];
    for (page, expected) in cases {
        let error = in_qualification::parse_page(&page, fetch_day()).unwrap_err();
        assert!(error.contains(expected), "{error} should say {expected}");
    }
    let error = source.parse(b"<html>\xff\xfe</html>").unwrap_err();
    assert!(error.contains("not UTF-8"), "{error}");

    // A table with its header and no row is an empty edition: the runner's "no rows" check refuses it.
    let start = IN_QUALIFICATION.find("<tbody>").unwrap() + "<tbody>".len();
    let end = IN_QUALIFICATION.find("</tbody>").unwrap();
    let empty = format!("{}{}", &IN_QUALIFICATION[..start], &IN_QUALIFICATION[end..]);
    assert!(
        in_qualification::parse_page(&empty, fetch_day())
            .unwrap()
            .observations
            .is_empty()
    );
}

// ---------------------------------------------------------------------------------------------
// ans-hds

#[test]
fn the_hds_list_gives_one_supplier_level_attestation_per_holder_keyed_like_the_bundled_data() {
    let edition = hds::parse_list(HDS, fetch_day()).unwrap();
    assert_eq!(
        edition.published_at,
        fetch_day().and_time(NaiveTime::MIN),
        "the list has no date of its own"
    );
    assert_eq!(
        keys(&edition),
        [
            "hds-amazon-web-services",
            "hds-clever-cloud",
            "hds-google",
            "hds-microsoft",
            "hds-numspot",
            "hds-outscale",
            "hds-ovh",
            "hds-scaleway",
            "hds-scalingo"
        ]
        .map(String::from)
        .into()
    );
    for observation in &edition.observations {
        assert_eq!(
            (observation.scheme, observation.status),
            (Scheme::Hds, Status::Qualified)
        );
        assert_eq!(observation.service_name, None);
    }

    let clever = find(&edition, "hds-clever-cloud");
    assert_eq!(clever.supplier_name, "CLEVER CLOUD");
    assert_eq!(clever.level.as_deref(), Some("HDS v2 (2024)"));
    assert_eq!(
        (clever.valid_from, clever.valid_until),
        (Some(day("20/12/2024")), Some(day("19/12/2027")))
    );
    assert_eq!(
        clever.scope.as_deref(),
        Some(
            "Activities 1, 2, 3, 4, 5, 6 (physical sites, hardware infrastructure, virtual infrastructure, application hosting platform, administration and operation, backup); certificate FR094504 issued by Bureau Veritas Certification"
        )
    );
    let scalingo = find(&edition, "hds-scalingo");
    assert_eq!(
        (scalingo.valid_from, scalingo.valid_until),
        (None, Some(day("11/09/2028")))
    );
    assert!(
        scalingo
            .scope
            .as_deref()
            .unwrap()
            .ends_with("; certificate 38436-2 issued by LNE")
    );
    let outscale = find(&edition, "hds-outscale");
    assert_eq!(outscale.scope.as_deref(), Some("certificate 36741-6"));
    assert_eq!(outscale.level.as_deref(), Some("HDS v2"));
    assert_eq!(
        find(&edition, "hds-scaleway").scope.as_deref(),
        Some(
            "Activities 1, 2, 3, 4 (physical sites, hardware infrastructure, virtual infrastructure, application hosting platform)"
        )
    );
    let numspot = find(&edition, "hds-numspot");
    assert_eq!(
        (numspot.scope.as_deref(), numspot.level.as_deref()),
        (None, Some("HDS 2024 (JO 16/05/2024)"))
    );
    assert_eq!(
        find(&edition, "hds-ovh").level.as_deref(),
        Some("HDS v2.0 (disputed: H5 says v2018 in Oct 2026)")
    );

    // The scope is worded like the bundled records, so verifying them rewrites nothing.
    for line in DATASET.lines() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        let Some(key) = record["key"].as_str().filter(|k| k.starts_with("hds-")) else {
            continue;
        };
        if let (Some(observation), Some(scope)) = (
            edition
                .observations
                .iter()
                .find(|o| o.key().as_str() == key),
            record["scope"].as_str(),
        ) {
            assert_eq!(observation.scope.as_deref(), Some(scope), "{key}");
        }
    }
}

#[test]
fn a_holder_listed_twice_is_told_apart_by_its_certificates() {
    let header = HDS.lines().next().unwrap();
    let twice = format!(
        "{header}\nClever Cloud SAS;LNE;FR000001;HDS v2;01/01/2025;31/12/2027;X;;;;;;test\nCLEVER CLOUD;Bureau Veritas Certification;FR094504;HDS v2 (2024);20/12/2024;19/12/2027;X;X;X;X;X;X;test\n"
    );
    let edition = hds::parse_list(&twice, fetch_day()).unwrap();
    assert_eq!(
        keys(&edition),
        ["hds-clever-cloud-fr000001", "hds-clever-cloud-fr094504"]
            .map(String::from)
            .into()
    );

    let without_number = twice.replace("FR000001", "");
    let error = hds::parse_list(&without_number, fetch_day()).unwrap_err();
    assert!(
        error.contains("listed more than once") && error.contains("numero_certificat"),
        "{error}"
    );
}

#[test]
fn a_broken_hds_list_is_refused_with_what_is_missing() {
    let source = AnsHds;
    assert!(source.check_body(Some(CSV), HDS.as_bytes()).is_ok());
    let error = source
        .check_body(
            Some(HTML),
            b"<!doctype html><html>Liste des hebergeurs</html>",
        )
        .unwrap_err();
    assert!(
        error.contains("HTML page where a CSV list was expected"),
        "{error}"
    );
    let error = source
        .check_body(None, b"raison_sociale;referentiel\nSoci\xe9t\xe9;HDS v2\n")
        .unwrap_err();
    assert!(error.contains("not UTF-8"), "{error}");
    assert!(
        source
            .check_body(Some("application/pdf"), b"%PDF-1.4")
            .is_err()
    );

    let cases = [
        (
            HDS.replacen("numero_certificat", "certificat", 1),
            "column 'numero_certificat' is missing",
        ),
        (HDS.replace(';', ","), "no ';'-separated columns"),
        (
            HDS.replace("19/12/2027", "2027-12-19"),
            "date_fin_validite: '2027-12-19' is not a dd/mm/yyyy date",
        ),
        (
            HDS.replace("SCALINGO;LNE;38436-2;", "SCALINGO;LNE;"),
            "unreadable row",
        ),
        (HDS.replace("GOOGLE;", ";"), "no raison_sociale"),
    ];
    for (body, expected) in cases {
        let error = source.parse(body.as_bytes()).unwrap_err();
        assert!(error.contains(expected), "{error} should say {expected}");
    }
    let error = source.parse(b"").unwrap_err();
    assert!(error.contains("empty"), "{error}");
    // A header and no row is an empty edition: the runner's "no rows" check refuses it.
    let header_only = format!("\u{feff}{}\n", HDS.lines().next().unwrap());
    assert!(
        source
            .parse(header_only.as_bytes())
            .unwrap()
            .observations
            .is_empty()
    );
}

// ---------------------------------------------------------------------------------------------
// acn-cloud

#[test]
fn the_acn_lists_concatenated_give_every_qualified_service_with_its_level() {
    let edition = acn::parse_lists(acn_catalogue().as_bytes(), fetch_day()).unwrap();
    assert_eq!(edition.published_at, fetch_day().and_time(NaiveTime::MIN));
    assert_eq!(
        edition.observations.len(),
        7,
        "1 infrastructure + 4 IaaS + 0 PaaS + 2 SaaS"
    );
    for observation in &edition.observations {
        assert_eq!(
            (observation.scheme, observation.status),
            (Scheme::Acn, Status::Qualified)
        );
    }

    let infrastructure = find(
        &edition,
        "acn-fornitore-di-esempio-infrastruttura-data-center-di-esempio",
    );
    assert_eq!(
        infrastructure.service_name.as_deref(),
        Some("Data center di esempio")
    );
    assert_eq!(infrastructure.level.as_deref(), Some("QI2"));
    assert_eq!(
        (infrastructure.valid_from, infrastructure.valid_until),
        (Some(day("01/10/2024")), Some(day("30/09/2027")))
    );
    assert!(
        infrastructure.service_models.is_empty(),
        "a data centre is no service model"
    );

    let qc4 = find(
        &edition,
        "acn-fornitore-di-esempio-iaas-servizio-di-esempio-qc4",
    );
    assert_eq!(qc4.level.as_deref(), Some("QC4"));
    assert_eq!(
        (qc4.category, qc4.service_models.clone()),
        (Category::Iaas, vec![ServiceModel::Iaas])
    );
    assert_eq!(
        (qc4.valid_from, qc4.valid_until),
        (Some(day("01/08/2024")), Some(day("31/07/2027")))
    );

    let psn = find(
        &edition,
        "acn-polo-strategico-nazionale-secure-public-cloud-google",
    );
    assert_eq!(psn.supplier_name, "Polo Strategico Nazionale S.p.A.");
    assert_eq!(
        (psn.level.clone(), psn.valid_from, psn.valid_until),
        (None, None, None),
        "unknown values stay unknown"
    );

    let cubbit = find(&edition, "acn-cubbit-ds3");
    assert_eq!(
        (cubbit.category, cubbit.service_models.clone()),
        (Category::CollaborativePlatform, vec![ServiceModel::Saas])
    );
    assert_eq!(
        find(
            &edition,
            "acn-fornitore-di-esempio-saas-servizio-di-esempio-qc1"
        )
        .valid_until,
        Some(day("14/09/2027"))
    );

    // One list alone is read the same way; the empty PaaS list alone is an empty edition.
    assert_eq!(
        AcnCloud
            .parse(ACN_IA.as_bytes())
            .unwrap()
            .observations
            .len(),
        4
    );
    assert!(
        AcnCloud
            .parse(ACN_PA.as_bytes())
            .unwrap()
            .observations
            .is_empty()
    );
}

#[test]
fn an_acn_qualification_given_only_a_start_lasts_thirty_six_months() {
    let mut lists: Vec<serde_json::Value> = [ACN_IN, ACN_IA, ACN_SA]
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for item in lists.iter_mut().flat_map(|l| l.as_array_mut().unwrap()) {
        item["Scadenza qualificazione"] = "".into();
    }
    let body: String = lists.iter().map(|l| l.to_string()).collect();
    let derived = acn::parse_lists(body.as_bytes(), fetch_day()).unwrap();
    let printed = acn::parse_lists(acn_catalogue().as_bytes(), fetch_day()).unwrap();
    assert_eq!(
        derived.observations, printed.observations,
        "the 36-month rule gives the end dates the catalogue prints"
    );
}

#[test]
fn a_service_listed_under_two_kinds_is_one_qualification_of_both_models() {
    let row = |kind: &str| serde_json::json!([{"Fornitore": "Esempio S.r.l.", "Nome servizio": "Nuvola", "Tipologia": kind, "Livello di qualificazione": "QC2", "Data qualificazione": "01/02/2025", "Scadenza qualificazione": ""}]);
    let body = format!("{}{}", row("IaaS"), row("PaaS"));
    let edition = acn::parse_lists(body.as_bytes(), fetch_day()).unwrap();
    assert_eq!(edition.observations.len(), 1);
    assert_eq!(
        edition.observations[0].service_models,
        vec![ServiceModel::Paas, ServiceModel::Iaas]
    );
    assert_eq!(edition.observations[0].valid_until, Some(day("31/01/2028")));

    let conflicting = format!(
        "{}{}",
        row("IaaS"),
        row("PaaS").to_string().replace("QC2", "QC3")
    );
    let error = acn::parse_lists(conflicting.as_bytes(), fetch_day()).unwrap_err();
    assert!(error.contains("listed again with other details"), "{error}");
}

#[test]
fn a_broken_acn_list_is_refused_with_what_is_missing() {
    let source = AcnCloud;
    assert!(
        source
            .check_body(Some(JSON), acn_catalogue().as_bytes())
            .is_ok()
    );
    let error = source
        .check_body(
            Some(HTML),
            b"<!DOCTYPE html><html><form>Accedi</form></html>",
        )
        .unwrap_err();
    assert!(error.contains("login page"), "{error}");
    let error = source
        .check_body(Some(JSON), br#"{"data": []}"#)
        .unwrap_err();
    assert!(error.contains("not a JSON array"), "{error}");

    let cases = [
        (
            ACN_IA.replace("\"Tipologia\"", "\"Tipo\""),
            "list 1, element 1: no 'Tipologia' key",
        ),
        (ACN_IA.replace("\"QC4\"", "\"QC9\""), "'QC9' is none of QC1"),
        (
            ACN_IA.replace("\"IaaS\"", "\"Hosting\""),
            "Tipologia 'Hosting' is none of",
        ),
        (
            ACN_IN.replace("30/09/2027", "30-09-2027"),
            "'30-09-2027' is not a dd/mm/yyyy date",
        ),
        (
            ACN_IA[..ACN_IA.len() / 2].to_owned(),
            "list 1 is not valid JSON",
        ),
        (
            format!("{ACN_IA}{{\"Fornitore\": \"x\"}}"),
            "list 2 is not a JSON array",
        ),
        ("[1, 2]".to_owned(), "element 1 is not a JSON object"),
        (
            ACN_IA.replacen("\"Polo Strategico Nazionale S.p.A.\"", "\"\"", 1),
            "empty 'Fornitore'",
        ),
        (String::new(), "no JSON array"),
    ];
    for (body, expected) in cases {
        let error = source.parse(body.as_bytes()).unwrap_err();
        assert!(error.contains(expected), "{error} should say {expected}");
    }
}

// ---------------------------------------------------------------------------------------------
// eu-cloud-coc

#[test]
fn the_eu_cloud_coc_register_gives_the_level_and_the_verification_id() {
    let edition = eu_coc::parse_register(EU_COC, fetch_day()).unwrap();
    assert_eq!(edition.published_at, fetch_day().and_time(NaiveTime::MIN));
    assert_eq!(edition.observations.len(), 1);
    let cloudflare = find(&edition, "eu-cloud-coc-2023lvl02scope4316");
    assert_eq!(cloudflare.scheme, Scheme::EuCloudCoc);
    assert_eq!(cloudflare.supplier_name, "Cloudflare");
    assert_eq!(cloudflare.reference, "2023LVL02SCOPE4316");
    assert_eq!(cloudflare.level.as_deref(), Some("Level 2"));
    assert_eq!(cloudflare.service_name, None);
    assert_eq!(
        cloudflare.scope.as_deref(),
        Some("Cloudflare services (scope as declared in the register)")
    );
    assert_eq!(cloudflare.status, Status::Qualified);
}

#[test]
fn a_broken_eu_cloud_coc_register_is_refused_with_what_is_missing() {
    let source = EuCloudCoc;
    assert!(source.check_body(Some(CSV), EU_COC.as_bytes()).is_ok());
    assert!(
        source
            .check_body(
                Some(HTML),
                b"<html><body>List of adherent services</body></html>"
            )
            .is_err()
    );
    let cases = [
        (
            EU_COC.replace("verification_id", "id"),
            "column 'verification_id' is missing",
        ),
        (
            EU_COC.replace("Second Level", "Fourth Level"),
            "'Fourth Level' is none of First, Second or Third Level",
        ),
        (
            EU_COC.replace("2023LVL02SCOPE4316", ""),
            "line 2 (Cloudflare): no verification_id",
        ),
        (
            format!("{EU_COC}Other;Other service;2023LVL02SCOPE4316;First Level;x\n"),
            "listed again",
        ),
    ];
    for (body, expected) in cases {
        let error = source.parse(body.as_bytes()).unwrap_err();
        assert!(error.contains(expected), "{error} should say {expected}");
    }
}

#[test]
fn every_source_is_registered_with_an_https_official_address() {
    for id in [
        "anssi-catalogue",
        "anssi-in-qualification",
        "ans-hds",
        "acn-cloud",
        "eu-cloud-coc",
    ] {
        let source = contract::find(id).unwrap_or_else(|| panic!("{id} is not in contract::all()"));
        assert!(
            source.default_url().starts_with("https://"),
            "{id}: {}",
            source.default_url()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// End to end: a local server, the real fetcher and runner, a real SQLite store.

struct Served {
    url: String,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// A local server answering `body` to every request.
async fn serve(body: impl Into<Vec<u8>>, content_type: &'static str) -> Served {
    let feed = Arc::new(Mutex::new((body.into(), content_type)));
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .unwrap();
    let port = acceptor.local_addr()[0].as_socket_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let answering = feed.clone();
    let endpoint = Route::new().at(
        "/feed",
        poem::endpoint::make(move |_: Request| {
            let feed = answering.clone();
            async move {
                // No ETag: a second run downloads and parses again, so idempotence is the runner's.
                let (bytes, content_type) = feed.lock().unwrap().clone();
                Response::builder()
                    .header("content-type", content_type)
                    .body(bytes)
            }
        }),
    );
    tokio::spawn(async move {
        Server::new_with_acceptor(acceptor)
            .run_with_graceful_shutdown(
                endpoint,
                async {
                    let _ = stopped.await;
                },
                None,
            )
            .await
            .ok();
    });
    Served {
        url: format!("http://127.0.0.1:{port}/feed"),
        _stop: stop,
    }
}

fn quick_policy() -> FetchPolicy {
    FetchPolicy {
        connect_timeout: Duration::from_secs(2),
        total_timeout: Duration::from_secs(5),
        retries: 1,
        backoff: Duration::from_millis(20),
        max_body_bytes: 8 * 1024 * 1024,
        user_agent: "Registre tests".into(),
    }
}

async fn seeded_store(dir: &tempfile::TempDir) -> Store {
    let store = Store::connect(&format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("db").display()
    ))
    .await
    .unwrap();
    let report = store.import(DATASET, "import:test").await.unwrap();
    assert!(report.rejected.is_empty());
    store
}

fn sources(store: &Store, id: &'static str, url: &str) -> Sources {
    let config = SourceConfig {
        id,
        url: url.to_owned(),
        interval: Duration::from_secs(3600),
    };
    Sources::with_configs(store.clone(), quick_policy(), vec![config]).unwrap()
}

async fn attestations(store: &Store) -> Vec<Record<AttestationData>> {
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .list_attestations(
                &Default::default(),
                PageRequest { after, limit: 100 },
                Utc::now().date_naive(),
            )
            .await
            .unwrap();
        all.extend(page.items);
        match page.next_after {
            Some(next) => after = Some(next),
            None => return all,
        }
    }
}

async fn supplier_id(store: &Store, key: &str) -> i64 {
    let suppliers = store
        .list_suppliers(
            &Default::default(),
            PageRequest {
                after: None,
                limit: 500,
            },
        )
        .await
        .unwrap()
        .items;
    suppliers
        .into_iter()
        .find(|s| s.key.as_str() == key)
        .unwrap_or_else(|| panic!("no supplier {key}"))
        .id
}

async fn supplier_count(store: &Store) -> usize {
    store
        .list_suppliers(
            &Default::default(),
            PageRequest {
                after: None,
                limit: 500,
            },
        )
        .await
        .unwrap()
        .items
        .len()
}

async fn change_count(store: &Store) -> usize {
    store
        .list_changes(
            None,
            PageRequest {
                after: None,
                limit: 1000,
            },
        )
        .await
        .unwrap()
        .items
        .len()
}

/// Everything a run may touch: attestations, offers, changes and the review queue.
async fn snapshot(store: &Store) -> serde_json::Value {
    let today = Utc::now().date_naive();
    let offers = store
        .list_offers(
            &Default::default(),
            PageRequest {
                after: None,
                limit: 500,
            },
            today,
        )
        .await
        .unwrap()
        .items;
    serde_json::json!({
        "attestations": serde_json::to_value(attestations(store).await).unwrap(),
        "offers": serde_json::to_value(&offers).unwrap(),
        "changes": change_count(store).await,
        "review": serde_json::to_value(store.review_items(false).await.unwrap()).unwrap(),
    })
}

fn by_key<'a>(all: &'a [Record<AttestationData>], key: &str) -> &'a Record<AttestationData> {
    all.iter()
        .find(|a| a.key.as_str() == key)
        .unwrap_or_else(|| panic!("no attestation {key}"))
}

async fn open_review_names(store: &Store, source: &str) -> BTreeSet<String> {
    store
        .review_items(true)
        .await
        .unwrap()
        .into_iter()
        .filter(|i| i.source_id == source)
        .map(|i| i.supplier_name)
        .collect()
}

/// Runs the source a second time on the same body: nothing may change.
async fn second_run_changes_nothing(store: &Store, sources: &Sources, id: &str) {
    let before = snapshot(store).await;
    let outcome = sources.refresh(id).await.unwrap();
    assert_eq!(
        outcome,
        RunOutcome::Unchanged,
        "{id}: the same edition twice"
    );
    assert_eq!(
        snapshot(store).await,
        before,
        "{id}: a second identical run changed the data"
    );
}

/// Applies `edition` as if fetched again the next day: the same rows record no change at all.
async fn same_rows_next_day_record_nothing(store: &Store, id: &str, edition: &Edition) {
    let changes = change_count(store).await;
    let review = open_review_names(store, id).await;
    let mut later = edition.clone();
    later.published_at += chrono::Duration::days(1);
    let mut lock = store.lock_source(id).await.unwrap().unwrap();
    let report = lock.apply(&later, Utc::now().date_naive()).await.unwrap();
    drop(lock);
    assert!(report.changes.is_empty(), "{id}: {:?}", report.changes);
    assert_eq!(change_count(store).await, changes);
    assert_eq!(open_review_names(store, id).await, review);
}

fn is_verified_by(attestation: &Record<AttestationData>, source: &str) -> bool {
    attestation.data.provenance.source == source
        && attestation.data.provenance.verification == Verification::Verified
}

/// The catalogue of 15/09/2026 as third parties read it, reduced to what this test needs: the March
/// fixture plus OVH's "SNC Cloud Platform", qualified on 31/07/2026 by decision 2026_3393.
fn catalogue_with_ovh_snc_cloud_platform() -> Vec<u8> {
    let mut edition = FixtureEdition::march_2026();
    edition.updated_at = Some(NaiveDateTime::new(
        day("15/09/2026"),
        NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
    ));
    let mut row = edition
        .secnumcloud
        .iter()
        .find(|r| r.supplier == "OVH")
        .unwrap()
        .clone();
    row.service = "SNC Cloud Platform".into();
    row.valid_from = day("31/07/2026");
    row.valid_until = day("31/07/2029");
    row.decision = Decision {
        year: 2026,
        number: 3393,
        url: "https://messervices.cyber.gouv.fr/visas/2026_3393_np.pdf".into(),
    };
    row.recommendation = Some(RecommendationLevel::Optimal);
    edition.secnumcloud.push(row);
    render_fixture(&edition)
}

#[tokio::test]
async fn the_in_qualification_page_adds_progress_without_downgrading_what_the_catalogue_qualified()
{
    let dir = tempfile::tempdir().unwrap();
    let store = seeded_store(&dir).await;

    // The catalogue first: it verifies OVH's SNC Cloud Platform as qualified.
    let catalogue = serve(catalogue_with_ovh_snc_cloud_platform(), "application/pdf").await;
    let outcome = sources(&store, "anssi-catalogue", &catalogue.url)
        .refresh("anssi-catalogue")
        .await
        .unwrap();
    assert!(matches!(outcome, RunOutcome::Applied { .. }), "{outcome:?}");
    let qualified = by_key(
        &attestations(&store).await,
        "secnumcloud-ovh-snc-cloud-platform",
    )
    .clone();
    assert!(is_verified_by(&qualified, "anssi-catalogue"));
    assert_eq!(qualified.data.status, Status::Qualified);
    let catalogue_owned = |all: Vec<Record<AttestationData>>| {
        serde_json::to_value(
            all.into_iter()
                .filter(|a| a.data.provenance.source == "anssi-catalogue")
                .collect::<Vec<_>>(),
        )
        .unwrap()
    };
    let catalogue_before = catalogue_owned(attestations(&store).await);
    let suppliers_before = supplier_count(&store).await;

    // Then the page, which still lists that service as in progress.
    let page = serve(IN_QUALIFICATION, HTML).await;
    let sources = sources(&store, "anssi-in-qualification", &page.url);
    let outcome = sources.refresh("anssi-in-qualification").await.unwrap();
    assert_eq!(
        outcome,
        RunOutcome::Applied {
            rows: 17,
            changes: 9,
            queued_for_review: 8
        },
        "9 known suppliers added, 8 unknown queued"
    );

    let all = attestations(&store).await;
    assert_eq!(
        catalogue_owned(all.clone()),
        catalogue_before,
        "nothing the catalogue verified was touched"
    );
    let still = by_key(&all, "secnumcloud-ovh-snc-cloud-platform");
    assert_eq!(
        (still.data.status, still.data.absent_since),
        (Status::Qualified, None)
    );

    let progress = by_key(&all, "secnumcloud-progress-ovh-ovh-snc-cloud-platform");
    assert_eq!(
        progress.data.supplier_id,
        supplier_id(&store, "ovhcloud").await
    );
    assert_eq!(
        (progress.data.status, progress.data.offer_id),
        (Status::InProgress, None)
    );
    assert_eq!(
        progress.data.scope.as_deref(),
        Some("OVH SNC Cloud Platform")
    );
    assert!(is_verified_by(progress, "anssi-in-qualification"));
    assert_eq!(progress.data.provenance.last_seen, day("20/07/2026"));
    for supplier in [
        "bleu",
        "cegedim",
        "cloud-temple",
        "numspot",
        "orange-business",
        "ovhcloud",
        "scaleway",
        "scalingo",
        "wimi",
    ] {
        let id = supplier_id(&store, supplier).await;
        assert!(
            all.iter().any(|a| a.data.supplier_id == id
                && a.data.status == Status::InProgress
                && is_verified_by(a, "anssi-in-qualification")),
            "{supplier} has no verified in-progress attestation"
        );
    }
    assert_eq!(
        open_review_names(&store, "anssi-in-qualification").await,
        [
            "Adista",
            "BLUE",
            "Ecritel",
            "Free Pro",
            "GIP Mipih",
            "ITS Integra",
            "NRB",
            "Prolival"
        ]
        .map(String::from)
        .into()
    );
    assert_eq!(
        supplier_count(&store).await,
        suppliers_before,
        "no supplier is created from a name on the page"
    );
    let run = store
        .runs("anssi-in-qualification", 1)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        (run.outcome.as_str(), run.edition.as_deref(), run.rows),
        ("applied", Some("20/07/2026"), Some(17))
    );

    second_run_changes_nothing(&store, &sources, "anssi-in-qualification").await;
    let edition = in_qualification::parse_page(IN_QUALIFICATION, fetch_day()).unwrap();
    same_rows_next_day_record_nothing(&store, "anssi-in-qualification", &edition).await;
}

#[tokio::test]
async fn the_hds_refresh_verifies_the_bundled_hosts_and_queues_the_unknown_ones() {
    let dir = tempfile::tempdir().unwrap();
    let store = seeded_store(&dir).await;
    let suppliers_before = supplier_count(&store).await;
    let served = serve(HDS, CSV).await;
    let sources = sources(&store, "ans-hds", &served.url);

    let outcome = sources.refresh("ans-hds").await.unwrap();
    assert!(
        matches!(
            outcome,
            RunOutcome::Applied {
                rows: 9,
                queued_for_review: 3,
                ..
            }
        ),
        "{outcome:?}"
    );
    let all = attestations(&store).await;
    let today = Utc::now().date_naive();
    for (key, supplier) in [
        ("hds-clever-cloud", "clever-cloud"),
        ("hds-scalingo", "scalingo"),
        ("hds-outscale", "outscale"),
        ("hds-scaleway", "scaleway"),
        ("hds-numspot", "numspot"),
    ] {
        let attestation = by_key(&all, key);
        assert!(
            is_verified_by(attestation, "ans-hds"),
            "{key} is not verified: {:?}",
            attestation.data.provenance
        );
        assert_eq!(
            attestation.data.provenance.last_seen, today,
            "{key}: an undated list is seen on the day it is fetched"
        );
        let id = supplier_id(&store, supplier).await;
        assert_eq!(attestation.data.supplier_id, id);
        let held = all
            .iter()
            .filter(|a| a.data.supplier_id == id && a.data.scheme == Scheme::Hds)
            .count();
        assert_eq!(
            held, 1,
            "{supplier}: the bundled attestation was verified, not duplicated"
        );
    }
    let clever = by_key(&all, "hds-clever-cloud");
    assert_eq!(
        (clever.data.valid_from, clever.data.valid_until),
        (Some(day("20/12/2024")), Some(day("19/12/2027")))
    );
    let outscale = by_key(&all, "hds-outscale");
    assert_eq!(
        (outscale.data.valid_from, outscale.data.valid_until),
        (Some(day("27/08/2026")), Some(day("27/08/2029")))
    );
    assert!(
        outscale.data.unverified.is_empty(),
        "the dates the bundled record flagged are now read from the source"
    );
    // "OVH" resolves to OVHcloud through its alias.
    let ovhcloud = supplier_id(&store, "ovhcloud").await;
    assert!(all.iter().any(|a| a.data.supplier_id == ovhcloud
        && a.data.scheme == Scheme::Hds
        && is_verified_by(a, "ans-hds")));
    // The bundled `hds-ovhcloud` is the fact the list verifies: no second HDS record, none absent.
    let ovh_hds: Vec<_> = all
        .iter()
        .filter(|a| a.data.supplier_id == ovhcloud && a.data.scheme == Scheme::Hds)
        .collect();
    assert_eq!(
        ovh_hds.len(),
        1,
        "{:?}",
        ovh_hds.iter().map(|a| a.key.as_str()).collect::<Vec<_>>()
    );
    assert_eq!(ovh_hds[0].key.as_str(), "hds-ovhcloud");
    assert_eq!(ovh_hds[0].data.absent_since, None);
    assert_eq!(
        open_review_names(&store, "ans-hds").await,
        ["AMAZON WEB SERVICES", "GOOGLE", "MICROSOFT"]
            .map(String::from)
            .into()
    );
    assert_eq!(supplier_count(&store).await, suppliers_before);
    // Bundled HDS claims from other sources are left alone.
    assert_eq!(
        by_key(&all, "hds-docaposte").data.provenance.verification,
        Verification::Declared
    );

    second_run_changes_nothing(&store, &sources, "ans-hds").await;
    same_rows_next_day_record_nothing(&store, "ans-hds", &hds::parse_list(HDS, today).unwrap())
        .await;
}

/// A row naming a supplier of the bundled dataset, made up by this test (the ACN fixture names none).
fn acn_row_of_a_known_supplier() -> String {
    serde_json::json!([{
        "Fornitore": "Scaleway SAS",
        "Nome servizio": "Servizio di prova (riga creata dal test)",
        "Tipologia": "IaaS",
        "Livello di qualificazione": "QC2",
        "Data qualificazione": "01/02/2025",
        "Scadenza qualificazione": "",
    }])
    .to_string()
}

#[tokio::test]
async fn the_acn_refresh_reads_the_four_lists_concatenated_and_queues_unknown_suppliers() {
    let dir = tempfile::tempdir().unwrap();
    let store = seeded_store(&dir).await;
    let body = format!("{}\n{}", acn_catalogue(), acn_row_of_a_known_supplier());
    let served = serve(body.clone(), JSON).await;
    let sources = sources(&store, "acn-cloud", &served.url);

    let outcome = sources.refresh("acn-cloud").await.unwrap();
    assert_eq!(
        outcome,
        RunOutcome::Applied {
            rows: 8,
            changes: 1,
            queued_for_review: 7
        }
    );
    let all = attestations(&store).await;
    let scaleway = by_key(&all, "acn-scaleway-servizio-di-prova-riga-creata-dal-test");
    assert!(is_verified_by(scaleway, "acn-cloud"));
    assert_eq!(
        scaleway.data.supplier_id,
        supplier_id(&store, "scaleway").await
    );
    assert_eq!(scaleway.data.level.as_deref(), Some("QC2"));
    assert_eq!(
        (scaleway.data.valid_from, scaleway.data.valid_until),
        (Some(day("01/02/2025")), Some(day("31/01/2028")))
    );
    let offer = store
        .offer(
            scaleway
                .data
                .offer_id
                .expect("a qualified service is an offer"),
        )
        .await
        .unwrap();
    assert_eq!(
        (offer.data.name.as_str(), offer.data.category),
        ("Servizio di prova (riga creata dal test)", Category::Iaas)
    );
    assert_eq!(
        open_review_names(&store, "acn-cloud").await,
        [
            "Cubbit S.r.l.",
            "Fornitore di esempio IaaS",
            "Fornitore di esempio SaaS",
            "Fornitore di esempio infrastruttura",
            "Polo Strategico Nazionale S.p.A."
        ]
        .map(String::from)
        .into()
    );
    assert_eq!(
        store.review_items(true).await.unwrap().len(),
        7,
        "one item per unresolved row"
    );

    second_run_changes_nothing(&store, &sources, "acn-cloud").await;
    same_rows_next_day_record_nothing(
        &store,
        "acn-cloud",
        &acn::parse_lists(body.as_bytes(), Utc::now().date_naive()).unwrap(),
    )
    .await;
}

#[tokio::test]
async fn the_eu_cloud_coc_refresh_verifies_known_providers_and_queues_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let store = seeded_store(&dir).await;
    // The second row is made up by this test: the register's real row names a provider the dataset lacks.
    let body = format!(
        "{EU_COC}Scaleway;Scaleway services (row made up by the test);2025LVL01TEST0001;First Level;test\n"
    );
    let served = serve(body.clone(), CSV).await;
    let sources = sources(&store, "eu-cloud-coc", &served.url);

    let outcome = sources.refresh("eu-cloud-coc").await.unwrap();
    assert_eq!(
        outcome,
        RunOutcome::Applied {
            rows: 2,
            changes: 1,
            queued_for_review: 1
        }
    );
    let all = attestations(&store).await;
    let scaleway = by_key(&all, "eu-cloud-coc-2025lvl01test0001");
    assert!(is_verified_by(scaleway, "eu-cloud-coc"));
    assert_eq!(
        scaleway.data.supplier_id,
        supplier_id(&store, "scaleway").await
    );
    assert_eq!(
        (scaleway.data.level.as_deref(), scaleway.data.offer_id),
        (Some("Level 1"), None)
    );
    let queue = store.review_items(true).await.unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(
        (queue[0].supplier_name.as_str(), queue[0].identity.as_str()),
        ("Cloudflare", "eu-cloud-coc-2023lvl02scope4316")
    );

    second_run_changes_nothing(&store, &sources, "eu-cloud-coc").await;
    same_rows_next_day_record_nothing(
        &store,
        "eu-cloud-coc",
        &eu_coc::parse_register(&body, Utc::now().date_naive()).unwrap(),
    )
    .await;
}

#[tokio::test]
async fn a_broken_feed_of_any_of_the_four_changes_nothing_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let store = seeded_store(&dir).await;
    let header_only = format!("{}\n", HDS.lines().next().unwrap());
    let cases: Vec<(&'static str, Vec<u8>, &'static str, &str)> = vec![
        (
            "anssi-in-qualification",
            b"%PDF-1.7".to_vec(),
            "application/pdf",
            "unexpected body: not an HTML page",
        ),
        (
            "anssi-in-qualification",
            b"<html><body>Maintenance</body></html>".to_vec(),
            HTML,
            "layout not recognised: no table",
        ),
        (
            "ans-hds",
            b"<html><body>Liste</body></html>".to_vec(),
            HTML,
            "unexpected body: an HTML page",
        ),
        (
            "ans-hds",
            HDS.replace("referentiel", "version").into_bytes(),
            CSV,
            "layout not recognised: column 'referentiel' is missing",
        ),
        ("ans-hds", header_only.into_bytes(), CSV, "has no rows"),
        (
            "acn-cloud",
            b"<!DOCTYPE html><html>Accedi</html>".to_vec(),
            HTML,
            "login page",
        ),
        ("acn-cloud", ACN_PA.as_bytes().to_vec(), JSON, "has no rows"),
        (
            "acn-cloud",
            ACN_IA.replace("\"Fornitore\"", "\"Azienda\"").into_bytes(),
            JSON,
            "no 'Fornitore' key",
        ),
        (
            "eu-cloud-coc",
            EU_COC.replace("level_of_compliance", "level").into_bytes(),
            CSV,
            "column 'level_of_compliance' is missing",
        ),
    ];
    let state = snapshot(&store).await;
    for (id, body, content_type, expected) in cases {
        let served = serve(body, content_type).await;
        let outcome = sources(&store, id, &served.url).refresh(id).await.unwrap();
        let RunOutcome::Failed { reason } = outcome else {
            panic!("{id}: expected a failure ({expected}), got {outcome:?}")
        };
        assert!(
            reason.contains(expected),
            "{id}: {reason} should mention {expected}"
        );
        let last = store.runs(id, 1).await.unwrap().remove(0);
        assert_eq!(
            (last.outcome.as_str(), last.error.as_deref()),
            ("failed", Some(reason.as_str()))
        );
        assert_eq!(
            snapshot(&store).await,
            state,
            "{id}: a failed run ({expected}) changed the data"
        );
    }
}
