//! `gateway`: verifies deliveries at the edge with the library's tower
//! layer, then forwards the exact verified bytes to an upstream HTTP service
//! or enqueues them in a Redis stream. Services in any language get the
//! crate's verification, replay protection and audit without a line of
//! their own code.

mod args;
mod audit_log;
mod forward;
mod headers;
mod mode;
mod ops;
mod reload;
mod server;
mod stream;
mod upstream_body;

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use cognigy_webhook::Verifier;
use cognigy_webhook::observe::Audit;
use cognigy_webhook::replay::ReplayGuard;
use cognigy_webhook::tower::{JsonRejection, VerifyWebhook, VerifyWebhookLayer};
use http::Response;
use tower_layer::Layer;

pub(crate) use args::GatewayArgs;
use args::{AuditLog, Settings};
use audit_log::JsonLines;
use mode::Mode;
use reload::Reloadable;

use crate::Failure;

pub(crate) fn run(args: GatewayArgs) -> Result<(), Failure> {
    let settings = Settings::from_args(args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| Failure::Usage(format!("runtime: {error}")))?;
    runtime.block_on(serve(settings))
}

/// What the forwarder or the stream writer answers.
pub(crate) type BoxedAnswer =
    Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

/// The webhook route: the library's layer around the forwarder or the
/// stream writer.
pub(crate) type Webhook = VerifyWebhook<Mode, JsonRejection>;

/// What a webhook route needs besides the verifier, kept across reloads.
#[derive(Clone)]
struct Backend {
    mode: Arc<Mode>,
    guard: Option<ReplayGuard>,
    /// The audit log, unless `--audit-log off`.
    lines: Option<JsonLines>,
    settings: Arc<Settings>,
}

impl Backend {
    /// The webhook route for `verifier`.
    fn webhook(&self, verifier: Verifier) -> Result<Webhook, Failure> {
        // Metrics always; the JSON line unless `--audit-log off`.
        let mut layer = VerifyWebhookLayer::new(verifier)
            .with_body_limit(self.settings.body_limit)
            .with_read_timeout(self.settings.read_timeout)
            .with_observer((Audit::new(), self.lines.clone()));
        if let Some(guard) = &self.guard {
            layer = layer
                .with_replay_guard(guard.clone())
                .map_err(|error| Failure::Usage(format!("--replay: {error}")))?;
        }
        Ok(layer.layer((*self.mode).clone()))
    }
}

/// How long shutdown waits for nonce releases the replay store missed.
const RELEASE_GRACE: Duration = Duration::from_secs(5);

async fn serve(settings: Settings) -> Result<(), Failure> {
    let metrics = ops::install_observability()?;
    ops::install_crypto_provider();
    let mode = Arc::new(settings.connect_mode().await?);
    let guard = settings.replay_guard().await?;
    let verifier = settings.verifier()?;
    let listen = settings.listen;
    let backend = Backend {
        mode: Arc::clone(&mode),
        guard,
        lines: (settings.audit_log == AuditLog::Stdout).then(JsonLines::start),
        settings: Arc::new(settings),
    };
    let webhook = Reloadable::new(backend.webhook(verifier)?);
    reload::on_hangup(webhook.clone(), backend.clone());

    // Only the webhook path and the operations routes; every other path is
    // 404 (axum's default) and never forwarded.
    let app = Router::new()
        .route_service(&backend.settings.path, webhook.clone())
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .with_state(ops::OpsState {
            mode,
            metrics: Arc::new(metrics),
        });
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|error| Failure::Usage(format!("--listen {listen}: {error}")))?;
    let local = listener.local_addr().unwrap_or(listen);
    eprintln!(
        "cognigy-webhook gateway: listening on http://{local}{} ({})",
        backend.settings.path,
        backend.mode.describe()
    );
    server::serve(
        listener,
        app,
        backend.settings.read_timeout,
        ops::shutdown_signal(),
    )
    .await;
    webhook.drained().await;
    // Failed deliveries whose release waits for the replay store: a little
    // longer, so that their retries are not taken for duplicates.
    if let Some(guard) = &backend.guard {
        let left = guard.wait_for_releases(RELEASE_GRACE).await;
        if left > 0 {
            eprintln!(
                "cognigy-webhook gateway: the replay store stayed unreachable; {left} failed deliveries keep their nonce until it expires (their retries are answered as duplicates)"
            );
        }
    }
    if let Some(lines) = &backend.lines {
        lines.flush();
    }
    eprintln!("cognigy-webhook gateway: stopped after draining in-flight deliveries");
    Ok(())
}
