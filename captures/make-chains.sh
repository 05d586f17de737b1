#!/usr/bin/env bash
# Captures of certificate chains and keys that are wrong in ways only a signature check or a CA
# check can tell (see README.md, "Chain captures"):
#   tls12-chain-signature-invalid  the client sends client-good with a *reissued* intermediate (same
#                                  name and key identifier, new key): client-good's signature does not
#                                  verify with the intermediate it shipped
#   tls12-issuer-not-a-ca          the client certificate was issued by a CA:FALSE certificate, which
#                                  the client sends between its leaf and the intermediate
#   tls13-mtls-ed448               mTLS success with an Ed448 client certificate
#   tls12-server-key-mismatch      a tlslite-ng server (tlslite_server.py) sends server.pem but signs
#                                  its ServerKeyExchange with another key; s_client rejects it
#
#   sudo bash captures/make-chains.sh                     # all of them (needs pki/ from make.sh)
#   sudo ONLY='tls13-*' bash captures/make-chains.sh      # same ONLY patterns as make.sh
#
# make.sh runs this at its end. It reuses pki/ and adds what it needs there, each certificate with
# a fixed subject, serial, validity and profile, made only when missing or no longer what it is
# meant to be (e.g. make.sh made a new PKI); keys are new each time one is made:
#   intermediate-reissued, client-signer-not-ca + client-under-not-ca, client-ed448,
#   server-ske-signer.key.
# Same layout as make.sh's captures (NAME.pcap, .keys, .server.log, .client.log, .conv.txt,
# .tshark.json); expected.py then rewrites expected.json and the README table.
set -euo pipefail
export LC_ALL=C DEBIAN_FRONTEND=noninteractive
export PYTHONDONTWRITEBYTECODE=1   # tlslite_server.py imports bad_cv_client.py: no __pycache__ here

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$HERE"
PKI=pki                      # relative paths: they appear in the logs' command lines
ONLY=${ONLY:-*}
NAMES=(tls12-chain-signature-invalid tls12-issuer-not-a-ca tls13-mtls-ed448 tls12-server-key-mismatch)

SCRIPT=make-chains.sh
# shellcheck source=aux-common.sh
source "$HERE/aux-common.sh"

# ---------------------------------------------------------------------------------------------
# PKI additions
ski() { openssl x509 -in "$1" -noout -ext subjectKeyIdentifier 2>/dev/null | sed -n '2s/^ *//p'; }
subject() { openssl x509 -in "$1" -noout -subject -nameopt RFC2253 2>/dev/null; }
modulus() { openssl rsa -in "$1" -noout -modulus 2>/dev/null | sed 's/^Modulus=//'; }
# the verify errors `openssl verify` reports (on stderr; it goes on after each), as "N@DEPTH" words
verify_errors() {  # cafile untrusted-file cert
  { openssl verify -CAfile "$1" -untrusted "$2" "$3" 2>&1 || true; } |
    sed -n 's/^error \([0-9]*\) at \([0-9]*\) depth lookup:.*/\1@\2/p' | tr '\n' ' ' | sed 's/ $//'
}

