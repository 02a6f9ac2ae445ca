#!/usr/bin/env bash
# bench/launch/ab.sh BEFORE AFTER [ROUNDS]: two builds of ci-launcher side by side, each in an
# installation of its own (bench/launch/install.sh), launched through their wrappers as the
# runner in interleaved rounds (BEFORE AFTER BEFORE AFTER ...), beside sudo -u in the same rounds;
# then both counted by valgrind as root. How every before/after figure in bench/launch/README.md
# was made. BENCH_WRAPPER_AFTER=FILE.c builds the AFTER wrapper from another source.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
[ $# -ge 2 ] || { echo "usage: bench/launch/ab.sh BEFORE-BINARY AFTER-BINARY [ROUNDS]" >&2; exit 2; }
BEFORE=$(realpath "$1") AFTER=$(realpath "$2") ROUNDS=${3:-60}
# shellcheck source=bench/launch/install.sh
. bench/launch/install.sh
BENCH_BINARY=$BEFORE bench_install "$ROOT"
B=$PREFIX A=$BASE/after
bench_prefix "$A" "$AFTER"
if [ -n "${BENCH_WRAPPER_AFTER:-}" ]; then
    gcc -O2 -Wall -Wextra -Werror -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE -fstack-clash-protection -fcf-protection \
        -DCI_LAUNCHER_PATH="\"$A/bin/ci-launcher\"" -o "$A/libexec/ci-launcher/ci-launcher-suid" "$BENCH_WRAPPER_AFTER" \
        -pie -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack ${BENCH_WRAPPER_LDFLAGS:-}
    chown "root:$GROUP" "$A/libexec/ci-launcher/ci-launcher-suid" && chmod 4750 "$A/libexec/ci-launcher/ci-launcher-suid"
fi
OUT=$ROOT/artifacts/bench/launch/ab
mkdir -p "$OUT"
python3 bench/measure.py times --rounds "$ROUNDS" --out "$OUT/times.json" \
    "before: runner -> ci-launcher-suid run=$AS_CALLER $B/libexec/ci-launcher/ci-launcher-suid $RUN_ARGS" \
    "after:  runner -> ci-launcher-suid run=$AS_CALLER $A/libexec/ci-launcher/ci-launcher-suid $RUN_ARGS" \
    "runner -> sudo -u USER /bin/true=$AS_CALLER sudo -n -u $TARGET /bin/true"
install -d -m 0755 "$BASE/copies/before" "$BASE/copies/after"
install -m 0755 "$B/libexec/ci-launcher/ci-launcher-suid" "$BASE/copies/before/ci-launcher-suid"
install -m 0755 "$A/libexec/ci-launcher/ci-launcher-suid" "$BASE/copies/after/ci-launcher-suid"
python3 bench/measure.py instructions --out "$OUT/instructions.json" \
    "before: root -> ci-launcher-suid run=$BASE/copies/before/ci-launcher-suid $RUN_ARGS" \
    "after:  root -> ci-launcher-suid run=$BASE/copies/after/ci-launcher-suid $RUN_ARGS"
python3 - "$OUT/times.json" "$OUT/instructions.json" "$A/var/log/ci-launcher/audit.log" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["commands"]
i = json.load(open(sys.argv[2]))
b, a = t["before: runner -> ci-launcher-suid run"], t["after:  runner -> ci-launcher-suid run"]
s = t["runner -> sudo -u USER /bin/true"]
print(f"after - before: wall p50 {a['wall_p50_ms'] - b['wall_p50_ms']:+.2f} ms ({a['wall_p50_ms'] / b['wall_p50_ms'] - 1:+.1%}), "
      f"CPU p50 {a['cpu_p50_ms'] - b['cpu_p50_ms']:+.2f} ms ({a['cpu_p50_ms'] / b['cpu_p50_ms'] - 1:+.1%}), "
      f"faults {a['minflt_p50'] - b['minflt_p50']:+.0f}, peak RSS {(a['maxrss_p50_kib'] - b['maxrss_p50_kib']) / 1024:+.1f} MiB")
ib, ia = i["before: root -> ci-launcher-suid run"]["instructions"], i["after:  root -> ci-launcher-suid run"]["instructions"]
print(f"instructions {ia - ib:+,} ({ia / ib - 1:+.1%})")
print(f"vs runner -> sudo -u, wall p50: before {b['wall_p50_ms'] / s['wall_p50_ms']:.2f}x, after {a['wall_p50_ms'] / s['wall_p50_ms']:.2f}x")
end = [json.loads(l) for l in open(sys.argv[3]) if l.strip()][-1]
print(f"after: last end record: containment {end.get('containment')}, exit {end.get('exit_status')}{', note ' + end['containment_note'] if end.get('containment_note') else ''}")
PY
