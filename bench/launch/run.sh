#!/usr/bin/env bash
# bench/launch: one whole launch through the installed layout, beside the tools a site compares
# it with, all measured in the same run (issue 14):
#
#   runner -> ci-launcher-suid -> verify -> policy -> account -> audit -> cgroup -> drop -> exec /bin/true
#   runner -> sudo -u USER /bin/true                   (the issue's baseline: setuid, policy, account, exec)
#   root   -> ci-launcher run, sudo -u, setpriv --init-groups, runuser -u
#
# Target: the first row at most 1.0x the second. The installation (bench/launch/install.sh) is
# PREFIX/bin/ci-launcher reading PREFIX/etc/ci-launcher/config.yaml by itself (no --config: a
# caller of the wrapper cannot choose one), launch.containment at its default (a cgroup per job),
# the audit file fsynced on the disk file system. BENCH_RUNS (default 100) interleaved rounds.
#
# Figures, from the most to the least robust on a shared machine:
#   instructions  user-space instructions (valgrind callgrind), blind to load and to the kernel;
#   CPU time      user + system of the whole process tree (wait4), mildly disturbed by load;
#   wall time     what a runner waits; includes waiting for a CPU under other people's load, and
#                 blocking (fsync, cgroup migration, the job). Rounds are interleaved so that load
#                 falls on every command alike; the ratios are meaningful, absolute values less so.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
for tool in sudo setpriv runuser python3 valgrind gcc; do
    command -v "$tool" >/dev/null || { echo "bench/launch: '$tool' is missing (apt-get install sudo valgrind; ./build.sh bench installs them)" >&2; exit 2; }
done
# shellcheck source=bench/launch/install.sh
. bench/launch/install.sh
bench_install "$ROOT"
ROUNDS=${BENCH_RUNS:-100}
OUT=$ROOT/artifacts/bench/launch
mkdir -p "$OUT"

# Sanity: the launch must run the job in a cgroup of its own (the default), or it is not the launch the issue means.
$AS_CALLER "$WRAPPER" $RUN_ARGS
python3 - "$PREFIX/var/log/ci-launcher/audit.log" <<'PY'
import json, sys
end = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][-1]
assert end["command"] == "run.exit" and end["exit_status"] == "0", end
assert end["containment"] == "cgroup", f"the job did not get a cgroup: {end.get('containment_note')}"
PY

echo "--- wall and CPU time, $ROUNDS interleaved rounds"
python3 bench/measure.py times --rounds "$ROUNDS" --out "$OUT/times.json" \
    "runner -> ci-launcher-suid run=$AS_CALLER $WRAPPER $RUN_ARGS" \
    "runner -> sudo -u USER /bin/true=$AS_CALLER sudo -n -u $TARGET /bin/true" \
    "root -> ci-launcher run=$PREFIX/bin/ci-launcher $RUN_ARGS" \
    "root -> sudo -u USER /bin/true=sudo -n -u $TARGET /bin/true" \
    "root -> setpriv --init-groups /bin/true=setpriv --reuid $TARGET --regid $TARGET --init-groups /bin/true" \
    "root -> runuser -u USER /bin/true=runuser -u $TARGET /bin/true" \
    "runner prefix alone (setpriv, /bin/true)=$AS_CALLER /bin/true"

echo
echo "--- user-space instructions (valgrind), as root: valgrind cannot run a set-id program as such, so"
echo "    the wrapper and sudo run as unprivileged copies (same code, root calls them)"
install -d -m 0755 "$BASE/copies"
install -m 0755 "$WRAPPER" "$BASE/copies/ci-launcher-suid"
install -m 0755 "$(command -v sudo)" "$BASE/copies/sudo"
python3 bench/measure.py instructions --out "$OUT/instructions.json" \
    "root -> ci-launcher-suid run=$BASE/copies/ci-launcher-suid $RUN_ARGS" \
    "root -> ci-launcher run=$PREFIX/bin/ci-launcher $RUN_ARGS" \
    "root -> sudo -u USER /bin/true=$BASE/copies/sudo -n -u $TARGET /bin/true" \
    "ci-launcher --version (runtime start alone)=$PREFIX/bin/ci-launcher --version"

echo
python3 - "$OUT/times.json" "$OUT/instructions.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["commands"]
i = json.load(open(sys.argv[2]))
def row(label, a, b, target=None):
    w = t[a]["wall_p50_ms"] / t[b]["wall_p50_ms"]
    c = t[a]["cpu_p50_ms"] / t[b]["cpu_p50_ms"]
    verdict = "" if target is None else f"   target <= {target:.2f}x (wall): {'met' if w <= target else 'MISSED'}"
    print(f"{label:<58} wall {w:5.2f}x   CPU {c:5.2f}x{verdict}")
W, S = "runner -> ci-launcher-suid run", "runner -> sudo -u USER /bin/true"
P = "runner prefix alone (setpriv, /bin/true)"
print("ratios (p50 of each; the same rounds)")
row("runner -> ci-launcher-suid vs runner -> sudo -u", W, S, 1.0)
net = (t[W]["wall_p50_ms"] - t[P]["wall_p50_ms"]) / (t[S]["wall_p50_ms"] - t[P]["wall_p50_ms"])
print(f"{'  the same without the runner prefix both share':<58} wall {net:5.2f}x")
row("runner -> ci-launcher-suid vs root -> setpriv", W, "root -> setpriv --init-groups /bin/true")
row("root -> ci-launcher run vs root -> sudo -u", "root -> ci-launcher run", "root -> sudo -u USER /bin/true")
a, b = i["root -> ci-launcher-suid run"]["instructions"], i["root -> sudo -u USER /bin/true"]["instructions"]
if a and b:
    print(f"{'instructions: ci-launcher-suid run vs sudo -u (root)':<58} {a / b:5.2f}x   ({a / 1e6:.1f}M vs {b / 1e6:.1f}M)")
print(f"peak RSS of the launch: {t[W]['maxrss_p50_kib'] / 1024:.1f} MiB (sudo: {t[S]['maxrss_p50_kib'] / 1024:.1f} MiB)")
PY
