//! The layer: configuration, applied to an inner service.

use std::time::Duration;

use tower_layer::Layer;

use super::{JsonRejection, RejectionResponse, VerifyWebhook};
use crate::Verifier;
use crate::adapter::Settings;

/// Verifies webhook deliveries before the inner service sees them.
///
/// Defaults: bodies up to [`DEFAULT_BODY_LIMIT`](crate::DEFAULT_BODY_LIMIT), no read timeout, only
/// `POST` accepted, refusals answered as JSON by [`JsonRejection`], each
/// request reported to [`Audit`](crate::observe::Audit) when the `audit`
/// feature is on.
#[derive(Debug, Clone)]
#[must_use]
pub struct VerifyWebhookLayer<R = JsonRejection> {
    settings: Settings,
    rejection: R,
}

impl VerifyWebhookLayer {
    /// A layer verifying with `verifier`.
    pub fn new(verifier: Verifier) -> Self {
        VerifyWebhookLayer {
            settings: Settings::new(verifier),
            rejection: JsonRejection,
        }
    }
}

impl<R> VerifyWebhookLayer<R> {
    /// Refuses bodies over `bytes` with 413 `body_too_large`: at once when
    /// `Content-Length` says so, otherwise as soon as the streamed body passes
    /// the limit, never buffering more than the limit.
    pub fn with_body_limit(mut self, bytes: usize) -> Self {
        self.settings.body_limit = bytes;
        self
    }

    /// Refuses with 408 `body_timeout` when the whole body has not arrived
    /// within `timeout` (a guard against slow senders). Needs a Tokio runtime
    /// with the time driver, as axum and hyper servers have.
    pub fn with_read_timeout(mut self, timeout: Duration) -> Self {
        self.settings.read_timeout = Some(timeout);
        self
    }

    /// Accepts every method instead of refusing all but `POST` with 405
    /// `method_not_allowed`.
    pub fn with_any_method(mut self) -> Self {
        self.settings.post_only = false;
        self
    }

    /// Refuses (or acknowledges) deliveries seen before, recording each
    /// verified delivery in the guard's store before the handler runs, and
    /// releasing it again when the handler answers 5xx or fails. Fails when
    /// the guard does not fit the verifier (a signature nonce for a profile
    /// without signatures).
    #[cfg(feature = "replay")]
    pub fn with_replay_guard(
        mut self,
        guard: crate::replay::ReplayGuard,
    ) -> Result<Self, crate::ConfigError> {
        self.settings.set_replay_guard(guard)?;
        Ok(self)
    }

    /// Reports every request to `observer` (one
    /// [`AuditEvent`](crate::observe::AuditEvent) each, before the handler
    /// runs) instead of the default: [`Audit`](crate::observe::Audit) with
    /// the `audit` feature, nothing without. `()` turns reporting off.
    pub fn with_observer(mut self, observer: impl crate::observe::Observer) -> Self {
        self.settings.set_observer(observer);
        self
    }

    /// Answers refusals with `rejection` instead of the default JSON.
    pub fn with_rejection<R2: RejectionResponse>(self, rejection: R2) -> VerifyWebhookLayer<R2> {
        VerifyWebhookLayer {
            settings: self.settings,
            rejection,
        }
    }
}

impl<S, R: Clone> Layer<S> for VerifyWebhookLayer<R> {
    type Service = VerifyWebhook<S, R>;

    fn layer(&self, inner: S) -> Self::Service {
        VerifyWebhook::new(inner, self.settings.clone(), self.rejection.clone())
    }
}
