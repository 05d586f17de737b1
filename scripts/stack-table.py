#!/usr/bin/env python3
"""Print the README's table of what each server stack sends for each client-certificate failure,
from captures/expected.json (the stacks' own logs, cross-checked with the captures)."""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = json.load(open(os.path.join(HERE, "..", "captures", "expected.json")))
NAMES = {40: "handshake_failure", 42: "bad_certificate", 45: "certificate_expired",
         46: "certificate_unknown", 48: "unknown_ca", 49: "access_denied", 50: "decode_error",
         116: "certificate_required"}
# (row label, capture prefix, how the no-cert / unknown-CA / expired captures are named)
ROWS = [
    ("OpenSSL 3.0 `s_server -Verify`", "tls1{v}-", ("no-client-cert", "unknown-ca", "expired")),
    ("nginx 1.22 `ssl_verify_client on`", "nginx-tls1{v}-", ("no-client-cert", None, "expired")),
    ("Apache 2.4 `SSLVerifyClient require`", "apache-tls1{v}-", ("no-client-cert", "unknown-ca", "expired")),
    ("Apache 2.4, per `<Location>` (1.3: PHA, 1.2: renegotiation)", "apache-pha-tls1{v}-", ("no-client-cert", "unknown-ca", "expired")),
    ("haproxy 2.6 `verify required`", "haproxy-tls1{v}-", ("no-client-cert", "unknown-ca", "expired")),
    ("haproxy 2.6 `verify optional` + deny rule", "haproxy-deny-tls1{v}-", ("no-client-cert", "unknown-ca", "expired")),
    ("stunnel 5.68", "stunnel-tls1{v}-", ("no-client-cert", "unknown-ca", "expired")),
    ("Go 1.19 `RequireAndVerifyClientCert`", "go-server-tls1{v}-", ("no-client-cert", "unknown-ca", "expired")),
    ("Java 17 JSSE `setNeedClientAuth`", "jsse-server-tls1{v}-", ("no-client-cert", "unknown-ca", "expired")),
    ("GnuTLS 3.7 `gnutls-serv --require-client-cert`", "gnutls-serv-tls1{v}-", ("no-client-cert", "unknown-ca", "expired")),
    ("Node 20 https `rejectUnauthorized: true`", "node-server-tls1{v}-", ("no-client-cert", "unknown-ca", "expired")),
    ("Node 20 https, app checks `authorized`", "node-app-tls1{v}-", ("no-client-cert", "unknown-ca", "expired")),
    ("Python 3.11 `ssl` `CERT_REQUIRED`", "python-server-tls1{v}-", ("no-client-cert", "unknown-ca", "expired")),
    ("Python 3.11 `ssl`, post-handshake auth", "python-pha-tls1{v}-", ("no-client-cert", "unknown-ca", "expired")),
    ("rustls 0.23 `WebPkiClientVerifier`", "rustls-server-tls1{v}-", ("no-client-cert", "unknown-ca", "expired")),
]


def cell(name):
    e = EXPECTED.get(name)
    if e is None:
        return "–"
    a = e.get("alert")
    if a and a.get("from") == "server":
        return "%d %s" % (a["description"], NAMES.get(a["description"], ""))
    err = e.get("server_error") or ""
    for code in ("400", "401", "403"):
        if err.startswith(code) or (" %s " % code) in err:
            return "HTTP %s" % code
    if "nginx" in name:
        return "HTTP 400"
    return "closes, no alert"


def main():
    print("| server | no certificate (1.2 / 1.3) | unknown CA (1.2 / 1.3) | expired (1.2 / 1.3) |")
    print("|---|---|---|---|")
    for label, prefix, cases in ROWS:
        cols = []
        for case in cases:
            if case is None:
                cols.append("–")
                continue
            cols.append(" / ".join(cell(prefix.format(v=v) + case) for v in ("2", "3")))
        print("| %s | %s |" % (label, " | ".join(cols)))


if __name__ == "__main__":
    main()
