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
    let [client_close, server_close] = ctx.facts.tcp.detail.closes;
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
        || ctx.facts.tls.app_marker[Side::Server.index()].is_some()
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

// ---------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------

/// `keys-wrong`: with the right traffic secrets every record
/// authenticates (AEAD tag or MAC, RFC 8446 §5.2, RFC 5246 §6.2.3); a
/// failure means the key log's secrets for this client random are not this
/// connection's (a different run, or a corrupted log).
fn keys_wrong(ctx: &Context<'_>) -> Vec<Finding> {
    ctx.facts
        .tls
        .issues
        .iter()
        .filter(|i| i.kind == IssueKind::KeysWrong)
        .map(|i| {
            Finding::new(
                "keys-wrong",
                Severity::Warning,
                format!(
                    "The key log has secrets for this connection, but the {}'s records do not decrypt with them: they are the wrong keys.",
                    i.from.as_str()
                ),
            )
            .evidence(Some(i.frame), "first record that failed to authenticate", i.detail.clone())
            .fix("Use the key log written by the same client run as this capture (SSLKEYLOGFILE appends: check the file is not from another session).")
        })
        .collect()
}

/// `handshake-encrypted`: in TLS 1.3 everything after the ServerHello is
/// encrypted (RFC 8446 §2): the CertificateRequest, the client's
/// Certificate and CertificateVerify, and the server's alerts cannot be seen
/// without the traffic secrets.
fn handshake_encrypted(ctx: &Context<'_>) -> Vec<Finding> {
    if !ctx.tls13_hidden || ctx.inferred_outcome().is_some() {
        return vec![];
    }
    let sh = ctx.hs.server_hello().map(|s| s.frame);
    let pha = ctx
        .hs
        .client_hello(Some(Side::Client))
        .is_some_and(|c| c.value.post_handshake_auth);
    let mut f = Finding::new(
        "handshake-encrypted",
        Severity::Warning,
        "TLS 1.3 encrypts the rest of the handshake: whether the server asked for a client certificate, what the client sent and why the server objected are not visible without the session keys.",
    )
    .evidence(sh, "server_hello.version", "TLS 1.3")
    .evidence(None, "hidden", "EncryptedExtensions, CertificateRequest, Certificate, CertificateVerify, Finished, alerts")
    .fix("Capture again with the key log: set SSLKEYLOGFILE=/path/keys.txt for the client (curl, browsers, Go's KeyLogWriter, Java agents) or use `openssl s_client -keylogfile keys.txt`, then run `tlstrace explain capture.pcap --keylog keys.txt`, or embed the keys with `editcap --inject-secrets tls,keys.txt`.");
    if pha {
        f = f.evidence(
            None,
            "client_hello.post_handshake_auth",
            "offered: the server may ask for a certificate after the handshake",
        );
    }
    // What the record sizes do show.
    for e in ctx.inferred.iter().flat_map(|i| &i.known) {
        f = f.evidence(e.frame, &e.field, e.value.clone());
    }
    match ctx.facts.tls.key_status {
        KeyStatus::NoSecrets => {
            let random = ctx
                .hs
                .client_hello(Some(Side::Client))
                .map(|c| crate::x509::hex(&c.value.random))
                .unwrap_or_default();
            f = f.evidence(
                None,
                "key log",
                format!("has no traffic secrets for this connection's client random {random}"),
            );
        }
        KeyStatus::UnsupportedSuite => {
            f = f.evidence(
                None,
                "key log",
                "has secrets, but tlstrace cannot decrypt this cipher suite",
            );
        }
        KeyStatus::Keys | KeyStatus::NoKeyLog => {}
    }
    vec![f]
}

/// The findings the record sizes support in TLS 1.3 without keys (see
/// [`super::infer`]): the client's second flight shows whether a
/// certificate was asked for and sent, the server's next record whether it
/// was accepted.
fn record_sizes(ctx: &Context<'_>) -> Vec<Finding> {
    ctx.inferred
        .as_ref()
        .map(|i| i.findings.clone())
        .unwrap_or_default()
}

/// `client-auth-not-requested`: client authentication happens only if the
/// server sends a CertificateRequest (RFC 5246 §7.4.4, RFC 8446 §4.3.2);
/// without one the client must not send a certificate.
fn client_auth_not_requested(ctx: &Context<'_>) -> Vec<Finding> {
    if ctx.request.is_some()
        || ctx.tls13_hidden
        || ctx.hs.resumption().is_some()
        || unreadable_renegotiation(ctx).is_some()
    {
        return vec![];
    }
    let Some(sh) = ctx.hs.server_hello() else {
        return vec![];
    };
    // The server's first flight must be visible to its end.
    let ladder = &ctx.facts.tls.ladder;
    let flight_end = if ctx.hs.is_tls13() {
        ladder
            .iter()
            .find(|l| l.from == Side::Server && l.kind == "finished")
    } else {
        ladder
            .iter()
            .find(|l| l.from == Side::Server && l.kind == "server_hello_done")
    };
    let Some(end) = flight_end else {
        return vec![];
    };
    let mut f = Finding::new(
        "client-auth-not-requested",
        Severity::Info,
        "The server did not ask for a client certificate: its handshake has no CertificateRequest, so the client sent none.",
    )
    .evidence(Some(sh.frame), "server_hello", names::version_name(sh.value.negotiated_version()))
    .evidence(Some(end.frame), "server_flight_end", end.kind.clone());
    let sni = ctx.hs.sni();
    f = f.evidence(
        ctx.hs.client_hello(Some(Side::Client)).map(|c| c.frame),
        "client_hello.server_name",
        sni.unwrap_or("(none)"),
    );
    let mut fix = "If this server should require client certificates, turn it on: nginx `ssl_verify_client on;`, Apache `SSLVerifyClient require`, `openssl s_server -Verify 1`, Go `ClientAuth: tls.RequireAndVerifyClientCert`, IIS/http.sys `netsh http update sslcert ... clientcertnegotiation=enable` (otherwise IIS asks later by renegotiating).".to_string();
    if sni.is_none() {
        fix.push_str(" The ClientHello carried no SNI: a server with several virtual hosts may have routed it to a block without client authentication.");
    } else {
        fix.push_str(" Check that this SNI reaches the server block that requires client certificates, and that no TLS-terminating proxy sits in front of it.");
    }
    vec![f.fix(fix)]
}

/// `client-certificate-empty`: a client that has no suitable certificate
/// answers a CertificateRequest with an empty Certificate message (RFC 5246
/// §7.4.6, RFC 8446 §4.4.2.4). Clients (OpenSSL, curl, browsers, Go's
/// GetClientCertificate) pick a certificate whose issuer is in the server's
/// CA list and whose key has a signature scheme the server accepts, and send
/// none otherwise.
fn client_certificate_empty(ctx: &Context<'_>) -> Vec<Finding> {
    let (Some(cr), Some(cert)) = (ctx.request, ctx.client_cert) else {
        return vec![];
    };
    if !cert.value.entries.is_empty() {
        return vec![];
    }
    let rejected = server_rejected(ctx);
    let severity = if rejected {
        Severity::Error
    } else {
        Severity::Warning
    };
    let cas = ca_names(ctx);
    let mut f = Finding::new(
        "client-certificate-empty",
        severity,
        if rejected {
            "The server asked for a client certificate and the client sent none, so the server refused the connection."
        } else {
            "The server asked for a client certificate, the client sent none, and the server went on without one (optional client authentication)."
        },
    )
    .evidence(Some(cr.frame), "certificate_request", format!("{} CA name(s), {} signature scheme(s)", cas.len(), cr.value.signature_algorithms().len()))
    .evidence(Some(cert.frame), "client certificate", "empty (0 certificates)");
    if let Some(a) = server_rejection_alert(ctx) {
        f = f.evidence(Some(a.frame), "server alert", alert_label(a));
    }
    let why = if cas.is_empty() {
        "The server listed no CA names, so the client could not match a certificate to it; many clients then send none.".to_string()
    } else {
        format!(
            "Clients send a certificate only if one was issued by a CA the server lists ({}); the client likely has no certificate configured, or none issued by these CAs.",
            cas.join("; ")
        )
    };
    f = f.evidence(None, "likely reason", why).inferred();
    // The same client sent a certificate in another connection: was it one
    // this server would accept?
    for seen in ctx
        .seen_client_certs
        .iter()
        .filter(|s| s.client_ip == ctx.facts.info.client.ip() && s.connection != ctx.facts.info.id)
        .take(3)
    {
        let accepted = cas.is_empty() || listed(ctx, &seen.leaf.issuer_der);
        let value = if accepted {
            format!(
                "in connection {} this client sent \"{}\" (issued by \"{}\"), which this server would accept: here the client chose none",
                seen.connection, seen.leaf.subject, seen.leaf.issuer
            )
        } else {
            format!(
                "in connection {} this client sent \"{}\", issued by \"{}\", which is not in this server's CA list: the client has a certificate, but none for this server",
                seen.connection, seen.leaf.subject, seen.leaf.issuer
            )
        };
        f = f.evidence(None, "the same client elsewhere in the capture", value);
    }
    // A request that allows only some key types: a client holding another
    // kind of key has no scheme to sign with and sends no certificate.
    let families = key_families(cr.value.signature_algorithms());
    if families.len() == 1 {
        let schemes: Vec<String> = cr
            .value
            .signature_algorithms()
            .iter()
            .map(|s| names::signature_scheme_name(*s).into_owned())
            .collect();
        f = f.evidence(
            Some(cr.frame),
            "likely reason",
            format!(
                "the server accepts only {} signatures ({}): a client whose key is of another type cannot sign and sends no certificate",
                families.join(" and "),
                schemes.join(", ")
            ),
        );
    }
    let fix = if cas.is_empty() {
        "Configure the client with its certificate and key explicitly (curl --cert/--key, openssl s_client -cert/-key); or make the server send its CA list (Windows: SendTrustedIssuerList=1)."
    } else {
        "Give the client a certificate issued by one of the listed CAs (curl --cert/--key, openssl s_client -cert/-key, the browser's or OS key store); if it has one, check that its key type has a signature scheme the server offers."
    };
    vec![f.fix(fix)]
}

