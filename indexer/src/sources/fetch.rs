//! Fetching an official source over HTTP: timeouts, retries with exponential backoff and jitter on
//! server and network errors (never on 4xx), conditional GET, a body size limit, and a User-Agent
//! that names Registre and a contact address.

use std::time::Duration;

use futures_util::StreamExt;
use rand::Rng;
use reqwest::StatusCode;
use reqwest::header::{
    CONTENT_LENGTH, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
};

/// The contact address sent to the sources unless `REGISTRE_CONTACT_EMAIL` names the operator's own.
pub const DEFAULT_CONTACT: &str = "registre@numerique.gouv.fr";

/// How patient and how generous a fetch is.
#[derive(Debug, Clone)]
pub struct FetchPolicy {
    pub connect_timeout: Duration,
    /// For the whole exchange, body included, per attempt.
    pub total_timeout: Duration,
    /// Attempts after the first one.
    pub retries: u32,
    /// The first backoff; it doubles at each retry, plus up to as much random jitter.
    pub backoff: Duration,
    pub max_body_bytes: usize,
    pub user_agent: String,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(120),
            retries: 3,
            backoff: Duration::from_secs(2),
            max_body_bytes: 64 * 1024 * 1024,
            user_agent: user_agent(
                &std::env::var("REGISTRE_CONTACT_EMAIL")
                    .unwrap_or_else(|_| DEFAULT_CONTACT.to_owned()),
            ),
        }
    }
}

/// `Registre/<version> (+mailto:<contact>)`.
pub fn user_agent(contact: &str) -> String {
    format!(
        "Registre/{} (registre des fournisseurs numériques; +mailto:{contact})",
        env!("CARGO_PKG_VERSION")
    )
}

/// What the last successful fetch returned, for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// HTTP 304: the source has not changed since the validators were issued.
    NotModified,
    Body {
        bytes: Vec<u8>,
        content_type: Option<String>,
        validators: Validators,
    },
}

/// Why a fetch failed, in words a maintainer can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("the source answered HTTP {status} (not retried: a client error will not fix itself)")]
    ClientStatus { status: u16 },
    #[error("the source answered HTTP {status} after {attempts} attempt(s)")]
    ServerStatus { status: u16, attempts: u32 },
    #[error("no answer within {seconds} s after {attempts} attempt(s)")]
    Timeout { seconds: u64, attempts: u32 },
    #[error("network or TLS error after {attempts} attempt(s): {message}")]
    Network { message: String, attempts: u32 },
    #[error("the body is larger than the {limit}-byte limit")]
    TooLarge { limit: usize },
    #[error("the body was cut short: {received} of {expected} bytes")]
    Truncated { received: usize, expected: usize },
    #[error("the HTTP client could not be built: {0}")]
    Client(String),
}

enum Attempt {
    Done(Fetched),
    Retry(FetchError),
}

pub struct Fetcher {
    client: reqwest::Client,
    policy: FetchPolicy,
}

impl Fetcher {
    pub fn new(policy: FetchPolicy) -> Result<Self, FetchError> {
        // reqwest is built without a default crypto provider (one TLS stack for the whole tree):
        // make sure ring is installed; a second install by someone else is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .connect_timeout(policy.connect_timeout)
            .timeout(policy.total_timeout)
            .user_agent(policy.user_agent.clone())
            .build()
            .map_err(|e| FetchError::Client(e.to_string()))?;
        Ok(Self { client, policy })
    }

    pub fn policy(&self) -> &FetchPolicy {
        &self.policy
    }

    /// Fetches `url`, conditionally on `validators`, retrying what may succeed on a second try.
    pub async fn fetch(&self, url: &str, validators: &Validators) -> Result<Fetched, FetchError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let error = match self.attempt(url, validators, attempt).await? {
                Attempt::Done(fetched) => return Ok(fetched),
                Attempt::Retry(error) => error,
            };
            if attempt > self.policy.retries {
                return Err(error);
            }
            tokio::time::sleep(self.backoff(attempt)).await;
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let base = self
            .policy
            .backoff
            .saturating_mul(1 << (attempt - 1).min(10));
        let jitter = rand::rng().random_range(0..=self.policy.backoff.as_millis() as u64);
        base + Duration::from_millis(jitter)
    }

    async fn attempt(
        &self,
        url: &str,
        validators: &Validators,
        attempts: u32,
    ) -> Result<Attempt, FetchError> {
        let mut request = self.client.get(url);
        if let Some(etag) = &validators.etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(modified) = &validators.last_modified {
            request = request.header(IF_MODIFIED_SINCE, modified);
        }
        let seconds = self.policy.total_timeout.as_secs();
        let transport = |error: reqwest::Error| {
            if error.is_timeout() {
                FetchError::Timeout { seconds, attempts }
            } else {
                FetchError::Network {
                    message: error_chain(&error),
                    attempts,
                }
            }
        };
        let response = match request.send().await {
            Ok(response) => response,
            Err(error) => return Ok(Attempt::Retry(transport(error))),
        };
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Attempt::Done(Fetched::NotModified));
        }
        if status.is_server_error() {
            return Ok(Attempt::Retry(FetchError::ServerStatus {
                status: status.as_u16(),
                attempts,
            }));
        }
        if !status.is_success() {
            return Err(FetchError::ClientStatus {
                status: status.as_u16(),
            });
        }
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = header(CONTENT_TYPE);
        let validators = Validators {
            etag: header(ETAG),
            last_modified: header(LAST_MODIFIED),
        };
        let expected: Option<usize> = header(CONTENT_LENGTH).and_then(|v| v.parse().ok());
        let limit = self.policy.max_body_bytes;
        if expected.is_some_and(|length| length > limit) {
            return Err(FetchError::TooLarge { limit });
        }
        let mut bytes = Vec::with_capacity(expected.unwrap_or(0).min(limit));
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = match chunk {
                Ok(chunk) => chunk,
                Err(error) => {
                    // A connection closed before Content-Length bytes arrived is a truncated body.
                    if let Some(expected) = expected.filter(|e| bytes.len() < *e)
                        && !error.is_timeout()
                    {
                        return Ok(Attempt::Retry(FetchError::Truncated {
                            received: bytes.len(),
                            expected,
                        }));
                    }
                    return Ok(Attempt::Retry(transport(error)));
                }
            };
            if bytes.len() + chunk.len() > limit {
                return Err(FetchError::TooLarge { limit });
            }
            bytes.extend_from_slice(&chunk);
        }
        if let Some(expected) = expected.filter(|e| bytes.len() < *e) {
            return Ok(Attempt::Retry(FetchError::Truncated {
                received: bytes.len(),
                expected,
            }));
        }
        Ok(Attempt::Done(Fetched::Body {
            bytes,
            content_type,
            validators,
        }))
    }
}

/// The error and its causes on one line: reqwest's own message rarely says which layer failed.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
