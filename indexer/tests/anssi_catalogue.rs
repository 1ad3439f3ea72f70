//! ANSSI catalogue: parsing generated fixtures, the typed errors of broken ones, the December → March
//! diff, and (when `REGISTRE_ANSSI_REAL_EDITIONS` names the ANSSI data folder) the real editions.

use std::path::{Path, PathBuf};

use registre_indexer::sources::anssi_catalogue::fixture::{
    Breakage, FixtureEdition, render_fixture,
};
use registre_indexer::sources::anssi_catalogue::{
    CatalogueEdition, ParseError, Qualification, SecNumCloudField, SecNumCloudService,
    diff_secnumcloud, parse_catalogue,
};
use serde_json::{Value, json};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/anssi")
        .join(name)
}

fn parse_fixture(edition: &FixtureEdition) -> CatalogueEdition {
    parse_catalogue(&render_fixture(edition)).expect("the fixture parses")
}

fn csv_rows(path: &Path) -> Vec<csv::StringRecord> {
    let mut reader =
        csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    reader
        .records()
        .map(|record| record.expect("a CSV record"))
        .collect()
}

fn csv_headers(path: &Path) -> csv::StringRecord {
    csv::Reader::from_path(path)
        .unwrap()
        .headers()
        .unwrap()
        .clone()
}

fn field<'r>(headers: &csv::StringRecord, row: &'r csv::StringRecord, name: &str) -> &'r str {
    let index = headers
        .iter()
        .position(|header| header == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    &row[index]
}

/// Every field of every SecNumCloud row equals the CSV extracted from the real edition.
fn assert_secnumcloud_matches_csv(edition: &CatalogueEdition, csv_path: &Path) {
    let headers = csv_headers(csv_path);
    let expected = csv_rows(csv_path);
    assert_eq!(
        edition.secnumcloud.len(),
        expected.len(),
        "row count of {}",
        csv_path.display()
    );
    for (row, service) in expected.iter().zip(&edition.secnumcloud) {
        let f = |name: &str| field(&headers, row, name);
        let context = format!("{} / {}", f("nom_du_fournisseur"), f("nom_du_service"));
        assert_eq!(edition.label.as_deref(), Some(f("edition")), "{context}");
        assert_eq!(
            edition.updated_at.format("%d/%m/%Y %H:%M:%S").to_string(),
            f("catalogue_mis_a_jour_le")
        );
        assert_eq!(service.supplier, f("nom_du_fournisseur"), "{context}");
        assert_eq!(service.service, f("nom_du_service"), "{context}");
        let marks: Vec<&str> = ["saas", "paas", "caas", "iaas"]
            .iter()
            .map(|name| f(name))
            .collect();
        let models: Vec<&str> = ["SaaS", "PaaS", "CaaS", "IaaS"]
            .iter()
            .map(|label| {
                if service.service_models.iter().any(|m| m.label() == *label) {
                    "X"
                } else {
                    ""
                }
            })
            .collect();
        assert_eq!(models, marks, "{context}");
        assert_eq!(
            service.valid_from.format("%d/%m/%Y").to_string(),
            f("date_debut_qualification"),
            "{context}"
        );
        assert_eq!(
            service.valid_until.format("%d/%m/%Y").to_string(),
            f("date_fin_qualification"),
            "{context}"
        );
        assert_eq!(
            service.decision.number.to_string(),
            f("decision_numero"),
            "{context}"
        );
        assert_eq!(service.decision.url, f("decision_url"), "{context}");
        assert!(f("decision_url").contains(&format!(
            "/{}_{}_np.pdf",
            service.decision.year, service.decision.number
        )));
        assert_eq!(
            service.recommendation.map(|level| level.as_str()),
            Some(f("niveau_recommandation")),
            "{context}"
        );
    }
}

