//! Cryptographic checks, as a server (or client) makes them: the
//! CertificateVerify and ServerKeyExchange signatures over the transcript,
//! each certificate's signature by its issuer, and, given a trust store
//! (`--ca`, `--server-ca`), the whole path to an anchor.

use super::{Context, Finding, Severity};
use crate::tls::decrypt::{self, HashAlg};
use crate::tls::messages::HandshakeMessage;
use crate::tls::names;
use crate::tls::stream::{is_tls13, transcript_before, HandshakeRecord, Side};
use crate::x509::path::{validate_path, PathProblem, PathReport, Purpose, Source, TrustStore};
use crate::x509::verify::{
    verify_cert_signature, verify_handshake_signature, SigCheck, SignedContent,
};
use crate::x509::{names_match, CertInfo};

/// What the user tells tlstrace about the peers' trust.
#[derive(Debug, Default, Clone, Copy)]
pub struct TrustOptions<'a> {
    /// The server's trust store for client certificates (`--ca`).
    pub client_ca: Option<&'a TrustStore>,
    /// The client's trust store for the server's certificate (`--server-ca`).
    pub server_ca: Option<&'a TrustStore>,
    /// Check validity at this time (Unix seconds) instead of the capture's.
    pub at: Option<i64>,
    /// Client certificates sent in other connections of the capture, to
    /// say why a client sent none here.
    pub seen_client_certs: &'a [SeenClientCert],
    /// Sessions earlier connections of the capture established, to say
    /// where a resumed one began.
    pub sessions: Option<&'a super::resumption::SessionRegistry>,
    /// Check every handshake signature, also those the peer accepted by
    /// going on ([`peer_accepted_certificate_verify`] then says `false`).
    pub all_signatures: bool,
}

/// A client certificate seen in another connection of the same capture.
#[derive(Debug, Clone)]
pub struct SeenClientCert {
    pub connection: u64,
    pub client_ip: std::net::IpAddr,
    pub leaf: std::sync::Arc<CertInfo>,
}

impl SeenClientCert {
    /// The client's leaf from a diagnosed connection, if it sent one.
    pub fn from_diagnosis(
        conn: u64,
        client_ip: std::net::IpAddr,
        d: &super::Diagnosis,
    ) -> Option<Self> {
        d.client_chain.first().map(|leaf| SeenClientCert {
            connection: conn,
            client_ip,
            leaf: leaf.clone(),
        })
    }
}

/// The DER of one side's chain, as sent.
fn chain_der(ctx: &Context<'_>, side: Side) -> Vec<Vec<u8>> {
    let c = match side {
        Side::Client => ctx.client_cert,
        Side::Server => ctx.server_cert,
    };
    c.map(|c| c.value.entries.iter().map(|e| e.der.clone()).collect())
        .unwrap_or_default()
}

fn index_of(ctx: &Context<'_>, record: &HandshakeRecord) -> Option<usize> {
    ctx.facts
        .tls
        .handshakes
        .iter()
        .position(|h| std::ptr::eq(h, record))
}

/// The transcript hash of TLS 1.3: the cipher suite's hash.
fn tls13_hash(ctx: &Context<'_>) -> HashAlg {
    ctx.hs
        .cipher_suite()
        .and_then(|s| decrypt::cipher_suite(s).ok())
        .map(|s| s.hash)
        .unwrap_or(HashAlg::Sha256)
}

/// A CertificateVerify's frame, signature scheme and check.
pub type CertificateVerifyCheck = (u64, Option<u16>, SigCheck);

/// Whether the peer of `side` went on past `side`'s CertificateVerify,
/// and so verified it: the recipient of a CertificateVerify must check it
/// and abort with decrypt_error if it fails (RFC 8446 §4.4.3, RFC 5246
/// §7.4.8), so a server that sent its ChangeCipherSpec, Finished, a ticket
/// or data after the client's (or a client that answered the server's)
/// accepted the signature. tlstrace then does not check it again: the RSA
/// arithmetic is most of the work per connection, and a check can only
/// matter where the peer refused.
pub fn peer_accepted_certificate_verify(ctx: &Context<'_>, side: Side) -> bool {
    if ctx.all_signatures {
        return false;
    }
    match side {
        Side::Server => client_answered_after(ctx, 15),
        Side::Client => {
            let ladder = &ctx.facts.tls.ladder;
            let Some(at) = ladder
                .iter()
                .position(|l| l.from == Side::Client && l.kind == "certificate_verify")
            else {
                return false;
            };
            ladder.get(at + 1..).is_some_and(|rest| {
                rest.iter().any(|l| {
                    l.from == Side::Server
                        && matches!(
                            l.kind.as_str(),
                            "change_cipher_spec"
                                | "finished"
                                | "new_session_ticket"
                                | "encrypted_handshake"
                                | "application_data"
                        )
                })
            })
        }
    }
}

