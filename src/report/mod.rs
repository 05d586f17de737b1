//! Output for people (tables) and machines (JSON).

pub mod certs;
pub mod connections;
pub mod explain;
pub mod html;
pub mod ordered;
pub mod show;

use crate::tls::names;
use crate::tls::summary::Handshake;
use crate::tls::ConnectionFacts;
use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};

/// Text output fits this many columns: tables wrap their cells and prose
/// wraps at spaces (a word longer than a line still overflows it).
pub const TEXT_WIDTH: usize = 100;

/// A table in the house style whose cells wrap so that, printed after
/// `indent` columns, it fits [`TEXT_WIDTH`].
pub(crate) fn table(indent: usize) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(TEXT_WIDTH.saturating_sub(indent) as u16);
    t
}

/// `text` after `first` (which takes `first_width` columns: it may hold
/// ANSI colour), wrapped at spaces to [`TEXT_WIDTH`], continuation lines
/// starting with `cont`. Ends with a newline.
pub(crate) fn fill(first: &str, first_width: usize, text: &str, cont: &str) -> String {
    let mut out = String::new();
    fill_into(&mut out, first, first_width, text, cont);
    out
}

/// [`fill`], appended to `out`.
pub(crate) fn fill_into(out: &mut String, first: &str, first_width: usize, text: &str, cont: &str) {
    // It runs for every line of every finding: the string is given room
    // for the text, its breaks and their prefixes up front (growing it had
    // been a third of the text report's time), and words are found by
    // bytes (a space is never inside a UTF-8 sequence).
    let breaks = text.len() / (TEXT_WIDTH / 2) + 1;
    out.reserve(first.len() + text.len() + breaks * (cont.len() + 1) + 1);
    out.push_str(first);
    let cont_width = cont.chars().count();
    let mut col = first_width;
    let mut line_start = true;
    let bytes = text.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        let end = bytes[start..]
            .iter()
            .position(|&b| b == b' ')
            .map_or(bytes.len(), |p| start + p);
        let word = &text[start..end];
        start = end + 1;
        if word.is_empty() {
            continue;
        }
        let w = if word.is_ascii() {
            word.len()
        } else {
            word.chars().count()
        };
        if !line_start && col + 1 + w > TEXT_WIDTH {
            out.push('\n');
            out.push_str(cont);
            col = cont_width;
            line_start = true;
        }
        if !line_start {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += w;
        line_start = false;
    }
    out.push('\n');
}

/// What identifies a TLS connection in every report: endpoints, version,
/// SNI, cipher suite.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Headline {
    pub id: u64,
    pub client: String,
    pub server: String,
    pub version: Option<String>,
    pub sni: Option<String>,
    pub cipher_suite: Option<String>,
}

impl Headline {
    /// `Connection 3: 10.0.0.1:50000 → 10.0.0.2:443  TLS 1.2  SNI x.test`
    /// (and the cipher suite when asked).
    pub fn title(&self, with_cipher: bool) -> String {
        let mut t = format!("Connection {}: {} → {}", self.id, self.client, self.server);
        if let Some(v) = &self.version {
            t.push_str(&format!("  {v}"));
        }
        if let Some(sni) = &self.sni {
            t.push_str(&format!("  SNI {sni}"));
        }
        if let (true, Some(c)) = (with_cipher, &self.cipher_suite) {
            t.push_str(&format!("  {c}"));
        }
        t
    }

    pub fn new(f: &ConnectionFacts) -> Headline {
        let h = Handshake::new(&f.tls);
        Headline {
            id: f.info.id,
            client: crate::net::endpoint_text(&f.info.client),
            server: crate::net::endpoint_text(&f.info.server),
            version: h.version().map(|v| names::version_name(v).into_owned()),
            sni: h.sni().map(str::to_string),
            cipher_suite: h
                .cipher_suite()
                .map(|c| names::cipher_suite_name(c).into_owned()),
        }
    }
}

#[cfg(test)]
mod tests;
