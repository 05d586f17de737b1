#!/usr/bin/env bash
# Captures of more TLS server stacks doing mTLS with curl as the client (see README.md, "Server
# captures (make-servers.sh)"):
#   apache-*        Apache httpd 2.4 (mod_ssl), SSLVerifyClient require at server level
#   apache-pha-*    Apache httpd 2.4, SSLVerifyClient require only in <Location /secure>: TLS 1.3
#                   post-handshake authentication, TLS 1.2 renegotiation
#   haproxy-*       haproxy 2.6, bind ... ssl ca-file root.pem verify required
#   haproxy-deny-*  haproxy 2.6, verify optional + ca-ignore-err/crt-ignore-err all, and
#                   http-request deny (403) unless a client certificate was sent and verified
#   stunnel-*       stunnel4 server mode (verifyChain, requireCert) in front of a plain HTTP responder
#   rustls-server-* a small rustls program (servers/rustls-server/, WebPkiClientVerifier)
# each as tls12-/tls13- with the cases mtls-ok (client-good + intermediate), no-client-cert,
# unknown-ca (client-unrelated) and expired (client-expired + intermediate); plus three captures
# cut short with editcap from make.sh's captures:
#   tls12-mtls-ok-cut-after-ccs, tls12-optional-no-cert-cut-after-ccs (up to and including the
#   server's ChangeCipherSpec + Finished), tls13-mtls-ok-cut-after-client-flight (up to and
#   including the client's Certificate/CertificateVerify/Finished).
#
#   sudo bash captures/make-servers.sh                    # all of them (needs pki/ from make.sh)
#   sudo ONLY='haproxy-*' bash captures/make-servers.sh   # same ONLY patterns as make.sh
#
# Servers run from configuration files written into the temporary directory (nothing under /etc
# is read or changed), each on its own port in 23500-23999, captured with tcpdump on lo for that
# port only. Same layout as make.sh's captures (NAME.pcap, .keys, .server.log, .client.log,
# .conv.txt, .tshark.json); expected.py then rewrites expected.json and the README table.
set -euo pipefail
export LC_ALL=C DEBIAN_FRONTEND=noninteractive
export PYTHONDONTWRITEBYTECODE=1

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$HERE"
PKI=pki                      # relative paths: they appear in the logs' command lines
ONLY=${ONLY:-*}
STACKS=(apache apache-pha haproxy haproxy-deny stunnel rustls-server)
CASES=(mtls-ok no-client-cert unknown-ca expired)
CUTS=(tls12-mtls-ok-cut-after-ccs tls12-optional-no-cert-cut-after-ccs tls13-mtls-ok-cut-after-client-flight)
NAMES=()
for s in "${STACKS[@]}"; do for v in 12 13; do for c in "${CASES[@]}"; do NAMES+=("$s-tls$v-$c"); done; done; done
NAMES+=("${CUTS[@]}")

SCRIPT=make-servers.sh
# shellcheck source=aux-common.sh
source "$HERE/aux-common.sh"

# ---------------------------------------------------------------------------------------------
# the server stacks (Debian packages), and cargo for the rustls server
need=()
command -v apache2  >/dev/null || need+=(apache2)
command -v haproxy  >/dev/null || need+=(haproxy)
command -v stunnel4 >/dev/null || need+=(stunnel4)
command -v curl     >/dev/null || need+=(curl)
command -v editcap  >/dev/null || need+=(wireshark-common)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  apt_opts=(-o DPkg::Lock::Timeout=900 -y --no-install-recommends)
  apt-get "${apt_opts[@]}" install "${need[@]}" || {
    apt-get -o DPkg::Lock::Timeout=900 update
    apt-get "${apt_opts[@]}" install "${need[@]}"
  }
fi
# Debian's apache2 package starts a system apache2 on port 80/443; ours do not need it and use
# only their own configuration (apache2 -f), so it is left as it is.

