//! Criterion micro-benchmarks of the layers `explain` is built from, each
//! on a real capture held in memory, so that a change to one layer can be
//! measured without the others' noise:
//!
//! - `read_tcp`: the capture reader, link/IP decoding and TCP reassembly
//!   (a handler that only counts the bytes);
//! - `read_tcp_tls`: the same with the TLS layer (records, handshake
//!   messages, and with the key log decryption, transcripts and Finished
//!   checks) — the difference to `read_tcp` is the TLS layer's cost;
//! - `explain_json`: the whole of `explain --format json`, diagnosis and
//!   writing included;
//! - `chain`: a client chain's path checked against its root
//!   (`x509::path::validate_path`, as `--ca` does), and certificate facts.
//!   Both are remembered across connections (`x509::memo`): these are the
//!   costs for a chain seen before, which is what most connections send.
//!
//! `cargo bench --bench components`. The capture is
//! `captures/multi-conn-mixed.pcap` (14 connections, TLS 1.2 and 1.3) with
//! its key log; `TLSTRACE_BENCH_CAPTURE=file.pcap` (and
//! `TLSTRACE_BENCH_KEYS=file.keys`) measures another, e.g. the bench
//! captures of `scripts/bench.sh`. Whole-capture figures against tshark and
//! tcpdump are `scripts/bench.sh`'s (docs/performance.md).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use std::io::Cursor;
use std::path::PathBuf;
use std::sync::Arc;
use tlstrace::capture::CaptureReader;
use tlstrace::explain::{write_capture, Explainer, OutputKind};
use tlstrace::net::tcp::{Chunk, ConnInfo, ConnSummary, Direction, StreamHandler, TcpReassembler};
use tlstrace::tls::keylog::KeyLog;
use tlstrace::tls::{TlsAnalyzer, TlsConfig};
use tlstrace::x509::path::{validate_path, Purpose, TrustStore};
use tlstrace::x509::CertInfo;

fn repo_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(name)
}

fn read(path: &PathBuf) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The capture and its key log (empty when there is none).
fn inputs() -> (String, Arc<Vec<u8>>, Vec<u8>) {
    let capture = std::env::var_os("TLSTRACE_BENCH_CAPTURE")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_file("captures/multi-conn-mixed.pcap"));
    let keys = std::env::var_os("TLSTRACE_BENCH_KEYS")
        .map(PathBuf::from)
        .unwrap_or_else(|| capture.with_extension("keys"));
    let keylog = if keys.exists() {
        read(&keys)
    } else {
        Vec::new()
    };
    let name = capture.display().to_string();
    (name, Arc::new(read(&capture)), keylog)
}

fn reader(name: &str, bytes: &Arc<Vec<u8>>) -> CaptureReader {
    CaptureReader::from_reader(name, Cursor::new(ArcBytes(Arc::clone(bytes))))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The capture's bytes shared between iterations (a reader needs `'static`).
struct ArcBytes(Arc<Vec<u8>>);

impl AsRef<[u8]> for ArcBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// Counts what the reassembler delivers, and nothing more.
#[derive(Default)]
struct CountBytes {
    bytes: u64,
    closed: u64,
}

impl StreamHandler for CountBytes {
    fn on_data(&mut self, _conn: &ConnInfo, _dir: Direction, chunk: Chunk<'_>) {
        self.bytes += chunk.data.len() as u64;
    }
    fn on_close(&mut self, _conn: &ConnInfo, _summary: &ConnSummary) {
        self.closed += 1;
    }
}

fn layers(c: &mut Criterion) {
    let (name, bytes, keylog) = inputs();
    let mut g = c.benchmark_group("layers");
    g.throughput(Throughput::Bytes(bytes.len() as u64));

    g.bench_function("read_tcp", |b| {
        b.iter(|| {
            let mut r = reader(&name, &bytes);
            let mut tcp = TcpReassembler::default();
            let mut h = CountBytes::default();
            tlstrace::net::drive(&mut r, &mut tcp, &mut h);
            assert!(h.closed > 0, "no connection in {name}");
            h.bytes
        })
    });

    let shared = (!keylog.is_empty()).then(|| Arc::new(KeyLog::parse(&keylog).0));
    for (label, keys) in [
        ("read_tcp_tls", None),
        ("read_tcp_tls_keys", shared.clone()),
    ] {
        if label.ends_with("keys") && keys.is_none() {
            continue;
        }
        g.bench_function(label, |b| {
            b.iter(|| {
                let mut r = reader(&name, &bytes);
                let mut tcp = TcpReassembler::default();
                let mut connections = 0u64;
                {
                    let mut tls = TlsAnalyzer::new(TlsConfig::default(), |f| {
                        connections += u64::from(f.tls.detected);
                    })
                    .with_shared_keylog(keys.clone());
                    tlstrace::net::drive(&mut r, &mut tcp, &mut tls);
                }
                assert!(connections > 0, "no TLS in {name}");
                connections
            })
        });
    }

    for (label, with_keys) in [("explain_json", false), ("explain_json_keys", true)] {
        if with_keys && keylog.is_empty() {
            continue;
        }
        g.bench_function(label, |b| {
            b.iter_batched(
                || with_keys.then(|| KeyLog::parse(&keylog).0),
                |keys| {
                    let mut r = reader(&name, &bytes);
                    let mut explainer = Explainer::new(None, None, None).with_jobs(1);
                    let mut out = Vec::with_capacity(1 << 20);
                    write_capture(
                        &name,
                        &mut r,
                        keys,
                        &mut explainer,
                        None,
                        OutputKind::Json,
                        &mut out,
                    );
                    assert!(out.len() > 100);
                    out.len()
                },
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

fn chain(c: &mut Criterion) {
    let pem = |name: &str| read(&repo_file(&format!("captures/pki/{name}")));
    let chain: Vec<Vec<u8>> =
        x509_parser::pem::Pem::iter_from_buffer(&pem("client-good.chain.pem"))
            .map(|p| p.expect("PEM in captures/pki").contents)
            .collect();
    assert!(
        chain.len() >= 2,
        "client-good.chain.pem: leaf and intermediate"
    );
    let store = TrustStore::from_pem_bytes(&pem("root.pem")).expect("root.pem");
    let at = 1_790_000_000;
    let mut g = c.benchmark_group("chain");
    g.bench_function("validate_path", |b| {
        b.iter(|| {
            let report = validate_path(&chain, &store, &[], at, Purpose::ClientAuth);
            assert!(!report.path.is_empty());
            report.path.len()
        })
    });
    g.bench_function("cert_info", |b| {
        b.iter(|| CertInfo::from_der(&chain[0]).map(|i| i.subject.len()))
    });
    g.finish();
}

criterion_group!(benches, layers, chain);
criterion_main!(benches);
