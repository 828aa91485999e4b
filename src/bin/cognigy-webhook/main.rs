//! `cognigy-webhook`: sign, verify, send and diagnose NICE Cognigy webhook
//! deliveries from the command line (feature `cli`).
//!
//! Secrets come only from environment variables (`--secret-env VAR`) or
//! files (`--secret-file PATH`), never from the command line, which any local
//! user can read in `ps`. Exit codes: 0 success, 1 a refused delivery (or a
//! failed send), 2 a usage error.

mod delivery;
mod diagnose;
#[cfg(feature = "gateway")]
mod gateway;
mod hints;
mod input;
mod output;
mod redact;
mod send;
mod sign;
mod snippet;
mod verify;

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// Sign, verify, send and diagnose NICE Cognigy webhook deliveries.
#[derive(Debug, Parser)]
#[command(name = "cognigy-webhook", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the headers that sign a body, one `Name: value` line each.
    #[command(
        after_help = "Example:\n  COGNIGY_WEBHOOK_SECRET=s3cret cognigy-webhook sign --profile webhook-hex --secret-env COGNIGY_WEBHOOK_SECRET --body payload.json"
    )]
    Sign(sign::SignArgs),
    /// Verify a delivery: its headers and its exact body.
    #[command(
        after_help = "Example:\n  cognigy-webhook verify --profile hex-millis --secret-env COGNIGY_WEBHOOK_SECRET \\\n    --header 'X-Cognigy-Signature: 5d41…' --header 'X-Cognigy-Timestamp: 1700000000000' --body payload.json\n\nExit codes: 0 verified, 1 refused (with the reason code and a hint), 2 usage error."
    )]
    Verify(verify::VerifyArgs),
    /// Sign a body and POST it to a URL; with --count, a small load test.
    #[command(
        after_help = "Example:\n  cognigy-webhook send --url http://127.0.0.1:8080/webhooks/cognigy --profile webhook-hex \\\n    --secret-env COGNIGY_WEBHOOK_SECRET --body payload.json --count 1000 --concurrency 16\n\nExit codes: 0 every answer was 2xx, 1 otherwise, 2 usage error."
    )]
    Send(send::SendArgs),
    /// Print code that makes a sender (Node.js, a Cognigy Endpoint
    /// Transformer or a Code Node) sign deliveries for a profile.
    #[command(
        after_help = "Example:\n  cognigy-webhook snippet --profile hex-millis --target module > sign-cognigy.js\n\nTargets: module (CommonJS for Node.js, exports signHeaders(body, secret, nowMs?)),\ntransformer (TypeScript for a Cognigy Endpoint Transformer),\ncode-node (JavaScript for a Cognigy Code Node; an HTTP Request Node sends).\nExit codes: 0 printed, 2 usage error (including a profile without an HMAC)."
    )]
    Snippet(snippet::SnippetArgs),
    /// Try every profile and every secret on a delivery and report which match.
    #[command(
        after_help = "Example:\n  cognigy-webhook diagnose --secret-env OLD_SECRET --secret-env NEW_SECRET \\\n    --header 'X-Cognigy-Signature: sha256=5d41…' --header 'X-Cognigy-Timestamp: 1700000000000' --body payload.json\n\nExit codes: 0 some profile and secret match, 1 none does, 2 usage error."
    )]
    Diagnose(diagnose::DiagnoseArgs),
    /// Verify deliveries at the edge, then forward the exact bytes to an
    /// upstream or enqueue them in a Redis stream (feature `gateway`).
    #[cfg(feature = "gateway")]
    #[command(
        after_help = "Example:\n  GW_SECRET=s3cret cognigy-webhook gateway --listen 127.0.0.1:8080 --profile hex-millis \\\n    --secret-env GW_SECRET --upstream http://127.0.0.1:3000\n\nEvery flag is also an environment variable (COGNIGY_GATEWAY_<FLAG>); flags win.\nSIGHUP reloads the secrets; SIGTERM drains in-flight deliveries and stops."
    )]
    Gateway(gateway::GatewayArgs),
}

/// Where secrets come from: never the command line itself.
#[derive(Debug, Args)]
struct SecretArgs {
    /// Read secrets from this environment variable: one, or several
    /// separated by commas (rotation), as the receivers read
    /// COGNIGY_WEBHOOK_SECRET; repeat the option for more. sign and send use
    /// the first. For basic-auth a secret is `user:password`; one that holds
    /// a comma goes in a --secret-file.
    #[arg(long = "secret-env", value_name = "VAR")]
    env: Vec<String>,
    /// Read a secret from this file (one trailing newline is dropped).
    #[arg(long = "secret-file", value_name = "PATH")]
    file: Vec<std::path::PathBuf>,
}

/// A failure, with the exit code it ends the program with.
#[derive(Debug)]
enum Failure {
    /// Bad arguments or input: exit 2.
    Usage(String),
    /// The delivery was refused or the send failed: exit 1 (the details
    /// were printed already).
    Refused,
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(error: E) -> Self {
        Failure::Usage(error.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Sign(args) => sign::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Send(args) => send::run(args),
        Command::Diagnose(args) => diagnose::run(args),
        Command::Snippet(args) => snippet::run(args),
        #[cfg(feature = "gateway")]
        Command::Gateway(args) => gateway::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Refused) => ExitCode::from(1),
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
