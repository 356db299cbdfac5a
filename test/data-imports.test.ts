/**
 * The data layer loads no TensorFlow.js backend at import time (ARCHITECTURE.md: reading a CSV never
 * loads TensorFlow.js's backends): each compiled module of src/data/ is required in a fresh Node
 * process and that process's require.cache is inspected.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const DATA_DIR = path.resolve(__dirname, "..", "src", "data"); // dist/src/data
/** Modules that produce tensors and so may load @tensorflow/tfjs itself (never a backend). */
const TENSOR_MODULES = new Set(["cifar10.js", "download.js", "fashion-mnist.js", "select.js", "tabular.js"]);

/** The files a fresh Node process has loaded after requiring `file`. */
function loadedBy(file: string): string[] {
  const code = `require(${JSON.stringify(file)}); console.log(JSON.stringify(Object.keys(require.cache)));`;
  const r = spawnSync(process.execPath, ["-e", code], { encoding: "utf8" });
  assert.equal(r.status, 0, `requiring ${file} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop() as string) as string[];
}

const modules = fs
  .readdirSync(DATA_DIR)
  .filter((f) => f.endsWith(".js"))
  .sort();

test("src/data/ has modules to check, csv and star among them", () => {
  for (const m of ["csv.js", "star.js"]) assert.ok(modules.includes(m), `${m} missing from ${DATA_DIR}`);
});

for (const m of modules) {
  test(`requiring data/${m} loads no TF.js backend, no native addon and nothing of engine/`, () => {
    const loaded = loadedBy(path.join(DATA_DIR, m));
    const bad = loaded.filter(
      (p) =>
        p.includes(`${path.sep}@tensorflow${path.sep}tfjs-backend-wasm${path.sep}`) ||
        p.endsWith(".node") || // the oneDNN addon or libtensorflow's binding (node_modules/@tensorflow/tfjs-node
        // itself is danfojs-node's, aliased to plain @tensorflow/tfjs in package.json's overrides)
        p.includes(`${path.sep}src${path.sep}engine${path.sep}`),
    );
    assert.deepEqual(bad, [], `data/${m} pulls these in at import time`);
    if (!TENSOR_MODULES.has(m)) {
      const tfjs = loaded.filter((p) => p.includes(`${path.sep}@tensorflow${path.sep}`));
      assert.deepEqual(tfjs, [], `data/${m} makes no tensors but loads TensorFlow.js`);
    }
  });
}
