//! `tlstrace explain`: per connection, the verdict, the decisive finding
//! with its evidence and fix, the other findings, a compact ladder and the
//! client's chain. The JSON form is the stable document described in
//! `docs/explain-json.md`.

use crate::capture::{CaptureError, Format, LinkType};
use crate::diagnose::{Diagnosis, Finding, HandshakeOutcome, Outcome, Severity};
use crate::net::DecodeStats;
use crate::report::show::AlertJson;
use crate::tls::names;
use crate::tls::stream::{LadderEntry, Side};
use crate::tls::ConnectionFacts;
use crate::x509::CertInfo;
use comfy_table::{ColumnConstraint, Width};
use serde::Serialize;

/// The version of the JSON document's shape.
pub const SCHEMA_VERSION: u32 = 1;

/// `capture` in the JSON document.
#[derive(Debug, Clone, Serialize)]
pub struct CaptureJson {
    pub file: String,
    pub format: Option<Format>,
    pub frames: u64,
    pub link_types: Vec<String>,
    pub tcp_connections: u64,
    pub tls_connections: u64,
    /// Why reading stopped early, if it did.
    pub error: Option<String>,
    /// Frames skipped because their link type or encapsulation is not read.
    pub unsupported: Vec<String>,
    pub keylog_sessions: usize,
}

impl CaptureJson {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        file: &str,
        format: Option<Format>,
        frames: u64,
        link_types: &[LinkType],
        tcp_connections: u64,
        tls_connections: u64,
        error: Option<&CaptureError>,
        decode: &DecodeStats,
        keylog_sessions: usize,
    ) -> CaptureJson {
        CaptureJson {
            file: file.to_string(),
            format,
            frames,
            link_types: link_types.iter().map(|l| l.name()).collect(),
            tcp_connections,
            tls_connections,
            error: error.map(|e| e.to_string()),
            unsupported: decode
                .unsupported
                .iter()
                .map(|(k, u)| format!("{k}: {} frames from frame {}", u.frames, u.first_frame))
                .collect(),
            keylog_sessions,
        }
    }
}

/// A ladder step in the JSON document.
#[derive(Debug, Clone, Serialize)]
pub struct MessageJson {
    #[serde(rename = "type")]
    pub kind: String,
    pub from: Side,
    pub frame: u64,
    pub encrypted: bool,
}

/// One connection in the JSON document.
#[derive(Debug, Clone, Serialize)]
pub struct ConnectionJson {
    #[serde(flatten)]
    pub headline: super::Headline,
    /// The connection's first packet, Unix seconds (for fleets over time).
    pub first_seen: f64,
    pub decrypted: bool,
    pub client_auth: crate::diagnose::ClientAuth,
    pub handshake: HandshakeOutcome,
    pub alerts: Vec<AlertJson>,
    pub messages: Vec<MessageJson>,
    pub findings: Vec<Finding>,
    pub client_chain: Vec<std::sync::Arc<CertInfo>>,
    pub server_chain: Vec<std::sync::Arc<CertInfo>>,
    /// The path checks against `--ca` / `--server-ca`, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_path: Option<crate::x509::path::PathReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_path: Option<crate::x509::path::PathReport>,
    /// Each side's TLS stack as the handshake shows it; null if unknown.
    pub server_stack: Option<crate::diagnose::stack::Stack>,
    pub client_stack: Option<crate::diagnose::stack::Stack>,
}

impl ConnectionJson {
    pub fn new(f: &ConnectionFacts, d: &Diagnosis) -> ConnectionJson {
        ConnectionJson {
            headline: super::Headline::new(f),
            first_seen: f.tcp.detail.first_ts.as_f64(),
            decrypted: f.tls.handshakes.iter().any(|m| m.decrypted),
            client_auth: d.client_auth,
            handshake: d.handshake,
            alerts: f.tls.alerts.iter().map(AlertJson::from_entry).collect(),
            messages: f
                .tls
                .ladder
                .iter()
                .map(|l| MessageJson {
                    kind: l.kind.clone(),
                    from: l.from,
                    frame: l.frame,
                    encrypted: l.encrypted,
                })
                .collect(),
            findings: d.findings.clone(),
            client_chain: d.client_chain.clone(),
            server_chain: d.server_chain.clone(),
            client_path: d.client_path.clone(),
            server_stack: d.server_stack.clone(),
            client_stack: d.client_stack.clone(),
            server_path: d.server_path.clone(),
        }
    }
}

