//! Record decryption with logged secrets: the TLS 1.3 key schedule
//! (HKDF-Expand-Label), the TLS 1.0–1.2 PRF and key block, Finished checks,
//! and a per-direction [`RecordDecrypter`].
//!
//! ring does AES-GCM, ChaCha20-Poly1305, HMAC, HKDF and the hashes; the
//! RustCrypto `aes` block cipher does CBC and, through `ccm`, AES-CCM (ring
//! has neither), and `md-5` the MD5 half of the TLS 1.0/1.1 PRF. The TLS-specific parts (label encoding, PRF, nonces,
//! AADs, CBC padding and MAC checks) are here.
//!
//! Nothing here prints key material: keys are held as
//! [`Secret`](crate::tls::keylog::Secret) (redacted `Debug`), errors carry
//! only fixed texts, and [`Plaintext`]'s `Debug` shows the content type and
//! length, not the data.

use crate::tls::keylog::Secret;
use crate::tls::stream::Side;
use aes::cipher::{generic_array::GenericArray, BlockDecrypt, KeyInit};
use ring::{aead, digest, hkdf, hmac};
use std::fmt;

/// The largest TLSCiphertext fragment accepted (RFC 5246 §6.2.3).
pub const MAX_CIPHERTEXT_LEN: usize = (1 << 14) + 2048;

/// A hash function as used by a suite's PRF/HKDF/transcript or its MAC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashAlg {
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
            HashAlg::Md5Sha1 => None,
        }
    }

    fn digest_alg(self) -> Option<&'static digest::Algorithm> {
        match self {
            HashAlg::Sha1 => Some(&digest::SHA1_FOR_LEGACY_USE_ONLY),
            HashAlg::Sha256 => Some(&digest::SHA256),
            HashAlg::Sha384 => Some(&digest::SHA384),
            HashAlg::Md5Sha1 => None,
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
    Tls10,
    Tls11,
    Tls12,
    Tls13,
}

impl Version {
    /// From the wire value (0x0301..=0x0304).
    pub fn from_wire(v: u16) -> Option<Version> {
        match v {
            0x0301 => Some(Version::Tls10),
            0x0302 => Some(Version::Tls11),
            0x0303 => Some(Version::Tls12),
            0x0304 => Some(Version::Tls13),
            _ => None,
        }
    }
}

/// The bulk cipher of a suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BulkCipher {
    Aes128Gcm,
    Aes256Gcm,
    ChaCha20Poly1305,
    /// AES-CCM with a 16-byte tag.
    Aes128Ccm,
    Aes256Ccm,
    /// AES-CCM with an 8-byte tag.
    Aes128Ccm8,
    Aes256Ccm8,
    Aes128Cbc,
    Aes256Cbc,
}

impl BulkCipher {
    pub fn is_aead(self) -> bool {
        !matches!(self, BulkCipher::Aes128Cbc | BulkCipher::Aes256Cbc)
    }

    fn ring_aead(self) -> Option<&'static aead::Algorithm> {
        match self {
            BulkCipher::Aes128Gcm => Some(&aead::AES_128_GCM),
            BulkCipher::Aes256Gcm => Some(&aead::AES_256_GCM),
            BulkCipher::ChaCha20Poly1305 => Some(&aead::CHACHA20_POLY1305),
            _ => None,
        }
    }
}

/// What a cipher suite means for record protection and key derivation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CipherSuite {
    pub id: u16,
    pub name: &'static str,
    /// TLS 1.3 suites only work with TLS 1.3, the others only before it.
    pub tls13: bool,
    pub cipher: BulkCipher,
    /// Encryption key length in bytes.
    pub key_len: usize,
    /// The implicit (fixed) IV from the key schedule: 12 for TLS 1.3 and
    /// ChaCha20, 4 for TLS 1.2 GCM, 0 for TLS 1.2 CBC (16 for CBC in
    /// TLS 1.0, see [`CipherSuite::fixed_iv_len_for`]).
    pub fixed_iv_len: usize,
    /// Per-record explicit nonce/IV at the start of the body: 8 for
    /// TLS 1.2 GCM, 16 for CBC in TLS 1.1/1.2, 0 otherwise.
    pub explicit_nonce_len: usize,
    /// The AEAD tag length (16, or 8 for the CCM_8 suites); 0 for CBC.
    pub tag_len: usize,
    /// The record MAC of a CBC suite (`None` for AEADs).
    pub mac: Option<HashAlg>,
    /// The PRF hash (TLS 1.2) or HKDF/transcript hash (TLS 1.3).
    pub hash: HashAlg,
}

const fn tls13(
    id: u16,
    name: &'static str,
    cipher: BulkCipher,
    key_len: usize,
    hash: HashAlg,
) -> CipherSuite {
    CipherSuite {
        id,
        name,
        tls13: true,
        cipher,
        key_len,
        fixed_iv_len: 12,
        explicit_nonce_len: 0,
        tag_len: match cipher {
            BulkCipher::Aes128Ccm8 | BulkCipher::Aes256Ccm8 => 8,
            _ => 16,
        },
        mac: None,
        hash,
    }
}

const fn gcm12(id: u16, name: &'static str, aes256: bool) -> CipherSuite {
    CipherSuite {
        id,
        name,
        tls13: false,
        cipher: if aes256 {
            BulkCipher::Aes256Gcm
        } else {
            BulkCipher::Aes128Gcm
        },
        key_len: if aes256 { 32 } else { 16 },
        fixed_iv_len: 4,
        explicit_nonce_len: 8,
        tag_len: 16,
        mac: None,
        hash: if aes256 {
            HashAlg::Sha384
        } else {
            HashAlg::Sha256
        },
    }
}

