#!/usr/bin/env bash
# The two captures of a client CertificateVerify that does not verify:
#   tls12-bad-certificate-verify, tls13-bad-certificate-verify
# The client is bad_cv_client.py (tlslite-ng): it sends client-good + intermediate but signs
# CertificateVerify with pki/bad-cv-signer.key, another RSA 2048 key. The server is openssl s_server
# with the same options as make.sh's scenarios ("REQ": -Verify 2 -verify_return_error, trusting
# only the root); it answers with alert 51 decrypt_error ("bad signature").
#
#   sudo bash captures/make-bad-cv.sh                          # both (needs pki/ from make.sh)
#   sudo ONLY='tls13-*' bash captures/make-bad-cv.sh           # same ONLY patterns as make.sh
#
# make.sh runs this at its end. Same layout as make.sh's captures (NAME.pcap, .keys, .server.log,
# .client.log, .conv.txt, .tshark.json), then expected.py rewrites expected.json and the README
# table. The key log is written by the client (tlslite-ng has no key log: bad_cv_client.py adds
# one); for TLS 1.3 it is checked against s_server's own -keylogfile.
set -euo pipefail
export LC_ALL=C DEBIAN_FRONTEND=noninteractive

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$HERE"
PKI=pki
ONLY=${ONLY:-*}
NAMES=(tls12-bad-certificate-verify tls13-bad-certificate-verify)

SCRIPT=make-bad-cv.sh
# shellcheck source=aux-common.sh
source "$HERE/aux-common.sh"

