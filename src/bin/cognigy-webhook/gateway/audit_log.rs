//! The audit log: one JSON line per request on stdout, written straight
//! from the library's audit event. The fields are those of
//! `cognigy_webhook::observe::Audit`'s `tracing` event (absent ones left
//! out), after `timestamp` (RFC 3339, UTC), `level` (`INFO`, or `WARN` for a
//! refusal), `message` and `target`.
//!
//! Lines are gathered and written together every [`FLUSH_INTERVAL`] (and at
//! shutdown), not one `write` per request: in `benches/gateway_load.sh` that
//! system call on every request's path took up to a tenth of the forward
//! mode's throughput (BENCHMARKS.md).

use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use cognigy_webhook::RequestId;
use cognigy_webhook::observe::{AUDIT_TARGET, AuditEvent, Observer, Outcome};
use serde::{Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// How long a line waits at most before it is written.
const FLUSH_INTERVAL: Duration = Duration::from_millis(100);

/// Gathered lines past this size are written at once, by the request that
/// adds to them (stdout's pace then bounds the buffer).
const MAX_PENDING: usize = 256 * 1024;

/// Writes each event as one JSON line on stdout.
#[derive(Clone, Default)]
pub(crate) struct JsonLines {
    pending: Arc<Mutex<Vec<u8>>>,
}

impl JsonLines {
    /// The audit log, with the task that writes its lines every
    /// [`FLUSH_INTERVAL`]; call [`JsonLines::flush`] once more at shutdown.
    pub(crate) fn start() -> Self {
        let lines = JsonLines::default();
        let writer = lines.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(FLUSH_INTERVAL);
            loop {
                every.tick().await;
                writer.flush();
            }
        });
        lines
    }

    /// Writes the lines gathered so far. A closed stdout loses them, never
    /// a request.
    pub(crate) fn flush(&self) {
        let lines = std::mem::take(&mut *self.pending());
        if !lines.is_empty() {
            let _ = std::io::stdout().lock().write_all(&lines);
        }
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, Vec<u8>> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[derive(Serialize)]
struct Line<'a> {
    timestamp: String,
    level: &'static str,
    message: &'static str,
    target: &'static str,
    #[serde(serialize_with = "displayed")]
    request_id: &'a RequestId,
    #[serde(skip_serializing_if = "Option::is_none")]
    correlation_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remote_addr: Option<SocketAddr>,
    path: &'a str,
    profile: &'a str,
    outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    other_preset: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    drift_ms: Option<i64>,
    latency_us: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    key_index: Option<usize>,
}

impl Observer for JsonLines {
    fn observe(&self, event: &AuditEvent<'_>) {
        let (level, message) = match event.outcome {
            Outcome::Verified => ("INFO", "webhook verified"),
            Outcome::Duplicate => ("INFO", "duplicate webhook acknowledged"),
            _ => ("WARN", "webhook rejected"),
        };
        let line = Line {
            timestamp: OffsetDateTime::now_utc()
                .format(&Rfc3339)
                .unwrap_or_default(),
            level,
            message,
            target: AUDIT_TARGET,
            request_id: &event.request_id,
            correlation_id: event.correlation_id.map(|id| id.as_str()),
            remote_addr: event.remote_addr,
            path: event.path,
            profile: event.profile.as_str(),
            outcome: event.outcome.as_str(),
            reason: event.reason_code(),
            other_preset: event.other_preset,
            drift_ms: event.drift_ms,
            latency_us: event.latency_us(),
            key_index: event.key_index,
        };
        let full = {
            let mut pending = self.pending();
            let start = pending.len();
            match serde_json::to_writer(&mut *pending, &line) {
                Ok(()) => pending.push(b'\n'),
                // No half line is ever written.
                Err(_) => pending.truncate(start),
            }
            pending.len() > MAX_PENDING
        };
        if full {
            self.flush();
        }
    }
}

/// The id in its hyphenated form, without an intermediate `String`.
fn displayed<S: Serializer>(id: &&RequestId, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(id)
}
