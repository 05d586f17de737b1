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

use super::decrypt::{self as dec, Plaintext, RecordDecrypter, Version};
use super::keylog::{KeyLog, Secret};
use super::messages::{self, HandshakeMessage};
use crate::capture::Timestamp;
use crate::net::tcp::{Direction, Gap};
use serde::Serialize;
use std::sync::Arc;

/// Largest legal TLSCiphertext fragment (RFC 5246 §6.2.3).
pub const MAX_RECORD: usize = (1 << 14) + 2048;
/// Per-connection limits on what is kept: a hostile stream of tiny records
/// must not grow memory without end.
const MAX_LADDER: usize = 4096;
/// A TLS 1.3 record larger than this, after a side's first application
/// data, is bulk data and is not decrypted (a post-handshake Certificate
/// of over 8 KiB would be missed; the handshake's are always read).
const BULK_RECORD: usize = 8192;
const MAX_ALERTS: usize = 256;
const MAX_HANDSHAKES: usize = 1024;
/// How many lost records the decrypter skips over to resynchronise.
const MAX_LOST_RECORDS: u64 = 256;
/// How far into a plaintext stream tlstrace looks for TLS starting (STARTTLS).
const MAX_PLAINTEXT_SCAN: u64 = 64 * 1024;

/// A buffer larger than this, and over twice what it holds, is shrunk to
/// what it holds once the bytes in view are read: a large chunk (or a
/// large message) must not leave its room behind. Segments of a usual MSS
/// never reach it.
const KEEP_CAPACITY: usize = 32 * 1024;

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
}

impl Default for TlsConfig {
    fn default() -> Self {
        TlsConfig {
            max_handshake_message: 256 * 1024,
            max_transcript: 1024 * 1024,
            max_partial_total: 64 * 1024 * 1024,
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
    /// Only the start of the message was captured.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
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
    /// Records did not authenticate with the key log's secrets.
    KeysWrong,
}

/// What the first application data of a side said, when recognised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AppMarker {
    /// nginx's 400 page: "No required SSL certificate was sent".
    NginxNoCertificate,
    /// nginx's 400 page: "The SSL certificate error".
    NginxCertificateError,
    /// An IIS 403.7 / 403.13 / 403.16 / 403.17 page.
    IisForbidden(String),
    /// Another HTTP 400, 401 or 403 status (or nginx's 495/496).
    HttpError(String),
}

/// Whether and how the connection could be decrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyStatus {
    /// No key log was given (or embedded).
    #[default]
    NoKeyLog,
    /// The key log holds no usable secrets for this connection.
    NoSecrets,
    /// The cipher suite is not one tlstrace decrypts.
    UnsupportedSuite,
    /// Secrets were found and records are being decrypted.
    Keys,
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
    /// Whether secrets were found for this connection.
    pub key_status: KeyStatus,
    /// Records decrypted per side (client, server).
    pub decrypted: [u64; 2],
    /// Finished messages checked against the key schedule: side, frame,
    /// whether verify_data matched.
    pub finished_checks: Vec<(Side, u64, bool)>,
    /// What each side's first decrypted application data said; absent
    /// (and not allocated) until some was decrypted. Read it with
    /// [`TlsConnection::app_first_line`] and [`TlsConnection::app_marker`].
    pub app: Option<Box<AppData>>,
    /// Index into `handshakes` where the current handshake's transcript
    /// starts (its ClientHello).
    pub transcript_start: usize,
    /// Every record's side, type, length, frame and time (the first ones).
    pub records: super::traffic::RecordLog,
    /// Transcript hashes computed while decrypting (before each Finished
    /// and TLS 1.3 CertificateVerify), for the checks made later.
    pub transcript_hashes: Vec<TranscriptHash>,
}

/// The hash of the transcript before handshake message `before`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptHash {
    pub before: usize,
    pub alg: dec::HashAlg,
    pub hash: Vec<u8>,
}

/// Transcript hashes kept per connection, at most.
const MAX_TRANSCRIPT_HASHES: usize = 16;

/// A transcript hashed as it grows, so that the hashes before each
/// Finished and CertificateVerify cost one pass over the messages, not one
/// each.
#[derive(Debug)]
struct RunningTranscript {
    alg: dec::HashAlg,
    /// The transcript start and HelloRetryRequest position it was begun
    /// with: if either changes, it is begun again.
    start: usize,
    hrr: Option<usize>,
    /// The next message to add.
    next: usize,
    hash: dec::Transcript,
}

/// The start of each side's first decrypted application data.
#[derive(Debug, Clone, Default)]
pub struct AppData {
    /// The first line (at most 100 printable characters), per side
    /// (client, server).
    pub first_line: [Option<String>; 2],
    /// What it was recognised as.
    pub marker: [Option<AppMarker>; 2],
}

impl TlsConnection {
    /// The hash of the transcript before message `idx`, if it was computed
    /// while decrypting.
    pub fn transcript_hash_before(&self, idx: usize, alg: dec::HashAlg) -> Option<&[u8]> {
        self.transcript_hashes
            .iter()
            .find(|t| t.before == idx && t.alg == alg)
            .map(|t| t.hash.as_slice())
    }

    /// The first line of `side`'s first decrypted application data.
    pub fn app_first_line(&self, side: Side) -> Option<&str> {
        self.app.as_ref()?.first_line[side.index()].as_deref()
    }

