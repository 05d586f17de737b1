//! The command line: a thin face over the library.
//!
//! Exit status: 0 when all went well, 1 when a connection failed (`explain`),
//! 2 for usage errors or a capture that cannot be read at all. A capture
//! that breaks off part-way is reported on stderr, after everything read
//! before the break.

use crate::capture::{CaptureError, CaptureErrorKind, CaptureReader};
use crate::net::tcp::{Chunk, ConnInfo, ConnSummary, Direction, StreamHandler, TcpReassembler};
use crate::net::{drive, DriveOutcome};
use crate::report;
use crate::tls::{ConnectionFacts, TlsAnalyzer, TlsConfig};
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

#[derive(Subcommand, Debug)]
enum Command {
    /// List the TCP connections in a capture.
    Connections {
        /// A pcap or pcapng file, or `-` for standard input.
        file: String,
        #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
        format: OutputFormat,
    },
    /// Show each TLS connection's handshake as a ladder.
    Show {
        /// A pcap or pcapng file, or `-` for standard input.
        file: String,
        /// Only this connection (the id from `connections`).
        #[arg(long)]
        conn: Option<u64>,
        #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
        format: OutputFormat,
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
        Command::Show { file, conn, format } => show(&file, conn, format),
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
    for (what, n) in &outcome.decode.unsupported {
        eprintln!("tlstrace: note: {n} frame(s) skipped: {what} is not supported");
    }
}

fn report_capture_error(e: &CaptureError) {
    let kind = match e.kind {
        CaptureErrorKind::Truncated => "warning",
        _ => "error",
    };
    eprintln!("tlstrace: {kind}: {e}; everything before it is reported");
}

#[derive(Default)]
struct Collect {
    conns: Vec<ConnSummary>,
}

impl StreamHandler for Collect {
    fn on_data(&mut self, _conn: &ConnInfo, _dir: Direction, _chunk: Chunk<'_>) {}
    fn on_close(&mut self, _conn: &ConnInfo, summary: &ConnSummary) {
        self.conns.push(summary.clone());
    }
}

fn connections(file: &str, format: OutputFormat) -> ExitCode {
    let mut reader = match open(file) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let mut tcp = TcpReassembler::default();
    let mut collect = Collect::default();
    let outcome = drive(&mut reader, &mut tcp, &mut collect, &mut |_| {});
    let mut conns = collect.conns;
    conns.sort_by_key(|c| c.id);
    match format {
        OutputFormat::Text => emit(&report::connections::table(&conns)),
        OutputFormat::Json => emit(&report::connections::json(&conns)),
    }
    report_problems(&outcome);
    match &outcome.error {
        Some(e) if e.kind != CaptureErrorKind::Truncated && outcome.capture.frames == 0 => {
            ExitCode::from(2)
        }
        _ => ExitCode::SUCCESS,
    }
}

/// Reads a capture through the TLS layer; returns the TLS connections
/// (those where TLS was seen), in order.
fn tls_connections(
    reader: &mut CaptureReader,
    only: Option<u64>,
) -> (Vec<ConnectionFacts>, DriveOutcome) {
    let mut tcp = TcpReassembler::default();
    let mut found = Vec::new();
    let mut analyzer = TlsAnalyzer::new(TlsConfig::default(), |f: ConnectionFacts| {
        if f.tls.detected && only.is_none_or(|id| id == f.info.id) {
            found.push(f);
        }
    });
    let outcome = drive(reader, &mut tcp, &mut analyzer, &mut |_| {});
    drop(analyzer);
    found.sort_by_key(|f| f.info.id);
    (found, outcome)
}

fn show(file: &str, conn: Option<u64>, format: OutputFormat) -> ExitCode {
    let mut reader = match open(file) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let (found, outcome) = tls_connections(&mut reader, conn);
    match format {
        OutputFormat::Text => emit(report::show::text(&found).trim_end()),
        OutputFormat::Json => emit(&report::show::json(&found)),
    }
    report_problems(&outcome);
    ExitCode::SUCCESS
}
