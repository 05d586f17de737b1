#!/usr/bin/env bash
# Captures of mTLS against more TLS stacks than make.sh's OpenSSL, nginx and GnuTLS (see README.md,
# "Stack captures"): each stack as a server (with curl or s_client as the client) or as a client
# (against openssl s_server -Verify 2), in the four cases ok / no client certificate / unknown CA /
# expired, TLS 1.3 and TLS 1.2:
#   go-server-*       Go crypto/tls + net/http server, RequireAndVerifyClientCert     (stacks/go-server)
#   go-client-*       Go crypto/tls client                                          (stacks/go-client)
#   node-server-*     Node.js https server, requestCert + rejectUnauthorized: true  (stacks/node)
#   node-app-*        the same with rejectUnauthorized: false; the handler answers 401/403 itself
#   jsse-server-*     Java 17 JSSE SSLServerSocket, setNeedClientAuth(true)        (stacks/jsse)
#   jsse-client-*     Java 17 JSSE client                                           (stacks/jsse)
#   python-server-*   Python 3 ssl server, CERT_REQUIRED                            (stacks/python)
#   python-pha-*      Python 3 ssl server, TLS 1.3 post-handshake auth (verify_client_post_handshake)
#
#   sudo bash captures/make-stacks.sh                     # all of them (needs pki/ from make.sh)
#   sudo ONLY='go-*' bash captures/make-stacks.sh         # same ONLY patterns as make.sh
#
# It reuses pki/ as it is. The Go programs are built (go build, standard library only, GOCACHE and
# GOPATH in the temporary directory) and the Java ones compiled (javac) at each run; the Java key
# and trust stores are made from pki/ with openssl pkcs12 and keytool in the temporary directory.
# Ports 23000-23499. Same layout as make.sh's captures (NAME.pcap, .keys, .server.log,
# .client.log, .conv.txt, .tshark.json); expected.py then rewrites expected.json and the README
# table.
set -euo pipefail
export LC_ALL=C DEBIAN_FRONTEND=noninteractive
export PYTHONDONTWRITEBYTECODE=1

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$HERE"
PKI=pki                      # relative paths: they appear in the logs' command lines
ONLY=${ONLY:-*}
CASES=(mtls-ok no-client-cert unknown-ca expired)
NAMES=()
for s in go-server go-client node-server node-app jsse-server jsse-client python-server; do
  for v in tls13 tls12; do
    for c in "${CASES[@]}"; do NAMES+=("$s-$v-$c"); done
  done
done
NAMES+=(go-client-tls13-unknown-ca-forced go-client-tls12-unknown-ca-forced)
for c in "${CASES[@]}"; do NAMES+=("python-pha-tls13-$c"); done

SCRIPT=make-stacks.sh
# shellcheck source=aux-common.sh
source "$HERE/aux-common.sh"
T0=$(date +%s)

# ---------------------------------------------------------------------------------------------
# dependencies of the stacks (aux-common.sh installed tcpdump, tshark, openssl, ...)
any_selected() { local n; for n in "${NAMES[@]}"; do [[ $n == $1 ]] && selected "$n" && return 0; done; return 1; }
need=()
command -v curl >/dev/null || need+=(curl)
any_selected 'go-*' && ! command -v go >/dev/null && need+=(golang-go)
any_selected 'node-*' && ! command -v node >/dev/null && need+=(nodejs)
if any_selected 'jsse-*' && ! { command -v javac >/dev/null && command -v keytool >/dev/null; }; then need+=(openjdk-17-jdk-headless); fi
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  apt_opts=(-o DPkg::Lock::Timeout=900 -y --no-install-recommends)
  apt-get "${apt_opts[@]}" install "${need[@]}" || {
    apt-get -o DPkg::Lock::Timeout=900 update
    apt-get "${apt_opts[@]}" install "${need[@]}"
  }
fi

