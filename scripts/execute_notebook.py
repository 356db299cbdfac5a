"""Execute one notebook on the tslab kernel with nbclient and render it to HTML.

Called by scripts/run-notebooks (one process per notebook); not meant to be run by hand.
Writes the executed notebook, its HTML rendering and a small JSON result:
  {"status": "passed" | "failed" | "timeout" | "kernel-died" | "error",
   "seconds": float, "failedCell": int | null, "message": str | null,
   "cells": [{"cell": int | null, "label": str, "source": str, "start": iso, "end": iso,
              "seconds": float, "status": "passed" | "failed" | "not run"}]}
Every code cell also gets papermill's timing metadata (metadata.papermill: start_time, end_time,
duration, status, exception). The runner owns the report facts: after executing, this script
prints {"event": "executed"} on stdout and reads one JSON line {"header": markdown} from stdin,
the page header the runner wrote from the facts (without a runner on stdin, --header is used).
Once the kernel runs, {"event": "kernel", "pgid": N} on stdout names its process group (the
kernel runs in its own session, so it would outlive this process): the runner kills it when
stopped. SIGTERM or SIGINT to this script does the same and exits with 128 + the signal number.
tslab reports errors on the cell's stderr stream, not in the error message nbclient raises
(that only says "<Error>"), so the message is read from the failing cell's outputs.
"""
import argparse
import json
import os
import re
import signal
import sys
import time
from datetime import datetime, timezone

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbconvert import HTMLExporter

STACK_LINE = re.compile(r"^\s+at |^evalmachine\.<anonymous>:\d+$|^\s*\^+\s*$")


def error_text(cell, limit=12):
    """The readable error from a failing cell: stderr and error outputs, without stack frames."""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            parts.append(out.get("text", ""))
        elif out.get("output_type") == "error":
            value = out.get("evalue", "")
            name = out.get("ename", "")
            if value or name not in ("", "Error"):
                parts.append(f"{name}: {value}")
    lines = [l.rstrip() for l in "".join(parts).splitlines()]
    lines = [l for l in lines if l.strip() and not STACK_LINE.match(l)]
    # The source line echoed by Node sits before the error line; keep the error lines first.
    errors = [l for l in lines if re.match(r"^\s*(\w+Error|Error|AssertionError|\d+:\d+ - )", l)]
    chosen = errors + [l for l in lines if l not in errors] if errors else lines
    return "\n".join(chosen[:limit]) or "(the cell failed without printing an error message)"


