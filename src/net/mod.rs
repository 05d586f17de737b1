//! The network layer: from captured frames to TCP segments, and TCP segments
//! to ordered byte streams ([`tcp`]).
//!
//! etherparse walks Ethernet, VLAN/QinQ tags, IPv4 and IPv6 with its
//! extension headers; it is used in its lax mode so that a packet cut short by
//! the snaplen still yields its TCP header and whatever payload was kept.
//! IPv4 and IPv6 fragments are put back together with etherparse's
//! defragmentation pool.

pub mod tcp;

use crate::capture::{network_layer, NetworkLayer, Packet, Timestamp};
use etherparse::defrag::IpDefragPool;
use etherparse::{EtherType, IpNumber, LaxNetSlice, LaxSlicedPacket, SlicedPacket};
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};

/// The TCP flags tlstrace looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TcpFlags {
    pub syn: bool,
    pub ack: bool,
    pub fin: bool,
    pub rst: bool,
}

impl TcpFlags {
    pub fn from_byte(b: u8) -> TcpFlags {
        TcpFlags {
            fin: b & 0x01 != 0,
            syn: b & 0x02 != 0,
            rst: b & 0x04 != 0,
            ack: b & 0x10 != 0,
        }
    }
}

/// One TCP segment as captured.
#[derive(Debug, Clone, Copy)]
pub struct TcpSegment<'a> {
    pub frame: u64,
    pub ts: Timestamp,
    pub src: SocketAddr,
    pub dst: SocketAddr,
    pub seq: u32,
    pub ack: u32,
    pub flags: TcpFlags,
    /// The payload bytes the capture kept.
    pub payload: &'a [u8],
    /// Payload bytes the packet carried on the wire but the capture cut off
    /// (snaplen). They are a gap in the stream.
    pub missing: u32,
}

/// What the decoder saw that was not a TCP segment, by kind.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct DecodeStats {
    pub tcp_segments: u64,
    pub udp: u64,
    pub other_ip: u64,
    pub non_ip: u64,
    pub malformed: u64,
    /// TCP segments whose payload the snaplen cut.
    pub truncated: u64,
    pub ip_fragments: u64,
    pub reassembled_datagrams: u64,
    /// Frames of link types or encapsulations tlstrace cannot read, by name.
    pub unsupported: BTreeMap<String, Unsupported>,
}

/// Frames of one kind tlstrace cannot read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Unsupported {
    pub frames: u64,
    /// The first such frame, to find it in the capture.
    pub first_frame: u64,
}

/// Turns captured frames into TCP segments.
pub struct PacketDecoder {
    defrag: IpDefragPool<i64>,
    defragged: Vec<u8>,
    stats: DecodeStats,
    since_prune: u32,
    /// The frame being decoded (for reports).
    frame: u64,
    /// Off only in the test that compares the direct reading of plain
    /// IP/TCP with etherparse's.
    plain_fast_path: bool,
}

impl Default for PacketDecoder {
    fn default() -> Self {
        Self::new()
    }
}

/// Fragments older than this (capture time) are given up.
const FRAGMENT_TIMEOUT_SECS: i64 = 30;

impl PacketDecoder {
    pub fn new() -> Self {
        PacketDecoder {
            defrag: IpDefragPool::new(),
            defragged: Vec::new(),
            stats: DecodeStats::default(),
            since_prune: 0,
            frame: 0,
            plain_fast_path: true,
        }
    }

    pub fn stats(&self) -> &DecodeStats {
        &self.stats
    }

    fn unsupported(&mut self, what: String) {
        let frame = self.frame;
        let e = self.stats.unsupported.entry(what).or_insert(Unsupported {
            frames: 0,
            first_frame: frame,
        });
        e.frames += 1;
    }

    /// The TCP segment a frame carries, if any.
    pub fn decode<'a>(&'a mut self, pkt: &Packet<'a>) -> Option<TcpSegment<'a>> {
        self.frame = pkt.frame;
        self.decode_layer(network_layer(pkt.link, pkt.data), pkt, 0)
    }

