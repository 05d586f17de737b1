#!/usr/bin/env bash
# Checks tlstrace's verdicts on the bench captures against what
# ../shared/bench/make-bench-captures.sh recorded when it made them (the
# outcome of every short connection, by kind, in $PERF/NAME.meta).
#
# Runs `tlstrace explain --format json` on handshakes.pcap, mixed.pcap and
# bulk.pcap ($PERF, default /tmp/perf), without and with the key log
# ($PERF/NAME.keys), and counts per TLS version:
#   ok          client_auth.outcome "succeeded"
#   no-cert     "failed", certificate_sent false, finding client-certificate-empty
#   unknown-ca  "failed", certificate_sent true; where the server's alert can
#               be read (TLS 1.2, or decrypted) it must be unknown_ca
#   other       anything else
# and how many TLS 1.3 verdicts are inferred (client_auth.inferred): all of
# them without keys, none with. The connections the .meta does not list by
# kind are the bulk downloads (TLS 1.3 mTLS, each checked complete by the
# maker): ok. Prints a table and exits 1 on any mismatch, 2 when a capture
# or the binary is missing.
#
#   scripts/check-bench-verdicts.sh [capture...]     e.g. handshakes
set -euo pipefail
cd "$(dirname "$0")/.."
perf=${PERF:-/tmp/perf}
captures=("$@")
[ ${#captures[@]} -gt 0 ] || captures=(handshakes mixed bulk)
for name in "${captures[@]}"; do
  for f in "$perf/$name.pcap" "$perf/$name.keys" "$perf/$name.meta"; do
    [ -f "$f" ] || { echo "check-bench-verdicts: $f missing (../shared/bench/make-bench-captures.sh makes it)" >&2; exit 2; }
  done
done
cargo build --release --quiet --bin tlstrace
bin=${CARGO_TARGET_DIR:-target}/release/tlstrace
out=$(mktemp /tmp/tlstrace-verdicts.XXXXXX)
trap 'rm -f "$out"' EXIT

status=0
printf '%-16s %-7s %-8s %6s %8s %11s %6s %6s %9s  %s\n' \
  capture keys version ok no-cert unknown-ca other total inferred result
for name in "${captures[@]}"; do
  for mode in without with; do
    keylog=()
    [ "$mode" = with ] && keylog=(--keylog "$perf/$name.keys")
    rc=0
    "$bin" explain "$perf/$name.pcap" --format json "${keylog[@]}" > "$out" || rc=$?
    # 1 says a connection failed, as some must here.
    if [ "$rc" -gt 1 ]; then
      echo "check-bench-verdicts: tlstrace explain $name.pcap ($mode keys) exited $rc" >&2
      status=1
      continue
    fi
    python3 - "$out" "$perf/$name.meta" "$name.pcap" "$mode" <<'PY' || status=1
import collections, json, re, sys

doc_path, meta_path, capture, mode = sys.argv[1:5]
keys = mode == "with"
VERSIONS = {"tls12": "TLS 1.2", "tls13": "TLS 1.3"}
KINDS = ("ok", "no-cert", "unknown-ca", "other")

# Expected counts from the .meta: "  tls12-ok  rc=0  1500" lines, and the
# SYN count; the rest are TLS 1.3 mTLS bulk downloads, which succeed.
expected = collections.Counter()
syns = None
with open(meta_path, encoding="utf-8") as f:
    for line in f:
        m = re.match(r"\s*(tls1[23])-(ok|no-cert|unknown-ca)\s+rc=\d+\s+(\d+)\s*$", line)
        if m:
            expected[(VERSIONS[m.group(1)], m.group(2))] += int(m.group(3))
        m = re.match(r"tcp_connections\(SYN\):\s*(\d+)", line)
        if m:
            syns = int(m.group(1))
if syns is None:
    sys.exit(f"{meta_path}: no tcp_connections(SYN) line")
bulk = syns - sum(expected.values())
if bulk < 0:
    sys.exit(f"{meta_path}: more outcomes than connections")
expected[("TLS 1.3", "ok")] += bulk

with open(doc_path, encoding="utf-8") as f:
    doc = json.load(f)
got = collections.Counter()
inferred = collections.Counter()
for c in doc.get("connections", []):
    version = c.get("version") or "unknown"
    auth = c.get("client_auth") or {}
    outcome = auth.get("outcome")
    sent = auth.get("certificate_sent")
    codes = {f.get("code") for f in c.get("findings") or []}
    alerts = [a for a in c.get("alerts") or [] if a.get("from") == "server" and not a.get("encrypted")]
    if outcome == "succeeded":
        kind = "ok"
    elif outcome == "failed" and sent is False and "client-certificate-empty" in codes:
        kind = "no-cert"
    elif outcome == "failed" and sent is True:
        readable = version == "TLS 1.2" or c.get("decrypted") is True
        ok_alert = any(a.get("name") == "unknown_ca" for a in alerts)
        kind = "unknown-ca" if ok_alert or not readable else "other"
    else:
        kind = "other"
    got[(version, kind)] += 1
    if auth.get("inferred") is True:
        inferred[version] += 1

versions = sorted({v for v, _ in expected} | {v for v, _ in got})
failed = False
for v in versions:
    row = [got[(v, k)] for k in KINDS]
    want = [expected[(v, k)] for k in KINDS]
    total = sum(row)
    # Without keys every TLS 1.3 verdict is inferred from record sizes;
    # with keys none is.
    want_inferred = total if (v == "TLS 1.3" and not keys) else 0
    bad = row != want or inferred[v] != want_inferred
    failed |= bad
    note = "ok"
    if bad:
        note = "MISMATCH: want " + "/".join(map(str, want)) + f", inferred {want_inferred}"
    print(f"{capture:<16} {mode:<7} {v:<8} {row[0]:>6} {row[1]:>8} {row[2]:>11} {row[3]:>6} {total:>6} {inferred[v]:>9}  {note}")
n = len(doc.get("connections", []))
if n != syns:
    print(f"{capture:<16} {mode:<7} {n} TLS connections, {syns} in the .meta: MISMATCH")
    failed = True
sys.exit(1 if failed else 0)
PY
  done
done
if [ "$status" -eq 0 ]; then
  echo "all verdicts as recorded"
else
  echo "verdict mismatches (see above)"
fi
exit "$status"
