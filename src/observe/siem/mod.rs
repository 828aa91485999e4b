//! Forwarding audit events to a SIEM over HTTP(S), never on the request
//! path (feature `siem`).
//!
//! A [`SiemForwarder`] is an [`Observer`](super::Observer): it turns each
//! event into a [`SecurityEvent`] and puts it on a bounded queue, or counts
//! it as dropped when the queue is full. One background task takes events
//! off the queue in batches and POSTs each batch as a JSON array, retrying
//! with exponential backoff and jitter ([`backon`]), honouring `429` and
//! `503` answers' `Retry-After` (seconds or an HTTP date, capped), and
//! giving up on a batch after the configured number of tries. Batches are
//! sent one at a time, so events arrive in the order they happened.
//!
//! Refusals have a budget per interval (half the queue every 10 s by
//! default, [`SiemConfig::with_refusal_budget`]): past it, a refusal is
//! counted per reason and profile, and the interval ends with one
//! `webhook_refusals_aggregated` record of those counts. A flood of
//! unauthenticated requests so costs a bounded record and never pushes
//! genuine events out of the queue.
//!
//! ```no_run
//! # async fn run() -> Result<(), cognigy_webhook::ConfigError> {
//! use std::time::Duration;
//! use cognigy_webhook::observe::Audit;
//! use cognigy_webhook::observe::siem::{SiemConfig, SiemForwarder};
//!
//! // SIEM_ENDPOINT or SIEM_WEBHOOK_URL; nothing to forward when neither is set.
//! if let Some(config) = SiemConfig::from_env()? {
//!     let siem = SiemForwarder::start(config)?;
//!     let observer = (Audit::new(), siem.clone()); // give it to `with_observer`
//!     // … serve …
//!     let report = siem.shutdown(Duration::from_secs(5)).await;
//!     println!("{} events sent, {} dropped", report.sent, report.dropped());
//! }
//! # Ok(()) }
//! ```

mod aggregate;
mod config;
mod event;
mod forwarder;

pub use config::{SIEM_ENDPOINT_VAR, SIEM_WEBHOOK_URL_VAR, SiemConfig};
pub use event::{MAX_PATH_LEN, SecurityEvent};
pub use forwarder::{SIEM_DROPPED_TOTAL, SiemForwarder, SiemReport};
