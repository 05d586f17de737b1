#!/usr/bin/env bash
# More real captures, for the rules make.sh's scenarios do not reach (see README.md, "Extra
# captures"): CertificateRequest CA lists (empty, over 16 KiB), client chains sent out of order
# or with the wrong issuer, client signature algorithms the client cannot meet (or ignores),
# session resumption, server certificates the client does not (or does) reject, a version
# mismatch, a KeyUpdate, an RSA-PSS-signed chain with a P-384 leaf, and mTLS after SMTP STARTTLS.
#
#   sudo bash captures/make-extra.sh                      # all of them (needs pki/ from make.sh)
#   sudo ONLY='tls13-*' bash captures/make-extra.sh       # same ONLY patterns as make.sh
#
# make.sh runs this at its end. It reuses pki/ and adds what it needs there (made once, with fixed
# subjects, serials and validity; remade only when missing or no longer issued by pki/root.pem):
#   server-eku-clientauth, server-expired, intermediate-pss + client-p384-pss, many-cas.pem.
# Helpers: tlslite_client.py (a tlslite-ng client that sends its chain as given and can sign with a
# scheme the server did not offer), smtp_starttls_server.py (Python ssl behind SMTP STARTTLS).
# Same layout as make.sh's captures (NAME.pcap, .keys, .server.log, .client.log, .conv.txt,
# .tshark.json); expected.py then rewrites expected.json and the README table.
set -euo pipefail
export LC_ALL=C DEBIAN_FRONTEND=noninteractive
export PYTHONDONTWRITEBYTECODE=1   # tlslite_client.py imports bad_cv_client.py: no __pycache__ here

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$HERE"
PKI=pki                      # relative paths: they appear in the logs' command lines
ONLY=${ONLY:-*}
NAMES=(tls12-ca-list-empty tls13-ca-list-empty tls12-ca-list-too-large
       tls12-chain-misordered tls12-chain-broken
       tls12-sigalg-not-offered tls13-sigalg-not-offered tls12-sigalg-not-offered-forced
       tls12-resumed tls13-resumed
       tls12-server-name-mismatch tls12-server-eku-clientauth tls12-server-expired
       tls12-client-rejects-server tls13-client-rejects-server
       tls12-protocol-mismatch tls13-keyupdate-mtls tls12-mtls-p384-pss smtp-starttls-mtls)

SCRIPT=make-extra.sh
# shellcheck source=aux-common.sh
source "$HERE/aux-common.sh"