/// Whether tlstrace need not check `side`'s CertificateVerify: the peer
/// went on past it ([`peer_accepted_certificate_verify`]), or the server
/// refused the client's chain before it could matter
/// ([`server_refused_chain_first`]).
pub fn certificate_verify_moot(ctx: &Context<'_>, side: Side) -> bool {
    peer_accepted_certificate_verify(ctx, side)
        || (side == Side::Client && server_refused_chain_first(ctx).is_some())
}

/// The alert with which the server refused the client's certificate chain
/// after the client's CertificateVerify, when it is one only a chain
/// earns: unsupported_certificate (43), certificate_revoked (44),
/// certificate_expired (45) or unknown_ca (48). Servers judge the
/// Certificate message when it arrives, before the CertificateVerify that
/// follows it (OpenSSL's `tls_process_client_certificate`, Go's
/// `processCertsFromClient`, JSSE's certificate consumers), and answer a
/// bad signature with decrypt_error (51), RFC 8446 §4.4.3: after one of
/// these the signature played no part, and checking it (RSA arithmetic,
/// most of the work of a refused connection) could only name a cause the
/// server never reached. bad_certificate (42) and certificate_unknown (46)
/// are left out: some stacks send them for anything. `None` with
/// `--verify-all-signatures`.
pub fn server_refused_chain_first(ctx: &Context<'_>) -> Option<u8> {
    if ctx.all_signatures {
        return None;
    }
    let cv = ctx.hs.certificate_verify(Some(Side::Client))?;
    ctx.alerts()
        .iter()
        .find(|a| a.from == Side::Server && a.frame >= cv.frame && (a.level == 2 || a.encrypted))
        .filter(|a| !a.encrypted && matches!(a.description, 43 | 44 | 45 | 48))
        .map(|a| a.description)
}

/// Checks a CertificateVerify from `side` against its certificate and the
/// transcript before it (RFC 8446 §4.4.3; RFC 5246 §7.4.8).
pub fn check_certificate_verify(ctx: &Context<'_>, side: Side) -> Option<CertificateVerifyCheck> {
    // Several rules read it; the signature is checked once.
    ctx.certificate_verify_checks[side.index()]
        .get_or_init(|| verify_certificate_verify(ctx, side))
        .clone()
}

fn verify_certificate_verify(
    ctx: &Context<'_>,
    side: Side,
) -> Option<(u64, Option<u16>, SigCheck)> {
    let cv = ctx.hs.certificate_verify(Some(side))?;
    let version = ctx.hs.version()?;
    let leaf = chain_der(ctx, side).into_iter().next()?;
    let idx = index_of(ctx, cv.record)?;
    let hash = tls13_hash(ctx);
    let check = if is_tls13(version) {
        // Hashed while decrypting, or now.
        let h = match ctx.facts.tls.transcript_hash_before(idx, hash) {
            Some(h) => h.to_vec(),
            None => decrypt::hash(hash, &transcript_before(&ctx.facts.tls, idx, Some(hash))?),
        };
        verify_handshake_signature(
            version,
            cv.value.scheme,
            &cv.value.signature,
            &leaf,
            SignedContent::Tls13CertificateVerify {
                side,
                transcript_hash: &h,
            },
        )
    } else {
        let transcript = transcript_before(&ctx.facts.tls, idx, Some(hash))?;
        verify_handshake_signature(
            version,
            cv.value.scheme,
            &cv.value.signature,
            &leaf,
            SignedContent::Tls12CertificateVerify {
                transcript: &transcript,
            },
        )
    };
    Some((cv.frame, cv.value.scheme, check))
}

