/**
 * Headless runner: executes notebooks on the tslab kernel (nbclient), N at a time, with
 * papermill-style parameters, and writes the executed notebooks, their HTML renderings,
 * index.html, summary.json and junit.xml into the report folder.
 *
 *   node dist/scripts/run-notebooks.js [notebooks or globs...] [--profile quick|full]
 *        [-p name=value ...] [--jobs N] [--timeout SECONDS] [--out DIR] [--shard i/n] [--list]
 *
 * Exit codes: 0 every notebook passed, 1 a notebook failed, 2 bad usage or missing setup.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { type Notebook, cellSource } from "../src/core/notebook-format";
import {
  type Profile,
  PROFILES,
  findParametersCell,
  injectParameters,
  injectedCellSource,
  parseParameters,
  resolveParams,
  splitAssignment,
  type ParamDeclaration,
} from "../src/runner/notebook-params";
import { FACTS_ENV, readFacts } from "../src/core/facts";
import { checkRenderedNotebooks } from "../src/runner/report-check";
import { packageVersion } from "../src/core/packages";
import { envJupyterPrefix, envPython } from "../src/core/env";
import { type NotebookRun, type NotebookStatus, type RunSummary, renderIndexHtml, renderJunitXml } from "../src/runner/report-index";

const ROOT = path.resolve(__dirname, "..", "..");

class UsageError extends Error {}

export interface RunnerOptions {
  notebooks: string[];
  profile: Profile;
  overrides: Record<string, string>;
  jobs: number;
  timeout: number;
  out: string;
  shard: { index: number; count: number } | null;
  /** Print the selected notebooks and their parameter values, run nothing. */
  list: boolean;
}

const USAGE = `usage: run-notebooks [notebook.ipynb | dir | glob ...] [--profile quick|full] [-p name=value ...]
                     [--jobs N] [--timeout SECONDS] [--out DIR] [--shard i/n] [--list]`;