    /// What `side`'s first decrypted application data was recognised as.
    pub fn app_marker(&self, side: Side) -> Option<&AppMarker> {
        self.app.as_ref()?.marker[side.index()].as_ref()
    }

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

impl DirState {
    /// What the partial-data buffers have allocated.
    fn held(&self) -> usize {
        self.pending.capacity() + self.handshake.capacity()
    }

    /// The frame of the oldest partial byte held, if any.
    fn held_since(&self) -> Option<u64> {
        let p = (!self.pending.is_empty()).then_some(self.pending_since);
        let h = (!self.handshake.is_empty()).then_some(self.handshake_since);
        match (p, h) {
            (Some(p), Some(h)) => Some(p.min(h)),
            (p, h) => p.or(h),
        }
    }

    /// Lets go of room a large chunk or message left behind.
    fn trim(&mut self) {
        for v in [&mut self.pending, &mut self.handshake] {
            if v.capacity() > KEEP_CAPACITY && v.capacity() / 2 > v.len() {
                v.shrink_to(v.len());
            }
        }
    }
}

/// A length as kept in per-connection state (lengths there are bounded
/// far below 4 GiB; a larger one saturates).
fn small(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// `n` bytes, in MiB when a whole number of them.
fn size_text(n: usize) -> String {
    if n >= 1 << 20 && n % (1 << 20) == 0 {
        format!("{} MiB", n >> 20)
    } else {
        format!("{n} bytes")
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

/// Does `body` plausibly begin with a handshake message header: a defined
/// type and a length within bounds?
fn starts_handshake_message(body: &[u8], max: usize) -> bool {
    match body {
        [t, a, b, c, ..] => {
            let len = usize::from(*a) << 16 | usize::from(*b) << 8 | usize::from(*c);
            matches!(t, 0..=2 | 4 | 5 | 8 | 11..=16 | 20..=22 | 24 | 25) && len <= max
        }
        _ => false,
    }
}

/// After a gap: where in a handshake record body whole messages start
/// again. A position qualifies when the messages from it chain exactly to
/// the end of the body, or when two whole messages precede one that
/// continues in the next record: one plausible header alone is too easily
/// found in certificate bytes, unless it starts the record.
fn find_message_start(body: &[u8], max: usize) -> Option<usize> {
    (0..body.len()).find(|&p| {
        let mut q = p;
        let mut whole = 0;
        loop {
            if q == body.len() {
                return whole >= 1;
            }
            let rest = &body[q..];
            if !starts_handshake_message(rest, max) {
                return false;
            }
            let len = usize::from(rest[1]) << 16 | usize::from(rest[2]) << 8 | usize::from(rest[3]);
            if q + 4 + len > body.len() {
                // A record that starts with a header is taken at its word.
                return whole >= 2 || p == 0;
            }
            q += 4 + len;
            whole += 1;
        }
    })
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

/// The handshake messages of `conn`'s current transcript before `idx`, as
/// the peers hashed them: a HelloRetryRequest turns the first ClientHello
/// into a message_hash (RFC 8446 §4.4.1); TLS 1.3 post-handshake messages
/// and HelloRequest are not part of it. `hash` is the suite's hash, needed
/// only after a HelloRetryRequest. `None` when a message was not kept.
pub fn transcript_before(
    conn: &TlsConnection,
    idx: usize,
    hash: Option<dec::HashAlg>,
) -> Option<Vec<u8>> {
    let tls13 = conn.version.is_some_and(is_tls13);
    let msgs = conn.handshakes.get(conn.transcript_start..idx)?;
    let hrr = msgs.iter().position(|m| {
        matches!(&m.message, Ok(HandshakeMessage::ServerHello(sh)) if sh.is_hello_retry_request)
    });
    let mut out = Vec::new();
    for (i, m) in msgs.iter().enumerate() {
        if (tls13 && matches!(m.msg_type, 4 | 24)) || m.msg_type == 0 {
            continue;
        }
        let raw = m.raw.as_deref()?;
        if hrr.is_some_and(|h| i < h) && m.msg_type == 1 {
            let digest = dec::hash(hash?, raw);
            out.extend_from_slice(&[254, 0, 0, digest.len() as u8]);
            out.extend_from_slice(&digest);
        } else {
            out.extend_from_slice(raw);
        }
    }
    Some(out)
}

/// Is this negotiated version TLS 1.3 (or one of its drafts)?
pub fn is_tls13(v: u16) -> bool {
    v == 0x0304 || (v >> 8) == 0x7F
}

/// Decryption state of a connection.
#[derive(Debug, Default)]
struct Crypto {
    keylog: Option<Arc<KeyLog>>,
    /// Servers' RSA private keys (`--server-key`), for static-RSA key
    /// exchanges without a key log.
    server_keys: Option<Arc<Vec<rsa::RsaPrivateKey>>>,
    /// The decrypter in use per side (client, server). Boxed: most
    /// connections have none, and an idle connection must stay small.
    active: [Option<Box<RecordDecrypter>>; 2],
    /// Secrets and decrypters to come; boxed and absent until keys are
    /// found, for the same reason.
    keys: Option<Box<Keys>>,
    on_app_keys: [bool; 2],
    suite: Option<&'static dec::CipherSuite>,
    version: Option<Version>,
    client_random: Option<[u8; 32]>,
    encrypt_then_mac_offered: bool,
    extended_master_secret_offered: bool,
    early_data: bool,
    /// A record of each side was opened.
    opened: [bool; 2],
    failed: [bool; 2],
    /// Records were lost in a capture gap: the next record's sequence
    /// number is unknown and has to be found.
    lost: [bool; 2],
    /// A NULL-encryption suite was negotiated: records after
    /// ChangeCipherSpec are plaintext followed by a MAC of this length.
    null_mac: Option<u8>,
}

/// What a connection's decryption keeps of its key schedule.
#[derive(Debug, Default)]
struct Keys {
    /// A static-RSA handshake waiting for the client's ClientKeyExchange to
    /// recover the premaster secret with a server key.
    rsa_pending: Option<RsaPending>,
    /// TLS 1.0–1.2: the decrypter each side switches to at its
    /// ChangeCipherSpec.
    pending: [Option<Box<RecordDecrypter>>; 2],
    /// TLS 1.3: handshake traffic secrets (for Finished) and application
    /// traffic secrets (to switch to after each side's Finished).
    handshake_secret: [Option<Secret>; 2],
    app_secret: [Option<Secret>; 2],
    /// TLS 1.0–1.2 master secret of the current handshake.
    master: Option<Secret>,
}

/// The MAC length of a NULL-encryption cipher suite (records are then
/// readable without keys), or `None` for a real cipher.
/// What deriving the keys of a static-RSA handshake needs once the
/// premaster secret is known.
#[derive(Debug, Clone, Copy)]
struct RsaPending {
    suite: &'static dec::CipherSuite,
    version: Version,
    server_random: [u8; 32],
    etm: bool,
    ems: bool,
}

fn null_cipher_mac_len(suite: u16) -> Option<u8> {
    use tls_parser::{TlsCipherEnc, TlsCipherSuite};
    let cs = TlsCipherSuite::from_id(suite)?;
    (cs.enc == TlsCipherEnc::Null && suite != 0).then_some((cs.mac_size / 8) as u8)
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
    running: Option<Box<RunningTranscript>>,
}

impl TlsTracker {
    pub fn new(config: TlsConfig) -> Self {
        TlsTracker {
            limits: Limits::of(&config),
            dirs: [DirState::default(), DirState::default()],
            conn: TlsConnection::default(),
            hrr_seen: false,
            crypto: Crypto::default(),
            running: None,
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

    /// What the buffers of partial records and handshake messages have
    /// allocated (both directions): compared before and after each call,
    /// the analyzer keeps the total across connections.
    pub fn held_bytes(&self) -> usize {
        self.dirs[0].held() + self.dirs[1].held()
    }

    /// The frame at which the oldest partial byte held arrived; `None`
    /// when the buffers hold no bytes (only room).
    pub fn held_since(&self) -> Option<u64> {
        match (self.dirs[0].held_since(), self.dirs[1].held_since()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The buffer budget across connections (`budget` bytes) is exceeded:
    /// gives up the partial record and handshake message held in each
    /// direction, as lost (as a capture gap would lose them; the rest of a
    /// message whose length is known is passed over), and frees their
    /// room. Returns whether partial data was given up (not only room).
    pub fn give_up_held(&mut self, budget: usize) -> bool {
        let mut gave_up = false;
        for side in [Side::Client, Side::Server] {
            let i = side.index();
            let st = &mut self.dirs[i];
            let mut what = Vec::new();
            let mut frame = st.held_since().unwrap_or_default();
            let mut cut = None;
            if st.mode == Mode::Records && !st.pending.is_empty() {
                let content = st.pending[0];
                what.push(if st.pending.len() >= 5 {
                    format!(
                        "a partial {} record ({} of {} bytes)",
                        super::names::content_type_name(content),
                        st.pending.len(),
                        5 + record_len(&st.pending)
                    )
                } else {
                    "a partial record header".to_string()
                });
                // The rest of the record will come: found again as after
                // a gap. The record's sequence number is lost with it.
                st.pending = Vec::new();
                st.mode = Mode::Resync;
                self.crypto.lost[i] = true;
                if content == 22 {
                    // What it carried of a handshake message is lost too.
                    if let Some((t, len)) = messages::split_handshake_header(&st.handshake) {
                        what.push(format!(
                            "a partial {} message ({} of {} bytes)",
                            type_name(t),
                            st.handshake.len(),
                            4 + len
                        ));
                    }
                    st.handshake = Vec::new();
                    st.skip_handshake = 0;
                    st.handshake_lost_sync = true;
                }
            }
            if !st.handshake.is_empty() {
                match messages::split_handshake_header(&st.handshake) {
                    Some((t, len)) => {
                        // Its length is known: its rest is passed over,
                        // the next message read.
                        what.push(format!(
                            "a partial {} message ({} of {} bytes)",
                            type_name(t),
                            st.handshake.len(),
                            4 + len
                        ));
                        st.skip_handshake = small((4 + len).saturating_sub(st.handshake.len()));
                        cut = Some((t, len));
                        frame = st.handshake_since;
                    }
                    None => st.handshake_lost_sync = true,
                }
                st.handshake = Vec::new();
            }
            // Bytes held while looking for TLS are a few at most: kept.
            st.pending.shrink_to_fit();
            st.handshake.shrink_to_fit();
            if let Some((t, len)) = cut {
                let ts = self.conn.ladder.last().map(|l| l.ts).unwrap_or_default();
                let kind = type_name(t).into_owned();
                self.ladder(side, &kind, frame, ts, false, len);
                if let Some(last) = self.conn.ladder.last_mut() {
                    last.truncated = true;
                }
            }
            if !what.is_empty() {
                gave_up = true;
                self.issue(
                    side,
                    frame,
                    IssueKind::LostRecord,
                    format!(
                        "{} from the {} {} given up: the TLS layer's buffer budget ({} across connections) was exceeded",
                        what.join(" and "),
                        side.as_str(),
                        if what.len() > 1 { "were" } else { "was" },
                        size_text(budget)
                    ),
                );
            }
        }
        gave_up
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
                            st.plaintext = st.plaintext.saturating_add(small(i));
                            st.pending.drain(..i);
                            st.mode = Mode::Records;
                            self.conn.plaintext_before[side.index()] = u64::from(st.plaintext);
                        }
                        None => {
                            // Keep a few bytes: a header may straddle chunks.
                            let keep = st.pending.len().min(8);
                            let drop = st.pending.len() - keep;
                            st.plaintext = st.plaintext.saturating_add(small(drop));
                            st.pending.drain(..drop);
                            if u64::from(st.plaintext) > MAX_PLAINTEXT_SCAN {
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
                    // Every whole record in view is framed, then all are
                    // dropped at once: draining them one by one would move
                    // the rest of the buffer each time (quadratic in a
                    // chunk of tiny records).
                    let buf = std::mem::take(&mut st.pending);
                    let mut pos = 0;
                    while let Some(rest) = buf.get(pos..) {
                        if !plausible_header(rest) {
                            break;
                        }
                        let end = pos + 5 + record_len(rest);
                        if buf.len() < end {
                            break;
                        }
                        self.dirs[side.index()].records += 1;
                        self.record(side, &buf[pos..end], frame, ts);
                        pos = end;
                        if self.dirs[side.index()].mode != Mode::Records {
                            break;
                        }
                    }
                    let st = &mut self.dirs[side.index()];
                    let mut buf = buf;
                    buf.drain(..pos);
                    buf.append(&mut st.pending);
                    st.pending = buf;
                    if pos == 0 {
                        return;
                    }
                    // What is left came with this chunk.
                    st.pending_since = frame;
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
            truncated: false,
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
        let sealed = !clear_alert && content != 20 && (encrypted || content == 21 || content == 23);
        self.conn.records.push(super::traffic::WireRecord {
            from: side,
            content_type: content,
            length: body.len() as u32,
            frame,
            ts,
            sealed,
        });
        if sealed {
            match self.try_decrypt(side, rec, frame) {
                Some(pt) => self.plaintext(side, pt, body.len(), frame, ts),
                None => self.encrypted_record(side, content, body.len(), frame, ts),
            }
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
                    let c = &mut self.crypto;
                    c.active[side.index()] =
                        c.keys.as_mut().and_then(|k| k.pending[side.index()].take());
                }
            }
            21 => {
                if let [level, description] = body {
                    self.alert(side, *level, *description, frame, ts, false);
                }
            }
            22 => self.handshake_bytes(side, body, frame, ts, false),
            24 => self.ladder(side, "heartbeat", frame, ts, false, body.len()),
            _ => {}
        }
    }

    /// Opens a sealed record with this side's keys, if there are any and
    /// they have not failed before.
    fn try_decrypt(&mut self, side: Side, rec: &[u8], frame: u64) -> Option<Plaintext> {
        let i = side.index();
        if self.crypto.failed[i] {
            return None;
        }
        if self.crypto.active[i].is_none() && self.dirs[i].encrypted {
            if let Some(mac) = self.crypto.null_mac {
                let body = &rec[5..];
                let data = body
                    .get(..body.len().checked_sub(usize::from(mac))?)?
                    .to_vec();
                return Some(Plaintext {
                    content_type: rec[0],
                    data,
                });
            }
        }
        let dec = self.crypto.active[i].as_mut()?;
        let header: [u8; 5] = rec.get(..5)?.try_into().ok()?;
        if self.crypto.lost[i] {
            // After a gap: the records lost advanced the peer's sequence
            // number; find it by trying the following ones.
            let base = dec.sequence();
            for k in 0..MAX_LOST_RECORDS {
                dec.set_sequence(base + k);
                if let Ok(pt) = dec.open(&header, &rec[5..]) {
                    self.crypto.lost[i] = false;
                    self.crypto.opened[i] = true;
                    self.conn.decrypted[i] += 1;
                    return Some(pt);
                }
            }
            dec.set_sequence(base);
            self.crypto.failed[i] = true;
            self.issue(
                side,
                frame,
                IssueKind::LostRecord,
                format!(
                    "the {}'s records after the gap cannot be decrypted: more than {MAX_LOST_RECORDS} records were lost, or their keys changed in the gap",
                    side.as_str()
                ),
            );
            return None;
        }
        // Bulk data after a side's first application record is not read
        // (only the first line of the first record is): such records are
        // passed over, keeping the sequence (and a chained IV) in step. In
        // TLS 1.0-1.2 the record type says it is data; in TLS 1.3 only its
        // size can: no alert, KeyUpdate or ticket comes near BULK_RECORD.
        let bulk = self.conn.app_first_line(side).is_some()
            && match self.conn.version {
                Some(v) if is_tls13(v) => rec.len() - 5 > BULK_RECORD,
                _ => rec[0] == 23,
            };
        if bulk && dec.skip(&rec[5..]) {
            return Some(Plaintext {
                content_type: 23,
                data: Vec::new(),
            });
        }
        match dec.open(&header, &rec[5..]) {
            Ok(pt) => {
                self.crypto.opened[i] = true;
                self.conn.decrypted[i] += 1;
                Some(pt)
            }
            Err(e) if e.is_auth_failure() => {
                // TLS 1.3 0-RTT data is under early keys tlstrace does not
                // use: a client that offered early data may fail here
                // before its first handshake record, and that is no sign of
                // wrong keys.
                if side == Side::Client && self.crypto.early_data && !self.crypto.opened[i] {
                    return None;
                }
                self.crypto.failed[i] = true;
                self.issue(
                    side,
                    frame,
                    IssueKind::KeysWrong,
                    format!(
                        "the {} record at frame {frame} did not authenticate with the key log's secrets: they do not belong to this connection",
                        side.as_str()
                    ),
                );
                None
            }
            Err(e) => {
                self.issue(
                    side,
                    frame,
                    IssueKind::MalformedMessage,
                    format!("record could not be decrypted: {e}"),
                );
                None
            }
        }
    }

    /// A decrypted record's content.
    fn plaintext(&mut self, side: Side, pt: Plaintext, len: usize, frame: u64, ts: Timestamp) {
        match pt.content_type {
            21 => {
                if let [level, description] = pt.data[..] {
                    self.alert(side, level, description, frame, ts, false);
                }
            }
            22 => self.handshake_bytes(side, &pt.data, frame, ts, true),
            23 => {
                self.sniff_application_data(side, &pt.data);
                let shown = self
                    .conn
                    .ladder
                    .iter()
                    .filter(|l| l.from == side && l.kind == "application_data")
                    .count();
                if shown < 8 {
                    self.ladder(side, "application_data", frame, ts, false, pt.data.len());
                }
            }
            24 => self.ladder(side, "heartbeat", frame, ts, false, len),
            _ => self.ladder(side, "unknown", frame, ts, false, len),
        }
    }

    /// Looks at the start of the first decrypted application data of each
    /// side, to recognise what the application said (an HTTP status line,
    /// nginx's and IIS's client-certificate errors). Only a short first line
    /// and the recognised marker are kept, never the data.
    fn sniff_application_data(&mut self, side: Side, data: &[u8]) {
        let i = side.index();
        // An empty record (OpenSSL's countermeasure to BEAST before each
        // CBC record in TLS 1.0) says nothing: wait for the first real one.
        if self.conn.app_first_line(side).is_some() || data.is_empty() {
            return;
        }
        let head = &data[..data.len().min(2048)];
        let line_end = head.iter().position(|&b| b == b'\n').unwrap_or(head.len());
        let line: String = head[..line_end]
            .iter()
            .take(100)
            .map(|&b| {
                if (0x20..0x7f).contains(&b) {
                    b as char
                } else {
                    '.'
                }
            })
            .collect();
        let first_line = Some(line.trim_end_matches('.').to_string());
        let text = String::from_utf8_lossy(head);
        let status = text
            .strip_prefix("HTTP/1.")
            .and_then(|t| t.get(2..5))
            .filter(|c| matches!(*c, "400" | "401" | "403" | "495" | "496"));
        let marker = if text.contains("No required SSL certificate was sent") {
            Some(AppMarker::NginxNoCertificate)
        } else if text.contains("The SSL certificate error") {
            Some(AppMarker::NginxCertificateError)
        } else if let Some(code) = ["403.7", "403.13", "403.16", "403.17"]
            .iter()
            .find(|c| text.contains(*c))
        {
            Some(AppMarker::IisForbidden(code.to_string()))
        } else {
            status.map(|c| AppMarker::HttpError(c.to_string()))
        };
        let app = self.conn.app.get_or_insert_default();
        app.first_line[i] = first_line;
        app.marker[i] = marker;
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
            truncated: false,
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
        let max = self.limits.handshake_message as usize;
        let st = &mut self.dirs[side.index()];
        let mut body = body;
        if st.handshake_lost_sync {
            match find_message_start(body, max) {
                Some(p) => {
                    st.handshake_lost_sync = false;
                    body = &body[p..];
                    if p > 0 {
                        self.issue(
                            side,
                            frame,
                            IssueKind::Resynchronised,
                            format!("skipped {p} bytes of a handshake message whose start was lost in a gap"),
                        );
                    }
                }
                None => {
                    self.issue(
                        side,
                        frame,
                        IssueKind::LostRecord,
                        "a handshake record continues a message whose start was lost in a gap; skipped"
                            .into(),
                    );
                    return;
                }
            }
        }
        let st = &mut self.dirs[side.index()];
        let skip = (st.skip_handshake as usize).min(body.len());
        st.skip_handshake -= skip as u32;
        if st.handshake.is_empty() {
            st.handshake_since = frame;
        }
        st.handshake.extend_from_slice(&body[skip..]);
        loop {
            let st = &mut self.dirs[side.index()];
            let Some((msg_type, len)) = messages::split_handshake_header(&st.handshake) else {
                return;
            };
            if len > max {
                // Pass over exactly this message, then carry on with the next.
                st.skip_handshake = small((4 + len).saturating_sub(st.handshake.len()));
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
            // What is left came with this record.
            st.handshake_since = frame;
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
        if self.conn.handshakes.len() >= MAX_HANDSHAKES || self.conn.ladder.len() >= MAX_LADDER {
            self.conn.ladder_truncated = true;
            return;
        }
        match &parsed {
            Ok(HandshakeMessage::ClientHello(ch)) if side == Side::Client => {
                // A ClientHello starts a transcript, except the second one
                // after a HelloRetryRequest, which continues it.
                if !(self.hrr_seen && self.crypto.client_random == Some(ch.random)) {
                    self.conn.transcript_start = self.conn.handshakes.len();
                }
                self.crypto.client_random = Some(ch.random);
                self.crypto.encrypt_then_mac_offered = ch.encrypt_then_mac;
                self.crypto.extended_master_secret_offered = ch.extended_master_secret;
                self.crypto.early_data = ch.early_data;
            }
            Ok(HandshakeMessage::ServerHello(sh)) => {
                self.hrr_seen |= sh.is_hello_retry_request;
                if !sh.is_hello_retry_request {
                    let v = sh.negotiated_version();
                    self.conn.version = Some(v);
                    if is_tls13(v) {
                        // Everything after the ServerHello is under handshake keys.
                        self.dirs[0].encrypted = true;
                        self.dirs[1].encrypted = true;
                    }
                    self.crypto.null_mac = null_cipher_mac_len(sh.cipher_suite);
                    self.setup_keys(sh);
                }
            }
            _ => {}
        }
        let kind = ladder_name(&parsed, msg_type);
        let keep = self.conn.transcript_bytes + raw.len() <= self.limits.transcript as usize;
        if keep {
            self.conn.transcript_bytes += raw.len();
        } else {
            self.conn.transcript_truncated = true;
        }
        let idx = self.conn.handshakes.len();
        let length = body.len();
        let finished = matches!(parsed, Ok(HandshakeMessage::Finished { .. }));
        let key_update = matches!(parsed, Ok(HandshakeMessage::KeyUpdate { .. }));
        // The encrypted premaster secret, for --server-key.
        let rsa_exchange = (msg_type == 16
            && side == Side::Client
            && self
                .crypto
                .keys
                .as_ref()
                .is_some_and(|k| k.rsa_pending.is_some()))
        .then(|| body.to_vec());
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
            truncated: false,
        });
        if finished {
            self.finished(side, idx, frame);
        }
        // A decrypted TLS 1.3 CertificateVerify is checked later over the
        // transcript hash before it: taken now from the running hash.
        if msg_type == 15 && decrypted && self.crypto.version == Some(Version::Tls13) {
            if let Some(suite) = self.crypto.suite {
                let _ = self.transcript_hash(idx, suite.hash);
            }
        }
        if let Some(exchange) = rsa_exchange {
            self.rsa_premaster(&exchange);
        }
        if key_update && self.crypto.version == Some(Version::Tls13) {
            if let Some(d) = self.crypto.active[side.index()].as_mut() {
                if d.key_update().is_err() {
                    self.crypto.failed[side.index()] = true;
                }
            }
        }
    }

    /// Finds this connection's secrets and prepares the decrypters, once
    /// the ServerHello names the version and cipher suite.
    fn setup_keys(&mut self, sh: &messages::ServerHello) {
        let c = &mut self.crypto;
        let Some(cr) = c.client_random else {
            return;
        };
        let secrets = c.keylog.clone().and_then(|k| k.secrets_for(&cr).cloned());
        let Some(secrets) = secrets else {
            let rsa_lines = c.keylog.as_ref().is_some_and(|k| k.has_rsa_premasters());
            if c.server_keys.is_some() || rsa_lines {
                self.await_rsa_premaster(sh);
            } else if c.keylog.is_some() {
                self.conn.key_status = KeyStatus::NoSecrets;
            }
            return;
        };
        let v = sh.negotiated_version();
        let version = if is_tls13(v) {
            Some(Version::Tls13)
        } else {
            Version::from_wire(v)
        };
        let suite = dec::cipher_suite(sh.cipher_suite).ok();
        let (Some(version), Some(suite)) = (version, suite) else {
            self.conn.key_status = KeyStatus::UnsupportedSuite;
            return;
        };
        c.suite = Some(suite);
        c.version = Some(version);
        c.failed = [false, false];
        let built = if version == Version::Tls13 {
            // Each side's keys on their own: a client that aborted logs only
            // the server's handshake secret, which still opens the server's
            // flight (certificate, alerts).
            let hs = [
                secrets.client_handshake_traffic_secret.clone(),
                secrets.server_handshake_traffic_secret.clone(),
            ];
            c.keys.get_or_insert_default().app_secret = [
                secrets.client_traffic_secret_0.clone(),
                secrets.server_traffic_secret_0.clone(),
            ];
            c.on_app_keys = [false, false];
            for (i, secret) in hs.iter().enumerate() {
                c.active[i] = secret
                    .as_ref()
                    .and_then(|s| RecordDecrypter::tls13(suite, s.as_bytes()).ok())
                    .map(Box::new);
            }
            c.keys.get_or_insert_default().handshake_secret = hs;
            c.active.iter().any(Option::is_some)
        } else {
            match &secrets.master_secret {
                Some(ms) => {
                    let etm = c.encrypt_then_mac_offered && sh.encrypt_then_mac;
                    let keys = c.keys.get_or_insert_default();
                    keys.master = Some(ms.clone());
                    match RecordDecrypter::tls12_pair(
                        suite,
                        version,
                        ms.as_bytes(),
                        &cr,
                        &sh.random,
                        etm,
                    ) {
                        Ok((cl, sv)) => {
                            keys.pending = [Some(Box::new(cl)), Some(Box::new(sv))];
                            true
                        }
                        Err(_) => false,
                    }
                }
                None => false,
            }
        };
        self.conn.key_status = if built {
            KeyStatus::Keys
        } else {
            KeyStatus::NoSecrets
        };
    }

    /// A static-RSA suite without a key log entry, and server keys given:
    /// the keys come once the ClientKeyExchange shows the encrypted
    /// premaster secret.
    fn await_rsa_premaster(&mut self, sh: &messages::ServerHello) {
        let v = sh.negotiated_version();
        let (Some(version), Ok(suite)) =
            (Version::from_wire(v), dec::cipher_suite(sh.cipher_suite))
        else {
            return;
        };
        if is_tls13(v) || !suite.static_rsa {
            return;
        }
        let c = &mut self.crypto;
        c.keys.get_or_insert_default().rsa_pending = Some(RsaPending {
            suite,
            version,
            server_random: sh.random,
            etm: c.encrypt_then_mac_offered && sh.encrypt_then_mac,
            ems: c.extended_master_secret_offered && sh.extended_master_secret,
        });
        self.conn.key_status = KeyStatus::NoSecrets;
    }

    /// The client's ClientKeyExchange of a static-RSA handshake (RFC 5246
    /// §7.4.7.1): the premaster secret, encrypted with the server's public
    /// key, opened with the matching private key or found by an `RSA` line
    /// of the key log (by its first 8 encrypted bytes); then the master secret
    /// (with the session hash up to this message for the extended master
    /// secret, RFC 7627) and the record keys.
    fn rsa_premaster(&mut self, body: &[u8]) {
        use rsa::traits::PublicKeyParts;
        let Some(p) = self.crypto.keys.as_mut().and_then(|k| k.rsa_pending.take()) else {
            return;
        };
        let Some(cr) = self.crypto.client_random else {
            return;
        };
        // SSL 3.0 sends the bare ciphertext; TLS a 2-byte length first.
        let ciphertext = if p.version == Version::Ssl30 {
            body
        } else {
            match body {
                [hi, lo, rest @ ..]
                    if usize::from(u16::from_be_bytes([*hi, *lo])) == rest.len() =>
                {
                    rest
                }
                _ => return,
            }
        };
        // A server key that opens it, else an `RSA` line of the key log.
        let from_key = self.crypto.server_keys.as_ref().and_then(|keys| {
            keys.iter().find_map(|k| {
                (k.size() == ciphertext.len())
                    .then(|| k.decrypt(rsa::Pkcs1v15Encrypt, ciphertext).ok())
                    .flatten()
                    .filter(|pm| pm.len() == 48)
            })
        });
        let premaster = from_key.or_else(|| {
            self.crypto
                .keylog
                .as_ref()
                .and_then(|k| k.rsa_premaster(ciphertext))
                .map(|s| s.as_bytes().to_vec())
        });
        let Some(premaster) = premaster else {
            return;
        };
        let session_hash = if p.ems {
            let idx = self.conn.handshakes.len();
            match transcript_before(&self.conn, idx, None) {
                Some(t) => Some(dec::hash(p.suite.handshake_hash(p.version), &t)),
                None => return,
            }
        } else {
            None
        };
        let Ok(master) = dec::master_secret(
            p.suite,
            p.version,
            &premaster,
            &cr,
            &p.server_random,
            session_hash.as_deref(),
        ) else {
            return;
        };
        let c = &mut self.crypto;
        if let Ok((cl, sv)) = RecordDecrypter::tls12_pair(
            p.suite,
            p.version,
            master.as_bytes(),
            &cr,
            &p.server_random,
            p.etm,
        ) {
            c.suite = Some(p.suite);
            c.version = Some(p.version);
            c.failed = [false, false];
            let keys = c.keys.get_or_insert_default();
            keys.master = Some(master);
            keys.pending = [Some(Box::new(cl)), Some(Box::new(sv))];
            self.conn.key_status = KeyStatus::Keys;
        }
    }

    /// Checks a Finished against the key schedule, then moves a TLS 1.3
    /// side to its application keys.
    /// The hash with `alg` of the transcript before message `idx` (as
    /// [`transcript_before`] would give it hashed), advancing the running
    /// transcript; `None` where the transcript is incomplete.
    fn transcript_hash(&mut self, idx: usize, alg: dec::HashAlg) -> Option<Vec<u8>> {
        let conn = &self.conn;
        let start = conn.transcript_start;
        let tls13 = conn.version.is_some_and(is_tls13);
        let msgs = conn.handshakes.get(start..idx)?;
        let hrr = msgs.iter().position(|m| {
            matches!(&m.message, Ok(HandshakeMessage::ServerHello(sh)) if sh.is_hello_retry_request)
        });
        let reusable = self
            .running
            .as_ref()
            .is_some_and(|r| r.alg == alg && r.start == start && r.hrr == hrr && r.next <= idx);
        if !reusable {
            self.running = Some(Box::new(RunningTranscript {
                alg,
                start,
                hrr,
                next: start,
                hash: dec::Transcript::new(alg),
            }));
        }
        let r = self.running.as_mut()?;
        for i in r.next..idx {
            let m = conn.handshakes.get(i)?;
            if (tls13 && matches!(m.msg_type, 4 | 24)) || m.msg_type == 0 {
                continue;
            }
            let Some(raw) = m.raw.as_deref() else {
                self.running = None;
                return None;
            };
            if hrr.is_some_and(|h| i - start < h) && m.msg_type == 1 {
                let digest = dec::hash(alg, raw);
                r.hash.update(&[254, 0, 0, digest.len() as u8]);
                r.hash.update(&digest);
            } else {
                r.hash.update(raw);
            }
        }
        r.next = idx;
        let hash = r.hash.current_hash();
        if self.conn.transcript_hashes.len() < MAX_TRANSCRIPT_HASHES {
            self.conn.transcript_hashes.push(TranscriptHash {
                before: idx,
                alg,
                hash: hash.clone(),
            });
        }
        Some(hash)
    }

    /// `side`'s TLS 1.3 handshake traffic secret, once known.
    fn hs_secret(&self, side: usize) -> Option<&Secret> {
        self.crypto.keys.as_deref()?.handshake_secret.get(side)?.as_ref()
    }

    /// The TLS 1.0–1.2 master secret, once known.
    fn master(&self) -> Option<&Secret> {
        self.crypto.keys.as_deref()?.master.as_ref()
    }

    fn finished(&mut self, side: Side, idx: usize, frame: u64) {
        let i = side.index();
        let Some(suite) = self.crypto.suite else {
            return;
        };
        let verify_data = match self.conn.handshakes.get(idx).map(|h| &h.message) {
            Some(Ok(HandshakeMessage::Finished { verify_data })) => verify_data.clone(),
            _ => return,
        };
        let tls13 = self.crypto.version == Some(Version::Tls13);
        if tls13 && self.crypto.on_app_keys[i] {
            // A Finished after post-handshake authentication: not checked.
            return;
        }
        let ok = match self.crypto.version {
            Some(Version::Tls13) if self.hs_secret(i).is_some() => {
                self.transcript_hash(idx, suite.hash).and_then(|h| {
                    let base = self.hs_secret(i)?;
                    Some(dec::verify_finished(suite, base.as_bytes(), &h, &verify_data))
                })
            }
            Some(Version::Ssl30) => {
                let t = transcript_before(&self.conn, idx, Some(suite.hash));
                match (&t, self.master()) {
                    (Some(t), Some(ms)) => Some(dec::ssl3_verify_finished(
                        ms.as_bytes(),
                        side,
                        t,
                        &verify_data,
                    )),
                    _ => None,
                }
            }
            Some(version) if version != Version::Tls13 && self.master().is_some() => self
                .transcript_hash(idx, suite.handshake_hash(version))
                .and_then(|h| {
                    let ms = self.master()?;
                    Some(dec::tls12_verify_finished(
                        suite,
                        version,
                        ms.as_bytes(),
                        side,
                        &h,
                        &verify_data,
                    ))
                }),
            _ => None,
        };
        if let Some(ok) = ok {
            self.conn.finished_checks.push((side, frame, ok));
        }
        if tls13 {
            self.crypto.on_app_keys[i] = true;
            let next = self
                .crypto
                .keys
                .as_ref()
                .and_then(|k| k.app_secret[i].as_ref())
                .map(|s| RecordDecrypter::tls13(suite, s.as_bytes()));
            self.crypto.active[i] = match next {
                Some(Ok(d)) => Some(Box::new(d)),
                _ => None,
            };
        }
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

    /// Before a gap: the whole handshake messages at the start of a record
    /// the gap cuts are still read, and the message the gap cuts is put on
    /// the ladder as truncated (as tshark shows it), so a snaplen-cut
    /// capture still shows its handshake's shape.
    fn salvage_before_gap(&mut self, side: Side, gap: Gap) {
        let st = &self.dirs[side.index()];
        if st.mode != Mode::Records || st.encrypted {
            return;
        }
        let ts = self.conn.ladder.last().map(|l| l.ts).unwrap_or_default();
        if st.pending.len() > 5 && st.pending[0] == 22 {
            let body = st.pending[5..].to_vec();
            self.dirs[side.index()].pending.clear();
            self.handshake_bytes(side, &body, gap.frame, ts, false);
        }
        let st = &self.dirs[side.index()];
        if let Some((t, len)) = messages::split_handshake_header(&st.handshake) {
            let kind = type_name(t).into_owned();
            self.ladder(side, &kind, gap.frame, ts, false, len);
            if let Some(last) = self.conn.ladder.last_mut() {
                last.truncated = true;
            }
        }
    }

    /// Bytes the capture missed in one direction.
    pub fn gap(&mut self, dir: Direction, gap: Gap) {
        let side = Side::of(dir);
        self.salvage_before_gap(side, gap);
        self.crypto.lost[side.index()] = true;
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
        st.handshake_lost_sync = true;
        st.trim();
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
    /// No more bytes will come: lets go of the decryption state and of
    /// empty buffers' room, and trims what is kept to its size, so that a
    /// closed connection waiting to be finished holds only its facts.
    /// (Bytes left inside a record or message stay, for [`Self::finish`]
    /// to report.)
    pub fn shed(&mut self) {
        for st in &mut self.dirs {
            if st.pending.is_empty() {
                st.pending = Vec::new();
            }
            if st.handshake.is_empty() {
                st.handshake = Vec::new();
            }
        }
        self.crypto.active = [None, None];
        self.crypto.keys = None;
        self.running = None;
        let c = &mut self.conn;
        c.ladder.shrink_to_fit();
        c.handshakes.shrink_to_fit();
        c.alerts.shrink_to_fit();
        c.issues.shrink_to_fit();
        c.finished_checks.shrink_to_fit();
    }

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

#[cfg(test)]
mod tests;
