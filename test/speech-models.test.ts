import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { buildSpeechCnn, fitNearestCentroid, predictNearestCentroid } from "../src/scenarios/audio/speech-models";
import { countParameters } from "../src/models/model";

test("nearest centroid: class means, and each row goes to the closest mean (worked by hand)", () => {
  // class 0: (0,0), (2,0) → mean (1,0); class 1: (0,4), (0,6) → mean (0,5)
  const model = fitNearestCentroid(
    [
      [0, 0],
      [2, 0],
      [0, 4],
      [0, 6],
    ],
    [0, 0, 1, 1],
    2,
  );
  assert.deepEqual(
    model.centroids.map((c) => Array.from(c)),
    [
      [1, 0],
      [0, 5],
    ],
  );
  // (1,2): distances² 4 and 10 → 0; (0,3): 10 and 4 → 1
  assert.deepEqual(
    Array.from(
      predictNearestCentroid(model, [
        [1, 2],
        [0, 3],
      ]),
    ),
    [0, 1],
  );
  assert.throws(() => fitNearestCentroid([[0, 0]], [0], 2), /class 1 has no training rows/);
  assert.throws(() => fitNearestCentroid([[0, 0]], [3], 2), /y\[0\] is 3; expected a class in 0\.\.1/);
});

test("the speech CNN maps [batch, 64, 40, 1] to 10 logits with the parameter count worked out by hand", () => {
  const net = buildSpeechCnn({ inputShape: [64, 40, 1], seed: 1 });
  // conv 3×3: 9·1·8+8 = 80; 9·8·16+16 = 1168; 9·16·32+32 = 4640; after three pools 8×5×32 = 1280 → dense 1280·10+10 = 12810
  assert.equal(countParameters(net), 80 + 1168 + 4640 + 12810);
  const y = tf.tidy(() => net.predict(tf.zeros([3, 64, 40, 1])) as tf.Tensor);
  assert.deepEqual(y.shape, [3, 10]);
  y.dispose();
  net.dispose();
});

test("the speech CNN is seeded: same seed, same weights; another seed, other weights", () => {
  const weights = (seed: number) => {
    const net = buildSpeechCnn({ inputShape: [16, 16, 1], seed });
    const w = net.getWeights().map((t) => Array.from(t.dataSync()));
    net.dispose();
    return w;
  };
  assert.deepEqual(weights(3), weights(3));
  assert.notDeepEqual(weights(3), weights(4));
  assert.throws(() => buildSpeechCnn({ inputShape: [4, 40, 1], seed: 1 }), /too small; need at least 8 frames and 8 mels/);
});
