/**
 * The report folder as one site. Pages share one copy of plotly.js and of MathJax in `assets/`
 * (a notebook's executed outputs embed plotly.js, ~5 MB, in every page otherwise), and every page
 * gets a toolbar: search over all pages, hide/show code, a download link for the executed
 * notebook. With `selfContained`, each page instead carries all of it inline, so one page can be
 * sent alone and still draws its figures and typesets its formulas offline.
 *
 * Pages are rewritten in place; rewriting an already rewritten page (in either mode) gives the
 * same result as rewriting the original, so a page can be converted between the two modes.
 */
import * as fs from "fs";
import * as path from "path";
import { SITE_CSS, SITE_JS } from "./site-client";
import { type SearchEntry, pageSections, searchIndexScript } from "./site-search";

export const ASSETS_DIR = "assets";

export interface SiteOptions {
  /** Inline every asset in every page (today's single-file pages) instead of sharing `assets/`. */
  selfContained: boolean;
}

/**
 * The inline plotly.js that src/notebook/plot.ts `plotlyScriptTag` writes into a notebook's
 * outputs; test/report-site.test.ts checks that the two agree.
 */
const INLINE_PLOTLY =
  /<script type="text\/javascript">\(function\(\)\{var define=undefined,module=undefined,exports=undefined;\n[\s\S]*?\n\}\)\.call\(window\);<\/script>/g;
const PLOTLY_WRAP_START = "(function(){var define=undefined,module=undefined,exports=undefined;\n";
const PLOTLY_WRAP_END = "\n}).call(window);\n";

/** nbconvert's MathJax 2 block (a script from a system path or a CDN plus its configuration). */
const NBCONVERT_MATHJAX = /<!-- Load mathjax -->[\s\S]*?<!-- End of mathjax configuration -->/;
/** What this module added before: tagged assets and the toolbar. */
const SITE_ASSET =
  /<script data-runbook-asset="[\w-]+"[^>]*>[\s\S]*?<\/script>\n?|<style data-runbook-asset="[\w-]+"[^>]*>[\s\S]*?<\/style>\n?|<link data-runbook-asset="[\w-]+"[^>]*>\n?/g;
const SITE_BLOCK = /<!-- runbook-site -->[\s\S]*?<!-- \/runbook-site -->/g;

/** MathJax 3 configured as nbconvert configures MathJax 2: $…$ and \(…\) inline, $$…$$ and \[…\] displayed. */
const MATHJAX_CONFIG = `window.MathJax = {
  tex: { inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]], displayMath: [["$$", "$$"], ["\\\\[", "\\\\]"]], processEscapes: true, processEnvironments: true, tags: "ams" },
  svg: { fontCache: "global" },
  options: { ignoreHtmlClass: "tex2jax_ignore", processHtmlClass: "tex2jax_process" }
};`;

interface Asset {
  /** File under assets/. */
  file: string;
  kind: "script" | "style";
  text: () => string;
}

const cache = new Map<string, string>();
function readOnce(file: string): string {
  let text = cache.get(file);
  if (text === undefined) {
    text = fs.readFileSync(file, "utf8");
    cache.set(file, text);
  }
  return text;
}

/** MathJax 3's TeX-to-SVG component with every TeX extension: one file, no fonts to fetch, nothing loaded later. */
export function mathjaxFile(): string {
  return require.resolve("mathjax/es5/tex-svg-full.js");
}

const ASSETS: Record<"plotly" | "mathjax" | "mathjax-config" | "site-css" | "site-js", Asset> = {
  // Wrapped so that it always defines window.Plotly: nbconvert's pages carry require.js, and
  // plotly's UMD wrapper would register as an AMD module instead.
  plotly: { file: "plotly.js", kind: "script", text: () => PLOTLY_WRAP_START + readOnce(require.resolve("plotly.js-dist-min")) + PLOTLY_WRAP_END },
  "mathjax-config": { file: "mathjax-config.js", kind: "script", text: () => MATHJAX_CONFIG + "\n" },
  mathjax: { file: "mathjax/tex-svg-full.js", kind: "script", text: () => readOnce(mathjaxFile()) },
  "site-css": { file: "site.css", kind: "style", text: () => SITE_CSS },
  "site-js": { file: "site.js", kind: "script", text: () => SITE_JS },
};
type AssetName = keyof typeof ASSETS;

function assetTag(name: AssetName | "search-index", opts: SiteOptions, searchIndex: string): string {
  const asset = name === "search-index" ? { file: "search-index.js", kind: "script" as const, text: () => searchIndex } : ASSETS[name];
  if (!opts.selfContained) {
    const href = `${ASSETS_DIR}/${asset.file}`;
    return asset.kind === "style"
      ? `<link data-runbook-asset="${name}" rel="stylesheet" href="${href}">`
      : `<script data-runbook-asset="${name}" src="${href}"></script>`;
  }
  const text = asset.text().replace(/<\/(script|style)/gi, "<\\/$1");
  return asset.kind === "style" ? `<style data-runbook-asset="${name}">\n${text}</style>` : `<script data-runbook-asset="${name}">\n${text}</script>`;
}

