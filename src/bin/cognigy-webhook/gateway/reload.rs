//! Rotation without restart: SIGHUP reads the secrets again and swaps the
//! webhook route; requests in flight finish on the route they started on.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, PoisonError, RwLock};
use std::task::{Context, Poll};

use axum::body::Body;
use axum::response::Response;
use http::Request;
use tower_service::Service;

use super::{Backend, Webhook};

/// The current webhook service, replaced as a whole on reload.
#[derive(Clone)]
pub(crate) struct Reloadable {
    current: Arc<RwLock<Webhook>>,
}

impl Reloadable {
    pub(crate) fn new(webhook: Webhook) -> Self {
        Reloadable {
            current: Arc::new(RwLock::new(webhook)),
        }
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
        Box::pin(async move {
            let response = webhook.call(request).await?;
            Ok(response.map(Body::new))
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
