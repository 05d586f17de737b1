#!/usr/bin/env bash
# Runs tlstrace on each hostile input of issue 13 at full size and reports
# its peak RSS (GNU time's maximum resident set size) and wall time. Each
# must stay within 256 MiB; the script fails otherwise.
#
#   scripts/hostile.sh [KIND...]
#
# The inputs are generated on the fly by examples/hostile.rs and piped in:
# nothing is written to disk. tests/hostile.rs checks the same inputs'
# findings at smaller sizes in plain `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
cargo build --release --quiet
cargo build --release --quiet --example hostile
bin="$target/release/tlstrace"
gen="$target/release/examples/hostile"
limit_kb=$((256 * 1024))
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

# run NAME GENERATOR_ARGS -- TLSTRACE_ARGS: the generator's output is
# tlstrace's standard input.
run() {
    local name="$1"
    shift
    local gargs=()
    while [ "$1" != "--" ]; do
        gargs+=("$1")
        shift
    done
    shift
    "$gen" "${gargs[@]}" | /usr/bin/time -f '%M %e' -o "$tmp/time" "$bin" "$@" >"$tmp/out" 2>"$tmp/err" || true
    report "$name"
}

report() {
    local name="$1" kb secs verdict
    # GNU time puts "Command exited with non-zero status" first when so.
    read -r kb secs < <(tail -n 1 "$tmp/time")
    verdict=ok
    if [ "$kb" -gt "$limit_kb" ]; then
        verdict="OVER 256 MiB"
        status=1
    fi
    printf '%-16s peak RSS %6.1f MiB  %7.1f s  %s\n' "$name" "$(echo "$kb / 1024" | bc -l)" "$secs" "$verdict"
    grep -h 'tlstrace: \(note\|error\|warning\)' "$tmp/err" | head -3 | sed 's/^/    /' || true
}

kinds=("${@:-flows big-handshake partial-handshakes tiny-records holes pcapng-4g gzip-bomb keylog}")
for k in ${kinds[*]}; do
    case "$k" in
    flows)
        # One thread and the default (one per core): the first holds more.
        run "100k flows" flows 100000 -- explain --format json --jobs 1 -
        run "100k flows -j" flows 100000 -- explain --format json -
        ;;
    big-handshake) run "16 MB message" big-handshake 8 -- explain - ;;
    partial-handshakes) run "2k partial msgs" partial-handshakes 2000 150 -- explain - ;;
    tiny-records) run "400k records" tiny-records 400000 -- explain - ;;
    holes) run "200k holes" holes 200000 -- explain - ;;
    pcapng-4g) run "4 GB block" pcapng-4g -- explain - ;;
    gzip-bomb) run "gzip bomb 1 GB" gzip-bomb 1024 -- connections - ;;
    keylog)
        # 1 GB of garbage key log lines, read through a pipe.
        /usr/bin/time -f '%M %e' -o "$tmp/time" "$bin" explain captures/tls12-mtls-ok.pcap \
            --keylog <("$gen" keylog 1024) >"$tmp/out" 2>"$tmp/err" || true
        report "1 GB key log"
        ;;
    *) echo "unknown kind $k" >&2; exit 2 ;;
    esac
done
exit $status
