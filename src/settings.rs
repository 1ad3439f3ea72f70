//! Configuration: command-line flags over `REGISTRE_*` environment variables over defaults,
//! validated at start with the offending setting named. Secrets are never logged.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

/// Where the service keeps its data and how it is reached.
#[derive(Debug, Clone, Args)]
pub struct SettingsArgs {
    /// Address to listen on.
    #[arg(long, env = "REGISTRE_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Directory for the embedded database (and, later, the search index).
    #[arg(long, env = "REGISTRE_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// Database URL; defaults to SQLite in the data directory. `postgres://...` for PostgreSQL.
    #[arg(long, env = "REGISTRE_DATABASE_URL")]
    pub database_url: Option<String>,
    /// An admin token to accept (at least 16 characters). Without one, the first start prints a new token.
    #[arg(long, env = "REGISTRE_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// Do not refresh the official sources on a schedule (run `registre refresh` from cron instead).
    #[arg(long, env = "REGISTRE_NO_SCHEDULE")]
    pub no_schedule: bool,
    /// The site's public address, for absolute URLs (sitemap, downloads, JSON-LD); defaults to
    /// `http://<listen>`.
    #[arg(long, env = "REGISTRE_PUBLIC_URL")]
    pub public_url: Option<String>,
}

#[derive(Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub admin_token: Option<String>,
    /// Fill an empty database from the bundled dataset.
    pub load_bundled_dataset: bool,
    /// Where the official sources are fetched from.
    pub sources: SourcesSetting,
    /// Refresh the sources on their intervals while serving.
    pub schedule_sources: bool,
    /// The site's public address, without a trailing `/` (`https://registre.example.gouv.fr`).
    pub public_url: String,
}

/// The official sources' configuration: `REGISTRE_SOURCE_<ID>_URL` / `_INTERVAL_HOURS`, or given
/// explicitly (tests point them at local servers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourcesSetting {
    FromEnvironment,
    Explicit(Vec<registre_indexer::sources::contract::SourceConfig>),
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("database_url", &redact(&self.database_url))
            .field("admin_token", &self.admin_token.as_ref().map(|_| "<set>"))
            .field("public_url", &self.public_url)
            .finish()
    }
}

/// A setting that cannot be used, named as the user wrote it.
#[derive(Debug, thiserror::Error)]
#[error("invalid setting {key}: {message}")]
pub struct SettingsError {
    pub key: &'static str,
    pub message: String,
}

/// Hides a password in a database URL before it is shown anywhere.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl SettingsArgs {
    pub fn validate(self) -> Result<Settings, SettingsError> {
        let listen = self.listen.parse().map_err(|_| SettingsError {
            key: "--listen / REGISTRE_LISTEN",
            message: format!("'{}' is not an address such as 127.0.0.1:8080", self.listen),
        })?;
        if self.data_dir.as_os_str().is_empty() {
            return Err(SettingsError {
                key: "--data-dir / REGISTRE_DATA_DIR",
                message: "must not be empty".into(),
            });
        }
        let database_url = match self.database_url.filter(|url| !url.trim().is_empty()) {
            Some(url)
                if url.starts_with("sqlite:")
                    || url.starts_with("postgres://")
                    || url.starts_with("postgresql://") =>
            {
                url
            }
            Some(url) => {
                return Err(SettingsError {
                    key: "--database-url / REGISTRE_DATABASE_URL",
                    message: format!(
                        "'{}' must start with sqlite:, postgres:// or postgresql://",
                        redact(&url)
                    ),
                });
            }
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("registre.db").display()
            ),
        };
        if let Some(token) = &self.admin_token
            && token.trim().len() < 16
        {
            return Err(SettingsError {
                key: "--admin-token / REGISTRE_ADMIN_TOKEN",
                message: "must be at least 16 characters".into(),
            });
        }
        let public_url = match self.public_url.filter(|url| !url.trim().is_empty()) {
            Some(url) => public_url(url.trim()).map_err(|message| SettingsError {
                key: "--public-url / REGISTRE_PUBLIC_URL",
                message,
            })?,
            None => format!("http://{listen}"),
        };
        Ok(Settings {
            listen,
            data_dir: self.data_dir,
            database_url,
            admin_token: self.admin_token.map(|t| t.trim().to_owned()),
            load_bundled_dataset: true,
            sources: SourcesSetting::FromEnvironment,
            schedule_sources: !self.no_schedule,
            public_url,
        })
    }
}

