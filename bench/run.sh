#!/usr/bin/env bash
# ./build.sh bench [AREA...]: runs bench/<area>/run.sh for each area (all when none is named).
# Every benchmark prints its figures beside a baseline measured in the same run, as ratios:
# these machines are shared and noisy, so absolute numbers mean little on their own.
set -euo pipefail
cd "$(dirname "$0")"
areas=("$@")
if [ ${#areas[@]} -eq 0 ]; then
    for d in */run.sh; do areas+=("${d%/run.sh}"); done
fi
for area in "${areas[@]}"; do
    [ -f "$area/run.sh" ] || { echo "bench: no benchmark '$area'" >&2; exit 2; }
    echo "=== bench: $area ==="
    bash "$area/run.sh"
done
