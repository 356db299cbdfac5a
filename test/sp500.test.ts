import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { SP500_COLUMNS, gitBlobSha1, loadSp500, sp500CsvPath, sp500PublishedHash } from "../src/data/sp500";

test("the packaged file: 5,105 trading days from 2000-01-03 to 2020-04-17, hash as published", () => {
  const file = sp500CsvPath();
  assert.match(file, /vega-datasets[\\/]data[\\/]sp500-2000\.csv$/);
  // datapackage.json of vega-datasets 3.2.1 lists the file's git blob SHA-1.
  assert.equal(sp500PublishedHash(), "b82f20656d0521801db7c5599a6c990415a8aaff");
  assert.equal(gitBlobSha1(file), sp500PublishedHash());
  const d = loadSp500();
  assert.equal(d.dates.length, 5105);
  assert.equal(d.dates[0], "2000-01-03");
  assert.equal(d.dates[d.dates.length - 1], "2020-04-17");
  // First and last rows as printed in the file.
  assert.equal(d.close[0], 1455.219971);
  assert.equal(d.high[0], 1478);
  assert.equal(d.close[5104], 2874.560059);
  assert.equal(d.volume[5104], 5792140000);
  assert.ok(
    d.adjClose.every((v, i) => v === d.close[i]),
    "an index has no dividends: adjclose = close",
  );
});

test("a missing package or file names the package and the install command", () => {
  assert.throws(() => sp500CsvPath(null), /npm package vega-datasets is not installed; run `npm install` \(package.json pins vega-datasets 3\.2\.1\)/);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vega-"));
  try {
    assert.throws(
      () => sp500CsvPath({ name: "vega-datasets", version: "2.0.0", dir }),
      /npm package vega-datasets 2\.0\.0 has no data\/sp500-2000\.csv; expected version 3\.2\.1 \(run `npm install`\)/,
    );
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});

test("malformed files get errors naming the file, the line and the expectation", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sp500-"));
  const header = SP500_COLUMNS.join(",");
  const ok1 = "2000-01-03,100,110,90,105,105,1000";
  const ok2 = "2000-01-04,105,106,100,101,101,2000";
  const write = (name: string, text: string): string => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };
  try {
    const good = loadSp500(write("good.csv", `${header}\r\n${ok1}\r\n${ok2}\r\n`));
    assert.deepEqual(good.dates, ["2000-01-03", "2000-01-04"]);
    assert.deepEqual(Array.from(good.low), [90, 100]);
    assert.throws(
      () => loadSp500(path.join(dir, "missing.csv")),
      /missing\.csv not found; expected data\/sp500-2000\.csv from npm package vega-datasets \(run `npm install`\)/,
    );
    assert.throws(
      () => loadSp500(write("h.csv", `date,close\n${ok1}\n${ok2}\n`)),
      /h\.csv line 1 has columns \[date, close\]; expected \[date, open, high, low, close, adjclose, volume\]/,
    );
    assert.throws(() => loadSp500(write("one.csv", `${header}\n${ok1}\n`)), /one\.csv has 1 data row\(s\); expected at least 2/);
    assert.throws(() => loadSp500(write("f.csv", `${header}\n${ok1}\n2000-01-04,1,2,3\n`)), /f\.csv line 3 has 4 fields; expected 7/);
    assert.throws(
      () => loadSp500(write("d.csv", `${header}\n${ok1}\n2000-02-30,105,106,100,101,101,2000\n`)),
      /d\.csv line 3: date "2000-02-30"; expected an ISO date YYYY-MM-DD/,
    );
    assert.throws(
      () => loadSp500(write("o.csv", `${header}\n${ok2}\n${ok1}\n`)),
      /o\.csv line 3: date 2000-01-03 is not after the previous row's 2000-01-04; expected strictly increasing dates/,
    );
    assert.throws(() => loadSp500(write("dup.csv", `${header}\n${ok1}\n${ok1}\n`)), /dup\.csv line 3: date 2000-01-03 is not after/);
    assert.throws(
      () => loadSp500(write("p.csv", `${header}\n${ok1}\n2000-01-04,105,106,100,-101,101,2000\n`)),
      /p\.csv line 3, column 5 \(close\) is "-101"; expected a positive finite price/,
    );
    assert.throws(
      () => loadSp500(write("e.csv", `${header}\n${ok1}\n2000-01-04,,106,100,101,101,2000\n`)),
      /e\.csv line 3, column 2 \(open\) is ""; expected a positive finite price/,
    );
    assert.throws(
      () => loadSp500(write("v.csv", `${header}\n${ok1}\n2000-01-04,105,106,100,101,101,lots\n`)),
      /v\.csv line 3, column 7 \(volume\) is "lots"; expected a finite number ≥ 0/,
    );
    assert.throws(
      () => loadSp500(write("b.csv", `${header}\n${ok1}\n2000-01-04,105,106,102,101,101,2000\n`)),
      /b\.csv line 3: low 102 \/ high 106 do not bracket open 105 and close 101/,
    );
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});