# ---------------------------------------------------------------------------------------------
# PKI additions. Each certificate has a fixed subject, serial and validity; it is made only when
# missing (or not issued by the current pki/root.pem, i.e. make.sh made a new PKI). Keys are new
# each time one is made.
extra_pki() {
  local P="$HERE/$PKI" W="$TMP/ca"
  mkdir -p "$W"
  export CADIR="$W"
  cat >"$W/ca.cnf" <<'EOF'
[ ca ]
default_ca = CA_default
[ CA_default ]
dir              = $ENV::CADIR
database         = $dir/index.txt
new_certs_dir    = $dir/newcerts
serial           = $dir/serial
default_md       = sha256
policy           = policy_any
unique_subject   = no
copy_extensions  = none
email_in_dn      = no
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
[ v3_server_clientauth ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature,keyEncipherment
extendedKeyUsage       = clientAuth
subjectAltName         = DNS:server.test,DNS:localhost,IP:127.0.0.1,IP:::1
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
[ v3_client ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
EOF
  genkey() {  # file rsa|p256|p384
    case $2 in
      rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null ;;
      p256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" ;;
      p384) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$1" ;;
    esac
    chmod 644 "$1"
  }
  # issue ISSUER NAME SUBJECT EXTENSIONS NOTBEFORE NOTAFTER KEYTYPE SERIAL [openssl ca options...]
  # (one throwaway CA database per certificate, so the serial is the one given)
  issue() {
    local ca=$1 name=$2 subj=$3 ext=$4 start=$5 end=$6 kt=$7 serial=$8; shift 8
    local d="$W/db-$name"
    mkdir -p "$d/newcerts"; : >"$d/index.txt"; echo "$serial" >"$d/serial"
    genkey "$P/$name.key" "$kt"
    openssl req -new -config "$W/ca.cnf" -key "$P/$name.key" -subj "$subj" -out "$W/$name.csr"
    CADIR="$d" openssl ca -batch -notext -config "$W/ca.cnf" -cert "$P/$ca.pem" -keyfile "$P/$ca.key" \
      -in "$W/$name.csr" -out "$P/$name.pem" -extensions "$ext" -startdate "$start" -enddate "$end" "$@" 2>>"$W/ca.log" ||
      die "openssl ca for $name failed: $(tail -5 "$W/ca.log")"
  }
  # valid NAME [UNTRUSTED]: NAME.pem exists and chains to the current root (expiry ignored)
  valid() {
    [ -f "$P/$1.pem" ] && [ -f "$P/$1.key" ] &&
      openssl verify -no_check_time -CAfile "$P/root.pem" ${2:+-untrusted "$P/$2.pem"} "$P/$1.pem" >/dev/null 2>&1
  }
  local O="/O=tlstrace test PKI" C="/O=tlstrace test PKI/OU=clients"
  local NB=20240101000000Z NA=20440101000000Z PSS=(-sigopt rsa_padding_mode:pss)
  if ! valid server-eku-clientauth intermediate; then
    log "pki: server-eku-clientauth"
    issue intermediate server-eku-clientauth "$O/CN=server.test" v3_server_clientauth $NB $NA rsa 4001
  fi
  if ! valid server-expired intermediate; then
    log "pki: server-expired"
    issue intermediate server-expired "$O/CN=server.test" v3_server 20200101000000Z 20210101000000Z rsa 4002
  fi
  # an RSA intermediate whose certificate, and the P-384 client certificate it issues, carry
  # RSASSA-PSS signatures (OpenSSL 3.0's default salt length for signing: the maximum)
  if ! valid intermediate-pss; then
    log "pki: intermediate-pss"
    issue root intermediate-pss "$O/CN=tlstrace Test Intermediate CA (RSA-PSS)" v3_intermediate \
      20190101000000Z 20480101000000Z rsa 4101 "${PSS[@]}"
    rm -f "$P/client-p384-pss.pem"
  fi
  if ! valid client-p384-pss intermediate-pss; then
    log "pki: client-p384-pss"
    issue intermediate-pss client-p384-pss "$C/CN=client-p384-pss" v3_client $NB $NA p384 4201 "${PSS[@]}"
  fi
  local n
  for n in server-eku-clientauth server-expired; do
    cat "$P/$n.pem" "$P/intermediate.pem" >"$P/$n.chain.pem"
  done
  cat "$P/client-p384-pss.pem" "$P/intermediate-pss.pem" >"$P/client-p384-pss.chain.pem"

  # many-cas.pem: 200 self-signed throwaway CA certificates (one shared P-256 key, not kept), then
  # the real root, last. As an s_server -CAfile it makes the CertificateRequest list 201 names,
  # about 24 KB: more than one 16 KiB record.
  local bundle="$P/many-cas.pem" count=200
  if [ ! -f "$bundle" ] || [ "$(grep -c 'BEGIN CERTIFICATE' "$bundle")" != $((count + 1)) ] ||
     ! tail -n "$(wc -l <"$P/root.pem")" "$bundle" | cmp -s - "$P/root.pem"; then
    log "pki: many-cas.pem ($count throwaway CAs + the root)"
    local d="$W/db-many" i
    mkdir -p "$d/newcerts"; : >"$d/index.txt"
    genkey "$W/many.key" p256
    openssl req -new -config "$W/ca.cnf" -key "$W/many.key" -subj "/CN=placeholder" -out "$W/many.csr"
    : >"$W/many.pem"
    for i in $(seq 1 $count); do
      printf '%X\n' $((0x5000 + i)) >"$d/serial"
      CADIR="$d" openssl ca -batch -notext -config "$W/ca.cnf" -selfsign -keyfile "$W/many.key" -in "$W/many.csr" \
        -subj "$(printf '/O=tlstrace throwaway CAs/OU=padding the CertificateRequest past 16 KiB/CN=Throwaway CA %03d' "$i")" \
        -out "$W/many-$i.pem" -extensions v3_root -startdate 20240101000000Z -enddate 20440101000000Z 2>>"$W/ca.log" ||
        die "openssl ca for throwaway CA $i failed: $(tail -5 "$W/ca.log")"
      cat "$W/many-$i.pem" >>"$W/many.pem"
    done
    cat "$W/many.pem" "$P/root.pem" >"$bundle"
  fi
  openssl verify -CAfile "$P/root.pem" -untrusted "$P/intermediate-pss.pem" "$P/client-p384-pss.pem" >/dev/null ||
    die "client-p384-pss does not verify"
}

# ---------------------------------------------------------------------------------------------
# capture plumbing (as in make.sh; cap_begin/cap_end around one or more conn_* calls)
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
reap() {  # pid [seconds] [file to create before waiting: releases an interactive feeder]
  local pid=$1 secs=${2:-5} i
  for i in $(seq 1 $((secs * 20))); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  [ -n "${3:-}" ] && touch "$3"
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
shown() { local s="$*"; echo "${s//$TMP\//}"; }   # a command line as logged: no temp directory

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

cap_end() {  # [extra tshark_view.py options]
  sleep 0.3                                      # let the last FIN/ACKs reach the capture
  kill -INT "$TCPDUMP_PID" 2>/dev/null || true   # tcpdump flushes and closes the file on SIGINT
  reap "$TCPDUMP_PID" 5
  grep -q 'packets captured' "$TMP/$CAP.tcpdump" || die "tcpdump for $CAP did not stop cleanly"
  cp "$TMP/$CAP.raw" "$CAP.pcap"
  cp "$TMP/$CAP.server.log" "$CAP.server.log"
  cp "$TMP/$CAP.client.log" "$CAP.client.log"
  [ -s "$TMP/$CAP.keys" ] || die "$CAP: no key log"
  cp "$TMP/$CAP.keys" "$CAP.keys"
  echo "$CAP.pcap $CAP.keys $*" >>"$TMP/views"
}

# per connection (reset after each): SRV / CLI extra arguments, SRV_BASE / CLI_BASE the defaults,
# CLI_INPUT the function that writes the client's stdin
SERVER_BASE=(-cert "$PKI/server.pem" -cert_chain "$PKI/intermediate.pem" -key "$PKI/server.key" -no-CApath -no-CAstore)
CLIENT_BASE=(-servername server.test -CAfile "$PKI/root.pem" -no-CApath -no-CAstore -verify_return_error -brief)
REQ=(-Verify 2 -verify_return_error -CAfile "$PKI/root.pem")   # make.sh's "client certificate required"
good=(-cert "$PKI/client-good.pem" -key "$PKI/client-good.key" -cert_chain "$PKI/intermediate.pem")
hello_input() { echo hello; sleep 0.6; }
keyupdate_input() { echo hello; sleep 0.5; echo K; sleep 0.5; echo after-keyupdate; sleep 0.6; }
input_desc() {
  case $1 in
    hello_input) echo "(echo hello; sleep 0.6)" ;;
    keyupdate_input) echo "(echo hello; sleep 0.5; echo K; sleep 0.5; echo after-keyupdate; sleep 0.6)" ;;
    *) echo "($1)" ;;
  esac
}
reset_conn_opts() {
  SRV=(); CLI=(); SRV_BASE=("${SERVER_BASE[@]}"); CLI_BASE=("${CLIENT_BASE[@]}"); CLI_INPUT=hello_input
}
reset_conn_opts