function parseArgs(argv: string[]): RunnerOptions {
  const opts: RunnerOptions = {
    notebooks: [],
    profile: "full",
    overrides: {},
    jobs: os.cpus().length,
    timeout: 1800,
    out: path.join(ROOT, "reports"),
    shard: null,
    list: false,
  };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  const positiveInt = (text: string, flag: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} ${text}: expected a positive integer`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case "--profile": {
        const p = value(i++, a);
        if (!(PROFILES as readonly string[]).includes(p)) throw new UsageError(`--profile ${p}: expected one of ${PROFILES.join(", ")}`);
        opts.profile = p as Profile;
        break;
      }
      case "-p":
      case "--param": {
        let kv: [string, string];
        try {
          kv = splitAssignment(value(i++, a));
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
        const [k, v] = kv;
        opts.overrides[k] = v;
        break;
      }
      case "--jobs":
        opts.jobs = positiveInt(value(i++, a), a);
        break;
      case "--timeout":
        opts.timeout = positiveInt(value(i++, a), a);
        break;
      case "--out":
        opts.out = path.resolve(value(i++, a));
        break;
      case "--shard": {
        const s = value(i++, a);
        const m = /^(\d+)\/(\d+)$/.exec(s);
        if (!m || +m[1] < 1 || +m[1] > +m[2]) throw new UsageError(`--shard ${s}: expected i/n with 1 ≤ i ≤ n, e.g. 2/3`);
        opts.shard = { index: +m[1], count: +m[2] };
        break;
      }
      case "--list":
        opts.list = true;
        break;
      case "-h":
      case "--help":
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        if (a.startsWith("-")) throw new UsageError(`unknown option ${a} (see --help)`);
        opts.notebooks.push(a);
    }
  }
  return opts;
}

function globToRegExp(pattern: string): RegExp {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]");
  return new RegExp(`^${re}$`);
}

/** Paths, directories and `*`/`?` globs (in the file name) → sorted notebook paths. */
export function expandNotebooks(args: string[], cwd: string): string[] {
  const found = new Set<string>();
  const listDir = (dir: string): string[] =>
    fs.readdirSync(dir).filter((f) => f.endsWith(".ipynb") && !f.startsWith(".")).map((f) => path.join(dir, f));
  for (const arg of args.length ? args : [path.join(ROOT, "notebooks")]) {
    const abs = path.resolve(cwd, arg);
    if (/[*?]/.test(path.basename(abs))) {
      const dir = path.dirname(abs);
      const re = globToRegExp(path.basename(abs));
      const matches = fs.existsSync(dir) ? listDir(dir).filter((f) => re.test(path.basename(f))) : [];
      if (matches.length === 0) throw new UsageError(`no notebook matches ${arg}`);
      matches.forEach((m) => found.add(m));
    } else if (!fs.existsSync(abs)) {
      throw new UsageError(`notebook ${arg} does not exist`);
    } else if (fs.statSync(abs).isDirectory()) {
      const inDir = listDir(abs);
      if (inDir.length === 0) throw new UsageError(`directory ${arg} holds no .ipynb notebook`);
      inDir.forEach((m) => found.add(m));
    } else if (!abs.endsWith(".ipynb")) {
      throw new UsageError(`${arg} is not a notebook (expected a .ipynb file)`);
    } else {
      found.add(abs);
    }
  }
  return [...found].sort();
}

interface Prepared {
  abs: string;
  rel: string;
  name: string;
  title: string;
  notebook: Notebook;
  injectedIndex: number;
  parameters: Record<string, string | number | boolean>;
}

function notebookTitle(nb: Notebook, fallback: string): string {
  for (const c of nb.cells) {
    if (c.cell_type !== "markdown") continue;
    const m = /^#\s+(.+)$/m.exec(cellSource(c));
    if (m) return m[1].trim();
  }
  return fallback;
}

/** Reads a notebook and applies the profile and overrides; throws UsageError on bad input. */
function prepare(abs: string, opts: RunnerOptions): { prepared: Prepared; declared: ParamDeclaration[] } {
  const rel = path.relative(ROOT, abs) || abs;
  let nb: Notebook;
  try {
    nb = JSON.parse(fs.readFileSync(abs, "utf8")) as Notebook;
  } catch (e) {
    throw new UsageError(`${rel}: not a readable notebook (${(e as Error).message})`);
  }
  if (!Array.isArray(nb.cells)) throw new UsageError(`${rel}: not a notebook (no "cells" list)`);
  const kernel = nb.metadata?.kernelspec?.name;
  if (kernel !== "tslab") throw new UsageError(`${rel}: kernelspec is "${kernel ?? "missing"}"; expected "tslab"`);
  const name = path.basename(abs, ".ipynb");
  const idx = findParametersCell(nb, rel);
  let declared: ParamDeclaration[] = [];
  let notebook = nb;
  let injectedIndex = -1;
  let parameters: Record<string, string | number | boolean> = {};
  if (idx >= 0) {
    declared = parseParameters(cellSource(nb.cells[idx]), rel);
    const relevant = Object.fromEntries(Object.entries(opts.overrides).filter(([k]) => declared.some((d) => d.name === k)));
    const resolved = resolveParams(declared, opts.profile, relevant, rel);
    parameters = resolved.values;
    if (Object.keys(resolved.injected).length > 0) {
      notebook = injectParameters(nb, idx, injectedCellSource(resolved.injected, opts.profile));
      injectedIndex = idx + 1;
    }
  }
  return { prepared: { abs, rel, name, title: notebookTitle(nb, name), notebook, injectedIndex, parameters }, declared };
}

interface Jupyter {
  python: string;
  jupyterPath: string;
  versions: Record<string, string>;
}

/** Finds a Python with nbclient/nbconvert and the project's tslab kernelspec, or explains what is missing. */
function checkJupyter(): Jupyter {
  // RUNBOOK_PYTHON, when set, is the only candidate: a wrong value must not be papered over.
  const chosenPython = envPython();
  const candidates = chosenPython ? [chosenPython] : ["/usr/bin/python3", "python3"];
  const probe = "import json, nbclient, nbconvert, jupyter_client; print(json.dumps({'nbclient': nbclient.__version__, 'nbconvert': nbconvert.__version__, 'jupyter_client': jupyter_client.__version__}))";
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
    throw new UsageError(`the tslab kernel is not registered (${path.relative(ROOT, spec)} is missing): run \`npm run setup\``);
  }
  const argv0 = (JSON.parse(fs.readFileSync(spec, "utf8")) as { argv: string[] }).argv[0];
  if (!fs.existsSync(argv0)) {
    throw new UsageError(`the tslab kernelspec ${path.relative(ROOT, spec)} starts ${argv0}, which does not exist: run \`npm run setup\``);
  }
  return { python, jupyterPath, versions };
}

