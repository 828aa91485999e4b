//! A complete NICE Cognigy webhook receiver on axum, configured from the
//! environment: the reference documents' "complete working example", done
//! with exact-byte verification and stable refusals.
//!
//! ```sh
//! COGNIGY_WEBHOOK_SECRET=change-me cargo run --example axum_receiver --features axum,stores,siem
//! ```
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `COGNIGY_WEBHOOK_SECRET` | secret, several comma-separated during a rotation | required |
//! | `COGNIGY_PROFILE` | wire profile | `webhook-hex` |
//! | `HOST` | address to bind (`127.0.0.1` keeps it local) | `0.0.0.0`, every interface |
//! | `PORT` | TCP port | `8080` |
//! | `COGNIGY_WEBHOOK_PATH` | route of the webhook | `/webhooks/cognigy` |
//! | `COGNIGY_TIMESTAMP_DRIFT_MS` / `WEBHOOK_TIMESTAMP_TOLERANCE_MS` | tolerance | the profile's |
//! | `DATABASE_URL` | replay store in PostgreSQL (`webhook_events`) | — |
//! | `REDIS_URL` | replay store in Redis (when `DATABASE_URL` is unset) | — |
//! | `COGNIGY_REPLAY_CAPACITY` | nonces of the in-memory store otherwise | 100000 |
//! | `COGNIGY_REPLAY_POLICY` | `reject` (409) or `acknowledge` (200 duplicate) | `reject` |
//! | `COGNIGY_REPLAY_NAMESPACE` | keeps this service's nonces apart in a store shared with other services | none |
//! | `SIEM_ENDPOINT` / `SIEM_WEBHOOK_URL` | forward every audit event to this URL | — |
//! | `COGNIGY_SELF_TEST_TOKEN` | mount the self-test, behind `Authorization: Bearer <token>` | not mounted |
//!
//! Each request is logged as one JSON audit line on stdout (target
//! `cognigy_webhook::audit`). `GET /metrics` answers the statistics as JSON
//! (the Node.js reference document's shape), `GET /metrics/prometheus` the Prometheus text, and
//! `GET /api/v1/security/test?signature=…&timestamp=…` the configuration
//! self-test, only when `COGNIGY_SELF_TEST_TOKEN` is set and then only with
//! `Authorization: Bearer <token>` (otherwise that path is 404).
//!
//! A verified delivery is answered `200 {"status":"processed","request_id":…}`;
//! a refused one with its status and `{"error":…,"reason":…}`. A request
//! whose head does not arrive within 10 s, or a connection idle that long,
//! is closed. SIGINT or SIGTERM stops the server after in-flight requests
//! finish (and up to 5 s more for nonce releases the replay store missed
//! while it was unreachable).

use std::process::ExitCode;

use axum::http::header::CONTENT_TYPE;
use axum::routing::{get, post};
use axum::{Json, Router};
use cognigy_webhook::axum::self_test_route;
use cognigy_webhook::observe::Stats;
use cognigy_webhook::replay::guard_from_env;
use cognigy_webhook::self_test::{SELF_TEST_PATH, SELF_TEST_TOKEN_VAR};
use cognigy_webhook::tower::VerifyWebhookLayer;
use cognigy_webhook::{Config, CorrelationId, RequestId, Secret, Verified};

#[path = "shared/listen.rs"]
mod listen;
#[path = "shared/observability.rs"]
mod observability;
// axum::serve with a deadline on each request's head (which axum::serve
// lacks), shared with the gateway.
#[path = "../src/bin/cognigy-webhook/gateway/server.rs"]
mod server;
use listen::Listen;
use observability::Observability;
use serde_json::{Value, json};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_env()?;
    let verifier = config.verifier()?;
    let Listen { host, port, path } = Listen::from_env()?;

    let observability = Observability::from_env()?;
    let (guard, store) = guard_from_env().await?;
    // The self-test only with its own credential (see `self_test_token`).
    let self_test = self_test_token()?.map(|token| self_test_route(verifier.clone(), token));
    let layer = VerifyWebhookLayer::new(verifier)
        .with_replay_guard(guard.clone())?
        .with_observer(observability.observer());
    let (stats, prometheus) = (
        observability.stats.clone(),
        observability.prometheus.clone(),
    );
    let mut app = Router::new().route(&path, post(receive)).route_layer(layer);
    if let Some(self_test) = self_test {
        app = app.route(SELF_TEST_PATH, self_test);
    }
    let app = app
        .route("/metrics", get(move || async move { stats_json(&stats) }))
        .route(
            "/metrics/prometheus",
            get(move || async move { prometheus.render() }),
        );

    let listener = tokio::net::TcpListener::bind((host, port)).await?;
    // On stderr: stdout carries only the JSON audit lines.
    eprintln!(
        "cognigy-webhook receiver listening on http://{}{path} (profile {}, {} secret(s), replay store {store}, {})",
        listener.local_addr()?,
        config.profile(),
        config.secret_count(),
        observability.siem_description(),
    );
    // A request's head, like its body, must arrive within the read timeout.
    let head_timeout = cognigy_webhook::limits::DEFAULT_READ_TIMEOUT;
    server::serve(listener, app, head_timeout, shutdown_signal()).await;
    // Releases the replay store missed while unreachable: a little longer.
    guard
        .wait_for_releases(std::time::Duration::from_secs(5))
        .await;
    observability.shutdown().await;
    Ok(())
}

/// The self-test's bearer token from `COGNIGY_SELF_TEST_TOKEN`; unset, the
/// self-test is not mounted (its path answers 404): it tells whoever can
/// call it whether a guessed signature is right.
fn self_test_token() -> Result<Option<Secret>, cognigy_webhook::ConfigError> {
    match std::env::var(SELF_TEST_TOKEN_VAR) {
        Ok(token) if !token.is_empty() => {
            Secret::from_env_value(SELF_TEST_TOKEN_VAR, &token).map(Some)
        }
        _ => Ok(None),
    }
}

/// Runs only for verified deliveries.
async fn receive(
    verified: Verified,
    request_id: RequestId,
    correlation: Option<CorrelationId>,
) -> Json<Value> {
    let _ = (verified.key_index(), correlation);
    Json(json!({ "status": "processed", "request_id": request_id.to_string() }))
}

/// `GET /metrics`: the statistics as JSON.
fn stats_json(stats: &Stats) -> impl axum::response::IntoResponse + use<> {
    (
        [(CONTENT_TYPE, "application/json")],
        stats.snapshot().to_json(),
    )
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => return interrupt.await.unwrap_or_default(),
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    interrupt.await.unwrap_or_default();
}
