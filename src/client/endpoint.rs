//! Sending into Cognigy: user messages to a REST or Webhook endpoint (with
//! `X-Webhook-Key` when the endpoint has API-key authentication on), and
//! the Inject and Notify APIs (with `X-API-Key`).

use std::fmt;
use std::time::Duration;

use serde_json::Value;

use super::ClientError;
use super::request::CORRELATION_HEADER;
use super::retry::{execute, same_origin_only, success_body};
use crate::payload::{EndpointMessage, InjectMessage};
use crate::retry::RetryPolicy;
use crate::{ConfigError, CorrelationId, Secret};

/// The header a Webhook endpoint with API-key authentication reads.
pub const WEBHOOK_KEY_HEADER: &str = "X-Webhook-Key";
/// The header the Inject and Notify APIs read.
pub const API_KEY_HEADER: &str = "X-API-Key";

/// POSTs user messages into one Cognigy REST or Webhook endpoint, and
/// Inject and Notify calls to the Cognigy API.
///
/// A POST may have reached Cognigy even when its answer never arrived, so
/// it is **not** retried after a timeout or a 5xx (the message would be
/// processed twice); only a connection that could not be made, and 408/429
/// answers (Cognigy says it did not act), are tried again. Redirects are
/// followed within the endpoint's origin only, so keys never reach another
/// host. Keys appear in no `Debug` output or error.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use cognigy_webhook::Secret;
/// use cognigy_webhook::client::EndpointClient;
/// use cognigy_webhook::payload::EndpointMessage;
///
/// let endpoint = EndpointClient::new("https://endpoint-trial.cognigy.ai/4a6e…")?
///     .with_webhook_key(Secret::from_env_value("COGNIGY_WEBHOOK_KEY", &std::env::var("COGNIGY_WEBHOOK_KEY")?)?);
/// let reply = endpoint
///     .send(&EndpointMessage::text("user-1", "session-1", "Where is my order?"), None)
///     .await?;
/// # let _ = reply; Ok(()) }
/// ```
#[derive(Clone)]
pub struct EndpointClient {
    http: reqwest::Client,
    url: reqwest::Url,
    webhook_key: Option<Secret>,
    retry: RetryPolicy,
}

impl EndpointClient {
    /// A client for the endpoint at `endpoint_url` (the endpoint's URL as
    /// Cognigy shows it), with a 30 s timeout and four tries.
    pub fn new(endpoint_url: &str) -> Result<Self, ConfigError> {
        let url = parse_url(endpoint_url)?;
        Ok(EndpointClient {
            http: http_client(Duration::from_secs(30))?,
            url,
            webhook_key: None,
            retry: RetryPolicy::new(4),
        })
    }

    /// Sends `key` as [`WEBHOOK_KEY_HEADER`] (the endpoint's API-key
    /// authentication).
    #[must_use]
    pub fn with_webhook_key(mut self, key: Secret) -> Self {
        self.webhook_key = Some(key);
        self
    }

    /// Tries as `policy` says instead of four times.
    #[must_use]
    pub fn with_retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// POSTs `message` to the endpoint, with the webhook's correlation id as
    /// [`CORRELATION_HEADER`] when given, and returns Cognigy's answer: its
    /// JSON (a REST endpoint answers with the flow's outputs), the text of an
    /// answer that is not JSON, or `null` for an empty one.
    pub async fn send(
        &self,
        message: &EndpointMessage,
        correlation: Option<&CorrelationId>,
    ) -> Result<Value, ClientError> {
        let key = self
            .webhook_key
            .as_ref()
            .map(|key| (WEBHOOK_KEY_HEADER, key));
        post(
            &self.http,
            &self.retry,
            &self.url,
            key,
            message,
            correlation,
        )
        .await
    }
}

impl fmt::Debug for EndpointClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EndpointClient")
            .field("host", &self.url.host_str())
            .field("webhook_key", &self.webhook_key.as_ref().map(|_| ".."))
            .finish_non_exhaustive()
    }
}

