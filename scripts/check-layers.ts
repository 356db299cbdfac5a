/**
 * The library's dependency rule, as code. Each folder of src/ is one layer; a file may import
 * files of its own layer and of the layers listed for it below, nothing else. ARCHITECTURE.md
 * explains the layers; `npm test` runs this check (test/layers.test.ts), and
 * `node dist/scripts/check-layers.js` prints the violations of a tree.
 */
import * as fs from "fs";
import * as path from "path";

/** What each layer may import besides itself. */
export const ALLOWED_IMPORTS: Readonly<Record<string, readonly string[]>> = {
  core: [],
  engine: ["core"],
  data: ["core"],
  models: ["core", "engine"],
  "from-scratch": ["core"],
  training: ["core", "engine", "models", "data"],
  evaluation: ["core", "engine", "models", "data", "training"],
  text: ["core", "engine", "models", "data", "training", "evaluation"],
  scenarios: ["core", "engine", "models", "data", "training", "evaluation", "text"],
  notebook: ["core", "engine", "models", "data", "training", "evaluation", "text", "scenarios", "from-scratch"],
  runner: ["core"],
  // src/index.ts, the notebooks' one entry point: every layer a notebook uses.
  entry: ["core", "engine", "models", "data", "training", "evaluation", "text", "scenarios", "from-scratch", "notebook"],
  // scripts/*.ts other than the runner's: command-line tools over the library.
  app: ["core", "engine", "models", "data", "training", "evaluation", "text", "scenarios", "from-scratch", "notebook"],
};

/** TensorFlow.js backend internals: only the engine may touch them. */
const TFJS_INTERNALS = /\b(engine\(\)\.backend|backendInstance|dataIdMap|findBackend\()/;

export interface Violation {
  file: string;
  imports: string;
  message: string;
}

/** The layer of a project file: src/<layer>/…, src/index.ts → entry, scripts/run-notebooks.ts → runner, scripts/* → app. */
export function layerOf(rel: string): string | null {
  const parts = rel.split(/[\\/]/);
  if (parts[0] === "src") return parts.length === 2 ? "entry" : parts[1];
  if (parts[0] === "scripts") return parts[1] === "run-notebooks.ts" || parts[1] === "check-layers.ts" ? "runner" : "app";
  return null;
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** Relative module specifiers a TypeScript file imports (import/export from, import(), require()). */
export function importsOf(source: string): string[] {
  const out: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(["'])(\.{1,2}\/[^"']+)\1/gm;
  for (let m = re.exec(source); m; m = re.exec(source)) out.push(m[2]);
  return out;
}

/** Every import in root/src and root/scripts that breaks the rule, naming both files. */
export function checkLayers(root: string): Violation[] {
  const violations: Violation[] = [];
  const files = [...walk(path.join(root, "src")), ...walk(path.join(root, "scripts"))].filter((f) => f.endsWith(".ts"));
  for (const abs of files) {
    const file = path.relative(root, abs).split(path.sep).join("/");
    const from = layerOf(file);
    if (!from) continue;
    const allowed = ALLOWED_IMPORTS[from];
    const source = fs.readFileSync(abs, "utf8");
    if (!allowed) {
      violations.push({
        file,
        imports: "",
        message: `${file}: folder src/${from}/ is not a layer; add it to ALLOWED_IMPORTS in scripts/check-layers.ts and ARCHITECTURE.md`,
      });
      continue;
    }
    if (from !== "engine" && file !== "scripts/check-layers.ts" && TFJS_INTERNALS.test(source)) {
      violations.push({
        file,
        imports: "",
        message: `${file} reads TensorFlow.js backend internals (${TFJS_INTERNALS.exec(source)?.[0]}); only src/engine/ may`,
      });
    }
    for (const spec of importsOf(source)) {
      const target = path
        .relative(root, path.resolve(path.dirname(abs), spec))
        .split(path.sep)
        .join("/");
      const to = layerOf(target.endsWith(".ts") ? target : `${target}.ts`);
      if (to === null || to === from) {
        // Scenarios are independent of each other: finance may not import audio.
        if (from === "scenarios" && to === "scenarios" && file.split("/")[2] !== target.split("/")[2]) {
          violations.push({ file, imports: target, message: `${file} imports ${target}: one scenario may not import another (move shared code down a layer)` });
        }
        continue;
      }
      if (!allowed.includes(to)) {
        violations.push({
          file,
          imports: target,
          message: `${file} (layer ${from}) imports ${target} (layer ${to}); ${from} may import ${allowed.length ? allowed.join(", ") : "nothing but core itself"}`,
        });
      }
    }
  }
  return violations;
}

if (require.main === module) {
  const root = path.resolve(process.argv[2] ?? path.join(__dirname, "..", ".."));
  const violations = checkLayers(root);
  for (const v of violations) console.error(v.message);
  console.log(violations.length === 0 ? "layers: every import follows the rule" : `layers: ${violations.length} violation(s)`);
  process.exitCode = violations.length === 0 ? 0 : 1;
}
