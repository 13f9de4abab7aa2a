//! The simulator handle: listener, session registry, receipt scheduler, runtime knobs.

use crate::SimError;
use crate::config::{Delay, DlrConfig, Faults, SimConfig};
use crate::dlr::DlrJob;
use crate::mo::{self, MoMessage};
use crate::session::{self, Command, Outbound, SessionGuard};
use crate::stats::{Counters, Histogram, SessionCounters, SessionInfo, Stats, SubmitHistogram};
use crate::throttle::RateWindow;
use smppd_codec::{CommandStatus, Pdu};
use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::{mpsc, oneshot};
use tokio::task::{JoinHandle, JoinSet};

/// How a session is bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BindKind {
    /// bind_transmitter: the ESME submits.
    Transmitter,
    /// bind_receiver: the SMSC delivers.
    Receiver,
    /// bind_transceiver: both.
    Transceiver,
}

impl BindKind {
    /// Whether the ESME may submit on this session.
    pub fn transmits(self) -> bool {
        matches!(self, BindKind::Transmitter | BindKind::Transceiver)
    }

    /// Whether the SMSC may deliver (receipts, MO) on this session.
    pub fn receives(self) -> bool {
        matches!(self, BindKind::Receiver | BindKind::Transceiver)
    }
}

/// One `submit_sm` as received, when recording is on ([`Simulator::received_submits`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedSubmit {
    /// The session it came on ([`SessionInfo::id`]).
    pub session: u64,
    /// The session's bound `system_id` (empty if it was not bound).
    pub system_id: Arc<str>,
    /// When the read that brought it completed.
    pub at: Instant,
    /// The PDU as decoded.
    pub pdu: Pdu,
    /// The message id given in the response, if it was accepted.
    pub message_id: Option<String>,
    /// The response's status; `None` if the response was dropped on purpose.
    pub status: Option<CommandStatus>,
}

/// A running SMSC simulator. Dropping it stops it like [`Simulator::shutdown`], without
/// waiting.
#[derive(Debug)]
pub struct Simulator {
    shared: Arc<Shared>,
    local_addr: SocketAddr,
    tasks: Mutex<Option<Tasks>>,
}

#[derive(Debug)]
struct Tasks {
    accept: JoinHandle<()>,
    scheduler: JoinHandle<()>,
    sessions: Arc<Mutex<JoinSet<()>>>,
}

/// What the tasks share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub config: SimConfig,
    pub start: Instant,
    pub counters: Counters,
    pub histogram: Histogram,
    pub record: AtomicBool,
    pub recorded: Mutex<Vec<ReceivedSubmit>>,
    pub dlr_tx: mpsc::UnboundedSender<Vec<DlrJob>>,
    faults: Mutex<Arc<Faults>>,
    first_message_id: u64,
    next_message_id: AtomicU64,
    registry: Mutex<Registry>,
    round_robin: AtomicUsize,
    closed: AtomicBool,
}

#[derive(Debug, Default)]
struct Registry {
    sessions: BTreeMap<u64, Entry>,
    windows: HashMap<Arc<str>, Arc<RateWindow>>,
}

#[derive(Debug)]
struct Entry {
    peer: SocketAddr,
    bound: Option<(Arc<str>, BindKind)>,
    tx: mpsc::UnboundedSender<Command>,
    counters: Arc<SessionCounters>,
}

/// What a successful bind hands the session.
#[derive(Debug)]
pub(crate) struct Bound {
    pub kind: BindKind,
    pub system_id: Arc<str>,
    pub window: Arc<RateWindow>,
}

