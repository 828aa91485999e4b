//! actix-web 4 middleware and extractors for verified webhook deliveries, at
//! parity with the [tower layer](crate::tower): the same checks, statuses,
//! reason codes and JSON bodies.
//!
//! ```
//! use actix_web::{App, HttpResponse, web};
//! use cognigy_webhook::actix::WebhookVerification;
//! use cognigy_webhook::{Profile, RequestId, Secret, Verified, Verifier};
//!
//! async fn receive(verified: Verified, id: RequestId) -> HttpResponse {
//!     HttpResponse::Ok().body(format!("request {id} verified with key #{}", verified.key_index()))
//! }
//!
//! # fn app() -> Result<(), cognigy_webhook::ConfigError> {
//! let verifier = Verifier::new(Profile::webhook_hex(), Secret::new("my-shared-secret")?);
//! let app = App::new().service(
//!     web::resource("/webhooks/cognigy")
//!         .wrap(WebhookVerification::new(verifier))
//!         .route(web::post().to(receive)),
//! );
//! # Ok(()) }
//! ```
//!
//! actix-web 4 uses `http` 0.2; the core takes a header look-up, so the
//! crate implements [`HeaderLookup`](crate::HeaderLookup) for actix's header
//! map here and forces no `http` version on anyone.

pub(crate) mod body;
pub(crate) mod extract;
mod headers;
mod verification;

pub use crate::self_test::actix_service::self_test_service;
pub use extract::VerifiedJson;
pub use verification::{WebhookVerification, WebhookVerificationMiddleware};
