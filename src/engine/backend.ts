/**
 * One call that initialises TensorFlow.js with the fastest backend that works here, and says why
 * the faster ones were not used: tfjs-node-gpu → tfjs-node → wasm → cpu. It also reports the
 * project's native kernels (src/native/: an N-API addon on oneDNN, built by setup), which
 * trainClassifier uses for its fused training step on top of whichever backend runs.
 *
 * The native backends need libtensorflow, which their install script downloads; offline (and on
 * this project's machines) they are absent, so they are optional and tried first. A backend counts
 * as working only after a smoke test (a conv forward pass and its filter gradient) gives the
 * right numbers. RUNBOOK_BACKEND=node-gpu|node|wasm|cpu forces one (and fails loudly if it
 * cannot start) — used to compare backends and in tests.
 */
import * as tf from "@tensorflow/tfjs";
import { installedPackage } from "../core/packages";
import { BACKEND_CHOICES, type BackendName, envBackend } from "../core/env";
import { registerWasmConv2DBackpropFilter } from "./wasm-conv2d-filter-grad";
import { registerWasmConv2DBackpropInputViaConv } from "./wasm-conv2d-input-grad";
import { loadNative } from "./native/addon";
import { installNativeWasmKernels, type NativeWasmKernelsStatus } from "./native/wasm-native-kernels";

export type BackendChoice = BackendName;
/** The order initBackend tries them in (RUNBOOK_BACKEND forces one). */
export const BACKEND_ORDER: readonly BackendChoice[] = BACKEND_CHOICES;
const BACKEND_ENV = "RUNBOOK_BACKEND";

export interface BackendAttempt {
  choice: BackendChoice;
  ok: boolean;
  /** Why it was not used (or a note on how it runs when used). */
  reason: string;
  /** Time to load, initialise and smoke-test it. */
  initMs: number;
}

export interface BackendReport {
  /** The backend in use, by this project's name. */
  choice: BackendChoice;
  /** tfjs's own name for it (`tensorflow`, `wasm`, `cpu`). */
  tfjsBackend: string;
  tfjsVersion: string;
  /** Every backend tried, in order, up to the one in use. */
  attempts: BackendAttempt[];
  /** Kernels this project supplies for the backend (e.g. the wasm filter gradient). */
  patchedKernels: string[];
  forcedBy: string | null;
  /**
   * The native kernels (oneDNN addon, src/native/): trainClassifier's fused training step for
   * sequential conv nets uses them on any backend; ok false says why not (not built, RUNBOOK_NATIVE=off…).
   */
  native: { ok: boolean; reason: string };
  /** The addon's kernels registered for the wasm backend (BatchMatMul, Conv2D, …), or why not (other backend, RUNBOOK_NATIVE=off…). */
  nativeKernels: NativeWasmKernelsStatus;
}

const NATIVE_PACKAGE: Record<"node-gpu" | "node", string> = {
  "node-gpu": "@tensorflow/tfjs-node-gpu",
  node: "@tensorflow/tfjs-node",
};

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0].slice(0, 200);
}

/** A conv forward pass and filter gradient, compared with values computed by hand. */
function smokeTest(): void {
  tf.tidy(() => {
    // x: [1, 3, 3, 1] = 1..9; w: [2, 2, 1, 1] = 1; valid conv → [[12, 16], [24, 28]].
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const w = tf.ones([2, 2, 1, 1]) as tf.Tensor4D;
    const y = Array.from(tf.conv2d(x, w, 1, "valid").dataSync());
    const dw = Array.from(
      tf
        .grad((f: tf.Tensor) => tf.conv2d(x, f as tf.Tensor4D, 1, "valid").sum())(w)
        .dataSync(),
    );
    const expectY = [12, 16, 24, 28];
    const expectDw = [12, 16, 24, 28]; // each filter tap sums the 2×2 window it sees
    const bad = (a: number[], b: number[]): boolean => a.some((v, i) => Math.abs(v - b[i]) > 1e-4);
    if (bad(y, expectY) || bad(dw, expectDw)) {
      throw new Error(`smoke test gave conv ${y} (expected ${expectY}) and filter gradient ${dw} (expected ${expectDw})`);
    }
  });
}

const NOT_WASM: NativeWasmKernelsStatus = { ok: false, kernels: [], reason: "the backend is not wasm" };

async function tryBackend(choice: BackendChoice): Promise<{ ok: boolean; reason: string; patched: string[] }> {
  const patched: string[] = [];
  if (choice === "node-gpu" || choice === "node") {
    const pkgName = NATIVE_PACKAGE[choice];
    const pkg = installedPackage(pkgName);
    if (!pkg) return { ok: false, reason: `${pkgName} is not installed (optional: it downloads libtensorflow at install time; see README)`, patched };
    if (pkg.name !== pkgName) {
      return { ok: false, reason: `${pkgName} is not installed (that name is an alias of ${pkg.name}, installed for danfojs-node)`, patched };
    }
    try {
      require(pkgName);
    } catch (e) {
      return { ok: false, reason: `${pkgName} ${pkg.version} is installed but does not load: ${firstLine(e)}`, patched };
    }
    if (!(await tf.setBackend("tensorflow"))) return { ok: false, reason: `${pkgName} loaded but the "tensorflow" backend did not initialise`, patched };
    return { ok: true, reason: `libtensorflow via ${pkgName} ${pkg.version}`, patched };
  }
  if (choice === "wasm") {
    try {
      await import("@tensorflow/tfjs-backend-wasm");
    } catch (e) {
      return { ok: false, reason: `@tensorflow/tfjs-backend-wasm does not load: ${firstLine(e)}`, patched };
    }
    if (!(await tf.setBackend("wasm"))) return { ok: false, reason: "the wasm backend did not initialise", patched };
    // tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel; this project supplies it.
    registerWasmConv2DBackpropFilter();
    patched.push("Conv2DBackpropFilter");
    // Its Conv2DBackpropInput is a plain loop; one forward conv computes the same 4–16× faster.
    registerWasmConv2DBackpropInputViaConv();
    patched.push("Conv2DBackpropInput (as a forward conv)");
    const simd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT");
    const threads = tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT");
    return { ok: true, reason: `WebAssembly, SIMD ${simd ? "on" : "off"}, ${threads ? "multi-threaded" : "1 thread"}`, patched };
  }
  if (!(await tf.setBackend("cpu"))) return { ok: false, reason: "the cpu backend did not initialise", patched };
  return { ok: true, reason: "pure JavaScript: about 100× slower than wasm for training conv nets", patched };
}

