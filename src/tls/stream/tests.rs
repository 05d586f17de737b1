//! Tests of `tls/stream.rs`.

use super::*;
use crate::net::tcp::Gap;

fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

/// Real TLS 1.2 handshake messages (openssl), header included.
fn server_flight() -> Vec<u8> {
    let mut v = unhex(include_str!(
        "../../../tests/data/tls/tls12_server_hello.hex"
    ));
    v.extend(unhex(include_str!(
        "../../../tests/data/tls/tls12_certificate_server.hex"
    )));
    v.extend(unhex(include_str!(
        "../../../tests/data/tls/tls12_server_key_exchange.hex"
    )));
    v.extend(unhex(include_str!(
        "../../../tests/data/tls/tls12_certificate_request.hex"
    )));
    v.extend([14, 0, 0, 0]); // server_hello_done
    v
}

const SERVER_KINDS: [&str; 5] = [
    "server_hello",
    "certificate",
    "server_key_exchange",
    "certificate_request",
    "server_hello_done",
];

/// Wraps handshake bytes into records of at most `size` bytes each.
fn records(hs: &[u8], size: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for part in hs.chunks(size) {
        out.extend([22, 3, 3, (part.len() >> 8) as u8, part.len() as u8]);
        out.extend_from_slice(part);
    }
    out
}

fn kinds(t: &TlsTracker) -> Vec<String> {
    t.connection()
        .ladder
        .iter()
        .map(|l| l.kind.clone())
        .collect()
}

fn client_hello_records() -> Vec<u8> {
    records(
        &unhex(include_str!(
            "../../../tests/data/tls/tls12_client_hello.hex"
        )),
        1 << 14,
    )
}

#[test]
fn a_message_split_at_every_boundary_across_records() {
    let flight = server_flight();
    for size in 1..=flight.len() {
        let mut t = TlsTracker::new(TlsConfig::default());
        t.data(
            Direction::ClientToServer,
            &client_hello_records(),
            1,
            Timestamp::default(),
        );
        t.data(
            Direction::ServerToClient,
            &records(&flight, size),
            2,
            Timestamp::default(),
        );
        assert_eq!(kinds(&t)[1..], SERVER_KINDS, "record size {size}");
        let c = t.connection();
        assert!(c.issues.is_empty(), "record size {size}: {:?}", c.issues);
        // Each message is parsed, not only named.
        assert!(c.handshakes.iter().all(|h| h.message.is_ok()));
    }
}

#[test]
fn a_record_split_at_every_byte_across_segments() {
    let stream = records(&server_flight(), 700);
    for cut in 0..=stream.len() {
        let mut t = TlsTracker::new(TlsConfig::default());
        t.data(
            Direction::ClientToServer,
            &client_hello_records(),
            1,
            Timestamp::default(),
        );
        t.data(
            Direction::ServerToClient,
            &stream[..cut],
            2,
            Timestamp::default(),
        );
        t.data(
            Direction::ServerToClient,
            &stream[cut..],
            3,
            Timestamp::default(),
        );
        assert_eq!(kinds(&t)[1..], SERVER_KINDS, "cut at {cut}");
        // The frame of a message is the one that completed it.
        let last = t.connection().ladder.last().map(|l| l.frame);
        assert_eq!(
            last,
            Some(if cut == stream.len() { 2 } else { 3 }),
            "cut at {cut}"
        );
    }
}

