//! The TLS 1.0–1.2 PRF, the key block and Finished (RFC 5246 §5, §6.3,
//! §7.4.9; RFC 2246 §5), and SSL 3.0's own MD5/SHA-1 constructions for the
//! same (RFC 6101 §6.1, §6.2.3.1, §5.6.9).

use super::{ct_eq, CipherSuite, DecryptError, HashAlg, Version};
use crate::tls::keylog::Secret;
use crate::tls::stream::Side;
use ring::{digest, hmac};

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

pub(super) fn hmac_md5(key: &[u8], parts: &[&[u8]]) -> [u8; 16] {
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

pub(super) fn check_legacy(suite: &CipherSuite, version: Version) -> Result<(), DecryptError> {
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
    let block = if version == Version::Ssl30 {
        ssl3_expand(master_secret, &seed, total)
    } else {
        prf(
            suite.handshake_hash(version),
            master_secret,
            b"key expansion",
            &seed,
            total,
        )
    };
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
    if version == Version::Ssl30 {
        return Err(DecryptError::InvalidUse(
            "SSL 3.0 Finished is computed over the messages (ssl3_verify_data)",
        ));
    }
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

// ---------------------------------------------------------------------------
// SSL 3.0

const SSL3_PAD1: u8 = 0x36;
const SSL3_PAD2: u8 = 0x5c;

/// SSL 3.0's pad length for a MAC hash: 48 bytes for MD5, 40 for SHA-1.
pub(super) fn ssl3_pad_len(alg: HashAlg) -> usize {
    match alg {
        HashAlg::Md5 => 48,
        _ => 40,
    }
}

/// MD5 or SHA-1 over the concatenated `parts`.
pub(super) fn md5_or_sha1(alg: HashAlg, parts: &[&[u8]]) -> Vec<u8> {
    if alg == HashAlg::Md5 {
        use md5::Digest;
        let mut h = md5::Md5::new();
        for p in parts {
            h.update(p);
        }
        h.finalize().to_vec()
    } else {
        let mut h = digest::Context::new(&digest::SHA1_FOR_LEGACY_USE_ONLY);
        for p in parts {
            h.update(p);
        }
        h.finish().as_ref().to_vec()
    }
}

/// SSL 3.0's key expansion: `MD5(secret ‖ SHA1("A" ‖ secret ‖ seed)) ‖
/// MD5(secret ‖ SHA1("BB" ‖ secret ‖ seed)) ‖ …`, truncated to `len`.
fn ssl3_expand(secret: &[u8], seed: &[u8], len: usize) -> Secret {
    let mut out = Vec::with_capacity(len + 16);
    let mut i = 0u8;
    while out.len() < len && i < 26 {
        let label = vec![b'A' + i; usize::from(i) + 1];
        let inner = md5_or_sha1(HashAlg::Sha1, &[&label, secret, seed]);
        out.extend_from_slice(&md5_or_sha1(HashAlg::Md5, &[secret, &inner]));
        i += 1;
    }
    out.truncate(len);
    Secret::new(out)
}

/// The SSL 3.0 Finished that `side` must send: `MD5(ms ‖ pad2 ‖
/// MD5(messages ‖ sender ‖ ms ‖ pad1)) ‖ SHA(ms ‖ pad2 ‖ SHA(messages ‖
/// sender ‖ ms ‖ pad1))`, over the handshake messages themselves.
pub fn ssl3_verify_data(master_secret: &[u8], side: Side, messages: &[u8]) -> [u8; 36] {
    let sender: &[u8] = match side {
        Side::Client => b"CLNT",
        Side::Server => b"SRVR",
    };
    let mut out = [0u8; 36];
    let mut at = 0;
    for alg in [HashAlg::Md5, HashAlg::Sha1] {
        let n = ssl3_pad_len(alg);
        let (pad1, pad2) = (vec![SSL3_PAD1; n], vec![SSL3_PAD2; n]);
        let inner = md5_or_sha1(alg, &[messages, sender, master_secret, &pad1]);
        let outer = md5_or_sha1(alg, &[master_secret, &pad2, &inner]);
        out[at..at + outer.len()].copy_from_slice(&outer);
        at += outer.len();
    }
    out
}

/// Whether an SSL 3.0 Finished from `side` matches.
pub fn ssl3_verify_finished(
    master_secret: &[u8],
    side: Side,
    messages: &[u8],
    verify_data: &[u8],
) -> bool {
    check_master(master_secret).is_ok()
        && ct_eq(
            &ssl3_verify_data(master_secret, side, messages),
            verify_data,
        )
}

/// The SSL 3.0 record MAC: `hash(secret ‖ pad2 ‖ hash(secret ‖ pad1 ‖
/// seq ‖ type ‖ length ‖ content))` (no version, no HMAC).
pub(super) fn ssl3_mac(
    alg: HashAlg,
    secret: &[u8],
    seq_type_len: &[u8],
    content: &[u8],
) -> Vec<u8> {
    let n = ssl3_pad_len(alg);
    let (pad1, pad2) = (vec![SSL3_PAD1; n], vec![SSL3_PAD2; n]);
    let inner = md5_or_sha1(alg, &[secret, &pad1, seq_type_len, content]);
    md5_or_sha1(alg, &[secret, &pad2, &inner])
}

// ---------------------------------------------------------------------------
// Master secret from a premaster secret (for RSA key exchange with the
// server's private key)

/// The master secret from the premaster secret: `PRF(pms, "master
/// secret", client_random ‖ server_random)[..48]`, or with the extended
/// master secret (RFC 7627) `PRF(pms, "extended master secret",
/// session_hash)`; SSL 3.0 uses its MD5/SHA-1 expansion over `client_random
/// ‖ server_random`.
pub fn master_secret(
    suite: &CipherSuite,
    version: Version,
    premaster: &[u8],
    client_random: &[u8; 32],
    server_random: &[u8; 32],
    extended_session_hash: Option<&[u8]>,
) -> Result<Secret, DecryptError> {
    check_legacy(suite, version)?;
    let mut seed = [0u8; 64];
    seed[..32].copy_from_slice(client_random);
    seed[32..].copy_from_slice(server_random);
    if version == Version::Ssl30 {
        return Ok(ssl3_expand(premaster, &seed, 48));
    }
    let alg = suite.handshake_hash(version);
    Ok(match extended_session_hash {
        Some(h) => prf(alg, premaster, b"extended master secret", h, 48),
        None => prf(alg, premaster, b"master secret", &seed, 48),
    })
}
