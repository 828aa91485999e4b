//! The guard the adapters run after verification.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Claim, Delivery, Freshness, Nonce, NonceSource, ReplayStore, StoreError};
use crate::{ConfigError, ErrorKind, HeaderLookup, Profile, Verifier};

/// The body answered, with 200, to a duplicate under
/// [`ReplayPolicy::Acknowledge`].
pub const DUPLICATE_BODY: &str = r#"{"status":"duplicate"}"#;

/// How long a nonce outlives the delivery window by default.
const DEFAULT_MARGIN: Duration = Duration::from_secs(60);

/// How long nonces live for profiles without a timestamp, unless set.
const DEFAULT_TTL_WITHOUT_TIMESTAMP: Duration = Duration::from_secs(24 * 60 * 60);

/// What happens to a delivery seen before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReplayPolicy {
    /// 409 `replayed` (the default).
    #[default]
    Reject,
    /// 200 `{"status":"duplicate"}` without running the handler, as the Go reference document
    /// treats retries: the sender stops retrying, nothing runs twice.
    Acknowledge,
}

impl std::str::FromStr for ReplayPolicy {
    type Err = ConfigError;

    /// `reject` or `acknowledge` (the `COGNIGY_REPLAY_POLICY` values).
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.trim().to_ascii_lowercase().as_str() {
            "reject" => Ok(ReplayPolicy::Reject),
            "acknowledge" => Ok(ReplayPolicy::Acknowledge),
            _ => Err(ConfigError::InvalidEnv {
                var: "COGNIGY_REPLAY_POLICY",
                problem: format!("{value:?} is not reject or acknowledge"),
            }),
        }
    }
}

/// What the adapter does with a verified delivery after the guard.
#[derive(Debug)]
pub enum ReplayDecision {
    /// First delivery: run the handler, then [`Recorded::keep`] the nonce if
    /// it succeeded or [`Recorded::release`] it if it failed. Dropping the
    /// [`Recorded`] (the handler was cancelled or panicked) releases it too.
    Proceed(Recorded),
    /// A duplicate under [`ReplayPolicy::Acknowledge`]: answer
    /// 200 [`DUPLICATE_BODY`] without running the handler.
    Acknowledge,
    /// Refuse with this kind (`replayed`, `missing_nonce`,
    /// `replay_store_unavailable`).
    Refuse(ErrorKind),
}

/// Remembers verified deliveries in a [`ReplayStore`] and decides what a
/// repeat gets. Cheap to clone; install it on an adapter with
/// `with_replay_guard`.
///
/// ```
/// # #[cfg(feature = "memory")] {
/// use cognigy_webhook::replay::{MemoryStore, NonceSource, ReplayGuard, ReplayPolicy};
///
/// let guard = ReplayGuard::new(MemoryStore::new(100_000))
///     .with_nonce(NonceSource::JsonPointer("/messageId".into()))
///     .with_policy(ReplayPolicy::Acknowledge);
/// # }
/// ```
#[derive(Clone)]
#[must_use]
pub struct ReplayGuard {
    store: Arc<dyn ReplayStore>,
    source: NonceSource,
    policy: ReplayPolicy,
    fail_open: bool,
    ttl: Option<Duration>,
}

impl ReplayGuard {
    /// A guard over `store`: nonce from the signed bytes, duplicates rejected
    /// with 409, store errors refused with 503 (fail closed).
    pub fn new(store: impl ReplayStore) -> Self {
        Self::shared(Arc::new(store))
    }

    /// A guard over a store shared with other guards.
    pub fn shared(store: Arc<dyn ReplayStore>) -> Self {
        ReplayGuard {
            store,
            source: NonceSource::SignedBytes,
            policy: ReplayPolicy::Reject,
            fail_open: false,
            ttl: None,
        }
    }

    /// Takes nonces from `source` instead of the signature.
    pub fn with_nonce(mut self, source: NonceSource) -> Self {
        self.source = source;
        self
    }

    /// Answers duplicates according to `policy`.
    pub fn with_policy(mut self, policy: ReplayPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Keeps nonces for `ttl` instead of twice the verifier's tolerance plus
    /// a minute.
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = Some(ttl);
        self
    }

