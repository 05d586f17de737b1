//! Link layers: from a captured frame to the network-layer bytes it carries.
//!
//! Ethernet (with its VLAN tags) and Linux cooked SLL are left to etherparse
//! by the net layer; this module strips what etherparse does not know: SLL2,
//! BSD loopback NULL (host byte order, so either) and LOOP (big-endian), and
//! names raw-IP link types. Anything else is reported as unsupported, by name.

use std::fmt;

/// A pcap LINKTYPE_ value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct LinkType(pub u32);

impl LinkType {
    pub const NULL: LinkType = LinkType(0);
    pub const ETHERNET: LinkType = LinkType(1);
    /// DLT_RAW as most systems number it.
    pub const RAW_12: LinkType = LinkType(12);
    /// DLT_RAW on OpenBSD.
    pub const RAW_14: LinkType = LinkType(14);
    pub const RAW: LinkType = LinkType(101);
    pub const LOOP: LinkType = LinkType(108);
    pub const LINUX_SLL: LinkType = LinkType(113);
    pub const IPV4: LinkType = LinkType(228);
    pub const IPV6: LinkType = LinkType(229);
    pub const LINUX_SLL2: LinkType = LinkType(276);
    /// PPP, with or without the HDLC address and control bytes.
    pub const PPP: LinkType = LinkType(9);
    /// PPP in HDLC-like framing (RFC 1662).
    pub const PPP_HDLC: LinkType = LinkType(50);
    /// Cisco HDLC: address, control, then an EtherType.
    pub const C_HDLC: LinkType = LinkType(104);

    /// The LINKTYPE_ name, as tcpdump and the pcap-linktype registry use it.
    pub fn name(self) -> String {
        let s = match self.0 {
            0 => "NULL",
            1 => "ETHERNET",
            6 => "IEEE802_5",
            8 => "SLIP",
            9 => "PPP",
            10 => "FDDI",
            12 | 14 | 101 => "RAW",
            50 => "PPP_HDLC",
            51 => "PPP_ETHER",
            104 => "C_HDLC",
            105 => "IEEE802_11",
            108 => "LOOP",
            113 => "LINUX_SLL",
            117 => "PFLOG",
            119 => "IEEE802_11_PRISM",
            127 => "IEEE802_11_RADIOTAP",
            192 => "PPI",
            195 => "IEEE802_15_4",
            201 => "BLUETOOTH_HCI_H4_WITH_PHDR",
            228 => "IPV4",
            229 => "IPV6",
            239 => "NFLOG",
            252 => "WIRESHARK_UPPER_PDU",
            276 => "LINUX_SLL2",
            u32::MAX => "UNKNOWN_INTERFACE",
            _ => return format!("LINKTYPE_{}", self.0),
        };
        s.to_string()
    }
}

impl fmt::Display for LinkType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.0)
    }
}

/// What a frame carries at the network layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkLayer<'a> {
    /// A full Ethernet II frame (VLAN tags are the net layer's to walk).
    Ethernet(&'a [u8]),
    /// A Linux cooked (SLL v1) frame, whole.
    LinuxSll(&'a [u8]),
    /// A payload identified by its EtherType.
    EtherType(u16, &'a [u8]),
    /// A bare IPv4 or IPv6 packet (version from its first nibble).
    Ip(&'a [u8]),
    /// A frame shorter than its link-layer header.
    Truncated,
    /// A well-formed frame that carries no IP (PPP control protocols,
    /// Cisco SLARP, ...).
    NotIp,
    /// A link type or link-layer protocol tlstrace does not read.
    Unsupported(UnsupportedLink),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UnsupportedLink {
    LinkType(LinkType),
    /// A BSD loopback address family other than IPv4/IPv6.
    LoopbackFamily(u32),
}

/// BSD address families for IPv6 differ by system: Linux 10, the BSDs 24,
/// FreeBSD 28, macOS 30. IPv4 is 2 everywhere.
fn loopback_family_is_ip(af: u32) -> bool {
    matches!(af, 2 | 10 | 24 | 28 | 30)
}

/// Strips the link-layer header of `data` captured on a `link` interface.
pub fn network_layer(link: LinkType, data: &[u8]) -> NetworkLayer<'_> {
    match link {
        LinkType::ETHERNET => NetworkLayer::Ethernet(data),
        LinkType::LINUX_SLL => NetworkLayer::LinuxSll(data),
        LinkType::RAW | LinkType::RAW_12 | LinkType::RAW_14 | LinkType::IPV4 | LinkType::IPV6 => {
            NetworkLayer::Ip(data)
        }
        LinkType::NULL | LinkType::LOOP => {
            let Some((hdr, rest)) = data.split_first_chunk::<4>() else {
                return NetworkLayer::Truncated;
            };
            // LOOP is always big-endian. NULL is in the capturing host's
            // byte order: the family is a small number, so whichever reading
            // gives one is right.
            let be = u32::from_be_bytes(*hdr);
            let le = u32::from_le_bytes(*hdr);
            let af = if link == LinkType::LOOP || be <= 0xFF {
                be
            } else {
                le
            };
            if loopback_family_is_ip(af) {
                NetworkLayer::Ip(rest)
            } else {
                NetworkLayer::Unsupported(UnsupportedLink::LoopbackFamily(af))
            }
        }
        LinkType::LINUX_SLL2 => {
            // SLL2: protocol type (2), reserved (2), interface index (4),
            // ARPHRD type (2), packet type (1), address length (1), address (8).
            if data.len() < 20 {
                return NetworkLayer::Truncated;
            }
            let proto = u16::from_be_bytes([data[0], data[1]]);
            NetworkLayer::EtherType(proto, &data[20..])
        }
        LinkType::PPP | LinkType::PPP_HDLC => ppp_payload(data),
        LinkType::C_HDLC => {
            // Address (0x0f unicast, 0x8f broadcast), control, EtherType.
            if data.len() < 4 {
                return NetworkLayer::Truncated;
            }
            let proto = u16::from_be_bytes([data[2], data[3]]);
            NetworkLayer::EtherType(proto, &data[4..])
        }
        other => NetworkLayer::Unsupported(UnsupportedLink::LinkType(other)),
    }
}

/// What a PPP frame carries (RFC 1661): the HDLC address and control bytes
/// (`ff 03`, RFC 1662) if present, then the protocol, one byte when
/// compressed (RFC 1661 §6.5: odd first byte) or two; 0x0021 is IPv4 and
/// 0x0057 IPv6. Used for the PPP link types and PPTP's enhanced GRE.
pub fn ppp_payload(data: &[u8]) -> NetworkLayer<'_> {
    let p = data.strip_prefix(&[0xff, 0x03]).unwrap_or(data);
    let (proto, rest) = match p {
        [b, rest @ ..] if b & 1 == 1 => (u16::from(*b), rest),
        [hi, lo, rest @ ..] => (u16::from_be_bytes([*hi, *lo]), rest),
        _ => return NetworkLayer::Truncated,
    };
    match proto {
        0x0021 | 0x0057 => NetworkLayer::Ip(rest),
        _ => NetworkLayer::NotIp,
    }
}

#[cfg(test)]
mod tests;
