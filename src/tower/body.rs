//! Reading a request body through a limit and an optional timeout.

use std::time::Duration;

use bytes::Bytes;
use http_body::Body;
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::ErrorKind;
use crate::headers::declared_length;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The whole body, at most `limit` bytes. A declared `Content-Length` over
/// the limit is refused before reading anything; a streamed body is refused
/// as soon as it passes the limit.
pub(crate) async fn read_limited<B>(
    headers: &http::HeaderMap,
    body: B,
    limit: usize,
    timeout: Option<Duration>,
) -> Result<Bytes, ErrorKind>
where
    B: Body,
    B::Error: Into<BoxError>,
{
    if declared_length(headers).is_some_and(|length| length > limit as u64) {
        return Err(ErrorKind::BodyTooLarge);
    }
    let collect = Limited::new(body, limit).collect();
    let collected = match timeout {
        None => collect.await,
        Some(timeout) => tokio::time::timeout(timeout, collect)
            .await
            .map_err(|_| ErrorKind::BodyTimeout)?,
    };
    match collected {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.downcast_ref::<LengthLimitError>().is_some() => {
            Err(ErrorKind::BodyTooLarge)
        }
        Err(_) => Err(ErrorKind::BodyUnreadable),
    }
}