    /// **Lets deliveries through when the store cannot answer**, logging an
    /// error for each one. Replays then pass during a store outage; choose it
    /// only when availability matters more than duplicates.
    pub fn fail_open(mut self) -> Self {
        tracing::warn!(
            target: "cognigy_webhook::replay",
            "replay guard configured to FAIL OPEN: deliveries pass unchecked while the store is unavailable"
        );
        self.fail_open = true;
        self
    }

    /// The policy for duplicates.
    pub fn policy(&self) -> ReplayPolicy {
        self.policy
    }

    /// Checks the guard fits `verifier` and fixes the time to live of its
    /// nonces; adapters call this when the guard is installed.
    #[cfg(any(feature = "tower", feature = "actix"))]
    pub(crate) fn armed_for(self, verifier: &Verifier) -> Result<ArmedGuard, ConfigError> {
        let ttl = self.ttl_for(verifier)?;
        Ok(ArmedGuard {
            guard: self,
            ttl,
            verifier: verifier.clone(),
        })
    }

    /// Checks the guard fits `verifier` and returns the time to live its
    /// nonces get: the configured one, or `2 × tolerance + 60 s` (the whole
    /// window in which a delivery verifies, plus a margin), or a day for
    /// profiles without a timestamp.
    /// Refused when the store cannot hold nonces that long.
    pub fn ttl_for(&self, verifier: &Verifier) -> Result<Duration, ConfigError> {
        let ttl = self.ttl.unwrap_or_else(|| match verifier.max_tolerance() {
            Some(tolerance) => tolerance.saturating_mul(2).saturating_add(DEFAULT_MARGIN),
            None => DEFAULT_TTL_WITHOUT_TIMESTAMP,
        });
        let max = self.store.max_ttl();
        if ttl > max {
            return Err(ConfigError::TtlTooLong {
                ttl_secs: ttl.as_secs(),
                max_secs: max.as_secs(),
            });
        }
        Ok(ttl)
    }

    /// Takes the nonce of a delivery that `profile` verified, records it
    /// for `ttl`, and decides what the delivery gets.
    ///
    /// Cancel-safe: if this future is dropped while the store is recording,
    /// the record this attempt may have made is released in the background
    /// (by its [`Claim`], so a concurrent duplicate's record stays), and the
    /// sender's retry runs.
    pub async fn admit<'h>(
        &self,
        ttl: Duration,
        profile: &Profile,
        headers: impl HeaderLookup<'h>,
        correlation_id: Option<&str>,
        body: &[u8],
    ) -> ReplayDecision {
        let nonce = match self.source.extract(profile, headers, body) {
            Ok(nonce) => nonce,
            Err(kind) => return ReplayDecision::Refuse(kind),
        };
        // Armed before the store is asked, so that cancellation releases.
        let recorded = Recorded {
            store: Arc::clone(&self.store),
            nonce,
            claim: Claim::new(),
            expires: Instant::now() + ttl,
            persistent: true,
            armed: true,
        };
        let delivery = Delivery {
            nonce: &recorded.nonce,
            claim: recorded.claim,
            correlation_id,
            body,
        };
        match self.store.record(delivery, ttl).await {
            Ok(Freshness::Fresh) => ReplayDecision::Proceed(recorded),
            Ok(Freshness::Seen) => {
                recorded.keep();
                match self.policy {
                    ReplayPolicy::Reject => ReplayDecision::Refuse(ErrorKind::Replayed),
                    ReplayPolicy::Acknowledge => ReplayDecision::Acknowledge,
                }
            }
            // A full store made no record: nothing to release if dropped.
            Err(StoreError::Full) => self.store_failed(&StoreError::Full, recorded.disarmed()),
            // The record may have been made before the error: the dropped
            // or proceeding `Recorded` releases it by its claim (once: it
            // most likely was not, and an outage must not pile up retries).
            Err(error) => {
                let mut recorded = recorded;
                recorded.persistent = false;
                self.store_failed(&error, recorded)
            }
        }
    }

    fn store_failed(&self, error: &StoreError, recorded: Recorded) -> ReplayDecision {
        if self.fail_open {
            tracing::error!(
                target: "cognigy_webhook::replay",
                %error,
                "replay store unavailable; FAILING OPEN: delivery passes without replay protection"
            );
            ReplayDecision::Proceed(recorded)
        } else {
            tracing::warn!(target: "cognigy_webhook::replay", %error, "replay store unavailable; refusing");
            ReplayDecision::Refuse(ErrorKind::ReplayStoreUnavailable)
        }
    }
}