/// The normalised record of the expected JSON file.
fn record(service: &SecNumCloudService, edition: &CatalogueEdition) -> Value {
    json!({
        "scheme": "SecNumCloud",
        "authority": "ANSSI",
        "status": "qualifie",
        "provider_name": service.supplier,
        "service_name": service.service,
        "service_models": service.service_models.iter().map(|m| m.label()).collect::<Vec<_>>(),
        "valid_from": service.valid_from.to_string(),
        "valid_until": service.valid_until.to_string(),
        "decision": { "number": service.decision.number, "year": service.decision.year, "url": service.decision.url },
        "recommendation_level": service.recommendation.map(|level| level.as_str()),
        "framework_version": null,
        "source": {
            "document": "catalogue-produits-services-profils-de-protection-sites-certifies-qualifies-agrees-anssi.pdf",
            "edition": edition.label,
            "section": "3.3.1",
            "updated_at_local": edition.updated_at.format("%Y-%m-%d %H:%M:%S").to_string(),
        },
    })
}

fn expected_json() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(data("expected_secnumcloud_2026-03-04.json")).unwrap(),
    )
    .unwrap()
}

/// Named so that `cargo test -p registre-indexer anssi` selects these tests.
mod anssi_catalogue {
    use super::*;

    #[test]
    fn the_march_2026_fixture_gives_exactly_the_expected_records() {
        let edition = parse_fixture(&FixtureEdition::march_2026());
        let expected = expected_json();
        assert_eq!(edition.label.as_deref(), expected["edition"].as_str());
        let records: Vec<Value> = edition
            .secnumcloud
            .iter()
            .map(|service| record(service, &edition))
            .collect();
        assert_eq!(Value::Array(records), expected["records"]);
        assert!(edition.problems.is_empty(), "{:?}", edition.problems);
    }

    #[test]
    fn the_march_2026_fixture_matches_its_csv_and_breaks_its_table_across_two_pages() {
        let edition = parse_fixture(&FixtureEdition::march_2026());
        assert_secnumcloud_matches_csv(&edition, &data("catalogue-2026-03-04_secnumcloud.csv"));
        let mut pages: Vec<usize> = edition
            .secnumcloud
            .iter()
            .map(|service| service.page)
            .collect();
        pages.dedup();
        assert_eq!(
            pages.len(),
            2,
            "the fixture's table must continue on a second page: {pages:?}"
        );
    }

    #[test]
    fn the_december_2025_fixture_gives_its_16_rows() {
        let edition = parse_fixture(&FixtureEdition::december_2025());
        assert_eq!(edition.secnumcloud.len(), 16);
        assert_secnumcloud_matches_csv(&edition, &data("catalogue-2025-12-05_secnumcloud.csv"));
    }

    #[test]
    fn the_december_to_march_diff_adds_s3ns_and_renames_outscale_under_the_same_decision() {
        let december = parse_fixture(&FixtureEdition::december_2025());
        let march = parse_fixture(&FixtureEdition::march_2026());
        let diff = diff_secnumcloud(&december.secnumcloud, &march.secnumcloud);
        let expected = &expected_json()["diff_from_2025-12-05_edition"];

        let added: Vec<Value> = diff
            .added
            .iter()
            .map(|s| json!({ "decision": s.decision.key().to_string(), "provider": s.supplier, "service": s.service }))
            .collect();
        assert_eq!(Value::Array(added), expected["added"]);
        assert_eq!(diff.removed.len(), 0);
        assert_eq!(expected["removed"], json!([]));
        let changed: Vec<Value> = diff
            .changed
            .iter()
            .map(|c| json!({ "decision": c.decision.to_string(), "field": c.field.as_str(), "before": c.before, "after": c.after }))
            .collect();
        assert_eq!(Value::Array(changed), expected["changed"]);
        assert_eq!(diff.changed[0].field, SecNumCloudField::ServiceName);
    }

