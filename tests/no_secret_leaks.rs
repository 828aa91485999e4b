//! No `Debug` or `Display` output of any public type contains a secret or an
//! expected signature, whatever the outcome.

use std::time::{Duration, UNIX_EPOCH};

use cognigy_webhook::clock::FixedClock;
use cognigy_webhook::config::SECRET_VAR;
use cognigy_webhook::profile::{SignatureEncoding, Signatures};
use cognigy_webhook::{Config, ErrorKind, Profile, Secret, Signer, Verifier};

const SECRET: &str = "leak-canary-secret-4f1d";

/// Everything that must never be printed: the secret, its base64 form (Basic
/// Auth), and the expected signature in hex, either case.
fn forbidden(signature_hex: Option<&str>) -> Vec<String> {
    use base64::Engine as _;
    let mut needles = vec![
        SECRET.to_owned(),
        base64::engine::general_purpose::STANDARD.encode(format!("cognigy:{SECRET}")),
    ];
    if let Some(hex) = signature_hex {
        needles.push(hex.to_lowercase());
        needles.push(hex.to_uppercase());
    }
    needles
}

fn assert_clean(what: &str, printed: &str, forbidden: &[String]) {
    for needle in forbidden {
        assert!(
            !printed.contains(needle.as_str()),
            "{what} printed a secret: {printed}"
        );
    }
}

#[test]
fn nothing_printable_reveals_the_secret_or_expected_signature() {
    let now = UNIX_EPOCH + Duration::from_secs(1_698_765_432);
    let body = br#"{"messageId":"m-1"}"#;
    for profile in Profile::presets() {
        let secret = match profile.name() {
            "basic-auth" => Secret::basic_auth("cognigy", SECRET).unwrap(),
            _ => Secret::new(SECRET).unwrap(),
        };
        let signer = Signer::new(profile.clone(), secret.clone());
        let signed = signer.sign(body, now);
        let credential = signed.get(profile.credential_header()).unwrap().to_owned();
        let signature_hex = credential
            .strip_prefix(profile.signature_prefix().unwrap_or(""))
            .unwrap_or(&credential)
            .to_owned();
        let forbidden = forbidden(Some(&signature_hex));

        let verifier = Verifier::builder(profile.clone())
            .secret(secret.clone())
            .clock(FixedClock::new(now))
            .build()
            .unwrap();
        let verified = verifier.verify(&signed, body).unwrap();
        let refused = verifier.verify(&signed, b"tampered").err();

        let mut printed = vec![
            ("secret", format!("{secret:?}")),
            ("signer", format!("{signer:?}")),
            ("signed headers", format!("{signed:?}")),
            ("verifier", format!("{verifier:?} {verifier:#?}")),
            ("verified", format!("{verified:?} {verified:#?}")),
            ("refusal", format!("{refused:?}")),
        ];
        if let Some(error) = refused {
            printed.push(("refusal display", error.to_string()));
        }
        if profile.signature_encoding() == Some(SignatureEncoding::Hex)
            && profile.signature_pairs().is_none()
        {
            let decoded = Signatures::decode(
                credential.as_bytes(),
                SignatureEncoding::Hex,
                profile.signature_prefix().unwrap(),
            )
            .unwrap();
            printed.push(("signatures", format!("{decoded:?}")));
        }
        for (what, text) in &printed {
            assert_clean(&format!("{} {what}", profile.name()), text, &forbidden);
        }
    }

    for kind in ErrorKind::ALL {
        assert_clean("error kind", &format!("{kind:?} {kind}"), &forbidden(None));
    }
    let config =
        Config::from_lookup(|name| (name == SECRET_VAR).then(|| SECRET.to_owned())).unwrap();
    assert_clean("config", &format!("{config:?}"), &forbidden(None));
    let builder = config.verifier_builder();
    assert_clean(
        "verifier builder",
        &format!("{builder:?}"),
        &forbidden(None),
    );
}