/// The Inject and Notify APIs of one Cognigy installation.
///
/// `inject` hands a message to a conversation's flow; `notify` sends it to
/// the user as the agent's output. Same retry rules as [`EndpointClient`].
#[derive(Clone)]
pub struct InjectClient {
    http: reqwest::Client,
    base: reqwest::Url,
    api_key: Secret,
    retry: RetryPolicy,
}

impl InjectClient {
    /// A client for the API at `api_base_url` (for example
    /// `https://api-trial.cognigy.ai`) with the user API key `api_key`.
    pub fn new(api_base_url: &str, api_key: Secret) -> Result<Self, ConfigError> {
        let mut base = parse_url(api_base_url)?;
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        Ok(InjectClient {
            http: http_client(Duration::from_secs(30))?,
            base,
            api_key,
            retry: RetryPolicy::new(4),
        })
    }

    /// Tries as `policy` says instead of four times.
    #[must_use]
    pub fn with_retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// `POST /new/v2.0/endpoint/inject`: into the flow of the conversation.
    pub async fn inject(
        &self,
        message: &InjectMessage,
        correlation: Option<&CorrelationId>,
    ) -> Result<Value, ClientError> {
        self.call("new/v2.0/endpoint/inject", message, correlation)
            .await
    }

    /// `POST /new/v2.0/endpoint/notify`: to the user, as the agent's output.
    pub async fn notify(
        &self,
        message: &InjectMessage,
        correlation: Option<&CorrelationId>,
    ) -> Result<Value, ClientError> {
        self.call("new/v2.0/endpoint/notify", message, correlation)
            .await
    }

    async fn call(
        &self,
        path: &str,
        message: &InjectMessage,
        correlation: Option<&CorrelationId>,
    ) -> Result<Value, ClientError> {
        let url = self
            .base
            .join(path)
            .map_err(|error| ClientError::InvalidResponse(format!("path: {error}")))?;
        let key = Some((API_KEY_HEADER, &self.api_key));
        post(&self.http, &self.retry, &url, key, message, correlation).await
    }
}

impl fmt::Debug for InjectClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InjectClient")
            .field("host", &self.base.host_str())
            .finish_non_exhaustive()
    }
}

fn parse_url(url: &str) -> Result<reqwest::Url, ConfigError> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|_| ConfigError::HttpClient("not an http(s) URL".into()))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(ConfigError::HttpClient("not an http(s) URL".into()));
    }
    Ok(parsed)
}

fn http_client(timeout: Duration) -> Result<reqwest::Client, ConfigError> {
    reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::custom(same_origin_only))
        .build()
        .map_err(|error| ConfigError::HttpClient(error.to_string()))
}

/// POSTs `body` as JSON, never retrying after it may have been received.
async fn post<T: serde::Serialize>(
    http: &reqwest::Client,
    retry: &RetryPolicy,
    url: &reqwest::Url,
    key: Option<(&str, &Secret)>,
    body: &T,
    correlation: Option<&CorrelationId>,
) -> Result<Value, ClientError> {
    let body = serde_json::to_vec(body)
        .map_err(|error| ClientError::InvalidResponse(format!("body: {error}")))?;
    // Marked sensitive, as reqwest marks a bearer token: never shown in a
    // header map's `Debug`.
    let key = match key {
        Some((header, key)) => {
            let mut value =
                reqwest::header::HeaderValue::from_bytes(key.expose()).map_err(|_| {
                    ClientError::InvalidRequest("the key is not a valid header value".into())
                })?;
            value.set_sensitive(true);
            Some((header, value))
        }
        None => None,
    };
    let response = execute(retry, false, || {
        let mut request = http
            .post(url.clone())
            .header("content-type", "application/json")
            .body(body.clone());
        if let Some((header, value)) = &key {
            request = request.header(*header, value.clone());
        }
        if let Some(correlation) = correlation {
            request = request.header(CORRELATION_HEADER, correlation.as_str());
        }
        request
    })
    .await?;
    let bytes = success_body(response).await?;
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    Ok(serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned())))
}
