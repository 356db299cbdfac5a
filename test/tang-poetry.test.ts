import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadTangQuatrains, quatrainLines } from "../src/data/tang-poetry";
import { quatrainsJson } from "../scripts/extract-quatrains";

test('quatrainLines accepts "A，B。C，D。" however the paragraphs split it, and nothing else', () => {
  const lines = ["春眠不覺曉", "處處聞啼鳥", "夜來風雨聲", "花落知多少"];
  assert.deepEqual(quatrainLines(["春眠不覺曉，處處聞啼鳥。", "夜來風雨聲，花落知多少。"]), lines);
  assert.deepEqual(quatrainLines(["春眠不覺曉，", "處處聞啼鳥。", "夜來風雨聲，", "花落知多少。"]), lines);
  assert.equal(quatrainLines(["春眠不覺曉，處處聞啼鳥。"]), null); // 2 lines
  assert.equal(quatrainLines(["春眠不覺曉天，處處聞啼鳥。", "夜來風雨聲，花落知多少。"]), null); // 6 characters
  assert.equal(quatrainLines(["春眠不□曉，處處聞啼鳥。", "夜來風雨聲，花落知多少。"]), null); // lacuna mark
  assert.equal(quatrainLines(["春眠不覺曉。處處聞啼鳥，", "夜來風雨聲，花落知多少。"]), null); // punctuation swapped
});

test("the committed file loads: 3,725 quatrains, 4 lines × 5 characters each (data/tang-quatrains/README.md)", () => {
  const { poems, source } = loadTangQuatrains();
  assert.equal(poems.length, 3725);
  assert.match(source, /chinese-poetry 2\.0\.1/);
  for (const p of poems) {
    assert.equal(p.lines.length, 4);
    for (const l of p.lines) assert.equal(Array.from(l).length, 5);
  }
  assert.equal(new Set(poems.map((p) => p.lines.join(""))).size, poems.length, "no exact duplicates");
});

test("malformed files fail with the file and the entry index", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tang-"));
  const file = path.join(dir, "q.json");
  const good = { id: "a", author: "王維", title: "鹿柴", lines: ["空山不見人", "但聞人語響", "返景入深林", "復照青苔上"] };
  try {
    fs.writeFileSync(file, quatrainsJson([good, { ...good, lines: ["空山不見人", "但聞人語響", "返景入深林"] }], "test"));
    assert.throws(
      () => loadTangQuatrains(file),
      (e: Error) => e.message.includes(file) && /entry 1 field "lines" .*expected 4 lines/.test(e.message),
    );
    fs.writeFileSync(file, quatrainsJson([good, good, { ...good, lines: ["空山不見人", "但聞人語", "返景入深林", "復照青苔上"] }], "test"));
    assert.throws(() => loadTangQuatrains(file), /entry 2 line 2 is "但聞人語"; expected 5 Han characters/);
    fs.writeFileSync(file, JSON.stringify({ poems: [{ ...good, author: null }] }));
    assert.throws(() => loadTangQuatrains(file), /entry 0 field "author" is null; expected a string/);
    fs.writeFileSync(file, JSON.stringify({ poems: [null] }));
    assert.throws(() => loadTangQuatrains(file), /entry 0 is null; expected an object/);
    fs.writeFileSync(file, JSON.stringify({ poems: [] }));
    assert.throws(() => loadTangQuatrains(file), /"poems" is empty/);
    fs.writeFileSync(file, '{"poems": [');
    assert.throws(() => loadTangQuatrains(file), /is not valid JSON/);
    fs.writeFileSync(file, JSON.stringify({ count: 2, poems: [good] }));
    assert.throws(() => loadTangQuatrains(file), /"count" says 2 but "poems" has 1 entries/);
    assert.throws(() => loadTangQuatrains(path.join(dir, "missing.json")), /not found/);
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});
