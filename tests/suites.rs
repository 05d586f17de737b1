//! The older cipher suites against real captures (`captures/suites/`, made
//! by `captures/make-suites.sh` with OpenSSL 3 and tlslite-ng): Camellia-CBC,
//! ARIA-GCM, 3DES, RC4, NULL (HMAC-SHA256 and HMAC-MD5), DHE-DSS, anonymous
//! DH/ECDH, PSK, SSL 3.0 (its MAC, key derivation and Finished) and TLS 1.0's
//! implicit CBC IV. Every connection must decrypt completely, both Finished
//! messages must verify, the client's "ping" must be read, and the handshake
//! messages and alerts must be tshark's (recorded in `NAME.tshark.txt` with
//! the same key log).

use std::path::{Path, PathBuf};
use tlstrace::analysis;
use tlstrace::capture::CaptureReader;
use tlstrace::tls::keylog::KeyLog;
use tlstrace::tls::stream::{IssueKind, KeyStatus, Side};

fn suites_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/suites")
}

fn captures() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(suites_dir())
        .expect("captures/suites exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "pcap"))
        .collect();
    out.sort();
    out
}

/// tshark's view: (frame, handshake types, alert descriptions) per TLS frame.
fn tshark_view(capture: &Path) -> Vec<(u64, Vec<u8>, Vec<u8>)> {
    let text = std::fs::read_to_string(capture.with_extension("tshark.txt")).expect("tshark view");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut f = l.split('\t');
            let frame = f.next().and_then(|s| s.parse().ok()).expect("frame number");
            let list = |s: Option<&str>| -> Vec<u8> {
                s.unwrap_or("")
                    .split(',')
                    .filter(|x| !x.is_empty())
                    .map(|x| x.parse().expect("number"))
                    .collect()
            };
            (frame, list(f.next()), list(f.next()))
        })
        .collect()
}

#[test]
fn every_suite_capture_decrypts_and_matches_tshark() {
    let caps = captures();
    assert!(caps.len() >= 17, "only {} captures", caps.len());
    for path in caps {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        let keys = std::fs::read(path.with_extension("keys")).expect("key log");
        let (keylog, _) = KeyLog::parse(&keys);
        let mut reader = CaptureReader::open(path.to_str().expect("utf-8")).expect("opens");
        let (conns, _) = analysis::tls_connections(&mut reader, Some(keylog), None);
        assert_eq!(conns.len(), 1, "{name}");
        let tls = &conns[0].tls;
        assert_eq!(tls.key_status, KeyStatus::Keys, "{name}");
        assert_eq!(tls.finished_checks.len(), 2, "{name}");
        assert!(tls.finished_checks.iter().all(|f| f.2), "{name}: Finished");
        assert!(
            !tls.issues.iter().any(|i| i.kind == IssueKind::KeysWrong),
            "{name}: keys_wrong"
        );
        for side in 0..2 {
            assert_eq!(
                tls.encrypted[side].records, 0,
                "{name}: sealed records left"
            );
            assert!(tls.decrypted[side] >= 2, "{name}");
        }
        // tlslite-ng splits CBC records 1/n-1 before TLS 1.1: "p", "ing".
        let first = tls.app_first_line(Side::Client).unwrap_or("");
        assert!(
            !first.is_empty() && "ping".starts_with(first),
            "{name}: {first:?}"
        );

        // The same handshake messages and alerts, frame by frame, as tshark
        // with the key log. tshark 4.0 cannot decrypt ARIA-GCM: there it
        // shows neither Finished nor the close_notify alerts, which tlstrace
        // decrypts (and the Finished verify).
        let tshark_blind = name.contains("aria") && name.contains("gcm");
        let mut ours: Vec<(u64, Vec<u8>, Vec<u8>)> = Vec::new();
        for l in &tls.ladder {
            let (hs, alert) = match (l.handshake, &l.alert) {
                (Some(i), _) => {
                    let t = tls.handshakes[i].msg_type;
                    if tshark_blind && t == 20 {
                        continue;
                    }
                    (vec![t], vec![])
                }
                (None, Some(a)) if !a.encrypted && !tshark_blind => (vec![], vec![a.description]),
                _ => (vec![], vec![]),
            };
            match ours.last_mut() {
                Some(last) if last.0 == l.frame => {
                    last.1.extend(hs);
                    last.2.extend(alert);
                }
                _ => ours.push((l.frame, hs, alert)),
            }
        }
        let theirs = tshark_view(&path);
        let non_empty = |v: &[(u64, Vec<u8>, Vec<u8>)]| -> Vec<(u64, Vec<u8>, Vec<u8>)> {
            v.iter()
                .filter(|x| !x.1.is_empty() || !x.2.is_empty())
                .cloned()
                .collect()
        };
        assert_eq!(non_empty(&ours), non_empty(&theirs), "{name}");
    }
}

