//! Rules about the server's request and what the client answered with:
//! the CA list, the chain the client sent, and the causes an alert names.

use super::*;

/// `client-auth-not-requested`: client authentication happens only if the
/// server sends a CertificateRequest (RFC 5246 §7.4.4, RFC 8446 §4.3.2);
/// without one the client must not send a certificate.
pub(super) fn client_auth_not_requested(ctx: &Context<'_>) -> Vec<Finding> {
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
pub(super) fn client_certificate_empty(ctx: &Context<'_>) -> Vec<Finding> {
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
pub(super) fn known_issuer<'a>(ctx: &'a Context<'_>, issuer_der: &[u8]) -> Option<&'a CertInfo> {
    ctx.server_chain
        .iter()
        .find(|c| names_match(&c.subject_der, issuer_der))
        .map(|c| &**c)
}

/// Where the chain, walked from the leaf through the issuers it holds,
/// ends: the last certificate of the path, which is not always the last one
/// sent (a broken chain may carry an unrelated certificate).
pub(super) fn path_top(chain: &[std::sync::Arc<CertInfo>]) -> Option<&CertInfo> {
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
pub(super) fn incomplete_chain(ctx: &Context<'_>) -> Vec<Finding> {
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
pub(super) fn issuer_not_in_ca_list(ctx: &Context<'_>) -> Vec<Finding> {
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
pub(super) fn cause_from_alert(ctx: &Context<'_>) -> Vec<Finding> {
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
pub(super) fn untrusted_issuer(ctx: &Context<'_>) -> Vec<Finding> {
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
        42 | 46 => ctx.client_chain.iter().all(|c| in_date(c)),
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

pub(super) fn ca_list_empty(ctx: &Context<'_>) -> Vec<Finding> {
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
pub(super) fn ca_list_too_large(ctx: &Context<'_>) -> Vec<Finding> {
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
