//! Shared secrets: never printed, zeroised on drop.

use std::fmt;

use zeroize::Zeroizing;

use crate::ConfigError;

/// A shared secret: the HMAC key, the API key, or Basic Auth's `user:password`.
///
/// The bytes are used exactly as given (the HMAC key is the secret's UTF-8
/// bytes), wiped from memory when the `Secret` is dropped, and never shown:
/// `Debug` prints `Secret(..)` and there is no `Display`.
///
/// ```
/// use cognigy_webhook::Secret;
///
/// let secret = Secret::new("s3cr3t")?;
/// assert_eq!(format!("{secret:?}"), "Secret(..)");
/// assert!(Secret::new("").is_err());
/// # Ok::<(), cognigy_webhook::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct Secret(Zeroizing<Box<[u8]>>);

impl Secret {
    /// A secret from its exact bytes. An empty secret is refused.
    ///
    /// The argument is moved in where possible; a borrowed `&str` is copied, and
    /// that copy is the one wiped on drop.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, ConfigError> {
        let bytes = Zeroizing::new(bytes.into().into_boxed_slice());
        if bytes.is_empty() {
            return Err(ConfigError::EmptySecret);
        }
        Ok(Secret(bytes))
    }

    /// A secret read from an environment variable or a secrets file.
    ///
    /// A value written with `echo` or mounted from a file usually ends in a
    /// line break that is not part of the secret. This constructor removes
    /// **exactly one** trailing `\n` or `\r\n` and then refuses any remaining
    /// leading or trailing whitespace with [`ConfigError::SecretWhitespace`]
    /// rather than guessing. Use [`Secret::new`] for a secret that really
    /// starts or ends with whitespace.
    ///
    /// ```
    /// use cognigy_webhook::{ConfigError, Secret};
    ///
    /// // The line ending of a mounted secrets file is not part of the secret.
    /// let from_file = Secret::from_env_value("MY_SECRET", "s3cr3t\n")?;
    /// assert!(from_file == Secret::new("s3cr3t")?);
    ///
    /// // Anything else is refused, never silently trimmed.
    /// assert!(matches!(
    ///     Secret::from_env_value("MY_SECRET", "s3cr3t "),
    ///     Err(ConfigError::SecretWhitespace { .. })
    /// ));
    /// # Ok::<(), ConfigError>(())
    /// ```
    pub fn from_env_value(var: &'static str, value: &str) -> Result<Self, ConfigError> {
        Self::from_env_entry(var, 1, value)
    }

    pub(crate) fn from_env_entry(
        var: &'static str,
        position: usize,
        value: &str,
    ) -> Result<Self, ConfigError> {
        let value = value
            .strip_suffix("\r\n")
            .or_else(|| value.strip_suffix('\n'))
            .unwrap_or(value);
        if value.trim() != value {
            return Err(ConfigError::SecretWhitespace { var, position });
        }
        Self::new(value)
    }

    /// The secret for the `basic-auth` profile: `user:password`, as RFC 7617
    /// encodes it. The user name must not contain `:`, and the password
    /// must not be empty.
    pub fn basic_auth(user: &str, password: &str) -> Result<Self, ConfigError> {
        if user.contains(':') {
            return Err(ConfigError::InvalidBasicAuthUser);
        }
        if password.is_empty() {
            return Err(ConfigError::InvalidBasicAuthSecret);
        }
        let mut joined = Zeroizing::new(String::with_capacity(user.len() + 1 + password.len()));
        joined.push_str(user);
        joined.push(':');
        joined.push_str(password);
        Self::new(joined.as_bytes())
    }

    /// The secret's bytes. Crate-private: nothing outside the crate reads a secret.
    pub(crate) fn expose(&self) -> &[u8] {
        &self.0
    }
}

/// Constant-time equality, so comparing secrets in tests or configuration code
/// leaks nothing through timing (beyond the length).
impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq;
        self.expose().ct_eq(other.expose()).into()
    }
}

impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_values_lose_one_line_ending_and_nothing_else() {
        let plain = Secret::new("abc").unwrap();
        assert_eq!(Secret::from_env_value("V", "abc").unwrap(), plain);
        assert_eq!(Secret::from_env_value("V", "abc\n").unwrap(), plain);
        assert_eq!(Secret::from_env_value("V", "abc\r\n").unwrap(), plain);
        for bad in ["abc\n\n", " abc", "abc ", "abc\t", "\nabc"] {
            assert_eq!(
                Secret::from_env_value("V", bad),
                Err(ConfigError::SecretWhitespace {
                    var: "V",
                    position: 1
                }),
                "{bad:?}"
            );
        }
        assert_eq!(
            Secret::from_env_value("V", "\n"),
            Err(ConfigError::EmptySecret)
        );
    }

    #[test]
    fn basic_auth_joins_user_and_password() {
        let secret = Secret::basic_auth("cognigy", "pa:ss").unwrap();
        assert_eq!(secret.expose(), b"cognigy:pa:ss");
        assert_eq!(
            Secret::basic_auth("a:b", "x"),
            Err(ConfigError::InvalidBasicAuthUser)
        );
        assert_eq!(
            Secret::basic_auth("cognigy", ""),
            Err(ConfigError::InvalidBasicAuthSecret)
        );
    }

    #[test]
    fn debug_never_shows_the_bytes() {
        let secret = Secret::new("hunter2").unwrap();
        assert_eq!(format!("{secret:?} {secret:#?}"), "Secret(..) Secret(..)");
    }
}
