import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { STAR_COLUMNS, loadStar } from "../src/data/star";
import { classSizeEffect, earlyWarningCohort, earlyWarningFeatures, meanWithCi } from "../src/scenarios/education/early-warning";
import { quantile } from "../src/core/statistics";

// Reference counts from R on the source data (Debian r-cran-aer 1.2-10):
//   load(".../AER/data/STAR.rda"); dim(STAR); table(STAR$stark)  →  11598 × 47; 2194 / 1900 / 2231
const students = loadStar();

test("the committed STAR table has every student and the class-type counts R reports", () => {
  assert.equal(students.length, 11598);
  assert.equal(STAR_COLUMNS.length, 47);
  const count = (t: string) => students.filter((s) => s.stark === t).length;
  assert.deepEqual([count("regular"), count("small"), count("regular+aide")], [2194, 1900, 2231]);
  assert.equal(students[1].readk, 447, "second student's kindergarten reading score (line 3 of the CSV)");
  assert.equal(students[0].stark, null, "an empty field is null (the student joined later)");
});

test("loadStar names the file, line, column and expectation for a malformed value or row", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "star-"));
  const good = fs
    .readFileSync(path.join(__dirname, "..", "..", "data", "star", "star.csv"), "utf8")
    .split("\n")
    .slice(0, 3);
  const write = (lines: string[]) => {
    const f = path.join(dir, "star.csv");
    fs.writeFileSync(f, lines.join("\n") + "\n");
    return f;
  };
  const f1 = write([good[0], good[1], good[2].replace('"small"', '"tiny"')]);
  assert.throws(() => loadStar(f1), /star\.csv line 3, column stark: "tiny"; expected one of regular, small, regular\+aide/);
  const f2 = write([good[0], good[1].replace(",580,", ",lots,")]);
  assert.throws(() => loadStar(f2), /line 2, column read3: "lots"; expected a number/);
  const f3 = write([good[0], "1,2,3"]);
  assert.throws(() => loadStar(f3), /line 2 has 3 fields; expected 47/);
  const f4 = write([good[0].replace('"gender"', '"sex"'), good[1]]);
  assert.throws(() => loadStar(f4), /missing: gender/);
});

test("the early-warning cohort and features: complete kindergarten records, one-hot levels", () => {
  // 4,078 students have every kindergarten feature and a grade-1 maths score (counted
  // independently with Python's csv module on the same file).
  const cohort = earlyWarningCohort(students);
  assert.equal(cohort.length, 4078);
  const { rows, names } = earlyWarningFeatures(cohort);
  assert.equal(names.length, 4 + 3 + 2 + 4 + 4 + 2 + 6 + 2);
  assert.equal(rows[0].length, names.length);
  const stark = names.map((n, j) => (n.startsWith("stark=") ? j : -1)).filter((j) => j >= 0);
  for (const r of rows)
    assert.equal(
      stark.reduce((a, j) => a + r[j], 0),
      1,
      "exactly one class type per student",
    );
  assert.throws(() => earlyWarningFeatures([students[0]]), /line 2 lacks a kindergarten feature/);
});

test("quantile interpolates like numpy; meanWithCi is mean ± 1.96·s/√n", () => {
  // numpy.quantile([1, 2, 3, 4, 10], [0.25, 0.5, 0.9]) = [2.0, 3.0, 7.6]
  assert.equal(quantile([10, 1, 3, 2, 4], 0.25), 2);
  assert.equal(quantile([10, 1, 3, 2, 4], 0.5), 3);
  assert.ok(Math.abs(quantile([10, 1, 3, 2, 4], 0.9) - 7.6) < 1e-12);
  // [2, 4, 6]: mean 4, s = 2, half-width 1.96·2/√3 = 2.2632
  const ci = meanWithCi([2, 4, 6]);
  assert.equal(ci.mean, 4);
  assert.ok(Math.abs(ci.high - 6.2632) < 1e-4 && Math.abs(ci.low - 1.7368) < 1e-4);
  assert.throws(() => quantile([], 0.5), /no values/);
  assert.throws(() => meanWithCi([1]), /expected at least 2/);
});

test("small kindergarten classes score higher than regular ones, as R's regression on the same data says", () => {
  // R: coef(lm(I(readk + mathk) ~ stark, data = STAR)) = 918.0429, small +13.8990, aide +0.3139
  // on 2005 / 1738 / 2043 students (Stock & Watson's textbook example, via AER's help page).
  const [regular, small, aide] = classSizeEffect(students);
  assert.equal(regular.classType, "regular");
  assert.deepEqual([regular.n, small.n, aide.n], [2005, 1738, 2043]);
  assert.ok(Math.abs(regular.mean - 918.0429) < 1e-3);
  assert.ok(Math.abs(small.mean - regular.mean - 13.899) < 1e-3);
  assert.ok(Math.abs(aide.mean - regular.mean - 0.3139) < 1e-3);
  assert.ok(small.low > regular.high && small.low > aide.high, "the intervals do not overlap");
});
