//! Human hints for a refused delivery: what usually went wrong, checked
//! against the delivery itself wherever that is possible.

use cognigy_webhook::profile::{ProfileKind, TimestampFormat};
use cognigy_webhook::{ErrorKind, Profile, Secret};

use crate::delivery::Delivery;
use crate::input::RawSecret;

/// The hints that apply to a delivery refused with `kind`.
pub(crate) fn for_refusal(
    profile: &Profile,
    raw: &[RawSecret],
    secrets: &[Secret],
    delivery: &Delivery,
    kind: ErrorKind,
) -> Vec<String> {
    let mut hints = Vec::new();
    let header = |name: &str| {
        delivery
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    match kind {
        ErrorKind::MissingSignature | ErrorKind::MissingTimestamp => {
            let mut expected = vec![profile.credential_header()];
            expected.extend(profile.timestamp_header());
            hints.push(format!(
                "profile {profile} expects the header(s) {}",
                expected.join(", ")
            ));
        }
        ErrorKind::MalformedSignature => {
            if let Some(value) = header(profile.credential_header()) {
                signature_prefix(profile, value, &mut hints);
            }
        }
        ErrorKind::MalformedTimestamp | ErrorKind::TimestampTooOld | ErrorKind::TimestampTooNew => {
            if let (Some(name), Some(format)) =
                (profile.timestamp_header(), profile.timestamp_format())
                && let Some(value) = header(name)
            {
                timestamp_unit(format, value, &mut hints);
            }
        }
        ErrorKind::SignatureMismatch => {
            if let Some(value) = header(profile.credential_header()) {
                signature_prefix(profile, value, &mut hints);
            }
            secret_whitespace(profile, raw, delivery, &mut hints);
            body_reformatted(profile, secrets, delivery, &mut hints);
        }
        _ => {}
    }
    other_profiles(profile, secrets, delivery, &mut hints);
    hints
}

/// `sha256=` missing where the profile wants it, or present where it does not.
fn signature_prefix(profile: &Profile, value: &str, hints: &mut Vec<String>) {
    let prefix = profile.signature_prefix().unwrap_or("");
    if !prefix.is_empty() && !value.starts_with(prefix) {
        hints.push(format!(
            "the `{prefix}` prefix is missing: profile {profile} expects `{prefix}<signature>`"
        ));
    } else if prefix.is_empty()
        && value.contains('=')
        && value
            .split('=')
            .next()
            .is_some_and(|p| p.eq_ignore_ascii_case("sha256"))
    {
        hints.push(format!(
            "unexpected `sha256=` prefix: profile {profile} expects the bare signature (the sender may use sha256-prefixed)"
        ));
    }
}

/// Milliseconds where seconds are expected, and the other way round.
fn timestamp_unit(format: TimestampFormat, value: &str, hints: &mut Vec<String>) {
    let digits = value.split('.').next().unwrap_or("");
    let numeric = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    match format {
        TimestampFormat::UnixSeconds | TimestampFormat::UnixWholeSeconds
            if numeric && digits.len() >= 12 =>
        {
            hints.push(
                "the timestamp looks like milliseconds, but the profile expects Unix seconds"
                    .into(),
            )
        }
        TimestampFormat::UnixMillis if numeric && (digits.len() <= 11 || value.contains('.')) => {
            hints.push(
                "the timestamp looks like seconds, but the profile expects Unix milliseconds"
                    .into(),
            )
        }
        TimestampFormat::Rfc3339 if numeric => hints
            .push("the timestamp looks like a Unix time, but the profile expects RFC 3339".into()),
        _ => {}
    }
}

/// A secret with surrounding whitespace, which senders rarely sign with.
fn secret_whitespace(
    profile: &Profile,
    raw: &[RawSecret],
    delivery: &Delivery,
    hints: &mut Vec<String>,
) {
    for secret in raw {
        let Some(trimmed) = secret.trimmed() else {
            continue;
        };
        let matches = delivery.verify(profile, &[trimmed], &delivery.body).is_ok();
        hints.push(if matches {
            format!(
                "the {} has surrounding whitespace; without it the signature matches",
                secret.source
            )
        } else {
            format!("the {} has surrounding whitespace", secret.source)
        });
    }
}

/// A JSON body that was re-serialised, re-indented or had its line endings
/// changed after signing.
fn body_reformatted(
    profile: &Profile,
    secrets: &[Secret],
    delivery: &Delivery,
    hints: &mut Vec<String>,
) {
    if profile.kind() != ProfileKind::HmacSha256 {
        return;
    }
    let body = &delivery.body;
    let mut variants: Vec<(&str, Vec<u8>)> = Vec::new();
    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(body) {
        variants.push((
            "re-serialised as compact JSON",
            serde_json::to_vec(&json).unwrap_or_default(),
        ));
        variants.push((
            "pretty-printed",
            serde_json::to_vec_pretty(&json).unwrap_or_default(),
        ));
    }
    if body.ends_with(b"\n") {
        variants.push((
            "without its trailing newline",
            body.trim_ascii_end().to_vec(),
        ));
    }
    if body.contains(&b'\n') {
        let joined: Vec<u8> = body
            .iter()
            .copied()
            .filter(|&b| b != b'\n' && b != b'\r')
            .collect();
        variants.push(("with its line breaks removed", joined));
    }
    for (how, variant) in variants {
        if &variant != body && delivery.verify(profile, secrets, &variant).is_ok() {
            hints.push(format!(
                "the signature matches the body {how}: the body was changed after signing (verify the exact bytes received, before any JSON parsing)"
            ));
            return;
        }
    }
    if body.windows(3).any(|w| w == b"\n  " || w == b"{\n ") {
        hints.push(
            "the body is indented: if the sender signed compact JSON, something re-indented it"
                .into(),
        );
    }
}

/// Another preset that verifies the delivery.
fn other_profiles(
    profile: &Profile,
    secrets: &[Secret],
    delivery: &Delivery,
    hints: &mut Vec<String>,
) {
    for other in Profile::presets() {
        if other.name() != profile.name()
            && delivery.verify(&other, secrets, &delivery.body).is_ok()
        {
            hints.push(format!(
                "the delivery verifies with profile {other} instead of {profile}"
            ));
        }
    }
}