chains_pki() {
  local P="$HERE/$PKI" W="$TMP/ca"
  mkdir -p "$W"
  export CADIR="$W"
  # the reissued intermediate copies the real one's subjectKeyIdentifier, so that client-good's
  # authorityKeyIdentifier matches it too (with a new one OpenSSL does not take it for the issuer
  # at all and says "unable to get local issuer certificate")
  local iski; iski=$(ski "$P/intermediate.pem")
  [ -n "$iski" ] || die "pki/intermediate.pem has no subjectKeyIdentifier"
  cat >"$W/ca.cnf" <<EOF
[ ca ]
default_ca = CA_default
[ CA_default ]
dir              = \$ENV::CADIR
database         = \$dir/index.txt
new_certs_dir    = \$dir/newcerts
serial           = \$dir/serial
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
[ v3_intermediate_reissued ]
basicConstraints       = critical,CA:TRUE,pathlen:0
keyUsage               = critical,keyCertSign,cRLSign
subjectKeyIdentifier   = $iski
authorityKeyIdentifier = keyid:always
[ v3_client ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
EOF
  genkey() {  # file rsa|ed448
    case $2 in
      rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null ;;
      ed448) openssl genpkey -algorithm ED448 -out "$1" ;;
    esac
    chmod 644 "$1"
  }
  # issue ISSUER NAME SUBJECT EXTENSIONS NOTBEFORE NOTAFTER KEYTYPE SERIAL (as make-extra.sh)
  issue() {
    local ca=$1 name=$2 subj=$3 ext=$4 start=$5 end=$6 kt=$7 serial=$8
    local d="$W/db-$name"
    mkdir -p "$d/newcerts"; : >"$d/index.txt"; echo "$serial" >"$d/serial"
    genkey "$P/$name.key" "$kt"
    openssl req -new -config "$W/ca.cnf" -key "$P/$name.key" -subj "$subj" -out "$W/$name.csr"
    CADIR="$d" openssl ca -batch -notext -config "$W/ca.cnf" -cert "$P/$ca.pem" -keyfile "$P/$ca.key" \
      -in "$W/$name.csr" -out "$P/$name.pem" -extensions "$ext" -startdate "$start" -enddate "$end" 2>>"$W/ca.log" ||
      die "openssl ca for $name failed: $(tail -5 "$W/ca.log")"
  }
  valid() {  # NAME [UNTRUSTED]: NAME.pem exists and chains to the current root
    [ -f "$P/$1.pem" ] && [ -f "$P/$1.key" ] &&
      openssl verify -CAfile "$P/root.pem" ${2:+-untrusted "$P/$2.pem"} "$P/$1.pem" >/dev/null 2>&1
  }
  local C="/O=tlstrace test PKI/OU=clients" NB=20240101000000Z NA=20440101000000Z

  # 1. the intermediate "reissued": same subject, same subjectKeyIdentifier, a new key, signed by
  #    the root; client-good (signed with the real intermediate's key) does not verify with it
  if ! valid intermediate-reissued ||
     [ "$(subject "$P/intermediate-reissued.pem")" != "$(subject "$P/intermediate.pem")" ] ||
     [ "$(ski "$P/intermediate-reissued.pem")" != "$iski" ] ||
     [ "$(verify_errors "$P/root.pem" "$P/intermediate-reissued.pem" "$P/client-good.pem")" != "7@0" ]; then
    log "pki: intermediate-reissued"
    # the subject exactly as in intermediate.pem (make.sh: "/O=tlstrace test PKI/CN=tlstrace Test Intermediate CA")
    local isubj
    isubj=$(openssl x509 -in "$P/intermediate.pem" -noout -subject -nameopt compat | sed 's/^subject=//')
    issue root intermediate-reissued "$isubj" v3_intermediate_reissued 20190101000000Z 20480101000000Z rsa 4301
    [ "$(verify_errors "$P/root.pem" "$P/intermediate-reissued.pem" "$P/client-good.pem")" = "7@0" ] ||
      die "client-good with intermediate-reissued: not a signature failure"
  fi

  # 2. a client certificate (CA:FALSE) that issued another client certificate
  if ! valid client-signer-not-ca intermediate; then
    log "pki: client-signer-not-ca"
    issue intermediate client-signer-not-ca "$C/CN=client-signer-not-ca" v3_client $NB $NA rsa 4401
    rm -f "$P/client-under-not-ca.pem"
  fi
  cat "$P/client-signer-not-ca.pem" "$P/intermediate.pem" >"$P/client-signer-not-ca.chain.pem"
  # openssl verify goes on after each error: 79 (invalid CA) at the signer first, then the
  # intermediate's pathlen:0 (25) and the signer's missing keyCertSign (32); no signature error
  local want_under="79@1 25@2 32@1"
  if [ ! -f "$P/client-under-not-ca.pem" ] || [ ! -f "$P/client-under-not-ca.key" ] ||
     [ "$(verify_errors "$P/root.pem" "$P/client-signer-not-ca.chain.pem" "$P/client-under-not-ca.pem")" != "$want_under" ]; then
    log "pki: client-under-not-ca"
    issue client-signer-not-ca client-under-not-ca "$C/CN=client-under-not-ca" v3_client $NB $NA rsa 4402
    local got
    got=$(verify_errors "$P/root.pem" "$P/client-signer-not-ca.chain.pem" "$P/client-under-not-ca.pem")
    [ "$got" = "$want_under" ] || die "client-under-not-ca: openssl verify says '$got', not '$want_under'"
  fi
  cat "$P/client-under-not-ca.pem" "$P/client-signer-not-ca.pem" "$P/intermediate.pem" >"$P/client-under-not-ca.chain.pem"

  # 3. Ed448 client certificate (the intermediate signs it with RSA)
  if ! valid client-ed448 intermediate; then
    log "pki: client-ed448"
    issue intermediate client-ed448 "$C/CN=client-ed448" v3_client $NB $NA ed448 4501
  fi
  cat "$P/client-ed448.pem" "$P/intermediate.pem" >"$P/client-ed448.chain.pem"

  # 4. the key tlslite_server.py signs its ServerKeyExchange with: RSA 2048 like server.key, modulus
  #    below server.key's (as make-bad-cv.sh's bad-cv-signer.key for client-good), so that
  #    s_client gets as far as the RSA operation and the padding check
  local server_n; server_n=$(modulus "$P/server.key")
  signer_ok() {
    local n; n=$(modulus "$P/server-ske-signer.key")
    [ ${#n} = ${#server_n} ] && [[ $n < $server_n ]]
  }
  if [ ! -f "$P/server-ske-signer.key" ] || ! signer_ok; then
    log "pki: server-ske-signer.key"
    local i
    for i in $(seq 1 50); do
      genkey "$P/server-ske-signer.key" rsa
      signer_ok && break
    done
    signer_ok || die "no RSA 2048 key with a modulus below server.key's after 50 tries"
  fi
}

# ---------------------------------------------------------------------------------------------
# capture plumbing (as in make-extra.sh)
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

cap_end() {  # [--no-keys: the handshake ended before any secret existed]
  sleep 0.3                                      # let the last FIN/ACKs reach the capture
  kill -INT "$TCPDUMP_PID" 2>/dev/null || true   # tcpdump flushes and closes the file on SIGINT
  reap "$TCPDUMP_PID" 5
  grep -q 'packets captured' "$TMP/$CAP.tcpdump" || die "tcpdump for $CAP did not stop cleanly"
  cp "$TMP/$CAP.raw" "$CAP.pcap"
  cp "$TMP/$CAP.server.log" "$CAP.server.log"
  cp "$TMP/$CAP.client.log" "$CAP.client.log"
  if [ "${1:-}" = --no-keys ]; then
    has_secrets "$TMP/$CAP.keys" && die "$CAP: secrets in the key log of a capture meant to have none"
    rm -f "$CAP.keys"
    echo "$CAP.pcap" >>"$TMP/views"
  else
    has_secrets "$TMP/$CAP.keys" || die "$CAP: no key log"
    cp "$TMP/$CAP.keys" "$CAP.keys"
    echo "$CAP.pcap $CAP.keys" >>"$TMP/views"
  fi
}

SERVER_BASE=(-cert "$PKI/server.pem" -cert_chain "$PKI/intermediate.pem" -key "$PKI/server.key" -no-CApath -no-CAstore)
CLIENT_BASE=(-servername server.test -CAfile "$PKI/root.pem" -no-CApath -no-CAstore -verify_return_error -brief)
REQ=(-Verify 2 -verify_return_error -CAfile "$PKI/root.pem")   # make.sh's "client certificate required"
good=(-cert "$PKI/client-good.pem" -key "$PKI/client-good.key" -cert_chain "$PKI/intermediate.pem")
hello_input() { echo hello; sleep 0.6; }

log_openssl() {  # server|client desc port "cmd" out msgfile
  {
    echo "### connection $CONN: $2 (port $3)"
    echo "\$ $4"
    tidy "$5"
    echo "--- openssl -msg: protocol messages sent (>>>) and received (<<<)"
    msgs "$6"
  } >>"$TMP/$CAP.$1.log"
}

# one s_server (-brief -rev, REQ) / s_client connection; CLI=(extra s_client arguments)
conn_openssl() {  # desc port
  local desc=$1 port=$2
  CONN=$((CONN + 1))
  local b="$TMP/$CAP.$CONN"
  local srv=(openssl s_server -accept "127.0.0.1:$port" -naccept 1 "${SERVER_BASE[@]}" "${REQ[@]}" -brief -rev)
  local cli=(openssl s_client -connect "127.0.0.1:$port" "${CLIENT_BASE[@]}" "${CLI[@]}")
  timeout 90 "${srv[@]}" -msg -msgfile "$b.smsg" -keylogfile "$b.server-keys" </dev/null >"$b.sout" 2>&1 &
  local spid=$!; PIDS+=("$spid")
  wait_listen "$port"
  hello_input | timeout 90 "${cli[@]}" -keylogfile "$b.keys" -msg -msgfile "$b.cmsg" >"$b.cout" 2>&1 || true
  reap "$spid" 10
  log_openssl server "$desc" "$port" "${srv[*]}" "$b.sout" "$b.smsg"
  log_openssl client "$desc" "$port" "(echo hello; sleep 0.6) | ${cli[*]}" "$b.cout" "$b.cmsg"
  # both sides' key logs agree
  local l
  while read -r l; do
    case $l in '#'*|'') continue ;; esac
    grep -qxF "$l" "$b.keys" || die "$CAP: s_server's key log line not in s_client's: $l"
  done <"$b.server-keys"
  [ -f "$b.keys" ] && cat "$b.keys" >>"$TMP/$CAP.keys"
  CLI=()
}

# one tlslite_server.py / s_client connection; TLSLITE=(tlslite_server.py options), CLI as above
conn_tlslite_server() {  # desc port
  local desc=$1 port=$2
  CONN=$((CONN + 1))
  local b="$TMP/$CAP.$CONN"
  local srv=(python3 tlslite_server.py --port "$port" --tls 1.2 "${TLSLITE[@]}")
  local cli=(openssl s_client -connect "127.0.0.1:$port" "${CLIENT_BASE[@]}" "${CLI[@]}")
  timeout 90 "${srv[@]}" --keylogfile "$b.server-keys" </dev/null >"$b.sout" 2>&1 &
  local spid=$!; PIDS+=("$spid")
  wait_listen "$port"
  hello_input | timeout 90 "${cli[@]}" -keylogfile "$b.keys" -msg -msgfile "$b.cmsg" >"$b.cout" 2>&1 || true
  reap "$spid" 10
  {
    echo "### connection $CONN: $desc (port $port)"
    echo "\$ ${srv[*]}"
    cat "$b.sout"
  } >>"$TMP/$CAP.server.log"
  log_openssl client "$desc" "$port" "(echo hello; sleep 0.6) | ${cli[*]}" "$b.cout" "$b.cmsg"
  local l
  while read -r l; do
    case $l in '#'*|'') continue ;; esac
    grep -qxF "$l" "$b.keys" || die "$CAP: tlslite_server.py's key log line not in s_client's: $l"
  done <"$b.server-keys"
  [ -f "$b.keys" ] && cat "$b.keys" >>"$TMP/$CAP.keys"
  TLSLITE=(); CLI=()
}

