//! The bare MAC the benchmarks compare against: `new_from_slice`, `update`
//! and `verify_slice` over exactly the bytes a profile signs, fed in the
//! pieces the reference documents feed (body; or timestamp, separator, body).

use cognigy_webhook::Profile;
use cognigy_webhook::profile::SignedContent;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The pieces `profile` signs for a delivery with these headers and body.
pub(crate) fn signed_pieces<'a>(
    profile: &'a Profile,
    pairs: &'a [(String, String)],
    body: &'a [u8],
) -> Vec<&'a [u8]> {
    match profile.signed_content() {
        Some(SignedContent::TimestampThenBody(separator)) => {
            let header = profile.timestamp_header().unwrap();
            let (_, value) = pairs.iter().find(|(name, _)| name == header).unwrap();
            // A structured header (`t=…,v1=…`) carries the timestamp as a pair.
            let timestamp = match profile.signature_pairs() {
                Some((key, _)) => value
                    .split(',')
                    .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
                    .unwrap(),
                None => value.as_str(),
            };
            vec![timestamp.as_bytes(), separator, body]
        }
        _ => vec![body],
    }
}

/// Keys the MAC, feeds it `pieces` and checks `tag` in constant time.
pub(crate) fn bare_mac(secret: &str, pieces: &[&[u8]], tag: &[u8]) -> bool {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    for piece in pieces {
        mac.update(piece);
    }
    mac.verify_slice(tag).is_ok()
}

/// The expected tag over `pieces`.
pub(crate) fn tag(secret: &str, pieces: &[&[u8]]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    for piece in pieces {
        mac.update(piece);
    }
    mac.finalize().into_bytes().to_vec()
}
