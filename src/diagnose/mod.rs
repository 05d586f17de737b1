//! Diagnosis: turning what the capture shows about a connection into a
//! verdict on client authentication and findings that explain it.
//!
//! Each rule in [`rules`] is a small named function that looks at the
//! [`Context`] and returns findings, documented with the RFC text or stack
//! behaviour it relies on. [`diagnose`] runs them all, decides the verdict
//! from the evidence in order (was a certificate asked for, was one sent,
//! did a rejection follow), and puts the decisive finding first.

pub mod alerts;
pub mod chain;
pub mod infer;
pub mod resumption;
pub mod rules;
pub mod stack;

use crate::tls::messages::{Certificate, CertificateRequest};
use crate::tls::stream::{AlertEntry, Side};
use crate::tls::summary::{Handshake, Located};
use crate::tls::ConnectionFacts;
use crate::x509::CertInfo;
use serde::Serialize;

/// The verdict on client authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The server asked, the client sent a certificate and CertificateVerify,
    /// and nothing afterwards shows a rejection.
    Succeeded,
    /// The server asked and the exchange ended in rejection.
    Failed,
    /// No CertificateRequest (nor one later).
    NotRequested,
    /// The server asked, the client sent none, and the server went on.
    NotProvided,
    /// The handshake ended before client authentication could happen: the
    /// client refused the server's certificate or key, or the server
    /// refused the ClientHello.
    NotReached,
    /// The capture does not show enough.
    Unknown,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
            Outcome::NotRequested => "not_requested",
            Outcome::NotProvided => "not_provided",
            Outcome::NotReached => "not_reached",
            Outcome::Unknown => "unknown",
        }
    }
}

/// `client_auth` in the JSON document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ClientAuth {
    /// `null` when the capture cannot tell (TLS 1.3 without keys).
    pub requested: Option<bool>,
    pub certificate_sent: Option<bool>,
    pub outcome: Outcome,
    /// The verdict was read from record sizes and order (TLS 1.3 without
    /// keys), not from the messages themselves. Absent when false.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub inferred: bool,
    /// The TLS handshake accepted the client's certificate, and the
    /// server's application refused the client in its decrypted answer (an
    /// HTTP 403 or 400): `outcome` is `failed`, decided above TLS, where
    /// only keys can see. Without keys the same connection shows the
    /// handshake's verdict (inferred). Absent when false.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub refused_above_tls: bool,
}

/// How the handshake itself went, apart from client authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HandshakeOutcome {
    /// Both Finished messages (or application data both ways) were seen.
    Completed,
    /// A fatal alert or an abrupt close ended it.
    Failed,
    /// The capture ends before the handshake does, or shows too little.
    Incomplete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

/// A fact a finding rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame: Option<u64>,
    pub field: String,
    pub value: String,
}

/// One finding: what is wrong (or notable), the evidence, and the fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable identifier, e.g. `issuer-not-in-ca-list`.
    pub code: &'static str,
    pub severity: Severity,
    pub summary: String,
    pub evidence: Vec<Evidence>,
    /// Seen directly in the capture (`true`) or inferred from it.
    pub observed: bool,
    pub fix: String,
    /// Every frame the evidence cites, ascending.
    pub frames: Vec<u64>,
}

impl Finding {
    pub fn new(code: &'static str, severity: Severity, summary: impl Into<String>) -> Finding {
        Finding {
            code,
            severity,
            summary: summary.into(),
            evidence: Vec::new(),
            observed: true,
            fix: String::new(),
            frames: Vec::new(),
        }
    }

    pub fn inferred(mut self) -> Finding {
        self.observed = false;
        self
    }

    pub fn evidence(
        mut self,
        frame: Option<u64>,
        field: &str,
        value: impl Into<String>,
    ) -> Finding {
        self.evidence.push(Evidence {
            frame,
            field: field.to_string(),
            value: value.into(),
        });
        if let Some(f) = frame {
            if let Err(i) = self.frames.binary_search(&f) {
                self.frames.insert(i, f);
            }
        }
        self
    }

    pub fn fix(mut self, fix: impl Into<String>) -> Finding {
        self.fix = fix.into();
        self
    }
}

