//! The `cognigy-webhook` binary, run as a user runs it: every subcommand,
//! each exit code, the hints, and `send` against a real server on
//! 127.0.0.1.
#![cfg(feature = "cli")]

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, UNIX_EPOCH};

use cognigy_webhook::clock::FixedClock;
use cognigy_webhook::profile::ProfileKind;
use cognigy_webhook::{Profile, Secret, Verifier};

const SECRET: &str = "cli-test-secret";
const NOW_MS: u64 = 1_700_000_000_000;

/// Runs the binary with `args`, `SECRET_A` = the secret and `SECRET_B` =
/// another one in its environment, and `stdin` on standard input.
fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cognigy-webhook"))
        .args(args)
        .env("SECRET_A", SECRET)
        .env("SECRET_B", "retired-secret")
        .env("SECRET_PADDED", format!("{SECRET} \n"))
        .env("SECRET_EMPTY", "")
        .env("SECRET_USERPASS", "user:pass")
        .env("SECRET_LIST", format!("{SECRET},retired-secret"))
        .env("SECRET_NOPASS", "user:")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    // A process that refuses its arguments may exit before reading.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// The variable holding the secret for `profile`: Basic Auth's is
/// `user:password`.
fn secret_var(profile: &str) -> &'static str {
    if profile == "basic-auth" {
        "SECRET_USERPASS"
    } else {
        "SECRET_A"
    }
}

/// The secret in [`secret_var`].
fn secret_of(profile: &str) -> &'static str {
    if profile == "basic-auth" {
        "user:pass"
    } else {
        SECRET
    }
}

