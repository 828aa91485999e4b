//! Reading a request body under a limit and a deadline, and discarding the
//! body of a refused request.

use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use bytes::{Buf, Bytes, BytesMut};
use futures_core::Stream;

use crate::{Error, ErrorKind};

/// The error type of a streamed body.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// How long the body of a refused request is read and thrown away, so that
/// a sender still uploading reads its answer instead of a reset connection.
const DRAIN_DEADLINE: Duration = Duration::from_secs(2);

/// The whole body, at most `limit` bytes, within `timeout`: a chunk that
/// would take it past the limit is refused (`body_too_large`) and never
/// appended, a body still arriving when the timeout passes is refused
/// (`body_timeout`), a broken one `body_unreadable` (or `body_too_large`
/// when a limit outside the middleware cut it off). A body that arrives in
/// one chunk (the usual delivery) is that chunk, never copied.
pub(crate) async fn read_body<S, D, E>(
    body: S,
    limit: usize,
    timeout: Option<Duration>,
) -> Result<Bytes, Error>
where
    S: Stream<Item = Result<D, E>>,
    D: Buf,
    E: Into<BoxError>,
{
    let mut body = std::pin::pin!(body);
    let mut collected = Collected::new(limit);
    // What has arrived already is taken without arming a timer: a small
    // body usually arrives with its head, and the timer would cost more
    // than reading it.
    let ended = std::future::poll_fn(|cx| {
        Poll::Ready(loop {
            match body.as_mut().poll_next(cx) {
                Poll::Ready(Some(chunk)) => {
                    if let Err(error) = collected.push(chunk) {
                        break Err(error);
                    }
                }
                Poll::Ready(None) => break Ok(true),
                Poll::Pending => break Ok(false),
            }
        })
    })
    .await?;
    if !ended {
        let rest = async {
            while let Some(chunk) = next(body.as_mut()).await {
                collected.push(chunk)?;
            }
            Ok::<_, Error>(())
        };
        // The timer needs a Tokio runtime (axum, hyper and actix-web run on
        // one); elsewhere the body is read without it rather than panic.
        let timeout = timeout.filter(|_| tokio::runtime::Handle::try_current().is_ok());
        match timeout {
            None => rest.await?,
            Some(timeout) => tokio::time::timeout(timeout, rest)
                .await
                .unwrap_or_else(|_| Err(ErrorKind::BodyTimeout.into()))?,
        }
    }
    Ok(collected.finish())
}

/// The chunks of one body so far, within a limit.
struct Collected {
    limit: usize,
    first: Option<Bytes>,
    rest: BytesMut,
}

impl Collected {
    fn new(limit: usize) -> Self {
        Collected {
            limit,
            first: None,
            rest: BytesMut::new(),
        }
    }

    /// Appends a chunk; refuses one that would pass the limit.
    fn push<D: Buf, E: Into<BoxError>>(&mut self, chunk: Result<D, E>) -> Result<(), Error> {
        let mut chunk = chunk.map_err(failure)?;
        // `Bytes` hands itself over without a copy.
        let chunk = chunk.copy_to_bytes(chunk.remaining());
        let held = self.first.as_ref().map_or(0, Bytes::len) + self.rest.len();
        if chunk.len() > self.limit.saturating_sub(held) {
            return Err(ErrorKind::BodyTooLarge.into());
        }
        match self.first.take() {
            None if self.rest.is_empty() => self.first = Some(chunk),
            None => self.rest.extend_from_slice(&chunk),
            Some(head) => {
                self.rest.reserve(head.len() + chunk.len());
                self.rest.extend_from_slice(&head);
                self.rest.extend_from_slice(&chunk);
            }
        }
        Ok(())
    }

    /// The whole body.
    fn finish(self) -> Bytes {
        self.first.unwrap_or_else(|| self.rest.freeze())
    }
}

