//! The audit event: one per request.

use std::net::SocketAddr;
use std::time::Duration;

use crate::{CorrelationId, ErrorKind, ProfileName, RequestId};

/// What became of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Outcome {
    /// Verified; the handler runs.
    Verified,
    /// Refused with the event's [`reason`](AuditEvent::reason).
    Rejected,
    /// A verified repeat of an earlier delivery, answered 200
    /// `{"status":"duplicate"}` without running the handler.
    Duplicate,
}

impl Outcome {
    /// `verified`, `rejected` or `duplicate`: the `outcome` field and label.
    pub const fn as_str(self) -> &'static str {
        match self {
            Outcome::Verified => "verified",
            Outcome::Rejected => "rejected",
            Outcome::Duplicate => "duplicate",
        }
    }
}

/// One request as an adapter reports it to its [`Observer`](super::Observer).
///
/// It never holds a secret, a signature or the body.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AuditEvent<'a> {
    /// The id the adapter gave the request.
    pub request_id: RequestId,
    /// The sender's `X-Cognigy-CorrelationId`, when it sent a valid one.
    pub correlation_id: Option<&'a CorrelationId>,
    /// The peer's address, when the adapter knows it (actix-web always;
    /// tower from axum's `ConnectInfo<SocketAddr>` or a `SocketAddr`
    /// extension).
    pub remote_addr: Option<SocketAddr>,
    /// The request path (without the query).
    pub path: &'a str,
    /// The profile that matched, or the verifier's first profile when none
    /// did.
    pub profile: &'a ProfileName,
    /// What became of the request.
    pub outcome: Outcome,
    /// Why it was refused (for [`Outcome::Rejected`]).
    pub reason: Option<ErrorKind>,
    /// For a `missing_signature` refusal: the preset whose signature header
    /// the request carried instead, such as `hex-millis` on a `webhook-hex`
    /// route (a sender set up for another profile). Never in the response.
    pub other_preset: Option<&'static str>,
    /// How far the delivery timestamp lay behind the clock, in milliseconds
    /// (see [`Verified::drift_ms`](crate::Verified::drift_ms)).
    pub drift_ms: Option<i64>,
    /// How long the adapter took to decide: reading the body, verifying and
    /// the replay check.
    pub latency: Duration,
    /// Which secret matched, for verified deliveries.
    pub key_index: Option<usize>,
}

impl AuditEvent<'_> {
    /// The stable reason code, for refused requests.
    pub fn reason_code(&self) -> Option<&'static str> {
        self.reason.map(ErrorKind::reason)
    }

    /// The latency in whole microseconds (saturating).
    pub fn latency_us(&self) -> u64 {
        u64::try_from(self.latency.as_micros()).unwrap_or(u64::MAX)
    }
}
