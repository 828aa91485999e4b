//! Extractors for what the layer put into the request, and the rejection response.

use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
use axum_core::response::{IntoResponse, Response};
use http::request::Parts;

use crate::tower::json_response;
use crate::{CorrelationId, ErrorKind, Rejection, RequestId, Verified};

fn from_layer<T: Clone + Send + Sync + 'static>(parts: &Parts) -> Result<T, Rejection> {
    parts
        .extensions
        .get::<T>()
        .cloned()
        .ok_or(Rejection::new(ErrorKind::Unverified))
}

impl<S: Send + Sync> FromRequestParts<S> for Verified {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        from_layer(parts)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestId {
    type Rejection = Rejection;

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

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        json_response(&self).map(axum_core::body::Body::new)
    }
}