# ---------------------------------------------------------------------------------------------
# capture plumbing (as in make-extra.sh)
CAP=""; CONN=0; TCPDUMP_PID=""
: >"$TMP/views"
chmod 711 "$TMP"             # Apache's child (User www-data) reads its document root below it

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

# ---------------------------------------------------------------------------------------------
# the client: curl -v, one GET, SSLKEYLOGFILE
case_desc() {
  case $1 in
    mtls-ok) echo "curl sends client-good + intermediate" ;;
    no-client-cert) echo "curl sends no client certificate" ;;
    unknown-ca) echo "curl sends client-unrelated (issued by the Unrelated CA, which the server does not trust)" ;;
    expired) echo "curl sends client-expired (2020-2021) + intermediate" ;;
  esac
}
case_cert() {   # the curl options for the case's client certificate
  case $1 in
    mtls-ok) echo "--cert $PKI/client-good.chain.pem --key $PKI/client-good.key" ;;
    no-client-cert) echo "" ;;
    unknown-ca) echo "--cert $PKI/client-unrelated.pem --key $PKI/client-unrelated.key" ;;
    expired) echo "--cert $PKI/client-expired.chain.pem --key $PKI/client-expired.key" ;;
  esac
}

run_curl() {  # desc port ver(1.2|1.3) case path
  local desc=$1 port=$2 ver=$3 kase=$4 path=$5
  local b="$TMP/$CAP.$CONN"
  local cli=(curl -sS -v --max-time 20 --http1.1 --tlsv"$ver" --tls-max "$ver" --cacert "$PKI/root.pem"
             --resolve "server.test:$port:127.0.0.1")
  # shellcheck disable=SC2207
  cli+=($(case_cert "$kase"))
  cli+=("https://server.test:$port$path")
  SSLKEYLOGFILE="$b.keys" timeout 30 "${cli[@]}" >"$b.body" 2>"$b.cout" || true
  {
    echo "### connection $CONN: $desc (port $port)"
    echo "\$ SSLKEYLOGFILE=$CAP.keys ${cli[*]}"
    grep -vE '^\* +(CAfile|CApath)|^\{ \[|^} \[|^\* Expire|^\* Connection #0 to host' "$b.cout" || true
    echo "--- response body"
    cat "$b.body"
  } >>"$TMP/$CAP.client.log"
  [ -f "$b.keys" ] && cat "$b.keys" >>"$TMP/$CAP.keys"
  return 0
}

# the server's key log (where the stack writes one) must agree with the client's
check_server_keys() {  # file
  local l
  while read -r l; do
    case $l in '#'*|'') continue ;; esac
    grep -qxF "$l" "$TMP/$CAP.keys" || die "$CAP: the server's key log line not in the client's: $l"
  done <"$1"
}

