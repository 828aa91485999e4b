//! The response future of [`VerifyWebhook`](super::VerifyWebhook): reads the
//! body, verifies it and runs the inner service, in one state machine that
//! allocates nothing of its own unless a read timeout or a replay guard is
//! configured.

use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use http::request::Parts;
use http::{Method, Request, Response};
use http_body::Body;
use http_body_util::{Either, Full};
use pin_project_lite::pin_project;
use tower_service::Service;

use super::RejectionResponse;
use super::body::{BoxError, Deadline, poll_body};
use super::service::Shared;
use crate::adapter::{BodyBuffer, Decision, RequestFacts};
use crate::headers::declared_length;
use crate::{CorrelationId, ErrorKind, Rejection, Verified};

/// What the middleware answers: the inner service's response
/// (`Either::Left`) or its own refusal (`Either::Right`).
type Answer<ResBody> = Response<Either<ResBody, Full<Bytes>>>;

pin_project! {
    /// Resolves to the inner service's response, or to the refusal. The body
    /// is `Either::Left` for the inner response and `Either::Right` for a
    /// refusal.
    pub struct ResponseFuture<S, B, R>
    where
        S: Service<Inbound>,
    {
        #[pin]
        state: State<S, B, R>,
    }
}

pin_project! {
    #[project = StateProj]
    #[project_replace = StateOwned]
    enum State<S, B, R>
    where
        S: Service<Inbound>,
    {
        /// Reading the body; the rest of the request waits beside it.
        Reading { #[pin] body: B, request: Waiting<S, R> },
        /// Verified: the inner service runs.
        Calling { #[pin] future: S::Future },
        /// Verified, with a replay guard: admission, the inner service and,
        /// if it fails, the release, which all await the guard's store.
        Guarded { future: GuardedFuture<S> },
        /// Answered.
        Done,
    }
}

/// The request the inner service receives.
type Inbound = Request<Full<Bytes>>;

/// The guarded path, which awaits the replay guard's store.
type GuardedFuture<S> = Pin<Box<dyn Future<Output = Guarded<S>> + Send>>;

/// What the guarded path resolves to.
type Guarded<S> = Result<Reply<<S as Service<Inbound>>::Response>, <S as Service<Inbound>>::Error>;

/// The answer of the guarded path: the inner service's or a refusal.
#[cfg_attr(not(feature = "replay"), allow(dead_code))]
enum Reply<T> {
    Inner(T),
    Refusal(Response<Full<Bytes>>),
}

/// The request, apart from its body, while the body is read.
struct Waiting<S, R> {
    parts: Parts,
    inner: S,
    shared: Arc<Shared<R>>,
    buffer: BodyBuffer,
    /// Set when the request is first polled.
    started: Option<Started>,
}

/// What the first poll sets up.
struct Started {
    facts: RequestFacts,
    deadline: Option<Deadline>,
}

impl<S, B, R> ResponseFuture<S, B, R>
where
    S: Service<Inbound>,
{
    pub(super) fn new(request: Request<B>, inner: S, shared: Arc<Shared<R>>) -> Self {
        let (parts, body) = request.into_parts();
        let buffer = BodyBuffer::new(shared.settings.body_limit);
        ResponseFuture {
            state: State::Reading {
                body,
                request: Waiting {
                    parts,
                    inner,
                    shared,
                    buffer,
                    started: None,
                },
            },
        }
    }
}

impl<S, B, R, ResBody> Future for ResponseFuture<S, B, R>
where
    S: Service<Inbound, Response = Response<ResBody>> + Send + 'static,
    S::Future: Send,
    S::Error: Send,
    ResBody: Send + 'static,
    R: RejectionResponse,
    B: Body,
    B::Error: Into<BoxError>,
{
    type Output = Result<Answer<ResBody>, S::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        loop {
            let next = match state.as_mut().project() {
                StateProj::Reading { body, request } => match ready!(request.poll_read(body, cx)) {
                    Read::Refused(response) => {
                        state.set(State::Done);
                        return Poll::Ready(Ok(response.map(Either::Right)));
                    }
                    Read::Verified(verified, bytes) => {
                        let StateOwned::Reading { request, .. } =
                            state.as_mut().project_replace(State::Done)
                        else {
                            unreachable!("the state was Reading")
                        };
                        request.forward(verified, bytes)
                    }
                },
                StateProj::Calling { future } => {
                    let result = ready!(future.poll(cx));
                    state.set(State::Done);
                    return Poll::Ready(result.map(|response| response.map(Either::Left)));
                }
                StateProj::Guarded { future } => {
                    let result = ready!(future.as_mut().poll(cx));
                    state.set(State::Done);
                    return Poll::Ready(result.map(|reply| match reply {
                        Reply::Inner(response) => response.map(Either::Left),
                        Reply::Refusal(response) => response.map(Either::Right),
                    }));
                }
                StateProj::Done => panic!("ResponseFuture polled after completion"),
            };
            state.set(next);
        }
    }
}

/// Where reading ended.
enum Read {
    Refused(Response<Full<Bytes>>),
    Verified(Verified, Bytes),
}

impl<S, R> Waiting<S, R>
where
    S: Service<Inbound>,
    R: RejectionResponse,
{
    /// Reads the body to its end and verifies the request, or refuses it.
    fn poll_read<B>(&mut self, body: Pin<&mut B>, cx: &mut Context<'_>) -> Poll<Read>
    where
        B: Body,
        B::Error: Into<BoxError>,
    {
        let shared = &*self.shared;
        let settings = &shared.settings;
        // What the headers hold under the known names is found on the first
        // poll and once the body is read (usually the same poll), not kept:
        // it points into the headers.
        let mut headers = None;
        let started = match &mut self.started {
            Some(started) => started,
            None => {
                let headers = headers.insert(shared.headers(&self.parts.headers));
                let facts = settings.facts(
                    CorrelationId::from_lookup(headers.found.correlation_id()),
                    || remote_addr(&self.parts.extensions),
                );
                self.parts.extensions.insert(facts.request_id);
                let started = self.started.insert(Started {
                    facts,
                    deadline: settings.read_timeout.map(Deadline::after),
                });
                let refusal = if settings.post_only && self.parts.method != Method::POST {
                    Some(ErrorKind::MethodNotAllowed)
                } else if declared_length(headers.found.content_length())
                    .is_some_and(|length| length > settings.body_limit as u64)
                {
                    Some(ErrorKind::BodyTooLarge)
                } else {
                    None
                };
                if let Some(kind) = refusal {
                    let response = refuse(shared, &started.facts, &self.parts, kind, None);
                    return Poll::Ready(Read::Refused(response));
                }
                started
            }
        };
        let read = ready!(poll_body(
            body,
            &mut self.buffer,
            started.deadline.as_mut(),
            cx
        ));
        let refused = |kind| {
            let response = refuse(shared, &started.facts, &self.parts, kind, None);
            Poll::Ready(Read::Refused(response))
        };
        if let Err(kind) = read {
            return refused(kind);
        }
        let bytes = std::mem::replace(&mut self.buffer, BodyBuffer::new(0)).finish();
        let headers = headers.unwrap_or_else(|| shared.headers(&self.parts.headers));
        match settings.verifier.verify(&headers, &bytes) {
            Ok(verified) => Poll::Ready(Read::Verified(verified, bytes)),
            Err(error) => refused(error.kind()),
        }
    }

    /// What a verified request still needs: its parts, the inner service,
    /// the shared settings and what the first poll learnt.
    fn into_verified(self) -> (Parts, S, Arc<Shared<R>>, RequestFacts) {
        let facts = self
            .started
            .expect("a request is verified after its first poll")
            .facts;
        (self.parts, self.inner, self.shared, facts)
    }

    /// Hands a verified request on: to the inner service, or to the replay
    /// guard first when there is one.
    fn forward<B, ResBody>(self, verified: Verified, bytes: Bytes) -> State<S, B, R>
    where
        S: Service<Inbound, Response = Response<ResBody>> + Send + 'static,
        S::Future: Send,
        S::Error: Send,
        ResBody: Send + 'static,
    {
        #[cfg(feature = "replay")]
        if self.shared.settings.replay.is_some() {
            return State::Guarded {
                future: Box::pin(self.guarded(verified, bytes)),
            };
        }
        let (parts, mut inner, shared, facts) = self.into_verified();
        let request = hand_over(&shared, parts, facts, verified, bytes);
        State::Calling {
            future: inner.call(request),
        }
    }

    /// The replay guard's admission, then the inner service; a delivery the
    /// inner service fails on is released so that its retry runs.
    #[cfg(feature = "replay")]
    async fn guarded<ResBody>(
        self,
        verified: Verified,
        bytes: Bytes,
    ) -> Result<Reply<S::Response>, S::Error>
    where
        S: Service<Inbound, Response = Response<ResBody>>,
    {
        use crate::replay::ReplayDecision;
        let (parts, mut inner, shared, facts) = self.into_verified();
        let settings = &shared.settings;
        let Some(guard) = &settings.replay else {
            unreachable!("guarded only with a replay guard")
        };
        let headers = shared.headers(&parts.headers);
        let correlation_id = facts.correlation.as_ref().map(CorrelationId::as_str);
        let nonce = match guard
            .admit(&verified, &headers, correlation_id, &bytes)
            .await
        {
            ReplayDecision::Proceed(nonce) => nonce,
            ReplayDecision::Acknowledge => {
                settings.report(&facts, parts.uri.path(), Decision::Duplicate(&verified));
                return Ok(Reply::Refusal(super::response::duplicate_response()));
            }
            ReplayDecision::Refuse(kind) => {
                let response = refuse(&shared, &facts, &parts, kind, Some(&verified));
                return Ok(Reply::Refusal(response));
            }
        };
        let request = hand_over(&shared, parts, facts, verified, bytes);
        let result = inner.call(request).await;
        // The handler failed: forget the delivery so its retry runs.
        if result
            .as_ref()
            .map_or(true, |response| response.status().is_server_error())
        {
            guard.guard.release(&nonce).await;
        }
        result.map(Reply::Inner)
    }
}

/// Reports the refusal of a request and answers it.
fn refuse<R: RejectionResponse>(
    shared: &Shared<R>,
    facts: &RequestFacts,
    parts: &Parts,
    kind: ErrorKind,
    verified: Option<&Verified>,
) -> Response<Full<Bytes>> {
    shared
        .settings
        .report(facts, parts.uri.path(), Decision::Rejected(kind, verified));
    shared.rejection.response(&Rejection::new(kind))
}

/// Reports a verified request and rebuilds it for the inner service, with
/// the exact verified bytes and its extensions.
fn hand_over<R>(
    shared: &Shared<R>,
    mut parts: Parts,
    facts: RequestFacts,
    verified: Verified,
    bytes: Bytes,
) -> Inbound {
    shared
        .settings
        .report(&facts, parts.uri.path(), Decision::Verified(&verified));
    parts.extensions.insert(verified);
    if let Some(correlation) = facts.correlation {
        parts.extensions.insert(correlation);
    }
    Request::from_parts(parts, Full::new(bytes))
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

impl<S, B, R> fmt::Debug for ResponseFuture<S, B, R>
where
    S: Service<Inbound>,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}
