//! Where verified deliveries go: the forwarder or the stream writer, as the
//! one service the verification layer wraps.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::Request;
use http_body_util::Full;
use tower_service::Service;

use super::BoxedAnswer;
use super::forward::Forward;
use super::stream::Stream;

/// Where verified deliveries go: the service behind the verification layer.
/// Cloned for every request (by the reload switch and the layer), so each
/// variant is shared, not copied.
#[derive(Clone)]
pub(crate) enum Mode {
    Forward(Arc<Forward>),
    Stream(Arc<Stream>),
}

impl Service<Request<Full<Bytes>>> for Mode {
    type Response = http::Response<axum::body::Body>;
    type Error = Infallible;
    type Future = BoxedAnswer;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Full<Bytes>>) -> Self::Future {
        match self {
            Mode::Forward(forward) => {
                let forward = Arc::clone(forward);
                Box::pin(async move { Ok(forward.forward(request).await) })
            }
            Mode::Stream(stream) => {
                let stream = Arc::clone(stream);
                Box::pin(async move { Ok(stream.enqueue(request).await) })
            }
        }
    }
}

impl Mode {
    pub(crate) fn describe(&self) -> String {
        match self {
            Mode::Forward(forward) => format!("forwarding to {}", forward.shown()),
            Mode::Stream(stream) => format!("enqueueing in stream {:?}", stream.key()),
        }
    }
}
