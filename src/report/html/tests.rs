use super::*;

#[test]
fn escape_markup_and_quotes() {
    assert_eq!(
        escape("<script>alert('x')</script> & \"y\""),
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
    );
}

#[test]
fn escape_controls_and_bidi_overrides() {
    assert_eq!(escape("a\u{0}b\u{1b}[31m"), "a\u{FFFD}b\u{FFFD}[31m");
    assert_eq!(escape("evil\u{202E}moc.test"), "evil\u{FFFD}moc.test");
}

#[test]
fn clip_counts_characters() {
    assert_eq!(clip("ééééé", 5), "ééééé");
    assert_eq!(clip("ééééé", 3), "éé…");
}

#[test]
fn prose_turns_backquotes_into_code() {
    assert_eq!(prose("run `a<b` now"), "run <code>a&lt;b</code> now");
}

mod synthetic {
    use super::super::{chain, ladder, Page};
    use crate::capture::Timestamp;
    use crate::diagnose::{ClientAuth, Diagnosis, Finding, HandshakeOutcome, Outcome, Severity};
    use crate::net::tcp::{ConnDetail, ConnEnd, ConnInfo, ConnSummary, RoleSource};
    use crate::report::explain::CaptureJson;
    use crate::tls::stream::{
        AlertEntry, IssueKind, LadderEntry, Side, StreamIssue, TlsConnection,
    };
    use crate::tls::ConnectionFacts;
    use crate::x509::CertInfo;

    fn entry(kind: &str, from: Side, frame: u64) -> LadderEntry {
        LadderEntry {
            kind: kind.to_string(),
            from,
            frame,
            ts: Timestamp::new(1_700_000_000, frame as u32 * 1_000_000),
            encrypted: false,
            length: 100,
            handshake: None,
            alert: None,
            truncated: false,
        }
    }

    fn facts(ladder: Vec<LadderEntry>, issues: Vec<StreamIssue>) -> ConnectionFacts {
        let tls = TlsConnection {
            detected: true,
            ladder,
            issues,
            ..TlsConnection::default()
        };
        ConnectionFacts {
            info: ConnInfo {
                id: 7,
                client: "10.0.0.1:50000".parse().unwrap(),
                server: "10.0.0.2:443".parse().unwrap(),
                role_source: RoleSource::Syn,
            },
            tcp: ConnSummary {
                id: 7,
                client: "10.0.0.1:50000".into(),
                server: "10.0.0.2:443".into(),
                first_frame: 1,
                last_frame: 9,
                packets: 9,
                client_bytes: 0,
                server_bytes: 0,
                gaps: 1,
                end: ConnEnd::Rst,
                detail: ConnDetail::default(),
            },
            tls,
        }
    }

    fn diagnosis(findings: Vec<Finding>, chain: Vec<CertInfo>) -> Diagnosis {
        Diagnosis {
            client_auth: ClientAuth {
                requested: Some(true),
                certificate_sent: Some(true),
                outcome: Outcome::Failed,
                inferred: false,
                refused_above_tls: false,
            },
            handshake: HandshakeOutcome::Failed,
            findings,
            client_chain: chain.into_iter().map(std::sync::Arc::new).collect(),
            server_chain: Vec::new(),
            client_path: None,
            server_path: None,
            server_stack: None,
            client_stack: None,
            client_identity: Default::default(),
        }
    }

    fn cert(subject: &str, issuer: &str) -> CertInfo {
        CertInfo {
            subject: subject.into(),
            issuer: issuer.into(),
            subject_der: Vec::new(),
            issuer_der: Vec::new(),
            serial: "01".into(),
            not_before: "2020-01-01T00:00:00Z".into(),
            not_after: "2021-01-01T00:00:00Z".into(),
            not_before_unix: 1_577_836_800,
            not_after_unix: 1_609_459_200,
            eku: Some(vec!["clientAuth".into()]),
            key_usage: None,
            ca: None,
            path_len: None,
            san: Vec::new(),
            key: "RSA 2048".into(),
            signature_algorithm: "sha256WithRSAEncryption".into(),
            sha256: "ab".repeat(32),
            subject_key_id: None,
            authority_key_id: None,
            self_issued: false,
        }
    }

    fn alert(mut e: LadderEntry) -> LadderEntry {
        e.alert = Some(AlertEntry {
            from: e.from,
            level: 2,
            description: 45,
            frame: e.frame,
            encrypted: false,
        });
        e
    }

