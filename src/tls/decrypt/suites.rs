//! What each cipher suite means for record protection and key derivation.
//!
//! The table is built once from tls-parser's IANA table (key exchange,
//! cipher, mode, key size, MAC, PRF), keeping every suite whose record
//! protection this module implements: AES, Camellia and ARIA in CBC and
//! GCM, AES-CCM, ChaCha20-Poly1305, 3DES-EDE-CBC, DES-CBC, RC4-128 and
//! NULL, with any key exchange (RSA, DHE/ECDHE with RSA, DSS or ECDSA,
//! anonymous, PSK, SRP, ECCPWD: once the master secret is logged they all
//! decrypt alike). Export suites (40/56-bit keys derived differently) and
//! SEED, IDEA, RC2, SM4 and AEGIS are left out.

use super::{DecryptError, HashAlg, Version};
use std::sync::OnceLock;
use tls_parser::{
    TlsCipherAu, TlsCipherEnc as Enc, TlsCipherEncMode as Mode, TlsCipherKx, TlsCipherMac,
    TlsCipherSuite, TlsPRF,
};

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
    Camellia128Gcm,
    Camellia256Gcm,
    Aria128Gcm,
    Aria256Gcm,
    Aes128Cbc,
    Aes256Cbc,
    Camellia128Cbc,
    Camellia256Cbc,
    Aria128Cbc,
    Aria256Cbc,
    /// 3DES-EDE (three 8-byte keys), 8-byte blocks.
    TripleDesCbc,
    DesCbc,
    /// RC4 with a 128-bit key: a stream cipher, state carried across records.
    Rc4,
    /// No encryption: records are plaintext followed by a MAC.
    Null,
}

impl BulkCipher {
    pub fn is_aead(self) -> bool {
        matches!(
            self,
            BulkCipher::Aes128Gcm
                | BulkCipher::Aes256Gcm
                | BulkCipher::ChaCha20Poly1305
                | BulkCipher::Aes128Ccm
                | BulkCipher::Aes256Ccm
                | BulkCipher::Aes128Ccm8
                | BulkCipher::Aes256Ccm8
                | BulkCipher::Camellia128Gcm
                | BulkCipher::Camellia256Gcm
                | BulkCipher::Aria128Gcm
                | BulkCipher::Aria256Gcm
        )
    }

    /// The block length of a CBC cipher (16, or 8 for DES); 0 for AEADs,
    /// RC4 and NULL.
    pub fn block_len(self) -> usize {
        match self {
            BulkCipher::Aes128Cbc
            | BulkCipher::Aes256Cbc
            | BulkCipher::Camellia128Cbc
            | BulkCipher::Camellia256Cbc
            | BulkCipher::Aria128Cbc
            | BulkCipher::Aria256Cbc => 16,
            BulkCipher::TripleDesCbc | BulkCipher::DesCbc => 8,
            _ => 0,
        }
    }

    /// A CBC block cipher.
    pub fn is_cbc(self) -> bool {
        self.block_len() > 0
    }

    pub(super) fn ring_aead(self) -> Option<&'static ring::aead::Algorithm> {
        match self {
            BulkCipher::Aes128Gcm => Some(&ring::aead::AES_128_GCM),
            BulkCipher::Aes256Gcm => Some(&ring::aead::AES_256_GCM),
            BulkCipher::ChaCha20Poly1305 => Some(&ring::aead::CHACHA20_POLY1305),
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
    /// Encryption key length in bytes (0 for NULL).
    pub key_len: usize,
    /// The implicit (fixed) IV from the key schedule: 12 for TLS 1.3 and
    /// ChaCha20, 4 for TLS 1.2 GCM/CCM, 0 for CBC in TLS 1.1+, RC4 and
    /// NULL (CBC takes a block from the key block in SSL 3.0 and TLS 1.0,
    /// see [`CipherSuite::fixed_iv_len_for`]).
    pub fixed_iv_len: usize,
    /// Per-record explicit nonce/IV at the start of the body: 8 for
    /// TLS 1.2 GCM/CCM, a block for CBC in TLS 1.1/1.2, 0 otherwise.
    pub explicit_nonce_len: usize,
    /// The AEAD tag length (16, or 8 for the CCM_8 suites); 0 otherwise.
    pub tag_len: usize,
    /// The record MAC of a CBC, RC4 or NULL suite (`None` for AEADs).
    pub mac: Option<HashAlg>,
    /// The PRF hash (TLS 1.2) or HKDF/transcript hash (TLS 1.3).
    pub hash: HashAlg,
    /// The premaster secret is RSA-encrypted to the server's certificate
    /// key (TLS_RSA_WITH_*): a server private key can decrypt it.
    pub static_rsa: bool,
}

impl CipherSuite {
    /// The key-schedule IV length for this suite in `version` (CBC gets a
    /// block-sized IV from the key block before TLS 1.2).
    pub fn fixed_iv_len_for(&self, version: Version) -> usize {
        match version {
            Version::Ssl30 | Version::Tls10 | Version::Tls11 if self.cipher.is_cbc() => {
                self.cipher.block_len()
            }
            _ => self.fixed_iv_len,
        }
    }

    /// The hash of the PRF and of the Finished transcript in `version`:
    /// MD5 ‖ SHA-1 before TLS 1.2, the suite's hash from TLS 1.2 on.
    pub fn handshake_hash(&self, version: Version) -> HashAlg {
        match version {
            Version::Ssl30 | Version::Tls10 | Version::Tls11 => HashAlg::Md5Sha1,
            _ => self.hash,
        }
    }