# ---------------------------------------------------------------------------------------------
# Apache httpd: one apache2 -X (a single process) per capture, its own ServerRoot, PidFile,
# ErrorLog and access log in the temporary directory
APACHE_MODS=/usr/lib/apache2/modules
conn_apache() {  # desc port ver case pha(0|1)
  local desc=$1 port=$2 ver=$3 kase=$4 pha=$5
  CONN=$((CONN + 1))
  local b="$TMP/$CAP.$CONN" d="$TMP/$CAP.$CONN.apache"
  mkdir -p "$d/www/secure"
  echo "hello from /secure/" >"$d/www/secure/index.html"
  chmod -R go+rX "$d"
  local verify_server="SSLVerifyClient require" verify_loc=""
  if [ "$pha" = 1 ]; then
    verify_server="SSLVerifyClient none"
    verify_loc="SSLVerifyClient require"
  fi
  cat >"$d/httpd.conf" <<EOF
ServerRoot $d
PidFile $d/httpd.pid
Mutex file:$d default
LoadModule mpm_prefork_module $APACHE_MODS/mod_mpm_prefork.so
LoadModule authz_core_module $APACHE_MODS/mod_authz_core.so
LoadModule dir_module $APACHE_MODS/mod_dir.so
LoadModule socache_shmcb_module $APACHE_MODS/mod_socache_shmcb.so
LoadModule ssl_module $APACHE_MODS/mod_ssl.so
User www-data
Group www-data
ServerName server.test
Listen 127.0.0.1:$port
ErrorLog $d/error.log
LogLevel info ssl:debug
LogFormat "%h \"%r\" %>s ssl_protocol=%{SSL_PROTOCOL}x ssl_client_verify=%{SSL_CLIENT_VERIFY}x ssl_client_s_dn=\"%{SSL_CLIENT_S_DN}x\"" mtls
CustomLog $d/access.log mtls
DocumentRoot $d/www
DirectoryIndex index.html
SSLSessionCache shmcb:$d/ssl_scache(512000)
<VirtualHost 127.0.0.1:$port>
    ServerName server.test
    SSLEngine on
    SSLProtocol TLSv$ver
    SSLCertificateFile $HERE/$PKI/server.chain.pem
    SSLCertificateKeyFile $HERE/$PKI/server.key
    SSLCACertificateFile $HERE/$PKI/root.pem
    SSLVerifyDepth 3
    $verify_server
    <Location /secure>
        $verify_loc
    </Location>
</VirtualHost>
EOF
  apache2 -t -f "$d/httpd.conf" >"$b.apache-t" 2>&1 || die "apache config: $(cat "$b.apache-t")"
  : >"$d/error.log"
  apache2 -f "$d/httpd.conf" -X >"$b.sout" 2>&1 &
  local spid=$!; PIDS+=("$spid")
  wait_listen "$port"
  run_curl "$desc" "$port" "$ver" "$kase" /secure/
  sleep 0.3
  kill -TERM "$spid" 2>/dev/null || true
  reap "$spid" 5
  {
    echo "### connection $CONN: $desc (port $port)"
    echo "\$ apache2 -f httpd.conf -X   # SSLProtocol TLSv$ver; $verify_server at server level${verify_loc:+; $verify_loc in <Location /secure>}; SSLCACertificateFile pki/root.pem; LogLevel info ssl:debug"
    echo "--- httpd.conf, <VirtualHost>"
    sed -n '/^<VirtualHost/,/^<\/VirtualHost>/p' "$d/httpd.conf" | sed "s#$HERE/##g"
    echo "--- error.log (from the connection on, and any earlier error; date and pid removed)"
    sed -E -e 's/^\[[^]]*\] (\[[^]]*\]) \[pid [0-9]+(:tid [0-9]+)?\] /\1 /' "$d/error.log" |
      awk '/AH01964: Connection to child/ { on = 1 } on || /:(error|crit|alert|emerg)\]/' | sed "s#$HERE/##g"
    echo "--- access.log"
    cat "$d/access.log" 2>/dev/null || true
    if [ -s "$b.sout" ]; then echo "--- apache2's own output"; cat "$b.sout"; fi
  } >>"$TMP/$CAP.server.log"
}

