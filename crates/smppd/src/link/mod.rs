//! A link: one carrier SMSC, its ordered queue of submissions, and the pace that its sessions
//! share (token bucket and throttling reaction). Sessions pull work from here; nothing is
//! pushed at a session, so a session that goes down simply stops pulling and its unanswered
//! work comes back into the queue at its original place.

use crate::config::LinkConfig;
use crate::metrics::LinkMetrics;
use crate::throttle::{Adaptive, TokenBucket};
use queue::JobQueue;
use smppd_codec::{COctetString, CommandStatus, SubmitSm};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

mod queue;

/// How many times a submission is sent again after no answer or a transient error (other than
/// throttling, which is retried for as long as it lasts) before it is reported failed.
pub const MAX_ATTEMPTS: u32 = 5;

/// Identifies one `submit_sm` to whoever queued it: a message and the index of its segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SegmentId {
    /// The gateway's message id.
    pub message: u64,
    /// 0-based segment index within the message.
    pub part: u16,
}

/// A `submit_sm` waiting for, or out on, a session.
#[derive(Debug, Clone)]
pub struct Job {
    /// Place in the link's queue: lower goes first, also when sent again.
    order: u64,
    /// Which segment this is.
    pub id: SegmentId,
    /// The PDU body to send.
    pub sm: SubmitSm,
    /// Sends so far that ended without an answer or with a transient error.
    pub attempts: u32,
    /// When its message was received and until when it may be sent.
    pub timing: Timing,
}

/// When a message's segments were received (or resumed after a restart), for the
/// submission latency metric, and when its validity runs out: a segment still queued then
/// is failed rather than sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// When the submission arrived (or was resumed).
    pub received: Instant,
    /// The end of its validity, if it has one.
    pub expires: Option<Instant>,
}

impl Timing {
    /// Received at `now`, valid until sent.
    pub fn now(now: Instant) -> Self {
        Timing {
            received: now,
            expires: None,
        }
    }

    fn expired(&self, now: Instant) -> bool {
        self.expires.is_some_and(|at| at <= now)
    }
}

/// Accepted submissions of one session whose acceptance is not yet durably recorded. They
/// count against the session's window: after a crash, such a submission is sent again, so
/// bounding them bounds the duplicates a crash can cause to the windows' size.
#[derive(Debug, Default)]
pub struct Unrecorded {
    count: AtomicUsize,
    recorded: tokio::sync::Notify,
}

impl Unrecorded {
    /// How many there are.
    pub fn count(&self) -> usize {
        self.count.load(Ordering::Acquire)
    }

    /// Resolves when one more has been recorded.
    pub async fn recorded(&self) {
        self.recorded.notified().await;
    }
}

/// Held until an acceptance is durably recorded; dropping it frees the window slot.
#[derive(Debug)]
pub struct Recorded(Arc<Unrecorded>);

impl Recorded {
    /// Counts one more unrecorded acceptance against `unrecorded`.
    pub fn new(unrecorded: &Arc<Unrecorded>) -> Self {
        unrecorded.count.fetch_add(1, Ordering::AcqRel);
        Recorded(unrecorded.clone())
    }
}

impl Drop for Recorded {
    fn drop(&mut self) {
        self.0.count.fetch_sub(1, Ordering::AcqRel);
        self.0.recorded.notify_one();
    }
}

/// The final word on one segment.
#[derive(Debug)]
pub enum Outcome {
    /// The SMSC accepted it with this id.
    Accepted {
        /// Which segment.
        id: SegmentId,
        /// The link that sent it.
        link: Arc<str>,
        /// The SMSC's message id.
        smsc_id: COctetString,
        /// Drop once the acceptance is durably recorded: until then it holds a window slot.
        recorded: Recorded,
    },
    /// It will not be sent: refused permanently, or out of attempts.
    Failed {
        /// Which segment.
        id: SegmentId,
        /// The link that tried.
        link: Arc<str>,
        /// Why, as the spec's status (or `ESME_RUNKNOWNERR` for "never answered").
        status: CommandStatus,
        /// A sentence for the operator.
        reason: String,
    },
}

