#!/usr/bin/env bash
# bench/launch/profile.sh: the time budget of one launch through ci-launcher-suid, per phase
# (bench/launch/profile.py does the work; bench/launch/README.md has the figures and how to read
# them). Not part of './build.sh bench': it needs bpftrace and the symbol file of the very build
# it profiles, and tracing adds a few percent. Usage (root): bash bench/launch/profile.sh [RUNS]
#   BENCH_BINARY / BENCH_DBG: another build and its .dbg (default dist/ci-launcher and the
#   publish directory's ci-launcher.dbg).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
command -v bpftrace >/dev/null || { echo "bench/launch/profile: bpftrace is missing (apt-get install bpftrace)" >&2; exit 2; }
DBG=${BENCH_DBG:-$ROOT/artifacts/publish/cli/ci-launcher.dbg}
[ -f "$DBG" ] || { echo "bench/launch/profile: $DBG is missing; run ./build.sh publish" >&2; exit 2; }
# shellcheck source=bench/launch/install.sh
. bench/launch/install.sh
bench_install "$ROOT"
OUT=$ROOT/artifacts/bench/launch/profile
ulimit -l 8192 2>/dev/null || true   # bpftrace's maps
python3 bench/launch/profile.py --binary "$PREFIX/bin/ci-launcher" --dbg "$DBG" --runs "${1:-30}" --out "$OUT" -- \
    $AS_CALLER "$WRAPPER" $RUN_ARGS
echo "(trace, bpftrace program and the files one launch opened: $OUT)"