/// `sign` at the fixed "now" for `body`: the header lines.
fn sign(profile: &str, body: &[u8]) -> Vec<String> {
    let output = run(
        &[
            "sign",
            "--profile",
            profile,
            "--secret-env",
            secret_var(profile),
            "--timestamp",
            &NOW_MS.to_string(),
        ],
        body,
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    stdout(&output).lines().map(str::to_owned).collect()
}

/// `verify` of `body` with `headers` at the fixed "now", plus `extra` args.
fn verify(
    profile: &str,
    secret_vars: &[&str],
    headers: &[String],
    body: &[u8],
    extra: &[&str],
) -> Output {
    let now = NOW_MS.to_string();
    let mut args = vec!["verify", "--profile", profile, "--body", "-"];
    // `extra` may set its own `--now`.
    if !extra.contains(&"--now") {
        args.extend(["--now", &now]);
    }
    for var in secret_vars {
        args.extend(["--secret-env", var]);
    }
    for header in headers {
        args.extend(["--header", header]);
    }
    args.extend(extra);
    run(&args, body)
}

#[test]
fn sign_prints_headers_that_the_library_verifies() {
    let body = br#"{"text":"caf\xc3\xa9"}"#;
    for profile in Profile::presets() {
        let lines = sign(profile.name(), body);
        let headers: Vec<(String, String)> = lines
            .iter()
            .map(|line| {
                let (name, value) = line.split_once(": ").unwrap();
                (name.to_owned(), value.to_owned())
            })
            .collect();
        let verifier = Verifier::builder(profile.clone())
            .secret(Secret::new(secret_of(profile.name())).unwrap())
            .clock(FixedClock::new(UNIX_EPOCH + Duration::from_millis(NOW_MS)))
            .build()
            .unwrap();
        let verified = verifier
            .verify(&headers, body)
            .unwrap_or_else(|e| panic!("{profile}: {e}"));
        assert_eq!(verified.profile(), profile.name());
        let expected_lines =
            if profile.kind() == ProfileKind::HmacSha256 && profile.signature_pairs().is_none() {
                2
            } else {
                1
            };
        assert_eq!(lines.len(), expected_lines, "{profile}: {lines:?}");
    }
}

#[test]
fn verify_accepts_a_signed_delivery_and_names_the_key() {
    let body = br#"{"messageId":"m-1"}"#;
    for profile in [
        "webhook-hex",
        "sha256-prefixed",
        "timestamp-newline",
        "hex-millis",
    ] {
        let headers = sign(profile, body);
        let output = verify(profile, &["SECRET_B", "SECRET_A"], &headers, body, &[]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{profile}: {}",
            stdout(&output)
        );
        let text = stdout(&output);
        assert!(
            text.starts_with(&format!("verified: profile={profile} key=1 drift=+0 ms")),
            "{text}"
        );
    }
}

#[test]
fn refusals_exit_1_with_the_reason_and_a_hint() {
    let compact = br#"{"a":1,"b":[1,2]}"#;
    let pretty = b"{\n  \"a\": 1,\n  \"b\": [\n    1,\n    2\n  ]\n}";
    let prefixed = sign("sha256-prefixed", compact);
    let bare_signature = prefixed[0].replace("sha256=", "");
    let millis_for_seconds = vec![
        sign("timestamp-newline", compact)[0].clone(),
        format!("X-Cognigy-Timestamp: {NOW_MS}"),
    ];
    // Profile, secret variables, headers, body, reason, hint.
    type Case<'a> = (
        &'a str,
        &'a [&'a str],
        Vec<String>,
        &'a [u8],
        &'a str,
        &'a str,
    );
    let cases: Vec<Case> = vec![
        (
            "sha256-prefixed",
            &["SECRET_A"],
            prefixed.clone(),
            pretty,
            "signature_mismatch",
            "re-serialised as compact JSON",
        ),
        (
            "sha256-prefixed",
            &["SECRET_PADDED"],
            prefixed.clone(),
            compact,
            "signature_mismatch",
            "has surrounding whitespace; without it the signature matches",
        ),
        (
            "sha256-prefixed",
            &["SECRET_A"],
            vec![bare_signature, prefixed[1].clone()],
            compact,
            "malformed_signature",
            "the `sha256=` prefix is missing",
        ),
        (
            "hex-millis",
            &["SECRET_A"],
            prefixed.clone(),
            compact,
            "malformed_signature",
            "unexpected `sha256=` prefix",
        ),
        (
            "hex-millis",
            &["SECRET_A"],
            prefixed.clone(),
            compact,
            "malformed_signature",
            "verifies with profile sha256-prefixed",
        ),
        (
            "timestamp-newline",
            &["SECRET_A"],
            millis_for_seconds,
            compact,
            "timestamp_out_of_window",
            "looks like milliseconds, but the profile expects Unix seconds",
        ),
        (
            "webhook-hex",
            &["SECRET_A"],
            vec![],
            compact,
            "missing_signature",
            "expects the header(s) X-Cognigy-Webhook-Signature, X-Cognigy-Webhook-Timestamp",
        ),
        (
            "sha256-prefixed",
            &["SECRET_B"],
            prefixed,
            compact,
            "signature_mismatch",
            "",
        ),
    ];
    for (profile, secrets, headers, body, reason, hint) in cases {
        let output = verify(profile, secrets, &headers, body, &[]);
        let text = stdout(&output);
        assert_eq!(output.status.code(), Some(1), "{profile} {reason}: {text}");
        assert!(text.starts_with(&format!("rejected: {reason} (")), "{text}");
        assert!(text.contains(hint), "expected hint {hint:?} in:\n{text}");
        assert!(!text.contains(SECRET), "a secret in the output:\n{text}");
    }
}

