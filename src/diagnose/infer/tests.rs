//! Tests of `diagnose/infer.rs` on crafted record sequences: each packing,
//! padding and answer. The real captures are in tests/captures.rs.

use super::*;
use crate::capture::Timestamp;

/// A record: side, length, frame; the time is the frame in milliseconds.
fn rec(from: Side, length: u32, frame: u64) -> WireRecord {
    WireRecord {
        from,
        content_type: 23,
        length,
        frame,
        ts: Timestamp::new(0, (frame as u32) * 1_000_000),
        sealed: true,
    }
}

const C: Side = Side::Client;
const S: Side = Side::Server;

fn close(frame: u64, secs: i64) -> Option<CloseEvent> {
    Some(CloseEvent {
        frame,
        ts: Timestamp::new(secs, (frame as u32) * 1_000_000),
        rst: false,
    })
}

/// A view of `records` under TLS_AES_256_GCM_SHA384 (Finished 69, empty
/// Certificate 25, alert 19), the server's padding measured as the code
/// measures it.
fn view(records: &[WireRecord], closes: [Option<CloseEvent>; 2]) -> View<'_> {
    let sizes = SealedSizes::for_tls13_suite(0x1302).expect("suite");
    let recs: Vec<&WireRecord> = records.iter().collect();
    let flight_len = recs.iter().position(|r| r.from == C).unwrap_or(recs.len());
    let pad = recs[..flight_len].iter().rev().find_map(|r| {
        KNOWN_PADDINGS
            .into_iter()
            .find(|&p| r.length as usize == sizes.padded(p).finished())
    });
    View {
        recs,
        client: sizes,
        server: sizes.padded(pad.unwrap_or(0)),
        server_measured: pad.is_some(),
        hash_name: "SHA-384",
        closes,
        http_client: true,
        early_data: false,
    }
}

fn openssl_server_flight() -> Vec<WireRecord> {
    vec![
        rec(S, 23, 6),
        rec(S, 132, 6),
        rec(S, 1841, 6),
        rec(S, 281, 6),
        rec(S, 69, 6),
    ]
}

/// The flight, read with the known paddings, and the answer to it.
fn read(records: &[WireRecord], closes: [Option<CloseEvent>; 2]) -> (Flight, Option<Answer>) {
    let v = view(records, closes);
    let (flight, sizes) = client_flight_padded(&v, 0, true).expect("a client flight");
    let v = View { client: sizes, ..v };
    let answer = flight_span(&flight).map(|(start, last)| server_answer(&v, start, last));
    (flight, answer)
}

#[test]
fn one_record_per_message_with_a_certificate() {
    let mut r = openssl_server_flight();
    r.extend([
        rec(C, 1798, 8),
        rec(C, 281, 8),
        rec(C, 69, 8),
        rec(S, 1146, 9),
    ]);
    let (flight, answer) = read(&r, [None, None]);
    assert!(
        matches!(flight, Flight::WithCertificate { packed: false, .. }),
        "{flight:?}"
    );
    assert!(matches!(answer, Some(Answer::WentOn { .. })), "{answer:?}");
}

#[test]
fn finished_alone_means_no_request() {
    let mut r = openssl_server_flight();
    r.extend([rec(C, 69, 8), rec(S, 250, 9)]);
    assert!(matches!(
        read(&r, [None, None]).0,
        Flight::FinishedOnly { .. }
    ));
}

#[test]
fn an_empty_certificate_alone_or_packed_with_finished() {
    let mut r = openssl_server_flight();
    r.extend([rec(C, 25, 8), rec(C, 69, 8), rec(S, 19, 9)]);
    let (flight, answer) = read(&r, [None, close(10, 0)]);
    assert!(
        matches!(flight, Flight::EmptyCertificate { .. }),
        "{flight:?}"
    );
    assert!(matches!(answer, Some(Answer::Alert { .. })), "{answer:?}");
    // 8 + 52 (Finished, SHA-384) + 1 + 16 = 77 in one record.
    let mut r = openssl_server_flight();
    r.extend([rec(C, 77, 8), rec(S, 298, 9)]);
    let (flight, answer) = read(&r, [None, None]);
    assert!(
        matches!(flight, Flight::EmptyCertificate { .. }),
        "{flight:?}"
    );
    assert!(matches!(answer, Some(Answer::WentOn { .. })), "{answer:?}");
}

