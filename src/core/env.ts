/**
 * Every RUNBOOK_* environment variable in one place: its name, meaning, allowed values, default
 * and who reads it, plus a typed reader that validates it. TypeScript code reads these variables
 * only through the readers below (test/env.test.ts fails on a direct `process.env.RUNBOOK_…`
 * read elsewhere); the shell scripts, the Python notebook executor and the C++ addon cannot
 * import this module, so they are listed here too and the test checks that each of them still
 * mentions its variables. The README's "Environment variables" table is `envTableMarkdown()`.
 */
import * as path from "path";
import { PROJECT_ROOT } from "./paths";

/** The environment readers look at: `process.env` unless a test passes its own. */
export type EnvironmentValues = Readonly<Record<string, string | undefined>>;

export interface EnvVariable {
  name: string;
  /** What it changes, one sentence. */
  meaning: string;
  /** Allowed values, as shown in the README. */
  values: string;
  /** The value when unset. */
  defaultValue: string;
  /** Files that read or set it (relative to the project root); the test checks each still mentions it. */
  usedBy: readonly string[];
}

export const BACKEND_CHOICES = ["node-gpu", "node", "wasm", "cpu"] as const;
export type BackendName = (typeof BACKEND_CHOICES)[number];

/** All RUNBOOK_* variables, in the order the README lists them. */
export const ENV_VARIABLES: readonly EnvVariable[] = [
  {
    name: "RUNBOOK_BACKEND",
    meaning: "Forces one TensorFlow.js backend (fails if it cannot start) instead of the first that works.",
    values: BACKEND_CHOICES.join(" \\| "),
    defaultValue: "unset: the first that works, in that order",
    usedBy: ["src/engine/backend.ts"],
  },
  {
    name: "RUNBOOK_NATIVE",
    meaning: "Turns the native oneDNN addon on or off: its training step and its kernels for the wasm backend.",
    values: "on \\| off (also 1/0, true/false, yes/no)",
    defaultValue: "on (when the addon is built)",
    usedBy: ["src/engine/native/addon.ts", "src/engine/native/wasm-native-kernels.ts"],
  },
  {
    name: "RUNBOOK_NATIVE_THREADS",
    meaning: "Threads of the native oneDNN step and of its wasm-backend kernels.",
    values: "auto \\| a positive integer",
    defaultValue:
      "auto: every core for a training step of ≥ 1 G multiply-adds (ResNet-20, the §8 GPT), 1 thread below (measured: smaller steps run slower on 2)",
    usedBy: ["src/engine/native/addon.ts"],
  },
  {
    name: "RUNBOOK_NATIVE_SIMD",
    meaning:
      "Chooses the instruction set of the native steps' own SIMD kernels: the direct convolution and the GRU loops (baseline: the portable path, for tests).",
    values: "auto \\| baseline \\| avx2 \\| avx512",
    defaultValue: "auto: the best the CPU has",
    usedBy: ["src/engine/native/addon.ts"],
  },
  {
    name: "RUNBOOK_NATIVE_CONV",
    meaning: "Forces one convolution kernel family in the native step (for tests and benchmarks).",
    values: "onednn \\| direct",
    defaultValue: "unset: direct for stride-1 convolutions it supports, oneDNN for the rest",
    usedBy: ["native/src/layers.cc"],
  },
  {
    name: "RUNBOOK_NATIVE_POOL",
    meaning: "Runs max-pooling of the native step on oneDNN instead of its own loops (measured slower).",
    values: "onednn",
    defaultValue: "unset: the addon's loops",
    usedBy: ["native/src/layers.cc"],
  },
  {
    name: "RUNBOOK_DATA_KEY",
    meaning: "The 32-byte data key of §9.4 (encryption, pseudonyms), given directly.",
    values: "64 hex digits or base64 of 32 bytes",
    defaultValue: "unset: RUNBOOK_DATA_KEY_FILE, then .keys/runbook-data.key",
    usedBy: ["src/scenarios/privacy/keys.ts", "scripts/setup.sh"],
  },
  {
    name: "RUNBOOK_DATA_KEY_FILE",
    meaning: "A file holding the data key (used when RUNBOOK_DATA_KEY is unset).",
    values: "a file path",
    defaultValue: ".keys/runbook-data.key (created by setup)",
    usedBy: ["src/scenarios/privacy/keys.ts", "scripts/setup.sh"],
  },
  {
    name: "RUNBOOK_PYTHON",
    meaning: "The Python with nbclient/nbconvert that executes notebooks (and PyTorch for the bench).",
    values: "a python executable",
    defaultValue: "/usr/bin/python3 (the runner also tries python3 on PATH)",
    usedBy: ["scripts/run-notebooks.ts", "scripts/bench.ts", "scripts/setup.sh"],
  },
  {
    name: "RUNBOOK_JUPYTER_PREFIX",
    meaning: "Where the tslab kernelspec is registered (its share/jupyter is put on JUPYTER_PATH).",
    values: "a directory",
    defaultValue: ".jupyter in the project",
    usedBy: ["scripts/run-notebooks.ts", "scripts/setup.sh", "scripts/jupyter.sh"],
  },
  {
    name: "RUNBOOK_JUPYTER_NOTEBOOK",
    meaning: "The Jupyter Notebook server `npm run jupyter` starts.",
    values: "an executable",
    defaultValue: "jupyter-notebook",
    usedBy: ["scripts/jupyter.sh"],
  },
  {
    name: "RUNBOOK_SKIP_SETUP",
    meaning: "Makes `npm run jupyter` skip the setup step (the browser test uses it).",
    values: "1",
    defaultValue: "0",
    usedBy: ["scripts/jupyter.sh"],
  },
  {
    name: "RUNBOOK_CHROMIUM",
    meaning: "The Chromium binary of the report's browser check and the browser tests.",
    values: "an executable",
    defaultValue: "/usr/bin/chromium",
    usedBy: ["src/runner/report-check.ts"],
  },
  {
    name: "RUNBOOK_BROWSER_CHECK",
    meaning: "Turns the runner's check of rendered pages in headless Chromium on or off.",
    values: "on \\| off (also 1/0, true/false, yes/no)",
    defaultValue: "on",
    usedBy: ["src/runner/report-check.ts"],
  },
  {
    name: "RUNBOOK_FACTS_FILE",
    meaning: "Set by the runner for each notebook: the file its report facts are appended to.",
    values: "a file path",
    defaultValue: "unset: recording facts is a no-op (interactive sessions)",
    usedBy: ["src/notebook/report-facts.ts", "src/runner/executor.ts"],
  },
  {
    name: "RUNBOOK_REPORT",
    meaning: "Set by the runner: the notebook runs for the HTML report (links point to .html pages).",
    values: "1",
    defaultValue: "unset: links point to the .ipynb files",
    usedBy: ["src/notebook/runbook.ts"],
  },
  {
    name: "RUNBOOK_PROFILE",
    meaning: "Set by the runner: the profile of this run, for the notebook's kernel environment.",
    values: "quick \\| full",
    defaultValue: "unset outside the runner",
    usedBy: ["scripts/run-notebooks.ts"],
  },
  {
    name: "RUNBOOK_LEAK_NOTEBOOK",
    meaning: "The notebook the report-leak test renders (to show once that the test fails on a leak).",
    values: "a notebook path",
    defaultValue: "notebooks/09-4-privacy-and-security.ipynb",
    usedBy: ["test/report-leaks.test.ts"],
  },
];

