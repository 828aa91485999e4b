//! A lock-free tally for a JSON `/metrics` endpoint like the Node.js reference document's.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::{AuditEvent, Observer, Outcome};

/// Counts requests and their latency with relaxed atomics: no lock, no
/// allocation, safe to share across threads (`Arc<Stats>` is an
/// [`Observer`]).
///
/// A duplicate acknowledged without running the handler counts as a
/// successful verification (its signature was good); every refusal counts
/// as a failure.
///
/// ```
/// use std::time::Duration;
/// use cognigy_webhook::observe::{Outcome, Stats};
///
/// let stats = Stats::new();
/// stats.record(Outcome::Verified, Duration::from_micros(1500));
/// stats.record(Outcome::Rejected, Duration::from_micros(500));
/// assert_eq!(
///     stats.snapshot().to_json(),
///     r#"{"totalRequests":2,"successfulVerifications":1,"failedVerifications":1,"averageLatencyMs":1.0,"successRate":50.0}"#
/// );
/// ```
#[derive(Debug, Default)]
pub struct Stats {
    succeeded: AtomicU64,
    failed: AtomicU64,
    latency_us: AtomicU64,
}

impl Stats {
    /// All counts at zero.
    pub const fn new() -> Self {
        Stats {
            succeeded: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            latency_us: AtomicU64::new(0),
        }
    }

    /// Counts one request.
    pub fn record(&self, outcome: Outcome, latency: Duration) {
        let counter = match outcome {
            Outcome::Verified | Outcome::Duplicate => &self.succeeded,
            Outcome::Rejected => &self.failed,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        // Saturates instead of wrapping (after half a million years of latency).
        let _ = self
            .latency_us
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |total| {
                Some(total.saturating_add(micros))
            });
    }

    /// The counts so far. Each figure is read atomically; under concurrent
    /// updates the figures may be a few requests apart.
    pub fn snapshot(&self) -> StatsSnapshot {
        let succeeded = self.succeeded.load(Ordering::Relaxed);
        let failed = self.failed.load(Ordering::Relaxed);
        let latency_us = self.latency_us.load(Ordering::Relaxed);
        let total = succeeded.saturating_add(failed);
        let (average_latency_ms, success_rate) = if total == 0 {
            (0.0, 0.0)
        } else {
            (
                latency_us as f64 / 1000.0 / total as f64,
                succeeded as f64 * 100.0 / total as f64,
            )
        };
        StatsSnapshot {
            total_requests: total,
            successful_verifications: succeeded,
            failed_verifications: failed,
            average_latency_ms,
            success_rate,
        }
    }
}

impl Observer for Stats {
    fn observe(&self, event: &AuditEvent<'_>) {
        self.record(event.outcome, event.latency);
    }
}

/// The figures of a [`Stats`] at one moment.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct StatsSnapshot {
    /// Every request decided on.
    pub total_requests: u64,
    /// Requests whose delivery verified (duplicates included).
    pub successful_verifications: u64,
    /// Requests refused.
    pub failed_verifications: u64,
    /// The mean decision latency over all requests, in milliseconds.
    pub average_latency_ms: f64,
    /// Successful verifications as a percentage of all requests (0 to 100;
    /// 0 before the first request).
    pub success_rate: f64,
}

impl StatsSnapshot {
    /// The JSON of the Node.js reference document's `GET /metrics`: `totalRequests`,
    /// `successfulVerifications`, `failedVerifications`, `averageLatencyMs`
    /// and `successRate` (a percentage), the last two rounded to two
    /// decimals. Unlike the Node.js reference document, the average is over all requests (it
    /// divides the latency of successes by the count of all), and the rate
    /// is a number, not a string.
    pub fn to_json(&self) -> String {
        let mut json = String::with_capacity(160);
        let _ = write!(
            json,
            r#"{{"totalRequests":{},"successfulVerifications":{},"failedVerifications":{},"averageLatencyMs":{:?},"successRate":{:?}}}"#,
            self.total_requests,
            self.successful_verifications,
            self.failed_verifications,
            round2(self.average_latency_ms),
            round2(self.success_rate),
        );
        json
    }
}

/// Rounds to two decimals; always finite here (counts are finite).
fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_stats_are_zero_and_valid_json() {
        let json = Stats::new().snapshot().to_json();
        assert_eq!(
            json,
            r#"{"totalRequests":0,"successfulVerifications":0,"failedVerifications":0,"averageLatencyMs":0.0,"successRate":0.0}"#
        );
    }

    #[test]
    fn duplicates_count_as_verified_and_rates_round() {
        let stats = Stats::new();
        for _ in 0..2 {
            stats.record(Outcome::Duplicate, Duration::from_micros(1));
        }
        stats.record(Outcome::Rejected, Duration::from_micros(1));
        let snapshot = stats.snapshot();
        assert_eq!(snapshot.successful_verifications, 2);
        assert_eq!(snapshot.failed_verifications, 1);
        assert!(
            snapshot
                .to_json()
                .ends_with(r#""averageLatencyMs":0.0,"successRate":66.67}"#)
        );
    }

    #[test]
    fn counts_from_many_threads_add_up() {
        let stats = std::sync::Arc::new(Stats::new());
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let stats = stats.clone();
                std::thread::spawn(move || {
                    for i in 0..10_000 {
                        let outcome = if i % 4 == 0 {
                            Outcome::Rejected
                        } else {
                            Outcome::Verified
                        };
                        stats.record(outcome, Duration::from_micros(2));
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        let snapshot = stats.snapshot();
        assert_eq!(snapshot.total_requests, 40_000);
        assert_eq!(snapshot.failed_verifications, 10_000);
        assert_eq!(snapshot.average_latency_ms, 0.002);
    }
}
