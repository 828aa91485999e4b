//! `verify`: one delivery, with the reason and a hint when it is refused.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use clap::Args;
use cognigy_webhook::clock::FixedClock;
use cognigy_webhook::{Profile, Verified, Verifier};

use crate::input::{self, RawSecret, duration, header, instant};
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

/// A received delivery, as `verify` and `diagnose` take it.
#[derive(Debug, Args)]
pub(crate) struct DeliveryArgs {
    /// A received header, `Name: value` (repeat for each).
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE", value_parser = header)]
    headers: Vec<(String, String)>,
    /// The body file exactly as received, or `-` for standard input.
    #[arg(long)]
    body: PathBuf,
    /// The instant to check at: `now`, RFC 3339 or a Unix time.
    #[arg(long, default_value = "now", value_parser = instant)]
    now: SystemTime,
}

/// What a verification needs besides the profile and the secrets.
pub(crate) struct Delivery {
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    pub(crate) tolerance: Option<Duration>,
    pub(crate) now: SystemTime,
}

impl Delivery {
    /// Reads the body the arguments name.
    pub(crate) fn read(args: DeliveryArgs, tolerance: Option<Duration>) -> Result<Self, Failure> {
        Ok(Delivery {
            body: input::body(&args.body)?,
            headers: args.headers,
            tolerance,
            now: args.now,
        })
    }

    /// Verifies with `profile` and `secrets` at the delivery's "now".
    pub(crate) fn verify(
        &self,
        profile: &Profile,
        secrets: &[cognigy_webhook::Secret],
        body: &[u8],
    ) -> Result<Verified, cognigy_webhook::Error> {
        let mut builder = Verifier::builder(profile.clone())
            .secrets(secrets.iter().cloned())
            .clock(FixedClock::new(self.now));
        if let Some(tolerance) = self.tolerance {
            builder = builder.tolerance(tolerance);
        }
        let verifier = builder
            .build()
            .expect("secrets were checked to be non-empty");
        verifier.verify(&self.headers, body)
    }
}

pub(crate) fn run(args: VerifyArgs) -> Result<(), Failure> {
    let raw = input::secrets(&args.secrets)?;
    let secrets = raw
        .iter()
        .map(RawSecret::secret)
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
