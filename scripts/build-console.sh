#!/usr/bin/env bash
# The dispatch console's one script: every module under web/console (main.js and what it
# imports, the parts loaded on first use included) bundled by esbuild into
# web/static/console.js, which index.html loads. One file instead of ~40 modules is what
# lets a phone open the console in one request and the service worker answer in one.
# The result is committed (`make run` needs no Node); tests/web/test_console_static.py
# builds it again and fails when the committed file is not what the modules give.
#     scripts/build-console.sh [OUTFILE]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-src/shipcaptaincrew/web/static/console.js}"
exec node_modules/.bin/esbuild src/shipcaptaincrew/web/console/main.js \
  --bundle --format=esm --target=es2022 --charset=utf8 --legal-comments=none \
  --minify-whitespace --minify-syntax --log-level=warning --outfile="$out"
