//! The `explain` pass as a library: each TLS connection of a capture is
//! diagnosed in turn, with what the earlier ones showed carried to the
//! later ones (the client certificates they sent, the sessions they
//! established), under the trust stores the user gave.

use crate::diagnose::chain::{SeenClientCert, TrustOptions};
use crate::diagnose::resumption::SessionRegistry;
use crate::diagnose::Diagnosis;
use crate::tls::ConnectionFacts;
use crate::x509::path::TrustStore;

pub mod sharded;

/// Client certificates remembered per capture, to say why a later client
/// sent none.
const MAX_SEEN_CLIENT_CERTS: usize = 256;

/// Diagnoses the connections of one capture, in the order they finish.
#[derive(Default)]
pub struct Explainer<'a> {
    client_ca: Option<&'a TrustStore>,
    server_ca: Option<&'a TrustStore>,
    at: Option<i64>,
    seen: Vec<SeenClientCert>,
    sessions: SessionRegistry,
    /// Servers' RSA private keys (`--server-key`) for static-RSA handshakes.
    server_keys: Option<std::sync::Arc<Vec<rsa::RsaPrivateKey>>>,
    /// Threads following TLS in [`write_capture`] (1: all on the calling
    /// thread).
    jobs: usize,
    /// Check every handshake signature, also those the peer accepted
    /// (`--verify-all-signatures`).
    all_signatures: bool,
}

impl<'a> Explainer<'a> {
    /// `client_ca` judges client certificates (`--ca`), `server_ca` the
    /// server's (`--server-ca`), at the capture's time or `at` (Unix
    /// seconds).
    pub fn new(
        client_ca: Option<&'a TrustStore>,
        server_ca: Option<&'a TrustStore>,
        at: Option<i64>,
    ) -> Explainer<'a> {
        Explainer {
            client_ca,
            server_ca,
            at,
            ..Explainer::default()
        }
    }

    /// Also decrypts static-RSA handshakes with these servers' keys.
    pub fn with_server_keys(mut self, keys: Vec<rsa::RsaPrivateKey>) -> Explainer<'a> {
        self.server_keys = (!keys.is_empty()).then(|| std::sync::Arc::new(keys));
        self
    }

    /// Checks every CertificateVerify and ServerKeyExchange signature, also
    /// those the peer went on past (by default those are taken as
    /// verified by the peer; see [`crate::diagnose::chain::peer_accepted_certificate_verify`]).
    pub fn with_all_signatures(mut self, all: bool) -> Explainer<'a> {
        self.all_signatures = all;
        self
    }

    /// Follows the connections of one capture on `jobs` threads in
    /// [`write_capture`] (see [`sharded`]); the output is the same.
    pub fn with_jobs(mut self, jobs: usize) -> Explainer<'a> {
        self.jobs = jobs;
        self
    }

    /// What can be checked of a connection before its turn comes (its
    /// signatures and chains, on another thread), for
    /// [`Self::explain_prepared`].
    fn prepare(&self) -> impl Fn(&ConnectionFacts) -> crate::diagnose::Prepared + Sync + 'a {
        let (client_ca, server_ca, at) = (self.client_ca, self.server_ca, self.at);
        let all_signatures = self.all_signatures;
        move |facts: &ConnectionFacts| {
            let opts = TrustOptions {
                client_ca,
                server_ca,
                at,
                seen_client_certs: &[],
                sessions: None,
                all_signatures,
            };
            crate::diagnose::prepare(facts, &opts)
        }
    }

    /// Diagnoses one connection with what the earlier ones showed, and
    /// remembers what this one shows for the later ones.
    pub fn explain(&mut self, facts: &ConnectionFacts) -> Diagnosis {
        self.explain_prepared(facts, None)
    }

    /// [`Self::explain`] with the checks made ahead by [`Self::prepare`].
    fn explain_prepared(
        &mut self,
        facts: &ConnectionFacts,
        prepared: Option<crate::diagnose::Prepared>,
    ) -> Diagnosis {
        let opts = TrustOptions {
            client_ca: self.client_ca,
            server_ca: self.server_ca,
            at: self.at,
            seen_client_certs: &self.seen,
            sessions: Some(&self.sessions),
            all_signatures: self.all_signatures,
        };
        let d = crate::diagnose::diagnose_prepared(facts, &opts, prepared);
        if self.seen.len() < MAX_SEEN_CLIENT_CERTS {
            self.seen.extend(SeenClientCert::from_diagnosis(
                facts.info.id,
                facts.info.client.ip(),
                &d,
            ));
        }
        self.sessions.record(facts, &d);
        d
    }
}