# append one connection's section to the capture's logs
log_openssl_server() {  # desc port "cmd" sout smsg
  {
    echo "### connection $CONN: $1 (port $2)"
    echo "\$ $3"
    tidy "$4"
    echo "--- openssl -msg: protocol messages sent (>>>) and received (<<<)"
    msgs "$5"
  } >>"$TMP/$CAP.server.log"
}
log_openssl_client() {  # desc port "cmd" cout cmsg
  {
    echo "### connection $CONN: $1 (port $2)"
    echo "\$ $3"
    tidy "$4"
    echo "--- openssl -msg: protocol messages sent (>>>) and received (<<<)"
    msgs "$5"
  } >>"$TMP/$CAP.client.log"
}

# one s_server (-brief -rev) / s_client connection
conn_openssl() {  # desc port
  local desc=$1 port=$2
  CONN=$((CONN + 1))
  local b="$TMP/$CAP.$CONN"
  local srv=(openssl s_server -accept "127.0.0.1:$port" -naccept 1 "${SRV_BASE[@]}" "${SRV[@]}" -brief -rev)
  local cli=(openssl s_client -connect "127.0.0.1:$port" "${CLI_BASE[@]}" "${CLI[@]}")
  timeout 90 "${srv[@]}" -msg -msgfile "$b.smsg" </dev/null >"$b.sout" 2>&1 &
  local spid=$!; PIDS+=("$spid")
  wait_listen "$port"
  $CLI_INPUT | timeout 90 "${cli[@]}" -keylogfile "$b.keys" -msg -msgfile "$b.cmsg" >"$b.cout" 2>&1 || true
  reap "$spid" 10
  log_openssl_server "$desc" "$port" "${srv[*]}" "$b.sout" "$b.smsg"
  log_openssl_client "$desc" "$port" "$(input_desc "$CLI_INPUT") | ${cli[*]}" "$b.cout" "$b.cmsg"
  [ -f "$b.keys" ] && cat "$b.keys" >>"$TMP/$CAP.keys"
  reset_conn_opts
}

