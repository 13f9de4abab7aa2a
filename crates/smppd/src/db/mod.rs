//! The durable store: SQLite in `state_dir/smppd.db`, WAL mode, `synchronous=FULL`.
//!
//! Writes go through one writer thread that takes every request waiting (up to
//! [`MAX_BATCH`]), runs each in its own savepoint inside ONE transaction, commits once, and
//! only then answers them all: under load, many submissions share one fsync (group commit),
//! and an answer is never given for data that is not on disk. Reads use a separate connection
//! (WAL lets it read while the writer writes) on the blocking thread pool.

mod messages;
mod schema;
#[cfg(test)]
mod tests;

pub use messages::*;

use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc as std_mpsc};
use tokio::sync::{oneshot, watch};

/// Most write requests committed together.
pub const MAX_BATCH: usize = 1024;

/// What went wrong in the store.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// Opening or migrating the database failed.
    #[error("opening {path}: {message}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// SQLite's message.
        message: String,
    },
    /// A statement failed.
    #[error("{operation}: {message}")]
    Sql {
        /// What was being done.
        operation: &'static str,
        /// SQLite's message.
        message: String,
    },
    /// The commit that would have made a write durable failed.
    #[error("commit failed: {0}")]
    Commit(String),
    /// The writer thread has stopped (the daemon is shutting down).
    #[error("the store is closed")]
    Closed,
}

/// Adds the operation's name to a SQLite error.
pub(crate) fn sql(operation: &'static str) -> impl Fn(rusqlite::Error) -> StoreError {
    move |e| StoreError::Sql {
        operation,
        message: e.to_string(),
    }
}

type Completion = Box<dyn FnOnce(Result<(), String>) + Send>;
type Job = Box<dyn FnOnce(&Connection) -> Completion + Send>;

/// A handle on the store; cheap to clone.
#[derive(Clone)]
pub struct Store {
    jobs: std_mpsc::Sender<Job>,
    reader: Arc<Mutex<Connection>>,
    last_event: watch::Receiver<i64>,
    commits: Arc<AtomicU64>,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

fn open_connection(path: &Path, flags: OpenFlags) -> Result<Connection, StoreError> {
    let err = |e: rusqlite::Error| StoreError::Open {
        path: path.to_owned(),
        message: e.to_string(),
    };
    let conn = Connection::open_with_flags(path, flags).map_err(err)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(err)?;
    // WAL lets readers run beside the writer; FULL syncs the WAL at every commit, so an
    // acknowledged submission survives a power cut, not just a crash.
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(err)?;
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(err)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(err)?;
    // Room for every statement the store runs, so that none is prepared twice.
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

impl Store {
    /// Opens (creating and migrating if needed) `state_dir/smppd.db` and starts the writer.
    pub fn open(state_dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(state_dir).map_err(|e| StoreError::Open {
            path: state_dir.to_owned(),
            message: e.to_string(),
        })?;
        let path = state_dir.join("smppd.db");
        let mut writer = open_connection(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        )?;
        schema::migrate(&mut writer).map_err(|e| StoreError::Open {
            path: path.clone(),
            message: format!("migrating the schema: {e}"),
        })?;
        let reader = open_connection(&path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        let last: i64 = writer
            .query_row("SELECT coalesce(max(event_id), 0) FROM events", [], |r| {
                r.get(0)
            })
            .map_err(sql("reading the last event id"))?;
        let (event_tx, last_event) = watch::channel(last);
        let (jobs, rx) = std_mpsc::channel::<Job>();
        let commits = Arc::new(AtomicU64::new(0));
        let thread_commits = commits.clone();
        std::thread::Builder::new()
            .name("smppd-store".into())
            .spawn(move || writer_loop(writer, rx, event_tx, thread_commits))
            .map_err(|e| StoreError::Open {
                path: path.clone(),
                message: format!("starting the writer thread: {e}"),
            })?;
        Ok(Store {
            jobs,
            reader: Arc::new(Mutex::new(reader)),
            last_event,
            commits,
            path,
        })
    }

    /// Commits so far (each shared by every write in its batch).
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// The id of the newest event; changes whenever events are committed.
    pub fn last_event(&self) -> watch::Receiver<i64> {
        self.last_event.clone()
    }

    /// Runs `f` in the next group commit; returns its result once it is durable.
    pub async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |conn: &Connection| {
            let result = in_savepoint(conn, f);
            Box::new(move |commit: Result<(), String>| {
                let _ = tx.send(commit.map_err(StoreError::Commit).and(result));
            })
        });
        self.jobs.send(job).map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }

    /// Runs `f` on the read connection, off the async runtime.
    pub async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let reader = self.reader.clone();
        tokio::task::spawn_blocking(move || {
            let conn = reader.lock().unwrap_or_else(|e| e.into_inner());
            f(&conn)
        })
        .await
        .map_err(|_| StoreError::Closed)?
    }
}

/// Runs one request in a savepoint, so that its failure undoes only its own writes.
pub(crate) fn in_savepoint<T>(
    conn: &Connection,
    f: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    conn.execute_batch("SAVEPOINT job")
        .map_err(sql("starting a savepoint"))?;
    match f(conn) {
        Ok(value) => {
            conn.execute_batch("RELEASE job")
                .map_err(sql("releasing a savepoint"))?;
            Ok(value)
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK TO job; RELEASE job");
            Err(e)
        }
    }
}

fn writer_loop(
    conn: Connection,
    jobs: std_mpsc::Receiver<Job>,
    last_event: watch::Sender<i64>,
    commits: Arc<AtomicU64>,
) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
            // Dropping the jobs answers each requester with `Closed`: nothing was written.
            tracing::error!(error = %e, "store: cannot begin a transaction");
            continue;
        }
        let completions: Vec<Completion> = batch.into_iter().map(|job| job(&conn)).collect();
        let committed = conn.execute_batch("COMMIT").map_err(|e| {
            let _ = conn.execute_batch("ROLLBACK");
            e.to_string()
        });
        commits.fetch_add(1, Ordering::Relaxed);
        if committed.is_ok()
            && let Ok(last) =
                conn.query_row("SELECT coalesce(max(event_id), 0) FROM events", [], |r| {
                    r.get::<_, i64>(0)
                })
        {
            last_event.send_if_modified(|v| {
                let changed = *v != last;
                *v = last;
                changed
            });
        }
        for completion in completions {
            completion(committed.clone());
        }
    }
}
