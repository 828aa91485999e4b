//! What the framework drivers share: their settings, checked once when the
//! middleware is configured.

use std::sync::Arc;
use std::time::Duration;

use crate::Verifier;
use crate::limits::{DEFAULT_BODY_LIMIT, DEFAULT_READ_TIMEOUT};
use crate::observe::Observer;
use crate::profile::ProfileKind;

/// The verifier and everything an adapter enforces besides the signature.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) verifier: Verifier,
    pub(crate) body_limit: usize,
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) post_only: bool,
    /// Whether the handler runs in a task of its own, out of reach of the
    /// sender hanging up.
    pub(crate) detached: bool,
    pub(crate) observer: Arc<dyn Observer>,
    #[cfg(feature = "replay")]
    pub(crate) replay: Option<crate::replay::ArmedGuard>,
    /// The challenge a 401 carries (`WWW-Authenticate`, RFC 9110 §11.6.1):
    /// Basic Auth's when a profile uses it; HMAC signatures and API keys
    /// have no standard scheme to name.
    pub(crate) challenge: Option<&'static str>,
}

/// The `WWW-Authenticate` challenge of the `basic-auth` profile.
pub(crate) const BASIC_CHALLENGE: &str = r#"Basic realm="cognigy-webhook", charset="UTF-8""#;

impl Settings {
    /// The defaults: 1 MiB bodies, a 10 s read timeout, `POST` only, the
    /// [`Audit`](crate::observe::Audit) observer when the `audit` feature is
    /// on (none otherwise), no replay guard.
    pub(crate) fn new(verifier: Verifier) -> Self {
        #[cfg(feature = "audit")]
        let observer = Arc::new(crate::observe::Audit::new());
        #[cfg(not(feature = "audit"))]
        let observer = Arc::new(());
        let basic_auth = verifier
            .profiles()
            .any(|p| p.kind() == ProfileKind::BasicAuth);
        Settings {
            verifier,
            body_limit: DEFAULT_BODY_LIMIT,
            read_timeout: Some(DEFAULT_READ_TIMEOUT),
            post_only: true,
            detached: false,
            observer,
            #[cfg(feature = "replay")]
            replay: None,
            challenge: basic_auth.then_some(BASIC_CHALLENGE),
        }
    }

    /// Reports every request to `observer` instead.
    pub(crate) fn set_observer(&mut self, observer: impl Observer) {
        self.observer = Arc::new(observer);
    }

    /// Installs a replay guard, checking it fits the verifier.
    #[cfg(feature = "replay")]
    pub(crate) fn set_replay_guard(
        &mut self,
        guard: crate::replay::ReplayGuard,
    ) -> Result<(), crate::ConfigError> {
        self.replay = Some(guard.armed_for(&self.verifier)?);
        Ok(())
    }
}
