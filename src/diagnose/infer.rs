//! Client authentication in TLS 1.3 without keys, read from the record
//! layer.
//!
//! Everything after the ServerHello is encrypted (RFC 8446 §2), but each
//! record's length, sender, frame and time are not. Some messages have a
//! length fixed by the cipher suite: Finished is a 4-byte header and the
//! suite's hash (§4.4.4), an empty Certificate 8 bytes (§4.4.2), an alert 2
//! bytes; each sealed record adds one byte of inner content type and the
//! AEAD tag (§5.2). A client that was asked for a certificate must answer
//! with a Certificate message, empty or not, before its Finished (§4.4.2),
//! and a server that refuses it sends an alert (§6.2) or closes; one that
//! accepts goes on with session tickets (§4.6.1) and data. So the client's
//! second flight shows whether a certificate was asked for and sent, and
//! the server's next record shows whether it was accepted.
//!
//! Everything here is inferred, and says so. Where the sizes do not follow
//! the arithmetic exactly (record padding, §5.4, or a packing not
//! recognised), or the capture does not show the server's answer, the
//! verdict stays `unknown` with what is known.

use super::{Context, Evidence, Finding, Outcome, Severity};
use crate::net::tcp::CloseEvent;
use crate::tls::stream::{IssueKind, Side};
use crate::tls::traffic::{SealedSizes, WireRecord, KNOWN_PADDINGS};

/// What the record layer says about client authentication.
#[derive(Debug, Clone)]
pub struct Inference {
    pub requested: Option<bool>,
    pub certificate_sent: Option<bool>,
    pub outcome: Outcome,
    /// Inferred findings; the first is the decisive one when the outcome
    /// is decided.
    pub findings: Vec<Finding>,
    /// What is known when the outcome is `unknown`, as evidence for
    /// `handshake-encrypted`.
    pub known: Vec<Evidence>,
    /// The length of the client's Certificate record(s) when they stood
    /// apart from its CertificateVerify: the same certificate gives the
    /// same length, so two lengths that differ are two identities (used to
    /// compare the connections that could have issued a session ticket).
    pub certificate_bytes: Option<u32>,
    /// A resumed handshake (RFC 8446 §2.2) the server answered with an
    /// alert, or closed on, after the client's Finished: it refused the
    /// connection, whatever the session's earlier verdict.
    pub resumed_refusal: Option<Evidence>,
}

impl Inference {
    fn unknown(known: Vec<Evidence>) -> Inference {
        Inference {
            requested: None,
            certificate_sent: None,
            outcome: Outcome::Unknown,
            findings: Vec::new(),
            known,
            certificate_bytes: None,
            resumed_refusal: None,
        }
    }

    /// The code of the decisive finding, when the outcome is decided.
    pub fn decisive_code(&self) -> Option<&'static str> {
        if self.outcome == Outcome::Unknown {
            None
        } else {
            self.findings.first().map(|f| f.code)
        }
    }
}

/// How to get the keys, for every inferred finding's fix.
pub const KEYLOG_FIX: &str = "This is inferred from record sizes; to see the messages themselves, capture with a key log and run `tlstrace explain capture.pcap --keylog keys.txt`: curl, Python, Node and most OpenSSL/GnuTLS programs write one when SSLKEYLOGFILE=/path/keys.txt is set (`openssl s_client -keylogfile keys.txt`); Go: tls.Config.KeyLogWriter; Java: a key-log agent (e.g. jSSLKeyLog). nginx, Envoy and haproxy cannot write one: capture on the client side instead.";

/// A server that closes without an alert within this time after the
/// client's flight has refused it (Node's https server does this); a later
/// close may be an idle timeout after accepting.
const PROMPT_CLOSE_SECS: f64 = 1.0;

/// The client's answer to the server's flight (or to a post-handshake
/// CertificateRequest), classified by size.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Flight {
    /// Finished alone: no Certificate message, so none was asked for.
    FinishedOnly { last: usize },
    /// An empty Certificate, then Finished (separate or in one record).
    EmptyCertificate {
        start: usize,
        last: usize,
        sizes: Vec<u32>,
    },
    /// Certificate and CertificateVerify (in `sizes` but the last), then
    /// Finished; `packed` when all three share one record.
    WithCertificate {
        start: usize,
        last: usize,
        sizes: Vec<u32>,
        packed: bool,
    },
    /// An alert-sized record instead of the client's Finished: the client
    /// gave up (usually on the server's certificate).
    ClientAlert { at: usize },
    /// Sizes that do not follow the unpadded arithmetic.
    Unrecognised { sizes: Vec<u32> },
}

