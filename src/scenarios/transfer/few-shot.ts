/**
 * The few-shot transfer experiment of article §2.1 / §6 (image recognition): on one draw of k
 * labelled examples per class, train four models — from scratch, frozen pretrained features under
 * a new head, the same fine-tuned, and frozen *random* features (the control) — score each on the
 * target test set, then summarise the runs (mean / range per size, paired gains over scratch) and
 * draw accuracy against examples per class.
 */
import * as tf from "@tensorflow/tfjs";
import type { Figure, Trace } from "../../core/figure";
import { evaluateClassifier, trainClassifier, type LabelledSet } from "../../training/train";
import { setTrainable, transferModel } from "./transfer";

export type TransferVariant = "scratch" | "frozen features" | "fine-tuned" | "random frozen features";
/** The four ways to learn the new task, in the order they are trained and shown. */
export const TRANSFER_VARIANTS: readonly TransferVariant[] = ["scratch", "frozen features", "fine-tuned", "random frozen features"];

/** One trained and scored model. */
export interface TransferRun {
  shots: number;
  seedIndex: number;
  variant: TransferVariant;
  /** Accuracy on the target test set. */
  accuracy: number;
  /** Optimiser steps taken (head stage + fine-tuning stage for "fine-tuned"). */
  steps: number;
  /** Wall time of building, training and scoring. */
  seconds: number;
  /** Predicted class of every target test example. */
  yPred: Int32Array;
}

/** The fixed settings of the experiment (everything but the draw). */
export interface FewShotSettings {
  /** The network trained on the source task; copied, never changed. */
  pretrained: tf.LayersModel;
  /** A fresh, untrained network of the same architecture as `pretrained`, with `numClasses` outputs. */
  buildNet: (seed: number) => tf.LayersModel;
  /** Last pretrained layer kept as features (see {@link transferModel}). */
  featureLayer: number | string;
  numClasses: number;
  /** Hidden widths of the new head. */
  headHidden: readonly number[];
  /** Optimiser steps of the head stage; fine-tuning takes as many again and scratch takes both. */
  steps: number;
  batchSize: number;
  /** Adam's learning rate for scratch and the head stage. */
  lr: number;
  /** Adam's learning rate for fine-tuning every layer (lower, so the features adapt without being wiped out). */
  fineTuneLr: number;
}

/** Epochs over `n` examples that give at least `steps` optimiser steps of `batchSize` (at least 1). */
export function epochsForSteps(n: number, steps: number, batchSize: number): number {
  if (!Number.isInteger(n) || n <= 0) throw new Error(`epochsForSteps: n must be a positive integer; got ${n}`);
  return Math.max(1, Math.ceil((steps * batchSize) / n));
}

/**
 * Trains and scores the four variants on one draw `few` (article §2.1): scratch for 2 × steps;
 * frozen pretrained features + new head for `steps`; then the same network unfrozen for `steps`
 * more at `fineTuneLr` ("fine-tuned"); and the control, frozen features of an untrained network
 * + new head, for `steps`. `runSeed` seeds the networks and the batch order. Disposes every
 * network it builds; the caller owns `few` and `testSet`.
 */
export async function runTransferVariants(
  settings: FewShotSettings,
  few: LabelledSet,
  testSet: LabelledSet,
  draw: { shots: number; seedIndex: number; runSeed: number },
): Promise<TransferRun[]> {
  const { pretrained, buildNet, featureLayer, numClasses, headHidden, steps, batchSize, lr, fineTuneLr } = settings;
  const { shots, seedIndex, runSeed } = draw;
  const n = few.X.shape[0];
  const epochs = (wanted: number) => epochsForSteps(n, wanted, batchSize);
  const runs: TransferRun[] = [];
  const score = (variant: TransferVariant, net: tf.LayersModel, started: number, stepsTaken: number) => {
    const ev = evaluateClassifier(net, testSet);
    runs.push({ shots, seedIndex, variant, accuracy: ev.accuracy, steps: stepsTaken, seconds: (performance.now() - started) / 1000, yPred: ev.yPred });
  };
  const head = { featureLayer, numClasses, hidden: headHidden, seed: runSeed };
  // 1. scratch: the whole network, 2 × steps
  let start = performance.now();
  const scratch = buildNet(runSeed);
  const hScratch = await trainClassifier(scratch, few, { numEpochs: epochs(2 * steps), batchSize, lr, optimizer: "adam", seed: runSeed });
  score("scratch", scratch, start, hScratch.steps);
  scratch.dispose();
  // 2. frozen pretrained features + new head
  start = performance.now();
  const t = await transferModel(pretrained, head);
  const hHead = await trainClassifier(t.net, few, { numEpochs: epochs(steps), batchSize, lr, optimizer: "adam", seed: runSeed });
  score("frozen features", t.net, start, hHead.steps);
  // 3. fine-tuned: the same network unfrozen, steps more at the lower learning rate
  setTrainable(t.features, true);
  const hTune = await trainClassifier(t.net, few, { numEpochs: epochs(steps), batchSize, lr: fineTuneLr, optimizer: "adam", seed: runSeed + 1 });
  score("fine-tuned", t.net, start, hHead.steps + hTune.steps);
  t.net.dispose();
  // 4. control: frozen features of an untrained network + new head
  start = performance.now();
  const untrained = buildNet(runSeed + 7);
  const rnd = await transferModel(untrained, head);
  untrained.dispose();
  const hRnd = await trainClassifier(rnd.net, few, { numEpochs: epochs(steps), batchSize, lr, optimizer: "adam", seed: runSeed });
  score("random frozen features", rnd.net, start, hRnd.steps);
  rnd.net.dispose();
  return runs;
}

