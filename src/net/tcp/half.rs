//! The reassembly of one direction: its state ([`HalfStream`]) and what a
//! connection does with a segment's bytes in that direction: deliver them
//! in order exactly once, compare retransmissions with what was delivered,
//! hold out-of-order pieces (and snaplen holes) in a bounded buffer, and
//! report holes that are given up as gaps.

use super::conn::Conn;
use super::{Chunk, Direction, Gap, StreamHandler, TcpConfig, PENDING_ENTRY_COST};
use crate::capture::Timestamp;
use crate::net::TcpSegment;
use std::collections::{BTreeMap, VecDeque};

/// A buffered out-of-order piece: either bytes or a hole the snaplen made.
#[derive(Debug)]
pub(super) struct Pending {
    pub(super) data: Vec<u8>,
    /// Length of a hole (when `data` is empty).
    pub(super) hole: u64,
    pub(super) frame: u64,
    pub(super) ts: Timestamp,
}

impl Pending {
    fn len(&self) -> u64 {
        if self.data.is_empty() {
            self.hole
        } else {
            self.data.len() as u64
        }
    }
}

/// [`HalfStream::fin_off`] when no FIN was seen.
pub(super) const NO_FIN: u64 = u64::MAX;

#[derive(Debug)]
pub(super) struct HalfStream {
    /// Whether `next_seq` has been established (SYN or first data).
    pub(super) anchored: bool,
    pub(super) next_seq: u32,
    pub(super) next_off: u64,
    pub(super) pending: BTreeMap<u64, Pending>,
    pub(super) pending_bytes: usize,
    /// Stream offset of the FIN, once seen ([`NO_FIN`] before): not an
    /// `Option`, which would take 8 bytes more.
    pub(super) fin_off: u64,
    /// The last bytes delivered, to compare retransmissions with.
    pub(super) recent: VecDeque<u8>,
    pub(super) delivered: u64,
    /// Bytes the packets carried that the snaplen cut off: on the wire,
    /// counted in the connection's bytes, but never delivered.
    pub(super) cut: u64,
}

impl Default for HalfStream {
    fn default() -> Self {
        HalfStream {
            anchored: false,
            next_seq: 0,
            next_off: 0,
            pending: BTreeMap::new(),
            pending_bytes: 0,
            fin_off: NO_FIN,
            recent: VecDeque::new(),
            delivered: 0,
            cut: 0,
        }
    }
}

impl HalfStream {
    /// Stream offset of the FIN, once seen.
    pub(super) fn fin(&self) -> Option<u64> {
        (self.fin_off != NO_FIN).then_some(self.fin_off)
    }

    /// What the out-of-order buffer holds, bookkeeping included.
    pub(super) fn buffered_cost(&self) -> usize {
        self.pending_bytes + self.pending.len() * PENDING_ENTRY_COST
    }

    /// Offset (possibly negative: before the anchor) of a sequence number.
    pub(super) fn offset_of(&self, seq: u32) -> i64 {
        let rel = seq.wrapping_sub(self.next_seq) as i32;
        self.next_off as i64 + i64::from(rel)
    }
}

impl Conn {
    /// Reports `len` missing bytes at the current offset and moves past them.
    pub(super) fn gap(
        &mut self,
        dir: Direction,
        len: u64,
        frame: u64,
        truncated: bool,
        h: &mut dyn StreamHandler,
    ) {
        let hs = &mut self.half[dir.index()];
        let g = Gap {
            offset: hs.next_off,
            len,
            frame,
            truncated,
        };
        hs.next_off += len;
        hs.next_seq = hs.next_seq.wrapping_add(len as u32);
        hs.recent.clear();
        // A hole between packets counts as a gap (as tshark's lost
        // segments do); bytes the snaplen cut off a packet count apart.
        if truncated {
            hs.cut += len;
        } else {
            self.gaps += 1;
        }
        self.detail.gap_bytes += len;
        h.on_gap(&self.info, dir, g);
    }

