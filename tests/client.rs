//! The Cognigy API client against a real local server on 127.0.0.1 that
//! issues and expires tokens, rate-limits, fails, paginates and records what
//! it receives.
#![cfg(all(feature = "client", feature = "axum"))]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use cognigy_webhook::client::{ClientConfig, ClientError, CognigyClient};
use cognigy_webhook::retry::RetryPolicy;
use cognigy_webhook::{CorrelationId, Secret};
use futures_util::{StreamExt, TryStreamExt};
use serde_json::{Value, json};

const CLIENT_SECRET: &str = "client-secret-never-logged";

/// One API call as the server saw it: arrival, Authorization,
/// X-Correlation-Id, PageToken.
type Call = (Instant, String, Option<String>, Option<String>);

#[derive(Default)]
struct Api {
    tokens_issued: AtomicUsize,
    /// `expires_in` of the next tokens, in seconds.
    expires_in: AtomicU64,
    token_forms: Mutex<Vec<String>>,
    /// Per route, every call.
    calls: Mutex<HashMap<String, Vec<Call>>>,
    /// Where the server listens.
    addr: std::sync::OnceLock<SocketAddr>,
}

impl Api {
    fn calls(&self, route: &str) -> Vec<Call> {
        self.calls
            .lock()
            .unwrap()
            .get(route)
            .cloned()
            .unwrap_or_default()
    }
}

async fn token(State(api): State<Arc<Api>>, form: String) -> Response {
    api.token_forms.lock().unwrap().push(form);
    // Slow enough that fifty concurrent callers all wait for this one.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let n = api.tokens_issued.fetch_add(1, Ordering::SeqCst) + 1;
    let expires_in = api.expires_in.load(Ordering::SeqCst);
    axum::Json(json!({ "access_token": format!("tok-{n}"), "expires_in": expires_in, "token_type": "Bearer" }))
        .into_response()
}

