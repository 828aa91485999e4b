//! How refusals are answered, and how users restyle them.

use bytes::Bytes;
use http::header::{ALLOW, CONTENT_TYPE, HeaderValue};
use http::{Response, StatusCode};
use http_body_util::Full;

use crate::{ErrorKind, Rejection};

/// Builds the response for a refused request. The default method answers
/// [`json_response`]; implement it (or pass a closure) to restyle refusals.
///
/// ```
/// use bytes::Bytes;
/// use cognigy_webhook::Rejection;
/// use cognigy_webhook::tower::RejectionResponse;
/// use http::Response;
/// use http_body_util::Full;
///
/// // Plain text instead of JSON, same statuses.
/// let plain = |rejection: &Rejection| {
///     let mut response = Response::new(Full::new(Bytes::from(rejection.reason())));
///     *response.status_mut() = http::StatusCode::from_u16(rejection.status()).unwrap();
///     response
/// };
/// let response = plain.response(&Rejection::new(cognigy_webhook::ErrorKind::SignatureMismatch));
/// assert_eq!(response.status(), 401);
/// ```
pub trait RejectionResponse: Clone + Send + Sync + 'static {
    /// The response for `rejection`.
    fn response(&self, rejection: &Rejection) -> Response<Full<Bytes>> {
        json_response(rejection)
    }
}

/// The default: [`json_response`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JsonRejection;

impl RejectionResponse for JsonRejection {}

impl<F> RejectionResponse for F
where
    F: Fn(&Rejection) -> Response<Full<Bytes>> + Clone + Send + Sync + 'static,
{
    fn response(&self, rejection: &Rejection) -> Response<Full<Bytes>> {
        self(rejection)
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

/// The rejection's default status with the body
/// `{"error": "<human text>", "reason": "<code>"}` (and `Allow: POST` on a
/// 405). Nothing secret is ever in it.
pub fn json_response(rejection: &Rejection) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(rejection.json_body())));
    *response.status_mut() =
        StatusCode::from_u16(rejection.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if rejection.kind() == ErrorKind::MethodNotAllowed {
        headers.insert(ALLOW, HeaderValue::from_static("POST"));
    }
    response
}

/// The self-test's answer: 200 with its JSON, or the refusal of a query
/// without `signature` or `timestamp`.
#[cfg(feature = "axum")]
pub(crate) fn self_test_response(
    result: Result<crate::SelfTest, ErrorKind>,
) -> Response<Full<Bytes>> {
    match result {
        Ok(report) => {
            let mut response = Response::new(Full::new(Bytes::from(report.to_json())));
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            response
        }
        Err(kind) => json_response(&Rejection::new(kind)),
    }
}