# one s_server (SRV) / tlslite_client.py connection; TLSLITE=(tlslite_client.py options)
conn_tlslite() {  # desc port tls(1.2|1.3)
  local desc=$1 port=$2 tls=$3
  CONN=$((CONN + 1))
  local b="$TMP/$CAP.$CONN"
  local srv=(openssl s_server -accept "127.0.0.1:$port" -naccept 1 "${SRV_BASE[@]}" "${SRV[@]}" -brief -rev)
  local cli=(python3 tlslite_client.py --port "$port" --tls "$tls" "${TLSLITE[@]}")
  timeout 90 "${srv[@]}" -msg -msgfile "$b.smsg" -keylogfile "$b.server-keys" </dev/null >"$b.sout" 2>&1 &
  local spid=$!; PIDS+=("$spid")
  wait_listen "$port"
  timeout 90 "${cli[@]}" --keylogfile "$b.keys" </dev/null >"$b.cout" 2>&1 || true
  reap "$spid" 10
  log_openssl_server "$desc" "$port" "${srv[*]}" "$b.sout" "$b.smsg"
  {
    echo "### connection $CONN: $desc (port $port)"
    echo "\$ ${cli[*]}"
    cat "$b.cout"
  } >>"$TMP/$CAP.client.log"
  # the client's key log (tlslite-ng has none: bad_cv_client.py's) must match the server's
  [ -s "$b.keys" ] || die "$CAP: no key log from the client"
  local l
  while read -r l; do
    case $l in '#'*|''|EXPORTER_SECRET*) continue ;; esac
    grep -qxF "$l" "$b.keys" || die "$CAP: s_server's key log line not in the client's: $l"
  done <"$b.server-keys"
  cat "$b.keys" >>"$TMP/$CAP.keys"
  TLSLITE=()
  reset_conn_opts
}

# a full handshake, then a resumed one: one s_server (-naccept 2) serves two s_client runs, the
# first saving its session (-sess_out), the second offering it (-sess_in). The server's output
# is split between the two connections where it stood when the first client had finished.
conn_openssl_resumed() {  # desc1 desc2 port tls-flag
  local d1=$1 d2=$2 port=$3 vflag=$4
  local b="$TMP/$CAP.res"
  local srv=(openssl s_server -accept "127.0.0.1:$port" -naccept 2 "${SRV_BASE[@]}" "${REQ[@]}" -brief -rev)
  local c1=(openssl s_client -connect "127.0.0.1:$port" "${CLI_BASE[@]}" "$vflag" "${good[@]}" -sess_out "$TMP/$CAP.session.pem")
  local c2=(openssl s_client -connect "127.0.0.1:$port" "${CLI_BASE[@]}" "$vflag" "${good[@]}" -sess_in "$TMP/$CAP.session.pem")
  timeout 90 "${srv[@]}" -msg -msgfile "$b.smsg" </dev/null >"$b.sout" 2>&1 &
  local spid=$!; PIDS+=("$spid")
  wait_listen "$port"
  hello_input | timeout 90 "${c1[@]}" -keylogfile "$b.1.keys" -msg -msgfile "$b.1.cmsg" >"$b.1.cout" 2>&1 || true
  sleep 0.5                                   # the server finishes with connection 1
  local so mo
  so=$(stat -c %s "$b.sout"); mo=$(stat -c %s "$b.smsg")
  [ -s "$TMP/$CAP.session.pem" ] || die "$CAP: s_client saved no session"
  hello_input | timeout 90 "${c2[@]}" -keylogfile "$b.2.keys" -msg -msgfile "$b.2.cmsg" >"$b.2.cout" 2>&1 || true
  reap "$spid" 10
  head -c "$so" "$b.sout" >"$b.1.sout"; tail -c +"$((so + 1))" "$b.sout" >"$b.2.sout"
  head -c "$mo" "$b.smsg" >"$b.1.smsg"; tail -c +"$((mo + 1))" "$b.smsg" >"$b.2.smsg"
  CONN=1
  log_openssl_server "$d1" "$port" "${srv[*]}" "$b.1.sout" "$b.1.smsg"
  log_openssl_client "$d1" "$port" "$(input_desc hello_input) | $(shown "${c1[*]}")" "$b.1.cout" "$b.1.cmsg"
  CONN=2
  log_openssl_server "$d2" "$port" "${srv[*]}   # (the same s_server process as connection 1)" "$b.2.sout" "$b.2.smsg"
  log_openssl_client "$d2" "$port" "$(input_desc hello_input) | $(shown "${c2[*]}")" "$b.2.cout" "$b.2.cmsg"
  cat "$b.1.keys" "$b.2.keys" >>"$TMP/$CAP.keys"
  # both connections did what they are for
  grep -q ', CertificateRequest$' "$b.1.smsg" || die "$CAP: no CertificateRequest in the full handshake"
  grep -q ', ServerHello$' "$b.2.smsg" || die "$CAP: no second handshake"
  ! grep -q '^>>> .*, Certificate$' "$b.2.smsg" || die "$CAP: the second handshake was not resumed"
  reset_conn_opts
}

