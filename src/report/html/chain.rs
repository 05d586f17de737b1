//! The client's chain as a tree: leaf → intermediates → the CA names the
//! server asked for (or, with `--ca`, the trust store's certificates the
//! path reached), with the certificate and the field at fault marked.
//!
//! The fault comes from the decisive finding's code (issuer, EKU, KU,
//! validity, signature, CA flag) and, with `--ca`, from the path checks of
//! each certificate.

use super::{clip, escape};
use crate::diagnose::{Diagnosis, Finding, Severity};
use crate::tls::stream::Side;
use crate::tls::summary::Handshake;
use crate::tls::ConnectionFacts;
use crate::x509::path::{PathProblem, PathReport, Source};
use crate::x509::verify::SigCheck;
use crate::x509::{dn_string, names_match, CertInfo};
use std::fmt::Write;

/// CA names listed at most.
const MAX_CA_NAMES: usize = 20;
/// Certificates drawn at most (a hostile chain may be long).
const MAX_CERTS: usize = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Issuer,
    Validity,
    Eku,
    Ku,
    Ca,
    Key,
    Signature,
    Whole,
}

impl Field {
    fn name(self) -> &'static str {
        match self {
            Field::Issuer => "issuer",
            Field::Validity => "validity",
            Field::Eku => "extended key usage",
            Field::Ku => "key usage",
            Field::Ca => "CA flag",
            Field::Key => "key",
            Field::Signature => "signature",
            Field::Whole => "certificate",
        }
    }
}

/// The field a client-chain finding is about.
fn field_of(code: &str) -> Option<Field> {
    Some(match code {
        "issuer-not-in-ca-list"
        | "untrusted-issuer"
        | "unknown-issuer"
        | "incomplete-chain"
        | "chain-broken"
        | "chain-misordered" => Field::Issuer,
        "missing-client-auth-eku" => Field::Eku,
        "key-usage-forbids-signature" => Field::Ku,
        "certificate-expired" | "certificate-not-yet-valid" => Field::Validity,
        "chain-signature-invalid"
        | "unsupported-signature-algorithm"
        | "signature-algorithms-cert-unmet" => Field::Signature,
        "issuer-not-a-ca" => Field::Ca,
        "certificate-verify-invalid" | "signature-scheme-not-offered" => Field::Key,
        "certificate-revoked" => Field::Whole,
        _ => return None,
    })
}

/// (certificate index, field, why) marked as at fault.
type Fault = (usize, Field, String);

/// The certificate the decisive finding names (quoted subject in its
/// summary or evidence), else the top of the chain for issuer problems and
/// the leaf for the rest.
fn decisive_fault(chain: &[std::sync::Arc<CertInfo>], f: &Finding) -> Option<Fault> {
    if f.severity == Severity::Info {
        return None;
    }
    let field = field_of(f.code)?;
    let text: String = std::iter::once(f.summary.as_str())
        .chain(f.evidence.iter().map(|e| e.value.as_str()))
        .collect::<Vec<_>>()
        .join("\n");
    let named = chain
        .iter()
        .enumerate()
        .filter_map(|(i, c)| text.find(&format!("\"{}\"", c.subject)).map(|at| (at, i)))
        .min()
        .map(|(_, i)| i);
    let index = match (named, field) {
        (Some(i), Field::Issuer) if f.code == "issuer-not-in-ca-list" => {
            // The summary quotes the issuer the chain leads to; the
            // certificate at fault is the one issued by it.
            chain
                .iter()
                .rposition(|c| text.contains(&format!("\"{}\"", c.issuer)))
                .unwrap_or(i)
        }
        (Some(i), _) => i,
        (None, Field::Issuer) => chain.len().checked_sub(1)?,
        (None, _) => 0,
    };
    Some((index, field, f.code.to_string()))
}

/// Faults the path checks found on certificates the client sent.
fn path_faults(path: &PathReport) -> Vec<Fault> {
    let mut out = Vec::new();
    for s in path.path.iter().filter(|s| s.source == Source::Sent) {
        let mut add = |field: Field, why: &str| out.push((s.index, field, why.to_string()));
        if !s.valid_at_time {
            add(Field::Validity, "not valid at the time checked");
        }
        if !s.eku_ok {
            add(Field::Eku, "EKU lacks clientAuth");
        }
        if !s.ku_ok {
            add(Field::Ku, "key usage does not fit its role");
        }
        if !s.is_ca_ok {
            add(Field::Ca, "not allowed to act as a CA");
        }
        if matches!(
            s.signature,
            Some(SigCheck::Invalid) | Some(SigCheck::Malformed(_)) | Some(SigCheck::Mismatch(_))
        ) {
            add(
                Field::Signature,
                "signature does not verify with its issuer's key",
            );
        }
    }
    out
}

