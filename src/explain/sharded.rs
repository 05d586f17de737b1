//! `explain --jobs N` inside one capture: one thread reads the capture and
//! reassembles TCP, N threads follow the TLS of the connections dealt to
//! them (by connection, so each connection stays on one thread) and check
//! what can be checked ahead (signatures, chains), and the calling thread
//! diagnoses and writes each connection.
//!
//! The output is byte-for-byte that of one thread. Connections are opened,
//! fed and closed by the same reassembler as on one thread, so they get the
//! same ids and close in the same order; the calling thread diagnoses them
//! in that order, so what one connection carries to the next (client
//! certificates seen, sessions to resume) is the same too. The checks made
//! ahead are pure: the diagnosis finds their results in the tables of
//! `x509::memo` and `x509::verify` instead of computing them again.
//!
//! Memory stays bounded: the reader waits while [`MAX_IN_FLIGHT`]
//! connections are closed but not yet diagnosed (it gathers at most
//! [`CLOSE_GROUP`] more before handing them over), and each thread's queue
//! holds a bounded number of batches.

use crate::capture::{CaptureReader, Timestamp};
use crate::net::tcp::{
    Chunk, ConnInfo, ConnSummary, Direction, Gap, HandlerStats, StreamHandler, TcpReassembler,
};
use crate::net::DriveOutcome;
use crate::tls::keylog::KeyLog;
use crate::tls::{ConnectionFacts, TlsAnalyzer, TlsConfig};
use std::collections::HashMap;
use std::sync::mpsc::{channel, sync_channel, Receiver, RecvTimeoutError, Sender, SyncSender};
use std::sync::{Arc, Condvar, Mutex};

/// Connections closed by the reader but not yet diagnosed, at most.
pub const MAX_IN_FLIGHT: usize = 64;
/// Events gathered for one thread before they are handed over.
const BATCH_EVENTS: usize = 256;
/// Payload bytes gathered for one thread before they are handed over.
const BATCH_BYTES: usize = 128 * 1024;
/// Batches queued for one thread before the reader waits.
const QUEUED_BATCHES: usize = 4;
/// Connections the reader closes before it hands them over together (the
/// threads' batches, and their order to the calling thread), when reading
/// a file. Handing each over alone cost four wake-ups per connection, more
/// than the work a second thread saved on handshake-heavy captures. From a
/// pipe or stdin each goes at once, so that output keeps up with live
/// traffic.
const CLOSE_GROUP: usize = 16;

/// What the reassembler tells one connection's thread.
enum Event {
    Open(ConnInfo),
    /// `len` bytes at `start` in the batch's bytes.
    Data {
        id: u64,
        dir: Direction,
        start: usize,
        len: usize,
        offset: u64,
        frame: u64,
        ts: Timestamp,
        ready_frame: u64,
        ready_ts: Timestamp,
    },
    Gap {
        id: u64,
        dir: Direction,
        gap: Gap,
    },
    Conflict {
        id: u64,
        dir: Direction,
        offset: u64,
        frame: u64,
    },
    Ended(u64),
    /// Carries the connection's description too: a connection that never
    /// delivered anything is closed without having been opened, and its
    /// thread must still answer for it.
    Close(Box<(ConnInfo, ConnSummary)>),
    /// Key log text the capture embeds: every thread hears it, in order.
    Secrets(Arc<[u8]>),
}

/// Events for one thread, with the bytes they carry in one buffer (no
/// allocation per chunk; the thread hands emptied batches back).
#[derive(Default)]
struct Batch {
    events: Vec<Event>,
    bytes: Vec<u8>,
}

impl Batch {
    fn is_full(&self) -> bool {
        self.events.len() >= BATCH_EVENTS || self.bytes.len() >= BATCH_BYTES
    }
}

/// Counts the connections in flight; the reader waits on it.
#[derive(Default)]
struct InFlight {
    count: Mutex<usize>,
    less: Condvar,
    /// The calling thread stopped diagnosing (a TLS thread died): the
    /// reader must not wait for it.
    cancelled: std::sync::atomic::AtomicBool,
}

