//! The PostgreSQL store: the Go reference document's `webhook_events` table, as a nonce store
//! with expiry or as a durable idempotency ledger.

use std::fmt;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;
use tokio_postgres::config::SslMode;
use tokio_postgres_rustls::MakeRustlsConnect;

use super::tls::{PostgresTls, client_config, postgres_tls, read_root_file};
use super::{Claim, Delivery, Freshness, Nonce, ReplayStore, StoreError, StoreFuture};

/// The table, with the Go reference document's columns plus `expires_at` (`NULL` in the
/// durable ledger) and `claim` (which delivery attempt made the row; a
/// release deletes only its own). Tables made by earlier versions gain the
/// `claim` column.
pub const MIGRATION: &str = "
CREATE TABLE IF NOT EXISTS webhook_events (
    event_id VARCHAR(255) PRIMARY KEY,
    flow_name VARCHAR(255),
    channel VARCHAR(100),
    correlation_id VARCHAR(255),
    processed_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    status VARCHAR(50) NOT NULL DEFAULT 'success',
    expires_at TIMESTAMPTZ,
    claim BIGINT
);
ALTER TABLE webhook_events ADD COLUMN IF NOT EXISTS claim BIGINT;
CREATE INDEX IF NOT EXISTS webhook_events_expires_at ON webhook_events (expires_at)
    WHERE expires_at IS NOT NULL;
";

/// Taken (for the transaction) before migrating: `CREATE … IF NOT EXISTS`
/// alone is not safe against itself in PostgreSQL (two sessions creating the
/// same table at once: one fails on a duplicate key in the catalog), and
/// instances starting together, or tests in parallel, do exactly that. The
/// key is an arbitrary constant of this crate ("CGNY").
const MIGRATION_LOCK: &str = "SELECT pg_advisory_xact_lock(1128746585);";

/// Durable ledger: the first delivery of an event id wins, for ever
/// (the Go reference document's statement).
const INSERT_LEDGER: &str = "
INSERT INTO webhook_events (event_id, flow_name, channel, correlation_id, status, claim)
VALUES ($1, $2, $3, $4, 'success', $5)
ON CONFLICT (event_id) DO NOTHING";

/// Nonce store: insert, or take over a row whose time is up, atomically; a
/// live row makes it affect nothing.
const INSERT_EXPIRING: &str = "
INSERT INTO webhook_events (event_id, flow_name, channel, correlation_id, status, claim, expires_at)
VALUES ($1, $2, $3, $4, 'success', $5, NOW() + make_interval(secs => $6))
ON CONFLICT (event_id) DO UPDATE
    SET flow_name = EXCLUDED.flow_name,
        claim = EXCLUDED.claim,
        channel = EXCLUDED.channel,
        correlation_id = EXCLUDED.correlation_id,
        processed_at = NOW(),
        status = EXCLUDED.status,
        expires_at = EXCLUDED.expires_at
    WHERE webhook_events.expires_at IS NOT NULL AND webhook_events.expires_at <= NOW()";

/// A store in PostgreSQL's `webhook_events` table (the Go reference document), shared by every
/// instance and surviving restarts.
///
/// - [`PostgresStore::connect`] makes a nonce store: rows expire after the
///   guard's time to live; an expired row is taken over atomically by the
///   next delivery of its nonce, and [`PostgresStore::sweep`] deletes
///   expired rows.
/// - [`PostgresStore::ledger`] makes the durable idempotency ledger of the
///   Go reference document: `INSERT … ON CONFLICT (event_id) DO NOTHING`, rows never expire.
///   Pair it with a nonce from the payload (`/event_id`, `/messageId`).
///
/// `flow_name` and `channel` are taken from the verified JSON body when it
/// has them (`flow_name`/`flowName`, `channel`), and `correlation_id` from
/// `X-Cognigy-CorrelationId`. Call [`PostgresStore::migrate`] once to create
/// the table. Connections come from a pool that replaces broken ones, so
/// the store recovers from a database restart by itself. Waiting for a
/// connection, making one, and each statement on the request path are
/// bounded at 2 s each; past that the store counts as unavailable (503, or
/// open if the guard is told to fail open).
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    durable: bool,
}

