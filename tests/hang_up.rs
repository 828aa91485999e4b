//! A sender that hangs up while its verified delivery is being handled, on
//! real servers on 127.0.0.1. By default the server cancels the handler and
//! the replay guard releases the delivery, so the retry runs the handler
//! again — also when the cancelled run had done its work. With
//! `with_detached_handler` the handler finishes, its answer keeps the
//! delivery, and a replay is refused.
#![cfg(all(feature = "axum", feature = "actix", feature = "memory"))]

mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use cognigy_webhook::replay::{MemoryStore, ReplayGuard};
use cognigy_webhook::{Profile, Secret, Signer, Verifier};

const SECRET: &str = "hang-up-secret";
const PATH: &str = "/webhooks/cognigy";
/// How long the handler works before it answers.
const WORK: Duration = Duration::from_millis(400);

fn verifier() -> Verifier {
    Verifier::new(Profile::hex_millis(), Secret::new(SECRET).unwrap())
}

fn guard() -> ReplayGuard {
    ReplayGuard::new(MemoryStore::new(100))
}

/// Handler runs that finished their work.
type Done = Arc<AtomicUsize>;

async fn axum_server(detached: bool, done: Done) -> SocketAddr {
    use cognigy_webhook::tower::VerifyWebhookLayer;
    let mut layer = VerifyWebhookLayer::new(verifier())
        .with_replay_guard(guard())
        .unwrap();
    if detached {
        layer = layer.with_detached_handler();
    }
    let handler = move || async move {
        tokio::time::sleep(WORK).await;
        done.fetch_add(1, Ordering::SeqCst);
        "processed"
    };
    let app = axum::Router::new().route(PATH, axum::routing::post(handler).layer(layer));
    support::servers::serve_axum(app).await
}

fn actix_server(detached: bool, done: Done) -> SocketAddr {
    use actix_web::{App, web};
    use cognigy_webhook::actix::WebhookVerification;

    async fn handler(done: web::Data<Done>) -> &'static str {
        actix_web::rt::time::sleep(WORK).await;
        done.fetch_add(1, Ordering::SeqCst);
        "processed"
    }

    support::servers::serve_actix(1, move || {
        let mut middleware = WebhookVerification::new(verifier())
            .with_replay_guard(guard())
            .unwrap();
        if detached {
            middleware = middleware.with_detached_handler();
        }
        App::new().app_data(web::Data::new(done.clone())).service(
            web::resource(PATH)
                .wrap(middleware)
                .route(web::post().to(handler)),
        )
    })
}

/// Posts the signed `body`, giving up after `patience`: the status, or
/// `None` when the sender hung up first.
async fn post(addr: SocketAddr, body: &'static str, patience: Duration) -> Option<u16> {
    let signer = Signer::new(Profile::hex_millis(), Secret::new(SECRET).unwrap());
    let mut request = reqwest::Client::new()
        .post(format!("http://{addr}{PATH}"))
        .timeout(patience)
        .body(body);
    for (name, value) in signer.sign(body.as_bytes(), SystemTime::now()).iter() {
        request = request.header(name, value);
    }
    request
        .send()
        .await
        .ok()
        .map(|answer| answer.status().as_u16())
}

/// Sends a delivery and hangs up while the handler works, waits until the
/// handler would have finished, then sends the same delivery again: that
/// status, and how many handler runs finished by then.
async fn replay_after_hang_up(addr: SocketAddr, done: &Done) -> (Option<u16>, usize) {
    let body = "{\"messageId\":\"m-hang-up\"}";
    assert_eq!(post(addr, body, WORK / 4).await, None, "the sender hung up");
    tokio::time::sleep(WORK * 2).await;
    let status = post(addr, body, Duration::from_secs(10)).await;
    (status, done.load(Ordering::SeqCst))
}

#[tokio::test]
async fn a_detached_handler_finishes_and_its_delivery_cannot_be_replayed() {
    let done = Done::default();
    let addr = axum_server(true, Arc::clone(&done)).await;
    assert_eq!(replay_after_hang_up(addr, &done).await, (Some(409), 1));

    // actix-web lets a handler finish when its sender hangs up (this passes
    // without the option too); here the detached run settles the delivery.
    let done = Done::default();
    let addr = actix_server(true, Arc::clone(&done));
    assert_eq!(replay_after_hang_up(addr, &done).await, (Some(409), 1));
}

/// The default, for contrast: hyper cancels the handler when the sender
/// hangs up, the delivery is released, and the retry runs the handler.
#[tokio::test]
async fn by_default_a_hang_up_cancels_the_handler_and_the_retry_runs_it() {
    let done = Done::default();
    let addr = axum_server(false, Arc::clone(&done)).await;
    assert_eq!(replay_after_hang_up(addr, &done).await, (Some(200), 1));
}
