/**
 * RIFF/WAVE files for the speech scenario (article §6): a strict parser for the one format the
 * runbook reads (PCM, 16-bit, mono — what espeak-ng writes), an encoder, and a small
 * `<audio>` data URI for listening to a clip inside a report page.
 *
 * Every parse error names the file and what was expected: bad magic, an unsupported format
 * (not PCM, not 16-bit, not mono), a missing chunk, or data cut short.
 */
import * as fs from "fs";
import { requireOneOf, requirePositiveInteger } from "../core/validate";

/** A decoded mono clip: samples scaled to [-1, 1) (int16 / 32768). */
export interface WavAudio {
  sampleRate: number;
  /** [numSamples] */
  samples: Float32Array;
}

function ascii(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}

/** Parses a RIFF/WAVE PCM16 mono file held in `bytes`; `name` (the file) appears in every error (article §6). */
export function parseWav(bytes: Uint8Array, name = "<buffer>"): WavAudio {
  const fail = (msg: string): never => {
    throw new Error(`WAV ${name}: ${msg}`);
  };
  if (bytes.length < 12) fail(`${bytes.length} bytes is too short for a RIFF header; expected at least 12`);
  if (ascii(bytes, 0) !== "RIFF") fail(`bad magic ${JSON.stringify(ascii(bytes, 0))} at offset 0; expected "RIFF"`);
  if (ascii(bytes, 8) !== "WAVE") fail(`bad magic ${JSON.stringify(ascii(bytes, 8))} at offset 8; expected "WAVE"`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  let fmt: { format: number; channels: number; sampleRate: number; bitsPerSample: number; blockAlign: number } | null = null;
  let pos = 12;
  while (pos + 8 <= bytes.length) {
    const id = ascii(bytes, pos);
    const size = view.getUint32(pos + 4, true);
    const body = pos + 8;
    if (id === "fmt ") {
      if (size < 16) fail(`"fmt " chunk has ${size} bytes; expected at least 16`);
      if (body + 16 > bytes.length) fail(`truncated "fmt " chunk: ${bytes.length - body} of ${size} bytes present`);
      fmt = {
        format: view.getUint16(body, true),
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        blockAlign: view.getUint16(body + 12, true),
        bitsPerSample: view.getUint16(body + 14, true),
      };
      if (fmt.format !== 1) fail(`unsupported audio format ${fmt.format}; expected 1 (integer PCM)`);
      if (fmt.channels !== 1) fail(`unsupported channel count ${fmt.channels}; expected 1 (mono)`);
      if (fmt.bitsPerSample !== 16) fail(`unsupported sample size ${fmt.bitsPerSample} bits; expected 16`);
      if (fmt.blockAlign !== 2) fail(`block align ${fmt.blockAlign}; expected 2 (one 16-bit channel)`);
      if (!(fmt.sampleRate > 0)) fail(`sample rate ${fmt.sampleRate}; expected a positive rate`);
    } else if (id === "data") {
      if (fmt === null) fail(`"data" chunk at offset ${pos} comes before any "fmt " chunk; expected "fmt " first`);
      const available = bytes.length - body;
      if (size > available) fail(`truncated data: the "data" chunk declares ${size} bytes but only ${available} follow`);
      if (size % 2 !== 0) fail(`"data" chunk has ${size} bytes; expected a whole number of 2-byte samples`);
      const n = size / 2;
      const samples = new Float32Array(n);
      for (let i = 0; i < n; i++) samples[i] = view.getInt16(body + 2 * i, true) / 32768;
      return { sampleRate: fmt!.sampleRate, samples };
    }
    pos = body + size + (size % 2); // chunks are padded to an even size
  }
  return fail(fmt === null ? `no "fmt " chunk; expected a "fmt " and a "data" chunk` : `no "data" chunk; expected one after "fmt "`);
}

/** Reads and parses a PCM16 mono WAV file (article §6). */
export function readWav(file: string): WavAudio {
  return parseWav(fs.readFileSync(file), file);
}

/**
 * Encodes mono samples in [-1, 1] as a RIFF/WAVE PCM file: 16-bit signed, or 8-bit unsigned
 * (half the size; only for listening, see {@link audioDataUri}). Values outside [-1, 1] are clipped.
 */
export function encodeWav(samples: ArrayLike<number>, sampleRate: number, bitsPerSample: 8 | 16 = 16): Uint8Array {
  requirePositiveInteger("encodeWav", "sampleRate", sampleRate);
  requireOneOf("encodeWav", "bitsPerSample", bitsPerSample, [8, 16] as const);
  const bytesPerSample = bitsPerSample / 8;
  const dataSize = samples.length * bytesPerSample;
  const out = new Uint8Array(44 + dataSize + (dataSize % 2));
  const view = new DataView(out.buffer);
  const put = (at: number, s: string) => { for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i); };
  put(0, "RIFF");
  view.setUint32(4, out.length - 8, true);
  put(8, "WAVE");
  put(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * bytesPerSample, true); // byte rate
  view.setUint16(32, bytesPerSample, true); // block align
  view.setUint16(34, bitsPerSample, true);
  put(36, "data");
  view.setUint32(40, dataSize, true);
  for (let i = 0; i < samples.length; i++) {
    const x = Math.max(-1, Math.min(1, samples[i]));
    if (bitsPerSample === 16) view.setInt16(44 + 2 * i, Math.max(-32768, Math.min(32767, Math.round(x * 32768))), true);
    else out[44 + i] = Math.max(0, Math.min(255, Math.round(128 + x * 127)));
  }
  return out;
}

/**
 * A `data:audio/wav;base64,…` URI of a clip made small for a report page: downsampled by an
 * integer factor (mean of each group of `factor` samples, a crude low-pass), peak-normalised,
 * 8-bit. About 10 KB for a second of speech at 22,050 / 3 = 7,350 Hz (article §6).
 */
export function audioDataUri(audio: WavAudio, factor = 3): string {
  requirePositiveInteger("audioDataUri", "factor", factor);
  const n = Math.floor(audio.samples.length / factor);
  const small = new Float32Array(n);
  let peak = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < factor; j++) s += audio.samples[i * factor + j];
    small[i] = s / factor;
    peak = Math.max(peak, Math.abs(small[i]));
  }
  if (peak > 0) for (let i = 0; i < n; i++) small[i] = (0.9 * small[i]) / peak;
  const wav = encodeWav(small, Math.round(audio.sampleRate / factor), 8);
  return `data:audio/wav;base64,${Buffer.from(wav).toString("base64")}`;
}
