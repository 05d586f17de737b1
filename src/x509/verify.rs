//! Signature checks: a certificate's signature with its issuer's key, and the
//! signatures of the TLS handshake (CertificateVerify, ServerKeyExchange)
//! with the signer's certificate.
//!
//! ring does the common cases fast (RSA 2048–8192 bits with PKCS#1 v1.5 or
//! PSS with salt = hash length; ECDSA P-256/P-384 with SHA-256/SHA-384 in any
//! combination; Ed25519). RustCrypto fills ring's gaps:
//! - `rsa` for RSA-PSS with any salt length (OpenSSL 3 signs certificates
//!   with the maximum salt, e.g. 222 bytes for SHA-256 and 2048 bits), SHA-224
//!   and MD5, the TLS 1.0/1.1 MD5‖SHA-1 signature without DigestInfo, and
//!   keys outside 2048–8192 bits;
//! - `p256`/`p384`/`p521` for P-521, and for hashes ring does not pair with
//!   a curve (SHA-1, SHA-224, SHA-512 on P-256/P-384; anything on P-521).
//!
//! Key size policy: RSA keys of 1024 bits and more are really verified
//! (people do meet 1024-bit test certificates; the size is a separate fact,
//! see `path::PathStep::weak_key`). Keys under 1024 bits are not verified at
//! all and give [`SigCheck::KeyTooSmall`]: no current TLS stack accepts them
//! (OpenSSL's lowest security level above 0 needs 1024 bits).
//!
//! Not supported (reported as [`SigCheck::Unsupported`], never as invalid):
//! Ed448, DSA, GOST, brainpool and other curves, RSA keys over 16384 bits,
//! RSA-PSS whose MGF1 hash differs from the message hash.

use serde::Serialize;
use sha2::Digest;
use x509_parser::prelude::*;
use x509_parser::public_key::RSAPublicKey;
use x509_parser::signature_algorithm::RsaSsaPssParams;

use crate::tls::stream::Side;

/// The outcome of one signature check.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SigCheck {
    /// The signature verifies with the key.
    Valid,
    /// The signature does not verify with the key (or is not even a
    /// well-formed signature value for it).
    Invalid,
    /// The algorithm (named) is not one tlstrace can check: not a verdict.
    Unsupported(String),
    /// An RSA key under 1024 bits (its size): not checked, as no TLS stack
    /// accepts such a key.
    KeyTooSmall(u32),
    /// Algorithm and key or protocol do not go together (an ECDSA signature
    /// with an RSA key, a TLS 1.3 scheme whose curve is not the key's,
    /// rsa_pkcs1 in TLS 1.3, …): a peer would refuse it.
    Mismatch(String),
    /// A certificate, key or algorithm parameter that cannot be read.
    Malformed(String),
}

impl SigCheck {
    pub fn is_valid(&self) -> bool {
        matches!(self, SigCheck::Valid)
    }

    /// True when the check gave a verdict against the signature (invalid,
    /// mismatched or malformed), as opposed to valid or not checkable.
    pub fn is_bad(&self) -> bool {
        matches!(
            self,
            SigCheck::Invalid | SigCheck::Mismatch(_) | SigCheck::Malformed(_)
        )
    }
}

impl std::fmt::Display for SigCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SigCheck::Valid => write!(f, "valid"),
            SigCheck::Invalid => write!(f, "invalid"),
            SigCheck::Unsupported(a) => write!(f, "not checked: {a} is not supported"),
            SigCheck::KeyTooSmall(b) => write!(f, "not checked: RSA key of {b} bits is too small"),
            SigCheck::Mismatch(m) => write!(f, "mismatch: {m}"),
            SigCheck::Malformed(m) => write!(f, "malformed: {m}"),
        }
    }
}

/// What a handshake signature covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedContent<'a> {
    /// TLS 1.3 CertificateVerify (RFC 8446 §4.4.3): 64 spaces, the context
    /// string of `side` (the signer), a zero byte, the transcript hash.
    Tls13CertificateVerify {
        side: Side,
        transcript_hash: &'a [u8],
    },
    /// TLS ≤ 1.2 CertificateVerify: the handshake messages before it, raw.
    Tls12CertificateVerify { transcript: &'a [u8] },
    /// TLS ≤ 1.2 ServerKeyExchange: client_random ‖ server_random ‖ the
    /// ServerECDHParams / ServerDHParams bytes.
    Tls12ServerKeyExchange {
        client_random: &'a [u8],
        server_random: &'a [u8],
        params: &'a [u8],
    },
}

