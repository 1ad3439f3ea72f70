//! Writes the generated ANSSI catalogue fixtures into `indexer/tests/data/anssi/`.
//!
//! The tests render the same PDFs in memory and never read these files; they are kept for people
//! (to open and look at) and for tools outside the Rust tests.
//!
//! `cargo run -p registre-indexer --example anssi_fixtures`

use std::path::Path;

use registre_indexer::sources::anssi_catalogue::fixture::{
    Breakage, FixtureEdition, render_fixture,
};

fn main() -> std::io::Result<()> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/anssi");
    std::fs::create_dir_all(&folder)?;
    let mut files = vec![
        (
            "catalogue-2025-12-05_fixture.pdf".to_string(),
            render_fixture(&FixtureEdition::december_2025()),
        ),
        (
            "catalogue-2026-03-04_fixture.pdf".to_string(),
            render_fixture(&FixtureEdition::march_2026()),
        ),
    ];
    for breakage in Breakage::ALL {
        let bytes = render_fixture(&FixtureEdition::march_2026().broken(breakage));
        files.push((
            format!(
                "catalogue-2026-03-04_fixture_broken-{}.pdf",
                breakage.name()
            ),
            bytes,
        ));
    }
    for (name, bytes) in files {
        std::fs::write(folder.join(&name), &bytes)?;
        println!("{name}: {} bytes", bytes.len());
    }
    Ok(())
}
