//! The response future of [`VerifyWebhook`](super::VerifyWebhook).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::Response;
use http_body_util::{Either, Full};

type Boxed<ResBody, E> =
    Pin<Box<dyn Future<Output = Result<Response<Either<ResBody, Full<Bytes>>>, E>> + Send>>;

/// Resolves to the inner service's response, or to the refusal. The body is
/// `Either::Left` for the inner response and `Either::Right` for a refusal.
pub struct ResponseFuture<ResBody, E> {
    inner: Boxed<ResBody, E>,
}

impl<ResBody, E> ResponseFuture<ResBody, E> {
    pub(crate) fn new(inner: Boxed<ResBody, E>) -> Self {
        ResponseFuture { inner }
    }
}

impl<ResBody, E> Future for ResponseFuture<ResBody, E> {
    type Output = Result<Response<Either<ResBody, Full<Bytes>>>, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.as_mut().poll(cx)
    }
}

impl<ResBody, E> fmt::Debug for ResponseFuture<ResBody, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}
