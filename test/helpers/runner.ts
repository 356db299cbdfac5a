/** Running the runner from tests, and small notebooks and a small compiled "library" written to a temporary folder. */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..", "..");
export const RUNNER = path.join(ROOT, "dist", "scripts", "run-notebooks.js");

export interface RunResult {
  code: number | null;
  out: string;
}

/** The runner, run to completion from the project root (killed after `timeoutMs`, if given: a hang fails the test). */
export function runRunner(args: string[], env: Record<string, string> = {}, timeoutMs?: number): RunResult {
  const r = spawnSync(process.execPath, [RUNNER, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env }, timeout: timeoutMs });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** The runner as a separate process running alongside the test (for shards side by side, signals). */
export function startRunner(args: string[], env: Record<string, string> = {}): { pid: number; done: Promise<RunResult> } {
  const child = spawn(process.execPath, [RUNNER, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const done = new Promise<RunResult>((resolve) => child.on("close", (code) => resolve({ code, out })));
  return { pid: child.pid as number, done };
}

export function tmpDir(prefix = "runner-test-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

type Cell = { markdown: string } | { code: string; tags?: string[] };

/** A tslab notebook without outputs. */
export function writeNotebook(file: string, cells: Cell[], runbookMetadata: Record<string, unknown> = {}): void {
  const nb = {
    cells: cells.map((c, i) =>
      "markdown" in c
        ? { cell_type: "markdown", id: `c${i}`, metadata: {}, source: c.markdown }
        : { cell_type: "code", id: `c${i}`, execution_count: null, metadata: c.tags ? { tags: c.tags } : {}, outputs: [], source: c.code },
    ),
    metadata: {
      kernelspec: { display_name: "TypeScript", language: "typescript", name: "tslab" },
      language_info: { file_extension: ".ts", mimetype: "text/typescript", name: "typescript" },
      runbook: runbookMetadata,
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(nb, null, 1) + "\n");
}

/**
 * A compiled library as tsc emits it: `lib/index.js` re-exports `lib/alpha.js` and `lib/beta.js`
 * (`export *`), each with its declaration file. `alpha(n)` returns n * factor.
 */
export function writeLibrary(dir: string, factor = 10, betaValue = "b1"): void {
  fs.mkdirSync(dir, { recursive: true });
  const star = `var __exportStar = function (m, e) { for (var p in m) if (p !== "default" && !Object.prototype.hasOwnProperty.call(e, p)) e[p] = m[p]; };\n`;
  fs.writeFileSync(
    path.join(dir, "index.js"),
    `"use strict";\n${star}Object.defineProperty(exports, "__esModule", { value: true });\n__exportStar(require("./alpha"), exports);\n__exportStar(require("./beta"), exports);\n`,
  );
  fs.writeFileSync(path.join(dir, "index.d.ts"), `export * from "./alpha";\nexport * from "./beta";\n`);
  writeAlpha(dir, factor);
  writeBeta(dir, betaValue);
}

export function writeAlpha(dir: string, factor: number): void {
  fs.writeFileSync(
    path.join(dir, "alpha.js"),
    `"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nexports.alpha = void 0;\nfunction alpha(n) { return n * ${factor}; }\nexports.alpha = alpha;\n`,
  );
  fs.writeFileSync(path.join(dir, "alpha.d.ts"), "export declare function alpha(n: number): number;\n");
}

export function writeBeta(dir: string, value: string): void {
  fs.writeFileSync(
    path.join(dir, "beta.js"),
    `"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nexports.beta = void 0;\nfunction beta() { return ${JSON.stringify(value)}; }\nexports.beta = beta;\n`,
  );
  fs.writeFileSync(path.join(dir, "beta.d.ts"), "export declare function beta(): string;\n");
}

/** Two notebooks over that library: `uses-alpha` (parameter n) and `uses-beta`. */
export function writeLibraryNotebooks(dir: string): { alpha: string; beta: string } {
  const alpha = path.join(dir, "uses-alpha.ipynb");
  const beta = path.join(dir, "uses-beta.ipynb");
  writeNotebook(alpha, [
    { markdown: "# Uses alpha\n\nFirst version of the prose." },
    { code: "let n = 1;", tags: ["parameters"] },
    { code: 'import { alpha } from "../lib/index";\nconsole.log("ALPHA " + alpha(n));' },
  ]);
  writeNotebook(beta, [{ markdown: "# Uses beta" }, { code: 'import { beta } from "../lib/index";\nconsole.log("BETA " + beta());' }]);
  return { alpha, beta };
}

/** Outputs of an executed notebook's code cells, joined. */
export function executedText(file: string): string {
  const nb = JSON.parse(fs.readFileSync(file, "utf8")) as { cells: { outputs?: { text?: string | string[] }[] }[] };
  return nb.cells.flatMap((c) => (c.outputs ?? []).map((o) => [o.text ?? ""].flat().join(""))).join("");
}
