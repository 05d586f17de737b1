//! One connection: its state ([`Conn`]), who is the client (from the SYN,
//! else from the TLS handshake messages of the first data, else the higher
//! port), each segment's flags (FIN, RST) and data handed to the
//! direction's reassembly, closing, flushing what is held, and the summary
//! given to the handler.

use super::half::{HalfStream, NO_FIN};
use super::reassembler::{flow_key, FlowKey};
use super::{
    CloseEvent, ConnDetail, ConnEnd, ConnInfo, ConnSummary, Direction, RoleSource, StreamHandler,
    TcpConfig,
};
use crate::net::TcpSegment;
use std::collections::{BTreeMap, VecDeque};

#[derive(Debug)]
pub(super) struct Conn {
    pub(super) info: ConnInfo,
    /// [`TcpConfig::recent_bytes`]: the one limit needed off the path of a
    /// segment (which is handed the whole configuration).
    pub(super) recent_cap: u32,
    pub(super) role_final: bool,
    pub(super) opened: bool,
    pub(super) half: [HalfStream; 2],
    pub(super) first_frame: u64,
    pub(super) last_frame: u64,
    pub(super) packets: u64,
    pub(super) gaps: u64,
    pub(super) rst: bool,
    /// Both directions closed (or reset): buffers are released.
    pub(super) closed: bool,
    pub(super) detail: ConnDetail,
}

/// Looks like the start of a TLS ClientHello (record or SSLv2-compatible).
fn looks_like_client_hello(p: &[u8]) -> bool {
    match p {
        [0x16, 0x03, _, _, _, 0x01, ..] => true,
        [b0, _, 0x01, 0x03 | 0x00 | 0x02, ..] if b0 & 0x80 != 0 => true,
        _ => false,
    }
}

/// Who sent these bytes, judged from the TLS handshake messages at their
/// start: `Some(true)` for the client (ClientHello, ClientKeyExchange,
/// CertificateVerify), `Some(false)` for the server (ServerHello,
/// NewSessionTicket, ServerKeyExchange, CertificateRequest,
/// ServerHelloDone). A Certificate says nothing by itself (both sides send
/// one) but the message after it does. Only whole record headers in `p` are
/// looked at; `None` when nothing decides.
pub(super) fn tls_sender_is_client(p: &[u8]) -> Option<bool> {
    if looks_like_client_hello(p) {
        return Some(true);
    }
    let mut rest = p;
    // A few records at most: this runs once per connection.
    for _ in 0..8 {
        let [ct, 3, _, hi, lo, body @ ..] = rest else {
            return None;
        };
        let len = usize::from(u16::from_be_bytes([*hi, *lo]));
        if !(20..=23).contains(ct) {
            return None;
        }
        let body = &body[..len.min(body.len())];
        if *ct == 22 {
            let mut msgs = body;
            while let [t, more @ ..] = msgs {
                match t {
                    1 | 15 | 16 => return Some(true),
                    2 | 4 | 12 | 13 | 14 => return Some(false),
                    11 => {}
                    _ => return None,
                }
                let [a, b, c, more @ ..] = more else {
                    return None;
                };
                let mlen = usize::from(*a) << 16 | usize::from(*b) << 8 | usize::from(*c);
                msgs = more.get(mlen..)?;
            }
        }
        rest = rest.get(5 + len..)?;
    }
    None
}

impl Conn {
    /// The flow table's key: the endpoints in a fixed order.
    pub(super) fn key(&self) -> FlowKey {
        flow_key(self.info.client, self.info.server)
    }

    /// Whether `key` (in that order) names this connection's endpoints.
    pub(super) fn has_key(&self, key: &FlowKey) -> bool {
        let (c, s) = (&self.info.client, &self.info.server);
        (*c == key.0 && *s == key.1) || (*c == key.1 && *s == key.0)
    }

    pub(super) fn buffered_cost(&self) -> usize {
        self.half[0].buffered_cost() + self.half[1].buffered_cost()
    }

    /// The frame of the earliest piece this connection holds out of order.
    pub(super) fn oldest_pending_frame(&self) -> Option<u64> {
        self.half
            .iter()
            .flat_map(|hs| hs.pending.values().map(|p| p.frame))
            .min()
    }

    /// Gives up the holes both directions wait on: they become gaps and
    /// what was held behind them is delivered.
    pub(super) fn release_pending(&mut self, h: &mut dyn StreamHandler) {
        if self.half.iter().all(|hs| hs.pending.is_empty()) {
            return;
        }
        self.detail.budget_releases += 1;
        self.ensure_open(h);
        for dir in [Direction::ClientToServer, Direction::ServerToClient] {
            self.give_up_holes(dir, h);
        }
    }

    /// Delivers everything buffered in one direction, each hole before a
    /// piece reported as a gap.
    fn give_up_holes(&mut self, dir: Direction, h: &mut dyn StreamHandler) {
        while let Some((&off, p)) = self.half[dir.index()].pending.first_key_value() {
            let frame = p.frame;
            let next = self.half[dir.index()].next_off;
            if off > next {
                self.gap(dir, off - next, frame, false, h);
            }
            self.drain(dir, h);
        }
    }

    fn ensure_open(&mut self, h: &mut dyn StreamHandler) {
        if !self.opened {
            self.opened = true;
            self.role_final = true;
            self.detail.role_source = Some(self.info.role_source);
            h.on_open(&self.info);
        }
    }