#[test]
fn a_packed_certificate_flight_is_read_only_from_a_client_shown_not_to_pad() {
    // Certificate + CertificateVerify + Finished in one record, and the
    // client's close_notify is exactly 19 bytes: it does not pad.
    let mut r = openssl_server_flight();
    r.extend([rec(C, 2100, 8), rec(S, 1146, 9), rec(C, 19, 12)]);
    let (flight, _) = read(&r, [None, None]);
    assert!(
        matches!(flight, Flight::WithCertificate { packed: true, .. }),
        "{flight:?}"
    );
    // Without that evidence the same record is not read.
    let mut r = openssl_server_flight();
    r.extend([rec(C, 2100, 8), rec(S, 1146, 9)]);
    let (flight, answer) = read(&r, [None, None]);
    assert!(matches!(flight, Flight::Unrecognised { .. }), "{flight:?}");
    assert!(answer.is_none());
}

#[test]
fn jsse_pads_every_record_by_sixteen() {
    // Java 17 client: 1814 + 297 + 85 (Finished 69 + 16).
    let mut r = openssl_server_flight();
    r.extend([
        rec(C, 1814, 10),
        rec(C, 297, 12),
        rec(C, 85, 14),
        rec(S, 1146, 16),
    ]);
    let (flight, answer) = read(&r, [None, None]);
    assert!(
        matches!(flight, Flight::WithCertificate { .. }),
        "{flight:?}"
    );
    assert!(matches!(answer, Some(Answer::WentOn { .. })), "{answer:?}");
    // Java 17 server: its Finished is 85, so its alert is 35, not a ticket.
    let r = vec![
        rec(S, 65, 10),
        rec(S, 186, 12),
        rec(S, 1857, 14),
        rec(S, 297, 16),
        rec(S, 85, 18),
        rec(C, 1801, 20),
        rec(C, 281, 20),
        rec(C, 69, 20),
        rec(C, 98, 22),
        rec(S, 35, 24),
    ];
    let (_, answer) = read(&r, [close(25, 0), close(26, 0)]);
    assert!(matches!(answer, Some(Answer::Alert { .. })), "{answer:?}");
}

#[test]
fn a_server_that_packs_its_flight_is_judged_with_every_known_padding() {
    // rustls: the whole server flight in one record; its padding unknown.
    let base = vec![
        rec(S, 2268, 6),
        rec(C, 1798, 8),
        rec(C, 281, 8),
        rec(C, 69, 8),
    ];
    for (answer_len, want_alert) in [(19, true), (35, true), (179, false)] {
        let mut r = base.clone();
        r.push(rec(S, answer_len, 9));
        let (_, answer) = read(&r, [None, close(10, 0)]);
        assert_eq!(
            matches!(answer, Some(Answer::Alert { .. })),
            want_alert,
            "{answer_len}: {answer:?}"
        );
    }
    // Any other size is not an alert: a ticket, data or a KeyUpdate.
    let mut r = base;
    r.push(rec(S, 23, 9));
    let (_, answer) = read(&r, [None, None]);
    assert!(matches!(answer, Some(Answer::WentOn { .. })), "{answer:?}");
}

