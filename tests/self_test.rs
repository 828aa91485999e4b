//! The configuration self-test on real axum and actix-web servers on
//! 127.0.0.1: the same answers from both, and none without its bearer token.
#![cfg(all(feature = "axum", feature = "actix"))]

mod support;

use std::net::SocketAddr;

use cognigy_webhook::self_test::{SELF_TEST_BODY, SELF_TEST_PATH};
use cognigy_webhook::{Profile, Secret, Verifier};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use support::servers::{serve_actix, serve_axum};

const SECRET: &str = "self-test-secret";
const TOKEN: &str = "self-test-admin-token";

fn token() -> Secret {
    Secret::new(TOKEN).unwrap()
}

fn verifier() -> Verifier {
    Verifier::builder(Profile::sha256_prefixed())
        .secrets([
            Secret::new("retired").unwrap(),
            Secret::new(SECRET).unwrap(),
        ])
        .build()
        .unwrap()
}

/// The HMAC of the fixed body, computed here with `hmac` directly.
fn signature(secret: &str) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(SELF_TEST_BODY);
    format!("sha256%3D{}", hex::encode(mac.finalize().into_bytes()))
}

async fn axum_server() -> SocketAddr {
    serve_axum(axum::Router::new().route(
        SELF_TEST_PATH,
        cognigy_webhook::axum::self_test_route(verifier(), token()),
    ))
    .await
}

fn actix_server() -> SocketAddr {
    serve_actix(1, || {
        actix_web::App::new().service(cognigy_webhook::actix::self_test_service(
            verifier(),
            token(),
        ))
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_adapters_answer_the_self_test_alike() {
    let client = reqwest::Client::new();
    let valid = json!({"status": "valid", "signature_match": true, "secret_configured": true, "expected_format": "prefix + hex-encoded-hmac-sha256"});
    let invalid = json!({"status": "invalid", "signature_match": false, "secret_configured": true, "expected_format": "prefix + hex-encoded-hmac-sha256"});
    let cases: Vec<(&str, String, u16, Value)> = vec![
        (
            "GET",
            format!("signature={}&timestamp=1700000000000", signature(SECRET)),
            200,
            valid,
        ),
        (
            "GET",
            format!("signature={}&timestamp=x", signature("wrong")),
            200,
            invalid.clone(),
        ),
        ("GET", "signature=zz&timestamp=1".into(), 200, invalid),
        ("GET", "timestamp=1".into(), 400, json!("missing_signature")),
        (
            "GET",
            format!("signature={}", signature(SECRET)),
            400,
            json!("missing_timestamp"),
        ),
        (
            "POST",
            format!("signature={}&timestamp=1", signature(SECRET)),
            405,
            Value::Null,
        ),
    ];
    let servers = [("axum", axum_server().await), ("actix", actix_server())];
    for (method, query, status, expected) in &cases {
        for (name, addr) in servers {
            let url = format!("http://{addr}{SELF_TEST_PATH}?{query}");
            let response = client
                .request(method.parse().unwrap(), url)
                .bearer_auth(TOKEN)
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.status().as_u16(),
                *status,
                "{name} {method} ?{query}"
            );
            let bytes = response.bytes().await.unwrap();
            let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            match (status, expected) {
                (200, expected) => assert_eq!(&body, expected, "{name} ?{query}"),
                (400, reason) => assert_eq!(&body["reason"], reason, "{name} ?{query}"),
                _ => {}
            }
            assert!(
                !body.to_string().contains(&signature(SECRET)[9..]),
                "never echoes the signature"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_self_test_answers_nothing_without_its_token() {
    let client = reqwest::Client::new();
    let query = format!("signature={}&timestamp=1700000000000", signature(SECRET));
    for (name, addr) in [("axum", axum_server().await), ("actix", actix_server())] {
        let url = format!("http://{addr}{SELF_TEST_PATH}?{query}");
        for authorization in [None, Some("Bearer wrong-token"), Some(TOKEN)] {
            let mut request = client.get(&url);
            if let Some(value) = authorization {
                request = request.header("Authorization", value);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status().as_u16(), 401, "{name} {authorization:?}");
            let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
            assert_eq!(body["reason"], "unverified", "{name}");
            assert!(!body.to_string().contains("signature_match"), "{name}");
        }
        let authorized = client.get(&url).bearer_auth(TOKEN).send().await.unwrap();
        assert_eq!(authorized.status().as_u16(), 200, "{name}");
    }
}
