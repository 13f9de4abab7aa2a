//! The durable store: SQLite in `state_dir/smppd.db`, WAL mode, `synchronous=FULL`.
//!
//! Writes go through one writer thread that takes every request waiting (up to
//! [`MAX_BATCH`]), runs them inside ONE transaction, commits once, and only then answers them
//! all: under load, many submissions share one fsync (group commit), and an answer is never
//! given for data that is not on disk. Reads use a separate connection (WAL lets it read while
//! the writer writes) on a reader thread of their own. The events a commit made durable are
//! then handed to the subscribers that are up to date, so that they need not read them back.
//!
//! A request that fails must undo only its own writes. Savepoints give that, but each copies
//! every page it touches into a statement journal, which cost a third of the writer's time.
//! So a batch first runs optimistically, without savepoints; only if some request fails is
//! the whole transaction rolled back and the batch run again, each request in its own
//! savepoint. Requests are therefore `FnMut`, run at most twice, and see only the database.

mod messages;
mod schema;
#[cfg(test)]
mod tests;

pub use messages::*;

use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc as std_mpsc};
use tokio::sync::{broadcast, oneshot};

/// Most write requests committed together.
pub const MAX_BATCH: usize = 1024;

/// Commits whose events a subscriber may fall behind by before it reads them from the
/// database instead ([`Store::committed_events`]).
const COMMITTED_EVENTS_KEPT: usize = 128;

/// The events one commit made durable, oldest first.
pub type CommittedEvents = Arc<[StoredEvent]>;

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

/// One write request on its way through the writer.
trait Job: Send {
    /// Runs the request (atomically, see [`in_savepoint`]), keeping its result.
    fn run(&mut self, conn: &Connection);
    /// Answers the requester once the batch's commit is known.
    fn finish(self: Box<Self>, commit: Result<(), String>);
    /// Whether the writer stops after this job's batch.
    fn closes(&self) -> bool {
        false
    }
    /// Whether a client waits for it (see [`Lanes`]).
    fn urgent(&self) -> bool {
        false
    }
}

/// Stops the writer after the batch it lands in (see [`Store::close`]).
struct Close;

impl Job for Close {
    fn run(&mut self, _: &Connection) {}
    fn finish(self: Box<Self>, _: Result<(), String>) {}
    fn closes(&self) -> bool {
        true
    }
}

struct Request<T, F> {
    f: F,
    result: Option<Result<T, StoreError>>,
    answer: oneshot::Sender<Result<T, StoreError>>,
    urgent: bool,
}

impl<T, F> Job for Request<T, F>
where
    T: Send,
    F: FnMut(&Connection) -> Result<T, StoreError> + Send,
{
    fn run(&mut self, conn: &Connection) {
        self.result = Some(in_savepoint(conn, &mut self.f));
    }
    fn urgent(&self) -> bool {
        self.urgent
    }

    fn finish(self: Box<Self>, commit: Result<(), String>) {
        let result = self.result.unwrap_or(Err(StoreError::Closed));
        let _ = self
            .answer
            .send(commit.map_err(StoreError::Commit).and(result));
    }
}

