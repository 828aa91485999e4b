//! The one request pipeline the framework drivers share.
//!
//! Every decision on a webhook request is taken here, in this order:
//! method → declared length → the head's checks ([`Verifier::check_head`](crate::Verifier::check_head))
//! → reading the body under the limit and the read timeout → the body's
//! signature → the replay guard → the report → (the driver calls the handler)
//! → keeping or releasing the delivery's nonce. The drivers (`tower`,
//! `actix`) only move bytes and build responses.

mod body;
mod header_names;
mod pipeline;
mod settings;
#[cfg(any(feature = "axum", feature = "actix"))]
mod strict_json;

pub(crate) use body::BoxError;
pub(crate) use body::drain;
#[cfg(feature = "actix")]
pub(crate) use body::read_body;
pub(crate) use header_names::{HeaderNames, NamedLookup};
pub(crate) use pipeline::{Delivery, Refusal, joined};
pub(crate) use settings::Settings;
#[cfg(any(feature = "axum", feature = "actix"))]
pub(crate) use strict_json::parse_strict;
