//! The hellos: ClientHello and ServerHello (a HelloRetryRequest is a
//! ServerHello with a fixed random, a TLS 1.3 draft-0..21 ServerHello has
//! no session_id or compression), and TLS 1.3 EncryptedExtensions, with
//! the extensions tlstrace decodes into fields.

use super::codec::Reader;
use super::extensions::{
    decode_ext, describe, ext_data_offsets, lossy, parse_extension_list, parse_hello_extensions,
    read_alpn_list, read_dn_list, read_u16_vec16, Extension,
};
use super::ticket::ticket_id;
use super::{ext, hex, is_early_tls13_draft, Result, HELLO_RETRY_REQUEST_RANDOM};
use crate::tls::names;
use serde::Serialize;

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
    /// `legacy_version`. Pass this as `version` to
    /// [`parse_handshake`](super::parse_handshake).
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

pub(super) fn parse_client_hello(body: &[u8]) -> Result<ClientHello> {
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

pub(super) fn parse_server_hello(body: &[u8]) -> Result<ServerHello> {
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

pub(super) fn parse_encrypted_extensions(body: &[u8]) -> Result<EncryptedExtensions> {
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
