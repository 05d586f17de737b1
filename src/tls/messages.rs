//! Pure parsers from handshake-message bytes to owned message structs.
//!
//! The entry point is [`parse_handshake`]: give it the handshake type, the
//! message body (without the 4-byte header; see [`split_handshake_header`])
//! and the negotiated version, and it returns a [`HandshakeMessage`].
//! [`parse_alert`] does the same for the 2-byte alert body.
//!
//! # Guarantees
//!
//! - No panics on any input, and no allocation larger than the input itself:
//!   every length prefix is checked against the bytes that are really there
//!   before anything is read or reserved. All reads go through a small
//!   bounded cursor whose length-prefixed sub-cursors cannot read past their
//!   own length (the style of rustls' `codec.rs`).
//! - Every error is a [`ParseError`] naming the message, what was wrong and
//!   the byte offset in the body, e.g. `certificate: entry 2: cert_data
//!   length 4000 exceeds remaining 120 bytes (at byte 57 of the body)`.
//! - The results own their data, so they outlive the packet buffers.
//!
//! # Version-dependent layouts
//!
//! Certificate, CertificateRequest and NewSessionTicket have a different
//! layout in TLS 1.3 than before; CertificateVerify and ServerKeyExchange
//! carry a signature algorithm only from TLS 1.2 on. The `version`
//! argument of [`parse_handshake`] (the negotiated version, e.g. from
//! [`ServerHello::negotiated_version`]) picks the layout; see
//! [`ProtocolForm`]. When it is `None` (capture started mid-stream) the
//! parsers try the older layout first and then the TLS 1.3 one; the two are
//! practically never both valid for the same bytes.
//!
//! # Why not tls-parser for everything
//!
//! tls-parser (0.12) silently misparses the TLS 1.3 Certificate and
//! CertificateRequest, does not split TLS 1.3 NewSessionTicket, does not
//! parse EncryptedExtensions, key_share or certificate_authorities, and its
//! nom errors carry no position or field name. The hello messages are small
//! enough that one cursor for every message gives uniform errors and the
//! partial-result behaviour below; tls-parser is used for its cipher-suite
//! table (see [`crate::tls::names`]) and, in the tests, as a cross-check on
//! real ClientHello/ServerHello/Certificate bytes.
//!
//! # Malformed extensions
//!
//! For ClientHello, ServerHello and EncryptedExtensions a broken extension
//! block is not fatal: the base fields and every extension that parsed are
//! returned, and `malformed_extensions` says what went wrong. (A server
//! facing that hello would usually answer `decode_error`, so the note is
//! itself a finding.) In CertificateRequest, Certificate and
//! NewSessionTicket the extensions are part of what the message is for, so
//! any structural problem there is an error.
//!
//! # Layout
//!
//! This file holds the errors, the handshake types, [`HandshakeMessage`]
//! and the entry points; the rest is split as rustls splits `msgs/`: the
//! bounded cursor (`codec`), extension lists (`extensions`), the hellos
//! and EncryptedExtensions (`hello`), Certificate, CertificateRequest and
//! CertificateVerify (`certificate`), ServerKeyExchange (`key_exchange`),
//! NewSessionTicket (`ticket`) and alerts (`alert`).

mod alert;
mod certificate;
mod codec;
mod extensions;
mod hello;
mod key_exchange;
mod ticket;

pub use alert::{parse_alert, Alert};
pub use certificate::{
    Certificate, CertificateEntry, CertificateRequest, CertificateRequestTls12,
    CertificateRequestTls13, CertificateVerify,
};
pub use extensions::Extension;
pub use hello::{ClientHello, EncryptedExtensions, ServerHello};
pub use ticket::{ticket_id, NewSessionTicket};

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;

