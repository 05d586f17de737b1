#!/usr/bin/env bash
# Captures of TLS 1.3 servers whose CertificateRequest is wrong (see README.md, "Server mistakes"):
# a tlslite-ng server (tlslite_server13.py, the message patched at run time) against real clients.
#   tls13-ca-list-extension-empty-go       certificate_authorities (47) with no names; Go client
#   tls13-ca-list-extension-empty-openssl  the same; openssl s_client
#   tls13-sigalgs-cert-unmet-openssl       signature_algorithms_cert (50) = ecdsa_secp521r1_sha512,
#                                          ed448 only (pki/ is RSA/SHA-256 signed); openssl s_client
#   tls13-sigalgs-cert-unmet-curl          the same; curl (OpenSSL)
#
#   sudo bash captures/make-mistakes.sh                               # all of them (needs pki/ from make.sh)
#   sudo ONLY='tls13-sigalgs-*' bash captures/make-mistakes.sh        # same ONLY patterns as make.sh
#
# Not run by make.sh. It reuses pki/ as it is; the Go client (stacks/go-client) is built into the
# temporary directory (as make-stacks.sh does). Ports 24001-24004. Same layout as make.sh's captures
# (NAME.pcap, .keys, .server.log, .client.log, .conv.txt, .tshark.json); NAME.keys is the client's
# key log (s_client -keylogfile, SSLKEYLOGFILE, go-client -keylog) plus the lines of the server's
# that the client did not write (noted in NAME.server.log). expected.py then rewrites expected.json
# and the README table.
set -euo pipefail
export LC_ALL=C DEBIAN_FRONTEND=noninteractive
export PYTHONDONTWRITEBYTECODE=1   # tlslite_server13.py imports bad_cv_client.py: no __pycache__ here

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$HERE"
PKI=pki                      # relative paths: they appear in the logs' command lines
ONLY=${ONLY:-*}
NAMES=(tls13-ca-list-extension-empty-go tls13-ca-list-extension-empty-openssl
       tls13-sigalgs-cert-unmet-openssl tls13-sigalgs-cert-unmet-curl)

SCRIPT=make-mistakes.sh
# shellcheck source=aux-common.sh
source "$HERE/aux-common.sh"

# ---------------------------------------------------------------------------------------------
# the clients: curl, and the Go client (go build, standard library only, GOCACHE and GOPATH in $TMP)
need=()
command -v curl >/dev/null || need+=(curl)
selected tls13-ca-list-extension-empty-go && ! command -v go >/dev/null && need+=(golang-go)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  apt_opts=(-o DPkg::Lock::Timeout=900 -y --no-install-recommends)
  apt-get "${apt_opts[@]}" install "${need[@]}" || {
    apt-get -o DPkg::Lock::Timeout=900 update
    apt-get "${apt_opts[@]}" install "${need[@]}"
  }
fi
GOVER=""
if selected tls13-ca-list-extension-empty-go; then
  GOVER=$(go version | cut -d' ' -f3)
  log "go build ./stacks/go-client ($GOVER)"
  mkdir -p "$TMP/go"
  (cd stacks && GOCACHE="$TMP/go/cache" GOPATH="$TMP/go/path" GOFLAGS=-mod=mod HOME="$TMP/go" CGO_ENABLED=0 \
     go build -o "$TMP/go-client" ./go-client) || die "go build go-client failed"
fi

# ---------------------------------------------------------------------------------------------
# capture plumbing (as in make-chains.sh)
CAP=""; CONN=0; TCPDUMP_PID=""
: >"$TMP/views"