impl SignedContent<'_> {
    /// The bytes the signature is computed over (before the scheme's hash).
    pub fn bytes(&self) -> Vec<u8> {
        match *self {
            SignedContent::Tls13CertificateVerify {
                side,
                transcript_hash,
            } => {
                let mut v = vec![0x20u8; 64];
                v.extend_from_slice(match side {
                    Side::Client => b"TLS 1.3, client CertificateVerify",
                    Side::Server => b"TLS 1.3, server CertificateVerify",
                });
                v.push(0);
                v.extend_from_slice(transcript_hash);
                v
            }
            SignedContent::Tls12CertificateVerify { transcript } => transcript.to_vec(),
            SignedContent::Tls12ServerKeyExchange {
                client_random,
                server_random,
                params,
            } => [client_random, server_random, params].concat(),
        }
    }
}

/// Verifies `cert_der`'s signature with the public key of `issuer_der`.
/// Never panics, whatever the bytes.
pub fn verify_cert_signature(cert_der: &[u8], issuer_der: &[u8]) -> SigCheck {
    // The same chains come back on every connection: each pair is checked
    // once (keyed by both certificates' digests).
    static CHECKED: super::memo::DerMemo<SigCheck> = super::memo::DerMemo::new(2048);
    CHECKED.get_or(cert_der, issuer_der, || {
        check_cert_signature(cert_der, issuer_der)
    })
}

fn check_cert_signature(cert_der: &[u8], issuer_der: &[u8]) -> SigCheck {
    let cert = match parse_cert(cert_der) {
        Ok(c) => c,
        Err(e) => return SigCheck::Malformed(format!("certificate: {e}")),
    };
    let issuer = match parse_cert(issuer_der) {
        Ok(c) => c,
        Err(e) => return SigCheck::Malformed(format!("issuer certificate: {e}")),
    };
    if cert.signature_algorithm != cert.tbs_certificate.signature {
        return SigCheck::Malformed(
            "the signature algorithm differs between the signed part and the certificate"
                .to_string(),
        );
    }
    let key = match Key::from_spki(issuer.public_key()) {
        Ok(k) => k,
        Err(c) => return c,
    };
    let scheme = match Scheme::from_algorithm_identifier(&cert.signature_algorithm) {
        Ok(s) => s,
        Err(c) => return c,
    };
    verify_with(
        &key,
        &scheme,
        cert.tbs_certificate.as_ref(),
        &cert.signature_value.data,
    )
}

/// Verifies a handshake signature: a CertificateVerify (either side, any
/// version) or a ServerKeyExchange, with the key of `signer_cert_der`.
/// `version` is the negotiated version (0x0300–0x0304); `scheme` the
/// SignatureScheme / SignatureAndHashAlgorithm, `None` before TLS 1.2.
/// Never panics, whatever the bytes.
pub fn verify_handshake_signature(
    version: u16,
    scheme: Option<u16>,
    signature: &[u8],
    signer_cert_der: &[u8],
    signed: SignedContent<'_>,
) -> SigCheck {
    let cert = match parse_cert(signer_cert_der) {
        Ok(c) => c,
        Err(e) => return SigCheck::Malformed(format!("signer certificate: {e}")),
    };
    let key = match Key::from_spki(cert.public_key()) {
        Ok(k) => k,
        Err(c) => return c,
    };
    let tls13 = matches!(signed, SignedContent::Tls13CertificateVerify { .. })
        || version == 0x0304
        || version >> 8 == 0x7f;
    let scheme = match scheme {
        Some(s) => match Scheme::from_tls(s, tls13, &key) {
            Ok(s) => s,
            Err(c) => return c,
        },
        None => {
            if tls13 || version >= 0x0303 {
                return SigCheck::Malformed(
                    "TLS 1.2 and 1.3 signatures name their scheme, this one has none".to_string(),
                );
            }
            if version == 0x0300 && matches!(signed, SignedContent::Tls12CertificateVerify { .. }) {
                return SigCheck::Unsupported(
                    "SSL 3.0 CertificateVerify (hashed with the master secret)".to_string(),
                );
            }
            // TLS 1.0/1.1 (RFC 4346 §7.4.3, RFC 4492 §5.4): RSA signs
            // MD5 ‖ SHA-1 without DigestInfo, ECDSA and DSA sign SHA-1.
            match &key {
                Key::Rsa { .. } => Scheme::RsaPkcs1(Hash::Md5Sha1),
                Key::Ec { .. } => Scheme::Ecdsa(Hash::Sha1),
                Key::Ed25519(_) => {
                    return SigCheck::Mismatch(
                        "an Ed25519 key cannot sign in TLS 1.0/1.1".to_string(),
                    )
                }
                Key::Other(name) => return SigCheck::Unsupported(name.clone()),
            }
        }
    };
    verify_with(&key, &scheme, &signed.bytes(), signature)
}