use certificate::{
    parse_certificate12, parse_certificate13, parse_certificate_request, parse_certificate_verify,
};
use codec::Reader;
use hello::{parse_client_hello, parse_encrypted_extensions, parse_server_hello};
use key_exchange::parse_server_key_exchange;
use ticket::{parse_nst12, parse_nst13};

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// Why a message could not be parsed.
///
/// Displays as `"<message>: <detail> (at byte <offset> of the body)"`, e.g.
/// `certificate: entry 2: cert_data length 4000 exceeds remaining 120 bytes
/// (at byte 57 of the body)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{message}: {detail} (at byte {offset} of the body)")]
pub struct ParseError {
    /// snake_case name of the message being parsed (`"client_hello"`,
    /// `"certificate"`, `"alert"`, …).
    pub message: &'static str,
    /// Byte offset within the message body where the problem was found.
    pub offset: usize,
    /// What was wrong, with the field and, in lists, the entry number.
    pub detail: String,
}

impl ParseError {
    fn new(message: &'static str, offset: usize, detail: impl Into<String>) -> Self {
        ParseError {
            message,
            offset,
            detail: detail.into(),
        }
    }

    /// Prefixes the detail with where in the structure the error happened.
    fn context(mut self, ctx: impl fmt::Display) -> Self {
        self.detail = format!("{ctx}: {}", self.detail);
        self
    }
}

type Result<T> = std::result::Result<T, ParseError>;

// ---------------------------------------------------------------------------
// Hex serialisation of byte fields (DER, tickets, randoms) for JSON output
// ---------------------------------------------------------------------------

mod hex {
    use serde::ser::{SerializeSeq, Serializer};

    pub(super) fn encode(b: &[u8]) -> String {
        use std::fmt::Write;
        let mut s = String::with_capacity(b.len() * 2);
        for x in b {
            let _ = write!(s, "{x:02x}");
        }
        s
    }

    pub(super) fn bytes<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&encode(v))
    }

    pub(super) fn opt_bytes<S: Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(b) => s.serialize_some(&encode(b)),
            None => s.serialize_none(),
        }
    }

    pub(super) fn list<S: Serializer>(v: &[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for b in v {
            seq.serialize_element(&encode(b))?;
        }
        seq.end()
    }

    pub(super) fn pairs<S: Serializer>(v: &[(Vec<u8>, Vec<u8>)], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for (a, b) in v {
            seq.serialize_element(&[encode(a), encode(b)])?;
        }
        seq.end()
    }
}

// ---------------------------------------------------------------------------
// Handshake types and versions
// ---------------------------------------------------------------------------

/// A handshake message type (RFC 8446 §4, IANA "TLS HandshakeType"). A
/// newtype rather than an enum so unknown values are kept and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct HandshakeType(pub u8);

impl HandshakeType {
    pub const HELLO_REQUEST: Self = Self(0);
    pub const CLIENT_HELLO: Self = Self(1);
    pub const SERVER_HELLO: Self = Self(2);
    pub const HELLO_VERIFY_REQUEST: Self = Self(3);
    pub const NEW_SESSION_TICKET: Self = Self(4);
    pub const END_OF_EARLY_DATA: Self = Self(5);
    /// Only TLS 1.3 drafts sent type 6 on the wire. RFC 8446 sends a
    /// HelloRetryRequest as a `server_hello` (2) with a fixed random; this
    /// constant is what [`HandshakeMessage::handshake_type`] reports for one
    /// (see [`ServerHello::is_hello_retry_request`]).
    pub const HELLO_RETRY_REQUEST: Self = Self(6);
    pub const ENCRYPTED_EXTENSIONS: Self = Self(8);
    pub const REQUEST_CONNECTION_ID: Self = Self(9);
    pub const NEW_CONNECTION_ID: Self = Self(10);
    pub const CERTIFICATE: Self = Self(11);
    pub const SERVER_KEY_EXCHANGE: Self = Self(12);
    pub const CERTIFICATE_REQUEST: Self = Self(13);
    pub const SERVER_HELLO_DONE: Self = Self(14);
    pub const CERTIFICATE_VERIFY: Self = Self(15);
    pub const CLIENT_KEY_EXCHANGE: Self = Self(16);
    pub const CLIENT_CERTIFICATE_REQUEST: Self = Self(17);
    pub const FINISHED: Self = Self(20);
    pub const CERTIFICATE_URL: Self = Self(21);
    pub const CERTIFICATE_STATUS: Self = Self(22);
    pub const SUPPLEMENTAL_DATA: Self = Self(23);
    pub const KEY_UPDATE: Self = Self(24);
    pub const COMPRESSED_CERTIFICATE: Self = Self(25);
    pub const EKT_KEY: Self = Self(26);
    /// Synthetic: replaces ClientHello1 in the transcript after a
    /// HelloRetryRequest (RFC 8446 §4.4.1); never on the wire.
    pub const MESSAGE_HASH: Self = Self(254);

