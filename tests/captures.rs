//! Integration tests over the real captures in `captures/`, made by
//! `captures/make.sh` with openssl, curl and nginx. Each capture comes with
//! tshark's view (`*.tshark.json`, recorded when it was made) and the
//! stacks' own logs, summarised in `captures/expected.json`.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tlstrace::analysis;
use tlstrace::capture::CaptureReader;
use tlstrace::diagnose::{chain, diagnose};
use tlstrace::tls::keylog::KeyLog;
use tlstrace::tls::summary::Handshake;
use tlstrace::tls::Side;
use tlstrace::x509::verify::SigCheck;

fn captures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("captures")
}

/// Every capture that has a tshark view, with that view.
fn tshark_views() -> Vec<(PathBuf, Value)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(captures_dir()).expect("captures/ exists") {
        let path = entry.expect("readable dir entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if let Some(stem) = name.strip_suffix(".tshark.json") {
            let view: Value = serde_json::from_slice(&std::fs::read(&path).expect("readable view"))
                .expect("valid JSON");
            let file = view["file"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| format!("{stem}.pcap"));
            out.push((captures_dir().join(file), view));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(
        out.len() >= 20,
        "expected the capture corpus, found {} views",
        out.len()
    );
    out
}

fn keylog_for(capture: &Path) -> Option<KeyLog> {
    let stem = capture.file_stem()?.to_str()?;
    let path = capture.with_file_name(format!("{stem}.keys"));
    let text = std::fs::read(path).ok()?;
    Some(KeyLog::parse(&text).0)
}

fn open(path: &Path) -> CaptureReader {
    CaptureReader::open(path.to_str().expect("utf-8 path")).expect("capture opens")
}

#[test]
fn tcp_connections_match_tshark() {
    let mut checked = 0;
    for (path, view) in tshark_views() {
        let (conns, outcome) = analysis::tcp_connections(&mut open(&path));
        let name = path.display();
        if let Some(e) = &outcome.error {
            panic!("{name}: {e}");
        }
        let expected = view["tcp"].as_array().expect("tcp array");
        assert_eq!(conns.len(), expected.len(), "{name}: connection count");
        for (ours, theirs) in conns.iter().zip(expected) {
            let what = format!("{name} connection {}", ours.id);
            assert_eq!(
                ours.client,
                theirs["client"].as_str().unwrap_or(""),
                "{what}: client"
            );
            assert_eq!(
                ours.server,
                theirs["server"].as_str().unwrap_or(""),
                "{what}: server"
            );
            assert_eq!(
                Some(ours.first_frame),
                theirs["first_frame"].as_u64(),
                "{what}: first frame"
            );
            assert_eq!(
                Some(ours.last_frame),
                theirs["last_frame"].as_u64(),
                "{what}: last frame"
            );
            assert_eq!(
                Some(ours.packets),
                theirs["packets"].as_u64(),
                "{what}: packets"
            );
            assert_eq!(
                Some(ours.client_bytes),
                theirs["client_bytes"].as_u64(),
                "{what}: client bytes"
            );
            assert_eq!(
                Some(ours.server_bytes),
                theirs["server_bytes"].as_u64(),
                "{what}: server bytes"
            );
            assert_eq!(Some(ours.gaps), theirs["gaps"].as_u64(), "{what}: gaps");
            checked += 1;
        }
    }
    assert!(checked >= 20);
}

/// Ladder entries as (type, from, frame), without application data
/// (tlstrace lists only the first few records of it).
fn ladder_of(messages: &[(String, String, u64)]) -> Vec<(String, String, u64)> {
    messages
        .iter()
        .filter(|(t, _, _)| t != "application_data")
        .cloned()
        .collect()
}

#[test]
fn handshake_messages_match_tshark_with_keys() {
    let mut compared = 0;
    let mut failures = Vec::new();
    let mut used = vec![false; TSHARK_MISSES.len()];
    for (path, view) in tshark_views() {
        let name = path.display().to_string();
        let (conns, _) = analysis::tls_connections(&mut open(&path), keylog_for(&path), None);
        let tls = view["tls"].as_array().cloned().unwrap_or_default();
        // tshark numbers streams from 0 in order; tlstrace's ids from 1.
        let mut theirs: BTreeMap<u64, Vec<(String, String, u64)>> = BTreeMap::new();
        for stream in &tls {
            let id = stream["stream"].as_u64().expect("stream") + 1;
            let msgs = stream["messages"]
                .as_array()
                .expect("messages")
                .iter()
                .map(|m| {
                    (
                        m["type"].as_str().unwrap_or("").to_string(),
                        m["from"].as_str().unwrap_or("").to_string(),
                        m["frame"].as_u64().unwrap_or(0),
                    )
                })
                .collect();
            theirs.insert(id, msgs);
        }
        for c in &conns {
            let mut ours: Vec<(String, String, u64)> = c
                .tls
                .ladder
                .iter()
                .map(|l| {
                    // A sealed record tlstrace could not open is named by
                    // what RFC 5246 says comes first under the new keys;
                    // tshark calls it "encrypted".
                    let kind = if l.encrypted && l.kind == "finished" {
                        "encrypted".to_string()
                    } else {
                        l.kind.clone()
                    };
                    (kind, l.from.as_str().to_string(), l.frame)
                })
                .collect();
            // Where tshark is wrong (see TSHARK_MISSES), the message must be
            // in tlstrace's ladder; it is then left out of the comparison.
            for (i, (file, frame, from, kind)) in TSHARK_MISSES.iter().enumerate() {
                if name.ends_with(file) {
                    if let Some(pos) = ours
                        .iter()
                        .position(|(t, f, n)| t == kind && f == from && n == frame)
                    {
                        ours.remove(pos);
                        used[i] = true;
                    }
                }
            }
            let expected = theirs.get(&c.info.id).cloned().unwrap_or_default();
            if ladder_of(&ours) != ladder_of(&expected) {
                failures.push(format!(
                    "{name} connection {}:\n  tlstrace: {:?}\n  tshark:   {:?}",
                    c.info.id,
                    ladder_of(&ours),
                    ladder_of(&expected)
                ));
            }
            compared += 1;
        }
        // Every TLS stream tshark saw, tlstrace saw.
        for id in theirs.keys() {
            assert!(
                conns.iter().any(|c| c.info.id == *id),
                "{name}: tshark saw TLS in stream {}, tlstrace did not",
                id - 1
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every exception is real: tlstrace shows the message tshark misses.
    for (i, miss) in TSHARK_MISSES.iter().enumerate() {
        assert!(used[i], "not in tlstrace's ladder: {miss:?}");
    }
    assert!(compared >= 20);
}

/// Messages tshark 4.0 does not show although the stacks sent them, each
/// with the stack's log line that proves it: (capture, frame, from, type).
///
/// - After TLS 1.3 post-handshake authentication tshark stops decrypting the
///   client's records (it moves the client to new keys at the post-handshake
///   Finished, which RFC 8446 §4.6.2 does not do). s_client logged
///   `>>> TLS 1.3, Alert [length 0002], warning close_notify`.
///
/// - In a lossy capture tshark (which does not reassemble out-of-order
///   segments by default) fails to decrypt a TLS 1.3 record that arrived
///   ahead of a lost segment; s_server logged sending
///   `>>> TLS 1.3, Alert [length 0002], warning close_notify` on each of
///   its three connections.
///
/// - The same post-handshake limit on `python-pha-tls13-mtls-ok` (s_client
///   logged `>>> TLS 1.3, Alert [length 0002], warning close_notify`) and
///   `apache-pha-tls13-mtls-ok` (curl does not log the close_notify it
///   sends; the record authenticates under the client's application key).
const TSHARK_MISSES: &[(&str, u64, &str, &str)] = &[
    ("tls13-pha-ok.pcap", 20, "client", "alert"),
    ("python-pha-tls13-mtls-ok.pcap", 25, "client", "alert"),
    ("apache-pha-tls13-mtls-ok.pcap", 20, "client", "alert"),
    ("lossy-tls13-mtls.pcap", 130, "server", "alert"),
];

#[test]
fn ja3_matches_tshark() {
    let mut compared = 0;
    for (path, view) in tshark_views() {
        let (conns, _) = analysis::tls_connections(&mut open(&path), None, None);
        for stream in view["tls"].as_array().cloned().unwrap_or_default() {
            let id = stream["stream"].as_u64().unwrap_or(0) + 1;
            let Some(want) = stream["messages"]
                .as_array()
                .and_then(|m| m.iter().find_map(|m| m["ja3"].as_str().map(str::to_string)))
            else {
                continue;
            };
            let conn = conns
                .iter()
                .find(|c| c.info.id == id)
                .expect("connection present");
            let (_, ja3) = Handshake::new(&conn.tls).ja3().expect("a ClientHello");
            assert_eq!(ja3, want, "{} stream {}", path.display(), id - 1);
            compared += 1;
        }
    }
    assert!(compared >= 20, "only {compared} ClientHellos compared");
}

/// The decisive finding each scenario must produce. The scenario is what
/// `make.sh` set up; the server's own error line (in expected.json) must
/// agree, which is checked too.
fn expected_decisive(name: &str, server_error: &str, outcome: &str) -> &'static str {
    let scenario_code = if name.contains("snaplen") {
        // The handshake is cut by the snaplen: only the alert (if any) and
        // the gaps are visible; the alert names the cause.
        if outcome == "failed" && name.contains("expired") {
            "certificate-expired"
        } else if outcome == "failed" {
            "alert-received"
        } else {
            "capture-incomplete"
        }
    } else if name.contains("ca-list-extension-empty") && outcome == "not_reached" {
        // The client aborted on the server's malformed request.
        "ca-list-extension-empty"
    } else if name.contains("sigalgs-cert-unmet") {
        "signature-algorithms-cert-unmet"
    } else if name.contains("-server-") && outcome == "succeeded" {
        // The server's certificate is wrong but the client went on: the
        // client side authenticated (the server-side finding comes second).
        "client-auth-succeeded"
    } else if name.contains("client-rejects-server") {
        "server-certificate-rejected"
    } else if name.contains("protocol-mismatch") {
        "hello-rejected"
    } else if name.contains("resumed") {
        "resumed-session"
    } else if name.contains("chain-broken") {
        "incomplete-chain"
    } else if name.contains("sigalg-not-offered-forced") {
        "signature-scheme-not-offered"
    } else if name.contains("sigalg-not-offered") {
        "client-certificate-empty"
    } else if name.contains("eku-serverauth") {
        "missing-client-auth-eku"
    } else if name.contains("ku-keyencipherment") {
        "key-usage-forbids-signature"
    } else if name.contains("not-yet-valid") {
        "certificate-not-yet-valid"
    } else if name.contains("expired") {
        "certificate-expired"
    } else if name.contains("chain-signature-invalid") {
        "chain-signature-invalid"
    } else if name.contains("issuer-not-a-ca") {
        "issuer-not-a-ca"
    } else if name.contains("server-key-mismatch") {
        "server-signature-invalid"
    } else if name.contains("bad-certificate-verify") {
        "certificate-verify-invalid"
    } else if name.contains("revoked") {
        "certificate-revoked"
    } else if name.contains("missing-intermediate") {
        "incomplete-chain"
    } else if name.contains("unknown-ca") && server_error.contains("did not return a certificate") {
        // Go and JSSE clients send nothing when no certificate they hold
        // was issued by a CA the request lists.
        "client-certificate-empty"
    } else if name.contains("unknown-ca") && name.starts_with("python-") {
        // Python's ssl module asks for a certificate naming no CA.
        "untrusted-issuer"
    } else if name.contains("unknown-ca") {
        "issuer-not-in-ca-list"
    } else if name.contains("no-client-cert")
        || name.contains("optional-no-cert")
        || name.contains("nginx-no-cert")
    {
        "client-certificate-empty"
    } else if name.contains("no-client-auth") {
        "client-auth-not-requested"
    } else if outcome == "succeeded" {
        "client-auth-succeeded"
    } else {
        "unclassified"
    };
    // The stack's log must say the same thing. GnuTLS's server logs only
    // "Error in the certificate." for every verification failure.
    // haproxy logs "SSL client certificate not trusted" for any of them.
    let generic = (server_error.contains("Error in the certificate")
        || server_error.contains("SSL client certificate not trusted"))
        && !matches!(
            scenario_code,
            "client-certificate-empty" | "client-auth-succeeded"
        );
    let log_says = generic
        || match scenario_code {
            "missing-client-auth-eku" | "key-usage-forbids-signature" => {
                server_error.contains("unsuitable certificate purpose")
            }
            "certificate-not-yet-valid" => server_error.contains("not yet valid"),
            "certificate-expired" => [
                "expired",
                "EXPIRED",
                "validity check failed",
                "ssl_c_verify=10",
            ]
            .iter()
            .any(|p| server_error.contains(p)),
            "signature-scheme-not-offered" => server_error.contains("wrong signature type"),
            "chain-signature-invalid" => server_error.contains("certificate signature failure"),
            "issuer-not-a-ca" => server_error.contains("invalid CA certificate"),
            "server-signature-invalid" => outcome == "not_reached",
            "server-certificate-rejected" | "hello-rejected" | "resumed-session" => {
                matches!(outcome, "not_reached" | "not_requested" | "succeeded")
            }
            "certificate-revoked" => server_error.contains("revoked"),
            "certificate-verify-invalid" => {
                server_error.contains("tls_process_cert_verify:bad signature")
            }
            "incomplete-chain" | "issuer-not-in-ca-list" | "untrusted-issuer" => [
                "unable to get local issuer certificate",
                "signed by unknown authority",
                "unable to find valid certification path",
                "UnknownIssuer",
                "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
                "ssl_c_err=20",
            ]
            .iter()
            .any(|p| server_error.contains(p)),
            "client-certificate-empty" => {
                outcome == "not_provided"
                    || [
                        "did not return a certificate",
                        "no required SSL certificate",
                        "No certificate was found",
                        "Certificate is required",
                        "didn't provide a certificate",
                        "Empty client certificate chain",
                        "NoCertificatesPresented",
                        "Client certificate missing",
                        "no client certificate",
                        "ssl_c_used=0",
                        // haproxy and Apache's renegotiation say no more.
                        "SSL handshake failure",
                        "Re-negotiation handshake failed",
                    ]
                    .iter()
                    .any(|p| server_error.contains(p))
            }
            "alert-received" => !server_error.is_empty(),
            _ => true,
        };
    assert!(
        log_says,
        "{name}: the server's log ({server_error:?}) does not support {scenario_code}"
    );
    scenario_code
}

/// Findings a scenario must produce besides its decisive one.
const ALSO_EXPECTED: &[(&str, &str)] = &[
    ("ca-list-empty", "ca-list-empty"),
    ("smtp-starttls", "ca-list-empty"),
    ("ca-list-too-large", "ca-list-too-large"),
    ("ca-list-extension-empty", "ca-list-extension-empty"),
    ("chain-misordered", "chain-misordered"),
    ("chain-broken", "chain-broken"),
    ("server-name-mismatch", "server-certificate-name-mismatch"),
    (
        "server-eku-clientauth",
        "server-certificate-missing-server-auth-eku",
    ),
    ("server-expired", "server-certificate-expired"),
    ("reneg", "renegotiation-client-auth"),
    ("pha", "post-handshake-auth"),
];

#[test]
fn verdicts_match_what_the_stacks_logged() {
    let expected: Value = serde_json::from_slice(
        &std::fs::read(captures_dir().join("expected.json")).expect("expected.json"),
    )
    .expect("valid JSON");
    let expected = expected.as_object().expect("an object");
    assert!(expected.len() >= 20);
    let mut failures = Vec::new();
    for (name, e) in expected {
        let file = e["file"].as_str().expect("file");
        let path = captures_dir().join(file);
        let outcome = e["client_auth"].as_str().expect("client_auth");
        let server_error = e["server_error"].as_str().unwrap_or("");
        let (conns, _) = analysis::tls_connections(&mut open(&path), keylog_for(&path), None);
        // The connection that carries the scenario: the last TLS one (some
        // captures hold helper connections first).
        let conn = conns
            .last()
            .unwrap_or_else(|| panic!("{name}: no TLS connection"));
        let d = diagnose(conn);
        let mut want_code = expected_decisive(name, server_error, outcome);
        // What the capture can show: a handshake that ended before client
        // authentication, a resumed session, or a snaplen-cut handshake
        // leaves the verdict unknown (the findings say why).
        // A capture cut before the server's answer cannot show it.
        let cut_before_answer =
            e["cut"].is_object() && e["cut"]["client_auth_in_capture"].is_null();
        let want_outcome = if (name.contains("snaplen") && outcome != "failed")
            || e["resumed"] == true
            || cut_before_answer
        {
            if cut_before_answer {
                want_code = "capture-incomplete";
            }
            "unknown"
        } else {
            outcome
        };
        let first = d.findings.first().map(|f| f.code).unwrap_or("none");
        if d.client_auth.outcome.as_str() != want_outcome || first != want_code {
            failures.push(format!(
                "{name}: got {} / {first}, want {want_outcome} / {want_code} (all: {:?})",
                d.client_auth.outcome.as_str(),
                d.findings.iter().map(|f| f.code).collect::<Vec<_>>()
            ));
            continue;
        }
        // Scenarios whose point is a finding next to the verdict.
        for (part, code) in ALSO_EXPECTED {
            // Apache's per-location certificates renegotiate in TLS 1.2.
            let code = if *part == "pha" && name.contains("tls12") {
                &"renegotiation-client-auth"
            } else {
                code
            };
            if name.contains(part) && !d.findings.iter().any(|f| f.code == *code) {
                failures.push(format!("{name}: no {code} finding"));
            }
        }
        // The server's alert, where the stack logged one, is reported.
        if let Some(a) = e["alert"].as_object() {
            let desc = a["description"].as_u64().expect("description") as u8;
            let from = if a["from"].as_str() == Some("server") {
                Side::Server
            } else {
                Side::Client
            };
            assert!(
                conn.tls
                    .alerts
                    .iter()
                    .any(|x| x.from == from && x.description == desc && !x.encrypted),
                "{name}: alert {desc} from {from:?} not found"
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Each TLS 1.3 failure, decrypted, gets the verdict and decisive finding
/// of its TLS 1.2 twin.
#[test]
fn tls13_with_keys_matches_its_tls12_twin() {
    let mut pairs = 0;
    for entry in std::fs::read_dir(captures_dir()).expect("captures/") {
        let path = entry.expect("entry").path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(rest) = name
            .strip_prefix("tls13-")
            .and_then(|r| r.strip_suffix(".pcap"))
        else {
            continue;
        };
        let twin = captures_dir().join(format!("tls12-{rest}.pcap"));
        if !twin.exists() {
            continue;
        }
        let verdict = |p: &Path| {
            let (conns, _) = analysis::tls_connections(&mut open(p), keylog_for(p), None);
            let d = diagnose(conns.last().expect("a TLS connection"));
            (d.client_auth.outcome, d.findings.first().map(|f| f.code))
        };
        assert_eq!(verdict(&path), verdict(&twin), "{name} vs its TLS 1.2 twin");
        pairs += 1;
    }
    assert!(pairs >= 8, "only {pairs} twins");
}

#[test]
fn every_finished_verifies_with_the_key_log() {
    let mut checked = 0;
    for (path, _) in tshark_views() {
        let Some(keys) = keylog_for(&path) else {
            continue;
        };
        let (conns, _) = analysis::tls_connections(&mut open(&path), Some(keys), None);
        for c in conns {
            // The right keys never look wrong, gaps included (lossy captures).
            assert!(
                !c.tls
                    .issues
                    .iter()
                    .any(|i| i.kind == tlstrace::tls::stream::IssueKind::KeysWrong),
                "{}: keys-wrong with the right key log",
                path.display()
            );
            for (side, frame, ok) in &c.tls.finished_checks {
                assert!(
                    ok,
                    "{}: {side:?} Finished at frame {frame} does not verify",
                    path.display()
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 40, "only {checked} Finished messages checked");
}

#[test]
fn a_wrong_key_log_gives_keys_wrong() {
    let path = captures_dir().join("tls13-expired.pcap");
    let text = std::fs::read_to_string(captures_dir().join("tls13-expired.keys")).expect("keys");
    // Same client randoms, other secrets: flip the last hex digit of each.
    let wrong: String = text
        .lines()
        .map(|l| {
            let mut s = l.to_string();
            if let Some(last) = s.pop() {
                s.push(if last == '0' { '1' } else { '0' });
            }
            s + "\n"
        })
        .collect();
    let (log, _) = KeyLog::parse(wrong.as_bytes());
    let (conns, _) = analysis::tls_connections(&mut open(&path), Some(log), None);
    let d = diagnose(conns.last().expect("connection"));
    assert!(
        d.findings.iter().any(|f| f.code == "keys-wrong"),
        "{:?}",
        d.findings.iter().map(|f| f.code).collect::<Vec<_>>()
    );
    // With keys that do not open the records, the verdict is what the
    // record sizes show, and says it is inferred.
    assert_eq!(d.client_auth.outcome.as_str(), "failed");
    assert!(!d.findings[0].observed, "{:?}", d.findings[0]);
}

/// Splits a little-endian pcapng file into its blocks.
fn pcapng_blocks(data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos + 12 <= data.len() {
        let len = u32::from_le_bytes([data[pos + 4], data[pos + 5], data[pos + 6], data[pos + 7]])
            as usize;
        assert!(len >= 12 && pos + len <= data.len(), "block at {pos}");
        out.push(&data[pos..pos + len]);
        pos += len;
    }
    out
}

#[test]
fn secrets_block_after_the_packets_still_decrypts() {
    let path = captures_dir().join("tls13-expired-dsb.pcapng");
    let data = std::fs::read(&path).expect("capture");
    let blocks = pcapng_blocks(&data);
    let is_dsb = |b: &&[u8]| b[..4] == 0x0000_000Au32.to_le_bytes();
    assert_eq!(
        blocks.iter().filter(|b| is_dsb(b)).count(),
        1,
        "one secrets block"
    );
    // The same file with the secrets block moved to the very end.
    let mut moved: Vec<u8> = blocks
        .iter()
        .filter(|b| !is_dsb(b))
        .flat_map(|b| b.iter().copied())
        .collect();
    moved.extend(
        blocks
            .iter()
            .filter(|b| is_dsb(b))
            .flat_map(|b| b.iter().copied()),
    );
    let tmp = std::env::temp_dir().join(format!("tlstrace-dsb-last-{}.pcapng", std::process::id()));
    std::fs::write(&tmp, &moved).expect("write");
    let p = tmp.to_str().expect("utf-8");
    let (keys, _) = analysis::load_secrets(p, &[]).expect("secrets");
    assert!(
        keys.as_ref().is_some_and(|k| !k.is_empty()),
        "secrets found at the end of the file"
    );
    let (conns, _) =
        analysis::tls_connections(&mut CaptureReader::open(p).expect("opens"), keys, None);
    let d = diagnose(conns.last().expect("a TLS connection"));
    assert_eq!(d.client_auth.outcome.as_str(), "failed");
    assert_eq!(
        d.findings.first().map(|f| f.code),
        Some("certificate-expired")
    );
    let _ = std::fs::remove_file(tmp);
}

/// No signature in the corpus is bad except where the scenario makes it so,
/// and every accepted client proved its key.
#[test]
fn handshake_and_chain_signatures_verify() {
    let mut verified = 0;
    let mut behind_refused_chain = 0;
    for (path, _) in tshark_views() {
        let name = path.display().to_string();
        let (conns, _) = analysis::tls_connections(&mut open(&path), keylog_for(&path), None);
        for c in &conns {
            let d = diagnose(c);
            // A CertificateVerify behind a chain the server refused with a
            // chain's alert is not checked by the diagnosis (the server never
            // reached it); checked here, it is good in every such capture,
            // so nothing was lost by not checking it.
            let ctx = tlstrace::diagnose::Context::new(c);
            if chain::server_refused_chain_first(&ctx).is_some() {
                assert!(chain::certificate_verify_moot(&ctx, Side::Client));
                assert!(
                    !d.findings
                        .iter()
                        .any(|f| f.code == "certificate-verify-invalid"),
                    "{name}"
                );
                let check =
                    chain::check_certificate_verify(&ctx, Side::Client).map(|(_, _, check)| check);
                assert!(
                    check.as_ref().is_some_and(|c| c.is_valid()),
                    "{name}: {check:?}"
                );
                behind_refused_chain += 1;
                // --verify-all-signatures checks it all the same.
                let mut audit = tlstrace::diagnose::Context::new(c);
                audit.all_signatures = true;
                assert!(!chain::certificate_verify_moot(&audit, Side::Client));
            }
            for f in &d.findings {
                let bad = matches!(
                    f.code,
                    "certificate-verify-invalid"
                        | "server-signature-invalid"
                        | "chain-signature-invalid"
                        | "issuer-not-a-ca"
                );
                let expected = (name.contains("bad-certificate-verify")
                    && f.code == "certificate-verify-invalid")
                    || (name.contains("chain-signature-invalid")
                        && f.code == "chain-signature-invalid")
                    || (name.contains("issuer-not-a-ca") && f.code == "issuer-not-a-ca")
                    || (name.contains("server-key-mismatch")
                        && f.code == "server-signature-invalid");
                assert!(!bad || expected, "{name}: {} {}", f.code, f.summary);
                // The diagnosis leaves a CertificateVerify the server went
                // past unchecked (the server verified it) and says so; the
                // check itself, made here, must pass all the same. Ed448 is
                // not checked.
                if f.code == "client-auth-succeeded" {
                    assert!(
                        f.evidence.iter().any(|e| e.field == "certificate_verify"
                            && e.value.ends_with(
                                "accepted by the server, which went on past it (not checked again)"
                            )),
                        "{name}: {:?}",
                        f.evidence
                    );
                    let ctx = tlstrace::diagnose::Context::new(c);
                    assert!(chain::peer_accepted_certificate_verify(&ctx, Side::Client));
                    let check = chain::check_certificate_verify(&ctx, Side::Client)
                        .map(|(_, _, check)| check);
                    if name.contains("ed448") {
                        assert!(matches!(check, Some(SigCheck::Unsupported(_))), "{name}");
                    } else {
                        assert!(
                            check.as_ref().is_some_and(|c| c.is_valid()),
                            "{name}: {check:?}"
                        );
                        verified += 1;
                    }
                }
            }
        }
    }
    assert!(verified >= 20, "only {verified} CertificateVerify checked");
    assert!(
        behind_refused_chain >= 10,
        "only {behind_refused_chain} CertificateVerify behind a refused chain"
    );
}

/// Without keys, a renegotiation inside the encrypted channel (how IIS asks
/// for a certificate) is read from its record types and sizes: the verdict
/// is inferred, and the renegotiation is named.
#[test]
fn renegotiation_without_keys_is_read_from_records() {
    for (name, outcome) in [
        ("tls12-reneg-ok.pcap", "succeeded"),
        ("tls12-reneg-expired.pcap", "failed"),
    ] {
        let path = captures_dir().join(name);
        let (conns, _) = analysis::tls_connections(&mut open(&path), None, None);
        let d = diagnose(conns.last().expect("connection"));
        assert_eq!(d.client_auth.outcome.as_str(), outcome, "{name}");
        assert!(d.client_auth.inferred, "{name}");
        assert_eq!(d.client_auth.requested, Some(true), "{name}");
        assert!(!d.findings[0].observed, "{name}");
        assert!(
            d.findings
                .iter()
                .any(|f| f.code == "renegotiation-client-auth"),
            "{name}"
        );
        assert!(
            !d.findings
                .iter()
                .any(|f| f.code == "client-auth-not-requested"),
            "{name}"
        );
    }
}

/// A server that completed the handshake and refused in its application
/// (an HTTP 400/403) is told to check its own deferred verification: the
/// fix follows the server stack identified, not nginx's for every one.
#[test]
fn refusal_above_tls_fix_follows_the_server_stack() {
    for (name, starts, mentions) in [
        ("haproxy-deny-tls13-expired", "haproxy:", "ssl_c_verify"),
        ("haproxy-deny-tls12-no-client-cert", "haproxy:", "ca-file"),
        (
            "node-app-tls13-no-client-cert",
            "Node.js:",
            "authorizationError",
        ),
        (
            "node-app-tls12-expired",
            "Node.js:",
            "rejectUnauthorized: false",
        ),
        ("nginx-tls13-expired", "nginx:", "ssl_client_certificate"),
    ] {
        let path = captures_dir().join(format!("{name}.pcap"));
        let keys = keylog_for(&path);
        let (conns, _) = analysis::explain_connections(&mut open(&path), keys);
        let (_, d) = conns.first().expect("connection");
        let f = d
            .findings
            .iter()
            .find(|f| f.code == "rejected-after-handshake")
            .unwrap_or_else(|| panic!("{name}: no rejected-after-handshake"));
        assert!(f.fix.starts_with(starts), "{name}: {}", f.fix);
        assert!(f.fix.contains(mentions), "{name}: {}", f.fix);
        if starts != "nginx:" {
            assert!(!f.fix.contains("nginx"), "{name}: {}", f.fix);
        }
    }
}

/// Without keys, the resumed connection of tls13-resumed carries over the
/// verdict of connection 1, the only earlier connection to the server that
/// could have issued its ticket: inferred, and saying so.
#[test]
fn tls13_resumption_without_keys_names_the_possible_issuer() {
    let path = captures_dir().join("tls13-resumed.pcap");
    let (conns, _) = analysis::explain_connections(&mut open(&path), None);
    let (k, d) = conns.get(1).expect("the resumed connection");
    assert_eq!(k.info.id, 2);
    assert_eq!(d.client_auth.outcome.as_str(), "succeeded");
    assert!(d.client_auth.inferred);
    let f = &d.findings[0];
    assert_eq!(f.code, "resumed-session");
    assert!(!f.observed, "the issuer is inferred");
    assert!(
        f.evidence
            .iter()
            .any(|e| e.field.starts_with("could have issued")
                && e.value.starts_with("connection 1 ")),
        "{:?}",
        f.evidence
    );
}

/// TLS 1.3 connections whose verdict without keys stays `unknown` although
/// the keys decide it, and why the record layer cannot tell.
const KEYLESS_UNKNOWN: &[(&str, &str)] = &[
    (
        "nginx-tls13-expired",
        "nginx completes every handshake (ssl_verify_client checks above TLS) and refuses with an HTTP 400 and a close of its own; a server that closes after each response looks the same",
    ),
    (
        "nginx-tls13-no-client-cert",
        "as nginx-tls13-expired: the 400 page and the close are the only refusal",
    ),
    (
        "tls13-sigalgs-cert-unmet-curl",
        "the tlslite-ng test server answers curl's request and closes the connection itself, as nginx does when it refuses an HTTP client",
    ),
];

/// TLS 1.3 connections whose server accepts the certificate in the
/// handshake and refuses the client in the application's encrypted answer
/// (an HTTP 403): haproxy with `verify optional` and a deny rule, Node with
/// `rejectUnauthorized: false` and a check of `socket.authorized`. Their
/// records match the same servers' successes in size, order and timing.
/// With keys the verdict is `failed` with `refused_above_tls`; without
/// them it is the handshake's, which the keys confirm (the certificate
/// requested and sent or not, the server went on); the test checks both.
const REFUSED_ABOVE_TLS: &[&str] = &[
    "haproxy-deny-tls13-expired",
    "haproxy-deny-tls13-unknown-ca",
    "haproxy-deny-tls13-no-client-cert",
    "node-app-tls13-expired",
    "node-app-tls13-unknown-ca",
    "node-app-tls13-no-client-cert",
];

/// Every TLS 1.3 connection (and TLS 1.2 renegotiation) of every capture
/// with a key log, diagnosed with and without the keys: without them the verdict is the keyed one,
/// or `unknown` for a reason listed above, never another; at least 95%
/// agree.
#[test]
fn tls13_without_keys_agrees_with_keys() {
    let mut total = 0;
    let mut agree = 0;
    let mut above_tls = 0;
    let mut used_reasons = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(captures_dir())
        .expect("captures/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            matches!(
                p.extension().and_then(|x| x.to_str()),
                Some("pcap" | "pcapng")
            )
        })
        .collect();
    entries.sort();
    for path in entries {
        let Some(keys) = keylog_for(&path) else {
            continue;
        };
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("")
            .to_string();
        let (keyed, _) = analysis::explain_connections(&mut open(&path), Some(keys));
        let (plain, _) = analysis::explain_connections(&mut open(&path), None);
        for ((k, dk), (_, dp)) in keyed.iter().zip(&plain) {
            // TLS 1.3, and TLS 1.2 renegotiations inside the encrypted
            // channel: where the keys hide what decides.
            let renegotiation = dk
                .findings
                .iter()
                .any(|f| f.code == "renegotiation-client-auth");
            if !Handshake::new(&k.tls).is_tls13() && !renegotiation {
                continue;
            }
            total += 1;
            let (ok, op) = (dk.client_auth.outcome, dp.client_auth.outcome);
            let what = format!("{name} connection {}", k.info.id);
            // Refusals above TLS are those listed (and nginx's, whose
            // close of its own makes them `unknown` without keys).
            if dk.client_auth.refused_above_tls {
                assert!(
                    REFUSED_ABOVE_TLS.contains(&name.as_str())
                        || KEYLESS_UNKNOWN.iter().any(|(n, _)| *n == name),
                    "{what}: refused above TLS, and not listed"
                );
            }
            if ok == op {
                agree += 1;
                if dp.client_auth.inferred && !dp.findings.is_empty() {
                    assert!(
                        !dp.findings[0].observed,
                        "{what}: the keyless decisive finding must say it is inferred"
                    );
                }
            } else if REFUSED_ABOVE_TLS.contains(&name.as_str()) {
                above_tls += 1;
                assert!(
                    k.tls.app_marker(Side::Server).is_some() && dk.client_auth.refused_above_tls,
                    "{what}: listed as refused above TLS, but the keys show no refusal in the data"
                );
                assert_eq!(ok.as_str(), "failed", "{what}");
                // Without keys: what the handshake decided, and nothing
                // the keys contradict about it.
                let handshake_verdict = match dk.client_auth.certificate_sent {
                    Some(true) => "succeeded",
                    _ => "not_provided",
                };
                assert_eq!(op.as_str(), handshake_verdict, "{what}");
                assert!(dp.client_auth.inferred, "{what}");
                assert_eq!(
                    (dp.client_auth.requested, dp.client_auth.certificate_sent),
                    (dk.client_auth.requested, dk.client_auth.certificate_sent),
                    "{what}"
                );
            } else if op.as_str() == "unknown" {
                used_reasons.insert(name.clone());
                if !KEYLESS_UNKNOWN.iter().any(|(n, _)| *n == name) {
                    failures.push(format!(
                        "{what}: unknown without keys, {} with them, and no reason listed",
                        ok.as_str()
                    ));
                }
            } else {
                failures.push(format!(
                    "{what}: {} without keys, {} with them ({:?})",
                    op.as_str(),
                    ok.as_str(),
                    dp.findings.first().map(|f| f.code)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for (name, _) in KEYLESS_UNKNOWN {
        assert!(
            used_reasons.contains(*name),
            "{name} is listed as unknown without keys but is not"
        );
    }
    assert_eq!(
        above_tls,
        REFUSED_ABOVE_TLS.len(),
        "every refusal above TLS is one"
    );
    assert!(total >= 40, "only {total} TLS 1.3 connections");
    // Refusals in the application's encrypted answer are out of the record
    // layer's reach by construction; of the rest, 95% must agree.
    let judged = total - above_tls;
    eprintln!(
        "without keys: {agree} of {judged} connections agree, {} unknown with a reason, {above_tls} refused above TLS",
        judged - agree
    );
    assert!(
        agree * 100 >= judged * 95,
        "only {agree} of {judged} TLS 1.3 connections agree without keys ({above_tls} more refused above TLS)"
    );
}

/// Each capture's stacks, from the programs `captures/make*.sh` ran: the
/// server's library (and, where the handshake narrows it down, a product
/// list that must hold the real one), the client's library.
fn stacks_of(name: &str) -> Option<(&'static str, Option<&'static str>, &'static str)> {
    let curl_or_openssl = "OpenSSL";
    Some(match name.split('-').next()? {
        "go" if name.starts_with("go-server") => ("Go crypto/tls", None, curl_or_openssl),
        "go" => ("OpenSSL", None, "Go crypto/tls"),
        "jsse" if name.starts_with("jsse-server") => ("Java JSSE", None, curl_or_openssl),
        "jsse" => ("OpenSSL", None, "Java JSSE"),
        "gnutls" if name.starts_with("gnutls-serv") => ("GnuTLS", None, curl_or_openssl),
        "gnutls" => ("OpenSSL", None, "GnuTLS"),
        "rustls" => ("rustls", None, curl_or_openssl),
        "nginx" => ("OpenSSL", Some("nginx"), curl_or_openssl),
        "apache" => ("OpenSSL", Some("Apache httpd"), curl_or_openssl),
        "haproxy" => ("OpenSSL", Some("haproxy"), curl_or_openssl),
        "stunnel" => ("OpenSSL", Some("stunnel"), curl_or_openssl),
        "node" => ("OpenSSL", Some("Node.js"), curl_or_openssl),
        "python" if name.starts_with("python-server") => {
            ("OpenSSL", Some("Python ssl"), curl_or_openssl)
        }
        "python" => ("OpenSSL", None, curl_or_openssl),
        "tls13" if name.ends_with("-go") => ("OpenSSL", None, "Go crypto/tls"),
        "tls12" | "tls13" | "lossy" | "multi" => ("OpenSSL", None, curl_or_openssl),
        _ => return None,
    })
}

/// The stack identification is right on every capture of each stack, with
/// and without keys: the library always (when one is named), the product
/// among those named.
#[test]
fn stacks_are_identified() {
    let expected: Value = serde_json::from_slice(
        &std::fs::read(captures_dir().join("expected.json")).expect("expected.json"),
    )
    .expect("valid JSON");
    let mut named = 0;
    let mut failures = Vec::new();
    for (name, e) in expected.as_object().expect("an object") {
        let Some((server, product, client)) = stacks_of(name) else {
            continue;
        };
        // tlslite-ng plays the misbehaving side in some captures.
        let tlslite = |side: &str| {
            let programs: &[&str] = if side == "server" {
                &["tlslite_server.py", "tlslite_server13.py"]
            } else {
                &["tlslite_client.py", "bad_cv_client.py"]
            };
            std::fs::read_to_string(captures_dir().join(format!("{name}.{side}.log"))).is_ok_and(
                |l| {
                    l.lines()
                        .filter(|l| l.starts_with("$ "))
                        .any(|l| programs.iter().any(|p| l.contains(p)))
                },
            )
        };
        let path = captures_dir().join(e["file"].as_str().expect("file"));
        for keys in [keylog_for(&path), None] {
            let keyless = keys.is_none();
            let (conns, _) = analysis::explain_connections(&mut open(&path), keys);
            let Some((_, d)) = conns.last() else { continue };
            // Without keys, tlslite-ng's TLS 1.3 server (a test tool) has
            // rustls's shape: one record for its whole flight.
            let skip_server = keyless && tlslite("server") && e["tls_version"] == "1.3";
            if let Some(s) = d.server_stack.as_ref().filter(|_| !skip_server) {
                named += 1;
                let want = if tlslite("server") {
                    "tlslite-ng"
                } else {
                    server
                };
                if s.library.name() != want {
                    failures.push(format!("{name}: server {} , want {want}", s.label()));
                }
                if let Some(p) = product {
                    if !s.products.is_empty() && !s.products.contains(&p) {
                        failures.push(format!("{name}: server {}, want {p} among them", s.label()));
                    }
                }
            }
            if let Some(c) = &d.client_stack {
                let want = if tlslite("client") {
                    "tlslite-ng"
                } else {
                    client
                };
                if c.library.name() != want {
                    failures.push(format!("{name}: client {}, want {want}", c.label()));
                }
            }
        }
        // Where the CertificateRequest or the ServerHello is readable,
        // the server is named.
        if e["tls_version"].as_str() == Some("1.2")
            && !name.contains("snaplen")
            && e["resumed"] != true
        {
            let (conns, _) = analysis::explain_connections(&mut open(&path), None);
            if conns.last().is_some_and(|(_, d)| d.server_stack.is_none()) {
                failures.push(format!("{name}: no server stack named"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(named >= 300, "only {named} server stacks named");
}