/// The whole JSON document.
#[derive(Debug, Clone, Serialize)]
pub struct ExplainJson {
    pub schema_version: u32,
    pub connections: Vec<ConnectionJson>,
    pub capture: CaptureJson,
}

pub fn json(doc: &ExplainJson) -> String {
    serde_json::to_string_pretty(doc).unwrap_or_else(|_| "{}".to_string())
}

/// serde_json's pretty layout (two spaces a level), every line after the
/// first indented by `base` more spaces, written in one pass.
#[derive(Clone)]
struct BasePretty {
    base: usize,
    level: usize,
    has_value: bool,
}

impl BasePretty {
    fn open<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.newline(w)?;
        }
        w.write_all(bracket)
    }

    /// Before an array element or an object key: a comma after the first,
    /// then a new line.
    fn item<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        self.newline(w)
    }

    /// A new line and its indentation, in one write when it is under 64
    /// spaces (always, in practice: it runs before every key and element).
    fn newline<W: ?Sized + std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        const NEWLINE_SPACES: &[u8; 65] =
            b"\n                                                                ";
        let mut n = self.base + 2 * self.level;
        let first = n.min(NEWLINE_SPACES.len() - 1);
        w.write_all(&NEWLINE_SPACES[..1 + first])?;
        n -= first;
        while n > 0 {
            let k = n.min(NEWLINE_SPACES.len() - 1);
            w.write_all(&NEWLINE_SPACES[1..1 + k])?;
            n -= k;
        }
        Ok(())
    }
}

impl sonic_rs::format::Formatter for BasePretty {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Pretty JSON of `v`, every line indented by `indent` spaces (to sit
/// inside the streamed document), as UTF-8 bytes (sonic-rs writes from
/// `&str`s and numbers only; checking it again cost 1.7%).
fn indented_bytes<T: Serialize>(v: &T, indent: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(8192);
    out.resize(indent, b' ');
    let fmt = BasePretty {
        base: indent,
        level: 0,
        has_value: false,
    };
    let mut ser = sonic_rs::Serializer::with_formatter(&mut out, fmt);
    if v.serialize(&mut ser).is_err() {
        out.clear();
        out.resize(indent, b' ');
        out.extend_from_slice(b"null");
    }
    out
}

/// [`indented_bytes`] as a `String`.
fn indented<T: Serialize>(v: &T, indent: usize) -> String {
    let out = indented_bytes(v, indent);
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// One element of the streamed `connections` array, as UTF-8 bytes.
pub fn connection_json(c: &ConnectionJson) -> Vec<u8> {
    indented_bytes(c, 4)
}

/// The `capture` object, written after the connections.
pub fn capture_json(c: &CaptureJson) -> String {
    indented(c, 2).trim_start().to_string()
}

/// ANSI styling, used only when writing to a terminal.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    fn outcome(&self, o: Outcome) -> String {
        let (code, text) = match o {
            Outcome::Succeeded => ("1;32", "SUCCEEDED"),
            Outcome::Failed => ("1;31", "FAILED"),
            Outcome::NotRequested => ("1;36", "NOT REQUESTED"),
            Outcome::NotProvided => ("1;33", "NOT PROVIDED"),
            Outcome::NotReached => ("1;31", "NOT REACHED"),
            Outcome::Unknown => ("1;33", "UNKNOWN"),
        };
        self.paint(code, text)
    }
    fn severity(&self, s: Severity) -> String {
        match s {
            Severity::Error => self.paint("31", "✗ error"),
            Severity::Warning => self.paint("33", "! warning"),
            Severity::Info => self.paint("36", "· info"),
        }
    }
}

pub(crate) fn verdict_sentence(d: &Diagnosis) -> &'static str {
    let resumed = d
        .findings
        .first()
        .is_some_and(|f| f.code == "resumed-session");
    if resumed && d.client_auth.outcome != Outcome::Unknown && d.client_auth.inferred {
        return "the session was resumed from a ticket that only earlier connections with this verdict could have issued, and that verdict holds for this one";
    }
    if resumed && d.client_auth.outcome != Outcome::Unknown {
        return "the session was resumed from an earlier connection of the capture, whose verdict holds for this one";
    }
    if d.client_auth.inferred && d.client_auth.outcome == Outcome::Succeeded {
        return "the server asked for a client certificate, the client sent one, and the server went on with the connection: the TLS handshake accepted it";
    }
    if d.client_auth.refused_above_tls {
        return if d.client_auth.certificate_sent == Some(false) {
            "the server asked for a client certificate and the client sent none; the TLS handshake went on without one, and then the server's application refused the client in its answer"
        } else {
            "the TLS handshake accepted the client's certificate, and then the server's application refused the client in its answer"
        };
    }
    match d.client_auth.outcome {
        Outcome::Succeeded => "the server asked for a client certificate, the client sent one and proved its key, and the server accepted it",
        Outcome::Failed => "the server asked for a client certificate and refused the connection",
        Outcome::NotRequested => "the server did not ask for a client certificate",
        Outcome::NotProvided => "the server asked for a client certificate, the client sent none, and the server carried on without one",
        Outcome::NotReached => {
            "the handshake ended before client authentication: the client refused the server, or the server refused the hello"
        }
        Outcome::Unknown if d.handshake == HandshakeOutcome::Failed => {
            "the handshake failed before the client's certificate could be judged"
        }
        Outcome::Unknown => "the capture does not show enough to tell",
    }
}

