//! Why a delivery was refused, and why a configuration was refused.

use std::borrow::Cow;
use std::fmt;

/// Every way a webhook delivery can be refused, with its stable reason code and
/// default HTTP status.
///
/// | kind | reason | status |
/// |---|---|---|
/// | [`MethodNotAllowed`](Self::MethodNotAllowed) | `method_not_allowed` | 405 |
/// | [`BodyTooLarge`](Self::BodyTooLarge) | `body_too_large` | 413 |
/// | [`BodyTimeout`](Self::BodyTimeout) | `body_timeout` | 408 |
/// | [`BodyUnreadable`](Self::BodyUnreadable) | `body_unreadable` | 400 |
/// | [`MissingSignature`](Self::MissingSignature) | `missing_signature` | 400 |
/// | [`MissingTimestamp`](Self::MissingTimestamp) | `missing_timestamp` | 400 |
/// | [`MalformedSignature`](Self::MalformedSignature) | `malformed_signature` | 400 |
/// | [`MalformedTimestamp`](Self::MalformedTimestamp) | `malformed_timestamp` | 400 |
/// | [`TimestampTooOld`](Self::TimestampTooOld), [`TimestampTooNew`](Self::TimestampTooNew) | `timestamp_out_of_window` | 403 |
/// | [`SignatureMismatch`](Self::SignatureMismatch) | `signature_mismatch` | 401 |
/// | [`Replayed`](Self::Replayed) | `replayed` | 409 |
/// | [`MissingNonce`](Self::MissingNonce) | `missing_nonce` | 400 |
/// | [`InvalidPayload`](Self::InvalidPayload) | `invalid_payload` | 400 |
/// | [`DecryptionFailed`](Self::DecryptionFailed) | `decryption_failed` | 422 |
/// | [`ReplayStoreUnavailable`](Self::ReplayStoreUnavailable) | `replay_store_unavailable` | 503 |
/// | [`Unverified`](Self::Unverified) | `unverified` | 401 |
///
/// The core verifier produces the header, timestamp and signature kinds; the
/// framework adapters produce the others. All of them live here so that the
/// reason codes, statuses and human texts are defined exactly once.
///
/// A kind carries no detail: in particular a [`ErrorKind::SignatureMismatch`]
/// never says what was expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The route only accepts `POST`.
    MethodNotAllowed,
    /// The body is larger than the configured limit.
    BodyTooLarge,
    /// The body did not arrive within the configured read timeout.
    BodyTimeout,
    /// The body could not be read (the connection failed mid-body).
    BodyUnreadable,
    /// The signature (or credentials) header is absent.
    MissingSignature,
    /// The timestamp header is absent.
    MissingTimestamp,
    /// The signature (or credentials) header is present but cannot be decoded,
    /// is repeated, empty or too long.
    MalformedSignature,
    /// The timestamp header is present but is not a valid timestamp in the
    /// profile's format, is repeated, empty or too long.
    MalformedTimestamp,
    /// The timestamp lies further in the past than the tolerance allows.
    TimestampTooOld,
    /// The timestamp lies further in the future than the tolerance allows.
    TimestampTooNew,
    /// No active secret produces the received signature (or credentials).
    SignatureMismatch,
    /// The same delivery was already accepted inside the replay window.
    Replayed,
    /// The replay guard found no nonce where it was told to look (a header
    /// or JSON field).
    MissingNonce,
    /// The verified body does not match the expected payload schema.
    InvalidPayload,
    /// An encrypted field could not be decrypted.
    DecryptionFailed,
    /// The replay store could not be reached, and the guard fails closed.
    ReplayStoreUnavailable,
    /// A handler asked for the verification result, but nothing verified the
    /// request: the verifying middleware is not installed on this route.
    Unverified,
}

