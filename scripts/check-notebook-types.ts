/**
 * Type-checks the notebooks' code without running it: the code cells of each notebook become one
 * TypeScript module, checked in strict mode by the project's TypeScript against the library's
 * declarations (dist/src/**\/*.d.ts, built by setup). tslab itself pins an old TypeScript and only
 * checks a cell when it runs, so a renamed library function would otherwise surface as a failed
 * notebook minutes into `npm test`.
 *
 * tslab semantics, kept: all cells share one scope (later cells see earlier declarations), top-level
 * await is allowed, and a later cell may redeclare a name. Each cell is therefore a block nested in
 * the previous cell's block (a redeclaration shadows), and import declarations are hoisted to the
 * top of the module. Every generated line maps back to its notebook cell and line, and errors are
 * printed as `notebooks/<file>.ipynb cell <n> line <m>: <message>`, with cells counted from 1 over
 * all cells (code and markdown), as the runner's failure messages count them.
 *
 * `npm run typecheck:notebooks` (in `npm test`) runs `node dist/scripts/check-notebook-types.js`;
 * arguments are notebooks (default: notebooks/*.ipynb).
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

export interface NotebookTypeError {
  /** Project-relative notebook path, e.g. "notebooks/05-cnn-classifier.ipynb"; null for an error outside any notebook. */
  notebook: string | null;
  /** Cell number counting every cell from 1; null when outside a cell. */
  cell: number | null;
  /** Line within the cell, from 1. */
  line: number | null;
  message: string;
  /** The one-line report: `notebooks/x.ipynb cell 3 line 2: message`. */
  text: string;
}

interface LineOrigin {
  cell: number;
  line: number;
}

interface GeneratedModule {
  code: string;
  /** origins[i] = where generated line i (from 0) comes from; null for scaffolding lines. */
  origins: (LineOrigin | null)[];
}

type NotebookJson = { cells?: { cell_type: string; source: string | string[] }[] };

/**
 * The notebook's code cells as one module. Relative import specifiers are resolved against
 * `importBase` (a notebook in notebooks/ imports "../dist/src/index") and written as absolute paths,
 * so the module can be checked from any folder.
 */
export function notebookModule(notebook: NotebookJson, importBase: string): GeneratedModule {
  const imports: string[] = [];
  const importOrigins: (LineOrigin | null)[] = [];
  const body: string[] = [];
  const bodyOrigins: (LineOrigin | null)[] = [];
  let depth = 0;
  (notebook.cells ?? []).forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    const cellNumber = index + 1;
    const source = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
    const lines = source.split("\n");
    const parsed = ts.createSourceFile(`cell-${cellNumber}.ts`, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const hoisted = new Set<number>(); // lines (from 0) of this cell that are import declarations
    for (const st of parsed.statements) {
      if (!ts.isImportDeclaration(st) && !ts.isImportEqualsDeclaration(st)) continue;
      const first = parsed.getLineAndCharacterOfPosition(st.getStart(parsed)).line;
      const last = parsed.getLineAndCharacterOfPosition(st.getEnd()).line;
      let text = source.slice(st.getStart(parsed), st.getEnd());
      const spec = ts.isImportDeclaration(st) ? st.moduleSpecifier : undefined;
      if (spec && ts.isStringLiteral(spec) && spec.text.startsWith(".")) {
        const start = spec.getStart(parsed) - st.getStart(parsed);
        text =
          text.slice(0, start) +
          JSON.stringify(path.resolve(importBase, spec.text).split(path.sep).join("/")) +
          text.slice(spec.getEnd() - st.getStart(parsed));
      }
      text.split("\n").forEach((l, k) => {
        imports.push(l);
        importOrigins.push({ cell: cellNumber, line: first + k + 1 });
      });
      for (let k = first; k <= last; k++) hoisted.add(k);
    }
    body.push(`{ // cell ${cellNumber}`);
    bodyOrigins.push(null);
    depth++;
    lines.forEach((l, k) => {
      body.push(hoisted.has(k) ? "" : l);
      bodyOrigins.push({ cell: cellNumber, line: k + 1 });
    });
    body.push(""); // a cell ending in a line comment must not swallow the next cell's brace
    bodyOrigins.push(null);
  });
  const tail = ["}".repeat(depth), "export {};"];
  return { code: [...imports, ...body, ...tail].join("\n") + "\n", origins: [...importOrigins, ...bodyOrigins, ...tail.map(() => null)] };
}

