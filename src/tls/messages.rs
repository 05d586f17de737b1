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

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;

use crate::tls::names;

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
// Bounded byte cursor
// ---------------------------------------------------------------------------

/// A read cursor over a byte slice. Sub-readers made by `vec8/16/24` or
/// `sub` cover exactly their declared length, so nothing parsed through one
/// can read past it. `base` is the offset of `buf` within the message body,
/// so errors report body offsets.
#[derive(Clone, Copy)]
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    base: usize,
    msg: &'static str,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8], msg: &'static str) -> Self {
        Reader {
            buf,
            pos: 0,
            base: 0,
            msg,
        }
    }

    fn rest_slice(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or(&[])
    }

    fn remaining(&self) -> usize {
        self.rest_slice().len()
    }

    fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// Offset of the cursor within the message body.
    fn offset(&self) -> usize {
        self.base + self.pos
    }

    fn error(&self, detail: impl Into<String>) -> ParseError {
        ParseError::new(self.msg, self.offset(), detail)
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        let rest = self.rest_slice();
        match rest.get(..n) {
            Some(s) => {
                self.pos += n;
                Ok(s)
            }
            None => Err(self.error(format!(
                "{what}: needs {n} bytes, only {} remain",
                rest.len()
            ))),
        }
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N]> {
        let off = self.offset();
        let s = self.take(N, what)?;
        <[u8; N]>::try_from(s).map_err(|_| ParseError::new(self.msg, off, what.to_string()))
    }

    fn u8(&mut self, what: &str) -> Result<u8> {
        let [b] = self.array::<1>(what)?;
        Ok(b)
    }

    fn u16(&mut self, what: &str) -> Result<u16> {
        Ok(u16::from_be_bytes(self.array::<2>(what)?))
    }

    fn u24(&mut self, what: &str) -> Result<u32> {
        let [a, b, c] = self.array::<3>(what)?;
        Ok(u32::from_be_bytes([0, a, b, c]))
    }

    fn u32(&mut self, what: &str) -> Result<u32> {
        Ok(u32::from_be_bytes(self.array::<4>(what)?))
    }

    /// A sub-reader over the next `n` bytes.
    fn sub(&mut self, n: usize, what: &str) -> Result<Reader<'a>> {
        let start = self.offset();
        let rem = self.remaining();
        if n > rem {
            return Err(self.error(format!("{what} length {n} exceeds remaining {rem} bytes")));
        }
        let buf = self.take(n, what)?;
        Ok(Reader {
            buf,
            pos: 0,
            base: start,
            msg: self.msg,
        })
    }

    /// `opaque x<0..2^8-1>`: a 1-byte length, then that many bytes.
    fn vec8(&mut self, what: &str) -> Result<Reader<'a>> {
        let n = self.u8(what)?;
        self.sub(usize::from(n), what)
    }

    /// `opaque x<0..2^16-1>`.
    fn vec16(&mut self, what: &str) -> Result<Reader<'a>> {
        let n = self.u16(what)?;
        self.sub(usize::from(n), what)
    }

    /// `opaque x<0..2^24-1>`.
    fn vec24(&mut self, what: &str) -> Result<Reader<'a>> {
        let n = self.u24(what)?;
        self.sub(n as usize, what)
    }

    /// The rest of the buffer, consuming it.
    fn rest(&mut self) -> &'a [u8] {
        let r = self.rest_slice();
        self.pos = self.buf.len();
        r
    }

    /// Fails if anything is left.
    fn finish(&self, what: &str) -> Result<()> {
        match self.remaining() {
            0 => Ok(()),
            n => Err(self.error(format!("{n} unexpected bytes after {what}"))),
        }
    }

    /// Reads the whole remainder as a list of big-endian u16.
    fn u16_list(&mut self, what: &str) -> Result<Vec<u16>> {
        let rest = self.rest_slice();
        if rest.len() % 2 != 0 {
            return Err(self.error(format!("{what}: odd length {}", rest.len())));
        }
        self.pos = self.buf.len();
        Ok(rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect())
    }
}

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
// Message structs
// ---------------------------------------------------------------------------

/// One extension as on the wire: its type and its raw `extension_data`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extension {
    /// Extension type (see [`names::extension_name`]).
    pub ext_type: u16,
    /// Raw `extension_data` (hex in JSON).
    #[serde(serialize_with = "hex::bytes")]
    pub data: Vec<u8>,
}

impl Extension {
    /// IANA name of the extension type.
    pub fn name(&self) -> Cow<'static, str> {
        names::extension_name(self.ext_type)
    }
}