/// Why a body could not be read to its end: `body_too_large` when a limit
/// of its own stopped it (`http_body_util::Limited`, which tower-http's
/// `RequestBodyLimitLayer` puts around it outside the middleware), otherwise
/// `body_unreadable`.
fn failure(error: impl Into<BoxError>) -> Error {
    let error: BoxError = error.into();
    let first: &(dyn std::error::Error + 'static) = &*error;
    #[cfg(feature = "tower")]
    if std::iter::successors(Some(first), |error| error.source())
        .any(|cause| cause.is::<http_body_util::LengthLimitError>())
    {
        return ErrorKind::BodyTooLarge.into();
    }
    #[cfg(not(feature = "tower"))]
    let _ = first;
    ErrorKind::BodyUnreadable.into()
}

async fn next<S: Stream>(mut stream: Pin<&mut S>) -> Option<S::Item> {
    std::future::poll_fn(|cx| stream.as_mut().poll_next(cx)).await
}

/// Reads and throws away what still arrives of a refused request's body:
/// at most `limit` bytes and for at most two seconds, never buffering it.
/// The driver runs this beside the refusal (a spawned task), so the sender
/// gets to read the answer; a request that asked `Expect: 100-continue`
/// sends nothing more and is not drained.
pub(crate) async fn drain<S, D, E>(body: S, limit: usize)
where
    S: Stream<Item = Result<D, E>>,
    D: Buf,
{
    let discard = async {
        let mut body = std::pin::pin!(body);
        let mut seen = 0usize;
        while let Some(Ok(chunk)) = next(body.as_mut()).await {
            seen = seen.saturating_add(chunk.remaining());
            if seen > limit {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(DRAIN_DEADLINE, discard).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(parts: &[&'static str]) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
        let items: Vec<Result<Bytes, std::io::Error>> = parts
            .iter()
            .map(|part| Ok(Bytes::from_static(part.as_bytes())))
            .collect();
        Iter(items.into_iter())
    }

    struct Iter<I>(I);

    impl<I: Iterator + Unpin> Stream for Iter<I> {
        type Item = I::Item;
        fn poll_next(
            self: Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> Poll<Option<I::Item>> {
            Poll::Ready(self.get_mut().0.next())
        }
    }

    #[tokio::test]
    async fn one_chunk_is_kept_without_a_copy() {
        let chunk = Bytes::from(vec![7u8; 1024]);
        let address = chunk.as_ptr();
        let body = Iter(vec![Ok::<_, std::io::Error>(chunk)].into_iter());
        let whole = read_body(body, 1024, None).await.unwrap();
        assert_eq!(whole.as_ptr(), address);
        assert_eq!(whole.len(), 1024);
    }

    #[tokio::test]
    async fn chunks_are_joined_in_order_up_to_the_limit() {
        let parts = ["", "abc", "", "defg", "hij"];
        assert_eq!(
            read_body(chunks(&parts), 10, None).await.unwrap(),
            "abcdefghij"
        );
        let over = ["", "abc", "", "defg", "hij", "k"];
        assert_eq!(
            read_body(chunks(&over), 10, None).await.unwrap_err().kind(),
            ErrorKind::BodyTooLarge
        );
        assert_eq!(read_body(chunks(&[]), 0, None).await.unwrap(), "");
        assert_eq!(
            read_body(chunks(&["abc"]), 2, None)
                .await
                .unwrap_err()
                .kind(),
            ErrorKind::BodyTooLarge
        );
    }

    #[tokio::test]
    async fn a_stalled_body_times_out() {
        use futures_util::StreamExt as _;
        let stalled = futures_util::stream::pending::<Result<Bytes, std::io::Error>>();
        let read = read_body(stalled, 10, Some(Duration::from_millis(20))).await;
        assert_eq!(read.unwrap_err().kind(), ErrorKind::BodyTimeout);
        // A first chunk at once, then nothing: the timer runs from there.
        let started = chunks(&["abc"]).chain(futures_util::stream::pending());
        let read = read_body(started, 10, Some(Duration::from_millis(20))).await;
        assert_eq!(read.unwrap_err().kind(), ErrorKind::BodyTimeout);
    }
}