    /// Decodes one network layer; tunnels recurse into what they carry.
    fn decode_layer<'a>(
        &'a mut self,
        layer: NetworkLayer<'a>,
        pkt: &Packet<'a>,
        depth: u8,
    ) -> Option<TcpSegment<'a>> {
        if self.plain_fast_path {
            if let Some((src, dst, ip_payload, claimed)) = plain_tcp_over_ip(&layer) {
                return self.tcp_segment(ip_payload, claimed, src, dst, pkt, false);
            }
        }
        let lax = match layer {
            NetworkLayer::Ethernet(d) => match LaxSlicedPacket::from_ethernet(d) {
                Ok(p) => p,
                Err(_) => {
                    self.stats.malformed += 1;
                    return None;
                }
            },
            NetworkLayer::LinuxSll(d) => {
                // SLL v1: packet type, ARPHRD type, address length, 8-byte
                // address, then the protocol (an EtherType for Ethernet-like
                // devices).
                if d.len() < 16 {
                    self.stats.malformed += 1;
                    return None;
                }
                let proto = u16::from_be_bytes([d[14], d[15]]);
                LaxSlicedPacket::from_ether_type(EtherType(proto), &d[16..])
            }
            NetworkLayer::EtherType(t, d) => LaxSlicedPacket::from_ether_type(EtherType(t), d),
            NetworkLayer::Ip(d) => match LaxSlicedPacket::from_ip(d) {
                Ok(p) => p,
                Err(_) => {
                    self.stats.malformed += 1;
                    return None;
                }
            },
            NetworkLayer::Truncated => {
                self.stats.malformed += 1;
                return None;
            }
            NetworkLayer::NotIp => {
                self.stats.non_ip += 1;
                return None;
            }
            NetworkLayer::Unsupported(u) => {
                let what = match u {
                    crate::capture::UnsupportedLink::LinkType(l) => {
                        format!("link type {}", l)
                    }
                    crate::capture::UnsupportedLink::LoopbackFamily(af) => {
                        format!("loopback address family {af}")
                    }
                };
                self.unsupported(what);
                return None;
            }
        };

        let lax = match pppoe_session_ip(&lax) {
            Some(inner) => match LaxSlicedPacket::from_ip(inner) {
                Ok(p) => p,
                Err(_) => {
                    self.stats.malformed += 1;
                    return None;
                }
            },
            None => lax,
        };
        let (src_ip, dst_ip, claimed, fragmented): (IpAddr, IpAddr, Option<usize>, bool) =
            match &lax.net {
                Some(LaxNetSlice::Ipv4(v4)) => {
                    let h = v4.header();
                    let claimed = usize::from(h.total_len())
                        .checked_sub(usize::from(h.ihl()) * 4)
                        .map(|n| {
                            n.saturating_sub(v4.extensions().auth.map_or(0, |a| a.slice().len()))
                        });
                    (
                        IpAddr::V4(h.source_addr()),
                        IpAddr::V4(h.destination_addr()),
                        claimed,
                        v4.is_payload_fragmented(),
                    )
                }
                Some(LaxNetSlice::Ipv6(v6)) => {
                    let h = v6.header();
                    let claimed =
                        usize::from(h.payload_length()).checked_sub(v6.extensions().slice().len());
                    (
                        IpAddr::V6(h.source_addr()),
                        IpAddr::V6(h.destination_addr()),
                        claimed,
                        v6.is_payload_fragmented(),
                    )
                }
                Some(LaxNetSlice::Arp(_)) | None => {
                    match lax.stop_err {
                        Some(_) => self.stats.malformed += 1,
                        None => {
                            let ep = lax.ether_payload();
                            if let Some(inner) = ep
                                .as_ref()
                                .and_then(|p| ether_encapsulation(p.ether_type.0, p.payload))
                            {
                                if depth < MAX_TUNNEL_DEPTH {
                                    return self.decode_layer(inner, pkt, depth + 1);
                                }
                                self.unsupported("tunnels nested too deep".into());
                                return None;
                            }
                            let et = ep.map(|p| p.ether_type.0);
                            match et {
                                Some(0x0800 | 0x86DD) => self.stats.malformed += 1,
                                Some(0x8864) => self.unsupported("PPP over PPPoE (not IP)".into()),
                                Some(0x88E5) => self.unsupported("MACsec".into()),
                                _ => self.stats.non_ip += 1,
                            }
                        }
                    }
                    return None;
                }
            };
        let Some(ip_payload) = lax.ip_payload() else {
            self.stats.malformed += 1;
            return None;
        };
        let ip_number = ip_payload.ip_number;

        if fragmented {
            self.stats.ip_fragments += 1;
            return self.defragment(pkt, src_ip, dst_ip);
        }
        if ip_number != IpNumber::TCP {
            if let Some(inner) = tunnel_payload(ip_number.0, ip_payload.payload) {
                if depth < MAX_TUNNEL_DEPTH {
                    return self.decode_layer(inner, pkt, depth + 1);
                }
                self.unsupported("tunnels nested too deep".into());
                return None;
            }
            if ip_number == IpNumber::UDP {
                self.stats.udp += 1;
            } else if matches!(ip_number.0, 4 | 41 | 47 | 50 | 51) {
                // ESP and AH (and malformed tunnels) cannot be opened.
                self.unsupported(format!("IP protocol {} (tunnel)", ip_number.0));
            } else {
                self.stats.other_ip += 1;
            }
            return None;
        }
        let data = ip_payload.payload;
        let claimed = claimed.unwrap_or(data.len());
        self.tcp_segment(data, claimed, src_ip, dst_ip, pkt, ip_payload.incomplete)
    }

    /// The TCP segment in an IP payload (`claimed`: its length by the IP
    /// header), counted; `incomplete`: the capture cut the IP payload.
    fn tcp_segment<'a>(
        &mut self,
        data: &'a [u8],
        claimed: usize,
        src: IpAddr,
        dst: IpAddr,
        pkt: &Packet<'a>,
        incomplete: bool,
    ) -> Option<TcpSegment<'a>> {
        let seg = parse_tcp(data, claimed, src, dst, pkt.frame, pkt.ts);
        // Only the snaplen can cut bytes off a packet: a length field that
        // claims more than the frame had on the wire is wrong, not a cut.
        let cut_on_capture = pkt.orig_len.saturating_sub(pkt.data.len() as u32);
        let seg = seg.map(|mut s| {
            s.missing = s.missing.min(cut_on_capture);
            s
        });
        match seg {
            Some(s) => {
                self.stats.tcp_segments += 1;
                if s.missing > 0 {
                    self.stats.truncated += 1;
                }
                Some(s)
            }
            None => {
                if incomplete {
                    self.stats.truncated += 1;
                } else {
                    self.stats.malformed += 1;
                }
                None
            }
        }
    }

    /// Feeds a fragment to the pool; returns the TCP segment once the
    /// datagram is whole.
    fn defragment<'a>(
        &'a mut self,
        pkt: &Packet<'a>,
        src: IpAddr,
        dst: IpAddr,
    ) -> Option<TcpSegment<'a>> {
        self.since_prune += 1;
        if self.since_prune >= 1024 {
            self.since_prune = 0;
            let now = pkt.ts.secs;
            self.defrag
                .retain(|ts: &i64| now.saturating_sub(*ts) < FRAGMENT_TIMEOUT_SECS);
        }
        // The pool wants a strictly parsed packet; a truncated fragment
        // cannot be reassembled anyway.
        let sliced = match network_layer(pkt.link, pkt.data) {
            NetworkLayer::Ethernet(d) => SlicedPacket::from_ethernet(d).ok(),
            NetworkLayer::LinuxSll(d) => d.get(16..).and_then(|rest| {
                let proto = u16::from_be_bytes([d[14], d[15]]);
                SlicedPacket::from_ether_type(EtherType(proto), rest).ok()
            }),
            NetworkLayer::EtherType(t, d) => SlicedPacket::from_ether_type(EtherType(t), d).ok(),
            NetworkLayer::Ip(d) => SlicedPacket::from_ip(d).ok(),
            _ => None,
        };
        let Some(sliced) = sliced else {
            self.stats.malformed += 1;
            return None;
        };
        match self.defrag.process_sliced_packet(&sliced, pkt.ts.secs, ()) {
            Ok(Some(whole)) => {
                self.stats.reassembled_datagrams += 1;
                if whole.ip_number != IpNumber::TCP {
                    if whole.ip_number == IpNumber::UDP {
                        self.stats.udp += 1;
                    } else {
                        self.stats.other_ip += 1;
                    }
                    self.defrag.return_buf(whole);
                    return None;
                }
                self.defragged.clear();
                self.defragged.extend_from_slice(&whole.payload);
                self.defrag.return_buf(whole);
                let len = self.defragged.len();
                let seg = parse_tcp(&self.defragged, len, src, dst, pkt.frame, pkt.ts);
                match seg {
                    Some(_) => self.stats.tcp_segments += 1,
                    None => self.stats.malformed += 1,
                }
                seg
            }
            Ok(None) => None,
            Err(_) => {
                self.stats.malformed += 1;
                None
            }
        }
    }
}