fn is_fault(faults: &[Fault], i: usize, field: Field) -> bool {
    faults.iter().any(|(j, f, _)| *j == i && *f == field)
}

fn role(i: usize, n: usize, c: &CertInfo) -> &'static str {
    match i {
        0 => "client certificate (leaf)",
        _ if c.self_issued => "root, sent by the client",
        _ if i + 1 == n => "intermediate, top of the chain sent",
        _ => "intermediate",
    }
}

fn card(
    out: &mut String,
    c: &CertInfo,
    role: &str,
    index: Option<usize>,
    faults: &[Fault],
    extra_class: &str,
) {
    let mine: Vec<&Fault> = match index {
        Some(i) => faults.iter().filter(|(j, _, _)| *j == i).collect(),
        None => Vec::new(),
    };
    let mut class = String::from("node cert");
    if !mine.is_empty() {
        class.push_str(" fault");
    }
    class.push_str(extra_class);
    let bad = |field: Field| match index {
        Some(i) if is_fault(faults, i, field) => " class=\"fault\"",
        _ => "",
    };
    let list = |v: &Option<Vec<String>>| {
        v.as_ref()
            .map(|v| v.join(", "))
            .unwrap_or_else(|| "(absent: any)".to_string())
    };
    let number = index.map(|i| format!("{} · ", i + 1)).unwrap_or_default();
    let _ = write!(
        out,
        "<li class=\"{class}\"><div class=\"card\">\n<div class=\"role\">{number}{role}</div>\n<div class=\"subj\">{}</div>\n<dl>\n",
        escape(&c.subject)
    );
    let rows: [(&str, Field, String); 7] = [
        ("issuer", Field::Issuer, c.issuer.clone()),
        (
            "valid",
            Field::Validity,
            format!("{} → {}", c.not_before, c.not_after),
        ),
        ("EKU", Field::Eku, list(&c.eku)),
        ("key usage", Field::Ku, list(&c.key_usage)),
        (
            "CA",
            Field::Ca,
            match (c.ca, c.path_len) {
                (Some(true), Some(n)) => format!("yes, path length ≤ {n}"),
                (Some(true), None) => "yes".to_string(),
                _ => "no".to_string(),
            },
        ),
        ("key", Field::Key, c.key.clone()),
        ("signature", Field::Signature, c.signature_algorithm.clone()),
    ];
    for (name, field, value) in rows {
        let b = bad(field);
        let _ = writeln!(
            out,
            "<dt{b}>{name}</dt><dd{b}>{}</dd>",
            escape(&clip(&value, 400))
        );
    }
    if !c.san.is_empty() {
        let san = c.san.join(", ");
        let _ = writeln!(out, "<dt>SAN</dt><dd>{}</dd>", escape(&clip(&san, 300)));
    }
    let _ = writeln!(
        out,
        "<dt>SHA-256</dt><dd class=\"mono\">{}</dd>\n</dl>",
        escape(&clip(&c.sha256, 24))
    );
    for (_, field, why) in mine {
        let _ = writeln!(
            out,
            "<p class=\"fault-note\">✗ at fault: {} — {}</p>",
            field.name(),
            escape(why)
        );
    }
    out.push_str("</div></li>\n");
}