/// Parses a certificate, refusing trailing bytes.
fn parse_cert(der: &[u8]) -> Result<X509Certificate<'_>, String> {
    match X509Certificate::from_der(der) {
        Ok(([], c)) => Ok(c),
        Ok((rest, _)) => Err(format!("{} bytes follow the certificate", rest.len())),
        Err(e) => Err(format!("not a valid X.509 certificate: {e}")),
    }
}

// ---------------------------------------------------------------------------
// Hashes

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hash {
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
    /// MD5 ‖ SHA-1, signed without DigestInfo (TLS 1.0/1.1 RSA).
    Md5Sha1,
}

impl Hash {
    fn from_oid(oid: &str) -> Option<Hash> {
        Some(match oid {
            "1.2.840.113549.2.5" => Hash::Md5,
            "1.3.14.3.2.26" => Hash::Sha1,
            "2.16.840.1.101.3.4.2.4" => Hash::Sha224,
            "2.16.840.1.101.3.4.2.1" => Hash::Sha256,
            "2.16.840.1.101.3.4.2.2" => Hash::Sha384,
            "2.16.840.1.101.3.4.2.3" => Hash::Sha512,
            _ => return None,
        })
    }

    /// From the hash byte of a TLS 1.2 SignatureAndHashAlgorithm.
    fn from_tls(b: u8) -> Option<Hash> {
        Some(match b {
            1 => Hash::Md5,
            2 => Hash::Sha1,
            3 => Hash::Sha224,
            4 => Hash::Sha256,
            5 => Hash::Sha384,
            6 => Hash::Sha512,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Hash::Md5 => "MD5",
            Hash::Sha1 => "SHA-1",
            Hash::Sha224 => "SHA-224",
            Hash::Sha256 => "SHA-256",
            Hash::Sha384 => "SHA-384",
            Hash::Sha512 => "SHA-512",
            Hash::Md5Sha1 => "MD5+SHA-1",
        }
    }

    fn len(self) -> usize {
        match self {
            Hash::Md5 => 16,
            Hash::Sha1 => 20,
            Hash::Sha224 => 28,
            Hash::Sha256 => 32,
            Hash::Sha384 => 48,
            Hash::Sha512 => 64,
            Hash::Md5Sha1 => 36,
        }
    }

    fn digest(self, msg: &[u8]) -> Vec<u8> {
        use ring::digest as rd;
        match self {
            Hash::Md5 => md5::Md5::digest(msg).to_vec(),
            Hash::Sha1 => rd::digest(&rd::SHA1_FOR_LEGACY_USE_ONLY, msg)
                .as_ref()
                .to_vec(),
            Hash::Sha224 => sha2::Sha224::digest(msg).to_vec(),
            Hash::Sha256 => rd::digest(&rd::SHA256, msg).as_ref().to_vec(),
            Hash::Sha384 => rd::digest(&rd::SHA384, msg).as_ref().to_vec(),
            Hash::Sha512 => rd::digest(&rd::SHA512, msg).as_ref().to_vec(),
            Hash::Md5Sha1 => {
                let mut v = Hash::Md5.digest(msg);
                v.extend(Hash::Sha1.digest(msg));
                v
            }
        }
    }

    /// The DER DigestInfo up to the digest (RFC 8017 §9.2 note 1); empty for
    /// MD5 ‖ SHA-1, which TLS 1.0/1.1 sign bare.
    fn digest_info_prefix(self) -> &'static [u8] {
        match self {
            Hash::Md5 => &[
                0x30, 0x20, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05,
                0x05, 0x00, 0x04, 0x10,
            ],
            Hash::Sha1 => &[
                0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04,
                0x14,
            ],
            Hash::Sha224 => &[
                0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x04, 0x05, 0x00, 0x04, 0x1c,
            ],
            Hash::Sha256 => &[
                0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x01, 0x05, 0x00, 0x04, 0x20,
            ],
            Hash::Sha384 => &[
                0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x02, 0x05, 0x00, 0x04, 0x30,
            ],
            Hash::Sha512 => &[
                0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x03, 0x05, 0x00, 0x04, 0x40,
            ],
            Hash::Md5Sha1 => &[],
        }
    }

