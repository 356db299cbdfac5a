import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkClaim, claimsTableHtml } from "../src/notebook/article-check";
import { FACTS_ENV, readFacts } from "../src/core/facts";

test("checkClaim compares numbers, arrays and text with a tolerance and says why", () => {
  assert.equal(checkClaim({ id: "a", articleSays: 0.2, computed: 0.2000001, tolerance: 1e-3 }).ok, true);
  const mlp = checkClaim({ id: "§4.1.1", articleSays: [8, 11, 14], computed: [6, 12, 18] });
  assert.equal(mlp.ok, false);
  assert.equal(mlp.reason, "differs by up to 4 (tolerance 1e-9)");
  assert.equal(mlp.articleSays, "[8, 11, 14]");
  assert.equal(checkClaim({ id: "len", articleSays: [1, 2], computed: [1] }).reason, "2 values vs 1");
  assert.equal(checkClaim({ id: "t", articleSays: "[0, 1]", computed: "[-1, 1]", reason: "Normalize maps to [-1, 1]" }).reason, "Normalize maps to [-1, 1]");
  assert.equal(checkClaim({ id: "n", articleSays: 62006, computed: 62006 }).computed, "62,006");
});

test("checks land in the runner's facts file and render as a visible table", () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "facts-")), "facts.jsonl");
  process.env[FACTS_ENV] = file;
  try {
    const r = checkClaim({ id: "§5.4 accuracy", articleSays: 0.2, computed: 0.87, tolerance: 0.05 });
    const { checks } = readFacts(file);
    assert.deepEqual(checks, [{ kind: "check", ...r }]);
    const html = claimsTableHtml([r]);
    assert.match(html, /§5\.4 accuracy.*0\.2.*0\.87.*✗ differs by 0\.67/s);
  } finally {
    delete process.env[FACTS_ENV];
  }
});