/// What the server did after the client's flight.
#[derive(Debug, Clone, PartialEq)]
enum Answer {
    /// A record that is not an alert: a ticket or data.
    WentOn { at: usize },
    /// It went on, then answered and closed the connection itself: how
    /// servers that enforce certificates above TLS refuse (nginx's 400).
    WentOnThenClosed {
        at: usize,
        response: Option<usize>,
        close: CloseEvent,
    },
    /// An alert-sized record and nothing after it.
    Alert { at: usize },
    /// FIN or RST without any record, soon after the flight.
    SilentClose { close: CloseEvent, after_secs: f64 },
    /// FIN or RST without any record, long after the flight.
    LateClose { close: CloseEvent, after_secs: f64 },
    /// The client closed (or alerted) before the server answered.
    ClientClosedFirst { frame: u64 },
    /// The capture ends before any answer.
    Nothing,
}

/// The sealed records after the ServerHello, with the sizes of the
/// negotiated suite and how each side closed.
struct View<'a> {
    recs: Vec<&'a WireRecord>,
    /// The client's sizes (its padding found from its flight).
    client: SealedSizes,
    /// The server's sizes (its padding found from its Finished).
    server: SealedSizes,
    /// Whether the server's padding was measured (its Finished stood
    /// alone in a record); if not, both known paddings are possible.
    server_measured: bool,
    hash_name: &'static str,
    closes: [Option<CloseEvent>; 2],
    /// The client offered HTTP by ALPN: an HTTP client keeps the
    /// connection open for more requests, so a server that closes first
    /// after one answer is refusing (or speaks HTTP/1.0).
    http_client: bool,
    /// The client offered 0-RTT data on a resumed session: its flight may
    /// start with EndOfEarlyData (RFC 8446 §4.5), under the early keys.
    early_data: bool,
}

impl View<'_> {
    fn len(&self, i: usize) -> usize {
        self.recs[i].length as usize
    }

    fn frame(&self, i: usize) -> u64 {
        self.recs[i].frame
    }

    /// Indices of `side`'s records from `from` on.
    fn of(&self, side: Side, from: usize) -> impl Iterator<Item = usize> + '_ {
        (from..self.recs.len()).filter(move |&i| self.recs[i].from == side)
    }

    /// Any record of the client's with a length that only the unpadded
    /// arithmetic gives: the client does not pad.
    fn client_unpadded(&self) -> bool {
        let s = self.client.padded(0);
        let exact = [
            s.finished(),
            s.alert(),
            s.empty_certificate(),
            s.empty_certificate_and_finished(),
        ];
        self.of(Side::Client, 0)
            .any(|i| exact.contains(&self.len(i)))
    }

    /// Whether a server record of `len` bytes can be an alert.
    fn server_alert(&self, len: usize) -> bool {
        if self.server_measured {
            len == self.server.alert()
        } else {
            KNOWN_PADDINGS
                .iter()
                .any(|&p| len == self.server.padded(p).alert())
        }
    }

    /// Whether a server record of `len` bytes cannot be an alert: after
    /// the client's flight it is then a ticket, data or a KeyUpdate.
    fn server_beyond_alert(&self, len: usize) -> bool {
        !self.server_alert(len)
    }

    fn sum(sizes: &[u32]) -> String {
        let parts: Vec<String> = sizes.iter().map(|s| thousands(u64::from(*s))).collect();
        parts.join(" + ")
    }
}