# ---------------------------------------------------------------------------------------------
# build the programs (into $TMP; their logged command lines show them without the directory)
if any_selected 'go-*'; then
  log "go build ($(go version | cut -d' ' -f3))"
  mkdir -p "$TMP/go"
  for p in go-server go-client; do
    (cd stacks && GOCACHE="$TMP/go/cache" GOPATH="$TMP/go/path" GOFLAGS=-mod=mod HOME="$TMP/go" CGO_ENABLED=0 \
       go build -o "$TMP/$p" "./$p") || die "go build $p failed"
  done
fi
JPW=changeit
if any_selected 'jsse-*'; then
  log "javac, key stores"
  mkdir -p "$TMP/java"
  javac -d "$TMP/java" stacks/jsse/JsseServer.java stacks/jsse/JsseClient.java || die "javac failed"
  # key stores: PKCS#12 (openssl pkcs12 -export: key + leaf + chain); trust store: the root (keytool)
  p12() {  # name certfile keyfile [chainfile]
    openssl pkcs12 -export -name "$1" -in "$2" -inkey "$3" ${4:+-certfile "$4"} -passout "pass:$JPW" -out "$TMP/java/$1.p12"
  }
  p12 server "$PKI/server.pem" "$PKI/server.key" "$PKI/intermediate.pem"
  p12 client-good "$PKI/client-good.pem" "$PKI/client-good.key" "$PKI/intermediate.pem"
  p12 client-expired "$PKI/client-expired.pem" "$PKI/client-expired.key" "$PKI/intermediate.pem"
  p12 client-unrelated "$PKI/client-unrelated.pem" "$PKI/client-unrelated.key" "$PKI/unrelated.pem"
  keytool -importcert -noprompt -alias root -file "$PKI/root.pem" -keystore "$TMP/java/trust.p12" \
    -storetype PKCS12 -storepass "$JPW" >/dev/null 2>&1 || die "keytool failed"
fi

# ---------------------------------------------------------------------------------------------
# capture plumbing (as in make-extra.sh)
CAP=""; CONN=0; TCPDUMP_PID=""
: >"$TMP/views"

wait_listen() {
  local port=$1 i
  for i in $(seq 1 300); do
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
shown() {  # a command line as logged: no temporary directory, per-connection files named after the capture
  local s="$*"
  s=${s//$TMP\/$CAP.$CONN./$CAP.}; s=${s//$TMP\/java\//}; s=${s//$TMP\/java/.}
  echo "${s//$TMP\//}"
}

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
  cp "$TMP/$CAP.raw" "$CAP.pcap"
  cp "$TMP/$CAP.server.log" "$CAP.server.log"
  cp "$TMP/$CAP.client.log" "$CAP.client.log"
  [ -s "$TMP/$CAP.keys" ] || die "$CAP: no key log"
  cp "$TMP/$CAP.keys" "$CAP.keys"
  echo "$CAP.pcap $CAP.keys" >>"$TMP/views"
}

# the capture's key log: the client's lines, then any line of the server's own key log that the
# client's lacks (logged in the server log: normally none)
merge_keys() {  # client-keys server-keys
  [ -s "$1" ] && cat "$1" >>"$TMP/$CAP.keys"
  [ -s "${2:-}" ] || return 0
  local l extra=0
  while read -r l; do
    case $l in '#'*|''|EXPORTER_SECRET*) continue ;; esac   # Go and curl do not log the exporter secret
    if ! grep -qxF "$l" "$TMP/$CAP.keys"; then echo "$l" >>"$TMP/$CAP.keys"; extra=$((extra + 1)); fi
  done <"$2"
  [ $extra = 0 ] || echo "--- $extra line(s) of the server's key log were not in the client's; added to $CAP.keys" >>"$TMP/$CAP.server.log"
}

