#!/usr/bin/env bash
# Regenerates the certificates and signatures in this folder with OpenSSL 3
# (`bash tests/data/x509/make.sh`). Keys are made in a temporary folder and
# thrown away: only certificates, signed contents and signatures are kept.
# Every certificate is valid from 2025-01-01 to 2125-01-01 (except the
# expired one), so the tests can use fixed times. README.md lists the files.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
W="$(mktemp -d)"
trap 'rm -rf "$W"' EXIT
cd "$W"
mkdir new
touch index.txt
echo 1000 > serial

cat > ca.cnf <<'EOF'
[ca]
default_ca = tca
[tca]
dir = .
database = ./index.txt
new_certs_dir = ./new
serial = ./serial
default_md = default
policy = pol
unique_subject = no
preserve = yes
[pol]
O = optional
CN = supplied
[req]
distinguished_name = dn
[dn]
[root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[int]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[int_pathlen0]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[int_serveronly]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[int_nc]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
nameConstraints = critical,permitted;DNS:.example.test
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[int_notca]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyCertSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:server.example.test
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[client_kuenc]
basicConstraints = critical,CA:FALSE
keyUsage = critical,keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF

key() { # name algorithm [options...]
  local n=$1 a=$2
  shift 2
  openssl genpkey -algorithm "$a" "$@" -out "$n.key" 2>/dev/null
}
csr() { # name "CN"
  openssl req -new -key "$1.key" -subj "/O=tlstrace test/CN=$2" -config ca.cnf -out "$1.csr"
}
# root name "CN" extensions [ca options...]
root() {
  local n=$1 cn=$2 ext=$3
  shift 3
  csr "$n" "$cn"
  openssl ca -batch -config ca.cnf -selfsign -keyfile "$n.key" -in "$n.csr" \
    -startdate 20250101000000Z -enddate 21250101000000Z -extensions "$ext" -notext \
    -out "$n.pem" "$@" 2>/dev/null
}
# issue name "CN" issuer extensions [ca options...]
issue() {
  local n=$1 cn=$2 iss=$3 ext=$4
  shift 4
  csr "$n" "$cn"
  openssl ca -batch -config ca.cnf -cert "$iss.pem" -keyfile "$iss.key" -in "$n.csr" \
    -startdate 20250101000000Z -enddate 21250101000000Z -extensions "$ext" -notext \
    -out "$n.pem" "$@" 2>/dev/null
}

# RSA chain: root (sha256WithRSA) -> intermediate signed RSA-PSS with
# OpenSSL 3's default salt (the maximum, 222 for SHA-256 and 2048 bits)
# -> client leaf (sha256WithRSA); a server leaf signed RSA-PSS SHA-384 with
# salt = hash length (ring's case).
key rsa-root RSA -pkeyopt rsa_keygen_bits:2048
root rsa-root "Test RSA Root" root -md sha256
key rsa-int RSA -pkeyopt rsa_keygen_bits:2048
issue rsa-int "Test RSA Intermediate" rsa-root int -md sha256 -sigopt rsa_padding_mode:pss
key rsa-client RSA -pkeyopt rsa_keygen_bits:2048
issue rsa-client "rsa client" rsa-int client -md sha256
key rsa-server RSA -pkeyopt rsa_keygen_bits:2048
issue rsa-server "server.example.test" rsa-int server -md sha384 \
  -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest
# A sha1WithRSA leaf, a sha512WithRSA leaf.
key rsa-sha1 RSA -pkeyopt rsa_keygen_bits:2048
issue rsa-sha1 "rsa sha1 client" rsa-int client -md sha1
key rsa-sha512 RSA -pkeyopt rsa_keygen_bits:2048
issue rsa-sha512 "rsa sha512 client" rsa-int client -md sha512
# Expired client leaf (2020-2021) of the RSA chain.
key rsa-expired RSA -pkeyopt rsa_keygen_bits:2048
csr rsa-expired "expired client"
openssl ca -batch -config ca.cnf -cert rsa-int.pem -keyfile rsa-int.key -in rsa-expired.csr \
  -startdate 20200101000000Z -enddate 20210101000000Z -extensions client -notext \
  -md sha256 -out rsa-expired.pem 2>/dev/null
# A client leaf with KU keyEncipherment only.
key rsa-kuenc RSA -pkeyopt rsa_keygen_bits:2048
issue rsa-kuenc "keyEncipherment client" rsa-int client_kuenc -md sha256
# An "intermediate" without the CA flag, and a leaf it signed.
key notca RSA -pkeyopt rsa_keygen_bits:2048
issue notca "Not A CA" rsa-root int_notca -md sha256
key notca-client RSA -pkeyopt rsa_keygen_bits:2048
issue notca-client "client under not-a-CA" notca client -md sha256
# pathlen:0 intermediate -> another intermediate -> leaf.
key plen0 RSA -pkeyopt rsa_keygen_bits:2048
issue plen0 "Pathlen0 CA" rsa-root int_pathlen0 -md sha256
key plen-sub RSA -pkeyopt rsa_keygen_bits:2048
issue plen-sub "Below Pathlen0 CA" plen0 int -md sha256
key plen-client RSA -pkeyopt rsa_keygen_bits:2048
issue plen-client "client below pathlen" plen-sub client -md sha256
# Intermediate with EKU serverAuth only, and a client leaf under it.
key srvonly RSA -pkeyopt rsa_keygen_bits:2048
issue srvonly "ServerAuth Only CA" rsa-root int_serveronly -md sha256
key srvonly-client RSA -pkeyopt rsa_keygen_bits:2048
issue srvonly-client "client under serverAuth CA" srvonly client -md sha256
# Intermediate with name constraints, and a client leaf under it.
key nc RSA -pkeyopt rsa_keygen_bits:2048
issue nc "Constrained CA" rsa-root int_nc -md sha256
key nc-client RSA -pkeyopt rsa_keygen_bits:2048
issue nc-client "client under constrained CA" nc client -md sha256
# Another root with the same name as rsa-root but another key, and one with
# another name.
key rsa-root-samename RSA -pkeyopt rsa_keygen_bits:2048
root rsa-root-samename "Test RSA Root" root -md sha256
key other-root RSA -pkeyopt rsa_keygen_bits:2048
root other-root "Other Root" root -md sha256
# Small RSA keys: a self-signed 1024-bit root (sha256) and its leaf; a
# self-signed 512-bit certificate.
key rsa1024 RSA -pkeyopt rsa_keygen_bits:1024
root rsa1024 "RSA 1024 Root" root -md sha256
key rsa1024-client RSA -pkeyopt rsa_keygen_bits:2048
issue rsa1024-client "client under 1024" rsa1024 client -md sha256
key rsa512 RSA -pkeyopt rsa_keygen_bits:512
root rsa512 "RSA 512 Root" root -md sha256
key rsa512-client RSA -pkeyopt rsa_keygen_bits:2048
issue rsa512-client "client under 512" rsa512 client -md sha256
# RSASSA-PSS key (id-RSASSA-PSS SPKI): a self-signed root (PSS, SHA-256,
# salt 32 by key restriction) and a leaf with a PSS key signed by rsa-int.
key rsapss-root RSA-PSS -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_pss_keygen_md:sha256 \
  -pkeyopt rsa_pss_keygen_mgf1_md:sha256 -pkeyopt rsa_pss_keygen_saltlen:32
root rsapss-root "RSA-PSS Key Root" root -md sha256
key rsapss-client RSA-PSS -pkeyopt rsa_keygen_bits:2048
issue rsapss-client "rsa-pss key client" rsa-int client -md sha256

# ECDSA: P-384 root (ecdsa-with-SHA384) -> P-256 intermediate signed with
# SHA-256 (P-384 key, SHA-256: cross) -> P-384 client signed with SHA-384
# by the P-256 key (cross); a P-256 client signed with SHA-512 and one with
# SHA-1 (beyond ring).
key ec-root EC -pkeyopt ec_paramgen_curve:P-384
root ec-root "Test EC Root" root -md sha384
key ec-int EC -pkeyopt ec_paramgen_curve:P-256
issue ec-int "Test EC Intermediate" ec-root int -md sha256
key ec-client EC -pkeyopt ec_paramgen_curve:P-384
issue ec-client "ec p384 client" ec-int client -md sha384
key ec256-client EC -pkeyopt ec_paramgen_curve:P-256
issue ec256-client "ec p256 client" ec-int client -md sha256
key ec-sha512 EC -pkeyopt ec_paramgen_curve:P-256
issue ec-sha512 "ec sha512 client" ec-int client -md sha512
key ec-sha1 EC -pkeyopt ec_paramgen_curve:P-256
issue ec-sha1 "ec sha1 client" ec-int client -md sha1
# P-521 root (ecdsa-with-SHA512) -> P-521 client signed with SHA-256 (a hash
# shorter than the curve).
key p521-root EC -pkeyopt ec_paramgen_curve:P-521
root p521-root "Test P-521 Root" root -md sha512
key p521-client EC -pkeyopt ec_paramgen_curve:P-521
issue p521-client "p521 client" p521-root client -md sha256

# Ed25519 root -> Ed25519 client; Ed448 and DSA self-signed (unsupported).
key ed-root ed25519
root ed-root "Test Ed25519 Root" root
key ed-client ed25519
issue ed-client "ed25519 client" ed-root client
key ed448 ed448
root ed448 "Ed448 Root" root
key ed448-client ed25519
issue ed448-client "client under Ed448" ed448 client
openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 -out dsa.param 2>/dev/null
openssl genpkey -paramfile dsa.param -out dsa.key 2>/dev/null
root dsa "DSA Root" root -md sha256

out="$here"
for c in rsa-root rsa-int rsa-client rsa-server rsa-sha1 rsa-sha512 rsa-expired rsa-kuenc \
  notca notca-client plen0 plen-sub plen-client srvonly srvonly-client nc nc-client \
  rsa-root-samename other-root rsa1024 rsa1024-client rsa512 rsa512-client rsapss-root rsapss-client \
  ec-root ec-int ec-client ec256-client ec-sha512 ec-sha1 p521-root p521-client \
  ed-root ed-client ed448 ed448-client dsa; do
  cp "$c.pem" "$out/$c.pem"
done
cat rsa-root.pem ec-root.pem ed-root.pem > "$out/bundle-roots.pem"
# OpenSSL's TRUSTED CERTIFICATE form (certificate + trust settings).
openssl x509 -in rsa-root.pem -addtrust clientAuth -out "$out/trusted-root.pem"
# A bundle that also holds the RSA intermediate (with comment lines, as
# distribution bundles have).
{ echo "# Test RSA Root"; cat rsa-root.pem; echo "subject=Test RSA Intermediate"; cat rsa-int.pem; } \
  > "$out/bundle-with-int.pem"

# Handshake signatures. transcript.bin stands for the handshake messages:
# bytes 0..=255 three times (the tests rebuild it).
python3 - <<'EOF'
import hashlib
t = bytes(range(256)) * 3
open("transcript.bin", "wb").write(t)
def tls13(side, h):
    return b" " * 64 + f"TLS 1.3, {side} CertificateVerify".encode() + b"\0" + h
open("tls13-client-sha256.bin", "wb").write(tls13("client", hashlib.sha256(t).digest()))
open("tls13-server-sha384.bin", "wb").write(tls13("server", hashlib.sha384(t).digest()))
open("md5sha1.bin", "wb").write(hashlib.md5(t).digest() + hashlib.sha1(t).digest())
# ServerKeyExchange: client_random = 32 x 0x11, server_random = 32 x 0x22,
# params = a named_curve x25519 ServerECDHParams with 32 x 0x33.
params = bytes([3, 0, 29, 32]) + b"\x33" * 32
open("ske.bin", "wb").write(b"\x11" * 32 + b"\x22" * 32 + params)
EOF
pss=(-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest)
sig() { # out key digest content [sigopts...]
  local o=$1 k=$2 d=$3 c=$4
  shift 4
  openssl dgst "-$d" -sign "$k.key" "$@" -out "$out/sig-$o.bin" "$c"
}
# TLS 1.3 client CertificateVerify, rsa_pss_rsae_sha256, rsa-client.
sig tls13-rsa-pss-rsae-sha256 rsa-client sha256 tls13-client-sha256.bin "${pss[@]}"
# TLS 1.3 client CertificateVerify, rsa_pss_pss_sha256, rsapss-client.
sig tls13-rsa-pss-pss-sha256 rsapss-client sha256 tls13-client-sha256.bin "${pss[@]}"
# TLS 1.3 server CertificateVerify, ecdsa_secp384r1_sha384, ec-client (P-384).
sig tls13-server-ecdsa-p384-sha384 ec-client sha384 tls13-server-sha384.bin
# TLS 1.3 client CertificateVerify, ecdsa_secp256r1_sha256, ec256-client.
sig tls13-ecdsa-p256-sha256 ec256-client sha256 tls13-client-sha256.bin
# TLS 1.3 client CertificateVerify, ecdsa_secp521r1_sha512, p521-client.
sig tls13-ecdsa-p521-sha512 p521-client sha512 tls13-client-sha256.bin
# TLS 1.3 client CertificateVerify, ed25519, ed-client.
openssl pkeyutl -sign -rawin -inkey ed-client.key -in tls13-client-sha256.bin \
  -out "$out/sig-tls13-ed25519.bin"
# TLS 1.2 CertificateVerify over transcript.bin:
sig tls12-rsa-pkcs1-sha256 rsa-client sha256 transcript.bin
sig tls12-rsa-pkcs1-sha1 rsa-client sha1 transcript.bin
sig tls12-rsa-pss-rsae-sha384 rsa-client sha384 transcript.bin "${pss[@]}"
# ecdsa_secp256r1_sha256 (0x0403) signed by the P-384 key: SHA-256 on P-384.
sig tls12-ecdsa-p384-sha256 ec-client sha256 transcript.bin
# ecdsa_sha1 (0x0203) by the P-256 key; also what TLS 1.0/1.1 ECDSA signs.
sig tls12-ecdsa-p256-sha1 ec256-client sha1 transcript.bin
# ecdsa_secp521r1_sha512 by the P-521 key.
sig tls12-ecdsa-p521-sha512 p521-client sha512 transcript.bin
# rsa_pkcs1_sha256 by a 1024-bit key (below ring's minimum).
sig tls12-rsa1024-sha256 rsa1024 sha256 transcript.bin
# TLS 1.0/1.1 RSA: PKCS#1 v1.5 over MD5 || SHA-1 without DigestInfo.
openssl pkeyutl -sign -inkey rsa-client.key -in md5sha1.bin -out "$out/sig-tls10-rsa-md5sha1.bin"
# TLS 1.2 ServerKeyExchange, rsa_pkcs1_sha512, by rsa-server.
sig ske-rsa-pkcs1-sha512 rsa-server sha512 ske.bin
echo "regenerated in $out"