impl InFlight {
    fn add(&self, closed: usize) {
        use std::sync::atomic::Ordering;
        if let Ok(mut n) = self.count.lock() {
            *n += closed;
            while *n > MAX_IN_FLIGHT && !self.cancelled.load(Ordering::Relaxed) {
                n = match self.less.wait(n) {
                    Ok(n) => n,
                    Err(_) => return,
                };
            }
        }
    }

    fn done(&self) {
        if let Ok(mut n) = self.count.lock() {
            let before = *n;
            *n = n.saturating_sub(1);
            // Only the reader waits, and only above the limit: wake it when
            // the count comes down to the limit, not on every connection.
            if before > MAX_IN_FLIGHT && *n <= MAX_IN_FLIGHT {
                self.less.notify_all();
            }
        }
    }

    fn cancel(&self) {
        use std::sync::atomic::Ordering;
        if let Ok(_n) = self.count.lock() {
            self.cancelled.store(true, Ordering::Relaxed);
            self.less.notify_all();
        }
    }
}

/// The reader's handler: deals each connection's events to its thread.
struct Dealer<'a> {
    queues: Vec<SyncSender<Batch>>,
    batches: Vec<Batch>,
    /// Emptied batches handed back by the threads, to fill again.
    spare: Receiver<Batch>,
    closed: Sender<Vec<u64>>,
    /// Closed connections not yet handed over, in the order they closed.
    closing: Vec<u64>,
    /// How many closes to gather before handing them over.
    close_group: usize,
    in_flight: &'a InFlight,
}

impl Dealer<'_> {
    fn shard(&self, id: u64) -> usize {
        (id % self.queues.len() as u64) as usize
    }

    fn push(&mut self, id: u64, ev: Event) {
        let s = self.shard(id);
        let batch = &mut self.batches[s];
        batch.events.push(ev);
        if batch.is_full() {
            self.flush(s);
        }
    }

    fn flush(&mut self, s: usize) {
        if self.batches[s].events.is_empty() {
            return;
        }
        let fresh = self.spare.try_recv().unwrap_or_default();
        let full = std::mem::replace(&mut self.batches[s], fresh);
        // A thread that has gone (it cannot, short of a bug) loses its
        // events; the calling thread then stops waiting for its connections.
        let _ = self.queues[s].send(full);
    }

    fn flush_all(&mut self) {
        for s in 0..self.queues.len() {
            self.flush(s);
        }
    }

    /// Hands the gathered closes over: every thread's events first, so that
    /// the calling thread never waits for a connection still in a batch.
    fn flush_closes(&mut self) {
        if self.closing.is_empty() {
            return;
        }
        self.flush_all();
        let ids = std::mem::take(&mut self.closing);
        let n = ids.len();
        let _ = self.closed.send(ids);
        self.in_flight.add(n);
    }
}

impl StreamHandler for Dealer<'_> {
    fn on_open(&mut self, conn: &ConnInfo) {
        self.push(conn.id, Event::Open(conn.clone()));
    }

    fn on_data(&mut self, conn: &ConnInfo, dir: Direction, chunk: Chunk<'_>) {
        let s = self.shard(conn.id);
        let bytes = &mut self.batches[s].bytes;
        let start = bytes.len();
        bytes.extend_from_slice(chunk.data);
        let ev = Event::Data {
            id: conn.id,
            dir,
            start,
            len: chunk.data.len(),
            offset: chunk.offset,
            frame: chunk.frame,
            ts: chunk.ts,
            ready_frame: chunk.ready_frame,
            ready_ts: chunk.ready_ts,
        };
        self.push(conn.id, ev);
    }

    fn on_gap(&mut self, conn: &ConnInfo, dir: Direction, gap: Gap) {
        self.push(
            conn.id,
            Event::Gap {
                id: conn.id,
                dir,
                gap,
            },
        );
    }

    fn on_conflict(&mut self, conn: &ConnInfo, dir: Direction, offset: u64, frame: u64) {
        let ev = Event::Conflict {
            id: conn.id,
            dir,
            offset,
            frame,
        };
        self.push(conn.id, ev);
    }

    fn on_ended(&mut self, conn: &ConnInfo) {
        self.push(conn.id, Event::Ended(conn.id));
    }

    fn on_close(&mut self, conn: &ConnInfo, summary: &ConnSummary) {
        let ev = Event::Close(Box::new((conn.clone(), summary.clone())));
        self.push(conn.id, ev);
        self.closing.push(conn.id);
        if self.closing.len() >= self.close_group {
            self.flush_closes();
        }
    }

    fn on_capture_secrets(&mut self, text: &[u8]) {
        let text: Arc<[u8]> = Arc::from(text);
        for batch in &mut self.batches {
            batch.events.push(Event::Secrets(Arc::clone(&text)));
        }
    }
}

