//! The gateway's command line (each flag also an environment variable;
//! flags win) and what it is turned into.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use cognigy_webhook::profile::ProfileKind;
use cognigy_webhook::replay::{MemoryStore, PostgresStore, RedisStore, ReplayGuard, ReplayPolicy};
use cognigy_webhook::{Profile, Verifier};

use super::forward::Forward;
use super::mode::Mode;
use super::stream::Stream;
use crate::input::{self, duration};
use crate::redact::shown;
use crate::{Failure, SecretArgs};

#[derive(Args)]
pub(crate) struct GatewayArgs {
    /// Address and port to listen on.
    #[arg(
        long,
        env = "COGNIGY_GATEWAY_LISTEN",
        default_value = "127.0.0.1:8080",
        hide_env_values = true
    )]
    listen: SocketAddr,
    /// The wire profile deliveries are signed with.
    #[arg(long, env = "COGNIGY_GATEWAY_PROFILE", hide_env_values = true)]
    profile: Profile,
    /// Read secrets from this environment variable: one, or several
    /// separated by commas (rotation), as the receivers read
    /// COGNIGY_WEBHOOK_SECRET. Repeat the option (or list the variables'
    /// names, comma-separated, in COGNIGY_GATEWAY_SECRET_ENV) for more.
    #[arg(
        long = "secret-env",
        value_name = "VAR",
        env = "COGNIGY_GATEWAY_SECRET_ENV",
        value_delimiter = ',',
        hide_env_values = true
    )]
    secret_env: Vec<String>,
    /// Read a secret from this file; SIGHUP reads the files again (rotation
    /// without restart).
    #[arg(
        long = "secret-file",
        value_name = "PATH",
        env = "COGNIGY_GATEWAY_SECRET_FILE",
        value_delimiter = ',',
        hide_env_values = true
    )]
    secret_file: Vec<PathBuf>,
    /// The webhook path; every other path is 404 and never forwarded.
    #[arg(
        long,
        env = "COGNIGY_GATEWAY_PATH",
        default_value = "/webhooks/cognigy",
        hide_env_values = true
    )]
    path: String,
    /// Forward verified deliveries to this http:// base URL (the request's
    /// path and query are appended).
    #[arg(
        long,
        env = "COGNIGY_GATEWAY_UPSTREAM",
        required_unless_present = "redis_stream",
        conflicts_with = "redis_stream",
        hide_env_values = true
    )]
    upstream: Option<String>,
    /// Enqueue verified deliveries in a stream of this Redis (redis:// or
    /// rediss://; a private CA in COGNIGY_REDIS_CA_FILE).
    #[arg(
        long = "redis-stream",
        env = "COGNIGY_GATEWAY_REDIS_STREAM",
        requires = "stream",
        hide_env_values = true
    )]
    redis_stream: Option<String>,
    /// The stream's key.
    #[arg(long, env = "COGNIGY_GATEWAY_STREAM", hide_env_values = true)]
    stream: Option<String>,
    /// Keep about this many entries in the stream (XADD MAXLEN ~ N).
    #[arg(
        long = "stream-maxlen",
        env = "COGNIGY_GATEWAY_STREAM_MAXLEN",
        default_value_t = 100_000,
        hide_env_values = true
    )]
    stream_maxlen: u64,
    /// Replay protection: memory, off, or a redis://, rediss:// or
    /// postgres:// URL (shared by every instance).
    #[arg(
        long,
        env = "COGNIGY_GATEWAY_REPLAY",
        default_value = "memory",
        hide_env_values = true
    )]
    replay: String,
    /// What a duplicate gets: reject (409) or acknowledge (200).
    #[arg(
        long = "replay-policy",
        env = "COGNIGY_GATEWAY_REPLAY_POLICY",
        default_value = "reject",
        hide_env_values = true
    )]
    replay_policy: String,
    /// Keeps this service's nonces apart from other services sharing the
    /// replay store (gateways of one service share one namespace).
    #[arg(
        long = "replay-namespace",
        value_name = "NAME",
        env = "COGNIGY_GATEWAY_REPLAY_NAMESPACE",
        hide_env_values = true
    )]
    replay_namespace: Option<String>,
    /// How long the upstream may take to answer: 504 when its head is late;
    /// a body still arriving then is cut off.
    #[arg(long = "upstream-timeout", env = "COGNIGY_GATEWAY_UPSTREAM_TIMEOUT", default_value = "30s", value_parser = duration, hide_env_values = true)]
    upstream_timeout: Duration,
    /// Largest body accepted, in bytes (413 over it).
    #[arg(long = "body-limit", env = "COGNIGY_GATEWAY_BODY_LIMIT", default_value_t = cognigy_webhook::limits::DEFAULT_BODY_LIMIT, hide_env_values = true)]
    body_limit: usize,
    /// How long a request's head, then its body, may take to arrive: a
    /// late body is 408; a connection whose head stalls, or that sits idle
    /// this long, is closed.
    #[arg(long = "read-timeout", env = "COGNIGY_GATEWAY_READ_TIMEOUT", default_value = "10s", value_parser = duration, hide_env_values = true)]
    read_timeout: Duration,
    /// With --profile api-key: the header the key arrives in (default
    /// X-Webhook-Key).
    #[arg(
        long = "api-key-header",
        value_name = "NAME",
        env = "COGNIGY_GATEWAY_API_KEY_HEADER",
        hide_env_values = true
    )]
    api_key_header: Option<String>,
    /// The timestamp tolerance, such as 30s or 5m (default: the profile's).
    #[arg(long, env = "COGNIGY_GATEWAY_TOLERANCE", value_parser = positive_duration, hide_env_values = true)]
    tolerance: Option<Duration>,
    /// One JSON audit line per delivery on stdout (`stdout`), or none
    /// (`off`: metrics only).
    #[arg(
        long = "audit-log",
        env = "COGNIGY_GATEWAY_AUDIT_LOG",
        value_enum,
        default_value = "stdout",
        hide_env_values = true
    )]
    pub(crate) audit_log: AuditLog,
}

