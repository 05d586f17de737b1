//! Which TLS stack each side runs, read from the handshake itself, so that
//! its alerts can be read the way it means them: Go sends bad_certificate
//! for every client-certificate problem, Java certificate_unknown for
//! every trust failure, Node's https server closes without an alert.
//!
//! The strongest sign is the list of signature algorithms a stack offers
//! (the client in its ClientHello, the server in its CertificateRequest):
//! each library builds it in its own order. The ServerHello's extension
//! order, the way TLS 1.3 records are packed and padded, and which
//! extensions a server acknowledges add to it. Every sign was measured on
//! the captures in `captures/` (see the README's stack table).

use super::Context;
use crate::tls::messages::{ClientHello, HandshakeMessage};
use crate::tls::stream::{AppMarker, Side};
use crate::tls::traffic::SealedSizes;
use serde::Serialize;

/// The TLS library behind one side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Library {
    #[serde(rename = "OpenSSL")]
    OpenSsl,
    #[serde(rename = "Go crypto/tls")]
    Go,
    #[serde(rename = "Java JSSE")]
    Jsse,
    #[serde(rename = "GnuTLS")]
    GnuTls,
    #[serde(rename = "rustls")]
    Rustls,
    #[serde(rename = "tlslite-ng")]
    TlsLite,
}

impl Library {
    pub fn name(self) -> &'static str {
        match self {
            Library::OpenSsl => "OpenSSL",
            Library::Go => "Go crypto/tls",
            Library::Jsse => "Java JSSE",
            Library::GnuTls => "GnuTLS",
            Library::Rustls => "rustls",
            Library::TlsLite => "tlslite-ng",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

/// One side's stack, as far as the handshake shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stack {
    pub library: Library,
    /// Programs built on it that fit what was seen, most likely first
    /// (empty when nothing narrows it down).
    pub products: Vec<&'static str>,
    pub confidence: Confidence,
    /// The signs it rests on.
    pub evidence: Vec<String>,
}

impl Stack {
    /// "Go crypto/tls", or "OpenSSL (nginx or Apache httpd)".
    pub fn label(&self) -> String {
        match self.products.as_slice() {
            [] => self.library.name().to_string(),
            [one] => format!("{} ({one})", self.library.name()),
            many => format!("{} ({})", self.library.name(), many.join(" or ")),
        }
    }
}

/// Each library's signature_algorithms, in its own order (the start of
/// the list suffices; TLS 1.2 lists go on with older schemes). Measured:
/// OpenSSL 3.0 (s_client, curl, nginx, Apache, haproxy, stunnel, Node,
/// Python), Go 1.19, JSSE 17, GnuTLS 3.7, rustls 0.23, tlslite-ng 0.8.
const SIGNATURE_ALGORITHMS: &[(Library, &[u16])] = &[
    (
        Library::OpenSsl,
        &[
            0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0809, 0x080a, 0x080b, 0x0804, 0x0805,
        ],
    ),
    (
        Library::Go,
        &[
            0x0804, 0x0403, 0x0807, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601,
        ],
    ),
    (
        Library::Jsse,
        &[
            0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a,
        ],
    ),
    (
        Library::GnuTls,
        &[0x0401, 0x0809, 0x0804, 0x0403, 0x0807, 0x0501, 0x080a],
    ),
    (
        Library::Rustls,
        &[0x0503, 0x0403, 0x0807, 0x0806, 0x0805, 0x0804, 0x0601],
    ),
    (Library::TlsLite, &[0x0807, 0x0808, 0x0603, 0x0503, 0x0403]),
    // tlslite-ng's TLS 1.3 server lists the brainpool PSS schemes early.
    (Library::TlsLite, &[0x0807, 0x0808, 0x081c, 0x081b, 0x081a]),
];

/// TLS 1.2 ServerHello extension orders (acknowledgements of server_name,
/// status_request, ALPN, SCT and session_ticket come and go with the client
/// and the configuration; the order of the rest is the library's):
/// OpenSSL renegotiation_info, ec_point_formats, [encrypt_then_mac,]
/// extended_master_secret; Go 1.19 renegotiation_info, ec_point_formats
/// and no extended_master_secret although offered; JSSE
/// extended_master_secret first; GnuTLS ec_point_formats first; rustls
/// renegotiation_info, extended_master_secret without ec_point_formats.
fn tls12_server_hello_order(exts: &[u16], client_offered_ems: bool) -> Option<Library> {
    let core: Vec<u16> = exts
        .iter()
        .copied()
        .filter(|e| !matches!(e, 0 | 5 | 16 | 18 | 35))
        .collect();
    match core.as_slice() {
        [0xff01, 11, 23, ..] | [0xff01, 11, 22, 23, ..] => Some(Library::OpenSsl),
        [0xff01, 11] if client_offered_ems => Some(Library::Go),
        [23, 0xff01, ..] => Some(Library::Jsse),
        [11, 23, ..] => Some(Library::GnuTls),
        [0xff01, 23] => Some(Library::Rustls),
        _ => None,
    }
}

fn by_signature_algorithms(list: &[u16]) -> Option<Library> {
    SIGNATURE_ALGORITHMS
        .iter()
        .filter(|(_, p)| list.starts_with(p))
        .max_by_key(|(_, p)| p.len())
        .map(|(l, _)| *l)
}

fn sigalg_evidence(what: &str, list: &[u16]) -> String {
    // Written by hand: it runs for both sides of every connection, and six
    // `format!`s and a join took about 2,700 instructions.
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(what.len() + 80);
    out.push_str(what);
    out.push_str(" signature algorithms in this library's order (");
    for (i, scheme) in list.iter().take(5).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        for shift in [12, 8, 4, 0] {
            out.push(char::from(DIGITS[usize::from((scheme >> shift) & 0xf)]));
        }
    }
    out.push_str(", …)");
    out
}

