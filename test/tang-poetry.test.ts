import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { formShape, hasRegularShape, loadTangVerse, regularVerseLines, verseForm, VERSE_FORMS } from "../src/data/tang-poetry";
import { tangVerseJson } from "../scripts/extract-tang-verse";

test("regularVerseLines accepts couplets 'A，B。' of equal 5- or 7-character lines, 2 or 4 of them, however the paragraphs split them", () => {
  const lines = ["春眠不覺曉", "處處聞啼鳥", "夜來風雨聲", "花落知多少"];
  assert.deepEqual(regularVerseLines(["春眠不覺曉，處處聞啼鳥。", "夜來風雨聲，花落知多少。"]), lines);
  assert.deepEqual(regularVerseLines(["春眠不覺曉，", "處處聞啼鳥。", "夜來風雨聲，", "花落知多少。"]), lines);
  const seven = ["朝辭白帝彩雲間", "千里江陵一日還", "兩岸猿聲啼不住", "輕舟已過萬重山"];
  assert.deepEqual(regularVerseLines(["朝辭白帝彩雲間，千里江陵一日還。", "兩岸猿聲啼不住，輕舟已過萬重山。"]), seven);
  const eight = [...lines, ...lines];
  assert.deepEqual(regularVerseLines([eight.map((l, i) => l + (i % 2 ? "。" : "，")).join("")]), eight);
  assert.equal(regularVerseLines(["春眠不覺曉，處處聞啼鳥。"]), null); // 2 lines
  assert.equal(regularVerseLines(["春眠不覺曉，處處聞啼鳥。", "夜來風雨聲，花落知多少。", "夜來風雨聲，花落知多少。"]), null); // 6 lines
  assert.equal(regularVerseLines(["春眠不覺曉天，處處聞啼鳥。", "夜來風雨聲，花落知多少。"]), null); // 6 and 5 characters
  assert.equal(regularVerseLines(["春眠不覺，處處聞啼。", "夜來風雨，花落知多。"]), null); // 4 characters
  assert.equal(regularVerseLines(["春眠不□曉，處處聞啼鳥。", "夜來風雨聲，花落知多少。"]), null); // lacuna mark
  assert.ok(hasRegularShape(["春眠不□曉，處處聞啼鳥。", "夜來風雨聲，花落知多少。"]), "counted as a lacuna drop");
  assert.equal(regularVerseLines(["春眠不覺曉。處處聞啼鳥，", "夜來風雨聲，花落知多少。"]), null); // punctuation swapped
  assert.equal(regularVerseLines(["春眠不覺曉，處處聞啼鳥？", "夜來風雨聲，花落知多少。"]), null); // other punctuation
});

test("verseForm and formShape name the four forms", () => {
  assert.equal(verseForm(["春眠不覺曉", "處處聞啼鳥", "夜來風雨聲", "花落知多少"]), "5x4");
  assert.equal(verseForm(Array(8).fill("朝辭白帝彩雲間")), "7x8");
  assert.equal(verseForm(["春眠不覺曉", "朝辭白帝彩雲間", "夜來風雨聲", "花落知多少"]), null);
  assert.deepEqual(
    VERSE_FORMS.map((f) => formShape(f)),
    [
      { lineChars: 5, lines: 4 },
      { lineChars: 7, lines: 4 },
      { lineChars: 5, lines: 8 },
      { lineChars: 7, lines: 8 },
    ],
  );
});

test("the committed file loads: 36,109 poems in four forms (data/tang-verse/README.md), no exact duplicates", () => {
  const { poems, source } = loadTangVerse();
  assert.equal(poems.length, 36109);
  assert.match(source, /chinese-poetry 2\.0\.1/);
  const byForm: Record<string, number> = {};
  for (const p of poems) {
    byForm[p.form] = (byForm[p.form] ?? 0) + 1;
    const { lineChars, lines } = formShape(p.form);
    assert.equal(p.lines.length, lines);
    for (const l of p.lines) assert.equal(Array.from(l).length, lineChars);
  }
  assert.deepEqual(byForm, { "5x4": 3725, "7x4": 10295, "5x8": 14244, "7x8": 7845 });
  assert.equal(new Set(poems.map((p) => p.lines.join(""))).size, poems.length, "no exact duplicates");
  assert.equal(loadTangVerse({ forms: ["5x4"] }).poems.length, 3725);
  assert.throws(() => loadTangVerse({ forms: ["6x4" as never] }), /forms contains "6x4"; expected some of 5x4, 7x4, 5x8, 7x8/);
});

test("malformed files fail with the file and the entry index", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tang-"));
  const file = path.join(dir, "q.json");
  const good = { id: "a", author: "王維", title: "鹿柴", form: "5x4" as const, lines: ["空山不見人", "但聞人語響", "返景入深林", "復照青苔上"] };
  try {
    fs.writeFileSync(file, tangVerseJson([good, { ...good, lines: ["空山不見人", "但聞人語響", "返景入深林"] }], "test"));
    assert.throws(
      () => loadTangVerse({ file }),
      (e: Error) => e.message.includes(file) && /entry 1 field "lines" .*expected 4 lines \(form 5x4\)/.test(e.message),
    );
    fs.writeFileSync(file, tangVerseJson([good, good, { ...good, lines: ["空山不見人", "但聞人語", "返景入深林", "復照青苔上"] }], "test"));
    assert.throws(() => loadTangVerse({ file }), /entry 2 line 2 is "但聞人語"; expected 5 Han characters/);
    fs.writeFileSync(file, tangVerseJson([{ ...good, form: "7x4" }], "test"));
    assert.throws(() => loadTangVerse({ file }), /entry 0 line 1 is "空山不見人"; expected 7 Han characters \(form 7x4\)/);
    fs.writeFileSync(file, JSON.stringify({ poems: [{ ...good, form: "5x5" }] }));
    assert.throws(() => loadTangVerse({ file }), /entry 0 field "form" is "5x5"; expected one of 5x4, 7x4, 5x8, 7x8/);
    fs.writeFileSync(file, JSON.stringify({ poems: [{ ...good, author: null }] }));
    assert.throws(() => loadTangVerse({ file }), /entry 0 field "author" is null; expected a string/);
    fs.writeFileSync(file, JSON.stringify({ poems: [null] }));
    assert.throws(() => loadTangVerse({ file }), /entry 0 is null; expected an object/);
    fs.writeFileSync(file, JSON.stringify({ poems: [] }));
    assert.throws(() => loadTangVerse({ file }), /"poems" is empty/);
    fs.writeFileSync(file, '{"poems": [');
    assert.throws(() => loadTangVerse({ file }), /is not valid JSON/);
    fs.writeFileSync(file, JSON.stringify({ count: 2, poems: [good] }));
    assert.throws(() => loadTangVerse({ file }), /"count" says 2 but "poems" has 1 entries/);
    assert.throws(() => loadTangVerse({ file: path.join(dir, "missing.json") }), /not found/);
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});
