//! Each scenario's expected outcome was checked against
//! `openssl verify -attime 1780272000 -purpose sslclient` with the same
//! anchors (`-CAfile`) and sent certificates (`-untrusted`); see
//! tests/data/x509/README.md.

use super::*;
use crate::x509::verify::fixtures_test::{der, pem, AT, NAMES};
use proptest::prelude::*;

fn store(names: &[&str]) -> TrustStore {
    let mut s = TrustStore::new();
    for n in names {
        s.add_der(der(n)).unwrap();
    }
    s
}

fn chain(names: &[&str]) -> Vec<Vec<u8>> {
    names.iter().map(|n| der(n)).collect()
}

fn check(sent: &[&str], anchors: &[&str]) -> PathReport {
    validate_path(&chain(sent), &store(anchors), &[], AT, Purpose::ClientAuth)
}

/// The problems' kinds, as serialized.
fn kinds(r: &PathReport) -> Vec<String> {
    r.problems
        .iter()
        .map(|p| {
            serde_json::to_value(p).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

fn sources(r: &PathReport) -> Vec<Source> {
    r.path.iter().map(|s| s.source).collect()
}

const ROOT: &str = "O=tlstrace test, CN=Test RSA Root";
const INT: &str = "O=tlstrace test, CN=Test RSA Intermediate";

#[test]
fn rsa_chain_with_pss_intermediate_builds() {
    let r = check(&["rsa-client", "rsa-int"], &["rsa-root"]);
    assert!(r.ok, "{r:#?}");
    assert_eq!(r.verdict, Verdict::Valid);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(sources(&r), [Source::Sent, Source::Sent, Source::Anchor]);
    assert_eq!(r.path[1].subject, INT);
    assert_eq!(r.path[2].subject, ROOT);
    for s in &r.path {
        assert_eq!(s.signature, Some(SigCheck::Valid), "{}", s.subject);
        assert!(s.valid_at_time && s.is_ca_ok && s.eku_ok && s.ku_ok);
    }
    assert!(r.path[2].self_signed && !r.path[0].self_signed);
    assert_eq!(r.path[2].index, 0);
    assert_eq!(r.at, "2026-06-01T00:00:00Z");
}

#[test]
fn every_algorithm_chain_builds() {
    for (sent, anchors) in [
        (&["ec-client", "ec-int"][..], &["ec-root"][..]),
        (&["ec256-client", "ec-int"], &["ec-root"]),
        (&["ec-sha512", "ec-int"], &["ec-root"]),
        (&["ec-sha1", "ec-int"], &["ec-root"]),
        (&["p521-client"], &["p521-root"]),
        (&["ed-client"], &["ed-root"]),
        (&["rsapss-client", "rsa-int"], &["rsa-root"]),
        (&["rsa-sha1", "rsa-int"], &["rsa-root"]),
        (&["rsa-sha512", "rsa-int"], &["rsa-root"]),
    ] {
        let r = check(sent, anchors);
        assert!(r.ok, "{sent:?}: {:?}", r.problems);
    }
    // A bundle of several roots.
    let s = TrustStore::from_pem_bytes(pem_bundle("bundle-roots").as_bytes()).unwrap();
    assert_eq!(s.len(), 3);
    let r = validate_path(&chain(&["ed-client"]), &s, &[], AT, Purpose::ClientAuth);
    assert!(r.ok);
}

#[test]
fn sent_root_and_order() {
    // The root sent along is matched to the store's copy.
    let r = check(&["rsa-client", "rsa-int", "rsa-root"], &["rsa-root"]);
    assert!(r.ok && r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(sources(&r), [Source::Sent, Source::Sent, Source::Anchor]);
    // Out of order: still built, noted.
    let r = check(&["rsa-client", "rsa-root", "rsa-int"], &["rsa-root"]);
    assert!(r.ok);
    assert_eq!(kinds(&r), ["unordered"]);
    // A certificate that does not belong.
    let r = check(&["rsa-client", "rsa-int", "ec-int"], &["rsa-root"]);
    assert!(r.ok);
    assert_eq!(
        r.problems,
        [PathProblem::UnusedSent {
            index: 2,
            subject: "O=tlstrace test, CN=Test EC Intermediate".to_string()
        }]
    );
}

#[test]
fn missing_intermediate() {
    // openssl: error 20 at 0, unable to get local issuer certificate.
    let r = check(&["rsa-client"], &["rsa-root"]);
    assert!(!r.ok);
    assert_eq!(
        r.problems,
        [PathProblem::UnknownIssuer {
            subject: "O=tlstrace test, CN=rsa client".to_string(),
            issuer: INT.to_string(),
            same_name_other_key: None,
        }]
    );
    assert_eq!(r.path.len(), 1);
    assert_eq!(r.path[0].signature, None);

    // The capture holds it (say, in the server's chain): it would complete
    // the path, but the server does not have it.
    let r = validate_path(
        &chain(&["rsa-client"]),
        &store(&["rsa-root"]),
        &chain(&["rsa-server", "rsa-int"]),
        AT,
        Purpose::ClientAuth,
    );
    assert!(!r.ok);
    assert_eq!(
        r.problems,
        [PathProblem::MissingIntermediate {
            subject: "O=tlstrace test, CN=rsa client".to_string(),
            issuer: INT.to_string(),
            available_in: Some(Source::Extra),
            completes_path: true,
        }]
    );
    assert_eq!(sources(&r), [Source::Sent, Source::Extra, Source::Anchor]);
    assert_eq!(r.path[1].index, 1);

    // The capture holds it but the root is not trusted either.
    let r = validate_path(
        &chain(&["rsa-client"]),
        &store(&["ec-root"]),
        &chain(&["rsa-int"]),
        AT,
        Purpose::ClientAuth,
    );
    assert_eq!(kinds(&r), ["missing_intermediate", "unknown_issuer"]);
    assert!(matches!(
        r.problems[0],
        PathProblem::MissingIntermediate {
            completes_path: false,
            ..
        }
    ));

    // The trust store holds it: OpenSSL uses it (openssl verify: OK).
    let s = TrustStore::from_pem_bytes(pem_bundle("bundle-with-int").as_bytes()).unwrap();
    assert_eq!(s.len(), 2);
    let r = validate_path(&chain(&["rsa-client"]), &s, &[], AT, Purpose::ClientAuth);
    assert!(r.ok, "{:?}", r.problems);
    assert_eq!(
        r.problems,
        [PathProblem::MissingIntermediate {
            subject: "O=tlstrace test, CN=rsa client".to_string(),
            issuer: INT.to_string(),
            available_in: Some(Source::Store),
            completes_path: true,
        }]
    );
    assert_eq!(sources(&r), [Source::Sent, Source::Store, Source::Anchor]);
    // … but not when the client sends it.
    let r = validate_path(
        &chain(&["rsa-client", "rsa-int"]),
        &s,
        &[],
        AT,
        Purpose::ClientAuth,
    );
    assert!(r.ok && r.problems.is_empty(), "{:?}", r.problems);
}

#[test]
fn wrong_root() {
    // openssl: error 20 at 1.
    let r = check(&["rsa-client", "rsa-int"], &["other-root", "ec-root"]);
    assert!(!r.ok);
    assert_eq!(
        r.problems,
        [PathProblem::UnknownIssuer {
            subject: INT.to_string(),
            issuer: ROOT.to_string(),
            same_name_other_key: None,
        }]
    );
    // A root with the same name but another key (a regenerated CA).
    let r = check(&["rsa-client", "rsa-int"], &["rsa-root-samename"]);
    assert_eq!(
        r.problems,
        [PathProblem::UnknownIssuer {
            subject: INT.to_string(),
            issuer: ROOT.to_string(),
            same_name_other_key: Some(Source::Anchor),
        }]
    );
    // The client sends its root, which the store does not hold.
    let r = check(&["rsa-client", "rsa-int", "rsa-root"], &["ec-root"]);
    assert_eq!(
        r.problems,
        [PathProblem::UntrustedRoot {
            subject: ROOT.to_string()
        }]
    );
    assert_eq!(sources(&r), [Source::Sent; 3]);
    assert!(r.path[2].self_signed);
    // With both roots of that name trusted, the right one is found.
    let r = check(
        &["rsa-client", "rsa-int"],
        &["rsa-root-samename", "rsa-root"],
    );
    assert!(r.ok);
}

#[test]
fn partial_chain_is_refused() {
    // openssl: error 2 at 1, unable to get issuer certificate.
    let r = check(&["rsa-client"], &["rsa-int"]);
    assert!(!r.ok);
    assert_eq!(
        r.problems,
        [
            PathProblem::MissingIntermediate {
                subject: "O=tlstrace test, CN=rsa client".to_string(),
                issuer: INT.to_string(),
                available_in: Some(Source::Store),
                completes_path: false,
            },
            PathProblem::PartialChain {
                subject: INT.to_string()
            }
        ]
    );
}

#[test]
fn validity_along_the_path() {
    // openssl: error 10 at 0, certificate has expired.
    let r = check(&["rsa-expired", "rsa-int"], &["rsa-root"]);
    assert!(!r.ok);
    assert_eq!(
        r.problems,
        [PathProblem::Expired {
            subject: "O=tlstrace test, CN=expired client".to_string(),
            not_after: "2021-01-01T00:00:00Z".to_string(),
        }]
    );
    assert!(!r.path[0].valid_at_time && r.path[1].valid_at_time);
    // Before 2025, nothing is valid yet; after 2125, all has expired.
    let r = validate_path(
        &chain(&["rsa-client", "rsa-int"]),
        &store(&["rsa-root"]),
        &[],
        1_700_000_000,
        Purpose::ClientAuth,
    );
    assert_eq!(kinds(&r), ["not_yet_valid"; 3]);
    let r = validate_path(
        &chain(&["rsa-client", "rsa-int"]),
        &store(&["rsa-root"]),
        &[],
        4_900_000_000,
        Purpose::ClientAuth,
    );
    assert_eq!(kinds(&r), ["expired"; 3]);
}

#[test]
fn ca_flags_and_path_length() {
    // openssl: error 26 at 1 (the purpose check fails on the CA test).
    let r = check(&["notca-client", "notca"], &["rsa-root"]);
    assert!(!r.ok);
    assert_eq!(
        r.problems,
        [PathProblem::IssuerNotCa {
            subject: "O=tlstrace test, CN=Not A CA".to_string()
        }]
    );
    assert!(!r.path[1].is_ca_ok);
    // openssl: error 25 at 2, path length constraint exceeded.
    let r = check(&["plen-client", "plen-sub", "plen0"], &["rsa-root"]);
    assert_eq!(
        r.problems,
        [PathProblem::PathLenExceeded {
            subject: "O=tlstrace test, CN=Pathlen0 CA".to_string(),
            path_len: 0,
            below: 1,
        }]
    );
    // Name constraints are noted (openssl verify: OK).
    let r = check(&["nc-client", "nc"], &["rsa-root"]);
    assert!(r.ok);
    assert_eq!(kinds(&r), ["name_constraints_present"]);
}

#[test]
fn eku_and_ku() {
    // A server certificate used as a client's (openssl: error 26 at 0).
    let r = check(&["rsa-server", "rsa-int"], &["rsa-root"]);
    assert_eq!(
        r.problems,
        [PathProblem::EkuForbids {
            subject: "O=tlstrace test, CN=server.example.test".to_string(),
            purpose: Purpose::ClientAuth,
        }]
    );
    assert!(!r.path[0].eku_ok);
    let r = validate_path(
        &chain(&["rsa-server", "rsa-int"]),
        &store(&["rsa-root"]),
        &[],
        AT,
        Purpose::ServerAuth,
    );
    assert!(r.ok);
    // A CA whose EKU lacks clientAuth (openssl: error 26 at 1).
    let r = check(&["srvonly-client", "srvonly"], &["rsa-root"]);
    assert_eq!(
        r.problems,
        [PathProblem::EkuForbids {
            subject: "O=tlstrace test, CN=ServerAuth Only CA".to_string(),
            purpose: Purpose::ClientAuth,
        }]
    );
    // KU keyEncipherment only (openssl: error 26 at 0).
    let r = check(&["rsa-kuenc", "rsa-int"], &["rsa-root"]);
    assert_eq!(
        r.problems,
        [PathProblem::KuForbids {
            subject: "O=tlstrace test, CN=keyEncipherment client".to_string(),
            needs: "digitalSignature or keyAgreement".to_string(),
        }]
    );
}

#[test]
fn signatures_along_the_path() {
    // A tampered intermediate signature.
    let mut int = der("rsa-int");
    *int.last_mut().unwrap() ^= 1;
    let r = validate_path(
        &[der("rsa-client"), int],
        &store(&["rsa-root"]),
        &[],
        AT,
        Purpose::ClientAuth,
    );
    assert!(!r.ok);
    assert_eq!(
        r.problems,
        [PathProblem::SignatureInvalid {
            subject: INT.to_string(),
            detail: "invalid".to_string(),
        }]
    );
    assert_eq!(r.path[1].signature, Some(SigCheck::Invalid));
    // An algorithm tlstrace cannot check: undetermined, not invalid.
    let r = check(&["ed448-client"], &["ed448"]);
    assert_eq!(r.verdict, Verdict::Undetermined);
    assert!(!r.ok);
    assert_eq!(
        r.problems,
        [PathProblem::UnsupportedSignature {
            subject: "O=tlstrace test, CN=client under Ed448".to_string(),
            alg: "Ed448".to_string(),
        }]
    );
    // A 512-bit signer.
    let r = check(&["rsa512-client"], &["rsa512"]);
    assert_eq!(r.verdict, Verdict::Invalid);
    assert_eq!(kinds(&r), ["signer_key_too_small", "weak_key"]);
    // 1024 bits: verified, accepted (openssl verify: OK), noted.
    let r = check(&["rsa1024-client"], &["rsa1024"]);
    assert!(r.ok);
    assert_eq!(kinds(&r), ["weak_key"]);
    assert!(r.path[1].weak_key && !r.path[0].weak_key);
}

#[test]
fn pinned_self_signed_leaf_and_bad_input() {
    // A self-signed certificate that is itself in the store ends at once.
    let r = validate_path(
        &chain(&["ed-root"]),
        &store(&["ed-root"]),
        &[],
        AT,
        Purpose::ClientAuth,
    );
    assert_eq!(sources(&r), [Source::Anchor]);
    // (Its KU is for CAs: openssl says error 26 at 0 as well.)
    assert_eq!(kinds(&r), ["ku_forbids"]);
    // Not in the store.
    let r = check(&["ed-root"], &["rsa-root"]);
    assert_eq!(kinds(&r), ["untrusted_root", "ku_forbids"]);

    let r = check(&[], &["rsa-root"]);
    assert_eq!(r.problems, [PathProblem::NoCertificate]);
    assert!(!r.ok && r.path.is_empty());
    let r = validate_path(
        &[b"junk".to_vec()],
        &store(&["rsa-root"]),
        &[],
        AT,
        Purpose::ClientAuth,
    );
    assert_eq!(kinds(&r), ["unreadable"]);
    let r = validate_path(
        &[der("rsa-client"), b"junk".to_vec(), der("rsa-int")],
        &store(&["rsa-root"]),
        &[],
        AT,
        Purpose::ClientAuth,
    );
    assert!(!r.ok);
    assert_eq!(kinds(&r), ["unreadable"]);
    assert_eq!(r.path.len(), 3);
    // Serialized form.
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["problems"][0]["kind"], "unreadable");
    assert_eq!(v["path"][2]["source"], "anchor");
    assert_eq!(v["path"][0]["signature"], "valid");
}

// ---------------------------------------------------------------------------
// Trust store

fn pem_bundle(name: &str) -> &'static str {
    match name {
        "bundle-roots" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/bundle-roots.pem"
        )),
        "bundle-with-int" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/bundle-with-int.pem"
        )),
        "trusted-root" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/trusted-root.pem"
        )),
        _ => unreachable!(),
    }
}

