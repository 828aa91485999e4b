//! `examples/cognigy_bot.rs`, the binary, against a server on 127.0.0.1
//! playing Cognigy's side: it POSTs Webhook Endpoint outputs with Basic Auth
//! to the bot, and takes the bot's next user messages on its endpoint URL
//! (checking `X-Webhook-Key` and the correlation id).
#![cfg(all(feature = "axum", feature = "client"))]

mod support;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::HeaderMap;
use axum::routing::post;
use base64::Engine;
use serde_json::{Value, json};
use support::examples::{self, Example};

const BASIC: (&str, &str) = ("cognigy", "basic-auth-password-1");
const KEY: &str = "endpoint-key-0123";

fn start_bot(endpoint: &str) -> Example {
    let credentials = format!("{}:{}", BASIC.0, BASIC.1);
    examples::start(
        "cognigy_bot",
        &[
            ("COGNIGY_WEBHOOK_SECRET", &credentials),
            ("COGNIGY_ENDPOINT_URL", endpoint),
            ("COGNIGY_WEBHOOK_KEY", KEY),
            ("COGNIGY_BOT_SCRIPT", "order 12345|thanks"),
        ],
    )
}

/// Cognigy's Webhook Endpoint sending one output to the bot.
async fn output(bot: SocketAddr, text: &str, credentials: (&str, &str)) -> (u16, Value) {
    let body = json!({
        "userId": "user-1", "sessionId": "session-1",
        "AIOutput": {"text": text, "data": {}, "traceId": "t-1", "disableSensitiveLogging": false, "source": "bot"},
    });
    let token = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{}", credentials.0, credentials.1));
    let response = reqwest::Client::new()
        .post(format!("http://{bot}/webhooks/cognigy"))
        .header("Authorization", format!("Basic {token}"))
        .header("X-Cognigy-CorrelationId", "corr-bot-1")
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (
        status,
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap(),
    )
}

#[tokio::test]
async fn the_bot_verifies_each_output_and_answers_into_the_endpoint() {
    let received: Arc<Mutex<Vec<(HeaderMap, Value)>>> = Arc::default();
    let log = Arc::clone(&received);
    let cognigy = axum::Router::new().route(
        "/endpoint-token",
        post(
            move |headers: HeaderMap, axum::Json(body): axum::Json<Value>| {
                let log = Arc::clone(&log);
                async move {
                    log.lock().unwrap().push((headers, body));
                    axum::Json(json!({"text": "ok", "outputStack": []}))
                }
            },
        ),
    );
    let cognigy = support::servers::serve_axum(cognigy).await;
    let bot = start_bot(&format!("http://{cognigy}/endpoint-token"));

    let wait_for = |count: usize| {
        let received = Arc::clone(&received);
        async move {
            for _ in 0..100 {
                if received.lock().unwrap().len() >= count {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };

    // Wrong Basic Auth: refused, nothing sent on.
    let (status, answer) = output(bot.addr, "Hello!", ("cognigy", "wrong")).await;
    assert_eq!(
        (status, answer["reason"].as_str()),
        (401, Some("signature_mismatch"))
    );

    let (status, answer) = output(bot.addr, "How can I help?", BASIC).await;
    assert_eq!((status, answer["answering"].as_bool()), (200, Some(true)));
    wait_for(1).await;
    let (status, _) = output(bot.addr, "Found order 12345. Anything else?", BASIC).await;
    assert_eq!(status, 200);
    wait_for(2).await;
    // The script is done: a third output is received but not answered.
    let (status, answer) = output(bot.addr, "Goodbye", BASIC).await;
    assert_eq!((status, answer["answering"].as_bool()), (200, Some(false)));
    tokio::time::sleep(Duration::from_millis(200)).await;

    let received = received.lock().unwrap();
    assert_eq!(received.len(), 2, "{received:?}");
    let texts: Vec<&str> = received
        .iter()
        .map(|(_, body)| body["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["order 12345", "thanks"]);
    for (headers, body) in received.iter() {
        assert_eq!(headers["x-webhook-key"], KEY);
        assert_eq!(headers["x-correlation-id"], "corr-bot-1");
        assert_eq!(body["userId"], "user-1");
        assert_eq!(body["sessionId"], "session-1");
    }
}

#[tokio::test]
async fn an_output_without_its_required_fields_is_a_400_naming_the_path() {
    let bot = start_bot("http://127.0.0.1:9/unused");
    let token =
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", BASIC.0, BASIC.1));
    let response = reqwest::Client::new()
        .post(format!("http://{}/webhooks/cognigy", bot.addr))
        .header("Authorization", format!("Basic {token}"))
        .header("Content-Type", "application/json")
        .body(json!({"userId": "u", "sessionId": "s"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let answer: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(answer["reason"], "invalid_payload");
    assert!(
        answer["error"].as_str().unwrap().contains("AIOutput"),
        "{answer}"
    );
}
