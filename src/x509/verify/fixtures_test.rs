//! The certificates of `tests/data/x509/` (made by its `make.sh`), for the
//! verify and path tests.

/// Every certificate file by name (without `.pem`).
pub(crate) const NAMES: &[&str] = &[
    "dsa",
    "ec-client",
    "ec-int",
    "ec-root",
    "ec-sha1",
    "ec-sha512",
    "ec256-client",
    "ed-client",
    "ed-root",
    "ed448",
    "ed448-client",
    "nc-client",
    "nc",
    "notca-client",
    "notca",
    "other-root",
    "p521-client",
    "p521-root",
    "plen-client",
    "plen-sub",
    "plen0",
    "rsa-client",
    "rsa-expired",
    "rsa-int",
    "rsa-kuenc",
    "rsa-root-samename",
    "rsa-root",
    "rsa-server",
    "rsa-sha1",
    "rsa-sha512",
    "rsa1024-client",
    "rsa1024",
    "rsa512",
    "rsa512-client",
    "rsapss-client",
    "rsapss-root",
    "srvonly-client",
    "srvonly",
];

/// The PEM text of `tests/data/x509/NAME.pem`.
pub(crate) fn pem(name: &str) -> &'static str {
    match name {
        "dsa" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/dsa.pem"
        )),
        "ec-client" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/ec-client.pem"
        )),
        "ec-int" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/ec-int.pem"
        )),
        "ec-root" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/ec-root.pem"
        )),
        "ec-sha1" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/ec-sha1.pem"
        )),
        "ec-sha512" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/ec-sha512.pem"
        )),
        "ec256-client" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/ec256-client.pem"
        )),
        "ed-client" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/ed-client.pem"
        )),
        "ed-root" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/ed-root.pem"
        )),
        "ed448" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/ed448.pem"
        )),
        "nc-client" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/nc-client.pem"
        )),
        "nc" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/nc.pem"
        )),
        "notca-client" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/notca-client.pem"
        )),
        "notca" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/notca.pem"
        )),
        "other-root" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/other-root.pem"
        )),
        "p521-client" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/p521-client.pem"
        )),
        "p521-root" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/p521-root.pem"
        )),
        "plen-client" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/plen-client.pem"
        )),
        "plen-sub" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/plen-sub.pem"
        )),
        "plen0" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/plen0.pem"
        )),
        "rsa-client" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/rsa-client.pem"
        )),
        "rsa-expired" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/rsa-expired.pem"
        )),
        "rsa-int" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/rsa-int.pem"
        )),
        "rsa-kuenc" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/rsa-kuenc.pem"
        )),
        "rsa-root-samename" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/rsa-root-samename.pem"
        )),
        "rsa-root" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/rsa-root.pem"
        )),
        "rsa-server" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/rsa-server.pem"
        )),
        "rsa-sha1" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/rsa-sha1.pem"
        )),
        "rsa-sha512" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/rsa-sha512.pem"
        )),
        "rsa1024-client" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/rsa1024-client.pem"
        )),
        "rsa1024" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/rsa1024.pem"
        )),
        "rsa512" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/rsa512.pem"
        )),
        "rsapss-client" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/rsapss-client.pem"
        )),
        "rsapss-root" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/rsapss-root.pem"
        )),
        "srvonly-client" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/srvonly-client.pem"
        )),
        "srvonly" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/srvonly.pem"
        )),
        "ed448-client" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/ed448-client.pem"
        )),
        "rsa512-client" => include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/x509/rsa512-client.pem"
        )),
        other => panic!("no test certificate {other}"),
    }
}

/// The DER of `tests/data/x509/NAME.pem`.
pub(crate) fn der(name: &str) -> Vec<u8> {
    let (_, pem) = x509_parser::pem::parse_x509_pem(pem(name).as_bytes()).expect("PEM");
    pem.contents
}

/// `tests/data/x509/NAME.bin` (signatures).
pub(crate) fn sig(name: &str) -> &'static [u8] {
    macro_rules! sigs {
        ($($n:literal),* $(,)?) => {
            match name {
                $($n => include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/x509/sig-", $n, ".bin")),)*
                other => panic!("no test signature {other}"),
            }
        };
    }
    sigs!(
        "ske-rsa-pkcs1-sha512",
        "tls10-rsa-md5sha1",
        "tls12-ecdsa-p256-sha1",
        "tls12-ecdsa-p384-sha256",
        "tls12-ecdsa-p521-sha512",
        "tls12-rsa-pkcs1-sha1",
        "tls12-rsa-pkcs1-sha256",
        "tls12-rsa-pss-rsae-sha384",
        "tls12-rsa1024-sha256",
        "tls13-ecdsa-p256-sha256",
        "tls13-ecdsa-p521-sha512",
        "tls13-ed25519",
        "tls13-rsa-pss-pss-sha256",
        "tls13-rsa-pss-rsae-sha256",
        "tls13-server-ecdsa-p384-sha384",
    )
}

/// What transcript.bin held when `make.sh` signed: bytes 0..=255 three
/// times.
pub(crate) fn transcript() -> Vec<u8> {
    (0..3).flat_map(|_| 0..=255u8).collect()
}

/// 2026-06-01T00:00:00Z: inside every test certificate's validity but the
/// expired one's.
pub(crate) const AT: i64 = 1_780_272_000;
