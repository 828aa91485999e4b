//! The decisions on one webhook request, free of any framework.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;
use futures_core::Stream;

use super::body::read_body;
use super::settings::Settings;
use crate::observe::{AuditEvent, Outcome};
use crate::verify::head::{drift_ms, fits};
use crate::verify::timestamp::parse_u64;
use crate::{
    CorrelationId, Error, ErrorKind, Head, HeaderLookup, Lookup, Profile, RequestId, Verified,
};

/// One request on its way through the pipeline: the settings and what is
/// known of the request before any decision.
pub(crate) struct Delivery<'s> {
    settings: &'s Settings,
    request_id: RequestId,
    correlation: Option<CorrelationId>,
    /// When the request was taken; only read when an observer listens.
    started: Option<Instant>,
    remote_addr: Option<SocketAddr>,
}

/// What the pipeline decided on a request, as reported.
#[derive(Clone, Copy)]
enum Decision<'a> {
    /// The handler runs.
    Verified(&'a Verified),
    /// A verified repeat, acknowledged without running the handler.
    #[cfg(feature = "replay")]
    Duplicate(&'a Verified),
    /// Refused, after verification when the replay guard refused it.
    Rejected(&'a Error, Option<&'a Verified>),
    /// Refused for a missing signature header, with the preset whose header
    /// was there instead.
    Unsigned(Option<&'static str>),
    /// Refused for a timestamp outside the window, this far off (ms).
    OutOfWindow(&'a Error, Option<i64>),
}

/// Why a request gets no handler: the answer to send instead.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// Refused with this error.
    Refused(Error),
    /// A verified repeat, acknowledged with 200 without the handler.
    #[cfg(feature = "replay")]
    Duplicate,
}

/// A verified delivery, admitted to the handler: what the driver hands it
/// (the exact bytes, and the request extensions) and the ticket to settle
/// once it has answered.
pub(crate) struct Admitted {
    pub(crate) verified: Verified,
    pub(crate) bytes: Bytes,
    pub(crate) request_id: RequestId,
    pub(crate) correlation: Option<CorrelationId>,
    pub(crate) ticket: Ticket,
}

impl<'s> Delivery<'s> {
    /// Starts a request: gives it an id, reads its correlation id and, when
    /// an observer listens, starts the clock and asks for the peer's address.
    pub(crate) fn start<'h>(
        settings: &'s Settings,
        headers: impl HeaderLookup<'h>,
        remote_addr: impl FnOnce() -> Option<SocketAddr>,
    ) -> Self {
        let listening = settings.observer.is_listening();
        Delivery {
            settings,
            request_id: RequestId::new(),
            correlation: CorrelationId::from_headers(headers),
            started: listening.then(Instant::now),
            remote_addr: if listening { remote_addr() } else { None },
        }
    }

    /// The head's judgement, before any body is read: the method, the
    /// declared length, then every check of the verifier that needs no body.
    /// A refusal is reported here.
    pub(crate) fn judge<'h, H: HeaderLookup<'h> + Copy>(
        &self,
        is_post: bool,
        path: &str,
        headers: H,
    ) -> Result<Head<'s, H>, Error> {
        let settings = self.settings;
        let judged = if settings.post_only && !is_post {
            Err(ErrorKind::MethodNotAllowed.into())
        } else if let Lookup::One(length) = headers.lookup("content-length")
            && parse_u64(length.trim_ascii()).is_some_and(|n| n > settings.body_limit as u64)
        {
            Err(ErrorKind::BodyTooLarge.into())
        } else {
            settings.verifier.check_head(headers)
        };
        judged.inspect_err(|error| {
            let decision = match error.kind() {
                ErrorKind::MissingSignature => Decision::Unsigned(self.other_preset(headers)),
                ErrorKind::TimestampTooOld | ErrorKind::TimestampTooNew => {
                    Decision::OutOfWindow(error, self.out_of_window_drift(headers))
                }
                _ => Decision::Rejected(error, None),
            };
            self.report(path, decision);
        })
    }

    /// For a request without the expected signature header: the first
    /// other preset whose head it carries, well-formed and timely (a sender
    /// set up for another profile), for the audit event only.
    fn other_preset<'h>(&self, headers: impl HeaderLookup<'h>) -> Option<&'static str> {
        if !self.settings.observer.is_listening() {
            return None;
        }
        let verifier = &self.settings.verifier;
        let now = verifier.now();
        Profile::PRESET_NAMES
            .into_iter()
            .zip(Profile::presets())
            .filter(|(name, _)| verifier.profiles().all(|accepted| accepted.name() != *name))
            .find_map(|(name, preset)| fits(preset, now, &headers).then_some(name))
    }

    /// For a timestamp outside the window: how far off it is, read as the
    /// accepted profile whose window it is outside, for the audit event only.
    fn out_of_window_drift<'h>(&self, headers: impl HeaderLookup<'h>) -> Option<i64> {
        if !self.settings.observer.is_listening() {
            return None;
        }
        let verifier = &self.settings.verifier;
        let now = verifier.now();
        verifier.profiles().find_map(|profile| {
            let drift = drift_ms(profile, now, &headers)?;
            let tolerance = profile.tolerance()?;
            (u128::from(drift.unsigned_abs()) > tolerance.as_millis()).then_some(drift)
        })
    }

    /// Reads the body under the limit and the read timeout, verifies it
    /// against the judged head, and passes the delivery through the replay
    /// guard. Every outcome is reported here; an admitted delivery is
    /// reported before its handler runs.
    pub(crate) async fn admit<'h, H, S, D, E>(
        self,
        head: Head<'s, H>,
        path: &str,
        body: S,
    ) -> Result<Admitted, Refusal>
    where
        H: HeaderLookup<'h> + Copy,
        S: Stream<Item = Result<D, E>>,
        D: bytes::Buf,
        E: Into<super::BoxError>,
    {
        let settings = self.settings;
        let checked = match read_body(body, settings.body_limit, settings.read_timeout).await {
            Ok(bytes) => head.verify_body(&bytes).map(|verified| (verified, bytes)),
            Err(error) => Err(error),
        };
        let (verified, bytes) = checked.map_err(|error| {
            self.report(path, Decision::Rejected(&error, None));
            Refusal::Refused(error)
        })?;
        let ticket = self.guard(&verified, head.headers(), &bytes, path).await?;
        self.report(path, Decision::Verified(&verified));
        Ok(Admitted {
            verified,
            bytes,
            request_id: self.request_id,
            correlation: self.correlation,
            ticket,
        })
    }

    /// Passes a verified delivery through the replay guard, if there is one.
    async fn guard<'h>(
        &self,
        verified: &Verified,
        headers: impl HeaderLookup<'h>,
        bytes: &[u8],
        path: &str,
    ) -> Result<Ticket, Refusal> {
        #[cfg(feature = "replay")]
        if let Some(guard) = &self.settings.replay {
            use crate::replay::ReplayDecision;
            let correlation_id = self.correlation.as_ref().map(CorrelationId::as_str);
            return match guard.admit(verified, headers, correlation_id, bytes).await {
                ReplayDecision::Proceed(recorded) => Ok(Ticket {
                    recorded: Some(recorded),
                }),
                ReplayDecision::Acknowledge => {
                    self.report(path, Decision::Duplicate(verified));
                    Err(Refusal::Duplicate)
                }
                ReplayDecision::Refuse(kind) => {
                    let error = Error::new(kind);
                    self.report(path, Decision::Rejected(&error, Some(verified)));
                    Err(Refusal::Refused(error))
                }
            };
        }
        #[cfg(not(feature = "replay"))]
        let _ = (verified, headers, bytes, path);
        Ok(Ticket::default())
    }

    /// Reports the decision on the request to the observer, if it listens.
    fn report(&self, path: &str, decision: Decision<'_>) {
        let Some(started) = self.started else {
            return;
        };
        let (outcome, reason, verified, other_preset) = match decision {
            Decision::Verified(verified) => (Outcome::Verified, None, Some(verified), None),
            #[cfg(feature = "replay")]
            Decision::Duplicate(verified) => (Outcome::Duplicate, None, Some(verified), None),
            Decision::Rejected(error, verified) => {
                (Outcome::Rejected, Some(error.kind()), verified, None)
            }
            Decision::OutOfWindow(error, _) => (Outcome::Rejected, Some(error.kind()), None, None),
            Decision::Unsigned(other) => (
                Outcome::Rejected,
                Some(ErrorKind::MissingSignature),
                None,
                other,
            ),
        };
        let drift_ms = match decision {
            Decision::OutOfWindow(_, drift_ms) => drift_ms,
            _ => verified.and_then(Verified::drift_ms),
        };
        let profile = match verified {
            Some(verified) => &verified.profile,
            None => &self.settings.verifier.profile().name,
        };
        self.settings.observer.observe(&AuditEvent {
            request_id: self.request_id,
            correlation_id: self.correlation.as_ref(),
            remote_addr: self.remote_addr,
            path,
            profile,
            outcome,
            reason,
            other_preset,
            drift_ms,
            latency: started.elapsed(),
            key_index: verified.map(Verified::key_index),
        });
    }
}

