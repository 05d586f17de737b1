#!/usr/bin/env python3
"""A TLS 1.2 server (tlslite-ng, pure Python) whose ServerKeyExchange signature does not verify:
it sends a valid certificate chain (server + intermediate) but signs the ServerKeyExchange with
another RSA 2048 key. OpenSSL's s_server cannot be made to do this (it checks that the key
matches the certificate when it loads them: "X509_check_private_key:key values mismatch");
tlslite-ng never compares them, and its sanity check after signing verifies the signature with
the key it signed with, which passes. Used by make-chains.sh (tls12-server-key-mismatch):

    python3 tlslite_server.py --port 22304 --tls 1.2 \
        --chain pki/server.pem pki/intermediate.pem --key pki/server-ske-signer.key \
        --cert-key pki/server.key --request-cert --ca-names pki/root.pem

--chain: PEM files, sent in this order (the server's own certificate first). --request-cert
sends a CertificateRequest naming the subjects of the certificates in --ca-names, as s_server
-Verify 2 -CAfile pki/root.pem does; the client certificate is not checked (no client gets that
far here). Serves one connection. Prints a trace ("sent: ...", "received: ..."), what it signed
and whether the signature verifies with each key, then the outcome: "error: TLSRemoteAlert: fatal
NAME (N) received" when the client rejects it; after a handshake it echoes one line reversed
(like s_server -rev). --keylogfile FILE writes an NSS key log (CLIENT_RANDOM; empty when no
master secret was computed, as when the client rejects the ServerKeyExchange).
"""
import argparse
import os
import socket
import sys

sys.dont_write_bytecode = True   # no __pycache__ next to the captures
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tlslite  # noqa: E402
from tlslite import HandshakeSettings, TLSConnection, X509CertChain, parsePEMKey  # noqa: E402
from tlslite.constants import AlertDescription  # noqa: E402
from tlslite.errors import TLSLocalAlert, TLSRemoteAlert  # noqa: E402

from bad_cv_client import out, trace  # noqa: E402
from tlslite_client import dn  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--tls", choices=["1.2"], required=True)
    ap.add_argument("--chain", nargs="+", required=True,
                    help="PEM files, sent in this order (the server's certificate first)")
    ap.add_argument("--key", required=True, help="the key ServerKeyExchange is signed with")
    ap.add_argument("--cert-key", help="the certificate's real key (only to show it differs)")
    ap.add_argument("--request-cert", action="store_true", help="send a CertificateRequest")
    ap.add_argument("--ca-names", help="PEM file: the subjects of its certificates are the "
                    "CertificateRequest's certificate_authorities")
    ap.add_argument("--keylogfile", help="write an NSS key log here")
    args = ap.parse_args()

    chain = X509CertChain()
    chain.parsePemList("".join(open(p).read() for p in args.chain))
    signer = parsePEMKey(open(args.key).read(), private=True)
    cert_pub = chain.x509List[0].publicKey
    out("tlslite-ng %s (pure Python), TLS %s only, server" % (tlslite.__version__, args.tls))
    out("certificate chain sent, in this order: %s (%d certificates)" % (
        " + ".join(args.chain), chain.getNumCerts()))
    for i, c in enumerate(chain.x509List):
        out("  [%d] subject %s; issuer %s" % (i, dn(c.subject), dn(c.issuer)))
    out("ServerKeyExchange signed with: %s (RSA %d), not the certificate's key" % (args.key, len(signer)))
    if args.cert_key:
        real = parsePEMKey(open(args.cert_key).read(), private=True)
        out("certificate's key %s: RSA %d, same modulus as the certificate: %s; the signing key's "
            "modulus equals the certificate's: %s" % (
                args.cert_key, len(real), "yes" if real.n == cert_pub.n else "no",
                "yes" if signer.n == cert_pub.n else "no"))
    if signer.n == cert_pub.n:
        sys.exit("the signing key matches the certificate: nothing to test")

    # Wrap only this key object's sign(): show that the signature is valid for the signing key
    # and invalid for the certificate's public key.
    real_sign = signer.sign

    def sign(data, padding="pkcs1", hashAlg=None, saltLen=None):
        sig = real_sign(data, padding, hashAlg, saltLen)
        ok_signer = signer.verify(sig, data, padding, hashAlg, saltLen)
        ok_cert = cert_pub.verify(sig, data, padding, hashAlg, saltLen)
        out("ServerKeyExchange signature: %s padding, hash %s, %d bytes; verifies with %s: %s; "
            "with the certificate's public key: %s" % (
                padding, hashAlg, len(sig), args.key, "yes" if ok_signer else "no",
                "yes" if ok_cert else "no"))
        return sig

    signer.sign = sign

    ca_names = None
    if args.ca_names:
        cas = X509CertChain()
        cas.parsePemList(open(args.ca_names).read())
        ca_names = [c.subject for c in cas.x509List]
        out("CertificateRequest names: %s" % "; ".join(dn(n) for n in ca_names))

    if args.keylogfile:
        f = open(args.keylogfile, "w")
        calc = TLSConnection._calcPendingStates

        def _calcPendingStates(self, suite, master, client_random, server_random, impl):
            f.write("CLIENT_RANDOM %s %s\n" % (bytes(client_random).hex(), bytes(master).hex()))
            f.flush()
            return calc(self, suite, master, client_random, server_random, impl)

        TLSConnection._calcPendingStates = _calcPendingStates
    trace(TLSConnection)

    settings = HandshakeSettings()
    settings.minVersion = settings.maxVersion = (3, 3)
    settings.versions = [(3, 3)]
    settings.eccCurves = ["x25519", "secp256r1"]
    settings.dhGroups = []
    settings.keyExchangeNames = ["ecdhe_rsa"]
    settings.cipherNames = ["aes128gcm", "aes256gcm", "chacha20-poly1305"]
    settings.macNames = ["sha256", "sha384", "aead"]
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
        conn.handshakeServer(certChain=chain, privateKey=signer, reqCert=args.request_cert,
                             reqCAs=ca_names, settings=settings)
        out("handshake done: TLS 1.2, %s" % conn.getCipherName())
        data = b""
        while not data.endswith(b"\n"):
            d = conn.read(max=4096)
            if not d:
                break
            data += bytes(d)
        out("received application data: %r" % data)
        conn.write(data.rstrip(b"\n")[::-1] + b"\n")
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