/// What a connection's thread needs besides its events.
pub struct Setup<'a, P> {
    pub keylog: Option<Arc<KeyLog>>,
    pub server_keys: Option<Arc<Vec<rsa::RsaPrivateKey>>>,
    /// Checks made ahead on each finished TLS connection, handed to the
    /// sink with its facts.
    pub prepare: &'a (dyn Fn(&ConnectionFacts) -> Option<P> + Sync),
}

/// Follows the TLS of the connections dealt to one thread (of `jobs`: each
/// holds its share of the budget for partial records and messages).
/// Returns the key log's sessions and what the budget did.
fn follow<P>(
    queue: Receiver<Batch>,
    spare: SyncSender<Batch>,
    done: Sender<(ConnectionFacts, Option<P>)>,
    setup: &Setup<'_, P>,
    jobs: usize,
) -> (usize, HandlerStats) {
    let mut infos: HashMap<u64, ConnInfo, foldhash::fast::RandomState> = HashMap::default();
    let prepare = setup.prepare;
    let mut config = TlsConfig::default();
    config.max_partial_total /= jobs.max(1);
    config.max_transcript_total /= jobs.max(1);
    let mut analyzer = TlsAnalyzer::new(config, |f: ConnectionFacts| {
        let prepared = if f.tls.detected { prepare(&f) } else { None };
        let _ = done.send((f, prepared));
    })
    .with_shared_keylog(setup.keylog.clone())
    .with_server_keys(setup.server_keys.clone());
    for mut batch in queue {
        for ev in batch.events.drain(..) {
            match ev {
                Event::Open(info) => {
                    analyzer.on_open(&info);
                    infos.insert(info.id, info);
                }
                Event::Data {
                    id,
                    dir,
                    start,
                    len,
                    offset,
                    frame,
                    ts,
                    ready_frame,
                    ready_ts,
                } => {
                    let data = batch.bytes.get(start..start.saturating_add(len));
                    if let (Some(info), Some(data)) = (infos.get(&id), data) {
                        let chunk = Chunk {
                            data,
                            offset,
                            frame,
                            ts,
                            ready_frame,
                            ready_ts,
                        };
                        analyzer.on_data(info, dir, chunk);
                    }
                }
                Event::Gap { id, dir, gap } => {
                    if let Some(info) = infos.get(&id) {
                        analyzer.on_gap(info, dir, gap);
                    }
                }
                Event::Conflict {
                    id,
                    dir,
                    offset,
                    frame,
                } => {
                    if let Some(info) = infos.get(&id) {
                        analyzer.on_conflict(info, dir, offset, frame);
                    }
                }
                Event::Ended(id) => {
                    if let Some(info) = infos.get(&id) {
                        analyzer.on_ended(info);
                    }
                }
                Event::Close(closed) => {
                    // Every close is answered, opened or not: the calling
                    // thread waits for each connection the reader closed.
                    let (info, summary) = &*closed;
                    infos.remove(&info.id);
                    analyzer.on_close(info, summary);
                }
                Event::Secrets(text) => analyzer.on_capture_secrets(&text),
            }
        }
        batch.bytes.clear();
        // The reader fills it again, if it has room for it.
        let _ = spare.try_send(batch);
    }
    (analyzer.keylog_sessions(), analyzer.stats())
}

/// Whether `reader` reads a regular file (not stdin, a pipe or a FIFO).
fn reads_a_file(reader: &CaptureReader) -> bool {
    let name = reader.name();
    name != "-" && std::fs::metadata(name).is_ok_and(|m| m.is_file())
}

