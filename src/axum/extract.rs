//! Extractors for what the layer put into the request, and the rejection response.

use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
use axum_core::response::{IntoResponse, Response};
use http::request::Parts;

use crate::tower::json_response;
use crate::{CorrelationId, Error, ErrorKind, RequestId, Verified};

fn from_layer<T: Clone + Send + Sync + 'static>(parts: &Parts) -> Result<T, Error> {
    parts
        .extensions
        .get::<T>()
        .cloned()
        .ok_or(Error::new(ErrorKind::Unverified))
}

impl<S: Send + Sync> FromRequestParts<S> for Verified {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        from_layer(parts)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestId {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        from_layer(parts)
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for CorrelationId {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<CorrelationId>().cloned())
    }
}

/// The error's status with the JSON body `{"error": …, "reason": …}`, so a
/// handler can return the crate's errors with `?`.
impl IntoResponse for Error {
    fn into_response(self) -> Response {
        json_response(&self).map(axum_core::body::Body::new)
    }
}
