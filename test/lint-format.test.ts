import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as path from "path";
import { ESLint } from "eslint";
import * as prettier from "prettier";

// `npm run lint` and `npm run format:check` run over the tree; these tests show that the project's
// configs (eslint.config.mjs, .prettierrc.json) do fail on a deliberately broken file.
const ROOT = path.resolve(__dirname, "..", "..");
const FIXTURE = path.join(ROOT, "src", "core", "lint-fixture.ts"); // never written: only its path selects the config

test("ESLint with the project's config fails on unused variables, explicit any and @ts-ignore, naming each rule and line", async () => {
  const eslint = new ESLint({ cwd: ROOT });
  const source = [`export function f(x: any): number {`, `  const unused = 1;`, `  // @ts-ignore`, `  return x;`, `}`, ``].join("\n");
  const [result] = await eslint.lintText(source, { filePath: FIXTURE });
  const found = result.messages.map((m) => `${m.line} ${m.ruleId}`).sort();
  assert.deepEqual(found, ["1 @typescript-eslint/no-explicit-any", "2 @typescript-eslint/no-unused-vars", "3 @typescript-eslint/ban-ts-comment"]);
  assert.equal(result.errorCount, 3);
});

test("ESLint with the project's config accepts the patterns it allows on purpose (_-prefixed parameters, rest siblings, lazy require)", async () => {
  const eslint = new ESLint({ cwd: ROOT });
  const source = [
    `export function f(_unusedOnPurpose: number, rec: { kind: string; n: number }): number {`,
    `  const { kind: _kind, ...rest } = rec;`,
    `  const lazy = require("fs") as { existsSync(p: string): boolean };`,
    `  return rest.n + (lazy.existsSync(".") ? 1 : 0);`,
    `}`,
    ``,
  ].join("\n");
  const [result] = await eslint.lintText(source, { filePath: FIXTURE });
  assert.deepEqual(
    result.messages.map((m) => `${m.line} ${m.ruleId}: ${m.message}`),
    [],
  );
});

test("Prettier with the project's config rejects a misformatted file and accepts its own output", async () => {
  const options = await prettier.resolveConfig(FIXTURE);
  assert.ok(options, "no Prettier config found for src/");
  const misformatted = `export const greeting = 'hello'\nexport function add(a:number,b:number){return a+b}\n`;
  assert.equal(await prettier.check(misformatted, { ...options, filepath: FIXTURE }), false);
  const formatted = await prettier.format(misformatted, { ...options, filepath: FIXTURE });
  assert.equal(formatted, `export const greeting = "hello";\nexport function add(a: number, b: number) {\n  return a + b;\n}\n`);
  assert.equal(await prettier.check(formatted, { ...options, filepath: FIXTURE }), true);
});
