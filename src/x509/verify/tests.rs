use super::fixtures_test::{der, sig, transcript, NAMES};
use super::*;
use proptest::prelude::*;

fn cert_check(cert: &str, issuer: &str) -> SigCheck {
    verify_cert_signature(&der(cert), &der(issuer))
}

#[test]
fn certificate_signatures_of_every_algorithm() {
    let cases = [
        // sha256WithRSA, ring.
        ("rsa-root", "rsa-root"),
        // RSA-PSS SHA-256 with OpenSSL 3's default (maximum) salt of 222
        // bytes: ring refuses it, the rsa crate checks it.
        ("rsa-int", "rsa-root"),
        ("rsa-client", "rsa-int"),
        // RSA-PSS SHA-384, salt 48 (= hash length): ring.
        ("rsa-server", "rsa-int"),
        ("rsa-sha1", "rsa-int"),
        ("rsa-sha512", "rsa-int"),
        ("rsa-expired", "rsa-int"),
        // 1024-bit RSA with SHA-256: below ring's minimum, the rsa crate.
        ("rsa1024", "rsa1024"),
        ("rsa1024-client", "rsa1024"),
        // An RSASSA-PSS key signing its own certificate (salt 32), and a
        // PSS key certified with PKCS#1.
        ("rsapss-root", "rsapss-root"),
        ("rsapss-client", "rsa-int"),
        // ECDSA: P-384/SHA-384, P-384 key with SHA-256, P-256 key with
        // SHA-384 (ring), P-256 with SHA-512 and SHA-1 (RustCrypto).
        ("ec-root", "ec-root"),
        ("ec-int", "ec-root"),
        ("ec-client", "ec-int"),
        ("ec256-client", "ec-int"),
        ("ec-sha512", "ec-int"),
        ("ec-sha1", "ec-int"),
        // P-521 with SHA-512, and with SHA-256 (shorter than the field).
        ("p521-root", "p521-root"),
        ("p521-client", "p521-root"),
        ("ed-root", "ed-root"),
        ("ed-client", "ed-root"),
        ("notca", "rsa-root"),
        ("notca-client", "notca"),
        ("plen0", "rsa-root"),
        ("plen-sub", "plen0"),
        ("plen-client", "plen-sub"),
        ("nc", "rsa-root"),
        ("nc-client", "nc"),
        ("srvonly", "rsa-root"),
        ("srvonly-client", "srvonly"),
        ("rsa-kuenc", "rsa-int"),
        ("rsa-root-samename", "rsa-root-samename"),
        ("other-root", "other-root"),
    ];
    for (cert, issuer) in cases {
        assert_eq!(
            cert_check(cert, issuer),
            SigCheck::Valid,
            "{cert} by {issuer}"
        );
    }
}

#[test]
fn unsupported_and_small_keys_are_not_verdicts() {
    assert_eq!(
        cert_check("ed448", "ed448"),
        SigCheck::Unsupported("Ed448".to_string())
    );
    assert_eq!(
        cert_check("dsa", "dsa"),
        SigCheck::Unsupported("dsa-with-SHA256".to_string())
    );
    assert_eq!(cert_check("rsa512", "rsa512"), SigCheck::KeyTooSmall(512));
    assert_eq!(
        cert_check("rsa512-client", "rsa512"),
        SigCheck::KeyTooSmall(512)
    );
    assert_eq!(
        cert_check("ed448-client", "ed448"),
        SigCheck::Unsupported("Ed448".to_string())
    );
    for c in [
        SigCheck::Unsupported("x".into()),
        SigCheck::KeyTooSmall(512),
        SigCheck::Valid,
    ] {
        assert!(!c.is_bad());
    }
}