/** The entry of `name`; throws for a name the table does not know (a typo in a reader). */
export function envVariable(name: string): EnvVariable {
  const v = ENV_VARIABLES.find((e) => e.name === name);
  if (!v) throw new Error(`env: ${name} is not a RUNBOOK_* variable listed in src/core/env.ts`);
  return v;
}

function badValue(name: string, raw: string, expected: string): never {
  throw new Error(`${name}=${raw}: expected ${expected} (default: ${envVariable(name).defaultValue}; see README, "Environment variables")`);
}

/** The raw value of a listed variable; unset and empty are both `undefined`. */
export function readEnvText(name: string, env: EnvironmentValues = process.env): string | undefined {
  envVariable(name);
  const raw = env[name];
  return raw === undefined || raw === "" ? undefined : raw;
}

/** An on/off switch: on|off, 1|0, true|false, yes|no (any case); `fallback` when unset. */
export function readEnvSwitch(name: string, fallback: boolean, env: EnvironmentValues = process.env): boolean {
  const raw = readEnvText(name, env);
  if (raw === undefined) return fallback;
  const v = raw.trim().toLowerCase();
  if (["on", "1", "true", "yes"].includes(v)) return true;
  if (["off", "0", "false", "no"].includes(v)) return false;
  return badValue(name, raw, "on or off (or 1/0, true/false, yes/no)");
}

/** One of `allowed`; `undefined` when unset. */
export function readEnvChoice<T extends string>(name: string, allowed: readonly T[], env: EnvironmentValues = process.env): T | undefined {
  const raw = readEnvText(name, env);
  if (raw === undefined) return undefined;
  if (!allowed.includes(raw as T)) return badValue(name, raw, `one of ${allowed.join(", ")}`);
  return raw as T;
}

