//! The configuration self-test of the Go reference document: before going live, an
//! administrator checks that the receiver holds the same secret as the
//! sender by sending the HMAC of a fixed body.

#[cfg(feature = "actix")]
pub(crate) mod actix_service;
#[cfg(feature = "axum")]
pub(crate) mod axum_route;

use crate::Verifier;
use crate::profile::{ProfileKind, SignatureEncoding};

/// The variable holding the bearer token of the self-test in the example
/// receivers: unset, they do not mount the self-test at all (its path is
/// 404); set, the self-test answers only requests carrying
/// `Authorization: Bearer <token>`.
pub const SELF_TEST_TOKEN_VAR: &str = "COGNIGY_SELF_TEST_TOKEN";

/// Whether an `Authorization` header value is `Bearer <token>`, compared in
/// constant time (as SHA-256 digests, so not even the length leaks).
#[cfg(any(feature = "axum", feature = "actix"))]
pub(crate) fn bearer_matches(token: &crate::Secret, authorization: Option<&[u8]>) -> bool {
    use sha2::{Digest, Sha256};
    use subtle::ConstantTimeEq;

    let Some(presented) = authorization
        .map(<[u8]>::trim_ascii)
        .and_then(|value| value.split_at_checked(7))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case(b"Bearer "))
        .map(|(_, presented)| presented.trim_ascii())
    else {
        return false;
    };
    let expected: [u8; 32] = Sha256::digest(token.expose()).into();
    let presented: [u8; 32] = Sha256::digest(presented).into();
    bool::from(expected.ct_eq(&presented))
}

/// Where the adapters' self-test handlers are mounted in the examples (the
/// Go reference document's route).
pub const SELF_TEST_PATH: &str = "/api/v1/security/test";

/// The fixed body whose HMAC the self-test checks.
pub const SELF_TEST_BODY: &[u8] = b"webhook_security_test";

/// The answer to a self-test: does the signature match the HMAC of
/// [`SELF_TEST_BODY`] under one of the verifier's secrets?
///
/// It never reveals the expected signature, only whether it matched.
///
/// ```
/// use cognigy_webhook::self_test::{SELF_TEST_BODY, SelfTest};
/// use cognigy_webhook::{Profile, Secret, Signer, Verifier};
///
/// let verifier = Verifier::new(Profile::webhook_hex(), Secret::new("my-shared-secret")?);
/// // What the administrator computes with the secret they configured in Cognigy:
/// let signer = Signer::new(Profile::webhook_hex(), Secret::new("my-shared-secret")?);
/// let signature = signer.sign_with_timestamp(SELF_TEST_BODY, None);
/// let signature = signature.get("X-Cognigy-Webhook-Signature").unwrap();
///
/// let report = SelfTest::run(&verifier, signature);
/// assert!(report.signature_match());
/// assert_eq!(
///     report.to_json(),
///     r#"{"status":"valid","signature_match":true,"secret_configured":true,"expected_format":"hex-encoded-hmac-sha256"}"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SelfTest {
    signature_match: bool,
    applicable: bool,
    expected_format: &'static str,
}

impl SelfTest {
    /// Checks `signature` (in the verifier's first profile's encoding and
    /// prefix) against the HMAC of [`SELF_TEST_BODY`].
    pub fn run(verifier: &Verifier, signature: &str) -> SelfTest {
        let profile = verifier.profile();
        let expected_format = match (
            profile.kind(),
            profile.signature_encoding(),
            profile.signature_prefix(),
        ) {
            (ProfileKind::HmacSha256, Some(SignatureEncoding::Hex), Some("")) => {
                "hex-encoded-hmac-sha256"
            }
            (ProfileKind::HmacSha256, Some(SignatureEncoding::Hex), Some(_)) => {
                "prefix + hex-encoded-hmac-sha256"
            }
            (ProfileKind::HmacSha256, _, Some("")) => "base64-encoded-hmac-sha256",
            (ProfileKind::HmacSha256, _, _) => "prefix + base64-encoded-hmac-sha256",
            _ => "none: the profile has no HMAC signature",
        };
        let matched = verifier.signs_body(signature.as_bytes(), SELF_TEST_BODY);
        SelfTest {
            signature_match: matched == Some(true),
            applicable: matched.is_some(),
            expected_format,
        }
    }

