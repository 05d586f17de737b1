#!/usr/bin/env bash
# The bench harness of issue 12. Measures `tlstrace explain --format json`
# (without and with the key log) on the bench captures (bulk.pcap,
# mixed.pcap, handshakes.pcap in $PERF, default /tmp/perf), next to tshark's
# `-Y tls.handshake` pass (without and with keys) and `tcpdump -r FILE -w
# /dev/null` (the read floor). One core each (taskset), page cache warm,
# median of RUNS (default 3) runs: MB/s and peak RSS (/usr/bin/time). On
# handshakes.pcap it also times `explain --jobs 1`, `--jobs 2` and
# `--jobs $(nproc)`, not pinned, when the binary takes `--jobs`.
#
# Captures missing from $PERF are built first by
# ../shared/bench/make-bench-captures.sh (root and a network namespace; it
# writes to $PERF). When they cannot be built the script says so and exits 1.
#
# The figures are printed and written into $DOC (default
# docs/performance.md) between the lines `<!-- bench:begin -->` and
# `<!-- bench:end -->`; the text around them is kept. A DOC that does not
# exist yet starts as a copy of docs/performance.md; DOC=none writes nothing.
#
#   scripts/bench.sh [capture...]                  e.g. handshakes bulk
#   SKIP_TSHARK=1 scripts/bench.sh                 tlstrace and tcpdump only
#   RUNS=1 DOC=/tmp/perf-doc.md scripts/bench.sh handshakes   a quick trial
set -euo pipefail
cd "$(dirname "$0")/.."
perf=${PERF:-/tmp/perf}
runs=${RUNS:-3}
doc=${DOC:-docs/performance.md}
maker=${BENCH_MAKER:-../shared/bench/make-bench-captures.sh}
captures=("$@")
[ ${#captures[@]} -gt 0 ] || captures=(handshakes mixed bulk)
for name in "${captures[@]}"; do
  case $name in handshakes | mixed | bulk) ;; *) echo "bench.sh: unknown capture $name (handshakes, mixed, bulk)" >&2; exit 2 ;; esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "bench.sh: RUNS must be a positive number" >&2; exit 2; }
if [ "$doc" != none ] && [ -f "$doc" ] && ! grep -q '^<!-- bench:begin' "$doc"; then
  echo "bench.sh: $doc has no <!-- bench:begin --> / <!-- bench:end --> lines to write between" >&2
  exit 2
fi

# ---- the captures, built when missing
missing=()
for name in "${captures[@]}"; do
  [ -f "$perf/$name.pcap" ] && [ -f "$perf/$name.keys" ] || missing+=("$name")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench.sh: ${missing[*]} missing from $perf: building them with $maker" >&2
  if [ ! -f "$maker" ]; then
    echo "bench.sh: $maker not found: cannot build the captures" >&2
    exit 1
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "bench.sh: $maker needs root (network namespace, tcpdump): cannot build the captures" >&2
    exit 1
  fi
  if ! PERF_OUT=$perf bash "$maker"; then
    echo "bench.sh: $maker failed: the captures could not be built" >&2
    exit 1
  fi
  for name in "${missing[@]}"; do
    [ -f "$perf/$name.pcap" ] || { echo "bench.sh: $perf/$name.pcap still missing" >&2; exit 1; }
  done
fi

cargo build --release --quiet --bin tlstrace
bin=${CARGO_TARGET_DIR:-target}/release/tlstrace
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
have_tshark=
[ -z "${SKIP_TSHARK:-}" ] && command -v tshark >/dev/null && have_tshark=1
have_tcpdump=
command -v tcpdump >/dev/null && have_tcpdump=1
timefile=$(mktemp /tmp/tlstrace-bench.XXXXXX)
trap 'rm -f "$timefile"' EXIT