    /// RFC 8446 snake_case name (`client_hello`, `certificate_request`, …),
    /// or `unknown_<n>`.
    pub fn name(self) -> Cow<'static, str> {
        let s = match self.0 {
            0 => "hello_request",
            1 => "client_hello",
            2 => "server_hello",
            3 => "hello_verify_request",
            4 => "new_session_ticket",
            5 => "end_of_early_data",
            6 => "hello_retry_request",
            8 => "encrypted_extensions",
            9 => "request_connection_id",
            10 => "new_connection_id",
            11 => "certificate",
            12 => "server_key_exchange",
            13 => "certificate_request",
            14 => "server_hello_done",
            15 => "certificate_verify",
            16 => "client_key_exchange",
            17 => "client_certificate_request",
            20 => "finished",
            21 => "certificate_url",
            22 => "certificate_status",
            23 => "supplemental_data",
            24 => "key_update",
            25 => "compressed_certificate",
            26 => "ekt_key",
            254 => "message_hash",
            n => return Cow::Owned(format!("unknown_{n}")),
        };
        Cow::Borrowed(s)
    }

    /// The name as a `&'static str` for the types this module parses
    /// (used in [`ParseError::message`]).
    fn static_name(self) -> &'static str {
        match self.name() {
            Cow::Borrowed(s) => s,
            Cow::Owned(_) => "unknown",
        }
    }
}

/// snake_case name of a handshake type byte: `handshake_type_name(13)` is
/// `"certificate_request"`, unknown types `"unknown_<n>"`. Same as
/// [`HandshakeType::name`].
pub fn handshake_type_name(msg_type: u8) -> Cow<'static, str> {
    HandshakeType(msg_type).name()
}

impl fmt::Display for HandshakeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// Which layout a version-dependent message (Certificate,
/// CertificateRequest, NewSessionTicket) has on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ProtocolForm {
    /// SSL 3.0 to TLS 1.2 (and DTLS 1.0/1.2).
    Tls12,
    /// TLS 1.3, its drafts (`0x7fxx`) and DTLS 1.3.
    Tls13,
}

impl ProtocolForm {
    /// The layout for a negotiated version: `0x0304`, `0x7fxx` drafts and
    /// DTLS 1.3 (`0xfefc`) give [`ProtocolForm::Tls13`], everything else
    /// [`ProtocolForm::Tls12`].
    pub fn from_version(version: u16) -> Self {
        if version == 0x0304 || version == 0xfefc || version >> 8 == 0x7f {
            ProtocolForm::Tls13
        } else {
            ProtocolForm::Tls12
        }
    }
}

/// True when a (negotiated) version's CertificateVerify, ServerKeyExchange
/// and CertificateRequest carry signature algorithms: TLS 1.2 and later,
/// DTLS 1.2 and later; not SSL 3.0, TLS 1.0/1.1, DTLS 1.0.
fn has_signature_algorithms(version: u16) -> bool {
    match version {
        0xfeff => false,
        0xfefd | 0xfefc => true,
        0x0000..=0x0302 => false,
        _ => true,
    }
}

