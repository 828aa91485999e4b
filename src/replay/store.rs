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

/// What a store records for one delivery.
#[derive(Debug, Clone, Copy)]
pub struct Delivery<'a> {
    /// The nonce.
    pub nonce: &'a Nonce,
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
    /// Records the delivery's nonce for `ttl` unless a live record exists.
    fn record<'a>(&'a self, delivery: Delivery<'a>, ttl: Duration) -> StoreFuture<'a, Freshness>;

    /// Forgets a nonce recorded by this delivery, because its handler failed
    /// and the sender will retry.
    fn release<'a>(&'a self, nonce: &'a Nonce) -> StoreFuture<'a, ()>;

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
