//! `send`: sign and POST, once or as a small load test.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use cognigy_webhook::{Profile, Signer};
use reqwest::header::{
    CONNECTION, CONTENT_LENGTH, HOST, HeaderMap, HeaderName, HeaderValue, TRANSFER_ENCODING,
};

use crate::input;
use crate::output::say;
use crate::redact::shown;
use crate::{Failure, SecretArgs};

#[derive(Args)]
pub(crate) struct SendArgs {
    /// Where to POST.
    #[arg(long)]
    url: String,
    /// The wire profile.
    #[arg(long)]
    profile: Profile,
    #[command(flatten)]
    secrets: SecretArgs,
    /// The body file, or `-` for standard input.
    #[arg(long)]
    body: PathBuf,
    /// An extra header, `Name: value` (repeat for each).
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// Send this many deliveries (each signed afresh) and print a latency
    /// summary instead of the answer.
    #[arg(long)]
    count: Option<u64>,
    /// How many deliveries are in flight at once, with --count.
    #[arg(long, default_value_t = 1, requires = "count")]
    concurrency: u64,
    /// Give up on a request after this long, such as 10s.
    #[arg(long, default_value = "30s", value_parser = input::duration)]
    timeout: Duration,
}

/// Shows no URL credential, query or header value.
impl std::fmt::Debug for SendArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let header_names: Vec<&str> = self
            .headers
            .iter()
            .map(|header| header.split_once(':').map_or("", |(name, _)| name.trim()))
            .collect();
        f.debug_struct("SendArgs")
            .field("url", &shown(&self.url))
            .field("profile", &self.profile.name())
            .field("secrets", &self.secrets)
            .field("body", &self.body)
            .field("header_names", &header_names)
            .field("count", &self.count)
            .field("concurrency", &self.concurrency)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// What is needed to send one delivery.
struct Sender {
    client: reqwest::Client,
    url: reqwest::Url,
    signer: Signer,
    body: Vec<u8>,
    /// The `-H` headers, each replacing one `send` sets of the same name.
    headers: HeaderMap,
}

impl Sender {
    /// Signs the body now and POSTs it: the status and body, or the error.
    async fn send(&self) -> Result<(u16, Vec<u8>), String> {
        // Each set replaces headers of the same name set before it: the
        // signature replaces what the URL's user information made, `-H`
        // replaces both.
        let signed = headers(self.signer.sign_now(&self.body).iter())
            .ok_or("the secret makes no valid header value")?;
        let request = self
            .client
            .post(self.url.clone())
            .header("content-type", "application/json")
            .headers(signed)
            .headers(self.headers.clone())
            .body(self.body.clone());
        let response = request.send().await.map_err(|error| kind_of(&error))?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(|error| kind_of(&error))?;
        Ok((status, body.to_vec()))
    }
}

/// `(name, value)` pairs as a header map (several of one name all kept);
/// `None` when one is not a valid header.
fn headers<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Option<HeaderMap> {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        let name = HeaderName::from_bytes(name.as_bytes()).ok()?;
        map.append(name, HeaderValue::from_str(value).ok()?);
    }
    Some(map)
}

/// A short name for a transport error, for the summary.
fn kind_of(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timeout".into()
    } else if error.is_connect() {
        "connection failed".into()
    } else {
        "transport error".into()
    }
}