impl Simulator {
    /// Starts listening on `config.listen` and serving.
    pub async fn start(config: SimConfig) -> Result<Simulator, SimError> {
        let addr = config.listen;
        let listen_error = |source| SimError::Listen { addr, source };
        let socket = if addr.is_ipv4() {
            TcpSocket::new_v4()
        } else {
            TcpSocket::new_v6()
        }
        .map_err(listen_error)?;
        // A restarted simulator must get its port back while the old connections linger in
        // TIME_WAIT.
        socket.set_reuseaddr(true).map_err(listen_error)?;
        socket.bind(addr).map_err(listen_error)?;
        let listener = socket.listen(1024).map_err(listen_error)?;
        let local_addr = listener.local_addr().map_err(listen_error)?;

        let start = Instant::now();
        let first_id = config.first_message_id.unwrap_or_else(clock_id_base);
        let (dlr_tx, dlr_rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            faults: Mutex::new(Arc::new(Faults::from_config(&config))),
            record: AtomicBool::new(config.record),
            config,
            start,
            counters: Counters::default(),
            histogram: Histogram::new(start),
            recorded: Mutex::default(),
            dlr_tx,
            first_message_id: first_id,
            next_message_id: AtomicU64::new(first_id),
            registry: Mutex::default(),
            round_robin: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
        });
        let sessions = Arc::new(Mutex::new(JoinSet::new()));
        let accept = tokio::spawn(accept_loop(shared.clone(), listener, sessions.clone()));
        let scheduler = tokio::spawn(receipt_scheduler(shared.clone(), dlr_rx));
        tracing::info!(%local_addr, "SMSC simulator listening");
        Ok(Simulator {
            shared,
            local_addr,
            tasks: Mutex::new(Some(Tasks {
                accept,
                scheduler,
                sessions,
            })),
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops at once, like a killed SMSC: closes the listener and every connection without
    /// `unbind`, and forgets pending receipts. When it returns, the port is free for a new
    /// simulator.
    pub async fn shutdown(&self) {
        self.shared.closed.store(true, Relaxed);
        let Some(tasks) = lock(&self.tasks).take() else {
            return;
        };
        tasks.accept.abort();
        tasks.scheduler.abort();
        let _ = tasks.accept.await;
        let _ = tasks.scheduler.await;
        let mut sessions = std::mem::take(&mut *lock(&tasks.sessions));
        sessions.shutdown().await;
        tracing::info!(local_addr = %self.local_addr, "SMSC simulator stopped");
    }

    /// The counters so far. Cheap: a load of each atomic.
    pub fn stats(&self) -> Stats {
        self.shared.counters.snapshot()
    }

    /// The open sessions.
    pub fn sessions(&self) -> Vec<SessionInfo> {
        let registry = lock(&self.shared.registry);
        registry
            .sessions
            .iter()
            .map(|(&id, e)| SessionInfo {
                id,
                peer: e.peer,
                system_id: e.bound.as_ref().map(|(s, _)| s.to_string()),
                bind: e.bound.as_ref().map(|(_, k)| *k),
                outstanding: e.counters.outstanding.load(Relaxed),
                max_outstanding: e.counters.max_outstanding.load(Relaxed),
                submit_sm: e.counters.submit_sm.load(Relaxed),
            })
            .collect()
    }

    /// `submit_sm` arrivals per 100 ms since the start (the last ten minutes of them).
    pub fn submit_histogram(&self) -> SubmitHistogram {
        self.shared.histogram.snapshot()
    }

    /// Every `submit_sm` received while recording was on, in arrival order per session (and in
    /// read-batch order across sessions).
    pub fn received_submits(&self) -> Vec<ReceivedSubmit> {
        lock(&self.shared.recorded).clone()
    }

    /// Like [`Simulator::received_submits`], emptying the record.
    pub fn take_received_submits(&self) -> Vec<ReceivedSubmit> {
        std::mem::take(&mut *lock(&self.shared.recorded))
    }

    /// Turns recording on or off.
    pub fn set_record(&self, on: bool) {
        self.shared.record.store(on, Relaxed);
    }

    /// Delivers a mobile-originated message (each part a `deliver_sm`) on a bound receiver or
    /// transceiver session, chosen round-robin, and waits for the `deliver_sm_resp` of every
    /// part; returns their statuses in the order the parts were sent. Bound the wait with
    /// `tokio::time::timeout` if the ESME may not answer.
    pub async fn inject_mo(&self, mo: MoMessage) -> Result<Vec<CommandStatus>, SimError> {
        self.inject_mo_parts(mo, None).await
    }

    /// [`inject_mo`](Self::inject_mo), sending only the parts whose sequence numbers
    /// (1-based, as in the UDH) are in `only` (`None`: all): a message that is never
    /// completed, or completed in two goes.
    pub async fn inject_mo_parts(
        &self,
        mo: MoMessage,
        only: Option<&[u8]>,
    ) -> Result<Vec<CommandStatus>, SimError> {
        if self.shared.closed.load(Relaxed) {
            return Err(SimError::ShutDown);
        }
        let mut parts = mo::deliver_sms(&mo)?;
        if let Some(only) = only {
            // A concatenated part's UDH is 05 00 03 ref total seq.
            parts.retain(|p| {
                mo.concat.is_none() || p.short_message.get(5).is_some_and(|seq| only.contains(seq))
            });
        }
        let Some((_, tx)) = self.shared.pick_receiver(mo.system_id.as_deref()) else {
            return Err(SimError::NoReceiver {
                system_id: mo.system_id,
            });
        };
        let mut answers = Vec::with_capacity(parts.len());
        let outbound = parts
            .into_iter()
            .map(|body| {
                let (reply, answer) = oneshot::channel();
                answers.push(answer);
                Outbound::Mo(body, reply)
            })
            .collect();
        tx.send(Command::Deliver(outbound))
            .map_err(|_| SimError::SessionClosed)?;
        let mut statuses = Vec::with_capacity(answers.len());
        for answer in answers {
            statuses.push(answer.await.map_err(|_| SimError::SessionClosed)?);
        }
        Ok(statuses)
    }

    /// Closes every open session abruptly; the listener stays open.
    pub fn disconnect_all(&self) {
        self.shared.broadcast(|| Command::Disconnect);
    }

    /// Writes 16 octets of garbage (a header whose `command_length` is 7) to every open
    /// session.
    pub fn send_garbage(&self) {
        self.shared.broadcast(|| Command::Garbage);
    }

    /// Answers `ESME_RTHROTTLED` beyond `limit` `submit_sm` per second and `system_id`
    /// (`None`: no limit).
    pub fn set_throttle(&self, limit: Option<u32>) {
        self.shared.update_faults(|f| f.throttle = limit);
    }

    /// Delays responses from now on.
    pub fn set_response_delay(&self, delay: Delay) {
        self.shared.update_faults(|f| f.response_delay = delay);
    }

    /// Never answers this fraction (0.0-1.0) of `submit_sm` and `data_sm` from now on.
    pub fn set_drop_ratio(&self, ratio: f64) {
        self.shared
            .update_faults(|f| f.drop_ratio = ratio.clamp(0.0, 1.0));
    }

    /// Refuses binds (`ESME_RBINDFAIL`) or accepts them again.
    pub fn set_refuse_binds(&self, refuse: bool) {
        self.shared.update_faults(|f| f.refuse_binds = refuse);
    }

    /// Closes sessions when they have received `n` PDUs (counted from their start).
    pub fn set_disconnect_after_pdus(&self, n: Option<u64>) {
        self.shared.update_faults(|f| f.disconnect_after_pdus = n);
    }

    /// Sends garbage once a session has received `n` PDUs.
    pub fn set_garbage_after_pdus(&self, n: Option<u64>) {
        self.shared.update_faults(|f| f.garbage_after_pdus = n);
    }

    /// Closes sessions that connect from now on this long after they connected.
    pub fn set_disconnect_every(&self, every: Option<Duration>) {
        self.shared.update_faults(|f| f.disconnect_every = every);
    }

    /// Changes how receipts are made, for `submit_sm` received from now on.
    pub fn set_dlr(&self, dlr: DlrConfig) {
        self.shared.update_faults(|f| f.dlr = dlr);
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.shared.closed.store(true, Relaxed);
        if let Some(tasks) = lock(&self.tasks).take() {
            tasks.accept.abort();
            tasks.scheduler.abort();
            // Dropping the set aborts every session.
            drop(std::mem::take(&mut *lock(&tasks.sessions)));
        }
    }
}

impl Shared {
    /// The fault knobs in force, for one read batch.
    pub(crate) fn faults(&self) -> Arc<Faults> {
        lock(&self.faults).clone()
    }

    fn update_faults(&self, change: impl FnOnce(&mut Faults)) {
        let mut faults = lock(&self.faults);
        let mut next = Faults::clone(&faults);
        change(&mut next);
        *faults = Arc::new(next);
    }

    pub(crate) fn next_message_id(&self) -> u64 {
        self.next_message_id.fetch_add(1, Relaxed)
    }

    /// Whether `id` is one this simulator has given out.
    pub(crate) fn issued(&self, id: u64) -> bool {
        id >= self.first_message_id && id < self.next_message_id.load(Relaxed)
    }

    /// Marks session `id` bound as `system_id`, unless that would exceed `max_binds`.
    pub(crate) fn try_bind(&self, id: u64, system_id: &str, kind: BindKind) -> Option<Bound> {
        let mut registry = lock(&self.registry);
        let bound_already = registry
            .sessions
            .values()
            .filter(|e| e.bound.as_ref().is_some_and(|(s, _)| &**s == system_id))
            .count();
        if self
            .config
            .max_binds
            .is_some_and(|max| bound_already >= max)
        {
            return None;
        }
        let (system_id, window) = match registry.windows.get_key_value(system_id) {
            Some((s, w)) => (s.clone(), w.clone()),
            None => {
                let s: Arc<str> = system_id.into();
                let w = Arc::new(RateWindow::default());
                registry.windows.insert(s.clone(), w.clone());
                (s, w)
            }
        };
        let entry = registry.sessions.get_mut(&id)?;
        entry.bound = Some((system_id.clone(), kind));
        Some(Bound {
            kind,
            system_id,
            window,
        })
    }

    fn receivers(&self, system_id: Option<&str>) -> Vec<(u64, mpsc::UnboundedSender<Command>)> {
        lock(&self.registry)
            .sessions
            .iter()
            .filter(|(_, e)| {
                e.bound.as_ref().is_some_and(|(s, kind)| {
                    kind.receives() && system_id.is_none_or(|want| &**s == want)
                })
            })
            .map(|(&id, e)| (id, e.tx.clone()))
            .collect()
    }

    fn pick_receiver(
        &self,
        system_id: Option<&str>,
    ) -> Option<(u64, mpsc::UnboundedSender<Command>)> {
        let mut receivers = self.receivers(system_id);
        if receivers.is_empty() {
            return None;
        }
        let i = self.round_robin.fetch_add(1, Relaxed) % receivers.len();
        Some(receivers.swap_remove(i))
    }

    fn broadcast(&self, command: impl Fn() -> Command) {
        for entry in lock(&self.registry).sessions.values() {
            let _ = entry.tx.send(command());
        }
    }

    /// Hands receipts to receiver sessions of their `system_id`, round-robin; returns those
    /// that found none.
    pub(crate) fn dispatch_receipts(&self, jobs: Vec<DlrJob>) -> Vec<DlrJob> {
        let mut by_system: HashMap<Arc<str>, Vec<DlrJob>> = HashMap::new();
        for job in jobs {
            by_system
                .entry(job.system_id.clone())
                .or_default()
                .push(job);
        }
        let mut left = Vec::new();
        for (system_id, jobs) in by_system {
            let receivers = self.receivers(Some(&system_id));
            if receivers.is_empty() {
                left.extend(jobs);
                continue;
            }
            let first = self.round_robin.fetch_add(jobs.len(), Relaxed);
            let mut per_session: Vec<Vec<Outbound>> =
                receivers.iter().map(|_| Vec::new()).collect();
            for (i, job) in jobs.into_iter().enumerate() {
                per_session[(first + i) % receivers.len()].push(Outbound::Dlr(job));
            }
            for ((_, tx), outbound) in receivers.iter().zip(per_session) {
                if outbound.is_empty() {
                    continue;
                }
                if let Err(mpsc::error::SendError(Command::Deliver(back))) =
                    tx.send(Command::Deliver(outbound))
                {
                    left.extend(back.into_iter().filter_map(Outbound::into_receipt));
                }
            }
        }
        left
    }

    pub(crate) fn unregister(&self, id: u64) {
        lock(&self.registry).sessions.remove(&id);
    }
}

/// A std mutex whose poisoning is ignored: every critical section here leaves the data valid.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// A first message id that a simulator started later will not reach again: microseconds since
/// the epoch times 1000 leaves room for 1000 ids per microsecond of uptime.
fn clock_id_base() -> u64 {
    let micros = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64);
    micros.saturating_mul(1000)
}

async fn accept_loop(
    shared: Arc<Shared>,
    listener: TcpListener,
    sessions: Arc<Mutex<JoinSet<()>>>,
) {
    let mut next_id = 1u64;
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of descriptors and the like: wait instead of spinning.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let id = next_id;
        next_id += 1;
        let (tx, rx) = mpsc::unbounded_channel();
        let counters = Arc::new(SessionCounters::default());
        lock(&shared.registry).sessions.insert(
            id,
            Entry {
                peer,
                bound: None,
                tx,
                counters: counters.clone(),
            },
        );
        Counters::add(&shared.counters.connections, 1);
        Counters::add(&shared.counters.sessions_open, 1);
        tracing::debug!(session = id, %peer, "connection accepted");
        // The guard is created here, so that a session aborted before its first poll still
        // leaves the registry.
        let guard = SessionGuard::new(shared.clone(), id, counters);
        let mut set = lock(&sessions);
        while set.try_join_next().is_some() {}
        set.spawn(session::run(guard, stream, peer, rx));
    }
}

