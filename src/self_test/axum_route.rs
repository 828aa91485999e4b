//! The configuration self-test as an axum route.

use axum::routing::{MethodRouter, get};
use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue};
use http::{Response, Uri};
use http_body_util::Full;

use crate::Verifier;
use crate::self_test::SelfTest;
use crate::tower::json_response;
use crate::{Error, ErrorKind};

/// `GET` [`SELF_TEST_PATH`](crate::self_test::SELF_TEST_PATH)`?signature=…&timestamp=…`:
/// checks the signature against the HMAC of
/// [`SELF_TEST_BODY`](crate::self_test::SELF_TEST_BODY) and answers 200
/// `{"status", "signature_match", "secret_configured", "expected_format"}`
/// (see [`SelfTest`]); 400 when a parameter is missing. Mount it where only
/// administrators can reach it, or not at all in production: it tells anyone
/// who can call it whether a guessed signature is right.
///
/// ```
/// use axum::Router;
/// use cognigy_webhook::axum::self_test_route;
/// use cognigy_webhook::self_test::SELF_TEST_PATH;
/// use cognigy_webhook::{Profile, Secret, Verifier};
///
/// # fn app() -> Result<Router, cognigy_webhook::ConfigError> {
/// let verifier = Verifier::new(Profile::webhook_hex(), Secret::new("my-shared-secret")?);
/// let app: Router = Router::new().route(SELF_TEST_PATH, self_test_route(verifier));
/// # Ok(app) }
/// ```
pub fn self_test_route<S>(verifier: Verifier) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    get(move |uri: Uri| {
        let answer = self_test_response(SelfTest::from_query(&verifier, uri.query()));
        async move { answer }
    })
}

/// The self-test's answer: 200 with its JSON, or the refusal of a query
/// without `signature` or `timestamp`.
fn self_test_response(result: Result<SelfTest, ErrorKind>) -> Response<Full<Bytes>> {
    match result {
        Ok(report) => {
            let mut response = Response::new(Full::new(Bytes::from(report.to_json())));
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            response
        }
        Err(kind) => json_response(&Error::new(kind)),
    }
}
