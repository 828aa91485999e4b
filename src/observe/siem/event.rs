//! The JSON a SIEM receives for each request.

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::observe::{AuditEvent, Outcome};

/// One request as the SIEM receives it, in the camelCase style of the
/// Node.js reference document's events: `event` (`webhook_verification_success`,
/// `webhook_verification_failed` or `webhook_duplicate`), `requestId`,
/// `timestamp` (RFC 3339, when the adapter decided), `correlationId`, `ip`,
/// `path`, `profile`, `outcome`, `reason`, `driftMs`, `latencyUs`,
/// `keyIndex`. Absent values are `null`. Never a secret, signature or body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SecurityEvent {
    /// What happened, as a SIEM event name.
    pub event: &'static str,
    /// The adapter's request id.
    pub request_id: String,
    /// When the adapter decided, RFC 3339 in UTC.
    pub timestamp: String,
    /// The sender's correlation id.
    pub correlation_id: Option<String>,
    /// The peer's IP address.
    pub ip: Option<String>,
    /// The request path; a longer one than [`MAX_PATH_LEN`] bytes is cut
    /// there and marked with `…`: the sender chooses it, and events wait in
    /// a queue.
    pub path: String,
    /// The profile.
    pub profile: String,
    /// `verified`, `rejected` or `duplicate`.
    pub outcome: &'static str,
    /// The reason code of a refusal.
    pub reason: Option<&'static str>,
    /// The clock drift in milliseconds.
    pub drift_ms: Option<i64>,
    /// The decision latency in microseconds.
    pub latency_us: u64,
    /// The matching secret's index.
    pub key_index: Option<usize>,
}

impl From<&AuditEvent<'_>> for SecurityEvent {
    fn from(event: &AuditEvent<'_>) -> Self {
        SecurityEvent {
            event: match event.outcome {
                Outcome::Verified => "webhook_verification_success",
                Outcome::Rejected => "webhook_verification_failed",
                Outcome::Duplicate => "webhook_duplicate",
            },
            request_id: event.request_id.to_string(),
            timestamp: OffsetDateTime::now_utc()
                .format(&Rfc3339)
                .unwrap_or_default(),
            correlation_id: event.correlation_id.map(|id| id.as_str().to_owned()),
            ip: event.remote_addr.map(|addr| addr.ip().to_string()),
            path: bounded_path(event.path),
            profile: event.profile.to_string(),
            outcome: event.outcome.as_str(),
            reason: event.reason_code(),
            drift_ms: event.drift_ms,
            latency_us: event.latency_us(),
            key_index: event.key_index,
        }
    }
}

/// The most of a request's path a [`SecurityEvent`] keeps.
pub const MAX_PATH_LEN: usize = 512;

/// `path`, cut at a character boundary to at most [`MAX_PATH_LEN`] bytes
/// and marked with `…` when cut.
fn bounded_path(path: &str) -> String {
    if path.len() <= MAX_PATH_LEN {
        return path.to_owned();
    }
    let mut end = MAX_PATH_LEN;
    while !path.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &path[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_path_is_cut_at_a_character_boundary() {
        assert_eq!(bounded_path("/webhooks/cognigy"), "/webhooks/cognigy");
        let exact = "a".repeat(MAX_PATH_LEN);
        assert_eq!(bounded_path(&exact), exact);
        // 'é' is two bytes: the cut falls inside one at byte 512.
        let long = format!("/{}", "é".repeat(40_000));
        let cut = bounded_path(&long);
        assert!(cut.ends_with('…'));
        assert!(cut.len() <= MAX_PATH_LEN + '…'.len_utf8());
        assert!(long.starts_with(cut.trim_end_matches('…')));
    }
}
