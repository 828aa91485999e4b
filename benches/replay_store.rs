//! Replay store costs: the memory store's operations per second on one and
//! on two threads, and the loopback latency of one Redis and one PostgreSQL
//! record (when `REDIS_URL` / `DATABASE_URL` are set, e.g. through
//! `scripts/with-services cargo bench --features memory,redis,postgres --bench replay_store`).

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cognigy_webhook::replay::{Claim, Delivery, Freshness, MemoryStore, Nonce, ReplayStore};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const CLAIM: Claim = Claim::from_u64(1);
const TTL: Duration = Duration::from_secs(600);

fn nonces(count: u64, salt: &str) -> Vec<Nonce> {
    (0..count)
        .map(|i| Nonce::from_event_id(&format!("{salt}-{i}")))
        .collect()
}

fn memory(c: &mut Criterion) {
    let mut group = c.benchmark_group("memory_store");
    group.throughput(Throughput::Elements(1));
    group.bench_function("record/1_thread", |b| {
        b.iter_custom(|iters| {
            let store = MemoryStore::new(iters as usize * 2 + 1024);
            let nonces = nonces(iters, "one");
            let start = Instant::now();
            for nonce in &nonces {
                assert_eq!(
                    store.check(black_box(nonce), CLAIM, TTL),
                    Ok(Freshness::Fresh)
                );
            }
            start.elapsed()
        })
    });
    group.bench_function("record/2_threads", |b| {
        b.iter_custom(|iters| {
            let store = Arc::new(MemoryStore::new(iters as usize * 2 + 1024));
            let halves = [nonces(iters / 2, "a"), nonces(iters - iters / 2, "b")];
            let start = Instant::now();
            std::thread::scope(|scope| {
                for half in &halves {
                    let store = Arc::clone(&store);
                    scope.spawn(move || {
                        for nonce in half {
                            assert_eq!(
                                store.check(black_box(nonce), CLAIM, TTL),
                                Ok(Freshness::Fresh)
                            );
                        }
                    });
                }
            });
            start.elapsed()
        })
    });
    group.bench_function("duplicate/1_thread", |b| {
        let store = MemoryStore::new(1024);
        let nonce = Nonce::from_event_id("dup");
        store.check(&nonce, CLAIM, TTL).unwrap();
        b.iter(|| {
            assert_eq!(
                store.check(black_box(&nonce), CLAIM, TTL),
                Ok(Freshness::Seen)
            )
        })
    });
    group.finish();
}

fn remote(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    #[allow(unused_mut)] // Only the redis and postgres features push into it.
    let mut stores: Vec<(&str, Box<dyn ReplayStore>)> = Vec::new();
    #[cfg(feature = "redis")]
    if let Ok(url) = std::env::var("REDIS_URL") {
        let store = runtime
            .block_on(cognigy_webhook::replay::RedisStore::connect(&url))
            .unwrap();
        stores.push(("redis", Box::new(store.with_prefix("bench:"))));
    }
    #[cfg(feature = "postgres")]
    if let Ok(url) = std::env::var("DATABASE_URL") {
        let store = runtime
            .block_on(cognigy_webhook::replay::PostgresStore::connect(&url))
            .unwrap();
        runtime.block_on(store.migrate()).unwrap();
        stores.push(("postgres", Box::new(store)));
    }
    if stores.is_empty() {
        eprintln!("replay_store: REDIS_URL / DATABASE_URL not set, remote stores not measured");
        return;
    }
    let mut group = c.benchmark_group("remote_store");
    for (name, store) in &stores {
        group.bench_function(format!("record/{name}"), |b| {
            b.iter_custom(|iters| {
                let nonces = nonces(iters, &format!("{name}-{}", uuid_like()));
                runtime.block_on(async {
                    let start = Instant::now();
                    for nonce in &nonces {
                        let delivery = Delivery {
                            nonce,
                            claim: Claim::new(),
                            correlation_id: None,
                            body: b"{}",
                        };
                        assert_eq!(store.record(delivery, TTL).await, Ok(Freshness::Fresh));
                    }
                    start.elapsed()
                })
            })
        });
    }
    group.finish();
}

/// A salt unique to this run, so re-runs against the same server stay fresh.
fn uuid_like() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos()
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    targets = memory, remote
}
criterion_main!(benches);
