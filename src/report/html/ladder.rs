//! The handshake as a ladder drawn in SVG, as Wireshark's flow graph
//! draws it: the client's and the server's lifelines, time flowing down,
//! one arrow per flight labelled with its messages and frames. What
//! tlstrace adds: the failing step and fatal alerts in red, encrypted
//! records shaded, flights known only from record sizes dashed (with what
//! they were inferred to be), and gaps in the capture drawn as breaks.
//!
//! Layout is computed here with a fixed character width (the labels use a
//! monospace font), so the drawing is the same in every browser and in
//! print.

use super::{clip, escape};
use crate::capture::Timestamp;
use crate::diagnose::{Diagnosis, Severity};
use crate::tls::names;
use crate::tls::stream::{IssueKind, LadderEntry, Side};
use crate::tls::ConnectionFacts;
use std::fmt::Write;

const WIDTH: f64 = 680.0;
const CLIENT_X: f64 = 110.0;
const SERVER_X: f64 = 590.0;
/// Width of one character of the 11px monospace labels (DejaVu Sans Mono
/// is 0.602 em), with a little to spare.
const CHAR_W: f64 = 6.8;
const NOTE_CHAR_W: f64 = 6.1;
const CHIP_H: f64 = 17.0;
const CHIP_GAP: f64 = 4.0;
const TOP: f64 = 50.0;
/// Flights drawn at most: the first ones and the last ones, with a note
/// of how many records between them are left out.
const HEAD_FLIGHTS: usize = 40;
const TAIL_FLIGHTS: usize = 15;
const MAX_LABEL: usize = 48;
const MAX_NOTE_LINES: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shade {
    Plain,
    /// Encrypted and not decrypted.
    Encrypted,
    Decrypted,
}

#[derive(Debug, Clone)]
struct Chip {
    label: String,
    shade: Shade,
    failing: bool,
    count: usize,
}

impl Chip {
    fn text(&self) -> String {
        if self.count > 1 {
            format!("{} ×{}", self.label, self.count)
        } else {
            self.label.clone()
        }
    }
}

#[derive(Debug, Clone)]
struct Flight {
    from: Side,
    first_frame: u64,
    last_frame: u64,
    ts: Timestamp,
    chips: Vec<Chip>,
    /// Carries the failing step or is cited by the decisive finding of a
    /// failed connection.
    failing: bool,
    /// What a finding inferred this (unreadable) flight to be.
    notes: Vec<String>,
    entries: usize,
}

impl Flight {
    /// Everything but the (meaningless) TLS 1.3 ChangeCipherSpec is
    /// encrypted and unread.
    fn all_encrypted(&self) -> bool {
        let mut it = self
            .chips
            .iter()
            .filter(|c| c.label != "change_cipher_spec")
            .peekable();
        it.peek().is_some() && it.all(|c| c.shade == Shade::Encrypted)
    }
    /// Known only from what a finding inferred from record sizes.
    fn inferred(&self) -> bool {
        !self.notes.is_empty() && self.all_encrypted()
    }
}

#[derive(Debug, Clone)]
enum Row {
    Flight(Flight),
    /// Part of the stream was not captured.
    Gap(Vec<String>),
    /// Records left out of the drawing.
    More(usize),
}

/// The message the decisive finding is about, by its code: the client's
/// certificate for chain problems, its CertificateVerify for signature
/// problems, the server's for the server's.
fn failing_target(code: &str) -> Option<(Side, &'static [&'static str])> {
    const CERT: &[&str] = &["certificate"];
    Some(match code {
        "issuer-not-in-ca-list"
        | "untrusted-issuer"
        | "unknown-issuer"
        | "incomplete-chain"
        | "chain-misordered"
        | "chain-broken"
        | "chain-signature-invalid"
        | "signature-algorithms-cert-unmet"
        | "issuer-not-a-ca"
        | "missing-client-auth-eku"
        | "key-usage-forbids-signature"
        | "certificate-expired"
        | "certificate-not-yet-valid"
        | "certificate-revoked"
        | "client-certificate-empty" => (Side::Client, CERT),
        "certificate-verify-invalid" | "signature-scheme-not-offered" => {
            (Side::Client, &["certificate_verify"])
        }
        "server-certificate-name-mismatch"
        | "server-certificate-missing-server-auth-eku"
        | "server-certificate-expired"
        | "server-certificate-rejected" => (Side::Server, CERT),
        "server-signature-invalid" => {
            (Side::Server, &["certificate_verify", "server_key_exchange"])
        }
        "hello-rejected" => (Side::Client, &["client_hello"]),
        _ => return None,
    })
}