/// The common case read directly, without etherparse's general walk (on
/// bulk traffic that walk, and the copies of its result, were a third of
/// the time): untagged Ethernet, Linux SLL or raw IP carrying IPv4 without
/// options and unfragmented, or IPv6 without extension headers, whose
/// length fits in what was captured, with TCP inside. Returns the
/// addresses, the IP payload (without Ethernet padding) and its length by
/// the IP header. Anything else (VLAN tags, tunnels, options, fragments,
/// snaplen cuts, a zero length) gets `None` and takes etherparse's path,
/// which reads these cases the same way (`tests::plain_tcp_matches_etherparse`).
fn plain_tcp_over_ip<'a>(layer: &NetworkLayer<'a>) -> Option<(IpAddr, IpAddr, &'a [u8], usize)> {
    let ip: &'a [u8] = match *layer {
        NetworkLayer::Ethernet(d) => match d.get(12..14)? {
            [0x08, 0x00] | [0x86, 0xdd] => d.get(14..)?,
            _ => return None,
        },
        NetworkLayer::LinuxSll(d) => match d.get(14..16)? {
            [0x08, 0x00] | [0x86, 0xdd] => d.get(16..)?,
            _ => return None,
        },
        NetworkLayer::EtherType(0x0800 | 0x86dd, d) | NetworkLayer::Ip(d) => d,
        _ => return None,
    };
    match *ip.first()? >> 4 {
        4 => {
            let h: &[u8; 20] = ip.first_chunk::<20>()?;
            let total = usize::from(u16::from_be_bytes([h[2], h[3]]));
            // IHL 5, TCP, neither more fragments nor an offset.
            let unfragmented = h[6] & 0x3f == 0 && h[7] == 0;
            if h[0] != 0x45 || h[9] != 6 || !unfragmented || total < 40 || total > ip.len() {
                return None;
            }
            let src = std::net::Ipv4Addr::new(h[12], h[13], h[14], h[15]);
            let dst = std::net::Ipv4Addr::new(h[16], h[17], h[18], h[19]);
            Some((src.into(), dst.into(), &ip[20..total], total - 20))
        }
        6 => {
            let h: &[u8; 40] = ip.first_chunk::<40>()?;
            let len = usize::from(u16::from_be_bytes([h[4], h[5]]));
            if h[6] != 6 || len < 20 || 40 + len > ip.len() {
                return None;
            }
            let addr = |at: usize| -> Option<IpAddr> {
                let b: [u8; 16] = h.get(at..at + 16)?.try_into().ok()?;
                Some(IpAddr::V6(b.into()))
            };
            Some((addr(8)?, addr(24)?, &ip[40..40 + len], len))
        }
        _ => None,
    }
}

