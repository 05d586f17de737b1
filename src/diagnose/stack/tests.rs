//! Tests of `diagnose/stack.rs`: the fix for a refusal above TLS follows
//! the server identified. The real captures are in tests/captures.rs.

use super::*;

fn openssl(products: &[&'static str]) -> Stack {
    Stack {
        library: Library::OpenSsl,
        products: products.to_vec(),
        confidence: Confidence::High,
        evidence: Vec::new(),
    }
}

#[test]
fn refusal_above_tls_fix_per_server() {
    let http = AppMarker::HttpError("403".into());
    let fix = |products: &[&'static str], marker: &AppMarker| {
        refused_above_tls_fix(Some(&openssl(products)), marker)
    };
    assert!(fix(&["haproxy", "stunnel"], &http).starts_with("haproxy:"));
    assert!(fix(&["Node.js"], &http).starts_with("Node.js:"));
    assert!(fix(&["Apache httpd"], &http).starts_with("Apache httpd:"));
    // The handshake does not tell nginx from Apache: both.
    let both = fix(&["nginx", "Apache httpd"], &http);
    assert!(both.starts_with("nginx:") && both.contains("SSLVerifyClient optional"));
    // nginx's own pages and status codes name it whatever the handshake.
    assert!(fix(&["Apache httpd"], &AppMarker::NginxNoCertificate).starts_with("nginx:"));
    assert!(fix(&[], &AppMarker::HttpError("496".into())).starts_with("nginx:"));
    assert!(fix(&[], &AppMarker::IisForbidden("403.16".into())).starts_with("IIS:"));
    // Nothing known: no product named.
    let generic = refused_above_tls_fix(None, &http);
    for name in ["nginx", "haproxy", "Node", "Apache"] {
        assert!(!generic.contains(name), "{generic}");
    }
}

#[test]
fn sigalg_evidence_names_the_first_five_in_hex() {
    assert_eq!(
        sigalg_evidence("ClientHello", &[0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804]),
        "ClientHello signature algorithms in this library's order (0403, 0503, 0603, 0807, 0808, …)"
    );
    assert_eq!(
        sigalg_evidence("CertificateRequest", &[0xfe0a, 0x0001]),
        "CertificateRequest signature algorithms in this library's order (fe0a, 0001, …)"
    );
}
