//! The response and future types of the middleware.

use std::future::Future;
use std::pin::Pin;

use bytes::Bytes;
use http::Response;
use http_body_util::{Either, Full};

/// What the middleware answers: the inner service's response
/// (`Either::Left`) or its own refusal (`Either::Right`).
pub type Answer<ResBody> = Response<Either<ResBody, Full<Bytes>>>;

/// The future of [`VerifyWebhook`](super::VerifyWebhook): resolves to the
/// inner service's response, or to the refusal.
pub type ResponseFuture<ResBody, E> =
    Pin<Box<dyn Future<Output = Result<Answer<ResBody>, E>> + Send>>;
