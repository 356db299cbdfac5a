import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { audioDataUri, encodeWav, parseWav, readWav } from "../src/data/wav";

// Test files are built byte by byte here (not with encodeWav), following the RIFF/WAVE layout:
// "RIFF" size "WAVE", then chunks of id (4 ASCII bytes), little-endian uint32 size, body, padded
// to an even size. "fmt " body: format, channels, sampleRate, byteRate, blockAlign, bitsPerSample.

interface FmtFields {
  format?: number;
  channels?: number;
  sampleRate?: number;
  bits?: number;
  blockAlign?: number;
}

function chunk(id: string, body: Uint8Array, declaredSize = body.length): Uint8Array {
  const out = new Uint8Array(8 + body.length + (body.length % 2));
  for (let i = 0; i < 4; i++) out[i] = id.charCodeAt(i);
  new DataView(out.buffer).setUint32(4, declaredSize, true);
  out.set(body, 8);
  return out;
}

function fmtBody(f: FmtFields = {}): Uint8Array {
  const { format = 1, channels = 1, sampleRate = 8000, bits = 16 } = f;
  const blockAlign = f.blockAlign ?? (channels * bits) / 8;
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setUint16(0, format, true);
  v.setUint16(2, channels, true);
  v.setUint32(4, sampleRate, true);
  v.setUint32(8, sampleRate * blockAlign, true);
  v.setUint16(12, blockAlign, true);
  v.setUint16(14, bits, true);
  return b;
}

function int16Body(values: number[]): Uint8Array {
  const b = new Uint8Array(values.length * 2);
  values.forEach((x, i) => new DataView(b.buffer).setInt16(2 * i, x, true));
  return b;
}