    /// Whether the signature matched.
    pub fn signature_match(&self) -> bool {
        self.signature_match
    }

    /// `valid`, `invalid`, or `unsupported` for profiles without an HMAC
    /// signature (Basic Auth, API key).
    pub fn status(&self) -> &'static str {
        match (self.applicable, self.signature_match) {
            (false, _) => "unsupported",
            (true, true) => "valid",
            (true, false) => "invalid",
        }
    }

    /// The JSON the handlers answer (with 200, as the Go reference document does):
    /// `{"status", "signature_match", "secret_configured", "expected_format"}`.
    /// A verifier always has a secret, so `secret_configured` is `true`.
    pub fn to_json(&self) -> String {
        format!(
            r#"{{"status":"{}","signature_match":{},"secret_configured":true,"expected_format":"{}"}}"#,
            self.status(),
            self.signature_match,
            self.expected_format
        )
    }

    /// The self-test for a request's query string: `signature` and
    /// `timestamp` are both required (as in the Go reference document; the timestamp is not
    /// checked), else 400 `missing_signature` or `missing_timestamp`.
    #[cfg(any(feature = "axum", feature = "actix"))]
    pub(crate) fn from_query(
        verifier: &Verifier,
        query: Option<&str>,
    ) -> Result<SelfTest, crate::ErrorKind> {
        let (mut signature, mut timestamp) = (None, None);
        for (name, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            match &*name {
                "signature" if !value.is_empty() => signature = Some(value),
                "timestamp" if !value.is_empty() => timestamp = Some(value),
                _ => {}
            }
        }
        let signature = signature.ok_or(crate::ErrorKind::MissingSignature)?;
        timestamp.ok_or(crate::ErrorKind::MissingTimestamp)?;
        Ok(SelfTest::run(verifier, &signature))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Profile, Secret};

    /// The HMAC of the fixed body alone, in the profile's prefix and hex.
    fn signature(profile: &Profile, secret: &str) -> String {
        use hmac::{Hmac, KeyInit, Mac};
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(SELF_TEST_BODY);
        let prefix = profile.signature_prefix().unwrap_or("");
        format!("{prefix}{}", hex::encode(mac.finalize().into_bytes()))
    }

    #[test]
    fn every_hmac_profile_checks_its_own_encoding() {
        for profile in Profile::presets() {
            // Basic Auth secrets are `user:password`.
            let (old, new) = match profile.kind() {
                ProfileKind::BasicAuth => ("u:old", "u:new"),
                _ => ("old", "new"),
            };
            let verifier = Verifier::builder(profile.clone())
                .secrets([Secret::new(old).unwrap(), Secret::new(new).unwrap()])
                .build()
                .unwrap();
            if profile.kind() != ProfileKind::HmacSha256 {
                let report = SelfTest::run(&verifier, "00");
                assert_eq!(report.status(), "unsupported", "{profile}");
                continue;
            }
            assert_eq!(
                SelfTest::run(&verifier, &signature(&profile, "new")).status(),
                "valid"
            );
            assert_eq!(
                SelfTest::run(&verifier, &signature(&profile, "other")).status(),
                "invalid"
            );
            assert_eq!(SelfTest::run(&verifier, "not hex").status(), "invalid");
        }
    }

    #[test]
    #[cfg(any(feature = "axum", feature = "actix"))]
    fn the_query_needs_both_parameters() {
        let verifier = Verifier::new(Profile::webhook_hex(), Secret::new("s").unwrap());
        let good = signature(&Profile::webhook_hex(), "s");
        let query = format!("signature={good}&timestamp=2026-01-01T00%3A00%3A00Z");
        assert!(
            SelfTest::from_query(&verifier, Some(&query))
                .unwrap()
                .signature_match()
        );
        assert_eq!(
            SelfTest::from_query(&verifier, Some("timestamp=1")),
            Err(crate::ErrorKind::MissingSignature)
        );
        assert_eq!(
            SelfTest::from_query(&verifier, Some(&format!("signature={good}&timestamp="))),
            Err(crate::ErrorKind::MissingTimestamp)
        );
        assert_eq!(
            SelfTest::from_query(&verifier, None),
            Err(crate::ErrorKind::MissingSignature)
        );
    }
}
