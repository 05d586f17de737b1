//! `explain --format html` rendered by a real browser: headless Chromium
//! loads the page (offline, fresh profile), and the test checks the DOM it
//! built and the pixels it drew — one ladder per connection, the verdict,
//! and on a failing capture the failing step drawn in red.
//!
//! Skipped, with a note, when no Chromium is installed (`.ci/run`
//! installs Debian's). `TLSTRACE_CHROMIUM` names another binary. The
//! screenshots are kept under `target/tmp/html-report/`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Says something on stderr past the test harness's capture, so it shows
/// in a passing run (the screenshot's path, a skipped browser).
fn note(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{text}");
}

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TLSTRACE_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome", "chrome"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

fn out_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html-report");
    std::fs::create_dir_all(&d).expect("artifact dir");
    d
}

/// Writes the HTML report of `capture` (plus `args`) to `name.html`.
fn report(name: &str, capture: &str, args: &[&str]) -> PathBuf {
    let out = Command::new(env!("CARGO_BIN_EXE_tlstrace"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["explain", capture, "--format", "html"])
        .args(args)
        .output()
        .expect("tlstrace runs");
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = out_dir().join(format!("{name}.html"));
    std::fs::write(&path, &out.stdout).expect("write html");
    path
}

/// The number of TLS connections `explain --format json` reports.
fn tls_connections(capture: &str) -> usize {
    let out = Command::new(env!("CARGO_BIN_EXE_tlstrace"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["explain", capture, "--format", "json"])
        .output()
        .expect("tlstrace runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    v["connections"].as_array().map_or(0, Vec::len)
}

/// Loads `html` in headless Chromium: the DOM it built, and the
/// screenshot's path.
fn render(browser: &Path, html: &Path, height: u32) -> (String, PathBuf) {
    let profile = out_dir().join(format!(
        "profile-{}-{}",
        std::process::id(),
        html.file_stem().and_then(|s| s.to_str()).unwrap_or("x")
    ));
    let _ = std::fs::remove_dir_all(&profile);
    std::fs::create_dir_all(&profile).expect("profile dir");
    let png = html.with_extension("png");
    let _ = std::fs::remove_file(&png);
    let url = format!("file://{}", html.display());
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--window-size=1280,{height}"))
        .arg("--dump-dom")
        .arg(format!("--screenshot={}", png.display()))
        .arg(&url)
        .output()
        .expect("chromium runs");
    let _ = std::fs::remove_dir_all(&profile);
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        dom.contains("</html>") && png.is_file(),
        "chromium rendered nothing: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    note(&format!("tests/html.rs: screenshot {}", png.display()));
    (dom, png)
}

/// A PNG's pixels as RGB (8-bit RGB or RGBA, not interlaced: what
/// Chromium writes).
fn png_rgb(path: &Path) -> (u32, u32, Vec<[u8; 3]>) {
    use std::io::Read;
    let data = std::fs::read(path).expect("png");
    assert_eq!(&data[..8], b"\x89PNG\r\n\x1a\n");
    let (mut w, mut h, mut channels) = (0u32, 0u32, 0usize);
    let mut idat = Vec::new();
    let mut i = 8;
    while i + 8 <= data.len() {
        let len = u32::from_be_bytes(data[i..i + 4].try_into().unwrap()) as usize;
        let kind = &data[i + 4..i + 8];
        let body = &data[i + 8..i + 8 + len];
        match kind {
            b"IHDR" => {
                w = u32::from_be_bytes(body[0..4].try_into().unwrap());
                h = u32::from_be_bytes(body[4..8].try_into().unwrap());
                assert_eq!(body[8], 8, "8-bit");
                assert_eq!(body[12], 0, "not interlaced");
                channels = match body[9] {
                    2 => 3,
                    6 => 4,
                    t => panic!("colour type {t}"),
                };
            }
            b"IDAT" => idat.extend_from_slice(body),
            _ => {}
        }
        i += 12 + len;
    }
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&idat[..])
        .read_to_end(&mut raw)
        .expect("inflate");
    let stride = w as usize * channels;
    let mut prev = vec![0u8; stride];
    let mut pixels = Vec::with_capacity((w * h) as usize);
    for row in raw.chunks(stride + 1).take(h as usize) {
        let (filter, line) = (row[0], &row[1..]);
        let mut cur = vec![0u8; stride];
        for x in 0..stride {
            let a = if x >= channels { cur[x - channels] } else { 0 };
            let b = prev[x];
            let c = if x >= channels { prev[x - channels] } else { 0 };
            let pred = match filter {
                0 => 0,
                1 => a,
                2 => b,
                3 => ((a as u16 + b as u16) / 2) as u8,
                4 => {
                    let p = a as i16 + b as i16 - c as i16;
                    let (pa, pb, pc) = (
                        (p - a as i16).abs(),
                        (p - b as i16).abs(),
                        (p - c as i16).abs(),
                    );
                    if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    }
                }
                f => panic!("filter {f}"),
            };
            cur[x] = line[x].wrapping_add(pred);
        }
        for px in cur.chunks(channels) {
            pixels.push([px[0], px[1], px[2]]);
        }
        prev = cur;
    }
    (w, h, pixels)
}

/// Pixels of the report's red (#b91c1c and its antialiased edges) in the
/// left part of the page, where the ladders are.
fn red_pixels_in_ladder_area(png: &Path) -> usize {
    let (w, _, px) = png_rgb(png);
    px.iter()
        .enumerate()
        .filter(|(i, p)| {
            let x = (*i as u32) % w;
            x > 40 && x < 700 && p[0] > 150 && p[1] < 80 && p[2] < 80
        })
        .count()
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn failing_and_succeeding_reports_render_in_chromium() {
    let Some(browser) = chromium() else {
        note("tests/html.rs: no chromium found (set TLSTRACE_CHROMIUM); browser test skipped");
        return;
    };

    // A failing capture: the client's certificate (frame 8) and the
    // server's alert (frame 9) are the red steps.
    let html = report("tls12-unknown-ca", "captures/tls12-unknown-ca.pcap", &[]);
    let (dom, png) = render(&browser, &html, 1000);
    assert_eq!(count(&dom, "<svg class=\"ladder\""), 1);
    assert!(dom.contains("Client certificate authentication: <b class=\"verdict-word\">FAILED</b>"));
    assert!(dom.contains("<g class=\"flight failing\" data-from=\"client\" data-frames=\"8\">"));
    assert!(dom.contains("<g class=\"msg failing\"><rect"));
    assert!(dom.contains(">fatal alert 48 unknown_ca</text>"));
    assert!(dom.contains("<li class=\"node cert fault\">"));
    assert!(dom.contains("<dd class=\"fault\">O=Unrelated Org, CN=Unrelated Test CA</dd>"));
    let red = red_pixels_in_ladder_area(&png);

    // A succeeding one: no red step, the verdict says so.
    let html = report("tls12-mtls-ok", "captures/tls12-mtls-ok.pcap", &[]);
    let (dom, ok_png) = render(&browser, &html, 1000);
    assert_eq!(count(&dom, "<svg class=\"ladder\""), 1);
    assert!(dom.contains("<b class=\"verdict-word\">SUCCEEDED</b>"));
    assert!(!dom.contains("class=\"flight failing"));
    let ok_red = red_pixels_in_ladder_area(&ok_png);
    // The legend's red swatch is all the red a succeeding page has; the
    // failing page's arrows, labels and frames add far more.
    assert!(
        red > 10 * ok_red.max(20),
        "red pixels: failing {red}, succeeding {ok_red} ({})",
        png.display()
    );

    // Many connections: one ladder each, a bar chart, failures first.
    let capture = "captures/multi-conn-mixed.pcap";
    let html = report("multi-conn-mixed", capture, &[]);
    let (dom, _) = render(&browser, &html, 1600);
    let n = tls_connections(capture);
    assert!(n > 5);
    assert_eq!(count(&dom, "<svg class=\"ladder\""), n);
    assert_eq!(count(&dom, "<details class=\"conn "), n);
    assert!(dom.contains("<svg class=\"chart\""));
    let first_failed = dom
        .find("<details class=\"conn failed\"")
        .expect("a failure");
    let first_ok = dom.find("<details class=\"conn ok\"").expect("a success");
    assert!(first_failed < first_ok, "failures first");
}

/// tls12-unknown-ca.pcap with its SNI (`server.test`, 11 bytes) swapped
/// for markup of the same length.
const HOSTILE_SNI: &[u8; 11] = b"<b>\"'&x</b>";

fn hostile_capture() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut data = std::fs::read(dir.join("captures/tls12-unknown-ca.pcap")).expect("capture");
    let at = data
        .windows(11)
        .position(|w| w == b"server.test")
        .expect("SNI in the capture");
    data[at..at + 11].copy_from_slice(HOSTILE_SNI);
    let path = out_dir().join("hostile-sni.pcap");
    std::fs::write(&path, data).expect("write capture");
    path
}

#[test]
fn hostile_strings_stay_text() {
    let capture = hostile_capture();
    let html = report("hostile-sni", capture.to_str().expect("utf-8"), &[]);
    let page = std::fs::read_to_string(&html).expect("html");
    assert!(
        page.contains("SNI &lt;b&gt;&quot;&#39;&amp;x&lt;/b&gt;"),
        "{page}"
    );
    assert!(!page.contains("<b>\"'&x</b>"));
    // The report's own markup: no script, and a policy that loads nothing.
    assert!(!page.contains("<script"));
    assert!(page.contains("content=\"default-src 'none'; style-src 'unsafe-inline'\""));
    let Some(browser) = chromium() else {
        note("tests/html.rs: no chromium found; the hostile page was checked, not rendered");
        return;
    };
    let (dom, _) = render(&browser, &html, 800);
    // The browser built no element from it: it is text.
    assert!(dom.contains("SNI &lt;b&gt;\"'&amp;x&lt;/b&gt;"), "{dom}");
    assert!(!dom.contains("<b>\"'"));
}
