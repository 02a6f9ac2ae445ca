#!/usr/bin/env bash
# bench/batch: what ci-launcher adds to a batch stage, beside srun of the same script as the same
# user in the same run, on a private one-node Slurm (tests/slurm/cluster.sh).
#
# ci-launcher's own share of a batch stage (issue 13, target <= 1 s in total):
#   before: stage start -> sbatch has returned (the monitor prints "Slurm job N submitted");
#           re-verification, policy, audit, plan, fork/drop/exec of the monitor, sbatch itself
#   after:  the job's last line -> stage exit; polling (executor.batch.poll_interval), the last
#           output, result file, audit record
# Slurm's own submit-to-start time is reported apart, for both.
#
# Needs root: creates a throwaway account (clbtb*), a private Slurm and an installation under
# /run, and removes them on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
[ "$(id -u)" -eq 0 ] || { echo "bench/batch: needs root (creates an account and a Slurm cluster)" >&2; exit 2; }
[ -x dist/ci-launcher ] || { echo "bench/batch: dist/ci-launcher is missing; run ./build.sh publish" >&2; exit 2; }
RUNS=${BENCH_RUNS:-10}
POLL=${BENCH_POLL:-500ms}

TAG=$(head -c3 /dev/urandom | od -An -tx1 | tr -d ' \n')
USER_NAME=clbtb$TAG
DIR=/run/clbt-bench-$TAG
CLUSTER=/run/clbt-slurm-$TAG
cleanup() {
    bash "$ROOT/tests/slurm/cluster.sh" stop "$CLUSTER" || true
    pkill -KILL -u "$USER_NAME" >/dev/null 2>&1 || true
    userdel -f "$USER_NAME" >/dev/null 2>&1 || true
    rm -rf "$DIR"
}
trap cleanup EXIT
useradd -M -d /nonexistent -s /bin/bash "$USER_NAME"
mkdir -p "$DIR/bin" "$DIR/runner" "$DIR/scratch"
chmod 0755 "$DIR" "$DIR/bin" "$DIR/scratch"
chmod 0700 "$DIR/runner"
bash "$ROOT/tests/slurm/cluster.sh" start "$CLUSTER" >/dev/null

ISSUER_BIN="$ROOT/artifacts/test-issuer/test-issuer"
[ -x "$ISSUER_BIN" ] || dotnet build "$ROOT/tests/Launcher.TestIssuer" -c Release -nologo -clp:ErrorsOnly -o "$ROOT/artifacts/test-issuer" >/dev/null
"$ISSUER_BIN" keygen --dir "$DIR/issuer" --kid bench-1
install -m 0644 "$DIR/issuer/jwks.json" "$DIR/jwks.json"
"$ISSUER_BIN" mint --dir "$DIR/issuer" --iss https://gitlab.example.org --aud https://hpc.example.org --user "$USER_NAME" > "$DIR/token"
install -m 0755 dist/ci-launcher "$DIR/bin/ci-launcher"
cat > "$DIR/config.yaml" <<YAML
issuers:
  - name: gitlab
    issuer: https://gitlab.example.org
    audiences: [https://hpc.example.org]
    jwks_file: $DIR/jwks.json
policy:
  rules:
    - name: hpc
      issuer: gitlab
      match: { project_path: "hpc/**" }
      action: allow
      run_as: "{user_login}"
      batch:
        partitions: [debug]
        max_time: 10m
audit:
  file: $DIR/audit.log
  syslog: false
launch:
  kill_timeout: 5s
executor:
  builds_dir: $DIR/scratch/{user}/builds
  cache_dir: $DIR/scratch/{user}/cache
  state_dir: $DIR/state
  batch:
    system: slurm
    slurm_conf: $CLUSTER/slurm.conf
    poll_interval: $POLL
YAML
chmod 0644 "$DIR/config.yaml"
cat > "$DIR/runner/job.json" <<JSON
{"id": 1001, "job_info": {"project_id": 4242}, "variables": [{"key": "CI_RUNNER_ID", "value": "17"}]}
JSON
# The stage script, as the runner generates it: the job prints its own clock first and last.
cat > "$DIR/runner/script" <<'SH'
#!/usr/bin/env bash
set -eo pipefail
echo "job-start $(date +%s.%N)"
echo building
echo "job-end $(date +%s.%N)"
SH
chmod 0600 "$DIR/runner/job.json" "$DIR/runner/script"

export DIR USER_NAME RUNS CLUSTER
python3 "$ROOT/bench/batch/measure.py"
