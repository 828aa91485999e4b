//! The verified bytes as the handler's payload, and reading them back.

use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::web::Bytes;
use futures_core::Stream;

use crate::Error;
use crate::adapter::read_body;

/// The verified bytes as the handler's payload: one chunk, then the end.
/// (`Payload::from(Bytes)` would build an HTTP/1 payload channel, two
/// allocations and a queue, to hand over the same chunk.)
pub(crate) fn verified_payload(bytes: Bytes) -> Payload {
    Payload::Stream {
        payload: Box::pin(OneChunk(Some(bytes))),
    }
}

/// A stream of at most one chunk.
struct OneChunk(Option<Bytes>);

impl Stream for OneChunk {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Poll::Ready(self.get_mut().0.take().map(Ok))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let chunks = usize::from(self.0.is_some());
        (chunks, Some(chunks))
    }
}

/// The payload the middleware set after verifying: the exact verified bytes,
/// already within the limit.
pub(crate) async fn read_verified(payload: Payload) -> Result<Bytes, Error> {
    read_body(payload, usize::MAX, None).await
}
