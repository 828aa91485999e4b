//! Replay protection and idempotency: remember each verified delivery for as
//! long as it could be accepted again, and refuse (or acknowledge) repeats.
//!
//! In the raw-body profiles the timestamp is not signed, so a captured
//! delivery verifies again with a fresh timestamp header. A [`ReplayGuard`]
//! behind the verifier closes that gap while the nonce is remembered: it
//! records a nonce **only after** the signature verifies — checking first, as
//! the Java reference document does, would let anyone burn nonces — in a
//! [`ReplayStore`]. The nonce names the delivery: by default a digest of the
//! bytes the signature covers ([`NonceSource::SignedBytes`]), so a delivery
//! carrying an old and a new signature during a rotation is one delivery.
//!
//! | store | feature | shared by replicas | survives restarts |
//! |---|---|---|---|
//! | [`MemoryStore`] | `memory` | no | no |
//! | [`RedisStore`] | `redis` | yes | with Redis persistence |
//! | [`PostgresStore`] | `postgres` | yes | yes (the `webhook_events` ledger of the Go reference document) |
//!
//! A nonce lives for the whole window in which its delivery verifies
//! (`2 × tolerance`) plus a margin. For the raw-body profiles that bounds the
//! protection too: after the nonce expires, a replay with a fresh timestamp
//! verifies again. Use a long TTL ([`ReplayGuard::with_ttl`]) or the durable
//! PostgreSQL ledger ([`PostgresStore::ledger`]) with a nonce from the
//! payload (`/messageId`, `/event_id`) where that matters.
//!
//! When the handler fails (a 5xx answer or an error), panics or is
//! cancelled (its future dropped), the adapters release the nonce again, so
//! the sender's retry is processed rather than dropped as a duplicate.

#[cfg(feature = "memory")]
mod env;
mod guard;
mod nonce;
mod store;

#[cfg(feature = "memory")]
mod memory;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "redis")]
mod redis;
#[cfg(any(feature = "redis", feature = "postgres"))]
mod tls;

#[cfg(feature = "memory")]
pub use env::{CAPACITY_VAR, NAMESPACE_VAR, POLICY_VAR, guard_from_env};
#[cfg(any(feature = "tower", feature = "actix"))]
pub(crate) use guard::ArmedGuard;
pub use guard::{DUPLICATE_BODY, Recorded, ReplayDecision, ReplayGuard, ReplayPolicy};
#[cfg(feature = "memory")]
pub use memory::{BYTES_PER_ENTRY, MemoryStore};
pub use nonce::{Nonce, NonceSource};
#[cfg(feature = "postgres")]
pub use postgres::{MIGRATION, PostgresStore};
#[cfg(feature = "redis")]
pub use redis::{DEFAULT_PREFIX, REDIS_CA_FILE_VAR, RedisStore};
pub use store::{Claim, Delivery, Freshness, ReplayStore, StoreError, StoreFuture};
