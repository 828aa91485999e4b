//! Reading an actix-web payload through a limit and an optional timeout.

use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::http::header::HeaderMap;
use actix_web::web::{Bytes, BytesMut};
use futures_core::Stream;

use crate::ErrorKind;
use crate::headers::declared_length;

/// The whole payload, at most `limit` bytes: refused at once when
/// `Content-Length` declares more, otherwise as soon as the streamed body
/// passes the limit (a chunk that would pass it is never appended).
pub(crate) async fn read_limited(
    headers: &HeaderMap,
    payload: Payload,
    limit: usize,
    timeout: Option<Duration>,
) -> Result<Bytes, ErrorKind> {
    if declared_length(headers).is_some_and(|length| length > limit as u64) {
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

async fn collect(mut payload: Payload, limit: usize) -> Result<Bytes, ErrorKind> {
    let mut body = BytesMut::new();
    while let Some(chunk) =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut payload).poll_next(cx)).await
    {
        let chunk = chunk.map_err(|_| ErrorKind::BodyUnreadable)?;
        if body.len() + chunk.len() > limit {
            return Err(ErrorKind::BodyTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}
