//! IANA registries as names: protocol versions, cipher suites, signature
//! schemes, named groups, alerts, extensions, content types.
//!
//! Every function takes the raw wire number and never fails: an unknown
//! 16-bit value comes back as `"0x1234"`, an unknown 8-bit value as
//! `"unknown_<n>"`, and a GREASE value ([RFC 8701]) as `"GREASE (0x1a1a)"`.
//! Known names are `&'static str` inside the [`Cow`], so looking one up
//! does not allocate.
//!
//! [RFC 8701]: https://www.rfc-editor.org/rfc/rfc8701

use std::borrow::Cow;

use tls_parser::TlsCipherSuite;

/// True for a GREASE value of a 16-bit registry ([RFC 8701]): `0x0a0a`,
/// `0x1a1a`, …, `0xfafa`.
///
/// Both bytes must be equal *and* have low nibble `0xa`. (The shorter test
/// `v & 0x0f0f == 0x0a0a`, as in tls-parser, wrongly accepts e.g. `0x1a2a`.)
///
/// [RFC 8701]: https://www.rfc-editor.org/rfc/rfc8701
pub const fn is_grease(v: u16) -> bool {
    (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff)
}

fn hex16(v: u16) -> Cow<'static, str> {
    Cow::Owned(format!("0x{v:04x}"))
}

fn grease16(v: u16) -> Cow<'static, str> {
    Cow::Owned(format!("GREASE (0x{v:04x})"))
}

fn unknown8(v: u8) -> Cow<'static, str> {
    Cow::Owned(format!("unknown_{v}"))
}

/// Name of a protocol version as found in `legacy_version`,
/// `supported_versions` or a record header.
///
/// `0x0303` → `"TLS 1.2"`, `0x0304` → `"TLS 1.3"`, `0x0300` → `"SSL 3.0"`,
/// `0xfefd` → `"DTLS 1.2"`, a TLS 1.3 draft such as `0x7f1c` →
/// `"0x7f1c (draft)"`, GREASE → `"GREASE (0x?a?a)"`, otherwise `"0x1234"`.
pub fn version_name(v: u16) -> Cow<'static, str> {
    let s = match v {
        0x0002 => "SSL 2.0",
        0x0300 => "SSL 3.0",
        0x0301 => "TLS 1.0",
        0x0302 => "TLS 1.1",
        0x0303 => "TLS 1.2",
        0x0304 => "TLS 1.3",
        0xfeff => "DTLS 1.0",
        0xfefd => "DTLS 1.2",
        0xfefc => "DTLS 1.3",
        _ if is_grease(v) => return grease16(v),
        _ if v >> 8 == 0x7f => return Cow::Owned(format!("0x{v:04x} (draft)")),
        _ => return hex16(v),
    };
    Cow::Borrowed(s)
}

/// IANA name of a cipher suite (`TLS_AES_128_GCM_SHA256`,
/// `TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256`, `TLS_EMPTY_RENEGOTIATION_INFO_SCSV`,
/// …) from tls-parser's table; `"0x1234"` when unknown.
pub fn cipher_suite_name(id: u16) -> Cow<'static, str> {
    if is_grease(id) {
        return grease16(id);
    }
    match TlsCipherSuite::from_id(id) {
        Some(cs) => Cow::Borrowed(cs.name),
        None => hex16(id),
    }
}

