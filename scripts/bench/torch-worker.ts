/**
 * The PyTorch side of the bench: making torch importable (Debian's python3-torch), and long-lived
 * bench/torch_worker.py processes, one per configuration, since thread counts and glibc's
 * allocator settings are fixed when a process starts.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import * as path from "node:path";
import * as readline from "node:readline";
import { PROJECT_ROOT } from "../../src/core/paths";
import type { TorchSpec } from "./cases";

export const TORCH_WORKER_SCRIPT = path.join(PROJECT_ROOT, "bench", "torch_worker.py");

/** One PyTorch configuration the bench tries; the best median is PyTorch's figure. */
export interface TorchConfig {
  /** Short key for the JSON: "t1", "t2", "t1-keep", "t2-keep". */
  key: string;
  /** For the table: "2 threads, allocator kept". */
  label: string;
  threads: 1 | 2;
  /** glibc keeps freed memory (no mmap per large tensor, no trimming): PyTorch's ResNet rate doubles on this machine. */
  keepAllocator: boolean;
}

export const TORCH_CONFIGS: readonly TorchConfig[] = [1, 2].flatMap((threads) =>
  [false, true].map((keepAllocator) => ({
    key: `t${threads}${keepAllocator ? "-keep" : ""}`,
    label: `${threads} thread${threads > 1 ? "s" : ""}${keepAllocator ? ", allocator kept" : ""}`,
    threads: threads as 1 | 2,
    keepAllocator,
  })),
);

/** The worker's environment for a configuration: OpenMP/OpenBLAS threads matching, glibc's thresholds raised when kept. */
export function torchEnvironment(config: TorchConfig, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
    OMP_NUM_THREADS: String(config.threads),
    OPENBLAS_NUM_THREADS: String(config.threads),
    MKL_NUM_THREADS: String(config.threads),
  };
  delete env.MALLOC_MMAP_THRESHOLD_;
  delete env.MALLOC_TRIM_THRESHOLD_;
  if (config.keepAllocator) {
    env.MALLOC_MMAP_THRESHOLD_ = "1073741824";
    env.MALLOC_TRIM_THRESHOLD_ = "1073741824";
  }
  return env;
}

/** Makes torch importable where we can (root with apt-get); returns why it is not, or null. */
export function ensureTorch(python: string): string | null {
  const ok = (): boolean => spawnSync(python, ["-c", "import torch"], { stdio: "ignore" }).status === 0;
  if (ok()) return null;
  const root = process.getuid?.() === 0;
  const apt = spawnSync("sh", ["-c", "command -v apt-get"], { stdio: "ignore" }).status === 0;
  if (root && apt) {
    console.error("[bench] installing python3-torch (the PyTorch reference)");
    spawnSync("sh", ["-c", "apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch >/dev/null"], {
      stdio: "inherit",
    });
    if (ok()) return null;
    return `${python} cannot import torch even after installing python3-torch`;
  }
  return `${python} cannot import torch; install it with: sudo apt-get install python3-torch (or set RUNBOOK_PYTHON)`;
}

/** One long-lived worker: one JSON request per line, one JSON reply per line. */
export class TorchWorker {
  private proc: ChildProcessWithoutNullStreams;
  private lines: AsyncIterableIterator<string>;
  version = "";

  constructor(
    python: string,
    readonly config: TorchConfig,
  ) {
    this.proc = spawn(python, [TORCH_WORKER_SCRIPT, "serve", "--threads", String(config.threads)], {
      stdio: ["pipe", "pipe", "pipe"],
      env: torchEnvironment(config, process.env),
    });
    this.proc.stderr.on("data", (b: Buffer) => process.stderr.write(`[torch ${config.key}] ${b.toString()}`));
    this.lines = readline.createInterface({ input: this.proc.stdout })[Symbol.asyncIterator]();
  }

  private async request(req: Record<string, unknown> | null): Promise<Record<string, unknown>> {
    if (req) this.proc.stdin.write(`${JSON.stringify(req)}\n`);
    const r = await this.lines.next();
    if (r.done) throw new Error(`the PyTorch worker (${this.config.label}) exited`);
    const reply = JSON.parse(r.value) as Record<string, unknown>;
    if (typeof reply.error === "string" && req) throw new Error(`the PyTorch worker (${this.config.label}): ${reply.error}`);
    return reply;
  }

  /** Waits for the worker's first line; returns why torch does not load, or null. */
  async start(): Promise<string | null> {
    const r = await this.request(null);
    if (r.ready !== true) return `torch does not load: ${String(r.error)}`;
    this.version = String(r.torch);
    return null;
  }

  /** Samples/s of `steps` optimiser steps of the spec (stopping early after `budget` seconds). */
  async train(spec: TorchSpec, steps: number, budget: number): Promise<number> {
    return Number((await this.request({ cmd: "train", spec, steps, budget })).rate);
  }

  /** PyTorch's parameter count of the spec ("comparable": without the GRU's second bias). */
  async count(spec: TorchSpec): Promise<{ params: number; comparable: number }> {
    const r = await this.request({ cmd: "count", spec });
    return { params: Number(r.params), comparable: Number(r.comparable) };
  }

  stop(): void {
    this.proc.stdin.write(`${JSON.stringify({ cmd: "quit" })}\n`);
    this.proc.stdin.end();
  }
}