/// `Stacks: server X (high confidence); client Y (…).`, when either side
/// was identified (for the text and the HTML page alike).
pub(crate) fn stacks_sentence(d: &Diagnosis) -> Option<String> {
    use crate::diagnose::stack::{Confidence, Stack};
    if d.server_stack.is_none() && d.client_stack.is_none() {
        return None;
    }
    let side = |s: &Option<Stack>| {
        s.as_ref().map_or("not identified".to_string(), |s| {
            let c = match s.confidence {
                Confidence::High => "high",
                Confidence::Medium => "medium",
                Confidence::Low => "low",
            };
            format!("{} ({c} confidence)", s.label())
        })
    };
    Some(format!(
        "Stacks: server {}; client {}.",
        side(&d.server_stack),
        side(&d.client_stack)
    ))
}

/// A finding, wrapped to [`super::TEXT_WIDTH`]: the summary's further
/// lines indented by two, evidence and fix by four, theirs by six.
fn write_finding(out: &mut String, f: &Finding, style: Style, indent: &str) {
    // Put together by pushing, not `format!`: this runs for every line of
    // every finding, and each `format!` cost about 1,000 instructions.
    let joined = |parts: &[&str]| {
        let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
        parts.iter().for_each(|p| s.push_str(p));
        s
    };
    let plain_head_width = Style { color: false }.severity(f.severity).chars().count()
        + " [".len()
        + f.code.chars().count()
        + "]".len();
    super::fill_into(
        out,
        &joined(&[indent, &style.severity(f.severity), " [", f.code, "] "]),
        indent.len() + plain_head_width + 1,
        &f.summary,
        &joined(&[indent, "  "]),
    );
    let (sub, cont) = (joined(&[indent, "    "]), joined(&[indent, "      "]));
    let mut digits = itoa::Buffer::new();
    let mut text = String::new();
    for e in &f.evidence {
        text.clear();
        if let Some(n) = e.frame {
            text.push_str("frame ");
            text.push_str(digits.format(n));
            text.push_str(": ");
        }
        text.push_str(&e.field);
        text.push_str(" = ");
        text.push_str(&e.value);
        super::fill_into(out, &sub, sub.len(), &text, &cont);
    }
    if !f.observed {
        out.push_str(&sub);
        out.push_str("(inferred from the evidence above)\n");
    }
    if !f.fix.is_empty() {
        super::fill_into(out, &sub, sub.len(), &joined(&["fix: ", &f.fix]), &cont);
    }
}

