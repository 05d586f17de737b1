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
    pub unsupported: BTreeMap<String, u64>,
}

/// Turns captured frames into TCP segments.
pub struct PacketDecoder {
    defrag: IpDefragPool<i64>,
    defragged: Vec<u8>,
    stats: DecodeStats,
    since_prune: u32,
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
        }
    }

    pub fn stats(&self) -> &DecodeStats {
        &self.stats
    }

    fn unsupported(&mut self, what: String) {
        *self.stats.unsupported.entry(what).or_insert(0) += 1;
    }

    /// The TCP segment a frame carries, if any.
    pub fn decode<'a>(&'a mut self, pkt: &Packet<'a>) -> Option<TcpSegment<'a>> {
        self.decode_layer(network_layer(pkt.link, pkt.data), pkt, 0)
    }

    /// Decodes one network layer; tunnels recurse into what they carry.
    fn decode_layer<'a>(
        &'a mut self,
        layer: NetworkLayer<'a>,
        pkt: &Packet<'a>,
        depth: u8,
    ) -> Option<TcpSegment<'a>> {
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
                            let et = lax.ether_payload().map(|p| p.ether_type.0);
                            match et {
                                Some(0x0800 | 0x86DD) => self.stats.malformed += 1,
                                Some(0x8864) => self.unsupported("PPP over PPPoE (not IP)".into()),
                                Some(0x88E5) => self.unsupported("MACsec".into()),
                                Some(0x8847 | 0x8848) => self.unsupported("MPLS".into()),
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
        let seg = parse_tcp(data, claimed, src_ip, dst_ip, pkt.frame, pkt.ts);
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
                if ip_payload.incomplete {
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

/// How many tunnels deep the decoder goes.
const MAX_TUNNEL_DEPTH: u8 = 4;

/// What an IP payload carries when it is a tunnel tlstrace opens: IP in IP
/// (protocol 4, 41), GRE (47, RFC 2784/2890), and over UDP VXLAN (4789, RFC
/// 7348), Geneve (6081, RFC 8926) and GTP-U (2152, 3GPP TS 29.281).
fn tunnel_payload(ip_proto: u8, p: &[u8]) -> Option<NetworkLayer<'_>> {
    match ip_proto {
        4 | 41 => Some(NetworkLayer::Ip(p)),
        47 => {
            let flags = *p.first()?;
            let proto = u16::from_be_bytes([*p.get(2)?, *p.get(3)?]);
            // Checksum(+reserved), key and sequence number add 4 bytes each.
            let hdr = 4 + 4 * [0x80u8, 0x20, 0x10]
                .iter()
                .filter(|f| flags & **f != 0)
                .count();
            let inner = p.get(hdr..)?;
            match proto {
                0x6558 => Some(NetworkLayer::Ethernet(inner)),
                0x0800 | 0x86DD => Some(NetworkLayer::Ip(inner)),
                _ => None,
            }
        }
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
    pub decode: DecodeStats,
    pub capture: crate::capture::CaptureStats,
    /// Why reading stopped early, if it did. Everything before it was
    /// processed.
    pub error: Option<crate::capture::CaptureError>,
}

/// Streams a whole capture through decoding and TCP reassembly into
/// `handler`; key log text embedded in the capture goes to
/// `handler.on_capture_secrets`.
/// Connections are finished (and handed to `handler.on_close`) as they end
/// and at the end of the capture.
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
    DriveOutcome {
        decode: decoder.stats().clone(),
        capture: reader.stats().clone(),
        error,
    }
}

#[cfg(test)]
mod tests {
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
            Some(&1)
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
        for link in [0u32, 1, 12, 101, 108, 113, 228, 229, 276] {
            for cut in 0..ip.len() {
                let _ = d.decode(&pkt(LinkType(link), &ip[..cut]));
                let mut bad = ip.clone();
                bad[cut] ^= 0xA5;
                let _ = d.decode(&pkt(LinkType(link), &bad));
            }
        }
    }
}