/// The certificate named `issuer` among those the capture shows outside the
/// client's chain (the server's chain), if any.
fn known_issuer<'a>(ctx: &'a Context<'_>, issuer_der: &[u8]) -> Option<&'a CertInfo> {
    ctx.server_chain
        .iter()
        .find(|c| names_match(&c.subject_der, issuer_der))
}

/// Where the chain, walked from the leaf through the issuers it holds,
/// ends: the last certificate of the path, which is not always the last one
/// sent (a broken chain may carry an unrelated certificate).
fn path_top(chain: &[CertInfo]) -> Option<&CertInfo> {
    let mut cur = chain.first()?;
    for _ in 0..chain.len() {
        if cur.self_issued {
            break;
        }
        match chain
            .iter()
            .find(|c| !std::ptr::eq(*c, cur) && names_match(&c.subject_der, &cur.issuer_der))
        {
            Some(next) => cur = next,
            None => break,
        }
    }
    Some(cur)
}

/// `incomplete-chain`: the server needs a path from the client's leaf to a
/// CA it trusts (RFC 5280 §6); it does not fetch missing intermediates.
/// When the client's chain stops at a certificate whose issuer is neither in
/// the chain nor among the CA names the server listed, an intermediate is
/// missing — certain when that intermediate appears elsewhere in the capture
/// issued by a listed CA.
fn incomplete_chain(ctx: &Context<'_>) -> Vec<Finding> {
    let Some(top) = path_top(&ctx.client_chain) else {
        return vec![];
    };
    if top.self_issued {
        return vec![];
    }
    let in_chain = ctx
        .client_chain
        .iter()
        .any(|c| names_match(&c.subject_der, &top.issuer_der));
    if in_chain || listed(ctx, &top.issuer_der) {
        return vec![];
    }
    // Only a visible intermediate tells a short chain from a certificate of
    // an unknown CA (which `issuer-not-in-ca-list` reports).
    let Some(known) = known_issuer(ctx, &top.issuer_der) else {
        return vec![];
    };
    let known = Some(known);
    let frame = client_cert_frame(ctx);
    let mut f = Finding::new(
        "incomplete-chain",
        Severity::Error,
        format!(
            "The client's chain ends at \"{}\", whose issuer \"{}\" it did not send and the server did not list as trusted: an intermediate certificate is missing.",
            top.subject, top.issuer
        ),
    )
    .evidence(frame, "client chain length", ctx.client_chain.len().to_string())
    .evidence(frame, "top certificate issuer", top.issuer.clone())
    .inferred();
    if let Some(cas) = Some(ca_names(ctx)).filter(|c| !c.is_empty()) {
        f = f.evidence(
            ctx.request.map(|r| r.frame),
            "certificate_request CA names",
            cas.join("; "),
        );
    }
    if let Some(k) = known {
        let issuer_listed = listed(ctx, &k.issuer_der);
        f = f.evidence(
            ctx.server_cert.map(|c| c.frame),
            "missing certificate seen in the server's chain",
            format!(
                "{} (issued by {}{})",
                k.subject,
                k.issuer,
                if issuer_listed { ", a listed CA" } else { "" }
            ),
        );
    }
    vec![f.fix(format!(
        "Send the intermediate with the client certificate: put the full chain (leaf, then \"{}\") in the client's certificate file (curl --cert chain.pem, openssl s_client -cert leaf.pem -cert_chain chain.pem), or add the intermediate to the server's trust store.",
        top.issuer
    ))]
}

/// `issuer-not-in-ca-list`: the CertificateRequest's certificate_authorities
/// names the CAs the server accepts (RFC 5246 §7.4.4, RFC 8446 §4.2.4). A
/// chain none of whose certificates is issued by (or is) a listed CA will be
/// rejected by a server that trusts only those CAs (OpenSSL, rustls and new
/// Go send unknown_ca 48, old Go 42, Java 46). Names are compared as RFC 5280
/// §7.1 says, not as raw bytes.
fn issuer_not_in_ca_list(ctx: &Context<'_>) -> Vec<Finding> {
    let Some(cr) = ctx.request else {
        return vec![];
    };
    let cas = cr.value.certificate_authorities();
    if cas.is_empty() || ctx.client_chain.is_empty() {
        return vec![];
    }
    let accepted = ctx
        .client_chain
        .iter()
        .any(|c| listed(ctx, &c.issuer_der) || listed(ctx, &c.subject_der));
    if accepted {
        return vec![];
    }
    let issuers: Vec<String> = ctx.client_chain.iter().map(|c| c.issuer.clone()).collect();
    let frame = client_cert_frame(ctx);
    let top = path_top(&ctx.client_chain)
        .map(|c| c.issuer.clone())
        .unwrap_or_default();
    vec![Finding::new(
        "issuer-not-in-ca-list",
        Severity::Error,
        format!("The client's chain leads to \"{top}\", which is not among the CAs the server said it accepts."),
    )
    .evidence(Some(cr.frame), "certificate_request CA names", ca_names(ctx).join("; "))
    .evidence(frame, "client chain issuers", issuers.join("; "))
    .fix("Use a client certificate issued by one of the listed CAs, or add the client's CA to the server's trust store (nginx ssl_client_certificate / ssl_trusted_certificate, Apache SSLCACertificateFile, openssl s_server -CAfile). If that issuer is an intermediate under a listed CA, send it along with the client certificate.")]
}

/// `ca-list-empty`: a CertificateRequest may list no CA names (RFC 5246
/// §7.4.4: "any certificate … is acceptable"); Windows servers do this by
/// default since Server 2012 (SendTrustedIssuerList=0), leaving the client
/// to guess which certificate to send.
/// The cause a server's alert names when the chain cannot show it (cut by
/// the snaplen, encrypted, or in order at the capture's time while the
/// server's clock disagrees): certificate_expired (45) names an expired
/// certificate, unsupported_certificate (43) one whose key usage or EKU
/// does not allow client authentication, decrypt_error (51) a
/// CertificateVerify that did not verify, certificate_required (116) a
/// missing certificate (RFC 8446 §6.2). The finding is inferred from the
/// alert, which is its evidence.
fn cause_from_alert(ctx: &Context<'_>) -> Vec<Finding> {
    let Some(a) = server_rejection_alert(ctx).filter(|a| !a.encrypted && a.level == 2) else {
        return vec![];
    };
    let chain = &ctx.client_chain;
    let (code, summary, fix) = match a.description {
        45 => {
            let out_of_date = ctx.check_time.is_some_and(|t| {
                chain
                    .iter()
                    .any(|c| t < c.not_before_unix || t > c.not_after_unix)
            });
            if out_of_date {
                return vec![];
            }
            (
                "certificate-expired",
                if chain.is_empty() {
                    "The server refused the client's certificate as expired (certificate_expired); the certificate itself is not in the capture."
                } else {
                    "The server refused the client's certificate as expired (certificate_expired), although every certificate of the chain is valid at the capture's time: the server's clock, or a certificate it adds to the path (an expired intermediate or root in its store), disagrees."
                },
                "Check the validity dates of the client's certificate and of the CAs in the server's trust store, and the server's clock.",
            )
        }
        // With the chain in view, the EKU and KU rules name the field.
        43 if chain.is_empty() => {
            (
                "missing-client-auth-eku",
                "The server refused the client's certificate as unsuitable (unsupported_certificate): its key usage or extended key usage, or a CA's on the path, does not allow client authentication.",
                "Issue the client certificate with EKU clientAuth and KU digitalSignature, from CAs whose own EKU (if any) allows clientAuth.",
            )
        }
        51 if ctx.hs.certificate_verify(Some(Side::Client)).is_none() => (
            "certificate-verify-invalid",
            "The server refused the client's proof of its key (decrypt_error): the CertificateVerify did not verify with the certificate's key, or the certificate's signature did not verify.",
            "Make sure the client's key matches its certificate (openssl x509 -noout -pubkey vs openssl pkey -pubout).",
        ),
        116 if ctx.client_cert.is_none() => (
            "client-certificate-empty",
            "The server refused the connection for want of a client certificate (certificate_required).",
            "Configure the client with a certificate and key, issued by a CA the server accepts.",
        ),
        _ => return vec![],
    };
    vec![Finding::new(code, Severity::Error, summary)
        .evidence(Some(a.frame), "server's alert", alert_label(a))
        .inferred()
        .fix(fix)]
}

