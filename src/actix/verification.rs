//! The middleware: a `Transform` builder and the service it wraps around,
//! driving the shared pipeline over actix-web's types.

use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{
    Extensions, Service, ServiceRequest, ServiceResponse, Transform, forward_ready,
};
use actix_web::http::header::HeaderMap;
use actix_web::http::header::WWW_AUTHENTICATE;
use actix_web::http::{Method, StatusCode};
use actix_web::web::PayloadConfig;
use actix_web::{HttpMessage, HttpResponse, ResponseError as _};

use super::body::verified_payload;
use crate::adapter::{Delivery, HeaderNames, Refusal, Settings, drain, joined};
use crate::{Error, Verifier};

type RespondFn = Arc<dyn Fn(&Error) -> HttpResponse + Send + Sync>;

/// Verifies webhook deliveries before the handler runs: wrap a resource or
/// scope with it. See the [module docs](super) for an example.
///
/// Defaults, as for the tower layer: bodies up to 1 MiB (an explicit limit,
/// never actix's implicit payload default), a 10 s read timeout, only
/// `POST`, refusals answered with their status and
/// `{"error": …, "reason": …}`. On success the handler sees the exact
/// verified bytes as its payload and [`Verified`](crate::Verified),
/// [`RequestId`](crate::RequestId) and, when sent,
/// [`CorrelationId`](crate::CorrelationId) in the request extensions.
/// actix's own body extractors (`web::Bytes`, `String`) read every body the
/// middleware admitted: for the requests it passes on, the middleware's body
/// limit is their `web::PayloadConfig` (actix's default, 256 KiB, would
/// refuse verified deliveries). It takes the place of a `PayloadConfig` set
/// on the app or on what the middleware wraps (its `mimetype` included); one
/// set with `app_data(PayloadConfig)` on a resource or scope inside what it
/// wraps still applies (one given as `web::Data<PayloadConfig>` does not).
///
/// The head is judged before the body is read, and a refusal there is
/// answered at once; what still arrives of its body is read and thrown away
/// (at most the body limit, for at most two seconds) so the sender reads the
/// answer. actix-web answers `Expect: 100-continue` itself before any
/// middleware runs, so such a sender is told to go on and then refused
/// without its body being kept.
#[derive(Clone)]
#[must_use]
pub struct WebhookVerification {
    settings: Settings,
    respond: Option<RespondFn>,
}

impl WebhookVerification {
    /// A middleware verifying with `verifier`.
    pub fn new(verifier: Verifier) -> Self {
        WebhookVerification {
            settings: Settings::new(verifier),
            respond: None,
        }
    }

    /// Refuses bodies over `bytes` with 413 `body_too_large`. (`web::Json`
    /// and `web::Form` keep their own limits, 2 MiB and 16 KiB unless
    /// `web::JsonConfig` or `web::FormConfig` say otherwise; a handler's 413
    /// keeps the delivery's nonce like any other 4xx but 408 and 429.)
    pub fn with_body_limit(mut self, bytes: usize) -> Self {
        self.settings.body_limit = bytes;
        self
    }

    /// Refuses with 408 `body_timeout` when the body has not arrived within
    /// `timeout` instead of the default 10 s.
    pub fn with_read_timeout(mut self, timeout: Duration) -> Self {
        self.settings.read_timeout = Some(timeout);
        self
    }

    /// Accepts every method instead of refusing all but `POST` with 405.
    pub fn with_any_method(mut self) -> Self {
        self.settings.post_only = false;
        self
    }

    /// Runs the handler for a verified delivery in a task of its own, as
    /// [`VerifyWebhookLayer::with_detached_handler`](crate::tower::VerifyWebhookLayer::with_detached_handler)
    /// does for tower. actix-web itself lets a handler finish when its
    /// sender hangs up; this keeps it running when the request is dropped
    /// otherwise (a timeout middleware outside this one).
    pub fn with_detached_handler(mut self) -> Self {
        self.settings.detached = true;
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
        respond: impl Fn(&Error) -> HttpResponse + Send + Sync + 'static,
    ) -> Self {
        self.respond = Some(Arc::new(respond));
        self
    }

