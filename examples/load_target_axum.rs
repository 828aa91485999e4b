//! The server of the loopback load benchmark (`benches/http_load.sh`): the
//! same handler on three routes, `/plain` (reads the body, no verification),
//! `/verified` (behind `VerifyWebhookLayer`, profile `hex-millis`),
//! `/inline` (the handler calls `Verifier::verify` itself: the cost of
//! verifying without the layer's mechanics) and `/mac` (the handler only
//! computes the bare HMAC of the body: the floor for any verifier), on one
//! Tokio thread so that pinning the process pins the whole server.
//!
//! ```sh
//! COGNIGY_WEBHOOK_SECRET=bench-secret PORT=18080 cargo run --release --features axum --example load_target_axum
//! ```

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use cognigy_webhook::tower::VerifyWebhookLayer;
use cognigy_webhook::{Profile, SECRET_VAR, Secret, Verifier};

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
                .route_layer(VerifyWebhookLayer::new(verifier)),
        );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("load target listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