/// `untrusted-issuer`: the server refused the client's chain as untrusted
/// (unknown_ca, or the catch-all bad_certificate / certificate_unknown of
/// Go and Java when the chain is in date), and its CertificateRequest named
/// no CA to compare the chain with (Windows' default, `openssl s_server
/// -no_ca_names`, Python's `ssl`, a Go server without ClientCAs in the
/// request): the server does not trust the CA the chain ends at. RFC 8446
/// §6.2: unknown_ca means "the CA certificate could not be located or
/// could not be matched with a known trust anchor".
fn untrusted_issuer(ctx: &Context<'_>) -> Vec<Finding> {
    let Some(cr) = ctx.request else {
        return vec![];
    };
    if !cr.value.certificate_authorities().is_empty() || ctx.client_chain.is_empty() {
        return vec![];
    }
    let Some(alert) = server_rejection_alert(ctx).filter(|a| !a.encrypted) else {
        return vec![];
    };
    let in_date = |c: &CertInfo| {
        ctx.check_time
            .is_none_or(|t| c.not_before_unix <= t && t <= c.not_after_unix)
    };
    let trust_alert = match alert.description {
        48 => true,
        42 | 46 => ctx.client_chain.iter().all(in_date),
        _ => false,
    };
    if !trust_alert {
        return vec![];
    }
    let top = path_top(&ctx.client_chain)
        .map(|c| c.issuer.clone())
        .unwrap_or_default();
    let issuers: Vec<String> = ctx.client_chain.iter().map(|c| c.issuer.clone()).collect();
    vec![Finding::new(
        "untrusted-issuer",
        Severity::Error,
        format!("The server does not trust \"{top}\", the CA the client's chain ends at: it refused the certificate with {}, and its CertificateRequest named no CAs, so the client could not know.", alert_label(alert)),
    )
    .evidence(Some(cr.frame), "certificate_request CA names", "none")
    .evidence(client_cert_frame(ctx), "client chain issuers", issuers.join("; "))
    .evidence(Some(alert.frame), "server's alert", alert_label(alert))
    .inferred()
    .fix(format!("Add \"{top}\" (or the root above it) to the server's trust store (nginx ssl_client_certificate, Apache SSLCACertificateFile, Go tls.Config.ClientCAs, Java's truststore, Python load_verify_locations), or give the client a certificate from a CA the server trusts. Making the server list its CAs in the request lets clients choose the right certificate."))]
}

fn ca_list_empty(ctx: &Context<'_>) -> Vec<Finding> {
    let Some(cr) = ctx.request else {
        return vec![];
    };
    if !cr.value.certificate_authorities().is_empty() {
        return vec![];
    }
    // TLS 1.3: an empty certificate_authorities extension breaks the
    // protocol (RFC 8446 §4.2.4: at least one name); Go clients abort the
    // handshake on it. Leaving the extension out is the way to name none.
    if let crate::tls::messages::CertificateRequest::Tls13(t) = cr.value {
        if t.extensions.iter().any(|e| e.ext_type == 47) {
            let client_alert = ctx
                .alerts()
                .iter()
                .find(|a| a.from == Side::Client && a.frame >= cr.frame);
            let mut f = Finding::new(
                "ca-list-extension-empty",
                Severity::Error,
                "The server's CertificateRequest carries a certificate_authorities extension with no names, which TLS 1.3 forbids (RFC 8446 §4.2.4): this is the server's mistake, and strict clients (Go) abort on it.",
            )
            .evidence(Some(cr.frame), "certificate_request.certificate_authorities", "present, with 0 names");
            if let Some(a) = client_alert {
                f = f.evidence(Some(a.frame), "client's reaction", alert_label(a));
            }
            return vec![f.fix("Fix the server: send the extension with the CAs it trusts, or leave it out (OpenSSL: -no_ca_names / SSL_CTX_set_client_CA_list with an empty list omits it).")];
        }
    }
    vec![Finding::new(
        "ca-list-empty",
        Severity::Info,
        "The server's CertificateRequest names no CA, so the client had to guess which certificate to send.",
    )
    .evidence(Some(cr.frame), "certificate_request.certificate_authorities", "empty")
    .fix("If clients pick the wrong certificate or none, make the server list its CAs (Windows: HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL SendTrustedIssuerList=1; nginx ssl_client_certificate), or configure the client's certificate explicitly.")]
}

/// `ca-list-too-large`: Schannel refuses CA lists over 16 KiB, and the
/// field cannot exceed 2^16-1 bytes (RFC 5246 §7.4.4); clients then fail
/// with decode_error or abort.
fn ca_list_too_large(ctx: &Context<'_>) -> Vec<Finding> {
    let Some(cr) = ctx.request else {
        return vec![];
    };
    let len = cr.value.ca_list_len();
    if len <= 16 * 1024 {
        return vec![];
    }
    let near_limit = len > 60 * 1024;
    vec![Finding::new(
        "ca-list-too-large",
        if near_limit { Severity::Error } else { Severity::Warning },
        format!(
            "The server's CA list is {len} bytes ({} names): over Schannel's 16 KiB limit{}.",
            cr.value.certificate_authorities().len(),
            if near_limit { " and near the protocol's 65,535-byte maximum" } else { "" }
        ),
    )
    .evidence(Some(cr.frame), "certificate_request.certificate_authorities length", len.to_string())
    .fix("Trust fewer CAs for client authentication (only the issuers of client certificates), or stop sending the list.")]
}

/// `missing-client-auth-eku`: if Extended Key Usage is present the
/// certificate may be used only for the listed purposes (RFC 5280
/// §4.2.1.12); TLS client authentication needs clientAuth
/// (1.3.6.1.5.5.7.3.2) or anyExtendedKeyUsage. OpenSSL and rustls reject
/// with 43, Go with 42, Java with 46.
fn missing_client_auth_eku(ctx: &Context<'_>) -> Vec<Finding> {
    let Some(leaf) = ctx.client_chain.first() else {
        return vec![];
    };
    if leaf.eku_allows_client_auth() {
        return vec![];
    }
    let eku = leaf.eku.clone().unwrap_or_default();
    let server_only = eku.iter().all(|e| e == "serverAuth");
    let summary = if server_only {
        format!("The client certificate \"{}\" is a server certificate: its Extended Key Usage allows only serverAuth, not clientAuth.", leaf.subject)
    } else {
        format!(
            "The client certificate \"{}\" has an Extended Key Usage without clientAuth.",
            leaf.subject
        )
    };
    vec![Finding::new("missing-client-auth-eku", Severity::Error, summary)
        .evidence(client_cert_frame(ctx), "leaf extendedKeyUsage", eku.join(", "))
        .fix("Issue the client certificate with extendedKeyUsage = clientAuth (OID 1.3.6.1.5.5.7.3.2), e.g. openssl `extendedKeyUsage = clientAuth` in the signing extensions.")]
}

/// `key-usage-forbids-signature`: a TLS client proves its key by signing
/// (CertificateVerify), so a Key Usage extension must include
/// digitalSignature (RFC 5280 §4.2.1.3; RFC 8446 §4.4.2.2); when both KU and
/// EKU are present both must allow the purpose. OpenSSL rejects with 43.
fn key_usage_forbids_signature(ctx: &Context<'_>) -> Vec<Finding> {
    let Some(leaf) = ctx.client_chain.first() else {
        return vec![];
    };
    if leaf.ku_allows_signature() {
        return vec![];
    }
    let ku = leaf.key_usage.clone().unwrap_or_default();
    vec![Finding::new(
        "key-usage-forbids-signature",
        Severity::Error,
        format!("The client certificate \"{}\" has a Key Usage without digitalSignature, so its key may not sign the handshake.", leaf.subject),
    )
    .evidence(client_cert_frame(ctx), "leaf keyUsage", ku.join(", "))
    .fix("Issue the client certificate with keyUsage = digitalSignature (for RSA keys usually digitalSignature, keyEncipherment).")]
}

/// `certificate-expired` / `certificate-not-yet-valid`: every certificate
/// of the path must be within its validity period at the time of checking
/// (RFC 5280 §6.1.3 (a)(2)). The capture's time stands in for the server's
/// clock. OpenSSL sends 45 for expired, 42 for not yet valid; rustls 45 for
/// both; Java 46.
fn certificate_validity(ctx: &Context<'_>) -> Vec<Finding> {
    let Some(now) = ctx.check_time else {
        return vec![];
    };
    let frame = client_cert_frame(ctx);
    let mut out = Vec::new();
    for (i, c) in ctx.client_chain.iter().enumerate() {
        let which = if i == 0 {
            "client certificate".to_string()
        } else {
            format!("chain certificate {}", i + 1)
        };
        if now > c.not_after_unix {
            out.push(
                Finding::new(
                    "certificate-expired",
                    Severity::Error,
                    format!(
                        "The {which} \"{}\" expired on {}, before this connection.",
                        c.subject, c.not_after
                    ),
                )
                .evidence(frame, "notAfter", c.not_after.clone())
                .evidence(frame, "capture time", crate::x509::iso8601(now))
                .fix("Renew the certificate (and check the clocks of client and server)."),
            );
        } else if now < c.not_before_unix {
            out.push(
                Finding::new(
                    "certificate-not-yet-valid",
                    Severity::Error,
                    format!("The {which} \"{}\" is not valid until {}.", c.subject, c.not_before),
                )
                .evidence(frame, "notBefore", c.not_before.clone())
                .evidence(frame, "capture time", crate::x509::iso8601(now))
                .fix("Check the server's and the issuing CA's clocks, or wait until the certificate becomes valid; reissue it with a correct start date."),
            );
        }
    }
    out
}

/// `chain-misordered` / `chain-broken`: each certificate should be certified
/// by the one that follows it (RFC 5246 §7.4.2 requires it; RFC 8446
/// §4.4.2 still says SHOULD). A certificate whose issuer is elsewhere in the
/// chain is misordered; one whose issuer is not in the chain at all breaks
/// the chain (an unrelated certificate was included).
fn chain_order(ctx: &Context<'_>) -> Vec<Finding> {
    let chain = &ctx.client_chain;
    let frame = client_cert_frame(ctx);
    let mut out = Vec::new();
    for i in 0..chain.len().saturating_sub(1) {
        let (c, next) = (&chain[i], &chain[i + 1]);
        let names_ok = names_match(&c.issuer_der, &next.subject_der);
        let keys_ok = match (&c.authority_key_id, &next.subject_key_id) {
            (Some(a), Some(s)) => a == s,
            _ => true,
        };
        if names_ok && keys_ok {
            continue;
        }
        let elsewhere = chain
            .iter()
            .enumerate()
            .any(|(j, o)| j != i + 1 && j != i && names_match(&c.issuer_der, &o.subject_der));
        if elsewhere {
            out.push(
                Finding::new(
                    "chain-misordered",
                    Severity::Warning,
                    format!("The client's chain is out of order: certificate {} (\"{}\") is not followed by its issuer.", i + 1, c.subject),
                )
                .evidence(frame, "issuer", c.issuer.clone())
                .evidence(frame, "next certificate", next.subject.clone())
                .fix("Order the client's chain file leaf first, then each issuer in turn."),
            );
        } else {
            out.push(
                Finding::new(
                    "chain-broken",
                    Severity::Error,
                    format!("The client's chain is broken: certificate {} (\"{}\") is followed by \"{}\", which did not issue it.", i + 1, c.subject, next.subject),
                )
                .evidence(frame, "issuer", c.issuer.clone())
                .evidence(frame, "next certificate", next.subject.clone())
                .fix("Rebuild the client's chain file from the leaf's actual issuers; remove unrelated certificates."),
            );
        }
        break;
    }
    out
}

