//! Reading a request body through a limit and an optional timeout.

use std::time::Duration;

use bytes::{Buf, Bytes};
use http_body::Body;
use http_body_util::BodyExt;

use crate::adapter::BodyBuffer;
use crate::headers::declared_length;
use crate::{ErrorKind, Lookup};

/// The whole body, at most `limit` bytes. A declared `Content-Length`
/// (`content_length`) over the limit is refused before reading anything; a streamed body is refused
/// as soon as it passes the limit (a frame that would pass it is never
/// appended). Trailers are ignored.
pub(crate) async fn read_limited<B>(
    content_length: Lookup<'_>,
    body: B,
    limit: usize,
    timeout: Option<Duration>,
) -> Result<Bytes, ErrorKind>
where
    B: Body,
{
    if declared_length(content_length).is_some_and(|length| length > limit as u64) {
        return Err(ErrorKind::BodyTooLarge);
    }
    let read = collect(body, limit);
    match timeout {
        None => read.await,
        Some(timeout) => tokio::time::timeout(timeout, read)
            .await
            .map_err(|_| ErrorKind::BodyTimeout)?,
    }
}

async fn collect<B: Body>(body: B, limit: usize) -> Result<Bytes, ErrorKind> {
    let mut body = std::pin::pin!(body);
    let mut buffer = BodyBuffer::new(limit);
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| ErrorKind::BodyUnreadable)?;
        if let Ok(mut data) = frame.into_data() {
            // `Bytes` hands itself over without a copy.
            buffer.push(data.copy_to_bytes(data.remaining()))?;
        }
    }
    Ok(buffer.finish())
}
