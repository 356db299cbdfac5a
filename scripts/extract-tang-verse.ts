// Extract the Tang regular verse (five- and seven-character quatrains and regulated verse) from the
// npm package chinese-poetry into a committed file (article §2.1: the data). Deterministic: same
// package → same bytes. Usage: node dist/scripts/extract-tang-verse.js [--from DIR] [--out data/tang-verse/poems.json]
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { hasRegularShape, regularVerseLines, verseForm, type TangPoem } from "../src/data/tang-poetry";
import { writeFileAtomic } from "../src/core/atomic-write";

const USAGE = `Usage: extract-tang-verse [--from DIR] [--out FILE]
  --from  the chinese-poetry package directory (default: resolved from node_modules)
  --out   output JSON (default: data/tang-verse/poems.json)`;

const INSTALL_HINT = "npm install --no-save chinese-poetry@2.0.1";

/** Counts of what the extraction kept and dropped. */
export interface ExtractionStats {
  files: number;
  poemsScanned: number;
  /** Poems kept, by form ("5x4", "7x4", "5x8", "7x8"). */
  byForm: Record<string, number>;
  /** Poems of a regular shape (couplets "A，B。" of equal 5/7-character lines) dropped for a non-Han character (lacuna marks □ ●). */
  droppedNonHan: number;
  /** Exact duplicates (same characters) dropped, keeping the first in source order. */
  droppedDuplicates: number;
  written: number;
}

/** The Tang files in source order: poet.tang.0.json, poet.tang.1000.json, … (numeric, not lexical). */
export function tangFiles(pkgDir: string): string[] {
  const dir = path.join(pkgDir, "dist", "quantangshi");
  if (!fs.existsSync(dir)) throw new Error(`${dir} not found; expected the chinese-poetry package (${INSTALL_HINT}, or pass --from)`);
  const files = fs.readdirSync(dir).filter((f) => /^poet\.tang\.\d+\.json$/.test(f));
  if (files.length === 0) throw new Error(`${dir} has no poet.tang.*.json files`);
  return files.sort((a, b) => Number(a.split(".")[2]) - Number(b.split(".")[2])).map((f) => path.join(dir, f));
}

/** Extract the regular verse from the package at `pkgDir` (source order, duplicates removed). */
export function extractTangVerse(pkgDir: string): { poems: TangPoem[]; stats: ExtractionStats } {
  const files = tangFiles(pkgDir);
  const stats: ExtractionStats = { files: files.length, poemsScanned: 0, byForm: {}, droppedNonHan: 0, droppedDuplicates: 0, written: 0 };
  const seen = new Set<string>();
  const poems: TangPoem[] = [];
  for (const file of files) {
    const entries = JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
    if (!Array.isArray(entries)) throw new Error(`${file}: expected a JSON array of poems`);
    entries.forEach((e: unknown, i) => {
      const p = e as { id?: unknown; author?: unknown; title?: unknown; paragraphs?: unknown };
      if (!Array.isArray(p.paragraphs) || !p.paragraphs.every((x) => typeof x === "string")) {
        throw new Error(`${file}: entry ${i} has no "paragraphs" string array`);
      }
      stats.poemsScanned++;
      const paragraphs = p.paragraphs as string[];
      const lines = regularVerseLines(paragraphs);
      const form = lines && verseForm(lines);
      if (!lines || !form) {
        if (hasRegularShape(paragraphs)) stats.droppedNonHan++;
        return;
      }
      const body = lines.join("");
      if (seen.has(body)) {
        stats.droppedDuplicates++;
        return;
      }
      seen.add(body);
      stats.byForm[form] = (stats.byForm[form] ?? 0) + 1;
      poems.push({ id: String(p.id ?? ""), author: String(p.author ?? ""), title: String(p.title ?? ""), form, lines });
    });
  }
  stats.written = poems.length;
  return { poems, stats };
}

/** The output file's text: one poem per line, so diffs stay readable. */
export function tangVerseJson(poems: TangPoem[], source: string): string {
  const body = poems.map((p) => JSON.stringify({ id: p.id, author: p.author, title: p.title, form: p.form, lines: p.lines })).join(",\n");
  return `{"source": ${JSON.stringify(source)},\n"count": ${poems.length},\n"poems": [\n${body}\n]}\n`;
}

function resolvePackage(): string {
  try {
    return path.dirname(require.resolve("chinese-poetry/package.json"));
  } catch {
    throw new Error(`the chinese-poetry package is not installed; run \`${INSTALL_HINT}\` or pass --from <dir of the chinese-poetry package>`);
  }
}

/** Parse flags, extract, write atomically; resolves to the process exit code. */
export function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      from: { type: "string" },
      out: { type: "string", default: path.join("data", "tang-verse", "poems.json") },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const pkgDir = values.from ?? resolvePackage();
  const pkgJson = path.join(pkgDir, "package.json");
  const version = fs.existsSync(pkgJson) ? ((JSON.parse(fs.readFileSync(pkgJson, "utf8")) as { version?: string }).version ?? "?") : "?";
  const { poems, stats } = extractTangVerse(pkgDir);
  const out = values.out ?? "";
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  const text = tangVerseJson(
    poems,
    `npm chinese-poetry ${version}, dist/quantangshi/poet.tang.*.json (regular verse: 5/7-character quatrains and regulated verse)`,
  );
  writeFileAtomic(out, text);
  process.stdout.write(`${JSON.stringify(stats)}\n${out}\n`);
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`extract-tang-verse: ${message.replace(/\s*\n\s*/g, " ")}\n`);
    process.exitCode = 1;
  }
}