case_desc() {  # case -> what the client sends
  case $1 in
    mtls-ok) echo "client-good with its intermediate" ;;
    no-client-cert) echo "no client certificate" ;;
    unknown-ca) echo "client-unrelated (issued by the Unrelated CA)" ;;
    expired) echo "client-expired (2020-2021) with its intermediate" ;;
  esac
}
# curl's --cert/--key for a case (PEM files: leaf + intermediate where there is one)
curl_cert() {
  case $1 in
    mtls-ok) echo "--cert $PKI/client-good.chain.pem --key $PKI/client-good.key" ;;
    no-client-cert) ;;
    unknown-ca) echo "--cert $PKI/client-unrelated.pem --key $PKI/client-unrelated.key" ;;
    expired) echo "--cert $PKI/client-expired.chain.pem --key $PKI/client-expired.key" ;;
  esac
}

# one server program (SRVCMD, its own key log option in SRVKEYLOG) + one curl GET
conn_curl() {  # desc port tls(1.2|1.3) case logged-server-command-suffix
  local desc=$1 port=$2 ver=$3 cs=$4 note=${5:-}
  CONN=$((CONN + 1))
  local b="$TMP/$CAP.$CONN"
  local srv=("${SRVCMD[@]}")
  [ -n "${SRVKEYLOG:-}" ] && srv+=("$SRVKEYLOG" "$b.server-keys")
  timeout 60 "${srv[@]}" </dev/null >"$b.sout" 2>&1 &
  local spid=$!; PIDS+=("$spid")
  wait_listen "$port"
  local cli=(curl -sS -v --max-time 20 --http1.1 --tlsv"$ver" --tls-max "$ver" --cacert "$PKI/root.pem"
             --resolve "server.test:$port:127.0.0.1")
  # shellcheck disable=SC2207
  cli+=($(curl_cert "$cs") "https://server.test:$port/")
  SSLKEYLOGFILE="$b.keys" timeout 30 "${cli[@]}" >"$b.body" 2>"$b.cout" || true
  reap "$spid" 10
  {
    echo "### connection $CONN: $desc (port $port)"
    echo "\$ $(shown "${srv[*]}")${note:+   # $note}"
    cat "$b.sout"
  } >>"$TMP/$CAP.server.log"
  {
    echo "### connection $CONN: $desc (port $port)"
    echo "\$ SSLKEYLOGFILE=$CAP.keys ${cli[*]}"
    grep -vE '^\* +(CAfile|CApath)|^\{ \[|^} \[|^\* Expire|^\* Connection #0 to host' "$b.cout" || true
    echo "--- response body"
    cat "$b.body"
  } >>"$TMP/$CAP.client.log"
  merge_keys "$b.keys" "$b.server-keys"
}

# openssl s_server -Verify 2 (make.sh's options, -rev) + one client program (CLICMD, which writes
# its key log to the file given after CLIKEYLOG)
SERVER_BASE=(-cert "$PKI/server.pem" -cert_chain "$PKI/intermediate.pem" -key "$PKI/server.key" -no-CApath -no-CAstore)
REQ=(-Verify 2 -verify_return_error -CAfile "$PKI/root.pem")
log_openssl_server() {  # desc port "cmd" sout smsg
  {
    echo "### connection $CONN: $1 (port $2)"
    echo "\$ $3"
    tidy "$4"
    echo "--- openssl -msg: protocol messages sent (>>>) and received (<<<)"
    msgs "$5"
  } >>"$TMP/$CAP.server.log"
}
conn_sserver() {  # desc port tls(1.2|1.3) logged-client-command-suffix
  local desc=$1 port=$2 ver=$3 note=${4:-}
  CONN=$((CONN + 1))
  local b="$TMP/$CAP.$CONN"
  local srv=(openssl s_server -accept "127.0.0.1:$port" -naccept 1 "${SERVER_BASE[@]}" "${REQ[@]}" "-tls1_${ver#1.}" -brief -rev)
  timeout 60 "${srv[@]}" -msg -msgfile "$b.smsg" -keylogfile "$b.server-keys" </dev/null >"$b.sout" 2>&1 &
  local spid=$!; PIDS+=("$spid")
  wait_listen "$port"
  local cli=("${CLICMD[@]}")
  [ -n "${CLIKEYLOG:-}" ] && cli+=("$CLIKEYLOG" "$b.keys")
  timeout 30 "${cli[@]}" >"$b.cout" 2>&1 </dev/null || true
  reap "$spid" 10
  log_openssl_server "$desc" "$port" "${srv[*]} -msg -keylogfile $CAP.server-keys" "$b.sout" "$b.smsg"
  {
    echo "### connection $CONN: $desc (port $port)"
    echo "\$ $(shown "${cli[*]}")${note:+   # $note}"
    cat "$b.cout"
  } >>"$TMP/$CAP.client.log"
  # the client's key log if it has one (Go), else s_server's (JSSE has none)
  if [ -s "$b.keys" ]; then merge_keys "$b.keys" "$b.server-keys"; else cat "$b.server-keys" >>"$TMP/$CAP.keys"; fi
}