/// The signed parameters and the signature of a TLS 1.0–1.2
/// ServerKeyExchange body (RFC 4492 §5.4, RFC 5246 §7.4.3).
fn split_server_key_exchange(body: &[u8], version: u16) -> Option<(&[u8], Option<u16>, &[u8])> {
    let u16_at = |i: usize| -> Option<usize> {
        Some(usize::from(*body.get(i)?) << 8 | usize::from(*body.get(i + 1)?))
    };
    let params_len = match body.first()? {
        // ECDHE named curve: type, curve, point<1..255>.
        3 => 4 + usize::from(*body.get(3)?),
        // DHE: p, g, Ys, each <1..2^16-1>.
        _ => {
            let p = u16_at(0)?;
            let g = u16_at(2 + p)?;
            let ys = u16_at(4 + p + g)?;
            6 + p + g + ys
        }
    };
    let params = body.get(..params_len)?;
    let mut rest = body.get(params_len..)?;
    let scheme = if version >= 0x0303 {
        let s = u16::from_be_bytes([*rest.first()?, *rest.get(1)?]);
        rest = rest.get(2..)?;
        Some(s)
    } else {
        None
    };
    let len = usize::from(*rest.first()?) << 8 | usize::from(*rest.get(1)?);
    let sig = rest.get(2..2 + len)?;
    Some((params, scheme, sig))
}

fn check_server_key_exchange(ctx: &Context<'_>) -> Option<(u64, Option<u16>, SigCheck)> {
    let version = ctx.hs.version()?;
    let (rec, frame) = ctx
        .facts
        .tls
        .handshakes
        .iter()
        .find_map(|h| match &h.message {
            Ok(HandshakeMessage::ServerKeyExchange { .. }) if h.from == Side::Server => {
                Some((h, h.frame))
            }
            _ => None,
        })?;
    let body = rec.raw.as_deref()?.get(4..)?;
    let (params, scheme, sig) = split_server_key_exchange(body, version)?;
    let ch = ctx.hs.client_hello(Some(Side::Client))?;
    let sh = ctx.hs.server_hello()?;
    let leaf = chain_der(ctx, Side::Server).into_iter().next()?;
    let check = verify_handshake_signature(
        version,
        scheme,
        sig,
        &leaf,
        SignedContent::Tls12ServerKeyExchange {
            client_random: &ch.value.random,
            server_random: &sh.value.random,
            params,
        },
    );
    Some((frame, scheme, check))
}

fn scheme_label(scheme: Option<u16>) -> String {
    scheme
        .map(|s| names::signature_scheme_name(s).into_owned())
        .unwrap_or_else(|| "legacy (no scheme field)".into())
}

