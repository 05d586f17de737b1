//! The older suites with crafted records, for what no stack on this
//! machine can produce (Camellia-GCM, ARIA-CBC, DES; OpenSSL 3 implements
//! neither of the first two): the block ciphers against their RFCs'
//! known answers, then records sealed here and opened by
//! [`RecordDecrypter`]. The real-capture checks of every other new suite
//! are in `tests/suites.rs`.

use super::ciphers::CbcKey;
use super::*;
use aes::cipher::{generic_array::GenericArray, BlockEncrypt, KeyInit};
use ccm::aead::AeadInPlace;

fn h(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Known answers: RFC 3713 (Camellia), RFC 5794 (ARIA), FIPS 81 style DES
/// and 3DES with all three keys equal (= DES).
#[test]
fn block_ciphers_known_answers() {
    for (cipher, key, plain, expected) in [
        (
            BulkCipher::Camellia128Cbc,
            "0123456789abcdeffedcba9876543210",
            "0123456789abcdeffedcba9876543210",
            "67673138549669730857065648eabe43",
        ),
        (
            BulkCipher::Camellia256Cbc,
            "0123456789abcdeffedcba987654321000112233445566778899aabbccddeeff",
            "0123456789abcdeffedcba9876543210",
            "9acc237dff16d76c20ef7c919e3a7509",
        ),
        (
            BulkCipher::Aria128Cbc,
            "000102030405060708090a0b0c0d0e0f",
            "00112233445566778899aabbccddeeff",
            "d718fbd6ab644c739da95f3be6451778",
        ),
        (
            BulkCipher::Aria256Cbc,
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
            "00112233445566778899aabbccddeeff",
            "f92bd7c79fb72e2f2b8f80c1972d24fc",
        ),
        (
            BulkCipher::DesCbc,
            "133457799bbcdff1",
            "0123456789abcdef",
            "85e813540f0ab405",
        ),
        (
            BulkCipher::TripleDesCbc,
            "133457799bbcdff1133457799bbcdff1133457799bbcdff1",
            "0123456789abcdef",
            "85e813540f0ab405",
        ),
    ] {
        let k = CbcKey::new(cipher, &h(key)).unwrap();
        let mut data = h(expected);
        // One CBC block with a zero IV is the raw block decryption.
        k.decrypt(&vec![0; k.block_len()], &mut data);
        assert_eq!(data, h(plain), "{cipher:?}");
    }
}

fn tls12_aad(seq: u64, ty: u8, len: usize) -> Vec<u8> {
    let mut aad = seq.to_be_bytes().to_vec();
    aad.extend_from_slice(&[ty, 3, 3]);
    aad.extend_from_slice(&(len as u16).to_be_bytes());
    aad
}

fn keys(suite: &CipherSuite) -> (KeyBlock, [u8; 32], [u8; 32], Vec<u8>) {
    let ms: Vec<u8> = (0..48u8).collect();
    let cr = [7u8; 32];
    let sr = [9u8; 32];
    let kb = key_block(suite, Version::Tls12, &ms, &cr, &sr).unwrap();
    (kb, cr, sr, ms)
}

/// ARIA-128-CBC-SHA256 (0xc03c): a record encrypted here with the `aria`
/// crate, MAC-then-encrypt, opened by the decrypter.
#[test]
fn aria_cbc_record() {
    let suite = cipher_suite(0xc03c).unwrap();
    assert_eq!(suite.cipher, BulkCipher::Aria128Cbc);
    let (kb, ..) = keys(suite);
    let content = b"GET / HTTP/1.1\r\n";
    let mut plain = content.to_vec();
    let mac = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, kb.client.mac_key.as_bytes()),
        &[tls12_aad(0, 23, content.len()), content.to_vec()].concat(),
    );
    plain.extend_from_slice(mac.as_ref());
    let pad = 15 - plain.len() % 16;
    plain.extend(std::iter::repeat_n(pad as u8, pad + 1));
    let iv = [0x42u8; 16];
    let cipher = aria::Aria128::new_from_slice(kb.client.key.as_bytes()).unwrap();
    let mut prev = iv;
    let mut body = iv.to_vec();
    for block in plain.chunks(16) {
        let mut b = [0u8; 16];
        for (o, (p, c)) in b.iter_mut().zip(block.iter().zip(prev)) {
            *o = p ^ c;
        }
        cipher.encrypt_block(GenericArray::from_mut_slice(&mut b));
        body.extend_from_slice(&b);
        prev = b;
    }
    let hdr = [23, 3, 3, (body.len() >> 8) as u8, body.len() as u8];
    let mut d = RecordDecrypter::tls12(suite, &kb.client, false).unwrap();
    let pt = d.open(&hdr, &body).unwrap();
    assert_eq!(pt.data, content);
    // The server's keys, or a flipped bit, do not open it.
    let mut wrong = RecordDecrypter::tls12(suite, &kb.server, false).unwrap();
    assert_eq!(wrong.open(&hdr, &body), Err(DecryptError::BadRecordMac));
    let mut bad = body.clone();
    bad[20] ^= 1;
    assert_eq!(d.open(&hdr, &bad), Err(DecryptError::BadRecordMac));
}

