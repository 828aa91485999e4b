//! The middleware service.

use std::net::SocketAddr;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Method, Request, Response};
use http_body::Body;
use http_body_util::{Either, Full};
use tower_service::Service;

use super::body::read_limited;
use super::{RejectionResponse, ResponseFuture};
use crate::adapter::{Decision, KnownHeaders, RequestHeaders, Settings};
use crate::{CorrelationId, ErrorKind, Rejection, Verified};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

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
    rejection: R,
    known: KnownHeaders<http::HeaderName>,
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
    ResBody: Send,
    R: RejectionResponse,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Response = Response<Either<ResBody, Full<Bytes>>>;
    type Error = S::Error;
    type Future = ResponseFuture<ResBody, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The clone that was driven to readiness serves this request.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let shared = Arc::clone(&self.shared);
        ResponseFuture::new(Box::pin(async move {
            let settings = &shared.settings;
            let (mut parts, body) = request.into_parts();
            let headers = RequestHeaders {
                map: &parts.headers,
                found: shared.known.scan(
                    parts
                        .headers
                        .iter()
                        .map(|(name, value)| (name, value.as_bytes())),
                ),
            };
            let facts = settings.facts(
                CorrelationId::from_lookup(headers.found.correlation_id()),
                || remote_addr(&parts.extensions),
            );
            parts.extensions.insert(facts.request_id);
            let refuse = |kind: ErrorKind, verified: Option<&Verified>| {
                settings.report(&facts, parts.uri.path(), Decision::Rejected(kind, verified));
                let response = shared.rejection.response(&Rejection::new(kind));
                Ok(response.map(Either::Right))
            };
            if settings.post_only && parts.method != Method::POST {
                return refuse(ErrorKind::MethodNotAllowed, None);
            }
            let bytes = match read_limited(
                headers.found.content_length(),
                body,
                settings.body_limit,
                settings.read_timeout,
            )
            .await
            {
                Ok(bytes) => bytes,
                Err(kind) => return refuse(kind, None),
            };
            let verified = match settings.verifier.verify(&headers, &bytes) {
                Ok(verified) => verified,
                Err(error) => return refuse(error.kind(), None),
            };
            #[cfg(feature = "replay")]
            let admitted = match &settings.replay {
                None => None,
                Some(guard) => {
                    use crate::replay::ReplayDecision;
                    let correlation_id = facts.correlation.as_ref().map(CorrelationId::as_str);
                    match guard
                        .admit(&verified, &headers, correlation_id, &bytes)
                        .await
                    {
                        ReplayDecision::Proceed(nonce) => Some((guard, nonce)),
                        ReplayDecision::Acknowledge => {
                            settings.report(
                                &facts,
                                parts.uri.path(),
                                Decision::Duplicate(&verified),
                            );
                            return Ok(super::response::duplicate_response().map(Either::Right));
                        }
                        ReplayDecision::Refuse(kind) => return refuse(kind, Some(&verified)),
                    }
                }
            };
            settings.report(&facts, parts.uri.path(), Decision::Verified(&verified));
            parts.extensions.insert(verified);
            if let Some(correlation) = facts.correlation {
                parts.extensions.insert(correlation);
            }
            let result = inner
                .call(Request::from_parts(parts, Full::new(bytes)))
                .await;
            #[cfg(feature = "replay")]
            if let Some((guard, nonce)) = admitted {
                // The handler failed: forget the delivery so its retry runs.
                if result
                    .as_ref()
                    .map_or(true, |r| r.status().is_server_error())
                {
                    guard.guard.release(&nonce).await;
                }
            }
            Ok(result?.map(Either::Left))
        }))
    }
}

/// The peer's address: axum's `ConnectInfo<SocketAddr>`, or a `SocketAddr`
/// extension that another layer inserted.
fn remote_addr(extensions: &http::Extensions) -> Option<SocketAddr> {
    #[cfg(feature = "axum")]
    if let Some(info) = extensions.get::<::axum::extract::ConnectInfo<SocketAddr>>() {
        return Some(info.0);
    }
    extensions.get::<SocketAddr>().copied()
}