/// What a frame of an EtherType etherparse does not walk carries, for the
/// encapsulations of span and mirror ports: MPLS label stacks (RFC 3032)
/// over IP or an Ethernet pseudowire (with or without the RFC 4385 control
/// word), Cisco MetaData with its SGT (0x8909), 802.1ah PBB's I-TAG
/// (0x88e7), Cisco's VN-Tag (0x8926) and 802.1BR's E-TAG (0x893f), and NSH
/// (RFC 8300, 0x894f).
fn ether_encapsulation(ether_type: u16, p: &[u8]) -> Option<NetworkLayer<'_>> {
    let next_type = |at: usize| -> Option<NetworkLayer<'_>> {
        let t = u16::from_be_bytes([*p.get(at)?, *p.get(at + 1)?]);
        Some(NetworkLayer::EtherType(t, p.get(at + 2..)?))
    };
    match ether_type {
        0x8847 | 0x8848 => {
            // Labels of 4 bytes until the bottom-of-stack bit.
            let mut at = 0;
            loop {
                let entry = p.get(at..at + 4)?;
                at += 4;
                if entry[2] & 1 != 0 {
                    break;
                }
                if at >= 4 * 16 {
                    return None;
                }
            }
            let rest = p.get(at..)?;
            Some(match rest.first()? >> 4 {
                4 | 6 => NetworkLayer::Ip(rest),
                // An Ethernet pseudowire, after a control word (first
                // nibble 0) if the frame behind one has a plausible
                // EtherType; a MAC address may start with 0 too.
                0 if plausible_ethernet(rest.get(4..)?) || !plausible_ethernet(rest) => {
                    NetworkLayer::Ethernet(rest.get(4..)?)
                }
                _ => NetworkLayer::Ethernet(rest),
            })
        }
        // Version, length, option (length and type), SGT, then the EtherType.
        0x8909 => next_type(6),
        0x88e7 => Some(NetworkLayer::Ethernet(p.get(4..)?)),
        0x8926 => next_type(4),
        0x893f => next_type(6),
        0x894f => {
            let len = usize::from(p.get(1)? & 0x3f) * 4;
            let inner = p.get(len..)?;
            match p.get(3)? {
                1 | 2 => Some(NetworkLayer::Ip(inner)),
                3 => Some(NetworkLayer::Ethernet(inner)),
                _ => Some(NetworkLayer::NotIp),
            }
        }
        _ => None,
    }
}

