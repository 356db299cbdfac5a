/**
 * What runs in the reader's browser on every report page (written to `assets/site.css` and
 * `assets/site.js`, or inlined with --self-contained): the toolbar's search over all pages, the
 * hide/show-code toggle, and colours that follow the system's light/dark setting. Plain ES5 with
 * no library, so a page opened from file:// needs nothing else. The notebook pages' own dark
 * colours are JupyterLab's dark theme (added by scripts/execute_notebook.py); these rules cover
 * the toolbar, the index page and the runner's own boxes.
 */

export const SITE_CSS = `:root{color-scheme:light dark;--runbook-bg:#fff;--runbook-fg:#222;--runbook-muted:#666;--runbook-panel:#f6f6f6;--runbook-border:#ddd;--runbook-link:#0b57d0;--runbook-mark:#fff3a0}
@media (prefers-color-scheme: dark){:root{--runbook-bg:#111418;--runbook-fg:#e3e3e3;--runbook-muted:#a0a0a0;--runbook-panel:#1d2127;--runbook-border:#3a3f47;--runbook-link:#8ab4f8;--runbook-mark:#5c4d00}
 a{color:var(--runbook-link)}
 .runbook-figure{background:#fff;border-radius:4px}}
body{background:var(--jp-layout-color0,var(--runbook-bg));color:var(--jp-content-font-color1,var(--runbook-fg))}
.runbook-toolbar{position:sticky;top:0;z-index:1000;display:flex;flex-wrap:wrap;gap:.5em;align-items:center;padding:.4em 1em;background:var(--runbook-panel);color:var(--runbook-fg);border-bottom:1px solid var(--runbook-border);font:14px/1.4 system-ui,sans-serif}
.runbook-toolbar a{color:var(--runbook-link)}
.runbook-toolbar input,.runbook-toolbar button{font:inherit;color:var(--runbook-fg);background:var(--runbook-bg);border:1px solid var(--runbook-border);border-radius:4px;padding:.25em .6em}
.runbook-toolbar input{flex:1 1 16em;max-width:30em}
.runbook-toolbar button{cursor:pointer}
#runbook-search-results{position:absolute;top:100%;left:1em;right:1em;max-height:70vh;overflow:auto;margin:0;padding:.5em 1em .5em 2.5em;background:var(--runbook-bg);border:1px solid var(--runbook-border);box-shadow:0 4px 12px rgba(0,0,0,.25)}
#runbook-search-results li{margin:.4em 0}
#runbook-search-results .runbook-snippet{color:var(--runbook-muted);font-size:.9em}
#runbook-search-results mark{background:var(--runbook-mark);color:inherit}
html.runbook-code-hidden .jp-CodeCell .jp-Cell-inputWrapper{display:none}
`;

export const SITE_JS = `(function () {
  "use strict";
  var root = document.documentElement, KEY = "runbook-hide-code";
  function stored() { try { return window.localStorage.getItem(KEY) === "1"; } catch (e) { return false; } }
  function store(hidden) { try { window.localStorage.setItem(KEY, hidden ? "1" : "0"); } catch (e) { /* file:// without storage */ } }
  function setCodeHidden(hidden) {
    root.classList.toggle("runbook-code-hidden", hidden);
    var button = document.getElementById("runbook-code-toggle");
    if (button) { button.textContent = hidden ? "Show code" : "Hide code"; button.setAttribute("aria-pressed", String(hidden)); }
  }
  // Before the body is drawn, so hidden code does not flash.
  root.classList.toggle("runbook-code-hidden", stored());

  function terms(query) { return query.toLowerCase().split(/\\s+/).filter(function (t) { return t.length > 0; }); }
  /** Sections that contain every term; a term in the heading or page title counts more. */
  function search(query) {
    var index = window.runbookSearchIndex || [], wanted = terms(query), hits = [];
    if (wanted.length === 0) return hits;
    index.forEach(function (entry) {
      var head = (entry.pageTitle + " " + entry.heading).toLowerCase(), body = entry.text.toLowerCase(), score = 0;
      for (var i = 0; i < wanted.length; i++) {
        var inHead = head.indexOf(wanted[i]) >= 0;
        if (!inHead && body.indexOf(wanted[i]) < 0) return;
        score += inHead ? 3 : 1;
      }
      hits.push({ entry: entry, score: score });
    });
    hits.sort(function (a, b) { return b.score - a.score; });
    return hits.slice(0, 30).map(function (h) { return h.entry; });
  }
  function snippet(text, term) {
    var at = text.toLowerCase().indexOf(term), from = Math.max(0, at - 60);
    if (at < 0) return { before: text.slice(0, 140), match: "", after: "" };
    return { before: (from > 0 ? "…" : "") + text.slice(from, at), match: text.slice(at, at + term.length), after: text.slice(at + term.length, at + term.length + 80) + "…" };
  }
  function render(list, query) {
    while (list.firstChild) list.removeChild(list.firstChild);
    var hits = search(query);
    list.hidden = terms(query).length === 0;
    if (list.hidden) return;
    if (hits.length === 0) { var none = document.createElement("li"); none.textContent = "No page contains “" + query + "”."; list.appendChild(none); return; }
    hits.forEach(function (entry) {
      var li = document.createElement("li"), a = document.createElement("a"), s = snippet(entry.text, terms(query)[0]);
      a.href = encodeURIComponent(entry.page) + ".html" + (entry.anchor ? "#" + encodeURIComponent(entry.anchor) : "");
      a.className = "runbook-search-hit";
      a.textContent = entry.pageTitle + (entry.heading && entry.heading !== entry.pageTitle ? " › " + entry.heading : "");
      var div = document.createElement("div"), mark = document.createElement("mark");
      div.className = "runbook-snippet";
      mark.textContent = s.match;
      div.appendChild(document.createTextNode(s.before)); div.appendChild(mark); div.appendChild(document.createTextNode(s.after));
      a.addEventListener("click", function () { list.hidden = true; });
      li.appendChild(a); li.appendChild(div); list.appendChild(li);
    });
  }
  function init() {
    var button = document.getElementById("runbook-code-toggle");
    if (button) {
      setCodeHidden(root.classList.contains("runbook-code-hidden"));
      button.addEventListener("click", function () { var hidden = !root.classList.contains("runbook-code-hidden"); setCodeHidden(hidden); store(hidden); });
    }
    var input = document.getElementById("runbook-search"), list = document.getElementById("runbook-search-results");
    if (!input || !list) return;
    input.addEventListener("input", function () { render(list, input.value); });
    input.addEventListener("keydown", function (e) { if (e.key === "Escape") { input.value = ""; render(list, ""); } });
    document.addEventListener("keydown", function (e) {
      if (e.key === "/" && document.activeElement !== input) { e.preventDefault(); input.focus(); }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
`;
