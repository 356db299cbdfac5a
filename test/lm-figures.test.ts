import { test } from "node:test";
import * as assert from "node:assert/strict";
import { validateFigure } from "../src/core/figure";
import { languageModelLossFigure, rankFrequencyFigure, runScaleComparisonFigure, scaleLossFigure } from "../src/text/lm-figures";

test("rankFrequencyFigure sorts the counts and plots them against rank 1, 2, … on log–log axes", () => {
  const fig = rankFrequencyFigure([3, 10, 1, 5]);
  validateFigure(fig);
  assert.deepEqual(fig.data[0].x, [1, 2, 3, 4]);
  assert.deepEqual(fig.data[0].y, [10, 5, 3, 1]);
  const layout = fig.layout as { xaxis: { type: string }; yaxis: { type: string } };
  assert.deepEqual([layout.xaxis.type, layout.yaxis.type], ["log", "log"]);
  assert.throws(() => rankFrequencyFigure([]), /non-empty list of positive numbers/);
});

test("languageModelLossFigure puts logged losses at their step and each baseline across the run", () => {
  const history = {
    losses: [
      { epoch: 1, batch: 5, meanLoss: 6 },
      { epoch: 2, batch: 5, meanLoss: 4 },
    ],
    batchesPerEpoch: 10,
    steps: 15,
    validation: [
      { step: 10, loss: 4.5 },
      { step: 15, loss: 4.2 },
    ],
  };
  const fig = languageModelLossFigure(history, [
    { name: "unigram", loss: 5.5 },
    { name: "bigram", loss: 5 },
  ]);
  validateFigure(fig);
  assert.deepEqual(
    fig.data.map((t) => t.name),
    ["mean loss", "validation loss", "unigram (validation)", "bigram (validation)"],
  );
  assert.deepEqual(fig.data[0].x, [5, 15], "epoch 2, batch 5 is step 10 + 5");
  assert.deepEqual(fig.data[1].y, [4.5, 4.2]);
  assert.deepEqual(
    [fig.data[3].x, fig.data[3].y],
    [
      [0, 15],
      [5, 5],
    ],
  );
});

test("scaleLossFigure and runScaleComparisonFigure carry the numbers they are given", () => {
  const fig = scaleLossFigure(
    [
      { name: "S", x: 1e4, valLoss: 5 },
      { name: "L", x: 4e4, valLoss: 4.5 },
    ],
    { name: "bigram", loss: 4.8 },
    { xTitle: "parameters N (log scale)", title: "Validation loss vs model size" },
  );
  validateFigure(fig);
  assert.deepEqual(
    [fig.data[0].x, fig.data[0].y, fig.data[0].text],
    [
      [1e4, 4e4],
      [5, 4.5],
      ["S", "L"],
    ],
  );
  assert.deepEqual(
    [fig.data[1].x, fig.data[1].y],
    [
      [1e4, 4e4],
      [4.8, 4.8],
    ],
  );
  assert.throws(() => scaleLossFigure([], { name: "b", loss: 1 }, { xTitle: "", title: "" }), /points is empty/);
  const fitted = scaleLossFigure(
    [
      { name: "S", x: 1e4, valLoss: 5 },
      { name: "L", x: 4e4, valLoss: 4.5 },
    ],
    { name: "bigram", loss: 4.8 },
    { xTitle: "", title: "", fit: { a: 10, b: -0.1 } },
  );
  validateFigure(fitted);
  const line = fitted.data[2];
  assert.ok(Math.abs((line.x as number[])[0] - 1e4) < 1e-6);
  assert.ok(Math.abs((line.x as number[])[19] - 4e4) < 1e-6);
  assert.ok(Math.abs((line.y as number[])[0] - 10 * 1e4 ** -0.1) < 1e-12);
  const bars = runScaleComparisonFigure([
    { name: "ours", params: 2e4, tokens: 1e5, flops: 1.2e10 },
    { name: "GPT-3", params: 175e9, tokens: 300e9, flops: 3.15e23 },
  ]);
  validateFigure(bars);
  assert.deepEqual(
    bars.data.map((t) => t.y),
    [
      [2e4, 1e5, 1.2e10],
      [175e9, 300e9, 3.15e23],
    ],
  );
  assert.equal((bars.layout as { yaxis: { type: string } }).yaxis.type, "log");
});
