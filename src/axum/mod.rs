//! axum extractors for verified webhook deliveries.
//!
//! - [`Verified`](crate::Verified), [`RequestId`](crate::RequestId) and
//!   `Option<`[`CorrelationId`](crate::CorrelationId)`>` read what
//!   [`VerifyWebhookLayer`](crate::tower::VerifyWebhookLayer) put into the
//!   request. If the layer is not installed, `Verified` and `RequestId`
//!   refuse the request with 401 `unverified` (never a 500): a handler that
//!   asks for proof gets none without it.
//! - [`VerifiedJson<T>`] deserialises the verified body strictly and names
//!   the failing JSON path in a 400 `invalid_payload`. Behind the layer it
//!   trusts the layer's verification; without it, it verifies itself with a
//!   [`Verifier`](crate::Verifier) from the request extensions
//!   (`.layer(axum::Extension(verifier))`), reading the body within axum's
//!   `DefaultBodyLimit`.
//! - [`self_test_route`] serves the configuration self-test.
//!
//! Every rejection is an [`Error`](crate::Error), which answers its
//! status with the JSON body `{"error": …, "reason": …}`.

mod extract;
mod json;

pub use crate::self_test::axum_route::self_test_route;
pub use json::VerifiedJson;