    /// A boxed digest for the `rsa` crate's PSS (message and MGF1 hash).
    fn dyn_digest(self) -> Option<Box<dyn sha2::digest::DynDigest + Send + Sync>> {
        Some(match self {
            Hash::Md5 => Box::new(md5::Md5::new()),
            Hash::Sha1 => Box::new(RingSha1::default()),
            Hash::Sha224 => Box::new(sha2::Sha224::new()),
            Hash::Sha256 => Box::new(sha2::Sha256::new()),
            Hash::Sha384 => Box::new(sha2::Sha384::new()),
            Hash::Sha512 => Box::new(sha2::Sha512::new()),
            Hash::Md5Sha1 => return None,
        })
    }
}

/// SHA-1 from ring behind RustCrypto's `DynDigest`, for RSA-PSS with SHA-1
/// (the RFC 4055 default parameters) without another crate.
#[derive(Clone)]
struct RingSha1(ring::digest::Context);

impl Default for RingSha1 {
    fn default() -> Self {
        RingSha1(ring::digest::Context::new(
            &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
        ))
    }
}

impl sha2::digest::DynDigest for RingSha1 {
    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    fn finalize_into(self, buf: &mut [u8]) -> Result<(), sha2::digest::InvalidBufferSize> {
        let d = self.0.finish();
        if buf.len() != d.as_ref().len() {
            return Err(sha2::digest::InvalidBufferSize);
        }
        buf.copy_from_slice(d.as_ref());
        Ok(())
    }

    fn finalize_into_reset(
        &mut self,
        out: &mut [u8],
    ) -> Result<(), sha2::digest::InvalidBufferSize> {
        let done = std::mem::take(self);
        done.finalize_into(out)
    }

    fn reset(&mut self) {
        *self = RingSha1::default();
    }

    fn output_size(&self) -> usize {
        20
    }

    fn box_clone(&self) -> Box<dyn sha2::digest::DynDigest> {
        Box::new(self.clone())
    }
}

// ---------------------------------------------------------------------------
// Keys

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Curve {
    P256,
    P384,
    P521,
}

impl Curve {
    fn name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
        }
    }

    fn field_len(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }
}

enum Key<'a> {
    Rsa {
        /// The DER RSAPublicKey (what ring takes).
        der: &'a [u8],
        n: &'a [u8],
        e: &'a [u8],
        bits: u32,
        /// An id-RSASSA-PSS key (RFC 4055): PSS signatures only.
        pss_only: bool,
    },
    Ec {
        curve: Curve,
        point: &'a [u8],
    },
    Ed25519(&'a [u8]),
    /// A key tlstrace cannot use, by name.
    Other(String),
}

impl<'a> Key<'a> {
    fn from_spki(spki: &'a SubjectPublicKeyInfo<'a>) -> Result<Key<'a>, SigCheck> {
        let alg = spki.algorithm.algorithm.to_id_string();
        let data: &'a [u8] = &spki.subject_public_key.data;
        match alg.as_str() {
            "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => {
                let key = match RSAPublicKey::from_der(data) {
                    Ok((_, k)) => k,
                    Err(_) => return Err(SigCheck::Malformed("RSA public key".to_string())),
                };
                let n = strip_zeros(key.modulus);
                let e = strip_zeros(key.exponent);
                if n.is_empty() || e.is_empty() {
                    return Err(SigCheck::Malformed(
                        "RSA public key with a zero modulus or exponent".to_string(),
                    ));
                }
                let bits = (n.len() as u32 - 1) * 8 + (8 - n[0].leading_zeros());
                Ok(Key::Rsa {
                    der: data,
                    n,
                    e,
                    bits,
                    pss_only: alg.ends_with(".10"),
                })
            }
            "1.2.840.10045.2.1" => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.as_oid().ok())
                    .map(|o| o.to_id_string());
                let curve = match curve.as_deref() {
                    Some("1.2.840.10045.3.1.7") => Curve::P256,
                    Some("1.3.132.0.34") => Curve::P384,
                    Some("1.3.132.0.35") => Curve::P521,
                    Some("1.3.132.0.10") => return Ok(Key::Other("EC secp256k1".to_string())),
                    Some(o) if o.starts_with("1.3.36.3.3.2.8.1.1.") => {
                        return Ok(Key::Other(format!("EC brainpool ({o})")))
                    }
                    Some(o) => return Ok(Key::Other(format!("EC curve {o}"))),
                    None => return Ok(Key::Other("EC explicit curve parameters".to_string())),
                };
                Ok(Key::Ec { curve, point: data })
            }
            "1.3.101.112" => {
                if data.len() != 32 {
                    return Err(SigCheck::Malformed(format!(
                        "Ed25519 public key of {} bytes",
                        data.len()
                    )));
                }
                Ok(Key::Ed25519(data))
            }
            "1.3.101.113" => Ok(Key::Other("Ed448".to_string())),
            "1.2.840.10040.4.1" => Ok(Key::Other("DSA".to_string())),
            other => Ok(Key::Other(format!("key algorithm {other}"))),
        }
    }

    fn describe(&self) -> String {
        match self {
            Key::Rsa { bits, pss_only, .. } => {
                format!("{} {bits}", if *pss_only { "RSA-PSS" } else { "RSA" })
            }
            Key::Ec { curve, .. } => format!("EC {}", curve.name()),
            Key::Ed25519(_) => "Ed25519".to_string(),
            Key::Other(n) => n.clone(),
        }
    }
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let i = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    &b[i..]
}