# ---------------------------------------------------------------------------------------------
# haproxy: one haproxy -db per capture, its log to stdout (log stdout format raw)
conn_haproxy() {  # desc port ver case deny(0|1)
  local desc=$1 port=$2 ver=$3 kase=$4 deny=$5
  CONN=$((CONN + 1))
  local b="$TMP/$CAP.$CONN" d="$TMP/$CAP.$CONN.haproxy"
  mkdir -p "$d"
  cat "$PKI/server.chain.pem" "$PKI/server.key" >"$d/server.pem"
  local verify="verify required" rule=""
  if [ "$deny" = 1 ]; then
    verify="verify optional ca-ignore-err all crt-ignore-err all"
    rule="http-request deny deny_status 403 if !{ ssl_c_used } || !{ ssl_c_verify 0 }"
  fi
  cat >"$d/haproxy.cfg" <<EOF
global
    log stdout format raw local0 debug
    pidfile $d/haproxy.pid
    ssl-default-bind-options ssl-min-ver TLSv1.2

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 10s
    timeout server 10s

frontend mtls
    bind 127.0.0.1:$port ssl crt $d/server.pem ca-file $HERE/$PKI/root.pem $verify
    log-format "%ci:%cp [%tr] %ft %ST %{+Q}r ssl_version=%sslv ssl_c_used=%[ssl_c_used] ssl_c_verify=%[ssl_c_verify] ssl_c_ca_err=%[ssl_c_ca_err] ssl_c_err=%[ssl_c_err] ssl_c_s_dn=%{+Q}[ssl_c_s_dn] fc_err=%[fc_err] fc_err_str=%{+Q}[fc_err_str]"
    $rule
    http-request return status 200 content-type text/plain string "hello from haproxy"
EOF
  haproxy -c -q -f "$d/haproxy.cfg" >"$b.haproxy-c" 2>&1 || die "haproxy config: $(cat "$b.haproxy-c")"
  haproxy -db -f "$d/haproxy.cfg" >"$b.sout" 2>&1 &
  local spid=$!; PIDS+=("$spid")
  wait_listen "$port"
  run_curl "$desc" "$port" "$ver" "$kase" /
  sleep 0.3
  kill -USR1 "$spid" 2>/dev/null || true     # soft stop
  reap "$spid" 5
  {
    echo "### connection $CONN: $desc (port $port)"
    echo "\$ haproxy -db -f haproxy.cfg   # bind ... ssl crt server.pem ca-file pki/root.pem $verify${rule:+; $rule}"
    echo "--- haproxy.cfg, frontend"
    sed -n '/^frontend/,$p' "$d/haproxy.cfg" | sed -e "s#$HERE/##g" -e "s#$d/##g"
    echo "--- haproxy's output (log stdout format raw)"
    sed -e "s#$HERE/##g" -e "s#$d/##g" "$b.sout"
  } >>"$TMP/$CAP.server.log"
}

# ---------------------------------------------------------------------------------------------
# stunnel4 (server mode) in front of a plain HTTP responder (python3 -m http.server, started once)
BACKEND_PORT=23990
BACKEND_PID=""
start_backend() {
  [ -n "$BACKEND_PID" ] && return 0
  port_free $BACKEND_PORT
  mkdir -p "$TMP/backend"; echo "hello from the backend behind stunnel" >"$TMP/backend/index.html"
  python3 -m http.server $BACKEND_PORT --bind 127.0.0.1 --directory "$TMP/backend" >"$TMP/backend.log" 2>&1 &
  BACKEND_PID=$!; PIDS+=("$BACKEND_PID")
  wait_listen $BACKEND_PORT
}
conn_stunnel() {  # desc port ver case
  local desc=$1 port=$2 ver=$3 kase=$4
  CONN=$((CONN + 1))
  local b="$TMP/$CAP.$CONN" d="$TMP/$CAP.$CONN.stunnel"
  mkdir -p "$d"
  start_backend
  local bo; bo=$(stat -c %s "$TMP/backend.log")
  cat >"$d/stunnel.conf" <<EOF
foreground = yes
debug = 7
pid = $d/stunnel.pid

[https]
accept = 127.0.0.1:$port
connect = 127.0.0.1:$BACKEND_PORT
cert = $HERE/$PKI/server.chain.pem
key = $HERE/$PKI/server.key
CAfile = $HERE/$PKI/root.pem
verifyChain = yes
requireCert = yes
EOF
  stunnel4 "$d/stunnel.conf" >"$b.sout" 2>&1 &
  local spid=$!; PIDS+=("$spid")
  wait_listen "$port"
  run_curl "$desc" "$port" "$ver" "$kase" /
  sleep 0.5
  kill -TERM "$spid" 2>/dev/null || true
  reap "$spid" 5
  {
    echo "### connection $CONN: $desc (port $port)"
    echo "\$ stunnel4 stunnel.conf   # verifyChain = yes; requireCert = yes; CAfile = pki/root.pem; debug = 7; connect = 127.0.0.1:$BACKEND_PORT (a plain HTTP responder: Python's SimpleHTTPRequestHandler)"
    echo "--- stunnel.conf"
    sed -e "s#$HERE/##g" -e "s#$d/##g" "$d/stunnel.conf"
    echo "--- stunnel's output (foreground, debug = 7; date removed)"
    sed -E -e 's/^[0-9.]+ [0-9:]+ //' -e "s#$HERE/##g" -e "s#$d/##g" "$b.sout"
    echo "--- the backend's log (python3 -m http.server $BACKEND_PORT, plain HTTP behind stunnel)"
    tail -c +"$((bo + 1))" "$TMP/backend.log"
  } >>"$TMP/$CAP.server.log"
}

