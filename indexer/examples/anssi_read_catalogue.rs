//! Reads ANSSI catalogue PDFs and prints what the parser finds: a quick look at a new edition.
//!
//! `cargo run --release -p registre-indexer --example anssi_read_catalogue -- catalogue.pdf [more.pdf…]`

use registre_indexer::sources::anssi_catalogue::parse_catalogue;

fn main() {
    for path in std::env::args().skip(1) {
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(error) => {
                eprintln!("{path}: {error}");
                continue;
            }
        };
        let started = std::time::Instant::now();
        let result = parse_catalogue(&bytes);
        println!("== {path} ({:?})", started.elapsed());
        let edition = match result {
            Ok(edition) => edition,
            Err(error) => {
                println!("error: {error}");
                continue;
            }
        };
        println!(
            "{} {} — SecNumCloud {}, other services {}, CSPN {}",
            edition.updated_at,
            edition.label.as_deref().unwrap_or("(no label)"),
            edition.secnumcloud.len(),
            edition.qualified_services.len(),
            edition.cspn.len()
        );
        for problem in &edition.problems {
            println!("problem: {problem}");
        }
        for service in &edition.secnumcloud {
            let models: Vec<&str> = service
                .service_models
                .iter()
                .map(|model| model.label())
                .collect();
            println!(
                "{} | {} | {} | {} → {} | {} | {}",
                service.supplier,
                service.service,
                models.join("+"),
                service.valid_from,
                service.valid_until,
                service.decision.key(),
                service.recommendation.map_or("-", |level| level.as_str())
            );
        }
    }
}