#[test]
fn a_close_without_a_record_is_a_refusal_only_when_prompt_and_first() {
    let mut r = openssl_server_flight();
    r.extend([
        rec(C, 1801, 8),
        rec(C, 281, 8),
        rec(C, 69, 8),
        rec(C, 98, 9),
    ]);
    // Node: FIN 3 ms later, before the client's.
    let (_, answer) = read(&r, [close(12, 0), close(11, 0)]);
    assert!(
        matches!(answer, Some(Answer::SilentClose { .. })),
        "{answer:?}"
    );
    // A close 30 s later may be an idle timeout.
    let (_, answer) = read(&r, [close(12, 30), close(11, 30)]);
    assert!(
        matches!(answer, Some(Answer::LateClose { .. })),
        "{answer:?}"
    );
    // The client closed first.
    let (_, answer) = read(&r, [close(11, 0), close(12, 0)]);
    assert!(
        matches!(answer, Some(Answer::ClientClosedFirst { .. })),
        "{answer:?}"
    );
    // Nobody closed: the capture ends.
    let (_, answer) = read(&r, [None, None]);
    assert!(matches!(answer, Some(Answer::Nothing)), "{answer:?}");
}

#[test]
fn an_alert_after_the_clients_close_is_not_a_refusal() {
    let mut r = openssl_server_flight();
    r.extend([
        rec(C, 1798, 8),
        rec(C, 281, 8),
        rec(C, 69, 8),
        rec(C, 19, 9),
        rec(S, 19, 10),
    ]);
    let (_, answer) = read(&r, [close(9, 0), close(11, 0)]);
    assert!(
        matches!(answer, Some(Answer::ClientClosedFirst { .. })),
        "{answer:?}"
    );
}

#[test]
fn a_server_that_answers_and_closes_first_is_not_read_as_success() {
    // nginx's 400: two tickets, the client's request, a response, then the
    // server's close_notify and FIN before the client's.
    let mut r = openssl_server_flight();
    r.extend([
        rec(C, 1801, 8),
        rec(C, 281, 8),
        rec(C, 69, 8),
        rec(C, 98, 9),
        rec(S, 1194, 11),
        rec(S, 1194, 12),
        rec(S, 384, 14),
        rec(S, 19, 15),
    ]);
    let (_, answer) = read(&r, [close(17, 0), close(16, 0)]);
    assert!(
        matches!(answer, Some(Answer::WentOnThenClosed { .. })),
        "{answer:?}"
    );
    // The same with the client closing first is a success.
    let (_, answer) = read(&r, [close(13, 0), close(16, 0)]);
    assert!(matches!(answer, Some(Answer::WentOn { .. })), "{answer:?}");
}

#[test]
fn a_client_alert_instead_of_finished() {
    let mut r = openssl_server_flight();
    r.push(rec(C, 19, 8));
    assert!(matches!(
        read(&r, [None, None]).0,
        Flight::ClientAlert { .. }
    ));
}

#[test]
fn post_handshake_authentication_after_a_request() {
    // Python/Apache: Finished alone, a request, tickets, then the server's
    // CertificateRequest answered by a certificate flight, then tickets.
    let mut r = openssl_server_flight();
    r.extend([
        rec(C, 69, 8),
        rec(C, 23, 9),
        rec(S, 250, 10),
        rec(S, 250, 11),
        rec(S, 164, 13),
        rec(C, 1830, 14),
        rec(C, 281, 14),
        rec(C, 69, 14),
        rec(S, 1146, 15),
    ]);
    let v = view(&r, [None, None]);
    let inf = post_handshake(&v, 5, None).expect("a post-handshake exchange");
    assert_eq!(inf.outcome, Outcome::Succeeded);
    assert_eq!(inf.requested, Some(true));
    assert_eq!(inf.findings[0].evidence[0].frame, Some(13));
    // Refused: an alert after the flight.
    r.pop();
    r.push(rec(S, 19, 17));
    let v = view(&r, [None, close(18, 0)]);
    let inf = post_handshake(&v, 5, None).expect("a post-handshake exchange");
    assert_eq!(inf.outcome, Outcome::Failed);
    // No certificate: a short Certificate (with the request's context).
    let mut r = openssl_server_flight();
    r.extend([
        rec(C, 69, 8),
        rec(S, 164, 13),
        rec(C, 57, 14),
        rec(C, 69, 14),
        rec(S, 19, 15),
    ]);
    let v = view(&r, [None, close(16, 0)]);
    let inf = post_handshake(&v, 5, None).expect("a post-handshake exchange");
    assert_eq!(
        (inf.outcome, inf.certificate_sent),
        (Outcome::Failed, Some(false))
    );
}

