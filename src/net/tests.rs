//! Tests of `net/mod.rs`.

use super::*;
use crate::capture::LinkType;

fn ipv4_tcp(payload: &[u8], total_len_extra: u16) -> Vec<u8> {
    let total = 20 + 20 + payload.len() as u16 + total_len_extra;
    let mut p = vec![
        0x45,
        0,
        (total >> 8) as u8,
        total as u8,
        0,
        1,
        0x40,
        0,
        64,
        6,
        0,
        0,
    ];
    p.extend_from_slice(&[10, 0, 0, 1, 10, 0, 0, 2]);
    p.extend_from_slice(&[0x30, 0x39, 0x01, 0xBB]); // 12345 -> 443
    p.extend_from_slice(&1000u32.to_be_bytes());
    p.extend_from_slice(&2000u32.to_be_bytes());
    p.extend_from_slice(&[0x50, 0x18, 0xFF, 0xFF, 0, 0, 0, 0]);
    p.extend_from_slice(payload);
    p
}

fn pkt(link: LinkType, data: &[u8]) -> Packet<'_> {
    Packet {
        frame: 7,
        ts: Timestamp::new(1, 0),
        link,
        data,
        orig_len: data.len() as u32,
    }
}

#[test]
fn raw_ipv4_segment() {
    let ip = ipv4_tcp(b"hello", 0);
    let mut d = PacketDecoder::new();
    let s = d.decode(&pkt(LinkType::RAW, &ip)).unwrap();
    assert_eq!(s.src.to_string(), "10.0.0.1:12345");
    assert_eq!(s.dst.to_string(), "10.0.0.2:443");
    assert_eq!((s.seq, s.ack), (1000, 2000));
    assert_eq!(s.payload, b"hello");
    assert_eq!(s.missing, 0);
    assert!(s.flags.ack && !s.flags.syn);
}

#[test]
fn snaplen_cut_reports_missing_bytes() {
    let ip = ipv4_tcp(b"hello world", 0);
    let cut = &ip[..ip.len() - 6];
    let mut d = PacketDecoder::new();
    let mut p = pkt(LinkType::RAW, cut);
    p.orig_len = ip.len() as u32;
    let s = d.decode(&p).unwrap();
    assert_eq!(s.payload, b"hello");
    assert_eq!(s.missing, 6);
    assert_eq!(d.stats().truncated, 1);
}

#[test]
fn a_length_field_claiming_more_than_the_wire_is_not_a_cut() {
    // IP says 6 more bytes than the frame had on the wire (not cut by
    // the snaplen): nothing is missing.
    let ip = ipv4_tcp(b"abc", 6);
    let mut d = PacketDecoder::new();
    let s = d.decode(&pkt(LinkType::RAW, &ip)).unwrap();
    assert_eq!((s.payload, s.missing), (&b"abc"[..], 0));
}

/// An outer IPv4 packet of `proto` carrying `inner`.
fn outer_ip(proto: u8, inner: &[u8]) -> Vec<u8> {
    let total = (20 + inner.len()) as u16;
    let mut p = vec![
        0x45,
        0,
        (total >> 8) as u8,
        total as u8,
        0,
        1,
        0x40,
        0,
        64,
        proto,
        0,
        0,
    ];
    p.extend_from_slice(&[192, 0, 2, 1, 192, 0, 2, 2]);
    p.extend_from_slice(inner);
    p
}

fn udp(port: u16, payload: &[u8]) -> Vec<u8> {
    let mut u = 40000u16.to_be_bytes().to_vec();
    u.extend_from_slice(&port.to_be_bytes());
    u.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    u.extend_from_slice(&[0, 0]);
    u.extend_from_slice(payload);
    u
}

