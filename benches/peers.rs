//! Our verification against its floor and its peers, in one run, on 64 B,
//! 1 KiB, 16 KiB, 64 KiB and 1 MiB bodies:
//!
//! - `bare_mac`: `Hmac::<Sha256>::new_from_slice` + `update` +
//!   `verify_slice` (the floor for this algorithm in Rust);
//! - `ours_<profile>`: our whole verification for each HMAC profile
//!   (header look-up, timestamp parse and window, decode, MAC, compare);
//! - `standardwebhooks`: the `standardwebhooks` crate's `Webhook::verify`
//!   (Standard Webhooks scheme: HMAC over `id.timestamp.body`, base64);
//! - `webhook_verify_github`: the `webhook-verify` crate's `verify` with
//!   its GitHub provider (`sha256=` + hex over the raw body, the closest of
//!   its schemes to ours).
//!
//! Then the cost of each rejection at 1 KiB against an acceptance.
//!
//! Run: `cargo bench --bench peers`, then `python3 benches/report.py` for
//! the ratios and the plot.

use std::hint::black_box;
use std::time::Duration;

use cognigy_webhook::profile::ProfileKind;
use cognigy_webhook::{Profile, Secret, Signer};
#[path = "shared/fixtures.rs"]
mod fixtures;
#[path = "shared/standardwebhooks_case.rs"]
mod standardwebhooks_case;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use fixtures::{SECRET, now, signed_pairs, verifier};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use standardwebhooks_case::{json_body as body, standardwebhooks_case};

const SIZES: [(usize, &str); 5] = [
    (64, "64B"),
    (1024, "1KiB"),
    (16 * 1024, "16KiB"),
    (64 * 1024, "64KiB"),
    (1 << 20, "1MiB"),
];

fn webhook_verify_case(body: &[u8]) -> Vec<(String, String)> {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(body);
    let signature = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    vec![("X-Hub-Signature-256".to_owned(), signature)]
}

fn throughput(c: &mut Criterion) {
    let profiles: Vec<Profile> = Profile::presets()
        .into_iter()
        .filter(|p| p.kind() == ProfileKind::HmacSha256)
        .collect();
    for (size, label) in SIZES {
        let body = body(size);
        let mut group = c.benchmark_group(format!("peers_{label}"));
        group.throughput(Throughput::Bytes(size as u64));
        group.warm_up_time(Duration::from_millis(500));
        group.measurement_time(Duration::from_secs(2));

        let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(&body);
        let tag = mac.finalize().into_bytes();
        group.bench_function("bare_mac", |b| {
            b.iter(|| {
                let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
                mac.update(black_box(&body));
                mac.verify_slice(&tag).unwrap();
            })
        });
        for profile in &profiles {
            let verifier = verifier(profile);
            let headers = signed_pairs(profile, &body);
            group.bench_function(BenchmarkId::new("ours", profile.name()), |b| {
                b.iter(|| {
                    verifier
                        .verify(black_box(&headers), black_box(&body))
                        .unwrap()
                })
            });
        }
        let (webhook, headers) = standardwebhooks_case(SECRET, &body);
        group.bench_function("standardwebhooks", |b| {
            b.iter(|| webhook.verify(black_box(&body), &headers).unwrap())
        });
        let headers = webhook_verify_case(&body);
        let secret = webhook_verify::Secret::new(SECRET);
        group.bench_function("webhook_verify_github", |b| {
            b.iter(|| {
                webhook_verify::verify(
                    webhook_verify::Provider::GitHub,
                    &headers,
                    black_box(&body),
                    &secret,
                    webhook_verify::VerifyOptions::default(),
                )
                .unwrap()
            })
        });
        group.finish();
    }
}

fn rejections(c: &mut Criterion) {
    let body = body(1024);
    for profile in Profile::presets()
        .into_iter()
        .filter(|p| p.kind() == ProfileKind::HmacSha256)
    {
        let verifier = verifier(&profile);
        let good = signed_pairs(&profile, &body);
        let signature_header = profile.credential_header().to_owned();
        // For a structured header (voice-gateway) this is the signature header.
        let timestamp_header = profile.timestamp_header().unwrap().to_owned();
        let replace = |name: &str, value: String| -> Vec<(String, String)> {
            good.iter()
                .map(|(n, v)| {
                    if n == name {
                        (n.clone(), value.clone())
                    } else {
                        (n.clone(), v.clone())
                    }
                })
                .collect()
        };
        let flipped = {
            let value = &good.iter().find(|(n, _)| *n == signature_header).unwrap().1;
            let last = value.chars().last().unwrap();
            let mut value = value[..value.len() - 1].to_owned();
            value.push(if last == '0' { '1' } else { '0' });
            value
        };
        let stale = Signer::new(profile.clone(), Secret::new(SECRET).unwrap())
            .sign(&body, now() - Duration::from_secs(24 * 3600))
            .iter()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect::<Vec<_>>();
        let cases = [
            ("accepted", good.clone(), true),
            ("bad_signature", replace(&signature_header, flipped), false),
            ("stale_timestamp", stale, false),
            (
                "malformed_header",
                replace(&timestamp_header, "yesterday".into()),
                false,
            ),
        ];
        let mut group = c.benchmark_group(format!("rejections_1KiB_{}", profile.name()));
        group.warm_up_time(Duration::from_millis(500));
        group.measurement_time(Duration::from_secs(2));
        for (name, headers, ok) in cases {
            group.bench_function(name, |b| {
                b.iter(|| {
                    assert_eq!(
                        verifier
                            .verify(black_box(&headers), black_box(&body))
                            .is_ok(),
                        ok
                    )
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, throughput, rejections);
criterion_main!(benches);