# ---------------------------------------------------------------------------------------------
log "PKI additions"
chains_pki

P1=22301 P2=22302 P3=22303 P4=22304

if selected tls12-chain-signature-invalid; then
  d="s_client sends client-good followed by pki/intermediate-reissued.pem (-cert_chain): a certificate with the intermediate's name and key identifier but a new key (a reissued intermediate), so client-good's signature does not verify with the intermediate it shipped; openssl s_server -Verify 2 trusts only the root"
  cap_begin tls12-chain-signature-invalid $P1 "TLS 1.2: $d"
  CLI=(-tls1_2 -cert "$PKI/client-good.pem" -key "$PKI/client-good.key" -cert_chain "$PKI/intermediate-reissued.pem")
  conn_openssl "$d" $P1
  cap_end
fi

if selected tls12-issuer-not-a-ca; then
  d="s_client sends client-under-not-ca, client-signer-not-ca (its issuer: a client certificate, basicConstraints CA:FALSE, issued by the intermediate) and the intermediate (-cert_chain pki/client-signer-not-ca.chain.pem); openssl s_server -Verify 2 trusts only the root"
  cap_begin tls12-issuer-not-a-ca $P2 "TLS 1.2: $d"
  CLI=(-tls1_2 -cert "$PKI/client-under-not-ca.pem" -key "$PKI/client-under-not-ca.key" -cert_chain "$PKI/client-signer-not-ca.chain.pem")
  conn_openssl "$d" $P2
  cap_end
