//! Results that depend only on certificate bytes, remembered across the
//! connections of a capture: the same client and server chains come back
//! on every connection, and parsing them and checking their signatures
//! (an RSA verification each) is most of the work per handshake.
//!
//! Keys are SHA-256 digests of the DER, so a hit is the same certificate.
//! Each table is bounded; when it fills, it is cleared and refilled (the
//! working set of a capture is a handful of chains).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

/// SHA-256 of `der`.
pub fn digest(der: &[u8]) -> [u8; 32] {
    let d = ring::digest::digest(&ring::digest::SHA256, der);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// A bounded, thread-safe table of computed values.
pub struct Memo<K, V> {
    table: Mutex<Option<HashMap<K, V>>>,
    limit: usize,
}

impl<K: Hash + Eq, V: Clone> Memo<K, V> {
    pub const fn new(limit: usize) -> Memo<K, V> {
        Memo {
            table: Mutex::new(None),
            limit,
        }
    }

    /// The value for `key`, computed by `make` the first time.
    pub fn get_or(&self, key: K, make: impl FnOnce() -> V) -> V {
        if let Ok(guard) = self.table.lock() {
            if let Some(v) = guard.as_ref().and_then(|t| t.get(&key)) {
                return v.clone();
            }
        }
        let v = make();
        if let Ok(mut guard) = self.table.lock() {
            let table = guard.get_or_insert_with(HashMap::new);
            if table.len() >= self.limit {
                table.clear();
            }
            table.insert(key, v.clone());
        }
        v
    }
}
