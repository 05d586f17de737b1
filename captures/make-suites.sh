#!/usr/bin/env bash
# Real captures of the older cipher suites tlstrace decrypts (issue 11), one connection each, in
# captures/suites/: NAME.pcap, NAME.keys (NSS key log), NAME.tshark.txt (tshark's decrypted view:
# frame, handshake types, alerts, for reference). tests/suites.rs checks that every one decrypts
# and that both Finished messages verify.
#
#   sudo bash captures/make-suites.sh
#
# OpenSSL 3 (s_server/s_client, @SECLEVEL=0): Camellia-CBC, ARIA-GCM, DHE-DSS (a throwaway DSA
# certificate), anonymous DH and ECDH (TLS 1.0 too: its implicit CBC IV), PSK, NULL with
# HMAC-SHA256 and HMAC-MD5. tlslite-ng (tlslite_pair.py, pip-installed for the run) for what
# Debian's OpenSSL 3 no longer speaks: SSL 3.0, RC4 and 3DES. Everything on 127.0.0.1.
set -euo pipefail
export LC_ALL=C
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT="$HERE/suites"
PKI="$HERE/pki"
[ "$(id -u)" = 0 ] || { echo "run as root (tcpdump on lo)" >&2; exit 1; }
[ -f "$PKI/server.pem" ] || { echo "no PKI in $PKI: run make.sh first" >&2; exit 1; }
mkdir -p "$OUT"
TMP=$(mktemp -d /tmp/tlstrace-suites.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap cleanup EXIT
log() { printf '== %s\n' "$*" >&2; }

if ! python3 -c 'import tlslite' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
    --target "$TMP/pylib" tlslite-ng
  export PYTHONPATH="$TMP/pylib"
fi

# A throwaway DSA certificate for DHE-DSS.
openssl dsaparam -out "$TMP/dsa.param" 2048 2>/dev/null
openssl gendsa -out "$TMP/dsa.key" "$TMP/dsa.param" 2>/dev/null
openssl req -new -x509 -key "$TMP/dsa.key" -out "$TMP/dsa.pem" -days 7300 -subj "/CN=dsa.test" \
  -sha256 2>/dev/null

PORT=22400
start_capture() {
  tcpdump -i lo -U --immediate-mode -s 0 -w "$TMP/$1.pcap" "tcp port $PORT" 2>"$TMP/$1.tcpdump" &
  TCPDUMP_PID=$!
  PIDS+=("$TCPDUMP_PID")
  for _ in $(seq 50); do
    grep -q 'listening on' "$TMP/$1.tcpdump" 2>/dev/null && break
    sleep 0.1
  done
}
stop_capture() {
  sleep 0.3
  kill -INT "$TCPDUMP_PID" 2>/dev/null || true
  wait "$TCPDUMP_PID" 2>/dev/null || true
  mv "$TMP/$1.pcap" "$OUT/$1.pcap"
  tshark -r "$OUT/$1.pcap" -o "tls.keylog_file:$OUT/$1.keys" -Y tls \
    -T fields -e frame.number -e tls.handshake.type -e tls.alert_message.desc \
    >"$OUT/$1.tshark.txt" 2>/dev/null || true
}

# openssl NAME CIPHER VERSION-FLAG [server options...] -- [client options...]
openssl_pair() {
  local name=$1 cipher=$2 vflag=$3
  shift 3
  local srv=() cli=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do srv+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  cli=("$@")
  PORT=$((PORT + 1))
  log "$name ($cipher)"
  start_capture "$name"
  timeout 20 openssl s_server -accept "$PORT" -naccept 1 -rev "$vflag" -cipher "$cipher:@SECLEVEL=0" \
    "${srv[@]}" >"$TMP/$name.server.log" 2>&1 &
  local spid=$!
  PIDS+=("$spid")
  sleep 0.5
  { printf 'ping\n'; sleep 1; } | timeout 20 openssl s_client -connect "127.0.0.1:$PORT" \
    "$vflag" -cipher "$cipher:@SECLEVEL=0" -keylogfile "$OUT/$name.keys" "${cli[@]}" \
    >"$TMP/$name.client.log" 2>&1 || true
  sleep 0.3
  kill "$spid" 2>/dev/null || true
  wait "$spid" 2>/dev/null || true
  grep -q '^pong\|^gnip' "$TMP/$name.client.log" || {
    tail -n 5 "$TMP/$name.client.log" "$TMP/$name.server.log" >&2
    echo "$name: no answer from the server" >&2
    exit 1
  }
  stop_capture "$name"
}

# tlslite NAME VERSION CIPHER MAC
tlslite_pair() {
  PORT=$((PORT + 1))
  log "$1 (tlslite-ng: SSL/TLS $2, $3, $4)"
  start_capture "$1"
  timeout 30 python3 "$HERE/tlslite_pair.py" --port "$PORT" --version "$2" --cipher "$3" \
    --mac "$4" --cert "$PKI/server.pem" --key "$PKI/server.key" --keylogfile "$OUT/$1.keys" >&2
  stop_capture "$1"
}

RSA=(-cert "$PKI/server.pem" -key "$PKI/server.key")
openssl_pair tls12-camellia128-sha256 CAMELLIA128-SHA256 -tls1_2 "${RSA[@]}"
openssl_pair tls12-ecdhe-rsa-camellia256-sha384 ECDHE-RSA-CAMELLIA256-SHA384 -tls1_2 "${RSA[@]}"
openssl_pair tls11-dhe-rsa-camellia128-sha DHE-RSA-CAMELLIA128-SHA -tls1_1 "${RSA[@]}"
openssl_pair tls12-aria128-gcm-sha256 ARIA128-GCM-SHA256 -tls1_2 "${RSA[@]}"
openssl_pair tls12-ecdhe-aria256-gcm-sha384 ECDHE-ARIA256-GCM-SHA384 -tls1_2 "${RSA[@]}"
openssl_pair tls12-dhe-dss-aes128-sha256 DHE-DSS-AES128-SHA256 -tls1_2 \
  -cert "$TMP/dsa.pem" -key "$TMP/dsa.key"
openssl_pair tls10-dhe-dss-camellia256-sha DHE-DSS-CAMELLIA256-SHA -tls1 \
  -cert "$TMP/dsa.pem" -key "$TMP/dsa.key"
openssl_pair tls10-aecdh-aes128-sha AECDH-AES128-SHA -tls1 -nocert
openssl_pair tls12-adh-camellia128-sha256 ADH-CAMELLIA128-SHA256 -tls1_2 -nocert
openssl_pair tls12-psk-aes128-cbc-sha256 PSK-AES128-CBC-SHA256 -tls1_2 -nocert \
  -psk 0123456789abcdef0123456789abcdef -- -psk 0123456789abcdef0123456789abcdef
# SRP: OpenSSL 3.0's s_server garbles the SRP user name ("User ... doesn't exist"), so there is
# no SRP capture here; SRP suites decrypt like any other once the master secret is logged.
openssl_pair tls12-null-sha256 NULL-SHA256 -tls1_2 "${RSA[@]}"
openssl_pair tls12-null-md5 NULL-MD5 -tls1_2 "${RSA[@]}"
tlslite_pair ssl3-3des-sha 3.0 3des sha
tlslite_pair ssl3-rc4-md5 3.0 rc4 md5
tlslite_pair tls10-rc4-sha 1.0 rc4 sha
tlslite_pair tls12-3des-sha 1.2 3des sha
tlslite_pair ssl3-null-md5 3.0 null md5
log "done: $(ls "$OUT"/*.pcap | wc -l) captures in $OUT"