/// A receipt in the scheduler's queue, earliest first.
#[derive(Debug)]
struct Due(DlrJob, u64);

impl PartialEq for Due {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Due {}
impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Due {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.0.due, self.1).cmp(&(other.0.due, other.1))
    }
}

/// Holds receipts until they are due, then hands them to receiver sessions; a receipt that
/// finds no receiver bound is tried again every 100 ms until one binds.
async fn receipt_scheduler(shared: Arc<Shared>, mut rx: mpsc::UnboundedReceiver<Vec<DlrJob>>) {
    const RETRY: Duration = Duration::from_millis(100);
    let mut queue: BinaryHeap<Reverse<Due>> = BinaryHeap::new();
    let mut order = 0u64;
    let max = shared.config.max_pending_receipts;
    let mut push = |queue: &mut BinaryHeap<Reverse<Due>>, job: DlrJob| {
        if queue.len() >= max {
            Counters::add(&shared.counters.dlrs_discarded, 1);
            return;
        }
        order += 1;
        queue.push(Reverse(Due(job, order)));
    };
    loop {
        let next = queue.peek().map(|Reverse(d)| d.0.due);
        tokio::select! {
            jobs = rx.recv() => match jobs {
                Some(jobs) => jobs.into_iter().for_each(|job| push(&mut queue, job)),
                None => return,
            },
            () = tokio::time::sleep_until(next.unwrap_or_else(Instant::now).into()), if next.is_some() => {
                let now = Instant::now();
                let mut due = Vec::new();
                while queue.peek().is_some_and(|Reverse(d)| d.0.due <= now) {
                    if let Some(Reverse(Due(job, _))) = queue.pop() {
                        due.push(job);
                    }
                }
                for mut job in shared.dispatch_receipts(due) {
                    job.due = now + RETRY;
                    push(&mut queue, job);
                }
            }
        }
    }
}
