//! What the framework adapters share: their settings, checked once when the
//! middleware is configured.

use std::time::Duration;

use crate::{DEFAULT_BODY_LIMIT, Verifier};

/// The verifier and everything an adapter enforces besides the signature.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) verifier: Verifier,
    pub(crate) body_limit: usize,
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) post_only: bool,
    #[cfg(feature = "replay")]
    pub(crate) replay: Option<crate::replay::ArmedGuard>,
}

impl Settings {
    /// The defaults: 1 MiB bodies, no read timeout, `POST` only, no replay
    /// guard.
    pub(crate) fn new(verifier: Verifier) -> Self {
        Settings {
            verifier,
            body_limit: DEFAULT_BODY_LIMIT,
            read_timeout: None,
            post_only: true,
            #[cfg(feature = "replay")]
            replay: None,
        }
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
