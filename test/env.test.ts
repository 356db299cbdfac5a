import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  ENV_VARIABLES,
  envBackend,
  envBrowserCheck,
  envChromium,
  envDataKey,
  envJupyterPrefix,
  envNativeEnabled,
  envNativeThreads,
  envReportRun,
  envTableMarkdown,
  readEnvText,
} from "../src/core/env";
import { PROJECT_ROOT } from "../src/core/paths";

/** Files under `dir` (relative to the project root) whose names end in one of `exts`, skipping build output. */
function sourceFiles(dir: string, exts: string[]): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    const abs = path.join(PROJECT_ROOT, rel);
    if (!fs.existsSync(abs)) return;
    for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
      const child = path.join(rel, entry.name);
      if (entry.isDirectory()) {
        if (!["node_modules", "build", "dist", "fixtures"].includes(entry.name)) walk(child);
      } else if (exts.some((e) => entry.name.endsWith(e))) out.push(child.split(path.sep).join("/"));
    }
  };
  walk(dir);
  return out;
}

/**
 * A direct read: process.env.RUNBOOK_X, process.env["RUNBOOK_X"] or process.env[SOME_ENV], unless
 * it is assigned (tests may set variables) or deleted.
 */
const DIRECT_READ = /(?<!delete )process\.env(?:\.RUNBOOK_\w+\b|\[\s*(?:["'`]RUNBOOK_\w+["'`]|[A-Z_]+_ENV)\s*\])(?!\s*=[^=])/g;

const read = (rel: string): string => fs.readFileSync(path.join(PROJECT_ROOT, rel), "utf8");

test("the README's environment table is the one src/core/env.ts generates", () => {
  const readme = read("README.md");
  const m = /<!-- env-table:start -->\n([\s\S]*?)\n<!-- env-table:end -->/.exec(readme);
  assert.ok(m, 'README.md has no "<!-- env-table:start -->" … "<!-- env-table:end -->" block');
  assert.equal(
    m[1],
    envTableMarkdown(),
    "README.md's environment table differs from envTableMarkdown() in src/core/env.ts: regenerate it with\n" +
      `node -e 'console.log(require("./dist/src/core/env").envTableMarkdown())'`,
  );
});

test("no TypeScript file but src/core/env.ts reads a RUNBOOK_* variable from process.env", () => {
  const offenders: string[] = [];
  for (const file of [...sourceFiles("src", [".ts"]), ...sourceFiles("scripts", [".ts"]), ...sourceFiles("test", [".ts"])]) {
    if (file === "src/core/env.ts" || file === "test/env.test.ts") continue;
    const text = fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8");
    for (const hit of text.matchAll(DIRECT_READ)) offenders.push(`${file}:${text.slice(0, hit.index).split("\n").length}: ${hit[0]}`);
  }
  assert.deepEqual(offenders, [], "read these through src/core/env.ts");
});

test("the detector above does flag a direct read and ignores setting and deleting", () => {
  const flagged = (s: string): boolean => [...s.matchAll(DIRECT_READ)].length > 0;
  assert.ok(flagged("const x = process.env.RUNBOOK_PYTHON ?? 'p';"));
  assert.ok(flagged("if (process.env[FACTS_ENV] === undefined) {}"));
  assert.ok(flagged('f(process.env["RUNBOOK_NATIVE"])'));
  assert.ok(!flagged('process.env.RUNBOOK_NATIVE = "off";'));
  assert.ok(!flagged("delete process.env.RUNBOOK_NATIVE;"));
  assert.ok(!flagged("process.env[FACTS_ENV] = file;"));
});

test("every RUNBOOK_* name in the sources is in the table, and each listed user still mentions it", () => {
  const names = new Set(ENV_VARIABLES.map((v) => v.name));
  assert.equal(names.size, ENV_VARIABLES.length, "a variable is listed twice");
  const files = [
    ...sourceFiles("src", [".ts"]),
    ...sourceFiles("scripts", [".ts", ".sh", ".py"]),
    ...sourceFiles("test", [".ts"]).filter((f) => f !== "test/env.test.ts"),
    ...sourceFiles("native/src", [".cc", ".h", ".cpp"]),
    ...sourceFiles("bench", [".py", ".ts"]),
  ];
  const unknown: string[] = [];
  for (const file of files) {
    for (const m of read(file).matchAll(/RUNBOOK_[A-Z][A-Z0-9_]*/g)) if (!names.has(m[0])) unknown.push(`${file}: ${m[0]}`);
  }
  assert.deepEqual([...new Set(unknown)], [], "add these to ENV_VARIABLES in src/core/env.ts");
  for (const v of ENV_VARIABLES) {
    assert.ok(v.usedBy.length > 0, `${v.name} lists no user`);
    for (const f of v.usedBy) {
      assert.ok(fs.existsSync(path.join(PROJECT_ROOT, f)), `${v.name}: ${f} does not exist`);
      // A TypeScript user may read it through its typed reader, without naming it.
      const text = read(f);
      const mentions = new RegExp(`${v.name}(?![A-Z0-9_])`).test(text) || (f.endsWith(".ts") && /from ["'](?:\.\.\/)+(?:src\/)?core\/env["']/.test(text));
      assert.ok(mentions, `${v.name} is listed as used by ${f}, which neither mentions it nor imports src/core/env.ts`);
    }
  }
});

test("readers return defaults when unset or empty and reject bad values naming the variable", () => {
  assert.equal(envBackend({}), null);
  assert.equal(envBackend({ RUNBOOK_BACKEND: "wasm" }), "wasm");
  assert.throws(() => envBackend({ RUNBOOK_BACKEND: "gpu" }), /^Error: RUNBOOK_BACKEND=gpu: expected one of node-gpu, node, wasm, cpu/);
  assert.equal(envNativeEnabled({}), true);
  assert.equal(envNativeEnabled({ RUNBOOK_NATIVE: "" }), true);
  for (const off of ["off", "0", "FALSE", "no"]) assert.equal(envNativeEnabled({ RUNBOOK_NATIVE: off }), false, off);
  assert.equal(envNativeEnabled({ RUNBOOK_NATIVE: "On" }), true);
  assert.throws(() => envNativeEnabled({ RUNBOOK_NATIVE: "maybe" }), /RUNBOOK_NATIVE=maybe: expected on or off/);
  assert.equal(envNativeThreads({}), "auto");
  assert.equal(envNativeThreads({ RUNBOOK_NATIVE_THREADS: "Auto" }), "auto");
  assert.equal(envNativeThreads({ RUNBOOK_NATIVE_THREADS: "4" }), 4);
  for (const bad of ["0", "-2", "1.5", "two", "08"]) {
    assert.throws(
      () => envNativeThreads({ RUNBOOK_NATIVE_THREADS: bad }),
      new RegExp(`RUNBOOK_NATIVE_THREADS=${bad}: expected "auto" or a positive integer \\(default: auto: every core`),
    );
  }
  assert.equal(envBrowserCheck({}), true);
  assert.equal(envBrowserCheck({ RUNBOOK_BROWSER_CHECK: "off" }), false);
  assert.equal(envReportRun({}), false);
  assert.equal(envReportRun({ RUNBOOK_REPORT: "1" }), true);
  assert.equal(envChromium({}), "/usr/bin/chromium");
  assert.equal(envJupyterPrefix({}), path.join(PROJECT_ROOT, ".jupyter"));
  assert.equal(envJupyterPrefix({ RUNBOOK_JUPYTER_PREFIX: "/x" }), "/x");
  assert.equal(envDataKey({ RUNBOOK_DATA_KEY: "" }), undefined);
  assert.throws(() => readEnvText("RUNBOOK_TYPO", {}), /RUNBOOK_TYPO is not a RUNBOOK_\* variable listed in src\/core\/env\.ts/);
});