/// TLS 1.3 drafts 0 to 21 (`0x7f00..=0x7f15`) sent the chosen version in
/// the ServerHello `version` field, with no session_id or compression
/// method; draft 22 introduced the final layout.
fn is_early_tls13_draft(version: u16) -> bool {
    (0x7f00..=0x7f15).contains(&version)
}

/// `random` of a HelloRetryRequest: SHA-256("HelloRetryRequest").
pub const HELLO_RETRY_REQUEST_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// Extension type numbers used here.
mod ext {
    pub const SERVER_NAME: u16 = 0;
    pub const MAX_FRAGMENT_LENGTH: u16 = 1;
    pub const STATUS_REQUEST: u16 = 5;
    pub const SUPPORTED_GROUPS: u16 = 10;
    pub const EC_POINT_FORMATS: u16 = 11;
    pub const SIGNATURE_ALGORITHMS: u16 = 13;
    pub const ALPN: u16 = 16;
    pub const ENCRYPT_THEN_MAC: u16 = 22;
    pub const EXTENDED_MASTER_SECRET: u16 = 23;
    pub const RECORD_SIZE_LIMIT: u16 = 28;
    pub const SESSION_TICKET: u16 = 35;
    pub const PRE_SHARED_KEY: u16 = 41;
    pub const EARLY_DATA: u16 = 42;
    pub const SUPPORTED_VERSIONS: u16 = 43;
    pub const PSK_KEY_EXCHANGE_MODES: u16 = 45;
    pub const CERTIFICATE_AUTHORITIES: u16 = 47;
    pub const OID_FILTERS: u16 = 48;
    pub const POST_HANDSHAKE_AUTH: u16 = 49;
    pub const SIGNATURE_ALGORITHMS_CERT: u16 = 50;
    pub const KEY_SHARE: u16 = 51;
    pub const RENEGOTIATION_INFO: u16 = 0xff01;
}

// ---------------------------------------------------------------------------
// The handshake message
// ---------------------------------------------------------------------------

/// A parsed handshake message.
///
/// The hello variants are a few hundred bytes larger than the rest. They
/// are not boxed: a box saves copies as a connection's list grows (about
/// 3% of `explain`'s time on handshakes.pcap), but a flow that has sent
/// only its ClientHello, the state an attack with many flows leaves, then
/// holds a 216-byte record and a 512-byte allocation instead of one
/// 544-byte record, and 100k such flows went over 256 MiB (203 → 263 MiB
/// with `--jobs 1`, `scripts/hostile.sh`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[allow(clippy::large_enum_variant)]
pub enum HandshakeMessage {
    HelloRequest,
    ClientHello(ClientHello),
    /// Also a HelloRetryRequest: see [`ServerHello::is_hello_retry_request`].
    ServerHello(ServerHello),
    NewSessionTicket(NewSessionTicket),
    EndOfEarlyData,
    EncryptedExtensions(EncryptedExtensions),
    Certificate(Certificate),
    /// TLS ≤ 1.2 ServerKeyExchange. The layout depends on the key exchange
    /// of the cipher suite, which this parser is not told, so it recognises
    /// ECDHE with a named curve and DHE by their structure (every length
    /// must add up exactly) and leaves the rest (PSK, SRP, RSA export)
    /// unparsed with only `len` set.
    ServerKeyExchange {
        /// Body length.
        len: usize,
        /// ECDHE `named_curve`.
        named_curve: Option<u16>,
        /// DHE: length in bytes of the prime `dh_p` (×8 = group size in bits).
        dh_prime_len: Option<usize>,
        /// Signature algorithm of the signed params (TLS 1.2 only).
        signature_scheme: Option<u16>,
    },
    CertificateRequest(CertificateRequest),
    ServerHelloDone,
    CertificateVerify(CertificateVerify),
    /// Not decoded: the layout depends on the key exchange.
    ClientKeyExchange {
        len: usize,
    },
    Finished {
        #[serde(serialize_with = "hex::bytes")]
        verify_data: Vec<u8>,
    },
    /// RFC 6066 §8: `status_type` 1 = OCSP, `response` the DER OCSPResponse
    /// (for other types: the rest of the body, raw).
    CertificateStatus {
        status_type: u8,
        #[serde(serialize_with = "hex::bytes")]
        response: Vec<u8>,
    },
    KeyUpdate {
        update_requested: bool,
    },
    /// Synthetic transcript message (254); the body (a hash) is not kept.
    MessageHash,
    /// Anything else (hello_verify_request, compressed_certificate,
    /// certificate_url, supplemental_data, unknown types): type and length.
    Other {
        msg_type: u8,
        len: usize,
    },
}

