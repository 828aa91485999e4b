//! The default observer: a `tracing` event and two metrics per request.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use super::{AuditEvent, Observer, Outcome};
use crate::{ErrorKind, ProfileName};

/// The `tracing` target of every audit event, for filters
/// (`RUST_LOG=cognigy_webhook::audit=info`) and subscribers that route
/// security events elsewhere.
pub const AUDIT_TARGET: &str = "cognigy_webhook::audit";

/// Counter of requests, labelled `outcome`, `reason` (`none` when
/// verified) and `profile`.
pub const REQUESTS_TOTAL: &str = "cognigy_webhook_requests_total";

/// Histogram of the adapters' decision latency in seconds, labelled
/// `outcome`.
pub const VERIFY_SECONDS: &str = "cognigy_webhook_verify_seconds";

/// Bucket bounds (seconds) for [`VERIFY_SECONDS`], from 10 µs (a head
/// refused) to 10 s (a body read up to the default read timeout). Give them
/// to your exporter so the latency is a histogram that adds up across
/// instances (`metrics-exporter-prometheus` otherwise renders a summary):
/// `PrometheusBuilder::new().set_buckets_for_metric(Matcher::Full(VERIFY_SECONDS.into()),
/// VERIFY_SECONDS_BUCKETS)`, as the gateway and the example receivers do.
pub const VERIFY_SECONDS_BUCKETS: &[f64] = &[
    0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025,
    0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Reports each request as one `tracing` event on [`AUDIT_TARGET`] (`INFO`
/// when verified or a duplicate, `WARN` when refused) with the fields
/// `request_id`, `correlation_id`, `remote_addr`, `path`, `profile`,
/// `outcome`, `reason`, `other_preset`, `drift_ms`, `latency_us` and
/// `key_index` (absent
/// fields are left out), and records [`REQUESTS_TOTAL`] and
/// [`VERIFY_SECONDS`] through the `metrics` facade.
///
/// The metric handles are registered once per label set and kept, so a
/// request costs an atomic increment rather than a registry look-up:
/// **install the metrics recorder before the first request** (as the
/// `metrics` crate advises), or this observer's metrics go to the no-op
/// recorder for good. Clones share the handles. The adapters use it by
/// default when the `audit` feature is on.
#[derive(Debug, Clone, Default)]
pub struct Audit {
    handles: Arc<Handles>,
}

impl Audit {
    /// An observer with no metric registered yet.
    pub fn new() -> Self {
        Audit::default()
    }
}

impl Observer for Audit {
    fn observe(&self, event: &AuditEvent<'_>) {
        emit(event);
        self.handles.record(event);
    }
}

/// The labels of [`REQUESTS_TOTAL`]: outcome, reason and profile.
type CounterLabels = (Outcome, Option<ErrorKind>, ProfileName);

/// The registered metric handles, by label set.
#[derive(Default)]
struct Handles {
    requests: RwLock<HashMap<CounterLabels, metrics::Counter>>,
    /// Per outcome, in the order of `Outcome`'s variants.
    latency: [OnceLock<metrics::Histogram>; 3],
}

impl fmt::Debug for Handles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handles").finish_non_exhaustive()
    }
}

/// The `tracing` event.
fn emit(event: &AuditEvent<'_>) {
    macro_rules! audit_event {
        ($level:expr, $message:literal) => {
            tracing::event!(
                target: "cognigy_webhook::audit",
                $level,
                request_id = %event.request_id,
                correlation_id = event.correlation_id.map(crate::CorrelationId::as_str),
                remote_addr = event.remote_addr.map(tracing::field::display),
                path = event.path,
                profile = event.profile.as_str(),
                outcome = event.outcome.as_str(),
                reason = event.reason_code(),
                other_preset = event.other_preset,
                drift_ms = event.drift_ms,
                latency_us = event.latency_us(),
                key_index = event.key_index.map(|index| index as u64),
                $message
            )
        };
    }
    match event.outcome {
        Outcome::Verified => audit_event!(tracing::Level::INFO, "webhook verified"),
        Outcome::Duplicate => audit_event!(tracing::Level::INFO, "duplicate webhook acknowledged"),
        Outcome::Rejected => audit_event!(tracing::Level::WARN, "webhook rejected"),
    }
}

impl Handles {
    /// The two metrics, through handles registered on first use.
    fn record(&self, event: &AuditEvent<'_>) {
        let key = (event.outcome, event.reason, event.profile.clone());
        let known = self
            .requests
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .cloned();
        let counter = known.unwrap_or_else(|| {
            let counter = metrics::counter!(
                REQUESTS_TOTAL,
                "outcome" => event.outcome.as_str(),
                "reason" => event.reason_code().unwrap_or("none"),
                "profile" => event.profile.clone(),
            );
            self.requests
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(key, counter.clone());
            counter
        });
        counter.increment(1);
        let slot = match event.outcome {
            Outcome::Verified => 0,
            Outcome::Rejected => 1,
            Outcome::Duplicate => 2,
        };
        self.latency[slot]
            .get_or_init(
                || metrics::histogram!(VERIFY_SECONDS, "outcome" => event.outcome.as_str()),
            )
            .record(event.latency.as_secs_f64());
    }
}