const fn chacha12(id: u16, name: &'static str) -> CipherSuite {
    CipherSuite {
        id,
        name,
        tls13: false,
        cipher: BulkCipher::ChaCha20Poly1305,
        key_len: 32,
        fixed_iv_len: 12,
        explicit_nonce_len: 0,
        tag_len: 16,
        mac: None,
        hash: HashAlg::Sha256,
    }
}

/// TLS 1.2 AES-CCM (RFC 6655, RFC 7251): the GCM nonce layout, SHA-256 PRF.
const fn ccm12(id: u16, name: &'static str, aes256: bool, short_tag: bool) -> CipherSuite {
    CipherSuite {
        id,
        name,
        tls13: false,
        cipher: match (aes256, short_tag) {
            (false, false) => BulkCipher::Aes128Ccm,
            (true, false) => BulkCipher::Aes256Ccm,
            (false, true) => BulkCipher::Aes128Ccm8,
            (true, true) => BulkCipher::Aes256Ccm8,
        },
        key_len: if aes256 { 32 } else { 16 },
        fixed_iv_len: 4,
        explicit_nonce_len: 8,
        tag_len: if short_tag { 8 } else { 16 },
        mac: None,
        hash: HashAlg::Sha256,
    }
}

const fn cbc12(id: u16, name: &'static str, aes256: bool, mac: HashAlg) -> CipherSuite {
    CipherSuite {
        id,
        name,
        tls13: false,
        cipher: if aes256 {
            BulkCipher::Aes256Cbc
        } else {
            BulkCipher::Aes128Cbc
        },
        key_len: if aes256 { 32 } else { 16 },
        fixed_iv_len: 0,
        explicit_nonce_len: 16,
        tag_len: 0,
        mac: Some(mac),
        // SHA-1 and SHA-256 MAC suites use the default TLS 1.2 PRF.
        hash: match mac {
            HashAlg::Sha384 => HashAlg::Sha384,
            _ => HashAlg::Sha256,
        },
    }
}

use HashAlg::{Sha1, Sha256, Sha384};

