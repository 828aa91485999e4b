//! Our whole verification (header look-up, timestamp parse and window check,
//! signature decode, MAC, constant-time compare) against the bare MAC
//! (`new_from_slice` + `update` + `verify_slice`) in the same run, for every
//! HMAC profile and body size; and the cost of each kind of rejection.
//!
//! The bare MAC covers the bytes the profile signs, fed as the reference
//! documents feed them: the body (`bare_mac`), or for `timestamp-newline`
//! the timestamp, `\n` and the body (`bare_mac_timestamp-newline`, 11 more
//! bytes, about 3% more MAC work at 1 KiB).
//!
//! Run: `cargo bench --bench verify`, then `python3 benches/ratios.py` for
//! the ratios to the bare MAC.

use std::hint::black_box;
use std::time::Duration;

use cognigy_webhook::profile::SignedContent;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

#[path = "shared/fixtures.rs"]
mod fixtures;
use fixtures::{SECRET, hmac_profiles, now, signed_pairs, signed_pairs_at, verifier};
#[path = "shared/bare_mac.rs"]
mod bare;
use bare::{bare_mac, signed_pieces, tag};

const SIZES: [(usize, &str); 4] = [
    (256, "256B"),
    (1024, "1KiB"),
    (16 * 1024, "16KiB"),
    (1 << 20, "1MiB"),
];

fn acceptance(c: &mut Criterion) {
    for (size, label) in SIZES {
        let body = vec![b'a'; size];
        let mut group = c.benchmark_group(format!("verify/{label}"));
        group.throughput(Throughput::Bytes(size as u64));
        if size >= 1 << 20 {
            group.sample_size(20);
        }
        let body_tag = tag(SECRET, &[&body]);
        group.bench_function("bare_mac", |b| {
            b.iter(|| assert!(bare_mac(SECRET, black_box(&[&body]), black_box(&body_tag))))
        });
        for profile in hmac_profiles() {
            if let Some(SignedContent::TimestampThenBody(_)) = profile.signed_content() {
                let pairs = signed_pairs(&profile, &body);
                let pieces = signed_pieces(&profile, &pairs, &body);
                let tag = tag(SECRET, &pieces);
                group.bench_function(format!("bare_mac_{}", profile.name()), |b| {
                    b.iter(|| assert!(bare_mac(SECRET, black_box(&pieces), black_box(&tag))))
                });
            }
        }
        for profile in hmac_profiles() {
            let verifier = verifier(&profile);
            let pairs = signed_pairs(&profile, &body);
            group.bench_with_input(
                BenchmarkId::from_parameter(profile.name()),
                &pairs,
                |b, pairs| {
                    b.iter(|| {
                        assert!(
                            verifier
                                .verify(black_box(pairs.as_slice()), black_box(&body))
                                .is_ok()
                        )
                    })
                },
            );
        }
        group.finish();
    }
}

fn rejection(c: &mut Criterion) {
    let body = vec![b'a'; 1024];
    for profile in hmac_profiles() {
        let verifier = verifier(&profile);
        let good = signed_pairs(&profile, &body);
        let mut mismatch = good.clone();
        let flipped = if mismatch[0].1.ends_with('0') {
            '1'
        } else {
            '0'
        };
        mismatch[0].1.pop();
        mismatch[0].1.push(flipped);
        let stale = signed_pairs_at(&profile, &body, now() - Duration::from_secs(3600));
        let mut malformed = good.clone();
        malformed[0].1 = "not-a-signature".into();

        let mut group = c.benchmark_group(format!("reject/1KiB/{}", profile.name()));
        for (case, pairs, accepted) in [
            ("accepted", &good, true),
            ("bad_signature", &mismatch, false),
            ("stale_timestamp", &stale, false),
            ("malformed_header", &malformed, false),
        ] {
            group.bench_function(case, |b| {
                b.iter(|| {
                    let result = verifier.verify(black_box(pairs.as_slice()), black_box(&body));
                    assert_eq!(result.is_ok(), accepted);
                })
            });
        }
        group.finish();
    }
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(700))
        .measurement_time(Duration::from_secs(2))
}

criterion_group! {
    name = benches;
    config = config();
    targets = acceptance, rejection
}
criterion_main!(benches);
