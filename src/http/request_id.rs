//! Request ids: a per-process random prefix and a counter. tower-http's UUIDs draw 16 random
//! bytes with a `getrandom` system call per request, measured at a few percent of a cached
//! tile's time; ids only need to be unique across the logs of running instances.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{HeaderValue, Request};
use tower_http::request_id::{MakeRequestId, RequestId};

#[derive(Clone)]
pub struct Sequential {
    prefix: u32,
    next: std::sync::Arc<AtomicU64>,
}

impl Sequential {
    pub fn new() -> Sequential {
        // The start time's low bits tell instances apart; collisions only blur log grouping.
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        Sequential { prefix: (nanos as u32) ^ std::process::id().rotate_left(16), next: Default::default() }
    }
}

impl MakeRequestId for Sequential {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let mut buf = [0u8; 25];
        let id = format_id(&mut buf, self.prefix, n);
        HeaderValue::from_bytes(id).ok().map(RequestId::new)
    }
}

/// `pppppppp-nnnnnnnnnnnnnnnn` in lower-case hex, written without allocating.
fn format_id(buf: &mut [u8; 25], prefix: u32, n: u64) -> &[u8] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for i in 0..8 {
        buf[i] = HEX[(prefix >> (28 - 4 * i) & 0xf) as usize];
    }
    buf[8] = b'-';
    for i in 0..16 {
        buf[9 + i] = HEX[(n >> (60 - 4 * i) & 0xf) as usize];
    }
    &buf[..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_distinct_and_hex() {
        let mut make = Sequential::new();
        let req = Request::new(());
        let a = make.make_request_id(&req).unwrap();
        let b = make.clone().make_request_id(&req).unwrap();
        assert_ne!(a.header_value(), b.header_value());
        let mut buf = [0; 25];
        assert_eq!(format_id(&mut buf, 0xdeadbeef, 0x2a), b"deadbeef-000000000000002a");
    }
}
