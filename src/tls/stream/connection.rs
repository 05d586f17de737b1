//! What the TLS layer reports about one connection: [`TlsConnection`] and
//! the facts it holds (the handshake ladder, parsed handshake messages,
//! alerts, stream issues, key status, counts of unread records, the
//! transcript hashes computed while decrypting and what the first
//! application data said).

use super::Side;
use crate::capture::Timestamp;
use crate::tls::decrypt as dec;
use crate::tls::messages::HandshakeMessage;
use serde::Serialize;

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
    /// The hash of the transcript before this message, when it was
    /// computed while decrypting (for a Finished and a TLS 1.3
    /// CertificateVerify), for the checks made later.
    pub transcript_hash: Option<Box<TranscriptHash>>,
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
    pub records: crate::tls::traffic::RecordLog,
}

/// A transcript hash and its function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptHash {
    pub alg: dec::HashAlg,
    pub hash: Vec<u8>,
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
        let t = self.handshakes.get(idx)?.transcript_hash.as_deref()?;
        (t.alg == alg).then_some(t.hash.as_slice())
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
