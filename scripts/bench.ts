/**
 * `npm run bench` (issue #9): trains the §5 LeNet (SGD lr 0.001, momentum 0.9, cross-entropy) on
 * seeded random CIFAR-shaped data at batch 4 and batch 64 through the runbook's own training loop
 * (trainClassifier, default backend and engine), alternating with the identical PyTorch model and
 * optimiser (bench/torch_lenet.py on Debian's python3-torch, 1 and 2 threads, its best taken),
 * several repetitions, medians. Prints a table, one line for inference (batch 256) and peak RSS,
 * and ends with one JSON line.
 *
 * Environment: BENCH_REPS (default 5), BENCH_TORCH=off (ours alone: no PyTorch, nothing installed),
 * RUNBOOK_PYTHON (default /usr/bin/python3).
 */
import * as tf from "@tensorflow/tfjs";
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import * as path from "node:path";
import * as readline from "node:readline";
import { backendSummary, initBackend } from "../src/engine/backend";
import { buildLeNet } from "../src/models/model";
import { mulberry32 } from "../src/core/random";
import { envPython } from "../src/core/env";
import { evaluateClassifier, trainClassifier } from "../src/training/train";

const PYTHON = envPython() ?? "/usr/bin/python3";
const REPS = Number(process.env.BENCH_REPS ?? 5);
const N = 4096;
const CASES = [
  { batch: 4, steps: 1000 },
  { batch: 64, steps: 128 },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Makes torch importable where we can (root with apt-get), else says how; returns the reason it is not, or null. */
function ensureTorch(): string | null {
  if (process.env.BENCH_TORCH === "off") return "skipped (BENCH_TORCH=off)";
  const ok = (): boolean => spawnSync(PYTHON, ["-c", "import torch"], { stdio: "ignore" }).status === 0;
  if (ok()) return null;
  const root = process.getuid?.() === 0;
  const apt = spawnSync("sh", ["-c", "command -v apt-get"], { stdio: "ignore" }).status === 0;
  if (root && apt) {
    console.error("[bench] installing python3-torch (the PyTorch reference)");
    spawnSync("sh", ["-c", "apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch >/dev/null"], {
      stdio: "inherit",
    });
    if (ok()) return null;
    return `${PYTHON} cannot import torch even after installing python3-torch`;
  }
  return `${PYTHON} cannot import torch; install it with: sudo apt-get install python3-torch (or set RUNBOOK_PYTHON)`;
}

/** The long-lived PyTorch worker (bench/torch_lenet.py): one request per line, one JSON reply per line. */
class TorchWorker {
  private proc: ChildProcessWithoutNullStreams;
  private lines: AsyncIterableIterator<string>;
  version = "";

  constructor() {
    const script = path.resolve(__dirname, "..", "..", "bench", "torch_lenet.py");
    this.proc = spawn(PYTHON, [script], { stdio: ["pipe", "pipe", "pipe"] });
    this.lines = readline.createInterface({ input: this.proc.stdout })[Symbol.asyncIterator]();
  }

  private async reply(): Promise<Record<string, unknown>> {
    const r = await this.lines.next();
    if (r.done) throw new Error("the PyTorch worker exited");
    return JSON.parse(r.value) as Record<string, unknown>;
  }

  async start(): Promise<string | null> {
    const r = await this.reply();
    if (r.ready !== true) return `torch does not load: ${String(r.error)}`;
    this.version = String(r.torch);
    return null;
  }

  async run(kind: "train" | "infer", batch: number, threads: number, steps: number): Promise<number> {
    this.proc.stdin.write(`${kind} ${batch} ${threads} ${steps}\n`);
    return Number((await this.reply()).samples_per_sec);
  }

  stop(): void {
    this.proc.stdin.write("quit\n");
    this.proc.stdin.end();
  }
}

async function main(): Promise<void> {
  const report = await initBackend();
  const rng = mulberry32(0);
  const xs = new Float32Array(N * 32 * 32 * 3);
  for (let i = 0; i < xs.length; i++) xs[i] = rng();
  const ys = Int32Array.from({ length: N }, () => Math.floor(rng() * 10));
  const X = tf.tensor4d(xs, [N, 32, 32, 3]); // [N, 32, 32, 3]
  const y = tf.tensor1d(ys, "int32"); // [N]

  let torchWhy = ensureTorch();
  let torch: TorchWorker | null = null;
  if (!torchWhy) {
    torch = new TorchWorker();
    torchWhy = await torch.start();
    if (torchWhy) torch = null;
  }
  if (torchWhy) console.log(`PyTorch reference unavailable: ${torchWhy}. Printing our figures alone.`);

  /** Ours: a fresh LeNet trained through trainClassifier for `steps` mini-batches (after a short warm-up). */
  let engine = "";
  const ours = async (batch: number, steps: number): Promise<number> => {
    const net = buildLeNet({ inputShape: [32, 32, 3], numClasses: 10, seed: 1 });
    const n = Math.min(N, steps * batch);
    const sub = { X: tf.slice(X, 0, n) as tf.Tensor, y: tf.slice(y, 0, n) as tf.Tensor1D };
    const warm = { X: tf.slice(X, 0, batch * 10) as tf.Tensor, y: tf.slice(y, 0, batch * 10) as tf.Tensor1D };
    const opts = { batchSize: batch, lr: 0.001, momentum: 0.9, seed: 2 };
    await trainClassifier(net, warm, { ...opts, numEpochs: 1 });
    const h = await trainClassifier(net, sub, { ...opts, numEpochs: Math.max(1, Math.round((steps * batch) / n)) });
    engine = h.engine === "native" ? `native fused step: ${h.engineReason}` : `tfjs step (${h.engineReason})`;
    tf.dispose([sub.X, sub.y, warm.X, warm.y]);
    net.dispose();
    return h.samplesPerSec;
  };

  const results: Record<number, { ours: number[]; t1: number[]; t2: number[] }> = {};
  for (const c of CASES) results[c.batch] = { ours: [], t1: [], t2: [] };
  for (let rep = 0; rep < REPS; rep++) {
    for (const c of CASES) {
      const r = results[c.batch];
      r.ours.push(await ours(c.batch, c.steps));
      if (torch) {
        r.t1.push(await torch.run("train", c.batch, 1, c.steps));
        r.t2.push(await torch.run("train", c.batch, 2, c.steps));
      }
    }
    process.stderr.write(`[bench] repetition ${rep + 1}/${REPS} done\n`);
  }

  // Inference, batch 256: evaluateClassifier (ours) vs torch no_grad forward.
  const infNet = buildLeNet({ inputShape: [32, 32, 3], numClasses: 10, seed: 1 });
  const inf: number[] = [];
  const infT: number[] = [];
  for (let rep = 0; rep < Math.min(REPS, 3); rep++) {
    const t0 = performance.now();
    evaluateClassifier(infNet, { X, y }, 256);
    inf.push(N / ((performance.now() - t0) / 1000));
    if (torch) infT.push(Math.max(await torch.run("infer", 256, 1, 16), await torch.run("infer", 256, 2, 16)));
  }
  infNet.dispose();
  torch?.stop();

  const rows = CASES.map((c) => {
    const r = results[c.batch];
    const o = median(r.ours);
    const t = torch ? Math.max(median(r.t1), median(r.t2)) : null;
    return { batch: c.batch, ours: o, t1: torch ? median(r.t1) : null, t2: torch ? median(r.t2) : null, torch: t, ratio: t ? o / t : null };
  });
  const f = (v: number | null): string => (v == null ? "—" : Math.round(v).toLocaleString("en-US"));
  console.log(`LeNet training, samples/s (median of ${REPS}; ours: ${backendSummary(report)}, ${engine}${torch ? `; PyTorch ${torch.version}` : ""})`);
  console.log("| batch | ours | torch 1 thread | torch 2 threads | ratio (ours / torch best) |");
  console.log("|---|---|---|---|---|");
  for (const r of rows) console.log(`| ${r.batch} | ${f(r.ours)} | ${f(r.t1)} | ${f(r.t2)} | ${r.ratio == null ? "—" : r.ratio.toFixed(2)} |`);
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  const infEngine = report.native.ok ? "native kernels" : report.choice;
  console.log(
    `inference batch 256: ours ${f(median(inf))} samples/s (evaluateClassifier, ${infEngine}), torch ${torch ? f(median(infT)) : "—"}; peak RSS ${maxRssMb.toFixed(0)} MB`,
  );
  const j = (r: (typeof rows)[number]): Record<string, number | null> => ({
    ours: Math.round(r.ours),
    torch: r.torch == null ? null : Math.round(r.torch),
    ratio: r.ratio == null ? null : Number(r.ratio.toFixed(3)),
  });
  const backend = engine.startsWith("native") ? `${report.choice}+native` : report.choice;
  console.log(JSON.stringify({ bench: "lenet-train", batch4: j(rows[0]), batch64: j(rows[1]), backend }));
  tf.dispose([X, y]);
}

main().catch((e: unknown) => {
  console.error(`[bench] error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
