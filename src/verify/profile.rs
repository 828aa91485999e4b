//! Wire profiles: which headers carry what, and what is signed. Data, not code.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::{ConfigError, ProfileName, TimestampFormat};

/// The header Basic Auth credentials arrive in.
pub const AUTHORIZATION: &str = "Authorization";

/// The header the `api-key` preset reads. Cognigy's documentation names it
/// for keys sent *into* a Webhook endpoint; the preset checks it for any
/// sender that sends a key.
pub const DEFAULT_API_KEY_HEADER: &str = "X-Webhook-Key";

/// How a signature value is written on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureEncoding {
    /// Hexadecimal; either case is accepted, the signer writes lowercase.
    Hex,
    /// Standard base64 (RFC 4648 §4); padding optional when verifying.
    Base64,
}

/// Which bytes the HMAC covers. The body is always the exact bytes received.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignedContent {
    /// The raw body alone (the Go, Node.js and Java reference documents). The timestamp is **not**
    /// covered: use a replay guard.
    Body,
    /// The timestamp header value exactly as received (without surrounding
    /// whitespace), then this separator, then the raw body (the Python reference document uses `\n`).
    TimestampThenBody(Cow<'static, [u8]>),
}

/// How a profile authenticates a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProfileKind {
    /// An HMAC-SHA256 signature over the body (and maybe the timestamp).
    HmacSha256,
    /// HTTP Basic Auth (`Authorization: Basic …`), compared in constant time.
    BasicAuth,
    /// A static API key in a header, compared in constant time.
    ApiKey,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scheme {
    Hmac {
        header: Cow<'static, str>,
        encoding: SignatureEncoding,
        prefix: Cow<'static, str>,
        content: SignedContent,
        /// A structured header (`t=…,v1=…`): the keys of the timestamp and
        /// of the signatures. The timestamp then lives in this header.
        pairs: Option<PairKeys>,
    },
    BasicAuth,
    ApiKey {
        header: Cow<'static, str>,
    },
}

/// The keys of a structured signature header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PairKeys {
    pub(crate) timestamp: Cow<'static, str>,
    pub(crate) signature: Cow<'static, str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TimestampRule {
    pub(crate) header: Cow<'static, str>,
    pub(crate) format: TimestampFormat,
    pub(crate) tolerance: Duration,
}

/// A wire profile: the header names, signature encoding and prefix, what is
/// signed, and the timestamp header, format and tolerance.
///
/// The seven presets are constructors here and parse from
/// their public names; [`Profile::builder`] makes custom ones. One
/// verification routine serves every profile.
///
/// | name | signature header | value | signed bytes | timestamp | tolerance |
/// |---|---|---|---|---|---|
/// | `webhook-hex` | `X-Cognigy-Webhook-Signature` | hex | body | `X-Cognigy-Webhook-Timestamp`, RFC 3339 | ±300 s |
/// | `sha256-prefixed` | `X-Cognigy-Signature` | `sha256=` + hex | body | `X-Cognigy-Timestamp`, Unix ms | ±30 s |
/// | `timestamp-newline` | `X-Cognigy-Signature` | hex | timestamp `\n` body | `X-Cognigy-Timestamp`, Unix s | ±60 s |
/// | `hex-millis` | `X-Cognigy-Signature` | hex | body | `X-Cognigy-Timestamp`, Unix ms | ±300 s |
/// | `voice-gateway` | `Jambonz-Signature` | `t=<unix s>,v1=<hex>` | `t` `.` body | the `t` pair, Unix s | ±300 s |
/// | `basic-auth` | `Authorization` | `Basic` + base64 | — | — | — |
/// | `api-key` | `X-Webhook-Key` | the key | — | — | — |
///
/// The first four HMAC presets are as described in the reference documents;
/// `voice-gateway` is how Cognigy Voice Gateway (built on jambonz) signs
/// its webhooks with the account's webhook secret; NICE Cognigy's own
/// documentation describes Basic Auth and an API key header.
///
/// ```
/// use std::time::Duration;
/// use cognigy_webhook::profile::{SignatureEncoding, SignedContent, TimestampFormat};
/// use cognigy_webhook::Profile;
///
/// let preset: Profile = "sha256-prefixed".parse()?;
/// assert_eq!(preset, Profile::sha256_prefixed());
/// assert_eq!(preset.signature_prefix(), Some("sha256="));
///
/// let custom = Profile::builder("my-gateway")
///     .hmac_sha256("X-Gateway-Signature")
///     .encoding(SignatureEncoding::Base64)
///     .prefix("v1=")
///     .signed_content(SignedContent::TimestampThenBody(b".".as_slice().into()))
///     .timestamp("X-Gateway-Timestamp", TimestampFormat::UnixSeconds)
///     .tolerance(Duration::from_secs(120))
///     .build()?;
/// assert_eq!(custom.tolerance(), Some(Duration::from_secs(120)));
/// # Ok::<(), cognigy_webhook::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub(crate) name: ProfileName,
    pub(crate) scheme: Scheme,
    pub(crate) timestamp: Option<TimestampRule>,
}