/// A fresh empty folder under the system's temporary one.
fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tlstrace-x509-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn store_reading() {
    // OpenSSL's TRUSTED CERTIFICATE form.
    let s = TrustStore::from_pem_bytes(pem_bundle("trusted-root").as_bytes()).unwrap();
    assert_eq!(s.len(), 1);
    assert_eq!(s.certs()[0].der, der("rsa-root"));
    // Errors.
    assert!(matches!(
        TrustStore::from_pem_bytes(b"no certificates here"),
        Err(StoreError::NoCertificate { .. })
    ));
    assert!(matches!(
        TrustStore::from_pem_bytes(
            b"-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n"
        ),
        Err(StoreError::BadPem { .. })
    ));
    let bad = "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n";
    assert!(matches!(
        TrustStore::from_pem_bytes(bad.as_bytes()),
        Err(StoreError::BadCertificate { block: 1, .. })
    ));
    assert!(matches!(
        TrustStore::from_pem_bytes(&[0x30, 3, 2, 1, 1]),
        Err(StoreError::BadCertificate { block: 1, .. })
    ));

    // Files and directories.
    let d = temp_dir("store");
    std::fs::write(d.join("root.pem"), pem("rsa-root")).unwrap();
    std::fs::write(d.join("ec.crt"), pem("ec-root")).unwrap();
    std::fs::write(d.join("ed.der"), der("ed-root")).unwrap();
    std::fs::write(d.join("a1b2c3d4.0"), pem("rsa-root")).unwrap(); // duplicate
    std::fs::write(d.join("notes.txt"), "not read").unwrap();
    std::fs::write(d.join("broken.pem"), "-----BEGIN CERTIFICATE-----\n").unwrap();
    let s = TrustStore::from_paths(std::slice::from_ref(&d)).unwrap();
    assert_eq!(s.len(), 3);
    assert_eq!(s.skipped().len(), 1);
    assert!(s.skipped()[0].0.ends_with("broken.pem"));
    // Repeatable, files and folders mixed.
    let other = temp_dir("store2");
    std::fs::write(other.join("p521.pem"), pem("p521-root")).unwrap();
    let s = TrustStore::from_paths(&[d.clone(), other.join("p521.pem")]).unwrap();
    assert_eq!(s.len(), 4);
    assert!(matches!(
        TrustStore::from_paths(&[d.join("missing.pem")]),
        Err(StoreError::Io { .. })
    ));
    assert!(matches!(
        TrustStore::from_paths(&[d.join("notes.txt")]),
        Err(StoreError::NoCertificate { .. })
    ));
    let empty = temp_dir("store3");
    assert!(matches!(
        TrustStore::from_paths(std::slice::from_ref(&empty)),
        Err(StoreError::NoCertificate { .. })
    ));
    for x in [d, other, empty] {
        let _ = std::fs::remove_dir_all(x);
    }
}

