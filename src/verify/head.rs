//! A delivery's head, judged before its body is read.

use std::fmt;
use std::time::SystemTime;

use base64::Engine as _;
use hmac::Mac;
use hmac::digest::CtOutput;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::lane::{HmacSha256, Keys, Lane};
use super::pairs::Pairs;
use super::profile::{Scheme, TimestampRule};
use super::signature::{BASE64, DIGEST_LEN};
use super::timestamp::check_window;
use crate::profile::{Signatures, SignedContent};
use crate::{Error, ErrorKind, HeaderLookup, Lookup, Verified};

/// The longest header value looked at. A longer signature, credentials or
/// timestamp header is malformed, refused before any MAC work.
pub const MAX_HEADER_VALUE_LEN: usize = 4096;

/// The headers of one delivery, judged: every check that needs no body has
/// passed. Made by [`Verifier::check_head`](crate::Verifier::check_head);
/// [`Head::verify_body`] finishes the verification.
///
/// A server judges the head as soon as the request line and headers have
/// arrived, refuses at once what fails, and only then reads the body: an
/// unsigned or stale request costs it no body buffer. The head keeps the
/// header look-up it was judged from (a reference, usually).
///
/// `Debug` names the profile that judged it and nothing of the signatures.
pub struct Head<'v, H> {
    /// The first accepted profile whose head checks passed.
    first: Judged<'v>,
    /// The accepted profiles after it, tried in turn if the body does not
    /// verify under the first (only with several accepted profiles).
    rest: &'v [Lane],
    now: SystemTime,
    headers: H,
}

/// One profile's judgement of the head.
struct Judged<'v> {
    lane: &'v Lane,
    stamp: Option<Stamp>,
    /// Where the timestamp stands in its header's (trimmed) value, for the
    /// signed bytes: found again there without parsing the header twice.
    timestamp_at: Option<(usize, usize)>,
    credential: Credential,
}

/// The delivery timestamp and how far it lay behind the clock.
#[derive(Clone, Copy)]
struct Stamp {
    at: SystemTime,
    drift_ms: i64,
}

enum Credential {
    /// HMAC signatures, decoded, to check against the body.
    Signatures(Signatures),
    /// Basic Auth or API key, matched already: the secret at this index.
    Matched(usize),
}

impl<'v, 'h, H: HeaderLookup<'h>> Head<'v, H> {
    /// Judges `headers` for each accepted profile in turn, up to the first
    /// whose head passes. When none does, the error of the first profile
    /// whose signature header was present is returned.
    pub(crate) fn judge(lanes: &'v [Lane], now: SystemTime, headers: H) -> Result<Self, Error> {
        let mut first_error: Option<Error> = None;
        for (index, lane) in lanes.iter().enumerate() {
            match Judged::new(lane, now, &headers) {
                Ok(first) => {
                    let rest = lanes.get(index + 1..).unwrap_or_default();
                    return Ok(Head {
                        first,
                        rest,
                        now,
                        headers,
                    });
                }
                // Prefer the error of a profile whose header was present.
                Err(error) => match &first_error {
                    Some(seen) if seen.kind() != ErrorKind::MissingSignature => {}
                    _ => first_error = Some(error),
                },
            }
        }
        Err(first_error.unwrap_or_else(|| ErrorKind::MissingSignature.into()))
    }

    /// Verifies `body`, exactly as received, against this head: the first
    /// secret whose MAC equals a received signature wins (compared in
    /// constant time), under the first profile whose head passed, else under
    /// the next such profile. For Basic Auth and API key profiles the head
    /// was the whole check and the body is not read.
    pub fn verify_body(&self, body: &[u8]) -> Result<Verified, Error> {
        if let Some(verified) = self.first.verify_body(&self.headers, body) {
            return Ok(verified);
        }
        self.rest
            .iter()
            .filter_map(|lane| Judged::new(lane, self.now, &self.headers).ok())
            .find_map(|judged| judged.verify_body(&self.headers, body))
            .ok_or_else(|| ErrorKind::SignatureMismatch.into())
    }

    /// The name of the first profile whose head checks passed.
    pub fn profile(&self) -> &str {
        self.first.lane.profile.name()
    }

    /// The header look-up the head was judged from.
    pub fn headers(&self) -> H
    where
        H: Copy,
    {
        self.headers
    }
}

