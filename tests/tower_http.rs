//! The shared HTTP case table against real servers on 127.0.0.1, through a
//! real HTTP client: the tower layer under axum's `route_layer`, the same
//! layer in a plain hyper + `ServiceBuilder` stack, and the axum extractors.
#![cfg(feature = "axum")]

mod support;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::post;
use cognigy_webhook::axum::VerifiedJson;
use cognigy_webhook::{CorrelationId, Verified};
use serde_json::{Value, json};
use std::net::SocketAddr;
use support::http_cases::{HttpCase, ServerConfig, cases_by_config, run_table};
use support::servers::{PATH, axum_server, hyper_server, layer, serve_axum};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_table_against_axum_route_layer() {
    let count = run_table(axum_server).await;
    assert!(count > 200, "{count} cases");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_table_against_plain_hyper_and_service_builder() {
    let count = run_table(hyper_server).await;
    assert!(count > 200, "{count} cases");
}

/// Sample configuration and a signed request for the extractor tests.
fn sample() -> (ServerConfig, Vec<HttpCase>) {
    let (config, cases) = cases_by_config()
        .into_iter()
        .find(|(config, _)| {
            config.profile == "hex-millis" && config.secrets == ["http-case-secret"]
        })
        .unwrap();
    (config, cases)
}

fn signed_request(config: &ServerConfig, body: &str) -> Vec<(String, String)> {
    let profile: cognigy_webhook::Profile = config.profile.parse().unwrap();
    let signer = cognigy_webhook::Signer::new(
        profile,
        cognigy_webhook::Secret::new(config.secrets[0].as_str()).unwrap(),
    );
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_millis(config.now_unix_ms);
    signer
        .sign(body.as_bytes(), at)
        .iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}

async fn post_json(addr: SocketAddr, headers: &[(String, String)], body: &str) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("http://{addr}{PATH}"))
        .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_str());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Message {
    message_id: String,
    text: String,
}

