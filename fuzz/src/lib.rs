//! The bodies of tlstrace's fuzz targets, one function per target.
//!
//! `fuzz_targets/*.rs` are one-line wrappers around these, and
//! `tests/fuzz_regressions.rs` in the main crate includes this file to run
//! every kept crashing input with plain `cargo test` (no nightly needed).
//! Each function must return normally for any input: a panic, a hang or an
//! allocation beyond libFuzzer's limit is a finding.
//!
//! Byte layouts that seeds can be written in (see `examples/fuzz-seeds.rs`)
//! are used where real traffic gives good seeds (the TLS stream, handshake
//! messages, certificates); the TCP segment sequence and the decryption
//! inputs are `arbitrary` structures.

use arbitrary::{Arbitrary, Unstructured};
use std::io::Cursor;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use tlstrace::capture::{CaptureEvent, CaptureReader, LinkType, Packet, Timestamp};
use tlstrace::net::tcp::{
    Chunk, ConnInfo, ConnSummary, Direction, Gap, StreamHandler, TcpConfig, TcpReassembler,
};
use tlstrace::net::{PacketDecoder, TcpFlags, TcpSegment};
use tlstrace::tls::{TlsConfig, TlsTracker};

/// Capture bytes (pcap, pcapng, or either gzip-compressed) to packets.
pub fn capture(data: &[u8]) {
    let Ok(mut r) = CaptureReader::from_reader("fuzz", Cursor::new(data.to_vec())) else {
        return;
    };
    let mut n = 0u64;
    while let Ok(Some(ev)) = r.next_event() {
        match ev {
            CaptureEvent::Packet(p) => {
                n += 1;
                assert_eq!(p.frame, n);
                assert!(p.data.len() <= 32 * 1024 * 1024);
            }
            CaptureEvent::Secrets(s) => {
                let _ = tlstrace::tls::keylog::KeyLog::parse(s);
            }
        }
    }
    let _ = r.link_types();
}

/// Link types the decode target picks from.
const LINKS: [u32; 12] = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 9, 105];

/// Link and IP decoding, tunnels and defragmentation: the input is a
/// sequence of frames, each `[link selector][u16 length][bytes]`, fed to
/// one decoder so that fragments can meet.
pub fn decode(data: &[u8]) {
    let mut dec = PacketDecoder::new();
    let mut rest = data;
    let mut frame = 0u64;
    while let [sel, hi, lo, tail @ ..] = rest {
        let len = (usize::from(*hi) << 8 | usize::from(*lo)).min(tail.len());
        let (bytes, next) = tail.split_at(len);
        rest = next;
        frame += 1;
        let pkt = Packet {
            frame,
            ts: Timestamp::new(i64::from(*sel >> 4) * 10, 0),
            link: LinkType(LINKS[usize::from(*sel & 0x0F) % LINKS.len()]),
            data: bytes,
            orig_len: bytes.len() as u32 + u32::from(*sel >> 6) * 100,
        };
        if let Some(seg) = dec.decode(&pkt) {
            assert!(seg.payload.len() <= bytes.len() || bytes.len() < 65536 * 2);
        }
    }
    let _ = dec.stats();
}

/// One TCP segment of the structured TCP target.
#[derive(Debug, Arbitrary)]
pub struct FuzzSegment {
    /// Which of a few endpoints sends it, and to which.
    pub from: u8,
    pub to: u8,
    pub seq: u32,
    pub flags: u8,
    pub payload: Vec<u8>,
    pub missing: u16,
    /// Seconds since the previous segment.
    pub dt: u8,
}

/// The input of the TCP target: small limits make the overflow paths
/// reachable, and the segments are sent as given.
#[derive(Debug, Arbitrary)]
pub struct TcpInput {
    pub max_buffered_bytes: u16,
    pub max_buffered_segments: u8,
    pub recent_bytes: u16,
    pub max_connections: u8,
    pub global_budget: u16,
    pub segments: Vec<FuzzSegment>,
}

fn endpoint(i: u8) -> SocketAddr {
    let port = [443u16, 50000, 50001, 8443][usize::from(i & 3)];
    let ip = Ipv4Addr::new(10, 0, 0, (i >> 2) & 3);
    SocketAddr::new(IpAddr::V4(ip), port)
}

/// Checks what the reassembler promises: per connection and direction,
/// bytes and gaps come in order, each offset once; `on_open` first and
/// `on_close` last.
#[derive(Default)]
struct Checker {
    open: std::collections::HashMap<u64, [u64; 2]>,
    closed: std::collections::HashSet<u64>,
}

impl Checker {
    fn advance(&mut self, conn: &ConnInfo, dir: Direction, offset: u64, len: u64) {
        assert!(!self.closed.contains(&conn.id), "data after close");
        let next = self.open.get_mut(&conn.id).expect("data before open");
        let i = match dir {
            Direction::ClientToServer => 0,
            Direction::ServerToClient => 1,
        };
        assert_eq!(next[i], offset, "out of order delivery");
        next[i] = offset + len;
    }
}

