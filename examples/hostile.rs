//! Writes hostile inputs for tlstrace, streamed to standard output: the
//! captures (and key log) `tests/hostile.rs` checks at small sizes and
//! `scripts/hostile.sh` measures at full size.
//!
//! Usage: `cargo run --release --example hostile -- KIND [N]`, KIND one of
//! - `flows N`: N TCP connections (default 100,000), each with a
//!   ClientHello and a 600-byte segment held back behind a 100-byte hole;
//! - `big-handshake MB`: a handshake message claiming 16 MB, then MB
//!   megabytes (default 8) of handshake records;
//! - `partial-handshakes N KB`: N connections (default 2,000), each a
//!   ClientHello and from the server the first KB kilobytes (150, in
//!   whole 16 KiB records) of a Certificate message claiming 200 KB, never
//!   completed; the
//!   connections' records interleaved;
//! - `tiny-records N`: a ClientHello, then N one-byte records (400,000);
//! - `holes N`: N one-byte segments (200,000), each behind a hole that
//!   never fills;
//! - `pcapng-4g`: a pcapng block claiming 4 GB;
//! - `gzip-bomb MB`: a gzip-compressed pcap whose MB megabytes (1024)
//!   of zeros decompress to empty packets;
//! - `keylog MB`: MB megabytes (1024) of garbage key log lines.

#![allow(dead_code)]

use std::io::{self, Write};

/// Legacy pcap, raw IPv4 (LINKTYPE_RAW).
pub fn pcap_header(w: &mut dyn Write) -> io::Result<()> {
    let mut h = Vec::with_capacity(24);
    h.extend_from_slice(&0xA1B2_C3D4u32.to_le_bytes());
    h.extend_from_slice(&2u16.to_le_bytes());
    h.extend_from_slice(&4u16.to_le_bytes());
    h.extend_from_slice(&[0; 8]);
    h.extend_from_slice(&262_144u32.to_le_bytes());
    h.extend_from_slice(&101u32.to_le_bytes());
    w.write_all(&h)
}

pub const SYN: u8 = 0x02;
pub const ACK: u8 = 0x10;
pub const PSH_ACK: u8 = 0x18;

/// One IPv4/TCP packet as a pcap record (no checksums: tlstrace does not
/// check them).
#[allow(clippy::too_many_arguments)]
pub fn packet(
    w: &mut dyn Write,
    ts: u32,
    src: ([u8; 4], u16),
    dst: ([u8; 4], u16),
    seq: u32,
    flags: u8,
    payload: &[u8],
) -> io::Result<()> {
    let len = 40 + payload.len();
    let mut p = Vec::with_capacity(16 + len);
    p.extend_from_slice(&ts.to_le_bytes());
    p.extend_from_slice(&0u32.to_le_bytes());
    p.extend_from_slice(&(len as u32).to_le_bytes());
    p.extend_from_slice(&(len as u32).to_le_bytes());
    p.extend_from_slice(&[
        0x45,
        0,
        (len >> 8) as u8,
        len as u8,
        0,
        0,
        0x40,
        0,
        64,
        6,
        0,
        0,
    ]);
    p.extend_from_slice(&src.0);
    p.extend_from_slice(&dst.0);
    p.extend_from_slice(&src.1.to_be_bytes());
    p.extend_from_slice(&dst.1.to_be_bytes());
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&0u32.to_be_bytes());
    p.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
    p.extend_from_slice(payload);
    w.write_all(&p)
}

/// A small, well-formed TLS 1.2 ClientHello record.
pub fn client_hello_record() -> Vec<u8> {
    let mut body = vec![0x03, 0x03];
    body.extend_from_slice(&[0x42; 32]);
    body.push(0); // session id
    body.extend_from_slice(&[0, 2, 0xc0, 0x2f]); // one suite
    body.extend_from_slice(&[1, 0]); // null compression
    body.extend_from_slice(&[0, 0]); // no extensions
    let mut hs = vec![1, 0, (body.len() >> 8) as u8, body.len() as u8];
    hs.extend_from_slice(&body);
    let mut rec = vec![22, 3, 1, (hs.len() >> 8) as u8, hs.len() as u8];
    rec.extend_from_slice(&hs);
    rec
}

const SERVER: ([u8; 4], u16) = ([10, 255, 0, 1], 443);

fn client(i: u64) -> ([u8; 4], u16) {
    let host = (i / 60_000) as u8;
    let port = 1024 + (i % 60_000) as u16;
    ([10, 1, host, 1], port)
}

