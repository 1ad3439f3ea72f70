//! The open-data dump (Licence Ouverte / Etalab 2.0): suppliers, offers, attestations (with their
//! provenance) and the official sources' changes, one gzipped JSON Lines file per record type, and a
//! manifest (counts, sizes, checksums, date, licence). Written from the store, regenerated after each
//! source run that applied an edition, served at `/donnees` (page) and `/donnees/{file}` (files).
//!
//! A dump is written into a fresh generation directory and published by renaming a `CURRENT` file
//! naming it, so that a reader never sees half a dump: it reads `CURRENT`, then the files of that
//! generation. The previous generation is kept for readers in flight; older ones are removed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use poem::http::{StatusCode, header};
use poem::web::{Data, Path as PathParam};
use poem::{Body, Request, Response, handler};
use registre_domain::model::{Key, Record};
use registre_domain::sovereignty::{assess_offer, assess_supplier};
use registre_domain::taxonomy::{ExposureLevel, Status};
use registre_store::{PageRequest, Store, StoreError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Web;
use crate::errors::{internal, not_found};
use crate::language::Lang;
use crate::pages::{path_and_query, render_page};
use crate::render::{Html, Layout};

pub const LICENCE_NAME: &str = "Licence Ouverte / Open Licence version 2.0 (Etalab)";
pub const LICENCE_URL: &str = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/";
/// The manifest's own file name, served beside the data files.
pub const MANIFEST: &str = "manifest.json";
/// The file naming the published generation.
const CURRENT: &str = "CURRENT";

/// Suppliers read per round (each with its offers and attestations).
const SUPPLIERS_PER_SLICE: u64 = 500;
/// Changes read per round.
const CHANGES_PER_PAGE: u64 = 1_000;

/// The record types of the dump, in file order: `(record type, file name)`.
pub const FILES: [(&str, &str); 4] = [
    ("supplier", "suppliers.jsonl.gz"),
    ("offer", "offers.jsonl.gz"),
    ("attestation", "attestations.jsonl.gz"),
    ("change", "changes.jsonl.gz"),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Licence {
    pub name: String,
    pub url: String,
}

/// One file of the dump.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DumpFile {
    pub name: String,
    /// `supplier`, `offer`, `attestation` or `change`.
    pub record_type: String,
    /// Lines (records) in the file.
    pub records: u64,
    /// Size of the gzipped file.
    pub bytes: u64,
    /// SHA-256 of the gzipped file, hexadecimal.
    pub sha256: String,
}

/// What a dump holds: written last, beside the files it describes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub generated_at: DateTime<Utc>,
    /// The day validity and exposure were judged on.
    pub judged_on: NaiveDate,
    pub licence: Licence,
    pub publisher: String,
    pub format: String,
    /// The latest audit event the dump reflects: a dump with an older one is out of date.
    pub last_event_id: i64,
    pub files: Vec<DumpFile>,
}

impl Manifest {
    pub fn file(&self, name: &str) -> Option<&DumpFile> {
        self.files.iter().find(|f| f.name == name)
    }

