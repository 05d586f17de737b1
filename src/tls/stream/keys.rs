//! Decryption state and key setup: the secrets and decrypters a
//! connection keeps ([`Crypto`], [`Keys`]), finding the key log's secrets
//! once the ServerHello names the version and suite, a static-RSA
//! premaster secret opened with a server key (or found in the key log),
//! NULL-encryption suites, and opening each sealed record (finding the
//! sequence number again after records were lost, passing over bulk data).

use super::transcript::transcript_before;
use super::{is_tls13, IssueKind, KeyStatus, Side, TlsTracker};
use crate::tls::decrypt::{self as dec, Plaintext, RecordDecrypter, Version};
use crate::tls::keylog::{KeyLog, Secret};
use crate::tls::messages;
use std::sync::Arc;

/// A TLS 1.3 record larger than this, after a side's first application
/// data, is bulk data and is not decrypted (a post-handshake Certificate
/// of over 8 KiB would be missed; the handshake's are always read).
const BULK_RECORD: usize = 8192;
/// How many lost records the decrypter skips over to resynchronise.
const MAX_LOST_RECORDS: u64 = 256;

/// Decryption state of a connection.
#[derive(Debug, Default)]
pub(super) struct Crypto {
    pub(super) keylog: Option<Arc<KeyLog>>,
    /// Servers' RSA private keys (`--server-key`), for static-RSA key
    /// exchanges without a key log.
    pub(super) server_keys: Option<Arc<Vec<rsa::RsaPrivateKey>>>,
    /// The decrypter in use per side (client, server). Boxed: most
    /// connections have none, and an idle connection must stay small.
    pub(super) active: [Option<Box<RecordDecrypter>>; 2],
    /// Secrets and decrypters to come; boxed and absent until keys are
    /// found, for the same reason.
    pub(super) keys: Option<Box<Keys>>,
    pub(super) on_app_keys: [bool; 2],
    pub(super) suite: Option<&'static dec::CipherSuite>,
    pub(super) version: Option<Version>,
    pub(super) client_random: Option<[u8; 32]>,
    pub(super) encrypt_then_mac_offered: bool,
    pub(super) extended_master_secret_offered: bool,
    pub(super) early_data: bool,
    /// A record of each side was opened.
    pub(super) opened: [bool; 2],
    pub(super) failed: [bool; 2],
    /// Records were lost in a capture gap: the next record's sequence
    /// number is unknown and has to be found.
    pub(super) lost: [bool; 2],
    /// A NULL-encryption suite was negotiated: records after
    /// ChangeCipherSpec are plaintext followed by a MAC of this length.
    pub(super) null_mac: Option<u8>,
}

/// What a connection's decryption keeps of its key schedule.
#[derive(Debug, Default)]
pub(super) struct Keys {
    /// A static-RSA handshake waiting for the client's ClientKeyExchange to
    /// recover the premaster secret with a server key.
    pub(super) rsa_pending: Option<RsaPending>,
    /// TLS 1.0–1.2: the decrypter each side switches to at its
    /// ChangeCipherSpec.
    pub(super) pending: [Option<Box<RecordDecrypter>>; 2],
    /// TLS 1.3: handshake traffic secrets (for Finished) and application
    /// traffic secrets (to switch to after each side's Finished).
    pub(super) handshake_secret: [Option<Secret>; 2],
    pub(super) app_secret: [Option<Secret>; 2],
    /// TLS 1.0–1.2 master secret of the current handshake.
    pub(super) master: Option<Secret>,
    /// The transcript hashed so far, for the Finished and
    /// CertificateVerify checks (only decryption needs it).
    pub(super) running: Option<Box<super::transcript::RunningTranscript>>,
}

/// What deriving the keys of a static-RSA handshake needs once the
/// premaster secret is known.
#[derive(Debug, Clone, Copy)]
pub(super) struct RsaPending {
    suite: &'static dec::CipherSuite,
    version: Version,
    server_random: [u8; 32],
    etm: bool,
    ems: bool,
}

/// The MAC length of a NULL-encryption cipher suite (records are then
/// readable without keys), or `None` for a real cipher.
pub(super) fn null_cipher_mac_len(suite: u16) -> Option<u8> {
    use tls_parser::{TlsCipherEnc, TlsCipherSuite};
    let cs = TlsCipherSuite::from_id(suite)?;
    (cs.enc == TlsCipherEnc::Null && suite != 0).then_some((cs.mac_size / 8) as u8)
}

