//! TLS to the replay stores, against the TLS-enabled Redis and PostgreSQL
//! servers that `scripts/with-services` starts with a CA it makes
//! (`REDIS_TLS_URL`, `DATABASE_TLS_URL`, `TEST_CA_FILE`). The PostgreSQL role
//! in `DATABASE_TLS_URL` is refused on plain TCP, so a store that logs in as
//! it has encrypted its connection; the Redis URL's port speaks only TLS.
#![cfg(all(feature = "redis", feature = "postgres"))]

mod support;

use std::time::Duration;

use cognigy_webhook::replay::{
    Claim, Delivery, Freshness, Nonce, PostgresStore, RedisStore, ReplayStore, StoreError,
};
use support::service_url;

fn delivery(nonce: &Nonce, claim: Claim) -> Delivery<'_> {
    Delivery {
        nonce,
        claim,
        correlation_id: None,
        body: b"{}",
    }
}

/// Records a new nonce twice and releases it: the store really answers,
/// and only the claim that made a record can release it.
async fn round_trip(store: &dyn ReplayStore) {
    let nonce = Nonce::from_event_id(&format!("tls-{}", uuid::Uuid::new_v4()));
    let ttl = Duration::from_secs(60);
    let (first, second) = (Claim::new(), Claim::new());
    let record = |claim| store.record(delivery(&nonce, claim), ttl);
    assert_eq!(record(first).await, Ok(Freshness::Fresh));
    assert_eq!(record(second).await, Ok(Freshness::Seen));
    store.release(&nonce, second).await.unwrap();
    assert_eq!(record(second).await, Ok(Freshness::Seen));
    store.release(&nonce, first).await.unwrap();
    assert_eq!(record(second).await, Ok(Freshness::Fresh));
}

fn unavailable(result: Result<impl std::fmt::Debug, StoreError>) -> String {
    match result {
        Err(StoreError::Unavailable(message)) => message,
        other => panic!("expected the store to be unavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn redis_over_tls_with_the_servers_ca() {
    let (Some(url), Some(ca)) = (service_url("REDIS_TLS_URL"), service_url("TEST_CA_FILE")) else {
        return;
    };
    let store = RedisStore::connect_with_root_file(&url, &ca).await.unwrap();
    round_trip(&store).await;
}

#[tokio::test]
async fn redis_refuses_a_certificate_the_system_does_not_trust() {
    let Some(url) = service_url("REDIS_TLS_URL") else {
        return;
    };
    // The system's roots do not include the test CA: verification fails.
    unavailable(RedisStore::connect(&url).await);
    // The port speaks only TLS: plain TCP gets nowhere.
    let plain = url.replacen("rediss://", "redis://", 1);
    unavailable(RedisStore::connect(&plain).await);
}

#[tokio::test]
async fn redis_root_certificate_needs_a_tls_url() {
    let Some(ca) = service_url("TEST_CA_FILE") else {
        return;
    };
    let message = unavailable(
        RedisStore::connect_with_root_file("redis://user:hunter2@127.0.0.1:1/", &ca).await,
    );
    assert!(message.contains("rediss://"), "{message}");
    assert!(!message.contains("hunter2"), "{message}");
}

#[tokio::test]
async fn postgres_over_tls_in_each_verifying_mode() {
    let (Some(url), Some(ca)) = (service_url("DATABASE_TLS_URL"), service_url("TEST_CA_FILE"))
    else {
        return;
    };
    for mode in ["require", "verify-ca", "verify-full"] {
        let store = PostgresStore::connect(&format!("{url}?sslmode={mode}&sslrootcert={ca}"))
            .await
            .unwrap_or_else(|error| panic!("sslmode={mode}: {error}"));
        store.migrate().await.unwrap();
        round_trip(&store).await;
    }
}

#[tokio::test]
async fn postgres_refuses_what_is_not_verified_tls() {
    let Some(url) = service_url("DATABASE_TLS_URL") else {
        return;
    };
    // The role may log in only over TLS: plain TCP is refused by the server.
    unavailable(PostgresStore::connect(&url).await);
    unavailable(PostgresStore::connect(&format!("{url}?sslmode=disable")).await);
    // TLS against the system's roots: the test CA is unknown, so the
    // certificate does not verify.
    unavailable(PostgresStore::connect(&format!("{url}?sslmode=verify-full")).await);
    // Modes that could fall back to plain TCP are refused before connecting.
    for mode in ["prefer", "allow"] {
        let message = unavailable(PostgresStore::connect(&format!("{url}?sslmode={mode}")).await);
        assert!(message.contains("not supported"), "{message}");
    }
}

#[tokio::test]
async fn postgres_names_a_missing_root_file() {
    let Some(url) = service_url("DATABASE_TLS_URL") else {
        return;
    };
    let message = unavailable(
        PostgresStore::connect(&format!(
            "{url}?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem"
        ))
        .await,
    );
    assert!(message.contains("sslrootcert"), "{message}");
}