/// `1758` → `1,758`.
pub(crate) fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Classifies the client's records from `from` on as its answer to a
/// CertificateRequest (or its absence). `context_len` is `Some(0)` in the
/// main handshake, where the request context is empty, and `None` after
/// the handshake, where only the keys show it.
fn client_flight(v: &View<'_>, from: usize, main: bool) -> Option<Flight> {
    let s = v.client;
    let mut client: Vec<usize> = v.of(Side::Client, from).take(12).collect();
    // 0-RTT: early data records sent after the ServerHello and the
    // EndOfEarlyData (a 4-byte message) come before the flight; the
    // flight is what ends in a Finished-sized record after them.
    if main && v.early_data {
        let eoed = s.record(4);
        if let Some(p) = client.iter().position(|&i| v.len(i) == eoed) {
            client.drain(..=p);
        }
    }
    let first = *client.first()?;
    let len = |k: usize| v.len(client[k]);
    let size_list = |upto: usize| client[..=upto].iter().map(|&i| v.recs[i].length).collect();
    if len(0) == s.alert() {
        return Some(Flight::ClientAlert { at: first });
    }
    if main && len(0) == s.finished() {
        return Some(Flight::FinishedOnly { last: first });
    }
    if main && len(0) == s.empty_certificate_and_finished() {
        return Some(Flight::EmptyCertificate {
            start: first,
            last: first,
            sizes: size_list(0),
        });
    }
    // Finished alone in its record, after the certificate's records.
    if let Some(k) = (1..client.len()).find(|&k| len(k) == s.finished()) {
        let before: usize = (0..k).map(len).sum();
        let empty = if main {
            k == 1 && len(0) == s.empty_certificate()
        } else {
            // After the handshake the Certificate echoes the request's
            // context, of a length only the keys show.
            k == 1 && before < s.min_certificate_and_verify()
        };
        if empty {
            return Some(Flight::EmptyCertificate {
                start: first,
                last: client[k],
                sizes: size_list(k),
            });
        }
        if before >= s.min_certificate_and_verify() {
            return Some(Flight::WithCertificate {
                start: first,
                last: client[k],
                sizes: size_list(k),
                packed: false,
            });
        }
        return Some(Flight::Unrecognised {
            sizes: size_list(k),
        });
    }
    // Certificate, CertificateVerify and Finished in one record: only a
    // client shown not to pad is read this way.
    if main
        && s.pad == 0
        && len(0) >= s.finished() + s.min_certificate_and_verify()
        && v.client_unpadded()
    {
        return Some(Flight::WithCertificate {
            start: first,
            last: first,
            sizes: size_list(0),
            packed: true,
        });
    }
    Some(Flight::Unrecognised {
        sizes: size_list(client.len().min(4) - 1),
    })
}

/// The client's flight read with each known padding in turn: the first
/// that gives a known shape, with the client's sizes for that padding.
fn client_flight_padded(v: &View<'_>, from: usize, main: bool) -> Option<(Flight, SealedSizes)> {
    let base = v.client.padded(0);
    let mut first = None;
    for pad in KNOWN_PADDINGS {
        let sizes = base.padded(pad);
        let probe = View {
            recs: v.recs.clone(),
            client: sizes,
            ..*v
        };
        let flight = client_flight(&probe, from, main)?;
        if !matches!(flight, Flight::Unrecognised { .. }) {
            return Some((flight, sizes));
        }
        first.get_or_insert((flight, sizes));
    }
    first
}