    fn response(&self, refusal: Refusal) -> HttpResponse {
        let mut response = match refusal {
            Refusal::Refused(error) => match &self.respond {
                Some(respond) => respond(&error),
                None => error.error_response(),
            },
            #[cfg(feature = "replay")]
            Refusal::Duplicate => HttpResponse::Ok()
                .content_type("application/json")
                .body(crate::replay::DUPLICATE_BODY),
        };
        if let (StatusCode::UNAUTHORIZED, Some(challenge)) =
            (response.status(), self.settings.challenge)
            && !response.headers().contains_key(WWW_AUTHENTICATE)
        {
            response.headers_mut().insert(
                WWW_AUTHENTICATE,
                actix_web::http::header::HeaderValue::from_static(challenge),
            );
        }
        response
    }
}

impl std::fmt::Debug for WebhookVerification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookVerification")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl<S, B> Transform<S, ServiceRequest> for WebhookVerification
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = WebhookVerificationMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        let mut payload_config = Extensions::new();
        payload_config.insert(PayloadConfig::new(self.settings.body_limit));
        ready(Ok(WebhookVerificationMiddleware {
            service: Rc::new(service),
            config: Rc::new(self.clone()),
            names: Rc::new(HeaderNames::new(&self.settings.verifier)),
            payload_config: Rc::new(payload_config),
        }))
    }
}

/// The service [`WebhookVerification`] wraps around the inner one.
pub struct WebhookVerificationMiddleware<S> {
    service: Rc<S>,
    config: Rc<WebhookVerification>,
    names: Rc<HeaderNames<HeaderMap>>,
    /// actix's body extractors' limit, raised to the middleware's.
    payload_config: Rc<Extensions>,
}

impl<S> std::fmt::Debug for WebhookVerificationMiddleware<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookVerificationMiddleware")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

type LocalBoxFuture<T> = Pin<Box<dyn Future<Output = T>>>;

impl<S, B> Service<ServiceRequest> for WebhookVerificationMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        let config = Rc::clone(&self.config);
        let names = Rc::clone(&self.names);
        let payload_config = Rc::clone(&self.payload_config);
        Box::pin(async move {
            let mut request = request;
            let settings = &config.settings;
            let payload = request.take_payload();
            let refuse = |request: ServiceRequest, refusal| {
                let response = config.response(refusal);
                Ok(request.into_response(response).map_into_right_body())
            };
            let admitted = {
                let headers = names.of(request.headers());
                let delivery = Delivery::start(settings, headers, || request.peer_addr());
                let path = request.path();
                let head = match delivery.judge(request.method() == Method::POST, path, headers) {
                    Ok(head) => head,
                    Err(error) => {
                        actix_web::rt::spawn(drain(payload, settings.body_limit));
                        return refuse(request, Refusal::Refused(error));
                    }
                };
                delivery.admit(head, path, payload).await
            };
            let admitted = match admitted {
                Ok(admitted) => admitted,
                Err(refusal) => return refuse(request, refusal),
            };
            {
                let mut extensions = request.extensions_mut();
                extensions.insert(admitted.request_id);
                extensions.insert(admitted.verified);
                if let Some(correlation) = admitted.correlation {
                    extensions.insert(correlation);
                }
            }
            request.set_payload(verified_payload(admitted.bytes));
            request.add_data_container(payload_config);
            let handle = admitted
                .ticket
                .settle_after(service.call(request), |response| response.status().as_u16());
            let result = if settings.detached {
                joined(actix_web::rt::spawn(handle)).await
            } else {
                handle.await
            };
            Ok(result?.map_into_left_body())
        })
    }
}