# SMTP STARTTLS: smtp_starttls_server.py, openssl s_client -starttls smtp
conn_smtp() {  # desc port
  local desc=$1 port=$2
  CONN=$((CONN + 1))
  local b="$TMP/$CAP.$CONN"
  local srv=(python3 smtp_starttls_server.py --port "$port" --cert "$PKI/server.chain.pem" --key "$PKI/server.key" --cafile "$PKI/root.pem")
  local cli=(openssl s_client -connect "127.0.0.1:$port" -starttls smtp -name client.test "${CLIENT_BASE[@]}" "${good[@]}" -nocommands -crlf)
  timeout 60 "${srv[@]}" --keylogfile "$b.server-keys" </dev/null >"$b.sout" 2>&1 &
  local spid=$!; PIDS+=("$spid")
  wait_listen "$port"
  smtp_input() { sleep 0.5; echo "EHLO client.test"; sleep 0.3; echo "NOOP"; sleep 0.3; echo "quit"; sleep 0.5; }
  smtp_input | timeout 60 "${cli[@]}" -keylogfile "$b.keys" -msg -msgfile "$b.cmsg" >"$b.cout" 2>&1 || true
  reap "$spid" 10
  {
    echo "### connection $CONN: $desc (port $port)"
    echo "\$ ${srv[*]}"
    cat "$b.sout"
  } >>"$TMP/$CAP.server.log"
  log_openssl_client "$desc" "$port" "(sleep 0.5; echo 'EHLO client.test'; sleep 0.3; echo NOOP; sleep 0.3; echo quit; sleep 0.5) | ${cli[*]}" "$b.cout" "$b.cmsg"
  local l
  while read -r l; do
    case $l in '#'*|'') continue ;; esac
    grep -qxF "$l" "$b.keys" || die "$CAP: the server's key log line not in the client's: $l"
  done <"$b.server-keys"
  cat "$b.keys" >>"$TMP/$CAP.keys"
}

# simple: NAME PORT VERSION(12|13) DESCRIPTION; SRV/CLI already set (version flag added here)
simple() {
  local name=$1 port=$2 v=$3 desc=$4
  local vflag=(-tls1_2); [ "$v" = 13 ] && vflag=(-tls1_3)
  if ! selected "$name"; then reset_conn_opts; return 0; fi
  cap_begin "$name" "$port" "TLS 1.${v#1}: $desc"
  CLI=("${vflag[@]}" "${CLI[@]}")
  conn_openssl "$desc" "$port"
  cap_end
}

# ---------------------------------------------------------------------------------------------
# checks: the outcome each capture exists for, from the logs (and tshark where the logs cannot tell)
slog() { cat "$1.server.log"; }
clog() { cat "$1.client.log"; }
expect() {  # name description command...
  local name=$1 what=$2; shift 2
  "$@" || die "$name: $what"
}
has() { grep -qE -- "$2" "$1"; }           # file regex