/// A ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2): the wire fields, the
/// raw extensions in wire order, and decoded convenience fields.
///
/// All convenience fields keep GREASE values as sent; filter with
/// [`names::is_grease`] where needed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct ClientHello {
    /// `legacy_version` (`client_version` before TLS 1.3).
    pub legacy_version: u16,
    #[serde(serialize_with = "hex::bytes")]
    pub random: [u8; 32],
    #[serde(serialize_with = "hex::bytes")]
    pub session_id: Vec<u8>,
    pub cipher_suites: Vec<u16>,
    pub compression_methods: Vec<u8>,
    /// Every extension that parsed, in wire order (GREASE included).
    /// Empty for a hello with no extension block (SSL 3.0 / TLS 1.0 style).
    pub extensions: Vec<Extension>,

    /// First `host_name` of `server_name` (0); non-UTF-8 bytes are replaced
    /// with U+FFFD.
    pub server_name: Option<String>,
    /// `application_layer_protocol_negotiation` (16) protocol names, in
    /// order (lossy UTF-8; the raw bytes are in `extensions`).
    pub alpn: Vec<String>,
    /// `supported_versions` (43).
    pub supported_versions: Vec<u16>,
    /// `signature_algorithms` (13).
    pub signature_algorithms: Vec<u16>,
    /// `signature_algorithms_cert` (50).
    pub signature_algorithms_cert: Vec<u16>,
    /// `supported_groups` (10).
    pub supported_groups: Vec<u16>,
    /// `ec_point_formats` (11).
    pub ec_point_formats: Vec<u8>,
    /// Groups of the `key_share` (51) entries, in order.
    pub key_share_groups: Vec<u16>,
    /// `psk_key_exchange_modes` (45).
    pub psk_key_exchange_modes: Vec<u8>,
    /// `pre_shared_key` (41) is present (resumption or external PSK).
    pub has_pre_shared_key: bool,
    /// Number of identities in `pre_shared_key`.
    pub psk_identities: usize,
    /// [`ticket_id`] of each `pre_shared_key` identity (the first 16),
    /// to find the connection whose NewSessionTicket issued it.
    #[serde(skip)]
    pub psk_identity_ids: Vec<u64>,
    /// `early_data` (42) is present (0-RTT offered).
    pub early_data: bool,
    /// `post_handshake_auth` (49) is present: the client accepts a
    /// CertificateRequest after the handshake (TLS 1.3).
    pub post_handshake_auth: bool,
    /// `certificate_authorities` (47): DER DistinguishedNames as on the wire.
    #[serde(serialize_with = "hex::list")]
    pub certificate_authorities: Vec<Vec<u8>>,
    /// `status_request` (5) is present (OCSP stapling requested).
    pub status_request: bool,
    /// `renegotiation_info` (0xff01) `renegotiated_connection` (empty on an
    /// initial handshake).
    #[serde(serialize_with = "hex::opt_bytes")]
    pub renegotiation_info: Option<Vec<u8>>,
    /// `extended_master_secret` (23) is present.
    pub extended_master_secret: bool,
    /// `encrypt_then_mac` (22) is present.
    pub encrypt_then_mac: bool,
    /// `session_ticket` (35): `Some(ticket)` when present (empty = asks for a
    /// new ticket, non-empty = resumption attempt).
    #[serde(serialize_with = "hex::opt_bytes")]
    pub session_ticket: Option<Vec<u8>>,
    /// What was wrong with the extension block, if anything (truncated or
    /// overlong block, an extension that did not decode, a duplicate,
    /// trailing bytes). Everything that did parse is still returned.
    pub malformed_extensions: Option<String>,
}

impl ClientHello {
    /// The raw data of the first extension of this type.
    pub fn extension(&self, ext_type: u16) -> Option<&Extension> {
        self.extensions.iter().find(|e| e.ext_type == ext_type)
    }

    /// Highest non-GREASE version in `supported_versions`, else
    /// `legacy_version`: the best version the client offers.
    pub fn max_offered_version(&self) -> u16 {
        self.supported_versions
            .iter()
            .copied()
            .filter(|&v| !names::is_grease(v))
            .max()
            .unwrap_or(self.legacy_version)
    }
}

/// A ServerHello (RFC 8446 §4.1.3, RFC 5246 §7.4.1.3), or a TLS 1.3
/// HelloRetryRequest, which has the same layout and a fixed random.
///
/// A TLS 1.3 draft-0..21 ServerHello (`legacy_version` `0x7f00..=0x7f15`)
/// has no session_id and compression fields: they are left empty / 0, and
/// [`ServerHello::negotiated_version`] is the draft version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct ServerHello {
    pub legacy_version: u16,
    #[serde(serialize_with = "hex::bytes")]
    pub random: [u8; 32],
    #[serde(serialize_with = "hex::bytes")]
    pub session_id: Vec<u8>,
    pub cipher_suite: u16,
    pub compression: u8,
    /// Every extension that parsed, in wire order. Empty for SSL 3.0 /
    /// TLS 1.0 hellos without an extension block.
    pub extensions: Vec<Extension>,
    /// `supported_versions` (43): the version the server selected (TLS 1.3).
    pub selected_version: Option<u16>,
    /// `key_share` (51): the server's group, or in a HelloRetryRequest the
    /// group it asks the client to use.
    pub key_share_group: Option<u16>,
    /// `pre_shared_key` (41): index of the PSK identity the server accepted.
    pub selected_psk: Option<u16>,
    /// `random` is SHA-256("HelloRetryRequest") (RFC 8446 §4.1.3).
    pub is_hello_retry_request: bool,
    pub extended_master_secret: bool,
    pub encrypt_then_mac: bool,
    #[serde(serialize_with = "hex::opt_bytes")]
    pub renegotiation_info: Option<Vec<u8>>,
    /// `session_ticket` (35) is present: the server will send a
    /// NewSessionTicket (TLS 1.2).
    pub session_ticket: bool,
    /// ALPN protocol the server selected (TLS 1.2; in TLS 1.3 it is in
    /// EncryptedExtensions).
    pub alpn: Option<String>,
    /// See [`ClientHello::malformed_extensions`].
    pub malformed_extensions: Option<String>,
}

impl ServerHello {
    /// The version in force: `supported_versions` if present, else
    /// `legacy_version`. Pass this as `version` to [`parse_handshake`].
    pub fn negotiated_version(&self) -> u16 {
        self.selected_version.unwrap_or(self.legacy_version)
    }

    /// The raw data of the first extension of this type.
    pub fn extension(&self, ext_type: u16) -> Option<&Extension> {
        self.extensions.iter().find(|e| e.ext_type == ext_type)
    }

    /// The TLS 1.3 downgrade sentinel in the last 8 bytes of `random`
    /// (RFC 8446 §4.1.3): `Some("TLS 1.2")` for `DOWNGRD\x01`,
    /// `Some("TLS 1.1 or below")` for `DOWNGRD\x00`. A TLS 1.3-capable
    /// server sets it when it negotiates a lower version.
    pub fn downgrade_sentinel(&self) -> Option<&'static str> {
        match self.random.get(24..) {
            Some([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01]) => Some("TLS 1.2"),
            Some([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00]) => Some("TLS 1.1 or below"),
            _ => None,
        }
    }
}

/// TLS 1.3 EncryptedExtensions (RFC 8446 §4.3.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct EncryptedExtensions {
    /// All extensions in wire order.
    pub extensions: Vec<Extension>,
    /// Selected ALPN protocol.
    pub alpn: Option<String>,
    /// Empty `server_name` (0): the server used the client's SNI.
    pub server_name_ack: bool,
    /// `early_data` (42): the server accepted 0-RTT data.
    pub early_data: bool,
    /// `supported_groups` (10) the server prefers (informational).
    pub supported_groups: Vec<u16>,
    /// `record_size_limit` (28).
    pub record_size_limit: Option<u16>,
    /// `max_fragment_length` (1) code.
    pub max_fragment_length: Option<u8>,
    /// An extension whose data did not decode (the list itself parsed).
    pub malformed_extensions: Option<String>,
}

