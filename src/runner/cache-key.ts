/**
 * The cache key of one notebook run: a hash of everything that decides its result, so an
 * unchanged notebook can be taken from the cache and a changed input always re-runs it.
 *
 * - notebook: every cell's type, tags and source (code and markdown: a markdown edit re-executes);
 * - parameters: this run's profile and resolved parameter values;
 * - library: the compiled modules the notebook reaches. For `import { a, b } from "<relative>"`
 *   the modules that define `a` and `b` (following the index's `export *`), then every module
 *   they `require`, transitively (.js and .d.ts). `import * as` or a name not found → the
 *   imported file's whole closure. Package imports are covered by the lockfile;
 * - lockfile: package-lock.json of the project;
 * - data: files matched by the notebook's metadata `runbook.data_files` (globs, project-relative);
 * - engine: Node, platform, the optional native TensorFlow.js packages installed, the oneDNN
 *   addon binary, and the RUNBOOK_* settings that can change a result;
 * - executor: scripts/execute_notebook.py and the runner's own compiled code, which execute and render.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { envDataKeyFile } from "../core/env";
import { type Notebook, cellSource } from "../core/notebook-format";
import { PROJECT_ROOT } from "../core/paths";
import type { ParamValue, Profile } from "./notebook-params";

export interface CacheKey {
  /** sha256 (hex) over the components. */
  key: string;
  /** One hash per component, so an entry can say what it was made from. */
  components: Record<string, string>;
  /** Project-relative compiled modules the notebook reaches. */
  modules: string[];
  /** Project-relative data files matched by `runbook.data_files`. */
  dataFiles: string[];
}

const sha256 = (data: string | Buffer): string => crypto.createHash("sha256").update(data).digest("hex");

/** Content hashes of files, memoised for one run (many notebooks share modules). */
const fileHashes = new Map<string, string>();
function hashFile(file: string): string {
  let h = fileHashes.get(file);
  if (h === undefined) {
    h = fs.existsSync(file) ? sha256(fs.readFileSync(file)) : "missing";
    fileHashes.set(file, h);
  }
  return h;
}

const relToRoot = (file: string): string => {
  const rel = path.relative(PROJECT_ROOT, file);
  return rel.startsWith("..") ? file : rel;
};

/** A relative `require`/`import` specifier → the .js file Node would load, or null. */
function resolveModule(fromDir: string, spec: string): string | null {
  const base = path.resolve(fromDir, spec);
  for (const f of [base, `${base}.js`, path.join(base, "index.js")]) {
    if (fs.existsSync(f) && fs.statSync(f).isFile()) return f;
  }
  return null;
}

interface ModuleInfo {
  requires: string[];
  /** Names assigned here (`exports.NAME = …`). */
  defines: Set<string>;
  /** `export { NAME } from "./y"` compiled to a getter: NAME → y. */
  reexports: Map<string, string>;
  /** `export * from "./y"`. */
  stars: string[];
  /** Type-only exports (interfaces, type aliases) declared in the module's .d.ts. */
  types: Set<string>;
}

