//! The store interface every backend implements.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use super::Nonce;

/// Whether a nonce was new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Not seen inside its time to live: it is now recorded.
    Fresh,
    /// Already recorded and not expired.
    Seen,
}

/// A store that could not answer. The guard then fails closed (503
/// `replay_store_unavailable`) unless failing open was chosen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A bounded store is full of live nonces; it refuses rather than evict
    /// one that could still be replayed.
    #[error("replay store is full of live nonces")]
    Full,
    /// The store could not be reached or answered with an error.
    #[error("replay store unavailable: {0}")]
    Unavailable(String),
}

/// Which delivery attempt recorded a nonce: a random number drawn for each
/// attempt, stored with the record, so that a release removes the record
/// only if this attempt made it — never the record of a concurrent
/// duplicate that won. (An attempt cancelled while its record was on the
/// wire does not know whether the record was made; it releases by claim.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Claim(u64);

impl Claim {
    /// A new claim, unique with overwhelming probability across processes
    /// (64 random bits from the standard library's per-process seed).
    pub fn new() -> Self {
        use std::hash::BuildHasher;
        Claim(std::hash::RandomState::new().hash_one(0u8))
    }

    /// A claim from its number (a store reading one back).
    pub const fn from_u64(value: u64) -> Self {
        Claim(value)
    }

    /// The claim's number, as a store keeps it.
    pub const fn as_u64(self) -> u64 {
        self.0
    }
}

impl Default for Claim {
    fn default() -> Self {
        Self::new()
    }
}

/// What a store records for one delivery.
#[derive(Debug, Clone, Copy)]
pub struct Delivery<'a> {
    /// The nonce.
    pub nonce: &'a Nonce,
    /// Which attempt records it; [`ReplayStore::release`] is given it back.
    pub claim: Claim,
    /// The sender's correlation id, if any (kept by the PostgreSQL ledger).
    pub correlation_id: Option<&'a str>,
    /// The verified body (the PostgreSQL ledger reads `flow_name` and
    /// `channel` from it when present).
    pub body: &'a [u8],
}

/// The future a store returns.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// An atomic "record if absent, with a time to live".
///
/// However many deliveries of one nonce arrive at once, across however many
/// service instances share the store, exactly one gets [`Freshness::Fresh`].
pub trait ReplayStore: Send + Sync + 'static {
    /// Records the delivery's nonce, with its [`Claim`], for `ttl` unless a
    /// live record exists.
    fn record<'a>(&'a self, delivery: Delivery<'a>, ttl: Duration) -> StoreFuture<'a, Freshness>;

    /// Forgets the record of `nonce` **if `claim` made it**, because its
    /// handler failed or never ran and the sender will retry. A record made
    /// by another claim stays; no record is not an error.
    fn release<'a>(&'a self, nonce: &'a Nonce, claim: Claim) -> StoreFuture<'a, ()>;

    /// The longest time to live the store can hold. A guard whose nonces
    /// would live longer is refused when it is installed, instead of every
    /// delivery failing later.
    fn max_ttl(&self) -> Duration {
        Duration::MAX
    }
}

#[cfg(any(feature = "redis", feature = "postgres"))]
/// The longest time to live the Redis and PostgreSQL stores take: a
/// century, far inside what `SET … PX` and `now() + interval` can hold.
pub(crate) const SERVER_STORE_MAX_TTL: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);
