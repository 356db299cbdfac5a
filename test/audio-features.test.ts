import { test } from "node:test";
import assert from "node:assert/strict";
import {
  fftInPlace,
  hannWindow,
  hzToMel,
  logMelSpectrogram,
  melFilterbank,
  melToHz,
  powerSpectrum,
  rfft,
  SPEECH_LOG_MEL,
  timeAveragedLogMel,
  trimSilence,
  type LogMelOptions,
} from "../src/scenarios/audio/features";
import { mulberry32 } from "../src/core/random";
import { assertArraysClose } from "./helpers/numeric";

// References. Numbers marked "numpy" were computed once with numpy 1.24.2 (/usr/bin/python3) and
// pasted here; no Python runs at test time. The script, in full:
//
//   import numpy as np
//   def mel_bank(sr, n_fft, n_mels, fmin, fmax):   # librosa.filters.mel(htk=True, norm=None), in numpy
//       fftfreqs = np.linspace(0, sr / 2, 1 + n_fft // 2)
//       hz2mel = lambda f: 2595.0 * np.log10(1.0 + f / 700.0)
//       mel2hz = lambda m: 700.0 * (10.0 ** (m / 2595.0) - 1.0)
//       mel_f = mel2hz(np.linspace(hz2mel(fmin), hz2mel(fmax), n_mels + 2))
//       fdiff = np.diff(mel_f); ramps = np.subtract.outer(mel_f, fftfreqs)
//       w = np.zeros((n_mels, 1 + n_fft // 2))
//       for i in range(n_mels):
//           w[i] = np.maximum(0, np.minimum(-ramps[i] / fdiff[i], ramps[i + 2] / fdiff[i + 1]))
//       return w
//   small = mel_bank(16000, 64, 6, 0, 8000)              # SMALL_BANK_NONZERO: its nonzero entries
//   big = mel_bank(22050, 512, 40, 50, 8000)             # BIG_BANK_ROW_SUMS = big.sum(1)
//   0.5 - 0.5 * np.cos(2 * np.pi * np.arange(8) / 8)      # HANN_8
//   np.fft.rfft([1, -2, 3, 0.5, 0, -1.5, 2.5, 4])         # RFFT_RE, RFFT_IM
//   sr = 22050; n = np.arange(3000)                       # LOGMEL_FRAME_t = L[t]
//   sig = 0.5 * np.sin(2 * np.pi * 440 * n / sr) + 0.25 * np.sin(2 * np.pi * 3000 * n / sr)
//   win = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(512) / 512)
//   pad = np.concatenate([sig, np.zeros(16 * 256 + 512)])
//   frames = np.stack([pad[t * 256:t * 256 + 512] * win for t in range(16)])
//   L = np.log((np.abs(np.fft.rfft(frames, axis=1)) ** 2) @ big.T + 1e-6)