# ---------------------------------------------------------------------------------------------
# rustls: servers/rustls-server, built once (cargo, crates.io, Cargo.lock kept in the repository)
RUSTLS_TARGET=/tmp/rustls-server-target
RUSTLS_BIN=$RUSTLS_TARGET/release/rustls-server
RUSTLS_OK=""
build_rustls() {
  [ -n "$RUSTLS_OK" ] && return 0
  command -v cargo >/dev/null || { log "no cargo: rustls-server captures skipped"; RUSTLS_OK=no; return 0; }
  log "building servers/rustls-server (cargo build --release --locked)"
  if cargo build --quiet --release --locked --manifest-path servers/rustls-server/Cargo.toml \
       --target-dir "$RUSTLS_TARGET" >"$TMP/rustls-build.log" 2>&1; then
    RUSTLS_OK=yes
  else
    log "rustls-server does not build, its captures are skipped: $(tail -5 "$TMP/rustls-build.log")"
    RUSTLS_OK=no
  fi
}
rustls_version() { awk '/^name = "rustls"$/ { getline; gsub(/"/, "", $3); print $3 }' servers/rustls-server/Cargo.lock; }
conn_rustls() {  # desc port ver case
  local desc=$1 port=$2 ver=$3 kase=$4
  CONN=$((CONN + 1))
  local b="$TMP/$CAP.$CONN"
  local srv=("$RUSTLS_BIN" --port "$port" --cert "$PKI/server.chain.pem" --key "$PKI/server.key" --ca "$PKI/root.pem" --tls "$ver")
  timeout 60 "${srv[@]}" --keylog "$b.server-keys" </dev/null >"$b.sout" 2>&1 &
  local spid=$!; PIDS+=("$spid")
  wait_listen "$port"
  run_curl "$desc" "$port" "$ver" "$kase" /
  reap "$spid" 10
  {
    echo "### connection $CONN: $desc (port $port)"
    echo "\$ servers/rustls-server ${srv[*]:1}   # rustls $(rustls_version), ring provider; release build at $RUSTLS_BIN"
    cat "$b.sout"
  } >>"$TMP/$CAP.server.log"
  check_server_keys "$b.server-keys"
}

