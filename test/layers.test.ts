import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ALLOWED_IMPORTS, checkLayers, importsOf, layerOf } from "../scripts/check-layers";

const ROOT = path.resolve(__dirname, "..", "..");

test("every import in src/ and scripts/ follows the layer rule (ARCHITECTURE.md)", () => {
  const violations = checkLayers(ROOT);
  assert.deepEqual(
    violations.map((v) => v.message),
    [],
  );
});

test("every folder of src/ is a declared layer, and ARCHITECTURE.md describes each", () => {
  const doc = fs.readFileSync(path.join(ROOT, "ARCHITECTURE.md"), "utf8");
  for (const e of fs.readdirSync(path.join(ROOT, "src"), { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    assert.ok(ALLOWED_IMPORTS[e.name], `src/${e.name}/ is not in ALLOWED_IMPORTS`);
    assert.ok(doc.includes(`\`${e.name}/\``), `ARCHITECTURE.md does not describe ${e.name}/`);
  }
});

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "layers-"));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

test("a deliberately broken tree: an upward import is named with both files", () => {
  const root = tree({
    "src/core/html.ts": `import { showHtml } from "../notebook/display";\n`,
    "src/notebook/display.ts": `import { escapeHtml } from "../core/html";\nexport const showHtml = 1;\n`,
    "src/runner/index.ts": `import { trainClassifier } from "../training/train";\n`,
    "src/training/train.ts": `export const t = require("../engine/backend");\nconst b = tf.engine().backend;\n`,
    "src/engine/backend.ts": `export {};\n`,
    "src/scenarios/finance/risk.ts": `import { wav } from "../audio/wav";\n`,
    "src/scenarios/audio/wav.ts": `export const wav = 1;\n`,
  });
  const messages = checkLayers(root)
    .map((v) => v.message)
    .sort();
  assert.equal(messages.length, 4, messages.join("\n"));
  assert.ok(
    messages.some((m) => m.includes("src/core/html.ts (layer core) imports src/notebook/display (layer notebook)")),
    messages.join("\n"),
  );
  assert.ok(
    messages.some((m) => m.includes("src/runner/index.ts (layer runner) imports src/training/train (layer training)")),
    messages.join("\n"),
  );
  assert.ok(
    messages.some((m) => m.includes("src/training/train.ts reads TensorFlow.js backend internals")),
    messages.join("\n"),
  );
  assert.ok(
    messages.some((m) => m.includes("src/scenarios/finance/risk.ts imports src/scenarios/audio/wav: one scenario may not import another")),
    messages.join("\n"),
  );
  fs.rmSync(root, { recursive: true, force: true });
});

test("an undeclared folder is reported, not silently allowed", () => {
  const root = tree({ "src/utils/x.ts": `export const x = 1;\n` });
  assert.match(checkLayers(root)[0]?.message ?? "", /src\/utils\/ is not a layer/);
  fs.rmSync(root, { recursive: true, force: true });
});

test("importsOf finds import/export-from, dynamic import and require; layerOf maps paths", () => {
  const src = `import a from "./a";\nexport * from '../b';\nconst c = require("./c");\nawait import("./d");\nimport "./e";\nimport * as fs from "fs";\n`;
  assert.deepEqual(importsOf(src), ["./a", "../b", "./c", "./d", "./e"]);
  assert.equal(layerOf("src/index.ts"), "entry");
  assert.equal(layerOf("src/models/resnet.ts"), "models");
  assert.equal(layerOf("scripts/run-notebooks.ts"), "runner");
  assert.equal(layerOf("scripts/bench.ts"), "app");
  assert.equal(layerOf("test/x.test.ts"), null);
});

test("src/index.ts re-exports every module of every layer but runner/", () => {
  const index = fs.readFileSync(path.join(ROOT, "src", "index.ts"), "utf8");
  const exported = new Set([...index.matchAll(/export \* from "\.\/([^"]+)"/g)].map((m) => m[1]));
  const walk = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  const modules = walk(path.join(ROOT, "src"))
    .map((f) => path.relative(path.join(ROOT, "src"), f).split(path.sep).join("/"))
    .filter((f) => f.endsWith(".ts") && f !== "index.ts" && !f.startsWith("runner/"))
    .map((f) => f.slice(0, -3));
  assert.deepEqual(
    modules.filter((m) => !exported.has(m)),
    [],
    "modules missing from src/index.ts",
  );
});
