//! Tests of `tls/fingerprint.rs`.

use super::*;
use crate::tls::messages::{parse_handshake, split_handshake_header, Extension, HandshakeMessage};

fn ext(t: u16) -> Extension {
    Extension {
        ext_type: t,
        data: Vec::new(),
    }
}

fn alpn_ext(names: &[&[u8]]) -> Extension {
    let mut list = Vec::new();
    for n in names {
        list.push(n.len() as u8);
        list.extend_from_slice(n);
    }
    let mut data = (list.len() as u16).to_be_bytes().to_vec();
    data.extend(list);
    Extension { ext_type: 16, data }
}

/// The ClientHello of the JA4 spec's example (technical_details/JA4.md).
fn ja4_spec_hello() -> ClientHello {
    let exts = [
        0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012,
        0x002b, 0xff01, 0x000b, 0x000a, 0x0015,
    ];
    ClientHello {
        legacy_version: 0x0303,
        cipher_suites: vec![
            0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014,
            0x009c, 0x009d, 0x002f, 0x0035,
        ],
        extensions: exts
            .iter()
            .map(|&t| {
                if t == 16 {
                    alpn_ext(&[b"h2", b"http/1.1"])
                } else {
                    ext(t)
                }
            })
            .collect(),
        alpn: vec!["h2".into(), "http/1.1".into()],
        supported_versions: vec![0x0304, 0x0303],
        signature_algorithms: vec![
            0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601,
        ],
        server_name: Some("example.com".into()),
        ..ClientHello::default()
    }
}

