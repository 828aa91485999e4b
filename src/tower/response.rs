//! How refusals are answered, and how users restyle them.

use bytes::Bytes;
use http::header::{ALLOW, CONTENT_TYPE, HeaderValue};
use http::{Response, StatusCode};
use http_body_util::Full;

use crate::{Error, ErrorKind};

/// Builds the response for a refused request. The default method answers
/// [`json_response`]; implement it (or pass a closure) to restyle refusals.
///
/// ```
/// use bytes::Bytes;
/// use cognigy_webhook::{Error, ErrorKind};
/// use cognigy_webhook::tower::RejectionResponse;
/// use http::Response;
/// use http_body_util::Full;
///
/// // Plain text instead of JSON, same statuses.
/// let plain = |error: &Error| {
///     let mut response = Response::new(Full::new(Bytes::from(error.reason())));
///     *response.status_mut() = http::StatusCode::from_u16(error.status()).unwrap();
///     response
/// };
/// let response = plain.response(&Error::new(ErrorKind::SignatureMismatch));
/// assert_eq!(response.status(), 401);
/// ```
pub trait RejectionResponse: Clone + Send + Sync + 'static {
    /// The response for `error`.
    fn response(&self, error: &Error) -> Response<Full<Bytes>> {
        json_response(error)
    }
}

/// The default: [`json_response`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JsonRejection;

impl RejectionResponse for JsonRejection {}

impl<F> RejectionResponse for F
where
    F: Fn(&Error) -> Response<Full<Bytes>> + Clone + Send + Sync + 'static,
{
    fn response(&self, error: &Error) -> Response<Full<Bytes>> {
        self(error)
    }
}

/// 200 with `{"status":"duplicate"}`: a duplicate acknowledged without
/// running the handler.
#[cfg(feature = "replay")]
pub(crate) fn duplicate_response() -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(
        crate::replay::DUPLICATE_BODY.as_bytes(),
    )));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// The error's default status with the body
/// `{"error": "<human text>", "reason": "<code>"}` (and `Allow: POST` on a
/// 405). Nothing secret is ever in it.
pub fn json_response(error: &Error) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(error.json_body())));
    *response.status_mut() =
        StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if error.kind() == ErrorKind::MethodNotAllowed {
        headers.insert(ALLOW, HeaderValue::from_static("POST"));
    }
    response
}