# python-pha: Python server (--pha) + openssl s_client -enable_pha -msg; two lines from the client
pha_input() { echo hello; sleep 1.5; echo after-pha; sleep 1; }
conn_pha() {  # desc port case
  local desc=$1 port=$2 cs=$3
  CONN=$((CONN + 1))
  local b="$TMP/$CAP.$CONN"
  local srv=(python3 stacks/python/server.py --port "$port" --tls 1.3 --pha)
  timeout 60 "${srv[@]}" --keylogfile "$b.server-keys" </dev/null >"$b.sout" 2>&1 &
  local spid=$!; PIDS+=("$spid")
  wait_listen "$port"
  local cli=(openssl s_client -connect "127.0.0.1:$port" -servername server.test -CAfile "$PKI/root.pem" -no-CApath -no-CAstore
             -verify_return_error -brief -tls1_3 -enable_pha)
  case $cs in
    mtls-ok) cli+=(-cert "$PKI/client-good.pem" -key "$PKI/client-good.key" -cert_chain "$PKI/intermediate.pem") ;;
    unknown-ca) cli+=(-cert "$PKI/client-unrelated.pem" -key "$PKI/client-unrelated.key") ;;
    expired) cli+=(-cert "$PKI/client-expired.pem" -key "$PKI/client-expired.key" -cert_chain "$PKI/intermediate.pem") ;;
  esac
  pha_input | timeout 30 "${cli[@]}" -keylogfile "$b.keys" -msg -msgfile "$b.cmsg" >"$b.cout" 2>&1 || true
  reap "$spid" 10
  {
    echo "### connection $CONN: $desc (port $port)"
    echo "\$ ${srv[*]} --keylogfile $CAP.server-keys"
    cat "$b.sout"
  } >>"$TMP/$CAP.server.log"
  {
    echo "### connection $CONN: $desc (port $port)"
    echo "\$ (echo hello; sleep 1.5; echo after-pha; sleep 1) | ${cli[*]} -keylogfile $CAP.keys -msg"
    tidy "$b.cout"
    echo "--- openssl -msg: protocol messages sent (>>>) and received (<<<)"
    msgs "$b.cmsg"
  } >>"$TMP/$CAP.client.log"
  merge_keys "$b.keys" "$b.server-keys"
}

# ---------------------------------------------------------------------------------------------
# the captures. Ports: 23000 + 50 * stack + 10 * (tls12) + case number (1..4, 5 = forced)
port_of() {  # stack-index version case
  local c
  case $3 in mtls-ok) c=1 ;; no-client-cert) c=2 ;; unknown-ca) c=3 ;; expired) c=4 ;; unknown-ca-forced) c=5 ;; esac
  echo $((23000 + 50 * $1 + ( $2 == 12 ? 10 : 0 ) + c))
}
GOVER=$(go version 2>/dev/null | cut -d' ' -f3 || true)