/// An Ethernet frame whose EtherType is one tlstrace walks.
fn plausible_ethernet(frame: &[u8]) -> bool {
    matches!(
        frame.get(12..14),
        Some([0x08, 0x00] | [0x86, 0xdd] | [0x81, 0x00] | [0x88, 0xa8] | [0x88, 0x47])
    )
}

/// What a GRE packet carries (RFC 2784/2890): Ethernet (transparent
/// bridging), IP, ERSPAN type I and II (0x88be: II has a sequence number
/// and an 8-byte header) and type III (0x22eb: a 12-byte header and an
/// optional 8-byte platform subheader), and PPTP's enhanced GRE (version
/// 1, RFC 2637: key always, acknowledgement number optional) carrying PPP.
fn gre_payload(p: &[u8]) -> Option<NetworkLayer<'_>> {
    let flags = *p.first()?;
    let version = p.get(1)? & 0x07;
    let proto = u16::from_be_bytes([*p.get(2)?, *p.get(3)?]);
    // Checksum(+reserved), key and sequence number add 4 bytes each; the
    // obsolete routing field (R) is not walked.
    if flags & 0x40 != 0 || version > 1 {
        return None;
    }
    let mut hdr = 4 + 4 * [0x80u8, 0x20, 0x10]
        .iter()
        .filter(|f| flags & **f != 0)
        .count();
    if version == 1 && p.get(1)? & 0x80 != 0 {
        hdr += 4;
    }
    let inner = p.get(hdr..)?;
    match proto {
        0x6558 => Some(NetworkLayer::Ethernet(inner)),
        0x0800 | 0x86DD => Some(NetworkLayer::Ip(inner)),
        0x880B => Some(crate::capture::ppp_payload(inner)),
        0x88BE if flags & 0x10 != 0 => Some(NetworkLayer::Ethernet(inner.get(8..)?)),
        0x88BE => Some(NetworkLayer::Ethernet(inner)),
        0x22EB => {
            let subheader = if inner.get(11)? & 0x01 != 0 { 8 } else { 0 };
            Some(NetworkLayer::Ethernet(inner.get(12 + subheader..)?))
        }
        _ => None,
    }
}

