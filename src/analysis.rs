//! Whole-capture passes, for the command line and for tests: read a
//! capture through the layers and collect what each command needs.

use crate::capture::CaptureReader;
use crate::net::tcp::{Chunk, ConnInfo, ConnSummary, Direction, StreamHandler, TcpReassembler};
use crate::net::{drive, DriveOutcome};
use crate::tls::keylog::KeyLog;
use crate::tls::{ConnectionFacts, TlsAnalyzer, TlsConfig};

struct Summaries(Vec<ConnSummary>);

impl StreamHandler for Summaries {
    fn on_data(&mut self, _conn: &ConnInfo, _dir: Direction, _chunk: Chunk<'_>) {}
    fn on_close(&mut self, _conn: &ConnInfo, summary: &ConnSummary) {
        self.0.push(summary.clone());
    }
}

/// Every TCP connection's summary, in id order.
pub fn tcp_connections(reader: &mut CaptureReader) -> (Vec<ConnSummary>, DriveOutcome) {
    let mut tcp = TcpReassembler::default();
    let mut s = Summaries(Vec::new());
    let outcome = drive(reader, &mut tcp, &mut s);
    s.0.sort_by_key(|c| c.id);
    (s.0, outcome)
}

/// The connections in which TLS was seen (all of them, or only `only`),
/// in id order, decrypted with `keylog` (merged with secrets the capture
/// embeds) where it has their secrets.
pub fn tls_connections(
    reader: &mut CaptureReader,
    keylog: Option<KeyLog>,
    only: Option<u64>,
) -> (Vec<ConnectionFacts>, DriveOutcome) {
    tls_connections_with(reader, keylog, Vec::new(), only)
}

/// As [`tls_connections`], also decrypting static-RSA handshakes with
/// these servers' private keys (`--server-key`).
pub fn tls_connections_with(
    reader: &mut CaptureReader,
    keylog: Option<KeyLog>,
    server_keys: Vec<rsa::RsaPrivateKey>,
    only: Option<u64>,
) -> (Vec<ConnectionFacts>, DriveOutcome) {
    let mut tcp = TcpReassembler::default();
    let mut found = Vec::new();
    let mut analyzer = TlsAnalyzer::new(TlsConfig::default(), |f: ConnectionFacts| {
        if f.tls.detected && only.is_none_or(|id| id == f.info.id) {
            found.push(f);
        }
    })
    .with_keylog(keylog)
    .with_server_keys((!server_keys.is_empty()).then(|| std::sync::Arc::new(server_keys)));
    let outcome = drive(reader, &mut tcp, &mut analyzer);
    drop(analyzer);
    found.sort_by_key(|f| f.info.id);
    (found, outcome)
}

/// Every TLS connection diagnosed as `explain` does (each with what the
/// earlier ones showed: certificates, sessions), in id order.
pub fn explain_connections(
    reader: &mut CaptureReader,
    keylog: Option<KeyLog>,
) -> (
    Vec<(ConnectionFacts, crate::diagnose::Diagnosis)>,
    DriveOutcome,
) {
    let mut tcp = TcpReassembler::default();
    let mut explainer = crate::explain::Explainer::default();
    let mut found = Vec::new();
    let mut analyzer = TlsAnalyzer::new(TlsConfig::default(), |f: ConnectionFacts| {
        if f.tls.detected {
            let d = explainer.explain(&f);
            found.push((f, d));
        }
    })
    .with_keylog(keylog);
    let outcome = drive(reader, &mut tcp, &mut analyzer);
    drop(analyzer);
    found.sort_by_key(|(f, _)| f.info.id);
    (found, outcome)
}

/// The key logs in `keylog_paths` merged with the secrets a pcapng
/// capture file embeds, and the key log's warnings (line numbers only,
/// never secrets).
pub fn load_secrets(
    capture_path: &str,
    keylog_paths: &[String],
) -> std::io::Result<(Option<KeyLog>, Vec<String>)> {
    let mut merged: Option<KeyLog> = None;
    let mut warnings = Vec::new();
    // Several key logs (one per client, say) serve together: client
    // randoms do not repeat across them. Each is streamed: its size does
    // not matter (sessions are bounded by keylog::MAX_SESSIONS).
    for path in keylog_paths {
        let named = |e: std::io::Error| std::io::Error::new(e.kind(), format!("{path}: {e}"));
        let file = std::io::BufReader::new(std::fs::File::open(path).map_err(named)?);
        let (log, w) = KeyLog::parse_reader(file).map_err(named)?;
        warnings.extend(w.iter().map(|w| format!("key log {path}: {w}")));
        merged.get_or_insert_with(KeyLog::new).merge(log);
    }
    if capture_path != "-" {
        crate::capture::for_each_secrets(capture_path, |text| {
            let (log, _) = KeyLog::parse(text);
            merged.get_or_insert_with(KeyLog::new).merge(log);
        });
    }
    Ok((merged, warnings))
}
