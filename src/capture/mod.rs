//! Capture files in, packets out.
//!
//! [`CaptureReader`] streams legacy pcap (either byte order, micro- or
//! nanosecond timestamps) and pcapng (any number of sections and interfaces,
//! per-interface link type and `if_tsresol`/`if_tsoffset`, EPB and SPB) from a
//! file or from standard input, with a fixed-size buffer: memory does not
//! grow with the file. pcapng Decryption Secrets Blocks are handed on as
//! [`CaptureEvent::Secrets`] so the decryption layer can use them.
//!
//! pcap-parser does the block parsing. What it lacks is written here: reading
//! the file header in full before handing the stream over (its constructors do
//! a single `read()`, which fails on a pipe that delivers the header in
//! pieces), a cap on buffer growth (the capture controls block sizes), the
//! per-section interface table, 64-bit timestamp arithmetic and trimming the
//! padding pcap-parser leaves on Decryption Secrets Blocks.

mod link;

pub use link::{network_layer, ppp_payload, LinkType, NetworkLayer, UnsupportedLink};

use pcap_parser::pcapng::Block;
use pcap_parser::traits::PcapReaderIterator;
use pcap_parser::{LegacyPcapReader, PcapBlockOwned, PcapError, PcapNGReader};
use std::fmt;
use std::io::{self, Cursor, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Initial size of the read buffer.
const INITIAL_BUFFER: usize = 256 * 1024;
/// Largest block we are willing to buffer. Real packets are at most 256 KiB
/// (the largest snaplen in use); a larger block is corrupt or hostile.
const MAX_BLOCK: usize = 16 * 1024 * 1024;
/// Largest pcapng Section Header Block we read up front.
const MAX_SHB: usize = 1024 * 1024;
/// Input read between two calls of the progress hook, at least.
const PROGRESS_STEP: u64 = 64 * 1024;

/// Told how far reading has got: the input's bytes read so far (as they
/// come from the file: compressed bytes for gzip) and a count the layer
/// driving the reader keeps (the network layer counts connections).
pub type ProgressHook = Box<dyn FnMut(u64, u64) + Send>;

/// A point in time, as seconds and nanoseconds since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp {
    pub secs: i64,
    pub nanos: u32,
}

impl Timestamp {
    pub fn new(secs: i64, nanos: u32) -> Self {
        Timestamp {
            secs: secs + i64::from(nanos / 1_000_000_000),
            nanos: nanos % 1_000_000_000,
        }
    }

    /// Seconds since the epoch as a float, for display and JSON.
    pub fn as_f64(self) -> f64 {
        self.secs as f64 + f64::from(self.nanos) / 1e9
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:06}", self.secs, self.nanos / 1000)
    }
}

/// The container format of a capture file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Pcap,
    Pcapng,
}

/// One captured packet. `data` is the bytes captured (at most the snaplen);
/// `orig_len` is the length the packet had on the wire.
#[derive(Debug, Clone, Copy)]
pub struct Packet<'a> {
    /// 1-based frame number, counted as tshark counts: every packet block.
    pub frame: u64,
    pub ts: Timestamp,
    pub link: LinkType,
    pub data: &'a [u8],
    pub orig_len: u32,
}

/// What the reader hands on.
#[derive(Debug)]
pub enum CaptureEvent<'a> {
    Packet(Packet<'a>),
    /// The text of a TLS key log embedded in a pcapng Decryption Secrets
    /// Block (padding removed). Other secret types are counted, not passed.
    Secrets(&'a [u8]),
}

/// Why a capture could not be read (further).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureError {
    /// The file name as the user gave it (`-` for standard input).
    pub file: String,
    /// Byte offset in the file where the problem is.
    pub offset: u64,
    /// Frames read successfully before the problem.
    pub frames_read: u64,
    pub kind: CaptureErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaptureErrorKind {
    Io(String),
    Empty,
    NotACapture,
    /// The file ends inside a block or record.
    Truncated,
    BlockTooLarge(usize),
    Malformed(String),
}

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match &self.kind {
            CaptureErrorKind::Io(e) => format!("read error: {e}"),
            CaptureErrorKind::Empty => "the file is empty".to_string(),
            CaptureErrorKind::NotACapture => {
                "not a pcap or pcapng capture (unrecognised file header)".to_string()
            }
            CaptureErrorKind::Truncated => {
                "the capture is truncated: it ends in the middle of a packet record".to_string()
            }
            CaptureErrorKind::BlockTooLarge(n) => {
                format!("a block claims {n} bytes, more than the {MAX_BLOCK}-byte limit: the file is corrupt")
            }
            CaptureErrorKind::Malformed(e) => format!("malformed data: {e}"),
        };
        write!(
            f,
            "{}: at byte {} (after {} frames): {}",
            self.file, self.offset, self.frames_read, what
        )
    }
}