/// Ladder entries grouped by frame and sender: `frame 6 ← server_hello,
/// certificate, certificate_request`.
fn compact_ladder(ladder: &[LadderEntry]) -> String {
    let mut out = String::with_capacity(64 * ladder.len());
    let mut digits = itoa::Buffer::new();
    let mut i = 0;
    while i < ladder.len() {
        let (frame, from) = (ladder[i].frame, ladder[i].from);
        let mut kinds: Vec<(String, usize)> = Vec::new();
        while i < ladder.len() && ladder[i].frame == frame && ladder[i].from == from {
            let l = &ladder[i];
            let mut k = l.kind.clone();
            if let Some(a) = &l.alert {
                if !a.encrypted {
                    k = format!(
                        "alert({} {})",
                        a.description,
                        names::alert_description_name(a.description)
                    );
                }
            } else if l.encrypted && l.kind != "application_data" {
                k.push_str(" (encrypted)");
            }
            // Runs of the same record collapse: "application_data ×5".
            match kinds.last_mut() {
                Some((last, n)) if *last == k => *n += 1,
                _ => kinds.push((k, 1)),
            }
            i += 1;
        }
        let mut text = String::with_capacity(kinds.iter().map(|(k, _)| k.len() + 8).sum());
        for (j, (k, n)) in kinds.iter().enumerate() {
            if j > 0 {
                text.push_str(", ");
            }
            text.push_str(k);
            if *n > 1 {
                text.push_str(" ×");
                text.push_str(digits.format(*n));
            }
        }
        let arrow = match from {
            Side::Client => "client →",
            Side::Server => "← server",
        };
        // `    {frame:>6}  {arrow}  `, without `format!` (every line of the
        // ladder of every connection).
        let frame_text = digits.format(frame);
        let mut first = String::with_capacity(32);
        first.push_str("    ");
        for _ in frame_text.len()..6 {
            first.push(' ');
        }
        first.push_str(frame_text);
        first.push_str("  ");
        first.push_str(arrow);
        first.push_str("  ");
        let width = first.chars().count();
        let cont = " ".repeat(width);
        super::fill_into(&mut out, &first, width, &text, &cont);
    }
    out
}

/// The client's chain in 96 columns: subject over issuer, the two dates,
/// EKU over KU. Dates and usage names stay whole; names wrap at spaces.
///
/// Laid out once per chain: comfy-table's dynamic layout takes about
/// 160,000 instructions a table, and a capture's connections mostly send the
/// same few chains. The table is a function of the certificates alone,
/// so it is remembered by their SHA-256 (at most [`CHAIN_TABLES_KEPT`]
/// chains, then the memory starts again).
fn chain_table(chain: &[std::sync::Arc<CertInfo>]) -> String {
    let key: String = chain.iter().map(|c| c.sha256.as_str()).collect();
    CHAIN_TABLES.with(|tables| {
        let mut tables = tables.borrow_mut();
        if let Some(t) = tables.get(&key) {
            return t.clone();
        }
        let t = lay_out_chain_table(chain);
        if tables.len() >= CHAIN_TABLES_KEPT {
            tables.clear();
        }
        tables.insert(key, t.clone());
        t
    })
}

/// How many chains' tables [`chain_table`] keeps (per thread).
const CHAIN_TABLES_KEPT: usize = 256;

