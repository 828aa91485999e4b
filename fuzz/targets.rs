//! The fuzz targets' bodies. The fuzz binaries in `fuzz_targets/` call these,
//! and the main crate's `tests/fuzz_corpus.rs` replays the checked-in corpus
//! through the very same functions. Each one checks invariants, not only the
//! absence of panics.

use std::time::{Duration, UNIX_EPOCH};

use cognigy_webhook::clock::FixedClock;
use cognigy_webhook::limits::MAX_SIGNATURES;
use cognigy_webhook::profile::{SignatureEncoding, Signatures, TimestampFormat};
use cognigy_webhook::{Profile, Secret, Signer, Verifier};

/// Signature header decoding: never panics, yields 1..=MAX_SIGNATURES
/// digests, and what it accepts re-encodes to something it accepts again.
pub(crate) fn signature_header(data: &[u8]) {
    for encoding in [SignatureEncoding::Hex, SignatureEncoding::Base64] {
        for prefix in ["", "sha256="] {
            let Ok(signatures) = Signatures::decode(data, encoding, prefix) else {
                continue;
            };
            assert!((1..=MAX_SIGNATURES).contains(&signatures.len()));
            for digest in signatures.as_slice() {
                let again = format!("{prefix}{}", hex_encode(digest));
                let decoded = Signatures::decode(again.as_bytes(), SignatureEncoding::Hex, prefix)
                    .expect("a re-encoded digest decodes");
                assert_eq!(decoded.as_slice(), &[*digest]);
            }
        }
    }
}

/// Timestamp parsing: never panics, and whatever the integer formats accept
/// lies at or after the epoch and survives a format/parse round trip.
pub(crate) fn timestamp(data: &[u8]) {
    for format in [
        TimestampFormat::Rfc3339,
        TimestampFormat::UnixMillis,
        TimestampFormat::UnixSeconds,
    ] {
        let Ok(at) = format.parse(data) else { continue };
        if format != TimestampFormat::Rfc3339 {
            assert!(at >= UNIX_EPOCH);
        }
        if format == TimestampFormat::UnixMillis {
            assert_eq!(format.parse(format.format(at).as_bytes()), Ok(at));
        }
    }
}

/// Whole verification on arbitrary headers and body: never panics, refuses
/// with a client status, and a correctly signed copy of the same body always
/// verifies. Input layout: profile selector byte, then signature value,
/// timestamp value and body separated by 0xFF bytes.
pub(crate) fn verify(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let presets = Profile::presets();
    let profile = presets[usize::from(selector) % presets.len()].clone();
    let mut parts = rest.splitn(3, |&b| b == 0xFF);
    let signature = parts.next().unwrap_or_default();
    let timestamp = parts.next().unwrap_or_default();
    let body = parts.next().unwrap_or_default();

    let now = UNIX_EPOCH + Duration::from_secs(1_698_765_432);
    // `user:password`, so that it is a Basic Auth secret too.
    let secret = Secret::new("fuzz:secret").expect("non-empty");
    let verifier = Verifier::builder(profile.clone())
        .secret(secret.clone())
        .clock(FixedClock::new(now))
        .build()
        .expect("valid configuration");

    let mut headers: Vec<(&str, &[u8])> = vec![(profile.credential_header(), signature)];
    if let Some(name) = profile.timestamp_header() {
        headers.push((name, timestamp));
    }
    if let Err(error) = verifier.verify(headers.as_slice(), body) {
        assert!(matches!(error.status(), 400 | 401 | 403), "{error:?}");
    }

    let signed = Signer::new(profile, secret).sign(body, now);
    assert!(
        verifier.verify(&signed, body).is_ok(),
        "a signed delivery must verify"
    );
}

/// A structured `Jambonz-Signature` header (voice-gateway): any value is
/// judged without a panic, refused only for what its head can be refused
/// for, and a header signed for the input as body always verifies it.
pub(crate) fn structured_header(data: &[u8]) {
    use cognigy_webhook::ErrorKind::*;
    let now = UNIX_EPOCH + Duration::from_secs(1_698_765_432);
    let secret = Secret::new("fuzz-secret").expect("non-empty");
    let verifier = Verifier::builder(Profile::voice_gateway())
        .secret(secret.clone())
        .clock(FixedClock::new(now))
        .build()
        .expect("valid configuration");
    let headers = [("Jambonz-Signature", data)];
    match verifier.check_head(headers.as_slice()) {
        Ok(head) => {
            let _ = head.verify_body(data);
        }
        Err(error) => assert!(
            matches!(
                error.kind(),
                MissingSignature
                    | MissingTimestamp
                    | MalformedSignature
                    | MalformedTimestamp
                    | TimestampTooOld
                    | TimestampTooNew
            ),
            "{error:?}"
        ),
    }
    let signed = Signer::new(Profile::voice_gateway(), secret).sign(data, now);
    assert!(
        verifier.verify(&signed, data).is_ok(),
        "a signed delivery must verify"
    );
}

fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