impl ErrorKind {
    /// Every kind.
    pub const ALL: &'static [ErrorKind] = &[
        ErrorKind::MethodNotAllowed,
        ErrorKind::BodyTooLarge,
        ErrorKind::BodyTimeout,
        ErrorKind::BodyUnreadable,
        ErrorKind::MissingSignature,
        ErrorKind::MissingTimestamp,
        ErrorKind::MalformedSignature,
        ErrorKind::MalformedTimestamp,
        ErrorKind::TimestampTooOld,
        ErrorKind::TimestampTooNew,
        ErrorKind::SignatureMismatch,
        ErrorKind::Replayed,
        ErrorKind::MissingNonce,
        ErrorKind::InvalidPayload,
        ErrorKind::DecryptionFailed,
        ErrorKind::ReplayStoreUnavailable,
        ErrorKind::Unverified,
    ];

    /// The stable snake_case reason code, as sent in the JSON `reason` field and
    /// used as a metrics label. Codes never change within a major version.
    ///
    /// "Too old" and "too new" share `timestamp_out_of_window`.
    pub const fn reason(self) -> &'static str {
        match self {
            ErrorKind::MethodNotAllowed => "method_not_allowed",
            ErrorKind::BodyTooLarge => "body_too_large",
            ErrorKind::BodyTimeout => "body_timeout",
            ErrorKind::BodyUnreadable => "body_unreadable",
            ErrorKind::MissingSignature => "missing_signature",
            ErrorKind::MissingTimestamp => "missing_timestamp",
            ErrorKind::MalformedSignature => "malformed_signature",
            ErrorKind::MalformedTimestamp => "malformed_timestamp",
            ErrorKind::TimestampTooOld | ErrorKind::TimestampTooNew => "timestamp_out_of_window",
            ErrorKind::SignatureMismatch => "signature_mismatch",
            ErrorKind::Replayed => "replayed",
            ErrorKind::MissingNonce => "missing_nonce",
            ErrorKind::InvalidPayload => "invalid_payload",
            ErrorKind::DecryptionFailed => "decryption_failed",
            ErrorKind::ReplayStoreUnavailable => "replay_store_unavailable",
            ErrorKind::Unverified => "unverified",
        }
    }

    /// The default HTTP status code for this kind (adapters let users override it).
    ///
    /// [`ErrorKind::Replayed`] defaults to 409; the replay guard's
    /// "acknowledge" policy answers 200 instead and never reaches this table.
    pub const fn status(self) -> u16 {
        match self {
            ErrorKind::MethodNotAllowed => 405,
            ErrorKind::BodyTooLarge => 413,
            ErrorKind::BodyTimeout => 408,
            ErrorKind::BodyUnreadable => 400,
            ErrorKind::MissingSignature
            | ErrorKind::MissingTimestamp
            | ErrorKind::MalformedSignature
            | ErrorKind::MalformedTimestamp
            | ErrorKind::MissingNonce
            | ErrorKind::InvalidPayload => 400,
            ErrorKind::TimestampTooOld | ErrorKind::TimestampTooNew => 403,
            ErrorKind::SignatureMismatch | ErrorKind::Unverified => 401,
            ErrorKind::Replayed => 409,
            ErrorKind::DecryptionFailed => 422,
            ErrorKind::ReplayStoreUnavailable => 503,
        }
    }

    /// A short human sentence, safe to send to the caller: it never contains a
    /// secret, a signature or any part of the request.
    pub const fn message(self) -> &'static str {
        match self {
            ErrorKind::MethodNotAllowed => "only POST is accepted on this webhook route",
            ErrorKind::BodyTooLarge => "request body exceeds the configured limit",
            ErrorKind::BodyTimeout => "request body did not arrive in time",
            ErrorKind::BodyUnreadable => "request body could not be read",
            ErrorKind::MissingSignature => "signature or credentials header is missing",
            ErrorKind::MissingTimestamp => "timestamp header is missing",
            ErrorKind::MalformedSignature => "signature or credentials header is malformed",
            ErrorKind::MalformedTimestamp => "timestamp header is malformed",
            ErrorKind::TimestampTooOld => "timestamp is too far in the past",
            ErrorKind::TimestampTooNew => "timestamp is too far in the future",
            ErrorKind::SignatureMismatch => "signature does not match",
            ErrorKind::Replayed => "this delivery was already processed",
            ErrorKind::MissingNonce => "the delivery carries no event id to check for replays",
            ErrorKind::InvalidPayload => "payload does not match the expected schema",
            ErrorKind::DecryptionFailed => "encrypted payload could not be decrypted",
            ErrorKind::ReplayStoreUnavailable => "replay protection is temporarily unavailable",
            ErrorKind::Unverified => "request was not verified",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// A refused delivery: an [`ErrorKind`] and, for some kinds, a detail safe
/// to show the sender (the JSON path of an invalid payload). It never holds
/// a secret or a signature, and it allocates only for a detail.
///
/// With the `axum` feature it is an `IntoResponse`, with `actix` a
/// `ResponseError`: a handler can return it with `?`, answered with its
/// status and the JSON body `{"error": "<human text>", "reason": "<code>"}`.
///
/// ```
/// use cognigy_webhook::{Error, ErrorKind};
///
/// let error = Error::from(ErrorKind::SignatureMismatch);
/// assert_eq!(error.reason(), "signature_mismatch");
/// assert_eq!(error.status(), 401);
/// assert_eq!(error.to_string(), "signature does not match");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Error {
    kind: ErrorKind,
    detail: Option<Cow<'static, str>>,
}

impl Error {
    /// An error of `kind` without detail.
    pub const fn new(kind: ErrorKind) -> Self {
        Error { kind, detail: None }
    }