impl StreamHandler for Checker {
    fn on_open(&mut self, conn: &ConnInfo) {
        assert!(self.open.insert(conn.id, [0, 0]).is_none(), "opened twice");
    }
    fn on_data(&mut self, conn: &ConnInfo, dir: Direction, chunk: Chunk<'_>) {
        assert!(!chunk.data.is_empty());
        self.advance(conn, dir, chunk.offset, chunk.data.len() as u64);
    }
    fn on_gap(&mut self, conn: &ConnInfo, dir: Direction, gap: Gap) {
        assert!(gap.len > 0);
        self.advance(conn, dir, gap.offset, gap.len);
    }
    fn on_close(&mut self, conn: &ConnInfo, _summary: &ConnSummary) {
        assert!(self.closed.insert(conn.id), "closed twice");
    }
}

/// TCP reassembly driven by a structured sequence of segments.
pub fn tcp(data: &[u8]) {
    let Ok(input) = TcpInput::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let config = TcpConfig {
        max_buffered_bytes: usize::from(input.max_buffered_bytes),
        max_buffered_segments: usize::from(input.max_buffered_segments),
        recent_bytes: usize::from(input.recent_bytes),
        max_connections: usize::from(input.max_connections).max(1),
        max_buffered_total: usize::from(input.global_budget),
        ..TcpConfig::default()
    };
    let mut tcp = TcpReassembler::new(config);
    let mut h = Checker::default();
    let mut secs = 0i64;
    for (i, s) in input.segments.iter().enumerate() {
        secs += i64::from(s.dt);
        let seg = TcpSegment {
            frame: i as u64 + 1,
            ts: Timestamp::new(secs, 0),
            src: endpoint(s.from),
            dst: endpoint(s.to),
            seq: s.seq,
            ack: 0,
            flags: TcpFlags::from_byte(s.flags),
            payload: &s.payload,
            missing: u32::from(s.missing),
        };
        tcp.process(&seg, &mut h);
        assert!(tcp.open_connections() <= config.max_connections);
        assert!(tcp.buffered_total() <= config.max_buffered_total.max(1 << 20) * 2);
    }
    tcp.finish_all(&mut h);
    // Every connection opened was closed (some close without opening:
    // they carried no data).
    assert!(h.open.keys().all(|id| h.closed.contains(id)));
}

/// The TLS record and handshake stream of one connection: a sequence of
/// `[op][u16 length][bytes]`, where bit 0 of `op` is the direction and
/// bit 1 makes it a gap of `length` bytes instead of data, and bit 3 gives
/// up what is held after data (the budget across connections).
pub fn tls_stream(data: &[u8]) {
    let config = TlsConfig {
        max_handshake_message: 64 * 1024,
        max_transcript: 256 * 1024,
        ..Default::default()
    };
    let mut t = TlsTracker::new(config);
    let mut rest = data;
    let mut frame = 0u64;
    let mut offsets = [0u64; 2];
    while let [op, hi, lo, tail @ ..] = rest {
        frame += 1;
        let dir = if op & 1 == 0 {
            Direction::ClientToServer
        } else {
            Direction::ServerToClient
        };
        let len = usize::from(*hi) << 8 | usize::from(*lo);
        let i = usize::from(op & 1);
        if op & 2 != 0 {
            t.gap(
                dir,
                Gap {
                    offset: offsets[i],
                    len: len as u64 + 1,
                    frame,
                    truncated: op & 4 != 0,
                },
            );
            offsets[i] += len as u64 + 1;
            rest = tail;
            continue;
        }
        let len = len.min(tail.len());
        let (bytes, next) = tail.split_at(len);
        rest = next;
        offsets[i] += len as u64;
        t.data(dir, bytes, frame, Timestamp::new(frame as i64, 0));
        if op & 8 != 0 {
            // The analyzer's budget across connections was exceeded.
            let held = t.held_bytes();
            t.give_up_held(1024);
            assert!(t.held_bytes() <= held);
            // Only the few bytes of a direction not yet recognised stay.
            assert!(t.held_since().is_none() || t.held_bytes() < 16);
        }
    }
    let conn = t.finish(frame);
    assert!(conn.ladder.len() <= 4096 + 8);
    assert!(conn.transcript_bytes <= 256 * 1024);
}

/// Every handshake message parser: `[msg_type][version selector][body]`.
pub fn handshake(data: &[u8]) {
    let [t, v, body @ ..] = data else {
        return;
    };
    let version = match v & 7 {
        0 => None,
        1 => Some(0x0300),
        2 => Some(0x0301),
        3 => Some(0x0302),
        4 => Some(0x0303),
        5 => Some(0x0304),
        6 => Some(0x7f1c),
        _ => Some(u16::from(*v) << 8 | u16::from(*t)),
    };
    if let Ok(m) = tlstrace::tls::messages::parse_handshake(*t, body, version) {
        let _ = format!("{m:?}");
        let _ = m.name();
    }
    let _ = tlstrace::tls::messages::parse_alert(body);
    let _ = tlstrace::tls::messages::split_handshake_header(data);
}

