//! A link's pace: a token bucket for `max_tps` and the additive-increase /
//! multiplicative-decrease reaction to the carrier's throttling errors. Plain structs on a
//! caller-given clock, shared by the link's sessions under the link's lock.

use std::time::{Duration, Instant};

/// `max_tps` as a token bucket: one token per `submit_sm`, refilled at `rate` per second,
/// holding at most a tenth of a second's worth, so that no one-second window sees more than
/// `rate` plus 10% (carriers count per second and punish bursts).
#[derive(Debug, Clone)]
pub struct TokenBucket {
    rate: f64,
    capacity: f64,
    tokens: f64,
    refilled: Instant,
}

impl TokenBucket {
    /// A bucket for `rate` submissions per second, full.
    pub fn new(rate: f64, now: Instant) -> Self {
        let capacity = Self::capacity_for(rate);
        TokenBucket {
            rate,
            capacity,
            tokens: capacity,
            refilled: now,
        }
    }

    fn capacity_for(rate: f64) -> f64 {
        (rate / 10.0).floor().max(1.0)
    }

    /// The current rate.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// Changes the rate; tokens already in the bucket stay, within the new capacity.
    pub fn set_rate(&mut self, rate: f64, now: Instant) {
        self.refill(now);
        self.rate = rate;
        self.capacity = Self::capacity_for(rate);
        self.tokens = self.tokens.min(self.capacity);
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.refilled).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.capacity);
        self.refilled = now;
    }

    /// Takes one token, or says when one will be there.
    pub fn try_take(&mut self, now: Instant) -> Result<(), Instant> {
        self.refill(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - self.tokens) / self.rate;
            Err(now + Duration::from_secs_f64(wait))
        }
    }

    /// Gives back a token taken for a submission that was not sent after all.
    pub fn give_back(&mut self) {
        self.tokens = (self.tokens + 1.0).min(self.capacity);
    }
}

/// How the link reacts to `ESME_RTHROTTLED` / `ESME_RMSGQFUL`: pause the whole link, halve the
/// rate and the window, then grow them back step by step while the carrier accepts.
#[derive(Debug, Clone)]
pub struct Adaptive {
    /// The configured rate (None: no limit) and window.
    max_rate: Option<f64>,
    max_window: usize,
    /// The rate and window in force.
    rate: Option<f64>,
    window: usize,
    /// Rate growth per clean interval: a tenth of the configured (or last throttled) rate.
    step: f64,
    paused_until: Option<Instant>,
    pause: Duration,
    last_change: Instant,
    /// When the last pause ended, if there was one.
    resumed: Option<Instant>,
}

impl Adaptive {
    /// First pause after a throttling error.
    pub const MIN_PAUSE: Duration = Duration::from_millis(100);
    /// Longest pause, reached by doubling while the carrier keeps throttling.
    pub const MAX_PAUSE: Duration = Duration::from_secs(5);
    /// How long the carrier must accept before rate and window grow by one step.
    pub const GROWTH_INTERVAL: Duration = Duration::from_millis(500);

    /// A controller at full speed.
    pub fn new(max_rate: Option<f64>, max_window: usize, now: Instant) -> Self {
        Adaptive {
            max_rate,
            max_window: max_window.max(1),
            rate: max_rate,
            window: max_window.max(1),
            step: max_rate.map_or(1.0, |r| (r / 10.0).max(1.0)),
            paused_until: None,
            pause: Self::MIN_PAUSE,
            last_change: now,
            resumed: None,
        }
    }

    /// The rate in force (None: no limit).
    pub fn rate(&self) -> Option<f64> {
        self.rate
    }

    /// The window in force, per session.
    pub fn window(&self) -> usize {
        self.window
    }

    /// Until when the link sends nothing, if paused.
    pub fn paused_until(&self, now: Instant) -> Option<Instant> {
        self.paused_until.filter(|&until| until > now)
    }

    /// The carrier said "slow down". `observed_rate` is what the link achieved in the last
    /// second, used as the starting point when no `max_tps` is configured. Errors for
    /// submissions already in flight when the link paused count as one.
    pub fn throttled(&mut self, now: Instant, observed_rate: f64) {
        if self.paused_until(now).is_some() {
            return;
        }
        // Still throttled soon after resuming: the carrier needs more than it got.
        let recent = self
            .resumed
            .is_some_and(|at| now.saturating_duration_since(at) < 2 * Self::GROWTH_INTERVAL);
        self.pause = if recent {
            (self.pause * 2).min(Self::MAX_PAUSE)
        } else {
            Self::MIN_PAUSE
        };
        let current = self.rate.unwrap_or(observed_rate.max(1.0));
        let rate = (current / 2.0).max(1.0);
        if self.max_rate.is_none() && self.rate.is_none() {
            self.step = (current / 10.0).max(1.0);
        }
        self.rate = Some(rate);
        self.window = (self.window / 2).max(1);
        let until = now + self.pause;
        self.paused_until = Some(until);
        self.last_change = until;
        self.resumed = Some(until);
    }