#[test]
fn wrong_issuer_is_invalid_or_mismatched() {
    // Same key type, other key.
    assert_eq!(cert_check("rsa-client", "rsa-root"), SigCheck::Invalid);
    assert_eq!(cert_check("rsa-int", "rsa-client"), SigCheck::Invalid);
    assert_eq!(
        cert_check("rsa-root", "rsa-root-samename"),
        SigCheck::Invalid
    );
    assert_eq!(cert_check("ec-client", "ec-root"), SigCheck::Invalid);
    assert_eq!(cert_check("ec-sha512", "ec-root"), SigCheck::Invalid);
    assert_eq!(cert_check("p521-client", "ec-int"), SigCheck::Invalid);
    assert_eq!(cert_check("ed-client", "ed-client"), SigCheck::Invalid);
    assert_eq!(cert_check("rsa1024-client", "rsa-root"), SigCheck::Invalid);
    // Key type unfit for the algorithm.
    assert!(matches!(
        cert_check("rsa-client", "ec-root"),
        SigCheck::Mismatch(_)
    ));
    assert!(matches!(
        cert_check("ec-int", "rsa-root"),
        SigCheck::Mismatch(_)
    ));
    assert!(matches!(
        cert_check("ed-client", "rsa-root"),
        SigCheck::Mismatch(_)
    ));
    // A PKCS#1 signature cannot come from an RSASSA-PSS key.
    assert!(matches!(
        cert_check("rsa-client", "rsapss-root"),
        SigCheck::Mismatch(_)
    ));
}

#[test]
fn tampered_certificates_are_invalid() {
    for name in NAMES {
        let issuer = match *name {
            "rsa-int" | "notca" | "plen0" | "nc" | "srvonly" => "rsa-root",
            "rsa-client" | "rsa-server" | "rsa-sha1" | "rsa-sha512" | "rsa-expired"
            | "rsa-kuenc" | "rsapss-client" => "rsa-int",
            "rsa1024-client" => "rsa1024",
            "ec-int" => "ec-root",
            "ec-client" | "ec256-client" | "ec-sha512" | "ec-sha1" => "ec-int",
            "p521-client" => "p521-root",
            "ed-client" => "ed-root",
            "notca-client" => "notca",
            "plen-sub" => "plen0",
            "plen-client" => "plen-sub",
            "nc-client" => "nc",
            "srvonly-client" => "srvonly",
            "ed448" | "dsa" | "rsa512" | "ed448-client" | "rsa512-client" => continue,
            self_signed => self_signed,
        };
        let good = der(name);
        let issuer_der = der(issuer);
        assert_eq!(
            verify_cert_signature(&good, &issuer_der),
            SigCheck::Valid,
            "{name}"
        );
        // The last byte is in the signature value.
        let mut bad = good.clone();
        *bad.last_mut().unwrap() ^= 0x01;
        let got = verify_cert_signature(&bad, &issuer_der);
        assert_eq!(got, SigCheck::Invalid, "{name}, signature tampered");
        // A byte of the serial number, in the signed part.
        let (_, c) = X509Certificate::from_der(&good).unwrap();
        let serial = c.tbs_certificate.raw_serial();
        let mut pattern = vec![0x02, serial.len() as u8];
        pattern.extend_from_slice(serial);
        let pos = good
            .windows(pattern.len())
            .position(|w| w == pattern)
            .unwrap();
        let mut bad = good.clone();
        bad[pos + pattern.len() - 1] ^= 0x01;
        if *name == issuer {
            // Self-signed: the issuer changed with it; still not valid.
            assert!(verify_cert_signature(&bad, &bad).is_bad(), "{name}");
        }
        assert_eq!(
            verify_cert_signature(&bad, &issuer_der),
            SigCheck::Invalid,
            "{name}, serial tampered"
        );
    }
}

#[test]
fn unreadable_input_is_malformed() {
    let good = der("rsa-int");
    assert!(matches!(
        verify_cert_signature(b"", &good),
        SigCheck::Malformed(_)
    ));
    assert!(matches!(
        verify_cert_signature(&good, b"\x30\x03\x02\x01\x01"),
        SigCheck::Malformed(_)
    ));
    let mut trailing = good.clone();
    trailing.push(0);
    assert!(matches!(
        verify_cert_signature(&trailing, &der("rsa-root")),
        SigCheck::Malformed(_)
    ));
}

// ---------------------------------------------------------------------------
// Handshake signatures

