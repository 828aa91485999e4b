//! Delivery timestamps: the three wire formats and the symmetric window.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::{ConfigError, Error, ErrorKind};

/// The longest timestamp value parsed; anything longer is malformed without
/// further work. The longest legitimate value, an RFC 3339 date with
/// nanoseconds and an offset, is 35 bytes.
pub const MAX_TIMESTAMP_LEN: usize = 64;

/// The most fraction digits accepted after the seconds (anything past
/// nanoseconds is ignored, as a float would round it away).
const MAX_FRACTION_DIGITS: usize = 18;

/// The largest Unix second that RFC 3339 can express (9999-12-31T23:59:59Z).
const MAX_RFC3339_UNIX_SECONDS: u64 = 253_402_300_799;

/// How a profile writes its delivery timestamp.
///
/// Parsing is strict and never panics: empty values, signs, exponents, `NaN`,
/// `inf`, overflow and values over [`MAX_TIMESTAMP_LEN`] bytes are all
/// [`ErrorKind::MalformedTimestamp`].
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use cognigy_webhook::profile::TimestampFormat;
///
/// let at = UNIX_EPOCH + Duration::from_millis(1_698_765_432_100);
/// assert_eq!(TimestampFormat::UnixMillis.parse(b"1698765432100"), Ok(at));
/// assert_eq!(TimestampFormat::UnixSeconds.parse(b"1698765432.1"), Ok(at));
/// assert_eq!(TimestampFormat::Rfc3339.parse(b"2023-10-31T16:17:12.1+01:00"), Ok(at));
/// assert!(TimestampFormat::UnixSeconds.parse(b"NaN").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimestampFormat {
    /// RFC 3339 date and time with `Z` or a numeric offset, e.g.
    /// `2023-10-31T15:17:12Z` (the Go reference document).
    Rfc3339,
    /// Whole milliseconds since the Unix epoch, e.g. `1698765432100`
    /// (the Node.js and Java reference documents).
    UnixMillis,
    /// Seconds since the Unix epoch with an optional decimal fraction, e.g.
    /// `1698765432` or `1698765432.123456` (the Python reference document).
    UnixSeconds,
    /// Whole seconds since the Unix epoch, e.g. `1698765432`: the `t=` of
    /// structured signature headers (Voice Gateway, Stripe-style).
    UnixWholeSeconds,
}

impl TimestampFormat {
    /// The public name used in configuration and by the CLI.
    pub const fn name(self) -> &'static str {
        match self {
            TimestampFormat::Rfc3339 => "rfc3339",
            TimestampFormat::UnixMillis => "unix-millis",
            TimestampFormat::UnixSeconds => "unix-seconds",
            TimestampFormat::UnixWholeSeconds => "unix-whole-seconds",
        }
    }

    /// Parses a header value (already trimmed of surrounding whitespace).
    pub fn parse(self, value: &[u8]) -> Result<SystemTime, Error> {
        if value.is_empty() || value.len() > MAX_TIMESTAMP_LEN {
            return Err(malformed());
        }
        match self {
            TimestampFormat::Rfc3339 => parse_rfc3339(value),
            TimestampFormat::UnixMillis => {
                let millis = parse_u64(value).ok_or_else(malformed)?;
                UNIX_EPOCH
                    .checked_add(Duration::from_millis(millis))
                    .ok_or_else(malformed)
            }
            TimestampFormat::UnixSeconds => parse_seconds(value),
            TimestampFormat::UnixWholeSeconds => {
                let seconds = parse_u64(value).ok_or_else(malformed)?;
                UNIX_EPOCH
                    .checked_add(Duration::from_secs(seconds))
                    .ok_or_else(malformed)
            }
        }
    }

    /// Writes `at` the way a sender would: whole seconds for RFC 3339 and Unix
    /// seconds, whole milliseconds for Unix milliseconds. Times before 1970
    /// are written as the epoch, and times past year 9999 as the last second
    /// of 9999 in RFC 3339.
    pub fn format(self, at: SystemTime) -> String {
        let since_epoch = at.duration_since(UNIX_EPOCH).unwrap_or_default();
        match self {
            TimestampFormat::UnixMillis => since_epoch.as_millis().to_string(),
            TimestampFormat::UnixSeconds | TimestampFormat::UnixWholeSeconds => {
                since_epoch.as_secs().to_string()
            }
            TimestampFormat::Rfc3339 => {
                let seconds = since_epoch.as_secs().min(MAX_RFC3339_UNIX_SECONDS);
                // In range by construction, so neither step can fail; an empty
                // string (rejected as malformed by any verifier) is the
                // panic-free fallback all the same.
                i64::try_from(seconds)
                    .ok()
                    .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
                    .and_then(|t| t.format(&Rfc3339).ok())
                    .unwrap_or_default()
            }
        }
    }
}

