/**
 * §6's education scenario on the Tennessee STAR experiment: which kindergarteners will struggle
 * with grade-1 mathematics, from what a school knows at the end of kindergarten (scores, free
 * lunch, class type, school type, teacher). Also the experiment's own finding, the class-size
 * effect, as a mean with a confidence interval per class type.
 */
import type { StarStudent } from "../../data/star";
import { STAR_LEVELS } from "../../data/star";
import { oneHot } from "../../data/tabular";

/** Kindergarten-year columns every student in the cohort must have, plus the grade-1 outcome. */
export const COHORT_COLUMNS = [
  "stark",
  "readk",
  "mathk",
  "lunchk",
  "schoolk",
  "experiencek",
  "degreek",
  "gender",
  "ethnicity",
  "birth",
  "tethnicityk",
  "schoolidk",
  "math1",
] as const satisfies readonly (keyof StarStudent)[];

/** Students with every kindergarten feature and a grade-1 maths score (article §6). */
export function earlyWarningCohort(students: readonly StarStudent[]): StarStudent[] {
  return students.filter((s) => COHORT_COLUMNS.every((c) => s[c] !== null));
}

const NUMERIC_FEATURES = ["readk", "mathk", "experiencek", "birth"] as const;
const CATEGORICAL_FEATURES = ["stark", "lunchk", "schoolk", "degreek", "gender", "ethnicity", "tethnicityk"] as const;

/** Feature rows (numbers first, then one-hot levels) and their names; fit any scaling on the training rows. */
export function earlyWarningFeatures(cohort: readonly StarStudent[]): { rows: number[][]; names: string[] } {
  const missing = cohort.findIndex((s) => COHORT_COLUMNS.some((c) => s[c] === null));
  if (missing >= 0)
    throw new Error(`earlyWarningFeatures: student at line ${cohort[missing].line} lacks a kindergarten feature; filter with earlyWarningCohort first`);
  const numeric = cohort.map((s) => NUMERIC_FEATURES.map((c) => s[c] as number));
  const blocks = CATEGORICAL_FEATURES.map((c) =>
    oneHot(
      cohort.map((s) => s[c] as string),
      STAR_LEVELS[c],
      c,
    ),
  );
  const rows = cohort.map((_, i) => [...numeric[i], ...blocks.flatMap((b) => b[i])]);
  const names = [...NUMERIC_FEATURES, ...CATEGORICAL_FEATURES.flatMap((c) => STAR_LEVELS[c].map((l) => `${c}=${l}`))];
  return { rows, names };
}

/** A mean with its normal-approximation 95% confidence interval (mean ± 1.96·s/√n, s with n − 1). */
export interface MeanWithCi {
  n: number;
  mean: number;
  low: number;
  high: number;
}

export function meanWithCi(values: readonly number[]): MeanWithCi {
  const n = values.length;
  if (n < 2) throw new Error(`meanWithCi: ${n} value(s); expected at least 2`);
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  const half = 1.96 * Math.sqrt(variance / n);
  return { n, mean, low: mean - half, high: mean + half };
}

/** Mean kindergarten score (reading + maths) per class type, the STAR experiment's comparison (article §6). */
export function classSizeEffect(students: readonly StarStudent[]): ({ classType: string } & MeanWithCi)[] {
  return STAR_LEVELS.stark.map((classType) => {
    const scores = students.filter((s) => s.stark === classType && s.readk !== null && s.mathk !== null).map((s) => (s.readk as number) + (s.mathk as number));
    return { classType, ...meanWithCi(scores) };
  });
}