/// Signature schemes a key of this type can use (RFC 8446 §4.2.3: in TLS
/// 1.3 RSA keys sign only with RSA-PSS and ECDSA keys only on their own
/// curve; TLS 1.2 allows PKCS#1 and any ECDSA hash).
fn schemes_for_key(key: &str, tls13: bool) -> Vec<u16> {
    if key.starts_with("RSA-PSS") {
        return vec![0x0809, 0x080a, 0x080b];
    }
    if key.starts_with("RSA") {
        let mut v = vec![0x0804, 0x0805, 0x0806];
        if !tls13 {
            v.extend([0x0401, 0x0501, 0x0601, 0x0201, 0x0301]);
        }
        return v;
    }
    if key.starts_with("EC ") {
        let own = match key {
            "EC P-256" => 0x0403,
            "EC P-384" => 0x0503,
            "EC P-521" => 0x0603,
            _ => 0,
        };
        return if tls13 {
            vec![own]
        } else {
            vec![0x0403, 0x0503, 0x0603, 0x0203, 0x0303]
        };
    }
    match key {
        "Ed25519" => vec![0x0807],
        "Ed448" => vec![0x0808],
        _ => vec![],
    }
}

/// `signature-scheme-not-offered`: the client must sign CertificateVerify
/// with a scheme from the CertificateRequest's signature_algorithms (RFC
/// 5246 §7.4.8, RFC 8446 §4.4.3); a key type with no listed scheme cannot
/// authenticate at all (e.g. TLS 1.3 requires RSA-PSS, which some
/// smartcards and HSMs lack).
/// The signature schemes a certificate signed with this algorithm meets
/// (RSASSA-PSS certificates meet either PSS family).
fn schemes_of_cert_signature(algorithm: &str) -> &'static [u16] {
    match algorithm {
        "sha1WithRSAEncryption" => &[0x0201],
        "sha256WithRSAEncryption" => &[0x0401],
        "sha384WithRSAEncryption" => &[0x0501],
        "sha512WithRSAEncryption" => &[0x0601],
        "rsassaPss" => &[0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b],
        "ecdsa-with-SHA1" => &[0x0203],
        "ecdsa-with-SHA256" => &[0x0403],
        "ecdsa-with-SHA384" => &[0x0503],
        "ecdsa-with-SHA512" => &[0x0603],
        "Ed25519" => &[0x0807],
        "Ed448" => &[0x0808],
        _ => &[],
    }
}

/// `signature-algorithms-cert-unmet`: a TLS 1.3 CertificateRequest's
/// signature_algorithms_cert lists the signatures the server accepts on
/// certificates (RFC 8446 §4.2.3); a certificate of the client's chain
/// signed otherwise cannot meet it. When the server's list leaves out how
/// the client's CA signs, this is the server's mistake: clients then send
/// the certificate anyway, send none, or abort.
fn signature_algorithms_cert_unmet(ctx: &Context<'_>) -> Vec<Finding> {
    let Some(cr) = ctx.request else {
        return vec![];
    };
    let crate::tls::messages::CertificateRequest::Tls13(t) = cr.value else {
        return vec![];
    };
    let allowed = &t.signature_algorithms_cert;
    if allowed.is_empty() {
        return vec![];
    }
    // Trust anchors' own signatures are not checked (RFC 8446 §4.4.2.2).
    let unmet: Vec<&CertInfo> = ctx
        .client_chain
        .iter()
        .filter(|c| !c.self_issued)
        .filter(|c| {
            let schemes = schemes_of_cert_signature(&c.signature_algorithm);
            !schemes.is_empty() && !schemes.iter().any(|s| allowed.contains(s))
        })
        .collect();
    // A client that sent an empty Certificate may have had a certificate
    // the list rules out: OpenSSL and curl send nothing then, without a
    // word. Where the list leaves out every SHA-256 and SHA-384 signature
    // with RSA or ECDSA (how nearly every CA signs), that is the likely
    // reason.
    let sent_none = ctx.client_cert.is_some_and(|c| c.value.entries.is_empty());
    const COMMON: [u16; 4] = [0x0401, 0x0403, 0x0501, 0x0503];
    let rules_out_common = !COMMON.iter().any(|s| allowed.contains(s));
    if unmet.is_empty() && !(sent_none && rules_out_common) {
        return vec![];
    }
    let allowed_names: Vec<String> = allowed
        .iter()
        .map(|s| names::signature_scheme_name(*s).into_owned())
        .collect();
    let reaction = server_rejection_alert(ctx)
        .map(alert_label)
        .unwrap_or_else(|| "no alert".to_string());
    let f = match unmet.first() {
        Some(first) => Finding::new(
            "signature-algorithms-cert-unmet",
            Severity::Error,
            format!("The server accepts only certificates signed with {}, but \"{}\" is signed with {}: no chain of this client can meet the server's list. The server's list is the mistake if its own CAs sign otherwise.", allowed_names.join(", "), first.subject, first.signature_algorithm),
        )
        .evidence(Some(cr.frame), "certificate_request.signature_algorithms_cert", allowed_names.join(", "))
        .evidence(client_cert_frame(ctx), "client certificate signature", format!("{}: {}", first.subject, first.signature_algorithm)),
        None => Finding::new(
            "signature-algorithms-cert-unmet",
            Severity::Error,
            format!("The server accepts only certificates signed with {}, which leaves out how nearly every CA signs (RSA or ECDSA with SHA-256/384); the client then sent no certificate, as OpenSSL and curl do when none of theirs meets the list: most likely the server's list is the mistake.", allowed_names.join(", ")),
        )
        .evidence(Some(cr.frame), "certificate_request.signature_algorithms_cert", allowed_names.join(", "))
        .evidence(client_cert_frame(ctx), "client certificate", "empty")
        .inferred(),
    };
    vec![f
    .evidence(None, "server's answer", reaction)
    .fix("Make the server's signature_algorithms_cert (OpenSSL: -client_sigalgs / SSL_CTX_set1_client_sigalgs; others: their sigalgs setting) include how its client CAs sign, or leave the extension out.")]
}

fn signature_scheme_not_offered(ctx: &Context<'_>) -> Vec<Finding> {
    let Some(cr) = ctx.request else {
        return vec![];
    };
    let offered = cr.value.signature_algorithms();
    if offered.is_empty() {
        return vec![];
    }
    let offered_names: Vec<String> = offered
        .iter()
        .map(|s| names::signature_scheme_name(*s).into_owned())
        .collect();
    let mut out = Vec::new();
    if let Some(cv) = ctx.hs.certificate_verify(Some(Side::Client)) {
        if let Some(s) = cv.value.scheme {
            if !offered.contains(&s) {
                out.push(
                    Finding::new(
                        "signature-scheme-not-offered",
                        Severity::Error,
                        format!("The client signed its CertificateVerify with {}, which the server did not list as acceptable.", names::signature_scheme_name(s)),
                    )
                    .evidence(Some(cv.frame), "certificate_verify.scheme", names::signature_scheme_name(s))
                    .evidence(Some(cr.frame), "certificate_request.signature_algorithms", offered_names.join(", "))
                    .fix("Update the client's TLS stack, or allow that scheme on the server."),
                );
                return out;
            }
        }
    }
    if let Some(leaf) = ctx.client_chain.first() {
        let usable = schemes_for_key(&leaf.key, ctx.hs.is_tls13());
        if !usable.is_empty() && !usable.iter().any(|s| offered.contains(s)) {
            out.push(
                Finding::new(
                    "signature-scheme-not-offered",
                    Severity::Error,
                    format!("The client's {} key has no signature scheme among those the server accepts.", leaf.key),
                )
                .evidence(client_cert_frame(ctx), "client key", leaf.key.clone())
                .evidence(Some(cr.frame), "certificate_request.signature_algorithms", offered_names.join(", "))
                .inferred()
                .fix("Use a client key type the server accepts (e.g. ECDSA P-256, or an RSA key whose store supports RSA-PSS for TLS 1.3), or allow the scheme on the server."),
            );
        }
    }
    out
}

/// `certificate-revoked`: the server's certificate_revoked alert (44, RFC
/// 5246 §7.2.2) means it found the certificate on a CRL or got a revoked
/// OCSP answer; nothing else in the capture shows revocation.
fn certificate_revoked(ctx: &Context<'_>) -> Vec<Finding> {
    let Some(a) = ctx
        .alerts()
        .iter()
        .find(|a| a.from == Side::Server && !a.encrypted && a.description == 44)
    else {
        return vec![];
    };
    let subject = ctx
        .client_chain
        .first()
        .map(|c| c.subject.clone())
        .unwrap_or_else(|| "(not visible)".into());
    let serial = ctx
        .client_chain
        .first()
        .map(|c| c.serial.clone())
        .unwrap_or_default();
    vec![Finding::new(
        "certificate-revoked",
        Severity::Error,
        format!("The server reports the client certificate \"{subject}\" as revoked."),
    )
    .evidence(Some(a.frame), "server alert", alert_label(a))
    .evidence(client_cert_frame(ctx), "serial", serial)
    .fix("Issue the client a new certificate; if it should not be revoked, check the CRL or OCSP responder the server uses.")]
}