#[test]
fn the_tolerance_and_now_options_move_the_window() {
    let body = b"{}";
    let headers = sign("hex-millis", body);
    let later = (NOW_MS + 60_000).to_string();
    let output = verify(
        "hex-millis",
        &["SECRET_A"],
        &headers,
        body,
        &["--now", &later, "--tolerance", "30s"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).starts_with("rejected: timestamp_out_of_window"));
    let output = verify(
        "hex-millis",
        &["SECRET_A"],
        &headers,
        body,
        &["--now", &later, "--tolerance", "2m"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("drift=+60000 ms"));
}

#[test]
fn usage_errors_exit_2_with_one_line() {
    let dir = std::env::temp_dir().join(format!("cognigy-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let empty_file = dir.join("empty-secret");
    std::fs::write(&empty_file, "\n").unwrap();
    let empty_file = empty_file.to_str().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["sign", "--profile", "nope", "--secret-env", "SECRET_A"],
            "unknown profile",
        ),
        (
            vec!["sign", "--profile", "webhook-hex", "--secret", SECRET],
            "unexpected argument '--secret'",
        ),
        (vec!["sign", "--profile", "webhook-hex"], "no secret"),
        (
            vec![
                "sign",
                "--profile",
                "webhook-hex",
                "--secret-env",
                "NOT_SET_ANYWHERE",
            ],
            "NOT_SET_ANYWHERE",
        ),
        (
            vec![
                "sign",
                "--profile",
                "webhook-hex",
                "--secret-env",
                "SECRET_EMPTY",
            ],
            "is empty",
        ),
        (
            vec![
                "sign",
                "--profile",
                "webhook-hex",
                "--secret-file",
                empty_file,
            ],
            "is empty",
        ),
        (
            vec![
                "sign",
                "--profile",
                "webhook-hex",
                "--secret-env",
                "SECRET_A",
                "--body",
                "/no/such/file",
            ],
            "/no/such/file",
        ),
        (
            vec![
                "verify",
                "--profile",
                "webhook-hex",
                "--secret-env",
                "SECRET_A",
                "--header",
                "no colon",
                "--body",
                "-",
            ],
            "a -H value is `Name: value`",
        ),
        (
            vec![
                "verify",
                "--profile",
                "webhook-hex",
                "--secret-env",
                "SECRET_A",
            ],
            "--body",
        ),
        (
            vec![
                "verify",
                "--profile",
                "webhook-hex",
                "--secret-env",
                "SECRET_A",
                "--body",
                "-",
                "--tolerance",
                "5 parsecs",
            ],
            "the unit must be ms, s, m or h",
        ),
        (
            vec![
                "send",
                "--url",
                "not a url",
                "--profile",
                "webhook-hex",
                "--secret-env",
                "SECRET_A",
                "--body",
                "-",
            ],
            "--url",
        ),
        (vec!["frobnicate"], "unrecognized subcommand"),
    ];
    for (args, message) in cases {
        let output = run(&args, b"{}");
        let text = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {text}");
        assert!(
            text.contains(message),
            "{args:?}: expected {message:?} in {text}"
        );
        assert!(
            !text.contains(SECRET) || args.contains(&"--secret"),
            "{text}"
        );
        assert!(stdout(&output).is_empty(), "{args:?}");
    }
}

#[test]
fn secret_files_lose_one_trailing_newline() {
    let path = std::env::temp_dir().join(format!("cognigy-cli-secret-{}", std::process::id()));
    std::fs::write(&path, format!("{SECRET}\n")).unwrap();
    let body = b"{}";
    let headers = sign("webhook-hex", body);
    let now = NOW_MS.to_string();
    let mut args = vec![
        "verify",
        "--profile",
        "webhook-hex",
        "--secret-file",
        path.to_str().unwrap(),
        "--body",
        "-",
        "--now",
        &now,
    ];
    for header in &headers {
        args.extend(["--header", header]);
    }
    let output = run(&args, body);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn every_subcommand_help_has_an_example() {
    for command in ["sign", "verify", "send", "diagnose"] {
        let output = run(&[command, "--help"], b"");
        assert_eq!(output.status.code(), Some(0));
        let text = stdout(&output);
        assert!(
            text.contains("Example:") && text.contains(&format!("cognigy-webhook {command}")),
            "{text}"
        );
    }
}

#[test]
fn diagnose_finds_the_profile_and_secret_and_the_clock_offset() {
    let body = br#"{"event_id":"e-1"}"#;
    let headers = sign("timestamp-newline", body);
    let now = NOW_MS.to_string();
    let mut args = vec![
        "diagnose",
        "--secret-env",
        "SECRET_B",
        "--secret-env",
        "SECRET_A",
        "--body",
        "-",
    ];
    for header in &headers {
        args.extend(["--header", header]);
    }
    args.extend(["--now", &now]);
    let output = run(&args, body);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    let matches: Vec<&str> = text.lines().filter(|line| line.contains("MATCH")).collect();
    assert_eq!(matches.len(), 1, "{text}");
    assert!(
        matches[0].starts_with("timestamp-newline  secret #1: MATCH  drift=+0 ms"),
        "{text}"
    );

    // Ten minutes later: nothing verifies, but the clock offset is named.
    let later = (NOW_MS + 600_000).to_string();
    let last = args.len() - 1;
    args[last] = &later;
    let output = run(&args, body);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("the timestamp is 600000 ms behind this clock"),
        "{text}"
    );
    assert!(text.ends_with("no profile and secret match\n"), "{text}");
}

#[cfg(feature = "axum")]
mod send {
    use super::*;
    use cognigy_webhook::tower::VerifyWebhookLayer;
    use std::net::SocketAddr;

    async fn receiver() -> SocketAddr {
        let verifier = Verifier::new(Profile::webhook_hex(), Secret::new(SECRET).unwrap());
        let app = axum::Router::new()
            .route(
                "/hook",
                axum::routing::post(|| async { r#"{"status":"processed"}"# }),
            )
            .route_layer(VerifyWebhookLayer::new(verifier));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        addr
    }

    async fn send(args: Vec<String>) -> Output {
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            run(&args, br#"{"messageId":"m-1"}"#)
        })
        .await
        .unwrap()
    }

    fn args(url: &str, secret_var: &str, extra: &[&str]) -> Vec<String> {
        let mut args = vec![
            "send",
            "--url",
            url,
            "--profile",
            "webhook-hex",
            "--secret-env",
            secret_var,
            "--body",
            "-",
        ];
        args.extend(extra);
        args.into_iter().map(str::to_owned).collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn send_posts_signed_deliveries_and_summarises_a_load() {
        let url = format!("http://{}/hook", receiver().await);

        let output = send(args(&url, "SECRET_A", &[])).await;
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert_eq!(stdout(&output), "HTTP 200\n{\"status\":\"processed\"}\n");

        let output = send(args(&url, "SECRET_B", &[])).await;
        assert_eq!(output.status.code(), Some(1));
        let text = stdout(&output);
        assert!(
            text.starts_with("HTTP 401\n") && text.contains("signature_mismatch"),
            "{text}"
        );

        let output = send(args(
            &url,
            "SECRET_A",
            &["--count", "40", "--concurrency", "4"],
        ))
        .await;
        let text = stdout(&output);
        assert_eq!(output.status.code(), Some(0), "{text}");
        assert!(text.starts_with("sent 40 deliveries in "), "{text}");
        assert!(
            text.contains("latency: p50 ") && text.contains(" p99 "),
            "{text}"
        );
        assert!(text.contains("answers: 200 × 40"), "{text}");

        let output = send(args(
            &url,
            "SECRET_B",
            &[
                "--count",
                "5",
                "--concurrency",
                "2",
                "--header",
                "X-Cognigy-CorrelationId: c-1",
            ],
        ))
        .await;
        assert_eq!(output.status.code(), Some(1));
        assert!(
            stdout(&output).contains("answers: 401 × 5"),
            "{}",
            stdout(&output)
        );
    }

    /// A server that answers with the values of the headers it got, as
    /// `name: value` lines (`content-type` and `authorization` only).
    async fn header_echo() -> SocketAddr {
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(|headers: http::HeaderMap| async move {
                let mut lines = String::new();
                for name in [
                    "content-type",
                    "authorization",
                    "x-cognigy-webhook-signature",
                ] {
                    for value in headers.get_all(name) {
                        lines.push_str(&format!("{name}: {}\n", value.to_str().unwrap()));
                    }
                }
                lines
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        addr
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn send_headers_replace_and_never_double() {
        let addr = header_echo().await;
        // -H replaces a header of the same name instead of adding a second.
        let url = format!("http://{addr}/hook");
        let output = send(args(&url, "SECRET_A", &["-H", "Content-Type: text/plain"])).await;
        let text = stdout(&output);
        assert_eq!(text.matches("content-type: ").count(), 1, "{text}");
        assert!(text.contains("content-type: text/plain"), "{text}");
        assert_eq!(
            text.matches("x-cognigy-webhook-signature: ").count(),
            1,
            "{text}"
        );
        // The signed credential replaces what the URL's user information
        // would have sent.
        let url = format!("http://someone:else@{addr}/hook");
        let mut basic = args(&url, "SECRET_USERPASS", &[]);
        basic[4] = "basic-auth".into();
        let output = send(basic).await;
        let text = stdout(&output);
        assert_eq!(text.matches("authorization: ").count(), 1, "{text}");
        assert!(text.contains("authorization: Basic dXNlcjpwYXNz"), "{text}");
        // The body's framing is send's own.
        let output = send(args(&url, "SECRET_A", &["-H", "Content-Length: 3"])).await;
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    }

    /// A receiver that redirects every delivery to `target`.
    async fn redirector(target: String) -> SocketAddr {
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move || {
                let target = target.clone();
                async move { (http::StatusCode::TEMPORARY_REDIRECT, [("location", target)]) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        addr
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn send_follows_no_redirect() {
        // The target would accept the delivery: it must never see it.
        let target = format!("http://{}/hook", receiver().await);
        let url = format!("http://{}/hook", redirector(target).await);
        let output = send(args(&url, "SECRET_A", &[])).await;
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        assert!(
            stdout(&output).starts_with("HTTP 307"),
            "{}",
            stdout(&output)
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn send_reports_an_unreachable_endpoint() {
        // A port that was free a moment ago: nothing listens there now.
        let addr = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap()
            .local_addr()
            .unwrap();
        let url = format!("http://{addr}/hook");
        let output = send(args(&url, "SECRET_A", &["--count", "3", "--timeout", "2s"])).await;
        assert_eq!(output.status.code(), Some(1));
        assert!(
            stdout(&output).contains("answers: connection failed × 3"),
            "{}",
            stdout(&output)
        );
        let output = send(args(&url, "SECRET_A", &[])).await;
        assert_eq!(output.status.code(), Some(1));
        assert!(
            stderr(&output).contains("connection failed"),
            "{}",
            stderr(&output)
        );
        // Credentials in the URL are never printed.
        let secret_url = format!("http://admin:hunter2@{addr}/hook?token=abc#frag");
        let output = send(args(&secret_url, "SECRET_A", &[])).await;
        let printed = format!("{}{}", stdout(&output), stderr(&output));
        assert_eq!(output.status.code(), Some(1), "{printed}");
        for secret in ["admin", "hunter2", "token", "abc", "frag"] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
    }
}

/// No error repeats what it was given when that may be a secret: a secret
/// variable that is not UTF-8, a URL with credentials and a query that does
/// not parse, a malformed `-H` carrying a credential.
#[test]
fn errors_never_repeat_a_secret_a_url_credential_or_a_header_value() {
    use std::os::unix::ffi::OsStrExt;
    let output = Command::new(env!("CARGO_BIN_EXE_cognigy-webhook"))
        .args([
            "sign",
            "--profile",
            "hex-millis",
            "--secret-env",
            "SECRET_BYTES",
        ])
        .env(
            "SECRET_BYTES",
            std::ffi::OsStr::from_bytes(b"hunter2\xffsecret"),
        )
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(text.contains("SECRET_BYTES is not valid UTF-8"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");

    let send = [
        "send",
        "--url",
        "http://user:hunter2@[::1/x?token=hunter2",
        "--profile",
        "hex-millis",
        "--secret-env",
        "SECRET_A",
        "--body",
        "-",
    ];
    let output = run(&send, b"{}");
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--url"), "{}", stderr(&output));
    assert!(!stderr(&output).contains("hunter2"), "{}", stderr(&output));

    let verify = [
        "verify",
        "--profile",
        "basic-auth",
        "--secret-env",
        "SECRET_USERPASS",
        "-H",
        "Authorization Basic aHVudGVyMjpodW50ZXIy",
        "--body",
        "-",
    ];
    let output = run(&verify, b"{}");
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("-H"), "{}", stderr(&output));
    assert!(!stderr(&output).contains("aHVudGVy"), "{}", stderr(&output));
}

#[test]
fn a_basic_auth_secret_without_a_colon_is_refused_without_being_shown() {
    let output = run(
        &[
            "sign",
            "--profile",
            "basic-auth",
            "--secret-env",
            "SECRET_NOPASS",
        ],
        b"{}",
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("with a password"),
        "{}",
        stderr(&output)
    );
    // `diagnose` says that the secret cannot be Basic Auth's.
    let output = run(
        &["diagnose", "--secret-env", "SECRET_A", "--body", "-"],
        b"{}",
    );
    let basic = stdout(&output)
        .lines()
        .find(|line| line.starts_with("basic-auth"))
        .map(str::to_owned);
    assert!(
        basic
            .as_deref()
            .is_some_and(|line| line.contains("not user:password")),
        "{basic:?}"
    );
    // A padded secret signs nothing a receiver accepts: refused, as there.
    for command in ["sign", "send"] {
        let mut args = vec![
            command,
            "--profile",
            "hex-millis",
            "--secret-env",
            "SECRET_PADDED",
        ];
        if command == "send" {
            args.extend(["--url", "http://127.0.0.1:9/hook", "--body", "-"]);
        }
        let output = run(&args, b"{}");
        let text = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{command}: {text}");
        assert!(text.contains("whitespace"), "{command}: {text}");
        assert!(!text.contains(SECRET), "{command}: {text}");
    }
    for command in ["sign", "verify"] {
        let output = run(
            &[
                command,
                "--profile",
                "basic-auth",
                "--secret-env",
                "SECRET_A",
                "--body",
                "-",
            ],
            b"{}",
        );
        let text = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{command}: {text}");
        assert!(text.contains("user:password"), "{command}: {text}");
        assert!(!text.contains(SECRET), "{command}: {text}");
    }
}

#[test]
fn a_variable_holds_comma_separated_secrets_as_for_the_receivers() {
    let body = br#"{"messageId":"m-1"}"#;
    // `sign` uses the first of the list: SECRET.
    let listed = {
        let output = run(
            &[
                "sign",
                "--profile",
                "hex-millis",
                "--secret-env",
                "SECRET_LIST",
                "--timestamp",
                &NOW_MS.to_string(),
            ],
            body,
        );
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        stdout(&output)
    };
    assert_eq!(
        listed,
        stdout(&run(
            &[
                "sign",
                "--profile",
                "hex-millis",
                "--secret-env",
                "SECRET_A",
                "--timestamp",
                &NOW_MS.to_string()
            ],
            body
        ))
    );
    // `verify` tries each: a delivery signed with the second verifies as key 1.
    let headers = {
        let output = run(
            &[
                "sign",
                "--profile",
                "hex-millis",
                "--secret-env",
                "SECRET_B",
                "--timestamp",
                &NOW_MS.to_string(),
            ],
            body,
        );
        stdout(&output)
            .lines()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let output = verify("hex-millis", &["SECRET_LIST"], &headers, body, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("key=1"), "{}", stdout(&output));
}