/// The server's answer to the client's flight from record `start` to
/// `last`. A server may refuse as soon as it has read the Certificate,
/// before the client's later records are even sent (JSSE sends them
/// apart), so the answer is looked for from the flight's start.
fn server_answer(v: &View<'_>, start: usize, last: usize) -> Answer {
    let flight_ts = v.recs[start].ts;
    let flight_frame = v.frame(start);
    let end_frame = v.frame(last);
    let client_alert_len = v.client.alert();
    let client_close = v.closes[Side::Client.index()].filter(|c| c.frame > end_frame);
    let server_close = v.closes[Side::Server.index()].filter(|c| c.frame >= flight_frame);
    // The client's own close_notify (or alert) after its flight.
    let client_alert = v
        .of(Side::Client, last + 1)
        .find(|&i| v.len(i) == client_alert_len)
        .map(|i| v.frame(i));
    let client_done = [client_close.map(|c| c.frame), client_alert]
        .into_iter()
        .flatten()
        .min();
    let server: Vec<usize> = v.of(Side::Server, start + 1).collect();
    let Some(&first) = server.first() else {
        return match server_close {
            Some(c) if client_done.is_none_or(|d| c.frame < d) => {
                let after = c.ts.as_f64() - flight_ts.as_f64();
                if after <= PROMPT_CLOSE_SECS {
                    Answer::SilentClose {
                        close: c,
                        after_secs: after,
                    }
                } else {
                    Answer::LateClose {
                        close: c,
                        after_secs: after,
                    }
                }
            }
            _ => match client_done {
                Some(frame) => Answer::ClientClosedFirst { frame },
                None => Answer::Nothing,
            },
        };
    };
    if v.server_alert(v.len(first)) {
        if client_done.is_some_and(|d| d < v.frame(first)) {
            // The server's alert answers the client's close: close_notify,
            // or a refusal the client did not wait for.
            return Answer::ClientClosedFirst {
                frame: client_done.unwrap_or(flight_frame),
            };
        }
        if server
            .iter()
            .skip(1)
            .any(|&i| v.server_beyond_alert(v.len(i)))
        {
            // Data after an alert: it was not one.
            return Answer::WentOn { at: first };
        }
        return Answer::Alert { at: first };
    }
    // It went on. Did it then close the connection itself after answering
    // one request, before the client was done?
    if let Some(close) = server_close {
        let server_first = client_done.is_none_or(|d| close.frame < d);
        let client_asked = v
            .of(Side::Client, last + 1)
            .any(|i| v.len(i) != client_alert_len && v.frame(i) < close.frame);
        let closed_with_alert = server
            .iter()
            .rev()
            .find(|&&i| v.frame(i) <= close.frame)
            .is_some_and(|&i| v.server_alert(v.len(i)));
        if v.http_client && server_first && client_asked && closed_with_alert {
            let response = server
                .iter()
                .rev()
                .filter(|&&i| v.frame(i) <= close.frame)
                .nth(1)
                .copied();
            return Answer::WentOnThenClosed {
                at: first,
                response,
                close,
            };
        }
    }
    Answer::WentOn { at: first }
}

/// The length of the client's Certificate record(s), when they stood
/// apart from CertificateVerify and Finished.
fn certificate_bytes(f: &Flight) -> Option<u32> {
    match f {
        Flight::WithCertificate {
            sizes,
            packed: false,
            ..
        } if sizes.len() >= 3 => Some(sizes[..sizes.len() - 2].iter().sum()),
        _ => None,
    }
}

/// The first and last records of a flight that ends in Finished.
fn flight_span(f: &Flight) -> Option<(usize, usize)> {
    match f {
        Flight::FinishedOnly { last } => Some((*last, *last)),
        Flight::EmptyCertificate { start, last, .. }
        | Flight::WithCertificate { start, last, .. } => Some((*start, *last)),
        Flight::ClientAlert { .. } | Flight::Unrecognised { .. } => None,
    }
}

/// The evidence line for a client flight: its frame, and the arithmetic.
fn flight_evidence(v: &View<'_>, f: &Flight, when: &str) -> Option<Evidence> {
    let s = v.client;
    let fin = format!("Finished ({})", v.hash_name);
    let pad = if s.pad > 0 {
        format!(
            " (each record padded by {} bytes, as Java's JSSE does)",
            s.pad
        )
    } else {
        String::new()
    };
    let (frame, value) = match f {
        Flight::FinishedOnly { last } => (
            v.frame(*last),
            format!(
                "{} bytes = {fin} alone ({} + 1 + {}-byte tag){pad}: no Certificate message, so the server did not ask for one",
                v.len(*last),
                s.finished_message(),
                s.tag
            ),
        ),
        Flight::EmptyCertificate { last, sizes, .. } => (
            v.frame(*last),
            format!(
                "{} bytes = an empty Certificate ({} bytes) + {fin}{pad}: the server asked, the client sent no certificate",
                View::sum(sizes),
                SealedSizes::EMPTY_CERTIFICATE_MESSAGE
            ),
        ),
        Flight::WithCertificate {
            last,
            sizes,
            packed,
            ..
        } => {
            // The Certificate's records: all but CertificateVerify and
            // Finished when each has its own; else the first record, which
            // holds CertificateVerify too.
            let chain: u64 = if sizes.len() >= 3 {
                sizes[..sizes.len() - 2].iter().map(|s| u64::from(*s)).sum()
            } else {
                sizes.first().map_or(0, |s| u64::from(*s))
            };
            (
                v.frame(*last),
                format!(
                    "{} bytes = Certificate (a ~{:.1} KB chain) + CertificateVerify + {fin}{}{pad}",
                    View::sum(sizes),
                    chain as f64 / 1000.0,
                    if *packed { ", in one record" } else { "" }
                ),
            )
        }
        Flight::ClientAlert { at } => (
            v.frame(*at),
            format!(
                "{} bytes = an alert (2 + 1 + {}-byte tag) instead of the client's Finished",
                v.len(*at),
                s.tag
            ),
        ),
        Flight::Unrecognised { sizes } => (
            v.recs
                .iter()
                .find(|r| r.from == Side::Client)
                .map_or(0, |r| r.frame),
            format!(
                "{} bytes: not the unpadded sizes of Finished ({}), an empty Certificate ({}) or a certificate flight (record padding, RFC 8446 §5.4, or an unknown packing)",
                View::sum(sizes),
                s.finished(),
                s.empty_certificate()
            ),
        ),
    };
    Some(Evidence {
        frame: Some(frame),
        field: format!("client's {when} flight (inferred)"),
        value,
    })
}

