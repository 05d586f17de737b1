//! The TLS record layer and handshake reassembly, per TCP connection.
//!
//! TLS is recognised by content, on any port: a plausible record header
//! (content type, version 3.x, a legal length) at the start of a direction,
//! or, after a plaintext exchange such as STARTTLS, a ClientHello or
//! ServerHello record further in. Records are framed here (tls-parser's
//! framer rejects legal TLS 1.2 ciphertext longer than 2^14+256), handshake
//! messages are reassembled across records and split out of shared records
//! (tls-parser does neither), and only whole messages go to the parsers in
//! [`super::messages`].
//!
//! The state per direction follows what the peers did: in TLS 1.0–1.2 a
//! direction is encrypted after its ChangeCipherSpec; in TLS 1.3 both are
//! encrypted after the ServerHello (unless it is a HelloRetryRequest), and
//! ChangeCipherSpec is only the middlebox-compatibility record.
//!
//! Every buffer the capture controls is bounded: a record may be at most
//! 2^14 + 2048 bytes (RFC 5246 §6.2.3), a handshake message at most
//! [`TlsConfig::max_handshake_message`]; a larger claim is reported and the
//! stream resynchronised, never allocated.
//!
//! The tracker's code is split by what it does: the facts it reports
//! ([`connection`]), record framing, resynchronisation, gaps and the end
//! of a stream ([`framing`]), handshake reassembly and message handling
//! ([`handshake`]), the other contents of records: alerts, application
//! data, records that could not be read ([`content`]), decryption state
//! and key setup ([`keys`]), transcript hashing and Finished checks
//! ([`transcript`]), and the TLS layer's buffer budget ([`budget`]).

mod budget;
mod connection;
mod content;
mod framing;
mod handshake;
mod keys;
mod transcript;

pub use connection::{
    AlertEntry, AppData, AppMarker, EncryptedStats, HandshakeRecord, IssueKind, KeyStatus,
    LadderEntry, StreamIssue, TlsConnection, TranscriptHash,
};
pub use transcript::transcript_before;

use super::keylog::KeyLog;
use crate::capture::Timestamp;
use crate::net::tcp::Direction;
use keys::Crypto;
use serde::Serialize;
use std::sync::Arc;

/// Largest legal TLSCiphertext fragment (RFC 5246 §6.2.3).
pub const MAX_RECORD: usize = (1 << 14) + 2048;
/// Per-connection limits on what is kept: a hostile stream of tiny records
/// must not grow memory without end.
const MAX_LADDER: usize = 4096;

/// Limits for one connection, and across the connections of one
/// [`super::TlsAnalyzer`].
#[derive(Debug, Clone, Copy)]
pub struct TlsConfig {
    pub max_handshake_message: usize,
    /// Raw handshake bytes kept per connection for the transcript.
    pub max_transcript: usize,
    /// Room for partial records and handshake messages held across all
    /// connections of one analyzer (what their buffers have allocated);
    /// beyond it the connections holding the oldest partial data give it
    /// up as lost, until three quarters of it are left.
    pub max_partial_total: usize,
    /// Raw handshake bytes kept for transcripts across all open
    /// connections of one analyzer: beyond it, connections keep no more
    /// (their later messages are parsed and listed, but signatures and
    /// Finished messages over them cannot be checked) until connections
    /// close and free theirs.
    pub max_transcript_total: usize,
}

impl Default for TlsConfig {
    fn default() -> Self {
        TlsConfig {
            max_handshake_message: 256 * 1024,
            max_transcript: 1024 * 1024,
            max_partial_total: 64 * 1024 * 1024,
            max_transcript_total: 64 * 1024 * 1024,
        }
    }
}

/// Who sent something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Client,
    Server,
}

impl Side {
    pub fn of(dir: Direction) -> Side {
        match dir {
            Direction::ClientToServer => Side::Client,
            Direction::ServerToClient => Side::Server,
        }
    }

    pub fn peer(self) -> Side {
        match self {
            Side::Client => Side::Server,
            Side::Server => Side::Client,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Side::Client => "client",
            Side::Server => "server",
        }
    }