    #[test]
    fn gap_breaks_the_ladder_and_the_expired_certificate_is_red() {
        let f = facts(
            vec![
                entry("client_hello", Side::Client, 1),
                entry("server_hello", Side::Server, 3),
                entry("certificate", Side::Server, 3),
                entry("certificate", Side::Client, 6),
                alert(entry("alert", Side::Server, 8)),
            ],
            vec![StreamIssue {
                from: Side::Server,
                frame: 5,
                kind: IssueKind::CaptureGap,
                detail: "1448 bytes from the server were not captured".into(),
            }],
        );
        let leaf = cert("CN=<img src=x>", "CN=Issuing CA");
        let expired = Finding::new(
            "certificate-expired",
            Severity::Error,
            "The client certificate \"CN=<img src=x>\" expired.",
        )
        .evidence(Some(6), "notAfter", "2021-01-01T00:00:00Z");
        let d = diagnosis(vec![expired], vec![leaf]);
        let svg = ladder::svg(&f, &d);
        // Server flight, break, client flight: the gap sits between them.
        let server = svg.find("data-from=\"server\" data-frames=\"3\"").unwrap();
        let gap = svg.find("≈ capture gap, server: 1448 bytes").unwrap();
        let client = svg
            .find("<g class=\"flight failing\" data-from=\"client\" data-frames=\"6\">")
            .unwrap();
        assert!(server < gap && gap < client, "{svg}");
        assert_eq!(
            svg.matches("class=\"break\"").count(),
            2,
            "both lifelines broken"
        );
        // The client's certificate (not the server's) is the red step, with
        // the fatal alert.
        assert_eq!(svg.matches("<g class=\"msg failing\">").count(), 2, "{svg}");
        assert!(svg.contains(">fatal alert 45 certificate_expired</text>"));
        assert!(svg.contains("TCP reset (RST)"));
        // The chain marks the leaf's validity, and the hostile name is text.
        let tree = chain::tree(&f, &d);
        assert!(tree.contains("<li class=\"node cert fault\">"), "{tree}");
        assert!(
            tree.contains("<dd class=\"fault\">2020-01-01T00:00:00Z → 2021-01-01T00:00:00Z</dd>")
        );
        assert!(tree.contains("CN=&lt;img src=x&gt;") && !tree.contains("<img"));
    }

    #[test]
    fn long_ladders_keep_the_ends_and_the_failing_flight() {
        let mut l = Vec::new();
        for i in 0..200u64 {
            let side = if i % 2 == 0 {
                Side::Client
            } else {
                Side::Server
            };
            l.push(entry("application_data", side, 10 + i));
        }
        l.insert(120, alert(entry("alert", Side::Server, 130)));
        let d = diagnosis(
            vec![
                Finding::new("alert-received", Severity::Error, "refused").evidence(
                    Some(130),
                    "alert",
                    "fatal",
                ),
            ],
            Vec::new(),
        );
        let svg = ladder::svg(&facts(l, Vec::new()), &d);
        assert!(svg.contains("more record(s) not drawn"), "{svg}");
        assert!(svg.contains(">fatal alert 45 certificate_expired</text>"));
        assert!(svg.contains("data-frames=\"10\""));
        assert!(svg.contains("data-frames=\"209\""));
        assert!(svg.matches("<g class=\"flight").count() < 60);
    }

    #[test]
    fn page_orders_failures_first_and_is_deterministic() {
        let ok = {
            let mut d = diagnosis(Vec::new(), Vec::new());
            d.client_auth.outcome = Outcome::Succeeded;
            d.handshake = HandshakeOutcome::Completed;
            d
        };
        let bad = diagnosis(
            vec![Finding::new("alert-received", Severity::Error, "x")],
            Vec::new(),
        );
        let mut f1 = facts(vec![entry("client_hello", Side::Client, 1)], Vec::new());
        f1.info.id = 1;
        let mut f2 = f1.clone();
        f2.info.id = 2;
        let capture = CaptureJson {
            file: "a<b>.pcap".into(),
            format: None,
            frames: 9,
            link_types: Vec::new(),
            tcp_connections: 2,
            tls_connections: 2,
            error: None,
            unsupported: Vec::new(),
            keylog_sessions: 0,
        };
        let render = || {
            let mut p = Page::new();
            p.push(&f1, &ok);
            p.push(&f2, &bad);
            p.finish(&capture)
        };
        let page = render();
        assert_eq!(page, render());
        let first_failed = page.find("id=\"conn-2\"").unwrap();
        let first_ok = page.find("id=\"conn-1\"").unwrap();
        assert!(first_failed < first_ok);
        assert!(page.contains("<details class=\"conn failed\" id=\"conn-2\" open>"));
        assert!(page.contains("<details class=\"conn ok\" id=\"conn-1\">"));
        assert!(page.contains("<svg class=\"chart\""));
        assert!(page.contains("a&lt;b&gt;.pcap") && !page.contains("a<b>"));
    }
}
