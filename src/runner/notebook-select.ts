/**
 * Which notebooks a run executes and with what: command-line paths, folders and globs → sorted
 * notebook files; each file read, checked (JSON, tslab kernel) and given this run's parameters.
 */
import * as fs from "fs";
import * as path from "path";
import { type Notebook, cellSource } from "../core/notebook-format";
import { PROJECT_ROOT } from "../core/paths";
import { UsageError } from "./cli-options";
import {
  type ParamDeclaration,
  type ParamValue,
  type Profile,
  findParametersCell,
  injectParameters,
  injectedCellSource,
  parseParameters,
  resolveParams,
} from "./notebook-params";

function globToRegExp(pattern: string): RegExp {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, "[^/]*")
    .replace(/\?/g, "[^/]");
  return new RegExp(`^${re}$`);
}

/** Paths, directories and `*`/`?` globs (in the file name) → sorted notebook paths. */
export function expandNotebooks(args: string[], cwd: string): string[] {
  const found = new Set<string>();
  const listDir = (dir: string): string[] =>
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".ipynb") && !f.startsWith("."))
      .map((f) => path.join(dir, f));
  for (const arg of args.length ? args : [path.join(PROJECT_ROOT, "notebooks")]) {
    const abs = path.resolve(cwd, arg);
    if (/[*?]/.test(path.basename(abs))) {
      const dir = path.dirname(abs);
      const re = globToRegExp(path.basename(abs));
      const matches = fs.existsSync(dir) ? listDir(dir).filter((f) => re.test(path.basename(f))) : [];
      if (matches.length === 0) throw new UsageError(`no notebook matches ${arg}`);
      matches.forEach((m) => found.add(m));
    } else if (!fs.existsSync(abs)) {
      throw new UsageError(`notebook ${arg} does not exist`);
    } else if (fs.statSync(abs).isDirectory()) {
      const inDir = listDir(abs);
      if (inDir.length === 0) throw new UsageError(`directory ${arg} holds no .ipynb notebook`);
      inDir.forEach((m) => found.add(m));
    } else if (!abs.endsWith(".ipynb")) {
      throw new UsageError(`${arg} is not a notebook (expected a .ipynb file)`);
    } else {
      found.add(abs);
    }
  }
  return [...found].sort();
}

/** The i-th of n deterministic slices of the sorted notebook list (1-based i), for a CI matrix. */
export function shardOf<T>(items: T[], shard: { index: number; count: number } | null): T[] {
  return shard ? items.filter((_, i) => i % shard.count === shard.index - 1) : items;
}

/** A notebook ready to execute: the source as read, and the copy with this run's parameters injected. */
export interface Prepared {
  abs: string;
  /** Path relative to the project root (absolute when outside it). */
  rel: string;
  name: string;
  title: string;
  source: Notebook;
  notebook: Notebook;
  injectedIndex: number;
  parameters: Record<string, ParamValue>;
}

function notebookTitle(nb: Notebook, fallback: string): string {
  for (const c of nb.cells) {
    if (c.cell_type !== "markdown") continue;
    const m = /^#\s+(.+)$/m.exec(cellSource(c));
    if (m) return m[1].trim();
  }
  return fallback;
}

/** JSON.parse's message without the file text it quotes (which can span lines): "Unexpected token 'o'". */
function jsonErrorSummary(e: Error): string {
  const what = e.message.split(/, "|, \.\.\.| in JSON|\n/)[0].trim();
  const position = /position (\d+)/.exec(e.message);
  return `not valid JSON (${what}${position ? ` at character ${position[1]}` : ""})`;
}

/** Reads a notebook and applies the profile and overrides; throws UsageError on bad input. */
export function prepareNotebook(abs: string, profile: Profile, overrides: Record<string, string>): { prepared: Prepared; declared: ParamDeclaration[] } {
  const rel = path.relative(PROJECT_ROOT, abs).startsWith("..") ? abs : path.relative(PROJECT_ROOT, abs);
  let text: string;
  try {
    text = fs.readFileSync(abs, "utf8");
  } catch (e) {
    throw new UsageError(`${rel}: not readable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let nb: Notebook;
  try {
    nb = JSON.parse(text) as Notebook;
  } catch (e) {
    throw new UsageError(`${rel}: not a notebook: ${jsonErrorSummary(e as Error)}`);
  }
  if (!nb || !Array.isArray(nb.cells)) throw new UsageError(`${rel}: not a notebook (no "cells" list)`);
  const kernel = nb.metadata?.kernelspec?.name;
  if (kernel !== "tslab") throw new UsageError(`${rel}: kernelspec is "${kernel ?? "missing"}"; expected "tslab"`);
  const name = path.basename(abs, ".ipynb");
  let declared: ParamDeclaration[] = [];
  let notebook = nb;
  let injectedIndex = -1;
  let parameters: Record<string, ParamValue> = {};
  try {
    const idx = findParametersCell(nb, rel);
    if (idx >= 0) {
      declared = parseParameters(cellSource(nb.cells[idx]), rel);
      const relevant = Object.fromEntries(Object.entries(overrides).filter(([k]) => declared.some((d) => d.name === k)));
      const resolved = resolveParams(declared, profile, relevant, rel);
      parameters = resolved.values;
      if (Object.keys(resolved.injected).length > 0) {
        notebook = injectParameters(nb, idx, injectedCellSource(resolved.injected, profile));
        injectedIndex = idx + 1;
      }
    }
  } catch (e) {
    throw e instanceof UsageError ? e : new UsageError((e as Error).message);
  }
  return { prepared: { abs, rel, name, title: notebookTitle(nb, name), source: nb, notebook, injectedIndex, parameters }, declared };
}
