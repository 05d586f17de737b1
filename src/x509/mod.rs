//! X.509 inspection: what a server looks at in a client certificate.
//!
//! x509-parser does the DER; this module turns a certificate into the facts
//! the diagnosis reasons about (names, validity, EKU, KU, basic constraints,
//! key) and compares distinguished names the way RFC 5280 §7.1 asks, which
//! x509-parser's derived equality does not: PrintableString and UTF8String
//! spellings of the same name, or different case and spacing, are the same
//! name to a server.

use serde::Serialize;
use x509_parser::prelude::*;

pub mod memo;
pub mod path;
pub mod verify;

pub const OID_CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";
pub const OID_SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";
pub const OID_ANY_EKU: &str = "2.5.29.37.0";

/// The facts of one certificate.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    #[serde(skip)]
    pub subject_der: Vec<u8>,
    #[serde(skip)]
    pub issuer_der: Vec<u8>,
    pub serial: String,
    /// ISO 8601, UTC.
    pub not_before: String,
    pub not_after: String,
    #[serde(skip)]
    pub not_before_unix: i64,
    #[serde(skip)]
    pub not_after_unix: i64,
    /// Extended Key Usage purposes by name (`clientAuth`, `serverAuth`,
    /// `anyExtendedKeyUsage`, …, or the OID); `None` when the extension is
    /// absent (which allows every purpose).
    pub eku: Option<Vec<String>>,
    /// Key Usage bits by name; `None` when absent.
    pub key_usage: Option<Vec<String>>,
    /// Basic Constraints: `Some(true)` for a CA.
    pub ca: Option<bool>,
    pub path_len: Option<u32>,
    pub san: Vec<String>,
    /// `RSA 2048`, `EC P-256`, `Ed25519`, …
    pub key: String,
    pub signature_algorithm: String,
    pub sha256: String,
    #[serde(skip)]
    pub subject_key_id: Option<Vec<u8>>,
    #[serde(skip)]
    pub authority_key_id: Option<Vec<u8>>,
    pub self_issued: bool,
}

/// Why a certificate could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertError(pub String);

impl std::fmt::Display for CertError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl CertInfo {
    /// Reads a DER certificate.
    /// Shared: the same certificates come back on every connection, and
    /// their facts are handed around (diagnosis, report) without copies.
    pub fn from_der(der: &[u8]) -> Result<std::sync::Arc<CertInfo>, CertError> {
        static PARSED: memo::DerMemo<Result<std::sync::Arc<CertInfo>, CertError>> =
            memo::DerMemo::new(1024);
        PARSED.get_or(der, &[], || {
            CertInfo::parse(der, &memo::digest(der)).map(std::sync::Arc::new)
        })
    }