fn answer_evidence(v: &View<'_>, a: &Answer) -> Evidence {
    let (frame, value) = match a {
        Answer::WentOn { at } => (
            Some(v.frame(*at)),
            format!(
                "a {}-byte record, not an alert's size ({}): a session ticket or data — the server went on",
                thousands(v.len(*at) as u64),
                v.server.alert()
            ),
        ),
        Answer::WentOnThenClosed { at, response, close } => (
            Some(close.frame),
            format!(
                "a {}-byte record (the server went on), then {} and the server's own close (frame {}) before the client's",
                thousands(v.len(*at) as u64),
                response.map_or("an answer".to_string(), |r| format!("a {}-byte answer (frame {})", thousands(v.len(r) as u64), v.frame(r))),
                close.frame
            ),
        ),
        Answer::Alert { at } => (
            Some(v.frame(*at)),
            format!(
                "{} bytes = an alert (2 + 1 + {}-byte tag{}), and nothing after it",
                v.len(*at),
                v.server.tag,
                if v.server.pad > 0 { format!(" + {} bytes of padding", v.server.pad) } else { String::new() }
            ),
        ),
        Answer::SilentClose { close, after_secs } | Answer::LateClose { close, after_secs } => (
            Some(close.frame),
            format!(
                "no record at all: the server {} the connection {:.3} s after the client's flight",
                if close.rst { "reset" } else { "closed" },
                after_secs
            ),
        ),
        Answer::ClientClosedFirst { frame } => (
            Some(*frame),
            "the client closed (or alerted) before the server answered".to_string(),
        ),
        Answer::Nothing => (None, "the capture ends before the server answered".to_string()),
    };
    Evidence {
        frame,
        field: "server's answer (inferred)".to_string(),
        value,
    }
}

fn with(mut f: Finding, ev: &[Evidence]) -> Finding {
    for e in ev {
        f = f.evidence(e.frame, &e.field, e.value.clone());
    }
    f.inferred()
}

/// Client authentication read from the record layer where the messages
/// that decide it were not decrypted: a TLS 1.3 handshake, or a TLS 1.0–1.2
/// renegotiation inside the encrypted channel. `None` when it does not
/// apply (decrypted, a readable alert, bytes missing from the capture),
/// leaving the other rules to speak.
pub fn without_keys(ctx: &Context<'_>) -> Option<Inference> {
    if ctx.tls13_hidden {
        tls13_without_keys(ctx)
    } else if super::rules::unreadable_renegotiation(ctx).is_some() {
        tls12_renegotiation_without_keys(ctx)
    } else {
        None
    }
}