/// One entry of a Certificate message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateEntry {
    /// The certificate (DER X.509 normally; a raw public key or OpenPGP key
    /// if such a certificate type was negotiated).
    #[serde(serialize_with = "hex::bytes")]
    pub der: Vec<u8>,
    /// Per-entry extensions (TLS 1.3 only: `status_request` with an OCSP
    /// response, `signed_certificate_timestamp`); always empty in TLS 1.2.
    pub extensions: Vec<Extension>,
}

/// A Certificate message (RFC 8446 §4.4.2, RFC 5246 §7.4.2/§7.4.6).
///
/// Zero `entries` is how a client says it has no certificate to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Certificate {
    /// `certificate_request_context`: `Some` in TLS 1.3 (empty during the
    /// handshake, non-empty for post-handshake auth), `None` in TLS 1.2.
    #[serde(serialize_with = "hex::opt_bytes")]
    pub request_context: Option<Vec<u8>>,
    /// Leaf first, then the chain as sent.
    pub entries: Vec<CertificateEntry>,
}

impl Certificate {
    /// True when no certificate was sent.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// DER of the first (end-entity) certificate.
    pub fn leaf(&self) -> Option<&[u8]> {
        self.entries.first().map(|e| e.der.as_slice())
    }

    /// Which layout this was parsed with.
    pub fn form(&self) -> ProtocolForm {
        if self.request_context.is_some() {
            ProtocolForm::Tls13
        } else {
            ProtocolForm::Tls12
        }
    }
}

/// TLS 1.0–1.2 CertificateRequest (RFC 5246 §7.4.4, RFC 4346 §7.4.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateRequestTls12 {
    /// `ClientCertificateType` codes (1 rsa_sign, 2 dss_sign, 64 ecdsa_sign, …).
    pub certificate_types: Vec<u8>,
    /// `supported_signature_algorithms`: `Some` in TLS 1.2, `None` in
    /// TLS 1.0/1.1 (the field does not exist there).
    pub supported_signature_algorithms: Option<Vec<u16>>,
    /// Acceptable CA names: DER DistinguishedNames exactly as on the wire.
    /// Empty means "any CA" to most clients.
    #[serde(serialize_with = "hex::list")]
    pub certificate_authorities: Vec<Vec<u8>>,
    /// Wire length in bytes of the DN list (without its 2-byte length
    /// prefix), e.g. for Schannel's 16 KiB issuer-list limit.
    pub ca_list_len: usize,
}

/// TLS 1.3 CertificateRequest (RFC 8446 §4.3.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateRequestTls13 {
    /// `certificate_request_context`, echoed in the client's Certificate
    /// (empty during the handshake).
    #[serde(serialize_with = "hex::bytes")]
    pub request_context: Vec<u8>,
    /// All extensions in wire order.
    pub extensions: Vec<Extension>,
    /// `signature_algorithms` (13); mandatory, empty if missing.
    pub signature_algorithms: Vec<u16>,
    /// `signature_algorithms_cert` (50).
    pub signature_algorithms_cert: Vec<u16>,
    /// `certificate_authorities` (47): DER DistinguishedNames as on the wire.
    #[serde(serialize_with = "hex::list")]
    pub certificate_authorities: Vec<Vec<u8>>,
    /// Wire length of the `authorities` list in extension 47 (without its
    /// 2-byte length prefix); 0 if absent.
    pub ca_list_len: usize,
    /// `oid_filters` (48): (DER OID content bytes, DER extension values).
    #[serde(serialize_with = "hex::pairs")]
    pub oid_filters: Vec<(Vec<u8>, Vec<u8>)>,
}

/// A CertificateRequest in either layout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum CertificateRequest {
    Tls12(CertificateRequestTls12),
    Tls13(CertificateRequestTls13),
}

impl CertificateRequest {
    /// Signature algorithms the server accepts for the client's
    /// CertificateVerify (empty for TLS 1.0/1.1).
    pub fn signature_algorithms(&self) -> &[u16] {
        match self {
            CertificateRequest::Tls12(c) => {
                c.supported_signature_algorithms.as_deref().unwrap_or(&[])
            }
            CertificateRequest::Tls13(c) => &c.signature_algorithms,
        }
    }

    /// Acceptable CA DistinguishedNames (DER, as on the wire).
    pub fn certificate_authorities(&self) -> &[Vec<u8>] {
        match self {
            CertificateRequest::Tls12(c) => &c.certificate_authorities,
            CertificateRequest::Tls13(c) => &c.certificate_authorities,
        }
    }

    /// Wire length of the CA name list.
    pub fn ca_list_len(&self) -> usize {
        match self {
            CertificateRequest::Tls12(c) => c.ca_list_len,
            CertificateRequest::Tls13(c) => c.ca_list_len,
        }
    }

    /// Which layout this was parsed with.
    pub fn form(&self) -> ProtocolForm {
        match self {
            CertificateRequest::Tls12(_) => ProtocolForm::Tls12,
            CertificateRequest::Tls13(_) => ProtocolForm::Tls13,
        }
    }
}

/// CertificateVerify (RFC 8446 §4.4.3, RFC 5246 §7.4.8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateVerify {
    /// Signature scheme (TLS 1.2+: `SignatureAndHashAlgorithm` as a u16);
    /// `None` in SSL 3.0 / TLS 1.0 / 1.1, where the field does not exist.
    pub scheme: Option<u16>,
    /// The signature (DER ECDSA-Sig-Value for ECDSA).
    #[serde(serialize_with = "hex::bytes")]
    pub signature: Vec<u8>,
}

