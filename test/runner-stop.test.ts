/**
 * Stopping the runner: SIGTERM while a notebook runs ends its executor and its tslab kernel at
 * once (the kernel runs in a session of its own and would otherwise run on, orphaned), removes
 * the half-written staging folder and keeps the previous report.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT, startRunner, tmpDir } from "./helpers/runner";

/** True while `pid` is a live process (a zombie awaiting its reaper counts as ended). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

async function waitFor(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test("SIGTERM stops the executor and its kernel at once, removes the staging folder, keeps the previous report", async () => {
  const dir = tmpDir("runner-stop-");
  const out = path.join(dir, "reports");
  fs.mkdirSync(out);
  fs.writeFileSync(path.join(out, "previous.txt"), "the previous report");
  const pidFile = path.join(dir, "kernel.pid");
  // The notebook writes its kernel's pid, then waits ten minutes (the per-cell timeout is 30).
  const runner = startRunner([path.join(ROOT, "test", "fixtures", "runner", "hang.ipynb"), "-p", `pidFile=${pidFile}`, "--out", out, "--no-cache"]);
  await waitFor("the kernel to run the notebook", () => fs.existsSync(pidFile) && fs.readFileSync(pidFile, "utf8") !== "", 120_000);
  const kernel = Number(fs.readFileSync(pidFile, "utf8"));
  assert.ok(alive(kernel));
  process.kill(runner.pid, "SIGTERM");
  const r = await runner.done;
  assert.equal(r.code, 143, r.out);
  assert.match(r.out, /SIGTERM: stopping the executors and their kernels; the previous report is kept/);
  // Killed processes are reaped by init; allow it a moment (the old behaviour ran for the full 10 minutes).
  await waitFor(`kernel ${kernel} to end`, () => !alive(kernel), 5_000);
  assert.deepEqual(fs.readdirSync(dir).sort(), ["kernel.pid", "reports"], "no staging folder left");
  assert.deepEqual(fs.readdirSync(out), ["previous.txt"], "the previous report is untouched");
});