fn unhex(s: &str) -> Vec<u8> {
    let s = s.trim();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

fn hello_from_hex(hex_text: &str) -> ClientHello {
    let bytes = unhex(hex_text);
    let (t, len) = split_handshake_header(&bytes).expect("header");
    assert_eq!(len + 4, bytes.len());
    match parse_handshake(t, &bytes[4..], None).expect("parse") {
        HandshakeMessage::ClientHello(ch) => ch,
        other => panic!("not a client hello: {other:?}"),
    }
}

#[test]
fn ja3_readme_example() {
    let ch = ClientHello {
        legacy_version: 769,
        cipher_suites: vec![47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4],
        extensions: vec![ext(0), ext(10), ext(11)],
        supported_groups: vec![23, 24, 25],
        ec_point_formats: vec![0],
        ..ClientHello::default()
    };
    assert_eq!(
        ja3_string(&ch),
        "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0"
    );
    assert_eq!(ja3(&ch), "ada70206e40642a3e4461f35503241d5");
}

#[test]
fn ja3_drops_grease_keeps_padding_and_handles_no_extensions() {
    let ch = ClientHello {
        legacy_version: 0x0303,
        cipher_suites: vec![0x0a0a, 0x1301, 0xc02b],
        extensions: vec![ext(0x1a1a), ext(0), ext(10), ext(21), ext(0x4a4a)],
        supported_groups: vec![0x2a2a, 29, 23],
        ec_point_formats: vec![0],
        ..ClientHello::default()
    };
    assert_eq!(ja3_string(&ch), "771,4865-49195,0-10-21,29-23,0");
    // 0x1a2a is not GREASE and must stay.
    let ch = ClientHello {
        legacy_version: 0x0301,
        cipher_suites: vec![4, 5, 0x1a2a],
        ..ClientHello::default()
    };
    assert_eq!(ja3_string(&ch), "769,4-5-6698,,,");
}

#[test]
fn ja4_spec_example() {
    let ch = ja4_spec_hello();
    assert_eq!(ja4(&ch, false), "t13d1516h2_8daaf6152771_e5627efa2ab1");
    assert_eq!(
        ja4_raw(&ch, false),
        "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_\
         0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_\
         0403,0804,0401,0503,0805,0501,0806,0601"
    );
    assert_eq!(ja4(&ch, true), "q13d1516h2_8daaf6152771_e5627efa2ab1");
}

#[test]
fn ja4_ignores_grease_everywhere() {
    let mut ch = ja4_spec_hello();
    ch.cipher_suites.insert(0, 0x0a0a);
    ch.extensions.insert(0, ext(0x9a9a));
    ch.extensions.push(ext(0xfafa));
    ch.supported_versions.insert(0, 0x7a7a);
    ch.signature_algorithms.insert(0, 0x3a3a);
    assert_eq!(ja4(&ch, false), "t13d1516h2_8daaf6152771_e5627efa2ab1");
}

#[test]
fn ja4_without_signature_algorithms_has_no_underscore() {
    let mut ch = ja4_spec_hello();
    ch.signature_algorithms.clear();
    // The spec's own value for this extension list without sigalgs.
    assert_eq!(ja4(&ch, false), "t13d1516h2_8daaf6152771_6d807ffa2a79");
    assert!(ja4_raw(&ch, false).ends_with("4469,ff01"));
}

#[test]
fn ja4_empty_lists_hash_to_zeros() {
    let ch = ClientHello {
        legacy_version: 0x0301,
        ..ClientHello::default()
    };
    assert_eq!(ja4(&ch, false), "t10i000000_000000000000_000000000000");
    // Only SNI and ALPN: the extension part is empty too.
    let ch = ClientHello {
        legacy_version: 0x0303,
        cipher_suites: vec![0x002f],
        extensions: vec![ext(0), alpn_ext(&[b"http/1.1"])],
        ..ClientHello::default()
    };
    let fp = ja4(&ch, false);
    assert!(fp.starts_with("t12d0102h1_"), "{fp}");
    assert!(fp.ends_with("_000000000000"), "{fp}");
}

#[test]
fn ja4_version_codes() {
    for (legacy, versions, code) in [
        (0x0303, vec![], "12"),
        (0x0302, vec![], "11"),
        (0x0300, vec![], "s3"),
        (0x0002, vec![], "s2"),
        (0x0303, vec![0x0303, 0x0304], "13"),
        (0x0303, vec![0x2a2a], "12"),
        (0x1234, vec![], "00"),
    ] {
        let ch = ClientHello {
            legacy_version: legacy,
            supported_versions: versions,
            ..ClientHello::default()
        };
        assert_eq!(&ja4(&ch, false)[1..3], code, "{legacy:#06x}");
    }
}

#[test]
fn ja4_alpn_rules() {
    // The spec's examples for non-alphanumeric ALPN values.
    assert_eq!(ja4_alpn(Some(&[0xab])), "ab");
    assert_eq!(ja4_alpn(Some(&[0xab, 0xcd])), "ad");
    assert_eq!(ja4_alpn(Some(&[0x30, 0xab])), "3b");
    assert_eq!(ja4_alpn(Some(&[0x30, 0x31, 0xab, 0xcd])), "3d");
    assert_eq!(ja4_alpn(Some(&[0x30, 0xab, 0xcd, 0x31])), "01");
    assert_eq!(ja4_alpn(Some(b"h2")), "h2");
    assert_eq!(ja4_alpn(Some(b"http/1.1")), "h1");
    assert_eq!(ja4_alpn(Some(b"h")), "hh");
    assert_eq!(ja4_alpn(Some(b"")), "00");
    assert_eq!(ja4_alpn(None), "00");
    // From the raw extension, so non-UTF-8 bytes survive.
    let ch = ClientHello {
        legacy_version: 0x0303,
        extensions: vec![alpn_ext(&[&[0xab, 0xcd], b"h2"])],
        alpn: vec!["\u{fffd}\u{fffd}".into(), "h2".into()],
        ..ClientHello::default()
    };
    assert_eq!(&ja4(&ch, false)[8..10], "ad");
}

#[test]
fn ja4_counts_cap_at_99() {
    let ch = ClientHello {
        legacy_version: 0x0303,
        cipher_suites: (1..=150).collect(),
        extensions: (100..=250).map(ext).collect(),
        ..ClientHello::default()
    };
    assert!(ja4(&ch, false).starts_with("t12i9999"));
}

/// Real openssl 3.0 ClientHellos; JA3 values checked with tshark 4.0
/// (`tls.handshake.ja3`).
#[test]
fn real_openssl_hellos() {
    let ch13 = hello_from_hex(include_str!(
        "../../../tests/data/tls/tls13_client_hello.hex"
    ));
    let ch12 = hello_from_hex(include_str!(
        "../../../tests/data/tls/tls12_client_hello.hex"
    ));
    let ch10 = hello_from_hex(include_str!(
        "../../../tests/data/tls/tls10_client_hello.hex"
    ));
    for (ch, expect_ja3_string, expect_ja3) in [
        (&ch13, JA3_STRING_13, JA3_13),
        (&ch12, JA3_STRING_12, JA3_12),
        (&ch10, JA3_STRING_10, JA3_10),
    ] {
        assert_eq!(ja3_string(ch), expect_ja3_string);
        assert_eq!(ja3(ch), expect_ja3);
    }
    assert!(ja4(&ch13, false).starts_with("t13d"));
    assert!(ja4(&ch12, false).starts_with("t12d"));
    assert!(ja4(&ch10, false).starts_with("t10d"));
}

const JA3_STRING_13: &str = "771,4866-4867-4865-49196-49200-159-52393-52392-52394-49195-49199-158-49188-49192-107-49187-49191-103-49162-49172-57-49161-49171-51-157-156-61-60-53-47-255,0-11-10-35-16-22-23-13-43-45-51,29-23-30-25-24-256-257-258-259-260,0-1-2";
const JA3_13: &str = "5a1edc7f170af1014fc65c994878e63c";
const JA3_STRING_12: &str = "771,49196-49200-159-52393-52392-52394-49195-49199-158-49188-49192-107-49187-49191-103-49162-49172-57-49161-49171-51-157-156-61-60-53-47-255,0-11-10-35-16-22-23-13,29-23-30-25-24,0-1-2";
const JA3_12: &str = "22558766122974704364c9c75c5cce0a";
const JA3_STRING_10: &str =
    "769,49162-49172-57-49161-49171-51-53-47-255,0-11-10-35-22-23,29-23-30-25-24,0-1-2";
const JA3_10: &str = "c6dbf3152a545382a95425e390e2d2e8";

/// A crafted Chrome-like ClientHello with the JA4 spec's ciphers,
/// extensions and signature algorithms plus GREASE in every list
/// (tests/data/tls/grease_client_hello.hex): parsed from bytes, it must
/// give the spec's JA4, and tshark 4.0's JA3.
#[test]
fn grease_hello_end_to_end() {
    let ch = hello_from_hex(include_str!(
        "../../../tests/data/tls/grease_client_hello.hex"
    ));
    assert_eq!(ch.malformed_extensions, None);
    assert_eq!(ja4(&ch, false), "t13d1516h2_8daaf6152771_e5627efa2ab1");
    assert_eq!(
        ja3_string(&ch),
        "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,\
         27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,29-23-24,0"
    );
    assert_eq!(ja3(&ch), "c000e2caf3a25423f9de6c8a4b12a975");
}
