//! `tlstrace connections`: one row per TCP connection.

use crate::net::tcp::{ConnEnd, ConnSummary};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, ContentArrangement, Table};

/// A table with id, endpoints, frames, packets, bytes each way, gaps and end.
pub fn table(conns: &[ConnSummary]) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(vec![
            "id",
            "client",
            "server",
            "frames",
            "packets",
            "client→",
            "←server",
            "gaps",
            "end",
        ]);
    for c in conns {
        let end = match c.end {
            ConnEnd::Fin => "FIN",
            ConnEnd::Rst => "RST",
            ConnEnd::Open => "open",
        };
        let right = |s: String| Cell::new(s).set_alignment(CellAlignment::Right);
        t.add_row(vec![
            right(c.id.to_string()),
            Cell::new(&c.client),
            Cell::new(&c.server),
            Cell::new(format!("{}–{}", c.first_frame, c.last_frame)),
            right(c.packets.to_string()),
            right(c.client_bytes.to_string()),
            right(c.server_bytes.to_string()),
            right(c.gaps.to_string()),
            Cell::new(end),
        ]);
    }
    t.to_string()
}

/// The stable JSON form: an array of objects with keys `id, client, server,
/// first_frame, last_frame, packets, client_bytes, server_bytes, gaps, end`.
pub fn json(conns: &[ConnSummary]) -> String {
    serde_json::to_string_pretty(conns).unwrap_or_else(|_| "[]".to_string())
}

/// Writes the JSON array as connections finish, in id order: a finished
/// connection waits only for those that started before it, so memory stays
/// bounded by the connections open at once rather than by the capture.
pub struct JsonStream<W: std::io::Write> {
    out: W,
    waiting: std::collections::BTreeMap<u64, ConnSummary>,
    next_id: u64,
    written: usize,
    /// The output was closed (e.g. `| head`): stop writing.
    broken: bool,
}

impl<W: std::io::Write> JsonStream<W> {
    pub fn new(mut out: W) -> Self {
        let broken = out.write_all(b"[").is_err();
        JsonStream {
            out,
            waiting: std::collections::BTreeMap::new(),
            next_id: 1,
            written: 0,
            broken,
        }
    }

    fn write(&mut self, c: &ConnSummary) {
        if self.broken {
            return;
        }
        let sep: &[u8] = if self.written == 0 { b"\n  " } else { b",\n  " };
        let body = serde_json::to_string(c).unwrap_or_default();
        self.broken =
            self.out.write_all(sep).is_err() || self.out.write_all(body.as_bytes()).is_err();
        self.written += 1;
    }

    /// Hands over a finished connection.
    pub fn push(&mut self, c: ConnSummary) {
        if c.id == self.next_id {
            self.write(&c);
            self.next_id += 1;
            while let Some(next) = self.waiting.remove(&self.next_id) {
                self.write(&next);
                self.next_id += 1;
            }
        } else {
            self.waiting.insert(c.id, c);
        }
    }

    /// Writes what is left and closes the array.
    pub fn finish(mut self) {
        let rest = std::mem::take(&mut self.waiting);
        for (_, c) in rest {
            self.write(&c);
        }
        if !self.broken {
            let end: &[u8] = if self.written == 0 { b"]\n" } else { b"\n]\n" };
            let _ = self.out.write_all(end);
            let _ = self.out.flush();
        }
    }
}
