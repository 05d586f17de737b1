//! TCP reassembly: segments in capture order in, per-direction byte streams
//! in sequence order out.
//!
//! Connections are keyed by their 4-tuple. Per direction, bytes are handed on
//! exactly once and in order: retransmitted bytes are dropped (and compared
//! with what was delivered, to report conflicting overlaps), out-of-order
//! segments wait in a bounded buffer until the hole before them fills, and a
//! hole that never fills (bytes the capture missed) is reported as a gap with
//! its offset and size, after which delivery goes on. Sequence numbers wrap;
//! stream offsets are 64-bit and count from the first byte after the SYN (or
//! from the first byte seen when the capture starts mid-stream).
//!
//! Every delivered chunk carries the frame number and timestamp of the packet
//! that carried it. A connection's buffers are released as soon as both
//! sides have closed (FIN or RST), so memory is bounded by the connections
//! open at once and the out-of-order limit, not by the capture's length.
//!
//! Under attack both of those are bounded too: at most
//! [`TcpConfig::max_connections`] connections are tracked (beyond it the
//! least recently active are finished early, flagged as evicted), and the
//! bytes held out of order across all connections stay within
//! [`TcpConfig::max_buffered_total`] (beyond it the connections holding the
//! oldest data give their holes up as gaps). Both are counted in
//! [`TcpStats`].

use super::TcpSegment;
use crate::capture::Timestamp;
use std::collections::{BTreeMap, VecDeque};
use std::hash::BuildHasher;
use std::net::SocketAddr;

/// Which way bytes flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// From the client (the side that sent the SYN) to the server.
    #[serde(rename = "client")]
    ClientToServer,
    #[serde(rename = "server")]
    ServerToClient,
}

impl Direction {
    fn index(self) -> usize {
        match self {
            Direction::ClientToServer => 0,
            Direction::ServerToClient => 1,
        }
    }

    pub fn reverse(self) -> Direction {
        match self {
            Direction::ClientToServer => Direction::ServerToClient,
            Direction::ServerToClient => Direction::ClientToServer,
        }
    }

    /// "client" or "server": the side that sends in this direction.
    pub fn sender(self) -> &'static str {
        match self {
            Direction::ClientToServer => "client",
            Direction::ServerToClient => "server",
        }
    }
}

/// Who is who in a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnInfo {
    /// 1-based, in the order connections start in the capture.
    pub id: u64,
    pub client: SocketAddr,
    pub server: SocketAddr,
    /// How the client was told apart from the server.
    pub role_source: RoleSource,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleSource {
    /// The client sent the SYN.
    Syn,
    /// The capture starts mid-stream; the client sent a TLS ClientHello.
    ClientHello,
    /// The capture starts mid-stream; a handshake message only one side
    /// sends names the sender: a ServerHello or the rest of the server's
    /// flight (its Certificate followed by ServerKeyExchange,
    /// CertificateRequest or ServerHelloDone; a NewSessionTicket) for the
    /// server, a ClientKeyExchange or CertificateVerify for the client.
    HandshakeMessage,
    /// Neither was seen: the higher port is taken to be the client's.
    HigherPort,
}

/// Bytes of one direction, in order.
#[derive(Debug, Clone, Copy)]
pub struct Chunk<'a> {
    pub data: &'a [u8],
    /// Stream offset of `data[0]`.
    pub offset: u64,
    /// The frame that carried these bytes, and its time.
    pub frame: u64,
    pub ts: Timestamp,
    /// The frame whose arrival made them deliverable: later than `frame`
    /// when they waited behind a hole. A message completed by these bytes
    /// is seen at this frame, as tshark shows reassembled data.
    pub ready_frame: u64,
    pub ready_ts: Timestamp,
}

/// Bytes the capture does not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Gap {
    /// Stream offset of the first missing byte.
    pub offset: u64,
    pub len: u64,
    /// The frame after which the bytes are missing: where delivery resumes
    /// (or the truncated frame itself).
    pub frame: u64,
    /// The bytes were on the wire but the snaplen cut them off.
    pub truncated: bool,
}

/// How a connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ConnEnd {
    Fin,
    Rst,
    Open,
}

/// Totals for a connection, handed on when it is finished.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConnSummary {
    pub id: u64,
    pub client: String,
    pub server: String,
    pub first_frame: u64,
    pub last_frame: u64,
    pub packets: u64,
    pub client_bytes: u64,
    pub server_bytes: u64,
    pub gaps: u64,
    pub end: ConnEnd,
    #[serde(skip)]
    pub detail: ConnDetail,
}

