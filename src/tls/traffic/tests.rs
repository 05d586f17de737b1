//! Tests of `tls/traffic.rs`: the record-size arithmetic per suite.

use super::*;

#[test]
fn sizes_for_every_tls13_suite() {
    // (suite, Finished record, empty Certificate record, both in one
    // record, alert record), each = content + 1 (inner type) + tag.
    let cases = [
        (0x1301, 32 + 4 + 17, 8 + 17, 8 + 36 + 17, 2 + 17),
        (0x1302, 48 + 4 + 17, 8 + 17, 8 + 52 + 17, 2 + 17),
        (0x1303, 32 + 4 + 17, 8 + 17, 8 + 36 + 17, 2 + 17),
        (0x1304, 32 + 4 + 17, 8 + 17, 8 + 36 + 17, 2 + 17),
        (0x1305, 32 + 4 + 9, 8 + 9, 8 + 36 + 9, 2 + 9),
    ];
    for (suite, fin, empty, both, alert) in cases {
        let s = SealedSizes::for_tls13_suite(suite).expect("a TLS 1.3 suite");
        assert_eq!(s.finished(), fin, "{suite:#06x} Finished");
        assert_eq!(
            s.empty_certificate(),
            empty,
            "{suite:#06x} empty Certificate"
        );
        assert_eq!(
            s.empty_certificate_and_finished(),
            both,
            "{suite:#06x} packed"
        );
        assert_eq!(s.alert(), alert, "{suite:#06x} alert");
    }
    // The sizes measured on openssl s_server/s_client (AES-256-GCM): a
    // Finished of 69 bytes, an empty Certificate of 25, an alert of 19.
    let s = SealedSizes::for_tls13_suite(0x1302).expect("suite");
    assert_eq!(
        (s.finished(), s.empty_certificate(), s.alert()),
        (69, 25, 19)
    );
    // TLS 1.2 suites have no TLS 1.3 record arithmetic.
    assert_eq!(SealedSizes::for_tls13_suite(0xc02f), None);
}

#[test]
fn padding_adds_to_every_record() {
    let s = SealedSizes::for_tls13_suite(0x1302)
        .expect("suite")
        .padded(16);
    // Java 17's JSSE: Finished 85, alert 35 (captures/jsse-server-*).
    assert_eq!((s.finished(), s.alert()), (85, 35));
    assert_eq!(s.record(0), 33);
    assert!(KNOWN_PADDINGS.contains(&0) && KNOWN_PADDINGS.contains(&16));
}

#[test]
fn no_size_of_a_fixed_message_reaches_a_certificate_flight() {
    // A certificate flight is told from an empty Certificate by size
    // alone: the smallest one must exceed every fixed record, padded too.
    for suite in [0x1301, 0x1302, 0x1303, 0x1304, 0x1305] {
        for pad in KNOWN_PADDINGS {
            let s = SealedSizes::for_tls13_suite(suite)
                .expect("suite")
                .padded(pad);
            let min = s.min_certificate_and_verify();
            for fixed in [
                s.finished(),
                s.empty_certificate(),
                s.alert(),
                s.empty_certificate_and_finished(),
            ] {
                assert!(fixed < min, "{suite:#06x} pad {pad}: {fixed} >= {min}");
            }
        }
    }
}

#[test]
fn the_log_keeps_the_first_records_and_counts_the_rest() {
    let mut log = RecordLog::default();
    for i in 0..(MAX_RECORDS as u64 + 10) {
        log.push(WireRecord {
            from: Side::Client,
            content_type: 23,
            length: 100,
            frame: i,
            ts: Timestamp::default(),
            sealed: true,
        });
    }
    assert_eq!(log.records.len(), MAX_RECORDS);
    assert_eq!(log.dropped, 10);
    assert_eq!(
        log.records.last().map(|r| r.frame),
        Some(MAX_RECORDS as u64 - 1)
    );
}

fn wire(from: Side, content_type: u8, length: u32, frame: u64, sealed: bool) -> WireRecord {
    WireRecord {
        from,
        content_type,
        length,
        frame,
        ts: Timestamp::new(0, 0),
        sealed,
    }
}

#[test]
fn server_records_after_the_client_flight() {
    use Side::{Client as C, Server as S};
    let mut log = RecordLog::default();
    for r in [
        wire(C, 22, 512, 1, false),
        wire(S, 22, 122, 2, false),
        wire(S, 20, 1, 2, false),
        wire(S, 23, 2000, 2, true),
        wire(S, 23, 69, 2, true),
        wire(C, 20, 1, 3, false),
        wire(C, 23, 1798, 3, true),
        wire(C, 23, 69, 3, true),
        wire(S, 23, 1146, 4, true),
        wire(C, 23, 80, 5, true),
        wire(S, 23, 300, 6, true),
    ] {
        log.push(r);
    }
    let after: Vec<(u32, u64)> = log
        .server_after_client_flight()
        .iter()
        .map(|r| (r.length, r.frame))
        .collect();
    assert_eq!(after, vec![(1146, 4), (300, 6)]);
    // Nothing from the client after the ServerHello: nothing to say.
    let mut short = RecordLog::default();
    short.push(wire(C, 22, 512, 1, false));
    short.push(wire(S, 22, 122, 2, false));
    short.push(wire(S, 23, 2000, 2, true));
    assert!(short.server_after_client_flight().is_empty());
    assert!(RecordLog::default().server_after_client_flight().is_empty());
}