# ---------------------------------------------------------------------------------------------
stack_desc() {  # stack ver
  case $1 in
    apache) echo "Apache httpd $(apache2 -v | sed -n 's#^Server version: Apache/\([^ ]*\).*#\1#p') (mod_ssl), SSLVerifyClient require at server level; curl GET /secure/" ;;
    apache-pha)
      if [ "$2" = 13 ]; then
        echo "Apache httpd (mod_ssl), no client authentication at server level, SSLVerifyClient require in <Location /secure>: TLS 1.3 post-handshake authentication after curl's GET /secure/"
      else
        echo "Apache httpd (mod_ssl), no client authentication at server level, SSLVerifyClient require in <Location /secure>: TLS 1.2 renegotiation after curl's GET /secure/"
      fi ;;
    haproxy) echo "haproxy $(haproxy -v | sed -n 's/^HAProxy version \([^ ]*\).*/\1/p'), bind ... ssl ca-file pki/root.pem verify required; http-request return status 200" ;;
    haproxy-deny) echo "haproxy, bind ... ssl ca-file pki/root.pem verify optional ca-ignore-err all crt-ignore-err all; http-request deny (403) unless ssl_c_used and ssl_c_verify 0, else return status 200" ;;
    stunnel) echo "stunnel $(stunnel4 -version 2>&1 | sed -n 's/^stunnel \([0-9.]*\) .*/\1/p') server mode, verifyChain = yes, requireCert = yes, CAfile pki/root.pem, forwarding to a plain HTTP responder" ;;
    rustls-server) echo "rustls $(rustls_version) server (servers/rustls-server, WebPkiClientVerifier with pki/root.pem, client certificate required)" ;;
  esac
}

port_of() {  # stack ver case
  local si ci i
  for i in "${!STACKS[@]}"; do [ "${STACKS[$i]}" = "$1" ] && si=$i; done
  for i in "${!CASES[@]}"; do [ "${CASES[$i]}" = "$3" ] && ci=$i; done
  echo $((23500 + 40 * si + (${2} == 13 ? 10 : 0) + ci))
}

# each capture did what it is for (from the client's trace)
check_case() {  # name stack ver case
  local n=$1 stack=$2 ver=$3 kase=$4 c="$1.client.log"
  grep -qE "^\* TLSv$ver \(IN\), TLS handshake, Server hello" "$c" || die "$n: not TLS $ver"
  grep -q 'TLS handshake, Request CERT (13)' "$c" || die "$n: no CertificateRequest"
  if [ "$kase" = mtls-ok ]; then
    grep -qE '^< HTTP/1\.[01] 200' "$c" || die "$n: no HTTP 200"
  else
    ! grep -qE '^< HTTP/1\.[01] 200' "$c" || die "$n: HTTP 200 although the client was not acceptable"
  fi
  case $stack:$kase in
    haproxy-deny:mtls-ok) ;;
    haproxy-deny:*) grep -qE '^< HTTP/1\.1 403' "$c" || die "$n: no HTTP 403" ;;
    apache-pha:*)     # the CertificateRequest came after the request
      sed -n '/^> GET/,$p' "$c" | grep -q 'Request CERT (13)' || die "$n: no CertificateRequest after the GET" ;;
  esac
}

for stack in "${STACKS[@]}"; do
  for v in 12 13; do
    for kase in "${CASES[@]}"; do
      name="$stack-tls$v-$kase"
      selected "$name" || continue
      if [ "$stack" = rustls-server ]; then
        build_rustls
        [ "$RUSTLS_OK" = yes ] || continue
      fi
      port=$(port_of "$stack" $v "$kase")
      ver=1.${v#1}
      desc="$(stack_desc "$stack" $v); $(case_desc "$kase")"
      cap_begin "$name" "$port" "TLS $ver: $desc"
      case $stack in
        apache) conn_apache "$desc" "$port" "$ver" "$kase" 0 ;;
        apache-pha) conn_apache "$desc" "$port" "$ver" "$kase" 1 ;;
        haproxy) conn_haproxy "$desc" "$port" "$ver" "$kase" 0 ;;
        haproxy-deny) conn_haproxy "$desc" "$port" "$ver" "$kase" 1 ;;
        stunnel) conn_stunnel "$desc" "$port" "$ver" "$kase" ;;
        rustls-server) conn_rustls "$desc" "$port" "$ver" "$kase" ;;
      esac
      cap_end
      check_case "$name" "$stack" "$ver" "$kase"
    done
  done
done

