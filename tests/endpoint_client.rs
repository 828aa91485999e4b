//! `EndpointClient` and `InjectClient` against a server on 127.0.0.1 that
//! speaks the documented API of Cognigy's endpoints: a REST endpoint with
//! API-key authentication (`X-Webhook-Key`), and Inject/Notify (`X-API-Key`).
#![cfg(all(feature = "client", feature = "axum"))]

mod support;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use cognigy_webhook::client::{ClientError, EndpointClient, InjectClient};
use cognigy_webhook::payload::{EndpointMessage, InjectMessage};
use cognigy_webhook::retry::RetryPolicy;
use cognigy_webhook::{CorrelationId, Secret};
use serde_json::{Value, json};

const WEBHOOK_KEY: &str = "endpoint-api-key-0123";
const API_KEY: &str = "user-api-key-4567";

/// What the fake Cognigy received: route, headers, body.
type Log = Arc<Mutex<Vec<(String, HeaderMap, Value)>>>;

#[derive(Clone)]
struct Cognigy {
    log: Log,
    /// Statuses to answer first (then 200), to test retries.
    failures: Arc<Mutex<Vec<u16>>>,
}

impl Cognigy {
    fn fail(&self) -> Option<StatusCode> {
        let mut failures = self.failures.lock().unwrap();
        (!failures.is_empty()).then(|| StatusCode::from_u16(failures.remove(0)).unwrap())
    }
}

/// A REST endpoint: `{userId, sessionId}` and text or data, else 400;
/// answers like Cognigy's REST endpoint.
async fn endpoint(
    State(cognigy): State<Cognigy>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> (StatusCode, axum::Json<Value>) {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    cognigy
        .log
        .lock()
        .unwrap()
        .push((format!("endpoint/{token}"), headers.clone(), body.clone()));
    if let Some(status) = cognigy.fail() {
        return (status, axum::Json(json!({"error": "failing on purpose"})));
    }
    if headers.get("x-webhook-key").map(|v| v.as_bytes()) != Some(WEBHOOK_KEY.as_bytes()) {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"error": "Unauthorized"})),
        );
    }
    let has_ids = body["userId"].is_string() && body["sessionId"].is_string();
    let has_content = body.get("text").is_some() || body.get("data").is_some();
    if !(has_ids && has_content) {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": "text or data required"})),
        );
    }
    let text = format!("You said: {}", body["text"].as_str().unwrap_or(""));
    (
        StatusCode::OK,
        axum::Json(json!({
            "text": text, "data": {},
            "outputStack": [{"text": text, "data": {}, "source": "bot"}],
            "userId": body["userId"], "sessionId": body["sessionId"],
        })),
    )
}

