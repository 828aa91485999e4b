//! `cognigy-webhook snippet` and the Cognigy Extension, executed in Node as a
//! user would run them, against both example receivers for every HMAC
//! profile: each delivery they sign is accepted. The module runs as is; the
//! transformer and the extension through `tests/interop/snippet_harness.js`,
//! which provides the objects Cognigy documents. Needs Node, the packages of
//! `tests/interop` and the built extension (`scripts/test` installs and
//! builds them); says SKIPPED without them, and fails under CI.
#![cfg(all(
    feature = "cli",
    feature = "axum",
    feature = "actix",
    feature = "stores",
    feature = "siem"
))]

mod support;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;
use support::examples::{self, Example};

const SECRET: &str = "snippet-secret-0123456789";
const PROFILES: [&str; 5] = [
    "webhook-hex",
    "sha256-prefixed",
    "timestamp-newline",
    "hex-millis",
    "voice-gateway",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Whether Node, the interop packages and the built extension are there.
fn ready() -> bool {
    let node = Command::new("node").arg("--version").output().is_ok();
    let typescript = root()
        .join("tests/interop/node_modules/typescript")
        .is_dir();
    let extension = root()
        .join("contrib/cognigy-extension/build/module.js")
        .is_file();
    if node && typescript && extension {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "under CI: Node {node}, tests/interop packages {typescript}, built extension {extension}: run scripts/test"
    );
    eprintln!("SKIPPED: Node, tests/interop/node_modules or the built extension missing");
    false
}

fn receiver(name: &str, profile: &str) -> Example {
    examples::start(
        name,
        &[
            ("COGNIGY_PROFILE", profile),
            ("COGNIGY_WEBHOOK_SECRET", SECRET),
        ],
    )
}

/// `cognigy-webhook snippet --profile P --target T`, written to a file.
fn snippet(profile: &str, target: &str, dir: &Path) -> PathBuf {
    let output = Command::new(env!("CARGO_BIN_EXE_cognigy-webhook"))
        .args(["snippet", "--profile", profile, "--target", target])
        .output()
        .unwrap();
    assert!(output.status.success(), "{profile} {target}: {output:?}");
    let extension = if target == "transformer" { "ts" } else { "js" };
    let path = dir.join(format!("{profile}-{target}.{extension}"));
    std::fs::write(&path, output.stdout).unwrap();
    path
}

/// A Webhook Endpoint output with text beyond ASCII, unique per call.
fn body(tag: &str) -> String {
    serde_json::json!({
        "userId": "user-1",
        "sessionId": format!("{tag}-{}", uuid::Uuid::new_v4()),
        "AIOutput": {"text": "Grüße aus Köln — 你好 👋", "data": {}, "source": "bot"},
    })
    .to_string()
}

fn harness(kind: &str, code: &Path, addr: SocketAddr, profile: &str) -> Value {
    let output = Command::new("node")
        .arg(root().join("tests/interop/snippet_harness.js"))
        .arg(kind)
        .arg(code)
        .arg(format!("http://{addr}/webhooks/cognigy"))
        .arg(SECRET)
        .arg(profile)
        .arg(body(kind))
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    assert!(output.status.success(), "{kind} {profile}: {output:?}");
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn every_target_signs_what_both_receivers_accept_for_every_profile() {
    if !ready() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("snippets-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let extension = root().join("contrib/cognigy-extension/build/module.js");
    for profile in PROFILES {
        let module = snippet(profile, "module", &dir);
        let transformer = snippet(profile, "transformer", &dir);
        let code_node = snippet(profile, "code-node", &dir);
        for name in ["axum_receiver", "actix_receiver"] {
            let receiver = receiver(name, profile);
            for (kind, code) in [
                ("module", &module),
                ("transformer", &transformer),
                ("extension", &extension),
                ("code-node", &code_node),
            ] {
                let answer = harness(kind, code, receiver.addr, profile);
                assert_eq!(answer["status"], 200, "{kind} {profile} {name}: {answer}");
                let reply: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
                assert_eq!(reply["status"], "processed", "{kind} {profile} {name}");
            }
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_delivery_signed_for_another_profile_is_refused() {
    if !ready() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("snippets-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let module = snippet("hex-millis", "module", &dir);
    let receiver = receiver("axum_receiver", "webhook-hex");
    // Signed for another profile: the receiver refuses.
    let answer = harness("module", &module, receiver.addr, "hex-millis");
    assert_eq!(answer["status"], 400, "{answer}");
    assert!(
        answer["body"]
            .as_str()
            .unwrap()
            .contains("missing_signature"),
        "{answer}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn profiles_without_an_hmac_are_a_usage_error() {
    for profile in ["basic-auth", "api-key"] {
        let output = Command::new(env!("CARGO_BIN_EXE_cognigy-webhook"))
            .args(["snippet", "--profile", profile, "--target", "module"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{profile}");
        assert!(output.stdout.is_empty(), "{profile}: no code printed");
        let message = String::from_utf8(output.stderr).unwrap();
        assert!(message.contains("no HMAC signature"), "{message}");
    }
}

/// The module refuses an empty secret (a configuration error, as for the
/// library) and signs at "now" when `nowMs` is left out, `undefined` or
/// `null`.
#[test]
fn the_module_refuses_an_empty_secret_and_signs_now_without_a_time() {
    if !ready() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("snippets-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let module = snippet("hex-millis", "module", &dir);
    let script = format!(
        r#"const {{ signHeaders }} = require({module:?});
let refused = false;
try {{ signHeaders('{{}}', ''); }} catch (error) {{ refused = true; }}
const stamps = [signHeaders('{{}}', 's'), signHeaders('{{}}', 's', undefined), signHeaders('{{}}', 's', null)]
  .map((headers) => Math.abs(Number(headers['X-Cognigy-Timestamp']) - Date.now()));
console.log(JSON.stringify({{ refused, late: Math.max(...stamps) }}));"#,
        module = module.display().to_string()
    );
    let output = Command::new("node").args(["-e", &script]).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(answer["refused"], true);
    assert!(answer["late"].as_f64().unwrap() < 60_000.0, "{answer}");
}
