import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { buildLeNet } from "../src/models/model";
import { loadModel, saveModel } from "../src/models/model-io";

before(async () => {
  await tf.setBackend("cpu");
});

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "model-io-test-"));
}

test("save then load gives identical weights and exactly identical predictions", async () => {
  const dir = path.join(tempDir(), "nested", "lenet");
  const net = buildLeNet({ inputShape: [32, 32, 3], seed: 5 });
  const result = await saveModel(net, dir);
  assert.deepEqual(fs.readdirSync(dir).sort(), ["model.json", "weights.bin"], "temporary files left behind");
  assert.equal(fs.statSync(path.join(dir, "weights.bin")).size, 62006 * 4);
  assert.equal(result.modelArtifactsInfo.weightDataBytes, 62006 * 4);

  const loaded = await loadModel(dir);
  const X = tf.randomUniform([3, 32, 32, 3], -1, 1, "float32", 9); // [3, 32, 32, 3]
  const a = net.predict(X) as tf.Tensor; // [3, 10]
  const b = loaded.predict(X) as tf.Tensor; // [3, 10]
  assert.deepEqual(Array.from(b.dataSync()), Array.from(a.dataSync()));
  const wa = net.getWeights().map((w) => Array.from(w.dataSync()));
  const wb = loaded.getWeights().map((w) => Array.from(w.dataSync()));
  assert.deepEqual(wb, wa);
  assert.equal(loaded.countParams(), 62006);
  tf.dispose([X, a, b]);
  net.dispose();
  loaded.dispose();
});

test("saving twice overwrites in place", async () => {
  const dir = tempDir();
  const net1 = buildLeNet({ inputShape: [32, 32, 1], seed: 1 });
  const net2 = buildLeNet({ inputShape: [32, 32, 1], seed: 2 });
  await saveModel(net1, dir);
  await saveModel(net2, dir);
  const loaded = await loadModel(dir);
  assert.deepEqual(Array.from(loaded.getWeights()[0].dataSync()), Array.from(net2.getWeights()[0].dataSync()));
  assert.deepEqual(fs.readdirSync(dir).sort(), ["model.json", "weights.bin"]);
  [net1, net2, loaded].forEach((m) => m.dispose());
});

test("missing or corrupt files give errors naming the file", async () => {
  const empty = tempDir();
  await assert.rejects(loadModel(empty), (err: Error) => err.message.includes(path.join(empty, "model.json")) && /not found/.test(err.message));

  const dir = tempDir();
  const net = buildLeNet({ inputShape: [32, 32, 3], seed: 0 });
  await saveModel(net, dir);
  net.dispose();
  const weightsPath = path.join(dir, "weights.bin");
  const jsonPath = path.join(dir, "model.json");

  // Truncated weights.
  const full = fs.readFileSync(weightsPath);
  fs.writeFileSync(weightsPath, full.subarray(0, full.length - 8));
  await assert.rejects(
    loadModel(dir),
    (err: Error) => err.message.includes(weightsPath) && err.message.includes(`${full.length - 8} bytes; expected ${full.length}`),
  );

  // Missing weights.
  fs.rmSync(weightsPath);
  await assert.rejects(loadModel(dir), (err: Error) => err.message.includes(weightsPath) && /not found/.test(err.message));

  // Corrupt JSON.
  fs.writeFileSync(weightsPath, full);
  fs.writeFileSync(jsonPath, '{"modelTopology": ');
  await assert.rejects(loadModel(dir), (err: Error) => err.message.includes(jsonPath) && /not valid JSON/.test(err.message));

  // JSON that is not a model.
  fs.writeFileSync(jsonPath, '{"hello": 1}');
  await assert.rejects(loadModel(dir), (err: Error) => err.message.includes(jsonPath) && /weightsManifest/.test(err.message));
});
