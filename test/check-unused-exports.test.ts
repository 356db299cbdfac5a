import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { findUnusedExports } from "../scripts/check-unused-exports";

const ROOT = path.resolve(__dirname, "..", "..");

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "unused-exports-"));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

const notebook = (code: string): string =>
  JSON.stringify({
    cells: [
      { cell_type: "markdown", source: ["# dead\n"] },
      { cell_type: "code", source: [code] },
    ],
  });

test("every export of src/ is used by another file or a notebook", () => {
  const { unused } = findUnusedExports(ROOT);
  assert.deepEqual(
    unused.map((u) => u.message),
    [],
  );
});

test("a deliberately broken tree: a dead export is named with its file; used, test-only and file-local ones are not failed", () => {
  const root = tree({
    "src/index.ts": `export * from "./core/html";\nexport * from "./data/csv";\n`,
    "src/core/html.ts": [
      `export function escapeHtml(s: string): string { return s; }`,
      `export function deadHelper(): number { return 1; }`,
      `export const TEST_ONLY = 2;`,
      `export interface HtmlOptions { pretty: boolean }`,
      `export function render(o: HtmlOptions): string { return String(o.pretty); }`,
      `// deadInComment is mentioned only here`,
      `export const deadInComment = "x";`,
      ``,
    ].join("\n"),
    "src/data/csv.ts": `import * as html from "../core/html";\nexport function parseCsv(): string { return html.escapeHtml(""); }\n`,
    "scripts/tool.ts": `import { render } from "../src/core/html";\nrender({ pretty: true });\n`,
    "test/html.test.ts": `import { TEST_ONLY } from "../src/index";\nconsole.log(TEST_ONLY);\n`,
    "notebooks/01-x.ipynb": notebook(`import { parseCsv } from "../dist/src/index";\nparseCsv(); // deadHelper in a comment is not a use\n`),
  });
  try {
    const report = findUnusedExports(root);
    assert.deepEqual(
      report.unused.map((u) => u.message),
      [
        "src/core/html.ts: export deadHelper is used by no file of src/, scripts/ or test/ and by no notebook; delete it",
        "src/core/html.ts: export deadInComment is used by no file of src/, scripts/ or test/ and by no notebook; delete it",
      ],
    );
    assert.deepEqual(
      report.testOnly.map((u) => `${u.file} ${u.name}`),
      ["src/core/html.ts TEST_ONLY"],
    );
    assert.deepEqual(
      report.fileLocal.map((u) => `${u.file} ${u.name}`),
      ["src/core/html.ts HtmlOptions"],
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