    fn parse(der: &[u8], sha256: &[u8; 32]) -> Result<CertInfo, CertError> {
        let (rest, cert) = X509Certificate::from_der(der)
            .map_err(|e| CertError(format!("not a valid X.509 certificate: {e}")))?;
        if !rest.is_empty() {
            return Err(CertError(format!(
                "{} bytes follow the certificate",
                rest.len()
            )));
        }
        let tbs = &cert.tbs_certificate;
        let eku = match cert.extended_key_usage() {
            Ok(Some(e)) => {
                let e = e.value;
                let mut v = Vec::new();
                if e.any {
                    v.push("anyExtendedKeyUsage".to_string());
                }
                if e.server_auth {
                    v.push("serverAuth".to_string());
                }
                if e.client_auth {
                    v.push("clientAuth".to_string());
                }
                if e.code_signing {
                    v.push("codeSigning".to_string());
                }
                if e.email_protection {
                    v.push("emailProtection".to_string());
                }
                if e.time_stamping {
                    v.push("timeStamping".to_string());
                }
                if e.ocsp_signing {
                    v.push("OCSPSigning".to_string());
                }
                v.extend(e.other.iter().map(|o| o.to_id_string()));
                Some(v)
            }
            Ok(None) => None,
            Err(_) => Some(vec!["(malformed)".to_string()]),
        };
        let key_usage = match cert.key_usage() {
            Ok(Some(ku)) => {
                let k = ku.value;
                let bits = [
                    (k.digital_signature(), "digitalSignature"),
                    (k.non_repudiation(), "nonRepudiation"),
                    (k.key_encipherment(), "keyEncipherment"),
                    (k.data_encipherment(), "dataEncipherment"),
                    (k.key_agreement(), "keyAgreement"),
                    (k.key_cert_sign(), "keyCertSign"),
                    (k.crl_sign(), "cRLSign"),
                    (k.encipher_only(), "encipherOnly"),
                    (k.decipher_only(), "decipherOnly"),
                ];
                Some(
                    bits.iter()
                        .filter(|(on, _)| *on)
                        .map(|(_, n)| n.to_string())
                        .collect(),
                )
            }
            Ok(None) => None,
            Err(_) => Some(vec!["(malformed)".to_string()]),
        };
        let (ca, path_len) = match cert.basic_constraints() {
            Ok(Some(bc)) => (Some(bc.value.ca), bc.value.path_len_constraint),
            _ => (None, None),
        };
        let san = match cert.subject_alternative_name() {
            Ok(Some(s)) => s
                .value
                .general_names
                .iter()
                .map(|g| match g {
                    GeneralName::DNSName(d) => format!("DNS:{d}"),
                    GeneralName::RFC822Name(m) => format!("email:{m}"),
                    GeneralName::URI(u) => format!("URI:{u}"),
                    GeneralName::IPAddress(ip) => format!("IP:{}", ip_string(ip)),
                    other => format!("{other}"),
                })
                .collect(),
            _ => Vec::new(),
        };
        let mut ski = None;
        let mut aki = None;
        for ext in cert.extensions() {
            match ext.parsed_extension() {
                ParsedExtension::SubjectKeyIdentifier(k) => ski = Some(k.0.to_vec()),
                ParsedExtension::AuthorityKeyIdentifier(a) => {
                    aki = a.key_identifier.as_ref().map(|k| k.0.to_vec())
                }
                _ => {}
            }
        }
        let not_before_unix = tbs.validity.not_before.timestamp();
        let not_after_unix = tbs.validity.not_after.timestamp();
        Ok(CertInfo {
            subject: name_string(tbs.subject()),
            issuer: name_string(tbs.issuer()),
            subject_der: tbs.subject().as_raw().to_vec(),
            issuer_der: tbs.issuer().as_raw().to_vec(),
            serial: hex(tbs.raw_serial()),
            not_before: iso8601(not_before_unix),
            not_after: iso8601(not_after_unix),
            not_before_unix,
            not_after_unix,
            eku,
            key_usage,
            ca,
            path_len,
            san,
            key: key_description(cert.public_key()),
            signature_algorithm: sig_alg_name(&cert.signature_algorithm.algorithm.to_id_string()),
            sha256: hex(sha256),
            subject_key_id: ski,
            authority_key_id: aki,
            self_issued: names_match(tbs.subject().as_raw(), tbs.issuer().as_raw()),
        })
    }

    /// Whether EKU allows TLS client authentication: absent, or listing
    /// clientAuth or anyExtendedKeyUsage (RFC 5280 §4.2.1.12).
    pub fn eku_allows_client_auth(&self) -> bool {
        match &self.eku {
            None => true,
            Some(v) => v
                .iter()
                .any(|p| p == "clientAuth" || p == "anyExtendedKeyUsage"),
        }
    }

    pub fn eku_allows_server_auth(&self) -> bool {
        match &self.eku {
            None => true,
            Some(v) => v
                .iter()
                .any(|p| p == "serverAuth" || p == "anyExtendedKeyUsage"),
        }
    }

    /// Whether KU allows signing (absent KU allows everything).
    pub fn ku_allows_signature(&self) -> bool {
        match &self.key_usage {
            None => true,
            Some(v) => v.iter().any(|k| k == "digitalSignature"),
        }
    }

    /// Valid at `unix` seconds?
    pub fn valid_at(&self, unix: i64) -> bool {
        self.not_before_unix <= unix && unix <= self.not_after_unix
    }

    pub fn is_ca(&self) -> bool {
        self.ca == Some(true)
    }
}

fn ip_string(b: &[u8]) -> String {
    match b.len() {
        4 => std::net::Ipv4Addr::new(b[0], b[1], b[2], b[3]).to_string(),
        16 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(b);
            std::net::Ipv6Addr::from(a).to_string()
        }
        _ => hex(b),
    }
}

fn sig_alg_name(oid: &str) -> String {
    match oid {
        "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.113549.1.1.10" => "rsassaPss",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.2.840.10045.4.1" => "ecdsa-with-SHA1",
        "1.3.101.112" => "Ed25519",
        "1.3.101.113" => "Ed448",
        "1.2.840.10040.4.3" => "dsa-with-SHA1",
        "2.16.840.1.101.3.4.3.2" => "dsa-with-SHA256",
        other => return other.to_string(),
    }
    .to_string()
}

