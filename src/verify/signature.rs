//! Decoding signature header values into digests, without allocating.

use std::fmt;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use crate::{Error, ErrorKind, SignatureEncoding};

/// The most signatures accepted in one header. Senders rotating secrets send
/// one signature per active secret, separated by spaces or commas; more than
/// this is refused as malformed before any MAC work.
pub const MAX_SIGNATURES: usize = 4;

/// Bytes in an HMAC-SHA256 digest.
pub(crate) const DIGEST_LEN: usize = 32;

/// Standard base64 that accepts values with or without padding.
pub(crate) const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The signatures found in one signature header value, decoded to bytes.
///
/// `Debug` shows only how many there are: once one of them matches it equals
/// the expected signature, which is never printed.
///
/// ```
/// use cognigy_webhook::profile::{SignatureEncoding, Signatures};
///
/// let value = format!("sha256={} sha256={}", "ab".repeat(32), "CD".repeat(32));
/// let signatures = Signatures::decode(value.as_bytes(), SignatureEncoding::Hex, "sha256=")?;
/// assert_eq!(signatures.len(), 2);
/// assert_eq!(signatures.as_slice()[1], [0xcd; 32]);
/// assert!(Signatures::decode(b"sha256=abc", SignatureEncoding::Hex, "sha256=").is_err());
/// # Ok::<(), cognigy_webhook::Error>(())
/// ```
#[derive(Clone)]
pub struct Signatures {
    digests: [[u8; DIGEST_LEN]; MAX_SIGNATURES],
    len: usize,
}

impl Signatures {
    /// Decodes a header value (already trimmed): one to [`MAX_SIGNATURES`]
    /// signatures separated by spaces, tabs or commas, each starting with
    /// `prefix` (ASCII case-insensitive) and encoding exactly 32 bytes.
    /// Anything else is [`ErrorKind::MalformedSignature`].
    pub fn decode(value: &[u8], encoding: SignatureEncoding, prefix: &str) -> Result<Self, Error> {
        // A value no longer than one signature holds at most one, and a
        // separator inside it makes it malformed either way: decode it whole
        // and spare the scan for separators (the usual case).
        if value.len() <= prefix.len() + encoded_len(encoding) {
            return Self::decode_pieces([value], encoding, prefix);
        }
        let pieces = value
            .split(|&b| is_separator(b))
            .filter(|piece| !piece.is_empty());
        Self::decode_pieces(pieces, encoding, prefix)
    }

    /// Decodes signatures given one by one (each already trimmed).
    pub(crate) fn decode_pieces<'a>(
        pieces: impl IntoIterator<Item = &'a [u8]>,
        encoding: SignatureEncoding,
        prefix: &str,
    ) -> Result<Self, Error> {
        let mut signatures = Signatures {
            digests: [[0; DIGEST_LEN]; MAX_SIGNATURES],
            len: 0,
        };
        for piece in pieces {
            let slot = signatures
                .digests
                .get_mut(signatures.len)
                .ok_or_else(malformed)?;
            let encoded =
                strip_prefix_ignore_case(piece, prefix.as_bytes()).ok_or_else(malformed)?;
            decode_digest(encoded, encoding, slot)?;
            signatures.len += 1;
        }
        if signatures.len == 0 {
            return Err(malformed());
        }
        Ok(signatures)
    }

    /// The decoded signatures, in header order.
    pub fn as_slice(&self) -> &[[u8; DIGEST_LEN]] {
        &self.digests[..self.len]
    }

    /// How many signatures the header held (at least one).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always `false`: decoding refuses a header without a signature.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl fmt::Debug for Signatures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signatures")
            .field("count", &self.len)
            .finish_non_exhaustive()
    }
}

fn malformed() -> Error {
    ErrorKind::MalformedSignature.into()
}

/// Whether `byte` separates signatures in one header.
pub(crate) fn is_separator(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b',')
}

/// The longest encoding of one digest.
fn encoded_len(encoding: SignatureEncoding) -> usize {
    match encoding {
        SignatureEncoding::Hex => 2 * DIGEST_LEN,
        SignatureEncoding::Base64 => DIGEST_LEN.div_ceil(3) * 4,
    }
}

fn strip_prefix_ignore_case<'a>(value: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    let (head, rest) = value.split_at_checked(prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then_some(rest)
}

fn decode_digest(
    encoded: &[u8],
    encoding: SignatureEncoding,
    out: &mut [u8; DIGEST_LEN],
) -> Result<(), Error> {
    match encoding {
        // Exactly 64 digits (the decoder would also take a `0x` before them).
        SignatureEncoding::Hex if encoded.len() != encoded_len(SignatureEncoding::Hex) => {
            Err(malformed())
        }
        SignatureEncoding::Hex => hex::decode_to_slice(encoded, out).map_err(|_| malformed()),
        SignatureEncoding::Base64 => {
            // 44 characters at most; the decoder wants room for its estimate.
            if encoded.len() > encoded_len(SignatureEncoding::Base64) {
                return Err(malformed());
            }
            let mut buffer = [0u8; DIGEST_LEN + 3];
            let written = BASE64
                .decode_slice(encoded, &mut buffer)
                .map_err(|_| malformed())?;
            *out = buffer
                .get(..written)
                .and_then(|bytes| bytes.try_into().ok())
                .ok_or_else(malformed)?;
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SignatureEncoding::{Base64, Hex};

    #[test]
    fn separators_prefixes_and_cases() {
        let hex = "0f".repeat(32);
        let upper = hex.to_uppercase();
        let value = format!(" SHA256={hex},sha256={upper}\tsha256={hex} ");
        let signatures = Signatures::decode(value.trim().as_bytes(), Hex, "sha256=").unwrap();
        assert_eq!(signatures.as_slice(), &[[0x0f; 32]; 3]);
        assert_eq!(format!("{signatures:?}"), "Signatures { count: 3, .. }");
    }

    #[test]
    fn malformed_values() {
        let good = "0f".repeat(32);
        let five = [good.as_str(); MAX_SIGNATURES + 1].join(" ");
        let cases = [
            String::new(),
            " , ".into(),
            good[..63].into(),
            format!("{good}0"),
            format!("{}zz", &good[..62]),
            five,
            format!("sha256:{good}"),
            "é".repeat(32),
            format!("0x{good}"),
            format!("0X{good}"),
        ];
        for case in &cases {
            assert_eq!(
                Signatures::decode(case.as_bytes(), Hex, "").map(|s| s.len()),
                Err(malformed()),
                "{case:?}"
            );
        }
        assert!(Signatures::decode(good.as_bytes(), Hex, "sha256=").is_err());
    }

    #[test]
    fn base64_with_and_without_padding() {
        let padded = BASE64.encode([7u8; 32]);
        assert_eq!(padded.len(), 44);
        for value in [padded.as_str(), padded.trim_end_matches('=')] {
            let signatures = Signatures::decode(value.as_bytes(), Base64, "").unwrap();
            assert_eq!(signatures.as_slice(), &[[7; 32]]);
        }
        let short = BASE64.encode([7u8; 31]);
        let long = BASE64.encode([7u8; 33]);
        for value in [short, long, "!!!!".into()] {
            assert!(
                Signatures::decode(value.as_bytes(), Base64, "").is_err(),
                "{value}"
            );
        }
    }
}