/// Client authentication in a TLS 1.3 connection whose handshake was not
/// decrypted, from the record sizes.
fn tls13_without_keys(ctx: &Context<'_>) -> Option<Inference> {
    let tls = &ctx.facts.tls;
    if tls.issues.iter().any(|i| {
        matches!(
            i.kind,
            IssueKind::CaptureGap | IssueKind::LostRecord | IssueKind::Truncated
        )
    }) {
        return None;
    }
    let sh = ctx.hs.server_hello()?;
    let Some(sizes) = SealedSizes::for_tls13_suite(sh.value.cipher_suite) else {
        return Some(Inference::unknown(vec![Evidence {
            frame: Some(sh.frame),
            field: "cipher suite".into(),
            value: format!(
                "0x{:04x}: its tag and hash lengths are not known, so record sizes cannot be read",
                sh.value.cipher_suite
            ),
        }]));
    };
    let hash_name = if sizes.hash == 48 {
        "SHA-384"
    } else {
        "SHA-256"
    };
    let log = &tls.records;
    let mut recs: Vec<&WireRecord> = log
        .after_server_hello()?
        .iter()
        .filter(|r| r.content_type != 20)
        .collect();
    // A readable alert after the ServerHello: the other rules read it.
    if recs.iter().any(|r| !r.sealed) {
        return None;
    }
    recs.sort_by_key(|r| r.frame);
    // The server's padding, from its Finished alone in a record: the last
    // record of its flight (before the client's) of a Finished's size.
    let flight_len = recs
        .iter()
        .position(|r| r.from == Side::Client)
        .unwrap_or(recs.len());
    let server_pad = recs[..flight_len].iter().rev().find_map(|r| {
        KNOWN_PADDINGS
            .into_iter()
            .find(|&p| r.length as usize == sizes.padded(p).finished())
    });
    let v = View {
        recs,
        client: sizes,
        server: sizes.padded(server_pad.unwrap_or(0)),
        server_measured: server_pad.is_some(),
        hash_name,
        closes: ctx.facts.tcp.detail.closes(),
        http_client: ctx.hs.client_hello(Some(Side::Client)).is_some_and(|c| {
            c.value
                .alpn
                .iter()
                .any(|p| matches!(p.as_str(), "h2" | "http/1.1" | "http/1.0"))
        }),
        early_data: sh.value.selected_psk.is_some()
            && ctx
                .hs
                .client_hello(Some(Side::Client))
                .is_some_and(|c| c.value.early_data),
    };
    let resumed = sh.value.selected_psk.is_some();
    let pha = ctx
        .hs
        .client_hello(Some(Side::Client))
        .is_some_and(|c| c.value.post_handshake_auth);

    let Some((flight, client_sizes)) = client_flight_padded(&v, 0, true) else {
        let known = vec![
            Evidence {
                frame: None,
                field: "client's second flight (inferred)".into(),
                value: "not in the capture".into(),
            },
            server_close_without_flight(&v),
        ];
        return Some(Inference::unknown(known));
    };
    let v = View {
        client: client_sizes,
        ..v
    };
    let flight_ev = flight_evidence(&v, &flight, "handshake");
    let Some((start, end)) = flight_span(&flight) else {
        return Some(unknown_from_flight(&v, &flight, flight_ev));
    };
    if let Flight::FinishedOnly { .. } = flight {
        if pha {
            if let Some(inf) = post_handshake(&v, end, flight_ev.clone()) {
                return Some(inf);
            }
        }
        if resumed {
            // No certificate in a resumed handshake (RFC 8446 §4.3.2): the
            // client was authenticated, or not, where the session began.
            // A refusal of this connection is its own, though.
            let mut inf = Inference::unknown(flight_ev.into_iter().collect());
            let answer = server_answer(&v, start, end);
            if matches!(answer, Answer::Alert { .. } | Answer::SilentClose { .. }) {
                let ev = answer_evidence(&v, &answer);
                inf.known.push(ev.clone());
                inf.resumed_refusal = Some(ev);
            }
            return Some(inf);
        }
        return Some(not_requested(flight_ev, pha));
    }
    let answer = server_answer(&v, start, end);
    Some(decide(&v, &flight, &answer, flight_ev, "handshake"))
}

/// No flight from the client: what the server did.
fn server_close_without_flight(v: &View<'_>) -> Evidence {
    let close = v.closes[Side::Server.index()];
    Evidence {
        frame: close.map(|c| c.frame),
        field: "server (inferred)".into(),
        value: match close {
            Some(c) if c.rst => "reset the connection before the client's second flight".into(),
            Some(_) => "closed the connection before the client's second flight".into(),
            None => "the capture ends before the client's second flight".into(),
        },
    }
}

