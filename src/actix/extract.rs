//! Extractors for what the middleware put into the request, strict JSON, and
//! the refusal response.

use std::future::{Future, Ready, ready};
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::{ALLOW, CONTENT_TYPE};
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError, web};
use serde::de::DeserializeOwned;

use super::body::read_verified;
use crate::adapter::parse_strict;
use crate::{CorrelationId, Error, ErrorKind, RequestId, Verified, Verifier};

/// The error's status with the JSON body `{"error": …, "reason": …}` (and
/// `Allow: POST` on a 405), exactly as the tower layer answers, so a handler
/// can return the crate's errors with `?`.
impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status()).unwrap_or(StatusCode::BAD_REQUEST)
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((CONTENT_TYPE, "application/json"));
        if self.kind() == ErrorKind::MethodNotAllowed {
            response.insert_header((ALLOW, "POST"));
        }
        response.body(self.json_body())
    }
}

/// A `T` the app registered with `app_data(t)` or `app_data(web::Data::new(t))`.
pub(crate) fn app_data<T: Clone + 'static>(request: &HttpRequest) -> Option<T> {
    request.app_data::<T>().cloned().or_else(|| {
        request
            .app_data::<web::Data<T>>()
            .map(|data| data.get_ref().clone())
    })
}

fn from_middleware<T: Clone + 'static>(request: &HttpRequest) -> Ready<Result<T, Error>> {
    ready(
        request
            .extensions()
            .get::<T>()
            .cloned()
            .ok_or(Error::new(ErrorKind::Unverified)),
    )
}

/// What [`WebhookVerification`](super::WebhookVerification) proved; 401 `unverified`
/// on a route without it.
impl FromRequest for Verified {
    type Error = Error;
    type Future = Ready<Result<Self, Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        from_middleware(request)
    }
}

/// The id the middleware gave the request; 401 `unverified` without it.
impl FromRequest for RequestId {
    type Error = Error;
    type Future = Ready<Result<Self, Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        from_middleware(request)
    }
}

/// The sender's correlation id; use `Option<CorrelationId>`, which is `None`
/// when the sender sent none.
impl FromRequest for CorrelationId {
    type Error = Error;
    type Future = Ready<Result<Self, Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        from_middleware(request)
    }
}

/// The verified body deserialised as `T`, strictly: unknown fields (when `T`
/// denies them), missing fields and trailing data are a 400
/// `invalid_payload` naming the JSON path.
///
/// Behind [`WebhookVerification`](super::WebhookVerification) the body was verified and
/// limited already, so no further limit applies. Without it, the extractor
/// reads the body within actix's `web::PayloadConfig` and verifies it with
/// the [`Verifier`] from the app data (`app_data(verifier)` or
/// `app_data(web::Data::new(verifier))`); with neither, 401 `unverified`.
#[derive(Debug, Clone, Copy, Default)]
pub struct VerifiedJson<T>(pub T);

type LocalBoxFuture<T> = Pin<Box<dyn Future<Output = T>>>;

impl<T: DeserializeOwned + 'static> FromRequest for VerifiedJson<T> {
    type Error = Error;
    type Future = LocalBoxFuture<Result<Self, Error>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let request = request.clone();
        let verified_by_middleware = request.extensions().get::<Verified>().is_some();
        if verified_by_middleware {
            let payload = payload.take();
            return Box::pin(async move {
                let bytes = read_verified(payload).await?;
                parse_strict(&bytes).map(VerifiedJson)
            });
        }
        let read = web::Bytes::from_request(&request, payload);
        Box::pin(async move {
            let bytes =
                read.await
                    .map_err(|error| match error.as_response_error().status_code() {
                        StatusCode::PAYLOAD_TOO_LARGE => Error::new(ErrorKind::BodyTooLarge),
                        _ => Error::new(ErrorKind::BodyUnreadable),
                    })?;
            let verifier =
                app_data::<Verifier>(&request).ok_or(Error::new(ErrorKind::Unverified))?;
            verifier.verify(request.headers(), &bytes)?;
            parse_strict(&bytes).map(VerifiedJson)
        })
    }
}
