/**
 * `npm run bench` (issues #9, #14): trains every model the runbook trains — the §5 LeNet at batch
 * 4 and 64, the §3.3 ResNet-20, the §8 GPT, the §6.4 MLP and the §6.3 GRU forecaster — through the
 * library's own training entry points (so it measures whatever engine the library picks, and says
 * which) at 1 and 2 threads of the native addon (setNativeThreads between runs; once at the backend's
 * own threads when the addon is not loaded), alternating with the same model, parameter count and optimiser in PyTorch
 * (bench/torch_worker.py on Debian's python3-torch) in its best configuration: 1 and 2 threads,
 * with and without glibc's allocator kept, all tried in the first repetition, those at least half as fast as
 * the best in the others, the best median taken. Several repetitions, medians,
 * ratio = our best / torch best. The thread setting (default "auto") is restored at the end. Prints a table per case and ends with one JSON line.
 *
 * Environment: BENCH_REPS (default 5), BENCH_CASES (comma-separated subset), BENCH_SCALE (timed
 * steps × this, default 1), BENCH_TORCH=off (ours alone: no PyTorch, nothing installed),
 * RUNBOOK_PYTHON (default /usr/bin/python3). The cases are in scripts/bench/cases.ts.
 */
import { backendSummary, initBackend } from "../src/engine/backend";
import { envPython } from "../src/core/env";
import { loadNative, setNativeThreads } from "../src/engine/native/addon";
import { benchCase } from "./bench/cases";
import { parseBenchOptions } from "./bench/options";
import { benchJson, caseTable, closeToBest, OURS_FIXED, OURS_THREADS, summarise, type CaseFigures } from "./bench/report";
import { ensureTorch, TORCH_CONFIGS, TorchWorker } from "./bench/torch-worker";

const PYTHON = envPython() ?? "/usr/bin/python3";
/** Seconds a timed run of ours is sized to take (× BENCH_SCALE); a PyTorch run stops early after as long. */
const RUN_SECONDS = 3;
/** PyTorch configurations at least this fraction of the first repetition's best keep running (loose: one run on a busy machine is noisy). */
const CONTENDER_FRACTION = 0.5;

/** One worker per PyTorch configuration, or why there is none. */
async function startTorch(): Promise<{ workers: TorchWorker[]; why: string | null }> {
  const why = ensureTorch(PYTHON);
  if (why) return { workers: [], why };
  const workers = TORCH_CONFIGS.map((c) => new TorchWorker(PYTHON, c));
  const failed = (await Promise.all(workers.map((w) => w.start()))).find((r) => r !== null);
  if (failed) {
    workers.forEach((w) => w.stop());
    return { workers: [], why: failed };
  }
  return { workers, why: null };
}

async function main(): Promise<void> {
  const opts = parseBenchOptions(process.env);
  const report = await initBackend();
  const cases = opts.cases.map(benchCase);
  const { workers, why } = opts.torch ? await startTorch() : { workers: [], why: "skipped (BENCH_TORCH=off)" };
  if (why) console.log(`PyTorch reference unavailable: ${why}. Printing our figures alone.`);
  // Ours at each thread count when the addon can switch them (it is what the native steps and the
  // wasm kernels run on); otherwise once per repetition at whatever the backend uses.
  const native = loadNative();
  const threadsBefore = native.ok ? setNativeThreads("auto") : null;
  if (!native.ok) console.log(`Native addon not loaded (${native.reason}): ours runs once per repetition, threads not switched.`);
  const oursKeys: string[] = native.ok ? OURS_THREADS.map(String) : [OURS_FIXED];

  // Same architecture on both sides: the parameter counts must agree before anything is timed.
  const figures: CaseFigures[] = [];
  for (const c of cases) {
    const ours = c.params();
    const torch = workers.length ? (await workers[0].count(c.torchSpec(c.fit(0)))).comparable : null;
    if (torch !== null && torch !== ours)
      throw new Error(`${c.name}: our model has ${ours} trainable parameters, the PyTorch one ${torch}; they must be the same architecture`);
    figures.push({ name: c.name, unit: c.unit, ours: {}, torch: {}, engine: "none", engineReason: {}, params: { ours, torch } });
  }

  // Each case's first run is its shortest; its rate sizes the runs after it to about `seconds`.
  const seconds = RUN_SECONDS * opts.scale;
  const steps = cases.map((c) => c.fit(0));
  // Every PyTorch configuration runs in the first repetition; later ones run those close to its best.
  const contenders = cases.map(() => workers);
  // One case at a time (its repetitions alternate ours/PyTorch), so a case that aborts the wasm
  // module (see CASE_NAMES) spoils only its own later runs.
  for (const [i, c] of cases.entries()) {
    for (let rep = 0; rep < opts.reps; rep++) {
      const f = figures[i];
      const t0 = performance.now();
      const oursNow: string[] = [];
      // Odd repetitions reverse the thread order, so neither count always runs first.
      for (const key of rep % 2 ? [...oursKeys].reverse() : oursKeys) {
        if (f.error) break;
        if (native.ok && key !== OURS_FIXED) setNativeThreads(Number(key));
        const ours = await c.run(steps[i]).catch((e: unknown) => ((f.error = e instanceof Error ? e.message : String(e)), null));
        if (!ours) break;
        (f.ours[key] ??= []).push(ours.rate);
        f.engine = ours.engine;
        f.engineReason[key] = ours.engineReason;
        oursNow.push(`${key === OURS_FIXED ? "" : `${key}T `}${Math.round(ours.rate)}`);
        // The first run of a case sizes the runs after it.
        if (rep === 0 && Object.values(f.ours).flat().length === 1) steps[i] = c.fit((seconds * ours.rate) / (c.perSample * c.batch));
      }
      for (const w of contenders[i]) (f.torch[w.config.key] ??= []).push((await w.train(c.torchSpec(steps[i]), steps[i], seconds)) * c.perSample);
      if (rep === 0) contenders[i] = workers.filter((w) => closeToBest(f.torch, CONTENDER_FRACTION).includes(w.config.key));
      const torchNow = contenders[i].map((w) => `${w.config.key} ${Math.round(f.torch[w.config.key].at(-1) ?? 0)}`).join(", ");
      process.stderr.write(
        `[bench] ${c.name} ${rep + 1}/${opts.reps}: ours ${f.error ? `failed (${f.error})` : `${oursNow.join(", ")} ${c.unit}`}${torchNow ? `, torch ${torchNow}` : ""} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`,
      );
    }
  }
  workers.forEach((w) => w.stop());
  cases.forEach((c) => c.dispose());
  if (native.ok && threadsBefore !== null) setNativeThreads(threadsBefore);

  const summaries = figures.map((f) => summarise(f, TORCH_CONFIGS));
  console.log(`Training throughput, ours on ${backendSummary(report)}${workers.length ? `; PyTorch ${workers[0].version}` : ""}`);
  summaries.forEach((s, i) => console.log(["", ...caseTable(s, cases[i].title, opts.reps, TORCH_CONFIGS)].join("\n")));
  console.log(`\npeak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  const backend = summaries.some((s) => s.engine === "native") ? `${report.choice}+native` : report.choice;
  console.log(benchJson(summaries, backend));
}

main().catch((e: unknown) => {
  console.error(`[bench] error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