/// Which ladder entry is the failing step (if one message is), and which
/// frames the decisive finding of a failed connection cites.
fn failing_marks(ladder: &[LadderEntry], d: &Diagnosis) -> (Option<usize>, Vec<u64>) {
    let Some(decisive) = d.findings.first() else {
        return (None, Vec::new());
    };
    if !(d.failed() || decisive.severity == Severity::Error) {
        return (None, Vec::new());
    }
    if let Some((side, kinds)) = failing_target(decisive.code) {
        let is = |l: &LadderEntry| l.from == side && kinds.contains(&l.kind.as_str());
        let found = ladder
            .iter()
            .position(|l| is(l) && decisive.frames.contains(&l.frame))
            .or_else(|| ladder.iter().position(is));
        if found.is_some() {
            return (found, Vec::new());
        }
    }
    (None, decisive.frames.clone())
}

/// A fatal alert, or an encrypted one an error finding cites on a failed
/// connection.
fn red_alert(l: &LadderEntry, d: &Diagnosis) -> bool {
    match &l.alert {
        Some(a) if !a.encrypted => a.level == 2,
        Some(_) => {
            d.failed()
                && d.findings
                    .iter()
                    .any(|f| f.severity == Severity::Error && f.frames.contains(&l.frame))
        }
        None => false,
    }
}

fn label(l: &LadderEntry) -> String {
    match &l.alert {
        Some(a) if !a.encrypted => {
            let level = match a.level {
                1 => "warning ",
                2 => "fatal ",
                _ => "",
            };
            format!(
                "{level}alert {} {}",
                a.description,
                names::alert_description_name(a.description)
            )
        }
        Some(_) => "alert (encrypted)".to_string(),
        None => {
            let mut k = clip(&l.kind, MAX_LABEL);
            if l.truncated {
                k.push_str(" (cut)");
            }
            k
        }
    }
}