async fn echo(VerifiedJson(message): VerifiedJson<Message>) -> axum::Json<Value> {
    axum::Json(
        json!({ "status": "processed", "message_id": message.message_id, "text": message.text }),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verified_json_verifies_itself_without_the_layer() {
    let (config, _) = sample();
    let app = Router::new()
        .route(PATH, post(echo))
        .layer(DefaultBodyLimit::max(256))
        .layer(axum::Extension(config.verifier()));
    let addr = serve_axum(app).await;

    let good = r#"{"messageId":"m-1","text":"hi"}"#;
    let (status, body) = post_json(addr, &signed_request(&config, good), good).await;
    assert_eq!(
        (status, body["message_id"].as_str()),
        (200, Some("m-1")),
        "{body}"
    );

    let (status, body) = post_json(
        addr,
        &signed_request(&config, good),
        r#"{"messageId":"m-1","text":"HI"}"#,
    )
    .await;
    assert_eq!(
        (status, body["reason"].as_str()),
        (401, Some("signature_mismatch"))
    );

    let unknown = r#"{"messageId":"m-1","text":"hi","extra":true}"#;
    let (status, body) = post_json(addr, &signed_request(&config, unknown), unknown).await;
    assert_eq!(
        (status, body["reason"].as_str()),
        (400, Some("invalid_payload"))
    );
    assert!(body["error"].as_str().unwrap().contains("extra"), "{body}");

    let missing = r#"{"messageId":"m-1"}"#;
    let (status, body) = post_json(addr, &signed_request(&config, missing), missing).await;
    assert_eq!(
        (status, body["reason"].as_str()),
        (400, Some("invalid_payload"))
    );
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("missing field `text`"),
        "{body}"
    );

    let large = format!(r#"{{"messageId":"m-1","text":"{}"}}"#, "x".repeat(300));
    let (status, body) = post_json(addr, &signed_request(&config, &large), &large).await;
    assert_eq!(
        (status, body["reason"].as_str()),
        (413, Some("body_too_large"))
    );

    let (status, body) = post_json(addr, &[], good).await;
    assert_eq!(
        (status, body["reason"].as_str()),
        (400, Some("missing_signature"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extractors_behind_the_layer_and_without_it() {
    let (config, _) = sample();
    let strict = Router::new()
        .route(PATH, post(echo))
        .route_layer(layer(&config));
    let addr = serve_axum(strict).await;
    let unknown = r#"{"messageId":"m-1","text":"hi","extra":1}"#;
    let (status, body) = post_json(addr, &signed_request(&config, unknown), unknown).await;
    assert_eq!(
        (status, body["reason"].as_str()),
        (400, Some("invalid_payload")),
        "{body}"
    );
    let good = r#"{"messageId":"m-1","text":"hi"}"#;
    let (status, _) = post_json(addr, &signed_request(&config, good), good).await;
    assert_eq!(status, 200);

    // A handler asking for proof on a route without the layer: 401, not 500.
    let unprotected = Router::new().route(
        PATH,
        post(
            |verified: Verified, correlation: Option<CorrelationId>| async move {
                format!("{verified:?} {correlation:?}")
            },
        ),
    );
    let addr = serve_axum(unprotected).await;
    let (status, body) = post_json(addr, &signed_request(&config, good), good).await;
    assert_eq!((status, body["reason"].as_str()), (401, Some("unverified")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn correlation_id_reaches_the_handler() {
    let (config, _) = sample();
    let app = Router::new()
        .route(
            PATH,
            post(|correlation: Option<CorrelationId>| async move {
                axum::Json(json!({ "correlation": correlation.map(|c| c.to_string()) }))
            }),
        )
        .route_layer(layer(&config));
    let addr = serve_axum(app).await;
    let good = r#"{"messageId":"m-1","text":"hi"}"#;
    let mut headers = signed_request(&config, good);
    headers.push(("X-Cognigy-CorrelationId".into(), "corr-123".into()));
    let (status, body) = post_json(addr, &headers, good).await;
    assert_eq!(
        (status, body["correlation"].as_str()),
        (200, Some("corr-123"))
    );
}

/// Behind the layer a handler may read the verified body with axum's own
/// extractors (`Bytes`, `String`): a body the layer admitted is never
/// refused by axum's body limit (2 MB by default, or one set outside the
/// layer): the layer's limit is theirs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_extractors_read_every_body_the_layer_admitted() {
    use axum::body::Bytes;
    use cognigy_webhook::tower::VerifyWebhookLayer;
    use cognigy_webhook::{Profile, Secret, Verifier};

    let secret = || Secret::new("extractor-secret").unwrap();
    let limit = 3 * 1024 * 1024;
    let layer = VerifyWebhookLayer::new(Verifier::new(Profile::hex_millis(), secret()))
        .with_body_limit(limit);
    let app = Router::new()
        .route(
            "/bytes",
            post(|body: Bytes| async move { body.len().to_string() }),
        )
        .route(
            "/string",
            post(|body: String| async move { body.len().to_string() }),
        )
        .layer(layer)
        .layer(DefaultBodyLimit::max(1024));
    let addr = serve_axum(app).await;
    support::servers::every_length_reaches_the_handler(
        addr,
        "extractor-secret",
        &[300 * 1024, limit],
    )
    .await;
}

/// A body limit outside the layer (`http_body_util::Limited`, what
/// tower-http's `RequestBodyLimitLayer` puts around a chunked body) that
/// cuts a delivery off is a 413 `body_too_large`, not a broken body.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_limit_outside_the_layer_is_body_too_large() {
    use axum::body::Body;
    use axum::extract::Request;
    use cognigy_webhook::tower::VerifyWebhookLayer;
    use cognigy_webhook::{Profile, Secret, Signer, Verifier};

    let secret = || Secret::new("outer-limit-secret").unwrap();
    let layer = VerifyWebhookLayer::new(Verifier::new(Profile::hex_millis(), secret()));
    let outer_limit = axum::middleware::map_request(|request: Request| async move {
        request.map(|body| Body::new(http_body_util::Limited::new(body, 1024)))
    });
    let app = Router::new()
        .route(
            PATH,
            post(|body: String| async move { body.len().to_string() }),
        )
        .route_layer(layer)
        .layer(outer_limit);
    let addr = serve_axum(app).await;
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let signer = Signer::new(Profile::hex_millis(), secret());
    for (size, status) in [(1000, "200"), (10 * 1024, "413")] {
        let body = vec![b'a'; size];
        // Written by hand, chunk by chunk: the server may close while the
        // rest is still being sent (it answers `Connection: close`), and a
        // client that gives up on a failed write would never read the
        // answer that is already there.
        let mut head = format!(
            "POST {PATH} HTTP/1.1\r\nHost: {addr}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
        );
        for (name, value) in signer.sign_now(&body).iter() {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let mut wire = head.into_bytes();
        for chunk in body.chunks(256) {
            wire.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            wire.extend_from_slice(chunk);
            wire.extend_from_slice(b"\r\n");
        }
        wire.extend_from_slice(b"0\r\n\r\n");
        for piece in wire.chunks(300) {
            if stream.write_all(piece).await.is_err() {
                break;
            }
        }
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
        let answer = String::from_utf8_lossy(&answer);
        let status_line = answer.lines().next().unwrap_or_default();
        assert_eq!(
            status_line.split(' ').nth(1),
            Some(status),
            "{size} bytes: {answer}"
        );
        if status == "413" {
            assert!(answer.contains(r#""reason":"body_too_large""#), "{answer}");
        }
    }
}
