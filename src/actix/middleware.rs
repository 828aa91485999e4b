//! The middleware: a `Transform` builder and the service it wraps around.

use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::Method;
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::{HttpMessage, HttpResponse};

use super::body::{read_limited, verified_payload};
use super::extract::rejection_response;
use crate::adapter::{Decision, KnownHeaders, RequestHeaders, Settings};
use crate::headers::lookup_values;
use crate::{CorrelationId, ErrorKind, Rejection, Verified, Verifier};

type RejectionFn = Arc<dyn Fn(&Rejection) -> HttpResponse + Send + Sync>;

/// Verifies webhook deliveries before the handler runs: wrap a resource or
/// scope with it. See the [module docs](super) for an example.
///
/// Defaults, as for the tower layer: bodies up to 1 MiB (an explicit limit,
/// never actix's implicit payload default), no read timeout, only `POST`,
/// refusals answered with their status and `{"error": …, "reason": …}`.
/// On success the handler sees the exact verified bytes as its payload and
/// [`Verified`](crate::Verified), [`RequestId`](crate::RequestId) and, when sent,
/// [`CorrelationId`] in the request extensions.
#[derive(Clone)]
#[must_use]
pub struct VerifyWebhook {
    settings: Settings,
    rejection: Option<RejectionFn>,
}

impl VerifyWebhook {
    /// A middleware verifying with `verifier`.
    pub fn new(verifier: Verifier) -> Self {
        VerifyWebhook {
            settings: Settings::new(verifier),
            rejection: None,
        }
    }

    /// Refuses bodies over `bytes` with 413 `body_too_large`.
    pub fn with_body_limit(mut self, bytes: usize) -> Self {
        self.settings.body_limit = bytes;
        self
    }

    /// Refuses with 408 `body_timeout` when the body has not arrived within
    /// `timeout`.
    pub fn with_read_timeout(mut self, timeout: Duration) -> Self {
        self.settings.read_timeout = Some(timeout);
        self
    }

    /// Accepts every method instead of refusing all but `POST` with 405.
    pub fn with_any_method(mut self) -> Self {
        self.settings.post_only = false;
        self
    }

    /// Refuses (or acknowledges) deliveries seen before, as
    /// [`VerifyWebhookLayer::with_replay_guard`](crate::tower::VerifyWebhookLayer::with_replay_guard)
    /// does for tower.
    #[cfg(feature = "replay")]
    pub fn with_replay_guard(
        mut self,
        guard: crate::replay::ReplayGuard,
    ) -> Result<Self, crate::ConfigError> {
        self.settings.set_replay_guard(guard)?;
        Ok(self)
    }

    /// Reports every request to `observer` instead of the default, as
    /// [`VerifyWebhookLayer::with_observer`](crate::tower::VerifyWebhookLayer::with_observer)
    /// does for tower.
    pub fn with_observer(mut self, observer: impl crate::observe::Observer) -> Self {
        self.settings.set_observer(observer);
        self
    }

    /// Answers refusals with `respond` instead of the default JSON.
    pub fn with_rejection(
        mut self,
        respond: impl Fn(&Rejection) -> HttpResponse + Send + Sync + 'static,
    ) -> Self {
        self.rejection = Some(Arc::new(respond));
        self
    }
}

impl std::fmt::Debug for VerifyWebhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyWebhook")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl<S, B> Transform<S, ServiceRequest> for VerifyWebhook
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = VerifyWebhookMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        let known = KnownHeaders::new(&self.settings.verifier, |name| {
            HeaderName::from_bytes(name.as_bytes()).ok()
        });
        ready(Ok(VerifyWebhookMiddleware {
            service: Rc::new(service),
            config: Rc::new(self.clone()),
            known: Rc::new(known),
        }))
    }
}

/// The service [`VerifyWebhook`] wraps around the inner one.
pub struct VerifyWebhookMiddleware<S> {
    service: Rc<S>,
    config: Rc<VerifyWebhook>,
    known: Rc<KnownHeaders<HeaderName>>,
}

impl<S> std::fmt::Debug for VerifyWebhookMiddleware<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyWebhookMiddleware")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

type LocalBoxFuture<T> = Pin<Box<dyn Future<Output = T>>>;

impl<S, B> Service<ServiceRequest> for VerifyWebhookMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, mut request: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        let config = Rc::clone(&self.config);
        let known = Rc::clone(&self.known);
        Box::pin(async move {
            let settings = &config.settings;
            let payload = request.take_payload();
            let headers = request_headers(&request, &known);
            let facts = settings.facts(
                CorrelationId::from_lookup(headers.found.correlation_id()),
                || request.peer_addr(),
            );
            let refuse = |request: ServiceRequest, kind: ErrorKind, verified: Option<&Verified>| {
                settings.report(&facts, request.path(), Decision::Rejected(kind, verified));
                let rejection = Rejection::new(kind);
                let response = match &config.rejection {
                    Some(respond) => respond(&rejection),
                    None => rejection_response(&rejection),
                };
                Ok(request.into_response(response).map_into_right_body())
            };
            request.extensions_mut().insert(facts.request_id);
            if settings.post_only && request.method() != Method::POST {
                return refuse(request, ErrorKind::MethodNotAllowed, None);
            }
            let bytes = match read_limited(
                headers.found.content_length(),
                payload,
                settings.body_limit,
                settings.read_timeout,
            )
            .await
            {
                Ok(bytes) => bytes,
                Err(kind) => return refuse(request, kind, None),
            };
            let verified = match settings.verifier.verify(&headers, &bytes) {
                Ok(verified) => verified,
                Err(error) => return refuse(request, error.kind(), None),
            };
            #[cfg(feature = "replay")]
            let admitted = match &settings.replay {
                None => None,
                Some(guard) => {
                    use crate::replay::ReplayDecision;
                    let correlation_id = facts.correlation.as_ref().map(CorrelationId::as_str);
                    let decision = guard
                        .admit(&verified, &headers, correlation_id, &bytes)
                        .await;
                    match decision {
                        ReplayDecision::Proceed(nonce) => Some((guard, nonce)),
                        ReplayDecision::Acknowledge => {
                            settings.report(&facts, request.path(), Decision::Duplicate(&verified));
                            let response = HttpResponse::Ok()
                                .content_type("application/json")
                                .body(crate::replay::DUPLICATE_BODY);
                            return Ok(request.into_response(response).map_into_right_body());
                        }
                        ReplayDecision::Refuse(kind) => {
                            return refuse(request, kind, Some(&verified));
                        }
                    }
                }
            };
            settings.report(&facts, request.path(), Decision::Verified(&verified));
            {
                let mut extensions = request.extensions_mut();
                extensions.insert(verified);
                if let Some(correlation) = facts.correlation {
                    extensions.insert(correlation);
                }
            }
            request.set_payload(verified_payload(bytes));
            let result = service.call(request).await;
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
            Ok(result?.map_into_left_body())
        })
    }
}

/// The request's headers, read once for the known names.
fn request_headers<'a>(
    request: &'a ServiceRequest,
    known: &'a KnownHeaders<HeaderName>,
) -> RequestHeaders<'a, HeaderMap, HeaderName> {
    let map = request.headers();
    RequestHeaders {
        map,
        found: known.look_up(|name| lookup_values(map.get_all(name).map(HeaderValue::as_bytes))),
    }
}
