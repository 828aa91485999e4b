//! What the framework adapters share: their settings, checked once when the
//! middleware is configured, and how they report each request.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

mod body;
mod known_headers;

pub(crate) use body::BodyBuffer;
pub(crate) use known_headers::{KnownHeaders, RequestHeaders};

use crate::observe::{AuditEvent, Observer, Outcome};
use crate::{CorrelationId, DEFAULT_BODY_LIMIT, ErrorKind, RequestId, Verified, Verifier};

/// The verifier and everything an adapter enforces besides the signature.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) verifier: Verifier,
    pub(crate) body_limit: usize,
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) post_only: bool,
    pub(crate) observer: SharedObserver,
    #[cfg(feature = "replay")]
    pub(crate) replay: Option<crate::replay::ArmedGuard>,
}

/// The observer every request is reported to.
#[derive(Clone)]
pub(crate) struct SharedObserver(Arc<dyn Observer>);

impl fmt::Debug for SharedObserver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Observer(..)")
    }
}

/// What an adapter decided on a request.
#[derive(Clone, Copy)]
pub(crate) enum Decision<'a> {
    /// The handler runs.
    Verified(&'a Verified),
    /// A verified repeat, acknowledged without running the handler.
    #[cfg(feature = "replay")]
    Duplicate(&'a Verified),
    /// Refused, after verification when the replay guard refused it.
    Rejected(ErrorKind, Option<&'a Verified>),
}

/// What an adapter knows of a request before deciding on it.
pub(crate) struct RequestFacts {
    /// When the adapter took the request; only read when an observer
    /// listens (it is for the event's latency).
    pub(crate) started: Option<Instant>,
    pub(crate) request_id: RequestId,
    pub(crate) correlation: Option<CorrelationId>,
    pub(crate) remote_addr: Option<SocketAddr>,
}

impl Settings {
    /// The defaults: 1 MiB bodies, no read timeout, `POST` only, the
    /// [`Audit`](crate::observe::Audit) observer when the `audit` feature is
    /// on (none otherwise), no replay guard.
    pub(crate) fn new(verifier: Verifier) -> Self {
        #[cfg(feature = "audit")]
        let observer = SharedObserver(Arc::new(crate::observe::Audit::new()));
        #[cfg(not(feature = "audit"))]
        let observer = SharedObserver(Arc::new(()));
        Settings {
            verifier,
            body_limit: DEFAULT_BODY_LIMIT,
            read_timeout: None,
            post_only: true,
            observer,
            #[cfg(feature = "replay")]
            replay: None,
        }
    }

    /// Gives the request its id and, when an observer listens, starts the
    /// clock for its latency and asks for the peer's address (both only
    /// for the event).
    pub(crate) fn facts(
        &self,
        correlation: Option<CorrelationId>,
        remote_addr: impl FnOnce() -> Option<SocketAddr>,
    ) -> RequestFacts {
        let listening = self.observer.0.is_listening();
        RequestFacts {
            started: listening.then(Instant::now),
            request_id: RequestId::new(),
            correlation,
            remote_addr: if listening { remote_addr() } else { None },
        }
    }

    /// Reports every request to `observer` instead.
    pub(crate) fn set_observer(&mut self, observer: impl Observer) {
        self.observer = SharedObserver(Arc::new(observer));
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

    /// Reports the decision on one request.
    pub(crate) fn report(&self, facts: &RequestFacts, path: &str, decision: Decision<'_>) {
        let Some(started) = facts.started else {
            return;
        };
        let (outcome, reason, verified) = match decision {
            Decision::Verified(verified) => (Outcome::Verified, None, Some(verified)),
            #[cfg(feature = "replay")]
            Decision::Duplicate(verified) => (Outcome::Duplicate, None, Some(verified)),
            Decision::Rejected(kind, verified) => (Outcome::Rejected, Some(kind), verified),
        };
        let profile = match verified {
            Some(verified) => &verified.profile,
            None => self.verifier.profile().shared_name(),
        };
        self.observer.0.observe(&AuditEvent {
            request_id: facts.request_id,
            correlation_id: facts.correlation.as_ref(),
            remote_addr: facts.remote_addr,
            path,
            profile,
            outcome,
            reason,
            drift_ms: verified.and_then(Verified::drift_ms),
            latency: started.elapsed(),
            key_index: verified.map(Verified::key_index),
        });
    }
}