// ---------------------------------------------------------------------------------------------
// One typed reader per variable that TypeScript reads.

/** RUNBOOK_BACKEND: the forced backend, or null to try them in order. */
export function envBackend(env: EnvironmentValues = process.env): BackendName | null {
  return readEnvChoice("RUNBOOK_BACKEND", BACKEND_CHOICES, env) ?? null;
}

/** RUNBOOK_NATIVE: whether the native step may be used (default on). */
export function envNativeEnabled(env: EnvironmentValues = process.env): boolean {
  return readEnvSwitch("RUNBOOK_NATIVE", true, env);
}

/** RUNBOOK_NATIVE_THREADS: the native steps' thread count, or "auto" (default): chosen per training run by its size. */
export function envNativeThreads(env: EnvironmentValues = process.env): number | "auto" {
  const raw = readEnvText("RUNBOOK_NATIVE_THREADS", env);
  if (raw === undefined || raw.trim().toLowerCase() === "auto") return "auto";
  if (!/^[1-9][0-9]*$/.test(raw.trim())) return badValue("RUNBOOK_NATIVE_THREADS", raw, '"auto" or a positive integer');
  return Number(raw.trim());
}

export const NATIVE_SIMD_CHOICES = ["auto", "baseline", "avx2", "avx512"] as const;

/** RUNBOOK_NATIVE_SIMD: the direct conv kernels' instruction set (default auto). */
export function envNativeSimd(env: EnvironmentValues = process.env): (typeof NATIVE_SIMD_CHOICES)[number] {
  return readEnvChoice("RUNBOOK_NATIVE_SIMD", NATIVE_SIMD_CHOICES, env) ?? "auto";
}

/** RUNBOOK_DATA_KEY: the data key text (hex or base64), or undefined. */
export function envDataKey(env: EnvironmentValues = process.env): string | undefined {
  return readEnvText("RUNBOOK_DATA_KEY", env);
}

/** RUNBOOK_DATA_KEY_FILE: the data key file as given (relative to the working directory), or undefined. */
export function envDataKeyFile(env: EnvironmentValues = process.env): string | undefined {
  return readEnvText("RUNBOOK_DATA_KEY_FILE", env);
}

/** RUNBOOK_PYTHON: the Python the user chose, or undefined (callers pick their defaults). */
export function envPython(env: EnvironmentValues = process.env): string | undefined {
  return readEnvText("RUNBOOK_PYTHON", env);
}

/** RUNBOOK_JUPYTER_PREFIX: where the tslab kernelspec lives (default `<project>/.jupyter`). */
export function envJupyterPrefix(env: EnvironmentValues = process.env): string {
  return readEnvText("RUNBOOK_JUPYTER_PREFIX", env) ?? path.join(PROJECT_ROOT, ".jupyter");
}

/** RUNBOOK_CHROMIUM: the Chromium binary (default /usr/bin/chromium). */
export function envChromium(env: EnvironmentValues = process.env): string {
  return readEnvText("RUNBOOK_CHROMIUM", env) ?? "/usr/bin/chromium";
}

/** RUNBOOK_BROWSER_CHECK: whether the runner checks rendered pages in Chromium (default on). */
export function envBrowserCheck(env: EnvironmentValues = process.env): boolean {
  return readEnvSwitch("RUNBOOK_BROWSER_CHECK", true, env);
}

/** RUNBOOK_FACTS_FILE: the runner's facts file for this notebook, or undefined outside the runner. */
export function envFactsFile(env: EnvironmentValues = process.env): string | undefined {
  return readEnvText("RUNBOOK_FACTS_FILE", env);
}

/** RUNBOOK_REPORT: whether this notebook runs for the HTML report. */
export function envReportRun(env: EnvironmentValues = process.env): boolean {
  return readEnvSwitch("RUNBOOK_REPORT", false, env);
}

/** RUNBOOK_LEAK_NOTEBOOK: the notebook the report-leak test renders, or undefined for its default. */
export function envLeakNotebook(env: EnvironmentValues = process.env): string | undefined {
  return readEnvText("RUNBOOK_LEAK_NOTEBOOK", env);
}

/** The README's table of the variables (the README section must contain exactly this). */
export function envTableMarkdown(): string {
  const rows = ENV_VARIABLES.map((v) => `| \`${v.name}\` | ${v.meaning} | ${v.values} | ${v.defaultValue} | ${v.usedBy.map((f) => `\`${f}\``).join(", ")} |`);
  return ["| variable | meaning | values | default | used by |", "|---|---|---|---|---|", ...rows].join("\n");
}