    #[test]
    fn a_decision_number_reused_in_another_year_is_another_decision() {
        let march = parse_fixture(&FixtureEdition::march_2026());
        let mut next = march.secnumcloud.clone();
        // Same number as Cegedim's 2024_1951, another year: a new qualification, not a change.
        let mut reused = next[0].clone();
        reused.decision.year = 2026;
        reused.decision.url = "https://messervices.cyber.gouv.fr/visas/2026_1951_np.pdf".into();
        next.push(reused);
        let diff = diff_secnumcloud(&march.secnumcloud, &next);
        assert_eq!(diff.added.len(), 1);
        assert!(diff.changed.is_empty() && diff.removed.is_empty());
    }

    #[test]
    fn the_other_services_sample_rows_parse() {
        let edition = parse_fixture(&FixtureEdition::march_2026());
        let path = data("catalogue-2026-03-04_other-services_sample.csv");
        let headers = csv_headers(&path);
        let expected = csv_rows(&path);
        assert_eq!(edition.qualified_services.len(), expected.len());
        for row in &expected {
            let f = |name: &str| field(&headers, row, name);
            let service = edition
                .qualified_services
                .iter()
                .find(|s| {
                    s.qualification.acronym() == f("qualification")
                        && s.supplier == f("nom_du_fournisseur")
                })
                .unwrap_or_else(|| {
                    panic!(
                        "{} {} not parsed",
                        f("qualification"),
                        f("nom_du_fournisseur")
                    )
                });
            assert_eq!(service.section, f("section"));
            assert_eq!(
                service.service.as_deref().unwrap_or(""),
                f("nom_du_service")
            );
            let activities = match &service.oid {
                Some(oid) => format!("OID {oid}"),
                None => service
                    .activities
                    .iter()
                    .map(|a| a.label())
                    .collect::<Vec<_>>()
                    .join(";"),
            };
            assert_eq!(activities, f("activites_ou_oid"), "{}", service.supplier);
            assert_eq!(service.level.as_deref().unwrap_or(""), f("niveau"));
            let national = service
                .national_security
                .map_or("", |yes| if yes { "Oui" } else { "Non" });
            assert_eq!(national, f("securite_nationale"));
            assert_eq!(
                service.valid_from.format("%d/%m/%Y").to_string(),
                f("date_debut")
            );
            assert_eq!(
                service.valid_until.format("%d/%m/%Y").to_string(),
                f("date_fin"),
                "{}",
                service.supplier
            );
            assert_eq!(service.decision_reference, f("decision_numero"));
            assert_eq!(
                service.decision.as_ref().map(|d| d.url.as_str()),
                Some(f("decision_url"))
            );
        }
        let pris = edition
            .qualified_services
            .iter()
            .filter(|s| s.qualification == Qualification::Pris)
            .count();
        assert_eq!(
            pris, 5,
            "PRIS dates are cut over two lines in the fixture, as in the real table"
        );
    }

    #[test]
    fn cspn_samples_parse_and_non_maintenu_means_no_end_date() {
        let edition = parse_fixture(&FixtureEdition::march_2026());
        let path = data("catalogue-2026-03-04_cspn_sample.csv");
        let headers = csv_headers(&path);
        let expected = csv_rows(&path);
        assert_eq!(edition.cspn.len(), expected.len());
        for (row, certificate) in expected.iter().zip(&edition.cspn) {
            let f = |name: &str| field(&headers, row, name);
            assert_eq!(certificate.archived, f("section").starts_with("6.2"));
            assert_eq!(certificate.developer, f("nom_du_developpeur"));
            assert_eq!(certificate.product, f("nom_du_produit"));
            assert_eq!(certificate.sponsor, f("nom_du_commanditaire"));
            assert_eq!(certificate.evaluation_centre, f("centre_evaluation_cesti"));
            assert_eq!(certificate.product_type, f("type_de_produit"));
            assert_eq!(
                certificate.valid_from.format("%d/%m/%Y").to_string(),
                f("date_debut_certification")
            );
            let end = certificate
                .valid_until
                .map_or("Non maintenu".to_string(), |d| {
                    d.format("%d/%m/%Y").to_string()
                });
            assert_eq!(end, f("date_fin_certification"));
            assert_eq!(
                certificate.maintained,
                f("date_fin_certification") != "Non maintenu"
            );
            assert_eq!(certificate.reference, f("reference_certificat"));
            assert_eq!(
                certificate.certificate_url.as_deref(),
                Some(f("url_certificat"))
            );
            assert_eq!(certificate.report_url.as_deref(), Some(f("url_rapport")));
            assert_eq!(
                certificate.security_target_url.as_deref(),
                Some(f("url_cible"))
            );
        }
    }

