//! The layer: configuration, applied to an inner service.

use std::sync::Arc;
use std::time::Duration;

use tower_layer::Layer;

use super::service::Shared;
use super::{JsonRejection, RejectionResponse, VerifyWebhook};
use crate::Verifier;
use crate::adapter::Settings;

/// Verifies webhook deliveries before the inner service sees them.
///
/// Defaults: bodies up to [`DEFAULT_BODY_LIMIT`](crate::limits::DEFAULT_BODY_LIMIT),
/// a read timeout of [`DEFAULT_READ_TIMEOUT`](crate::limits::DEFAULT_READ_TIMEOUT), only
/// `POST` accepted, refusals answered as JSON by [`JsonRejection`], each
/// request reported to [`Audit`](crate::observe::Audit) when the `audit`
/// feature is on.
#[derive(Debug, Clone)]
#[must_use]
pub struct VerifyWebhookLayer<R = JsonRejection> {
    /// The configuration every service made by the layer shares.
    shared: Arc<Shared<R>>,
}

impl VerifyWebhookLayer {
    /// A layer verifying with `verifier`.
    pub fn new(verifier: Verifier) -> Self {
        VerifyWebhookLayer {
            shared: Arc::new(Shared::new(Settings::new(verifier), JsonRejection)),
        }
    }
}

impl<R: Clone> VerifyWebhookLayer<R> {
    /// The settings, to change (copied first if a clone of this layer shares
    /// them).
    fn settings_mut(&mut self) -> &mut Settings {
        &mut Arc::make_mut(&mut self.shared).settings
    }

    /// Refuses bodies over `bytes` with 413 `body_too_large`: at once when
    /// `Content-Length` says so, otherwise as soon as the streamed body passes
    /// the limit, never buffering more than the limit. With the `axum`
    /// feature this is also the limit of axum's body extractors (`Bytes`,
    /// `String`, `Json`) for the requests the layer passes on, whatever a
    /// `DefaultBodyLimit` outside the layer says (one inside it, on the
    /// routes the layer wraps, still applies). A limit outside the layer that
    /// cuts a streamed body off (tower-http's `RequestBodyLimitLayer`) is
    /// answered 413 `body_too_large` as well.
    pub fn with_body_limit(mut self, bytes: usize) -> Self {
        self.settings_mut().body_limit = bytes;
        self
    }

    /// Refuses with 408 `body_timeout` when the whole body has not arrived
    /// within `timeout` instead of the default 10 s (a guard against slow
    /// senders). Needs a Tokio runtime with the time driver, as axum and
    /// hyper servers have.
    pub fn with_read_timeout(mut self, timeout: Duration) -> Self {
        self.settings_mut().read_timeout = Some(timeout);
        self
    }

    /// Accepts every method instead of refusing all but `POST` with 405
    /// `method_not_allowed`.
    pub fn with_any_method(mut self) -> Self {
        self.settings_mut().post_only = false;
        self
    }

    /// Runs the inner service for a verified delivery in a Tokio task of its
    /// own, so that a sender hanging up (or a timeout outside this layer)
    /// does not cancel it: it finishes, and its answer keeps or releases the
    /// replay record as for a sender that waits.
    ///
    /// Without it, a cancelled handler releases the record so the sender's
    /// retry runs. A handler that has done its work before its last `.await`
    /// can then be made to do it again by anyone who holds a copy of the
    /// delivery and hangs up in time — choose this when the handler has side
    /// effects. Needs a Tokio runtime (elsewhere the handler runs in place).
    pub fn with_detached_handler(mut self) -> Self {
        self.settings_mut().detached = true;
        self
    }

    /// Refuses (or acknowledges) deliveries seen before, recording each
    /// verified delivery in the guard's store before the handler runs, and
    /// releasing it again when the handler answers 5xx, 408 or 429, fails,
    /// panics or is cancelled. Fails when
    /// the guard does not fit the verifier (a signature nonce for a profile
    /// without signatures).
    #[cfg(feature = "replay")]
    pub fn with_replay_guard(
        mut self,
        guard: crate::replay::ReplayGuard,
    ) -> Result<Self, crate::ConfigError> {
        self.settings_mut().set_replay_guard(guard)?;
        Ok(self)
    }

    /// Reports every request to `observer` (one
    /// [`AuditEvent`](crate::observe::AuditEvent) each, before the handler
    /// runs) instead of the default: [`Audit`](crate::observe::Audit) with
    /// the `audit` feature, nothing without. `()` turns reporting off.
    pub fn with_observer(mut self, observer: impl crate::observe::Observer) -> Self {
        self.settings_mut().set_observer(observer);
        self
    }

    /// Answers refusals with `rejection` instead of the default JSON.
    pub fn with_rejection<R2: RejectionResponse>(self, rejection: R2) -> VerifyWebhookLayer<R2> {
        VerifyWebhookLayer {
            shared: Arc::new(Shared::new(self.shared.settings.clone(), rejection)),
        }
    }
}

impl<S, R> Layer<S> for VerifyWebhookLayer<R> {
    type Service = VerifyWebhook<S, R>;

    fn layer(&self, inner: S) -> Self::Service {
        VerifyWebhook {
            inner,
            shared: Arc::clone(&self.shared),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Profile, Secret};

    #[test]
    fn services_share_the_layers_configuration_and_changes_copy_it() {
        let verifier = Verifier::new(Profile::hex_millis(), Secret::new("s3cr3t").unwrap());
        let layer = VerifyWebhookLayer::new(verifier);
        // axum clones the layer and calls `layer` for every request on a
        // router without state: that must not rebuild anything.
        let first = layer.layer(());
        let second = layer.clone().layer(());
        assert!(Arc::ptr_eq(&first.shared, &second.shared));

        let changed = layer.clone().with_body_limit(5);
        assert!(!Arc::ptr_eq(&changed.shared, &layer.shared));
        assert_eq!(changed.shared.settings.body_limit, 5);
        assert_eq!(
            layer.shared.settings.body_limit,
            crate::limits::DEFAULT_BODY_LIMIT
        );
    }
}