HEADING = re.compile(r'<h([23]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.S)


def with_toc(body):
    """Adds a table of contents (the notebook's ## and ### headings) after the page's title."""
    entries = []
    for level, anchor, inner in HEADING.findall(body):
        text = re.sub(r"<[^>]+>", "", inner).replace("¶", "").replace("&#182;", "").strip()
        if text:
            entries.append(f'<li style="margin-left:{(int(level) - 2) * 1.5}em"><a href="#{anchor}">{text}</a></li>')
    if len(entries) < 2:
        return body
    toc = ('<nav class="runbook-toc" style="border:1px solid var(--jp-border-color2,#ddd);background:var(--jp-layout-color1,#fafafa);padding:.5em 1em;margin:1em 0">'
           '<b>Contents</b><ul style="list-style:none;padding-left:0;margin:.3em 0">' + "".join(entries) + "</ul></nav>")
    title_end = body.find("</h1>")
    at = title_end + len("</h1>") if title_end >= 0 else body.find("<h2 ")
    return body[:at] + toc + body[at:] if at >= 0 else body


def with_system_theme(body, exporter):
    """Adds JupyterLab's dark theme for readers whose system asks for dark (prefers-color-scheme).

    nbconvert's lab template inlines one theme, light here; the dark theme's variables, applied
    under the media query, recolour the whole page. The report's toolbar follows the same query.
    """
    for template_dir in exporter.template_paths:
        dark = os.path.join(template_dir, "static", "theme-dark.css")
        if os.path.exists(dark):
            with open(dark, encoding="utf-8") as f:
                css = f.read()
            style = f'<style type="text/css">\n@media (prefers-color-scheme: dark) {{\n{css}\n}}\n</style>\n'
            at = body.find("</head>")
            return body[:at] + style + body[at:] if at >= 0 else style + body
    print("nbconvert's lab theme-dark.css not found; the page stays light in dark mode", file=sys.stderr)
    return body


def banner(status, cell_label, message):
    text = (f"## ⚠ This notebook did not complete: {status}\n\n"
            f"{cell_label[:1].upper() + cell_label[1:]} (counting code and markdown cells from 1 in the source notebook) stopped it:\n\n"
            "```\n" + (message or "") + "\n```\n\n"
            "Outputs below that cell are missing. Everything above ran.")
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["tags"] = ["runbook-failure"]
    return cell


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", required=True)
    ap.add_argument("--output", required=True)
    ap.add_argument("--html", required=True)
    ap.add_argument("--result", required=True)
    ap.add_argument("--cwd", required=True)
    ap.add_argument("--kernel", default="tslab")
    ap.add_argument("--timeout", type=int, default=1200)
    ap.add_argument("--startup-timeout", type=int, default=120)
    ap.add_argument("--title", default="")
    ap.add_argument("--header", default="", help="markdown shown at the top of the executed notebook")
    ap.add_argument("--injected-cell", type=int, default=-1,
                    help="index of the injected-parameters cell, to report cell numbers as in the source notebook")
    args = ap.parse_args()

    nb = nbformat.read(args.input, as_version=4)
    state = {"index": None, "client": None}
    timing = {}  # cell index -> [start, end] (time.time())

    def kill_kernel(signum, _frame):
        # jupyter_client starts the kernel in a new session: it must be killed by its group.
        km = getattr(state["client"], "km", None)
        prov = getattr(km, "provisioner", None)
        pgid = getattr(prov, "pgid", None) or getattr(prov, "pid", None)
        if pgid:
            try:
                os.killpg(pgid, signal.SIGKILL)
            except OSError:
                pass
        os._exit(128 + signum)

    def announce_kernel(client):
        # The runner kills this process group itself when stopped: a Python signal handler runs
        # only when nbclient's event loop wakes, which can take seconds.
        prov = getattr(client.km, "provisioner", None)
        pgid = getattr(prov, "pgid", None) or getattr(prov, "pid", None)
        if pgid:
            print(json.dumps({"event": "kernel", "pgid": pgid}), flush=True)

    signal.signal(signal.SIGTERM, kill_kernel)
    signal.signal(signal.SIGINT, kill_kernel)

    def make_client():
        client = NotebookClient(
            nb,
            timeout=args.timeout,
            startup_timeout=args.startup_timeout,
            kernel_name=args.kernel,
            allow_errors=False,
            record_timing=True,
            resources={"metadata": {"path": args.cwd}},
        )
        client.on_notebook_start = lambda notebook: announce_kernel(client)
        client.on_cell_start = lambda cell, cell_index: state.update(index=cell_index)
        client.on_cell_execute = lambda cell, cell_index: timing.__setitem__(cell_index, [time.time(), None])
        client.on_cell_executed = lambda cell, cell_index, execute_reply: timing[cell_index].__setitem__(1, time.time())
        state["client"] = client
        return client

    def execute():
        # Kernels started side by side can lose jupyter_client's port race and never answer;
        # nothing has run then, so starting a fresh kernel once is safe. Any later error is final.
        try:
            make_client().execute()
        except RuntimeError as e:
            if state["index"] is not None or "didn't respond" not in str(e):
                raise
            print(f"kernel did not start ({e}); retrying once with a new kernel", file=sys.stderr)
            make_client().execute()

    result = {"status": "passed", "failedCell": None, "message": None}
    started = time.monotonic()
    try:
        execute()
    except CellTimeoutError as e:
        result.update(status="timeout", failedCell=state["index"],
                      message=f"cell exceeded the per-cell timeout of {args.timeout} s")
    except DeadKernelError as e:
        result.update(status="kernel-died", failedCell=state["index"],
                      message=f"the tslab kernel died while running this cell: {e}")
    except CellExecutionError:
        idx = state["index"]
        result.update(status="failed", failedCell=idx, message=error_text(nb.cells[idx]))
    except Exception as e:  # kernel missing, cannot start, ... : never reported as success
        result.update(status="error", failedCell=state["index"], message=f"{type(e).__name__}: {e}")
    result["seconds"] = round(time.monotonic() - started, 2)
    for span in timing.values():  # the cell that stopped the run ends now
        if span[1] is None:
            span[1] = time.time()
    inj = args.injected_cell

    def source_label(idx):
        """(0-based index in the source notebook or None, label) of cell idx of the run."""
        if idx == inj:
            return None, "the injected-parameters cell"
        src_idx = idx - 1 if 0 <= inj < idx else idx
        return src_idx, f"cell {src_idx + 1}"

    idx = result["failedCell"]
    if idx is not None and 0 <= idx < len(nb.cells):
        first = next((l for l in nb.cells[idx].source.splitlines() if l.strip()), "")
        result["failedCellSource"] = first[:120]
        result["failedCell"], result["failedCellLabel"] = source_label(idx)

    iso = lambda t: datetime.fromtimestamp(t, timezone.utc).isoformat().replace("+00:00", "Z")
    cells = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        span = timing.get(i)
        failed = result["status"] != "passed" and i == idx
        status = "not run" if span is None else "failed" if failed else "passed"
        pm = {"start_time": iso(span[0]) if span else None, "end_time": iso(span[1]) if span else None,
              "duration": round(span[1] - span[0], 3) if span else None,
              "status": "completed" if status == "passed" else "failed" if failed else "pending",
              "exception": failed}
        cell.metadata["papermill"] = pm
        src_idx, label = source_label(i)
        first = next((l for l in cell.source.splitlines() if l.strip()), "")
        cells.append({"cell": src_idx, "label": label, "source": first[:120], "start": pm["start_time"],
                      "end": pm["end_time"], "seconds": pm["duration"], "status": status})
    result["cells"] = cells

    # The runner reads the facts the notebook recorded and answers with the page header.
    header = args.header
    print(json.dumps({"event": "executed"}), flush=True)
    line = sys.stdin.readline() if not sys.stdin.closed else ""
    if line.strip():
        header = json.loads(line).get("header", header)
    if header:
        head = nbformat.v4.new_markdown_cell(header)
        head.metadata["tags"] = ["runbook-header"]
        nb.cells.insert(0, head)
    if result["status"] != "passed":
        idx = result["failedCell"]
        nb.cells.insert(0, banner(result["status"], result.get("failedCellLabel", "An unknown cell"), result["message"]))
    nb.metadata.setdefault("runbook", {})["result"] = result
    nbformat.write(nb, args.output)

    exporter = HTMLExporter(template_name="lab")
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": args.title}})
    with open(args.html, "w", encoding="utf-8") as f:
        f.write(with_system_theme(with_toc(body), exporter))
    with open(args.result, "w", encoding="utf-8") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
