#!/usr/bin/env bash
# ci-launcher build driver. Subcommands: deps build test publish wrapper demo rpm bench clean.
# Everything a fresh Debian machine needs is installed by 'deps' (as root) or named (otherwise).
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
DIST="$ROOT/dist"
ART="$ROOT/artifacts"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

# Debian packages: what each is for.
#   gcc, libc6-dev      native/ C parts and the NativeAOT link step
#   zlib1g-dev          NativeAOT links against zlib
#   libpam0g-dev        pam_ci_launcher.so
#   pamtester           PAM tests
#   libpam-wrapper      PAM tests without touching /etc/pam.d
#   libnss-wrapper      demo and tests: fixture passwd/group without real accounts
#   openssh-server, sshpass, openssh-client   ssh login test against a loopback sshd
#   rpm                 ./build.sh rpm (rpmbuild)
#   cpio                RPM content tests
#   openssl             benchmark baseline (openssl speed)
#   munge, slurmctld, slurmd, slurm-client   batch tests and benchmark: a private one-node Slurm
#                       (tests/slurm/cluster.sh starts and stops it; the packages' services never run)
APT_PACKAGES=(gcc libc6-dev zlib1g-dev libpam0g-dev pamtester libpam-wrapper libnss-wrapper openssh-server openssh-client sshpass rpm cpio openssl procps util-linux passwd munge slurmctld slurmd slurm-client)

missing_packages() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
    done
}

cmd_deps() {
    local want=("${APT_PACKAGES[@]}" "$@")
    local missing
    missing=$(missing_packages "${want[@]}" | tr '\n' ' ')
    if [ -z "${missing// /}" ]; then
        log "deps: all present"
        return 0
    fi
    if [ "$(id -u)" -ne 0 ]; then
        die "missing Debian packages: $missing -- install them with: sudo apt-get install -y $missing"
    fi
    log "deps: installing $missing"
    apt-get update -qq
    # No service may start during the install (sshd, munge, slurmctld, slurmd): tests start their
    # own private daemons. A policy-rc.d that says 101 stops invoke-rc.d; ours is removed after.
    local policy=/usr/sbin/policy-rc.d ours=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\n# ci-launcher build.sh deps: no service starts during this install\nexit 101\n' > "$policy"
        chmod 0755 "$policy"
        ours=1
    fi
    local rc=0
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null || rc=$?
    [ "$ours" -eq 1 ] && rm -f "$policy"
    return "$rc"
}

cmd_build() {
    dotnet build "$ROOT/Launcher.sln" -c Release -nologo -clp:ErrorsOnly
}

# Compiler flags for every shipped C object: stack protector, fortify, PIE, full RELRO, no exec stack.
HARDEN_CFLAGS=(-O2 -Wall -Wextra -Werror -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE -fstack-clash-protection -fcf-protection)
HARDEN_LDFLAGS=(-pie -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack)

# Where the installed wrapper finds the AOT binary. Fixed at build time; tests override it.
SUID_TARGET=${CI_LAUNCHER_SUID_TARGET:-/usr/bin/ci-launcher}