# ---- the machine, before anything runs
cores=$(nproc)
cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1)
[ -n "$cpu" ] || cpu="unknown CPU"
load=$(cut -d' ' -f1-3 /proc/loadavg)
when=$(date -u +%Y-%m-%dT%H:%MZ)
day=$(date -u +%Y-%m-%d)
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || rev="$rev (with local changes)"
tshark_v=$([ -n "$have_tshark" ] && tshark --version 2>/dev/null | head -n 1 | sed 's/^TShark (Wireshark) //; s/ .*//' || true)
tcpdump_v=$([ -n "$have_tcpdump" ] && tcpdump --version 2>&1 | head -n 1 | sed 's/^tcpdump version //' || true)
echo "$cores cores ($cpu), load average $load, $when, tlstrace $rev, median of $runs run(s)"

# measure LABEL BYTES CMD...: median wall time and the largest peak RSS over
# $runs runs; prints a line and sets $mbs ("1234") and $mib ("21").
measure() {
  local label=$1 bytes=$2; shift 2
  local times=() rss=0 secs kib med
  local t0 t1
  for ((i = 0; i < runs; i++)); do
    # Wall time from the clock in nanoseconds (time(1)'s %e has 10 ms
    # steps, a tenth of a run on handshakes.pcap); peak RSS from time(1).
    t0=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$timefile" "$@" >/dev/null 2>/dev/null || true
    t1=$(date +%s%N)
    secs=$(echo "($t1 - $t0) / 1000000000" | bc -l)
    read -r kib < <(tail -n 1 "$timefile")
    times+=("$secs")
    ((kib > rss)) && rss=$kib
  done
  med=$(printf '%s\n' "${times[@]}" | sort -g | sed -n "$(((runs + 1) / 2))p")
  # A run under 1 ms is counted as 1 ms.
  mbs=$(echo "m = $med; if (m < 0.001) m = 0.001; $bytes / 1000000 / m" | bc -l)
  mib=$(echo "$rss / 1024" | bc -l)
  printf '  %-34s %7.3f s  %8.1f MB/s  peak RSS %7.1f MiB\n' "$label" "$med" "$mbs" "$mib"
}

