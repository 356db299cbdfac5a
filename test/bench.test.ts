import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as tf from "@tensorflow/tfjs";
import { envPython } from "../src/core/env";
import { benchCase } from "../scripts/bench/cases";
import { CASE_NAMES, parseBenchOptions } from "../scripts/bench/options";
import { benchJson, caseTable, closeToBest, median, OURS_FIXED, summarise, type CaseFigures } from "../scripts/bench/report";
import { TORCH_CONFIGS, TorchWorker, torchEnvironment } from "../scripts/bench/torch-worker";

before(async () => {
  await tf.setBackend("cpu");
});

test("parseBenchOptions: defaults, a subset in the bench's order, and one-line errors naming the variable", () => {
  assert.deepEqual(parseBenchOptions({}), { reps: 5, cases: [...CASE_NAMES], scale: 1, torch: true });
  const o = parseBenchOptions({ BENCH_REPS: "1", BENCH_CASES: "gru, lenet-b4", BENCH_SCALE: "0.2", BENCH_TORCH: "off" });
  assert.deepEqual(o, { reps: 1, cases: ["lenet-b4", "gru"], scale: 0.2, torch: false });
  assert.throws(
    () => parseBenchOptions({ BENCH_CASES: "lenet-b4,resnet50" }),
    (e: Error) =>
      /^BENCH_CASES=lenet-b4,resnet50: unknown case "resnet50"; expected a comma-separated subset of lenet-b4,/.test(e.message) && !e.message.includes("\n"),
  );
  assert.throws(() => parseBenchOptions({ BENCH_CASES: "," }), /BENCH_CASES=,: unknown case ""/);
  for (const bad of ["0", "-1", "2.5", "x"])
    assert.throws(() => parseBenchOptions({ BENCH_REPS: bad }), new RegExp(`^Error: BENCH_REPS=${bad}: expected a positive integer`));
  for (const bad of ["0", "-1", "11", "x"])
    assert.throws(() => parseBenchOptions({ BENCH_SCALE: bad }), new RegExp(`^Error: BENCH_SCALE=${bad}: expected a number in \\(0, 10\\]`));
  assert.throws(() => parseBenchOptions({ BENCH_TORCH: "maybe" }), /BENCH_TORCH=maybe: expected on or off/);
});

/** Figures of one case; ours as an array are 1-thread runs only. */
const fake = (name: CaseFigures["name"], ours: number[] | Record<string, number[]>, torch: Record<string, number[]>): CaseFigures => {
  const byThreads = Array.isArray(ours) ? (ours.length ? { "1": ours } : {}) : ours;
  return {
    name,
    unit: name.startsWith("gpt") ? "tokens/s" : "samples/s",
    ours: byThreads,
    torch,
    engine: "native",
    engineReason: Object.fromEntries(Object.keys(byThreads).map((k) => [k, `fake, ${k} thread(s)`])),
    params: { ours: 10, torch: Object.keys(torch).length ? 10 : null },
  };
};