/// `certificate-verify-invalid`: the client's CertificateVerify proves it
/// holds the private key of the certificate it sent (RFC 8446 §4.4.3, RFC
/// 5246 §7.4.8). A signature that does not verify with the certificate's key
/// means the client signed with another key; servers answer decrypt_error
/// (51). Also the server's TLS 1.3 CertificateVerify and TLS 1.2
/// ServerKeyExchange (`server-signature-invalid`).
pub fn handshake_signatures(ctx: &Context<'_>) -> Vec<Finding> {
    if let Some(p) = ctx.prepared {
        return p.handshake_signatures.clone();
    }
    let mut out = Vec::new();
    let wanted = !certificate_verify_moot(ctx, Side::Client);
    let client = wanted
        .then(|| check_certificate_verify(ctx, Side::Client))
        .flatten();
    // A CertificateVerify that cannot be checked because the handshake
    // transcript it signs was not kept (the memory limits on transcripts):
    // said, so that a missing `certificate-verify-invalid` is not read as
    // a good signature.
    if let (true, None, Some(cv)) = (
        wanted && ctx.facts.tls.transcript_truncated,
        &client,
        ctx.hs.certificate_verify(Some(Side::Client)),
    ) {
        out.push(
            Finding::new(
                "signature-not-checked",
                Severity::Info,
                "The client's CertificateVerify was not checked: the handshake transcript it signs was not kept, because of tlstrace's memory limits on transcripts.".to_string(),
            )
            .evidence(Some(cv.frame), "certificate_verify.scheme", scheme_label(cv.value.scheme))
            .evidence(None, "transcript", "not kept: 1 MiB per connection, 64 MiB across open connections")
            .fix("Nothing to fix in the connection; to check the signature, explain a capture holding fewer connections open at once."),
        );
    }
    if let Some((frame, scheme, check)) = client {
        let subject = ctx
            .client_chain
            .first()
            .map(|c| c.subject.clone())
            .unwrap_or_default();
        match check {
            SigCheck::Valid => {}
            SigCheck::Invalid | SigCheck::Mismatch(_) | SigCheck::Malformed(_) => out.push(
                Finding::new(
                    "certificate-verify-invalid",
                    Severity::Error,
                    format!("The client's CertificateVerify does not verify with the public key of the certificate it sent (\"{subject}\"): the client does not hold that certificate's private key."),
                )
                .evidence(Some(frame), "certificate_verify.scheme", scheme_label(scheme))
                .evidence(Some(frame), "signature check", check.to_string())
                .fix("Configure the client with the private key that belongs to its certificate (curl --cert/--key, openssl s_client -cert/-key; check with `openssl x509 -noout -pubkey` against `openssl pkey -pubout`)."),
            ),
            SigCheck::Unsupported(alg) => out.push(
                Finding::new(
                    "unsupported-signature-algorithm",
                    Severity::Info,
                    format!("tlstrace cannot check the client's CertificateVerify signature ({alg})."),
                )
                .evidence(Some(frame), "certificate_verify.scheme", scheme_label(scheme))
                .fix("Nothing to fix: the signature is not known to be bad."),
            ),
            SigCheck::KeyTooSmall(bits) => out.push(
                Finding::new("unsupported-signature-algorithm", Severity::Warning, format!("The client's key is {bits} bits: too small to check, and rejected by most servers."))
                    .evidence(Some(frame), "certificate_verify.scheme", scheme_label(scheme))
                    .fix("Use a key of at least 2048 bits (RSA) or an ECDSA key."),
            ),
        }
    }
    let server = if ctx.hs.is_tls13() {
        (!peer_accepted_certificate_verify(ctx, Side::Server))
            .then(|| check_certificate_verify(ctx, Side::Server))
            .flatten()
            .map(|c| (c, "CertificateVerify"))
    } else {
        (!client_answered_after(ctx, 12))
            .then(|| check_server_key_exchange(ctx))
            .flatten()
            .map(|c| (c, "ServerKeyExchange"))
    };
    if let Some(((frame, scheme, check), what)) = server {
        if check.is_bad() {
            out.push(
                Finding::new(
                    "server-signature-invalid",
                    Severity::Error,
                    format!("The server's {what} signature does not verify with its certificate's key: the server does not hold that certificate's private key (or the message was altered)."),
                )
                .evidence(Some(frame), "scheme", scheme_label(scheme))
                .evidence(Some(frame), "signature check", check.to_string())
                .fix("Configure the server with the private key that belongs to its certificate."),
            );
        }
    }
    out
}

/// Whether the client answered the server's first message of type
/// `msg_type` (its ServerKeyExchange, 12, or TLS 1.3 CertificateVerify,
/// 15) with handshake messages of its own (Certificate, CertificateVerify,
/// ClientKeyExchange, Finished). The client must verify the server's
/// signature before it goes on (RFC 5246 §7.4.3; RFC 8446 §4.4.3, "the
/// recipient MUST verify"): a client that answered has checked it, so
/// tlstrace checks it only when the client did not (and half of the RSA
/// work per connection is saved).
fn client_answered_after(ctx: &Context<'_>, msg_type: u8) -> bool {
    let hs = &ctx.facts.tls.handshakes;
    let Some(at) = hs
        .iter()
        .position(|h| h.from == Side::Server && h.msg_type == msg_type)
    else {
        return false;
    };
    hs.get(at + 1..).is_some_and(|rest| {
        rest.iter()
            .any(|h| h.from == Side::Client && matches!(h.msg_type, 11 | 15 | 16 | 20))
    })
}