/// What [`Link::take`] gives a session.
#[derive(Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "returned by value once per submission; boxing would allocate per message"
)]
pub enum Take {
    /// Send this.
    Job(Job),
    /// Nothing to send before this time (paused or out of tokens).
    Until(Instant),
    /// The queue is empty.
    Empty,
    /// This one's validity ran out while it waited: hand it to [`Link::expired`].
    Expired(Job),
}

#[derive(Debug)]
struct LinkState {
    queue: JobQueue,
    next_order: u64,
    bucket: Option<TokenBucket>,
    adaptive: Adaptive,
    /// Accepted submissions in the current and the previous second, to estimate the rate.
    accepted_this_second: (Instant, u64),
    accepted_last_second: u64,
    /// Queued jobs with a validity: [`Link::expire`] has nothing to look for when 0.
    expiring: usize,
}

/// One carrier link, shared by its session tasks.
#[derive(Debug)]
pub struct Link {
    /// Its configuration.
    pub config: Arc<LinkConfig>,
    /// Its name, shared into outcomes.
    pub name: Arc<str>,
    state: Mutex<LinkState>,
    /// Bumped whenever work may have become available; sessions wait on it.
    work: watch::Sender<u64>,
    sessions_up: AtomicUsize,
    outcomes: mpsc::Sender<Outcome>,
    /// The link's metric handles.
    pub metrics: LinkMetrics,
}

impl Link {
    /// A link with an empty queue, reporting outcomes on `outcomes`.
    pub fn new(config: LinkConfig, outcomes: mpsc::Sender<Outcome>, now: Instant) -> Self {
        let max_rate = (config.max_tps > 0).then_some(f64::from(config.max_tps));
        let window = config.window as usize;
        Link {
            name: Arc::from(config.name.as_str()),
            metrics: LinkMetrics::new(&config.name),
            state: Mutex::new(LinkState {
                queue: JobQueue::default(),
                next_order: 0,
                bucket: max_rate.map(|rate| TokenBucket::new(rate, now)),
                adaptive: Adaptive::new(max_rate, window, now),
                accepted_this_second: (now, 0),
                accepted_last_second: 0,
                expiring: 0,
            }),
            config: Arc::new(config),
            work: watch::Sender::new(0),
            sessions_up: AtomicUsize::new(0),
            outcomes,
        }
    }

