//! Writing per-connection output as connections finish, in id order.
//!
//! Connections finish in any order; output goes in the order they started.
//! A finished connection waits only for those that started before it and
//! are still open, so memory stays bounded by the connections open at once,
//! not by the capture.
//!
//! One connection open for a long time must not make everything after it
//! wait in memory: when what waits exceeds [`MAX_HELD`] bytes (each
//! connection also counting [`ENTRY_COST`]), it is written at once, in id
//! order, and the connections still open before it are written each when
//! it finishes, after what was written by then. The order depends only on
//! the order connections finish in, so it is the same on every run (and
//! with `--jobs`).

use std::collections::BTreeMap;
use std::io::Write;

/// Output held for connections waiting on an earlier one, at most.
pub const MAX_HELD: usize = 16 * 1024 * 1024;
/// What one waiting connection counts beyond its text (its map entry).
pub const ENTRY_COST: usize = 64;

pub struct Ordered<W: Write> {
    out: W,
    /// Finished, not yet written: `None` for a connection with no output.
    waiting: BTreeMap<u64, Option<String>>,
    /// What `waiting` holds, with [`ENTRY_COST`] per entry.
    held: usize,
    limit: usize,
    /// Every connection before it has been handed over or let pass: an id
    /// below it is one written late.
    next_id: u64,
    written: usize,
    /// Times the waiting output was written ahead of an open connection.
    overflows: u64,
    /// The reader went away (`| head`): stop writing, quietly.
    broken: bool,
}

impl<W: Write> Ordered<W> {
    /// Ids start at 1 and every id is handed over once, with or without
    /// output.
    pub fn new(out: W) -> Self {
        Ordered {
            out,
            waiting: BTreeMap::new(),
            held: 0,
            limit: MAX_HELD,
            next_id: 1,
            written: 0,
            overflows: 0,
            broken: false,
        }
    }

    /// Holds at most `limit` bytes of waiting output instead of [`MAX_HELD`].
    pub fn with_limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// Times the waiting output was written ahead of a connection still
    /// open (each such connection then comes later than its id says).
    pub fn overflows(&self) -> u64 {
        self.overflows
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

    fn write_item(&mut self, item: Option<String>, sep: &str) {
        if let Some(text) = item {
            if self.written > 0 {
                self.raw(sep);
            }
            self.raw(&text);
            self.written += 1;
        }
    }

    /// Hands over connection `id`'s output (`None`: nothing to write);
    /// `sep` goes between written items.
    pub fn put(&mut self, id: u64, item: Option<String>, sep: &str) {
        if id < self.next_id {
            // Let pass when what waited on it was written: written now.
            self.write_item(item, sep);
            return;
        }
        if id != self.next_id {
            self.held += ENTRY_COST + item.as_ref().map_or(0, String::len);
            self.waiting.insert(id, item);
            if self.held > self.limit {
                // Too much waits on the connections still open before it:
                // written now, in id order; those come when they finish.
                self.overflows += 1;
                let rest = std::mem::take(&mut self.waiting);
                self.held = 0;
                for (id, item) in rest {
                    self.write_item(item, sep);
                    self.next_id = id + 1;
                }
            }
            return;
        }
        self.write_item(item, sep);
        self.next_id += 1;
        while let Some(next) = self.waiting.remove(&self.next_id) {
            self.held = self
                .held
                .saturating_sub(ENTRY_COST + next.as_ref().map_or(0, String::len));
            self.write_item(next, sep);
            self.next_id += 1;
        }
    }

    /// Writes whatever still waits, in id order, and hands the writer back.
    pub fn finish(mut self, sep: &str) -> W {
        let rest = std::mem::take(&mut self.waiting);
        for (_, item) in rest {
            self.write_item(item, sep);
        }
        let _ = self.out.flush();
        self.out
    }
}

#[cfg(test)]
mod tests;
