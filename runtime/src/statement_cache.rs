//! Per-connection cache of prepared statements, keyed by the query's SQL text.

use std::collections::HashMap;
use std::sync::Mutex;

/// Prepared statements of one connection. Keys are the address and length of the query's
/// `&'static str` SQL: generated SQL lives in statics, so equal keys mean equal text, and
/// hashing two words is cheaper than hashing the SQL on every call.
pub(crate) struct StatementCache<S> {
    map: Mutex<HashMap<(usize, usize), S>>,
}

impl<S: Clone> StatementCache<S> {
    pub(crate) fn new() -> Self {
        Self {
            map: Mutex::new(HashMap::new()),
        }
    }

    fn key(sql: &'static str) -> (usize, usize) {
        (sql.as_ptr() as usize, sql.len())
    }

    pub(crate) fn get(&self, sql: &'static str) -> Option<S> {
        self.lock().get(&Self::key(sql)).cloned()
    }

    pub(crate) fn insert(&self, sql: &'static str, statement: S) {
        self.lock().insert(Self::key(sql), statement);
    }

    /// Only the async client re-prepares a statement the server lost.
    #[cfg(feature = "async")]
    pub(crate) fn remove(&self, sql: &'static str) {
        self.lock().remove(&Self::key(sql));
    }

    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }

    pub(crate) fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(usize, usize), S>> {
        // A panic while holding the lock cannot leave the map half-updated (single inserts),
        // so a poisoned lock is still safe to use.
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }
}