/// `rejected-after-handshake`: in TLS 1.3 the client finishes its side
/// before the server judges its certificate (RFC 8446 §4.4.2.4), so a
/// rejection reaches the client only on its first read: the handshake
/// "succeeded" and then the server alerted or closed. Servers that enforce
/// client certificates above TLS (nginx `ssl_verify_client`, IIS 403.7/.16)
/// complete the handshake and answer with an HTTP error instead.
fn rejected_after_handshake(ctx: &Context<'_>) -> Vec<Finding> {
    let Some(flight) = ctx.client_flight_frame() else {
        return vec![];
    };
    if let Some(marker) = &ctx.facts.tls.app_marker[Side::Server.index()] {
        let line = ctx.facts.tls.app_first_line[Side::Server.index()]
            .clone()
            .unwrap_or_default();
        let what = match marker {
            AppMarker::NginxNoCertificate => {
                "nginx's 400 \"No required SSL certificate was sent\"".to_string()
            }
            AppMarker::NginxCertificateError => {
                "nginx's 400 \"The SSL certificate error\"".to_string()
            }
            AppMarker::IisForbidden(code) => format!("an IIS {code} page"),
            AppMarker::HttpError(code) => format!("HTTP {code}"),
        };
        let first = ctx
            .facts
            .tls
            .ladder
            .iter()
            .find(|l| l.from == Side::Server && l.kind == "application_data" && !l.encrypted)
            .map(|l| l.frame);
        return vec![Finding::new(
            "rejected-after-handshake",
            Severity::Error,
            format!("The TLS handshake completed, but the server's application refused the request with {what}: it enforces client certificates above TLS."),
        )
        .evidence(first, "server's first response line (decrypted excerpt)", line)
        .fix("nginx: with `ssl_verify_client on` the handshake always completes; read the error log for the verify result. Give the client a valid certificate from the CA in ssl_client_certificate.")];
    }
    if !ctx.hs.is_tls13() || ctx.inferred.is_some() {
        return vec![];
    }
    let ladder = &ctx.facts.tls.ladder;
    let after: Vec<_> = ladder
        .iter()
        .filter(|l| l.from == Side::Server && l.frame > flight)
        .collect();
    // A fatal alert (decrypted), or an alert we cannot read.
    let alert = after
        .iter()
        .find(|l| l.alert.is_some_and(|a| a.encrypted || a.level == 2));
    // Without keys, an alert is a short record: 2 bytes + content type +
    // 16-byte tag. A rejection is the server's first and last record after
    // the client's flight (a server that accepted sends session tickets or
    // data first), followed by the close.
    let short = match after.as_slice() {
        [only] if only.kind == "application_data" && only.encrypted && only.length <= 24 => {
            Some(*only)
        }
        _ => None,
    };
    let ended = !matches!(ctx.facts.tcp.end, crate::net::tcp::ConnEnd::Open);
    let (frame, what) = match (alert, short) {
        (Some(a), _) => (
            a.frame,
            a.alert
                .map(|x| alert_label(&x))
                .unwrap_or_else(|| "alert".into()),
        ),
        (None, Some(s)) if ended => (
            s.frame,
            format!(
                "a {}-byte encrypted record (the size of an alert), then the connection closed",
                s.length
            ),
        ),
        _ => return vec![],
    };
    vec![Finding::new(
        "rejected-after-handshake",
        Severity::Error,
        "The client completed its side of the handshake, then the server refused it: TLS 1.3 servers judge the client certificate after the client has finished, so the client sees the failure on its first read.",
    )
    .evidence(Some(flight), "client's last handshake record", "certificate flight sent")
    .evidence(Some(frame), "server's answer", what)
    .inferred()
    .fix(if ctx.tls13_hidden {
        "Run tlstrace again with the key log (--keylog) to see the server's alert and the client's certificate; the server's log names the reason."
    } else {
        "The decisive finding names the likely reason; the server's log names it exactly."
    })]
}

/// Encrypted handshake records after application data (TLS 1.0–1.2): a
/// renegotiation the capture cannot show.
pub fn unreadable_renegotiation<'a>(
    ctx: &Context<'a>,
) -> Option<&'a crate::tls::stream::LadderEntry> {
    if ctx.hs.is_tls13() {
        return None;
    }
    let ladder = &ctx.facts.tls.ladder;
    let first_app = ladder.iter().position(|l| l.kind == "application_data")?;
    ladder[first_app..]
        .iter()
        .find(|l| l.kind == "encrypted_handshake")
}

/// `renegotiation-client-auth` / `post-handshake-auth`: a server may ask for
/// a certificate after the first handshake: by renegotiating in TLS 1.2
/// (IIS/http.sys does this by default for protected paths, RFC 5746) or
/// with a post-handshake CertificateRequest in TLS 1.3 (RFC 8446 §4.6.2, if
/// the client offered post_handshake_auth; HTTP/2 forbids both, RFC 8740).
fn later_client_auth(ctx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for cr in ctx.hs.later_certificate_requests() {
        if ctx.hs.is_tls13() {
            out.push(
                Finding::new("post-handshake-auth", Severity::Info, "The server asked for a client certificate after the handshake (TLS 1.3 post-handshake authentication).")
                    .evidence(Some(cr.frame), "certificate_request", "post-handshake")
                    .fix("Post-handshake authentication fails over HTTP/2 and with clients that did not offer it; ask for the certificate in the handshake if you can."),
            );
        } else {
            out.push(
                Finding::new("renegotiation-client-auth", Severity::Info, "The server asked for a client certificate by renegotiating after the first handshake (as IIS does for protected paths).")
                    .evidence(Some(cr.frame), "certificate_request", "in a renegotiation")
                    .fix("Renegotiation does not work over TLS 1.3 or HTTP/2; on IIS set clientcertnegotiation=enable so the certificate is asked for in the first handshake."),
            );
        }
    }
    if out.is_empty() {
        if let Some(r) = unreadable_renegotiation(ctx) {
            out.push(
                Finding::new("renegotiation-client-auth", Severity::Info, format!("The {} started a renegotiation inside the encrypted connection; servers such as IIS ask for the client certificate this way.", r.from.as_str()))
                    .evidence(Some(r.frame), "encrypted handshake record after application data", format!("{} bytes", r.length))
                    .inferred()
                    .fix("Decrypt with the key log (--keylog) to see whether a certificate was requested and sent; on IIS, clientcertnegotiation=enable asks for it in the first handshake."),
            );
        }
    }
    out
}

/// `resumed-session`: an abbreviated handshake (RFC 5246 §7.3, RFC 8446
/// §2.2) exchanges no certificates: the client was authenticated when the
/// session was first established.
fn resumed_session(ctx: &Context<'_>) -> Vec<Finding> {
    let Some(r) = ctx.hs.resumption() else {
        return vec![];
    };
    let how = match r {
        crate::tls::summary::Resumption::SessionId => "session id",
        crate::tls::summary::Resumption::SessionTicket => "session ticket",
        crate::tls::summary::Resumption::Psk => "pre-shared key (TLS 1.3 ticket)",
    };
    let sh = ctx.hs.server_hello().map(|s| s.frame);
    let f = match ctx.resumed_from {
        Some(o) => {
            let who = o
                .client_subject
                .as_ref()
                .map_or("the client".to_string(), |s| format!("\"{s}\""));
            let what = match o.client_auth.outcome {
                Outcome::Succeeded => format!("{who} authenticated with its certificate"),
                Outcome::Failed => format!("client authentication failed for {who}"),
                Outcome::NotRequested => "no client certificate was asked for".to_string(),
                Outcome::NotProvided => "the client sent no certificate and the server went on".to_string(),
                Outcome::NotReached | Outcome::Unknown => {
                    "the verdict on the client could not be told".to_string()
                }
            };
            Finding::new(
                "resumed-session",
                Severity::Info,
                format!("The session was resumed ({how}) from connection {}, where {what}: no certificates are exchanged on resumption, so that connection's verdict holds for this one.", o.connection),
            )
            .evidence(sh, "server_hello", format!("resumed by {how}"))
            .evidence(None, "session established in", format!("connection {} ({})", o.connection, o.client_auth.outcome.as_str()))
            .fix(if o.client_auth.outcome == Outcome::Succeeded {
                "Nothing to fix."
            } else {
                "See the diagnosis of the connection that established the session."
            })
        }
        None => Finding::new(
            "resumed-session",
            Severity::Info,
            format!(
                "The session was resumed ({how}): no certificates were exchanged; the client was authenticated, or not, in the connection that established the session{}.",
                if ctx.sessions_known { ", which is not in this capture" } else { "" }
            ),
        )
        .evidence(sh, "server_hello", format!("resumed by {how}"))
        .fix("To see the client certificate, capture the connection that first established the session, or disable resumption while debugging."),
    };
    vec![f]
}

