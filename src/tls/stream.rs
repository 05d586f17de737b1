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

use super::messages::{self, HandshakeMessage};
use crate::capture::Timestamp;
use crate::net::tcp::{Direction, Gap};
use serde::Serialize;

/// Largest legal TLSCiphertext fragment (RFC 5246 §6.2.3).
pub const MAX_RECORD: usize = (1 << 14) + 2048;
/// Per-connection limits on what is kept: a hostile stream of tiny records
/// must not grow memory without end.
const MAX_LADDER: usize = 4096;
const MAX_ALERTS: usize = 256;
const MAX_HANDSHAKES: usize = 1024;
/// How far into a plaintext stream tlstrace looks for TLS starting (STARTTLS).
const MAX_PLAINTEXT_SCAN: u64 = 64 * 1024;

/// Limits for one connection.
#[derive(Debug, Clone, Copy)]
pub struct TlsConfig {
    pub max_handshake_message: usize,
    /// Raw handshake bytes kept per connection for the transcript.
    pub max_transcript: usize,
}

impl Default for TlsConfig {
    fn default() -> Self {
        TlsConfig {
            max_handshake_message: 256 * 1024,
            max_transcript: 1024 * 1024,
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

    fn index(self) -> usize {
        match self {
            Side::Client => 0,
            Side::Server => 1,
        }
    }
}

/// One step of the handshake ladder: a handshake message or a
/// non-handshake record.
#[derive(Debug, Clone, Serialize)]
pub struct LadderEntry {
    /// RFC 8446 snake_case name (`client_hello`, `certificate_request`, …),
    /// or `change_cipher_spec`, `alert`, `application_data`, `heartbeat`.
    #[serde(rename = "type")]
    pub kind: String,
    pub from: Side,
    /// The frame that completed the message or record.
    pub frame: u64,
    #[serde(skip)]
    pub ts: Timestamp,
    /// The record carrying it was encrypted (and not decrypted).
    pub encrypted: bool,
    /// Length of the message body or record.
    pub length: usize,
    /// Index into [`TlsConnection::handshakes`] for parsed handshake messages.
    #[serde(skip)]
    pub handshake: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alert: Option<AlertEntry>,
}

/// A parsed handshake message with where it came from.
#[derive(Debug, Clone)]
pub struct HandshakeRecord {
    pub from: Side,
    pub frame: u64,
    pub ts: Timestamp,
    pub msg_type: u8,
    pub message: Result<HandshakeMessage, String>,
    /// Whether it was carried in an encrypted (and decrypted) record.
    pub decrypted: bool,
    /// The whole message, header included, for the transcript; `None` once
    /// the transcript limit is reached.
    pub raw: Option<Vec<u8>>,
}

/// An alert as seen on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AlertEntry {
    pub from: Side,
    pub level: u8,
    pub description: u8,
    pub frame: u64,
    /// The alert record was encrypted: level and description are unknown
    /// (both 0) unless it was decrypted.
    pub encrypted: bool,
}

/// Something in the TLS stream that the analysis must know about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StreamIssue {
    pub from: Side,
    pub frame: u64,
    pub kind: IssueKind,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    /// Bytes never captured inside the TLS stream.
    CaptureGap,
    /// A record or handshake message was lost in a gap.
    LostRecord,
    RecordTooLarge,
    HandshakeTooLarge,
    UnknownContentType,
    MalformedMessage,
    /// The stream ended inside a record or message.
    Truncated,
    /// An SSLv2-compatible ClientHello.
    Sslv2ClientHello,
    /// Bytes were skipped to find the next record header.
    Resynchronised,
}

/// Counts of records that could not be read.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct EncryptedStats {
    pub records: u64,
    pub bytes: u64,
    pub first_frame: Option<u64>,
    pub last_frame: Option<u64>,
}

