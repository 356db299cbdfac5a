#!/usr/bin/env bash
# Idempotent setup, run by `npm run runbook` and `npm test` (and `npm run setup`):
#   1. Debian packages: Jupyter's nbconvert/nbclient, MathJax and require.js for the reports, the
#      Fashion-MNIST data set, espeak-ng (§6 speech), Chromium (browser tests), a CJK font (the Tang
#      poems) and Jupyter Notebook (root only;
#      otherwise a clear message naming what to install, exit 1);
#   2. node dependencies from package-lock.json (npm ci, only when the lockfile changed);
#   3. the tslab kernelspec in the project-local prefix .jupyter/ (used via JUPYTER_PATH);
#   4. the library build (tsc → dist/, only when a source is newer than the last build);
#   5. the native kernels (native/ → an N-API addon on oneDNN; optional: libdnnl-dev is installed
#      when possible, and where the addon cannot build one line says why and training uses wasm).
# A second run with everything present changes nothing and takes a few seconds.
#
# `scripts/setup.sh --check` only reports what a run would do (exit 1 if anything), changing nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
CHECK=0
[ "${1:-}" = "--check" ] && CHECK=1
PENDING=()
say() { echo "[setup] $*" >&2; }
die() { echo "[setup] error: $*" >&2; exit 1; }
# todo STEP: true when STEP must run now; in --check mode it is recorded instead.
todo() { if [ $CHECK = 1 ]; then PENDING+=("$1"); return 1; fi; say "$1"; return 0; }

# --- 1. Debian packages ------------------------------------------------------------------------
PYTHON="${RUNBOOK_PYTHON:-/usr/bin/python3}"
missing=()
if ! "$PYTHON" -c 'import nbclient, nbconvert, jupyter_client' >/dev/null 2>&1; then
  missing+=(jupyter-nbconvert python3-nbclient jupyter-client)
fi
if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  missing+=(dataset-fashion-mnist)
fi
# Debian's nbconvert points the HTML reports' MathJax at this local copy (no CDN).
if [ ! -f /usr/share/javascript/mathjax/MathJax.js ]; then
  missing+=(libjs-mathjax)
fi
# ... and its pages load require.js from this local copy (a console error when it is missing).
if [ ! -f /usr/share/javascript/requirejs/require.min.js ]; then
  missing+=(libjs-requirejs)
fi
# Browser tests and the runner's page check (playwright-core drives Debian's Chromium).
if [ ! -x /usr/bin/chromium ]; then
  missing+=(chromium)
fi
# §6 speech scenario: spoken digits are synthesised with espeak-ng (no speech corpus ships offline).
if ! command -v espeak-ng >/dev/null; then
  missing+=(espeak-ng)
fi
# CJK text (the Tang poems of notebook 08) in the reports and their Chromium screenshots.
if [ ! -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ]; then
  missing+=(fonts-noto-cjk)
fi
# `npm run jupyter`: the classic Jupyter Notebook server.
if ! command -v jupyter-notebook >/dev/null; then
  missing+=(jupyter-notebook)
