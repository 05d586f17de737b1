//! JA3 and JA4 fingerprints of a ClientHello.
//!
//! - **JA3** (Salesforce): `SSLVersion,Ciphers,Extensions,EllipticCurves,
//!   EllipticCurvePointFormats`, decimal values joined with `-`, GREASE
//!   removed from the cipher, extension and curve lists, then MD5. Same as
//!   tshark's `tls.handshake.ja3_full` / `tls.handshake.ja3`: the version is
//!   the ClientHello `legacy_version`, the padding extension is kept, and a
//!   hello without extensions gives empty trailing fields (`769,4-5,,,`).
//! - **JA4** (FoxIO, the BSD-3-Clause TLS client fingerprint only; the other
//!   JA4+ methods are under the FoxIO licence and are deliberately not
//!   here), per `technical_details/JA4.md` of FoxIO-LLC/ja4, including the
//!   later rule that GREASE is also dropped from the signature algorithms.
//!
//! Both work on the decoded [`ClientHello`]: `extensions` (types in wire
//! order), `cipher_suites`, `supported_groups`, `ec_point_formats`,
//! `supported_versions`, `signature_algorithms` and the ALPN extension.

use md5::Md5;
use sha2::{Digest, Sha256};

use crate::tls::messages::ClientHello;
use crate::tls::names::is_grease;

const EXT_SERVER_NAME: u16 = 0x0000;
const EXT_ALPN: u16 = 0x0010;

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn join<T: ToString>(items: impl Iterator<Item = T>, sep: &str) -> String {
    items.map(|v| v.to_string()).collect::<Vec<_>>().join(sep)
}

fn extension_types(ch: &ClientHello) -> impl Iterator<Item = u16> + '_ {
    ch.extensions.iter().map(|e| e.ext_type)
}

/// The JA3 input string, e.g.
/// `771,4865-4866-4867-49195,0-23-65281-10-11-35-16-5-13-18-51-45-43-27-21,29-23-24,0`.
pub fn ja3_string(ch: &ClientHello) -> String {
    let ciphers = join(ch.cipher_suites.iter().filter(|&&c| !is_grease(c)), "-");
    let exts = join(extension_types(ch).filter(|&e| !is_grease(e)), "-");
    let curves = join(ch.supported_groups.iter().filter(|&&g| !is_grease(g)), "-");
    let formats = join(ch.ec_point_formats.iter(), "-");
    format!("{},{ciphers},{exts},{curves},{formats}", ch.legacy_version)
}

/// JA3 fingerprint: lowercase hex MD5 of [`ja3_string`].
pub fn ja3(ch: &ClientHello) -> String {
    hex(&Md5::digest(ja3_string(ch).as_bytes()))
}

/// The 2-character JA4 version code: the highest non-GREASE value of
/// `supported_versions`, or `legacy_version` when that extension is absent
/// (or holds only GREASE).
fn ja4_version(ch: &ClientHello) -> &'static str {
    let v = ch
        .supported_versions
        .iter()
        .copied()
        .filter(|&v| !is_grease(v))
        .max()
        .unwrap_or(ch.legacy_version);
    match v {
        0x0304 => "13",
        0x0303 => "12",
        0x0302 => "11",
        0x0301 => "10",
        0x0300 => "s3",
        0x0002 | 0x0200 => "s2",
        0x0100 => "s1",
        0xfeff => "d1",
        0xfefd => "d2",
        0xfefc => "d3",
        _ => "00",
    }
}

/// The first protocol name of the ALPN extension, as raw bytes: from the
/// raw extension when it decodes, else from the decoded `alpn` list.
fn first_alpn(ch: &ClientHello) -> Option<&[u8]> {
    if let Some(e) = ch.extensions.iter().find(|e| e.ext_type == EXT_ALPN) {
        // protocol_name_list<2..2^16-1>, then ProtocolName<1..2^8-1>.
        if let Some(&n) = e.data.get(2) {
            if let Some(name) = e.data.get(3..3 + usize::from(n)) {
                return Some(name);
            }
        }
    }
    ch.alpn.first().map(|s| s.as_bytes())
}