impl fmt::Display for TimestampFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for TimestampFormat {
    type Err = ConfigError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        [
            TimestampFormat::Rfc3339,
            TimestampFormat::UnixMillis,
            TimestampFormat::UnixSeconds,
            TimestampFormat::UnixWholeSeconds,
        ]
        .into_iter()
        .find(|format| format.name().eq_ignore_ascii_case(name))
        .ok_or_else(|| ConfigError::InvalidEnv {
            var: "timestamp format",
            problem: format!(
                "{name:?} is not rfc3339, unix-millis, unix-seconds or unix-whole-seconds"
            ),
        })
    }
}

/// Checks `timestamp` against `now` in a window of `tolerance` either side
/// (both ends inclusive) and returns the drift in milliseconds: positive when
/// the timestamp lies in the past, negative when it lies in the future.
pub(crate) fn check_window(
    now: SystemTime,
    timestamp: SystemTime,
    tolerance: Duration,
) -> Result<i64, Error> {
    match now.duration_since(timestamp) {
        Ok(age) if age > tolerance => Err(ErrorKind::TimestampTooOld.into()),
        Ok(age) => Ok(saturating_millis(age)),
        Err(ahead) if ahead.duration() > tolerance => Err(ErrorKind::TimestampTooNew.into()),
        Err(ahead) => Ok(-saturating_millis(ahead.duration())),
    }
}

fn saturating_millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

fn malformed() -> Error {
    ErrorKind::MalformedTimestamp.into()
}