/// `capture-incomplete`: bytes missing from the capture (TCP gaps, snaplen
/// truncation, a capture that starts late or ends early) hide part of the
/// handshake; conclusions about it are then limited.
fn capture_incomplete(ctx: &Context<'_>) -> Vec<Finding> {
    let issues: Vec<_> = ctx
        .facts
        .tls
        .issues
        .iter()
        .filter(|i| {
            matches!(
                i.kind,
                IssueKind::CaptureGap | IssueKind::LostRecord | IssueKind::Truncated
            )
        })
        .collect();
    // A ClientHello cut by the snaplen is on the ladder: the capture did
    // not start after it.
    let no_hello = ctx.hs.client_hello(Some(Side::Client)).is_none()
        && !ctx.on_ladder(Side::Client, "client_hello");
    let no_end = ctx.hs.server_hello().is_some()
        && !ctx.handshake_completed()
        && ctx.alerts().is_empty()
        && matches!(ctx.facts.tcp.end, crate::net::tcp::ConnEnd::Open)
        && !ctx.tls13_hidden;
    // The client's certificate flight is the last thing captured: the
    // server's answer, which decides, is not there.
    let no_answer = matches!(ctx.facts.tcp.end, crate::net::tcp::ConnEnd::Open)
        && ctx.client_cert.is_some()
        && closed_after_client_flight(ctx).is_none()
        && server_went_on(ctx).is_none()
        && server_rejection_alert(ctx).is_none();
    if issues.is_empty() && !no_hello && !no_end && !no_answer {
        return vec![];
    }
    let mut f = Finding::new(
        "capture-incomplete",
        Severity::Warning,
        "Part of this connection is missing from the capture, so some of the handshake cannot be seen.",
    );
    for i in issues.iter().take(5) {
        f = f.evidence(Some(i.frame), "missing", i.detail.clone());
    }
    if no_hello {
        f = f.evidence(
            Some(ctx.facts.tcp.first_frame),
            "start",
            "the capture starts after the ClientHello",
        );
    }
    if no_end {
        f = f.evidence(
            Some(ctx.facts.tcp.last_frame),
            "end",
            "the capture ends before the handshake does",
        );
    } else if no_answer {
        f = f.evidence(
            Some(ctx.facts.tcp.last_frame),
            "end",
            "the capture ends after the client's certificate, before the server's answer",
        );
    }
    vec![f.fix("Capture from before the connection starts until after it ends, with a full snaplen (tcpdump -s 0), on the host itself rather than a lossy span port.")]
}

/// A fatal alert answering the ClientHello (no ServerHello): the handshake
/// failed before client authentication could start — no common version
/// (70 protocol_version), cipher or group (40, 71), SNI not recognised
/// (112), no ALPN (120).
fn hello_rejected(ctx: &Context<'_>) -> Vec<Finding> {
    // A ServerHello or a client certificate on the ladder (even cut by the
    // snaplen, unparsed) means the hello was not refused.
    if ctx.hs.server_hello().is_some()
        || ctx.on_ladder(Side::Server, "server_hello")
        || ctx.on_ladder(Side::Client, "certificate")
    {
        return vec![];
    }
    let Some(a) = ctx
        .alerts()
        .iter()
        .find(|a| a.from == Side::Server && a.level == 2 && !a.encrypted)
    else {
        return vec![];
    };
    let ch = ctx.hs.client_hello(Some(Side::Client));
    let mut f = Finding::new(
        "hello-rejected",
        Severity::Error,
        format!("The server refused the ClientHello with {}: the handshake failed before client authentication started.", alert_label(a)),
    )
    .evidence(Some(a.frame), "server alert", alert_label(a));
    if let Some(ch) = ch {
        let versions: Vec<String> = if ch.value.supported_versions.is_empty() {
            vec![names::version_name(ch.value.legacy_version).into_owned()]
        } else {
            ch.value
                .supported_versions
                .iter()
                .filter(|v| !names::is_grease(**v))
                .map(|v| names::version_name(*v).into_owned())
                .collect()
        };
        f = f
            .evidence(Some(ch.frame), "client_hello versions", versions.join(", "))
            .evidence(
                Some(ch.frame),
                "client_hello cipher suites",
                ch.value.cipher_suites.len().to_string(),
            );
    }
    let fix = match a.description {
        70 => "Client and server share no protocol version: enable a common one (e.g. TLS 1.2) on both.",
        71 | 40 => "Client and server share no cipher suite, group or signature scheme: compare their configurations and enable a common one.",
        112 => "The server does not know the requested host name: check SNI and the server's virtual host names.",
        120 => "The server supports none of the offered ALPN protocols.",
        _ => "Compare the client's offer with the server's configuration.",
    };
    vec![f.fix(fix)]
}

/// Does a DNS name from a certificate cover `host`? (RFC 6125 §6.4: exact,
/// or a wildcard in the leftmost label only.)
fn dns_matches(pattern: &str, host: &str) -> bool {
    let (p, h) = (pattern.to_ascii_lowercase(), host.to_ascii_lowercase());
    if p == h {
        return true;
    }
    match p.strip_prefix("*.") {
        Some(rest) => h
            .split_once('.')
            .is_some_and(|(first, tail)| !first.is_empty() && tail == rest),
        None => false,
    }
}

/// The server's certificate as the client judges it: the SNI must be among
/// its subjectAltNames (RFC 6125, RFC 9110 §4.3.4), its EKU must allow
/// serverAuth (RFC 5280 §4.2.1.12), and it must be valid at the time.
fn server_certificate(ctx: &Context<'_>) -> Vec<Finding> {
    let Some(leaf) = ctx.server_chain.first() else {
        return vec![];
    };
    let frame = ctx.server_cert.map(|c| c.frame);
    let mut out = Vec::new();
    if let Some(sni) = ctx.hs.sni() {
        let dns: Vec<&str> = leaf
            .san
            .iter()
            .filter_map(|s| s.strip_prefix("DNS:"))
            .collect();
        let ips: Vec<&str> = leaf
            .san
            .iter()
            .filter_map(|s| s.strip_prefix("IP:"))
            .collect();
        if !dns.iter().any(|d| dns_matches(d, sni)) && !ips.contains(&sni) {
            out.push(
                Finding::new("server-certificate-name-mismatch", Severity::Warning, format!("The server's certificate does not cover the requested name \"{sni}\"."))
                    .evidence(ctx.hs.client_hello(Some(Side::Client)).map(|c| c.frame), "client_hello.server_name", sni)
                    .evidence(frame, "server certificate subjectAltName", if leaf.san.is_empty() { "(none)".into() } else { leaf.san.join(", ") })
                    .fix("Issue the server certificate with this name in its subjectAltName, or connect with a name it covers."),
            );
        }
    }
    if !leaf.eku_allows_server_auth() {
        out.push(
            Finding::new(
                "server-certificate-missing-server-auth-eku",
                Severity::Warning,
                format!(
                    "The server's certificate \"{}\" has an Extended Key Usage without serverAuth.",
                    leaf.subject
                ),
            )
            .evidence(
                frame,
                "server leaf extendedKeyUsage",
                leaf.eku.clone().unwrap_or_default().join(", "),
            )
            .fix("Issue the server certificate with extendedKeyUsage = serverAuth."),
        );
    }
    if let Some(now) = ctx.check_time {
        for c in &ctx.server_chain {
            if !c.valid_at(now) {
                out.push(
                    Finding::new("server-certificate-expired", Severity::Warning, format!("The server's certificate \"{}\" is not valid at the capture time (valid {} to {}).", c.subject, c.not_before, c.not_after))
                        .evidence(frame, "validity", format!("{} – {}", c.not_before, c.not_after))
                        .evidence(frame, "capture time", crate::x509::iso8601(now))
                        .fix("Renew the server certificate."),
                );
            }
        }
    }
    out
}

/// The client's fatal alert after the server's Certificate and before its
/// own certificate flight: the client rejected the server (RFC 8446
/// §4.4.2.4, RFC 5246 §7.4.2), which is not a client-authentication failure.
fn server_certificate_rejected(ctx: &Context<'_>) -> Vec<Finding> {
    // In TLS 1.3 without keys the server's certificate is in the encrypted
    // flight after the ServerHello.
    let (sc_frame, subject) = match ctx.server_cert {
        Some(sc) => (
            sc.frame,
            ctx.server_chain
                .first()
                .map(|c| c.subject.clone())
                .unwrap_or_default(),
        ),
        None if ctx.tls13_hidden => match ctx.hs.server_hello() {
            Some(sh) => (sh.frame, "(encrypted)".to_string()),
            None => return vec![],
        },
        None => return vec![],
    };
    let flight = ctx.client_cert.map(|c| c.frame).unwrap_or(u64::MAX);
    let Some(a) = ctx.alerts().iter().find(|a| {
        a.from == Side::Client
            && !a.encrypted
            && a.level == 2
            && a.frame >= sc_frame
            && a.frame <= flight
    }) else {
        return vec![];
    };
    if !matches!(a.description, 42..=49) {
        return vec![];
    }
    vec![Finding::new(
        "server-certificate-rejected",
        Severity::Error,
        format!("The client rejected the server's certificate ({}); client authentication never started.", alert_label(a)),
    )
    .evidence(Some(sc_frame), "server certificate", subject)
    .evidence(Some(a.frame), "client alert", alert_label(a))
    .fix("Make the client trust the server's CA (curl --cacert, openssl s_client -CAfile), and check the server's chain and name.")]
}

pub fn alert_label(a: &AlertEntry) -> String {
    if a.encrypted {
        "an encrypted alert".to_string()
    } else {
        format!(
            "{} alert {} {}",
            names::alert_level_name(a.level),
            a.description,
            names::alert_description_name(a.description)
        )
    }
}

/// Where in the handshake an alert came: after which message of the peer.
fn alert_point(ctx: &Context<'_>, a: &AlertEntry) -> String {
    let ladder = &ctx.facts.tls.ladder;
    let Some(last) = ladder.iter().rev().find(|l| {
        l.frame <= a.frame && l.alert.is_none() && !(l.frame == a.frame && l.from == a.from)
    }) else {
        return "before any handshake message".to_string();
    };
    // The flight the last message belongs to: same sender, same frame.
    let flight: Vec<&str> = ladder
        .iter()
        .filter(|l| l.frame == last.frame && l.from == last.from && l.alert.is_none())
        .map(|l| l.kind.as_str())
        .collect();
    let who = last.from.as_str();
    let what = if flight.contains(&"certificate") && last.from == Side::Client {
        "right after the client sent its certificate".to_string()
    } else if flight.contains(&"certificate") && last.from == Side::Server {
        "right after the server sent its certificate".to_string()
    } else if flight.contains(&"client_hello") {
        "in answer to the ClientHello".to_string()
    } else {
        format!("after the {who}'s {}", last.kind.replace('_', " "))
    };
    format!("{what} (frame {})", last.frame)
}

