//! Test servers on 127.0.0.1 for each adapter, all answering a verified
//! delivery the same way: `{"status":"processed","request_id":…,"key_index":…}`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use cognigy_webhook::{RequestId, Verified};
use serde_json::{Value, json};

use super::http_cases::{BODY_LIMIT, READ_TIMEOUT, ServerConfig};

/// The route every test server serves.
pub const PATH: &str = "/webhooks/cognigy";

/// The handler's answer; counts the run.
pub fn processed(runs: &AtomicUsize, verified: &Verified, request_id: RequestId) -> Value {
    runs.fetch_add(1, Ordering::SeqCst);
    json!({ "status": "processed", "request_id": request_id.to_string(), "key_index": verified.key_index() })
}

/// The tower layer as every tower test server configures it.
#[cfg(feature = "axum")]
pub fn layer(config: &ServerConfig) -> cognigy_webhook::tower::VerifyWebhookLayer {
    cognigy_webhook::tower::VerifyWebhookLayer::new(config.verifier())
        .with_body_limit(BODY_LIMIT)
        .with_read_timeout(READ_TIMEOUT)
}

/// Serves `app` on a free port of 127.0.0.1, with the peer's address in
/// `ConnectInfo` (as the audit events report it).
#[cfg(feature = "axum")]
pub async fn serve_axum(app: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = app.into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await.unwrap() });
    addr
}

/// Serves the app `factory` makes on a free port of 127.0.0.1, in an actix
/// system on a thread of its own, with `workers` workers.
#[cfg(feature = "actix")]
pub fn serve_actix<F, T, B>(workers: usize, factory: F) -> SocketAddr
where
    F: Fn() -> actix_web::App<T> + Send + Clone + 'static,
    T: actix_web::dev::ServiceFactory<
            actix_web::dev::ServiceRequest,
            Config = (),
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
            InitError = (),
        > + 'static,
    B: actix_web::body::MessageBody + 'static,
{
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            actix_web::HttpServer::new(factory)
                .workers(workers)
                .disable_signals()
                .listen(listener)
                .unwrap()
                .run()
                .await
                .unwrap();
        })
    });
    addr
}

/// axum with the layer on the route (`route_layer`).
#[cfg(feature = "axum")]
pub async fn axum_server(config: ServerConfig, runs: Arc<AtomicUsize>) -> SocketAddr {
    let handler = move |verified: Verified, request_id: RequestId| {
        let body = processed(&runs, &verified, request_id);
        async move { axum::Json(body) }
    };
    let app = axum::Router::new()
        .route(PATH, axum::routing::post(handler))
        .route_layer(layer(&config));
    serve_axum(app).await
}

/// The layer in a plain tower stack (`ServiceBuilder`) served by hyper.
#[cfg(feature = "axum")]
pub async fn hyper_server(config: ServerConfig, runs: Arc<AtomicUsize>) -> SocketAddr {
    use bytes::Bytes;
    use http_body_util::Full;

    let inner = tower::service_fn(move |request: http::Request<Full<Bytes>>| {
        let verified = request.extensions().get::<Verified>().cloned().unwrap();
        let request_id = *request.extensions().get::<RequestId>().unwrap();
        let body = processed(&runs, &verified, request_id);
        async move {
            let mut response = http::Response::new(Full::new(Bytes::from(body.to_string())));
            response
                .headers_mut()
                .insert("content-type", "application/json".parse().unwrap());
            Ok::<_, std::convert::Infallible>(response)
        }
    });
    let service = tower::ServiceBuilder::new()
        .layer(layer(&config))
        .service(inner);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let service = hyper_util::service::TowerToHyperService::new(service.clone());
            tokio::spawn(async move {
                let io = hyper_util::rt::TokioIo::new(stream);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, service)
                    .await;
            });
        }
    });
    addr
}

/// The middleware on an actix-web resource, served by its own actix system
/// on a thread of its own.
#[cfg(feature = "actix")]
pub async fn actix_server(config: ServerConfig, runs: Arc<AtomicUsize>) -> SocketAddr {
    use actix_web::{App, HttpResponse, web};
    use cognigy_webhook::actix::WebhookVerification;

    async fn handler(
        verified: Verified,
        request_id: RequestId,
        runs: web::Data<Arc<AtomicUsize>>,
    ) -> HttpResponse {
        HttpResponse::Ok().json(processed(&runs, &verified, request_id))
    }

    let verifier = config.verifier();
    serve_actix(1, move || {
        App::new().app_data(web::Data::new(runs.clone())).service(
            web::resource(PATH)
                .wrap(
                    WebhookVerification::new(verifier.clone())
                        .with_body_limit(BODY_LIMIT)
                        .with_read_timeout(READ_TIMEOUT),
                )
                .route(web::post().to(handler)),
        )
    })
}

/// POSTs a body of each of `sizes` bytes, signed for `hex-millis` with
/// `secret`, to `/bytes` and `/string` of `addr`, whose handlers answer the
/// length they read: each must be 200 with its length.
pub async fn every_length_reaches_the_handler(addr: SocketAddr, secret: &str, sizes: &[usize]) {
    use cognigy_webhook::{Profile, Secret, Signer};
    let signer = Signer::new(Profile::hex_millis(), Secret::new(secret).unwrap());
    let client = reqwest::Client::new();
    for &size in sizes {
        let body = vec![b'a'; size];
        for route in ["bytes", "string"] {
            let mut request = client.post(format!("http://{addr}/{route}"));
            for (name, value) in signer.sign_now(&body).iter() {
                request = request.header(name, value);
            }
            let response = request.body(body.clone()).send().await.unwrap();
            let status = response.status().as_u16();
            let text = response.text().await.unwrap();
            assert_eq!(
                (status, text),
                (200, size.to_string()),
                "/{route}, {size} bytes"
            );
        }
    }
}
