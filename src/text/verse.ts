/**
 * Checks of Chinese regular verse a reader can judge a poem generator by (article §2.2 text
 * generation, §8): does a poem have the form it was asked for, do its even lines rhyme, and how much
 * of it was copied from the training poems.
 *
 * Rhyme is judged by **modern Mandarin** readings: each line's last character's final (pinyin-pro,
 * with its context-aware choice among a character's readings) is put in one of the 13 rhyme classes
 * of modern verse (十三轍). No rhyme table of Tang times (平水韻) installs offline, and Middle
 * Chinese rhymes have drifted since, so real Tang poems do not all rhyme by this test: the rate for
 * real poems is the reference a generator is measured against, with poems of shuffled lines as
 * the chance level.
 */
import { pinyin } from "pinyin-pro";
import { mulberry32 } from "../core/random";
import { requirePositiveInteger } from "../core/validate";
import { verseForm, type VerseForm } from "../data/tang-poetry";

/** The 13 rhyme classes of modern Mandarin verse (十三轍) by the pinyin finals (no tone) they hold. */
const RHYME_CLASSES: Record<string, readonly string[]> = {
  發花: ["a", "ia", "ua"],
  梭波: ["o", "e", "uo"],
  乜斜: ["ie", "üe", "ue"],
  一七: ["i", "ü", "er"],
  姑蘇: ["u"],
  懷來: ["ai", "uai"],
  灰堆: ["ei", "ui", "uei"],
  遙條: ["ao", "iao"],
  油求: ["ou", "iu", "iou"],
  言前: ["an", "ian", "uan", "üan"],
  人辰: ["en", "in", "un", "uen", "ün"],
  江陽: ["ang", "iang", "uang"],
  中東: ["eng", "ing", "ong", "iong", "ueng"],
};

const CLASS_OF_FINAL = new Map<string, string>(Object.entries(RHYME_CLASSES).flatMap(([name, finals]) => finals.map((f) => [f, name] as [string, string])));

/** The rhyme class (十三轍) of a line's last character, read in the line's context; null when it has no known final. */
export function lineRhymeClass(line: string): string | null {
  const chars = Array.from(line);
  if (chars.length === 0) return null;
  const finals = pinyin(line, { pattern: "final", toneType: "none", type: "array" });
  const last = finals.length === chars.length ? finals[finals.length - 1] : pinyin(chars[chars.length - 1], { pattern: "final", toneType: "none" });
  return CLASS_OF_FINAL.get(last) ?? null;
}

/** The rhyme classes of the even lines (2nd, 4th, …) and whether they are all one class (regular verse rhymes there). */
export function evenLinesRhyme(lines: readonly string[]): { classes: (string | null)[]; rhymes: boolean } {
  const classes = lines.filter((_, i) => i % 2 === 1).map(lineRhymeClass);
  const rhymes = classes.length >= 2 && classes[0] !== null && classes.every((c) => c === classes[0]);
  return { classes, rhymes };
}

/** Fraction of `poems` whose even lines rhyme (0 for no poems). */
export function rhymeRate(poems: readonly (readonly string[])[]): number {
  return poems.length === 0 ? 0 : poems.filter((p) => evenLinesRhyme(p).rhymes).length / poems.length;
}

/** Whether `lines` are exactly the form asked for (e.g. "7x4": 4 lines of 7 Han characters). */
export function hasForm(lines: readonly string[], form: VerseForm): boolean {
  return verseForm(lines) === form;
}

/**
 * Poems of shuffled lines, the chance level of the rhyme and form checks: within each form, the
 * lines at each position are permuted among the poems (seeded), so every poem keeps its form and
 * line positions but its lines come from different poems.
 */
export function shuffledLinePoems(poems: readonly { form: VerseForm; lines: readonly string[] }[], seed: number): string[][] {
  const rng = mulberry32(seed);
  const out: string[][] = poems.map((p) => [...p.lines]);
  const byForm = new Map<VerseForm, number[]>();
  poems.forEach((p, i) => byForm.set(p.form, [...(byForm.get(p.form) ?? []), i]));
  for (const members of byForm.values()) {
    const numLines = poems[members[0]].lines.length;
    for (let pos = 0; pos < numLines; pos++) {
      const perm = [...members];
      for (let i = perm.length - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        [perm[i], perm[j]] = [perm[j], perm[i]];
      }
      members.forEach((target, k) => (out[target][pos] = poems[perm[k]].lines[pos]));
    }
  }
  return out;
}

/** Every n-character substring of the training poems (lines joined with "/", so n-grams cross line breaks): what a generated poem is checked against for copying. */
export class NgramIndex {
  private readonly grams = new Set<string>();

  constructor(
    poems: readonly (readonly string[])[],
    readonly n: number,
  ) {
    requirePositiveInteger("NgramIndex", "n", n);
    for (const p of poems) for (const g of ngrams(p.join("/"), n)) this.grams.add(g);
  }

  /** How many of the poem's n-grams (lines joined with "/") occur in the training poems, of how many. */
  shared(lines: readonly string[]): { shared: number; total: number } {
    const grams = ngrams(lines.join("/"), this.n);
    return { shared: grams.filter((g) => this.grams.has(g)).length, total: grams.length };
  }
}

function ngrams(text: string, n: number): string[] {
  const chars = Array.from(text);
  return Array.from({ length: Math.max(chars.length - n + 1, 0) }, (_, i) => chars.slice(i, i + n).join(""));
}
