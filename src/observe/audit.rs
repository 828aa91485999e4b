//! The default observer: a `tracing` event and two metrics per request.

use super::{AuditEvent, Observer, Outcome};

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

/// Reports each request as one `tracing` event on [`AUDIT_TARGET`] (`INFO`
/// when verified or a duplicate, `WARN` when refused) with the fields
/// `request_id`, `correlation_id`, `remote_addr`, `path`, `profile`,
/// `outcome`, `reason`, `drift_ms`, `latency_us` and `key_index` (absent
/// fields are left out), and records [`REQUESTS_TOTAL`] and
/// [`VERIFY_SECONDS`] through the `metrics` facade.
///
/// Without a `tracing` subscriber or a metrics recorder installed, both cost
/// next to nothing. The adapters use it by default when the `audit` feature
/// is on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Audit;

impl Observer for Audit {
    fn observe(&self, event: &AuditEvent<'_>) {
        emit(event);
        record(event);
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
                profile = &*event.profile,
                outcome = event.outcome.as_str(),
                reason = event.reason_code(),
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

/// The two metrics.
fn record(event: &AuditEvent<'_>) {
    let outcome = event.outcome.as_str();
    metrics::counter!(
        REQUESTS_TOTAL,
        "outcome" => outcome,
        "reason" => event.reason_code().unwrap_or("none"),
        "profile" => std::sync::Arc::clone(&event.profile),
    )
    .increment(1);
    metrics::histogram!(VERIFY_SECONDS, "outcome" => outcome).record(event.latency.as_secs_f64());
}