static SUITES: &[CipherSuite] = &[
    tls13(
        0x1301,
        "TLS_AES_128_GCM_SHA256",
        BulkCipher::Aes128Gcm,
        16,
        Sha256,
    ),
    tls13(
        0x1302,
        "TLS_AES_256_GCM_SHA384",
        BulkCipher::Aes256Gcm,
        32,
        Sha384,
    ),
    tls13(
        0x1303,
        "TLS_CHACHA20_POLY1305_SHA256",
        BulkCipher::ChaCha20Poly1305,
        32,
        Sha256,
    ),
    tls13(
        0x1304,
        "TLS_AES_128_CCM_SHA256",
        BulkCipher::Aes128Ccm,
        16,
        Sha256,
    ),
    tls13(
        0x1305,
        "TLS_AES_128_CCM_8_SHA256",
        BulkCipher::Aes128Ccm8,
        16,
        Sha256,
    ),
    gcm12(0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", false),
    gcm12(0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", true),
    gcm12(0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", false),
    gcm12(0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", true),
    gcm12(0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256", false),
    gcm12(0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384", true),
    gcm12(0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", false),
    gcm12(0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", true),
    chacha12(0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
    chacha12(0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
    chacha12(0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
    ccm12(0xc09c, "TLS_RSA_WITH_AES_128_CCM", false, false),
    ccm12(0xc09d, "TLS_RSA_WITH_AES_256_CCM", true, false),
    ccm12(0xc09e, "TLS_DHE_RSA_WITH_AES_128_CCM", false, false),
    ccm12(0xc09f, "TLS_DHE_RSA_WITH_AES_256_CCM", true, false),
    ccm12(0xc0a0, "TLS_RSA_WITH_AES_128_CCM_8", false, true),
    ccm12(0xc0a1, "TLS_RSA_WITH_AES_256_CCM_8", true, true),
    ccm12(0xc0a2, "TLS_DHE_RSA_WITH_AES_128_CCM_8", false, true),
    ccm12(0xc0a3, "TLS_DHE_RSA_WITH_AES_256_CCM_8", true, true),
    ccm12(0xc0ac, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", false, false),
    ccm12(0xc0ad, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM", true, false),
    ccm12(0xc0ae, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", false, true),
    ccm12(0xc0af, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8", true, true),
    cbc12(0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", false, Sha1),
    cbc12(0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", true, Sha1),
    cbc12(0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", false, Sha1),
    cbc12(0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", true, Sha1),
    cbc12(0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA", false, Sha1),
    cbc12(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", true, Sha1),
    cbc12(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", false, Sha1),
    cbc12(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", true, Sha1),
    cbc12(
        0xc023,
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
        false,
        Sha256,
    ),
    cbc12(
        0xc024,
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
        true,
        Sha384,
    ),
    cbc12(
        0xc027,
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        false,
        Sha256,
    ),
    cbc12(
        0xc028,
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
        true,
        Sha384,
    ),
    cbc12(0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256", false, Sha256),
    cbc12(0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256", true, Sha256),
    cbc12(0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", false, Sha256),
    cbc12(0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", true, Sha256),
];

/// The suite with this id, or [`DecryptError::UnsupportedSuite`].
pub fn cipher_suite(id: u16) -> Result<&'static CipherSuite, DecryptError> {
    SUITES
        .iter()
        .find(|s| s.id == id)
        .ok_or(DecryptError::UnsupportedSuite(id))
}

/// All suites this module can decrypt.
pub fn supported_suites() -> &'static [CipherSuite] {
    SUITES
}

impl CipherSuite {
    /// The key-schedule IV length for this suite in `version` (CBC gets a
    /// 16-byte IV from the key block only in TLS 1.0/1.1).
    pub fn fixed_iv_len_for(&self, version: Version) -> usize {
        match (self.cipher.is_aead(), version) {
            (false, Version::Tls10 | Version::Tls11) => 16,
            _ => self.fixed_iv_len,
        }
    }

    /// The hash of the PRF and of the Finished transcript in `version`:
    /// MD5 ‖ SHA-1 before TLS 1.2, the suite's hash from TLS 1.2 on.
    pub fn handshake_hash(&self, version: Version) -> HashAlg {
        match version {
            Version::Tls10 | Version::Tls11 => HashAlg::Md5Sha1,
            _ => self.hash,
        }
    }

    /// Whether records of this suite can be used with `version`.
    pub fn allowed_in(&self, version: Version) -> bool {
        match version {
            Version::Tls13 => self.tls13,
            Version::Tls12 => !self.tls13,
            Version::Tls10 | Version::Tls11 => !self.tls13 && !self.cipher.is_aead(),
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
    ring: digest::Context,
    md5: Option<md5::Md5>,
}

impl Transcript {
    pub fn new(alg: HashAlg) -> Transcript {
        let (ring_alg, md5) = match alg.digest_alg() {
            Some(a) => (a, None),
            None => (
                &digest::SHA1_FOR_LEGACY_USE_ONLY,
                Some(<md5::Md5 as md5::Digest>::new()),
            ),
        };
        Transcript {
            alg,
            ring: digest::Context::new(ring_alg),
            md5,
        }
    }

    pub fn alg(&self) -> HashAlg {
        self.alg
    }

    /// Adds handshake message bytes (each with its 4-byte header).
    pub fn update(&mut self, data: &[u8]) {
        self.ring.update(data);
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
        out.extend_from_slice(self.ring.clone().finish().as_ref());
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

// ---------------------------------------------------------------------------
// TLS 1.3 key schedule (RFC 8446 §7.1)

struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

/// HKDF-Expand-Label(secret, label, context, len) with `"tls13 "` prefixed
/// to `label`. `secret` is used as the PRK as is.
pub fn hkdf_expand_label(
    alg: HashAlg,
    secret: &[u8],
    label: &[u8],
    context: &[u8],
    len: usize,
) -> Result<Secret, DecryptError> {
    let hkdf_alg = alg
        .hkdf_alg()
        .ok_or(DecryptError::InvalidUse("HKDF needs SHA-256 or SHA-384"))?;
    if len > 255 * alg.output_len() || len > usize::from(u16::MAX) {
        return Err(DecryptError::BadKeyMaterial("HKDF output too long"));
    }
    let full_label_len = 6 + label.len();
    if full_label_len > 255 || context.len() > 255 {
        return Err(DecryptError::InvalidUse("HKDF label or context too long"));
    }
    let mut info = Vec::with_capacity(4 + full_label_len + context.len());
    info.extend_from_slice(&(len as u16).to_be_bytes());
    info.push(full_label_len as u8);
    info.extend_from_slice(b"tls13 ");
    info.extend_from_slice(label);
    info.push(context.len() as u8);
    info.extend_from_slice(context);
    let prk = hkdf::Prk::new_less_safe(hkdf_alg, secret);
    let info_parts = [info.as_slice()];
    let okm = prk
        .expand(&info_parts, Len(len))
        .map_err(|_| DecryptError::BadKeyMaterial("HKDF expand failed"))?;
    let mut out = vec![0u8; len];
    okm.fill(&mut out)
        .map_err(|_| DecryptError::BadKeyMaterial("HKDF expand failed"))?;
    Ok(Secret::new(out))
}

/// A record protection key and IV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrafficKeys {
    pub key: Secret,
    pub iv: Secret,
}

fn check_tls13(suite: &CipherSuite, secret: &[u8]) -> Result<(), DecryptError> {
    if !suite.tls13 {
        return Err(DecryptError::InvalidUse("not a TLS 1.3 cipher suite"));
    }
    if secret.len() != suite.hash.output_len() {
        return Err(DecryptError::BadKeyMaterial(
            "traffic secret length does not match the cipher suite's hash",
        ));
    }
    Ok(())
}

/// The record key and IV for a TLS 1.3 traffic secret:
/// `HKDF-Expand-Label(secret, "key", "", key_len)` and `(…, "iv", "", 12)`.
pub fn traffic_keys(suite: &CipherSuite, secret: &[u8]) -> Result<TrafficKeys, DecryptError> {
    check_tls13(suite, secret)?;
    Ok(TrafficKeys {
        key: hkdf_expand_label(suite.hash, secret, b"key", b"", suite.key_len)?,
        iv: hkdf_expand_label(suite.hash, secret, b"iv", b"", suite.fixed_iv_len)?,
    })
}

/// `finished_key = HKDF-Expand-Label(base_key, "finished", "", Hash.length)`.
pub fn finished_key(alg: HashAlg, base_secret: &[u8]) -> Result<Secret, DecryptError> {
    hkdf_expand_label(alg, base_secret, b"finished", b"", alg.output_len())
}

/// The TLS 1.3 Finished verify_data expected for `transcript_hash` (the
/// hash of the handshake up to, not including, this Finished).
pub fn finished_verify_data(
    suite: &CipherSuite,
    base_secret: &[u8],
    transcript_hash: &[u8],
) -> Result<Vec<u8>, DecryptError> {
    check_tls13(suite, base_secret)?;
    let key = finished_key(suite.hash, base_secret)?;
    let alg = suite
        .hash
        .hmac_alg()
        .ok_or(DecryptError::InvalidUse("this hash has no HMAC"))?;
    let tag = hmac::sign(&hmac::Key::new(alg, key.as_bytes()), transcript_hash);
    Ok(tag.as_ref().to_vec())
}

/// Whether a TLS 1.3 Finished `verify_data` matches. `base_secret` is the
/// sender's handshake traffic secret (or, for post-handshake
/// authentication, its application traffic secret).
pub fn verify_finished(
    suite: &CipherSuite,
    base_secret: &[u8],
    transcript_hash: &[u8],
    verify_data: &[u8],
) -> bool {
    finished_verify_data(suite, base_secret, transcript_hash)
        .map(|expected| ct_eq(&expected, verify_data))
        .unwrap_or(false)
}

/// The next application traffic secret after a KeyUpdate:
/// `HKDF-Expand-Label(secret, "traffic upd", "", Hash.length)`.
pub fn next_traffic_secret(alg: HashAlg, secret: &[u8]) -> Result<Secret, DecryptError> {
    hkdf_expand_label(alg, secret, b"traffic upd", b"", alg.output_len())
}

// ---------------------------------------------------------------------------
// TLS 1.0–1.2 PRF and key block (RFC 5246 §5, §6.3; RFC 2246 §5)

fn p_hash(alg: hmac::Algorithm, secret: &[u8], label_seed: &[&[u8]], out: &mut [u8]) {
    let key = hmac::Key::new(alg, secret);
    // A(1) = HMAC(secret, label ‖ seed)
    let mut ctx = hmac::Context::with_key(&key);
    for part in label_seed {
        ctx.update(part);
    }
    let mut a = ctx.sign();
    let mut filled = 0;
    while filled < out.len() {
        let mut ctx = hmac::Context::with_key(&key);
        ctx.update(a.as_ref());
        for part in label_seed {
            ctx.update(part);
        }
        let block = ctx.sign();
        let n = (out.len() - filled).min(block.as_ref().len());
        out[filled..filled + n].copy_from_slice(&block.as_ref()[..n]);
        filled += n;
        a = hmac::sign(&key, a.as_ref());
    }
}

fn hmac_md5(key: &[u8], parts: &[&[u8]]) -> [u8; 16] {
    use md5::Digest;
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..16].copy_from_slice(&md5::Md5::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = md5::Md5::new();
    inner.update(k.map(|b| b ^ 0x36));
    for p in parts {
        inner.update(p);
    }
    let mut outer = md5::Md5::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

fn p_md5(secret: &[u8], label_seed: &[&[u8]], out: &mut [u8]) {
    let mut a = hmac_md5(secret, label_seed);
    let mut filled = 0;
    while filled < out.len() {
        let mut parts: Vec<&[u8]> = vec![&a];
        parts.extend_from_slice(label_seed);
        let block = hmac_md5(secret, &parts);
        let n = (out.len() - filled).min(16);
        out[filled..filled + n].copy_from_slice(&block[..n]);
        filled += n;
        a = hmac_md5(secret, &[&a]);
    }
}

/// `PRF(secret, label, seed)` truncated to `len` bytes: P_SHA256/P_SHA384
/// for TLS 1.2 (`alg` = the suite's hash), P_MD5 ⊕ P_SHA1 over the two
/// halves of the secret for TLS 1.0/1.1 (`alg` = [`HashAlg::Md5Sha1`]).
pub fn prf(alg: HashAlg, secret: &[u8], label: &[u8], seed: &[u8], len: usize) -> Secret {
    let mut out = vec![0u8; len];
    let label_seed = [label, seed];
    match alg.hmac_alg() {
        Some(h) => p_hash(h, secret, &label_seed, &mut out),
        None => {
            let half = secret.len().div_ceil(2);
            let (s1, s2) = (&secret[..half], &secret[secret.len() - half..]);
            p_md5(s1, &label_seed, &mut out);
            let mut sha = vec![0u8; len];
            p_hash(
                hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
                s2,
                &label_seed,
                &mut sha,
            );
            for (o, s) in out.iter_mut().zip(&sha) {
                *o ^= s;
            }
        }
    }
    Secret::new(out)
}

/// One direction's record keys from the TLS 1.0–1.2 key block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectionKeys {
    pub version: Version,
    /// Empty for AEAD suites.
    pub mac_key: Secret,
    pub key: Secret,
    /// The implicit IV (GCM salt, ChaCha20 IV, TLS 1.0 CBC first IV); empty
    /// for CBC in TLS 1.1/1.2.
    pub iv: Secret,
}

/// The key block split into the client's and the server's write keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyBlock {
    pub client: DirectionKeys,
    pub server: DirectionKeys,
}

impl KeyBlock {
    /// The keys that protect what `side` sends.
    pub fn for_side(&self, side: Side) -> &DirectionKeys {
        match side {
            Side::Client => &self.client,
            Side::Server => &self.server,
        }
    }
}

fn check_legacy(suite: &CipherSuite, version: Version) -> Result<(), DecryptError> {
    if version == Version::Tls13 {
        return Err(DecryptError::InvalidUse("TLS 1.3 has no key block"));
    }
    if !suite.allowed_in(version) {
        return Err(DecryptError::InvalidUse(
            "cipher suite not allowed in this protocol version",
        ));
    }
    Ok(())
}

fn check_master(master_secret: &[u8]) -> Result<(), DecryptError> {
    if master_secret.len() != 48 {
        return Err(DecryptError::BadKeyMaterial(
            "master secret is not 48 bytes",
        ));
    }
    Ok(())
}

/// `key_block = PRF(master_secret, "key expansion", server_random ‖
/// client_random)`, split into client/server MAC keys, keys and IVs.
pub fn key_block(
    suite: &CipherSuite,
    version: Version,
    master_secret: &[u8],
    client_random: &[u8; 32],
    server_random: &[u8; 32],
) -> Result<KeyBlock, DecryptError> {
    check_legacy(suite, version)?;
    check_master(master_secret)?;
    let mac_len = suite.mac.map_or(0, HashAlg::output_len);
    let iv_len = suite.fixed_iv_len_for(version);
    let total = 2 * (mac_len + suite.key_len + iv_len);
    let mut seed = [0u8; 64];
    seed[..32].copy_from_slice(server_random);
    seed[32..].copy_from_slice(client_random);
    let block = prf(
        suite.handshake_hash(version),
        master_secret,
        b"key expansion",
        &seed,
        total,
    );
    let b = block.as_bytes();
    let mut at = 0;
    let mut take = |n: usize| {
        let s = Secret::new(b[at..at + n].to_vec());
        at += n;
        s
    };
    let (cm, sm) = (take(mac_len), take(mac_len));
    let (ck, sk) = (take(suite.key_len), take(suite.key_len));
    let (ci, si) = (take(iv_len), take(iv_len));
    Ok(KeyBlock {
        client: DirectionKeys {
            version,
            mac_key: cm,
            key: ck,
            iv: ci,
        },
        server: DirectionKeys {
            version,
            mac_key: sm,
            key: sk,
            iv: si,
        },
    })
}

/// The TLS 1.0–1.2 Finished verify_data that `side` must send:
/// `PRF(master_secret, "client finished" | "server finished",
/// handshake_hash)[..12]`, where `handshake_hash` is the hash
/// ([`CipherSuite::handshake_hash`]) of all handshake messages before it.
pub fn tls12_verify_data(
    suite: &CipherSuite,
    version: Version,
    master_secret: &[u8],
    side: Side,
    handshake_hash: &[u8],
) -> Result<[u8; 12], DecryptError> {
    check_legacy(suite, version)?;
    check_master(master_secret)?;
    let label: &[u8] = match side {
        Side::Client => b"client finished",
        Side::Server => b"server finished",
    };
    let out = prf(
        suite.handshake_hash(version),
        master_secret,
        label,
        handshake_hash,
        12,
    );
    let mut vd = [0u8; 12];
    vd.copy_from_slice(out.as_bytes());
    Ok(vd)
}

/// Whether a TLS 1.0–1.2 Finished `verify_data` from `side` matches.
pub fn tls12_verify_finished(
    suite: &CipherSuite,
    version: Version,
    master_secret: &[u8],
    side: Side,
    handshake_hash: &[u8],
    verify_data: &[u8],
) -> bool {
    tls12_verify_data(suite, version, master_secret, side, handshake_hash)
        .map(|expected| ct_eq(&expected, verify_data))
        .unwrap_or(false)
}

fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

// ---------------------------------------------------------------------------
// Record decryption

/// A decrypted record: its (inner, for TLS 1.3) content type and data.
#[derive(Clone, PartialEq, Eq)]
pub struct Plaintext {
    pub content_type: u8,
    pub data: Vec<u8>,
}

impl fmt::Debug for Plaintext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Plaintext")
            .field("content_type", &self.content_type)
            .field("len", &self.data.len())
            .finish()
    }
}

enum Aes {
    Aes128(Box<aes::Aes128>),
    Aes256(Box<aes::Aes256>),
}

impl Aes {
    fn new(cipher: BulkCipher, key: &[u8]) -> Result<Aes, DecryptError> {
        let bad = |_| DecryptError::BadKeyMaterial("AES key length does not match the suite");
        Ok(match cipher {
            BulkCipher::Aes128Cbc => {
                Aes::Aes128(Box::new(aes::Aes128::new_from_slice(key).map_err(bad)?))
            }
            BulkCipher::Aes256Cbc => {
                Aes::Aes256(Box::new(aes::Aes256::new_from_slice(key).map_err(bad)?))
            }
            _ => return Err(DecryptError::InvalidUse("not a CBC suite")),
        })
    }

    /// CBC-decrypts `data` (a multiple of 16 bytes) in place.
    fn cbc_decrypt(&self, iv: &[u8; 16], data: &mut [u8]) {
        let mut prev = *iv;
        for block in data.chunks_exact_mut(16) {
            let mut cur = [0u8; 16];
            cur.copy_from_slice(block);
            let ga = GenericArray::from_mut_slice(block);
            match self {
                Aes::Aes128(c) => c.decrypt_block(ga),
                Aes::Aes256(c) => c.decrypt_block(ga),
            }
            for (b, p) in block.iter_mut().zip(prev) {
                *b ^= p;
            }
            prev = cur;
        }
    }
}

enum State {
    Tls13 {
        secret: Secret,
        key: AeadKey,
        iv: [u8; 12],
    },
    Aead {
        key: AeadKey,
        /// GCM/CCM: 4 bytes of salt then zeros; ChaCha20: the 12-byte IV.
        iv: [u8; 12],
        explicit: bool,
    },
    Cbc {
        aes: Aes,
        mac: hmac::Key,
        mac_len: usize,
        etm: bool,
        /// TLS 1.0: the IV for the next record (the last ciphertext block).
        chained_iv: Option<[u8; 16]>,
    },
}

/// Decrypts the records of one direction of one connection, in order.
///
/// The sequence number advances only when a record decrypts; a record that
/// fails (e.g. rejected 0-RTT data under handshake keys) leaves the state
/// as it was.
pub struct RecordDecrypter {
    suite: CipherSuite,
    version: Version,
    seq: u64,
    state: State,
}

impl fmt::Debug for RecordDecrypter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordDecrypter")
            .field("suite", &self.suite.name)
            .field("version", &self.version)
            .field("seq", &self.seq)
            .finish_non_exhaustive()
    }
}

type Ccm128 = ccm::Ccm<aes::Aes128, ccm::consts::U16, ccm::consts::U12>;
type Ccm256 = ccm::Ccm<aes::Aes256, ccm::consts::U16, ccm::consts::U12>;
type Ccm128Short = ccm::Ccm<aes::Aes128, ccm::consts::U8, ccm::consts::U12>;
type Ccm256Short = ccm::Ccm<aes::Aes256, ccm::consts::U8, ccm::consts::U12>;

/// An AEAD key: ring's for GCM and ChaCha20-Poly1305, RustCrypto's CCM.
enum AeadKey {
    Ring(Box<aead::LessSafeKey>),
    Ccm128(Box<Ccm128>),
    Ccm256(Box<Ccm256>),
    Ccm128Short(Box<Ccm128Short>),
    Ccm256Short(Box<Ccm256Short>),
}

impl AeadKey {
    fn new(suite: &CipherSuite, key: &[u8]) -> Result<AeadKey, DecryptError> {
        use ccm::KeyInit;
        let bad = DecryptError::BadKeyMaterial("AEAD key length does not match the suite");
        if key.len() != suite.key_len {
            return Err(bad);
        }
        Ok(match suite.cipher {
            BulkCipher::Aes128Ccm => {
                AeadKey::Ccm128(Box::new(Ccm128::new_from_slice(key).map_err(|_| bad)?))
            }
            BulkCipher::Aes256Ccm => {
                AeadKey::Ccm256(Box::new(Ccm256::new_from_slice(key).map_err(|_| bad)?))
            }
            BulkCipher::Aes128Ccm8 => {
                AeadKey::Ccm128Short(Box::new(Ccm128Short::new_from_slice(key).map_err(|_| bad)?))
            }
            BulkCipher::Aes256Ccm8 => {
                AeadKey::Ccm256Short(Box::new(Ccm256Short::new_from_slice(key).map_err(|_| bad)?))
            }
            other => {
                let alg = other
                    .ring_aead()
                    .ok_or(DecryptError::InvalidUse("not an AEAD suite"))?;
                let unbound = aead::UnboundKey::new(alg, key).map_err(|_| bad)?;
                AeadKey::Ring(Box::new(aead::LessSafeKey::new(unbound)))
            }
        })
    }

    fn tag_len(&self) -> usize {
        match self {
            AeadKey::Ring(_) | AeadKey::Ccm128(_) | AeadKey::Ccm256(_) => 16,
            AeadKey::Ccm128Short(_) | AeadKey::Ccm256Short(_) => 8,
        }
    }

    /// Opens `ciphertext ‖ tag` and returns the plaintext.
    fn open(&self, nonce: [u8; 12], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, DecryptError> {
        let tag_len = self.tag_len();
        if sealed.len() < tag_len {
            return Err(DecryptError::Malformed("record too short for its tag"));
        }
        let mut buf = sealed.to_vec();
        if let AeadKey::Ring(key) = self {
            let n = key
                .open_in_place(
                    aead::Nonce::assume_unique_for_key(nonce),
                    aead::Aad::from(aad),
                    &mut buf,
                )
                .map_err(|_| DecryptError::BadRecordMac)?
                .len();
            buf.truncate(n);
            return Ok(buf);
        }
        use ccm::aead::generic_array::GenericArray as Ga;
        use ccm::AeadInPlace;
        let (data, tag) = buf.split_at_mut(sealed.len() - tag_len);
        let nonce = Ga::from_slice(&nonce);
        let ok = match self {
            AeadKey::Ring(_) => unreachable!("handled above"),
            AeadKey::Ccm128(c) => {
                c.decrypt_in_place_detached(nonce, aad, data, Ga::from_slice(tag))
            }
            AeadKey::Ccm256(c) => {
                c.decrypt_in_place_detached(nonce, aad, data, Ga::from_slice(tag))
            }
            AeadKey::Ccm128Short(c) => {
                c.decrypt_in_place_detached(nonce, aad, data, Ga::from_slice(tag))
            }
            AeadKey::Ccm256Short(c) => {
                c.decrypt_in_place_detached(nonce, aad, data, Ga::from_slice(tag))
            }
        };
        ok.map_err(|_| DecryptError::BadRecordMac)?;
        buf.truncate(sealed.len() - tag_len);
        Ok(buf)
    }
}

fn tls13_state(suite: &CipherSuite, secret: &[u8]) -> Result<State, DecryptError> {
    let keys = traffic_keys(suite, secret)?;
    let mut iv = [0u8; 12];
    iv.copy_from_slice(keys.iv.as_bytes());
    Ok(State::Tls13 {
        secret: Secret::new(secret.to_vec()),
        key: AeadKey::new(suite, keys.key.as_bytes())?,
        iv,
    })
}

fn xor_seq(iv: &[u8; 12], seq: u64) -> [u8; 12] {
    let mut nonce = *iv;
    for (n, s) in nonce[4..].iter_mut().zip(seq.to_be_bytes()) {
        *n ^= s;
    }
    nonce
}

impl RecordDecrypter {
    /// A TLS 1.3 decrypter from a handshake or application traffic secret.
    pub fn tls13(suite: &CipherSuite, traffic_secret: &[u8]) -> Result<Self, DecryptError> {
        Ok(RecordDecrypter {
            suite: *suite,
            version: Version::Tls13,
            seq: 0,
            state: tls13_state(suite, traffic_secret)?,
        })
    }

    /// A TLS 1.0–1.2 decrypter from one direction's keys
    /// ([`KeyBlock::for_side`]). `encrypt_then_mac` (RFC 7366) matters for
    /// CBC suites only: set it when both hellos carried the extension.
    pub fn tls12(
        suite: &CipherSuite,
        keys: &DirectionKeys,
        encrypt_then_mac: bool,
    ) -> Result<Self, DecryptError> {
        check_legacy(suite, keys.version)?;
        let bad_len = DecryptError::BadKeyMaterial("key length does not match the suite");
        if keys.key.len() != suite.key_len || keys.iv.len() != suite.fixed_iv_len_for(keys.version)
        {
            return Err(bad_len);
        }
        let state = if suite.cipher.is_aead() {
            let mut iv = [0u8; 12];
            iv[..keys.iv.len()].copy_from_slice(keys.iv.as_bytes());
            State::Aead {
                key: AeadKey::new(suite, keys.key.as_bytes())?,
                iv,
                explicit: suite.explicit_nonce_len > 0,
            }
        } else {
            let mac_alg = suite
                .mac
                .ok_or(DecryptError::InvalidUse("a CBC suite without a MAC"))?;
            let hmac_alg = mac_alg
                .hmac_alg()
                .ok_or(DecryptError::InvalidUse("this hash has no HMAC"))?;
            if keys.mac_key.len() != mac_alg.output_len() {
                return Err(bad_len);
            }
            let chained_iv = match keys.version {
                Version::Tls10 => {
                    let iv: [u8; 16] = keys.iv.as_bytes().try_into().map_err(|_| bad_len)?;
                    Some(iv)
                }
                _ => None,
            };
            State::Cbc {
                aes: Aes::new(suite.cipher, keys.key.as_bytes())?,
                mac: hmac::Key::new(hmac_alg, keys.mac_key.as_bytes()),
                mac_len: mac_alg.output_len(),
                etm: encrypt_then_mac,
                chained_iv,
            }
        };
        Ok(RecordDecrypter {
            suite: *suite,
            version: keys.version,
            seq: 0,
            state,
        })
    }

    /// Convenience: both directions' decrypters straight from a master
    /// secret, as `(client's, server's)`.
    pub fn tls12_pair(
        suite: &CipherSuite,
        version: Version,
        master_secret: &[u8],
        client_random: &[u8; 32],
        server_random: &[u8; 32],
        encrypt_then_mac: bool,
    ) -> Result<(Self, Self), DecryptError> {
        let kb = key_block(suite, version, master_secret, client_random, server_random)?;
        Ok((
            RecordDecrypter::tls12(suite, &kb.client, encrypt_then_mac)?,
            RecordDecrypter::tls12(suite, &kb.server, encrypt_then_mac)?,
        ))
    }

    pub fn suite(&self) -> &CipherSuite {
        &self.suite
    }

    pub fn version(&self) -> Version {
        self.version
    }

    /// The sequence number of the next record.
    pub fn sequence(&self) -> u64 {
        self.seq
    }

    /// Sets the sequence number of the next record (e.g. to resume after
    /// records lost in a capture gap).
    pub fn set_sequence(&mut self, seq: u64) {
        self.seq = seq;
    }

    /// TLS 1.3: switch to a new traffic secret (handshake → application
    /// keys, or a KeyUpdate); the sequence number restarts at 0.
    pub fn rekey(&mut self, new_secret: &[u8]) -> Result<(), DecryptError> {
        if self.version != Version::Tls13 {
            return Err(DecryptError::InvalidUse("rekeying is TLS 1.3 only"));
        }
        self.state = tls13_state(&self.suite, new_secret)?;
        self.seq = 0;
        Ok(())
    }

    /// TLS 1.3 KeyUpdate: derive the next application traffic secret from
    /// the current one ("traffic upd") and rekey.
    pub fn key_update(&mut self) -> Result<(), DecryptError> {
        let State::Tls13 { secret, .. } = &self.state else {
            return Err(DecryptError::InvalidUse("KeyUpdate is TLS 1.3 only"));
        };
        let next = next_traffic_secret(self.suite.hash, secret.as_bytes())?;
        self.rekey(next.as_bytes())
    }

    /// Decrypts and authenticates one record. `header` is the 5-byte record
    /// header as on the wire; `body` its fragment (length as in the header).
    pub fn open(&mut self, header: &[u8; 5], body: &[u8]) -> Result<Plaintext, DecryptError> {
        let len = usize::from(u16::from_be_bytes([header[3], header[4]]));
        if len != body.len() {
            return Err(DecryptError::Malformed(
                "record length does not match the header",
            ));
        }
        if body.len() > MAX_CIPHERTEXT_LEN {
            return Err(DecryptError::Malformed(
                "record longer than 2^14+2048 bytes",
            ));
        }
        let seq = self.seq;
        let plain = match &mut self.state {
            State::Tls13 { key, iv, .. } => open_tls13(key, iv, seq, header, body)?,
            State::Aead { key, iv, explicit } => {
                open_tls12_aead(key, iv, *explicit, seq, header, body)?
            }
            State::Cbc {
                aes,
                mac,
                mac_len,
                etm,
                chained_iv,
            } => open_cbc(aes, mac, *mac_len, *etm, chained_iv, seq, header, body)?,
        };
        self.seq = self.seq.wrapping_add(1);
        Ok(plain)
    }
}

fn open_tls13(
    key: &AeadKey,
    iv: &[u8; 12],
    seq: u64,
    header: &[u8; 5],
    body: &[u8],
) -> Result<Plaintext, DecryptError> {
    if header[0] != 23 {
        return Err(DecryptError::Malformed(
            "a TLS 1.3 protected record must have outer type application_data",
        ));
    }
    if body.len() < key.tag_len() + 1 {
        return Err(DecryptError::Malformed("record too short for its tag"));
    }
    let mut buf = key.open(xor_seq(iv, seq), header, body)?;
    // TLSInnerPlaintext: content ‖ type ‖ zeros.
    let Some(pos) = buf.iter().rposition(|&b| b != 0) else {
        return Err(DecryptError::Malformed(
            "decrypted TLS 1.3 record has no content type",
        ));
    };
    let content_type = buf[pos];
    buf.truncate(pos);
    Ok(Plaintext {
        content_type,
        data: buf,
    })
}

fn tls12_aad(seq: u64, header: &[u8; 5], len: usize) -> [u8; 13] {
    let mut aad = [0u8; 13];
    aad[..8].copy_from_slice(&seq.to_be_bytes());
    aad[8..11].copy_from_slice(&header[..3]);
    aad[11..].copy_from_slice(&(len as u16).to_be_bytes());
    aad
}

fn open_tls12_aead(
    key: &AeadKey,
    iv: &[u8; 12],
    explicit: bool,
    seq: u64,
    header: &[u8; 5],
    body: &[u8],
) -> Result<Plaintext, DecryptError> {
    let (nonce, ciphertext) = if explicit {
        if body.len() < 8 + key.tag_len() {
            return Err(DecryptError::Malformed(
                "record too short for nonce and tag",
            ));
        }
        let mut nonce = [0u8; 12];
        nonce[..4].copy_from_slice(&iv[..4]);
        nonce[4..].copy_from_slice(&body[..8]);
        (nonce, &body[8..])
    } else {
        if body.len() < key.tag_len() {
            return Err(DecryptError::Malformed("record too short for its tag"));
        }
        (xor_seq(iv, seq), body)
    };
    let aad = tls12_aad(seq, header, ciphertext.len() - key.tag_len());
    let buf = key.open(nonce, &aad, ciphertext)?;
    Ok(Plaintext {
        content_type: header[0],
        data: buf,
    })
}

#[allow(clippy::too_many_arguments)]
fn open_cbc(
    aes: &Aes,
    mac: &hmac::Key,
    mac_len: usize,
    etm: bool,
    chained_iv: &mut Option<[u8; 16]>,
    seq: u64,
    header: &[u8; 5],
    body: &[u8],
) -> Result<Plaintext, DecryptError> {
    const BLOCK: usize = 16;
    // Split off the explicit IV (TLS 1.1+) or take the chained one (TLS 1.0).
    let (iv, rest) = match chained_iv {
        Some(iv) => (*iv, body),
        None => {
            if body.len() < BLOCK {
                return Err(DecryptError::Malformed("record too short for its IV"));
            }
            let mut iv = [0u8; BLOCK];
            iv.copy_from_slice(&body[..BLOCK]);
            (iv, &body[BLOCK..])
        }
    };
    let ciphertext = if etm {
        // body = IV ‖ ENC(content ‖ padding) ‖ MAC over seq ‖ hdr ‖ IV ‖ ENC.
        if rest.len() < mac_len + BLOCK || (rest.len() - mac_len) % BLOCK != 0 {
            return Err(DecryptError::Malformed(
                "CBC record length is not whole blocks plus a MAC",
            ));
        }
        let (covered, tag) = body.split_at(body.len() - mac_len);
        let mut ctx = hmac::Context::with_key(mac);
        ctx.update(&tls12_aad(seq, header, covered.len()));
        ctx.update(covered);
        if !ct_eq(ctx.sign().as_ref(), tag) {
            return Err(DecryptError::BadRecordMac);
        }
        &rest[..rest.len() - mac_len]
    } else {
        if rest.is_empty() || rest.len() % BLOCK != 0 {
            return Err(DecryptError::Malformed(
                "CBC record length is not whole blocks",
            ));
        }
        if rest.len() < mac_len + 1 {
            return Err(DecryptError::Malformed("CBC record too short for its MAC"));
        }
        rest
    };
    let mut buf = ciphertext.to_vec();
    aes.cbc_decrypt(&iv, &mut buf);
    // Padding: pad_len+1 bytes, all equal to pad_len.
    let Some(&last) = buf.last() else {
        return Err(DecryptError::Malformed("empty CBC record"));
    };
    let pad_len = usize::from(last);
    let overhead = pad_len + 1 + if etm { 0 } else { mac_len };
    if overhead > buf.len() {
        return Err(DecryptError::BadRecordMac);
    }
    let padding_ok = buf[buf.len() - pad_len - 1..]
        .iter()
        .fold(0u8, |acc, &b| acc | (b ^ pad_len as u8))
        == 0;
    let content_len = buf.len() - overhead;
    if !etm {
        // MAC over seq ‖ type ‖ version ‖ length ‖ content.
        let mut ctx = hmac::Context::with_key(mac);
        ctx.update(&tls12_aad(seq, header, content_len));
        ctx.update(&buf[..content_len]);
        let mac_ok = ct_eq(
            ctx.sign().as_ref(),
            &buf[content_len..content_len + mac_len],
        );
        if !(mac_ok && padding_ok) {
            return Err(DecryptError::BadRecordMac);
        }
    } else if !padding_ok {
        return Err(DecryptError::BadRecordMac);
    }
    if let Some(next) = chained_iv {
        next.copy_from_slice(&ciphertext[ciphertext.len() - BLOCK..]);
    }
    buf.truncate(content_len);
    Ok(Plaintext {
        content_type: header[0],
        data: buf,
    })
}

#[cfg(test)]
mod tests;