// ---------------------------------------------------------------------------
// Schemes

#[derive(Debug, Clone, PartialEq, Eq)]
enum Scheme {
    /// PKCS#1 v1.5 with DigestInfo (`Md5Sha1`: bare, TLS 1.0/1.1).
    RsaPkcs1(Hash),
    RsaPss {
        hash: Hash,
        mgf1: Hash,
        salt: usize,
        /// TLS rsa_pss_pss_* (an RSASSA-PSS key required) as opposed to
        /// rsa_pss_rsae_* (an rsaEncryption key required); `None` in
        /// certificates, where either key may sign.
        pss_key: Option<bool>,
    },
    Ecdsa(Hash),
    Ed25519,
}

impl Scheme {
    /// From a certificate's signature AlgorithmIdentifier.
    fn from_algorithm_identifier(alg: &AlgorithmIdentifier<'_>) -> Result<Scheme, SigCheck> {
        let oid = alg.algorithm.to_id_string();
        Ok(match oid.as_str() {
            "1.2.840.113549.1.1.4" => Scheme::RsaPkcs1(Hash::Md5),
            "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" => Scheme::RsaPkcs1(Hash::Sha1),
            "1.2.840.113549.1.1.14" => Scheme::RsaPkcs1(Hash::Sha224),
            "1.2.840.113549.1.1.11" => Scheme::RsaPkcs1(Hash::Sha256),
            "1.2.840.113549.1.1.12" => Scheme::RsaPkcs1(Hash::Sha384),
            "1.2.840.113549.1.1.13" => Scheme::RsaPkcs1(Hash::Sha512),
            "1.2.840.113549.1.1.10" => pss_from_params(alg)?,
            "1.2.840.10045.4.1" => Scheme::Ecdsa(Hash::Sha1),
            "1.2.840.10045.4.3.1" => Scheme::Ecdsa(Hash::Sha224),
            "1.2.840.10045.4.3.2" => Scheme::Ecdsa(Hash::Sha256),
            "1.2.840.10045.4.3.3" => Scheme::Ecdsa(Hash::Sha384),
            "1.2.840.10045.4.3.4" => Scheme::Ecdsa(Hash::Sha512),
            "1.3.101.112" => Scheme::Ed25519,
            "1.3.101.113" => return Err(SigCheck::Unsupported("Ed448".to_string())),
            "1.2.840.10040.4.3" => return Err(SigCheck::Unsupported("dsa-with-SHA1".to_string())),
            "2.16.840.1.101.3.4.3.1" => {
                return Err(SigCheck::Unsupported("dsa-with-SHA224".to_string()))
            }
            "2.16.840.1.101.3.4.3.2" => {
                return Err(SigCheck::Unsupported("dsa-with-SHA256".to_string()))
            }
            "1.2.840.113549.1.1.2" => return Err(SigCheck::Unsupported("md2WithRSA".to_string())),
            other => {
                return Err(SigCheck::Unsupported(format!(
                    "signature algorithm {other}"
                )))
            }
        })
    }

