//! The request-path cost of observability: one signed 1 KiB delivery through
//! the tower layer (a `ServiceBuilder` stack, driven in-process) with the
//! observer off (`()`) against the same with audit events, metrics and
//! statistics on (`(Audit, Arc<Stats>)`, a Prometheus recorder installed and
//! a `tracing` subscriber that receives every audit event without formatting
//! it), in alternating batches; the median of the per-round ratios, with the
//! quartiles. Accepted and refused deliveries both.
//!
//! Run: `cargo bench --features axum,audit --bench audit_ab`

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use bytes::Bytes;
use cognigy_webhook::clock::FixedClock;
use cognigy_webhook::observe::{Audit, Stats};
use cognigy_webhook::tower::VerifyWebhookLayer;
use cognigy_webhook::{Profile, Secret, Signer, Verifier};
use http_body_util::Full;
use tower::util::BoxCloneService;
use tower::{Service, ServiceBuilder, ServiceExt};
use tracing_subscriber::layer::SubscriberExt;

#[path = "shared/interleaved.rs"]
mod interleaved;
use interleaved::ratio;

type Stack = BoxCloneService<
    http::Request<Full<Bytes>>,
    http::Response<http_body_util::Either<Full<Bytes>, Full<Bytes>>>,
    Infallible,
>;

const SECRET: &str = "benchmark-shared-secret-0123456789";

/// Receives every audit event, as a real subscriber would, and counts it.
struct CountEvents(Arc<AtomicU64>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for CountEvents {
    fn on_event(&self, _: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

fn main() {
    let events = Arc::new(AtomicU64::new(0));
    let subscriber = tracing_subscriber::registry().with(CountEvents(events.clone()));
    tracing::subscriber::set_global_default(subscriber).unwrap();
    let prometheus = metrics_exporter_prometheus::PrometheusBuilder::new()
        .install_recorder()
        .unwrap();

    let now = SystemTime::now();
    let profile = Profile::hex_millis();
    let verifier = Verifier::builder(profile.clone())
        .secret(Secret::new(SECRET).unwrap())
        .clock(FixedClock::new(now))
        .build()
        .unwrap();
    let body = vec![b'x'; 1024];
    let signed = Signer::new(profile, Secret::new(SECRET).unwrap()).sign(&body, now);
    let request = |valid: bool| {
        let mut builder = http::Request::post("/hook");
        for (name, value) in signed.iter() {
            builder = builder.header(name, value);
        }
        let mut body = body.clone();
        if !valid {
            body[0] ^= 1;
        }
        builder.body(Full::new(Bytes::from(body))).unwrap()
    };
    let handler = tower::service_fn(|_: http::Request<Full<Bytes>>| async {
        Ok::<_, Infallible>(http::Response::new(Full::new(Bytes::from_static(b"ok"))))
    });
    let stats = Arc::new(Stats::new());
    let quiet: Stack = BoxCloneService::new(
        ServiceBuilder::new()
            .layer(VerifyWebhookLayer::new(verifier.clone()).with_observer(()))
            .service(handler),
    );
    let audited: Stack = BoxCloneService::new(
        ServiceBuilder::new()
            .layer(VerifyWebhookLayer::new(verifier).with_observer((Audit::new(), stats.clone())))
            .service(handler),
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    println!("audit + metrics + stats on ÷ off, per request through the tower layer (1 KiB body)");
    println!("| delivery | median | quartiles | off: time per request | on: added per request |");
    println!("|---|---|---|---|---|");
    for (label, valid, status) in [
        ("accepted", true, 200),
        ("refused (signature_mismatch)", false, 401),
    ] {
        let (mut quiet, mut audited) = (quiet.clone(), audited.clone());
        let (quiet_request, audited_request) = (request(valid), request(valid));
        let run = |service: &mut Stack, request: &http::Request<Full<Bytes>>| {
            let response = runtime
                .block_on(async { service.ready().await?.call(request.clone()).await })
                .unwrap();
            assert_eq!(response.status(), status);
        };
        let (median, low, high) = ratio(
            || run(&mut quiet, &quiet_request),
            || run(&mut audited, &audited_request),
            200,
        );
        let started = std::time::Instant::now();
        for _ in 0..20_000 {
            run(&mut quiet, &quiet_request);
        }
        let quiet_ns = started.elapsed().as_nanos() as f64 / 20_000.0;
        println!(
            "| {label} | {median:.3} | {low:.3}–{high:.3} | {quiet_ns:.0} ns | {:.0} ns |",
            (median - 1.0) * quiet_ns
        );
    }
    let snapshot = stats.snapshot();
    assert!(events.load(Ordering::Relaxed) >= snapshot.total_requests);
    assert!(
        prometheus
            .render()
            .contains("cognigy_webhook_requests_total")
    );
}
