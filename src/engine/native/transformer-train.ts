/**
 * The native fused training step for the runbook's GPT (article §8, issue #14): one addon call per
 * mini-batch runs the embedding, the pre-LN blocks, the tied or separate output matrix, the mean
 * next-token cross-entropy, the backward pass and the Adam update (native/src/transformer.cc on
 * oneDNN's sgemm). The engine layer does not know the model class, so the trainer takes the
 * configuration and the weights as plain data, in transformerWeightShapes order; the caller copies
 * them back into its variables with {@link NativeTransformerTrainer.weights}.
 */
import { loadNative, nativeStepReason, type NativeAddon } from "./addon";

/** The shape of a GPT as the native trainer takes it (src/models/transformer.ts's config, all fields resolved). */
export interface NativeTransformerSpec {
  vocabSize: number;
  contextLength: number;
  dModel: number;
  numHeads: number;
  numLayers: number;
  dFF: number;
  tieWeights: boolean;
}

/** Adam's constants (the learning rate is passed per step). */
export interface NativeAdamSpec {
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** An opaque handle to a native GPT (freed by the garbage collector). */
type NativeTransformerHandle = { readonly __nativeTransformer: unique symbol };

/** What the run call computes: the loss only, also the gradients, or also the Adam step. */
const RUN_MODE = { loss: 0, gradients: 1, step: 2 } as const;

/** The addon's GPT functions (native/src/transformer_binding.cc). */
type TransformerAddon = NativeAddon & {
  createTransformer(spec: NativeTransformerSpec, adam: NativeAdamSpec): NativeTransformerHandle;
  transformerGetArray(net: NativeTransformerHandle, which: "param" | "grad", index: number): Float32Array;
  transformerSetParam(net: NativeTransformerHandle, index: number, values: Float32Array): void;
  /** Mean loss of `batch` windows of `length` tokens (windows row-major [batch, length]). */
  transformerRun(net: NativeTransformerHandle, windows: Int32Array, batch: number, length: number, mode: number, lr: number): number;
  /** Frees the native weights and buffers now rather than at garbage collection. */
  transformerDispose(net: NativeTransformerHandle): void;
};

/** A GPT's weights in the native addon, trained one fused step per call. */
export class NativeTransformerTrainer {
  private readonly handle: NativeTransformerHandle;

  constructor(
    private readonly addon: TransformerAddon,
    readonly spec: NativeTransformerSpec,
    initial: readonly Float32Array[],
    adam: NativeAdamSpec,
  ) {
    this.handle = addon.createTransformer(spec, adam);
    initial.forEach((w, i) => addon.transformerSetParam(this.handle, i, w));
  }

  /** One Adam step at learning rate `lr` on `batch` token windows of `length` (inputs 0..length−2, targets 1..length−1); returns the mean loss before the step. */
  step(windows: Int32Array, batch: number, length: number, lr: number): number {
    return this.addon.transformerRun(this.handle, windows, batch, length, RUN_MODE.step, lr);
  }

  /** Mean next-token loss of the windows with the current weights (no gradients). */
  loss(windows: Int32Array, batch: number, length: number): number {
    return this.addon.transformerRun(this.handle, windows, batch, length, RUN_MODE.loss, 0);
  }

  /** Loss and the gradient of every weight (transformerWeightShapes order), without updating (parity tests). */
  gradients(windows: Int32Array, batch: number, length: number): { loss: number; grads: Float32Array[] } {
    const loss = this.addon.transformerRun(this.handle, windows, batch, length, RUN_MODE.gradients, 0);
    return { loss, grads: this.weightIndices().map((i) => this.addon.transformerGetArray(this.handle, "grad", i)) };
  }

  /** Copies of the current weights, in transformerWeightShapes order. */
  weights(): Float32Array[] {
    return this.weightIndices().map((i) => this.addon.transformerGetArray(this.handle, "param", i));
  }

  /** Frees the native memory (weights, Adam's moments, activations: hundreds of MB at §8's sizes) now; the trainer is unusable afterwards. */
  dispose(): void {
    this.addon.transformerDispose(this.handle);
  }

  private weightIndices(): number[] {
    const count = 4 + 12 * this.spec.numLayers + (this.spec.tieWeights ? 0 : 1);
    return Array.from({ length: count }, (_, i) => i);
  }
}

/** A native GPT trainer holding `initial` (transformerWeightShapes order) when the addon loads; else the reason. */
export function nativeTransformerTrainerFor(
  spec: NativeTransformerSpec,
  initial: readonly Float32Array[],
  adam: NativeAdamSpec,
): { trainer: NativeTransformerTrainer; reason: string } | { trainer: null; reason: string } {
  const status = loadNative();
  if (!status.ok) return { trainer: null, reason: `native kernels ${status.reason}` };
  const addon = status.addon as TransformerAddon;
  if (typeof addon.createTransformer !== "function")
    return { trainer: null, reason: "the native addon predates the GPT step (rebuild it: scripts/build-native.sh)" };
  return { trainer: new NativeTransformerTrainer(addon, spec, initial, adam), reason: `native fused GPT step (${nativeStepReason(addon, "gpt")})` };
}
