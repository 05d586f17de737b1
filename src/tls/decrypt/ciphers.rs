//! The ciphers behind [`BulkCipher`]: ring for AES-GCM and
//! ChaCha20-Poly1305; RustCrypto for AES-CCM (`ccm`), Camellia-GCM and
//! ARIA-GCM (`aes-gcm`'s generic GCM over the `camellia` and `aria` block
//! ciphers), the CBC block ciphers (`aes`, `camellia`, `aria`, `des`) and
//! RC4 (`rc4`). CBC chaining is done here by hand in a few lines.

use super::{BulkCipher, CipherSuite, DecryptError};
use aes::cipher::{
    consts::{U12, U16, U8},
    generic_array::GenericArray,
    BlockDecrypt, BlockSizeUser, KeyInit, StreamCipher,
};
use ccm::aead::AeadInPlace;
use ring::aead;

/// A block cipher used in CBC mode, whatever its block size.
trait BlockDecryptDyn: Send + Sync {
    fn block_len(&self) -> usize;
    /// Decrypts one block in place (`block.len() == block_len()`).
    fn decrypt_one(&self, block: &mut [u8]);
}

impl<T: BlockDecrypt + BlockSizeUser + Send + Sync> BlockDecryptDyn for T {
    fn block_len(&self) -> usize {
        T::block_size()
    }

    fn decrypt_one(&self, block: &mut [u8]) {
        self.decrypt_block(GenericArray::from_mut_slice(block));
    }
}

/// A CBC decryption key.
pub(super) struct CbcKey(Box<dyn BlockDecryptDyn>);

fn boxed<T: BlockDecryptDyn + KeyInit + 'static>(
    key: &[u8],
) -> Result<Box<dyn BlockDecryptDyn>, DecryptError> {
    let c = T::new_from_slice(key)
        .map_err(|_| DecryptError::BadKeyMaterial("key length does not match the suite"))?;
    Ok(Box::new(c))
}

impl CbcKey {
    pub(super) fn new(cipher: BulkCipher, key: &[u8]) -> Result<CbcKey, DecryptError> {
        use BulkCipher as B;
        Ok(CbcKey(match cipher {
            B::Aes128Cbc => boxed::<aes::Aes128>(key)?,
            B::Aes256Cbc => boxed::<aes::Aes256>(key)?,
            B::Camellia128Cbc => boxed::<camellia::Camellia128>(key)?,
            B::Camellia256Cbc => boxed::<camellia::Camellia256>(key)?,
            B::Aria128Cbc => boxed::<aria::Aria128>(key)?,
            B::Aria256Cbc => boxed::<aria::Aria256>(key)?,
            B::TripleDesCbc => boxed::<des::TdesEde3>(key)?,
            B::DesCbc => boxed::<des::Des>(key)?,
            _ => return Err(DecryptError::InvalidUse("not a CBC suite")),
        }))
    }

    pub(super) fn block_len(&self) -> usize {
        self.0.block_len()
    }

    /// CBC-decrypts `data` (whole blocks; `iv` one block) in place.
    pub(super) fn decrypt(&self, iv: &[u8], data: &mut [u8]) {
        let n = self.block_len();
        let mut prev = iv.to_vec();
        let mut cur = vec![0u8; n];
        for block in data.chunks_exact_mut(n) {
            cur.copy_from_slice(block);
            self.0.decrypt_one(block);
            for (b, p) in block.iter_mut().zip(&prev) {
                *b ^= p;
            }
            std::mem::swap(&mut prev, &mut cur);
        }
    }
}

/// An AEAD from RustCrypto (aead 0.5) with a 12-byte nonce.
pub(super) trait OpenDetached: Send + Sync {
    /// Opens `data` in place; `tag` must be the AEAD's tag length.
    fn open_detached(&self, nonce: &[u8; 12], aad: &[u8], data: &mut [u8], tag: &[u8]) -> bool;
}

impl<T: AeadInPlace<NonceSize = U12> + Send + Sync> OpenDetached for T {
    fn open_detached(&self, nonce: &[u8; 12], aad: &[u8], data: &mut [u8], tag: &[u8]) -> bool {
        use aes::cipher::Unsigned;
        if tag.len() != T::TagSize::USIZE {
            return false;
        }
        self.decrypt_in_place_detached(
            GenericArray::from_slice(nonce),
            aad,
            data,
            GenericArray::from_slice(tag),
        )
        .is_ok()
    }
}

type Ccm<C, Tag> = ccm::Ccm<C, Tag, U12>;
type Gcm<C> = aes_gcm::AesGcm<C, U12>;

fn rc_aead<T: OpenDetached + KeyInit + 'static>(
    key: &[u8],
) -> Result<Box<dyn OpenDetached>, DecryptError> {
    let k = T::new_from_slice(key)
        .map_err(|_| DecryptError::BadKeyMaterial("AEAD key length does not match the suite"))?;
    Ok(Box::new(k))
}

/// An AEAD key: ring's for AES-GCM and ChaCha20-Poly1305, RustCrypto's for
/// AES-CCM, Camellia-GCM and ARIA-GCM.
pub(super) enum AeadKey {
    Ring(Box<aead::LessSafeKey>),
    RustCrypto {
        key: Box<dyn OpenDetached>,
        tag_len: usize,
    },
}

