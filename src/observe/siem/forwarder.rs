//! The queue, the background task, and its retries.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;

use super::SiemConfig;
use super::aggregate::Refusals;
use super::event::SecurityEvent;
use crate::ConfigError;
use crate::observe::{AuditEvent, Observer, Outcome};

/// Counter of events that never reached the SIEM, labelled `cause`:
/// `queue_full`, `gave_up` (every try failed, or the SIEM refused the
/// batch) or `closed` (offered after shutdown, or still queued when the
/// shutdown deadline passed).
pub const SIEM_DROPPED_TOTAL: &str = "cognigy_webhook_siem_dropped_total";

/// Forwards audit events to a SIEM without ever blocking the request path;
/// see the [module docs](super). Cheap to clone: clones share one queue and
/// one background task.
#[derive(Clone)]
pub struct SiemForwarder {
    shared: Arc<Shared>,
}

struct Shared {
    queue: mpsc::Sender<SecurityEvent>,
    counts: Arc<Counts>,
    closing: Arc<Notify>,
    worker: Mutex<Option<JoinHandle<()>>>,
    rejections_only: bool,
    refusals: Arc<Refusals>,
}

#[derive(Default)]
struct Counts {
    accepted: AtomicU64,
    sent: AtomicU64,
    retries: AtomicU64,
    queue_full: AtomicU64,
    gave_up: AtomicU64,
    closed: AtomicU64,
    aggregated: AtomicU64,
}

impl Counts {
    fn drop_events(&self, cause: &'static str, events: u64) {
        let counter = match cause {
            "queue_full" => &self.queue_full,
            "gave_up" => &self.gave_up,
            _ => &self.closed,
        };
        counter.fetch_add(events, Ordering::Relaxed);
        metrics::counter!(SIEM_DROPPED_TOTAL, "cause" => cause).increment(events);
    }
}

/// What a [`SiemForwarder`] has done so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SiemReport {
    /// Events the SIEM acknowledged with a 2xx (an aggregate record of
    /// refusals counts as one).
    pub sent: u64,
    /// Attempts after the first, over all batches.
    pub retries: u64,
    /// Events dropped because the queue was full.
    pub dropped_queue_full: u64,
    /// Events dropped because every try failed or the SIEM refused them.
    pub dropped_gave_up: u64,
    /// Events offered after shutdown, or still waiting when its deadline
    /// passed.
    pub dropped_closed: u64,
    /// Refusals past the budget of their interval, counted in an aggregate
    /// record instead of sent one by one (not dropped).
    pub aggregated: u64,
}

impl SiemReport {
    /// Every event that never reached the SIEM.
    pub fn dropped(&self) -> u64 {
        self.dropped_queue_full + self.dropped_gave_up + self.dropped_closed
    }
}

impl SiemForwarder {
    /// Starts the background task on the current Tokio runtime.
    pub fn start(config: SiemConfig) -> Result<Self, ConfigError> {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| ConfigError::NoRuntime("the SIEM forwarder"))?;
        // No redirects: the endpoint's URL may carry credentials, and a
        // batch of security events goes where it was configured to go.
        let client = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| ConfigError::HttpClient(error.to_string()))?;
        let (queue, receiver) = mpsc::channel(config.queue_capacity);
        let counts = Arc::new(Counts::default());
        let closing = Arc::new(Notify::new());
        let rejections_only = config.rejections_only;
        let budget = config
            .refusal_budget
            .unwrap_or(config.queue_capacity / 2)
            .max(1);
        let refusals = Arc::new(Refusals::new(budget));
        let worker = Worker {
            client,
            config,
            counts: Arc::clone(&counts),
            refusals: Arc::clone(&refusals),
        };
        let task = runtime.spawn(worker.run(receiver, Arc::clone(&closing)));
        Ok(SiemForwarder {
            shared: Arc::new(Shared {
                queue,
                counts,
                closing,
                worker: Mutex::new(Some(task)),
                rejections_only,
                refusals,
            }),
        })
    }

    /// Queues one event, or counts it as dropped when the queue is full or
    /// closed. Never waits.
    pub fn forward(&self, event: SecurityEvent) {
        let shared = &self.shared;
        match shared.queue.try_send(event) {
            Ok(()) => {
                shared.counts.accepted.fetch_add(1, Ordering::Relaxed);
            }
            Err(mpsc::error::TrySendError::Full(_)) => shared.counts.drop_events("queue_full", 1),
            Err(mpsc::error::TrySendError::Closed(_)) => shared.counts.drop_events("closed", 1),
        }
    }

    /// What the forwarder has done so far.
    pub fn report(&self) -> SiemReport {
        let counts = &self.shared.counts;
        SiemReport {
            sent: counts.sent.load(Ordering::Relaxed),
            retries: counts.retries.load(Ordering::Relaxed),
            dropped_queue_full: counts.queue_full.load(Ordering::Relaxed),
            dropped_gave_up: counts.gave_up.load(Ordering::Relaxed),
            dropped_closed: counts.closed.load(Ordering::Relaxed),
            aggregated: counts.aggregated.load(Ordering::Relaxed),
        }
    }

    /// Stops taking events and sends what is queued, waiting at most
    /// `deadline`; whatever is still unsent then is dropped and counted.
    /// Later calls (from any clone) return the report at once.
    pub async fn shutdown(&self, deadline: Duration) -> SiemReport {
        let task = self
            .shared
            .worker
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(mut task) = task {
            self.shared.closing.notify_one();
            if tokio::time::timeout(deadline, &mut task).await.is_err() {
                task.abort();
                let _ = task.await;
                let counts = &self.shared.counts;
                let settled =
                    counts.sent.load(Ordering::Relaxed) + counts.gave_up.load(Ordering::Relaxed);
                let unsent = counts
                    .accepted
                    .load(Ordering::Relaxed)
                    .saturating_sub(settled);
                counts.drop_events("closed", unsent);
            }
        }
        self.report()
    }
}