/// Shows the store and upstream URLs without credentials or queries.
impl std::fmt::Debug for GatewayArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let store = |url: &str| match url {
            "memory" | "off" => url.to_owned(),
            _ => shown(url),
        };
        f.debug_struct("GatewayArgs")
            .field("listen", &self.listen)
            .field("profile", &self.profile.name())
            .field("secret_env", &self.secret_env)
            .field("secret_file", &self.secret_file)
            .field("path", &self.path)
            .field("upstream", &self.upstream.as_deref().map(shown))
            .field("redis_stream", &self.redis_stream.as_deref().map(shown))
            .field("stream", &self.stream)
            .field("replay", &store(&self.replay))
            .field("audit_log", &self.audit_log)
            .finish_non_exhaustive()
    }
}

/// Where the audit lines go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum AuditLog {
    /// One JSON line per delivery on standard output.
    Stdout,
    /// None; `/metrics` still counts every delivery.
    Off,
}

/// The checked arguments.
pub(crate) struct Settings {
    pub(crate) listen: SocketAddr,
    pub(crate) path: String,
    pub(crate) body_limit: usize,
    pub(crate) read_timeout: Duration,
    pub(crate) audit_log: AuditLog,
    profile: Profile,
    secrets: SecretArgs,
    tolerance: Option<Duration>,
    upstream: Option<String>,
    upstream_timeout: Duration,
    redis_stream: Option<(String, String, u64)>,
    replay: String,
    replay_policy: ReplayPolicy,
    replay_namespace: Option<String>,
}

impl Settings {
    pub(crate) fn from_args(args: GatewayArgs) -> Result<Settings, Failure> {
        if !args.path.starts_with('/') {
            return Err(Failure::Usage(format!(
                "--path {:?} does not start with '/'",
                args.path
            )));
        }
        if args.secret_env.is_empty() && args.secret_file.is_empty() {
            return Err(Failure::Usage(
                "no secret: give --secret-env VAR or --secret-file PATH".into(),
            ));
        }
        let profile = match args.api_key_header {
            None => args.profile,
            Some(header) if args.profile.kind() == ProfileKind::ApiKey => {
                Profile::api_key_in(header)
                    .map_err(|error| Failure::Usage(format!("--api-key-header: {error}")))?
            }
            Some(_) => {
                return Err(Failure::Usage(
                    "--api-key-header goes with --profile api-key".into(),
                ));
            }
        };
        let replay_policy = args
            .replay_policy
            .parse()
            .map_err(|_| Failure::Usage("--replay-policy is reject or acknowledge".into()))?;
        let redis_stream = match (args.redis_stream, args.stream) {
            (Some(url), Some(key)) => Some((url, key, args.stream_maxlen)),
            _ => None,
        };
        let settings = Settings {
            listen: args.listen,
            path: args.path,
            body_limit: args.body_limit,
            read_timeout: args.read_timeout,
            audit_log: args.audit_log,
            profile,
            secrets: SecretArgs {
                env: args.secret_env,
                file: args.secret_file,
            },
            tolerance: args.tolerance,
            upstream: args.upstream,
            upstream_timeout: args.upstream_timeout,
            redis_stream,
            replay: args.replay,
            replay_policy,
            replay_namespace: args.replay_namespace,
        };
        settings.verifier()?;
        Ok(settings)
    }