#[test]
fn a_partial_message_given_up_for_the_budget_is_passed_over_in_sync() {
    let stream = records(&server_flight(), 100);
    let ts = Timestamp::default();
    // Cut after each whole record: what is held of the message it cuts
    // is given up, the rest of that message passed over, the others read.
    let mut cuts = 0;
    for cut in (105..stream.len()).step_by(105) {
        let mut t = TlsTracker::new(TlsConfig::default());
        t.data(Direction::ClientToServer, &client_hello_records(), 1, ts);
        t.data(Direction::ServerToClient, &stream[..cut], 2, ts);
        let before = t.held_bytes();
        let partial = t.held_since();
        let gave_up = t.give_up_held(64 << 20);
        assert!(t.held_bytes() <= before);
        assert_eq!(gave_up, partial.is_some(), "cut {cut}");
        assert_eq!(t.held_since(), None);
        t.data(Direction::ServerToClient, &stream[cut..], 3, ts);
        let c = t.connection();
        assert_eq!(kinds(&t)[1..], SERVER_KINDS, "cut {cut}");
        if !gave_up {
            assert!(c.issues.is_empty());
            continue;
        }
        cuts += 1;
        // The message cut is listed as such; every other one is read.
        let cut_entries: Vec<_> = c.ladder.iter().filter(|l| l.truncated).collect();
        assert_eq!(cut_entries.len(), 1, "cut {cut}");
        assert_eq!(c.handshakes.len(), 5, "cut {cut}");
        assert_eq!(c.issues.len(), 1, "{:?}", c.issues);
        assert_eq!(c.issues[0].kind, IssueKind::LostRecord);
        let name = &cut_entries[0].kind;
        assert!(
            c.issues[0]
                .detail
                .starts_with(&format!("a partial {name} message (")),
            "{}",
            c.issues[0].detail
        );
        assert!(c.issues[0].detail.ends_with(
            "from the server was given up: the TLS layer's buffer budget (64 MiB across connections) was exceeded"
        ));
    }
    assert!(cuts >= 7, "{cuts}");
    // Inside a record: the record is lost as in a gap, and reading
    // resynchronises on the next one.
    let mut t = TlsTracker::new(TlsConfig::default());
    let cut = 105 * 3 + 50;
    t.data(Direction::ServerToClient, &stream[..cut], 2, ts);
    assert!(t.give_up_held(1000));
    t.data(Direction::ServerToClient, &stream[cut..], 3, ts);
    let c = t.connection();
    assert!(
        c.issues[0].detail.starts_with(
            "a partial handshake record (50 of 105 bytes) and a partial certificate message (226 of 787 bytes) from the server were given up"
        ),
        "{}",
        c.issues[0].detail
    );
    assert!(c.issues[0].detail.contains("budget (1000 bytes across"));
    assert_eq!(
        kinds(&t).last().map(String::as_str),
        Some("server_hello_done")
    );
}

#[test]
fn starttls_after_plaintext_and_a_gap_resynchronises() {
    let mut t = TlsTracker::new(TlsConfig::default());
    let mut client = b"EHLO client.test\r\nSTARTTLS\r\n".to_vec();
    client.extend(client_hello_records());
    t.data(Direction::ClientToServer, &client, 1, Timestamp::default());
    let mut server = b"220 ready\r\n250 ok\r\n220 go ahead\r\n".to_vec();
    let flight = records(&server_flight(), 400);
    server.extend_from_slice(&flight[..100]);
    t.data(Direction::ServerToClient, &server, 2, Timestamp::default());
    // The rest of that record is lost; the next records follow.
    t.gap(
        Direction::ServerToClient,
        Gap {
            offset: 0,
            len: 305,
            frame: 3,
            truncated: false,
        },
    );
    t.data(
        Direction::ServerToClient,
        &flight[405..],
        4,
        Timestamp::default(),
    );
    let c = t.connection();
    assert_eq!(c.plaintext_before, [28, 33]);
    assert_eq!(kinds(&t)[0], "client_hello");
    assert!(c.issues.iter().any(|i| i.kind == IssueKind::LostRecord));
    assert!(
        kinds(&t).contains(&"server_hello_done".to_string()),
        "{:?}",
        kinds(&t)
    );
}

#[test]
fn an_oversized_record_is_reported_not_buffered() {
    let mut t = TlsTracker::new(TlsConfig::default());
    t.data(
        Direction::ClientToServer,
        &client_hello_records(),
        1,
        Timestamp::default(),
    );
    t.data(
        Direction::ClientToServer,
        &[22, 3, 3, 0xFF, 0xFF, 1, 2, 3],
        2,
        Timestamp::default(),
    );
    let c = t.connection();
    assert!(c.issues.iter().any(|i| i.kind == IssueKind::RecordTooLarge));
}