impl AeadKey {
    pub(super) fn new(suite: &CipherSuite, key: &[u8]) -> Result<AeadKey, DecryptError> {
        use BulkCipher as B;
        let bad = DecryptError::BadKeyMaterial("AEAD key length does not match the suite");
        if key.len() != suite.key_len {
            return Err(bad);
        }
        if let Some(alg) = suite.cipher.ring_aead() {
            let unbound = aead::UnboundKey::new(alg, key).map_err(|_| bad)?;
            return Ok(AeadKey::Ring(Box::new(aead::LessSafeKey::new(unbound))));
        }
        let (key, tag_len) = match suite.cipher {
            B::Aes128Ccm => (rc_aead::<Ccm<aes::Aes128, U16>>(key)?, 16),
            B::Aes256Ccm => (rc_aead::<Ccm<aes::Aes256, U16>>(key)?, 16),
            B::Aes128Ccm8 => (rc_aead::<Ccm<aes::Aes128, U8>>(key)?, 8),
            B::Aes256Ccm8 => (rc_aead::<Ccm<aes::Aes256, U8>>(key)?, 8),
            B::Camellia128Gcm => (rc_aead::<Gcm<camellia::Camellia128>>(key)?, 16),
            B::Camellia256Gcm => (rc_aead::<Gcm<camellia::Camellia256>>(key)?, 16),
            B::Aria128Gcm => (rc_aead::<Gcm<aria::Aria128>>(key)?, 16),
            B::Aria256Gcm => (rc_aead::<Gcm<aria::Aria256>>(key)?, 16),
            _ => return Err(DecryptError::InvalidUse("not an AEAD suite")),
        };
        Ok(AeadKey::RustCrypto { key, tag_len })
    }

    pub(super) fn tag_len(&self) -> usize {
        match self {
            AeadKey::Ring(_) => 16,
            AeadKey::RustCrypto { tag_len, .. } => *tag_len,
        }
    }

    /// Opens `ciphertext ‖ tag` and returns the plaintext.
    pub(super) fn open(
        &self,
        nonce: [u8; 12],
        aad: &[u8],
        sealed: &[u8],
    ) -> Result<Vec<u8>, DecryptError> {
        let tag_len = self.tag_len();
        if sealed.len() < tag_len {
            return Err(DecryptError::Malformed("record too short for its tag"));
        }
        let mut buf = sealed.to_vec();
        match self {
            AeadKey::Ring(key) => {
                let n = key
                    .open_in_place(
                        aead::Nonce::assume_unique_for_key(nonce),
                        aead::Aad::from(aad),
                        &mut buf,
                    )
                    .map_err(|_| DecryptError::BadRecordMac)?
                    .len();
                buf.truncate(n);
            }
            AeadKey::RustCrypto { key, .. } => {
                let (data, tag) = buf.split_at_mut(sealed.len() - tag_len);
                if !key.open_detached(&nonce, aad, data, tag) {
                    return Err(DecryptError::BadRecordMac);
                }
                buf.truncate(sealed.len() - tag_len);
            }
        }
        Ok(buf)
    }
}

/// Beyond this many bytes of keystream an RC4 decrypter that failed once
/// is not rewound (rewinding replays the whole stream).
const MAX_RC4_REWIND: u64 = 64 << 20;

/// RC4-128: the keystream runs on across records. Only the key and the
/// count of bytes used are kept besides the cipher, so that a record that
/// fails to authenticate can be undone by replaying the stream.
pub(super) struct Rc4Key {
    key: crate::tls::keylog::Secret,
    used: u64,
    /// `None` once the stream could not be rewound.
    rc4: Option<Box<rc4::Rc4<U16>>>,
}

impl Rc4Key {
    pub(super) fn new(key: &[u8]) -> Result<Rc4Key, DecryptError> {
        let rc4 = Self::fresh(key)?;
        Ok(Rc4Key {
            key: crate::tls::keylog::Secret::new(key.to_vec()),
            used: 0,
            rc4: Some(rc4),
        })
    }

    fn fresh(key: &[u8]) -> Result<Box<rc4::Rc4<U16>>, DecryptError> {
        <rc4::Rc4<U16> as KeyInit>::new_from_slice(key)
            .map(Box::new)
            .map_err(|_| DecryptError::BadKeyMaterial("RC4 key length does not match the suite"))
    }

    /// Decrypts `data` in place, moving the keystream on.
    pub(super) fn apply(&mut self, data: &mut [u8]) -> Result<(), DecryptError> {
        let rc4 = self.rc4.as_mut().ok_or(DecryptError::BadRecordMac)?;
        rc4.apply_keystream(data);
        Ok(())
    }

    /// The record just decrypted with `apply` is kept: count its bytes.
    pub(super) fn commit(&mut self, len: usize) {
        self.used += len as u64;
    }

    /// The record just decrypted with `apply` is rejected: put the
    /// keystream back where it was.
    pub(super) fn rewind(&mut self) {
        if self.used > MAX_RC4_REWIND {
            self.rc4 = None;
            return;
        }
        self.rc4 = Self::fresh(self.key.as_bytes()).ok();
        if let Some(rc4) = self.rc4.as_mut() {
            let mut left = self.used;
            let mut buf = [0u8; 4096];
            while left > 0 {
                let n = left.min(buf.len() as u64) as usize;
                rc4.apply_keystream(&mut buf[..n]);
                left -= n as u64;
            }
        }
    }
}
