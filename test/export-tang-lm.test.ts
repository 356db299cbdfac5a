import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { envPython } from "../src/core/env";
import { PROJECT_ROOT } from "../src/core/paths";
import { loadReferenceRun } from "../src/notebook/reference-runs";
import { shuffledIndices } from "../src/core/random";
import { Transformer, transformerWeightShapes } from "../src/models/transformer";
import { parseVerseForms, prepareTangLanguageModelData } from "../src/text/tang-lm-data";
import { batchTensors } from "../src/training/train-lm";

// A tiny setting of the §8 notebook: the export and the PyTorch referee of scripts/reference/.
const settings = {
  forms: "5x4",
  contextLength: 12,
  dModel: 16,
  numLayers: 1,
  numHeads: 2,
  numSteps: 3,
  batchSize: 8,
  lr: 0.01,
  valFraction: 0.1,
  minCount: 5,
  seed: 3,
};
const script = path.join(PROJECT_ROOT, "dist", "scripts", "reference", "export-tang-lm.js");
const referee = path.join(PROJECT_ROOT, "scripts", "reference", "tang_gpt.py");
let dir = "";

before(async () => {
  await tf.setBackend("cpu");
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tang-lm-export-"));
  const flags = ["--forms", settings.forms, "--context", "12", "--d", "16", "--layers", "1", "--heads", "2", "--steps", "3", "--batch", "8"];
  flags.push("--lr", "0.01", "--val-fraction", "0.1", "--min-count", "5", "--seed", "3", "--out", dir);
  const r = spawnSync(process.execPath, [script, ...flags], { encoding: "utf8", env: { ...process.env, RUNBOOK_BACKEND: "cpu" } });
  assert.equal(r.status, 0, `export-tang-lm failed: ${r.stderr}`);
});

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const int32s = (file: string): Int32Array => {
  const b = fs.readFileSync(path.join(dir, file));
  return new Int32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

test("export-tang-lm: the windows, batch order and initial weights the notebook would use, with checksums", () => {
  const meta = JSON.parse(fs.readFileSync(path.join(dir, "meta.json"), "utf8"));
  const data = prepareTangLanguageModelData({ ...settings, forms: parseVerseForms(settings.forms) });
  assert.equal(meta.vocabSize, data.tokenizer.size);
  assert.equal(meta.trainWindows, data.trainSet.count);
  assert.equal(meta.windowLength, 13);
  assert.deepEqual(int32s("train-windows.i32"), data.trainSet.tokens);
  assert.deepEqual(int32s("val-windows.i32"), data.valSet.tokens);
  const perEpoch = Math.floor(data.trainSet.count / 8);
  assert.equal(meta.schedule.batchesPerEpoch, perEpoch);
  assert.equal(meta.schedule.numEpochs, 1);
  assert.equal(meta.schedule.warmupSteps, 1);
  assert.deepEqual(int32s("batch-order.i32"), shuffledIndices(data.trainSet.count, 3));
  for (const [file, sha] of Object.entries(meta.files as Record<string, string>)) {
    assert.equal(
      crypto
        .createHash("sha256")
        .update(fs.readFileSync(path.join(dir, file)))
        .digest("hex"),
      sha,
      file,
    );
  }
  const config = { vocabSize: data.tokenizer.size, contextLength: 12, dModel: 16, numHeads: 2, numLayers: 1, seed: 3 };
  const net = new Transformer(config);
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "weights.json"), "utf8")) as { name: string; shape: number[]; file: string }[];
    assert.deepEqual(
      manifest.map((w) => [w.name, w.shape]),
      transformerWeightShapes(config),
    );
    for (const w of manifest) {
      const b = fs.readFileSync(path.join(dir, w.file));
      assert.deepEqual(new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)), net.weights.get(w.name)!.dataSync(), w.name);
    }
  } finally {
    net.dispose();
  }
});

const python = envPython() ?? "/usr/bin/python3";
const torchMissing = spawnSync(python, ["-c", "import torch"], { stdio: "ignore" }).status === 0 ? null : `${python} cannot import torch`;

test("tang_gpt.py: PyTorch's first losses from the exported weights and batches match ours (tfjs cpu) to 1e-4", (t) => {
  if (torchMissing) {
    t.skip(torchMissing);
    return;
  }
  const out = path.join(dir, "result.json");
  const r = spawnSync(python, [referee, "--data", dir, "--out", out, "--threads", "1"], { encoding: "utf8" });
  assert.equal(r.status, 0, `tang_gpt.py failed: ${r.stderr}`);
  const result = JSON.parse(fs.readFileSync(out, "utf8"));
  // The notebook reads the committed result with loadReferenceRun: its provenance fields and the figure.
  const run = loadReferenceRun(out);
  assert.equal(run.threads, 1);
  assert.equal(run.settings.numSteps, 3);
  assert.equal(run.figure("valPerplexity"), Math.exp(run.figure("valLoss")));
  const data = prepareTangLanguageModelData({ ...settings, forms: parseVerseForms(settings.forms) });
  const net = new Transformer({ vocabSize: data.tokenizer.size, contextLength: 12, dModel: 16, numHeads: 2, numLayers: 1, seed: 3 });
  try {
    // Our loss on the first batch before any step: what torch's first step reports.
    const idx = shuffledIndices(data.trainSet.count, 3).subarray(0, 8);
    const ours = tf.tidy(() => {
      const { inputs, targets } = batchTensors(data.trainSet, idx);
      return net.loss(inputs, targets).dataSync()[0];
    });
    assert.ok(Math.abs(result.firstStepLoss - ours) < 1e-4, `first-step loss: torch ${result.firstStepLoss}, ours ${ours}`);
  } finally {
    net.dispose();
  }
  assert.equal(result.trainLoss.at(-1).step, 3);
  assert.equal(result.settings.warmupSteps, 1);
  assert.ok(Number.isFinite(result.valPerplexity) && result.valPerplexity > 1);
});
