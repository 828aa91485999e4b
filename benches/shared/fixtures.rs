//! What the core benchmarks share: the secret, the fixed "now", the HMAC
//! profiles, a verifier on that clock and headers signed one second before.
#![allow(dead_code)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cognigy_webhook::clock::FixedClock;
use cognigy_webhook::profile::ProfileKind;
use cognigy_webhook::{Profile, Secret, Signer, Verifier};

/// The shared secret of every benchmark delivery.
pub(crate) const SECRET: &str = "benchmark-shared-secret-0123456789";

/// The verifiers' fixed clock.
pub(crate) fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_698_765_432)
}

/// The preset profiles with an HMAC signature.
pub(crate) fn hmac_profiles() -> Vec<Profile> {
    Profile::presets()
        .into_iter()
        .filter(|p| p.kind() == ProfileKind::HmacSha256)
        .collect()
}

/// Our verifier for `profile`, on the fixed clock.
pub(crate) fn verifier(profile: &Profile) -> Verifier {
    Verifier::builder(profile.clone())
        .secret(Secret::new(SECRET).unwrap())
        .clock(FixedClock::new(now()))
        .build()
        .unwrap()
}

/// The headers the signer writes for `body`, one second before "now".
pub(crate) fn signed_pairs(profile: &Profile, body: &[u8]) -> Vec<(String, String)> {
    signed_pairs_at(profile, body, now() - Duration::from_secs(1))
}

/// The headers the signer writes for `body` sent `at`.
pub(crate) fn signed_pairs_at(
    profile: &Profile,
    body: &[u8],
    at: SystemTime,
) -> Vec<(String, String)> {
    Signer::new(profile.clone(), Secret::new(SECRET).unwrap())
        .sign(body, at)
        .iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}
