//! A one-connection HTTPS server on rustls that asks for (or requires) a client certificate, for
//! tlstrace's capture corpus (captures/make-servers.sh). It accepts one TCP connection, runs the
//! handshake, answers one HTTP request with 200, sends close_notify and exits. Everything it sees
//! goes to stdout, which is the capture's server log:
//!   - rustls's own log lines (the `log` crate, debug level): "rustls: LEVEL target: message"
//!   - "handshake done: ..." with the version, cipher suite and the client's chain, or
//!     "error: handshake failed: <rustls error> (<Debug form>)"
//!   - the request line and the response status
//!
//! usage: rustls-server --port P --cert CHAIN.pem --key KEY.pem --ca ROOTS.pem --tls 1.2|1.3
//!                      [--optional] [--keylog FILE]
//! --optional: allow a client without a certificate (WebPkiClientVerifier allow_unauthenticated).
//! --keylog FILE: NSS key log of the server's secrets (checked against the client's).

use std::io::{BufReader, Read, Write};
use std::net::{Shutdown, TcpListener};
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{KeyLog, RootCertStore, ServerConfig, ServerConnection};

struct StdoutLogger;

impl log::Log for StdoutLogger {
    fn enabled(&self, m: &log::Metadata) -> bool {
        m.level() <= log::Level::Debug
    }
    fn log(&self, r: &log::Record) {
        if self.enabled(r.metadata()) {
            println!("rustls: {} {}: {}", r.level(), r.target(), r.args());
        }
    }
    fn flush(&self) {
        let _ = std::io::stdout().flush();
    }
}

static LOGGER: StdoutLogger = StdoutLogger;

/// NSS key log written to a file given on the command line (rustls::KeyLogFile reads only
/// SSLKEYLOGFILE, which the client uses for its own file)
struct FileKeyLog(std::sync::Mutex<std::fs::File>);

impl std::fmt::Debug for FileKeyLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FileKeyLog")
    }
}

impl KeyLog for FileKeyLog {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        let mut f = self.0.lock().unwrap();
        let _ = writeln!(f, "{} {} {}", label, hex(client_random), hex(secret));
    }
}

fn die(msg: String) -> ! {
    println!("error: {msg}");
    std::process::exit(2);
}

fn load_certs(path: &str) -> Vec<CertificateDer<'static>> {
    let f = std::fs::File::open(path).unwrap_or_else(|e| die(format!("{path}: {e}")));
    rustls_pemfile::certs(&mut BufReader::new(f))
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_else(|e| die(format!("{path}: {e}")))
}

fn load_key(path: &str) -> PrivateKeyDer<'static> {
    let f = std::fs::File::open(path).unwrap_or_else(|e| die(format!("{path}: {e}")));
    rustls_pemfile::private_key(&mut BufReader::new(f))
        .unwrap_or_else(|e| die(format!("{path}: {e}")))
        .unwrap_or_else(|| die(format!("{path}: no private key")))
}