wait_listen() {
  local port=$1 i
  for i in $(seq 1 200); do
    if ss -Hltn "sport = :$port" 2>/dev/null | grep -q LISTEN; then return 0; fi
    sleep 0.05
  done
  die "nothing listens on port $port"
}
reap() {  # pid [seconds]
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
port_free() { ! ss -Hltn "sport = :$1" | grep -q LISTEN || die "port $1 is already in use"; }
tidy() {
  sed -e '/^-----BEGIN/,/^-----END/d' -e '/^ *[0-9]\+ \(items in the session cache\|client \|server \|session cache\|callback cache\|cache full\)/d' "$@"
}
msgs() { grep -E '^(<<<|>>>)' "$@" | grep -vE 'RecordHeader|InnerContent' || true; }
has_secrets() { [ -f "$1" ] && grep -qvE '^(#|$)' "$1"; }
shown() { local s="$*"; s=${s//$TMP\/$CAP.$CONN./$CAP.}; echo "${s//$TMP\//}"; }

cap_begin() {  # NAME PORT DESCRIPTION
  CAP=$1; CONN=0
  local port=$2
  : >"$TMP/$CAP.keys"
  echo "## capture $CAP: $3" | tee "$TMP/$CAP.client.log" >"$TMP/$CAP.server.log"
  port_free "$port"
  log "$CAP"
  tcpdump -i lo -U --immediate-mode -Z root -s 0 -w "$TMP/$CAP.raw" "tcp port $port" 2>"$TMP/$CAP.tcpdump" &
  TCPDUMP_PID=$!; PIDS+=("$TCPDUMP_PID")
  local i
  for i in $(seq 1 100); do
    grep -q 'listening on' "$TMP/$CAP.tcpdump" 2>/dev/null && break
    kill -0 "$TCPDUMP_PID" 2>/dev/null || die "tcpdump failed: $(cat "$TMP/$CAP.tcpdump")"
    sleep 0.05
  done
  sleep 0.2
}

cap_end() {
  sleep 0.3                                      # let the last FIN/ACKs reach the capture
  kill -INT "$TCPDUMP_PID" 2>/dev/null || true   # tcpdump flushes and closes the file on SIGINT
  reap "$TCPDUMP_PID" 5
  grep -q 'packets captured' "$TMP/$CAP.tcpdump" || die "tcpdump for $CAP did not stop cleanly"
  has_secrets "$TMP/$CAP.keys" || die "$CAP: no key log"
  cp "$TMP/$CAP.raw" "$CAP.pcap"
  cp "$TMP/$CAP.server.log" "$CAP.server.log"
  cp "$TMP/$CAP.client.log" "$CAP.client.log"
  cp "$TMP/$CAP.keys" "$CAP.keys"
  echo "$CAP.pcap $CAP.keys" >>"$TMP/views"
}

# the client's key log, then the server's lines it lacks (Go and an aborted handshake: no traffic
# secrets on the client side; tlslite_server13.py writes no EXPORTER_SECRET). A secret both wrote
# must be the same.
merge_keys() {  # client-keys server-keys
  [ -s "$1" ] && cat "$1" >>"$TMP/$CAP.keys"
  local l extra=0
  while read -r l; do
    case $l in '#'*|'') continue ;; esac
    grep -qxF "$l" "$TMP/$CAP.keys" && continue
    ! grep -q "^${l% *} " "$TMP/$CAP.keys" || die "$CAP: client and server disagree on ${l% *}"
    echo "$l" >>"$TMP/$CAP.keys"; extra=$((extra + 1))
  done <"$2"
  [ $extra = 0 ] || echo "--- $extra line(s) of the server's key log were not in the client's; added to $CAP.keys" >>"$TMP/$CAP.server.log"
}

CLIENT_BASE=(-servername server.test -CAfile "$PKI/root.pem" -no-CApath -no-CAstore -verify_return_error -brief -tls1_3)
good=(-cert "$PKI/client-good.pem" -key "$PKI/client-good.key" -cert_chain "$PKI/intermediate.pem")
hello_input() { echo hello; sleep 0.6; }

# one tlslite_server13.py connection (MISTAKE=(its options)) with one client: openssl | curl | go
conn() {  # desc port client
  local desc=$1 port=$2 client=$3
  CONN=$((CONN + 1))
  local b="$TMP/$CAP.$CONN"
  local srv=(python3 tlslite_server13.py --port "$port" --chain "$PKI/server.pem" "$PKI/intermediate.pem"
             --key "$PKI/server.key" "${MISTAKE[@]}")
  timeout 60 "${srv[@]}" --keylogfile "$b.server-keys" </dev/null >"$b.sout" 2>&1 &
  local spid=$!; PIDS+=("$spid")
  wait_listen "$port"
  local cli shown_cli
  case $client in
    openssl)
      cli=(openssl s_client -connect "127.0.0.1:$port" "${CLIENT_BASE[@]}" "${good[@]}")
      hello_input | timeout 30 "${cli[@]}" -keylogfile "$b.keys" -msg -msgfile "$b.cmsg" >"$b.cout" 2>&1 || true
      shown_cli="(echo hello; sleep 0.6) | ${cli[*]} -keylogfile $CAP.keys -msg" ;;
    curl)
      cli=(curl -sS -v --max-time 20 --http1.1 --tlsv1.3 --tls-max 1.3 --cacert "$PKI/root.pem"
           --resolve "server.test:$port:127.0.0.1" --cert "$PKI/client-good.chain.pem" --key "$PKI/client-good.key"
           "https://server.test:$port/")
      SSLKEYLOGFILE="$b.keys" timeout 30 "${cli[@]}" >"$b.body" 2>"$b.cout" || true
      shown_cli="SSLKEYLOGFILE=$CAP.keys ${cli[*]}" ;;
    go)
      cli=("$TMP/go-client" -addr "127.0.0.1:$port" -servername server.test -cafile "$PKI/root.pem" -tls 1.3
           -cert "$PKI/client-good.chain.pem" -key "$PKI/client-good.key" -keylog "$b.keys")
      timeout 30 "${cli[@]}" >"$b.cout" 2>&1 </dev/null || true
      shown_cli="$(shown "${cli[*]}")   # go build ./stacks/go-client ($GOVER)" ;;
  esac
  reap "$spid" 10
  {
    echo "### connection $CONN: $desc (port $port)"
    echo "\$ ${srv[*]} --keylogfile $CAP.server-keys"
    cat "$b.sout"
  } >>"$TMP/$CAP.server.log"
  {
    echo "### connection $CONN: $desc (port $port)"
    echo "\$ $shown_cli"
    case $client in
      openssl)
        tidy "$b.cout"
        echo "--- openssl -msg: protocol messages sent (>>>) and received (<<<)"
        msgs "$b.cmsg" ;;
      curl)
        grep -vE '^\* +(CAfile|CApath)|^\{ \[|^} \[|^\* Expire|^\* Connection #0 to host' "$b.cout" || true
        echo "--- response body"
        cat "$b.body" ;;
      go) cat "$b.cout" ;;
    esac
  } >>"$TMP/$CAP.client.log"
  [ -s "$b.server-keys" ] || die "$CAP: tlslite_server13.py wrote no key log"
  merge_keys "$b.keys" "$b.server-keys"
  MISTAKE=()
}