# the key CertificateVerify is signed with: RSA 2048 like client-good's, no certificate. Kept in
# pki/ so tests can check that the captured signature is valid for this key and not for the
# certificate's. make.sh's PKI step deletes pki/, so a new PKI gets a new one. Its modulus is
# smaller than client-good's, so every signature is a number below the certificate's modulus too:
# the server gets as far as the RSA operation and the PSS padding check (OpenSSL: "first octet
# invalid" or "last octet invalid", by chance) instead of rejecting the value outright ("data too
# large for modulus"), whatever the transcript.
modulus() { openssl rsa -in "$1" -noout -modulus 2>/dev/null | sed 's/^Modulus=//'; }
good_n=$(modulus "$PKI/client-good.key")
signer_ok() {  # same length (2048 bits), numerically smaller: equal-length hex strings compare like numbers
  local n; n=$(modulus "$PKI/bad-cv-signer.key")
  [ ${#n} = ${#good_n} ] && [[ $n < $good_n ]]
}
if [ ! -f "$PKI/bad-cv-signer.key" ] || ! signer_ok; then
  for i in $(seq 1 50); do
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$PKI/bad-cv-signer.key" 2>/dev/null
    signer_ok && break
  done
  signer_ok || die "no RSA 2048 key with a modulus below client-good's after 50 tries"
  chmod 644 "$PKI/bad-cv-signer.key"
fi

# ---------------------------------------------------------------------------------------------
# capture plumbing (as in make.sh)
wait_listen() {
  local port=$1 i
  for i in $(seq 1 200); do
    if ss -Hltn "sport = :$port" 2>/dev/null | grep -q LISTEN; then return 0; fi
    sleep 0.05
  done
  die "nothing listens on port $port"
}
reap() {
  local pid=$1 secs=${2:-5} i
  for i in $(seq 1 $((secs * 20))); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid still running after ${secs}s, killed"
    kill "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}
tidy() {
  sed -e '/^-----BEGIN/,/^-----END/d' -e '/^ *[0-9]\+ \(items in the session cache\|client \|server \|session cache\|callback cache\|cache full\)/d' "$1"
}
msgs() { grep -E '^(<<<|>>>)' "$1" | grep -vE 'RecordHeader|InnerContent' || true; }

SERVER_BASE=(-cert "$PKI/server.pem" -cert_chain "$PKI/intermediate.pem" -key "$PKI/server.key" -no-CApath -no-CAstore)
REQ=(-Verify 2 -verify_return_error -CAfile "$PKI/root.pem")   # make.sh's "client certificate required"

# one capture with one connection: openssl s_server (-brief -rev, like make.sh) and bad_cv_client.py
capture_bad_cv() {  # name port version(12|13) description
  local name=$1 port=$2 v=$3 desc=$4 b="$TMP/$1"
  local tls="1.${v#1}"
  ss -Hltn "sport = :$port" | grep -q LISTEN && die "port $port is already in use"
  log "$name"
  local capdesc="TLS $tls: $desc"
  echo "## capture $name: $capdesc" | tee "$b.client.log" >"$b.server.log"

  tcpdump -i lo -U --immediate-mode -Z root -s 0 -w "$b.raw" "tcp port $port" 2>"$b.tcpdump" &
  local tpid=$!; PIDS+=("$tpid")
  local i
  for i in $(seq 1 100); do
    grep -q 'listening on' "$b.tcpdump" 2>/dev/null && break
    kill -0 "$tpid" 2>/dev/null || die "tcpdump failed: $(cat "$b.tcpdump")"
    sleep 0.05
  done
  sleep 0.2

  local srv=(openssl s_server -accept "127.0.0.1:$port" -naccept 1 "${SERVER_BASE[@]}" "${REQ[@]}" -brief -rev)
  local cli=(python3 bad_cv_client.py --port "$port" --tls "$tls" --cert "$PKI/client-good.pem"
             --chain "$PKI/intermediate.pem" --key "$PKI/bad-cv-signer.key" --cert-key "$PKI/client-good.key")
  timeout 90 "${srv[@]}" -msg -msgfile "$b.smsg" -keylogfile "$b.server-keys" </dev/null >"$b.sout" 2>&1 &
  local spid=$!; PIDS+=("$spid")
  wait_listen "$port"
  timeout 90 "${cli[@]}" --keylogfile "$b.keys" </dev/null >"$b.cout" 2>&1 || true
  reap "$spid" 10

  sleep 0.3                                    # let the last FIN/ACKs reach the capture
  kill -INT "$tpid" 2>/dev/null || true
  reap "$tpid" 5
  grep -q 'packets captured' "$b.tcpdump" || die "tcpdump for $name did not stop cleanly"

  {
    echo "### connection 1: $desc (port $port)"
    echo "\$ ${srv[*]}"
    tidy "$b.sout"
    echo "--- openssl -msg: protocol messages sent (>>>) and received (<<<)"
    msgs "$b.smsg"
  } >>"$b.server.log"
  {
    echo "### connection 1: $desc (port $port)"
    echo "\$ ${cli[*]}"
    cat "$b.cout"
  } >>"$b.client.log"

  # the outcome this capture exists for, and a key log that matches the server's
  grep -q ':bad signature' "$b.sout" || die "$name: s_server did not log 'bad signature': $(cat "$b.sout")"
  grep -q '^>>> TLS .*, Alert .*fatal decrypt_error' "$b.smsg" || die "$name: s_server sent no decrypt_error alert"
  grep -q "with the certificate's public key: no" "$b.cout" || die "$name: the client did not sign with the wrong key: $(cat "$b.cout")"
  [ -s "$b.keys" ] || die "$name: no key log from the client"
  local l
  while read -r l; do
    case $l in '#'*|''|EXPORTER_SECRET*) continue ;; esac   # see bad_cv_client.py
    grep -qxF "$l" "$b.keys" || die "$name: s_server's key log line not in the client's: $l"
  done <"$b.server-keys"

  cp "$b.raw" "$name.pcap"
  cp "$b.server.log" "$name.server.log"
  cp "$b.client.log" "$name.client.log"
  cp "$b.keys" "$name.keys"
  tshark -n -r "$name.pcap" -q -z conv,tcp >"$name.conv.txt" 2>/dev/null
  python3 tshark_view.py "$name.pcap" --keylog "$name.keys" --out "$name.tshark.json"
}

DESC="tlslite-ng client (bad_cv_client.py) sends client-good + intermediate but signs CertificateVerify with another RSA 2048 key (pki/bad-cv-signer.key) to openssl s_server -Verify 2"
for v in 12 13; do
  selected "tls$v-bad-certificate-verify" || continue
  capture_bad_cv "tls$v-bad-certificate-verify" $((22100 + v)) "$v" "$DESC"
done

log "expected.json and README table"
python3 expected.py