/// What a detached handler's task answered. Its panic goes on as if it had
/// run in place; a task cancelled by a runtime shutting down never answers
/// (that runtime drops the request as well).
pub(crate) async fn joined<T>(task: tokio::task::JoinHandle<T>) -> T {
    match task.await {
        Ok(output) => output,
        Err(error) => match error.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(_) => std::future::pending().await,
        },
    }
}

/// Whether an answer with this status leaves the delivery to the sender's
/// retry: a server error, or 408 and 429, with which a handler says it did
/// not take the delivery (not now: try again).
pub(crate) fn asks_for_retry(status: u16) -> bool {
    status >= 500 || status == 408 || status == 429
}

/// What an admitted delivery holds in the replay guard's store until its
/// handler is done: the nonce, kept when the handler answers without asking
/// for a retry ([`Ticket::settle_after`]), released otherwise — also when the
/// handler's future is dropped (client gone, timeout, shutdown) or panics,
/// so that the sender's retry runs the handler (the dropped
/// [`Recorded`](crate::replay::Recorded) releases itself).
#[derive(Default)]
pub(crate) struct Ticket {
    #[cfg(feature = "replay")]
    recorded: Option<crate::replay::Recorded>,
}

impl Ticket {
    /// Runs the handler, then keeps the nonce when it produced a response
    /// whose `status` does not ask for a retry ([`asks_for_retry`]), and
    /// releases it otherwise. (A handler whose future is dropped or panics
    /// never gets here: the nonce's own drop guard releases it.)
    pub(crate) async fn settle_after<T, E>(
        self,
        handler: impl Future<Output = Result<T, E>>,
        status: impl FnOnce(&T) -> u16,
    ) -> Result<T, E> {
        let result = handler.await;
        let handled = result
            .as_ref()
            .is_ok_and(|response| !asks_for_retry(status(response)));
        #[cfg(feature = "replay")]
        match self.recorded {
            Some(recorded) if handled => recorded.keep(),
            Some(recorded) => recorded.release().await,
            None => {}
        }
        #[cfg(not(feature = "replay"))]
        let _ = (self, handled);
        result
    }
}