for v in 13 12; do
  for cs in "${CASES[@]}"; do
    # Go server + curl
    name="go-server-tls$v-$cs"
    if selected "$name"; then
      port=$(port_of 0 $v "$cs")
      d="Go $GOVER crypto/tls + net/http server (RequireAndVerifyClientCert, ClientCAs root + intermediate), curl sends $(case_desc "$cs")"
      cap_begin "$name" "$port" "TLS 1.${v#1}: $d"
      SRVCMD=("$TMP/go-server" -addr "127.0.0.1:$port" -tls "1.${v#1}" -cert "$PKI/server.chain.pem" -key "$PKI/server.key"
              -client-cas "$PKI/root.pem,$PKI/intermediate.pem"); SRVKEYLOG=-keylog
      conn_curl "$d" "$port" "1.${v#1}" "$cs" "go build ./stacks/go-server ($GOVER)"
      cap_end
    fi
    # Node server (rejectUnauthorized true / false) + curl
    for m in reject app; do
      if [ $m = reject ]; then name="node-server-tls$v-$cs"; si=2; else name="node-app-tls$v-$cs"; si=3; fi
      selected "$name" || continue
      port=$(port_of $si $v "$cs")
      if [ $m = reject ]; then
        d="Node $(node --version) https server (requestCert: true, rejectUnauthorized: true, ca root), curl sends $(case_desc "$cs")"
      else
        d="Node $(node --version) https server (requestCert: true, rejectUnauthorized: false; the handler checks req.socket.authorized and answers 401/403 itself), curl sends $(case_desc "$cs")"
      fi
      cap_begin "$name" "$port" "TLS 1.${v#1}: $d"
      SRVCMD=(node stacks/node/server.js --port "$port" --tls "1.${v#1}" --mode "$m" --cert "$PKI/server.chain.pem"
              --key "$PKI/server.key" --cafile "$PKI/root.pem"); SRVKEYLOG=--keylog
      conn_curl "$d" "$port" "1.${v#1}" "$cs"
      cap_end
    done
    # JSSE server + curl
    name="jsse-server-tls$v-$cs"
    if selected "$name"; then
      port=$(port_of 4 $v "$cs")
      d="Java $(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.version = //p') JSSE SSLServerSocket (setNeedClientAuth(true), trust store: the root), curl sends $(case_desc "$cs")"
      cap_begin "$name" "$port" "TLS 1.${v#1}: $d"
      SRVCMD=(java -cp "$TMP/java" JsseServer "$port" "TLSv1.${v#1}" "$TMP/java/server.p12" "$TMP/java/trust.p12" "$JPW"); SRVKEYLOG=""
      conn_curl "$d" "$port" "1.${v#1}" "$cs" "javac stacks/jsse/JsseServer.java; server.p12: openssl pkcs12 -export of pki/server.pem + key + intermediate; trust.p12: keytool -importcert pki/root.pem"
      cap_end
    fi
    # Python ssl server + curl
    name="python-server-tls$v-$cs"
    if selected "$name"; then
      port=$(port_of 6 $v "$cs")
      d="Python $(python3 -c 'import sys; print(sys.version.split()[0])') ssl server (CERT_REQUIRED, load_verify_locations root), curl sends $(case_desc "$cs")"
      cap_begin "$name" "$port" "TLS 1.${v#1}: $d"
      SRVCMD=(python3 stacks/python/server.py --port "$port" --tls "1.${v#1}" --cert "$PKI/server.chain.pem" --key "$PKI/server.key"
              --cafile "$PKI/root.pem"); SRVKEYLOG=--keylogfile
      conn_curl "$d" "$port" "1.${v#1}" "$cs"
      cap_end
    fi
  done

  # Go client + s_server
  for cs in "${CASES[@]}" unknown-ca-forced; do
    name="go-client-tls$v-$cs"
    selected "$name" || continue
    port=$(port_of 1 $v "$cs")
    c=${cs%-forced}
    d="Go $GOVER crypto/tls client (stacks/go-client) sends $(case_desc "$c") to openssl s_server -Verify 2"
    [ "$cs" = unknown-ca-forced ] && d="$d; -force: tls.Config.GetClientCertificate returns it even though the CertificateRequest's CA names do not match"
    [ "$cs" = unknown-ca ] && d="$d from tls.Config.Certificates (Go picks a certificate only if the CertificateRequest's CA names match it)"
    cap_begin "$name" "$port" "TLS 1.${v#1}: $d"
    CLICMD=("$TMP/go-client" -addr "127.0.0.1:$port" -servername server.test -cafile "$PKI/root.pem" -tls "1.${v#1}")
    case $c in
      mtls-ok) CLICMD+=(-cert "$PKI/client-good.chain.pem" -key "$PKI/client-good.key") ;;
      unknown-ca) CLICMD+=(-cert "$PKI/client-unrelated.pem" -key "$PKI/client-unrelated.key") ;;
      expired) CLICMD+=(-cert "$PKI/client-expired.chain.pem" -key "$PKI/client-expired.key") ;;
    esac
    [ "$cs" = unknown-ca-forced ] && CLICMD+=(-force)
    CLIKEYLOG=-keylog
    conn_sserver "$d" "$port" "1.${v#1}" "go build ./stacks/go-client ($GOVER)"
    cap_end
  done

  # JSSE client + s_server
  for cs in "${CASES[@]}"; do
    name="jsse-client-tls$v-$cs"
    selected "$name" || continue
    port=$(port_of 5 $v "$cs")
    d="Java JSSE client (stacks/jsse/JsseClient.java, PKIX key manager) with $(case_desc "$cs") in its key store, to openssl s_server -Verify 2"
    cap_begin "$name" "$port" "TLS 1.${v#1}: $d"
    CLICMD=(java -cp "$TMP/java" JsseClient 127.0.0.1 "$port" "TLSv1.${v#1}" "$TMP/java/trust.p12" "$JPW")
    case $cs in
      mtls-ok) CLICMD+=("$TMP/java/client-good.p12") ;;
      unknown-ca) CLICMD+=("$TMP/java/client-unrelated.p12") ;;
      expired) CLICMD+=("$TMP/java/client-expired.p12") ;;
    esac
    CLIKEYLOG=""
    conn_sserver "$d" "$port" "1.${v#1}" "javac stacks/jsse/JsseClient.java; client-*.p12: openssl pkcs12 -export of the pki/ leaf + key + its issuer; JSSE has no key log: $CAP.keys is s_server's"
    cap_end
  done
