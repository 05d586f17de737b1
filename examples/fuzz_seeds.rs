//! Extracts seed corpora for the fuzz targets in `fuzz/` from the captures
//! in `captures/`, in the byte layouts `fuzz/src/lib.rs` reads.
//!
//! Usage: `cargo run --example fuzz_seeds -- [CAPTURES_DIR] [OUT_DIR]`
//! (defaults: `captures`, `fuzz/corpus`). Writes one directory per target;
//! the structured targets (`tcp`, `decrypt`) start from nothing.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use tlstrace::capture::{CaptureEvent, CaptureReader};
use tlstrace::net::tcp::{Chunk, ConnInfo, ConnSummary, Direction, Gap, StreamHandler};
use tlstrace::tls::messages::HandshakeMessage;

/// Link types in the order the decode target numbers them.
const LINKS: [u32; 12] = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 9, 105];

struct Seeds {
    out: PathBuf,
    seen: HashSet<u64>,
    written: usize,
}

impl Seeds {
    fn put(&mut self, target: &str, bytes: &[u8]) {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        target.hash(&mut h);
        bytes.hash(&mut h);
        let id = h.finish();
        if bytes.is_empty() || !self.seen.insert(id) {
            return;
        }
        let dir = self.out.join(target);
        let _ = std::fs::create_dir_all(&dir);
        if std::fs::write(dir.join(format!("{id:016x}")), bytes).is_ok() {
            self.written += 1;
        }
    }
}

/// Each connection's streams as the tls_stream target reads them.
#[derive(Default)]
struct Streams {
    open: std::collections::HashMap<u64, Vec<u8>>,
    done: Vec<Vec<u8>>,
}

impl Streams {
    fn push(&mut self, id: u64, op: u8, len: usize, bytes: &[u8]) {
        let s = self.open.entry(id).or_default();
        if s.len() > 64 * 1024 {
            return;
        }
        for piece in bytes.chunks(u16::MAX as usize).chain(
            // A gap has no bytes.
            bytes.is_empty().then_some(&[][..]),
        ) {
            let n = if bytes.is_empty() { len } else { piece.len() };
            let n = n.min(u16::MAX as usize) as u16;
            s.push(op);
            s.extend_from_slice(&n.to_be_bytes());
            s.extend_from_slice(piece);
        }
    }
}

fn dir_bit(dir: Direction) -> u8 {
    match dir {
        Direction::ClientToServer => 0,
        Direction::ServerToClient => 1,
    }
}

impl StreamHandler for Streams {
    fn on_data(&mut self, conn: &ConnInfo, dir: Direction, chunk: Chunk<'_>) {
        self.push(conn.id, dir_bit(dir), chunk.data.len(), chunk.data);
    }
    fn on_gap(&mut self, conn: &ConnInfo, dir: Direction, gap: Gap) {
        let len = gap.len.saturating_sub(1) as usize;
        self.push(conn.id, dir_bit(dir) | 2, len, &[]);
    }
    fn on_close(&mut self, conn: &ConnInfo, _summary: &ConnSummary) {
        if let Some(s) = self.open.remove(&conn.id) {
            self.done.push(s);
        }
    }
}

fn version_selector(v: Option<u16>) -> u8 {
    match v {
        None => 0,
        Some(0x0300) => 1,
        Some(0x0301) => 2,
        Some(0x0302) => 3,
        Some(0x0303) => 4,
        Some(0x0304) => 5,
        Some(_) => 6,
    }
}

fn length_prefixed(out: &mut Vec<u8>, bytes: &[u8]) {
    let n = bytes.len().min(u16::MAX as usize);
    out.extend_from_slice(&(n as u16).to_be_bytes());
    out.extend_from_slice(&bytes[..n]);
}

