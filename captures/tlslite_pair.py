#!/usr/bin/env python3
"""One TLS connection between a tlslite-ng server and a tlslite-ng client on 127.0.0.1, for the
suites Debian's OpenSSL 3 no longer speaks (SSL 3.0, RC4, 3DES, HMAC-MD5): used by make-suites.sh.

    python3 tlslite_pair.py --port 22401 --version 3.0 --cipher 3des --mac sha \
        --cert pki/server.pem --key pki/server.key --keylogfile X.keys

The client sends "ping\\n", the server answers "pong\\n", both close. --keylogfile writes an NSS
key log (CLIENT_RANDOM and the master secret, taken where tlslite turns it into keys: tlslite-ng
has no key log of its own). --version is 3.0, 1.0, 1.1 or 1.2.
"""
import argparse
import os
import socket
import sys
import threading

sys.dont_write_bytecode = True

from tlslite import HandshakeSettings, TLSConnection, X509CertChain, parsePEMKey  # noqa: E402

VERSIONS = {"3.0": (3, 0), "1.0": (3, 1), "1.1": (3, 2), "1.2": (3, 3)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--version", choices=sorted(VERSIONS), required=True)
    ap.add_argument("--cipher", required=True, help="tlslite cipher name: 3des, rc4, null, aes128")
    ap.add_argument("--mac", required=True, help="tlslite MAC name: sha, md5, sha256")
    ap.add_argument("--kx", default="rsa", help="tlslite key exchange name: rsa, dhe_rsa, ecdhe_rsa")
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--keylogfile", required=True)
    args = ap.parse_args()

    log = open(args.keylogfile, "w")
    calc = TLSConnection._calcPendingStates

    def _calcPendingStates(self, suite, master, client_random, server_random, impl):
        if self._client:
            log.write("CLIENT_RANDOM %s %s\n" % (bytes(client_random).hex(), bytes(master).hex()))
            log.flush()
        return calc(self, suite, master, client_random, server_random, impl)

    TLSConnection._calcPendingStates = _calcPendingStates

    def settings():
        s = HandshakeSettings()
        v = VERSIONS[args.version]
        s.minVersion = s.maxVersion = v
        s.versions = [v]
        s.cipherNames = [args.cipher]
        s.macNames = [args.mac]
        s.keyExchangeNames = [args.kx]
        s.useEncryptThenMAC = False
        s.useExtendedMasterSecret = args.version != "3.0"
        return s

    chain = X509CertChain()
    chain.parsePemList(open(args.cert).read())
    key = parsePEMKey(open(args.key).read(), private=True)
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", args.port))
    lsock.listen(1)
    errors = []

    def serve():
        try:
            s, _ = lsock.accept()
            conn = TLSConnection(s)
            conn.handshakeServer(certChain=chain, privateKey=key, settings=settings())
            line = b""
            while not line.endswith(b"\n") and len(line) < 64:
                line += conn.read()
            conn.write(b"pong\n" if line == b"ping\n" else b"what?\n")
            conn.close()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append("server: %r" % e)

    t = threading.Thread(target=serve)
    t.start()
    c = TLSConnection(socket.create_connection(("127.0.0.1", args.port)))
    c.handshakeClientCert(settings=settings())
    print("negotiated %s, %s" % (c.getVersionName(), c.getCipherName()))
    c.write(b"ping\n")
    answer = b""
    while not answer.endswith(b"\n") and len(answer) < 64:
        answer += c.read()
    print("server said %r" % answer)
    c.close()
    t.join(10)
    if errors:
        sys.exit("\n".join(errors))


if __name__ == "__main__":
    main()
