//! What an alert means, and what each common stack means by it.
//!
//! An alert alone rarely names the cause: the same rejected certificate is
//! 48 from OpenSSL, 42 from older Go and 46 from Java. These notes come from
//! the field guide (`reference/mtls-field-guide.md`) and the stacks' sources:
//! OpenSSL `ssl/statem` (verify error → alert via `ssl_x509err2alert`),
//! BoringSSL, Go `crypto/tls` (`handshake_server.go`), JSSE
//! (`CertificateMessage`, `X509TrustManagerImpl`), rustls
//! (`error/mod.rs`: `CertificateError` → `AlertDescription`).

/// Which stacks send this alert in a client-certificate context, and why.
pub fn stack_notes(code: u8) -> Option<&'static str> {
    Some(match code {
        40 => "OpenSSL before 3.0 sends handshake_failure when a required client certificate is missing, and for failures of an application verify callback; BoringSSL (Envoy, Istio) sends it for a missing certificate in TLS 1.2; Go in TLS 1.2 for a missing certificate.",
        42 => "Older Go sends bad_certificate for every client-certificate problem; OpenSSL sends it for a certificate that is not yet valid and other verify errors without a closer alert; JSSE for a missing required certificate; rustls for an undecodable certificate.",
        43 => "OpenSSL and rustls send unsupported_certificate when the certificate's purpose does not allow client authentication: Extended Key Usage without clientAuth, or Key Usage without digitalSignature.",
        44 => "The server checked revocation (CRL or OCSP) and found the certificate revoked (OpenSSL with -crl_check, rustls with a revocation list).",
        45 => "OpenSSL, Go and rustls send certificate_expired when a certificate of the chain is outside its validity period at the server's clock (rustls also for not-yet-valid).",
        46 => "Java (JSSE) sends certificate_unknown for every trust-manager failure (untrusted issuer, expiry, EKU…): the real reason is only in -Djavax.net.debug=ssl logs. OpenSSL uses it for verify errors it has no closer alert for.",
        48 => "OpenSSL, BoringSSL, rustls and newer Go send unknown_ca when no path leads from the client's certificate to a CA the server trusts: unknown issuer, missing intermediate, or (OpenSSL, rustls) a CRL that could not be found.",
        49 => "rustls sends access_denied when an application verifier refused a valid certificate (e.g. SAN or SPIFFE ID not allowed).",
        51 => "decrypt_error in a client-certificate exchange means a signature did not verify: usually the CertificateVerify (the client does not hold the private key of the certificate it sent); OpenSSL also sends it when a certificate's signature in the client's chain fails (verify error 7).",
        116 => "certificate_required (TLS 1.3, and OpenSSL 3 for any version) is the server saying it needed a client certificate and got none.",
        _ => return None,
    })
}

/// The probable client-auth meaning of an alert from the server after the
/// client's certificate flight, as a finding code it supports.
pub fn suggests(code: u8) -> &'static [&'static str] {
    match code {
        40 | 116 => &["client-certificate-empty"],
        42 => &[
            "certificate-not-yet-valid",
            "missing-client-auth-eku",
            "issuer-not-in-ca-list",
            "untrusted-issuer",
            "incomplete-chain",
            "client-certificate-empty",
        ],
        43 => &["missing-client-auth-eku", "key-usage-forbids-signature"],
        44 => &["certificate-revoked"],
        45 => &["certificate-expired", "certificate-not-yet-valid"],
        46 => &[
            "issuer-not-in-ca-list",
            "untrusted-issuer",
            "incomplete-chain",
            "certificate-expired",
            "missing-client-auth-eku",
        ],
        48 => &[
            "incomplete-chain",
            "unknown-issuer",
            "issuer-not-in-ca-list",
            "untrusted-issuer",
            "chain-broken",
        ],
        51 => &[
            "certificate-verify-invalid",
            "chain-signature-invalid",
            "signature-scheme-not-offered",
        ],
        _ => &[],
    }
}
