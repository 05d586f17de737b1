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
//!
//! This file holds the public types; the flow table with its limits
//! ([`TcpReassembler`], in `reassembler`), a connection's roles, closing
//! and summary (`conn`) and the reassembly of each direction (`half`) are
//! in submodules.

mod conn;
mod half;
mod reassembler;

pub use reassembler::TcpReassembler;

use crate::capture::Timestamp;
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
    /// Connections that kept no more of their handshake transcript
    /// because the handler's transcript budget across connections was
    /// used up.
    pub transcript_refusals: u64,
}

impl HandlerStats {
    /// Adds another handler's (one thread's of several).
    pub fn add(&mut self, other: HandlerStats) {
        self.budget_releases += other.budget_releases;
        self.peak_held += other.peak_held;
        self.transcript_refusals += other.transcript_refusals;
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

#[cfg(test)]
mod tests;