# ---------------------------------------------------------------------------------------------
P1=24001 P2=24002 P3=24003 P4=24004
TLSLITE_VER=$(python3 -c 'import tlslite; print(tlslite.__version__)')
EMPTY="tlslite-ng $TLSLITE_VER server (tlslite_server13.py --ca-list-empty) sends a CertificateRequest with a certificate_authorities extension (47) holding no names (extension data 00 00; RFC 8446 4.2.4 requires at least one)"
UNMET="tlslite-ng $TLSLITE_VER server (tlslite_server13.py --sigalgs-cert 0x0603,0x0808) sends a CertificateRequest whose signature_algorithms_cert (50) lists only ecdsa_secp521r1_sha512 and ed448, which no certificate of client-good's chain (RSA, sha256WithRSAEncryption) is signed with; signature_algorithms (13) as usual"

if selected tls13-ca-list-extension-empty-go; then
  d="$EMPTY; the Go ${GOVER#go} crypto/tls client (stacks/go-client, client-good + intermediate in tls.Config.Certificates)"
  cap_begin tls13-ca-list-extension-empty-go $P1 "TLS 1.3: $d"
  MISTAKE=(--ca-list-empty)
  conn "$d" $P1 go
  cap_end
fi

if selected tls13-ca-list-extension-empty-openssl; then
  d="$EMPTY; openssl s_client with client-good + intermediate"
  cap_begin tls13-ca-list-extension-empty-openssl $P2 "TLS 1.3: $d"
  MISTAKE=(--ca-list-empty)
  conn "$d" $P2 openssl
  cap_end
fi

if selected tls13-sigalgs-cert-unmet-openssl; then
  d="$UNMET; openssl s_client with client-good + intermediate"
  cap_begin tls13-sigalgs-cert-unmet-openssl $P3 "TLS 1.3: $d"
  MISTAKE=(--sigalgs-cert 0x0603,0x0808)
  conn "$d" $P3 openssl
  cap_end
fi

if selected tls13-sigalgs-cert-unmet-curl; then
  d="$UNMET; curl (OpenSSL) with --cert pki/client-good.chain.pem"
  cap_begin tls13-sigalgs-cert-unmet-curl $P4 "TLS 1.3: $d"
  MISTAKE=(--sigalgs-cert 0x0603,0x0808)
  conn "$d" $P4 curl
  cap_end
fi

# ---------------------------------------------------------------------------------------------
log "tshark views"
while read -r f k; do
  n=${f%.pcap}
  tshark -n -r "$f" -q -z conv,tcp >"$n.conv.txt" 2>/dev/null
  python3 tshark_view.py "$f" --keylog "$k" --out "$n.tshark.json"
done <"$TMP/views"

