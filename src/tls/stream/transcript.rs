//! The handshake transcript: the messages as the peers hashed them
//! ([`transcript_before`]), a running hash that grows with the handshake
//! (one pass for every Finished and CertificateVerify), and the Finished
//! checks against the key schedule, after which a TLS 1.3 side moves to
//! its application keys.

use super::{is_tls13, Side, TlsConnection, TlsTracker, TranscriptHash};
use crate::tls::decrypt::{self as dec, RecordDecrypter, Version};
use crate::tls::messages::HandshakeMessage;

/// The handshake messages of `conn`'s current transcript before `idx`, as
/// the peers hashed them: a HelloRetryRequest turns the first ClientHello
/// into a message_hash (RFC 8446 §4.4.1); TLS 1.3 post-handshake messages
/// and HelloRequest are not part of it. `hash` is the suite's hash, needed
/// only after a HelloRetryRequest. `None` when a message was not kept.
pub fn transcript_before(
    conn: &TlsConnection,
    idx: usize,
    hash: Option<dec::HashAlg>,
) -> Option<Vec<u8>> {
    let tls13 = conn.version.is_some_and(is_tls13);
    let msgs = conn.handshakes.get(conn.transcript_start..idx)?;
    let hrr = msgs.iter().position(|m| {
        matches!(&m.message, Ok(HandshakeMessage::ServerHello(sh)) if sh.is_hello_retry_request)
    });
    let mut out = Vec::new();
    for (i, m) in msgs.iter().enumerate() {
        if (tls13 && matches!(m.msg_type, 4 | 24)) || m.msg_type == 0 {
            continue;
        }
        let raw = m.raw.as_deref()?;
        if hrr.is_some_and(|h| i < h) && m.msg_type == 1 {
            let digest = dec::hash(hash?, raw);
            out.extend_from_slice(&[254, 0, 0, digest.len() as u8]);
            out.extend_from_slice(&digest);
        } else {
            out.extend_from_slice(raw);
        }
    }
    Some(out)
}

/// A transcript hashed as it grows, so that the hashes before each
/// Finished and CertificateVerify cost one pass over the messages, not one
/// each.
#[derive(Debug)]
pub(super) struct RunningTranscript {
    alg: dec::HashAlg,
    /// The transcript start and HelloRetryRequest position it was begun
    /// with: if either changes, it is begun again.
    start: usize,
    hrr: Option<usize>,
    /// The next message to add.
    next: usize,
    hash: dec::Transcript,
}

impl TlsTracker {
    /// The hash with `alg` of the transcript before message `idx` (as
    /// [`transcript_before`] would give it hashed), advancing the running
    /// transcript; `None` where the transcript is incomplete.
    pub(super) fn transcript_hash(&mut self, idx: usize, alg: dec::HashAlg) -> Option<Vec<u8>> {
        let conn = &self.conn;
        let start = conn.transcript_start;
        let tls13 = conn.version.is_some_and(is_tls13);
        let msgs = conn.handshakes.get(start..idx)?;
        let hrr = msgs.iter().position(|m| {
            matches!(&m.message, Ok(HandshakeMessage::ServerHello(sh)) if sh.is_hello_retry_request)
        });
        let keys = self.crypto.keys.as_deref_mut()?;
        let reusable = keys
            .running
            .as_ref()
            .is_some_and(|r| r.alg == alg && r.start == start && r.hrr == hrr && r.next <= idx);
        if !reusable {
            keys.running = Some(Box::new(RunningTranscript {
                alg,
                start,
                hrr,
                next: start,
                hash: dec::Transcript::new(alg),
            }));
        }
        let r = keys.running.as_mut()?;
        for i in r.next..idx {
            let m = conn.handshakes.get(i)?;
            if (tls13 && matches!(m.msg_type, 4 | 24)) || m.msg_type == 0 {
                continue;
            }
            let Some(raw) = m.raw.as_deref() else {
                keys.running = None;
                return None;
            };
            if hrr.is_some_and(|h| i - start < h) && m.msg_type == 1 {
                let digest = dec::hash(alg, raw);
                r.hash.update(&[254, 0, 0, digest.len() as u8]);
                r.hash.update(&digest);
            } else {
                r.hash.update(raw);
            }
        }
        r.next = idx;
        let hash = r.hash.current_hash();
        if let Some(rec) = self.conn.handshakes.get_mut(idx) {
            if rec.transcript_hash.is_none() {
                rec.transcript_hash = Some(Box::new(TranscriptHash {
                    alg,
                    hash: hash.clone(),
                }));
            }
        }
        Some(hash)
    }

    /// Checks a Finished against the key schedule, then moves a TLS 1.3
    /// side to its application keys.
    pub(super) fn finished(&mut self, side: Side, idx: usize, frame: u64) {
        let i = side.index();
        let Some(suite) = self.crypto.suite else {
            return;
        };
        let verify_data = match self.conn.handshakes.get(idx).map(|h| &h.message) {
            Some(Ok(HandshakeMessage::Finished { verify_data })) => verify_data.clone(),
            _ => return,
        };
        let tls13 = self.crypto.version == Some(Version::Tls13);
        if tls13 && self.crypto.on_app_keys[i] {
            // A Finished after post-handshake authentication: not checked.
            return;
        }
        let ok = match self.crypto.version {
            Some(Version::Tls13) if self.hs_secret(i).is_some() => {
                self.transcript_hash(idx, suite.hash).and_then(|h| {
                    let base = self.hs_secret(i)?;
                    Some(dec::verify_finished(
                        suite,
                        base.as_bytes(),
                        &h,
                        &verify_data,
                    ))
                })
            }
            Some(Version::Ssl30) => {
                let t = transcript_before(&self.conn, idx, Some(suite.hash));
                match (&t, self.master()) {
                    (Some(t), Some(ms)) => Some(dec::ssl3_verify_finished(
                        ms.as_bytes(),
                        side,
                        t,
                        &verify_data,
                    )),
                    _ => None,
                }
            }
            Some(version) if version != Version::Tls13 && self.master().is_some() => self
                .transcript_hash(idx, suite.handshake_hash(version))
                .and_then(|h| {
                    let ms = self.master()?;
                    Some(dec::tls12_verify_finished(
                        suite,
                        version,
                        ms.as_bytes(),
                        side,
                        &h,
                        &verify_data,
                    ))
                }),
            _ => None,
        };
        if let Some(ok) = ok {
            self.conn.finished_checks.push((side, frame, ok));
        }
        if tls13 {
            self.crypto.on_app_keys[i] = true;
            let next = self
                .crypto
                .keys
                .as_ref()
                .and_then(|k| k.app_secret[i].as_ref())
                .map(|s| RecordDecrypter::tls13(suite, s.as_bytes()));
            self.crypto.active[i] = match next {
                Some(Ok(d)) => Some(Box::new(d)),
                _ => None,
            };
        }
    }
}
