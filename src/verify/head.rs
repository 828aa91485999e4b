//! A delivery's head, judged before its body is read.

use std::fmt;
use std::time::SystemTime;

use base64::Engine as _;
use hmac::Mac;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::profile::{Scheme, TimestampRule};
use super::signature::{BASE64, DIGEST_LEN};
use super::timestamp::{MAX_TIMESTAMP_LEN, check_window};
use super::verifier::{HmacSha256, Keys, Lane, MAX_HEADER_VALUE_LEN, MAX_PROFILES};
use crate::profile::{Signatures, SignedContent};
use crate::{Error, ErrorKind, HeaderLookup, Lookup, Profile, Verified};

/// The headers of one delivery, judged: every check that needs no body has
/// passed. Made by [`Verifier::check_head`](crate::Verifier::check_head);
/// [`Head::verify_body`] finishes the verification.
///
/// A server judges the head as soon as the request line and headers have
/// arrived, refuses at once what fails, and only then reads the body:
/// an unsigned or stale request costs it no body buffer.
///
/// `Debug` names the profiles still in play and nothing of the signatures.
pub struct Head<'v> {
    /// The accepted profiles whose checks on the head passed, in the order
    /// they are tried (usually one).
    candidates: [Option<Judged<'v>>; MAX_PROFILES],
}

/// One profile's judgement of the head.
struct Judged<'v> {
    lane: &'v Lane,
    stamp: Option<Stamp>,
    credential: Credential,
}

/// The delivery timestamp and how far it lay behind the clock.
#[derive(Clone, Copy)]
struct Stamp {
    at: SystemTime,
    drift_ms: i64,
}

#[expect(
    clippy::large_enum_variant,
    reason = "kept inline: a head allocates nothing"
)]
enum Credential {
    /// HMAC signatures, to check against the body; with the timestamp value
    /// when the profile signs it.
    Signatures {
        signatures: Signatures,
        signed_timestamp: Option<TimestampBytes>,
    },
    /// Basic Auth or API key, matched already: the secret at this index.
    Matched(usize),
}

/// A timestamp header value as received (trimmed), for the signed bytes.
struct TimestampBytes {
    bytes: [u8; MAX_TIMESTAMP_LEN],
    len: usize,
}

impl TimestampBytes {
    fn copy(value: &[u8]) -> Result<Self, Error> {
        let mut bytes = [0; MAX_TIMESTAMP_LEN];
        bytes
            .get_mut(..value.len())
            .ok_or(ErrorKind::MalformedTimestamp)?
            .copy_from_slice(value);
        Ok(TimestampBytes {
            bytes,
            len: value.len(),
        })
    }

    fn as_slice(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

impl<'v> Head<'v> {
    /// Judges `headers` for each accepted profile. With several profiles,
    /// those whose head passes stay in play; when none does, the error of
    /// the first profile whose signature header was present is returned.
    pub(crate) fn judge<'h>(
        lanes: &'v [Lane],
        now: SystemTime,
        headers: &impl HeaderLookup<'h>,
    ) -> Result<Head<'v>, Error> {
        let mut candidates = [const { None }; MAX_PROFILES];
        if let [lane] = lanes {
            candidates[0] = Some(Judged::new(lane, now, headers)?);
            return Ok(Head { candidates });
        }
        let mut first_error: Option<Error> = None;
        for (slot, lane) in candidates.iter_mut().zip(lanes) {
            match Judged::new(lane, now, headers) {
                Ok(judged) => *slot = Some(judged),
                // Prefer the error of a profile whose header was present.
                Err(error) => match &first_error {
                    Some(seen) if seen.kind() != ErrorKind::MissingSignature => {}
                    _ => first_error = Some(error),
                },
            }
        }
        if candidates.iter().all(Option::is_none) {
            return Err(first_error.unwrap_or_else(|| ErrorKind::MissingSignature.into()));
        }
        Ok(Head { candidates })
    }

    /// Verifies `body`, exactly as received, against this head: the first
    /// profile in play and the first secret whose MAC equals a received
    /// signature win (compared in constant time). For Basic Auth and API
    /// key profiles the head was the whole check and the body is not read.
    pub fn verify_body(&self, body: &[u8]) -> Result<Verified, Error> {
        self.judged()
            .find_map(|judged| judged.verify_body(body))
            .ok_or_else(|| ErrorKind::SignatureMismatch.into())
    }

    /// The name of the first profile whose head checks passed.
    pub fn profile(&self) -> &str {
        self.judged()
            .next()
            .map_or("", |judged| judged.lane.profile.name())
    }

    fn judged(&self) -> impl Iterator<Item = &Judged<'v>> {
        self.candidates.iter().flatten()
    }
}