/// Reads `reader` through TCP reassembly on one thread and TLS on `jobs`
/// threads, and hands every connection's facts to `sink` on the calling
/// thread, in the order one thread would (the order they close). Returns
/// how reading went and how many sessions the key log held, or `None`,
/// before reading anything, when no threads could be started.
pub fn drive_sharded<P: Send>(
    reader: &mut CaptureReader,
    jobs: usize,
    setup: &Setup<'_, P>,
    mut sink: impl FnMut(ConnectionFacts, Option<P>),
) -> Option<(DriveOutcome, usize)> {
    let jobs = jobs.max(1);
    let in_flight = InFlight::default();
    let (closed_tx, closed_rx) = channel::<Vec<u64>>();
    let close_group = if reads_a_file(reader) { CLOSE_GROUP } else { 1 };
    let (done_tx, done_rx) = channel::<(ConnectionFacts, Option<P>)>();
    std::thread::scope(|scope| {
        let mut queues = Vec::with_capacity(jobs);
        let mut followers = Vec::with_capacity(jobs);
        let (spare_tx, spare_rx) = sync_channel::<Batch>(2 * jobs);
        for i in 0..jobs {
            let (tx, rx) = sync_channel::<Batch>(QUEUED_BATCHES);
            let done = done_tx.clone();
            let spare = spare_tx.clone();
            let follower = std::thread::Builder::new()
                .name(format!("tlstrace-tls-{i}"))
                .spawn_scoped(scope, move || follow(rx, spare, done, setup, jobs));
            match follower {
                Ok(f) => {
                    queues.push(tx);
                    followers.push(f);
                }
                // Fewer threads serve; with none, nothing has been read
                // yet and the caller reads on one thread.
                Err(_) => break,
            }
        }
        drop(done_tx);
        drop(spare_tx);
        if followers.is_empty() {
            return None;
        }
        let in_flight = &in_flight;
        let read = std::thread::Builder::new()
            .name("tlstrace-read".into())
            .spawn_scoped(scope, move || {
                let mut dealer = Dealer {
                    batches: (0..queues.len()).map(|_| Batch::default()).collect(),
                    queues,
                    spare: spare_rx,
                    closed: closed_tx,
                    closing: Vec::with_capacity(close_group),
                    close_group,
                    in_flight,
                };
                let mut tcp = TcpReassembler::default();
                let outcome = crate::net::drive(reader, &mut tcp, &mut dealer);
                dealer.flush_closes();
                dealer.flush_all();
                outcome
            });
        // Without a reader thread the queues are gone with its closure and
        // the TLS threads end.
        let read = read.ok()?;
        // Diagnosed here, in the order the reassembler closed them.
        let mut waiting: HashMap<u64, (ConnectionFacts, Option<P>), foldhash::fast::RandomState> =
            HashMap::default();
        'closed: for id in closed_rx.into_iter().flatten() {
            let (facts, prepared) = loop {
                if let Some(f) = waiting.remove(&id) {
                    break f;
                }
                match done_rx.recv_timeout(std::time::Duration::from_millis(100)) {
                    Ok(f) => {
                        waiting.insert(f.0.info.id, f);
                    }
                    Err(RecvTimeoutError::Timeout) => {
                        // A TLS thread that ended without this connection
                        // died (a bug): stop, and let its panic through
                        // below rather than wait for it forever.
                        let shard = (id % followers.len() as u64) as usize;
                        if followers.get(shard).is_none_or(|f| f.is_finished()) {
                            match done_rx.try_recv() {
                                Ok(f) => {
                                    waiting.insert(f.0.info.id, f);
                                }
                                Err(_) => {
                                    in_flight.cancel();
                                    break 'closed;
                                }
                            }
                        }
                    }
                    Err(RecvTimeoutError::Disconnected) => {
                        in_flight.cancel();
                        break 'closed;
                    }
                }
            };
            in_flight.done();
            sink(facts, prepared);
        }
        let mut outcome = match read.join() {
            Ok(o) => o,
            Err(p) => std::panic::resume_unwind(p),
        };
        let mut sessions = 0;
        for f in followers {
            match f.join() {
                Ok((n, stats)) => {
                    sessions = sessions.max(n);
                    outcome.handler.add(stats);
                }
                Err(p) => std::panic::resume_unwind(p),
            }
        }
        Some((outcome, sessions))
    })
}