/// Splits `[u16 length][bytes]…` into pieces.
fn pieces(mut rest: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while let [hi, lo, tail @ ..] = rest {
        let len = (usize::from(*hi) << 8 | usize::from(*lo)).min(tail.len());
        let (p, next) = tail.split_at(len);
        out.push(p.to_vec());
        rest = next;
    }
    out
}

/// Certificate facts and path building: `[layout][pieces…]` where each
/// piece is a DER certificate `[u16 length][bytes]`; the layout byte says
/// how many lead the chain (low nibble) and go to the trust store (high
/// nibble); the rest are "seen elsewhere".
pub fn x509(data: &[u8]) {
    let [layout, rest @ ..] = data else {
        return;
    };
    let all = pieces(rest);
    let n_chain = usize::from(layout & 0x0F).min(all.len());
    let n_store = usize::from(layout >> 4).min(all.len() - n_chain);
    let (chain, more) = all.split_at(n_chain);
    let (store_certs, extra) = more.split_at(n_store);
    for d in &all {
        if let Ok(info) = tlstrace::x509::CertInfo::from_der(d) {
            let _ = info.eku_allows_client_auth();
            let _ = info.ku_allows_signature();
            let _ = info.is_ca();
            let _ = tlstrace::x509::dn_string(&info.subject_der);
        }
    }
    let mut store = tlstrace::x509::path::TrustStore::new();
    for d in store_certs {
        let _ = store.add_der(d.clone());
    }
    for purpose in [
        tlstrace::x509::path::Purpose::ClientAuth,
        tlstrace::x509::path::Purpose::ServerAuth,
    ] {
        let report =
            tlstrace::x509::path::validate_path(chain, &store, extra, 1_750_000_000, purpose);
        assert!(report.path.len() <= 16);
    }
}

/// The key log parser, and lookups in what it kept.
pub fn keylog(data: &[u8]) {
    let (log, warnings) = tlstrace::tls::keylog::KeyLog::parse(data);
    for w in warnings.iter().take(4) {
        let _ = w.to_string();
    }
    let mut cr = [0u8; 32];
    let n = data.len().min(32);
    cr[..n].copy_from_slice(&data[..n]);
    let _ = log.secrets_for(&cr);
    let mut again = log.clone();
    again.merge(log);
}

/// Decryption: any supported suite and version, any secret, any records.
#[derive(Debug, Arbitrary)]
pub struct DecryptInput {
    pub suite: u8,
    pub version: u8,
    pub secret: Vec<u8>,
    pub client_random: [u8; 32],
    pub server_random: [u8; 32],
    pub encrypt_then_mac: bool,
    pub records: Vec<(u8, u16, Vec<u8>)>,
    pub key_update_at: Option<u8>,
}

pub fn decrypt(data: &[u8]) {
    use tlstrace::tls::decrypt::{self as dec, RecordDecrypter, Version};
    let Ok(input) = DecryptInput::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let suites = dec::supported_suites();
    let Some(suite) = suites.get(usize::from(input.suite) % suites.len().max(1)) else {
        return;
    };
    let version = [
        Version::Tls10,
        Version::Tls11,
        Version::Tls12,
        Version::Tls13,
    ][usize::from(input.version & 3)];
    let mut decs: Vec<RecordDecrypter> = Vec::new();
    if version == Version::Tls13 {
        if let Ok(d) = RecordDecrypter::tls13(suite, &input.secret) {
            decs.push(d);
        }
        let _ = dec::next_traffic_secret(suite.hash, &input.secret);
        let _ = dec::verify_finished(suite, &input.secret, &[0; 32], &input.secret);
    } else if let Ok((c, s)) = RecordDecrypter::tls12_pair(
        suite,
        version,
        &input.secret,
        &input.client_random,
        &input.server_random,
        input.encrypt_then_mac,
    ) {
        decs.push(c);
        decs.push(s);
    }
    for d in decs.iter_mut() {
        for (i, (ct, ver, body)) in input.records.iter().enumerate() {
            if input.key_update_at == Some(i as u8) {
                let _ = d.key_update();
            }
            let len = body.len().min(usize::from(u16::MAX)) as u16;
            let [vh, vl] = ver.to_be_bytes();
            let [lh, ll] = len.to_be_bytes();
            let header = [*ct, vh, vl, lh, ll];
            if let Ok(pt) = d.open(&header, body) {
                assert!(pt.data.len() <= body.len());
            }
        }
    }
}

/// The whole pipeline: capture bytes to explain JSON and text.
pub fn pipeline(data: &[u8]) {
    let Ok(mut r) = CaptureReader::from_reader("fuzz", Cursor::new(data.to_vec())) else {
        return;
    };
    let (found, _outcome) = tlstrace::analysis::explain_connections(&mut r, None);
    for (f, d) in &found {
        let j = tlstrace::report::explain::ConnectionJson::new(f, d);
        let s = String::from_utf8(tlstrace::report::explain::connection_json(&j))
            .expect("a connection's JSON is UTF-8");
        assert!(s.trim_start().starts_with('{'));
        let _ = tlstrace::report::explain::text_connection(
            f,
            d,
            tlstrace::report::explain::Style { color: false },
        );
    }
}
