/**
 * Loads the project's native kernels (native/ → native/build/Release/runbook_native.node, an N-API
 * addon on oneDNN built by scripts/build-native.sh during setup) and says why when it cannot
 * (article §5.2 training speed, issue #9). RUNBOOK_NATIVE=off disables it (the runbook then trains
 * on the tfjs backend alone), RUNBOOK_NATIVE_THREADS=N fixes its threads (default "auto": by the size of
 * each training run's steps, useNativeThreadsFor) and RUNBOOK_NATIVE_SIMD=baseline
 * forces the portable conv kernels (all read through src/core/env.ts). Nothing here throws but a
 * bad setting: callers get the addon or a reason.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../core/paths";
import { envNativeEnabled, envNativeSimd, envNativeThreads, readEnvText } from "../../core/env";

/** One layer of a sequential net as the addon takes it (tfjs NHWC layouts; paddings explicit). */
export interface NativeLayerSpec {
  kind: "conv" | "pool" | "flatten" | "dense";
  relu?: boolean;
  /** Output channels (conv) or units (dense). */
  cout?: number;
  kh?: number;
  kw?: number;
  sh?: number;
  sw?: number;
  padTop?: number;
  padBottom?: number;
  padLeft?: number;
  padRight?: number;
}

/** An opaque handle to a native network (freed by the garbage collector). */
export type NativeNetHandle = { readonly __nativeNet: unique symbol };

/** The addon's functions (native/src/binding.cc). */
export interface NativeAddon {
  createNet(inputShape: [number, number, number], layers: NativeLayerSpec[]): NativeNetHandle;
  numParams(net: NativeNetHandle): number;
  getArray(net: NativeNetHandle, which: "param" | "grad" | "velocity", index: number): Float32Array;
  setArray(net: NativeNetHandle, which: "param" | "velocity", index: number, values: Float32Array): void;
  /** One SGD(+momentum) step on x[xOffset…] (NHWC floats) and labels[labelOffset…]; returns the mean cross-entropy. */
  trainStep(
    net: NativeNetHandle,
    x: Float32Array,
    xOffset: number,
    labels: Int32Array,
    labelOffset: number,
    batch: number,
    lr: number,
    momentum: number,
    update: boolean,
  ): number;
  predict(net: NativeNetHandle, x: Float32Array, xOffset: number, batch: number): Float32Array;
  implInfo(net: NativeNetHandle, batch: number): string;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  version(): string;
  /** Chooses the direct conv's SIMD kernels for nets created afterwards ('auto' = the best the CPU has); returns the one chosen. */
  setSimd(name: "auto" | NativeSimd): NativeSimd;
  simd(): NativeSimd;
  /** The kernel sets this CPU can run, slowest first. */
  supportedSimd(): NativeSimd[];
}

/** The direct conv kernel's instruction sets (the addon itself is built for the x86-64 baseline). */
export type NativeSimd = "baseline" | "avx2" | "avx512";

export const NATIVE_ENV = "RUNBOOK_NATIVE";
/** Where scripts/build-native.sh puts the addon (relative to the project root). */
export const ADDON_RELATIVE_PATH = "native/build/Release/runbook_native.node";
/** The one line scripts/build-native.sh wrote when it could not build (e.g. the wrong oneDNN version). */
const NOT_BUILT_RELATIVE_PATH = "native/build/not-built.txt";

/** The addon, or why it is not available. */
export type NativeStatus = { ok: true; addon: NativeAddon; reason: string } | { ok: false; addon: null; reason: string };

let cached: NativeStatus | null = null;

/** Loads the native addon once per process; `{ok: false, reason}` when disabled, not built or not loadable. */
export function loadNative(): NativeStatus {
  if (cached) return cached;
  if (!envNativeEnabled()) {
    cached = { ok: false, addon: null, reason: `disabled by ${NATIVE_ENV}=${readEnvText(NATIVE_ENV)}` };
    return cached;
  }
  threadSetting = envNativeThreads();
  const simdSetting = envNativeSimd();
  const file = path.join(PROJECT_ROOT, ADDON_RELATIVE_PATH);
  if (!fs.existsSync(file)) {
    const whyFile = path.join(PROJECT_ROOT, NOT_BUILT_RELATIVE_PATH);
    const why = fs.existsSync(whyFile) ? fs.readFileSync(whyFile, "utf8").trim().split("\n")[0] : "";
    cached = { ok: false, addon: null, reason: why ? `not built: ${why}` : `not built (${ADDON_RELATIVE_PATH} is missing; scripts/build-native.sh says why)` };
    return cached;
  }
  // OpenMP's idle threads spin by default, taking the core another process on a shared machine
  // needs: with 2 threads a GPT step took 2× longer than with 1, with passive waiting about as long
  // or less (ResNet-20 15–35% less). libgomp reads this when the addon first loads it.
  if (process.env.OMP_WAIT_POLICY === undefined) process.env.OMP_WAIT_POLICY = "passive";
  try {
    const addon = require(file) as NativeAddon;
    // One thread until a training run says how large its steps are (useNativeThreadsFor).
    addon.setNumThreads(threadSetting === "auto" ? 1 : threadSetting);
    const simd = addon.setSimd(simdSetting);
    smokeTest(addon);
    cached = { ok: true, addon, reason: `${addon.version()}, ${threadsText(addon)}, ${simd} direct conv kernels` };
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).split("\n")[0].slice(0, 200);
    cached = { ok: false, addon: null, reason: /smoke test/.test(msg) ? `failed its ${msg}` : `does not load: ${msg}` };
  }
  return cached;
}

/** RUNBOOK_NATIVE_THREADS as read at load, or what setNativeThreads set since ("auto" by default). */
let threadSetting: number | "auto" = "auto";

