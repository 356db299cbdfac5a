/**
 * The bench's settings from its environment variables, validated: BENCH_REPS, BENCH_CASES,
 * BENCH_SCALE, BENCH_TORCH (see the README's benchmark section).
 */

/**
 * Every case `npm run bench` knows, in the order it runs and prints them. The GPT is last: on the
 * wasm backend its batch-64 step can run out of XNNPACK memory, which aborts the wasm module for
 * every case after it (the bench reports the failure and goes on with PyTorch's figures).
 */
export const CASE_NAMES = ["lenet-b4", "lenet-b64", "resnet20-b128", "mlp-adam", "gru", "gpt-d256-b64"] as const;
export type CaseName = (typeof CASE_NAMES)[number];

export interface BenchOptions {
  /** Repetitions of every case (ours and each PyTorch configuration once per repetition); medians are reported. */
  reps: number;
  /** The cases to run, in CASE_NAMES order. */
  cases: CaseName[];
  /** Multiplies every case's timed steps (0.1 for a quick look; at least a few steps always run). */
  scale: number;
  /** false with BENCH_TORCH=off: ours alone, nothing installed. */
  torch: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

const isCase = (s: string): s is CaseName => (CASE_NAMES as readonly string[]).includes(s);

/** Reads and checks the bench's variables; throws one line naming the variable and what it accepts. */
export function parseBenchOptions(env: Env): BenchOptions {
  const repsText = env.BENCH_REPS?.trim() || "5";
  if (!/^[1-9]\d*$/.test(repsText)) throw new Error(`BENCH_REPS=${repsText}: expected a positive integer (default 5)`);
  const scaleText = env.BENCH_SCALE?.trim() || "1";
  const scale = Number(scaleText);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 10) throw new Error(`BENCH_SCALE=${scaleText}: expected a number in (0, 10] (default 1)`);
  const torchText = env.BENCH_TORCH?.trim().toLowerCase() || "on";
  if (torchText !== "on" && torchText !== "off") throw new Error(`BENCH_TORCH=${torchText}: expected on or off (default on)`);
  let cases: CaseName[] = [...CASE_NAMES];
  const casesText = env.BENCH_CASES?.trim();
  if (casesText) {
    const asked = casesText.split(",").map((s) => s.trim());
    const unknown = asked.filter((s) => !isCase(s));
    if (unknown.length > 0 || asked.length === 0) {
      throw new Error(
        `BENCH_CASES=${casesText}: unknown case ${unknown.map((s) => JSON.stringify(s)).join(", ")}; expected a comma-separated subset of ${CASE_NAMES.join(",")}`,
      );
    }
    cases = CASE_NAMES.filter((c) => asked.includes(c));
  }
  return { reps: Number(repsText), cases, scale, torch: torchText === "on" };
}
