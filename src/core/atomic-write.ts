/**
 * Writing files so that a reader never sees half of one: fill a temporary file in the same
 * folder, fsync it, rename it over the target; on any error the temporary file is removed.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/** A hidden, unique sibling of `dest` for the write in progress. */
export function tempPath(dest: string): string {
  return path.join(path.dirname(dest), `.${path.basename(dest)}.tmp-${process.pid}-${crypto.randomBytes(4).toString("hex")}`);
}

function fsyncFile(file: string): void {
  const fd = fs.openSync(file, "r+");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes `dest` atomically: `write(tmp)` fills a temporary file in the same folder, which is fsynced and renamed. */
export async function writeAtomically(dest: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = tempPath(dest);
  try {
    await write(tmp);
    fsyncFile(tmp);
    fs.renameSync(tmp, dest);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Writes `data` to `dest` atomically (the synchronous form of {@link writeAtomically}). */
export function writeFileAtomic(dest: string, data: string | Uint8Array): void {
  const tmp = tempPath(dest);
  try {
    fs.writeFileSync(tmp, data);
    fsyncFile(tmp);
    fs.renameSync(tmp, dest);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
