//! Hostile captures, generated as the test runs (examples/hostile.rs) and
//! streamed straight into the reader: what each must produce, and that
//! what tlstrace reports grows in proportion to the input (two sizes are
//! compared; time is not asserted). `scripts/hostile.sh` runs the same
//! inputs at full size through the binary and measures peak RSS.

#[path = "../examples/hostile.rs"]
mod hostile;

use std::io::{self, Read, Write};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use tlstrace::capture::{CaptureErrorKind, CaptureReader};
use tlstrace::net::tcp::{Chunk, ConnInfo, ConnSummary, Direction, StreamHandler, TcpReassembler};
use tlstrace::tls::keylog::{KeyLog, KeyLogWarningKind, MAX_WARNINGS};
use tlstrace::tls::stream::IssueKind;

/// The writing end of a pipe between a generator thread and the reader.
struct ChanWriter {
    tx: SyncSender<Vec<u8>>,
    buf: Vec<u8>,
}

impl Write for ChanWriter {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(b);
        if self.buf.len() >= 1 << 16 {
            self.flush()?;
        }
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            let chunk = std::mem::take(&mut self.buf);
            self.tx
                .send(chunk)
                .map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))?;
        }
        Ok(())
    }
}

impl Drop for ChanWriter {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

struct ChanReader {
    rx: Receiver<Vec<u8>>,
    cur: Vec<u8>,
    pos: usize,
}

impl Read for ChanReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.cur.len() {
            match self.rx.recv() {
                Ok(c) => {
                    self.cur = c;
                    self.pos = 0;
                }
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.cur.len() - self.pos);
        out[..n].copy_from_slice(&self.cur[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// A reader of what `gen` writes, generated on another thread as it is
/// read: nothing is held in memory or on disk.
fn generated(gen: impl FnOnce(&mut dyn Write) -> io::Result<()> + Send + 'static) -> ChanReader {
    let (tx, rx) = sync_channel(8);
    std::thread::spawn(move || {
        let mut w = ChanWriter {
            tx,
            buf: Vec::new(),
        };
        let _ = gen(&mut w);
    });
    ChanReader {
        rx,
        cur: Vec::new(),
        pos: 0,
    }
}

fn capture(gen: impl FnOnce(&mut dyn Write) -> io::Result<()> + Send + 'static) -> CaptureReader {
    CaptureReader::from_reader("hostile", generated(gen)).expect("capture header")
}

#[test]
fn many_open_flows_are_evicted_and_reported_and_the_kept_ones_explained() {
    let n = 100_000u64;
    let mut r = capture(move |w| hostile::flows(w, n));
    let (found, outcome) = tlstrace::analysis::explain_connections(&mut r, None);
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    // Every connection is reported, each once, as TLS with its ClientHello.
    assert_eq!(found.len() as u64, n);
    let limit = tlstrace::net::tcp::TcpConfig::default().max_connections;
    assert!(outcome.tcp.peak_connections <= limit);
    assert!(
        outcome.tcp.evicted_connections >= n - limit as u64,
        "{:?}",
        outcome.tcp
    );
    let evicted = found.iter().filter(|(f, _)| f.tcp.detail.evicted).count() as u64;
    assert_eq!(evicted, outcome.tcp.evicted_connections);
    for (f, _) in &found {
        assert_eq!(
            f.tls.ladder.first().map(|l| l.kind.as_str()),
            Some("client_hello")
        );
        // The held-back segment is delivered after its hole, reported as a gap.
        assert_eq!(f.tcp.gaps, 1, "connection {}", f.info.id);
        assert!(f.tls.issues.iter().any(|i| i.kind == IssueKind::CaptureGap));
    }
}

#[test]
fn the_global_budget_releases_the_oldest_held_data_as_gaps() {
    let n = 20_000u64;
    let config = tlstrace::net::tcp::TcpConfig {
        max_buffered_total: 1024 * 1024,
        ..Default::default()
    };
    let mut r = capture(move |w| hostile::flows(w, n));
    let mut tcp = TcpReassembler::new(config);
    let mut gaps = Counter::default();
    let outcome = tlstrace::net::drive(&mut r, &mut tcp, &mut gaps);
    assert!(outcome.tcp.peak_buffered <= config.max_buffered_total + 1024);
    assert!(outcome.tcp.budget_releases > 0);
    assert_eq!(gaps.closed, n);
    // Every hole is given up once: by the budget or at the end.
    assert_eq!(gaps.gaps, n);
    assert!(gaps.released >= outcome.tcp.budget_releases);
}

#[derive(Default)]
struct Counter {
    closed: u64,
    gaps: u64,
    released: u64,
    bytes: u64,
}

impl StreamHandler for Counter {
    fn on_data(&mut self, _c: &ConnInfo, _d: Direction, chunk: Chunk<'_>) {
        self.bytes += chunk.data.len() as u64;
    }
    fn on_gap(&mut self, _c: &ConnInfo, _d: Direction, _g: tlstrace::net::tcp::Gap) {
        self.gaps += 1;
    }
    fn on_close(&mut self, _c: &ConnInfo, s: &ConnSummary) {
        self.closed += 1;
        self.released += s.detail.budget_releases;
    }
}

#[test]
fn a_handshake_message_claiming_16_mb_is_listed_not_read() {
    let mut r = capture(|w| hostile::big_handshake(w, 8));
    let (found, outcome) = tlstrace::analysis::tls_connections(&mut r, None, None);
    assert!(outcome.error.is_none());
    assert_eq!(found.len(), 1);
    let tls = &found[0].tls;
    let too_large: Vec<_> = tls
        .issues
        .iter()
        .filter(|i| i.kind == IssueKind::HandshakeTooLarge)
        .collect();
    assert_eq!(too_large.len(), 1, "{:?}", tls.issues);
    assert!(too_large[0].detail.contains("16777215"));
    assert!(tls.handshakes.is_empty());
    assert!(tls.transcript_bytes == 0);
}

#[test]
fn one_byte_records_are_counted_with_bounded_lists() {
    let counts: Vec<(u64, u64, usize)> = [100_000u64, 400_000]
        .into_iter()
        .map(|n| {
            let mut r = capture(move |w| hostile::tiny_records(w, n));
            let (found, _) = tlstrace::analysis::tls_connections(&mut r, None, None);
            let tls = &found[0].tls;
            (
                tls.encrypted[0].records,
                tls.records.dropped,
                tls.ladder.len(),
            )
        })
        .collect();
    for (n, (records, dropped, ladder)) in [100_000u64, 400_000].iter().zip(&counts) {
        assert_eq!(records, n);
        // The record log keeps the first records, the ladder the first
        // few application data records: bounded whatever the count.
        assert_eq!(*dropped + tlstrace::tls::traffic::MAX_RECORDS as u64, n + 1);
        assert!(*ladder <= 16);
    }
}

#[test]
fn segments_behind_holes_that_never_fill_become_gaps() {
    let runs: Vec<(u64, ConnSummary)> = [50_000u64, 200_000]
        .into_iter()
        .map(|n| {
            let mut r = capture(move |w| hostile::holes(w, n));
            let (conns, outcome) = tlstrace::analysis::tcp_connections(&mut r);
            assert!(outcome.error.is_none());
            assert_eq!(conns.len(), 1);
            (n, conns.into_iter().next().unwrap())
        })
        .collect();
    let max_segs = tlstrace::net::tcp::TcpConfig::default().max_buffered_segments as u64;
    for (n, c) in &runs {
        // Each byte is delivered after its own hole: n gaps of one byte.
        assert_eq!(c.gaps, *n);
        assert_eq!(c.client_bytes, *n);
        assert_eq!(c.detail.out_of_order_segments, *n);
        // Beyond the per-direction segment limit, each new segment gives
        // the oldest hole up.
        assert_eq!(c.detail.buffer_overflows, n - max_segs);
    }
}

#[test]
fn a_pcapng_block_claiming_4_gb_is_an_error_not_an_allocation() {
    let mut r = CaptureReader::from_reader("hostile", generated(hostile::pcapng_4g))
        .expect("section header");
    let err = loop {
        match r.next_event() {
            Ok(Some(_)) => continue,
            Ok(None) => panic!("no error"),
            Err(e) => break e,
        }
    };
    assert!(
        matches!(
            err.kind,
            CaptureErrorKind::BlockTooLarge(_) | CaptureErrorKind::Truncated
        ),
        "{err}"
    );
}

#[test]
fn a_gzip_bomb_streams_through_in_proportion() {
    let frames: Vec<u64> = [8u64, 32]
        .into_iter()
        .map(|mb| {
            let mut r = capture(move |w| hostile::gzip_bomb(w, mb));
            let (conns, outcome) = tlstrace::analysis::tcp_connections(&mut r);
            assert!(conns.is_empty());
            assert!(outcome.error.is_none(), "{:?}", outcome.error);
            // Every 16 zero bytes are an empty packet record.
            assert_eq!(outcome.capture.frames, mb * 1024 * 1024 / 16);
            outcome.capture.frames
        })
        .collect();
    assert_eq!(frames[1], frames[0] * 4);
}

#[test]
fn a_key_log_of_garbage_keeps_nothing_and_lists_bounded_warnings() {
    for mb in [8u64, 32] {
        let reader = io::BufReader::new(generated(move |w| hostile::keylog(w, mb)));
        let (log, warnings) = KeyLog::parse_reader(reader).expect("read");
        assert!(log.is_empty());
        assert_eq!(warnings.len(), MAX_WARNINGS + 1);
        let Some(KeyLogWarningKind::MoreSkipped(more)) = warnings.last().map(|w| &w.kind) else {
            panic!("no count of the rest")
        };
        // About 17 lines per KiB of garbage, all but MAX_WARNINGS counted.
        let lines = *more + MAX_WARNINGS as u64;
        assert!(lines > mb * 1024 * 20 && lines < mb * 1024 * 30, "{lines}");
    }
}

#[test]
fn partial_handshake_messages_beyond_the_tls_budget_are_given_up_oldest_first() {
    use tlstrace::tls::{ConnectionFacts, TlsAnalyzer, TlsConfig};
    let (n, kb) = (300u64, 96u64);
    let config = TlsConfig {
        max_partial_total: 4 * 1024 * 1024,
        ..Default::default()
    };
    let mut r = capture(move |w| hostile::partial_handshakes(w, n, kb));
    let mut tcp = TcpReassembler::default();
    let mut found: Vec<ConnectionFacts> = Vec::new();
    let mut analyzer = TlsAnalyzer::new(config, |f| found.push(f));
    let outcome = tlstrace::net::drive(&mut r, &mut tcp, &mut analyzer);
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    assert_eq!(analyzer.held_total(), 0, "all given back at the end");
    drop(analyzer);
    // Without the budget: 300 x 96 KB held at once (room for about
    // 128 KB each). With it, at most the budget and one record's growth.
    let stats = outcome.handler;
    assert!(
        stats.peak_held <= config.max_partial_total + 256 * 1024,
        "{stats:?}"
    );
    assert!(stats.budget_releases > n / 2, "{stats:?}");
    assert_eq!(found.len() as u64, n);
    found.sort_by_key(|f| f.info.id);
    let given_up = |f: &ConnectionFacts| {
        f.tls
            .issues
            .iter()
            .filter(|i| i.kind == IssueKind::LostRecord && i.detail.contains("given up"))
            .count()
    };
    let released: Vec<u64> = found
        .iter()
        .filter(|f| given_up(f) > 0)
        .map(|f| f.info.id)
        .collect();
    assert_eq!(released.len() as u64, stats.budget_releases);
    // What tlstrace gave up is not called missing from the capture.
    let first = found
        .iter()
        .find(|f| given_up(f) > 0)
        .expect("a released one");
    let d = tlstrace::diagnose::diagnose(first);
    let incomplete = d.findings.iter().find(|f| f.code == "capture-incomplete");
    assert!(
        incomplete.is_some_and(|f| f.summary.starts_with("tlstrace gave up part")),
        "{:?}",
        d.findings.iter().map(|f| &f.summary).collect::<Vec<_>>()
    );
    // The oldest partial data goes first: the connections' first records
    // came in id order.
    assert!(released.contains(&1));
    for f in &found {
        // Every connection is still explained: its ClientHello, and the
        // server's Certificate, given up or cut by the capture's end.
        assert_eq!(
            f.tls.ladder.first().map(|l| l.kind.as_str()),
            Some("client_hello"),
            "connection {}",
            f.info.id
        );
        let issue = &f.tls.issues;
        match given_up(f) {
            1 => {
                let i = issue
                    .iter()
                    .find(|i| i.detail.contains("given up"))
                    .unwrap();
                assert!(
                    i.detail.contains("a partial certificate message (")
                        && i.detail.contains("of 200004 bytes) from the server")
                        && i.detail
                            .contains("buffer budget (4 MiB across connections)"),
                    "{}",
                    i.detail
                );
                let cert = f.tls.ladder.iter().find(|l| l.kind == "certificate");
                assert!(cert.is_some_and(|c| c.truncated));
                // The rest of the message is passed over, not resynchronised.
                assert!(!issue.iter().any(|i| i.kind == IssueKind::Resynchronised));
                assert!(!issue.iter().any(|i| i.kind == IssueKind::Truncated));
            }
            0 => assert!(
                issue.iter().any(|i| i.kind == IssueKind::Truncated
                    && i.detail.contains("inside a certificate message")),
                "{issue:?}"
            ),
            k => panic!("connection {} gave up {k} times", f.info.id),
        }
    }
}

/// Raw handshake bytes kept for transcripts across open connections are
/// bounded: past `max_transcript_total`, connections keep no more (each is
/// counted once) and are still explained.
#[test]
fn transcripts_beyond_their_budget_are_not_kept() {
    use tlstrace::tls::{ConnectionFacts, TlsAnalyzer, TlsConfig};
    let n = 2_000u64;
    let hello = hostile::client_hello_record().len() - 5;
    let config = TlsConfig {
        max_transcript_total: 100 * hello,
        ..Default::default()
    };
    let mut r = capture(move |w| hostile::flows(w, n));
    let mut tcp = TcpReassembler::default();
    let mut found: Vec<ConnectionFacts> = Vec::new();
    let mut analyzer = TlsAnalyzer::new(config, |f| found.push(f));
    let outcome = tlstrace::net::drive(&mut r, &mut tcp, &mut analyzer);
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    drop(analyzer);
    // No connection closes before the end: the first 100 keep their
    // ClientHello, the others are refused, once each.
    let kept = found
        .iter()
        .filter(|f| f.tls.handshakes.first().is_some_and(|h| h.raw.is_some()))
        .count();
    assert_eq!(kept, 100);
    assert_eq!(outcome.handler.transcript_refusals, n - 100);
    assert_eq!(found.len() as u64, n);
    assert!(found
        .iter()
        .all(|f| f.tls.ladder.first().map(|l| l.kind.as_str()) == Some("client_hello")));
}

/// A connection refused its transcript keeps its verdict: with keys, the
/// Finished and CertificateVerify checks it cannot make are not turned
/// into findings against it.
#[test]
fn a_connection_without_its_transcript_keeps_its_verdict() {
    use tlstrace::tls::{ConnectionFacts, TlsAnalyzer, TlsConfig};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("captures");
    for name in [
        "tls12-mtls-ok",
        "tls13-mtls-ok",
        "tls12-unknown-ca",
        "tls13-bad-certificate-verify",
    ] {
        let pcap = dir.join(format!("{name}.pcap"));
        let keys = std::fs::read(dir.join(format!("{name}.keys"))).unwrap_or_default();
        let run = |config: TlsConfig| {
            let mut reader = CaptureReader::open(pcap.to_str().expect("utf-8")).expect("capture");
            let mut tcp = TcpReassembler::default();
            let mut found: Vec<ConnectionFacts> = Vec::new();
            let mut analyzer = TlsAnalyzer::new(config, |f| found.push(f))
                .with_keylog(Some(KeyLog::parse(&keys).0));
            let outcome = tlstrace::net::drive(&mut reader, &mut tcp, &mut analyzer);
            drop(analyzer);
            let verdicts: Vec<(String, Vec<&'static str>)> = found
                .iter()
                .map(|f| {
                    let d = tlstrace::diagnose::diagnose(f);
                    let codes = d.findings.iter().map(|f| f.code).collect();
                    (d.client_auth.outcome.as_str().to_string(), codes)
                })
                .collect();
            (verdicts, outcome.handler.transcript_refusals)
        };
        let (full, none_refused) = run(TlsConfig::default());
        let (bare, refused) = run(TlsConfig {
            max_transcript_total: 0,
            ..Default::default()
        });
        assert_eq!(none_refused, 0, "{name}");
        assert!(refused > 0, "{name}");
        assert_eq!(
            full.iter().map(|v| &v.0).collect::<Vec<_>>(),
            bare.iter().map(|v| &v.0).collect::<Vec<_>>(),
            "{name}: the verdicts"
        );
        // The decisive finding is the same, except a bad signature, which
        // cannot be seen without the transcript: then the finding says the
        // signature was not checked.
        let (full_cause, bare_codes) = (
            full.first().and_then(|v| v.1.first()),
            bare.first().map(|v| &v.1),
        );
        if full_cause == Some(&"certificate-verify-invalid") {
            assert!(
                bare_codes.is_some_and(|c| c.contains(&"signature-not-checked")),
                "{name}: {bare_codes:?}"
            );
        } else {
            assert_eq!(full_cause, bare_codes.and_then(|c| c.first()), "{name}");
        }
    }
}
