//! Structured signature headers: `key=value` pairs separated by commas, as
//! Voice Gateway (jambonz) sends `Jambonz-Signature: t=…,v1=…`.

use super::profile::PairKeys;
use super::signature::MAX_SIGNATURES;
use crate::{Error, ErrorKind};

/// The timestamp and signature values of one structured header, as
/// received (each trimmed of surrounding white space).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pairs<'h> {
    pub(crate) timestamp: &'h [u8],
    signatures: [&'h [u8]; MAX_SIGNATURES],
    count: usize,
}

impl<'h> Pairs<'h> {
    /// Parses `value` strictly: an empty pair, a pair without `=`, a
    /// repeated timestamp or more than [`MAX_SIGNATURES`] signatures is
    /// malformed; no timestamp is `missing_timestamp`, no signature
    /// `missing_signature`; pairs under other keys are passed over.
    pub(crate) fn parse(value: &'h [u8], keys: &PairKeys) -> Result<Self, Error> {
        let mut timestamp = None;
        let mut pairs = Pairs {
            timestamp: &[],
            signatures: [&[]; MAX_SIGNATURES],
            count: 0,
        };
        let mut start = 0;
        for end in memchr::memchr_iter(b',', value).chain([value.len()]) {
            let pair = value.get(start..end).unwrap_or_default().trim_ascii();
            start = end + 1;
            let eq = pair.iter().position(|&b| b == b'=');
            let (Some(eq), false) = (eq, pair.is_empty()) else {
                return Err(ErrorKind::MalformedSignature.into());
            };
            let (key, value) = (&pair[..eq], pair[eq + 1..].trim_ascii());
            if key == keys.timestamp.as_bytes() {
                if timestamp.replace(value).is_some() {
                    return Err(ErrorKind::MalformedTimestamp.into());
                }
            } else if key == keys.signature.as_bytes() {
                let slot = pairs
                    .signatures
                    .get_mut(pairs.count)
                    .ok_or(ErrorKind::MalformedSignature)?;
                *slot = value;
                pairs.count += 1;
            }
        }
        pairs.timestamp = timestamp.ok_or(ErrorKind::MissingTimestamp)?;
        if pairs.count == 0 {
            return Err(ErrorKind::MissingSignature.into());
        }
        Ok(pairs)
    }

    /// The signature values, in header order.
    pub(crate) fn signatures(&self) -> &[&'h [u8]] {
        self.signatures.get(..self.count).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    fn keys() -> PairKeys {
        PairKeys {
            timestamp: Cow::Borrowed("t"),
            signature: Cow::Borrowed("v1"),
        }
    }

    fn parse(value: &str) -> Result<(String, Vec<String>), ErrorKind> {
        let pairs = Pairs::parse(value.as_bytes(), &keys()).map_err(|e| e.kind())?;
        let text = |bytes: &[u8]| String::from_utf8(bytes.to_vec()).unwrap();
        let signatures = pairs.signatures().iter().map(|s| text(s)).collect();
        Ok((text(pairs.timestamp), signatures))
    }

    #[test]
    fn timestamps_signatures_and_other_keys() {
        assert_eq!(parse("t=1,v1=ab"), Ok(("1".into(), vec!["ab".into()])));
        assert_eq!(
            parse(" v0=zz , v1=ab,t=17, v1=cd "),
            Ok(("17".into(), vec!["ab".into(), "cd".into()]))
        );
        // A value may hold `=` (only the first one splits).
        assert_eq!(parse("t=1,v1=a=b"), Ok(("1".into(), vec!["a=b".into()])));
    }

    #[test]
    fn strict_about_everything_else() {
        use ErrorKind::*;
        for (value, kind) in [
            ("", MalformedSignature),
            ("t=1,,v1=ab", MalformedSignature),
            ("t=1,v1=ab,", MalformedSignature),
            ("t=1,v1", MalformedSignature),
            ("t=1,t=2,v1=ab", MalformedTimestamp),
            ("v1=ab", MissingTimestamp),
            ("t=1", MissingSignature),
            ("t=1,v0=ab", MissingSignature),
            ("t=1,v1=a,v1=b,v1=c,v1=d,v1=e", MalformedSignature),
        ] {
            assert_eq!(parse(value).map(|_| ()), Err(kind), "{value:?}");
        }
    }
}
