//! The typed payloads of Cognigy's endpoints and of Voice Gateway, from
//! fixtures written after the documented examples (`tests/data/payloads`):
//! they deserialise, keep unknown fields, serialise back to the same JSON,
//! and work with `VerifiedJson<T>` behind both adapters, where a missing
//! required field is a 400 `invalid_payload` naming its path.
#![cfg(all(feature = "payload", feature = "axum", feature = "actix"))]

mod support;

use std::net::SocketAddr;
use std::time::SystemTime;

use cognigy_webhook::payload::{
    CallHook, CallStatus, EndpointMessage, InjectMessage, MissingContent, WebhookOutput,
};
use cognigy_webhook::tower::VerifyWebhookLayer;
use cognigy_webhook::{Profile, Secret, Signer, Verifier};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use support::servers::{serve_actix, serve_axum};

const SECRET: &str = "payload-secret-0123456789";

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/payloads")
            .join(format!("{name}.json")),
    )
    .unwrap()
}

/// The fixture with a field no version of the type knows.
fn with_unknown_field(name: &str) -> Value {
    let mut value: Value = serde_json::from_str(&fixture(name)).unwrap();
    value["fieldFromTheFuture"] = json!({"nested": [1, 2, 3]});
    value
}

fn round_trips<T: Serialize + DeserializeOwned>(name: &str) -> T {
    let value = with_unknown_field(name);
    let typed: T = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(serde_json::to_value(&typed).unwrap(), value, "{name}");
    typed
}

#[test]
fn fixtures_deserialise_keep_unknown_fields_and_serialise_back() {
    let output: WebhookOutput = round_trips("webhook_output");
    assert_eq!(output.user_id, "user123");
    assert_eq!(output.ai_output.source.as_deref(), Some("bot"));
    assert!(!output.sensitive());
    assert!(output.extra.contains_key("fieldFromTheFuture"));

    let message: EndpointMessage = round_trips("endpoint_message");
    assert_eq!(
        message.text_content(),
        Some("Hello, I need help with my order")
    );

    let inject: InjectMessage = round_trips("inject");
    assert_eq!(inject.url_token, "endpoint-url-token");
    assert_eq!(inject.session_id.as_deref(), Some("your-session-id"));

    let notify: InjectMessage = round_trips("notify");
    assert_eq!(notify.session_id, None);
    assert_eq!(notify.attachments.unwrap()[0].kind.as_deref(), Some("file"));

    let hook: CallHook = round_trips("call_hook");
    assert_eq!(
        (hook.call_status.as_str(), hook.sip_status),
        ("trying", Some(100))
    );

    let status: CallStatus = round_trips("call_status");
    assert_eq!(status.duration, Some(42));
    assert_eq!(status.call_termination_by.as_deref(), Some("caller"));
}