/// A capture to explain: a file (`-` for standard input), or its bytes
/// (named `name` in messages and in the document's `capture.file`).
#[derive(Debug, Clone)]
pub enum CaptureSource<'a> {
    Path(&'a str),
    Bytes {
        name: &'a str,
        data: std::sync::Arc<[u8]>,
    },
}

impl CaptureSource<'_> {
    pub fn name(&self) -> &str {
        match self {
            CaptureSource::Path(p) => p,
            CaptureSource::Bytes { name, .. } => name,
        }
    }

    fn open(&self) -> Result<crate::capture::CaptureReader, crate::capture::CaptureError> {
        match self {
            CaptureSource::Path(p) => crate::capture::CaptureReader::open(p),
            CaptureSource::Bytes { name, data } => crate::capture::CaptureReader::from_reader(
                name,
                std::io::Cursor::new(std::sync::Arc::clone(data)),
            ),
        }
    }

    /// The key log texts a pcapng capture embeds (read in a first pass;
    /// standard input cannot be read twice).
    fn embedded_secrets(&self) -> Vec<Vec<u8>> {
        match self {
            CaptureSource::Path("-") => Vec::new(),
            CaptureSource::Path(p) => crate::capture::scan_secrets(p),
            CaptureSource::Bytes { .. } => self
                .open()
                .map(crate::capture::scan_reader_secrets)
                .unwrap_or_default(),
        }
    }
}

/// How reading one capture went.
#[derive(Debug)]
pub struct CaptureRun {
    pub outcome: crate::net::DriveOutcome,
    pub format: crate::capture::Format,
    pub link_types: Vec<crate::capture::LinkType>,
    pub tcp_connections: u64,
    pub tls_connections: u64,
    /// Sessions the key log (with the capture's own secrets) holds.
    pub keylog_sessions: usize,
}

impl CaptureRun {
    /// The `capture` object of the explain document.
    pub fn json(&self, file: &str) -> crate::report::explain::CaptureJson {
        crate::report::explain::CaptureJson::new(
            file,
            Some(self.format),
            self.outcome.capture.frames,
            &self.link_types,
            self.tcp_connections,
            self.tls_connections,
            self.outcome.error.as_ref(),
            &self.outcome.decode,
            self.keylog_sessions,
        )
    }

    /// Whether nothing at all could be read (the CLI's exit status 2).
    pub fn unreadable(&self) -> bool {
        self.outcome
            .error
            .as_ref()
            .is_some_and(|e| e.kind != crate::capture::CaptureErrorKind::Truncated)
            && self.outcome.capture.frames == 0
    }
}

/// Explains every TLS connection of the capture at `path` (`-` for
/// standard input), decrypting with `keylog` merged with the secrets the
/// capture embeds, and hands each connection to `sink` as it finishes.
/// Returns how reading went, or why the capture could not be opened.
pub fn explain_capture(
    path: &str,
    keylog: Option<&std::sync::Arc<crate::tls::keylog::KeyLog>>,
    explainer: &mut Explainer<'_>,
    sink: impl FnMut(ConnectionFacts, Diagnosis),
) -> Result<(crate::net::DriveOutcome, u64), crate::capture::CaptureError> {
    explain_source(&CaptureSource::Path(path), keylog, explainer, sink)
        .map(|run| (run.outcome, run.tcp_connections))
}

