//! Tests against real captures: openssl s_server/s_client 3.0 on loopback
//! with `-keylogfile`, one handshake per suite, records cut from the
//! tcpdump capture; the expected plaintext is what tshark 4.0 decrypts with
//! the same key log, and the transcript/handshake hashes were computed from
//! tshark's decrypted handshake messages (see the comment at the vectors).

use super::*;
use proptest::prelude::*;
use record::xor_seq;
use ring::aead;

fn h(s: &str) -> Vec<u8> {
    assert!(s.len() % 2 == 0);
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn arr32(s: &str) -> [u8; 32] {
    h(s).try_into().unwrap()
}

/// A record as (header, body).
fn rec(s: &str) -> ([u8; 5], Vec<u8>) {
    let b = h(s);
    (b[..5].try_into().unwrap(), b[5..].to_vec())
}

fn open(d: &mut RecordDecrypter, record: &str) -> Result<Plaintext, DecryptError> {
    let (hdr, body) = rec(record);
    d.open(&hdr, &body)
}

struct V13 {
    suite: u16,
    /// SERVER_HANDSHAKE_TRAFFIC_SECRET, CLIENT_HANDSHAKE_TRAFFIC_SECRET,
    /// CLIENT_TRAFFIC_SECRET_0 from the key log.
    shts: &'static str,
    chts: &'static str,
    cats: &'static str,
    /// The server's first protected record (seq 0): EncryptedExtensions.
    ee_record: &'static str,
    ee_plain: &'static str,
    /// The server's fourth protected record (seq 3): Finished, and the
    /// transcript hash of ClientHello..CertificateVerify.
    sfin_record: &'static str,
    sfin_plain: &'static str,
    sfin_transcript: &'static str,
    /// The client's first protected record (seq 0): Finished, and the
    /// transcript hash of ClientHello..server Finished.
    cfin_record: &'static str,
    cfin_plain: &'static str,
    cfin_transcript: &'static str,
    /// The client's first application record (seq 0): "ping\n".
    capp_record: &'static str,
}

struct V12 {
    suite: u16,
    version: Version,
    etm: bool,
    master: &'static str,
    client_random: &'static str,
    server_random: &'static str,
    /// Client Finished record (seq 0), its plaintext, and the handshake
    /// hash of ClientHello..ClientKeyExchange.
    cfin_record: &'static str,
    cfin_plain: &'static str,
    cfin_hash: &'static str,
    /// Server Finished record (seq 0), its plaintext, and the handshake
    /// hash of ClientHello..NewSessionTicket (with the client Finished).
    sfin_record: &'static str,
    sfin_plain: &'static str,
    sfin_hash: &'static str,
    /// The client's "ping\n" application record; in TLS 1.0 OpenSSL first
    /// sends an empty record (`capp0_record`, the BEAST countermeasure).
    capp_record: &'static str,
    capp0_record: Option<&'static str>,
}

fn check_tls13(v: &V13) {
    let suite = cipher_suite(v.suite).unwrap();
    assert!(suite.tls13);

    // Server handshake records.
    let mut server = RecordDecrypter::tls13(suite, &h(v.shts)).unwrap();
    let ee = open(&mut server, v.ee_record).unwrap();
    assert_eq!(ee.content_type, 22);
    assert_eq!(ee.data[0], 0x08, "EncryptedExtensions");
    assert_eq!(ee.data, h(v.ee_plain));
    assert_eq!(server.sequence(), 1);
    // Certificate and CertificateVerify are seq 1 and 2; not kept here.
    server.set_sequence(3);
    let fin = open(&mut server, v.sfin_record).unwrap();
    assert_eq!(fin.content_type, 22);
    assert_eq!(fin.data, h(v.sfin_plain));
    assert_eq!(&fin.data[..4], &[20, 0, 0, suite.hash.output_len() as u8]);
    let transcript = h(v.sfin_transcript);
    assert!(verify_finished(
        suite,
        &h(v.shts),
        &transcript,
        &fin.data[4..]
    ));
    assert_eq!(
        finished_verify_data(suite, &h(v.shts), &transcript).unwrap(),
        fin.data[4..]
    );
    // The wrong secret or the wrong transcript does not verify.
    assert!(!verify_finished(
        suite,
        &h(v.chts),
        &transcript,
        &fin.data[4..]
    ));
    assert!(!verify_finished(
        suite,
        &h(v.shts),
        &h(v.cfin_transcript),
        &fin.data[4..]
    ));
    assert!(!verify_finished(
        suite,
        &h(v.shts),
        &transcript,
        &fin.data[5..]
    ));

    // Client Finished, then application data after switching keys.
    let mut client = RecordDecrypter::tls13(suite, &h(v.chts)).unwrap();
    let cfin = open(&mut client, v.cfin_record).unwrap();
    assert_eq!(cfin.content_type, 22);
    assert_eq!(cfin.data, h(v.cfin_plain));
    assert!(verify_finished(
        suite,
        &h(v.chts),
        &h(v.cfin_transcript),
        &cfin.data[4..]
    ));
    client.rekey(&h(v.cats)).unwrap();
    assert_eq!(client.sequence(), 0);
    let app = open(&mut client, v.capp_record).unwrap();
    assert_eq!(app.content_type, 23);
    assert_eq!(app.data, b"ping\n");

    // Wrong keys: an authentication error, and the state is unchanged.
    let mut wrong = RecordDecrypter::tls13(suite, &h(v.chts)).unwrap();
    assert_eq!(
        open(&mut wrong, v.ee_record),
        Err(DecryptError::BadRecordMac)
    );
    assert_eq!(wrong.sequence(), 0);
    // The right key at the wrong sequence number fails too.
    let mut server = RecordDecrypter::tls13(suite, &h(v.shts)).unwrap();
    server.set_sequence(1);
    assert_eq!(
        open(&mut server, v.ee_record),
        Err(DecryptError::BadRecordMac)
    );
    // A flipped bit anywhere fails.
    let (hdr, body) = rec(v.ee_record);
    for i in 0..body.len() {
        let mut b = body.clone();
        b[i] ^= 0x40;
        let mut d = RecordDecrypter::tls13(suite, &h(v.shts)).unwrap();
        assert_eq!(d.open(&hdr, &b), Err(DecryptError::BadRecordMac));
    }
    let mut hdr2 = hdr;
    hdr2[2] = 0x01; // the header is the AAD
    let mut d = RecordDecrypter::tls13(suite, &h(v.shts)).unwrap();
    assert_eq!(d.open(&hdr2, &body), Err(DecryptError::BadRecordMac));
}

fn check_tls12(v: &V12) {
    let suite = cipher_suite(v.suite).unwrap();
    let ms = h(v.master);
    let (cr, sr) = (arr32(v.client_random), arr32(v.server_random));
    let kb = key_block(suite, v.version, &ms, &cr, &sr).unwrap();
    let mut client = RecordDecrypter::tls12(suite, kb.for_side(Side::Client), v.etm).unwrap();
    let mut server = RecordDecrypter::tls12(suite, kb.for_side(Side::Server), v.etm).unwrap();
    assert_eq!(client.version(), v.version);

    for (d, side, record, plain, hs_hash) in [
        (
            &mut client,
            Side::Client,
            v.cfin_record,
            v.cfin_plain,
            v.cfin_hash,
        ),
        (
            &mut server,
            Side::Server,
            v.sfin_record,
            v.sfin_plain,
            v.sfin_hash,
        ),
    ] {
        let fin = open(d, record).unwrap();
        assert_eq!(fin.content_type, 22);
        assert_eq!(fin.data, h(plain));
        assert_eq!(&fin.data[..4], &[20, 0, 0, 12]);
        let hs_hash = h(hs_hash);
        assert_eq!(hs_hash.len(), suite.handshake_hash(v.version).output_len());
        assert_eq!(
            tls12_verify_data(suite, v.version, &ms, side, &hs_hash).unwrap(),
            fin.data[4..]
        );
        assert!(tls12_verify_finished(
            suite,
            v.version,
            &ms,
            side,
            &hs_hash,
            &fin.data[4..]
        ));
        let other = match side {
            Side::Client => Side::Server,
            Side::Server => Side::Client,
        };
        assert!(!tls12_verify_finished(
            suite,
            v.version,
            &ms,
            other,
            &hs_hash,
            &fin.data[4..]
        ));
    }
    if let Some(r) = v.capp0_record {
        let empty = open(&mut client, r).unwrap();
        assert_eq!(empty.content_type, 23);
        assert!(empty.data.is_empty());
    }
    let app = open(&mut client, v.capp_record).unwrap();
    assert_eq!(app.content_type, 23);
    assert_eq!(app.data, b"ping\n");

    // Passing over a record instead of opening it keeps the next one
    // readable: the sequence number, and in TLS 1.0 the chained IV (the
    // last ciphertext block, before the MAC under encrypt-then-MAC).
    if let Some(r) = v.capp0_record {
        let mut c3 = RecordDecrypter::tls12(suite, kb.for_side(Side::Client), v.etm).unwrap();
        open(&mut c3, v.cfin_record).unwrap();
        let (_, body) = rec(r);
        assert!(c3.skip(&body));
        assert_eq!(open(&mut c3, v.capp_record).unwrap().data, b"ping\n");
    }

    // The pair constructor gives the same.
    let (mut c2, _s2) =
        RecordDecrypter::tls12_pair(suite, v.version, &ms, &cr, &sr, v.etm).unwrap();
    assert_eq!(open(&mut c2, v.cfin_record).unwrap().data, h(v.cfin_plain));

    // Wrong keys: the other direction's keys, a changed master secret, or
    // swapped randoms all fail authentication, never give garbage.
    let mut wrong = RecordDecrypter::tls12(suite, kb.for_side(Side::Server), v.etm).unwrap();
    assert_eq!(
        open(&mut wrong, v.cfin_record),
        Err(DecryptError::BadRecordMac)
    );
    assert_eq!(wrong.sequence(), 0);
    let mut ms2 = ms.clone();
    ms2[0] ^= 1;
    let (mut wrong, _) =
        RecordDecrypter::tls12_pair(suite, v.version, &ms2, &cr, &sr, v.etm).unwrap();
    assert_eq!(
        open(&mut wrong, v.cfin_record),
        Err(DecryptError::BadRecordMac)
    );
    let (mut wrong, _) =
        RecordDecrypter::tls12_pair(suite, v.version, &ms, &sr, &cr, v.etm).unwrap();
    assert_eq!(
        open(&mut wrong, v.cfin_record),
        Err(DecryptError::BadRecordMac)
    );
    // For CBC, the wrong encrypt_then_mac setting fails cleanly as well.
    if !suite.cipher.is_aead() {
        let kb = key_block(suite, v.version, &ms, &cr, &sr).unwrap();
        let mut wrong = RecordDecrypter::tls12(suite, &kb.client, !v.etm).unwrap();
        assert!(matches!(
            open(&mut wrong, v.cfin_record),
            Err(DecryptError::BadRecordMac | DecryptError::Malformed(_))
        ));
    }
    // A flipped bit anywhere in the body fails.
    let (hdr, body) = rec(v.cfin_record);
    for i in 0..body.len() {
        let mut b = body.clone();
        b[i] ^= 0x01;
        let mut d = RecordDecrypter::tls12(suite, &kb.client, v.etm).unwrap();
        assert_eq!(
            d.open(&hdr, &b),
            Err(DecryptError::BadRecordMac),
            "byte {i}"
        );
    }
}

#[test]
fn tls13_aes_128_gcm_sha256() {
    check_tls13(&T13AES128);
}

#[test]
fn tls13_aes_256_gcm_sha384() {
    check_tls13(&T13AES256);
}

#[test]
fn tls13_chacha20_poly1305_sha256() {
    check_tls13(&T13CHACHA);
}

#[test]
fn tls13_aes_128_ccm_sha256() {
    check_tls13(&T13CCM);
}

#[test]
fn tls13_aes_128_ccm_8_sha256() {
    check_tls13(&T13CCM8);
}

#[test]
fn tls12_rsa_aes_128_ccm() {
    check_tls12(&T12CCM);
}

#[test]
fn tls12_rsa_aes_256_ccm_8() {
    check_tls12(&T12CCM8);
}

#[test]
fn tls12_dhe_rsa_aes_256_ccm() {
    check_tls12(&T12DHECCM);
}

#[test]
fn tls12_ecdhe_rsa_aes_128_gcm_sha256() {
    check_tls12(&T12GCM);
}

#[test]
fn tls12_ecdhe_rsa_aes_256_gcm_sha384() {
    check_tls12(&T12GCM384);
}

#[test]
fn tls12_ecdhe_rsa_chacha20_poly1305() {
    check_tls12(&T12CHACHA);
}

#[test]
fn tls12_ecdhe_rsa_aes_128_cbc_sha256_encrypt_then_mac() {
    check_tls12(&T12CBC);
}

#[test]
fn tls12_ecdhe_rsa_aes_128_cbc_sha256_mac_then_encrypt() {
    check_tls12(&T12CBCNOETM);
}

#[test]
fn tls12_ecdhe_rsa_aes_256_cbc_sha384_mac_then_encrypt() {
    check_tls12(&T12CBC384);
}

#[test]
fn tls12_ecdhe_rsa_aes_256_cbc_sha1_encrypt_then_mac() {
    check_tls12(&T12CBCSHA1);
}

#[test]
fn tls11_ecdhe_rsa_aes_128_cbc_sha() {
    check_tls12(&T11CBC);
}

#[test]
fn tls10_ecdhe_rsa_aes_128_cbc_sha_encrypt_then_mac() {
    check_tls12(&T10CBC);
}

#[test]
fn tls10_ecdhe_rsa_aes_256_cbc_sha_chained_iv() {
    check_tls12(&T10CBCNOETM);
}

/// TLS 1.3 KeyUpdate (s_client's `K` command, TLS_AES_256_GCM_SHA384): the
/// client sends "ping\n" (seq 0), KeyUpdate(update_requested) (seq 1), then
/// "pong\n" under the next secret, which OpenSSL also logged as
/// CLIENT_TRAFFIC_SECRET_N.
#[test]
fn tls13_key_update() {
    let suite = cipher_suite(0x1302).unwrap();
    let cats = h("f3ee30e493007db317ab7cb90409f1e668eb7fc4783d0ffc14eac2dccc4812cb69eda250267df79f79c5039abad97d14");
    let next = h("7aead0dbda9ff9e7c0e195b088f4ae0f5054bd701661fba0a7e31a4fd3a0ab7980b70ce8d8ed02fc0a9cbec5ebee3439");
    assert_eq!(
        next_traffic_secret(suite.hash, &cats).unwrap().as_bytes(),
        next
    );
    let mut d = RecordDecrypter::tls13(suite, &cats).unwrap();
    let ping = open(
        &mut d,
        "1703030016cdbd61af84853bf94170b2d2a08e2dc3fecad7f81e64",
    )
    .unwrap();
    assert_eq!(
        (ping.content_type, ping.data.as_slice()),
        (23, &b"ping\n"[..])
    );
    let ku = open(
        &mut d,
        "17030300169799bd6e479761ba366f0586c814fb7cf2fc4a343208",
    )
    .unwrap();
    assert_eq!(
        (ku.content_type, ku.data.as_slice()),
        (22, &[24, 0, 0, 1, 1][..])
    );
    let pong = "1703030016a48eecf2f2b3f1138700847fff8b42b0ecfa11740151";
    // Under the old key the next record fails...
    let mut stale = RecordDecrypter::tls13(suite, &cats).unwrap();
    stale.set_sequence(2);
    assert_eq!(open(&mut stale, pong), Err(DecryptError::BadRecordMac));
    // ...and after the update it decrypts at seq 0.
    d.key_update().unwrap();
    assert_eq!(d.sequence(), 0);
    let p = open(&mut d, pong).unwrap();
    assert_eq!((p.content_type, p.data.as_slice()), (23, &b"pong\n"[..]));
    // rekey with the logged secret does the same.
    let mut d2 = RecordDecrypter::tls13(suite, &cats).unwrap();
    d2.rekey(&next).unwrap();
    assert_eq!(open(&mut d2, pong).unwrap().data, b"pong\n");
}

/// TLS 1.3 inner plaintext: zero padding is stripped and the real type is
/// the last non-zero byte; all-zero plaintext is malformed. Records are
/// sealed here with ring using the key schedule under test (whose output
/// the real-capture tests above pin down).
#[test]
fn tls13_padding_and_content_type() {
    let suite = cipher_suite(0x1301).unwrap();
    let secret = h(T13AES128.cats);
    let keys = traffic_keys(suite, &secret).unwrap();
    let key = aead::LessSafeKey::new(
        aead::UnboundKey::new(&aead::AES_128_GCM, keys.key.as_bytes()).unwrap(),
    );
    let iv: [u8; 12] = keys.iv.as_bytes().try_into().unwrap();
    let seal = |seq: u64, inner: &[u8]| -> ([u8; 5], Vec<u8>) {
        let len = (inner.len() + 16) as u16;
        let hdr = [23, 3, 3, (len >> 8) as u8, len as u8];
        let mut buf = inner.to_vec();
        key.seal_in_place_append_tag(
            aead::Nonce::assume_unique_for_key(xor_seq(&iv, seq)),
            aead::Aad::from(hdr),
            &mut buf,
        )
        .unwrap();
        (hdr, buf)
    };
    let mut d = RecordDecrypter::tls13(suite, &secret).unwrap();
    // An alert with 100 bytes of padding.
    let mut inner = vec![2, 116, 21];
    inner.extend(std::iter::repeat_n(0, 100));
    let (hdr, body) = seal(0, &inner);
    let p = d.open(&hdr, &body).unwrap();
    assert_eq!((p.content_type, p.data.as_slice()), (21, &[2, 116][..]));
    // Content ending in zero bytes keeps them: only bytes after the type go.
    let (hdr, body) = seal(1, &[0, 0, 23, 0, 0]);
    let p = d.open(&hdr, &body).unwrap();
    assert_eq!((p.content_type, p.data.as_slice()), (23, &[0, 0][..]));
    // All zeros: no content type.
    let (hdr, body) = seal(2, &[0, 0, 0]);
    assert!(matches!(
        d.open(&hdr, &body),
        Err(DecryptError::Malformed(_))
    ));
    assert_eq!(d.sequence(), 2);
    // Debug shows type and length, not the data.
    let p = Plaintext {
        content_type: 23,
        data: b"GET /secret".to_vec(),
    };
    assert_eq!(format!("{p:?}"), "Plaintext { content_type: 23, len: 11 }");
}

#[test]
fn malformed_records() {
    let suite = cipher_suite(0x1301).unwrap();
    let mut d = RecordDecrypter::tls13(suite, &h(T13AES128.shts)).unwrap();
    let (hdr, body) = rec(T13AES128.ee_record);
    // Length field disagrees with the body.
    assert!(matches!(
        d.open(&hdr, &body[1..]),
        Err(DecryptError::Malformed(_))
    ));
    // Outer type other than application_data.
    let mut h2 = hdr;
    h2[0] = 22;
    assert!(matches!(
        d.open(&h2, &body),
        Err(DecryptError::Malformed(_))
    ));
    // Too short for the tag.
    assert!(matches!(
        d.open(&[23, 3, 3, 0, 5], &[0; 5]),
        Err(DecryptError::Malformed(_))
    ));
    // Too long for any TLS record (the header can say up to 65535).
    let big = vec![0u8; MAX_CIPHERTEXT_LEN + 1];
    let n = big.len() as u16;
    assert!(matches!(
        d.open(&[23, 3, 3, (n >> 8) as u8, n as u8], &big),
        Err(DecryptError::Malformed(_))
    ));
    assert_eq!(d.sequence(), 0);
    // CBC bodies that are not whole blocks.
    let v = &T12CBCNOETM;
    let (mut c, _) = RecordDecrypter::tls12_pair(
        cipher_suite(v.suite).unwrap(),
        v.version,
        &h(v.master),
        &arr32(v.client_random),
        &arr32(v.server_random),
        false,
    )
    .unwrap();
    let (hdr, body) = rec(v.cfin_record);
    let mut hdr2 = hdr;
    hdr2[4] -= 1;
    assert!(matches!(
        c.open(&hdr2, &body[..body.len() - 1]),
        Err(DecryptError::Malformed(_))
    ));
    assert!(matches!(
        c.open(&[22, 3, 3, 0, 0], &[]),
        Err(DecryptError::Malformed(_))
    ));
}

#[test]
fn suite_table() {
    let mut ids: Vec<u16> = supported_suites().iter().map(|s| s.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), supported_suites().len());
    for id in [
        0x1301, 0x1302, 0x1303, 0xc02b, 0xc02c, 0xc02f, 0xc030, 0x009c, 0x009d, 0x009e, 0x009f,
        0xcca8, 0xcca9, 0xccaa, 0xc009, 0xc00a, 0xc013, 0xc014, 0x002f, 0x0035, 0xc023, 0xc024,
        0xc027, 0xc028, 0x003c, 0x003d, 0x0033, 0x0039, 0x0067, 0x006b, 0x1304, 0x1305, 0xc09c,
        0xc09d, 0xc09e, 0xc09f, 0xc0a0, 0xc0a1, 0xc0a2, 0xc0a3, 0xc0ac, 0xc0ad, 0xc0ae, 0xc0af,
    ] {
        let s = cipher_suite(id).unwrap();
        assert_eq!(s.id, id);
        assert!(s.name.starts_with("TLS_"));
        if let Some(a) = s.cipher.ring_aead() {
            assert_eq!(a.key_len(), s.key_len, "{}", s.name);
            assert_eq!(a.tag_len(), s.tag_len, "{}", s.name);
            assert!(s.mac.is_none());
        } else if s.cipher.is_aead() {
            assert!(s.name.contains("_CCM"), "{}", s.name);
            let short = s.name.ends_with("_8") || s.name.contains("_8_");
            assert_eq!(s.tag_len, if short { 8 } else { 16 }, "{}", s.name);
            assert_eq!(s.hash, HashAlg::Sha256, "{}", s.name);
        } else {
            assert!(s.mac.is_some());
            assert_eq!(s.explicit_nonce_len, 16);
        }
        assert_eq!(
            s.name.ends_with("SHA384"),
            s.hash == HashAlg::Sha384,
            "{}",
            s.name
        );
        assert_eq!(
            s.name.contains("256_") || s.name.contains("CHACHA20"),
            s.key_len == 32,
            "{}",
            s.name
        );
        assert_eq!(s.tls13, s.allowed_in(Version::Tls13));
    }
    assert_eq!(cipher_suite(0xc014).unwrap().mac, Some(HashAlg::Sha1));
    assert_eq!(cipher_suite(0xc014).unwrap().hash, HashAlg::Sha256);
    // NULL_WITH_NULL_NULL, unassigned, the SCSVs, AEGIS, an export suite,
    // SEED, IDEA, SM4.
    for id in [
        0x0000, 0xffff, 0x00ff, 0x5600, 0x1306, 0x0003, 0x0096, 0x0007, 0x00c6,
    ] {
        assert_eq!(cipher_suite(id), Err(DecryptError::UnsupportedSuite(id)));
    }
    assert_eq!(
        DecryptError::UnsupportedSuite(0x0096).to_string(),
        "cipher suite 0x0096 is not supported for decryption"
    );
    // The older suites, from tls-parser's table.
    let s = cipher_suite(0x000a).unwrap();
    assert_eq!(
        (s.cipher, s.key_len, s.explicit_nonce_len, s.mac),
        (BulkCipher::TripleDesCbc, 24, 8, Some(HashAlg::Sha1))
    );
    assert_eq!(s.fixed_iv_len_for(Version::Tls10), 8);
    assert!(s.static_rsa && s.allowed_in(Version::Ssl30));
    let s = cipher_suite(0x0004).unwrap(); // RSA_WITH_RC4_128_MD5
    assert_eq!((s.cipher, s.mac), (BulkCipher::Rc4, Some(HashAlg::Md5)));
    assert_eq!(s.fixed_iv_len_for(Version::Tls10), 0);
    let s = cipher_suite(0xc03b).unwrap(); // ECDHE_PSK_WITH_NULL_SHA384
    assert_eq!(
        (s.cipher, s.mac, s.hash),
        (BulkCipher::Null, Some(HashAlg::Sha384), HashAlg::Sha384)
    );
    assert!(!s.static_rsa && !s.allowed_in(Version::Ssl30));
    let s = cipher_suite(0xc07d).unwrap(); // DHE_RSA_WITH_CAMELLIA_256_GCM_SHA384
    assert_eq!(
        (
            s.cipher,
            s.fixed_iv_len,
            s.explicit_nonce_len,
            s.tag_len,
            s.hash
        ),
        (BulkCipher::Camellia256Gcm, 4, 8, 16, HashAlg::Sha384)
    );
    let s = cipher_suite(0xc052).unwrap(); // DHE_RSA_WITH_ARIA_128_GCM_SHA256
    assert_eq!(s.cipher, BulkCipher::Aria128Gcm);
    let s = cipher_suite(0x0038).unwrap(); // DHE_DSS_WITH_AES_256_CBC_SHA
    assert_eq!(s.cipher, BulkCipher::Aes256Cbc);
    let s = cipher_suite(0xc018).unwrap(); // ECDH_anon_WITH_AES_128_CBC_SHA
    assert_eq!(s.cipher, BulkCipher::Aes128Cbc);
    let s = cipher_suite(0x00ae).unwrap(); // PSK_WITH_AES_128_CBC_SHA256
    assert_eq!(
        (s.cipher, s.mac),
        (BulkCipher::Aes128Cbc, Some(HashAlg::Sha256))
    );
    let s = cipher_suite(0xc01d).unwrap(); // SRP_SHA_WITH_AES_128_CBC_SHA
    assert_eq!(s.cipher, BulkCipher::Aes128Cbc);
    assert!(cipher_suite(0x0035).unwrap().static_rsa);
    assert!(!cipher_suite(0xc014).unwrap().static_rsa);
    assert!(!cipher_suite(0x1301).unwrap().static_rsa);
}

