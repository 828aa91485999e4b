//! A complete NICE Cognigy webhook receiver on actix-web, with the same
//! environment variables, route and answers as `examples/axum_receiver.rs`.
//!
//! ```sh
//! COGNIGY_WEBHOOK_SECRET=change-me cargo run --example actix_receiver --features actix,stores,siem
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
//! actix-web stops gracefully on SIGINT and SIGTERM.

use std::process::ExitCode;

use actix_web::{App, HttpResponse, HttpServer, web};
use cognigy_webhook::actix::{WebhookVerification, self_test_service};
use cognigy_webhook::observe::Stats;
use cognigy_webhook::replay::guard_from_env;
use cognigy_webhook::self_test::SELF_TEST_TOKEN_VAR;
use cognigy_webhook::{Config, CorrelationId, RequestId, Secret, Verified};
use metrics_exporter_prometheus::PrometheusHandle;

#[path = "shared/listen.rs"]
mod listen;
#[path = "shared/observability.rs"]
mod observability;
use listen::Listen;
use observability::Observability;
use serde_json::json;

fn main() -> ExitCode {
    match actix_web::rt::System::new().block_on(run()) {
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
    // The self-test only with its own credential (unset: its path is 404).
    let self_test = match std::env::var(SELF_TEST_TOKEN_VAR) {
        Ok(token) if !token.is_empty() => Some((
            verifier.clone(),
            Secret::from_env_value(SELF_TEST_TOKEN_VAR, &token)?,
        )),
        _ => None,
    };
    let middleware = WebhookVerification::new(verifier)
        .with_replay_guard(guard)?
        .with_observer(observability.observer());
    let route = path.clone();
    let (stats, prometheus) = (
        observability.stats.clone(),
        observability.prometheus.clone(),
    );
    let server = HttpServer::new(move || {
        App::new()
            .app_data(web::Data::from(stats.clone()))
            .app_data(web::Data::new(prometheus.clone()))
            .service(
                web::resource(route.as_str())
                    .wrap(middleware.clone())
                    .route(web::post().to(receive)),
            )
            .configure(|config| {
                if let Some((verifier, token)) = &self_test {
                    config.service(self_test_service(verifier.clone(), token.clone()));
                }
            })
            .route("/metrics", web::get().to(stats_json))
            .route("/metrics/prometheus", web::get().to(prometheus_text))
    })
    .bind((host, port))?;
    for addr in server.addrs() {
        // On stderr: stdout carries only the JSON audit lines.
        eprintln!(
            "cognigy-webhook receiver listening on http://{addr}{path} (profile {}, {} secret(s), replay store {store}, {})",
            config.profile(),
            config.secret_count(),
            observability.siem_description(),
        );
    }
    server.run().await?;
    observability.shutdown().await;
    Ok(())
}

/// Runs only for verified deliveries.
async fn receive(
    verified: Verified,
    request_id: RequestId,
    correlation: Option<CorrelationId>,
) -> HttpResponse {
    let _ = (verified.key_index(), correlation);
    HttpResponse::Ok().json(json!({ "status": "processed", "request_id": request_id.to_string() }))
}

/// `GET /metrics`: the statistics as JSON.
async fn stats_json(stats: web::Data<Stats>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(stats.snapshot().to_json())
}

/// `GET /metrics/prometheus`: the Prometheus text.
async fn prometheus_text(prometheus: web::Data<PrometheusHandle>) -> String {
    prometheus.render()
}
