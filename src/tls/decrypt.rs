//! Record decryption with logged secrets: the TLS 1.3 key schedule
//! (HKDF-Expand-Label, [`tls13`]), the TLS 1.0–1.2 PRF, key block and
//! Finished and SSL 3.0's MD5/SHA-1 equivalents ([`prf`]), the suite table
//! ([`suites`]), the ciphers ([`ciphers`]) and a per-direction
//! [`RecordDecrypter`] ([`record`]).
//!
//! ring does AES-GCM, ChaCha20-Poly1305, HMAC, HKDF and the hashes;
//! RustCrypto does what ring lacks: the block ciphers for CBC (`aes`,
//! `camellia`, `aria`, `des`), AES-CCM (`ccm`), Camellia- and ARIA-GCM
//! (`aes-gcm`'s generic GCM), RC4 (`rc4`), and `md-5` for the MD5 half of
//! the TLS 1.0/1.1 PRF and SSL 3.0. The TLS-specific parts (label
//! encoding, PRF, nonces, AADs, CBC padding and MAC checks) are here.
//!
//! Nothing here prints key material: keys are held as
//! [`Secret`](crate::tls::keylog::Secret) (redacted `Debug`), errors carry
//! only fixed texts, and [`Plaintext`]'s `Debug` shows the content type and
//! length, not the data.

mod ciphers;
mod prf;
mod record;
mod suites;
mod tls13;

pub use prf::{
    key_block, master_secret, prf, ssl3_verify_data, ssl3_verify_finished, tls12_verify_data,
    tls12_verify_finished, DirectionKeys, KeyBlock,
};
pub use record::{Plaintext, RecordDecrypter};
pub use suites::{cipher_suite, supported_suites, BulkCipher, CipherSuite};
pub use tls13::{
    finished_key, finished_verify_data, hkdf_expand_label, next_traffic_secret, traffic_keys,
    verify_finished, TrafficKeys,
};

#[cfg(test)]
use crate::tls::stream::Side;
#[cfg(test)]
use prf::hmac_md5;
use ring::{digest, hkdf, hmac};
use std::fmt;

/// The largest TLSCiphertext fragment accepted (RFC 5246 §6.2.3).
pub const MAX_CIPHERTEXT_LEN: usize = (1 << 14) + 2048;

/// A hash function as used by a suite's PRF/HKDF/transcript or its MAC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashAlg {
    /// HMAC-MD5 (or SSL 3.0 MD5) record MACs of the old RC4/NULL suites.
    Md5,
    /// HMAC-SHA1 record MACs (CBC suites).
    Sha1,
    Sha256,
    Sha384,
    /// The TLS 1.0/1.1 PRF and handshake hash (MD5 ‖ SHA-1).
    Md5Sha1,
}

impl HashAlg {
    /// Output length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            HashAlg::Md5 => 16,
            HashAlg::Sha1 => 20,
            HashAlg::Sha256 => 32,
            HashAlg::Sha384 => 48,
            HashAlg::Md5Sha1 => 36,
        }
    }

    fn hmac_alg(self) -> Option<hmac::Algorithm> {
        match self {
            HashAlg::Sha1 => Some(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY),
            HashAlg::Sha256 => Some(hmac::HMAC_SHA256),
            HashAlg::Sha384 => Some(hmac::HMAC_SHA384),
            HashAlg::Md5 | HashAlg::Md5Sha1 => None,
        }
    }

    /// ring's digest, or `None` for the MD5-based ones.
    fn digest_alg(self) -> Option<&'static digest::Algorithm> {
        match self {
            HashAlg::Sha1 => Some(&digest::SHA1_FOR_LEGACY_USE_ONLY),
            HashAlg::Sha256 => Some(&digest::SHA256),
            HashAlg::Sha384 => Some(&digest::SHA384),
            HashAlg::Md5 | HashAlg::Md5Sha1 => None,
        }
    }

    fn hkdf_alg(self) -> Option<hkdf::Algorithm> {
        match self {
            HashAlg::Sha256 => Some(hkdf::HKDF_SHA256),
            HashAlg::Sha384 => Some(hkdf::HKDF_SHA384),
            _ => None,
        }
    }
}