    fn deliver(
        &mut self,
        dir: Direction,
        data: &[u8],
        frame: u64,
        ts: Timestamp,
        h: &mut dyn StreamHandler,
    ) {
        let recent_cap = self.recent_cap as usize;
        if data.is_empty() {
            return;
        }
        let hs = &mut self.half[dir.index()];
        let chunk = Chunk {
            data,
            offset: hs.next_off,
            frame,
            ts,
            ready_frame: self.last_frame.max(frame),
            ready_ts: self.detail.last_ts.max(ts),
        };
        hs.next_off += data.len() as u64;
        hs.next_seq = hs.next_seq.wrapping_add(data.len() as u32);
        hs.delivered += data.len() as u64;
        // Remember the tail, to compare retransmissions with.
        let keep = data.len().min(recent_cap);
        let excess = (hs.recent.len() + keep).saturating_sub(recent_cap);
        hs.recent.drain(..excess);
        hs.recent.extend(&data[data.len() - keep..]);
        h.on_data(&self.info, dir, chunk);
    }

    /// Delivers buffered pieces that now follow on.
    pub(super) fn drain(&mut self, dir: Direction, h: &mut dyn StreamHandler) {
        loop {
            let hs = &mut self.half[dir.index()];
            let Some(entry) = hs.pending.first_entry() else {
                return;
            };
            let off = *entry.key();
            if off > hs.next_off {
                return;
            }
            let p = entry.remove();
            hs.pending_bytes = hs.pending_bytes.saturating_sub(p.data.len());
            let end = off + p.len();
            if end <= hs.next_off {
                continue;
            }
            let skip = (hs.next_off - off) as usize;
            if p.data.is_empty() {
                let len = end - hs.next_off;
                self.gap(dir, len, p.frame, true, h);
            } else {
                self.deliver(dir, &p.data[skip..], p.frame, p.ts, h);
            }
        }
    }

    pub(super) fn accept(
        &mut self,
        dir: Direction,
        data_seq: u32,
        seg: &TcpSegment<'_>,
        config: &TcpConfig,
        h: &mut dyn StreamHandler,
    ) {
        let i = dir.index();
        let start = self.half[i].offset_of(data_seq);
        let mut data = seg.payload;
        let mut start = start;
        // Bytes before the stream's first captured byte cannot be placed.
        if start < 0 {
            let cut = usize::try_from(-start)
                .unwrap_or(usize::MAX)
                .min(data.len());
            data = &data[cut..];
            start += cut as i64;
            if start < 0 {
                return;
            }
        }
        let start = start as u64;
        let missing = u64::from(seg.missing);
        if seg.missing > 0 {
            self.detail.truncated_segments += 1;
        }
        let next = self.half[i].next_off;
        let end = start + data.len() as u64 + missing;
        if end <= next {
            self.detail.retransmitted_segments += 1;
            self.check_retransmission(dir, start, data, seg.frame, h);
            return;
        }
        if start < next {
            // Partly new: compare the old part, keep the new part.
            self.detail.retransmitted_segments += 1;
            let old = ((next - start) as usize).min(data.len());
            self.check_retransmission(dir, start, &data[..old], seg.frame, h);
            let rest = &data[old..];
            let rest_missing = end - next - rest.len() as u64;
            self.place(dir, next, rest, rest_missing, seg, config, h);
        } else {
            if start > next || !self.half[i].pending.is_empty() {
                self.detail.out_of_order_segments += u64::from(start > next);
            }
            self.place(dir, start, data, missing, seg, config, h);
        }
    }

    /// Puts new bytes (and a trailing snaplen hole) at `start`, delivering
    /// what follows on and buffering the rest.
    #[allow(clippy::too_many_arguments)]
    fn place(
        &mut self,
        dir: Direction,
        start: u64,
        data: &[u8],
        missing: u64,
        seg: &TcpSegment<'_>,
        config: &TcpConfig,
        h: &mut dyn StreamHandler,
    ) {
        let i = dir.index();
        if start == self.half[i].next_off && self.half[i].pending.is_empty() {
            self.deliver(dir, data, seg.frame, seg.ts, h);
            if missing > 0 {
                self.gap(dir, missing, seg.frame, true, h);
            }
            return;
        }
        self.buffer(dir, start, data, seg.frame, seg.ts, h);
        if missing > 0 {
            self.buffer_hole(dir, start + data.len() as u64, missing, seg.frame, seg.ts);
        }
        self.drain(dir, h);
        // Too much waiting behind a hole: give the hole up as a gap.
        loop {
            let hs = &self.half[i];
            if hs.pending_bytes <= config.max_buffered_bytes
                && hs.pending.len() <= config.max_buffered_segments
            {
                break;
            }
            let Some((&off, p)) = hs.pending.first_key_value() else {
                break;
            };
            let frame = p.frame;
            let next = hs.next_off;
            self.detail.buffer_overflows += 1;
            if off > next {
                self.gap(dir, off - next, frame, false, h);
            }
            self.drain(dir, h);
        }
    }

