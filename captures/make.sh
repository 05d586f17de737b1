#!/usr/bin/env bash
# Regenerate tlstrace's real-capture corpus from scratch: a throwaway PKI (pki/), then one capture
# per scenario with the stacks' own logs, the key log, and tshark's view of it.
#
#   sudo bash captures/make.sh            # everything (a few minutes)
#   sudo ONLY='tls13-*' bash captures/make.sh   # re-run the captures matching a bash pattern
#                                                (keeps the PKI; KEEP_PKI=1 does that for full runs)
#
# Needs root (tcpdump, network namespaces) on Debian 12. All traffic stays on loopback
# (127.0.0.1 / ::1) or on the loopback of the network namespaces "tlstrace-lossy" (loss,
# reordering, duplication) and "tlstrace-iso" (gnutls-serv, which listens on all addresses) that
# this script creates and deletes.
# Every capture NAME gets: NAME.pcap|.pcapng, NAME.keys (when the client could log keys),
# NAME.server.log, NAME.client.log, NAME.conv.txt, NAME.tshark.json; then expected.py writes
# expected.json and the capture table of README.md from those files.
set -euo pipefail
export LC_ALL=C DEBIAN_FRONTEND=noninteractive

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$HERE"
PKI=pki                      # relative paths: they appear in the logs' command lines
NS=tlstrace-lossy
NS_ISO=tlstrace-iso          # gnutls-serv cannot bind to loopback only: it runs in here
ONLY=${ONLY:-*}
KEEP_PKI=${KEEP_PKI:-0}

[ "$(id -u)" = 0 ] || { echo "make.sh: run as root (sudo bash $0)" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# dependencies
need_pkgs=()
command -v tcpdump  >/dev/null || need_pkgs+=(tcpdump)
command -v tshark   >/dev/null || need_pkgs+=(tshark)
command -v editcap  >/dev/null || need_pkgs+=(wireshark-common)
command -v openssl  >/dev/null || need_pkgs+=(openssl)
command -v nginx    >/dev/null || need_pkgs+=(nginx-light)
command -v curl     >/dev/null || need_pkgs+=(curl)
command -v gnutls-serv >/dev/null || need_pkgs+=(gnutls-bin)
command -v ip       >/dev/null || need_pkgs+=(iproute2)
command -v tc       >/dev/null || need_pkgs+=(iproute2)
command -v ss       >/dev/null || need_pkgs+=(iproute2)
command -v python3  >/dev/null || need_pkgs+=(python3)
command -v timeout  >/dev/null || need_pkgs+=(coreutils)
command -v nft      >/dev/null || need_pkgs+=(nftables)   # lossy fallback when the kernel has no netem
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "== installing ${need_pkgs[*]}"
  # another apt may be running: wait for the dpkg lock instead of failing
  apt_opts=(-o DPkg::Lock::Timeout=900 -y --no-install-recommends)
  apt-get "${apt_opts[@]}" install "${need_pkgs[@]}" || {
    apt-get -o DPkg::Lock::Timeout=900 update
    apt-get "${apt_opts[@]}" install "${need_pkgs[@]}"
  }
fi

TMP=$(mktemp -d /tmp/tlstrace-captures.XXXXXX)
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do
    if kill -0 "$p" 2>/dev/null; then kill "$p" 2>/dev/null || true; fi
  done
  ip netns del "$NS" 2>/dev/null || true
  ip netns del "$NS_ISO" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'make.sh: %s\n' "$*" >&2; exit 1; }