impl HandshakeMessage {
    /// The message's type; a HelloRetryRequest reports
    /// [`HandshakeType::HELLO_RETRY_REQUEST`] although its wire type is 2.
    pub fn handshake_type(&self) -> HandshakeType {
        use HandshakeMessage as M;
        match self {
            M::HelloRequest => HandshakeType::HELLO_REQUEST,
            M::ClientHello(_) => HandshakeType::CLIENT_HELLO,
            M::ServerHello(sh) if sh.is_hello_retry_request => HandshakeType::HELLO_RETRY_REQUEST,
            M::ServerHello(_) => HandshakeType::SERVER_HELLO,
            M::NewSessionTicket(_) => HandshakeType::NEW_SESSION_TICKET,
            M::EndOfEarlyData => HandshakeType::END_OF_EARLY_DATA,
            M::EncryptedExtensions(_) => HandshakeType::ENCRYPTED_EXTENSIONS,
            M::Certificate(_) => HandshakeType::CERTIFICATE,
            M::ServerKeyExchange { .. } => HandshakeType::SERVER_KEY_EXCHANGE,
            M::CertificateRequest(_) => HandshakeType::CERTIFICATE_REQUEST,
            M::ServerHelloDone => HandshakeType::SERVER_HELLO_DONE,
            M::CertificateVerify(_) => HandshakeType::CERTIFICATE_VERIFY,
            M::ClientKeyExchange { .. } => HandshakeType::CLIENT_KEY_EXCHANGE,
            M::Finished { .. } => HandshakeType::FINISHED,
            M::CertificateStatus { .. } => HandshakeType::CERTIFICATE_STATUS,
            M::KeyUpdate { .. } => HandshakeType::KEY_UPDATE,
            M::MessageHash => HandshakeType::MESSAGE_HASH,
            M::Other { msg_type, .. } => HandshakeType(*msg_type),
        }
    }

    /// snake_case name of [`Self::handshake_type`].
    pub fn name(&self) -> Cow<'static, str> {
        self.handshake_type().name()
    }
}

// ---------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------

/// Reads a handshake header: `(msg_type, body length)` from the first 4
/// bytes, or `None` if fewer than 4 bytes are there. It does not check
/// that the body is present: the whole message is `4 + len` bytes.
pub fn split_handshake_header(buf: &[u8]) -> Option<(u8, usize)> {
    match buf {
        [t, a, b, c, ..] => Some((*t, u32::from_be_bytes([0, *a, *b, *c]) as usize)),
        _ => None,
    }
}

