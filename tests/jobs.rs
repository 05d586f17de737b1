//! `explain --jobs N` on one capture: the connections are followed on N
//! threads, and the output must be byte-for-byte that of one thread, on
//! every capture in `captures/`, with and without its key log.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The pcap and pcapng files of one folder.
fn pcaps(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    matches!(
                        p.extension().and_then(|x| x.to_str()),
                        Some("pcap" | "pcapng")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `captures/` and its encapsulation and suite folders.
fn captures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures");
    let mut v = pcaps(&dir);
    v.extend(pcaps(&dir.join("encaps")));
    v.extend(pcaps(&dir.join("suites")));
    v.sort();
    v
}

fn explain(capture: &Path, keys: Option<&Path>, format: &str, jobs: usize) -> (Vec<u8>, i32) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tlstrace"));
    cmd.arg("explain")
        .arg(capture)
        .args(["--format", format, "--jobs", &jobs.to_string()])
        .env("NO_COLOR", "1");
    if let Some(k) = keys {
        cmd.arg("--keylog").arg(k);
    }
    let out = cmd.output().expect("run tlstrace");
    (out.stdout, out.status.code().unwrap_or(-1))
}

#[test]
fn jobs_give_the_output_of_one_thread() {
    let all = captures();
    assert!(all.len() >= 100, "only {} captures", all.len());
    let mut compared = 0;
    let mut connections = 0;
    for capture in &all {
        let keys = capture.with_extension("keys");
        let keyed = keys.exists().then_some(keys.as_path());
        let runs: Vec<Option<&Path>> = match keyed {
            Some(k) => vec![None, Some(k)],
            None => vec![None],
        };
        for keys in runs {
            for format in ["json", "text"] {
                let (one, one_code) = explain(capture, keys, format, 1);
                let (many, many_code) = explain(capture, keys, format, 3);
                assert_eq!(
                    one_code,
                    many_code,
                    "{}: exit status differs with --jobs 3",
                    capture.display()
                );
                if one != many {
                    let a = String::from_utf8_lossy(&one);
                    let b = String::from_utf8_lossy(&many);
                    let line = a
                        .lines()
                        .zip(b.lines())
                        .position(|(x, y)| x != y)
                        .unwrap_or(0);
                    panic!(
                        "{} ({format}, keys: {}): --jobs 3 differs from --jobs 1 at line {}:\n  1: {:?}\n  3: {:?}",
                        capture.display(),
                        keys.is_some(),
                        line + 1,
                        a.lines().nth(line),
                        b.lines().nth(line)
                    );
                }
                if format == "json" {
                    connections += String::from_utf8_lossy(&one)
                        .matches("\n    {\n      \"id\":")
                        .count();
                }
                compared += 1;
            }
        }
    }
    eprintln!("{compared} runs compared, {connections} connections");
    assert!(
        connections >= 200,
        "only {connections} connections compared"
    );
}

#[path = "../examples/hostile.rs"]
mod hostile;

/// Connections that never deliver a byte (a SYN alone) are closed without
/// ever being opened. Each thread must still answer for them: the calling
/// thread waits for every connection the reader closes, and once more than
/// `MAX_IN_FLIGHT` waited, the reader waited too, for ever (a corpus
/// capture with scanning SYNs hung this way in CI). The reader hands
/// closes over in groups when it reads a file and one by one from stdin:
/// both are run.
#[test]
fn connections_closed_unopened_do_not_stall_the_threads() {
    let dir = std::env::temp_dir().join(format!("tlstrace-jobs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("syns.pcap");
    let mut w = Vec::new();
    hostile::pcap_header(&mut w).expect("header");
    let server = ([10, 255, 0, 1], 443);
    let hello = hostile::client_hello_record();
    for i in 0..300u32 {
        let client = ([10, 1, (i / 250) as u8, 1], 2000 + (i % 250) as u16);
        hostile::packet(&mut w, i, client, server, 1000, hostile::SYN, &[]).expect("syn");
        // Every tenth connection says something, so there is output to
        // compare between the unopened ones.
        if i % 10 == 0 {
            hostile::packet(&mut w, i, client, server, 1001, hostile::PSH_ACK, &hello)
                .expect("hello");
        }
    }
    std::fs::write(&path, &w).expect("write capture");

    let run = |jobs: usize, from_stdin: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tlstrace"));
        cmd.arg("explain");
        if from_stdin {
            cmd.arg("-")
                .stdin(std::fs::File::open(&path).expect("capture"));
        } else {
            cmd.arg(&path);
        }
        let mut child = cmd
            .args(["--format", "json", "--jobs", &jobs.to_string()])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("run tlstrace");
        let mut out = Vec::new();
        let mut stdout = child.stdout.take().expect("stdout");
        let reading = std::thread::spawn(move || {
            use std::io::Read;
            let _ = stdout.read_to_end(&mut out);
            out
        });
        // Generous: this is a guard against a deadlock, not a timing.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        while child.try_wait().expect("wait").is_none() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        if child.try_wait().expect("wait").is_none() {
            let _ = child.kill();
            let _ = child.wait();
            panic!("--jobs {jobs} did not finish: the threads wait on each other");
        }
        reading.join().expect("stdout reader")
    };
    let one = run(1, false);
    let two = run(2, false);
    let piped = run(2, true);
    assert_eq!(
        String::from_utf8_lossy(&one),
        String::from_utf8_lossy(&two),
        "--jobs 2 differs from --jobs 1"
    );
    let named = format!("\"file\": {}", serde_json::json!(path.to_string_lossy()));
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        String::from_utf8_lossy(&one).replace(&named, "\"file\": \"-\""),
        String::from_utf8_lossy(&piped),
        "--jobs 2 from stdin differs from --jobs 1"
    );
    let explained = String::from_utf8_lossy(&one)
        .matches("\"client_hello\"")
        .count();
    assert_eq!(
        explained, 30,
        "every connection with a ClientHello explained"
    );
}