/// The client's chain section, empty when the client sent no chain and
/// none was asked for.
pub(super) fn tree(f: &ConnectionFacts, d: &Diagnosis) -> String {
    let chain = &d.client_chain;
    let hs = Handshake::new(&f.tls);
    let request = hs.certificate_request(Some(Side::Server));
    if chain.is_empty() {
        return if request.is_some() && d.client_auth.certificate_sent == Some(false) {
            "<section class=\"chain\"><h3>Client certificate chain</h3><p class=\"empty\">The client sent no certificate.</p></section>\n".to_string()
        } else {
            String::new()
        };
    }
    let mut faults: Vec<Fault> = Vec::new();
    if let Some(x) = d.findings.first().and_then(|x| decisive_fault(chain, x)) {
        faults.push(x);
    }
    if let Some(p) = &d.client_path {
        for x in path_faults(p) {
            if !is_fault(&faults, x.0, x.1) {
                faults.push(x);
            }
        }
    }
    let mut out = String::from(
        "<section class=\"chain\">\n<h3>Client certificate chain</h3>\n<ol class=\"tree\">\n",
    );
    for (i, c) in chain.iter().enumerate().take(MAX_CERTS) {
        card(&mut out, c, role(i, chain.len(), c), Some(i), &faults, "");
    }
    if chain.len() > MAX_CERTS {
        let _ = writeln!(
            out,
            "<li class=\"node\"><div class=\"card\">… {} more certificate(s) not drawn</div></li>",
            chain.len() - MAX_CERTS
        );
    }
    let top = chain.last();
    let missing = d.findings.first().is_some_and(|x| x.code == "incomplete-chain")
        || d.client_path.as_ref().is_some_and(|p| {
            p.problems.iter().any(|x| {
                matches!(x, PathProblem::MissingIntermediate { available_in, .. } if *available_in != Some(Source::Store))
            })
        });
    if let (true, Some(top)) = (missing, top) {
        let _ = writeln!(
            out,
            "<li class=\"node missing\"><div class=\"card\"><div class=\"role\">missing</div>\
             The certificate of <span class=\"subj\">{}</span>, which issued the top of the chain, was not sent.</div></li>",
            escape(&top.issuer)
        );
    }
    match &d.client_path {
        Some(p) => {
            for s in p.path.iter().filter(|s| s.source != Source::Sent) {
                let role = match s.source {
                    Source::Anchor => "trust anchor (--ca)",
                    Source::Store => "from the trust store (--ca)",
                    _ => "found elsewhere in the capture (the server does not have it)",
                };
                let extra = if s.source == Source::Extra {
                    " missing"
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    "<li class=\"node cert{extra}\"><div class=\"card\"><div class=\"role\">{role}</div>\
                     <div class=\"subj\">{}</div><dl><dt>issuer</dt><dd>{}</dd><dt>valid</dt><dd{}>{} → {}</dd><dt>key</dt><dd>{}</dd></dl></div></li>",
                    escape(&s.subject),
                    escape(&s.issuer),
                    if s.valid_at_time { "" } else { " class=\"fault\"" },
                    escape(&s.not_before),
                    escape(&s.not_after),
                    escape(&s.key)
                );
            }
            if !p.path.iter().any(|s| s.source == Source::Anchor) {
                out.push_str("<li class=\"node missing\"><div class=\"card\"><div class=\"role\">no trust anchor</div>The path reaches no certificate of the trust store given with <code>--ca</code>.</div></li>\n");
            }
        }
        None => {
            if let Some(r) = request {
                ca_names(&mut out, r.value.certificate_authorities(), chain);
            }
        }
    }
    out.push_str("</ol>\n</section>\n");
    out
}

/// The CA names of the CertificateRequest, those the chain reaches ticked.
fn ca_names(out: &mut String, names: &[Vec<u8>], chain: &[std::sync::Arc<CertInfo>]) {
    out.push_str("<li class=\"node cas\"><div class=\"card\">");
    if names.is_empty() {
        out.push_str("<div class=\"role\">CAs the server asked for</div>None listed: the server did not say which CAs it accepts.</div></li>\n");
        return;
    }
    out.push_str("<div class=\"role\">CAs the server asked for (CertificateRequest)</div><ul>\n");
    for n in names.iter().take(MAX_CA_NAMES) {
        let reached = chain
            .iter()
            .any(|c| names_match(n, &c.issuer_der) || names_match(n, &c.subject_der));
        let _ = writeln!(
            out,
            "<li{}>{}</li>",
            if reached { " class=\"match\"" } else { "" },
            escape(&clip(&dn_string(n), 300))
        );
    }
    if names.len() > MAX_CA_NAMES {
        let _ = writeln!(out, "<li>… and {} more</li>", names.len() - MAX_CA_NAMES);
    }
    out.push_str("</ul>");
    if !chain.iter().any(|c| {
        names
            .iter()
            .any(|n| names_match(n, &c.issuer_der) || names_match(n, &c.subject_der))
    }) {
        out.push_str("<p class=\"fault-note\">✗ The client's chain reaches none of these.</p>");
    }
    out.push_str("</div></li>\n");
}