#[test]
fn evidence_spells_out_the_arithmetic() {
    let mut r = openssl_server_flight();
    r.extend([
        rec(C, 1758, 8),
        rec(C, 281, 8),
        rec(C, 69, 8),
        rec(S, 1146, 9),
    ]);
    let v = view(&r, [None, None]);
    let (flight, _) = client_flight_padded(&v, 0, true).expect("flight");
    let ev = flight_evidence(&v, &flight, "handshake").expect("evidence");
    assert_eq!(ev.frame, Some(8));
    assert!(
        ev.value.starts_with("1,758 + 281 + 69 bytes = Certificate (a ~1.8 KB chain) + CertificateVerify + Finished (SHA-384)"),
        "{}",
        ev.value
    );
}

#[test]
fn early_data_and_its_end_come_before_the_flight() {
    // A resumed session with 0-RTT: early data, EndOfEarlyData (4 + 1 +
    // 16 = 21 bytes), then Finished alone (no certificate on resumption).
    let r = vec![
        rec(S, 23, 6),
        rec(S, 69, 6),
        rec(C, 117, 7),
        rec(C, 21, 8),
        rec(C, 69, 8),
        rec(S, 250, 9),
    ];
    let v = View {
        early_data: true,
        ..view(&r, [None, None])
    };
    let flight = client_flight(&v, 0, true).expect("a flight");
    assert!(matches!(flight, Flight::FinishedOnly { .. }), "{flight:?}");
    // Without 0-RTT offered the same records are not read as a flight.
    let v = view(&r, [None, None]);
    let flight = client_flight(&v, 0, true).expect("a flight");
    assert!(!matches!(flight, Flight::FinishedOnly { .. }), "{flight:?}");
}

mod issuers {
    //! The possible issuers of a ticket a TLS 1.3 connection resumed
    //! without keys (`infer/resumption.rs`).
    use super::super::resumption::*;
    use crate::diagnose::{ClientAuth, Outcome};

    fn auth(outcome: Outcome, sent: Option<bool>) -> ClientAuth {
        ClientAuth {
            requested: Some(sent.is_some()),
            certificate_sent: sent,
            outcome,
            inferred: true,
            refused_above_tls: false,
        }
    }

    fn issuer(connection: u64, ticket_frame: u64, outcome: Outcome, bytes: Option<u32>) -> Issuer {
        let sent = match outcome {
            Outcome::Succeeded => Some(true),
            Outcome::NotProvided => Some(false),
            _ => None,
        };
        Issuer {
            connection,
            ticket_frame,
            client_auth: auth(outcome, sent),
            identity: IdentityHint {
                subject: None,
                certificate_bytes: bytes,
            },
        }
    }

    fn server(list: Vec<Issuer>) -> ServerIssuers {
        let mut s = ServerIssuers::default();
        for i in list {
            s.push(i, 16);
        }
        s
    }

    #[test]
    fn agreeing_candidates_carry_their_verdict() {
        let s = server(vec![
            issuer(1, 9, Outcome::Succeeded, Some(1798)),
            issuer(3, 40, Outcome::Succeeded, Some(1798)),
        ]);
        match guess(Some(&s), 60) {
            IssuerGuess::Agreed {
                named,
                count,
                client_auth,
                identity,
            } => {
                assert_eq!(count, 2);
                assert_eq!(
                    named.iter().map(|n| n.connection).collect::<Vec<_>>(),
                    vec![1, 3]
                );
                assert_eq!(client_auth.outcome, Outcome::Succeeded);
                assert!(client_auth.inferred, "a carried-over verdict is inferred");
                assert_eq!(identity.certificate_bytes, Some(1798));
            }
            other => panic!("expected agreement, got {other:?}"),
        }
    }

