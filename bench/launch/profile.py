#!/usr/bin/env python3
"""bench/launch/profile.py: the time budget of one `run` through ci-launcher-suid, per phase.

Runs the launch RUNS times under bpftrace (kernel tracepoints + uprobes; no ptrace, about a
microsecond per event) and splits every run's timeline at markers:

  * sched_process_exec / execve / fork / exit of every process of the launch (wrapper, AOT binary,
    the job's child, /bin/true);
  * entry and return of the functions below (uprobes at their addresses in this very build,
    taken from the .dbg symbol file next to the binary; the build ids must match).

Between two markers of one thread, the kernel side aggregates (no event per item): syscalls
(count and time per syscall), page faults, and off-CPU time split into "runnable" (waiting for a
CPU: other people's load) and "blocked" (fsync, sleep, waiting for the child). Each phase is then
reported as the median over the runs of its wall time, its on-CPU time, its blocked time, and its
page faults and syscalls.

usage: profile.py --binary BIN --dbg BIN.dbg --runs N --out DIR -- COMMAND...   (as root)
"""
import argparse
import collections
import os
import re
import shlex
import statistics
import subprocess
import sys
import time

# (symbol regex, label). Entry and return are both probed: each interval is nested in whatever was
# open when it started, exactly like a call stack.
FUNCTIONS = [
    (r"main", "native main (AOT bootstrap)"),
    (r"RhInitialize", "runtime init (RhInitialize)"),
    (r"ci_launcher_Launcher_Cli_CommandLine__Main", "Main"),
    (r"ci_launcher_Launcher_Cli_CommandLine___cctor", "CommandLine static init (command table)"),
    (r"ci_launcher_Launcher_Cli_CommandLine__Dispatch", "Dispatch"),
    (r"Launcher_Posix_Launcher_Posix_ProcessIdentity__DangerousEnvironment", "DOTNET_* check"),
    (r"Launcher_Posix_Launcher_Posix_Launch_JobLimits__Load", "caller rlimits (CI_LAUNCHER_CALLER_RLIMITS)"),
    (r"ci_launcher_Launcher_Cli_Commands_RunCommand__Run", "RunCommand.Run"),
    (r"ci_launcher_Launcher_Cli_Site__Load", "Site.Load"),
    (r"Launcher_Posix_Launcher_Posix_SiteConfigFile___cctor", "SiteConfigFile static init (ProcessPath)"),
    (r"Launcher_Posix_Launcher_Posix_SiteConfigFile__Load", "config file"),
    (r"Launcher_Posix_Launcher_Posix_Files_TrustedFile__Walk", "trusted walk"),
    (r"Launcher_Posix_Launcher_Posix_Files_TrustedFile__ReadAll", "read judged fd"),
    (r"Launcher_Core_Launcher_Core_Config_ConfigLoader___cctor", "YamlDotNet deserializer setup (ConfigLoader static init)"),
    (r"Launcher_Core_Launcher_Core_Config_ConfigLoader__Parse", "ConfigLoader.Parse"),
    (r"Launcher_Core_Launcher_Core_Config_YamlLineMap__Build", "YAML parse #1 (line map)"),
    (r"YamlDotNet_YamlDotNet_Serialization_Deserializer__Deserialize<System___Canon>", "YAML parse #2 (deserialize)"),
    (r"Launcher_Core_Launcher_Core_Config_ConfigLoader_Validator__Validate", "config validation"),
    (r"Launcher_Posix_Launcher_Posix_Logging_AuditSinks__For", "audit sinks"),
    (r"ci_launcher_Launcher_Cli_Launch_LaunchGate__CheckCaller", "caller check"),
    (r"Launcher_Posix_Launcher_Posix_Launch_CallerGroup__Problem", "caller group (NSS getgrouplist)"),
    (r"ci_launcher_Launcher_Cli_TokenInput__Read", "token file (as the caller)"),
    (r"Launcher_Core_Launcher_Core_Authorization_Authorizer__Authorize", "Authorize"),
    (r"Launcher_Core_Launcher_Core_Tokens_TokenVerifier__Sha256Hex", "token SHA-256 (audit)"),
    (r"Launcher_Core_Launcher_Core_Tokens_TokenEnvelope__Shape", "token header parse (IsJwtShaped/Open)"),
    (r"Launcher_Core_Launcher_Core_Tokens_TokenVerifier__Verify", "TokenVerifier.Verify"),
    (r"Launcher_Core_Launcher_Core_Tokens_TokenEnvelope__Open", "token envelope"),
    (r"Launcher_Core_Launcher_Core_Tokens_TokenEnvelope__DecodeObject", "token payload parse"),
    (r"Launcher_Core_Launcher_Core_Tokens_RegisteredClaims__Read", "registered claims"),
    (r"Launcher_Posix_Launcher_Posix_Keys_JwksFileKeySource__GetKeys", "JWKS file"),
    (r"Launcher_Core_Launcher_Core_Tokens_KeySet__Parse", "JWKS parse"),
    (r"Launcher_Core_Launcher_Core_Tokens_TokenVerifier__SignatureHolds", "signature (RS256)"),
    (r"CryptoNative_EnsureOpenSslInitialized", "OpenSSL load + init (libssl, libcrypto, openssl.cnf)"),
    (r"Launcher_Core_Launcher_Core_Tokens_TokenVerifier__LifetimeHolds", "lifetime checks"),
    (r"Launcher_Core_Launcher_Core_Policy_PolicyEngine__Evaluate", "policy"),
    (r"Launcher_Core_Launcher_Core_Accounts_AccountPolicy__Check", "account (NSS getpwnam, groups, shells)"),
    (r"ci_launcher_Launcher_Cli_Launch_LaunchGate__CheckAccount", "launch.shell check"),
    (r"ci_launcher_Launcher_Cli_Launch_JobRequest__Prepare", "job request (env, workdir)"),
    (r"ci_launcher_Launcher_Cli_Launch_LaunchSequence__Run", "LaunchSequence.Run"),
    (r"ci_launcher_Launcher_Cli_Site__Record", "audit record"),
    (r"Launcher_Core_Launcher_Core_Audit_AuditRecord__ToJson", "record JSON"),
    (r"Launcher_Posix_Launcher_Posix_Logging_AuditFileSink__Open", "audit file open (walk to its directory)"),
    (r"Launcher_Posix_Launcher_Posix_Logging_AuditFileSink__Sync", "audit fsync"),
    (r"Launcher_Posix_Launcher_Posix_Launch_JobLauncher__Run", "JobLauncher.Run"),
    (r"Launcher_Posix_Launcher_Posix_Launch_JobCgroup__Create", "cgroup create"),
    (r"Launcher_Posix_Launcher_Posix_Launch_JobSupervisor___ctor", "signal handlers (PosixSignalRegistration)"),
    (r"cil_spawn", "fork (cil_spawn)"),
    (r"Launcher_Posix_Launcher_Posix_Launch_JobSupervisor__Wait", "supervise: wait for the job"),
    (r"Launcher_Posix_Launcher_Posix_Launch_JobCgroup__KillAndRemove", "cgroup kill + drain + rmdir"),
    (r"Launcher_Posix_Launcher_Posix_Launch_JobCgroup__Dispose", "cgroup fds close"),
]

