//! A received delivery as `verify` and `diagnose` take it, and verifying it
//! at the instant it names.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use clap::Args;
use cognigy_webhook::clock::FixedClock;
use cognigy_webhook::{Profile, Verified, Verifier};

use crate::Failure;
use crate::input::{self, instant};

/// A received delivery, as `verify` and `diagnose` take it.
#[derive(Debug, Args)]
pub(crate) struct DeliveryArgs {
    /// A received header, `Name: value` (repeat for each).
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    headers: Vec<String>,
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
            headers: input::headers(&args.headers)?,
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
        // The secrets were checked to be non-empty; a build error would be
        // a refusal all the same.
        let verifier = builder
            .build()
            .map_err(|_| cognigy_webhook::ErrorKind::SignatureMismatch)?;
        verifier.verify(&self.headers, body)
    }
}
