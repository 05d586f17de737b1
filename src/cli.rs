//! The command line: a thin face over the library.
//!
//! Exit status: 0 when all went well, 1 when a connection failed (`explain`),
//! 2 for usage errors or a capture that cannot be read at all. A capture
//! that breaks off part-way is reported on stderr, after everything read
//! before the break.

mod progress;

use crate::capture::{CaptureError, CaptureErrorKind, CaptureReader};
use crate::net::tcp::{Chunk, ConnInfo, ConnSummary, Direction, StreamHandler, TcpReassembler};
use crate::net::{drive, DriveOutcome};
use crate::report;
use crate::tls::keylog::KeyLog;

use crate::x509::path::TrustStore;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "tlstrace",
    version,
    about = "Explain TLS handshakes and mutual-TLS failures from packet captures"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum OutputFormat {
    Text,
    Json,
}

/// `explain` has a third form: a self-contained HTML page.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum ExplainFormat {
    Text,
    Json,
    /// JSON Lines: one object per TLS connection, with its `capture`.
    Jsonl,
    /// One self-contained page: drawn ladders, findings, chains.
    Html,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List the TCP connections in a capture.
    Connections {
        /// A pcap or pcapng file, or `-` for standard input.
        file: String,
        #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
        format: OutputFormat,
    },
    /// Explain, per TLS connection, whether client-certificate
    /// authentication succeeded or failed, and why.
    Explain {
        /// pcap or pcapng files (gzip too), directories (searched
        /// recursively for them), or `-` for standard input.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<String>,
        /// An NSS key log (SSLKEYLOGFILE) to decrypt TLS 1.3 handshakes
        /// (repeatable: several key logs serve together).
        #[arg(long, value_name = "FILE")]
        keylog: Vec<String>,
        /// A server's RSA private key (PEM, PKCS#8 or PKCS#1) to decrypt
        /// TLS 1.0–1.2 handshakes with RSA key exchange, as tshark's
        /// rsa_keys (repeatable).
        #[arg(long = "server-key", value_name = "PEM")]
        server_key: Vec<std::path::PathBuf>,
        /// Only this connection (the id from `connections`).
        #[arg(long)]
        conn: Option<u64>,
        #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
        format: ExplainFormat,
        /// The server's trust store for client certificates: a PEM bundle
        /// or a directory of PEM files (repeatable).
        #[arg(long = "ca", value_name = "FILE")]
        ca: Vec<std::path::PathBuf>,
        /// The client's trust store for the server's certificate.
        #[arg(long = "server-ca", value_name = "FILE")]
        server_ca: Vec<std::path::PathBuf>,
        /// Judge validity at this time (Unix seconds or 2026-01-31T12:00:00Z)
        /// instead of the capture's.
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// Check every CertificateVerify and ServerKeyExchange signature,
        /// also those the peer accepted by going on (by default they are
        /// not checked again): an audit of peers that accept bad
        /// signatures, at about twice the work per handshake.
        #[arg(long)]
        verify_all_signatures: bool,
        /// Threads (default: the machine's cores): several captures are
        /// analysed this many at once; one capture has its connections
        /// followed on this many threads, with the same output as one.
        #[arg(long, value_name = "N")]
        jobs: Option<usize>,
    },
    /// List every certificate seen, and optionally write each as PEM.
    Certs {
        /// A pcap or pcapng file, or `-` for standard input.
        file: String,
        /// An NSS key log (SSLKEYLOGFILE): TLS 1.3 certificates are encrypted
        /// (repeatable).
        #[arg(long, value_name = "FILE")]
        keylog: Vec<String>,
        /// A server's RSA private key (PEM) for static-RSA handshakes
        /// (repeatable).
        #[arg(long = "server-key", value_name = "PEM")]
        server_key: Vec<std::path::PathBuf>,
        /// Write each certificate to DIR as conn<N>-<side>-<position>.pem.
        #[arg(long, value_name = "DIR")]
        out: Option<std::path::PathBuf>,
        #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
        format: OutputFormat,
    },
    /// Show each TLS connection's handshake as a ladder.
    Show {
        /// A pcap or pcapng file, or `-` for standard input.
        file: String,
        /// An NSS key log (SSLKEYLOGFILE) to decrypt with (repeatable).
        #[arg(long, value_name = "FILE")]
        keylog: Vec<String>,
        /// A server's RSA private key (PEM) for static-RSA handshakes
        /// (repeatable).
        #[arg(long = "server-key", value_name = "PEM")]
        server_key: Vec<std::path::PathBuf>,
        /// Only this connection (the id from `connections`).
        #[arg(long)]
        conn: Option<u64>,
        #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
        format: OutputFormat,
    },
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions { shell: clap_complete::Shell },
    /// Print the manual page (roff) to standard output, or write one
    /// page per subcommand to a directory.
    Man {
        /// Write tlstrace.1, tlstrace-explain.1, … into DIR.
        #[arg(long, value_name = "DIR")]
        dir: Option<std::path::PathBuf>,
    },
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Connections { file, format } => connections(&file, format),
        Command::Show {
            file,
            keylog,
            server_key,
            conn,
            format,
        } => match server_keys(&server_key) {
            Ok(keys) => show(&file, &keylog, keys, conn, format),
            Err(code) => code,
        },
        Command::Certs {
            file,
            keylog,
            server_key,
            out,
            format,
        } => match server_keys(&server_key) {
            Ok(keys) => certs(&file, &keylog, keys, out.as_deref(), format),
            Err(code) => code,
        },
        Command::Explain {
            files,
            keylog,
            server_key,
            conn,
            format,
            ca,
            server_ca,
            at,
            verify_all_signatures,
            jobs,
        } => {
            let server_keys = match server_keys(&server_key) {
                Ok(k) => k,
                Err(code) => return code,
            };
            let single = files.len() == 1 && !std::path::Path::new(&files[0]).is_dir();
            if single && format != ExplainFormat::Jsonl {
                explain(
                    &files[0],
                    &keylog,
                    server_keys,
                    conn,
                    format,
                    &ca,
                    &server_ca,
                    at.as_deref(),
                    verify_all_signatures,
                    jobs,
                )
            } else if format == ExplainFormat::Html {
                eprintln!("tlstrace: --format html takes one capture; use --format text or jsonl for several");
                ExitCode::from(2)
            } else {
                let many = ManyOptions {
                    keylog: &keylog,
                    server_keys,
                    conn,
                    jsonl: format != ExplainFormat::Text,
                    ca: &ca,
                    server_ca: &server_ca,
                    at: at.as_deref(),
                    verify_all_signatures,
                    jobs,
                };
                explain_many(&files, &many)
            }
        }
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            // Into a buffer first: clap_complete panics on a closed pipe.
            let mut buf: Vec<u8> = Vec::new();
            clap_complete::generate(shell, &mut cmd, "tlstrace", &mut buf);
            let _ = std::io::stdout().lock().write_all(&buf);
            ExitCode::SUCCESS
        }
        Command::Man { dir } => man(dir.as_deref()),
    }
}

