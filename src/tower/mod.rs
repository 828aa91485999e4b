//! A tower middleware that verifies webhook deliveries before the handler runs.
//!
//! [`VerifyWebhookLayer`] judges the request's head first (method, declared
//! length, signature and timestamp headers, the timestamp window) and answers
//! a refusal before reading any body; it then reads the body through a limit
//! and a read timeout, verifies it with a [`Verifier`](crate::Verifier), and
//! either answers the refusal itself or
//! passes the request on with the exact verified bytes as a
//! `Full<Bytes>` body and three request extensions:
//! [`Verified`](crate::Verified), [`RequestId`](crate::RequestId) and, when
//! the sender sent one, [`CorrelationId`](crate::CorrelationId).
//!
//! ```
//! use axum::{Router, routing::post};
//! use cognigy_webhook::{Profile, Secret, Verified, Verifier};
//! use cognigy_webhook::tower::VerifyWebhookLayer;
//!
//! # fn app() -> Result<Router, cognigy_webhook::ConfigError> {
//! let verifier = Verifier::new(Profile::webhook_hex(), Secret::new("my-shared-secret")?);
//! let app = Router::new()
//!     .route("/webhooks/cognigy", post(|verified: Verified| async move {
//!         format!("verified with key #{}", verified.key_index())
//!     }))
//!     .route_layer(VerifyWebhookLayer::new(verifier));
//! # Ok(app) }
//! ```
//!
//! `route_layer` covers only the routes added before it: add the webhook
//! routes first.
//!
//! Refusals get the status and JSON body of [`ErrorKind`](crate::ErrorKind);
//! implement [`RejectionResponse`] to answer differently.

mod layer;
pub(crate) mod response;
mod service;

pub use layer::VerifyWebhookLayer;
pub use response::{JsonRejection, RejectionResponse, json_response};
pub use service::{Answer, ResponseFuture, VerifyWebhook};
