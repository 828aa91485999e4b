//! Reading a request body through a limit and an optional timeout.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Buf;
use http_body::Body;

use crate::ErrorKind;
use crate::adapter::BodyBuffer;

pub(super) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// When reading a body has taken too long.
pub(super) struct Deadline(Pin<Box<tokio::time::Sleep>>);

impl Deadline {
    /// `timeout` from now.
    pub(super) fn after(timeout: Duration) -> Self {
        Deadline(Box::pin(tokio::time::sleep(timeout)))
    }
}

/// Reads `body` into `buffer` until it ends. A frame that would take it past
/// the buffer's limit is refused (`body_too_large`) and never appended; a
/// body that is still not over when `deadline` passes is refused
/// (`body_timeout`). Trailers are ignored.
pub(super) fn poll_body<B>(
    mut body: Pin<&mut B>,
    buffer: &mut BodyBuffer,
    deadline: Option<&mut Deadline>,
    cx: &mut Context<'_>,
) -> Poll<Result<(), ErrorKind>>
where
    B: Body,
    B::Error: Into<BoxError>,
{
    loop {
        match body.as_mut().poll_frame(cx) {
            Poll::Ready(None) => return Poll::Ready(Ok(())),
            Poll::Ready(Some(Err(_))) => return Poll::Ready(Err(ErrorKind::BodyUnreadable)),
            Poll::Ready(Some(Ok(frame))) => {
                if let Ok(mut data) = frame.into_data() {
                    // `Bytes` hands itself over without a copy.
                    buffer.push(data.copy_to_bytes(data.remaining()))?;
                }
            }
            Poll::Pending => {
                if let Some(Deadline(sleep)) = deadline {
                    ready!(sleep.as_mut().poll(cx));
                    return Poll::Ready(Err(ErrorKind::BodyTimeout));
                }
                return Poll::Pending;
            }
        }
    }
}
