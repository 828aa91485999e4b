//! What the framework drivers share: their settings, checked once when the
//! middleware is configured.

use std::sync::Arc;
use std::time::Duration;

use crate::Verifier;
use crate::limits::{DEFAULT_BODY_LIMIT, DEFAULT_READ_TIMEOUT};
use crate::observe::Observer;

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
}

impl Settings {
    /// The defaults: 1 MiB bodies, a 10 s read timeout, `POST` only, the
    /// [`Audit`](crate::observe::Audit) observer when the `audit` feature is
    /// on (none otherwise), no replay guard.
    pub(crate) fn new(verifier: Verifier) -> Self {
        #[cfg(feature = "audit")]
        let observer = Arc::new(crate::observe::Audit::new());
        #[cfg(not(feature = "audit"))]
        let observer = Arc::new(());
        Settings {
            verifier,
            body_limit: DEFAULT_BODY_LIMIT,
            read_timeout: Some(DEFAULT_READ_TIMEOUT),
            post_only: true,
            detached: false,
            observer,
            #[cfg(feature = "replay")]
            replay: None,
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
