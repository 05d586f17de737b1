//! The TLS layer's buffer budget: what a connection's buffers of partial
//! records and handshake messages hold, and since when, for the analyzer's
//! total across connections; giving that partial data up as lost when the
//! total is exceeded; and letting go of room and decryption state once no
//! more bytes will come.

use super::framing::record_len;
use super::handshake::type_name;
use super::{small, DirState, IssueKind, Mode, Side, TlsTracker};
use crate::tls::messages;

/// A buffer larger than this, and over twice what it holds, is shrunk to
/// what it holds once the bytes in view are read: a large chunk (or a
/// large message) must not leave its room behind. Segments of a usual MSS
/// never reach it.
const KEEP_CAPACITY: usize = 32 * 1024;

/// `n` bytes, in MiB when a whole number of them.
fn size_text(n: usize) -> String {
    if n >= 1 << 20 && n % (1 << 20) == 0 {
        format!("{} MiB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

impl DirState {
    /// What the partial-data buffers have allocated.
    pub(super) fn held(&self) -> usize {
        self.pending.capacity() + self.handshake.capacity()
    }

    /// The frame of the oldest partial byte held, if any.
    pub(super) fn held_since(&self) -> Option<u64> {
        let p = (!self.pending.is_empty()).then_some(self.pending_since);
        let h = (!self.handshake.is_empty()).then_some(self.handshake_since);
        match (p, h) {
            (Some(p), Some(h)) => Some(p.min(h)),
            (p, h) => p.or(h),
        }
    }

    /// Lets go of room a large chunk or message left behind.
    pub(super) fn trim(&mut self) {
        for v in [&mut self.pending, &mut self.handshake] {
            if v.capacity() > KEEP_CAPACITY && v.capacity() / 2 > v.len() {
                v.shrink_to(v.len());
            }
        }
    }
}

impl TlsTracker {
    /// What the buffers of partial records and handshake messages have
    /// allocated (both directions): compared before and after each call,
    /// the analyzer keeps the total across connections.
    pub fn held_bytes(&self) -> usize {
        self.dirs[0].held() + self.dirs[1].held()
    }

    /// The frame at which the oldest partial byte held arrived; `None`
    /// when the buffers hold no bytes (only room).
    pub fn held_since(&self) -> Option<u64> {
        match (self.dirs[0].held_since(), self.dirs[1].held_since()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The buffer budget across connections (`budget` bytes) is exceeded:
    /// gives up the partial record and handshake message held in each
    /// direction, as lost (as a capture gap would lose them; the rest of a
    /// message whose length is known is passed over), and frees their
    /// room. Returns whether partial data was given up (not only room).
    pub fn give_up_held(&mut self, budget: usize) -> bool {
        let mut gave_up = false;
        for side in [Side::Client, Side::Server] {
            let i = side.index();
            let st = &mut self.dirs[i];
            let mut what = Vec::new();
            let mut frame = st.held_since().unwrap_or_default();
            let mut cut = None;
            if st.mode == Mode::Records && !st.pending.is_empty() {
                let content = st.pending[0];
                what.push(if st.pending.len() >= 5 {
                    format!(
                        "a partial {} record ({} of {} bytes)",
                        crate::tls::names::content_type_name(content),
                        st.pending.len(),
                        5 + record_len(&st.pending)
                    )
                } else {
                    "a partial record header".to_string()
                });
                // The rest of the record will come: found again as after
                // a gap. The record's sequence number is lost with it.
                st.pending = Vec::new();
                st.mode = Mode::Resync;
                self.crypto.lost[i] = true;
                if content == 22 {
                    // What it carried of a handshake message is lost too.
                    if let Some((t, len)) = messages::split_handshake_header(&st.handshake) {
                        what.push(format!(
                            "a partial {} message ({} of {} bytes)",
                            type_name(t),
                            st.handshake.len(),
                            4 + len
                        ));
                    }
                    st.handshake = Vec::new();
                    st.skip_handshake = 0;
                    st.handshake_lost_sync = true;
                }
            }
            if !st.handshake.is_empty() {
                match messages::split_handshake_header(&st.handshake) {
                    Some((t, len)) => {
                        // Its length is known: its rest is passed over,
                        // the next message read.
                        what.push(format!(
                            "a partial {} message ({} of {} bytes)",
                            type_name(t),
                            st.handshake.len(),
                            4 + len
                        ));
                        st.skip_handshake = small((4 + len).saturating_sub(st.handshake.len()));
                        cut = Some((t, len));
                        frame = st.handshake_since;
                    }
                    None => st.handshake_lost_sync = true,
                }
                st.handshake = Vec::new();
            }
            // Bytes held while looking for the next record (after a gap or
            // garbage) or for TLS to start in plaintext are a scan window:
            // dropped, the search goes on with the bytes to come. Before
            // anything is decided, a few bytes at most: kept.
            if matches!(st.mode, Mode::Resync | Mode::Plaintext) {
                st.pending = Vec::new();
            }
            st.pending.shrink_to_fit();
            st.handshake.shrink_to_fit();
            if let Some((t, len)) = cut {
                let ts = self.conn.ladder.last().map(|l| l.ts).unwrap_or_default();
                let kind = type_name(t).into_owned();
                self.ladder(side, &kind, frame, ts, false, len);
                if let Some(last) = self.conn.ladder.last_mut() {
                    last.truncated = true;
                }
            }
            if !what.is_empty() {
                gave_up = true;
                self.issue(
                    side,
                    frame,
                    IssueKind::LostRecord,
                    format!(
                        "{} from the {} {} given up: the TLS layer's buffer budget ({} across connections) was exceeded",
                        what.join(" and "),
                        side.as_str(),
                        if what.len() > 1 { "were" } else { "was" },
                        size_text(budget)
                    ),
                );
            }
        }
        gave_up
    }

    /// No more bytes will come: lets go of the decryption state and of
    /// empty buffers' room, and trims what is kept to its size, so that a
    /// closed connection waiting to be finished holds only its facts.
    /// (Bytes left inside a record or message stay, for [`Self::finish`]
    /// to report.)
    pub fn shed(&mut self) {
        for st in &mut self.dirs {
            if st.pending.is_empty() {
                st.pending = Vec::new();
            }
            if st.handshake.is_empty() {
                st.handshake = Vec::new();
            }
        }
        self.crypto.active = [None, None];
        self.crypto.keys = None;
        let c = &mut self.conn;
        c.ladder.shrink_to_fit();
        c.handshakes.shrink_to_fit();
        c.alerts.shrink_to_fit();
        c.issues.shrink_to_fit();
        c.finished_checks.shrink_to_fit();
    }
}