fn unknown_from_flight(v: &View<'_>, flight: &Flight, ev: Option<Evidence>) -> Inference {
    let mut inf = Inference::unknown(ev.into_iter().collect());
    if let Flight::ClientAlert { at } = flight {
        inf.outcome = Outcome::NotReached;
        inf.findings.push(
            Finding::new(
                "server-certificate-rejected",
                Severity::Error,
                "The client sent an alert instead of finishing the handshake: it most likely refused the server's certificate, so client authentication was never reached.",
            )
            .evidence(Some(v.frame(*at)), "client's record after the server's flight", format!("{} bytes = an alert (2 + 1 + {}-byte tag)", v.len(*at), v.client.tag))
            .inferred()
            .fix(format!("Check that the client trusts the server's CA and that the server's certificate matches the name the client used. {KEYLOG_FIX}")),
        );
    }
    inf
}

fn not_requested(ev: Option<Evidence>, pha: bool) -> Inference {
    let mut f = Finding::new(
        "client-auth-not-requested",
        Severity::Warning,
        "The client answered the server's flight with its Finished alone, so the server sent no CertificateRequest: it did not ask for a client certificate.",
    );
    if let Some(e) = ev {
        f = f.evidence(e.frame, &e.field, e.value);
    }
    if pha {
        f = f.evidence(
            None,
            "client_hello.post_handshake_auth",
            "offered, and no later exchange looks like a post-handshake certificate (a server record answered by a certificate flight)",
        );
    }
    Inference {
        requested: Some(false),
        certificate_sent: Some(false),
        outcome: Outcome::NotRequested,
        findings: vec![f.inferred().fix(format!(
            "If the server should require client certificates, enable it there (nginx `ssl_verify_client on`, Apache `SSLVerifyClient require`, Go `tls.RequireAndVerifyClientCert`, Java `setNeedClientAuth(true)`). {KEYLOG_FIX}"
        ))],
        known: Vec::new(),
        certificate_bytes: None,
        resumed_refusal: None,
    }
}

/// A post-handshake CertificateRequest (RFC 8446 §4.6.2): a server record
/// after the handshake answered by a client flight that ends in a
/// Finished-sized record and starts with a Certificate.
fn post_handshake(v: &View<'_>, end: usize, main_ev: Option<Evidence>) -> Option<Inference> {
    let fin = v.client.finished();
    let mut i = end + 1;
    while i < v.recs.len() {
        if v.recs[i].from == Side::Server && v.server_beyond_alert(v.len(i)) {
            // The client's records right after this server record.
            let run: Vec<usize> = (i + 1..v.recs.len())
                .take_while(|&k| v.recs[k].from == Side::Client)
                .collect();
            if let Some(pos) = run.iter().position(|&k| v.len(k) == fin) {
                if pos >= 1 {
                    if let Some(flight) = client_flight(v, run[0], false) {
                        if let Some((start, last)) = flight_span(&flight) {
                            let answer = server_answer(v, start, last);
                            let ev = flight_evidence(v, &flight, "post-handshake");
                            let mut inf = decide(v, &flight, &answer, ev, "post-handshake");
                            let cr = Evidence {
                                frame: Some(v.frame(i)),
                                field: "server record after the handshake (inferred)".into(),
                                value: format!(
                                    "{} bytes: a CertificateRequest (the client offered post_handshake_auth)",
                                    v.len(i)
                                ),
                            };
                            for f in &mut inf.findings {
                                f.evidence.insert(0, cr.clone());
                                if let Some(m) = &main_ev {
                                    f.evidence.insert(0, m.clone());
                                }
                                f.frames = evidence_frames(&f.evidence);
                            }
                            return Some(inf);
                        }
                    }
                }
            }
        }
        i += 1;
    }
    None
}

fn evidence_frames(ev: &[Evidence]) -> Vec<u64> {
    let mut frames: Vec<u64> = ev.iter().filter_map(|e| e.frame).collect();
    frames.sort_unstable();
    frames.dedup();
    frames
}