#[test]
fn misuse_is_reported() {
    let s13 = cipher_suite(0x1301).unwrap();
    let s12 = cipher_suite(0xc02f).unwrap();
    let secret32 = h(T13AES128.shts);
    assert!(matches!(
        RecordDecrypter::tls13(s12, &secret32),
        Err(DecryptError::InvalidUse(_))
    ));
    // A SHA-256-length secret for a SHA-384 suite.
    assert!(matches!(
        RecordDecrypter::tls13(cipher_suite(0x1302).unwrap(), &secret32),
        Err(DecryptError::BadKeyMaterial(_))
    ));
    let v = &T12GCM;
    let (cr, sr) = (arr32(v.client_random), arr32(v.server_random));
    assert!(matches!(
        key_block(s13, Version::Tls13, &h(v.master), &cr, &sr),
        Err(DecryptError::InvalidUse(_))
    ));
    assert!(matches!(
        key_block(s12, Version::Tls10, &h(v.master), &cr, &sr),
        Err(DecryptError::InvalidUse(_))
    ));
    assert!(matches!(
        key_block(s12, Version::Tls12, &secret32, &cr, &sr),
        Err(DecryptError::BadKeyMaterial(_))
    ));
    let (mut c, _) =
        RecordDecrypter::tls12_pair(s12, Version::Tls12, &h(v.master), &cr, &sr, false).unwrap();
    assert!(matches!(c.key_update(), Err(DecryptError::InvalidUse(_))));
    assert!(matches!(
        c.rekey(&secret32),
        Err(DecryptError::InvalidUse(_))
    ));
    assert!(!verify_finished(s12, &secret32, &[0; 32], &[0; 32]));
    assert!(hkdf_expand_label(HashAlg::Sha256, &secret32, b"key", b"", 255 * 32 + 1).is_err());
}

