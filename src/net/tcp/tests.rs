//! Crafted segments for the reassembler's edge cases.

use super::conn::{tls_sender_is_client, Conn};
use super::half::HalfStream;
use super::*;
use crate::net::{TcpFlags, TcpSegment};

#[derive(Default)]
struct Rec {
    opened: Vec<ConnInfo>,
    data: [Vec<u8>; 2],
    frames: Vec<(Direction, u64, u64)>,
    gaps: Vec<(Direction, Gap)>,
    conflicts: Vec<(Direction, u64)>,
    closed: Vec<ConnSummary>,
    next: std::collections::HashMap<(u64, usize), u64>,
}

impl StreamHandler for Rec {
    fn on_open(&mut self, conn: &ConnInfo) {
        self.opened.push(conn.clone());
    }
    fn on_data(&mut self, conn: &ConnInfo, dir: Direction, chunk: Chunk<'_>) {
        // Offsets are contiguous within a connection's direction.
        let next = self.next.entry((conn.id, dir.index())).or_insert(0);
        assert_eq!(chunk.offset, *next);
        *next += chunk.data.len() as u64;
        self.data[dir.index()].extend_from_slice(chunk.data);
        self.frames.push((dir, chunk.offset, chunk.frame));
    }
    fn on_gap(&mut self, conn: &ConnInfo, dir: Direction, gap: Gap) {
        let next = self.next.entry((conn.id, dir.index())).or_insert(0);
        assert_eq!(gap.offset, *next);
        *next += gap.len;
        self.gaps.push((dir, gap));
    }
    fn on_conflict(&mut self, _conn: &ConnInfo, dir: Direction, offset: u64, _frame: u64) {
        self.conflicts.push((dir, offset));
    }
    fn on_close(&mut self, _conn: &ConnInfo, summary: &ConnSummary) {
        self.closed.push(summary.clone());
    }
}

const C: &str = "10.0.0.1:50000";
const S: &str = "10.0.0.2:443";

struct Feed {
    r: TcpReassembler,
    rec: Rec,
    frame: u64,
}

impl Feed {
    fn new() -> Self {
        Feed {
            r: TcpReassembler::default(),
            rec: Rec::default(),
            frame: 0,
        }
    }
    fn with(config: TcpConfig) -> Self {
        Feed {
            r: TcpReassembler::new(config),
            rec: Rec::default(),
            frame: 0,
        }
    }
    fn seg(&mut self, from_client: bool, flags: &str, seq: u32, payload: &[u8], missing: u32) {
        let (src, dst) = if from_client { (C, S) } else { (S, C) };
        self.frame += 1;
        let f = TcpSegment {
            frame: self.frame,
            ts: Timestamp::new(self.frame as i64, 0),
            src: src.parse().unwrap(),
            dst: dst.parse().unwrap(),
            seq,
            ack: 0,
            flags: TcpFlags {
                syn: flags.contains('S'),
                ack: flags.contains('A'),
                fin: flags.contains('F'),
                rst: flags.contains('R'),
            },
            payload,
            missing,
        };
        self.r.process(&f, &mut self.rec);
    }
    fn c(&mut self, seq: u32, p: &[u8]) {
        self.seg(true, "A", seq, p, 0)
    }
    fn s(&mut self, seq: u32, p: &[u8]) {
        self.seg(false, "A", seq, p, 0)
    }
    fn handshake(&mut self, cisn: u32, sisn: u32) {
        self.seg(true, "S", cisn, b"", 0);
        self.seg(false, "SA", sisn, b"", 0);
        self.seg(true, "A", cisn.wrapping_add(1), b"", 0);
    }
    fn end(mut self) -> Rec {
        self.r.finish_all(&mut self.rec);
        self.rec
    }
}

const CD: Direction = Direction::ClientToServer;
const SD: Direction = Direction::ServerToClient;

#[test]
fn in_order_with_handshake_and_fin() {
    let mut f = Feed::new();
    f.handshake(100, 9000);
    f.c(101, b"hello ");
    f.c(107, b"world");
    f.s(9001, b"hi");
    f.seg(true, "FA", 112, b"", 0);
    f.seg(false, "FA", 9003, b"", 0);
    f.seg(true, "A", 113, b"", 0);
    let rec = f.end();
    assert_eq!(rec.data[0], b"hello world");
    assert_eq!(rec.data[1], b"hi");
    assert_eq!(rec.opened[0].client.to_string(), C);
    assert_eq!(rec.opened[0].role_source, RoleSource::Syn);
    let s = &rec.closed[0];
    assert_eq!((s.client_bytes, s.server_bytes, s.gaps), (11, 2, 0));
    assert_eq!((s.first_frame, s.last_frame, s.packets), (1, 9, 9));
    assert_eq!(s.end, ConnEnd::Fin);
    assert_eq!(rec.frames, vec![(CD, 0, 4), (CD, 6, 5), (SD, 0, 6)]);
}