    /// From a TLS SignatureScheme, checked against the protocol and the key.
    fn from_tls(s: u16, tls13: bool, key: &Key<'_>) -> Result<Scheme, SigCheck> {
        let name = scheme_name(s);
        let pss = |hash: Hash, pss_key: bool| Scheme::RsaPss {
            hash,
            mgf1: hash,
            salt: hash.len(),
            pss_key: Some(pss_key),
        };
        let scheme = match s {
            0x0804 => pss(Hash::Sha256, false),
            0x0805 => pss(Hash::Sha384, false),
            0x0806 => pss(Hash::Sha512, false),
            0x0809 => pss(Hash::Sha256, true),
            0x080a => pss(Hash::Sha384, true),
            0x080b => pss(Hash::Sha512, true),
            0x0807 => Scheme::Ed25519,
            0x0808 => return Err(SigCheck::Unsupported("ed448".to_string())),
            _ => {
                // TLS 1.2 SignatureAndHashAlgorithm: hash byte, signature byte.
                let (h, sig) = ((s >> 8) as u8, s as u8);
                match (Hash::from_tls(h), sig) {
                    (Some(h), 1) => Scheme::RsaPkcs1(h),
                    (Some(_), 2) => return Err(SigCheck::Unsupported(name)),
                    (Some(h), 3) => Scheme::Ecdsa(h),
                    _ => return Err(SigCheck::Unsupported(name)),
                }
            }
        };
        if tls13 {
            // RFC 8446 §4.2.3, §4.4.3.
            let allowed = match &scheme {
                Scheme::RsaPkcs1(_) => false,
                Scheme::Ecdsa(h) => matches!(h, Hash::Sha256 | Hash::Sha384 | Hash::Sha512),
                _ => true,
            };
            if !allowed {
                return Err(SigCheck::Mismatch(format!(
                    "{name} is not allowed in TLS 1.3 handshake signatures"
                )));
            }
        }
        match (&scheme, key) {
            (Scheme::RsaPkcs1(_), Key::Rsa { pss_only: true, .. }) => Err(SigCheck::Mismatch(
                format!("{name} with an RSASSA-PSS key, which can only sign with PSS"),
            )),
            (Scheme::RsaPkcs1(_), Key::Rsa { .. }) => Ok(scheme),
            (
                Scheme::RsaPss {
                    pss_key: Some(want),
                    ..
                },
                Key::Rsa { pss_only, .. },
            ) => {
                if want == pss_only {
                    Ok(scheme)
                } else if *want {
                    Err(SigCheck::Mismatch(format!(
                        "{name} needs an RSASSA-PSS key, the certificate's is rsaEncryption"
                    )))
                } else {
                    Err(SigCheck::Mismatch(format!(
                        "{name} needs an rsaEncryption key, the certificate's is RSASSA-PSS"
                    )))
                }
            }
            (Scheme::Ecdsa(h), Key::Ec { curve, .. }) => {
                if tls13 {
                    let want = match h {
                        Hash::Sha256 => Curve::P256,
                        Hash::Sha384 => Curve::P384,
                        _ => Curve::P521,
                    };
                    if want != *curve {
                        return Err(SigCheck::Mismatch(format!(
                            "{name} in TLS 1.3 needs a {} key, the certificate's is {}",
                            want.name(),
                            curve.name()
                        )));
                    }
                }
                Ok(scheme)
            }
            (Scheme::Ed25519, Key::Ed25519(_)) => Ok(scheme),
            (_, Key::Other(k)) => Err(SigCheck::Unsupported(k.clone())),
            (_, k) => Err(SigCheck::Mismatch(format!(
                "{name} with the certificate's {} key",
                k.describe()
            ))),
        }
    }

    fn name(&self) -> String {
        match self {
            Scheme::RsaPkcs1(Hash::Md5Sha1) => "RSA PKCS#1 v1.5 (MD5+SHA-1)".to_string(),
            Scheme::RsaPkcs1(h) => format!("RSA PKCS#1 v1.5 {}", h.name()),
            Scheme::RsaPss {
                hash, mgf1, salt, ..
            } => format!(
                "RSA-PSS {} (MGF1 {}, salt {salt})",
                hash.name(),
                mgf1.name()
            ),
            Scheme::Ecdsa(h) => format!("ECDSA {}", h.name()),
            Scheme::Ed25519 => "Ed25519".to_string(),
        }
    }
}

/// RSASSA-PSS parameters of a certificate signature (RFC 4055 §3.1).
fn pss_from_params(alg: &AlgorithmIdentifier<'_>) -> Result<Scheme, SigCheck> {
    let bad = |m: &str| SigCheck::Malformed(format!("RSASSA-PSS parameters: {m}"));
    let any = alg
        .parameters
        .as_ref()
        .ok_or_else(|| bad("absent from the signature algorithm"))?;
    let params = RsaSsaPssParams::try_from(any).map_err(|e| bad(&e.to_string()))?;
    let hash_oid = params.hash_algorithm_oid().to_id_string();
    let hash = Hash::from_oid(&hash_oid)
        .ok_or_else(|| SigCheck::Unsupported(format!("RSA-PSS with hash {hash_oid}")))?;
    let mgf = params
        .mask_gen_algorithm()
        .map_err(|e| bad(&e.to_string()))?;
    if mgf.mgf.to_id_string() != "1.2.840.113549.1.1.8" {
        return Err(SigCheck::Unsupported(format!(
            "RSA-PSS with mask generation {}",
            mgf.mgf.to_id_string()
        )));
    }
    let mgf_oid = mgf.hash.to_id_string();
    let mgf1 = Hash::from_oid(&mgf_oid)
        .ok_or_else(|| SigCheck::Unsupported(format!("RSA-PSS with MGF1 hash {mgf_oid}")))?;
    if params.trailer_field() != 1 {
        return Err(bad(&format!("trailer field {}", params.trailer_field())));
    }
    Ok(Scheme::RsaPss {
        hash,
        mgf1,
        salt: params.salt_length() as usize,
        pss_key: None,
    })
}

