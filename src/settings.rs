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
        Ok(Settings {
            listen,
            data_dir: self.data_dir,
            database_url,
            admin_token: self.admin_token.map(|t| t.trim().to_owned()),
            load_bundled_dataset: true,
            sources: SourcesSetting::FromEnvironment,
            schedule_sources: !self.no_schedule,
        })
    }
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
}