thread_local! {
    /// Set while the writer runs a batch optimistically (no savepoints).
    static OPTIMISTIC: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Set when something failed during an optimistic run: the batch must be run again.
    static SPOILED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// The events the open transaction inserted, handed to subscribers once it commits.
    static WRITTEN_EVENTS: std::cell::RefCell<Vec<StoredEvent>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Notes an event inserted in the open transaction (see [`Store::committed_events`]).
fn event_written(event: StoredEvent) {
    WRITTEN_EVENTS.with_borrow_mut(|events| events.push(event));
}

/// How many events the open transaction has inserted so far.
fn events_written() -> usize {
    WRITTEN_EVENTS.with_borrow(Vec::len)
}

/// Forgets the events inserted since there were `n`: their writes were undone.
fn events_undone(n: usize) {
    WRITTEN_EVENTS.with_borrow_mut(|events| events.truncate(n));
}

/// A read on its way to the reader thread.
type Read = Box<dyn FnOnce(&Connection) + Send>;

/// A handle on the store; cheap to clone.
#[derive(Clone)]
pub struct Store {
    jobs: std_mpsc::Sender<Box<dyn Job>>,
    reads: std_mpsc::Sender<Read>,
    last_event: Arc<AtomicI64>,
    committed: broadcast::Sender<CommittedEvents>,
    commits: Arc<AtomicU64>,
    path: PathBuf,
    /// The checkpointer thread, which ends after the writer with a final checkpoint.
    checkpointer: Arc<Mutex<Option<std::thread::JoinHandle<()>>>>,
    /// Checkpoints the writer completed so that the WAL starts over.
    #[cfg_attr(not(test), allow(dead_code, reason = "read by the tests only"))]
    wal_restarts: Arc<AtomicU64>,
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
    // Every request runs in a savepoint; its statement journal stays in memory rather than
    // spilling to a temporary file once a batch passes 64 KiB (a write per page otherwise).
    conn.pragma_update(None, "temp_store", "MEMORY")
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
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        schema::migrate(&mut writer).map_err(|e| StoreError::Open {
            path: path.clone(),
            message: format!("migrating the schema: {e}"),
        })?;
        let reader = open_connection(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let last: i64 = writer
            .query_row("SELECT coalesce(max(event_id), 0) FROM events", [], |r| {
                r.get(0)
            })
            .map_err(sql("reading the last event id"))?;
        let last_event = Arc::new(AtomicI64::new(last));
        let (committed, _) = broadcast::channel(COMMITTED_EVENTS_KEPT);
        let events = Published {
            last: last_event.clone(),
            committed: committed.clone(),
        };
        let (jobs, rx) = std_mpsc::channel::<Box<dyn Job>>();
        let commits = Arc::new(AtomicU64::new(0));
        let thread_commits = commits.clone();
        // Checkpoints (copying the WAL into the database file, and its fsync) run on their
        // own thread and connection: on the writer they stalled every commit behind them,
        // which was most of the submit latency's p99.
        writer
            .pragma_update(None, "wal_autocheckpoint", 0)
            .and_then(|()| writer.pragma_update(None, "journal_size_limit", WAL_KEEP_BYTES))
            .map_err(|e| StoreError::Open {
                path: path.clone(),
                message: e.to_string(),
            })?;
        let checkpointer = open_connection(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let (alive, writer_gone) = std_mpsc::channel::<()>();
        let start = |name: &str, f: Box<dyn FnOnce() + Send>| {
            std::thread::Builder::new()
                .name(name.into())
                .spawn(f)
                .map_err(|e| StoreError::Open {
                    path: path.clone(),
                    message: format!("starting the {name} thread: {e}"),
                })
        };
        let catch_up = Arc::new(AtomicU8::new(CATCH_UP_NONE));
        let writer_catch_up = catch_up.clone();
        let wal_restarts = Arc::new(AtomicU64::new(0));
        let writer_restarts = wal_restarts.clone();
        start(
            "smppd-store",
            Box::new(move || {
                let wal = Wal {
                    catch_up: &writer_catch_up,
                    restarts: &writer_restarts,
                };
                writer_loop(writer, rx, events, thread_commits, wal);
                // Ends the checkpointer: the store is closed.
                drop(alive);
            }),
        )?;
        // Reads run one at a time on a thread of their own: a blocking task each would wait
        // for the one connection on a thread each (hundreds under a burst of status requests).
        let (reads, read_rx) = std_mpsc::channel::<Read>();
        start(
            "smppd-read",
            Box::new(move || {
                while let Ok(read) = read_rx.recv() {
                    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        read(&reader);
                    }));
                    if ran.is_err() {
                        tracing::error!("store: a read panicked; it is answered as closed");
                    }
                }
            }),
        )?;
        let checkpointer = start(
            "smppd-ckpt",
            Box::new(move || checkpoint_loop(checkpointer, writer_gone, &catch_up)),
        )?;
        Ok(Store {
            jobs,
            reads,
            last_event,
            committed,
            commits,
            path,
            checkpointer: Arc::new(Mutex::new(Some(checkpointer))),
            wal_restarts,
        })
    }

    /// Commits so far (each shared by every write in its batch).
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// Times the writer caught up with the WAL so that it started over.
    #[cfg(test)]
    pub(crate) fn wal_restarts(&self) -> u64 {
        self.wal_restarts.load(Ordering::Relaxed)
    }

    /// The id of the newest committed event.
    pub fn last_event(&self) -> i64 {
        self.last_event.load(Ordering::Acquire)
    }

    /// The events of every commit from now on, as each commit makes them durable. A receiver
    /// that falls more than 128 commits behind (`COMMITTED_EVENTS_KEPT`) is told it lagged,
    /// and reads the ones it missed with [`Store::events_since`]. Subscribe before reading
    /// [`Store::last_event`] or the database: an event is either read there or received here
    /// (possibly both; its id tells).
    pub fn committed_events(&self) -> broadcast::Receiver<CommittedEvents> {
        self.committed.subscribe()
    }

    /// Stops the writer once the writes already asked for are committed, then copies the
    /// WAL into the database file and empties it, so that the next start has nothing to
    /// replay. Writes asked for afterwards, on any clone, fail with [`StoreError::Closed`].
    pub async fn close(&self) {
        if self.jobs.send(Box::new(Close)).is_err() {
            return;
        }
        let checkpointer = self
            .checkpointer
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(thread) = checkpointer {
            let joined = tokio::task::spawn_blocking(move || thread.join()).await;
            if !matches!(joined, Ok(Ok(()))) {
                tracing::error!(
                    "store: the checkpointer thread panicked; the next start replays the WAL"
                );
            }
        }
    }

    /// Runs `f` in the next group commit; returns its result once it is durable. `f` may run
    /// twice (the first run rolled back): it must act on the database only.
    pub async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnMut(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.send(f, false).await
    }

    /// As [`Store::write`], for a write that a client is waiting for: it goes into the
    /// next commit of such writes, ahead of the others (which then come in the commit after).
    pub async fn write_first<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnMut(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.send(f, true).await
    }

    async fn send<T, F>(&self, f: F, urgent: bool) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnMut(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (answer, rx) = oneshot::channel();
        let job = Box::new(Request {
            f,
            result: None,
            answer,
            urgent,
        });
        self.jobs.send(job).map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }

    /// Runs `f` on the read connection, on the reader thread.
    pub async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (answer, rx) = oneshot::channel();
        self.reads
            .send(Box::new(move |conn| {
                let _ = answer.send(f(conn));
            }))
            .map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }
}

