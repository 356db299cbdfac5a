#!/usr/bin/env bash
# Builds the native kernels (native/ → native/build/Release/runbook_native.node): an N-API addon on
# oneDNN (Debian libdnnl-dev). Prints ONE line saying why when it cannot build, and exits 1; the
# runbook then trains on wasm. That line is also kept in native/build/not-built.txt, where the
# backend table reads it. Used by scripts/setup.sh; run it by hand after editing native/src.
set -euo pipefail
cd "$(dirname "$0")/../native"
NOT_BUILT=build/not-built.txt
why() { mkdir -p build && echo "$*" | tee "$NOT_BUILT"; exit 1; }
rm -f "$NOT_BUILT"
[ "$(uname -s)" = Linux ] || why "native kernels are built on Linux only (this is $(uname -s))"
command -v g++ >/dev/null || why "no C++ compiler (install g++)"
# The sources use oneDNN's 2.x C++ API (removed in 3.0); native/src/onednn_version.h checks the same.
NEED="oneDNN 2.x (Debian 12's libdnnl-dev 2.6; the 2.x C++ API)"
VERSION_H=/usr/include/oneapi/dnnl/dnnl_version.h
if [ ! -f "$VERSION_H" ]; then
  [ -f /usr/include/dnnl.hpp ] && why "oneDNN 1.x headers found (/usr/include/dnnl.hpp); the native kernels need $NEED"
  why "oneDNN headers missing; the native kernels need $NEED (apt-get install libdnnl-dev)"
fi
dnnl_define() { sed -n "s/^#define DNNL_VERSION_$1 *\([0-9][0-9]*\).*/\1/p" "$VERSION_H"; }
major="$(dnnl_define MAJOR)" minor="$(dnnl_define MINOR)"
[ "$major" = 2 ] || why "oneDNN ${major:-?}.${minor:-?} found ($VERSION_H); the native kernels need $NEED"
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
