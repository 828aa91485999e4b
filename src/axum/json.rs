//! Strict JSON from a verified body.

use axum_core::extract::{FromRequest, Request};
use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::adapter::parse_strict;
use crate::{Error, ErrorKind, Verified, Verifier};

/// The verified body deserialised as `T`, strictly.
///
/// Unknown fields are refused when `T` asks for it
/// (`#[serde(deny_unknown_fields)]`), as are missing required fields and
/// trailing data; the 400 `invalid_payload` names the failing JSON path.
///
/// Behind [`VerifyWebhookLayer`](crate::tower::VerifyWebhookLayer) the body
/// was verified already and the extractor needs nothing else. Without the
/// layer, it verifies the body itself with a [`Verifier`] from the request
/// extensions (`.layer(axum::Extension(verifier))`), reading the body within
/// axum's `DefaultBodyLimit`; with neither, 401 `unverified`.
///
/// ```
/// use axum::{Router, routing::post};
/// use cognigy_webhook::axum::VerifiedJson;
/// use cognigy_webhook::tower::VerifyWebhookLayer;
/// use cognigy_webhook::{Profile, Secret, Verifier};
///
/// #[derive(serde::Deserialize)]
/// #[serde(deny_unknown_fields, rename_all = "camelCase")]
/// struct Message {
///     session_id: String,
///     text: String,
/// }
///
/// async fn receive(VerifiedJson(message): VerifiedJson<Message>) -> String {
///     format!("{}: {}", message.session_id, message.text)
/// }
///
/// # fn app() -> Result<Router, cognigy_webhook::ConfigError> {
/// let verifier = Verifier::new(Profile::hex_millis(), Secret::new("my-shared-secret")?);
/// let app = Router::new()
///     .route("/webhooks/cognigy", post(receive))
///     .route_layer(VerifyWebhookLayer::new(verifier));
/// # Ok(app) }
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct VerifiedJson<T>(pub T);

impl<T, S> FromRequest<S> for VerifiedJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let extensions = request.extensions();
        let verifier = match extensions.get::<Verified>() {
            Some(_) => None,
            None => Some(
                extensions
                    .get::<Verifier>()
                    .cloned()
                    .ok_or(Error::new(ErrorKind::Unverified))?,
            ),
        };
        // Only a self-verifying extractor needs the headers after the body.
        let headers = verifier.as_ref().map(|_| request.headers().clone());
        let bytes =
            Bytes::from_request(request, state)
                .await
                .map_err(|rejection| match rejection.status().as_u16() {
                    413 => Error::new(ErrorKind::BodyTooLarge),
                    _ => Error::new(ErrorKind::BodyUnreadable),
                })?;
        if let (Some(verifier), Some(headers)) = (verifier, headers) {
            verifier.verify(&headers, &bytes)?;
        }
        parse_strict(&bytes).map(VerifiedJson)
    }
}