log "checks"
expect() {  # name description command...
  local name=$1 what=$2; shift 2
  "$@" || die "$name: $what"
}
has() { grep -qE -- "$2" "$1"; }           # file regex
lacks() { ! has "$@"; }
# the CertificateRequest on the wire, as tshark decrypts it: "TYPE:LENGTH ..." of its extensions,
# then "dnames=N" (certificate_authorities' list length) and "cert=SCHEMES" (signature_algorithms_cert)
# when present. Fields are per frame, and the frame also holds EncryptedExtensions (ALPN, 16, for
# curl) and the server's CertificateVerify: tshark lists the schemes of signature_algorithms,
# signature_algorithms_cert and CertificateVerify in one field, in that order (the lengths say where
# each list ends).
cr_view() {
  tshark -n -r "$1.pcap" -o "tls.keylog_file:$1.keys" -Y "tls.handshake.type == 13" -T fields -E occurrence=a \
    -E aggregator=' ' -e tls.handshake.extension.type -e tls.handshake.extension.len -e tls.handshake.dnames_len \
    -e tls.handshake.sig_hash_alg_len -e tls.handshake.sig_hash_alg 2>/dev/null |
    awk -F'\t' '{ n = split($1, t, " "); split($2, l, " "); split($4, sl, " "); split($5, a, " ")
                  for (i = 1; i <= n; i++) printf "%s%s:%s", (i > 1 ? " " : ""), t[i], l[i]
                  if ($3 != "") printf " dnames=%s", $3
                  if (sl[2] != "") { k = sl[1] / 2; printf " cert="; for (i = 1; i <= sl[2] / 2; i++) printf "%s%s", (i > 1 ? "," : ""), a[k + i] }
                  print "" }'
}
# the number of certificates in the client's Certificate message (tshark), "" if it sent none
client_certs() {
  tshark -n -r "$1.pcap" -o "tls.keylog_file:$1.keys" -Y "tls.handshake.type == 11 && tcp.dstport == $2" -T fields \
    -e tls.handshake.certificates_length 2>/dev/null
}
alerts() {  # "from:description" for every alert tshark decrypts
  tshark -n -r "$1.pcap" -o "tls.keylog_file:$1.keys" -Y tls.alert_message -T fields \
    -e tcp.dstport -e tls.alert_message.desc 2>/dev/null |
    awk -v p="$2" '{ printf "%s%s:%s", (NR > 1 ? " " : ""), ($1 == p ? "client" : "server"), $2 }'
}
check() {
  local n=$1 port=$2
  selected "$n" || return 0
  local s="$n.server.log" c="$n.client.log" ext
  [ "$(stat -c %s "$n.pcap")" -lt 65536 ] || die "$n.pcap is 64 KiB or more"
  ext=$(cr_view "$n")
  case $n in
    tls13-ca-list-extension-empty-*)
      expect "$n" "the CertificateRequest on the wire has no empty certificate_authorities (tshark: '$ext')" \
        grep -qE '^(16:[0-9]+ )?13:30 47:2 dnames=0$' <<<"$ext" ;;
    tls13-sigalgs-cert-unmet-*)
      expect "$n" "the CertificateRequest on the wire has no signature_algorithms_cert 0603,0808 (tshark: '$ext')" \
        grep -qE '^(16:[0-9]+ )?13:30 50:6 cert=0x0603,0x0808$' <<<"$ext" ;;
  esac
  case $n in
    tls13-ca-list-extension-empty-go)
      expect "$n" "the Go client did not fail the handshake" has "$c" '^error: handshake: '
      expect "$n" "the server got no alert" has "$s" '^error: TLSRemoteAlert: fatal '
      expect "$n" "the server got a client Certificate" lacks "$s" '^received: certificate$'
      expect "$n" "tshark shows no alert from the client" grep -qE '(^| )client:' <<<"$(alerts "$n" "$port")" ;;
    tls13-ca-list-extension-empty-openssl)
      expect "$n" "the server did not get client-good" has "$s" '^handshake done: .*CN=client-good$'
      expect "$n" "s_client did not get its line back" has "$c" '^olleh$'
      expect "$n" "tshark: the client's Certificate is empty" test -n "$(client_certs "$n" "$port" | grep -v '^0$')" ;;
    tls13-sigalgs-cert-unmet-*)
      expect "$n" "the server got a client certificate" has "$s" '^handshake done: .*; client certificate: none$'
      expect "$n" "tshark: the client's Certificate is not empty" test "$(client_certs "$n" "$port")" = 0 ;;
  esac
}
check tls13-ca-list-extension-empty-go $P1
check tls13-ca-list-extension-empty-openssl $P2
check tls13-sigalgs-cert-unmet-openssl $P3
check tls13-sigalgs-cert-unmet-curl $P4

log "expected.json and README table"
python3 expected.py