const HANN_8 = [0, 0.146446609407, 0.5, 0.853553390593, 1, 0.853553390593, 0.5, 0.146446609407];
const RFFT_RE = [7.5, 3.12132034356, -4.5, -1.12132034356, 5.5];
const RFFT_IM = [0, 2.32842712475, 8, 3.32842712475, 0];
const SMALL_BANK_NONZERO: [number, number, number][] = [
  [0, 1, 0.824184068274],
  [0, 2, 0.547648769343],
  [1, 2, 0.452351230657],
  [1, 3, 0.980908004913],
  [1, 4, 0.579734317627],
  [1, 5, 0.178560630342],
  [2, 3, 0.0190919950872],
  [2, 4, 0.420265682373],
  [2, 5, 0.821439369658],
  [2, 6, 0.844688095247],
  [2, 7, 0.564798629801],
  [2, 8, 0.284909164355],
  [2, 9, 0.00501969890982],
  [3, 6, 0.155311904753],
  [3, 7, 0.435201370199],
  [3, 8, 0.715090835645],
  [3, 9, 0.99498030109],
  [3, 10, 0.808229815511],
  [3, 11, 0.612957504913],
  [3, 12, 0.417685194314],
  [3, 13, 0.222412883716],
  [3, 14, 0.0271405731179],
  [4, 10, 0.191770184489],
  [4, 11, 0.387042495087],
  [4, 12, 0.582314805686],
  [4, 13, 0.777587116284],
  [4, 14, 0.972859426882],
  [4, 15, 0.882698433075],
  [4, 16, 0.746461525317],
  [4, 17, 0.610224617558],
  [4, 18, 0.4739877098],
  [4, 19, 0.337750802042],
  [4, 20, 0.201513894284],
  [4, 21, 0.0652769865261],
  [5, 15, 0.117301566925],
  [5, 16, 0.253538474683],
  [5, 17, 0.389775382442],
  [5, 18, 0.5260122902],
  [5, 19, 0.662249197958],
  [5, 20, 0.798486105716],
  [5, 21, 0.934723013474],
  [5, 22, 0.950492928497],
  [5, 23, 0.855443635647],
  [5, 24, 0.760394342797],
  [5, 25, 0.665345049948],
  [5, 26, 0.570295757098],
  [5, 27, 0.475246464248],
  [5, 28, 0.380197171399],
  [5, 29, 0.285147878549],
  [5, 30, 0.190098585699],
  [5, 31, 0.0950492928497],
  [5, 32, 6.91574626032e-16],
];
const BIG_BANK_ROW_SUMS = [
  1.10932379434, 1.15393084784, 1.19299277994, 1.3943295719, 1.39780115728, 1.45868665851, 1.59057341815, 1.72237262004, 1.75110639836, 1.89188142935,
  2.01715654979, 2.12825660494, 2.22640487519, 2.49001429931, 2.47688572941, 2.75547757295, 2.87239395247, 3.03262743987, 3.29028773918, 3.40210046932,
  3.68383184714, 3.8657607073, 4.10585750274, 4.40015106434, 4.6193006438, 4.94477797502, 5.23376311367, 5.5480945196, 5.90001549397, 6.24977766063,
  6.66181088411, 7.03704737114, 7.51466588244, 7.9332893481, 8.45571926894, 8.94945840067, 9.52219798023, 10.0844456746, 10.7346957745, 11.3873821401,
];
const LOGMEL_FRAME_0 = [
  -7.1319585, -6.1234401, -4.9110023, -2.7706714, 0.15938143, 6.8113475, 8.3788268, 6.7791921, 0.31407286, -3.4914929, -5.6608069, -7.2527879, -8.5282671,
  -9.5689786, -10.570708, -11.307028, -12.005681, -12.523149, -12.852837, -12.979565, -12.754513, -12.10134, -10.893393, -8.8965265, -5.1673427, 6.1610572,
  6.96784, -1.9766356, -8.2484037, -10.944587, -12.550624, -13.358833, -13.658073, -13.758765, -13.792936, -13.805862, -13.811056, -13.813334, -13.81438,
  -13.814894,
];
const LOGMEL_FRAME_5 = [
  -6.9095026, -6.0129516, -4.8622175, -2.7579086, 0.16148722, 6.8113697, 8.3788161, 6.7792198, 0.31330901, -3.4971922, -5.675654, -7.2810935, -8.5747533,
  -9.6404516, -10.67634, -11.45884, -12.224531, -12.829746, -13.268614, -13.467006, -13.209517, -12.390841, -11.020715, -8.9320178, -5.1707342, 6.1610575,
  6.9678398, -1.9763337, -8.2381605, -10.909596, -12.491799, -13.304592, -13.623595, -13.739594, -13.782304, -13.799916, -13.807651, -13.811371, -13.813244,
  -13.814252,
];
const LOGMEL_FRAME_11 = [
  1.951108, 2.1837449, 2.5542249, 3.2064525, 4.2530622, 5.4325174, 5.9234268, 5.4984815, 4.197791, 3.1992333, 2.6159607, 2.1901246, 1.8543742, 1.6415234,
  1.363839, 1.2432895, 1.0849212, 0.97709489, 0.92737447, 0.8679475, 0.90201685, 0.96830048, 1.1426267, 1.4974781, 2.2245243, 4.4968229, 5.0236006, 2.3945663,
  0.64876764, -0.21943004, -0.76242173, -1.1259162, -1.3602971, -1.5317921, -1.6460098, -1.7366042, -1.8005979, -1.8536, -1.8889335, -1.9167831,
];

/** The DFT by its definition, O(N²), as an independent reference for the FFT. */
function dftByDefinition(x: ArrayLike<number>): { re: number[]; im: number[] } {
  const n = x.length;
  const re: number[] = [];
  const im: number[] = [];
  for (let k = 0; k < n; k++) {
    let r = 0;
    let i = 0;
    for (let t = 0; t < n; t++) {
      r += x[t] * Math.cos((-2 * Math.PI * k * t) / n);
      i += x[t] * Math.sin((-2 * Math.PI * k * t) / n);
    }
    re.push(r);
    im.push(i);
  }
  return { re, im };
}