done

# Python post-handshake auth + s_client -enable_pha
for cs in "${CASES[@]}"; do
  name="python-pha-tls13-$cs"
  selected "$name" || continue
  port=$(port_of 7 13 "$cs")
  d="Python $(python3 -c 'import sys; print(sys.version.split()[0])') ssl server, TLS 1.3 post-handshake auth (CERT_REQUIRED + post_handshake_auth; after the first line it calls verify_client_post_handshake(), writes a line, reads again); openssl s_client -enable_pha with $(case_desc "$cs")"
  cap_begin "$name" "$port" "TLS 1.3: $d"
  conn_pha "$d" "$port" "$cs"
  cap_end
done

# ---------------------------------------------------------------------------------------------
log "tshark views"
while read -r f k; do
  n=${f%.pcap}
  tshark -n -r "$f" -q -z conv,tcp >"$n.conv.txt" 2>/dev/null
  python3 tshark_view.py "$f" --keylog "$k" --out "$n.tshark.json"
done <"$TMP/views"

log "checks"
for n in "${NAMES[@]}"; do
  selected "$n" || continue
  [ "$(stat -c %s "$n.pcap")" -lt 1048576 ] || die "$n.pcap is 1 MiB or more"
  case $n in
    *-mtls-ok) grep -q '^client certificate verified: \|^Peer certificate: .*CN = client-good\|^Verification: OK' "$n.server.log" ||
                 die "$n: the server did not accept client-good" ;;
    *) ! grep -q '^client certificate verified: ' "$n.server.log" || die "$n: the server accepted the client" ;;
  esac
done

log "expected.json and README table"
python3 expected.py
log "done in $(( $(date +%s) - T0 ))s"