fi

if selected tls13-mtls-ed448; then
  d="mTLS success with an Ed448 client certificate (client-ed448, issued by the intermediate) + intermediate; CertificateVerify signed with ed448 (0x0808)"
  cap_begin tls13-mtls-ed448 $P3 "TLS 1.3: $d"
  CLI=(-tls1_3 -cert "$PKI/client-ed448.pem" -key "$PKI/client-ed448.key" -cert_chain "$PKI/intermediate.pem")
  conn_openssl "$d" $P3
  cap_end
fi

if selected tls12-server-key-mismatch; then
  d="tlslite-ng server (tlslite_server.py) sends server.pem + intermediate but signs its ServerKeyExchange with another RSA 2048 key (pki/server-ske-signer.key), and asks for a client certificate (CA names: the root); s_client (client-good) rejects the ServerKeyExchange"
  cap_begin tls12-server-key-mismatch $P4 "TLS 1.2: $d"
  TLSLITE=(--chain "$PKI/server.pem" "$PKI/intermediate.pem" --key "$PKI/server-ske-signer.key"
           --cert-key "$PKI/server.key" --request-cert --ca-names "$PKI/root.pem")
  CLI=(-tls1_2 "${good[@]}")
  conn_tlslite_server "$d" $P4
  cap_end --no-keys   # s_client aborts before ClientKeyExchange: no master secret on either side