impl Profile {
    /// The public names of the presets, as accepted by [`FromStr`].
    pub const PRESET_NAMES: [&'static str; 7] = [
        "webhook-hex",
        "sha256-prefixed",
        "timestamp-newline",
        "hex-millis",
        "voice-gateway",
        "basic-auth",
        "api-key",
    ];

    fn hmac_preset(
        name: &'static str,
        header: &'static str,
        prefix: &'static str,
        content: SignedContent,
        timestamp_header: &'static str,
        format: TimestampFormat,
        tolerance_secs: u64,
    ) -> Profile {
        Profile {
            name: ProfileName::from_static(name),
            scheme: Scheme::Hmac {
                header: Cow::Borrowed(header),
                encoding: SignatureEncoding::Hex,
                prefix: Cow::Borrowed(prefix),
                content,
                pairs: None,
            },
            timestamp: Some(TimestampRule {
                header: Cow::Borrowed(timestamp_header),
                format,
                tolerance: Duration::from_secs(tolerance_secs),
            }),
        }
    }

    /// `webhook-hex` (the Go reference document): lowercase hex of the body's HMAC in
    /// `X-Cognigy-Webhook-Signature`, RFC 3339 in `X-Cognigy-Webhook-Timestamp`,
    /// ±300 s.
    pub fn webhook_hex() -> Profile {
        Self::hmac_preset(
            "webhook-hex",
            "X-Cognigy-Webhook-Signature",
            "",
            SignedContent::Body,
            "X-Cognigy-Webhook-Timestamp",
            TimestampFormat::Rfc3339,
            300,
        )
    }

    /// `sha256-prefixed` (the Node.js reference document): `sha256=` + hex of the body's
    /// HMAC in `X-Cognigy-Signature`, Unix milliseconds in `X-Cognigy-Timestamp`,
    /// ±30 s.
    pub fn sha256_prefixed() -> Profile {
        Self::hmac_preset(
            "sha256-prefixed",
            "X-Cognigy-Signature",
            "sha256=",
            SignedContent::Body,
            "X-Cognigy-Timestamp",
            TimestampFormat::UnixMillis,
            30,
        )
    }

    /// `timestamp-newline` (the Python reference document): hex of the HMAC over the
    /// timestamp header value, `\n` and the body in `X-Cognigy-Signature`,
    /// Unix seconds (fraction allowed) in `X-Cognigy-Timestamp`, ±60 s.
    pub fn timestamp_newline() -> Profile {
        Self::hmac_preset(
            "timestamp-newline",
            "X-Cognigy-Signature",
            "",
            SignedContent::TimestampThenBody(Cow::Borrowed(b"\n")),
            "X-Cognigy-Timestamp",
            TimestampFormat::UnixSeconds,
            60,
        )
    }

