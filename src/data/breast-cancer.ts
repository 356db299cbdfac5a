/**
 * The Wisconsin diagnostic breast-cancer table (data/breast-cancer/, copied from Debian's
 * python3-sklearn): 569 tumours × 30 features, malignant or benign. Used by §3.2's five steps,
 * §6's healthcare scenario and §9.2's metrics.
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../core/paths";

export const BREAST_CANCER_CSV = path.join(PROJECT_ROOT, "data", "breast-cancer", "breast_cancer.csv");

const MEASUREMENTS = ["radius", "texture", "perimeter", "area", "smoothness", "compactness", "concavity", "concave points", "symmetry", "fractal dimension"];
/** The 30 feature names in file order (scikit-learn's names): mean …, … error, worst …. */
export const BREAST_CANCER_FEATURES: readonly string[] = [
  ...MEASUREMENTS.map((m) => `mean ${m}`),
  ...MEASUREMENTS.map((m) => `${m} error`),
  ...MEASUREMENTS.map((m) => `worst ${m}`),
];

export interface BreastCancerData {
  /** [569][30] feature values, in the order of `featureNames`. */
  X: number[][];
  /** 1 = malignant (the positive class: the one a screening test must not miss), 0 = benign. */
  malignant: Uint8Array;
  featureNames: string[];
  source: string;
}

/** Reads and validates the table; errors name the file, the line and what was expected (article §3.2). */
export function loadBreastCancer(file = BREAST_CANCER_CSV): BreastCancerData {
  if (!fs.existsSync(file)) throw new Error(`breast-cancer table ${file} not found; expected the CSV from data/breast-cancer (see its README)`);
  const lines = fs.readFileSync(file, "utf8").split(/\r?\n/).filter((l) => l.trim() !== "");
  const head = (lines[0] ?? "").split(",");
  const rows = Number(head[0]);
  const cols = Number(head[1]);
  if (head.length !== 4 || !Number.isInteger(rows) || cols !== 30 || head[2] !== "malignant" || head[3] !== "benign") {
    throw new Error(`${file} line 1 is "${lines[0] ?? ""}"; expected "569,30,malignant,benign" (row count, feature count, class names)`);
  }
  if (lines.length - 1 !== rows) throw new Error(`${file} has ${lines.length - 1} data rows; its first line promises ${rows}`);
  const X: number[][] = [];
  const malignant = new Uint8Array(rows);
  for (let i = 1; i < lines.length; i++) {
    const fields = lines[i].split(",");
    if (fields.length !== cols + 1) throw new Error(`${file} line ${i + 1} has ${fields.length} fields; expected ${cols + 1} (30 features and the class)`);
    const values = fields.slice(0, cols).map(Number);
    const bad = values.findIndex((v, j) => !Number.isFinite(v) || fields[j].trim() === "");
    if (bad >= 0) throw new Error(`${file} line ${i + 1}, column ${bad + 1} ("${fields[bad]}"): expected a number`);
    const label = fields[cols].trim();
    if (label !== "0" && label !== "1") throw new Error(`${file} line ${i + 1}: class "${label}"; expected 0 (malignant) or 1 (benign)`);
    X.push(values);
    malignant[i - 1] = label === "0" ? 1 : 0; // the file codes malignant as 0
  }
  return { X, malignant, featureNames: [...BREAST_CANCER_FEATURES], source: `${path.relative(PROJECT_ROOT, file)} (UCI Breast Cancer Wisconsin Diagnostic, via scikit-learn)` };
}