/// Everything the TLS layer learned about one connection.
#[derive(Debug, Clone, Default)]
pub struct TlsConnection {
    /// TLS was seen in at least one direction.
    pub detected: bool,
    /// Bytes of plaintext before TLS started, per side (STARTTLS).
    pub plaintext_before: [u64; 2],
    pub ladder: Vec<LadderEntry>,
    pub handshakes: Vec<HandshakeRecord>,
    pub alerts: Vec<AlertEntry>,
    pub issues: Vec<StreamIssue>,
    /// Encrypted records per side (client, server).
    pub encrypted: [EncryptedStats; 2],
    /// The negotiated version, once the ServerHello is seen.
    pub version: Option<u16>,
    pub transcript_bytes: usize,
    pub transcript_truncated: bool,
    /// The ladder, alert or message lists reached their limits.
    pub ladder_truncated: bool,
}

impl TlsConnection {
    pub fn encrypted_for(&self, side: Side) -> &EncryptedStats {
        &self.encrypted[side.index()]
    }

    /// The handshake messages of one kind, in order.
    pub fn messages_of(&self, msg_type: u8) -> impl Iterator<Item = &HandshakeRecord> {
        self.handshakes
            .iter()
            .filter(move |h| h.msg_type == msg_type)
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
    plaintext: u64,
    /// Encrypted handshake records since this direction's ChangeCipherSpec.
    sealed_handshakes: u32,
    /// Handshake bytes still to pass over: the rest of a message too large
    /// to keep.
    skip_handshake: usize,
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
        }
    }
}

fn record_len(h: &[u8]) -> usize {
    match h {
        [_, _, _, hi, lo, ..] => usize::from(*hi) << 8 | usize::from(*lo),
        _ => 0,
    }
}

/// Is `h` a plausible TLS record header?
fn plausible_header(h: &[u8]) -> bool {
    match h {
        [t, 3, minor, ..] if h.len() >= 5 => {
            let len = record_len(h);
            (20..=24).contains(t) && *minor <= 4 && len > 0 && len <= MAX_RECORD
        }
        _ => false,
    }
}

/// Where TLS plausibly starts in plaintext: a handshake record holding a
/// ClientHello (client) or ServerHello (server), or an alert record.
fn find_tls_start(buf: &[u8], side: Side) -> Option<usize> {
    let want = match side {
        Side::Client => 1u8,
        Side::Server => 2u8,
    };
    (0..buf.len()).find(|&i| {
        let h = &buf[i..];
        if !plausible_header(h) {
            return false;
        }
        match h {
            [22, 3, _, _, _, t, a, b, c, ..] if *t == want => {
                let hs_len = usize::from(*a) << 16 | usize::from(*b) << 8 | usize::from(*c);
                record_len(h) >= 4 && (38..1 << 18).contains(&hs_len)
            }
            [21, 3, _, 0, 2, 1 | 2, ..] => true,
            _ => false,
        }
    })
}

/// The length of an SSLv2-compatible ClientHello (RFC 5246 E.2) starting `b`.
fn sslv2_client_hello_len(b: &[u8]) -> Option<usize> {
    match b {
        [hi, lo, 1, 0 | 3, minor, ..] if hi & 0x80 != 0 && *minor <= 4 => {
            Some((usize::from(hi & 0x7F) << 8 | usize::from(*lo)) + 2)
        }
        _ => None,
    }
}

/// Handshake type names tlstrace puts on the ladder.
fn ladder_name(msg: &Result<HandshakeMessage, String>, msg_type: u8) -> String {
    if let Ok(HandshakeMessage::ServerHello(sh)) = msg {
        if sh.is_hello_retry_request {
            return "hello_retry_request".to_string();
        }
    }
    messages::HandshakeType(msg_type).name().into_owned()
}

fn type_name(t: u8) -> std::borrow::Cow<'static, str> {
    messages::HandshakeType(t).name()
}

