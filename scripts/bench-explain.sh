#!/usr/bin/env bash
# Measures `tlstrace explain --format json` (without and with the key log)
# on the bench captures that ../shared/bench/make-bench-captures.sh builds
# (bulk.pcap, mixed.pcap, handshakes.pcap in $PERF, default /tmp/perf),
# next to tshark's `-Y tls.handshake` pass (without and with keys) and
# `tcpdump -r FILE -w /dev/null` (the read floor). One core each (taskset),
# page cache warm, median of RUNS (default 3) runs: MB/s and peak RSS.
#
#   scripts/bench-explain.sh [capture...]      e.g. handshakes bulk
#   SKIP_TSHARK=1 scripts/bench-explain.sh     tlstrace and tcpdump only
set -euo pipefail
cd "$(dirname "$0")/.."
perf=${PERF:-/tmp/perf}
runs=${RUNS:-3}
captures=("$@")
[ ${#captures[@]} -gt 0 ] || captures=(handshakes mixed bulk)
cargo build --release --quiet --bin tlstrace
bin=${CARGO_TARGET_DIR:-target}/release/tlstrace
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)

# Median wall time and the largest peak RSS over $runs runs of a command.
measure() {
  local label=$1 bytes=$2; shift 2
  local times=() rss=0 secs kib
  for ((i = 0; i < runs; i++)); do
    /usr/bin/time -f "%e %M" -o /tmp/tlstrace-bench.time "${pin[@]}" "$@" >/dev/null 2>/dev/null || true
    read -r secs kib < <(tail -n 1 /tmp/tlstrace-bench.time)
    times+=("$secs")
    ((kib > rss)) && rss=$kib
  done
  local med
  med=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
  printf '  %-34s %7.2f s  %8.1f MB/s  peak RSS %7.1f MiB\n' "$label" "$med" \
    "$(echo "$bytes / 1000000 / $med" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
}

for name in "${captures[@]}"; do
  file=$perf/$name.pcap keys=$perf/$name.keys
  [ -f "$file" ] || { echo "$file missing: run ../shared/bench/make-bench-captures.sh"; continue; }
  bytes=$(stat -c %s "$file")
  echo "$name.pcap ($((bytes / 1000000)) MB), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
  cat "$file" > /dev/null
  measure "tlstrace explain" "$bytes" "$bin" explain "$file" --format json
  measure "tlstrace explain --keylog" "$bytes" "$bin" explain "$file" --format json --keylog "$keys"
  if [ -z "${SKIP_TSHARK:-}" ] && command -v tshark >/dev/null; then
    measure "tshark -Y tls.handshake" "$bytes" tshark -r "$file" -Y tls.handshake
    measure "tshark -Y tls.handshake (keys)" "$bytes" tshark -r "$file" -Y tls.handshake -o "tls.keylog_file:$keys"
  fi
  command -v tcpdump >/dev/null && measure "tcpdump -r FILE -w /dev/null" "$bytes" tcpdump -r "$file" -w /dev/null
done
