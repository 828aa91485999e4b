//! Refusals past a budget, counted instead of queued: a flood of
//! unauthenticated requests cannot push genuine events out of the queue.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The refusals of one interval: a budget of them go out one by one, the
/// rest are counted per reason and profile (a bounded record: the reasons
/// are a fixed set, the profiles those of the verifier).
#[derive(Debug)]
pub(super) struct Refusals {
    budget: usize,
    left: AtomicUsize,
    counts: Mutex<BTreeMap<(&'static str, String), u64>>,
}

/// The record a SIEM receives for each interval with refusals past the
/// budget: `{"event": "webhook_refusals_aggregated", "timestamp", "intervalMs",
/// "counts": [{"reason", "profile", "count"}]}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct AggregateRecord {
    event: &'static str,
    timestamp: String,
    interval_ms: u64,
    counts: Vec<Count>,
}

#[derive(Debug, Serialize)]
struct Count {
    reason: &'static str,
    profile: String,
    count: u64,
}

impl Refusals {
    pub(super) fn new(budget: usize) -> Self {
        Refusals {
            budget,
            left: AtomicUsize::new(budget),
            counts: Mutex::default(),
        }
    }

    /// Whether this refusal may go out on its own; if not, it is counted.
    pub(super) fn admit(&self, reason: &'static str, profile: &str) -> bool {
        let admitted = self
            .left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(1)
            })
            .is_ok();
        if !admitted {
            let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
            *counts.entry((reason, profile.to_owned())).or_default() += 1;
        }
        admitted
    }

    /// Starts a new interval: the budget again, and the record of the one
    /// that ended (`None` when nothing was counted) with how many refusals
    /// it holds.
    pub(super) fn next_interval(&self, interval: Duration) -> Option<(AggregateRecord, u64)> {
        self.left.store(self.budget, Ordering::Relaxed);
        let counts =
            std::mem::take(&mut *self.counts.lock().unwrap_or_else(PoisonError::into_inner));
        if counts.is_empty() {
            return None;
        }
        let total = counts.values().sum();
        let record = AggregateRecord {
            event: "webhook_refusals_aggregated",
            timestamp: OffsetDateTime::now_utc()
                .format(&Rfc3339)
                .unwrap_or_default(),
            interval_ms: u64::try_from(interval.as_millis()).unwrap_or(u64::MAX),
            counts: counts
                .into_iter()
                .map(|((reason, profile), count)| Count {
                    reason,
                    profile,
                    count,
                })
                .collect(),
        };
        Some((record, total))
    }
}
