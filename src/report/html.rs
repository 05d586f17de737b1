//! `tlstrace explain --format html`: one self-contained page to hand on in
//! a ticket or a chat.
//!
//! Per connection: the handshake drawn as a ladder ([`ladder`], SVG), the
//! verdict, the decisive finding with its evidence and fix, the other
//! findings, and the client's chain as a tree with the certificate and the
//! field at fault marked ([`chain`]). With several connections a summary
//! (outcomes by cause, as an SVG bar chart) comes first and the
//! connections follow, failures first, each collapsible.
//!
//! The page needs nothing from the network: CSS and SVG are inline, there
//! is no script, and a Content-Security-Policy forbids loading anything.
//! Everything taken from the capture (SNI, names, alert texts) is hostile
//! input and goes through [`escape`]. The output depends on the capture
//! alone (no clock), so it can be compared in tests.

mod chain;
mod ladder;
#[cfg(test)]
mod tests;

use super::explain::{stacks_sentence, verdict_sentence, CaptureJson};
use super::Headline;
use crate::diagnose::{Diagnosis, Finding, HandshakeOutcome, Outcome, Severity};
use crate::tls::ConnectionFacts;
use std::fmt::Write;

/// Escapes text for HTML element content and attribute values. Control
/// characters and bidirectional overrides (which could make a hostile
/// name read as another) become U+FFFD.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => out.push('\u{FFFD}'),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// `s` cut to at most `max` characters, with an ellipsis when cut.
pub(crate) fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// Escaped prose in which `backquoted` spans become `<code>`.
fn prose(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in escape(s).split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

/// CSS class and label of an outcome.
fn outcome_look(o: Outcome) -> (&'static str, &'static str) {
    match o {
        Outcome::Succeeded => ("ok", "SUCCEEDED"),
        Outcome::Failed => ("failed", "FAILED"),
        Outcome::NotRequested => ("neutral", "NOT REQUESTED"),
        Outcome::NotProvided => ("warn", "NOT PROVIDED"),
        Outcome::NotReached => ("failed", "NOT REACHED"),
        Outcome::Unknown => ("unknown", "UNKNOWN"),
    }
}

fn severity_look(s: Severity) -> (&'static str, &'static str) {
    match s {
        Severity::Error => ("error", "✗ error"),
        Severity::Warning => ("warning", "! warning"),
        Severity::Info => ("info", "· info"),
    }
}

/// One connection, rendered, with what the summary and the order need.
struct Section {
    id: u64,
    failed: bool,
    outcome: Outcome,
    cause: Option<&'static str>,
    html: String,
}

impl Section {
    /// Failures first, then what could not be told, then the rest.
    fn rank(&self) -> u8 {
        if self.failed {
            return 0;
        }
        match self.outcome {
            Outcome::Failed | Outcome::NotReached => 0,
            Outcome::Unknown => 1,
            Outcome::NotProvided => 2,
            Outcome::NotRequested => 3,
            Outcome::Succeeded => 4,
        }
    }
}

/// The HTML report being built: connections are rendered as they are
/// diagnosed (only the markup is kept), the page is put together at the
/// end, when the summary is known.
pub struct Page {
    sections: Vec<Section>,
}

impl Default for Page {
    fn default() -> Self {
        Page::new()
    }
}

impl Page {
    pub fn new() -> Page {
        Page {
            sections: Vec::new(),
        }
    }

    /// Renders one diagnosed connection.
    pub fn push(&mut self, f: &ConnectionFacts, d: &Diagnosis) {
        self.sections.push(Section {
            id: f.info.id,
            failed: d.failed(),
            outcome: d.client_auth.outcome,
            cause: d.findings.first().map(|x| x.code),
            html: connection(f, d),
        });
    }

    /// The whole page.
    pub fn finish(mut self, capture: &CaptureJson) -> String {
        self.sections.sort_by_key(|s| (s.rank(), s.id));
        let single = self.sections.len() == 1;
        let mut out = String::with_capacity(16 * 1024);
        let title = format!("tlstrace: {}", capture.file);
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"generator\" content=\"tlstrace {}\">\n\
             <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
            env!("CARGO_PKG_VERSION"),
            escape(&title)
        );
        out.push_str(&header(capture, &self.sections));
        if self.sections.len() > 1 {
            out.push_str(&summary_chart(&self.sections));
        }
        if self.sections.is_empty() {
            let _ = writeln!(
                out,
                "<p class=\"empty\">No TLS connections found ({} TCP connection(s), {} frames).</p>",
                capture.tcp_connections, capture.frames
            );
        }
        for s in &self.sections {
            // One connection, or a failure: open. The rest: one line each
            // until opened.
            let open = if single || s.rank() == 0 { " open" } else { "" };
            let (class, _) = outcome_look(s.outcome);
            let class = if s.failed { "failed" } else { class };
            let _ = writeln!(
                out,
                "<details class=\"conn {class}\" id=\"conn-{}\"{open}>",
                s.id
            );
            out.push_str(&s.html);
            out.push_str("</details>\n");
        }
        out.push_str(
            "<footer>Made by tlstrace from the capture alone. Frame numbers are those Wireshark shows.</footer>\n</body>\n</html>\n",
        );
        out
    }
}

