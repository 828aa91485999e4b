//! `sign`: the headers for a body.

use std::path::PathBuf;

use clap::Args;
use cognigy_webhook::{Profile, Signer};

use crate::input::{self, instant};
use crate::output::say;
use crate::{Failure, SecretArgs};

#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// The wire profile (webhook-hex, sha256-prefixed, timestamp-newline,
    /// hex-millis, voice-gateway, basic-auth, api-key).
    #[arg(long)]
    profile: Profile,
    #[command(flatten)]
    secrets: SecretArgs,
    /// `now`, or the timestamp to sign with: RFC 3339 or Unix seconds or
    /// milliseconds (written in the profile's own format).
    #[arg(long, default_value = "now", value_parser = instant)]
    timestamp: std::time::SystemTime,
    /// The body file, or `-` for standard input.
    #[arg(long, default_value = "-")]
    body: PathBuf,
}

pub(crate) fn run(args: SignArgs) -> Result<(), Failure> {
    let secrets = input::secrets(&args.secrets)?;
    let body = input::body(&args.body)?;
    // The first secret: the one senders use once a rotation is done.
    let signer = Signer::new(
        args.profile.clone(),
        secrets[0].unpadded()?.secret_for(&args.profile)?,
    );
    for (name, value) in signer.sign(&body, args.timestamp).iter() {
        say!("{name}: {value}");
    }
    Ok(())
}