/// `chain-signature-invalid`, `issuer-not-a-ca`,
/// `unsupported-signature-algorithm`: each certificate of a sent chain must
/// carry a valid signature by the next one's key, and every issuer must be
/// a CA (RFC 5280 §6.1.3 (a)(1), §6.1.4 (k)). An algorithm tlstrace cannot
/// check is reported as such, not as bad.
pub fn chain_signatures(ctx: &Context<'_>) -> Vec<Finding> {
    if let Some(p) = ctx.prepared {
        return p.chain_signatures.clone();
    }
    let mut out = Vec::new();
    for side in [Side::Client, Side::Server] {
        let der = chain_der(ctx, side);
        let info: Vec<Option<std::sync::Arc<CertInfo>>> =
            der.iter().map(|d| CertInfo::from_der(d).ok()).collect();
        let frame = match side {
            Side::Client => ctx.client_cert.map(|c| c.frame),
            Side::Server => ctx.server_cert.map(|c| c.frame),
        };
        for (i, cert) in info.iter().enumerate() {
            let Some(cert) = cert else { continue };
            // The issuer among the sent certificates: the next one first.
            let issues_it = |j: usize| {
                j != i
                    && info
                        .get(j)
                        .and_then(Option::as_ref)
                        .is_some_and(|c| names_match(&cert.issuer_der, &c.subject_der))
            };
            let issuer = if issues_it(i + 1) {
                Some(i + 1)
            } else {
                (0..info.len()).find(|&j| issues_it(j))
            };
            let Some(j) = issuer else { continue };
            let (Some(Some(issuer_info)), Some(issuer_der), Some(cert_der)) =
                (info.get(j), der.get(j), der.get(i))
            else {
                continue;
            };
            match verify_cert_signature(cert_der, issuer_der) {
                SigCheck::Valid => {}
                SigCheck::Unsupported(alg) => out.push(
                    Finding::new(
                        "unsupported-signature-algorithm",
                        Severity::Info,
                        format!("tlstrace cannot check the signature on the {}'s certificate \"{}\" ({alg}); it is not known to be bad.", side.as_str(), cert.subject),
                    )
                    .evidence(frame, "signature algorithm", cert.signature_algorithm.clone())
                    .fix("Nothing to fix here; `openssl verify` can check it."),
                ),
                bad => out.push(
                    Finding::new(
                        "chain-signature-invalid",
                        Severity::Error,
                        format!("The signature on the {}'s certificate \"{}\" does not verify with the key of its issuer \"{}\" in the same chain.", side.as_str(), cert.subject, issuer_info.subject),
                    )
                    .evidence(frame, "certificate", cert.subject.clone())
                    .evidence(frame, "issuer in chain", issuer_info.subject.clone())
                    .evidence(frame, "signature check", bad.to_string())
                    .fix("The chain holds a different certificate with the issuer's name (a reissued CA?): send the issuer certificate that really signed it."),
                ),
            }
            if !issuer_info.is_ca() && !issuer_info.self_issued {
                out.push(
                    Finding::new(
                        "issuer-not-a-ca",
                        Severity::Error,
                        format!("\"{}\" issued the {}'s certificate but is not a CA (no BasicConstraints CA:TRUE).", issuer_info.subject, side.as_str()),
                    )
                    .evidence(frame, "issuer basicConstraints", format!("{:?}", issuer_info.ca))
                    .fix("Issue certificates only from a CA certificate (basicConstraints = critical, CA:TRUE)."),
                );
            }
        }
    }
    out
}

