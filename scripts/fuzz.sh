#!/usr/bin/env bash
# Runs tlstrace's fuzz targets one after another, each on one core for a
# bounded time, and prints one line per target with its executions.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Needs `cargo +nightly` and cargo-fuzz (`cargo install cargo-fuzz`).
# Seeds come from captures/ (examples/fuzz_seeds.rs) the first time; the
# corpora grow in fuzz/corpus/<target>. A crashing input lands in
# fuzz/artifacts/<target>/: copy it to tests/data/fuzz/<target>/ so that
# `cargo test --test fuzz_regressions` keeps it fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
shift || true
all=(capture decode tcp tls_stream handshake x509 keylog decrypt pipeline)
targets=("${@:-${all[@]}}")
[ "$#" -gt 0 ] || targets=("${all[@]}")

if [ ! -d fuzz/corpus/capture ]; then
    cargo run --quiet --release --example fuzz_seeds -- captures fuzz/corpus
fi
cargo +nightly fuzz build -O
mkdir -p fuzz/logs
status=0
for t in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
    log="fuzz/logs/$t.log"
    # -malloc_limit_mb: one allocation over 256 MiB is a finding;
    # -timeout: an input taking over 10 s is a hang; slow units (> 1 s) are
    # reported by -report_slow_units.
    if ! cargo +nightly fuzz run -O "$t" "fuzz/corpus/$t" -- \
        -jobs=1 -workers=1 -max_total_time="$secs" -timeout=10 \
        -rss_limit_mb=1024 -malloc_limit_mb=256 -report_slow_units=1 \
        -dict=fuzz/tls.dict -print_final_stats=1 \
        -artifact_prefix="fuzz/artifacts/$t/" >"$log" 2>&1; then
        status=1
    fi
    # With -jobs, libFuzzer writes the job's own log to ./fuzz-0.log.
    [ -f fuzz-0.log ] && mv fuzz-0.log "fuzz/logs/$t.job.log"
    execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log" | tail -1)
    slow=$(grep -c 'Slowest unit' "$log" || true)
    found=$(ls "fuzz/artifacts/$t" | wc -l)
    echo "$t: ${execs:-?} executions in ${secs} s; slow-unit reports: $slow; artifacts: $found"
done
exit $status