/// The client's stack, from its ClientHello.
pub fn client_stack(ctx: &Context<'_>) -> Option<Stack> {
    let ch = ctx.hs.client_hello(Some(Side::Client))?;
    let library = by_signature_algorithms(&ch.value.signature_algorithms)?;
    let mut evidence = vec![sigalg_evidence(
        "ClientHello",
        &ch.value.signature_algorithms,
    )];
    let products = client_products(library, ch.value, &mut evidence);
    Some(Stack {
        library,
        products,
        confidence: Confidence::High,
        evidence,
    })
}

fn client_products(
    library: Library,
    ch: &ClientHello,
    evidence: &mut Vec<String>,
) -> Vec<&'static str> {
    match library {
        Library::OpenSsl if !ch.alpn.is_empty() && ch.post_handshake_auth => {
            evidence.push(format!(
                "ALPN {} and post_handshake_auth offered, as curl does",
                ch.alpn.join(",")
            ));
            vec!["curl"]
        }
        Library::GnuTls => vec!["gnutls-cli or a GnuTLS program"],
        _ => Vec::new(),
    }
}

/// The server's stack, from its CertificateRequest when it is readable,
/// else its ServerHello and how its records look.
pub fn server_stack(ctx: &Context<'_>) -> Option<Stack> {
    let sh = ctx.hs.server_hello()?;
    let exts: Vec<u16> = sh.value.extensions.iter().map(|e| e.ext_type).collect();
    let mut evidence = Vec::new();
    let mut confidence = Confidence::High;
    let from_request = ctx.request.and_then(|cr| {
        let list = cr.value.signature_algorithms();
        by_signature_algorithms(list).map(|l| (l, list))
    });
    let library = if let Some((l, list)) = from_request {
        evidence.push(sigalg_evidence("CertificateRequest", list));
        l
    } else if ctx.hs.is_tls13() {
        confidence = Confidence::Medium;
        tls13_server_without_request(ctx, &exts, &mut evidence)?
    } else if ctx.hs.resumption().is_some() {
        // An abbreviated handshake's ServerHello drops the key-exchange
        // extensions, and with them the order that tells libraries apart.
        return None;
    } else {
        confidence = Confidence::Medium;
        let order: Vec<String> = exts.iter().map(|e| e.to_string()).collect();
        let ems = ctx
            .hs
            .client_hello(Some(Side::Client))
            .is_some_and(|c| c.value.extended_master_secret);
        let l = tls12_server_hello_order(&exts, ems)?;
        evidence.push(format!(
            "ServerHello extension order {}, as {} answers",
            order.join(","),
            l.name()
        ));
        l
    };
    let products = server_products(ctx, library, &mut evidence);
    Some(Stack {
        library,
        products,
        confidence,
        evidence,
    })
}

