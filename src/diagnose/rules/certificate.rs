//! Rules about the client certificate itself: its usages, validity, order
//! and signature schemes, and revocation.

use super::*;

/// `missing-client-auth-eku`: if Extended Key Usage is present the
/// certificate may be used only for the listed purposes (RFC 5280
/// §4.2.1.12); TLS client authentication needs clientAuth
/// (1.3.6.1.5.5.7.3.2) or anyExtendedKeyUsage. OpenSSL and rustls reject
/// with 43, Go with 42, Java with 46.
pub(super) fn missing_client_auth_eku(ctx: &Context<'_>) -> Vec<Finding> {
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
pub(super) fn key_usage_forbids_signature(ctx: &Context<'_>) -> Vec<Finding> {
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
pub(super) fn certificate_validity(ctx: &Context<'_>) -> Vec<Finding> {
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
pub(super) fn chain_order(ctx: &Context<'_>) -> Vec<Finding> {
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
pub(super) fn schemes_for_key(key: &str, tls13: bool) -> Vec<u16> {
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
pub(super) fn schemes_of_cert_signature(algorithm: &str) -> &'static [u16] {
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
pub(super) fn signature_algorithms_cert_unmet(ctx: &Context<'_>) -> Vec<Finding> {
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
    let unmet: Vec<&std::sync::Arc<CertInfo>> = ctx
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

pub(super) fn signature_scheme_not_offered(ctx: &Context<'_>) -> Vec<Finding> {
    let Some(cr) = ctx.request else {
        return vec![];
    };
    let offered = cr.value.signature_algorithms();
    if offered.is_empty() {
        return vec![];
    }
    // Named only for a finding: most connections have none.
    let offered_names = || {
        offered
            .iter()
            .map(|s| names::signature_scheme_name(*s))
            .collect::<Vec<_>>()
            .join(", ")
    };
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
                    .evidence(Some(cr.frame), "certificate_request.signature_algorithms", offered_names())
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
                .evidence(Some(cr.frame), "certificate_request.signature_algorithms", offered_names())
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
pub(super) fn certificate_revoked(ctx: &Context<'_>) -> Vec<Finding> {
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