impl TlsTracker {
    /// Opens a sealed record with this side's keys, if there are any and
    /// they have not failed before.
    pub(super) fn try_decrypt(&mut self, side: Side, rec: &[u8], frame: u64) -> Option<Plaintext> {
        let i = side.index();
        if self.crypto.failed[i] {
            return None;
        }
        if self.crypto.active[i].is_none() && self.dirs[i].encrypted {
            if let Some(mac) = self.crypto.null_mac {
                let body = &rec[5..];
                let data = body
                    .get(..body.len().checked_sub(usize::from(mac))?)?
                    .to_vec();
                return Some(Plaintext {
                    content_type: rec[0],
                    data,
                });
            }
        }
        let dec = self.crypto.active[i].as_mut()?;
        let header: [u8; 5] = rec.get(..5)?.try_into().ok()?;
        if self.crypto.lost[i] {
            // After a gap: the records lost advanced the peer's sequence
            // number; find it by trying the following ones.
            let base = dec.sequence();
            for k in 0..MAX_LOST_RECORDS {
                dec.set_sequence(base + k);
                if let Ok(pt) = dec.open(&header, &rec[5..]) {
                    self.crypto.lost[i] = false;
                    self.crypto.opened[i] = true;
                    self.conn.decrypted[i] += 1;
                    return Some(pt);
                }
            }
            dec.set_sequence(base);
            self.crypto.failed[i] = true;
            self.issue(
                side,
                frame,
                IssueKind::LostRecord,
                format!(
                    "the {}'s records after the gap cannot be decrypted: more than {MAX_LOST_RECORDS} records were lost, or their keys changed in the gap",
                    side.as_str()
                ),
            );
            return None;
        }
        // Bulk data after a side's first application record is not read
        // (only the first line of the first record is): such records are
        // passed over, keeping the sequence (and a chained IV) in step. In
        // TLS 1.0-1.2 the record type says it is data; in TLS 1.3 only its
        // size can: no alert, KeyUpdate or ticket comes near BULK_RECORD.
        let bulk = self.conn.app_first_line(side).is_some()
            && match self.conn.version {
                Some(v) if is_tls13(v) => rec.len() - 5 > BULK_RECORD,
                _ => rec[0] == 23,
            };
        if bulk && dec.skip(&rec[5..]) {
            return Some(Plaintext {
                content_type: 23,
                data: Vec::new(),
            });
        }
        match dec.open(&header, &rec[5..]) {
            Ok(pt) => {
                self.crypto.opened[i] = true;
                self.conn.decrypted[i] += 1;
                Some(pt)
            }
            Err(e) if e.is_auth_failure() => {
                // TLS 1.3 0-RTT data is under early keys tlstrace does not
                // use: a client that offered early data may fail here
                // before its first handshake record, and that is no sign of
                // wrong keys.
                if side == Side::Client && self.crypto.early_data && !self.crypto.opened[i] {
                    return None;
                }
                self.crypto.failed[i] = true;
                self.issue(
                    side,
                    frame,
                    IssueKind::KeysWrong,
                    format!(
                        "the {} record at frame {frame} did not authenticate with the key log's secrets: they do not belong to this connection",
                        side.as_str()
                    ),
                );
                None
            }
            Err(e) => {
                self.issue(
                    side,
                    frame,
                    IssueKind::MalformedMessage,
                    format!("record could not be decrypted: {e}"),
                );
                None
            }
        }
    }

    /// Finds this connection's secrets and prepares the decrypters, once
    /// the ServerHello names the version and cipher suite.
    pub(super) fn setup_keys(&mut self, sh: &messages::ServerHello) {
        let c = &mut self.crypto;
        let Some(cr) = c.client_random else {
            return;
        };
        let secrets = c.keylog.clone().and_then(|k| k.secrets_for(&cr).cloned());
        let Some(secrets) = secrets else {
            let rsa_lines = c.keylog.as_ref().is_some_and(|k| k.has_rsa_premasters());
            if c.server_keys.is_some() || rsa_lines {
                self.await_rsa_premaster(sh);
            } else if c.keylog.is_some() {
                self.conn.key_status = KeyStatus::NoSecrets;
            }
            return;
        };
        let v = sh.negotiated_version();
        let version = if is_tls13(v) {
            Some(Version::Tls13)
        } else {
            Version::from_wire(v)
        };
        let suite = dec::cipher_suite(sh.cipher_suite).ok();
        let (Some(version), Some(suite)) = (version, suite) else {
            self.conn.key_status = KeyStatus::UnsupportedSuite;
            return;
        };
        c.suite = Some(suite);
        c.version = Some(version);
        c.failed = [false, false];
        let built = if version == Version::Tls13 {
            // Each side's keys on their own: a client that aborted logs only
            // the server's handshake secret, which still opens the server's
            // flight (certificate, alerts).
            let hs = [
                secrets.client_handshake_traffic_secret.clone(),
                secrets.server_handshake_traffic_secret.clone(),
            ];
            c.keys.get_or_insert_default().app_secret = [
                secrets.client_traffic_secret_0.clone(),
                secrets.server_traffic_secret_0.clone(),
            ];
            c.on_app_keys = [false, false];
            for (i, secret) in hs.iter().enumerate() {
                c.active[i] = secret
                    .as_ref()
                    .and_then(|s| RecordDecrypter::tls13(suite, s.as_bytes()).ok())
                    .map(Box::new);
            }
            c.keys.get_or_insert_default().handshake_secret = hs;
            c.active.iter().any(Option::is_some)
        } else {
            match &secrets.master_secret {
                Some(ms) => {
                    let etm = c.encrypt_then_mac_offered && sh.encrypt_then_mac;
                    let keys = c.keys.get_or_insert_default();
                    keys.master = Some(ms.clone());
                    match RecordDecrypter::tls12_pair(
                        suite,
                        version,
                        ms.as_bytes(),
                        &cr,
                        &sh.random,
                        etm,
                    ) {
                        Ok((cl, sv)) => {
                            keys.pending = [Some(Box::new(cl)), Some(Box::new(sv))];
                            true
                        }
                        Err(_) => false,
                    }
                }
                None => false,
            }
        };
        self.conn.key_status = if built {
            KeyStatus::Keys
        } else {
            KeyStatus::NoSecrets
        };
    }

