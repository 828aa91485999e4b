//! The baseline of `benches/gateway_load.sh`: a bare reverse proxy on the
//! same stack as the gateway (axum server, hyper-util pooled client) with
//! **no verification** — the body is streamed through untouched — and a
//! trivial upstream that answers every request with 200.
//!
//! ```text
//! cargo run --release --features gateway --example bench_proxy -- upstream 127.0.0.1:3000
//! cargo run --release --features gateway --example bench_proxy -- proxy 127.0.0.1:8081 127.0.0.1:3000
//! ```
//!
//! Not for production: it forwards anything to anyone.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::HOST;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

type Upstream = (Client<HttpConnector, Body>, String);

async fn forward(State((client, upstream)): State<Upstream>, request: Request) -> Response {
    let (mut parts, body) = request.into_parts();
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

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (app, listen) = match args.as_slice() {
        [mode, listen] if mode == "upstream" => (Router::new().fallback(|| async { "ok" }), listen),
        [mode, listen, upstream] if mode == "proxy" => {
            let mut connector = HttpConnector::new();
            connector.set_nodelay(true);
            let client = Client::builder(TokioExecutor::new())
                .pool_idle_timeout(Duration::from_secs(30))
                .build(connector);
            let app = Router::new()
                .fallback(forward)
                .with_state((client, upstream.clone()));
            (app, listen)
        }
        _ => {
            eprintln!("usage: bench_proxy upstream LISTEN | bench_proxy proxy LISTEN UPSTREAM");
            std::process::exit(2);
        }
    };
    let listen: SocketAddr = listen.parse().expect("LISTEN is host:port");
    let listener = tokio::net::TcpListener::bind(listen).await.expect("bind");
    axum::serve(listener, app).await.expect("serve");
}