/// Runs `f` atomically: its writes all stay or, if it fails, none do. In an optimistic run
/// that is the batch's business (a failure spoils the batch, which is then rolled back and
/// run again); otherwise `f` runs in a savepoint.
pub(crate) fn in_savepoint<T>(
    conn: &Connection,
    f: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    if OPTIMISTIC.get() {
        let result = f(conn);
        if result.is_err() {
            SPOILED.set(true);
        }
        return result;
    }
    run(conn, "SAVEPOINT job").map_err(sql("starting a savepoint"))?;
    let events = events_written();
    match f(conn) {
        Ok(value) => {
            run(conn, "RELEASE job").map_err(sql("releasing a savepoint"))?;
            Ok(value)
        }
        Err(e) => {
            events_undone(events);
            // If its writes cannot be undone, the request's failure spoils the whole batch:
            // the writer rolls the transaction back rather than commit part of a request.
            if let Err(undo) = run(conn, "ROLLBACK TO job").and_then(|_| run(conn, "RELEASE job")) {
                tracing::error!(error = %undo, "store: a failed request could not be undone");
                SPOILED.set(true);
            }
            Err(e)
        }
    }
}

/// Runs a statement without parameters, prepared once: parsing these on every request cost
/// more than running them.
fn run(conn: &Connection, statement: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached(statement)?.execute([])
}

/// Runs `batch` in the open transaction: optimistically first, then, if anything failed,
/// again from a clean transaction with a savepoint per request.
fn run_batch(conn: &Connection, batch: &mut [Box<dyn Job>]) -> Result<(), String> {
    OPTIMISTIC.set(true);
    SPOILED.set(false);
    for job in batch.iter_mut() {
        job.run(conn);
        if SPOILED.get() {
            break;
        }
    }
    OPTIMISTIC.set(false);
    if SPOILED.replace(false) {
        events_undone(0);
        run(conn, "ROLLBACK").map_err(|e| e.to_string())?;
        run(conn, "BEGIN IMMEDIATE").map_err(|e| e.to_string())?;
        for job in batch.iter_mut() {
            job.run(conn);
        }
        if SPOILED.replace(false) {
            return Err("a failed request's writes could not be undone".to_owned());
        }
    }
    Ok(())
}

