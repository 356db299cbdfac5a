/**
 * The report and interactive use, in a real browser (Debian's Chromium through playwright-core):
 *  - the runner renders fixture notebooks (test/fixtures/browser: two figures, a formula and a
 *    line of Chinese; a figure plotly throws on) and the quick-profile overview; every page is
 *    opened from file:// and checked with `checkReportPage` (src/runner/report-check.ts): figures
 *    drawn, formulas typeset, no console error, no request leaving the machine. The broken figure
 *    must be reported.
 *  - the report as a site (src/runner/report-site.ts): pages share assets/plotly.js and MathJax,
 *    search finds another page's words, the code toggle hides code, the dark theme follows the
 *    system, the .ipynb download exists, CJK text has a CJK font; a --self-contained page works
 *    alone in an empty folder.
 *  - `scripts/jupyter.sh` starts Jupyter Notebook on 127.0.0.1; a plotting cell is run through
 *    the notebook UI (click the cell, Shift+Enter) and its plot's SVG appears.
 * Missing Chromium or playwright-core is a failure that says to run `npm run setup`, not a skip.
 * Screenshots go to test-reports/screenshots/.
 */
import { after, before, test } from "node:test";
import * as assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { type ReportProblem, checkRenderedNotebooks, checkReportPage, describeProblems, launchChromium, newOfflinePage } from "../src/runner/report-check";
import type { RunSummary } from "../src/runner/report-index";
import { withEnv } from "./helpers/env";

const ROOT = path.resolve(__dirname, "..", "..");
const RUNNER = path.join(ROOT, "dist", "scripts", "run-notebooks.js");
const FIXTURES = path.join(ROOT, "test", "fixtures", "browser");
const OVERVIEW = path.join(ROOT, "notebooks", "00-overview.ipynb");
const SHOTS = path.join(ROOT, "test-reports", "screenshots");

let browser: Browser | undefined;
let tmp = "";
let out = "";
let selfContainedOut = "";
let summary: RunSummary;
let runnerCode: number | null = null;

function getBrowser(): Browser {
  assert.ok(browser, "Chromium did not start (see the first failure): run `npm run setup`");
  return browser;
}

const url = (file: string): string => pathToFileURL(file).href;

/** Opens `file` in a fresh offline page, checks it, and hands the page to `inspect` before closing it. */
async function withCheckedPage<T>(file: string, inspect: (page: Page, problems: ReportProblem[]) => Promise<T>): Promise<T> {
  const page = await newOfflinePage(getBrowser());
  try {
    const problems = await checkReportPage(page, url(file));
    return await inspect(page, problems);
  } finally {
    await page.context().close();
  }
}

async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, name), fullPage: true, timeout: 15_000 });
}

before(async () => {
  try {
    browser = await launchChromium({ timeoutMs: 30_000 });
  } catch (e) {
    throw new Error(`the browser tests need Debian's chromium and the npm package playwright-core: ${(e as Error).message}`, { cause: e });
  }
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "browser-test-"));
  out = path.join(tmp, "reports");
  const r = spawnSync(process.execPath, [RUNNER, FIXTURES, OVERVIEW, "--profile", "quick", "--timeout", "60", "--jobs", "2", "--out", out], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 300_000,
    killSignal: "SIGKILL",
  });
  runnerCode = r.status;
  const log = `${r.stdout}${r.stderr}`;
  assert.ok(fs.existsSync(path.join(out, "summary.json")), `the runner wrote no report (exit ${r.status}, ${r.error?.message ?? ""}):\n${log}`);
  summary = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8")) as RunSummary;
  selfContainedOut = path.join(tmp, "self-contained");
  const single = spawnSync(
    process.execPath,
    [RUNNER, path.join(FIXTURES, "figures.ipynb"), "--self-contained", "--profile", "quick", "--timeout", "60", "--jobs", "1", "--out", selfContainedOut],
    { cwd: ROOT, encoding: "utf8", timeout: 300_000, killSignal: "SIGKILL" },
  );
  assert.equal(single.status, 0, `the --self-contained run failed:\n${single.stdout}${single.stderr}`);
});