/// Where a streamed report goes: stdout, through a buffer of its own (the
/// progress bar, if any, steps aside each time the buffer is written).
///
/// Into a pipe or a file (not a terminal), reading a capture file, it is
/// written straight to the file descriptor 64 KiB at a time: std's stdout
/// is line-buffered, and under it every 8 KiB went out in two system
/// calls, split at its last new line (6,880 writes for handshakes.pcap's
/// 33 MB of JSON; 529 now). Reading stdin (live traffic), 8 KiB at a time,
/// so that connections show soon after they finish. On a terminal, or
/// where the descriptor cannot be had, std's stdout as before.
fn report_output(file: &str, progress: &progress::Progress) -> Box<dyn Write> {
    use std::io::{BufWriter, IsTerminal};
    let stdout = std::io::stdout();
    #[cfg(unix)]
    if !stdout.is_terminal() {
        use std::os::fd::AsFd;
        if let Ok(fd) = stdout.as_fd().try_clone_to_owned() {
            let capacity = if file == "-" { 8 * 1024 } else { 64 * 1024 };
            let raw = std::fs::File::from(fd);
            return Box::new(BufWriter::with_capacity(capacity, progress.stdout(raw)));
        }
    }
    #[cfg(not(unix))]
    let _ = file;
    Box::new(BufWriter::new(progress.stdout(stdout.lock())))
}

