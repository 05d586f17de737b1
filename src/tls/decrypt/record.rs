//! Record decryption: a per-direction [`RecordDecrypter`] for TLS 1.3,
//! TLS 1.0–1.2 AEAD, CBC (MAC-then-encrypt and encrypt-then-MAC, explicit
//! IVs or TLS 1.0's and SSL 3.0's chained IV), RC4 and NULL records, with
//! the HMAC (or SSL 3.0 MAC) and padding checks.

use super::ciphers::{AeadKey, CbcKey, Rc4Key};
use super::prf::{check_legacy, hmac_md5, ssl3_mac};
use super::tls13::traffic_keys;
use super::{
    ct_eq, key_block, next_traffic_secret, CipherSuite, DecryptError, DirectionKeys, HashAlg,
    Version, MAX_CIPHERTEXT_LEN,
};
use crate::tls::keylog::Secret;
use ring::hmac;
use std::fmt;

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

/// A record MAC: HMAC (ring, or our HMAC-MD5), or SSL 3.0's own.
enum Mac {
    Hmac(hmac::Key, usize),
    HmacMd5(Secret),
    Ssl3(HashAlg, Secret),
}

impl Mac {
    fn new(alg: HashAlg, key: &[u8], version: Version) -> Result<Mac, DecryptError> {
        if key.len() != alg.output_len() {
            return Err(DecryptError::BadKeyMaterial(
                "MAC key length does not match the suite",
            ));
        }
        if version == Version::Ssl30 {
            return match alg {
                HashAlg::Md5 | HashAlg::Sha1 => Ok(Mac::Ssl3(alg, Secret::new(key.to_vec()))),
                _ => Err(DecryptError::InvalidUse("SSL 3.0 MACs are MD5 or SHA-1")),
            };
        }
        match (alg, alg.hmac_alg()) {
            (HashAlg::Md5, _) => Ok(Mac::HmacMd5(Secret::new(key.to_vec()))),
            (_, Some(h)) => Ok(Mac::Hmac(hmac::Key::new(h, key), alg.output_len())),
            (_, None) => Err(DecryptError::InvalidUse("this hash has no HMAC")),
        }
    }

    fn len(&self) -> usize {
        match self {
            Mac::Hmac(_, n) => *n,
            Mac::HmacMd5(_) => 16,
            Mac::Ssl3(alg, _) => alg.output_len(),
        }
    }

    /// The MAC over `seq ‖ type ‖ version ‖ length` (`aad`; SSL 3.0 leaves
    /// the version out) and `data`.
    fn sign(&self, aad: &[u8; 13], data: &[u8]) -> Vec<u8> {
        match self {
            Mac::Hmac(key, _) => {
                let mut ctx = hmac::Context::with_key(key);
                ctx.update(aad);
                ctx.update(data);
                ctx.sign().as_ref().to_vec()
            }
            Mac::HmacMd5(key) => hmac_md5(key.as_bytes(), &[aad, data]).to_vec(),
            Mac::Ssl3(alg, secret) => {
                let mut prefix = [0u8; 11];
                prefix[..9].copy_from_slice(&aad[..9]);
                prefix[9..].copy_from_slice(&aad[11..]);
                ssl3_mac(*alg, secret.as_bytes(), &prefix, data)
            }
        }
    }

