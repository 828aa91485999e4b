//! The middleware service: the shared pipeline, driven over `http` types.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header::{CONNECTION, EXPECT, WWW_AUTHENTICATE};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body::Body;
use http_body_util::{BodyDataStream, Either, Full};
use tower_service::Service;

use super::RejectionResponse;
use crate::adapter::{
    BoxError, Delivery, HeaderNames, NamedLookup, Refusal, Settings, drain, joined,
};
use crate::verify::headers::lookup_values;
use crate::{ErrorKind, Lookup};

/// What the middleware answers: the inner service's response
/// (`Either::Left`) or its own refusal (`Either::Right`).
pub type Answer<ResBody> = Response<Either<ResBody, Full<Bytes>>>;

/// The future of [`VerifyWebhook`]: resolves to the inner service's
/// response, or to the refusal.
pub type ResponseFuture<ResBody, E> =
    Pin<Box<dyn Future<Output = Result<Answer<ResBody>, E>> + Send>>;

/// The service [`VerifyWebhookLayer`](super::VerifyWebhookLayer) wraps around
/// an inner service; see there.
///
/// The inner service receives `Request<Full<Bytes>>` holding the exact
/// verified bytes (axum's `Route` and `Router` accept it as is).
#[derive(Debug, Clone)]
pub struct VerifyWebhook<S, R> {
    pub(super) inner: S,
    /// Everything but the inner service, shared by every request at the cost
    /// of one reference count.
    pub(super) shared: Arc<Shared<R>>,
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

    fn get_named(&self, name: &Self::Name) -> Lookup<'_> {
        lookup_values(self.get_all(name).iter().map(HeaderValue::as_bytes))
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

/// Judges the head, refuses at once what fails there (the body is then
/// never polled when the sender waits for `100 Continue`, and otherwise
/// drained in the background so the sender reads the answer), reads and
/// verifies the body, runs the inner service, and settles the delivery.
async fn serve<S, R, B, ResBody>(
    shared: Arc<Shared<R>>,
    mut inner: S,
    request: Request<B>,
) -> Result<Answer<ResBody>, S::Error>
where
    S: Service<Request<Full<Bytes>>, Response = Response<ResBody>> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    ResBody: Send + 'static,
    R: RejectionResponse,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let (mut parts, body) = request.into_parts();
    let settings = &shared.settings;
    let headers = shared.names.of(&parts.headers);
    let delivery = Delivery::start(settings, headers, || remote_addr(&parts.extensions));
    let path = parts.uri.path();
    let refused = |refusal, body_left: bool| Ok(refuse(&shared, refusal, body_left));
    let head = match delivery.judge(parts.method == Method::POST, path, headers) {
        Ok(head) => head,
        Err(error) => {
            let waits_for_continue = parts
                .headers
                .get(EXPECT)
                .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"100-continue"));
            let has_body = !body.is_end_stream();
            // Outside a Tokio runtime (no task to drain in) the body is
            // simply dropped.
            if let (false, Ok(runtime)) =
                (waits_for_continue, tokio::runtime::Handle::try_current())
            {
                runtime.spawn(drain(BodyDataStream::new(body), settings.body_limit));
            }
            return refused(Refusal::Refused(error), has_body);
        }
    };
    let body = BodyDataStream::new(body);
    let admitted = match delivery.admit(head, path, body).await {
        Ok(admitted) => admitted,
        Err(refusal) => {
            // Refused while read (too large, too slow, broken): the rest of
            // the body stays unread.
            let cut_short = matches!(&refusal, Refusal::Refused(error) if matches!(
                error.kind(),
                ErrorKind::BodyTooLarge | ErrorKind::BodyTimeout | ErrorKind::BodyUnreadable
            ));
            return refused(refusal, cut_short);
        }
    };
    parts.extensions.insert(admitted.request_id);
    parts.extensions.insert(admitted.verified);
    if let Some(correlation) = admitted.correlation {
        parts.extensions.insert(correlation);
    }
    let request = Request::from_parts(parts, Full::new(admitted.bytes));
    // axum's body extractors read every body the layer admitted, not only
    // what their 2 MB default allows.
    #[cfg(feature = "axum")]
    let request = {
        let mut request = request;
        axum_core::extract::DefaultBodyLimit::max(settings.body_limit).apply(&mut request);
        request
    };
    let handle = admitted
        .ticket
        .settle_after(inner.call(request), |response| response.status().as_u16());
    let runtime = settings
        .detached
        .then(tokio::runtime::Handle::try_current)
        .and_then(Result::ok);
    let result = match runtime {
        Some(runtime) => joined(runtime.spawn(handle)).await,
        None => handle.await,
    };
    result.map(|response| response.map(Either::Left))
}

/// The answer to a refused request. When it has a body (`body_left`: one
/// refused by its head is only drained, up to the limit and for two
/// seconds; one refused while read is cut short), the connection will not
/// carry another request: the answer says `Connection: close`, so that the
/// sender's client does not put it back in its pool and lose its next
/// request there.
fn refuse<R: RejectionResponse, ResBody>(
    shared: &Shared<R>,
    refusal: Refusal,
    body_left: bool,
) -> Answer<ResBody> {
    let mut response = match refusal {
        Refusal::Refused(error) => shared.rejection.response(&error),
        #[cfg(feature = "replay")]
        Refusal::Duplicate => super::response::duplicate_response(),
    };
    if body_left {
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    if let (StatusCode::UNAUTHORIZED, Some(challenge)) =
        (response.status(), shared.settings.challenge)
    {
        response
            .headers_mut()
            .entry(WWW_AUTHENTICATE)
            .or_insert(HeaderValue::from_static(challenge));
    }
    response.map(Either::Right)
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