# wait until something listens on TCP port $1 (in the namespace when NSX is set)
wait_listen() {
  local port=$1 i
  for i in $(seq 1 200); do
    if ${NSX:-} ss -Hltn "sport = :$port" 2>/dev/null | grep -q LISTEN; then return 0; fi
    sleep 0.05
  done
  die "nothing listens on port $port"
}
# wait up to $2 seconds for pid $1 to exit, then kill it; $3: a file to create before `wait`
# (it releases the feeder of an interactive s_server: `wait` waits for the whole pipeline)
reap() {
  local pid=$1 secs=${2:-5} i
  for i in $(seq 1 $((secs * 20))); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  [ -n "${3:-}" ] && touch "$3"
  if kill -0 "$pid" 2>/dev/null; then
    echo "(make.sh: pid $pid still running after ${secs}s, killed)" >>"$TMP/reap.log"
    kill "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}
port_free() { ! ${NSX:-} ss -Hltn "sport = :$1" | grep -q LISTEN || die "port $1 is already in use"; }

# ---------------------------------------------------------------------------------------------
# PKI (throwaway; committed so the captures' certificates can be checked against it)
make_pki() {
  local P="$HERE/$PKI" W="$TMP/ca"
  rm -rf "$P"; mkdir -p "$P" "$W"
  export CADIR="$W"   # ca.cnf refers to $ENV::CADIR; openssl req parses that file too
  cat >"$W/ca.cnf" <<'EOF'
[ ca ]
default_ca = CA_default
[ CA_default ]
dir              = $ENV::CADIR
database         = $dir/index.txt
new_certs_dir    = $dir/newcerts
serial           = $dir/serial
crlnumber        = $dir/crlnumber
default_md       = sha256
policy           = policy_any
unique_subject   = no
copy_extensions  = none
email_in_dn      = no
default_crl_days = 7300
[ policy_any ]
organizationName       = optional
organizationalUnitName = optional
commonName             = supplied
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = placeholder
[ v3_root ]
basicConstraints       = critical,CA:TRUE
keyUsage               = critical,keyCertSign,cRLSign
subjectKeyIdentifier   = hash
[ v3_intermediate ]
basicConstraints       = critical,CA:TRUE,pathlen:0
keyUsage               = critical,keyCertSign,cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
[ v3_server ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature,keyEncipherment
extendedKeyUsage       = serverAuth
subjectAltName         = DNS:server.test,DNS:localhost,IP:127.0.0.1,IP:::1
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
[ v3_client ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
[ v3_client_serverauth ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
[ v3_client_kuenc ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,keyEncipherment
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
EOF
  local ca
  for ca in root intermediate unrelated; do
    mkdir -p "$W/$ca/newcerts"; : >"$W/$ca/index.txt"; echo 1000 >"$W/$ca/crlnumber"
  done
  echo 1000 >"$W/root/serial"; echo 2000 >"$W/intermediate/serial"; echo 3000 >"$W/unrelated/serial"

  genkey() {  # file rsa|ec|ed25519
    case $2 in
      rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null ;;
      ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" ;;
      ed25519) openssl genpkey -algorithm ED25519 -out "$1" ;;
    esac
  }
  # issue CA NAME SUBJECT EXTENSIONS NOTBEFORE NOTAFTER [KEYTYPE]; CA "self": self-signed
  issue() {
    local ca=$1 name=$2 subj=$3 ext=$4 start=$5 end=$6 kt=${7:-rsa}
    genkey "$P/$name.key" "$kt"
    openssl req -new -config "$W/ca.cnf" -key "$P/$name.key" -subj "$subj" -out "$W/$name.csr"
    if [ "$ca" = self ]; then
      CADIR="$W/$name" openssl ca -batch -notext -config "$W/ca.cnf" -selfsign -keyfile "$P/$name.key" \
        -in "$W/$name.csr" -out "$P/$name.pem" -extensions "$ext" -startdate "$start" -enddate "$end" 2>>"$W/ca.log"
    else
      CADIR="$W/$ca" openssl ca -batch -notext -config "$W/ca.cnf" -cert "$P/$ca.pem" -keyfile "$P/$ca.key" \
        -in "$W/$name.csr" -out "$P/$name.pem" -extensions "$ext" -startdate "$start" -enddate "$end" 2>>"$W/ca.log"
    fi
  }
  local O="/O=tlstrace test PKI" C="/O=tlstrace test PKI/OU=clients"
  local NB=20240101000000Z NA=20440101000000Z   # 20 years for everything meant to be valid
  issue self root "$O/CN=tlstrace Test Root CA" v3_root 20190101000000Z 20490101000000Z
  issue root intermediate "$O/CN=tlstrace Test Intermediate CA" v3_intermediate 20190101000000Z 20480101000000Z
  issue self unrelated "/O=Unrelated Org/CN=Unrelated Test CA" v3_root 20190101000000Z 20490101000000Z
  issue intermediate server "$O/CN=server.test" v3_server $NB $NA
  issue intermediate client-good "$C/CN=client-good" v3_client $NB $NA
  issue intermediate client-ecdsa "$C/CN=client-ecdsa" v3_client $NB $NA ec
  issue intermediate client-ed25519 "$C/CN=client-ed25519" v3_client $NB $NA ed25519
  issue intermediate client-eku-serverauth "$C/CN=client-eku-serverauth" v3_client_serverauth $NB $NA
  issue intermediate client-ku-keyencipherment "$C/CN=client-ku-keyencipherment" v3_client_kuenc $NB $NA
  issue intermediate client-expired "$C/CN=client-expired" v3_client 20200101000000Z 20210101000000Z
  issue intermediate client-not-yet-valid "$C/CN=client-not-yet-valid" v3_client 20300101000000Z 20400101000000Z
  issue intermediate client-revoked "$C/CN=client-revoked" v3_client $NB $NA
  issue unrelated client-unrelated "/O=Unrelated Org/CN=client-unrelated" v3_client $NB $NA
  CADIR="$W/intermediate" openssl ca -batch -config "$W/ca.cnf" -cert "$P/intermediate.pem" \
    -keyfile "$P/intermediate.key" -revoke "$P/client-revoked.pem" -crl_reason keyCompromise 2>>"$W/ca.log"
  CADIR="$W/intermediate" openssl ca -batch -config "$W/ca.cnf" -cert "$P/intermediate.pem" \
    -keyfile "$P/intermediate.key" -gencrl -crldays 7300 -out "$P/intermediate.crl.pem" 2>>"$W/ca.log"
  # leaf + intermediate: what a correctly configured peer sends (used by curl and nginx)
  local n
  for n in server client-good client-ecdsa client-ed25519 client-eku-serverauth \
           client-ku-keyencipherment client-expired client-not-yet-valid client-revoked; do
    cat "$P/$n.pem" "$P/intermediate.pem" >"$P/$n.chain.pem"
  done
  chmod 644 "$P"/*.key
  openssl verify -CAfile "$P/root.pem" -untrusted "$P/intermediate.pem" "$P/server.pem" "$P/client-good.pem" >/dev/null
}

# ---------------------------------------------------------------------------------------------
# capture plumbing
#
# cap_begin NAME [iface] [tcpdump options...]   start tcpdump for capture NAME
#   The filter is "tcp port P1 or tcp port P2 ..." from CAP_PORTS (set before calling).
#   CAP_FORMAT: pcap (default) | pcapng (converted with editcap) | dsb (pcapng + key log as DSB)
# conn_openssl DESC PORT                        one s_server/s_client connection
# conn_nginx DESC PORT TLSVER VERIFY CLIENTCERT one nginx + curl connection
# conn_http, conn_gnutls_serv, conn_gnutls_cli  (below)
# cap_end                                        stop tcpdump, copy capture/logs/keys here
# Each connection appends "### connection K: DESC (port P)", the command line and the program's
# output to NAME.server.log / NAME.client.log; expected.py relies on that layout.
CAP=""; CONN=0; TCPDUMP_PID=""; NSX=""
selected() { [[ $1 == $ONLY ]]; }

cap_begin() {
  CAP=$1; shift
  local iface=${1:-lo}; shift || true
  CONN=0
  : >"$TMP/$CAP.keys"
  echo "## capture $CAP: ${CAP_DESC:?CAP_DESC not set}" | tee "$TMP/$CAP.client.log" >"$TMP/$CAP.server.log"
  local filter="" p
  for p in $CAP_PORTS; do filter+="${filter:+ or }tcp port $p"; port_free "$p"; done
  log "$CAP"
  # --immediate-mode: without it libpcap (TPACKET_V3) hands packets over in blocks every ~1 s and
  # the last, unfinished block can be lost when tcpdump stops
  $NSX tcpdump -i "$iface" -U --immediate-mode -Z root -s 0 "$@" -w "$TMP/$CAP.raw" "$filter" 2>"$TMP/$CAP.tcpdump" &
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
  sleep 0.3                                   # let the last FIN/ACKs reach the capture
  kill -INT "$TCPDUMP_PID" 2>/dev/null || true   # tcpdump flushes and closes the file on SIGINT
  local i
  for i in $(seq 1 60); do kill -0 "$TCPDUMP_PID" 2>/dev/null || break; sleep 0.05; done
  kill -0 "$TCPDUMP_PID" 2>/dev/null && kill -TERM "$TCPDUMP_PID" 2>/dev/null   # same clean exit
  reap "$TCPDUMP_PID" 5
  grep -q 'packets captured' "$TMP/$CAP.tcpdump" || die "tcpdump for $CAP did not stop cleanly"
  local ext=pcap keys=""
  [ -s "$TMP/$CAP.keys" ] && keys="$CAP.keys"
  rm -f "$CAP".pcap "$CAP".pcapng
  case ${CAP_FORMAT:-pcap} in
    pcap) cp "$TMP/$CAP.raw" "$CAP.pcap" ;;
    pcapng) ext=pcapng; editcap -F pcapng "$TMP/$CAP.raw" "$CAP.pcapng" ;;
    dsb) ext=pcapng; editcap -F pcapng --inject-secrets "tls,$TMP/$CAP.keys" "$TMP/$CAP.raw" "$CAP.pcapng"
         keys="" ;;   # the secrets travel inside the file (Decryption Secrets Block) only
  esac
  cp "$TMP/$CAP.server.log" "$CAP.server.log"
  cp "$TMP/$CAP.client.log" "$CAP.client.log"
  if [ -n "$keys" ]; then cp "$TMP/$CAP.keys" "$CAP.keys"; else rm -f "$CAP.keys"; fi
  echo "$CAP.$ext${keys:+ $keys}" >>"$TMP/views"   # tshark's view is computed at the end, in parallel
  CAP_FORMAT=pcap
}

# keep the stacks' logs short: no PEM blocks, no session-cache statistics
tidy() {
  sed -e '/^-----BEGIN/,/^-----END/d' -e '/^ *[0-9]\+ \(items in the session cache\|client \|server \|session cache\|callback cache\|cache full\)/d' "$1"
}
# the headers of openssl -msg output (">>> sent", "<<< received"); record headers left out
msgs() { grep -E '^(<<<|>>>)' "$1" | grep -vE 'RecordHeader|InnerContent' || true; }

# s_server / s_client defaults; per connection the caller sets:
#   SRV=(extra s_server args)   CLI=(extra s_client args)
#   SRV_MODE=rev|cmd            rev: -brief -rev echo server; cmd: interactive server whose stdin
#                               gets SRV_CMD (e.g. "c" = TLS 1.3 post-handshake CertificateRequest,
#                               "R" = TLS 1.2 renegotiation asking for a certificate) after SRV_CMD_DELAY s
#   CLI_INPUT=function          writes the client's stdin (default: "hello", then stdin stays open 0.6 s)
#   HOST=127.0.0.1 | ::1
SERVER_BASE=(-cert "$PKI/server.pem" -cert_chain "$PKI/intermediate.pem" -key "$PKI/server.key" -no-CApath -no-CAstore)
CLIENT_BASE=(-servername server.test -CAfile "$PKI/root.pem" -no-CApath -no-CAstore -verify_return_error -brief)
hello_input() { echo hello; sleep 0.6; }
input_desc() {
  case $CLI_INPUT in
    hello_input) echo "(echo hello; sleep 0.6)" ;;
    pha_input) echo "(echo hello; sleep 2.5; echo after-pha; sleep 1)" ;;
    payload_input) echo "(cat payload.txt  # 40 lines, 4 KB; sleep 3)" ;;
    *) echo "($CLI_INPUT)" ;;
  esac
}
reset_conn_opts() { SRV=(); CLI=(); SRV_MODE=rev; SRV_CMD=""; SRV_CMD_DELAY=1.5; CLI_INPUT=hello_input; HOST=127.0.0.1; }
reset_conn_opts

# the interactive server's stdin: the command after a delay, then stay open until told to stop
srv_feed() {
  local stopfile=$1 i
  sleep "$SRV_CMD_DELAY"; [ -n "$SRV_CMD" ] && echo "$SRV_CMD"
  for i in $(seq 1 200); do [ -e "$stopfile" ] && break; sleep 0.1; done
}

conn_openssl() {
  local desc=$1 port=$2
  CONN=$((CONN + 1))
  local b="$TMP/$CAP.$CONN" hp="$HOST:$port"
  [[ $HOST == *:* ]] && hp="[$HOST]:$port"
  local srv=(openssl s_server -accept "$hp" -naccept 1 "${SERVER_BASE[@]}" "${SRV[@]}")
  [ "$SRV_MODE" = rev ] && srv+=(-brief -rev)
  local cli=(openssl s_client -connect "$hp" "${CLIENT_BASE[@]}" "${CLI[@]}")
  local spid
  if [ "$SRV_MODE" = rev ]; then
    $NSX timeout 90 "${srv[@]}" -msg -msgfile "$b.smsg" </dev/null >"$b.sout" 2>&1 &
    spid=$!
  else
    srv_feed "$b.stop" | $NSX timeout 90 "${srv[@]}" -msg -msgfile "$b.smsg" >"$b.sout" 2>&1 &
    spid=$!
  fi
  PIDS+=("$spid")
  wait_listen "$port"
  $CLI_INPUT | $NSX timeout 90 "${cli[@]}" -keylogfile "$b.keys" -msg -msgfile "$b.cmsg" >"$b.cout" 2>&1 || true
  reap "$spid" 10 "$b.stop"
  {
    echo "### connection $CONN: $desc (port $port)"
    echo "\$ ${srv[*]}"
    tidy "$b.sout"
    echo "--- openssl -msg: protocol messages sent (>>>) and received (<<<)"
    msgs "$b.smsg"
  } >>"$TMP/$CAP.server.log"
  {
    echo "### connection $CONN: $desc (port $port)"
    echo "\$ $(input_desc) | ${cli[*]}"
    tidy "$b.cout"
    echo "--- openssl -msg: protocol messages sent (>>>) and received (<<<)"
    msgs "$b.cmsg"
  } >>"$TMP/$CAP.client.log"
  [ -f "$b.keys" ] && cat "$b.keys" >>"$TMP/$CAP.keys"
  reset_conn_opts
}

# nginx as the server, curl as the client
# conn_nginx DESC PORT TLSVER(1.2|1.3) VERIFY(on|optional|off) CLIENTCERT(name in pki/ or "")
conn_nginx() {
  local desc=$1 port=$2 ver=$3 verify=$4 cert=$5
  CONN=$((CONN + 1))
  local b="$TMP/$CAP.$CONN" d="$TMP/$CAP.$CONN.nginx"
  mkdir -p "$d/tmp"
  cat >"$d/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log info;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $d/tmp/body;
    proxy_temp_path $d/tmp/proxy;
    fastcgi_temp_path $d/tmp/fastcgi;
    uwsgi_temp_path $d/tmp/uwsgi;
    scgi_temp_path $d/tmp/scgi;
    log_format mtls '\$remote_addr "\$request" \$status ssl_protocol=\$ssl_protocol ssl_client_verify=\$ssl_client_verify ssl_client_s_dn="\$ssl_client_s_dn"';
    server {
        listen 127.0.0.1:$port ssl;
        server_name server.test;
        access_log $d/access.log mtls;
        ssl_protocols TLSv$ver;
        ssl_certificate $HERE/$PKI/server.chain.pem;
        ssl_certificate_key $HERE/$PKI/server.key;
        ssl_client_certificate $HERE/$PKI/root.pem;
        ssl_verify_client $verify;
        ssl_verify_depth 3;
        location / {
            default_type text/plain;
            return 200 "hello \$ssl_client_s_dn (\$ssl_client_verify)\n";
        }
    }
}
EOF
  nginx -t -q -e "$d/error.log" -c "$d/nginx.conf" -p "$d" 2>"$b.nginx-t" || die "nginx config: $(cat "$b.nginx-t")"
  : >"$d/error.log"
  nginx -e "$d/error.log" -c "$d/nginx.conf" -p "$d" >"$b.sout" 2>&1 &
  local spid=$!; PIDS+=("$spid")
  wait_listen "$port"
  local cli=(curl -sS -v --max-time 20 --http1.1 --tlsv"$ver" --tls-max "$ver" --cacert "$PKI/root.pem"
             --resolve "server.test:$port:127.0.0.1")
  [ -n "$cert" ] && cli+=(--cert "$PKI/$cert.chain.pem" --key "$PKI/$cert.key")
  cli+=("https://server.test:$port/")
  SSLKEYLOGFILE="$b.keys" timeout 30 "${cli[@]}" >"$b.body" 2>"$b.cout" || true
  sleep 0.3
  kill -QUIT "$spid" 2>/dev/null || true
  reap "$spid" 5
  {
    echo "### connection $CONN: $desc (port $port)"
    echo "\$ nginx -c nginx.conf   # ssl_protocols TLSv$ver; ssl_verify_client $verify; ssl_client_certificate pki/root.pem"
    echo "--- error.log"
    sed -E 's/^[0-9/]+ [0-9:]+ //' "$d/error.log" | grep -vE '\[notice\]|using the "epoll"|epoll_wait\(\) failed|^$' || true
    echo "--- access.log"
    cat "$d/access.log" 2>/dev/null || true
  } >>"$TMP/$CAP.server.log"
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

# plain HTTP (python http.server + curl), for non-TLS traffic next to TLS
conn_http() {
  local desc=$1 port=$2
  CONN=$((CONN + 1))
  local b="$TMP/$CAP.$CONN"
  mkdir -p "$TMP/www"; echo "plain http, not TLS" >"$TMP/www/index.txt"
  python3 -m http.server "$port" --bind 127.0.0.1 --directory "$TMP/www" >"$b.sout" 2>&1 &
  local spid=$!; PIDS+=("$spid")
  wait_listen "$port"
  timeout 20 curl -sS -v --max-time 10 "http://127.0.0.1:$port/index.txt" >"$b.body" 2>"$b.cout" || true
  kill "$spid" 2>/dev/null || true
  reap "$spid" 5
  {
    echo "### connection $CONN: $desc (port $port)"
    echo "\$ python3 -m http.server $port --bind 127.0.0.1"
    cat "$b.sout"
  } >>"$TMP/$CAP.server.log"
  {
    echo "### connection $CONN: $desc (port $port)"
    echo "\$ curl -sS -v http://127.0.0.1:$port/index.txt"
    grep -vE '^\* Expire|^\* Connection #0 to host' "$b.cout" || true
    cat "$b.body"
  } >>"$TMP/$CAP.client.log"
}

# GnuTLS as the server (gnutls-serv --echo), openssl s_client (CLI) as the client
# conn_gnutls_serv DESC PORT PRIORITY
conn_gnutls_serv() {
  local desc=$1 port=$2 prio=$3
  CONN=$((CONN + 1))
  local b="$TMP/$CAP.$CONN"
  local srv=(gnutls-serv -d 1 --port "$port" --echo --x509certfile "$PKI/server.chain.pem" --x509keyfile "$PKI/server.key"
             --x509cafile "$PKI/root.pem" --require-client-cert --verify-client-cert --priority "$prio")
  local cli=(openssl s_client -connect "127.0.0.1:$port" "${CLIENT_BASE[@]}" "${CLI[@]}")
  $NSX timeout 60 "${srv[@]}" </dev/null >"$b.sout" 2>&1 &
  local spid=$!; PIDS+=("$spid")
  wait_listen "$port"
  $CLI_INPUT | $NSX timeout 60 "${cli[@]}" -keylogfile "$b.keys" -msg -msgfile "$b.cmsg" >"$b.cout" 2>&1 || true
  sleep 0.2
  kill "$spid" 2>/dev/null || true     # gnutls-serv serves forever
  reap "$spid" 5
  {
    echo "### connection $CONN: $desc (port $port)"
    echo "\$ ${srv[*]}"
    # (the modulus and signature hex dumps of the client certificate are left out)
    grep -vE '^Exiting via signal|^$|^\s+([0-9a-f]{2}:)*[0-9a-f]{2}:?$' "$b.sout" || true
  } >>"$TMP/$CAP.server.log"
  {
    echo "### connection $CONN: $desc (port $port)"
    echo "\$ $(input_desc) | ${cli[*]}"
    tidy "$b.cout"
    echo "--- openssl -msg: protocol messages sent (>>>) and received (<<<)"
    msgs "$b.cmsg"
  } >>"$TMP/$CAP.client.log"
  [ -f "$b.keys" ] && cat "$b.keys" >>"$TMP/$CAP.keys"
  reset_conn_opts
}

# GnuTLS as the client (gnutls-cli), openssl s_server (SRV) as the server
# conn_gnutls_cli DESC PORT PRIORITY CLIENTCERT
conn_gnutls_cli() {
  local desc=$1 port=$2 prio=$3 cert=$4
  CONN=$((CONN + 1))
  local b="$TMP/$CAP.$CONN"
  local srv=(openssl s_server -accept "127.0.0.1:$port" -naccept 1 "${SERVER_BASE[@]}" "${SRV[@]}" -brief -rev)
  local cli=(gnutls-cli --port "$port" --x509cafile "$PKI/root.pem" --sni-hostname server.test
             --verify-hostname server.test --priority "$prio")
  [ -n "$cert" ] && cli+=(--x509certfile "$PKI/$cert.chain.pem" --x509keyfile "$PKI/$cert.key")
  cli+=(127.0.0.1)
  $NSX timeout 60 "${srv[@]}" -msg -msgfile "$b.smsg" </dev/null >"$b.sout" 2>&1 &
  local spid=$!; PIDS+=("$spid")
  wait_listen "$port"
  $CLI_INPUT | SSLKEYLOGFILE="$b.keys" $NSX timeout 60 "${cli[@]}" >"$b.cout" 2>&1 || true
  reap "$spid" 10
  {
    echo "### connection $CONN: $desc (port $port)"
    echo "\$ ${srv[*]}"
    tidy "$b.sout"
    echo "--- openssl -msg: protocol messages sent (>>>) and received (<<<)"
    msgs "$b.smsg"
  } >>"$TMP/$CAP.server.log"
  {
    echo "### connection $CONN: $desc (port $port)"
    echo "\$ $(input_desc) | SSLKEYLOGFILE=$CAP.keys ${cli[*]}"
    # the public key IDs and pins of the server's certificates are left out
    grep -vE '^\s+(sha1|sha256|pin-sha256):|^\s+Public Key (ID|PIN):|^$' "$b.cout" || true
  } >>"$TMP/$CAP.client.log"
  [ -f "$b.keys" ] && cat "$b.keys" >>"$TMP/$CAP.keys"
  reset_conn_opts
}

# ---------------------------------------------------------------------------------------------
# scenarios
REQ=(-Verify 2 -verify_return_error -CAfile "$PKI/root.pem")   # client certificate required
OPT=(-verify 2 -verify_return_error -CAfile "$PKI/root.pem")   # requested, optional
good=(-cert "$PKI/client-good.pem" -key "$PKI/client-good.key" -cert_chain "$PKI/intermediate.pem")
client_cert() {  # name -> s_client args sending leaf + intermediate
  echo "-cert $PKI/$1.pem -key $PKI/$1.key -cert_chain $PKI/intermediate.pem"
}

# simple: NAME PORT VERSION(12|13) DESCRIPTION; SRV/CLI already set (version flag added here)
simple() {
  local name=$1 port=$2 v=$3 desc=$4
  local vflag=(-tls1_2); [ "$v" = 13 ] && vflag=(-tls1_3)
  if ! selected "$name"; then reset_conn_opts; return 0; fi
  CAP_PORTS=$port CAP_DESC="TLS 1.${v#1}: $desc" cap_begin "$name" lo
  CLI=("${vflag[@]}" "${CLI[@]}")
  conn_openssl "$desc" "$port"
  cap_end
}

scenarios_basic() {
  local v p
  for v in 12 13; do
    p=$((20000 + v * 100))   # 21200.. for TLS 1.2, 21300.. for TLS 1.3
    SRV=("${REQ[@]}"); CLI=("${good[@]}")
    simple "tls$v-mtls-ok" $((p + 1)) $v "client certificate required; client sends leaf + intermediate (client-good)"
    SRV=("${REQ[@]}"); CLI=()
    simple "tls$v-no-client-cert" $((p + 2)) $v "client certificate required; client has none configured"
    SRV=("${REQ[@]}"); CLI=(-cert "$PKI/client-unrelated.pem" -key "$PKI/client-unrelated.key")
    simple "tls$v-unknown-ca" $((p + 3)) $v "client certificate issued by the Unrelated CA, which the server does not trust"
    SRV=("${REQ[@]}"); CLI=($(client_cert client-eku-serverauth))
    simple "tls$v-eku-serverauth" $((p + 4)) $v "client certificate with EKU serverAuth only"
    SRV=("${REQ[@]}"); CLI=($(client_cert client-ku-keyencipherment))
    simple "tls$v-ku-keyencipherment" $((p + 5)) $v "client certificate with KU keyEncipherment only (no digitalSignature)"
    SRV=("${REQ[@]}"); CLI=($(client_cert client-expired))
    simple "tls$v-expired" $((p + 6)) $v "client certificate expired (2020-2021)"
    SRV=("${REQ[@]}"); CLI=($(client_cert client-not-yet-valid))
    simple "tls$v-not-yet-valid" $((p + 7)) $v "client certificate not valid before 2030"
    SRV=("${REQ[@]}"); CLI=(-cert "$PKI/client-good.pem" -key "$PKI/client-good.key")
    simple "tls$v-missing-intermediate" $((p + 8)) $v "client sends only its leaf; the server trusts only the root"
    SRV=("${REQ[@]}" -CRL "$PKI/intermediate.crl.pem" -crl_check); CLI=($(client_cert client-revoked))
    simple "tls$v-revoked" $((p + 9)) $v "client certificate revoked in the intermediate's CRL (server: -CRL -crl_check)"
    SRV=("${OPT[@]}"); CLI=()
    simple "tls$v-optional-no-cert" $((p + 10)) $v "client certificate requested but optional; client sends none"
    SRV=("${OPT[@]}"); CLI=("${good[@]}")
    simple "tls$v-optional-ok" $((p + 11)) $v "client certificate requested but optional; client sends client-good"
    SRV=(); CLI=("${good[@]}")
    simple "tls$v-no-client-auth" $((p + 12)) $v "server does not request a client certificate (client has one configured)"
    SRV=("${REQ[@]}" -max_send_frag 512); CLI=("${good[@]}" -max_send_frag 512)
    simple "tls$v-fragmented" $((p + 13)) $v "mTLS success, both sides send records of at most 512 bytes (handshake messages fragmented)"
    SRV=("${REQ[@]}"); CLI=($(client_cert client-ecdsa))
    simple "tls$v-mtls-ecdsa" $((p + 14)) $v "mTLS success with an ECDSA P-256 client certificate"
    SRV=("${REQ[@]}"); CLI=($(client_cert client-ed25519))
    simple "tls$v-mtls-ed25519" $((p + 15)) $v "mTLS success with an Ed25519 client certificate"
  done
}

scenarios_ciphers() {
  local cs i=0
  for cs in TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256; do
    i=$((i + 1))
    local n; n=$(echo "$cs" | tr 'A-Z_' 'a-z-' | sed 's/^tls-//')
    SRV=("${REQ[@]}" -ciphersuites "$cs"); CLI=("${good[@]}" -ciphersuites "$cs")
    simple "tls13-suite-$n" $((21400 + i)) 13 "mTLS success, TLS 1.3 cipher suite $cs"
  done
  SRV=("${REQ[@]}"); CLI=("${good[@]}" -cipher ECDHE-RSA-AES128-GCM-SHA256)
  simple tls12-suite-ecdhe-rsa-aes128-gcm-sha256 21411 12 "mTLS success, ECDHE-RSA-AES128-GCM-SHA256"
  SRV=("${REQ[@]}"); CLI=("${good[@]}" -cipher ECDHE-RSA-CHACHA20-POLY1305)
  simple tls12-suite-ecdhe-rsa-chacha20-poly1305 21412 12 "mTLS success, ECDHE-RSA-CHACHA20-POLY1305"
  SRV=("${REQ[@]}"); CLI=("${good[@]}" -cipher ECDHE-RSA-AES128-SHA256)
  simple tls12-suite-ecdhe-rsa-aes128-sha256-etm 21413 12 "mTLS success, CBC suite ECDHE-RSA-AES128-SHA256 with encrypt_then_mac"
  SRV=("${REQ[@]}"); CLI=("${good[@]}" -cipher ECDHE-RSA-AES128-SHA256 -no_etm)
  simple tls12-suite-ecdhe-rsa-aes128-sha256-noetm 21414 12 "mTLS success, CBC suite ECDHE-RSA-AES128-SHA256, encrypt_then_mac disabled (-no_etm)"
  SRV=("${REQ[@]}"); CLI=("${good[@]}" -cipher AES128-SHA -no_etm)
  simple tls12-suite-rsa-aes128-sha 21415 12 "mTLS success, static-RSA key exchange AES128-SHA (CBC, MAC-then-encrypt)"
  SRV=("${REQ[@]}" -groups X25519); CLI=("${good[@]}" -groups P-256:X25519)
  simple tls13-hrr-mtls-ok 21416 13 "mTLS success after a HelloRetryRequest (client offers a P-256 key share, server wants X25519)"
}

pha_input() { echo hello; sleep 2.5; echo after-pha; sleep 1; }
scenarios_post_handshake() {
  SRV=(-CAfile "$PKI/root.pem" -verify_return_error); SRV_MODE=cmd; SRV_CMD=c
  CLI=("${good[@]}" -enable_pha); CLI_INPUT=pha_input
  simple tls13-pha-ok 21501 13 "post-handshake auth (client offers it with -enable_pha): handshake without CertificateRequest, the server sends one later (s_server command c); client-good answers"
  SRV=(-CAfile "$PKI/root.pem" -verify_return_error); SRV_MODE=cmd; SRV_CMD=c
  CLI=($(client_cert client-expired) -enable_pha); CLI_INPUT=pha_input
  simple tls13-pha-expired 21502 13 "post-handshake auth (s_server command c) answered with an expired certificate"
  SRV=(-CAfile "$PKI/root.pem" -verify_return_error -no_resumption_on_reneg); SRV_MODE=cmd; SRV_CMD=R
  CLI=("${good[@]}"); CLI_INPUT=pha_input
  simple tls12-reneg-ok 21503 12 "renegotiation: handshake without CertificateRequest, then the server renegotiates asking for a certificate (s_server command R, -no_resumption_on_reneg); client-good answers"
  SRV=(-CAfile "$PKI/root.pem" -verify_return_error -no_resumption_on_reneg); SRV_MODE=cmd; SRV_CMD=R
  CLI=($(client_cert client-expired)); CLI_INPUT=pha_input
  simple tls12-reneg-expired 21504 12 "renegotiation asking for a certificate (s_server command R), answered with an expired one"
}

scenarios_capture_formats() {
  # IPv6
  SRV=("${REQ[@]}"); CLI=("${good[@]}"); HOST=::1
  simple tls13-mtls-ok-ipv6 21601 13 "mTLS success over IPv6 (::1)"
  SRV=("${REQ[@]}"); CLI=($(client_cert client-expired)); HOST=::1
  simple tls12-expired-ipv6 21602 12 "expired client certificate over IPv6 (::1)"
  # pcapng
  SRV=("${REQ[@]}"); CLI=(-cert "$PKI/client-unrelated.pem" -key "$PKI/client-unrelated.key")
  CAP_FORMAT=pcapng simple tls12-unknown-ca-pcapng 21603 12 "unknown CA, written as pcapng (editcap -F pcapng)"
  SRV=("${REQ[@]}"); CLI=($(client_cert client-expired))
  CAP_FORMAT=dsb simple tls13-expired-dsb 21604 13 "expired client certificate, pcapng with the key log embedded (editcap --inject-secrets)"
  # Linux cooked captures (tcpdump -i any)
  if selected tls13-mtls-ok-sll; then
    CAP_PORTS=21605 CAP_DESC="TLS 1.3: mTLS success, captured with tcpdump -i any -y LINUX_SLL (Linux cooked capture v1)" cap_begin tls13-mtls-ok-sll any -y LINUX_SLL
    SRV=("${REQ[@]}"); CLI=(-tls1_3 "${good[@]}")
    conn_openssl "mTLS success, captured on -i any (Linux cooked v1)" 21605
    cap_end
  fi
  if selected tls12-unknown-ca-sll2; then
    CAP_PORTS=21606 CAP_DESC="TLS 1.2: client certificate from the Unrelated CA, captured with tcpdump -i any -y LINUX_SLL2 (Linux cooked capture v2)" cap_begin tls12-unknown-ca-sll2 any -y LINUX_SLL2
    SRV=("${REQ[@]}"); CLI=(-tls1_2 -cert "$PKI/client-unrelated.pem" -key "$PKI/client-unrelated.key")
    conn_openssl "unknown CA, captured on -i any -y LINUX_SLL2 (Linux cooked v2)" 21606
    cap_end
  fi
  # snaplen
  local v
  for v in 12 13; do
    if selected "tls$v-mtls-ok-snaplen200"; then
      CAP_PORTS=$((21606 + v - 10)) CAP_DESC="TLS 1.${v#1}: mTLS success, tcpdump -s 200 (frames cut to 200 bytes: certificates and most records truncated)" cap_begin "tls$v-mtls-ok-snaplen200" lo -s 200
      SRV=("${REQ[@]}"); CLI=(-tls1_$((v - 10)) "${good[@]}")
      conn_openssl "mTLS success, tcpdump -s 200 (every frame cut to 200 bytes)" $((21606 + v - 10))
      cap_end
    fi
  done
  if selected tls12-expired-snaplen200; then
    CAP_PORTS=21610 CAP_DESC="TLS 1.2: expired client certificate, tcpdump -s 200 (frames cut to 200 bytes)" cap_begin tls12-expired-snaplen200 lo -s 200
    SRV=("${REQ[@]}"); CLI=(-tls1_2 $(client_cert client-expired))
    conn_openssl "expired client certificate, tcpdump -s 200" 21610
    cap_end
  fi
}

payload_input() { cat "$TMP/payload.txt"; sleep 3; }

# The namespace's loopback gets MTU 1500 (realistic segment sizes) and loss, reordering and
# duplication. With netem (Debian's kernels have it): netem itself. Kernels without sch_netem
# (like the one these captures were made on) get the same effects from nftables and HTB: nft
# drops 10% of TCP packets before they reach the capture point, moves 25% into a 2 Mbit/s HTB
# class (they queue, and later packets overtake them) and duplicates 5% (`dup to 127.0.0.1`).
# Prints which one was used.
make_lossy_netns() {
  ip netns del "$NS" 2>/dev/null || true
  ip netns add "$NS"
  ip -n "$NS" link set lo mtu 1500 up
  if ip netns exec "$NS" tc qdisc add dev lo root netem delay 10ms reorder 25% 50% loss 10% duplicate 5% 2>/dev/null; then
    echo "netem delay 10ms reorder 25% 50% loss 10% duplicate 5%"
    return 0
  fi
  command -v nft >/dev/null || apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends nftables >&2
  ip netns exec "$NS" tc qdisc add dev lo root handle 1: htb default 10
  ip netns exec "$NS" tc class add dev lo parent 1: classid 1:10 htb rate 1gbit quantum 65536
  ip netns exec "$NS" tc class add dev lo parent 1: classid 1:20 htb rate 2mbit ceil 2mbit burst 2k cburst 2k quantum 1514
  ip netns exec "$NS" nft -f - <<'EOF'
table inet tlstrace_lossy {
  chain out {
    type filter hook output priority 0; policy accept;
    meta l4proto tcp numgen random mod 100 < 10 drop
    meta l4proto tcp numgen random mod 100 < 25 meta priority set 1:20
  }
}
table ip tlstrace_dup {
  chain out {
    type filter hook output priority 10; policy accept;
    meta l4proto tcp numgen random mod 100 < 5 dup to 127.0.0.1
  }
}
EOF
  echo "no sch_netem in this kernel, emulated: nftables drops 10% and duplicates 5% of TCP packets, HTB delays 25% behind a 2 Mbit/s class"
}
scenarios_lossy() {
  local v
  for v in 12 13; do
    local name="lossy-tls$v-mtls" port=$((21700 + v)) attempt
    selected "$name" || continue
    for attempt in 1 2 3 4 5; do
      local impair
      impair=$(make_lossy_netns)
      NSX="ip netns exec $NS"
      CAP_PORTS=$port CAP_DESC="TLS 1.${v#1}: 3 mTLS connections over a lossy loopback (netns $NS, MTU 1500, $impair), about 4 KB each way per connection: retransmissions, out-of-order and duplicate segments" cap_begin "$name" lo
      local i
      for i in 1 2 3; do
        SRV=("${REQ[@]}"); CLI=(-tls1_$((v - 10)) "${good[@]}"); CLI_INPUT=payload_input
        conn_openssl "mTLS success over the lossy loopback, client sends 40 lines (4 KB), the server echoes them reversed" "$port"
      done
      cap_end
      NSX=""
      ip netns del "$NS"
      # want real retransmissions and out-of-order segments, and all 3 connections complete
      local retr ooo ok
      retr=$(tshark -n -r "$name.pcap" -Y tcp.analysis.retransmission 2>/dev/null | wc -l)
      ooo=$(tshark -n -r "$name.pcap" -Y 'tcp.analysis.out_of_order || tcp.analysis.lost_segment' 2>/dev/null | wc -l)
      ok=$(grep -c '^Verification: OK' "$name.client.log" || true)
      log "$name attempt $attempt: retransmissions=$retr out-of-order/lost=$ooo handshakes-ok=$ok/3"
      [ "$retr" -gt 0 ] && [ "$ooo" -gt 0 ] && [ "$ok" -eq 3 ] && break
    done
  done
}

scenarios_multi() {
  local name=multi-conn-mixed
  selected "$name" || return 0
  CAP_PORTS="4433 8443 10443 8080" CAP_DESC="14 connections (11 TLS, 3 plain HTTP): TLS 1.2/1.3 with required, optional and no client auth on ports 4433, 8443 and 10443 (successes and failures), and plain HTTP on 8080" cap_begin "$name" lo
  SRV=("${REQ[@]}"); CLI=(-tls1_3 "${good[@]}")
  conn_openssl "port 4433, TLS 1.3, client certificate required, client-good: success" 4433
  SRV=("${REQ[@]}"); CLI=(-tls1_2 "${good[@]}")
  conn_openssl "port 4433, TLS 1.2, client certificate required, client-good: success" 4433
  conn_http "port 8080, plain HTTP (not TLS)" 8080
  SRV=("${REQ[@]}"); CLI=(-tls1_3)
  conn_openssl "port 4433, TLS 1.3, client certificate required, no certificate" 4433
  SRV=("${REQ[@]}"); CLI=(-tls1_2 $(client_cert client-expired))
  conn_openssl "port 4433, TLS 1.2, client certificate required, expired certificate" 4433
  SRV=("${OPT[@]}"); CLI=(-tls1_3)
  conn_openssl "port 8443, TLS 1.3, optional client certificate, none sent" 8443
  SRV=("${OPT[@]}"); CLI=(-tls1_2 "${good[@]}")
  conn_openssl "port 8443, TLS 1.2, optional client certificate, client-good sent" 8443
  conn_http "port 8080, plain HTTP (not TLS)" 8080
  SRV=(); CLI=(-tls1_3 "${good[@]}")
  conn_openssl "port 10443, TLS 1.3, no client authentication" 10443
  SRV=(); CLI=(-tls1_2)
  conn_openssl "port 10443, TLS 1.2, no client authentication" 10443
  SRV=("${REQ[@]}"); CLI=(-tls1_3 -cert "$PKI/client-unrelated.pem" -key "$PKI/client-unrelated.key")
  conn_openssl "port 10443, TLS 1.3, client certificate required, unknown CA" 10443
  conn_http "port 8080, plain HTTP (not TLS)" 8080
  SRV=("${REQ[@]}"); CLI=(-tls1_3 $(client_cert client-eku-serverauth))
  conn_openssl "port 4433, TLS 1.3, client certificate required, EKU serverAuth only" 4433
  SRV=("${REQ[@]}"); CLI=(-tls1_2 "${good[@]}")
  conn_openssl "port 8443, TLS 1.2, client certificate required, client-good: success" 8443
  cap_end
}

scenarios_nginx() {
  local v p
  for v in 1.2 1.3; do
    local t=tls${v/./}
    p=$((21800 + ${v/./} - 10))    # 21802.. / 21803..
    nginx_one() {  # name port desc verify cert
      selected "$1" || return 0
      CAP_PORTS=$2 CAP_DESC="TLS $v: $3" cap_begin "$1" lo
      conn_nginx "$3" "$2" "$v" "$4" "$5"
      cap_end
    }
    nginx_one "nginx-$t-mtls-ok" $((p + 10)) "nginx ssl_verify_client on, curl sends client-good: HTTP 200" on client-good
    nginx_one "nginx-$t-no-client-cert" $((p + 20)) "nginx ssl_verify_client on, curl sends no certificate: TLS succeeds, HTTP 400" on ""
    nginx_one "nginx-$t-expired" $((p + 30)) "nginx ssl_verify_client on, curl sends an expired certificate: TLS succeeds, HTTP 400" on client-expired
    nginx_one "nginx-$t-optional-no-cert" $((p + 40)) "nginx ssl_verify_client optional, curl sends no certificate: HTTP 200" optional ""
  done
}

scenarios_gnutls() {
  local v p
  ip netns del "$NS_ISO" 2>/dev/null || true
  ip netns add "$NS_ISO"
  ip -n "$NS_ISO" link set lo up
  NSX="ip netns exec $NS_ISO"
  for v in 12 13; do
    local prio="NORMAL:-VERS-ALL:+VERS-TLS1.${v#1}"
    p=$((21900 + v * 10))    # 22020.. / 22030..
    gs_one() {  # name port desc s_client-args...
      local name=$1 port=$2 desc=$3; shift 3
      if ! selected "$name"; then reset_conn_opts; return 0; fi
      CAP_PORTS=$port CAP_DESC="TLS 1.${v#1}: $desc" cap_begin "$name" lo
      CLI=("$@")
      conn_gnutls_serv "$desc" "$port" "$prio"
      cap_end
    }
    gs_one "gnutls-serv-tls$v-mtls-ok" $((p + 1)) "GnuTLS server (gnutls-serv --require-client-cert, inside netns $NS_ISO), openssl client sends client-good" "${good[@]}"
    gs_one "gnutls-serv-tls$v-no-client-cert" $((p + 2)) "GnuTLS server requires a client certificate, openssl client has none" 
    gs_one "gnutls-serv-tls$v-expired" $((p + 3)) "GnuTLS server requires a client certificate, openssl client sends an expired one" $(client_cert client-expired)
    gs_one "gnutls-serv-tls$v-unknown-ca" $((p + 4)) "GnuTLS server requires a client certificate, openssl client sends one from the Unrelated CA" -cert "$PKI/client-unrelated.pem" -key "$PKI/client-unrelated.key"
    gc_one() {  # name port desc clientcert
      selected "$1" || return 0
      CAP_PORTS=$2 CAP_DESC="TLS 1.${v#1}: $3" cap_begin "$1" lo
      SRV=("${REQ[@]}")
      conn_gnutls_cli "$3" "$2" "$prio" "$4"
      cap_end
    }
    gc_one "gnutls-cli-tls$v-mtls-ok" $((p + 5)) "GnuTLS client (gnutls-cli) sends client-good to openssl s_server -Verify 2" client-good
    gc_one "gnutls-cli-tls$v-expired" $((p + 6)) "GnuTLS client (gnutls-cli) sends an expired certificate to openssl s_server -Verify 2" client-expired
  done
  NSX=""
  ip netns del "$NS_ISO"
}

# ---------------------------------------------------------------------------------------------
log "tshark: $(tshark -v 2>/dev/null | head -1)"
# a partial run must not replace the PKI the other captures were made with
[ "$ONLY" != "*" ] && KEEP_PKI=1
if [ "$KEEP_PKI" = 1 ] && [ -f "$PKI/client-good.pem" ]; then
  log "keeping existing PKI"
else
  log "PKI"
  make_pki
fi
python3 - <<'EOF' >"$TMP/payload.txt"
for i in range(40):
    print(("line %02d " % i) + "abcdefghijklmnopqrstuvwxyz0123456789" * 2 + " the quick brown fox")
EOF

scenarios_basic
scenarios_ciphers
scenarios_post_handshake
scenarios_capture_formats
scenarios_lossy
scenarios_multi
scenarios_nginx
scenarios_gnutls

log "tshark views"
tshark_views() {  # capture-file [keylog]
  local f=$1 keys=${2:-} name=${1%.*}
  tshark -n -r "$f" -q -z conv,tcp >"$name.conv.txt" 2>/dev/null
  python3 tshark_view.py "$f" ${keys:+--keylog "$keys"} --out "$name.tshark.json"
}
export -f tshark_views
# one line per capture: "FILE [KEYLOG]"; word-split on purpose
[ -s "$TMP/views" ] && xargs -P "$(nproc)" -d '\n' -n 1 bash -c 'tshark_views $1' _ <"$TMP/views"
for f in $(cut -d' ' -f1 "$TMP/views"); do [ -s "${f%.*}.tshark.json" ] || die "no tshark view for $f"; done
[ -s "$TMP/reap.log" ] && cat "$TMP/reap.log" >&2
log "expected.json and README table"
python3 expected.py
ONLY="$ONLY" bash "$HERE/make-bad-cv.sh"   # *-bad-certificate-verify: tlslite-ng client (pip), rewrites expected.json
ONLY="$ONLY" bash "$HERE/make-extra.sh"    # make-extra.sh's captures (README "Extra captures"), rewrites expected.json
ONLY="$ONLY" bash "$HERE/make-chains.sh"   # make-chains.sh's captures (README "Chain captures"), rewrites expected.json
ONLY="$ONLY" bash "$HERE/make-stacks.sh"   # Go, Node, JSSE, Python (README "Stack captures"), rewrites expected.json
ONLY="$ONLY" bash "$HERE/make-servers.sh"  # Apache, haproxy, stunnel, rustls, cut captures (README "Server captures"), rewrites expected.json
log "done"