    pub(super) fn process(
        &mut self,
        seg: &TcpSegment<'_>,
        config: &TcpConfig,
        h: &mut dyn StreamHandler,
    ) {
        self.packets += 1;
        self.last_frame = seg.frame;
        self.detail.last_ts = seg.ts;

        // Settle who is the client before anything is delivered.
        if !self.role_final {
            if seg.flags.syn {
                let client = if seg.flags.ack { seg.dst } else { seg.src };
                if client != self.info.client {
                    self.swap_roles();
                }
                self.info.role_source = RoleSource::Syn;
                self.role_final = true;
            } else if !seg.payload.is_empty() {
                match tls_sender_is_client(seg.payload) {
                    Some(true) => {
                        if seg.src != self.info.client {
                            self.swap_roles();
                        }
                        self.info.role_source = if looks_like_client_hello(seg.payload) {
                            RoleSource::ClientHello
                        } else {
                            RoleSource::HandshakeMessage
                        };
                    }
                    Some(false) => {
                        if seg.src != self.info.server {
                            self.swap_roles();
                        }
                        self.info.role_source = RoleSource::HandshakeMessage;
                    }
                    None => {}
                }
                self.role_final = true;
            }
        }

        let dir = if seg.src == self.info.client {
            Direction::ClientToServer
        } else {
            Direction::ServerToClient
        };

        if seg.flags.rst || seg.flags.fin {
            let closes = self.detail.close_events.get_or_insert_default();
            let close = &mut closes[dir.index()];
            if close.is_none() {
                *close = Some(CloseEvent {
                    frame: seg.frame,
                    ts: seg.ts,
                    rst: seg.flags.rst,
                });
            }
        }
        if seg.flags.rst {
            self.rst = true;
            self.ensure_open(h);
            self.close(h);
            return;
        }
        if self.closed {
            return;
        }

        let i = dir.index();
        if seg.flags.syn {
            let half = &mut self.half[i];
            if !half.anchored {
                half.anchored = true;
                half.next_seq = seg.seq.wrapping_add(1);
                half.next_off = 0;
            }
            if seg.payload.is_empty() && seg.missing == 0 && !seg.flags.fin {
                return;
            }
        }

        let data_seq = if seg.flags.syn {
            seg.seq.wrapping_add(1)
        } else {
            seg.seq
        };
        let has_data = !seg.payload.is_empty() || seg.missing > 0;
        if has_data || seg.flags.fin {
            let half = &mut self.half[i];
            if !half.anchored {
                // Mid-stream: the first byte seen is offset 0.
                half.anchored = true;
                half.next_seq = data_seq;
                half.next_off = 0;
            }
        }
        if has_data {
            self.ensure_open(h);
            self.accept(dir, data_seq, seg, config, h);
        }
        if seg.flags.fin {
            let half = &mut self.half[i];
            let end = half.offset_of(data_seq) + seg.payload.len() as i64 + i64::from(seg.missing);
            if half.fin().is_none() {
                half.fin_off = (end.max(0) as u64).min(NO_FIN - 1);
            }
            if self.half[0].fin().is_some() && self.half[1].fin().is_some() {
                // Both sides said they are done: what is still missing will
                // not come.
                self.ensure_open(h);
                self.close(h);
            }
        }
    }

    fn swap_roles(&mut self) {
        std::mem::swap(&mut self.info.client, &mut self.info.server);
        self.half.swap(0, 1);
    }

    /// Closes the connection: holes become gaps, buffers are released.
    fn close(&mut self, h: &mut dyn StreamHandler) {
        if !self.closed {
            self.flush(h);
            self.closed = true;
            if self.opened {
                h.on_ended(&self.info);
            }
        }
    }

    /// Delivers everything still buffered, reporting holes as gaps.
    pub(super) fn flush(&mut self, h: &mut dyn StreamHandler) {
        if self.half.iter().any(|hs| !hs.pending.is_empty()) {
            self.ensure_open(h);
        }
        for dir in [Direction::ClientToServer, Direction::ServerToClient] {
            self.give_up_holes(dir, h);
            // A FIN beyond the last byte delivered: the bytes before it were
            // sent but never captured.
            let hs = &self.half[dir.index()];
            if let Some(fin) = hs.fin() {
                if fin > hs.next_off && hs.anchored {
                    let len = fin - hs.next_off;
                    // The gap may be all this direction ever had: the
                    // handler still hears of the connection first.
                    self.ensure_open(h);
                    let frame = self.last_frame;
                    self.gap(dir, len, frame, false, h);
                }
            }
            let hs = &mut self.half[dir.index()];
            hs.recent = VecDeque::new();
            hs.pending = BTreeMap::new();
            hs.pending_bytes = 0;
        }
    }

    pub(super) fn summary(&self) -> ConnSummary {
        let end = if self.rst {
            ConnEnd::Rst
        } else if self.half.iter().any(|h| h.fin().is_some()) {
            ConnEnd::Fin
        } else {
            ConnEnd::Open
        };
        let mut detail = self.detail.clone();
        detail.role_source = Some(self.info.role_source);
        ConnSummary {
            id: self.info.id,
            client: crate::net::endpoint_text(&self.info.client),
            server: crate::net::endpoint_text(&self.info.server),
            first_frame: self.first_frame,
            last_frame: self.last_frame,
            packets: self.packets,
            client_bytes: self.half[0].delivered + self.half[0].cut,
            server_bytes: self.half[1].delivered + self.half[1].cut,
            gaps: self.gaps,
            end,
            detail,
        }
    }
}
