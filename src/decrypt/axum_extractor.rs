//! The decrypted `encryptedPayload` of a verified body, for axum.

use axum_core::extract::{FromRef, FromRequest, Request};
use bytes::Bytes;

use crate::decrypt::{Decrypted, Decryptor};
use crate::{Error, ErrorKind, Verified};

/// The plaintext of the verified body's `encryptedPayload` field, decrypted
/// with the [`Decryptor`] from the router state (`Decryptor: FromRef<S>`).
///
/// Only behind [`VerifyWebhookLayer`](crate::tower::VerifyWebhookLayer):
/// without it, 401 `unverified`. Any decryption failure is 422
/// `decryption_failed`, saying nothing about the cause.
///
/// ```
/// use axum::{Router, routing::post};
/// use cognigy_webhook::decrypt::{Decrypted, Decryptor};
///
/// async fn receive(Decrypted(plaintext): Decrypted) -> String {
///     format!("{} bytes decrypted", plaintext.len())
/// }
///
/// # fn app(decryptor: Decryptor) -> Router {
/// Router::new().route("/webhooks/cognigy", post(receive)).with_state(decryptor)
/// // … .route_layer(VerifyWebhookLayer::new(verifier))
/// # }
/// ```
impl<S> FromRequest<S> for Decrypted
where
    S: Send + Sync,
    Decryptor: FromRef<S>,
{
    type Rejection = Error;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if request.extensions().get::<Verified>().is_none() {
            return Err(Error::new(ErrorKind::Unverified));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|_| Error::new(ErrorKind::BodyUnreadable))?;
        Ok(Decrypted(Decryptor::from_ref(state).decrypt_field(&bytes)?))
    }
}
