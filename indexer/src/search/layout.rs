//! Where index generations live on disk and which one is live.
//!
//! ```text
//! <data_dir>/index/
//!     CURRENT                 the name of the live generation, replaced by an atomic rename
//!     gen-<millis>-<pid>/     one complete tantivy index, with registre-index.json beside its files
//! ```
//!
//! A rebuild fills a fresh generation directory; only once it is committed and validated does
//! CURRENT name it. A crash at any point leaves CURRENT naming a complete index (or nothing, on a
//! first start), never a half-built one; unreferenced generations are removed on the next start.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

const CURRENT: &str = "CURRENT";
const META: &str = "registre-index.json";
const PREFIX: &str = "gen-";

/// What Registre writes beside a generation's tantivy files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct GenerationMeta {
    /// `schema::schema_version()` of the code that built it.
    pub schema: String,
    /// Documents at the end of the build.
    pub documents: u64,
    pub built_at: String,
    /// Whether the rebuild's segments have been merged into one per search thread (see
    /// `segments`). A generation is published before that merge ends; one whose merge was cut short
    /// (the process stopped) is merged again when it is next opened. Generations written before
    /// this field existed were merged before being published.
    #[serde(default = "merged_before_publishing")]
    pub merged: bool,
}

fn merged_before_publishing() -> bool {
    true
}

#[derive(Debug, Clone)]
pub(crate) struct Layout {
    root: PathBuf,
}

impl Layout {
    pub(crate) fn new(root: impl Into<PathBuf>) -> io::Result<Self> {
        let root = root.into();
        fs::create_dir_all(&root)?;
        Ok(Self { root })
    }

    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// The live generation's directory, if CURRENT names one that exists.
    pub(crate) fn current(&self) -> Option<PathBuf> {
        let name = fs::read_to_string(self.root.join(CURRENT)).ok()?;
        let name = name.trim();
        let valid = name.starts_with(PREFIX) && !name.contains(['/', '\\']) && name != PREFIX;
        let path = self.root.join(name);
        (valid && path.is_dir()).then_some(path)
    }

    /// A new, empty generation directory.
    pub(crate) fn new_generation(&self) -> io::Result<PathBuf> {
        let millis = chrono::Utc::now().timestamp_millis();
        let mut attempt = 0;
        loop {
            let path = self
                .root
                .join(format!("{PREFIX}{millis}-{}-{attempt}", std::process::id()));
            match fs::create_dir(&path) {
                Ok(()) => return Ok(path),
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => {
                    attempt += 1;
                }
                Err(error) => return Err(error),
            }
        }
    }

    pub(crate) fn read_meta(generation: &Path) -> Option<GenerationMeta> {
        let text = fs::read_to_string(generation.join(META)).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Writes the metadata aside, then renames it over the previous one: it is rewritten once a
    /// live generation's merge ends, and a crash meanwhile must leave the old one whole.
    pub(crate) fn write_meta(generation: &Path, meta: &GenerationMeta) -> io::Result<()> {
        let text = serde_json::to_string_pretty(meta).expect("metadata serialises");
        replace_durably(generation, META, text.as_bytes())
    }

    /// Makes `generation` the live one: CURRENT is written aside, synced, then renamed over the old
    /// one, which the file system does atomically.
    pub(crate) fn publish(&self, generation: &Path) -> io::Result<()> {
        let name = generation
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| io::Error::other("a generation directory has a UTF-8 name"))?;
        replace_durably(&self.root, CURRENT, format!("{name}\n").as_bytes())
    }

    /// Removes every generation but `keep` (unfinished builds, replaced generations).
    pub(crate) fn remove_others(&self, keep: Option<&Path>) {
        let Ok(entries) = fs::read_dir(&self.root) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let is_generation = entry
                .file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(PREFIX));
            if is_generation
                && Some(path.as_path()) != keep
                && path.is_dir()
                && let Err(error) = fs::remove_dir_all(&path)
            {
                tracing::warn!(path = %path.display(), %error, "cannot remove an old index generation");
            }
        }
    }
}

fn write_durably(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = fs::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Replaces `directory/name` with `bytes` whole: written aside and synced, renamed over the old
/// file, then the directory synced, so that a crash leaves the old file or the new one, never half
/// of one.
fn replace_durably(directory: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    let staged = directory.join(format!("{name}.next"));
    write_durably(&staged, bytes)?;
    fs::rename(&staged, directory.join(name))?;
    if let Ok(directory) = fs::File::open(directory) {
        let _ = directory.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publishing_switches_current_and_leaves_only_the_live_generation() {
        let dir = std::env::temp_dir().join(format!("registre-layout-{}", std::process::id()));
        let layout = Layout::new(&dir).unwrap();
        assert_eq!(layout.current(), None);
        let first = layout.new_generation().unwrap();
        layout.publish(&first).unwrap();
        assert_eq!(layout.current(), Some(first.clone()));
        let second = layout.new_generation().unwrap();
        assert_ne!(first, second);
        layout.publish(&second).unwrap();
        layout.remove_others(Some(&second));
        assert_eq!(layout.current(), Some(second));
        assert!(!first.exists());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn metadata_is_rewritten_whole_and_older_metadata_reads_as_merged() {
        let dir = std::env::temp_dir().join(format!("registre-meta-{}", std::process::id()));
        let layout = Layout::new(&dir).unwrap();
        let generation = layout.new_generation().unwrap();
        let mut meta = GenerationMeta {
            schema: "3-x".to_owned(),
            documents: 12,
            built_at: "2026-12-01T00:00:00Z".to_owned(),
            merged: false,
        };
        Layout::write_meta(&generation, &meta).unwrap();
        assert_eq!(Layout::read_meta(&generation), Some(meta.clone()));
        meta.merged = true;
        Layout::write_meta(&generation, &meta).unwrap();
        assert_eq!(Layout::read_meta(&generation), Some(meta));
        let names: Vec<String> = fs::read_dir(&generation)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec![META.to_owned()]);
        // What the code before the `merged` field wrote.
        fs::write(
            generation.join(META),
            r#"{"schema":"3-x","documents":12,"built_at":"2026-11-01T00:00:00Z"}"#,
        )
        .unwrap();
        assert!(Layout::read_meta(&generation).unwrap().merged);
        fs::remove_dir_all(dir).unwrap();
    }
}
