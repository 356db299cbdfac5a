import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  DIGIT_WORDS,
  ESPEAK_VARIANTS,
  designVoices,
  espeakVersion,
  planClips,
  readManifest,
  splitVoices,
  spokenDigitsKey,
  synthesizeClips,
  synthesizeSpokenDigits,
} from "../src/data/spoken-digits";
import { readWav } from "../src/data/wav";

const HAVE_ESPEAK = spawnSync("espeak-ng", ["--version"]).status === 0;
if (!HAVE_ESPEAK) {
  console.error(
    "\n!!! espeak-ng is not installed: SKIPPING the synthesis tests of test/spoken-digits.test.ts.\n" +
      "!!! Install the Debian package: sudo apt-get install espeak-ng (scripts/setup.sh does it).\n",
  );
}
const withEspeak = { skip: HAVE_ESPEAK ? false : "espeak-ng is not installed (sudo apt-get install espeak-ng)" };

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "spoken-digits-test-"));
}

test("designVoices is seeded, one distinct variant per voice, a small set a prefix of a larger one", () => {
  const a = designVoices(12, 42);
  assert.deepEqual(designVoices(12, 42), a);
  assert.deepEqual(designVoices(5, 42), a.slice(0, 5));
  assert.notDeepEqual(designVoices(12, 43), a);
  assert.equal(new Set(a.map((v) => v.variant)).size, 12);
  assert.equal(new Set(a.map((v) => v.accent)).size, 8); // accents dealt round-robin: all eight used by 12 voices
  for (const v of a) {
    assert.equal(v.id, `${v.accent}+${v.variant}`);
    assert.ok(ESPEAK_VARIANTS.includes(v.variant));
    assert.ok(v.pitch >= 25 && v.pitch <= 75, `pitch ${v.pitch}`);
    assert.ok(v.speed >= 140 && v.speed <= 200, `speed ${v.speed}`);
  }
  assert.throws(() => designVoices(1, 42), /numVoices must be an integer in 2\.\.\d+/);
  assert.throws(() => designVoices(ESPEAK_VARIANTS.length + 1, 42), /one variant per voice/);
});

test("planClips: voices × 10 digits × takes, jittered around each voice, unique file names", () => {
  const voices = designVoices(4, 1);
  const clips = planClips(voices, 3, 1);
  assert.equal(clips.length, 4 * 10 * 3);
  assert.equal(new Set(clips.map((c) => c.file)).size, clips.length);
  for (let d = 0; d < 10; d++) assert.equal(clips.filter((c) => c.digit === d && c.word === DIGIT_WORDS[d]).length, 12);
  for (const c of clips) {
    const v = voices.find((x) => x.id === c.voice)!;
    assert.ok(Math.abs(c.pitch - v.pitch) <= 10 && Math.abs(c.speed - v.speed) <= 15, JSON.stringify(c));
  }
  assert.deepEqual(planClips(voices, 3, 1), clips);
});

test("the cache key changes with the espeak-ng version and with any clip parameter", () => {
  const clips = planClips(designVoices(2, 1), 1, 1);
  const k = spokenDigitsKey("1.51", clips);
  assert.match(k, /^[0-9a-f]{16}$/);
  assert.equal(spokenDigitsKey("1.51", clips), k);
  assert.notEqual(spokenDigitsKey("1.52", clips), k);
  const changed = clips.map((c, i) => (i === 7 ? { ...c, pitch: c.pitch + 1 } : c));
  assert.notEqual(spokenDigitsKey("1.51", changed), k);
});

test("splitVoices holds out whole voices, seeded, disjoint", () => {
  const voices = designVoices(20, 42).map((v) => v.id);
  const s = splitVoices(voices, 0.3, 42);
  assert.equal(s.test.length, 6);
  assert.equal(s.train.length, 14);
  assert.equal(new Set([...s.train, ...s.test]).size, 20);
  assert.ok(s.test.every((v) => !s.train.includes(v)));
  assert.deepEqual(splitVoices(voices, 0.3, 42), s);
  assert.throws(() => splitVoices(voices, 1, 42), /testFraction must be in \(0, 1\); got 1/);
  assert.throws(() => splitVoices(["a", "b"], 0.1, 42), /leaves 0 test voices/);
});

