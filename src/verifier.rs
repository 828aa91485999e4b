//! The verification routine shared by every profile and every adapter.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::digest_eq::digests_equal;
use crate::keyed_mac::KeyedMac;
use crate::profile::{Scheme, TimestampRule};
use crate::signature::{BASE64, DIGEST_LEN};
use crate::timestamp::check_window;
use crate::{
    Clock, ConfigError, Error, ErrorKind, HeaderLookup, Lookup, Profile, Secret, Signatures,
    SignedContent, SystemClock, Verified,
};

/// The longest header value looked at. A longer signature, credentials or
/// timestamp header is malformed, refused before any MAC work.
pub const MAX_HEADER_VALUE_LEN: usize = 4096;

/// The body limit the framework adapters apply unless told otherwise: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// Verifies webhook deliveries for one profile (or, by explicit opt-in,
/// several) against one or more active secrets.
///
/// Build it once at start-up and share it: it is cheap to clone (an `Arc`),
/// `Send` and `Sync`. Each secret is keyed into an HMAC state once, here;
/// each verification clones that state on the stack, feeds it the signed
/// bytes in pieces and compares the decoded signature in constant time.
/// Verification allocates nothing.
///
/// Checks run in this order, and the first failure is returned:
///
/// 1. the signature (credentials) header is present exactly once, at most
///    [`MAX_HEADER_VALUE_LEN`] bytes and not blank → else `missing_signature`
///    / `malformed_signature`;
/// 2. the same for the timestamp header, if the profile has one →
///    `missing_timestamp` / `malformed_timestamp`;
/// 3. the signature decodes ([`Signatures::decode`]) → `malformed_signature`;
/// 4. the timestamp parses → `malformed_timestamp`;
/// 5. the timestamp lies within the tolerance, in the past or the future →
///    `timestamp_out_of_window`;
/// 6. some secret produces one of the received signatures →
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
/// let tampered = br#"{"messageId":"m-1","text":"HELLO"}"#;
/// assert_eq!(verifier.verify(&headers, tampered).unwrap_err().reason(), "signature_mismatch");
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

/// One accepted profile with its keys.
struct Lane {
    profile: Profile,
    keys: Keys,
}

enum Keys {
    /// One HMAC key schedule per secret.
    Hmac(Box<[KeyedMac]>),
    /// SHA-256 of each expected credential (Basic Auth `user:password`, or
    /// the API key): comparing digests keeps the length secret as well.
    Digests(Box<[Zeroizing<[u8; DIGEST_LEN]>]>),
}

impl Keys {
    fn new(profile: &Profile, secrets: &[Secret]) -> Keys {
        match profile.scheme {
            Scheme::Hmac { .. } => Keys::Hmac(
                secrets
                    .iter()
                    .map(|secret| KeyedMac::new(secret.expose()))
                    .collect(),
            ),
            Scheme::BasicAuth | Scheme::ApiKey { .. } => Keys::Digests(
                secrets
                    .iter()
                    .map(|secret| Zeroizing::new(Sha256::digest(secret.expose()).into()))
                    .collect(),
            ),
        }
    }

    fn len(&self) -> usize {
        match self {
            Keys::Hmac(keys) => keys.len(),
            Keys::Digests(digests) => digests.len(),
        }
    }
}

impl Verifier {
    /// A verifier for one profile and one secret, with the profile's
    /// tolerance and the system clock.
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
        // The builder refuses to build without a profile: there is always one.
        &self.inner.lanes[0].profile
    }

    /// Every accepted profile, in the order they are tried.
    pub fn profiles(&self) -> impl Iterator<Item = &Profile> {
        self.inner.lanes.iter().map(|lane| &lane.profile)
    }

    /// How many secrets are active.
    pub fn secret_count(&self) -> usize {
        self.inner.lanes[0].keys.len()
    }

    /// The widest tolerance among the accepted profiles: how long a delivery
    /// stays acceptable, and so how long a replay guard must remember it.
    pub fn max_tolerance(&self) -> Option<Duration> {
        self.profiles().filter_map(Profile::tolerance).max()
    }

    /// Verifies one delivery: its headers and its body, exactly as received.
    pub fn verify<'h>(
        &self,
        headers: impl HeaderLookup<'h>,
        body: &[u8],
    ) -> Result<Verified, Error> {
        let now = self.inner.clock.now();
        if let [lane] = &*self.inner.lanes {
            return lane.verify(now, &headers, body);
        }
        let mut first_error: Option<Error> = None;
        for lane in &self.inner.lanes {
            match lane.verify(now, &headers, body) {
                Ok(verified) => return Ok(verified),
                // Prefer the error of a profile whose header was present.
                Err(error) => match first_error {
                    Some(seen) if seen.kind() != ErrorKind::MissingSignature => {}
                    _ => first_error = Some(error),
                },
            }
        }
        Err(first_error.unwrap_or_else(|| ErrorKind::MissingSignature.into()))
    }
}

impl Verifier {
    /// Whether `signature`, in the first profile's encoding and prefix, is
    /// the HMAC of `body` alone under any active secret (compared in
    /// constant time); `None` when that profile has no HMAC signature.
    pub(crate) fn signs_body(&self, signature: &[u8], body: &[u8]) -> Option<bool> {
        let lane = &self.inner.lanes[0];
        match (&lane.profile.scheme, &lane.keys) {
            (
                Scheme::Hmac {
                    encoding, prefix, ..
                },
                Keys::Hmac(keys),
            ) => Some(
                Signatures::decode(signature.trim_ascii(), *encoding, prefix)
                    .ok()
                    .and_then(|signatures| match_hmac(keys, &signatures, None, body))
                    .is_some(),
            ),
            _ => None,
        }
    }
}