    /// `hex-millis` (the Java reference document): hex of the body's HMAC in
    /// `X-Cognigy-Signature`, Unix milliseconds in `X-Cognigy-Timestamp`, ±300 s.
    pub fn hex_millis() -> Profile {
        Self::hmac_preset(
            "hex-millis",
            "X-Cognigy-Signature",
            "",
            SignedContent::Body,
            "X-Cognigy-Timestamp",
            TimestampFormat::UnixMillis,
            300,
        )
    }

    /// `voice-gateway`: Cognigy Voice Gateway's (jambonz's) signature,
    /// `Jambonz-Signature: t=<unix seconds>,v1=<hex>`, the HMAC of `t`, `.`
    /// and the body under the account's webhook secret; several `v1` pairs
    /// may appear (rotation), other keys are ignored; ±300 s. Only POST hooks
    /// carry a body that can be verified.
    pub fn voice_gateway() -> Profile {
        Profile {
            name: ProfileName::from_static("voice-gateway"),
            scheme: Scheme::Hmac {
                header: Cow::Borrowed("Jambonz-Signature"),
                encoding: SignatureEncoding::Hex,
                prefix: Cow::Borrowed(""),
                content: SignedContent::TimestampThenBody(Cow::Borrowed(b".")),
                pairs: Some(PairKeys {
                    timestamp: Cow::Borrowed("t"),
                    signature: Cow::Borrowed("v1"),
                }),
            },
            timestamp: Some(TimestampRule {
                header: Cow::Borrowed("Jambonz-Signature"),
                format: TimestampFormat::UnixWholeSeconds,
                tolerance: Duration::from_secs(300),
            }),
        }
    }

    /// `basic-auth`: `Authorization: Basic base64(user:password)`, as NICE
    /// Cognigy's documentation describes for requests it sends to your URL.
    /// Use [`Secret::basic_auth`](crate::Secret::basic_auth) for the secret.
    /// No signature, no timestamp: use TLS.
    pub fn basic_auth() -> Profile {
        Profile {
            name: ProfileName::from_static("basic-auth"),
            scheme: Scheme::BasicAuth,
            timestamp: None,
        }
    }

    /// `api-key`: the secret itself in the `X-Webhook-Key` header — a
    /// generic check for senders that send a key. (Cognigy itself does not
    /// send one to you: `X-Webhook-Key` is what you send *into* a Webhook
    /// endpoint, see `client::EndpointClient`.) No signature, no timestamp:
    /// use TLS.
    /// [`Profile::api_key_in`] reads another header.
    pub fn api_key() -> Profile {
        Profile {
            name: ProfileName::from_static("api-key"),
            scheme: Scheme::ApiKey {
                header: Cow::Borrowed(DEFAULT_API_KEY_HEADER),
            },
            timestamp: None,
        }
    }

    /// The `api-key` profile reading the key from `header` instead.
    pub fn api_key_in(header: impl Into<Cow<'static, str>>) -> Result<Profile, ConfigError> {
        Profile::builder("api-key").api_key(header).build()
    }

    /// Every preset, in the order of [`Profile::PRESET_NAMES`].
    pub fn presets() -> [Profile; 7] {
        [
            Profile::webhook_hex(),
            Profile::sha256_prefixed(),
            Profile::timestamp_newline(),
            Profile::hex_millis(),
            Profile::voice_gateway(),
            Profile::basic_auth(),
            Profile::api_key(),
        ]
    }

    /// Starts a custom profile called `name`.
    pub fn builder(name: impl Into<String>) -> ProfileBuilder {
        ProfileBuilder::new(name.into())
    }

    /// The profile's name, as reported in [`Verified`](crate::Verified), logs and metrics.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How the profile authenticates requests.
    pub fn kind(&self) -> ProfileKind {
        match self.scheme {
            Scheme::Hmac { .. } => ProfileKind::HmacSha256,
            Scheme::BasicAuth => ProfileKind::BasicAuth,
            Scheme::ApiKey { .. } => ProfileKind::ApiKey,
        }
    }

