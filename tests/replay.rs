//! Replay protection through real HTTP servers on 127.0.0.1: the memory
//! store, and Redis and PostgreSQL servers started by `scripts/with-services`
//! (`REDIS_URL`, `DATABASE_URL`). Without those variables the Redis and
//! PostgreSQL tests say loudly that they were skipped, and fail under CI.
#![cfg(all(feature = "axum", feature = "memory"))]

mod support;

use support::service_url;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use axum::http::StatusCode;
use axum::routing::post;
use cognigy_webhook::replay::{
    Claim, Delivery, Freshness, MemoryStore, Nonce, NonceSource, ReplayGuard, ReplayPolicy,
    ReplayStore, StoreError, StoreFuture,
};
use cognigy_webhook::tower::VerifyWebhookLayer;
use cognigy_webhook::{Profile, Secret, Signer, Verifier};
use serde_json::Value;

const PATH: &str = "/webhooks/cognigy";
const SECRET: &str = "replay-test-secret";

fn verifier() -> Verifier {
    Verifier::new(Profile::hex_millis(), Secret::new(SECRET).unwrap())
}

/// A body no other test sends, so tests sharing a store never collide.
fn unique_body() -> String {
    format!(
        r#"{{"messageId":"{}","text":"hello"}}"#,
        uuid::Uuid::new_v4()
    )
}

fn signed(body: &str) -> Vec<(String, String)> {
    Signer::new(Profile::hex_millis(), Secret::new(SECRET).unwrap())
        .sign(body.as_bytes(), SystemTime::now())
        .iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}

/// A test server; the handler counts its runs and answers
/// `failure_status` while `failures` is above zero.
struct Server {
    addr: SocketAddr,
    runs: Arc<AtomicUsize>,
    failures: Arc<AtomicUsize>,
    /// The status a failing run answers with (500 unless set).
    failure_status: Arc<AtomicU16>,
}

async fn serve(guard: ReplayGuard) -> Server {
    let runs = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(AtomicUsize::new(0));
    let failure_status = Arc::new(AtomicU16::new(500));
    let (counter, failing, status) = (runs.clone(), failures.clone(), failure_status.clone());
    let handler = move || {
        let failed = failing
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if !failed {
            counter.fetch_add(1, Ordering::SeqCst);
        }
        let status = StatusCode::from_u16(status.load(Ordering::SeqCst)).unwrap();
        async move {
            if failed {
                (status, r#"{"status":"failed"}"#)
            } else {
                (StatusCode::OK, r#"{"status":"processed"}"#)
            }
        }
    };
    let layer = VerifyWebhookLayer::new(verifier())
        .with_replay_guard(guard)
        .unwrap();
    let app = axum::Router::new()
        .route(PATH, post(handler))
        .route_layer(layer);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Server {
        addr,
        runs,
        failures,
        failure_status,
    }
}

async fn deliver(addr: SocketAddr, headers: &[(String, String)], body: &str) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("http://{addr}{PATH}"))
        .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_str());
    }
    let response = request.send().await.expect("server answers");
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// The same signed delivery `count` times at once, spread over `addrs`.
async fn burst(addrs: &[SocketAddr], count: usize) -> Vec<(u16, Value)> {
    let body = unique_body();
    let headers = signed(&body);
    let sends = (0..count).map(|i| {
        let (addr, headers, body) = (addrs[i % addrs.len()], headers.clone(), body.clone());
        tokio::spawn(async move { deliver(addr, &headers, &body).await })
    });
    let mut answers = Vec::new();
    for send in sends.collect::<Vec<_>>() {
        answers.push(send.await.unwrap());
    }
    answers
}

