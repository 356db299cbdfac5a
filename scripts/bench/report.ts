/**
 * The bench's figures into results: medians per side, per our thread count and per PyTorch
 * configuration, each side's best, the ratio, a markdown table per case and the one JSON line the
 * bench ends with. No timing here, so all of it is tested with made-up figures.
 */
import type { CaseName } from "./options";
import type { TorchConfig } from "./torch-worker";

export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error("median: no values");
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The keys whose latest figure is at least `fraction` of the best latest figure (the configurations worth repeating). */
export function closeToBest(figures: Readonly<Record<string, readonly number[]>>, fraction: number): string[] {
  const latest = Object.entries(figures)
    .filter(([, xs]) => xs.length > 0)
    .map(([k, xs]) => [k, xs[xs.length - 1]] as const);
  const best = Math.max(...latest.map(([, v]) => v));
  return latest.filter(([, v]) => v >= fraction * best).map(([k]) => k);
}

/** The thread counts ours runs at when the native addon is loaded (its setNumThreads between runs). */
export const OURS_THREADS = [1, 2] as const;
/** The key of ours' figures when the addon is not loaded: one run per repetition at the backend's own threads. */
export const OURS_FIXED = "fixed";

/** Every repetition's figure of one case, as measured. */
export interface CaseFigures {
  name: CaseName;
  unit: string;
  /** By our thread count ("1", "2"), or under OURS_FIXED alone when the addon is not loaded. */
  ours: Record<string, number[]>;
  /** Why ours could not train the case (its runs stop at the first failure; PyTorch's go on). */
  error?: string;
  /** By TorchConfig key; empty without PyTorch. */
  torch: Record<string, number[]>;
  engine: string;
  /** Why the library ran that engine, keyed like `ours` (the reason names the thread count). */
  engineReason: Record<string, string>;
  /** Trainable parameters, ours and PyTorch's comparable count (null without PyTorch). */
  params: { ours: number; torch: number | null };
}

export interface CaseSummary {
  name: CaseName;
  unit: string;
  /** Median of ours at its best thread count; null when ours failed (see error). */
  ours: number | null;
  /** The thread count of that best; null when the addon was not loaded (threads not switched) or ours failed. */
  oursThreads: number | null;
  /** Median per thread count ("1", "2") or under OURS_FIXED. */
  oursByThreads: Record<string, number>;
  error: string | null;
  /** Median per configuration key. */
  torchByConfig: Record<string, number>;
  /** The best configuration's median, its key and label; null without PyTorch. */
  torch: number | null;
  torchConfig: string | null;
  torchLabel: string | null;
  /** ours best / torch best. */
  ratio: number | null;
  engine: string;
  /** The engine's reason at our best thread count. */
  engineReason: string;
  params: { ours: number; torch: number | null };
}

/** The key with the highest value (the first on a tie), or null for none. */
function bestKey(byKey: Readonly<Record<string, number>>): string | null {
  let best: string | null = null;
  for (const [k, v] of Object.entries(byKey)) if (best === null || v > byKey[best]) best = k;
  return best;
}

export function summarise(f: CaseFigures, configs: readonly TorchConfig[]): CaseSummary {
  const oursByThreads: Record<string, number> = {};
  for (const [k, xs] of Object.entries(f.ours)) if (xs.length) oursByThreads[k] = median(xs);
  const oursKey = bestKey(oursByThreads);
  const torchByConfig: Record<string, number> = {};
  for (const c of configs) if (f.torch[c.key]?.length) torchByConfig[c.key] = median(f.torch[c.key]);
  let best: TorchConfig | null = null;
  for (const c of configs) if (c.key in torchByConfig && (!best || torchByConfig[c.key] > torchByConfig[best.key])) best = c;
  const ours = oursKey === null ? null : oursByThreads[oursKey];
  const torch = best ? torchByConfig[best.key] : null;
  return {
    name: f.name,
    unit: f.unit,
    ours,
    oursThreads: oursKey === null || oursKey === OURS_FIXED ? null : Number(oursKey),
    oursByThreads,
    error: f.error ?? null,
    torchByConfig,
    torch,
    torchConfig: best?.key ?? null,
    torchLabel: best?.label ?? null,
    ratio: torch && ours !== null ? ours / torch : null,
    engine: f.engine,
    engineReason: (oursKey === null ? undefined : f.engineReason[oursKey]) ?? Object.values(f.engineReason)[0] ?? "no run of ours succeeded",
    params: f.params,
  };
}

