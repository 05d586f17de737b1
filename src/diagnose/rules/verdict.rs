//! The verdict on client authentication, and the order of the findings
//! (the decisive one first).

use super::*;

/// Chain and signature problems a server that verifies client
/// certificates in the handshake refuses (RFC 5280 §6, RFC 8446 §4.4.3).
pub(super) const REFUSED_IN_HANDSHAKE: &[&str] = &[
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
    if ctx.facts.tls.app_first_line(Side::Server).is_some() {
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
pub(super) fn client_cert_alert(code: u8) -> bool {
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
    // Without keys, the verdict all the connections that could have
    // issued the ticket share.
    if let Some(auth) = ctx.inferred_resumption() {
        return auth;
    }
    if let Some(inf) = &ctx.inferred {
        return ClientAuth {
            requested: inf.requested,
            certificate_sent: inf.certificate_sent,
            outcome: inf.outcome,
            inferred: inf.outcome != Outcome::Unknown,
            refused_above_tls: false,
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
    // Refused in the application's answer and not by TLS (no alert from
    // the server): the handshake itself accepted the certificate.
    let refused_above_tls = outcome == Outcome::Failed
        && ctx.facts.tls.app_marker(Side::Server).is_some()
        && server_rejection_alert(ctx).is_none()
        && closed_after_client_flight(ctx).is_none();
    ClientAuth {
        requested,
        certificate_sent,
        outcome,
        inferred: false,
        refused_above_tls,
    }
}

/// Findings that end a handshake before client authentication.
pub(super) const NOT_REACHED: &[&str] = &[
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
pub(super) fn cause_rank(code: &str) -> i32 {
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
        if f.code == "resumed-session"
            && (ctx.resumed_from.is_some() || ctx.inferred_resumption().is_some())
        {
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