    #[test]
    fn disagreeing_candidates_decide_nothing() {
        // Different verdicts.
        let s = server(vec![
            issuer(1, 9, Outcome::Succeeded, Some(1798)),
            issuer(2, 20, Outcome::NotProvided, None),
        ]);
        assert!(matches!(
            guess(Some(&s), 60),
            IssuerGuess::Disagree { count: 2, .. }
        ));
        // The same verdict, two certificates of different lengths: two
        // clients.
        let s = server(vec![
            issuer(1, 9, Outcome::Succeeded, Some(1798)),
            issuer(2, 20, Outcome::Succeeded, Some(1802)),
        ]);
        assert!(matches!(
            guess(Some(&s), 60),
            IssuerGuess::Disagree { count: 2, .. }
        ));
        // Two subjects with keys.
        let mut a = issuer(1, 9, Outcome::Succeeded, None);
        a.identity.subject = Some("CN=client-good".into());
        let mut b = issuer(2, 20, Outcome::Succeeded, None);
        b.identity.subject = Some("CN=client-other".into());
        assert!(matches!(
            guess(Some(&server(vec![a, b])), 60),
            IssuerGuess::Disagree { .. }
        ));
    }

    #[test]
    fn no_candidate_before_the_client_hello() {
        // No connection to this server at all.
        assert_eq!(guess(None, 60), IssuerGuess::NoCandidate);
        // Connections whose possible tickets came after the ClientHello
        // cannot have issued the ticket it offers.
        let s = server(vec![issuer(1, 70, Outcome::Succeeded, Some(1798))]);
        assert_eq!(guess(Some(&s), 60), IssuerGuess::NoCandidate);
        // ... and do not count against those before it.
        let s = server(vec![
            issuer(1, 9, Outcome::Succeeded, Some(1798)),
            issuer(2, 70, Outcome::NotProvided, None),
        ]);
        assert!(matches!(
            guess(Some(&s), 60),
            IssuerGuess::Agreed { count: 1, .. }
        ));
    }

    #[test]
    fn forgotten_issuers_still_count() {
        let mut s = ServerIssuers::default();
        s.push(issuer(1, 9, Outcome::NotProvided, None), 2);
        s.push(issuer(2, 20, Outcome::Succeeded, Some(1798)), 2);
        s.push(issuer(3, 30, Outcome::Succeeded, Some(1798)), 2);
        assert_eq!(s.recent.len(), 2);
        assert_eq!(s.forgotten.count, 1);
        // The forgotten one disagrees with the rest.
        assert!(matches!(
            guess(Some(&s), 60),
            IssuerGuess::Disagree { count: 3, .. }
        ));
        // A forgotten ticket after the ClientHello: which are candidates
        // is not known.
        let mut s = ServerIssuers::default();
        s.push(issuer(1, 90, Outcome::Succeeded, Some(1798)), 1);
        s.push(issuer(2, 95, Outcome::Succeeded, Some(1798)), 1);
        assert_eq!(guess(Some(&s), 60), IssuerGuess::Forgotten);
    }

    #[test]
    fn unknown_candidates_carry_nothing() {
        let s = server(vec![issuer(1, 9, Outcome::Unknown, None)]);
        match guess(Some(&s), 60) {
            IssuerGuess::Agreed { client_auth, .. } => {
                assert_eq!(client_auth.outcome, Outcome::Unknown)
            }
            other => panic!("expected agreement on unknown, got {other:?}"),
        }
    }
}