after(async () => {
  await browser?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test("the runner ran the fixtures and the overview; only the broken figure can fail", () => {
  const status = Object.fromEntries(summary.notebooks.map((n) => [n.name, n.status]));
  assert.equal(status["figures"], "passed", describe("figures"));
  assert.equal(status["00-overview"], "passed", describe("00-overview"));
  // The kernel cannot see that plotly throws, so the cell passes; only a runner that checks the
  // page in a browser (src/report-check.ts checkRenderedNotebooks) marks the notebook failed.
  const broken = summary.notebooks.find((n) => n.name === "broken-figure");
  assert.ok(broken, "broken-figure ran");
  assert.equal(broken.status, "failed", "a figure plotly cannot draw fails its notebook");
  assert.match(broken.message ?? "", /figure 1 of 1 not drawn/);
  assert.equal(runnerCode, 1);
  function describe(name: string): string {
    const n = summary.notebooks.find((x) => x.name === name);
    return n ? `${n.status} at ${n.failedCellLabel ?? "?"}: ${n.message ?? ""}` : `${name} did not run`;
  }
});

test("index.html lists every notebook with its status and renders cleanly", async () => {
  await withCheckedPage(path.join(out, "index.html"), async (page, problems) => {
    assert.deepEqual(problems, [], describeProblems(problems));
    const rows = await page.evaluate(() =>
      Array.from(document.querySelectorAll("table:first-of-type tbody tr")).map((tr) => ({
        href: tr.querySelector("a")?.getAttribute("href") ?? "",
        status: (tr.querySelector("td.status")?.textContent ?? "").trim(),
      })),
    );
    const expected = summary.notebooks
      .map((n) => ({ href: `${n.name}.html`, status: n.status === "passed" ? "✓ passed" : "✗ failed" }))
      .sort((a, b) => a.href.localeCompare(b.href));
    assert.deepEqual(
      [...rows].sort((a, b) => a.href.localeCompare(b.href)),
      expected,
    );
    assert.deepEqual(
      expected.map((r) => r.href),
      ["00-overview.html", "broken-figure.html", "figures.html"],
    );
    for (const r of rows) assert.ok(fs.existsSync(path.join(out, r.href)), `index links to ${r.href}, which exists`);
    await screenshot(page, "index.png");
  });
});

test("figures.html: the line chart and the heatmap are drawn and the formula is typeset, offline", async () => {
  await withCheckedPage(path.join(out, "figures.html"), async (page, problems) => {
    assert.deepEqual(problems, [], describeProblems(problems));
    const seen = await page.evaluate(() => {
      const figs = Array.from(document.querySelectorAll("div.runbook-figure"));
      return {
        figures: figs.length,
        drawn: figs.filter((f) => f.querySelector("svg.main-svg") && !f.hasAttribute("data-plot-error")).length,
        line: figs.some((f) => f.querySelector(".scatterlayer .trace path.js-line") !== null),
        heatmap: figs.some((f) => f.querySelector(".heatmaplayer image") !== null),
        inlinePlotly: Array.from(document.scripts).filter((s) => (s.textContent ?? "").includes("plotly.js v")).length,
        sharedPlotly: Array.from(document.scripts).filter((s) => s.getAttribute("src") === "assets/plotly.js").length,
        // MathJax 3's SVG output, from the report's own assets/mathjax.
        formulas: document.querySelectorAll("mjx-container > svg").length,
        mathjax: Array.from(document.scripts).some((s) => s.src.endsWith("/assets/mathjax/tex-svg-full.js")),
      };
    });
    assert.deepEqual(seen, { figures: 2, drawn: 2, line: true, heatmap: true, inlinePlotly: 0, sharedPlotly: 1, formulas: 2, mathjax: true });
    await screenshot(page, "figures.png");
  });
});

test("broken-figure.html: the checker reports the figure plotly could not draw", async () => {
  await withCheckedPage(path.join(out, "broken-figure.html"), async (page, problems) => {
    const figure = problems.filter((p) => p.kind === "figure");
    assert.equal(figure.length, 1, describeProblems(problems));
    assert.match(figure[0].message, /^figure 1 of 1 not drawn: .+/);
    const shown = await page.locator("div.runbook-figure").innerText();
    assert.match(shown, /figure not drawn/, "the reader sees the failure too");
    await screenshot(page, "broken-figure.png");
  });
});

test("00-overview.html (quick profile): no console error, no request leaving the machine", async () => {
  await withCheckedPage(path.join(out, "00-overview.html"), async (_page, problems) => {
    assert.deepEqual(problems, [], describeProblems(problems));
  });
});

test("the checker reports requests that would leave the machine, missing local files and console errors", async () => {
  const file = path.join(tmp, "leaky.html");
  // .invalid never resolves, and the page is offline anyway: nothing is sent.
  fs.writeFileSync(
    file,
    `<!DOCTYPE html><html><body><img src="http://runbook-test.invalid/x.png">
<script src="${url(path.join(tmp, "missing.js"))}"></script><script>console.error("boom")</script></body></html>`,
  );
  await withCheckedPage(file, async (_page, problems) => {
    const kinds = new Set(problems.map((p) => p.kind));
    assert.ok(kinds.has("request") && kinds.has("load") && kinds.has("console"), describeProblems(problems));
    assert.ok(problems.some((p) => p.message.includes("http://runbook-test.invalid/x.png")));
    assert.ok(problems.some((p) => p.message === "console error: boom"));
  });
});

test("checkRenderedNotebooks (the runner's browser check) fails the notebook whose figure did not draw", async () => {
  const dir = path.join(tmp, "recheck");
  fs.mkdirSync(dir);
  const names = ["figures", "broken-figure"];
  for (const n of names) fs.copyFileSync(path.join(out, `${n}.html`), path.join(dir, `${n}.html`));
  fs.cpSync(path.join(out, "assets"), path.join(dir, "assets"), { recursive: true });
  // As the runner holds them right after execution: both cells passed in the kernel.
  const runs = summary.notebooks
    .filter((n) => names.includes(n.name))
    .map((n) => ({ ...n, status: "passed" as const, failedCell: null, failedCellLabel: undefined, message: null }));
  const lines: string[] = [];
  await withEnv({ RUNBOOK_BROWSER_CHECK: "off" }, async () => {
    assert.equal(await checkRenderedNotebooks(runs, dir, (l) => lines.push(l)), 0, "RUNBOOK_BROWSER_CHECK=off checks nothing");
  });
  assert.ok(runs.every((r) => r.status === "passed"));
  await withEnv({ RUNBOOK_BROWSER_CHECK: undefined }, async () => {
    assert.equal(await checkRenderedNotebooks(runs, dir, (l) => lines.push(l)), 1);
  });
  const byName = Object.fromEntries(runs.map((r) => [r.name, r]));
  assert.equal(byName["figures"].status, "passed");
  assert.equal(byName["broken-figure"].status, "failed");
  assert.equal(byName["broken-figure"].failedCellLabel, "the rendered page");
  assert.match(byName["broken-figure"].message ?? "", /^figure: figure 1 of 1 not drawn: /m);
  assert.match(lines.join("\n"), /✗ test\/fixtures\/browser\/broken-figure\.ipynb FAILED in the browser/);
  assert.match(lines.join("\n"), /Checked 2 page\(s\) in headless Chromium .*: 1 with problems/);
  // The page itself says so at the top; the good page is untouched.
  assert.match(fs.readFileSync(path.join(dir, "broken-figure.html"), "utf8"), /<body[^>]*>\s*<div class="runbook-browser-check"/);
  assert.equal(fs.readFileSync(path.join(dir, "figures.html"), "utf8"), fs.readFileSync(path.join(out, "figures.html"), "utf8"));
});

// ---- the report as a site (src/runner/report-site.ts) -------------------------------------

/** Relative luminance (0 black … 1 white) of a CSS rgb()/rgba() colour. */
function luminance(color: string): number {
  const m = /rgba?\((\d+), (\d+), (\d+)/.exec(color);
  assert.ok(m, `not an rgb colour: ${color}`);
  const [r, g, b] = m.slice(1, 4).map((c) => {
    const v = Number(c) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

test("pages share one plotly.js and one MathJax from assets/; no page embeds its own", () => {
  for (const asset of ["plotly.js", "mathjax/tex-svg-full.js", "site.js", "site.css", "search-index.js"]) {
    assert.ok(fs.existsSync(path.join(out, "assets", asset)), `assets/${asset} exists`);
  }
  for (const n of summary.notebooks) {
    const html = fs.readFileSync(path.join(out, `${n.name}.html`), "utf8");
    assert.doesNotMatch(html, /plotly\.js v\d/, `${n.name}.html embeds no plotly.js`);
    assert.doesNotMatch(html, /usr\/share\/javascript\/mathjax|cdnjs/, `${n.name}.html uses no system or CDN MathJax`);
    // Under 2 MiB: the nbconvert page and its outputs, without the 4.6 MB bundle.
    assert.ok(html.length < 2 * 2 ** 20, `${n.name}.html is ${(html.length / 2 ** 20).toFixed(1)} MiB`);
  }
});

test("search: a word of another page is found from figures.html and its link opens that section", async () => {
  const index = fs.readFileSync(path.join(out, "assets", "search-index.js"), "utf8");
  const entries = JSON.parse(index.slice(index.indexOf("["), index.lastIndexOf("]") + 1)) as { page: string; anchor: string; heading: string; text: string }[];
  const figuresText = entries
    .filter((e) => e.page === "figures")
    .map((e) => `${e.heading} ${e.text}`)
    .join(" ")
    .toLowerCase();
  // A word from a heading of the overview that figures.html does not contain.
  const target = entries
    .filter((e) => e.page === "00-overview" && e.anchor)
    .flatMap((e) => (e.heading.match(/\p{L}{5,}/gu) ?? []).map((word) => ({ word: word.toLowerCase(), entry: e })))
    .find(({ word }) => !figuresText.includes(word));
  assert.ok(target, "the overview has a heading word that figures.html lacks");
  await withCheckedPage(path.join(out, "figures.html"), async (page, problems) => {
    assert.deepEqual(problems, [], describeProblems(problems));
    await page.fill("#runbook-search", target.word.toUpperCase());
    const hits = page.locator("#runbook-search-results a.runbook-search-hit");
    await hits.first().waitFor({ timeout: 5_000 });
    const hrefs = await hits.evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""));
    const expected = `00-overview.html#${encodeURIComponent(target.entry.anchor)}`;
    assert.ok(hrefs.includes(expected), `a hit links to ${expected}; got ${hrefs.join(", ")}`);
    await screenshot(page, "search.png");
    await hits.nth(hrefs.indexOf(expected)).click();
    await page.waitForURL(/00-overview\.html#/, { timeout: 10_000 });
    const found = await page.evaluate((id) => document.getElementById(id)?.textContent ?? null, target.entry.anchor);
    assert.ok(found !== null && found.includes(target.entry.heading), `the overview has the heading ${target.entry.heading}`);
  });
});

test("the code toggle hides the code cells and keeps their outputs", async () => {
  await withCheckedPage(path.join(out, "figures.html"), async (page) => {
    const visible = (): Promise<{ code: number; outputs: number; figures: number }> =>
      page.evaluate(() => {
        const shown = (sel: string): number => Array.from(document.querySelectorAll<HTMLElement>(sel)).filter((e) => e.offsetParent !== null).length;
        return {
          code: shown(".jp-CodeCell .jp-Cell-inputWrapper"),
          outputs: shown(".jp-CodeCell .jp-Cell-outputWrapper"),
          figures: shown("div.runbook-figure"),
        };
      });
    const before = await visible();
    assert.ok(before.code >= 4 && before.figures === 2, JSON.stringify(before));
    await page.click("#runbook-code-toggle");
    const hidden = await visible();
    assert.deepEqual(hidden, { ...before, code: 0 });
    assert.equal(await page.locator("#runbook-code-toggle").innerText(), "Show code");
    await screenshot(page, "code-hidden.png");
    await page.click("#runbook-code-toggle");
    assert.deepEqual(await visible(), before);
  });
});

test("the dark theme follows the system setting (prefers-color-scheme), on pages and the index", async () => {
  for (const file of ["figures.html", "index.html"]) {
    const seen: Record<string, { background: number; text: number }> = {};
    for (const colorScheme of ["light", "dark"] as const) {
      const context = await getBrowser().newContext({ offline: true, colorScheme, viewport: { width: 1200, height: 900 } });
      try {
        const page = await context.newPage();
        // Styles apply before DOMContentLoaded (the head's scripts wait for them); no need to wait for plotly.
        await page.goto(url(path.join(out, file)), { waitUntil: "domcontentloaded", timeout: 60_000 });
        const colors = await page.evaluate(() => ({
          background: getComputedStyle(document.body).backgroundColor,
          text: getComputedStyle(document.body).color,
        }));
        seen[colorScheme] = { background: luminance(colors.background), text: luminance(colors.text) };
        if (colorScheme === "dark") await screenshot(page, `dark-${file.replace(".html", "")}.png`);
      } finally {
        await context.close();
      }
    }
    assert.ok(seen.light.background > 0.8 && seen.light.text < 0.2, `${file} light: ${JSON.stringify(seen.light)}`);
    assert.ok(seen.dark.background < 0.05 && seen.dark.text > 0.5, `${file} dark: ${JSON.stringify(seen.dark)}`);
  }
});

test("each page links to its executed notebook (.ipynb), which exists and has outputs", async () => {
  for (const n of summary.notebooks) {
    await withCheckedPage(path.join(out, `${n.name}.html`), async (page) => {
      const link = page.locator("a#runbook-download");
      assert.equal(await link.getAttribute("download"), "", `${n.name}.html: the link downloads`);
      const href = await link.evaluate((a) => (a as HTMLAnchorElement).href);
      const file = fileURLToPath(href);
      assert.equal(file, path.join(out, `${n.name}.ipynb`));
      const nb = JSON.parse(fs.readFileSync(file, "utf8")) as { nbformat: number; cells: { outputs?: unknown[] }[] };
      assert.equal(nb.nbformat, 4);
      assert.ok(
        nb.cells.some((c) => (c.outputs ?? []).length > 0),
        `${n.name}.ipynb is the executed notebook`,
      );
    });
  }
});

test("CJK text (a Tang poem line) is drawn with a CJK font, not as empty boxes", async () => {
  await withCheckedPage(path.join(out, "figures.html"), async (page) => {
    const sample = page.locator("p.cjk-sample");
    const text = (await sample.innerText()).trim();
    assert.equal(text, "床前明月光，疑是地上霜。");
    // The fonts Chromium actually used for the node's glyphs (DevTools' "Rendered Fonts").
    const cdp = await page.context().newCDPSession(page);
    const { root } = await cdp.send("DOM.getDocument", { depth: -1 });
    const { nodeId } = await cdp.send("DOM.querySelector", { nodeId: root.nodeId, selector: "p.cjk-sample" });
    await cdp.send("CSS.enable");
    const { fonts } = await cdp.send("CSS.getPlatformFontsForNode", { nodeId });
    const cjkGlyphs = fonts.filter((f) => /CJK/i.test(f.familyName)).reduce((n, f) => n + f.glyphCount, 0);
    assert.equal(cjkGlyphs, [...text].length, `rendered fonts: ${JSON.stringify(fonts)} (scripts/setup.sh installs fonts-noto-cjk)`);
    await sample.screenshot({ path: path.join(SHOTS, "cjk.png") });
  });
});

test("--self-contained: one page alone in an empty folder draws its figures and typesets its formula, offline", async () => {
  assert.ok(!fs.existsSync(path.join(selfContainedOut, "assets")), "no assets/ folder");
  const alone = path.join(tmp, "alone");
  fs.mkdirSync(alone);
  fs.copyFileSync(path.join(selfContainedOut, "figures.html"), path.join(alone, "figures.html"));
  await withCheckedPage(path.join(alone, "figures.html"), async (page, problems) => {
    assert.deepEqual(problems, [], describeProblems(problems));
    const seen = await page.evaluate(() => ({
      drawn: Array.from(document.querySelectorAll("div.runbook-figure")).filter((f) => f.querySelector("svg.main-svg")).length,
      formulas: document.querySelectorAll("mjx-container > svg").length,
      assetLinks: Array.from(document.querySelectorAll("script[src], link[href]")).filter((e) =>
        /assets\//.test(e.getAttribute("src") ?? e.getAttribute("href") ?? ""),
      ).length,
      toolbar: document.querySelector("#runbook-code-toggle") !== null,
    }));
    assert.deepEqual(seen, { drawn: 2, formulas: 2, assetLinks: 0, toolbar: true });
  });
});

// ---- interactive use: npm run jupyter ------------------------------------------------------

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function httpStatus(target: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(target, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
  });
}

/** Every process below `pid`, read from /proc (the kernel may sit in its own session). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      // the process ended meanwhile
    }
  }
  const found: number[] = [];
  const walk = (p: number): void =>
    (children.get(p) ?? []).forEach((c) => {
      found.push(c);
      walk(c);
    });
  walk(pid);
  return found;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function stopServer(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const tree = descendants(pid);
  const exited = new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once("exit", () => r())));
  try {
    process.kill(-pid, "SIGTERM"); // the whole process group: bash, jupyter-notebook
  } catch {
    // already gone
  }
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  await new Promise((r) => setTimeout(r, 500));
  for (const p of [pid, ...tree]) {
    if (alive(p)) {
      try {
        process.kill(p, "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
  }
}

test("npm run jupyter: Jupyter Notebook on 127.0.0.1 runs a plotting cell through the UI and shows the plot", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jupyter-test-"));
  // A project-shaped folder: notebooks/ beside dist/, so the notebook imports "../dist/src/…".
  fs.mkdirSync(path.join(dir, "notebooks"));
  fs.symlinkSync(path.join(ROOT, "dist"), path.join(dir, "dist"));
  const cell = (id: string, source: string): object => ({ cell_type: "code", id, metadata: {}, execution_count: null, outputs: [], source });
  fs.writeFileSync(
    path.join(dir, "notebooks", "interactive.ipynb"),
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" } },
      cells: [
        { cell_type: "markdown", id: "m0", metadata: {}, source: "# Interactive check" },
        cell("c1", 'import { lineChart } from "../dist/src/core/figure";\nimport { showFigure } from "../dist/src/notebook/display";'),
        cell("c2", 'showFigure(lineChart([{ name: "y = 2x", x: [0, 1, 2], y: [0, 2, 4] }], { title: "interactive" }));'),
      ],
    }),
  );
  const port = await freePort();
  const token = `runbook-test-${process.pid}`;
  const base = `http://127.0.0.1:${port}`;
  const logFile = path.join(dir, "jupyter.log");
  const logFd = fs.openSync(logFile, "w");
  const server = spawn(
    "bash",
    [
      path.join(ROOT, "scripts", "jupyter.sh"),
      "--port",
      String(port),
      "--port-retries=0",
      "--no-browser",
      `--NotebookApp.token=${token}`,
      `--notebook-dir=${dir}`,
    ],
    {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", logFd, logFd],
      env: { ...process.env, RUNBOOK_SKIP_SETUP: "1", JUPYTER_RUNTIME_DIR: path.join(dir, "runtime"), JUPYTER_CONFIG_DIR: path.join(dir, "config") },
    },
  );
  fs.closeSync(logFd);
  const log = (): string => fs.readFileSync(logFile, "utf8").split("\n").slice(-25).join("\n");
  let context: Awaited<ReturnType<Browser["newContext"]>> | undefined;
  try {
    // Up to 40 s for the server to answer; stop early if it exits.
    const deadline = Date.now() + 40_000;
    let up = false;
    while (Date.now() < deadline && server.exitCode === null) {
      if ((await httpStatus(`${base}/api/status?token=${token}`)) === 200) {
        up = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(up, `Jupyter Notebook did not start on ${base} (exit code ${server.exitCode}):\n${log()}`);

    context = await getBrowser().newContext({ viewport: { width: 1200, height: 900 }, serviceWorkers: "block" });
    const allowed = (u: string): boolean => u.startsWith(`${base}/`) || u.startsWith(`ws://127.0.0.1:${port}/`) || /^(data|blob|about):/.test(u);
    const offsite: string[] = [];
    // Anything not on this server is recorded and aborted, never sent.
    await context.route(
      (u) => !allowed(u.href),
      (route) => {
        offsite.push(route.request().url());
        return route.abort("blockedbyclient");
      },
    );
    const page = await context.newPage();
    page.on("request", (r) => {
      if (!allowed(r.url())) offsite.push(r.url());
    });
    page.setDefaultTimeout(30_000);
    await page.goto(`${base}/notebooks/notebooks/interactive.ipynb?token=${token}`, { timeout: 30_000 });
    // The kernel is started, connected and idle (the icon alone can be idle before the kernel connects).
    await page.waitForFunction(
      () => {
        type Kernel = { is_connected(): boolean; info_reply?: { protocol_version?: string } };
        const kernel = (window as unknown as { Jupyter?: { notebook?: { kernel?: Kernel } } }).Jupyter?.notebook?.kernel;
        return (
          !!kernel &&
          kernel.is_connected() &&
          !!kernel.info_reply?.protocol_version &&
          document.querySelector("#kernel_indicator_icon.kernel_idle_icon") !== null
        );
      },
      undefined,
      { timeout: 60_000, polling: 200 },
    );
    assert.match(await page.locator(".kernel_indicator_name, #kernel_indicator .kernel_indicator_name").first().innerText(), /TypeScript/);
    const code = page.locator(".cell.code_cell");
    assert.equal(await code.count(), 2);
    for (let i = 0; i < 2; i++) {
      await code.nth(i).locator(".CodeMirror").click();
      await page.keyboard.press("Shift+Enter");
    }
    const figure = page.locator(".output_area div.runbook-figure");
    await figure.locator("svg.main-svg").first().waitFor({ state: "attached", timeout: 60_000 });
    assert.equal(await figure.getAttribute("data-plot-error"), null);
    assert.equal(await figure.locator(".scatterlayer .trace path.js-line").count(), 1);
    assert.equal(await page.locator(".output_area .output_error, .output_area .output_stderr").count(), 0, "no cell printed an error");
    await screenshot(page, "jupyter.png");
    assert.deepEqual(offsite, [], "no request left 127.0.0.1");
  } finally {
    await context?.close().catch(() => undefined);
    await stopServer(server);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.ok(!alive(server.pid ?? -1), "the Jupyter server was stopped");
});
