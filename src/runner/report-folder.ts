/**
 * The report folder is written under a temporary name (`<out>.partial-<pid>`) and renamed when
 * complete, so `<out>` is always either the previous report or the new one, never half of one.
 */
import * as fs from "fs";
import * as path from "path";
import { UsageError } from "./cli-options";

/**
 * mkdir -p, one level at a time. Node's recursive mkdirSync spins forever on some paths that
 * cannot be created (under /proc it loops at 100% CPU), so each level is created on its own.
 */
function makeDirs(dir: string): void {
  const missing: string[] = [];
  let existing = dir;
  while (!fs.existsSync(existing)) {
    missing.unshift(existing);
    const parent = path.dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  if (!fs.statSync(existing).isDirectory()) throw Object.assign(new Error(`${existing} is not a directory`), { code: "ENOTDIR" });
  for (const d of missing) fs.mkdirSync(d);
}

/** Creates the staging folder for `out` (and its `.work/`), or throws a one-line UsageError. */
export function makeStaging(out: string): string {
  const staging = `${out}.partial-${process.pid}`;
  if (fs.existsSync(out) && !fs.statSync(out).isDirectory()) throw new UsageError(`output ${out} exists and is not a directory`);
  try {
    makeDirs(path.join(staging, ".work"));
    fs.accessSync(staging, fs.constants.W_OK);
    const probe = path.join(staging, ".work", ".probe");
    fs.writeFileSync(probe, "");
    fs.rmSync(probe);
  } catch (e) {
    throw new UsageError(`output directory ${out} is not writable: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return staging;
}

/** Replaces `out` with the finished staging folder in two renames. */
export function publish(staging: string, out: string): void {
  fs.rmSync(path.join(staging, ".work"), { recursive: true, force: true });
  const old = `${out}.old-${process.pid}`;
  if (fs.existsSync(out)) fs.renameSync(out, old);
  fs.renameSync(staging, out);
  fs.rmSync(old, { recursive: true, force: true });
}

/** Removes a staging folder (a stopped run); the previous report stays as it was. */
export function discardStaging(staging: string): void {
  fs.rmSync(staging, { recursive: true, force: true });
}