fn sha256(b: &[u8]) -> Vec<u8> {
    Hash::Sha256.digest(b)
}

fn sha384(b: &[u8]) -> Vec<u8> {
    Hash::Sha384.digest(b)
}

fn tls13(scheme: u16, sig_name: &str, cert: &str, side: Side, transcript_hash: &[u8]) -> SigCheck {
    verify_handshake_signature(
        0x0304,
        Some(scheme),
        sig(sig_name),
        &der(cert),
        SignedContent::Tls13CertificateVerify {
            side,
            transcript_hash,
        },
    )
}

fn tls12(version: u16, scheme: Option<u16>, sig_name: &str, cert: &str, t: &[u8]) -> SigCheck {
    verify_handshake_signature(
        version,
        scheme,
        sig(sig_name),
        &der(cert),
        SignedContent::Tls12CertificateVerify { transcript: t },
    )
}

#[test]
fn tls13_certificate_verify() {
    let t = transcript();
    let h256 = sha256(&t);
    let h384 = sha384(&t);
    let cases = [
        (
            0x0804,
            "tls13-rsa-pss-rsae-sha256",
            "rsa-client",
            Side::Client,
            &h256,
        ),
        (
            0x0809,
            "tls13-rsa-pss-pss-sha256",
            "rsapss-client",
            Side::Client,
            &h256,
        ),
        (
            0x0503,
            "tls13-server-ecdsa-p384-sha384",
            "ec-client",
            Side::Server,
            &h384,
        ),
        (
            0x0403,
            "tls13-ecdsa-p256-sha256",
            "ec256-client",
            Side::Client,
            &h256,
        ),
        (
            0x0603,
            "tls13-ecdsa-p521-sha512",
            "p521-client",
            Side::Client,
            &h256,
        ),
        (0x0807, "tls13-ed25519", "ed-client", Side::Client, &h256),
    ];
    for (scheme, s, cert, side, h) in cases {
        assert_eq!(tls13(scheme, s, cert, side, h), SigCheck::Valid, "{s}");
        // The other side's context string.
        let other = match side {
            Side::Client => Side::Server,
            Side::Server => Side::Client,
        };
        assert_eq!(tls13(scheme, s, cert, other, h), SigCheck::Invalid, "{s}");
        // Another transcript.
        let mut h2 = h.clone();
        h2[0] ^= 1;
        assert_eq!(tls13(scheme, s, cert, side, &h2), SigCheck::Invalid, "{s}");
        // Another key of the same type.
        let wrong = match cert {
            "rsa-client" => "rsa-server",
            "ec-client" => "ec-root",
            "ec256-client" => "ec-sha1",
            "ed-client" => "ed-root",
            _ => continue,
        };
        assert_eq!(tls13(scheme, s, wrong, side, h), SigCheck::Invalid, "{s}");
    }
}

#[test]
fn tls13_scheme_rules() {
    let h = sha256(&transcript());
    let c = Side::Client;
    // rsae with an RSASSA-PSS key and the reverse.
    assert!(matches!(
        tls13(0x0804, "tls13-rsa-pss-pss-sha256", "rsapss-client", c, &h),
        SigCheck::Mismatch(_)
    ));
    assert!(matches!(
        tls13(0x0809, "tls13-rsa-pss-rsae-sha256", "rsa-client", c, &h),
        SigCheck::Mismatch(_)
    ));
    // PKCS#1 is not for TLS 1.3 handshake signatures.
    assert!(matches!(
        tls13(0x0401, "tls12-rsa-pkcs1-sha256", "rsa-client", c, &h),
        SigCheck::Mismatch(_)
    ));
    // In TLS 1.3 the scheme's curve must be the key's: a P-384 key cannot
    // use ecdsa_secp256r1_sha256 …
    let m = tls13(0x0403, "tls12-ecdsa-p384-sha256", "ec-client", c, &h);
    assert!(
        matches!(&m, SigCheck::Mismatch(r) if r.contains("P-256")),
        "{m:?}"
    );
    // … ecdsa_sha1 is gone, ed448 is unsupported, DSA too.
    assert!(matches!(
        tls13(0x0203, "tls12-ecdsa-p256-sha1", "ec256-client", c, &h),
        SigCheck::Mismatch(_)
    ));
    assert_eq!(
        tls13(0x0808, "tls13-ed25519", "ed-client", c, &h),
        SigCheck::Unsupported("ed448".to_string())
    );
    assert_eq!(
        tls13(0x0402, "tls13-ed25519", "ed-client", c, &h),
        SigCheck::Unsupported("sha256_dsa".to_string())
    );
    // An Ed25519 scheme with an RSA key.
    assert!(matches!(
        tls13(0x0807, "tls13-ed25519", "rsa-client", c, &h),
        SigCheck::Mismatch(_)
    ));
}