/// The registered name of a TLS SignatureScheme (RFC 8446 §4.2.3, RFC 5246
/// §7.4.1.4.1 pairs), or its number.
pub fn scheme_name(s: u16) -> String {
    crate::tls::names::signature_scheme_name(s).into_owned()
}

// ---------------------------------------------------------------------------
// Verification

/// RSA keys smaller than this are not verified.
const MIN_RSA_BITS: u32 = 1024;
/// Nor larger than this.
const MAX_RSA_BITS: u32 = 16384;

fn verify_with(key: &Key<'_>, scheme: &Scheme, msg: &[u8], sig: &[u8]) -> SigCheck {
    match (key, scheme) {
        (Key::Other(name), _) => SigCheck::Unsupported(name.clone()),
        (
            Key::Rsa {
                der,
                n,
                e,
                bits,
                pss_only,
            },
            Scheme::RsaPkcs1(_) | Scheme::RsaPss { .. },
        ) => {
            if *pss_only && matches!(scheme, Scheme::RsaPkcs1(_)) {
                return SigCheck::Mismatch(format!(
                    "{} signature by an RSASSA-PSS key, which can only sign with PSS",
                    scheme.name()
                ));
            }
            if *bits < MIN_RSA_BITS {
                return SigCheck::KeyTooSmall(*bits);
            }
            if *bits > MAX_RSA_BITS {
                return SigCheck::Unsupported(format!("RSA key of {bits} bits"));
            }
            verify_rsa(der, n, e, *bits, scheme, msg, sig)
        }
        (Key::Ec { curve, point }, Scheme::Ecdsa(h)) => verify_ecdsa(*curve, point, *h, msg, sig),
        (Key::Ed25519(pk), Scheme::Ed25519) => ring_verify(&ring::signature::ED25519, pk, msg, sig),
        (k, s) => SigCheck::Mismatch(format!(
            "{} signature with a {} key",
            s.name(),
            k.describe()
        )),
    }
}

fn ring_verify(
    alg: &'static dyn ring::signature::VerificationAlgorithm,
    key: &[u8],
    msg: &[u8],
    sig: &[u8],
) -> SigCheck {
    match ring::signature::UnparsedPublicKey::new(alg, key).verify(msg, sig) {
        Ok(()) => SigCheck::Valid,
        Err(_) => SigCheck::Invalid,
    }
}

fn verify_rsa(
    der: &[u8],
    n: &[u8],
    e: &[u8],
    bits: u32,
    scheme: &Scheme,
    msg: &[u8],
    sig: &[u8],
) -> SigCheck {
    use ring::signature as rs;
    // The rsa crate validates the key (exponent range); do it first so that
    // ring and rsa see the same keys.
    let pk = match rsa::RsaPublicKey::new_with_max_size(
        rsa::BigUint::from_bytes_be(n),
        rsa::BigUint::from_bytes_be(e),
        MAX_RSA_BITS as usize,
    ) {
        Ok(pk) => pk,
        Err(err) => return SigCheck::Malformed(format!("RSA public key: {err}")),
    };
    let ring_range = (2048..=8192).contains(&bits);
    match *scheme {
        Scheme::RsaPkcs1(h) => {
            let ring_alg: Option<&'static dyn rs::VerificationAlgorithm> = match h {
                Hash::Sha1 => Some(&rs::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY),
                Hash::Sha256 => Some(&rs::RSA_PKCS1_2048_8192_SHA256),
                Hash::Sha384 => Some(&rs::RSA_PKCS1_2048_8192_SHA384),
                Hash::Sha512 => Some(&rs::RSA_PKCS1_2048_8192_SHA512),
                _ => None,
            };
            if let (true, Some(alg)) = (ring_range, ring_alg) {
                return ring_verify(alg, der, msg, sig);
            }
            let padding = rsa::Pkcs1v15Sign {
                hash_len: Some(h.len()),
                prefix: h.digest_info_prefix().into(),
            };
            match pk.verify(padding, &h.digest(msg), sig) {
                Ok(()) => SigCheck::Valid,
                Err(_) => SigCheck::Invalid,
            }
        }
        Scheme::RsaPss {
            hash, mgf1, salt, ..
        } => {
            if hash != mgf1 {
                return SigCheck::Unsupported(format!(
                    "RSA-PSS with message hash {} and MGF1 hash {}",
                    hash.name(),
                    mgf1.name()
                ));
            }
            let ring_alg: Option<&'static dyn rs::VerificationAlgorithm> = match hash {
                Hash::Sha256 => Some(&rs::RSA_PSS_2048_8192_SHA256),
                Hash::Sha384 => Some(&rs::RSA_PSS_2048_8192_SHA384),
                Hash::Sha512 => Some(&rs::RSA_PSS_2048_8192_SHA512),
                _ => None,
            };
            if let (true, true, Some(alg)) = (ring_range, salt == hash.len(), ring_alg) {
                return ring_verify(alg, der, msg, sig);
            }
            // The modulus must leave room for the hash, the salt and two
            // bytes (RFC 8017 §9.1.2 step 3); the rsa crate checks it too,
            // this keeps its arithmetic clear of huge salt values.
            if salt > (bits as usize).div_ceil(8) {
                return SigCheck::Invalid;
            }
            let Some(digest) = hash.dyn_digest() else {
                return SigCheck::Unsupported(format!("RSA-PSS with {}", hash.name()));
            };
            let padding = rsa::Pss {
                blinded: false,
                digest,
                salt_len: salt,
            };
            match pk.verify(padding, &hash.digest(msg), sig) {
                Ok(()) => SigCheck::Valid,
                Err(_) => SigCheck::Invalid,
            }
        }
        _ => SigCheck::Mismatch("not an RSA scheme".to_string()),
    }
}

