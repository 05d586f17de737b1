//! Results that depend only on certificate bytes, remembered across the
//! connections of a capture: the same client and server chains come back
//! on every connection, and parsing them and checking their signatures
//! (an RSA verification each) is most of the work per handshake.
//!
//! [`DerMemo`] finds an entry by a fast keyed hash of the DER and confirms
//! it by comparing the bytes, so a hit is the same certificate (hashing
//! each certificate with SHA-256 on every lookup cost more than the
//! lookups saved). Each table is bounded; when it fills, it is cleared and
//! refilled (the working set of a capture is a handful of chains).

use std::collections::HashMap;
use std::sync::Mutex;

/// SHA-256 of `der`.
pub fn digest(der: &[u8]) -> [u8; 32] {
    let d = ring::digest::digest(&ring::digest::SHA256, der);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// One remembered value and the DER bytes (one or two strings, joined)
/// it was computed from.
struct Entry<V> {
    der: Box<[u8]>,
    /// Where the second string starts in `der`.
    split: usize,
    value: V,
}

struct DerTable<V> {
    /// Keyed per process, so that a capture cannot aim at one bucket.
    state: foldhash::fast::RandomState,
    /// By the keyed hash above, so the map itself need not hash again
    /// with SipHash.
    buckets: HashMap<u64, Vec<Entry<V>>, foldhash::fast::FixedState>,
    len: usize,
}

/// A bounded, thread-safe table of values computed from one or two DER
/// strings (a certificate; a certificate and its issuer).
pub struct DerMemo<V> {
    table: Mutex<Option<DerTable<V>>>,
    limit: usize,
}

impl<V: Clone> DerMemo<V> {
    pub const fn new(limit: usize) -> DerMemo<V> {
        DerMemo {
            table: Mutex::new(None),
            limit,
        }
    }

    /// The value for the strings `a` and `b` (`b` may be empty), computed
    /// by `make` the first time.
    pub fn get_or(&self, a: &[u8], b: &[u8], make: impl FnOnce() -> V) -> V {
        use std::hash::BuildHasher;
        let same =
            |e: &Entry<V>| e.split == a.len() && e.der[..e.split] == *a && e.der[e.split..] == *b;
        if let Ok(mut guard) = self.table.lock() {
            let t = guard.get_or_insert_with(|| DerTable {
                state: foldhash::fast::RandomState::default(),
                buckets: HashMap::default(),
                len: 0,
            });
            let h = t.state.hash_one((a, b));
            if let Some(e) = t.buckets.get(&h).and_then(|v| v.iter().find(|e| same(e))) {
                return e.value.clone();
            }
        }
        let value = make();
        if let Ok(mut guard) = self.table.lock() {
            if let Some(t) = guard.as_mut() {
                if t.len >= self.limit {
                    t.buckets.clear();
                    t.len = 0;
                }
                let h = t.state.hash_one((a, b));
                let der: Box<[u8]> = [a, b].concat().into_boxed_slice();
                t.buckets.entry(h).or_default().push(Entry {
                    der,
                    split: a.len(),
                    value: value.clone(),
                });
                t.len += 1;
            }
        }
        value
    }
}
