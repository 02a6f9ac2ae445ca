#!/usr/bin/env python3
"""bench/measure.py: whole-process measurements beside baselines, made in the same run.

  measure.py times   --rounds N --out FILE.json  NAME=COMMAND ...
      Runs the commands round-robin (A B C A B C ...) N rounds after a warm-up, so that load from
      other people's work on this shared machine falls on every command alike, instead of on
      whichever hyperfine happened to be timing. Per run: wall time (spawn to wait4), CPU time
      (user + system from wait4, which includes the process's waited-for children), minor page
      faults; then peak RSS by GNU time (the largest process of the chain), 10 runs each: a child
      of this Python process would report Python's own pages, as a vfork'd or fork'd child carries
      its parent's high-water mark across exec. Prints medians and p90.

  measure.py instructions --out FILE.json  NAME=COMMAND ...
      User-space instructions retired, by valgrind --tool=callgrind with --trace-children=yes,
      summed over every process of the command. Deterministic to within a fraction of a percent
      and blind to load; blind to the kernel too (exec, page faults, fsync, fork are not in it).

COMMAND is split with shlex. Every command must exit 0 (checked before anything is timed).
"""
import glob
import json
import os
import re
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time


def parse_commands(items):
    out = []
    for item in items:
        name, _, cmd = item.partition("=")
        if not cmd:
            raise SystemExit(f"measure: '{item}' is not NAME=COMMAND")
        out.append((name, shlex.split(cmd)))
    return out


def run_once(argv):
    t0 = time.perf_counter()
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=[
            (os.POSIX_SPAWN_DUP2, devnull, 0), (os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)])
        _, status, ru = os.wait4(pid, 0)
    finally:
        os.close(devnull)
    wall = time.perf_counter() - t0
    return status, wall, ru.ru_utime + ru.ru_stime, ru.ru_minflt


def peak_rss_kib(argv, runs=10):
    values = []
    with tempfile.NamedTemporaryFile("r", prefix="measure-rss-") as f:
        for _ in range(runs):
            subprocess.run(["/usr/bin/time", "-f", "%M", "-o", f.name] + argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            f.seek(0)
            values.append(int(f.read().split()[-1]))
    return statistics.median(values)


def pct(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def times(args):
    rounds, out, commands = int(args[0]), args[1], parse_commands(args[2:])
    for name, argv in commands:
        r = subprocess.run(argv, capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"measure: '{name}' failed (exit {r.returncode}): {' '.join(argv)}\n{r.stderr.strip()}")
    results = {name: {"wall": [], "cpu": [], "minflt": []} for name, _ in commands}
    warmup = max(3, rounds // 20)
    load_before = os.getloadavg()[0]
    for i in range(warmup + rounds):
        for name, argv in commands:
            status, wall, cpu, minflt = run_once(argv)
            if status != 0:
                raise SystemExit(f"measure: '{name}' failed during the run (status {status})")
            if i >= warmup:
                r = results[name]
                r["wall"].append(wall)
                r["cpu"].append(cpu)
                r["minflt"].append(minflt)
    summary = {"rounds": rounds, "load": [load_before, os.getloadavg()[0]], "cpus": os.cpu_count(), "commands": {}}
    for name, argv in commands:
        r = results[name]
        summary["commands"][name] = {
            "argv": argv,
            "wall_p50_ms": statistics.median(r["wall"]) * 1000,
            "wall_p90_ms": pct(r["wall"], 0.9) * 1000,
            "cpu_p50_ms": statistics.median(r["cpu"]) * 1000,
            "minflt_p50": statistics.median(r["minflt"]),
            "maxrss_p50_kib": peak_rss_kib(argv),
            "samples": r,
        }
    with open(out, "w") as f:
        json.dump(summary, f, indent=1)
    print(f"{rounds} interleaved rounds; load average {load_before:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'command':<44} {'wall p50':>9} {'p90':>8} {'cpu p50':>8} {'faults':>7} {'peak RSS':>9}")
    for name, _ in commands:
        c = summary["commands"][name]
        print(f"{name:<44} {c['wall_p50_ms']:7.2f}ms {c['wall_p90_ms']:6.2f}ms {c['cpu_p50_ms']:6.2f}ms {c['minflt_p50']:7.0f} {c['maxrss_p50_kib'] / 1024:6.1f}MiB")


def instructions(args):
    """
    Callgrind counts per process image. valgrind starts a fresh count at each exec and does not
    write the old image's count unless told to: --dump-before=execve writes it (as cg.PID.1). A
    forked child starts with a copy of its parent's count, so a child's pre-exec part would count
    the parent twice: for every process but the first, only the image it exec'd (cg.PID) is added.
    What a forked child does between fork and exec (a few thousand instructions: credentials,
    closing descriptors) is therefore not counted, for any command alike. Good for chains with
    at most one exec in the first process (wrapper -> binary, setpriv -> /bin/true).
    """
    out, commands = args[0], parse_commands(args[1:])
    summary = {}
    for name, argv in commands:
        with tempfile.TemporaryDirectory(prefix="measure-cg-") as d:
            os.chmod(d, 0o777)  # processes that dropped to another user write their counts here too (not sticky: fs.protected_regular)
            r = subprocess.run(["valgrind", "--tool=callgrind", "--trace-children=yes", f"--callgrind-out-file={d}/cg.%p",
                                "--dump-before=execve", "--dump-instr=no", "--collect-jumps=no", "--vgdb=no"] + argv,
                               capture_output=True, text=True, preexec_fn=lambda: os.umask(0))  # an image after a drop reopens its file
            if r.returncode != 0:
                # E.g. a process that changes uid and then execs in the same pid cannot reopen its
                # count file (valgrind creates it 0600 as the first image's user): no figure.
                print(f"measure: '{name}' cannot be counted under valgrind (exit {r.returncode}): "
                      + (re.findall(r"Error: .*", r.stderr) or ["?"])[-1], file=sys.stderr)
                summary[name] = {"argv": argv, "instructions": None, "processes": []}
                continue
            first = int(re.search(r"==(\d+)== Command:", r.stderr).group(1))
            per_process = []
            for path in sorted(glob.glob(f"{d}/cg.*")):
                m = re.match(r"cg\.(\d+)(\.\d+)?$", os.path.basename(path))
                if not m or (int(m.group(1)) != first and m.group(2)):
                    continue
                text = open(path, errors="replace").read()
                total = re.search(r"^summary: (\d+)", text, re.M)
                cmd = re.search(r"^cmd:\s*(\S+)", text, re.M)
                if total:
                    per_process.append((os.path.basename(cmd.group(1) if cmd else "?"), int(total.group(1))))
        summary[name] = {"argv": argv, "instructions": sum(n for _, n in per_process), "processes": per_process}
    with open(out, "w") as f:
        json.dump(summary, f, indent=1)
    print(f"{'command':<44} {'instructions':>14}   per process image")
    for name, s in summary.items():
        if s["instructions"] is None:
            print(f"{name:<44} {'n/a':>14}")
            continue
        print(f"{name:<44} {s['instructions']:>14,}   " + ", ".join(f"{p} {n / 1e6:.2f}M" for p, n in s["processes"]))


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("times", "instructions"):
        raise SystemExit(__doc__)
    mode, rest = sys.argv[1], sys.argv[2:]
    opts = {"--rounds": "100", "--out": "measure.json"}
    while rest and rest[0] in opts:
        opts[rest[0]] = rest[1]
        rest = rest[2:]
    if mode == "times":
        times([opts["--rounds"], opts["--out"]] + rest)
    else:
        instructions([opts["--out"]] + rest)
