/**
 * The report's search index: every page's sections (a heading and the text under it, up to the
 * next heading), taken from the rendered HTML so that each hit links to an anchor that exists.
 * The index is a script (`assets/search-index.js` sets `window.runbookSearchIndex`) rather than
 * JSON, because Chromium blocks fetch() of local files when a page is opened from file://.
 */

/** One searchable section of a page. */
export interface SearchEntry {
  /** Page file name without `.html`, e.g. `00-overview`. */
  page: string;
  pageTitle: string;
  /** The heading's id on that page; "" for the text before the first heading. */
  anchor: string;
  heading: string;
  text: string;
}

/** Text kept per section: enough for a reader's word to be found, small enough for every page to load the index. */
export const SECTION_TEXT_LIMIT = 2500;

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " ", "#39": "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+\d*);/gi, (m, name: string) => {
    if (name[0] === "#") {
      const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[name.toLowerCase()] ?? m;
  });
}

/** Visible text of an HTML fragment: no scripts, styles, SVG, tags or heading anchor marks (¶). */
export function htmlToText(html: string): string {
  const stripped = html
    .replace(/<(script|style|svg|noscript|template)\b[\s\S]*?<\/\1\s*>/gi, " ")
    .replace(/<!--[\s\S]*?-->/g, " ")
    // Cell prompts ("In [3]:") are not content.
    .replace(/<div class="jp-(?:Input|Output)Prompt[^"]*"[^>]*>[\s\S]*?<\/div>/g, " ")
    // Inline tags (syntax-highlighting spans, emphasis) join their text; block tags separate it.
    .replace(/<\/?(?:span|a|em|strong|b|i|code|mark|sub|sup|small|abbr|kbd|var|s|u)\b[^>]*>/gi, "")
    .replace(/<[^>]*>/g, " ");
  return decodeEntities(stripped).replace(/¶/g, "").replace(/\s+/g, " ").trim();
}

const HEADING = /<h([1-3])\b[^>]*\bid="([^"]*)"[^>]*>([\s\S]*?)<\/h\1>/gi;

/** A rendered page split into sections at its h1–h3 headings (nbconvert gives each an id). */
export function pageSections(page: string, html: string): SearchEntry[] {
  const bodyStart = html.search(/<body\b/i);
  // The table of contents and the site toolbar repeat what is elsewhere: not indexed.
  const body = (bodyStart >= 0 ? html.slice(bodyStart) : html)
    .replace(/<nav class="runbook-toc"[\s\S]*?<\/nav>/g, " ")
    .replace(/<!-- runbook-site -->[\s\S]*?<!-- \/runbook-site -->/g, " ");
  const title = htmlToText(/<title>([\s\S]*?)<\/title>/i.exec(html)?.[1] ?? "") || page;
  const entries: SearchEntry[] = [];
  const push = (anchor: string, heading: string, fragment: string): void => {
    const text = htmlToText(fragment).slice(0, SECTION_TEXT_LIMIT);
    if (heading || text) entries.push({ page, pageTitle: title, anchor, heading, text });
  };
  let last = { anchor: "", heading: "", end: 0 };
  for (const m of body.matchAll(HEADING)) {
    push(last.anchor, last.heading, body.slice(last.end, m.index));
    last = { anchor: decodeEntities(m[2]), heading: htmlToText(m[3]), end: (m.index ?? 0) + m[0].length };
  }
  push(last.anchor, last.heading, body.slice(last.end));
  return entries;
}

/** The index as a script for `<script src>` or inlining; `<` is escaped so no text can close the tag. */
export function searchIndexScript(entries: SearchEntry[]): string {
  return `window.runbookSearchIndex = ${JSON.stringify(entries).replace(/</g, "\\u003c")};\n`;
}
