//! Certificate (TLS 1.2 and TLS 1.3 layouts), CertificateRequest (TLS
//! 1.0-1.2 and TLS 1.3, with the CA names and signature algorithms a
//! server asks for) and CertificateVerify (with or without a signature
//! scheme).

use super::codec::Reader;
use super::extensions::{
    decode_ext, ext_data_offsets, parse_extension_list, read_dn_list, read_u16_vec16, Extension,
};
use super::{ext, has_signature_algorithms, hex, ParseError, ProtocolForm, Result};
use serde::Serialize;

/// One entry of a Certificate message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateEntry {
    /// The certificate (DER X.509 normally; a raw public key or OpenPGP key
    /// if such a certificate type was negotiated).
    #[serde(serialize_with = "hex::bytes")]
    pub der: Vec<u8>,
    /// Per-entry extensions (TLS 1.3 only: `status_request` with an OCSP
    /// response, `signed_certificate_timestamp`); always empty in TLS 1.2.
    pub extensions: Vec<Extension>,
}

/// A Certificate message (RFC 8446 §4.4.2, RFC 5246 §7.4.2/§7.4.6).
///
/// Zero `entries` is how a client says it has no certificate to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Certificate {
    /// `certificate_request_context`: `Some` in TLS 1.3 (empty during the
    /// handshake, non-empty for post-handshake auth), `None` in TLS 1.2.
    #[serde(serialize_with = "hex::opt_bytes")]
    pub request_context: Option<Vec<u8>>,
    /// Leaf first, then the chain as sent.
    pub entries: Vec<CertificateEntry>,
}

impl Certificate {
    /// True when no certificate was sent.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// DER of the first (end-entity) certificate.
    pub fn leaf(&self) -> Option<&[u8]> {
        self.entries.first().map(|e| e.der.as_slice())
    }

    /// Which layout this was parsed with.
    pub fn form(&self) -> ProtocolForm {
        if self.request_context.is_some() {
            ProtocolForm::Tls13
        } else {
            ProtocolForm::Tls12
        }
    }
}

/// TLS 1.0–1.2 CertificateRequest (RFC 5246 §7.4.4, RFC 4346 §7.4.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateRequestTls12 {
    /// `ClientCertificateType` codes (1 rsa_sign, 2 dss_sign, 64 ecdsa_sign, …).
    pub certificate_types: Vec<u8>,
    /// `supported_signature_algorithms`: `Some` in TLS 1.2, `None` in
    /// TLS 1.0/1.1 (the field does not exist there).
    pub supported_signature_algorithms: Option<Vec<u16>>,
    /// Acceptable CA names: DER DistinguishedNames exactly as on the wire.
    /// Empty means "any CA" to most clients.
    #[serde(serialize_with = "hex::list")]
    pub certificate_authorities: Vec<Vec<u8>>,
    /// Wire length in bytes of the DN list (without its 2-byte length
    /// prefix), e.g. for Schannel's 16 KiB issuer-list limit.
    pub ca_list_len: usize,
}

/// TLS 1.3 CertificateRequest (RFC 8446 §4.3.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateRequestTls13 {
    /// `certificate_request_context`, echoed in the client's Certificate
    /// (empty during the handshake).
    #[serde(serialize_with = "hex::bytes")]
    pub request_context: Vec<u8>,
    /// All extensions in wire order.
    pub extensions: Vec<Extension>,
    /// `signature_algorithms` (13); mandatory, empty if missing.
    pub signature_algorithms: Vec<u16>,
    /// `signature_algorithms_cert` (50).
    pub signature_algorithms_cert: Vec<u16>,
    /// `certificate_authorities` (47): DER DistinguishedNames as on the wire.
    #[serde(serialize_with = "hex::list")]
    pub certificate_authorities: Vec<Vec<u8>>,
    /// Wire length of the `authorities` list in extension 47 (without its
    /// 2-byte length prefix); 0 if absent.
    pub ca_list_len: usize,
    /// `oid_filters` (48): (DER OID content bytes, DER extension values).
    #[serde(serialize_with = "hex::pairs")]
    pub oid_filters: Vec<(Vec<u8>, Vec<u8>)>,
}

/// A CertificateRequest in either layout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum CertificateRequest {
    Tls12(CertificateRequestTls12),
    Tls13(CertificateRequestTls13),
}

