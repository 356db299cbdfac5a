/**
 * SYNTHETIC spoken digits for the speech scenario (article §6, "speech"): no labelled speech
 * corpus installs offline, so the ten words "zero".."nine" are synthesised on this machine with
 * Debian's `espeak-ng` (a formant synthesiser, GPL-3.0-or-later; its output is not covered by
 * its licence). A "voice" is one espeak-ng voice variant (timbre: m1, f3, croak, klatt, …) with
 * one English accent (en-us, en-gb-scotland, …) and its own base pitch and speed; each take
 * jitters pitch and speed. All choices come from a seeded RNG, so a seed gives the same clips.
 *
 * Clips are cached under data/spoken-digits/cache/<key>/ (git-ignored), where the key hashes the
 * espeak-ng version and every synthesis parameter. A cache folder is filled under a temporary
 * name, its manifest.json written last, then renamed: a folder with that name is complete.
 */
import { execFile } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../core/paths";
import { readWav, type WavAudio } from "./wav";
import { mulberry32, shuffleInPlace } from "../core/random";
import { requireInRange, requireInteger, requirePositiveInteger } from "../core/validate";

/** The ten words, index = digit. */
export const DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"] as const;

/** espeak-ng's English accents used (gmw voices shipped in espeak-ng-data 1.51; `espeak-ng --voices=en`). */
export const ESPEAK_ACCENTS: readonly string[] = [
  "en-gb", "en-us", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-rp", "en-gb-x-gbcwmd", "en-029", "en-us-nyc",
];

/**
 * Voice variants (`espeak-ng --voices=variant`), one per synthetic speaker. Left out: exact
 * duplicates (klatt6 = klatt, fast = "Mr serious") and names with spaces.
 */
export const ESPEAK_VARIANTS: readonly string[] = [
  "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "f1", "f2", "f3", "f4", "f5", "croak", "whisper", "whisperf",
  "klatt", "klatt2", "klatt3", "klatt4", "klatt5", "adam", "Alex", "Alicia", "Andrea", "Andy", "Annie", "antonio",
  "aunty", "belinda", "benjamin", "boris", "caleb", "david", "ed", "edward", "Gene", "gustave", "Henrique", "Hugo",
  "iven", "Jacky", "john", "Lee", "linda", "marcelo", "Mario", "max", "Michael", "michel", "miguel", "Mike",
  "norbert", "pablo", "paul", "pedro", "quincy", "rob", "robert", "sandro", "shelby", "steph", "Storm", "travis",
  "victor", "zac", "grandma", "grandpa", "anika", "Denis", "Diogo", "kaukovalta", "Nguyen", "Tweaky",
];

/** The Debian package and the command that installs it, for errors. */
export const ESPEAK_PACKAGE_HINT = "install the Debian package espeak-ng: sudo apt-get install espeak-ng (scripts/setup.sh installs it)";

/** One synthetic speaker: an accent + variant pair with a base pitch (espeak -p, 0–99) and speed (-s, words/min). */
export interface SynthVoice {
  /** espeak-ng's -v argument, e.g. "en-us+f3". */
  id: string;
  accent: string;
  variant: string;
  pitch: number;
  speed: number;
}

/** One clip to synthesise (and, after synthesis, its file inside the set's folder). */
export interface ClipSpec {
  digit: number;
  word: string;
  /** SynthVoice.id */
  voice: string;
  take: number;
  pitch: number;
  speed: number;
  /** File name inside the set's folder. */
  file: string;
}

/** Which clips to make: `numVoices` speakers × 10 digits × `takesPerDigit`. */
export interface SpokenDigitsPlanOptions {
  numVoices: number;
  takesPerDigit: number;
  seed: number;
}