tls_fields() {  # capture: "frame<TAB>handshake types<TAB>alert" per TLS frame, decrypted
  tshark -n -r "$1.pcap" -o "tls.keylog_file:$1.keys" ${2:+-d "$2"} -Y tls -T fields \
    -e frame.number -e tls.handshake.type -e tls.alert_message.desc 2>/dev/null
}

# ---------------------------------------------------------------------------------------------
log "PKI additions"
extra_pki

# 1. CertificateRequest without CA names: -verifyCAfile sets only the verification store, and
#    -no-CAfile keeps the client CA list (SSL_CTX_set_client_CA_list, which s_server fills from
#    -CAfile) empty.
for v in 12 13; do
  SRV=(-Verify 2 -verify_return_error -no-CAfile -verifyCAfile "$PKI/root.pem"); CLI=("${good[@]}")
  simple "tls$v-ca-list-empty" $((22200 + v - 11)) $v "client certificate required, but the CertificateRequest names no CA (s_server -no-CAfile -verifyCAfile pki/root.pem: it verifies with the root, its client CA list is empty); client-good"
done

# 2. a CertificateRequest whose CA list is over 16 KiB (two records)
SRV=(-Verify 2 -verify_return_error -CAfile "$PKI/many-cas.pem"); CLI=("${good[@]}")
simple tls12-ca-list-too-large 22203 12 "client certificate required; the server's -CAfile is pki/many-cas.pem (200 throwaway CAs + the root), so the CertificateRequest lists 201 CA names (about 24 KB, more than one 16 KiB record); client-good"

# 3. client chains in the wrong order / with the wrong issuer (tlslite_client.py sends them as given)
if selected tls12-chain-misordered; then
  d="tlslite-ng client (tlslite_client.py) sends client-good, then the root, then the intermediate (wrong order) to openssl s_server -Verify 2"
  cap_begin tls12-chain-misordered 22211 "TLS 1.2: $d"
  SRV=("${REQ[@]}"); TLSLITE=(--key "$PKI/client-good.key" --chain "$PKI/client-good.pem" "$PKI/root.pem" "$PKI/intermediate.pem")
  conn_tlslite "$d" 22211 1.2
  cap_end
fi
if selected tls12-chain-broken; then
  d="tlslite-ng client (tlslite_client.py) sends client-good followed by the Unrelated CA's certificate instead of its issuer (the intermediate) to openssl s_server -Verify 2"
  cap_begin tls12-chain-broken 22212 "TLS 1.2: $d"
  SRV=("${REQ[@]}"); TLSLITE=(--key "$PKI/client-good.key" --chain "$PKI/client-good.pem" "$PKI/unrelated.pem")
  conn_tlslite "$d" 22212 1.2
  cap_end
fi

# 4. the server accepts only ECDSA+SHA256 client signatures; the client has only an RSA key
for v in 12 13; do
  SRV=("${REQ[@]}" -client_sigalgs ECDSA+SHA256); CLI=("${good[@]}")
  simple "tls$v-sigalg-not-offered" $((22220 + v - 11)) $v "server requires a client certificate and allows only ECDSA+SHA256 client signatures (s_server -client_sigalgs ECDSA+SHA256); the client has only RSA client-good"
done
if selected tls12-sigalg-not-offered-forced; then
  d="server allows only ECDSA+SHA256 client signatures (s_server -client_sigalgs ECDSA+SHA256); tlslite-ng client (tlslite_client.py --force-sigalg rsa_pkcs1_sha256) sends RSA client-good + intermediate anyway and signs CertificateVerify with rsa_pkcs1_sha256, which the server did not list"
  cap_begin tls12-sigalg-not-offered-forced 22223 "TLS 1.2: $d"
  SRV=("${REQ[@]}" -client_sigalgs ECDSA+SHA256)
  TLSLITE=(--key "$PKI/client-good.key" --chain "$PKI/client-good.pem" "$PKI/intermediate.pem" --force-sigalg rsa_pkcs1_sha256)
  conn_tlslite "$d" 22223 1.2
  cap_end
fi

# 5. resumption
for v in 12 13; do
  name="tls$v-resumed"
  selected "$name" || continue
  if [ $v = 12 ]; then r="session ticket (RFC 5077)"; else r="PSK from a NewSessionTicket (psk_dhe_ke)"; fi
  cap_begin "$name" $((22230 + v - 11)) "TLS 1.${v#1}: two connections to one s_server (-naccept 2, client certificate required): a full handshake with client-good (s_client -sess_out), then a resumed one ($r, s_client -sess_in) without CertificateRequest"
  conn_openssl_resumed "full handshake, client certificate required, client-good; s_client saves the session" \
    "resumed handshake ($r): no CertificateRequest, no client certificate; the server keeps the first connection's client identity" \
    $((22230 + v - 11)) -tls1_$((v - 10))
  cap_end
