/**
 * The Tang regular verse (近體詩) of the npm package `chinese-poetry` 2.0.1: five- and seven-character
 * quatrains (絕句, 4 lines) and regulated verse (律詩, 8 lines), extracted by
 * scripts/extract-tang-verse.ts into data/tang-verse/poems.json (see its README). A cultural corpus
 * as a startup's data advantage (article §2.1, §2.3, §8).
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../core/paths";

export const TANG_VERSE_JSON = path.join(PROJECT_ROOT, "data", "tang-verse", "poems.json");

/** A regular form: characters per line × lines ("5x4" is a five-character quatrain 五言絕句, "7x8" seven-character regulated verse 七言律詩). */
export type VerseForm = "5x4" | "7x4" | "5x8" | "7x8";
export const VERSE_FORMS: readonly VerseForm[] = ["5x4", "7x4", "5x8", "7x8"];

/** Characters per line and lines of a form. */
export function formShape(form: VerseForm): { lineChars: number; lines: number } {
  const [lineChars, lines] = form.split("x").map(Number);
  return { lineChars, lines };
}

/** One poem: its lines of Han characters, without punctuation. */
export interface TangPoem {
  /** The source poem's id in chinese-poetry. */
  id: string;
  author: string;
  title: string;
  form: VerseForm;
  /** 4 or 8 lines of exactly 5 or 7 Han characters each, as `form` says. */
  lines: string[];
}

export interface TangVerse {
  poems: TangPoem[];
  /** Where the file came from (package, version, files), as written by the extraction script. */
  source: string;
  file: string;
}

/** A line of Han characters (CJK ideographs of every block; not punctuation, not the lacuna marks □ ●). */
const HAN_LINE = /^\p{Script=Han}+$/u;

/** The form of `lines` if they are a regular form (4 or 8 lines, all 5 or all 7 Han characters), else null. */
export function verseForm(lines: readonly string[]): VerseForm | null {
  if (lines.length !== 4 && lines.length !== 8) return null;
  const chars = Array.from(lines[0]).length;
  if (chars !== 5 && chars !== 7) return null;
  if (!lines.every((l) => Array.from(l).length === chars && HAN_LINE.test(l))) return null;
  return `${chars}x${lines.length}` as VerseForm;
}

/**
 * The lines of a regular poem if `paragraphs` (chinese-poetry's field) is one, else null. The
 * paragraphs are joined, so however the package splits the couplets, the joined text must be
 * couplets "A，B。" only — 2 or 4 of them — with every line the same length, 5 or 7 Han
 * characters (article §2.1: the data, as collected).
 */
export function regularVerseLines(paragraphs: readonly string[]): string[] | null {
  const m = /^(?:[^，。]+，[^，。]+。){2,4}$/u.exec(paragraphs.join(""));
  if (!m) return null;
  const lines = m[0].split(/[，。]/u).slice(0, -1);
  return verseForm(lines) ? lines : null;
}

/** Poems of the couplet shape "A，B。…" (2 or 4 couplets of equal 5/7-character lines) however the characters look: what lacunae are counted against. */
export function hasRegularShape(paragraphs: readonly string[]): boolean {
  const text = paragraphs.join("");
  return [5, 7].some((n) => [2, 4].some((c) => new RegExp(`^(?:.{${n}}，.{${n}}。){${c}}$`, "u").test(text)));
}

function describe(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Checks one entry; returns the error text (without the file/index prefix) or null. */
function entryError(e: unknown): string | null {
  if (e === null || typeof e !== "object" || Array.isArray(e)) return `is ${describe(e)}; expected an object {id, author, title, form, lines}`;
  const r = e as Record<string, unknown>;
  for (const key of ["id", "author", "title", "form"]) {
    if (typeof r[key] !== "string") return `field "${key}" is ${describe(r[key])}; expected a string`;
  }
  if ((r.id as string) === "") return `field "id" is empty`;
  if (!VERSE_FORMS.includes(r.form as VerseForm)) return `field "form" is ${describe(r.form)}; expected one of ${VERSE_FORMS.join(", ")}`;
  const { lineChars, lines: numLines } = formShape(r.form as VerseForm);
  const lines = r.lines;
  if (!Array.isArray(lines) || lines.length !== numLines) return `field "lines" is ${describe(lines)}; expected ${numLines} lines (form ${String(r.form)})`;
  for (let i = 0; i < lines.length; i++) {
    const l: unknown = lines[i];
    if (typeof l !== "string" || Array.from(l).length !== lineChars || !HAN_LINE.test(l)) {
      return `line ${i + 1} is ${describe(l)}; expected ${lineChars} Han characters (form ${String(r.form)})`;
    }
  }
  return null;
}

/**
 * Reads and validates the poems, keeping those of `forms` (default: all four); errors name the file
 * and the entry index at fault (article §2.1, §3.2 step 1).
 */
export function loadTangVerse(options: { file?: string; forms?: readonly VerseForm[] } = {}): TangVerse {
  const { file = TANG_VERSE_JSON, forms = VERSE_FORMS } = options;
  for (const f of forms) {
    if (!VERSE_FORMS.includes(f)) throw new Error(`loadTangVerse: forms contains ${describe(f)}; expected some of ${VERSE_FORMS.join(", ")}`);
  }
  if (!fs.existsSync(file)) {
    throw new Error(`Tang verse ${file} not found; expected data/tang-verse/poems.json (regenerate with npm run data:tang)`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`Tang verse ${file} is not valid JSON (${(err as Error).message})`, { cause: err });
  }
  if (doc === null || typeof doc !== "object" || !Array.isArray((doc as { poems?: unknown }).poems)) {
    throw new Error(`Tang verse ${file}: expected an object with a "poems" array`);
  }
  const { poems, source, count } = doc as { poems: unknown[]; source?: unknown; count?: unknown };
  if (poems.length === 0) throw new Error(`Tang verse ${file}: "poems" is empty`);
  poems.forEach((p, i) => {
    const err = entryError(p);
    if (err) throw new Error(`Tang verse ${file}: entry ${i} ${err}`);
  });
  if (count !== undefined && count !== poems.length) {
    throw new Error(`Tang verse ${file}: "count" says ${describe(count)} but "poems" has ${poems.length} entries`);
  }
  const kept = (poems as TangPoem[]).filter((p) => forms.includes(p.form));
  return { poems: kept, source: typeof source === "string" ? source : "unknown", file };
}
