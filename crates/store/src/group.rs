//! Group commit: many small write transactions from concurrent requests run
//! as savepoints inside one database transaction, so one commit (one fsync
//! on SQLite with `synchronous=FULL`) serves a whole group.
//!
//! Each job runs in its own savepoint: a job that fails rolls back alone and
//! gets its own error. Answers are delivered only after the group's commit,
//! so no caller sees success for a write (or a logged read) that is not
//! durable; if the commit fails, every job of the group gets the error.

use crate::{DbConn, StoreError};
use diesel::r2d2::{ManageConnection, Pool};
use diesel::Connection;
use std::any::Any;
use std::sync::{mpsc, Arc, RwLock};

/// Delivers a job's result once the group's fate is known.
pub(crate) type Deliver = Box<dyn FnOnce(Result<(), String>) + Send>;
/// Work a successful job leaves for the end of the group (e.g. access-log
/// entries), handed to the [`Finisher`] in one call.
pub(crate) type Deferred = Box<dyn Any + Send>;
/// A job: runs on the group's connection, returns its deliverer and any
/// deferred work.
pub(crate) type Job = Box<dyn FnOnce(&mut DbConn) -> (Deliver, Option<Deferred>) + Send>;
/// Runs deferred work at the end of the group, inside its transaction: each
/// finisher takes out of the list the items it knows (the access log its
/// entries, the governance log its entries) and leaves the rest. If one fails,
/// the whole group rolls back and every job fails; so does an item no finisher
/// took.
pub type Finisher =
    Box<dyn Fn(&mut DbConn, &mut Vec<Box<dyn Any + Send>>) -> Result<(), String> + Send + Sync>;

/// The finishers installed, in the order they run.
pub(crate) type Finishers = Arc<RwLock<Vec<Finisher>>>;

/// Takes the items of type `T` out of `deferred`, in order, leaving the others.
pub fn take_deferred<T: 'static>(deferred: &mut Vec<Box<dyn Any + Send>>) -> Vec<T> {
    let mut taken = Vec::new();
    let mut rest = Vec::with_capacity(deferred.len());
    for d in deferred.drain(..) {
        match d.downcast::<T>() {
            Ok(t) => taken.push(*t),
            Err(other) => rest.push(other),
        }
    }
    *deferred = rest;
    taken
}

/// Most jobs in one group.
const MAX_GROUP: usize = 512;

/// Handle to the committer thread.
pub(crate) struct GroupCommitter {
    tx: mpsc::Sender<Job>,
}

impl GroupCommitter {
    /// Starts the committer thread on `pool` (the writer pool).
    pub(crate) fn start<M>(pool: Pool<M>, finisher: Finishers) -> Self
    where
        M: ManageConnection<Connection = DbConn>,
    {
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("datacoop-group-commit".into())
            .spawn(move || run(pool, rx, finisher))
            .map(|_| ())
            .unwrap_or_else(
                |e| tracing::error!(error = %e, "cannot start the group-commit thread"),
            );
        GroupCommitter { tx }
    }

    /// Queues a job; `Err` when the committer is gone.
    pub(crate) fn submit(&self, job: Job) -> Result<(), StoreError> {
        self.tx
            .send(job)
            .map_err(|_| StoreError::Unavailable("the group-commit thread has stopped".into()))
    }
}

fn run<M>(pool: Pool<M>, rx: mpsc::Receiver<Job>, finisher: Finishers)
where
    M: ManageConnection<Connection = DbConn>,
{
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let mut conn = match pool.get() {
            Ok(c) => c,
            Err(e) => {
                // Dropping the jobs closes their answer channels: each caller
                // gets "unavailable, retry" and nothing ran.
                tracing::warn!(error = %e, jobs = jobs.len(), "database unavailable; group dropped");
                continue;
            }
        };
        let conn: &mut DbConn = &mut conn;
        let mut delivers = Vec::with_capacity(jobs.len());
        let outcome = conn.transaction(|c| -> Result<(), StoreError> {
            let mut deferred = Vec::new();
            for job in jobs.drain(..) {
                let (deliver, extra) = job(c);
                delivers.push(deliver);
                deferred.extend(extra);
            }
            if !deferred.is_empty() {
                let finishers = finisher
                    .read()
                    .map_err(|_| StoreError::Task("the finishers' lock is poisoned".into()))?;
                for finish in finishers.iter() {
                    finish(c, &mut deferred).map_err(StoreError::Task)?;
                }
                if !deferred.is_empty() {
                    return Err(StoreError::Task(format!(
                        "{} deferred item(s) that no installed finisher takes",
                        deferred.len()
                    )));
                }
            }
            Ok(())
        });
        let commit = outcome.map_err(|e| format!("group commit failed: {e}"));
        for d in delivers {
            d(commit.clone());
        }
    }
}
