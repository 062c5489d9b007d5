//! Callers whose password was verified recently, by a digest of their credentials: argon2 costs
//! tens of milliseconds by design, and Basic clients send the password with every tile request.
//!
//! Written by hand rather than with moka: a cached tile is a few tens of thousands of
//! instructions, and moka's bookkeeping per read (its read log, housekeeping, epoch pin, clock)
//! measured about 1,200 of them (callgrind), most of the 5 % the whole decision may add. What this needs
//! is a map read under a shared lock, an age per entry and a bound.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use super::Principal;

pub struct Verified {
    ttl: Duration,
    capacity: usize,
    /// Digest -> (when verified, the caller). Keys are SHA-256 digests of credentials that
    /// passed verification, so no one can choose them to collide in the hash table.
    entries: RwLock<HashMap<[u8; 32], (Instant, Arc<Principal>), foldhash::fast::RandomState>>,
}

impl Verified {
    pub fn new(capacity: usize, ttl: Duration) -> Verified {
        Verified { ttl, capacity: capacity.max(2), entries: RwLock::new(HashMap::default()) }
    }

    /// The caller these credentials were verified as, within the time to live.
    pub fn get(&self, digest: &[u8; 32]) -> Option<Arc<Principal>> {
        let entries = self.entries.read().expect("verified lock");
        let (at, principal) = entries.get(digest)?;
        (at.elapsed() < self.ttl).then(|| principal.clone())
    }

    /// At capacity, expired entries go first, then the older half: a burst of new callers must
    /// not send every known one back to argon2 at once.
    pub fn insert(&self, digest: [u8; 32], principal: Arc<Principal>) {
        let mut entries = self.entries.write().expect("verified lock");
        if entries.len() >= self.capacity {
            entries.retain(|_, (at, _)| at.elapsed() < self.ttl);
        }
        if entries.len() >= self.capacity {
            let mut ages: Vec<Instant> = entries.values().map(|(at, _)| *at).collect();
            let (_, median, _) = ages.select_nth_unstable(self.capacity / 2);
            let median = *median;
            entries.retain(|_, (at, _)| *at >= median);
        }
        entries.insert(digest, (Instant::now(), principal));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(name: &str) -> Arc<Principal> {
        Arc::new(Principal::new(Some(name.into()), []))
    }

    #[test]
    fn entries_expire_and_the_map_stays_bounded() {
        let v = Verified::new(4, Duration::from_millis(40));
        v.insert([1; 32], caller("alice"));
        assert_eq!(v.get(&[1; 32]).unwrap().name.as_deref(), Some("alice"));
        assert!(v.get(&[2; 32]).is_none());
        std::thread::sleep(Duration::from_millis(50));
        assert!(v.get(&[1; 32]).is_none(), "expired");
        for i in 0..10u8 {
            v.insert([i; 32], caller("x"));
            std::thread::sleep(Duration::from_millis(1));
        }
        let len = v.entries.read().unwrap().len();
        assert!(len <= 4, "{len} entries");
        assert!(v.get(&[9; 32]).is_some(), "the newest stays");
        assert!(v.get(&[0; 32]).is_none(), "the oldest went");
    }
}