    #[test]
    fn a_fixture_without_stamp_is_reported_as_such() {
        let bytes = render_fixture(&FixtureEdition::march_2026().broken(Breakage::NoStamp));
        assert!(matches!(
            parse_catalogue(&bytes),
            Err(ParseError::MissingEditionStamp { .. })
        ));
    }

    #[test]
    fn a_renamed_header_names_the_missing_label() {
        let bytes = render_fixture(&FixtureEdition::march_2026().broken(Breakage::RenamedHeader));
        match parse_catalogue(&bytes) {
            Err(ParseError::HeaderNotRecognised { missing, found, .. }) => {
                assert_eq!(missing, "Nom du service");
                assert!(
                    found.iter().any(|label| label == "Désignation du service"),
                    "{found:?}"
                );
            }
            other => panic!("expected HeaderNotRecognised, got {other:?}"),
        }
    }

    #[test]
    fn an_empty_secnumcloud_table_is_an_error() {
        let bytes = render_fixture(&FixtureEdition::march_2026().broken(Breakage::EmptyTable));
        assert!(matches!(
            parse_catalogue(&bytes),
            Err(ParseError::EmptyTable {
                section: "3.3.1",
                ..
            })
        ));
    }

    #[test]
    fn truncated_bytes_are_reported_as_a_truncated_pdf() {
        let bytes = render_fixture(&FixtureEdition::march_2026().broken(Breakage::Truncated));
        assert!(matches!(
            parse_catalogue(&bytes),
            Err(ParseError::Truncated { .. })
        ));
    }

    #[test]
    fn bytes_that_are_not_a_pdf_are_rejected() {
        let error = parse_catalogue(b"<!doctype html><html>maintenance</html>").unwrap_err();
        assert!(matches!(error, ParseError::NotPdf { .. }));
        assert!(error.to_string().contains("not a PDF"));
    }

    #[test]
    fn a_catalogue_without_section_3_3_names_the_section() {
        let bytes = render_fixture(&FixtureEdition::march_2026().broken(Breakage::MissingSection));
        assert!(matches!(
            parse_catalogue(&bytes),
            Err(ParseError::SectionNotFound { section: "3.3", .. })
        ));
    }

    #[test]
    fn fixtures_are_deterministic() {
        for edition in [
            FixtureEdition::december_2025(),
            FixtureEdition::march_2026(),
        ] {
            assert_eq!(render_fixture(&edition), render_fixture(&edition));
        }
    }

    /// Where the real editions and their CSVs are: the variable names the ANSSI data folder (the CSVs,
    /// with the PDFs in `real-editions/`) or the `real-editions` folder itself (CSVs in its parent).
    fn real_edition_file(folder: &Path, name: &str) -> PathBuf {
        [
            folder.join(name),
            folder.join("real-editions").join(name),
            folder.join("..").join(name),
        ]
        .into_iter()
        .find(|path| path.is_file())
        .unwrap_or_else(|| panic!("{name} not found in {} nor beside it", folder.display()))
    }

