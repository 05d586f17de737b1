//! Output for people (tables) and machines (JSON).

pub mod certs;
pub mod connections;
pub mod explain;
pub mod html;
pub mod ordered;
pub mod show;

use crate::tls::names;
use crate::tls::summary::Handshake;
use crate::tls::ConnectionFacts;

/// What identifies a TLS connection in every report: endpoints, version,
/// SNI, cipher suite.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Headline {
    pub id: u64,
    pub client: String,
    pub server: String,
    pub version: Option<String>,
    pub sni: Option<String>,
    pub cipher_suite: Option<String>,
}

impl Headline {
    /// `Connection 3: 10.0.0.1:50000 → 10.0.0.2:443  TLS 1.2  SNI x.test`
    /// (and the cipher suite when asked).
    pub fn title(&self, with_cipher: bool) -> String {
        let mut t = format!("Connection {}: {} → {}", self.id, self.client, self.server);
        if let Some(v) = &self.version {
            t.push_str(&format!("  {v}"));
        }
        if let Some(sni) = &self.sni {
            t.push_str(&format!("  SNI {sni}"));
        }
        if let (true, Some(c)) = (with_cipher, &self.cipher_suite) {
            t.push_str(&format!("  {c}"));
        }
        t
    }

    pub fn new(f: &ConnectionFacts) -> Headline {
        let h = Handshake::new(&f.tls);
        Headline {
            id: f.info.id,
            client: f.info.client.to_string(),
            server: f.info.server.to_string(),
            version: h.version().map(|v| names::version_name(v).into_owned()),
            sni: h.sni().map(str::to_string),
            cipher_suite: h
                .cipher_suite()
                .map(|c| names::cipher_suite_name(c).into_owned()),
        }
    }
}