/// Name of a TLS 1.3 `SignatureScheme` or TLS 1.2
/// `SignatureAndHashAlgorithm` (hash byte, then signature byte).
///
/// The TLS 1.3 registry names come first (`rsa_pkcs1_sha256`,
/// `rsa_pss_rsae_sha256`, `ecdsa_secp256r1_sha256`, `ed25519`, …). TLS 1.2
/// pairs with no TLS 1.3 name are spelled `<hash>_<signature>`, e.g.
/// `0x0301` → `"sha224_rsa"`, `0x0402` → `"sha256_dsa"`.
pub fn signature_scheme_name(v: u16) -> Cow<'static, str> {
    let s = match v {
        0x0201 => "rsa_pkcs1_sha1",
        0x0203 => "ecdsa_sha1",
        0x0401 => "rsa_pkcs1_sha256",
        0x0403 => "ecdsa_secp256r1_sha256",
        0x0420 => "rsa_pkcs1_sha256_legacy",
        0x0501 => "rsa_pkcs1_sha384",
        0x0503 => "ecdsa_secp384r1_sha384",
        0x0520 => "rsa_pkcs1_sha384_legacy",
        0x0601 => "rsa_pkcs1_sha512",
        0x0603 => "ecdsa_secp521r1_sha512",
        0x0620 => "rsa_pkcs1_sha512_legacy",
        0x0704 => "eccsi_sha256",
        0x0705 => "iso_ibs1",
        0x0706 => "iso_ibs2",
        0x0707 => "iso_chinese_ibs",
        0x0708 => "sm2sig_sm3",
        0x0709 => "gostr34102012_256a",
        0x070a => "gostr34102012_256b",
        0x070b => "gostr34102012_256c",
        0x070c => "gostr34102012_256d",
        0x070d => "gostr34102012_512a",
        0x070e => "gostr34102012_512b",
        0x070f => "gostr34102012_512c",
        0x0804 => "rsa_pss_rsae_sha256",
        0x0805 => "rsa_pss_rsae_sha384",
        0x0806 => "rsa_pss_rsae_sha512",
        0x0807 => "ed25519",
        0x0808 => "ed448",
        0x0809 => "rsa_pss_pss_sha256",
        0x080a => "rsa_pss_pss_sha384",
        0x080b => "rsa_pss_pss_sha512",
        0x081a => "ecdsa_brainpoolP256r1tls13_sha256",
        0x081b => "ecdsa_brainpoolP384r1tls13_sha384",
        0x081c => "ecdsa_brainpoolP512r1tls13_sha512",
        0x0904 => "mldsa44",
        0x0905 => "mldsa65",
        0x0906 => "mldsa87",
        _ if is_grease(v) => return grease16(v),
        _ => {
            // TLS 1.2 SignatureAndHashAlgorithm pairs (RFC 5246 §7.4.1.4.1).
            let hash = match v >> 8 {
                0 => Some("none"),
                1 => Some("md5"),
                2 => Some("sha1"),
                3 => Some("sha224"),
                4 => Some("sha256"),
                5 => Some("sha384"),
                6 => Some("sha512"),
                _ => None,
            };
            let sig = match v & 0xff {
                0 => Some("anonymous"),
                1 => Some("rsa"),
                2 => Some("dsa"),
                3 => Some("ecdsa"),
                _ => None,
            };
            return match (hash, sig) {
                (Some(h), Some(s)) => Cow::Owned(format!("{h}_{s}")),
                _ => hex16(v),
            };
        }
    };
    Cow::Borrowed(s)
}

/// Name of a named group (`supported_groups`, `key_share`, ECDHE
/// ServerKeyExchange): `x25519`, `secp256r1`, `X25519MLKEM768`,
/// `ffdhe2048`, …; `"0x1234"` when unknown.
pub fn named_group_name(v: u16) -> Cow<'static, str> {
    let s = match v {
        1 => "sect163k1",
        2 => "sect163r1",
        3 => "sect163r2",
        4 => "sect193r1",
        5 => "sect193r2",
        6 => "sect233k1",
        7 => "sect233r1",
        8 => "sect239k1",
        9 => "sect283k1",
        10 => "sect283r1",
        11 => "sect409k1",
        12 => "sect409r1",
        13 => "sect571k1",
        14 => "sect571r1",
        15 => "secp160k1",
        16 => "secp160r1",
        17 => "secp160r2",
        18 => "secp192k1",
        19 => "secp192r1",
        20 => "secp224k1",
        21 => "secp224r1",
        22 => "secp256k1",
        23 => "secp256r1",
        24 => "secp384r1",
        25 => "secp521r1",
        26 => "brainpoolP256r1",
        27 => "brainpoolP384r1",
        28 => "brainpoolP512r1",
        29 => "x25519",
        30 => "x448",
        31 => "brainpoolP256r1tls13",
        32 => "brainpoolP384r1tls13",
        33 => "brainpoolP512r1tls13",
        34 => "GC256A",
        35 => "GC256B",
        36 => "GC256C",
        37 => "GC256D",
        38 => "GC512A",
        39 => "GC512B",
        40 => "GC512C",
        41 => "curveSM2",
        0x0100 => "ffdhe2048",
        0x0101 => "ffdhe3072",
        0x0102 => "ffdhe4096",
        0x0103 => "ffdhe6144",
        0x0104 => "ffdhe8192",
        0x0200 => "MLKEM512",
        0x0201 => "MLKEM768",
        0x0202 => "MLKEM1024",
        0x11eb => "SecP256r1MLKEM768",
        0x11ec => "X25519MLKEM768",
        0x11ed => "SecP384r1MLKEM1024",
        0x6399 => "X25519Kyber768Draft00",
        0x639a => "SecP256r1Kyber768Draft00",
        0xff01 => "arbitrary_explicit_prime_curves",
        0xff02 => "arbitrary_explicit_char2_curves",
        _ if is_grease(v) => return grease16(v),
        _ => return hex16(v),
    };
    Cow::Borrowed(s)
}