/** The run of `variant` on draw (`shots`, `seedIndex`); throws if it is missing. */
export function findRun(runs: readonly TransferRun[], shots: number, seedIndex: number, variant: TransferVariant): TransferRun {
  const run = runs.find((x) => x.shots === shots && x.seedIndex === seedIndex && x.variant === variant);
  if (!run) throw new Error(`findRun: no "${variant}" run at ${shots} examples per class, seed index ${seedIndex}`);
  return run;
}

/** Mean, lowest and highest test accuracy of `variant` over the draws at `shots` examples per class. */
export function accuracyStats(runs: readonly TransferRun[], shots: number, variant: TransferVariant): { mean: number; min: number; max: number } {
  const accs = runs.filter((x) => x.shots === shots && x.variant === variant).map((x) => x.accuracy);
  if (accs.length === 0) throw new Error(`accuracyStats: no "${variant}" runs at ${shots} examples per class`);
  return { mean: accs.reduce((s, a) => s + a, 0) / accs.length, min: Math.min(...accs), max: Math.max(...accs) };
}

/**
 * Paired gains: for each draw at `shots` (seed index 0, 1, …), the accuracy of `variant` minus
 * that of `baseline` on the same examples, which removes most of the luck of the draw.
 */
export function pairedGains(runs: readonly TransferRun[], shots: number, variant: TransferVariant, baseline: TransferVariant = "scratch"): number[] {
  const seedIndices = [...new Set(runs.filter((x) => x.shots === shots && x.variant === variant).map((x) => x.seedIndex))].sort((a, b) => a - b);
  return seedIndices.map((r) => findRun(runs, shots, r, variant).accuracy - findRun(runs, shots, r, baseline).accuracy);
}

const VARIANT_COLOURS: Record<TransferVariant, string> = {
  scratch: "#7f7f7f",
  "frozen features": "#1f77b4",
  "fine-tuned": "#d62728",
  "random frozen features": "#bcbd22",
};

/** Mean test accuracy (%) against examples per class (log axis), one line per variant, bars spanning the lowest and highest draw. */
export function fewShotAccuracyFigure(runs: readonly TransferRun[], shotList: readonly number[], title: string): Figure {
  return {
    data: TRANSFER_VARIANTS.map((v): Trace => {
      const st = shotList.map((k) => accuracyStats(runs, k, v));
      return {
        type: "scatter",
        mode: "lines+markers",
        name: v,
        x: [...shotList],
        y: st.map((s) => 100 * s.mean),
        error_y: {
          type: "data",
          symmetric: false,
          array: st.map((s) => 100 * (s.max - s.mean)),
          arrayminus: st.map((s) => 100 * (s.mean - s.min)),
          thickness: 1.5,
          width: 6,
        },
        line: { color: VARIANT_COLOURS[v], width: 2.5, dash: v === "random frozen features" ? "dot" : "solid" },
        marker: { size: 8, color: VARIANT_COLOURS[v] },
      };
    }),
    layout: {
      title: { text: title },
      xaxis: { title: { text: "labelled examples per class (log scale)" }, type: "log", tickvals: [...shotList], automargin: true },
      yaxis: { title: { text: "test accuracy (%)" }, automargin: true },
      legend: { x: 0.99, xanchor: "right", y: 0.02, yanchor: "bottom", bgcolor: "rgba(255,255,255,0.8)" },
    },
  };
}
