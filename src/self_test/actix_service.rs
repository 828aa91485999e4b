//! The configuration self-test as an actix-web resource.

use actix_web::http::header::AUTHORIZATION;
use actix_web::{HttpRequest, HttpResponse, Resource, ResponseError as _, web};

use crate::self_test::{SELF_TEST_PATH, SelfTest, bearer_matches};
use crate::{Error, ErrorKind, Secret, Verifier};

/// `GET` [`SELF_TEST_PATH`]`?signature=…&timestamp=…` with
/// `Authorization: Bearer <token>`, answered exactly as
/// [`self_test_route`](crate::axum::self_test_route) answers for axum (see
/// there why it needs its own credential): 200 with the [`SelfTest`] JSON,
/// 400 when a parameter is missing, 401 `unverified` without the token.
///
/// ```
/// use actix_web::App;
/// use cognigy_webhook::actix::self_test_service;
/// use cognigy_webhook::{Profile, Secret, Verifier};
///
/// # fn app() -> Result<(), cognigy_webhook::ConfigError> {
/// let verifier = Verifier::new(Profile::webhook_hex(), Secret::new("my-shared-secret")?);
/// let token = Secret::new("an-administrators-token")?;
/// let app = App::new().service(self_test_service(verifier, token));
/// # Ok(()) }
/// ```
pub fn self_test_service(verifier: Verifier, token: Secret) -> Resource {
    web::resource(SELF_TEST_PATH)
        .app_data(web::Data::new((verifier, token)))
        .route(web::get().to(self_test))
}

async fn self_test(request: HttpRequest, state: web::Data<(Verifier, Secret)>) -> HttpResponse {
    let (verifier, token) = state.get_ref();
    let authorization = request
        .headers()
        .get(AUTHORIZATION)
        .map(|value| value.as_bytes());
    if !bearer_matches(token, authorization) {
        return Error::new(ErrorKind::Unverified).error_response();
    }
    match SelfTest::from_query(verifier, Some(request.query_string())) {
        Ok(report) => HttpResponse::Ok()
            .content_type("application/json")
            .body(report.to_json()),
        Err(kind) => Error::new(kind).error_response(),
    }
}