/// NewSessionTicket in either layout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum NewSessionTicket {
    /// RFC 5077 §3.3.
    Tls12 {
        lifetime_hint: u32,
        ticket_len: usize,
        /// [`ticket_id`] of the ticket.
        #[serde(skip)]
        ticket_id: u64,
    },
    /// RFC 8446 §4.6.1.
    Tls13 {
        lifetime: u32,
        age_add: u32,
        #[serde(serialize_with = "hex::bytes")]
        nonce: Vec<u8>,
        ticket_len: usize,
        /// [`ticket_id`] of the ticket.
        #[serde(skip)]
        ticket_id: u64,
        extensions: Vec<Extension>,
        /// `early_data` (42) `max_early_data_size`, if present.
        max_early_data_size: Option<u32>,
    },
}

/// A TLS alert (RFC 8446 §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Alert {
    /// 1 warning, 2 fatal.
    pub level: u8,
    pub description: u8,
}

impl Alert {
    pub fn is_fatal(&self) -> bool {
        self.level == 2
    }

    /// `"warning"` / `"fatal"`.
    pub fn level_name(&self) -> Cow<'static, str> {
        names::alert_level_name(self.level)
    }

    /// e.g. `"certificate_required"`.
    pub fn description_name(&self) -> Cow<'static, str> {
        names::alert_description_name(self.description)
    }

    /// One plain-English sentence, see [`names::alert_meaning`].
    pub fn meaning(&self) -> &'static str {
        names::alert_meaning(self.description)
    }
}

impl fmt::Display for Alert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} ({})",
            self.level_name(),
            self.description_name(),
            self.description
        )
    }
}

/// A parsed handshake message.
///
/// The hello variants are a few hundred bytes larger than the rest; they
/// are not boxed because a connection holds only a handful of messages and
/// plain variants are easier to match on.
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

