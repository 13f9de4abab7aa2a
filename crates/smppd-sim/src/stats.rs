//! Counters kept with atomics, their snapshots, and the histogram of `submit_sm` arrivals.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

/// A snapshot of the simulator's counters since it started ([`crate::Simulator::stats`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// TCP connections accepted.
    pub connections: u64,
    /// Connections open now.
    pub sessions_open: u64,
    /// Binds answered `ESME_ROK`.
    pub binds_accepted: u64,
    /// Binds answered with an error.
    pub binds_refused: u64,
    /// `submit_sm` received (throttled, dropped and refused ones included).
    pub submit_sm: u64,
    /// `data_sm` received.
    pub data_sm: u64,
    /// `query_sm` received.
    pub query_sm: u64,
    /// `cancel_sm`, `replace_sm` and `submit_multi` received.
    pub other_requests: u64,
    /// `enquire_link` received.
    pub enquire_links: u64,
    /// `unbind` received.
    pub unbinds: u64,
    /// Responses to the ESME's requests written (error responses and `generic_nack` included).
    pub responses_sent: u64,
    /// `submit_sm` answered `ESME_RTHROTTLED`.
    pub throttled: u64,
    /// Requests deliberately never answered (`drop_ratio`).
    pub dropped: u64,
    /// `generic_nack` sent.
    pub generic_nacks: u64,
    /// Delivery receipts (`deliver_sm`) sent.
    pub dlrs_sent: u64,
    /// Receipts discarded because `max_pending_receipts` were already waiting.
    pub dlrs_discarded: u64,
    /// MO `deliver_sm` sent (one per part).
    pub mos_sent: u64,
    /// `deliver_sm_resp` received.
    pub deliver_sm_resps: u64,
    /// Sessions closed on purpose (`disconnect_*`, `disconnect_all`).
    pub disconnects_injected: u64,
    /// Garbage writes.
    pub garbage_sent: u64,
    /// Requests received and not yet answered, over all open sessions (dropped ones excluded).
    pub outstanding: u64,
    /// The most requests ever outstanding at once on any one session.
    pub max_outstanding: u64,
}

/// One session as seen now ([`crate::Simulator::sessions`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// The simulator's id of the session (also in [`crate::ReceivedSubmit`]).
    pub id: u64,
    /// The ESME's address.
    pub peer: SocketAddr,
    /// The bound `system_id`, once bound.
    pub system_id: Option<String>,
    /// The bind type, once bound.
    pub bind: Option<crate::BindKind>,
    /// Requests received and not yet answered.
    pub outstanding: u64,
    /// The most requests outstanding at once so far.
    pub max_outstanding: u64,
    /// `submit_sm` received.
    pub submit_sm: u64,
}

macro_rules! counters {
    ($($field:ident),* $(,)?) => {
        /// The live counters behind [`Stats`].
        #[derive(Debug, Default)]
        pub(crate) struct Counters {
            $(pub $field: AtomicU64,)*
            pub outstanding: AtomicU64,
            pub max_outstanding: AtomicU64,
        }

        /// A session's increments not yet added to [`Counters`]: flushed once per batch.
        #[derive(Debug, Default)]
        pub(crate) struct Local {
            $(pub $field: u64,)*
        }

        impl Counters {
            pub(crate) fn snapshot(&self) -> Stats {
                Stats {
                    $($field: self.$field.load(Relaxed),)*
                    outstanding: self.outstanding.load(Relaxed),
                    max_outstanding: self.max_outstanding.load(Relaxed),
                }
            }

            pub(crate) fn flush(&self, local: &mut Local) {
                $(
                    if local.$field > 0 {
                        self.$field.fetch_add(local.$field, Relaxed);
                        local.$field = 0;
                    }
                )*
            }
        }
    };
}

counters!(
    connections,
    sessions_open,
    binds_accepted,
    binds_refused,
    submit_sm,
    data_sm,
    query_sm,
    other_requests,
    enquire_links,
    unbinds,
    responses_sent,
    throttled,
    dropped,
    generic_nacks,
    dlrs_sent,
    dlrs_discarded,
    mos_sent,
    deliver_sm_resps,
    disconnects_injected,
    garbage_sent,
);

impl Counters {
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Relaxed);
    }
}

/// Per-session counters, published once per read batch.
#[derive(Debug, Default)]
pub(crate) struct SessionCounters {
    pub outstanding: AtomicU64,
    pub max_outstanding: AtomicU64,
    pub submit_sm: AtomicU64,
}