#[test]
fn sequence_numbers_wrap() {
    let mut f = Feed::new();
    let isn = u32::MAX - 3;
    f.handshake(isn, 5);
    f.c(isn.wrapping_add(1), b"abcdef"); // crosses 2^32
    f.c(isn.wrapping_add(7), b"ghi");
    let rec = f.end();
    assert_eq!(rec.data[0], b"abcdefghi");
    assert!(rec.gaps.is_empty());
}

#[test]
fn out_of_order_is_released_when_the_hole_fills() {
    let mut f = Feed::new();
    f.handshake(0, 0);
    f.c(1, b"aaa");
    f.c(7, b"ccc");
    f.c(10, b"ddd");
    assert_eq!(f.rec.data[0], b"aaa");
    f.c(4, b"bbb");
    assert_eq!(f.rec.data[0], b"aaabbbcccddd");
    // Each chunk keeps the frame that carried it.
    assert_eq!(
        f.rec.frames,
        vec![(CD, 0, 4), (CD, 3, 7), (CD, 6, 5), (CD, 9, 6)]
    );
    let rec = f.end();
    assert_eq!(rec.closed[0].detail.out_of_order_segments, 2);
    assert!(rec.gaps.is_empty());
}

#[test]
fn retransmissions_are_dropped() {
    let mut f = Feed::new();
    f.handshake(0, 0);
    f.c(1, b"abcd");
    f.c(1, b"abcd");
    f.c(3, b"cdef"); // partly new
    let rec = f.end();
    assert_eq!(rec.data[0], b"abcdef");
    assert_eq!(rec.closed[0].client_bytes, 6);
    assert_eq!(rec.closed[0].detail.retransmitted_segments, 2);
    assert!(rec.conflicts.is_empty());
}

#[test]
fn conflicting_overlap_first_copy_wins() {
    let mut f = Feed::new();
    f.handshake(0, 0);
    f.c(1, b"abcd");
    f.c(3, b"XYef"); // "cd" rewritten as "XY"
                     // Out-of-order overlap conflict as well.
    f.c(11, b"klmn");
    f.c(9, b"ijKLmnop"); // overlaps "kl" with "KL"
    f.c(7, b"gh");
    let rec = f.end();
    assert_eq!(rec.data[0], b"abcdefghijklmnop");
    assert_eq!(rec.conflicts, vec![(CD, 2), (CD, 10)]);
    assert_eq!(rec.closed[0].detail.conflicting_overlaps, 2);
}

#[test]
fn gap_is_reported_and_delivery_continues() {
    let mut f = Feed::new();
    f.handshake(0, 0);
    f.c(1, b"aaaa");
    // bytes 4..10 never captured
    f.c(11, b"bbbb");
    f.seg(true, "FA", 15, b"", 0);
    f.seg(false, "FA", 1, b"", 0);
    let rec = f.end();
    assert_eq!(rec.data[0], b"aaaabbbb");
    assert_eq!(rec.gaps.len(), 1);
    let (d, g) = rec.gaps[0];
    assert_eq!((d, g.offset, g.len, g.truncated), (CD, 4, 6, false));
    assert_eq!(rec.closed[0].gaps, 1);
    assert_eq!(rec.closed[0].client_bytes, 8);
}

#[test]
fn lost_tail_before_fin_is_a_gap() {
    let mut f = Feed::new();
    f.handshake(0, 0);
    f.c(1, b"aaaa");
    f.seg(true, "FA", 9, b"", 0); // 4 bytes missing before the FIN
    f.seg(false, "FA", 1, b"", 0);
    let rec = f.end();
    assert_eq!(rec.gaps.len(), 1);
    assert_eq!((rec.gaps[0].1.offset, rec.gaps[0].1.len), (4, 4));
}

#[test]
fn buffer_limit_turns_a_hole_into_a_gap() {
    let mut f = Feed::with(TcpConfig {
        max_buffered_bytes: 10,
        ..TcpConfig::default()
    });
    f.handshake(0, 0);
    f.c(1, b"aa");
    f.c(5, b"cccccc"); // hole at 2..4
    assert_eq!(f.rec.data[0], b"aa");
    f.c(11, b"dddddd"); // 12 bytes buffered > 10: the hole is given up
    assert_eq!(f.rec.data[0], b"aaccccccdddddd");
    assert_eq!(f.rec.gaps.len(), 1);
    assert_eq!((f.rec.gaps[0].1.offset, f.rec.gaps[0].1.len), (2, 2));
    f.c(3, b"bb"); // too late: dropped as old
    let rec = f.end();
    assert_eq!(rec.data[0], b"aaccccccdddddd");
}

