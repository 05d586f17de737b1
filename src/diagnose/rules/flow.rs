//! Rules about how the exchange went: rejections after the handshake, later
//! requests, resumption, refused hellos, the server's certificate, alerts.

use super::*;

/// `rejected-after-handshake`: in TLS 1.3 the client finishes its side
/// before the server judges its certificate (RFC 8446 §4.4.2.4), so a
/// rejection reaches the client only on its first read: the handshake
/// "succeeded" and then the server alerted or closed. Servers that enforce
/// client certificates above TLS (nginx `ssl_verify_client`, haproxy
/// `verify optional` with a deny rule, Node with `rejectUnauthorized:
/// false`, Apache `SSLVerifyClient optional` with `Require`, IIS
/// 403.7/.16) complete the handshake and answer with an HTTP error instead;
/// the fix is the identified server's ([`crate::diagnose::stack::refused_above_tls_fix`]).
pub(super) fn rejected_after_handshake(ctx: &Context<'_>) -> Vec<Finding> {
    let Some(flight) = ctx.client_flight_frame() else {
        return vec![];
    };
    if let Some(marker) = ctx.facts.tls.app_marker(Side::Server) {
        let line = ctx
            .facts
            .tls
            .app_first_line(Side::Server)
            .unwrap_or_default()
            .to_string();
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
        .fix(crate::diagnose::stack::refused_above_tls_fix(ctx.server_stack.as_ref(), marker))];
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
pub(super) fn later_client_auth(ctx: &Context<'_>) -> Vec<Finding> {
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
pub(super) fn resumed_session(ctx: &Context<'_>) -> Vec<Finding> {
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
        None => match &ctx.resumed_guess {
            Some(guess) => resumed_without_keys(ctx, how, guess),
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
        },
    };
    vec![f]
}

/// `resumed-session` for a TLS 1.3 resumption whose ticket the keys do not
/// match to the connection that issued it (see
/// [`crate::diagnose::infer::resumption`]): the verdict the possible
/// issuers share, carried over and inferred, or why there is none.
fn resumed_without_keys(
    ctx: &Context<'_>,
    how: &str,
    guess: &crate::diagnose::infer::resumption::IssuerGuess,
) -> Finding {
    use crate::diagnose::infer::resumption::{IssuerGuess, Named};
    let ch = ctx.hs.client_hello(Some(Side::Client));
    let sh = ctx.hs.server_hello();
    let identities = ch.map_or(0, |c| c.value.psk_identity_ids.len());
    let chosen = sh.and_then(|s| s.value.selected_psk);
    let list = |named: &[Named], count: usize| {
        let mut parts: Vec<String> = named
            .iter()
            .map(|n| {
                format!(
                    "connection {} ({}; a possible ticket at frame {})",
                    n.connection,
                    n.outcome.as_str(),
                    n.ticket_frame
                )
            })
            .collect();
        if count > named.len() {
            parts.push(format!("and {} earlier", count - named.len()));
        }
        parts.join(", ")
    };
    let mut f = Finding::new("resumed-session", Severity::Info, String::new())
        .evidence(
            ch.map(|c| c.frame),
            "client_hello.pre_shared_key",
            format!(
                "{identities} ticket identit{} offered",
                if identities == 1 { "y" } else { "ies" }
            ),
        )
        .evidence(
            sh.map(|s| s.frame),
            "server_hello.pre_shared_key",
            format!(
                "identity {} accepted: the handshake is resumed, with no certificates (RFC 8446 §4.2.11)",
                chosen.map_or("?".to_string(), |c| c.to_string())
            ),
        );
    let refusal = ctx
        .inferred
        .as_ref()
        .and_then(|i| i.resumed_refusal.clone());
    if let Some(e) = &refusal {
        f = f.evidence(e.frame, &e.field, e.value.clone());
    }
    let sh_frame = sh.map_or("?".to_string(), |s| s.frame.to_string());
    if let (
        Some(auth),
        IssuerGuess::Agreed {
            named,
            count,
            identity,
            ..
        },
    ) = (ctx.inferred_resumption(), guess)
    {
        let issuer = match (named.as_slice(), count) {
            ([only], 1) => format!(
                "connection {}, the only earlier connection to this server that completed a handshake and could have sent tickets,",
                only.connection
            ),
            _ => format!(
                "one of the {count} earlier connections to this server that completed a handshake and could have sent tickets, which all agree,"
            ),
        };
        let who = identity.subject.as_ref().map(|s| format!("\"{s}\""));
        let what = match auth.outcome {
            Outcome::Succeeded => match (&who, identity.certificate_bytes) {
                (Some(who), _) => format!("{who} authenticated with its certificate"),
                (None, Some(b)) => format!(
                    "the client's certificate (a {}-byte Certificate record) was accepted",
                    crate::diagnose::infer::thousands(u64::from(b))
                ),
                (None, None) => "the client's certificate was accepted".to_string(),
            },
            Outcome::Failed => format!(
                "client authentication failed{}",
                who.map_or(String::new(), |w| format!(" for {w}"))
            ),
            Outcome::NotRequested => "no client certificate was asked for".to_string(),
            Outcome::NotProvided => {
                "the client sent no certificate and the server went on".to_string()
            }
            Outcome::NotReached | Outcome::Unknown => {
                "the verdict on the client could not be told".to_string()
            }
        };
        f.summary = format!(
            "The session was resumed ({how}; the server accepted the PSK, frame {sh_frame}) from a ticket that {issuer} could have issued; there {what}. No certificates are exchanged on resumption, so that verdict holds for this one. Which connection issued the ticket only the keys show (the NewSessionTicket is encrypted): this is inferred."
        );
        let first = named.first().map_or(0, |n| n.connection);
        return f
            .evidence(
                None,
                "could have issued the ticket (inferred)",
                list(named, *count),
            )
            .evidence(
                None,
                "verdict there",
                format!("{} ({what})", auth.outcome.as_str()),
            )
            .inferred()
            .fix(if auth.outcome == Outcome::Succeeded {
                format!("Nothing to fix. {}", crate::diagnose::infer::KEYLOG_FIX)
            } else {
                format!(
                    "See the diagnosis of connection {first}, where the session began. {}",
                    crate::diagnose::infer::KEYLOG_FIX
                )
            });
    }
    let why = match (guess, &refusal) {
        (_, Some(_)) => "the server refused this connection after the client's Finished, so the earlier verdict does not carry over".to_string(),
        (IssuerGuess::NoCandidate, _) => format!(
            "no earlier connection to this server that had finished when this one did completed a handshake and sent records that could be tickets before this ClientHello (frame {}): the connection that issued the ticket is not in the capture, or was still open",
            ch.map_or("?".to_string(), |c| c.frame.to_string())
        ),
        (IssuerGuess::Forgotten, _) => "too many earlier connections to this server to tell which could have issued it".to_string(),
        (IssuerGuess::Disagree { named, count }, _) => format!(
            "{count} earlier connections to this server could have issued it, and their verdicts (or clients) differ: {}",
            list(named, *count)
        ),
        (IssuerGuess::Agreed { named, count, .. }, _) => format!(
            "the earlier connection(s) that could have issued it have no verdict themselves: {}",
            list(named, *count)
        ),
    };
    f.summary = format!(
        "The session was resumed ({how}): no certificates were exchanged; the client was authenticated, or not, in the connection that issued the ticket, which without keys cannot be told: {why}."
    );
    if matches!(guess, IssuerGuess::Disagree { .. }) {
        f = f.inferred();
    }
    f.evidence(None, "connection that issued the ticket", why)
        .fix("Give the key log (--keylog) to match the ticket to the connection that issued it; to see the client certificate, capture the connection that first established the session, or disable resumption while debugging.")
}

/// A fatal alert answering the ClientHello (no ServerHello): the handshake
/// failed before client authentication could start — no common version
/// (70 protocol_version), cipher or group (40, 71), SNI not recognised
/// (112), no ALPN (120).
pub(super) fn hello_rejected(ctx: &Context<'_>) -> Vec<Finding> {
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
pub(super) fn dns_matches(pattern: &str, host: &str) -> bool {
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
pub(super) fn server_certificate(ctx: &Context<'_>) -> Vec<Finding> {
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
pub(super) fn server_certificate_rejected(ctx: &Context<'_>) -> Vec<Finding> {
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
pub(super) fn alert_point(ctx: &Context<'_>, a: &AlertEntry) -> String {
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
pub(super) fn alert_received(ctx: &Context<'_>) -> Vec<Finding> {
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
                .and_then(|s| crate::diagnose::stack::alert_meaning(s.library, a.description).map(|m| (s, m)));
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
    if let Some(cv) = ctx.hs.certificate_verify(Some(Side::Client)) {
        use crate::diagnose::chain;
        let scheme = cv
            .value
            .scheme
            .map(|s| names::signature_scheme_name(s).into_owned())
            .unwrap_or_else(|| "legacy".into());
        let verdict = if chain::peer_accepted_certificate_verify(ctx, Side::Client) {
            Some("accepted by the server, which went on past it (not checked again)".to_string())
        } else {
            chain::check_certificate_verify(ctx, Side::Client).map(|(_, _, check)| {
                if check.is_valid() {
                    "signature verified with the certificate's key".to_string()
                } else {
                    format!("signature check: {check}")
                }
            })
        };
        if let Some(verdict) = verdict {
            f = f.evidence(
                Some(cv.frame),
                "certificate_verify",
                format!("{scheme}, {verdict}"),
            );
        }
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
