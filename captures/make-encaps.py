#!/usr/bin/env python3
"""Re-encapsulates a real capture in the encapsulations seen on span and mirror ports, one capture
each in captures/encaps/ (issue 11). Every frame of the source (an Ethernet pcap made by make.sh,
tls12-unknown-ca.pcap by default) is rewritten; the TCP/TLS bytes are unchanged, so tlstrace must
show exactly the source's connections and handshake (tests/encaps.rs checks that).

    python3 captures/make-encaps.py [SOURCE.pcap]

Stdlib only. The outer headers use documentation addresses (192.0.2.0/24, 198.51.100.0/24) and
made-up labels, tags and session IDs; IPv4 header checksums are computed.

  mpls.pcap            Ethernet, MPLS label stack of two (EtherType 0x8847), IPv4
  mpls-pw.pcap         Ethernet, one MPLS label, pseudowire control word, the original Ethernet
  erspan1.pcap         Ethernet, IPv4, GRE (0x88be, no sequence number), the original Ethernet
  erspan2.pcap         ... GRE with sequence number, 8-byte ERSPAN type II header, Ethernet
  erspan3.pcap         ... GRE (0x22eb), 12-byte ERSPAN type III header with the 8-byte
                       platform subheader (O flag), Ethernet
  pptp.pcap            Ethernet, IPv4, PPTP enhanced GRE (version 1, key, sequence and
                       acknowledgement numbers), PPP (ff 03 0021), IPv4
  cisco-metadata.pcap  Ethernet, 802.1Q, Cisco MetaData with SGT 42 (0x8909), IPv4
  pbb.pcap             Ethernet, 802.1ah I-TAG (0x88e7), the original Ethernet
  vntag.pcap           Ethernet, VN-Tag (0x8926), IPv4
  etag.pcap            Ethernet, 802.1BR E-TAG (0x893f), IPv4
  ppp-hdlc.pcap        link type PPP_HDLC (50): ff 03 0021, IPv4
  cisco-hdlc.pcap      link type C_HDLC (104): 0f 00 0800, IPv4
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "encaps")
MAC_A = bytes.fromhex("020000000001")
MAC_B = bytes.fromhex("020000000002")


def read_pcap(path):
    d = open(path, "rb").read()
    if d[:4] != b"\xd4\xc3\xb2\xa1":
        sys.exit("%s: expected a little-endian microsecond pcap" % path)
    if struct.unpack("<I", d[20:24])[0] != 1:
        sys.exit("%s: expected link type Ethernet" % path)
    frames, at = [], 24
    while at + 16 <= len(d):
        ts_s, ts_us, incl, orig = struct.unpack("<IIII", d[at:at + 16])
        frames.append((ts_s, ts_us, d[at + 16:at + 16 + incl]))
        at += 16 + incl
    return frames


def write_pcap(path, linktype, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype))
        for ts_s, ts_us, data in frames:
            f.write(struct.pack("<IIII", ts_s, ts_us, len(data), len(data)))
            f.write(data)


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(payload, proto, src="192.0.2.1", dst="198.51.100.1"):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64, proto, 0,
                      bytes(map(int, src.split("."))), bytes(map(int, dst.split("."))))
    hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
    return hdr + payload


def eth(ether_type, payload):
    return MAC_B + MAC_A + struct.pack("!H", ether_type) + payload


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "tls12-unknown-ca.pcap")
    frames = read_pcap(src)
    os.makedirs(OUT, exist_ok=True)
    seq = [0]

    def gre_seq():
        seq[0] += 1
        return struct.pack("!I", seq[0])

    def ip_of(frame):
        if struct.unpack("!H", frame[12:14])[0] != 0x0800:
            sys.exit("expected IPv4 frames in %s" % src)
        return frame[14:]

    label = lambda value, bos: struct.pack("!I", value << 12 | (bos << 8) | 64)
    kinds = {
        "mpls": (1, lambda f: eth(0x8847, label(1000, 0) + label(2000, 1) + ip_of(f))),
        "mpls-pw": (1, lambda f: eth(0x8847, label(3000, 1) + b"\0\0\0\0" + f)),
        "erspan1": (1, lambda f: eth(0x0800, ipv4(b"\x00\x00\x88\xbe" + f, 47))),
        "erspan2": (1, lambda f: eth(0x0800, ipv4(
            b"\x10\x00\x88\xbe" + gre_seq() + bytes.fromhex("100a0064") + b"\0\0\0\0" + f, 47))),
        "erspan3": (1, lambda f: eth(0x0800, ipv4(
            b"\x10\x00\x22\xeb" + gre_seq() + bytes.fromhex("200a0064") + b"\x01\x02\x03\x04"
            + bytes.fromhex("002a0001") + bytes(8) + f, 47))),
        "pptp": (1, lambda f: eth(0x0800, ipv4(
            b"\x30\x81\x88\x0b" + struct.pack("!HH", 4 + len(ip_of(f)), 7) + gre_seq()
            + struct.pack("!I", seq[0]) + b"\xff\x03\x00\x21" + ip_of(f), 47))),
        "cisco-metadata": (1, lambda f: eth(0x8100, struct.pack("!HH", 10, 0x8909)
                                            + bytes.fromhex("0101 0001 002a".replace(" ", ""))
                                            + b"\x08\x00" + ip_of(f))),
        "pbb": (1, lambda f: eth(0x88E7, struct.pack("!I", 0x00012345) + f)),
        "vntag": (1, lambda f: eth(0x8926, bytes.fromhex("80010002") + b"\x08\x00" + ip_of(f))),
        "etag": (1, lambda f: eth(0x893F, bytes.fromhex("000000010000") + b"\x08\x00" + ip_of(f))),
        "ppp-hdlc": (50, lambda f: b"\xff\x03\x00\x21" + ip_of(f)),
        "cisco-hdlc": (104, lambda f: b"\x0f\x00\x08\x00" + ip_of(f)),
    }
    for name, (linktype, wrap) in kinds.items():
        seq[0] = 0
        write_pcap(os.path.join(OUT, name + ".pcap"), linktype,
                   [(s, us, wrap(f)) for s, us, f in frames])
    print("%d captures in %s from %s" % (len(kinds), OUT, os.path.basename(src)))


if __name__ == "__main__":
    main()