SYSCALL_NAMES = {}


def syscall_names():
    """x86_64 syscall numbers to names, from the kernel headers glibc ships (asm/unistd_64.h)."""
    for path in ["/usr/include/x86_64-linux-gnu/asm/unistd_64.h", "/usr/include/asm/unistd_64.h"]:
        if os.path.exists(path):
            for line in open(path):
                m = re.match(r"#define __NR_(\w+)\s+(\d+)", line)
                if m:
                    SYSCALL_NAMES[int(m.group(2))] = m.group(1)
            return


def build_id(path):
    out = subprocess.run(["readelf", "-n", path], capture_output=True, text=True).stdout
    m = re.search(r"Build ID: ([0-9a-f]+)", out)
    return m.group(1) if m else None


def symbols(dbg):
    table = {}
    out = subprocess.run(["nm", dbg], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tT":
            table.setdefault(parts[2], int(parts[0], 16))
    return table


def text_offset(binary, vaddr):
    """uprobes take file offsets: map a virtual address through the executable LOAD segment."""
    out = subprocess.run(["readelf", "-lW", binary], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 8 and f[0] == "LOAD" and "E" in f[6:-1]:
            off, va, filesz = int(f[1], 16), int(f[2], 16), int(f[4], 16)
            if va <= vaddr < va + filesz:
                return vaddr - va + off
    raise SystemExit(f"profile: address {vaddr:#x} is not in an executable segment of {binary}")


def bpftrace_program(binary, probes):
    # One marker = one printed line; everything between two markers of a thread is summed in maps
    # keyed by (tid, marker sequence number), printed once at the end.
    lines = [r"""
BEGIN { @t[cpid] = 1; }
tracepoint:task:task_newtask /@t[tid]/ {
  @t[args->pid] = 1;
  @seq[tid]++; printf("M %d %d %llu fork %d %d\n", tid, @seq[tid], nsecs, args->pid, (args->clone_flags & 0x10000) ? 1 : 0);
}
tracepoint:sched:sched_process_exec /@t[tid]/ { @seq[tid]++; printf("M %d %d %llu exec %s\n", tid, @seq[tid], nsecs, str(args->filename)); }
tracepoint:sched:sched_process_exit /@t[tid]/ { @seq[tid]++; printf("M %d %d %llu exit %s\n", tid, @seq[tid], nsecs, comm); delete(@t[tid]); }
tracepoint:syscalls:sys_enter_execve /@t[tid]/ { @seq[tid]++; printf("M %d %d %llu execve %s\n", tid, @seq[tid], nsecs, str(args->filename)); }
tracepoint:syscalls:sys_enter_openat /@t[tid]/ { printf("O %d %d %llu %s\n", tid, @seq[tid], nsecs, str(args->filename)); }
tracepoint:raw_syscalls:sys_enter /@t[tid]/ { @sc_ts[tid] = nsecs; }
tracepoint:raw_syscalls:sys_exit /@t[tid] && @sc_ts[tid]/ {
  @scn[tid, @seq[tid], args->id] = count(); @sct[tid, @seq[tid], args->id] = sum(nsecs - @sc_ts[tid]); delete(@sc_ts[tid]);
}
software:page-faults:1 /@t[tid]/ { @pf[tid, @seq[tid]] = count(); }
software:major-faults:1 /@t[tid]/ { @mf[tid, @seq[tid]] = count(); }
tracepoint:sched:sched_switch {
  if (@t[args->prev_pid]) { @off_ts[args->prev_pid] = nsecs; @off_st[args->prev_pid] = args->prev_state; }
  if (@t[args->next_pid] && @off_ts[args->next_pid]) {
    @off[args->next_pid, @seq[args->next_pid], @off_st[args->next_pid] == 0 ? 0 : 1] = sum(nsecs - @off_ts[args->next_pid]);
    delete(@off_ts[args->next_pid]);
  }
}
END { clear(@t); clear(@sc_ts); clear(@off_ts); clear(@off_st); clear(@seq); }
"""]
    for i, (name, offset) in enumerate(probes):
        lines.append(f'uprobe:{binary}:{offset:#x} /@t[tid]/ {{ @seq[tid]++; printf("M %d %d %llu enter {i}\\n", tid, @seq[tid], nsecs); }}')
        if True:
            lines.append(f'uretprobe:{binary}:{offset:#x} /@t[tid]/ {{ @seq[tid]++; printf("M %d %d %llu leave {i}\\n", tid, @seq[tid], nsecs); }}')
    return "\n".join(lines)


def parse(path):
    markers = collections.defaultdict(list)    # tid -> [(seq, ts, kind, arg)]
    opens = collections.defaultdict(list)      # tid -> [(seq, ts, file)]
    sc = collections.defaultdict(lambda: collections.defaultdict(lambda: [0, 0]))  # (tid, seq) -> id -> [n, ns]
    pf = collections.Counter()
    mf = collections.Counter()
    off = collections.defaultdict(lambda: [0, 0])  # (tid, seq) -> [runnable ns, blocked ns]
    lost = 0
    for line in open(path, errors="replace"):
        line = line.rstrip("\n")
        if line.startswith("M "):
            _, tid, seq, ts, kind, *rest = line.split(" ", 5)
            markers[int(tid)].append((int(seq), int(ts), kind, rest[0] if rest else ""))
        elif line.startswith("O "):
            _, tid, seq, ts, name = line.split(" ", 4)
            opens[int(tid)].append((int(seq), int(ts), name))
        elif m := re.match(r"@(scn|sct)\[(\d+), (\d+), (\d+)\]: (\d+)", line):
            sc[(int(m.group(2)), int(m.group(3)))][int(m.group(4))][0 if m.group(1) == "scn" else 1] = int(m.group(5))
        elif m := re.match(r"@(pf|mf)\[(\d+), (\d+)\]: (\d+)", line):
            (pf if m.group(1) == "pf" else mf)[(int(m.group(2)), int(m.group(3)))] = int(m.group(4))
        elif m := re.match(r"@off\[(\d+), (\d+), (\d+)\]: (\d+)", line):
            off[(int(m.group(1)), int(m.group(2)))][int(m.group(3))] = int(m.group(4))
        elif "Lost" in line and "events" in line:
            lost += int(re.search(r"Lost (\d+)", line).group(1))
    return markers, opens, sc, pf, mf, off, lost


class Segment:
    """The stretch of one thread between one marker and the next, charged to one phase."""
    __slots__ = ("phase", "wall", "runnable", "blocked", "faults", "majors", "syscalls")

    def __init__(self, phase):
        self.phase = phase
        self.wall = self.runnable = self.blocked = self.faults = self.majors = 0
        self.syscalls = collections.Counter()


def analyse_run(root, markers, sc, pf, mf, off, labels):
    """
    One launch, from the wrapper's exec to the last exit. Returns (main, parallel, total): main is
    phase -> Segment for the thread that runs the whole launch (the wrapper's, which becomes the
    AOT binary's main thread), whose phases add up to the total; parallel is the same for the job's
    child process, /bin/true and the runtime's other threads, which run while the main thread waits.
    """
    main_phases, parallel = collections.OrderedDict(), collections.OrderedDict()

    def charge(table, phase, tid, seq, t0, t1):
        s = table.setdefault(phase, Segment(phase))
        s.wall += t1 - t0
        r, b = off.get((tid, seq), (0, 0))
        s.runnable += r
        s.blocked += b
        s.faults += pf.get((tid, seq), 0)
        s.majors += mf.get((tid, seq), 0)
        for sid, (n, ns) in sc.get((tid, seq), {}).items():
            s.syscalls[SYSCALL_NAMES.get(sid, str(sid))] += n
            s.syscalls["ns:" + SYSCALL_NAMES.get(sid, str(sid))] += ns

    start, end = None, 0
    todo = [(root, "caller", False)]
    while todo:
        tid, image, is_thread = todo.pop(0)
        ms = markers[tid]
        if tid == root:
            first = next(i for i, m in enumerate(ms) if m[2] == "exec" and m[3].endswith("/ci-launcher-suid"))
            ms = ms[first:]
            start = ms[0][1]
        if tid != root:
            born = next((m[1] for t in markers for m in markers[t] if m[2] == "fork" and m[3].split()[0] == str(tid)), None)
            if born is not None:
                ms = [(0, born, "born", "")] + ms
        stack, entered, main_done, rh_done = [], False, False, False
        role = ("ci-launcher thread" if is_thread else "job child (cil_spawn.c, fork to execve)") if image == "ci-launcher" else image
        for (seq, ts, kind, arg), nxt in zip(ms, ms[1:] + [None]):
            if kind == "exec":
                image = os.path.basename(arg)
                stack, entered, main_done, rh_done = [], False, False, False
                role = {"ci-launcher-suid": "wrapper (ld.so, limits, signals, environment)", "ci-launcher": "ci-launcher",
                        "true": "job: /bin/true from exec to exit"}.get(image, image)
            elif kind == "fork":
                child, thread = arg.split()
                todo.append((int(child), image, thread == "1"))
            elif kind == "enter":
                stack.append(labels[int(arg)])
                entered = True
            elif kind == "leave":
                name = labels[int(arg)]
                main_done |= name == "Main"
                rh_done |= name.startswith("runtime init")
                while stack and stack.pop() != name:
                    pass
            end = max(end, ts)
            if nxt is None:
                continue
            if kind == "execve":
                phase = (f"kernel: execve({os.path.basename(arg)})",)
            elif role == "ci-launcher" and not stack:
                phase = (("ci-launcher: after Main returned (runtime shutdown, exit)" if entered
                          else "ci-launcher: exec done -> native main (ld.so, libraries)"),)
            elif role == "ci-launcher" and stack == [labels[0]] and labels[0].startswith("native main"):
                # The bootstrap's own code: split at the runtime's init and at Main's return.
                state = "after Main returned: shutdown" if main_done else "module init (rehydrate data, statics)" if rh_done else "before RhInitialize"
                phase = (stack[0], state)
            elif role == "ci-launcher":
                phase = tuple(stack)
            elif role == "ci-launcher thread":
                phase = ("ci-launcher: the runtime's other threads",)
            else:
                phase = (role,)
            charge(main_phases if tid == root else parallel, phase, tid, seq, ts, nxt[1])
    return main_phases, parallel, end - start


def table(per_run, index, total, title):
    """Median per phase over the runs, as a tree: self time on the line, inclusive time for nodes with children."""
    order = []
    for r in per_run:
        for k in r[index]:
            for depth in range(1, len(k) + 1):
                if k[:depth] not in order:
                    order.append(k[:depth])
    n = len(per_run)

    def run_value(r, node, attr, inclusive):
        return sum(getattr(seg, attr) for k, seg in r[index].items() if (k[:len(node)] == node if inclusive else k == node))

    def med(node, attr, inclusive=False):
        return statistics.median([run_value(r, node, attr, inclusive) for r in per_run])

    print(title)
    print(f"{'phase':<78} {'incl us':>8} {'self us':>8} {'share':>6} {'cpu us':>7} {'blocked':>8} {'runnable':>8} {'faults':>6} {'sysc':>5}  slowest syscalls (mean us)")
    for node in order:
        has_children = any(len(o) > len(node) and o[:len(node)] == node for o in order)
        incl = med(node, "wall", True) / 1000
        wall, blocked, runnable = med(node, "wall") / 1000, med(node, "blocked") / 1000, med(node, "runnable") / 1000
        sysc = collections.Counter()
        for r in per_run:
            if node in r[index]:
                sysc.update(r[index][node].syscalls)
        counts = [(v / n, name) for name, v in sysc.items() if not name.startswith("ns:")]
        slow = sorted(((sysc["ns:" + name] / n / 1000, name, c) for c, name in counts), reverse=True)[:3]
        label = "  " * (len(node) - 1) + node[-1]
        print(f"{label[:78]:<78} {(f'{incl:8.0f}' if has_children else ''):>8} {wall:8.0f} {incl * 1000 / total:6.1%} {max(wall - blocked - runnable, 0):7.0f} "
              f"{blocked:8.0f} {runnable:8.0f} {med(node, 'faults'):6.0f} {sum(c for c, _ in counts):5.0f}  "
              f"{', '.join(f'{name} x{c:.0f} {us:.0f}' for us, name, c in slow if us >= 20)}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--dbg", required=True)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--out", required=True)
    ap.add_argument("command", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.command[1:] if a.command and a.command[0] == "--" else a.command
    syscall_names()
    if build_id(a.binary) != build_id(a.dbg):
        raise SystemExit(f"profile: {a.dbg} is not the symbol file of {a.binary} (build ids differ)")
    symtab = symbols(a.dbg)
    probes, labels = [], []
    for pattern, label in FUNCTIONS:
        if pattern not in symtab:
            print(f"profile: no symbol {pattern} in this build (inlined or renamed); not probed", file=sys.stderr)
            continue
        probes.append((pattern, text_offset(a.binary, symtab[pattern])))
        labels.append(label)
    os.makedirs(a.out, exist_ok=True)
    prog = os.path.join(a.out, "profile.bt")
    with open(prog, "w") as f:
        f.write(bpftrace_program(a.binary, probes))
    # The launches run one after the other under one bpftrace session; each is one child of the loop.
    loop = f"for i in $(seq {a.runs}); do {' '.join(shlex.quote(c) for c in cmd)} >/dev/null || echo FAILED-RUN >&2; done"
    trace = os.path.join(a.out, "trace.txt")
    env = dict(os.environ, BPFTRACE_PERF_RB_PAGES="16384", BPFTRACE_MAP_KEYS_MAX="200000", BPFTRACE_STRLEN="200")
    with open(trace, "w") as f:
        # bpftrace -c splits its argument at spaces itself, without any quoting: hand it a script file.
        driver = os.path.join(a.out, "launches.sh")
        with open(driver, "w") as d:
            d.write(loop + "\n")
        r = subprocess.run(["bpftrace", "--unsafe", "-q", prog, "-c", f"/bin/sh {driver}"],
                           stdout=f, stderr=subprocess.PIPE, text=True, env=env)
    errors = [l for l in r.stderr.splitlines() if "RLIMIT_MEMLOCK" not in l and "instruction boundary" not in l]
    if any("FAILED-RUN" in l for l in errors):
        raise SystemExit("profile: a traced launch failed:\n" + "\n".join(errors))
    # The same launches without tracing, to show what tracing added.
    untraced = []
    for _ in range(a.runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        untraced.append(time.perf_counter() - t0)
    markers, opens, sc, pf, mf, off, lost = parse(trace)
    if lost:
        print(f"profile: WARNING: bpftrace lost {lost} events", file=sys.stderr)

    # Each launch starts at the wrapper's exec, in a process of its own (a child of the loop).
    roots = sorted((ts, tid) for tid, ms in markers.items() for seq, ts, kind, arg in ms
                   if kind == "exec" and arg.endswith("/ci-launcher-suid"))
    per_run = [analyse_run(tid, markers, sc, pf, mf, off, labels) for _, tid in roots]
    total = statistics.median(r[2] for r in per_run)
    print(f"{len(per_run)} traced launches; median total {total / 1000:.0f} us from the wrapper's exec to the last exit "
          f"(untraced, the same command from spawn to exit: median {statistics.median(untraced) * 1e6:.0f} us; load {os.getloadavg()[0]:.1f})")
    table(per_run, 0, total, "== the launch's own thread (wrapper, then the AOT binary's main thread): these add up to the total")
    table(per_run, 1, total, "== in parallel: the job's child process, the job, the runtime's other threads (share = of the total)")
    children = collections.defaultdict(list)
    for tid, ms in markers.items():
        for seq, ts, kind, arg in ms:
            if kind == "fork":
                children[tid].append(int(arg.split()[0]))
    # What one launch opened, by process, in order: the evidence for the phase names above.
    with open(os.path.join(a.out, "files-opened.txt"), "w") as f:
        todo = [roots[0][1]] if roots else []
        while todo:
            tid = todo.pop(0)
            todo.extend(children[tid])
            for seq, ts, name in opens[tid]:
                f.write(f"{tid} {name}\n")


if __name__ == "__main__":
    main()