/// Name of an alert level: 1 → `"warning"`, 2 → `"fatal"`.
pub fn alert_level_name(v: u8) -> Cow<'static, str> {
    match v {
        1 => Cow::Borrowed("warning"),
        2 => Cow::Borrowed("fatal"),
        _ => unknown8(v),
    }
}

/// The RFC name of an alert description (RFC 8446 §6, RFC 5246 §7.2 and
/// later registrations), e.g. 48 → `"unknown_ca"`, 116 →
/// `"certificate_required"`; `"unknown_<n>"` otherwise.
pub fn alert_description_name(v: u8) -> Cow<'static, str> {
    match alert_entry(v) {
        Some((name, _)) => Cow::Borrowed(name),
        None => unknown8(v),
    }
}

/// One plain-English sentence saying what an alert description means, for
/// reports. Unknown codes get a generic sentence.
pub fn alert_meaning(v: u8) -> &'static str {
    match alert_entry(v) {
        Some((_, meaning)) => meaning,
        None => "the alert code is not in the IANA registry, so its meaning is specific to the sending implementation",
    }
}

/// (name, meaning) for each registered alert description.
fn alert_entry(v: u8) -> Option<(&'static str, &'static str)> {
    Some(match v {
        0 => ("close_notify", "the sender is closing the connection normally and will send no more data"),
        10 => ("unexpected_message", "the peer received a message that was not allowed at that point of the handshake or connection"),
        20 => ("bad_record_mac", "a record failed its integrity check: it could not be decrypted or authenticated (mismatched keys, corruption, or data altered in transit)"),
        21 => ("decryption_failed", "a record could not be decrypted (obsolete: TLS 1.1 and later send bad_record_mac instead)"),
        22 => ("record_overflow", "the peer received a record longer than the protocol allows"),
        30 => ("decompression_failure", "the peer could not decompress a record (TLS compression, obsolete)"),
        40 => ("handshake_failure", "the peer could not agree on acceptable security parameters; many stacks also send it when a required client certificate is missing or rejected"),
        41 => ("no_certificate", "the client had no suitable certificate to send (SSL 3.0 only; later versions send an empty Certificate message instead)"),
        42 => ("bad_certificate", "a certificate was corrupt or its signature did not verify; some stacks send it for any rejected or missing client certificate"),
        43 => ("unsupported_certificate", "the certificate is of an unsupported type, or its key usage or extended key usage does not permit this use"),
        44 => ("certificate_revoked", "the certificate has been revoked by its issuer"),
        45 => ("certificate_expired", "the certificate has expired or is not yet valid"),
        46 => ("certificate_unknown", "processing the certificate failed for an unspecified reason, which made it unacceptable"),
        47 => ("illegal_parameter", "a handshake field was out of range or inconsistent with other fields"),
        48 => ("unknown_ca", "the peer could not build a path from the presented certificate to a CA it trusts"),
        49 => ("access_denied", "the certificate or PSK was valid, but the peer's access-control policy refused to continue the handshake"),
        50 => ("decode_error", "a message could not be decoded because a field was out of range or a length was wrong"),
        51 => ("decrypt_error", "a handshake cryptographic check failed: a signature (such as CertificateVerify) or the Finished message did not verify"),
        52 => ("too_many_cids_requested", "the peer requested more connection IDs than the sender is willing to supply (DTLS)"),
        60 => ("export_restriction", "an export-restricted parameter was attempted (obsolete)"),
        70 => ("protocol_version", "the peer recognised the offered protocol version but does not support it"),
        71 => ("insufficient_security", "the peer requires stronger parameters (cipher suites, groups or key sizes) than those offered"),
        80 => ("internal_error", "an error unrelated to the peer or to protocol correctness (such as a failed allocation or a misconfiguration) stopped the sender"),
        86 => ("inappropriate_fallback", "the client retried with a lower protocol version (TLS_FALLBACK_SCSV) although the server supports a higher one: a possible downgrade"),
        90 => ("user_canceled", "the sender is cancelling the handshake for a reason unrelated to a protocol failure"),
        100 => ("no_renegotiation", "the peer refused a request to renegotiate"),
        109 => ("missing_extension", "the peer received a handshake message without an extension that the negotiated version or features make mandatory"),
        110 => ("unsupported_extension", "the peer received an extension it had not offered or that is not allowed in that message"),
        111 => ("certificate_unobtainable", "the server could not obtain a certificate from a URL the client supplied (client_certificate_url)"),
        112 => ("unrecognized_name", "the server does not recognise the host name requested in the server_name (SNI) extension"),
        113 => ("bad_certificate_status_response", "the client received an invalid or unacceptable OCSP response stapled by the server"),
        114 => ("bad_certificate_hash_value", "a certificate fetched from a client-supplied URL did not match the hash the client gave"),
        115 => ("unknown_psk_identity", "the server has no key for any pre-shared key identity the client offered"),
        116 => ("certificate_required", "the server requires a client certificate, but the client sent none"),
        117 => ("general_error", "an error occurred for which no more specific alert is defined"),
        120 => ("no_application_protocol", "the server supports none of the application protocols (ALPN) the client offered"),
        121 => ("ech_required", "the server requires Encrypted Client Hello, but the client did not use it"),
        _ => return None,
    })
}

