//! Where a delivery's nonce comes from.

use std::borrow::Cow;
use std::fmt;

use sha2::{Digest, Sha256};

use crate::profile::SignedContent;
use crate::verify::head::signed_timestamp;
use crate::{ErrorKind, HeaderLookup, Lookup, Profile};

/// The longest nonce taken from a header or a JSON field: what the
/// PostgreSQL ledger's `event_id VARCHAR(255)` column holds, so that a longer
/// one is a 400 `missing_nonce` and never a store error.
const MAX_NONCE_LEN: usize = 255;

/// Where the guard takes each delivery's nonce from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum NonceSource {
    /// A digest of the bytes the signature covers (the default): the body,
    /// and the timestamp before it where the profile signs the timestamp.
    /// One delivery is one nonce whatever signatures it carries, so a
    /// delivery signed with an old and a new secret during a rotation is
    /// not accepted again with either signature alone; nor, where several
    /// profiles are accepted, as another profile that signs the same bytes
    /// (`hex-millis` and `sha256-prefixed` both sign the body alone; a body
    /// `T\nB` under `hex-millis` is what `timestamp-newline` signs for `T`
    /// and `B`). For Basic Auth and API key profiles it is the body's
    /// digest.
    #[default]
    SignedBytes,
    /// **A request header the signature does not cover**, such as an event
    /// id header. Anyone who captured a delivery can replay it with a new
    /// id, and anyone who can reach the endpoint can send ids ahead of the
    /// sender's, so that its genuine deliveries are refused (or, under
    /// [`ReplayPolicy::Acknowledge`](super::ReplayPolicy::Acknowledge),
    /// acknowledged without running the handler). Use it only where the
    /// header is protected some other way; prefer [`NonceSource::SignedBytes`]
    /// or [`NonceSource::JsonPointer`] into the signed body.
    UnsignedHeader(Cow<'static, str>),
    /// A JSON pointer into the verified body, such as `/messageId` or
    /// `/event_id`; the value must be a string or a number.
    JsonPointer(Cow<'static, str>),
}

/// A delivery's nonce: a SHA-256 digest (domain-separated by source), plus
/// the readable event id where the source has one (header, JSON field).
///
/// A signed-bytes nonce is only a digest, so no store ever holds the body.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Nonce {
    digest: [u8; 32],
    event_id: Option<String>,
}

impl Nonce {
    fn new(domain: &[u8], value: &[u8], event_id: Option<String>) -> Nonce {
        let digest = Sha256::new()
            .chain_update(domain)
            .chain_update(value)
            .finalize()
            .into();
        Nonce { digest, event_id }
    }

    /// A nonce for an event id (for tests and custom stores).
    pub fn from_event_id(event_id: &str) -> Nonce {
        Nonce::new(b"event\0", event_id.as_bytes(), Some(event_id.to_owned()))
    }

    /// The digest that stores key on.
    pub fn digest(&self) -> &[u8; 32] {
        &self.digest
    }

    /// The readable event id, for header and JSON sources.
    pub fn event_id(&self) -> Option<&str> {
        self.event_id.as_deref()
    }

    /// The digest in lowercase hex.
    pub fn digest_hex(&self) -> String {
        hex::encode(self.digest)
    }

    /// The same delivery's nonce within `namespace`: a digest of both,
    /// without a readable event id.
    pub(crate) fn in_namespace(&self, namespace: &str) -> Nonce {
        let digest = Sha256::new()
            .chain_update(b"namespace\0")
            .chain_update(namespace)
            .chain_update(b"\0")
            .chain_update(self.digest)
            .finalize()
            .into();
        Nonce {
            digest,
            event_id: None,
        }
    }

    /// The event id, or the digest in hex where there is none.
    pub fn key(&self) -> Cow<'_, str> {
        match &self.event_id {
            Some(id) => Cow::Borrowed(id),
            None => Cow::Owned(self.digest_hex()),
        }
    }
}

impl fmt::Debug for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Nonce")
            .field("event_id", &self.event_id)
            .finish_non_exhaustive()
    }
}

impl NonceSource {
    /// The nonce of one delivery that `profile` verified; `missing_nonce`
    /// when the source has none to give.
    pub fn extract<'h>(
        &self,
        profile: &Profile,
        headers: impl HeaderLookup<'h>,
        body: &[u8],
    ) -> Result<Nonce, ErrorKind> {
        let missing = ErrorKind::MissingNonce;
        match self {
            NonceSource::SignedBytes => {
                // The signed bytes alone: the same bytes are the same
                // signed message whichever accepted profile presents them
                // (a body `T\nB` under `hex-millis` is what `timestamp-newline`
                // signs for timestamp `T` and body `B`).
                let mut digest = Sha256::new().chain_update(b"signed\0");
                if let Some(SignedContent::TimestampThenBody(_)) = profile.signed_content() {
                    let (timestamp, separator) =
                        signed_timestamp(profile, &headers).ok_or(missing)?;
                    digest.update(timestamp);
                    digest.update(separator);
                }
                Ok(Nonce {
                    digest: digest.chain_update(body).finalize().into(),
                    event_id: None,
                })
            }
            NonceSource::UnsignedHeader(name) => match headers.lookup(name) {
                Lookup::One(value) => {
                    let value = value.trim_ascii();
                    let text = std::str::from_utf8(value).map_err(|_| missing)?;
                    if !usable_event_id(text) {
                        return Err(missing);
                    }
                    Ok(Nonce::from_event_id(text))
                }
                Lookup::Absent | Lookup::Repeated => Err(missing),
            },
            NonceSource::JsonPointer(pointer) => {
                let document: serde_json::Value =
                    serde_json::from_slice(body).map_err(|_| missing)?;
                let text = match document.pointer(pointer) {
                    Some(serde_json::Value::String(text)) => text.clone(),
                    Some(serde_json::Value::Number(number)) => number.to_string(),
                    _ => return Err(missing),
                };
                if !usable_event_id(&text) {
                    return Err(missing);
                }
                Ok(Nonce::from_event_id(&text))
            }
        }
    }
}

/// Whether every store can key on `id`: not empty, at most
/// [`MAX_NONCE_LEN`] bytes, and without NUL (which PostgreSQL text refuses:
/// the delivery would meet 503 on every try).
fn usable_event_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_NONCE_LEN && !id.contains('\0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ids_fit_the_ledger_column() {
        let source = NonceSource::JsonPointer("/id".into());
        let profile = Profile::hex_millis();
        let none: [(&str, &str); 0] = [];
        for (len, fits) in [(255, true), (256, false)] {
            let body = format!(r#"{{"id":"{}"}}"#, "x".repeat(len));
            let nonce = source.extract(&profile, &none, body.as_bytes());
            assert_eq!(nonce.is_ok(), fits, "{len}");
        }
        let nul = source.extract(&profile, &none, br#"{"id":"a\u0000b"}"#);
        assert_eq!(nul.unwrap_err(), ErrorKind::MissingNonce);
    }
}
