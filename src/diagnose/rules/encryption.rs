//! Rules about what the capture hides or lacks: keys, encryption, gaps.

use super::*;

/// `keys-wrong`: with the right traffic secrets every record
/// authenticates (AEAD tag or MAC, RFC 8446 §5.2, RFC 5246 §6.2.3); a
/// failure means the key log's secrets for this client random are not this
/// connection's (a different run, or a corrupted log).
pub(super) fn keys_wrong(ctx: &Context<'_>) -> Vec<Finding> {
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
pub(super) fn handshake_encrypted(ctx: &Context<'_>) -> Vec<Finding> {
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
/// [`crate::diagnose::infer`]): the client's second flight shows whether a
/// certificate was asked for and sent, the server's next record whether it
/// was accepted.
pub(super) fn record_sizes(ctx: &Context<'_>) -> Vec<Finding> {
    ctx.inferred
        .as_ref()
        .map(|i| i.findings.clone())
        .unwrap_or_default()
}

/// `capture-incomplete`: bytes missing from the capture (TCP gaps, snaplen
/// truncation, a capture that starts late or ends early) hide part of the
/// handshake; conclusions about it are then limited.
pub(super) fn capture_incomplete(ctx: &Context<'_>) -> Vec<Finding> {
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
    // Data tlstrace itself gave up (its buffer budget across connections,
    // with many connections open at once) is not missing from the capture:
    // said so, with a fix that fits.
    let given_up = !issues.is_empty()
        && issues.iter().all(|i| i.detail.contains("budget"))
        && !no_hello
        && !no_end
        && !no_answer;
    let mut f = if given_up {
        Finding::new(
            "capture-incomplete",
            Severity::Warning,
            "tlstrace gave up part of this connection's handshake: its memory limits across connections were reached with many connections open at once, so some of the handshake cannot be seen.",
        )
    } else {
        Finding::new(
            "capture-incomplete",
            Severity::Warning,
            "Part of this connection is missing from the capture, so some of the handshake cannot be seen.",
        )
    };
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
    if given_up {
        return vec![f.fix("Explain this connection from a smaller capture: split it by time or by connection (editcap -A/-B, or tshark -Y tcp.stream==N -w), so that fewer connections are open at once.")];
    }
    vec![f.fix("Capture from before the connection starts until after it ends, with a full snaplen (tcpdump -s 0), on the host itself rather than a lossy span port.")]
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
pub(super) fn not_decrypted(ctx: &Context<'_>) -> Vec<Finding> {
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