    /// A verifier from the secrets as they are now (files read again).
    pub(crate) fn verifier(&self) -> Result<Verifier, Failure> {
        let secrets = input::secrets(&self.secrets)?
            .iter()
            .map(|secret| secret.unpadded()?.secret_for(&self.profile))
            .collect::<Result<Vec<_>, _>>()?;
        let mut builder = Verifier::builder(self.profile.clone()).secrets(secrets);
        if let Some(tolerance) = self.tolerance {
            builder = builder.tolerance(tolerance);
        }
        builder
            .build()
            .map_err(|error| Failure::Usage(error.to_string()))
    }

    /// The forwarder or the stream writer, connected (Redis must answer).
    pub(crate) async fn connect_mode(&self) -> Result<Mode, Failure> {
        match (&self.upstream, &self.redis_stream) {
            (Some(upstream), _) => Ok(Mode::Forward(Arc::new(Forward::new(
                upstream,
                self.upstream_timeout,
            )?))),
            (None, Some((url, key, maxlen))) => {
                // Basic Auth and API-key profiles carry the secret itself.
                let credential = match self.profile.kind() {
                    ProfileKind::HmacSha256 => None,
                    _ => http::HeaderName::from_bytes(self.profile.credential_header().as_bytes())
                        .ok(),
                };
                let stream = Stream::connect(url, key.clone(), *maxlen, credential).await?;
                Ok(Mode::Stream(Arc::new(stream)))
            }
            (None, None) => Err(Failure::Usage(
                "give --upstream URL or --redis-stream URL --stream KEY".into(),
            )),
        }
    }

    /// The replay guard `--replay` asks for, its store reachable.
    pub(crate) async fn replay_guard(&self) -> Result<Option<ReplayGuard>, Failure> {
        let replay = self.replay.trim();
        let store_failed = |error: cognigy_webhook::replay::StoreError| {
            Failure::Usage(format!("--replay: {error}"))
        };
        let guard = if replay == "off" {
            return Ok(None);
        } else if replay == "memory" {
            ReplayGuard::new(MemoryStore::new(100_000))
        } else if replay.starts_with("redis://") || replay.starts_with("rediss://") {
            let store = RedisStore::connect_from_env(replay).await;
            ReplayGuard::new(store.map_err(store_failed)?)
        } else if replay.starts_with("postgres://") || replay.starts_with("postgresql://") {
            let store = PostgresStore::connect(replay).await.map_err(store_failed)?;
            store.migrate().await.map_err(store_failed)?;
            ReplayGuard::new(store)
        } else {
            return Err(Failure::Usage(
                "--replay is memory, off, or a redis://, rediss:// or postgres:// URL".into(),
            ));
        };
        let guard = match &self.replay_namespace {
            Some(namespace) => guard.with_namespace(namespace.as_str()),
            None => guard,
        };
        Ok(Some(guard.with_policy(self.replay_policy)))
    }
}

/// A tolerance: a [`duration`] of at least 1 ms (0 refuses everything).
fn positive_duration(text: &str) -> Result<Duration, String> {
    match duration(text)? {
        Duration::ZERO => Err("0 would refuse every delivery; give at least 1ms".into()),
        positive => Ok(positive),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: super::GatewayArgs,
    }

    #[test]
    fn debug_shows_no_url_credential() {
        let cli = Cli::try_parse_from([
            "gateway",
            "--profile",
            "hex-millis",
            "--secret-env",
            "S",
            "--upstream",
            "http://127.0.0.1:3000/?token=hunter2",
            "--replay",
            "postgres://u:hunter2@db/x",
        ])
        .unwrap();
        let debug = format!("{:?}", cli.args);
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains("postgres://db/x"), "{debug}");
    }
}
