/**
 * The runner's command line: `run-notebooks [notebooks...] [options]` and
 * `run-notebooks merge <shard folders...> --out DIR`. Bad input is a `UsageError`, which the
 * runner prints as one line and exits with code 2.
 */
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../core/paths";
import { PROFILES, type Profile, splitAssignment } from "./notebook-params";

/** Bad input (arguments, notebooks, setup): one line, exit code 2, before anything runs. */
export class UsageError extends Error {}

export interface RunnerOptions {
  notebooks: string[];
  profile: Profile;
  overrides: Record<string, string>;
  jobs: number;
  timeout: number;
  out: string;
  shard: { index: number; count: number } | null;
  /** Print the selected notebooks and their parameter values, run nothing. */
  list: boolean;
  /** Execute every notebook even when the cache holds its result (the cache is still updated). */
  force: boolean;
  /** Folder of cached results; null with --no-cache (neither read nor written). */
  cacheDir: string | null;
  /** Every page carries plotly.js, MathJax and the site's script inline (one file to share), instead of sharing assets/. */
  selfContained: boolean;
}

export interface MergeOptions {
  shards: string[];
  out: string;
}

export const DEFAULT_CACHE_DIR = path.join(PROJECT_ROOT, ".runbook-cache");

export const USAGE = `usage: run-notebooks [notebook.ipynb | dir | glob ...] [--profile quick|full] [-p name=value ...]
                     [--jobs N] [--timeout SECONDS] [--out DIR] [--shard i/n] [--list]
                     [--force] [--cache DIR | --no-cache] [--self-contained]
       run-notebooks merge SHARD_DIR... [--out DIR]`;

function flagValue(argv: string[], i: number, flag: string): string {
  const v = argv[i + 1];
  if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
  return v;
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} ${text}: expected a positive integer`);
  return n;
}

export function parseRunArgs(argv: string[]): RunnerOptions {
  const opts: RunnerOptions = {
    notebooks: [],
    profile: "full",
    overrides: {},
    jobs: os.cpus().length,
    timeout: 7200, // catches a hung cell; the full §3.3 training cell alone takes ~25 min on 2 busy cores
    out: path.join(PROJECT_ROOT, "reports"),
    shard: null,
    list: false,
    force: false,
    cacheDir: DEFAULT_CACHE_DIR,
    selfContained: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case "--profile": {
        const p = flagValue(argv, i++, a);
        if (!(PROFILES as readonly string[]).includes(p)) throw new UsageError(`--profile ${p}: expected one of ${PROFILES.join(", ")}`);
        opts.profile = p as Profile;
        break;
      }
      case "-p":
      case "--param": {
        let kv: [string, string];
        try {
          kv = splitAssignment(flagValue(argv, i++, a));
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
        opts.overrides[kv[0]] = kv[1];
        break;
      }
      case "--jobs":
        opts.jobs = positiveInt(flagValue(argv, i++, a), a);
        break;
      case "--timeout":
        opts.timeout = positiveInt(flagValue(argv, i++, a), a);
        break;
      case "--out":
        opts.out = path.resolve(flagValue(argv, i++, a));
        break;
      case "--shard": {
        const s = flagValue(argv, i++, a);
        const m = /^(\d+)\/(\d+)$/.exec(s);
        if (!m || +m[1] < 1 || +m[1] > +m[2]) throw new UsageError(`--shard ${s}: expected i/n with 1 ≤ i ≤ n, e.g. 2/3`);
        opts.shard = { index: +m[1], count: +m[2] };
        break;
      }
      case "--list":
        opts.list = true;
        break;
      case "--force":
        opts.force = true;
        break;
      case "--cache":
        opts.cacheDir = path.resolve(flagValue(argv, i++, a));
        break;
      case "--no-cache":
        opts.cacheDir = null;
        break;
      case "--self-contained":
        opts.selfContained = true;
        break;
      case "-h":
      case "--help":
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        if (a.startsWith("-")) throw new UsageError(`unknown option ${a} (see --help)`);
        opts.notebooks.push(a);
    }
  }
  return opts;
}

export function parseMergeArgs(argv: string[]): MergeOptions {
  const opts: MergeOptions = { shards: [], out: path.join(PROJECT_ROOT, "reports") };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--out") opts.out = path.resolve(flagValue(argv, i++, a));
    else if (a.startsWith("-")) throw new UsageError(`merge: unknown option ${a} (see --help)`);
    else opts.shards.push(path.resolve(a));
  }
  if (opts.shards.length === 0) throw new UsageError("merge: name the shard report folders to combine, e.g. merge shard-1 shard-2 --out reports");
  return opts;
}