#[test]
fn tls12_certificate_verify() {
    let t = transcript();
    let cases = [
        (0x0401, "tls12-rsa-pkcs1-sha256", "rsa-client"),
        (0x0201, "tls12-rsa-pkcs1-sha1", "rsa-client"),
        (0x0805, "tls12-rsa-pss-rsae-sha384", "rsa-client"),
        // TLS 1.2: the hash is the scheme's, the curve the key's.
        (0x0403, "tls12-ecdsa-p384-sha256", "ec-client"),
        (0x0203, "tls12-ecdsa-p256-sha1", "ec256-client"),
        (0x0603, "tls12-ecdsa-p521-sha512", "p521-client"),
        // 1024-bit RSA, verified by the rsa crate.
        (0x0401, "tls12-rsa1024-sha256", "rsa1024"),
    ];
    let mut t2 = t.clone();
    t2[100] ^= 0x80;
    for (scheme, s, cert) in cases {
        assert_eq!(
            tls12(0x0303, Some(scheme), s, cert, &t),
            SigCheck::Valid,
            "{s}"
        );
        assert_eq!(
            tls12(0x0303, Some(scheme), s, cert, &t2),
            SigCheck::Invalid,
            "{s}"
        );
    }
    // The scheme's hash matters: the SHA-256 signature checked as SHA-384.
    assert_eq!(
        tls12(
            0x0303,
            Some(0x0501),
            "tls12-rsa-pkcs1-sha256",
            "rsa-client",
            &t
        ),
        SigCheck::Invalid
    );
    // A TLS 1.2 signature must name its scheme.
    assert!(matches!(
        tls12(0x0303, None, "tls12-rsa-pkcs1-sha256", "rsa-client", &t),
        SigCheck::Malformed(_)
    ));
    // DSA is not supported.
    assert_eq!(
        tls12(
            0x0303,
            Some(0x0202),
            "tls12-rsa-pkcs1-sha1",
            "rsa-client",
            &t
        ),
        SigCheck::Unsupported("sha1_dsa".to_string())
    );
}

#[test]
fn tls10_legacy_signatures() {
    let t = transcript();
    let mut t2 = t.clone();
    t2[0] ^= 1;
    for version in [0x0301, 0x0302] {
        // RSA: PKCS#1 v1.5 over MD5 ‖ SHA-1, no DigestInfo.
        assert_eq!(
            tls12(version, None, "tls10-rsa-md5sha1", "rsa-client", &t),
            SigCheck::Valid
        );
        assert_eq!(
            tls12(version, None, "tls10-rsa-md5sha1", "rsa-client", &t2),
            SigCheck::Invalid
        );
        // ECDSA: SHA-1.
        assert_eq!(
            tls12(version, None, "tls12-ecdsa-p256-sha1", "ec256-client", &t),
            SigCheck::Valid
        );
    }
    // The legacy RSA signature is not a DigestInfo one.
    assert_eq!(
        tls12(0x0303, Some(0x0201), "tls10-rsa-md5sha1", "rsa-client", &t),
        SigCheck::Invalid
    );
    assert!(matches!(
        tls12(0x0300, None, "tls10-rsa-md5sha1", "rsa-client", &t),
        SigCheck::Unsupported(_)
    ));
}

