//! Rotation without restart: SIGHUP reads the secrets again and swaps the
//! webhook route; requests in flight finish on the route they started on.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, PoisonError, RwLock};
use std::task::{Context, Poll};

use axum::body::Body;
use axum::response::Response;
use http::{Request, StatusCode};
use tokio_util::task::TaskTracker;
use tower_service::Service;

use super::headers::error_response;
use super::{Backend, Webhook};

/// The current webhook service, replaced as a whole on reload, and the
/// deliveries being handed off, which shutdown waits for.
#[derive(Clone)]
pub(crate) struct Reloadable {
    current: Arc<RwLock<Webhook>>,
    in_flight: TaskTracker,
}

impl Reloadable {
    pub(crate) fn new(webhook: Webhook) -> Self {
        Reloadable {
            current: Arc::new(RwLock::new(webhook)),
            in_flight: TaskTracker::new(),
        }
    }

    /// Waits for every delivery in flight, also those whose sender hung up.
    pub(crate) async fn drained(&self) {
        self.in_flight.close();
        self.in_flight.wait().await;
    }

    fn replace(&self, webhook: Webhook) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = webhook;
    }
}

impl Service<Request<Body>> for Reloadable {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        // The service in use when the request arrived serves it to the end.
        let mut webhook = self
            .current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        // A task of its own: a sender that hangs up does not cancel the
        // hand-off to the upstream or Redis, which may have the delivery
        // already. Its outcome decides whether the nonce is kept, as for a
        // sender that waits (cancelled, the nonce would be released and the
        // delivery could be replayed as often as the sender hangs up). The
        // layer's `with_detached_handler` would do the same from admission
        // on; this task is tracked, so shutdown also waits for a hand-off
        // whose sender has gone instead of cutting it off.
        let handed_off = self
            .in_flight
            .spawn(async move { webhook.call(request).await });
        Box::pin(async move {
            match handed_off.await {
                Ok(Ok(response)) => Ok(response.map(Body::new)),
                Ok(Err(never)) => match never {},
                Err(_) => Ok(error_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal_error",
                    "the delivery could not be handed off",
                )),
            }
        })
    }
}

/// On each SIGHUP, builds the route again from the secrets as they are now;
/// keeps the old one (and says why) when they cannot be read.
pub(crate) fn on_hangup(webhook: Reloadable, backend: Backend) {
    let Ok(mut hangups) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
    else {
        eprintln!("cognigy-webhook gateway: SIGHUP unavailable; secrets load once");
        return;
    };
    tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            match backend
                .settings
                .verifier()
                .and_then(|verifier| backend.webhook(verifier))
            {
                Ok(service) => {
                    webhook.replace(service);
                    eprintln!("cognigy-webhook gateway: secrets reloaded");
                }
                Err(crate::Failure::Usage(message)) => {
                    eprintln!(
                        "cognigy-webhook gateway: reload failed, keeping the secrets in use: {message}"
                    );
                }
                Err(crate::Failure::Refused) => {}
            }
        }
    });
}
