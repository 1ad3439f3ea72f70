//! The static files (DSFR's vendored build and Registre's own stylesheet), embedded at build time and
//! served under `/static/<fingerprint>/<path>`: the fingerprint is a hash of every file, so a URL's
//! content never changes and can be cached for a year (`immutable`). Text files are gzipped once, at
//! start, for the clients that accept it.

use std::collections::HashMap;
use std::io::Write;

use poem::http::{StatusCode, header};
use poem::{Request, Response};
use sha2::{Digest, Sha256};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/assets.rs"));
}

/// One asset, ready to send.
struct Asset {
    content_type: &'static str,
    body: &'static [u8],
    /// Present when gzip makes the file smaller (text formats).
    gzipped: Option<Vec<u8>>,
}

/// The embedded assets and the fingerprint of the whole set.
pub struct Assets {
    fingerprint: String,
    files: HashMap<&'static str, Asset>,
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ico" => "image/x-icon",
        "png" => "image/png",
        "md" | "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// gzip at the best level: done once per file at start.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(bytes)
        .expect("writing to memory cannot fail");
    encoder.finish().expect("writing to memory cannot fail")
}

/// Whether the client said it accepts gzip.
pub fn accepts_gzip(request: &Request) -> bool {
    request
        .headers()
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|coding| {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or_default().trim();
            let refused = parts.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00"));
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

impl Assets {
    pub fn embedded() -> Self {
        let mut hasher = Sha256::new();
        let mut files = HashMap::new();
        for (path, body) in embedded::FILES {
            hasher.update(path.as_bytes());
            hasher.update([0]);
            hasher.update(body);
            let content_type = content_type(path);
            let compressible = content_type.starts_with("text/")
                || content_type == "image/svg+xml"
                || content_type == "image/x-icon";
            let gzipped = compressible
                .then(|| gzip(body))
                .filter(|gzipped| gzipped.len() < body.len());
            files.insert(
                *path,
                Asset {
                    content_type,
                    body,
                    gzipped,
                },
            );
        }
        let digest = hasher.finalize();
        let fingerprint = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        Self { fingerprint, files }
    }

    /// The URL of an asset, e.g. `/static/1a2b3c4d5e6f/dsfr/dsfr.min.css`.
    pub fn url(&self, path: &str) -> String {
        debug_assert!(self.files.contains_key(path), "unknown asset {path}");
        format!("/static/{}/{path}", self.fingerprint)
    }

    /// Answers `/static/<fingerprint>/<path>`; `None` when there is no such file. A URL with an older
    /// fingerprint (a page cached across a deployment) still gets the file, but not for keeps.
    pub fn respond(&self, fingerprint: &str, path: &str, request: &Request) -> Option<Response> {
        let asset = self.files.get(path)?;
        let cache = if fingerprint == self.fingerprint {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        let mut response = Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, asset.content_type)
            .header(header::CACHE_CONTROL, cache)
            .header(header::VARY, "Accept-Encoding");
        let body: Vec<u8> = match &asset.gzipped {
            Some(gzipped) if accepts_gzip(request) => {
                response = response.header(header::CONTENT_ENCODING, "gzip");
                gzipped.clone()
            }
            _ => asset.body.to_vec(),
        };
        Some(response.body(body))
    }
}