impl std::error::Error for CaptureError {}

/// Per-interface facts from a pcapng Interface Description Block.
#[derive(Debug, Clone, Copy)]
struct Interface {
    link: LinkType,
    /// Timestamp units per second.
    units_per_sec: u64,
    /// Seconds added to every timestamp (`if_tsoffset`).
    offset_secs: i64,
}

/// Counters of things read that are not packets.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct CaptureStats {
    pub frames: u64,
    pub bytes: u64,
    pub secrets_blocks: u64,
    pub other_secret_types: u64,
    /// Packets referring to an interface that was never described.
    pub unknown_interface: u64,
}

/// A streaming reader over one capture.
pub struct CaptureReader {
    name: String,
    inner: Box<dyn PcapReaderIterator + Send>,
    format: Format,
    capacity: usize,
    /// Legacy pcap: the link type and whether timestamps are nanoseconds.
    legacy: Option<(LinkType, bool)>,
    interfaces: Vec<Interface>,
    /// Block bytes to consume before the next read: the last event borrowed them.
    pending: usize,
    /// The data of the last event, copied so it can outlive the parser's borrow.
    scratch: Vec<u8>,
    stats: CaptureStats,
    finished: bool,
    /// Bytes read from the input so far (shared with the reader the parser
    /// owns; only this thread touches it).
    read: Arc<AtomicU64>,
    progress: Option<ProgressHook>,
    /// The byte count from which the hook is due again.
    next_progress: u64,
}

impl fmt::Debug for CaptureReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CaptureReader")
            .field("name", &self.name)
            .field("format", &self.format)
            .finish()
    }
}

/// Retries reads interrupted by signals so pcap-parser never sees them.
struct Uninterrupted<R>(R);

impl<R: Read> Read for Uninterrupted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.0.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                r => return r,
            }
        }
    }
}

/// Counts the bytes read from the input, for [`CaptureReader::bytes_read`].
struct Counted<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn read_full<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

impl CaptureReader {
    /// Opens a capture by path; `-` reads standard input.
    pub fn open(path: &str) -> Result<CaptureReader, CaptureError> {
        if path == "-" {
            Self::from_reader("-", io::stdin())
        } else {
            match std::fs::File::open(path) {
                Ok(f) => Self::from_reader(path, f),
                Err(e) => Err(CaptureError {
                    file: path.to_string(),
                    offset: 0,
                    frames_read: 0,
                    kind: CaptureErrorKind::Io(e.to_string()),
                }),
            }
        }
    }

