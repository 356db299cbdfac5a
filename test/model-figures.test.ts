import { test } from "node:test";
import * as assert from "node:assert/strict";
import { validateFigure } from "../src/core/figure";
import { modelSizeFigure } from "../src/models/model-figures";

test("modelSizeFigure shows each network's weights on a log axis, labelled with the exact count", () => {
  const fig = modelSizeFigure([
    { model: "LeNet", weights: 62006 },
    { model: "ResNet-20", weights: 271098 },
  ]);
  validateFigure(fig);
  assert.deepEqual(
    [fig.data[0].x, fig.data[0].y, fig.data[0].text],
    [
      ["LeNet", "ResNet-20"],
      [62006, 271098],
      ["62,006", "271,098"],
    ],
  );
  assert.equal((fig.layout as { yaxis: { type: string } }).yaxis.type, "log");
  assert.throws(() => modelSizeFigure([{ model: "empty", weights: 0 }]), /empty has 0 weights/);
});
