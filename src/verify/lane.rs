//! One accepted profile and its keys, made once when a verifier is built.

use hmac::{Hmac, KeyInit};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::profile::Scheme;
use super::signature::DIGEST_LEN;
use crate::{Profile, Secret};

/// HMAC-SHA256, keyed once per secret.
pub(crate) type HmacSha256 = Hmac<Sha256>;

/// One accepted profile with its keys.
pub(crate) struct Lane {
    pub(crate) profile: Profile,
    pub(crate) keys: Keys,
}

pub(crate) enum Keys {
    /// One keyed HMAC per secret.
    Hmac(Box<[HmacSha256]>),
    /// SHA-256 of each expected credential (Basic Auth `user:password`, or
    /// the API key): comparing digests keeps the length secret as well.
    Digests(Box<[Zeroizing<[u8; DIGEST_LEN]>]>),
}

impl Keys {
    pub(crate) fn new(profile: &Profile, secrets: &[Secret]) -> Keys {
        match profile.scheme {
            Scheme::Hmac { .. } => Keys::Hmac(
                secrets
                    .iter()
                    .filter_map(|secret| HmacSha256::new_from_slice(secret.expose()).ok())
                    .collect(),
            ),
            Scheme::BasicAuth | Scheme::ApiKey { .. } => Keys::Digests(
                secrets
                    .iter()
                    .map(|secret| Zeroizing::new(Sha256::digest(secret.expose()).into()))
                    .collect(),
            ),
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Keys::Hmac(keys) => keys.len(),
            Keys::Digests(digests) => digests.len(),
        }
    }
}
