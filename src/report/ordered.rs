//! Writing per-connection output as connections finish, in id order.
//!
//! Connections finish in any order; output goes in the order they started.
//! A finished connection waits only for those that started before it and
//! are still open. One connection open for the whole capture (a download
//! beside thousands of short handshakes) would make every later
//! connection's output wait: past [`MAX_HELD_IN_MEMORY`] bytes, waiting
//! output goes to an unlinked temporary file and is read back in turn, so
//! memory stays bounded and the order stays that of the ids.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};

/// Waiting output kept in memory, at most; the rest waits on disk.
pub const MAX_HELD_IN_MEMORY: usize = 4 * 1024 * 1024;

/// One connection's waiting output.
enum Held {
    Nothing,
    Text(Vec<u8>),
    /// `len` bytes at `offset` in the spill file.
    Spilled {
        offset: u64,
        len: usize,
    },
}

pub struct Ordered<W: Write> {
    out: W,
    /// Finished, not yet written.
    waiting: BTreeMap<u64, Held>,
    next_id: u64,
    written: usize,
    /// Bytes of the `Held::Text` items.
    held: usize,
    /// Where output waits past [`MAX_HELD_IN_MEMORY`] (created on first
    /// need, removed from the directory at once), and its length.
    spill: Option<(File, u64)>,
    /// No spill file could be made: everything waits in memory.
    spill_failed: bool,
    /// The reader went away (`| head`): stop writing, quietly.
    broken: bool,
}

/// A temporary file that no other process sees and that goes away with
/// the process: created new, then removed from its directory.
fn spill_file() -> std::io::Result<File> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let path = std::env::temp_dir().join(format!(
        "tlstrace-{}-{}-{nanos}.spill",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)?;
    let _ = std::fs::remove_file(&path);
    Ok(file)
}

impl<W: Write> Ordered<W> {
    /// Ids start at 1 and every id is handed over once, with or without
    /// output.
    pub fn new(out: W) -> Self {
        Ordered {
            out,
            waiting: BTreeMap::new(),
            next_id: 1,
            written: 0,
            held: 0,
            spill: None,
            spill_failed: false,
            broken: false,
        }
    }

    /// Writes raw text now (headers, footers).
    pub fn raw(&mut self, text: &str) {
        if !self.broken {
            self.broken = self.out.write_all(text.as_bytes()).is_err();
        }
    }

    /// How many items have been written.
    pub fn written(&self) -> usize {
        self.written
    }

    fn write_item(&mut self, item: Option<Vec<u8>>, sep: &str) {
        if let Some(text) = item {
            if self.written > 0 {
                self.raw(sep);
            }
            if !self.broken {
                self.broken = self.out.write_all(&text).is_err();
            }
            self.written += 1;
        }
    }

    /// Puts an item aside until its turn: in memory, or past the limit in
    /// the spill file.
    fn hold(&mut self, id: u64, item: Option<Vec<u8>>) {
        let held = match item {
            None => Held::Nothing,
            Some(text) if self.held + text.len() <= MAX_HELD_IN_MEMORY || self.spill_failed => {
                self.held += text.len();
                Held::Text(text)
            }
            Some(text) => match self.spill_out(&text) {
                Some(offset) => Held::Spilled {
                    offset,
                    len: text.len(),
                },
                None => {
                    self.held += text.len();
                    Held::Text(text)
                }
            },
        };
        self.waiting.insert(id, held);
    }

    /// Appends `text` to the spill file; its offset, or `None` when no
    /// file can be had (then nothing more is tried).
    fn spill_out(&mut self, text: &[u8]) -> Option<u64> {
        if self.spill.is_none() {
            match spill_file() {
                Ok(f) => self.spill = Some((f, 0)),
                Err(_) => {
                    self.spill_failed = true;
                    return None;
                }
            }
        }
        let (file, end) = self.spill.as_mut()?;
        let offset = *end;
        let ok = file.seek(SeekFrom::Start(offset)).is_ok() && file.write_all(text).is_ok();
        if !ok {
            self.spill_failed = true;
            return None;
        }
        *end += text.len() as u64;
        Some(offset)
    }

    /// Takes a held item back (from memory or from the spill file).
    fn take(&mut self, held: Held) -> Option<Vec<u8>> {
        match held {
            Held::Nothing => None,
            Held::Text(text) => {
                self.held -= text.len();
                Some(text)
            }
            Held::Spilled { offset, len } => {
                let (file, _) = self.spill.as_mut()?;
                let mut buf = vec![0u8; len];
                let read =
                    file.seek(SeekFrom::Start(offset)).is_ok() && file.read_exact(&mut buf).is_ok();
                read.then_some(buf)
            }
        }
    }

    /// Hands over connection `id`'s output (`None`: nothing to write);
    /// `sep` goes between written items.
    pub fn put(&mut self, id: u64, item: Option<Vec<u8>>, sep: &str) {
        if id != self.next_id {
            self.hold(id, item);
            return;
        }
        self.write_item(item, sep);
        self.next_id += 1;
        while let Some(next) = self.waiting.remove(&self.next_id) {
            let item = self.take(next);
            self.write_item(item, sep);
            self.next_id += 1;
        }
    }

    /// Writes whatever still waits, in id order, and hands the writer back.
    pub fn finish(mut self, sep: &str) -> W {
        let rest = std::mem::take(&mut self.waiting);
        for (_, held) in rest {
            let item = self.take(held);
            self.write_item(item, sep);
        }
        let _ = self.out.flush();
        self.out
    }
}

#[cfg(test)]
mod tests;