/// What the rules look at, computed once per connection.
pub struct Context<'a> {
    pub facts: &'a ConnectionFacts,
    pub hs: Handshake<'a>,
    /// The first CertificateRequest from the server (in the first handshake
    /// or later).
    pub request: Option<Located<'a, CertificateRequest>>,
    pub client_cert: Option<Located<'a, Certificate>>,
    pub server_cert: Option<Located<'a, Certificate>>,
    pub client_chain: Vec<std::sync::Arc<CertInfo>>,
    pub server_chain: Vec<std::sync::Arc<CertInfo>>,
    /// Certificates the client sent that could not be parsed.
    pub client_chain_errors: Vec<String>,
    /// TLS 1.3 and the encrypted part was not decrypted.
    pub tls13_hidden: bool,
    /// When the client's Certificate was captured (Unix seconds), or the
    /// ServerHello's, for validity checks.
    pub check_time: Option<i64>,
    /// Client certificates other connections of the capture carried.
    pub seen_client_certs: &'a [chain::SeenClientCert],
    /// Checks made ahead ([`prepare`]), used instead of making them again.
    pub prepared: Option<&'a Prepared>,
    /// Without keys (TLS 1.3, or a TLS 1.2 renegotiation): what the
    /// record sizes say.
    pub inferred: Option<infer::Inference>,
    /// Whether the sessions of the capture's earlier connections are
    /// known (the whole capture is being explained).
    pub sessions_known: bool,
    /// `--verify-all-signatures`: signatures the peer accepted are checked
    /// too.
    pub all_signatures: bool,
    /// The earlier connection whose session this one resumed.
    pub resumed_from: Option<&'a resumption::SessionOrigin>,
    /// A TLS 1.3 resumption whose ticket the keys do not match: the
    /// earlier connections that could have issued it.
    pub resumed_guess: Option<infer::resumption::IssuerGuess>,
    /// Each side's TLS stack, as the handshake shows it.
    pub server_stack: Option<stack::Stack>,
    pub client_stack: Option<stack::Stack>,
    /// Each side's CertificateVerify, once checked (client, server).
    pub certificate_verify_checks: [CertificateVerifyCell; 2],
}

/// A CertificateVerify's check, computed on first use.
pub type CertificateVerifyCell = std::cell::OnceCell<Option<chain::CertificateVerifyCheck>>;

impl<'a> Context<'a> {
    pub fn new(facts: &'a ConnectionFacts) -> Context<'a> {
        let hs = Handshake::new(&facts.tls);
        let request = hs.certificate_request(Some(Side::Server));
        let client_cert = hs.client_certificate();
        let server_cert = hs.server_certificate();
        let mut client_chain = Vec::new();
        let mut client_chain_errors = Vec::new();
        if let Some(c) = &client_cert {
            for (i, e) in c.value.entries.iter().enumerate() {
                match CertInfo::from_der(&e.der) {
                    Ok(ci) => client_chain.push(ci),
                    Err(err) => client_chain_errors.push(format!("certificate {}: {err}", i + 1)),
                }
            }
        }
        let server_chain = server_cert
            .map(|c| {
                c.value
                    .entries
                    .iter()
                    .filter_map(|e| CertInfo::from_der(&e.der).ok())
                    .collect()
            })
            .unwrap_or_default();
        let decrypted = facts.tls.handshakes.iter().any(|h| h.decrypted);
        let tls13_hidden = hs.is_tls13() && !decrypted;
        let check_time = client_cert
            .map(|c| c.record.ts.secs)
            .or_else(|| server_cert.map(|c| c.record.ts.secs))
            .or_else(|| hs.server_hello().map(|s| s.record.ts.secs))
            .filter(|t| *t > 0);
        let mut ctx = Context {
            facts,
            hs,
            request,
            client_cert,
            server_cert,
            client_chain,
            server_chain,
            client_chain_errors,
            tls13_hidden,
            check_time,
            seen_client_certs: &[],
            prepared: None,
            inferred: None,
            sessions_known: false,
            all_signatures: false,
            resumed_from: None,
            resumed_guess: None,
            server_stack: None,
            client_stack: None,
            certificate_verify_checks: Default::default(),
        };
        ctx.inferred = infer::without_keys(&ctx);
        ctx.server_stack = stack::server_stack(&ctx);
        ctx.client_stack = stack::client_stack(&ctx);
        ctx
    }

    /// The outcome the record sizes decided, if they did.
    pub fn inferred_outcome(&self) -> Option<Outcome> {
        self.inferred
            .as_ref()
            .map(|i| i.outcome)
            .filter(|o| *o != Outcome::Unknown)
    }

    /// The verdict a TLS 1.3 resumption carries over from the earlier
    /// connections that could have issued its ticket, when the keys do
    /// not show which did: all of them agree on a verdict, the server did
    /// not refuse this connection, and nothing asked for a certificate
    /// afterwards (see [`infer::resumption`]). Always inferred.
    pub fn inferred_resumption(&self) -> Option<ClientAuth> {
        let Some(infer::resumption::IssuerGuess::Agreed { client_auth, .. }) = &self.resumed_guess
        else {
            return None;
        };
        if client_auth.outcome == Outcome::Unknown || self.resumption_refused() {
            return None;
        }
        if !self.hs.later_certificate_requests().is_empty() || self.inferred_outcome().is_some() {
            return None;
        }
        Some(ClientAuth {
            inferred: true,
            ..*client_auth
        })
    }

    /// A resumed connection the server refused after the client's
    /// Finished: an alert-sized record and nothing else, or a prompt close,
    /// without keys; a fatal alert with them.
    pub fn resumption_refused(&self) -> bool {
        self.inferred
            .as_ref()
            .is_some_and(|i| i.resumed_refusal.is_some())
            || self
                .alerts()
                .iter()
                .any(|a| a.from == Side::Server && a.level == 2 && !a.encrypted)
    }

    pub fn alerts(&self) -> &'a [AlertEntry] {
        &self.facts.tls.alerts
    }

