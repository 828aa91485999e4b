//! Property tests: signing and verifying are exact inverses for every
//! profile, and no single-bit change to what is signed goes unnoticed.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cognigy_webhook::clock::FixedClock;
use cognigy_webhook::profile::{ProfileKind, SignatureEncoding, SignedContent, TimestampFormat};
use cognigy_webhook::{ErrorKind, Profile, Secret, Signer, Verifier};
use proptest::prelude::*;

fn presets() -> impl Strategy<Value = Profile> {
    prop::sample::select(Profile::presets().to_vec())
}

/// The HMAC presets whose timestamp has a header of its own.
fn hmac_presets() -> impl Strategy<Value = Profile> {
    prop::sample::select(
        Profile::presets()
            .into_iter()
            .filter(|p| p.kind() == ProfileKind::HmacSha256 && p.signature_pairs().is_none())
            .collect::<Vec<_>>(),
    )
}

/// Send times between 2001 and 2286, whole milliseconds.
fn send_times() -> impl Strategy<Value = SystemTime> {
    (1_000_000_000_000u64..9_999_999_999_999).prop_map(|ms| UNIX_EPOCH + Duration::from_millis(ms))
}

/// A secret that every profile can carry: HMAC keys are arbitrary bytes; API
/// keys and Basic Auth credentials travel in headers, so printable ASCII.
fn secret_for(profile: &Profile, raw: &[u8], printable: &str) -> Secret {
    match profile.kind() {
        ProfileKind::HmacSha256 => Secret::new(raw).unwrap(),
        ProfileKind::BasicAuth => Secret::basic_auth("cognigy", printable).unwrap(),
        _ => Secret::new(printable).unwrap(),
    }
}

fn verifier(profile: &Profile, secret: Secret, now: SystemTime) -> Verifier {
    Verifier::builder(profile.clone())
        .secret(secret)
        .clock(FixedClock::new(now))
        .build()
        .unwrap()
}