export interface SpokenDigitsOptions extends SpokenDigitsPlanOptions {
  /** Where cache folders live (default data/spoken-digits/cache under the project). */
  cacheDir?: string;
  /** espeak-ng processes run at once (default 2). */
  concurrency?: number;
  /** The espeak-ng executable (default "espeak-ng" on PATH). */
  espeakBin?: string;
  /** Called after each clip is written: (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/** The manifest.json of a complete cache folder. */
export interface SpokenDigitsManifest {
  format: "spoken-digits/1";
  key: string;
  espeakVersion: string;
  options: SpokenDigitsPlanOptions;
  voices: SynthVoice[];
  clips: ClipSpec[];
  /** Wall-clock seconds the synthesis took when the folder was made. */
  synthesisSeconds: number;
  concurrency: number;
  createdAt: string;
}

/** A synthesised set: its folder and manifest, and whether it came from the cache. */
export interface SpokenDigitsSet {
  dir: string;
  manifest: SpokenDigitsManifest;
  fromCache: boolean;
  /** Seconds this call took (synthesis, or reading the manifest when cached). */
  seconds: number;
}

export const SPOKEN_DIGITS_CACHE = path.join(PROJECT_ROOT, "data", "spoken-digits", "cache");

function run(bin: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "ENOENT") reject(new Error(`espeak-ng not found (tried to run ${JSON.stringify(bin)}): the spoken digits are synthesised with it; ${ESPEAK_PACKAGE_HINT}`));
        else reject(new Error(`${bin} ${args.join(" ")} failed: ${err.message.trim()}${stderr ? `\n${stderr.trim()}` : ""}`));
        return;
      }
      resolve({ stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** espeak-ng's version line, e.g. "eSpeak NG text-to-speech: 1.51 …"; a missing program names the Debian package (article §6). */
export async function espeakVersion(espeakBin = "espeak-ng"): Promise<string> {
  const { stdout } = await run(espeakBin, ["--version"]);
  const m = /text-to-speech:\s*(\S+)/.exec(stdout);
  if (!m) throw new Error(`${espeakBin} --version printed ${JSON.stringify(stdout.trim())}; expected "eSpeak NG text-to-speech: <version> …"`);
  return m[1];
}

/** The variant names espeak-ng has installed (`--voices=variant`, file column "!v/<name>"). */
export async function installedVariants(espeakBin = "espeak-ng"): Promise<Set<string>> {
  const { stdout } = await run(espeakBin, ["--voices=variant"]);
  const names = new Set<string>();
  for (const m of stdout.matchAll(/!v\/(\S+)/g)) names.add(m[1]);
  return names;
}

/** The accent (language) codes espeak-ng has for English (`--voices=en`, the Language column). */
export async function installedAccents(espeakBin = "espeak-ng"): Promise<Set<string>> {
  const { stdout } = await run(espeakBin, ["--voices=en"]);
  const names = new Set<string>();
  for (const line of stdout.split("\n").slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length >= 2) names.add(cols[1]);
  }
  return names;
}

function checkPlanOptions(o: SpokenDigitsPlanOptions): void {
  if (!(Number.isInteger(o.numVoices) && o.numVoices >= 2 && o.numVoices <= ESPEAK_VARIANTS.length)) {
    throw new Error(`spoken digits: numVoices must be an integer in 2..${ESPEAK_VARIANTS.length} (one variant per voice); got ${o.numVoices}`);
  }
  requirePositiveInteger("spoken digits", "takesPerDigit", o.takesPerDigit);
  requireInteger("spoken digits", "seed", o.seed);
}

const clampInt = (x: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.round(x)));

/**
 * The synthetic speakers for a seed: variants in a seeded order, the first `numVoices` taken,
 * accents dealt round-robin from a seeded order, base pitch 25–75 and speed 140–200 wpm. Voice i
 * is the same whatever numVoices, so a small set is a prefix of a larger one (article §6).
 */
export function designVoices(numVoices: number, seed: number): SynthVoice[] {
  checkPlanOptions({ numVoices, takesPerDigit: 1, seed });
  const rng = mulberry32(seed);
  const variants = shuffleInPlace([...ESPEAK_VARIANTS], rng);
  const accents = shuffleInPlace([...ESPEAK_ACCENTS], rng);
  return variants.slice(0, numVoices).map((variant, i) => {
    const vr = mulberry32((seed * 7919 + i * 104729) >>> 0);
    const accent = accents[i % accents.length];
    return { id: `${accent}+${variant}`, accent, variant, pitch: clampInt(25 + 50 * vr(), 0, 99), speed: clampInt(140 + 60 * vr(), 80, 450) };
  });
}