    /// The header that carries the signature, the Basic Auth credentials or
    /// the API key.
    pub fn credential_header(&self) -> &str {
        match &self.scheme {
            Scheme::Hmac { header, .. } | Scheme::ApiKey { header } => header,
            Scheme::BasicAuth => AUTHORIZATION,
        }
    }

    /// The signature encoding, for HMAC profiles.
    pub fn signature_encoding(&self) -> Option<SignatureEncoding> {
        match &self.scheme {
            Scheme::Hmac { encoding, .. } => Some(*encoding),
            _ => None,
        }
    }

    /// The prefix before the encoded signature (`sha256=`; empty for none),
    /// for HMAC profiles.
    pub fn signature_prefix(&self) -> Option<&str> {
        match &self.scheme {
            Scheme::Hmac { prefix, .. } => Some(prefix),
            _ => None,
        }
    }

    /// What the HMAC covers, for HMAC profiles.
    pub fn signed_content(&self) -> Option<&SignedContent> {
        match &self.scheme {
            Scheme::Hmac { content, .. } => Some(content),
            _ => None,
        }
    }

    /// The keys of a structured signature header (`t=…,v1=…`): the
    /// timestamp's and the signatures', for profiles that have one.
    pub fn signature_pairs(&self) -> Option<(&str, &str)> {
        match &self.scheme {
            Scheme::Hmac {
                pairs: Some(keys), ..
            } => Some((&keys.timestamp, &keys.signature)),
            _ => None,
        }
    }

    /// The timestamp header, if the profile has one (for a structured
    /// signature header, that header itself).
    pub fn timestamp_header(&self) -> Option<&str> {
        self.timestamp.as_ref().map(|rule| &*rule.header)
    }

    /// The timestamp format, if the profile has a timestamp.
    pub fn timestamp_format(&self) -> Option<TimestampFormat> {
        self.timestamp.as_ref().map(|rule| rule.format)
    }

    /// How far the timestamp may lie in the past or the future, if the profile
    /// has a timestamp.
    pub fn tolerance(&self) -> Option<Duration> {
        self.timestamp.as_ref().map(|rule| rule.tolerance)
    }

