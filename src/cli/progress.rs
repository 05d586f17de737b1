//! The progress bar on standard error while a large capture file is read
//! (indicatif). Only the command line knows about it: the capture reader
//! below offers a hook ([`CaptureReader::set_progress`]), told the bytes
//! read and the connections seen every 64 KiB of input at most.

use crate::capture::CaptureReader;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{self, IsTerminal, Write};

/// Files smaller than this are read in well under a second: no bar.
const MIN_SIZE: u64 = 50_000_000;

/// The bar while one capture is read; nothing when it is not wanted.
#[derive(Clone, Default)]
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// A bar for reading `file` through `reader`, when it helps and cannot
    /// get in the way: standard error is a terminal, `file` is a regular
    /// file over 50 MB (not standard input, not a pipe), and neither `CI`
    /// is set nor `TERM` is `dumb`.
    pub fn attach(file: &str, reader: &mut CaptureReader) -> Progress {
        let Some(total) = wanted(file) else {
            return Progress(None);
        };
        // indicatif redraws at most 20 times a second.
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{elapsed:>4} [{wide_bar}] {decimal_bytes}/{decimal_total_bytes} \
             {decimal_bytes_per_sec:>11}  {msg} connections  ETA {eta}",
        )
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_message("0");
        let hook_bar = bar.clone();
        let mut shown = 0u64;
        reader.set_progress(Box::new(move |bytes, connections| {
            if connections != shown {
                shown = connections;
                hook_bar.set_message(connections.to_string());
            }
            hook_bar.set_position(bytes.min(total));
        }));
        Progress(Some(bar))
    }

    /// Removes the bar from the terminal (nothing is left over the report).
    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }

    /// Standard output (or any writer to it) that lifts the bar off the
    /// terminal while it writes, when both go to the same terminal. The
    /// bytes written are the same with or without a bar.
    pub fn stdout<W: Write>(&self, inner: W) -> Suspended<W> {
        let bar = self
            .0
            .as_ref()
            .filter(|_| io::stdout().is_terminal())
            .cloned();
        Suspended { inner, bar }
    }
}

/// The size of `file` when a bar is wanted for it.
fn wanted(file: &str) -> Option<u64> {
    let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
    if file == "-" || dumb || std::env::var_os("CI").is_some() || !io::stderr().is_terminal() {
        return None;
    }
    let meta = std::fs::metadata(file).ok()?;
    (meta.is_file() && meta.len() > MIN_SIZE).then_some(meta.len())
}

/// A writer that suspends the bar around each write (see
/// [`Progress::stdout`]).
pub struct Suspended<W> {
    inner: W,
    bar: Option<ProgressBar>,
}

impl<W: Write> Write for Suspended<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &self.bar {
            Some(bar) => bar.suspend(|| self.inner.write(buf)),
            None => self.inner.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &self.bar {
            Some(bar) => bar.suspend(|| self.inner.write_all(buf)),
            None => self.inner.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &self.bar {
            Some(bar) => bar.suspend(|| self.inner.flush()),
            None => self.inner.flush(),
        }
    }
}