# The one place native/ci-launcher-suid.c is compiled, with the shipped flags: for dist/ and the
# RPM (target /usr/bin/ci-launcher) and for the tests' temporary installations ('wrapper TARGET OUTPUT').
build_wrapper() {
    local target=$1 output=$2
    case "$target" in /*) ;; *) die "wrapper: TARGET must be an absolute path, got '$target'" ;; esac
    gcc "${HARDEN_CFLAGS[@]}" -DCI_LAUNCHER_PATH="\"$target\"" -o "$output" native/ci-launcher-suid.c "${HARDEN_LDFLAGS[@]}"
}

build_native() {
    mkdir -p "$DIST"
    if [ -f native/ci-launcher-suid.c ]; then
        build_wrapper "$SUID_TARGET" "$DIST/ci-launcher-suid"
    fi
    if [ -f native/pam_ci_launcher.c ]; then
        gcc "${HARDEN_CFLAGS[@]/-fPIE/-fPIC}" -shared -o "$DIST/pam_ci_launcher.so" native/pam_ci_launcher.c \
            -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack -Wl,-soname,pam_ci_launcher.so -lpam -ldl
    fi
}

# native/cil_spawn.c (the fork-to-exec of a job) as a static library the AOT link takes in
# (Launcher.Cli.csproj: NativeLibrary + DirectPInvoke). Must exist before 'dotnet publish'.
build_spawn_library() {
    mkdir -p "$ART/native"
    gcc "${HARDEN_CFLAGS[@]}" -c -o "$ART/native/cil_spawn.o" native/cil_spawn.c
    rm -f "$ART/native/libcil_spawn.a"
    ar rcs "$ART/native/libcil_spawn.a" "$ART/native/cil_spawn.o"
}

cmd_publish() {
    cmd_deps >/dev/null
    mkdir -p "$DIST"
    build_spawn_library
    log "publish: ci-launcher (native AOT)"
    dotnet publish "$ROOT/src/Launcher.Cli/Launcher.Cli.csproj" -c Release -nologo -clp:ErrorsOnly -o "$ART/publish/cli" >/dev/null
    install -m 0755 "$ART/publish/cli/ci-launcher" "$DIST/ci-launcher"
    # 'jwks refresh' in a binary of its own (HttpClient stays out of the launch path); ci-launcher execs it.
    log "publish: ci-launcher-jwks-refresh (native AOT)"
    dotnet publish "$ROOT/src/Launcher.Refresh/Launcher.Refresh.csproj" -c Release -nologo -clp:ErrorsOnly -o "$ART/publish/refresh" >/dev/null
    install -m 0755 "$ART/publish/refresh/ci-launcher-jwks-refresh" "$DIST/ci-launcher-jwks-refresh"
    if [ -f "$ROOT/src/Launcher.Pam/Launcher.Pam.csproj" ]; then
        log "publish: libci-launcher-pam.so (native AOT shared library)"
        dotnet publish "$ROOT/src/Launcher.Pam/Launcher.Pam.csproj" -c Release -nologo -clp:ErrorsOnly -o "$ART/publish/pam" >/dev/null
        install -m 0755 "$ART/publish/pam/libci-launcher-pam.so" "$DIST/libci-launcher-pam.so"
    fi
    log "publish: native C parts"
    build_native
    ls -l "$DIST" >&2
}

# Runs every test project; prints one closing line 'N passed, N failed'.
cmd_test() {
    cmd_deps
    cmd_publish
    local results="$ART/test-results"
    rm -rf "$results"
    mkdir -p "$results"
    dotnet build "$ROOT/Launcher.sln" -c Release -nologo -clp:ErrorsOnly >/dev/null
    local status=0 project name
    for project in tests/*.Tests/*.csproj; do
        name=$(basename "$project" .csproj)
        log "test: $name"
        CI_LAUNCHER_DIST="$DIST" CI_LAUNCHER_REPO="$ROOT" \
            dotnet test "$project" -c Release --no-build -nologo \
            --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
            --results-directory "$results" || status=1
    done
    local passed=0 failed=0 skipped=0 trx counters
    for trx in "$results"/*.trx; do
        [ -f "$trx" ] || continue
        counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
        passed=$((passed + $(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")))
        failed=$((failed + $(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")))
        skipped=$((skipped + $(sed -E 's/.* notExecuted="([0-9]+)".*/\1/' <<<"$counters")))
    done
    if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
        failed=1   # a project that did not run (build or host crash) counts as a failure
    fi
    echo "$passed passed, $failed failed, $skipped skipped"
    [ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
}

cmd_demo() {
    cmd_deps >/dev/null
    [ -x "$DIST/ci-launcher" ] || cmd_publish
    dotnet build "$ROOT/tests/Launcher.TestIssuer" -c Release -nologo -clp:ErrorsOnly -o "$ART/test-issuer" >/dev/null
    exec bash "$ROOT/tests/demo.sh" "$DIST/ci-launcher" "$ART/test-issuer/test-issuer"
}

cmd_clean() {
    rm -rf "$DIST" "$ART" "$ROOT/.demo"
    find "$ROOT/src" "$ROOT/tests" "$ROOT/bench" -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +
}

case "${1:-}" in
    deps) shift; cmd_deps "$@" ;;
    build) cmd_build ;;
    test) cmd_test ;;
    publish) cmd_publish ;;
    wrapper)
        [ $# -eq 3 ] || die "usage: ./build.sh wrapper TARGET OUTPUT (TARGET: the absolute path of the ci-launcher binary the wrapper execs)"
        output=$3
        case "$output" in /*) ;; *) output="$OLDPWD/$output" ;; esac   # relative to where build.sh was started
        build_wrapper "$2" "$output" ;;
    demo) cmd_demo ;;
    clean) cmd_clean ;;
    rpm)
        [ -f "$ROOT/packaging/build-rpm.sh" ] || die "packaging/build-rpm.sh is missing"
        exec bash "$ROOT/packaging/build-rpm.sh" ;;
    bench)
        cmd_deps hyperfine time python3 sudo valgrind >/dev/null   # latency, GNU time for peak RSS, python3 for percentiles; sudo: bench/launch baseline; valgrind: instruction counts
        [ -x "$DIST/ci-launcher" ] || cmd_publish
        exec bash "$ROOT/bench/run.sh" "${@:2}" ;;
    *) echo "usage: ./build.sh deps|build|test|publish|wrapper TARGET OUTPUT|demo|rpm|bench|clean" >&2; exit 2 ;;
esac