fn count(answers: &[(u16, Value)], status: u16, field: &str, value: &str) -> usize {
    answers
        .iter()
        .filter(|(s, body)| *s == status && body[field] == value)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_64_concurrent_deliveries_run_the_handler_once() {
    let server = serve(ReplayGuard::new(MemoryStore::new(10_000))).await;
    let answers = burst(&[server.addr], 64).await;
    assert_eq!(
        count(&answers, 200, "status", "processed"),
        1,
        "{answers:?}"
    );
    assert_eq!(
        count(&answers, 409, "reason", "replayed"),
        63,
        "{answers:?}"
    );
    assert_eq!(server.runs.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledge_policy_answers_duplicates_200_without_the_handler() {
    let guard = ReplayGuard::new(MemoryStore::new(10_000)).with_policy(ReplayPolicy::Acknowledge);
    let server = serve(guard).await;
    let answers = burst(&[server.addr], 16).await;
    assert_eq!(
        count(&answers, 200, "status", "processed"),
        1,
        "{answers:?}"
    );
    assert_eq!(
        count(&answers, 200, "status", "duplicate"),
        15,
        "{answers:?}"
    );
    assert_eq!(server.runs.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_memory_store_fails_closed() {
    // 16 shards of two entries each (one, plus one of slack).
    let server = serve(ReplayGuard::new(MemoryStore::new(16))).await;
    let mut statuses = Vec::new();
    for _ in 0..64 {
        let body = unique_body();
        statuses.push(deliver(server.addr, &signed(&body), &body).await);
    }
    let refused = count(&statuses, 503, "reason", "replay_store_unavailable");
    let processed = count(&statuses, 200, "status", "processed");
    assert!(
        refused >= 32 && processed <= 32,
        "refused {refused}, processed {processed}"
    );
    assert_eq!(refused + processed, 64);
    assert_eq!(server.runs.load(Ordering::SeqCst), processed);
}

/// "Keep them for good" is a time to live the memory store takes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_longest_time_to_live_is_taken() {
    let guard = ReplayGuard::new(MemoryStore::new(100)).with_ttl(Duration::MAX);
    let server = serve(guard).await;
    server.failures.store(1, Ordering::SeqCst);
    let body = unique_body();
    let headers = signed(&body);
    assert_eq!(deliver(server.addr, &headers, &body).await.0, 500);
    assert_eq!(deliver(server.addr, &headers, &body).await.0, 200);
    assert_eq!(deliver(server.addr, &headers, &body).await.0, 409);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nonces_expire_after_their_time_to_live() {
    let guard = ReplayGuard::new(MemoryStore::new(100)).with_ttl(Duration::from_millis(300));
    let server = serve(guard).await;
    let body = unique_body();
    let headers = signed(&body);
    assert_eq!(deliver(server.addr, &headers, &body).await.0, 200);
    assert_eq!(deliver(server.addr, &headers, &body).await.0, 409);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(deliver(server.addr, &headers, &body).await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_handler_releases_the_nonce_so_the_retry_runs() {
    let server = serve(ReplayGuard::new(MemoryStore::new(100))).await;
    server.failures.store(1, Ordering::SeqCst);
    let body = unique_body();
    let headers = signed(&body);
    assert_eq!(deliver(server.addr, &headers, &body).await.0, 500);
    assert_eq!(
        deliver(server.addr, &headers, &body).await,
        (200, serde_json::json!({"status": "processed"}))
    );
    assert_eq!(deliver(server.addr, &headers, &body).await.0, 409);
    assert_eq!(server.runs.load(Ordering::SeqCst), 1);
}

/// 408 and 429 say the handler did not take the delivery: released like a
/// 5xx, so the sender's retry runs. Any other 4xx is an answer: kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_asking_for_a_retry_releases_the_nonce_any_other_4xx_keeps_it() {
    let server = serve(ReplayGuard::new(MemoryStore::new(100))).await;
    for (status, retry) in [(429, 200), (408, 200), (503, 200), (422, 409), (400, 409)] {
        server.failure_status.store(status, Ordering::SeqCst);
        server.failures.store(1, Ordering::SeqCst);
        let body = unique_body();
        let headers = signed(&body);
        assert_eq!(deliver(server.addr, &headers, &body).await.0, status);
        assert_eq!(
            deliver(server.addr, &headers, &body).await.0,
            retry,
            "the retry after {status}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unverified_requests_cannot_burn_nonces() {
    let guard = ReplayGuard::new(MemoryStore::new(100))
        .with_nonce(NonceSource::UnsignedHeader("X-Event-Id".into()));
    let server = serve(guard).await;
    let body = unique_body();
    let mut forged = signed(r#"{"messageId":"forged"}"#);
    forged.push(("X-Event-Id".into(), "event-7".into()));
    assert_eq!(deliver(server.addr, &forged, &body).await.0, 401);
    let mut genuine = signed(&body);
    genuine.push(("X-Event-Id".into(), "event-7".into()));
    assert_eq!(deliver(server.addr, &genuine, &body).await.0, 200);
    assert_eq!(deliver(server.addr, &genuine, &body).await.0, 409);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_json_nonce_is_refused() {
    let guard = ReplayGuard::new(MemoryStore::new(100))
        .with_nonce(NonceSource::JsonPointer("/event_id".into()));
    let server = serve(guard).await;
    let body = unique_body();
    assert_eq!(
        deliver(server.addr, &signed(&body), &body).await.1["reason"],
        "missing_nonce"
    );
    let body = r#"{"event_id":"evt-1"}"#;
    assert_eq!(deliver(server.addr, &signed(body), body).await.0, 200);
}

/// A store whose server is gone, for the fail-closed/fail-open policy.
struct Unreachable;

impl ReplayStore for Unreachable {
    fn record<'a>(&'a self, _: Delivery<'a>, _: Duration) -> StoreFuture<'a, Freshness> {
        Box::pin(async { Err(StoreError::Unavailable("connection refused".into())) })
    }
    fn release<'a>(&'a self, _: &'a Nonce, _: Claim) -> StoreFuture<'a, ()> {
        Box::pin(async { Err(StoreError::Unavailable("connection refused".into())) })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_errors_fail_closed_unless_fail_open_is_chosen() {
    let body = unique_body();
    let closed = serve(ReplayGuard::new(Unreachable)).await;
    let (status, answer) = deliver(closed.addr, &signed(&body), &body).await;
    assert_eq!(
        (status, answer["reason"].as_str()),
        (503, Some("replay_store_unavailable"))
    );
    let open = serve(ReplayGuard::new(Unreachable).fail_open()).await;
    assert_eq!(deliver(open.addr, &signed(&body), &body).await.0, 200);
}

#[test]
fn the_default_nonce_fits_every_profile() {
    // Basic Auth and API keys sign nothing: the signed-bytes nonce is then
    // the body's digest.
    for profile in [Profile::api_key(), Profile::basic_auth()] {
        let secret = Secret::new("user:key").unwrap();
        let layer = VerifyWebhookLayer::new(Verifier::new(profile, secret));
        assert!(
            layer
                .with_replay_guard(ReplayGuard::new(MemoryStore::new(1)))
                .is_ok()
        );
    }
}

#[cfg(feature = "actix")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actix_64_concurrent_deliveries_run_the_handler_once() {
    use actix_web::{App, HttpResponse, web};
    use cognigy_webhook::actix::WebhookVerification;
    use support::servers::serve_actix;

    let runs = Arc::new(AtomicUsize::new(0));
    let counter = runs.clone();
    let guard = ReplayGuard::new(MemoryStore::new(1000));
    let addr =
        serve_actix(2, move || {
            let counter = counter.clone();
            let middleware = WebhookVerification::new(verifier())
                .with_replay_guard(guard.clone())
                .unwrap();
            App::new().service(web::resource(PATH).wrap(middleware).route(web::post().to(
                move || {
                    counter.fetch_add(1, Ordering::SeqCst);
                    async {
                        HttpResponse::Ok()
                            .content_type("application/json")
                            .body(r#"{"status":"processed"}"#)
                    }
                },
            )))
        });
    let answers = burst(&[addr], 64).await;
    assert_eq!(
        count(&answers, 200, "status", "processed"),
        1,
        "{answers:?}"
    );
    assert_eq!(count(&answers, 409, "reason", "replayed"), 63);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[cfg(feature = "redis")]
mod redis_store {
    use super::*;
    use cognigy_webhook::replay::RedisStore;

    async fn guard(url: &str) -> ReplayGuard {
        ReplayGuard::new(RedisStore::connect(url).await.unwrap().with_prefix("test:"))
    }

    fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }

    /// A Redis server of the test's own on `port`, with `extra` options.
    fn own_redis(port: u16, extra: &[&str]) -> std::process::Child {
        let binary = std::env::var("REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        let child = std::process::Command::new(binary)
            .args([
                "--bind",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--save",
                "",
            ])
            .args(extra)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server starts");
        std::thread::sleep(Duration::from_millis(300));
        child
    }

    /// Two services sharing one Redis keep apart with namespaces; two
    /// instances of one service share theirs.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn namespaces_keep_services_apart_in_a_shared_store() {
        let Some(url) = service_url("REDIS_URL") else {
            return;
        };
        let (a, b, a_too) = (
            serve(guard(&url).await.with_namespace("service-a")).await,
            serve(guard(&url).await.with_namespace("service-b")).await,
            serve(guard(&url).await.with_namespace("service-a")).await,
        );
        let body = unique_body();
        let headers = signed(&body);
        assert_eq!(deliver(a.addr, &headers, &body).await.0, 200);
        assert_eq!(deliver(b.addr, &headers, &body).await.0, 200);
        assert_eq!(deliver(a_too.addr, &headers, &body).await.0, 409);
    }

    /// The store goes away while the handler runs and the handler then
    /// fails: the release cannot be made at once. It is made once the
    /// store is back (the record survived: Redis writes every command to
    /// its append-only file), so the sender's retry runs the handler
    /// instead of being taken for a duplicate.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_release_the_store_missed_is_made_once_it_is_back() {
        let Some(_) = service_url("REDIS_URL") else {
            return;
        };
        let dir = std::env::temp_dir().join(format!("replay-aof-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let port = free_port();
        let persistent = [
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--dir",
            dir.to_str().unwrap(),
        ];
        let mut redis = own_redis(port, &persistent);
        let url = format!("redis://127.0.0.1:{port}/");
        // The first attempt waits for the test's word, then fails.
        let (tell, told) = tokio::sync::mpsc::channel::<()>(1);
        let told = Arc::new(tokio::sync::Mutex::new(told));
        let runs = Arc::new(AtomicUsize::new(0));
        let handler = {
            let runs = runs.clone();
            move || async move {
                if runs.fetch_add(1, Ordering::SeqCst) == 0 {
                    told.lock().await.recv().await;
                    return StatusCode::INTERNAL_SERVER_ERROR;
                }
                StatusCode::OK
            }
        };
        let layer = VerifyWebhookLayer::new(verifier())
            .with_replay_guard(guard(&url).await)
            .unwrap();
        let app = axum::Router::new()
            .route(PATH, post(handler))
            .route_layer(layer);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

        let body = unique_body();
        let headers = signed(&body);
        let first = tokio::spawn({
            let (headers, body) = (headers.clone(), body.clone());
            async move { deliver(addr, &headers, &body).await.0 }
        });
        while runs.load(Ordering::SeqCst) == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        redis.kill().unwrap();
        redis.wait().unwrap();
        tell.send(()).await.unwrap();
        assert_eq!(first.await.unwrap(), 500);

        let mut redis = own_redis(port, &persistent);
        let mut answers = Vec::new();
        for _ in 0..40 {
            let (status, _) = deliver(addr, &headers, &body).await;
            answers.push(status);
            if status == 200 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        redis.kill().unwrap();
        redis.wait().unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(answers.last(), Some(&200), "{answers:?}");
        assert_eq!(runs.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_instances_sharing_redis_run_the_handler_once() {
        let Some(url) = service_url("REDIS_URL") else {
            return;
        };
        let (a, b) = (
            serve(guard(&url).await).await,
            serve(guard(&url).await).await,
        );
        let answers = burst(&[a.addr, b.addr], 64).await;
        assert_eq!(
            count(&answers, 200, "status", "processed"),
            1,
            "{answers:?}"
        );
        assert_eq!(count(&answers, 409, "reason", "replayed"), 63);
        assert_eq!(
            a.runs.load(Ordering::SeqCst) + b.runs.load(Ordering::SeqCst),
            1
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn redis_expires_nonces() {
        let Some(url) = service_url("REDIS_URL") else {
            return;
        };
        let server = serve(guard(&url).await.with_ttl(Duration::from_millis(300))).await;
        let body = unique_body();
        let headers = signed(&body);
        assert_eq!(deliver(server.addr, &headers, &body).await.0, 200);
        assert_eq!(deliver(server.addr, &headers, &body).await.0, 409);
        tokio::time::sleep(Duration::from_millis(450)).await;
        assert_eq!(deliver(server.addr, &headers, &body).await.0, 200);
    }

    /// Redis stopped mid-way: 503s, then recovery once it is back, without
    /// restarting the service. Uses a Redis server of its own.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn redis_outage_fails_closed_then_recovers() {
        let Some(_) = service_url("REDIS_URL") else {
            return;
        };
        let port = free_port();
        let start = || own_redis(port, &["--appendonly", "no"]);
        let mut redis = start();
        let url = format!("redis://127.0.0.1:{port}/");
        let server = serve(guard(&url).await).await;
        let delivery = || async {
            let body = unique_body();
            deliver(server.addr, &signed(&body), &body).await
        };
        assert_eq!(delivery().await.0, 200);

        redis.kill().unwrap();
        redis.wait().unwrap();
        for _ in 0..3 {
            let (status, answer) = delivery().await;
            assert_eq!(
                (status, answer["reason"].as_str()),
                (503, Some("replay_store_unavailable"))
            );
        }

        let mut redis = start();
        let mut recovered = false;
        for _ in 0..50 {
            if delivery().await.0 == 200 {
                recovered = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert!(recovered, "no recovery within 10 s after Redis came back");

        // Restarted while idle: the first delivery after it already gets
        // through (the broken connection is replaced and the command tried
        // once more), instead of a 503.
        redis.kill().unwrap();
        redis.wait().unwrap();
        let mut redis = start();
        let first = delivery().await.0;
        redis.kill().unwrap();
        redis.wait().unwrap();
        assert_eq!(first, 200, "the first delivery after a restart");
    }
}

#[cfg(feature = "postgres")]
mod postgres_store {
    use super::*;
    use cognigy_webhook::replay::PostgresStore;

    async fn store(url: &str) -> PostgresStore {
        let store = PostgresStore::connect(url).await.unwrap();
        store.migrate().await.unwrap();
        store
    }

    /// A plain session on the database at `url` (to create and drop
    /// databases, or to hold a lock).
    async fn session(url: &str) -> tokio_postgres::Client {
        let (admin, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        admin
    }

    /// A new, empty database beside the one at `url`: its name and URL.
    async fn create_database(
        admin: &tokio_postgres::Client,
        url: &str,
        prefix: &str,
    ) -> (String, String) {
        let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let (base, _) = url.rsplit_once('/').unwrap();
        let fresh = format!("{base}/{name}");
        (name, fresh)
    }

    async fn drop_database(admin: &tokio_postgres::Client, name: &str) {
        admin
            .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .await
            .unwrap();
    }

    /// Instances starting together all migrate at once; on a database
    /// without the table, bare `CREATE TABLE IF NOT EXISTS` lets all but one
    /// fail on a duplicate catalog key (seen here as a flaky test).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn instances_migrating_a_fresh_database_at_once_all_succeed() {
        let Some(url) = service_url("DATABASE_URL") else {
            return;
        };
        let admin = session(&url).await;
        for round in 0..5 {
            let (name, fresh) = create_database(&admin, &url, "migrate").await;
            let mut stores = Vec::new();
            for _ in 0..8 {
                stores.push(PostgresStore::connect(&fresh).await.unwrap());
            }
            let results =
                futures_util::future::join_all(stores.iter().map(PostgresStore::migrate)).await;
            drop(stores);
            for (index, result) in results.iter().enumerate() {
                assert!(
                    result.is_ok(),
                    "round {round}, instance {index}: {result:?}"
                );
            }
            drop_database(&admin, &name).await;
        }
    }

    /// A database that takes the connection and then does not answer (here:
    /// the table locked by another session) makes the guard fail closed
    /// within the store's 2 s statement deadline, instead of holding the
    /// request for as long as the lock lasts.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_stalled_postgres_fails_closed_within_its_deadline() {
        let Some(url) = service_url("DATABASE_URL") else {
            return;
        };
        // A database of its own: the lock below must not stall other tests.
        let admin = session(&url).await;
        let (name, fresh) = create_database(&admin, &url, "stall").await;
        let pg = store(&fresh).await;
        let locker = session(&fresh).await;
        locker
            .batch_execute("BEGIN; LOCK TABLE webhook_events IN ACCESS EXCLUSIVE MODE")
            .await
            .unwrap();

        let server = serve(ReplayGuard::new(pg)).await;
        let body = unique_body();
        let started = std::time::Instant::now();
        let (status, answer) = tokio::time::timeout(
            Duration::from_secs(10),
            deliver(server.addr, &signed(&body), &body),
        )
        .await
        .expect("an answer while the table is locked");
        let waited = started.elapsed();
        assert_eq!(
            (status, answer["reason"].as_str()),
            (503, Some("replay_store_unavailable"))
        );
        assert!(waited < Duration::from_secs(5), "answered after {waited:?}");
        assert_eq!(server.runs.load(Ordering::SeqCst), 0);

        locker.batch_execute("ROLLBACK").await.unwrap();
        drop(locker);
        drop_database(&admin, &name).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_instances_sharing_postgres_run_the_handler_once() {
        let Some(url) = service_url("DATABASE_URL") else {
            return;
        };
        let a = serve(ReplayGuard::new(store(&url).await)).await;
        let b = serve(ReplayGuard::new(store(&url).await)).await;
        let answers = burst(&[a.addr, b.addr], 64).await;
        assert_eq!(
            count(&answers, 200, "status", "processed"),
            1,
            "{answers:?}"
        );
        assert_eq!(count(&answers, 409, "reason", "replayed"), 63);
        assert_eq!(
            a.runs.load(Ordering::SeqCst) + b.runs.load(Ordering::SeqCst),
            1
        );
    }

    /// A connection the server refuses says why (the server's message and
    /// SQLSTATE), not only "db error".
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_refused_connection_says_why() {
        let Some(url) = service_url("DATABASE_URL") else {
            return;
        };
        let (base, _) = url.rsplit_once('/').unwrap();
        let missing = format!("{base}/no_such_database_here");
        let error = PostgresStore::connect(&missing)
            .await
            .unwrap_err()
            .to_string();
        assert!(error.contains("no_such_database_here"), "{error}");
        assert!(error.contains("3D000"), "{error}");
        let refused = PostgresStore::connect("postgres://someone:pw-never-shown@127.0.0.1:9/db")
            .await
            .unwrap_err()
            .to_string();
        assert!(refused.contains("refused"), "{refused}");
        assert!(!refused.contains("pw-never-shown"), "{refused}");
    }

    /// PostgreSQL text holds no NUL: a body whose ledger fields carry one
    /// is recorded without them, not refused 503 on every try.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_nul_in_the_ledger_fields_is_no_poison() {
        let Some(url) = service_url("DATABASE_URL") else {
            return;
        };
        let server = serve(ReplayGuard::new(store(&url).await)).await;
        let body = format!(
            r#"{{"id":"{}","flowName":"a\u0000b","channel":"c\u0000"}}"#,
            uuid::Uuid::new_v4()
        );
        let headers = signed(&body);
        assert_eq!(deliver(server.addr, &headers, &body).await.0, 200);
        assert_eq!(deliver(server.addr, &headers, &body).await.0, 409);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_expires_nonces_and_sweeps_them() {
        let Some(url) = service_url("DATABASE_URL") else {
            return;
        };
        // A database of its own: another test's sweep would take the
        // expired row first.
        let admin = session(&url).await;
        let (name, fresh) = create_database(&admin, &url, "sweep").await;
        let pg = store(&fresh).await;
        let server = serve(ReplayGuard::new(pg.clone()).with_ttl(Duration::from_millis(500))).await;
        let body = unique_body();
        let headers = signed(&body);
        assert_eq!(deliver(server.addr, &headers, &body).await.0, 200);
        assert_eq!(deliver(server.addr, &headers, &body).await.0, 409);
        tokio::time::sleep(Duration::from_millis(700)).await;
        assert_eq!(
            deliver(server.addr, &headers, &body).await.0,
            200,
            "an expired row is taken over"
        );
        tokio::time::sleep(Duration::from_millis(700)).await;
        assert_eq!(pg.sweep().await.unwrap(), 1);
        drop_database(&admin, &name).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_ledger_keeps_event_ids_for_good() {
        let Some(url) = service_url("DATABASE_URL") else {
            return;
        };
        let ledger = PostgresStore::ledger(&url).await.unwrap();
        ledger.migrate().await.unwrap();
        let guard = ReplayGuard::new(ledger.clone())
            .with_nonce(NonceSource::JsonPointer("/event_id".into()))
            .with_policy(ReplayPolicy::Acknowledge)
            .with_ttl(Duration::from_millis(1));
        let server = serve(guard).await;
        let event = uuid::Uuid::new_v4().to_string();
        let body = format!(r#"{{"event_id":"{event}","flow_name":"Main","channel":"webchat"}}"#);
        let mut headers = signed(&body);
        headers.push(("X-Cognigy-CorrelationId".into(), "corr-9".into()));
        assert_eq!(
            deliver(server.addr, &headers, &body).await.1["status"],
            "processed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(
            deliver(server.addr, &headers, &body).await.1["status"],
            "duplicate"
        );
        // A sweep (which may remove other tests' expired rows: the table is
        // shared) leaves the ledger row in place; the query below finds it.
        ledger.sweep().await.unwrap();

        let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        let row = client
            .query_one("SELECT flow_name, channel, correlation_id, status FROM webhook_events WHERE event_id = $1", &[&event])
            .await
            .expect("ledger rows never expire, not even after a sweep");
        let columns: (String, String, String, String) =
            (row.get(0), row.get(1), row.get(2), row.get(3));
        assert_eq!(
            columns,
            (
                "Main".into(),
                "webchat".into(),
                "corr-9".into(),
                "success".into()
            )
        );
    }
}

/// A server accepting `first` and `also`, with a memory replay guard.
async fn serve_accepting(first: Profile, also: Profile) -> SocketAddr {
    let verifier = Verifier::builder(first)
        .also_accept(also)
        .secret(Secret::new(SECRET).unwrap())
        .build()
        .unwrap();
    let layer = VerifyWebhookLayer::new(verifier)
        .with_replay_guard(ReplayGuard::new(MemoryStore::new(100)))
        .unwrap();
    let app = axum::Router::new()
        .route(PATH, post(|| async { "processed" }))
        .route_layer(layer);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// Two accepted profiles that sign the same bytes (the body alone): a
/// delivery relabelled as the other profile is the same delivery.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_relabelled_for_another_accepted_profile_is_a_replay() {
    let addr = serve_accepting(Profile::hex_millis(), Profile::sha256_prefixed()).await;
    let body = unique_body();
    let as_profile = |profile: Profile| -> Vec<(String, String)> {
        Signer::new(profile, Secret::new(SECRET).unwrap())
            .sign(body.as_bytes(), SystemTime::now())
            .iter()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect()
    };
    assert_eq!(
        deliver(addr, &as_profile(Profile::hex_millis()), &body)
            .await
            .0,
        200
    );
    let (status, answer) = deliver(addr, &as_profile(Profile::sha256_prefixed()), &body).await;
    assert_eq!((status, answer["reason"].as_str()), (409, Some("replayed")));
}

/// A timestamped delivery (`T`, `B`) re-sent under a body-only profile as
/// the body `T\nB` with the same signature: the same signed bytes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timestamped_delivery_relabelled_as_its_signed_bytes_is_a_replay() {
    let addr = serve_accepting(Profile::timestamp_newline(), Profile::hex_millis()).await;
    let body = unique_body();
    let now = SystemTime::now();
    let signed = Signer::new(Profile::timestamp_newline(), Secret::new(SECRET).unwrap())
        .sign(body.as_bytes(), now);
    let original: Vec<(String, String)> = signed
        .iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    assert_eq!(deliver(addr, &original, &body).await.0, 200);
    let header = |name: &str| {
        original
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    let relabelled_body = format!("{}\n{body}", header("X-Cognigy-Timestamp"));
    let millis = now
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis()
        .to_string();
    let relabelled = vec![
        (
            "X-Cognigy-Signature".to_owned(),
            header("X-Cognigy-Signature"),
        ),
        ("X-Cognigy-Timestamp".to_owned(), millis),
    ];
    let (status, answer) = deliver(addr, &relabelled, &relabelled_body).await;
    assert_eq!((status, answer["reason"].as_str()), (409, Some("replayed")));
}
