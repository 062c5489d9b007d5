//! Slows password guessing: failed attempts are counted per client address and user name in a
//! fixed window; past the limit the pair is refused (429) until the window ends, even with the
//! right password. Written by hand: tower's and governor's limiters count requests, not
//! failures, and a map of counters with a sweep is all this needs.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct FailureLimiter {
    max: u32,
    window: Duration,
    /// (client, user) -> (start of the window, failures in it).
    counts: Mutex<HashMap<(IpAddr, String), (Instant, u32)>>,
}

/// Past this many tracked pairs, expired ones are swept before a new one is added, so a
/// scan over many user names cannot grow the map without bound.
const SWEEP_ABOVE: usize = 10_000;

impl FailureLimiter {
    pub fn new(max: u32, window: Duration) -> FailureLimiter {
        FailureLimiter { max: max.max(1), window, counts: Mutex::new(HashMap::new()) }
    }

    /// Seconds to wait when the pair has used up its attempts.
    pub fn blocked(&self, client: IpAddr, user: &str) -> Option<u64> {
        let counts = self.counts.lock().expect("limiter lock");
        let (start, n) = counts.get(&(client, user.to_string()))?;
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
        for _ in 0..2 {
            l.failed(ip, "alice");
        }
        assert_eq!(l.blocked(ip, "alice"), None);
        l.failed(ip, "alice");
        assert!(matches!(l.blocked(ip, "alice"), Some(s) if (1..=60).contains(&s)));
        assert_eq!(l.blocked(other, "alice"), None);
        assert_eq!(l.blocked(ip, "bob"), None);
    }

    #[test]
    fn the_window_ends() {
        let l = FailureLimiter::new(1, Duration::from_millis(20));
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        l.failed(ip, "alice");
        assert!(l.blocked(ip, "alice").is_some());
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(l.blocked(ip, "alice"), None);
    }
}
