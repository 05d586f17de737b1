//! `tlstrace show`: the handshake of each TLS connection as a ladder.

use crate::tls::messages::{CertificateRequest, HandshakeMessage};
use crate::tls::names;
use crate::tls::stream::{AlertEntry, LadderEntry, Side, StreamIssue};
use crate::tls::summary::{Handshake, Resumption};
use crate::tls::ConnectionFacts;
use crate::x509::{dn_string, CertInfo};
use comfy_table::{Cell, CellAlignment};
use serde::Serialize;

/// An alert in the stable JSON shape shared with `explain`.
#[derive(Debug, Clone, Serialize)]
pub struct AlertJson {
    pub from: Side,
    /// `warning`, `fatal`, or `unknown` when encrypted.
    pub level: String,
    /// The alert description number; `null` when encrypted.
    pub code: Option<u8>,
    pub name: String,
    pub frame: u64,
    pub encrypted: bool,
}

impl AlertJson {
    pub fn from_entry(a: &AlertEntry) -> AlertJson {
        if a.encrypted {
            AlertJson {
                from: a.from,
                level: "unknown".into(),
                code: None,
                name: "encrypted_alert".into(),
                frame: a.frame,
                encrypted: true,
            }
        } else {
            AlertJson {
                from: a.from,
                level: names::alert_level_name(a.level).into_owned(),
                code: Some(a.description),
                name: names::alert_description_name(a.description).into_owned(),
                frame: a.frame,
                encrypted: false,
            }
        }
    }
}

/// A certificate request as people read it.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateRequestJson {
    pub frame: u64,
    pub ca_names: Vec<String>,
    pub signature_algorithms: Vec<String>,
}

/// One TLS connection for `show --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct ShowConnection {
    #[serde(flatten)]
    pub headline: super::Headline,
    pub resumed: Option<Resumption>,
    pub ja3: Option<String>,
    pub ja3_full: Option<String>,
    pub ja4: Option<String>,
    pub messages: Vec<LadderEntry>,
    pub alerts: Vec<AlertJson>,
    pub certificate_request: Option<CertificateRequestJson>,
    pub server_chain: Vec<std::sync::Arc<CertInfo>>,
    pub client_chain: Vec<std::sync::Arc<CertInfo>>,
    pub issues: Vec<StreamIssue>,
    pub key_status: crate::tls::stream::KeyStatus,
    /// Records that stayed encrypted, per side: count, bytes, first and
    /// last frame.
    pub encrypted_records: EncryptedJson,
    /// Finished messages checked with the key log: `{from, frame, ok}`.
    pub finished_checks: Vec<FinishedCheck>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EncryptedJson {
    pub client: crate::tls::stream::EncryptedStats,
    pub server: crate::tls::stream::EncryptedStats,
}

#[derive(Debug, Clone, Serialize)]
pub struct FinishedCheck {
    pub from: Side,
    pub frame: u64,
    pub ok: bool,
}

fn chain(
    c: Option<crate::tls::summary::Located<'_, crate::tls::messages::Certificate>>,
) -> Vec<std::sync::Arc<CertInfo>> {
    c.map(|c| {
        c.value
            .entries
            .iter()
            .filter_map(|e| CertInfo::from_der(&e.der).ok())
            .collect()
    })
    .unwrap_or_default()
}

fn request_json(frame: u64, cr: &CertificateRequest) -> CertificateRequestJson {
    CertificateRequestJson {
        frame,
        ca_names: cr
            .certificate_authorities()
            .iter()
            .map(|d| dn_string(d))
            .collect(),
        signature_algorithms: cr
            .signature_algorithms()
            .iter()
            .map(|s| names::signature_scheme_name(*s).into_owned())
            .collect(),
    }
}

impl ShowConnection {
    pub fn new(f: &ConnectionFacts) -> ShowConnection {
        let h = Handshake::new(&f.tls);
        let ja3 = h.ja3();
        ShowConnection {
            headline: super::Headline::new(f),
            resumed: h.resumption(),
            ja3_full: ja3.as_ref().map(|j| j.0.clone()),
            ja3: ja3.map(|j| j.1),
            ja4: h.ja4(),
            messages: f.tls.ladder.clone(),
            alerts: f.tls.alerts.iter().map(AlertJson::from_entry).collect(),
            certificate_request: h
                .certificate_request(Some(Side::Server))
                .map(|c| request_json(c.frame, c.value)),
            server_chain: chain(h.server_certificate()),
            client_chain: chain(h.client_certificate()),
            issues: f.tls.issues.clone(),
            key_status: f.tls.key_status,
            encrypted_records: EncryptedJson {
                client: *f.tls.encrypted_for(Side::Client),
                server: *f.tls.encrypted_for(Side::Server),
            },
            finished_checks: f
                .tls
                .finished_checks
                .iter()
                .map(|(from, frame, ok)| FinishedCheck {
                    from: *from,
                    frame: *frame,
                    ok: *ok,
                })
                .collect(),
        }
    }
}

