//! Interop with jambonz, on which Cognigy Voice Gateway is built, in Node:
//! jambonz's published verifier (`@jambonz/node-client`'s
//! `WebhookResponse.verifyJambonzSignature`, pinned in
//! `tests/interop/package.json`, installed by `scripts/test`) accepts the
//! headers our `Signer` makes, and our verifier accepts headers made with
//! jambonz's signing formula in Node.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use cognigy_webhook::{Profile, Secret, Signer, Verifier};

const SECRET: &str = "voice-gateway-webhook-secret";

/// The interop folder, once its Node packages are installed; `None` (a skip,
/// or a failure under CI) otherwise.
fn interop() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop");
    let ready = dir.join("node_modules/@jambonz/node-client").is_dir()
        && Command::new("node").arg("--version").output().is_ok();
    if ready {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "Node or tests/interop/node_modules missing under CI: run scripts/test"
    );
    eprintln!("SKIPPED: run `npm ci` in tests/interop (scripts/test does) to test against jambonz");
    None
}

/// Runs `node jambonz.js <mode> <secret> <value> <body file>`: its exit
/// status and what it printed.
fn node(dir: &Path, mode: &str, value: &str, body: &[u8]) -> (bool, String) {
    let file = std::env::temp_dir().join(format!("jambonz-body-{}", uuid::Uuid::new_v4()));
    std::fs::write(&file, body).unwrap();
    let output = Command::new("node")
        .current_dir(dir)
        .args(["jambonz.js", mode, SECRET, value])
        .arg(&file)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&file);
    let text = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    (output.status.success(), text)
}

fn bodies() -> Vec<Vec<u8>> {
    vec![
        br#"{"call_sid":"b7d2","direction":"inbound","from":"+4915112345678","call_status":"in-progress"}"#
            .to_vec(),
        "{\"speech\":{\"alternatives\":[{\"transcript\":\"Grüße 👋 こんにちは\"}]}}"
            .as_bytes()
            .to_vec(),
        b"{\n  \"call_sid\": \"pretty\",\n  \"sip_status\": 200\n}\n".to_vec(),
    ]
}

#[test]
fn jambonz_accepts_what_our_signer_makes() {
    let Some(dir) = interop() else { return };
    let signer = Signer::new(Profile::voice_gateway(), Secret::new(SECRET).unwrap());
    for body in bodies() {
        let headers = signer.sign_now(&body);
        let value = headers.get("Jambonz-Signature").unwrap();
        let (accepted, said) = node(&dir, "verify", value, &body);
        assert!(accepted, "{said}: {value}");
        // And the harness can refuse: the same header over another body.
        let mut tampered = body.clone();
        tampered.push(b' ');
        let (accepted, said) = node(&dir, "verify", value, &tampered);
        assert!(!accepted, "{said}");
    }
}

#[test]
fn we_accept_what_jambonz_signs() {
    let Some(dir) = interop() else { return };
    let verifier = Verifier::new(Profile::voice_gateway(), Secret::new(SECRET).unwrap());
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    for body in bodies() {
        let (signed, value) = node(&dir, "sign", &now.to_string(), &body);
        assert!(signed, "{value}");
        let headers = [("Jambonz-Signature", value.as_str())];
        let verified = verifier
            .verify(&headers, &body)
            .unwrap_or_else(|e| panic!("{e}: {value}"));
        assert_eq!(verified.profile(), "voice-gateway");
        assert!(verifier.verify(&headers, b"{}").is_err());
    }
}