# MB/s as the doc writes it: 1,234 from 100, one decimal below.
fmt_mbs() {
  LC_ALL=C awk -v v="$1" 'BEGIN {
    if (v < 100) { printf "%.1f\n", v; exit }
    s = sprintf("%.0f", v); t = ""
    while (length(s) > 3) { t = "," substr(s, length(s) - 2) t; s = substr(s, 1, length(s) - 3) }
    print s t
  }'
}
fmt_cell() { echo "$(fmt_mbs "$1") MB/s, $(printf '%.0f' "$2") MiB"; }
ratio() { LC_ALL=C awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f×\n", a / b; else print "–" }'; }

rows=() ratios=() jobs_rows=()
for name in "${captures[@]}"; do
  file=$perf/$name.pcap keys=$perf/$name.keys
  bytes=$(stat -c %s "$file")
  echo "$name.pcap ($((bytes / 1000000)) MB), load $(cut -d' ' -f1 /proc/loadavg)"
  cat "$file" "$keys" > /dev/null
  measure "tlstrace explain" "$bytes" "${pin[@]}" "$bin" explain "$file" --format json --jobs 1
  t_mbs=$mbs t_cell=$(fmt_cell "$mbs" "$mib")
  measure "tlstrace explain --keylog" "$bytes" "${pin[@]}" "$bin" explain "$file" --format json --keylog "$keys" --jobs 1
  k_mbs=$mbs k_cell=$(fmt_cell "$mbs" "$mib")
  s_cell="–" sk_cell="–" s_ratio="–" sk_ratio="–"
  if [ -n "$have_tshark" ]; then
    measure "tshark -Y tls.handshake" "$bytes" "${pin[@]}" tshark -r "$file" -Y tls.handshake
    s_cell=$(fmt_cell "$mbs" "$mib") s_ratio=$(ratio "$t_mbs" "$mbs")
    measure "tshark -Y tls.handshake (keys)" "$bytes" "${pin[@]}" tshark -r "$file" -Y tls.handshake -o "tls.keylog_file:$keys"
    sk_cell=$(fmt_cell "$mbs" "$mib") sk_ratio=$(ratio "$k_mbs" "$mbs")
  fi
  d_cell="–" d_ratio="–"
  if [ -n "$have_tcpdump" ]; then
    measure "tcpdump -r FILE -w /dev/null" "$bytes" "${pin[@]}" tcpdump -r "$file" -w /dev/null
    d_cell=$(fmt_cell "$mbs" "$mib") d_ratio=$(ratio "$k_mbs" "$mbs")
  fi
  rows+=("| $name.pcap | $t_cell | $k_cell | $s_cell | $sk_cell | $d_cell |")
  ratios+=("| $name.pcap | $s_ratio | $sk_ratio | $d_ratio |")
  echo "  ratios: tlstrace/tshark $s_ratio, with keys $sk_ratio; tlstrace --keylog/tcpdump $d_ratio"

  # --jobs inside one capture: not pinned, so the threads can spread.
  if [ "$name" = handshakes ]; then
    if "$bin" explain --help 2>/dev/null | grep -q -- '--jobs'; then
      for j in $(printf '%s\n' 1 2 "$cores" | awk '!seen[$0]++'); do
        measure "tlstrace explain --jobs $j" "$bytes" "$bin" explain "$file" --format json --jobs "$j"
        row="| $j | $(fmt_mbs "$mbs") MB/s | $(printf '%.0f' "$mib") MiB |"
        measure "tlstrace explain --keylog --jobs $j" "$bytes" "$bin" explain "$file" --format json --keylog "$keys" --jobs "$j"
        jobs_rows+=("$row $(fmt_mbs "$mbs") MB/s | $(printf '%.0f' "$mib") MiB |")
      done
    else
      echo "  tlstrace explain --jobs: not taken by this build"
      jobs_rows+=("| 1, 2, $cores | not taken by this build | | | |")
    fi
  fi
done

[ "$doc" = none ] && exit 0

# ---- the generated section of the doc
section=$(mktemp /tmp/tlstrace-bench-section.XXXXXX)
trap 'rm -f "$timefile" "$section"' EXIT
{
  echo "## Figures ($day, $cores cores, load $(echo "$load" | cut -d' ' -f1))"
  echo
  echo "Generated by \`scripts/bench.sh\` on $when: $cores cores ($cpu), load average $load"
  echo "(1, 5, 15 min) at the start; tlstrace $rev${tshark_v:+, tshark $tshark_v}${tcpdump_v:+, tcpdump $tcpdump_v}."
  echo "Each tool pinned to one core, page cache warm, median of $runs run(s); MB/s of the capture file, peak RSS."
  echo
  echo "| capture | tlstrace explain | with --keylog | tshark -Y tls.handshake | with keys | tcpdump -r -w /dev/null |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Ratios of MB/s (above 1× tlstrace is faster):"
  echo
  echo "| capture | tlstrace / tshark | with keys | tlstrace --keylog / tcpdump |"
  echo "|---|---|---|---|"
  printf '%s\n' "${ratios[@]}"
  if [ ${#jobs_rows[@]} -gt 0 ]; then
    echo
    echo "\`explain handshakes.pcap --format json --jobs N\`, not pinned:"
    echo
    echo "| --jobs | MB/s | peak RSS | with --keylog | peak RSS |"
    echo "|---|---|---|---|---|"
    printf '%s\n' "${jobs_rows[@]}"
  fi
} > "$section"
[ -f "$doc" ] || cp docs/performance.md "$doc"
python3 - "$doc" "$section" <<'PY'
import re, sys
doc, section = sys.argv[1], sys.argv[2]
text = open(doc, encoding="utf-8").read()
new = open(section, encoding="utf-8").read().rstrip("\n")
m = re.search(r"^(<!-- bench:begin[^\n]*-->\n).*?^(<!-- bench:end -->)$", text, re.S | re.M)
if not m:
    sys.exit(f"bench.sh: {doc} has no <!-- bench:begin --> / <!-- bench:end --> lines")
text = text[: m.start()] + m.group(1) + new + "\n" + m.group(2) + text[m.end():]
open(doc, "w", encoding="utf-8").write(text)
PY
echo "written to $doc"