test("the periodic Hann window matches numpy", () => {
  assertArraysClose(hannWindow(8), HANN_8, "hann(8)", 1e-11);
  assert.throws(() => hannWindow(0), /hannWindow: n must be a positive integer; got 0/);
});

test("rfft of a small real signal matches np.fft.rfft", () => {
  const { re, im } = rfft([1, -2, 3, 0.5, 0, -1.5, 2.5, 4]);
  assertArraysClose(re, RFFT_RE, "re", 1e-10);
  assertArraysClose(im, RFFT_IM, "im", 1e-10);
});

test("the complex FFT equals the DFT by definition (N = 64, random complex input)", () => {
  const rng = mulberry32(7);
  const xr = Float64Array.from({ length: 64 }, () => rng() * 2 - 1);
  const xi = Float64Array.from({ length: 64 }, () => rng() * 2 - 1);
  // DFT of a complex signal: DFT(xr) + i·DFT(xi)
  const a = dftByDefinition(xr);
  const b = dftByDefinition(xi);
  const re = xr.slice();
  const im = xi.slice();
  fftInPlace(re, im);
  assertArraysClose(
    re,
    a.re.map((v, k) => v - b.im[k]),
    "re",
    1e-10,
  );
  assertArraysClose(
    im,
    a.im.map((v, k) => v + b.re[k]),
    "im",
    1e-10,
  );
});

test("rfft of a real signal equals bins 0..N/2 of the DFT by definition (N = 256)", () => {
  const rng = mulberry32(11);
  const x = Float64Array.from({ length: 256 }, () => rng() - 0.5);
  const ref = dftByDefinition(x);
  const { re, im } = rfft(x);
  assert.equal(re.length, 129);
  assertArraysClose(re, ref.re.slice(0, 129), "re", 1e-9);
  assertArraysClose(im, ref.im.slice(0, 129), "im", 1e-9);
});

test("a pure sine puts its power in its own bin: peak at k0 with |X| = N/2", () => {
  const n = 512;
  for (const k0 of [1, 37, 200, 255]) {
    const x = Array.from({ length: n }, (_, t) => Math.sin((2 * Math.PI * k0 * t) / n));
    const p = powerSpectrum(x);
    let peak = 0;
    for (let k = 1; k < p.length; k++) if (p[k] > p[peak]) peak = k;
    assert.equal(peak, k0);
    assert.ok(Math.abs(Math.sqrt(p[k0]) - n / 2) < 1e-9, `|X[${k0}]| = ${Math.sqrt(p[k0])}, expected ${n / 2}`);
    // every other bin is (numerically) empty
    for (let k = 0; k < p.length; k++) if (k !== k0) assert.ok(p[k] < 1e-12, `bin ${k} has power ${p[k]}`);
  }
});

test("Parseval: Σ x² = (1/N) Σ |X[k]|² over the full spectrum", () => {
  const rng = mulberry32(3);
  const n = 1024;
  const x = Float64Array.from({ length: n }, () => rng() * 2 - 1);
  const p = powerSpectrum(x); // bins 0..N/2; bins 1..N/2−1 appear twice in the full spectrum
  let spectral = p[0] + p[n / 2];
  for (let k = 1; k < n / 2; k++) spectral += 2 * p[k];
  const energy = x.reduce((s, v) => s + v * v, 0);
  assert.ok(Math.abs(spectral / n - energy) <= 1e-9 * energy, `${spectral / n} vs ${energy}`);
});

test("the FFT rejects lengths that are not powers of two", () => {
  assert.throws(() => rfft(new Float64Array(100)), /rfft: length 100 is not a power of two/);
  assert.throws(() => fftInPlace(new Float64Array(8), new Float64Array(4)), /re has 8 values but im has 4/);
});

test("HTK mel scale: mel(1000 Hz) = 2595·log10(1 + 1000/700) and melToHz inverts it", () => {
  assert.ok(Math.abs(hzToMel(1000) - 999.9855371396243) < 1e-9); // Python: 2595 * math.log10(17 / 7)
  assert.equal(hzToMel(0), 0);
  for (const f of [0, 50, 440, 4000, 11025]) assert.ok(Math.abs(melToHz(hzToMel(f)) - f) < 1e-9 * Math.max(1, f));
});