/// Groups the ladder into flights (runs of one side), with gaps between.
fn rows(f: &ConnectionFacts, d: &Diagnosis) -> Vec<Row> {
    let ladder = &f.tls.ladder;
    let (failing_entry, failing_frames) = failing_marks(ladder, d);
    // Frame → what an inferred finding says about it.
    let mut notes: Vec<(u64, String)> = Vec::new();
    for x in d.findings.iter().filter(|x| !x.observed) {
        for e in &x.evidence {
            if let Some(n) = e.frame {
                let text = format!("{}: {}", e.field, e.value);
                if !notes.iter().any(|(m, t)| *m == n && *t == text) {
                    notes.push((n, text));
                }
            }
        }
    }
    let mut gaps: Vec<(u64, Vec<String>)> = Vec::new();
    for i in &f.tls.issues {
        if matches!(i.kind, IssueKind::CaptureGap | IssueKind::LostRecord) {
            let text = format!("{}: {}", i.from.as_str(), i.detail);
            match gaps.iter_mut().find(|(n, _)| *n == i.frame) {
                Some((_, v)) => {
                    if v.len() < 3 {
                        v.push(text)
                    }
                }
                None => gaps.push((i.frame, vec![text])),
            }
        }
    }
    gaps.sort_by_key(|g| g.0);
    let mut gaps = gaps.into_iter().peekable();

    let mut out: Vec<Row> = Vec::new();
    let mut cur: Option<Flight> = None;
    for (i, l) in ladder.iter().enumerate() {
        let mut broke = false;
        while gaps.peek().is_some_and(|g| g.0 <= l.frame) {
            if let Some(g) = gaps.next() {
                if let Some(fl) = cur.take() {
                    out.push(Row::Flight(fl));
                }
                out.push(Row::Gap(g.1));
                broke = true;
            }
        }
        let decrypted = l
            .handshake
            .and_then(|h| f.tls.handshakes.get(h))
            .is_some_and(|h| h.decrypted);
        let chip = Chip {
            label: label(l),
            shade: if l.encrypted {
                Shade::Encrypted
            } else if decrypted {
                Shade::Decrypted
            } else {
                Shade::Plain
            },
            // Without keys, the encrypted records the decisive finding
            // cites are the failing step.
            failing: failing_entry == Some(i)
                || red_alert(l, d)
                || (l.encrypted && failing_frames.contains(&l.frame)),
            count: 1,
        };
        let fl = match &mut cur {
            Some(fl) if fl.from == l.from && !broke => fl,
            _ => {
                if let Some(fl) = cur.take() {
                    out.push(Row::Flight(fl));
                }
                cur.insert(Flight {
                    from: l.from,
                    first_frame: l.frame,
                    last_frame: l.frame,
                    ts: l.ts,
                    chips: Vec::new(),
                    failing: false,
                    notes: Vec::new(),
                    entries: 0,
                })
            }
        };
        fl.first_frame = fl.first_frame.min(l.frame);
        fl.last_frame = fl.last_frame.max(l.frame);
        fl.entries += 1;
        fl.failing |= chip.failing || failing_frames.contains(&l.frame);
        for (_, t) in notes.iter().filter(|(n, _)| *n == l.frame) {
            if !fl.notes.contains(t) {
                fl.notes.push(t.clone());
            }
        }
        match fl.chips.last_mut() {
            Some(c)
                if c.label == chip.label
                    && c.shade == chip.shade
                    && !c.failing
                    && !chip.failing =>
            {
                c.count += 1
            }
            _ => fl.chips.push(chip),
        }
    }
    if let Some(fl) = cur.take() {
        out.push(Row::Flight(fl));
    }
    out.extend(gaps.map(|g| Row::Gap(g.1)));
    shorten(out)
}

/// Keeps the first and the last flights (and every failing one) of a long
/// connection, and says how many records are left out between.
fn shorten(rows: Vec<Row>) -> Vec<Row> {
    let flights = rows.iter().filter(|r| matches!(r, Row::Flight(_))).count();
    if flights <= HEAD_FLIGHTS + TAIL_FLIGHTS {
        return rows;
    }
    let mut out = Vec::new();
    let mut seen = 0;
    let mut left_out = 0;
    for r in rows {
        let keep = match &r {
            Row::Flight(fl) => {
                seen += 1;
                seen <= HEAD_FLIGHTS || seen > flights - TAIL_FLIGHTS || fl.failing
            }
            _ => true,
        };
        if keep {
            if left_out > 0 {
                out.push(Row::More(left_out));
                left_out = 0;
            }
            out.push(r);
        } else if let Row::Flight(fl) = &r {
            left_out += fl.entries;
        }
    }
    out
}

/// Milliseconds from `t0` to `t`, for the time column.
fn since(t0: Timestamp, t: Timestamp) -> String {
    let ns = (t.secs - t0.secs) as i128 * 1_000_000_000 + t.nanos as i128 - t0.nanos as i128;
    let ms = ns as f64 / 1e6;
    if ms.abs() >= 10_000.0 {
        format!("+{:.1} s", ms / 1000.0)
    } else if ms.abs() >= 100.0 {
        format!("+{ms:.0} ms")
    } else {
        format!("+{ms:.1} ms")
    }
}

