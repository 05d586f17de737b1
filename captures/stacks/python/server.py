#!/usr/bin/env python3
"""Python 3 ssl server that asks for a client certificate. Used by captures/make-stacks.sh.
Serves one connection, then exits.

  default   CERT_REQUIRED: the certificate is requested in the handshake; the client speaks HTTP
            (curl), the server answers one GET.
  --pha     TLS 1.3 post-handshake auth: CERT_REQUIRED + post_handshake_auth = True, so the
            handshake has no CertificateRequest; the server reads a line, calls
            verify_client_post_handshake(), writes a line (which sends the CertificateRequest),
            then reads again: the client's Certificate arrives and is verified during that read.

Its output is the log: "TLS established: ...", "client certificate verified: ...", or
"error: <the ssl module's exception>".
"""
import argparse
import socket
import ssl
import sys


def say(*a):
    print(*a, flush=True)


def cn(cert):
    for rdn in cert.get("subject", ()):
        for k, v in rdn:
            if k == "commonName":
                return v
    return "?"


ALERTS = {0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 40: "handshake_failure",
          42: "bad_certificate", 43: "unsupported_certificate", 44: "certificate_revoked",
          45: "certificate_expired", 46: "certificate_unknown", 47: "illegal_parameter", 48: "unknown_ca",
          49: "access_denied", 50: "decode_error", 51: "decrypt_error", 70: "protocol_version",
          80: "internal_error", 90: "user_canceled", 109: "missing_extension", 116: "certificate_required"}


def msg_callback(conn, direction, version, content_type, msg_type, data):
    ct = getattr(content_type, "name", str(content_type))
    if ct not in ("HANDSHAKE", "ALERT", "CHANGE_CIPHER_SPEC"):
        return
    arrow = ">>>" if direction == "write" else "<<<"
    ver = getattr(version, "name", str(version))
    if ct == "ALERT" and len(data) >= 2:
        level = {1: "warning", 2: "fatal"}.get(data[0], str(data[0]))
        say("%s %s Alert, %s %s (%d)" % (arrow, ver, level, ALERTS.get(data[1], "?"), data[1]))
    else:
        say("%s %s %s %s" % (arrow, ver, ct, getattr(msg_type, "name", msg_type)))


def err(where, e):
    extra = ""
    if isinstance(e, ssl.SSLCertVerificationError):
        extra = " [verify_code %s: %s]" % (e.verify_code, e.verify_message)
    say("error: %s: %s: %s%s" % (where, type(e).__name__, e, extra))


def read_line(s):
    data = b""
    while not data.endswith(b"\n"):
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--cert", default="pki/server.chain.pem")
    ap.add_argument("--key", default="pki/server.key")
    ap.add_argument("--cafile", default="pki/root.pem")
    ap.add_argument("--tls", choices=("1.2", "1.3"), default="1.3")
    ap.add_argument("--pha", action="store_true")
    ap.add_argument("--keylogfile")
    a = ap.parse_args()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    ctx.load_verify_locations(a.cafile)
    v = ssl.TLSVersion.TLSv1_3 if a.tls == "1.3" else ssl.TLSVersion.TLSv1_2
    ctx.minimum_version = ctx.maximum_version = v
    ctx.verify_mode = ssl.CERT_REQUIRED
    if a.pha:
        ctx.post_handshake_auth = True
    if a.keylogfile:
        ctx.keylog_filename = a.keylogfile
    # CPython's private message callback (the one its own tests use): logs the TLS messages and
    # alerts OpenSSL sends (>>>) and receives (<<<), as openssl -msg does
    ctx._msg_callback = msg_callback

    srv = socket.create_server(("127.0.0.1", a.port))
    say("listening on 127.0.0.1:%d (Python %s ssl, %s, TLS %s only, CERT_REQUIRED%s)" % (
        a.port, sys.version.split()[0], ssl.OPENSSL_VERSION, a.tls,
        ", post_handshake_auth = True" if a.pha else ""))
    conn, _ = srv.accept()
    srv.close()
    conn.settimeout(10)
    try:
        s = ctx.wrap_socket(conn, server_side=True)
    except (ssl.SSLError, OSError) as e:
        err("handshake", e)
        conn.close()
        return
    say("TLS established: %s %s" % (s.version(), s.cipher()[0]))
    try:
        if a.pha:
            say("peer certificate after the handshake: %s" % ("CN=" + cn(s.getpeercert()) if s.getpeercert() else "none"))
            line = read_line(s)
            say("received: %r" % line)
            s.verify_client_post_handshake()
            say("verify_client_post_handshake() called; writing a line (sends the CertificateRequest)")
            s.sendall(b"send your certificate\n")
            line = read_line(s)
            peer = s.getpeercert()
            if not peer:
                say("error: no client certificate after post-handshake auth")
                return
            say("client certificate verified: CN=%s" % cn(peer))
            say("received: %r" % line)
            s.sendall(b"hello " + cn(peer).encode() + b"\n")
        else:
            peer = s.getpeercert()
            say("client certificate verified: CN=%s" % cn(peer))
            req = b""
            while b"\r\n\r\n" not in req:
                chunk = s.recv(4096)
                if not chunk:
                    break
                req += chunk
            say("request: %s" % req.split(b"\r\n", 1)[0].decode(errors="replace"))
            body = ("hello %s\n" % cn(peer)).encode()
            s.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                      b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        try:
            s.unwrap()              # close_notify
        except (ssl.SSLError, OSError):
            pass
    except (ssl.SSLError, OSError) as e:
        err("read" if a.pha else "request", e)
    finally:
        s.close()


if __name__ == "__main__":
    main()
