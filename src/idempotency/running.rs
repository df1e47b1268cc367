//! The keys this process is answering now.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
};

use super::IdempotencyError;

/// Tells a retry that arrives at this process while the first request runs
/// here that it does, at once. Across instances the key's row lock tells
/// it; within one this also covers SQLite, where the first request's
/// transaction holds the database's write lock and a retry would wait for
/// it rather than hear 409.
#[derive(Default)]
pub struct Running(Mutex<HashSet<(String, String)>>);

/// A key marked running until this is dropped, however the request ends.
pub struct RunningKey {
    running: Arc<Running>,
    id: (String, String),
}

impl Running {
    /// Marks `key` of `scope` running; [`IdempotencyError::InFlight`] when
    /// it already is.
    pub fn start(self: &Arc<Self>, scope: &str, key: &str) -> Result<RunningKey, IdempotencyError> {
        let id = (scope.to_owned(), key.to_owned());
        if !self.keys().insert(id.clone()) {
            return Err(IdempotencyError::InFlight);
        }
        Ok(RunningKey {
            running: Arc::clone(self),
            id,
        })
    }

    fn keys(&self) -> std::sync::MutexGuard<'_, HashSet<(String, String)>> {
        // A panic while the set was held left it whole: every change to it
        // is one insert or one remove.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for RunningKey {
    fn drop(&mut self) {
        self.running.keys().remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_runs_once_at_a_time_per_scope() {
        let running = Arc::new(Running::default());
        let first = running.start("anonymous", "k").expect("a new key runs");
        assert!(matches!(
            running.start("anonymous", "k"),
            Err(IdempotencyError::InFlight)
        ));
        let other_scope = running.start("user:1", "k").expect("another caller's key");
        drop(first);
        drop(other_scope);
        running
            .start("anonymous", "k")
            .expect("free again once ended");
    }
}