/// The verdict from the client's flight and the server's answer.
fn decide(
    v: &View<'_>,
    flight: &Flight,
    answer: &Answer,
    flight_ev: Option<Evidence>,
    when: &str,
) -> Inference {
    let sent = match flight {
        Flight::WithCertificate { .. } => true,
        Flight::EmptyCertificate { .. } => false,
        _ => return unknown_from_flight(v, flight, flight_ev),
    };
    let ev: Vec<Evidence> = flight_ev
        .into_iter()
        .chain(std::iter::once(answer_evidence(v, answer)))
        .collect();
    let later = if when == "post-handshake" {
        " after the handshake"
    } else {
        ""
    };
    let decided = |outcome: Outcome, f: Finding| Inference {
        requested: Some(true),
        certificate_sent: Some(sent),
        outcome,
        findings: vec![with(f, &ev)],
        known: Vec::new(),
        certificate_bytes: certificate_bytes(flight),
        resumed_refusal: None,
    };
    let partial = |what: &str| {
        let mut known = ev.clone();
        known.push(Evidence {
            frame: None,
            field: "so".into(),
            value: what.to_string(),
        });
        Inference {
            requested: Some(true),
            certificate_sent: Some(sent),
            outcome: Outcome::Unknown,
            findings: Vec::new(),
            known,
            certificate_bytes: certificate_bytes(flight),
            resumed_refusal: None,
        }
    };
    match (sent, answer) {
        (true, Answer::WentOn { .. }) => decided(
            Outcome::Succeeded,
            Finding::new(
                "client-auth-succeeded",
                Severity::Info,
                format!("The server asked for a client certificate{later}, the client sent one with its CertificateVerify, and the server went on: it accepted the certificate in the TLS handshake. (A server that checks certificates in the application instead, such as haproxy with `verify optional`, refuses later in encrypted data that only the keys show.)"),
            )
            .fix(format!("Nothing to fix. {KEYLOG_FIX}")),
        ),
        (false, Answer::WentOn { .. }) => decided(
            Outcome::NotProvided,
            Finding::new(
                "client-certificate-empty",
                Severity::Warning,
                format!("The server asked for a client certificate{later}, the client sent an empty Certificate, and the server went on without one (client certificates are optional there)."),
            )
            .fix(format!("Configure the client with a certificate and key (curl --cert/--key, openssl s_client -cert/-key, Go tls.Config.Certificates) if the server should know who it is. {KEYLOG_FIX}")),
        ),
        (true, Answer::Alert { .. }) => decided(
            Outcome::Failed,
            Finding::new(
                "rejected-after-handshake",
                Severity::Error,
                format!("The server asked for a client certificate{later}, the client sent one, and the server answered with an alert and nothing else: it refused the certificate. Which alert, and why, only the keys or the server's log show."),
            )
            .fix(format!("Read the server's log for the verification error (unknown CA, expiry, EKU). {KEYLOG_FIX}")),
        ),
        (false, Answer::Alert { .. }) => decided(
            Outcome::Failed,
            Finding::new(
                "client-certificate-empty",
                Severity::Error,
                format!("The server asked for a client certificate{later}, the client sent an empty Certificate, and the server refused with an alert (certificate_required, RFC 8446 §4.4.2.4)."),
            )
            .fix(format!("Configure the client with a certificate and key (curl --cert/--key, openssl s_client -cert/-key, Go tls.Config.Certificates); check that its issuer is one the server accepts, since clients send nothing when none matches the request. {KEYLOG_FIX}")),
        ),
        (_, Answer::SilentClose { .. }) => decided(
            Outcome::Failed,
            Finding::new(
                "server-closed-silently",
                Severity::Error,
                format!(
                    "The server asked for a client certificate{later}, the client sent {}, and the server closed the connection without an alert, a ticket or data: it refused it (Node's https server closes this way for an untrusted or expired certificate).",
                    if sent { "one" } else { "none" }
                ),
            )
            .fix(format!("Read the server's log for the reason (Node: the 'tlsClientError' event). {KEYLOG_FIX}")),
        ),
        (_, Answer::WentOnThenClosed { .. }) => partial(
            "the handshake went on, but the server answered and closed the connection itself: servers that check client certificates above TLS (nginx `ssl_verify_client`, haproxy `verify optional` with a deny rule, IIS) refuse this way with an HTTP 400/403, and a server that closes after every response looks the same; only the keys tell",
        ),
        (_, Answer::LateClose { .. }) => partial(
            "the server sent nothing and closed much later: an idle timeout after accepting, or a refusal",
        ),
        (_, Answer::ClientClosedFirst { .. }) => partial(
            "the client closed before the server's answer could be seen",
        ),
        (_, Answer::Nothing) => partial("the capture ends before the server's answer"),
    }
}

mod renegotiation;
pub use renegotiation::tls12_renegotiation_without_keys;
pub mod resumption;

#[cfg(test)]
mod tests;
