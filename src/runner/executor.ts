/**
 * Executing one notebook: finds Jupyter (nbclient) and the project's tslab kernelspec, then runs
 * scripts/execute_notebook.py for a notebook and reads back its result and the facts the notebook
 * recorded. The runner owns the facts (core/facts.ts): when the executor reports that execution is
 * over, the runner answers with the page header, which names the backend from the facts.
 * Every executor is tracked so that `stopExecutors` can end them (and their kernels) at once.
 */
import { type ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { envJupyterPrefix, envPython } from "../core/env";
import { FACTS_ENV, readFacts } from "../core/facts";
import { packageVersion } from "../core/packages";
import { PROJECT_ROOT } from "../core/paths";
import { UsageError } from "./cli-options";
import type { Prepared } from "./notebook-select";
import type { Profile } from "./notebook-params";
import type { NotebookRun } from "./report-index";

export interface Jupyter {
  python: string;
  jupyterPath: string;
  versions: Record<string, string>;
}

/** Finds a Python with nbclient/nbconvert and the project's tslab kernelspec, or explains what is missing. */
export function checkJupyter(): Jupyter {
  // RUNBOOK_PYTHON, when set, is the only candidate: a wrong value must not be papered over.
  const chosen = envPython();
  const candidates = chosen ? [chosen] : ["/usr/bin/python3", "python3"];
  const probe =
    "import json, nbclient, nbconvert, jupyter_client; print(json.dumps({'nbclient': nbclient.__version__, 'nbconvert': nbconvert.__version__, 'jupyter_client': jupyter_client.__version__}))";
  let python: string | undefined;
  let versions: Record<string, string> = {};
  for (const p of candidates) {
    const r = spawnSync(p, ["-c", probe], { encoding: "utf8" });
    if (r.status === 0) {
      python = p;
      versions = JSON.parse(r.stdout) as Record<string, string>;
      break;
    }
  }
  if (!python) {
    throw new UsageError(
      `Jupyter (nbclient + nbconvert) not found for ${candidates.join(" or ")}: run \`npm run setup\` as root, or install it: ` +
        "`sudo apt-get install jupyter-nbconvert python3-nbclient jupyter-client` (Debian/Ubuntu) or " +
        "`pipx install nbconvert` then set RUNBOOK_PYTHON to that environment's python",
    );
  }
  const jupyterPath = path.join(envJupyterPrefix(), "share", "jupyter");
  const spec = path.join(jupyterPath, "kernels", "tslab", "kernel.json");
  if (!fs.existsSync(spec)) {
    throw new UsageError(`the tslab kernel is not registered (${path.relative(PROJECT_ROOT, spec)} is missing): run \`npm run setup\``);
  }
  const argv0 = (JSON.parse(fs.readFileSync(spec, "utf8")) as { argv: string[] }).argv[0];
  if (!fs.existsSync(argv0)) {
    throw new UsageError(`the tslab kernelspec ${path.relative(PROJECT_ROOT, spec)} starts ${argv0}, which does not exist: run \`npm run setup\``);
  }
  return { python, jupyterPath, versions };
}

export interface ExecuteRequest {
  prepared: Prepared;
  profile: Profile;
  timeout: number;
  jupyter: Jupyter;
  /** Report folder being written; the executor's scratch files go to its `.work/`. */
  staging: string;
  /** Cache key of this run, named in the page header. */
  cacheKey: string;
}

/** The line on top of every executed notebook: when, how, with what it ran, and on which backend. */
function runHeader(req: ExecuteRequest, executedAt: Date, backend: string | undefined): string {
  const p = req.prepared;
  const params =
    Object.entries(p.parameters)
      .map(([k, v]) => `\`${k}=${JSON.stringify(v)}\``)
      .join(", ") || "none";
  return [
    `*Executed ${executedAt.toISOString().replace("T", " ").slice(0, 16)} UTC by \`scripts/run-notebooks\` from \`${p.rel}\`*, `,
    `profile **${req.profile}**, parameters ${params}; `,
    `Node ${process.version}, tslab ${packageVersion("tslab")}, TensorFlow.js ${packageVersion("@tensorflow/tfjs")}, nbclient ${req.jupyter.versions.nbclient ?? "?"}; `,
    `cache key \`${req.cacheKey.slice(0, 16)}\`. `,
    backend ? `TensorFlow.js backend: **${backend}**.` : "The backend and data set in use are stated in the notebook below.",
  ].join("");
}

/** Running executors and the process group of each one's kernel (once it has started). */
const running = new Map<ChildProcess, { kernelGroup: number | null }>();

/**
 * Ends every running executor and its kernel at once. A started kernel's process group (its own
 * session) gets SIGKILL, and so does its executor, which has nothing left to clean up. An executor
 * whose kernel is still starting gets SIGTERM (its handler kills the kernel), SIGKILL after `graceMs`.
 */
export async function stopExecutors(graceMs = 5000): Promise<void> {
  await Promise.all(
    [...running].map(
      ([child, { kernelGroup }]) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill("SIGKILL"), kernelGroup === null ? graceMs : 0);
          child.once("exit", () => {
            clearTimeout(timer);
            resolve();
          });
          if (kernelGroup === null) {
            child.kill("SIGTERM");
            return;
          }
          try {
            process.kill(-kernelGroup, "SIGKILL");
          } catch {
            // already gone
          }
        }),
    ),
  );
}