fn pem_certs(path: &Path) -> Vec<Vec<u8>> {
    use base64::Engine;
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut b64 = String::new();
    let mut inside = false;
    for line in text.lines() {
        if line.starts_with("-----BEGIN CERTIFICATE") {
            inside = true;
            b64.clear();
        } else if line.starts_with("-----END CERTIFICATE") {
            inside = false;
            if let Ok(der) = base64::engine::general_purpose::STANDARD.decode(b64.trim()) {
                out.push(der);
            }
        } else if inside {
            b64.push_str(line.trim());
        }
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let captures = PathBuf::from(args.get(1).map(String::as_str).unwrap_or("captures"));
    let out = PathBuf::from(args.get(2).map(String::as_str).unwrap_or("fuzz/corpus"));
    let mut seeds = Seeds {
        out,
        seen: HashSet::new(),
        written: 0,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&captures)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    // The trust store: the test PKI's root, its intermediate and an
    // unrelated root.
    let mut roots: Vec<Vec<u8>> = Vec::new();
    for pem in ["pki/root.pem", "pki/intermediate.pem", "pki/unrelated.pem"] {
        roots.extend(pem_certs(&captures.join(pem)));
    }
    for path in &files {
        let name = path.to_string_lossy().to_string();
        if name.ends_with(".keys") {
            if let Ok(b) = std::fs::read(path) {
                seeds.put("keylog", &b);
            }
            continue;
        }
        if !(name.ends_with(".pcap") || name.ends_with(".pcapng")) {
            continue;
        }
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        if bytes.len() <= 256 * 1024 {
            seeds.put("capture", &bytes);
            seeds.put("pipeline", &bytes);
        }
        if name.ends_with("tls12-unknown-ca.pcap") || name.ends_with("tls13-mtls-ok.pcap") {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            if gz.write_all(&bytes).is_ok() {
                if let Ok(z) = gz.finish() {
                    seeds.put("capture", &z);
                    seeds.put("pipeline", &z);
                }
            }
        }
        // decode: the first frames, as [selector][u16 length][bytes].
        if let Ok(mut r) = CaptureReader::open(&name) {
            let mut frames = Vec::new();
            let mut n = 0;
            while let Ok(Some(ev)) = r.next_event() {
                if let CaptureEvent::Packet(p) = ev {
                    let Some(sel) = LINKS.iter().position(|l| *l == p.link.0) else {
                        break;
                    };
                    frames.push(sel as u8);
                    length_prefixed(&mut frames, p.data);
                    n += 1;
                    if n == 12 {
                        break;
                    }
                }
            }
            seeds.put("decode", &frames);
        }
        // tls_stream: each connection's byte streams.
        if let Ok(mut r) = CaptureReader::open(&name) {
            let mut tcp = tlstrace::net::tcp::TcpReassembler::default();
            let mut streams = Streams::default();
            tlstrace::net::drive(&mut r, &mut tcp, &mut streams);
            for s in streams.done.iter().take(4) {
                seeds.put("tls_stream", s);
            }
        }
        // handshake and x509: the messages and chains the analysis saw.
        let keys = PathBuf::from(name.replace(".pcapng", ".keys").replace(".pcap", ".keys"));
        let keylog = std::fs::read(&keys)
            .ok()
            .map(|t| tlstrace::tls::keylog::KeyLog::parse(&t).0);
        if let Ok(mut r) = CaptureReader::open(&name) {
            let (conns, _) = tlstrace::analysis::tls_connections(&mut r, keylog, None);
            for c in conns.iter().take(2) {
                for h in &c.tls.handshakes {
                    if let Some(raw) = &h.raw {
                        let mut s = vec![h.msg_type, version_selector(c.tls.version)];
                        s.extend_from_slice(raw.get(4..).unwrap_or_default());
                        seeds.put("handshake", &s);
                    }
                    if let Ok(HandshakeMessage::Certificate(cert)) = &h.message {
                        let chain: Vec<&[u8]> =
                            cert.entries.iter().map(|e| e.der.as_slice()).collect();
                        let n_store = roots.len().min(3);
                        let mut s = vec![(chain.len().min(15) as u8) | (n_store as u8) << 4];
                        for d in chain.iter().take(15) {
                            length_prefixed(&mut s, d);
                        }
                        for d in roots.iter().take(n_store) {
                            length_prefixed(&mut s, d);
                        }
                        seeds.put("x509", &s);
                    }
                }
            }
        }
    }
    println!(
        "wrote {} seed files under {}",
        seeds.written,
        seeds.out.display()
    );
}
