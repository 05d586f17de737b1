#!/usr/bin/env python3
"""A TLS client whose CertificateVerify does not verify: it sends a valid client certificate chain
(client-good + intermediate) but signs CertificateVerify with a different RSA 2048 key
(pki/bad-cv-signer.key). The signature is well-formed (right scheme, right length, a correct
signature over the right transcript) but made with the wrong key, so the server's check against
the certificate's public key fails. OpenSSL-based clients cannot be told to do this (they refuse a
key that does not match the certificate; gnutls-cli 3.7.9 turned out not to check, see
README.md), so this is tlslite-ng (pure Python) with the mismatched key handed in: tlslite-ng
never compares the key with the certificate; its own sanity check after signing verifies the
signature with the private key it was given, which passes.

    python3 bad_cv_client.py --port 22113 --tls 1.3 \
        --cert pki/client-good.pem --chain pki/intermediate.pem --key pki/bad-cv-signer.key \
        --cert-key pki/client-good.key

--keylogfile FILE writes an NSS key log. Prints a trace of the messages it sends and receives
("sent: ...", "received: ..."), what it signed and whether the signature verifies with each key,
then the outcome: "error: TLSRemoteAlert: fatal NAME (N) received" when the server rejects it.
It does not check the server's certificate (no mainstream-client behaviour is being shown there).
"""
import argparse
import socket
import sys

import tlslite
from tlslite import HandshakeSettings, TLSConnection, X509CertChain, parsePEMKey
from tlslite.constants import AlertDescription, ContentType, HandshakeType
from tlslite.errors import TLSLocalAlert, TLSRemoteAlert


def out(*a):
    print(*a, flush=True)


def msg_name(msg):
    ht = getattr(msg, "handshakeType", None)
    if ht is not None:
        return HandshakeType.toStr(ht)
    ct = getattr(msg, "contentType", None)
    if ct == ContentType.alert and hasattr(msg, "description"):
        return "alert %s (%d)" % (AlertDescription.toStr(msg.description), msg.description)
    if ct == ContentType.change_cipher_spec:
        return "change_cipher_spec"
    if ct == ContentType.application_data:
        return "application_data"
    return ContentType.toStr(ct) if ct is not None else type(msg).__name__


def trace(conn_cls):
    """Log every message tlslite sends or hands back as received."""
    send, get = conn_cls._sendMsg, conn_cls._getMsg

    def _sendMsg(self, msg, *a, **kw):
        out("sent: %s" % msg_name(msg))
        yield from send(self, msg, *a, **kw)

    def _getMsg(self, *a, **kw):
        for r in get(self, *a, **kw):
            if r not in (0, 1):
                out("received: %s" % msg_name(r))
            yield r

    conn_cls._sendMsg, conn_cls._getMsg = _sendMsg, _getMsg


LABELS = {  # TLS 1.3 derive_secret label -> NSS key log label
    b"c hs traffic": "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
    b"s hs traffic": "SERVER_HANDSHAKE_TRAFFIC_SECRET",
    b"c ap traffic": "CLIENT_TRAFFIC_SECRET_0",
    b"s ap traffic": "SERVER_TRAFFIC_SECRET_0",
    # no EXPORTER_SECRET: tlslite-ng 0.8.2 derives "exp master" over the transcript up to the
    # client's CertificateVerify instead of the server's Finished (RFC 8446 7.1), so with client
    # authentication its exporter secret is not the server's. Nothing here needs it.
}


