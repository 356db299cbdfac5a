/**
 * What every notebook does first, and the runbook's table of contents.
 */
import * as fs from "fs";
import * as path from "path";
import { type BackendReport, backendRows, initBackend } from "../engine/backend";
import { showTable } from "./display";
import { PROJECT_ROOT } from "../core/paths";
import { envReportRun } from "../core/env";
import { type Notebook, cellSource } from "../core/notebook-format";
import { recordFacts } from "./report-facts";

/**
 * Opens a notebook: initialises the TensorFlow.js backend, shows which one runs and why the faster
 * ones do not, and reports it to the runner.
 */
export async function startNotebook(): Promise<BackendReport> {
  const report = await initBackend();
  showTable(backendRows(report), { caption: `TensorFlow.js backend in use: ${report.choice}` });
  recordFacts({ backend: report.choice });
  return report;
}

export interface Section {
  file: string;
  title: string;
  summary: string;
  /** Article sections this notebook covers, from its metadata `runbook.article_sections`. */
  articleSections: string[];
}

/** The notebooks in reading order (file name order), with title and one-line summary. */
export function runbookSections(dir = path.join(PROJECT_ROOT, "notebooks")): Section[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ipynb"))
    .sort()
    .map((file) => {
      const nb = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as Notebook;
      const first = nb.cells.find((c) => c.cell_type === "markdown");
      const text = first ? cellSource(first) : "";
      const title = /^#\s+(.+)$/m.exec(text)?.[1].trim() ?? file;
      const summary =
        text
          .split(/\n\s*\n/)
          .map((p) => p.trim())
          .find((p) => p && !p.startsWith("#"))
          ?.split(/(?<=\.)\s/)[0] ?? "";
      // Plain text for a one-line summary: drop markdown emphasis, code marks and link targets.
      const plain = summary.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/[*_`]/g, "");
      const meta = (nb.metadata.runbook ?? {}) as { article_sections?: string[] };
      return { file, title, summary: plain, articleSections: meta.article_sections ?? [] };
    });
}

/** Link target for a notebook: its HTML page inside a report, the .ipynb in Jupyter. */
export function sectionHref(file: string): string {
  // RUNBOOK_REPORT is set by the runner when it renders the report.
  return envReportRun() ? file.replace(/\.ipynb$/, ".html") : file;
}

/** The article's ten sections (see ../shared/ARTICLE.md), for the coverage table. */
export const ARTICLE_SECTIONS: readonly { id: string; title: string }[] = [
  { id: "§1", title: "Background" },
  { id: "§2", title: "Core concepts: traits of large models, cultural advantage" },
  { id: "§3", title: "Core algorithm and the five steps of building a model" },
  { id: "§4", title: "Mathematical models: MLP, CNN, RNN with worked examples" },
  { id: "§5", title: "Project practice: the CIFAR-10 CNN experiment" },
  { id: "§6", title: "Application scenarios" },
  { id: "§7", title: "Tools and resources" },
  { id: "§8", title: "Trends and challenges" },
  { id: "§9", title: "FAQ: evaluation metrics, data sources, privacy" },
  { id: "§10", title: "Further reading" },
];

/** For each article section, the notebooks that cover it (by `runbook.article_sections` metadata). */
export function articleCoverage(sections: Section[]): { section: string; title: string; notebooks: Section[] }[] {
  return ARTICLE_SECTIONS.map((s) => ({
    section: s.id,
    title: s.title,
    notebooks: sections.filter((n) => n.articleSections.some((a) => a === s.id || a.startsWith(`${s.id}.`))),
  }));
}