pub(crate) fn run(args: SendArgs) -> Result<(), Failure> {
    let secrets = input::secrets(&args.secrets)?;
    // Parsed here, not by the argument parser, whose error would repeat
    // the URL with its credentials and query.
    let url = reqwest::Url::parse(&args.url)
        .map_err(|error| Failure::Usage(format!("--url is not a usable URL: {error}")))?;
    let extra = input::headers(&args.headers)?;
    let headers = headers(
        extra
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str())),
    )
    .ok_or_else(|| Failure::Usage("a -H value is not a valid header".into()))?;
    if [CONTENT_LENGTH, TRANSFER_ENCODING, HOST, CONNECTION]
        .iter()
        .any(|name| headers.contains_key(name))
    {
        return Err(Failure::Usage(
            "-H cannot set Content-Length, Transfer-Encoding, Host or Connection: send sets them for the exact body".into(),
        ));
    }
    if args.concurrency == 0 || args.count == Some(0) {
        return Err(Failure::Usage(
            "--count and --concurrency must be at least 1".into(),
        ));
    }
    // No redirects: signature and credential headers go only where asked.
    let client = reqwest::Client::builder()
        .timeout(args.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|error| Failure::Usage(format!("HTTP client: {error}")))?;
    let sender = Arc::new(Sender {
        client,
        url,
        signer: Signer::new(
            args.profile.clone(),
            secrets[0].unpadded()?.secret_for(&args.profile)?,
        ),
        body: input::body(&args.body)?,
        headers,
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| Failure::Usage(format!("runtime: {error}")))?;
    match args.count {
        None => runtime.block_on(send_once(&sender)),
        Some(count) => runtime.block_on(load(sender, count, args.concurrency)),
    }
}

async fn send_once(sender: &Sender) -> Result<(), Failure> {
    match sender.send().await {
        Ok((status, body)) => {
            say!("HTTP {status}");
            say!("{}", String::from_utf8_lossy(&body));
            if (200..300).contains(&status) {
                Ok(())
            } else {
                Err(Failure::Refused)
            }
        }
        Err(error) => {
            eprintln!("error: {error} sending to {}", shown(sender.url.as_str()));
            Err(Failure::Refused)
        }
    }
}

/// Sends `count` deliveries, `concurrency` at a time, and prints a summary.
async fn load(sender: Arc<Sender>, count: u64, concurrency: u64) -> Result<(), Failure> {
    let progress = indicatif::ProgressBar::new(count);
    let next = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency.min(count))
        .map(|_| {
            let (sender, next, progress) = (sender.clone(), next.clone(), progress.clone());
            tokio::spawn(async move {
                let mut results = Vec::new();
                while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < count {
                    let sent = Instant::now();
                    let outcome = sender.send().await.map(|(status, _)| status);
                    results.push((sent.elapsed(), outcome));
                    progress.inc(1);
                }
                results
            })
        })
        .collect();
    let mut results = Vec::new();
    for worker in workers {
        results.extend(
            worker
                .await
                .map_err(|error| Failure::Usage(error.to_string()))?,
        );
    }
    progress.finish_and_clear();
    let elapsed = started.elapsed();
    let mut latencies: Vec<Duration> = results.iter().map(|(latency, _)| *latency).collect();
    latencies.sort();
    let mut outcomes: BTreeMap<String, u64> = BTreeMap::new();
    for (_, outcome) in &results {
        let key = match outcome {
            Ok(status) => status.to_string(),
            Err(error) => error.clone(),
        };
        *outcomes.entry(key).or_default() += 1;
    }
    say!(
        "sent {} deliveries in {:.2} s ({:.0}/s), concurrency {concurrency}",
        results.len(),
        elapsed.as_secs_f64(),
        results.len() as f64 / elapsed.as_secs_f64().max(1e-9)
    );
    say!(
        "latency: p50 {} p90 {} p99 {} max {}",
        millis(percentile(&latencies, 50)),
        millis(percentile(&latencies, 90)),
        millis(percentile(&latencies, 99)),
        millis(latencies.last().copied().unwrap_or_default()),
    );
    let summary: Vec<String> = outcomes
        .iter()
        .map(|(key, n)| format!("{key} × {n}"))
        .collect();
    say!("answers: {}", summary.join(", "));
    let all_ok = results
        .iter()
        .all(|(_, outcome)| matches!(outcome, Ok(status) if (200..300).contains(status)));
    if all_ok {
        Ok(())
    } else {
        Err(Failure::Refused)
    }
}

/// The nearest-rank percentile of sorted latencies.
fn percentile(sorted: &[Duration], percent: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (sorted.len() * percent).div_ceil(100).max(1);
    sorted[rank - 1]
}

fn millis(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}
