/**
 * Speech features for the spoken-digit scenario (article §6, speech): silence trimming, framing,
 * the Hann window, a radix-2 real FFT, the power spectrum, an HTK-formula mel filterbank and the
 * log-mel spectrogram, padded or cropped to a fixed number of frames so every clip becomes one
 * fixed-size image for a CNN.
 *
 * Conventions (each tested in test/audio-features.test.ts):
 * - Hann window: the periodic form w[n] = 0.5 − 0.5·cos(2πn/N), n = 0..N−1 (scipy's
 *   `get_window("hann", N)`, librosa's default), the usual choice for spectral analysis.
 * - FFT: X[k] = Σ x[n]·e^(−2πikn/N), unnormalised (numpy's `np.fft.rfft`); the real FFT returns
 *   bins 0..N/2. The power spectrum is |X[k]|², also unnormalised.
 * - Mel scale: the HTK formula mel(f) = 2595·log10(1 + f/700). Filters are triangles whose
 *   corners are numMels + 2 points equally spaced in mel between fMin and fMax, evaluated at
 *   the FFT bin frequencies k·sampleRate/nFft, peak 1, not area-normalised (librosa's
 *   `filters.mel(htk=True, norm=None)`).
 * - Log: natural log of (mel energy + logFloor), so digital silence gives log(logFloor), not −∞.
 */
import { requireAbove, requirePositiveInteger } from "../../core/validate";

/** Options of {@link logMelSpectrogram}; the defaults suit 22,050 Hz speech (espeak-ng's rate). */
export interface LogMelOptions {
  sampleRate: number;
  /** FFT size = frame length in samples, a power of two (512 ≈ 23 ms at 22,050 Hz). */
  nFft: number;
  /** Samples between frame starts (256 ≈ 11.6 ms). */
  hopLength: number;
  numMels: number;
  /** Lowest and highest filter corner frequencies, Hz. */
  fMin: number;
  fMax: number;
  /** Fixed output length: frames beyond the signal are zero-padded, later ones cropped. */
  numFrames: number;
  /** Added to mel energies before the log. */
  logFloor: number;
}

/** The settings used for the spoken digits: 40 mels from 50 Hz to 8 kHz, 64 frames ≈ 0.77 s (article §6). */
export const SPEECH_LOG_MEL: LogMelOptions = {
  sampleRate: 22050,
  nFft: 512,
  hopLength: 256,
  numMels: 40,
  fMin: 50,
  fMax: 8000,
  numFrames: 64,
  logFloor: 1e-6,
};

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
}

/** The periodic Hann window of length n: 0.5 − 0.5·cos(2πi/n) (article §6). */
export function hannWindow(n: number): Float64Array {
  requirePositiveInteger("hannWindow", "n", n);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

/** In-place iterative radix-2 complex FFT (Cooley–Tukey, decimation in time) of re + i·im; length a power of two (article §6). */
export function fftInPlace(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (im.length !== n) throw new Error(`fftInPlace: re has ${n} values but im has ${im.length}; expected equal lengths`);
  if (!isPowerOfTwo(n)) throw new Error(`fftInPlace: length ${n} is not a power of two`);
  // bit-reversal permutation
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i];
      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    const wRe = Math.cos(ang);
    const wIm = Math.sin(ang);
    const half = len >> 1;
    for (let start = 0; start < n; start += len) {
      let cRe = 1;
      let cIm = 0;
      for (let k = 0; k < half; k++) {
        const a = start + k;
        const b = a + half;
        const tRe = re[b] * cRe - im[b] * cIm;
        const tIm = re[b] * cIm + im[b] * cRe;
        re[b] = re[a] - tRe;
        im[b] = im[a] - tIm;
        re[a] += tRe;
        im[a] += tIm;
        const nRe = cRe * wRe - cIm * wIm;
        cIm = cRe * wIm + cIm * wRe;
        cRe = nRe;
      }
    }
  }
}

/** The FFT of a real signal (length a power of two): bins 0..N/2 of X[k] = Σ x[n]·e^(−2πikn/N), like np.fft.rfft (article §6). */
export function rfft(x: ArrayLike<number>): { re: Float64Array; im: Float64Array } {
  const n = x.length;
  if (!isPowerOfTwo(n)) throw new Error(`rfft: length ${n} is not a power of two; pad the frame to nFft`);
  const re = Float64Array.from(x);
  const im = new Float64Array(n);
  fftInPlace(re, im);
  const m = n / 2 + 1;
  return { re: re.slice(0, m), im: im.slice(0, m) };
}

/** |X[k]|² for k = 0..N/2 of a real frame (article §6). */
export function powerSpectrum(frame: ArrayLike<number>): Float64Array {
  const { re, im } = rfft(frame);
  const p = new Float64Array(re.length);
  for (let k = 0; k < re.length; k++) p[k] = re[k] * re[k] + im[k] * im[k];
  return p;
}

/** Hz → mel, HTK formula 2595·log10(1 + f/700) (article §6). */
export function hzToMel(f: number): number {
  return 2595 * Math.log10(1 + f / 700);
}

/** mel → Hz, the inverse of {@link hzToMel} (article §6). */
export function melToHz(m: number): number {
  return 700 * (10 ** (m / 2595) - 1);
}

