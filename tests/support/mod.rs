//! Test support shared by the integration tests: the known-answer vectors of
//! `tests/data/vectors.json` and how to build a verifier for one of them.
#![allow(dead_code, unreachable_pub, missing_docs)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use cognigy_webhook::clock::FixedClock;
use cognigy_webhook::{Profile, Secret, Verifier};
use serde::Deserialize;

pub mod examples;
#[cfg(any(feature = "axum", feature = "actix"))]
pub mod http_cases;
#[cfg(any(feature = "axum", feature = "actix"))]
pub mod servers;
pub mod sockets;

/// One known-answer vector; see `tests/data/generate_vectors.py`.
#[derive(Debug, Clone, Deserialize)]
pub struct Vector {
    pub name: String,
    pub profile: String,
    pub secrets: Vec<String>,
    pub headers: Vec<(String, String)>,
    pub body_base64: String,
    pub now_unix_ms: u64,
    pub tolerance_ms: Option<u64>,
    #[serde(default)]
    pub signer_reproduces: bool,
    pub expected: Expected,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Expected {
    Verified { key_index: usize },
    Rejected { reason: String },
}

#[derive(Deserialize)]
struct File {
    vectors: Vec<Vector>,
}

pub fn vectors() -> Vec<Vector> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/vectors.json");
    let text = std::fs::read_to_string(path).expect("tests/data/vectors.json is readable");
    serde_json::from_str::<File>(&text)
        .expect("vectors.json parses")
        .vectors
}

impl Vector {
    pub fn body(&self) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD
            .decode(&self.body_base64)
            .expect("body_base64 is base64")
    }

    pub fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.now_unix_ms)
    }

    pub fn profile(&self) -> Profile {
        self.profile.parse().expect("vector names a preset")
    }

    pub fn secrets(&self) -> Vec<Secret> {
        self.secrets
            .iter()
            .map(|s| Secret::new(s.as_str()).expect("non-empty"))
            .collect()
    }

    /// A verifier configured as the vector says, with the clock at its "now".
    pub fn verifier(&self) -> Verifier {
        let mut builder = Verifier::builder(self.profile())
            .secrets(self.secrets())
            .clock(FixedClock::new(self.now()));
        if let Some(ms) = self.tolerance_ms {
            builder = builder.tolerance(Duration::from_millis(ms));
        }
        builder.build().expect("vector configuration is valid")
    }

    /// The value of the vector's timestamp header, if it sends one.
    pub fn timestamp_value(&self) -> Option<&str> {
        let profile = self.profile();
        let name = profile.timestamp_header()?.to_owned();
        let value = self
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(&name))
            .map(|(_, v)| v.as_str())?;
        match profile.signature_pairs() {
            // A structured header: the value of its timestamp pair.
            Some((key, _)) => value
                .split(',')
                .find_map(|pair| pair.trim().strip_prefix(key)?.strip_prefix('=')),
            None => Some(value),
        }
    }
}

/// What `Verifier::verify` answered, in the vectors' terms.
pub fn outcome(result: &Result<cognigy_webhook::Verified, cognigy_webhook::Error>) -> Expected {
    match result {
        Ok(verified) => Expected::Verified {
            key_index: verified.key_index(),
        },
        Err(error) => Expected::Rejected {
            reason: error.reason().to_owned(),
        },
    }
}

/// The URL of a server `scripts/with-services` started, or a loud skip
/// (a failure under CI).
pub fn service_url(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("{var} is not set under CI: run the tests through scripts/with-services")
        }
        _ => {
            eprintln!(
                "SKIPPED: {var} is not set; run through scripts/with-services to test against a real server"
            );
            None
        }
    }
}
