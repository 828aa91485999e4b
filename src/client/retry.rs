//! One call, retried as configured.

use reqwest::StatusCode;
use reqwest::header::RETRY_AFTER;

use super::ClientError;
use crate::retry::RetryPolicy;

/// Sends the request `build` makes until it gets an answer that is not worth
/// retrying, or the tries run out (then the last answer is returned as it
/// is). Always retried: a connection that could not be made, 408 and 429
/// (the server says it did not act). Retried only when repeating is `safe`
/// (an idempotent method, or the caller's opt-in): other transport errors
/// (a timeout: the request may have been carried out) and 5xx. A 429 or
/// 503 waits for its `Retry-After` (capped) instead of the backoff.
/// Dropping the future cancels the call between any two steps.
pub(crate) async fn execute(
    retry: &RetryPolicy,
    safe: bool,
    build: impl Fn() -> reqwest::RequestBuilder,
) -> Result<reqwest::Response, ClientError> {
    let mut backoff = retry.backoff();
    loop {
        let (waited_for, answer) = match build().send().await {
            Ok(response) => {
                let status = response.status();
                let retryable = status == StatusCode::TOO_MANY_REQUESTS
                    || status == StatusCode::REQUEST_TIMEOUT
                    || (safe && status.is_server_error());
                if !retryable {
                    return Ok(response);
                }
                let wait = matches!(
                    status,
                    StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
                )
                .then(|| response.headers().get(RETRY_AFTER))
                .flatten()
                .and_then(|value| retry.retry_after(value.as_bytes()));
                (wait, Ok(response))
            }
            Err(error) => {
                let failed = Err(ClientError::Transport(without_url(&error)));
                if !(safe || error.is_connect()) {
                    return failed;
                }
                (None, failed)
            }
        };
        let Some(delay) = backoff.next() else {
            return answer;
        };
        tokio::time::sleep(waited_for.unwrap_or(delay)).await;
    }
}

/// Follows a redirect only within the origin it started from (at most
/// five): a bearer token or an API key header is never sent to another host.
pub(crate) fn same_origin_only(
    attempt: reqwest::redirect::Attempt<'_>,
) -> reqwest::redirect::Action {
    let same_origin = attempt
        .previous()
        .first()
        .is_some_and(|first| first.origin() == attempt.url().origin());
    if same_origin && attempt.previous().len() <= 5 {
        attempt.follow()
    } else {
        attempt.stop()
    }
}

/// The error's text without its URL (which could carry a query someone
/// considers private).
pub(crate) fn without_url(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "could not read the answer"
    } else {
        "request failed"
    };
    let host = error
        .url()
        .and_then(|url| url.host_str().map(str::to_owned))
        .unwrap_or_default();
    format!("{kind} ({host})")
}

/// The most a successful answer may hold: a larger one is refused
/// ([`ClientError::InvalidResponse`]) after reading no more than this.
pub const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;

/// How much of a failed answer is read and kept in [`ClientError::Status`].
const ERROR_BODY_BYTES: usize = 512;

/// The body of a successful answer, at most [`MAX_ANSWER_BYTES`]; any other
/// status is [`ClientError::Status`] with the start of its body (the rest is
/// never read).
pub(crate) async fn success_body(response: reqwest::Response) -> Result<Vec<u8>, ClientError> {
    let status = response.status();
    if !status.is_success() {
        let (start, _) = read_at_most(response, ERROR_BODY_BYTES).await?;
        return Err(ClientError::Status {
            status: status.as_u16(),
            body: String::from_utf8_lossy(&start).into_owned(),
        });
    }
    read_whole(response, MAX_ANSWER_BYTES).await
}

/// The whole body, refused when it holds more than `limit` bytes.
pub(crate) async fn read_whole(
    response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, ClientError> {
    match read_at_most(response, limit).await? {
        (bytes, false) => Ok(bytes),
        (_, true) => Err(ClientError::InvalidResponse(format!(
            "the answer is larger than {limit} bytes"
        ))),
    }
}

/// Up to `limit` bytes of the body, and whether there was more (then the
/// rest is left unread).
async fn read_at_most(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<(Vec<u8>, bool), ClientError> {
    // Sized for the declared length, so that a token is not left behind
    // in freed copies as the buffer grows.
    let declared = response.content_length().unwrap_or(0);
    let mut bytes = Vec::with_capacity(usize::try_from(declared).unwrap_or(limit).min(limit));
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|error| ClientError::Transport(without_url(&error)))?
    {
        let room = limit - bytes.len();
        if chunk.len() > room {
            bytes.extend_from_slice(&chunk[..room]);
            return Ok((bytes, true));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok((bytes, false))
}