def keylog(path):
    """NSS key log (tlslite-ng has no key log of its own): the ClientHello's random from the trace
    of sent messages, TLS 1.2's master secret where tlslite turns it into keys, TLS 1.3's secrets
    where tlslite derives them."""
    import tlslite.tlsconnection as tc
    f = open(path, "w")
    state = {"random": None}

    def line(label, secret):
        f.write("%s %s %s\n" % (label, bytes(state["random"]).hex(), bytes(secret).hex()))
        f.flush()

    send = TLSConnection._sendMsg

    def _sendMsg(self, msg, *a, **kw):
        if getattr(msg, "handshakeType", None) == HandshakeType.client_hello:
            state["random"] = msg.random
        return send(self, msg, *a, **kw)

    calc = TLSConnection._calcPendingStates

    def _calcPendingStates(self, suite, master, client_random, server_random, impl):
        line("CLIENT_RANDOM", master)
        return calc(self, suite, master, client_random, server_random, impl)

    derive = tc.derive_secret

    def derive_secret(secret, label, handshake_hashes, prf):
        out_secret = derive(secret, label, handshake_hashes, prf)
        if bytes(label) in LABELS:
            line(LABELS[bytes(label)], out_secret)
        return out_secret

    TLSConnection._sendMsg = _sendMsg
    TLSConnection._calcPendingStates = _calcPendingStates
    tc.derive_secret = derive_secret


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--tls", choices=["1.2", "1.3"], required=True)
    ap.add_argument("--server-name", default="server.test")
    ap.add_argument("--cert", required=True, help="the client certificate (PEM)")
    ap.add_argument("--chain", help="intermediate certificate(s) sent after it (PEM)")
    ap.add_argument("--key", required=True, help="the key CertificateVerify is signed with")
    ap.add_argument("--cert-key", help="the certificate's real key (only to show it differs)")
    ap.add_argument("--keylogfile", help="write an NSS key log here")
    args = ap.parse_args()

    pems = open(args.cert).read() + (open(args.chain).read() if args.chain else "")
    chain = X509CertChain()
    chain.parsePemList(pems)
    signer = parsePEMKey(open(args.key).read(), private=True)
    cert_pub = chain.x509List[0].publicKey
    out("tlslite-ng %s (pure Python), TLS %s only" % (tlslite.__version__, args.tls))
    out("certificate chain sent: %s%s (%d certificates)" % (
        args.cert, " + " + args.chain if args.chain else "", chain.getNumCerts()))
    out("CertificateVerify signed with: %s (RSA %d), not the certificate's key" % (args.key, len(signer)))
    if args.cert_key:
        real = parsePEMKey(open(args.cert_key).read(), private=True)
        out("certificate's key %s: RSA %d, same modulus as the certificate: %s; the signing key's "
            "modulus equals the certificate's: %s" % (
                args.cert_key, len(real), "yes" if real.n == cert_pub.n else "no",
                "yes" if signer.n == cert_pub.n else "no"))
    if signer.n == cert_pub.n:
        sys.exit("the signing key matches the certificate: nothing to test")

    # Wrap only this key object's sign(): record what was signed and show that the signature is
    # valid for the signing key and invalid for the certificate's public key.
    real_sign = signer.sign

    def sign(data, padding="pkcs1", hashAlg=None, saltLen=None):
        sig = real_sign(data, padding, hashAlg, saltLen)
        ok_signer = signer.verify(sig, data, padding, hashAlg, saltLen)
        ok_cert = cert_pub.verify(sig, data, padding, hashAlg, saltLen)
        out("CertificateVerify signature: %s padding, hash %s, %d bytes; verifies with %s: %s; "
            "with the certificate's public key: %s" % (
                padding, hashAlg, len(sig), args.key, "yes" if ok_signer else "no",
                "yes" if ok_cert else "no"))
        return sig

    signer.sign = sign

    if args.keylogfile:
        keylog(args.keylogfile)
    trace(TLSConnection)
    settings = HandshakeSettings()
    v = (3, 3) if args.tls == "1.2" else (3, 4)
    settings.minVersion = settings.maxVersion = v
    settings.versions = [v]                      # supported_versions offers only this one
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
        conn.handshakeClientCert(chain, signer, settings=settings, serverName=args.server_name)
        out("handshake done on the client's side: %s, %s (the server has not answered yet)" % (
            "TLS 1.3" if conn.version == (3, 4) else "TLS 1.2", conn.getCipherName()))
        # The server answers the client's last flight with NewSessionTicket(s) if it accepts the
        # client, with an alert if not: wait for that before sending anything.
        data = conn.read(max=4096)
        out("received application data: %r" % bytes(data))
        conn.write(b"hello\n")
        out("received application data: %r" % bytes(conn.read(max=4096)))
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
