#!/usr/bin/env bash
# ./build.sh bench validate: token validation cost, each figure beside a baseline from the same run.
#  1. in-process validations/s through TokenVerifier (RS256, ES256) vs raw VerifyData of the same
#     signature, and vs 'openssl speed' (rsa2048 / ecdsap256 verify) on this machine now;
#  2. whole-process 'ci-launcher validate' latency (hyperfine: p50/p90 over RUNS runs) and peak RSS,
#     with a cached JWKS, vs a hello-world NativeAOT process built in this run.
# Targets (issue 2): RS256 in-process within 2x of raw OpenSSL verify; validate p50 < 20 ms; peak RSS < 20 MB.
set -euo pipefail
cd "$(dirname "$0")"
HERE=$(pwd)
ROOT=$(cd ../.. && pwd)
CI_LAUNCHER="$ROOT/dist/ci-launcher"
RUNS=${RUNS:-200}
SECONDS_PER=${SECONDS_PER:-2}
OUT="$ROOT/artifacts/bench/validate"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
[ -x "$CI_LAUNCHER" ] || { echo "bench: $CI_LAUNCHER is missing; run ./build.sh publish" >&2; exit 2; }
for tool in hyperfine openssl python3 /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "bench: '$tool' is missing (./build.sh bench installs hyperfine)" >&2; exit 2; }
done
rm -rf "$OUT"
mkdir -p "$OUT"
chmod 0755 "$OUT"   # as root, ci-launcher's trusted-file rules read the config and JWKS only from such a path

echo "--- building (Release) the in-process benchmark, test-issuer and the hello-world AOT baseline"
dotnet build "$HERE/Launcher.Bench.Validate" -c Release -nologo -clp:ErrorsOnly -o "$OUT/bin" >/dev/null
dotnet build "$ROOT/tests/Launcher.TestIssuer" -c Release -nologo -clp:ErrorsOnly -o "$OUT/issuer" >/dev/null
dotnet publish "$HERE/hello" -c Release -nologo -clp:ErrorsOnly -o "$OUT/hello" >/dev/null

echo
echo "=== 1. in-process (JIT, Release)"
"$OUT/bin/Launcher.Bench.Validate" "$SECONDS_PER" "$OUT/raw" | tee "$OUT/inproc.txt"
ossl_rsa=$(openssl speed -seconds "$SECONDS_PER" -mr rsa2048 2>/dev/null | awk -F: '/^\+F2:/ {printf "%.0f", $5}')
ossl_ec=$(openssl speed -seconds "$SECONDS_PER" -mr ecdsap256 2>/dev/null | awk -F: '/^\+F4:/ {printf "%.0f", $5}')
# The same signature over the same bytes, one verification per openssl process: shows what a
# process start costs OpenSSL itself (compare with the whole-process figures below).
dgst_ms=$(python3 - "$OUT/raw" <<'PY'
import subprocess, sys, time
d = sys.argv[1]
cmd = ["openssl", "dgst", "-sha256", "-verify", f"{d}/rs256.pub.pem", "-signature", f"{d}/rs256.sig", f"{d}/rs256.input"]
times = []
for _ in range(50):
    t = time.perf_counter(); r = subprocess.run(cmd, capture_output=True); times.append(time.perf_counter() - t)
    assert r.stdout.strip() == b"Verified OK", r.stdout
times.sort(); print(f"{times[len(times)//2]*1000:.1f}")
PY
)
read -r rs_full rs_raw < <(awk '/^RESULT RS256/ {split($3,a,"="); split($4,b,"="); print a[2], b[2]}' "$OUT/inproc.txt")
read -r es_full es_raw < <(awk '/^RESULT ES256/ {split($3,a,"="); split($4,b,"="); print a[2], b[2]}' "$OUT/inproc.txt")
echo "openssl speed: rsa2048 verify ${ossl_rsa}/s, ecdsap256 verify ${ossl_ec}/s; 'openssl dgst -verify' of the same RS256 signature: ${dgst_ms} ms per process (p50 of 50)"
python3 - "$rs_full" "$rs_raw" "$ossl_rsa" "$es_full" "$es_raw" "$ossl_ec" <<'PY'
import sys
rs_full, rs_raw, ossl_rsa, es_full, es_raw, ossl_ec = map(float, sys.argv[1:])
print(f"RS256: openssl speed / TokenVerifier = {ossl_rsa/rs_full:.2f}x   (target <= 2x: {'met' if ossl_rsa/rs_full <= 2 else 'MISSED'})")
print(f"RS256: raw VerifyData / TokenVerifier = {rs_raw/rs_full:.2f}x")
print(f"ES256: openssl speed / TokenVerifier = {ossl_ec/es_full:.2f}x   raw VerifyData / TokenVerifier = {es_raw/es_full:.2f}x")
PY