/// The `reason` of the `not-decrypted` finding, if there is one.
fn not_decrypted_reason(capture: &[u8], keys: &str) -> Option<String> {
    let (keylog, _) = KeyLog::parse(keys.as_bytes());
    let mut reader = CaptureReader::from_reader("test", std::io::Cursor::new(capture.to_vec()))
        .expect("capture opens");
    let (conns, _) = analysis::tls_connections(&mut reader, Some(keylog), None);
    let d = tlstrace::diagnose::diagnose(conns.last().expect("a TLS connection"));
    let f = d.findings.iter().find(|f| f.code == "not-decrypted")?;
    f.evidence
        .iter()
        .find(|e| e.field == "reason")
        .map(|e| e.value.clone())
}

/// A legacy pcap without its first `skip` packets.
fn drop_packets(pcap: &[u8], skip: usize) -> Vec<u8> {
    let mut out = pcap[..24].to_vec();
    let mut at = 24;
    let mut n = 0;
    while at + 16 <= pcap.len() {
        let len = u32::from_le_bytes(pcap[at + 8..at + 12].try_into().unwrap()) as usize;
        if n >= skip {
            out.extend_from_slice(&pcap[at..at + 16 + len]);
        }
        at += 16 + len;
        n += 1;
    }
    out
}

#[test]
fn not_decrypted_says_why() {
    let dir = suites_dir();
    let read = |n: &str| std::fs::read(dir.join(n)).expect("file");
    let rsa = read("tls12-camellia128-sha256.pcap");
    let rsa_keys = String::from_utf8(read("tls12-camellia128-sha256.keys")).unwrap();
    let dhe = read("tls12-dhe-dss-aes128-sha256.pcap");
    let dhe_keys = String::from_utf8(read("tls12-dhe-dss-aes128-sha256.keys")).unwrap();
    // The right keys: nothing to say.
    assert_eq!(not_decrypted_reason(&rsa, &rsa_keys), None);
    // Another connection's key log: static RSA could use the server's key;
    // DHE cannot.
    assert_eq!(
        not_decrypted_reason(&rsa, &dhe_keys).as_deref(),
        Some("needs-server-key")
    );
    assert_eq!(
        not_decrypted_reason(&dhe, &rsa_keys).as_deref(),
        Some("no-secret")
    );
    // The right client random with another master secret.
    let wrong: String = dhe_keys
        .lines()
        .filter(|l| l.starts_with("CLIENT_RANDOM "))
        .map(|l| format!("{}00\n", &l[..l.len() - 2]))
        .collect();
    assert_eq!(
        not_decrypted_reason(&dhe, &wrong).as_deref(),
        Some("keys-wrong")
    );
    // A capture that starts after the hellos (frames 1-7 dropped: the
    // handshake, ServerHello included).
    assert_eq!(
        not_decrypted_reason(&drop_packets(&dhe, 7), &dhe_keys).as_deref(),
        Some("start-missing")
    );
}
