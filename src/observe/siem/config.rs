//! How the forwarder is configured.

use std::time::Duration;

use crate::ConfigError;
use crate::redact::redacted;
use crate::retry::RetryPolicy;

/// The SIEM endpoint variable of the Node.js reference document.
pub const SIEM_ENDPOINT_VAR: &str = "SIEM_ENDPOINT";
/// The SIEM endpoint variable of the Java reference document, read when [`SIEM_ENDPOINT_VAR`] is
/// not set.
pub const SIEM_WEBHOOK_URL_VAR: &str = "SIEM_WEBHOOK_URL";

/// Where and how [`SiemForwarder`](super::SiemForwarder) sends events.
///
/// | setting | default |
/// |---|---|
/// | queue capacity (events waiting) | 4096 |
/// | batch size (events per POST) | 100 |
/// | retries | [`RetryPolicy::new(5)`](RetryPolicy::new): 5 tries per batch, the [`RetryPolicy`] defaults otherwise |
/// | timeout per POST | 10 s |
/// | events forwarded | all (refusals only with [`rejections_only`](Self::rejections_only)) |
///
/// `Debug` shows the endpoint without its password or query, where
/// credentials may hide.
#[derive(Clone)]
#[must_use]
pub struct SiemConfig {
    pub(crate) endpoint: reqwest::Url,
    pub(crate) queue_capacity: usize,
    pub(crate) batch_size: usize,
    pub(crate) retry: RetryPolicy,
    pub(crate) request_timeout: Duration,
    pub(crate) rejections_only: bool,
    /// Refusals that go out one by one per interval; `None`: half the queue.
    pub(crate) refusal_budget: Option<usize>,
    pub(crate) aggregate_interval: Duration,
}

impl SiemConfig {
    /// Events go to `endpoint`, an `http` or `https` URL.
    pub fn new(endpoint: &str) -> Result<Self, ConfigError> {
        let invalid = |problem: String| ConfigError::InvalidEnv {
            var: SIEM_ENDPOINT_VAR,
            problem,
        };
        let url = reqwest::Url::parse(endpoint.trim())
            .map_err(|error| invalid(format!("not a URL: {error}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid(format!(
                "scheme {:?} is not http or https",
                url.scheme()
            )));
        }
        Ok(SiemConfig {
            endpoint: url,
            queue_capacity: 4096,
            batch_size: 100,
            retry: RetryPolicy::new(5),
            request_timeout: Duration::from_secs(10),
            rejections_only: false,
            refusal_budget: None,
            aggregate_interval: Duration::from_secs(10),
        })
    }

    /// The endpoint from `SIEM_ENDPOINT`, else `SIEM_WEBHOOK_URL`; `None`
    /// when neither is set (or both are empty).
    pub fn from_env() -> Result<Option<Self>, ConfigError> {
        for var in [SIEM_ENDPOINT_VAR, SIEM_WEBHOOK_URL_VAR] {
            if let Ok(value) = std::env::var(var)
                && !value.trim().is_empty()
            {
                return Self::new(&value).map(Some).map_err(|error| match error {
                    ConfigError::InvalidEnv { problem, .. } => {
                        ConfigError::InvalidEnv { var, problem }
                    }
                    other => other,
                });
            }
        }
        Ok(None)
    }

    /// At most `events` wait in the queue; more are dropped and counted.
    pub fn with_queue_capacity(mut self, events: usize) -> Self {
        self.queue_capacity = events.max(1);
        self
    }

    /// At most `events` go in one POST.
    pub fn with_batch_size(mut self, events: usize) -> Self {
        self.batch_size = events.max(1);
        self
    }

    /// Retries a batch by `policy`; when its tries run out, the batch is
    /// given up and its events counted as dropped.
    pub fn with_retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Each POST is abandoned (and retried) after `timeout`.
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// In each `interval`, the first `refusals` refused requests go out one
    /// by one and the rest are counted per reason and profile, sent as one
    /// `webhook_refusals_aggregated` record when the interval ends (default:
    /// half the queue capacity every 10 s). A flood of unauthenticated
    /// requests so never fills the queue that genuine events need.
    pub fn with_refusal_budget(mut self, refusals: usize, interval: Duration) -> Self {
        self.refusal_budget = Some(refusals);
        self.aggregate_interval = interval.max(Duration::from_millis(10));
        self
    }

    /// Forwards only refused requests, not every request.
    pub fn rejections_only(mut self) -> Self {
        self.rejections_only = true;
        self
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &str {
        self.endpoint.as_str()
    }
}

impl std::fmt::Debug for SiemConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SiemConfig")
            .field("endpoint", &redacted(&self.endpoint))
            .field("queue_capacity", &self.queue_capacity)
            .field("batch_size", &self.batch_size)
            .field("retry", &self.retry)
            .field("request_timeout", &self.request_timeout)
            .field("rejections_only", &self.rejections_only)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_must_be_http_urls() {
        assert!(SiemConfig::new("https://siem.example/api/v1/events").is_ok());
        assert!(SiemConfig::new(" http://127.0.0.1:9/x ").is_ok());
        for bad in [
            "",
            "siem.example",
            "ftp://siem.example/",
            "file:///etc/passwd",
        ] {
            assert!(SiemConfig::new(bad).is_err(), "{bad}");
        }
    }
}
