//! The configuration self-test as an actix-web resource.

use actix_web::{HttpRequest, HttpResponse, Resource, web};

use crate::actix::extract::error_response;
use crate::self_test::{SELF_TEST_PATH, SelfTest};
use crate::{Error, Verifier};

/// `GET` [`SELF_TEST_PATH`]`?signature=…&timestamp=…`, answered exactly as
/// [`self_test_route`](crate::axum::self_test_route) answers for axum: 200
/// with the [`SelfTest`] JSON, 400 when a parameter is missing. Mount it
/// only where administrators can reach it.
///
/// ```
/// use actix_web::App;
/// use cognigy_webhook::actix::self_test_service;
/// use cognigy_webhook::{Profile, Secret, Verifier};
///
/// # fn app() -> Result<(), cognigy_webhook::ConfigError> {
/// let verifier = Verifier::new(Profile::webhook_hex(), Secret::new("my-shared-secret")?);
/// let app = App::new().service(self_test_service(verifier));
/// # Ok(()) }
/// ```
pub fn self_test_service(verifier: Verifier) -> Resource {
    web::resource(SELF_TEST_PATH)
        .app_data(web::Data::new(verifier))
        .route(web::get().to(self_test))
}

async fn self_test(request: HttpRequest, verifier: web::Data<Verifier>) -> HttpResponse {
    match SelfTest::from_query(&verifier, Some(request.query_string())) {
        Ok(report) => HttpResponse::Ok()
            .content_type("application/json")
            .body(report.to_json()),
        Err(kind) => error_response(&Error::new(kind)),
    }
}