fn pairs(headers: &cognigy_webhook::profile::SignedHeaders) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn sign_then_verify_round_trips(
        profile in presets(),
        body in prop::collection::vec(any::<u8>(), 0..4096),
        raw in prop::collection::vec(any::<u8>(), 1..100),
        printable in "[!-~]{1,64}",
        sent in send_times(),
        delay_fraction in 0.0f64..1.0,
    ) {
        let secret = secret_for(&profile, &raw, &printable);
        let headers = Signer::new(profile.clone(), secret.clone()).sign(&body, sent);
        // Received up to the tolerance later (less a second, as the
        // timestamp is written in whole seconds for some formats).
        let tolerance = profile.tolerance().unwrap_or_default().saturating_sub(Duration::from_secs(1));
        let now = sent + tolerance.mul_f64(delay_fraction);
        let verified = verifier(&profile, secret, now).verify(&headers, &body);
        prop_assert!(verified.is_ok(), "{:?}", verified);
        prop_assert_eq!(verified.unwrap().key_index(), 0);
    }

    #[test]
    fn any_bit_flip_in_the_body_is_rejected(
        profile in hmac_presets(),
        body in prop::collection::vec(any::<u8>(), 1..2048),
        raw in prop::collection::vec(any::<u8>(), 1..64),
        bit in any::<prop::sample::Index>(),
        sent in send_times(),
    ) {
        let secret = Secret::new(raw).unwrap();
        let headers = Signer::new(profile.clone(), secret.clone()).sign(&body, sent);
        let mut flipped = body.clone();
        let bit = bit.index(body.len() * 8);
        flipped[bit / 8] ^= 1 << (bit % 8);
        let result = verifier(&profile, secret, sent).verify(&headers, &flipped);
        prop_assert_eq!(result.map_err(|e| e.kind()), Err(ErrorKind::SignatureMismatch));
    }

    #[test]
    fn any_bit_flip_in_the_signature_is_rejected(
        profile in hmac_presets(),
        body in prop::collection::vec(any::<u8>(), 0..512),
        bit in 0usize..256,
        sent in send_times(),
    ) {
        let secret = Secret::new("flip-secret").unwrap();
        let headers = Signer::new(profile.clone(), secret.clone()).sign(&body, sent);
        let mut pairs = pairs(&headers);
        // Flip a bit of the decoded signature, then write it back.
        let prefix = profile.signature_prefix().unwrap();
        let mut digest = hex::decode(&pairs[0].1[prefix.len()..]).unwrap();
        digest[bit / 8] ^= 1 << (bit % 8);
        pairs[0].1 = format!("{prefix}{}", hex::encode(digest));
        let result = verifier(&profile, secret, sent).verify(pairs.as_slice(), &body);
        prop_assert_eq!(result.map_err(|e| e.kind()), Err(ErrorKind::SignatureMismatch));
    }

    #[test]
    fn any_bit_flip_in_the_signature_text_is_rejected_unless_it_only_changes_case(
        profile in hmac_presets(),
        bit in any::<prop::sample::Index>(),
        sent in send_times(),
    ) {
        let body = br#"{"messageId":"m-1"}"#;
        let secret = Secret::new("flip-secret").unwrap();
        let headers = Signer::new(profile.clone(), secret.clone()).sign(body, sent);
        let mut pairs = pairs(&headers);
        let mut text = pairs[0].1.clone().into_bytes();
        let bit = bit.index(text.len() * 8);
        let before = text[bit / 8];
        text[bit / 8] ^= 1 << (bit % 8);
        let after = text[bit / 8];
        let case_only = before.eq_ignore_ascii_case(&after) && before.is_ascii_alphabetic();
        pairs[0].1 = String::from_utf8_lossy(&text).into_owned();
        let result = verifier(&profile, secret, sent).verify(pairs.as_slice(), body);
        prop_assert_eq!(result.is_ok(), case_only, "{:?} -> {:?}: {:?}", before as char, after as char, result);
    }

    #[test]
    fn a_bit_flip_in_the_timestamp_is_rejected_or_lands_inside_the_window(
        profile in hmac_presets(),
        bit in any::<prop::sample::Index>(),
        sent in send_times(),
    ) {
        let body = br#"{"messageId":"m-1"}"#;
        let secret = Secret::new("flip-secret").unwrap();
        let headers = Signer::new(profile.clone(), secret.clone()).sign(body, sent);
        let mut pairs = pairs(&headers);
        let mut text = pairs[1].1.clone().into_bytes();
        let bit = bit.index(text.len() * 8);
        text[bit / 8] ^= 1 << (bit % 8);
        let flipped = String::from_utf8_lossy(&text).into_owned();
        pairs[1].1 = flipped.clone();
        let result = verifier(&profile, secret, sent).verify(pairs.as_slice(), body);
        match profile.signed_content().unwrap() {
            // The timestamp is signed: every change is caught.
            SignedContent::TimestampThenBody(_) => prop_assert!(result.is_err(), "{flipped}"),
            // Raw-body profiles do not sign the timestamp (the gap a replay
            // guard closes): a flip verifies only if it still parses to a
            // time inside the window.
            _ => if let Ok(verified) = result {
                let tolerance = profile.tolerance().unwrap();
                let at = profile.timestamp_format().unwrap().parse(flipped.trim().as_bytes()).unwrap();
                prop_assert_eq!(verified.timestamp(), Some(at));
                let drift = sent.duration_since(at).or_else(|e| Ok::<_, ()>(e.duration())).unwrap();
                prop_assert!(drift <= tolerance);
            }
        }
    }

    #[test]
    fn arbitrary_header_values_never_panic(
        profile in presets(),
        signature in prop::collection::vec(any::<u8>(), 0..200),
        timestamp in prop::collection::vec(any::<u8>(), 0..80),
        body in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let verifier = verifier(&profile, Secret::new("u:s").unwrap(), SystemTime::now());
        let mut headers: Vec<(&str, &[u8])> = vec![(profile.credential_header(), &signature)];
        if let Some(name) = profile.timestamp_header() {
            headers.push((name, &timestamp));
        }
        let result = verifier.verify(headers.as_slice(), &body);
        if let Err(error) = result {
            prop_assert!(matches!(error.status(), 400 | 401 | 403), "{:?}", error);
        }
    }

    #[test]
    fn custom_base64_profiles_round_trip(
        body in prop::collection::vec(any::<u8>(), 0..1024),
        separator in prop::collection::vec(any::<u8>(), 0..4),
        sent in send_times(),
    ) {
        let profile = Profile::builder("custom")
            .hmac_sha256("X-Sig")
            .encoding(SignatureEncoding::Base64)
            .prefix("v1=")
            .signed_content(SignedContent::TimestampThenBody(separator.into()))
            .timestamp("X-Ts", TimestampFormat::UnixSeconds)
            .build()
            .unwrap();
        let secret = Secret::new("custom-secret").unwrap();
        let headers = Signer::new(profile.clone(), secret.clone()).sign(&body, sent);
        prop_assert!(verifier(&profile, secret, sent).verify(&headers, &body).is_ok());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// `Jambonz-Signature: t=…,v1=…`: flipping any bit of the header value
    /// is refused, unless it only changes the case of a letter in the hex of
    /// `v1` (hex is compared as bytes).
    #[test]
    fn a_bit_flip_in_the_voice_gateway_header_is_rejected(
        bit in any::<prop::sample::Index>(),
        sent in send_times(),
    ) {
        let profile = Profile::voice_gateway();
        let body = br#"{"call_sid":"c-1","call_status":"in-progress"}"#;
        let secret = Secret::new("jambonz-webhook-secret").unwrap();
        let headers = Signer::new(profile.clone(), secret.clone()).sign(body, sent);
        let mut pairs = pairs(&headers);
        prop_assert_eq!(pairs.len(), 1);
        let hex_from = pairs[0].1.find(",v1=").unwrap() + 4;
        let mut text = pairs[0].1.clone().into_bytes();
        let bit = bit.index(text.len() * 8);
        let before = text[bit / 8];
        text[bit / 8] ^= 1 << (bit % 8);
        let after = text[bit / 8];
        let case_only = bit / 8 >= hex_from
            && before.is_ascii_alphabetic()
            && before.eq_ignore_ascii_case(&after);
        pairs[0].1 = String::from_utf8_lossy(&text).into_owned();
        let result = verifier(&profile, secret, sent).verify(pairs.as_slice(), body);
        prop_assert_eq!(result.is_ok(), case_only, "{:?} -> {:?}: {:?}", before as char, after as char, result);
    }

    /// The pairs of a `Jambonz-Signature` header may come in any order, with
    /// pairs under other keys anywhere and white space around them: the
    /// delivery verifies all the same.
    #[test]
    fn voice_gateway_pairs_in_any_order_with_other_keys_verify(
        extra in prop::collection::vec(("x[a-z0-9]{0,5}", "[A-Za-z0-9_.-]{0,12}"), 0..4),
        order in any::<prop::sample::Index>(),
        spaces in any::<bool>(),
        sent in send_times(),
    ) {
        let profile = Profile::voice_gateway();
        let body = br#"{"call_sid":"c-2"}"#;
        let secret = Secret::new("jambonz-webhook-secret").unwrap();
        let headers = Signer::new(profile.clone(), secret.clone()).sign(body, sent);
        let value = headers.get("Jambonz-Signature").unwrap();
        let mut items: Vec<String> = value.split(',').map(str::to_owned).collect();
        for (key, val) in &extra {
            items.push(format!("{key}={val}"));
        }
        let len = items.len();
        items.rotate_left(order.index(len));
        let joiner = if spaces { " , " } else { "," };
        let shuffled = items.join(joiner);
        let pairs = [("jambonz-signature", shuffled.as_str())];
        let result = verifier(&profile, secret, sent).verify(&pairs, body);
        prop_assert!(result.is_ok(), "{}: {:?}", shuffled, result);
    }
}