#[test]
fn an_endpoint_message_needs_text_or_data() {
    assert_eq!(
        EndpointMessage::new("u", "s", None, None),
        Err(MissingContent)
    );
    let data_only = EndpointMessage::data("u", "s", json!({"k": 1}));
    assert_eq!(
        serde_json::to_value(&data_only).unwrap(),
        json!({"userId": "u", "sessionId": "s", "data": {"k": 1}})
    );
    let error =
        serde_json::from_str::<EndpointMessage>(r#"{"userId":"u","sessionId":"s"}"#).unwrap_err();
    assert!(error.to_string().contains("text or data"), "{error}");
}

#[test]
fn sensitive_logging_is_read_wherever_cognigy_puts_it() {
    let mut value: Value = serde_json::from_str(&fixture("webhook_output")).unwrap();
    value["AIOutput"]["disableSensitiveLogging"] = json!(true);
    assert!(
        serde_json::from_value::<WebhookOutput>(value.clone())
            .unwrap()
            .sensitive()
    );
    value["AIOutput"]["disableSensitiveLogging"] = json!(false);
    value["disableSensitiveLogging"] = json!(true);
    assert!(
        serde_json::from_value::<WebhookOutput>(value)
            .unwrap()
            .sensitive()
    );
}

// ------------------------------------------------------- through the adapters

fn verifier() -> Verifier {
    Verifier::new(Profile::hex_millis(), Secret::new(SECRET).unwrap())
}

/// Echoes the typed payload of each route back as JSON.
async fn axum_server() -> SocketAddr {
    use axum::routing::post;
    use cognigy_webhook::axum::VerifiedJson;
    async fn echo<T: Serialize>(VerifiedJson(payload): VerifiedJson<T>) -> axum::Json<T> {
        axum::Json(payload)
    }
    let app = axum::Router::new()
        .route("/webhook_output", post(echo::<WebhookOutput>))
        .route("/endpoint_message", post(echo::<EndpointMessage>))
        .route("/inject", post(echo::<InjectMessage>))
        .route("/notify", post(echo::<InjectMessage>))
        .route("/call_hook", post(echo::<CallHook>))
        .route("/call_status", post(echo::<CallStatus>))
        .route_layer(VerifyWebhookLayer::new(verifier()));
    serve_axum(app).await
}

fn actix_server() -> SocketAddr {
    use actix_web::{HttpResponse, web};
    use cognigy_webhook::actix::{VerifiedJson, WebhookVerification};
    async fn echo<T: Serialize>(VerifiedJson(payload): VerifiedJson<T>) -> HttpResponse {
        HttpResponse::Ok().json(payload)
    }
    serve_actix(1, || {
        actix_web::App::new()
            .wrap(WebhookVerification::new(verifier()))
            .route("/webhook_output", web::post().to(echo::<WebhookOutput>))
            .route("/endpoint_message", web::post().to(echo::<EndpointMessage>))
            .route("/inject", web::post().to(echo::<InjectMessage>))
            .route("/notify", web::post().to(echo::<InjectMessage>))
            .route("/call_hook", web::post().to(echo::<CallHook>))
            .route("/call_status", web::post().to(echo::<CallStatus>))
    })
}

async fn post(addr: SocketAddr, route: &str, body: &str) -> (u16, Value) {
    let signer = Signer::new(Profile::hex_millis(), Secret::new(SECRET).unwrap());
    let mut request = reqwest::Client::new()
        .post(format!("http://{addr}/{route}"))
        .header("Content-Type", "application/json")
        .body(body.to_owned());
    for (name, value) in signer.sign(body.as_bytes(), SystemTime::now()).iter() {
        request = request.header(name, value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let body = response.bytes().await.unwrap();
    (status, serde_json::from_slice(&body).unwrap())
}

const ROUTES: [&str; 6] = [
    "webhook_output",
    "endpoint_message",
    "inject",
    "notify",
    "call_hook",
    "call_status",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verified_json_takes_every_payload_in_both_frameworks() {
    for (framework, addr) in [("axum", axum_server().await), ("actix", actix_server())] {
        for route in ROUTES {
            let sent = with_unknown_field(route);
            let (status, echoed) = post(addr, route, &sent.to_string()).await;
            assert_eq!(status, 200, "{framework} {route}: {echoed}");
            assert_eq!(echoed, sent, "{framework} {route}: nothing lost");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_required_field_names_its_path_in_both_frameworks() {
    let mut output: Value = serde_json::from_str(&fixture("webhook_output")).unwrap();
    output.as_object_mut().unwrap().remove("userId");
    let mut hook: Value = serde_json::from_str(&fixture("call_hook")).unwrap();
    hook["sip_status"] = json!("not a number");
    let mut notify: Value = serde_json::from_str(&fixture("notify")).unwrap();
    notify["attachments"][0]
        .as_object_mut()
        .unwrap()
        .remove("url");
    let cases = [
        ("webhook_output", output, "$: missing field `userId`"),
        ("call_hook", hook, "sip_status"),
        ("notify", notify, "attachments[0]: missing field `url`"),
    ];
    for (framework, addr) in [("axum", axum_server().await), ("actix", actix_server())] {
        for (route, body, path) in &cases {
            let (status, answer) = post(addr, route, &body.to_string()).await;
            assert_eq!(
                (status, answer["reason"].as_str()),
                (400, Some("invalid_payload")),
                "{framework} {route}"
            );
            let message = answer["error"].as_str().unwrap();
            assert!(message.contains(path), "{framework} {route}: {message}");
        }
    }
}