/** The line on top of every executed notebook: when, how and with what it ran. */
function runHeader(p: Prepared, opts: RunnerOptions, jupyter: Jupyter): string {
  const params = Object.entries(p.parameters).map(([k, v]) => `\`${k}=${JSON.stringify(v)}\``).join(", ") || "none";
  return [
    `*Executed ${new Date().toISOString().replace("T", " ").slice(0, 16)} UTC by \`scripts/run-notebooks\` from \`${p.rel}\`*, `,
    `profile **${opts.profile}**, parameters ${params}; `,
    `Node ${process.version}, tslab ${packageVersion("tslab")}, TensorFlow.js ${packageVersion("@tensorflow/tfjs")}, nbclient ${jupyter.versions.nbclient ?? "?"}. `,
    "The backend and data set in use are stated in the notebook below.",
  ].join("");
}

function executeOne(p: Prepared, opts: RunnerOptions, jupyter: Jupyter, staging: string): Promise<NotebookRun> {
  const work = path.join(staging, ".work");
  const input = path.join(work, `${p.name}.input.ipynb`);
  const resultFile = path.join(work, `${p.name}.result.json`);
  const factsFile = path.join(work, `${p.name}.facts.jsonl`);
  fs.writeFileSync(input, JSON.stringify(p.notebook, null, 1));
  const args = [
    path.join(ROOT, "scripts", "execute_notebook.py"),
    "--input", input,
    "--output", path.join(staging, `${p.name}.ipynb`),
    "--html", path.join(staging, `${p.name}.html`),
    "--result", resultFile,
    "--cwd", path.dirname(p.abs),
    "--timeout", String(opts.timeout),
    "--title", p.title,
    "--injected-cell", String(p.injectedIndex),
    "--header", runHeader(p, opts, jupyter),
  ];
  const env = {
    ...process.env,
    JUPYTER_PATH: [jupyter.jupyterPath, process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter),
    [FACTS_ENV]: factsFile,
    RUNBOOK_REPORT: "1",
    RUNBOOK_PROFILE: opts.profile,
  };
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(jupyter.python, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => {
      const { facts, checks, headlines } = readFacts(factsFile);
      const base = { path: p.rel, name: p.name, title: p.title, parameters: p.parameters, facts, checks, headlines };
      if (fs.existsSync(resultFile)) {
        const r = JSON.parse(fs.readFileSync(resultFile, "utf8")) as {
          status: NotebookStatus; seconds: number; failedCell: number | null; failedCellLabel?: string; failedCellSource?: string; message: string | null;
        };
        resolve({ ...base, ...r });
      } else {
        // The executor itself crashed: never a success, and its own output is the error.
        const tail = stderr.trim().split("\n").slice(-8).join("\n");
        resolve({ ...base, status: "error", seconds: (Date.now() - started) / 1000, failedCell: null, message: `executor exited with code ${code}: ${tail}` });
      }
    });
  });
}

async function pool<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return results;
}