impl CertificateRequest {
    /// Signature algorithms the server accepts for the client's
    /// CertificateVerify (empty for TLS 1.0/1.1).
    pub fn signature_algorithms(&self) -> &[u16] {
        match self {
            CertificateRequest::Tls12(c) => {
                c.supported_signature_algorithms.as_deref().unwrap_or(&[])
            }
            CertificateRequest::Tls13(c) => &c.signature_algorithms,
        }
    }

    /// Acceptable CA DistinguishedNames (DER, as on the wire).
    pub fn certificate_authorities(&self) -> &[Vec<u8>] {
        match self {
            CertificateRequest::Tls12(c) => &c.certificate_authorities,
            CertificateRequest::Tls13(c) => &c.certificate_authorities,
        }
    }

    /// Wire length of the CA name list.
    pub fn ca_list_len(&self) -> usize {
        match self {
            CertificateRequest::Tls12(c) => c.ca_list_len,
            CertificateRequest::Tls13(c) => c.ca_list_len,
        }
    }

    /// Which layout this was parsed with.
    pub fn form(&self) -> ProtocolForm {
        match self {
            CertificateRequest::Tls12(_) => ProtocolForm::Tls12,
            CertificateRequest::Tls13(_) => ProtocolForm::Tls13,
        }
    }
}

/// CertificateVerify (RFC 8446 §4.4.3, RFC 5246 §7.4.8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateVerify {
    /// Signature scheme (TLS 1.2+: `SignatureAndHashAlgorithm` as a u16);
    /// `None` in SSL 3.0 / TLS 1.0 / 1.1, where the field does not exist.
    pub scheme: Option<u16>,
    /// The signature (DER ECDSA-Sig-Value for ECDSA).
    #[serde(serialize_with = "hex::bytes")]
    pub signature: Vec<u8>,
}

const CERTIFICATE: &str = "certificate";

/// TLS 1.2: `ASN.1Cert certificate_list<0..2^24-1>` of `opaque ASN.1Cert<1..2^24-1>`.
pub(super) fn parse_certificate12(body: &[u8]) -> Result<Certificate> {
    let mut r = Reader::new(body, CERTIFICATE);
    let mut list = r.vec24("certificate_list")?;
    r.finish("certificate_list")?;
    let mut entries = Vec::new();
    let mut i = 0usize;
    while !list.is_empty() {
        i += 1;
        let der = list
            .vec24("cert_data")
            .map_err(|e| e.context(format_args!("entry {i}")))?;
        entries.push(CertificateEntry {
            der: der.rest_slice().to_vec(),
            extensions: Vec::new(),
        });
    }
    Ok(Certificate {
        request_context: None,
        entries,
    })
}

/// TLS 1.3: `opaque certificate_request_context<0..2^8-1>;
/// CertificateEntry certificate_list<0..2^24-1>`, each entry
/// `opaque cert_data<1..2^24-1>; Extension extensions<0..2^16-1>`.
pub(super) fn parse_certificate13(body: &[u8]) -> Result<Certificate> {
    let mut r = Reader::new(body, CERTIFICATE);
    let context = r.vec8("certificate_request_context")?.rest().to_vec();
    let mut list = r.vec24("certificate_list")?;
    r.finish("certificate_list")?;
    let mut entries = Vec::new();
    let mut i = 0usize;
    while !list.is_empty() {
        i += 1;
        let entry = (|| {
            let der = list.vec24("cert_data")?.rest().to_vec();
            let extensions = parse_extension_list(&mut list, "extensions")?;
            Ok(CertificateEntry { der, extensions })
        })()
        .map_err(|e: ParseError| e.context(format_args!("entry {i}")))?;
        entries.push(entry);
    }
    Ok(Certificate {
        request_context: Some(context),
        entries,
    })
}

const CERTIFICATE_REQUEST: &str = "certificate_request";

pub(super) fn parse_certificate_request(
    body: &[u8],
    version: Option<u16>,
) -> Result<CertificateRequest> {
    match version {
        Some(v) => match ProtocolForm::from_version(v) {
            ProtocolForm::Tls13 => parse_cr13(body).map(CertificateRequest::Tls13),
            ProtocolForm::Tls12 => {
                parse_cr12(body, has_signature_algorithms(v)).map(CertificateRequest::Tls12)
            }
        },
        // Order matters: a TLS 1.3 request can happen to parse as the
        // TLS 1.0/1.1 layout, never (in practice) the other way round.
        None => parse_cr12(body, true)
            .map(CertificateRequest::Tls12)
            .or_else(|e| {
                parse_cr13(body)
                    .map(CertificateRequest::Tls13)
                    .map_err(|_| e)
            })
            .or_else(|e| {
                parse_cr12(body, false)
                    .map(CertificateRequest::Tls12)
                    .map_err(|_| e)
            }),
    }
}

