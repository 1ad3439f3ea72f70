//! The contract every official source follows: an id, a URL from configuration, an interval, and
//! its own parser turning the fetched body into an `Edition`. Adding a source is one module that
//! implements `Source`, plus one line in `all()`.

use std::time::Duration;

use registre_domain::observation::Edition;

pub trait Source: Send + Sync {
    /// `anssi-catalogue`, `anssi-in-qualification`, `ans-hds`, `acn-cloud`, `eu-cloud-coc`.
    fn id(&self) -> &'static str;
    /// The official address, used unless `REGISTRE_SOURCE_<ID>_URL` says otherwise.
    fn default_url(&self) -> &'static str;
    /// Refuses a body of the wrong kind (an HTML error page where a PDF was expected) before parsing.
    fn check_body(&self, content_type: Option<&str>, bytes: &[u8]) -> Result<(), String>;
    /// Reads one edition; the error says what in the layout was not recognised.
    fn parse(&self, bytes: &[u8]) -> Result<Edition, String>;
}

/// Every source Registre knows.
pub fn all() -> Vec<Box<dyn Source>> {
    vec![
        Box::new(super::anssi::AnssiCatalogue),
        Box::new(super::in_qualification::AnssiInQualification),
        Box::new(super::hds::AnsHds),
        Box::new(super::acn::AcnCloud),
        Box::new(super::eu_coc::EuCloudCoc),
    ]
}

pub fn find(id: &str) -> Option<Box<dyn Source>> {
    all().into_iter().find(|source| source.id() == id)
}

/// The environment variable naming a setting of a source: `REGISTRE_SOURCE_ANSSI_CATALOGUE_URL`.
pub fn variable(id: &str, setting: &str) -> String {
    format!(
        "REGISTRE_SOURCE_{}_{setting}",
        id.to_uppercase().replace('-', "_")
    )
}

/// Where and how often a source is fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceConfig {
    pub id: &'static str,
    pub url: String,
    pub interval: Duration,
}

pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(24 * 3600);

impl SourceConfig {
    /// Reads `REGISTRE_SOURCE_<ID>_URL` and `REGISTRE_SOURCE_<ID>_INTERVAL_HOURS` over the defaults.
    pub fn from_env(source: &dyn Source) -> Result<Self, String> {
        let url_variable = variable(source.id(), "URL");
        let url = std::env::var(&url_variable).unwrap_or_else(|_| source.default_url().to_owned());
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(format!("{url_variable}: '{url}' is not an http(s) URL"));
        }
        let interval_variable = variable(source.id(), "INTERVAL_HOURS");
        let interval = match std::env::var(&interval_variable) {
            Err(_) => DEFAULT_INTERVAL,
            Ok(hours) => match hours.parse::<f64>() {
                Ok(h) if h > 0.0 && h <= 24.0 * 31.0 => Duration::from_secs_f64(h * 3600.0),
                _ => {
                    return Err(format!(
                        "{interval_variable}: '{hours}' is not a number of hours between 0 and 744"
                    ));
                }
            },
        };
        Ok(Self {
            id: source.id(),
            url,
            interval,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_variables_are_upper_snake_case() {
        assert_eq!(
            variable("anssi-catalogue", "URL"),
            "REGISTRE_SOURCE_ANSSI_CATALOGUE_URL"
        );
        assert_eq!(
            variable("eu-cloud-coc", "URL"),
            "REGISTRE_SOURCE_EU_CLOUD_COC_URL"
        );
    }
}
