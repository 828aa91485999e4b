//! How outbound calls (SIEM forwarding, the API client) are retried, and
//! reading a `Retry-After` header.

use std::time::{Duration, SystemTime};

use backon::{BackoffBuilder, ExponentialBuilder};

/// How often and how patiently an outbound call is retried: exponential
/// backoff with up to 100 % jitter ([`backon`]), and a server's
/// `Retry-After` (on 429 and 503) honoured up to a cap instead of the
/// backoff step.
///
/// Defaults: the first retry after 500 ms, doubling, at most 30 s;
/// `Retry-After` up to 60 s.
///
/// ```
/// use std::time::Duration;
/// use cognigy_webhook::retry::RetryPolicy;
///
/// let policy = RetryPolicy::new(4).with_backoff(Duration::from_millis(100), Duration::from_secs(2));
/// assert_eq!(policy.max_tries(), 4);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct RetryPolicy {
    max_tries: usize,
    min_delay: Duration,
    max_delay: Duration,
    max_retry_after: Duration,
}

impl RetryPolicy {
    /// At most `max_tries` attempts, the first included (at least one).
    pub const fn new(max_tries: usize) -> Self {
        RetryPolicy {
            max_tries: if max_tries == 0 { 1 } else { max_tries },
            min_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(60),
        }
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

    /// The most attempts, the first included.
    pub fn max_tries(&self) -> usize {
        self.max_tries
    }

    /// The waits before each retry: `max_tries - 1` of them.
    pub(crate) fn backoff(&self) -> impl Iterator<Item = Duration> + Send + use<> {
        ExponentialBuilder::new()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_jitter()
            .with_max_times(self.max_tries - 1)
            .build()
    }

    /// The wait a `Retry-After` value asks for now, capped; `None` when it
    /// cannot be read.
    pub(crate) fn retry_after(&self, value: &[u8]) -> Option<Duration> {
        retry_after(value, SystemTime::now(), self.max_retry_after)
    }
}

/// How long `Retry-After: value` asks to wait, seen at `now`, at most `cap`.
/// `None` when the value is neither a number of seconds nor an HTTP date; a
/// date in the past means no wait.
fn retry_after(value: &[u8], now: SystemTime, cap: Duration) -> Option<Duration> {
    let text = std::str::from_utf8(value).ok()?.trim();
    let wait = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        // Too many digits for a u64 is still "a very long time".
        Duration::from_secs(text.parse().unwrap_or(u64::MAX))
    } else {
        let date = httpdate::parse_http_date(text).ok()?;
        date.duration_since(now).unwrap_or(Duration::ZERO)
    };
    Some(wait.min(cap))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAP: Duration = Duration::from_secs(60);

    #[test]
    fn seconds_and_dates_are_read_and_capped() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(retry_after(b"3", now, CAP), Some(Duration::from_secs(3)));
        assert_eq!(retry_after(b" 0 ", now, CAP), Some(Duration::ZERO));
        assert_eq!(retry_after(b"3600", now, CAP), Some(CAP));
        assert_eq!(retry_after(b"99999999999999999999999", now, CAP), Some(CAP));
        assert_eq!(
            retry_after(b"Sun, 06 Nov 1994 08:49:47 GMT", now, CAP),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            retry_after(b"Sun, 06 Nov 1994 08:49:00 GMT", now, CAP),
            Some(Duration::ZERO)
        );
        assert_eq!(
            retry_after(b"Mon, 07 Nov 1994 08:49:37 GMT", now, CAP),
            Some(CAP)
        );
        for bad in [&b""[..], b"-1", b"1.5", b"soon", b"\xff"] {
            assert_eq!(retry_after(bad, now, CAP), None, "{bad:?}");
        }
    }
}
