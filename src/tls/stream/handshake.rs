//! Handshake reassembly: handshake messages cut out of handshake records
//! (joined across records, split out of shared ones), found again after a
//! gap, bounded in size, then parsed and recorded; a ClientHello or
//! ServerHello also moves the connection's state on (transcript start,
//! version, encryption, keys).

use super::keys::null_cipher_mac_len;
use super::{
    is_tls13, small, HandshakeRecord, IssueKind, LadderEntry, Side, TlsTracker, MAX_LADDER,
};
use crate::capture::Timestamp;
use crate::tls::decrypt::Version;
use crate::tls::messages::{self, HandshakeMessage};

const MAX_HANDSHAKES: usize = 1024;

/// Does `body` plausibly begin with a handshake message header: a defined
/// type and a length within bounds?
fn starts_handshake_message(body: &[u8], max: usize) -> bool {
    match body {
        [t, a, b, c, ..] => {
            let len = usize::from(*a) << 16 | usize::from(*b) << 8 | usize::from(*c);
            matches!(t, 0..=2 | 4 | 5 | 8 | 11..=16 | 20..=22 | 24 | 25) && len <= max
        }
        _ => false,
    }
}

/// After a gap: where in a handshake record body whole messages start
/// again. A position qualifies when the messages from it chain exactly to
/// the end of the body, or when two whole messages precede one that
/// continues in the next record: one plausible header alone is too easily
/// found in certificate bytes, unless it starts the record.
fn find_message_start(body: &[u8], max: usize) -> Option<usize> {
    (0..body.len()).find(|&p| {
        let mut q = p;
        let mut whole = 0;
        loop {
            if q == body.len() {
                return whole >= 1;
            }
            let rest = &body[q..];
            if !starts_handshake_message(rest, max) {
                return false;
            }
            let len = usize::from(rest[1]) << 16 | usize::from(rest[2]) << 8 | usize::from(rest[3]);
            if q + 4 + len > body.len() {
                // A record that starts with a header is taken at its word.
                return whole >= 2 || p == 0;
            }
            q += 4 + len;
            whole += 1;
        }
    })
}

/// Handshake type names tlstrace puts on the ladder.
fn ladder_name(msg: &Result<HandshakeMessage, String>, msg_type: u8) -> String {
    if let Ok(HandshakeMessage::ServerHello(sh)) = msg {
        if sh.is_hello_retry_request {
            return "hello_retry_request".to_string();
        }
    }
    messages::HandshakeType(msg_type).name().into_owned()
}

pub(super) fn type_name(t: u8) -> std::borrow::Cow<'static, str> {
    messages::HandshakeType(t).name()
}

impl TlsTracker {
    /// Handshake record bytes: cut whole messages, keep a partial one.
    pub(super) fn handshake_bytes(
        &mut self,
        side: Side,
        body: &[u8],
        frame: u64,
        ts: Timestamp,
        decrypted: bool,
    ) {
        let max = self.limits.handshake_message as usize;
        let st = &mut self.dirs[side.index()];
        let mut body = body;
        if st.handshake_lost_sync {
            match find_message_start(body, max) {
                Some(p) => {
                    st.handshake_lost_sync = false;
                    body = &body[p..];
                    if p > 0 {
                        self.issue(
                            side,
                            frame,
                            IssueKind::Resynchronised,
                            format!("skipped {p} bytes of a handshake message whose start was lost in a gap"),
                        );
                    }
                }
                None => {
                    self.issue(
                        side,
                        frame,
                        IssueKind::LostRecord,
                        "a handshake record continues a message whose start was lost in a gap; skipped"
                            .into(),
                    );
                    return;
                }
            }
        }
        let st = &mut self.dirs[side.index()];
        let skip = (st.skip_handshake as usize).min(body.len());
        st.skip_handshake -= skip as u32;
        if st.handshake.is_empty() {
            st.handshake_since = frame;
        }
        st.handshake.extend_from_slice(&body[skip..]);
        loop {
            let st = &mut self.dirs[side.index()];
            let Some((msg_type, len)) = messages::split_handshake_header(&st.handshake) else {
                return;
            };
            if len > max {
                // Pass over exactly this message, then carry on with the next.
                st.skip_handshake = small((4 + len).saturating_sub(st.handshake.len()));
                st.handshake.clear();
                self.issue(
                    side,
                    frame,
                    IssueKind::HandshakeTooLarge,
                    format!(
                        "a {} message claims {len} bytes, more than the {max}-byte limit: it is listed but not read",
                        type_name(msg_type)
                    ),
                );
                let kind = type_name(msg_type).into_owned();
                self.ladder(side, &kind, frame, ts, false, len);
                return;
            }
            if st.handshake.len() < 4 + len {
                return;
            }
            let raw: Vec<u8> = st.handshake.drain(..4 + len).collect();
            // What is left came with this record.
            st.handshake_since = frame;
            self.handshake_message(side, msg_type, raw, frame, ts, decrypted);
            // A TLS 1.3 ServerHello switches the keys: the rest of the
            // record (if any) would be a protocol error; leave it buffered.
        }
    }

