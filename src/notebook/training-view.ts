/**
 * What a reader sees while a model trains: one progress output updated in place (bar, samples/s,
 * ETA, the running loss and a live loss curve), then the loss curve as a plotly figure. Connects
 * the training loop's callbacks (train.ts) to the display helpers (display.ts).
 */
import { progressDisplay } from "./display";
import { type Figure, lineChart } from "../core/figure";
import * as tf from "@tensorflow/tfjs";
import {
  type LabelledSet,
  type LossLogEntry,
  type TrainHistory,
  type TrainLogEntry,
  type TrainOptions,
  type TrainProgress,
  trainClassifier,
} from "../training/train";
import { type LmTrainHistory, type LmTrainOptions, type TokenSequences, trainLanguageModel } from "../training/train-lm";
import type { Transformer } from "../models/transformer";

export interface TrainingView {
  onProgress: (p: TrainProgress) => void;
  onLog: (entry: TrainLogEntry) => void;
  /** Draws the final state (100%, overall samples/s). */
  finish: (history: TrainHistory) => void;
}

/** A live progress display for `trainClassifier` (d2l's Animator, as one updating output). */
export function trainingView(label: string): TrainingView {
  const display = progressDisplay();
  const losses: number[] = [];
  let last: TrainProgress | null = null;
  const describe = (p: TrainProgress): string =>
    `${label} — epoch ${p.epoch}/${p.numEpochs}, batch ${p.batch.toLocaleString("en-US")}/${p.batchesPerEpoch.toLocaleString("en-US")}`;
  return {
    onProgress(p) {
      last = p;
      display.update({
        fraction: p.fraction,
        label: describe(p),
        samplesPerSec: p.samplesPerSec,
        etaSeconds: p.etaSeconds,
        lastLoss: p.lastMeanLoss ?? undefined,
        losses,
      });
    },
    onLog(entry) {
      losses.push(entry.meanLoss);
    },
    finish(history) {
      display.done({
        fraction: 1,
        label: `${last ? describe(last) : label} — done in ${history.seconds.toFixed(1)} s, ${Math.round(history.samplesPerSec).toLocaleString("en-US")} samples/s on ${history.engine === "native" ? `${history.backend} + native oneDNN step` : history.backend}`,
        samplesPerSec: history.samplesPerSec,
        etaSeconds: 0,
        lastLoss: history.losses.length ? history.losses[history.losses.length - 1].meanLoss : undefined,
        losses: history.losses.map((l) => l.meanLoss),
      });
    },
  };
}

/**
 * `trainClassifier` with its progress shown live under `label` (the sequence every notebook used
 * to spell out: trainingView → onProgress/onLog → finish). Returns the history.
 */
export async function trainWithProgress(label: string, net: tf.LayersModel, trainSet: LabelledSet, options: TrainOptions): Promise<TrainHistory> {
  const view = trainingView(label);
  const history = await trainClassifier(net, trainSet, { ...options, onProgress: view.onProgress, onLog: view.onLog });
  view.finish(history);
  return history;
}

/** `trainLanguageModel` with its progress shown live under `label`, as {@link trainWithProgress} does for classifiers (article §8). */
export async function trainLanguageModelWithProgress(
  label: string,
  net: Transformer,
  trainSet: TokenSequences,
  options: LmTrainOptions,
): Promise<LmTrainHistory> {
  const view = trainingView(label);
  const history = await trainLanguageModel(net, trainSet, { ...options, onProgress: view.onProgress, onLog: view.onLog });
  view.finish(history);
  return history;
}

/** The logged mean losses against mini-batches seen (the tutorial's printed log, as a curve). */
export function lossCurveFigure(losses: LossLogEntry[], batchesPerEpoch: number, title = "Training loss"): Figure {
  return lineChart([{ name: "mean loss", x: losses.map((l) => (l.epoch - 1) * batchesPerEpoch + l.batch), y: losses.map((l) => l.meanLoss) }], {
    title,
    xTitle: "mini-batches",
    yTitle: "mean cross-entropy loss",
  });
}
