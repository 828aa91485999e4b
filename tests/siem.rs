//! SIEM forwarding against real HTTP servers on 127.0.0.1: a SIEM that
//! answers 200, then 429 with `Retry-After`, then 500, then goes away; one
//! that never answers; and a slow one at shutdown. Events come from real
//! deliveries through the tower layer, so they are the adapters' own.
#![cfg(all(feature = "axum", feature = "siem"))]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use cognigy_webhook::observe::siem::{SiemConfig, SiemForwarder};
use cognigy_webhook::retry::RetryPolicy;
use cognigy_webhook::tower::VerifyWebhookLayer;
use cognigy_webhook::{Profile, Secret, Signer, Verifier};
use serde_json::Value;

const SECRET: &str = "siem-test-secret-do-not-log";

/// What the SIEM answers to its n-th request (the last entry repeats).
#[derive(Clone, Copy)]
enum Answer {
    Ok,
    TooManyRequests(&'static str),
    ServerError,
    SlowOk(Duration),
}

#[derive(Default)]
struct SiemLog {
    /// Arrival time and body of every POST.
    posts: Vec<(Instant, Vec<Value>)>,
}

#[derive(Clone)]
struct SiemState {
    script: Arc<Vec<Answer>>,
    log: Arc<Mutex<SiemLog>>,
}

async fn siem_endpoint(
    State(state): State<SiemState>,
    body: axum::body::Bytes,
) -> axum::response::Response {
    let events: Vec<Value> = serde_json::from_slice(&body).expect("a JSON array of events");
    let answer = {
        let mut log = state.log.lock().unwrap();
        log.posts.push((Instant::now(), events));
        let index = (log.posts.len() - 1).min(state.script.len() - 1);
        state.script[index]
    };
    match answer {
        Answer::Ok => StatusCode::OK.into_response(),
        Answer::TooManyRequests(retry_after) => (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", retry_after)],
        )
            .into_response(),
        Answer::ServerError => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        Answer::SlowOk(delay) => {
            tokio::time::sleep(delay).await;
            StatusCode::OK.into_response()
        }
    }
}

/// A SIEM on 127.0.0.1 following `script`; abort the handle to make it go
/// away.
async fn start_siem(
    script: Vec<Answer>,
) -> (SocketAddr, Arc<Mutex<SiemLog>>, tokio::task::JoinHandle<()>) {
    let log = Arc::new(Mutex::new(SiemLog::default()));
    let state = SiemState {
        script: Arc::new(script),
        log: log.clone(),
    };
    let app = axum::Router::new()
        .route("/events", axum::routing::post(siem_endpoint))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, log, server)
}

/// A webhook receiver whose layer reports to `siem`.
async fn start_receiver(siem: SiemForwarder) -> SocketAddr {
    let verifier = Verifier::new(Profile::webhook_hex(), Secret::new(SECRET).unwrap());
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(|| async { "ok" }))
        .route_layer(VerifyWebhookLayer::new(verifier).with_observer(siem));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = app.into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await.unwrap() });
    addr
}

/// Sends one delivery with correlation id `id`: signed properly, or with a
/// wrong signature. Returns the status and how long the answer took.
async fn deliver(
    client: &reqwest::Client,
    receiver: SocketAddr,
    id: &str,
    valid: bool,
) -> (u16, Duration) {
    let body = format!(r#"{{"messageId":"{id}"}}"#);
    let secret = if valid { SECRET } else { "some-other-secret" };
    let headers =
        Signer::new(Profile::webhook_hex(), Secret::new(secret).unwrap()).sign_now(body.as_bytes());
    let mut request = client.post(format!("http://{receiver}/hook")).body(body);
    for (name, value) in headers.iter() {
        request = request.header(name, value);
    }
    let started = Instant::now();
    let response = request
        .header("X-Cognigy-CorrelationId", id)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), started.elapsed())
}

fn metrics() -> &'static metrics_exporter_prometheus::PrometheusHandle {
    static HANDLE: OnceLock<metrics_exporter_prometheus::PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        metrics_exporter_prometheus::PrometheusBuilder::new()
            .install_recorder()
            .unwrap()
    })
}

