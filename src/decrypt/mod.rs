//! RSA-OAEP decryption of the `encryptedPayload` field (the Java reference document), with
//! aws-lc-rs (feature `decrypt`).
//!
//! The algorithm is fixed: RSA-OAEP with SHA-256 and MGF1-SHA-256, with a
//! PKCS#8 PEM private key of 2048 to 8192 bits. The `rsa` crate is not used:
//! its RUSTSEC-2023-0071 (the Marvin timing attack) has no fix.
//!
//! Every failure — a missing field, bad base64, a ciphertext of the wrong
//! size, a wrong key, a tampered ciphertext — is the same
//! [`ErrorKind::DecryptionFailed`] (422), with nothing about the cause: a
//! padding oracle needs to tell those apart.

#[cfg(feature = "actix")]
mod actix_extractor;
#[cfg(feature = "axum")]
mod axum_extractor;

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::rsa::{OAEP_SHA256_MGF1SHA256, OaepPrivateDecryptingKey, PrivateDecryptingKey};
use base64::Engine as _;
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject;
use zeroize::Zeroizing;

use crate::{ConfigError, Error, ErrorKind};

/// The environment variable holding the PEM private key (the Java reference document).
pub const DECRYPTION_KEY_VAR: &str = "DECRYPTION_PRIVATE_KEY";

/// The JSON field of the verified body that holds the ciphertext (the Java reference document).
pub const ENCRYPTED_FIELD: &str = "encryptedPayload";

/// Decrypts `encryptedPayload` fields with one RSA private key. Cheap to
/// clone; `Debug` prints the key size only.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use cognigy_webhook::decrypt::Decryptor;
///
/// let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/decrypt/key_pkcs8.pem"))?;
/// let decryptor = Decryptor::from_pem(&pem)?;
/// let body = br#"{"encryptedPayload":"not a ciphertext"}"#;
/// assert_eq!(decryptor.decrypt_field(body).unwrap_err().reason(), "decryption_failed");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Decryptor {
    key: Arc<OaepPrivateDecryptingKey>,
}

impl Decryptor {
    /// The key from a PKCS#8 PEM document (`-----BEGIN PRIVATE KEY-----`).
    /// A PKCS#1 key (`BEGIN RSA PRIVATE KEY`) is refused with the command
    /// that converts it.
    pub fn from_pem(pem: &[u8]) -> Result<Self, ConfigError> {
        let invalid = ConfigError::InvalidPrivateKey;
        let der =
            PrivateKeyDer::from_pem_slice(pem).map_err(|_| invalid("no PEM private key found"))?;
        let pkcs8 = match &der {
            PrivateKeyDer::Pkcs8(pkcs8) => pkcs8.secret_pkcs8_der(),
            PrivateKeyDer::Pkcs1(_) => {
                return Err(invalid(
                    "a PKCS#1 key (BEGIN RSA PRIVATE KEY) was given where PKCS#8 (BEGIN PRIVATE KEY) is expected; convert it with `openssl pkcs8 -topk8 -nocrypt -in key.pem`",
                ));
            }
            _ => return Err(invalid("not an RSA private key")),
        };
        let key = PrivateDecryptingKey::from_pkcs8(pkcs8)
            .map_err(|_| invalid("not an RSA private key of 2048 to 8192 bits"))?;
        let key = OaepPrivateDecryptingKey::new(key)
            .map_err(|_| invalid("the key cannot be used for RSA-OAEP"))?;
        Ok(Decryptor { key: Arc::new(key) })
    }

    /// The key from [`DECRYPTION_KEY_VAR`]; see
    /// [`from_env_value`](Self::from_env_value).
    pub fn from_env() -> Result<Self, ConfigError> {
        let value = Zeroizing::new(std::env::var(DECRYPTION_KEY_VAR).map_err(|_| {
            ConfigError::MissingEnv {
                var: DECRYPTION_KEY_VAR,
            }
        })?);
        Self::from_env_value(&value)
    }

    /// The key from an environment variable's value: the PEM text itself,
    /// where literal `\n` sequences (as some secret stores write multi-line
    /// values) count as line breaks.
    pub fn from_env_value(value: &str) -> Result<Self, ConfigError> {
        let pem = Zeroizing::new(value.replace("\\n", "\n"));
        Self::from_pem(pem.as_bytes())
    }

    /// The RSA key size in bits.
    pub fn key_bits(&self) -> usize {
        self.key.key_size_bits()
    }

    /// Decrypts one base64 ciphertext (standard alphabet, padded; whitespace
    /// around it ignored). It must be exactly one RSA block of the key's
    /// size; anything larger is refused before any RSA work.
    pub fn decrypt_base64(&self, encoded: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        let failed = || Error::from(ErrorKind::DecryptionFailed);
        let block = self.key.key_size_bytes();
        let encoded = encoded.trim_ascii();
        if encoded.len() > block.div_ceil(3) * 4 {
            return Err(failed());
        }
        let ciphertext = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|_| failed())?;
        if ciphertext.len() != block {
            return Err(failed());
        }
        let mut plaintext = Zeroizing::new(vec![0u8; self.key.min_output_size()]);
        let length = self
            .key
            .decrypt(&OAEP_SHA256_MGF1SHA256, &ciphertext, &mut plaintext, None)
            .map_err(|_| failed())?
            .len();
        plaintext.truncate(length);
        Ok(plaintext)
    }

    /// Decrypts the [`ENCRYPTED_FIELD`] string of a JSON body.
    pub fn decrypt_field(&self, body: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        #[derive(serde::Deserialize)]
        struct Envelope<'a> {
            #[serde(rename = "encryptedPayload", borrow)]
            encrypted: std::borrow::Cow<'a, str>,
        }
        let envelope: Envelope<'_> =
            serde_json::from_slice(body).map_err(|_| Error::from(ErrorKind::DecryptionFailed))?;
        self.decrypt_base64(envelope.encrypted.as_bytes())
    }
}

impl fmt::Debug for Decryptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decryptor")
            .field("key_bits", &self.key_bits())
            .finish_non_exhaustive()
    }
}

/// The plaintext of the verified body's `encryptedPayload`, as the adapters'
/// `Decrypted` extractors give it to handlers. Zeroised on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct Decrypted(pub Zeroizing<Vec<u8>>);

impl Decrypted {
    /// The plaintext bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Decrypted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Decrypted({} bytes)", self.0.len())
    }
}