    #[test]
    fn the_parser_reads_the_real_editions_exactly() {
        let Some(folder) = std::env::var_os("REGISTRE_ANSSI_REAL_EDITIONS") else {
            println!(
                "skipped: set REGISTRE_ANSSI_REAL_EDITIONS to the ANSSI data folder to check the real editions"
            );
            return;
        };
        let folder = PathBuf::from(folder);
        let mut editions = Vec::new();
        for (stamp, rows) in [("2025-12-05", 16), ("2026-03-04", 17)] {
            let bytes = std::fs::read(real_edition_file(
                &folder,
                &format!("catalogue-{stamp}.pdf"),
            ))
            .unwrap();
            let started = std::time::Instant::now();
            let edition = parse_catalogue(&bytes).unwrap_or_else(|e| panic!("{stamp}: {e}"));
            let elapsed = started.elapsed();
            // Under a second per edition in release; debug builds are several times slower.
            let budget = if cfg!(debug_assertions) { 30.0 } else { 1.0 };
            assert!(elapsed.as_secs_f64() < budget, "{stamp} took {elapsed:?}");
            println!("{stamp}: {} bytes parsed in {elapsed:?}", bytes.len());
            assert_eq!(edition.secnumcloud.len(), rows);
            assert_secnumcloud_matches_csv(
                &edition,
                &real_edition_file(&folder, &format!("catalogue-{stamp}_secnumcloud.csv")),
            );
            assert!(
                edition.problems.is_empty(),
                "{stamp}: {:?}",
                edition.problems
            );
            editions.push(edition);
        }

        let march = &editions[1];
        let expected = expected_json();
        let records: Vec<Value> = march
            .secnumcloud
            .iter()
            .map(|service| record(service, march))
            .collect();
        assert_eq!(Value::Array(records), expected["records"]);
        let diff = diff_secnumcloud(&editions[0].secnumcloud, &march.secnumcloud);
        assert_eq!(diff.added.len(), 1);
        assert_eq!(diff.added[0].decision.key().to_string(), "2025_2057");
        assert!(diff.removed.is_empty());
        assert_eq!(diff.changed.len(), 1);
        assert_eq!(
            (
                diff.changed[0].before.as_str(),
                diff.changed[0].after.as_str()
            ),
            ("IaaS", "IaaS Cloud on Demand")
        );

        // The sample rows of the other tables are among what the real edition gives.
        let path = real_edition_file(&folder, "catalogue-2026-03-04_other-services_sample.csv");
        let headers = csv_headers(&path);
        for row in csv_rows(&path) {
            let f = |name: &str| field(&headers, &row, name);
            let found = march.qualified_services.iter().any(|s| {
                s.qualification.acronym() == f("qualification")
                    && s.supplier == f("nom_du_fournisseur")
                    && s.valid_from.format("%d/%m/%Y").to_string() == f("date_debut")
                    && s.valid_until.format("%d/%m/%Y").to_string() == f("date_fin")
                    && s.decision.as_ref().map(|d| d.url.as_str()) == Some(f("decision_url"))
            });
            assert!(
                found,
                "{} {} not read from the real edition",
                f("qualification"),
                f("nom_du_fournisseur")
            );
        }
        let path = real_edition_file(&folder, "catalogue-2026-03-04_cspn_sample.csv");
        let headers = csv_headers(&path);
        for row in csv_rows(&path) {
            let f = |name: &str| field(&headers, &row, name);
            let found = march.cspn.iter().any(|c| {
                c.developer == f("nom_du_developpeur")
                    && c.product == f("nom_du_produit")
                    && c.reference == f("reference_certificat")
                    && c.valid_until.map_or("Non maintenu".to_string(), |d| {
                        d.format("%d/%m/%Y").to_string()
                    }) == f("date_fin_certification")
                    && c.certificate_url.as_deref() == Some(f("url_certificat"))
            });
            assert!(
                found,
                "CSPN {} not read from the real edition",
                f("reference_certificat")
            );
        }
    }
}
