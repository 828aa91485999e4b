//! The decrypted `encryptedPayload` of a verified body, for actix-web.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};

use crate::actix::body::read_verified;
use crate::actix::extract::app_data;
use crate::decrypt::{Decrypted, Decryptor};
use crate::{Error, ErrorKind, Verified};

/// The plaintext of the verified body's `encryptedPayload`, decrypted with
/// the [`Decryptor`] from the app data (`app_data(decryptor)` or
/// `app_data(web::Data::new(decryptor))`), as for axum: 401 `unverified`
/// without the middleware, 422 `decryption_failed` on any failure.
impl FromRequest for Decrypted {
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Error>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let request = request.clone();
        let payload = payload.take();
        Box::pin(async move {
            if request.extensions().get::<Verified>().is_none() {
                return Err(Error::new(ErrorKind::Unverified));
            }
            let decryptor =
                app_data::<Decryptor>(&request).ok_or(Error::new(ErrorKind::DecryptionFailed))?;
            let bytes = read_verified(payload).await?;
            Ok(Decrypted(decryptor.decrypt_field(&bytes)?))
        })
    }
}