/// First and last character of the first ALPN value; `00` when there is
/// none or it is empty; the first and last hex digit of the value when its
/// first or last byte is not ASCII alphanumeric.
fn ja4_alpn(first: Option<&[u8]>) -> String {
    let Some(v) = first else {
        return "00".into();
    };
    match (v.first(), v.last()) {
        (Some(&f), Some(&l)) if f.is_ascii_alphanumeric() && l.is_ascii_alphanumeric() => {
            [char::from(f), char::from(l)].iter().collect()
        }
        (Some(_), Some(_)) => {
            let h = hex(v);
            let mut cs = h.chars();
            match (cs.next(), cs.next_back()) {
                (Some(a), Some(b)) => [a, b].iter().collect(),
                _ => "00".into(),
            }
        }
        _ => "00".into(),
    }
}

/// `sha256(s)` truncated to 12 lowercase hex characters, or
/// `000000000000` for an empty list.
fn hash12(s: &str) -> String {
    if s.is_empty() {
        return "000000000000".into();
    }
    let mut h = hex(&Sha256::digest(s.as_bytes()));
    h.truncate(12);
    h
}

/// The three JA4 parts before hashing: (a, sorted ciphers, sorted
/// extensions + `_` + signature algorithms).
fn ja4_parts(ch: &ClientHello, transport_is_quic: bool) -> (String, String, String) {
    let mut ciphers: Vec<u16> = ch
        .cipher_suites
        .iter()
        .copied()
        .filter(|&c| !is_grease(c))
        .collect();
    let exts: Vec<u16> = extension_types(ch).filter(|&e| !is_grease(e)).collect();
    let sni = if exts.contains(&EXT_SERVER_NAME) {
        'd'
    } else {
        'i'
    };
    let a = format!(
        "{}{}{}{:02}{:02}{}",
        if transport_is_quic { 'q' } else { 't' },
        ja4_version(ch),
        sni,
        ciphers.len().min(99),
        exts.len().min(99),
        ja4_alpn(first_alpn(ch)),
    );

    ciphers.sort_unstable();
    let b = join(ciphers.iter().map(|c| format!("{c:04x}")), ",");

    let mut sorted: Vec<u16> = exts
        .into_iter()
        .filter(|&e| e != EXT_SERVER_NAME && e != EXT_ALPN)
        .collect();
    sorted.sort_unstable();
    let mut c = join(sorted.iter().map(|e| format!("{e:04x}")), ",");
    let sigs = join(
        ch.signature_algorithms
            .iter()
            .filter(|&&s| !is_grease(s))
            .map(|s| format!("{s:04x}")),
        ",",
    );
    // "If there are no signature algorithms in the hello packet, then the
    // string ends without an underscore." With no extensions at all the
    // hash is 000000000000 even if sigalgs were somehow present.
    if !c.is_empty() && !sigs.is_empty() {
        c.push('_');
        c.push_str(&sigs);
    }
    (a, b, c)
}

/// JA4 TLS client fingerprint, e.g. `t13d1516h2_8daaf6152771_e5627efa2ab1`.
///
/// `transport_is_quic` selects the `q` prefix (ClientHello carried in QUIC
/// CRYPTO frames) instead of `t` (TLS over TCP). DTLS (`d`) is not handled:
/// [`ClientHello`] parsing is for TLS only.
pub fn ja4(ch: &ClientHello, transport_is_quic: bool) -> String {
    let (a, b, c) = ja4_parts(ch, transport_is_quic);
    format!("{a}_{}_{}", hash12(&b), hash12(&c))
}

/// JA4_r, the unhashed form of [`ja4`]:
/// `t13d1516h2_002f,0035,…_0005,000a,…_0403,0804,…`.
pub fn ja4_raw(ch: &ClientHello, transport_is_quic: bool) -> String {
    let (a, b, c) = ja4_parts(ch, transport_is_quic);
    format!("{a}_{b}_{c}")
}

#[cfg(test)]
mod tests;