impl<'v> Judged<'v> {
    // Inlined, the judgement is built in place instead of being copied out
    // (signatures and all): 4–6 % of a 1 KiB verification
    // (`cargo bench --bench verify_ab`, BENCHMARKS.md).
    #[inline(always)]
    fn new<'h>(
        lane: &'v Lane,
        now: SystemTime,
        headers: &impl HeaderLookup<'h>,
    ) -> Result<Judged<'v>, Error> {
        let profile = &lane.profile;
        let credential_value = required(
            headers.lookup(profile.credential_header()),
            ErrorKind::MissingSignature,
            ErrorKind::MalformedSignature,
        )?;
        let pairs = match &profile.scheme {
            Scheme::Hmac {
                pairs: Some(keys), ..
            } => Some(Pairs::parse(credential_value, keys)?),
            _ => None,
        };
        let timestamp = match (&profile.timestamp, &pairs) {
            (None, _) => None,
            (Some(rule), Some(pairs)) => Some((rule, pairs.timestamp)),
            (Some(rule), None) => Some((
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
                    encoding, prefix, ..
                },
                Keys::Hmac(_),
            ) => {
                let signatures = match &pairs {
                    Some(pairs) => Signatures::decode_pieces(
                        pairs.signatures().iter().copied(),
                        *encoding,
                        prefix,
                    )?,
                    None => Signatures::decode(credential_value, *encoding, prefix)?,
                };
                let stamp = check_timestamp(now, timestamp)?;
                (stamp, Credential::Signatures(signatures))
            }
            (Scheme::BasicAuth | Scheme::ApiKey { .. }, Keys::Digests(digests)) => {
                let received = match profile.scheme {
                    Scheme::BasicAuth => basic_credentials_digest(credential_value)?,
                    _ => Sha256::digest(credential_value).into(),
                };
                let stamp = check_timestamp(now, timestamp)?;
                let index = digests
                    .iter()
                    .position(|expected| bool::from(received.ct_eq(&**expected)))
                    .ok_or(ErrorKind::SignatureMismatch)?;
                (stamp, Credential::Matched(index))
            }
            // Keys are made from the lane's own profile, so the pairs above
            // are the only ones; refuse rather than panic if that ever changes.
            _ => return Err(ErrorKind::SignatureMismatch.into()),
        };
        // The timestamp is a part of the trimmed header value it came from:
        // the whole of it, or its `t` pair.
        let base = match &pairs {
            Some(_) => credential_value,
            None => timestamp.map_or(&[][..], |(_, value)| value),
        };
        let timestamp_at = timestamp.map(|(_, value)| {
            let start = (value.as_ptr() as usize).saturating_sub(base.as_ptr() as usize);
            (start, start + value.len())
        });
        Ok(Judged {
            lane,
            stamp,
            timestamp_at,
            credential,
        })
    }

    /// The verification, if `body` verifies under this judgement. A profile
    /// that signs the timestamp reads its value again from `headers`, as
    /// received (it was checked when the head was judged).
    fn verify_body<'h>(&self, headers: &impl HeaderLookup<'h>, body: &[u8]) -> Option<Verified> {
        let key_index = match &self.credential {
            Credential::Matched(index) => *index,
            Credential::Signatures(signatures) => {
                let Keys::Hmac(keys) = &self.lane.keys else {
                    return None;
                };
                let profile = &self.lane.profile;
                let signed_timestamp = match (profile.signed_content(), &profile.timestamp) {
                    (Some(SignedContent::TimestampThenBody(separator)), Some(rule)) => {
                        let Lookup::One(value) = headers.lookup(&rule.header) else {
                            return None;
                        };
                        let (start, end) = self.timestamp_at?;
                        Some((value.trim_ascii().get(start..end)?, &**separator))
                    }
                    _ => None,
                };
                match_hmac(keys, signatures, signed_timestamp, body)?
            }
        };
        Some(Verified {
            profile: self.lane.profile.name.clone(),
            key_index,
            timestamp: self.stamp.map(|stamp| stamp.at),
            drift_ms: self.stamp.map(|stamp| stamp.drift_ms),
        })
    }
}

impl<H> fmt::Debug for Head<'_, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Head")
            .field("profile", &self.first.lane.profile.name())
            .finish_non_exhaustive()
    }
}

/// For a profile that signs its timestamp: the timestamp as received (from
/// its header, or from the structured signature header) and the separator
/// that follows it in the signed bytes.
#[cfg(feature = "replay")]
pub(crate) fn signed_timestamp<'p, 'h>(
    profile: &'p crate::Profile,
    headers: &impl HeaderLookup<'h>,
) -> Option<(&'h [u8], &'p [u8])> {
    let Scheme::Hmac {
        content: SignedContent::TimestampThenBody(separator),
        ..
    } = &profile.scheme
    else {
        return None;
    };
    Some((received_timestamp(profile, headers)?, separator))
}

