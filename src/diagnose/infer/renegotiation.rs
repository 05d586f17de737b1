//! TLS 1.0–1.2 renegotiation inside the encrypted channel, read from the
//! record types, which stay in the clear.

use super::{thousands, Evidence, Finding, Inference, Outcome, Severity};
use crate::diagnose::Context;
use crate::tls::stream::Side;
use crate::tls::traffic::WireRecord;

/// The largest record an empty TLS 1.0–1.2 Certificate (7 bytes) takes
/// under any suite: explicit IV (16), MAC (up to 48) and CBC padding.
const TLS12_EMPTY_CERTIFICATE_MAX: u32 = 7 + 16 + 48 + 16;
/// The smallest record a Certificate holding a certificate takes.
const TLS12_CERTIFICATE_MIN: u32 = 300;

/// Client authentication asked for by a renegotiation inside an encrypted
/// TLS 1.0–1.2 connection (IIS and Apache ask for certificates per path
/// this way, RFC 5746), read from the records: their content types stay
/// in the clear. After the server's flight (ending in ServerHelloDone) the
/// client sends Certificate (when asked), ClientKeyExchange and
/// CertificateVerify (with a certificate) as handshake records, then its
/// ChangeCipherSpec (RFC 5246 §7.3). The server's ChangeCipherSpec says
/// it accepted, an alert record that it refused.
pub fn tls12_renegotiation_without_keys(ctx: &Context<'_>) -> Option<Inference> {
    if ctx.hs.is_tls13() {
        return None;
    }
    let log = &ctx.facts.tls.records.records;
    let mut recs: Vec<&WireRecord> = log.iter().collect();
    recs.sort_by_key(|r| r.frame);
    let first_app = recs.iter().position(|r| r.content_type == 23 && r.sealed)?;
    let start = first_app
        + recs[first_app..]
            .iter()
            .position(|r| r.content_type == 22 && r.sealed)?;
    let client_ccs = start
        + recs[start..]
            .iter()
            .position(|r| r.from == Side::Client && r.content_type == 20)?;
    let server_flight_end = start
        + recs[start..client_ccs]
            .iter()
            .rposition(|r| r.from == Side::Server && r.content_type == 22)?;
    let flight: Vec<&WireRecord> = recs[server_flight_end + 1..client_ccs]
        .iter()
        .filter(|r| r.from == Side::Client && r.content_type == 22)
        .copied()
        .collect();
    let sizes: Vec<String> = flight
        .iter()
        .map(|r| thousands(u64::from(r.length)))
        .collect();
    let flight_frame = flight.first().map(|r| r.frame)?;
    let sent = match flight.as_slice() {
        [cert, _, ..] if cert.length <= TLS12_EMPTY_CERTIFICATE_MAX => false,
        [cert, _, _, ..] if cert.length >= TLS12_CERTIFICATE_MIN => true,
        _ => return None,
    };
    let flight_ev = Evidence {
        frame: Some(flight_frame),
        field: "client's renegotiation flight (inferred)".into(),
        value: if sent {
            format!("{} bytes = Certificate (a ~{:.1} KB chain) + ClientKeyExchange + CertificateVerify, before its ChangeCipherSpec", sizes.join(" + "), f64::from(flight[0].length) / 1000.0)
        } else {
            format!("{} bytes = an empty Certificate + ClientKeyExchange, before its ChangeCipherSpec: the server asked, the client sent no certificate", sizes.join(" + "))
        },
    };
    let reneg_ev = Evidence {
        frame: Some(recs[start].frame),
        field: "encrypted handshake after application data".into(),
        value: format!("the {} started a renegotiation", recs[start].from.as_str()),
    };
    let answer = recs[client_ccs + 1..]
        .iter()
        .find(|r| r.from == Side::Server)
        .copied();
    let closes = ctx.facts.tcp.detail.closes();
    let (outcome, code, severity, summary, answer_ev) = match answer {
        Some(r) if r.content_type == 20 => (
            if sent { Outcome::Succeeded } else { Outcome::NotProvided },
            if sent { "client-auth-succeeded" } else { "client-certificate-empty" },
            if sent { Severity::Info } else { Severity::Warning },
            if sent {
                "The server asked for a client certificate by renegotiating, the client sent one, and the server finished the renegotiation: it accepted the certificate."
            } else {
                "The server asked for a client certificate by renegotiating, the client sent none, and the server finished the renegotiation without one."
            },
            format!("its ChangeCipherSpec (frame {}): it went on", r.frame),
        ),
        Some(r) if r.content_type == 21 => (
            Outcome::Failed,
            if sent { "rejected-after-handshake" } else { "client-certificate-empty" },
            Severity::Error,
            if sent {
                "The server asked for a client certificate by renegotiating, the client sent one, and the server answered with an alert: it refused the certificate. Which alert, only the keys or the server's log show."
            } else {
                "The server asked for a client certificate by renegotiating, the client sent none, and the server refused with an alert."
            },
            format!("an encrypted alert record (frame {})", r.frame),
        ),
        None => match closes[Side::Server.index()] {
            Some(c) if c.frame > recs[client_ccs].frame
                && closes[Side::Client.index()].is_none_or(|cc| cc.frame > c.frame) =>
            (
                Outcome::Failed,
                "server-closed-silently",
                Severity::Error,
                "The server asked for a client certificate by renegotiating and closed the connection after the client's answer, without an alert: it refused it.",
                format!("no record: the server closed the connection (frame {})", c.frame),
            ),
            _ => return None,
        },
        Some(_) => return None,
    };
    let f = Finding::new(code, severity, summary)
        .evidence(reneg_ev.frame, &reneg_ev.field, reneg_ev.value)
        .evidence(flight_ev.frame, &flight_ev.field, flight_ev.value)
        .evidence(
            answer.map(|r| r.frame),
            "server's answer (inferred)",
            answer_ev,
        )
        .inferred()
        .fix(format!(
            "{}This is inferred from record types and sizes: decrypt with the key log to see the messages.",
            match outcome {
                Outcome::Failed if sent => "Read the server's log for the verification error. ",
                Outcome::Failed | Outcome::NotProvided => "Configure the client with a certificate and key. ",
                _ => "",
            }
        ));
    Some(Inference {
        requested: Some(true),
        certificate_sent: Some(sent),
        outcome,
        findings: vec![f],
        known: Vec::new(),
        certificate_bytes: None,
        resumed_refusal: None,
    })
}