done

# 6. server certificates the client does not check (or checks and goes on)
SRV=("${REQ[@]}"); CLI=("${good[@]}"); CLI_BASE=(-servername wrong.test -CAfile "$PKI/root.pem" -no-CApath -no-CAstore -verify_return_error -brief)
simple tls12-server-name-mismatch 22241 12 "client asks for SNI wrong.test (not in the server certificate's SAN) and does not check the name (s_client without -verify_hostname); mTLS with client-good succeeds"
SRV=("${REQ[@]}"); SRV_BASE=(-cert "$PKI/server-eku-clientauth.pem" -cert_chain "$PKI/intermediate.pem" -key "$PKI/server-eku-clientauth.key" -no-CApath -no-CAstore)
CLI=("${good[@]}"); CLI_BASE=(-servername server.test -CAfile "$PKI/root.pem" -no-CApath -no-CAstore -brief)
simple tls12-server-eku-clientauth 22242 12 "server certificate with EKU clientAuth only (pki/server-eku-clientauth); the client logs the purpose error but goes on (s_client without -verify_return_error); mTLS with client-good succeeds"
SRV=("${REQ[@]}"); SRV_BASE=(-cert "$PKI/server-expired.pem" -cert_chain "$PKI/intermediate.pem" -key "$PKI/server-expired.key" -no-CApath -no-CAstore)
CLI=("${good[@]}"); CLI_BASE=(-servername server.test -CAfile "$PKI/root.pem" -no-CApath -no-CAstore -brief)
simple tls12-server-expired 22243 12 "server certificate expired (pki/server-expired, 2020-2021); the client logs the error but goes on (s_client without -verify_return_error); mTLS with client-good succeeds"

# 7. the client rejects the server: it trusts only the Unrelated CA
for v in 12 13; do
  SRV=("${REQ[@]}"); CLI=("${good[@]}"); CLI_BASE=(-servername server.test -CAfile "$PKI/unrelated.pem" -no-CApath -no-CAstore -verify_return_error -brief)
  simple "tls$v-client-rejects-server" $((22250 + v - 11)) $v "client verifies the server against the Unrelated CA only (s_client -CAfile pki/unrelated.pem -verify_return_error) and aborts; the server had asked for a client certificate"
done

# 8. versions that do not meet
SRV=("${REQ[@]}" -tls1_2); CLI=("${good[@]}")
if selected tls12-protocol-mismatch; then
  cap_begin tls12-protocol-mismatch 22261 "client offers TLS 1.3 only (s_client -tls1_3), server allows TLS 1.2 only (s_server -tls1_2)"
  CLI=(-tls1_3 "${CLI[@]}")
  conn_openssl "client TLS 1.3 only, server TLS 1.2 only (client certificate required)" 22261
  cap_end
else
  reset_conn_opts
fi

# 9. KeyUpdate (s_client command K: update, and ask the server to update too)
SRV=("${REQ[@]}"); CLI=("${good[@]}"); CLI_INPUT=keyupdate_input
simple tls13-keyupdate-mtls 22271 13 "mTLS success (client-good), then the client sends a KeyUpdate with update_requested (s_client command K) and the server answers with its own; application data both ways before and after"

# 10. ECDSA P-384 client certificate under an RSA-PSS-signed intermediate
SRV=("${REQ[@]}"); CLI=(-cert "$PKI/client-p384-pss.pem" -key "$PKI/client-p384-pss.key" -cert_chain "$PKI/intermediate-pss.pem")
simple tls12-mtls-p384-pss 22281 12 "mTLS success with an ECDSA P-384 client certificate (client-p384-pss) issued by an intermediate (intermediate-pss) whose certificate and signatures are RSASSA-PSS (openssl ca -sigopt rsa_padding_mode:pss, maximum salt length)"

# 11. SMTP STARTTLS
if selected smtp-starttls-mtls; then
  d="SMTP on port 2525: greeting, EHLO and STARTTLS in plaintext, then TLS (Python ssl server, CERT_REQUIRED with pki/root.pem; openssl s_client -starttls smtp with client-good), then EHLO/NOOP/QUIT inside TLS"
  cap_begin smtp-starttls-mtls 2525 "$d"
  conn_smtp "$d" 2525
  cap_end --decode-as tcp.port==2525,smtp