# ---------------------------------------------------------------------------------------------
# captures cut short: make.sh's captures up to and including a given frame (editcap -r), with
# copies of their key logs and logs; a line "#### cut: ..." after the "## capture" line says
# what was cut (expected.py reads it).
cut_frame() {  # source-name kind: the last frame to keep
  local src=$1 kind=$2 sport
  sport=$(tshark -n -r "$src.pcap" -Y 'tls.handshake.type == 1' -T fields -e tcp.dstport 2>/dev/null | head -1)
  [ -n "$sport" ] || die "$src: no ClientHello"
  case $kind in
    server-ccs-finished)
      # the server's frame with its ChangeCipherSpec, or the later one with the Finished after it
      # (TLS 1.2: the Finished is the first handshake record after the CCS)
      tshark -n -r "$src.pcap" -o "tls.keylog_file:$src.keys" -Y "tcp.srcport == $sport && tls" -T fields \
        -e frame.number -e tls.record.content_type 2>/dev/null |
        awk -F'\t' '{ n = split($2, t, ","); for (i = 1; i <= n; i++) { if (t[i] == 20) ccs = 1; else if (ccs && t[i] == 22) { print $1; exit } } }' ;;
    client-finished)
      # the client's frame with its (decrypted) Finished
      tshark -n -r "$src.pcap" -o "tls.keylog_file:$src.keys" -Y "tcp.dstport == $sport && tls.handshake.type == 20" \
        -T fields -e frame.number 2>/dev/null | head -1 ;;
  esac
}
make_cut() {  # name source kind visible(yes|no) note
  local name=$1 src=$2 kind=$3 visible=$4 note=$5
  selected "$name" || return 0
  [ -f "$src.pcap" ] && [ -f "$src.keys" ] || die "$src.pcap (from make.sh) is missing"
  log "$name"
  local n total
  n=$(cut_frame "$src" "$kind")
  [ -n "$n" ] || die "$name: no frame to cut after in $src.pcap"
  total=$(capinfos -Mc "$src.pcap" | awk '/Number of packets/ { print $NF }')
  editcap -r "$src.pcap" "$name.pcap" "1-$n"
  cp "$src.keys" "$name.keys"
  local line="#### cut: editcap -r $src.pcap $name.pcap 1-$n (frames 1-$n of $total kept): $note; the capture shows the client authentication outcome: $visible; the logs below are copies of $src's, which describe the whole connection"
  local f
  for f in server client; do
    {
      sed -n '1s/^## capture [^:]*: \(.*\)$/## capture '"$name"': \1 [cut after frame '"$n"' of '"$total"']/p' "$src.$f.log"
      echo "$line"
      tail -n +2 "$src.$f.log"
    } >"$name.$f.log"
  done
  echo "$name.pcap $name.keys" >>"$TMP/views"
}
make_cut tls12-mtls-ok-cut-after-ccs tls12-mtls-ok server-ccs-finished yes \
  "up to and including the server's ChangeCipherSpec + Finished (its NewSessionTicket, CCS and Finished share that frame); the application data, close_notify alerts and FINs are gone"
make_cut tls12-optional-no-cert-cut-after-ccs tls12-optional-no-cert server-ccs-finished yes \
  "up to and including the server's ChangeCipherSpec + Finished (its NewSessionTicket, CCS and Finished share that frame); the application data, close_notify alerts and FINs are gone"
make_cut tls13-mtls-ok-cut-after-client-flight tls13-mtls-ok client-finished no \
  "up to and including the client's ChangeCipherSpec, Certificate, CertificateVerify and Finished; the server's answer to them (NewSessionTickets, application data) is gone, so the capture does not show whether the server accepted the client"

# ---------------------------------------------------------------------------------------------
log "tshark views"
while read -r f k; do
  n=${f%.pcap}
  tshark -n -r "$f" -q -z conv,tcp >"$n.conv.txt" 2>/dev/null
  python3 tshark_view.py "$f" --keylog "$k" --out "$n.tshark.json"
done <"$TMP/views"

log "expected.json and README table"
python3 expected.py