    /// 0 for the client, 1 for the server: the index of per-side arrays.
    pub fn index(self) -> usize {
        match self {
            Side::Client => 0,
            Side::Server => 1,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Nothing decided yet in this direction.
    Start,
    /// Plaintext: looking for TLS to start (STARTTLS).
    Plaintext,
    /// Framing records.
    Records,
    /// Lost sync (gap or garbage): looking for the next record header.
    Resync,
    /// Not TLS: gave up looking.
    Ignored,
}

#[derive(Debug)]
struct DirState {
    mode: Mode,
    /// Bytes received but not yet consumed: at most one record (or a scan
    /// window in plaintext), so bounded by [`MAX_RECORD`] + 5.
    pending: Vec<u8>,
    /// Bytes of a handshake message spread over records.
    handshake: Vec<u8>,
    /// Records in this direction are encrypted.
    encrypted: bool,
    /// Records seen in this direction.
    records: u64,
    /// Plaintext bytes passed over before TLS started.
    plaintext: u32,
    /// Encrypted handshake records since this direction's ChangeCipherSpec.
    sealed_handshakes: u32,
    /// Handshake bytes still to pass over: the rest of a message too large
    /// to keep.
    skip_handshake: u32,
    /// After a gap: the next handshake record may continue a message whose
    /// start was lost; records are skipped until one starts a message.
    handshake_lost_sync: bool,
    /// The frames at which the first byte still held in `pending` and in
    /// `handshake` arrived.
    pending_since: u64,
    handshake_since: u64,
}

impl Default for DirState {
    fn default() -> Self {
        DirState {
            mode: Mode::Start,
            pending: Vec::new(),
            handshake: Vec::new(),
            encrypted: false,
            records: 0,
            plaintext: 0,
            sealed_handshakes: 0,
            skip_handshake: 0,
            handshake_lost_sync: false,
            pending_since: 0,
            handshake_since: 0,
        }
    }
}

/// A length as kept in per-connection state (lengths there are bounded
/// far below 4 GiB; a larger one saturates).
fn small(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Is this negotiated version TLS 1.3 (or one of its drafts)?
pub fn is_tls13(v: u16) -> bool {
    v == 0x0304 || (v >> 8) == 0x7F
}

/// The per-connection limits of [`TlsConfig`], as a tracker keeps them.
#[derive(Debug, Clone, Copy, Default)]
struct Limits {
    handshake_message: u32,
    transcript: u32,
}

impl Limits {
    fn of(config: &TlsConfig) -> Limits {
        Limits {
            handshake_message: small(config.max_handshake_message),
            transcript: small(config.max_transcript),
        }
    }
}

/// Builds a [`TlsConnection`] from the two byte streams of a TCP connection.
#[derive(Debug, Default)]
pub struct TlsTracker {
    limits: Limits,
    dirs: [DirState; 2],
    conn: TlsConnection,
    /// A HelloRetryRequest was seen: TLS 1.3 is being negotiated.
    hrr_seen: bool,
    crypto: Crypto,
}

impl TlsTracker {
    pub fn new(config: TlsConfig) -> Self {
        TlsTracker {
            limits: Limits::of(&config),
            dirs: [DirState::default(), DirState::default()],
            conn: TlsConnection::default(),
            hrr_seen: false,
            crypto: Crypto::default(),
        }
    }

    /// A tracker that decrypts with the secrets in `keylog`.
    pub fn with_keylog(config: TlsConfig, keylog: Option<Arc<KeyLog>>) -> Self {
        let mut t = TlsTracker::new(config);
        if keylog.is_some() {
            t.conn.key_status = KeyStatus::NoSecrets;
        }
        t.crypto.keylog = keylog;
        t
    }

    /// Also decrypts static-RSA handshakes (TLS 1.0–1.2, SSL 3.0) with
    /// these servers' private keys, as tshark's `rsa_keys` does.
    pub fn with_server_keys(mut self, keys: Option<Arc<Vec<rsa::RsaPrivateKey>>>) -> Self {
        self.crypto.server_keys = keys.filter(|k| !k.is_empty());
        self
    }

    /// What has been learned so far.
    pub fn connection(&self) -> &TlsConnection {
        &self.conn
    }

    /// Both directions have been given up as not TLS: the caller may stop
    /// feeding bytes.
    pub fn is_ignored(&self) -> bool {
        self.dirs.iter().all(|d| d.mode == Mode::Ignored)
    }

    fn issue(&mut self, from: Side, frame: u64, kind: IssueKind, detail: String) {
        // A hostile stream could raise issues without end.
        if self.conn.issues.len() < 256 {
            self.conn.issues.push(StreamIssue {
                from,
                frame,
                kind,
                detail,
            });
        }
    }

    /// Raw handshake bytes this connection keeps for its transcript.
    pub fn transcript_bytes(&self) -> usize {
        self.conn.transcript_bytes
    }

    /// Some handshake message was not kept for the transcript (a limit).
    pub fn transcript_truncated(&self) -> bool {
        self.conn.transcript_truncated
    }

    /// Keeps at most `limit` raw handshake bytes for the transcript (the
    /// analyzer's share of its budget across connections; never more than
    /// [`TlsConfig::max_transcript`], which the caller applies).
    pub fn limit_transcript(&mut self, limit: usize) {
        self.limits.transcript = small(limit);
    }

    /// Feeds bytes of one direction, in stream order.
    pub fn data(&mut self, dir: Direction, data: &[u8], frame: u64, ts: Timestamp) {
        let side = Side::of(dir);
        let st = &mut self.dirs[side.index()];
        if st.mode == Mode::Ignored {
            return;
        }
        if st.pending.is_empty() {
            st.pending_since = frame;
        }
        st.pending.extend_from_slice(data);
        self.process(side, frame, ts);
        self.dirs[side.index()].trim();
    }

    fn ladder(
        &mut self,
        from: Side,
        kind: &str,
        frame: u64,
        ts: Timestamp,
        encrypted: bool,
        length: usize,
    ) {
        if self.conn.ladder.len() >= MAX_LADDER {
            self.conn.ladder_truncated = true;
            return;
        }
        self.conn.ladder.push(LadderEntry {
            kind: kind.to_string(),
            from,
            frame,
            ts,
            encrypted,
            length,
            handshake: None,
            alert: None,
            truncated: false,
        });
    }
}

#[cfg(test)]
mod tests;
