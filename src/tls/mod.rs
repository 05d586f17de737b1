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

use crate::net::tcp::{Chunk, ConnInfo, ConnSummary, Direction, Gap, HandlerStats, StreamHandler};
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
    /// Room the trackers' partial records and messages take, in all:
    /// kept up to date from each call's change, never summed over them.
    held: usize,
    /// Raw handshake bytes the open connections keep for transcripts, in
    /// all (kept up to date the same way).
    transcripts: usize,
    stats: HandlerStats,
}

impl<F: FnMut(ConnectionFacts)> TlsAnalyzer<F> {
    pub fn new(config: TlsConfig, sink: F) -> Self {
        TlsAnalyzer {
            config,
            trackers: HashMap::default(),
            sink,
            keylog: None,
            server_keys: None,
            held: 0,
            transcripts: 0,
            stats: HandlerStats::default(),
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

    /// Room the partial records and handshake messages of all open
    /// connections take now.
    pub fn held_total(&self) -> usize {
        self.held
    }

    /// Runs `feed` on connection `id`'s tracker within the budgets across
    /// connections: the room its partial buffers take is accounted for,
    /// and its transcript may grow only by what the transcript budget has
    /// left (a connection refused is counted once).
    fn feed(&mut self, id: u64, feed: impl FnOnce(&mut TlsTracker)) {
        let Some(t) = self.trackers.get_mut(&id) else {
            return;
        };
        let held_before = t.held_bytes();
        let kept = t.transcript_bytes();
        let room = self
            .config
            .max_transcript_total
            .saturating_sub(self.transcripts);
        let cap = self.config.max_transcript.min(kept.saturating_add(room));
        t.limit_transcript(cap);
        let truncated_before = t.transcript_truncated();
        feed(t);
        let grown = t.transcript_bytes().saturating_sub(kept);
        let refused =
            !truncated_before && t.transcript_truncated() && cap < self.config.max_transcript;
        let held_after = t.held_bytes();
        self.transcripts += grown;
        if refused {
            self.stats.transcript_refusals += 1;
        }
        if held_after != held_before {
            self.held_changed(held_before, held_after);
        }
    }

    /// Accounts for one tracker's change, and keeps within the budget.
    fn held_changed(&mut self, before: usize, after: usize) {
        self.held = (self.held + after).saturating_sub(before);
        self.stats.peak_held = self.stats.peak_held.max(self.held);
        if self.held > self.config.max_partial_total {
            self.release_oldest();
        }
    }

    /// Over the budget: trackers holding only room let it go first (no
    /// data is lost), then those holding the oldest partial data give it
    /// up, until three quarters of the budget are left; so the scan that
    /// picks them is paid for by a quarter of the budget's worth of new
    /// bytes.
    fn release_oldest(&mut self) {
        let budget = self.config.max_partial_total;
        let target = budget / 4 * 3;
        let mut holders: Vec<(Option<u64>, u64)> = self
            .trackers
            .iter()
            .filter(|(_, t)| t.held_bytes() > 0)
            .map(|(id, t)| (t.held_since(), *id))
            .collect();
        // `None` (room only) sorts first, then by frame, then by id.
        holders.sort_unstable();
        for (_, id) in holders {
            if self.held <= target {
                break;
            }
            if let Some(t) = self.trackers.get_mut(&id) {
                let before = t.held_bytes();
                if t.give_up_held(budget) {
                    self.stats.budget_releases += 1;
                }
                self.held = (self.held + t.held_bytes()).saturating_sub(before);
            }
        }
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
        if self.trackers.get(&conn.id).is_some_and(|t| !t.is_ignored()) {
            self.feed(conn.id, |t| t.data(dir, chunk.data, chunk.frame, chunk.ts));
        }
    }

    fn on_gap(&mut self, conn: &ConnInfo, dir: Direction, gap: Gap) {
        self.feed(conn.id, |t| t.gap(dir, gap));
    }

    fn on_ended(&mut self, conn: &ConnInfo) {
        if let Some(t) = self.trackers.get_mut(&conn.id) {
            let before = t.held_bytes();
            t.shed();
            let after = t.held_bytes();
            if after != before {
                self.held_changed(before, after);
            }
        }
    }

    fn stats(&self) -> HandlerStats {
        self.stats
    }

    fn on_close(&mut self, conn: &ConnInfo, summary: &ConnSummary) {
        let tracker = self
            .trackers
            .remove(&conn.id)
            .unwrap_or_else(|| Box::new(TlsTracker::new(self.config)));
        self.held = self.held.saturating_sub(tracker.held_bytes());
        self.transcripts = self.transcripts.saturating_sub(tracker.transcript_bytes());
        let tls = tracker.finish(summary.last_frame);
        (self.sink)(ConnectionFacts {
            info: conn.clone(),
            tcp: summary.clone(),
            tls,
        });
    }
}
