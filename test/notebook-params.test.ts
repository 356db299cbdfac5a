import { test } from "node:test";
import * as assert from "node:assert/strict";
import type { Notebook } from "../src/core/notebook-format";
import {
  coerceParam,
  findParametersCell,
  injectParameters,
  injectedCellSource,
  parseLiteral,
  parseParameters,
  resolveParams,
  splitAssignment,
} from "../src/runner/notebook-params";

const CELL = `// comment lines are allowed
let profile = "full";
let numEpochs = 2; // quick: 1
const lr: number = 0.001;
let dataset = 'auto'; // quick: "tiny"
let verbose = false; // not a quick value, just a comment
let trainSize = 60_000; // quick: 2000
`;

test("parseLiteral reads numbers, strings and booleans as TypeScript writes them", () => {
  assert.deepEqual(parseLiteral("42"), { type: "number", value: 42 });
  assert.deepEqual(parseLiteral("-1.5e-3"), { type: "number", value: -0.0015 });
  assert.deepEqual(parseLiteral("60_000"), { type: "number", value: 60000 });
  assert.deepEqual(parseLiteral('"a \\"b\\""'), { type: "string", value: 'a "b"' });
  assert.deepEqual(parseLiteral("'single'"), { type: "string", value: "single" });
  assert.deepEqual(parseLiteral("'it\\'s \"q\"'"), { type: "string", value: 'it\'s "q"' });
  assert.equal(parseLiteral('"unterminated'), undefined);
  assert.deepEqual(parseLiteral("true"), { type: "boolean", value: true });
  assert.equal(parseLiteral("[1, 2]"), undefined);
  assert.equal(parseLiteral("someCall()"), undefined);
});

test("parseParameters reads defaults, types and quick values", () => {
  const params = parseParameters(CELL, "nb.ipynb");
  assert.deepEqual(
    params.map((p) => [p.name, p.type, p.defaultValue, p.quickValue]),
    [
      ["profile", "string", "full", undefined],
      ["numEpochs", "number", 2, 1],
      ["lr", "number", 0.001, undefined],
      ["dataset", "string", "auto", "tiny"],
      ["verbose", "boolean", false, undefined],
      ["trainSize", "number", 60000, 2000],
    ],
  );
});

test("parseParameters rejects what is not a literal parameter, naming the notebook and the line", () => {
  assert.throws(() => parseParameters("let x = compute();", "a.ipynb"), /a\.ipynb: parameter "x" \(line 1\) has value compute\(\)/);
  assert.throws(() => parseParameters("console.log(1)", "a.ipynb"), /a\.ipynb: parameters cell line 1/);
  assert.throws(() => parseParameters("let n: number = 'x';", "a.ipynb"), /declared number but its default 'x' is a string/);
  assert.throws(() => parseParameters("let n = 1; // quick: 'one'", "a.ipynb"), /quick value 'one'; expected a number literal/);
  assert.throws(() => parseParameters("let n = 1;\nlet n = 2;", "a.ipynb"), /declared twice/);
});

test("coerceParam converts -p values to the declared type or explains", () => {
  const decls = parseParameters(CELL, "nb.ipynb");
  const numEpochs = decls.find((d) => d.name === "numEpochs")!;
  const verbose = decls.find((d) => d.name === "verbose")!;
  assert.equal(coerceParam(numEpochs, "3", "nb.ipynb"), 3);
  assert.throws(
    () => coerceParam(numEpochs, "abc", "nb.ipynb"),
    /parameter numEpochs=abc: nb\.ipynb declares numEpochs as a number .* "abc" is not a finite number/,
  );
  assert.throws(() => coerceParam(numEpochs, "", "nb.ipynb"), /not a finite number/);
  assert.equal(coerceParam(verbose, "true", "nb.ipynb"), true);
  assert.throws(() => coerceParam(verbose, "yes", "nb.ipynb"), /expected true or false/);
  assert.deepEqual(splitAssignment("url=http://x/?a=b"), ["url", "http://x/?a=b"]);
  assert.throws(() => splitAssignment("novalue"), /expected key=value/);
});

test("resolveParams: defaults < quick profile < -p overrides; profile always injected", () => {
  const decls = parseParameters(CELL, "nb.ipynb");
  const full = resolveParams(decls, "full", {}, "nb.ipynb");
  assert.deepEqual(full.injected, { profile: "full" });
  assert.equal(full.values.numEpochs, 2);
  const quick = resolveParams(decls, "quick", { lr: "0.1" }, "nb.ipynb");
  assert.deepEqual(quick.injected, { profile: "quick", numEpochs: 1, lr: 0.1, dataset: "tiny", trainSize: 2000 });
  const overridden = resolveParams(decls, "quick", { numEpochs: "5" }, "nb.ipynb");
  assert.equal(overridden.values.numEpochs, 5);
});

test("injectParameters puts one tagged cell right after the parameters cell", () => {
  const nb: Notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "tslab" } },
    cells: [
      { cell_type: "markdown", source: "# T", metadata: {} },
      { cell_type: "code", source: CELL, metadata: { tags: ["parameters"] }, outputs: [] },
      { cell_type: "code", source: "numEpochs", metadata: {}, outputs: [] },
    ],
  };
  const idx = findParametersCell(nb, "nb.ipynb");
  assert.equal(idx, 1);
  const src = injectedCellSource({ profile: "quick", numEpochs: 1, dataset: 'a"b' }, "quick");
  assert.match(src, /^profile = "quick";$/m);
  assert.match(src, /^dataset = "a\\"b";$/m);
  const out = injectParameters(nb, idx, src);
  assert.equal(out.cells.length, 4);
  assert.deepEqual(out.cells[2].metadata.tags, ["injected-parameters"]);
  assert.equal(nb.cells.length, 3, "the source notebook is not modified");
  // Injecting again replaces rather than stacks.
  assert.equal(injectParameters(out, idx, src).cells.length, 4);
  const two: Notebook = { ...nb, cells: [nb.cells[1], nb.cells[1]] };
  assert.throws(() => findParametersCell(two, "two.ipynb"), /two\.ipynb: 2 cells are tagged "parameters"/);
});