    /// The first fatal (or encrypted, hence unknown) alert from `side`.
    pub fn first_fatal_alert(&self, side: Side) -> Option<&'a AlertEntry> {
        self.facts
            .tls
            .alerts
            .iter()
            .find(|a| a.from == side && (a.level == 2 || a.encrypted))
    }

    /// Whether both sides' Finished were seen (or, when they are
    /// encrypted, application data flowed both ways after them).
    pub fn handshake_completed(&self) -> bool {
        let ladder = &self.facts.tls.ladder;
        let finished = |s: Side| ladder.iter().any(|l| l.from == s && l.kind == "finished");
        if finished(Side::Client) && finished(Side::Server) {
            return true;
        }
        // TLS 1.3 without keys: server's flight then both sides sending
        // further encrypted records is the best sign there is.
        let app = |s: Side| {
            ladder
                .iter()
                .filter(|l| l.from == s && l.kind == "application_data")
                .count()
        };
        if self.tls13_hidden {
            return app(Side::Server) >= 2 && app(Side::Client) >= 2;
        }
        // TLS 1.0–1.2: application data both ways comes only after both
        // Finished, even when the capture lost them.
        !self.hs.is_tls13() && app(Side::Server) >= 1 && app(Side::Client) >= 1
    }

    /// Whether `side` sent a message of this kind (parsed or not: a
    /// message cut by the snaplen is still on the ladder).
    pub fn on_ladder(&self, side: Side, kind: &str) -> bool {
        self.facts
            .tls
            .ladder
            .iter()
            .any(|l| l.from == side && l.kind == kind)
    }

    /// The frame of the last handshake message the client sent in its
    /// certificate flight (Certificate, CertificateVerify, or Finished).
    pub fn client_flight_frame(&self) -> Option<u64> {
        self.facts
            .tls
            .ladder
            .iter()
            .rev()
            .find(|l| {
                l.from == Side::Client
                    && matches!(
                        l.kind.as_str(),
                        "certificate" | "certificate_verify" | "client_key_exchange" | "finished"
                    )
            })
            .map(|l| l.frame)
    }
}

/// The result for one connection.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnosis {
    pub client_auth: ClientAuth,
    pub handshake: HandshakeOutcome,
    /// Decisive finding first.
    pub findings: Vec<Finding>,
    pub client_chain: Vec<std::sync::Arc<CertInfo>>,
    pub server_chain: Vec<std::sync::Arc<CertInfo>>,
    /// The path checks against `--ca` / `--server-ca`, when given.
    pub client_path: Option<crate::x509::path::PathReport>,
    pub server_path: Option<crate::x509::path::PathReport>,
    /// Each side's TLS stack, as far as the handshake shows it.
    pub server_stack: Option<stack::Stack>,
    pub client_stack: Option<stack::Stack>,
    /// Who the client was as far as later connections can compare it
    /// (the subject, or without keys its Certificate record's length):
    /// for TLS 1.3 resumptions whose ticket the keys do not match. Not in
    /// the JSON document.
    #[serde(skip)]
    pub client_identity: infer::resumption::IdentityHint,
}

impl Diagnosis {
    /// Whether this connection counts as failed for the exit status.
    pub fn failed(&self) -> bool {
        self.client_auth.outcome == Outcome::Failed || self.handshake == HandshakeOutcome::Failed
    }
}

/// Diagnoses one TLS connection with the capture alone.
pub fn diagnose(facts: &ConnectionFacts) -> Diagnosis {
    diagnose_with(facts, &chain::TrustOptions::default())
}

/// Diagnoses one TLS connection, judging chains against the trust stores
/// given (`--ca`, `--server-ca`) at the capture's time or `--at`.
/// The costly checks of [`diagnose_with`] that depend on one connection
/// alone (chain and handshake signatures, trust paths), made ahead of its
/// diagnosis, possibly on another thread (`explain --jobs`).
#[derive(Debug, Clone)]
pub struct Prepared {
    handshake_signatures: Vec<Finding>,
    chain_signatures: Vec<Finding>,
    trust_paths: chain::TrustPaths,
    /// Each side's CertificateVerify check, which rules besides
    /// `handshake_signatures` read.
    certificate_verify: [Option<chain::CertificateVerifyCheck>; 2],
}

