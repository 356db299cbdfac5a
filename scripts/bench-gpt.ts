/**
 * `node dist/scripts/bench-gpt.js` (issue #14): the §8 GPT's training throughput through
 * trainLanguageModel, native fused step against the tfjs step on the default backend, on seeded
 * random tokens (the same seed and model for both). Prints wall-clock tokens/s and tokens per
 * CPU-second (the process's own CPU time, which a machine shared with other jobs disturbs less),
 * then one JSON line.
 *
 * Flags (defaults: the size): --d 256 --layers 4 --heads 8 --batch 64 --T 24 --vocab 5000
 * --steps 20 (native) --tfjs-steps 3 (the tfjs step takes seconds each; 0 skips it).
 */
import { initBackend, backendSummary } from "../src/engine/backend";
import { mulberry32 } from "../src/core/random";
import { Transformer } from "../src/models/transformer";
import { trainLanguageModel, type TokenSequences } from "../src/training/train-lm";

function flag(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} must be a non-negative integer; got ${process.argv[i + 1]}`);
  return v;
}

interface Measured {
  engine: string;
  reason: string;
  steps: number;
  tokensPerSec: number;
  tokensPerCpuSec: number;
}

async function main(): Promise<void> {
  const d = flag("d", 256);
  const layers = flag("layers", 4);
  const heads = flag("heads", 8);
  const batch = flag("batch", 64);
  const T = flag("T", 24);
  const V = flag("vocab", 5000);
  const report = await initBackend();
  const rng = mulberry32(1);
  const n = batch * 8;
  const data: TokenSequences = { tokens: Int32Array.from({ length: n * (T + 1) }, () => Math.floor(rng() * V)), count: n, length: T + 1 };
  const config = { vocabSize: V, contextLength: T, dModel: d, numHeads: heads, numLayers: layers, seed: 1 };

  const measure = async (engine: "auto" | "tfjs", steps: number): Promise<Measured> => {
    const model = new Transformer(config);
    try {
      const opts = { batchSize: batch, lr: 1e-3, seed: 1, engine };
      await trainLanguageModel(model, data, { ...opts, numSteps: 1 }); // warm-up: buffers, oneDNN's JIT kernels, wasm compilation
      const cpu0 = process.cpuUsage();
      const h = await trainLanguageModel(model, data, { ...opts, numSteps: steps, logEvery: steps });
      const cpu = process.cpuUsage(cpu0);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      return { engine: h.engine ?? "tfjs", reason: h.engineReason ?? "", steps, tokensPerSec: h.tokensPerSec, tokensPerCpuSec: h.tokensSeen / cpuSeconds };
    } finally {
      model.dispose();
    }
  };

  const rows: Measured[] = [await measure("auto", flag("steps", 20))];
  const tfjsSteps = flag("tfjs-steps", 3);
  if (tfjsSteps > 0) rows.push(await measure("tfjs", tfjsSteps));
  const params = new Transformer(config);
  console.log(
    `GPT d ${d}, ${layers} layers, ${heads} heads, batch ${batch}, T ${T}, V ${V} (${params.numParameters().toLocaleString("en-US")} parameters); ${backendSummary(report)}`,
  );
  params.dispose();
  console.log("| engine | steps | tokens/s | tokens per CPU-second | why |");
  console.log("|---|---|---|---|---|");
  for (const r of rows) console.log(`| ${r.engine} | ${r.steps} | ${Math.round(r.tokensPerSec)} | ${Math.round(r.tokensPerCpuSec)} | ${r.reason} |`);
  const json = Object.fromEntries(rows.map((r) => [r.engine, { tokensPerSec: Math.round(r.tokensPerSec), tokensPerCpuSec: Math.round(r.tokensPerCpuSec) }]));
  console.log(JSON.stringify({ bench: "gpt-train", d, layers, heads, batch, T, V, ...json }));
}

main().catch((e: unknown) => {
  console.error(`[bench-gpt] error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
