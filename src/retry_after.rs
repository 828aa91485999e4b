//! Reading a `Retry-After` header: delay-seconds or an HTTP date.

use std::time::{Duration, SystemTime};

/// How long `Retry-After: value` asks to wait, seen at `now`, at most `cap`.
/// `None` when the value is neither a number of seconds nor an HTTP date; a
/// date in the past means no wait.
pub(crate) fn retry_after(value: &[u8], now: SystemTime, cap: Duration) -> Option<Duration> {
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