fi

# ---------------------------------------------------------------------------------------------
log "tshark views"
while read -r f k; do
  n=${f%.pcap}
  tshark -n -r "$f" -q -z conv,tcp >"$n.conv.txt" 2>/dev/null
  python3 tshark_view.py "$f" ${k:+--keylog "$k"} --out "$n.tshark.json"
done <"$TMP/views"

log "checks"
expect() {  # name description command...
  local name=$1 what=$2; shift 2
  "$@" || die "$name: $what"
}
has() { grep -qE -- "$2" "$1"; }           # file regex
der_hex() { openssl x509 -in "$1" -outform DER | od -An -v -tx1 | tr -d ' \n'; }
# the certificates of the Certificate message SIDE (client|server) sent, as comma-separated hex
sent_chain() {  # name side port
  local dir=dstport; [ "$2" = server ] && dir=srcport
  local k=(); [ -f "$1.keys" ] && k=(-o "tls.keylog_file:$1.keys")
  tshark -n -r "$1.pcap" "${k[@]}" -Y "tls.handshake.type == 11 && tcp.$dir == $3" -T fields \
    -e tls.handshake.certificate 2>/dev/null | tr -d ':\n'
}
want_chain() { local f s=""; for f in "$@"; do s+="${s:+,}$(der_hex "$PKI/$f.pem")"; done; echo "$s"; }
tls_fields() {  # capture: "frame<TAB>handshake types<TAB>alert<TAB>signature scheme" per TLS frame
  local k=(); [ -f "$1.keys" ] && k=(-o "tls.keylog_file:$1.keys")
  tshark -n -r "$1.pcap" "${k[@]}" -Y tls -T fields \
    -e frame.number -e tls.handshake.type -e tls.alert_message.desc -e tls.handshake.sig_hash_alg 2>/dev/null
}
check() {
  local n=$1 port=$2
  selected "$n" || return 0
  local s="$n.server.log" c="$n.client.log" t
  t=$(tls_fields "$n")
  case $n in
    tls12-chain-signature-invalid)
      expect "$n" "s_server did not log a signature failure" has "$s" '^verify error:num=7:certificate signature failure'
      expect "$n" "the client did not send client-good + intermediate-reissued" \
        test "$(sent_chain "$n" client "$port")" = "$(want_chain client-good intermediate-reissued)" ;;
    tls12-issuer-not-a-ca)
      expect "$n" "s_server did not log an invalid CA" has "$s" '^verify error:num=79:invalid CA certificate'
      expect "$n" "the client did not send leaf + non-CA signer + intermediate" \
        test "$(sent_chain "$n" client "$port")" = "$(want_chain client-under-not-ca client-signer-not-ca intermediate)" ;;
    tls13-mtls-ed448)
      expect "$n" "the server did not accept the client" has "$s" '^Peer certificate: .*CN = client-ed448'
      expect "$n" "the client did not send client-ed448 + intermediate" \
        test "$(sent_chain "$n" client "$port")" = "$(want_chain client-ed448 intermediate)"
      expect "$n" "tshark shows no ed448 CertificateVerify from the client" \
        test "$(tshark -n -r "$n.pcap" -o "tls.keylog_file:$n.keys" -Y "tls.handshake.type == 15 && tcp.dstport == $port" \
                 -T fields -e tls.handshake.sig_hash_alg 2>/dev/null)" = 0x0808 ;;
    tls12-server-key-mismatch)
      expect "$n" "s_client did not reject the ServerKeyExchange" has "$c" 'tls_process_key_exchange:bad signature'
      expect "$n" "s_client sent no decrypt_error" has "$c" '^>>> .*Alert.*fatal decrypt_error'
      expect "$n" "the server did not sign with the wrong key" has "$s" "with the certificate's public key: no$"
      expect "$n" "the server did not get alert 51" has "$s" '^error: TLSRemoteAlert: fatal decrypt_error \(51\) received$'
      expect "$n" "tshark does not show alert 51" grep -qP '\t51\t' <<<"$t"
      expect "$n" "the server did not send server + intermediate" \
        test "$(sent_chain "$n" server "$port")" = "$(want_chain server intermediate)" ;;
  esac
}
check tls12-chain-signature-invalid $P1
check tls12-issuer-not-a-ca $P2
check tls13-mtls-ed448 $P3
check tls12-server-key-mismatch $P4

log "expected.json and README table"
python3 expected.py
