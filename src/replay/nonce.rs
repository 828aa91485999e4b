//! Where a delivery's nonce comes from.

use std::borrow::Cow;
use std::fmt;

use sha2::{Digest, Sha256};

use crate::{ErrorKind, HeaderLookup, Lookup, Verified};

/// The longest nonce taken from a header or a JSON field.
const MAX_NONCE_LEN: usize = 256;

/// Where the guard takes each delivery's nonce from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NonceSource {
    /// The verified signature (the default): unique per body, and per
    /// timestamp where the timestamp is signed. The only safe default for
    /// the raw-body profiles; needs an HMAC profile.
    Signature,
    /// A request header, such as an event id header.
    Header(Cow<'static, str>),
    /// A JSON pointer into the verified body, such as `/messageId` or
    /// `/event_id`; the value must be a string or a number.
    JsonPointer(Cow<'static, str>),
}

/// A delivery's nonce: a SHA-256 digest (domain-separated by source), plus
/// the readable event id where the source has one (header, JSON field).
///
/// A signature nonce is kept only as a digest, so no store ever holds a
/// signature.
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
    /// The nonce of one verified delivery; `missing_nonce` when the source
    /// has none to give.
    pub fn extract<'h>(
        &self,
        verified: &Verified,
        headers: impl HeaderLookup<'h>,
        body: &[u8],
    ) -> Result<Nonce, ErrorKind> {
        let missing = ErrorKind::MissingNonce;
        match self {
            NonceSource::Signature => {
                let signature = verified.signature().ok_or(missing)?;
                Ok(Nonce::new(b"signature\0", signature, None))
            }
            NonceSource::Header(name) => match headers.lookup(name) {
                Lookup::One(value) => {
                    let value = value.trim_ascii();
                    let text = std::str::from_utf8(value).map_err(|_| missing)?;
                    if text.is_empty() || text.len() > MAX_NONCE_LEN {
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
                if text.is_empty() || text.len() > MAX_NONCE_LEN {
                    return Err(missing);
                }
                Ok(Nonce::from_event_id(&text))
            }
        }
    }
}