/// `n` connections, each: SYN, a ClientHello in order, then a 600-byte
/// segment 100 bytes beyond it (the hole never fills, no FIN).
pub fn flows(w: &mut dyn Write, n: u64) -> io::Result<()> {
    pcap_header(w)?;
    let ch = client_hello_record();
    let held = [0x17u8; 600];
    for i in 0..n {
        let c = client(i);
        let ts = (i / 10_000) as u32;
        packet(w, ts, c, SERVER, 1000, SYN, &[])?;
        packet(w, ts, c, SERVER, 1001, PSH_ACK, &ch)?;
        let after = 1001 + ch.len() as u32 + 100;
        packet(w, ts, c, SERVER, after, PSH_ACK, &held)?;
    }
    Ok(())
}

/// A handshake record starting a ClientHello that claims 16 MB, then `mb`
/// megabytes of handshake records continuing it.
pub fn big_handshake(w: &mut dyn Write, mb: u64) -> io::Result<()> {
    pcap_header(w)?;
    let c = client(0);
    packet(w, 0, c, SERVER, 1000, SYN, &[])?;
    let mut seq = 1001u32;
    let mut first = vec![22, 3, 3, 0x40, 0x00, 1, 0xff, 0xff, 0xff];
    first.resize(5 + 0x4000, 0x41);
    packet(w, 0, c, SERVER, seq, PSH_ACK, &first)?;
    seq = seq.wrapping_add(first.len() as u32);
    let mut rec = vec![22, 3, 3, 0x40, 0x00];
    rec.resize(5 + 0x4000, 0x42);
    let records = mb * 1024 * 1024 / 0x4000;
    for _ in 0..records {
        packet(w, 1, c, SERVER, seq, PSH_ACK, &rec)?;
        seq = seq.wrapping_add(rec.len() as u32);
    }
    Ok(())
}

/// `n` connections, each: SYN, a ClientHello, then from the server the
/// first `kb` kilobytes of a Certificate message that claims 200 KB, in
/// 16 KiB handshake records, never completed (no FIN). The connections
/// take turns: every connection's first record, then every second one…,
/// so that all hold their partial message at once.
pub fn partial_handshakes(w: &mut dyn Write, n: u64, kb: u64) -> io::Result<()> {
    pcap_header(w)?;
    let ch = client_hello_record();
    for i in 0..n {
        let c = client(i);
        packet(w, 0, c, SERVER, 1000, SYN, &[])?;
        packet(w, 0, c, SERVER, 1001, PSH_ACK, &ch)?;
    }
    let claimed = 200_000u32;
    let total = kb as usize * 1024;
    let mut first = vec![22, 3, 3, 0x40, 0x00, 11];
    first.extend_from_slice(&claimed.to_be_bytes()[1..]);
    first.resize(5 + 0x4000, 0x30);
    let mut rec = vec![22, 3, 3, 0x40, 0x00];
    rec.resize(5 + 0x4000, 0x30);
    let records = total.div_ceil(0x4000).max(1);
    for r in 0..records {
        let payload = if r == 0 { &first } else { &rec };
        let seq = 5000u32.wrapping_add((r * rec.len()) as u32);
        for i in 0..n {
            packet(w, 1 + r as u32, SERVER, client(i), seq, PSH_ACK, payload)?;
        }
    }
    Ok(())
}

/// A ClientHello, then `n` one-byte application-data records, packed into
/// 60 KB segments (the most one IPv4 packet carries).
pub fn tiny_records(w: &mut dyn Write, n: u64) -> io::Result<()> {
    pcap_header(w)?;
    let c = client(0);
    packet(w, 0, c, SERVER, 1000, SYN, &[])?;
    let ch = client_hello_record();
    packet(w, 0, c, SERVER, 1001, PSH_ACK, &ch)?;
    let mut seq = 1001u32.wrapping_add(ch.len() as u32);
    let per = 10_000u64;
    let mut left = n;
    while left > 0 {
        let k = left.min(per);
        let mut seg = Vec::with_capacity(6 * k as usize);
        for _ in 0..k {
            seg.extend_from_slice(&[23, 3, 3, 0, 1, 0x55]);
        }
        packet(w, 1, c, SERVER, seq, PSH_ACK, &seg)?;
        seq = seq.wrapping_add(seg.len() as u32);
        left -= k;
    }
    Ok(())
}

/// One connection: SYN, then `n` one-byte segments, each one byte beyond
/// the previous: every byte waits behind a hole that never fills.
pub fn holes(w: &mut dyn Write, n: u64) -> io::Result<()> {
    pcap_header(w)?;
    let c = client(0);
    packet(w, 0, c, SERVER, 1000, SYN, &[])?;
    for i in 0..n {
        let seq = 1001u32.wrapping_add(1 + 2 * i as u32);
        packet(w, (i / 100_000) as u32, c, SERVER, seq, PSH_ACK, &[0x16])?;
    }
    Ok(())
}