thread_local! {
    static CHAIN_TABLES: std::cell::RefCell<std::collections::HashMap<String, String>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

fn lay_out_chain_table(chain: &[std::sync::Arc<CertInfo>]) -> String {
    let mut t = super::table(4);
    t.set_header(vec!["#", "subject / issuer", "valid", "usage", "key"]);
    let list = |v: &Option<Vec<String>>| {
        v.as_ref()
            .map(|v| v.join(", "))
            .unwrap_or_else(|| "(any)".into())
    };
    for (i, c) in chain.iter().enumerate() {
        t.add_row(vec![
            (i + 1).to_string(),
            format!("{}\nissued by {}", c.subject, c.issuer),
            format!("{}\n{}", c.not_before, c.not_after),
            format!("EKU {}\nKU {}", list(&c.eku), list(&c.key_usage)),
            c.key.clone(),
        ]);
    }
    for (col, width) in [(2, 22), (3, 21)] {
        if let Some(c) = t.column_mut(col) {
            c.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(width)));
        }
    }
    t.to_string()
        .lines()
        .map(|l| format!("    {l}\n"))
        .collect()
}

/// The text report for one connection.
pub fn text_connection(f: &ConnectionFacts, d: &Diagnosis, style: Style) -> String {
    // A connection's report is a few KB: room for it up front.
    let mut out = String::with_capacity(4096);
    out.push_str(&style.bold(&super::Headline::new(f).title(false)));
    out.push('\n');
    // A verdict read from record sizes says so before anything else.
    let inferred = d.client_auth.inferred;
    let outcome = format!(
        "{}{}",
        Style { color: false }.outcome(d.client_auth.outcome),
        if inferred { " (inferred)" } else { "" }
    );
    let first = format!(
        "  Client certificate authentication: {}{} ",
        style.outcome(d.client_auth.outcome),
        if inferred { " (inferred)" } else { "" }
    );
    super::fill_into(
        &mut out,
        &first,
        "  Client certificate authentication: ".len() + outcome.chars().count() + 1,
        &format!("— {}.", verdict_sentence(d)),
        "    ",
    );
    if d.handshake == HandshakeOutcome::Failed && d.client_auth.outcome != Outcome::Failed {
        out.push_str("  The handshake failed.\n");
    }
    if let Some(stacks) = stacks_sentence(d) {
        super::fill_into(&mut out, "  ", 2, &stacks, "    ");
    }
    let mut findings = d.findings.iter();
    if let Some(first) = findings.next() {
        out.push_str("\n  Why:\n");
        write_finding(&mut out, first, style, "    ");
    }
    let rest: Vec<&Finding> = findings.collect();
    if !rest.is_empty() {
        out.push_str("\n  Also:\n");
        for f in rest {
            write_finding(&mut out, f, style, "    ");
        }
    }
    if !f.tls.ladder.is_empty() {
        out.push_str("\n  Handshake:\n");
        out.push_str(&compact_ladder(&f.tls.ladder));
    }
    if !d.client_chain.is_empty() {
        out.push_str("\n  Client certificate chain:\n");
        out.push_str(&chain_table(&d.client_chain));
    }
    out
}

/// `14 TCP connections, 11 with TLS: 5 succeeded, 3 failed, 2 not requested, 1 not provided`.
pub fn totals_line(tcp: u64, outcomes: impl Iterator<Item = Outcome>) -> String {
    let mut counts: Vec<(Outcome, usize)> = Vec::new();
    let mut tls = 0;
    for o in outcomes {
        tls += 1;
        match counts.iter_mut().find(|(k, _)| *k == o) {
            Some((_, n)) => *n += 1,
            None => counts.push((o, 1)),
        }
    }
    let order = [
        Outcome::Failed,
        Outcome::Succeeded,
        Outcome::NotProvided,
        Outcome::NotRequested,
        Outcome::NotReached,
        Outcome::Unknown,
    ];
    let parts: Vec<String> = order
        .iter()
        .filter_map(|o| {
            counts
                .iter()
                .find(|(k, _)| k == o)
                .map(|(_, n)| format!("{n} {}", o.as_str().replace('_', " ")))
        })
        .collect();
    super::fill(
        "",
        0,
        &format!(
            "{tcp} TCP connection(s), {tls} with TLS: client authentication {}.",
            parts.join(", ")
        ),
        "  ",
    )
}

#[cfg(test)]
mod tests;
