//! Tests of `x509/mod.rs`.

use super::*;

/// Builds a DER Name with one RDN per (oid bytes, string tag, value).
fn dn(attrs: &[(&[u8], u8, &str)]) -> Vec<u8> {
    fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut v = vec![tag];
        assert!(body.len() < 128);
        v.push(body.len() as u8);
        v.extend_from_slice(body);
        v
    }
    let mut seq = Vec::new();
    for (oid, tag, val) in attrs {
        let mut atv = tlv(0x06, oid);
        atv.extend(tlv(*tag, val.as_bytes()));
        seq.extend(tlv(0x31, &tlv(0x30, &atv)));
    }
    tlv(0x30, &seq)
}

const CN: &[u8] = &[0x55, 0x04, 0x03];
const O: &[u8] = &[0x55, 0x04, 0x0A];

#[test]
fn names_compare_per_rfc5280() {
    let a = dn(&[(O, 0x13, "Test Org"), (CN, 0x13, "Test Root CA")]);
    let utf8 = dn(&[(O, 0x0C, "Test Org"), (CN, 0x0C, "Test Root CA")]);
    let case = dn(&[(O, 0x0C, "test  org"), (CN, 0x0C, " TEST ROOT CA")]);
    let other = dn(&[(O, 0x0C, "Test Org"), (CN, 0x0C, "Other CA")]);
    let reordered = dn(&[(CN, 0x0C, "Test Root CA"), (O, 0x0C, "Test Org")]);
    assert!(names_match(&a, &a));
    assert!(names_match(&a, &utf8));
    assert!(names_match(&a, &case));
    assert!(!names_match(&a, &other));
    assert!(!names_match(&a, &reordered));
    assert_eq!(dn_string(&a), "O=Test Org, CN=Test Root CA");
}

#[test]
fn corrupt_names_do_not_match() {
    let a = dn(&[(O, 0x13, "Test Org"), (CN, 0x13, "A")]);
    let mut bad = a.clone();
    // Corrupt the second RDN's SET tag: x509-parser would stop early and
    // see only O=Test Org.
    let pos = bad.iter().rposition(|&b| b == 0x31).unwrap();
    bad[pos] = 0x04;
    let short = dn(&[(O, 0x13, "Test Org")]);
    assert!(!names_match(&bad, &short));
    assert!(!names_match(&[], &short));
    assert!(dn_string(&[0x30, 0x05, 1]).starts_with("(unreadable"));
}

#[test]
fn parse_times() {
    for t in [0i64, 951_782_400, 1_700_000_000, 5_251_354_150] {
        assert_eq!(parse_time(&iso8601(t)), Some(t));
    }
    assert_eq!(parse_time("2024-01-01"), Some(1_704_067_200));
    assert_eq!(parse_time("1700000000"), Some(1_700_000_000));
    assert_eq!(parse_time("2024-13-01"), None);
    assert_eq!(parse_time("yesterday"), None);
}

#[test]
fn iso_dates() {
    assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
    assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00Z");
    assert_eq!(iso8601(5_251_354_150), "2136-05-29T13:29:10Z");
    assert_eq!(iso8601(-1), "1969-12-31T23:59:59Z");
}
