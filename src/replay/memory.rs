//! A bounded, sharded, expiring in-memory store, for a single instance.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, UNIX_EPOCH};

use super::{Claim, Delivery, Freshness, Nonce, ReplayStore, StoreError, StoreFuture};
use crate::{Clock, SystemClock};

/// Bytes of one hash-table slot: a 16-byte key (half the nonce digest, 128
/// bits), an 8-byte expiry and the 8-byte [`Claim`], plus one control byte.
/// Tables run 44–87 % full, so a live nonce costs 38–75 bytes: a million
/// fit in 75 MB at most (measured by `tests/replay_memory_size.rs`).
pub const BYTES_PER_ENTRY: usize = 16 + 8 + 8 + 1;

const SHARDS: usize = 16;

type Key = [u8; 16];

/// A bounded, sharded, expiring nonce store in this process's memory.
///
/// Nonces spread evenly over 16 shards by their digest; each shard takes
/// 1/16 of `capacity` plus 12.5 % (and one), so the store holds `capacity`
/// live nonces (for capacities in the thousands and up, where the spread is
/// far smaller than the slack) and never more than 12.5 % over it. When a
/// shard is full of live nonces the store **fails closed**: it refuses the new delivery ([`StoreError::Full`], answered 503)
/// rather than evict a nonce that could still be replayed. Expired entries
/// are swept from a shard when it fills up, and only when one of them can
/// have expired, so a full store under load does not scan repeatedly.
///
/// Not shared between processes: with several replicas use
/// [`RedisStore`](super::RedisStore) or [`PostgresStore`](super::PostgresStore).
pub struct MemoryStore {
    shards: Box<[Mutex<Shard>]>,
    shard_capacity: usize,
    clock: Box<dyn Clock>,
}

#[derive(Default)]
struct Shard {
    /// Key → (expiry in Unix milliseconds, claim).
    entries: HashMap<Key, (u64, u64)>,
    /// No entry expires before this (`u64::MAX` when empty).
    earliest_expiry: u64,
}

impl MemoryStore {
    /// A store for `capacity` live nonces (see above for the exact bounds).
    pub fn new(capacity: usize) -> Self {
        MemoryStore {
            shards: (0..SHARDS)
                .map(|_| {
                    Mutex::new(Shard {
                        entries: HashMap::new(),
                        earliest_expiry: u64::MAX,
                    })
                })
                .collect(),
            shard_capacity: {
                let even = capacity.div_ceil(SHARDS);
                even + even / 8 + 1
            },
            clock: Box::new(SystemClock),
        }
    }

    /// Uses another clock (tests of expiry).
    #[must_use]
    pub fn with_clock(mut self, clock: impl Clock) -> Self {
        self.clock = Box::new(clock);
        self
    }

    /// How many entries are held, expired ones not yet swept included.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|shard| lock(shard).entries.len())
            .sum()
    }

    /// Whether the store holds no entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Records `nonce` for `ttl`, made by `claim`, unless a live record
    /// exists.
    pub fn check(
        &self,
        nonce: &Nonce,
        claim: Claim,
        ttl: Duration,
    ) -> Result<Freshness, StoreError> {
        let (shard, key) = self.locate(nonce);
        let now = self.now_millis();
        let expires = now.saturating_add(u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX));
        let mut shard = lock(shard);
        match shard.entries.get(&key) {
            Some(&(expiry, _)) if expiry > now => return Ok(Freshness::Seen),
            Some(_) => {}
            None if shard.entries.len() >= self.shard_capacity => {
                shard.sweep(now);
                if shard.entries.len() >= self.shard_capacity {
                    return Err(StoreError::Full);
                }
            }
            None => {}
        }
        shard.entries.insert(key, (expires, claim.as_u64()));
        shard.earliest_expiry = shard.earliest_expiry.min(expires);
        Ok(Freshness::Fresh)
    }

    /// Forgets `nonce` if `claim` recorded it.
    pub fn remove(&self, nonce: &Nonce, claim: Claim) {
        let (shard, key) = self.locate(nonce);
        let mut shard = lock(shard);
        if shard.entries.get(&key).map(|&(_, owner)| owner) == Some(claim.as_u64()) {
            shard.entries.remove(&key);
        }
    }

    fn locate(&self, nonce: &Nonce) -> (&Mutex<Shard>, Key) {
        let digest = nonce.digest();
        let mut key = [0u8; 16];
        key.copy_from_slice(&digest[..16]);
        (&self.shards[usize::from(digest[16]) % SHARDS], key)
    }

    fn now_millis(&self) -> u64 {
        let since_epoch = self
            .clock
            .now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        u64::try_from(since_epoch.as_millis()).unwrap_or(u64::MAX)
    }
}