fn verify_ecdsa(curve: Curve, point: &[u8], h: Hash, msg: &[u8], sig: &[u8]) -> SigCheck {
    use ring::signature as rs;
    if h == Hash::Md5Sha1 || h == Hash::Md5 {
        return SigCheck::Unsupported(format!("ECDSA with {}", h.name()));
    }
    // ring: uncompressed points, SHA-256/SHA-384 on P-256/P-384.
    if point.first() == Some(&0x04) {
        let alg: Option<&'static dyn rs::VerificationAlgorithm> = match (curve, h) {
            (Curve::P256, Hash::Sha256) => Some(&rs::ECDSA_P256_SHA256_ASN1),
            (Curve::P256, Hash::Sha384) => Some(&rs::ECDSA_P256_SHA384_ASN1),
            (Curve::P384, Hash::Sha256) => Some(&rs::ECDSA_P384_SHA256_ASN1),
            (Curve::P384, Hash::Sha384) => Some(&rs::ECDSA_P384_SHA384_ASN1),
            _ => None,
        };
        if let Some(alg) = alg {
            return ring_verify(alg, point, msg, sig);
        }
    }
    // RustCrypto with the prehash. A hash shorter than the field is taken as
    // an integer (FIPS 186-4 §6.4): left-pad it, which the ecdsa crate would
    // refuse under half the field size (SHA-1 or SHA-256 on P-521).
    let mut prehash = h.digest(msg);
    let field = curve.field_len();
    if prehash.len() < field {
        let mut padded = vec![0u8; field - prehash.len()];
        padded.extend_from_slice(&prehash);
        prehash = padded;
    }
    use p256::ecdsa::signature::hazmat::PrehashVerifier;
    let bad_point = || SigCheck::Malformed(format!("EC {} public key", curve.name()));
    let ok = match curve {
        Curve::P256 => {
            let Ok(vk) = p256::ecdsa::VerifyingKey::from_sec1_bytes(point) else {
                return bad_point();
            };
            let Ok(s) = p256::ecdsa::Signature::from_der(sig) else {
                return SigCheck::Invalid;
            };
            vk.verify_prehash(&prehash, &s).is_ok()
        }
        Curve::P384 => {
            let Ok(vk) = p384::ecdsa::VerifyingKey::from_sec1_bytes(point) else {
                return bad_point();
            };
            let Ok(s) = p384::ecdsa::Signature::from_der(sig) else {
                return SigCheck::Invalid;
            };
            vk.verify_prehash(&prehash, &s).is_ok()
        }
        Curve::P521 => {
            let Ok(vk) = p521::ecdsa::VerifyingKey::from_sec1_bytes(point) else {
                return bad_point();
            };
            let Ok(s) = p521::ecdsa::Signature::from_der(sig) else {
                return SigCheck::Invalid;
            };
            vk.verify_prehash(&prehash, &s).is_ok()
        }
    };
    if ok {
        SigCheck::Valid
    } else {
        SigCheck::Invalid
    }
}

#[cfg(test)]
pub(crate) mod fixtures_test;
#[cfg(test)]
mod tests;
