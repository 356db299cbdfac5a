/**
 * Opens rendered report pages in a real browser (Debian's Chromium, driven by playwright-core)
 * and lists what a reader would find broken: a figure plotly did not draw, a console error or an
 * uncaught exception, a formula MathJax could not typeset, a local file that did not load, and
 * any request that would leave the machine. Used by the runner (a notebook whose page has a
 * problem fails) and by test/browser.test.ts. Requests other than file:, data:, blob: and
 * about: are never sent: the browser context is offline and resolves no host name.
 */
import * as fs from "fs";
import * as path from "path";
import { pathToFileURL } from "url";
import type { Browser, Page } from "playwright-core";
import { escapeHtml } from "../core/html";
import { envBrowserCheck, envChromium } from "../core/env";
import type { NotebookRun } from "./report-index";

/** Debian's Chromium (package `chromium`); `RUNBOOK_CHROMIUM` names another binary. */
export const CHROMIUM_PATH = envChromium();

/** Headless, no sandbox (root in CI), and nothing that phones home; no host name resolves. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
];

export type ProblemKind = "figure" | "math" | "load" | "request" | "exception" | "console";

/** Problems are listed most telling first: a missing figure explains the exception behind it. */
const KIND_ORDER: readonly ProblemKind[] = ["figure", "math", "load", "request", "exception", "console"];

/** One thing wrong with a rendered page. */
export interface ReportProblem {
  kind: ProblemKind;
  message: string;
}

/** Chromium or playwright-core is missing: the fix is `npm run setup`. */
export class BrowserUnavailableError extends Error {}

export interface CheckOptions {
  /** Longest wait for the page's load event, ms. */
  loadTimeoutMs?: number;
  /** Longest wait for every figure to be drawn or to report its error, ms. */
  figureTimeoutMs?: number;
  /** Longest wait for MathJax to finish typesetting, ms. */
  mathTimeoutMs?: number;
}

const DEFAULTS: Required<CheckOptions> = { loadTimeoutMs: 30_000, figureTimeoutMs: 15_000, mathTimeoutMs: 15_000 };

/** URLs that stay on this machine. */
export function isLocalUrl(url: string): boolean {
  return /^(file|data|blob|about):/i.test(url);
}

/** Launches headless Chromium, or throws BrowserUnavailableError saying to run `npm run setup`. */
export async function launchChromium(opts: { timeoutMs?: number } = {}): Promise<Browser> {
  let pw: typeof import("playwright-core");
  try {
    pw = require("playwright-core") as typeof import("playwright-core");
  } catch (e) {
    throw new BrowserUnavailableError(`the npm package playwright-core is not installed (${(e as Error).message.split("\n")[0]}): run \`npm run setup\``);
  }
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new BrowserUnavailableError(
      `Chromium not found at ${CHROMIUM_PATH}: run \`npm run setup\` (installs Debian's chromium), or set RUNBOOK_CHROMIUM to a Chromium binary`,
    );
  }
  try {
    return await pw.chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], timeout: opts.timeoutMs ?? 60_000 });
  } catch (e) {
    throw new BrowserUnavailableError(`Chromium at ${CHROMIUM_PATH} did not start: ${(e as Error).message.split("\n")[0]}; run \`npm run setup\``);
  }
}

/** A page in a fresh offline context, so nothing a page asks for can leave the machine. */
export async function newOfflinePage(browser: Browser, viewport = { width: 1200, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ offline: true, serviceWorkers: "block", viewport });
  return context.newPage();
}

interface FigureState {
  index: number;
  drawn: boolean;
  error: string | null;
}

/**
 * Loads `url` in `page` (listeners are attached first, so nothing during load is missed), waits
 * for every `div.runbook-figure` to be drawn or to fail and for MathJax to finish, and returns
 * the problems found; an empty list means the page renders as intended.
 */
