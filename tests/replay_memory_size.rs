//! Measures what the memory store costs per live nonce with a counting
//! allocator: a million live nonces must fit in 128 MiB. (Its own test
//! binary, so no other test allocates while it measures.)
#![cfg(feature = "memory")]

use std::time::Duration;

use cognigy_webhook::replay::{Claim, Freshness, MemoryStore, Nonce};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

const NONCES: usize = 1_000_000;

#[test]
fn a_million_live_nonces_fit_in_128_mib() {
    let store = MemoryStore::new(NONCES);
    let region = Region::new(GLOBAL);
    for i in 0..NONCES {
        // The nonce itself is allocated and freed here: it nets out.
        let nonce = Nonce::from_event_id(&i.to_string());
        assert_eq!(
            store.check(&nonce, Claim::new(), Duration::from_secs(600)),
            Ok(Freshness::Fresh)
        );
    }
    let change = region.change();
    let net = change.bytes_allocated + change.bytes_reallocated.max(0) as usize
        - change.bytes_deallocated;
    let per_nonce = net as f64 / NONCES as f64;
    println!(
        "memory store: {NONCES} live nonces hold {:.1} MiB, {per_nonce:.1} bytes per nonce",
        net as f64 / (1024.0 * 1024.0)
    );
    assert_eq!(store.len(), NONCES);
    assert!(net <= 128 * 1024 * 1024, "{net} bytes");
}