/** Compiler options for notebook code: strict, ES2022 modules with top-level await, node types. */
function compilerOptions(root: string): ts.CompilerOptions {
  return {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ES2022,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
    types: ["node"],
    typeRoots: [path.join(root, "node_modules", "@types")],
    esModuleInterop: true,
    allowSyntheticDefaultImports: true,
    skipLibCheck: true,
    resolveJsonModule: true,
  };
}

const rel = (root: string, abs: string): string => path.relative(root, abs).split(path.sep).join("/");

/**
 * Type errors in the code of `notebooks` (paths). The library's declarations come from
 * root/dist/src; relative imports resolve as if each notebook were in `importBase`
 * (default root/notebooks, where every notebook lives).
 */
export function checkNotebookTypes(root: string, notebooks: string[], importBase = path.join(root, "notebooks")): NotebookTypeError[] {
  const index = path.join(root, "dist", "src", "index.d.ts");
  if (!fs.existsSync(index)) throw new Error(`check-notebook-types: ${rel(root, index)} is missing; run \`npm run build\` first`);
  // Generated modules sit under root/dist/ so that packages resolve from root/node_modules.
  const outDir = fs.mkdtempSync(path.join(root, "dist", "notebook-types-"));
  try {
    const byFile = new Map<string, { notebook: string; module: GeneratedModule }>();
    for (const nb of notebooks) {
      const abs = path.resolve(root, nb);
      let json: NotebookJson;
      try {
        json = JSON.parse(fs.readFileSync(abs, "utf8")) as NotebookJson;
      } catch (e) {
        throw new Error(`check-notebook-types: cannot read notebook ${nb}: ${(e as Error).message}`, { cause: e });
      }
      const module = notebookModule(json, importBase);
      const file = path.join(outDir, `${byFile.size}-${path.basename(abs, ".ipynb")}.ts`);
      fs.writeFileSync(file, module.code);
      byFile.set(path.resolve(file), { notebook: rel(root, abs), module });
    }
    const program = ts.createProgram([...byFile.keys()], compilerOptions(root));
    const errors: NotebookTypeError[] = [];
    for (const d of ts.getPreEmitDiagnostics(program)) {
      const message = ts.flattenDiagnosticMessageText(d.messageText, "\n  ");
      const origin = d.file ? byFile.get(path.resolve(d.file.fileName)) : undefined;
      if (d.file && origin && d.start !== undefined) {
        const line = d.file.getLineAndCharacterOfPosition(d.start).line;
        const at = origin.module.origins[line];
        if (at) {
          errors.push({
            notebook: origin.notebook,
            cell: at.cell,
            line: at.line,
            message,
            text: `${origin.notebook} cell ${at.cell} line ${at.line}: ${message}`,
          });
          continue;
        }
        errors.push({ notebook: origin.notebook, cell: null, line: null, message, text: `${origin.notebook}: ${message}` });
        continue;
      }
      const where = d.file && d.start !== undefined ? `${rel(root, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : "";
      errors.push({ notebook: null, cell: null, line: null, message, text: `${where}${message}` });
    }
    return errors;
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const root = path.resolve(__dirname, "..", "..");
  const args = process.argv.slice(2);
  const notebooks =
    args.length > 0
      ? args
      : fs
          .readdirSync(path.join(root, "notebooks"))
          .filter((f) => f.endsWith(".ipynb"))
          .sort()
          .map((f) => path.join("notebooks", f));
  try {
    const errors = checkNotebookTypes(root, notebooks);
    for (const e of errors) console.error(e.text);
    console.log(errors.length === 0 ? `notebook types: ${notebooks.length} notebooks, no errors` : `notebook types: ${errors.length} error(s)`);
    process.exitCode = errors.length === 0 ? 0 : 1;
  } catch (e) {
    console.error((e as Error).message);
    process.exitCode = 2;
  }
}
