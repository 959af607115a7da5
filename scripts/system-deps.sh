#!/usr/bin/env bash
# Installs the Debian packages the project needs when they are missing:
#   python3-venv (always), chromium (browser tests), wrk (benchmarks), node (npm for axe-core).
# Usage: scripts/system-deps.sh [venv] [chromium] [wrk] [node]
set -euo pipefail
missing=()
for want in "$@"; do
  case "$want" in
    venv) python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv) ;;
    chromium) [ -x /usr/bin/chromium ] || missing+=(chromium) ;;
    wrk) command -v wrk >/dev/null || missing+=(wrk) ;;
    node) command -v npm >/dev/null || missing+=(nodejs npm) ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