/// Counters beyond the stable `connections` schema.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnDetail {
    pub gap_bytes: u64,
    pub truncated_segments: u64,
    pub retransmitted_segments: u64,
    pub out_of_order_segments: u64,
    pub conflicting_overlaps: u64,
    /// Segments dropped because the out-of-order buffer was full.
    pub buffer_overflows: u64,
    /// Times the global out-of-order budget made this connection give up
    /// the holes it waited on.
    pub budget_releases: u64,
    /// Finished early: too many connections were open, and this one had
    /// been quiet longest. Later packets of its 4-tuple start a new one.
    pub evicted: bool,
    pub first_ts: Timestamp,
    pub last_ts: Timestamp,
    pub role_source: Option<RoleSource>,
    /// The first FIN or RST each side (client, server) sent: who closed
    /// first tells a refusal from a client that gave up. Boxed, absent
    /// until a side closes: an open connection stays small. Read it with
    /// [`ConnDetail::closes`].
    pub close_events: Option<Box<[Option<CloseEvent>; 2]>>,
}

impl ConnDetail {
    /// The first FIN or RST each side (client, server) sent.
    pub fn closes(&self) -> [Option<CloseEvent>; 2] {
        self.close_events.as_deref().copied().unwrap_or_default()
    }
}

/// A side's first FIN or RST.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloseEvent {
    pub frame: u64,
    pub ts: Timestamp,
    pub rst: bool,
}

/// Receives what the reassembler produces. `on_open` comes before any other
/// call for a connection, `on_close` last.
pub trait StreamHandler {
    fn on_open(&mut self, _conn: &ConnInfo) {}
    fn on_data(&mut self, conn: &ConnInfo, dir: Direction, chunk: Chunk<'_>);
    fn on_gap(&mut self, _conn: &ConnInfo, _dir: Direction, _gap: Gap) {}
    /// Bytes retransmitted with different content than first seen (the first
    /// copy was kept).
    fn on_conflict(&mut self, _conn: &ConnInfo, _dir: Direction, _offset: u64, _frame: u64) {}
    /// Both sides have closed (FIN or RST): no more bytes will be
    /// delivered. `on_close` follows once the connection has been quiet a
    /// while (its late ACKs still count); meanwhile the handler may let go
    /// of what it only needed for bytes still to come.
    fn on_ended(&mut self, _conn: &ConnInfo) {}
    fn on_close(&mut self, conn: &ConnInfo, summary: &ConnSummary);
    /// Secrets embedded in the capture (a pcapng Decryption Secrets Block
    /// holding an NSS key log), in capture order.
    fn on_capture_secrets(&mut self, _text: &[u8]) {}
    /// What the handler's own limits did over the capture (the TLS
    /// layer's budget for partial records and messages), reported with the
    /// reassembler's.
    fn stats(&self) -> HandlerStats {
        HandlerStats::default()
    }
}

/// What a [`StreamHandler`]'s limits did over a capture.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct HandlerStats {
    /// Connections whose partial data was given up because the handler's
    /// buffer budget across connections was exceeded.
    pub budget_releases: u64,
    /// The most room its buffers took at once.
    pub peak_held: usize,
}

impl HandlerStats {
    /// Adds another handler's (one thread's of several).
    pub fn add(&mut self, other: HandlerStats) {
        self.budget_releases += other.budget_releases;
        self.peak_held += other.peak_held;
    }
}

/// Limits on what a capture can make the reassembler hold.
#[derive(Debug, Clone, Copy)]
pub struct TcpConfig {
    /// Out-of-order bytes buffered per direction before the hole is given up
    /// as a gap.
    pub max_buffered_bytes: usize,
    /// Out-of-order segments buffered per direction.
    pub max_buffered_segments: usize,
    /// Delivered bytes remembered per direction to check retransmissions.
    pub recent_bytes: usize,
    /// A closed connection is finished after this much capture time without
    /// packets (it keeps only counters meanwhile, so its late ACKs still count).
    pub closed_linger_secs: i64,
    /// At most this many closed connections linger; beyond it the ones
    /// quiet longest are finished early.
    pub max_lingering: usize,
    /// Connections tracked at once; beyond it the least recently active are
    /// finished early (evicted) and counted.
    pub max_connections: usize,
    /// Out-of-order bytes held across all connections (each buffered piece
    /// also counts [`PENDING_ENTRY_COST`] bytes of bookkeeping); beyond it
    /// the connections holding the oldest data give their holes up as gaps.
    pub max_buffered_total: usize,
}

/// What one buffered out-of-order piece costs beyond its bytes (its
/// B-tree slot and allocation), for [`TcpConfig::max_buffered_total`].
pub const PENDING_ENTRY_COST: usize = 128;

/// What the limits did over a capture.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct TcpStats {
    /// Connections finished early because [`TcpConfig::max_connections`]
    /// were open.
    pub evicted_connections: u64,
    /// Connections whose held data was released as gaps because the
    /// global out-of-order budget was exceeded.
    pub budget_releases: u64,
    /// The most connections tracked at once.
    pub peak_connections: usize,
    /// The most out-of-order bytes (with bookkeeping) held at once.
    pub peak_buffered: usize,
}

