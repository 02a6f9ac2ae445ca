#!/usr/bin/env bash
# A private one-node Slurm cluster for the batch tests and the batch benchmark.
#
#   cluster.sh start DIR   configure and start munged, slurmctld and slurmd under DIR (created,
#                          root-owned 0755); prints SLURM_CONF=DIR/slurm.conf when the node is idle
#   cluster.sh stop DIR    cancel every job, stop the daemons this script started (by pid), remove DIR
#
# Everything lives under DIR: its own munge key and socket, free ports, state and spool
# directories, logs. Nothing in /etc is touched, so two test runs on one machine do not meet.
# Needs root and the Debian packages munge slurmctld slurmd slurm-client (./build.sh deps).
# No systemd and no cgroups: proctrack/linuxproc, task/none, no accounting storage,
# jobcomp/filetxt (sacct -c reads it).
set -euo pipefail

die() { printf 'cluster.sh: %s\n' "$*" >&2; exit 1; }

free_port() {
    local p
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % 40000))
        # Nothing answers on it now (connect refused); a race with another starter is unlikely.
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
    done
    die "no free port found"
}

start() {
    local dir=$1
    [ "$(id -u)" -eq 0 ] || die "start needs root (slurmd launches jobs as their users)"
    for tool in munged slurmctld slurmd sinfo; do
        command -v "$tool" >/dev/null || die "$tool is missing: ./build.sh deps installs munge slurmctld slurmd slurm-client"
    done
    [ ! -e "$dir" ] || die "$dir exists; use a new directory"
    # 0755 all the way: munged refuses a socket directory others cannot traverse, and every job
    # user's sbatch must read slurm.conf and reach the munge socket.
    mkdir -m 0755 -p "$dir"
    mkdir -m 0755 "$dir/munge" "$dir/ctld" "$dir/spool" "$dir/log"
    head -c 1024 /dev/urandom > "$dir/munge/munge.key"
    chmod 0600 "$dir/munge/munge.key"
    : > "$dir/plugstack.conf"

    local ctld_port slurmd_port node cluster
    ctld_port=$(free_port)
    slurmd_port=$(free_port)
    while [ "$slurmd_port" = "$ctld_port" ]; do slurmd_port=$(free_port); done
    node=cilnode
    cluster=cil$$
    # CPUs, sockets, cores, threads and memory exactly as slurmd sees them, else it drains the node.
    local hw
    hw=$(slurmd -C | head -1 | tr ' ' '\n' | grep -E '^(CPUs|Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore|RealMemory)=' | tr '\n' ' ')
    cat > "$dir/slurm.conf" <<EOF
# written by tests/slurm/cluster.sh
ClusterName=$cluster
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/ctld
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
PlugStackConfig=$dir/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
MessageTimeout=10
KillWait=2
NodeName=$node NodeAddr=127.0.0.1 NodeHostname=localhost $hw State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
PartitionName=prod Nodes=$node MaxTime=INFINITE State=UP
PartitionName=hold Nodes=$node MaxTime=INFINITE State=DOWN
EOF
    chmod 0644 "$dir/slurm.conf"
    export SLURM_CONF=$dir/slurm.conf

    munged -F --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
        --pid-file="$dir/munge/munged.pid" --seed-file="$dir/munge/munged.seed" \
        --log-file="$dir/log/munged.log" >"$dir/log/munged.out" 2>&1 &
    echo $! > "$dir/munged.started"
    for _ in $(seq 1 100); do [ -S "$dir/munge/munge.socket" ] && break; sleep 0.02; done
    [ -S "$dir/munge/munge.socket" ] || die "munged did not start: $(tail -3 "$dir/log/munged.out")"

    slurmctld -D -f "$dir/slurm.conf" >"$dir/log/slurmctld.out" 2>&1 &
    echo $! > "$dir/slurmctld.started"
    slurmd -D -N "$node" -f "$dir/slurm.conf" >"$dir/log/slurmd.out" 2>&1 &
    echo $! > "$dir/slurmd.started"

    # Ask only once the controller listens: a client started earlier waits out its connect retries.
    local i state=""
    for i in $(seq 1 300); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$ctld_port") 2>/dev/null; then
            state=$(sinfo -h -n "$node" -p debug -o %t 2>/dev/null || true)
            [ "$state" = idle ] && break
        fi
        kill -0 "$(cat "$dir/slurmctld.started")" 2>/dev/null || die "slurmctld exited: $(tail -3 "$dir/log/slurmctld.out")"
        kill -0 "$(cat "$dir/slurmd.started")" 2>/dev/null || die "slurmd exited: $(tail -3 "$dir/log/slurmd.out")"
        sleep 0.05
    done
    [ "$state" = idle ] || die "node $node is '$state', not idle, after 15s; see $dir/log"
    echo "SLURM_CONF=$dir/slurm.conf"
}

stop() {
    local dir=$1
    [ -d "$dir" ] || return 0
    [ -f "$dir/slurm.conf" ] || die "$dir is not a cluster.sh directory"
    export SLURM_CONF=$dir/slurm.conf
    local pid name
    if [ -f "$dir/slurmctld.started" ] && kill -0 "$(cat "$dir/slurmctld.started")" 2>/dev/null; then
        local jobs
        jobs=$(squeue -h -o %i 2>/dev/null || true)
        if [ -n "$jobs" ]; then
            # shellcheck disable=SC2086
            scancel $jobs 2>/dev/null || true
            for _ in $(seq 1 60); do [ -z "$(squeue -h -o %i 2>/dev/null || true)" ] && break; sleep 0.05; done
        fi
    fi
    for name in slurmd slurmctld munged; do
        [ -f "$dir/$name.started" ] || continue
        pid=$(cat "$dir/$name.started")
        kill -TERM "$pid" 2>/dev/null || continue
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.02; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    rm -rf "$dir"
}

case "${1:-}" in
    start) [ $# -eq 2 ] || die "usage: cluster.sh start DIR"; start "$2" ;;
    stop) [ $# -eq 2 ] || die "usage: cluster.sh stop DIR"; stop "$2" ;;
    *) die "usage: cluster.sh start|stop DIR" ;;
esac