let current: BackendReport | null = null;

/**
 * Initialises TensorFlow.js once per process with the best working backend and returns what was
 * tried; later calls return the same report. `prefer` (or RUNBOOK_BACKEND) forces one backend.
 */
export async function initBackend(prefer?: BackendChoice): Promise<BackendReport> {
  if (prefer !== undefined && !BACKEND_ORDER.includes(prefer))
    throw new Error(`initBackend: prefer must be one of ${BACKEND_ORDER.join(", ")}; got ${String(prefer)}`);
  const forced = prefer ?? envBackend();
  if (current && (!forced || current.choice === forced)) return current;
  const order = forced ? [forced] : BACKEND_ORDER;
  const attempts: BackendAttempt[] = [];
  for (const choice of order) {
    const t0 = Date.now();
    let result: { ok: boolean; reason: string; patched: string[] };
    try {
      result = await tryBackend(choice);
      if (result.ok) {
        await tf.ready();
        smokeTest();
      }
    } catch (e) {
      result = { ok: false, reason: `failed its smoke test: ${firstLine(e)}`, patched: [] };
    }
    attempts.push({ choice, ok: result.ok, reason: result.reason, initMs: Date.now() - t0 });
    if (result.ok) {
      current = {
        choice,
        tfjsBackend: tf.getBackend(),
        tfjsVersion: tf.version.tfjs,
        attempts,
        patchedKernels: result.patched,
        forcedBy: forced ? (prefer ? "initBackend argument" : `${BACKEND_ENV}=${forced}`) : null,
        native: (({ ok, reason }) => ({ ok, reason }))(loadNative()),
        // After the smoke test and the project's own wasm kernels, which become the fallbacks.
        nativeKernels: choice === "wasm" ? installNativeWasmKernels() : NOT_WASM,
      };
      return current;
    }
  }
  const why = attempts.map((a) => `${a.choice}: ${a.reason}`).join("; ");
  throw new Error(
    forced
      ? `backend ${forced} (${forced === prefer ? "requested" : `${BACKEND_ENV}=${forced}`}) cannot start: ${why}`
      : `no TensorFlow.js backend works: ${why}`,
  );
}

/** Rows for a table: each backend tried, used or not, and why (for notebooks and reports). */
export function backendRows(report: BackendReport): { backend: string; used: string; why: string; initMs: number }[] {
  const rows = report.attempts.map((a) => ({
    backend: a.choice as string,
    used: a.ok ? "✓ in use" : "✗",
    why: a.reason,
    initMs: a.initMs,
  }));
  if (report.patchedKernels.length) {
    rows.push({ backend: "(kernels)", used: "", why: `supplied by this project for ${report.choice}: ${report.patchedKernels.join(", ")}`, initMs: 0 });
  }
  if (report.native) {
    rows.push({
      backend: "native (oneDNN)",
      used: report.native.ok ? "✓ training step" : "✗",
      why: report.native.ok
        ? `${report.native.reason}: trainClassifier's fused step for Sequential Conv2D/MaxPool/Flatten/Dense nets with SGD; everything else runs on ${report.choice}`
        : `${report.native.reason}; training runs on ${report.choice}`,
      initMs: 0,
    });
  }
  if (report.nativeKernels?.ok) {
    rows.push({
      backend: "(native kernels)",
      used: "✓",
      why: `oneDNN for ${report.choice}: ${report.nativeKernels.kernels.join(", ")} (${report.nativeKernels.reason})`,
      initMs: 0,
    });
  } else if (report.choice === "wasm" && report.nativeKernels) {
    rows.push({ backend: "(native kernels)", used: "✗", why: `the wasm kernels run: ${report.nativeKernels.reason}`, initMs: 0 });
  }
  if (report.forcedBy) rows.push({ backend: "(choice)", used: "", why: `forced by ${report.forcedBy}`, initMs: 0 });
  return rows;
}

/** One line for logs and report headers, e.g. "wasm (tfjs 4.22.0; node-gpu, node unavailable)". */
export function backendSummary(report: BackendReport): string {
  const skipped = report.attempts.filter((a) => !a.ok).map((a) => a.choice);
  const native = report.native?.ok ? "; native oneDNN training step" : "";
  const kernels = report.nativeKernels?.ok ? ` + native oneDNN kernels (${report.nativeKernels.kernels.join(", ")})` : "";
  return `${report.choice}${kernels} (tfjs ${report.tfjsVersion}${skipped.length ? `; ${skipped.join(", ")} unavailable` : ""}${report.forcedBy ? `; forced by ${report.forcedBy}` : ""}${native})`;
}
