//! Progress reports while a run is under way (a CLI prints them; a service may log them).

use std::sync::Arc;
use std::time::Duration;

/// Something that happened during [`Migrator::run`](super::Migrator::run).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Event<'a> {
    /// The migration lock is held by another session; the runner polls until `lock_wait`.
    WaitingForLock { holder: Option<&'a str> },
    /// The lock is ours; the history was (re-)read.
    LockAcquired,
    /// A migration starts.
    Applying { file: &'a str, transactional: bool },
    /// A migration (or, without a transaction, one of its statements) hit `lock_timeout` and
    /// will be tried again after `delay`.
    Retrying {
        file: &'a str,
        attempt: u32,
        delay: Duration,
    },
    /// A migration committed.
    Applied { file: &'a str, duration: Duration },
    /// A migration's down part starts (`down_to`).
    Reverting { file: &'a str, transactional: bool },
    /// A migration's down part committed and its history row is gone.
    Reverted { file: &'a str, duration: Duration },
    /// The schema differs from the snapshot the runner took after its last change, and
    /// `allow_drift` lets the run go on; `differences` is how many objects differ.
    DriftAllowed { differences: usize },
}

/// A callback receiving [`Event`]s.
pub(crate) type Listener = Arc<dyn Fn(Event<'_>) + Send + Sync>;
