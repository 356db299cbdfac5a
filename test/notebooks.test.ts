/**
 * House rules for the committed notebooks: no outputs (outputs belong to reports), the tslab
 * kernel, one import form for the library, a title, parseable parameters, article metadata.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { type Notebook, cellSource } from "../src/core/notebook-format";
import { findParametersCell, parseParameters } from "../src/runner/notebook-params";

const ROOT = path.resolve(__dirname, "..", "..");
const DIR = path.join(ROOT, "notebooks");
const files = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith(".ipynb"))
  .sort();

test("the runbook has notebooks, numbered by article section (NN-topic or NN-M-topic), starting with the overview", () => {
  assert.ok(files.length >= 1);
  assert.equal(files[0], "00-overview.ipynb");
  // §6's scenarios carry no numbers in the article: 06-M follows the order §6 lists them in.
  const UNNUMBERED_SUBSECTIONS = new Set([6]);
  for (const f of files.slice(1)) {
    const m = /^(\d\d)(?:-(\d))?-[a-z][a-z0-9-]*\.ipynb$/.exec(f);
    assert.ok(m, `${f}: expected NN-topic.ipynb or NN-M-topic.ipynb`);
    const nb = JSON.parse(fs.readFileSync(path.join(DIR, f), "utf8")) as Notebook;
    const sections = (nb.metadata.runbook as { article_sections?: string[] } | undefined)?.article_sections ?? [];
    const n = Number(m[1]);
    const want = m[2] === undefined || UNNUMBERED_SUBSECTIONS.has(n) ? `§${n}` : `§${n}.${m[2]}`;
    assert.ok(
      sections.some((s) => s === want || s.startsWith(`${want}.`)),
      `${f} is numbered ${want} but covers ${sections.join(", ")}`,
    );
  }
});

/** Top-level helpers a notebook defines: `function f`, `async function f`, `const f = (…) =>`. */
function definedHelpers(src: string): string[] {
  const names: string[] = [];
  for (const m of src.matchAll(
    /^(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)|^(?:const|let)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s*)?(?:\([^)]*\)|[A-Za-z_$][\w$]*)\s*(?::[^=]+)?=>/gm,
  )) {
    names.push(m[1] ?? m[2]);
  }
  return names;
}

test("notebooks tell the story: code cells of at most 25 lines, no helper defined in two notebooks", () => {
  const MAX_LINES = 25;
  const definedIn = new Map<string, string[]>();
  const long: string[] = [];
  for (const file of files) {
    const nb = JSON.parse(fs.readFileSync(path.join(DIR, file), "utf8")) as Notebook;
    nb.cells.forEach((c, i) => {
      if (c.cell_type !== "code") return;
      const src = cellSource(c);
      const lines = src.split("\n").length;
      if (lines > MAX_LINES) long.push(`${file} cell ${i + 1}: ${lines} lines`);
      for (const name of definedHelpers(src)) definedIn.set(name, [...(definedIn.get(name) ?? []), file]);
    });
  }
  assert.deepEqual(long, [], `code cells longer than ${MAX_LINES} lines (move the logic into src/ or split the cell)`);
  const shared = [...definedIn].filter(([, fs]) => new Set(fs).size > 1).map(([n, fs]) => `${n}: ${[...new Set(fs)].join(", ")}`);
  assert.deepEqual(shared, [], "helpers defined in more than one notebook belong in the library");
});

test("definedHelpers finds function and arrow definitions", () => {
  const src =
    "function a() {}\nasync function b(x: number) {}\nconst c = (x: number): number => x;\nconst d = async () => 1;\nconst e = 3;\n  function nested() {}";
  assert.deepEqual(definedHelpers(src), ["a", "b", "c", "d"]);
});

for (const file of files) {
  test(`${file}: committed without outputs, on tslab, importing the library one way`, () => {
    const nb = JSON.parse(fs.readFileSync(path.join(DIR, file), "utf8")) as Notebook;
    assert.equal(nb.metadata.kernelspec?.name, "tslab");
    nb.cells.forEach((c, i) => {
      if (c.cell_type !== "code") return;
      assert.deepEqual(c.outputs, [], `${file} cell ${i + 1} has outputs: clear them before committing`);
      assert.equal(c.execution_count ?? null, null, `${file} cell ${i + 1} has an execution count`);
      const src = cellSource(c);
      // tslab compiles each notebook on its own: the library is imported compiled, through its one
      // entry point for notebooks (src/index.ts → ../dist/src/index).
      for (const m of src.matchAll(/from\s+["']([^"']+)["']/g)) {
        const spec = m[1];
        if (spec.startsWith("."))
          assert.equal(spec, "../dist/src/index", `${file} cell ${i + 1} imports ${spec}; notebooks import the library from "../dist/src/index"`);
      }
    });
    const first = nb.cells[0];
    assert.equal(first.cell_type, "markdown");
    assert.match(cellSource(first), /^# \S/, `${file} starts with a "# Title" markdown cell`);
    const idx = findParametersCell(nb, file);
    assert.ok(idx >= 0, `${file} has a cell tagged "parameters"`);
    const params = parseParameters(cellSource(nb.cells[idx]), file);
    assert.ok(
      params.some((p) => p.name === "profile"),
      `${file} declares profile`,
    );
    const meta = nb.metadata.runbook as { article_sections?: unknown } | undefined;
    assert.ok(Array.isArray(meta?.article_sections), `${file} lists its article sections in metadata.runbook.article_sections`);
  });
}

test("setup is complete after a run: a second run would change nothing", () => {
  const r = spawnSync("bash", [path.join(ROOT, "scripts", "setup.sh"), "--check"], { encoding: "utf8" });
  assert.equal(r.status, 0, `setup.sh --check reports pending steps:\n${r.stderr}`);
  assert.equal(r.stderr.trim(), "");
});
