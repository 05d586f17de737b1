//! Tests of `diagnose/chain.rs`.

use super::*;

#[test]
fn server_key_exchange_split() {
    // ECDHE: curve type 3, secp256r1, 2-byte point, rsa_pss_rsae_sha256,
    // 3-byte signature.
    let body = [3, 0, 23, 2, 0xAA, 0xBB, 0x08, 0x04, 0, 3, 1, 2, 3];
    let (params, scheme, sig) = split_server_key_exchange(&body, 0x0303).expect("splits");
    assert_eq!(params, &body[..6]);
    assert_eq!(scheme, Some(0x0804));
    assert_eq!(sig, &[1, 2, 3]);
    // TLS 1.0: no scheme field.
    let old = [3, 0, 23, 1, 0xAA, 0, 2, 9, 9];
    let (_, scheme, sig) = split_server_key_exchange(&old, 0x0301).expect("splits");
    assert_eq!((scheme, sig), (None, &[9u8, 9][..]));
    // Truncated bodies never panic.
    for n in 0..body.len() {
        let _ = split_server_key_exchange(&body[..n], 0x0303);
    }
}
