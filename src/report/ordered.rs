//! Writing per-connection output as connections finish, in id order.
//!
//! Connections finish in any order; output goes in the order they started.
//! A finished connection waits only for those that started before it and
//! are still open, so memory stays bounded by the connections open at once,
//! not by the capture.

use std::collections::BTreeMap;
use std::io::Write;

pub struct Ordered<W: Write> {
    out: W,
    /// Finished, not yet written: `None` for a connection with no output.
    waiting: BTreeMap<u64, Option<String>>,
    next_id: u64,
    written: usize,
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
            next_id: 1,
            written: 0,
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
        if id != self.next_id {
            self.waiting.insert(id, item);
            return;
        }
        self.write_item(item, sep);
        self.next_id += 1;
        while let Some(next) = self.waiting.remove(&self.next_id) {
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