const fmt = (v: number | null | undefined): string => (v == null ? "—" : Math.round(v).toLocaleString("en-US"));

/** The best of the configurations with `threads` threads, with "(allocator kept)" when that one won. */
function bestAt(s: CaseSummary, configs: readonly TorchConfig[], threads: number): string {
  const at = configs.filter((c) => c.threads === threads && c.key in s.torchByConfig);
  if (at.length === 0) return "—";
  const best = at.reduce((a, b) => (s.torchByConfig[b.key] > s.torchByConfig[a.key] ? b : a));
  return `${fmt(s.torchByConfig[best.key])}${best.keepAllocator ? " (allocator kept)" : ""}`;
}

/**
 * A heading and a markdown table for one case: ours at 1 and 2 threads (one column, said so, when
 * the addon was not loaded and ours ran at the backend's own threads), PyTorch's best at 1 and 2
 * threads, PyTorch's best configuration and our best / its best with our best's thread count.
 */
export function caseTable(s: CaseSummary, title: string, reps: number, configs: readonly TorchConfig[]): string[] {
  const params = s.params.torch == null ? `${fmt(s.params.ours)} parameters` : `${fmt(s.params.ours)} parameters (PyTorch ${fmt(s.params.torch)})`;
  const fixed = OURS_FIXED in s.oursByThreads;
  // A run that failed has no figure; ours stops at the first failure, so the cells after it say so.
  const oursCell = (key: string): string => (key in s.oursByThreads ? fmt(s.oursByThreads[key]) : s.error ? "failed" : "—");
  const oursHead = fixed ? ["ours (native addon not loaded: the backend's own threads)"] : OURS_THREADS.map((n) => `ours ${n} thread${n === 1 ? "" : "s"}`);
  const oursCells = fixed ? [oursCell(OURS_FIXED)] : OURS_THREADS.map((n) => oursCell(String(n)));
  const ratio =
    s.ratio == null ? "—" : `${s.ratio.toFixed(2)}${s.oursThreads == null ? "" : ` (ours at ${s.oursThreads} thread${s.oursThreads === 1 ? "" : "s"})`}`;
  return [
    `### ${s.name}: ${title}`,
    `${s.unit}, median of ${reps}${s.torch == null ? "" : " (PyTorch configurations well behind its best: first repetition only)"}; ${params}; ours: ${s.error ? `failed: ${s.error}` : `${s.engine} step (${s.engineReason})`}`,
    `| ${[...oursHead, "torch 1 thread", "torch 2 threads", "torch best config", "ratio (our best / torch best)"].join(" | ")} |`,
    `|${"---|".repeat(oursHead.length + 4)}`,
    `| ${[...oursCells, bestAt(s, configs, 1), bestAt(s, configs, 2), s.torchLabel ?? "—", ratio].join(" | ")} |`,
  ];
}

/** The one JSON line: every case's ours (our best)/torch/ratio (+ our best's thread count, unit, engine, PyTorch's configuration), and batch4/batch64 as before. */
export function benchJson(summaries: readonly CaseSummary[], backend: string): string {
  const round = (v: number | null): number | null => (v == null ? null : Math.round(v));
  const cases: Record<string, Record<string, unknown>> = {};
  const brief: Partial<Record<CaseName, { ours: number | null; torch: number | null; ratio: number | null }>> = {};
  for (const s of summaries) {
    const core = { ours: round(s.ours), torch: round(s.torch), ratio: s.ratio == null ? null : Number(s.ratio.toFixed(3)) };
    brief[s.name] = core;
    cases[s.name] = {
      ...core,
      oursThreads: s.oursThreads,
      oursByThreads: Object.fromEntries(Object.entries(s.oursByThreads).map(([k, v]) => [k, Math.round(v)])),
      unit: s.unit,
      engine: s.engine,
      engineReason: s.engineReason,
      ...(s.error ? { error: s.error } : {}),
      torchConfig: s.torchConfig,
      torchByConfig: Object.fromEntries(Object.entries(s.torchByConfig).map(([k, v]) => [k, Math.round(v)])),
      params: s.params,
    };
  }
  return JSON.stringify({
    bench: "training",
    cases,
    ...(brief["lenet-b4"] ? { batch4: brief["lenet-b4"] } : {}),
    ...(brief["lenet-b64"] ? { batch64: brief["lenet-b64"] } : {}),
    backend,
  });
}
