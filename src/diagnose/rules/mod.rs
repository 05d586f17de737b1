//! The diagnosis rules, one small function each.
//!
//! A rule looks at the [`Context`] of one connection and returns the
//! findings it supports. Its doc comment names the RFC text or the stack
//! behaviour it relies on. The verdict and the ordering of findings (the
//! decisive one first) are decided afterwards, in [`verdict`] and [`order`].

use super::alerts;
use super::{ClientAuth, Context, Finding, HandshakeOutcome, Outcome, Severity};
use crate::tls::names;
use crate::tls::stream::{AlertEntry, AppMarker, IssueKind, KeyStatus, Side};
use crate::x509::{dn_string, names_match, CertInfo};

mod certificate;
mod encryption;
mod flow;
mod request;
mod verdict;

use certificate::*;
use encryption::*;
use flow::*;
use request::*;

pub use flow::{alert_label, client_auth_succeeded, unreadable_renegotiation};
pub use verdict::{handshake_outcome, order, verdict, verification_deferred};

/// A named rule.
pub struct Rule {
    pub name: &'static str,
    pub check: fn(&Context<'_>) -> Vec<Finding>,
}

/// Every rule, in the order their findings are listed when nothing else
/// decides.
pub const ALL: &[Rule] = &[
    Rule {
        name: "keys_wrong",
        check: keys_wrong,
    },
    Rule {
        name: "handshake_encrypted",
        check: handshake_encrypted,
    },
    Rule {
        name: "record_sizes",
        check: record_sizes,
    },
    Rule {
        name: "client_auth_not_requested",
        check: client_auth_not_requested,
    },
    Rule {
        name: "client_certificate_empty",
        check: client_certificate_empty,
    },
    Rule {
        name: "incomplete_chain",
        check: incomplete_chain,
    },
    Rule {
        name: "issuer_not_in_ca_list",
        check: issuer_not_in_ca_list,
    },
    Rule {
        name: "untrusted_issuer",
        check: untrusted_issuer,
    },
    Rule {
        name: "ca_list_empty",
        check: ca_list_empty,
    },
    Rule {
        name: "ca_list_too_large",
        check: ca_list_too_large,
    },
    Rule {
        name: "missing_client_auth_eku",
        check: missing_client_auth_eku,
    },
    Rule {
        name: "key_usage_forbids_signature",
        check: key_usage_forbids_signature,
    },
    Rule {
        name: "certificate_validity",
        check: certificate_validity,
    },
    Rule {
        name: "chain_order",
        check: chain_order,
    },
    Rule {
        name: "signature_scheme_not_offered",
        check: signature_scheme_not_offered,
    },
    Rule {
        name: "signature_algorithms_cert_unmet",
        check: signature_algorithms_cert_unmet,
    },
    Rule {
        name: "certificate_revoked",
        check: certificate_revoked,
    },
    Rule {
        name: "rejected_after_handshake",
        check: rejected_after_handshake,
    },
    Rule {
        name: "later_client_auth",
        check: later_client_auth,
    },
    Rule {
        name: "resumed_session",
        check: resumed_session,
    },
    Rule {
        name: "capture_incomplete",
        check: capture_incomplete,
    },
    Rule {
        name: "hello_rejected",
        check: hello_rejected,
    },
    Rule {
        name: "server_certificate",
        check: server_certificate,
    },
    Rule {
        name: "server_certificate_rejected",
        check: server_certificate_rejected,
    },
    Rule {
        name: "cause_from_alert",
        check: cause_from_alert,
    },
    Rule {
        name: "alert_received",
        check: alert_received,
    },
    Rule {
        name: "handshake_signatures",
        check: super::chain::handshake_signatures,
    },
    Rule {
        name: "chain_signatures",
        check: super::chain::chain_signatures,
    },
    Rule {
        name: "not_decrypted",
        check: not_decrypted,
    },
];

fn ca_names(ctx: &Context<'_>) -> Vec<String> {
    ctx.request
        .map(|r| {
            r.value
                .certificate_authorities()
                .iter()
                .map(|d| dn_string(d))
                .collect()
        })
        .unwrap_or_default()
}

fn listed(ctx: &Context<'_>, name_der: &[u8]) -> bool {
    ctx.request.is_some_and(|r| {
        r.value
            .certificate_authorities()
            .iter()
            .any(|ca| names_match(ca, name_der))
    })
}

/// The server's fatal (or encrypted) alert after the client's certificate
/// flight, if any.
fn server_rejection_alert<'a>(ctx: &Context<'a>) -> Option<&'a AlertEntry> {
    let after = ctx.request.map(|r| r.frame).unwrap_or(0);
    // An encrypted alert (TLS 1.0–1.2) after the server's own Finished is
    // not a verdict on the client's certificate: the server judges it
    // before finishing. It is the end of the session, usually close_notify.
    let server_finished = ctx
        .facts
        .tls
        .ladder
        .iter()
        .find(|l| l.from == Side::Server && l.kind == "finished")
        .map(|l| l.frame);
    ctx.alerts().iter().find(|a| {
        a.from == Side::Server
            && a.frame >= after
            && (a.level == 2 || (a.encrypted && server_finished.is_none_or(|f| a.frame < f)))
    })
}