impl PostgresStore {
    /// A nonce store (rows expire) on the database at `url`
    /// (`postgres://user:password@host:port/db`). Checks the connection.
    ///
    /// TLS is asked for as in libpq: `?sslmode=require`, `verify-ca` or
    /// `verify-full`, with `&sslrootcert=/path/ca.pem` for a private CA
    /// (otherwise the system's trusted roots). Every TLS mode verifies the
    /// server's certificate and name — stricter than libpq's `require`,
    /// which checks nothing. No `sslmode` (or `disable`) is plain TCP;
    /// `prefer` and `allow` are refused, because a connection that falls
    /// back to plain TCP when asked to protects nothing.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let (url, tls) = postgres_tls(url)?;
        let mut config: tokio_postgres::Config = url.parse().map_err(|_| {
            StoreError::Unavailable(
                "postgres: DATABASE_URL is not a valid connection string".into(),
            )
        })?;
        let manager_config = || ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        let manager = match tls {
            PostgresTls::Off => Manager::from_config(config, NoTls, manager_config()),
            PostgresTls::Verified { root_file } => {
                let root = root_file
                    .map(|path| read_root_file(&path, "postgres: sslrootcert"))
                    .transpose()?;
                let connector = MakeRustlsConnect::new(client_config(root.as_deref())?);
                config.ssl_mode(SslMode::Require);
                Manager::from_config(config, connector, manager_config())
            }
        };
        let pool = Pool::builder(manager)
            .max_size(16)
            .wait_timeout(Some(Duration::from_secs(2)))
            .create_timeout(Some(Duration::from_secs(2)))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|error| StoreError::Unavailable(format!("postgres: {error}")))?;
        let store = PostgresStore {
            pool,
            durable: false,
        };
        drop(store.client().await?);
        Ok(store)
    }

    /// The durable ledger of the Go reference document on the database at `url`: records never
    /// expire.
    pub async fn ledger(url: &str) -> Result<Self, StoreError> {
        let mut store = Self::connect(url).await?;
        store.durable = true;
        Ok(store)
    }

    /// Creates the `webhook_events` table and its index if missing. Safe
    /// for several instances to call at once: migrations take an advisory
    /// lock, so they run one after the other.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.client()
            .await?
            // One simple query: its statements run as one transaction, which
            // holds the lock until the table and index exist.
            .batch_execute(&format!("{MIGRATION_LOCK}{MIGRATION}"))
            .await
            .map_err(db)
    }

    /// Deletes expired rows and returns how many. Ledger rows never expire.
    pub async fn sweep(&self) -> Result<u64, StoreError> {
        self.client()
            .await?
            .execute(
                "DELETE FROM webhook_events WHERE expires_at IS NOT NULL AND expires_at <= NOW()",
                &[],
            )
            .await
            .map_err(db)
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool.get().await.map_err(|error| match error {
            // Why the connection failed (refused, TLS, authentication), not
            // only that it did.
            deadpool_postgres::PoolError::Backend(error) => db(error),
            error => StoreError::Unavailable(format!("postgres: {error}")),
        })
    }
}

/// The server's message and SQLSTATE when it sent one (`tokio_postgres`
/// displays only "db error"); never its detail, which can quote a row's key
/// (a nonce: a signature).
fn db(error: tokio_postgres::Error) -> StoreError {
    let message = match (error.as_db_error(), std::error::Error::source(&error)) {
        (Some(server), _) => format!("{} ({})", server.message(), server.code().code()),
        (None, Some(cause)) => format!("{error}: {cause}"),
        (None, None) => error.to_string(),
    };
    StoreError::Unavailable(format!("postgres: {message}"))
}

/// A claim as the `BIGINT` column holds it (the same 64 bits).
fn claim_column(claim: Claim) -> i64 {
    i64::from_ne_bytes(claim.as_u64().to_ne_bytes())
}

/// `flow_name` and `channel` of a JSON body, where present, short enough
/// and without NUL (which PostgreSQL text refuses).
fn ledger_fields(body: &[u8]) -> (Option<String>, Option<String>) {
    let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice(body) else {
        return (None, None);
    };
    let text = |names: &[&str], max: usize| {
        names
            .iter()
            .find_map(|name| fields.get(*name)?.as_str())
            .filter(|value| value.len() <= max && !value.contains('\0'))
            .map(str::to_owned)
    };
    (
        text(&["flow_name", "flowName"], 255),
        text(&["channel"], 100),
    )
}

impl ReplayStore for PostgresStore {
    fn max_ttl(&self) -> Duration {
        super::store::SERVER_STORE_MAX_TTL
    }

    fn record<'a>(&'a self, delivery: Delivery<'a>, ttl: Duration) -> StoreFuture<'a, Freshness> {
        Box::pin(within_deadline(async move {
            let client = self.client().await?;
            let event_id = delivery.nonce.key();
            let (flow_name, channel) = ledger_fields(delivery.body);
            let correlation_id = delivery.correlation_id.filter(|id| id.len() <= 255);
            let claim = claim_column(delivery.claim);
            let inserted = if self.durable {
                client
                    .execute(
                        INSERT_LEDGER,
                        &[&&*event_id, &flow_name, &channel, &correlation_id, &claim],
                    )
                    .await
            } else {
                let seconds = ttl.as_secs_f64();
                client
                    .execute(
                        INSERT_EXPIRING,
                        &[
                            &&*event_id,
                            &flow_name,
                            &channel,
                            &correlation_id,
                            &claim,
                            &seconds,
                        ],
                    )
                    .await
            }
            .map_err(db)?;
            Ok(if inserted == 1 {
                Freshness::Fresh
            } else {
                Freshness::Seen
            })
        }))
    }

    fn release<'a>(&'a self, nonce: &'a Nonce, claim: Claim) -> StoreFuture<'a, ()> {
        Box::pin(within_deadline(async move {
            let event_id = nonce.key();
            self.client()
                .await?
                .execute(
                    "DELETE FROM webhook_events WHERE event_id = $1 AND claim = $2",
                    &[&&*event_id, &claim_column(claim)],
                )
                .await
                .map_err(db)?;
            Ok(())
        }))
    }
}

/// How long a statement on the request path may take: a database that
/// accepts the connection and then never answers (a lock held elsewhere, a
/// broken network) makes the store unavailable instead of holding the
/// request. The Redis store's response timeout is the same.
const STATEMENT_DEADLINE: Duration = Duration::from_secs(2);

/// `work`, or unavailable once [`STATEMENT_DEADLINE`] has passed. A record
/// that lands after its deadline is released by its claim like any record
/// whose outcome is unknown.
async fn within_deadline<T>(
    work: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    tokio::time::timeout(STATEMENT_DEADLINE, work)
        .await
        .unwrap_or_else(|_| {
            Err(StoreError::Unavailable(format!(
                "postgres: no answer within {STATEMENT_DEADLINE:?}"
            )))
        })
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore")
            .field("durable", &self.durable)
            .finish_non_exhaustive()
    }
}
