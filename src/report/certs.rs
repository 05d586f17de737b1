//! `tlstrace certs`: every certificate seen, and PEM files of them.

use crate::tls::stream::Side;
use crate::tls::summary::Handshake;
use crate::tls::ConnectionFacts;
use crate::x509::CertInfo;
use base64::Engine;
use serde::Serialize;

/// One certificate as it appeared in a connection.
#[derive(Debug, Clone, Serialize)]
pub struct SeenCert {
    pub connection: u64,
    pub side: Side,
    /// 0 for the leaf.
    pub position: usize,
    pub frame: u64,
    #[serde(flatten)]
    pub info: std::sync::Arc<CertInfo>,
    #[serde(skip)]
    pub der: Vec<u8>,
}

impl SeenCert {
    /// `conn3-client-0.pem`: connection, side, position.
    pub fn file_name(&self) -> String {
        format!(
            "conn{}-{}-{}.pem",
            self.connection,
            self.side.as_str(),
            self.position
        )
    }

    pub fn pem(&self) -> String {
        let b64 = base64::engine::general_purpose::STANDARD.encode(&self.der);
        let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
        for line in b64.as_bytes().chunks(64) {
            out.push_str(&String::from_utf8_lossy(line));
            out.push('\n');
        }
        out.push_str("-----END CERTIFICATE-----\n");
        out
    }
}

/// The certificates of every Certificate message (both sides, every
/// handshake) in the connections, in order.
pub fn collect(conns: &[ConnectionFacts]) -> Vec<SeenCert> {
    let mut out = Vec::new();
    for f in conns {
        let h = Handshake::new(&f.tls);
        for side in [Side::Server, Side::Client] {
            let Some(c) = h.certificate(Some(side)) else {
                continue;
            };
            for (position, e) in c.value.entries.iter().enumerate() {
                if let Ok(info) = CertInfo::from_der(&e.der) {
                    out.push(SeenCert {
                        connection: f.info.id,
                        side,
                        position,
                        frame: c.frame,
                        info,
                        der: e.der.clone(),
                    });
                }
            }
        }
    }
    out
}

pub fn table(certs: &[SeenCert]) -> String {
    if certs.is_empty() {
        return "No certificates seen (TLS 1.3 certificates need the key log: --keylog).".into();
    }
    let mut t = super::table(0);
    t.set_header(vec![
        "conn", "side", "#", "subject", "issuer", "serial", "valid", "EKU", "KU", "SAN", "key",
        "SHA-256",
    ]);
    for c in certs {
        let i = &c.info;
        t.add_row(vec![
            c.connection.to_string(),
            c.side.as_str().to_string(),
            c.position.to_string(),
            i.subject.clone(),
            i.issuer.clone(),
            i.serial.clone(),
            format!("{}\n{}", i.not_before, i.not_after),
            i.eku
                .as_ref()
                .map(|v| v.join(", "))
                .unwrap_or_else(|| "(any)".into()),
            i.key_usage
                .as_ref()
                .map(|v| v.join(", "))
                .unwrap_or_else(|| "(any)".into()),
            i.san.join(", "),
            i.key.clone(),
            i.sha256.clone(),
        ]);
    }
    t.to_string()
}

pub fn json(certs: &[SeenCert]) -> String {
    serde_json::to_string_pretty(certs).unwrap_or_else(|_| "[]".into())
}