#[test]
fn debug_output_has_no_key_material() {
    let v = &T12GCM;
    let suite = cipher_suite(v.suite).unwrap();
    let kb = key_block(
        suite,
        v.version,
        &h(v.master),
        &arr32(v.client_random),
        &arr32(v.server_random),
    )
    .unwrap();
    let d = RecordDecrypter::tls12(suite, &kb.client, false).unwrap();
    let t13 = cipher_suite(0x1301).unwrap();
    let keys = traffic_keys(t13, &h(T13AES128.shts)).unwrap();
    let d13 = RecordDecrypter::tls13(t13, &h(T13AES128.shts)).unwrap();
    let texts = [
        format!("{kb:?}"),
        format!("{kb:#?}"),
        format!("{d:?}"),
        format!("{keys:?}"),
        format!("{d13:?}"),
        format!("{:?}", Transcript::new(HashAlg::Sha256)),
    ];
    let secrets: Vec<Vec<u8>> = vec![
        kb.client.key.as_bytes().to_vec(),
        kb.client.iv.as_bytes().to_vec(),
        kb.server.key.as_bytes().to_vec(),
        keys.key.as_bytes().to_vec(),
        keys.iv.as_bytes().to_vec(),
        h(T13AES128.shts),
    ];
    for t in &texts {
        for s in &secrets {
            let hex: String = s[..4].iter().map(|b| format!("{b:02x}")).collect();
            assert!(!t.contains(&hex), "{t}");
            let dec = format!("{}, {}", s[0], s[1]);
            assert!(!t.contains(&dec), "{t}");
        }
        assert!(t.len() < 400, "{t}");
    }
    assert!(texts[2].contains("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"));
}

