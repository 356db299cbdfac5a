import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BREAST_CANCER_FEATURES, loadBreastCancer } from "../src/data/breast-cancer";

test("the committed table: 569 tumours, 30 features, 212 malignant (the data set's documented counts)", () => {
  const d = loadBreastCancer();
  assert.equal(d.X.length, 569);
  assert.ok(d.X.every((r) => r.length === 30));
  assert.equal(
    d.malignant.reduce((a, b) => a + b, 0),
    212,
  );
  assert.equal(BREAST_CANCER_FEATURES.length, 30);
  assert.equal(d.featureNames[0], "mean radius");
  assert.equal(d.featureNames[10], "radius error");
  assert.equal(d.featureNames[29], "worst fractal dimension");
  // First record of the UCI file (ID 842302): mean radius 17.99, malignant.
  assert.equal(d.X[0][0], 17.99);
  assert.equal(d.malignant[0], 1);
  // Documented ranges (breast_cancer.rst): mean area 143.5 … 2501.0.
  const area = d.X.map((r) => r[3]);
  assert.equal(Math.min(...area), 143.5);
  assert.equal(Math.max(...area), 2501);
});

test("malformed tables get errors naming the file, the line and the expectation", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bc-"));
  const write = (name: string, text: string): string => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };
  const row = Array(30).fill("1.5").join(",");
  assert.throws(() => loadBreastCancer(path.join(dir, "missing.csv")), /missing\.csv not found/);
  assert.throws(() => loadBreastCancer(write("h.csv", `a,b\n${row},0\n`)), /h\.csv line 1 is "a,b"; expected "569,30,malignant,benign"/);
  assert.throws(() => loadBreastCancer(write("n.csv", `2,30,malignant,benign\n${row},0\n`)), /n\.csv has 1 data rows; its first line promises 2/);
  assert.throws(() => loadBreastCancer(write("f.csv", `1,30,malignant,benign\n1,2,0\n`)), /f\.csv line 2 has 3 fields; expected 31/);
  assert.throws(() => loadBreastCancer(write("v.csv", `1,30,malignant,benign\nx,${row.slice(4)},0\n`)), /v\.csv line 2, column 1 \("x"\): expected a number/);
  assert.throws(
    () => loadBreastCancer(write("c.csv", `1,30,malignant,benign\n${row},2\n`)),
    /c\.csv line 2: class "2"; expected 0 \(malignant\) or 1 \(benign\)/,
  );
});
