//! Reading what the subcommands are given: bodies, headers, secrets,
//! instants and durations.

use std::io::Read;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cognigy_webhook::profile::TimestampFormat;
use cognigy_webhook::{Profile, Secret, Verifier};

use crate::{Failure, SecretArgs};

/// A secret as read, before it becomes a [`Secret`]: kept so that hints can
/// talk about its whitespace. Its `Debug` prints nothing of it.
pub(crate) struct RawSecret {
    /// Where it came from, for messages.
    pub(crate) source: String,
    pub(crate) value: zeroize::Zeroizing<String>,
}

impl std::fmt::Debug for RawSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RawSecret({}, ..)", self.source)
    }
}

impl RawSecret {
    /// The secret exactly as read (less one trailing line ending).
    pub(crate) fn secret(&self) -> Result<Secret, Failure> {
        Secret::new(self.value.as_bytes())
            .map_err(|error| Failure::Usage(format!("{}: {error}", self.source)))
    }

    /// The secret for `profile`, if the verifier would take it (for
    /// `basic-auth`: `user:password` with a password): nothing is signed or
    /// tried with a secret it refuses.
    pub(crate) fn secret_for(&self, profile: &Profile) -> Result<Secret, Failure> {
        let secret = self.secret()?;
        Verifier::builder(profile.clone())
            .secret(secret.clone())
            .build()
            .map_err(|error| Failure::Usage(format!("{}: {error}", self.source)))?;
        Ok(secret)
    }

    /// Refuses a secret with surrounding whitespace, as the receivers do:
    /// a copy-paste mistake far more often than part of a secret, and
    /// signatures made with it match nothing they accept.
    pub(crate) fn unpadded(&self) -> Result<&Self, Failure> {
        if self.value.trim() != self.value.as_str() {
            return Err(Failure::Usage(format!(
                "{} has leading or trailing whitespace; secrets are used byte for byte, so remove it",
                self.source
            )));
        }
        Ok(self)
    }

    /// The secret without surrounding whitespace, if that differs.
    pub(crate) fn trimmed(&self) -> Option<Secret> {
        let trimmed = self.value.trim();
        (trimmed != self.value.as_str() && !trimmed.is_empty())
            .then(|| Secret::new(trimmed).ok())
            .flatten()
    }
}

/// Every secret named by `--secret-env` and `--secret-file`, in that order.
pub(crate) fn secrets(args: &SecretArgs) -> Result<Vec<RawSecret>, Failure> {
    let mut secrets = Vec::new();
    for var in &args.env {
        // `VarError`'s own text would show a value that is not UTF-8: the
        // secret itself.
        let value = std::env::var(var).map_err(|error| {
            let problem = match error {
                std::env::VarError::NotPresent => "not set",
                std::env::VarError::NotUnicode(_) => "not valid UTF-8",
            };
            Failure::Usage(format!("environment variable {var} is {problem}"))
        })?;
        // Comma-separated for rotation, as the library's `Config` and the
        // example receivers read `COGNIGY_WEBHOOK_SECRET`.
        let value = zeroize::Zeroizing::new(value);
        let count = value.split(',').count();
        for (index, entry) in value.split(',').enumerate() {
            secrets.push(RawSecret {
                source: if count == 1 {
                    format!("environment variable {var}")
                } else {
                    format!("secret #{} in environment variable {var}", index + 1)
                },
                value: zeroize::Zeroizing::new(drop_line_ending(entry.to_owned())),
            });
        }
    }
    for path in &args.file {
        let value = std::fs::read_to_string(path)
            .map_err(|error| Failure::Usage(format!("secret file {}: {error}", path.display())))?;
        secrets.push(RawSecret {
            source: format!("secret file {}", path.display()),
            value: zeroize::Zeroizing::new(drop_line_ending(value)),
        });
    }
    if secrets.is_empty() {
        return Err(Failure::Usage(
            "no secret: pass --secret-env VAR or --secret-file PATH (never the secret itself)"
                .into(),
        ));
    }
    for secret in &secrets {
        if secret.value.is_empty() {
            return Err(Failure::Usage(format!("{} is empty", secret.source)));
        }
    }
    Ok(secrets)
}

/// Drops one trailing `\n` or `\r\n`, as `Secret::from_env_value` does.
fn drop_line_ending(mut value: String) -> String {
    if value.ends_with('\n') {
        value.pop();
        if value.ends_with('\r') {
            value.pop();
        }
    }
    value
}

/// The body from a file, or standard input for `-`, byte for byte.
pub(crate) fn body(path: &Path) -> Result<Vec<u8>, Failure> {
    if path == Path::new("-") {
        let mut body = Vec::new();
        std::io::stdin()
            .read_to_end(&mut body)
            .map_err(|error| Failure::Usage(format!("standard input: {error}")))?;
        return Ok(body);
    }
    std::fs::read(path)
        .map_err(|error| Failure::Usage(format!("body file {}: {error}", path.display())))
}

/// `Name: value` → (name, value without surrounding whitespace).
/// The `-H` values as `(name, value)` pairs. Parsed here rather than by
/// the argument parser, whose error would repeat the whole value — a
/// signature or a credential; these name the header at most.
pub(crate) fn headers(texts: &[String]) -> Result<Vec<(String, String)>, Failure> {
    texts
        .iter()
        .map(|text| {
            let (name, value) = text.split_once(':').ok_or_else(|| {
                Failure::Usage("a -H value is `Name: value`, and one has no ':'".into())
            })?;
            let name = name.trim();
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(Failure::Usage(
                    "a -H value has no usable header name before its ':'".into(),
                ));
            }
            Ok((name.to_owned(), value.trim().to_owned()))
        })
        .collect()
}

/// An instant: `now`, RFC 3339, or Unix time in seconds (up to 11 digits,
/// fraction allowed) or milliseconds (12 digits or more).
pub(crate) fn instant(text: &str) -> Result<SystemTime, String> {
    let text = text.trim();
    if text == "now" {
        return Ok(SystemTime::now());
    }
    let digits = text.split('.').next().unwrap_or("");
    let format = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if digits.len() >= 12 {
            TimestampFormat::UnixMillis
        } else {
            TimestampFormat::UnixSeconds
        }
    } else {
        TimestampFormat::Rfc3339
    };
    format
        .parse(text.as_bytes())
        .map_err(|_| format!("{text:?} is not `now`, RFC 3339 or a Unix time"))
}

/// A duration: a number with `ms`, `s`, `m` or `h` (seconds without a unit).
pub(crate) fn duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 300ms, 30s, 5m or 1h"))?;
    let scale = match unit {
        "ms" => 1,
        "" | "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        _ => return Err(format!("{text:?}: the unit must be ms, s, m or h")),
    };
    number
        .checked_mul(scale)
        .map(Duration::from_millis)
        .ok_or_else(|| format!("{text:?} is too long"))
}

/// Milliseconds since the Unix epoch, for messages.
pub(crate) fn unix_ms(at: SystemTime) -> i128 {
    match at.duration_since(UNIX_EPOCH) {
        Ok(after) => after.as_millis() as i128,
        Err(before) => -(before.duration().as_millis() as i128),
    }
}
