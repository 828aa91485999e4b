//! The baseline of `benches/gateway_load.sh`: a bare reverse proxy on the
//! same stack as the gateway (axum server, hyper-util pooled client) with
//! **no verification** — the body is streamed through untouched — and a
//! trivial upstream that answers every request with 200. Three steps between
//! it and the gateway show where the gateway's time goes: `buffered` reads
//! the whole body before forwarding it, `inline` also verifies it with
//! `Verifier::verify` in the handler (`hex-millis`, the secret from
//! `GW_SECRET`; 401 when it does not verify), `layered` streams it through
//! again behind the library's `VerifyWebhookLayer` (default settings).
//!
//! ```text
//! cargo run --release --features gateway --example bench_proxy -- upstream 127.0.0.1:3000
//! cargo run --release --features gateway --example bench_proxy -- proxy 127.0.0.1:8081 127.0.0.1:3000
//! GW_SECRET=… cargo run --release --features gateway --example bench_proxy -- inline 127.0.0.1:8082 127.0.0.1:3000
//! ```
//!
//! Not for production: it forwards anything to anyone.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::HOST;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use cognigy_webhook::tower::VerifyWebhookLayer;
use cognigy_webhook::{Profile, Secret, Verifier};
use http_body_util::{BodyExt, Collected};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// What the proxy does with a request's body before forwarding it.
#[derive(Clone, Copy, PartialEq)]
enum Step {
    /// Streams it through.
    Stream,
    /// Reads all of it first.
    Buffer,
    /// Reads all of it and verifies it.
    Verify,
}

#[derive(Clone)]
struct Proxy {
    client: Client<HttpConnector, Body>,
    upstream: String,
    step: Step,
    verifier: Arc<Verifier>,
}

async fn forward(State(proxy): State<Proxy>, request: Request) -> Response {
    let Proxy {
        client,
        upstream,
        step,
        verifier,
    } = proxy;
    let (mut parts, mut body) = request.into_parts();
    if step != Step::Stream {
        let Ok(bytes) = body.collect().await.map(Collected::to_bytes) else {
            return StatusCode::BAD_REQUEST.into_response();
        };
        if step == Step::Verify && verifier.verify(&parts.headers, &bytes).is_err() {
            return StatusCode::UNAUTHORIZED.into_response();
        }
        body = Body::from(bytes);
    }
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let Ok(uri) = format!("http://{upstream}{path}").parse::<Uri>() else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    parts.uri = uri;
    parts.headers.remove(HOST);
    match client.request(Request::from_parts(parts, body)).await {
        Ok(response) => response.map(Body::new),
        Err(_) => StatusCode::BAD_GATEWAY.into_response(),
    }
}

fn usage() -> ! {
    eprintln!(
        "usage: bench_proxy upstream LISTEN | bench_proxy proxy|buffered|inline|layered LISTEN UPSTREAM"
    );
    std::process::exit(2);
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (app, listen) = match args.as_slice() {
        [mode, listen] if mode == "upstream" => (Router::new().fallback(|| async { "ok" }), listen),
        [mode, listen, upstream] => {
            let step = match mode.as_str() {
                "proxy" => Step::Stream,
                "buffered" => Step::Buffer,
                "inline" | "layered" => Step::Verify,
                _ => usage(),
            };
            let secret = std::env::var("GW_SECRET").unwrap_or_else(|_| "unused".into());
            let verifier = Verifier::new(
                Profile::hex_millis(),
                Secret::new(secret).expect("GW_SECRET is a usable secret"),
            );
            let mut connector = HttpConnector::new();
            connector.set_nodelay(true);
            let client = Client::builder(TokioExecutor::new())
                .pool_idle_timeout(Duration::from_secs(30))
                .build(connector);
            let layered = mode == "layered";
            let app = Router::new().fallback(forward).with_state(Proxy {
                client,
                upstream: upstream.clone(),
                step: if layered { Step::Stream } else { step },
                verifier: Arc::new(verifier.clone()),
            });
            let app = if layered {
                app.layer(VerifyWebhookLayer::new(verifier))
            } else {
                app
            };
            (app, listen)
        }
        _ => usage(),
    };
    let listen: SocketAddr = listen.parse().expect("LISTEN is host:port");
    let listener = tokio::net::TcpListener::bind(listen).await.expect("bind");
    axum::serve(listener, app).await.expect("serve");
}
