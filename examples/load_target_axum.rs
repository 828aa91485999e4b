//! The server of the loopback load benchmark (`benches/http_load.sh`): the
//! same handler on three routes, `/plain` (reads the body, no verification),
//! `/verified` (behind `VerifyWebhookLayer`, profile `hex-millis`),
//! `/inline` (the handler calls `Verifier::verify` itself: the cost of
//! verifying without the layer's mechanics), `/mac` (the handler only
//! computes the bare HMAC of the body: the floor for any verifier) and
//! `/audited` (as `/verified`, plus audit events and metrics: the `Audit`
//! observer and `Stats`, with a Prometheus recorder installed and a
//! `tracing` subscriber that receives every audit event), on one Tokio
//! thread so that pinning the process pins the whole server. `/verified`
//! reports to no observer, so `/audited ÷ /verified` is the cost of
//! observability.
//!
//! ```sh
//! COGNIGY_WEBHOOK_SECRET=bench-secret PORT=18080 cargo run --release --features axum,audit --example load_target_axum
//! ```

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use cognigy_webhook::config::SECRET_VAR;
use cognigy_webhook::observe::{Audit, Stats};
use cognigy_webhook::tower::VerifyWebhookLayer;
use cognigy_webhook::{Profile, Secret, Verifier};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

async fn handler(body: Bytes) -> &'static str {
    // Both routes see the body; only one of them verified it first.
    std::hint::black_box(body);
    r#"{"status":"processed"}"#
}

async fn inline(
    State(verifier): State<Verifier>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<&'static str, StatusCode> {
    match verifier.verify(&headers, &body) {
        Ok(_) => Ok(handler(body).await),
        Err(_) => Err(StatusCode::UNAUTHORIZED),
    }
}

async fn mac(State(key): State<&'static str>, body: Bytes) -> &'static str {
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).expect("any key length");
    mac.update(&body);
    std::hint::black_box(mac.finalize());
    handler(body).await
}

/// `/audited`: the layer with audit events, metrics and statistics on.
fn audited(verifier: Verifier) -> Result<Router, Box<dyn std::error::Error>> {
    use tracing_subscriber::layer::SubscriberExt;

    /// Receives every audit event (so each is built and dispatched) and
    /// counts it, without the cost of formatting or writing it anywhere.
    struct CountEvents(AtomicU64);
    impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for CountEvents {
        fn on_event(&self, _: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
    let subscriber = tracing_subscriber::registry().with(CountEvents(AtomicU64::new(0)));
    tracing::subscriber::set_global_default(subscriber)?;
    metrics_exporter_prometheus::PrometheusBuilder::new().install_recorder()?;
    let observer = (Audit::new(), Arc::new(Stats::new()));
    Ok(Router::new()
        .route("/audited", post(handler))
        .route_layer(VerifyWebhookLayer::new(verifier).with_observer(observer)))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let raw_secret: &'static str = std::env::var(SECRET_VAR)?.leak();
    let secret = Secret::from_env_value(SECRET_VAR, raw_secret)?;
    let port: u16 = std::env::var("PORT").map_or(Ok(18080), |p| p.parse())?;
    let verifier = Verifier::new(Profile::hex_millis(), secret);
    let app = Router::new()
        .route("/plain", post(handler))
        .route("/inline", post(inline).with_state(verifier.clone()))
        .route("/mac", post(mac).with_state(raw_secret.trim_end()))
        .merge(
            Router::new()
                .route("/verified", post(handler))
                .route_layer(VerifyWebhookLayer::new(verifier.clone()).with_observer(())),
        )
        .merge(audited(verifier)?);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("load target listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
