//! Producing the headers a sender attaches: the verifier's exact inverse.

use std::borrow::Cow;
use std::fmt;
use std::time::SystemTime;

use base64::Engine as _;
use hmac::{KeyInit, Mac};

use super::lane::HmacSha256;
use super::profile::{AUTHORIZATION, Scheme};
use super::signature::BASE64;
use crate::{HeaderLookup, Lookup, Profile, Secret, SignatureEncoding, SignedContent};

/// Signs deliveries the way a sender using a given profile does: for tests,
/// for clients of your own webhook receiver, and for the CLI.
///
/// Whatever a `Signer` produces, a [`Verifier`](crate::Verifier) with the same
/// profile and secret accepts (within the tolerance of `at`).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use cognigy_webhook::{Profile, Secret, Signer};
///
/// let signer = Signer::new(Profile::sha256_prefixed(), Secret::new("s3cr3t")?);
/// let headers = signer.sign(b"{}", UNIX_EPOCH + Duration::from_millis(1_698_765_432_100));
/// assert_eq!(headers.get("X-Cognigy-Timestamp"), Some("1698765432100"));
/// assert!(headers.get("x-cognigy-signature").unwrap().starts_with("sha256="));
/// # Ok::<(), cognigy_webhook::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct Signer {
    profile: Profile,
    secret: Secret,
}

impl Signer {
    /// A signer for `profile` with `secret`.
    pub fn new(profile: Profile, secret: Secret) -> Signer {
        Signer { profile, secret }
    }

    /// The profile this signer follows.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The headers for `body` sent at `at`, with the timestamp written in the
    /// profile's format (see [`TimestampFormat::format`](crate::profile::TimestampFormat::format)).
    pub fn sign(&self, body: &[u8], at: SystemTime) -> SignedHeaders {
        let timestamp = self
            .profile
            .timestamp_format()
            .map(|format| format.format(at));
        self.sign_with_timestamp(body, timestamp.as_deref())
    }

    /// The headers for `body` sent now.
    pub fn sign_now(&self, body: &[u8]) -> SignedHeaders {
        self.sign(body, SystemTime::now())
    }

    /// The headers for `body` with the timestamp header value given verbatim
    /// (for example `1698765432.25`, or a deliberately malformed value in a
    /// test). `None`, or a profile without a timestamp, sends no timestamp
    /// header; a profile that signs the timestamp then signs the body alone
    /// behind an empty timestamp, which no verifier accepts.
    pub fn sign_with_timestamp(&self, body: &[u8], timestamp: Option<&str>) -> SignedHeaders {
        let mut headers = Vec::with_capacity(2);
        let credential = match &self.profile.scheme {
            Scheme::Hmac {
                header,
                encoding,
                prefix,
                content,
                pairs,
            } => {
                // HMAC takes keys of any length: this never sends nothing.
                let Ok(mut mac) = HmacSha256::new_from_slice(self.secret.expose()) else {
                    return SignedHeaders { headers };
                };
                if let SignedContent::TimestampThenBody(separator) = content {
                    mac.update(timestamp.unwrap_or_default().as_bytes());
                    mac.update(separator);
                }
                mac.update(body);
                let tag = mac.finalize().into_bytes();
                let encoded = match encoding {
                    SignatureEncoding::Hex => hex::encode(tag),
                    SignatureEncoding::Base64 => BASE64.encode(tag),
                };
                let value = match (pairs, timestamp) {
                    (Some(keys), Some(timestamp)) => format!(
                        "{}={timestamp},{}={prefix}{encoded}",
                        keys.timestamp, keys.signature
                    ),
                    (Some(keys), None) => format!("{}={prefix}{encoded}", keys.signature),
                    (None, _) => format!("{prefix}{encoded}"),
                };
                (header.clone(), value)
            }
            Scheme::BasicAuth => (
                Cow::Borrowed(AUTHORIZATION),
                format!("Basic {}", BASE64.encode(self.secret.expose())),
            ),
            Scheme::ApiKey { header } => (
                header.clone(),
                String::from_utf8_lossy(self.secret.expose()).into_owned(),
            ),
        };
        // A structured header carries the timestamp itself.
        let own_header = self.profile.signature_pairs().is_none();
        headers.push(credential);
        if let (Some(rule), Some(value), true) = (&self.profile.timestamp, timestamp, own_header) {
            headers.push((rule.header.clone(), value.to_owned()));
        }
        SignedHeaders { headers }
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("profile", &self.profile.name())
            .field("secret", &self.secret)
            .finish()
    }
}

/// The headers a [`Signer`] produced, in sending order: the signature (or
/// credentials) first, then the timestamp.
///
/// `Debug` shows the header names only, because the values include the
/// signature or the credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    headers: Vec<(Cow<'static, str>, String)>,
}

impl SignedHeaders {
    /// Each header as `(name, value)`.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers
            .iter()
            .map(|(name, value)| (&**name, value.as_str()))
    }

    /// The value of `name`, ignoring ASCII case.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(candidate, _)| candidate.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    }
}

impl<'a> HeaderLookup<'a> for &'a SignedHeaders {
    fn lookup(&self, name: &str) -> Lookup<'a> {
        self.headers.as_slice().lookup(name)
    }
}

impl fmt::Debug for SignedHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.headers.iter().map(|(name, _)| name))
            .finish()
    }
}
