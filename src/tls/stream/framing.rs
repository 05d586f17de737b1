//! Record framing: recognising TLS at the start of a direction or after
//! a plaintext exchange (STARTTLS), cutting records out of the byte stream
//! and dispatching them by content type, the SSLv2-compatible ClientHello,
//! resynchronising after garbage or a capture gap, and what is left
//! half-read when the stream ends.

use super::handshake::type_name;
use super::{is_tls13, small, IssueKind, Mode, Side, TlsConnection, TlsTracker, MAX_RECORD};
use crate::capture::Timestamp;
use crate::net::tcp::{Direction, Gap};
use crate::tls::messages;

/// How far into a plaintext stream tlstrace looks for TLS starting (STARTTLS).
const MAX_PLAINTEXT_SCAN: u64 = 64 * 1024;

pub(super) fn record_len(h: &[u8]) -> usize {
    match h {
        [_, _, _, hi, lo, ..] => usize::from(*hi) << 8 | usize::from(*lo),
        _ => 0,
    }
}

/// Is `h` a plausible TLS record header?
fn plausible_header(h: &[u8]) -> bool {
    match h {
        [t, 3, minor, ..] if h.len() >= 5 => {
            let len = record_len(h);
            (20..=24).contains(t) && *minor <= 4 && len > 0 && len <= MAX_RECORD
        }
        _ => false,
    }
}

/// Where TLS plausibly starts in plaintext: a handshake record holding a
/// ClientHello (client) or ServerHello (server), or an alert record.
fn find_tls_start(buf: &[u8], side: Side) -> Option<usize> {
    let want = match side {
        Side::Client => 1u8,
        Side::Server => 2u8,
    };
    (0..buf.len()).find(|&i| {
        let h = &buf[i..];
        if !plausible_header(h) {
            return false;
        }
        match h {
            [22, 3, _, _, _, t, a, b, c, ..] if *t == want => {
                let hs_len = usize::from(*a) << 16 | usize::from(*b) << 8 | usize::from(*c);
                record_len(h) >= 4 && (38..1 << 18).contains(&hs_len)
            }
            [21, 3, _, 0, 2, 1 | 2, ..] => true,
            _ => false,
        }
    })
}

/// The length of an SSLv2-compatible ClientHello (RFC 5246 E.2) starting `b`.
fn sslv2_client_hello_len(b: &[u8]) -> Option<usize> {
    match b {
        [hi, lo, 1, 0 | 3, minor, ..] if hi & 0x80 != 0 && *minor <= 4 => {
            Some((usize::from(hi & 0x7F) << 8 | usize::from(*lo)) + 2)
        }
        _ => None,
    }
}

