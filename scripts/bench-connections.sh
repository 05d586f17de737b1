#!/usr/bin/env bash
# Measures `tlstrace connections` on a synthetic capture of SIZE_MB (default
# 1024) megabytes: wall time and peak resident memory, next to tshark's
# `-q -z conv,tcp` on the same file when tshark is installed.
#
#   scripts/bench-connections.sh [SIZE_MB] [CONCURRENT]
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1024}
conc=${2:-256}
file=${TMPDIR:-/tmp}/tlstrace-bench-${size}MB.pcap
cargo build --release --quiet --bin tlstrace --example synth_capture
[ -f "$file" ] || ./target/release/examples/synth_capture "$file" "$size" "$conc"
ls -l "$file"

# Wall time and peak resident memory (GNU time's %e and %M).
measure() {
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o /tmp/tlstrace-bench.time "$@" >/dev/null 2>/dev/null || true
  read -r secs kib < /tmp/tlstrace-bench.time
  printf '%-30s %8.2f s   peak RSS %7.1f MiB\n' "$label" "$secs" "$(echo "$kib / 1024" | bc -l)"
}

cat "$file" > /dev/null   # warm the page cache for every tool alike
measure "tlstrace connections FILE" ./target/release/tlstrace connections "$file" --format json
measure "tlstrace connections - (pipe)" sh -c "cat '$file' | ./target/release/tlstrace connections - --format json"
if command -v tshark >/dev/null; then
  measure "tshark -q -z conv,tcp" tshark -r "$file" -q -z conv,tcp
fi