impl Default for TcpConfig {
    fn default() -> Self {
        TcpConfig {
            max_buffered_bytes: 2 * 1024 * 1024,
            max_buffered_segments: 4096,
            recent_bytes: 8 * 1024,
            closed_linger_secs: 5,
            max_lingering: 512,
            max_connections: 32_768,
            max_buffered_total: 64 * 1024 * 1024,
        }
    }
}

/// A buffered out-of-order piece: either bytes or a hole the snaplen made.
#[derive(Debug)]
struct Pending {
    data: Vec<u8>,
    /// Length of a hole (when `data` is empty).
    hole: u64,
    frame: u64,
    ts: Timestamp,
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
const NO_FIN: u64 = u64::MAX;

#[derive(Debug)]
struct HalfStream {
    /// Whether `next_seq` has been established (SYN or first data).
    anchored: bool,
    next_seq: u32,
    next_off: u64,
    pending: BTreeMap<u64, Pending>,
    pending_bytes: usize,
    /// Stream offset of the FIN, once seen ([`NO_FIN`] before): not an
    /// `Option`, which would take 8 bytes more.
    fin_off: u64,
    /// The last bytes delivered, to compare retransmissions with.
    recent: VecDeque<u8>,
    delivered: u64,
    /// Bytes the packets carried that the snaplen cut off: on the wire,
    /// counted in the connection's bytes, but never delivered.
    cut: u64,
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
    fn fin(&self) -> Option<u64> {
        (self.fin_off != NO_FIN).then_some(self.fin_off)
    }

    /// What the out-of-order buffer holds, bookkeeping included.
    fn buffered_cost(&self) -> usize {
        self.pending_bytes + self.pending.len() * PENDING_ENTRY_COST
    }

    /// Offset (possibly negative: before the anchor) of a sequence number.
    fn offset_of(&self, seq: u32) -> i64 {
        let rel = seq.wrapping_sub(self.next_seq) as i32;
        self.next_off as i64 + i64::from(rel)
    }
}

#[derive(Debug)]
struct Conn {
    info: ConnInfo,
    /// [`TcpConfig::recent_bytes`]: the one limit needed off the path of a
    /// segment (which is handed the whole configuration).
    recent_cap: u32,
    role_final: bool,
    opened: bool,
    half: [HalfStream; 2],
    first_frame: u64,
    last_frame: u64,
    packets: u64,
    gaps: u64,
    rst: bool,
    /// Both directions closed (or reset): buffers are released.
    closed: bool,
    detail: ConnDetail,
}

type FlowKey = (SocketAddr, SocketAddr);

fn flow_key(a: SocketAddr, b: SocketAddr) -> FlowKey {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
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
fn tls_sender_is_client(p: &[u8]) -> Option<bool> {
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

/// The reassembler for a whole capture.
pub struct TcpReassembler {
    config: TcpConfig,
    /// Looked up once per segment, by the hash of the flow key: the key is
    /// not stored again, each connection's endpoints are compared. foldhash,
    /// seeded per process, is several times faster than SipHash here and
    /// still not predictable from a capture. Boxed: a slot is one pointer
    /// (hashbrown keeps up to twice as many slots as entries).
    conns: hashbrown::HashTable<Box<Conn>>,
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

impl Conn {
    /// The flow table's key: the endpoints in a fixed order.
    fn key(&self) -> FlowKey {
        flow_key(self.info.client, self.info.server)
    }

    /// Whether `key` (in that order) names this connection's endpoints.
    fn has_key(&self, key: &FlowKey) -> bool {
        let (c, s) = (&self.info.client, &self.info.server);
        (*c == key.0 && *s == key.1) || (*c == key.1 && *s == key.0)
    }

    fn buffered_cost(&self) -> usize {
        self.half[0].buffered_cost() + self.half[1].buffered_cost()
    }

    /// The frame of the earliest piece this connection holds out of order.
    fn oldest_pending_frame(&self) -> Option<u64> {
        self.half
            .iter()
            .flat_map(|hs| hs.pending.values().map(|p| p.frame))
            .min()
    }

    /// Gives up the holes both directions wait on: they become gaps and
    /// what was held behind them is delivered.
    fn release_pending(&mut self, h: &mut dyn StreamHandler) {
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

    fn process(&mut self, seg: &TcpSegment<'_>, config: &TcpConfig, h: &mut dyn StreamHandler) {
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
    fn flush(&mut self, h: &mut dyn StreamHandler) {
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

    /// Reports `len` missing bytes at the current offset and moves past them.
    fn gap(
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
    fn drain(&mut self, dir: Direction, h: &mut dyn StreamHandler) {
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

    fn accept(
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

    fn summary(&self) -> ConnSummary {
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
            client: self.info.client.to_string(),
            server: self.info.server.to_string(),
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

#[cfg(test)]
mod tests;
