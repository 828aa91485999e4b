//! Where the API and its token endpoint are, and the credentials.

use std::fmt;
use std::time::Duration;

use crate::redact::redacted;
use crate::retry::RetryPolicy;
use crate::{ConfigError, Secret};

/// The client id variable of the Python reference document.
pub const CLIENT_ID_VAR: &str = "COGNIGY_CLIENT_ID";
/// The client secret variable of the Python reference document.
pub const CLIENT_SECRET_VAR: &str = "COGNIGY_CLIENT_SECRET";
/// The tenant variable of the Python reference document (`default` when unset).
pub const TENANT_VAR: &str = "COGNIGY_TENANT";
/// The scopes requested unless set otherwise (the Python reference document).
pub const DEFAULT_SCOPES: &str = "bot:read webhook:manage";
/// The header carrying the previous page's `nextPageToken` (the Python reference document).
pub const PAGE_TOKEN_HEADER: &str = "PageToken";

/// How a [`CognigyClient`](super::CognigyClient) reaches the API.
///
/// | setting | default |
/// |---|---|
/// | API base URL | `https://{tenant}.cognigy.com/v1` |
/// | token URL | `https://{tenant}.cognigy.com/v1/auth/token` |
/// | scopes | [`DEFAULT_SCOPES`] |
/// | refresh before expiry | 30 s |
/// | retries | [`RetryPolicy::new(4)`](RetryPolicy::new): 4 tries per call, the [`RetryPolicy`] defaults otherwise |
/// | timeout per attempt | 30 s |
///
/// `Debug` shows the URLs (without password or query) and the client id,
/// never the secret.
#[derive(Clone)]
#[must_use]
pub struct ClientConfig {
    pub(crate) base_url: reqwest::Url,
    pub(crate) token_url: reqwest::Url,
    pub(crate) client_id: String,
    pub(crate) client_secret: Secret,
    pub(crate) scopes: String,
    pub(crate) refresh_before: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) request_timeout: Duration,
}

impl ClientConfig {
    /// A client for the API at `base_url` (paths are appended to it) with
    /// tokens from `token_url`.
    pub fn new(
        base_url: &str,
        token_url: &str,
        client_id: impl Into<String>,
        client_secret: Secret,
    ) -> Result<Self, ConfigError> {
        let mut base_url = url(base_url, "the API base URL")?;
        if !base_url.path().ends_with('/') {
            let path = format!("{}/", base_url.path());
            base_url.set_path(&path);
        }
        let client_id = client_id.into();
        if client_id.trim().is_empty() {
            return Err(ConfigError::MissingEnv { var: CLIENT_ID_VAR });
        }
        Ok(ClientConfig {
            base_url,
            token_url: url(token_url, "the token URL")?,
            client_id,
            client_secret,
            scopes: DEFAULT_SCOPES.to_owned(),
            refresh_before: Duration::from_secs(30),
            retry: RetryPolicy::new(4),
            request_timeout: Duration::from_secs(30),
        })
    }

    /// The cloud URLs of the Python reference document for `tenant`.
    pub fn for_tenant(
        tenant: &str,
        client_id: impl Into<String>,
        client_secret: Secret,
    ) -> Result<Self, ConfigError> {
        let tenant = tenant.trim();
        if tenant.is_empty()
            || !tenant
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(ConfigError::InvalidEnv {
                var: TENANT_VAR,
                problem: "a tenant is letters, digits and '-'".into(),
            });
        }
        Self::new(
            &format!("https://{tenant}.cognigy.com/v1"),
            &format!("https://{tenant}.cognigy.com/v1/auth/token"),
            client_id,
            client_secret,
        )
    }

    /// From `COGNIGY_CLIENT_ID`, `COGNIGY_CLIENT_SECRET` (both required) and
    /// `COGNIGY_TENANT` (default `default`).
    pub fn from_env() -> Result<Self, ConfigError> {
        let required = |var: &'static str| {
            std::env::var(var)
                .ok()
                .filter(|value| !value.trim().is_empty())
                .ok_or(ConfigError::MissingEnv { var })
        };
        let client_id = required(CLIENT_ID_VAR)?;
        let secret = Secret::from_env_value(CLIENT_SECRET_VAR, &required(CLIENT_SECRET_VAR)?)?;
        let tenant = std::env::var(TENANT_VAR).unwrap_or_else(|_| "default".into());
        Self::for_tenant(&tenant, client_id.trim(), secret)
    }

    /// Requests these space-separated scopes.
    pub fn with_scopes(mut self, scopes: impl Into<String>) -> Self {
        self.scopes = scopes.into();
        self
    }

    /// Refreshes a token this long before it expires.
    pub fn with_refresh_before(mut self, margin: Duration) -> Self {
        self.refresh_before = margin;
        self
    }

    /// Retries each call by `policy`.
    pub fn with_retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Abandons (and retries) an attempt after `timeout`.
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }
}

/// `text` as an http(s) URL; the error names `what`, never the text (it
/// may hold credentials).
fn url(text: &str, what: &str) -> Result<reqwest::Url, ConfigError> {
    reqwest::Url::parse(text.trim())
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https"))
        .ok_or_else(|| ConfigError::HttpClient(format!("{what} is not an http(s) URL")))
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &redacted(&self.base_url))
            .field("token_url", &redacted(&self.token_url))
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}