#[test]
fn transcript_and_hashes() {
    let data = b"handshake messages";
    for alg in [
        HashAlg::Sha1,
        HashAlg::Sha256,
        HashAlg::Sha384,
        HashAlg::Md5Sha1,
    ] {
        let mut t = Transcript::new(alg);
        t.update(&data[..5]);
        let partial = t.current_hash();
        t.update(&data[5..]);
        assert_eq!(t.current_hash(), hash(alg, data));
        assert_eq!(partial, hash(alg, &data[..5]));
        assert_eq!(hash(alg, data).len(), alg.output_len());
    }
    // Well-known digests of "abc".
    assert_eq!(
        hash(HashAlg::Sha256, b"abc"),
        h("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    );
    assert_eq!(
        hash(HashAlg::Md5Sha1, b"abc"),
        h("900150983cd24fb0d6963f7d28e17f72a9993e364706816aba3e25717850c26c9cd0d89d")
    );
}

/// HMAC-MD5 against RFC 2104's test vector, since the TLS 1.0 PRF uses our
/// own HMAC over `md-5`.
#[test]
fn hmac_md5_rfc2104() {
    assert_eq!(
        hmac_md5(&[0x0b; 16], &[b"Hi There"]).to_vec(),
        h("9294727a3638bb1c13f48ef8158bfc9d")
    );
    assert_eq!(
        hmac_md5(b"Jefe", &[b"what do ya want ", b"for nothing?"]).to_vec(),
        h("750c783e6ab0b503eaa86e310a5db738")
    );
}

fn decrypters() -> Vec<RecordDecrypter> {
    let mut out = Vec::new();
    for v in [&T13AES128, &T13AES256, &T13CHACHA, &T13CCM, &T13CCM8] {
        out.push(RecordDecrypter::tls13(cipher_suite(v.suite).unwrap(), &h(v.shts)).unwrap());
    }
    for v in [
        &T12GCM,
        &T12CHACHA,
        &T12CBC,
        &T12CBCNOETM,
        &T10CBC,
        &T10CBCNOETM,
        &T12CCM,
        &T12CCM8,
    ] {
        let (c, _) = RecordDecrypter::tls12_pair(
            cipher_suite(v.suite).unwrap(),
            v.version,
            &h(v.master),
            &arr32(v.client_random),
            &arr32(v.server_random),
            v.etm,
        )
        .unwrap();
        out.push(c);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Random records never panic and never "decrypt".
    #[test]
    fn random_records_never_panic(
        ty in prop_oneof![Just(23u8), Just(22u8), any::<u8>()],
        body in proptest::collection::vec(any::<u8>(), 0..300),
        lie in any::<bool>(),
    ) {
        for mut d in decrypters() {
            let len = if lie { body.len() as u16 ^ 1 } else { body.len() as u16 };
            let hdr = [ty, 3, 3, (len >> 8) as u8, len as u8];
            match d.open(&hdr, &body) {
                Err(DecryptError::BadRecordMac | DecryptError::Malformed(_)) => {}
                other => prop_assert!(false, "unexpected {:?}", other),
            }
            prop_assert_eq!(d.sequence(), 0);
        }
    }

    /// CBC with a valid MAC key but random ciphertext: padding and MAC
    /// checks must reject without panicking, whatever the last byte says.
    #[test]
    fn random_cbc_blocks(blocks in 1usize..8, seed in any::<u64>()) {
        let mut x = seed | 1;
        let mut body = vec![0u8; 16 * (blocks + 1)];
        for b in body.iter_mut() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            *b = x as u8;
        }
        for mut d in decrypters() {
            let len = body.len() as u16;
            let hdr = [23, 3, 3, (len >> 8) as u8, len as u8];
            prop_assert!(d.open(&hdr, &body).is_err());
        }
    }
}

// ---------------------------------------------------------------------------
// Vectors. Made with openssl 3.0 on loopback:
//   s_server -accept 127.0.0.1:PORT -cert rsa2048.pem -key key.pem -naccept 1
//   s_client -connect 127.0.0.1:PORT -keylogfile keys.txt <-tls1_3
//     -ciphersuites SUITE | -tls1_2 -cipher SUITE [-no_etm] | -tls1 ...>
// with the client sending "ping\n"; tcpdump on lo; expected plaintexts from
// `tshark -o tls.keylog_file:keys.txt -x`; hashes over tshark's decrypted
// handshake messages; every Finished was also checked with an independent
// Python (hashlib/hmac/cryptography) computation.

const T13AES128: V13 = V13 {
    suite: 0x1301,
    shts: "2b41f4fe4a07e5c575a6b48593666bf455ebb53dd8cd8e0b5b299338597c492c",
    chts: "8191ee897a0e0e8373dff81c6b2adc1377f2894f83b22dbd26bcbf996513735c",
    cats: "b674e1309d2be31d57b40b83a11290a6ac91dc7ad1c2c3153404db2daf3b4ede",
    ee_record: "1703030017cb2fbce9721d65183c39a78c03752e26c69a2e64bceb48",
    ee_plain: "080000020000",
    sfin_record: "1703030035bb327a5cdffb9fe8878b81ab94327c0e747b1234a4f593a933da23c99d9059445758f79d1afef93f196444dc8556a1535656bcfb34",
    sfin_plain: "1400002094f3299b45691e79e097ce6e84723f1f464f36cbefc58086ffba3bd0b15d6ce6",
    sfin_transcript: "53f643a7bb8729d8d83630ed7807e6ff73f500c744c45b78a20984865cbeeaa4",
    cfin_record: "17030300351722e7d4a41a672535335d3fd979dd839e0a5a7181fd245c7bdfe27e6969baef1288d89ba6162dfa1a7c30a122a77a010f02b37e4d",
    cfin_plain: "14000020a73a6003a3f64995f31cbe9864a5f2bacc00539eff53c1292706fffe85283ca8",
    cfin_transcript: "5abda77307f706e4860133277b9e32a4facc66da38f302065e47ffffb40f6b48",
    capp_record: "17030300166db24a663913ea4169d3b7b623f22cdb93eeb48bb9d2",
};

const T13AES256: V13 = V13 {
    suite: 0x1302,
    shts: "bcd607cac6631fddc7e6a1ab69ccbc86c995a4e1d8718d8371ae0ac1e40b914162f523194f88710260247d8085e495b5",
    chts: "7d4a8fc9432ec69c57bb60d755a5ca8bc2607cd1319d41e7d070b5e09f45fa549815bab7e4c62bb2a789f06f9206ba70",
    cats: "6f1701ad88446db01b7480ecddac67d8166d14d0fa028a9cd440620438538dcc3113adddb6eb1671d5055051f59d9f08",
    ee_record: "17030300173ff8ea0118e1fabafa7dcaac2dd997a5bc035ad8498606",
    ee_plain: "080000020000",
    sfin_record: "1703030045d61b7c992eb7f6f1f40a6d058d77da38d8ca76cdca4a01f234be6c016e98f9cead7dd17214b04456010996fc0e4118cbd67c87abf1d41b9225f0290828a9c5f6a5b86b7400",
    sfin_plain: "140000306480d0b1bacd773095c96be1ffa9b96df0636c66c7eaf52db932a33f306d25b438ad3e019408831fd6aaec496050c55e",
    sfin_transcript: "e29b5d0af9459a33f1e300cbce1c22b9070741d231bd0c7097d90ed47298df4c032e10064637074a05138747e8853371",
    cfin_record: "1703030045160d7c9d4e835f049892a4ebd0f9d3ceab81588d67263d680cf4ac575b56634096adc717e3e413561b8d465ea08875c481234d4a21cbf7c81b9e59d09be1dbaecd82c3fd60",
    cfin_plain: "14000030c7221b08fa8045cda6e0e286e0a96bb8bc1ee71dec77cb5d2315e59edb0b6cdd103e198aa82785e4ef4676d4ae9eda50",
    cfin_transcript: "ad349a4de03a0383e970d2c773a152f484f054ba515f1fa52221ae1e2cd7814e2b798671de98c0ad74c8b9a6d3d7740c",
    capp_record: "1703030016ccc2ed1d12228479f3c641dae0950ccf14746d02bf88",
};

const T13CHACHA: V13 = V13 {
    suite: 0x1303,
    shts: "f37b8f71eab1e85e287ef87ace41a871b85821804a7d3154430edd2f6f90a322",
    chts: "6e8d5ef4d9d1cac5f74adeee9b77885a56f8559634fa30b685f97268b1d544e2",
    cats: "c58e2b0a582a758de52a727e1a132a00f2b42dac2bb4d56cc951b8cd0119e498",
    ee_record: "17030300171d0ca95db54b3081925dbcbbb38f114318ca78632d08f8",
    ee_plain: "080000020000",
    sfin_record: "170303003532c73cc206455582873e0aad5db5a79cf49c24874b4bfee645979f9b04caaa41cc70757ffb5dc5bb386c158b8947b90aacd412253b",
    sfin_plain: "140000206799c45e133c5fea4e2c3a79f2e98b246959afe9128b3abe45ea2d845a71ef10",
    sfin_transcript: "57a15c706b453dab37df7bf7d0fded0632fa3d19f11bce58371d5d7f04b9012e",
    cfin_record: "17030300354dcd4f617d7b36d74d4556a68100a1aaed87d2fbb2cbd5d323022e38d8056c0d828b2d19aa3eb0f0f757f6cfcf5c03cfefba2d4838",
    cfin_plain: "14000020e5ba809282057461ad551a98679e9f99d10478713da924c6deb0056bc2034636",
    cfin_transcript: "962e0c3e5b027927116249a02af7ba3972b12d64dbe4d49549bf79ad00a918e0",
    capp_record: "1703030016dc6dde5aef37a6ac233a1d48b75febf6abce21d03113",
};

const T13CCM: V13 = V13 {
    suite: 0x1304,
    shts: "43ccbc727e2f49fb5b8c66a5cded9a2ff424680dd93502f2e03971175c4df43b",
    chts: "fa0dc85066138f9f053209467ff481413797c9f45ccf49acfbb357e68763f51e",
    cats: "ffd8b1017f8672e114e71aa1ae71644177e7be8981c691c7cab359aab39ee851",
    ee_record: "1703030017e8eeba8fc1819ea22f6ececca81123538d82b084c88742",
    ee_plain: "080000020000",
    sfin_record: "1703030035fa515d2fa8397da9d56018c8cd5b69c07dc2e961b015d0519cc4ced470e2f8121383c99ccbefcf8898fe021d13dc9574b5326479a5",
    sfin_plain: "14000020a78ce2cfbe295ca1f274a345b7a6ee3ff43817942c54e1364eb31cffac806623",
    sfin_transcript: "3628b23b6d56f1f491678f340a36f121234c3a9686102a29febbd4993246da71",
    cfin_record: "170303003582648cd550744cde0984a0fa7f357d71fe216351633c7d84ea149812796119904a9bb78b548191d85385a1374cd905130df3996429",
    cfin_plain: "14000020d88cee1aeb983d0845c4c3aa2f8ffc91e0388f88762c216ebc33c4a5774fb2ac",
    cfin_transcript: "b2e7b25b9e57bac21ce354d2fb2762e25d913d8d4f814e32461982391f24037b",
    capp_record: "170303001680a0b8f49de3d8f5ac3a77dc88c6b37e1d96ab9c1b42",
};

const T13CCM8: V13 = V13 {
    suite: 0x1305,
    shts: "aed676e248e3b90c8366b747a7cca9c74f31c282eed98f30f566cf167ad0c03a",
    chts: "735b864e98f5a62a6220189ec22e6d154cda61d918c2ee74e063de3f40eff7bc",
    cats: "af88cd91df5354ffaeebc593b945d57d7dc783e006624124233cade75f193f05",
    ee_record: "170303000f699f58559fd104c5dcbeaaea9e8062",
    ee_plain: "080000020000",
    sfin_record: "170303002d0571c7ac78dff38d062b3706b18e0675799685805c032bccc7f48417cceae750ad13d22c484f3fe26ef50cb6c1",
    sfin_plain: "140000205ea60077c6dc428f5b7a0548c4c40ba2bed1ce1e0d320575f7a009704f5840a4",
    sfin_transcript: "2c25678eb060592934251beb161790065b9fa7f69885140d443e9adfa6f5bcc1",
    cfin_record: "170303002de1235c7fe4db1530a4919ca19f0b84b52b3d9cb9a334a9ff7db9fa68ffb3f05156915fd1475d2f041421cbff85",
    cfin_plain: "14000020a1819348683dd8fd6dd9d2409a69dafb9f0f795c384a399a51281b845dd29d3a",
    cfin_transcript: "777b7711724666e8a410257b93e43cbea83767b81884bb18bf643c23f38446a6",
    capp_record: "170303000ee34be5cd4de4acedfeea04daf261",
};

const T12GCM: V12 = V12 {
    suite: 0xc02f,
    version: Version::Tls12,
    etm: false,
    master: "87d37c135623a7d0d2b0cecf7e7007fc7c44a1a8e78aa483828f7fa2caddddd472e2472ece7d53da781c562142d9eea7",
    client_random: "9c666e470cebeb9b44e4f5cee8dbf6b45f9f48d75590ee8f214018f8b9b52a79",
    server_random: "b5a109c1376302ba2d34545e0e91d716e9658e2c370e1f6a444f574e47524401",
    cfin_record: "16030300284ac44c4249a5fff0a07be0088e7c665cbe5b6d8dca63d1c9fbd44437e1de46791672f66e9335831d",
    cfin_plain: "1400000c58cf3d6b3f32dd9e570c8f1f",
    cfin_hash: "f5bc93dd7eedfe3e497f97956c30c973848aee8f1efe4ddcd1038fd526268e43",
    sfin_record: "16030300288826c8059ed461255d2621cae58e6dc8e7ae800dec7cdaf80fa6482bb5d258967940338baab22538",
    sfin_plain: "1400000cf7a384840c3fd130e566f03b",
    sfin_hash: "4403b570c7a950d3bc3e201d54e61190ebb25b4f80942b341fd8cda354cb4411",
    capp_record: "170303001d4ac44c4249a5fff1dd72d4a671fd4051b9b2c14c84b9d97c0b6565f981",
    capp0_record: None,
};

const T12GCM384: V12 = V12 {
    suite: 0xc030,
    version: Version::Tls12,
    etm: false,
    master: "a0e5e059e264a2e183ba760dd5968902854405c5a6f8d127bf8b2813d8cb22ec52bf03305579910ab0df7377cf6ebb57",
    client_random: "3069f4d1f9cfa5f8308500ff1c240ea12e2e30e1f3c130ea01a29a3529907dd8",
    server_random: "3e3160cba6700d3af9b7b8d0c32f014b5022a6449363bb5e444f574e47524401",
    cfin_record: "1603030028f725da4f66cb8630cf04998d67c6739f416ca028ad1bf37489bb9917f91f9fbaadb53dad9378ae67",
    cfin_plain: "1400000c6f55396db1dd1fa28f00e207",
    cfin_hash: "76778e90980dbab71827674ebca786ecbea62c0b63a2968545a8ac9fc5e1eb96b2b113d5641708ec2636929f5f0c87bb",
    sfin_record: "16030300288867e5d8ed8ed1b25b90228c40740d8f30756d8d047cb7cbae3c1d42f01e13075d86c141e753decd",
    sfin_plain: "1400000cce20e1a8634ab72b02b97a17",
    sfin_hash: "cf16d62bccbe311494420994e98e1201d4c125ea3b3f95ee506768d5c940ea94861453eadc5709b4c25ce7c8888ffb0c",
    capp_record: "170303001df725da4f66cb8631a86d6c42d94956c9a2d027463dfd744498cd514919",
    capp0_record: None,
};

const T12CHACHA: V12 = V12 {
    suite: 0xcca8,
    version: Version::Tls12,
    etm: false,
    master: "942376ae5c17c3b9d33b9746317b62bed1289baefc83f1c773cf0df9c25de8bb1a192d0e90e07fc14c5ff8aff4376b56",
    client_random: "a653ddcd7c2e6e3964c8e7a11d8eab2d2b0de202aaf554aab8898b20d13527d5",
    server_random: "f4e3d2c2410caa3a9286cd2412e2eab6113a27238a3862b2444f574e47524401",
    cfin_record: "1603030020e7fc3682539610685330a28f7894de20ea9194a219f19f9d670340de342d0576",
    cfin_plain: "1400000c49ccb27599d1966964a78f58",
    cfin_hash: "f1f5432053be8c448a6d7d841af986f74d878dde233efad9bcc5eb88747877b7",
    sfin_record: "1603030020d908cb41dd32d7722e1a9caa4bd2d474c776448e02942f390847d5495e759fe9",
    sfin_plain: "1400000c25930ca0d906c500cf667ef4",
    sfin_hash: "2fd7001adac61833c6b245bf1a8b6a5a3aab17bcc635b9398c963d479bdfc1ec",
    capp_record: "1703030015f89b90345831c89d6bebb5bb37582789c9410d222e",
    capp0_record: None,
};

const T12CBC: V12 = V12 {
    suite: 0xc027,
    version: Version::Tls12,
    etm: true,
    master: "b94e36c14c93d67467c60a6f5e68b2d55efb625641654425ee96bc32ecba8ceef9ac3159397f53356d52ae230a548b4d",
    client_random: "4f39a39981f21cdd5f526d56ff28d31a2c3498c439e27e44ede488cf0dabfc08",
    server_random: "9377f8f73a537f8f5bf79c07272212ce9ddbcc3980ab0ad5444f574e47524401",
    cfin_record: "160303005074c4ae19c9688c269efc64894e1ff8f3a17ac4f3fdfabd04755dab79e0f430b4f622ac6c0f1ed23200b67cc2dc84ed775d0e72623e90c4b6bb35a19bb61f0e5e0f116fd50c96e4ebeea90b2022d4dd8a",
    cfin_plain: "1400000c1eacd8ee0e2acc32617d1065",
    cfin_hash: "0c593a5b96c68589ab501a21f56f1a4c984e45626dac7ccf343fe9cb31f63c63",
    sfin_record: "1603030050d019dd637e30ffed95015dd4925945bbf30fad4b30db0a819e3ffbf70105930eef06ce2be143cff56ad2ffd5f92ec52f93d0fdb891413fe3d528529b5e152e0f16f6e6b64c0f1f31b594cda43c09e0ad",
    sfin_plain: "1400000c3b7c2772f9a4972e825919f8",
    sfin_hash: "7140db92061280df56fd6cc252f8b0dc1d7cfad0350bc6f787e17240aab7b627",
    capp_record: "17030300405ca6ac6b6e27dc1399800b3e27754e6c0fbd0ad8dfaf842d4cb47c6df728766de1010147f0e721b16ee12f6421b535e3b9ef5615537380b65a85a27c913541bc",
    capp0_record: None,
};

const T12CBCNOETM: V12 = V12 {
    suite: 0xc027,
    version: Version::Tls12,
    etm: false,
    master: "b140dbb10a004b0c99d88634a745e068d2638bf961805721d7a4c2df7b03ac04cad707f0b4d8738b91d57d2975a8db89",
    client_random: "2a7b369768a891d65325558c10147f1bc12f74db4499a429ad9c4f960c6be63d",
    server_random: "9e4af929ab115c98c8526fd6da1a56cd0d550c2797cd4650444f574e47524401",
    cfin_record: "16030300504ae16128074968ad8c952994edc0fc087d5fb4d793bd90248af4ee33254454c692c562562bca24998e1337a91bed782eca8e1396e047383090b408b0d3a0c53e584a0bc82d0cc3f83bc7187388755bf9",
    cfin_plain: "1400000c29fff9d49d52318719b55279",
    cfin_hash: "bcdd56bd784b8f1cfc63e25354267005b2fa83e29ff7b5919182c83c504a994e",
    sfin_record: "16030300504a1eb0ec777d38380a2bbd06ce5d7ebef36220ea611e542c7f4dcd04e25e7aae2bb1567f1fe520725e0c7a4a029128cdad4d379427f9fc2cab3fe408168e0e4d7fca15f5c8ee069b23be9273fe4b63bc",
    sfin_plain: "1400000ca4d1b318cb4b93dc10001dee",
    sfin_hash: "61b049e07d8c2f306a75d086e08022c7b52e483928ccfcca0c7634409c223253",
    capp_record: "1703030040a3411e1d9c2a20c2e96d11697ed2dc53781310a7519850f2fec8a6736b584717d340a4a73a14de76b63aa68d50d25e6c09b78ce566ac5692d828ce7aec578b02",
    capp0_record: None,
};

const T12CBC384: V12 = V12 {
    suite: 0xc028,
    version: Version::Tls12,
    etm: false,
    master: "765b9b73bd333a37ef62ec78c4eb5fe9d7ab30de5173ea8d22ffa8ed13f9092b30c23c8cc35c6d03fc5243acd9078b9e",
    client_random: "600a0039de0186477e4269ef324426e122fe021676acde6c06bdf6e2ca6cc553",
    server_random: "90e7623c66a5ed788d8b1bf7280ce38aef4a75ce27ea3247444f574e47524401",
    cfin_record: "16030300607d457c8c4ec95d5d5d8b80e583a5e841380c576f2be1954d084ed6e68a3e4c3268891fabb6695ea71e7eeca727c72ff3f5681ee4895342000a75cfd0b0e90eb5529b8ea0be8986390cae3b13bb4f1e54e02c83a6bfbfa4194e39c42a8f93cd02",
    cfin_plain: "1400000c3360becf8a23ac61cfc0aafe",
    cfin_hash: "02bbb36fc29d08f9755fd1b2cf45fb9881a18eb0f13c8d5c45427fe422d4c62c5d08e7b0a0be264ff23a0da3789b516c",
    sfin_record: "16030300603bf1d9fcb3380028a6faba5ea68eed5a4733a218fd650469c729e018df6803a53c03ceb2f11aaeec1a679ad3c74f4fa9ea21bbe39d430db052a821e61c2fc3d4d82189cd1198fba4dba3505b28fc0a590265457522b92d6eb85904952e6cb6e2",
    sfin_plain: "1400000c60646e8ca086c53e7545717d",
    sfin_hash: "52eaf9a5fe5eb1a313b3e6dc118d5ff1577fd878851fa0063d913d1351acb67646ec5cae805c2786ff85b4f84b5578de",
    capp_record: "17030300500044b5eef0e379854af84440bb4e2f53d091080c46e97b2534c65ecd8a1ff663dfd4bba6ff8284b8b307dff6845b7ca91b2eaf09d5615ce178f65855f07f7e162551778a1584fc6ed2e00c5d3069521c",
    capp0_record: None,
};

const T12CBCSHA1: V12 = V12 {
    suite: 0xc014,
    version: Version::Tls12,
    etm: true,
    master: "8922288bd899ee043e81391b336987e1d2cf9f7569ad9b71a66200bc62a1fefec1e0c12cc8d0faed4fd1459e05df72bf",
    client_random: "91358ed0f6c0bb8aa4274c1a0d9792ea40a1b4354895a00c96a19758d0d3bb71",
    server_random: "3d20daf8b9fdb5fa4be9c8a9e0270c6124251787c6f9be70444f574e47524401",
    cfin_record: "1603030044a5ef1f4a66a46d2f6d77ebaf0bc171cb27b2b7b577f6420863766dcc90ddafad92986a29c7a6d04e0fc3a2d72a00ef266ec240e49de8645cac51f770adebe48b2581a4b0",
    cfin_plain: "1400000c72913692610478aba39cd685",
    cfin_hash: "8155cf59fbc25d1ea8b6fe8a6cd0aeb0f27dd95eb401e4a2317691000efd8e9f",
    sfin_record: "16030300448096fea687c28b5d6333a66736fdec875a146753bf989adc73a0ce29eb4d109de490f6a9031725ef94f04c9b4094fd6bb482a3286a6c74a5a7c215b57a3c011914bf648b",
    sfin_plain: "1400000cc83fb3dedfe9f10a54afb2ea",
    sfin_hash: "642540a54611d5b85c1ede09d8c632897585a71b67bc151104db14b7a850824b",
    capp_record: "1703030034f71815721a56fe9c268082a552d57da0aada470c15a3c00c64bc22685a7b652b51b3aec01f9b318efefba888d8d0715fd8d161a5",
    capp0_record: None,
};

const T11CBC: V12 = V12 {
    suite: 0xc013,
    version: Version::Tls11,
    etm: false,
    master: "e24157ccbfaf069a8502d8418e6a9f1134e2b5b826c41b21c0c3579aee9ee4d216af0d2a2c4e107e49124326871613a0",
    client_random: "718bde53bc4c10ee62c74a40397441e70175791ae0ba6dfeccc7946223419c85",
    server_random: "2aa8125396e81308cef39873739a64f3dc9d5b72d7ffdefc444f574e47524400",
    cfin_record: "16030200405c9d7bcea056a3bccde4622beb31ba287348eb28c8e09c8abaf6bad86d623ce246d6df311dd8bf6a0e617f42e3660d73148e20ad6515dc1838c170c14c6782ae",
    cfin_plain: "1400000c3b5f0289343b8f13a734dc9c",
    cfin_hash: "048649d86646d991f379266dae61ce847f30d0c0de40a226045f6910b644c47c30dd13db",
    sfin_record: "1603020040da921ac41ff6c49d9cfdb19f965a929d105cc5dfd535289cb16c7263b48a99295ad4d83ed282c5b87d5149f5a343f4fb4b035d6f55d4b2e467abd9121e382438",
    sfin_plain: "1400000c9a592b6bd77431557dd6149f",
    sfin_hash: "7c7055e356f432aafe7d2b202c8f0bf8b649b42c4b8f6482bc051de38637d102488d68e1",
    capp_record: "1703020030b3710c5485570fb892a557566d935683bfd8ae2227dbf973291c48aae7d01f6e1ce5afc70f81851170e49d001627eed9",
    capp0_record: None,
};

const T10CBC: V12 = V12 {
    suite: 0xc013,
    version: Version::Tls10,
    etm: true,
    master: "c098973b536f165854e6bf425600c8511b9c09e93918b644002d96368967d783e930c1fd13b77d90208d6ae9c6f0f76e",
    client_random: "dd5ddb896d86e7ee09f549626d53009d9934353649cc68f515898a7c8ddcad74",
    server_random: "047f9fa24ddd21ceb53df3e28c175432ce7d02d28fc22c4e444f574e47524400",
    cfin_record: "1603010034cec853c2af9d7cc83446211d3024abfb172f150c0403d5a46c35d14a6072662f708fb506d70c192af45d63b255992d0a82e28a00",
    cfin_plain: "1400000c89b90c91fc4ddfba6285b0e3",
    cfin_hash: "1481fdac4639fc12d910d5febfc274c97fa0735ef12b82e463f907ae4bc8e101aae22779",
    sfin_record: "16030100342c942f3dec29a322aa03fed47e2aca187d6c49e4f86d8386ac68fcaa90c6cad2f10d47dc65348c91160044188772346901e6835b",
    sfin_plain: "1400000c9f3f9c6de3967c98ea39d47f",
    sfin_hash: "c65d90f70a1b165de6a1b5c6e9c80aae5acb832a1e0defca70deb0936d9c6edacff0f4e5",
    capp_record: "1703010024b7dfc9d5792465effcadcba9f6f50152ccf44499f66c4c310f442da5166b4f7e17e0675a",
    capp0_record: Some("1703010024be4b72d1a5075c5dcad5e05e3abba35c81bacec6c613b38779bc5a7a62d54a139482a04d"),
};

const T10CBCNOETM: V12 = V12 {
    suite: 0xc014,
    version: Version::Tls10,
    etm: false,
    master: "cfe2e09784b46e2b81e94ff3f290585c5d525dd1f64c9ba8911c4bb317b2d72e520ea439984d48398b4540fce3070bba",
    client_random: "768e2d680d2a06fc4775637d858834cad11e2f6329e7bfa067097086b5a38939",
    server_random: "0da532c52bc7e43e7dd8ef21a741ff5095d3cf9413655298444f574e47524400",
    cfin_record: "1603010030606627c99f6e0bbd8aefb839900dac8175596894fea6b5efd15b9f5d19c56818c5c3a02e85595650a25340712c5e552b",
    cfin_plain: "1400000c7971dccb953750761a183d19",
    cfin_hash: "00da75c6ec09605a815dbd6d89bf55a64b1d254c069890420292ce0d65dfd57e70b5f332",
    sfin_record: "160301003068e3917c3f0676a4bd6e32a147682eaeaca28ec8b75a35e35dfed47cc84fb5f1a9e194ca84988fe7bf4f41fd196b282f",
    sfin_plain: "1400000cffa03980c0fac6564bfa23ac",
    sfin_hash: "007165d5aebfe1670bbeb273d31202426fd35db6b0114b2f381569e892f74acad53e8234",
    capp_record: "1703010020c1f91d60a544009eba21317703f6105b33ffcb9213fcc6c882dc7e3b7ad3aeba",
    capp0_record: Some("1703010020c70dac0d5c0fe44c42536d02af26ffade347c14a777bc7916103e94c92dc9978"),
};

const T12CCM: V12 = V12 {
    suite: 0xc09c,
    version: Version::Tls12,
    etm: false,
    master: "d88255f68c13838797ccf1597d9703b06d977b3768b9c1363d315de8d8d44973a272c2180355e5cb259c4d0af0f50a02",
    client_random: "1937320f0597deb904f3e64cc208bd27e4661c51d9a058b22afadbbbb07bfe5c",
    server_random: "0d0e141e5728cc9334bce8cc28ff8ff6f5cac87d1ae9408b444f574e47524401",
    cfin_record: "16030300280000000000000000daf6ac8202d2dbc4cc25ce32ad0fc227d71f95cc5b1d466a96260e65dfcb0207",
    cfin_plain: "1400000c00935b3e2b1f5ff05ff9fca2",
    cfin_hash: "b835ab9f5e9ddd4eb36e7b5c78b3aa4299ac7c515ca2af72210d98b758d0dd59",
    sfin_record: "1603030028000000000000000065a7acce066229bdcf588a8b5352dbb484ff1675367556db5da8b7e8c7eb6e4c",
    sfin_plain: "1400000cde76137eb377c6f4a7ca726e",
    sfin_hash: "e8e0cea97a5769f702f1a724e44f9d6e657200c5a03e2267f7df55da90dc577d",
    capp_record: "170303001d000000000000000110e680c639cf21ba64ea211f9b219b9d6a9dd594da",
    capp0_record: None,
};

const T12CCM8: V12 = V12 {
    suite: 0xc0a1,
    version: Version::Tls12,
    etm: false,
    master: "61a845f88376ae22a21e281b232549baa82483e0e9df9739d5c24320f4efa7194f39191213e1586a31c38d0637c64c6a",
    client_random: "a886cd3cf86e79d3b366ee8afff946abe6b4cbcf727c5d7bf3303823da592f85",
    server_random: "556f3a81c193679dcbfb3d59f4a85ca6d07489f7a18ad477444f574e47524401",
    cfin_record: "1603030020000000000000000026ddaa0377764c168053784a170b01854e93eb73d1a14cca",
    cfin_plain: "1400000cd563fe2c91fd6c0adcf700ea",
    cfin_hash: "09069a04f399519a9f205a8fda0699470a80d2c2d0fec4c6b7763be053dccab6",
    sfin_record: "16030300200000000000000000cf71fe60c66c6b627abc2307fc7bf71e60afec10baed5245",
    sfin_plain: "1400000c4b0e5544db9e834d23662637",
    sfin_hash: "4bdb692cf1b949c274b24976de3f96e72a3b0f2e3b36a1230aefc0ec2fcaa7d3",
    capp_record: "17030300150000000000000001806838e617b051519dae0ef274",
    capp0_record: None,
};

const T12DHECCM: V12 = V12 {
    suite: 0xc09f,
    version: Version::Tls12,
    etm: false,
    master: "0b52c219d3cfda098de2ca02f9270fafb587e01e1603fd39f0881a75927b4860414d90f9bb918c94830a0d8eb04188a4",
    client_random: "eac2258dfebe7b2d70552b7b7d570a9e627613409a24f538978352aebbecce6e",
    server_random: "4459b5512e6c842e8579fe2cc9e900ffd1fa1d443887ff9b444f574e47524401",
    cfin_record: "16030300280000000000000000eaa84c275cc5e87232a1235b5f1d69a1914c5c71213b66784489a5dc21c15584",
    cfin_plain: "1400000c72caaae0d24b5fff26d6f946",
    cfin_hash: "58cada74f4ce637b9976bea2feaac6dc44ff192e170835e41983417313fc3d8a",
    sfin_record: "16030300280000000000000000a26d4ee926a95fa644c2e738ae399df91d16602978405f8e724deaaea59d047c",
    sfin_plain: "1400000c1fc068555897b711bfa12057",
    sfin_hash: "c010171bff8e11587dcdb43009b74b390f348b9fa61c8ae2323d8104e216b5b3",
    capp_record: "170303001d00000000000000010bd1de2391d2c9e8532422fce95d6ac498aa4164a1",
    capp0_record: None,
};