impl Lane {
    fn verify<'h>(
        &self,
        now: SystemTime,
        headers: &impl HeaderLookup<'h>,
        body: &[u8],
    ) -> Result<Verified, Error> {
        let profile = &self.profile;
        let credential = required(
            headers.lookup(profile.credential_header()),
            ErrorKind::MissingSignature,
            ErrorKind::MalformedSignature,
        )?;
        let timestamp_value = match &profile.timestamp {
            None => None,
            Some(rule) => Some((
                rule,
                required(
                    headers.lookup(&rule.header),
                    ErrorKind::MissingTimestamp,
                    ErrorKind::MalformedTimestamp,
                )?,
            )),
        };
        let matched = match (&profile.scheme, &self.keys) {
            (
                Scheme::Hmac {
                    encoding,
                    prefix,
                    content,
                    ..
                },
                Keys::Hmac(keys),
            ) => {
                let mut signatures = Signatures::empty();
                signatures.decode_into(credential, *encoding, prefix)?;
                let timestamp = check_timestamp(now, timestamp_value)?;
                let signed_timestamp = match content {
                    SignedContent::Body => None,
                    SignedContent::TimestampThenBody(separator) => {
                        let (_, value) = timestamp_value.ok_or(ErrorKind::MissingTimestamp)?;
                        Some((value, &**separator))
                    }
                };
                let (key_index, signature) = match_hmac(keys, &signatures, signed_timestamp, body)
                    .ok_or(ErrorKind::SignatureMismatch)?;
                (key_index, timestamp, Some(signature))
            }
            (Scheme::BasicAuth, Keys::Digests(digests)) => {
                let received = basic_credentials_digest(credential)?;
                let timestamp = check_timestamp(now, timestamp_value)?;
                let key_index =
                    match_digest(digests, &received).ok_or(ErrorKind::SignatureMismatch)?;
                (key_index, timestamp, None)
            }
            (Scheme::ApiKey { .. }, Keys::Digests(digests)) => {
                let timestamp = check_timestamp(now, timestamp_value)?;
                let received = Sha256::digest(credential).into();
                let key_index =
                    match_digest(digests, &received).ok_or(ErrorKind::SignatureMismatch)?;
                (key_index, timestamp, None)
            }
            // Keys are made from the lane's own profile, so the pairs above
            // are the only ones; refuse rather than panic if that ever changes.
            _ => return Err(ErrorKind::SignatureMismatch.into()),
        };
        let (key_index, timestamp, signature) = matched;
        Ok(Verified {
            profile: profile.shared_name().clone(),
            key_index,
            timestamp: timestamp.map(|(at, _)| at),
            drift_ms: timestamp.map(|(_, drift)| drift),
            signature,
        })
    }
}

/// A header that must be present once, not too long and not blank; returned
/// without surrounding whitespace.
fn required(lookup: Lookup<'_>, missing: ErrorKind, malformed: ErrorKind) -> Result<&[u8], Error> {
    match lookup {
        Lookup::Absent => Err(missing.into()),
        Lookup::Repeated => Err(malformed.into()),
        Lookup::One(value) if value.len() > MAX_HEADER_VALUE_LEN => Err(malformed.into()),
        Lookup::One(value) => match value.trim_ascii() {
            [] => Err(malformed.into()),
            trimmed => Ok(trimmed),
        },
    }
}

/// Parses and checks the timestamp, if the profile has one: its instant and
/// the drift in milliseconds.
fn check_timestamp(
    now: SystemTime,
    value: Option<(&TimestampRule, &[u8])>,
) -> Result<Option<(SystemTime, i64)>, Error> {
    let Some((rule, value)) = value else {
        return Ok(None);
    };
    let at = rule.format.parse(value)?;
    let drift = check_window(now, at, rule.tolerance)?;
    Ok(Some((at, drift)))
}

/// The first key whose MAC over (timestamp, separator,) body equals one of
/// the received signatures, compared in constant time.
fn match_hmac(
    keys: &[KeyedMac],
    signatures: &Signatures,
    signed_timestamp: Option<(&[u8], &[u8])>,
    body: &[u8],
) -> Option<(usize, [u8; DIGEST_LEN])> {
    keys.iter().enumerate().find_map(|(index, key)| {
        let tag = match signed_timestamp {
            None => key.tag(&[body]),
            Some((timestamp, separator)) => key.tag(&[timestamp, separator, body]),
        };
        signatures
            .as_slice()
            .iter()
            .find(|signature| digests_equal(&tag, signature))
            .map(|signature| (index, *signature))
    })
}

/// The first expected credential whose SHA-256 equals `received`.
fn match_digest(
    digests: &[Zeroizing<[u8; DIGEST_LEN]>],
    received: &[u8; DIGEST_LEN],
) -> Option<usize> {
    digests
        .iter()
        .position(|expected| digests_equal(received, expected))
}

/// `Basic <base64(user:password)>` → SHA-256 of the decoded `user:password`.
/// Kept out of line: its decoding buffer would otherwise sit in the frame
/// of every HMAC verification.
#[inline(never)]
fn basic_credentials_digest(value: &[u8]) -> Result<[u8; DIGEST_LEN], Error> {
    let malformed = || Error::from(ErrorKind::MalformedSignature);
    let (scheme, rest) = value.split_at_checked(6).ok_or_else(malformed)?;
    if !scheme.eq_ignore_ascii_case(b"Basic ") {
        return Err(malformed());
    }
    let mut buffer = Zeroizing::new([0u8; MAX_HEADER_VALUE_LEN / 4 * 3]);
    let written = BASE64
        .decode_slice(rest.trim_ascii_start(), &mut *buffer)
        .map_err(|_| malformed())?;
    let decoded = buffer.get(..written).ok_or_else(malformed)?;
    Ok(Sha256::digest(decoded).into())
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
