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
const files = fs.readdirSync(DIR).filter((f) => f.endsWith(".ipynb")).sort();

test("the runbook has notebooks, named NN-topic.ipynb, starting with the overview", () => {
  assert.ok(files.length >= 1);
  assert.equal(files[0], "00-overview.ipynb");
  for (const f of files) assert.match(f, /^\d\d-[a-z0-9-]+\.ipynb$/, f);
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
        if (spec.startsWith(".")) assert.equal(spec, "../dist/src/index", `${file} cell ${i + 1} imports ${spec}; notebooks import the library from "../dist/src/index"`);
      }
    });
    const first = nb.cells[0];
    assert.equal(first.cell_type, "markdown");
    assert.match(cellSource(first), /^# \S/, `${file} starts with a "# Title" markdown cell`);
    const idx = findParametersCell(nb, file);
    assert.ok(idx >= 0, `${file} has a cell tagged "parameters"`);
    const params = parseParameters(cellSource(nb.cells[idx]), file);
    assert.ok(params.some((p) => p.name === "profile"), `${file} declares profile`);
    const meta = nb.metadata.runbook as { article_sections?: unknown } | undefined;
    assert.ok(Array.isArray(meta?.article_sections), `${file} lists its article sections in metadata.runbook.article_sections`);
  });
}

test("setup is complete after a run: a second run would change nothing", () => {
  const r = spawnSync("bash", [path.join(ROOT, "scripts", "setup.sh"), "--check"], { encoding: "utf8" });
  assert.equal(r.status, 0, `setup.sh --check reports pending steps:\n${r.stderr}`);
  assert.equal(r.stderr.trim(), "");
});