async fn route(
    State(api): State<Arc<Api>>,
    Path(route): Path<String>,
    headers: HeaderMap,
) -> Response {
    let header = |name: &str| headers.get(name).map(|v| v.to_str().unwrap().to_owned());
    let authorization = header("authorization").unwrap_or_default();
    let page = header("pagetoken");
    let seen = {
        let mut calls = api.calls.lock().unwrap();
        let calls = calls.entry(route.clone()).or_default();
        calls.push((
            Instant::now(),
            authorization.clone(),
            header("x-correlation-id"),
            page.clone(),
        ));
        calls.len()
    };
    match (route.as_str(), seen) {
        ("echo", _) => axum::Json(json!({ "ok": true })).into_response(),
        ("flaky", 1) => (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "1")]).into_response(),
        ("flaky", 2) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        ("flaky", _) => axum::Json(json!({ "ok": "at last" })).into_response(),
        ("always429", _) => (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "1")]).into_response(),
        ("always500", _) => (StatusCode::INTERNAL_SERVER_ERROR, "broken").into_response(),
        ("revoked", _) if authorization == "Bearer tok-1" => {
            StatusCode::UNAUTHORIZED.into_response()
        }
        ("revoked", _) => axum::Json(json!({ "ok": authorization })).into_response(),
        ("loop", _) => {
            let next = match page.as_deref() {
                None | Some("B") => "A",
                _ => "B",
            };
            axum::Json(json!({ "items": [], "nextPageToken": next })).into_response()
        }
        ("elsewhere", _) => {
            // The same server under another name: another origin.
            let port = headers
                .get("host")
                .and_then(|host| host.to_str().ok())
                .and_then(|host| host.rsplit(':').next())
                .unwrap_or_default()
                .to_owned();
            (
                StatusCode::TEMPORARY_REDIRECT,
                [("location", format!("http://localhost:{port}/v1/echo"))],
            )
                .into_response()
        }
        ("flows", _) => match page.as_deref() {
            None => axum::Json(json!({ "items": [1, 2], "nextPageToken": "p2" })).into_response(),
            Some("p2") => {
                axum::Json(json!({ "items": [3], "nextPageToken": "p3" })).into_response()
            }
            Some("p3") => axum::Json(json!({ "items": [4], "nextPageToken": "" })).into_response(),
            Some(_) => StatusCode::BAD_REQUEST.into_response(),
        },
        // Past the client's limit on answers (16 MiB), as a success and as
        // a failure.
        ("huge", _) => vec![b' '; 17 << 20].into_response(),
        ("hugefailure", _) => (StatusCode::BAD_REQUEST, vec![b'x'; 17 << 20]).into_response(),
        ("badpage", _) => {
            axum::Json(json!({ "items": [], "nextPageToken": "a\nb" })).into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn start(expires_in: u64) -> (CognigyClient, Arc<Api>) {
    let api = Arc::new(Api::default());
    api.expires_in.store(expires_in, Ordering::SeqCst);
    let app = axum::Router::new()
        .route("/v1/auth/token", axum::routing::post(token))
        .route("/v1/{route}", axum::routing::any(route))
        .with_state(api.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    api.addr.set(addr).unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let config = ClientConfig::new(
        &format!("http://{addr}/v1"),
        &format!("http://{addr}/v1/auth/token"),
        "client-1",
        Secret::new(CLIENT_SECRET).unwrap(),
    )
    .unwrap()
    .with_retry(
        RetryPolicy::new(4).with_backoff(Duration::from_millis(100), Duration::from_secs(1)),
    );
    (CognigyClient::new(config).unwrap(), api)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_callers_cause_exactly_one_token_request() {
    let (client, api) = start(3600).await;
    let callers: Vec<_> = (0..50)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.get("/echo").send().await })
        })
        .collect();
    for caller in callers {
        assert_eq!(caller.await.unwrap().unwrap(), json!({ "ok": true }));
    }
    assert_eq!(api.tokens_issued.load(Ordering::SeqCst), 1);
    let calls = api.calls("echo");
    assert_eq!(calls.len(), 50);
    assert!(
        calls
            .iter()
            .all(|(_, authorization, _, _)| authorization == "Bearer tok-1")
    );
    let form = api.token_forms.lock().unwrap()[0].clone();
    for pair in [
        "grant_type=client_credentials",
        "client_id=client-1",
        "scope=bot%3Aread+webhook%3Amanage",
    ] {
        assert!(form.contains(pair), "{form}");
    }
    assert!(form.contains(&format!("client_secret={CLIENT_SECRET}")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_is_refreshed_thirty_seconds_before_it_expires() {
    // 31 s of life: due for refresh one second after it was issued.
    let (client, api) = start(31).await;
    client.get("/echo").send().await.unwrap();
    client.get("/echo").send().await.unwrap();
    assert_eq!(api.tokens_issued.load(Ordering::SeqCst), 1);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    client.get("/echo").send().await.unwrap();
    assert_eq!(api.tokens_issued.load(Ordering::SeqCst), 2);
    let authorizations: Vec<String> = api.calls("echo").into_iter().map(|call| call.1).collect();
    assert_eq!(
        authorizations,
        ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_is_replaced_once() {
    let (client, api) = start(3600).await;
    assert_eq!(
        client.get("/revoked").send().await.unwrap(),
        json!({ "ok": "Bearer tok-2" })
    );
    assert_eq!(api.tokens_issued.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_honour_retry_after_and_back_off() {
    let (client, api) = start(3600).await;
    assert_eq!(
        client.get("/flaky").send().await.unwrap(),
        json!({ "ok": "at last" })
    );
    let times: Vec<Instant> = api.calls("flaky").into_iter().map(|call| call.0).collect();
    assert_eq!(times.len(), 3);
    let after_429 = times[1] - times[0];
    assert!(
        after_429 >= Duration::from_secs(1) && after_429 < Duration::from_millis(1500),
        "{after_429:?}"
    );
    // The 429 used the first backoff step; this is the second: 200 ms + jitter.
    let after_500 = times[2] - times[1];
    assert!(
        after_500 >= Duration::from_millis(200) && after_500 < Duration::from_millis(600),
        "{after_500:?}"
    );

    let error = client.get("/always500").send().await.unwrap_err();
    assert_eq!(
        error,
        ClientError::Status {
            status: 500,
            body: "broken".into()
        }
    );
    assert_eq!(
        api.calls("always500").len(),
        4,
        "four tries, then the last answer"
    );
    assert!(!error.to_string().contains(CLIENT_SECRET));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_call_cancels_its_retries() {
    let (client, api) = start(3600).await;
    let call = client.get("/always429").send();
    assert!(
        tokio::time::timeout(Duration::from_millis(400), call)
            .await
            .is_err()
    );
    assert_eq!(api.calls("always429").len(), 1);
    // The Retry-After of 1 s has passed: a live retry loop would have called again.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        api.calls("always429").len(),
        1,
        "no retry after cancellation"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_arrives_once_and_in_order_with_the_correlation_id() {
    let (client, api) = start(3600).await;
    let correlation = CorrelationId::from_header(b"corr-42").unwrap();
    let pages: Vec<Value> = client
        .get("/flows")
        .correlation_id(&correlation)
        .pages()
        .try_collect()
        .await
        .unwrap();
    let items: Vec<Value> = pages
        .iter()
        .flat_map(|page| page["items"].as_array().unwrap().clone())
        .collect();
    assert_eq!(items, [json!(1), json!(2), json!(3), json!(4)]);
    let calls = api.calls("flows");
    let page_tokens: Vec<Option<String>> = calls.iter().map(|call| call.3.clone()).collect();
    assert_eq!(page_tokens, [None, Some("p2".into()), Some("p3".into())]);
    assert!(
        calls
            .iter()
            .all(|call| call.2.as_deref() == Some("corr-42"))
    );
    assert!(!api.token_forms.lock().unwrap()[0].contains("corr-42"));
    assert!(!format!("{client:?}").contains(CLIENT_SECRET));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_is_not_repeated_after_a_server_error_unless_asked() {
    let (client, api) = start(3600).await;
    let error = client
        .post("always500")
        .json(&json!({}))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(error, ClientError::Status { status: 500, .. }),
        "{error:?}"
    );
    assert_eq!(api.calls("always500").len(), 1);
    let _ = client
        .post("always500")
        .json(&json!({}))
        .retry_unsafe()
        .send()
        .await;
    assert_eq!(api.calls("always500").len(), 1 + 4);
    let _ = client.get("always500").send().await;
    assert_eq!(api.calls("always500").len(), 1 + 4 + 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pagination_stops_on_a_token_seen_before() {
    let (client, api) = start(3600).await;
    let pages: Vec<Result<Value, ClientError>> = client.get("loop").pages().collect().await;
    // None → A, A → B, B → A: the third page names A again.
    assert_eq!(pages.len(), 3, "{pages:?}");
    assert!(pages[..2].iter().all(Result::is_ok));
    assert!(
        matches!(pages[2], Err(ClientError::InvalidResponse(_))),
        "{pages:?}"
    );
    assert_eq!(api.calls("loop").len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_never_follow_a_redirect_to_another_origin() {
    let (client, api) = start(3600).await;
    let error = client.get("elsewhere").send().await.unwrap_err();
    assert!(
        matches!(error, ClientError::Status { status: 307, .. }),
        "{error:?}"
    );
    assert!(
        api.calls("echo").is_empty(),
        "the bearer token went elsewhere"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_absurd_token_lifetime_is_clamped() {
    let (client, _) = start(u64::MAX).await;
    assert_eq!(
        client.get("echo").send().await.unwrap(),
        json!({ "ok": true })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_path_never_takes_the_token_outside_the_api() {
    let (client, api) = start(3600).await;
    let port = api.addr.get().unwrap().port();
    // The same server under another name is another origin; `../` leaves
    // the base path /v1/.
    for path in [
        format!("http://localhost:{port}/v1/echo"),
        // `localhost:` reads as a scheme once the leading `/` are dropped.
        format!("//localhost:{port}/v1/echo"),
        format!("\\\\localhost:{port}/v1/echo"),
        "../v2/echo".to_owned(),
        "/../echo".to_owned(),
    ] {
        let error = client.get(&path).send().await.unwrap_err();
        assert!(
            matches!(error, ClientError::InvalidRequest(_)),
            "{path}: {error:?}"
        );
    }
    assert!(api.calls("echo").is_empty(), "a call went out");
    assert_eq!(
        api.tokens_issued.load(Ordering::SeqCst),
        0,
        "nothing is sent at all"
    );
    // What stays below the base URL goes: `//host/x` is `host/x` there.
    let under = client
        .get("//elsewhere.example/echo")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(under, ClientError::Status { status: 404, .. }),
        "{under:?}"
    );
    assert!(client.get("/echo").send().await.is_ok());
    assert!(client.get("echo?x=1").send().await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_are_read_within_a_bound() {
    let (client, _api) = start(3600).await;
    let error = client.get("huge").send().await.unwrap_err();
    assert!(
        matches!(&error, ClientError::InvalidResponse(text) if text.contains("larger than")),
        "{error:?}"
    );
    match client.get("hugefailure").send().await.unwrap_err() {
        ClientError::Status { status, body } => {
            assert_eq!(status, 400);
            assert_eq!(body.len(), 512);
        }
        error => panic!("{error:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_token_that_is_no_header_value_ends_the_pages_at_once() {
    let (client, api) = start(3600).await;
    let started = Instant::now();
    let pages: Vec<Result<Value, ClientError>> = client.get("badpage").pages().collect().await;
    assert_eq!(pages.len(), 2, "{pages:?}");
    assert!(
        matches!(&pages[1], Err(ClientError::InvalidResponse(text)) if text.contains("nextPageToken")),
        "{pages:?}"
    );
    assert_eq!(api.calls("badpage").len(), 1, "never retried");
    assert!(started.elapsed() < Duration::from_secs(1));
}
