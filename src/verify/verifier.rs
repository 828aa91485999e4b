//! The verifier: profiles and keys, built once and shared by every request.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::head::{Head, signs_body};
use super::lane::{Keys, Lane};
use crate::profile::ProfileKind;
use crate::{Clock, ConfigError, Error, HeaderLookup, Profile, Secret, SystemClock, Verified};

/// The body limit the framework adapters apply unless told otherwise: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// Verifies webhook deliveries for one profile (or, by explicit opt-in,
/// several) against one or more active secrets.
///
/// Build it once at start-up and share it: it is cheap to clone (an `Arc`),
/// `Send` and `Sync`. Each secret is keyed into an HMAC state once, here;
/// each verification clones that state, feeds it the signed bytes in pieces
/// and compares the result with the decoded signature in constant time.
/// Verification allocates nothing.
///
/// Verification comes in two steps, so that a server can refuse a request
/// before reading its body: [`Verifier::check_head`] judges the headers
/// alone, and [`Head::verify_body`] then checks the body against them.
/// [`Verifier::verify`] does both. The checks, in order (the first failure
/// is returned):
///
/// 1. the signature (credentials) header is present exactly once, at most
///    [`MAX_HEADER_VALUE_LEN`](crate::limits::MAX_HEADER_VALUE_LEN) bytes and not blank → else `missing_signature`
///    / `malformed_signature`;
/// 2. the same for the timestamp header, if the profile has one →
///    `missing_timestamp` / `malformed_timestamp`;
/// 3. the signature decodes ([`Signatures::decode`](crate::profile::Signatures::decode))
///    → `malformed_signature`;
/// 4. the timestamp parses → `malformed_timestamp`;
/// 5. the timestamp lies within the tolerance, in the past or the future →
///    `timestamp_out_of_window`;
/// 6. Basic Auth credentials or an API key match an active secret →
///    `signature_mismatch` (these profiles need no body);
/// 7. with the body: some secret produces one of the received signatures →
///    `signature_mismatch`.
///
/// ```
/// use std::time::SystemTime;
/// use cognigy_webhook::{Profile, Secret, Signer, Verifier};
///
/// let secret = Secret::new("s3cr3t")?;
/// let verifier = Verifier::new(Profile::hex_millis(), secret.clone());
///
/// let body = br#"{"messageId":"m-1","text":"hello"}"#;
/// let headers = Signer::new(Profile::hex_millis(), secret).sign(body, SystemTime::now());
///
/// let verified = verifier.verify(&headers, body)?;
/// assert_eq!(verified.profile(), "hex-millis");
/// assert_eq!(verified.key_index(), 0);
///
/// // The same in two steps: the head first, then the body.
/// let head = verifier.check_head(&headers)?;
/// let tampered = br#"{"messageId":"m-1","text":"HELLO"}"#;
/// assert_eq!(head.verify_body(tampered).unwrap_err().reason(), "signature_mismatch");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Verifier {
    inner: Arc<Inner>,
}

struct Inner {
    lanes: Box<[Lane]>,
    clock: Box<dyn Clock>,
}

impl Verifier {
    /// A verifier for one profile and one secret, with the profile's
    /// tolerance and the system clock. It checks nothing: a `basic-auth`
    /// secret that is not `user:password` with a password, which
    /// [`Verifier::builder`] refuses, is used as given.
    pub fn new(profile: Profile, secret: Secret) -> Verifier {
        let keys = Keys::new(&profile, std::slice::from_ref(&secret));
        Verifier {
            inner: Arc::new(Inner {
                lanes: Box::new([Lane { profile, keys }]),
                clock: Box::new(SystemClock),
            }),
        }
    }

    /// Starts a verifier for `profile`; add at least one secret.
    pub fn builder(profile: Profile) -> VerifierBuilder {
        VerifierBuilder {
            profiles: vec![profile],
            secrets: Vec::new(),
            tolerance: None,
            clock: None,
        }
    }

    /// The profile given first (the only one unless others were opted into).
    pub fn profile(&self) -> &Profile {
        &self.first_lane().profile
    }

    /// Every accepted profile, in the order they are tried.
    pub fn profiles(&self) -> impl Iterator<Item = &Profile> {
        self.inner.lanes.iter().map(|lane| &lane.profile)
    }

    /// How many secrets are active.
    pub fn secret_count(&self) -> usize {
        self.first_lane().keys.len()
    }

    /// The widest tolerance among the accepted profiles: how long a delivery
    /// stays acceptable, and so how long a replay guard must remember it.
    pub fn max_tolerance(&self) -> Option<Duration> {
        self.profiles().filter_map(Profile::tolerance).max()
    }

