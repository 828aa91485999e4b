//! What a successful verification proves.

use std::fmt;
use std::time::SystemTime;

use crate::ProfileName;

/// Proof that a delivery was authenticated: which profile and which secret
/// matched, and what the timestamp said.
///
/// Adapters put it into the request extensions for handlers to read. It is
/// cheap to clone and allocates nothing.
#[derive(Clone, PartialEq, Eq)]
pub struct Verified {
    pub(crate) profile: ProfileName,
    pub(crate) key_index: usize,
    pub(crate) timestamp: Option<SystemTime>,
    pub(crate) drift_ms: Option<i64>,
    pub(crate) signature: Option<[u8; 32]>,
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

    /// The received signature that matched, for HMAC profiles. (A replay
    /// guard keys on the signed bytes instead: a delivery may carry several
    /// signatures, one per active secret.)
    ///
    /// It equals the expected signature, so treat it like one: never log it.
    /// `Debug` prints it as `<redacted>`.
    pub fn signature(&self) -> Option<&[u8; 32]> {
        self.signature.as_ref()
    }
}

impl fmt::Debug for Verified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verified")
            .field("profile", &self.profile)
            .field("key_index", &self.key_index)
            .field("timestamp", &self.timestamp)
            .field("drift_ms", &self.drift_ms)
            .field("signature", &self.signature.map(|_| "<redacted>"))
            .finish()
    }
}
