//! A link's queue of jobs, in order. New jobs always go to the back, so they live in a ring
//! buffer; the few that come back from a session (unanswered, throttled) go back to their
//! original place, kept in a small ordered map beside it. A single ordered map for both moved
//! every job (a few hundred bytes each) around its nodes on every insert and pop.

use super::Job;
use std::collections::{BTreeMap, VecDeque};

/// Jobs' room the ring buffer keeps when empty (a few hundred KiB).
const KEEP_ROOM: usize = 1024;

#[derive(Debug, Default)]
pub(super) struct JobQueue {
    /// Jobs never taken, in increasing order.
    fresh: VecDeque<Job>,
    /// Jobs taken and put back, by order.
    returned: BTreeMap<u64, Job>,
}

impl JobQueue {
    pub(super) fn len(&self) -> usize {
        self.fresh.len() + self.returned.len()
    }

    /// Appends a job whose order is above every order queued so far.
    pub(super) fn push_new(&mut self, job: Job) {
        debug_assert!(self.fresh.back().is_none_or(|last| last.order < job.order));
        self.fresh.push_back(job);
    }

    /// Puts a job taken earlier back at its place.
    pub(super) fn put_back(&mut self, job: Job) {
        self.returned.insert(job.order, job);
    }

    /// The job that goes first.
    pub(super) fn first(&self) -> Option<&Job> {
        match (self.fresh.front(), self.returned.first_key_value()) {
            (Some(fresh), Some((&order, returned))) if order < fresh.order => Some(returned),
            (Some(fresh), _) => Some(fresh),
            (None, returned) => returned.map(|(_, job)| job),
        }
    }

    /// Removes the job that goes first.
    pub(super) fn pop_first(&mut self) -> Option<Job> {
        let returned_first = match (self.fresh.front(), self.returned.first_key_value()) {
            (Some(fresh), Some((&order, _))) => order < fresh.order,
            (None, Some(_)) => true,
            (_, None) => false,
        };
        if returned_first {
            self.returned.pop_first().map(|(_, job)| job)
        } else {
            let job = self.fresh.pop_front();
            // A ring buffer keeps the room a backlog took; once drained, give it back.
            if self.fresh.is_empty() && self.fresh.capacity() > KEEP_ROOM {
                self.fresh.shrink_to(KEEP_ROOM);
            }
            job
        }
    }

    /// Removes and returns, in no particular order, every job for which `remove` holds.
    pub(super) fn take_where(&mut self, mut remove: impl FnMut(&Job) -> bool) -> Vec<Job> {
        let mut taken = Vec::new();
        if self.fresh.iter().any(&mut remove) {
            let mut kept = VecDeque::with_capacity(self.fresh.len());
            for job in self.fresh.drain(..) {
                if remove(&job) {
                    taken.push(job);
                } else {
                    kept.push_back(job);
                }
            }
            self.fresh = kept;
        }
        let due: Vec<u64> = self
            .returned
            .values()
            .filter(|job| remove(job))
            .map(|job| job.order)
            .collect();
        taken.extend(due.iter().filter_map(|order| self.returned.remove(order)));
        taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::{SegmentId, Timing};
    use std::time::Instant;

    fn job(order: u64) -> Job {
        Job {
            order,
            id: SegmentId {
                message: order,
                part: 0,
            },
            sm: Default::default(),
            attempts: 0,
            timing: Timing::now(Instant::now()),
        }
    }

    fn drain(queue: &mut JobQueue) -> Vec<u64> {
        std::iter::from_fn(|| queue.pop_first().map(|job| job.order)).collect()
    }

    #[test]
    fn jobs_put_back_go_out_again_at_their_original_place() {
        let mut queue = JobQueue::default();
        for order in 0..6 {
            queue.push_new(job(order));
        }
        let taken: Vec<Job> = (0..4).filter_map(|_| queue.pop_first()).collect();
        // 1 and 3 come back (in the order their sessions gave up on them), 0 and 2 went out.
        let mut taken = taken.into_iter();
        let (_, one, _, three) = (taken.next(), taken.next(), taken.next(), taken.next());
        queue.put_back(three.unwrap());
        queue.put_back(one.unwrap());
        queue.push_new(job(6));
        assert_eq!(queue.len(), 5);
        assert_eq!(queue.first().map(|job| job.order), Some(1));
        assert_eq!(drain(&mut queue), [1, 3, 4, 5, 6]);
        assert_eq!(queue.len(), 0);
        assert!(queue.first().is_none());
    }

    #[test]
    fn a_drained_backlog_gives_its_room_back() {
        let mut queue = JobQueue::default();
        for order in 0..10 * KEEP_ROOM as u64 {
            queue.push_new(job(order));
        }
        assert!(queue.fresh.capacity() >= 10 * KEEP_ROOM);
        assert_eq!(drain(&mut queue).len(), 10 * KEEP_ROOM);
        assert!(queue.fresh.capacity() <= 2 * KEEP_ROOM);
    }

    #[test]
    fn take_where_removes_from_both_parts_and_keeps_the_order_of_the_rest() {
        let mut queue = JobQueue::default();
        for order in 0..8 {
            queue.push_new(job(order));
        }
        let early: Vec<Job> = (0..3).filter_map(|_| queue.pop_first()).collect();
        for job in early {
            queue.put_back(job);
        }
        let mut removed: Vec<u64> = queue
            .take_where(|job| job.order % 2 == 0)
            .iter()
            .map(|job| job.order)
            .collect();
        removed.sort_unstable();
        assert_eq!(removed, [0, 2, 4, 6]);
        assert_eq!(drain(&mut queue), [1, 3, 5, 7]);
    }
}
