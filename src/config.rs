//! Configuration from the environment, with the reference documents' names.

use std::time::Duration;

use crate::{ConfigError, Profile, Secret, Signer, Verifier, VerifierBuilder};

/// The shared secret; required. Several secrets, comma-separated, are all
/// active at once (rotation).
pub const SECRET_VAR: &str = "COGNIGY_WEBHOOK_SECRET";
/// The profile name (default `webhook-hex`).
pub const PROFILE_VAR: &str = "COGNIGY_PROFILE";
/// The header the `api-key` profile reads (default `X-Webhook-Key`).
pub const API_KEY_HEADER_VAR: &str = "COGNIGY_API_KEY_HEADER";
/// Timestamp tolerance in milliseconds, as the Node.js reference document names it.
pub const DRIFT_MS_VAR: &str = "COGNIGY_TIMESTAMP_DRIFT_MS";
/// Timestamp tolerance in milliseconds, as the Java reference document names it.
pub const TOLERANCE_MS_VAR: &str = "WEBHOOK_TIMESTAMP_TOLERANCE_MS";

/// A verifier configuration read from environment variables: only what the
/// verifier needs (where a server listens is the server's business).
///
/// | variable | meaning | default |
/// |---|---|---|
/// | `COGNIGY_WEBHOOK_SECRET` | secret, or several comma-separated (rotation); for `basic-auth` each is `user:password` | required |
/// | `COGNIGY_PROFILE` | a preset name, see [`Profile`] | `webhook-hex` |
/// | `COGNIGY_API_KEY_HEADER` | the header of the `api-key` profile | `X-Webhook-Key` |
/// | `COGNIGY_TIMESTAMP_DRIFT_MS` or `WEBHOOK_TIMESTAMP_TOLERANCE_MS` | tolerance in ms (if both are set they must agree) | the profile's |
///
/// Each secret loses one trailing line ending and is otherwise used byte for
/// byte; other surrounding whitespace is refused (see
/// [`Secret::from_env_value`]). A secret cannot contain a comma.
///
/// ```
/// use cognigy_webhook::Config;
///
/// let env = |name: &str| match name {
///     "COGNIGY_WEBHOOK_SECRET" => Some("new-secret,old-secret\n".to_owned()),
///     "COGNIGY_PROFILE" => Some("hex-millis".to_owned()),
///     "WEBHOOK_TIMESTAMP_TOLERANCE_MS" => Some("60000".to_owned()),
///     _ => None,
/// };
/// let config = Config::from_lookup(env)?;
/// assert_eq!(config.profile().name(), "hex-millis");
/// assert_eq!(config.secret_count(), 2);
/// assert_eq!(config.profile().tolerance(), Some(std::time::Duration::from_secs(60)));
/// let verifier = config.verifier()?;
/// assert_eq!(verifier.secret_count(), 2);
/// # Ok::<(), cognigy_webhook::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    profile: Profile,
    secrets: Vec<Secret>,
}

impl Config {
    /// Reads the process environment. Fails fast, naming the variable, when
    /// the secret is missing or empty or a value is unusable.
    pub fn from_env() -> Result<Config, ConfigError> {
        Self::read(|var| match std::env::var(var) {
            Ok(value) => Ok(Some(value)),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(ConfigError::InvalidEnv {
                var,
                problem: "not valid UTF-8".into(),
            }),
        })
    }

