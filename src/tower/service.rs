//! The middleware service.

use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use http_body::Body;
use http_body_util::Full;
use tower_service::Service;

use super::RejectionResponse;
use super::future::{Answer, ResponseFuture, serve};
use crate::Lookup;
use crate::adapter::{BoxError, HeaderNames, NamedLookup, Settings};
use crate::verify::headers::lookup_values;

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
    pub(super) names: HeaderNames<http::HeaderMap>,
}

impl NamedLookup for http::HeaderMap {
    type Name = http::HeaderName;

    fn parse(name: &str) -> Option<Self::Name> {
        http::HeaderName::from_bytes(name.as_bytes()).ok()
    }

    fn get_named(&self, name: &Self::Name) -> Lookup<'_> {
        lookup_values(self.get_all(name).iter().map(http::HeaderValue::as_bytes))
    }

    fn get_str(&self, name: &str) -> Lookup<'_> {
        crate::HeaderLookup::lookup(&self, name)
    }
}

impl<R> Shared<R> {
    pub(crate) fn new(settings: Settings, rejection: R) -> Self {
        let names = HeaderNames::new(&settings.verifier);
        Shared {
            settings,
            rejection,
            names,
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
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Response = Answer<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<ResBody, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The clone that was driven to readiness serves this request.
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(serve(Arc::clone(&self.shared), inner, request))
    }
}
