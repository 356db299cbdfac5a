/**
 * The backend layer picks the fastest working backend and says why the others were not used.
 * Each case runs in a fresh process: TensorFlow.js keeps one global engine per process.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import type { BackendReport } from "../src/engine/backend";

const BACKEND_JS = path.resolve(__dirname, "..", "src", "engine", "backend.js");

function initIn(env: Record<string, string | undefined>, prefer?: string): { report?: BackendReport; error?: string } {
  const code = `require(${JSON.stringify(BACKEND_JS)}).initBackend(${prefer ? JSON.stringify(prefer) : ""})
    .then((r) => console.log("REPORT " + JSON.stringify(r)), (e) => console.log("ERROR " + e.message));`;
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env })) if (v !== undefined) childEnv[k] = v;
  const r = spawnSync(process.execPath, ["-e", code], { encoding: "utf8", env: childEnv });
  const line = r.stdout.split("\n").find((l) => l.startsWith("REPORT ") || l.startsWith("ERROR "));
  assert.ok(line, `no result: ${r.stdout}${r.stderr}`);
  return line.startsWith("REPORT ") ? { report: JSON.parse(line.slice(7)) as BackendReport } : { error: line.slice(6) };
}

test("default: native backends are tried first, and the first working one is used (never cpu here)", () => {
  const { report } = initIn({ RUNBOOK_BACKEND: undefined });
  assert.ok(report);
  assert.deepEqual(report.attempts.map((a) => a.choice).slice(0, 2), ["node-gpu", "node"]);
  const used = report.attempts[report.attempts.length - 1];
  assert.equal(used.ok, true);
  assert.equal(report.choice, used.choice);
  assert.notEqual(report.choice, "cpu", "wasm must work on every machine of this project");
  for (const a of report.attempts.slice(0, -1)) {
    assert.equal(a.ok, false);
    assert.ok(a.reason.length > 10, `a reason is given for ${a.choice}: ${a.reason}`);
  }
  if (report.choice === "wasm") assert.deepEqual(report.patchedKernels, ["Conv2DBackpropFilter", "Conv2DBackpropInput (as a forward conv)"]);
  assert.equal(report.forcedBy, null);
});

test("RUNBOOK_BACKEND forces a backend, and an unknown or unavailable one fails loudly", () => {
  const cpu = initIn({ RUNBOOK_BACKEND: "cpu" });
  assert.equal(cpu.report?.choice, "cpu");
  assert.equal(cpu.report?.tfjsBackend, "cpu");
  assert.equal(cpu.report?.forcedBy, "RUNBOOK_BACKEND=cpu");
  assert.equal(initIn({ RUNBOOK_BACKEND: "wasm" }).report?.tfjsBackend, "wasm");
  assert.match(initIn({ RUNBOOK_BACKEND: "gpu" }).error ?? "", /RUNBOOK_BACKEND=gpu: expected one of node-gpu, node, wasm, cpu/);
  const native = initIn({ RUNBOOK_BACKEND: "node" });
  if (native.error) assert.match(native.error, /backend node \(RUNBOOK_BACKEND=node\) cannot start: node: @tensorflow\/tfjs-node is not installed/);
  else assert.equal(native.report?.tfjsBackend, "tensorflow");
});

test("initBackend's argument wins over the environment", () => {
  assert.equal(initIn({ RUNBOOK_BACKEND: "wasm" }, "cpu").report?.choice, "cpu");
});
