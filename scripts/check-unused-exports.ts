/**
 * Finds exports of src/ that nothing uses. An exported name of a file under src/ (src/index.ts's
 * re-exports do not count) is used when another file of src/, scripts/ or test/ imports it (by
 * name, through src/index, or as `ns.name` after `import * as ns`), or when a notebook's code cells
 * mention it (notebooks import everything from "../dist/src/index"). `npm test` runs this check
 * (test/check-unused-exports.test.ts); `node dist/scripts/check-unused-exports.js [root] [--verbose]`
 * prints the findings for a tree.
 *
 * What fails: an export nothing uses, not even its own file (dead code: delete it). What is only
 * listed: exports used by tests alone (a unit test of a helper is a reason to export it) and
 * exports only their own file uses (mostly the option and result types of exported functions,
 * which are the library's API a notebook may name; dropping `export` is a style choice).
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

export interface UnusedExport {
  /** Project-relative path of the exporting file, e.g. "src/core/html.ts". */
  file: string;
  name: string;
  message: string;
}

export interface UnusedExportReport {
  /** Exports nothing uses (no other file, no notebook, not their own file): the check fails on these. */
  unused: UnusedExport[];
  /** Exports that only test/ files use: listed, allowed. */
  testOnly: UnusedExport[];
  /** Exports that only their own file uses: listed, allowed. */
  fileLocal: UnusedExport[];
}

/**
 * Exports allowed to be unused for now, with the reason; an entry whose name becomes used is
 * reported so that it is removed from here.
 */
export const ALLOWED_UNUSED: Readonly<Record<string, string>> = {};

function walk(dir: string, ext: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name), ext) : e.name.endsWith(ext) ? [path.join(dir, e.name)] : []));
}

const rel = (root: string, abs: string): string => path.relative(root, abs).split(path.sep).join("/");

const hasExport = (node: ts.Node): boolean => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

function bindingNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((e) => (ts.isOmittedExpression(e) ? [] : bindingNames(e.name)));
}

/** Names a file declares as exports (not `export … from` re-exports). */
export function exportedNames(source: ts.SourceFile): string[] {
  const names: string[] = [];
  for (const st of source.statements) {
    if (ts.isExportDeclaration(st)) {
      if (!st.moduleSpecifier && st.exportClause && ts.isNamedExports(st.exportClause)) names.push(...st.exportClause.elements.map((e) => e.name.text));
      continue;
    }
    if (!hasExport(st)) continue;
    if (ts.isVariableStatement(st)) names.push(...st.declarationList.declarations.flatMap((d) => bindingNames(d.name)));
    else if (
      (ts.isFunctionDeclaration(st) ||
        ts.isClassDeclaration(st) ||
        ts.isInterfaceDeclaration(st) ||
        ts.isTypeAliasDeclaration(st) ||
        ts.isEnumDeclaration(st)) &&
      st.name
    )
      names.push(st.name.text);
    else if (ts.isModuleDeclaration(st) && ts.isIdentifier(st.name)) names.push(st.name.text);
  }
  return names;
}

/** True when `name` is referred to in `source` other than where it is declared or exported. */
function usedLocally(source: ts.SourceFile, name: string): boolean {
  let used = false;
  const visit = (n: ts.Node): void => {
    if (used) return;
    if (ts.isIdentifier(n) && n.text === name) {
      const p = n.parent;
      const declares =
        (ts.isFunctionDeclaration(p) ||
          ts.isClassDeclaration(p) ||
          ts.isInterfaceDeclaration(p) ||
          ts.isTypeAliasDeclaration(p) ||
          ts.isEnumDeclaration(p) ||
          ts.isModuleDeclaration(p) ||
          ts.isVariableDeclaration(p) ||
          ts.isBindingElement(p)) &&
        p.name === n;
      if (!declares && !ts.isExportSpecifier(p)) used = true;
    }
    n.forEachChild(visit);
  };
  visit(source);
  return used;
}

/** Every identifier in a piece of code (comments and strings excluded). */
function identifiers(source: ts.SourceFile): Set<string> {
  const out = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n)) out.add(n.text);
    n.forEachChild(visit);
  };
  visit(source);
  return out;
}

interface ImportUse {
  /** Project-relative target file ("src/core/html.ts"), or "src/index.ts". */
  target: string;
  /** Names imported from it; null for `import * as ns` (then every `ns.name` in the file counts). */
  names: string[] | null;
}

/** The relative imports and re-exports of a file, resolved to project files. */
function importUses(root: string, abs: string, source: ts.SourceFile): ImportUse[] {
  const uses: ImportUse[] = [];
  const resolve = (spec: string): string | null => {
    if (!spec.startsWith(".")) return null;
    const base = path.resolve(path.dirname(abs), spec);
    for (const candidate of [base, `${base}.ts`, path.join(base, "index.ts")]) {
      if (candidate.endsWith(".ts") && fs.existsSync(candidate)) return rel(root, candidate);
    }
    return null;
  };
  for (const st of source.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
      const target = resolve(st.moduleSpecifier.text);
      const clause = st.importClause;
      if (!target || !clause) continue;
      if (clause.namedBindings && ts.isNamespaceImport(clause.namedBindings)) uses.push({ target, names: null });
      else if (clause.namedBindings) uses.push({ target, names: clause.namedBindings.elements.map((e) => (e.propertyName ?? e.name).text) });
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)) {
      const target = resolve(st.moduleSpecifier.text);
      if (!target) continue;
      if (st.exportClause && ts.isNamedExports(st.exportClause))
        uses.push({ target, names: st.exportClause.elements.map((e) => (e.propertyName ?? e.name).text) });
    }
  }
  // import() types and dynamic import() or require() calls of a project file: treat like a namespace import.
  const visit = (n: ts.Node): void => {
    if (
      (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) ||
      (ts.isCallExpression(n) &&
        n.arguments.length === 1 &&
        ts.isStringLiteral(n.arguments[0]) &&
        (n.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(n.expression) && n.expression.text === "require")))
    ) {
      const spec = ts.isImportTypeNode(n) ? (n.argument as ts.LiteralTypeNode).literal : (n as ts.CallExpression).arguments[0];
      const target = resolve((spec as ts.StringLiteral).text);
      if (target) uses.push({ target, names: null });
    }
    n.forEachChild(visit);
  };
  visit(source);
  return uses;
}