    /// A static-RSA suite without a key log entry, and server keys given:
    /// the keys come once the ClientKeyExchange shows the encrypted
    /// premaster secret.
    fn await_rsa_premaster(&mut self, sh: &messages::ServerHello) {
        let v = sh.negotiated_version();
        let (Some(version), Ok(suite)) =
            (Version::from_wire(v), dec::cipher_suite(sh.cipher_suite))
        else {
            return;
        };
        if is_tls13(v) || !suite.static_rsa {
            return;
        }
        let c = &mut self.crypto;
        c.keys.get_or_insert_default().rsa_pending = Some(RsaPending {
            suite,
            version,
            server_random: sh.random,
            etm: c.encrypt_then_mac_offered && sh.encrypt_then_mac,
            ems: c.extended_master_secret_offered && sh.extended_master_secret,
        });
        self.conn.key_status = KeyStatus::NoSecrets;
    }

    /// The client's ClientKeyExchange of a static-RSA handshake (RFC 5246
    /// §7.4.7.1): the premaster secret, encrypted with the server's public
    /// key, opened with the matching private key or found by an `RSA` line
    /// of the key log (by its first 8 encrypted bytes); then the master secret
    /// (with the session hash up to this message for the extended master
    /// secret, RFC 7627) and the record keys.
    pub(super) fn rsa_premaster(&mut self, body: &[u8]) {
        use rsa::traits::PublicKeyParts;
        let Some(p) = self.crypto.keys.as_mut().and_then(|k| k.rsa_pending.take()) else {
            return;
        };
        let Some(cr) = self.crypto.client_random else {
            return;
        };
        // SSL 3.0 sends the bare ciphertext; TLS a 2-byte length first.
        let ciphertext = if p.version == Version::Ssl30 {
            body
        } else {
            match body {
                [hi, lo, rest @ ..]
                    if usize::from(u16::from_be_bytes([*hi, *lo])) == rest.len() =>
                {
                    rest
                }
                _ => return,
            }
        };
        // A server key that opens it, else an `RSA` line of the key log.
        let from_key = self.crypto.server_keys.as_ref().and_then(|keys| {
            keys.iter().find_map(|k| {
                (k.size() == ciphertext.len())
                    .then(|| k.decrypt(rsa::Pkcs1v15Encrypt, ciphertext).ok())
                    .flatten()
                    .filter(|pm| pm.len() == 48)
            })
        });
        let premaster = from_key.or_else(|| {
            self.crypto
                .keylog
                .as_ref()
                .and_then(|k| k.rsa_premaster(ciphertext))
                .map(|s| s.as_bytes().to_vec())
        });
        let Some(premaster) = premaster else {
            return;
        };
        let session_hash = if p.ems {
            let idx = self.conn.handshakes.len();
            match transcript_before(&self.conn, idx, None) {
                Some(t) => Some(dec::hash(p.suite.handshake_hash(p.version), &t)),
                None => return,
            }
        } else {
            None
        };
        let Ok(master) = dec::master_secret(
            p.suite,
            p.version,
            &premaster,
            &cr,
            &p.server_random,
            session_hash.as_deref(),
        ) else {
            return;
        };
        let c = &mut self.crypto;
        if let Ok((cl, sv)) = RecordDecrypter::tls12_pair(
            p.suite,
            p.version,
            master.as_bytes(),
            &cr,
            &p.server_random,
            p.etm,
        ) {
            c.suite = Some(p.suite);
            c.version = Some(p.version);
            c.failed = [false, false];
            let keys = c.keys.get_or_insert_default();
            keys.master = Some(master);
            keys.pending = [Some(Box::new(cl)), Some(Box::new(sv))];
            self.conn.key_status = KeyStatus::Keys;
        }
    }

    /// `side`'s TLS 1.3 handshake traffic secret, once known.
    pub(super) fn hs_secret(&self, side: usize) -> Option<&Secret> {
        self.crypto
            .keys
            .as_deref()?
            .handshake_secret
            .get(side)?
            .as_ref()
    }

    /// The TLS 1.0–1.2 master secret, once known.
    pub(super) fn master(&self) -> Option<&Secret> {
        self.crypto.keys.as_deref()?.master.as_ref()
    }
}
