//! `verify`: one delivery, with the reason and a hint when it is refused.

use std::time::Duration;

use clap::Args;
use cognigy_webhook::{Profile, Verified};

use crate::delivery::{Delivery, DeliveryArgs};
use crate::input::{self, duration};
use crate::output::say;
use crate::{Failure, SecretArgs, hints};

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The wire profile.
    #[arg(long)]
    profile: Profile,
    #[command(flatten)]
    secrets: SecretArgs,
    #[command(flatten)]
    delivery: DeliveryArgs,
    /// The tolerance, such as 30s or 5m (default: the profile's).
    #[arg(long, value_parser = duration)]
    tolerance: Option<Duration>,
}

pub(crate) fn run(args: VerifyArgs) -> Result<(), Failure> {
    let raw = input::secrets(&args.secrets)?;
    let secrets = raw
        .iter()
        .map(|raw| raw.secret_for(&args.profile))
        .collect::<Result<Vec<_>, _>>()?;
    let delivery = Delivery::read(args.delivery, args.tolerance)?;
    match delivery.verify(&args.profile, &secrets, &delivery.body) {
        Ok(verified) => {
            say!("verified: {}", describe(&verified));
            Ok(())
        }
        Err(error) => {
            say!("rejected: {} ({error})", error.reason());
            for hint in hints::for_refusal(&args.profile, &raw, &secrets, &delivery, error.kind()) {
                say!("hint: {hint}");
            }
            Err(Failure::Refused)
        }
    }
}

/// `profile=… key=… drift=…`.
pub(crate) fn describe(verified: &Verified) -> String {
    let drift = match verified.drift_ms() {
        Some(ms) => format!("{ms:+} ms (positive: sent in the past)"),
        None => "none (the profile has no timestamp)".to_owned(),
    };
    format!(
        "profile={} key={} drift={drift}",
        verified.profile(),
        verified.key_index()
    )
}
