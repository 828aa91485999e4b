//! A statistical timing test (dudect, "fixed against random") of the
//! signature comparison through the whole verification: the same delivery
//! with a signature equal to the expected one in all but its last byte,
//! against signatures drawn at random. Both run the whole MAC and are
//! refused alike; a comparison that stopped at the first different byte
//! would make the first class slower, a large t statistic.
//!
//! A second test, "fixed against fixed", separates the comparison from
//! everything else: both classes are one repeated signature, wrong in its
//! *first* byte or in its *last*. Decoding, MAC and branch history are the
//! same for both; only a comparison that stopped at the first different byte
//! would tell them apart.
//!
//! Run: `cargo bench --bench ct_compare` (it prints the t statistic; |t|
//! below about 5 means no timing difference was found).

use std::time::SystemTime;

use cognigy_webhook::{Profile, Secret, Signer, Verifier};
use dudect_bencher::ctbench::{BenchMetadata, BenchName, BenchOpts, run_benches_console};
use dudect_bencher::rand::RngExt;
use dudect_bencher::{BenchRng, Class, CtRunner};

/// The verifier, the body, the signed headers and the expected signature
/// with one byte flipped (at `index`), hex-encoded.
fn setup(index: usize) -> (Verifier, &'static [u8], Vec<(String, String)>, String) {
    let secret = Secret::new("dudect-secret").unwrap();
    let verifier = Verifier::new(Profile::hex_millis(), secret.clone());
    let body: &'static [u8] = br#"{"messageId":"m-1","text":"constant time"}"#;
    let signed = Signer::new(Profile::hex_millis(), secret).sign(body, SystemTime::now());
    let good: Vec<(String, String)> = signed
        .iter()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
    let mut flipped = hex::decode(&good[0].1).unwrap();
    flipped[index] ^= 1;
    (verifier, body, good, hex::encode(&flipped))
}

/// Measures the verification of each input, copied into the same header
/// buffer (the same work for both classes) before the clock starts.
fn measure(
    runner: &mut CtRunner,
    verifier: &Verifier,
    body: &[u8],
    mut headers: Vec<(String, String)>,
    inputs: Vec<(Class, String)>,
) {
    for (class, signature) in inputs {
        headers[0].1.clear();
        headers[0].1.push_str(&signature);
        runner.run_one(class, || {
            let _ = std::hint::black_box(verifier.verify(headers.as_slice(), body));
        });
    }
}

/// Fixed (wrong in the last byte) against random signatures.
fn signature_comparison(runner: &mut CtRunner, rng: &mut BenchRng) {
    let (verifier, body, headers, all_but_last) = setup(31);
    let inputs: Vec<(Class, String)> = (0..100_000)
        .map(|_| {
            if rng.random::<bool>() {
                (Class::Left, all_but_last.clone())
            } else {
                let mut random = [0u8; 32];
                rng.fill(&mut random);
                (Class::Right, hex::encode(random))
            }
        })
        .collect();
    measure(runner, &verifier, body, headers, inputs);
}

/// Fixed against fixed: wrong in the last byte, or in the first.
fn first_against_last_byte(runner: &mut CtRunner, rng: &mut BenchRng) {
    let (verifier, body, headers, all_but_last) = setup(31);
    let (_, _, _, all_but_first) = setup(0);
    let inputs: Vec<(Class, String)> = (0..100_000)
        .map(|_| {
            if rng.random::<bool>() {
                (Class::Left, all_but_last.clone())
            } else {
                (Class::Right, all_but_first.clone())
            }
        })
        .collect();
    measure(runner, &verifier, body, headers, inputs);
}

/// dudect's own `ctbench_main!` refuses the `--bench` flag that `cargo
/// bench` passes: the same run, without parsing arguments.
fn main() -> std::io::Result<()> {
    let benches = vec![
        BenchMetadata {
            name: BenchName("signature_comparison"),
            seed: Some(0x5eed),
            benchfn: signature_comparison,
        },
        BenchMetadata {
            name: BenchName("first_against_last_byte"),
            seed: Some(0x5eed),
            benchfn: first_against_last_byte,
        },
    ];
    run_benches_console(BenchOpts::default(), benches)
}