/// The timestamp `headers` carry for `profile`, as received: from its
/// header, or from the structured signature header.
#[cfg(any(feature = "replay", feature = "tower", feature = "actix"))]
fn received_timestamp<'h>(
    profile: &crate::Profile,
    headers: &impl HeaderLookup<'h>,
) -> Option<&'h [u8]> {
    let rule = profile.timestamp.as_ref()?;
    let Lookup::One(value) = headers.lookup(&rule.header) else {
        return None;
    };
    match &profile.scheme {
        Scheme::Hmac {
            pairs: Some(keys), ..
        } => Some(Pairs::parse(value.trim_ascii(), keys).ok()?.timestamp),
        _ => Some(value.trim_ascii()),
    }
}

/// How far the timestamp `headers` carry for `profile` lies from `now`, in
/// milliseconds (positive: in the past), inside the window or not: what the
/// audit event of a `timestamp_out_of_window` refusal reports.
#[cfg(any(feature = "tower", feature = "actix"))]
pub(crate) fn drift_ms<'h>(
    profile: &crate::Profile,
    now: SystemTime,
    headers: &impl HeaderLookup<'h>,
) -> Option<i64> {
    let rule = profile.timestamp.as_ref()?;
    let at = rule
        .format
        .parse(received_timestamp(profile, headers)?)
        .ok()?;
    check_window(now, at, std::time::Duration::MAX).ok()
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

/// The index of the first key whose MAC over (timestamp, separator,) body
/// equals one of the received signatures, compared in constant time.
fn match_hmac(
    keys: &[HmacSha256],
    signatures: &Signatures,
    signed_timestamp: Option<(&[u8], &[u8])>,
    body: &[u8],
) -> Option<usize> {
    keys.iter().enumerate().find_map(|(index, key)| {
        let mut mac = key.clone();
        if let Some((timestamp, separator)) = signed_timestamp {
            mac.update(timestamp);
            mac.update(separator);
        }
        let tag = mac.chain_update(body).finalize();
        signatures
            .as_slice()
            .iter()
            .any(|signature| tag == CtOutput::new((*signature).into()))
            .then_some(index)
    })
}

/// `Basic <base64(user:password)>` → SHA-256 of the decoded `user:password`;
/// credentials without `:` are malformed.
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
    // RFC 7617: the credentials are `user-id ":" password`.
    if !decoded.contains(&b':') {
        return Err(malformed());
    }
    Ok(Sha256::digest(decoded).into())
}

/// Whether `headers` carry a well-formed, timely head for `profile`: its
/// headers present and parsing, its timestamp inside the window, and for
/// Basic Auth and API keys well-formed credentials. No secret is involved.
#[cfg(any(feature = "tower", feature = "actix"))]
pub(crate) fn fits<'h>(
    profile: crate::Profile,
    now: SystemTime,
    headers: &impl HeaderLookup<'h>,
) -> bool {
    let keys = Keys::new(&profile, &[]);
    let lane = Lane { profile, keys };
    Judged::new(&lane, now, headers)
        .err()
        .is_none_or(|error| error.kind() == ErrorKind::SignatureMismatch)
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

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use crate::profile::{SignedContent, TimestampFormat};
    use crate::{Profile, Secret, Signer, Verifier};

    #[test]
    fn a_later_profile_whose_head_also_passes_verifies_the_body() {
        let profile = |name: &str, content| {
            Profile::builder(name)
                .hmac_sha256("X-Sig")
                .timestamp("X-Ts", TimestampFormat::UnixSeconds)
                .signed_content(content)
                .build()
                .unwrap()
        };
        let body_only = profile("body-only", SignedContent::Body);
        let with_time = profile(
            "with-time",
            SignedContent::TimestampThenBody(b".".as_slice().into()),
        );
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let secret = Secret::new("s3cr3t").unwrap();
        let verifier = Verifier::builder(body_only)
            .also_accept(with_time.clone())
            .secret(secret.clone())
            .clock(move || now)
            .build()
            .unwrap();
        let headers = Signer::new(with_time, secret).sign(b"{}", now);
        let head = verifier.check_head(&headers).unwrap();
        assert_eq!(head.profile(), "body-only");
        assert_eq!(format!("{head:?}"), r#"Head { profile: "body-only", .. }"#);
        assert_eq!(head.verify_body(b"{}").unwrap().profile(), "with-time");
        assert_eq!(
            head.verify_body(b"{ }").unwrap_err().reason(),
            "signature_mismatch"
        );
    }
}
