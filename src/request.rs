//! Per-request identifiers that adapters attach next to [`Verified`](crate::Verified).

use std::fmt;
use std::sync::Arc;

use crate::{HeaderLookup, Lookup};

/// The header Cognigy carries its correlation id in (the Go reference document).
pub const CORRELATION_ID_HEADER: &str = "X-Cognigy-CorrelationId";

/// The longest correlation id kept; a longer or non-printable value is
/// ignored rather than trusted.
pub const MAX_CORRELATION_ID_LEN: usize = 128;

/// The sender's correlation id from `X-Cognigy-CorrelationId`, for logs and
/// to pass on to outbound calls as `X-Correlation-Id`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CorrelationId(Arc<str>);

impl CorrelationId {
    /// Accepts a header value of 1 to [`MAX_CORRELATION_ID_LEN`] visible
    /// ASCII characters (after trimming whitespace); anything else is `None`.
    pub fn from_header(value: &[u8]) -> Option<Self> {
        let value = value.trim_ascii();
        let printable = value.iter().all(|b| b.is_ascii_graphic());
        if value.is_empty() || value.len() > MAX_CORRELATION_ID_LEN || !printable {
            return None;
        }
        std::str::from_utf8(value)
            .ok()
            .map(|text| CorrelationId(text.into()))
    }

    /// The id from [`CORRELATION_ID_HEADER`] in `headers`, if present once
    /// and acceptable to [`CorrelationId::from_header`].
    pub fn from_headers<'a>(headers: impl HeaderLookup<'a>) -> Option<Self> {
        match headers.lookup(CORRELATION_ID_HEADER) {
            Lookup::One(value) => Self::from_header(value),
            Lookup::Absent | Lookup::Repeated => None,
        }
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CorrelationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An id generated for each request the adapters see (a random UUID v4), for
/// logs, metrics and the response body.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestId([u8; 16]);

impl RequestId {
    /// A request id from 16 bytes (an adapter passes random ones).
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        RequestId(bytes)
    }

    /// A fresh random id.
    #[cfg(any(feature = "tower", feature = "actix"))]
    pub fn new() -> Self {
        RequestId(uuid::Uuid::new_v4().into_bytes())
    }
}

#[cfg(any(feature = "tower", feature = "actix"))]
impl Default for RequestId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for RequestId {
    /// The hyphenated UUID form, `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Written once per request into audit events and headers: encoded
        // into a buffer and written in one piece.
        let mut text = [b'-'; 36];
        for (bytes, at) in [(0..4, 0), (4..6, 9), (6..8, 14), (8..10, 19), (10..16, 24)] {
            let end = at + 2 * bytes.len();
            hex::encode_to_slice(&self.0[bytes], &mut text[at..end]).map_err(|_| fmt::Error)?;
        }
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RequestId({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correlation_ids_are_bounded_and_printable() {
        assert_eq!(
            CorrelationId::from_header(b" abc-123 ").unwrap().as_str(),
            "abc-123"
        );
        for bad in [&b""[..], b"   ", b"a b", b"caf\xc3\xa9", b"a\x00"] {
            assert!(CorrelationId::from_header(bad).is_none(), "{bad:?}");
        }
        let long = [b'a'; MAX_CORRELATION_ID_LEN + 1];
        assert!(CorrelationId::from_header(&long).is_none());
        assert!(CorrelationId::from_header(&long[1..]).is_some());
        let once = [(CORRELATION_ID_HEADER, "c-1")];
        assert_eq!(CorrelationId::from_headers(&once).unwrap().as_str(), "c-1");
        let twice = [
            (CORRELATION_ID_HEADER, "c-1"),
            ("x-cognigy-correlationid", "c-2"),
        ];
        assert!(CorrelationId::from_headers(&twice).is_none());
    }

    #[test]
    fn request_ids_print_as_uuids() {
        let id = RequestId::from_bytes([0xab; 16]);
        assert_eq!(id.to_string(), "abababab-abab-abab-abab-abababababab");
        let bytes: [u8; 16] = std::array::from_fn(|i| u8::try_from(i * 17).unwrap());
        assert_eq!(
            RequestId::from_bytes(bytes).to_string(),
            "00112233-4455-6677-8899-aabbccddeeff"
        );
    }
}
