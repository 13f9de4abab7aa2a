//! The throttle: at most N `submit_sm` per one-second window and `system_id`.

use std::sync::atomic::{AtomicU64, Ordering};

/// A per-second window, as carriers count: seconds are counted from the simulator's start, and
/// the first `limit` requests of each second pass. One atomic word, no lock: the high half is
/// the second, the low half the count in it.
#[derive(Debug, Default)]
pub(crate) struct RateWindow {
    state: AtomicU64,
}

impl RateWindow {
    /// Whether one more request may pass in `second`.
    pub(crate) fn try_acquire(&self, second: u32, limit: u32) -> bool {
        if limit == 0 {
            return false;
        }
        let mut current = self.state.load(Ordering::Relaxed);
        loop {
            let (at, count) = ((current >> 32) as u32, current as u32);
            // A request stamped with an older second (a batch read just before the turn)
            // counts in the newest one.
            let next = if second > at {
                pack(second, 1)
            } else if count < limit {
                pack(at, count + 1)
            } else {
                return false;
            };
            match self.state.compare_exchange_weak(
                current,
                next,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(actual) => current = actual,
            }
        }
    }
}

fn pack(second: u32, count: u32) -> u64 {
    (u64::from(second) << 32) | u64::from(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_limit_per_second() {
        let w = RateWindow::default();
        let passed = (0..10).filter(|_| w.try_acquire(0, 3)).count();
        assert_eq!(passed, 3);
        let passed = (0..10).filter(|_| w.try_acquire(1, 3)).count();
        assert_eq!(passed, 3);
        let passed = (0..10).filter(|_| w.try_acquire(5, 4)).count();
        assert_eq!(passed, 4);
        assert!(!w.try_acquire(5, 0));
    }
}