fn key_description(spki: &SubjectPublicKeyInfo<'_>) -> String {
    let alg = spki.algorithm.algorithm.to_id_string();
    match alg.as_str() {
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => {
            let bits = match spki.parsed() {
                Ok(x509_parser::public_key::PublicKey::RSA(r)) => r.key_size(),
                _ => 0,
            };
            let kind = if alg.ends_with(".10") {
                "RSA-PSS"
            } else {
                "RSA"
            };
            format!("{kind} {bits}")
        }
        "1.2.840.10045.2.1" => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| o.to_id_string());
            let curve = match curve.as_deref() {
                Some("1.2.840.10045.3.1.7") => "P-256".to_string(),
                Some("1.3.132.0.34") => "P-384".to_string(),
                Some("1.3.132.0.35") => "P-521".to_string(),
                Some("1.3.132.0.10") => "secp256k1".to_string(),
                Some(o) => o.to_string(),
                None => "unknown curve".to_string(),
            };
            format!("EC {curve}")
        }
        "1.3.101.112" => "Ed25519".to_string(),
        "1.3.101.113" => "Ed448".to_string(),
        "1.2.840.10040.4.1" => {
            let bits = spki.parsed().map(|k| k.key_size()).unwrap_or(0);
            format!("DSA {bits}")
        }
        other => format!("key {other}"),
    }
}

/// `CN=…, O=…` in the order of the certificate (RFC 4514 order reversed
/// would surprise people who read openssl's output).
pub fn name_string(name: &X509Name<'_>) -> String {
    let s = name.to_string();
    if s.is_empty() {
        "(empty name)".to_string()
    } else {
        s
    }
}

/// Renders a DER DistinguishedName (as listed in a CertificateRequest).
pub fn dn_string(der: &[u8]) -> String {
    match X509Name::from_der(der) {
        Ok(([], name)) => name_string(&name),
        _ => format!("(unreadable name: {} bytes)", der.len()),
    }
}

/// A name in comparable form: per RDN, its attributes sorted.
type NormalizedName = Vec<Vec<(String, String)>>;

/// One attribute of a name in comparable form: type OID and the value
/// case-folded with runs of spaces collapsed (RFC 5280 §7.1, RFC 4518).
fn normalized_attributes(der: &[u8]) -> Option<NormalizedName> {
    let (rest, name) = X509Name::from_der(der).ok()?;
    if !rest.is_empty() {
        return None;
    }
    let rdns: Vec<Vec<(String, String)>> = name
        .iter_rdn()
        .map(|rdn| {
            let mut attrs: Vec<(String, String)> = rdn
                .iter()
                .map(|a| {
                    let value = match a.as_str() {
                        Ok(s) => s
                            .split_whitespace()
                            .collect::<Vec<_>>()
                            .join(" ")
                            .to_lowercase(),
                        Err(_) => hex(a.attr_value().data),
                    };
                    (a.attr_type().to_id_string(), value)
                })
                .collect();
            attrs.sort();
            attrs
        })
        .collect();
    // x509-parser silently stops at a corrupt RDN; a name that parsed to
    // fewer RDNs than its DER holds must not be trusted for comparison.
    if rdns.len() != count_rdns(der)? {
        return None;
    }
    Some(rdns)
}

/// The number of RDN elements in a DER Name (a SEQUENCE of SETs).
fn count_rdns(der: &[u8]) -> Option<usize> {
    let (_, obj) = x509_parser::der_parser::der::parse_der(der).ok()?;
    match obj.content {
        x509_parser::der_parser::ber::BerObjectContent::Sequence(items) => Some(items.len()),
        _ => None,
    }
}

/// Do two DER names denote the same entity? Raw equality first, then the
/// RFC 5280 §7.1 comparison (string type, case and spacing do not matter).
pub fn names_match(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return true;
    }
    // The same few names (CA lists, issuers) are compared on every
    // connection: their comparable forms are remembered.
    static NORMALIZED: memo::DerMemo<Option<std::sync::Arc<NormalizedName>>> =
        memo::DerMemo::new(1024);
    let norm = |der: &[u8]| {
        NORMALIZED.get_or(der, &[], || {
            normalized_attributes(der).map(std::sync::Arc::new)
        })
    };
    match (norm(a), norm(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

pub fn hex(b: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        let _ = write!(s, "{x:02x}");
    }
    s
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (proleptic Gregorian).
pub fn iso8601(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Parses `--at`: Unix seconds, or `YYYY-MM-DD[THH:MM[:SS]][Z]` in UTC.
pub fn parse_time(text: &str) -> Option<i64> {
    if let Ok(n) = text.parse::<i64>() {
        return Some(n);
    }
    let t = text.trim_end_matches('Z');
    let (date, time) = t.split_once(['T', ' ']).unwrap_or((t, "00:00:00"));
    let mut d = date.split('-').map(|x| x.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    if d.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    let mut tm = time.split(':').map(|x| x.parse::<i64>().ok());
    let (hh, mm, ss) = (
        tm.next()??,
        tm.next().unwrap_or(Some(0))?,
        tm.next().unwrap_or(Some(0))?,
    );
    if !(0..24).contains(&hh) || !(0..60).contains(&mm) || !(0..61).contains(&ss) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

#[cfg(test)]
mod tests;
