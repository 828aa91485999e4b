//! What happened to each request: audit events, metrics, a statistics
//! snapshot and, with the `siem` feature, forwarding to a SIEM.
//!
//! Both framework adapters report **exactly one [`AuditEvent`] per request**
//! to an [`Observer`], after the decision and before the handler runs. The
//! default observer is [`Audit`] when the `audit` feature is on (a `tracing`
//! event on the target [`AUDIT_TARGET`] plus two metrics through the
//! `metrics` facade), and nothing otherwise. Observers compose as tuples:
//!
//! ```
//! # #[cfg(all(feature = "audit", feature = "axum"))] {
//! use std::sync::Arc;
//! use cognigy_webhook::observe::{Audit, Stats};
//! use cognigy_webhook::tower::VerifyWebhookLayer;
//! use cognigy_webhook::{Profile, Secret, Verifier};
//!
//! let stats = Arc::new(Stats::new());
//! let verifier = Verifier::new(Profile::webhook_hex(), Secret::new("my-shared-secret").unwrap());
//! let layer = VerifyWebhookLayer::new(verifier).with_observer((Audit::new(), Arc::clone(&stats)));
//! // GET /metrics can answer `stats.snapshot().to_json()`.
//! assert_eq!(stats.snapshot().total_requests, 0);
//! # }
//! ```
//!
//! No event carries a secret, a signature (received or expected) or the
//! body.

#[cfg(feature = "audit")]
mod audit;
mod event;
mod observer;
#[cfg(feature = "siem")]
pub mod siem;
mod stats;

#[cfg(feature = "audit")]
pub use audit::{AUDIT_TARGET, Audit, REQUESTS_TOTAL, VERIFY_SECONDS, VERIFY_SECONDS_BUCKETS};
pub use event::{AuditEvent, Outcome};
pub use observer::Observer;
pub use stats::{Stats, StatsSnapshot};