echo
echo "=== 2. whole process: ci-launcher validate vs hello-world NativeAOT"
"$OUT/issuer/test-issuer" keygen --dir "$OUT/key" --alg RS256 --kid bench-key-1
install -m 0644 "$OUT/key/jwks.json" "$OUT/gitlab.jwks.json"
chmod 0700 "$OUT/key"
# An allowed decision exercises the whole path (verify, policy, getpwnam_r, groups, shells).
BENCH_USER=""
if [ "$(id -u)" -eq 0 ]; then
    BENCH_USER=clfndbench
    id "$BENCH_USER" >/dev/null 2>&1 || useradd --uid 4711 --user-group --no-create-home --shell /bin/bash "$BENCH_USER"
    trap 'userdel "$BENCH_USER" >/dev/null 2>&1 || true' EXIT
elif [ "$(id -u)" -ge 1000 ]; then
    BENCH_USER=$(id -un)
else
    echo "bench: run as root (creates user clfndbench) or as a user with uid >= 1000" >&2; exit 2
fi
cat > "$OUT/config.yaml" <<YAML
issuers:
  - name: gitlab
    issuer: https://gitlab.example.org
    audiences: [https://hpc.example.org]
    jwks_file: $OUT/gitlab.jwks.json
    algorithms: [RS256]
policy:
  rules:
    - name: hpc
      issuer: gitlab
      match: { project_path: "hpc/**" }
      action: allow
      run_as: "{user_login}"
audit:
  file: ""
  syslog: false
YAML
chmod 0644 "$OUT/config.yaml"
"$OUT/issuer/test-issuer" mint --dir "$OUT/key" --iss https://gitlab.example.org --aud https://hpc.example.org --user "$BENCH_USER" --lifetime 3600 > "$OUT/token.jwt"
chmod 0644 "$OUT/token.jwt"
VALIDATE=("$CI_LAUNCHER" validate --config "$OUT/config.yaml" --token-file "$OUT/token.jwt")
"${VALIDATE[@]}" >/dev/null || { echo "bench: the benchmark token is not allowed:"; "${VALIDATE[@]}"; exit 1; }

hyperfine -N --style none --warmup 20 --runs "$RUNS" --export-json "$OUT/hyperfine.json" \
    -n validate "${VALIDATE[*]}" -n hello-aot "$OUT/hello/hello-aot" >/dev/null
# Peak RSS and CPU time per process from GNU time (python's fork would count its own pages as the child's).
rusage() {
    local i
    for i in $(seq 20); do /usr/bin/time -f '%M %U %S' -o "$OUT/time.txt" "$@" >/dev/null 2>&1; cat "$OUT/time.txt"; done
}
rusage "${VALIDATE[@]}" > "$OUT/rusage-validate.txt"
rusage "$OUT/hello/hello-aot" > "$OUT/rusage-hello.txt"
python3 - "$OUT/hyperfine.json" "$OUT/rusage-validate.txt" "$OUT/rusage-hello.txt" "$OUT/hello/hello-aot" "${VALIDATE[@]}" <<'PY'
import json, os, subprocess, sys
data = json.load(open(sys.argv[1]))
def pct(times, p):
    t = sorted(times); return t[min(len(t) - 1, int(round(p / 100 * (len(t) - 1))))]
def usage(path, cmd):
    # Peak RSS from GNU time; CPU time (user + sys, microsecond resolution) from wait4 on 50 runs.
    rows = [l.split() for l in open(path) if l.strip() and l.split()[0].isdigit()]
    cpu = []
    for _ in range(50):
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        cpu.append(ru.ru_utime + ru.ru_stime)
    return pct([int(r[0]) for r in rows], 50) / 1024, pct(cpu, 50) * 1000
r = {x["command"]: x for x in data["results"]}
v, h = r["validate"]["times"], r["hello-aot"]["times"]
rss_v, cpu_v = usage(sys.argv[2], sys.argv[5:]); rss_h, cpu_h = usage(sys.argv[3], [sys.argv[4]])
print(f"{'':12}{'p50 ms':>9}{'p90 ms':>9}{'CPU ms p50':>12}{'peak RSS MiB':>14}   ({len(v)} runs for latency, 20 for RSS, 50 for CPU)")
print(f"{'validate':12}{pct(v,50)*1000:9.2f}{pct(v,90)*1000:9.2f}{cpu_v:12.1f}{rss_v:14.1f}")
print(f"{'hello-aot':12}{pct(h,50)*1000:9.2f}{pct(h,90)*1000:9.2f}{cpu_h:12.1f}{rss_h:14.1f}")
print(f"ratios validate/hello: p50 {pct(v,50)/pct(h,50):.2f}x, p90 {pct(v,90)/pct(h,90):.2f}x, CPU {cpu_v/cpu_h:.2f}x, peak RSS {rss_v/rss_h:.2f}x")
print(f"targets: p50 < 20 ms: {'met' if pct(v,50) < 0.020 else 'MISSED'}; peak RSS < 20 MB: {'met' if rss_v * 1024 * 1024 < 20e6 else 'MISSED'}")
with open("/proc/loadavg") as f: print(f"load average during the run: {f.read().split()[0]} on this shared machine (wall-clock figures include waiting for a CPU)")
PY
