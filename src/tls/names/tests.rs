//! Tests of `tls/names.rs`.

use super::*;

#[test]
fn grease_test_is_exact() {
    let grease: Vec<u16> = (0..=u16::MAX).filter(|&v| is_grease(v)).collect();
    let expected: Vec<u16> = (0..16u16)
        .map(|i| (i << 12) | 0x0a00 | (i << 4) | 0x0a)
        .collect();
    assert_eq!(grease, expected);
    assert!(is_grease(0x0a0a) && is_grease(0xfafa));
    // The tls-parser test would accept these.
    assert!(!is_grease(0x1a2a));
    assert!(!is_grease(0x0a1a));
}

#[test]
fn versions() {
    assert_eq!(version_name(0x0303), "TLS 1.2");
    assert_eq!(version_name(0x0304), "TLS 1.3");
    assert_eq!(version_name(0x0300), "SSL 3.0");
    assert_eq!(version_name(0x0301), "TLS 1.0");
    assert_eq!(version_name(0x0302), "TLS 1.1");
    assert_eq!(version_name(0x7f1c), "0x7f1c (draft)");
    assert_eq!(version_name(0x3a3a), "GREASE (0x3a3a)");
    assert_eq!(version_name(0x1234), "0x1234");
    assert_eq!(version_name(0xfefd), "DTLS 1.2");
}

#[test]
fn cipher_suites() {
    assert_eq!(cipher_suite_name(0x1301), "TLS_AES_128_GCM_SHA256");
    assert_eq!(
        cipher_suite_name(0xc02b),
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
    );
    assert_eq!(
        cipher_suite_name(0x00ff),
        "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"
    );
    assert_eq!(cipher_suite_name(0x5600), "TLS_FALLBACK_SCSV");
    assert_eq!(cipher_suite_name(0x8a8a), "GREASE (0x8a8a)");
    assert_eq!(cipher_suite_name(0xfeee), "0xfeee");
}

#[test]
fn signature_schemes() {
    assert_eq!(signature_scheme_name(0x0401), "rsa_pkcs1_sha256");
    assert_eq!(signature_scheme_name(0x0804), "rsa_pss_rsae_sha256");
    assert_eq!(signature_scheme_name(0x0809), "rsa_pss_pss_sha256");
    assert_eq!(signature_scheme_name(0x0403), "ecdsa_secp256r1_sha256");
    assert_eq!(signature_scheme_name(0x0807), "ed25519");
    assert_eq!(signature_scheme_name(0x0808), "ed448");
    assert_eq!(signature_scheme_name(0x0203), "ecdsa_sha1");
    assert_eq!(signature_scheme_name(0x0201), "rsa_pkcs1_sha1");
    assert_eq!(signature_scheme_name(0x0301), "sha224_rsa");
    assert_eq!(signature_scheme_name(0x0302), "sha224_dsa");
    assert_eq!(signature_scheme_name(0x0303), "sha224_ecdsa");
    assert_eq!(signature_scheme_name(0x0202), "sha1_dsa");
    assert_eq!(signature_scheme_name(0x0402), "sha256_dsa");
    assert_eq!(signature_scheme_name(0x0101), "md5_rsa");
    assert_eq!(signature_scheme_name(0x0a0a), "GREASE (0x0a0a)");
    assert_eq!(signature_scheme_name(0xfe00), "0xfe00");
}

#[test]
fn groups() {
    assert_eq!(named_group_name(29), "x25519");
    assert_eq!(named_group_name(23), "secp256r1");
    assert_eq!(named_group_name(0x11ec), "X25519MLKEM768");
    assert_eq!(named_group_name(0x0100), "ffdhe2048");
    assert_eq!(named_group_name(0x0104), "ffdhe8192");
    assert_eq!(named_group_name(0x2a2a), "GREASE (0x2a2a)");
    assert_eq!(named_group_name(0x1234), "0x1234");
}

#[test]
fn alerts() {
    for (code, name) in [
        (0, "close_notify"),
        (40, "handshake_failure"),
        (42, "bad_certificate"),
        (46, "certificate_unknown"),
        (48, "unknown_ca"),
        (86, "inappropriate_fallback"),
        (100, "no_renegotiation"),
        (110, "unsupported_extension"),
        (112, "unrecognized_name"),
        (113, "bad_certificate_status_response"),
        (115, "unknown_psk_identity"),
        (116, "certificate_required"),
        (120, "no_application_protocol"),
    ] {
        assert_eq!(alert_description_name(code), name);
    }
    assert_eq!(alert_description_name(200), "unknown_200");
    assert_eq!(
        alert_meaning(48),
        "the peer could not build a path from the presented certificate to a CA it trusts"
    );
    assert_eq!(alert_level_name(1), "warning");
    assert_eq!(alert_level_name(2), "fatal");
    assert_eq!(alert_level_name(7), "unknown_7");
    // Every known code has a distinct, non-empty sentence.
    let mut seen = std::collections::HashSet::new();
    for code in 0..=255u8 {
        if let Some((name, meaning)) = alert_entry(code) {
            assert!(!name.is_empty() && meaning.len() > 20, "{code}");
            assert!(seen.insert(meaning), "duplicate meaning for {code}");
        }
    }
    assert!(!alert_meaning(255).is_empty());
}

#[test]
fn extensions_and_content_types() {
    assert_eq!(extension_name(0), "server_name");
    assert_eq!(extension_name(47), "certificate_authorities");
    assert_eq!(extension_name(50), "signature_algorithms_cert");
    assert_eq!(extension_name(0xff01), "renegotiation_info");
    assert_eq!(extension_name(0xfe0d), "encrypted_client_hello");
    assert_eq!(extension_name(0xdada), "GREASE (0xdada)");
    assert_eq!(extension_name(0x1234), "0x1234");
    assert_eq!(content_type_name(22), "handshake");
    assert_eq!(content_type_name(21), "alert");
    assert_eq!(content_type_name(99), "unknown_99");
}