/// A protocol version whose records this module can decrypt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Version {
    Ssl30,
    Tls10,
    Tls11,
    Tls12,
    Tls13,
}

impl Version {
    /// From the wire value (0x0300..=0x0304).
    pub fn from_wire(v: u16) -> Option<Version> {
        match v {
            0x0300 => Some(Version::Ssl30),
            0x0301 => Some(Version::Tls10),
            0x0302 => Some(Version::Tls11),
            0x0303 => Some(Version::Tls12),
            0x0304 => Some(Version::Tls13),
            _ => None,
        }
    }
}

/// Why a record (or a key derivation) failed. The texts are fixed: no key
/// material or record bytes ever go into them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecryptError {
    /// The AEAD tag, the HMAC or the CBC padding did not check out: the keys
    /// are wrong (or the record was corrupted, or is out of sequence).
    #[error("record authentication failed (bad_record_mac): wrong keys or a corrupted record")]
    BadRecordMac,
    #[error("cipher suite 0x{0:04x} is not supported for decryption")]
    UnsupportedSuite(u16),
    #[error("malformed record: {0}")]
    Malformed(&'static str),
    /// A secret of the wrong length for the suite, or a length the key
    /// schedule can't produce.
    #[error("unusable key material: {0}")]
    BadKeyMaterial(&'static str),
    /// The call does not fit the suite or version (e.g. a TLS 1.3 suite for
    /// a TLS 1.2 connection, or a KeyUpdate on TLS 1.2).
    #[error("invalid use: {0}")]
    InvalidUse(&'static str),
}

impl DecryptError {
    /// True for [`DecryptError::BadRecordMac`]: the sign of wrong keys.
    pub fn is_auth_failure(&self) -> bool {
        matches!(self, DecryptError::BadRecordMac)
    }
}

// ---------------------------------------------------------------------------
// Hashes

/// `Hash(data)` with `alg` (for [`HashAlg::Md5Sha1`], MD5 ‖ SHA-1).
pub fn hash(alg: HashAlg, data: &[u8]) -> Vec<u8> {
    let mut t = Transcript::new(alg);
    t.update(data);
    t.current_hash()
}

/// A running handshake transcript hash.
#[derive(Clone)]
pub struct Transcript {
    alg: HashAlg,
    /// SHA-1/SHA-2 (also the SHA-1 half of MD5 ‖ SHA-1).
    ring: Option<digest::Context>,
    md5: Option<md5::Md5>,
}

impl Transcript {
    pub fn new(alg: HashAlg) -> Transcript {
        let ring_alg = match alg {
            HashAlg::Md5 => None,
            HashAlg::Md5Sha1 => Some(&digest::SHA1_FOR_LEGACY_USE_ONLY),
            other => other.digest_alg(),
        };
        let md5 =
            matches!(alg, HashAlg::Md5 | HashAlg::Md5Sha1).then(<md5::Md5 as md5::Digest>::new);
        Transcript {
            alg,
            ring: ring_alg.map(digest::Context::new),
            md5,
        }
    }

    pub fn alg(&self) -> HashAlg {
        self.alg
    }

    /// Adds handshake message bytes (each with its 4-byte header).
    pub fn update(&mut self, data: &[u8]) {
        if let Some(r) = &mut self.ring {
            r.update(data);
        }
        if let Some(m) = &mut self.md5 {
            md5::Digest::update(m, data);
        }
    }

    /// The hash of everything so far; the transcript can go on.
    pub fn current_hash(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.alg.output_len());
        if let Some(m) = &self.md5 {
            out.extend_from_slice(&md5::Digest::finalize(m.clone()));
        }
        if let Some(r) = &self.ring {
            out.extend_from_slice(r.clone().finish().as_ref());
        }
        out
    }
}

impl fmt::Debug for Transcript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transcript")
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod suite_tests;
#[cfg(test)]
mod tests;