/// Is this negotiated version TLS 1.3 (or one of its drafts)?
pub fn is_tls13(v: u16) -> bool {
    v == 0x0304 || (v >> 8) == 0x7F
}

/// Builds a [`TlsConnection`] from the two byte streams of a TCP connection.
#[derive(Debug, Default)]
pub struct TlsTracker {
    config: TlsConfig,
    dirs: [DirState; 2],
    conn: TlsConnection,
    /// A HelloRetryRequest was seen: TLS 1.3 is being negotiated.
    hrr_seen: bool,
}

impl TlsTracker {
    pub fn new(config: TlsConfig) -> Self {
        TlsTracker {
            config,
            dirs: [DirState::default(), DirState::default()],
            conn: TlsConnection::default(),
            hrr_seen: false,
        }
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

    /// Feeds bytes of one direction, in stream order.
    pub fn data(&mut self, dir: Direction, data: &[u8], frame: u64, ts: Timestamp) {
        let side = Side::of(dir);
        let st = &mut self.dirs[side.index()];
        if st.mode == Mode::Ignored {
            return;
        }
        st.pending.extend_from_slice(data);
        self.process(side, frame, ts);
    }

    fn process(&mut self, side: Side, frame: u64, ts: Timestamp) {
        loop {
            let st = &mut self.dirs[side.index()];
            match st.mode {
                Mode::Ignored => {
                    st.pending = Vec::new();
                    return;
                }
                Mode::Start => {
                    if st.pending.len() < 5 {
                        return;
                    }
                    let tls = plausible_header(&st.pending)
                        || (side == Side::Client && sslv2_client_hello_len(&st.pending).is_some());
                    st.mode = if tls { Mode::Records } else { Mode::Plaintext };
                }
                Mode::Plaintext => {
                    match find_tls_start(&st.pending, side) {
                        Some(i) => {
                            // Wait for the whole header and hello type byte.
                            if st.pending.len() < i + 9 && st.pending[i] == 22 {
                                return;
                            }
                            st.plaintext += i as u64;
                            st.pending.drain(..i);
                            st.mode = Mode::Records;
                            self.conn.plaintext_before[side.index()] = st.plaintext;
                        }
                        None => {
                            // Keep a few bytes: a header may straddle chunks.
                            let keep = st.pending.len().min(8);
                            let drop = st.pending.len() - keep;
                            st.plaintext += drop as u64;
                            st.pending.drain(..drop);
                            if st.plaintext > MAX_PLAINTEXT_SCAN {
                                st.mode = Mode::Ignored;
                            }
                            return;
                        }
                    }
                }
                Mode::Resync => {
                    let found = (0..st.pending.len()).find(|&i| {
                        let h = &st.pending[i..];
                        if !plausible_header(h) {
                            return false;
                        }
                        // If the following header is in view, it must be
                        // plausible too.
                        let next = i + 5 + record_len(h);
                        next + 5 > st.pending.len() || plausible_header(&st.pending[next..])
                    });
                    match found {
                        Some(i) => {
                            st.pending.drain(..i);
                            st.mode = Mode::Records;
                            if i > 0 {
                                self.issue(
                                    side,
                                    frame,
                                    IssueKind::Resynchronised,
                                    format!("skipped {i} bytes to the next record header"),
                                );
                            }
                        }
                        None => {
                            let keep = st.pending.len().min(4);
                            let drop = st.pending.len() - keep;
                            st.pending.drain(..drop);
                            return;
                        }
                    }
                }
                Mode::Records => {
                    if st.records == 0 && side == Side::Client {
                        if let Some(len) = sslv2_client_hello_len(&st.pending) {
                            if st.pending.len() < len {
                                return;
                            }
                            st.records += 1;
                            let rec: Vec<u8> = st.pending.drain(..len).collect();
                            self.sslv2_hello(&rec, frame, ts);
                            continue;
                        }
                    }
                    if st.pending.len() < 5 {
                        return;
                    }
                    if !plausible_header(&st.pending) {
                        let (t, v, len) = (
                            st.pending[0],
                            u16::from_be_bytes([st.pending[1], st.pending[2]]),
                            record_len(&st.pending),
                        );
                        st.mode = Mode::Resync;
                        st.handshake.clear();
                        let (kind, what) = if len > MAX_RECORD && (20..=24).contains(&t) {
                            (
                                IssueKind::RecordTooLarge,
                                format!("a record claims {len} bytes, more than the {MAX_RECORD} TLS allows"),
                            )
                        } else if v >> 8 == 3 {
                            (
                                IssueKind::UnknownContentType,
                                format!("record of unknown content type {t}"),
                            )
                        } else {
                            (
                                IssueKind::UnknownContentType,
                                format!("bytes that are not a TLS record header ({t:02x} {v:04x})"),
                            )
                        };
                        self.issue(side, frame, kind, what);
                        continue;
                    }
                    let len = record_len(&st.pending);
                    if st.pending.len() < 5 + len {
                        return;
                    }
                    st.records += 1;
                    let rec: Vec<u8> = st.pending.drain(..5 + len).collect();
                    self.record(side, &rec, frame, ts);
                }
            }
        }
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
        });
    }

    /// One whole record: header and body.
    fn record(&mut self, side: Side, rec: &[u8], frame: u64, ts: Timestamp) {
        self.conn.detected = true;
        let content = rec[0];
        let body = &rec[5..];
        let encrypted = self.dirs[side.index()].encrypted;
        // A plaintext alert is exactly two bytes with level 1 or 2; whatever
        // the state, anything else in an alert record is ciphertext, and a
        // two-byte alert is plaintext (a peer may alert in clear before it
        // switched keys).
        let clear_alert = content == 21 && matches!(body, [1 | 2, _]);
        if content == 21 && !clear_alert {
            self.encrypted_record(side, content, body.len(), frame, ts);
            return;
        }
        if encrypted && content != 20 && !clear_alert {
            self.encrypted_record(side, content, body.len(), frame, ts);
            return;
        }
        match content {
            20 => {
                self.ladder(side, "change_cipher_spec", frame, ts, false, body.len());
                // In TLS 1.3 ChangeCipherSpec is only for middleboxes; before
                // it, it switches this direction to the negotiated keys. A
                // CCS after a HelloRetryRequest, before the real ServerHello,
                // is TLS 1.3's compatibility record and switches nothing.
                let switches = match self.conn.version {
                    Some(v) => !is_tls13(v),
                    None => !self.hrr_seen,
                };
                if switches {
                    let st = &mut self.dirs[side.index()];
                    st.encrypted = true;
                    st.sealed_handshakes = 0;
                }
            }
            21 => {
                if let [level, description] = body {
                    self.alert(side, *level, *description, frame, ts, false);
                }
            }
            22 => self.handshake_bytes(side, body, frame, ts, false),
            23 => self.encrypted_record(side, content, body.len(), frame, ts),
            24 => self.ladder(side, "heartbeat", frame, ts, false, body.len()),
            _ => {}
        }
    }

    fn alert(
        &mut self,
        from: Side,
        level: u8,
        description: u8,
        frame: u64,
        ts: Timestamp,
        encrypted: bool,
    ) {
        let a = AlertEntry {
            from,
            level,
            description,
            frame,
            encrypted,
        };
        if self.conn.alerts.len() >= MAX_ALERTS {
            return;
        }
        self.conn.alerts.push(a);
        if self.conn.ladder.len() >= MAX_LADDER {
            self.conn.ladder_truncated = true;
            return;
        }
        self.conn.ladder.push(LadderEntry {
            kind: "alert".to_string(),
            from,
            frame,
            ts,
            encrypted,
            length: 2,
            handshake: None,
            alert: Some(a),
        });
    }

    /// A record that could not be read: counted, and put on the ladder as
    /// what it is on the wire.
    fn encrypted_record(&mut self, side: Side, content: u8, len: usize, frame: u64, ts: Timestamp) {
        let e = &mut self.conn.encrypted[side.index()];
        e.records += 1;
        e.bytes += len as u64;
        e.first_frame.get_or_insert(frame);
        e.last_frame = Some(frame);
        // Application data can be numerous: the ladder keeps only the first
        // few records of it per side.
        let kind = match content {
            21 => {
                self.alert(side, 0, 0, frame, ts, true);
                return;
            }
            // TLS 1.0–1.2: the first message under the new keys is always
            // Finished (RFC 5246 §7.4.9); later ones (renegotiation) are not
            // known.
            22 => {
                let st = &mut self.dirs[side.index()];
                st.sealed_handshakes += 1;
                if st.sealed_handshakes == 1 && !self.conn.version.is_some_and(is_tls13) {
                    "finished"
                } else {
                    "encrypted_handshake"
                }
            }
            23 => "application_data",
            24 => "heartbeat",
            _ => "unknown",
        };
        let shown = self
            .conn
            .ladder
            .iter()
            .filter(|l| l.from == side && l.kind == kind && l.encrypted)
            .count();
        if kind != "application_data" || shown < 8 {
            self.ladder(side, kind, frame, ts, true, len);
        }
    }

    /// Handshake record bytes: cut whole messages, keep a partial one.
    fn handshake_bytes(
        &mut self,
        side: Side,
        body: &[u8],
        frame: u64,
        ts: Timestamp,
        decrypted: bool,
    ) {
        let max = self.config.max_handshake_message;
        let st = &mut self.dirs[side.index()];
        let skip = st.skip_handshake.min(body.len());
        st.skip_handshake -= skip;
        st.handshake.extend_from_slice(&body[skip..]);
        loop {
            let st = &mut self.dirs[side.index()];
            let Some((msg_type, len)) = messages::split_handshake_header(&st.handshake) else {
                return;
            };
            if len > max {
                // Pass over exactly this message, then carry on with the next.
                st.skip_handshake = (4 + len).saturating_sub(st.handshake.len());
                st.handshake.clear();
                self.issue(
                    side,
                    frame,
                    IssueKind::HandshakeTooLarge,
                    format!(
                        "a {} message claims {len} bytes, more than the {max}-byte limit: it is listed but not read",
                        type_name(msg_type)
                    ),
                );
                let kind = type_name(msg_type).into_owned();
                self.ladder(side, &kind, frame, ts, false, len);
                return;
            }
            if st.handshake.len() < 4 + len {
                return;
            }
            let raw: Vec<u8> = st.handshake.drain(..4 + len).collect();
            self.handshake_message(side, msg_type, raw, frame, ts, decrypted);
            // A TLS 1.3 ServerHello switches the keys: the rest of the
            // record (if any) would be a protocol error; leave it buffered.
        }
    }

    fn handshake_message(
        &mut self,
        side: Side,
        msg_type: u8,
        raw: Vec<u8>,
        frame: u64,
        ts: Timestamp,
        decrypted: bool,
    ) {
        let body = &raw[4..];
        let parsed =
            messages::parse_handshake(msg_type, body, self.conn.version).map_err(|e| e.to_string());
        if let Err(e) = &parsed {
            self.issue(side, frame, IssueKind::MalformedMessage, e.clone());
        }
        if let Ok(HandshakeMessage::ServerHello(sh)) = &parsed {
            self.hrr_seen |= sh.is_hello_retry_request;
            if !sh.is_hello_retry_request {
                let v = sh.negotiated_version();
                self.conn.version = Some(v);
                if is_tls13(v) {
                    // Everything after the ServerHello is under handshake keys.
                    self.dirs[0].encrypted = true;
                    self.dirs[1].encrypted = true;
                }
            }
        }
        let kind = ladder_name(&parsed, msg_type);
        let keep = self.conn.transcript_bytes + raw.len() <= self.config.max_transcript;
        if keep {
            self.conn.transcript_bytes += raw.len();
        } else {
            self.conn.transcript_truncated = true;
        }
        if self.conn.handshakes.len() >= MAX_HANDSHAKES || self.conn.ladder.len() >= MAX_LADDER {
            self.conn.ladder_truncated = true;
            return;
        }
        let idx = self.conn.handshakes.len();
        let length = body.len();
        self.conn.handshakes.push(HandshakeRecord {
            from: side,
            frame,
            ts,
            msg_type,
            message: parsed,
            decrypted,
            raw: keep.then_some(raw),
        });
        self.conn.ladder.push(LadderEntry {
            kind,
            from: side,
            frame,
            ts,
            encrypted: false,
            length,
            handshake: Some(idx),
            alert: None,
        });
    }

    fn sslv2_hello(&mut self, rec: &[u8], frame: u64, ts: Timestamp) {
        self.conn.detected = true;
        self.issue(
            Side::Client,
            frame,
            IssueKind::Sslv2ClientHello,
            "the client sent an SSLv2-compatible ClientHello (RFC 5246 appendix E.2)".into(),
        );
        self.ladder(
            Side::Client,
            "client_hello",
            frame,
            ts,
            false,
            rec.len().saturating_sub(2),
        );
    }

    /// Bytes the capture missed in one direction.
    pub fn gap(&mut self, dir: Direction, gap: Gap) {
        let side = Side::of(dir);
        let st = &mut self.dirs[side.index()];
        let mut lost = Vec::new();
        if st.mode == Mode::Records && !st.pending.is_empty() {
            let what = if st.pending.len() >= 5 {
                format!(
                    "a {} record of {} bytes",
                    super::names::content_type_name(st.pending[0]),
                    record_len(&st.pending)
                )
            } else {
                "a record".to_string()
            };
            lost.push(what);
        }
        if let Some((t, len)) = messages::split_handshake_header(&st.handshake) {
            lost.push(format!("a {} message of {len} bytes", type_name(t)));
        }
        st.pending.clear();
        st.handshake.clear();
        st.skip_handshake = 0;
        if matches!(st.mode, Mode::Records) {
            st.mode = Mode::Resync;
        }
        self.issue(
            side,
            gap.frame,
            IssueKind::CaptureGap,
            format!(
                "{} bytes from the {} were not captured (stream offset {}{})",
                gap.len,
                side.as_str(),
                gap.offset,
                if gap.truncated {
                    ", cut by the snaplen"
                } else {
                    ""
                }
            ),
        );
        for what in lost {
            self.issue(
                side,
                gap.frame,
                IssueKind::LostRecord,
                format!("{what} was lost in the gap"),
            );
        }
    }

    /// The connection ended: report anything left half-read.
    pub fn finish(mut self, last_frame: u64) -> TlsConnection {
        for side in [Side::Client, Side::Server] {
            let st = &self.dirs[side.index()];
            let mut left = Vec::new();
            if st.mode == Mode::Records && !st.pending.is_empty() {
                let need = if st.pending.len() >= 5 {
                    5 + record_len(&st.pending)
                } else {
                    5
                };
                left.push(format!(
                    "the {} stream ends inside a record ({} of {} bytes)",
                    side.as_str(),
                    st.pending.len(),
                    need
                ));
            }
            if let Some((t, len)) = messages::split_handshake_header(&st.handshake) {
                left.push(format!(
                    "the {} stream ends inside a {} message ({} of {} bytes)",
                    side.as_str(),
                    type_name(t),
                    st.handshake.len(),
                    len + 4
                ));
            }
            for l in left {
                self.issue(side, last_frame, IssueKind::Truncated, l);
            }
        }
        self.conn
    }
}
