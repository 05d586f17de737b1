#!/usr/bin/env python3
"""A TLS 1.3 server (tlslite-ng, pure Python) whose CertificateRequest is wrong in one of two ways
real servers have shipped. Used by make-mistakes.sh:

    python3 tlslite_server13.py --port 24001 --chain pki/server.pem pki/intermediate.pem \
        --key pki/server.key --ca-list-empty
        the CertificateRequest carries a certificate_authorities extension (47) with no names
        (RFC 8446 4.2.4: DistinguishedName authorities<3..2^16-1>, so at least one)

    python3 tlslite_server13.py --port 24003 --chain pki/server.pem pki/intermediate.pem \
        --key pki/server.key --sigalgs-cert 0x0603,0x0808
        the CertificateRequest carries signature_algorithms_cert (50) with only these schemes
        (the client's chain is signed with RSA/SHA-256, which it leaves out), next to the usual
        signature_algorithms (13)

tlslite-ng builds its TLS 1.3 CertificateRequest with only signature_algorithms and an (empty)
compress_certificate extension; CertificateRequest.create is wrapped at run time to fix it up
(see patch_certificate_request). The client's certificate is not checked (tlslite-ng only checks
that the CertificateVerify's scheme fits the certificate's key and that the signature verifies);
an empty client Certificate is accepted. Serves one connection. Prints a trace ("sent: ...",
"received: ...", "sent: handshake" when a flight of queued messages goes out, the CertificateRequest's extensions as sent, the client certificates it got),
then "handshake done: ..." or "error: TLSRemoteAlert: fatal NAME (N) received" /
"error: TLSLocalAlert: NAME sent (...)" / "error: <socket error>". After a handshake it reads one
line and answers like s_server -rev (the line reversed), or, for an HTTP request (curl), an
HTTP/1.1 200 response whose body is the request line reversed. --keylogfile FILE writes an NSS key
log (the TLS 1.3 traffic secrets, as bad_cv_client.py does on the client side).
"""
import argparse
import os
import socket
import struct
import sys

sys.dont_write_bytecode = True   # no __pycache__ next to the captures
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tlslite  # noqa: E402
import tlslite.tlsconnection as tc  # noqa: E402
from tlslite import HandshakeSettings, TLSConnection, X509CertChain, parsePEMKey  # noqa: E402
from tlslite.constants import AlertDescription, ExtensionType, HandshakeType, SignatureScheme  # noqa: E402
from tlslite.errors import TLSLocalAlert, TLSRemoteAlert  # noqa: E402
from tlslite.extensions import TLSExtension  # noqa: E402
from tlslite.messages import CertificateRequest  # noqa: E402

from bad_cv_client import LABELS, msg_name, out, trace  # noqa: E402
from tlslite_client import dn  # noqa: E402

CERTIFICATE_AUTHORITIES = 47   # RFC 8446 4.2.4; tlslite-ng 0.8.2 has no name for it
EXT_NAMES = {13: "signature_algorithms", 27: "compress_certificate", 47: "certificate_authorities",
             50: "signature_algorithms_cert"}


def scheme_name(code):
    name = SignatureScheme.toRepr((code >> 8, code & 0xff))
    return "%s (0x%04x)" % (name or "?", code)


