//! The TLS 1.3 key schedule pieces a key log needs (RFC 8446 §7.1):
//! HKDF-Expand-Label, record keys from a traffic secret, Finished, and
//! KeyUpdate.

use super::{ct_eq, CipherSuite, DecryptError, HashAlg};
use crate::tls::keylog::Secret;
use ring::{hkdf, hmac};

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
    expand_label(&prk(alg, secret)?, alg, label, context, len)
}

/// `secret` as an HKDF PRK: its HMAC key, set up once for the several
/// labels expanded from one secret.
fn prk(alg: HashAlg, secret: &[u8]) -> Result<hkdf::Prk, DecryptError> {
    let hkdf_alg = alg
        .hkdf_alg()
        .ok_or(DecryptError::InvalidUse("HKDF needs SHA-256 or SHA-384"))?;
    Ok(hkdf::Prk::new_less_safe(hkdf_alg, secret))
}

/// HKDF-Expand-Label from a PRK made by [`prk`] with `alg`.
fn expand_label(
    prk: &hkdf::Prk,
    alg: HashAlg,
    label: &[u8],
    context: &[u8],
    len: usize,
) -> Result<Secret, DecryptError> {
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
    let prk = prk(suite.hash, secret)?;
    Ok(TrafficKeys {
        key: expand_label(&prk, suite.hash, b"key", b"", suite.key_len)?,
        iv: expand_label(&prk, suite.hash, b"iv", b"", suite.fixed_iv_len)?,
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