    fn verify(&self, aad: &[u8; 13], data: &[u8], tag: &[u8]) -> bool {
        ct_eq(&self.sign(aad, data), tag)
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
        cbc: CbcKey,
        mac: Mac,
        etm: bool,
        /// SSL 3.0: padding bytes are arbitrary, at most a block.
        ssl3: bool,
        /// SSL 3.0 and TLS 1.0: the IV for the next record (the last
        /// ciphertext block).
        chained_iv: Option<Vec<u8>>,
    },
    /// RC4, or NULL encryption (`rc4` is `None`): content ‖ MAC.
    Stream { rc4: Option<Rc4Key>, mac: Mac },
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

pub(super) fn xor_seq(iv: &[u8; 12], seq: u64) -> [u8; 12] {
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
                .ok_or(DecryptError::InvalidUse("a suite without AEAD or MAC"))?;
            let mac = Mac::new(mac_alg, keys.mac_key.as_bytes(), keys.version)?;
            if suite.cipher.is_cbc() {
                let chained_iv = match keys.version {
                    Version::Ssl30 | Version::Tls10 => Some(keys.iv.as_bytes().to_vec()),
                    _ => None,
                };
                State::Cbc {
                    cbc: CbcKey::new(suite.cipher, keys.key.as_bytes())?,
                    mac,
                    etm: encrypt_then_mac && keys.version != Version::Ssl30,
                    ssl3: keys.version == Version::Ssl30,
                    chained_iv,
                }
            } else {
                let rc4 = match suite.cipher {
                    super::BulkCipher::Rc4 => Some(Rc4Key::new(keys.key.as_bytes())?),
                    _ => None,
                };
                State::Stream { rc4, mac }
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

    /// Passes over one record without opening it, as if it had opened:
    /// for bulk data the diagnosis does not read. AEAD and CBC with an
    /// explicit IV keep only the sequence number; CBC chained from record
    /// to record (SSL 3.0, TLS 1.0) takes the record's last ciphertext block
    /// as the next IV. RC4's keystream cannot be skipped without running
    /// it: `false`, and the caller opens the record instead.
    pub fn skip(&mut self, body: &[u8]) -> bool {
        match &mut self.state {
            State::Tls13 { .. } | State::Aead { .. } => {}
            State::Cbc {
                chained_iv,
                etm,
                mac,
                ..
            } => {
                if let Some(iv) = chained_iv {
                    // With encrypt-then-MAC (RFC 7366) the MAC follows the
                    // ciphertext: the last block comes before it.
                    let end = if *etm {
                        body.len().checked_sub(mac.len())
                    } else {
                        Some(body.len())
                    };
                    let n = iv.len();
                    let last = end.and_then(|e| Some((e.checked_sub(n)?, e)));
                    let Some(last) = last.and_then(|(s, e)| body.get(s..e)) else {
                        return false;
                    };
                    iv.copy_from_slice(last);
                }
            }
            State::Stream { .. } => return false,
        }
        self.seq += 1;
        true
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
                cbc,
                mac,
                etm,
                ssl3,
                chained_iv,
            } => open_cbc(cbc, mac, *etm, *ssl3, chained_iv, seq, header, body)?,
            State::Stream { rc4, mac } => open_stream(rc4.as_mut(), mac, seq, header, body)?,
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
    cbc: &CbcKey,
    mac: &Mac,
    etm: bool,
    ssl3: bool,
    chained_iv: &mut Option<Vec<u8>>,
    seq: u64,
    header: &[u8; 5],
    body: &[u8],
) -> Result<Plaintext, DecryptError> {
    let block = cbc.block_len();
    let mac_len = mac.len();
    // Split off the explicit IV (TLS 1.1+) or take the chained one (SSL 3.0,
    // TLS 1.0).
    let (iv, rest) = match chained_iv {
        Some(iv) => (iv.clone(), body),
        None => {
            if body.len() < block {
                return Err(DecryptError::Malformed("record too short for its IV"));
            }
            (body[..block].to_vec(), &body[block..])
        }
    };
    let ciphertext = if etm {
        // body = IV ‖ ENC(content ‖ padding) ‖ MAC over seq ‖ hdr ‖ IV ‖ ENC.
        if rest.len() < mac_len + block || (rest.len() - mac_len) % block != 0 {
            return Err(DecryptError::Malformed(
                "CBC record length is not whole blocks plus a MAC",
            ));
        }
        let (covered, tag) = body.split_at(body.len() - mac_len);
        if !mac.verify(&tls12_aad(seq, header, covered.len()), covered, tag) {
            return Err(DecryptError::BadRecordMac);
        }
        &rest[..rest.len() - mac_len]
    } else {
        if rest.is_empty() || rest.len() % block != 0 {
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
    cbc.decrypt(&iv, &mut buf);
    // Padding: pad_len+1 bytes, all equal to pad_len (TLS); in SSL 3.0 any
    // bytes, shorter than a block.
    let Some(&last) = buf.last() else {
        return Err(DecryptError::Malformed("empty CBC record"));
    };
    let pad_len = usize::from(last);
    let overhead = pad_len + 1 + if etm { 0 } else { mac_len };
    if overhead > buf.len() {
        return Err(DecryptError::BadRecordMac);
    }
    let padding_ok = if ssl3 {
        pad_len < block
    } else {
        buf[buf.len() - pad_len - 1..]
            .iter()
            .fold(0u8, |acc, &b| acc | (b ^ pad_len as u8))
            == 0
    };
    let content_len = buf.len() - overhead;
    if !etm {
        // MAC over seq ‖ type ‖ version ‖ length ‖ content.
        let mac_ok = mac.verify(
            &tls12_aad(seq, header, content_len),
            &buf[..content_len],
            &buf[content_len..content_len + mac_len],
        );
        if !(mac_ok && padding_ok) {
            return Err(DecryptError::BadRecordMac);
        }
    } else if !padding_ok {
        return Err(DecryptError::BadRecordMac);
    }
    if let Some(next) = chained_iv {
        next.clear();
        next.extend_from_slice(&ciphertext[ciphertext.len() - block..]);
    }
    buf.truncate(content_len);
    Ok(Plaintext {
        content_type: header[0],
        data: buf,
    })
}

/// RC4 or NULL: `ENC(content ‖ MAC)`.
fn open_stream(
    mut rc4: Option<&mut Rc4Key>,
    mac: &Mac,
    seq: u64,
    header: &[u8; 5],
    body: &[u8],
) -> Result<Plaintext, DecryptError> {
    let mac_len = mac.len();
    if body.len() < mac_len {
        return Err(DecryptError::Malformed("record too short for its MAC"));
    }
    let mut buf = body.to_vec();
    if let Some(r) = rc4.as_deref_mut() {
        r.apply(&mut buf)?;
    }
    let content_len = buf.len() - mac_len;
    let ok = mac.verify(
        &tls12_aad(seq, header, content_len),
        &buf[..content_len],
        &buf[content_len..],
    );
    if let Some(r) = rc4 {
        if ok {
            r.commit(buf.len());
        } else {
            r.rewind();
        }
    }
    if !ok {
        return Err(DecryptError::BadRecordMac);
    }
    buf.truncate(content_len);
    Ok(Plaintext {
        content_type: header[0],
        data: buf,
    })
}