/**
 * Multiply-adds per training step from which every core pays. Measured on 2 cores (npm run bench,
 * quiet, 1 vs 2 threads): ResNet-20 at batch 128 (≈ 15 G per step) and the §8 GPT at batch 64
 * (≈ 64 G) run 1.7–1.8× faster on 2 threads; LeNet at batch 4 (8 M) and the §6.4 MLP run 2×
 * slower, their steps too short to split; LeNet at batch 64 (0.13 G) went either way in two runs.
 */
export const MULTI_THREAD_MIN_MULTIPLY_ADDS = 1e9;

/** The thread count "auto" gives a training step of `multiplyAddsPerStep` (forward + backward). */
export function autoNativeThreads(multiplyAddsPerStep: number): number {
  return multiplyAddsPerStep >= MULTI_THREAD_MIN_MULTIPLY_ADDS ? Math.max(1, os.availableParallelism()) : 1;
}

/** Overrides RUNBOOK_NATIVE_THREADS for later training runs (the benchmark compares 1 and 2 threads); returns the previous setting. */
export function setNativeThreads(setting: number | "auto"): number | "auto" {
  if (setting !== "auto" && !(Number.isInteger(setting) && setting >= 1)) {
    throw new Error(`setNativeThreads: ${String(setting)}; expected "auto" or a positive whole number`);
  }
  // Load first: loading reads RUNBOOK_NATIVE_THREADS, which would otherwise overwrite this setting later.
  const status = loadNative();
  const before = threadSetting;
  threadSetting = setting;
  // Paths that do not size their steps (the GRU loops, a reader's own wasm-kernel calls) take a fixed count at once.
  if (setting !== "auto" && status.ok) status.addon.setNumThreads(setting);
  return before;
}

/**
 * Sets the addon's threads for a training run whose steps take `multiplyAddsPerStep` (forward and
 * backward, ≈ 3× the forward pass): the fixed setting, or by size under "auto". Returns the count.
 * Changing it rebuilds a native net's per-batch plans on its next step, so it is set once per run.
 */
export function useNativeThreadsFor(addon: NativeAddon, multiplyAddsPerStep: number): number {
  const threads = threadSetting === "auto" ? autoNativeThreads(multiplyAddsPerStep) : threadSetting;
  if (addon.getNumThreads() !== threads) addon.setNumThreads(threads);
  return threads;
}

const threadsText = (addon: NativeAddon): string => {
  const n = addon.getNumThreads();
  return `${n} thread${n === 1 ? "" : "s"}`;
};

/** The native code paths whose reason text says what they compute with. */
export type NativeStepKind = "sequential" | "graph" | "gpt" | "gru" | "wasm-kernels";

/**
 * What a native step computes with, for its engine reason: the addon's oneDNN, the thread count
 * now (setNumThreads can change it after loading) and the kernels that step runs. The sequential
 * and graph steps share the layer passes (native/src/layers.cc: oneDNN conv primitives, the direct
 * conv for stride-1 convs on ≤ 4 input channels, sgemm dense layers); the graph step adds its own
 * BatchNorm/Add/ReLU loops; the GPT runs on oneDNN's sgemm and its own elementwise loops; the GRU
 * step on its own single-threaded SIMD loops; the wasm kernels on oneDNN primitives alone.
 */
export function nativeStepReason(addon: NativeAddon, kind: NativeStepKind): string {
  const direct = `${addon.simd()} direct conv on ≤ 4 input channels`;
  const uses = {
    sequential: `oneDNN conv + sgemm, ${direct}`,
    graph: `oneDNN conv + sgemm, ${direct}, own BatchNorm/Add loops`,
    gpt: "oneDNN sgemm, own attention/LayerNorm/GELU loops",
    gru: `own ${addon.simd()} GRU loops`,
    "wasm-kernels": "oneDNN primitives",
  }[kind];
  // The GRU loops use no oneDNN and no threads: a thread count there would mislead.
  return kind === "gru" ? `1 thread, ${uses}` : `${addon.version()}, ${threadsText(addon)}, ${uses}`;
}

/**
 * A 3×3 conv with 2 filters on x = 1..9 (one output pixel per filter, the logits), checked against
 * hand values: with w = 0 the logits are 0, softmax ½ each, so for label 0 dL/dz = [−½, ½] and the
 * filter gradient is dW[tap] = [−x/2, x/2]; with filter 0 all ones the logits are [45, 0].
 */
function smokeTest(addon: NativeAddon): void {
  const net = addon.createNet([3, 3, 1], [{ kind: "conv", cout: 2, kh: 3, kw: 3 }, { kind: "flatten" }]);
  const x = Float32Array.from({ length: 9 }, (_, i) => i + 1);
  addon.trainStep(net, x, 0, Int32Array.of(0), 0, 1, 0, 0, false);
  const dw = addon.getArray(net, "grad", 0); // [3, 3, 1, 2]
  const expectDw = Array.from(x, (v) => [-v / 2, v / 2]).flat();
  addon.setArray(
    net,
    "param",
    0,
    Float32Array.from({ length: 18 }, (_, i) => (i % 2 === 0 ? 1 : 0)),
  );
  const z = Array.from(addon.predict(net, x, 0, 1));
  const bad = (a: ArrayLike<number>, b: number[]): boolean => b.some((v, i) => Math.abs(a[i] - v) > 1e-4);
  if (bad(dw, expectDw) || bad(z, [45, 0])) {
    throw new Error(`smoke test gave filter gradient ${Array.from(dw)} (expected ${expectDw}) and logits ${z} (expected 45,0)`);
  }
}

/** Forgets the cached load result (tests switch RUNBOOK_NATIVE and RUNBOOK_NATIVE_SIMD between cases). */
export function resetNativeForTests(): void {
  cached = null;
}