export async function checkReportPage(page: Page, url: string, options: CheckOptions = {}): Promise<ReportProblem[]> {
  const o = { ...DEFAULTS, ...options };
  const problems: ReportProblem[] = [];
  const add = (kind: ProblemKind, message: string): void => {
    if (!problems.some((p) => p.kind === kind && p.message === message)) problems.push({ kind, message });
  };
  const onConsole = (m: import("playwright-core").ConsoleMessage): void => {
    if (m.type() === "error") add("console", `console error: ${m.text().slice(0, 300)}`);
  };
  const onPageError = (e: Error): void => add("exception", `uncaught exception: ${e.message.slice(0, 300)}`);
  const onRequest = (r: import("playwright-core").Request): void => {
    if (!isLocalUrl(r.url())) add("request", `request to a non-local URL (blocked): ${r.url().slice(0, 200)}`);
  };
  const onRequestFailed = (r: import("playwright-core").Request): void => {
    if (isLocalUrl(r.url())) add("load", `could not load ${r.url().slice(0, 200)}: ${r.failure()?.errorText ?? "failed"}`);
  };
  page.on("console", onConsole);
  page.on("pageerror", onPageError);
  page.on("request", onRequest);
  page.on("requestfailed", onRequestFailed);
  try {
    try {
      await page.goto(url, { waitUntil: "load", timeout: o.loadTimeoutMs });
    } catch (e) {
      add("load", `page did not load within ${o.loadTimeoutMs / 1000} s: ${(e as Error).message.split("\n")[0]}`);
      return problems;
    }
    // Each figure either gets plotly's svg.main-svg or a data-plot-error attribute (src/plot.ts).
    const settled = await page
      .waitForFunction(
        () =>
          Array.from(document.querySelectorAll("div.runbook-figure")).every(
            (el) => el.hasAttribute("data-plot-error") || el.querySelector("svg.main-svg") !== null,
          ),
        undefined,
        { timeout: o.figureTimeoutMs, polling: 100 },
      )
      .then(
        () => true,
        () => false,
      );
    if (settled) {
      // plotly creates the svg before it draws the traces; a later throw replaces it with the error.
      await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 200)))));
    }
    const figures: FigureState[] = await page.evaluate(() =>
      Array.from(document.querySelectorAll("div.runbook-figure")).map((el, index) => ({
        index,
        drawn: el.querySelector("svg.main-svg") !== null && !el.hasAttribute("data-plot-error"),
        error: el.getAttribute("data-plot-error"),
      })),
    );
    for (const f of figures) {
      if (f.error !== null) add("figure", `figure ${f.index + 1} of ${figures.length} not drawn: ${f.error.slice(0, 300)}`);
      else if (!f.drawn) add("figure", `figure ${f.index + 1} of ${figures.length} not drawn: no plot after ${o.figureTimeoutMs / 1000} s`);
    }
    // MathJax 3 (the report's assets/mathjax) resolves startup.promise when typesetting is done;
    // MathJax 2 queues a callback on its Hub. A configuration object without either means the
    // script itself never loaded.
    const math = await page
      .evaluate((timeout) => {
        type Hub = { Queue(fn: () => void): void };
        const mj = (window as unknown as { MathJax?: { Hub?: Hub; startup?: { promise?: Promise<unknown> } } }).MathJax;
        if (!mj) return Promise.resolve({ done: true, errors: [] as string[] });
        return new Promise<{ done: boolean; errors: string[] }>((resolve) => {
          const collect = (done: boolean, extra: string[] = []): void =>
            resolve({
              done,
              errors: extra.concat(
                Array.from(document.querySelectorAll(".MathJax_Error, .noError, merror, mjx-merror, [data-mjx-error]")).map((e) =>
                  (e.getAttribute("data-mjx-error") ?? e.textContent ?? "").trim().slice(0, 200),
                ),
              ),
            });
          const timer = setTimeout(() => collect(false), timeout);
          const finish = (extra: string[] = []): void => {
            clearTimeout(timer);
            collect(true, extra);
          };
          if (mj.startup?.promise)
            mj.startup.promise.then(
              () => finish(),
              (e: unknown) => finish([`MathJax failed: ${String(e)}`]),
            );
          else if (mj.Hub) mj.Hub.Queue(() => finish());
          else finish(["MathJax is configured but its script did not load"]);
        });
      }, o.mathTimeoutMs)
      .catch((e: Error) => ({ done: false, errors: [`could not query MathJax: ${e.message.split("\n")[0]}`] }));
    if (!math.done) add("math", `MathJax did not finish typesetting within ${o.mathTimeoutMs / 1000} s`);
    for (const err of math.errors) add("math", `formula not typeset: ${err}`);
  } finally {
    page.off("console", onConsole);
    page.off("pageerror", onPageError);
    page.off("request", onRequest);
    page.off("requestfailed", onRequestFailed);
  }
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => KIND_ORDER.indexOf(a.p.kind) - KIND_ORDER.indexOf(b.p.kind) || a.i - b.i)
    .map(({ p }) => p);
}

