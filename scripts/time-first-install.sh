#!/usr/bin/env bash
# How long a first `make run` install takes on a fresh clone: copies this checkout's HEAD
# to a temporary folder, times `make install` there (its own new .venv) and cleans up.
# Usage: scripts/time-first-install.sh [install|install-test]
set -euo pipefail
target="${1:-install}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
git -C "$(dirname "$0")/.." archive HEAD | tar -x -C "$dir"
start=$(date +%s.%N)
make -C "$dir" -s "$target" >/dev/null
end=$(date +%s.%N)
python3 -c "print(f'make $target in a fresh venv: {$end - $start:.1f} s')"