/// How many tunnels deep the decoder goes.
const MAX_TUNNEL_DEPTH: u8 = 4;

/// What an IP payload carries when it is a tunnel tlstrace opens: IP in IP
/// (protocol 4, 41), GRE (47, RFC 2784/2890), and over UDP VXLAN (4789, RFC
/// 7348), Geneve (6081, RFC 8926) and GTP-U (2152, 3GPP TS 29.281).
fn tunnel_payload(ip_proto: u8, p: &[u8]) -> Option<NetworkLayer<'_>> {
    match ip_proto {
        4 | 41 => Some(NetworkLayer::Ip(p)),
        47 => gre_payload(p),
        17 => {
            let sport = u16::from_be_bytes([*p.first()?, *p.get(1)?]);
            let dport = u16::from_be_bytes([*p.get(2)?, *p.get(3)?]);
            let udp = p.get(8..)?;
            let is = |port: u16| sport == port || dport == port;
            if is(4789) {
                // VXLAN: 8-byte header with the I flag, then Ethernet.
                (udp.first()? & 0x08 != 0)
                    .then(|| NetworkLayer::Ethernet(udp.get(8..).unwrap_or_default()))
            } else if is(6081) {
                let opt_len = usize::from(udp.first()? & 0x3F) * 4;
                let proto = u16::from_be_bytes([*udp.get(2)?, *udp.get(3)?]);
                let inner = udp.get(8 + opt_len..)?;
                match proto {
                    0x6558 => Some(NetworkLayer::Ethernet(inner)),
                    0x0800 | 0x86DD => Some(NetworkLayer::Ip(inner)),
                    _ => None,
                }
            } else if is(2152) {
                let flags = *udp.first()?;
                // Version 1, G-PDU (255) carries user IP packets.
                if flags >> 5 != 1 || *udp.get(1)? != 0xFF {
                    return None;
                }
                let mut off = 8;
                if flags & 0x07 != 0 {
                    off += 4;
                    // Extension headers: length in 4-byte units, next type last.
                    let mut next = *udp.get(off - 1)?;
                    while flags & 0x04 != 0 && next != 0 {
                        let len = usize::from(*udp.get(off)?) * 4;
                        if len == 0 {
                            return None;
                        }
                        off += len;
                        next = *udp.get(off - 1)?;
                    }
                }
                Some(NetworkLayer::Ip(udp.get(off..)?))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The IP packet inside a PPPoE session frame (RFC 2516: a 6-byte PPPoE
/// header, then the PPP protocol: 0x0021 IPv4, 0x0057 IPv6), which
/// etherparse does not walk into.
fn pppoe_session_ip<'a>(lax: &LaxSlicedPacket<'a>) -> Option<&'a [u8]> {
    if lax.net.is_some() {
        return None;
    }
    let p = lax.ether_payload()?;
    if p.ether_type.0 != 0x8864 {
        return None;
    }
    match p.payload {
        [0x11, 0x00, _, _, hi, lo, 0x00, 0x21 | 0x57, rest @ ..] => {
            // The PPPoE length (which counts the PPP protocol field) bounds
            // the IP packet, whatever its own length field says.
            let len = (usize::from(*hi) << 8 | usize::from(*lo)).saturating_sub(2);
            Some(&rest[..len.min(rest.len())])
        }
        _ => None,
    }
}

/// Parses a TCP header. `claimed` is the segment length the IP header gives;
/// when the capture kept less, the difference is reported as `missing`.
fn parse_tcp(
    data: &[u8],
    claimed: usize,
    src: IpAddr,
    dst: IpAddr,
    frame: u64,
    ts: Timestamp,
) -> Option<TcpSegment<'_>> {
    let hdr: &[u8; 20] = data.first_chunk::<20>()?;
    let src_port = u16::from_be_bytes([hdr[0], hdr[1]]);
    let dst_port = u16::from_be_bytes([hdr[2], hdr[3]]);
    let seq = u32::from_be_bytes([hdr[4], hdr[5], hdr[6], hdr[7]]);
    let ack = u32::from_be_bytes([hdr[8], hdr[9], hdr[10], hdr[11]]);
    let data_offset = usize::from(hdr[12] >> 4) * 4;
    if data_offset < 20 || data_offset > data.len() {
        return None;
    }
    let payload = &data[data_offset..];
    // Ethernet pads short frames: the IP length, not the frame, says where
    // the segment ends.
    let claimed_payload = claimed.saturating_sub(data_offset);
    let kept = payload.len().min(claimed_payload);
    Some(TcpSegment {
        frame,
        ts,
        src: SocketAddr::new(src, src_port),
        dst: SocketAddr::new(dst, dst_port),
        seq,
        ack,
        flags: TcpFlags::from_byte(hdr[13]),
        payload: &payload[..kept],
        missing: u32::try_from(claimed_payload - kept).unwrap_or(u32::MAX),
    })
}

/// What reading a whole capture produced besides the streams.
#[derive(Debug, Default)]
pub struct DriveOutcome {
    /// The capture's name as the user gave it.
    pub capture_name: String,
    pub decode: DecodeStats,
    pub capture: crate::capture::CaptureStats,
    /// What the reassembler's limits did (evictions, released holes).
    pub tcp: tcp::TcpStats,
    /// What the handler's limits did (the TLS layer's partial data given
    /// up).
    pub handler: tcp::HandlerStats,
    /// Why reading stopped early, if it did. Everything before it was
    /// processed.
    pub error: Option<crate::capture::CaptureError>,
}

/// `addr` as `SocketAddr`'s `Display` writes it (`10.0.0.1:443`,
/// `[::1]:443`). IPv4 is written digit by digit: through `fmt` it took
/// about 2,000 instructions, and every connection's report names both ends.
pub fn endpoint_text(addr: &SocketAddr) -> String {
    match addr {
        SocketAddr::V4(a) => {
            let mut out = String::with_capacity(21);
            let mut digits = itoa::Buffer::new();
            for (i, octet) in a.ip().octets().into_iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                out.push_str(digits.format(octet));
            }
            out.push(':');
            out.push_str(digits.format(a.port()));
            out
        }
        SocketAddr::V6(_) => addr.to_string(),
    }
}