/// Camellia-128-GCM (0xc07c RSA_WITH_CAMELLIA_128_GCM_SHA256): the TLS 1.2
/// GCM nonce (4-byte salt ‖ 8-byte explicit part) over the Camellia block
/// cipher.
#[test]
fn camellia_gcm_record() {
    let suite = cipher_suite(0xc07c).unwrap();
    assert_eq!(suite.cipher, BulkCipher::Camellia128Gcm);
    let (kb, ..) = keys(suite);
    let explicit = [1u8, 2, 3, 4, 5, 6, 7, 8];
    let mut nonce = kb.server.iv.as_bytes().to_vec();
    nonce.extend_from_slice(&explicit);
    let content = b"HTTP/1.1 200 OK\r\n".to_vec();
    let gcm = aes_gcm::AesGcm::<camellia::Camellia128, aes::cipher::consts::U12>::new_from_slice(
        kb.server.key.as_bytes(),
    )
    .unwrap();
    let mut buf = content.clone();
    let tag = gcm
        .encrypt_in_place_detached(
            GenericArray::from_slice(&nonce),
            &tls12_aad(0, 23, content.len()),
            &mut buf,
        )
        .unwrap();
    let mut body = explicit.to_vec();
    body.extend_from_slice(&buf);
    body.extend_from_slice(&tag);
    let hdr = [23, 3, 3, 0, body.len() as u8];
    let mut d = RecordDecrypter::tls12(suite, &kb.server, false).unwrap();
    assert_eq!(d.open(&hdr, &body).unwrap().data, content);
    let mut wrong = RecordDecrypter::tls12(suite, &kb.client, false).unwrap();
    assert_eq!(wrong.open(&hdr, &body), Err(DecryptError::BadRecordMac));
}

/// SSL 3.0's Finished and MAC are not TLS's: a TLS verify_data call for
/// SSL 3.0 is refused, and the SSL 3.0 verify_data depends on the side.
#[test]
fn ssl3_finished_is_its_own() {
    let suite = cipher_suite(0x000a).unwrap();
    let ms = [3u8; 48];
    assert!(matches!(
        tls12_verify_data(suite, Version::Ssl30, &ms, Side::Client, &[0; 36]),
        Err(DecryptError::InvalidUse(_))
    ));
    let c = ssl3_verify_data(&ms, Side::Client, b"messages");
    let s = ssl3_verify_data(&ms, Side::Server, b"messages");
    assert_ne!(c, s);
    assert!(ssl3_verify_finished(&ms, Side::Client, b"messages", &c));
    assert!(!ssl3_verify_finished(&ms, Side::Server, b"messages", &c));
    assert!(!ssl3_verify_finished(
        &ms[..47],
        Side::Client,
        b"messages",
        &c
    ));
    // AEAD and SHA-256-MAC suites are not SSL 3.0 suites.
    assert!(!cipher_suite(0xc02f).unwrap().allowed_in(Version::Ssl30));
    assert!(!cipher_suite(0x003c).unwrap().allowed_in(Version::Ssl30));
    assert!(cipher_suite(0x0004).unwrap().allowed_in(Version::Ssl30));
}

/// RC4 keeps its keystream across records; a record that fails to
/// authenticate leaves it where it was, so the next good one still opens.
#[test]
fn rc4_rewinds_after_a_bad_record() {
    let suite = cipher_suite(0x0005).unwrap(); // RSA_WITH_RC4_128_SHA
    let (kb, ..) = keys(suite);
    let seal = |seq: u64, ks_skip: usize, content: &[u8]| -> Vec<u8> {
        use aes::cipher::StreamCipher;
        let mac = ring::hmac::sign(
            &ring::hmac::Key::new(
                ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
                kb.client.mac_key.as_bytes(),
            ),
            &[tls12_aad(seq, 23, content.len()), content.to_vec()].concat(),
        );
        let mut rc4 =
            rc4::Rc4::<aes::cipher::consts::U16>::new_from_slice(kb.client.key.as_bytes()).unwrap();
        let mut skip = vec![0u8; ks_skip];
        rc4.apply_keystream(&mut skip);
        let mut buf = [content, mac.as_ref()].concat();
        rc4.apply_keystream(&mut buf);
        buf
    };
    let r0 = seal(0, 0, b"first");
    let r1 = seal(1, r0.len(), b"second");
    let hdr = |b: &[u8]| [23, 3, 3, 0, b.len() as u8];
    let mut d = RecordDecrypter::tls12(suite, &kb.client, false).unwrap();
    assert_eq!(d.open(&hdr(&r0), &r0).unwrap().data, b"first");
    let mut bad = r1.clone();
    bad[0] ^= 1;
    assert_eq!(d.open(&hdr(&bad), &bad), Err(DecryptError::BadRecordMac));
    assert_eq!(d.sequence(), 1);
    assert_eq!(d.open(&hdr(&r1), &r1).unwrap().data, b"second");
}
