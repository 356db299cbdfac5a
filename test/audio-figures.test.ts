import { test } from "node:test";
import * as assert from "node:assert/strict";
import { validateFigure } from "../src/core/figure";
import { logMelStripFigure } from "../src/scenarios/audio/figures";

// 3 frames × 2 mel bands, row-major [frame][mel]; only the first 2 frames carry signal.
const lm = (offset: number) => ({ data: Float32Array.from([0, 1, 2, 3, 4, 5].map((v) => v + offset)), numFrames: 3, numMels: 2, framesWithSignal: 2 });

test("logMelStripFigure: frames with signal as columns, a blank column between clips, one tick per clip", () => {
  const fig = logMelStripFigure(
    [
      { logMel: lm(0), label: "one" },
      { logMel: lm(10), label: "two" },
    ],
    "strips",
  );
  validateFigure(fig);
  const z = fig.data[0].z as (number | null)[][];
  assert.deepEqual(z, [
    [0, 2, null, 10, 12, null],
    [1, 3, null, 11, 13, null],
  ]); // [mels, columns]
  const xaxis = (fig.layout as { xaxis: { tickvals: number[]; ticktext: string[] } }).xaxis;
  assert.deepEqual(xaxis.tickvals, [0.5, 3.5]);
  assert.deepEqual(xaxis.ticktext, ["one", "two"]);
  assert.equal(fig.data[0].zmin, -10);
  assert.throws(() => logMelStripFigure([], "x"), /clips is empty/);
  assert.throws(
    () =>
      logMelStripFigure(
        [
          { logMel: lm(0), label: "a" },
          { logMel: { ...lm(0), numMels: 3 }, label: "b" },
        ],
        "x",
      ),
    /3 mel bands; expected 2/,
  );
});
