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

    /// Whether [`observe`](Observer::observe) does anything; `true` unless
    /// overridden. The adapters neither time nor describe requests for an
    /// observer that hears nothing (`()`, `None`), so switching observation
    /// off costs nothing.
    fn is_listening(&self) -> bool {
        true
    }
}

impl std::fmt::Debug for dyn Observer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Observer(..)")
    }
}

impl Observer for () {
    fn observe(&self, _: &AuditEvent<'_>) {}

    fn is_listening(&self) -> bool {
        false
    }
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

    fn is_listening(&self) -> bool {
        (**self).is_listening()
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

    fn is_listening(&self) -> bool {
        self.as_ref().is_some_and(Observer::is_listening)
    }
}

impl<A: Observer, B: Observer> Observer for (A, B) {
    fn observe(&self, event: &AuditEvent<'_>) {
        self.0.observe(event);
        self.1.observe(event);
    }

    fn is_listening(&self) -> bool {
        self.0.is_listening() || self.1.is_listening()
    }
}

impl<A: Observer, B: Observer, C: Observer> Observer for (A, B, C) {
    fn observe(&self, event: &AuditEvent<'_>) {
        self.0.observe(event);
        self.1.observe(event);
        self.2.observe(event);
    }

    fn is_listening(&self) -> bool {
        self.0.is_listening() || self.1.is_listening() || self.2.is_listening()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_observers_that_hear_something_are_listening() {
        let hears = |_: &AuditEvent<'_>| {};
        assert!(!().is_listening());
        assert!(!None::<fn(&AuditEvent<'_>)>.is_listening());
        assert!(!Some(()).is_listening());
        assert!(!Arc::new(()).is_listening());
        assert!(!((), ()).is_listening());
        assert!(!((), (), None::<()>).is_listening());
        assert!(hears.is_listening());
        assert!(Some(hears).is_listening());
        assert!(((), hears).is_listening());
        assert!((hears, ()).is_listening());
        assert!(((), (), hears).is_listening());
        let shared: Arc<dyn Observer> = Arc::new(((), Some(hears)));
        assert!(shared.is_listening());
    }
}