    /// The same profile with another tolerance (no effect without a timestamp).
    #[must_use]
    pub fn with_tolerance(mut self, tolerance: Duration) -> Profile {
        if let Some(rule) = &mut self.timestamp {
            rule.tolerance = tolerance;
        }
        self
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl FromStr for Profile {
    type Err = ConfigError;

    /// Parses a preset name (ASCII case-insensitive, `_` taken as `-`).
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        let normalized = name.trim().to_ascii_lowercase().replace('_', "-");
        Profile::presets()
            .into_iter()
            .find(|profile| profile.name() == normalized)
            .ok_or_else(|| ConfigError::UnknownProfile(name.to_owned()))
    }
}

#[derive(Debug, Clone)]
enum SchemeChoice {
    Hmac(Cow<'static, str>),
    BasicAuth,
    ApiKey(Cow<'static, str>),
}

/// Builds a custom [`Profile`]; see there for an example.
///
/// Defaults: hex encoding, no prefix, the raw body signed, no timestamp,
/// ±300 s tolerance once a timestamp is set. Choose exactly one scheme:
/// [`hmac_sha256`](Self::hmac_sha256), [`basic_auth`](Self::basic_auth) or
/// [`api_key`](Self::api_key); encoding, prefix and signed content only apply
/// to HMAC.
#[derive(Debug, Clone)]
#[must_use]
pub struct ProfileBuilder {
    name: String,
    scheme: Option<SchemeChoice>,
    encoding: SignatureEncoding,
    prefix: Cow<'static, str>,
    content: SignedContent,
    timestamp: Option<(Cow<'static, str>, TimestampFormat)>,
    pairs: Option<(PairKeys, TimestampFormat)>,
    tolerance: Duration,
}

impl ProfileBuilder {
    fn new(name: String) -> Self {
        ProfileBuilder {
            name,
            scheme: None,
            encoding: SignatureEncoding::Hex,
            prefix: Cow::Borrowed(""),
            content: SignedContent::Body,
            timestamp: None,
            pairs: None,
            tolerance: Duration::from_secs(300),
        }
    }

    /// HMAC-SHA256 signatures in `header`.
    pub fn hmac_sha256(mut self, header: impl Into<Cow<'static, str>>) -> Self {
        self.scheme = Some(SchemeChoice::Hmac(header.into()));
        self
    }

    /// HTTP Basic Auth in the `Authorization` header.
    pub fn basic_auth(mut self) -> Self {
        self.scheme = Some(SchemeChoice::BasicAuth);
        self
    }

    /// A static API key in `header`.
    pub fn api_key(mut self, header: impl Into<Cow<'static, str>>) -> Self {
        self.scheme = Some(SchemeChoice::ApiKey(header.into()));
        self
    }

    /// How the signature is encoded (default hex).
    pub fn encoding(mut self, encoding: SignatureEncoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// A prefix before the encoded signature, such as `sha256=` (default none).
    /// Matched ignoring ASCII case. It cannot contain a space, tab or comma,
    /// which separate several signatures in one header.
    pub fn prefix(mut self, prefix: impl Into<Cow<'static, str>>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// What the HMAC covers (default the raw body).
    pub fn signed_content(mut self, content: SignedContent) -> Self {
        self.content = content;
        self
    }

    /// A timestamp in `header`, written in `format`.
    pub fn timestamp(
        mut self,
        header: impl Into<Cow<'static, str>>,
        format: TimestampFormat,
    ) -> Self {
        self.timestamp = Some((header.into(), format));
        self
    }

    /// The HMAC header is structured, as Voice Gateway's (jambonz's) and
    /// Stripe's are: `key=value` pairs separated by commas, the timestamp
    /// (in `format`) under `timestamp_key`, each signature under
    /// `signature_key` (repeatable), other keys ignored. The timestamp then
    /// comes from this header; sign it with
    /// [`SignedContent::TimestampThenBody`], as `voice-gateway` does with `.`.
    pub fn signature_pairs(
        mut self,
        timestamp_key: impl Into<Cow<'static, str>>,
        signature_key: impl Into<Cow<'static, str>>,
        format: TimestampFormat,
    ) -> Self {
        let keys = PairKeys {
            timestamp: timestamp_key.into(),
            signature: signature_key.into(),
        };
        self.pairs = Some((keys, format));
        self
    }

    /// How far the timestamp may lie in the past or the future (default 300 s).
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Checks the profile and builds it.
    pub fn build(mut self) -> Result<Profile, ConfigError> {
        let scheme = match self.scheme {
            None => return Err(ConfigError::NoScheme(self.name)),
            Some(SchemeChoice::BasicAuth) => Scheme::BasicAuth,
            Some(SchemeChoice::ApiKey(header)) => Scheme::ApiKey {
                header: checked_header_name(header)?,
            },
            Some(SchemeChoice::Hmac(header)) => {
                let header = checked_header_name(header)?;
                if let Some((keys, format)) = &self.pairs {
                    let bad_key =
                        |key: &str| key.is_empty() || key.bytes().any(|b| b"=, \t".contains(&b));
                    if bad_key(&keys.timestamp)
                        || bad_key(&keys.signature)
                        || keys.timestamp == keys.signature
                        || !self.prefix.is_empty()
                        || self.timestamp.is_some()
                    {
                        return Err(ConfigError::InvalidSignaturePairs(self.name));
                    }
                    self.timestamp = Some((header.clone(), *format));
                }
                if matches!(self.content, SignedContent::TimestampThenBody(_))
                    && self.timestamp.is_none()
                {
                    return Err(ConfigError::TimestampRequired(self.name));
                }
                if self.prefix.bytes().any(super::signature::is_separator) {
                    return Err(ConfigError::InvalidPrefix(self.prefix.into_owned()));
                }
                Scheme::Hmac {
                    header,
                    encoding: self.encoding,
                    prefix: self.prefix,
                    content: self.content,
                    pairs: self.pairs.map(|(keys, _)| keys),
                }
            }
        };
        let timestamp = match self.timestamp {
            None => None,
            Some((header, format)) => Some(TimestampRule {
                header: checked_header_name(header)?,
                format,
                tolerance: self.tolerance,
            }),
        };
        Ok(Profile {
            name: ProfileName::shared(self.name),
            scheme,
            timestamp,
        })
    }
}

/// An HTTP field name is a non-empty RFC 9110 token.
fn checked_header_name(name: Cow<'static, str>) -> Result<Cow<'static, str>, ConfigError> {
    let is_token_char = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if name.is_empty() || !name.bytes().all(is_token_char) {
        return Err(ConfigError::InvalidHeaderName(name.into_owned()));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_parses_from_its_name() {
        for (name, profile) in Profile::PRESET_NAMES.iter().zip(Profile::presets()) {
            assert_eq!(profile.name(), *name);
            assert_eq!(name.parse::<Profile>().unwrap(), profile);
            assert_eq!(
                name.to_uppercase()
                    .replace('-', "_")
                    .parse::<Profile>()
                    .unwrap(),
                profile
            );
        }
        assert_eq!(
            "sha256".parse::<Profile>(),
            Err(ConfigError::UnknownProfile("sha256".into()))
        );
    }

    #[test]
    fn presets_pass_the_builder_checks() {
        for profile in Profile::presets() {
            let mut builder = Profile::builder(profile.name());
            builder = match profile.kind() {
                ProfileKind::HmacSha256 => builder
                    .hmac_sha256(profile.credential_header().to_owned())
                    .encoding(profile.signature_encoding().unwrap())
                    .prefix(profile.signature_prefix().unwrap().to_owned())
                    .signed_content(profile.signed_content().unwrap().clone()),
                ProfileKind::BasicAuth => builder.basic_auth(),
                ProfileKind::ApiKey => builder.api_key(profile.credential_header().to_owned()),
            };
            let format = profile.timestamp_format();
            builder = match (profile.signature_pairs(), profile.timestamp_header()) {
                (Some((t, v)), _) => {
                    builder.signature_pairs(t.to_owned(), v.to_owned(), format.unwrap())
                }
                (None, Some(header)) => builder.timestamp(header.to_owned(), format.unwrap()),
                (None, None) => builder,
            };
            if let Some(tolerance) = profile.tolerance() {
                builder = builder.tolerance(tolerance);
            }
            assert_eq!(builder.build().unwrap(), profile);
        }
    }

    #[test]
    fn builder_refuses_incoherent_profiles() {
        assert_eq!(
            Profile::builder("x").build(),
            Err(ConfigError::NoScheme("x".into()))
        );
        assert_eq!(
            Profile::builder("x").hmac_sha256("Bad Header").build(),
            Err(ConfigError::InvalidHeaderName("Bad Header".into()))
        );
        assert_eq!(
            Profile::builder("x")
                .hmac_sha256("X-Sig")
                .signed_content(SignedContent::TimestampThenBody(Cow::Borrowed(b"\n")))
                .build(),
            Err(ConfigError::TimestampRequired("x".into()))
        );
        assert_eq!(
            Profile::builder("x")
                .hmac_sha256("X-Sig")
                .prefix("v1, ")
                .build(),
            Err(ConfigError::InvalidPrefix("v1, ".into()))
        );
        assert_eq!(
            Profile::api_key_in(""),
            Err(ConfigError::InvalidHeaderName(String::new()))
        );
    }
}