/// `submit_sm` arrivals per 100 ms since the simulator started ([`crate::Simulator::submit_histogram`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmitHistogram {
    /// The width of a bucket.
    pub bucket: Duration,
    /// The index of `counts[0]`: it covers `first_bucket * bucket` to `(first_bucket + 1) *
    /// bucket` after the start. Older buckets have been forgotten.
    pub first_bucket: u64,
    /// Arrivals per bucket, up to the last one with an arrival.
    pub counts: Vec<u64>,
}

impl SubmitHistogram {
    /// All arrivals still in the histogram.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The most arrivals in any `window` (a whole number of buckets), sliding one bucket at a
    /// time: e.g. the most `submit_sm` in any one second, to within one bucket's width.
    pub fn max_in_window(&self, window: Duration) -> u64 {
        let width = (window.as_nanos() / self.bucket.as_nanos()).max(1) as usize;
        let mut sum: u64 = self.counts.iter().take(width).sum();
        let mut max = sum;
        for i in width..self.counts.len() {
            sum = sum + self.counts[i] - self.counts[i - width];
            max = max.max(sum);
        }
        max
    }

    /// Arrivals per whole second since the start (second `i` is `per_second()[i - offset]`
    /// where `offset` is `first_bucket` in seconds, rounded down).
    pub fn per_second(&self) -> Vec<u64> {
        let per = (Duration::from_secs(1).as_nanos() / self.bucket.as_nanos()).max(1) as u64;
        let offset = self.first_bucket % per;
        let mut out = Vec::new();
        for (i, n) in self.counts.iter().enumerate() {
            let second = ((i as u64 + offset) / per) as usize;
            if out.len() <= second {
                out.resize(second + 1, 0);
            }
            out[second] += n;
        }
        out
    }
}

/// The live histogram: one short lock per read batch.
#[derive(Debug)]
pub(crate) struct Histogram {
    start: Instant,
    inner: Mutex<HistogramInner>,
}

#[derive(Debug, Default)]
struct HistogramInner {
    first: u64,
    counts: VecDeque<u64>,
}

impl Histogram {
    pub(crate) const BUCKET: Duration = Duration::from_millis(100);
    /// Ten minutes of 100 ms buckets.
    const CAPACITY: usize = 6000;

    pub(crate) fn new(start: Instant) -> Self {
        Histogram {
            start,
            inner: Mutex::default(),
        }
    }

    pub(crate) fn add(&self, at: Instant, n: u64) {
        if n == 0 {
            return;
        }
        let bucket = (at.saturating_duration_since(self.start).as_millis()
            / Self::BUCKET.as_millis()) as u64;
        let mut h = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if h.counts.is_empty() {
            h.first = bucket;
        }
        // Batches from several sessions may arrive slightly out of order: count a late one in
        // its own bucket if it is still kept.
        let Some(index) = bucket.checked_sub(h.first) else {
            return;
        };
        let index = index as usize;
        if index >= h.counts.len() {
            h.counts.resize(index + 1, 0);
        }
        h.counts[index] += n;
        while h.counts.len() > Self::CAPACITY {
            h.counts.pop_front();
            h.first += 1;
        }
    }

    pub(crate) fn snapshot(&self) -> SubmitHistogram {
        let h = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        SubmitHistogram {
            bucket: Self::BUCKET,
            first_bucket: h.first,
            counts: h.counts.iter().copied().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_windows() {
        let start = Instant::now();
        let h = Histogram::new(start);
        h.add(start, 5);
        h.add(start + Duration::from_millis(150), 3);
        h.add(start + Duration::from_millis(1050), 7);
        h.add(start + Duration::from_millis(1990), 1);
        let snap = h.snapshot();
        assert_eq!(snap.first_bucket, 0);
        assert_eq!(snap.total(), 16);
        assert_eq!(snap.per_second(), vec![8, 8]);
        // Buckets 1..=10 hold 3 + 7: the best sliding second.
        assert_eq!(snap.max_in_window(Duration::from_secs(1)), 10);
        assert_eq!(snap.max_in_window(Duration::from_millis(100)), 7);
    }

    #[test]
    fn histogram_is_bounded() {
        let start = Instant::now();
        let h = Histogram::new(start);
        h.add(start, 1);
        h.add(start + Duration::from_secs(700), 1);
        let snap = h.snapshot();
        assert_eq!(snap.counts.len(), Histogram::CAPACITY);
        assert_eq!(snap.first_bucket, 7001 - Histogram::CAPACITY as u64);
        assert_eq!(snap.total(), 1);
    }
}