test("summarise takes medians, PyTorch's best configuration and ours / best (none when ours failed); benchJson has every case plus batch4/batch64", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.deepEqual(closeToBest({ t1: [90, 100], t2: [300, 79], "t1-keep": [80], "t2-keep": [] }, 0.8), ["t1", "t1-keep"]);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  const b4 = summarise(
    fake("lenet-b4", [900, 1000, 1100], { t1: [400, 500, 600], t2: [100, 200, 300], "t1-keep": [450, 450, 450], "t2-keep": [700, 800, 900] }),
    TORCH_CONFIGS,
  );
  assert.equal(b4.ours, 1000);
  assert.deepEqual(b4.torchByConfig, { t1: 500, t2: 200, "t1-keep": 450, "t2-keep": 800 });
  assert.equal(b4.torch, 800);
  assert.equal(b4.torchConfig, "t2-keep");
  assert.equal(b4.torchLabel, "2 threads, allocator kept");
  assert.equal(b4.ratio, 1000 / 800);
  const table = caseTable(b4, "LeNet", 3, TORCH_CONFIGS).join("\n");
  assert.match(table, /\| 1,000 \| — \| 500 \| 800 \(allocator kept\) \| 2 threads, allocator kept \| 1\.25 \(ours at 1 thread\) \|/);
  const gpt = summarise(fake("gpt-d256-b64", [2000], {}), TORCH_CONFIGS);
  assert.equal(gpt.torch, null);
  assert.equal(gpt.ratio, null);
  assert.match(caseTable(gpt, "GPT", 1, TORCH_CONFIGS).join("\n"), /\| 2,000 \| — \| — \| — \| — \| — \|/);

  const failed = summarise({ ...fake("gru", [], { t1: [50] }), error: "Aborted()" }, TORCH_CONFIGS);
  assert.equal(failed.ours, null);
  assert.equal(failed.ratio, null);
  assert.equal(failed.torch, 50);
  const failedTable = caseTable(failed, "GRU", 1, TORCH_CONFIGS).join("\n");
  assert.match(failedTable, /ours: failed: Aborted\(\)/);
  assert.match(failedTable, /\| failed \| failed \| 50 \| — \| 1 thread \| — \|/);
  assert.deepEqual(JSON.parse(benchJson([failed], "wasm")).cases.gru, {
    ours: null,
    torch: 50,
    ratio: null,
    oursThreads: null,
    oursByThreads: {},
    unit: "samples/s",
    engine: "native",
    engineReason: "no run of ours succeeded",
    error: "Aborted()",
    torchConfig: "t1",
    torchByConfig: { t1: 50 },
    params: { ours: 10, torch: 10 },
  });

  const line = benchJson([b4, gpt], "wasm+native");
  assert.ok(!line.includes("\n"));
  const j = JSON.parse(line) as Record<string, unknown> & { cases: Record<string, Record<string, unknown>> };
  assert.equal(j.bench, "training");
  assert.deepEqual(Object.keys(j.cases), ["lenet-b4", "gpt-d256-b64"]);
  assert.deepEqual(j.batch4, { ours: 1000, torch: 800, ratio: 1.25 });
  assert.equal(j.batch64, undefined);
  assert.equal(j.backend, "wasm+native");
  const c = j.cases["lenet-b4"];
  for (const k of ["ours", "torch", "ratio", "unit", "engine", "torchConfig", "torchByConfig", "params"]) assert.ok(k in c, `cases["lenet-b4"].${k}`);
  assert.deepEqual(j.cases["gpt-d256-b64"].torch, null);
});