/// TLS 1.3 without a readable CertificateRequest: the ServerHello's
/// extension order, and the records.
fn tls13_server_without_request(
    ctx: &Context<'_>,
    exts: &[u16],
    evidence: &mut Vec<String>,
) -> Option<Library> {
    let order: Vec<u16> = exts.iter().copied().filter(|e| *e != 41).collect();
    let sizes = SealedSizes::for_tls13_suite(ctx.hs.cipher_suite()?)?;
    let log = &ctx.facts.tls.records;
    let flight: Vec<u32> = log
        .after_server_hello()?
        .iter()
        .take_while(|r| r.from == Side::Server)
        .filter(|r| r.sealed)
        .map(|r| r.length)
        .collect();
    match order.as_slice() {
        // GnuTLS and rustls put key_share first; rustls packs its whole
        // flight into one record.
        [51, 43] => {
            if flight.len() == 1 {
                evidence.push("ServerHello key_share before supported_versions, and the whole encrypted flight in one record, as rustls sends it (tlslite-ng looks the same)".into());
                Some(Library::Rustls)
            } else {
                evidence.push("ServerHello key_share before supported_versions, one record per message, as GnuTLS sends it".into());
                Some(Library::GnuTls)
            }
        }
        [43, 51] => {
            let finished = flight.last().map(|l| *l as usize);
            if finished == Some(sizes.padded(16).finished()) {
                evidence.push(
                    "every record padded by 16 bytes (Finished of 16 bytes more than its content), as Java's JSSE does"
                        .into(),
                );
                return Some(Library::Jsse);
            }
            // Go picks its own suite order (AES-128-GCM first) over the
            // client's; OpenSSL follows the client's.
            let client_first = ctx.hs.client_hello(Some(Side::Client)).and_then(|c| {
                c.value
                    .cipher_suites
                    .iter()
                    .copied()
                    .find(|s| (0x1301..=0x1305).contains(s))
            });
            let chosen = ctx.hs.cipher_suite()?;
            if client_first.is_some_and(|f| f != chosen) && chosen == 0x1301 {
                evidence.push(
                    "chose TLS_AES_128_GCM_SHA256 over the client's first choice, as Go does"
                        .into(),
                );
                Some(Library::Go)
            } else if finished == Some(sizes.finished()) {
                evidence.push("ServerHello supported_versions before key_share, one unpadded record per message, the client's cipher choice followed, as OpenSSL does".into());
                Some(Library::OpenSsl)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Programs on the library that fit what the server acknowledged and how
/// it refused.
fn server_products(
    ctx: &Context<'_>,
    library: Library,
    evidence: &mut Vec<String>,
) -> Vec<&'static str> {
    match library {
        Library::OpenSsl => openssl_server_products(ctx, evidence),
        Library::Go => vec!["a Go program (net/http)"],
        Library::Jsse => vec!["a Java program"],
        Library::GnuTls => vec!["gnutls-serv or a GnuTLS program"],
        Library::Rustls => vec!["a rustls program"],
        Library::TlsLite => Vec::new(),
    }
}

fn openssl_server_products(ctx: &Context<'_>, evidence: &mut Vec<String>) -> Vec<&'static str> {
    let marker = ctx.facts.tls.app_marker(Side::Server);
    if matches!(
        marker,
        Some(AppMarker::NginxNoCertificate | AppMarker::NginxCertificateError)
    ) {
        evidence.push("refused with nginx's 400 page".into());
        return vec!["nginx"];
    }
    // Node's https server closes without an alert on a certificate it
    // does not trust (measured on Node 20).
    if ctx.inferred.as_ref().is_some_and(|i| {
        i.findings
            .first()
            .is_some_and(|f| f.code == "server-closed-silently")
    }) {
        evidence.push(
            "closed without an alert after the client's certificate, as Node's https server does"
                .into(),
        );
        return vec!["Node.js"];
    }
    // Which extensions it acknowledged: server_name and ALPN are each
    // answered by some OpenSSL servers and not others (with curl offering
    // both): nginx and Apache both, haproxy and stunnel server_name only,
    // Node ALPN only, s_server and Python neither.
    let sh_exts = ctx
        .hs
        .server_hello()
        .map(|s| {
            s.value
                .extensions
                .iter()
                .map(|e| e.ext_type)
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let ee = ctx
        .facts
        .tls
        .handshakes
        .iter()
        .find_map(|h| match &h.message {
            Ok(HandshakeMessage::EncryptedExtensions(e)) => Some(e),
            _ => None,
        });
    let acks = if ctx.hs.is_tls13() {
        match ee {
            Some(e) => Some((e.server_name_ack, e.alpn.is_some())),
            None => ee_acks_from_size(ctx),
        }
    } else {
        Some((sh_exts.contains(&0), sh_exts.contains(&16)))
    };
    let client = ctx.hs.client_hello(Some(Side::Client));
    let offered_sni = client.is_some_and(|c| c.value.server_name.is_some());
    let offered_alpn = client.is_some_and(|c| !c.value.alpn.is_empty());
    let Some((sni, alpn)) = acks else {
        return Vec::new();
    };
    if !offered_sni || !offered_alpn {
        return Vec::new();
    }
    let (products, what): (Vec<&'static str>, &str) = match (sni, alpn) {
        (true, true) => (vec!["nginx", "Apache httpd"], "server_name and ALPN"),
        (true, false) => (vec!["haproxy", "stunnel"], "server_name but not ALPN"),
        (false, true) => (vec!["Node.js"], "ALPN but not server_name"),
        (false, false) => (
            vec!["openssl s_server", "Python ssl"],
            "neither server_name nor ALPN",
        ),
    };
    evidence.push(format!("acknowledged {what}"));
    products
}

/// TLS 1.3 without keys: what EncryptedExtensions acknowledged, from its
/// record's size (the first sealed server record, 6 bytes of message and
/// extension-list header plus 4 for a server_name acknowledgement and
/// 7 + the protocol's length for ALPN).
fn ee_acks_from_size(ctx: &Context<'_>) -> Option<(bool, bool)> {
    let sizes = SealedSizes::for_tls13_suite(ctx.hs.cipher_suite()?)?;
    let log = &ctx.facts.tls.records;
    let ee = log
        .after_server_hello()?
        .iter()
        .find(|r| r.from == Side::Server && r.sealed)?;
    let content = (ee.length as usize).checked_sub(sizes.record(6))?;
    let ch = ctx.hs.client_hello(Some(Side::Client))?;
    if content == 0 {
        return Some((false, false));
    }
    if content == 4 {
        return Some((true, false));
    }
    for p in &ch.value.alpn {
        let alpn = 7 + p.len();
        if content == alpn {
            return Some((false, true));
        }
        if content == 4 + alpn {
            return Some((true, true));
        }
    }
    None
}

/// What the server's alert means coming from this stack, when the stack
/// reads it differently from the RFC (measured on `captures/`).
pub fn alert_meaning(library: Library, code: u8) -> Option<&'static str> {
    Some(match (library, code) {
        (Library::Go, 42) => "Go crypto/tls sends bad_certificate(42) for every client-certificate problem (unknown authority, expiry, wrong EKU, and a missing certificate, in TLS 1.3 too)",
        (Library::Jsse, 46) => "Java's JSSE sends certificate_unknown(46) for every trust-manager failure (unknown issuer, expiry, EKU); the reason is only in its -Djavax.net.debug log",
        (Library::Jsse, 42) => "Java's JSSE sends bad_certificate(42) when the client sent no certificate (\"Empty client certificate chain\")",
        (Library::GnuTls, 49) => "GnuTLS sends access_denied(49) for a certificate that fails verification (unknown issuer, expiry)",
        (Library::GnuTls, 50) => "GnuTLS sends decode_error(50) in TLS 1.2 for an empty client Certificate when one is required",
        (Library::Rustls, 116) => "rustls sends certificate_required(116) for a missing certificate in TLS 1.2 as well as 1.3",
        (Library::Rustls, 49) => "rustls sends access_denied(49) when its application-level verifier refused the certificate after the chain checked out",
        (Library::OpenSsl, 40) => "OpenSSL sends handshake_failure(40) in TLS 1.2 for a missing certificate (and when an application verify callback refused)",
        (Library::OpenSsl, 42) => "OpenSSL sends bad_certificate(42) for a certificate not yet valid",
        _ => return None,
    })
}

/// The server software behind a refusal above TLS, for its fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AboveTls {
    Nginx,
    Haproxy,
    Node,
    Apache,
    /// nginx or Apache httpd: the handshake does not tell them apart.
    NginxOrApache,
    Iis,
    Unknown,
}

fn above_tls_server(stack: Option<&Stack>, marker: &AppMarker) -> AboveTls {
    match marker {
        AppMarker::NginxNoCertificate | AppMarker::NginxCertificateError => return AboveTls::Nginx,
        AppMarker::IisForbidden(_) => return AboveTls::Iis,
        // nginx's own status codes for a client certificate error (495)
        // and a missing one (496).
        AppMarker::HttpError(code) if matches!(code.as_str(), "495" | "496") => {
            return AboveTls::Nginx
        }
        AppMarker::HttpError(_) => {}
    }
    let products = stack.map_or(&[][..], |s| s.products.as_slice());
    let has = |p: &str| products.contains(&p);
    if has("haproxy") {
        AboveTls::Haproxy
    } else if has("Node.js") {
        AboveTls::Node
    } else if has("nginx") && has("Apache httpd") {
        AboveTls::NginxOrApache
    } else if has("nginx") {
        AboveTls::Nginx
    } else if has("Apache httpd") {
        AboveTls::Apache
    } else {
        AboveTls::Unknown
    }
}

const NGINX_ABOVE_TLS: &str = "nginx: with `ssl_verify_client on` (or `optional`, the application then checking `$ssl_client_verify`) the handshake always completes and the refusal is an HTTP answer; read the error log for the verify result (\"client SSL certificate verify error\"). Give the client a valid certificate from the CA in `ssl_client_certificate`.";

const APACHE_ABOVE_TLS: &str = "Apache httpd: with `SSLVerifyClient optional` (or `optional_no_ca`) the handshake completes and a `Require` (`Require expr %{SSL_CLIENT_VERIFY} == 'SUCCESS'`) or `SSLRequire` rule refuses the request; read the error log (`LogLevel ssl:info`) for the verify result, and give the client a valid certificate from the CA in `SSLCACertificateFile`.";

/// What to check when a server completed the handshake and then refused
/// the client in its application (an HTTP error): how the server's stack
/// does this and where it says why. nginx, haproxy, Node.js, Apache httpd
/// and IIS each defer the check their own way; unknown, a generic text.
pub fn refused_above_tls_fix(stack: Option<&Stack>, marker: &AppMarker) -> String {
    match above_tls_server(stack, marker) {
        AboveTls::Nginx => NGINX_ABOVE_TLS.to_string(),
        AboveTls::Apache => APACHE_ABOVE_TLS.to_string(),
        AboveTls::NginxOrApache => format!("{NGINX_ABOVE_TLS} {APACHE_ABOVE_TLS}"),
        AboveTls::Haproxy => "haproxy: with `verify optional` on the `bind` line (and `ca-ignore-err`/`crt-ignore-err`) the handshake completes whatever the certificate, and a rule such as `http-request deny if !{ ssl_c_used } || !{ ssl_c_verify 0 }` refuses the request. Log `ssl_c_used`, `ssl_c_verify` (the OpenSSL verify code: 10 expired, 20 unknown issuer), `ssl_c_ca_err` and `ssl_c_err` in a `log-format` to see why, and give the client a valid certificate from the CA in `ca-file`.".to_string(),
        AboveTls::Node => "Node.js: with `requestCert: true, rejectUnauthorized: false` the handshake completes whatever the certificate, and the application refuses when `req.socket.authorized` (`req.client.authorized`) is false; log `req.socket.authorizationError` (e.g. CERT_HAS_EXPIRED, UNABLE_TO_VERIFY_LEAF_SIGNATURE) and `req.socket.getPeerCertificate()` to see why, and give the client a valid certificate from a CA in the server's `ca` option.".to_string(),
        AboveTls::Iis => "IIS: the substatus says why (403.7: no client certificate, 403.13: revoked, 403.16: not trusted or invalid, 403.17: expired or not yet valid); check the issuing CA is in the server's Trusted Root store and that the client sends a valid certificate from it.".to_string(),
        AboveTls::Unknown => "The server completed the handshake and refused in its application, which checks the client certificate itself (a verify-optional TLS setting with a rule on the verify result); read the server's or application's log for the verification result, and give the client a valid certificate from the CA the server trusts.".to_string(),
    }
}

#[cfg(test)]
mod tests;