#[test]
fn snaplen_truncation_is_a_gap() {
    let mut f = Feed::new();
    f.handshake(0, 0);
    f.seg(true, "A", 1, b"abc", 5); // 8-byte segment, 3 kept
    f.c(9, b"next");
    let rec = f.end();
    assert_eq!(rec.data[0], b"abcnext");
    assert_eq!(rec.gaps.len(), 1);
    let g = rec.gaps[0].1;
    assert_eq!((g.offset, g.len, g.truncated, g.frame), (3, 5, true, 4));
    assert_eq!(rec.closed[0].detail.truncated_segments, 1);
}

#[test]
fn truncated_segment_out_of_order() {
    let mut f = Feed::new();
    f.handshake(0, 0);
    f.seg(true, "A", 5, b"ef", 2); // 4..8, only "ef" kept
    f.c(1, b"abcd");
    f.c(9, b"ij");
    let rec = f.end();
    assert_eq!(rec.data[0], b"abcdefij");
    assert_eq!(rec.gaps.len(), 1);
    assert_eq!((rec.gaps[0].1.offset, rec.gaps[0].1.len), (6, 2));
}

#[test]
fn rst_ends_the_connection() {
    let mut f = Feed::new();
    f.handshake(0, 0);
    f.c(1, b"x");
    f.seg(false, "RA", 1, b"", 0);
    let rec = f.end();
    assert_eq!(rec.closed[0].end, ConnEnd::Rst);
}

#[test]
fn new_syn_on_closed_tuple_starts_a_new_connection() {
    let mut f = Feed::new();
    f.handshake(0, 0);
    f.c(1, b"first");
    f.seg(true, "FA", 6, b"", 0);
    f.seg(false, "FA", 1, b"", 0);
    f.seg(true, "A", 7, b"", 0); // late ACK belongs to the first connection
    f.handshake(5000, 7000);
    f.c(5001, b"second");
    let rec = f.end();
    assert_eq!(rec.closed.len(), 2);
    assert_eq!(rec.closed[0].id, 1);
    assert_eq!(rec.closed[0].packets, 7);
    assert_eq!(rec.closed[0].client_bytes, 5);
    assert_eq!(rec.closed[1].id, 2);
    assert_eq!(rec.closed[1].client_bytes, 6);
    assert_eq!(rec.closed[1].end, ConnEnd::Open);
}

#[test]
fn mid_stream_client_hello_decides_the_client() {
    // The capture starts after the handshake; the low port sends a ClientHello
    // first, so it is the client even though it has the lower port.
    let mut f = Feed::new();
    let ch = [0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0, 0, 1, 0];
    f.s(500, &ch); // "server" by port (443 < 50000) sends the ClientHello
    f.c(100, b"reply");
    let rec = f.end();
    assert_eq!(rec.opened[0].client.to_string(), S);
    assert_eq!(rec.opened[0].role_source, RoleSource::ClientHello);
    assert_eq!(rec.closed[0].client_bytes, ch.len() as u64);
    assert_eq!(rec.closed[0].server_bytes, 5);
}

#[test]
fn mid_stream_without_client_hello_uses_higher_port() {
    let mut f = Feed::new();
    f.s(500, b"data from 443");
    f.c(100, b"data from 50000");
    let rec = f.end();
    assert_eq!(rec.opened[0].client.to_string(), C);
    assert_eq!(rec.opened[0].role_source, RoleSource::HigherPort);
}

#[test]
fn syn_ack_first_still_knows_the_client() {
    let mut f = Feed::new();
    f.seg(false, "SA", 0, b"", 0);
    f.c(1, b"abc");
    let rec = f.end();
    assert_eq!(rec.opened[0].client.to_string(), C);
    assert_eq!(rec.data[0], b"abc");
}