export function executeNotebook(req: ExecuteRequest): Promise<NotebookRun> {
  const p = req.prepared;
  const work = path.join(req.staging, ".work");
  const input = path.join(work, `${p.name}.input.ipynb`);
  const resultFile = path.join(work, `${p.name}.result.json`);
  const factsFile = path.join(work, `${p.name}.facts.jsonl`);
  fs.writeFileSync(input, JSON.stringify(p.notebook, null, 1));
  const startedAt = new Date();
  const args = [
    path.join(PROJECT_ROOT, "scripts", "execute_notebook.py"),
    "--input",
    input,
    "--output",
    path.join(req.staging, `${p.name}.ipynb`),
    "--html",
    path.join(req.staging, `${p.name}.html`),
    "--result",
    resultFile,
    "--cwd",
    path.dirname(p.abs),
    "--timeout",
    String(req.timeout),
    "--title",
    p.title,
    "--injected-cell",
    String(p.injectedIndex),
    "--header",
    runHeader(req, startedAt, undefined),
  ];
  const env = {
    ...process.env,
    JUPYTER_PATH: [req.jupyter.jupyterPath, process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter),
    [FACTS_ENV]: factsFile,
    RUNBOOK_REPORT: "1",
    RUNBOOK_PROFILE: req.profile,
  };
  return new Promise((resolve) => {
    // Its own process group: a Ctrl-C at the terminal reaches the runner, which stops executors in order.
    const child = spawn(req.jupyter.python, args, { env, stdio: ["pipe", "pipe", "pipe"], detached: true });
    const tracked = { kernelGroup: null as number | null };
    running.set(child, tracked);
    let output = "";
    let stdoutLine = "";
    child.stdin.on("error", () => undefined); // the executor may exit before reading its header
    child.stdout.on("data", (d: Buffer) => {
      stdoutLine += d.toString();
      let nl: number;
      while ((nl = stdoutLine.indexOf("\n")) >= 0) {
        const line = stdoutLine.slice(0, nl);
        stdoutLine = stdoutLine.slice(nl + 1);
        const kernel = /^\{"event": "kernel", "pgid": (\d+)\}$/.exec(line);
        if (kernel) {
          tracked.kernelGroup = Number(kernel[1]);
        } else if (line === '{"event": "executed"}') {
          const backend = readFacts(factsFile).facts.backend;
          child.stdin.end(JSON.stringify({ header: runHeader(req, startedAt, backend === undefined ? undefined : String(backend)) }) + "\n");
        } else {
          output += `${line}\n`;
        }
      }
    });
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("close", (code, signal) => {
      running.delete(child);
      const { facts, checks, headlines } = readFacts(factsFile);
      const base = { path: p.rel, name: p.name, title: p.title, parameters: p.parameters, facts, checks, headlines, startedAt: startedAt.toISOString() };
      if (fs.existsSync(resultFile)) {
        // What execute_notebook.py writes: the run's outcome fields of NotebookRun.
        const r = JSON.parse(fs.readFileSync(resultFile, "utf8")) as Pick<
          NotebookRun,
          "status" | "seconds" | "failedCell" | "failedCellLabel" | "failedCellSource" | "message" | "cells"
        >;
        resolve({ ...base, ...r });
      } else {
        // The executor itself crashed or was stopped: never a success, and its own output is the error.
        const tail = output.trim().split("\n").slice(-8).join("\n");
        resolve({
          ...base,
          status: "error",
          seconds: (Date.now() - startedAt.getTime()) / 1000,
          failedCell: null,
          message: `executor exited with ${signal ?? `code ${code}`}: ${tail}`,
        });
      }
    });
  });
}