/// Splits `s` into lines of at most `width` characters, at spaces where
/// possible.
fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split(' ') {
        let w = word.chars().count();
        let l = line.chars().count();
        if l > 0 && l + 1 + w > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        while line.chars().count() > width {
            let head: String = line.chars().take(width).collect();
            line = line.chars().skip(width).collect();
            lines.push(head);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Lays chips out in rows between the lifelines: (chip, x, row) and the
/// number of rows.
fn place(chips: &[Chip]) -> (Vec<(String, f64, usize)>, usize) {
    let left = CLIENT_X + 14.0;
    let right = SERVER_X - 14.0;
    let mut rows: Vec<Vec<(String, f64)>> = vec![Vec::new()];
    let mut x = 0.0;
    for c in chips {
        let t = c.text();
        let w = t.chars().count() as f64 * CHAR_W + 10.0;
        if x > 0.0 && x + w > right - left {
            rows.push(Vec::new());
            x = 0.0;
        }
        if let Some(r) = rows.last_mut() {
            r.push((t, w));
        }
        x += w + CHIP_GAP;
    }
    let mut placed = Vec::new();
    for (ri, r) in rows.iter().enumerate() {
        let total: f64 = r.iter().map(|(_, w)| w + CHIP_GAP).sum::<f64>() - CHIP_GAP;
        let mut x = left + ((right - left) - total).max(0.0) / 2.0;
        for (t, w) in r {
            placed.push((t.clone(), x, ri));
            x += w + CHIP_GAP;
        }
    }
    (placed, rows.len())
}

/// The ladder of one connection.
pub(super) fn svg(f: &ConnectionFacts, d: &Diagnosis) -> String {
    let rows = rows(f, d);
    let t0 = f.tls.ladder.first().map(|l| l.ts).unwrap_or_default();
    let mut body = String::new();
    let mut breaks: Vec<(f64, f64)> = Vec::new();
    let mut y = TOP;
    for row in &rows {
        match row {
            Row::Flight(fl) => {
                y = flight(&mut body, fl, y, t0);
            }
            Row::Gap(texts) => {
                let h = 16.0 + 13.0 * texts.len() as f64;
                breaks.push((y + 2.0, y + h - 2.0));
                let _ = writeln!(body, "<g class=\"gap\">");
                for (i, t) in texts.iter().enumerate() {
                    let _ = writeln!(
                        body,
                        "<text class=\"gaptext\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">≈ capture gap, {}</text>",
                        (CLIENT_X + SERVER_X) / 2.0,
                        y + 14.0 + 13.0 * i as f64,
                        escape(&clip(t, 72))
                    );
                }
                body.push_str("</g>\n");
                y += h;
            }
            Row::More(n) => {
                let _ = writeln!(
                    body,
                    "<text class=\"more\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">… {n} more record(s) not drawn (see the text output)</text>",
                    (CLIENT_X + SERVER_X) / 2.0,
                    y + 14.0
                );
                y += 24.0;
            }
        }
    }
    let end = match f.tcp.end {
        crate::net::tcp::ConnEnd::Fin => "TCP closed (FIN)",
        crate::net::tcp::ConnEnd::Rst => "TCP reset (RST)",
        crate::net::tcp::ConnEnd::Open => "capture ends, TCP still open",
    };
    let _ = writeln!(
        body,
        "<text class=\"end\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{end}</text>",
        (CLIENT_X + SERVER_X) / 2.0,
        y + 12.0
    );
    let height = y + 22.0;

    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg class=\"ladder\" data-conn=\"{id}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height:.0}\" width=\"{WIDTH}\" height=\"{height:.0}\" role=\"img\" aria-label=\"Handshake ladder of connection {id}\">",
        id = f.info.id
    );
    // Headers and lifelines (broken at gaps).
    for (x, who, addr) in [
        (CLIENT_X, "client", f.info.client.to_string()),
        (SERVER_X, "server", f.info.server.to_string()),
    ] {
        let _ = writeln!(
            out,
            "<text class=\"head\" x=\"{x}\" y=\"16\" text-anchor=\"middle\">{who}</text>\
             <text class=\"addr\" x=\"{x}\" y=\"30\" text-anchor=\"middle\">{}</text>",
            escape(&clip(&addr, 26))
        );
        let mut top = TOP - 10.0;
        for (a, b) in &breaks {
            let _ = writeln!(
                out,
                "<line class=\"life\" x1=\"{x}\" y1=\"{top:.1}\" x2=\"{x}\" y2=\"{a:.1}\"/>\
                 <path class=\"break\" d=\"M{:.1},{:.1} l14,-5 M{:.1},{:.1} l14,-5\"/>",
                x - 7.0,
                a + 2.0,
                x - 7.0,
                b + 2.0
            );
            top = *b;
        }
        let _ = writeln!(
            out,
            "<line class=\"life\" x1=\"{x}\" y1=\"{top:.1}\" x2=\"{x}\" y2=\"{:.1}\"/>",
            y
        );
    }
    out.push_str(&body);
    out.push_str("</svg>\n");
    out
}

/// Draws one flight at `y`; returns the y below it.
fn flight(out: &mut String, fl: &Flight, y: f64, t0: Timestamp) -> f64 {
    let (placed, nrows) = place(&fl.chips);
    let arrow_y = y + nrows as f64 * (CHIP_H + 4.0) + 6.0;
    let note_lines: Vec<String> = if fl.inferred() {
        fl.notes
            .iter()
            .flat_map(|n| wrap(n, ((SERVER_X - CLIENT_X - 20.0) / NOTE_CHAR_W) as usize))
            .take(MAX_NOTE_LINES)
            .collect()
    } else {
        Vec::new()
    };
    let bottom = arrow_y + 8.0 + 13.0 * note_lines.len() as f64 + 8.0;
    let mut class = String::from("flight");
    if fl.failing {
        class.push_str(" failing");
    }
    if fl.inferred() {
        class.push_str(" inferred");
    }
    if fl.all_encrypted() {
        class.push_str(" encrypted");
    }
    let frames = if fl.first_frame == fl.last_frame {
        fl.first_frame.to_string()
    } else {
        format!("{}–{}", fl.first_frame, fl.last_frame)
    };
    let _ = writeln!(
        out,
        "<g class=\"{class}\" data-from=\"{}\" data-frames=\"{frames}\">",
        fl.from.as_str()
    );
    if fl.all_encrypted() {
        let _ = writeln!(
            out,
            "<rect class=\"band\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"/>",
            CLIENT_X + 2.0,
            y - 3.0,
            SERVER_X - CLIENT_X - 4.0,
            arrow_y - y + 8.0
        );
    }
    let _ = writeln!(
        out,
        "<text class=\"frameno\" x=\"6\" y=\"{:.1}\">{frames}</text><text class=\"time\" x=\"6\" y=\"{:.1}\">{}</text>",
        arrow_y + 4.0,
        arrow_y + 16.0,
        since(t0, fl.ts)
    );
    for (c, (text, x, row)) in fl.chips.iter().zip(&placed) {
        let cy = y + *row as f64 * (CHIP_H + 4.0);
        let w = text.chars().count() as f64 * CHAR_W + 10.0;
        let mut cc = String::from("msg");
        match c.shade {
            Shade::Encrypted => cc.push_str(" enc"),
            Shade::Decrypted => cc.push_str(" dec"),
            Shade::Plain => {}
        }
        if c.failing {
            cc.push_str(" failing");
        }
        let _ = writeln!(
            out,
            "<g class=\"{cc}\"><rect x=\"{x:.1}\" y=\"{cy:.1}\" width=\"{w:.1}\" height=\"{CHIP_H}\" rx=\"3\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{}</text></g>",
            x + 5.0,
            cy + 12.5,
            escape(text)
        );
    }
    let (x1, x2, dir) = match fl.from {
        Side::Client => (CLIENT_X, SERVER_X, 1.0),
        Side::Server => (SERVER_X, CLIENT_X, -1.0),
    };
    let tip = x2 - dir * 1.0;
    let _ = writeln!(
        out,
        "<g class=\"arrow\"><line x1=\"{x1:.1}\" y1=\"{arrow_y:.1}\" x2=\"{:.1}\" y2=\"{arrow_y:.1}\"/>\
         <polygon points=\"{tip:.1},{arrow_y:.1} {:.1},{:.1} {:.1},{:.1}\"/></g>",
        tip - dir * 8.0,
        tip - dir * 10.0,
        arrow_y - 4.5,
        tip - dir * 10.0,
        arrow_y + 4.5
    );
    for (i, l) in note_lines.iter().enumerate() {
        let _ = writeln!(
            out,
            "<text class=\"note\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            CLIENT_X + 10.0,
            arrow_y + 17.0 + 13.0 * i as f64,
            escape(l)
        );
    }
    out.push_str("</g>\n");
    bottom
}
