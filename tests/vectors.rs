//! Replays the independently generated known-answer vectors.

mod support;

use std::collections::BTreeMap;

use cognigy_webhook::profile::ProfileKind;
use cognigy_webhook::{Profile, Signer};
use support::{Expected, outcome, vectors};

#[test]
fn every_vector_gives_its_expected_outcome() {
    let mut failures = Vec::new();
    for vector in vectors() {
        let headers = vector.headers.as_slice();
        let result = vector.verifier().verify(headers, &vector.body());
        let got = outcome(&result);
        if got != vector.expected {
            failures.push(format!(
                "{}: expected {:?}, got {:?}",
                vector.name, vector.expected, got
            ));
        }
        if let Ok(verified) = result {
            assert_eq!(verified.profile(), vector.profile);
        }
    }
    assert!(
        failures.is_empty(),
        "{} vectors failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn signer_reproduces_the_independent_signatures() {
    let mut checked = 0;
    for vector in vectors().into_iter().filter(|v| v.signer_reproduces) {
        let signer = Signer::new(vector.profile(), vector.secrets().remove(0));
        let signed = signer.sign_with_timestamp(&vector.body(), vector.timestamp_value());
        let produced: Vec<(String, String)> = signed
            .iter()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(produced, vector.headers, "{}", vector.name);
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} vectors checked the signer");
}

#[test]
fn vectors_cover_every_profile_and_every_header_reason() {
    let mut per_profile: BTreeMap<String, usize> = BTreeMap::new();
    let mut reasons = std::collections::BTreeSet::new();
    for vector in vectors() {
        *per_profile.entry(vector.profile.clone()).or_default() += 1;
        if let Expected::Rejected { reason } = &vector.expected {
            reasons.insert(reason.clone());
        }
    }
    for profile in Profile::presets() {
        let count = per_profile.get(profile.name()).copied().unwrap_or(0);
        let wanted = if profile.kind() == ProfileKind::HmacSha256 {
            10
        } else {
            5
        };
        assert!(count >= wanted, "{}: {count} vectors", profile.name());
    }
    for reason in [
        "missing_signature",
        "missing_timestamp",
        "malformed_signature",
        "malformed_timestamp",
        "timestamp_out_of_window",
        "signature_mismatch",
    ] {
        assert!(reasons.contains(reason), "no vector expects {reason}");
    }
}
