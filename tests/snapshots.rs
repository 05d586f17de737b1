//! Snapshots of `tlstrace explain` text output for a handful of captures,
//! reviewed by eye for clarity (`tests/snapshots/*.snap`). After a
//! deliberate change, review the new output and update with
//! `INSTA_UPDATE=always cargo test --test snapshots`.

use std::path::Path;
use std::process::Command;

fn explain(args: &[&str]) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_tlstrace"))
        .current_dir(dir)
        .arg("explain")
        .args(args)
        .output()
        .expect("tlstrace runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn unknown_ca_tls12() {
    insta::assert_snapshot!(explain(&["captures/tls12-unknown-ca.pcap"]));
}

#[test]
fn expired_tls13_decrypted() {
    insta::assert_snapshot!(explain(&[
        "captures/tls13-expired.pcap",
        "--keylog",
        "captures/tls13-expired.keys"
    ]));
}

#[test]
fn tls13_without_keys() {
    insta::assert_snapshot!(explain(&["captures/tls13-mtls-ok.pcap"]));
}

#[test]
fn no_client_certificate_tls12() {
    insta::assert_snapshot!(explain(&["captures/tls12-no-client-cert.pcap"]));
}

#[test]
fn not_requested_tls12() {
    insta::assert_snapshot!(explain(&["captures/tls12-no-client-auth.pcap"]));
}

#[test]
fn nginx_rejects_above_tls() {
    insta::assert_snapshot!(explain(&[
        "captures/nginx-tls13-no-client-cert.pcap",
        "--keylog",
        "captures/nginx-tls13-no-client-cert.keys"
    ]));
}

#[test]
fn missing_intermediate_with_trust_store() {
    insta::assert_snapshot!(explain(&[
        "captures/tls12-missing-intermediate.pcap",
        "--ca",
        "captures/pki/root.pem",
        "--ca",
        "captures/pki/intermediate.pem"
    ]));
}

#[test]
fn tls13_rejected_without_keys() {
    insta::assert_snapshot!(explain(&["captures/tls13-unknown-ca.pcap"]));
}

#[test]
fn tls13_silent_close_without_keys() {
    insta::assert_snapshot!(explain(&["captures/node-server-tls13-expired.pcap"]));
}

/// The HTML report of a failing and a succeeding capture: the markup of
/// the drawn ladder, the findings and the chain (rendered in a browser by
/// `tests/html.rs`).
#[test]
fn html_unknown_ca_tls12() {
    insta::assert_snapshot!(explain(&[
        "captures/tls12-unknown-ca.pcap",
        "--format",
        "html"
    ]));
}

#[test]
fn html_mtls_ok_tls12() {
    insta::assert_snapshot!(explain(&[
        "captures/tls12-mtls-ok.pcap",
        "--format",
        "html"
    ]));
}
