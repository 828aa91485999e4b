//! A replay guard configured from the environment, as the examples use it.

use super::{ReplayGuard, ReplayPolicy};
use crate::ConfigError;

/// Chooses the policy for duplicates: `reject` (default) or `acknowledge`.
pub const POLICY_VAR: &str = "COGNIGY_REPLAY_POLICY";
/// Capacity of the memory store (default 100 000 live nonces).
pub const CAPACITY_VAR: &str = "COGNIGY_REPLAY_CAPACITY";
/// Keeps the service's nonces apart in a store shared with other services
/// ([`ReplayGuard::with_namespace`]); default none.
pub const NAMESPACE_VAR: &str = "COGNIGY_REPLAY_NAMESPACE";

/// A replay guard from the environment, and the name of its store:
///
/// - `DATABASE_URL` set → [`PostgresStore`](super::PostgresStore) (nonce
///   store with expiry; the table is created if missing), feature `postgres`;
///   TLS with `?sslmode=verify-full` (and `&sslrootcert=` for a private CA);
/// - else `REDIS_URL` set → [`RedisStore`](super::RedisStore), feature `redis`;
///   TLS with a `rediss://` URL (and `COGNIGY_REDIS_CA_FILE` for a private CA);
/// - else → [`MemoryStore`](super::MemoryStore) for `COGNIGY_REPLAY_CAPACITY`
///   nonces (default 100 000).
///
/// Needs the `memory` feature (the fallback store).
///
/// `COGNIGY_REPLAY_POLICY` is `reject` (409, default) or `acknowledge`
/// (200 `{"status":"duplicate"}`); `COGNIGY_REPLAY_NAMESPACE` keeps the
/// service's nonces apart from other services sharing the store. Fails
/// when a store cannot be reached, so the service stops at start-up instead
/// of running unprotected.
pub async fn guard_from_env() -> Result<(ReplayGuard, &'static str), ConfigError> {
    let var = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    let policy = match var(POLICY_VAR) {
        Some(value) => value.parse::<ReplayPolicy>()?,
        None => ReplayPolicy::Reject,
    };
    let (guard, store) = if let Some(url) = var("DATABASE_URL") {
        (postgres(&url).await?, "postgres")
    } else if let Some(url) = var("REDIS_URL") {
        (redis(&url).await?, "redis")
    } else {
        let capacity = match var(CAPACITY_VAR) {
            Some(value) => value.parse().map_err(|_| ConfigError::InvalidEnv {
                var: CAPACITY_VAR,
                problem: format!("{value:?} is not a whole number"),
            })?,
            None => 100_000,
        };
        (
            ReplayGuard::new(super::MemoryStore::new(capacity)),
            "memory",
        )
    };
    let guard = match var(NAMESPACE_VAR) {
        Some(namespace) => guard.with_namespace(namespace),
        None => guard,
    };
    Ok((guard.with_policy(policy), store))
}

#[cfg(feature = "postgres")]
async fn postgres(url: &str) -> Result<ReplayGuard, ConfigError> {
    let store = super::PostgresStore::connect(url)
        .await
        .map_err(unreachable("DATABASE_URL"))?;
    store.migrate().await.map_err(unreachable("DATABASE_URL"))?;
    Ok(ReplayGuard::new(store))
}

#[cfg(not(feature = "postgres"))]
async fn postgres(_: &str) -> Result<ReplayGuard, ConfigError> {
    Err(not_built("DATABASE_URL", "postgres"))
}

#[cfg(feature = "redis")]
async fn redis(url: &str) -> Result<ReplayGuard, ConfigError> {
    let store = super::RedisStore::connect_from_env(url)
        .await
        .map_err(unreachable("REDIS_URL"))?;
    Ok(ReplayGuard::new(store))
}

#[cfg(not(feature = "redis"))]
async fn redis(_: &str) -> Result<ReplayGuard, ConfigError> {
    Err(not_built("REDIS_URL", "redis"))
}

#[cfg(any(feature = "redis", feature = "postgres"))]
fn unreachable(var: &'static str) -> impl Fn(super::StoreError) -> ConfigError {
    move |error| ConfigError::InvalidEnv {
        var,
        problem: error.to_string(),
    }
}

#[cfg(not(all(feature = "redis", feature = "postgres")))]
fn not_built(var: &'static str, feature: &str) -> ConfigError {
    ConfigError::InvalidEnv {
        var,
        problem: format!("is set, but this build lacks the `{feature}` feature"),
    }
}