    /// Judges a delivery's headers alone: everything that can be refused
    /// without the body is refused here (steps 1 to 6 above). The [`Head`]
    /// then verifies the body.
    pub fn check_head<'h, H: HeaderLookup<'h>>(&self, headers: H) -> Result<Head<'_, H>, Error> {
        Head::judge(&self.inner.lanes, self.inner.clock.now(), headers)
    }

    /// Verifies one delivery: its headers and its body, exactly as received.
    /// The same as [`check_head`](Self::check_head) then
    /// [`Head::verify_body`].
    pub fn verify<'h>(
        &self,
        headers: impl HeaderLookup<'h>,
        body: &[u8],
    ) -> Result<Verified, Error> {
        self.check_head(headers)?.verify_body(body)
    }

    /// Whether `signature`, in the first profile's encoding and prefix, is
    /// the HMAC of `body` alone under any active secret (compared in
    /// constant time); `None` when that profile has no HMAC signature.
    pub(crate) fn signs_body(&self, signature: &[u8], body: &[u8]) -> Option<bool> {
        signs_body(self.first_lane(), signature, body)
    }

    /// The verifier's clock.
    #[cfg(any(feature = "tower", feature = "actix"))]
    pub(crate) fn now(&self) -> std::time::SystemTime {
        self.inner.clock.now()
    }

    fn first_lane(&self) -> &Lane {
        // The builder refuses to build without a profile: there is always one.
        &self.inner.lanes[0]
    }
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.profiles().map(Profile::name).collect();
        f.debug_struct("Verifier")
            .field("profiles", &names)
            .field("secrets", &self.secret_count())
            .finish_non_exhaustive()
    }
}

/// Builds a [`Verifier`]; start with [`Verifier::builder`].
#[must_use]
pub struct VerifierBuilder {
    profiles: Vec<Profile>,
    secrets: Vec<Secret>,
    tolerance: Option<Duration>,
    clock: Option<Box<dyn Clock>>,
}

impl VerifierBuilder {
    /// Adds an active secret. Several secrets may be active during a
    /// rotation; a match on any passes and [`Verified::key_index`] says which.
    pub fn secret(mut self, secret: Secret) -> Self {
        self.secrets.push(secret);
        self
    }

    /// Adds several active secrets, in order.
    pub fn secrets(mut self, secrets: impl IntoIterator<Item = Secret>) -> Self {
        self.secrets.extend(secrets);
        self
    }

    /// Overrides the timestamp tolerance of every accepted profile.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = Some(tolerance);
        self
    }

    /// Uses another clock than the system's (tests, offline checks).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Some(Box::new(clock));
        self
    }

    /// Also accepts deliveries signed according to `profile`, with the same
    /// secrets. Profiles are tried in the order given; the first that
    /// verifies wins, and when none does the error of the first profile whose
    /// signature header was present is returned.
    ///
    /// **This widens what is accepted; enable it deliberately.** Profiles
    /// differ in what they sign, and one profile's signature can be another's:
    /// a `timestamp-newline` signature over `T\nB` is also a valid raw-body
    /// signature over the body `T\nB`, so a receiver accepting both lets a
    /// sender of one be read as the other. Accept one profile unless you are
    /// migrating between them.
    pub fn also_accept(mut self, profile: Profile) -> Self {
        self.profiles.push(profile);
        self
    }

    /// Checks the configuration and keys every secret.
    pub fn build(self) -> Result<Verifier, ConfigError> {
        if self.secrets.is_empty() {
            return Err(ConfigError::NoSecret);
        }
        for (index, profile) in self.profiles.iter().enumerate() {
            if self.profiles[..index]
                .iter()
                .any(|p| p.name() == profile.name())
            {
                return Err(ConfigError::DuplicateProfile(profile.name().to_owned()));
            }
        }
        // RFC 7617 credentials are `user:password`: a Basic Auth secret
        // without `:` could never match a well-formed request, and one
        // without a password (`user:`, `:`) protects nothing.
        let basic_auth = self
            .profiles
            .iter()
            .any(|p| p.kind() == ProfileKind::BasicAuth);
        if basic_auth && !self.secrets.iter().all(|s| is_user_password(s.expose())) {
            return Err(ConfigError::InvalidBasicAuthSecret);
        }
        let lanes = self
            .profiles
            .into_iter()
            .map(|profile| {
                let profile = match self.tolerance {
                    Some(tolerance) => profile.with_tolerance(tolerance),
                    None => profile,
                };
                let keys = Keys::new(&profile, &self.secrets);
                Lane { profile, keys }
            })
            .collect();
        Ok(Verifier {
            inner: Arc::new(Inner {
                lanes,
                clock: self.clock.unwrap_or_else(|| Box::new(SystemClock)),
            }),
        })
    }
}

impl fmt::Debug for VerifierBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifierBuilder")
            .field("profiles", &self.profiles)
            .field("secrets", &self.secrets.len())
            .field("tolerance", &self.tolerance)
            .finish_non_exhaustive()
    }
}

/// Whether `secret` is `user:password` with a non-empty password.
fn is_user_password(secret: &[u8]) -> bool {
    secret
        .iter()
        .position(|&b| b == b':')
        .is_some_and(|colon| colon + 1 < secret.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_basic_auth_secret_must_be_user_colon_password_with_a_password() {
        let build = |profile: Profile, secret: &str| {
            Verifier::builder(profile)
                .secret(Secret::new(secret).unwrap())
                .build()
                .map(|_| ())
        };
        for secret in ["no-colon", "user:", ":"] {
            assert_eq!(
                build(Profile::basic_auth(), secret),
                Err(ConfigError::InvalidBasicAuthSecret),
                "{secret}"
            );
        }
        assert_eq!(build(Profile::basic_auth(), "user:pass"), Ok(()));
        assert_eq!(build(Profile::basic_auth(), ":pass"), Ok(()));
        assert_eq!(build(Profile::basic_auth(), "user:pa:ss"), Ok(()));
        // Other profiles take any secret.
        assert_eq!(build(Profile::api_key(), "no-colon"), Ok(()));
        assert_eq!(build(Profile::hex_millis(), "no-colon"), Ok(()));
    }
}