/// How often the WAL is copied into the database file.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// WAL frames (pages) beyond which the writer is asked to finish a checkpoint itself, so that
/// the WAL starts over: 16 MiB of 4 KiB pages (a few pages in tests).
const WAL_RESTART_FRAMES: i64 = if cfg!(test) { 32 } else { 4096 };

/// WAL frames beyond which the writer finishes the checkpoint even while writes wait: 8 times
/// [`WAL_RESTART_FRAMES`], 128 MiB.
const WAL_FORCE_FRAMES: i64 = 8 * WAL_RESTART_FRAMES;

/// `catch_up`: nothing asked.
const CATCH_UP_NONE: u8 = 0;
/// `catch_up`: the writer should finish a checkpoint once no write waits.
const CATCH_UP_IDLE: u8 = 1;
/// `catch_up`: the writer should finish a checkpoint after its current batch.
const CATCH_UP_NOW: u8 = 2;

/// The size the WAL file is cut back to when it starts over (`journal_size_limit`).
const WAL_KEEP_BYTES: i64 = 64 * 1024 * 1024;

/// Checkpoints the WAL every [`CHECKPOINT_EVERY`] until the writer has stopped. PASSIVE: it
/// never waits for the writer or readers, and copies what it can.
///
/// The WAL starts over from its beginning only when a write begins after a checkpoint
/// copied all of it; under a steady load the writer always appends while this thread
/// copies, so that never happens by itself and the WAL would grow without end. Once it holds
/// [`WAL_RESTART_FRAMES`], this thread catches up once more and then raises `catch_up`: the
/// writer, the next time no write waits, copies the few frames written meanwhile, and its next
/// transaction starts the WAL over. That copy ends with the database file's sync, milliseconds
/// that every write arriving meanwhile would wait for; only a WAL past [`WAL_FORCE_FRAMES`]
/// (a writer never idle) makes the writer do it between two batches regardless.
fn checkpoint_loop(conn: Connection, writer_gone: std_mpsc::Receiver<()>, catch_up: &AtomicU8) {
    let checkpoint = || {
        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(1))
            .inspect_err(|e| tracing::warn!(error = %e, "store: WAL checkpoint failed; retried"))
    };
    while let Err(std_mpsc::RecvTimeoutError::Timeout) = writer_gone.recv_timeout(CHECKPOINT_EVERY)
    {
        if let Ok(frames) = checkpoint()
            && frames >= WAL_RESTART_FRAMES
            && checkpoint().is_ok()
        {
            let urgency = if frames >= WAL_FORCE_FRAMES {
                CATCH_UP_NOW
            } else {
                CATCH_UP_IDLE
            };
            catch_up.fetch_max(urgency, Ordering::AcqRel);
        }
    }
    // The writer has stopped: copy everything, so that the WAL is small at the next start.
    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())) {
        tracing::warn!(error = %e, "store: final WAL checkpoint failed; the next start replays the WAL");
    }
}

/// The writes waiting for the writer, in two lanes. A submission's answer waits for its
/// commit; acceptances and receipts only hold window slots and SMSC answers. When
/// submissions wait, the next commit is theirs alone, so that their wait is one short commit
/// rather than one that also carries every acceptance and receipt queued meanwhile; the
/// commit after it takes everything, so the other lane waits at most one such commit more.
#[derive(Default)]
struct Lanes {
    urgent: std::collections::VecDeque<Box<dyn Job>>,
    other: std::collections::VecDeque<Box<dyn Job>>,
    /// The last batch was urgent writes alone.
    urgent_only: bool,
}

impl Lanes {
    fn push(&mut self, job: Box<dyn Job>) {
        if job.urgent() {
            self.urgent.push_back(job);
        } else {
            self.other.push_back(job);
        }
    }

