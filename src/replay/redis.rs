//! The Redis store: `SET key 1 NX PX ttl`, shared by every instance.

use std::fmt;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::{Claim, Delivery, Freshness, Nonce, ReplayStore, StoreError, StoreFuture};

/// A PEM file with the CA that issued a `rediss://` server's certificate,
/// when the system does not trust it ([`RedisStore::connect_from_env`]).
pub const REDIS_CA_FILE_VAR: &str = "COGNIGY_REDIS_CA_FILE";

/// The default key prefix.
pub const DEFAULT_PREFIX: &str = "cognigy-webhook:nonce:";

/// Deletes the key only while it holds the releasing claim: Redis runs a
/// script atomically, so a record another delivery took over stays.
const RELEASE_SCRIPT: &str =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/// A nonce store in Redis, shared by every instance of a service.
///
/// Each record is one `SET <prefix><nonce> <claim> NX PX <ttl>`: atomic in Redis,
/// so of concurrent deliveries of one nonce, on however many instances,
/// exactly one is fresh; Redis expires the key itself. The connection is a
/// `redis` [`ConnectionManager`], which reconnects on its own: while Redis
/// is down, records fail fast (503, failing closed) and succeed again once
/// it is back, without restarting the service.
#[derive(Clone)]
pub struct RedisStore {
    connection: ConnectionManager,
    prefix: String,
}

impl RedisStore {
    /// Connects to `url` (`redis://host:port/db`, or `rediss://` for TLS
    /// with the server's certificate verified against the system's trusted
    /// roots), failing at once when Redis cannot be reached, so a
    /// misconfigured service stops at start-up.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("rediss:") {
            super::tls::ensure_default_provider();
        }
        Self::start(redis::Client::open(url).map_err(unavailable)?).await
    }

    /// Connects to a `rediss://` `url` whose server certificate is issued
    /// by the CA in `root_pem` (PEM) instead of one the system trusts.
    pub async fn connect_with_root_certificate(
        url: &str,
        root_pem: &[u8],
    ) -> Result<Self, StoreError> {
        if !url.starts_with("rediss:") {
            return Err(StoreError::Unavailable(
                "redis: a root certificate needs a rediss:// URL".into(),
            ));
        }
        super::tls::ensure_default_provider();
        let certificates = redis::TlsCertificates {
            client_tls: None,
            root_cert: Some(root_pem.to_vec()),
        };
        Self::start(redis::Client::build_with_tls(url, certificates).map_err(unavailable)?).await
    }

    /// [`RedisStore::connect_with_root_certificate`] with the CA read from
    /// the PEM file at `path`.
    pub async fn connect_with_root_file(
        url: &str,
        path: impl AsRef<std::path::Path>,
    ) -> Result<Self, StoreError> {
        let pem = super::tls::read_root_file(path.as_ref(), "redis: root certificate")?;
        Self::connect_with_root_certificate(url, &pem).await
    }

    /// [`RedisStore::connect`], or [`RedisStore::connect_with_root_file`]
    /// with the file [`REDIS_CA_FILE_VAR`] names when it is set.
    pub async fn connect_from_env(url: &str) -> Result<Self, StoreError> {
        match std::env::var_os(REDIS_CA_FILE_VAR).filter(|path| !path.is_empty()) {
            Some(path) => Self::connect_with_root_file(url, path).await,
            None => Self::connect(url).await,
        }
    }

    /// A handle on the store's connection (its 2 s timeouts, its
    /// reconnection, its TLS), for other commands on the same Redis, such as
    /// appending to a stream beside the nonces. Clones share the connection.
    pub fn connection(&self) -> ConnectionManager {
        self.connection.clone()
    }

    async fn start(client: redis::Client) -> Result<Self, StoreError> {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let connection = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(unavailable)?;
        Ok(RedisStore {
            connection,
            prefix: DEFAULT_PREFIX.to_owned(),
        })
    }

    /// Keys nonces under `prefix` instead of `cognigy-webhook:nonce:`
    /// (several services sharing one Redis).
    #[must_use]
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    fn key(&self, nonce: &Nonce) -> String {
        format!("{}{}", self.prefix, nonce.digest_hex())
    }
}

/// Whether the connection broke under a command (Redis restarted, or
/// closed an idle connection): the connection manager reconnects, and one
/// more try then reaches Redis instead of answering 503. A refused
/// connection (Redis down) is not tried again.
fn went_stale(error: &redis::RedisError) -> bool {
    error.is_connection_dropped() && !error.is_connection_refusal()
}

fn unavailable(error: redis::RedisError) -> StoreError {
    StoreError::Unavailable(format!("redis: {error}"))
}

impl ReplayStore for RedisStore {
    fn max_ttl(&self) -> Duration {
        super::store::SERVER_STORE_MAX_TTL
    }

    fn record<'a>(&'a self, delivery: Delivery<'a>, ttl: Duration) -> StoreFuture<'a, Freshness> {
        let key = self.key(delivery.nonce);
        let millis = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let claim = delivery.claim.as_u64();
        let mut connection = self.connection.clone();
        Box::pin(async move {
            let mut set = redis::cmd("SET");
            set.arg(&key).arg(claim).arg("NX").arg("PX").arg(millis);
            let reply: Option<String> = match set.query_async(&mut connection).await {
                Ok(reply) => reply,
                Err(error) if went_stale(&error) => {
                    // The first SET may have been carried out before the
                    // connection broke: a record with this claim is ours.
                    let retried: Option<String> = set
                        .query_async(&mut connection)
                        .await
                        .map_err(unavailable)?;
                    if retried.is_none() {
                        let holder: Option<u64> = redis::cmd("GET")
                            .arg(&key)
                            .query_async(&mut connection)
                            .await
                            .map_err(unavailable)?;
                        if holder == Some(claim) {
                            return Ok(Freshness::Fresh);
                        }
                    }
                    retried
                }
                Err(error) => return Err(unavailable(error)),
            };
            Ok(match reply {
                Some(_) => Freshness::Fresh,
                None => Freshness::Seen,
            })
        })
    }

    fn release<'a>(&'a self, nonce: &'a Nonce, claim: Claim) -> StoreFuture<'a, ()> {
        let key = self.key(nonce);
        let mut connection = self.connection.clone();
        Box::pin(async move {
            let mut eval = redis::cmd("EVAL");
            eval.arg(RELEASE_SCRIPT)
                .arg(1)
                .arg(&key)
                .arg(claim.as_u64());
            // Releasing by claim twice is harmless.
            let released: Result<i64, _> = match eval.query_async(&mut connection).await {
                Err(error) if went_stale(&error) => eval.query_async(&mut connection).await,
                other => other,
            };
            released.map(drop).map_err(unavailable)
        })
    }
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}