impl Observer for SiemForwarder {
    fn observe(&self, event: &AuditEvent<'_>) {
        if self.shared.rejections_only && event.outcome != Outcome::Rejected {
            return;
        }
        if let (Outcome::Rejected, Some(reason)) = (event.outcome, event.reason_code())
            && !self.shared.refusals.admit(reason, event.profile)
        {
            self.shared
                .counts
                .aggregated
                .fetch_add(1, Ordering::Relaxed);
            return;
        }
        self.forward(SecurityEvent::from(event));
    }
}

impl fmt::Debug for SiemForwarder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SiemForwarder")
            .field("report", &self.report())
            .finish_non_exhaustive()
    }
}

/// The background task's state.
struct Worker {
    client: reqwest::Client,
    config: SiemConfig,
    counts: Arc<Counts>,
    refusals: Arc<Refusals>,
}

/// How one POST went.
enum Attempt {
    Delivered,
    /// Worth trying again, after the server's `Retry-After` if it gave one.
    Retry(Option<Duration>),
    /// The SIEM refused the batch (a 4xx other than 408 and 429): sending
    /// it again would not help.
    Refused,
}

impl Worker {
    async fn run(self, mut receiver: mpsc::Receiver<SecurityEvent>, closing: Arc<Notify>) {
        let mut batch = Vec::with_capacity(self.config.batch_size);
        let interval = self.config.aggregate_interval;
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                // Events first: on shutdown, whatever is queued still goes.
                biased;
                received = receiver.recv_many(&mut batch, self.config.batch_size) => {
                    if received == 0 {
                        // Closed and drained: the last interval's record too.
                        return self.deliver_aggregate().await;
                    }
                    self.deliver(&batch).await;
                    batch.clear();
                }
                _ = ticks.tick() => self.deliver_aggregate().await,
                () = closing.notified() => receiver.close(),
            }
        }
    }

    /// Starts a new refusal interval and sends the record of the last one.
    async fn deliver_aggregate(&self) {
        if let Some((record, _)) = self.refusals.next_interval(self.config.aggregate_interval) {
            // One record, as a batch of one, so the SIEM reads arrays only.
            if let Ok(body) = serde_json::to_vec(&[record]) {
                self.counts.accepted.fetch_add(1, Ordering::Relaxed);
                self.send(&body, 1).await;
            }
        }
    }

    /// Sends one batch, retrying as configured.
    async fn deliver(&self, batch: &[SecurityEvent]) {
        let events = batch.len() as u64;
        let body = match serde_json::to_vec(batch) {
            Ok(body) => body,
            Err(_) => return self.counts.drop_events("gave_up", events),
        };
        self.send(&body, events).await;
    }

    /// POSTs `body` (a JSON array of `events` events), retrying as
    /// configured.
    async fn send(&self, body: &[u8], events: u64) {
        let mut backoff = self.config.retry.backoff();
        loop {
            let retry_after = match self.post(body).await {
                Attempt::Delivered => {
                    self.counts.sent.fetch_add(events, Ordering::Relaxed);
                    return;
                }
                Attempt::Refused => return self.counts.drop_events("gave_up", events),
                Attempt::Retry(retry_after) => retry_after,
            };
            let Some(backoff_delay) = backoff.next() else {
                return self.counts.drop_events("gave_up", events);
            };
            self.counts.retries.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(retry_after.unwrap_or(backoff_delay)).await;
        }
    }

    async fn post(&self, body: &[u8]) -> Attempt {
        let sent = self
            .client
            .post(self.config.endpoint.clone())
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_vec())
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(_) => return Attempt::Retry(None),
        };
        let status = response.status();
        if status.is_success() {
            return Attempt::Delivered;
        }
        if status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE {
            let wait = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|value| self.config.retry.retry_after(value.as_bytes()));
            return Attempt::Retry(wait);
        }
        if status.is_server_error() || status == StatusCode::REQUEST_TIMEOUT {
            return Attempt::Retry(None);
        }
        Attempt::Refused
    }
}