impl Shard {
    /// Drops expired entries, if any can have expired.
    fn sweep(&mut self, now: u64) {
        if now < self.earliest_expiry {
            return;
        }
        self.entries.retain(|_, (expiry, _)| *expiry > now);
        self.earliest_expiry = self
            .entries
            .values()
            .map(|&(expiry, _)| expiry)
            .min()
            .unwrap_or(u64::MAX);
    }
}

fn lock(shard: &Mutex<Shard>) -> MutexGuard<'_, Shard> {
    // A panic while holding the lock cannot leave a shard inconsistent
    // (each operation is one map call), so a poisoned lock is still usable.
    shard
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl ReplayStore for MemoryStore {
    fn record<'a>(&'a self, delivery: Delivery<'a>, ttl: Duration) -> StoreFuture<'a, Freshness> {
        Box::pin(std::future::ready(self.check(
            delivery.nonce,
            delivery.claim,
            ttl,
        )))
    }

    fn release<'a>(&'a self, nonce: &'a Nonce, claim: Claim) -> StoreFuture<'a, ()> {
        self.remove(nonce, claim);
        Box::pin(std::future::ready(Ok(())))
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("capacity", &(self.shard_capacity * SHARDS))
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::SystemTime;

    fn clocked() -> (MemoryStore, Arc<AtomicU64>) {
        let millis = Arc::new(AtomicU64::new(1_700_000_000_000));
        let now = Arc::clone(&millis);
        let store = MemoryStore::new(32).with_clock(move || {
            SystemTime::UNIX_EPOCH + Duration::from_millis(now.load(Ordering::SeqCst))
        });
        (store, millis)
    }

    #[test]
    fn records_once_then_sees_until_expiry() {
        let (store, millis) = clocked();
        let nonce = Nonce::from_event_id("m-1");
        let ttl = Duration::from_secs(10);
        let (first, second) = (Claim::new(), Claim::new());
        assert_eq!(store.check(&nonce, first, ttl), Ok(Freshness::Fresh));
        assert_eq!(store.check(&nonce, second, ttl), Ok(Freshness::Seen));
        millis.fetch_add(9_999, Ordering::SeqCst);
        assert_eq!(store.check(&nonce, second, ttl), Ok(Freshness::Seen));
        millis.fetch_add(1, Ordering::SeqCst);
        assert_eq!(store.check(&nonce, second, ttl), Ok(Freshness::Fresh));
        // The first claim's record expired and the second took over: the
        // first cannot release it.
        store.remove(&nonce, first);
        assert_eq!(store.check(&nonce, first, ttl), Ok(Freshness::Seen));
        store.remove(&nonce, second);
        assert_eq!(store.check(&nonce, first, ttl), Ok(Freshness::Fresh));
    }

    #[test]
    fn full_of_live_nonces_fails_closed_and_recovers_after_expiry() {
        let (store, millis) = clocked();
        let ttl = Duration::from_secs(10);
        let mut refused = 0;
        for i in 0..1000 {
            match store.check(&Nonce::from_event_id(&i.to_string()), Claim::new(), ttl) {
                Ok(Freshness::Fresh) => {}
                Err(StoreError::Full) => refused += 1,
                other => panic!("{other:?}"),
            }
        }
        // 32 / 16 = 2 per shard, plus one of slack.
        assert!(store.len() <= 48, "{}", store.len());
        assert_eq!(refused, 1000 - store.len());
        // Every stored nonce is still remembered: nothing was evicted.
        millis.fetch_add(10_000, Ordering::SeqCst);
        assert_eq!(
            store.check(&Nonce::from_event_id("late"), Claim::new(), ttl),
            Ok(Freshness::Fresh)
        );
    }
}