fn server_alert_code(ctx: &Context<'_>) -> Option<u8> {
    server_rejection_alert(ctx)
        .filter(|a| !a.encrypted)
        .map(|a| a.description)
}

/// The request was answered by a closing connection: the server reset or
/// closed right after the client's certificate flight, before the client
/// closed, without sending anything (no alert, ticket, data or, in TLS
/// 1.0–1.2, its Finished). Node's https server refuses this way.
fn closed_after_client_flight(ctx: &Context<'_>) -> Option<u64> {
    let flight = ctx.client_flight_frame()?;
    let server_after = ctx
        .facts
        .tls
        .ladder
        .iter()
        .any(|l| l.from == Side::Server && l.frame > flight);
    if server_after {
        return None;
    }
    let [client_close, server_close] = ctx.facts.tcp.detail.closes();
    match server_close.filter(|c| c.frame >= flight) {
        Some(s) if client_close.is_none_or(|c| c.frame > s.frame) => Some(s.frame),
        // Only the client's close is seen (a capture that stops at the
        // client's FIN, or a client that gave up): as before, a connection
        // that ended with nothing from the server after the flight, in
        // TLS 1.0–1.2 where the server's Finished would have followed.
        None if !ctx.hs.is_tls13()
            && client_close.is_none()
            && !matches!(ctx.facts.tcp.end, crate::net::tcp::ConnEnd::Open)
            && !ctx.handshake_completed() =>
        {
            Some(ctx.facts.tcp.last_frame)
        }
        _ => None,
    }
}

/// Positive evidence that the server accepted the client's flight: a
/// record from the server after it that is not an alert. In TLS 1.0–1.2
/// that is its ChangeCipherSpec and Finished (or a NewSessionTicket before
/// them): the server judges the client's certificate before it finishes
/// (RFC 5246 §7.4.6). In TLS 1.3 the client finishes first, so only what
/// comes after its Finished counts: session tickets, data, or a later
/// request (RFC 8446 §4.4.2.4, §4.6.1). The frame of that record.
fn server_went_on(ctx: &Context<'_>) -> Option<u64> {
    let flight = ctx.client_flight_frame()?;
    ctx.facts
        .tls
        .ladder
        .iter()
        .find(|l| l.from == Side::Server && l.frame > flight && l.kind != "alert")
        .map(|l| l.frame)
}

/// Whether the server refused the client: a fatal alert, a close right
/// after the client's flight, or an application-level refusal in the
/// decrypted data (nginx's 400, IIS's 403.x).
fn server_rejected(ctx: &Context<'_>) -> bool {
    server_rejection_alert(ctx).is_some()
        || closed_after_client_flight(ctx).is_some()
        || ctx.facts.tls.app_marker(Side::Server).is_some()
}

/// The key types a list of signature schemes allows: RSA, ECDSA, EdDSA.
fn key_families(schemes: &[u16]) -> Vec<&'static str> {
    let mut out = Vec::new();
    for (name, test) in [
        (
            "RSA",
            (|s: u16| matches!(s, 0x0804..=0x0806 | 0x0809..=0x080b) || s & 0xff == 0x01)
                as fn(u16) -> bool,
        ),
        ("ECDSA", |s: u16| s & 0xff == 0x03),
        ("EdDSA", |s: u16| matches!(s, 0x0807 | 0x0808)),
    ] {
        if schemes.iter().any(|s| test(*s)) {
            out.push(name);
        }
    }
    out
}

/// Frames of the client's certificate chain message.
fn client_cert_frame(ctx: &Context<'_>) -> Option<u64> {
    ctx.client_cert.map(|c| c.frame)
}