/// [`explain_capture`] for a file or bytes, with all of how reading went.
pub fn explain_source(
    source: &CaptureSource<'_>,
    keylog: Option<&std::sync::Arc<crate::tls::keylog::KeyLog>>,
    explainer: &mut Explainer<'_>,
    mut sink: impl FnMut(ConnectionFacts, Diagnosis),
) -> Result<CaptureRun, crate::capture::CaptureError> {
    use crate::tls::{TlsAnalyzer, TlsConfig};
    let server_keys = explainer.server_keys.clone();
    let mut reader = source.open()?;
    // Secrets the capture embeds join the shared key log (a copy, only
    // for the captures that carry any).
    let embedded = source.embedded_secrets();
    let keylog = if embedded.is_empty() {
        keylog.cloned()
    } else {
        let mut merged = keylog.map(|k| (**k).clone()).unwrap_or_default();
        for text in embedded {
            merged.merge(crate::tls::keylog::KeyLog::parse(&text).0);
        }
        Some(std::sync::Arc::new(merged))
    };
    let mut tcp = crate::net::tcp::TcpReassembler::default();
    let mut tcp_connections = 0u64;
    let mut tls_connections = 0u64;
    let mut analyzer = TlsAnalyzer::new(TlsConfig::default(), |f: ConnectionFacts| {
        tcp_connections += 1;
        if f.tls.detected {
            tls_connections += 1;
            let d = explainer.explain(&f);
            sink(f, d);
        }
    })
    .with_shared_keylog(keylog)
    .with_server_keys(server_keys);
    let outcome = crate::net::drive(&mut reader, &mut tcp, &mut analyzer);
    let keylog_sessions = analyzer.keylog_sessions();
    drop(analyzer);
    Ok(CaptureRun {
        outcome,
        format: reader.format(),
        link_types: reader.link_types(),
        tcp_connections,
        tls_connections,
        keylog_sessions,
    })
}

/// The whole explain document of one capture, as `tlstrace explain
/// --format json` writes it (connections in id order), or why the capture
/// could not be read at all (as the CLI says it, where it exits with 2).
pub fn explain_document(
    source: &CaptureSource<'_>,
    keylog: Option<&std::sync::Arc<crate::tls::keylog::KeyLog>>,
    explainer: &mut Explainer<'_>,
) -> Result<crate::report::explain::ExplainJson, String> {
    use crate::report::explain::{ConnectionJson, ExplainJson, SCHEMA_VERSION};
    let mut connections = Vec::new();
    let run = explain_source(source, keylog, explainer, |f, d| {
        connections.push((f.info.id, ConnectionJson::new(&f, &d)));
    })
    .map_err(|e| e.to_string())?;
    if run.unreadable() {
        if let Some(e) = &run.outcome.error {
            return Err(e.to_string());
        }
    }
    connections.sort_by_key(|(id, _)| *id);
    Ok(ExplainJson {
        schema_version: SCHEMA_VERSION,
        connections: connections.into_iter().map(|(_, c)| c).collect(),
        capture: run.json(source.name()),
    })
}

/// How [`write_capture`] writes each connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    /// The text report (`color`: ANSI styling).
    Text { color: bool },
    /// The JSON document of `docs/explain-json.md`.
    Json,
    /// One self-contained HTML page.
    Html,
}

