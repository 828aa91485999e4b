//! Proves that verification allocates nothing, accepted or refused, with a
//! counting global allocator. This file holds a single test so that no other
//! test allocates while it measures.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cognigy_webhook::clock::FixedClock;
use cognigy_webhook::profile::ProfileKind;
use cognigy_webhook::{Profile, Secret, Signer, Verifier};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

const ROUNDS: usize = 100;

fn secret(text: &str) -> Secret {
    Secret::new(text).unwrap()
}

/// Runs `verify` ROUNDS times inside a counting region and returns how many
/// allocations happened (after one warm-up call outside the region).
fn allocations_during(mut verify: impl FnMut() -> bool) -> (usize, bool) {
    let warm = verify();
    let region = Region::new(GLOBAL);
    let mut all_same = true;
    for _ in 0..ROUNDS {
        all_same &= verify() == warm;
    }
    let change = region.change();
    (change.allocations + change.reallocations, all_same && warm)
}

#[test]
fn verification_never_allocates() {
    let now = UNIX_EPOCH + Duration::from_secs(1_698_765_432);
    let body = vec![b'x'; 1024];
    let mut report = Vec::new();

    for profile in Profile::presets() {
        let (old, key) = match profile.name() {
            "basic-auth" => (
                secret("cognigy:old"),
                Secret::basic_auth("cognigy", "pw").unwrap(),
            ),
            _ => (secret("old-secret"), secret("primary-secret")),
        };
        let verifier = Verifier::builder(profile.clone())
            .secret(old)
            .secret(key.clone())
            .clock(FixedClock::new(now))
            .build()
            .unwrap();
        let signer = Signer::new(profile.clone(), key);
        let signed = signer.sign(&body, now - Duration::from_secs(2));
        let pairs: Vec<(String, String)> = signed
            .iter()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();

        // Accepted, with the second secret matching.
        let (count, ok) = allocations_during(|| verifier.verify(pairs.as_slice(), &body).is_ok());
        report.push((format!("{} accepted", profile.name()), count, ok));

        // Refused: tampered body, stale timestamp, malformed and missing headers.
        if profile.kind() == ProfileKind::HmacSha256 {
            let mut tampered = body.clone();
            tampered[0] ^= 1;
            let (count, refused) =
                allocations_during(|| verifier.verify(pairs.as_slice(), &tampered).is_err());
            report.push((format!("{} tampered body", profile.name()), count, refused));
        }

        if profile.timestamp_format().is_some() {
            let stale_pairs: Vec<(String, String)> = signer
                .sign(&body, now - Duration::from_secs(3600))
                .iter()
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect();
            let (count, refused) =
                allocations_during(|| verifier.verify(stale_pairs.as_slice(), &body).is_err());
            report.push((format!("{} stale", profile.name()), count, refused));
        }

        let mut malformed = pairs.clone();
        malformed[0].1 = "zz".repeat(40);
        let (count, refused) =
            allocations_during(|| verifier.verify(malformed.as_slice(), &body).is_err());
        report.push((format!("{} malformed", profile.name()), count, refused));

        let none: [(&str, &str); 0] = [];
        let (count, refused) = allocations_during(|| verifier.verify(&none, &body).is_err());
        report.push((format!("{} missing", profile.name()), count, refused));
    }

    // Several profiles at once.
    let multi = Verifier::builder(Profile::hex_millis())
        .also_accept(Profile::timestamp_newline())
        .secret(secret("primary-secret"))
        .clock(|| SystemTime::UNIX_EPOCH + Duration::from_secs(1_698_765_432))
        .build()
        .unwrap();
    let signed =
        Signer::new(Profile::timestamp_newline(), secret("primary-secret")).sign(&body, now);
    let (count, ok) = allocations_during(|| multi.verify(&signed, &body).is_ok());
    report.push(("second of two profiles accepted".into(), count, ok));

    for (case, count, behaved) in &report {
        assert!(behaved, "{case}: unexpected verification result");
        assert_eq!(
            *count, 0,
            "{case}: {count} allocations in {ROUNDS} verifications"
        );
    }
    assert!(report.len() >= 25, "{} cases", report.len());
}
