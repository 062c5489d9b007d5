//! Slows password guessing: failed attempts are counted per client address and user name in a
//! fixed window; past the limit the pair is refused (429) until the window ends, even with the
//! right password. Written by hand: tower's and governor's limiters count requests, not
//! failures, and a map of counters with a sweep is all this needs.

use std::borrow::Cow;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub struct FailureLimiter {
    max: u32,
    window: Duration,
    /// (client, user) -> (start of the window, failures in it).
    counts: Mutex<HashMap<(IpAddr, String), (Instant, u32)>>,
    /// Nanoseconds after `epoch` when the last window that blocked a pair ends: until a pair
    /// is blocked, and once every block has ended, a check is an atomic read, without the lock
    /// and the key every authenticated request would otherwise pay.
    blocking_until: AtomicU64,
    epoch: Instant,
}

/// Past this many tracked pairs, expired ones are swept before a new one is added, so a
/// scan over many user names cannot grow the map without bound.
const SWEEP_ABOVE: usize = 10_000;

impl FailureLimiter {
    pub fn new(max: u32, window: Duration) -> FailureLimiter {
        FailureLimiter { max: max.max(1), window, counts: Mutex::new(HashMap::new()), blocking_until: AtomicU64::new(0), epoch: Instant::now() }
    }

    fn nanos(&self, at: Instant) -> u64 {
        at.saturating_duration_since(self.epoch).as_nanos().try_into().unwrap_or(u64::MAX)
    }

    /// Seconds to wait when the pair has used up its attempts; `user` is asked for only when
    /// some pair is blocked.
    pub fn blocked<'u>(&self, client: IpAddr, user: impl FnOnce() -> Cow<'u, str>) -> Option<u64> {
        let until = self.blocking_until.load(Ordering::Acquire);
        if until == 0 || self.nanos(Instant::now()) >= until {
            return None;
        }
        let counts = self.counts.lock().expect("limiter lock");
        let (start, n) = counts.get(&(client, user().into_owned()))?;
        let left = self.window.checked_sub(start.elapsed())?;
        (*n >= self.max).then(|| left.as_secs().max(1))
    }

    pub fn failed(&self, client: IpAddr, user: &str) {
        let mut counts = self.counts.lock().expect("limiter lock");
        if counts.len() > SWEEP_ABOVE {
            counts.retain(|_, (start, _)| start.elapsed() < self.window);
        }
        let entry = counts.entry((client, user.to_string())).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= self.window {
            *entry = (Instant::now(), 0);
        }
        entry.1 += 1;
        if entry.1 >= self.max {
            let until = self.nanos(entry.0 + self.window);
            self.blocking_until.fetch_max(until, Ordering::Release);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_the_pair_after_max_failures_only() {
        let l = FailureLimiter::new(3, Duration::from_secs(60));
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        assert_eq!(l.blocked(ip, || unreachable!("no pair is blocked: the name is not needed")), None);
        for _ in 0..2 {
            l.failed(ip, "alice");
        }
        assert_eq!(l.blocked(ip, || "alice".into()), None);
        l.failed(ip, "alice");
        assert!(matches!(l.blocked(ip, || "alice".into()), Some(s) if (1..=60).contains(&s)));
        assert_eq!(l.blocked(other, || "alice".into()), None);
        assert_eq!(l.blocked(ip, || "bob".into()), None);
    }

    #[test]
    fn the_window_ends() {
        let l = FailureLimiter::new(1, Duration::from_millis(20));
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        l.failed(ip, "alice");
        assert!(l.blocked(ip, || "alice".into()).is_some());
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(l.blocked(ip, || "alice".into()), None);
    }
}
