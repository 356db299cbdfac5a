/**
 * Five-character Tang quatrains (五言绝句: 4 lines × 5 characters), extracted from the npm package
 * `chinese-poetry` 2.0.1 by scripts/extract-quatrains.ts into data/tang-quatrains/quatrains.json
 * (see its README). A cultural corpus as a startup's data advantage (article §2.1, §2.3).
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../core/paths";

export const TANG_QUATRAINS_JSON = path.join(PROJECT_ROOT, "data", "tang-quatrains", "quatrains.json");

/** Lines per quatrain and characters per line. */
export const QUATRAIN_LINES = 4;
export const LINE_CHARS = 5;

/** One quatrain: its four lines of five Han characters, without punctuation. */
export interface Quatrain {
  /** The source poem's id in chinese-poetry. */
  id: string;
  author: string;
  title: string;
  /** Four lines of exactly five Han characters each. */
  lines: string[];
}

export interface TangQuatrains {
  poems: Quatrain[];
  /** Where the file came from (package, version, files), as written by the extraction script. */
  source: string;
  file: string;
}

/** One line of five Han characters (CJK ideographs of every block; not punctuation, not the lacuna marks □ ●). */
const LINE = /^\p{Script=Han}{5}$/u;

/**
 * The four lines of a five-character quatrain if `paragraphs` (chinese-poetry's field) is one, else
 * null. The paragraphs are joined, so a poem stored as 2 couplets "五字，五字。" (how the package
 * stores them), 4 single lines or 1 paragraph all qualify; the joined text must be exactly
 * "A，B。C，D。" with A–D five Han characters each (article §2.1: the data, as collected).
 */
export function quatrainLines(paragraphs: readonly string[]): string[] | null {
  const text = paragraphs.join("");
  const m = /^(.{5})，(.{5})。(.{5})，(.{5})。$/u.exec(text);
  if (!m) return null;
  const lines = m.slice(1, 5);
  return lines.every((l) => LINE.test(l)) ? lines : null;
}

function describe(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Checks one entry; returns the error text (without the file/index prefix) or null. */
function entryError(e: unknown): string | null {
  if (e === null || typeof e !== "object" || Array.isArray(e)) return `is ${describe(e)}; expected an object {id, author, title, lines}`;
  const r = e as Record<string, unknown>;
  for (const key of ["id", "author", "title"]) {
    if (typeof r[key] !== "string") return `field "${key}" is ${describe(r[key])}; expected a string`;
  }
  if ((r.id as string) === "") return `field "id" is empty`;
  const lines = r.lines;
  if (!Array.isArray(lines) || lines.length !== QUATRAIN_LINES) {
    return `field "lines" is ${describe(lines)}; expected ${QUATRAIN_LINES} lines`;
  }
  for (let i = 0; i < lines.length; i++) {
    const l: unknown = lines[i];
    if (typeof l !== "string" || !LINE.test(l)) {
      return `line ${i + 1} is ${describe(l)}; expected ${LINE_CHARS} Han characters`;
    }
  }
  return null;
}

/** Reads and validates the quatrains; errors name the file and the entry index at fault (article §2.1, §3.2 step 1). */
export function loadTangQuatrains(file = TANG_QUATRAINS_JSON): TangQuatrains {
  if (!fs.existsSync(file)) {
    throw new Error(`Tang quatrains ${file} not found; expected data/tang-quatrains/quatrains.json (regenerate with node dist/scripts/extract-quatrains.js)`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`Tang quatrains ${file} is not valid JSON (${(err as Error).message})`, { cause: err });
  }
  if (doc === null || typeof doc !== "object" || !Array.isArray((doc as { poems?: unknown }).poems)) {
    throw new Error(`Tang quatrains ${file}: expected an object with a "poems" array`);
  }
  const { poems, source, count } = doc as { poems: unknown[]; source?: unknown; count?: unknown };
  if (poems.length === 0) throw new Error(`Tang quatrains ${file}: "poems" is empty`);
  poems.forEach((p, i) => {
    const err = entryError(p);
    if (err) throw new Error(`Tang quatrains ${file}: entry ${i} ${err}`);
  });
  if (count !== undefined && count !== poems.length) {
    throw new Error(`Tang quatrains ${file}: "count" says ${describe(count)} but "poems" has ${poems.length} entries`);
  }
  return { poems: poems as Quatrain[], source: typeof source === "string" ? source : "unknown", file };
}
