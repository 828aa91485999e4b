//! `diagnose`: every profile against every secret.

use std::time::Duration;

use clap::Args;
use cognigy_webhook::clock::FixedClock;
use cognigy_webhook::{Profile, Verifier};

use crate::delivery::{Delivery, DeliveryArgs};
use crate::input::{self, unix_ms};
use crate::output::say;
use crate::{Failure, SecretArgs};

#[derive(Debug, Args)]
pub(crate) struct DiagnoseArgs {
    #[command(flatten)]
    secrets: SecretArgs,
    #[command(flatten)]
    delivery: DeliveryArgs,
}

/// Wide enough for any clock: used to read the drift of a timestamp that
/// is out of the profile's window.
const ANY_DRIFT: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

pub(crate) fn run(args: DiagnoseArgs) -> Result<(), Failure> {
    let raw = input::secrets(&args.secrets)?;
    let delivery = Delivery::read(args.delivery, None)?;
    say!("now: {} ms since the Unix epoch", unix_ms(delivery.now));
    let mut matches = 0;
    for profile in Profile::presets() {
        for (index, secret) in raw.iter().enumerate() {
            let secrets = [secret.secret()?];
            // A secret that cannot be Basic Auth's says so, not "mismatch".
            if secret.secret_for(&profile).is_err() {
                say!(
                    "{:<18} secret #{index}: no     not user:password ({})",
                    profile.name(),
                    secret.source
                );
                continue;
            }
            let line = match delivery.verify(&profile, &secrets, &delivery.body) {
                Ok(verified) => {
                    matches += 1;
                    let drift = verified
                        .drift_ms()
                        .map_or("none".to_owned(), |ms| format!("{ms:+} ms"));
                    format!("MATCH  drift={drift}")
                }
                Err(error) => {
                    let mut line = format!("no     {} ({})", error.reason(), secret.source);
                    if let Some(drift) = drift(&profile, &secrets, &delivery) {
                        let (amount, side) = (
                            drift.unsigned_abs(),
                            if drift >= 0 { "behind" } else { "ahead of" },
                        );
                        line.push_str(&format!(
                            "; the signature matches, but the timestamp is {amount} ms {side} this clock"
                        ));
                    }
                    line
                }
            };
            say!("{:<18} secret #{index}: {line}", profile.name());
        }
    }
    if matches == 0 {
        say!("no profile and secret match");
        return Err(Failure::Refused);
    }
    Ok(())
}

/// The drift of a delivery whose signature verifies but whose timestamp is
/// out of the profile's window.
fn drift(
    profile: &Profile,
    secrets: &[cognigy_webhook::Secret],
    delivery: &Delivery,
) -> Option<i64> {
    profile.timestamp_header()?;
    let verifier = Verifier::builder(profile.clone())
        .secrets(secrets.iter().cloned())
        .tolerance(ANY_DRIFT)
        .clock(FixedClock::new(delivery.now))
        .build()
        .ok()?;
    verifier
        .verify(&delivery.headers, &delivery.body)
        .ok()?
        .drift_ms()
}
