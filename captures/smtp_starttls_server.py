#!/usr/bin/env python3
"""A tiny SMTP-ish server for one connection: greeting, EHLO (announcing STARTTLS) and STARTTLS
in plaintext, then TLS with Python's ssl module requiring a client certificate (CERT_REQUIRED,
trusting --cafile), then EHLO/NOOP/QUIT inside TLS. Used by make-extra.sh for
smtp-starttls-mtls, with `openssl s_client -starttls smtp -cert ...` as the client.

    python3 smtp_starttls_server.py --port 2525 --cert pki/server.chain.pem --key pki/server.key \
        --cafile pki/root.pem

Logs every line it receives ("C: ...") and sends ("S: ..."), then the TLS outcome:
"TLS established: TLSv1.3, TLS_AES_256_GCM_SHA384", "client certificate verified: subject ...",
or "error: TLS handshake failed: <ssl.SSLError>". Python's load_verify_locations() only sets the
verification store (not SSL_CTX_set_client_CA_list), so the CertificateRequest names no CA.
--keylogfile writes the server's own NSS key log (for cross-checking the client's).
"""
import argparse
import socket
import ssl
import sys


def out(*a):
    print(*a, flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=2525)
    ap.add_argument("--cert", required=True, help="server certificate chain (PEM, leaf first)")
    ap.add_argument("--key", required=True)
    ap.add_argument("--cafile", required=True, help="CA the client certificate must chain to")
    ap.add_argument("--keylogfile")
    args = ap.parse_args()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(cafile=args.cafile)
    ctx.load_cert_chain(args.cert, args.key)
    if args.keylogfile:
        ctx.keylog_filename = args.keylogfile
    out("Python %s, %s; verify_mode CERT_REQUIRED, cafile %s" % (
        sys.version.split()[0], ssl.OPENSSL_VERSION, args.cafile))

    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((args.host, args.port))
    ls.listen(1)
    conn, peer = ls.accept()
    ls.close()
    out("connection from %s:%d" % peer)
    conn.settimeout(20)
    f = conn.makefile("rwb", buffering=0)

    def send(line):
        out("S: " + line)
        f.write(line.encode() + b"\r\n")

    def recv():
        line = f.readline()
        if not line:
            return None
        line = line.decode("utf-8", "replace").rstrip("\r\n")
        out("C: " + line)
        return line

    send("220 server.test ESMTP tlstrace test server")
    while True:
        line = recv()
        if line is None:
            out("client closed the connection before STARTTLS")
            return 1
        verb = line.split(" ", 1)[0].upper()
        if verb in ("EHLO", "HELO"):
            send("250-server.test")
            send("250-PIPELINING")
            send("250 STARTTLS")
        elif verb == "STARTTLS":
            send("220 2.0.0 Ready to start TLS")
            break
        elif verb == "QUIT":
            send("221 2.0.0 Bye")
            return 0
        else:
            send("530 5.7.0 Must issue a STARTTLS command first")

    f.close()
    try:
        tls = ctx.wrap_socket(conn, server_side=True)
    except (ssl.SSLError, OSError) as e:
        out("error: TLS handshake failed: %s" % e)
        conn.close()
        return 1
    out("TLS established: %s, %s" % (tls.version(), tls.cipher()[0]))
    peer_cert = tls.getpeercert()
    subj = ", ".join("%s=%s" % kv for rdn in peer_cert.get("subject", ()) for kv in rdn)
    out("client certificate verified: subject %s" % subj)
    f = tls.makefile("rwb", buffering=0)
    while True:
        try:
            line = recv()
        except (ssl.SSLError, OSError) as e:
            out("error: reading inside TLS: %s" % e)
            return 1
        if line is None:
            out("client closed the TLS connection")
            break
        verb = line.split(" ", 1)[0].upper()
        if verb in ("EHLO", "HELO"):
            send("250-server.test greets %s" % (line.split(" ", 1)[1] if " " in line else "you"))
            send("250 PIPELINING")
        elif verb == "NOOP":
            send("250 2.0.0 OK")
        elif verb == "QUIT":
            send("221 2.0.0 Bye")
            break
        else:
            send("502 5.5.2 Command not implemented")
    try:
        tls.unwrap()
    except (ssl.SSLError, OSError):
        pass
    tls.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