/// Explains one capture into `out`: each connection is diagnosed and
/// rendered as it closes and written as soon as those that started before
/// it are (memory does not grow with the capture; the HTML page, sorted,
/// is written at the end). Returns how reading went and whether a
/// connection failed.
pub fn write_capture<W: std::io::Write>(
    file: &str,
    reader: &mut crate::capture::CaptureReader,
    secrets: Option<crate::tls::keylog::KeyLog>,
    explainer: &mut Explainer<'_>,
    conn: Option<u64>,
    kind: OutputKind,
    out: W,
) -> (crate::net::DriveOutcome, bool) {
    use crate::net::tcp::TcpReassembler;
    use crate::report;
    use crate::report::explain::{self as ex, CaptureJson, ConnectionJson, Style};
    use crate::tls::{TlsAnalyzer, TlsConfig};
    let server_keys = explainer.server_keys.clone();
    let style = Style {
        color: matches!(kind, OutputKind::Text { color: true }),
    };
    // Each connection is diagnosed and rendered as it closes, and written
    // as soon as those that started before it are: memory does not grow
    // with the capture.
    let mut out = report::ordered::Ordered::new(out);
    let sep = match kind {
        OutputKind::Json => ",\n",
        OutputKind::Text { .. } | OutputKind::Html => "\n",
    };
    // The HTML page is put together at the end (summary first, failures
    // first); only each connection's markup is kept until then.
    let mut page = report::html::Page::new();
    if kind == OutputKind::Json {
        out.raw(&format!(
            "{{\n  \"schema_version\": {},\n  \"connections\": [\n",
            ex::SCHEMA_VERSION
        ));
    }
    let mut outcomes: Vec<crate::diagnose::Outcome> = Vec::new();
    let mut tcp_connections = 0u64;
    let mut any_failed = false;
    let jobs = explainer.jobs;
    let prepare_all = explainer.prepare();
    let prepare = move |f: &ConnectionFacts| {
        conn.is_none_or(|id| id == f.info.id)
            .then(|| prepare_all(f))
    };
    let secrets = secrets.map(std::sync::Arc::new);
    let mut on_facts = |f: ConnectionFacts, prepared: Option<crate::diagnose::Prepared>| {
        tcp_connections += 1;
        if !f.tls.detected || conn.is_some_and(|id| id != f.info.id) {
            out.put(f.info.id, None, sep);
            return;
        }
        let d = explainer.explain_prepared(&f, prepared);
        any_failed |= d.failed();
        outcomes.push(d.client_auth.outcome);
        let item = match kind {
            OutputKind::Text { .. } => ex::text_connection(&f, &d, style).into_bytes(),
            OutputKind::Json => ex::connection_json(&ConnectionJson::new(&f, &d)),
            OutputKind::Html => {
                page.push(&f, &d);
                out.put(f.info.id, None, sep);
                return;
            }
        };
        out.put(f.info.id, Some(item), sep);
    };
    let mut sharded_run = None;
    if jobs > 1 {
        let setup = sharded::Setup {
            keylog: secrets.clone(),
            server_keys: server_keys.clone(),
            prepare: &prepare,
        };
        sharded_run = sharded::drive_sharded(reader, jobs, &setup, &mut on_facts);
    }
    let (outcome, keylog_sessions) = match sharded_run {
        Some(run) => run,
        None => {
            let mut tcp = TcpReassembler::default();
            let mut analyzer = TlsAnalyzer::new(TlsConfig::default(), |f| on_facts(f, None))
                .with_shared_keylog(secrets)
                .with_server_keys(server_keys);
            let outcome = crate::net::drive(reader, &mut tcp, &mut analyzer);
            (outcome, analyzer.keylog_sessions())
        }
    };
    let tls_connections = outcomes.len() as u64;
    let capture = CaptureJson::new(
        file,
        Some(reader.format()),
        outcome.capture.frames,
        &reader.link_types(),
        tcp_connections,
        tls_connections,
        outcome.error.as_ref(),
        &outcome.decode,
        keylog_sessions,
    );
    match kind {
        OutputKind::Html => {
            let mut w = out.finish(sep);
            let _ = w.write_all(page.finish(&capture).as_bytes());
            let _ = w.flush();
        }
        OutputKind::Json => {
            let mut w = out.finish(sep);
            let _ = write!(
                w,
                "\n  ],\n  \"capture\": {}\n}}\n",
                ex::capture_json(&capture)
            );
            let _ = w.flush();
        }
        OutputKind::Text { .. } => {
            if outcomes.is_empty() {
                out.raw(&format!(
                    "No TLS connections found in {file} ({} TCP connection(s), {} frames).\n",
                    tcp_connections, outcome.capture.frames
                ));
            }
            let mut w = out.finish(sep);
            if outcomes.len() > 1 {
                let _ = write!(
                    w,
                    "\n{}",
                    ex::totals_line(tcp_connections, outcomes.iter().copied())
                );
            }
            let _ = w.flush();
        }
    }
    (outcome, any_failed)
}

/// Settings shared by every capture of [`explain_captures`].
pub struct Shared<'a> {
    /// The key logs, read once (client randoms do not repeat).
    pub keylog: Option<std::sync::Arc<crate::tls::keylog::KeyLog>>,
    pub client_ca: Option<&'a TrustStore>,
    pub server_ca: Option<&'a TrustStore>,
    pub at: Option<i64>,
    /// Only this connection of each capture.
    pub conn: Option<u64>,
    /// Servers' RSA private keys (`--server-key`).
    pub server_keys: Vec<rsa::RsaPrivateKey>,
    /// `--verify-all-signatures`.
    pub all_signatures: bool,
}

/// How [`explain_captures`] renders each connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManyKind {
    /// The text report, without colour.
    Text,
    /// One JSON object per connection, with its `capture`.
    Jsonl,
}

/// What [`explain_captures`] reports, as things finish.
#[derive(Debug)]
pub enum CaptureEvent {
    /// A TLS connection of capture number `capture`, rendered.
    Connection {
        capture: usize,
        id: u64,
        item: String,
        outline: ConnectionOutline,
        failed: bool,
    },
    /// Capture number `capture` is finished (or could not be read).
    Done {
        capture: usize,
        result: Result<crate::net::DriveOutcome, String>,
    },
}