#[test]
fn sslv2_client_hello_is_recognised() {
    // RFC 5246 E.2: length 0x802e, type 1, version 3.1, 3 cipher specs.
    let mut v2 = vec![
        0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10,
    ];
    v2.extend([0u8; 21]);
    v2.extend([0xAB; 16]);
    let mut t = TlsTracker::new(TlsConfig::default());
    t.data(Direction::ClientToServer, &v2, 1, Timestamp::default());
    assert_eq!(kinds(&t), ["client_hello"]);
    assert!(t
        .connection()
        .issues
        .iter()
        .any(|i| i.kind == IssueKind::Sslv2ClientHello));
}

proptest::proptest! {
    /// Arbitrary bytes, in arbitrary pieces, with gaps, never panic and
    /// keep memory bounded.
    #[test]
    fn arbitrary_streams_never_panic(
        pieces in proptest::collection::vec((proptest::prelude::any::<bool>(), proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300), proptest::prelude::any::<bool>()), 0..30)
    ) {
        let mut t = TlsTracker::new(TlsConfig { max_handshake_message: 1024, max_transcript: 4096, ..Default::default() });
        for (i, (client, bytes, gap)) in pieces.iter().enumerate() {
            let dir = if *client { Direction::ClientToServer } else { Direction::ServerToClient };
            t.data(dir, bytes, i as u64, Timestamp::default());
            if *gap {
                t.gap(dir, Gap { offset: 0, len: 7, frame: i as u64, truncated: false });
            }
        }
        let c = t.finish(99);
        proptest::prop_assert!(c.transcript_bytes <= 4096);
        proptest::prop_assert!(c.issues.len() <= 256);
    }

    /// Valid records with random payloads in random pieces never panic.
    #[test]
    fn plausible_records_never_panic(
        recs in proptest::collection::vec((20u8..25, proptest::collection::vec(proptest::prelude::any::<u8>(), 1..200)), 1..20),
        cut in 0usize..4000,
    ) {
        let mut stream = Vec::new();
        for (ct, body) in &recs {
            stream.extend([*ct, 3, 3, (body.len() >> 8) as u8, body.len() as u8]);
            stream.extend_from_slice(body);
        }
        let cut = cut.min(stream.len());
        let mut t = TlsTracker::new(TlsConfig::default());
        t.data(Direction::ClientToServer, &stream[..cut], 1, Timestamp::default());
        t.data(Direction::ClientToServer, &stream[cut..], 2, Timestamp::default());
        let _ = t.finish(3);
    }
}

/// An idle connection's TLS state (docs/robustness.md): key material,
/// decrypters and what application data said are boxed, absent until
/// there is some.
#[test]
#[cfg(target_pointer_width = "64")]
fn an_idle_tracker_stays_small() {
    use std::mem::size_of;
    let t = size_of::<TlsTracker>();
    assert!(t <= 600, "TlsTracker: {t}");
    assert!(
        size_of::<TlsConnection>() <= 312,
        "{}",
        size_of::<TlsConnection>()
    );
    assert!(size_of::<Crypto>() <= 96, "{}", size_of::<Crypto>());
    assert!(size_of::<DirState>() <= 88, "{}", size_of::<DirState>());
}

/// A handshake record holds its parsed message inline (hundreds of bytes):
/// a connection with one ClientHello, which is all most connections of a
/// flood hold, must not keep room for four (docs/robustness.md, 100k
/// flows).
#[test]
fn one_message_keeps_room_for_one() {
    let mut t = TlsTracker::new(TlsConfig::default());
    t.data(
        Direction::ClientToServer,
        &client_hello_records(),
        1,
        Timestamp::default(),
    );
    let c = t.connection();
    assert_eq!(c.handshakes.len(), 1);
    assert_eq!(c.handshakes.capacity(), 1);
    t.data(
        Direction::ServerToClient,
        &records(&server_flight(), 1 << 14),
        2,
        Timestamp::default(),
    );
    let c = t.connection();
    assert_eq!(c.handshakes.len(), 6);
    assert!(c.handshakes.capacity() <= 8, "{}", c.handshakes.capacity());
}