    /// Reads a capture from any byte stream. The file header is read in full
    /// first, so a pipe that delivers it in pieces works. A gzip-compressed
    /// capture (as tshark reads `.pcap.gz`) is decompressed on the fly.
    pub fn from_reader<R: Read + Send + 'static>(
        name: &str,
        reader: R,
    ) -> Result<CaptureReader, CaptureError> {
        let read = Arc::new(AtomicU64::new(0));
        let mut reader = Uninterrupted(Counted {
            inner: reader,
            read: Arc::clone(&read),
        });
        let mut magic = [0u8; 2];
        let got = read_full(&mut reader, &mut magic).map_err(|e| CaptureError {
            file: name.to_string(),
            offset: 0,
            frames_read: 0,
            kind: CaptureErrorKind::Io(e.to_string()),
        })?;
        let rejoined = Cursor::new(magic[..got].to_vec()).chain(reader);
        let mut r = if magic == [0x1f, 0x8b] {
            Self::from_uncompressed(name, flate2::read::MultiGzDecoder::new(rejoined))
        } else {
            Self::from_uncompressed(name, rejoined)
        }?;
        r.read = read;
        Ok(r)
    }

    fn from_uncompressed<R: Read + Send + 'static>(
        name: &str,
        reader: R,
    ) -> Result<CaptureReader, CaptureError> {
        let mut reader = Uninterrupted(reader);
        let err = |offset: u64, kind| CaptureError {
            file: name.to_string(),
            offset,
            frames_read: 0,
            kind,
        };
        let io_err = |e: io::Error| err(0, CaptureErrorKind::Io(e.to_string()));

        let mut head = [0u8; 12];
        let got = read_full(&mut reader, &mut head).map_err(io_err)?;
        if got == 0 {
            return Err(err(0, CaptureErrorKind::Empty));
        }
        let head = &head[..got];
        let magic_le = head
            .get(..4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        let (prefix, format) = match magic_le {
            // pcapng Section Header Block: the byte-order magic at 8..12 says
            // how to read the block length at 4..8.
            Some(0x0A0D_0D0A) => {
                if head.len() < 12 {
                    return Err(err(got as u64, CaptureErrorKind::Truncated));
                }
                let len_bytes = [head[4], head[5], head[6], head[7]];
                let len = match &head[8..12] {
                    [0x4D, 0x3C, 0x2B, 0x1A] => u32::from_le_bytes(len_bytes),
                    [0x1A, 0x2B, 0x3C, 0x4D] => u32::from_be_bytes(len_bytes),
                    _ => return Err(err(8, CaptureErrorKind::NotACapture)),
                } as usize;
                if !(28..=MAX_SHB).contains(&len) {
                    return Err(err(
                        4,
                        CaptureErrorKind::Malformed(format!(
                            "section header block length {len} is impossible"
                        )),
                    ));
                }
                let mut shb = vec![0u8; len];
                shb[..12].copy_from_slice(head);
                let n = read_full(&mut reader, &mut shb[12..]).map_err(io_err)?;
                if n < len - 12 {
                    return Err(err((12 + n) as u64, CaptureErrorKind::Truncated));
                }
                (shb, Format::Pcapng)
            }
            Some(
                0xA1B2_C3D4 | 0xD4C3_B2A1 | 0xA1B2_3C4D | 0x4D3C_B2A1 | 0xA1B2_CD34 | 0x34CD_B2A1,
            ) => {
                let mut hdr = vec![0u8; 24];
                hdr[..got].copy_from_slice(head);
                let n = read_full(&mut reader, &mut hdr[got..]).map_err(io_err)?;
                if got + n < 24 {
                    return Err(err((got + n) as u64, CaptureErrorKind::Truncated));
                }
                (hdr, Format::Pcap)
            }
            _ => return Err(err(0, CaptureErrorKind::NotACapture)),
        };
        let prefix_len = prefix.len();
        let chained = Cursor::new(prefix).chain(reader);
        let capacity = INITIAL_BUFFER.max(prefix_len * 2);
        let inner: Box<dyn PcapReaderIterator + Send> = match format {
            Format::Pcapng => match PcapNGReader::new(capacity, chained) {
                Ok(r) => Box::new(r),
                Err(e) => {
                    return Err(err(
                        0,
                        CaptureErrorKind::Malformed(format!("pcapng section header: {e:?}")),
                    ))
                }
            },
            Format::Pcap => match LegacyPcapReader::new(capacity, chained) {
                Ok(r) => Box::new(r),
                Err(e) => {
                    return Err(err(
                        0,
                        CaptureErrorKind::Malformed(format!("pcap file header: {e:?}")),
                    ))
                }
            },
        };
        Ok(CaptureReader {
            name: name.to_string(),
            inner,
            format,
            capacity,
            legacy: None,
            interfaces: Vec::new(),
            pending: 0,
            scratch: Vec::with_capacity(65536),
            stats: CaptureStats::default(),
            finished: false,
            read: Arc::new(AtomicU64::new(0)),
            progress: None,
            next_progress: 0,
        })
    }

    /// Bytes read from the input so far, as the file holds them
    /// (compressed, for gzip). Reads are buffered: this runs ahead of the
    /// packets handed out by up to a buffer (256 KiB or more).
    pub fn bytes_read(&self) -> u64 {
        self.read.load(Ordering::Relaxed)
    }

    /// Sets the hook told how far reading has got. Whoever drives the
    /// reader calls [`CaptureReader::report_progress`] when
    /// [`CaptureReader::progress_due`] says so: every 64 KiB of input at
    /// most, so the hook costs nothing measurable.
    pub fn set_progress(&mut self, hook: ProgressHook) {
        self.progress = Some(hook);
        self.next_progress = 0;
    }

    /// Whether a hook is set and 64 KiB or more were read since it was
    /// last told.
    #[inline]
    pub fn progress_due(&self) -> bool {
        self.progress.is_some() && self.bytes_read() >= self.next_progress
    }

    /// Tells the hook, if any, the bytes read so far and `count`.
    pub fn report_progress(&mut self, count: u64) {
        let bytes = self.bytes_read();
        if let Some(hook) = &mut self.progress {
            hook(bytes, count);
            self.next_progress = bytes.saturating_add(PROGRESS_STEP);
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn format(&self) -> Format {
        self.format
    }

    pub fn stats(&self) -> &CaptureStats {
        &self.stats
    }

    /// The link types described so far (legacy header or pcapng IDBs).
    pub fn link_types(&self) -> Vec<LinkType> {
        let mut v: Vec<LinkType> = self
            .legacy
            .iter()
            .map(|(l, _)| *l)
            .chain(self.interfaces.iter().map(|i| i.link))
            .collect();
        v.sort_by_key(|l| l.0);
        v.dedup();
        v
    }

    fn error(&mut self, kind: CaptureErrorKind) -> CaptureError {
        self.finished = true;
        CaptureError {
            file: self.name.clone(),
            offset: self.inner.consumed() as u64,
            frames_read: self.stats.frames,
            kind,
        }
    }

    /// An event's bytes: in the reader's buffer, where the block that
    /// described them was parsed (it has not moved since), or in scratch.
    fn bytes(&self, at: Bytes) -> &[u8] {
        match at {
            Bytes::InBuffer { start, len } => self
                .inner
                .data()
                .get(start..start.saturating_add(len))
                .unwrap_or(&[]),
            Bytes::Scratch => &self.scratch,
        }
    }

    /// The next packet or secrets block; `Ok(None)` at the end of the file.
    /// After an error every later call returns `Ok(None)`: what was read
    /// before the error stays valid.
    pub fn next_event(&mut self) -> Result<Option<CaptureEvent<'_>>, CaptureError> {
        if self.pending > 0 {
            // Without the shift `consume` makes once past half the buffer:
            // the remaining bytes are moved only when the buffer is
            // refilled, so each byte is copied once instead of twice.
            self.inner.consume_noshift(self.pending);
            self.pending = 0;
        }
        loop {
            if self.finished {
                return Ok(None);
            }
            // Decide what to do without holding the parser's borrow, so the
            // buffer can be refilled or grown in the same loop.
            enum Step {
                Got(usize, Option<EventMeta>),
                Refill,
                Grow,
                Eof,
                Fail(CaptureErrorKind),
            }
            // Parsing does not move the buffer: blocks lie inside this span.
            let data = self.inner.data();
            let buffer = BufferSpan {
                base: data.as_ptr() as usize,
                len: data.len(),
            };
            let step = match self.inner.next() {
                Ok((len, block)) => {
                    let meta = describe_block(
                        block,
                        buffer,
                        &mut self.legacy,
                        &mut self.interfaces,
                        &mut self.stats,
                        &mut self.scratch,
                    );
                    Step::Got(len, meta)
                }
                Err(PcapError::Eof) => Step::Eof,
                Err(PcapError::Incomplete(_)) => Step::Refill,
                Err(PcapError::BufferTooSmall) => Step::Grow,
                Err(PcapError::UnexpectedEof) => Step::Fail(CaptureErrorKind::Truncated),
                Err(PcapError::ReadError) => {
                    Step::Fail(CaptureErrorKind::Io("the input could not be read".into()))
                }
                Err(PcapError::HeaderNotRecognized) => Step::Fail(CaptureErrorKind::NotACapture),
                Err(e) => Step::Fail(CaptureErrorKind::Malformed(short_error(&e))),
            };
            match step {
                Step::Got(len, meta) => {
                    self.pending = len;
                    match meta {
                        Some(EventMeta::Packet {
                            ts,
                            link,
                            orig_len,
                            bytes,
                        }) => {
                            let n = self.bytes(bytes).len() as u64;
                            self.stats.frames += 1;
                            self.stats.bytes += n;
                            let data = self.bytes(bytes);
                            return Ok(Some(CaptureEvent::Packet(Packet {
                                frame: self.stats.frames,
                                ts,
                                link,
                                data,
                                orig_len,
                            })));
                        }
                        Some(EventMeta::Secrets(bytes)) => {
                            return Ok(Some(CaptureEvent::Secrets(self.bytes(bytes))));
                        }
                        None => {
                            self.inner.consume_noshift(len);
                            self.pending = 0;
                        }
                    }
                }
                Step::Refill => {
                    if self.inner.refill().is_err() {
                        return Err(self.error(CaptureErrorKind::Io("read failed".into())));
                    }
                }
                Step::Grow => {
                    let want = self.capacity.saturating_mul(2);
                    if want > MAX_BLOCK * 2 {
                        let claimed = claimed_block_len(self.inner.data(), self.format);
                        return Err(self.error(CaptureErrorKind::BlockTooLarge(claimed)));
                    }
                    self.capacity = want;
                    self.inner.grow(want);
                    if self.inner.refill().is_err() {
                        return Err(self.error(CaptureErrorKind::Io("read failed".into())));
                    }
                }
                Step::Eof => {
                    self.finished = true;
                    return Ok(None);
                }
                Step::Fail(kind) => return Err(self.error(kind)),
            }
        }
    }
}

/// The key log texts a pcapng file embeds (Decryption Secrets Blocks),
/// wherever they sit in it: decryption needs them before the packets they
/// cover, and `editcap --inject-secrets` may put them anywhere. Legacy pcap
/// and unreadable files have none.
pub fn scan_secrets(path: &str) -> Vec<Vec<u8>> {
    match CaptureReader::open(path) {
        Ok(r) => scan_reader_secrets(r),
        Err(_) => Vec::new(),
    }
}

/// [`scan_secrets`] over an opened capture, read to its end.
pub fn scan_reader_secrets(r: CaptureReader) -> Vec<Vec<u8>> {
    let mut found = Vec::new();
    for_each_reader_secrets(r, |text| found.push(text.to_vec()));
    found
}

/// Hands each key log text a pcapng file embeds to `f`, as it is read
/// (memory does not grow with the number of blocks).
pub fn for_each_secrets(path: &str, f: impl FnMut(&[u8])) {
    if let Ok(r) = CaptureReader::open(path) {
        for_each_reader_secrets(r, f);
    }
}

/// [`for_each_secrets`] over an opened capture, read to its end.
pub fn for_each_reader_secrets(mut r: CaptureReader, mut f: impl FnMut(&[u8])) {
    if r.format() != Format::Pcapng {
        return;
    }
    while let Ok(Some(ev)) = r.next_event() {
        if let CaptureEvent::Secrets(text) = ev {
            f(text);
        }
    }
}

/// What an event is, decided while the block is borrowed, and where its
/// bytes are.
enum EventMeta {
    Packet {
        ts: Timestamp,
        link: LinkType,
        orig_len: u32,
        bytes: Bytes,
    },
    Secrets(Bytes),
}

/// Where an event's bytes are once the block's borrow has ended: in the
/// reader's buffer (not copied: packet bytes are handed out in place), or,
/// should a block's data not lie inside that buffer, copied to the scratch
/// buffer.
#[derive(Clone, Copy)]
enum Bytes {
    InBuffer { start: usize, len: usize },
    Scratch,
}

/// The reader's buffer as [`describe_block`] sees it: where it starts and
/// how long it is, to locate a block's data inside it.
#[derive(Clone, Copy)]
struct BufferSpan {
    base: usize,
    len: usize,
}

impl BufferSpan {
    /// Where `data` is: its offset in the buffer when it lies inside it
    /// (found by address: no bytes are copied), else copied to `scratch`.
    fn locate(self, data: &[u8], scratch: &mut Vec<u8>) -> Bytes {
        let start = (data.as_ptr() as usize).wrapping_sub(self.base);
        if start <= self.len && data.len() <= self.len - start {
            Bytes::InBuffer {
                start,
                len: data.len(),
            }
        } else {
            scratch.clear();
            scratch.extend_from_slice(data);
            Bytes::Scratch
        }
    }
}

/// `if_tsresol`: the low 7 bits are a power of 10, or of 2 when the top
/// bit is set. (pcap-parser's own helper rejects every power-of-2 value.)
/// Out-of-range values fall back to microseconds, the default.
fn ts_units_per_sec(tsresol: u8) -> u64 {
    let exp = u32::from(tsresol & 0x7F);
    let units = if tsresol & 0x80 == 0 {
        10u64.checked_pow(exp)
    } else {
        1u64.checked_shl(exp).filter(|_| exp < 64)
    };
    units.unwrap_or(1_000_000).max(1)
}

fn short_error(e: &PcapError<&[u8]>) -> String {
    match e {
        PcapError::NomError(_, kind) | PcapError::OwnedNomError(_, kind) => {
            format!("block structure is invalid ({kind:?})")
        }
        other => format!("{:?}", other.to_owned_vec()),
    }
}

/// The length a block at the start of `data` claims, for error messages.
fn claimed_block_len(data: &[u8], format: Format) -> usize {
    match format {
        Format::Pcapng => data
            .get(4..8)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .unwrap_or(0),
        Format::Pcap => data
            .get(8..12)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .unwrap_or(0),
    }
}

/// Interprets one block: updates the interface table and says where its
/// packet or secret bytes are. Returns `None` for blocks that produce no
/// event.
fn describe_block(
    block: PcapBlockOwned<'_>,
    buffer: BufferSpan,
    legacy: &mut Option<(LinkType, bool)>,
    interfaces: &mut Vec<Interface>,
    stats: &mut CaptureStats,
    scratch: &mut Vec<u8>,
) -> Option<EventMeta> {
    match block {
        PcapBlockOwned::LegacyHeader(h) => {
            // The upper 16 bits of the link type field may carry FCS length
            // information (pcap-linktype(7)); the link type is the low 16.
            let link = LinkType((h.network.0 as u32) & 0xFFFF);
            *legacy = Some((link, h.is_nanosecond_precision()));
            None
        }
        PcapBlockOwned::Legacy(b) => {
            let (link, nanos) = (*legacy)?;
            let frac = if nanos {
                b.ts_usec
            } else {
                b.ts_usec.saturating_mul(1000)
            };
            let caplen = (b.caplen as usize).min(b.data.len());
            Some(EventMeta::Packet {
                ts: Timestamp::new(i64::from(b.ts_sec), frac),
                link,
                orig_len: b.origlen,
                bytes: buffer.locate(&b.data[..caplen], scratch),
            })
        }
        PcapBlockOwned::NG(Block::SectionHeader(_)) => {
            // Interface ids are per section.
            interfaces.clear();
            None
        }
        PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
            interfaces.push(Interface {
                link: LinkType((idb.linktype.0 as u32) & 0xFFFF),
                units_per_sec: ts_units_per_sec(idb.if_tsresol),
                offset_secs: idb.if_tsoffset,
            });
            None
        }
        PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
            let iface = match interfaces.get(epb.if_id as usize) {
                Some(i) => *i,
                None => {
                    stats.unknown_interface += 1;
                    Interface {
                        link: LinkType(u32::MAX),
                        units_per_sec: 1_000_000,
                        offset_secs: 0,
                    }
                }
            };
            let raw = (u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low);
            let secs = raw / iface.units_per_sec;
            let frac = raw % iface.units_per_sec;
            let nanos = (u128::from(frac) * 1_000_000_000 / u128::from(iface.units_per_sec)) as u32;
            let secs = i64::try_from(secs)
                .unwrap_or(i64::MAX)
                .saturating_add(iface.offset_secs);
            let caplen = (epb.caplen as usize).min(epb.data.len());
            Some(EventMeta::Packet {
                ts: Timestamp::new(secs, nanos),
                link: iface.link,
                orig_len: epb.origlen,
                bytes: buffer.locate(&epb.data[..caplen], scratch),
            })
        }
        PcapBlockOwned::NG(Block::SimplePacket(spb)) => {
            // SPBs belong to interface 0 and carry no timestamp.
            let link = match interfaces.first() {
                Some(i) => i.link,
                None => {
                    stats.unknown_interface += 1;
                    LinkType(u32::MAX)
                }
            };
            // The captured length is the smaller of the original length and
            // the block's data (which may include padding).
            let caplen = (spb.origlen as usize).min(spb.data.len());
            Some(EventMeta::Packet {
                ts: Timestamp::default(),
                link,
                orig_len: spb.origlen,
                bytes: buffer.locate(&spb.data[..caplen], scratch),
            })
        }
        PcapBlockOwned::NG(Block::DecryptionSecrets(dsb)) => {
            stats.secrets_blocks += 1;
            // 0x544c534b "TLSK": an NSS key log. pcap-parser includes the
            // block's padding in `data`; the secrets length says what is real.
            if dsb.secrets_type.0 != 0x544c_534b {
                stats.other_secret_types += 1;
                return None;
            }
            let len = (dsb.secrets_len as usize).min(dsb.data.len());
            Some(EventMeta::Secrets(buffer.locate(&dsb.data[..len], scratch)))
        }
        PcapBlockOwned::NG(_) => None,
    }
}

#[cfg(test)]
mod tests;