fi

# ---------------------------------------------------------------------------------------------
log "tshark views"
while read -r f k opts; do
  n=${f%.pcap}
  tshark -n -r "$f" -q -z conv,tcp >"$n.conv.txt" 2>/dev/null
  # shellcheck disable=SC2086
  python3 tshark_view.py "$f" --keylog "$k" --out "$n.tshark.json" $opts
done <"$TMP/views"

log "checks"
check() {  # name: the outcome the scenario is for, from the logs and tshark
  local n=$1
  selected "$n" || return 0
  local s="$n.server.log" c="$n.client.log" t
  t=$(tls_fields "$n" "${2:-}")
  case $n in
    tls1?-ca-list-empty|tls12-ca-list-too-large|tls12-server-*|tls12-mtls-p384-pss|tls13-keyupdate-mtls|tls12-chain-misordered)
      expect "$n" "the server did not accept the client" has "$s" '^Peer certificate: .*CN = client-' ;&
    *) ;;
  esac
  case $n in
    tls1?-ca-list-empty)
      # the CertificateRequest's certificate_authorities: TLS 1.2 distinguished names length 0;
      # TLS 1.3 no certificate_authorities extension at all
      local cr
      cr=$(tshark -n -r "$n.pcap" -o "tls.keylog_file:$n.keys" -Y 'tls.handshake.type == 13' -T fields \
             -e tls.handshake.dnames_len 2>/dev/null)
      case $n in
        tls12-*) expect "$n" "CertificateRequest lists CA names ($cr bytes)" test "$cr" = 0 ;;
        tls13-*) expect "$n" "CertificateRequest has certificate_authorities ($cr bytes)" test -z "$cr" ;;
      esac ;;
    tls12-ca-list-too-large)
      local dl
      dl=$(tshark -n -r "$n.pcap" -Y 'tls.handshake.type == 13' -T fields -e tls.handshake.dnames_len 2>/dev/null)
      expect "$n" "CA names only $dl bytes" test "${dl:-0}" -gt 16384 ;;
    tls12-chain-broken)
      expect "$n" "no unknown CA" has "$s" '^verify error:num=20:' ;;
    tls1?-sigalg-not-offered)
      expect "$n" "the client sent a certificate" has "$s" 'peer did not return a certificate' ;;
    tls12-sigalg-not-offered-forced)
      expect "$n" "the client did not force the scheme" has "$c" '^CertificateVerify signed with rsa_pkcs1_sha256$'
      expect "$n" "the server did not reject the scheme" has "$s" 'wrong signature type' ;;
    tls1?-resumed)
      expect "$n" "not two handshakes" test "$(grep -c 'ClientHello$' "$s")" = 2 ;;
    tls12-server-eku-clientauth)
      expect "$n" "the client did not log the purpose error" has "$c" '^verify error:num=26:' ;;
    tls12-server-expired)
      expect "$n" "the client did not log the expiry" has "$c" '^verify error:num=10:' ;;
    tls1?-client-rejects-server)
      expect "$n" "the client sent no unknown_ca" has "$c" '^>>> .*Alert.*fatal unknown_ca'
      expect "$n" "tshark does not show alert 48" grep -qP '\t48$' <<<"$t" ;;
    tls12-protocol-mismatch)
      expect "$n" "no protocol_version alert" has "$s" '^>>> .*Alert.*fatal protocol_version' ;;
    tls13-keyupdate-mtls)
      expect "$n" "not two KeyUpdates" test "$(grep -cE '^(<<<|>>>) .*KeyUpdate$' "$s")" = 2
      expect "$n" "no data after the KeyUpdate" has "$c" '^etadpuyek-retfa$'
      expect "$n" "tshark does not decrypt two KeyUpdates" test "$(grep -cP '\t24(\t|$)' <<<"$t")" = 2 ;;
    smtp-starttls-mtls)
      expect "$n" "the server did not verify the client" has "$s" '^client certificate verified: '
      expect "$n" "tshark sees no TLS after STARTTLS" grep -qP '\t1(\t|$)' <<<"$t" ;;
  esac
}
for n in "${NAMES[@]}"; do
  case $n in smtp-*) check "$n" tcp.port==2525,smtp ;; *) check "$n" ;; esac
done

log "expected.json and README table"
python3 expected.py