/// `alert-received`: every alert, interpreted: who sent it, when, what it
/// means (RFC 8446 §6, RFC 5246 §7.2) and what common stacks mean by it.
fn alert_received(ctx: &Context<'_>) -> Vec<Finding> {
    let completed = ctx.handshake_completed();
    ctx.alerts()
        .iter()
        .filter(|a| !(a.level == 1 && a.description == 0))
        .map(|a| {
            let point = alert_point(ctx, a);
            let (severity, summary) = if a.encrypted && completed {
                (
                    Severity::Info,
                    format!(
                        "The {} sent an encrypted alert {point}; after a completed handshake this is most likely close_notify, a normal close.",
                        a.from.as_str()
                    ),
                )
            } else if a.encrypted {
                (
                    Severity::Error,
                    format!(
                        "The {} sent an encrypted alert {point}; its description is hidden, but an alert before the handshake completes means the {} refused it.",
                        a.from.as_str(),
                        a.from.as_str()
                    ),
                )
            } else {
                let severity = if a.level == 2 { Severity::Error } else { Severity::Info };
                (
                    severity,
                    format!(
                        "The {} sent {} {point}: {}.",
                        a.from.as_str(),
                        alert_label(a),
                        names::alert_meaning(a.description).trim_end_matches('.')
                    ),
                )
            };
            let mut f = Finding::new("alert-received", severity, summary)
                .evidence(Some(a.frame), "from", a.from.as_str())
                .evidence(Some(a.frame), "alert", alert_label(a));
            // The stack notes are about servers judging client certificates:
            // what this server's stack means by it, when it is known and
            // reads the alert its own way; else what stacks mean by it.
            let own = ctx
                .server_stack
                .as_ref()
                .filter(|_| !a.encrypted && a.from == Side::Server)
                .and_then(|s| super::stack::alert_meaning(s.library, a.description).map(|m| (s, m)));
            if let Some((stack, meaning)) = own {
                f = f.evidence(
                    None,
                    "what this server's stack means by it",
                    format!("{meaning} (server identified as {})", stack.label()),
                );
            } else if let Some(notes) = (!a.encrypted && a.from == Side::Server)
                .then(|| alerts::stack_notes(a.description))
                .flatten()
            {
                f = f.evidence(None, "what stacks mean by it", notes);
            }
            let fix = if severity == Severity::Info {
                "Nothing to fix: this alert is part of a normal close."
            } else {
                "The decisive finding explains the likely cause; the sender's log names the exact reason."
            };
            f.fix(fix)
        })
        .collect()
}

/// `client-auth-succeeded`: the server asked (RFC 8446 §4.3.2), the client
/// sent a certificate and a CertificateVerify proving its key (§4.4.3), and
/// the handshake completed with no rejection afterwards.
pub fn client_auth_succeeded(ctx: &Context<'_>) -> Finding {
    let leaf = ctx.client_chain.first();
    let subject = leaf.map(|c| c.subject.clone()).unwrap_or_default();
    let issuer = leaf.map(|c| c.issuer.clone()).unwrap_or_default();
    let mut f = Finding::new(
        "client-auth-succeeded",
        Severity::Info,
        format!("The client authenticated as \"{subject}\" (issued by \"{issuer}\") and the server accepted it."),
    );
    if let Some(cr) = ctx.request {
        f = f.evidence(
            Some(cr.frame),
            "certificate_request",
            format!("{} CA name(s)", cr.value.certificate_authorities().len()),
        );
    }
    if let Some(c) = ctx.client_cert {
        f = f.evidence(
            Some(c.frame),
            "client certificate",
            format!("{} certificate(s)", c.value.entries.len()),
        );
    }
    if let Some((frame, scheme, check)) = super::chain::check_certificate_verify(ctx, Side::Client)
    {
        let scheme = scheme
            .map(|s| names::signature_scheme_name(s).into_owned())
            .unwrap_or_else(|| "legacy".into());
        let verdict = if check.is_valid() {
            "signature verified with the certificate's key".to_string()
        } else {
            format!("signature check: {check}")
        };
        f = f.evidence(
            Some(frame),
            "certificate_verify",
            format!("{scheme}, {verdict}"),
        );
    }
    if let Some(frame) = server_went_on(ctx) {
        let next = ctx
            .facts
            .tls
            .ladder
            .iter()
            .find(|l| l.frame == frame && l.from == Side::Server)
            .map_or("a record", |l| l.kind.as_str());
        f = f.evidence(
            Some(frame),
            "server after the client's flight",
            format!("{next}: it went on"),
        );
        // TLS 1.0–1.2: the ChangeCipherSpec says the server accepted; its
        // Finished, which would confirm it, is not in the capture.
        let finished = ctx
            .facts
            .tls
            .ladder
            .iter()
            .any(|l| l.from == Side::Server && l.frame >= frame && l.kind == "finished");
        if !ctx.hs.is_tls13() && !finished {
            f = f
                .evidence(
                    None,
                    "server finished",
                    "not in the capture: the server's ChangeCipherSpec is the evidence",
                )
                .inferred();
        }
    }
    f.fix("Nothing to fix.")
}

// ---------------------------------------------------------------------------
// Verdict and order
// ---------------------------------------------------------------------------

/// Chain and signature problems a server that verifies client
/// certificates in the handshake refuses (RFC 5280 §6, RFC 8446 §4.4.3).
const REFUSED_IN_HANDSHAKE: &[&str] = &[
    "certificate-verify-invalid",
    "certificate-revoked",
    "chain-signature-invalid",
    "incomplete-chain",
    "unknown-issuer",
    "issuer-not-in-ca-list",
    "certificate-expired",
    "certificate-not-yet-valid",
    "missing-client-auth-eku",
    "key-usage-forbids-signature",
    "issuer-not-a-ca",
];

/// `verification-deferred`: the server went on after a certificate it
/// would have refused had it verified it in the handshake (an unknown
/// issuer, expiry, a wrong EKU): it asks for the certificate without
/// enforcing it (nginx `ssl_verify_client optional_no_ca`, haproxy `verify
/// optional` with `ca-ignore-err`, Node with `rejectUnauthorized: false`)
/// and leaves the decision to the application, whose answer is encrypted.
/// Without that answer the verdict is unknown, not `succeeded`.
pub fn verification_deferred(ctx: &Context<'_>, findings: &[Finding]) -> Option<Finding> {
    if ctx.facts.tls.app_first_line[Side::Server.index()].is_some() {
        return None;
    }
    let went_on = server_went_on(ctx)?;
    let problem = findings
        .iter()
        .find(|f| f.severity == Severity::Error && REFUSED_IN_HANDSHAKE.contains(&f.code))?;
    Some(
        Finding::new(
            "verification-deferred",
            Severity::Warning,
            format!(
                "The server went on after a client certificate it would have refused in the handshake ({}): it asks for certificates without enforcing them there, and leaves the decision to the application, whose answer is encrypted. Whether the application accepted the client is not visible.",
                problem.code
            ),
        )
        .evidence(Some(went_on), "server after the client's flight", "went on (no alert)")
        .evidence(problem.frames.first().copied(), "chain problem", problem.summary.clone())
        .inferred()
        .fix("Decrypt with the key log (--keylog) to read the application's answer (an HTTP 403 or 400 is a refusal). If the server is meant to enforce client certificates, make it verify in the handshake: haproxy `verify required` without ca-ignore-err, nginx `ssl_verify_client on`, Node `rejectUnauthorized: true`."),
    )
}

/// Alerts a server sends only about a client certificate it asked for.
fn client_cert_alert(code: u8) -> bool {
    matches!(code, 42..=46 | 48 | 49 | 51 | 116)
}