/// Streams a whole capture through decoding and TCP reassembly into
/// `handler`; key log text embedded in the capture goes to
/// `handler.on_capture_secrets`.
/// Connections are finished (and handed to `handler.on_close`) as they end
/// and at the end of the capture. A progress hook set on the reader
/// ([`crate::capture::CaptureReader::set_progress`]) is told the bytes read
/// and the connections seen, every 64 KiB of input and once at the end.
pub fn drive(
    reader: &mut crate::capture::CaptureReader,
    tcp: &mut tcp::TcpReassembler,
    handler: &mut dyn tcp::StreamHandler,
) -> DriveOutcome {
    use crate::capture::CaptureEvent;
    let mut decoder = PacketDecoder::new();
    let mut error = None;
    loop {
        match reader.next_event() {
            Ok(Some(CaptureEvent::Packet(pkt))) => {
                if let Some(seg) = decoder.decode(&pkt) {
                    tcp.process(&seg, handler);
                }
                if reader.progress_due() {
                    reader.report_progress(tcp.connections_seen());
                }
            }
            Ok(Some(CaptureEvent::Secrets(text))) => handler.on_capture_secrets(text),
            Ok(None) => break,
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    tcp.finish_all(handler);
    reader.report_progress(tcp.connections_seen());
    DriveOutcome {
        capture_name: reader.name().to_string(),
        decode: decoder.stats().clone(),
        capture: reader.stats().clone(),
        tcp: tcp.stats(),
        handler: handler.stats(),
        error,
    }
}

#[cfg(test)]
mod tests;