/// Waits (bounded) until `done` holds.
async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn correlation_ids(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|event| event["correlationId"].as_str().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_follow_429_retry_after_and_backoff_and_give_up_when_the_siem_is_gone() {
    let (siem_addr, log, siem_server) = start_siem(vec![
        Answer::Ok,
        Answer::TooManyRequests("1"),
        Answer::ServerError,
        Answer::Ok,
    ])
    .await;
    let min_delay = Duration::from_millis(100);
    let config = SiemConfig::new(&format!("http://{siem_addr}/events"))
        .unwrap()
        .with_retry(RetryPolicy::new(4).with_backoff(min_delay, Duration::from_millis(400)))
        .with_request_timeout(Duration::from_secs(2));
    let siem = SiemForwarder::start(config).unwrap();
    let receiver = start_receiver(siem.clone()).await;
    let client = reqwest::Client::new();

    // 1: accepted at once.
    assert_eq!(deliver(&client, receiver, "event-1", true).await.0, 200);
    wait_for("the first event", || siem.report().sent == 1).await;

    // 2: 429 with Retry-After: 1, then 500, then 200.
    assert_eq!(deliver(&client, receiver, "event-2", false).await.0, 401);
    wait_for("the second event", || siem.report().sent == 2).await;
    let posts = log.lock().unwrap().posts.clone();
    assert_eq!(posts.len(), 4, "one POST, then three for the second event");
    assert_eq!(correlation_ids(&posts[0].1), ["event-1"]);
    for (_, events) in &posts[1..] {
        assert_eq!(
            correlation_ids(events),
            ["event-2"],
            "the same batch is retried"
        );
    }
    let after_429 = posts[2].0 - posts[1].0;
    assert!(
        after_429 >= Duration::from_secs(1) && after_429 < Duration::from_millis(1500),
        "Retry-After: 1 honoured: {after_429:?}"
    );
    let after_500 = posts[3].0 - posts[2].0;
    // The 429 used up the first backoff step (100 ms), so this is the
    // second: 200 ms plus up to 100 % jitter.
    assert!(
        after_500 >= 2 * min_delay && after_500 < 4 * min_delay + Duration::from_millis(150),
        "second backoff step is 2 × min_delay plus jitter: {after_500:?}"
    );

    // Complete events: every field of the verified and the refused one.
    let verified = &posts[0].1[0];
    assert_eq!(verified["event"], "webhook_verification_success");
    assert_eq!(verified["outcome"], "verified");
    assert_eq!(verified["profile"], "webhook-hex");
    assert_eq!(verified["path"], "/hook");
    assert_eq!(verified["ip"], "127.0.0.1");
    assert_eq!(verified["keyIndex"], 0);
    assert!(verified["reason"].is_null());
    assert!(verified["driftMs"].is_i64() && verified["latencyUs"].is_u64());
    assert_eq!(verified["requestId"].as_str().unwrap().len(), 36);
    assert!(verified["timestamp"].as_str().unwrap().ends_with('Z'));
    let refused = &posts[1].1[0];
    assert_eq!(refused["event"], "webhook_verification_failed");
    assert_eq!(refused["reason"], "signature_mismatch");
    assert!(refused["keyIndex"].is_null());
    let everything =
        serde_json::to_string(&posts.iter().map(|p| &p.1).collect::<Vec<_>>()).unwrap();
    assert!(!everything.contains(SECRET));

    // 3: the SIEM goes away; four tries, then the batch is given up.
    siem_server.abort();
    let _ = siem_server.await;
    let started = Instant::now();
    assert_eq!(deliver(&client, receiver, "event-3", true).await.0, 200);
    wait_for("giving up", || siem.report().dropped_gave_up == 1).await;
    // Three waits of at least 100, 200 and 400 ms.
    assert!(
        started.elapsed() >= Duration::from_millis(700),
        "{:?}",
        started.elapsed()
    );
    let report = siem.report();
    assert_eq!((report.sent, report.retries, report.dropped()), (2, 5, 1));
    assert!(
        metrics()
            .render()
            .contains(r#"cognigy_webhook_siem_dropped_total{cause="gave_up"} 1"#)
    );
    siem.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_siem_never_holds_requests_up_and_drops_are_counted() {
    metrics();
    // A SIEM that accepts connections and never answers.
    let hanging = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let siem_addr = hanging.local_addr().unwrap();
    let accepted = tokio::spawn(async move {
        let mut open = Vec::new();
        loop {
            let (stream, _) = hanging.accept().await.unwrap();
            open.push(stream);
        }
    });
    let config = SiemConfig::new(&format!("http://{siem_addr}/events"))
        .unwrap()
        .with_queue_capacity(4)
        .with_batch_size(1)
        .with_request_timeout(Duration::from_secs(30));
    let siem = SiemForwarder::start(config).unwrap();
    let receiver = start_receiver(siem.clone()).await;
    let client = reqwest::Client::new();

    let mut slowest = Duration::ZERO;
    for n in 0..50 {
        let (status, took) = deliver(&client, receiver, &format!("hang-{n}"), n % 2 == 0).await;
        assert_eq!(status, if n % 2 == 0 { 200 } else { 401 });
        slowest = slowest.max(took);
    }
    assert!(
        slowest < Duration::from_millis(250),
        "slowest request {slowest:?}"
    );
    // One batch in flight, four queued, the other 45 dropped — or, for the
    // refusals past the budget (two, half the queue), counted instead.
    let report = siem.report();
    let not_queued = report.dropped_queue_full + report.aggregated;
    assert!((45..=46).contains(&not_queued), "{report:?}");
    assert_eq!(report.aggregated, 25 - 2, "{report:?}");
    let rendered = metrics().render();
    let line = format!(
        r#"cognigy_webhook_siem_dropped_total{{cause="queue_full"}} {}"#,
        report.dropped_queue_full
    );
    assert!(rendered.contains(&line), "{rendered}");

    // Shutdown cannot flush into a SIEM that never answers: it stops at the
    // deadline and counts what was still waiting.
    let started = Instant::now();
    let report = siem.shutdown(Duration::from_millis(300)).await;
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(report.sent, 0);
    assert_eq!(report.dropped() + report.aggregated, 50, "{report:?}");
    // After shutdown, events are refused at once and counted.
    assert_eq!(deliver(&client, receiver, "late", true).await.0, 200);
    assert_eq!(siem.report().dropped_closed, report.dropped_closed + 1);
    accepted.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_flushes_every_queued_event_in_order() {
    let (siem_addr, log, _server) =
        start_siem(vec![Answer::SlowOk(Duration::from_millis(50))]).await;
    let config = SiemConfig::new(&format!("http://{siem_addr}/events"))
        .unwrap()
        .with_batch_size(3);
    let siem = SiemForwarder::start(config).unwrap();
    let receiver = start_receiver(siem.clone()).await;
    let client = reqwest::Client::new();
    let ids: Vec<String> = (0..20).map(|n| format!("flush-{n:02}")).collect();
    for id in &ids {
        deliver(&client, receiver, id, true).await;
    }
    // The slow SIEM is still behind: several events are still queued.
    assert!(siem.report().sent < 20);
    let report = siem.shutdown(Duration::from_secs(10)).await;
    assert_eq!((report.sent, report.dropped()), (20, 0), "{report:?}");
    let log = log.lock().unwrap();
    let received: Vec<&str> = log
        .posts
        .iter()
        .flat_map(|(_, events)| correlation_ids(events))
        .collect();
    assert_eq!(received, ids.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(log.posts.iter().all(|(_, events)| events.len() <= 3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_refusals_is_aggregated_and_genuine_events_still_arrive() {
    // A slow SIEM: the queue would fill with refusals long before it drains.
    let slow = Answer::SlowOk(Duration::from_millis(200));
    let (siem_addr, log, _server) = start_siem(vec![slow]).await;
    let config = SiemConfig::new(&format!("http://{siem_addr}/events"))
        .unwrap()
        .with_queue_capacity(16)
        .with_refusal_budget(4, Duration::from_millis(300));
    let siem = SiemForwarder::start(config).unwrap();
    let receiver = start_receiver(siem.clone()).await;
    let client = reqwest::Client::new();
    let refusals = 200;
    let mut genuine = Vec::new();
    for n in 0..refusals {
        assert_eq!(
            deliver(&client, receiver, &format!("flood-{n}"), false)
                .await
                .0,
            401
        );
        if n % 50 == 0 {
            let id = format!("genuine-{n}");
            assert_eq!(deliver(&client, receiver, &id, true).await.0, 200);
            genuine.push(id);
        }
    }
    let report = siem.shutdown(Duration::from_secs(5)).await;
    assert_eq!(report.dropped(), 0, "{report:?}");

    let events: Vec<Value> = log
        .lock()
        .unwrap()
        .posts
        .iter()
        .flat_map(|(_, events)| events.clone())
        .collect();
    // Every genuine event arrived.
    let ids: Vec<&str> = events
        .iter()
        .filter_map(|event| event["correlationId"].as_str())
        .collect();
    for id in &genuine {
        assert!(ids.contains(&id.as_str()), "{id} missing");
    }
    // Each refusal either went out on its own or was counted in a record.
    let one_by_one = events
        .iter()
        .filter(|event| event["event"] == "webhook_verification_failed")
        .count() as u64;
    let counted: u64 = events
        .iter()
        .filter(|event| event["event"] == "webhook_refusals_aggregated")
        .flat_map(|record| record["counts"].as_array().unwrap().clone())
        .map(|count| {
            assert_eq!(count["reason"], "signature_mismatch");
            assert_eq!(count["profile"], "webhook-hex");
            count["count"].as_u64().unwrap()
        })
        .sum();
    assert_eq!(one_by_one + counted, refusals, "{report:?}");
    assert_eq!(counted, report.aggregated);
    assert!(counted > 0, "the flood was not aggregated: {report:?}");
}
