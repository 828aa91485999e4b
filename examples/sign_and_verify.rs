//! Signs a sample delivery with every preset profile, verifies it, and shows
//! what a tampered body, a stale timestamp and a missing header are refused
//! with. The secret comes from `COGNIGY_WEBHOOK_SECRET`.
//!
//! ```sh
//! COGNIGY_WEBHOOK_SECRET=change-me cargo run --example sign_and_verify
//! ```

use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use cognigy_webhook::config::SECRET_VAR;
use cognigy_webhook::profile::ProfileKind;
use cognigy_webhook::{Profile, Secret, Signer, Verifier};

fn main() -> ExitCode {
    let secret = match std::env::var(SECRET_VAR) {
        Ok(value) => match Secret::from_env_value(SECRET_VAR, &value) {
            Ok(secret) => secret,
            Err(error) => return fail(&error),
        },
        Err(_) => {
            eprintln!("error: set {SECRET_VAR}, e.g. {SECRET_VAR}=change-me");
            return ExitCode::from(2);
        }
    };
    let body = br#"{"botId":"bot_123","sessionId":"sess_456","messageId":"m-1","message":"Hello"}"#;

    for profile in Profile::presets() {
        // Basic Auth's secret is `user:password`; the others take it as is.
        let secret = match profile.kind() {
            ProfileKind::BasicAuth => match Secret::basic_auth("cognigy", &value_of(SECRET_VAR)) {
                Ok(secret) => secret,
                Err(error) => return fail(&error),
            },
            _ => secret.clone(),
        };
        let signer = Signer::new(profile.clone(), secret.clone());
        let verifier = Verifier::new(profile.clone(), secret);
        let headers = signer.sign_now(body);

        println!("{}", profile.name());
        for (name, _) in headers.iter() {
            println!("  sends   {name}: …");
        }
        match verifier.verify(&headers, body) {
            Ok(verified) => println!(
                "  verified: key #{}, {}",
                verified.key_index(),
                verified
                    .drift_ms()
                    .map_or("no timestamp".into(), |d| format!("drift {d} ms"))
            ),
            Err(error) => println!("  UNEXPECTED: {error} ({})", error.reason()),
        }
        if profile.kind() == ProfileKind::HmacSha256 {
            let tampered = br#"{"botId":"bot_123","sessionId":"sess_456","messageId":"m-1","message":"Hellp"}"#;
            report("tampered body", verifier.verify(&headers, tampered));
            let stale = signer.sign(body, SystemTime::now() - Duration::from_secs(3600));
            report("an hour old", verifier.verify(&stale, body));
        }
        let nothing: [(&str, &str); 0] = [];
        report("no headers", verifier.verify(&nothing, body));
    }
    ExitCode::SUCCESS
}

fn report(case: &str, result: Result<cognigy_webhook::Verified, cognigy_webhook::Error>) {
    match result {
        Ok(_) => println!("  {case}: UNEXPECTEDLY verified"),
        Err(error) => println!(
            "  {case}: refused, {} {} ({error})",
            error.status(),
            error.reason()
        ),
    }
}

fn value_of(var: &str) -> String {
    std::env::var(var).unwrap_or_default().trim_end().to_owned()
}

fn fail(error: &dyn std::error::Error) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::from(2)
}
