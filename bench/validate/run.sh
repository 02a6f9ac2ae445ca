#!/usr/bin/env bash
# ./build.sh bench validate: token validation cost, each figure beside a baseline from the same run.
#  1. in-process validations per CPU-second through TokenVerifier (RS256, ES256) vs raw VerifyData of
#     the same signature, and vs 'openssl speed' (rsa2048 / ecdsap256 verify) on this machine now;
#  2. whole process: 'ci-launcher validate' of one RS256 token (cached JWKS, an allowed decision:
#     verify, policy, account) vs 'openssl dgst -sha256 -verify' of that token's very signature as a
#     whole process, and a hello-world NativeAOT program: wall and CPU time in interleaved rounds,
#     user-space instructions (valgrind), peak RSS (GNU time).
# Targets (issue 14): RS256 in process <= 1.3x openssl speed, ES256 <= 1.1x; validate <= 1.25x the
# openssl dgst process; validate peak RSS <= 12 MiB.
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
for tool in openssl python3 valgrind /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "bench: '$tool' is missing (./build.sh bench installs it)" >&2; exit 2; }
done
rm -rf "$OUT"
mkdir -p "$OUT"
chmod 0755 "$OUT"   # as root, ci-launcher's trusted-file rules read the config and JWKS only from such a path

echo "--- building (Release) the in-process benchmark, test-issuer and the hello-world AOT baseline"
dotnet build "$HERE/Launcher.Bench.Validate" -c Release -nologo -clp:ErrorsOnly -o "$OUT/bin" >/dev/null
dotnet build "$ROOT/tests/Launcher.TestIssuer" -c Release -nologo -clp:ErrorsOnly -o "$OUT/issuer" >/dev/null
dotnet publish "$HERE/hello" -c Release -nologo -clp:ErrorsOnly -o "$OUT/hello-publish" >/dev/null
# Without its .dbg beside it: valgrind 3.19 cannot read that DWARF and gives up.
install -d "$OUT/hello" && install -m 0755 "$OUT/hello-publish/hello-aot" "$OUT/hello/hello-aot"

echo
echo "=== 1. in process (JIT, Release)"
"$OUT/bin/Launcher.Bench.Validate" "$SECONDS_PER" | tee "$OUT/inproc.txt"
ossl_rsa=$(openssl speed -seconds "$SECONDS_PER" -mr rsa2048 2>/dev/null | awk -F: '/^\+F2:/ {printf "%.0f", $5}')
ossl_ec=$(openssl speed -seconds "$SECONDS_PER" -mr ecdsap256 2>/dev/null | awk -F: '/^\+F4:/ {printf "%.0f", $5}')
read -r rs_full rs_raw < <(awk '/^RESULT RS256/ {split($3,a,"="); split($4,b,"="); print a[2], b[2]}' "$OUT/inproc.txt")
read -r es_full es_raw < <(awk '/^RESULT ES256/ {split($3,a,"="); split($4,b,"="); print a[2], b[2]}' "$OUT/inproc.txt")
echo "openssl speed: rsa2048 verify ${ossl_rsa}/s, ecdsap256 verify ${ossl_ec}/s (per CPU-second, like the figures above)"
python3 - "$rs_full" "$rs_raw" "$ossl_rsa" "$es_full" "$es_raw" "$ossl_ec" <<'PY'
import sys
rs_full, rs_raw, ossl_rsa, es_full, es_raw, ossl_ec = map(float, sys.argv[1:])
print(f"RS256: openssl speed / TokenVerifier = {ossl_rsa/rs_full:.2f}x   (target <= 1.3x: {'met' if ossl_rsa/rs_full <= 1.3 else 'MISSED'});  raw VerifyData: {ossl_rsa/rs_raw:.2f}x")
print(f"ES256: openssl speed / TokenVerifier = {ossl_ec/es_full:.2f}x   (target <= 1.1x: {'met' if ossl_ec/es_full <= 1.1 else 'MISSED'});  raw VerifyData: {ossl_ec/es_raw:.2f}x")
PY

echo
echo "=== 2. whole process: ci-launcher validate vs openssl dgst -verify of the same signature"
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
# The token's own signing input and signature, and the issuer's public key, for openssl.
openssl pkey -in "$OUT/key/key.pem" -pubout -out "$OUT/rs256.pub.pem" 2>/dev/null
python3 - "$OUT" <<'PY'
import base64, sys
d = sys.argv[1]
head, payload, sig = open(f"{d}/token.jwt").read().strip().split(".")
open(f"{d}/rs256.input", "wb").write(f"{head}.{payload}".encode())
open(f"{d}/rs256.sig", "wb").write(base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)))
PY
VALIDATE="$CI_LAUNCHER validate --config $OUT/config.yaml --token-file $OUT/token.jwt"
OPENSSL="openssl dgst -sha256 -verify $OUT/rs256.pub.pem -signature $OUT/rs256.sig $OUT/rs256.input"
$VALIDATE >/dev/null 2>&1 || { echo "bench: the benchmark token is not allowed:"; $VALIDATE; exit 1; }
[ "$($OPENSSL)" = "Verified OK" ] || { echo "bench: openssl does not verify the token's signature" >&2; exit 1; }

python3 "$ROOT/bench/measure.py" times --rounds "$RUNS" --out "$OUT/times.json" \
    "ci-launcher validate (RS256)=$VALIDATE" "openssl dgst -verify (same signature)=$OPENSSL" "hello-world NativeAOT=$OUT/hello/hello-aot"
python3 "$ROOT/bench/measure.py" instructions --out "$OUT/instructions.json" \
    "ci-launcher validate (RS256)=$VALIDATE" "openssl dgst -verify (same signature)=$OPENSSL" "hello-world NativeAOT=$OUT/hello/hello-aot"
python3 - "$OUT/times.json" "$OUT/instructions.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["commands"]
i = json.load(open(sys.argv[2]))
v, o = t["ci-launcher validate (RS256)"], t["openssl dgst -verify (same signature)"]
w, c = v["wall_p50_ms"] / o["wall_p50_ms"], v["cpu_p50_ms"] / o["cpu_p50_ms"]
iv, io = i["ci-launcher validate (RS256)"]["instructions"], i["openssl dgst -verify (same signature)"]["instructions"]
rss = v["maxrss_p50_kib"] / 1024
print(f"validate / openssl dgst process: wall {w:.2f}x, CPU {c:.2f}x, instructions {iv / io:.2f}x   (target <= 1.25x: {'met' if w <= 1.25 else 'MISSED'})")
print(f"validate peak RSS {rss:.1f} MiB (openssl {o['maxrss_p50_kib'] / 1024:.1f} MiB)   (target <= 12 MiB: {'met' if rss <= 12 else 'MISSED'})")
PY