    /// Inserts bytes into the out-of-order buffer, first copy wins: only the
    /// parts no earlier segment covers are added; overlapping parts are
    /// compared.
    fn buffer(
        &mut self,
        dir: Direction,
        start: u64,
        data: &[u8],
        frame: u64,
        ts: Timestamp,
        h: &mut dyn StreamHandler,
    ) {
        let end = start + data.len() as u64;
        let hs = &mut self.half[dir.index()];
        let mut pieces: Vec<(u64, u64)> = Vec::new();
        let mut conflict: Option<u64> = None;
        let mut cur = start;
        // The entry that starts before `start` may reach into it.
        let before = hs.pending.range(..start).next_back().map(|(&o, p)| (o, p));
        let mut overlapping: Vec<(u64, &Pending)> = Vec::new();
        if let Some((o, p)) = before {
            if o + p.len() > start {
                overlapping.push((o, p));
            }
        }
        overlapping.extend(hs.pending.range(start..end).map(|(&o, p)| (o, p)));
        for (o, p) in overlapping {
            let pe = o + p.len();
            if o > cur {
                pieces.push((cur, o.min(end)));
            }
            // Compare the overlap.
            let (ov_s, ov_e) = (o.max(start), pe.min(end));
            if ov_s < ov_e && !p.data.is_empty() && conflict.is_none() {
                let a = &data[(ov_s - start) as usize..(ov_e - start) as usize];
                let b = &p.data[(ov_s - o) as usize..(ov_e - o) as usize];
                if a != b {
                    conflict = Some(ov_s);
                }
            }
            cur = cur.max(pe);
        }
        if cur < end {
            pieces.push((cur, end));
        }
        for (s, e) in pieces {
            let bytes = data[(s - start) as usize..(e - start) as usize].to_vec();
            hs.pending_bytes += bytes.len();
            hs.pending.insert(
                s,
                Pending {
                    data: bytes,
                    hole: 0,
                    frame,
                    ts,
                },
            );
        }
        if let Some(off) = conflict {
            self.detail.conflicting_overlaps += 1;
            h.on_conflict(&self.info, dir, off, frame);
        }
    }

    fn buffer_hole(&mut self, dir: Direction, start: u64, len: u64, frame: u64, ts: Timestamp) {
        let hs = &mut self.half[dir.index()];
        let covered = hs
            .pending
            .range(..start + len)
            .next_back()
            .is_some_and(|(&o, p)| o + p.len() > start);
        if !covered {
            hs.pending.insert(
                start,
                Pending {
                    data: Vec::new(),
                    hole: len,
                    frame,
                    ts,
                },
            );
        }
    }

    /// Compares retransmitted bytes with what was delivered, as far as the
    /// remembered tail reaches.
    fn check_retransmission(
        &mut self,
        dir: Direction,
        start: u64,
        data: &[u8],
        frame: u64,
        h: &mut dyn StreamHandler,
    ) {
        let hs = &self.half[dir.index()];
        let tail_start = hs.next_off - hs.recent.len() as u64;
        let s = start.max(tail_start);
        let e = (start + data.len() as u64).min(hs.next_off);
        if s >= e {
            return;
        }
        let new = &data[(s - start) as usize..(e - start) as usize];
        let old = hs
            .recent
            .range((s - tail_start) as usize..(e - tail_start) as usize);
        if !old.eq(new.iter()) {
            self.detail.conflicting_overlaps += 1;
            h.on_conflict(&self.info, dir, s, frame);
        }
    }
}