impl TlsTracker {
    pub(super) fn process(&mut self, side: Side, frame: u64, ts: Timestamp) {
        loop {
            let st = &mut self.dirs[side.index()];
            match st.mode {
                Mode::Ignored => {
                    st.pending = Vec::new();
                    return;
                }
                Mode::Start => {
                    if st.pending.len() < 5 {
                        return;
                    }
                    let tls = plausible_header(&st.pending)
                        || (side == Side::Client && sslv2_client_hello_len(&st.pending).is_some());
                    st.mode = if tls { Mode::Records } else { Mode::Plaintext };
                }
                Mode::Plaintext => {
                    match find_tls_start(&st.pending, side) {
                        Some(i) => {
                            // Wait for the whole header and hello type byte.
                            if st.pending.len() < i + 9 && st.pending[i] == 22 {
                                return;
                            }
                            st.plaintext = st.plaintext.saturating_add(small(i));
                            st.pending.drain(..i);
                            st.mode = Mode::Records;
                            self.conn.plaintext_before[side.index()] = u64::from(st.plaintext);
                        }
                        None => {
                            // Keep a few bytes: a header may straddle chunks.
                            let keep = st.pending.len().min(8);
                            let drop = st.pending.len() - keep;
                            st.plaintext = st.plaintext.saturating_add(small(drop));
                            st.pending.drain(..drop);
                            if u64::from(st.plaintext) > MAX_PLAINTEXT_SCAN {
                                st.mode = Mode::Ignored;
                            }
                            return;
                        }
                    }
                }
                Mode::Resync => {
                    let found = (0..st.pending.len()).find(|&i| {
                        let h = &st.pending[i..];
                        if !plausible_header(h) {
                            return false;
                        }
                        // If the following header is in view, it must be
                        // plausible too.
                        let next = i + 5 + record_len(h);
                        next + 5 > st.pending.len() || plausible_header(&st.pending[next..])
                    });
                    match found {
                        Some(i) => {
                            st.pending.drain(..i);
                            st.mode = Mode::Records;
                            if i > 0 {
                                self.issue(
                                    side,
                                    frame,
                                    IssueKind::Resynchronised,
                                    format!("skipped {i} bytes to the next record header"),
                                );
                            }
                        }
                        None => {
                            let keep = st.pending.len().min(4);
                            let drop = st.pending.len() - keep;
                            st.pending.drain(..drop);
                            return;
                        }
                    }
                }
                Mode::Records => {
                    if st.records == 0 && side == Side::Client {
                        if let Some(len) = sslv2_client_hello_len(&st.pending) {
                            if st.pending.len() < len {
                                return;
                            }
                            st.records += 1;
                            let rec: Vec<u8> = st.pending.drain(..len).collect();
                            self.sslv2_hello(&rec, frame, ts);
                            continue;
                        }
                    }
                    if st.pending.len() < 5 {
                        return;
                    }
                    if !plausible_header(&st.pending) {
                        let (t, v, len) = (
                            st.pending[0],
                            u16::from_be_bytes([st.pending[1], st.pending[2]]),
                            record_len(&st.pending),
                        );
                        st.mode = Mode::Resync;
                        st.handshake.clear();
                        let (kind, what) = if len > MAX_RECORD && (20..=24).contains(&t) {
                            (
                                IssueKind::RecordTooLarge,
                                format!("a record claims {len} bytes, more than the {MAX_RECORD} TLS allows"),
                            )
                        } else if v >> 8 == 3 {
                            (
                                IssueKind::UnknownContentType,
                                format!("record of unknown content type {t}"),
                            )
                        } else {
                            (
                                IssueKind::UnknownContentType,
                                format!("bytes that are not a TLS record header ({t:02x} {v:04x})"),
                            )
                        };
                        self.issue(side, frame, kind, what);
                        continue;
                    }
                    // Every whole record in view is framed, then all are
                    // dropped at once: draining them one by one would move
                    // the rest of the buffer each time (quadratic in a
                    // chunk of tiny records).
                    let buf = std::mem::take(&mut st.pending);
                    let mut pos = 0;
                    while let Some(rest) = buf.get(pos..) {
                        if !plausible_header(rest) {
                            break;
                        }
                        let end = pos + 5 + record_len(rest);
                        if buf.len() < end {
                            break;
                        }
                        self.dirs[side.index()].records += 1;
                        self.record(side, &buf[pos..end], frame, ts);
                        pos = end;
                        if self.dirs[side.index()].mode != Mode::Records {
                            break;
                        }
                    }
                    let st = &mut self.dirs[side.index()];
                    let mut buf = buf;
                    buf.drain(..pos);
                    buf.append(&mut st.pending);
                    st.pending = buf;
                    if pos == 0 {
                        return;
                    }
                    // What is left came with this chunk.
                    st.pending_since = frame;
                }
            }
        }
    }

    /// One whole record: header and body.
    fn record(&mut self, side: Side, rec: &[u8], frame: u64, ts: Timestamp) {
        self.conn.detected = true;
        let content = rec[0];
        let body = &rec[5..];
        let encrypted = self.dirs[side.index()].encrypted;
        // A plaintext alert is exactly two bytes with level 1 or 2; whatever
        // the state, anything else in an alert record is ciphertext, and a
        // two-byte alert is plaintext (a peer may alert in clear before it
        // switched keys).
        let clear_alert = content == 21 && matches!(body, [1 | 2, _]);
        let sealed = !clear_alert && content != 20 && (encrypted || content == 21 || content == 23);
        self.conn.records.push(crate::tls::traffic::WireRecord {
            from: side,
            content_type: content,
            length: body.len() as u32,
            frame,
            ts,
            sealed,
        });
        if sealed {
            match self.try_decrypt(side, rec, frame) {
                Some(pt) => self.plaintext(side, pt, body.len(), frame, ts),
                None => self.encrypted_record(side, content, body.len(), frame, ts),
            }
            return;
        }
        match content {
            20 => {
                self.ladder(side, "change_cipher_spec", frame, ts, false, body.len());
                // In TLS 1.3 ChangeCipherSpec is only for middleboxes; before
                // it, it switches this direction to the negotiated keys. A
                // CCS after a HelloRetryRequest, before the real ServerHello,
                // is TLS 1.3's compatibility record and switches nothing.
                let switches = match self.conn.version {
                    Some(v) => !is_tls13(v),
                    None => !self.hrr_seen,
                };
                if switches {
                    let st = &mut self.dirs[side.index()];
                    st.encrypted = true;
                    st.sealed_handshakes = 0;
                    let c = &mut self.crypto;
                    c.active[side.index()] =
                        c.keys.as_mut().and_then(|k| k.pending[side.index()].take());
                }
            }
            21 => {
                if let [level, description] = body {
                    self.alert(side, *level, *description, frame, ts, false);
                }
            }
            22 => self.handshake_bytes(side, body, frame, ts, false),
            24 => self.ladder(side, "heartbeat", frame, ts, false, body.len()),
            _ => {}
        }
    }