    pub fn records(&self, record_type: &str) -> Option<u64> {
        self.files
            .iter()
            .find(|f| f.record_type == record_type)
            .map(|f| f.records)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DumpError {
    #[error("reading the store: {0}")]
    Store(#[from] StoreError),
    #[error("writing {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("encoding a record: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the dump writer stopped: {0}")]
    Writer(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DumpError + '_ {
    move |source| DumpError::Io {
        path: path.to_owned(),
        source,
    }
}

/// A record as one line: its identity, its data, and what Registre computes from it.
#[derive(Serialize)]
struct Line<'a, T: Serialize> {
    id: i64,
    key: &'a Key,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    #[serde(flatten)]
    data: &'a T,
    /// Suppliers and offers: the exposure to extra-EU law on `judged_on`.
    #[serde(skip_serializing_if = "Option::is_none")]
    exposure: Option<ExposureLevel>,
    /// Attestations: the status that holds on `judged_on` (an end date past is `expired`).
    #[serde(skip_serializing_if = "Option::is_none")]
    status_on_judged_day: Option<Status>,
}

fn line<T: Serialize>(
    out: &mut Vec<u8>,
    record: &Record<T>,
    exposure: Option<ExposureLevel>,
    status: Option<Status>,
) -> Result<(), serde_json::Error> {
    serde_json::to_writer(
        &mut *out,
        &Line {
            id: record.id,
            key: &record.key,
            version: record.version,
            created_at: record.created_at,
            updated_at: record.updated_at,
            data: &record.data,
            exposure,
            status_on_judged_day: status,
        },
    )?;
    out.push(b'\n');
    Ok(())
}

/// A batch of lines for one file.
struct Batch {
    file: usize,
    lines: Vec<u8>,
    records: u64,
}

/// Counts and hashes what goes through it.
struct Tally<W> {
    inner: W,
    bytes: u64,
    hash: Sha256,
}

impl<W: Write> Write for Tally<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.bytes += written as u64;
        self.hash.update(&buf[..written]);
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

type Encoder = flate2::write::GzEncoder<Tally<std::io::BufWriter<std::fs::File>>>;

/// The blocking side: gzips batches into the files of `dir`.
fn write_files(
    dir: &Path,
    mut batches: tokio::sync::mpsc::Receiver<Batch>,
) -> Result<Vec<DumpFile>, DumpError> {
    let mut encoders: Vec<(Encoder, u64)> = Vec::new();
    for (_, name) in FILES {
        let path = dir.join(name);
        let file = std::fs::File::create(&path).map_err(io(&path))?;
        let tally = Tally {
            inner: std::io::BufWriter::new(file),
            bytes: 0,
            hash: Sha256::new(),
        };
        encoders.push((
            flate2::write::GzEncoder::new(tally, flate2::Compression::default()),
            0,
        ));
    }
    while let Some(batch) = batches.blocking_recv() {
        let (encoder, records) = &mut encoders[batch.file];
        let path = dir.join(FILES[batch.file].1);
        encoder.write_all(&batch.lines).map_err(io(&path))?;
        *records += batch.records;
    }
    let mut files = Vec::new();
    for ((record_type, name), (encoder, records)) in FILES.iter().zip(encoders) {
        let path = dir.join(name);
        let mut tally = encoder.finish().map_err(io(&path))?;
        tally.flush().map_err(io(&path))?;
        let file = tally
            .inner
            .into_inner()
            .map_err(|e| io(&path)(e.into_error()))?;
        file.sync_all().map_err(io(&path))?;
        files.push(DumpFile {
            name: (*name).to_owned(),
            record_type: (*record_type).to_owned(),
            records,
            bytes: tally.bytes,
            sha256: hex(&tally.hash.finalize()),
        });
    }
    Ok(files)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads the whole catalogue and the changes in bounded slices and sends them as lines.
async fn read_store(
    store: &Store,
    today: NaiveDate,
    out: &tokio::sync::mpsc::Sender<Batch>,
) -> Result<(), DumpError> {
    let send = |batch: Batch| async move {
        out.send(batch)
            .await
            .map_err(|_| DumpError::Writer("the file writer stopped early".to_owned()))
    };
    let mut after = None;
    loop {
        let slice = store.catalogue_slice(after, SUPPLIERS_PER_SLICE).await?;
        let Some(last) = slice.suppliers.last() else {
            break;
        };
        after = Some(last.id);
        let mut suppliers = Vec::new();
        for supplier in &slice.suppliers {
            line(
                &mut suppliers,
                supplier,
                Some(assess_supplier(supplier).level),
                None,
            )?;
        }
        let mut offers = Vec::new();
        for offer in &slice.offers {
            let supplier = slice
                .suppliers
                .iter()
                .find(|s| s.id == offer.data.supplier_id);
            let exposure = supplier.map(|supplier| {
                let held: Vec<_> = slice
                    .attestations
                    .iter()
                    .filter(|a| a.data.supplier_id == supplier.id)
                    .cloned()
                    .collect();
                assess_offer(supplier, offer, &held, today).level
            });
            line(&mut offers, offer, exposure, None)?;
        }
        let mut attestations = Vec::new();
        for attestation in &slice.attestations {
            let status = attestation.data.effective_status(today);
            line(&mut attestations, attestation, None, Some(status))?;
        }
        send(Batch {
            file: 0,
            lines: suppliers,
            records: slice.suppliers.len() as u64,
        })
        .await?;
        send(Batch {
            file: 1,
            lines: offers,
            records: slice.offers.len() as u64,
        })
        .await?;
        send(Batch {
            file: 2,
            lines: attestations,
            records: slice.attestations.len() as u64,
        })
        .await?;
    }
    let mut after = None;
    loop {
        let page = store
            .list_changes(
                None,
                PageRequest {
                    after,
                    limit: CHANGES_PER_PAGE,
                },
            )
            .await?;
        let mut lines = Vec::new();
        for change in &page.items {
            serde_json::to_writer(&mut lines, change)?;
            lines.push(b'\n');
        }
        send(Batch {
            file: 3,
            lines,
            records: page.items.len() as u64,
        })
        .await?;
        match page.next_after {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    Ok(())
}

/// The day a dump judges validity and exposure on: today, in UTC.
pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// A generation's directory name: sortable, unique within the process.
fn generation_name(at: DateTime<Utc>) -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!(
        "{}-{}-{n}",
        at.format("%Y%m%dT%H%M%S%.6fZ"),
        std::process::id()
    )
}

/// Writes a new dump of `store` under `dir` and publishes it; returns its manifest. On failure the
/// published dump (if any) stays as it was.
pub async fn write_dump(
    store: &Store,
    dir: &Path,
    today: NaiveDate,
) -> Result<Manifest, DumpError> {
    tokio::fs::create_dir_all(dir).await.map_err(io(dir))?;
    let generated_at = Utc::now();
    let last_event_id = store.last_event_id().await?;
    let name = generation_name(generated_at);
    let staging = dir.join(format!(".staging-{name}"));
    tokio::fs::create_dir(&staging)
        .await
        .map_err(io(&staging))?;
    let written = async {
        let (sender, receiver) = tokio::sync::mpsc::channel(4);
        let target = staging.clone();
        let writer = tokio::task::spawn_blocking(move || write_files(&target, receiver));
        let read = read_store(store, today, &sender).await;
        drop(sender);
        let files = writer
            .await
            .map_err(|error| DumpError::Writer(error.to_string()))?;
        read?;
        let files = files?;
        let manifest = Manifest {
            generated_at,
            judged_on: today,
            licence: Licence {
                name: LICENCE_NAME.to_owned(),
                url: LICENCE_URL.to_owned(),
            },
            publisher: "Registre".to_owned(),
            format: "JSON Lines (one JSON object per line, UTF-8), gzip".to_owned(),
            last_event_id,
            files,
        };
        let path = staging.join(MANIFEST);
        tokio::fs::write(&path, serde_json::to_vec_pretty(&manifest)?)
            .await
            .map_err(io(&path))?;
        let published = dir.join(&name);
        tokio::fs::rename(&staging, &published)
            .await
            .map_err(io(&published))?;
        let pointer = dir.join(format!(".{CURRENT}-{name}"));
        tokio::fs::write(&pointer, name.as_bytes())
            .await
            .map_err(io(&pointer))?;
        tokio::fs::rename(&pointer, dir.join(CURRENT))
            .await
            .map_err(io(&pointer))?;
        Ok::<_, DumpError>(manifest)
    }
    .await;
    match written {
        Ok(manifest) => {
            remove_old_generations(dir, &name).await;
            Ok(manifest)
        }
        Err(error) => {
            let _ = tokio::fs::remove_dir_all(&staging).await;
            Err(error)
        }
    }
}

/// Keeps the new generation and the one before it (a reader may be sending its files); removes the
/// rest, including staging directories left by an interrupted run.
async fn remove_old_generations(dir: &Path, current: &str) {
    let Ok(mut entries) = tokio::fs::read_dir(dir).await else {
        return;
    };
    let mut generations = Vec::new();
    while let Ok(Some(entry)) = entries.next_entry().await {
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().await.is_ok_and(|t| t.is_dir()) {
            generations.push(name);
        }
    }
    generations.sort();
    let keep_previous = generations
        .iter()
        .filter(|g| !g.starts_with('.') && g.as_str() < current)
        .max()
        .cloned();
    for name in generations {
        // A staging directory started after this dump may be another writer's, still at work
        // (`registre refresh` beside `registre serve`); an older one was left by an interrupted run.
        let newer_staging = name
            .strip_prefix(".staging-")
            .is_some_and(|started| started > current);
        if name == current || Some(&name) == keep_previous.as_ref() || newer_staging {
            continue;
        }
        let _ = tokio::fs::remove_dir_all(dir.join(&name)).await;
    }
}

/// The published dump: its directory and manifest; `None` when there is none yet.
pub async fn current(dir: &Path) -> Option<(PathBuf, Manifest)> {
    let name = tokio::fs::read_to_string(dir.join(CURRENT)).await.ok()?;
    let name = name.trim();
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        return None;
    }
    let generation = dir.join(name);
    let manifest = tokio::fs::read(generation.join(MANIFEST)).await.ok()?;
    let manifest = serde_json::from_slice(&manifest).ok()?;
    Some((generation, manifest))
}

/// Writes a dump when there is none or when the database has changed since the published one.
pub async fn ensure_current(
    store: &Store,
    dir: &Path,
    today: NaiveDate,
) -> Result<Option<Manifest>, DumpError> {
    let last_event_id = store.last_event_id().await?;
    match current(dir).await {
        Some((_, manifest)) if manifest.last_event_id == last_event_id => Ok(None),
        _ => write_dump(store, dir, today).await.map(Some),
    }
}

/// Keeps the dump current: writes it at start when missing or out of date, then again after each
/// source run that applied an edition (`applied` changes), until `shutdown` changes. Runs that land
/// while a dump is being written are covered by one more dump after it.
pub async fn follow(
    store: Store,
    dir: PathBuf,
    mut applied: tokio::sync::watch::Receiver<u64>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    match ensure_current(&store, &dir, today()).await {
        Ok(Some(manifest)) => log_written(&manifest),
        Ok(None) => {}
        Err(error) => tracing::error!(%error, "cannot write the open-data dump"),
    }
    // A run applied while the first dump was being written is still unseen: it brings one more.
    loop {
        tokio::select! {
            changed = applied.changed() => if changed.is_err() { return },
            _ = shutdown.changed() => return,
        }
        // Seen before writing, so that a run landing while this dump is written brings another.
        applied.mark_unchanged();
        match write_dump(&store, &dir, today()).await {
            Ok(manifest) => log_written(&manifest),
            Err(error) => tracing::error!(%error, "cannot write the open-data dump"),
        }
    }
}

fn log_written(manifest: &Manifest) {
    tracing::info!(
        suppliers = manifest.records("supplier"),
        offers = manifest.records("offer"),
        attestations = manifest.records("attestation"),
        changes = manifest.records("change"),
        "open-data dump written"
    );
}

/// A size for people: `12,3 Mo` / `12.3 MB`.
fn size(lang: Lang, bytes: u64) -> String {
    let units = match lang {
        Lang::Fr => ["o", "ko", "Mo", "Go"],
        Lang::En => ["B", "kB", "MB", "GB"],
    };
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < units.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    let text = if unit == 0 {
        format!("{bytes}")
    } else {
        format!("{value:.1}")
    };
    let text = match lang {
        Lang::Fr => text.replace('.', ","),
        Lang::En => text,
    };
    format!("{text} {}", units[unit])
}

fn record_type_label(lang: Lang, record_type: &str) -> &'static str {
    match record_type {
        "supplier" => lang.pick("Fournisseurs", "Suppliers"),
        "offer" => lang.pick("Offres", "Offers"),
        "attestation" => lang.pick(
            "Qualifications et certifications (avec leur provenance)",
            "Qualifications and certifications (with their provenance)",
        ),
        "change" => lang.pick(
            "Changements vus dans les sources officielles",
            "Changes seen in the official sources",
        ),
        _ => lang.pick("Autres", "Other"),
    }
}

#[handler]
pub async fn open_data_page(
    lang: Lang,
    web: Data<&Arc<Web>>,
    request: &Request,
) -> poem::Result<Html> {
    let layout = Layout::new(
        lang,
        lang.pick("Données ouvertes", "Open data"),
        &path_and_query(request),
    );
    let dump = match &web.open_data {
        Some(dir) => current(dir).await.map(|(_, manifest)| manifest),
        None => None,
    };
    let values = dump.map(|manifest| {
        let generated = manifest.generated_at;
        serde_json::json!({
            "generated_iso": generated.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "generated_text": match lang {
                Lang::Fr => generated.format("%d/%m/%Y à %H:%M UTC").to_string(),
                Lang::En => generated.format("%Y-%m-%d at %H:%M UTC").to_string(),
            },
            "files": manifest.files.iter().map(|file| serde_json::json!({
                "url": format!("/donnees/{}", file.name),
                "name": file.name,
                "label": record_type_label(lang, &file.record_type),
                "records": file.records,
                "size": size(lang, file.bytes),
                "sha256": file.sha256,
            })).collect::<Vec<_>>(),
        })
    });
    render_page(
        &web,
        "open_data.html",
        &layout,
        serde_json::json!({
            "dump": values,
            "manifest_url": format!("/donnees/{MANIFEST}"),
            "licence_url": LICENCE_URL,
        }),
    )
}

/// `/donnees/{file}`: a file of the published dump, streamed from disk.
#[handler]
pub async fn dump_file(
    PathParam(name): PathParam<String>,
    web: Data<&Arc<Web>>,
    request: &Request,
) -> poem::Result<Response> {
    let dir = web.open_data.as_ref().ok_or_else(not_found)?;
    let (generation, manifest) = current(dir).await.ok_or_else(not_found)?;
    let day = manifest.generated_at.format("%Y-%m-%d");
    let (content_type, etag, download) = if name == MANIFEST {
        (
            "application/json",
            None,
            format!("registre-manifest-{day}.json"),
        )
    } else {
        let file = manifest.file(&name).ok_or_else(not_found)?;
        (
            "application/gzip",
            Some(format!("\"{}\"", file.sha256)),
            format!("registre-{day}-{name}"),
        )
    };
    if let Some(etag) = &etag
        && request
            .headers()
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag))
    {
        return Ok(Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .header(header::ETAG, etag.as_str())
            .finish());
    }
    let path = generation.join(&name);
    let opened = tokio::fs::File::open(&path).await.map_err(internal)?;
    let length = opened.metadata().await.map_err(internal)?.len();
    let mut response = Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CONTENT_LENGTH, length)
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{download}\""),
        )
        .header(header::CACHE_CONTROL, "no-cache");
    if let Some(etag) = etag {
        response = response.header(header::ETAG, etag);
    }
    Ok(response.body(Body::from_async_read(opened)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size(Lang::Fr, 999), "999 o");
        assert_eq!(size(Lang::Fr, 12_345), "12,3 ko");
        assert_eq!(size(Lang::En, 12_345_678), "12.3 MB");
    }

    #[test]
    fn generation_names_sort_by_time_and_never_repeat() {
        let at = Utc::now();
        let a = generation_name(at);
        let b = generation_name(at);
        assert_ne!(a, b);
        assert!(generation_name(at + chrono::Duration::seconds(1)) > a);
    }
}