    /// The carrier accepted a submission: after each clean interval, one step back up.
    /// Returns whether rate or window changed.
    pub fn accepted(&mut self, now: Instant) -> bool {
        if self.paused_until(now).is_some()
            || now.saturating_duration_since(self.last_change) < Self::GROWTH_INTERVAL
        {
            return false;
        }
        let before = (self.rate, self.window);
        self.window = (self.window + 1).min(self.max_window);
        self.rate = match (self.rate, self.max_rate) {
            (Some(rate), Some(max)) => Some((rate + self.step).min(max)),
            // No configured limit: lift the limit once well past where throttling began.
            (Some(rate), None) if rate + self.step > self.step * 20.0 => None,
            (Some(rate), None) => Some(rate + self.step),
            (None, _) => None,
        };
        self.last_change = now;
        before != (self.rate, self.window)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// Takes greedily for `secs` seconds at 1 ms steps; returns the arrival times.
    fn drain(bucket: &mut TokenBucket, t0: Instant, secs: u64) -> Vec<Instant> {
        let mut out = Vec::new();
        for step in 0..secs * 1000 {
            let now = t0 + ms(step);
            while bucket.try_take(now).is_ok() {
                out.push(now);
            }
        }
        out
    }

    #[test]
    fn no_one_second_window_exceeds_rate_plus_ten_percent() {
        let t0 = Instant::now();
        for rate in [1.0, 7.0, 100.0, 950.0] {
            let mut bucket = TokenBucket::new(rate, t0);
            let sent = drain(&mut bucket, t0, 4);
            // Over 4 s at rate r, about 4r go out: the limit is not set too low either.
            assert!(
                sent.len() as f64 >= 4.0 * rate - 1.0,
                "rate {rate}: {}",
                sent.len()
            );
            for (i, start) in sent.iter().enumerate() {
                let in_window = sent[i..]
                    .iter()
                    .take_while(|t| t.duration_since(*start) < Duration::from_secs(1))
                    .count();
                assert!(
                    in_window as f64 <= (rate * 1.1).max(rate + 1.0),
                    "rate {rate}: {in_window} in one second"
                );
            }
        }
    }

    #[test]
    fn an_empty_bucket_says_when_to_come_back() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(10.0, t0);
        bucket.try_take(t0).unwrap();
        let next = bucket.try_take(t0).unwrap_err();
        assert_eq!(next, t0 + ms(100));
        assert!(bucket.try_take(next).is_ok());
    }

    #[test]
    fn throttling_pauses_halves_and_grows_back() {
        let t0 = Instant::now();
        let mut a = Adaptive::new(Some(100.0), 10, t0);
        a.throttled(t0, 100.0);
        assert_eq!(a.paused_until(t0), Some(t0 + Adaptive::MIN_PAUSE));
        assert_eq!(a.rate(), Some(50.0));
        assert_eq!(a.window(), 5);
        // Errors for requests already in flight do not halve again.
        a.throttled(t0 + ms(50), 100.0);
        assert_eq!(a.rate(), Some(50.0));
        // Additive increase: one step (a tenth of max_tps) per clean interval.
        let mut now = t0 + Adaptive::MIN_PAUSE;
        assert!(!a.accepted(now));
        for expected in [60.0, 70.0, 80.0, 90.0, 100.0, 100.0] {
            now += Adaptive::GROWTH_INTERVAL;
            a.accepted(now);
            assert_eq!(a.rate(), Some(expected));
        }
        assert_eq!(a.window(), 10);
    }

    #[test]
    fn repeated_throttling_backs_off_the_pause() {
        let t0 = Instant::now();
        let mut a = Adaptive::new(Some(100.0), 10, t0);
        let mut now = t0;
        let mut pauses = Vec::new();
        for _ in 0..8 {
            a.throttled(now, 100.0);
            let until = a.paused_until(now).unwrap();
            pauses.push(until - now);
            now = until;
        }
        assert_eq!(pauses[0], ms(100));
        assert_eq!(pauses[1], ms(200));
        assert_eq!(*pauses.last().unwrap(), Adaptive::MAX_PAUSE);
        assert_eq!(a.rate(), Some(1.0));
        assert_eq!(a.window(), 1);
    }

    #[test]
    fn without_max_tps_the_observed_rate_is_the_starting_point() {
        let t0 = Instant::now();
        let mut a = Adaptive::new(None, 4, t0);
        a.throttled(t0, 400.0);
        assert_eq!(a.rate(), Some(200.0));
        let mut now = t0 + Adaptive::MIN_PAUSE;
        for _ in 0..100 {
            now += Adaptive::GROWTH_INTERVAL;
            a.accepted(now);
        }
        assert_eq!(a.rate(), None, "the limit is lifted again");
    }
}
