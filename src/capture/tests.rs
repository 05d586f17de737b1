//! Crafted capture files for the reader's edge cases. Real captures are
//! exercised by the integration tests over `captures/`.

use super::*;
use std::io::Read;

fn legacy(big_endian: bool, nanos: bool, link: u32, packets: &[(u32, u32, &[u8])]) -> Vec<u8> {
    let magic: u32 = if nanos { 0xA1B2_3C4D } else { 0xA1B2_C3D4 };
    let w32 = |v: &mut Vec<u8>, x: u32| {
        if big_endian {
            v.extend_from_slice(&x.to_be_bytes())
        } else {
            v.extend_from_slice(&x.to_le_bytes())
        }
    };
    let w16 = |v: &mut Vec<u8>, x: u16| {
        if big_endian {
            v.extend_from_slice(&x.to_be_bytes())
        } else {
            v.extend_from_slice(&x.to_le_bytes())
        }
    };
    let mut v = Vec::new();
    w32(&mut v, magic);
    w16(&mut v, 2);
    w16(&mut v, 4);
    w32(&mut v, 0);
    w32(&mut v, 0);
    w32(&mut v, 65535);
    w32(&mut v, link);
    for (sec, frac, data) in packets {
        w32(&mut v, *sec);
        w32(&mut v, *frac);
        w32(&mut v, data.len() as u32);
        w32(&mut v, data.len() as u32 + 10);
        v.extend_from_slice(data);
    }
    v
}

fn ng_block(ty: u32, body: &[u8]) -> Vec<u8> {
    let pad = (4 - body.len() % 4) % 4;
    let len = (12 + body.len() + pad) as u32;
    let mut v = Vec::new();
    v.extend_from_slice(&ty.to_le_bytes());
    v.extend_from_slice(&len.to_le_bytes());
    v.extend_from_slice(body);
    v.extend(std::iter::repeat_n(0u8, pad));
    v.extend_from_slice(&len.to_le_bytes());
    v
}

fn shb() -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&0x1A2B_3C4Du32.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&0u16.to_le_bytes());
    b.extend_from_slice(&u64::MAX.to_le_bytes());
    ng_block(0x0A0D_0D0A, &b)
}

fn idb(link: u16, tsresol: Option<u8>) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&link.to_le_bytes());
    b.extend_from_slice(&0u16.to_le_bytes());
    b.extend_from_slice(&262144u32.to_le_bytes());
    if let Some(r) = tsresol {
        b.extend_from_slice(&9u16.to_le_bytes());
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&[r, 0, 0, 0]);
        b.extend_from_slice(&[0, 0, 0, 0]);
    }
    ng_block(1, &b)
}

fn epb(if_id: u32, ts: u64, data: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&if_id.to_le_bytes());
    b.extend_from_slice(&((ts >> 32) as u32).to_le_bytes());
    b.extend_from_slice(&(ts as u32).to_le_bytes());
    b.extend_from_slice(&(data.len() as u32).to_le_bytes());
    b.extend_from_slice(&(data.len() as u32).to_le_bytes());
    b.extend_from_slice(data);
    b.extend(std::iter::repeat_n(0u8, (4 - data.len() % 4) % 4));
    ng_block(6, &b)
}

fn spb(data: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&(data.len() as u32).to_le_bytes());
    b.extend_from_slice(data);
    ng_block(3, &b)
}

fn dsb(secret: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&0x544c_534bu32.to_le_bytes());
    b.extend_from_slice(&(secret.len() as u32).to_le_bytes());
    b.extend_from_slice(secret);
    b.extend(std::iter::repeat_n(0u8, (4 - secret.len() % 4) % 4));
    ng_block(10, &b)
}

/// A reader that hands out at most `step` bytes per call, like a slow pipe.
struct Trickle {
    data: Vec<u8>,
    pos: usize,
    step: usize,
}

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[derive(Debug, PartialEq)]
enum Seen {
    Pkt(u64, Timestamp, u32, Vec<u8>),
    Sec(Vec<u8>),
}

fn read_all(mut r: CaptureReader) -> (Vec<Seen>, Option<CaptureError>) {
    let mut out = Vec::new();
    loop {
        match r.next_event() {
            Ok(Some(CaptureEvent::Packet(p))) => {
                out.push(Seen::Pkt(p.frame, p.ts, p.link.0, p.data.to_vec()))
            }
            Ok(Some(CaptureEvent::Secrets(s))) => out.push(Seen::Sec(s.to_vec())),
            Ok(None) => return (out, None),
            Err(e) => {
                // After an error the reader stays finished.
                assert!(matches!(r.next_event(), Ok(None)));
                return (out, Some(e));
            }
        }
    }
}

#[test]
fn legacy_both_byte_orders_and_precisions() {
    for be in [false, true] {
        for nanos in [false, true] {
            let f = legacy(be, nanos, 1, &[(10, 500, b"abc"), (11, 7, b"defg")]);
            let r = CaptureReader::from_reader("t.pcap", Cursor::new(f)).unwrap();
            assert_eq!(r.format(), Format::Pcap);
            let (seen, err) = read_all(r);
            assert!(err.is_none());
            let mult = if nanos { 1 } else { 1000 };
            assert_eq!(
                seen,
                vec![
                    Seen::Pkt(1, Timestamp::new(10, 500 * mult), 1, b"abc".to_vec()),
                    Seen::Pkt(2, Timestamp::new(11, 7 * mult), 1, b"defg".to_vec()),
                ],
                "be={be} nanos={nanos}"
            );
        }
    }
}

