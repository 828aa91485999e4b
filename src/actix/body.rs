//! Reading an actix-web payload through a limit and an optional timeout.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::web::Bytes;
use futures_core::Stream;

use crate::adapter::BodyBuffer;
use crate::headers::declared_length;
use crate::{ErrorKind, Lookup};

/// The whole payload, at most `limit` bytes: refused at once when
/// `Content-Length` (`content_length`) declares more, otherwise as soon as the streamed body
/// passes the limit (a chunk that would pass it is never appended).
pub(crate) async fn read_limited(
    content_length: Lookup<'_>,
    payload: Payload,
    limit: usize,
    timeout: Option<Duration>,
) -> Result<Bytes, ErrorKind> {
    if declared_length(content_length).is_some_and(|length| length > limit as u64) {
        return Err(ErrorKind::BodyTooLarge);
    }
    let read = collect(payload, limit);
    match timeout {
        None => read.await,
        Some(timeout) => tokio::time::timeout(timeout, read)
            .await
            .map_err(|_| ErrorKind::BodyTimeout)?,
    }
}

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
pub(crate) async fn read_verified(payload: Payload) -> Result<Bytes, ErrorKind> {
    collect(payload, usize::MAX).await
}

async fn collect(mut payload: Payload, limit: usize) -> Result<Bytes, ErrorKind> {
    let mut body = BodyBuffer::new(limit);
    while let Some(chunk) = std::future::poll_fn(|cx| Pin::new(&mut payload).poll_next(cx)).await {
        body.push(chunk.map_err(|_| ErrorKind::BodyUnreadable)?)?;
    }
    Ok(body.finish())
}