    fn sslv2_hello(&mut self, rec: &[u8], frame: u64, ts: Timestamp) {
        self.conn.detected = true;
        self.issue(
            Side::Client,
            frame,
            IssueKind::Sslv2ClientHello,
            "the client sent an SSLv2-compatible ClientHello (RFC 5246 appendix E.2)".into(),
        );
        self.ladder(
            Side::Client,
            "client_hello",
            frame,
            ts,
            false,
            rec.len().saturating_sub(2),
        );
    }

    /// Before a gap: the whole handshake messages at the start of a record
    /// the gap cuts are still read, and the message the gap cuts is put on
    /// the ladder as truncated (as tshark shows it), so a snaplen-cut
    /// capture still shows its handshake's shape.
    fn salvage_before_gap(&mut self, side: Side, gap: Gap) {
        let st = &self.dirs[side.index()];
        if st.mode != Mode::Records || st.encrypted {
            return;
        }
        let ts = self.conn.ladder.last().map(|l| l.ts).unwrap_or_default();
        if st.pending.len() > 5 && st.pending[0] == 22 {
            let body = st.pending[5..].to_vec();
            self.dirs[side.index()].pending.clear();
            self.handshake_bytes(side, &body, gap.frame, ts, false);
        }
        let st = &self.dirs[side.index()];
        if let Some((t, len)) = messages::split_handshake_header(&st.handshake) {
            let kind = type_name(t).into_owned();
            self.ladder(side, &kind, gap.frame, ts, false, len);
            if let Some(last) = self.conn.ladder.last_mut() {
                last.truncated = true;
            }
        }
    }

    /// Bytes the capture missed in one direction.
    pub fn gap(&mut self, dir: Direction, gap: Gap) {
        let side = Side::of(dir);
        self.salvage_before_gap(side, gap);
        self.crypto.lost[side.index()] = true;
        let st = &mut self.dirs[side.index()];
        let mut lost = Vec::new();
        if st.mode == Mode::Records && !st.pending.is_empty() {
            let what = if st.pending.len() >= 5 {
                format!(
                    "a {} record of {} bytes",
                    crate::tls::names::content_type_name(st.pending[0]),
                    record_len(&st.pending)
                )
            } else {
                "a record".to_string()
            };
            lost.push(what);
        }
        if let Some((t, len)) = messages::split_handshake_header(&st.handshake) {
            lost.push(format!("a {} message of {len} bytes", type_name(t)));
        }
        st.pending.clear();
        st.handshake.clear();
        st.skip_handshake = 0;
        st.handshake_lost_sync = true;
        st.trim();
        if matches!(st.mode, Mode::Records) {
            st.mode = Mode::Resync;
        }
        self.issue(
            side,
            gap.frame,
            IssueKind::CaptureGap,
            format!(
                "{} bytes from the {} were not captured (stream offset {}{})",
                gap.len,
                side.as_str(),
                gap.offset,
                if gap.truncated {
                    ", cut by the snaplen"
                } else {
                    ""
                }
            ),
        );
        for what in lost {
            self.issue(
                side,
                gap.frame,
                IssueKind::LostRecord,
                format!("{what} was lost in the gap"),
            );
        }
    }

    /// The connection ended: report anything left half-read.
    pub fn finish(mut self, last_frame: u64) -> TlsConnection {
        for side in [Side::Client, Side::Server] {
            let st = &self.dirs[side.index()];
            let mut left = Vec::new();
            if st.mode == Mode::Records && !st.pending.is_empty() {
                let need = if st.pending.len() >= 5 {
                    5 + record_len(&st.pending)
                } else {
                    5
                };
                left.push(format!(
                    "the {} stream ends inside a record ({} of {} bytes)",
                    side.as_str(),
                    st.pending.len(),
                    need
                ));
            }
            if let Some((t, len)) = messages::split_handshake_header(&st.handshake) {
                left.push(format!(
                    "the {} stream ends inside a {} message ({} of {} bytes)",
                    side.as_str(),
                    type_name(t),
                    st.handshake.len(),
                    len + 4
                ));
            }
            for l in left {
                self.issue(side, last_frame, IssueKind::Truncated, l);
            }
        }
        self.conn
    }
}