function makeStaging(out: string): string {
  const staging = `${out}.partial-${process.pid}`;
  try {
    if (fs.existsSync(out) && !fs.statSync(out).isDirectory()) throw new UsageError(`output ${out} exists and is not a directory`);
    fs.mkdirSync(path.join(staging, ".work"), { recursive: true });
    fs.accessSync(staging, fs.constants.W_OK);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`output directory ${out} is not writable: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return staging;
}

/** Replaces `out` with the finished staging folder in two renames, so no half-written report is left as `out`. */
function publish(staging: string, out: string): void {
  fs.rmSync(path.join(staging, ".work"), { recursive: true, force: true });
  const old = `${out}.old-${process.pid}`;
  if (fs.existsSync(out)) fs.renameSync(out, old);
  fs.renameSync(staging, out);
  fs.rmSync(old, { recursive: true, force: true });
}

function statusLine(nb: NotebookRun): string {
  if (nb.status === "passed") return `✓ ${nb.path} passed in ${nb.seconds.toFixed(1)} s`;
  const where = nb.failedCellLabel ? ` at ${nb.failedCellLabel}${nb.failedCellSource ? ` (${nb.failedCellSource})` : ""}` : "";
  const msg = (nb.message ?? "").split("\n").map((l) => `    ${l}`).join("\n");
  return `✗ ${nb.path} ${nb.status.toUpperCase()}${where}:\n${msg}`;
}

export async function main(argv: string[]): Promise<number> {
  const startedAt = new Date();
  const opts = parseArgs(argv);
  let paths = expandNotebooks(opts.notebooks, process.cwd());
  if (opts.shard) {
    const { index, count } = opts.shard;
    paths = paths.filter((_, i) => i % count === index - 1);
  }
  // Validate every notebook and parameter before running anything.
  const prepared: Prepared[] = [];
  const declaredNames = new Set<string>();
  for (const p of paths) {
    let r: ReturnType<typeof prepare>;
    try {
      r = prepare(p, opts);
    } catch (e) {
      throw e instanceof UsageError ? e : new UsageError((e as Error).message);
    }
    prepared.push(r.prepared);
    r.declared.forEach((d) => declaredNames.add(d.name));
  }
  for (const k of Object.keys(opts.overrides)) {
    if (!declaredNames.has(k)) {
      const known = [...declaredNames].sort().join(", ") || "none";
      throw new UsageError(`unknown parameter ${k}: no selected notebook declares it (declared: ${known})`);
    }
  }
  if (opts.list) {
    for (const p of prepared) console.log(`${p.rel} ${JSON.stringify(p.parameters)}`);
    return 0;
  }
  const jupyter = checkJupyter();
  const staging = makeStaging(opts.out);
  const cleanup = (): void => {
    fs.rmSync(staging, { recursive: true, force: true });
    process.exit(130);
  };
  process.once("SIGINT", cleanup);
  process.once("SIGTERM", cleanup);

  console.log(`Running ${prepared.length} notebook(s), profile ${opts.profile}, ${opts.jobs} at a time, per-cell timeout ${opts.timeout} s${opts.shard ? `, shard ${opts.shard.index}/${opts.shard.count}` : ""}`);
  const runs = await pool(prepared, opts.jobs, async (p) => {
    console.log(`▶ ${p.rel}`);
    const run = await executeOne(p, opts, jupyter, staging);
    console.log(statusLine(run));
    return run;
  });
  // plotly draws in the reader's browser, after the kernel is done: a notebook whose page does not
  // render (a figure plotly rejects, a console error, a request off the machine) fails too.
  await checkRenderedNotebooks(runs, staging);
  for (const run of runs) {
    const page = path.join(staging, `${run.name}.html`);
    if (fs.existsSync(page)) run.pageBytes = fs.statSync(page).size;
  }
  const passed = runs.filter((r) => r.status === "passed").length;
  const summary: RunSummary = {
    complete: true,
    startedAt: startedAt.toISOString(),
    seconds: (Date.now() - startedAt.getTime()) / 1000,
    profile: opts.profile,
    overrides: opts.overrides,
    shard: opts.shard ? `${opts.shard.index}/${opts.shard.count}` : null,
    environment: {
      node: process.version,
      tslab: packageVersion("tslab"),
      "TensorFlow.js": packageVersion("@tensorflow/tfjs"),
      platform: `${os.platform()} ${os.release()} ${os.arch()}, ${os.cpus().length} cores`,
      python: jupyter.python,
      ...jupyter.versions,
    },
    passed,
    failed: runs.length - passed,
    notebooks: runs,
  };
  fs.writeFileSync(path.join(staging, "index.html"), renderIndexHtml(summary));
  fs.writeFileSync(path.join(staging, "junit.xml"), renderJunitXml(summary));
  fs.writeFileSync(path.join(staging, "summary.json"), JSON.stringify(summary, null, 2) + "\n");
  publish(staging, opts.out);
  console.log(`Report: ${path.join(opts.out, "index.html")}`);
  console.log(`notebooks: ${passed} passed, ${runs.length - passed} failed`);
  return passed === runs.length ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      if (e instanceof UsageError) console.error(`run-notebooks: ${e.message}`);
      else console.error(e);
      process.exit(2);
    },
  );
}