/** Checks each HTML file in its own offline page of one browser; file → problems. */
export async function checkReportFiles(files: string[], options: CheckOptions & { browser?: Browser } = {}): Promise<Map<string, ReportProblem[]>> {
  const result = new Map<string, ReportProblem[]>();
  if (files.length === 0) return result;
  const browser = options.browser ?? (await launchChromium());
  try {
    for (const file of files) {
      const page = await newOfflinePage(browser);
      try {
        result.set(file, await checkReportPage(page, pathToFileURL(path.resolve(file)).href, options));
      } finally {
        await page.context().close();
      }
    }
  } finally {
    if (!options.browser) await browser.close();
  }
  return result;
}

/** The text that explains a page's problems, one per line. */
export function describeProblems(problems: ReportProblem[]): string {
  return problems.map((p) => `${p.kind}: ${p.message}`).join("\n");
}

function bannerHtml(problems: ReportProblem[]): string {
  return `<div class="runbook-browser-check" style="background:#fdecea;border:2px solid #b00;padding:.8em;margin:1em;font-family:sans-serif">
<b>⚠ This page does not render correctly in a browser</b> (checked in headless Chromium after the notebook ran):
<pre style="white-space:pre-wrap">${escapeHtml(describeProblems(problems))}</pre></div>`;
}

/**
 * The runner's browser check: opens the page of every passed notebook in `dir` and marks a
 * notebook whose page has problems as failed, with a banner on the page. Returns the number
 * marked failed. Without Chromium it warns through `log` and checks nothing (set
 * RUNBOOK_BROWSER_CHECK=off to skip the check on purpose).
 */
export async function checkRenderedNotebooks(runs: NotebookRun[], dir: string, log: (line: string) => void = console.log): Promise<number> {
  if (!envBrowserCheck()) return 0;
  const passed = runs.filter((r) => r.status === "passed" && fs.existsSync(path.join(dir, `${r.name}.html`)));
  if (passed.length === 0) return 0;
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (e) {
    if (!(e instanceof BrowserUnavailableError)) throw e;
    log(`⚠ pages not checked in a browser: ${e.message}`);
    return 0;
  }
  let failed = 0;
  try {
    const started = Date.now();
    const results = await checkReportFiles(
      passed.map((r) => path.join(dir, `${r.name}.html`)),
      { browser },
    );
    for (const run of passed) {
      const file = path.join(dir, `${run.name}.html`);
      const problems = results.get(file) ?? [];
      if (problems.length === 0) continue;
      failed++;
      run.status = "failed";
      run.failedCell = null;
      run.failedCellLabel = "the rendered page";
      run.failedCellSource = undefined;
      run.message = describeProblems(problems);
      const html = fs.readFileSync(file, "utf8");
      const withBanner = /<body[^>]*>/i.test(html) ? html.replace(/<body[^>]*>/i, (m) => `${m}\n${bannerHtml(problems)}`) : bannerHtml(problems) + html;
      fs.writeFileSync(file, withBanner);
      log(
        `✗ ${run.path} FAILED in the browser (its page ${run.name}.html):\n${run.message
          .split("\n")
          .map((l) => `    ${l}`)
          .join("\n")}`,
      );
    }
    log(
      `Checked ${passed.length} page(s) in headless Chromium in ${((Date.now() - started) / 1000).toFixed(1)} s: ${failed ? `${failed} with problems` : "all render"}`,
    );
  } finally {
    await browser.close();
  }
  return failed;
}
