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
mod tests {
    use super::{fill, TEXT_WIDTH};
    use proptest::prelude::*;

    /// The plain statement of `fill`: the words (split at spaces) put on
    /// lines greedily, a line never passing the width unless it holds one
    /// word; the lines joined.
    fn fill_by_words(first: &str, first_width: usize, text: &str, cont: &str) -> String {
        let width = |s: &str| s.chars().count();
        let mut lines: Vec<Vec<&str>> = vec![Vec::new()];
        let mut used = first_width;
        for word in text.split(' ').filter(|w| !w.is_empty()) {
            let line_empty = lines.last().is_none_or(|l| l.is_empty());
            if !line_empty && used + 1 + width(word) > TEXT_WIDTH {
                lines.push(Vec::new());
                used = width(cont);
            }
            let line = lines.last_mut().expect("one line at least");
            used += width(word) + usize::from(!line.is_empty());
            line.push(word);
        }
        let body: Vec<String> = lines.iter().map(|l| l.join(" ")).collect();
        format!("{first}{}\n", body.join(&format!("\n{cont}")))
    }

    #[test]
    fn fill_wraps_at_the_width() {
        let text = "The client sent no certificate: ".repeat(8);
        let out = fill("  error [x] ", 12, &text, "    ");
        assert!(out.lines().count() > 2);
        assert!(
            out.lines().all(|l| l.chars().count() <= TEXT_WIDTH),
            "{out}"
        );
        assert_eq!(fill("a ", 2, "", "  "), "a \n");
        assert_eq!(fill("", 0, "  two  spaces ", ""), "two spaces\n");
    }

    proptest! {
        #[test]
        fn fill_matches_its_statement(
            text in "([a-zé✓ ]{0,12} ?){0,40}",
            first_width in 0usize..120,
        ) {
            prop_assert_eq!(
                fill("> ", first_width, &text, "  ~ "),
                fill_by_words("> ", first_width, &text, "  ~ ")
            );
        }
    }
}