/// Colour only on a terminal, and not when `NO_COLOR` is set to anything
/// (<https://no-color.org>).
fn color_wanted() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn man(dir: Option<&std::path::Path>) -> ExitCode {
    let cmd = <Cli as clap::CommandFactory>::command();
    let written = match dir {
        Some(dir) => std::fs::create_dir_all(dir)
            .and_then(|()| clap_mangen::generate_to(cmd, dir))
            .map(|()| Vec::new()),
        None => {
            let mut buf: Vec<u8> = Vec::new();
            clap_mangen::Man::new(cmd).render(&mut buf).map(|()| buf)
        }
    };
    match written {
        Ok(page) => {
            let _ = std::io::stdout().lock().write_all(&page);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tlstrace: cannot write the manual page: {e}");
            ExitCode::from(2)
        }
    }
}

/// The key log from `--keylog`, merged with secrets a pcapng capture file
/// embeds. Malformed key log lines are reported (by line number only) and
/// skipped; an unreadable key log is a usage error.
fn load_secrets(file: &str, keylog: &[String]) -> Result<Option<KeyLog>, ExitCode> {
    match crate::analysis::load_secrets(file, keylog) {
        Ok((log, warnings)) => {
            for w in warnings.iter().take(20) {
                eprintln!("tlstrace: {w}");
            }
            if warnings.len() > 20 {
                eprintln!(
                    "tlstrace: {} more key log lines skipped",
                    warnings.len() - 20
                );
            }
            Ok(log)
        }
        Err(e) => {
            // The error names the file.
            eprintln!("tlstrace: cannot read key log {e}");
            Err(ExitCode::from(2))
        }
    }
}

/// Writes to stdout; a closed pipe (`| head`) ends quietly.
fn emit(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.write_all(b"\n");
}

fn open(file: &str) -> Result<CaptureReader, ExitCode> {
    CaptureReader::open(file).map_err(|e| {
        eprintln!("tlstrace: {e}");
        ExitCode::from(2)
    })
}

/// Reports what stopped reading early and what could not be decoded.
fn report_problems(outcome: &DriveOutcome) {
    if let Some(e) = &outcome.error {
        report_capture_error(e);
    }
    let t = &outcome.tcp;
    if t.evicted_connections > 0 {
        eprintln!(
            "tlstrace: note: {}: {} connection(s) were finished early (evicted) because {} were open at once; later packets of theirs start new connections",
            outcome.capture_name, t.evicted_connections, t.peak_connections
        );
    }
    if t.budget_releases > 0 {
        eprintln!(
            "tlstrace: note: {}: the out-of-order data held across connections reached its limit {} time(s); the connections holding the oldest gave their holes up as gaps",
            outcome.capture_name, t.budget_releases
        );
    }
    if outcome.handler.budget_releases > 0 {
        eprintln!(
            "tlstrace: note: {}: the partial TLS records and handshake messages held across connections reached their limit; {} connection(s) holding the oldest gave theirs up (each lists what it lost)",
            outcome.capture_name, outcome.handler.budget_releases
        );
    }
    if outcome.handler.transcript_refusals > 0 {
        eprintln!(
            "tlstrace: note: {}: the handshake transcripts kept across open connections reached their limit; {} connection(s) kept no more of theirs (their later signatures and Finished messages are not checked)",
            outcome.capture_name, outcome.handler.transcript_refusals
        );
    }
    for (what, u) in &outcome.decode.unsupported {
        eprintln!(
            "tlstrace: note: {}: {} frame(s) skipped, the first at frame {}: {what} is not supported",
            outcome.capture_name, u.frames, u.first_frame
        );
    }
}

fn report_capture_error(e: &CaptureError) {
    let kind = match e.kind {
        CaptureErrorKind::Truncated => "warning",
        _ => "error",
    };
    eprintln!("tlstrace: {kind}: {e}; everything before it is reported");
}