/// Parses a handshake message body.
///
/// * `msg_type`: the handshake type byte.
/// * `body`: the body without the 4-byte header, exactly `len` bytes.
/// * `version`: the negotiated version (from
///   [`ServerHello::negotiated_version`]; `0x0304` for TLS 1.3), or `None`
///   if not known yet. ClientHello and ServerHello do not need it; for
///   Certificate, CertificateRequest, NewSessionTicket, CertificateVerify
///   and ServerKeyExchange `None` means "try the older layout, then the
///   TLS 1.3 one".
///
/// Trailing bytes after a complete message are an error (except inside the
/// ClientHello/ServerHello extension block, see the module docs).
pub fn parse_handshake(
    msg_type: u8,
    body: &[u8],
    version: Option<u16>,
) -> Result<HandshakeMessage> {
    let ty = HandshakeType(msg_type);
    let name = ty.static_name();
    use HandshakeMessage as M;
    Ok(match ty {
        HandshakeType::HELLO_REQUEST => {
            expect_empty(body, name)?;
            M::HelloRequest
        }
        HandshakeType::CLIENT_HELLO => M::ClientHello(parse_client_hello(body)?),
        HandshakeType::SERVER_HELLO => M::ServerHello(parse_server_hello(body)?),
        HandshakeType::NEW_SESSION_TICKET => {
            M::NewSessionTicket(by_form(body, version, parse_nst12, parse_nst13)?)
        }
        HandshakeType::END_OF_EARLY_DATA => {
            expect_empty(body, name)?;
            M::EndOfEarlyData
        }
        HandshakeType::ENCRYPTED_EXTENSIONS => {
            M::EncryptedExtensions(parse_encrypted_extensions(body)?)
        }
        HandshakeType::CERTIFICATE => M::Certificate(by_form(
            body,
            version,
            parse_certificate12,
            parse_certificate13,
        )?),
        HandshakeType::SERVER_KEY_EXCHANGE => parse_server_key_exchange(body, version),
        HandshakeType::CERTIFICATE_REQUEST => {
            M::CertificateRequest(parse_certificate_request(body, version)?)
        }
        HandshakeType::SERVER_HELLO_DONE => {
            expect_empty(body, name)?;
            M::ServerHelloDone
        }
        HandshakeType::CERTIFICATE_VERIFY => {
            M::CertificateVerify(parse_certificate_verify(body, version)?)
        }
        HandshakeType::CLIENT_KEY_EXCHANGE => M::ClientKeyExchange { len: body.len() },
        HandshakeType::FINISHED => M::Finished {
            verify_data: body.to_vec(),
        },
        HandshakeType::CERTIFICATE_STATUS => {
            let mut r = Reader::new(body, name);
            let status_type = r.u8("status_type")?;
            let response = if status_type == 1 {
                let resp = r.vec24("ocsp_response")?.rest();
                r.finish("ocsp_response")?;
                resp
            } else {
                r.rest()
            };
            M::CertificateStatus {
                status_type,
                response: response.to_vec(),
            }
        }
        HandshakeType::KEY_UPDATE => {
            let mut r = Reader::new(body, name);
            let v = r.u8("request_update")?;
            r.finish("request_update")?;
            let update_requested = match v {
                0 => false,
                1 => true,
                n => {
                    return Err(ParseError::new(
                        name,
                        0,
                        format!("invalid request_update value {n}"),
                    ))
                }
            };
            M::KeyUpdate { update_requested }
        }
        HandshakeType::MESSAGE_HASH => M::MessageHash,
        _ => M::Other {
            msg_type,
            len: body.len(),
        },
    })
}

fn expect_empty(body: &[u8], name: &'static str) -> Result<()> {
    if body.is_empty() {
        Ok(())
    } else {
        Err(ParseError::new(
            name,
            0,
            format!("expected an empty body, got {} bytes", body.len()),
        ))
    }
}

/// Runs the parser for the version's layout; with no version, the TLS 1.2
/// layout and then the TLS 1.3 one (returning the first error if both
/// fail).
fn by_form<T>(
    body: &[u8],
    version: Option<u16>,
    tls12: fn(&[u8]) -> Result<T>,
    tls13: fn(&[u8]) -> Result<T>,
) -> Result<T> {
    match version.map(ProtocolForm::from_version) {
        Some(ProtocolForm::Tls12) => tls12(body),
        Some(ProtocolForm::Tls13) => tls13(body),
        None => tls12(body).or_else(|e| tls13(body).map_err(|_| e)),
    }
}

#[cfg(test)]
mod tests;