/** Every clip of a plan: voice × digit × take, each take with pitch ±10 and speed ±15 wpm of its voice's base (article §6). */
export function planClips(voices: readonly SynthVoice[], takesPerDigit: number, seed: number): ClipSpec[] {
  const clips: ClipSpec[] = [];
  voices.forEach((v, i) => {
    const rng = mulberry32((seed * 31337 + i * 65537 + 1) >>> 0);
    for (let digit = 0; digit < 10; digit++) {
      for (let take = 0; take < takesPerDigit; take++) {
        const pitch = clampInt(v.pitch + 20 * (rng() - 0.5), 0, 99);
        const speed = clampInt(v.speed + 30 * (rng() - 0.5), 80, 450);
        clips.push({ digit, word: DIGIT_WORDS[digit], voice: v.id, take, pitch, speed, file: `${digit}_${v.id}_t${take}.wav` });
      }
    }
  });
  return clips;
}

/** The cache key: sha-256 of the espeak-ng version and every clip's parameters, 16 hex digits. */
export function spokenDigitsKey(espeakVer: string, clips: readonly ClipSpec[]): string {
  const h = crypto.createHash("sha256");
  h.update(JSON.stringify({ format: "spoken-digits/1", espeak: espeakVer, clips: clips.map((c) => [c.word, c.voice, c.pitch, c.speed, c.file]) }));
  return h.digest("hex").slice(0, 16);
}

/** Runs espeak-ng for each clip into `dir` (`-v voice -s speed -p pitch -w file word`), `concurrency` at a time (article §6). */
export async function synthesizeClips(
  clips: readonly ClipSpec[],
  dir: string,
  opts: { concurrency?: number; espeakBin?: string; onProgress?: (done: number, total: number) => void } = {},
): Promise<void> {
  const { concurrency = 2, espeakBin = "espeak-ng", onProgress } = opts;
  requirePositiveInteger("synthesizeClips", "concurrency", concurrency);
  let next = 0;
  let done = 0;
  let failed = false;
  const worker = async () => {
    while (next < clips.length && !failed) {
      const c = clips[next++];
      const file = path.join(dir, c.file);
      await run(espeakBin, ["-v", c.voice, "-s", String(c.speed), "-p", String(c.pitch), "-w", file, c.word]);
      if (!fs.existsSync(file) || fs.statSync(file).size <= 44) {
        throw new Error(`espeak-ng wrote no audio for "${c.word}" with voice ${c.voice} into ${file}`);
      }
      done++;
      onProgress?.(done, clips.length);
    }
  };
  // On a failure the other workers stop after their current clip; all settle before this returns,
  // so no espeak-ng process still writes into `dir` when the caller cleans it up.
  const results = await Promise.allSettled(Array.from({ length: Math.min(concurrency, clips.length) }, () => worker().catch((e) => {
    failed = true;
    throw e;
  })));
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (rejected) throw rejected.reason;
}

/** Reads a cache folder's manifest if the folder is complete (manifest present, every clip file there); else null. */
export function readManifest(dir: string): SpokenDigitsManifest | null {
  const file = path.join(dir, "manifest.json");
  if (!fs.existsSync(file)) return null;
  let m: SpokenDigitsManifest;
  try {
    m = JSON.parse(fs.readFileSync(file, "utf8")) as SpokenDigitsManifest;
  } catch {
    return null;
  }
  if (m.format !== "spoken-digits/1" || !Array.isArray(m.clips)) return null;
  return m.clips.every((c) => fs.existsSync(path.join(dir, c.file))) ? m : null;
}

/**
 * The spoken-digit set for these options: read from the cache when a complete folder with this
 * key exists, otherwise synthesised into a temporary folder, manifest written last, renamed into
 * place (article §6). Checks first that espeak-ng and every accent and variant are installed.
 */
