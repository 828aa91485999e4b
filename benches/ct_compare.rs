//! A statistical timing test (dudect, "fixed against random") of the
//! signature comparison through the whole verification: the same delivery
//! with a signature equal to the expected one in all but its last byte,
//! against signatures drawn at random. Both run the whole MAC and are
//! refused alike; a comparison that stopped at the first different byte
//! would make the first class slower, a large t statistic.
//!
//! Run: `cargo bench --bench ct_compare` (it prints the t statistic; |t|
//! below about 5 means no timing difference was found).

use std::time::SystemTime;

use cognigy_webhook::{Profile, Secret, Signer, Verifier};
use dudect_bencher::ctbench::{BenchMetadata, BenchName, BenchOpts, run_benches_console};
use dudect_bencher::rand::RngExt;
use dudect_bencher::{BenchRng, Class, CtRunner};

fn signature_comparison(runner: &mut CtRunner, rng: &mut BenchRng) {
    let secret = Secret::new("dudect-secret").unwrap();
    let verifier = Verifier::new(Profile::hex_millis(), secret.clone());
    let body = br#"{"messageId":"m-1","text":"constant time"}"#;
    let signed = Signer::new(Profile::hex_millis(), secret).sign(body, SystemTime::now());
    let good: Vec<(String, String)> = signed
        .iter()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
    let expected = hex::decode(&good[0].1).unwrap();
    let mut all_but_last = expected.clone();
    all_but_last[31] ^= 1;
    let all_but_last = hex::encode(&all_but_last);

    // Inputs are made first; then every measurement copies its input into
    // the same buffer (the same work for both classes) before the clock
    // starts.
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
    let mut headers = good.clone();
    for (class, signature) in inputs {
        headers[0].1.clear();
        headers[0].1.push_str(&signature);
        runner.run_one(class, || {
            let _ = std::hint::black_box(verifier.verify(headers.as_slice(), body));
        });
    }
}

/// dudect's own `ctbench_main!` refuses the `--bench` flag that `cargo
/// bench` passes: the same run, without parsing arguments.
fn main() -> std::io::Result<()> {
    let bench = BenchMetadata {
        name: BenchName("signature_comparison"),
        seed: Some(0x5eed),
        benchfn: signature_comparison,
    };
    run_benches_console(BenchOpts::default(), vec![bench])
}