/// Parses an alert body, which must be exactly 2 bytes (level,
/// description). Any other length is an error; more than 2 bytes usually
/// means an encrypted alert.
pub fn parse_alert(body: &[u8]) -> Result<Alert> {
    match body {
        [level, description] => Ok(Alert {
            level: *level,
            description: *description,
        }),
        [] | [_] => Err(ParseError::new(
            "alert",
            body.len(),
            format!("truncated: {} of 2 bytes", body.len()),
        )),
        _ => Err(ParseError::new(
            "alert",
            2,
            format!(
                "{} bytes instead of 2 (an encrypted alert, or several alerts in one record)",
                body.len()
            ),
        )),
    }
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

// ---------------------------------------------------------------------------
// Extension lists
// ---------------------------------------------------------------------------

/// Strict `Extension extensions<0..2^16-1>` at the cursor.
fn parse_extension_list(r: &mut Reader<'_>, what: &str) -> Result<Vec<Extension>> {
    let mut list = r.vec16(what)?;
    let mut out = Vec::new();
    let mut i = 0usize;
    while !list.is_empty() {
        i += 1;
        let e = (|| {
            let ext_type = list.u16("extension_type")?;
            let data = list.vec16("extension_data")?.rest();
            Ok(Extension {
                ext_type,
                data: data.to_vec(),
            })
        })()
        .map_err(|e: ParseError| e.context(format_args!("{what}: extension {i}")))?;
        out.push(e);
    }
    Ok(out)
}

/// Lenient extension block of a hello: parses what it can and records every
/// problem in `problems`. `r` is positioned after the fixed fields.
fn parse_hello_extensions(r: &mut Reader<'_>, problems: &mut Vec<String>) -> Vec<Extension> {
    let mut out = Vec::new();
    if r.is_empty() {
        return out; // no extension block at all (SSL 3.0 / TLS 1.0 style)
    }
    let declared = match r.u16("extensions length") {
        Ok(n) => usize::from(n),
        Err(e) => {
            problems.push(describe(&e));
            return out;
        }
    };
    let avail = r.remaining();
    let take = if declared > avail {
        problems.push(format!(
            "extensions block length {declared} exceeds remaining {avail} bytes (at byte {})",
            r.offset()
        ));
        avail
    } else {
        declared
    };
    let mut block = match r.sub(take, "extensions") {
        Ok(b) => b,
        Err(e) => {
            problems.push(describe(&e));
            return out;
        }
    };
    if !r.is_empty() {
        problems.push(format!(
            "{} trailing bytes after the extensions block (at byte {})",
            r.remaining(),
            r.offset()
        ));
        r.rest();
    }
    let mut i = 0usize;
    while !block.is_empty() {
        i += 1;
        let start = block.offset();
        let ext_type = match block.u16("extension_type") {
            Ok(t) => t,
            Err(_) => {
                problems.push(format!(
                    "extension {i}: 1 stray byte at the end of the block (at byte {start})"
                ));
                break;
            }
        };
        match block.vec16("extension_data") {
            Ok(mut d) => out.push(Extension {
                ext_type,
                data: d.rest().to_vec(),
            }),
            Err(e) => {
                problems.push(format!(
                    "extension {i} ({}): {}",
                    names::extension_name(ext_type),
                    describe(&e)
                ));
                break;
            }
        }
    }
    let mut seen: Vec<u16> = Vec::with_capacity(out.len());
    for e in &out {
        if seen.contains(&e.ext_type) {
            problems.push(format!("duplicate extension {}", e.name()));
        } else {
            seen.push(e.ext_type);
        }
    }
    out
}

/// `detail (at byte N)` of an error, without the message name (for the
/// `malformed_extensions` notes).
fn describe(e: &ParseError) -> String {
    format!("{} (at byte {})", e.detail, e.offset)
}

/// Decodes one extension's data with `f`, which must consume all of it.
/// The reader's offsets are those of the data within the body.
fn decode_ext<'a, T>(
    data: &'a [u8],
    base: usize,
    msg: &'static str,
    ext_type: u16,
    f: impl FnOnce(&mut Reader<'a>) -> Result<T>,
) -> Result<T> {
    let mut r = Reader {
        buf: data,
        pos: 0,
        base,
        msg,
    };
    let res = f(&mut r).and_then(|v| r.finish("the extension data").map(|()| v));
    res.map_err(|e| e.context(names::extension_name(ext_type)))
}

/// Where each extension's data starts within the body, for error offsets.
/// Extensions are laid out back to back from `block_start` (after the
/// 2-byte block length) with a 4-byte header each.
fn ext_data_offsets(exts: &[Extension], block_start: usize) -> Vec<usize> {
    let mut off = block_start;
    exts.iter()
        .map(|e| {
            let d = off + 4;
            off = d + e.data.len();
            d
        })
        .collect()
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn read_u16_vec16(r: &mut Reader<'_>, what: &str) -> Result<Vec<u16>> {
    r.vec16(what)?.u16_list(what)
}

/// `ProtocolName protocol_name_list<2..2^16-1>` of `opaque ProtocolName<1..2^8-1>`.
fn read_alpn_list(r: &mut Reader<'_>) -> Result<Vec<String>> {
    let mut list = r.vec16("protocol_name_list")?;
    let mut out = Vec::new();
    while !list.is_empty() {
        out.push(lossy(list.vec8("protocol_name")?.rest()));
    }
    Ok(out)
}

/// `DistinguishedName authorities<..2^16-1>` of `opaque DistinguishedName<1..2^16-1>`;
/// returns the names and the list's wire length.
fn read_dn_list(r: &mut Reader<'_>, what: &str) -> Result<(Vec<Vec<u8>>, usize)> {
    let mut list = r.vec16(what)?;
    let len = list.remaining();
    let mut out = Vec::new();
    let mut i = 0usize;
    while !list.is_empty() {
        i += 1;
        let dn = list
            .vec16("distinguished_name")
            .map_err(|e| e.context(format_args!("{what}: name {i}")))?;
        out.push(dn.rest_slice().to_vec());
    }
    Ok((out, len))
}

// ---------------------------------------------------------------------------
// ClientHello / ServerHello
// ---------------------------------------------------------------------------

fn parse_client_hello(body: &[u8]) -> Result<ClientHello> {
    const MSG: &str = "client_hello";
    let mut r = Reader::new(body, MSG);
    let mut ch = ClientHello {
        legacy_version: r.u16("legacy_version")?,
        random: r.array::<32>("random")?,
        session_id: r.vec8("session_id")?.rest().to_vec(),
        ..ClientHello::default()
    };
    ch.cipher_suites = read_u16_vec16(&mut r, "cipher_suites")?;
    ch.compression_methods = r.vec8("compression_methods")?.rest().to_vec();

    let mut problems = Vec::new();
    let block_start = r.offset() + 2;
    let extensions = parse_hello_extensions(&mut r, &mut problems);
    let offsets = ext_data_offsets(&extensions, block_start);

    for (e, &base) in extensions.iter().zip(&offsets) {
        let t = e.ext_type;
        let d = e.data.as_slice();
        let res: Result<()> = match t {
            ext::SERVER_NAME => decode_ext(d, base, MSG, t, |r| {
                let mut list = r.vec16("server_name_list")?;
                while !list.is_empty() {
                    let name_type = list.u8("name_type")?;
                    let name = list.vec16("host_name")?.rest();
                    if name_type == 0 && ch.server_name.is_none() {
                        ch.server_name = Some(lossy(name));
                    }
                }
                Ok(())
            }),
            ext::ALPN => decode_ext(d, base, MSG, t, |r| {
                ch.alpn = read_alpn_list(r)?;
                Ok(())
            }),
            ext::SUPPORTED_VERSIONS => decode_ext(d, base, MSG, t, |r| {
                ch.supported_versions = r.vec8("versions")?.u16_list("versions")?;
                Ok(())
            }),
            ext::SIGNATURE_ALGORITHMS => decode_ext(d, base, MSG, t, |r| {
                ch.signature_algorithms = read_u16_vec16(r, "supported_signature_algorithms")?;
                Ok(())
            }),
            ext::SIGNATURE_ALGORITHMS_CERT => decode_ext(d, base, MSG, t, |r| {
                ch.signature_algorithms_cert = read_u16_vec16(r, "supported_signature_algorithms")?;
                Ok(())
            }),
            ext::SUPPORTED_GROUPS => decode_ext(d, base, MSG, t, |r| {
                ch.supported_groups = read_u16_vec16(r, "named_group_list")?;
                Ok(())
            }),
            ext::EC_POINT_FORMATS => decode_ext(d, base, MSG, t, |r| {
                ch.ec_point_formats = r.vec8("ec_point_format_list")?.rest().to_vec();
                Ok(())
            }),
            ext::KEY_SHARE => decode_ext(d, base, MSG, t, |r| {
                let mut list = r.vec16("client_shares")?;
                while !list.is_empty() {
                    let group = list.u16("group")?;
                    list.vec16("key_exchange")?;
                    ch.key_share_groups.push(group);
                }
                Ok(())
            }),
            ext::PSK_KEY_EXCHANGE_MODES => decode_ext(d, base, MSG, t, |r| {
                ch.psk_key_exchange_modes = r.vec8("ke_modes")?.rest().to_vec();
                Ok(())
            }),
            ext::PRE_SHARED_KEY => {
                ch.has_pre_shared_key = true;
                decode_ext(d, base, MSG, t, |r| {
                    let mut ids = r.vec16("identities")?;
                    while !ids.is_empty() {
                        let mut identity = ids.vec16("identity")?;
                        if ch.psk_identity_ids.len() < 16 {
                            ch.psk_identity_ids.push(ticket_id(identity.rest()));
                        }
                        ids.u32("obfuscated_ticket_age")?;
                        ch.psk_identities += 1;
                    }
                    r.vec16("binders")?;
                    Ok(())
                })
            }
            ext::EARLY_DATA => {
                ch.early_data = true;
                decode_ext(d, base, MSG, t, |_| Ok(()))
            }
            ext::POST_HANDSHAKE_AUTH => {
                ch.post_handshake_auth = true;
                decode_ext(d, base, MSG, t, |_| Ok(()))
            }
            ext::CERTIFICATE_AUTHORITIES => decode_ext(d, base, MSG, t, |r| {
                ch.certificate_authorities = read_dn_list(r, "authorities")?.0;
                Ok(())
            }),
            ext::STATUS_REQUEST => {
                ch.status_request = true;
                Ok(())
            }
            ext::RENEGOTIATION_INFO => decode_ext(d, base, MSG, t, |r| {
                ch.renegotiation_info = Some(r.vec8("renegotiated_connection")?.rest().to_vec());
                Ok(())
            }),
            ext::EXTENDED_MASTER_SECRET => {
                ch.extended_master_secret = true;
                decode_ext(d, base, MSG, t, |_| Ok(()))
            }
            ext::ENCRYPT_THEN_MAC => {
                ch.encrypt_then_mac = true;
                decode_ext(d, base, MSG, t, |_| Ok(()))
            }
            ext::SESSION_TICKET => {
                ch.session_ticket = Some(d.to_vec());
                Ok(())
            }
            _ => Ok(()),
        };
        if let Err(e) = res {
            problems.push(describe(&e));
        }
    }
    ch.extensions = extensions;
    if !problems.is_empty() {
        ch.malformed_extensions = Some(problems.join("; "));
    }
    Ok(ch)
}

fn parse_server_hello(body: &[u8]) -> Result<ServerHello> {
    const MSG: &str = "server_hello";
    let mut r = Reader::new(body, MSG);
    let mut sh = ServerHello {
        legacy_version: r.u16("legacy_version")?,
        random: r.array::<32>("random")?,
        ..ServerHello::default()
    };
    if is_early_tls13_draft(sh.legacy_version) {
        // Drafts before -22: `version; random; cipher_suite; extensions`.
        sh.cipher_suite = r.u16("cipher_suite")?;
    } else {
        sh.session_id = r.vec8("session_id")?.rest().to_vec();
        sh.cipher_suite = r.u16("cipher_suite")?;
        sh.compression = r.u8("compression_method")?;
    }
    sh.is_hello_retry_request = sh.random == HELLO_RETRY_REQUEST_RANDOM;
    let hrr = sh.is_hello_retry_request;

    let mut problems = Vec::new();
    let block_start = r.offset() + 2;
    let extensions = parse_hello_extensions(&mut r, &mut problems);
    let offsets = ext_data_offsets(&extensions, block_start);

    for (e, &base) in extensions.iter().zip(&offsets) {
        let t = e.ext_type;
        let d = e.data.as_slice();
        let res: Result<()> = match t {
            ext::SUPPORTED_VERSIONS => decode_ext(d, base, MSG, t, |r| {
                sh.selected_version = Some(r.u16("selected_version")?);
                Ok(())
            }),
            ext::KEY_SHARE => decode_ext(d, base, MSG, t, |r| {
                sh.key_share_group = Some(r.u16("group")?);
                if !hrr {
                    r.vec16("key_exchange")?;
                }
                Ok(())
            }),
            ext::PRE_SHARED_KEY => decode_ext(d, base, MSG, t, |r| {
                sh.selected_psk = Some(r.u16("selected_identity")?);
                Ok(())
            }),
            ext::ALPN => decode_ext(d, base, MSG, t, |r| {
                sh.alpn = read_alpn_list(r)?.into_iter().next();
                Ok(())
            }),
            ext::EXTENDED_MASTER_SECRET => {
                sh.extended_master_secret = true;
                decode_ext(d, base, MSG, t, |_| Ok(()))
            }
            ext::ENCRYPT_THEN_MAC => {
                sh.encrypt_then_mac = true;
                decode_ext(d, base, MSG, t, |_| Ok(()))
            }
            ext::RENEGOTIATION_INFO => decode_ext(d, base, MSG, t, |r| {
                sh.renegotiation_info = Some(r.vec8("renegotiated_connection")?.rest().to_vec());
                Ok(())
            }),
            ext::SESSION_TICKET => {
                sh.session_ticket = true;
                decode_ext(d, base, MSG, t, |_| Ok(()))
            }
            _ => Ok(()),
        };
        if let Err(e) = res {
            problems.push(describe(&e));
        }
    }
    sh.extensions = extensions;
    if !problems.is_empty() {
        sh.malformed_extensions = Some(problems.join("; "));
    }
    Ok(sh)
}

// ---------------------------------------------------------------------------
// EncryptedExtensions
// ---------------------------------------------------------------------------

fn parse_encrypted_extensions(body: &[u8]) -> Result<EncryptedExtensions> {
    const MSG: &str = "encrypted_extensions";
    let mut r = Reader::new(body, MSG);
    let extensions = parse_extension_list(&mut r, "extensions")?;
    r.finish("extensions")?;
    let mut ee = EncryptedExtensions::default();
    let mut problems = Vec::new();
    let offsets = ext_data_offsets(&extensions, 2);
    for (e, &base) in extensions.iter().zip(&offsets) {
        let t = e.ext_type;
        let d = e.data.as_slice();
        let res: Result<()> = match t {
            ext::ALPN => decode_ext(d, base, MSG, t, |r| {
                ee.alpn = read_alpn_list(r)?.into_iter().next();
                Ok(())
            }),
            ext::SERVER_NAME => {
                ee.server_name_ack = true;
                decode_ext(d, base, MSG, t, |_| Ok(()))
            }
            ext::EARLY_DATA => {
                ee.early_data = true;
                decode_ext(d, base, MSG, t, |_| Ok(()))
            }
            ext::SUPPORTED_GROUPS => decode_ext(d, base, MSG, t, |r| {
                ee.supported_groups = read_u16_vec16(r, "named_group_list")?;
                Ok(())
            }),
            ext::RECORD_SIZE_LIMIT => decode_ext(d, base, MSG, t, |r| {
                ee.record_size_limit = Some(r.u16("record_size_limit")?);
                Ok(())
            }),
            ext::MAX_FRAGMENT_LENGTH => decode_ext(d, base, MSG, t, |r| {
                ee.max_fragment_length = Some(r.u8("max_fragment_length")?);
                Ok(())
            }),
            _ => Ok(()),
        };
        if let Err(e) = res {
            problems.push(describe(&e));
        }
    }
    ee.extensions = extensions;
    if !problems.is_empty() {
        ee.malformed_extensions = Some(problems.join("; "));
    }
    Ok(ee)
}

// ---------------------------------------------------------------------------
// Certificate
// ---------------------------------------------------------------------------

const CERTIFICATE: &str = "certificate";

/// TLS 1.2: `ASN.1Cert certificate_list<0..2^24-1>` of `opaque ASN.1Cert<1..2^24-1>`.
fn parse_certificate12(body: &[u8]) -> Result<Certificate> {
    let mut r = Reader::new(body, CERTIFICATE);
    let mut list = r.vec24("certificate_list")?;
    r.finish("certificate_list")?;
    let mut entries = Vec::new();
    let mut i = 0usize;
    while !list.is_empty() {
        i += 1;
        let der = list
            .vec24("cert_data")
            .map_err(|e| e.context(format_args!("entry {i}")))?;
        entries.push(CertificateEntry {
            der: der.rest_slice().to_vec(),
            extensions: Vec::new(),
        });
    }
    Ok(Certificate {
        request_context: None,
        entries,
    })
}

/// TLS 1.3: `opaque certificate_request_context<0..2^8-1>;
/// CertificateEntry certificate_list<0..2^24-1>`, each entry
/// `opaque cert_data<1..2^24-1>; Extension extensions<0..2^16-1>`.
fn parse_certificate13(body: &[u8]) -> Result<Certificate> {
    let mut r = Reader::new(body, CERTIFICATE);
    let context = r.vec8("certificate_request_context")?.rest().to_vec();
    let mut list = r.vec24("certificate_list")?;
    r.finish("certificate_list")?;
    let mut entries = Vec::new();
    let mut i = 0usize;
    while !list.is_empty() {
        i += 1;
        let entry = (|| {
            let der = list.vec24("cert_data")?.rest().to_vec();
            let extensions = parse_extension_list(&mut list, "extensions")?;
            Ok(CertificateEntry { der, extensions })
        })()
        .map_err(|e: ParseError| e.context(format_args!("entry {i}")))?;
        entries.push(entry);
    }
    Ok(Certificate {
        request_context: Some(context),
        entries,
    })
}

// ---------------------------------------------------------------------------
// CertificateRequest
// ---------------------------------------------------------------------------

const CERTIFICATE_REQUEST: &str = "certificate_request";

fn parse_certificate_request(body: &[u8], version: Option<u16>) -> Result<CertificateRequest> {
    match version {
        Some(v) => match ProtocolForm::from_version(v) {
            ProtocolForm::Tls13 => parse_cr13(body).map(CertificateRequest::Tls13),
            ProtocolForm::Tls12 => {
                parse_cr12(body, has_signature_algorithms(v)).map(CertificateRequest::Tls12)
            }
        },
        // Order matters: a TLS 1.3 request can happen to parse as the
        // TLS 1.0/1.1 layout, never (in practice) the other way round.
        None => parse_cr12(body, true)
            .map(CertificateRequest::Tls12)
            .or_else(|e| {
                parse_cr13(body)
                    .map(CertificateRequest::Tls13)
                    .map_err(|_| e)
            })
            .or_else(|e| {
                parse_cr12(body, false)
                    .map(CertificateRequest::Tls12)
                    .map_err(|_| e)
            }),
    }
}

/// TLS 1.0–1.2: `ClientCertificateType certificate_types<1..2^8-1>;
/// [SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>;]
/// DistinguishedName certificate_authorities<0..2^16-1>`.
fn parse_cr12(body: &[u8], with_sig_algs: bool) -> Result<CertificateRequestTls12> {
    let mut r = Reader::new(body, CERTIFICATE_REQUEST);
    let certificate_types = r.vec8("certificate_types")?.rest().to_vec();
    let supported_signature_algorithms = if with_sig_algs {
        Some(read_u16_vec16(&mut r, "supported_signature_algorithms")?)
    } else {
        None
    };
    let (certificate_authorities, ca_list_len) = read_dn_list(&mut r, "certificate_authorities")?;
    r.finish("certificate_authorities")?;
    Ok(CertificateRequestTls12 {
        certificate_types,
        supported_signature_algorithms,
        certificate_authorities,
        ca_list_len,
    })
}

/// TLS 1.3: `opaque certificate_request_context<0..2^8-1>;
/// Extension extensions<2..2^16-1>`. A malformed signature_algorithms,
/// signature_algorithms_cert, certificate_authorities or oid_filters is an
/// error: those are the substance of the message.
fn parse_cr13(body: &[u8]) -> Result<CertificateRequestTls13> {
    const MSG: &str = CERTIFICATE_REQUEST;
    let mut r = Reader::new(body, MSG);
    let request_context = r.vec8("certificate_request_context")?.rest().to_vec();
    let block_start = r.offset() + 2;
    let extensions = parse_extension_list(&mut r, "extensions")?;
    r.finish("extensions")?;
    let mut cr = CertificateRequestTls13 {
        request_context,
        extensions: Vec::new(),
        signature_algorithms: Vec::new(),
        signature_algorithms_cert: Vec::new(),
        certificate_authorities: Vec::new(),
        ca_list_len: 0,
        oid_filters: Vec::new(),
    };
    let offsets = ext_data_offsets(&extensions, block_start);
    for (e, &base) in extensions.iter().zip(&offsets) {
        let t = e.ext_type;
        let d = e.data.as_slice();
        match t {
            ext::SIGNATURE_ALGORITHMS => decode_ext(d, base, MSG, t, |r| {
                cr.signature_algorithms = read_u16_vec16(r, "supported_signature_algorithms")?;
                Ok(())
            })?,
            ext::SIGNATURE_ALGORITHMS_CERT => decode_ext(d, base, MSG, t, |r| {
                cr.signature_algorithms_cert = read_u16_vec16(r, "supported_signature_algorithms")?;
                Ok(())
            })?,
            ext::CERTIFICATE_AUTHORITIES => decode_ext(d, base, MSG, t, |r| {
                let (dns, len) = read_dn_list(r, "authorities")?;
                cr.certificate_authorities = dns;
                cr.ca_list_len = len;
                Ok(())
            })?,
            ext::OID_FILTERS => decode_ext(d, base, MSG, t, |r| {
                let mut list = r.vec16("filters")?;
                while !list.is_empty() {
                    let oid = list.vec8("certificate_extension_oid")?.rest().to_vec();
                    let values = list.vec16("certificate_extension_values")?.rest().to_vec();
                    cr.oid_filters.push((oid, values));
                }
                Ok(())
            })?,
            _ => {}
        }
    }
    cr.extensions = extensions;
    Ok(cr)
}

// ---------------------------------------------------------------------------
// CertificateVerify, ServerKeyExchange, NewSessionTicket
// ---------------------------------------------------------------------------

fn parse_certificate_verify(body: &[u8], version: Option<u16>) -> Result<CertificateVerify> {
    fn with_scheme(body: &[u8]) -> Result<CertificateVerify> {
        let mut r = Reader::new(body, "certificate_verify");
        let scheme = r.u16("algorithm")?;
        let signature = r.vec16("signature")?.rest().to_vec();
        r.finish("signature")?;
        Ok(CertificateVerify {
            scheme: Some(scheme),
            signature,
        })
    }
    fn without_scheme(body: &[u8]) -> Result<CertificateVerify> {
        let mut r = Reader::new(body, "certificate_verify");
        let signature = r.vec16("signature")?.rest().to_vec();
        r.finish("signature")?;
        Ok(CertificateVerify {
            scheme: None,
            signature,
        })
    }
    match version {
        Some(v) if has_signature_algorithms(v) => with_scheme(body),
        Some(_) => without_scheme(body),
        None => with_scheme(body).or_else(|e| without_scheme(body).map_err(|_| e)),
    }
}

/// Tries ECDHE (named curve) and then DHE params, each followed by a
/// signature that must end exactly at the end of the body.
fn parse_server_key_exchange(body: &[u8], version: Option<u16>) -> HandshakeMessage {
    const MSG: &str = "server_key_exchange";

    /// The scheme (None when the layout has none) if the rest of `r` is
    /// exactly one `digitally-signed` struct.
    fn signature(mut r: Reader<'_>, with_alg: bool) -> Result<Option<u16>> {
        let scheme = if with_alg {
            Some(r.u16("algorithm")?)
        } else {
            None
        };
        r.vec16("signature")?;
        r.finish("signature")?;
        Ok(scheme)
    }
    fn signed(r: Reader<'_>, version: Option<u16>) -> Option<Option<u16>> {
        let modes: &[bool] = match version {
            Some(v) if has_signature_algorithms(v) => &[true],
            Some(_) => &[false],
            None => &[true, false],
        };
        modes.iter().find_map(|&m| signature(r, m).ok())
    }
    /// ECParameters with curve_type named_curve (3), then ECPoint.
    fn ecdhe(r: &mut Reader<'_>) -> Result<u16> {
        if r.u8("curve_type")? != 3 {
            return Err(r.error("not a named_curve ECParameters"));
        }
        let curve = r.u16("named_curve")?;
        r.vec8("point")?;
        Ok(curve)
    }
    /// ServerDHParams; returns the length of dh_p.
    fn dhe(r: &mut Reader<'_>) -> Result<usize> {
        let p = r.vec16("dh_p")?.remaining();
        r.vec16("dh_g")?;
        r.vec16("dh_Ys")?;
        Ok(p)
    }

    let mut named_curve = None;
    let mut dh_prime_len = None;
    let mut signature_scheme = None;

    let mut r = Reader::new(body, MSG);
    let mut r2 = Reader::new(body, MSG);
    if let Some((curve, scheme)) = ecdhe(&mut r)
        .ok()
        .and_then(|c| signed(r, version).map(|s| (c, s)))
    {
        named_curve = Some(curve);
        signature_scheme = scheme;
    } else if let Some((p, scheme)) = dhe(&mut r2)
        .ok()
        .and_then(|p| signed(r2, version).map(|s| (p, s)))
    {
        dh_prime_len = Some(p);
        signature_scheme = scheme;
    }
    HandshakeMessage::ServerKeyExchange {
        len: body.len(),
        named_curve,
        dh_prime_len,
        signature_scheme,
    }
}

const NEW_SESSION_TICKET: &str = "new_session_ticket";

/// A short identity for a session ticket (or PSK identity), so that a
/// resumption can be matched to the NewSessionTicket that issued it
/// without keeping tickets: a fixed-key SipHash of the bytes.
pub fn ticket_id(ticket: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    ticket.hash(&mut h);
    h.finish()
}

/// RFC 5077: `uint32 ticket_lifetime_hint; opaque ticket<0..2^16-1>`.
fn parse_nst12(body: &[u8]) -> Result<NewSessionTicket> {
    let mut r = Reader::new(body, NEW_SESSION_TICKET);
    let lifetime_hint = r.u32("ticket_lifetime_hint")?;
    let ticket = r.vec16("ticket")?.rest();
    r.finish("ticket")?;
    Ok(NewSessionTicket::Tls12 {
        lifetime_hint,
        ticket_len: ticket.len(),
        ticket_id: ticket_id(ticket),
    })
}

/// RFC 8446 §4.6.1.
fn parse_nst13(body: &[u8]) -> Result<NewSessionTicket> {
    let mut r = Reader::new(body, NEW_SESSION_TICKET);
    let lifetime = r.u32("ticket_lifetime")?;
    let age_add = r.u32("ticket_age_add")?;
    let nonce = r.vec8("ticket_nonce")?.rest().to_vec();
    let ticket = r.vec16("ticket")?.rest();
    let (ticket_len, ticket_id) = (ticket.len(), ticket_id(ticket));
    let block_start = r.offset() + 2;
    let extensions = parse_extension_list(&mut r, "extensions")?;
    r.finish("extensions")?;
    let mut max_early_data_size = None;
    let offsets = ext_data_offsets(&extensions, block_start);
    for (e, &base) in extensions.iter().zip(&offsets) {
        if e.ext_type == ext::EARLY_DATA {
            max_early_data_size = Some(decode_ext(
                &e.data,
                base,
                NEW_SESSION_TICKET,
                e.ext_type,
                |r| r.u32("max_early_data_size"),
            )?);
        }
    }
    Ok(NewSessionTicket::Tls13 {
        lifetime,
        age_add,
        nonce,
        ticket_len,
        ticket_id,
        extensions,
        max_early_data_size,
    })
}

#[cfg(test)]
mod tests;