/// The key fields of one ladder step, in words.
fn details(f: &ConnectionFacts, l: &LadderEntry) -> String {
    if let Some(a) = &l.alert {
        return if a.encrypted {
            "encrypted (level and description hidden)".to_string()
        } else {
            format!(
                "{} {} ({})",
                names::alert_level_name(a.level),
                names::alert_description_name(a.description),
                a.description
            )
        };
    }
    if l.encrypted {
        return format!("{} bytes, encrypted", l.length);
    }
    let Some(idx) = l.handshake else {
        return String::new();
    };
    let Some(rec) = f.tls.handshakes.get(idx) else {
        return String::new();
    };
    let msg = match &rec.message {
        Ok(m) => m,
        Err(e) => return format!("unreadable: {e}"),
    };
    match msg {
        HandshakeMessage::ClientHello(ch) => {
            let mut parts = Vec::new();
            if let Some(sni) = &ch.server_name {
                parts.push(format!("SNI {sni}"));
            }
            let versions: Vec<String> = if ch.supported_versions.is_empty() {
                vec![names::version_name(ch.legacy_version).into_owned()]
            } else {
                ch.supported_versions
                    .iter()
                    .filter(|v| !names::is_grease(**v))
                    .map(|v| names::version_name(*v).into_owned())
                    .collect()
            };
            parts.push(format!("offers {}", versions.join(", ")));
            parts.push(format!("{} cipher suites", ch.cipher_suites.len()));
            if !ch.alpn.is_empty() {
                parts.push(format!("ALPN {}", ch.alpn.join(",")));
            }
            if ch.post_handshake_auth {
                parts.push("post-handshake auth".into());
            }
            if ch.has_pre_shared_key {
                parts.push("PSK offered".into());
            }
            parts.join("; ")
        }
        HandshakeMessage::ServerHello(sh) => {
            if sh.is_hello_retry_request {
                format!(
                    "retry with group {}",
                    sh.key_share_group
                        .map(|g| names::named_group_name(g).into_owned())
                        .unwrap_or_else(|| "?".into())
                )
            } else {
                let mut s = format!(
                    "{}, {}",
                    names::version_name(sh.negotiated_version()),
                    names::cipher_suite_name(sh.cipher_suite)
                );
                if sh.selected_psk.is_some() {
                    s.push_str("; PSK accepted (resumed)");
                }
                s
            }
        }
        HandshakeMessage::Certificate(c) => {
            if c.entries.is_empty() {
                "empty: no certificate".to_string()
            } else {
                let subjects: Vec<String> = c
                    .entries
                    .iter()
                    .map(|e| match CertInfo::from_der(&e.der) {
                        Ok(ci) => ci.subject.clone(),
                        Err(_) => "(unparsable)".to_string(),
                    })
                    .collect();
                format!("{} cert(s): {}", c.entries.len(), subjects.join(" | "))
            }
        }
        HandshakeMessage::CertificateRequest(cr) => {
            let cas = cr.certificate_authorities();
            let ca_text = if cas.is_empty() {
                "no CA names".to_string()
            } else {
                let names: Vec<String> = cas.iter().map(|d| dn_string(d)).collect();
                format!("CA names: {}", names.join(" | "))
            };
            format!(
                "{ca_text}; {} signature schemes",
                cr.signature_algorithms().len()
            )
        }
        HandshakeMessage::CertificateVerify(cv) => match cv.scheme {
            Some(s) => names::signature_scheme_name(s).into_owned(),
            None => "legacy signature".to_string(),
        },
        HandshakeMessage::Finished { verify_data } => {
            let check = f
                .tls
                .finished_checks
                .iter()
                .find(|(side, frame, _)| *side == rec.from && *frame == rec.frame);
            match check {
                Some((_, _, true)) => format!("{} bytes verify_data, verified", verify_data.len()),
                Some((_, _, false)) => format!(
                    "{} bytes verify_data, DOES NOT MATCH the key schedule",
                    verify_data.len()
                ),
                None => format!("{} bytes verify_data", verify_data.len()),
            }
        }
        _ => String::new(),
    }
}

fn ladder_table(f: &ConnectionFacts) -> String {
    let mut t = super::table(0);
    t.set_header(vec!["frame", "time", "", "message", "details"]);
    let start = f.tcp.detail.first_ts;
    for l in &f.tls.ladder {
        let dt = (l.ts.secs - start.secs) as f64
            + (f64::from(l.ts.nanos) - f64::from(start.nanos)) / 1e9;
        let arrow = match l.from {
            Side::Client => "→",
            Side::Server => "←",
        };
        t.add_row(vec![
            Cell::new(l.frame).set_alignment(CellAlignment::Right),
            Cell::new(format!("{dt:.6}")).set_alignment(CellAlignment::Right),
            Cell::new(arrow),
            Cell::new(&l.kind),
            Cell::new(details(f, l)),
        ]);
    }
    t.to_string()
}

/// The text form: a heading and a ladder per connection.
pub fn text(conns: &[ConnectionFacts]) -> String {
    let mut out = String::new();
    for f in conns {
        let s = ShowConnection::new(f);
        let mut title = s.headline.title(true);
        if let Some(r) = s.resumed {
            title.push_str(&format!("  resumed ({r:?})"));
        }
        if title.chars().count() > super::TEXT_WIDTH {
            // The cipher suite (and resumption) on a line of their own.
            title = s.headline.title(false);
            let mut rest: Vec<String> = s.headline.cipher_suite.iter().cloned().collect();
            if let Some(r) = s.resumed {
                rest.push(format!("resumed ({r:?})"));
            }
            if !rest.is_empty() {
                title.push_str(&format!("\n  {}", rest.join("  ")));
            }
        }
        out.push_str(&title);
        out.push('\n');
        out.push_str(&ladder_table(f));
        out.push('\n');
        for i in &s.issues {
            let first = format!("  note (frame {}): ", i.frame);
            out.push_str(&super::fill(&first, first.len(), &i.detail, "    "));
        }
        out.push('\n');
    }
    if conns.is_empty() {
        out.push_str("No TLS connections found.\n");
    }
    out
}

pub fn json(conns: &[ConnectionFacts]) -> String {
    let v: Vec<ShowConnection> = conns.iter().map(ShowConnection::new).collect();
    serde_json::to_string_pretty(&v).unwrap_or_else(|_| "[]".to_string())
}
