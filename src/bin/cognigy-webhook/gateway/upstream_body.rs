//! The upstream's answer body, relayed until the exchange's deadline: an
//! upstream that sends its head and then stalls mid-body cannot hold the
//! sender's connection for longer than `--upstream-timeout`.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use tokio::time::{Instant, Sleep};

/// The error that ends a body still arriving at the deadline; the sender's
/// connection is closed, and it reads a cut-off answer.
#[derive(Debug)]
pub(crate) struct LateBody;

impl std::fmt::Display for LateBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the upstream's answer did not finish within the upstream timeout")
    }
}

impl std::error::Error for LateBody {}

/// [`Incoming`] with a deadline; the timer is only armed once the body has
/// to be waited for (a short answer usually arrives with its head).
pub(crate) struct UpstreamBody {
    body: Incoming,
    deadline: Instant,
    timer: Option<Pin<Box<Sleep>>>,
}

impl UpstreamBody {
    pub(crate) fn new(body: Incoming, deadline: Instant) -> Self {
        UpstreamBody {
            body,
            deadline,
            timer: None,
        }
    }
}

impl Body for UpstreamBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        if let Poll::Ready(frame) = Pin::new(&mut this.body).poll_frame(cx) {
            return Poll::Ready(frame.map(|frame| frame.map_err(Into::into)));
        }
        let deadline = this.deadline;
        let timer = this
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(LateBody.into()))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
