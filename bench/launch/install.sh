# bench/launch/install.sh: sourced by run.sh and profile.sh. Builds a throwaway installation laid
# out as a real one, and the accounts around it; `bench_cleanup` removes all of it.
#
#   $PREFIX/bin/ci-launcher                      the AOT binary (dist/ci-launcher, or $BENCH_BINARY)
#   $PREFIX/etc/ci-launcher/config.yaml          found by the binary itself (InstallLayout): no --config
#   $PREFIX/libexec/ci-launcher/ci-launcher-suid 4750 root:$GROUP, built for $PREFIX/bin/ci-launcher
#   $PREFIX/var/lib/ci-launcher/jwks/gitlab.json
#   $PREFIX/var/log/ci-launcher/audit.log        fsynced per record, as in production
#
# The prefix is under /opt on the machine's disk file system (never tmpfs: an fsync there would
# cost nothing and hide the audit's real cost). The config is the shipped defaults plus what a
# site must set: launch.containment stays at its default (auto: a cgroup per job where cgroup v2
# is usable), launch.shell is /bin/true, so "the job" is exactly an exec of /bin/true after the drop.
# Accounts: $CALLER (the runner, in $GROUP), $TARGET (the job's user), and a sudoers rule that lets
# $CALLER run /bin/true as $TARGET without a password (sudo's side of the same trip).

bench_install() {
    local root=$1
    [ "$(id -u)" -eq 0 ] || { echo "bench/launch: needs root (creates accounts, a setuid wrapper, a sudoers rule)" >&2; exit 2; }
    local binary=${BENCH_BINARY:-$root/dist/ci-launcher}
    [ -x "$binary" ] || { echo "bench/launch: $binary is missing; run ./build.sh publish" >&2; exit 2; }
    TAG=$(head -c3 /dev/urandom | od -An -tx1 | tr -d ' \n')
    GROUP=cllchbg$TAG CALLER=cllchbc$TAG TARGET=cllchbt$TAG
    BASE=/opt/cllch-bench-$TAG
    PREFIX=$BASE/prefix
    SUDOERS=/etc/sudoers.d/cllch-bench-$TAG
    trap bench_cleanup EXIT
    local tries
    for tries in 1 2 3 4 5; do groupadd "$GROUP" 2>/dev/null && break; sleep 1; done   # other engineers' tests lock /etc/group too
    for tries in 1 2 3 4 5; do useradd -m -s /bin/bash -G "$GROUP" "$CALLER" 2>/dev/null && break; sleep 1; done
    for tries in 1 2 3 4 5; do useradd -m -s /bin/bash "$TARGET" 2>/dev/null && break; sleep 1; done
    id "$CALLER" >/dev/null && id "$TARGET" >/dev/null

    install -d -m 0755 "$BASE" "$BASE/job"
    local issuer="$root/artifacts/test-issuer/test-issuer"
    [ -x "$issuer" ] || dotnet build "$root/tests/Launcher.TestIssuer" -c Release -nologo -clp:ErrorsOnly -o "$root/artifacts/test-issuer" >/dev/null
    "$issuer" keygen --dir "$BASE/issuer" --alg RS256 --kid bench-1 >/dev/null
    chmod 0700 "$BASE/issuer"
    # The job's token, readable by the caller (the wrapper opens --token-file with the caller's rights).
    "$issuer" mint --dir "$BASE/issuer" --iss https://gitlab.example.org --aud https://hpc.example.org --user "$TARGET" --lifetime 7200 > "$BASE/job/token"
    chmod 0644 "$BASE/job/token"
    printf 'exit 0\n' > "$BASE/job/job.sh" && chmod 0644 "$BASE/job/job.sh"
    BENCH_ROOT=$root
    bench_prefix "$PREFIX" "$binary"
    WRAPPER=$PREFIX/libexec/ci-launcher/ci-launcher-suid

    # sudo's side: the same caller may run /bin/true as the same target, no password, no lecture.
    printf 'Defaults:%s !lecture\n%s ALL=(%s) NOPASSWD: /bin/true\n' "$CALLER" "$CALLER" "$TARGET" > "$SUDOERS.tmp"
    chmod 0440 "$SUDOERS.tmp"
    visudo -cqf "$SUDOERS.tmp" && mv "$SUDOERS.tmp" "$SUDOERS"

    RUN_ARGS="run --token-file $BASE/job/token -- $BASE/job/job.sh"
    # The caller side is a plain shell of the runner account; the same prefix starts every caller row.
    AS_CALLER="setpriv --reuid $CALLER --regid $CALLER --init-groups"
}

# bench_prefix DIR BINARY: one installation of BINARY at DIR (another build beside the first, for
# before/after comparisons in the same rounds: bench/launch/ab.sh). Its wrapper is DIR/libexec/...
bench_prefix() {
    local prefix=$1 binary=$2
    install -d -m 0755 "$prefix" "$prefix/bin" "$prefix/etc/ci-launcher" "$prefix/libexec/ci-launcher" \
        "$prefix/var/lib/ci-launcher/jwks" "$prefix/var/log/ci-launcher"
    install -m 0755 "$binary" "$prefix/bin/ci-launcher"
    # The wrapper as shipped: build.sh is the one place that compiles it with the shipped flags.
    "$BENCH_ROOT/build.sh" wrapper "$prefix/bin/ci-launcher" "$prefix/libexec/ci-launcher/ci-launcher-suid"
    chown "root:$GROUP" "$prefix/libexec/ci-launcher/ci-launcher-suid"
    chmod 4750 "$prefix/libexec/ci-launcher/ci-launcher-suid"
    install -m 0644 "$BASE/issuer/jwks.json" "$prefix/var/lib/ci-launcher/jwks/gitlab.json"
    cat > "$prefix/etc/ci-launcher/config.yaml" <<YAML
issuers:
  - name: gitlab
    issuer: https://gitlab.example.org
    audiences: [https://hpc.example.org]
    jwks_file: $prefix/var/lib/ci-launcher/jwks/gitlab.json
    algorithms: [RS256]
policy:
  rules:
    - name: hpc
      issuer: gitlab
      match: { project_path: "hpc/**" }
      action: allow
      run_as: "{user_login}"
audit:
  file: $prefix/var/log/ci-launcher/audit.log
  syslog: false
launch:
  caller_group: $GROUP
  shell: /bin/true
  workdir: "{home}"
YAML
    chmod 0644 "$prefix/etc/ci-launcher/config.yaml"
}

bench_cleanup() {
    rm -f "$SUDOERS" "$SUDOERS.tmp"
    userdel -r -f "$CALLER" >/dev/null 2>&1 || true
    userdel -r -f "$TARGET" >/dev/null 2>&1 || true
    groupdel "$GROUP" >/dev/null 2>&1 || true
    rm -rf "$BASE"
}
