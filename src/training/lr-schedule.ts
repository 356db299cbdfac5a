/**
 * Learning-rate schedules shared by the training loops (train.ts for classifiers, train-lm.ts for
 * language models): linear warm-up, then cosine decay — the schedule of GPT training (article §8)
 * and of the long ResNet run (§3.3), where a constant rate stalls a few points short.
 */
import * as tf from "@tensorflow/tfjs";

/** How the learning rate moves over a run: fixed, or warm-up + cosine decay ({@link learningRateAt}). */
export type LrSchedule = "constant" | "cosine";

/** Settings of the warm-up + cosine schedule over a run of `numSteps` optimiser steps. */
export interface CosineScheduleOptions {
  /** Peak learning rate, reached at the end of the warm-up. */
  lr: number;
  numSteps: number;
  /** Steps of linear warm-up from lr/warmupSteps to lr (default 10% of numSteps). */
  warmupSteps?: number;
  /** The cosine decay ends at lr · minLrFraction (default 0.1). */
  minLrFraction?: number;
}

/** The warm-up and floor `opts` resolve to: given values, else 10% of the steps (at least 1) and 0.1. */
export function resolvedCosineSchedule(opts: CosineScheduleOptions): { warmupSteps: number; minLrFraction: number } {
  return { warmupSteps: opts.warmupSteps ?? Math.max(1, Math.round(0.1 * opts.numSteps)), minLrFraction: opts.minLrFraction ?? 0.1 };
}

/** Learning rate at `step` (0-based): linear warm-up to lr, then cosine decay to lr·minLrFraction. */
export function learningRateAt(step: number, opts: CosineScheduleOptions): number {
  const { lr, numSteps } = opts;
  const { warmupSteps: warmup, minLrFraction: minFrac } = resolvedCosineSchedule(opts);
  if (step < warmup) return (lr * (step + 1)) / warmup;
  const span = Math.max(1, numSteps - warmup);
  const progress = Math.min(1, (step - warmup) / span);
  return lr * (minFrac + (1 - minFrac) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}

/** Adam whose learning rate can change between steps (tf.train.adam fixes it at construction). */
export class ScheduledAdam extends tf.AdamOptimizer {
  setLearningRate(lr: number): void {
    this.learningRate = lr;
  }
}
