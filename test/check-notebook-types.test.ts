import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkNotebookTypes, notebookModule } from "../scripts/check-notebook-types";

const ROOT = path.resolve(__dirname, "..", "..");

test("the notebooks' code type-checks in strict mode against the library's declarations", () => {
  const notebooks = fs
    .readdirSync(path.join(ROOT, "notebooks"))
    .filter((f) => f.endsWith(".ipynb"))
    .map((f) => path.join("notebooks", f));
  assert.ok(notebooks.length > 0, "no notebooks found in notebooks/");
  assert.deepEqual(
    checkNotebookTypes(ROOT, notebooks).map((e) => e.text),
    [],
  );
});

const markdown = (text: string) => ({ cell_type: "markdown", metadata: {}, source: [text] });
const code = (...lines: string[]) => ({
  cell_type: "code",
  metadata: {},
  execution_count: null,
  outputs: [],
  source: lines.map((l, i) => (i < lines.length - 1 ? `${l}\n` : l)),
});

test("a deliberately broken notebook: each type error is named by notebook, cell (counting every cell from 1) and line", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "notebook-types-"));
  const file = path.join(dir, "broken.ipynb");
  const notebook = {
    cells: [
      markdown("# A fixture"),
      code(`let numEpochs = 2; // quick: 1`),
      code(`import * as assert from "assert";`, `import {`, `  escapeHtml,`, `} from "../dist/src/index";`, `const label: string = escapeHtml("<b>");`),
      markdown("Later cells see earlier declarations, may await at top level, and may redeclare a name."),
      code(`const label = 3; // redeclared, as tslab allows`, `const wait = await Promise.resolve(label + numEpochs);`, `assert.ok(wait > 0);`),
      code(`// a type error on line 2 of cell 6`, `const epochs: string = numEpochs;`),
      code(`import { noSuchExport } from "../dist/src/index";`, `noSuchExport();`),
    ],
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5,
  };
  fs.writeFileSync(file, JSON.stringify(notebook));
  try {
    const errors = checkNotebookTypes(ROOT, [file]).map((e) => e.text);
    const name = path.relative(ROOT, file).split(path.sep).join("/");
    assert.equal(errors.length, 2, errors.join("\n"));
    assert.equal(errors[0], `${name} cell 7 line 1: Module '"${ROOT.split(path.sep).join("/")}/dist/src/index"' has no exported member 'noSuchExport'.`);
    assert.equal(errors[1], `${name} cell 6 line 2: Type 'number' is not assignable to type 'string'.`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("notebookModule hoists imports and maps every generated line back to its cell and line", () => {
  const module = notebookModule({ cells: [markdown("x"), code(`const a = 1;`, `import * as fs from "fs";`, `a;`)] }, "/nb");
  const lines = module.code.split("\n");
  assert.equal(lines[0], `import * as fs from "fs";`);
  assert.deepEqual(module.origins[0], { cell: 2, line: 2 });
  const a = lines.indexOf("const a = 1;");
  assert.deepEqual(module.origins[a], { cell: 2, line: 1 });
  assert.equal(lines[a + 1], "", "the hoisted import leaves an empty line behind");
  assert.deepEqual(module.origins[a + 2], { cell: 2, line: 3 });
});
