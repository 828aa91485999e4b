//! Ratios to the bare MAC that survive a noisy machine: our whole
//! verification and the bare MAC (`new_from_slice` + `update` +
//! `verify_slice` over the bytes the profile signs, see
//! `shared/bare_mac.rs`) run in alternating small batches, 101 rounds, and the
//! median of the per-round ratios is reported (with the quartiles), per HMAC
//! profile and body size; then each rejection against the acceptance; then
//! the `standardwebhooks` crate against ours.
//! Sequential measurements (criterion's) drift with the machine's speed; the
//! alternation cancels that drift.
//!
//! Run: `cargo bench --bench verify_ab`

use std::hint::black_box;
use std::time::Duration;

#[path = "shared/fixtures.rs"]
mod fixtures;
use fixtures::{SECRET, hmac_profiles, now, signed_pairs, signed_pairs_at, verifier};
#[path = "shared/bare_mac.rs"]
mod bare;
use bare::{bare_mac, signed_pieces, tag};
#[path = "shared/interleaved.rs"]
mod interleaved;
#[path = "shared/standardwebhooks_case.rs"]
mod standardwebhooks_case;
use interleaved::ratio;
use standardwebhooks_case::{json_body, standardwebhooks_case};

fn main() {
    let profiles = hmac_profiles();
    let sign = signed_pairs;
    println!("| body | profile | verify / bare MAC (median) | quartiles |");
    println!("|---|---|---|---|");
    for (size, label) in [
        (256, "256 B"),
        (1024, "1 KiB"),
        (16 * 1024, "16 KiB"),
        (1 << 20, "1 MiB"),
    ] {
        let body = vec![b'a'; size];
        let batch = (400_000 / size).clamp(2, 1000);
        for profile in &profiles {
            let verifier = verifier(profile);
            let pairs = sign(profile, &body);
            let pieces = signed_pieces(profile, &pairs, &body);
            let tag = tag(SECRET, &pieces);
            let (median, q1, q3) = ratio(
                || assert!(bare_mac(SECRET, black_box(&pieces), black_box(&tag))),
                || {
                    assert!(
                        verifier
                            .verify(black_box(pairs.as_slice()), black_box(&body))
                            .is_ok()
                    )
                },
                batch,
            );
            println!(
                "| {label} | {} | {median:.3} | {q1:.3}–{q3:.3} |",
                profile.name()
            );
        }
    }

    println!();
    println!("| profile | rejection / acceptance at 1 KiB (median) | quartiles |");
    println!("|---|---|---|");
    let body = vec![b'a'; 1024];
    for profile in &profiles {
        let verifier = verifier(profile);
        let good = sign(profile, &body);
        let mut mismatch = good.clone();
        let last = mismatch[0].1.pop().unwrap();
        mismatch[0].1.push(if last == '0' { '1' } else { '0' });
        let stale = signed_pairs_at(profile, &body, now() - Duration::from_secs(3600));
        let mut malformed = good.clone();
        malformed[0].1 = "not-a-signature".into();
        for (case, pairs) in [
            ("bad signature", &mismatch),
            ("stale timestamp", &stale),
            ("malformed header", &malformed),
        ] {
            let (median, q1, q3) = ratio(
                || {
                    assert!(
                        verifier
                            .verify(black_box(good.as_slice()), black_box(&body))
                            .is_ok()
                    )
                },
                || {
                    assert!(
                        verifier
                            .verify(black_box(pairs.as_slice()), black_box(&body))
                            .is_err()
                    )
                },
                500,
            );
            println!(
                "| {} {case} | {median:.3} | {q1:.3}–{q3:.3} |",
                profile.name()
            );
        }
    }

    println!();
    println!("| body | standardwebhooks / ours (webhook-hex), median | quartiles |");
    println!("|---|---|---|");
    let profile = cognigy_webhook::Profile::webhook_hex();
    let verifier = verifier(&profile);
    for (size, label) in [(64, "64 B"), (1024, "1 KiB"), (16 * 1024, "16 KiB")] {
        let body = json_body(size);
        let pairs = sign(&profile, &body);
        let (webhook, headers) = standardwebhooks_case(SECRET, &body);
        let (median, q1, q3) = ratio(
            || {
                assert!(
                    verifier
                        .verify(black_box(pairs.as_slice()), black_box(&body))
                        .is_ok()
                )
            },
            || assert!(webhook.verify(black_box(&body), &headers).is_ok()),
            (400_000 / size).clamp(2, 1000),
        );
        println!("| {label} | {median:.2} | {q1:.2}–{q3:.2} |");
    }
}