fn problem_finding(
    p: &PathProblem,
    side: Side,
    frame: Option<u64>,
    store: &str,
) -> Option<Finding> {
    let who = side.as_str();
    Some(match p {
        PathProblem::UnknownIssuer { subject, issuer, .. } => Finding::new(
            "unknown-issuer",
            Severity::Error,
            format!("No certificate in {store} issued \"{subject}\": its issuer \"{issuer}\" is unknown, so the {who}'s chain leads to no trusted root."),
        )
        .evidence(frame, "unknown issuer", issuer.clone())
        .fix(format!("Add \"{issuer}\" (and its root) to the trust store, or use a {who} certificate from a CA it trusts.")),
        PathProblem::UntrustedRoot { subject } | PathProblem::PartialChain { subject } => Finding::new(
            "unknown-issuer",
            Severity::Error,
            format!("The {who}'s chain ends at \"{subject}\", which is not a root in {store}."),
        )
        .evidence(frame, "chain ends at", subject.clone())
        .fix("Add the chain's root to the trust store, or use a certificate from a trusted CA."),
        PathProblem::MissingIntermediate { subject, issuer, available_in, completes_path } => {
            let where_ = match available_in {
                Some(Source::Store) => format!("{store} holds it"),
                Some(Source::Extra) => "the capture holds it (the other side's chain)".to_string(),
                _ => "nothing tlstrace was given holds it".to_string(),
            };
            Finding::new(
                "incomplete-chain",
                Severity::Error,
                format!("The {who} did not send the intermediate \"{issuer}\" that issued \"{subject}\"; {where_}{}.", if *completes_path { ", and it would complete the path" } else { "" }),
            )
            .evidence(frame, "missing intermediate", issuer.clone())
            .fix(format!("Send \"{issuer}\" with the {who} certificate (a chain file), or install it in the peer's trust store."))
        }
        PathProblem::Expired { subject, not_after } => Finding::new(
            if side == Side::Client { "certificate-expired" } else { "server-certificate-expired" },
            Severity::Error,
            format!("\"{subject}\" on the {who}'s path expired on {not_after}."),
        )
        .evidence(frame, "notAfter", not_after.clone())
        .fix("Renew that certificate."),
        PathProblem::NotYetValid { subject, not_before } => Finding::new(
            if side == Side::Client { "certificate-not-yet-valid" } else { "server-certificate-expired" },
            Severity::Error,
            format!("\"{subject}\" on the {who}'s path is not valid until {not_before}."),
        )
        .evidence(frame, "notBefore", not_before.clone())
        .fix("Check the clocks; reissue the certificate with a correct start date."),
        PathProblem::SignatureInvalid { subject, detail } => Finding::new(
            "chain-signature-invalid",
            Severity::Error,
            format!("The signature on \"{subject}\" does not verify with its issuer's key on the path to {store}."),
        )
        .evidence(frame, "signature check", detail.clone())
        .fix("The trust store holds a different CA certificate with the same name: use the one that really signed the chain."),
        PathProblem::UnsupportedSignature { subject, alg } => Finding::new(
            "unsupported-signature-algorithm",
            Severity::Info,
            format!("tlstrace cannot check the signature on \"{subject}\" ({alg}); it is not known to be bad."),
        )
        .evidence(frame, "algorithm", alg.clone())
        .fix("Nothing to fix here; `openssl verify` can check it."),
        PathProblem::SignerKeyTooSmall { subject, bits } => Finding::new(
            "unsupported-signature-algorithm",
            Severity::Warning,
            format!("The key that signed \"{subject}\" is only {bits} bits."),
        )
        .evidence(frame, "signer key", format!("{bits} bits"))
        .fix("Reissue with a key of at least 2048 bits."),
        PathProblem::IssuerNotCa { subject } => Finding::new(
            "issuer-not-a-ca",
            Severity::Error,
            format!("\"{subject}\" issues certificates on the {who}'s path but is not a CA."),
        )
        .evidence(frame, "issuer", subject.clone())
        .fix("Issue certificates only from a CA certificate (basicConstraints = critical, CA:TRUE)."),
        PathProblem::PathLenExceeded { subject, path_len, below } => Finding::new(
            "issuer-not-a-ca",
            Severity::Error,
            format!("\"{subject}\" allows {path_len} intermediate(s) below it, but the {who}'s path has {below}."),
        )
        .evidence(frame, "pathLenConstraint", path_len.to_string())
        .fix("Shorten the chain, or reissue the CA with a larger pathLenConstraint."),
        PathProblem::EkuForbids { subject, purpose } => Finding::new(
            if side == Side::Client { "missing-client-auth-eku" } else { "server-certificate-missing-server-auth-eku" },
            Severity::Error,
            format!("\"{subject}\" on the {who}'s path has an Extended Key Usage that does not allow {purpose} (OpenSSL checks EKU on CA certificates too)."),
        )
        .evidence(frame, "certificate", subject.clone())
        .fix(format!("Reissue \"{subject}\" with an EKU that includes {purpose}, or without EKU.")),
        // A CA whose key may not sign certificates is not a CA (OpenSSL:
        // "invalid CA certificate").
        PathProblem::KuForbids { subject, needs } if needs.contains("keyCertSign") => Finding::new(
            "issuer-not-a-ca",
            Severity::Error,
            format!("\"{subject}\" issues certificates on the {who}'s path, but its Key Usage lacks keyCertSign."),
        )
        .evidence(frame, "certificate", subject.clone())
        .fix("Issue certificates only from a CA certificate (keyUsage keyCertSign, basicConstraints CA:TRUE)."),
        PathProblem::KuForbids { subject, needs } => Finding::new(
            "key-usage-forbids-signature",
            Severity::Error,
            format!("\"{subject}\" on the {who}'s path has a Key Usage without {needs}."),
        )
        .evidence(frame, "certificate", subject.clone())
        .fix(format!("Reissue it with keyUsage including {needs}.")),
        // Noted, not enforced: the server may refuse a name outside them.
        PathProblem::NameConstraintsPresent { subject } => Finding::new(
            "name-constraints-present",
            Severity::Info,
            format!("\"{subject}\" on the {who}'s path carries name constraints, which tlstrace does not check: a name outside them is refused by the peer."),
        )
        .evidence(frame, "certificate", subject.clone())
        .fix("If the peer refuses the chain, compare the certificate's names with the CA's permitted and excluded subtrees."),
        _ => return None,
    })
}