/// A run of ASCII digits as a `u64`; `None` for anything else (a sign, an
/// empty value, overflow).
pub(crate) fn parse_u64(digits: &[u8]) -> Option<u64> {
    if !digits.first()?.is_ascii_digit() {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

fn parse_seconds(value: &[u8]) -> Result<SystemTime, Error> {
    let (whole, fraction) = match value.iter().position(|&b| !b.is_ascii_digit()) {
        None => (value, None),
        Some(dot) if value[dot] == b'.' => (&value[..dot], Some(&value[dot + 1..])),
        Some(_) => return Err(malformed()),
    };
    let seconds = parse_u64(whole).ok_or_else(malformed)?;
    let nanos = match fraction {
        None => 0,
        Some(digits) if digits.is_empty() || digits.len() > MAX_FRACTION_DIGITS => {
            return Err(malformed());
        }
        Some(digits) => {
            // At most 18 digits: one `u64`. Keep the first nine (nanoseconds).
            let value = parse_u64(digits).ok_or_else(malformed)?;
            let nanos = match digits.len() {
                len @ ..=9 => value * 10u64.pow(9 - len as u32),
                len => value / 10u64.pow(len as u32 - 9),
            };
            // Below one second by construction.
            u32::try_from(nanos).map_err(|_| malformed())?
        }
    };
    UNIX_EPOCH
        .checked_add(Duration::new(seconds, nanos))
        .ok_or_else(malformed)
}

fn parse_rfc3339(value: &[u8]) -> Result<SystemTime, Error> {
    let text = std::str::from_utf8(value).map_err(|_| malformed())?;
    let parsed = OffsetDateTime::parse(text, &Rfc3339).map_err(|_| malformed())?;
    let nanos = Duration::from_nanos(u64::from(parsed.nanosecond()));
    let seconds = parsed.unix_timestamp();
    let whole = Duration::from_secs(seconds.unsigned_abs());
    let base = if seconds >= 0 {
        UNIX_EPOCH.checked_add(whole)
    } else {
        UNIX_EPOCH.checked_sub(whole)
    };
    base.and_then(|t| t.checked_add(nanos))
        .ok_or_else(malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_millis(millis: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(millis)
    }

    #[test]
    fn each_format_parses_its_own_values() {
        use TimestampFormat::*;
        assert_eq!(UnixMillis.parse(b"0"), Ok(UNIX_EPOCH));
        assert_eq!(
            UnixMillis.parse(b"001698765432100"),
            Ok(at_millis(1_698_765_432_100))
        );
        assert_eq!(
            UnixSeconds.parse(b"1698765432"),
            Ok(at_millis(1_698_765_432_000))
        );
        assert_eq!(
            UnixSeconds.parse(b"1698765432.123456789987654321"),
            Ok(UNIX_EPOCH + Duration::new(1_698_765_432, 123_456_789))
        );
        assert_eq!(
            Rfc3339.parse(b"2023-10-31T15:17:12Z"),
            Ok(at_millis(1_698_765_432_000))
        );
        assert_eq!(
            Rfc3339.parse(b"2023-10-31T10:17:12-05:00"),
            Ok(at_millis(1_698_765_432_000))
        );
        assert_eq!(
            Rfc3339.parse(b"1969-12-31T23:59:59.5Z"),
            Ok(UNIX_EPOCH - Duration::from_millis(500))
        );
    }

    #[test]
    fn hostile_values_are_malformed_not_panics() {
        use TimestampFormat::*;
        let long = [b'1'; MAX_TIMESTAMP_LEN + 1];
        let cases: &[&[u8]] = &[
            b"",
            b"-1",
            b"+1",
            b"1e9",
            b"NaN",
            b"nan",
            b"inf",
            b"-inf",
            b"Infinity",
            b"0x10",
            b"1.",
            b".5",
            b"1.2.3",
            b"1 2",
            b"18446744073709551616",
            b"99999999999999999999",
            b"1.1234567890123456789",
            b"\xff\xfe",
            b"\xd9\xa1\xd9\xa2",
            &long,
        ];
        for format in [UnixMillis, UnixSeconds, Rfc3339] {
            for case in cases {
                assert_eq!(
                    format.parse(case).map_err(|e| e.kind()),
                    Err(ErrorKind::MalformedTimestamp),
                    "{format} {case:?}"
                );
            }
        }
        for case in [
            &b"2023-10-31"[..],
            b"2023-10-31T25:00:00Z",
            b"2023-10-31T15:17:12",
        ] {
            assert!(Rfc3339.parse(case).is_err(), "{case:?}");
        }
    }

    #[test]
    fn window_is_symmetric_and_inclusive() {
        let now = at_millis(1_000_000);
        let tol = Duration::from_secs(300);
        assert_eq!(check_window(now, at_millis(700_000), tol), Ok(300_000));
        assert_eq!(check_window(now, at_millis(1_300_000), tol), Ok(-300_000));
        assert_eq!(
            check_window(now, at_millis(699_999), tol),
            Err(ErrorKind::TimestampTooOld.into())
        );
        assert_eq!(
            check_window(now, at_millis(1_300_001), tol),
            Err(ErrorKind::TimestampTooNew.into())
        );
        let huge = Duration::MAX;
        assert_eq!(check_window(now, UNIX_EPOCH, huge), Ok(1_000_000));
    }

    #[test]
    fn format_round_trips_through_parse() {
        let at = UNIX_EPOCH + Duration::from_millis(1_698_765_432_100);
        let seconds = UNIX_EPOCH + Duration::from_secs(1_698_765_432);
        for (format, expected) in [
            (TimestampFormat::UnixMillis, at),
            (TimestampFormat::UnixSeconds, seconds),
            (TimestampFormat::Rfc3339, seconds),
        ] {
            assert_eq!(
                format.parse(format.format(at).as_bytes()),
                Ok(expected),
                "{format}"
            );
        }
        assert_eq!(TimestampFormat::Rfc3339.format(at), "2023-10-31T15:17:12Z");
        assert_eq!(
            TimestampFormat::UnixMillis.format(UNIX_EPOCH - Duration::from_secs(1)),
            "0"
        );
    }
}