impl<'v> Judged<'v> {
    fn new<'h>(
        lane: &'v Lane,
        now: SystemTime,
        headers: &impl HeaderLookup<'h>,
    ) -> Result<Judged<'v>, Error> {
        let profile = &lane.profile;
        let credential = required(
            headers.lookup(profile.credential_header()),
            ErrorKind::MissingSignature,
            ErrorKind::MalformedSignature,
        )?;
        let timestamp = match &profile.timestamp {
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
        let (stamp, credential) = match (&profile.scheme, &lane.keys) {
            (
                Scheme::Hmac {
                    encoding,
                    prefix,
                    content,
                    ..
                },
                Keys::Hmac(_),
            ) => {
                let signatures = Signatures::decode(credential, *encoding, prefix)?;
                let stamp = check_timestamp(now, timestamp)?;
                let signed_timestamp = match (content, timestamp) {
                    (SignedContent::Body, _) => None,
                    (SignedContent::TimestampThenBody(_), Some((_, value))) => {
                        Some(TimestampBytes::copy(value)?)
                    }
                    (SignedContent::TimestampThenBody(_), None) => {
                        return Err(ErrorKind::MissingTimestamp.into());
                    }
                };
                let credential = Credential::Signatures {
                    signatures,
                    signed_timestamp,
                };
                (stamp, credential)
            }
            (Scheme::BasicAuth, Keys::Digests(digests)) => {
                let received = basic_credentials_digest(credential)?;
                let stamp = check_timestamp(now, timestamp)?;
                let index = match_digest(digests, &received).ok_or(ErrorKind::SignatureMismatch)?;
                (stamp, Credential::Matched(index))
            }
            (Scheme::ApiKey { .. }, Keys::Digests(digests)) => {
                let stamp = check_timestamp(now, timestamp)?;
                let received = Sha256::digest(credential).into();
                let index = match_digest(digests, &received).ok_or(ErrorKind::SignatureMismatch)?;
                (stamp, Credential::Matched(index))
            }
            // Keys are made from the lane's own profile, so the pairs above
            // are the only ones; refuse rather than panic if that ever changes.
            _ => return Err(ErrorKind::SignatureMismatch.into()),
        };
        Ok(Judged {
            lane,
            stamp,
            credential,
        })
    }

    fn verify_body(&self, body: &[u8]) -> Option<Verified> {
        let (key_index, signature) = match &self.credential {
            Credential::Matched(index) => (*index, None),
            Credential::Signatures {
                signatures,
                signed_timestamp,
            } => {
                let Keys::Hmac(keys) = &self.lane.keys else {
                    return None;
                };
                let separator = match self.lane.profile.signed_content() {
                    Some(SignedContent::TimestampThenBody(separator)) => separator,
                    _ => &[][..],
                };
                let prefix = signed_timestamp
                    .as_ref()
                    .map(|timestamp| (timestamp.as_slice(), separator));
                let (index, signature) = match_hmac(keys, signatures, prefix, body)?;
                (index, Some(signature))
            }
        };
        Some(Verified {
            profile: self.lane.profile.shared_name().clone(),
            key_index,
            timestamp: self.stamp.map(|stamp| stamp.at),
            drift_ms: self.stamp.map(|stamp| stamp.drift_ms),
            signature,
        })
    }
}

impl fmt::Debug for Head<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.judged().map(|j| j.lane.profile.name()).collect();
        f.debug_struct("Head")
            .field("profiles", &names)
            .finish_non_exhaustive()
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

/// Parses and checks the timestamp, if the profile has one.
fn check_timestamp(
    now: SystemTime,
    value: Option<(&TimestampRule, &[u8])>,
) -> Result<Option<Stamp>, Error> {
    let Some((rule, value)) = value else {
        return Ok(None);
    };
    let at = rule.format.parse(value)?;
    let drift_ms = check_window(now, at, rule.tolerance)?;
    Ok(Some(Stamp { at, drift_ms }))
}

/// The first key whose MAC over (timestamp, separator,) body equals one of
/// the received signatures, compared in constant time.
fn match_hmac(
    keys: &[HmacSha256],
    signatures: &Signatures,
    signed_timestamp: Option<(&[u8], &[u8])>,
    body: &[u8],
) -> Option<(usize, [u8; DIGEST_LEN])> {
    keys.iter().enumerate().find_map(|(index, key)| {
        let mut mac = key.clone();
        if let Some((timestamp, separator)) = signed_timestamp {
            mac.update(timestamp);
            mac.update(separator);
        }
        let tag = mac.chain_update(body).finalize().into_bytes();
        signatures
            .as_slice()
            .iter()
            .find(|signature| bool::from(tag.as_slice().ct_eq(signature.as_slice())))
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
        .position(|expected| bool::from(received.ct_eq(&**expected)))
}

/// `Basic <base64(user:password)>` → SHA-256 of the decoded `user:password`.
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

/// Whether `headers` carry a well-formed, timely head for `profile`: its
/// headers present and parsing, its timestamp inside the window, and for
/// Basic Auth and API keys well-formed credentials. No secret is involved.
pub(crate) fn fits<'h>(profile: Profile, now: SystemTime, headers: &impl HeaderLookup<'h>) -> bool {
    let keys = match profile.scheme {
        Scheme::Hmac { .. } => Keys::Hmac(Box::new([])),
        Scheme::BasicAuth | Scheme::ApiKey { .. } => Keys::Digests(Box::new([])),
    };
    let lane = Lane { profile, keys };
    match Judged::new(&lane, now, headers) {
        Ok(_) => true,
        Err(error) => error.kind() == ErrorKind::SignatureMismatch,
    }
}

/// Whether `signature`, in `lane`'s encoding and prefix, is the HMAC of
/// `body` alone under any of its secrets; `None` without HMAC.
pub(crate) fn signs_body(lane: &Lane, signature: &[u8], body: &[u8]) -> Option<bool> {
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
