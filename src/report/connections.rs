//! `tlstrace connections`: one row per TCP connection.

use crate::net::tcp::{ConnEnd, ConnSummary};
use comfy_table::{Cell, CellAlignment};

/// A table with id, endpoints, frames, packets, bytes each way, gaps and end.
pub fn table(conns: &[ConnSummary]) -> String {
    let mut t = super::table(0);
    t.set_header(vec![
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

/// Writes the stable JSON form, an array of objects with keys `id, client,
/// server, first_frame, last_frame, packets, client_bytes, server_bytes,
/// gaps, end`, as connections finish, in id order (see [`super::ordered`]).
pub struct JsonStream<W: std::io::Write> {
    inner: super::ordered::Ordered<W>,
}

impl<W: std::io::Write> JsonStream<W> {
    pub fn new(out: W) -> Self {
        let mut inner = super::ordered::Ordered::new(out);
        inner.raw("[\n  ");
        JsonStream { inner }
    }

    /// Hands over a finished connection.
    pub fn push(&mut self, c: ConnSummary) {
        let body = serde_json::to_vec(&c).ok();
        self.inner.put(c.id, body, ",\n  ");
    }

    /// Writes what is left and closes the array.
    pub fn finish(self) {
        let empty = self.inner.written() == 0;
        let mut out = self.inner.finish(",\n  ");
        let end: &[u8] = if empty { b"]\n" } else { b"\n]\n" };
        let _ = out.write_all(end);
        let _ = out.flush();
    }
}
