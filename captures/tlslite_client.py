#!/usr/bin/env python3
"""A TLS client (tlslite-ng, pure Python) that does what OpenSSL's s_client will not: send its
certificate chain in exactly the order it is given, and sign CertificateVerify with a signature
scheme the server did not list. Used by make-extra.sh:

  tls12-chain-misordered   --chain client-good.pem root.pem intermediate.pem
  tls12-chain-broken       --chain client-good.pem unrelated.pem
  tls12-sigalg-not-offered-forced
                           --chain client-good.pem intermediate.pem --force-sigalg rsa_pss_rsae_sha256

    python3 tlslite_client.py --port 22231 --tls 1.2 --key pki/client-good.key \
        --chain pki/client-good.pem pki/root.pem pki/intermediate.pem --keylogfile X.keys

--chain: PEM files, each holding one or more certificates; the Certificate message carries them
in this order (the first is the client's own). --force-sigalg NAME: when the server's
CertificateRequest does not list NAME, make tlslite believe it did (the parsed message is
changed after it has gone into the handshake hash, so the transcript stays the server's) and
sign CertificateVerify with it. Without it tlslite 0.8.2 refuses, in TLS 1.2, a CertificateRequest
that lists no RSA scheme ("Server doesn't accept any sigalgs we support", alert handshake_failure).

Prints a trace ("sent: ...", "received: ..."), the chain sent, the schemes the server listed and
the one signed with, then the outcome: "error: TLSRemoteAlert: fatal NAME (N) received" when the
server rejects the client; after a handshake it sends "hello" and prints the server's answer.
The key log (--keylogfile) and the trace come from bad_cv_client.py. It does not check the
server's certificate.
"""
import argparse
import os
import socket
import sys

sys.dont_write_bytecode = True   # no __pycache__ next to the captures
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tlslite  # noqa: E402
from tlslite import HandshakeSettings, TLSConnection, X509CertChain, parsePEMKey  # noqa: E402
from tlslite.constants import AlertDescription, HandshakeType, SignatureScheme  # noqa: E402
from tlslite.errors import TLSLocalAlert, TLSRemoteAlert  # noqa: E402

from bad_cv_client import keylog, out, trace  # noqa: E402


def scheme_name(s):
    return SignatureScheme.toRepr(tuple(s)) or "0x%02x%02x" % tuple(s)


OIDS = {b"\x55\x04\x03": "CN", b"\x55\x04\x0a": "O", b"\x55\x04\x0b": "OU"}


def dn(name_der):
    """'O=..., CN=...' from a DER Name (tlslite keeps subject and issuer as DER)"""
    from tlslite.utils.asn1parser import ASN1Parser
    name, parts = ASN1Parser(bytearray(name_der)), []
    for i in range(name.getChildCount()):
        rdn = name.getChild(i)
        for j in range(rdn.getChildCount()):
            atv = rdn.getChild(j)
            oid, val = bytes(atv.getChild(0).value), bytes(atv.getChild(1).value)
            parts.append("%s=%s" % (OIDS.get(oid, oid.hex()), val.decode("utf-8", "replace")))
    return ", ".join(parts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--tls", choices=["1.2", "1.3"], required=True)
    ap.add_argument("--server-name", default="server.test")
    ap.add_argument("--chain", nargs="+", required=True,
                    help="PEM files, sent in this order (the client's certificate first)")
    ap.add_argument("--key", required=True, help="the client certificate's private key")
    ap.add_argument("--force-sigalg", help="sign CertificateVerify with this scheme even if "
                    "the server did not list it (e.g. rsa_pss_rsae_sha256)")
    ap.add_argument("--keylogfile", help="write an NSS key log here")
    args = ap.parse_args()

    chain = X509CertChain()
    chain.parsePemList("".join(open(p).read() for p in args.chain))
    key = parsePEMKey(open(args.key).read(), private=True)
    out("tlslite-ng %s (pure Python), TLS %s only" % (tlslite.__version__, args.tls))
    out("certificate chain sent, in this order: %s (%d certificates)" % (
        " + ".join(args.chain), chain.getNumCerts()))
    for i, c in enumerate(chain.x509List):
        out("  [%d] subject %s; issuer %s" % (i, dn(c.subject), dn(c.issuer)))

    forced = None
    if args.force_sigalg:
        forced = getattr(SignatureScheme, args.force_sigalg)

    if args.keylogfile:
        keylog(args.keylogfile)
    trace(TLSConnection)

    # Show the CertificateRequest's schemes, and (--force-sigalg) add the forced one to the
    # parsed message only: _getMsg has already put the raw bytes into the handshake hash.
    get = TLSConnection._getMsg

    def _getMsg(self, *a, **kw):
        for r in get(self, *a, **kw):
            if getattr(r, "handshakeType", None) == HandshakeType.certificate_request:
                listed = list(r.supported_signature_algs)
                out("CertificateRequest signature schemes: %s" % ", ".join(scheme_name(s) for s in listed))
                if forced is not None and forced not in listed:
                    out("forcing %s (not listed by the server) for CertificateVerify" % args.force_sigalg)
                    r.supported_signature_algs = listed + [forced]
            yield r

    TLSConnection._getMsg = _getMsg

    # log the scheme CertificateVerify is signed with
    mk = tlslite.keyexchange.KeyExchange.makeCertificateVerify

    def makeCertificateVerify(*a, **kw):
        cv = mk(*a, **kw)
        out("CertificateVerify signed with %s" % scheme_name(cv.signatureAlgorithm))
        return cv

    tlslite.keyexchange.KeyExchange.makeCertificateVerify = staticmethod(makeCertificateVerify)
    import tlslite.tlsconnection as tc
    tc.KeyExchange.makeCertificateVerify = staticmethod(makeCertificateVerify)

    settings = HandshakeSettings()
    v = (3, 3) if args.tls == "1.2" else (3, 4)
    settings.minVersion = settings.maxVersion = v
    settings.versions = [v]
    settings.eccCurves = ["x25519", "secp256r1"]
    settings.keyShares = ["x25519"]
    settings.dhGroups = []
    settings.keyExchangeNames = ["ecdhe_rsa"] if v == (3, 3) else settings.keyExchangeNames
    settings.cipherNames = ["aes128gcm", "aes256gcm", "chacha20-poly1305"]
    settings.macNames = ["sha256", "sha384", "aead"]
    settings.certificate_compression_send = []
    settings.certificate_compression_receive = []
    settings.use_heartbeat_extension = False
    settings.usePaddingExtension = False
    settings.pskConfigs = []

    sock = socket.create_connection((args.host, args.port), timeout=10)
    conn = TLSConnection(sock)
    status = 0
    try:
        conn.handshakeClientCert(chain, key, settings=settings, serverName=args.server_name)
        out("handshake done on the client's side: %s, %s" % (
            "TLS 1.3" if conn.version == (3, 4) else "TLS 1.2", conn.getCipherName()))
        conn.write(b"hello\n")
        out("sent application data: %r" % b"hello\n")
        data = b""
        while not data.endswith(b"\n"):
            d = conn.read(max=4096)
            if not d:
                break
            data += bytes(d)
        out("received application data: %r" % data)
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