#[test]
fn tunnels_are_opened() {
    let ip = ipv4_tcp(b"inner", 0);
    let mut eth = vec![0u8; 12];
    eth.extend_from_slice(&[0x08, 0x00]);
    eth.extend_from_slice(&ip);
    let mut vxlan = vec![0x08, 0, 0, 0, 0, 0, 1, 0];
    vxlan.extend_from_slice(&eth);
    let mut geneve = vec![0x01, 0, 0x65, 0x58, 0, 0, 1, 0, 1, 2, 3, 4];
    geneve.extend_from_slice(&eth);
    let mut gtp = vec![0x32, 0xFF, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0];
    gtp.extend_from_slice(&ip);
    let mut gre = vec![0x00, 0x00, 0x08, 0x00];
    gre.extend_from_slice(&ip);
    let packets = [
        outer_ip(4, &ip),
        outer_ip(17, &udp(4789, &vxlan)),
        outer_ip(17, &udp(6081, &geneve)),
        outer_ip(17, &udp(2152, &gtp)),
        outer_ip(47, &gre),
    ];
    let mut d = PacketDecoder::new();
    for (i, p) in packets.iter().enumerate() {
        let s = d
            .decode(&pkt(LinkType::RAW, p))
            .unwrap_or_else(|| panic!("tunnel {i}"));
        assert_eq!(s.payload, b"inner", "tunnel {i}");
        assert_eq!(s.src.to_string(), "10.0.0.1:12345", "tunnel {i}");
    }
    // Nested beyond the limit: refused, not recursed without end.
    let mut nested = ip.clone();
    for _ in 0..6 {
        nested = outer_ip(4, &nested);
    }
    assert!(d.decode(&pkt(LinkType::RAW, &nested)).is_none());
    // Garbage in a tunnel never panics.
    for p in &packets {
        for cut in 0..p.len() {
            let _ = d.decode(&pkt(LinkType::RAW, &p[..cut]));
        }
    }
}

#[test]
fn pppoe_session_frames_carry_ip() {
    let ip = ipv4_tcp(b"ppp", 0);
    let mut f = vec![0u8; 12];
    f.extend_from_slice(&[0x88, 0x64, 0x11, 0x00, 0x00, 0x07]);
    let len = (ip.len() + 2) as u16;
    f.extend_from_slice(&len.to_be_bytes());
    f.extend_from_slice(&[0x00, 0x21]);
    f.extend_from_slice(&ip);
    f.extend_from_slice(&[0u8; 4]); // trailer beyond the PPPoE length
    let mut d = PacketDecoder::new();
    let s = d.decode(&pkt(LinkType::ETHERNET, &f)).unwrap();
    assert_eq!(s.payload, b"ppp");
}

#[test]
fn ethernet_padding_is_not_payload() {
    let ip = ipv4_tcp(b"", 0);
    let mut f = vec![0u8; 12];
    f.extend_from_slice(&[0x81, 0x00, 0x00, 0x2A, 0x08, 0x00]); // VLAN 42
    f.extend_from_slice(&ip);
    f.extend_from_slice(&[0u8; 6]); // padding to 60 bytes
    let mut d = PacketDecoder::new();
    let s = d.decode(&pkt(LinkType::ETHERNET, &f)).unwrap();
    assert!(s.payload.is_empty());
    assert_eq!(s.missing, 0);
}

#[test]
fn sll_and_sll2_and_null() {
    let ip = ipv4_tcp(b"x", 0);
    let mut sll = vec![0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00];
    sll.extend_from_slice(&ip);
    let mut sll2 = vec![0x08, 0x00];
    sll2.extend_from_slice(&[0u8; 18]);
    sll2.extend_from_slice(&ip);
    let mut null = vec![2, 0, 0, 0];
    null.extend_from_slice(&ip);
    let mut d = PacketDecoder::new();
    for (l, f) in [
        (LinkType::LINUX_SLL, &sll),
        (LinkType::LINUX_SLL2, &sll2),
        (LinkType::NULL, &null),
    ] {
        let s = d.decode(&pkt(l, f)).unwrap();
        assert_eq!(s.payload, b"x", "{l}");
    }
}

#[test]
fn unsupported_link_is_counted_by_name() {
    let mut d = PacketDecoder::new();
    assert!(d.decode(&pkt(LinkType(105), &[0u8; 40])).is_none());
    assert_eq!(
        d.stats().unsupported.get("link type IEEE802_11 (105)"),
        Some(&Unsupported {
            frames: 1,
            first_frame: 7
        })
    );
}