proptest::proptest! {
    /// Whatever order segments of one stream arrive in, with duplicates,
    /// the delivered bytes are the stream.
    #[test]
    fn any_arrival_order_gives_the_stream(
        cuts in proptest::collection::vec(1usize..40, 1..20),
        order in proptest::collection::vec(0usize..1000, 0..60),
        isn in proptest::prelude::any::<u32>(),
    ) {
        let stream: Vec<u8> = (0..cuts.iter().sum::<usize>()).map(|i| (i * 7 % 251) as u8).collect();
        let mut segs = Vec::new();
        let mut off = 0;
        for c in &cuts {
            segs.push((off, &stream[off..off + c]));
            off += c;
        }
        let mut f = Feed::new();
        f.handshake(isn, 1);
        // Reordered copies (some duplicated), then every segment once more.
        for o in &order {
            let (off, d) = segs[o % segs.len()];
            f.c(isn.wrapping_add(1).wrapping_add(off as u32), d);
        }
        for (off, d) in &segs {
            f.c(isn.wrapping_add(1).wrapping_add(*off as u32), d);
        }
        let rec = f.end();
        proptest::prop_assert_eq!(&rec.data[0], &stream);
        proptest::prop_assert!(rec.gaps.is_empty());
        proptest::prop_assert!(rec.conflicts.is_empty());
    }

    /// Arbitrary segments never panic.
    #[test]
    fn arbitrary_segments_never_panic(
        segs in proptest::collection::vec((proptest::prelude::any::<bool>(), 0u8..32, proptest::prelude::any::<u32>(), proptest::collection::vec(proptest::prelude::any::<u8>(), 0..50), 0u32..100), 0..40)
    ) {
        let mut f = Feed::with(TcpConfig { max_buffered_bytes: 64, max_buffered_segments: 4, ..TcpConfig::default() });
        for (from_client, flags, seq, data, missing) in segs {
            let fl: String = [(1u8, 'F'), (2, 'S'), (4, 'R'), (16, 'A')]
                .iter().filter(|(b, _)| flags & b != 0).map(|(_, c)| *c).collect();
            f.seg(from_client, &fl, seq, &data, missing);
        }
        let _ = f.end();
    }
}

#[test]
fn mid_stream_server_hello_decides_the_server() {
    // No SYN, no ClientHello: the high port sends a ServerHello, so it is
    // the server, whatever the ports say.
    let mut f = Feed::new();
    let sh = [0x16, 0x03, 0x03, 0x00, 0x05, 0x02, 0, 0, 1, 0];
    f.c(100, &sh); // the "client" by port sends the ServerHello
    f.s(500, b"reply");
    let rec = f.end();
    assert_eq!(rec.opened[0].server.to_string(), C);
    assert_eq!(rec.opened[0].role_source, RoleSource::HandshakeMessage);
    assert_eq!(rec.closed[0].server_bytes, sh.len() as u64);
}

#[test]
fn mid_stream_certificate_is_judged_by_what_follows() {
    // Certificate then ServerHelloDone: the server's flight.
    let server_flight = [
        0x16, 0x03, 0x03, 0x00, 0x0b, 0x0b, 0, 0, 3, 0, 0, 0, 0x0e, 0, 0, 0,
    ];
    let mut f = Feed::new();
    f.c(100, &server_flight);
    f.s(500, b"reply");
    let rec = f.end();
    assert_eq!(rec.opened[0].server.to_string(), C);
    // Certificate then ClientKeyExchange: the client's.
    let client_flight = [
        0x16, 0x03, 0x03, 0x00, 0x0c, 0x0b, 0, 0, 3, 0, 0, 0, 0x10, 0, 0, 1, 0,
    ];
    let mut f = Feed::new();
    f.s(500, &client_flight);
    f.c(100, b"reply");
    let rec = f.end();
    assert_eq!(rec.opened[0].client.to_string(), S);
    // A Certificate alone decides nothing: the higher port stays the client.
    let mut f = Feed::new();
    f.s(500, &server_flight[..9]);
    f.c(100, b"reply");
    let rec = f.end();
    assert_eq!(rec.opened[0].role_source, RoleSource::HigherPort);
    assert_eq!(rec.opened[0].client.to_string(), C);
}

#[test]
fn sender_hints_never_panic() {
    for p in [
        &[][..],
        &[0x16, 0x03],
        &[0x16, 0x03, 0x03, 0xff, 0xff, 0x0b, 0xff, 0xff, 0xff],
        &[
            0x17, 0x03, 0x03, 0x00, 0x01, 0x00, 0x16, 0x03, 0x03, 0, 1, 2,
        ],
        &[0x16, 0x03, 0x03, 0x00, 0x04, 0x0b, 0, 0, 0],
    ] {
        let _ = tls_sender_is_client(p);
    }
    assert_eq!(
        tls_sender_is_client(&[0x17, 0x03, 0x03, 0x00, 0x01, 0x00, 0x16, 0x03, 0x03, 0, 1, 2]),
        Some(false)
    );
}

/// An idle flow's reassembly state (docs/robustness.md): its boxed `Conn`
/// and one pointer in the flow table, which keys by the connection's own
/// endpoints.
#[test]
#[cfg(target_pointer_width = "64")]
fn an_idle_flow_stays_small() {
    use std::mem::size_of;
    assert!(size_of::<Conn>() <= 432, "Conn: {}", size_of::<Conn>());
    assert!(
        size_of::<HalfStream>() <= 104,
        "{}",
        size_of::<HalfStream>()
    );
    assert!(
        size_of::<ConnDetail>() <= 104,
        "{}",
        size_of::<ConnDetail>()
    );
    let r = TcpReassembler::default();
    let _: &hashbrown::HashTable<Box<Conn>> = &r.conns;
    assert_eq!(size_of::<Box<Conn>>(), 8);
}
