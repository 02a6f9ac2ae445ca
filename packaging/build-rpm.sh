#!/usr/bin/env bash
# ./build.sh rpm: the binary RPM (rpm/ci-launcher.spec) from the artifacts in dist/.
#
# Nothing is compiled inside rpmbuild. This script makes sure dist/ is complete and current
# (running './build.sh publish' when it is not), checks what the spec records against what the
# binaries are (version, glibc floor, the setuid wrapper's exec target), stages the artifacts and
# packaging files in a temporary %_topdir, and leaves dist/ci-launcher-<version>-1.x86_64.rpm.
# The last line on stdout is the path of that RPM.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DIST="$ROOT/dist"
SPEC="$ROOT/rpm/ci-launcher.spec"
# The exec target compiled into the wrapper must be where the RPM puts ci-launcher.
INSTALLED_CI_LAUNCHER=/usr/bin/ci-launcher

log() { printf '==> rpm: %s\n' "$*" >&2; }
die() { printf 'build-rpm.sh: %s\n' "$*" >&2; exit 1; }

# The one version: Directory.Build.props <Version>, also what 'ci-launcher --version' prints.
version=$(sed -n 's:.*<Version>\([^<]*\)</Version>.*:\1:p' "$ROOT/Directory.Build.props")
[ "$(wc -l <<<"$version")" -eq 1 ] && [ -n "$version" ] \
    || die "Directory.Build.props must hold exactly one <Version> (found: '${version//$'\n'/ }')"
[[ "$version" =~ ^[0-9]+(\.[0-9]+)*$ ]] \
    || die "Directory.Build.props <Version> '$version' is not a plain dotted number usable as an RPM Version"

# Tools: rpmbuild (Debian package 'rpm'), strings and objdump (binutils, there with gcc).
if ! command -v rpmbuild >/dev/null || ! command -v strings >/dev/null; then
    if [ "$(id -u)" -eq 0 ]; then
        log "rpmbuild or strings missing: installing the build dependencies"
        "$ROOT/build.sh" deps >&2
    fi
    command -v rpmbuild >/dev/null || die "rpmbuild is missing; install it with: sudo apt-get install -y rpm (or run ./build.sh deps as root)"
    command -v strings >/dev/null || die "strings is missing; install it with: sudo apt-get install -y binutils"
fi

# What the source tree builds is what the package must hold.
with_suid=0
with_pam=0
[ -f "$ROOT/native/ci-launcher-suid.c" ] && with_suid=1
[ -f "$ROOT/native/pam_ci_launcher.c" ] && [ -f "$ROOT/src/Launcher.Pam/Launcher.Pam.csproj" ] && with_pam=1
artifacts=(ci-launcher ci-launcher-jwks-refresh)
[ "$with_suid" -eq 1 ] && artifacts+=(ci-launcher-suid)
[ "$with_pam" -eq 1 ] && artifacts+=(pam_ci_launcher.so libci-launcher-pam.so)

# Why dist/ cannot be packaged as it is, or nothing.
dist_problem() {
    local a
    for a in "${artifacts[@]}"; do
        [ -f "$DIST/$a" ] || { echo "dist/$a is missing"; return; }
    done
    local printed
    printed=$("$DIST/ci-launcher" --version 2>/dev/null || true)
    [ "$printed" = "ci-launcher $version" ] \
        || { echo "dist/ci-launcher prints '$printed', not 'ci-launcher $version' (stale build)"; return; }
    # Tests may build the wrapper against another target (CI_LAUNCHER_SUID_TARGET); never ship that one.
    if [ "$with_suid" -eq 1 ] && ! strings -a "$DIST/ci-launcher-suid" | grep -qxF "$INSTALLED_CI_LAUNCHER"; then
        echo "dist/ci-launcher-suid does not exec $INSTALLED_CI_LAUNCHER (built with CI_LAUNCHER_SUID_TARGET set)"
    fi
}