    fn handshake_message(
        &mut self,
        side: Side,
        msg_type: u8,
        raw: Vec<u8>,
        frame: u64,
        ts: Timestamp,
        decrypted: bool,
    ) {
        let body = &raw[4..];
        let parsed =
            messages::parse_handshake(msg_type, body, self.conn.version).map_err(|e| e.to_string());
        if let Err(e) = &parsed {
            self.issue(side, frame, IssueKind::MalformedMessage, e.clone());
        }
        if self.conn.handshakes.len() >= MAX_HANDSHAKES || self.conn.ladder.len() >= MAX_LADDER {
            self.conn.ladder_truncated = true;
            return;
        }
        match &parsed {
            Ok(HandshakeMessage::ClientHello(ch)) if side == Side::Client => {
                // A ClientHello starts a transcript, except the second one
                // after a HelloRetryRequest, which continues it.
                if !(self.hrr_seen && self.crypto.client_random == Some(ch.random)) {
                    self.conn.transcript_start = self.conn.handshakes.len();
                }
                self.crypto.client_random = Some(ch.random);
                self.crypto.encrypt_then_mac_offered = ch.encrypt_then_mac;
                self.crypto.extended_master_secret_offered = ch.extended_master_secret;
                self.crypto.early_data = ch.early_data;
            }
            Ok(HandshakeMessage::ServerHello(sh)) => {
                self.hrr_seen |= sh.is_hello_retry_request;
                if !sh.is_hello_retry_request {
                    let v = sh.negotiated_version();
                    self.conn.version = Some(v);
                    if is_tls13(v) {
                        // Everything after the ServerHello is under handshake keys.
                        self.dirs[0].encrypted = true;
                        self.dirs[1].encrypted = true;
                    }
                    self.crypto.null_mac = null_cipher_mac_len(sh.cipher_suite);
                    self.setup_keys(sh);
                }
            }
            _ => {}
        }
        let kind = ladder_name(&parsed, msg_type);
        let keep = self.conn.transcript_bytes + raw.len() <= self.limits.transcript as usize;
        if keep {
            self.conn.transcript_bytes += raw.len();
        } else {
            self.conn.transcript_truncated = true;
        }
        let idx = self.conn.handshakes.len();
        let length = body.len();
        let finished = matches!(parsed, Ok(HandshakeMessage::Finished { .. }));
        let key_update = matches!(parsed, Ok(HandshakeMessage::KeyUpdate { .. }));
        // The encrypted premaster secret, for --server-key.
        let rsa_exchange = (msg_type == 16
            && side == Side::Client
            && self
                .crypto
                .keys
                .as_ref()
                .is_some_and(|k| k.rsa_pending.is_some()))
        .then(|| body.to_vec());
        // A record is large (the parsed message is held inline): grow from
        // one, not from Vec's four, since most connections an attack opens
        // hold a single ClientHello (100k flows: 93 of 175 MB of heap).
        let handshakes = &mut self.conn.handshakes;
        if handshakes.len() == handshakes.capacity() {
            handshakes.reserve_exact(handshakes.len().max(1));
        }
        self.conn.handshakes.push(HandshakeRecord {
            from: side,
            frame,
            ts,
            msg_type,
            message: parsed,
            decrypted,
            raw: keep.then_some(raw),
            transcript_hash: None,
        });
        self.conn.ladder.push(LadderEntry {
            kind,
            from: side,
            frame,
            ts,
            encrypted: false,
            length,
            handshake: Some(idx),
            alert: None,
            truncated: false,
        });
        if finished {
            self.finished(side, idx, frame);
        }
        // A decrypted TLS 1.3 CertificateVerify is checked later over the
        // transcript hash before it: taken now from the running hash.
        if msg_type == 15 && decrypted && self.crypto.version == Some(Version::Tls13) {
            if let Some(suite) = self.crypto.suite {
                let _ = self.transcript_hash(idx, suite.hash);
            }
        }
        if let Some(exchange) = rsa_exchange {
            self.rsa_premaster(&exchange);
        }
        if key_update && self.crypto.version == Some(Version::Tls13) {
            if let Some(d) = self.crypto.active[side.index()].as_mut() {
                if d.key_update().is_err() {
                    self.crypto.failed[side.index()] = true;
                }
            }
        }
    }
}