test("mel filterbank matches numpy (librosa htk=True, norm=None) on a small bank, entry by entry", () => {
  const bank = melFilterbank({ sampleRate: 16000, nFft: 64, numMels: 6, fMin: 0, fMax: 8000 });
  assert.equal(bank.length, 6);
  const expected = Array.from({ length: 6 }, () => new Array<number>(33).fill(0));
  for (const [m, k, w] of SMALL_BANK_NONZERO) expected[m][k] = w;
  bank.forEach((row, m) => assertArraysClose(row, expected[m], `filter ${m}`, 1e-11));
});

test("mel filterbank with the speech settings (40 mels, 50 Hz–8 kHz, 512-point FFT at 22,050 Hz) matches numpy's row sums", () => {
  const bank = melFilterbank(SPEECH_LOG_MEL);
  assert.equal(bank.length, 40);
  assert.equal(bank[0].length, 257);
  assertArraysClose(
    bank.map((r) => r.reduce((s, v) => s + v, 0)),
    BIG_BANK_ROW_SUMS,
    "row sums",
    1e-9,
  );
  for (const row of bank) assert.ok(Math.max(...row) <= 1 && Math.min(...row) >= 0);
});

test("mel filterbank rejects impossible settings", () => {
  assert.throws(() => melFilterbank({ sampleRate: 16000, nFft: 64, numMels: 6, fMin: 0, fMax: 9000 }), /fMax <= sampleRate\/2 \(8000\)/);
  assert.throws(() => melFilterbank({ sampleRate: 16000, nFft: 60, numMels: 6, fMin: 0, fMax: 8000 }), /nFft must be a power of two; got 60/);
});

test("log-mel spectrogram of a two-tone signal matches numpy; frames past the clip are padded, logFloor gives log(1e-6)", () => {
  const sr = 22050;
  const x = Float32Array.from({ length: 3000 }, (_, n) => 0.5 * Math.sin((2 * Math.PI * 440 * n) / sr) + 0.25 * Math.sin((2 * Math.PI * 3000 * n) / sr));
  const opts: LogMelOptions = { ...SPEECH_LOG_MEL, numFrames: 16 };
  const lm = logMelSpectrogram(x, opts);
  assert.equal(lm.data.length, 16 * 40);
  assert.equal(lm.framesWithSignal, 12); // frames starting at 0, 256, …, 2816 < 3000
  // float32 input and output: compare to 1e-3 in log units (relative error ≈ 0.1% of the energy)
  assertArraysClose(lm.data.slice(0, 40), LOGMEL_FRAME_0, "frame 0", 1e-3);
  assertArraysClose(lm.data.slice(5 * 40, 6 * 40), LOGMEL_FRAME_5, "frame 5", 1e-3);
  assertArraysClose(lm.data.slice(11 * 40, 12 * 40), LOGMEL_FRAME_11, "frame 11", 1e-3);
  assertArraysClose(lm.data.slice(15 * 40), new Array(40).fill(Math.log(1e-6)), "frame 15 (silence)", 1e-5);
});

test("a clip longer than numFrames is cropped: the first frames are the same as the long clip's", () => {
  const rng = mulberry32(5);
  const x = Float32Array.from({ length: 30000 }, () => rng() - 0.5);
  const long = logMelSpectrogram(x, { ...SPEECH_LOG_MEL, numFrames: 100 });
  const short = logMelSpectrogram(x, { ...SPEECH_LOG_MEL, numFrames: 10 });
  assert.deepEqual(Array.from(short.data), Array.from(long.data.slice(0, 10 * 40)));
  assert.equal(short.framesWithSignal, 10);
});

test("timeAveragedLogMel averages only the frames that hold signal", () => {
  const lm = { numFrames: 4, numMels: 2, framesWithSignal: 2, data: Float32Array.from([1, 2, 3, 4, -99, -99, -99, -99]) };
  assert.deepEqual(Array.from(timeAveragedLogMel(lm)), [2, 3]);
});

test("trimSilence keeps the loud part plus the margin", () => {
  const x = new Float32Array(2000);
  for (let i = 700; i < 1000; i++) x[i] = i % 2 ? 0.5 : -0.5;
  x[100] = 0.005; // below 2% of the peak: trimmed
  const y = trimSilence(x, 0.02, 50);
  assert.equal(y.length, 300 + 2 * 50);
  assert.equal(y[50], x[700]);
  assert.equal(trimSilence(new Float32Array(10)).length, 0);
});
