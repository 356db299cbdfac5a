import { test } from "node:test";
import assert from "node:assert/strict";
import { evenLinesRhyme, hasForm, lineRhymeClass, NgramIndex, rhymeRate, shuffledLinePoems } from "../src/text/verse";
import { loadTangVerse } from "../src/data/tang-poetry";

const SPRING_DAWN = ["春眠不覺曉", "處處聞啼鳥", "夜來風雨聲", "花落知多少"]; // 孟浩然《春曉》: 鳥 niǎo, 少 shǎo
const BAIDI = ["朝辭白帝彩雲間", "千里江陵一日還", "兩岸猿聲啼不住", "輕舟已過萬重山"]; // 李白《早發白帝城》: 間 還 山

test("rhyme classes (十三轍) of line endings, read in traditional script", () => {
  assert.equal(lineRhymeClass("處處聞啼鳥"), "遙條");
  assert.equal(lineRhymeClass("花落知多少"), "遙條");
  assert.equal(lineRhymeClass("千里江陵一日還"), "言前");
  assert.equal(lineRhymeClass("夜來風雨聲"), "中東");
  assert.equal(lineRhymeClass(""), null);
});

test("even lines rhyme in real quatrains and not when one is swapped", () => {
  assert.deepEqual(evenLinesRhyme(SPRING_DAWN), { classes: ["遙條", "遙條"], rhymes: true });
  assert.equal(evenLinesRhyme(BAIDI).rhymes, true);
  assert.deepEqual(evenLinesRhyme([...SPRING_DAWN.slice(0, 3), "夜來風雨聲"]), { classes: ["遙條", "中東"], rhymes: false });
  assert.equal(evenLinesRhyme(["春眠不覺曉", "處處聞啼鳥"]).rhymes, false, "one even line cannot rhyme with itself");
  assert.equal(rhymeRate([SPRING_DAWN, [...SPRING_DAWN.slice(0, 3), "夜來風雨聲"]]), 0.5);
  assert.equal(rhymeRate([]), 0);
});

test("hasForm: the form asked for, exactly", () => {
  assert.ok(hasForm(SPRING_DAWN, "5x4"));
  assert.ok(!hasForm(SPRING_DAWN, "7x4"));
  assert.ok(hasForm(BAIDI, "7x4"));
  assert.ok(!hasForm(SPRING_DAWN.slice(0, 3), "5x4"));
  assert.ok(!hasForm([...SPRING_DAWN.slice(0, 3), "花落知多少也"], "5x4"));
});

test("shuffledLinePoems keeps each form and position's lines, moves them between poems, and is seeded", () => {
  const poems = [
    { form: "5x4" as const, lines: SPRING_DAWN },
    { form: "7x4" as const, lines: BAIDI },
    { form: "5x4" as const, lines: ["空山不見人", "但聞人語響", "返景入深林", "復照青苔上"] },
    { form: "5x4" as const, lines: ["白日依山盡", "黃河入海流", "欲窮千里目", "更上一層樓"] },
  ];
  const a = shuffledLinePoems(poems, 7);
  assert.deepEqual(a, shuffledLinePoems(poems, 7));
  assert.deepEqual(a[1], BAIDI, "the only 7x4 poem keeps its lines");
  for (let pos = 0; pos < 4; pos++) {
    const fiveCharPoems = [0, 2, 3];
    assert.deepEqual(fiveCharPoems.map((i) => a[i][pos]).sort(), fiveCharPoems.map((i) => poems[i].lines[pos]).sort());
  }
  const seeds = [1, 2, 3, 4, 5].map((s) => shuffledLinePoems(poems, s));
  assert.ok(
    seeds.some((s) => s[0].join() !== SPRING_DAWN.join()),
    "lines move between poems",
  );
});

test("NgramIndex counts a poem's n-grams (across line breaks) found in the training poems", () => {
  const index = new NgramIndex([SPRING_DAWN], 6);
  assert.deepEqual(index.shared(SPRING_DAWN), { shared: 18, total: 18 }); // 20 characters and 3 "/": 23 − 6 + 1 six-grams
  assert.deepEqual(index.shared(["春眠不覺曉", "白日依山盡"]), { shared: 1, total: 6 }); // only "春眠不覺曉/"
  assert.deepEqual(new NgramIndex([SPRING_DAWN], 30).shared(SPRING_DAWN), { shared: 0, total: 0 });
  assert.throws(() => new NgramIndex([], 0), /n must be a positive integer/);
});

test("real five-character quatrains rhyme far more often than poems of shuffled lines (modern readings)", () => {
  const poems = loadTangVerse({ forms: ["5x4"] }).poems;
  const real = rhymeRate(poems.map((p) => p.lines));
  const shuffled = rhymeRate(shuffledLinePoems(poems, 1));
  assert.ok(real > 0.6 && shuffled < 0.25 && real > 3 * shuffled, `real ${real}, shuffled ${shuffled}`);
});