export interface PageInfo {
  /** File name without `.html`; the executed notebook is `<name>.ipynb` beside it. null for the index. */
  name: string | null;
}

/**
 * One page of the site: shared (or inlined) plotly.js and MathJax 3, the site's style and script,
 * and the toolbar at the top of the body. `searchIndex` is the script of `searchIndexScript`
 * (inlined only when selfContained).
 */
export function sitePage(html: string, page: PageInfo, opts: SiteOptions, searchIndex = searchIndexScript([])): string {
  const hadPlotly = html.search(INLINE_PLOTLY) >= 0 || html.includes('data-runbook-asset="plotly"');
  const hadMath = NBCONVERT_MATHJAX.test(html) || html.includes('data-runbook-asset="mathjax"');
  let out = html.replace(INLINE_PLOTLY, "").replace(NBCONVERT_MATHJAX, "").replace(SITE_ASSET, "").replace(SITE_BLOCK, "");
  const tags: (AssetName | "search-index")[] = ["site-css", "site-js", "search-index"];
  // plotly first in <head>: every figure's script then finds window.Plotly when it runs.
  if (hadPlotly) tags.unshift("plotly");
  if (hadMath) tags.push("mathjax-config", "mathjax");
  const head = `<!-- runbook-site -->\n${tags.map((t) => assetTag(t, opts, searchIndex)).join("\n")}\n<!-- /runbook-site -->`;
  const toolbar = `<!-- runbook-site --><header class="runbook-toolbar tex2jax_ignore">
${page.name === null ? "<b>Runbook report</b>" : '<a href="index.html">Runbook report</a>'}
<input type="search" id="runbook-search" placeholder="Search all pages (press /)" aria-label="Search all pages" autocomplete="off">
${
  page.name === null
    ? ""
    : `<button type="button" id="runbook-code-toggle" aria-pressed="false">Hide code</button>
<a id="runbook-download" href="${encodeURIComponent(page.name)}.ipynb" download>Download the executed notebook (.ipynb)</a>`
}
<ol id="runbook-search-results" hidden></ol>
</header><!-- /runbook-site -->`;
  out = /<\/head>/i.test(out) ? out.replace(/<\/head>/i, (m) => head + m) : head + out;
  return /<body[^>]*>/i.test(out) ? out.replace(/<body[^>]*>/i, (m) => m + toolbar) : toolbar + out;
}

/**
 * Makes `dir` a site: writes assets/ (unless selfContained) with the search index of the given
 * pages, and rewrites each `<name>.html` with `sitePage`. Returns the search index.
 */
export function writeReportSite(dir: string, names: string[], opts: SiteOptions): SearchEntry[] {
  const pages = names.map((name) => ({ name, file: path.join(dir, `${name}.html`) })).filter((p) => fs.existsSync(p.file));
  const html = new Map(pages.map((p) => [p.name, fs.readFileSync(p.file, "utf8")]));
  const entries = pages.flatMap((p) => pageSections(p.name, html.get(p.name) as string));
  const searchIndex = searchIndexScript(entries);
  const assets = path.join(dir, ASSETS_DIR);
  fs.rmSync(assets, { recursive: true, force: true });
  if (!opts.selfContained) {
    for (const asset of Object.values(ASSETS)) {
      fs.mkdirSync(path.dirname(path.join(assets, asset.file)), { recursive: true });
      fs.writeFileSync(path.join(assets, asset.file), asset.text());
    }
    fs.writeFileSync(path.join(assets, "search-index.js"), searchIndex);
  }
  for (const p of pages) fs.writeFileSync(p.file, sitePage(html.get(p.name) as string, { name: p.name }, opts, searchIndex));
  return entries;
}

/** The index page with the site's toolbar, style and search (no code, no notebook to download). */
export function siteIndexPage(html: string, dir: string, opts: SiteOptions): string {
  const indexFile = path.join(dir, ASSETS_DIR, "search-index.js");
  // Self-contained reports have no assets/: the pages' own copy of the index is inlined again.
  const searchIndex = opts.selfContained ? searchIndexFromPages(dir) : fs.existsSync(indexFile) ? fs.readFileSync(indexFile, "utf8") : searchIndexScript([]);
  return sitePage(html, { name: null }, opts, searchIndex);
}

function searchIndexFromPages(dir: string): string {
  const names = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".html") && f !== "index.html")
    .map((f) => f.slice(0, -".html".length))
    .sort();
  return searchIndexScript(names.flatMap((name) => pageSections(name, fs.readFileSync(path.join(dir, `${name}.html`), "utf8"))));
}