/// The nonce a delivery recorded, held while its handler runs.
///
/// [`Recorded::keep`] when the delivery was handled; [`Recorded::release`]
/// when it was not, so the sender's retry runs. Dropped without either — the
/// handler's future was dropped (client gone, timeout, shutdown) or panicked
/// — it releases in the background on the current Tokio runtime (a retry
/// that arrives before that release has gone through is still taken for a
/// duplicate). A release removes only the record this delivery made. A
/// release the store cannot take (it is unreachable) is tried again in the
/// background until the record would have expired, so that once the store
/// is back the sender's retry is not taken for a duplicate.
#[must_use = "dropping a Recorded releases its nonce"]
pub struct Recorded {
    store: Arc<dyn ReplayStore>,
    nonce: Nonce,
    claim: Claim,
    /// When the store lets the record expire.
    expires: Instant,
    /// Whether a failed release is tried again (the record was made).
    persistent: bool,
    armed: bool,
}

impl Recorded {
    /// The delivery's nonce.
    pub fn nonce(&self) -> &Nonce {
        &self.nonce
    }

    /// Keeps the record: the delivery was handled.
    pub fn keep(self) {
        drop(self.disarmed());
    }

    /// The same, with nothing to release when dropped.
    fn disarmed(mut self) -> Self {
        self.armed = false;
        self
    }

    /// Releases the record now, so the sender's retry is processed.
    pub async fn release(mut self) {
        self.armed = false;
        if self.store.release(&self.nonce, self.claim).await.is_err() {
            self.release_later();
        }
    }

    /// Releases in the background: at once, then again less and less often
    /// while the store cannot take it, until the record has expired anyway.
    fn release_later(&self) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!(
                target: "cognigy_webhook::replay",
                "a delivery was dropped outside a Tokio runtime; its nonce stays recorded"
            );
            return;
        };
        let (store, nonce, claim) = (Arc::clone(&self.store), self.nonce.clone(), self.claim);
        let expires = match self.persistent {
            true => tokio::time::Instant::from_std(self.expires),
            false => tokio::time::Instant::now(),
        };
        runtime.spawn(async move {
            let mut wait = RELEASE_RETRY_FIRST;
            while store.release(&nonce, claim).await.is_err()
                && tokio::time::Instant::now() + wait < expires
            {
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(RELEASE_RETRY_MAX);
            }
        });
    }
}

/// The first wait before a failed release is tried again.
const RELEASE_RETRY_FIRST: Duration = Duration::from_millis(100);

/// The longest wait between two tries of a failed release: after the store
/// comes back, a retry may still be taken for a duplicate this long.
const RELEASE_RETRY_MAX: Duration = Duration::from_secs(2);

impl Drop for Recorded {
    fn drop(&mut self) {
        if self.armed {
            self.release_later();
        }
    }
}

impl fmt::Debug for Recorded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recorded")
            .field("nonce", &self.nonce)
            .field("armed", &self.armed)
            .finish_non_exhaustive()
    }
}

/// A guard installed on an adapter, with the time to live fixed for its
/// verifier.
#[cfg(any(feature = "tower", feature = "actix"))]
#[derive(Debug, Clone)]
pub(crate) struct ArmedGuard {
    pub(crate) guard: ReplayGuard,
    pub(crate) ttl: Duration,
    /// The verifier whose profiles say what each delivery signed.
    verifier: Verifier,
}

#[cfg(any(feature = "tower", feature = "actix"))]
impl ArmedGuard {
    pub(crate) async fn admit<'h>(
        &self,
        verified: &crate::Verified,
        headers: impl HeaderLookup<'h>,
        correlation_id: Option<&str>,
        body: &[u8],
    ) -> ReplayDecision {
        let profile = self
            .verifier
            .profiles()
            .find(|profile| profile.name() == verified.profile());
        let Some(profile) = profile else {
            return ReplayDecision::Refuse(ErrorKind::MissingNonce);
        };
        self.guard
            .admit(self.ttl, profile, headers, correlation_id, body)
            .await
    }
}

impl fmt::Debug for ReplayGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplayGuard")
            .field("source", &self.source)
            .field("policy", &self.policy)
            .field("fail_open", &self.fail_open)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}