/// With a trust store: the whole path from the sent chain to an anchor, at
/// the capture's time (or `--at`), as the peer builds it (RFC 5280 §6).
/// What [`trust_paths`] finds: its findings and each side's path.
pub type TrustPaths = (Vec<Finding>, Option<PathReport>, Option<PathReport>);

pub fn trust_paths(ctx: &Context<'_>, opts: &TrustOptions<'_>) -> TrustPaths {
    let mut out: Vec<Finding> = Vec::new();
    let mut reports = [None, None];
    let now = opts.at.or(ctx.check_time).unwrap_or(0);
    for (side, store, purpose, label) in [
        (
            Side::Client,
            opts.client_ca,
            Purpose::ClientAuth,
            "the server's trust store (--ca)",
        ),
        (
            Side::Server,
            opts.server_ca,
            Purpose::ServerAuth,
            "the client's trust store (--server-ca)",
        ),
    ] {
        let Some(store) = store else { continue };
        let chain = chain_der(ctx, side);
        if chain.is_empty() {
            continue;
        }
        let extra = chain_der(ctx, side.peer());
        let report = validate_path(&chain, store, &extra, now, purpose);
        let frame = match side {
            Side::Client => ctx.client_cert.map(|c| c.frame),
            Side::Server => ctx.server_cert.map(|c| c.frame),
        };
        let sent_subjects: Vec<String> = chain
            .iter()
            .filter_map(|d| CertInfo::from_der(d).ok().map(|c| c.subject.clone()))
            .collect();
        for p in &report.problems {
            // The peer did send a certificate of that name, only not the one
            // that signed: `chain-signature-invalid` says so, not "missing".
            if let PathProblem::MissingIntermediate { issuer, .. } = p {
                if sent_subjects.contains(issuer) {
                    continue;
                }
            }
            if let Some(f) = problem_finding(p, side, frame, label) {
                out.push(f);
            }
        }
        if report.ok {
            let root = report
                .path
                .last()
                .map(|s| s.subject.clone())
                .unwrap_or_default();
            out.push(
                Finding::new(
                    "trusted-path",
                    Severity::Info,
                    format!(
                        "The {}'s chain leads to \"{root}\" in {label}, valid at {}.",
                        side.as_str(),
                        report.at
                    ),
                )
                .evidence(
                    frame,
                    "path",
                    report
                        .path
                        .iter()
                        .map(|s| s.subject.clone())
                        .collect::<Vec<_>>()
                        .join(" → "),
                )
                .fix("Nothing to fix in the chain."),
            );
        }
        reports[side.index()] = Some(report);
    }
    let [client, server] = reports;
    (out, client, server)
}

/// Adds the path findings to those of the capture: a problem the capture
/// rules already reported (same code, about the same certificate) gains the
/// path's evidence instead of being listed twice.
pub fn merge_path_findings(findings: &mut Vec<Finding>, path: Vec<Finding>) {
    for f in path {
        let about = |e: &Finding| {
            f.evidence
                .iter()
                .any(|ev| !ev.value.is_empty() && e.summary.contains(&ev.value))
        };
        match findings
            .iter_mut()
            .find(|e| e.code == f.code && (e.summary == f.summary || about(e)))
        {
            Some(existing) => {
                let note = format!("{} (trust store check)", f.summary);
                *existing = std::mem::replace(existing, Finding::new("", Severity::Info, ""))
                    .evidence(None, "trust store", note);
            }
            None => findings.push(f),
        }
    }
}

#[cfg(test)]
mod tests;
