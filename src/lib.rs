#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::unreachable
    )
)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// The framework-free core: profiles, keys, the verifier and the signer.
mod verify;

// The one request pipeline the framework drivers share.
#[cfg(any(feature = "tower", feature = "actix"))]
mod adapter;

#[cfg(any(feature = "siem", feature = "client"))]
mod redact;

pub mod config;
pub mod request;
pub mod self_test;

#[cfg(any(feature = "siem", feature = "client"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "siem", feature = "client"))))]
pub mod retry;

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

#[cfg(feature = "payload")]
#[cfg_attr(docsrs, doc(cfg(feature = "payload")))]
pub mod payload;

/// Wire profiles and their parts: what a [`Profile`] is made of, for custom
/// profiles and for reading a profile's settings.
pub mod profile {
    pub use crate::verify::profile::{
        AUTHORIZATION, DEFAULT_API_KEY_HEADER, Profile, ProfileBuilder, ProfileKind,
        SignatureEncoding, SignedContent,
    };
    pub use crate::verify::profile_name::ProfileName;
    pub use crate::verify::signature::Signatures;
    pub use crate::verify::signer::SignedHeaders;
    pub use crate::verify::timestamp::TimestampFormat;
}

/// Where "now" comes from, so that tests never sleep.
pub mod clock {
    pub use crate::verify::clock::{Clock, FixedClock, SystemClock};
}

/// The bounds every request is held to.
pub mod limits {
    pub use crate::request::MAX_CORRELATION_ID_LEN;
    pub use crate::verify::head::MAX_HEADER_VALUE_LEN;
    pub use crate::verify::signature::MAX_SIGNATURES;
    pub use crate::verify::timestamp::MAX_TIMESTAMP_LEN;
    pub use crate::verify::verifier::DEFAULT_BODY_LIMIT;

    /// How long the framework adapters wait for a whole body unless told
    /// otherwise: 10 seconds, then 408 `body_timeout`.
    pub const DEFAULT_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
}

pub use config::Config;
pub use request::{CorrelationId, RequestId};
pub use verify::error::{ConfigError, Error, ErrorKind};
pub use verify::head::Head;
pub use verify::headers::{HeaderLookup, Lookup};
pub use verify::profile::Profile;
pub use verify::secret::Secret;
pub use verify::signer::Signer;
pub use verify::verified::Verified;
pub use verify::verifier::{Verifier, VerifierBuilder};

// Short paths for the crate's own code.
use clock::{Clock, SystemClock};
use profile::{ProfileName, SignatureEncoding, SignedContent, TimestampFormat};
