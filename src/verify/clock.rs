//! Where "now" comes from, so that tests never sleep.

use std::time::SystemTime;

/// A source of the current time for the timestamp window.
///
/// Implemented by [`SystemClock`] (the default), [`FixedClock`], and any
/// `Fn() -> SystemTime + Send + Sync` closure.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use cognigy_webhook::clock::{Clock, FixedClock};
///
/// let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// assert_eq!(FixedClock::new(at).now(), at);
/// let closure = move || at;
/// assert_eq!(closure.now(), at);
/// ```
pub trait Clock: Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The operating system's wall clock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock stopped at one instant: for tests, known-answer vectors and
/// offline checks such as the CLI's `--now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock(SystemTime);

impl FixedClock {
    /// A clock that always answers `at`.
    pub const fn new(at: SystemTime) -> Self {
        FixedClock(at)
    }
}

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        self.0
    }
}

impl<F> Clock for F
where
    F: Fn() -> SystemTime + Send + Sync + 'static,
{
    fn now(&self) -> SystemTime {
        self()
    }
}