/// Explains `files` on `jobs` threads, each capture on its own (the state
/// carried between connections stays within a capture), and hands
/// `on_event`, on the calling thread, every connection as it is rendered
/// and every capture's end.
pub fn explain_captures(
    files: &[String],
    shared: &Shared<'_>,
    kind: ManyKind,
    jobs: usize,
    mut on_event: impl FnMut(CaptureEvent),
) {
    use crate::report::explain::{text_connection, ConnectionJson, Style};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::channel::<CaptureEvent>();
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, 64) {
            let tx = tx.clone();
            let next = &next;
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(file) = files.get(i) else { break };
                let mut explainer = Explainer::new(shared.client_ca, shared.server_ca, shared.at)
                    .with_server_keys(shared.server_keys.clone())
                    .with_all_signatures(shared.all_signatures);
                let result =
                    explain_capture(file, shared.keylog.as_ref(), &mut explainer, |f, d| {
                        if shared.conn.is_some_and(|id| id != f.info.id) {
                            return;
                        }
                        let item = match kind {
                            ManyKind::Jsonl => {
                                let mut v = serde_json::to_value(ConnectionJson::new(&f, &d))
                                    .unwrap_or(serde_json::Value::Null);
                                if let Some(m) = v.as_object_mut() {
                                    m.insert(
                                        "capture".into(),
                                        serde_json::Value::String(file.clone()),
                                    );
                                }
                                v.to_string()
                            }
                            ManyKind::Text => text_connection(&f, &d, Style { color: false }),
                        };
                        let _ = tx.send(CaptureEvent::Connection {
                            capture: i,
                            id: f.info.id,
                            item,
                            outline: ConnectionOutline::new(&f, &d),
                            failed: d.failed(),
                        });
                    });
                let result = result
                    .map(|(outcome, _)| outcome)
                    .map_err(|e| e.to_string());
                let _ = tx.send(CaptureEvent::Done { capture: i, result });
            });
        }
        drop(tx);
        for ev in rx {
            on_event(ev);
        }
    });
}

/// Capture files among `paths`: files as given, directories walked
/// recursively (sorted) for pcap and pcapng files and their `.gz` forms.
/// Also returns what was skipped, and why.
pub fn capture_inputs(paths: &[String]) -> (Vec<String>, Vec<(String, String)>) {
    let mut found = Vec::new();
    let mut skipped = Vec::new();
    for p in paths {
        let path = std::path::Path::new(p);
        if p == "-" || !path.is_dir() {
            found.push(p.clone());
            continue;
        }
        walk(path, &mut found, &mut skipped, 0);
    }
    (found, skipped)
}

/// Directory depth followed at most (symbolic link loops end here).
const MAX_DEPTH: usize = 32;

fn walk(
    dir: &std::path::Path,
    found: &mut Vec<String>,
    skipped: &mut Vec<(String, String)>,
    depth: usize,
) {
    let name = dir.display().to_string();
    if depth > MAX_DEPTH {
        skipped.push((name, "directories nested too deep".into()));
        return;
    }
    let mut entries: Vec<std::path::PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => {
            skipped.push((name, format!("cannot read the directory: {e}")));
            return;
        }
    };
    entries.sort();
    for e in entries {
        if e.is_dir() {
            walk(&e, found, skipped, depth + 1);
        } else if is_capture_name(&e) {
            found.push(e.display().to_string());
        } else {
            skipped.push((
                e.display().to_string(),
                "not a capture (by its name: .pcap, .pcapng, .cap, and .gz of those)".into(),
            ));
        }
    }
}

