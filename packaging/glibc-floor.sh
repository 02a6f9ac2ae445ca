#!/usr/bin/env bash
# Prints the oldest glibc that can run every given ELF file: the highest GLIBC_x.y symbol
# version among their dynamic symbol references (objdump -T). The RPM records it as
# 'Requires: glibc >= <floor>' (rpm/ci-launcher.spec, glibc_floor) and README.md states it;
# packaging/build-rpm.sh refuses to build when the recorded floor is not the measured one.
#
# usage: packaging/glibc-floor.sh FILE...
set -euo pipefail

if [ $# -eq 0 ]; then
    echo "usage: $0 FILE..." >&2
    exit 2
fi
command -v objdump >/dev/null || { echo "glibc-floor.sh: objdump is missing; install binutils" >&2; exit 2; }

versions=()
for file in "$@"; do
    [ -f "$file" ] || { echo "glibc-floor.sh: $file does not exist" >&2; exit 2; }
    # Only undefined (imported) symbols constrain the runtime glibc; "*UND*" marks them.
    mapfile -t found < <(objdump -T "$file" | awk '$0 ~ /\*UND\*/' | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/^GLIBC_//' || true)
    if [ ${#found[@]} -eq 0 ]; then
        echo "glibc-floor.sh: $file imports no versioned glibc symbol (not a dynamically linked glibc ELF file?)" >&2
        exit 2
    fi
    versions+=("${found[@]}")
done
printf '%s\n' "${versions[@]}" | sort -uV | tail -1
