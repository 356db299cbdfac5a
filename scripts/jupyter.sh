#!/usr/bin/env bash
# `npm run jupyter [-- extra options]`: runs setup, then Jupyter Notebook on 127.0.0.1 with the
# project's tslab kernel (JUPYTER_PATH=.jupyter/share/jupyter), opened at notebooks/.
# Extra options go to jupyter-notebook and win over the defaults here, e.g.
#   npm run jupyter -- --port 8890 --no-browser
# RUNBOOK_SKIP_SETUP=1 skips the setup step (the browser test uses it; setup rebuilds dist/).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
say() { echo "[jupyter] $*" >&2; }

if [ "${RUNBOOK_SKIP_SETUP:-0}" != 1 ]; then
  bash scripts/setup.sh || { say "setup failed (see above); fix that first, then run \`npm run jupyter\` again"; exit 1; }
fi

JUPYTER="${RUNBOOK_JUPYTER_NOTEBOOK:-jupyter-notebook}"
if ! command -v "$JUPYTER" >/dev/null; then
  say "error: $JUPYTER not found. Run \`npm run setup\` as root (it installs Debian's jupyter-notebook),"
  say "       or \`sudo apt-get install jupyter-notebook\`, or \`pipx install notebook\` and set RUNBOOK_JUPYTER_NOTEBOOK=jupyter-notebook from it"
  exit 1
fi
JUPYTER_DATA="${RUNBOOK_JUPYTER_PREFIX:-$ROOT/.jupyter}/share/jupyter"
if [ ! -f "$JUPYTER_DATA/kernels/tslab/kernel.json" ]; then
  say "error: the tslab kernel is not registered ($JUPYTER_DATA/kernels/tslab/kernel.json is missing): run \`npm run setup\`"
  exit 1
fi
export JUPYTER_PATH="$JUPYTER_DATA${JUPYTER_PATH:+:$JUPYTER_PATH}"

args=(--ip=127.0.0.1)
# Open at notebooks/ unless the caller names another folder (Jupyter rejects a repeated option).
case " $* " in
  *" --notebook-dir"* | *" --NotebookApp.notebook_dir"*) ;;
  *) args+=("--notebook-dir=$ROOT" --NotebookApp.default_url=/tree/notebooks) ;;
esac
# Jupyter refuses to run as root unless told to (containers, CI).
[ "$(id -u)" = 0 ] && args+=(--allow-root)

say "starting Jupyter Notebook on 127.0.0.1 (kernel: TypeScript/tslab from $JUPYTER_DATA); Ctrl-C twice stops it"
say "after editing src/, run \`npm run build\` and restart the kernel"
rc=0
"$JUPYTER" "${args[@]}" "$@" || rc=$?
# 130/143: stopped with Ctrl-C or a signal, as intended.
if [ $rc != 0 ] && [ $rc != 130 ] && [ $rc != 143 ]; then
  say "error: Jupyter Notebook stopped with exit code $rc (see its messages above)."
  say "       Port in use? Pick another: npm run jupyter -- --port 8890"
  exit $rc
fi
