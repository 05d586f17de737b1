//! Tests of `tls/messages.rs`.

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
        include_str!(concat!("../../../tests/data/tls/", $name, ".hex"))
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
        let HandshakeMessage::Certificate(cert) = parse(data!("tls13_certificate_client"), version)
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
    let HandshakeMessage::CertificateVerify(cv) = parse(data!("tls13_certificate_verify"), TLS13)
    else {
        panic!()
    };
    assert_eq!(cv.scheme, Some(0x0403));
    assert_eq!(cv.signature.first(), Some(&0x30));
    let HandshakeMessage::Finished { verify_data } = parse(data!("tls13_finished"), TLS13) else {
        panic!()
    };
    assert_eq!(verify_data.len(), 48); // SHA-384 suite
    let HandshakeMessage::NewSessionTicket(nst) = parse(data!("tls13_new_session_ticket"), TLS13)
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

    let HandshakeMessage::CertificateRequest(cr) = parse(data!("tls12_certificate_request"), TLS12)
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
    let (_, leaf) = x509_parser::parse_x509_certificate(cert.leaf().expect("leaf")).expect("DER");
    assert_eq!(leaf.subject().to_string(), "CN=server.test");

    let HandshakeMessage::CertificateVerify(cv) = parse(data!("tls12_certificate_verify"), TLS12)
    else {
        panic!()
    };
    assert_eq!(cv.scheme, Some(0x0403));
    assert_eq!(
        parse(data!("tls12_client_key_exchange"), TLS12),
        HandshakeMessage::ClientKeyExchange { len: 33 }
    );
    let HandshakeMessage::NewSessionTicket(NewSessionTicket::Tls12 {
        lifetime_hint,
        ticket_len,
        ticket_id: id,
    }) = parse(data!("tls12_new_session_ticket"), TLS12)
    else {
        panic!("not a TLS 1.2 NewSessionTicket");
    };
    assert_eq!((lifetime_hint, ticket_len), (7200, 176));
    // The ticket is the message's last 176 bytes: its id names it.
    let (_, body) = msg(data!("tls12_new_session_ticket"));
    assert_eq!(id, ticket_id(&body[body.len() - 176..]));
    assert_ne!(id, ticket_id(&body[body.len() - 175..]));
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
        let HandshakeMessage::ServerHello(sh) = parse_handshake(2, &body, None).expect("sh") else {
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
    let tls_parser::TlsMessage::Handshake(tls_parser::TlsMessageHandshake::CertificateRequest(c)) =
        m
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
    let HandshakeMessage::Certificate(c) = parse_handshake(11, &body, TLS13).expect("cert") else {
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
    let HandshakeMessage::CertificateRequest(cr) = parse_handshake(13, &body, TLS13).expect("cr")
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
    let e = parse_handshake(13, &cr13_body(&[ext_bytes(13, &sig)]), TLS13).expect_err("trailing");
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
    let HandshakeMessage::CertificateRequest(cr) = parse_handshake(13, &body, TLS12).expect("cr")
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