test("ours at 1 and 2 threads: our best is the faster median, its thread count beside the ratio and in the JSON; without the addon one column says so", () => {
  const torch = { t1: [400], t2: [500, 600, 700] };
  const s = summarise(fake("resnet20-b128", { "1": [300, 310, 320], "2": [450, 500, 550] }, torch), TORCH_CONFIGS);
  assert.deepEqual(s.oursByThreads, { "1": 310, "2": 500 });
  assert.equal(s.ours, 500);
  assert.equal(s.oursThreads, 2);
  assert.equal(s.ratio, 500 / 600);
  assert.equal(s.engineReason, "fake, 2 thread(s)", "the reason of the run at our best thread count");
  const table = caseTable(s, "ResNet-20", 3, TORCH_CONFIGS);
  assert.equal(table[2], "| ours 1 thread | ours 2 threads | torch 1 thread | torch 2 threads | torch best config | ratio (our best / torch best) |");
  assert.equal(table[3], "|---|---|---|---|---|---|");
  assert.equal(table[4], "| 310 | 500 | 400 | 600 | 2 threads | 0.83 (ours at 2 threads) |");
  const c = JSON.parse(benchJson([s], "wasm+native")).cases["resnet20-b128"];
  assert.equal(c.ours, 500);
  assert.equal(c.oursThreads, 2);
  assert.deepEqual(c.oursByThreads, { "1": 310, "2": 500 });
  assert.equal(c.ratio, 0.833);

  // 1 thread wins: its figure is the one compared.
  const one = summarise(fake("lenet-b64", { "1": [900], "2": [800] }, torch), TORCH_CONFIGS);
  assert.equal(one.ours, 900);
  assert.equal(one.oursThreads, 1);
  assert.match(caseTable(one, "LeNet", 1, TORCH_CONFIGS)[4], /\| 900 \| 800 \| .* \| 1\.50 \(ours at 1 thread\) \|$/);

  // A failure after the 1-thread run: that figure stays, the 2-thread cell says failed.
  const half = summarise({ ...fake("gru", { "1": [70] }, { t1: [50] }), error: "Aborted()" }, TORCH_CONFIGS);
  assert.equal(half.ours, 70);
  assert.equal(caseTable(half, "GRU", 1, TORCH_CONFIGS)[4], "| 70 | failed | 50 | — | 1 thread | 1.40 (ours at 1 thread) |");

  // No addon: one run per repetition at the backend's own threads, no thread count claimed.
  const fixed = summarise(fake("mlp-adam", { [OURS_FIXED]: [1000, 1200] }, torch), TORCH_CONFIGS);
  assert.equal(fixed.ours, 1100);
  assert.equal(fixed.oursThreads, null);
  const ft = caseTable(fixed, "MLP", 2, TORCH_CONFIGS);
  assert.match(ft[2], /^\| ours \(native addon not loaded: the backend's own threads\) \| torch 1 thread \|/);
  assert.equal(ft[3], "|---|---|---|---|---|");
  assert.equal(ft[4], "| 1,100 | 400 | 600 | 2 threads | 1.83 |");
  assert.equal(JSON.parse(benchJson([fixed], "wasm")).cases["mlp-adam"].oursThreads, null);
});

test("torchEnvironment: OpenMP/OpenBLAS threads match, glibc's thresholds only when the allocator is kept", () => {
  const base = { PATH: "/bin", MALLOC_TRIM_THRESHOLD_: "5" };
  const t2 = torchEnvironment(
    TORCH_CONFIGS.find((c) => c.key === "t2")!,
    base,
  );
  assert.equal(t2.OMP_NUM_THREADS, "2");
  assert.equal(t2.OPENBLAS_NUM_THREADS, "2");
  assert.equal(t2.MALLOC_TRIM_THRESHOLD_, undefined);
  const kept = torchEnvironment(
    TORCH_CONFIGS.find((c) => c.key === "t1-keep")!,
    base,
  );
  assert.equal(kept.OMP_NUM_THREADS, "1");
  assert.equal(kept.MALLOC_MMAP_THRESHOLD_, "1073741824");
  assert.equal(kept.MALLOC_TRIM_THRESHOLD_, "1073741824");
  assert.deepEqual(
    TORCH_CONFIGS.map((c) => c.key),
    ["t1", "t1-keep", "t2", "t2-keep"],
  );
});

test("each case's step counts: within its bounds, whole epochs where its loop needs them, PyTorch given the same data size", () => {
  const mlp = benchCase("mlp-adam"); // 341 rows, batch 32: 11 steps per epoch
  assert.equal(mlp.fit(0), 11);
  assert.equal(mlp.fit(100), 99);
  assert.equal(mlp.torchSpec(99).n, 341);
  const gru = benchCase("gru"); // 3750 windows, batch 128: 30 steps per epoch, at most 12 epochs
  assert.equal(gru.fit(0), 30);
  assert.equal(gru.fit(1e6), 360);
  const b64 = benchCase("lenet-b64"); // 4096 samples: 64 steps per epoch, at least 8 steps
  assert.equal(b64.fit(0), 8);
  assert.equal(b64.torchSpec(8).n, 512); // one epoch of the first 8 batches
  assert.equal(b64.fit(100), 128); // beyond one epoch: whole epochs over all 4096
  assert.equal(b64.torchSpec(128).n, 4096);
  const gpt = benchCase("gpt-d256-b64");
  assert.equal(gpt.fit(0), 2);
  assert.equal(gpt.perSample, 72); // tokens/s: 72 predicted tokens per window (§8 context)
});

const python = envPython() ?? "/usr/bin/python3";
const torchMissing =
  spawnSync(python, ["-c", "import torch"], { stdio: "ignore" }).status === 0 ? null : `${python} cannot import torch (apt-get install python3-torch)`;

test("every case's PyTorch model has our parameter count (the GRU without PyTorch's second bias)", async (t) => {
  if (torchMissing) {
    t.skip(torchMissing);
    return;
  }
  const worker = new TorchWorker(python, TORCH_CONFIGS[0]);
  try {
    assert.equal(await worker.start(), null);
    for (const name of CASE_NAMES) {
      const c = benchCase(name);
      const torch = await worker.count(c.torchSpec(c.fit(0)));
      assert.equal(torch.comparable, c.params(), `${name}: PyTorch ${torch.comparable} vs ours`);
      // Keras/TF.js's GRU (reset_after false) has one bias of 3·units; nn.GRU two.
      assert.equal(torch.params - torch.comparable, name === "gru" ? 3 * 16 : 0, name);
    }
  } finally {
    worker.stop();
  }
});
