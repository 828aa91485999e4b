//! The guard the adapters run after verification.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

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
    /// Keeps this service's nonces apart from others' in a shared store.
    namespace: Option<Arc<str>>,
    /// How many releases run in the background (shared by clones).
    releasing: Arc<AtomicUsize>,
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
            namespace: None,
            releasing: Arc::default(),
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

    /// Waits up to `within` for the releases running in the background (of
    /// deliveries whose handler failed or was dropped, some perhaps waiting
    /// for an unreachable store to come back), and returns how many are
    /// still running: those deliveries' retries will be taken for
    /// duplicates until their records expire. Call it at shutdown, after
    /// the server has drained, so that a stopping service does not leave
    /// them behind.
    pub async fn wait_for_releases(&self, within: Duration) -> usize {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let running = self.releasing.load(Ordering::Acquire);
            if running == 0 || tokio::time::Instant::now() >= deadline {
                return running;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Keeps this service's nonces apart from those of other services that
    /// share the store (one Redis or database for several webhook routes or
    /// services): the same delivery sent to both is then fresh for each.
    /// Instances of one service share one namespace. The nonce becomes a
    /// digest of the namespace and the delivery's nonce, so a ledger's
    /// `event_id` column holds that digest instead of the readable id.
    pub fn with_namespace(mut self, namespace: impl Into<String>) -> Self {
        let namespace: String = namespace.into();
        self.namespace = (!namespace.is_empty()).then(|| namespace.into());
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
            Ok(nonce) => match &self.namespace {
                Some(namespace) => nonce.in_namespace(namespace),
                None => nonce,
            },
            Err(kind) => return ReplayDecision::Refuse(kind),
        };
        // Armed before the store is asked, so that cancellation releases.
        let mut recorded = Recorded {
            store: Arc::clone(&self.store),
            nonce,
            claim: Claim::new(),
            retry_for: Duration::ZERO,
            releasing: Arc::clone(&self.releasing),
            armed: true,
        };
        let delivery = Delivery {
            nonce: &recorded.nonce,
            claim: recorded.claim,
            correlation_id,
            body,
        };
        match self.store.record(delivery, ttl).await {
            Ok(Freshness::Fresh) => {
                // Made for sure: a release the store misses is tried again.
                recorded.retry_for = ttl.min(RELEASE_RETRY_HORIZON);
                ReplayDecision::Proceed(recorded)
            }
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
            Err(error) => self.store_failed(&error, recorded),
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
/// release the store cannot take (it is unreachable) of a record the store
/// surely made is tried again in the background, less and less often,
/// until the record would have expired (at most an hour; at most 1,024
/// deliveries per guard at once), so that once the store is back the
/// sender's retry is not taken for a duplicate.
#[must_use = "dropping a Recorded releases its nonce"]
pub struct Recorded {
    store: Arc<dyn ReplayStore>,
    nonce: Nonce,
    claim: Claim,
    /// How long a failed release is tried again: zero unless the record was
    /// surely made.
    retry_for: Duration,
    releasing: Arc<AtomicUsize>,
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

    /// Releases in the background: at once, then, while the store cannot
    /// take it, again less and less often for `retry_for`.
    fn release_later(&self) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!(
                target: "cognigy_webhook::replay",
                "a delivery was dropped outside a Tokio runtime; its nonce stays recorded"
            );
            return;
        };
        let (store, nonce, claim) = (Arc::clone(&self.store), self.nonce.clone(), self.claim);
        let retry_for = self.retry_for;
        let releasing = Releasing::start(&self.releasing);
        runtime.spawn(async move {
            if store.release(&nonce, claim).await.is_ok() || retry_for.is_zero() {
                return;
            }
            if releasing.0.load(Ordering::Acquire) > MAX_RELEASE_RETRIES {
                return gave_up("too many releases are waiting for the store");
            }
            let deadline = tokio::time::Instant::now() + retry_for;
            let mut wait = RELEASE_RETRY_FIRST;
            while tokio::time::Instant::now() + wait < deadline {
                tokio::time::sleep(wait).await;
                if store.release(&nonce, claim).await.is_ok() {
                    return;
                }
                wait = (wait * 2).min(RELEASE_RETRY_MAX);
            }
            gave_up("the store stayed unreachable");
        });
    }
}

/// Says that a failed delivery's retry will be taken for a duplicate.
fn gave_up(why: &str) {
    tracing::warn!(
        target: "cognigy_webhook::replay",
        why,
        "could not release the nonce of an unhandled delivery; its retry will be taken for a duplicate until the record expires"
    );
}

/// One release running in the background, counted while it runs.
struct Releasing(Arc<AtomicUsize>);

impl Releasing {
    fn start(count: &Arc<AtomicUsize>) -> Releasing {
        count.fetch_add(1, Ordering::AcqRel);
        Releasing(Arc::clone(count))
    }
}

impl Drop for Releasing {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The first wait before a failed release is tried again.
const RELEASE_RETRY_FIRST: Duration = Duration::from_millis(100);

/// The longest wait between two tries of a failed release: after the store
/// comes back, a retry may still be taken for a duplicate this long.
const RELEASE_RETRY_MAX: Duration = Duration::from_secs(2);

/// How long a failed release is tried again at most (a durable ledger's
/// records never expire).
const RELEASE_RETRY_HORIZON: Duration = Duration::from_secs(60 * 60);

/// How many releases of one guard may wait for the store at once.
const MAX_RELEASE_RETRIES: usize = 1024;

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
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}
