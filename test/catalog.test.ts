import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DATASETS, type DatasetEntry, inventoryDatasets, sha256OfPath } from "../src/data/catalog";

const ROOT = path.resolve(__dirname, "..", "..");

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "catalog-"));
}

test("sha256OfPath: a file's SHA-256; a folder's digest changes when a file changes, moves or appears", () => {
  const dir = tmpDir();
  fs.writeFileSync(path.join(dir, "a.txt"), "abc");
  // sha256("abc"), from FIPS 180-2's example.
  assert.equal(sha256OfPath(path.join(dir, "a.txt")).sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  fs.mkdirSync(path.join(dir, "sub"));
  fs.writeFileSync(path.join(dir, "sub", "b.txt"), "b");
  const before = sha256OfPath(dir);
  assert.deepEqual([before.files, before.bytes], [2, 4]);
  fs.writeFileSync(path.join(dir, "sub", "b.txt"), "c");
  const changed = sha256OfPath(dir).sha256;
  fs.renameSync(path.join(dir, "sub", "b.txt"), path.join(dir, "sub", "c.txt"));
  const moved = sha256OfPath(dir).sha256;
  fs.writeFileSync(path.join(dir, "d.txt"), "");
  const added = sha256OfPath(dir).sha256;
  assert.equal(new Set([before.sha256, changed, moved, added]).size, 4);
  fs.rmSync(dir, { recursive: true, force: true });
});

test("inventoryDatasets: verified, wrong checksum and missing file are told apart, naming the file", () => {
  const dir = tmpDir();
  const file = path.join(dir, "t.csv");
  fs.writeFileSync(file, "abc");
  const entry = (sha256: string, p: string): DatasetEntry => ({
    name: "t",
    usedBy: [],
    kind: "real",
    source: "",
    licence: "",
    loader: "",
    validates: "",
    howToGet: "make it",
    optional: false,
    files: [{ locate: () => p, sha256 }],
  });
  const abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  const [ok, wrong, missing] = inventoryDatasets([entry(abc, file), entry("0".repeat(64), file), entry(abc, path.join(dir, "none.csv"))]);
  assert.deepEqual([ok.present, ok.verified, ok.bytes, ok.pinned, ok.problem], [true, true, 3, 1, ""]);
  assert.deepEqual([wrong.present, wrong.verified], [true, false]);
  assert.match(wrong.problem, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} has SHA-256 ${abc}; expected 0{64}`));
  assert.deepEqual([missing.present, missing.verified], [false, false]);
  assert.match(missing.problem, /none\.csv not found \(make it\)/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test("the catalog names real notebooks, and every notebook that calls a loader is listed for it", () => {
  const notebooks = fs.readdirSync(path.join(ROOT, "notebooks")).filter((f) => f.endsWith(".ipynb"));
  for (const d of DATASETS) {
    for (const nb of d.usedBy) assert.ok(notebooks.includes(nb), `${d.name}: usedBy names ${nb}, which is not in notebooks/`);
    for (const nb of notebooks) {
      const text = fs.readFileSync(path.join(ROOT, "notebooks", nb), "utf8");
      if (new RegExp(`\\b${d.loader}\\(`).test(text)) assert.ok(d.usedBy.includes(nb), `${nb} calls ${d.loader} but the ${d.name} entry does not list it`);
    }
  }
  assert.equal(new Set(DATASETS.map((d) => d.name)).size, DATASETS.length);
  assert.ok(
    DATASETS.every((d) => d.kind === "real" || /synthes/i.test(d.source)),
    "a synthetic data set says how it is made",
  );
});
