//! The middleware service.

use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use http_body::Body;
use http_body_util::{Either, Full};
use tower_service::Service;

use super::body::BoxError;
use super::{RejectionResponse, ResponseFuture};
use crate::adapter::{KnownHeaders, RequestHeaders, Settings};

/// The service [`VerifyWebhookLayer`](super::VerifyWebhookLayer) wraps around
/// an inner service; see there.
///
/// The inner service receives `Request<Full<Bytes>>` holding the exact
/// verified bytes (axum's `Route` and `Router` accept it as is).
#[derive(Debug, Clone)]
pub struct VerifyWebhook<S, R> {
    inner: S,
    /// Everything but the inner service, shared by every request at the cost
    /// of one reference count.
    shared: Arc<Shared<R>>,
}

/// What every service a layer makes shares: built with the layer, not per
/// `layer` call (axum calls that for every request on a router whose state
/// was never given with `with_state`).
#[derive(Debug, Clone)]
pub(crate) struct Shared<R> {
    pub(super) settings: Settings,
    pub(super) rejection: R,
    pub(super) known: KnownHeaders<http::HeaderName>,
}

impl<R> Shared<R> {
    pub(crate) fn new(settings: Settings, rejection: R) -> Self {
        let known = KnownHeaders::new(&settings.verifier, |name| {
            http::HeaderName::from_bytes(name.as_bytes()).ok()
        });
        Shared {
            settings,
            rejection,
            known,
        }
    }

    /// `map`, with what it holds under the known names found in one pass.
    pub(super) fn headers<'a>(
        &'a self,
        map: &'a http::HeaderMap,
    ) -> RequestHeaders<'a, http::HeaderMap, http::HeaderName> {
        let entries = map.iter().map(|(name, value)| (name, value.as_bytes()));
        RequestHeaders {
            map,
            found: self.known.scan(entries),
        }
    }
}

impl<S, R> VerifyWebhook<S, R> {
    pub(crate) fn new(inner: S, shared: Arc<Shared<R>>) -> Self {
        VerifyWebhook { inner, shared }
    }

    #[cfg(test)]
    pub(crate) fn shared(&self) -> &Arc<Shared<R>> {
        &self.shared
    }
}

impl<S, R, B, ResBody> Service<Request<B>> for VerifyWebhook<S, R>
where
    S: Service<Request<Full<Bytes>>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: Send,
    ResBody: Send + 'static,
    R: RejectionResponse,
    B: Body,
    B::Error: Into<BoxError>,
{
    type Response = Response<Either<ResBody, Full<Bytes>>>;
    type Error = S::Error;
    type Future = ResponseFuture<S, B, R>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The clone that was driven to readiness serves this request.
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        ResponseFuture::new(request, inner, Arc::clone(&self.shared))
    }
}