function riff(chunks: Uint8Array[], magic = "RIFF", wave = "WAVE"): Uint8Array {
  const total = chunks.reduce((s, c) => s + c.length, 0);
  const out = new Uint8Array(12 + total);
  for (let i = 0; i < 4; i++) {
    out[i] = magic.charCodeAt(i);
    out[8 + i] = wave.charCodeAt(i);
  }
  new DataView(out.buffer).setUint32(4, 4 + total, true);
  let at = 12;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

test("parses a PCM16 mono file: sample rate and samples scaled by 1/32768", () => {
  const wav = parseWav(riff([chunk("fmt ", fmtBody({ sampleRate: 22050 })), chunk("data", int16Body([0, 16384, -32768, 32767]))]), "a.wav");
  assert.equal(wav.sampleRate, 22050);
  assert.deepEqual(Array.from(wav.samples), [0, 0.5, -1, 32767 / 32768]);
});

test("skips other chunks, including odd-sized ones with their pad byte", () => {
  const list = chunk("LIST", new Uint8Array([1, 2, 3])); // 3 bytes + 1 pad byte
  const wav = parseWav(riff([chunk("fmt ", fmtBody()), list, chunk("data", int16Body([-16384]))]), "b.wav");
  assert.deepEqual(Array.from(wav.samples), [-0.5]);
});

test("bad magic names the file and the expected bytes", () => {
  const body = [chunk("fmt ", fmtBody()), chunk("data", int16Body([1]))];
  assert.throws(() => parseWav(riff(body, "RIFX"), "x.wav"), /^Error: WAV x\.wav: bad magic "RIFX" at offset 0; expected "RIFF"$/);
  assert.throws(() => parseWav(riff(body, "RIFF", "AVI "), "y.wav"), /WAV y\.wav: bad magic "AVI " at offset 8; expected "WAVE"/);
  assert.throws(() => parseWav(new Uint8Array(5), "z.wav"), /WAV z\.wav: 5 bytes is too short/);
});

test("unsupported formats are named: float, stereo, 8-bit", () => {
  const data = chunk("data", int16Body([1, 2]));
  assert.throws(
    () => parseWav(riff([chunk("fmt ", fmtBody({ format: 3, bits: 32 })), data]), "f.wav"),
    /WAV f\.wav: unsupported audio format 3; expected 1 \(integer PCM\)/,
  );
  assert.throws(() => parseWav(riff([chunk("fmt ", fmtBody({ channels: 2 })), data]), "s.wav"), /WAV s\.wav: unsupported channel count 2; expected 1 \(mono\)/);
  assert.throws(() => parseWav(riff([chunk("fmt ", fmtBody({ bits: 8 })), data]), "e.wav"), /WAV e\.wav: unsupported sample size 8 bits; expected 16/);
});

test("truncated or missing data is an error naming the file", () => {
  const fmt = chunk("fmt ", fmtBody());
  // the data chunk declares 100 bytes, only 20 are present
  const short = chunk("data", int16Body(new Array(10).fill(7)), 100);
  assert.throws(() => parseWav(riff([fmt, short]), "t.wav"), /WAV t\.wav: truncated data: the "data" chunk declares 100 bytes but only 20 follow/);
  assert.throws(() => parseWav(riff([fmt]), "n.wav"), /WAV n\.wav: no "data" chunk/);
  assert.throws(() => parseWav(riff([chunk("data", int16Body([1]))]), "o.wav"), /WAV o\.wav: "data" chunk at offset 12 comes before any "fmt " chunk/);
  assert.throws(
    () => parseWav(riff([fmt, chunk("data", new Uint8Array(3))]), "h.wav"),
    /WAV h\.wav: "data" chunk has 3 bytes; expected a whole number of 2-byte samples/,
  );
});

test("readWav reads a file and names its path in errors", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wav-test-"));
  try {
    const good = path.join(dir, "good.wav");
    fs.writeFileSync(good, riff([chunk("fmt ", fmtBody({ sampleRate: 16000 })), chunk("data", int16Body([8192, -8192]))]));
    const wav = readWav(good);
    assert.equal(wav.sampleRate, 16000);
    assert.deepEqual(Array.from(wav.samples), [0.25, -0.25]);
    const bad = path.join(dir, "bad.wav");
    fs.writeFileSync(bad, "not a wav file at all");
    assert.throws(() => readWav(bad), new RegExp(`WAV ${bad.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: bad magic "not " at offset 0`));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("encodeWav (16-bit) round-trips through parseWav within half a quantisation step", () => {
  const x = [0, 0.1, -0.3, 0.999, -1, 0.5];
  const wav = parseWav(encodeWav(x, 22050), "roundtrip");
  assert.equal(wav.sampleRate, 22050);
  x.forEach((v, i) => assert.ok(Math.abs(wav.samples[i] - v) <= 0.5 / 32768 + 1e-12, `sample ${i}: ${wav.samples[i]} vs ${v}`));
});

test("encodeWav (8-bit): unsigned bytes around 128, header says 8 bits", () => {
  const bytes = encodeWav([-1, 0, 1, 2], 8000, 8); // 2 is clipped to 1
  const v = new DataView(bytes.buffer);
  assert.equal(v.getUint16(34, true), 8);
  assert.equal(v.getUint32(40, true), 4);
  assert.deepEqual(Array.from(bytes.slice(44, 48)), [1, 128, 255, 255]);
  assert.equal(bytes.length, 48);
  assert.throws(() => encodeWav([0], 0), /sampleRate must be a positive integer; got 0/);
});

test("audioDataUri: an 8-bit WAV at a third of the rate, a few KB for a short clip", () => {
  const n = 22050; // one second at 22,050 Hz
  const x = Float32Array.from({ length: n }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 300 * i) / 22050));
  const uri = audioDataUri({ sampleRate: 22050, samples: x });
  assert.match(uri, /^data:audio\/wav;base64,/);
  const bytes = Buffer.from(uri.slice(uri.indexOf(",") + 1), "base64");
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assert.equal(v.getUint32(24, true), 7350);
  assert.equal(v.getUint16(34, true), 8);
  assert.equal(v.getUint32(40, true), 7350);
  assert.ok(uri.length < 10_000, `${uri.length} characters`);
});
