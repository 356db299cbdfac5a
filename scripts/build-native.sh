#!/usr/bin/env bash
# Builds the native kernels (native/ → native/build/Release/runbook_native.node): an N-API addon on
# oneDNN (Debian libdnnl-dev). Prints ONE line saying why when it cannot build, and exits 1; the
# runbook then trains on wasm. Used by scripts/setup.sh; run it by hand after editing native/src.
set -euo pipefail
cd "$(dirname "$0")/../native"
why() { echo "$*"; exit 1; }
[ "$(uname -s)" = Linux ] || why "native kernels are built on Linux only (this is $(uname -s))"
command -v g++ >/dev/null || why "no C++ compiler (install g++)"
[ -f /usr/include/oneapi/dnnl/dnnl.hpp ] || [ -f /usr/include/dnnl.hpp ] || why "oneDNN headers missing (install libdnnl-dev)"
NODEDIR="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
[ -f "$NODEDIR/include/node/node_api.h" ] || NODEDIR=/usr
[ -f "$NODEDIR/include/node/node_api.h" ] || why "Node's C headers missing (install nodejs headers, e.g. libnode-dev)"
GYP="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
[ -f "$GYP" ] || why "node-gyp not found next to npm ($GYP)"
LOG="$(mktemp)"
if ! node "$GYP" rebuild --nodedir="$NODEDIR" --loglevel=error >"$LOG" 2>&1; then
  err="$(grep -m1 -E 'error|Error' "$LOG" || tail -n1 "$LOG")"
  rm -f "$LOG"
  why "the native build failed: ${err:0:200}"
fi
rm -f "$LOG"
node -e 'require(process.argv[1]).version()' "$PWD/build/Release/runbook_native.node" >/dev/null 2>&1 \
  || why "the native addon built but does not load"