    /// The same error with a detail for the sender, shown after the message.
    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<Cow<'static, str>>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// What went wrong.
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stable reason code; see [`ErrorKind::reason`].
    pub const fn reason(&self) -> &'static str {
        self.kind.reason()
    }

    /// The default HTTP status; see [`ErrorKind::status`].
    pub const fn status(&self) -> u16 {
        self.kind.status()
    }

    /// The detail, if any.
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }

    /// The JSON body the adapters answer with:
    /// `{"error": "<message>[: <detail>]", "reason": "<code>"}`.
    #[cfg(any(feature = "tower", feature = "actix"))]
    pub fn json_body(&self) -> String {
        serde_json::json!({ "error": self.to_string(), "reason": self.reason() }).to_string()
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Error::new(kind)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.message())?;
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// A configuration the crate refuses to run with. Returned when building, never
/// per request, so a misconfigured service fails at start-up.
///
/// No variant carries a secret value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A secret was empty.
    #[error("a webhook secret must not be empty")]
    EmptySecret,
    /// A verifier was built without any secret.
    #[error("at least one webhook secret is required")]
    NoSecret,
    /// A secret from the environment has leading or trailing whitespace other
    /// than one final line ending, which is almost always a copy-paste mistake.
    #[error(
        "secret #{position} in {var} has leading or trailing whitespace; secrets are used byte for byte, so remove it"
    )]
    SecretWhitespace {
        /// The environment variable.
        var: &'static str,
        /// 1-based position of the secret in the comma-separated list.
        position: usize,
    },
    /// A Basic Auth user name contains `:`, which RFC 7617 forbids.
    #[error("a Basic Auth user name must not contain ':'")]
    InvalidBasicAuthUser,
    /// A `basic-auth` secret that is not `user:password` with a password
    /// (see [`Secret::basic_auth`](crate::Secret::basic_auth)).
    #[error("a Basic Auth secret must be user:password, with a password")]
    InvalidBasicAuthSecret,
    /// A required environment variable is not set or empty.
    #[error("environment variable {var} is required")]
    MissingEnv {
        /// The environment variable.
        var: &'static str,
    },
    /// An environment variable has a value that cannot be used.
    #[error("environment variable {var} is invalid: {problem}")]
    InvalidEnv {
        /// The environment variable.
        var: &'static str,
        /// What is wrong with it (never the value of a secret).
        problem: String,
    },
    /// A profile name that is not one of the presets.
    #[error("unknown profile {0:?}; expected one of: {names}", names = crate::Profile::PRESET_NAMES.join(", "))]
    UnknownProfile(String),
    /// A header name that is not a valid HTTP field name.
    #[error("{0:?} is not a valid HTTP header name")]
    InvalidHeaderName(String),
    /// A signature prefix contains a space, tab or comma.
    #[error("signature prefix {0:?} must not contain a space, tab or comma")]
    InvalidPrefix(String),
    /// A structured signature header's keys are empty, equal, or contain
    /// `=`, `,` or white space, or the profile also sets a prefix or a
    /// separate timestamp header.
    #[error(
        "profile {0:?}: signature pairs need two distinct keys without '=', ',' or spaces, and no prefix or timestamp header of their own"
    )]
    InvalidSignaturePairs(String),
    /// A profile signs the timestamp but has no timestamp header.
    #[error("profile {0:?} signs the timestamp but has no timestamp header")]
    TimestampRequired(String),
    /// A profile has no way to authenticate requests.
    #[error("profile {0:?} has no signature, Basic Auth or API key scheme")]
    NoScheme(String),
    /// A replay guard's nonces would live longer than its store can hold
    /// them (a huge tolerance or TTL).
    #[error(
        "replay nonces would live {ttl_secs} s, longer than the store holds ({max_secs} s); lower the tolerance or the TTL"
    )]
    TtlTooLong {
        /// The time to live the guard would give its nonces, in seconds.
        ttl_secs: u64,
        /// The longest the store holds, in seconds.
        max_secs: u64,
    },
    /// The same profile name was accepted twice in one verifier.
    #[error("profile {0:?} is accepted twice")]
    DuplicateProfile(String),
    /// Something that runs in the background was started outside a Tokio
    /// runtime.
    #[error("{0} must be started inside a Tokio runtime")]
    NoRuntime(&'static str),
    /// The decryption key is not a usable PKCS#8 RSA private key. The text
    /// says why (never anything of the key itself).
    #[error("invalid decryption private key: {0}")]
    InvalidPrivateKey(&'static str),
    /// The HTTP client could not be set up (for example, no TLS roots), or a
    /// URL given to it is not an http(s) URL.
    #[error("the HTTP client could not be set up: {0}")]
    HttpClient(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn reason_codes_are_snake_case_and_statuses_are_client_or_unavailable() {
        for kind in ErrorKind::ALL {
            let reason = kind.reason();
            assert!(
                reason.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{reason}"
            );
            let status = kind.status();
            assert!(
                (400..500).contains(&status) || status == 503,
                "{kind:?} -> {status}"
            );
        }
        let distinct: HashSet<_> = ErrorKind::ALL.iter().map(|k| k.reason()).collect();
        // Too old and too new share one code.
        assert_eq!(distinct.len(), ErrorKind::ALL.len() - 1);
    }
}
