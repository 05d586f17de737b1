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
    },
    /// RFC 8446 §4.6.1.
    Tls13 {
        lifetime: u32,
        age_add: u32,
        #[serde(serialize_with = "hex::bytes")]
        nonce: Vec<u8>,
        ticket_len: usize,
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
                        ids.vec16("identity")?;
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

/// RFC 5077: `uint32 ticket_lifetime_hint; opaque ticket<0..2^16-1>`.
fn parse_nst12(body: &[u8]) -> Result<NewSessionTicket> {
    let mut r = Reader::new(body, NEW_SESSION_TICKET);
    let lifetime_hint = r.u32("ticket_lifetime_hint")?;
    let ticket_len = r.vec16("ticket")?.remaining();
    r.finish("ticket")?;
    Ok(NewSessionTicket::Tls12 {
        lifetime_hint,
        ticket_len,
    })
}

/// RFC 8446 §4.6.1.
fn parse_nst13(body: &[u8]) -> Result<NewSessionTicket> {
    let mut r = Reader::new(body, NEW_SESSION_TICKET);
    let lifetime = r.u32("ticket_lifetime")?;
    let age_add = r.u32("ticket_age_add")?;
    let nonce = r.vec8("ticket_nonce")?.rest().to_vec();
    let ticket_len = r.vec16("ticket")?.remaining();
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
        extensions,
        max_early_data_size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TLS13: Option<u16> = Some(0x0304);
    const TLS12: Option<u16> = Some(0x0303);
    const TLS10: Option<u16> = Some(0x0301);

    /// DER subject of the test CA: `O=tlstrace test, CN=tlstrace Test CA`.
    const CA_SUBJECT: &str = "303331163014060355040a0c0d746c73747261636520746573743119301706035504030c10746c7374726163652054657374204341";

    fn unhex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
            .collect()
    }

    /// A whole handshake message from the test data (hex, header
    /// included): (type, body).
    fn msg(hex_text: &str) -> (u8, Vec<u8>) {
        let bytes = unhex(hex_text);
        let (t, len) = split_handshake_header(&bytes).expect("header");
        assert_eq!(len + 4, bytes.len(), "header length");
        (t, bytes[4..].to_vec())
    }

    fn parse(hex_text: &str, version: Option<u16>) -> HandshakeMessage {
        let (t, body) = msg(hex_text);
        parse_handshake(t, &body, version).unwrap_or_else(|e| panic!("{e}"))
    }

    macro_rules! data {
        ($name:literal) => {
            include_str!(concat!("../../tests/data/tls/", $name, ".hex"))
        };
    }

    /// All real messages with the version they were sent under.
    fn all_real() -> Vec<(&'static str, &'static str, Option<u16>)> {
        vec![
            ("tls13_client_hello", data!("tls13_client_hello"), None),
            ("tls13_server_hello", data!("tls13_server_hello"), None),
            (
                "tls13_hello_retry_request",
                data!("tls13_hello_retry_request"),
                None,
            ),
            (
                "tls13_encrypted_extensions",
                data!("tls13_encrypted_extensions"),
                TLS13,
            ),
            (
                "tls13_certificate_request",
                data!("tls13_certificate_request"),
                TLS13,
            ),
            (
                "tls13_certificate_client",
                data!("tls13_certificate_client"),
                TLS13,
            ),
            (
                "tls13_certificate_verify",
                data!("tls13_certificate_verify"),
                TLS13,
            ),
            ("tls13_finished", data!("tls13_finished"), TLS13),
            (
                "tls13_new_session_ticket",
                data!("tls13_new_session_ticket"),
                TLS13,
            ),
            ("tls12_client_hello", data!("tls12_client_hello"), None),
            ("tls12_server_hello", data!("tls12_server_hello"), None),
            (
                "tls12_server_key_exchange",
                data!("tls12_server_key_exchange"),
                TLS12,
            ),
            (
                "tls12_certificate_request",
                data!("tls12_certificate_request"),
                TLS12,
            ),
            (
                "tls12_certificate_server",
                data!("tls12_certificate_server"),
                TLS12,
            ),
            (
                "tls12_certificate_verify",
                data!("tls12_certificate_verify"),
                TLS12,
            ),
            (
                "tls12_client_key_exchange",
                data!("tls12_client_key_exchange"),
                TLS12,
            ),
            (
                "tls12_new_session_ticket",
                data!("tls12_new_session_ticket"),
                TLS12,
            ),
            ("tls10_client_hello", data!("tls10_client_hello"), None),
            ("tls10_server_hello", data!("tls10_server_hello"), None),
            (
                "tls10_certificate_request",
                data!("tls10_certificate_request"),
                TLS10,
            ),
            (
                "tls10_certificate_verify",
                data!("tls10_certificate_verify"),
                TLS10,
            ),
            ("grease_client_hello", data!("grease_client_hello"), None),
        ]
    }

    // ---- builders for crafted messages ----

    fn v8(b: &[u8]) -> Vec<u8> {
        let mut v = vec![b.len() as u8];
        v.extend_from_slice(b);
        v
    }
    fn v16(b: &[u8]) -> Vec<u8> {
        let mut v = (b.len() as u16).to_be_bytes().to_vec();
        v.extend_from_slice(b);
        v
    }
    fn v24(b: &[u8]) -> Vec<u8> {
        let mut v = (b.len() as u32).to_be_bytes()[1..].to_vec();
        v.extend_from_slice(b);
        v
    }
    fn ext_bytes(t: u16, data: &[u8]) -> Vec<u8> {
        let mut v = t.to_be_bytes().to_vec();
        v.extend(v16(data));
        v
    }
    fn u16s(list: &[u16]) -> Vec<u8> {
        list.iter().flat_map(|v| v.to_be_bytes()).collect()
    }
    /// ClientHello body with the given raw bytes after compression_methods.
    fn client_hello_with_tail(tail: &[u8]) -> Vec<u8> {
        let mut b = vec![0x03, 0x03];
        b.extend([7u8; 32]);
        b.extend(v8(&[]));
        b.extend(v16(&u16s(&[0x1301, 0xc02b])));
        b.extend(v8(&[0]));
        b.extend_from_slice(tail);
        b
    }
    fn client_hello(ch_body: &[u8]) -> ClientHello {
        match parse_handshake(1, ch_body, None).expect("client hello") {
            HandshakeMessage::ClientHello(ch) => ch,
            other => panic!("{other:?}"),
        }
    }

    // ---- header, alert, names ----

    #[test]
    fn handshake_header() {
        assert_eq!(split_handshake_header(&[]), None);
        assert_eq!(split_handshake_header(&[1, 0, 0]), None);
        assert_eq!(
            split_handshake_header(&[11, 0x01, 0x02, 0x03]),
            Some((11, 0x010203))
        );
        assert_eq!(split_handshake_header(&[13, 0, 0, 5, 9, 9]), Some((13, 5)));
    }

    #[test]
    fn handshake_type_names() {
        assert_eq!(HandshakeType::CLIENT_HELLO.name(), "client_hello");
        assert_eq!(HandshakeType(13).name(), "certificate_request");
        assert_eq!(
            HandshakeType::HELLO_RETRY_REQUEST.name(),
            "hello_retry_request"
        );
        assert_eq!(HandshakeType(25).name(), "compressed_certificate");
        assert_eq!(HandshakeType(254).name(), "message_hash");
        assert_eq!(HandshakeType(99).name(), "unknown_99");
        assert_eq!(handshake_type_name(15), "certificate_verify");
        assert_eq!(HandshakeType(20).to_string(), "finished");
    }

    #[test]
    fn protocol_form() {
        assert_eq!(ProtocolForm::from_version(0x0304), ProtocolForm::Tls13);
        assert_eq!(ProtocolForm::from_version(0x7f1c), ProtocolForm::Tls13);
        assert_eq!(ProtocolForm::from_version(0xfefc), ProtocolForm::Tls13);
        assert_eq!(ProtocolForm::from_version(0x0303), ProtocolForm::Tls12);
        assert_eq!(ProtocolForm::from_version(0x0300), ProtocolForm::Tls12);
        assert_eq!(ProtocolForm::from_version(0xfefd), ProtocolForm::Tls12);
    }

    #[test]
    fn alerts() {
        let a = parse_alert(&[2, 116]).expect("alert");
        assert_eq!(
            a,
            Alert {
                level: 2,
                description: 116
            }
        );
        assert!(a.is_fatal());
        assert_eq!(a.description_name(), "certificate_required");
        assert_eq!(a.to_string(), "fatal certificate_required (116)");
        assert!(a.meaning().contains("client certificate"));
        let w = parse_alert(&[1, 0]).expect("alert");
        assert!(!w.is_fatal());
        assert_eq!(w.level_name(), "warning");
        for bad in [&[][..], &[2], &[2, 40, 0], &[0u8; 26]] {
            let e = parse_alert(bad).expect_err("bad length");
            assert_eq!(e.message, "alert");
        }
        assert!(parse_alert(&[0u8; 26])
            .expect_err("encrypted")
            .to_string()
            .contains("26 bytes"));
        assert!(parse_alert(&[2])
            .expect_err("short")
            .to_string()
            .contains("truncated"));
    }

    // ---- real TLS 1.3 handshake (openssl 3.0 s_client/s_server, -Verify 1) ----

    #[test]
    fn real_tls13_client_hello() {
        let HandshakeMessage::ClientHello(ch) = parse(data!("tls13_client_hello"), None) else {
            panic!("not a ClientHello")
        };
        assert_eq!(ch.legacy_version, 0x0303);
        assert_eq!(ch.session_id.len(), 32);
        assert_eq!(ch.cipher_suites.len(), 31);
        assert_eq!(ch.cipher_suites[..3], [0x1302, 0x1303, 0x1301]);
        assert_eq!(ch.compression_methods, vec![0]);
        assert_eq!(ch.server_name.as_deref(), Some("server.test"));
        assert_eq!(ch.alpn, vec!["h2".to_string(), "http/1.1".to_string()]);
        assert_eq!(ch.supported_versions, vec![0x0304, 0x0303, 0x0302, 0x0301]);
        assert_eq!(ch.signature_algorithms.len(), 20);
        assert_eq!(ch.key_share_groups, vec![0x001d]);
        assert_eq!(ch.supported_groups[..2], [0x001d, 0x0017]);
        assert_eq!(ch.ec_point_formats, vec![0, 1, 2]);
        assert_eq!(ch.psk_key_exchange_modes, vec![1]);
        assert_eq!(ch.session_ticket, Some(vec![]));
        assert!(ch.extended_master_secret && ch.encrypt_then_mac);
        assert!(!ch.has_pre_shared_key && !ch.early_data && !ch.post_handshake_auth);
        assert_eq!(ch.malformed_extensions, None);
        assert_eq!(ch.max_offered_version(), 0x0304);
        let types: Vec<u16> = ch.extensions.iter().map(|e| e.ext_type).collect();
        assert_eq!(types, vec![0, 11, 10, 35, 16, 22, 23, 13, 43, 45, 51]);
    }

    #[test]
    fn real_tls13_server_hello_and_hrr() {
        let HandshakeMessage::ServerHello(sh) = parse(data!("tls13_server_hello"), None) else {
            panic!()
        };
        assert!(!sh.is_hello_retry_request);
        assert_eq!(sh.legacy_version, 0x0303);
        assert_eq!(sh.selected_version, Some(0x0304));
        assert_eq!(sh.negotiated_version(), 0x0304);
        assert_eq!(sh.cipher_suite, 0x1302);
        assert_eq!(sh.key_share_group, Some(0x001d));
        assert_eq!(sh.downgrade_sentinel(), None);
        assert_eq!(sh.malformed_extensions, None);

        let m = parse(data!("tls13_hello_retry_request"), None);
        assert_eq!(m.handshake_type(), HandshakeType::HELLO_RETRY_REQUEST);
        assert_eq!(m.name(), "hello_retry_request");
        let HandshakeMessage::ServerHello(hrr) = m else {
            panic!()
        };
        assert!(hrr.is_hello_retry_request);
        assert_eq!(hrr.random, HELLO_RETRY_REQUEST_RANDOM);
        assert_eq!(hrr.key_share_group, Some(0x0018)); // secp384r1 requested
        assert_eq!(hrr.selected_version, Some(0x0304));
        assert_eq!(hrr.malformed_extensions, None);
    }

    #[test]
    fn real_tls13_encrypted_extensions() {
        let HandshakeMessage::EncryptedExtensions(ee) =
            parse(data!("tls13_encrypted_extensions"), TLS13)
        else {
            panic!()
        };
        assert_eq!(ee.alpn.as_deref(), Some("h2"));
        assert_eq!(ee.extensions.len(), 1);
        assert!(!ee.server_name_ack && !ee.early_data);
        assert_eq!(ee.malformed_extensions, None);
        // Empty extension list.
        let m = parse_handshake(8, &[0, 0], TLS13).expect("empty EE");
        assert_eq!(
            m,
            HandshakeMessage::EncryptedExtensions(EncryptedExtensions::default())
        );
        // An ALPN extension that does not decode: noted, the rest kept.
        let mut body = ext_bytes(16, &[0, 9, 2]);
        body.extend(ext_bytes(0, &[]));
        let HandshakeMessage::EncryptedExtensions(ee) =
            parse_handshake(8, &v16(&body), TLS13).expect("EE")
        else {
            panic!()
        };
        assert!(ee.server_name_ack);
        assert_eq!(ee.alpn, None);
        assert!(ee
            .malformed_extensions
            .expect("note")
            .starts_with("application_layer_protocol_negotiation: "));
    }

    #[test]
    fn real_tls13_certificate_request() {
        for version in [TLS13, None] {
            let HandshakeMessage::CertificateRequest(cr) =
                parse(data!("tls13_certificate_request"), version)
            else {
                panic!()
            };
            assert_eq!(cr.form(), ProtocolForm::Tls13);
            let CertificateRequest::Tls13(ref c) = cr else {
                panic!()
            };
            assert!(c.request_context.is_empty());
            assert_eq!(c.signature_algorithms.len(), 16);
            assert_eq!(c.signature_algorithms[0], 0x0403);
            assert!(c.signature_algorithms_cert.is_empty());
            assert_eq!(cr.signature_algorithms().len(), 16);
            assert_eq!(cr.certificate_authorities(), &[unhex(CA_SUBJECT)][..]);
            assert_eq!(cr.ca_list_len(), 2 + unhex(CA_SUBJECT).len());
            let types: Vec<u16> = c.extensions.iter().map(|e| e.ext_type).collect();
            assert_eq!(types, vec![13, 47]);
        }
    }

    #[test]
    fn real_tls13_client_certificate() {
        for version in [TLS13, None] {
            let HandshakeMessage::Certificate(cert) =
                parse(data!("tls13_certificate_client"), version)
            else {
                panic!()
            };
            assert_eq!(cert.form(), ProtocolForm::Tls13);
            assert_eq!(cert.request_context, Some(vec![]));
            assert_eq!(cert.entries.len(), 2);
            for e in &cert.entries {
                assert!(e.extensions.is_empty());
                let (rest, _) = x509_parser::parse_x509_certificate(&e.der).expect("DER");
                assert!(rest.is_empty());
            }
            let (_, leaf) =
                x509_parser::parse_x509_certificate(cert.leaf().expect("leaf")).expect("DER");
            assert_eq!(leaf.subject().to_string(), "CN=client.test");
            assert_eq!(leaf.issuer().as_raw(), &unhex(CA_SUBJECT)[..]);
        }
    }

    #[test]
    fn real_tls13_verify_finished_ticket() {
        let HandshakeMessage::CertificateVerify(cv) =
            parse(data!("tls13_certificate_verify"), TLS13)
        else {
            panic!()
        };
        assert_eq!(cv.scheme, Some(0x0403));
        assert_eq!(cv.signature.first(), Some(&0x30));
        let HandshakeMessage::Finished { verify_data } = parse(data!("tls13_finished"), TLS13)
        else {
            panic!()
        };
        assert_eq!(verify_data.len(), 48); // SHA-384 suite
        let HandshakeMessage::NewSessionTicket(nst) =
            parse(data!("tls13_new_session_ticket"), TLS13)
        else {
            panic!()
        };
        let NewSessionTicket::Tls13 {
            lifetime,
            ref nonce,
            ticket_len,
            ref extensions,
            max_early_data_size,
            ..
        } = nst
        else {
            panic!("{nst:?}")
        };
        assert_eq!(lifetime, 7200);
        assert_eq!(nonce, &vec![0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(ticket_len, 0xd0);
        assert!(extensions.is_empty());
        assert_eq!(max_early_data_size, None);
        // Unknown version: tried as TLS 1.2 first, which does not fit.
        assert_eq!(
            parse(data!("tls13_new_session_ticket"), None),
            HandshakeMessage::NewSessionTicket(nst)
        );
        // early_data extension in a ticket.
        let mut body = vec![0, 0, 0, 60, 1, 2, 3, 4];
        body.extend(v8(&[9]));
        body.extend(v16(&[1, 2, 3]));
        body.extend(v16(&ext_bytes(42, &[0, 0, 0x40, 0])));
        let HandshakeMessage::NewSessionTicket(NewSessionTicket::Tls13 {
            max_early_data_size,
            ..
        }) = parse_handshake(4, &body, TLS13).expect("nst")
        else {
            panic!()
        };
        assert_eq!(max_early_data_size, Some(0x4000));
    }

    // ---- real TLS 1.2 and 1.0 handshakes ----

    #[test]
    fn real_tls12_messages() {
        let HandshakeMessage::ClientHello(ch) = parse(data!("tls12_client_hello"), None) else {
            panic!()
        };
        assert_eq!(ch.legacy_version, 0x0303);
        assert!(ch.supported_versions.is_empty());
        assert_eq!(ch.max_offered_version(), 0x0303);
        assert_eq!(ch.cipher_suites.len(), 28);
        assert_eq!(ch.signature_algorithms.len(), 20);
        assert_eq!(ch.server_name.as_deref(), Some("server.test"));

        let HandshakeMessage::ServerHello(sh) = parse(data!("tls12_server_hello"), None) else {
            panic!()
        };
        assert_eq!(sh.negotiated_version(), 0x0303);
        assert_eq!(sh.cipher_suite, 0xc02c);
        assert_eq!(sh.alpn.as_deref(), Some("h2"));
        assert!(sh.extended_master_secret && sh.session_ticket);
        assert_eq!(sh.renegotiation_info, Some(vec![]));
        // OpenSSL 3 can do TLS 1.3, so it marks a TLS 1.2 ServerHello.
        assert_eq!(sh.downgrade_sentinel(), Some("TLS 1.2"));

        let HandshakeMessage::ServerKeyExchange {
            len,
            named_curve,
            dh_prime_len,
            signature_scheme,
        } = parse(data!("tls12_server_key_exchange"), TLS12)
        else {
            panic!()
        };
        assert_eq!(len, 110);
        assert_eq!(named_curve, Some(0x001d));
        assert_eq!(dh_prime_len, None);
        assert_eq!(signature_scheme, Some(0x0403));

        let HandshakeMessage::CertificateRequest(cr) =
            parse(data!("tls12_certificate_request"), TLS12)
        else {
            panic!()
        };
        let CertificateRequest::Tls12(ref c) = cr else {
            panic!()
        };
        assert_eq!(c.certificate_types, vec![1, 2, 64]);
        assert_eq!(
            c.supported_signature_algorithms.as_ref().map(Vec::len),
            Some(20)
        );
        assert_eq!(cr.certificate_authorities(), &[unhex(CA_SUBJECT)][..]);
        assert_eq!(cr.ca_list_len(), 55);
        assert_eq!(
            parse(data!("tls12_certificate_request"), None),
            HandshakeMessage::CertificateRequest(cr)
        );

        let HandshakeMessage::Certificate(cert) = parse(data!("tls12_certificate_server"), TLS12)
        else {
            panic!()
        };
        assert_eq!(cert.request_context, None);
        assert_eq!(cert.entries.len(), 2);
        let (_, leaf) =
            x509_parser::parse_x509_certificate(cert.leaf().expect("leaf")).expect("DER");
        assert_eq!(leaf.subject().to_string(), "CN=server.test");

        let HandshakeMessage::CertificateVerify(cv) =
            parse(data!("tls12_certificate_verify"), TLS12)
        else {
            panic!()
        };
        assert_eq!(cv.scheme, Some(0x0403));
        assert_eq!(
            parse(data!("tls12_client_key_exchange"), TLS12),
            HandshakeMessage::ClientKeyExchange { len: 33 }
        );
        assert_eq!(
            parse(data!("tls12_new_session_ticket"), TLS12),
            HandshakeMessage::NewSessionTicket(NewSessionTicket::Tls12 {
                lifetime_hint: 7200,
                ticket_len: 176
            })
        );
    }

    #[test]
    fn real_tls10_messages() {
        let HandshakeMessage::ServerHello(sh) = parse(data!("tls10_server_hello"), None) else {
            panic!()
        };
        assert_eq!(sh.negotiated_version(), 0x0301);
        assert_eq!(sh.downgrade_sentinel(), Some("TLS 1.1 or below"));
        assert!(sh.encrypt_then_mac && sh.extended_master_secret);

        // No supported_signature_algorithms field before TLS 1.2; with the
        // version unknown the layouts are tried in turn.
        for version in [TLS10, Some(0x0302), None] {
            let HandshakeMessage::CertificateRequest(cr) =
                parse(data!("tls10_certificate_request"), version)
            else {
                panic!()
            };
            let CertificateRequest::Tls12(ref c) = cr else {
                panic!()
            };
            assert_eq!(c.certificate_types, vec![1, 2, 64]);
            assert_eq!(c.supported_signature_algorithms, None);
            assert!(cr.signature_algorithms().is_empty());
            assert_eq!(cr.certificate_authorities(), &[unhex(CA_SUBJECT)][..]);
        }
        // Read as TLS 1.2 it does not fit.
        let (t, body) = msg(data!("tls10_certificate_request"));
        assert!(parse_handshake(t, &body, TLS12).is_err());

        for version in [TLS10, None] {
            let HandshakeMessage::CertificateVerify(cv) =
                parse(data!("tls10_certificate_verify"), version)
            else {
                panic!()
            };
            assert_eq!(cv.scheme, None);
            assert_eq!(cv.signature.len(), 71);
        }
    }

    /// tls-parser is right about these; both parsers must agree.
    #[test]
    fn agrees_with_tls_parser() {
        use tls_parser::{
            parse_tls_client_hello_extensions, parse_tls_handshake_client_hello,
            parse_tls_handshake_server_hello, parse_tls_server_hello_extensions,
        };
        for hex_text in [
            data!("tls13_client_hello"),
            data!("tls12_client_hello"),
            data!("tls10_client_hello"),
            data!("grease_client_hello"),
        ] {
            let (_, body) = msg(hex_text);
            let ch = client_hello(&body);
            let (rest, theirs) = parse_tls_handshake_client_hello(&body).expect("tls-parser");
            assert!(rest.is_empty());
            assert_eq!(ch.legacy_version, theirs.version.0);
            assert_eq!(&ch.random[..], theirs.random);
            assert_eq!(ch.session_id, theirs.session_id.unwrap_or(&[]));
            let ciphers: Vec<u16> = theirs.ciphers.iter().map(|c| c.0).collect();
            assert_eq!(ch.cipher_suites, ciphers);
            let (rest, exts) =
                parse_tls_client_hello_extensions(theirs.ext.unwrap_or(&[])).expect("exts");
            assert!(rest.is_empty());
            assert_eq!(ch.extensions.len(), exts.len());
        }
        for hex_text in [
            data!("tls13_server_hello"),
            data!("tls12_server_hello"),
            data!("tls10_server_hello"),
            data!("tls13_hello_retry_request"),
        ] {
            let (_, body) = msg(hex_text);
            let HandshakeMessage::ServerHello(sh) = parse_handshake(2, &body, None).expect("sh")
            else {
                panic!()
            };
            let (rest, theirs) = parse_tls_handshake_server_hello(&body).expect("tls-parser");
            assert!(rest.is_empty());
            assert_eq!(sh.legacy_version, theirs.version.0);
            assert_eq!(sh.cipher_suite, theirs.cipher.0);
            let (rest, exts) =
                parse_tls_server_hello_extensions(theirs.ext.unwrap_or(&[])).expect("exts");
            assert!(rest.is_empty());
            assert_eq!(sh.extensions.len(), exts.len());
        }
        // TLS 1.2 Certificate and CertificateRequest.
        let framed = unhex(data!("tls12_certificate_server"));
        let HandshakeMessage::Certificate(cert) =
            parse_handshake(11, &framed[4..], TLS12).expect("cert")
        else {
            panic!()
        };
        let (_, m) = tls_parser::parse_tls_message_handshake(&framed).expect("tls-parser cert");
        let tls_parser::TlsMessage::Handshake(tls_parser::TlsMessageHandshake::Certificate(c)) = m
        else {
            panic!()
        };
        let theirs: Vec<&[u8]> = c.cert_chain.iter().map(|r| r.data).collect();
        let ours: Vec<&[u8]> = cert.entries.iter().map(|e| e.der.as_slice()).collect();
        assert_eq!(ours, theirs);
        let framed = unhex(data!("tls12_certificate_request"));
        let (_, m) = tls_parser::parse_tls_message_handshake(&framed).expect("tls-parser cr");
        let tls_parser::TlsMessage::Handshake(tls_parser::TlsMessageHandshake::CertificateRequest(
            c,
        )) = m
        else {
            panic!()
        };
        let HandshakeMessage::CertificateRequest(CertificateRequest::Tls12(cr)) =
            parse_handshake(13, &framed[4..], TLS12).expect("cr")
        else {
            panic!()
        };
        assert_eq!(cr.certificate_types, c.cert_types);
        assert_eq!(cr.supported_signature_algorithms, c.sig_hash_algs);
        let ours: Vec<&[u8]> = cr
            .certificate_authorities
            .iter()
            .map(Vec::as_slice)
            .collect();
        assert_eq!(ours, c.unparsed_ca);
    }

    // ---- crafted edge cases ----

    #[test]
    fn empty_certificate_lists() {
        // TLS 1.2: certificate_list<0..2^24-1> of length 0.
        let m = parse_handshake(11, &[0, 0, 0], TLS12).expect("empty 1.2");
        assert_eq!(
            m,
            HandshakeMessage::Certificate(Certificate {
                request_context: None,
                entries: vec![]
            })
        );
        assert_eq!(parse_handshake(11, &[0, 0, 0], None), Ok(m));
        // TLS 1.3: empty context, empty list (openssl's client with no cert).
        let tls13_empty = "0b00000400000000";
        for version in [TLS13, None] {
            let HandshakeMessage::Certificate(c) = parse(tls13_empty, version) else {
                panic!()
            };
            assert!(c.is_empty());
            assert_eq!(c.leaf(), None);
            assert_eq!(c.request_context, Some(vec![]));
        }
        // Post-handshake auth: non-empty context, no certificate.
        let HandshakeMessage::Certificate(c) =
            parse_handshake(11, &[2, 0xaa, 0xbb, 0, 0, 0], TLS13).expect("ph")
        else {
            panic!()
        };
        assert_eq!(c.request_context, Some(vec![0xaa, 0xbb]));
        assert!(c.is_empty());
    }

    #[test]
    fn certificate_entry_errors_name_the_entry() {
        // TLS 1.2 list of 2 entries; the second claims 4000 bytes.
        let mut list = v24(&[0x30, 0x00]);
        list.extend([0x00, 0x0f, 0xa0]);
        list.extend([0u8; 120]);
        let body = v24(&list);
        let e = parse_handshake(11, &body, TLS12).expect_err("overlong entry");
        assert_eq!(e.message, "certificate");
        assert_eq!(
            e.detail,
            "entry 2: cert_data length 4000 exceeds remaining 120 bytes"
        );
        assert_eq!(e.offset, 3 + 5 + 3);
        assert_eq!(
            e.to_string(),
            "certificate: entry 2: cert_data length 4000 exceeds remaining 120 bytes (at byte 11 of the body)"
        );
        // TLS 1.3 entry with a broken extensions block.
        let mut entry = v24(&[0x30, 0x00]);
        entry.extend([0x00, 0x09, 0x00]);
        let mut body = v8(&[]);
        body.extend(v24(&entry));
        let e = parse_handshake(11, &body, TLS13).expect_err("bad extensions");
        assert!(e.detail.starts_with("entry 1: extensions"), "{e}");
        // Trailing garbage after the list.
        let e = parse_handshake(11, &[0, 0, 0, 1], TLS12).expect_err("trailing");
        assert!(e.detail.contains("1 unexpected bytes"), "{e}");
    }

    #[test]
    fn tls13_certificate_entry_extensions() {
        // One entry with an OCSP status_request extension.
        let mut entry = v24(&[0x30, 0x03, 0x02, 0x01, 0x01]);
        let exts = ext_bytes(5, &[1, 0, 0, 2, 0xde, 0xad]);
        entry.extend(v16(&exts));
        let mut body = v8(&[]);
        body.extend(v24(&entry));
        let HandshakeMessage::Certificate(c) = parse_handshake(11, &body, TLS13).expect("cert")
        else {
            panic!()
        };
        assert_eq!(c.entries.len(), 1);
        assert_eq!(c.entries[0].der, vec![0x30, 0x03, 0x02, 0x01, 0x01]);
        assert_eq!(
            c.entries[0].extensions,
            vec![Extension {
                ext_type: 5,
                data: vec![1, 0, 0, 2, 0xde, 0xad]
            }]
        );
        assert_eq!(c.entries[0].extensions[0].name(), "status_request");
    }

    fn cr13_body(exts: &[Vec<u8>]) -> Vec<u8> {
        let mut body = v8(&[]);
        body.extend(v16(&exts.concat()));
        body
    }

    #[test]
    fn tls13_certificate_request_with_sigalgs_cas_and_sigalgs_cert() {
        let dn1 = unhex(CA_SUBJECT);
        let dn2 = unhex("3011310f300d06035504030c064f7468657243");
        let mut dns = v16(&dn1);
        dns.extend(v16(&dn2));
        let oid = [0x55, 0x1d, 0x25];
        let eku = [
            0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02,
        ];
        let mut filter = v8(&oid);
        filter.extend(v16(&eku));
        let body = cr13_body(&[
            ext_bytes(13, &v16(&u16s(&[0x0804, 0x0403, 0x0807]))),
            ext_bytes(47, &v16(&dns)),
            ext_bytes(50, &v16(&u16s(&[0x0401, 0x0201]))),
            ext_bytes(48, &v16(&filter)),
        ]);
        let HandshakeMessage::CertificateRequest(cr) =
            parse_handshake(13, &body, TLS13).expect("cr")
        else {
            panic!()
        };
        let CertificateRequest::Tls13(ref c) = cr else {
            panic!()
        };
        assert_eq!(c.signature_algorithms, vec![0x0804, 0x0403, 0x0807]);
        assert_eq!(c.signature_algorithms_cert, vec![0x0401, 0x0201]);
        assert_eq!(c.certificate_authorities, vec![dn1.clone(), dn2.clone()]);
        assert_eq!(c.ca_list_len, dns.len());
        assert_eq!(c.oid_filters, vec![(oid.to_vec(), eku.to_vec())]);
        assert_eq!(c.extensions.len(), 4);
        assert_eq!(cr.signature_algorithms(), &[0x0804, 0x0403, 0x0807]);
        assert_eq!(cr.certificate_authorities().len(), 2);
        // Same bytes, version unknown.
        assert_eq!(
            parse_handshake(13, &body, None),
            Ok(HandshakeMessage::CertificateRequest(cr))
        );
    }

    #[test]
    fn tls13_certificate_request_errors() {
        // DN claims more than the list holds.
        let body = cr13_body(&[
            ext_bytes(13, &v16(&u16s(&[0x0403]))),
            ext_bytes(47, &v16(&[0x00, 0x40, 0x30, 0x00])),
        ]);
        let e = parse_handshake(13, &body, TLS13).expect_err("bad DN");
        assert_eq!(e.message, "certificate_request");
        assert!(
            e.detail.starts_with(
                "certificate_authorities: authorities: name 1: distinguished_name length 64"
            ),
            "{e}"
        );
        // Odd-length signature algorithms.
        let body = cr13_body(&[ext_bytes(13, &v16(&[4, 3, 8]))]);
        let e = parse_handshake(13, &body, TLS13).expect_err("odd");
        assert!(e.detail.contains("odd length 3"), "{e}");
        // Trailing byte inside an extension.
        let mut sig = v16(&u16s(&[0x0403]));
        sig.push(0);
        let e =
            parse_handshake(13, &cr13_body(&[ext_bytes(13, &sig)]), TLS13).expect_err("trailing");
        assert!(
            e.detail
                .starts_with("signature_algorithms: 1 unexpected bytes"),
            "{e}"
        );
    }

    #[test]
    fn empty_ca_lists() {
        // TLS 1.2: types, sigalgs, empty CA list.
        let mut body = v8(&[1, 64]);
        body.extend(v16(&u16s(&[0x0403])));
        body.extend(v16(&[]));
        let HandshakeMessage::CertificateRequest(cr) =
            parse_handshake(13, &body, TLS12).expect("cr")
        else {
            panic!()
        };
        assert!(cr.certificate_authorities().is_empty());
        assert_eq!(cr.ca_list_len(), 0);
        assert_eq!(cr.signature_algorithms(), &[0x0403]);
        // TLS 1.3 without extension 47, and with an empty one.
        for exts in [
            vec![ext_bytes(13, &v16(&u16s(&[0x0403])))],
            vec![
                ext_bytes(13, &v16(&u16s(&[0x0403]))),
                ext_bytes(47, &v16(&[])),
            ],
        ] {
            let HandshakeMessage::CertificateRequest(cr) =
                parse_handshake(13, &cr13_body(&exts), TLS13).expect("cr")
            else {
                panic!()
            };
            assert!(cr.certificate_authorities().is_empty());
            assert_eq!(cr.ca_list_len(), 0);
        }
    }

    #[test]
    fn client_hello_without_extensions() {
        let ch = client_hello(&client_hello_with_tail(&[]));
        assert!(ch.extensions.is_empty());
        assert_eq!(ch.malformed_extensions, None);
        assert_eq!(ch.cipher_suites, vec![0x1301, 0xc02b]);
        // An extension block of length 0, and zero-length extension data.
        let ch = client_hello(&client_hello_with_tail(&[0, 0]));
        assert!(ch.extensions.is_empty());
        assert_eq!(ch.malformed_extensions, None);
        let ch = client_hello(&client_hello_with_tail(&v16(&[
            ext_bytes(23, &[]),
            ext_bytes(49, &[]),
        ]
        .concat())));
        assert!(ch.extended_master_secret && ch.post_handshake_auth);
        assert_eq!(ch.extensions.len(), 2);
        assert_eq!(ch.malformed_extensions, None);
    }

    #[test]
    fn client_hello_decodes_tls13_extensions() {
        let dn = unhex(CA_SUBJECT);
        let mut psk = v16(&[
            v16(b"ticket-1"),
            vec![0, 0, 0, 1],
            v16(b"ticket-2"),
            vec![0, 0, 0, 2],
        ]
        .concat());
        psk.extend(v16(&v8(&[0u8; 32])));
        let exts = [
            ext_bytes(0, &v16(&[vec![0], v16(b"a.example")].concat())),
            ext_bytes(47, &v16(&v16(&dn))),
            ext_bytes(50, &v16(&u16s(&[0x0401]))),
            ext_bytes(0xff01, &v8(&[])),
            ext_bytes(42, &[]),
            ext_bytes(5, &[1, 0, 0, 0, 0]),
            ext_bytes(41, &psk), // pre_shared_key comes last
        ]
        .concat();
        let ch = client_hello(&client_hello_with_tail(&v16(&exts)));
        assert_eq!(ch.malformed_extensions, None);
        assert_eq!(ch.server_name.as_deref(), Some("a.example"));
        assert_eq!(ch.certificate_authorities, vec![dn]);
        assert_eq!(ch.signature_algorithms_cert, vec![0x0401]);
        assert_eq!(ch.renegotiation_info, Some(vec![]));
        assert!(ch.early_data && ch.status_request && ch.has_pre_shared_key);
        assert_eq!(ch.psk_identities, 2);
        assert_eq!(ch.session_ticket, None);
    }

    #[test]
    fn grease_client_hello() {
        let (_, body) = msg(data!("grease_client_hello"));
        let ch = client_hello(&body);
        assert_eq!(ch.malformed_extensions, None);
        assert_eq!(ch.cipher_suites[0], 0x0a0a);
        assert_eq!(ch.extensions.first().map(|e| e.ext_type), Some(0x1a1a));
        assert_eq!(ch.supported_versions, vec![0x4a4a, 0x0304, 0x0303]);
        assert_eq!(ch.max_offered_version(), 0x0304);
        assert_eq!(ch.key_share_groups, vec![0x5a5a, 0x001d]);
        assert_eq!(ch.supported_groups, vec![0x5a5a, 0x001d, 0x0017, 0x0018]);
        assert_eq!(ch.server_name.as_deref(), Some("example.com"));
        assert_eq!(ch.alpn, vec!["h2", "http/1.1"]);
        assert!(ch.status_request);
        assert_eq!(ch.extensions.len(), 18);
    }

    #[test]
    fn malformed_extension_block_returns_partial_hello() {
        let good = [
            ext_bytes(0, &v16(&[vec![0], v16(b"x.test")].concat())),
            ext_bytes(23, &[]),
        ]
        .concat();

        // Last extension truncated: claims 10 bytes, has 2.
        let mut exts = good.clone();
        exts.extend([0x00, 0x0d, 0x00, 0x0a, 0x04, 0x03]);
        let ch = client_hello(&client_hello_with_tail(&v16(&exts)));
        assert_eq!(ch.server_name.as_deref(), Some("x.test"));
        assert!(ch.extended_master_secret);
        assert_eq!(ch.extensions.len(), 2);
        let note = ch.malformed_extensions.expect("note");
        assert!(
            note.starts_with(
                "extension 3 (signature_algorithms): extension_data length 10 exceeds remaining 2"
            ),
            "{note}"
        );

        // Block length larger than what follows.
        let mut tail = ((good.len() + 50) as u16).to_be_bytes().to_vec();
        tail.extend(&good);
        let ch = client_hello(&client_hello_with_tail(&tail));
        assert_eq!(ch.extensions.len(), 2);
        assert!(ch
            .malformed_extensions
            .expect("note")
            .contains("exceeds remaining"));

        // Trailing bytes after the block, a stray single byte, a duplicate.
        let mut tail = v16(&good);
        tail.extend([1, 2, 3]);
        let ch = client_hello(&client_hello_with_tail(&tail));
        assert!(ch
            .malformed_extensions
            .expect("note")
            .contains("3 trailing bytes"));
        let ch = client_hello(&client_hello_with_tail(&[7]));
        assert!(ch.malformed_extensions.is_some());
        let ch = client_hello(&client_hello_with_tail(&v16(&[
            good.clone(),
            ext_bytes(23, &[]),
        ]
        .concat())));
        assert!(ch
            .malformed_extensions
            .expect("note")
            .contains("duplicate extension extended_master_secret"));

        // An extension whose contents do not decode: kept raw, noted.
        let bad_sni = ext_bytes(0, &[0x00, 0x05, 0x00, 0x00, 0x09]);
        let ch = client_hello(&client_hello_with_tail(&v16(&[
            bad_sni,
            ext_bytes(22, &[]),
        ]
        .concat())));
        assert_eq!(ch.server_name, None);
        assert!(ch.encrypt_then_mac);
        assert_eq!(ch.extensions.len(), 2);
        let note = ch.malformed_extensions.expect("note");
        assert!(note.starts_with("server_name: "), "{note}");
        // Non-empty data in an extension that must be empty.
        let ch = client_hello(&client_hello_with_tail(&v16(&ext_bytes(23, &[1]))));
        assert!(ch.extended_master_secret);
        assert!(ch
            .malformed_extensions
            .expect("note")
            .starts_with("extended_master_secret: 1 unexpected bytes"));
    }

    #[test]
    fn truncated_fixed_fields_are_errors() {
        let body = client_hello_with_tail(&[]);
        let e = parse_handshake(1, &body[..20], None).expect_err("short");
        assert_eq!(e.message, "client_hello");
        assert!(e.detail.starts_with("random: needs 32 bytes"), "{e}");
        let e = parse_handshake(2, &[3, 3], None).expect_err("short");
        assert_eq!(e.message, "server_hello");
    }

    #[test]
    fn server_hello_without_extensions() {
        // SSL 3.0 style: no extension block at all.
        let mut body = vec![0x03, 0x00];
        body.extend([9u8; 32]);
        body.extend(v8(&[1; 32]));
        body.extend([0x00, 0x2f, 0x00]);
        let HandshakeMessage::ServerHello(sh) = parse_handshake(2, &body, None).expect("sh") else {
            panic!()
        };
        assert_eq!(sh.negotiated_version(), 0x0300);
        assert_eq!(sh.cipher_suite, 0x002f);
        assert!(sh.extensions.is_empty() && sh.malformed_extensions.is_none());
        assert!(!sh.is_hello_retry_request);
    }

    #[test]
    fn tls13_draft_server_hello() {
        // draft-18: version 0x7f12, random, cipher_suite, extensions (key_share).
        let mut body = vec![0x7f, 0x12];
        body.extend([3u8; 32]);
        body.extend([0x13, 0x01]);
        let key_share = [vec![0x00, 0x1d], v16(&[9; 32])].concat();
        body.extend(v16(&ext_bytes(40, &key_share)));
        let HandshakeMessage::ServerHello(sh) = parse_handshake(2, &body, None).expect("draft sh")
        else {
            panic!()
        };
        assert_eq!(sh.negotiated_version(), 0x7f12);
        assert_eq!(
            ProtocolForm::from_version(sh.negotiated_version()),
            ProtocolForm::Tls13
        );
        assert_eq!(sh.cipher_suite, 0x1301);
        assert!(sh.session_id.is_empty());
        assert_eq!(sh.extensions.len(), 1);
        assert_eq!(sh.malformed_extensions, None);
        // draft-23 and later use the final layout.
        let mut body = vec![0x03, 0x03];
        body.extend([3u8; 32]);
        body.extend(v8(&[]));
        body.extend([0x13, 0x01, 0x00]);
        body.extend(v16(&ext_bytes(43, &[0x7f, 0x17])));
        let HandshakeMessage::ServerHello(sh) = parse_handshake(2, &body, None).expect("sh") else {
            panic!()
        };
        assert_eq!(sh.negotiated_version(), 0x7f17);
    }

    #[test]
    fn small_messages() {
        assert_eq!(
            parse_handshake(0, &[], None),
            Ok(HandshakeMessage::HelloRequest)
        );
        assert_eq!(
            parse_handshake(14, &[], TLS12),
            Ok(HandshakeMessage::ServerHelloDone)
        );
        assert_eq!(
            parse_handshake(5, &[], TLS13),
            Ok(HandshakeMessage::EndOfEarlyData)
        );
        let e = parse_handshake(14, &[0], TLS12).expect_err("non-empty");
        assert_eq!(
            e.to_string(),
            "server_hello_done: expected an empty body, got 1 bytes (at byte 0 of the body)"
        );
        assert_eq!(
            parse_handshake(24, &[1], TLS13),
            Ok(HandshakeMessage::KeyUpdate {
                update_requested: true
            })
        );
        assert_eq!(
            parse_handshake(24, &[0], TLS13),
            Ok(HandshakeMessage::KeyUpdate {
                update_requested: false
            })
        );
        assert!(parse_handshake(24, &[2], TLS13).is_err());
        assert!(parse_handshake(24, &[0, 0], TLS13).is_err());
        assert_eq!(
            parse_handshake(254, &[1; 32], TLS13),
            Ok(HandshakeMessage::MessageHash)
        );
        assert_eq!(
            parse_handshake(25, &[0; 9], TLS13),
            Ok(HandshakeMessage::Other {
                msg_type: 25,
                len: 9
            })
        );
        assert_eq!(
            parse_handshake(200, &[], None),
            Ok(HandshakeMessage::Other {
                msg_type: 200,
                len: 0
            })
        );
        let mut status = vec![1];
        status.extend(v24(&[0x30, 0x00]));
        assert_eq!(
            parse_handshake(22, &status, TLS12),
            Ok(HandshakeMessage::CertificateStatus {
                status_type: 1,
                response: vec![0x30, 0x00]
            })
        );
        // Unrecognised ServerKeyExchange layouts: only the length.
        assert_eq!(
            parse_handshake(12, &[0, 3, 1, 2, 3], TLS12),
            Ok(HandshakeMessage::ServerKeyExchange {
                len: 5,
                named_curve: None,
                dh_prime_len: None,
                signature_scheme: None
            })
        );
    }

    #[test]
    fn dhe_server_key_exchange() {
        let mut body = [v16(&[0xff; 256]), v16(&[2]), v16(&[5; 256])].concat();
        let mut tls10 = body.clone();
        body.extend(0x0401u16.to_be_bytes());
        body.extend(v16(&[1; 256]));
        tls10.extend(v16(&[1; 256]));
        for (b, v, scheme) in [
            (&body, TLS12, Some(0x0401)),
            (&tls10, TLS10, None),
            (&tls10, None, None),
        ] {
            let HandshakeMessage::ServerKeyExchange {
                named_curve,
                dh_prime_len,
                signature_scheme,
                ..
            } = parse_handshake(12, b, v).expect("ske")
            else {
                panic!()
            };
            assert_eq!(
                (named_curve, dh_prime_len, signature_scheme),
                (None, Some(256), scheme)
            );
        }
    }

    #[test]
    fn serializes_to_json_with_hex_bytes() {
        let m = parse(data!("tls13_certificate_request"), TLS13);
        let j = serde_json::to_value(&m).expect("json");
        let cas = &j["CertificateRequest"]["Tls13"]["certificate_authorities"];
        assert_eq!(cas[0], serde_json::Value::String(CA_SUBJECT.to_string()));
        let m = parse(data!("tls13_client_hello"), None);
        let j = serde_json::to_value(&m).expect("json");
        assert_eq!(j["ClientHello"]["server_name"], "server.test");
        assert!(j["ClientHello"]["random"].is_string());
        let e = parse_handshake(24, &[7], TLS13).expect_err("bad");
        assert!(serde_json::to_string(&e)
            .expect("json")
            .contains("request_update"));
    }

    /// Every proper prefix of every real message: Ok or Err, never a panic;
    /// the fixed-layout messages must reject every prefix and a trailing
    /// byte.
    #[test]
    fn truncated_at_every_length() {
        for (name, hex_text, version) in all_real() {
            let (t, body) = msg(hex_text);
            let strict = matches!(t, 4 | 8 | 11 | 13 | 15);
            for cut in 0..body.len() {
                for v in [version, None, TLS12, TLS13, TLS10] {
                    let r = parse_handshake(t, &body[..cut], v);
                    if v == version && strict {
                        assert!(r.is_err(), "{name} cut at {cut} parsed: {r:?}");
                    }
                }
            }
            let mut longer = body.clone();
            longer.push(0);
            let r = parse_handshake(t, &longer, version);
            if strict {
                assert!(r.is_err(), "{name} with a trailing byte parsed: {r:?}");
            }
        }
    }

    /// ClientHello prefixes that keep the fixed fields still parse, with a
    /// note.
    #[test]
    fn truncated_client_hello_keeps_what_parsed() {
        let (_, body) = msg(data!("tls13_client_hello"));
        let fixed = 2 + 32 + 1 + 32 + 2 + 62 + 1 + 1;
        for cut in fixed + 1..body.len() {
            let ch = client_hello(&body[..cut]);
            assert!(ch.malformed_extensions.is_some(), "cut {cut}");
            assert_eq!(ch.cipher_suites.len(), 31);
        }
    }

    fn version_strategy() -> impl Strategy<Value = Option<u16>> {
        prop_oneof![
            Just(None),
            Just(Some(0x0300)),
            Just(Some(0x0301)),
            Just(Some(0x0302)),
            Just(Some(0x0303)),
            Just(Some(0x0304)),
            Just(Some(0x7f1c)),
            Just(Some(0xfefd)),
            any::<u16>().prop_map(Some),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn never_panics_on_arbitrary_bytes(
            msg_type in prop_oneof![0u8..=26, Just(254u8), any::<u8>()],
            body in proptest::collection::vec(any::<u8>(), 0..600),
            version in version_strategy(),
        ) {
            let _ = parse_handshake(msg_type, &body, version);
            let _ = parse_alert(&body);
            let _ = split_handshake_header(&body);
        }

        /// Mutations of real messages reach deeper than random bytes.
        #[test]
        fn never_panics_on_mutated_real_messages(
            which in any::<prop::sample::Index>(),
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
            cut in any::<prop::sample::Index>(),
            version in version_strategy(),
        ) {
            let all = all_real();
            let (_, hex_text, _) = all[which.index(all.len())];
            let (t, mut body) = msg(hex_text);
            for (i, b) in edits {
                let i = i.index(body.len());
                body[i] = b;
            }
            let end = cut.index(body.len() + 1);
            let _ = parse_handshake(t, &body[..end], version);
            let _ = parse_handshake(t, &body, version);
        }
    }
}
