//! The flow table: connections looked up by their endpoints, created
//! (with a first guess at roles) and finished, and the limits that bound
//! it under attack: the number of connections (the least recently active
//! are evicted), closed connections lingering (swept), and out-of-order
//! bytes across all connections (the oldest holders give their holes up).

use super::conn::Conn;
use super::half::HalfStream;
use super::{ConnDetail, ConnInfo, RoleSource, StreamHandler, TcpConfig, TcpStats};
use crate::capture::Timestamp;
use crate::net::TcpSegment;
use std::hash::BuildHasher;
use std::net::SocketAddr;

pub(super) type FlowKey = (SocketAddr, SocketAddr);

pub(super) fn flow_key(a: SocketAddr, b: SocketAddr) -> FlowKey {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

/// The reassembler for a whole capture.
pub struct TcpReassembler {
    config: TcpConfig,
    /// Looked up once per segment, by the hash of the flow key: the key is
    /// not stored again, each connection's endpoints are compared. foldhash,
    /// seeded per process, is several times faster than SipHash here and
    /// still not predictable from a capture. Boxed: a slot is one pointer
    /// (hashbrown keeps up to twice as many slots as entries).
    pub(super) conns: hashbrown::HashTable<Box<Conn>>,
    hasher: foldhash::fast::RandomState,
    next_id: u64,
    since_sweep: u32,
    /// Out-of-order bytes held across all connections, bookkeeping included.
    buffered: usize,
    stats: TcpStats,
}

impl Default for TcpReassembler {
    fn default() -> Self {
        Self::new(TcpConfig::default())
    }
}

impl TcpReassembler {
    pub fn new(config: TcpConfig) -> Self {
        TcpReassembler {
            config,
            conns: hashbrown::HashTable::new(),
            hasher: foldhash::fast::RandomState::default(),
            next_id: 1,
            since_sweep: 0,
            buffered: 0,
            stats: TcpStats::default(),
        }
    }

    /// Connections seen so far (open, finished or evicted).
    pub fn connections_seen(&self) -> u64 {
        self.next_id - 1
    }

    /// Connections currently held.
    pub fn open_connections(&self) -> usize {
        self.conns.len()
    }

    /// Out-of-order bytes held now across all connections, bookkeeping
    /// included.
    pub fn buffered_total(&self) -> usize {
        self.buffered
    }

    /// What the limits did so far.
    pub fn stats(&self) -> TcpStats {
        self.stats
    }

    /// Processes one segment.
    pub fn process(&mut self, seg: &TcpSegment<'_>, h: &mut dyn StreamHandler) {
        let key = flow_key(seg.src, seg.dst);
        let hash = self.hasher.hash_one(key);
        // A new SYN on a closed 4-tuple starts a new connection.
        if seg.flags.syn && !seg.flags.ack {
            let restart = match self.conns.find(hash, |c| c.has_key(&key)) {
                Some(c) => {
                    c.closed
                        || c.rst
                        || (c.info.client == seg.src
                            && c.half[0].anchored
                            && c.half[0].fin().is_some())
                }
                None => false,
            };
            if restart {
                if let Some(old) = self.remove(hash, &key) {
                    self.finish(old, h);
                }
            }
        }
        if self.conns.find(hash, |c| c.has_key(&key)).is_none() {
            if self.conns.len() >= self.config.max_connections.max(1) {
                self.evict(h);
            }
            let id = self.next_id;
            self.next_id += 1;
            let (client, server, role_final, source) = if seg.flags.syn && !seg.flags.ack {
                (seg.src, seg.dst, true, RoleSource::Syn)
            } else if seg.flags.syn {
                (seg.dst, seg.src, true, RoleSource::Syn)
            } else if seg.src.port() >= seg.dst.port() {
                (seg.src, seg.dst, false, RoleSource::HigherPort)
            } else {
                (seg.dst, seg.src, false, RoleSource::HigherPort)
            };
            let conn = Box::new(Conn {
                info: ConnInfo {
                    id,
                    client,
                    server,
                    role_source: source,
                },
                recent_cap: u32::try_from(self.config.recent_bytes).unwrap_or(u32::MAX),
                role_final,
                opened: false,
                half: [HalfStream::default(), HalfStream::default()],
                first_frame: seg.frame,
                last_frame: seg.frame,
                packets: 0,
                gaps: 0,
                rst: false,
                closed: false,
                detail: ConnDetail {
                    first_ts: seg.ts,
                    last_ts: seg.ts,
                    ..ConnDetail::default()
                },
            });
            let hasher = &self.hasher;
            self.conns
                .insert_unique(hash, conn, |c| hasher.hash_one(c.key()));
            self.stats.peak_connections = self.stats.peak_connections.max(self.conns.len());
        }
        if let Some(conn) = self.conns.find_mut(hash, |c| c.has_key(&key)) {
            let before = conn.buffered_cost();
            conn.process(seg, &self.config, h);
            self.buffered = (self.buffered + conn.buffered_cost()).saturating_sub(before);
            self.stats.peak_buffered = self.stats.peak_buffered.max(self.buffered);
        }
        if self.buffered > self.config.max_buffered_total {
            self.release_oldest(h);
        }

        self.since_sweep += 1;
        if self.since_sweep >= 4096 {
            self.since_sweep = 0;
            self.sweep(seg.ts, h);
        }
    }

    /// Finishes closed connections that have been quiet for a while, and
    /// the quietest ones when too many linger.
    fn sweep(&mut self, now: Timestamp, h: &mut dyn StreamHandler) {
        let linger = self.config.closed_linger_secs;
        let mut closed: Vec<(Timestamp, FlowKey)> = self
            .conns
            .iter()
            .filter(|c| c.closed)
            .map(|c| (c.detail.last_ts, c.key()))
            .collect();
        closed.sort();
        let excess = closed.len().saturating_sub(self.config.max_lingering / 2);
        let done: Vec<FlowKey> = closed
            .iter()
            .enumerate()
            .filter(|(i, (last, _))| {
                (closed.len() > self.config.max_lingering && *i < excess)
                    || now.secs.saturating_sub(last.secs) > linger
            })
            .map(|(_, (_, k))| *k)
            .collect();
        let mut finished: Vec<Box<Conn>> = done.iter().filter_map(|k| self.remove_key(k)).collect();
        finished.sort_by_key(|c| c.info.id);
        for c in finished {
            self.finish(c, h);
        }
    }

    /// Too many connections: finishes the least recently active sixteenth
    /// of them (at least one), so the cost of choosing them is spread over
    /// the connections that take their place.
    fn evict(&mut self, h: &mut dyn StreamHandler) {
        let n = (self.config.max_connections / 16).max(1);
        let mut quiet: Vec<(u64, u64, FlowKey)> = self
            .conns
            .iter()
            .map(|c| (c.last_frame, c.info.id, c.key()))
            .collect();
        if n < quiet.len() {
            quiet.select_nth_unstable(n - 1);
            quiet.truncate(n);
        }
        quiet.sort_by_key(|q| q.1);
        for (_, _, k) in quiet {
            if let Some(mut c) = self.remove_key(&k) {
                c.detail.evicted = true;
                self.stats.evicted_connections += 1;
                self.finish(c, h);
            }
        }
    }

    /// Over the global out-of-order budget: the connections holding the
    /// oldest data give up the holes they wait on (reported as gaps) until
    /// three quarters of the budget are left, so the scan that picks them
    /// is paid for by a quarter of the budget's worth of new bytes.
    fn release_oldest(&mut self, h: &mut dyn StreamHandler) {
        let target = self.config.max_buffered_total / 4 * 3;
        let mut holders: Vec<(u64, FlowKey)> = self
            .conns
            .iter()
            .filter_map(|c| c.oldest_pending_frame().map(|f| (f, c.key())))
            .collect();
        holders.sort_unstable();
        for (_, k) in holders {
            if self.buffered <= target {
                break;
            }
            let hash = self.hasher.hash_one(k);
            if let Some(c) = self.conns.find_mut(hash, |c| c.has_key(&k)) {
                let before = c.buffered_cost();
                c.release_pending(h);
                self.buffered = (self.buffered + c.buffered_cost()).saturating_sub(before);
                self.stats.budget_releases += 1;
            }
        }
    }

    fn remove(&mut self, hash: u64, key: &FlowKey) -> Option<Box<Conn>> {
        let entry = self.conns.find_entry(hash, |c| c.has_key(key)).ok()?;
        Some(entry.remove().0)
    }

    fn remove_key(&mut self, key: &FlowKey) -> Option<Box<Conn>> {
        self.remove(self.hasher.hash_one(key), key)
    }

    fn finish(&mut self, mut conn: Box<Conn>, h: &mut dyn StreamHandler) {
        self.buffered = self.buffered.saturating_sub(conn.buffered_cost());
        conn.flush(h);
        let summary = conn.summary();
        h.on_close(&conn.info, &summary);
    }

    /// Ends the capture: every connection still held is flushed (holes
    /// become gaps) and finished, in the order they started.
    pub fn finish_all(&mut self, h: &mut dyn StreamHandler) {
        let mut all: Vec<Box<Conn>> = self.conns.drain().collect();
        all.sort_by_key(|c| c.info.id);
        for c in all {
            self.finish(c, h);
        }
    }
}
