//! TLS: records, handshake messages and their fields, per TCP stream.
//!
//! `messages` holds pure parsers from bytes to owned message structs (one
//! struct per version's layout); `names` the IANA registries as names;
//! `fingerprint` JA3 and JA4; `stream` the record framer, handshake
//! reassembly and per-direction state. [`TlsAnalyzer`] plugs them into the
//! TCP reassembler and hands on one [`ConnectionFacts`] per connection.

pub mod decrypt;
pub mod fingerprint;
pub mod keylog;
pub mod messages;
pub mod names;
pub mod stream;
pub mod summary;
pub mod traffic;

use crate::net::tcp::{Chunk, ConnInfo, ConnSummary, Direction, Gap, StreamHandler};
use keylog::KeyLog;
use std::collections::HashMap;
use std::sync::Arc;
pub use stream::{Side, TlsConfig, TlsConnection, TlsTracker};

/// What the capture shows about one TCP connection and the TLS in it.
#[derive(Debug, Clone)]
pub struct ConnectionFacts {
    pub info: ConnInfo,
    pub tcp: ConnSummary,
    pub tls: TlsConnection,
}

/// A [`StreamHandler`] that runs a [`TlsTracker`] per connection and hands
/// each finished connection to `sink`, then forgets it.
pub struct TlsAnalyzer<F: FnMut(ConnectionFacts)> {
    config: TlsConfig,
    /// Boxed: an idle connection costs its tracker and one small slot.
    trackers: HashMap<u64, Box<TlsTracker>, foldhash::fast::RandomState>,
    sink: F,
    /// Secrets for decryption: the --keylog file merged with those the
    /// capture embeds. Connections opened after a secrets block see it.
    keylog: Option<Arc<KeyLog>>,
    /// Servers' RSA private keys for static-RSA handshakes.
    server_keys: Option<Arc<Vec<rsa::RsaPrivateKey>>>,
}

impl<F: FnMut(ConnectionFacts)> TlsAnalyzer<F> {
    pub fn new(config: TlsConfig, sink: F) -> Self {
        TlsAnalyzer {
            config,
            trackers: HashMap::default(),
            sink,
            keylog: None,
            server_keys: None,
        }
    }

    /// Decrypts with these secrets.
    pub fn with_keylog(mut self, keylog: Option<KeyLog>) -> Self {
        self.keylog = keylog.map(Arc::new);
        self
    }

    /// Decrypts with secrets shared with other analyses (one key log read
    /// once for many captures).
    pub fn with_shared_keylog(mut self, keylog: Option<Arc<KeyLog>>) -> Self {
        self.keylog = keylog;
        self
    }

    /// Decrypts static-RSA handshakes with these servers' private keys
    /// (`--server-key`).
    pub fn with_server_keys(mut self, keys: Option<Arc<Vec<rsa::RsaPrivateKey>>>) -> Self {
        self.server_keys = keys;
        self
    }

    /// Sessions the key log holds secrets for.
    pub fn keylog_sessions(&self) -> usize {
        self.keylog.as_ref().map_or(0, |k| k.len())
    }
}

impl<F: FnMut(ConnectionFacts)> StreamHandler for TlsAnalyzer<F> {
    fn on_open(&mut self, conn: &ConnInfo) {
        self.trackers.insert(
            conn.id,
            Box::new(
                TlsTracker::with_keylog(self.config, self.keylog.clone())
                    .with_server_keys(self.server_keys.clone()),
            ),
        );
    }

    fn on_capture_secrets(&mut self, text: &[u8]) {
        let (found, _warnings) = KeyLog::parse(text);
        // The command line merges the capture's secrets up front: seen
        // again here, they change nothing, and copying the whole log for
        // each block would cost its size times the blocks.
        if self
            .keylog
            .as_deref()
            .is_some_and(|k| k.contains_all(&found))
        {
            return;
        }
        let mut merged = self.keylog.as_deref().cloned().unwrap_or_default();
        merged.merge(found);
        self.keylog = Some(Arc::new(merged));
    }

    fn on_data(&mut self, conn: &ConnInfo, dir: Direction, chunk: Chunk<'_>) {
        if let Some(t) = self.trackers.get_mut(&conn.id) {
            if !t.is_ignored() {
                t.data(dir, chunk.data, chunk.frame, chunk.ts);
            }
        }
    }

    fn on_gap(&mut self, conn: &ConnInfo, dir: Direction, gap: Gap) {
        if let Some(t) = self.trackers.get_mut(&conn.id) {
            t.gap(dir, gap);
        }
    }

    fn on_ended(&mut self, conn: &ConnInfo) {
        if let Some(t) = self.trackers.get_mut(&conn.id) {
            t.shed();
        }
    }

    fn on_close(&mut self, conn: &ConnInfo, summary: &ConnSummary) {
        let tracker = self
            .trackers
            .remove(&conn.id)
            .unwrap_or_else(|| Box::new(TlsTracker::new(self.config)));
        let tls = tracker.finish(summary.last_frame);
        (self.sink)(ConnectionFacts {
            info: conn.clone(),
            tcp: summary.clone(),
            tls,
        });
    }
}