#[test]
fn ipv4_fragments_are_reassembled() {
    // A 60-byte TCP segment split into fragments of 24 and 36 bytes,
    // delivered out of order.
    let seg_payload = [0xABu8; 40];
    let whole = ipv4_tcp(&seg_payload, 0);
    let tcp = &whole[20..];
    let frag = |off: usize, data: &[u8], more: bool| {
        let total = 20 + data.len() as u16;
        let fo = (off / 8) as u16 | if more { 0x2000 } else { 0 };
        let mut p = vec![0x45, 0, (total >> 8) as u8, total as u8, 0x12, 0x34];
        p.extend_from_slice(&fo.to_be_bytes());
        p.extend_from_slice(&[64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
        p.extend_from_slice(data);
        p
    };
    let f2 = frag(24, &tcp[24..], false);
    let f1 = frag(0, &tcp[..24], true);
    let mut d = PacketDecoder::new();
    assert!(d.decode(&pkt(LinkType::RAW, &f2)).is_none());
    let s = d.decode(&pkt(LinkType::RAW, &f1)).unwrap();
    assert_eq!(s.payload, &seg_payload[..]);
    assert_eq!(d.stats().reassembled_datagrams, 1);
}

#[test]
fn garbage_never_panics() {
    let mut d = PacketDecoder::new();
    let ip = ipv4_tcp(b"payload", 0);
    for link in [0u32, 1, 9, 12, 50, 101, 104, 108, 113, 228, 229, 276] {
        for cut in 0..ip.len() {
            let _ = d.decode(&pkt(LinkType(link), &ip[..cut]));
            let mut bad = ip.clone();
            bad[cut] ^= 0xA5;
            let _ = d.decode(&pkt(LinkType(link), &bad));
        }
    }
}

fn ether(ether_type: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1];
    f.extend_from_slice(&ether_type.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// The span/mirror encapsulations of issue 11, each around the same TCP
/// segment: MPLS (a label stack; an Ethernet pseudowire with and without
/// control word), ERSPAN I, II and III, PPTP's enhanced GRE with PPP,
/// Cisco MetaData (SGT), 802.1ah PBB, VN-Tag, E-TAG, NSH, and the PPP and
/// Cisco HDLC link types. Every cut of every frame is decoded without a
/// panic.
#[test]
fn span_encapsulations_are_opened() {
    let ip = ipv4_tcp(b"inner", 0);
    let inner_eth = ether(0x0800, &ip);
    let cat = |parts: &[&[u8]]| parts.concat();
    let label = |v: u32, bos: bool| (v << 12 | u32::from(bos) << 8 | 64).to_be_bytes();
    let frames: Vec<(LinkType, Vec<u8>)> = vec![
        (
            LinkType::ETHERNET,
            ether(0x8847, &cat(&[&label(16, false), &label(17, true), &ip])),
        ),
        (
            LinkType::ETHERNET,
            ether(0x8847, &cat(&[&label(16, true), &[0; 4], &inner_eth])),
        ),
        (
            LinkType::ETHERNET,
            ether(0x8847, &cat(&[&label(16, true), &inner_eth])),
        ),
        (
            LinkType::ETHERNET,
            ether(
                0x0800,
                &outer_ip(47, &cat(&[&[0, 0, 0x88, 0xbe], &inner_eth])),
            ),
        ),
        (
            LinkType::ETHERNET,
            ether(
                0x0800,
                &outer_ip(
                    47,
                    &cat(&[
                        &[0x10, 0, 0x88, 0xbe, 0, 0, 0, 1],
                        &[0x10, 0, 0, 1, 0, 0, 0, 0],
                        &inner_eth,
                    ]),
                ),
            ),
        ),
        (
            LinkType::RAW,
            outer_ip(
                47,
                &cat(&[
                    &[0x10, 0, 0x22, 0xeb, 0, 0, 0, 1],
                    &[0x20, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1],
                    &[0; 8],
                    &inner_eth,
                ]),
            ),
        ),
        (
            LinkType::RAW,
            outer_ip(
                47,
                &cat(&[
                    &[0x30, 0x81, 0x88, 0x0b, 0, 44, 0, 7, 0, 0, 0, 1, 0, 0, 0, 1],
                    &[0xff, 0x03, 0x00, 0x21],
                    &ip,
                ]),
            ),
        ),
        (
            LinkType::RAW,
            outer_ip(
                47,
                &cat(&[
                    &[0x30, 0x01, 0x88, 0x0b, 0, 44, 0, 7, 0, 0, 0, 1],
                    &[0x21],
                    &ip,
                ]),
            ),
        ),
        (
            LinkType::ETHERNET,
            ether(0x8909, &cat(&[&[1, 1, 0, 1, 0, 42, 0x08, 0x00], &ip])),
        ),
        (
            LinkType::ETHERNET,
            ether(
                0x8100,
                &cat(&[&[0, 10, 0x89, 0x09], &[1, 1, 0, 1, 0, 42, 0x08, 0x00], &ip]),
            ),
        ),
        (
            LinkType::ETHERNET,
            ether(0x88e7, &cat(&[&[0, 1, 0x23, 0x45], &inner_eth])),
        ),
        (
            LinkType::ETHERNET,
            ether(0x8926, &cat(&[&[0x80, 1, 0, 2, 0x08, 0x00], &ip])),
        ),
        (
            LinkType::ETHERNET,
            ether(0x893f, &cat(&[&[0, 0, 0, 1, 0, 0, 0x08, 0x00], &ip])),
        ),
        (
            LinkType::ETHERNET,
            ether(
                0x894f,
                &cat(&[&[0x0f, 0xc6, 0x01, 0x03], &[0; 20], &inner_eth]),
            ),
        ),
        (LinkType::PPP_HDLC, cat(&[&[0xff, 0x03, 0x00, 0x21], &ip])),
        (LinkType::PPP, cat(&[&[0x00, 0x21], &ip])),
        (LinkType::C_HDLC, cat(&[&[0x0f, 0x00, 0x08, 0x00], &ip])),
    ];
    let mut d = PacketDecoder::new();
    for (i, (link, f)) in frames.iter().enumerate() {
        let s = d
            .decode(&pkt(*link, f))
            .unwrap_or_else(|| panic!("encapsulation {i}"));
        assert_eq!(s.payload, b"inner", "encapsulation {i}");
        assert_eq!(s.src.to_string(), "10.0.0.1:12345", "encapsulation {i}");
    }
    assert!(
        d.stats().unsupported.is_empty(),
        "{:?}",
        d.stats().unsupported
    );
    for (link, f) in &frames {
        for cut in 0..f.len() {
            let _ = d.decode(&pkt(*link, &f[..cut]));
        }
    }
    // PPP control traffic (LCP) is not IP, and not "unsupported" either.
    let mut d = PacketDecoder::new();
    let before = d.stats().non_ip;
    let lcp = outer_ip(
        47,
        &[
            0x30, 0x01, 0x88, 0x0b, 0, 4, 0, 7, 0, 0, 0, 1, 0xff, 0x03, 0xc0, 0x21,
        ],
    );
    assert!(d.decode(&pkt(LinkType::RAW, &lcp)).is_none());
    assert_eq!(d.stats().non_ip, before + 1);
    assert!(d.stats().unsupported.is_empty());
}

#[test]
fn esp_stays_named() {
    let mut d = PacketDecoder::new();
    assert!(d
        .decode(&pkt(LinkType::RAW, &outer_ip(50, &[0; 32])))
        .is_none());
    assert!(d.stats().unsupported.keys().any(|k| k.contains("50")));
    assert!(d.decode(&pkt(LinkType(105), &[0; 32])).is_none());
    assert!(d
        .stats()
        .unsupported
        .keys()
        .any(|k| k.contains("IEEE802_11")));
}

#[test]
fn the_progress_hook_is_told_bytes_and_connections() {
    use std::sync::{Arc, Mutex};
    struct Nothing;
    impl tcp::StreamHandler for Nothing {
        fn on_data(&mut self, _: &tcp::ConnInfo, _: tcp::Direction, _: tcp::Chunk<'_>) {}
        fn on_close(&mut self, _: &tcp::ConnInfo, _: &tcp::ConnSummary) {}
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/captures/tls12-mtls-ok.pcap");
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let mut reader = crate::capture::CaptureReader::open(path).expect("the capture opens");
    let calls = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&calls);
    reader.set_progress(Box::new(move |bytes, conns| {
        if let Ok(mut v) = seen.lock() {
            v.push((bytes, conns));
        }
    }));
    let mut tcp = tcp::TcpReassembler::default();
    let out = drive(&mut reader, &mut tcp, &mut Nothing);
    assert!(out.error.is_none());
    let calls = calls.lock().map(|v| v.clone()).unwrap_or_default();
    // Once at the start (nothing reported yet) and once at the end, with
    // the whole file read and every connection counted.
    assert!(!calls.is_empty() && calls.len() <= 2, "{calls:?}");
    assert_eq!(calls.last(), Some(&(size, 1)));
    assert_eq!(reader.bytes_read(), size);
}

/// The direct reading of plain IPv4/IPv6 TCP gives what etherparse's walk
/// gives, segment for segment, and the same counts, on every packet of
/// every capture in `captures/` (with VLAN, SLL, raw IP, tunnels, snaplen
/// cuts, fragments and padding among them), and on crafted edge cases.
#[test]
fn plain_tcp_matches_etherparse() {
    fn segments(path: &std::path::Path, fast: bool) -> (Vec<String>, String) {
        let mut reader = crate::capture::CaptureReader::open(path.to_str().unwrap_or(""))
            .expect("capture opens");
        let mut dec = PacketDecoder::new();
        dec.plain_fast_path = fast;
        let mut out = Vec::new();
        while let Ok(Some(ev)) = reader.next_event() {
            if let crate::capture::CaptureEvent::Packet(p) = ev {
                let seg = dec.decode(&p).map(|s| {
                    format!(
                        "{} {} {} {} {} {:?} {:?} {}",
                        s.frame, s.src, s.dst, s.seq, s.ack, s.flags, s.payload, s.missing
                    )
                });
                out.push(seg.unwrap_or_else(|| format!("frame {}: none", p.frame)));
            }
        }
        (out, format!("{:?}", dec.stats()))
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("captures");
    let mut files = Vec::new();
    for dir in [root.clone(), root.join("encaps")] {
        for e in std::fs::read_dir(&dir).expect("captures/").flatten() {
            let p = e.path();
            if matches!(
                p.extension().and_then(|x| x.to_str()),
                Some("pcap" | "pcapng")
            ) {
                files.push(p);
            }
        }
    }
    assert!(files.len() > 100, "{} captures", files.len());
    let mut segs = 0;
    for f in &files {
        let (fast, fast_stats) = segments(f, true);
        let (slow, slow_stats) = segments(f, false);
        assert_eq!(fast, slow, "{}", f.display());
        assert_eq!(fast_stats, slow_stats, "{}", f.display());
        segs += fast.len();
    }
    assert!(segs > 1000);

    // Crafted: Ethernet padding, a zero total length, a length past the
    // frame, options, fragments, a bad TCP offset, IPv6 with and without
    // an extension header.
    let seg = ipv4_tcp(b"hello", 0);
    let mut cases: Vec<Vec<u8>> = Vec::new();
    let eth = |ip: &[u8]| ether(0x0800, ip);
    cases.push(eth(&seg));
    let mut padded = eth(&seg);
    padded.extend_from_slice(&[0; 12]);
    cases.push(padded);
    for (at, value) in [
        (2usize, 0u8),
        (3, 0),
        (2, 0xff),
        (0, 0x46),
        (6, 0x20),
        (7, 1),
        (32, 0x30),
        (32, 0xf0),
    ] {
        let mut ip = seg.clone();
        if let Some(b) = ip.get_mut(at) {
            *b = value;
        }
        cases.push(eth(&ip));
        cases.push(ip);
    }
    let mut v6 = vec![0x60, 0, 0, 0, 0, 25, 6, 64];
    v6.extend_from_slice(&[0xfe; 32]);
    v6.extend_from_slice(&seg[20..]);
    cases.push(ether(0x86dd, &v6));
    let mut v6_short = v6.clone();
    v6_short[5] = 200;
    cases.push(ether(0x86dd, &v6_short));
    let mut v6_ext = v6.clone();
    v6_ext[6] = 0; // a hop-by-hop header that is not one
    cases.push(ether(0x86dd, &v6_ext));
    for (i, data) in cases.iter().enumerate() {
        for link in [LinkType::ETHERNET, LinkType::RAW] {
            let p = pkt(link, data);
            let mut fast = PacketDecoder::new();
            let mut slow = PacketDecoder::new();
            slow.plain_fast_path = false;
            let a = fast.decode(&p).map(|s| format!("{s:?}"));
            let b = slow.decode(&p).map(|s| format!("{s:?}"));
            assert_eq!(a, b, "case {i} on {link:?}");
            assert_eq!(
                format!("{:?}", fast.stats()),
                format!("{:?}", slow.stats()),
                "case {i}"
            );
        }
    }
}

#[test]
fn endpoint_text_matches_display() {
    let addrs = [
        "0.0.0.0:0",
        "10.0.0.1:443",
        "255.255.255.255:65535",
        "192.168.100.9:50000",
        "1.22.133.4:8",
        "[::1]:443",
        "[fe80::1%3]:8443",
        "[2001:db8::ff00:42:8329]:1",
    ];
    for a in addrs {
        let addr: SocketAddr = a.parse().expect("test address");
        assert_eq!(endpoint_text(&addr), addr.to_string(), "{a}");
    }
}
