//! What both receiver examples report: JSON audit lines on stdout, a
//! statistics snapshot for `GET /metrics`, Prometheus text for
//! `GET /metrics/prometheus`, and SIEM forwarding when `SIEM_ENDPOINT` (or
//! `SIEM_WEBHOOK_URL`) is set.

use std::sync::Arc;

use cognigy_webhook::observe::siem::{SiemConfig, SiemForwarder};
use cognigy_webhook::observe::{Audit, Stats, VERIFY_SECONDS, VERIFY_SECONDS_BUCKETS};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// The observer for the middleware, and what the metrics routes read.
pub(crate) struct Observability {
    pub(crate) stats: Arc<Stats>,
    pub(crate) prometheus: PrometheusHandle,
    pub(crate) siem: Option<SiemForwarder>,
}

impl Observability {
    /// Installs the `tracing` subscriber and the metrics recorder, and starts
    /// SIEM forwarding if configured. Call it inside the Tokio runtime.
    pub(crate) fn from_env() -> Result<Self, Box<dyn std::error::Error>> {
        // One flat JSON object per event, with the fields of the gateway's
        // audit lines (`target` last).
        tracing_subscriber::fmt()
            .json()
            .flatten_event(true)
            .with_max_level(tracing::Level::INFO)
            .with_current_span(false)
            .init();
        // The latency as a histogram (buckets), not a summary.
        let prometheus = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(VERIFY_SECONDS.into()), VERIFY_SECONDS_BUCKETS)?
            .install_recorder()?;
        let siem = SiemConfig::from_env()?
            .map(SiemForwarder::start)
            .transpose()?;
        Ok(Observability {
            stats: Arc::new(Stats::new()),
            prometheus,
            siem,
        })
    }

    /// Audit events and metrics, the statistics, and the SIEM if any.
    pub(crate) fn observer(&self) -> (Audit, Arc<Stats>, Option<SiemForwarder>) {
        (Audit::new(), Arc::clone(&self.stats), self.siem.clone())
    }

    /// Where events go besides stdout, for the start-up line.
    pub(crate) fn siem_description(&self) -> String {
        match &self.siem {
            Some(_) => "SIEM forwarding on".to_owned(),
            None => "no SIEM".to_owned(),
        }
    }

    /// Sends what the SIEM queue still holds, for at most five seconds.
    pub(crate) async fn shutdown(&self) {
        if let Some(siem) = &self.siem {
            let report = siem.shutdown(std::time::Duration::from_secs(5)).await;
            println!(
                "SIEM: {} events sent, {} dropped",
                report.sent,
                report.dropped()
            );
        }
    }
}