/// Makes the checks of [`Prepared`] for `facts` under `trust`.
pub fn prepare(facts: &ConnectionFacts, trust: &chain::TrustOptions<'_>) -> Prepared {
    let mut ctx = Context::new(facts);
    ctx.all_signatures = trust.all_signatures;
    if let Some(at) = trust.at {
        ctx.check_time = Some(at);
    }
    // Only where a rule reads it: a CertificateVerify the peer went on
    // past, or behind a chain the server refused, is not checked.
    let certificate_verify = [Side::Client, Side::Server].map(|side| {
        (!chain::certificate_verify_moot(&ctx, side))
            .then(|| chain::check_certificate_verify(&ctx, side))
            .flatten()
    });
    Prepared {
        handshake_signatures: chain::handshake_signatures(&ctx),
        chain_signatures: chain::chain_signatures(&ctx),
        trust_paths: chain::trust_paths(&ctx, trust),
        certificate_verify,
    }
}

pub fn diagnose_with(facts: &ConnectionFacts, trust: &chain::TrustOptions<'_>) -> Diagnosis {
    diagnose_prepared(facts, trust, None)
}

/// [`diagnose_with`], with the checks [`prepare`] made ahead for the same
/// `facts` and `trust` (the result is the same as without them).
pub fn diagnose_prepared(
    facts: &ConnectionFacts,
    trust: &chain::TrustOptions<'_>,
    prepared: Option<Prepared>,
) -> Diagnosis {
    let mut ctx = Context::new(facts);
    if let Some(p) = &prepared {
        for (cell, check) in ctx
            .certificate_verify_checks
            .iter()
            .zip(&p.certificate_verify)
        {
            let _ = cell.set(check.clone());
        }
    }
    ctx.prepared = prepared.as_ref();
    ctx.all_signatures = trust.all_signatures;
    if let Some(at) = trust.at {
        ctx.check_time = Some(at);
    }
    ctx.seen_client_certs = trust.seen_client_certs;
    if let Some(sessions) = trust.sessions {
        ctx.sessions_known = true;
        ctx.resumed_from = sessions.origin_of(&ctx.hs);
        if ctx.resumed_from.is_none() {
            ctx.resumed_guess = sessions.guess_issuer(facts, &ctx.hs);
        }
    }
    let mut findings: Vec<Finding> = Vec::new();
    for rule in rules::ALL {
        findings.extend((rule.check)(&ctx));
    }
    let (path_findings, client_path, server_path) = match &prepared {
        Some(p) => p.trust_paths.clone(),
        None => chain::trust_paths(&ctx, trust),
    };
    chain::merge_path_findings(&mut findings, path_findings);
    let client_auth = rules::verdict(&ctx, &findings);
    if client_auth.outcome == Outcome::Succeeded
        && ctx.inferred.is_none()
        && ctx.resumed_from.is_none()
        && ctx.inferred_resumption().is_none()
    {
        findings.push(rules::client_auth_succeeded(&ctx));
    }
    if client_auth.outcome == Outcome::Unknown {
        findings.extend(rules::verification_deferred(&ctx, &findings));
    }
    let handshake = rules::handshake_outcome(&ctx);
    rules::order(&ctx, client_auth, &mut findings);
    Diagnosis {
        client_auth,
        handshake,
        findings,
        client_chain: ctx.client_chain.clone(),
        server_chain: ctx.server_chain.clone(),
        client_path,
        server_path,
        server_stack: ctx.server_stack.clone(),
        client_stack: ctx.client_stack.clone(),
        client_identity: client_identity(&ctx),
    }
}

/// The client's identity as [`Diagnosis::client_identity`] keeps it: its
/// certificate's subject, else the session's it resumed, else (without
/// keys) its Certificate record's length or the one carried over.
fn client_identity(ctx: &Context<'_>) -> infer::resumption::IdentityHint {
    use infer::resumption::{IdentityHint, IssuerGuess};
    let carried = match &ctx.resumed_guess {
        Some(IssuerGuess::Agreed { identity, .. }) if ctx.inferred_resumption().is_some() => {
            Some(identity.clone())
        }
        _ => None,
    };
    let subject = ctx
        .client_chain
        .first()
        .map(|c| c.subject.clone())
        .or_else(|| ctx.resumed_from.and_then(|o| o.client_subject.clone()))
        .or_else(|| carried.as_ref().and_then(|c| c.subject.clone()));
    let certificate_bytes = ctx
        .inferred
        .as_ref()
        .and_then(|i| i.certificate_bytes)
        .or_else(|| carried.as_ref().and_then(|c| c.certificate_bytes));
    IdentityHint {
        subject,
        certificate_bytes,
    }
}
