//! A delivery whose handler never finished is not lost: when the handler's
//! future is dropped (an outer timeout, a client gone, shutdown) or the
//! handler panics, the replay guard releases the delivery's nonce, and the
//! sender's retry runs the handler — also when the request is dropped while
//! the store is still recording. Through the tower layer, with the
//! in-memory store (wrapped to stall where a remote store can).
#![cfg(all(feature = "tower", feature = "memory"))]

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use cognigy_webhook::replay::{
    Claim, Delivery, Freshness, MemoryStore, Nonce, ReplayGuard, ReplayStore, StoreFuture,
};
use cognigy_webhook::tower::VerifyWebhookLayer;
use cognigy_webhook::{Profile, Secret, Signer, Verifier};
use futures_util::FutureExt;
use http::{Request, Response};
use http_body_util::Full;
use tower::{Layer, Service, ServiceExt};

const SECRET: &str = "release-secret";

fn request(body: &'static str) -> Request<Full<Bytes>> {
    let signer = Signer::new(Profile::hex_millis(), Secret::new(SECRET).unwrap());
    let mut request = Request::post("/webhooks/cognigy");
    for (name, value) in signer.sign(body.as_bytes(), SystemTime::now()).iter() {
        request = request.header(name, value);
    }
    request
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .unwrap()
}

/// The layer with a replay guard around a handler that misbehaves (as
/// `first` says) on its first run and answers 200 afterwards; counts runs.
fn service(
    first: &'static str,
    detached: bool,
) -> (
    impl Service<
        Request<Full<Bytes>>,
        Response = Response<impl http_body::Body>,
        Error = Infallible,
        Future = impl Send,
    > + Clone
    + Send
    + 'static,
    Arc<AtomicUsize>,
) {
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&runs);
    let handler = tower::service_fn(move |_: Request<Full<Bytes>>| {
        let run = counted.fetch_add(1, Ordering::SeqCst);
        async move {
            if run == 0 {
                match first {
                    "hang" => tokio::time::sleep(Duration::from_secs(3600)).await,
                    _ => panic!("the handler failed on its first run"),
                }
            }
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"processed"))))
        }
    });
    let verifier = Verifier::new(Profile::hex_millis(), Secret::new(SECRET).unwrap());
    let mut layer = VerifyWebhookLayer::new(verifier)
        .with_replay_guard(ReplayGuard::new(MemoryStore::new(100)))
        .unwrap();
    if detached {
        layer = layer.with_detached_handler();
    }
    (layer.layer(handler), runs)
}

/// Status of the second delivery of the same request, after the first was
/// abandoned; and how often the handler ran.
async fn retry_after(first: &'static str, detached: bool) -> (u16, usize) {
    let (service, runs) = service(first, detached);
    let delivery = "{\"messageId\":\"m-release\"}";
    let abandoned = service.clone().oneshot(request(delivery));
    match first {
        "hang" => {
            // An outer timeout drops the whole future, handler included.
            let outcome = tokio::time::timeout(Duration::from_millis(100), abandoned).await;
            assert!(outcome.is_err(), "the first delivery should have hung");
        }
        _ => {
            let outcome = tokio::spawn(abandoned).await;
            assert!(outcome.is_err(), "the first delivery should have panicked");
        }
    }
    // The release runs in the background.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let response = service.oneshot(request(delivery)).await.unwrap();
    (response.status().as_u16(), runs.load(Ordering::SeqCst))
}

#[tokio::test]
async fn a_dropped_handler_future_releases_the_delivery() {
    assert_eq!(retry_after("hang", false).await, (200, 2));
}

#[tokio::test]
async fn a_panicking_handler_releases_the_delivery() {
    assert_eq!(retry_after("panic", false).await, (200, 2));
    // Detached, the panic reaches the request's future all the same.
    assert_eq!(retry_after("panic", true).await, (200, 2));
}

/// A memory store whose first `record` stalls for an hour — after recording
/// (`record_then_stall`) or before (`stall_then_record`) — as a remote store
/// can while its reply is on the wire.
struct Stalling {
    inner: MemoryStore,
    record_first: bool,
    calls: AtomicUsize,
}

impl ReplayStore for Stalling {
    fn record<'a>(&'a self, delivery: Delivery<'a>, ttl: Duration) -> StoreFuture<'a, Freshness> {
        let first = self.calls.fetch_add(1, Ordering::SeqCst) == 0;
        Box::pin(async move {
            if first && !self.record_first {
                tokio::time::sleep(Duration::from_secs(3600)).await;
            }
            let freshness = self.inner.record(delivery, ttl).await;
            if first && self.record_first {
                tokio::time::sleep(Duration::from_secs(3600)).await;
            }
            freshness
        })
    }

    fn release<'a>(&'a self, nonce: &'a Nonce, claim: Claim) -> StoreFuture<'a, ()> {
        self.inner.release(nonce, claim)
    }
}

/// Sends a delivery whose store record stalls (after or before recording,
/// as `record_first` says) and drops it after ~100 ms; with `hang_second`,
/// meanwhile a second attempt records the nonce and its handler hangs.
/// Then sends the delivery once more: returns that status and how often
/// the handler ran.
async fn stalled_record(record_first: bool, hang_second: bool) -> (u16, usize) {
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&runs);
    let handler = tower::service_fn(move |_: Request<Full<Bytes>>| {
        let run = counted.fetch_add(1, Ordering::SeqCst);
        async move {
            if hang_second && run == 0 {
                tokio::time::sleep(Duration::from_secs(3600)).await;
            }
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"processed"))))
        }
    });
    let store = Stalling {
        inner: MemoryStore::new(100),
        record_first,
        calls: AtomicUsize::new(0),
    };
    let verifier = Verifier::new(Profile::hex_millis(), Secret::new(SECRET).unwrap());
    let service = VerifyWebhookLayer::new(verifier)
        .with_replay_guard(ReplayGuard::new(store))
        .unwrap()
        .layer(handler);
    let delivery = "{\"messageId\":\"m-stalled\"}";
    let stalled = tokio::spawn(service.clone().oneshot(request(delivery)).map(|_| ()));
    if hang_second {
        // While the first attempt stalls before recording, a second one
        // records the nonce and its handler is still running.
        tokio::time::sleep(Duration::from_millis(20)).await;
        let running = tokio::spawn(service.clone().oneshot(request(delivery)));
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!running.is_finished());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    stalled.abort();
    assert!(stalled.await.unwrap_err().is_cancelled());
    tokio::time::sleep(Duration::from_millis(100)).await;
    let response = service.oneshot(request(delivery)).await.unwrap();
    (response.status().as_u16(), runs.load(Ordering::SeqCst))
}

#[tokio::test]
async fn a_request_dropped_while_its_nonce_was_recorded_releases_it() {
    // The record was made, then the request was dropped: the retry runs.
    assert_eq!(stalled_record(true, false).await, (200, 1));
}

#[tokio::test]
async fn a_dropped_attempt_never_releases_a_concurrent_duplicates_record() {
    // The dropped attempt never recorded; the one that did is still being
    // handled, so a third attempt is a duplicate (409) and the handler ran
    // once.
    assert_eq!(stalled_record(false, true).await, (409, 1));
}
