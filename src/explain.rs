//! The `explain` pass as a library: each TLS connection of a capture is
//! diagnosed in turn, with what the earlier ones showed carried to the
//! later ones (the client certificates they sent, the sessions they
//! established), under the trust stores the user gave.

use crate::diagnose::chain::{SeenClientCert, TrustOptions};
use crate::diagnose::resumption::SessionRegistry;
use crate::diagnose::{diagnose_with, Diagnosis};
use crate::tls::ConnectionFacts;
use crate::x509::path::TrustStore;

/// Client certificates remembered per capture, to say why a later client
/// sent none.
const MAX_SEEN_CLIENT_CERTS: usize = 256;

/// Diagnoses the connections of one capture, in the order they finish.
#[derive(Default)]
pub struct Explainer<'a> {
    client_ca: Option<&'a TrustStore>,
    server_ca: Option<&'a TrustStore>,
    at: Option<i64>,
    seen: Vec<SeenClientCert>,
    sessions: SessionRegistry,
}

impl<'a> Explainer<'a> {
    /// `client_ca` judges client certificates (`--ca`), `server_ca` the
    /// server's (`--server-ca`), at the capture's time or `at` (Unix
    /// seconds).
    pub fn new(
        client_ca: Option<&'a TrustStore>,
        server_ca: Option<&'a TrustStore>,
        at: Option<i64>,
    ) -> Explainer<'a> {
        Explainer {
            client_ca,
            server_ca,
            at,
            ..Explainer::default()
        }
    }

    /// Diagnoses one connection with what the earlier ones showed, and
    /// remembers what this one shows for the later ones.
    pub fn explain(&mut self, facts: &ConnectionFacts) -> Diagnosis {
        let opts = TrustOptions {
            client_ca: self.client_ca,
            server_ca: self.server_ca,
            at: self.at,
            seen_client_certs: &self.seen,
            sessions: Some(&self.sessions),
        };
        let d = diagnose_with(facts, &opts);
        if self.seen.len() < MAX_SEEN_CLIENT_CERTS {
            self.seen.extend(SeenClientCert::from_diagnosis(
                facts.info.id,
                facts.info.client.ip(),
                &d,
            ));
        }
        self.sessions.record(facts, &d);
        d
    }
}