/** The code of a notebook's code cells, joined. */
function notebookCode(file: string): string {
  const nb = JSON.parse(fs.readFileSync(file, "utf8")) as { cells?: { cell_type: string; source: string | string[] }[] };
  return (nb.cells ?? [])
    .filter((c) => c.cell_type === "code")
    .map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source))
    .join("\n;\n");
}

/** Exports of root/src that nothing else in src/, scripts/, test/ or notebooks/ uses. */
export function findUnusedExports(root: string): UnusedExportReport {
  const parse = (abs: string): ts.SourceFile => ts.createSourceFile(abs, fs.readFileSync(abs, "utf8"), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const files = ["src", "scripts", "test"].flatMap((d) => walk(path.join(root, d), ".ts")).filter((f) => !f.endsWith(".d.ts"));
  const sources = new Map(files.map((abs) => [rel(root, abs), parse(abs)]));
  const notebookIds = new Set<string>();
  for (const nb of walk(path.join(root, "notebooks"), ".ipynb")) {
    for (const id of identifiers(ts.createSourceFile(nb, notebookCode(nb), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS))) notebookIds.add(id);
  }

  // usedBy.get("src/core/html.ts\0escapeHtml") = the files using that export.
  const usedBy = new Map<string, Set<string>>();
  const exporters = new Map<string, string[]>(); // name → src files exporting it
  for (const [file, source] of sources) {
    if (!file.startsWith("src/") || file === "src/index.ts") continue;
    for (const name of exportedNames(source)) exporters.set(name, [...(exporters.get(name) ?? []), file]);
  }
  const markUsed = (target: string, name: string, user: string): void => {
    const targets = target === "src/index.ts" ? (exporters.get(name) ?? []) : [target];
    for (const t of targets) {
      if (t === user) continue;
      const key = `${t}\0${name}`;
      usedBy.set(key, (usedBy.get(key) ?? new Set()).add(user));
    }
  };
  for (const [file, source] of sources) {
    if (file === "src/index.ts") continue;
    let ids: Set<string> | null = null;
    for (const use of importUses(root, path.join(root, file), source)) {
      if (use.names) {
        for (const name of use.names) markUsed(use.target, name, file);
        continue;
      }
      ids ??= identifiers(source);
      const targetNames = use.target === "src/index.ts" ? [...exporters.keys()] : exportedNames(sources.get(use.target) ?? parse(path.join(root, use.target)));
      for (const name of targetNames) if (ids.has(name)) markUsed(use.target, name, file);
    }
  }

  const report: UnusedExportReport = { unused: [], testOnly: [], fileLocal: [] };
  for (const [name, files] of exporters) {
    for (const file of files) {
      const allowance = ALLOWED_UNUSED[`${file} ${name}`];
      const users = [...(usedBy.get(`${file}\0${name}`) ?? [])].sort();
      if (notebookIds.has(name) || users.length > 0) {
        if (allowance !== undefined) {
          report.unused.push({
            file,
            name,
            message: `${file}: export ${name} is used now; remove its entry from ALLOWED_UNUSED in scripts/check-unused-exports.ts`,
          });
        } else if (!notebookIds.has(name) && users.every((u) => u.startsWith("test/"))) {
          report.testOnly.push({ file, name, message: `${file}: export ${name} is used only by ${users.join(", ")}` });
        }
      } else if (usedLocally(sources.get(file)!, name)) {
        report.fileLocal.push({ file, name, message: `${file}: export ${name} is used only inside its own file` });
      } else if (allowance === undefined) {
        report.unused.push({ file, name, message: `${file}: export ${name} is used by no file of src/, scripts/ or test/ and by no notebook; delete it` });
      }
    }
  }
  const order = (a: UnusedExport, b: UnusedExport): number => a.file.localeCompare(b.file) || a.name.localeCompare(b.name);
  for (const list of [report.unused, report.testOnly, report.fileLocal]) list.sort(order);
  return report;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const verbose = args.includes("--verbose");
  const root = path.resolve(args.find((a) => !a.startsWith("--")) ?? path.join(__dirname, "..", ".."));
  const { unused, testOnly, fileLocal } = findUnusedExports(root);
  for (const [title, list] of [
    ["used only by tests (allowed)", testOnly],
    ["used only inside their own file (allowed)", fileLocal],
  ] as const) {
    console.log(`exports ${title}: ${list.length}${verbose ? list.map((u) => `\n  ${u.message}`).join("") : " (--verbose lists them)"}`);
  }
  for (const u of unused) console.error(u.message);
  console.log(unused.length === 0 ? "unused exports: none" : `unused exports: ${unused.length}`);
  process.exitCode = unused.length === 0 ? 0 : 1;
}