    fn lock(&self) -> MutexGuard<'_, LinkState> {
        // A panic while holding the lock would be a bug in this file; the state stays usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn wake(&self) {
        self.work.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// A receiver for "work may be available" signals.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.work.subscribe()
    }

    /// Queues the segments of one message, in order, behind everything already queued,
    /// received now and without a validity of smppd's own.
    pub fn enqueue(&self, segments: impl IntoIterator<Item = (SegmentId, SubmitSm)>) {
        self.enqueue_with(segments, Timing::now(Instant::now()));
    }

    /// Queues the segments of one message, in order, behind everything already queued.
    pub fn enqueue_with(
        &self,
        segments: impl IntoIterator<Item = (SegmentId, SubmitSm)>,
        timing: Timing,
    ) {
        let mut state = self.lock();
        for (id, sm) in segments {
            let order = state.next_order;
            state.next_order += 1;
            state.queue.push_new(Job {
                order,
                id,
                sm,
                attempts: 0,
                timing,
            });
            if timing.expires.is_some() {
                state.expiring += 1;
            }
        }
        self.metrics.queued.set(state.queue.len() as f64);
        drop(state);
        self.wake();
    }

    /// Submissions waiting to be sent.
    pub fn queued(&self) -> usize {
        self.lock().queue.len()
    }

    /// Sessions currently bound for transmitting.
    pub fn sessions_up(&self) -> usize {
        self.sessions_up.load(Ordering::Relaxed)
    }

    pub(crate) fn session_up(&self) {
        let up = self.sessions_up.fetch_add(1, Ordering::Relaxed) + 1;
        self.metrics.sessions.set(up as f64);
    }

    pub(crate) fn session_down(&self) {
        let up = self.sessions_up.fetch_sub(1, Ordering::Relaxed) - 1;
        self.metrics.sessions.set(up as f64);
    }

    /// The per-session window in force (narrowed while the carrier throttles).
    pub fn window(&self) -> usize {
        self.lock().adaptive.window()
    }

    /// The next submission to send, if the link's pace allows one now.
    pub fn take(&self, now: Instant) -> Take {
        let mut state = self.lock();
        if let Some(until) = state.adaptive.paused_until(now) {
            return Take::Until(until);
        }
        let Some(first) = state.queue.first() else {
            return Take::Empty;
        };
        // Checked before the pace: an expired job is not sent, so it costs no token.
        let expired = first.timing.expired(now);
        if !expired
            && let Some(bucket) = state.bucket.as_mut()
            && let Err(until) = bucket.try_take(now)
        {
            return Take::Until(until);
        }
        let Some(job) = state.queue.pop_first() else {
            return Take::Empty;
        };
        if job.timing.expires.is_some() {
            state.expiring = state.expiring.saturating_sub(1);
        }
        self.metrics.queued.set(state.queue.len() as f64);
        if expired {
            Take::Expired(job)
        } else {
            Take::Job(job)
        }
    }

    /// Fails every queued job whose validity has run out by `now` (also while no session
    /// is up to take them). Returns how many.
    pub async fn expire(&self, now: Instant) -> usize {
        let expired: Vec<Job> = {
            let mut state = self.lock();
            if state.expiring == 0 {
                return 0;
            }
            let jobs = state.queue.take_where(|job| job.timing.expired(now));
            state.expiring = state.expiring.saturating_sub(jobs.len());
            self.metrics.queued.set(state.queue.len() as f64);
            jobs
        };
        let n = expired.len();
        for job in expired {
            self.expired(job).await;
        }
        n
    }

    /// `job`'s validity ran out before it could be sent: it fails.
    pub async fn expired(&self, job: Job) {
        let reason = "its validity ran out before it could be sent".to_owned();
        self.fail(job, CommandStatus::ESME_RUNKNOWNERR, reason)
            .await;
    }

    /// Puts a job back at its original place in the queue (its session could not send it,
    /// or it must be sent again).
    pub fn requeue(&self, job: Job) {
        let mut state = self.lock();
        if job.timing.expires.is_some() {
            state.expiring += 1;
        }
        state.queue.put_back(job);
        self.metrics.queued.set(state.queue.len() as f64);
        drop(state);
        self.wake();
    }

    /// The SMSC accepted `job`; `recorded` is released once the acceptance is stored.
    pub async fn accepted(
        &self,
        job: Job,
        smsc_id: COctetString,
        recorded: Recorded,
        now: Instant,
    ) {
        {
            let mut state = self.lock();
            let (start, count) = state.accepted_this_second;
            if now.saturating_duration_since(start) >= Duration::from_secs(1) {
                state.accepted_last_second = count;
                state.accepted_this_second = (now, 1);
            } else {
                state.accepted_this_second.1 += 1;
            }
            if state.adaptive.accepted(now) {
                let rate = state.adaptive.rate().or(self.configured_rate());
                self.apply_rate(&mut state, rate, now);
            }
        }
        self.metrics.accepted.increment(1);
        self.metrics
            .submit_latency
            .record(now.saturating_duration_since(job.timing.received));
        self.report(Outcome::Accepted {
            id: job.id,
            link: self.name.clone(),
            smsc_id,
            recorded,
        })
        .await;
    }

    /// The SMSC refused `job` with `status`: throttling pauses the link and sends it again;
    /// other transient errors send it again a few times; the rest fail it.
    pub async fn refused(&self, mut job: Job, status: CommandStatus, now: Instant) {
        if status.is_throttling() {
            {
                let mut state = self.lock();
                let observed = state.accepted_last_second.max(state.accepted_this_second.1);
                state.adaptive.throttled(now, observed as f64);
                let rate = state.adaptive.rate();
                self.apply_rate(&mut state, rate, now);
            }
            self.metrics.throttled.increment(1);
            return self.requeue(job);
        }
        job.attempts += 1;
        if status.is_transient() && job.attempts < MAX_ATTEMPTS {
            self.metrics.retried.increment(1);
            return self.requeue(job);
        }
        let reason = format!("refused by the SMSC with {status}");
        self.fail(job, status, reason).await;
    }

    /// `job` went unanswered (timeout, or its session closed): send it again, a few times.
    pub async fn unanswered(&self, mut job: Job) {
        job.attempts += 1;
        if job.attempts < MAX_ATTEMPTS {
            self.metrics.retried.increment(1);
            return self.requeue(job);
        }
        let reason = format!("no response from the SMSC after {} attempts", job.attempts);
        self.fail(job, CommandStatus::ESME_RUNKNOWNERR, reason)
            .await;
    }

    async fn fail(&self, job: Job, status: CommandStatus, reason: String) {
        self.metrics.failed.increment(1);
        self.report(Outcome::Failed {
            id: job.id,
            link: self.name.clone(),
            status,
            reason,
        })
        .await;
    }

    async fn report(&self, outcome: Outcome) {
        if self.outcomes.send(outcome).await.is_err() {
            tracing::error!(link = %self.name, "outcome receiver gone; outcome not recorded");
        }
    }

    fn configured_rate(&self) -> Option<f64> {
        (self.config.max_tps > 0).then_some(f64::from(self.config.max_tps))
    }

    /// Paces the link at `rate` (or not at all), and reports it on the rate-limit gauge.
    fn apply_rate(&self, state: &mut LinkState, rate: Option<f64>, now: Instant) {
        match (rate, state.bucket.as_mut()) {
            (Some(rate), Some(bucket)) => bucket.set_rate(rate, now),
            (Some(rate), None) => state.bucket = Some(TokenBucket::new(rate, now)),
            (None, _) => state.bucket = None,
        }
        self.metrics.rate_limit.set(rate.unwrap_or(0.0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::LinkConfig;

    fn sm() -> SubmitSm {
        SubmitSm {
            destination_addr: "447700900123".into(),
            short_message: "hi".into(),
            ..SubmitSm::default()
        }
    }

    fn id(message: u64) -> SegmentId {
        SegmentId { message, part: 0 }
    }

    #[tokio::test]
    async fn a_job_whose_validity_ran_out_is_failed_not_taken() {
        let (tx, mut outcomes) = mpsc::channel(10);
        let start = Instant::now();
        let link = Link::new(LinkConfig::new("l", "127.0.0.1:1", "id", "pw"), tx, start);
        let soon = Timing {
            received: start,
            expires: Some(start + Duration::from_secs(1)),
        };
        link.enqueue_with([(id(1), sm())], soon);
        link.enqueue_with([(id(2), sm())], Timing::now(start));
        link.enqueue_with([(id(3), sm())], soon);
        // Before the end of its validity, a job goes out as usual.
        let Take::Job(first) = link.take(start) else {
            panic!("job 1 is valid")
        };
        assert_eq!(first.id, id(1));
        link.requeue(first);
        // After it, taking skips to the valid job, handing over the expired one to be failed.
        let later = start + Duration::from_secs(2);
        let Take::Expired(expired) = link.take(later) else {
            panic!("job 1 has expired")
        };
        link.expired(expired).await;
        let Take::Job(valid) = link.take(later) else {
            panic!("job 2 has no validity of its own")
        };
        assert_eq!(valid.id, id(2));
        // The sweep fails what is left without a session taking it.
        assert_eq!(link.expire(later).await, 1);
        assert_eq!(link.queued(), 0);
        assert_eq!(link.expire(later).await, 0);
        for expected in [1, 3] {
            match outcomes.recv().await {
                Some(Outcome::Failed {
                    id: got, reason, ..
                }) => {
                    assert_eq!(got, id(expected));
                    assert!(reason.contains("validity"), "{reason}");
                }
                other => panic!("{other:?}"),
            }
        }
    }
}