/// Where finished connections go: kept for the table, or streamed as JSON.
enum Collect<W: Write> {
    Table(Vec<ConnSummary>),
    Json(report::connections::JsonStream<W>),
}

impl<W: Write> StreamHandler for Collect<W> {
    fn on_data(&mut self, _conn: &ConnInfo, _dir: Direction, _chunk: Chunk<'_>) {}
    fn on_close(&mut self, _conn: &ConnInfo, summary: &ConnSummary) {
        match self {
            Collect::Table(v) => v.push(summary.clone()),
            Collect::Json(s) => s.push(summary.clone()),
        }
    }
}

fn connections(file: &str, format: OutputFormat) -> ExitCode {
    let mut reader = match open(file) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let progress = progress::Progress::attach(file, &mut reader);
    let mut tcp = TcpReassembler::default();
    let mut collect = match format {
        OutputFormat::Text => Collect::Table(Vec::new()),
        OutputFormat::Json => Collect::Json(report::connections::JsonStream::new(report_output(
            file, &progress,
        ))),
    };
    let outcome = drive(&mut reader, &mut tcp, &mut collect);
    progress.finish();
    match collect {
        Collect::Table(mut conns) => {
            conns.sort_by_key(|c| c.id);
            emit(&report::connections::table(&conns));
        }
        Collect::Json(s) => s.finish(),
    }
    report_problems(&outcome);
    match &outcome.error {
        Some(e) if e.kind != CaptureErrorKind::Truncated && outcome.capture.frames == 0 => {
            ExitCode::from(2)
        }
        _ => ExitCode::SUCCESS,
    }
}

fn show(
    file: &str,
    keylog: &[String],
    server_keys: Vec<rsa::RsaPrivateKey>,
    conn: Option<u64>,
    format: OutputFormat,
) -> ExitCode {
    let secrets = match load_secrets(file, keylog) {
        Ok(k) => k,
        Err(code) => return code,
    };
    let mut reader = match open(file) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let progress = progress::Progress::attach(file, &mut reader);
    let (found, outcome) =
        crate::analysis::tls_connections_with(&mut reader, secrets, server_keys, conn);
    progress.finish();
    match format {
        OutputFormat::Text => emit(report::show::text(&found).trim_end()),
        OutputFormat::Json => emit(&report::show::json(&found)),
    }
    report_problems(&outcome);
    ExitCode::SUCCESS
}

/// RSA private keys from PEM files (PKCS#8 or PKCS#1); a file that holds
/// none is a usage error.
fn server_keys(paths: &[std::path::PathBuf]) -> Result<Vec<rsa::RsaPrivateKey>, ExitCode> {
    use rsa::pkcs1::DecodeRsaPrivateKey;
    use rsa::pkcs8::DecodePrivateKey;
    let mut keys = Vec::new();
    for p in paths {
        let text = std::fs::read_to_string(p).map_err(|e| {
            eprintln!("tlstrace: cannot read server key {}: {e}", p.display());
            ExitCode::from(2)
        })?;
        let key = rsa::RsaPrivateKey::from_pkcs8_pem(&text)
            .ok()
            .or_else(|| rsa::RsaPrivateKey::from_pkcs1_pem(&text).ok());
        match key {
            Some(k) => keys.push(k),
            None => {
                eprintln!(
                    "tlstrace: {}: not an RSA private key in PEM (PKCS#8 or PKCS#1)",
                    p.display()
                );
                return Err(ExitCode::from(2));
            }
        }
    }
    Ok(keys)
}

fn trust_store(paths: &[std::path::PathBuf]) -> Result<Option<TrustStore>, ExitCode> {
    if paths.is_empty() {
        return Ok(None);
    }
    TrustStore::from_paths(paths).map(Some).map_err(|e| {
        eprintln!("tlstrace: {e}");
        ExitCode::from(2)
    })
}

#[allow(clippy::too_many_arguments)]
fn explain(
    file: &str,
    keylog: &[String],
    server_keys: Vec<rsa::RsaPrivateKey>,
    conn: Option<u64>,
    format: ExplainFormat,
    ca: &[std::path::PathBuf],
    server_ca: &[std::path::PathBuf],
    at: Option<&str>,
    verify_all_signatures: bool,
    jobs: Option<usize>,
) -> ExitCode {
    let client_ca = match trust_store(ca) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let server_ca_store = match trust_store(server_ca) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let at = match at.map(crate::x509::parse_time) {
        Some(None) => {
            eprintln!("tlstrace: --at wants Unix seconds or a date like 2026-01-31T12:00:00Z");
            return ExitCode::from(2);
        }
        Some(Some(t)) => Some(t),
        None => None,
    };
    let mut explainer =
        crate::explain::Explainer::new(client_ca.as_ref(), server_ca_store.as_ref(), at)
            .with_server_keys(server_keys)
            .with_all_signatures(verify_all_signatures)
            .with_jobs(jobs_wanted(jobs));

    let secrets = match load_secrets(file, keylog) {
        Ok(k) => k,
        Err(code) => return code,
    };
    let mut reader = match open(file) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let kind = match format {
        ExplainFormat::Text => crate::explain::OutputKind::Text {
            color: color_wanted(),
        },
        ExplainFormat::Json | ExplainFormat::Jsonl => crate::explain::OutputKind::Json,
        ExplainFormat::Html => crate::explain::OutputKind::Html,
    };
    let progress = progress::Progress::attach(file, &mut reader);
    let (outcome, any_failed) = crate::explain::write_capture(
        file,
        &mut reader,
        secrets,
        &mut explainer,
        conn,
        kind,
        report_output(file, &progress),
    );
    progress.finish();
    report_problems(&outcome);
    if outcome
        .error
        .as_ref()
        .is_some_and(|e| e.kind != CaptureErrorKind::Truncated)
        && outcome.capture.frames == 0
    {
        return ExitCode::from(2);
    }
    if any_failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Threads to use: `--jobs`, or the machine's cores (at most 64).
fn jobs_wanted(jobs: Option<usize>) -> usize {
    jobs.or_else(|| std::thread::available_parallelism().ok().map(|n| n.get()))
        .unwrap_or(1)
        .clamp(1, 64)
}

/// What `explain` was asked for several captures.
struct ManyOptions<'a> {
    keylog: &'a [String],
    server_keys: Vec<rsa::RsaPrivateKey>,
    conn: Option<u64>,
    /// JSON Lines (several captures with `--format json` give JSON Lines
    /// too: one document per capture would not be one JSON text).
    jsonl: bool,
    ca: &'a [std::path::PathBuf],
    server_ca: &'a [std::path::PathBuf],
    at: Option<&'a str>,
    verify_all_signatures: bool,
    jobs: Option<usize>,
}

/// `explain` over several captures (files and directories): analysed in
/// parallel, reported per capture in the order given (text) or as each
/// connection finishes (JSON Lines), then a summary across all of them.
fn explain_many(inputs: &[String], o: &ManyOptions<'_>) -> ExitCode {
    use crate::explain::{capture_inputs, CaptureEvent, FleetSummary};
    use std::sync::Arc;
    let (files, skipped) = capture_inputs(inputs);
    for (file, why) in skipped.iter().take(10) {
        eprintln!("tlstrace: note: {file}: skipped, {why}");
    }
    if skipped.len() > 10 {
        eprintln!("tlstrace: note: {} more files skipped", skipped.len() - 10);
    }
    let client_ca = match trust_store(o.ca) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let server_ca = match trust_store(o.server_ca) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let at = match o.at.map(crate::x509::parse_time) {
        Some(None) => {
            eprintln!("tlstrace: --at wants Unix seconds or a date like 2026-01-31T12:00:00Z");
            return ExitCode::from(2);
        }
        Some(Some(t)) => Some(t),
        None => None,
    };
    // The key logs, read once, for every capture (client randoms are
    // unique).
    let keylog = match crate::analysis::load_secrets("-", o.keylog) {
        Ok((log, warnings)) => {
            for w in warnings.iter().take(20) {
                eprintln!("tlstrace: {w}");
            }
            log.map(Arc::new)
        }
        Err(e) => {
            eprintln!("tlstrace: cannot read key log {e}");
            return ExitCode::from(2);
        }
    };
    let jobs = jobs_wanted(o.jobs).min(files.len().max(1));
    let mut summary = FleetSummary::default();
    summary.captures = files.len() as u64;
    let mut any_failed = false;
    let mut unreadable = false;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let shared = crate::explain::Shared {
        keylog,
        client_ca: client_ca.as_ref(),
        server_ca: server_ca.as_ref(),
        at,
        conn: o.conn,
        server_keys: o.server_keys.clone(),
        all_signatures: o.verify_all_signatures,
    };
    let kind = if o.jsonl {
        crate::explain::ManyKind::Jsonl
    } else {
        crate::explain::ManyKind::Text
    };
    // Text: each capture's connections in id order, captures in the order
    // given; JSON Lines: as they come.
    let mut pending: Vec<Vec<(u64, String)>> = vec![Vec::new(); files.len()];
    let mut done: Vec<Option<bool>> = vec![None; files.len()];
    let mut printed = 0;
    crate::explain::explain_captures(&files, &shared, kind, jobs, |ev| match ev {
        CaptureEvent::Connection {
            capture,
            id,
            item,
            outline,
            failed,
        } => {
            summary.add(&outline);
            any_failed |= failed;
            if o.jsonl {
                let _ = writeln!(out, "{item}");
                let _ = out.flush();
            } else if let Some(p) = pending.get_mut(capture) {
                p.push((id, item));
            }
        }
        CaptureEvent::Done { capture, result } => {
            match &result {
                Ok(outcome) => report_problems(outcome),
                Err(e) => {
                    eprintln!("tlstrace: {e}");
                    unreadable = true;
                    if let Some(f) = files.get(capture) {
                        summary.unreadable.push((f.clone(), e.clone()));
                    }
                }
            }
            if let Some(d) = done.get_mut(capture) {
                *d = Some(result.is_ok());
            }
            while printed < files.len() && done[printed].is_some() {
                if !o.jsonl {
                    let conns = &mut pending[printed];
                    conns.sort_by_key(|(id, _)| *id);
                    let _ = writeln!(out, "== {} ==", files[printed]);
                    if conns.is_empty() && done[printed] == Some(true) {
                        let _ = writeln!(out, "No TLS connections.");
                    }
                    for (_, text) in conns.drain(..) {
                        let _ = writeln!(out, "{text}");
                    }
                }
                printed += 1;
            }
        }
    });
    if o.jsonl {
        eprint!("{}", summary.text());
    } else {
        let _ = write!(out, "{}", summary.text());
    }
    let _ = out.flush();
    if unreadable {
        ExitCode::from(2)
    } else if any_failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn certs(
    file: &str,
    keylog: &[String],
    server_keys: Vec<rsa::RsaPrivateKey>,
    out: Option<&std::path::Path>,
    format: OutputFormat,
) -> ExitCode {
    let secrets = match load_secrets(file, keylog) {
        Ok(k) => k,
        Err(code) => return code,
    };
    let mut reader = match open(file) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let progress = progress::Progress::attach(file, &mut reader);
    let (found, outcome) =
        crate::analysis::tls_connections_with(&mut reader, secrets, server_keys, None);
    progress.finish();
    let certs = report::certs::collect(&found);
    if let Some(dir) = out {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("tlstrace: cannot create {}: {e}", dir.display());
            return ExitCode::from(2);
        }
        for c in &certs {
            let path = dir.join(c.file_name());
            if let Err(e) = std::fs::write(&path, c.pem()) {
                eprintln!("tlstrace: cannot write {}: {e}", path.display());
                return ExitCode::from(2);
            }
        }
        eprintln!(
            "tlstrace: wrote {} certificate(s) to {}",
            certs.len(),
            dir.display()
        );
    }
    match format {
        OutputFormat::Text => emit(&report::certs::table(&certs)),
        OutputFormat::Json => emit(&report::certs::json(&certs)),
    }
    report_problems(&outcome);
    ExitCode::SUCCESS
}