problem=$(dist_problem)
if [ -n "$problem" ]; then
    log "$problem: running ./build.sh publish"
    env -u CI_LAUNCHER_SUID_TARGET "$ROOT/build.sh" publish >&2
    problem=$(dist_problem)
    [ -z "$problem" ] || die "after ./build.sh publish: $problem"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ci-launcher-rpm.XXXXXX")
trap 'rm -rf "$work"' EXIT
stage="$work/stage"
mkdir -p "$work/tmp"
mkdir -p "$stage/man" "$stage/doc"
for a in "${artifacts[@]}"; do
    cp "$DIST/$a" "$stage/$a"
done

# The glibc floor the spec records must be the one the staged binaries need: a newer build
# host can raise it silently, and RHEL would then install a package that cannot start.
recorded=$(sed -n 's/^%global glibc_floor[[:space:]]\+\([0-9.]\+\)[[:space:]]*$/\1/p' "$SPEC")
[ -n "$recorded" ] || die "$SPEC has no '%global glibc_floor X.Y' line"
measured=$(bash "$ROOT/packaging/glibc-floor.sh" "${artifacts[@]/#/$stage/}")
[ "$recorded" = "$measured" ] \
    || die "the shipped binaries need glibc >= $measured but $SPEC records $recorded; update glibc_floor there and the platform floor in README.md"

cp "$ROOT/packaging/config.default.yaml" "$stage/config.default.yaml"
cp "$ROOT/packaging/systemd/ci-launcher-jwks-refresh.service" "$ROOT/packaging/systemd/ci-launcher-jwks-refresh.timer" "$stage/"
cp "$ROOT/packaging/tmpfiles.d/ci-launcher.conf" "$stage/tmpfiles.conf"
cp "$ROOT/packaging/logrotate/ci-launcher" "$stage/logrotate"
cp "$ROOT/packaging/man/ci-launcher.8" "$ROOT/packaging/man/ci-launcher.yaml.5" "$stage/man/"
if [ "$with_pam" -eq 1 ]; then
    [ -f "$ROOT/packaging/man/pam_ci_launcher.8" ] && cp "$ROOT/packaging/man/pam_ci_launcher.8" "$stage/man/" \
        || log "warning: packaging/man/pam_ci_launcher.8 is missing; the RPM ships the PAM module without its man page"
fi
cp "$ROOT/README.md" "$ROOT/docs/ADMIN.md" "$stage/doc/"
# Examples the other areas ship, when the tree has them: the annotated configuration, the
# gitlab-runner config.toml variants and .gitlab-ci.yml, a pam.d snippet.
for optional in packaging/config.example.yaml packaging/gitlab-runner/* packaging/pam.d/*; do
    if [ -f "$ROOT/$optional" ]; then cp "$ROOT/$optional" "$stage/doc/$(basename "$optional")"; fi
done

log "rpmbuild ci-launcher $version (suid wrapper: $with_suid, PAM module: $with_pam, glibc >= $measured)"
rpmbuild -bb "$SPEC" --target x86_64 --quiet \
    --define "_topdir $work/rpmbuild" \
    --define "_tmppath $work/tmp" \
    --define "ci_launcher_version $version" \
    --define "stage_dir $stage" \
    --define "with_suid $with_suid" \
    --define "with_pam $with_pam" >&2

built=("$work"/rpmbuild/RPMS/x86_64/ci-launcher-"$version"-*.x86_64.rpm)
[ "${#built[@]}" -eq 1 ] && [ -f "${built[0]}" ] || die "rpmbuild did not leave exactly one RPM in $work/rpmbuild/RPMS/x86_64"
mkdir -p "$DIST"
rm -f "$DIST"/ci-launcher-*.x86_64.rpm
install -m 0644 "${built[0]}" "$DIST/"
log "built dist/$(basename "${built[0]}")"
echo "$DIST/$(basename "${built[0]}")"
