import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { loadReferenceRun } from "../src/notebook/reference-runs";
import { envPython } from "../src/core/env";
import { PROJECT_ROOT } from "../src/core/paths";
import { FASHION_MNIST_DEBIAN_DIR } from "../src/data/locations";

const good = {
  script: "scripts/reference/x.py",
  torch: "1.13.0",
  threads: 2,
  date: "2026-12-04",
  settings: { epochs: 3 },
  testAccuracy: 0.93,
  epochs: [
    { epoch: 1, testAccuracy: 0.8 },
    { epoch: 2, testAccuracy: 0.9 },
  ],
};

function write(dir: string, name: string, content: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

test("loadReferenceRun: provenance, settings and figures of a committed run", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ref-"));
  const run = loadReferenceRun(write(dir, "ok.json", good));
  assert.equal(run.torch, "1.13.0");
  assert.equal(run.threads, 2);
  assert.deepEqual(run.settings, { epochs: 3 });
  assert.equal(run.figure("testAccuracy"), 0.93);
  assert.throws(() => run.figure("perplexity"), /ok\.json: "perplexity" must be a finite number/);
  assert.deepEqual(run.column("epochs", "testAccuracy"), [0.8, 0.9]);
  assert.throws(() => run.column("epochs", "loss"), /ok\.json: epochs\[0\]\.loss must be a finite number/);
  assert.throws(() => run.column("steps", "loss"), /ok\.json: "steps" must be a non-empty list/);
  fs.rmSync(dir, { recursive: true });
});

test("loadReferenceRun: a missing, broken or incomplete file is an error naming it and the field", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ref-"));
  assert.throws(() => loadReferenceRun(path.join(dir, "none.json")), /none\.json not found/);
  assert.throws(() => loadReferenceRun(write(dir, "bad.json", "{")), /bad\.json is not valid JSON/);
  assert.throws(() => loadReferenceRun(write(dir, "arr.json", [])), /arr\.json: expected a JSON object/);
  assert.throws(() => loadReferenceRun(write(dir, "t.json", { ...good, torch: "" })), /t\.json: "torch" must be a non-empty string/);
  assert.throws(() => loadReferenceRun(write(dir, "th.json", { ...good, threads: 0 })), /"threads" must be a positive integer/);
  assert.throws(() => loadReferenceRun(write(dir, "d.json", { ...good, date: "4 Dec" })), /"date" must be YYYY-MM-DD, got "4 Dec"/);
  assert.throws(() => loadReferenceRun(write(dir, "s.json", { ...good, settings: null })), /"settings" must be an object/);
  fs.rmSync(dir, { recursive: true });
});

test("scripts/reference/resnet20_fashion_mnist.py writes a run loadReferenceRun accepts (smoke: 64 images, 1 epoch)", (t) => {
  const python = envPython() ?? "/usr/bin/python3";
  if (spawnSync(python, ["-c", "import torch"], { stdio: "ignore" }).status !== 0) {
    t.skip(`${python} cannot import torch (the reference scripts need python3-torch)`);
    return;
  }
  if (!fs.existsSync(FASHION_MNIST_DEBIAN_DIR)) {
    t.skip(`no Fashion-MNIST in ${FASHION_MNIST_DEBIAN_DIR}`);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ref-"));
  const out = path.join(dir, "r20.json");
  const script = path.join(PROJECT_ROOT, "scripts", "reference", "resnet20_fashion_mnist.py");
  const r = spawnSync(python, [script, "--limit", "64", "--epochs", "1", "--warmup-steps", "1", "--out", out], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const run = loadReferenceRun(out);
  assert.equal(run.threads, 1);
  assert.deepEqual([run.settings.trainImages, run.settings.testImages, run.settings.epochs], [64, 64, 1]);
  assert.equal(run.figure("parameters"), 269434, "ResNet-20 for one channel: the notebook's trainable count");
  const accuracy = run.figure("testAccuracy");
  assert.ok(accuracy >= 0 && accuracy <= 1);
  assert.deepEqual(run.column("epochs", "testAccuracy"), [accuracy]);
  fs.rmSync(dir, { recursive: true });
});
