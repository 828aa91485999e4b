//! The configuration self-test as an axum route.

use axum::routing::{MethodRouter, get};
use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use http::{HeaderMap, Response, Uri};
use http_body_util::Full;

use crate::self_test::{SelfTest, bearer_matches};
use crate::tower::json_response;
use crate::{Error, ErrorKind};
use crate::{Secret, Verifier};

/// `GET` [`SELF_TEST_PATH`](crate::self_test::SELF_TEST_PATH)`?signature=…&timestamp=…`
/// with `Authorization: Bearer <token>`: checks the signature against the
/// HMAC of [`SELF_TEST_BODY`](crate::self_test::SELF_TEST_BODY) and answers
/// 200 `{"status", "signature_match", "secret_configured", "expected_format"}`
/// (see [`SelfTest`]); 400 when a parameter is missing; 401 `unverified`
/// without the token.
///
/// It is an administrator's tool, behind its own credential: it tells whoever
/// can call it whether a guessed signature is right, and the signature it is
/// asked about (in the query string, so in access logs) is a valid signature
/// of the body `webhook_security_test`. Mount it only where it is needed.
///
/// ```
/// use axum::Router;
/// use cognigy_webhook::axum::self_test_route;
/// use cognigy_webhook::self_test::SELF_TEST_PATH;
/// use cognigy_webhook::{Profile, Secret, Verifier};
///
/// # fn app() -> Result<Router, cognigy_webhook::ConfigError> {
/// let verifier = Verifier::new(Profile::webhook_hex(), Secret::new("my-shared-secret")?);
/// let token = Secret::new("an-administrators-token")?;
/// let app: Router = Router::new().route(SELF_TEST_PATH, self_test_route(verifier, token));
/// # Ok(app) }
/// ```
pub fn self_test_route<S>(verifier: Verifier, token: Secret) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    get(move |uri: Uri, headers: HeaderMap| {
        let authorization = headers.get(AUTHORIZATION).map(HeaderValue::as_bytes);
        let answer = if bearer_matches(&token, authorization) {
            self_test_response(SelfTest::from_query(&verifier, uri.query()))
        } else {
            json_response(&Error::new(ErrorKind::Unverified))
        };
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