fn main() {
    let mut port = 0u16;
    let (mut cert, mut key, mut ca, mut tls, mut keylog) =
        (String::new(), String::new(), String::new(), String::new(), None);
    let mut optional = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_else(|| die(format!("{a} needs a value")));
        match a.as_str() {
            "--port" => port = val().parse().unwrap_or_else(|_| die("bad --port".into())),
            "--cert" => cert = val(),
            "--key" => key = val(),
            "--ca" => ca = val(),
            "--tls" => tls = val(),
            "--keylog" => keylog = Some(val()),
            "--optional" => optional = true,
            _ => die(format!("unknown argument {a}")),
        }
    }
    log::set_logger(&LOGGER).unwrap();
    log::set_max_level(log::LevelFilter::Debug);

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let versions: &[&rustls::SupportedProtocolVersion] = match tls.as_str() {
        "1.2" => &[&rustls::version::TLS12],
        "1.3" => &[&rustls::version::TLS13],
        _ => die("--tls 1.2|1.3".into()),
    };
    let mut roots = RootCertStore::empty();
    for c in load_certs(&ca) {
        roots.add(c).unwrap_or_else(|e| die(format!("{ca}: {e}")));
    }
    let mut vb = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone());
    if optional {
        vb = vb.allow_unauthenticated();
    }
    let verifier = vb.build().unwrap_or_else(|e| die(format!("client verifier: {e}")));
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .unwrap_or_else(|e| die(format!("versions: {e}")))
        .with_client_cert_verifier(verifier)
        .with_single_cert(load_certs(&cert), load_key(&key))
        .unwrap_or_else(|e| die(format!("server certificate: {e}")));
    if let Some(path) = keylog {
        let f = std::fs::File::create(&path).unwrap_or_else(|e| die(format!("{path}: {e}")));
        config.key_log = Arc::new(FileKeyLog(std::sync::Mutex::new(f)));
    }
    let config = Arc::new(config);

    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap_or_else(|e| die(format!("bind: {e}")));
    println!(
        "listening on 127.0.0.1:{port}: TLS {tls} only, client certificate {} (WebPkiClientVerifier, roots {ca})",
        if optional { "optional" } else { "required" }
    );
    let (mut sock, peer) = listener.accept().unwrap_or_else(|e| die(format!("accept: {e}")));
    println!("accepted TCP connection from {peer}");
    let mut conn = ServerConnection::new(config).unwrap_or_else(|e| die(format!("{e}")));

    while conn.is_handshaking() {
        match conn.complete_io(&mut sock) {
            Ok((0, 0)) if conn.is_handshaking() => {
                println!("error: handshake failed: the client closed the connection");
                return;
            }
            Ok(_) => {}
            Err(e) => {
                // complete_io has already tried to write the alert that describes the error
                match e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
                    Some(te) => println!("error: handshake failed: {te} ({te:?})"),
                    None => println!("error: handshake failed: {e}"),
                }
                let _ = sock.shutdown(Shutdown::Both);
                return;
            }
        }
    }
    let chain = conn.peer_certificates().map(|c| c.to_vec()).unwrap_or_default();
    println!(
        "handshake done: {:?}, {:?}",
        conn.protocol_version().unwrap(),
        conn.negotiated_cipher_suite().unwrap().suite()
    );
    if chain.is_empty() {
        println!("client certificate: none");
    } else {
        let sizes: Vec<String> = chain.iter().map(|c| c.len().to_string()).collect();
        println!(
            "client certificate: verified, chain of {} (DER bytes: {})",
            chain.len(),
            sizes.join(", ")
        );
    }

    // one HTTP request
    let mut req = Vec::new();
    let mut buf = [0u8; 4096];
    while !req.windows(4).any(|w| w == b"\r\n\r\n") {
        let _ = conn.complete_io(&mut sock);
        match conn.reader().read(&mut buf) {
            Ok(0) => break,
            Ok(n) => req.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if let Err(e) = conn.complete_io(&mut sock) {
                    println!("error: reading the request: {e}");
                    return;
                }
            }
            Err(e) => {
                println!("error: reading the request: {e}");
                return;
            }
        }
    }
    let text = String::from_utf8_lossy(&req);
    println!("request: {}", text.lines().next().unwrap_or(""));
    let body = if chain.is_empty() {
        "hello, no client certificate\n".to_string()
    } else {
        format!("hello, client certificate verified ({} certificates)\n", chain.len())
    };
    let resp = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        body.len(),
        body
    );
    conn.writer().write_all(resp.as_bytes()).unwrap();
    println!("response: HTTP/1.1 200 OK");
    conn.send_close_notify();
    while conn.wants_write() {
        if conn.write_tls(&mut sock).is_err() {
            break;
        }
    }
    let _ = sock.flush();
    // wait for the client's close (or its close_notify) before closing our side
    let _ = sock.set_read_timeout(Some(std::time::Duration::from_secs(3)));
    let _ = conn.complete_io(&mut sock);
    let _ = sock.shutdown(Shutdown::Both);
    println!("closed");
}