const moduleInfos = new Map<string, ModuleInfo>();
function moduleInfo(file: string): ModuleInfo {
  const known = moduleInfos.get(file);
  if (known) return known;
  const text = fs.readFileSync(file, "utf8");
  const dir = path.dirname(file);
  const info: ModuleInfo = { requires: [], defines: new Set(), reexports: new Map(), stars: [], types: new Set() };
  const vars = new Map<string, string>();
  for (const m of text.matchAll(/require\("(\.{1,2}\/[^"]*)"\)/g)) {
    const f = resolveModule(dir, m[1]);
    if (f && !info.requires.includes(f)) info.requires.push(f);
  }
  for (const m of text.matchAll(/(?:var|const|let)\s+(\w+)\s*=\s*(?:__importStar\(|__importDefault\()?require\("(\.{1,2}\/[^"]*)"\)/g)) {
    const f = resolveModule(dir, m[2]);
    if (f) vars.set(m[1], f);
  }
  for (const m of text.matchAll(/__exportStar\(require\("(\.{1,2}\/[^"]*)"\)/g)) {
    const f = resolveModule(dir, m[1]);
    if (f) info.stars.push(f);
  }
  for (const m of text.matchAll(/\bexports\.([A-Za-z_$][\w$]*)\s*=/g)) info.defines.add(m[1]);
  for (const m of text.matchAll(/Object\.defineProperty\(exports,\s*"([\w$]+)",\s*\{[^}]*?return\s+(\w+)\.[\w$]+/g)) {
    const f = vars.get(m[2]);
    if (f) info.reexports.set(m[1], f);
  }
  const dts = file.replace(/\.js$/, ".d.ts");
  if (fs.existsSync(dts)) {
    for (const m of fs.readFileSync(dts, "utf8").matchAll(/^export (?:declare )?(?:type|interface)\s+([\w$]+)/gm)) info.types.add(m[1]);
  }
  moduleInfos.set(file, info);
  return info;
}

/** The module that defines `name` as seen from `file`, following re-exports; null when not found. */
function definingModule(file: string, name: string, seen = new Set<string>()): string | null {
  if (seen.has(file)) return null;
  seen.add(file);
  const info = moduleInfo(file);
  if (info.defines.has(name) || info.types.has(name)) return file;
  const via = info.reexports.get(name);
  if (via) return definingModule(via, name, seen);
  for (const star of info.stars) {
    const found = definingModule(star, name, seen);
    if (found) return found;
  }
  return null;
}

function requireClosure(roots: Iterable<string>): Set<string> {
  const closure = new Set<string>();
  const stack = [...roots];
  while (stack.length) {
    const f = stack.pop() as string;
    if (closure.has(f)) continue;
    closure.add(f);
    stack.push(...moduleInfo(f).requires);
  }
  return closure;
}

/** Relative imports in TypeScript source: specifier and imported names (null = the whole module). */
export function relativeImports(source: string): { spec: string; names: string[] | null }[] {
  const found: { spec: string; names: string[] | null }[] = [];
  const named = /import\s+(?:type\s+)?\{([^}]*)\}\s*from\s*["'](\.{1,2}\/[^"']+)["']/g;
  for (const m of source.matchAll(named)) {
    const names = m[1]
      .split(",")
      .map((n) =>
        n
          .trim()
          .replace(/^type\s+/, "")
          .split(/\s+as\s+/)[0]
          .trim(),
      )
      .filter(Boolean);
    found.push({ spec: m[2], names });
  }
  const whole = /(?:import\s+(?:\*\s+as\s+\w+|\w+)\s+from\s*|import\s*\(\s*|require\s*\(\s*|import\s+)["'](\.{1,2}\/[^"']+)["']/g;
  for (const m of source.matchAll(whole)) found.push({ spec: m[1], names: null });
  return found;
}

/** Compiled modules a notebook reaches through its relative imports (absolute paths, sorted). */
export function notebookModules(nb: Notebook, notebookDir: string): string[] {
  const roots = new Set<string>();
  for (const cell of nb.cells) {
    if (cell.cell_type !== "code") continue;
    for (const { spec, names } of relativeImports(cellSource(cell))) {
      const file = resolveModule(notebookDir, spec);
      if (!file) continue; // tslab reports the missing module when the cell runs
      if (names === null) {
        roots.add(file);
        continue;
      }
      for (const name of names) roots.add(definingModule(file, name) ?? file);
    }
  }
  return [...requireClosure(roots)].sort();
}

function globToRegExp(glob: string): RegExp {
  const re = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*\*\/?/g, "\u0000")
    .replace(/\*/g, "[^/]*")
    .replace(/\?/g, "[^/]")
    .replace(/\u0000/g, "(?:.*/)?");
  return new RegExp(`^${re}$`);
}

/** Files matching project-relative (or absolute) globs with `*`, `?` and `**`, sorted. */
export function matchDataFiles(globs: string[]): string[] {
  const files = new Set<string>();
  for (const glob of globs) {
    const abs = path.resolve(PROJECT_ROOT, glob);
    const staticPart =
      abs
        .split("/")
        .filter((_, i, parts) => !parts.slice(0, i + 1).some((p) => /[*?]/.test(p)))
        .join("/") || "/";
    if (!fs.existsSync(staticPart)) continue;
    if (fs.statSync(staticPart).isFile()) {
      files.add(staticPart);
      continue;
    }
    const re = globToRegExp(abs);
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (re.test(p)) files.add(p);
      }
    };
    walk(staticPart);
  }
  return [...files].sort();
}

/** RUNBOOK_* settings that only say where things are or how the report is checked, not what a notebook computes. */
const NON_RESULT_SETTINGS = new Set([
  "RUNBOOK_CHROMIUM",
  "RUNBOOK_BROWSER_CHECK",
  "RUNBOOK_PYTHON",
  "RUNBOOK_JUPYTER_PREFIX",
  "RUNBOOK_FACTS_FILE",
  "RUNBOOK_REPORT",
  "RUNBOOK_PROFILE",
]);

function engineComponent(): string {
  const settings = Object.keys(process.env)
    .filter((k) => k.startsWith("RUNBOOK_") && !NON_RESULT_SETTINGS.has(k))
    .sort()
    .map((k) => `${k}=${sha256(process.env[k] ?? "")}`);
  const optional = ["@tensorflow/tfjs-node", "@tensorflow/tfjs-node-gpu"].map((p) => {
    const manifest = path.join(PROJECT_ROOT, "node_modules", p, "package.json");
    return `${p}:${fs.existsSync(manifest) ? hashFile(manifest) : "absent"}`;
  });
  const addon = hashFile(path.join(PROJECT_ROOT, "native", "build", "Release", "runbook_native.node"));
  // The data key decides pseudonyms and ciphertexts (notebook 09-4): its file's content, not only its name.
  const keyFiles = [envDataKeyFile(), path.join(PROJECT_ROOT, ".keys", "runbook-data.key")]
    .filter((f): f is string => Boolean(f))
    .map((f) => hashFile(path.resolve(f)));
  return sha256(JSON.stringify([process.version, process.platform, process.arch, optional, `addon:${addon}`, settings, keyFiles]));
}

/**
 * What executes and renders a notebook: scripts/execute_notebook.py and the runner's compiled code
 * (the page header, parameter injection, what is written into pages). A runner change re-runs all.
 */
function executorComponent(): string {
  const runnerDir = path.join(PROJECT_ROOT, "dist", "src", "runner");
  const files = [
    path.join(PROJECT_ROOT, "scripts", "execute_notebook.py"),
    path.join(PROJECT_ROOT, "dist", "scripts", "run-notebooks.js"),
    ...(fs.existsSync(runnerDir)
      ? fs
          .readdirSync(runnerDir)
          .filter((f) => f.endsWith(".js"))
          .sort()
          .map((f) => path.join(runnerDir, f))
      : []),
  ];
  return sha256(JSON.stringify(files.map((f) => [relToRoot(f), hashFile(f)])));
}

/** The key of running `source` (as on disk) with `parameters` under `profile`, from `notebookDir`. */
export function computeCacheKey(source: Notebook, notebookDir: string, profile: Profile, parameters: Record<string, ParamValue>): CacheKey {
  const cells = source.cells.map((c) => [c.cell_type, c.metadata?.tags ?? [], cellSource(c)]);
  const modules = notebookModules(source, notebookDir);
  const runbookMeta = (source.metadata?.runbook ?? {}) as { data_files?: unknown };
  const globs = Array.isArray(runbookMeta.data_files) ? runbookMeta.data_files.filter((g): g is string => typeof g === "string") : [];
  const dataFiles = matchDataFiles(globs);
  const sortedParams = Object.fromEntries(Object.entries(parameters).sort(([a], [b]) => a.localeCompare(b)));
  const components: Record<string, string> = {
    notebook: sha256(JSON.stringify([source.metadata?.kernelspec?.name, cells])),
    parameters: sha256(JSON.stringify([profile, sortedParams])),
    library: sha256(JSON.stringify(modules.map((m) => [relToRoot(m), hashFile(m), hashFile(m.replace(/\.js$/, ".d.ts"))]))),
    lockfile: hashFile(path.join(PROJECT_ROOT, "package-lock.json")),
    data: sha256(JSON.stringify([globs, dataFiles.map((f) => [relToRoot(f), hashFile(f)])])),
    engine: engineComponent(),
    executor: executorComponent(),
  };
  const key = sha256(JSON.stringify({ format: 1, ...components }));
  return { key, components, modules: modules.map(relToRoot), dataFiles: dataFiles.map(relToRoot) };
}