def patch_certificate_request(ca_list_empty, sigalgs_cert):
    """Wrap CertificateRequest.create (tlslite-ng 0.8.2 calls it once per TLS 1.3 handshake, in
    _serverTLS13Handshake) so that the message it builds carries the server's mistake."""
    create = CertificateRequest.create

    def patched(self, *a, **kw):
        msg = create(self, *a, **kw)
        if self.version < (3, 4):
            return msg
        # tlslite-ng always adds compress_certificate (27), with an empty list when
        # certificate_compression_receive is [] (as here): that is malformed too (RFC 8879:
        # algorithms<2..2^8-2>), so it is dropped to leave only the mistake being shown
        msg.extensions = [e for e in msg.extensions
                          if not (e.extType == 27 and not getattr(e, "algorithms", None))]
        if ca_list_empty:
            # certificate_authorities: a DistinguishedName list of length 0 (just its 2-byte length)
            msg.extensions.append(TLSExtension(extType=CERTIFICATE_AUTHORITIES)
                                  .create(bytearray(b"\x00\x00")))
        if sigalgs_cert:
            # signature_algorithms_cert: SignatureScheme list, 2-byte length, 2 bytes per scheme
            body = b"".join(struct.pack(">H", s) for s in sigalgs_cert)
            msg.extensions.append(TLSExtension(extType=ExtensionType.signature_algorithms_cert)
                                  .create(bytearray(struct.pack(">H", len(body)) + body)))
        for e in msg.extensions:
            data = bytes(e.write()[4:])
            out("certificate_request extension %d %s: %d bytes: %s" % (
                e.extType, EXT_NAMES.get(e.extType, "?"), len(data), data.hex()))
            if e.extType in (13, 50):
                out("  %s" % ", ".join(scheme_name(int.from_bytes(data[i:i + 2], "big"))
                                       for i in range(2, len(data), 2)))
        return msg

    CertificateRequest.create = patched


def keylog(path):
    """NSS key log: the ClientHello's random (as received), the TLS 1.3 secrets where tlslite-ng
    derives them (labels in bad_cv_client.LABELS; no EXPORTER_SECRET, see there)."""
    f = open(path, "w")
    state = {"random": None}
    get = TLSConnection._getMsg

    def _getMsg(self, *a, **kw):
        for r in get(self, *a, **kw):
            if getattr(r, "handshakeType", None) == HandshakeType.client_hello:
                state["random"] = r.random
            yield r

    derive = tc.derive_secret

    def derive_secret(secret, label, handshake_hashes, prf):
        s = derive(secret, label, handshake_hashes, prf)
        if bytes(label) in LABELS and state["random"] is not None:
            f.write("%s %s %s\n" % (LABELS[bytes(label)], bytes(state["random"]).hex(), bytes(s).hex()))
            f.flush()
        return s

    TLSConnection._getMsg = _getMsg
    tc.derive_secret = derive_secret