export async function synthesizeSpokenDigits(opts: SpokenDigitsOptions): Promise<SpokenDigitsSet> {
  const start = performance.now();
  checkPlanOptions(opts);
  const { cacheDir = SPOKEN_DIGITS_CACHE, concurrency = 2, espeakBin = "espeak-ng" } = opts;
  const version = await espeakVersion(espeakBin);
  const voices = designVoices(opts.numVoices, opts.seed);
  const clips = planClips(voices, opts.takesPerDigit, opts.seed);
  const key = spokenDigitsKey(version, clips);
  const dir = path.join(cacheDir, key);

  const cached = readManifest(dir);
  if (cached) return { dir, manifest: cached, fromCache: true, seconds: (performance.now() - start) / 1000 };

  const [variants, accents] = await Promise.all([installedVariants(espeakBin), installedAccents(espeakBin)]);
  for (const v of voices) {
    if (!variants.has(v.variant)) throw new Error(`espeak-ng ${version} has no voice variant "${v.variant}" (espeak-ng --voices=variant); expected the variants of espeak-ng-data 1.51`);
    if (!accents.has(v.accent)) throw new Error(`espeak-ng ${version} has no English accent "${v.accent}" (espeak-ng --voices=en); expected the accents of espeak-ng-data 1.51`);
  }

  fs.mkdirSync(cacheDir, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(cacheDir, `.tmp-${key}-`));
  try {
    const t0 = performance.now();
    await synthesizeClips(clips, tmp, { concurrency, espeakBin, onProgress: opts.onProgress });
    const manifest: SpokenDigitsManifest = {
      format: "spoken-digits/1", key, espeakVersion: version,
      options: { numVoices: opts.numVoices, takesPerDigit: opts.takesPerDigit, seed: opts.seed },
      voices, clips, synthesisSeconds: (performance.now() - t0) / 1000, concurrency, createdAt: new Date().toISOString(),
    };
    fs.writeFileSync(path.join(tmp, "manifest.json"), JSON.stringify(manifest, null, 1));
    // Another process may have finished the same key meanwhile: then use its complete folder.
    const useTheirs = (): SpokenDigitsSet | null => {
      const theirs = readManifest(dir);
      if (!theirs) return null;
      fs.rmSync(tmp, { recursive: true, force: true });
      return { dir, manifest: theirs, fromCache: true, seconds: (performance.now() - start) / 1000 };
    };
    const early = useTheirs();
    if (early) return early;
    if (fs.existsSync(dir)) fs.rmSync(dir, { recursive: true, force: true }); // incomplete (clip files deleted by hand)
    try {
      fs.renameSync(tmp, dir);
    } catch (e) {
      const late = useTheirs();
      if (!late) throw e;
      return late;
    }
    return { dir, manifest, fromCache: false, seconds: (performance.now() - start) / 1000 };
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** Reads one clip of a set (article §6). */
export function loadClip(set: Pick<SpokenDigitsSet, "dir">, clip: ClipSpec): WavAudio {
  return readWav(path.join(set.dir, clip.file));
}

/**
 * A speaker-independent split: voices in a seeded order, the first round(testFraction × n)
 * held out for testing, the rest for training. Every held-out voice has a variant no training
 * voice has (one variant per voice); accents are shared (there are only eight) (article §6).
 */
export function splitVoices(voices: readonly string[], testFraction: number, seed: number): { train: string[]; test: string[] } {
  requireInRange("splitVoices", "testFraction", testFraction, 0, 1, "()");
  if (new Set(voices).size !== voices.length) throw new Error(`splitVoices: voices must be distinct`);
  const nTest = Math.round(testFraction * voices.length);
  if (nTest < 1 || nTest >= voices.length) throw new Error(`splitVoices: ${voices.length} voices × testFraction ${testFraction} leaves ${nTest} test voices; expected at least one in each split`);
  const order = shuffleInPlace([...voices], mulberry32(seed));
  return { test: order.slice(0, nTest), train: order.slice(nTest) };
}
