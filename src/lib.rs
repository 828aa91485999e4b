#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(not(test), warn(clippy::unwrap_used))]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(any(feature = "tower", feature = "actix"))]
mod adapter;
mod clock;
mod config;
mod context;
mod digest_eq;
mod digits;
mod error;
mod headers;
mod hex_digest;
mod keyed_mac;
mod profile;
mod profile_name;
#[cfg(any(feature = "siem", feature = "client"))]
mod redact;
mod rejection;
#[cfg(any(feature = "siem", feature = "client"))]
mod retry;
mod rfc3339_fast;
mod secret;
mod self_test;
mod signature;
mod signer;
#[cfg(any(feature = "axum", feature = "actix"))]
mod strict_json;
mod timestamp;
mod verified;
mod verifier;

#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub mod tower;

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;

#[cfg(feature = "actix")]
#[cfg_attr(docsrs, doc(cfg(feature = "actix")))]
pub mod actix;

#[cfg(feature = "replay")]
#[cfg_attr(docsrs, doc(cfg(feature = "replay")))]
pub mod replay;

pub mod observe;

#[cfg(feature = "decrypt")]
#[cfg_attr(docsrs, doc(cfg(feature = "decrypt")))]
pub mod decrypt;

#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod client;

pub use clock::{Clock, FixedClock, SystemClock};
pub use config::{
    API_KEY_HEADER_VAR, Config, DRIFT_MS_VAR, PATH_VAR, PORT_VAR, PROFILE_VAR, SECRET_VAR,
    TOLERANCE_MS_VAR,
};
pub use context::{CORRELATION_ID_HEADER, CorrelationId, MAX_CORRELATION_ID_LEN, RequestId};
pub use error::{ConfigError, Error, ErrorKind};
pub use headers::{HeaderLookup, Lookup};
pub use profile::{
    AUTHORIZATION, DEFAULT_API_KEY_HEADER, Profile, ProfileBuilder, ProfileKind, SignatureEncoding,
    SignedContent,
};
pub use profile_name::ProfileName;
pub use rejection::Rejection;
#[cfg(any(feature = "siem", feature = "client"))]
pub use retry::RetryPolicy;
pub use secret::Secret;
pub use self_test::{SELF_TEST_BODY, SELF_TEST_PATH, SelfTest};
pub use signature::{MAX_SIGNATURES, Signatures};
pub use signer::{SignedHeaders, Signer};
pub use timestamp::{MAX_TIMESTAMP_LEN, TimestampFormat};
pub use verified::Verified;
pub use verifier::{DEFAULT_BODY_LIMIT, MAX_HEADER_VALUE_LEN, Verifier, VerifierBuilder};