/// Decides `client_auth` from the evidence, in order: was a certificate
/// asked for, was one sent, did a rejection follow.
pub fn verdict(ctx: &Context<'_>, findings: &[Finding]) -> ClientAuth {
    // A resumed session carries the verdict of the connection that
    // established it, unless a certificate is asked for again later.
    if let Some(o) = ctx.resumed_from {
        if ctx.hs.later_certificate_requests().is_empty() && ctx.inferred_outcome().is_none() {
            return o.client_auth;
        }
    }
    if let Some(inf) = &ctx.inferred {
        return ClientAuth {
            requested: inf.requested,
            certificate_sent: inf.certificate_sent,
            outcome: inf.outcome,
            inferred: inf.outcome != Outcome::Unknown,
        };
    }
    let later = !ctx.hs.later_certificate_requests().is_empty();
    let requested = if ctx.request.is_some() || later {
        Some(true)
    } else if ctx.tls13_hidden || ctx.hs.resumption().is_some() {
        None
    } else if findings
        .iter()
        .any(|f| f.code == "client-auth-not-requested")
    {
        Some(false)
    } else {
        None
    };
    // A renegotiation the capture cannot read may have asked.
    let requested = match requested {
        Some(false)
            if findings
                .iter()
                .any(|f| f.code == "renegotiation-client-auth" && !f.observed) =>
        {
            None
        }
        // The server refused a certificate (a client-certificate alert from
        // the server) although the request itself was not seen (capture
        // cut short): it must have asked.
        None if server_alert_code(ctx).is_some_and(client_cert_alert) => Some(true),
        other => other,
    };
    let certificate_sent = ctx.client_cert.map(|c| !c.value.entries.is_empty());
    let rejected = server_rejected(ctx)
        || findings
            .iter()
            .any(|f| f.code == "rejected-after-handshake");
    let outcome = match (requested, certificate_sent) {
        (Some(false), _) => Outcome::NotRequested,
        (None, _) => Outcome::Unknown,
        (Some(true), Some(false)) => {
            if rejected {
                Outcome::Failed
            } else if server_went_on(ctx).is_some() {
                Outcome::NotProvided
            } else {
                Outcome::Unknown
            }
        }
        (Some(true), Some(true)) => {
            let cv = ctx.hs.certificate_verify(Some(Side::Client)).is_some();
            if rejected {
                Outcome::Failed
            } else if cv
                && server_went_on(ctx).is_some()
                && verification_deferred(ctx, findings).is_none()
            {
                Outcome::Succeeded
            } else {
                Outcome::Unknown
            }
        }
        (Some(true), None) => {
            if rejected && server_alert_code(ctx).is_some() {
                Outcome::Failed
            } else {
                Outcome::Unknown
            }
        }
    };
    // The handshake ended before the client's certificate: the client
    // refused the server (its certificate or its signature), or the
    // server refused the ClientHello.
    let outcome = if outcome == Outcome::Unknown
        && ctx.client_cert.is_none()
        && findings.iter().any(|f| NOT_REACHED.contains(&f.code))
    {
        Outcome::NotReached
    } else {
        outcome
    };
    ClientAuth {
        requested,
        certificate_sent,
        outcome,
        inferred: false,
    }
}

/// Findings that end a handshake before client authentication.
const NOT_REACHED: &[&str] = &[
    "ca-list-extension-empty",
    "server-certificate-rejected",
    "server-signature-invalid",
    "hello-rejected",
];

/// How the handshake itself ended.
pub fn handshake_outcome(ctx: &Context<'_>) -> HandshakeOutcome {
    let fatal = ctx.alerts().iter().any(|a| a.level == 2 && !a.encrypted);
    if ctx.handshake_completed() && !fatal {
        return HandshakeOutcome::Completed;
    }
    if fatal || closed_after_client_flight(ctx).is_some() {
        return HandshakeOutcome::Failed;
    }
    if ctx.facts.tls.alerts.iter().any(|a| a.encrypted) && !ctx.handshake_completed() {
        return HandshakeOutcome::Failed;
    }
    if ctx.handshake_completed() {
        HandshakeOutcome::Completed
    } else {
        HandshakeOutcome::Incomplete
    }
}

/// How strongly a finding explains a failed client authentication (lower
/// is more decisive).
fn cause_rank(code: &str) -> i32 {
    const ORDER: &[&str] = &[
        "certificate-verify-invalid",
        "client-certificate-empty",
        "certificate-revoked",
        "chain-signature-invalid",
        "incomplete-chain",
        "unknown-issuer",
        "issuer-not-in-ca-list",
        "untrusted-issuer",
        "certificate-expired",
        "certificate-not-yet-valid",
        "missing-client-auth-eku",
        "key-usage-forbids-signature",
        "issuer-not-a-ca",
        "signature-scheme-not-offered",
        "signature-algorithms-cert-unmet",
        "chain-broken",
        "chain-misordered",
        "unsupported-signature-algorithm",
        "ca-list-too-large",
        "ca-list-extension-empty",
        "server-certificate-rejected",
        "server-signature-invalid",
        "hello-rejected",
        "rejected-after-handshake",
        "alert-received",
        "capture-incomplete",
        "handshake-encrypted",
    ];
    match code {
        "client-auth-succeeded" => -2000,
        _ => ORDER
            .iter()
            .position(|c| *c == code)
            .map_or(50, |i| i as i32),
    }
}

/// Puts the decisive finding first, then the rest by severity.
pub fn order(ctx: &Context<'_>, auth: ClientAuth, findings: &mut Vec<Finding>) {
    let alert = server_alert_code(ctx);
    let suggested = alert.map(alerts::suggests).unwrap_or(&[]);
    let inferred = ctx.inferred.as_ref().and_then(|i| i.decisive_code());
    let decisive_rank = |f: &Finding| -> i32 {
        if inferred == Some(f.code) && !f.observed {
            return -1100;
        }
        if f.code == "resumed-session" && ctx.resumed_from.is_some() {
            return -1000;
        }
        let mut r = cause_rank(f.code);
        if suggested.contains(&f.code) {
            r -= 100;
        }
        match auth.outcome {
            Outcome::NotRequested if f.code == "client-auth-not-requested" => -1000,
            // The server's list made the client send nothing.
            Outcome::NotProvided | Outcome::Failed
                if f.code == "signature-algorithms-cert-unmet" =>
            {
                -1050
            }
            Outcome::NotProvided if f.code == "client-certificate-empty" => -1000,
            Outcome::NotReached if NOT_REACHED.contains(&f.code) => -1000,
            Outcome::Unknown if f.code == "handshake-encrypted" => -900,
            // Missing bytes hide the handshake whatever the keys.
            Outcome::Unknown if f.code == "capture-incomplete" => -950,
            Outcome::Unknown if f.code == "resumed-session" => -920,
            Outcome::Unknown if f.code == "verification-deferred" => -930,
            Outcome::Unknown if f.code == "renegotiation-client-auth" => -840,
            _ => r,
        }
    };
    // Stable: rule order breaks ties.
    let mut indexed: Vec<(usize, Finding)> = findings.drain(..).enumerate().collect();
    let best = indexed
        .iter()
        .filter(|(_, f)| {
            f.severity != Severity::Info
                || decisive_rank(f) < -500
                || auth.outcome == Outcome::Succeeded
        })
        .min_by_key(|(i, f)| (decisive_rank(f), *i))
        .map(|(i, _)| *i);
    indexed.sort_by_key(|(i, f)| (Some(*i) != best, f.severity, *i));
    findings.extend(indexed.into_iter().map(|(_, f)| f));
}

/// `not-decrypted`: key material was given (a key log, embedded secrets or
/// `--server-key`) but records of this connection stayed sealed. The
/// `reason` evidence says why, in this order: the capture misses the
/// hellos (the client random, or the suite, is unknown: `start-missing`);
/// the secrets found do not authenticate the records or a Finished
/// (`keys-wrong`); the suite is one tlstrace does not decrypt
/// (`unsupported-suite`); static RSA key exchange without a logged secret,
/// which the server's private key would open (`needs-server-key`); no
/// secret for this client random (`no-secret`).
fn not_decrypted(ctx: &Context<'_>) -> Vec<Finding> {
    let tls = &ctx.facts.tls;
    if tls.key_status == KeyStatus::NoKeyLog {
        return vec![];
    }
    let sealed = |side: Side| tls.encrypted_for(side).records;
    let (client_sealed, server_sealed) = (sealed(Side::Client), sealed(Side::Server));
    let first = [Side::Client, Side::Server]
        .iter()
        .filter_map(|s| tls.encrypted_for(*s).first_frame)
        .min();
    let finished_bad = tls.finished_checks.iter().any(|f| !f.2);
    if client_sealed + server_sealed == 0 && !finished_bad {
        return vec![];
    }
    let ch = ctx.hs.client_hello(Some(Side::Client));
    let sh = ctx.hs.server_hello();
    let suite_id = sh.map(|s| s.value.cipher_suite);
    let static_rsa = suite_id
        .is_some_and(|id| crate::tls::decrypt::cipher_suite(id).is_ok_and(|s| s.static_rsa));
    let keys_wrong = finished_bad || tls.issues.iter().any(|i| i.kind == IssueKind::KeysWrong);
    let (reason, text, fix) = if ch.is_none() || sh.is_none() {
        (
            "start-missing",
            "the capture starts after the hellos, so the client random (which the key log is indexed by) or the cipher suite is unknown",
            "Capture from before the connection opens (start tcpdump first), or find the connection's start in an earlier capture file.",
        )
    } else if keys_wrong {
        (
            "keys-wrong",
            "the key log's secrets for this client random do not authenticate its records (or its Finished)",
            "Use the key log written by the same client run as this capture.",
        )
    } else if tls.key_status == KeyStatus::UnsupportedSuite {
        (
            "unsupported-suite",
            "tlstrace does not decrypt this cipher suite",
            "Export, SEED, IDEA, RC2, SM4 and AEGIS suites are not decrypted; the handshake before the ChangeCipherSpec is still read.",
        )
    } else if static_rsa && tls.key_status != KeyStatus::Keys {
        (
            "needs-server-key",
            "the key exchange is static RSA and the key log has no secret for this client random; the server's RSA private key would decrypt the premaster secret",
            "Give the server's private key with --server-key server.key (PEM), or a key log with this connection's CLIENT_RANDOM or RSA line.",
        )
    } else {
        (
            "no-secret",
            "the key log has no secret for this connection's client random",
            "Use the key log of the client (or server) run that made this connection: SSLKEYLOGFILE for curl, browsers and most stacks, -keylogfile for openssl s_client.",
        )
    };
    let mut f = Finding::new(
        "not-decrypted",
        Severity::Info,
        format!(
            "Records of this connection stayed encrypted ({client_sealed} from the client, {server_sealed} from the server): {text}."
        ),
    )
    .evidence(first, "reason", reason);
    if let Some(c) = ch {
        f = f.evidence(
            Some(c.frame),
            "client_hello.random",
            crate::x509::hex(&c.value.random),
        );
    }
    if let (Some(s), Some(id)) = (sh, suite_id) {
        f = f.evidence(
            Some(s.frame),
            "server_hello.cipher_suite",
            names::cipher_suite_name(id),
        );
    }
    vec![f.fix(fix)]
}
