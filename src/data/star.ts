/**
 * The Tennessee STAR class-size experiment (data/star/, converted once from Debian's r-cran-aer):
 * 11,598 students followed from kindergarten (k) to grade 3, randomly assigned to small,
 * regular or regular-with-aide classes. Used by §6's education scenario. Every value is checked
 * on load: numbers must be numbers, factors one of their R levels, ids positive integers.
 */
import * as path from "path";
import { PROJECT_ROOT } from "../core/paths";
import { readCsv } from "./csv";

export const STAR_CSV = path.join(PROJECT_ROOT, "data", "star", "star.csv");

const GRADES = ["k", "1", "2", "3"] as const;
export type StarGrade = (typeof GRADES)[number];

type PerGrade<P extends string> = `${P}${StarGrade}`;
export type StarNumericColumn = "birth" | PerGrade<"read"> | PerGrade<"math"> | PerGrade<"experience">;
export type StarFactorColumn =
  | "gender" | "ethnicity" | PerGrade<"star"> | PerGrade<"lunch"> | PerGrade<"school"> | PerGrade<"degree">
  | PerGrade<"ladder"> | PerGrade<"tethnicity"> | PerGrade<"system"> | PerGrade<"schoolid">;
export type StarColumn = StarNumericColumn | StarFactorColumn;

/** One student; `null` where the student was not in the study that year (or the value is missing). */
export type StarStudent = { [C in StarNumericColumn]: number | null } & { [C in StarFactorColumn]: string | null } & {
  /** The CSV line the student came from (for error examples). */
  line: number;
};

const perGrade = (p: string): string[] => GRADES.map((g) => `${p}${g}`);

/** The columns in file order (R's `write.csv` of `AER::STAR`). */
export const STAR_COLUMNS: readonly StarColumn[] = [
  "gender", "ethnicity", "birth", ...perGrade("star"), ...perGrade("read"), ...perGrade("math"), ...perGrade("lunch"),
  ...perGrade("school"), ...perGrade("degree"), ...perGrade("ladder"), ...perGrade("experience"),
  ...perGrade("tethnicity"), ...perGrade("system"), ...perGrade("schoolid"),
] as StarColumn[];

const NUMERIC = new Set<string>(["birth", ...perGrade("read"), ...perGrade("math"), ...perGrade("experience")]);
const ID_COLUMNS = new Set<string>([...perGrade("system"), ...perGrade("schoolid")]);

/** The R factor levels of each categorical column (from `levels(STAR$col)`). */
export const STAR_LEVELS: Readonly<Record<string, readonly string[]>> = {
  gender: ["male", "female"],
  ethnicity: ["cauc", "afam", "asian", "hispanic", "amindian", "other"],
  ...Object.fromEntries(perGrade("star").map((c) => [c, ["regular", "small", "regular+aide"]])),
  ...Object.fromEntries(perGrade("lunch").map((c) => [c, ["non-free", "free"]])),
  ...Object.fromEntries(perGrade("school").map((c) => [c, ["inner-city", "suburban", "rural", "urban"]])),
  degreek: ["bachelor", "master", "specialist", "master+"],
  ...Object.fromEntries(["degree1", "degree2", "degree3"].map((c) => [c, ["bachelor", "master", "specialist", "phd"]])),
  ladderk: ["level1", "level2", "level3", "apprentice", "probation", "pending"],
  ...Object.fromEntries(["ladder1", "ladder2", "ladder3"].map((c) => [c, ["level1", "level2", "level3", "apprentice", "probation", "notladder"]])),
  ...Object.fromEntries(["tethnicityk", "tethnicity1", "tethnicity2"].map((c) => [c, ["cauc", "afam"]])),
  tethnicity3: ["cauc", "afam", "asian"],
};

/** Reads and validates the STAR table; errors name the file, line, column and what was expected (article §6). */
export function loadStar(file = STAR_CSV): StarStudent[] {
  const table = readCsv(file, STAR_COLUMNS);
  return table.rows.map((fields, r) => {
    const line = table.lines[r];
    const student: Record<string, string | number | null> = { line };
    table.header.forEach((col, j) => {
      const raw = fields[j].trim();
      if (raw === "" || raw === "NA") {
        student[col] = null;
      } else if (NUMERIC.has(col)) {
        const v = Number(raw);
        if (!Number.isFinite(v)) throw new Error(`${file} line ${line}, column ${col}: "${raw}"; expected a number or an empty field`);
        student[col] = v;
      } else if (ID_COLUMNS.has(col)) {
        if (!/^[1-9][0-9]*$/.test(raw)) throw new Error(`${file} line ${line}, column ${col}: "${raw}"; expected a positive integer id or an empty field`);
        student[col] = raw;
      } else {
        const levels = STAR_LEVELS[col];
        if (!levels.includes(raw)) throw new Error(`${file} line ${line}, column ${col}: "${raw}"; expected one of ${levels.join(", ")} or an empty field`);
        student[col] = raw;
      }
    });
    return student as StarStudent;
  });
}