/// An absolute `http://` or `https://` address of the site's root: a host, an optional port, no
/// path, query or fragment (the pages are served from the root). The trailing `/` is dropped.
fn public_url(url: &str) -> Result<String, String> {
    let refused = |why: &str| Err(format!("'{url}' {why}"));
    let Some((scheme, rest)) = url.split_once("://") else {
        return refused("must start with http:// or https://");
    };
    if scheme != "http" && scheme != "https" {
        return refused("must start with http:// or https://");
    }
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if authority.is_empty() {
        return refused("names no host");
    }
    if authority.contains(['/', '?', '#', '@']) || authority.chars().any(char::is_whitespace) {
        return refused("must be the site's root: a host and an optional port, nothing after");
    }
    // `[::1]:8080` (IPv6) or `host:8080`.
    let (host, port) = match authority.strip_prefix('[') {
        Some(bracketed) => match bracketed.split_once(']') {
            Some((host, "")) => (host, None),
            Some((host, after)) if after.starts_with(':') => (host, Some(&after[1..])),
            _ => return refused("has a malformed [address]"),
        },
        None => match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    if port.is_some_and(|port| port.parse::<u16>().is_err()) {
        return refused("has a port that is not a number");
    }
    if host.is_empty() {
        return refused("names no host");
    }
    Ok(format!("{scheme}://{authority}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(listen: &str, database_url: Option<&str>) -> SettingsArgs {
        SettingsArgs {
            listen: listen.into(),
            data_dir: "./data".into(),
            database_url: database_url.map(str::to_owned),
            admin_token: None,
            no_schedule: false,
            public_url: None,
        }
    }

    #[test]
    fn a_bad_listen_address_is_refused_naming_the_setting() {
        let error = args("localhost", None).validate().unwrap_err();
        assert!(error.key.contains("REGISTRE_LISTEN"));
    }

    #[test]
    fn the_default_database_is_sqlite_in_the_data_directory() {
        let settings = args("127.0.0.1:0", None).validate().unwrap();
        assert!(settings.database_url.starts_with("sqlite://"));
        assert!(settings.database_url.contains("registre.db"));
    }

    #[test]
    fn an_unknown_database_scheme_is_refused_without_showing_the_password() {
        let error = args("127.0.0.1:0", Some("mysql://u:secret@h/db"))
            .validate()
            .unwrap_err();
        assert!(error.key.contains("REGISTRE_DATABASE_URL"));
        assert!(!error.message.contains("secret"));
    }

    #[test]
    fn the_public_url_defaults_to_the_listening_address() {
        let settings = args("127.0.0.1:9090", None).validate().unwrap();
        assert_eq!(settings.public_url, "http://127.0.0.1:9090");
    }

    #[test]
    fn a_public_url_is_kept_without_its_trailing_slash() {
        let mut given = args("127.0.0.1:0", None);
        given.public_url = Some("https://registre.example.gouv.fr/".into());
        let settings = given.validate().unwrap();
        assert_eq!(settings.public_url, "https://registre.example.gouv.fr");
        let mut with_port = args("127.0.0.1:0", None);
        with_port.public_url = Some("http://localhost:8080".into());
        assert_eq!(
            with_port.validate().unwrap().public_url,
            "http://localhost:8080"
        );
    }

    #[test]
    fn a_public_url_that_is_not_a_site_root_is_refused_naming_the_setting() {
        for bad in [
            "registre.example.gouv.fr",
            "ftp://registre.example.gouv.fr",
            "https://",
            "https://registre.example.gouv.fr/sous-dossier",
            "https://registre.example.gouv.fr?x=1",
            "https://registre.example.gouv.fr:port",
        ] {
            let mut given = args("127.0.0.1:0", None);
            given.public_url = Some(bad.into());
            let error = given.validate().unwrap_err();
            assert!(error.key.contains("REGISTRE_PUBLIC_URL"), "{bad}");
        }
    }
}