/// A pcapng section and interface, then an Enhanced Packet Block whose
/// length field claims 4 GB (0xFFFFFFF0), followed by 1 MB of data.
pub fn pcapng_4g(w: &mut dyn Write) -> io::Result<()> {
    let mut b = Vec::new();
    // SHB: type, length 28, byte-order magic, version 1.0, section length -1.
    b.extend_from_slice(&0x0A0D_0D0Au32.to_le_bytes());
    b.extend_from_slice(&28u32.to_le_bytes());
    b.extend_from_slice(&0x1A2B_3C4Du32.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&0u16.to_le_bytes());
    b.extend_from_slice(&(-1i64).to_le_bytes());
    b.extend_from_slice(&28u32.to_le_bytes());
    // IDB: link type RAW, snaplen 0.
    b.extend_from_slice(&1u32.to_le_bytes());
    b.extend_from_slice(&20u32.to_le_bytes());
    b.extend_from_slice(&101u16.to_le_bytes());
    b.extend_from_slice(&0u16.to_le_bytes());
    b.extend_from_slice(&0u32.to_le_bytes());
    b.extend_from_slice(&20u32.to_le_bytes());
    // EPB claiming 4 GB.
    b.extend_from_slice(&6u32.to_le_bytes());
    b.extend_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    b.extend_from_slice(&0u32.to_le_bytes());
    b.extend_from_slice(&[0; 8]);
    b.extend_from_slice(&0xFFFF_FFC0u32.to_le_bytes());
    b.extend_from_slice(&0xFFFF_FFC0u32.to_le_bytes());
    w.write_all(&b)?;
    let zeros = vec![0u8; 64 * 1024];
    for _ in 0..16 {
        w.write_all(&zeros)?;
    }
    Ok(())
}

/// A gzip stream of a pcap header followed by `mb` megabytes of zeros:
/// empty packet records (16 zero bytes each) without end.
pub fn gzip_bomb(w: &mut dyn Write, mb: u64) -> io::Result<()> {
    let mut gz = flate2::write::GzEncoder::new(w, flate2::Compression::best());
    pcap_header(&mut gz)?;
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..mb {
        gz.write_all(&zeros)?;
    }
    gz.finish()?;
    Ok(())
}

/// `mb` megabytes of key log lines that are all wrong in some way, with a
/// few very long lines among them.
pub fn keylog(w: &mut dyn Write, mb: u64) -> io::Result<()> {
    let kinds: [&[u8]; 6] = [
        b"CLIENT_RANDOM zz 00\n",
        b"GARBAGE_LABEL 0000000000000000000000000000000000000000000000000000000000000000 00\n",
        b"just some words\n",
        b"CLIENT_RANDOM 00 00 00 00\n",
        b"\xff\xfe not text\n",
        b"SERVER_TRAFFIC_SECRET_0 0000000000000000000000000000000000000000000000000000000000000000 abc\n",
    ];
    let mut block = Vec::with_capacity(1024 * 1024 + 128);
    let mut i = 0usize;
    while block.len() < 1024 * 1024 {
        block.extend_from_slice(kinds[i % kinds.len()]);
        i += 1;
    }
    let long = vec![b'A'; 256 * 1024];
    let mut written = 0u64;
    while written < mb * 1024 * 1024 {
        w.write_all(&block)?;
        written += block.len() as u64;
        if written % (64 * 1024 * 1024) < block.len() as u64 {
            w.write_all(&long)?;
            w.write_all(b"\n")?;
        }
    }
    Ok(())
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let kind = args.get(1).map(String::as_str).unwrap_or("");
    let n = |default: u64| {
        args.get(2)
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(default)
    };
    let stdout = io::stdout();
    let mut w = io::BufWriter::with_capacity(1 << 20, stdout.lock());
    match kind {
        "flows" => flows(&mut w, n(100_000))?,
        "big-handshake" => big_handshake(&mut w, n(8))?,
        "partial-handshakes" => {
            let kb = args
                .get(3)
                .and_then(|s| s.parse::<u64>().ok())
                .unwrap_or(150);
            partial_handshakes(&mut w, n(2_000), kb)?
        }
        "tiny-records" => tiny_records(&mut w, n(400_000))?,
        "holes" => holes(&mut w, n(200_000))?,
        "pcapng-4g" => pcapng_4g(&mut w)?,
        "gzip-bomb" => gzip_bomb(&mut w, n(1024))?,
        "keylog" => keylog(&mut w, n(1024))?,
        _ => {
            eprintln!("usage: hostile flows|big-handshake|partial-handshakes|tiny-records|holes|pcapng-4g|gzip-bomb|keylog [N]");
            std::process::exit(2);
        }
    }
    w.flush()
}
