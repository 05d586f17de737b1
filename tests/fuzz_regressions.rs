//! Every input a fuzz target ever failed on, run again through the same
//! target body (fuzz/src/lib.rs) with plain `cargo test`: no nightly, no
//! cargo-fuzz. Inputs live in tests/data/fuzz/<target>/, one file each,
//! named for what they found (docs/robustness.md lists them).

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod targets;

use std::path::Path;

fn run(target: &str, f: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fuzz")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut files: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    files.sort();
    for path in files {
        let data = std::fs::read(&path).expect("read input");
        eprintln!("{target}: {}", path.display());
        f(&data);
    }
}

#[test]
fn capture() {
    run("capture", targets::capture);
}

#[test]
fn decode() {
    run("decode", targets::decode);
}

#[test]
fn tcp() {
    run("tcp", targets::tcp);
}

#[test]
fn tls_stream() {
    run("tls_stream", targets::tls_stream);
}

#[test]
fn handshake() {
    run("handshake", targets::handshake);
}

#[test]
fn x509() {
    run("x509", targets::x509);
}

#[test]
fn keylog() {
    run("keylog", targets::keylog);
}

#[test]
fn decrypt() {
    run("decrypt", targets::decrypt);
}

#[test]
fn pipeline() {
    run("pipeline", targets::pipeline);
}

/// The targets accept the empty input and a few bytes of each seed layout.
#[test]
fn targets_take_trivial_inputs() {
    let fs: [fn(&[u8]); 9] = [
        targets::capture,
        targets::decode,
        targets::tcp,
        targets::tls_stream,
        targets::handshake,
        targets::x509,
        targets::keylog,
        targets::decrypt,
        targets::pipeline,
    ];
    for f in fs {
        for input in [
            &b""[..],
            b"\x00",
            b"\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00",
            &[0xff; 64],
        ] {
            f(input);
        }
    }
}