// ---------------------------------------------------------------------------
// Robustness

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn any_chain_and_store(sent in proptest::collection::vec(0..NAMES.len(), 0..5),
                           anchors in proptest::collection::vec(0..NAMES.len(), 0..4),
                           extra in proptest::collection::vec(0..NAMES.len(), 0..3),
                           flip in proptest::option::of((0..5usize, any::<usize>(), 1..=255u8)),
                           at in 1_500_000_000i64..5_000_000_000,
                           server in any::<bool>()) {
        let mut chain: Vec<Vec<u8>> = sent.iter().map(|&i| der(NAMES[i])).collect();
        if let Some((which, pos, x)) = flip {
            if let Some(c) = chain.get_mut(which) {
                let n = c.len();
                c[pos % n] ^= x;
            }
        }
        let mut s = TrustStore::new();
        for &i in &anchors {
            s.add_der(der(NAMES[i])).unwrap();
        }
        let extra: Vec<Vec<u8>> = extra.iter().map(|&i| der(NAMES[i])).collect();
        let purpose = if server { Purpose::ServerAuth } else { Purpose::ClientAuth };
        let r = validate_path(&chain, &s, &extra, at, purpose);
        if r.ok {
            // A valid path ends at an anchor, every link verified, all in time.
            prop_assert_eq!(r.path.last().map(|p| p.source), Some(Source::Anchor));
            for p in &r.path[..r.path.len() - 1] {
                prop_assert_eq!(&p.signature, &Some(SigCheck::Valid));
            }
            prop_assert!(r.path.iter().all(|p| p.valid_at_time));
        }
        prop_assert_eq!(r.ok, r.verdict == Verdict::Valid);
    }

    #[test]
    fn random_pem_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300),
                               text in "(-----BEGIN CERTIFICATE-----\n)?[A-Za-z0-9+/=\n]{0,80}(-----END CERTIFICATE-----\n)?") {
        let _ = TrustStore::from_pem_bytes(&bytes);
        let _ = TrustStore::from_pem_bytes(text.as_bytes());
        let _ = validate_path(&[bytes], &TrustStore::new(), &[], 0, Purpose::ClientAuth);
    }
}