test("a missing espeak-ng names the Debian package and the install command", async () => {
  const dir = tempDir();
  try {
    await assert.rejects(espeakVersion("/nonexistent/espeak-ng"), /espeak-ng not found .*sudo apt-get install espeak-ng/);
    await assert.rejects(
      synthesizeSpokenDigits({ numVoices: 2, takesPerDigit: 1, seed: 1, cacheDir: dir, espeakBin: "/nonexistent/espeak-ng" }),
      /install the Debian package espeak-ng: sudo apt-get install espeak-ng/,
    );
    assert.deepEqual(fs.readdirSync(dir), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("espeak-ng synthesises three clips that parse as 22,050 Hz PCM16 speech", withEspeak, async () => {
  const dir = tempDir();
  try {
    const clips = planClips(designVoices(3, 5), 1, 5).filter((c) => c.digit === 7);
    assert.equal(clips.length, 3);
    await synthesizeClips(clips, dir, { concurrency: 2 });
    for (const c of clips) {
      const wav = readWav(path.join(dir, c.file));
      assert.equal(wav.sampleRate, 22050);
      const seconds = wav.samples.length / wav.sampleRate;
      assert.ok(seconds > 0.3 && seconds < 1.5, `"seven" by ${c.voice} lasts ${seconds} s`);
      const rms = Math.sqrt(wav.samples.reduce((s, x) => s + x * x, 0) / wav.samples.length);
      assert.ok(rms > 0.005, `"seven" by ${c.voice} is silent (rms ${rms})`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("synthesizeSpokenDigits writes a complete cache folder (manifest last) and reuses it", withEspeak, async () => {
  const dir = tempDir();
  try {
    const opts = { numVoices: 2, takesPerDigit: 1, seed: 9, cacheDir: dir };
    let progress = 0;
    const first = await synthesizeSpokenDigits({
      ...opts,
      onProgress: (done) => {
        progress = done;
      },
    });
    assert.equal(first.fromCache, false);
    assert.equal(progress, 20);
    assert.equal(first.manifest.clips.length, 20);
    assert.equal(path.dirname(first.dir), dir);
    assert.equal(path.basename(first.dir), first.manifest.key);
    assert.deepEqual(fs.readdirSync(dir), [first.manifest.key]); // no temporary folder left behind
    assert.equal(fs.readdirSync(first.dir).length, 21);
    assert.ok(first.manifest.synthesisSeconds > 0);
    assert.match(first.manifest.espeakVersion, /^\d+\.\d+/);

    const second = await synthesizeSpokenDigits(opts);
    assert.equal(second.fromCache, true);
    assert.deepEqual(second.manifest, first.manifest);

    // a folder missing a clip is not complete: it is made again
    fs.rmSync(path.join(first.dir, first.manifest.clips[3].file));
    assert.equal(readManifest(first.dir), null);
    const third = await synthesizeSpokenDigits(opts);
    assert.equal(third.fromCache, false);
    assert.ok(readManifest(third.dir));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a synthesis that fails part-way leaves no cache folder behind", withEspeak, async () => {
  const dir = tempDir();
  try {
    // A fake espeak-ng: answers --version and --voices like the real one, fails on the 5th clip.
    const fake = path.join(dir, "fake-espeak");
    const counter = path.join(dir, "count");
    fs.writeFileSync(
      fake,
      `#!/bin/sh
case "$1" in --version|--voices=*) exec espeak-ng "$@";; esac
n=$(cat "${counter}" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "${counter}"
if [ $n -ge 5 ]; then echo "synthetic failure" >&2; exit 3; fi
exec espeak-ng "$@"
`,
      { mode: 0o755 },
    );
    const cache = path.join(dir, "cache");
    await assert.rejects(
      synthesizeSpokenDigits({ numVoices: 2, takesPerDigit: 1, seed: 9, cacheDir: cache, espeakBin: fake, concurrency: 2 }),
      /fake-espeak -v .* failed: .*synthetic failure/s,
    );
    assert.deepEqual(fs.readdirSync(cache), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
