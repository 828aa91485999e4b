//! A nonce names the delivery, not one of its signatures: a delivery signed
//! with an old and a new secret during a rotation (`sigOld sigNew`) is
//! accepted once, and then refused with either signature alone. Both
//! adapters, all three stores (Redis and PostgreSQL as `scripts/with-services`
//! starts them).
#![cfg(all(feature = "axum", feature = "actix", feature = "stores"))]

mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

use cognigy_webhook::actix::WebhookVerification;
use cognigy_webhook::replay::{MemoryStore, PostgresStore, RedisStore, ReplayGuard, ReplayStore};
use cognigy_webhook::tower::VerifyWebhookLayer;
use cognigy_webhook::{Profile, Secret, Signer, Verifier};
use support::servers::{PATH, serve_actix, serve_axum};
use support::service_url;

const OLD: &str = "rotation-old-secret";
const NEW: &str = "rotation-new-secret";

/// The receiver's verifier during the rotation: both secrets active.
fn verifier() -> Verifier {
    Verifier::builder(Profile::hex_millis())
        .secret(Secret::new(NEW).unwrap())
        .secret(Secret::new(OLD).unwrap())
        .build()
        .unwrap()
}

/// The signature header value of `body` under `secret`, and the timestamp.
fn sign(secret: &str, body: &str, at: SystemTime) -> (String, String) {
    let headers =
        Signer::new(Profile::hex_millis(), Secret::new(secret).unwrap()).sign(body.as_bytes(), at);
    (
        headers.get("X-Cognigy-Signature").unwrap().to_owned(),
        headers.get("X-Cognigy-Timestamp").unwrap().to_owned(),
    )
}

async fn deliver(addr: SocketAddr, signature: &str, timestamp: &str, body: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("http://{addr}{PATH}"))
        .header("X-Cognigy-Signature", signature)
        .header("X-Cognigy-Timestamp", timestamp)
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn axum_with(guard: ReplayGuard) -> SocketAddr {
    let app = axum::Router::new()
        .route(PATH, axum::routing::post(|| async { "processed" }))
        .route_layer(
            VerifyWebhookLayer::new(verifier())
                .with_replay_guard(guard)
                .unwrap(),
        );
    serve_axum(app).await
}

fn actix_with(guard: ReplayGuard) -> SocketAddr {
    use actix_web::{App, HttpResponse, web};
    serve_actix(1, move || {
        let middleware = WebhookVerification::new(verifier())
            .with_replay_guard(guard.clone())
            .unwrap();
        App::new().service(
            web::resource(PATH)
                .wrap(middleware)
                .route(web::post().to(|| async { HttpResponse::Ok().body("processed") })),
        )
    })
}

/// Both signatures once, then each alone: 200, 409, 409.
async fn rotation_statuses(addr: SocketAddr) -> [u16; 3] {
    let body = format!(r#"{{"messageId":"{}"}}"#, uuid::Uuid::new_v4());
    let now = SystemTime::now();
    let (old, timestamp) = sign(OLD, &body, now);
    let (new, _) = sign(NEW, &body, now);
    [
        deliver(addr, &format!("{old} {new}"), &timestamp, &body).await,
        deliver(addr, &new, &timestamp, &body).await,
        deliver(addr, &old, &timestamp, &body).await,
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_delivery_is_one_delivery_in_every_store_and_adapter() {
    let mut stores: Vec<(&str, Arc<dyn ReplayStore>)> =
        vec![("memory", Arc::new(MemoryStore::new(1000)))];
    if let Some(url) = service_url("REDIS_URL") {
        let store = RedisStore::connect(&url).await.unwrap();
        stores.push(("redis", Arc::new(store.with_prefix("rotation:"))));
    }
    if let Some(url) = service_url("DATABASE_URL") {
        let store = PostgresStore::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        stores.push(("postgres", Arc::new(store)));
    }
    for (name, store) in stores {
        let axum = axum_with(ReplayGuard::shared(Arc::clone(&store))).await;
        let actix = actix_with(ReplayGuard::shared(Arc::clone(&store)));
        for (adapter, addr) in [("axum", axum), ("actix", actix)] {
            assert_eq!(
                rotation_statuses(addr).await,
                [200, 409, 409],
                "{name} store through {adapter}"
            );
        }
    }
}

/// A tolerance whose nonces a store cannot keep that long is refused when
/// the guard is installed, not answered with 503s later.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ttl_the_store_cannot_hold_is_refused_at_start_up() {
    let centuries = std::time::Duration::from_secs(200 * 365 * 24 * 60 * 60);
    let verifier = Verifier::builder(Profile::hex_millis())
        .secret(Secret::new(NEW).unwrap())
        .tolerance(centuries)
        .build()
        .unwrap();
    let install = |store: Arc<dyn ReplayStore>| {
        VerifyWebhookLayer::new(verifier.clone()).with_replay_guard(ReplayGuard::shared(store))
    };
    assert!(install(Arc::new(MemoryStore::new(10))).is_ok());
    let mut servers: Vec<Arc<dyn ReplayStore>> = Vec::new();
    if let Some(url) = service_url("REDIS_URL") {
        servers.push(Arc::new(RedisStore::connect(&url).await.unwrap()));
    }
    if let Some(url) = service_url("DATABASE_URL") {
        servers.push(Arc::new(PostgresStore::connect(&url).await.unwrap()));
    }
    for store in servers {
        let refused = install(store).unwrap_err();
        assert!(
            matches!(refused, cognigy_webhook::ConfigError::TtlTooLong { .. }),
            "{refused}"
        );
    }
}