/// Name of a TLS extension type (`server_name`, `supported_groups`,
/// `certificate_authorities`, `key_share`, …); `"0x1234"` when unknown.
pub fn extension_name(v: u16) -> Cow<'static, str> {
    let s = match v {
        0 => "server_name",
        1 => "max_fragment_length",
        2 => "client_certificate_url",
        3 => "trusted_ca_keys",
        4 => "truncated_hmac",
        5 => "status_request",
        6 => "user_mapping",
        7 => "client_authz",
        8 => "server_authz",
        9 => "cert_type",
        10 => "supported_groups",
        11 => "ec_point_formats",
        12 => "srp",
        13 => "signature_algorithms",
        14 => "use_srtp",
        15 => "heartbeat",
        16 => "application_layer_protocol_negotiation",
        17 => "status_request_v2",
        18 => "signed_certificate_timestamp",
        19 => "client_certificate_type",
        20 => "server_certificate_type",
        21 => "padding",
        22 => "encrypt_then_mac",
        23 => "extended_master_secret",
        24 => "token_binding",
        25 => "cached_info",
        26 => "tls_lts",
        27 => "compress_certificate",
        28 => "record_size_limit",
        29 => "pwd_protect",
        30 => "pwd_clear",
        31 => "password_salt",
        32 => "ticket_pinning",
        33 => "tls_cert_with_extern_psk",
        34 => "delegated_credential",
        35 => "session_ticket",
        36 => "TLMSP",
        37 => "TLMSP_proxying",
        38 => "TLMSP_delegate",
        39 => "supported_ekt_ciphers",
        41 => "pre_shared_key",
        42 => "early_data",
        43 => "supported_versions",
        44 => "cookie",
        45 => "psk_key_exchange_modes",
        47 => "certificate_authorities",
        48 => "oid_filters",
        49 => "post_handshake_auth",
        50 => "signature_algorithms_cert",
        51 => "key_share",
        52 => "transparency_info",
        53 => "connection_id_deprecated",
        54 => "connection_id",
        55 => "external_id_hash",
        56 => "external_session_id",
        57 => "quic_transport_parameters",
        58 => "ticket_request",
        59 => "dnssec_chain",
        0x3374 => "next_protocol_negotiation",
        0x4469 => "application_settings_old",
        0x44cd => "application_settings",
        0x754f => "channel_id_old",
        0x7550 => "channel_id",
        0xfd00 => "ech_outer_extensions",
        0xfe0d => "encrypted_client_hello",
        0xff01 => "renegotiation_info",
        0xffa5 => "quic_transport_parameters_draft",
        0xffce => "encrypted_server_name",
        _ if is_grease(v) => return grease16(v),
        _ => return hex16(v),
    };
    Cow::Borrowed(s)
}

/// Name of a record content type: 20 `change_cipher_spec`, 21 `alert`,
/// 22 `handshake`, 23 `application_data`, 24 `heartbeat`, 25 `tls12_cid`,
/// 26 `ack`; `"unknown_<n>"` otherwise.
pub fn content_type_name(v: u8) -> Cow<'static, str> {
    let s = match v {
        20 => "change_cipher_spec",
        21 => "alert",
        22 => "handshake",
        23 => "application_data",
        24 => "heartbeat",
        25 => "tls12_cid",
        26 => "ack",
        _ => return unknown8(v),
    };
    Cow::Borrowed(s)
}

#[cfg(test)]
mod tests;
