//! The work on one request: the shared pipeline, driven over `http` types.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use http::header::EXPECT;
use http::{Method, Request, Response};
use http_body::Body;
use http_body_util::{BodyDataStream, Either, Full};
use tower_service::Service;

use super::RejectionResponse;
use super::service::Shared;
use crate::adapter::{Admitted, BoxError, Delivery, Refusal, drain};

/// What the middleware answers: the inner service's response
/// (`Either::Left`) or its own refusal (`Either::Right`).
pub type Answer<ResBody> = Response<Either<ResBody, Full<Bytes>>>;

/// The future of [`VerifyWebhook`](super::VerifyWebhook): resolves to the
/// inner service's response, or to the refusal.
pub type ResponseFuture<ResBody, E> =
    Pin<Box<dyn Future<Output = Result<Answer<ResBody>, E>> + Send>>;

/// Judges the head, refuses at once what fails there (the body is then
/// never polled when the sender waits for `100 Continue`, and otherwise
/// drained in the background so the sender reads the answer), reads and
/// verifies the body, runs the inner service, and settles the delivery.
pub(super) async fn serve<S, R, B, ResBody>(
    shared: Arc<Shared<R>>,
    mut inner: S,
    request: Request<B>,
) -> Result<Answer<ResBody>, S::Error>
where
    S: Service<Request<Full<Bytes>>, Response = Response<ResBody>>,
    R: RejectionResponse,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let (mut parts, body) = request.into_parts();
    let settings = &shared.settings;
    let headers = shared.names.of(&parts.headers);
    let delivery = Delivery::start(settings, headers, || remote_addr(&parts.extensions));
    let path = parts.uri.path();
    let refused = |refusal| Ok(refuse(&shared, refusal));
    let head = match delivery.judge(parts.method == Method::POST, path, headers) {
        Ok(head) => head,
        Err(error) => {
            let waits_for_continue = parts
                .headers
                .get(EXPECT)
                .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"100-continue"));
            if !waits_for_continue {
                tokio::spawn(drain(BodyDataStream::new(body), settings.body_limit));
            }
            return refused(Refusal::Refused(error));
        }
    };
    let body = BodyDataStream::new(body);
    let Admitted {
        verified,
        bytes,
        ticket,
    } = match delivery.admit(head, path, body).await {
        Ok(admitted) => admitted,
        Err(refusal) => return refused(refusal),
    };
    parts.extensions.insert(delivery.request_id);
    parts.extensions.insert(verified);
    if let Some(correlation) = delivery.correlation {
        parts.extensions.insert(correlation);
    }
    let result = inner
        .call(Request::from_parts(parts, Full::new(bytes)))
        .await;
    let handled = result
        .as_ref()
        .is_ok_and(|response| !response.status().is_server_error());
    ticket.settle(handled).await;
    result.map(|response| response.map(Either::Left))
}

fn refuse<R: RejectionResponse, ResBody>(shared: &Shared<R>, refusal: Refusal) -> Answer<ResBody> {
    let response = match refusal {
        Refusal::Refused(error) => shared.rejection.response(&error),
        #[cfg(feature = "replay")]
        Refusal::Duplicate => super::response::duplicate_response(),
    };
    response.map(Either::Right)
}

/// The peer's address: axum's `ConnectInfo<SocketAddr>`, or a `SocketAddr`
/// extension that another layer inserted.
fn remote_addr(extensions: &http::Extensions) -> Option<SocketAddr> {
    #[cfg(feature = "axum")]
    if let Some(info) = extensions.get::<::axum::extract::ConnectInfo<SocketAddr>>() {
        return Some(info.0);
    }
    extensions.get::<SocketAddr>().copied()
}
