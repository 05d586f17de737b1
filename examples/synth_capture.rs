//! Writes a synthetic legacy pcap of TCP connections, for measuring speed
//! and memory on captures larger than anyone would check in.
//!
//! Usage: `cargo run --release --example synth_capture -- OUT.pcap SIZE_MB [CONCURRENT]`
//!
//! Each connection has a three-way handshake, a few kilobytes each way in
//! 1400-byte segments (one pair sent out of order, one retransmitted), and
//! a FIN exchange. `CONCURRENT` connections are interleaved at a time
//! (default 64), so the reassembler holds that many open at once.

use std::io::{BufWriter, Write};

struct Conn {
    client_port: u16,
    client_ip: [u8; 4],
    cseq: u32,
    sseq: u32,
    step: u32,
}

#[allow(clippy::too_many_arguments)]
fn checksumless_packet(
    src: [u8; 4],
    dst: [u8; 4],
    sport: u16,
    dport: u16,
    seq: u32,
    ack: u32,
    flags: u8,
    payload: &[u8],
) -> Vec<u8> {
    let mut p = Vec::with_capacity(54 + payload.len());
    p.extend_from_slice(&[0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00]);
    let total = (40 + payload.len()) as u16;
    p.extend_from_slice(&[
        0x45,
        0,
        (total >> 8) as u8,
        total as u8,
        0,
        0,
        0x40,
        0,
        64,
        6,
        0,
        0,
    ]);
    p.extend_from_slice(&src);
    p.extend_from_slice(&dst);
    p.extend_from_slice(&sport.to_be_bytes());
    p.extend_from_slice(&dport.to_be_bytes());
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&ack.to_be_bytes());
    p.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
    p.extend_from_slice(payload);
    p
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: synth_capture OUT.pcap SIZE_MB [CONCURRENT]");
        std::process::exit(2);
    }
    let target: u64 = args[2].parse::<u64>().unwrap_or(100) * 1024 * 1024;
    let concurrent: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(64);
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(&args[1])?);
    out.write_all(&[
        0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0,
    ])?;
    let server = [10, 0, 0, 1];
    let payload = vec![0x17u8; 1400];
    let mut written: u64 = 24;
    let mut ts: u64 = 1_700_000_000_000_000;
    let mut next_id: u64 = 0;
    let mut conns: Vec<Conn> = Vec::new();
    let mut packets: u64 = 0;
    let mut connections: u64 = 0;
    let write = |out: &mut BufWriter<std::fs::File>, pkt: &[u8], ts: u64| -> std::io::Result<u64> {
        let sec = (ts / 1_000_000) as u32;
        let usec = (ts % 1_000_000) as u32;
        out.write_all(&sec.to_le_bytes())?;
        out.write_all(&usec.to_le_bytes())?;
        out.write_all(&(pkt.len() as u32).to_le_bytes())?;
        out.write_all(&(pkt.len() as u32).to_le_bytes())?;
        out.write_all(pkt)?;
        Ok(16 + pkt.len() as u64)
    };
    // Segments per direction per connection.
    const SEGS: u32 = 6;
    while written < target || !conns.is_empty() {
        while conns.len() < concurrent && written < target {
            let id = next_id;
            next_id += 1;
            connections += 1;
            conns.push(Conn {
                client_port: 1024 + (id % 60000) as u16,
                client_ip: [
                    10,
                    1,
                    (id / 60000 % 256) as u8,
                    (id / 60000 / 256 % 256) as u8,
                ],
                cseq: (id as u32).wrapping_mul(2_654_435_761),
                sseq: (id as u32).wrapping_mul(40_503),
                step: 0,
            });
        }
        let mut i = 0;
        while i < conns.len() {
            ts += 7;
            let c = &mut conns[i];
            let (cip, cp) = (c.client_ip, c.client_port);
            let mut pkts: Vec<Vec<u8>> = Vec::new();
            match c.step {
                0 => pkts.push(checksumless_packet(
                    cip, server, cp, 443, c.cseq, 0, 0x02, b"",
                )),
                1 => pkts.push(checksumless_packet(
                    server,
                    cip,
                    443,
                    cp,
                    c.sseq,
                    c.cseq + 1,
                    0x12,
                    b"",
                )),
                2 => pkts.push(checksumless_packet(
                    cip,
                    server,
                    cp,
                    443,
                    c.cseq + 1,
                    c.sseq + 1,
                    0x10,
                    b"",
                )),
                s if s < 3 + SEGS => {
                    let k = s - 3;
                    let cs = c.cseq + 1 + k * 1400;
                    let ss = c.sseq + 1 + k * 1400;
                    if k == 1 {
                        // Segments 1 and 2 swapped; segment 1 sent twice.
                        pkts.push(checksumless_packet(
                            cip,
                            server,
                            cp,
                            443,
                            cs + 1400,
                            c.sseq + 1,
                            0x18,
                            &payload,
                        ));
                        pkts.push(checksumless_packet(
                            cip,
                            server,
                            cp,
                            443,
                            cs,
                            c.sseq + 1,
                            0x18,
                            &payload,
                        ));
                        pkts.push(checksumless_packet(
                            cip,
                            server,
                            cp,
                            443,
                            cs,
                            c.sseq + 1,
                            0x18,
                            &payload,
                        ));
                    } else if k != 2 {
                        pkts.push(checksumless_packet(
                            cip,
                            server,
                            cp,
                            443,
                            cs,
                            c.sseq + 1,
                            0x18,
                            &payload,
                        ));
                    }
                    pkts.push(checksumless_packet(
                        server,
                        cip,
                        443,
                        cp,
                        ss,
                        cs + 1400,
                        0x18,
                        &payload,
                    ));
                }
                s if s == 3 + SEGS => {
                    let cs = c.cseq + 1 + SEGS * 1400;
                    let ss = c.sseq + 1 + SEGS * 1400;
                    pkts.push(checksumless_packet(cip, server, cp, 443, cs, ss, 0x11, b""));
                    pkts.push(checksumless_packet(
                        server,
                        cip,
                        443,
                        cp,
                        ss,
                        cs + 1,
                        0x11,
                        b"",
                    ));
                    pkts.push(checksumless_packet(
                        cip,
                        server,
                        cp,
                        443,
                        cs + 1,
                        ss + 1,
                        0x10,
                        b"",
                    ));
                }
                _ => {}
            }
            c.step += 1;
            let done = c.step > 3 + SEGS;
            for p in &pkts {
                written += write(&mut out, p, ts)?;
                packets += 1;
            }
            if done {
                conns.swap_remove(i);
            } else {
                i += 1;
            }
        }
    }
    out.flush()?;
    eprintln!("wrote {written} bytes, {packets} packets, {connections} connections");
    Ok(())
}
