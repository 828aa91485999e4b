//! How the forwarder is configured.

use std::time::Duration;

use crate::ConfigError;

/// The SIEM endpoint variable of seed 002.
pub const SIEM_ENDPOINT_VAR: &str = "SIEM_ENDPOINT";
/// The SIEM endpoint variable of seed 004, read when [`SIEM_ENDPOINT_VAR`] is
/// not set.
pub const SIEM_WEBHOOK_URL_VAR: &str = "SIEM_WEBHOOK_URL";

/// Where and how [`SiemForwarder`](super::SiemForwarder) sends events.
///
/// | setting | default |
/// |---|---|
/// | queue capacity (events waiting) | 4096 |
/// | batch size (events per POST) | 100 |
/// | tries per batch (the first included) | 5 |
/// | backoff | 500 ms, doubling, at most 30 s, plus up to 100 % jitter |
/// | longest `Retry-After` honoured | 60 s |
/// | timeout per POST | 10 s |
/// | events forwarded | all (refusals only with [`rejections_only`](Self::rejections_only)) |
#[derive(Debug, Clone)]
#[must_use]
pub struct SiemConfig {
    pub(crate) endpoint: reqwest::Url,
    pub(crate) queue_capacity: usize,
    pub(crate) batch_size: usize,
    pub(crate) max_tries: usize,
    pub(crate) min_delay: Duration,
    pub(crate) max_delay: Duration,
    pub(crate) max_retry_after: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) rejections_only: bool,
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
            max_tries: 5,
            min_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(60),
            request_timeout: Duration::from_secs(10),
            rejections_only: false,
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

    /// A batch is given up (and its events counted as dropped) after `tries`
    /// failed attempts, the first one included.
    pub fn with_max_tries(mut self, tries: usize) -> Self {
        self.max_tries = tries.max(1);
        self
    }

    /// The first retry waits `min` (plus jitter), each later one twice as
    /// long, never more than `max` (plus jitter).
    pub fn with_backoff(mut self, min: Duration, max: Duration) -> Self {
        self.min_delay = min;
        self.max_delay = max.max(min);
        self
    }

    /// A `Retry-After` longer than `cap` is shortened to it.
    pub fn with_max_retry_after(mut self, cap: Duration) -> Self {
        self.max_retry_after = cap;
        self
    }

    /// Each POST is abandoned (and retried) after `timeout`.
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
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