/// The page header: the capture and the totals.
fn header(c: &CaptureJson, sections: &[Section]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<header>\n<h1>TLS client authentication in <span class=\"file\">{}</span></h1>",
        escape(&c.file)
    );
    let failed = sections.iter().filter(|s| s.failed).count();
    let _ = writeln!(
        out,
        "<p class=\"totals\">{} frames, {} TCP connection(s), {} with TLS{}.</p>",
        c.frames,
        c.tcp_connections,
        sections.len(),
        if failed > 0 {
            format!(", <b class=\"failed-text\">{failed} failed</b>")
        } else {
            String::new()
        }
    );
    if let Some(e) = &c.error {
        let _ = writeln!(
            out,
            "<p class=\"note\">Reading stopped early: {}. Everything before it is reported.</p>",
            escape(e)
        );
    }
    for u in &c.unsupported {
        let _ = writeln!(out, "<p class=\"note\">Not read: {}.</p>", escape(u));
    }
    out.push_str("</header>\n");
    out
}

/// Outcomes by cause (the decisive finding's code), as horizontal bars.
fn summary_chart(sections: &[Section]) -> String {
    // (rank, outcome label, cause) → count and first connection.
    let mut bars: Vec<(u8, &'static str, &'static str, &'static str, usize, u64)> = Vec::new();
    for s in sections {
        let (class, label) = outcome_look(s.outcome);
        let (class, label) = if s.failed && s.outcome != Outcome::Failed {
            ("failed", "HANDSHAKE FAILED")
        } else {
            (class, label)
        };
        let cause = s.cause.unwrap_or("no finding");
        match bars.iter_mut().find(|b| b.2 == label && b.3 == cause) {
            Some(b) => b.4 += 1,
            None => bars.push((s.rank(), class, label, cause, 1, s.id)),
        }
    }
    bars.sort_by(|a, b| a.0.cmp(&b.0).then(b.4.cmp(&a.4)).then(a.5.cmp(&b.5)));
    let max = bars.iter().map(|b| b.4).max().unwrap_or(1).max(1);
    let (label_w, bar_w, row_h) = (330.0, 260.0, 22.0);
    let height = 12.0 + row_h * bars.len() as f64;
    let mut out = String::new();
    out.push_str("<section class=\"summary\">\n<h2>Outcomes by cause</h2>\n");
    let _ = writeln!(
        out,
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 680 {height}\" width=\"680\" height=\"{height}\" role=\"img\" aria-label=\"Client authentication outcomes by cause\">"
    );
    for (i, (_, class, label, cause, n, first)) in bars.iter().enumerate() {
        let y = 6.0 + row_h * i as f64;
        let w = (bar_w * *n as f64 / max as f64).max(3.0);
        let _ = writeln!(
            out,
            "<a href=\"#conn-{first}\"><g class=\"bar {class}\"><text x=\"{x}\" y=\"{ty}\" text-anchor=\"end\">{} · {}</text>\
             <rect x=\"{bx}\" y=\"{y}\" width=\"{w:.1}\" height=\"{h}\" rx=\"2\"/>\
             <text class=\"n\" x=\"{nx:.1}\" y=\"{ty}\">{n}</text></g></a>",
            label.to_lowercase(),
            escape(cause),
            x = label_w - 8.0,
            ty = y + 12.0,
            bx = label_w,
            h = row_h - 6.0,
            nx = label_w + w + 6.0,
        );
    }
    out.push_str("</svg>\n</section>\n");
    out
}

/// One connection: headline, ladder, verdict and findings, chain.
fn connection(f: &ConnectionFacts, d: &Diagnosis) -> String {
    let h = Headline::new(f);
    let (class, label) = outcome_look(d.client_auth.outcome);
    let mut out = String::new();
    let cause = d
        .findings
        .first()
        .map(|x| format!(" <code class=\"cause\">{}</code>", escape(x.code)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "<summary><span class=\"badge {class}\">{label}</span> {}{cause}</summary>",
        escape(&h.title(false))
    );
    out.push_str("<div class=\"conn-body\">\n<div class=\"ladder-col\">\n");
    out.push_str(&ladder::svg(f, d));
    out.push_str(LEGEND);
    out.push_str(&chain::tree(f, d));
    out.push_str("</div>\n<div class=\"explain-col\">\n");
    out.push_str(&verdict(d));
    let mut findings = d.findings.iter();
    if let Some(first) = findings.next() {
        out.push_str("<h3>Why</h3>\n");
        out.push_str(&finding(first, true));
    }
    let rest: Vec<&Finding> = findings.collect();
    if !rest.is_empty() {
        out.push_str("<h3>Also</h3>\n");
        for x in rest {
            out.push_str(&finding(x, false));
        }
    }
    out.push_str("</div>\n</div>\n");
    out
}

fn verdict(d: &Diagnosis) -> String {
    let (class, label) = outcome_look(d.client_auth.outcome);
    let mut out = format!(
        "<div class=\"verdict {class}\"><p>Client certificate authentication: <b class=\"verdict-word\">{label}</b>{} — {}.</p>",
        if d.client_auth.inferred {
            " <span class=\"inferred-tag\">(inferred from record sizes)</span>"
        } else {
            ""
        },
        escape(verdict_sentence(d))
    );
    if d.handshake == HandshakeOutcome::Failed && d.client_auth.outcome != Outcome::Failed {
        out.push_str("<p>The handshake failed.</p>");
    }
    if let Some(stacks) = stacks_sentence(d) {
        let _ = write!(out, "<p class=\"stacks\">{}</p>", escape(&stacks));
    }
    out.push_str("</div>\n");
    out
}

/// A finding: summary, evidence table, fix. The decisive one is shown in
/// full; the others fold their evidence away.
fn finding(f: &Finding, decisive: bool) -> String {
    let (class, sev) = severity_look(f.severity);
    let mut out = String::new();
    let head = format!(
        "<span class=\"sev\">{sev}</span> <code>{}</code>{}",
        escape(f.code),
        if f.observed {
            ""
        } else {
            " <span class=\"inferred-tag\">inferred</span>"
        }
    );
    let mut body = String::new();
    if !f.evidence.is_empty() {
        body.push_str("<table class=\"evidence\">\n");
        for e in &f.evidence {
            let _ = writeln!(
                body,
                "<tr><td class=\"frame\">{}</td><th>{}</th><td>{}</td></tr>",
                e.frame.map(|n| format!("frame {n}")).unwrap_or_default(),
                escape(&e.field),
                escape(&e.value)
            );
        }
        body.push_str("</table>\n");
    }
    if !f.observed {
        body.push_str(
            "<p class=\"inferred-note\">Inferred from the evidence above, not seen directly.</p>\n",
        );
    }
    if !f.fix.is_empty() {
        let _ = writeln!(body, "<p class=\"fix\"><b>Fix:</b> {}</p>", prose(&f.fix));
    }
    if decisive {
        let _ = write!(
            out,
            "<div class=\"finding decisive {class}\">\n<div class=\"fhead\">{head}</div>\n<p class=\"fsum\">{}</p>\n{body}</div>\n",
            prose(&f.summary)
        );
    } else {
        let _ = write!(
            out,
            "<details class=\"finding {class}\"><summary>{head} {}</summary>\n{body}</details>\n",
            prose(&f.summary)
        );
    }
    out
}

const LEGEND: &str = "<p class=\"legend\">Left: frame number and time since the first message. \
<span class=\"sw plain\"></span>in clear \
<span class=\"sw enc\"></span>encrypted, not read \
<span class=\"sw dec\"></span>decrypted with the key log \
<span class=\"sw inf\"></span>inferred from record sizes \
<span class=\"sw fail\"></span>failing step, fatal alert</p>\n";

const CSS: &str = r#"
:root { --red: #b91c1c; --red-bg: #fee2e2; --green: #15803d; --amber: #b45309; --blue: #0369a1; --grey: #64748b; --line: #cbd5e1; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #0f172a; margin: 0 auto; padding: 16px 24px 32px; max-width: 1400px; background: #fff; }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.92em; }
h1 { font-size: 20px; margin: 0 0 4px; } h1 .file { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-weight: 600; }
h2 { font-size: 16px; margin: 16px 0 6px; } h3 { font-size: 14px; margin: 14px 0 6px; text-transform: uppercase; letter-spacing: .04em; color: var(--grey); }
header { border-bottom: 1px solid var(--line); padding-bottom: 8px; margin-bottom: 12px; }
.totals { margin: 0; color: #334155; } .note { color: var(--amber); margin: 4px 0; } .failed-text { color: var(--red); }
details.conn { border: 1px solid var(--line); border-radius: 6px; margin: 12px 0; padding: 0 14px; break-inside: avoid-page; }
details.conn.failed { border-left: 5px solid var(--red); } details.conn.ok { border-left: 5px solid var(--green); }
details.conn.warn, details.conn.unknown { border-left: 5px solid var(--amber); } details.conn.neutral { border-left: 5px solid var(--blue); }
details.conn > summary { cursor: pointer; padding: 10px 0; font-weight: 600; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; }
.badge { display: inline-block; font-family: system-ui, sans-serif; font-size: 11px; font-weight: 700; color: #fff; border-radius: 3px; padding: 1px 6px; margin-right: 6px; background: var(--grey); }
.badge.failed { background: var(--red); } .badge.ok { background: var(--green); } .badge.warn, .badge.unknown { background: var(--amber); } .badge.neutral { background: var(--blue); }
.cause { color: var(--grey); font-weight: 400; margin-left: 6px; }
.conn-body { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
.ladder-col { flex: 0 1 680px; min-width: 320px; } .ladder-col svg { max-width: 100%; height: auto; }
.explain-col { flex: 1 1 420px; min-width: 320px; }
.verdict { border-radius: 6px; padding: 8px 12px; background: #f1f5f9; } .verdict p { margin: 0; } .verdict .stacks { font-size: 12.5px; color: #334155; margin-top: 4px; }
.verdict.failed { background: var(--red-bg); } .verdict.failed .verdict-word { color: var(--red); }
.verdict.ok { background: #dcfce7; } .verdict.ok .verdict-word { color: var(--green); }
.verdict.warn, .verdict.unknown { background: #fef3c7; } .verdict.neutral { background: #e0f2fe; }
.finding { margin: 6px 0; } .finding.decisive { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; }
.finding.decisive.error { border-color: var(--red); background: #fff7f7; }
.fhead { font-weight: 600; } .fsum { margin: 4px 0; }
.finding .sev { font-weight: 700; } .error .sev { color: var(--red); } .warning .sev { color: var(--amber); } .info .sev { color: var(--blue); }
details.finding > summary { cursor: pointer; }
.inferred-tag { font-size: 11px; font-weight: 600; color: var(--amber); border: 1px dashed var(--amber); border-radius: 3px; padding: 0 4px; }
.inferred-note { font-style: italic; color: var(--grey); margin: 4px 0; }
table.evidence { border-collapse: collapse; margin: 6px 0; font-size: 13px; width: 100%; }
table.evidence td, table.evidence th { border-top: 1px solid #e2e8f0; padding: 2px 6px; vertical-align: top; text-align: left; overflow-wrap: anywhere; }
table.evidence th { font-weight: 600; min-width: 8em; } table.evidence .frame { white-space: nowrap; color: var(--grey); font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.fix { margin: 6px 0 2px; }
.legend { font-size: 12px; color: #334155; margin: 2px 0 8px; }
.sw { display: inline-block; width: 14px; height: 10px; border: 1px solid #94a3b8; border-radius: 2px; margin: 0 4px 0 10px; vertical-align: -1px; background: #fff; }
.sw.enc { background: #cbd5e1; } .sw.dec { background: #e0f2fe; } .sw.inf { border: 1.5px dashed var(--amber); } .sw.fail { background: var(--red-bg); border-color: var(--red); }
svg text { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 11px; fill: #0f172a; }
svg .head { font-family: system-ui, "DejaVu Sans", sans-serif; font-weight: 700; font-size: 13px; }
svg .addr, svg .time, svg .end { font-size: 10px; fill: var(--grey); }
svg .frameno { font-size: 11px; fill: #334155; }
svg .life { stroke: #94a3b8; stroke-width: 2; } svg .break { stroke: #94a3b8; stroke-width: 1.5; fill: none; }
svg .gaptext { font-size: 10.5px; fill: var(--amber); font-style: italic; }
svg .band { fill: #f1f5f9; }
svg .arrow line { stroke: #334155; stroke-width: 1.6; } svg .arrow polygon { fill: #334155; }
svg .flight.failing .arrow line { stroke: var(--red); stroke-width: 2.4; } svg .flight.failing .arrow polygon { fill: var(--red); }
svg .flight.inferred .arrow line { stroke-dasharray: 7 4; stroke: var(--amber); } svg .flight.inferred .arrow polygon { fill: var(--amber); }
svg .flight.failing.inferred .arrow line { stroke: var(--red); }
svg .msg rect { fill: #fff; stroke: #94a3b8; }
svg .msg.enc rect { fill: #cbd5e1; } svg .msg.dec rect { fill: #e0f2fe; }
svg .flight.inferred .msg.enc rect { stroke: var(--amber); stroke-dasharray: 3 2; }
svg .msg.failing rect { fill: var(--red-bg); stroke: var(--red); stroke-width: 1.6; } svg .msg.failing text { fill: var(--red); font-weight: 700; }
svg .note { font-size: 10px; fill: var(--amber); font-style: italic; }
svg .more { font-size: 10.5px; fill: var(--grey); font-style: italic; }
svg .bar text { font-size: 12px; } svg .bar .n { font-weight: 700; }
svg .bar rect { fill: var(--grey); } svg .bar.failed rect { fill: var(--red); } svg .bar.ok rect { fill: var(--green); }
svg .bar.warn rect, svg .bar.unknown rect { fill: var(--amber); } svg .bar.neutral rect { fill: var(--blue); }
.chain ol.tree { list-style: none; padding: 0; margin: 6px 0 12px; }
.chain li.node { position: relative; margin: 0 0 22px 0; max-width: 680px; }
.chain li.node:not(:last-child)::after { content: "↓ issued by"; position: absolute; left: 18px; bottom: -19px; font-size: 11px; color: var(--grey); }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; background: #fff; }
.node.fault > .card { border: 2px solid var(--red); background: #fff7f7; }
.node.missing > .card, .node.cas > .card { border-style: dashed; }
.node.missing > .card { border-color: var(--red); color: var(--red); }
.role { font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: var(--grey); }
.subj { font-weight: 600; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; overflow-wrap: anywhere; }
.card dl { display: grid; grid-template-columns: max-content 1fr; gap: 1px 10px; margin: 4px 0 0; font-size: 12.5px; }
.card dt { color: var(--grey); } .card dd { margin: 0; overflow-wrap: anywhere; }
.card dd.fault, .card dt.fault { color: var(--red); font-weight: 700; } .card dd.fault { background: var(--red-bg); border-radius: 2px; padding: 0 4px; }
.fault-note { color: var(--red); font-weight: 600; margin: 4px 0 0; font-size: 12.5px; }
.cas ul { margin: 4px 0 0; padding-left: 18px; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
.cas li.match { color: var(--green); } .cas li.match::marker { content: "✓ "; }
.empty { color: var(--grey); }
footer { margin-top: 24px; font-size: 11px; color: var(--grey); }
@media print {
  body { padding: 0; max-width: none; }
  details.conn { border-left-width: 3px; }
  details::details-content { content-visibility: visible; display: contents; }
  details > summary { list-style: none; }
  a { color: inherit; text-decoration: none; }
}
"#;
