#!/usr/bin/env bash
# squill's benchmark suite, everything in one command (about 15 minutes on 2 cores):
#   cd runtime/bench && ./run.sh
# Starts its own throwaway PostgreSQL (from the installed server binaries, as the tests do),
# runs the criterion benchmarks, the paired squill-vs-floor measurement and the allocation
# check, and prints the markdown table of BENCHMARKS.md (also written to target/report.md).
set -euo pipefail
cd "$(dirname "$0")"

# diesel links libpq.
if ! pkg-config --exists libpq 2>/dev/null && [ ! -e /usr/include/postgresql/libpq-fe.h ]; then
    echo "run.sh: installing libpq-dev (needed by diesel)" >&2
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq libpq-dev
    else sudo apt-get update -qq && sudo apt-get install -y -qq libpq-dev; fi
fi

# Build everything first, so compiling never overlaps a measurement.
cargo build --release --benches --bins --tests

{
    echo "machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'),"\
         "$(free -g | awk '/^Mem:/ {print $2}') GiB memory"
    echo "postgres: $("${SQUILL_PG_BIN:+$SQUILL_PG_BIN/}postgres" --version 2>/dev/null \
        || ls /usr/lib/postgresql 2>/dev/null | tail -1)"
    echo "rustc: $(rustc --version)"
    echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee target/machine.txt

cargo bench --bench compare -- --noplot
cargo bench --bench paired
# The blocking half is #[ignore]d while it documents a known gap; run it for its numbers.
cargo test --release --test allocations -- --include-ignored --nocapture --test-threads 1 \
    | tee target/allocations.txt || echo "run.sh: an allocation check failed (see above)" >&2

echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a target/machine.txt
cargo run --release --quiet --bin report | tee target/report.md