    /// Whether records of this suite can be used with `version`.
    pub fn allowed_in(&self, version: Version) -> bool {
        match version {
            Version::Tls13 => self.tls13,
            Version::Tls12 => !self.tls13,
            Version::Tls10 | Version::Tls11 => !self.tls13 && !self.cipher.is_aead(),
            // SSL 3.0 MACs are MD5 or SHA-1 only.
            Version::Ssl30 => {
                !self.tls13
                    && !self.cipher.is_aead()
                    && matches!(self.mac, Some(HashAlg::Md5 | HashAlg::Sha1))
            }
        }
    }
}

/// The suite tls-parser describes, if its records can be decrypted here.
fn from_iana(cs: &TlsCipherSuite) -> Option<CipherSuite> {
    use BulkCipher as B;
    if cs.name.contains("EXPORT") {
        return None;
    }
    let tls13 = cs.kx == TlsCipherKx::Tls13;
    let ccm8 = cs.name.ends_with("_CCM_8") || cs.name.contains("_CCM_8_");
    let (cipher, key_len) = match (cs.enc, cs.enc_mode, cs.enc_size) {
        (Enc::Aes, Mode::Gcm, 128) => (B::Aes128Gcm, 16),
        (Enc::Aes, Mode::Gcm, 256) => (B::Aes256Gcm, 32),
        (Enc::Aes, Mode::Ccm, 128) if ccm8 => (B::Aes128Ccm8, 16),
        (Enc::Aes, Mode::Ccm, 256) if ccm8 => (B::Aes256Ccm8, 32),
        (Enc::Aes, Mode::Ccm, 128) => (B::Aes128Ccm, 16),
        (Enc::Aes, Mode::Ccm, 256) => (B::Aes256Ccm, 32),
        (Enc::Chacha20_Poly1305, _, _) => (B::ChaCha20Poly1305, 32),
        (Enc::Camellia, Mode::Gcm, 128) => (B::Camellia128Gcm, 16),
        (Enc::Camellia, Mode::Gcm, 256) => (B::Camellia256Gcm, 32),
        (Enc::Aria, Mode::Gcm, 128) => (B::Aria128Gcm, 16),
        (Enc::Aria, Mode::Gcm, 256) => (B::Aria256Gcm, 32),
        (Enc::Aes, Mode::Cbc, 128) => (B::Aes128Cbc, 16),
        (Enc::Aes, Mode::Cbc, 256) => (B::Aes256Cbc, 32),
        (Enc::Camellia, Mode::Cbc, 128) => (B::Camellia128Cbc, 16),
        (Enc::Camellia, Mode::Cbc, 256) => (B::Camellia256Cbc, 32),
        (Enc::Aria, Mode::Cbc, 128) => (B::Aria128Cbc, 16),
        (Enc::Aria, Mode::Cbc, 256) => (B::Aria256Cbc, 32),
        (Enc::TripleDes, Mode::Cbc, 168) => (B::TripleDesCbc, 24),
        (Enc::Des, Mode::Cbc, 56) => (B::DesCbc, 8),
        (Enc::Rc4, _, 128) => (B::Rc4, 16),
        (Enc::Null, _, 0) => (B::Null, 0),
        _ => return None,
    };
    let mac = match cs.mac {
        TlsCipherMac::Aead => None,
        TlsCipherMac::HmacMd5 => Some(HashAlg::Md5),
        TlsCipherMac::HmacSha1 => Some(HashAlg::Sha1),
        TlsCipherMac::HmacSha256 => Some(HashAlg::Sha256),
        TlsCipherMac::HmacSha384 => Some(HashAlg::Sha384),
        _ => return None,
    };
    if cipher.is_aead() == mac.is_some() {
        return None;
    }
    let hash = match cs.prf {
        TlsPRF::Default | TlsPRF::Sha256 => HashAlg::Sha256,
        TlsPRF::Sha384 => HashAlg::Sha384,
        _ => return None,
    };
    let (fixed_iv_len, explicit_nonce_len) = if tls13 || cipher == B::ChaCha20Poly1305 {
        (12, 0)
    } else if cipher.is_aead() {
        (4, 8)
    } else {
        (0, cipher.block_len())
    };
    let tls13_cipher = matches!(
        cipher,
        B::Aes128Gcm | B::Aes256Gcm | B::ChaCha20Poly1305 | B::Aes128Ccm | B::Aes128Ccm8
    );
    if tls13 && !tls13_cipher {
        return None;
    }
    Some(CipherSuite {
        id: cs.id.0,
        name: cs.name,
        tls13,
        cipher,
        key_len,
        fixed_iv_len,
        explicit_nonce_len,
        tag_len: match cipher {
            _ if !cipher.is_aead() => 0,
            B::Aes128Ccm8 | B::Aes256Ccm8 => 8,
            _ => 16,
        },
        mac,
        hash,
        static_rsa: cs.kx == TlsCipherKx::Rsa && cs.au == TlsCipherAu::Rsa,
    })
}

fn table() -> &'static [CipherSuite] {
    static TABLE: OnceLock<Vec<CipherSuite>> = OnceLock::new();
    TABLE.get_or_init(|| {
        // tls-parser's table itself, not 65,536 lookups in it.
        let mut v: Vec<CipherSuite> = tls_parser::CIPHERS.values().filter_map(from_iana).collect();
        v.sort_by_key(|s| s.id);
        v
    })
}

/// The suite with this id, or [`DecryptError::UnsupportedSuite`].
pub fn cipher_suite(id: u16) -> Result<&'static CipherSuite, DecryptError> {
    let t = table();
    t.binary_search_by_key(&id, |s| s.id)
        .ok()
        .and_then(|i| t.get(i))
        .ok_or(DecryptError::UnsupportedSuite(id))
}

/// All suites this module can decrypt, by id.
pub fn supported_suites() -> &'static [CipherSuite] {
    table()
}