    fn len(&self) -> usize {
        self.urgent.len() + self.other.len()
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Up to [`MAX_BATCH`] writes: the urgent ones alone, or (after such a batch, or when
    /// there are none) urgent ones first, then the others, in the order they came. A close
    /// is in the other lane: everything asked before it is written before the writer stops.
    fn next_batch(&mut self) -> Vec<Box<dyn Job>> {
        let alone = !self.urgent_only && !self.urgent.is_empty() && !self.other.is_empty();
        self.urgent_only = alone;
        let n = self.urgent.len().min(MAX_BATCH);
        let mut batch: Vec<Box<dyn Job>> = self.urgent.drain(..n).collect();
        if !alone {
            let n = self.other.len().min(MAX_BATCH - batch.len());
            batch.extend(self.other.drain(..n));
        }
        batch
    }
}

/// The writer's share of a checkpoint, between two batches: no frame is appended meanwhile,
/// so it can copy all of them and the next transaction starts the WAL over. Busy (a reader on
/// an old snapshot, the checkpointer) is fine: the checkpointer asks again.
fn finish_checkpoint(conn: &Connection, restarts: &AtomicU64) {
    match conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
        ))
    }) {
        Ok((0, frames, copied)) if frames == copied => {
            restarts.fetch_add(1, Ordering::Relaxed);
        }
        Ok((busy, frames, copied)) => {
            tracing::debug!(busy, frames, copied, "store: WAL catch-up incomplete");
        }
        Err(e) => tracing::warn!(error = %e, "store: WAL catch-up failed"),
    }
}

/// What the writer shares with the checkpointer.
struct Wal<'a> {
    /// Raised by the checkpointer (`CATCH_UP_*`): the writer should finish a checkpoint.
    catch_up: &'a AtomicU8,
    /// Counts the checkpoints the writer finished.
    restarts: &'a AtomicU64,
}

/// Where the writer publishes the events it committed.
struct Published {
    /// The newest event's id.
    last: Arc<AtomicI64>,
    /// Each commit's events.
    committed: broadcast::Sender<CommittedEvents>,
}

impl Published {
    /// Publishes the events the transaction just committed.
    fn commit(&self) {
        let events: Vec<StoredEvent> = WRITTEN_EVENTS.with_borrow_mut(std::mem::take);
        if let Some(newest) = events.last() {
            // The id first: a subscriber that reads it after subscribing has the rest sent.
            self.last.store(newest.event_id, Ordering::Release);
            // No receiver (no subscriber up to date) is fine: they read the database.
            let _ = self.committed.send(events.into());
        }
    }
}

fn writer_loop(
    conn: Connection,
    jobs: std_mpsc::Receiver<Box<dyn Job>>,
    events: Published,
    commits: Arc<AtomicU64>,
    wal: Wal<'_>,
) {
    let commit_counter = metrics::counter!(crate::metrics::STORE_COMMITS);
    let batch_sizes = metrics::histogram!(crate::metrics::STORE_BATCH);
    let commit_times = metrics::histogram!(crate::metrics::STORE_COMMIT);
    let mut lanes = Lanes::default();
    let mut open = true;
    while open {
        if lanes.is_empty() {
            match jobs.recv() {
                Ok(job) => lanes.push(job),
                Err(_) => break,
            }
        }
        while lanes.len() < 2 * MAX_BATCH
            && let Ok(job) = jobs.try_recv()
        {
            lanes.push(job);
        }
        let mut batch = lanes.next_batch();
        let started = std::time::Instant::now();
        let committed = run(&conn, "BEGIN IMMEDIATE")
            .map_err(|e| e.to_string())
            .and_then(|_| run_batch(&conn, &mut batch))
            .and_then(|()| run(&conn, "COMMIT").map(|_| ()).map_err(|e| e.to_string()))
            .inspect_err(|e| {
                // Rolled back: every requester of the batch is told that nothing was written.
                tracing::error!(error = %e, "store: a transaction failed");
                if !conn.is_autocommit()
                    && let Err(e) = run(&conn, "ROLLBACK")
                {
                    tracing::error!(error = %e, "store: rolling back the failed transaction failed");
                }
            });
        commits.fetch_add(1, Ordering::Relaxed);
        commit_counter.increment(1);
        batch_sizes.record(batch.len() as f64);
        commit_times.record(started.elapsed());
        if committed.is_ok() {
            events.commit();
        } else {
            events_undone(0);
        }
        for job in batch {
            open &= !job.closes();
            job.finish(committed.clone());
        }
        let urgency = wal.catch_up.load(Ordering::Acquire);
        if urgency != CATCH_UP_NONE {
            // Writes that came meanwhile go first, unless the WAL is far too long.
            while lanes.len() < 2 * MAX_BATCH
                && let Ok(job) = jobs.try_recv()
            {
                lanes.push(job);
            }
            if (urgency == CATCH_UP_NOW || lanes.is_empty())
                && wal
                    .catch_up
                    .compare_exchange(urgency, CATCH_UP_NONE, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
            {
                finish_checkpoint(&conn, wal.restarts);
            }
        }
    }
}