/** A triangular mel filterbank, [numMels][nFft/2 + 1], HTK mel formula, peak-1 triangles (librosa htk=True, norm=None) (article §6). */
export function melFilterbank(opts: Pick<LogMelOptions, "sampleRate" | "nFft" | "numMels" | "fMin" | "fMax">): Float64Array[] {
  const { sampleRate, nFft, numMels, fMin, fMax } = opts;
  if (!isPowerOfTwo(nFft)) throw new Error(`melFilterbank: nFft must be a power of two; got ${nFft}`);
  requirePositiveInteger("melFilterbank", "numMels", numMels);
  if (!(fMin >= 0 && fMin < fMax && fMax <= sampleRate / 2)) {
    throw new Error(`melFilterbank: need 0 <= fMin < fMax <= sampleRate/2 (${sampleRate / 2}); got fMin ${fMin}, fMax ${fMax}`);
  }
  const numBins = nFft / 2 + 1;
  const mMin = hzToMel(fMin);
  const mMax = hzToMel(fMax);
  const corners = Array.from({ length: numMels + 2 }, (_, i) => melToHz(mMin + ((mMax - mMin) * i) / (numMels + 1)));
  const bank: Float64Array[] = [];
  for (let m = 0; m < numMels; m++) {
    const [lo, mid, hi] = [corners[m], corners[m + 1], corners[m + 2]];
    const row = new Float64Array(numBins);
    for (let k = 0; k < numBins; k++) {
      const f = (k * sampleRate) / nFft;
      const rising = (f - lo) / (mid - lo);
      const falling = (hi - f) / (hi - mid);
      row[k] = Math.max(0, Math.min(rising, falling));
    }
    bank.push(row);
  }
  return bank;
}

/**
 * Drops leading and trailing quiet samples: keeps from the first to the last sample whose
 * magnitude reaches `relThreshold` × the clip's peak, plus `marginSamples` either side (article §6).
 */
export function trimSilence(samples: Float32Array, relThreshold = 0.02, marginSamples = 256): Float32Array {
  let peak = 0;
  for (let i = 0; i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i]));
  if (peak === 0) return samples.slice(0, 0);
  const thr = relThreshold * peak;
  let first = 0;
  while (Math.abs(samples[first]) < thr) first++;
  let last = samples.length - 1;
  while (Math.abs(samples[last]) < thr) last--;
  return samples.slice(Math.max(0, first - marginSamples), Math.min(samples.length, last + 1 + marginSamples));
}

/** A log-mel spectrogram: `data` is [numFrames, numMels] row-major; `framesWithSignal` counts frames that start inside the clip. */
export interface LogMel {
  data: Float32Array;
  numFrames: number;
  numMels: number;
  framesWithSignal: number;
}

/**
 * The log-mel spectrogram of a clip, fixed to `numFrames` frames: frame t covers samples
 * [t·hop, t·hop + nFft), zero beyond the clip (so a short clip is padded, a long one cropped);
 * each frame is Hann-windowed, its power spectrum pooled by the mel filterbank, then logged (article §6).
 */
export function logMelSpectrogram(samples: ArrayLike<number>, opts: LogMelOptions, bank = melFilterbank(opts)): LogMel {
  const { nFft, hopLength, numMels, numFrames, logFloor } = opts;
  requirePositiveInteger("logMelSpectrogram", "hopLength", hopLength);
  requirePositiveInteger("logMelSpectrogram", "numFrames", numFrames);
  requireAbove("logMelSpectrogram", "logFloor", logFloor, 0);
  if (bank.length !== numMels || bank[0].length !== nFft / 2 + 1) {
    throw new Error(`logMelSpectrogram: filterbank is ${bank.length}×${bank[0]?.length}; expected ${numMels}×${nFft / 2 + 1}`);
  }
  const win = hannWindow(nFft);
  // [first, last + 1) nonzero bin of each filter: the triangles are narrow, most weights are 0
  const support = bank.map((row) => {
    let lo = 0;
    while (lo < row.length && row[lo] === 0) lo++;
    let hi = row.length;
    while (hi > lo && row[hi - 1] === 0) hi--;
    return [lo, hi] as const;
  });
  const re = new Float64Array(nFft);
  const im = new Float64Array(nFft);
  const p = new Float64Array(nFft / 2 + 1);
  const data = new Float32Array(numFrames * numMels);
  let framesWithSignal = 0;
  for (let t = 0; t < numFrames; t++) {
    const start = t * hopLength;
    if (start < samples.length) framesWithSignal++;
    for (let i = 0; i < nFft; i++) re[i] = start + i < samples.length ? samples[start + i] * win[i] : 0;
    im.fill(0);
    fftInPlace(re, im); // the power spectrum of the windowed frame, without allocating
    for (let k = 0; k < p.length; k++) p[k] = re[k] * re[k] + im[k] * im[k];
    for (let m = 0; m < numMels; m++) {
      const row = bank[m];
      let e = 0;
      for (let k = support[m][0]; k < support[m][1]; k++) e += row[k] * p[k];
      data[t * numMels + m] = Math.log(e + logFloor);
    }
  }
  return { data, numFrames, numMels, framesWithSignal };
}

/** The mean log-mel vector over the frames that hold signal: a fixed-length summary without time order (article §6 baseline). */
export function timeAveragedLogMel(lm: LogMel): Float32Array {
  const frames = Math.max(1, lm.framesWithSignal);
  const out = new Float32Array(lm.numMels);
  for (let t = 0; t < frames; t++) for (let m = 0; m < lm.numMels; m++) out[m] += lm.data[t * lm.numMels + m];
  for (let m = 0; m < lm.numMels; m++) out[m] /= frames;
  return out;
}