#[test]
fn tls12_server_key_exchange() {
    let cr = [0x11u8; 32];
    let sr = [0x22u8; 32];
    let mut params = vec![3, 0, 29, 32];
    params.extend([0x33u8; 32]);
    let check = |cr: &[u8], sr: &[u8], params: &[u8]| {
        verify_handshake_signature(
            0x0303,
            Some(0x0601),
            sig("ske-rsa-pkcs1-sha512"),
            &der("rsa-server"),
            SignedContent::Tls12ServerKeyExchange {
                client_random: cr,
                server_random: sr,
                params,
            },
        )
    };
    assert_eq!(check(&cr, &sr, &params), SigCheck::Valid);
    // Randoms swapped, or other parameters.
    assert_eq!(check(&sr, &cr, &params), SigCheck::Invalid);
    params[10] ^= 1;
    assert_eq!(check(&cr, &sr, &params), SigCheck::Invalid);
}

#[test]
fn tls13_content_layout() {
    let c = SignedContent::Tls13CertificateVerify {
        side: Side::Client,
        transcript_hash: &[0xab; 32],
    }
    .bytes();
    assert_eq!(c.len(), 64 + 33 + 1 + 32);
    assert!(c[..64].iter().all(|&b| b == 0x20));
    assert_eq!(&c[64..97], b"TLS 1.3, client CertificateVerify");
    assert_eq!(c[97], 0);
    assert_eq!(scheme_name(0x0804), "rsa_pss_rsae_sha256");
    assert_eq!(scheme_name(0x0303), "sha224_ecdsa");
    assert_eq!(scheme_name(0xfe00), "0xfe00");
}

#[test]
fn serializes_snake_case() {
    assert_eq!(
        serde_json::to_string(&SigCheck::Valid).unwrap(),
        "\"valid\""
    );
    assert_eq!(
        serde_json::to_string(&SigCheck::KeyTooSmall(512)).unwrap(),
        "{\"key_too_small\":512}"
    );
}

// ---------------------------------------------------------------------------
// Robustness

const ALL_SCHEMES: &[u16] = &[
    0x0101, 0x0201, 0x0203, 0x0301, 0x0303, 0x0401, 0x0403, 0x0501, 0x0503, 0x0601, 0x0603, 0x0804,
    0x0805, 0x0806, 0x0807, 0x0808, 0x0809, 0x080a, 0x080b, 0x0202, 0xffff,
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(cert in proptest::collection::vec(any::<u8>(), 0..600),
                                issuer in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = verify_cert_signature(&cert, &issuer);
        let _ = verify_cert_signature(&cert, &der("rsa-root"));
        let _ = verify_cert_signature(&der("rsa-int"), &issuer);
    }

    #[test]
    fn mutated_certificates_never_panic(which in 0..NAMES.len(), issuer in 0..NAMES.len(),
                                        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..4)) {
        let mut c = der(NAMES[which]);
        for (pos, x) in flips {
            let n = c.len();
            c[pos % n] ^= x;
        }
        let _ = verify_cert_signature(&c, &der(NAMES[issuer]));
        let _ = verify_cert_signature(&der(NAMES[issuer]), &c);
    }

    #[test]
    fn random_signatures_never_panic(which in 0..NAMES.len(), scheme in 0..ALL_SCHEMES.len(),
                                     version in prop_oneof![Just(0x0300u16), Just(0x0301), Just(0x0303), Just(0x0304)],
                                     none in any::<bool>(),
                                     sig in proptest::collection::vec(any::<u8>(), 0..600)) {
        let cert = der(NAMES[which]);
        let scheme = if none { None } else { Some(ALL_SCHEMES[scheme]) };
        let t = transcript();
        let r = verify_handshake_signature(version, scheme, &sig, &cert,
            SignedContent::Tls12CertificateVerify { transcript: &t });
        prop_assert!(!r.is_valid());
        let r = verify_handshake_signature(version, scheme, &sig, &cert,
            SignedContent::Tls13CertificateVerify { side: Side::Client, transcript_hash: &t[..32] });
        prop_assert!(!r.is_valid());
    }
}
