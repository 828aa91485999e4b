//! Strict JSON from a verified body.

use axum_core::extract::{FromRef, FromRequest, Request};
use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::strict_json::parse_strict;
use crate::{ErrorKind, Rejection, Verified, Verifier};

/// The verified body deserialised as `T`, strictly.
///
/// Unknown fields are refused when `T` asks for it
/// (`#[serde(deny_unknown_fields)]`), as are missing required fields and
/// trailing data; the 400 `invalid_payload` names the failing JSON path.
///
/// Behind [`VerifyWebhookLayer`](crate::tower::VerifyWebhookLayer) the body
/// was verified already. Without it, the extractor verifies the body itself
/// with the [`Verifier`] from the router state, which is why the state must
/// provide one (`Verifier: FromRef<S>`: use the verifier as the state, or
/// `#[derive(FromRef)]` on your state struct).
///
/// ```
/// use axum::{Router, routing::post};
/// use cognigy_webhook::axum::VerifiedJson;
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
/// let app = Router::new().route("/webhooks/cognigy", post(receive)).with_state(verifier);
/// # Ok(app) }
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct VerifiedJson<T>(pub T);

impl<T, S> FromRequest<S> for VerifiedJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
    Verifier: FromRef<S>,
{
    type Rejection = Rejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let verified_by_layer = request.extensions().get::<Verified>().is_some();
        // Only a self-verifying extractor needs the headers after the body.
        let headers = (!verified_by_layer).then(|| request.headers().clone());
        let bytes =
            Bytes::from_request(request, state)
                .await
                .map_err(|rejection| match rejection.status().as_u16() {
                    413 => Rejection::new(ErrorKind::BodyTooLarge),
                    _ => Rejection::new(ErrorKind::BodyUnreadable),
                })?;
        if let Some(headers) = headers {
            Verifier::from_ref(state).verify(&headers, &bytes)?;
        }
        parse_strict(&bytes).map(VerifiedJson)
    }
}
