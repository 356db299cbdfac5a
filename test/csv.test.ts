import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseCsv, readCsv } from "../src/data/csv";

test("parseCsv reads quoted fields with commas, doubled quotes, newlines and CRLF, and knows each row's line", () => {
  const t = parseCsv('a,b,c\r\n1,"x, y",3\n"multi\nline","say ""hi""",\n\n4,5,6\n', "t.csv");
  assert.deepEqual(t.header, ["a", "b", "c"]);
  assert.deepEqual(t.rows, [
    ["1", "x, y", "3"],
    ["multi\nline", 'say "hi"', ""],
    ["4", "5", "6"],
  ]);
  assert.deepEqual(t.lines, [2, 3, 6], "the quoted newline moves the next row to line 6 after the blank line 5");
});

test("parseCsv names the file, the line and the expectation for malformed input", () => {
  assert.throws(() => parseCsv("a,b\n1,2\n3\n", "bad.csv"), /bad\.csv line 3 has 1 fields; expected 2 \(a, b\)/);
  assert.throws(() => parseCsv('a,b\n1,"open\n', "q.csv"), /q\.csv line 2: a quoted field is never closed/);
  assert.throws(() => parseCsv('a,b\n1,x"y\n', "m.csv"), /m\.csv line 2: a quote inside an unquoted field/);
  assert.throws(() => parseCsv("", "e.csv"), /e\.csv is empty/);
});

test("readCsv reports a missing file, and a wrong header before any row", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "csv-"));
  assert.throws(() => readCsv(path.join(dir, "none.csv")), /none\.csv not found/);
  const file = path.join(dir, "t.csv");
  fs.writeFileSync(file, "date,close\n2020-01-01,1\n");
  assert.deepEqual(readCsv(file, ["date", "close"]).rows, [["2020-01-01", "1"]]);
  assert.throws(() => readCsv(file, ["date", "open", "close"]), /line 1 has columns \[date, close\]; expected \[date, open, close\] \(missing: open\)/);
  assert.throws(() => parseCsv("a,b\n1\n", "w.csv", ["a", "c"]), /w\.csv line 1 has columns \[a, b\]/, "the header is checked before the rows");
});