#[test]
fn pcapng_interfaces_resolutions_spb_and_secrets() {
    let mut f = shb();
    f.extend(idb(1, None)); // microseconds
    f.extend(idb(101, Some(9))); // nanoseconds
    f.extend(epb(0, 1_700_000_000_123_456, b"eth"));
    f.extend(dsb(b"CLIENT_RANDOM aa bb\n"));
    f.extend(epb(1, 1_700_000_000_987_654_321, b"rawip"));
    f.extend(spb(b"spb!"));
    // A second section resets the interface table.
    f.extend(shb());
    f.extend(idb(113, Some(0x80 | 10))); // 2^-10 s units
    f.extend(epb(0, 1024 * 5 + 512, b"sll"));
    let r = CaptureReader::from_reader("t.pcapng", Cursor::new(f)).unwrap();
    assert_eq!(r.format(), Format::Pcapng);
    let (seen, err) = read_all(r);
    assert!(err.is_none(), "{err:?}");
    assert_eq!(
        seen,
        vec![
            Seen::Pkt(
                1,
                Timestamp::new(1_700_000_000, 123_456_000),
                1,
                b"eth".to_vec()
            ),
            Seen::Sec(b"CLIENT_RANDOM aa bb\n".to_vec()),
            Seen::Pkt(
                2,
                Timestamp::new(1_700_000_000, 987_654_321),
                101,
                b"rawip".to_vec()
            ),
            Seen::Pkt(3, Timestamp::default(), 1, b"spb!".to_vec()),
            Seen::Pkt(4, Timestamp::new(5, 500_000_000), 113, b"sll".to_vec()),
        ]
    );
}

#[test]
fn header_delivered_in_pieces() {
    let mut ng = shb();
    ng.extend(idb(1, None));
    for i in 0..50u64 {
        ng.extend(epb(0, i, &[i as u8; 100]));
    }
    let pcap = legacy(false, false, 1, &[(1, 2, &[7u8; 300]), (3, 4, b"x")]);
    for (data, frames) in [(ng, 50), (pcap, 2)] {
        for step in [1, 3, 10, 17] {
            let r = CaptureReader::from_reader(
                "-",
                Trickle {
                    data: data.clone(),
                    pos: 0,
                    step,
                },
            )
            .unwrap();
            let (seen, err) = read_all(r);
            assert!(err.is_none(), "step {step}: {err:?}");
            assert_eq!(seen.len(), frames);
        }
    }
}

#[test]
fn truncated_file_reports_position_and_keeps_packets() {
    let f = legacy(
        false,
        false,
        1,
        &[(1, 0, b"first"), (2, 0, b"second packet")],
    );
    let cut = f.len() - 4;
    let r = CaptureReader::from_reader("cut.pcap", Cursor::new(f[..cut].to_vec())).unwrap();
    let (seen, err) = read_all(r);
    assert_eq!(seen.len(), 1);
    let err = err.expect("truncation must be reported");
    assert_eq!(err.kind, CaptureErrorKind::Truncated);
    assert_eq!(err.offset, 24 + 16 + 5);
    assert_eq!(err.frames_read, 1);
    let msg = err.to_string();
    assert!(msg.starts_with("cut.pcap: at byte 45"), "{msg}");
}

#[test]
fn garbage_and_empty_inputs() {
    let e = CaptureReader::from_reader("junk", Cursor::new(b"hello world, not a pcap".to_vec()))
        .unwrap_err();
    assert_eq!(e.kind, CaptureErrorKind::NotACapture);
    assert!(e.to_string().contains("junk"));
    let e = CaptureReader::from_reader("empty", Cursor::new(Vec::new())).unwrap_err();
    assert_eq!(e.kind, CaptureErrorKind::Empty);
    // A legacy record claiming an absurd length.
    let mut f = legacy(false, false, 1, &[(1, 0, b"ok")]);
    f.extend_from_slice(&[
        0, 0, 0, 0, 0, 0, 0, 0, 0xF0, 0xFF, 0xFF, 0xFF, 0xF0, 0xFF, 0xFF, 0xFF,
    ]);
    f.extend_from_slice(&[0u8; 64]);
    let r = CaptureReader::from_reader("huge", Cursor::new(f)).unwrap();
    let (seen, err) = read_all(r);
    assert_eq!(seen.len(), 1);
    assert!(err.is_some());
}

#[test]
fn pcapng_garbage_after_good_blocks() {
    let mut f = shb();
    f.extend(idb(1, None));
    f.extend(epb(0, 1, b"good"));
    f.extend_from_slice(&[
        0x06, 0, 0, 0, 0x05, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
    ]);
    let r = CaptureReader::from_reader("bad.pcapng", Cursor::new(f)).unwrap();
    let (seen, err) = read_all(r);
    assert_eq!(seen.len(), 1);
    assert!(err.is_some());
}

#[test]
fn arbitrary_prefixes_never_panic() {
    let mut f = shb();
    f.extend(idb(1, Some(6)));
    f.extend(epb(0, 1, b"good packet"));
    f.extend(dsb(b"secret"));
    let pcap = legacy(true, true, 0, &[(1, 0, b"abcdef"), (2, 0, b"g")]);
    for file in [f, pcap] {
        for cut in 0..file.len() {
            if let Ok(r) = CaptureReader::from_reader("p", Cursor::new(file[..cut].to_vec())) {
                let _ = read_all(r);
            }
            // And with a corrupted byte.
            let mut bad = file.clone();
            bad[cut] ^= 0xFF;
            if let Ok(r) = CaptureReader::from_reader("p", Cursor::new(bad)) {
                let _ = read_all(r);
            }
        }
    }
}