    /// Reads variables through `lookup` instead of the process environment
    /// (tests, other configuration sources).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        Self::read(|var| Ok(lookup(var)))
    }

    fn read(
        lookup: impl Fn(&'static str) -> Result<Option<String>, ConfigError>,
    ) -> Result<Config, ConfigError> {
        let set = |var| Ok::<_, ConfigError>(lookup(var)?.filter(|value| !value.is_empty()));

        let mut profile = match set(PROFILE_VAR)? {
            None => Profile::webhook_hex(),
            Some(name) => name.parse().map_err(|_| ConfigError::InvalidEnv {
                var: PROFILE_VAR,
                problem: format!(
                    "{name:?} is not one of {}",
                    Profile::PRESET_NAMES.join(", ")
                ),
            })?,
        };
        if let (Some(header), crate::profile::ProfileKind::ApiKey) =
            (set(API_KEY_HEADER_VAR)?, profile.kind())
        {
            profile = Profile::api_key_in(header)?;
        }

        let millis = |var| set(var)?.map(|v| parse_millis(var, &v)).transpose();
        let (drift, tolerance) = (millis(DRIFT_MS_VAR)?, millis(TOLERANCE_MS_VAR)?);
        match (drift, tolerance) {
            (Some(a), Some(b)) if a != b => {
                return Err(ConfigError::InvalidEnv {
                    var: TOLERANCE_MS_VAR,
                    problem: format!("disagrees with {DRIFT_MS_VAR}; set one of them"),
                });
            }
            (Some(tolerance), _) | (None, Some(tolerance)) => {
                profile = profile.with_tolerance(tolerance);
            }
            (None, None) => {}
        }

        let raw = set(SECRET_VAR)?.ok_or(ConfigError::MissingEnv { var: SECRET_VAR })?;
        let secrets = raw
            .split(',')
            .enumerate()
            .map(
                |(index, entry)| match Secret::from_env_entry(SECRET_VAR, index + 1, entry) {
                    Err(ConfigError::EmptySecret) => Err(ConfigError::InvalidEnv {
                        var: SECRET_VAR,
                        problem: format!("secret #{} is empty", index + 1),
                    }),
                    other => other,
                },
            )
            .collect::<Result<Vec<_>, _>>()?;

        Ok(Config { profile, secrets })
    }

    /// The configured profile (with the configured tolerance).
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// How many secrets are active.
    pub fn secret_count(&self) -> usize {
        self.secrets.len()
    }

    /// A verifier builder with this profile and every secret, to add a clock
    /// or another profile before building.
    pub fn verifier_builder(&self) -> VerifierBuilder {
        Verifier::builder(self.profile.clone()).secrets(self.secrets.iter().cloned())
    }

    /// A verifier with this profile and every secret.
    pub fn verifier(&self) -> Result<Verifier, ConfigError> {
        self.verifier_builder().build()
    }

    /// A signer with this profile and the first secret (the one a sender
    /// would use after a rotation completes).
    pub fn signer(&self) -> Option<Signer> {
        let secret = self.secrets.first()?.clone();
        Some(Signer::new(self.profile.clone(), secret))
    }
}

/// A tolerance: a whole number of milliseconds, at least 1 (a window of
/// zero refuses every delivery, so it is refused at start-up).
fn parse_millis(var: &'static str, value: &str) -> Result<Duration, ConfigError> {
    match value.trim().parse::<u64>() {
        Ok(0) => Err(ConfigError::InvalidEnv {
            var,
            problem: "0 ms would refuse every delivery; the tolerance must be at least 1 ms".into(),
        }),
        Ok(millis) => Ok(Duration::from_millis(millis)),
        Err(_) => Err(ConfigError::InvalidEnv {
            var,
            problem: format!("{value:?} is not a whole number of milliseconds"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_lookup(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn secret_is_required_and_never_empty() {
        assert_eq!(
            config(&[]).unwrap_err(),
            ConfigError::MissingEnv { var: SECRET_VAR }
        );
        assert_eq!(
            config(&[(SECRET_VAR, "")]).unwrap_err(),
            ConfigError::MissingEnv { var: SECRET_VAR }
        );
        assert!(matches!(
            config(&[(SECRET_VAR, "a,,b")]).unwrap_err(),
            ConfigError::InvalidEnv { var: SECRET_VAR, problem } if problem == "secret #2 is empty"
        ));
        assert_eq!(
            config(&[(SECRET_VAR, "a, b")]).unwrap_err(),
            ConfigError::SecretWhitespace {
                var: SECRET_VAR,
                position: 2
            }
        );
    }

    #[test]
    fn tolerance_variables_must_agree() {
        let ok = config(&[
            (SECRET_VAR, "s"),
            (DRIFT_MS_VAR, "1500"),
            (TOLERANCE_MS_VAR, "1500"),
        ]);
        assert_eq!(
            ok.unwrap().profile().tolerance(),
            Some(Duration::from_millis(1500))
        );
        assert!(
            config(&[
                (SECRET_VAR, "s"),
                (DRIFT_MS_VAR, "1"),
                (TOLERANCE_MS_VAR, "2")
            ])
            .is_err()
        );
        assert!(config(&[(SECRET_VAR, "s"), (DRIFT_MS_VAR, "-5")]).is_err());
        assert!(config(&[(SECRET_VAR, "s"), (DRIFT_MS_VAR, "0")]).is_err());
        assert!(config(&[(SECRET_VAR, "s"), (TOLERANCE_MS_VAR, " 0 ")]).is_err());
    }

    #[test]
    fn profile_and_api_key_header() {
        let api = config(&[
            (SECRET_VAR, "k"),
            (PROFILE_VAR, "api-key"),
            (API_KEY_HEADER_VAR, "X-Key"),
        ]);
        assert_eq!(api.unwrap().profile().credential_header(), "X-Key");
        let bad = config(&[(SECRET_VAR, "k"), (PROFILE_VAR, "sha1")]).unwrap_err();
        assert!(bad.to_string().contains("COGNIGY_PROFILE"), "{bad}");
    }

    #[test]
    fn debug_shows_no_secret() {
        let shown = format!("{:?}", config(&[(SECRET_VAR, "hunter2")]).unwrap());
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}