/// TLS 1.0–1.2: `ClientCertificateType certificate_types<1..2^8-1>;
/// [SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>;]
/// DistinguishedName certificate_authorities<0..2^16-1>`.
fn parse_cr12(body: &[u8], with_sig_algs: bool) -> Result<CertificateRequestTls12> {
    let mut r = Reader::new(body, CERTIFICATE_REQUEST);
    let certificate_types = r.vec8("certificate_types")?.rest().to_vec();
    let supported_signature_algorithms = if with_sig_algs {
        Some(read_u16_vec16(&mut r, "supported_signature_algorithms")?)
    } else {
        None
    };
    let (certificate_authorities, ca_list_len) = read_dn_list(&mut r, "certificate_authorities")?;
    r.finish("certificate_authorities")?;
    Ok(CertificateRequestTls12 {
        certificate_types,
        supported_signature_algorithms,
        certificate_authorities,
        ca_list_len,
    })
}

/// TLS 1.3: `opaque certificate_request_context<0..2^8-1>;
/// Extension extensions<2..2^16-1>`. A malformed signature_algorithms,
/// signature_algorithms_cert, certificate_authorities or oid_filters is an
/// error: those are the substance of the message.
fn parse_cr13(body: &[u8]) -> Result<CertificateRequestTls13> {
    const MSG: &str = CERTIFICATE_REQUEST;
    let mut r = Reader::new(body, MSG);
    let request_context = r.vec8("certificate_request_context")?.rest().to_vec();
    let block_start = r.offset() + 2;
    let extensions = parse_extension_list(&mut r, "extensions")?;
    r.finish("extensions")?;
    let mut cr = CertificateRequestTls13 {
        request_context,
        extensions: Vec::new(),
        signature_algorithms: Vec::new(),
        signature_algorithms_cert: Vec::new(),
        certificate_authorities: Vec::new(),
        ca_list_len: 0,
        oid_filters: Vec::new(),
    };
    let offsets = ext_data_offsets(&extensions, block_start);
    for (e, &base) in extensions.iter().zip(&offsets) {
        let t = e.ext_type;
        let d = e.data.as_slice();
        match t {
            ext::SIGNATURE_ALGORITHMS => decode_ext(d, base, MSG, t, |r| {
                cr.signature_algorithms = read_u16_vec16(r, "supported_signature_algorithms")?;
                Ok(())
            })?,
            ext::SIGNATURE_ALGORITHMS_CERT => decode_ext(d, base, MSG, t, |r| {
                cr.signature_algorithms_cert = read_u16_vec16(r, "supported_signature_algorithms")?;
                Ok(())
            })?,
            ext::CERTIFICATE_AUTHORITIES => decode_ext(d, base, MSG, t, |r| {
                let (dns, len) = read_dn_list(r, "authorities")?;
                cr.certificate_authorities = dns;
                cr.ca_list_len = len;
                Ok(())
            })?,
            ext::OID_FILTERS => decode_ext(d, base, MSG, t, |r| {
                let mut list = r.vec16("filters")?;
                while !list.is_empty() {
                    let oid = list.vec8("certificate_extension_oid")?.rest().to_vec();
                    let values = list.vec16("certificate_extension_values")?.rest().to_vec();
                    cr.oid_filters.push((oid, values));
                }
                Ok(())
            })?,
            _ => {}
        }
    }
    cr.extensions = extensions;
    Ok(cr)
}

pub(super) fn parse_certificate_verify(
    body: &[u8],
    version: Option<u16>,
) -> Result<CertificateVerify> {
    fn with_scheme(body: &[u8]) -> Result<CertificateVerify> {
        let mut r = Reader::new(body, "certificate_verify");
        let scheme = r.u16("algorithm")?;
        let signature = r.vec16("signature")?.rest().to_vec();
        r.finish("signature")?;
        Ok(CertificateVerify {
            scheme: Some(scheme),
            signature,
        })
    }
    fn without_scheme(body: &[u8]) -> Result<CertificateVerify> {
        let mut r = Reader::new(body, "certificate_verify");
        let signature = r.vec16("signature")?.rest().to_vec();
        r.finish("signature")?;
        Ok(CertificateVerify {
            scheme: None,
            signature,
        })
    }
    match version {
        Some(v) if has_signature_algorithms(v) => with_scheme(body),
        Some(_) => without_scheme(body),
        None => with_scheme(body).or_else(|e| without_scheme(body).map_err(|_| e)),
    }
}