def trace_details():
    """Messages tlslite-ng queues for one flight (EncryptedExtensions ... Finished) as "sent: NAME"
    (bad_cv_client.trace() shows the flight itself as "sent: handshake"); after trace()'s
    "received: ..." line, the client's certificates and CertificateVerify scheme."""
    queue = TLSConnection._queue_message

    def _queue_message(self, msg):
        out("sent: %s" % msg_name(msg))
        return queue(self, msg)

    TLSConnection._queue_message = _queue_message
    get = TLSConnection._getMsg

    def _getMsg(self, *a, **kw):
        for r in get(self, *a, **kw):
            ht = getattr(r, "handshakeType", None)
            if ht == HandshakeType.certificate:
                certs = r.cert_chain.x509List if r.cert_chain else []
                out("  client certificates: %d" % len(certs))
                for i, c in enumerate(certs):
                    out("  [%d] subject %s; issuer %s" % (i, dn(c.subject), dn(c.issuer)))
            elif ht == HandshakeType.certificate_verify:
                a = r.signatureAlgorithm
                out("  CertificateVerify scheme %s" % scheme_name(a[0] << 8 | a[1]))
            yield r

    TLSConnection._getMsg = _getMsg


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--chain", nargs="+", required=True,
                    help="PEM files, sent in this order (the server's certificate first)")
    ap.add_argument("--key", required=True)
    ap.add_argument("--ca-list-empty", action="store_true",
                    help="add certificate_authorities (47) with no names to the CertificateRequest")
    ap.add_argument("--sigalgs-cert", help="comma-separated schemes (0x0603,...): add "
                    "signature_algorithms_cert (50) with only these to the CertificateRequest")
    ap.add_argument("--keylogfile", help="write an NSS key log here")
    args = ap.parse_args()
    sigalgs_cert = [int(s, 16) for s in args.sigalgs_cert.split(",")] if args.sigalgs_cert else []

    chain = X509CertChain()
    chain.parsePemList("".join(open(p).read() for p in args.chain))
    key = parsePEMKey(open(args.key).read(), private=True)
    out("tlslite-ng %s (pure Python), TLS 1.3 only, server; asks for a client certificate and "
        "checks nothing about it" % tlslite.__version__)
    out("certificate chain sent, in this order: %s (%d certificates)" % (
        " + ".join(args.chain), chain.getNumCerts()))
    if args.ca_list_empty:
        out("mistake: CertificateRequest with certificate_authorities (47) holding no names")
    if sigalgs_cert:
        out("mistake: CertificateRequest with signature_algorithms_cert (50) = %s only" %
            ", ".join(scheme_name(s) for s in sigalgs_cert))
    patch_certificate_request(args.ca_list_empty, sigalgs_cert)
    if args.keylogfile:
        keylog(args.keylogfile)
    trace(TLSConnection)
    trace_details()       # after trace(): its lines follow trace()'s "received: ..." line

    settings = HandshakeSettings()
    settings.minVersion = settings.maxVersion = (3, 4)
    settings.versions = [(3, 4)]
    settings.eccCurves = ["x25519", "secp256r1"]
    settings.keyShares = ["x25519", "secp256r1"]
    settings.dhGroups = []
    settings.cipherNames = ["aes128gcm", "aes256gcm", "chacha20-poly1305"]
    settings.certificate_compression_send = []
    settings.certificate_compression_receive = []
    settings.use_heartbeat_extension = False
    settings.ticketKeys = []

    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((args.host, args.port))
    lsock.listen(1)
    out("listening on %s:%d" % (args.host, args.port))
    sock, peer = lsock.accept()
    lsock.close()
    sock.settimeout(10)
    out("connection from %s:%d" % peer)
    conn = TLSConnection(sock)
    status = 0
    try:
        conn.handshakeServer(certChain=chain, privateKey=key, reqCert=True, settings=settings,
                             alpn=[bytearray(b"http/1.1")])   # curl offers ALPN; without a list tlslite-ng fails
        cc = conn.session.clientCertChain
        out("handshake done: TLS 1.3, %s; client certificate: %s" % (
            conn.getCipherName(), dn(cc.x509List[0].subject) if cc and cc.getNumCerts() else "none"))
        data = b""
        while not data.endswith(b"\n"):
            d = conn.read(max=4096)
            if not d:
                break
            data += bytes(d)
        out("received application data: %r" % data)
        if data.startswith(b"GET ") or data.startswith(b"HEAD "):
            while not data.endswith(b"\r\n\r\n"):     # the rest of the request head
                d = conn.read(max=4096)
                if not d:
                    break
                data += bytes(d)
            body = data.split(b"\r\n", 1)[0][::-1] + b"\n"
            conn.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                       b"Connection: close\r\n\r\n" % len(body) + body)
            out("sent: HTTP/1.1 200 OK, the request line reversed")
        else:
            conn.write(data.rstrip(b"\n")[::-1] + b"\n")
            out("sent: the line reversed")
        conn.close()
    except TLSRemoteAlert as e:
        out("error: TLSRemoteAlert: %s %s (%d) received" % (
            "fatal" if e.level == 2 else "warning", AlertDescription.toStr(e.description), e.description))
        status = 1
    except TLSLocalAlert as e:
        out("error: TLSLocalAlert: %s sent (%s)" % (AlertDescription.toStr(e.description), e.message))
        status = 1
    except (socket.error, EOFError) as e:
        out("error: %s: %s" % (type(e).__name__, e))
        status = 1
    finally:
        sock.close()
    return status


if __name__ == "__main__":
    sys.exit(main())