/// Inject or Notify: `X-API-Key`, then the documented plain-string answers.
async fn inject_or_notify(
    State(cognigy): State<Cognigy>,
    Path(kind): Path<String>,
    headers: HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> (StatusCode, axum::Json<Value>) {
    cognigy
        .log
        .lock()
        .unwrap()
        .push((kind.clone(), headers.clone(), body.clone()));
    if headers.get("x-api-key").map(|v| v.as_bytes()) != Some(API_KEY.as_bytes()) {
        return (StatusCode::UNAUTHORIZED, axum::Json(json!("Unauthorized")));
    }
    let answer = match kind.as_str() {
        "inject" => "Message was sent to AI for Flow processing",
        _ => "Sucessfully sent message to user",
    };
    (StatusCode::OK, axum::Json(json!(answer)))
}

async fn cognigy(failures: Vec<u16>) -> (SocketAddr, Cognigy) {
    let state = Cognigy {
        log: Log::default(),
        failures: Arc::new(Mutex::new(failures)),
    };
    let app = axum::Router::new()
        .route("/{token}", post(endpoint))
        .route("/new/v2.0/endpoint/{kind}", post(inject_or_notify))
        .with_state(state.clone());
    (support::servers::serve_axum(app).await, state)
}

fn quick_retries() -> RetryPolicy {
    RetryPolicy::new(4).with_backoff(Duration::from_millis(10), Duration::from_millis(50))
}

#[tokio::test]
async fn sends_a_message_with_the_webhook_key_and_the_correlation_id() {
    let (addr, cognigy) = cognigy(vec![]).await;
    let client = EndpointClient::new(&format!("http://{addr}/4a6e0f"))
        .unwrap()
        .with_webhook_key(Secret::new(WEBHOOK_KEY).unwrap());
    let correlation = CorrelationId::from_header(b"corr-42").unwrap();
    let message = EndpointMessage::text("user-1", "session-1", "Grüße").with_data(json!({"n": 1}));
    let reply = client.send(&message, Some(&correlation)).await.unwrap();
    assert_eq!(reply["text"], "You said: Grüße");
    assert_eq!(reply["outputStack"][0]["source"], "bot");

    let log = cognigy.log.lock().unwrap();
    let (route, headers, body) = &log[0];
    assert_eq!(route, "endpoint/4a6e0f");
    assert_eq!(headers["x-webhook-key"], WEBHOOK_KEY);
    assert_eq!(headers["x-correlation-id"], "corr-42");
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(
        *body,
        json!({"userId": "user-1", "sessionId": "session-1", "text": "Grüße", "data": {"n": 1}})
    );
    let debug = format!("{client:?}");
    assert!(!debug.contains(WEBHOOK_KEY), "{debug}");
}

#[tokio::test]
async fn a_refused_key_is_an_error_that_does_not_show_the_key() {
    let (addr, _) = cognigy(vec![]).await;
    let client = EndpointClient::new(&format!("http://{addr}/4a6e0f"))
        .unwrap()
        .with_webhook_key(Secret::new("wrong-key-000").unwrap());
    let error = client
        .send(&EndpointMessage::text("u", "s", "hi"), None)
        .await
        .unwrap_err();
    assert!(
        matches!(error, ClientError::Status { status: 401, .. }),
        "{error}"
    );
    assert!(!error.to_string().contains("wrong-key-000"));
}

#[tokio::test]
async fn a_post_that_may_have_arrived_is_not_repeated() {
    for status in [500, 502, 503] {
        let (addr, cognigy) = cognigy(vec![status]).await;
        let client = EndpointClient::new(&format!("http://{addr}/t"))
            .unwrap()
            .with_webhook_key(Secret::new(WEBHOOK_KEY).unwrap())
            .with_retry(quick_retries());
        let error = client
            .send(&EndpointMessage::text("u", "s", "once"), None)
            .await
            .unwrap_err();
        assert!(
            matches!(error, ClientError::Status { status: s, .. } if s == status),
            "{error}"
        );
        assert_eq!(cognigy.log.lock().unwrap().len(), 1, "{status}: sent once");
    }
    // 429 says Cognigy did not act: that one is tried again.
    let (addr, cognigy) = cognigy(vec![429]).await;
    let client = EndpointClient::new(&format!("http://{addr}/t"))
        .unwrap()
        .with_webhook_key(Secret::new(WEBHOOK_KEY).unwrap())
        .with_retry(quick_retries());
    client
        .send(&EndpointMessage::text("u", "s", "again"), None)
        .await
        .unwrap();
    assert_eq!(cognigy.log.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_connection_that_could_not_be_made_is_tried_again() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = EndpointClient::new(&format!("http://127.0.0.1:{port}/t"))
        .unwrap()
        .with_webhook_key(Secret::new(WEBHOOK_KEY).unwrap())
        .with_retry(
            RetryPolicy::new(8)
                .with_backoff(Duration::from_millis(100), Duration::from_millis(200)),
        );
    let sending = tokio::spawn(async move {
        client
            .send(&EndpointMessage::text("u", "s", "late"), None)
            .await
    });
    // Cognigy comes up while the client is retrying.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let state = Cognigy {
        log: Log::default(),
        failures: Arc::default(),
    };
    let app = axum::Router::new()
        .route("/{token}", post(endpoint))
        .with_state(state.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let reply = sending.await.unwrap().unwrap();
    assert_eq!(reply["text"], "You said: late");
    assert_eq!(state.log.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn inject_and_notify_with_the_api_key() {
    let (addr, cognigy) = cognigy(vec![]).await;
    let client =
        InjectClient::new(&format!("http://{addr}"), Secret::new(API_KEY).unwrap()).unwrap();
    let message = InjectMessage::text("user-1", "session-1", "url-token", "from the back office");
    let correlation = CorrelationId::from_header(b"corr-7").unwrap();
    assert_eq!(
        client.inject(&message, Some(&correlation)).await.unwrap(),
        "Message was sent to AI for Flow processing"
    );
    assert_eq!(
        client.notify(&message, None).await.unwrap(),
        "Sucessfully sent message to user"
    );
    let log = cognigy.log.lock().unwrap().clone();
    assert_eq!(log[0].0, "inject");
    assert_eq!(log[1].0, "notify");
    assert_eq!(log[0].1["x-api-key"], API_KEY);
    assert_eq!(log[0].1["x-correlation-id"], "corr-7");
    assert_eq!(
        log[0].2,
        json!({"userId": "user-1", "text": "from the back office", "URLToken": "url-token", "sessionId": "session-1"})
    );

    let refused = InjectClient::new(&format!("http://{addr}"), Secret::new("nope-nope").unwrap())
        .unwrap()
        .inject(&message, None)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, ClientError::Status { status: 401, .. }),
        "{refused}"
    );
}
