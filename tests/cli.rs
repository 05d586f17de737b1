//! The command line as a user meets it: exit codes, stdin, JSON shapes,
//! and that secrets never appear in output.

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tlstrace"))
}

fn capture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("captures")
        .join(name)
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("tlstrace runs")
}

fn stdout_json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn explain_exit_status_follows_the_verdict() {
    let ok = run(&["explain", s(&capture("tls12-mtls-ok.pcap"))]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    let failed = run(&["explain", s(&capture("tls12-unknown-ca.pcap"))]);
    assert_eq!(failed.status.code(), Some(1));
    let text = String::from_utf8_lossy(&failed.stdout);
    assert!(text.contains("FAILED"), "{text}");
    assert!(text.contains("issuer-not-in-ca-list"), "{text}");
    // Usage errors and unreadable files are 2.
    assert_eq!(run(&["explain"]).status.code(), Some(2));
    assert_eq!(
        run(&["explain", "/nonexistent.pcap"]).status.code(),
        Some(2)
    );
    let junk = std::env::temp_dir().join("tlstrace-junk.pcap");
    std::fs::write(&junk, b"this is not a capture at all").expect("write");
    let o = run(&["explain", s(&junk)]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("tlstrace-junk.pcap") && err.contains("at byte 0"),
        "{err}"
    );
}

#[test]
fn explain_json_has_the_documented_shape() {
    let o = run(&[
        "explain",
        s(&capture("tls13-expired.pcap")),
        "--keylog",
        s(&capture("tls13-expired.keys")),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let doc = stdout_json(&o);
    assert_eq!(doc["schema_version"], 1);
    for key in [
        "file",
        "format",
        "frames",
        "link_types",
        "tcp_connections",
        "tls_connections",
    ] {
        assert!(doc["capture"].get(key).is_some(), "capture.{key}");
    }
    let c = &doc["connections"][0];
    for key in [
        "id",
        "client",
        "server",
        "version",
        "sni",
        "decrypted",
        "client_auth",
        "alerts",
        "messages",
        "findings",
        "client_chain",
        "server_chain",
    ] {
        assert!(c.get(key).is_some(), "connection.{key}");
    }
    assert_eq!(c["decrypted"], true);
    assert_eq!(c["client_auth"]["requested"], true);
    assert_eq!(c["client_auth"]["certificate_sent"], true);
    assert_eq!(c["client_auth"]["outcome"], "failed");
    let f = &c["findings"][0];
    assert_eq!(f["code"], "certificate-expired");
    for key in [
        "severity", "summary", "evidence", "observed", "fix", "frames",
    ] {
        assert!(f.get(key).is_some(), "finding.{key}");
    }
    let alert = c["alerts"]
        .as_array()
        .expect("alerts")
        .iter()
        .find(|a| a["from"] == "server")
        .expect("a server alert");
    assert_eq!(alert["code"], 45);
    assert_eq!(alert["name"], "certificate_expired");
    assert_eq!(alert["encrypted"], false);
    let chain = c["client_chain"].as_array().expect("client_chain");
    assert!(chain[0]["not_after"]
        .as_str()
        .is_some_and(|t| t.ends_with('Z')));
    assert!(chain[0]["sha256"].as_str().is_some_and(|h| h.len() == 64));
}

#[test]
fn reads_stdin_in_pieces() {
    let data = std::fs::read(capture("tls12-unknown-ca.pcap")).expect("capture");
    let mut child = bin()
        .args(["connections", "-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        // The file header in small pieces, as a slow pipe delivers it.
        for piece in data[..40].chunks(3) {
            stdin.write_all(piece).expect("write");
            stdin.flush().expect("flush");
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        stdin.write_all(&data[40..]).expect("write");
    });
    let out = child.wait_with_output().expect("output");
    writer.join().expect("writer");
    assert_eq!(out.status.code(), Some(0));
    let conns = stdout_json(&out);
    let c = &conns[0];
    for key in [
        "id",
        "client",
        "server",
        "first_frame",
        "last_frame",
        "packets",
        "client_bytes",
        "server_bytes",
        "gaps",
        "end",
    ] {
        assert!(c.get(key).is_some(), "connections[0].{key}");
    }
    assert_eq!(c["end"], "fin");
}

#[test]
fn secrets_never_appear_in_output() {
    let keys_path = capture("tls13-mtls-ok.keys");
    let keys = std::fs::read_to_string(&keys_path).expect("keys");
    let secrets: Vec<&str> = keys
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().nth(2))
        .filter(|s| s.len() >= 32)
        .collect();
    assert!(!secrets.is_empty());
    // Also a key log with a broken line, which gets reported.
    let broken = std::env::temp_dir().join("tlstrace-broken.keys");
    std::fs::write(
        &broken,
        format!("{keys}CLIENT_HANDSHAKE_TRAFFIC_SECRET zz {}\n", secrets[0]),
    )
    .expect("write");
    for cmd in ["explain", "show", "certs"] {
        for k in [&keys_path, &broken] {
            let o = run(&[
                cmd,
                s(&capture("tls13-mtls-ok.pcap")),
                "--keylog",
                s(k),
                "--format",
                "json",
            ]);
            let all = format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            )
            .to_lowercase();
            for secret in &secrets {
                assert!(
                    !all.contains(&secret.to_lowercase()),
                    "{cmd} printed a secret"
                );
                assert!(
                    !all.contains(&secret[..16].to_lowercase()),
                    "{cmd} printed part of a secret"
                );
            }
        }
    }
    let o = run(&[
        "show",
        s(&capture("tls13-mtls-ok.pcap")),
        "--keylog",
        s(&broken),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("line"),
        "the malformed line is reported: {err}"
    );
}

#[test]
fn show_lists_ca_names_and_client_subjects() {
    let o = run(&["show", s(&capture("tls12-mtls-ok.pcap"))]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("certificate_request"), "{text}");
    // The table wraps its cells to 100 columns.
    assert!(
        text.contains("CA names: O=tlstrace test PKI, CN=tlstrace Test")
            && text.contains("Root CA"),
        "{text}"
    );
    assert!(text.contains("CN=client-good"), "{text}");
    let o = run(&[
        "show",
        s(&capture("tls12-mtls-ok.pcap")),
        "--format",
        "json",
    ]);
    let v = stdout_json(&o);
    let types: Vec<&str> = v[0]["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|m| m["type"].as_str())
        .collect();
    assert!(
        types.starts_with(&["client_hello", "server_hello", "certificate"]),
        "{types:?}"
    );
    assert!(v[0]["ja3"].as_str().is_some_and(|j| j.len() == 32));
    assert!(v[0]["ja4"].as_str().is_some_and(|j| j.starts_with("t1")));
}

#[test]
fn certs_writes_pem_files() {
    let dir = std::env::temp_dir().join(format!("tlstrace-certs-{}", std::process::id()));
    let o = run(&[
        "certs",
        s(&capture("tls13-mtls-ok.pcap")),
        "--keylog",
        s(&capture("tls13-mtls-ok.keys")),
        "--out",
        s(&dir),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v = stdout_json(&o);
    let list = v.as_array().expect("array");
    assert!(list
        .iter()
        .any(|c| c["side"] == "client" && c["position"] == 0));
    for c in list {
        let name = format!(
            "conn{}-{}-{}.pem",
            c["connection"],
            c["side"].as_str().unwrap_or(""),
            c["position"]
        );
        let pem = std::fs::read_to_string(dir.join(&name)).expect("PEM written");
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"), "{name}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn truncated_capture_reports_what_it_read() {
    let data = std::fs::read(capture("tls12-unknown-ca.pcap")).expect("capture");
    let cut = std::env::temp_dir().join("tlstrace-cut.pcap");
    std::fs::write(&cut, &data[..data.len() - 30]).expect("write");
    let o = run(&["connections", s(&cut), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("truncated") && err.contains("tlstrace-cut.pcap"),
        "{err}"
    );
    let v = stdout_json(&o);
    assert_eq!(v.as_array().map(Vec::len), Some(1));
}

fn explain_json(args: &[&str]) -> Value {
    let mut all = vec!["explain"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    stdout_json(&run(&all))
}

fn codes(doc: &Value) -> Vec<String> {
    doc["connections"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["code"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn trust_store_right_root_builds_the_path() {
    let doc = explain_json(&[
        s(&capture("tls12-mtls-ok.pcap")),
        "--ca",
        s(&capture("pki/root.pem")),
    ]);
    let path = &doc["connections"][0]["client_path"];
    assert_eq!(path["ok"], true, "{path}");
    assert!(codes(&doc).contains(&"trusted-path".to_string()));
    let steps = path["path"].as_array().expect("steps");
    assert_eq!(steps.len(), 3, "leaf, intermediate, root: {path}");
}

#[test]
fn trust_store_wrong_root_is_unknown_issuer() {
    let doc = explain_json(&[
        s(&capture("tls12-mtls-ok.pcap")),
        "--ca",
        s(&capture("pki/unrelated.pem")),
    ]);
    assert_eq!(doc["connections"][0]["client_path"]["ok"], false);
    assert!(
        codes(&doc).contains(&"unknown-issuer".to_string()),
        "{:?}",
        codes(&doc)
    );
}

#[test]
fn trust_store_holding_the_missing_intermediate_says_so() {
    let doc = explain_json(&[
        s(&capture("tls12-missing-intermediate.pcap")),
        "--ca",
        s(&capture("pki/root.pem")),
        "--ca",
        s(&capture("pki/intermediate.pem")),
    ]);
    let c = &doc["connections"][0];
    assert_eq!(c["client_path"]["ok"], true);
    let problems = c["client_path"]["problems"].as_array().expect("problems");
    assert!(problems
        .iter()
        .any(|p| p["kind"] == "missing_intermediate" && p["completes_path"] == true));
    let first = &c["findings"][0];
    assert_eq!(first["code"], "incomplete-chain");
    assert!(
        first.to_string().contains("would complete the path"),
        "{first}"
    );
}

#[test]
fn at_overrides_the_capture_time() {
    let doc = explain_json(&[
        s(&capture("tls12-mtls-ok.pcap")),
        "--ca",
        s(&capture("pki/root.pem")),
        "--at",
        "2050-01-01T00:00:00Z",
    ]);
    assert!(codes(&doc).contains(&"certificate-expired".to_string()));
    assert_eq!(
        doc["connections"][0]["client_path"]["at"],
        "2050-01-01T00:00:00Z"
    );
    assert_eq!(
        run(&["explain", s(&capture("tls12-mtls-ok.pcap")), "--at", "soon"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn an_empty_certificate_is_explained_by_the_same_clients_other_connection() {
    // Two real captures, one after the other: the client first sends a
    // certificate from an unrelated CA, then (to the same server setup)
    // none at all. Legacy pcap: one file header, then both files' records.
    let first = std::fs::read(capture("tls12-unknown-ca.pcap")).expect("capture");
    let second = std::fs::read(capture("tls12-no-client-cert.pcap")).expect("capture");
    let mut merged = first.clone();
    merged.extend_from_slice(&second[24..]);
    let path = std::env::temp_dir().join(format!("tlstrace-merged-{}.pcap", std::process::id()));
    std::fs::write(&path, &merged).expect("write");
    let doc = explain_json(&[s(&path)]);
    let conns = doc["connections"].as_array().expect("connections");
    assert_eq!(conns.len(), 2);
    let empty = &conns[1]["findings"][0];
    assert_eq!(empty["code"], "client-certificate-empty");
    let text = empty.to_string();
    assert!(
        text.contains("in connection 1 this client sent") && text.contains("Unrelated Test CA"),
        "{text}"
    );
    let _ = std::fs::remove_file(path);
}

#[test]
fn completions_for_every_shell_mention_explain() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let o = run(&["completions", shell]);
        assert!(o.status.success(), "{shell}: {:?}", o.status);
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(!text.trim().is_empty(), "{shell}: empty");
        assert!(text.contains("explain"), "{shell}: no explain");
        assert!(text.contains("keylog"), "{shell}: no keylog option");
    }
    assert_eq!(run(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn man_page_is_roff_and_mentions_explain() {
    let o = run(&["man"]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains(".TH tlstrace 1"), "{text}");
    assert!(text.contains("explain"));

    let dir = std::env::temp_dir().join(format!("tlstrace-man-{}", std::process::id()));
    let o = run(&["man", "--dir", s(&dir)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let explain = std::fs::read_to_string(dir.join("tlstrace-explain.1")).expect("page written");
    assert!(
        explain.contains("keylog") && explain.contains("html"),
        "{explain}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn text_output_fits_100_columns() {
    for (cmd, name, keys) in [
        ("explain", "tls13-expired.pcap", Some("tls13-expired.keys")),
        ("explain", "multi-conn-mixed.pcap", None),
        ("explain", "tls13-unknown-ca.pcap", None),
        ("explain", "tls12-missing-intermediate.pcap", None),
        ("show", "tls12-resumed.pcap", None),
        ("show", "tls12-mtls-ok-snaplen200.pcap", None),
        ("certs", "tls13-mtls-ok.pcap", Some("tls13-mtls-ok.keys")),
        ("connections", "multi-conn-mixed.pcap", None),
    ] {
        let file = capture(name);
        let mut args = vec![cmd, s(&file)];
        let keyfile = keys.map(capture);
        if let Some(k) = &keyfile {
            args.extend(["--keylog", s(k)]);
        }
        let o = run(&args);
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(!text.trim().is_empty(), "{cmd} {name}");
        for line in text.lines() {
            assert!(
                line.chars().count() <= 100,
                "{cmd} {name}: {} columns: {line}",
                line.chars().count()
            );
        }
    }
}

/// Many captures: a directory and files, in parallel; JSON Lines carry
/// each connection's capture and agree with the single-capture documents;
/// the text ends with a summary; an unreadable capture gives status 2.
#[test]
fn explain_many_captures() {
    let dir = std::env::temp_dir().join(format!("tlstrace-many-{}", std::process::id()));
    let sub = dir.join("host-a");
    std::fs::create_dir_all(&sub).expect("temp dir");
    let names = [
        "tls12-unknown-ca.pcap",
        "tls13-mtls-ok.pcap",
        "tls13-resumed.pcap",
        "go-server-tls13-expired.pcap",
    ];
    for (i, n) in names.iter().enumerate() {
        let to = if i % 2 == 0 { dir.join(n) } else { sub.join(n) };
        std::fs::copy(capture(n), to).expect("copy");
    }
    std::fs::write(dir.join("notes.txt"), "not a capture").expect("write");
    let o = run(&["explain", s(&dir), "--format", "jsonl", "--jobs", "3"]);
    assert_eq!(o.status.code(), Some(1), "a connection failed");
    let lines: Vec<Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    // As many lines as the single-capture documents have connections, with
    // the same verdicts.
    let mut want = 0;
    for n in names {
        let single = stdout_json(&run(&["explain", s(&capture(n)), "--format", "json"]));
        for c in single["connections"].as_array().expect("connections") {
            want += 1;
            let line = lines
                .iter()
                .find(|l| {
                    l["capture"].as_str().is_some_and(|p| p.ends_with(n)) && l["id"] == c["id"]
                })
                .unwrap_or_else(|| panic!("{n} connection {} missing", c["id"]));
            assert_eq!(line["client_auth"], c["client_auth"], "{n}");
            assert_eq!(line["findings"][0]["code"], c["findings"][0]["code"], "{n}");
        }
    }
    assert_eq!(lines.len(), want);
    // One key log for all captures (ALL.keys), and the same split into
    // several --keylog files: the verdicts of file-by-file runs with each
    // capture's own key log.
    let mut all = Vec::new();
    let mut split = Vec::new();
    for n in names {
        let keys = capture(&n.replace(".pcap", ".keys"));
        all.extend(std::fs::read(&keys).expect("keys"));
        split.push(keys);
    }
    let all_path = dir.join("ALL.keys");
    std::fs::write(&all_path, &all).expect("write keys");
    let mut args = vec![
        "explain",
        s(&dir),
        "--format",
        "jsonl",
        "--keylog",
        s(&all_path),
    ];
    let with_all = run(&args);
    args.truncate(4);
    for k in &split {
        args.push("--keylog");
        args.push(s(k));
    }
    let with_split = run(&args);
    assert_eq!(with_all.stdout.len(), with_split.stdout.len());
    let keyed: Vec<Value> = String::from_utf8_lossy(&with_all.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(keyed.len(), want);
    for (n, keys) in names.iter().zip(&split) {
        let single = stdout_json(&run(&[
            "explain",
            s(&capture(n)),
            "--format",
            "json",
            "--keylog",
            s(keys),
        ]));
        for c in single["connections"].as_array().expect("connections") {
            let line = keyed
                .iter()
                .find(|l| {
                    l["capture"].as_str().is_some_and(|p| p.ends_with(n)) && l["id"] == c["id"]
                })
                .unwrap_or_else(|| panic!("{n} connection {} missing", c["id"]));
            assert_eq!(line["client_auth"], c["client_auth"], "{n} with keys");
            assert_eq!(line["decrypted"], c["decrypted"], "{n} with keys");
        }
    }
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("notes.txt: skipped"), "{err}");
    assert!(err.contains("Summary: 4 capture(s)"), "{err}");
    // Text: captures in order, then the summary; a missing capture is 2.
    let missing = dir.join("gone.pcap");
    let o = run(&["explain", s(&dir), s(&missing)]);
    assert_eq!(o.status.code(), Some(2));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("== "), "{text}");
    let summary = text.split("Summary:").nth(1).expect("a summary");
    assert!(summary.contains("failed"), "{summary}");
    assert!(
        summary.contains("Captures that could not be read"),
        "{summary}"
    );
    assert!(summary.contains("gone.pcap"), "{summary}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The library's document (what the Python package returns) is the CLI's
/// `--format json` document, from a path and from the same bytes.
#[test]
fn library_document_equals_the_cli_json() {
    use std::sync::Arc;
    use tlstrace::explain::{explain_document, CaptureSource, Explainer};
    let root = capture("pki/root.pem");
    let store = tlstrace::x509::path::TrustStore::from_paths(std::slice::from_ref(&root))
        .expect("root.pem");
    for (name, keys, ca) in [
        ("tls12-unknown-ca.pcap", false, false),
        ("tls13-mtls-ok.pcap", true, true),
        ("tls13-expired-dsb.pcapng", false, false),
    ] {
        let path = capture(name);
        let keylog_path = capture(&name.replace(".pcapng", ".keys").replace(".pcap", ".keys"));
        let mut args = vec!["explain", s(&path), "--format", "json"];
        if keys {
            args.extend(["--keylog", s(&keylog_path)]);
        }
        if ca {
            args.extend(["--ca", s(&root)]);
        }
        let cli = stdout_json(&run(&args));
        let keylog = keys.then(|| {
            let text = std::fs::read(&keylog_path).expect("key log");
            Arc::new(tlstrace::tls::keylog::KeyLog::parse(&text).0)
        });
        let ca = ca.then_some(&store);
        let lib = |source: CaptureSource<'_>| {
            let mut ex = Explainer::new(ca, None, None);
            let doc = explain_document(&source, keylog.as_ref(), &mut ex).expect("readable");
            serde_json::to_value(doc).expect("JSON")
        };
        assert_eq!(lib(CaptureSource::Path(s(&path))), cli, "{name}");
        let data: Arc<[u8]> = std::fs::read(&path).expect("capture").into();
        assert_eq!(
            lib(CaptureSource::Bytes {
                name: s(&path),
                data
            }),
            cli,
            "{name} as bytes"
        );
    }
    let mut ex = Explainer::default();
    let err = explain_document(&CaptureSource::Path("/nonexistent.pcap"), None, &mut ex)
        .expect_err("no such file");
    assert!(err.contains("No such file"), "{err}");
}

/// `--server-key` decrypts a static-RSA handshake without a key log (the
/// premaster secret from the ClientKeyExchange, with the extended master
/// secret): the same messages as with the key log; a wrong key does not.
#[test]
fn server_key_decrypts_rsa_key_exchange() {
    let cap = capture("tls12-suite-rsa-aes128-sha.pcap");
    let with_key = stdout_json(&run(&[
        "explain",
        s(&cap),
        "--format",
        "json",
        "--server-key",
        s(&capture("pki/server.key")),
    ]));
    let with_log = stdout_json(&run(&[
        "explain",
        s(&cap),
        "--format",
        "json",
        "--keylog",
        s(&capture("tls12-suite-rsa-aes128-sha.keys")),
    ]));
    let plain = stdout_json(&run(&["explain", s(&cap), "--format", "json"]));
    let c = &with_key["connections"][0];
    assert_eq!(c["decrypted"], true);
    assert_eq!(plain["connections"][0]["decrypted"], false);
    assert_eq!(c["messages"], with_log["connections"][0]["messages"]);
    assert_eq!(c["client_auth"], with_log["connections"][0]["client_auth"]);
    // Another server's key opens nothing.
    let wrong = stdout_json(&run(&[
        "explain",
        s(&cap),
        "--format",
        "json",
        "--server-key",
        s(&capture("pki/client-good.key")),
    ]));
    assert_eq!(wrong["connections"][0]["decrypted"], false);
    // Not a key: a usage error.
    let bad = run(&["explain", s(&cap), "--server-key", s(&cap)]);
    assert_eq!(bad.status.code(), Some(2));
}

/// A key log's `RSA` lines (the premaster secret by the first 8 bytes of
/// its encrypted form) decrypt a static-RSA handshake as its
/// CLIENT_RANDOM line does.
#[test]
fn rsa_key_log_lines_decrypt() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/suites");
    let cap = dir.join("tls12-camellia128-sha256.pcap");
    let full = dir.join("tls12-camellia128-sha256.keys");
    let text = std::fs::read_to_string(&full).expect("keys");
    let rsa: String = text
        .lines()
        .filter(|l| l.starts_with("RSA "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(!rsa.is_empty(), "the capture's key log has an RSA line");
    let only = std::env::temp_dir().join(format!("tlstrace-rsa-{}.keys", std::process::id()));
    std::fs::write(&only, rsa).expect("write");
    let a = stdout_json(&run(&[
        "explain",
        s(&cap),
        "--format",
        "json",
        "--keylog",
        s(&full),
    ]));
    let b = stdout_json(&run(&[
        "explain",
        s(&cap),
        "--format",
        "json",
        "--keylog",
        s(&only),
    ]));
    let _ = std::fs::remove_file(&only);
    assert_eq!(b["connections"][0]["decrypted"], true);
    assert_eq!(a["connections"], b["connections"]);
}

/// A client CertificateVerify the server went on past is not checked again
/// (the server verified it) and the evidence says so;
/// `--verify-all-signatures` checks it all the same, for one capture (on
/// one thread and on two) and for several.
#[test]
fn verify_all_signatures_checks_what_the_peer_accepted() {
    let one = capture("tls12-mtls-ok.pcap");
    let two = capture("apache-tls12-mtls-ok.pcap");
    let cv_evidence = |out: &Output| -> Vec<String> {
        // One JSON document (one capture) or JSON Lines (several).
        let docs: Vec<Value> = match serde_json::from_slice::<Value>(&out.stdout) {
            Ok(v) => vec![v],
            Err(_) => String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter_map(|line| serde_json::from_str(line).ok())
                .collect(),
        };
        docs.into_iter()
            .flat_map(|v| match v.get("connections") {
                Some(Value::Array(a)) => a.clone(),
                _ => vec![v],
            })
            .flat_map(|c| c["findings"].as_array().cloned().unwrap_or_default())
            .flat_map(|f| f["evidence"].as_array().cloned().unwrap_or_default())
            .filter(|e| e["field"] == "certificate_verify")
            .filter_map(|e| e["value"].as_str().map(str::to_string))
            .collect()
    };
    for jobs in ["1", "2"] {
        let default = run(&["explain", s(&one), "--format", "json", "--jobs", jobs]);
        let ev = cv_evidence(&default);
        assert!(
            !ev.is_empty() && ev.iter().all(|e| e.ends_with("(not checked again)")),
            "{ev:?}"
        );
        let all = run(&[
            "explain",
            s(&one),
            "--format",
            "json",
            "--jobs",
            jobs,
            "--verify-all-signatures",
        ]);
        let ev = cv_evidence(&all);
        assert!(
            !ev.is_empty()
                && ev
                    .iter()
                    .all(|e| e.ends_with("signature verified with the certificate's key")),
            "{ev:?}"
        );
    }
    let many = run(&[
        "explain",
        s(&one),
        s(&two),
        "--format",
        "jsonl",
        "--verify-all-signatures",
    ]);
    let ev = cv_evidence(&many);
    assert!(
        ev.len() >= 2
            && ev
                .iter()
                .all(|e| e.ends_with("signature verified with the certificate's key")),
        "{ev:?}"
    );
}