fi
if [ ${#missing[@]} -gt 0 ] && todo "installing Debian packages: ${missing[*]}"; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    die "missing ${missing[*]}. Install them with: sudo apt-get install ${missing[*]}
        (without apt: \`pipx install nbconvert\` for Jupyter, then RUNBOOK_PYTHON=<that venv's python>;
        Fashion-MNIST: the four *-ubyte.gz files into /usr/share/datasets/fashion-mnist)"
  fi
fi
[ $CHECK = 1 ] || "$PYTHON" -c 'import nbclient, nbconvert, jupyter_client' 2>/dev/null \
  || die "$PYTHON still cannot import nbclient/nbconvert/jupyter_client; set RUNBOOK_PYTHON to a Python that has them"

# Optional: oneDNN for the native kernels (step 5). Never fatal: without it training runs on wasm.
DNNL_HEADER=/usr/include/oneapi/dnnl/dnnl.hpp
if [ ! -f "$DNNL_HEADER" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null \
  && apt-cache show libdnnl-dev >/dev/null 2>&1 && todo "installing libdnnl-dev (optional: native training kernels)"; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libdnnl-dev >/dev/null 2>&1 \
    || say "libdnnl-dev could not be installed; training will use wasm"
fi

# --- 2. node dependencies ----------------------------------------------------------------------
LOCK_STAMP=node_modules/.runbook-lock.sha256
lock_hash="$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)"
if { [ ! -f "$LOCK_STAMP" ] || [ "$(cat "$LOCK_STAMP")" != "$lock_hash" ]; } && todo "installing node dependencies (npm ci)"; then
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$lock_hash" > "$LOCK_STAMP"
fi

# --- 3. tslab kernelspec (project-local) --------------------------------------------------------
PREFIX="${RUNBOOK_JUPYTER_PREFIX:-$ROOT/.jupyter}"
SPEC="$PREFIX/share/jupyter/kernels/tslab/kernel.json"
TSLAB_BIN="$ROOT/node_modules/.bin/tslab"
if { [ ! -f "$SPEC" ] || ! grep -qF "\"$TSLAB_BIN\"" "$SPEC"; } && todo "registering the tslab kernel in $PREFIX"; then
  "$TSLAB_BIN" install --python="$PYTHON" --prefix="$PREFIX" --binary="$TSLAB_BIN" >/dev/null
fi

# --- 4. library build ---------------------------------------------------------------------------
BUILD_STAMP=dist/.build-stamp
if { [ ! -f "$BUILD_STAMP" ] || [ -n "$(find src test scripts tsconfig.json package-lock.json -newer "$BUILD_STAMP" \( -name '*.ts' -o -name '*.json' \) -print -quit)" ]; } && todo "building the library (tsc)"; then
  rm -rf dist
  npx --no-install tsc -p tsconfig.json
  touch "$BUILD_STAMP"
fi

# --- 5. native kernels (oneDNN addon) ------------------------------------------------------------
# Keyed on the native sources, the build script, node's version and the toolchain being present;
# a failed build is remembered too (one line says why; RUNBOOK_NATIVE=off is then implied).
NATIVE_STAMP=native/build/.runbook-native.sha256
native_hash="$( { cat native/binding.gyp native/src/* scripts/build-native.sh; node --version; command -v g++ || true; cat "${DNNL_HEADER%/*}/dnnl_version.h" 2>/dev/null || true; } | sha256sum | cut -d' ' -f1)"
if { [ ! -f "$NATIVE_STAMP" ] || [ "$(cat "$NATIVE_STAMP")" != "$native_hash" ]; } && todo "building the native kernels (oneDNN)"; then
  if why="$(bash scripts/build-native.sh 2>&1)"; then :; else
    say "native kernels not built: ${why:-unknown error}; training uses wasm"
    mkdir -p native/build && rm -f native/build/Release/runbook_native.node
  fi
  mkdir -p native/build && echo "$native_hash" > "$NATIVE_STAMP"
fi

# The data key for encrypted data files (notebook 09, §9.4): 32 random bytes, owner-only, never
# committed (.keys/ is git-ignored). Skipped when the key comes from RUNBOOK_DATA_KEY(_FILE).
DATA_KEY=.keys/runbook-data.key
if [ -z "${RUNBOOK_DATA_KEY:-}${RUNBOOK_DATA_KEY_FILE:-}" ] && [ ! -f "$DATA_KEY" ] && todo "creating the data key $DATA_KEY"; then
  (umask 077 && mkdir -p .keys && head -c 32 /dev/urandom > "$DATA_KEY.tmp" && mv "$DATA_KEY.tmp" "$DATA_KEY")
fi

if [ $CHECK = 1 ] && [ ${#PENDING[@]} -gt 0 ]; then
  printf '[setup] pending: %s\n' "${PENDING[@]}" >&2
  exit 1
fi
