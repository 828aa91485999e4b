//! What a successful verification proves.

use std::time::SystemTime;

use crate::ProfileName;

/// Proof that a delivery was authenticated: which profile and which secret
/// matched, and what the timestamp said.
///
/// Adapters put it into the request extensions for handlers to read. It is
/// cheap to clone and allocates nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub(crate) profile: ProfileName,
    pub(crate) key_index: usize,
    pub(crate) timestamp: Option<SystemTime>,
    pub(crate) drift_ms: Option<i64>,
}

impl Verified {
    /// The name of the profile that matched.
    pub fn profile(&self) -> &str {
        &self.profile
    }

    /// The position of the matching secret, in the order the secrets were
    /// given (0 for the first). During a rotation this tells which secret
    /// senders still use.
    pub fn key_index(&self) -> usize {
        self.key_index
    }

    /// The delivery timestamp, for profiles that have one.
    pub fn timestamp(&self) -> Option<SystemTime> {
        self.timestamp
    }

    /// How far the delivery timestamp lay behind the verifier's clock, in
    /// milliseconds: positive when it is in the past (the usual transit
    /// delay), negative when it is in the future (clock skew).
    pub fn drift_ms(&self) -> Option<i64> {
        self.drift_ms
    }
}
