//! Operations: health, readiness, Prometheus metrics, the audit log on
//! stdout, and the signals that stop the gateway.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use cognigy_webhook::observe::{VERIFY_SECONDS, VERIFY_SECONDS_BUCKETS};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use super::mode::Mode;
use crate::Failure;

/// What the operations routes read.
#[derive(Clone)]
pub(crate) struct OpsState {
    pub(crate) mode: Arc<Mode>,
    pub(crate) metrics: Arc<PrometheusHandle>,
}

/// Installs the Prometheus recorder (before the first request, so the audit
/// observer's metrics reach it) with its periodic upkeep, and prints other
/// messages at `WARN` and above on stdout as JSON. The audit lines are
/// written by [`JsonLines`](super::audit_log::JsonLines), not through
/// `tracing`.
pub(crate) fn install_observability() -> Result<PrometheusHandle, Failure> {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;

    let filter = Targets::new()
        .with_target(cognigy_webhook::observe::AUDIT_TARGET, LevelFilter::OFF)
        .with_default(LevelFilter::WARN);
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .json()
                .flatten_event(true)
                .with_current_span(false)
                .with_span_list(false)
                .with_writer(std::io::stdout),
        )
        .with(filter)
        .try_init()
        .map_err(|error| Failure::Usage(format!("logging: {error}")))?;
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(VERIFY_SECONDS.into()), VERIFY_SECONDS_BUCKETS)
        .map_err(|error| Failure::Usage(format!("metrics: {error}")))?
        .install_recorder()
        .map_err(|error| Failure::Usage(format!("metrics: {error}")))?;
    // The recorder keeps every histogram sample until upkeep folds it in:
    // without this, a gateway nobody scrapes grows by each request.
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(UPKEEP_INTERVAL);
        loop {
            every.tick().await;
            upkeep.run_upkeep();
        }
    });
    Ok(handle)
}

/// How often the recorder's histogram samples are folded into its summaries.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// TLS to Redis and PostgreSQL uses rustls with aws-lc-rs.
pub(crate) fn install_crypto_provider() {
    // Fails only when a provider is installed already, which is as good.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

/// `GET /healthz`: the process answers.
pub(crate) async fn healthz() -> &'static str {
    "ok\n"
}

/// `GET /readyz`: the upstream accepts a TCP connection, or Redis answers
/// `PING`, within a second.
pub(crate) async fn readyz(State(state): State<OpsState>) -> (StatusCode, &'static str) {
    let check = async {
        match &*state.mode {
            Mode::Forward(forward) => {
                let authority = forward.authority();
                let port = authority.port_u16().unwrap_or(80);
                // `[::1]` in a URL is `::1` to connect to.
                let host = authority
                    .host()
                    .trim_start_matches('[')
                    .trim_end_matches(']');
                tokio::net::TcpStream::connect((host, port)).await.is_ok()
            }
            Mode::Stream(stream) => stream.ping().await,
        }
    };
    match tokio::time::timeout(Duration::from_secs(1), check).await {
        Ok(true) => (StatusCode::OK, "ready\n"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "not ready\n"),
    }
}

/// `GET /metrics`: the crate's counters and histogram, Prometheus text.
pub(crate) async fn metrics(State(state): State<OpsState>) -> String {
    state.metrics.render()
}

/// Resolves on SIGTERM or Ctrl-C; the server then stops accepting and
/// finishes the deliveries in flight.
pub(crate) async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
    eprintln!("cognigy-webhook gateway: shutting down, draining in-flight deliveries");
}
