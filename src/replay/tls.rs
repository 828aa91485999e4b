//! TLS to the Redis and PostgreSQL stores: rustls with the aws-lc-rs
//! provider, trusting the system's roots or the one CA file the user names.

use std::path::Path;
#[cfg(feature = "postgres")]
use std::path::PathBuf;

use rustls::crypto::CryptoProvider;
#[cfg(feature = "postgres")]
use rustls::pki_types::{CertificateDer, pem::PemObject};

use super::StoreError;

fn provider() -> CryptoProvider {
    rustls::crypto::aws_lc_rs::default_provider()
}

/// The `redis` crate builds its rustls configuration with the process's
/// default provider; install ours unless the application chose one, so a
/// build with two providers linked in cannot fail there.
#[cfg(feature = "redis")]
pub(crate) fn ensure_default_provider() {
    if CryptoProvider::get_default().is_none() {
        // Losing a race to another installer is fine: a provider is set.
        let _ = provider().install_default();
    }
}

/// The bytes of a PEM file of root certificates, with an error that names
/// the setting (never the file's contents).
pub(crate) fn read_root_file(path: &Path, setting: &str) -> Result<Vec<u8>, StoreError> {
    std::fs::read(path).map_err(|error| {
        StoreError::Unavailable(format!(
            "{setting}: cannot read {}: {error}",
            path.display()
        ))
    })
}

/// A client configuration that verifies the server's certificate chain and
/// name against `root_pem` (PEM, one or more CA certificates) or, without
/// it, the system's trusted roots.
#[cfg(feature = "postgres")]
pub(crate) fn client_config(root_pem: Option<&[u8]>) -> Result<rustls::ClientConfig, StoreError> {
    let invalid = |problem: String| StoreError::Unavailable(format!("postgres: {problem}"));
    let mut roots = rustls::RootCertStore::empty();
    match root_pem {
        Some(pem) => {
            for certificate in CertificateDer::pem_slice_iter(pem) {
                let certificate = certificate
                    .map_err(|error| invalid(format!("sslrootcert is not PEM: {error}")))?;
                roots
                    .add(certificate)
                    .map_err(|error| invalid(format!("sslrootcert: {error}")))?;
            }
            if roots.is_empty() {
                return Err(invalid("sslrootcert holds no certificate".into()));
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            roots.add_parsable_certificates(found.certs);
            if roots.is_empty() {
                return Err(invalid(
                    "no trusted root certificates on this system; name a CA with sslrootcert"
                        .into(),
                ));
            }
        }
    }
    Ok(
        rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(provider()))
            .with_safe_default_protocol_versions()
            .map_err(|error| invalid(error.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

/// What a PostgreSQL connection string asks for, in libpq's words.
#[cfg(feature = "postgres")]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum PostgresTls {
    /// No `sslmode`, or `sslmode=disable`: plain TCP.
    Off,
    /// `sslmode=require`, `verify-ca` or `verify-full`: TLS with the
    /// server's certificate verified, against `sslrootcert` when given.
    Verified { root_file: Option<PathBuf> },
}

/// Takes `sslmode` and `sslrootcert` out of a connection string (URL or
/// `key=value` form), which `tokio-postgres` does not understand beyond
/// `require`, and returns the rest unchanged with what they asked for.
///
/// `prefer` and `allow` are refused: a connection that falls back to plain
/// TCP when the server (or anyone between) declines TLS protects nothing.
#[cfg(feature = "postgres")]
pub(crate) fn postgres_tls(url: &str) -> Result<(String, PostgresTls), StoreError> {
    let is_url = url.starts_with("postgres://") || url.starts_with("postgresql://");
    let (head, params, separator) = match (is_url, url.split_once('?')) {
        (true, Some((head, query))) => (head, query, "&"),
        (true, None) => (url, "", "&"),
        (false, _) => ("", url, " "),
    };
    let mut mode = None;
    let mut root_file = None;
    let mut kept = Vec::new();
    for param in params.split(separator).filter(|param| !param.is_empty()) {
        let (key, value) = param.split_once('=').unwrap_or((param, ""));
        let value = || {
            if is_url {
                percent_encoding::percent_decode_str(value)
                    .decode_utf8_lossy()
                    .into_owned()
            } else {
                value.trim_matches('\'').to_owned()
            }
        };
        match key.trim() {
            "sslmode" => mode = Some(value()),
            "sslrootcert" => root_file = Some(PathBuf::from(value())),
            _ => kept.push(param),
        }
    }
    let tls = match mode.as_deref() {
        None | Some("disable") if root_file.is_none() => PostgresTls::Off,
        None | Some("disable") => {
            return Err(StoreError::Unavailable(
                "postgres: sslrootcert needs sslmode=require, verify-ca or verify-full".into(),
            ));
        }
        Some("require" | "verify-ca" | "verify-full") => PostgresTls::Verified { root_file },
        Some(other) => {
            return Err(StoreError::Unavailable(format!(
                "postgres: sslmode={other} is not supported: use disable, require, verify-ca or \
                 verify-full (a connection that may fall back to plain TCP protects nothing)"
            )));
        }
    };
    let rest = kept.join(separator);
    let url = match (is_url, rest.is_empty()) {
        (true, false) => format!("{head}?{rest}"),
        (true, true) => head.to_owned(),
        (false, _) => rest,
    };
    Ok((url, tls))
}

#[cfg(all(test, feature = "postgres"))]
mod tests {
    use super::*;

    #[test]
    fn takes_the_tls_settings_out_of_a_url() {
        let (url, tls) = postgres_tls(
            "postgres://u:p@db:5432/x?application_name=a%20b&sslmode=verify-full&sslrootcert=%2Ftmp%2Fca.pem",
        )
        .unwrap();
        assert_eq!(url, "postgres://u:p@db:5432/x?application_name=a%20b");
        assert_eq!(
            tls,
            PostgresTls::Verified {
                root_file: Some(PathBuf::from("/tmp/ca.pem"))
            }
        );
        let (url, tls) = postgres_tls("postgresql://db/x?sslmode=require").unwrap();
        assert_eq!(
            (url.as_str(), tls),
            (
                "postgresql://db/x",
                PostgresTls::Verified { root_file: None }
            )
        );
        let (url, tls) = postgres_tls("postgres://db/x").unwrap();
        assert_eq!((url.as_str(), tls), ("postgres://db/x", PostgresTls::Off));
    }

    #[test]
    fn takes_the_tls_settings_out_of_key_value_form() {
        let (url, tls) =
            postgres_tls("host=db user=u sslmode=verify-ca sslrootcert='/ca.pem'").unwrap();
        assert_eq!(url, "host=db user=u");
        assert_eq!(
            tls,
            PostgresTls::Verified {
                root_file: Some(PathBuf::from("/ca.pem"))
            }
        );
    }

    #[test]
    fn refuses_modes_that_fall_back_to_plain_tcp() {
        for mode in ["prefer", "allow", "bogus"] {
            let error =
                postgres_tls(&format!("postgres://u:secret@db/x?sslmode={mode}")).unwrap_err();
            let message = error.to_string();
            assert!(message.contains(mode), "{message}");
            assert!(!message.contains("secret"), "{message}");
        }
        assert!(postgres_tls("postgres://db/x?sslrootcert=/ca.pem").is_err());
    }
}