fn is_capture_name(p: &std::path::Path) -> bool {
    let name = p
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    [".pcap", ".pcapng", ".cap"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// What the summary across captures keeps of one connection.
#[derive(Debug, Clone)]
pub struct ConnectionOutline {
    pub outcome: crate::diagnose::Outcome,
    /// The decisive finding's code.
    pub cause: Option<&'static str>,
    /// The client certificate's subject (or first SAN), when one was seen.
    pub client_identity: Option<String>,
    /// Whether the client sent a certificate (`None` when not known).
    pub certificate_sent: Option<bool>,
    /// SNI, else the server's address.
    pub server: String,
    /// First packet of the connection (Unix seconds).
    pub first_seen: f64,
}

impl ConnectionOutline {
    pub fn new(f: &ConnectionFacts, d: &Diagnosis) -> ConnectionOutline {
        let hs = crate::tls::summary::Handshake::new(&f.tls);
        ConnectionOutline {
            outcome: d.client_auth.outcome,
            cause: d.findings.first().map(|x| x.code),
            client_identity: d
                .client_chain
                .first()
                .map(|c| c.san.first().cloned().unwrap_or_else(|| c.subject.clone())),
            certificate_sent: d.client_auth.certificate_sent,
            server: hs
                .sni()
                .map(str::to_string)
                .unwrap_or_else(|| f.info.server.to_string()),
            first_seen: f.tcp.detail.first_ts.as_f64(),
        }
    }
}

/// Totals across captures: outcomes by decisive cause, the client
/// identities that fail most, the servers, the time span, and the captures
/// that could not be read.
#[derive(Debug, Default)]
pub struct FleetSummary {
    pub captures: u64,
    pub connections: u64,
    by_outcome: std::collections::BTreeMap<(&'static str, &'static str), u64>,
    failing_clients: std::collections::HashMap<String, u64>,
    servers: std::collections::HashMap<String, u64>,
    first: Option<f64>,
    last: Option<f64>,
    pub unreadable: Vec<(String, String)>,
}

/// Identities and servers remembered for the summary, at most.
const MAX_DISTINCT: usize = 10_000;

impl FleetSummary {
    pub fn add(&mut self, c: &ConnectionOutline) {
        self.connections += 1;
        *self
            .by_outcome
            .entry((c.outcome.as_str(), c.cause.unwrap_or("-")))
            .or_default() += 1;
        if c.outcome == crate::diagnose::Outcome::Failed {
            let who = c.client_identity.clone().unwrap_or_else(|| {
                match c.certificate_sent {
                    Some(true) => "(a certificate, encrypted: give the key log)",
                    Some(false) => "(no certificate)",
                    None => "(not known)",
                }
                .to_string()
            });
            if self.failing_clients.len() < MAX_DISTINCT || self.failing_clients.contains_key(&who)
            {
                *self.failing_clients.entry(who).or_default() += 1;
            }
        }
        if self.servers.len() < MAX_DISTINCT || self.servers.contains_key(&c.server) {
            *self.servers.entry(c.server.clone()).or_default() += 1;
        }
        if c.first_seen > 0.0 {
            self.first = Some(self.first.map_or(c.first_seen, |f| f.min(c.first_seen)));
            self.last = Some(self.last.map_or(c.first_seen, |l| l.max(c.first_seen)));
        }
    }

    /// The summary as text, for the end of `explain`'s output.
    pub fn text(&self) -> String {
        let mut out = format!(
            "Summary: {} capture(s), {} TLS connection(s)",
            self.captures, self.connections
        );
        if let (Some(f), Some(l)) = (self.first, self.last) {
            out.push_str(&format!(", {} to {}", utc(f), utc(l)));
        }
        out.push_str(".\n");
        if !self.by_outcome.is_empty() {
            out.push_str("  Client authentication, by outcome and decisive cause:\n");
            let mut rows: Vec<_> = self.by_outcome.iter().collect();
            rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            for ((outcome, cause), n) in rows {
                out.push_str(&format!("    {n:>7}  {outcome:<14} {cause}\n"));
            }
        }
        for (title, table) in [
            ("Client identities that fail most", &self.failing_clients),
            ("Servers (SNI, else address)", &self.servers),
        ] {
            if table.is_empty() {
                continue;
            }
            out.push_str(&format!("  {title}:\n"));
            let mut rows: Vec<_> = table.iter().collect();
            rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            for (name, n) in rows.into_iter().take(10) {
                out.push_str(&format!("    {n:>7}  {name}\n"));
            }
        }
        if !self.unreadable.is_empty() {
            out.push_str("  Captures that could not be read:\n");
            for (file, why) in &self.unreadable {
                out.push_str(&format!("    {file}: {why}\n"));
            }
        }
        out
    }
}

/// `2026-12-01T12:00:00Z` for Unix seconds.
fn utc(secs: f64) -> String {
    crate::x509::iso8601(secs as i64)
}
