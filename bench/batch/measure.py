"""bench/batch driver: runs the batch stage and srun alternately, RUNS times each, and reports
ci-launcher's overhead (before sbatch returned + after the job's end) beside srun's."""
import os, statistics, subprocess, time

DIR, USER, RUNS, CLUSTER = os.environ["DIR"], os.environ["USER_NAME"], int(os.environ["RUNS"]), os.environ["CLUSTER"]
stage_env = {
    "PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
    "JOB_RESPONSE_FILE": f"{DIR}/runner/job.json",
    "BUILD_FAILURE_EXIT_CODE": "41", "SYSTEM_FAILURE_EXIT_CODE": "42",
    "CUSTOM_ENV_CI_LAUNCHER_ID_TOKEN": open(f"{DIR}/token").read().strip(),
}
launcher = f"{DIR}/bin/ci-launcher"
config = ["--config", f"{DIR}/config.yaml"]

def stage(name, *args):
    r = subprocess.run([launcher, "executor", name, *config, *args], env=stage_env, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"bench/batch: executor {name} failed ({r.returncode}): {r.stderr}")
    return r

stage("config")
stage("prepare")

def timed(argv, env):
    """Wall-clock times: start, each stdout line's arrival, exit; the job's own start/end stamps."""
    t0 = time.time()
    p = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = {}
    for line in p.stdout:
        now = time.time()
        if " submitted as " in line: seen["submitted"] = now
        if line.startswith("job-start "): seen["job_start"] = float(line.split()[1])
        if line.startswith("job-end "): seen["job_end"] = float(line.split()[1])
    err = p.stderr.read()
    if p.wait() != 0:
        raise SystemExit(f"bench/batch: {argv[0]} failed ({p.returncode}): {err}")
    seen["t0"], seen["exit"] = t0, time.time()
    return seen

srun_env = {"PATH": "/usr/bin:/bin", "SLURM_CONF": f"{CLUSTER}/slurm.conf", "HOME": "/nonexistent", "LANG": "C.UTF-8"}
srun = ["setpriv", "--reuid", USER, "--regid", USER, "--init-groups", "--",
        "srun", "--export=NONE", "-p", "debug", "-t", "10", "--chdir", "/tmp", "/bin/bash", "-s"]
# srun reads the script on stdin here, as the same bash runs it; the user cannot read the runner's copy.
script = open(f"{DIR}/runner/script").read()

rows = {"ci-launcher": [], "srun": []}
for i in range(RUNS):
    copy = f"{DIR}/runner/script{i}"
    with open(copy, "w") as f: f.write(script)
    os.chmod(copy, 0o600)
    s = timed([launcher, "executor", "run", *config, copy, "step_script"], stage_env)
    rows["ci-launcher"].append({
        "before": s["submitted"] - s["t0"],
        "slurm": s["job_start"] - s["submitted"],
        "after": s["exit"] - s["job_end"],
        "total": s["exit"] - s["t0"],
    })
    t0 = time.time()
    p = subprocess.run(srun, input=script, env=srun_env, capture_output=True, text=True)
    t1 = time.time()
    if p.returncode != 0:
        raise SystemExit(f"bench/batch: srun failed: {p.stderr}")
    stamps = {l.split()[0]: float(l.split()[1]) for l in p.stdout.splitlines() if l.startswith("job-")}
    rows["srun"].append({
        "before": None,
        "slurm": stamps["job-start"] - t0,
        "after": t1 - stamps["job-end"],
        "total": t1 - t0,
    })

def med(xs): return statistics.median(xs) * 1000
load = open("/proc/loadavg").read().split()[0]
print(f"{RUNS} runs each, load average {load} on {os.cpu_count()} cpus, poll_interval {os.environ.get('BENCH_POLL', '500ms')}; medians in ms")
print(f"{'':<12} {'before sbatch returned':>23} {'submit -> job start':>20} {'job end -> exit':>16} {'stage total':>12} {'ci-launcher share':>18}")
for name, rs in rows.items():
    before = med([r["before"] for r in rs]) if rs[0]["before"] is not None else None
    after = med([r["after"] for r in rs])
    share = (before + after) if before is not None else None
    print(f"{name:<12} {(f'{before:.0f}' if before is not None else '-'):>23} {med([r['slurm'] for r in rs]):>20.0f} {after:>16.0f} {med([r['total'] for r in rs]):>12.0f} {(f'{share:.0f}' if share is not None else '-'):>18}")
cl = rows["ci-launcher"]
share = [r["before"] + r["after"] for r in cl]
worst = max(share) * 1000
print(f"target: ci-launcher's share <= 1000 ms -> {'met' if med(share) <= 1000 else 'MISSED'} (median {med(share):.0f} ms, worst {worst:.0f} ms)")
print(f"stage total vs srun total: {med([r['total'] for r in cl]) - med([r['total'] for r in rows['srun']]):+.0f} ms (median difference)")
