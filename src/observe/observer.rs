//! Who hears about each request.

use std::sync::Arc;

use super::AuditEvent;

/// Receives the [`AuditEvent`] of every request an adapter decides on.
///
/// It runs on the request path, so it must be quick and must not block:
/// hand slow work (such as a network call) to a queue, as
/// [`SiemForwarder`](crate::observe::siem::SiemForwarder) does.
///
/// Implemented for `()` (nothing), closures, `Arc`s and `Option`s of
/// observers, and pairs
/// and triples of observers (each hears every event, in order).
///
/// ```
/// use cognigy_webhook::observe::{AuditEvent, Observer};
///
/// let print = |event: &AuditEvent<'_>| println!("{} {:?}", event.outcome.as_str(), event.reason_code());
/// let _both = (print, ());
/// ```
pub trait Observer: Send + Sync + 'static {
    /// Hears one request's event.
    fn observe(&self, event: &AuditEvent<'_>);
}

impl Observer for () {
    fn observe(&self, _: &AuditEvent<'_>) {}
}

impl<F> Observer for F
where
    F: Fn(&AuditEvent<'_>) + Send + Sync + 'static,
{
    fn observe(&self, event: &AuditEvent<'_>) {
        self(event);
    }
}

impl<O: Observer + ?Sized> Observer for Arc<O> {
    fn observe(&self, event: &AuditEvent<'_>) {
        (**self).observe(event);
    }
}

/// `None` hears nothing: for observers that are configured or not (such as a
/// SIEM forwarder only when an endpoint is set).
impl<O: Observer> Observer for Option<O> {
    fn observe(&self, event: &AuditEvent<'_>) {
        if let Some(observer) = self {
            observer.observe(event);
        }
    }
}

impl<A: Observer, B: Observer> Observer for (A, B) {
    fn observe(&self, event: &AuditEvent<'_>) {
        self.0.observe(event);
        self.1.observe(event);
    }
}

impl<A: Observer, B: Observer, C: Observer> Observer for (A, B, C) {
    fn observe(&self, event: &AuditEvent<'_>) {
        self.0.observe(event);
        self.1.observe(event);
        self.2.observe(event);
    }
}
