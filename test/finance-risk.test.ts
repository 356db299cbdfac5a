import { test } from "node:test";
import * as assert from "node:assert/strict";
import {
  backtestVaR,
  chiSquareCdf,
  chiSquareSf,
  christoffersenIndependenceTest,
  historicalVaR,
  kupiecTest,
  lnGamma,
  lagCorrelation,
  logReturns,
  parkinsonVolatility,
  regularizedGammaP,
  regularizedGammaQ,
  rollingStd,
  varExceedances,
} from "../src/scenarios/finance/risk";
import { ewmaForecast, ewmaVolatilityForecast, fitHar, forecastErrors, persistenceForecast, rollingMeanForecast } from "../src/scenarios/finance/baselines";
import { mulberry32 } from "../src/core/random";
import { quantile } from "../src/core/statistics";
import { erf } from "../src/from-scratch/activations";
import { assertClose } from "./helpers/numeric";

test("log returns: ln(p[i+1]/p[i]), by hand", () => {
  const r = logReturns([100, 110, 99]);
  assert.equal(r.length, 2);
  assertClose(r[0], Math.log(1.1), "r0", 1e-15);
  assertClose(r[1], Math.log(0.9), "r1", 1e-15);
  assert.throws(() => logReturns([100]), /expected at least 2/);
  assert.throws(() => logReturns([100, 0, 5]), /prices\[1\] is 0; expected positive finite prices/);
});

test("rolling standard deviation (n − 1 denominator), by hand", () => {
  const s = rollingStd([1, 2, 3, 4, 10], 3);
  assert.ok(Number.isNaN(s[0]) && Number.isNaN(s[1]));
  assertClose(s[2], 1, "std(1,2,3)", 1e-15); // mean 2, squares 1+0+1, /2 → 1
  assertClose(s[3], 1, "std(2,3,4)", 1e-15);
  assertClose(s[4], Math.sqrt(((3 - 17 / 3) ** 2 + (4 - 17 / 3) ** 2 + (10 - 17 / 3) ** 2) / 2), "std(3,4,10)", 1e-12);
  assert.throws(() => rollingStd([1, 2], 3), /window 3 is longer than the series/);
  assert.throws(() => rollingStd([1, 2], 1), /window must be an integer ≥ 2/);
});

test("Parkinson range volatility: ln(H/L)/√(4 ln 2)", () => {
  const v = parkinsonVolatility([100 * Math.exp(0.02), 50], [100, 50]);
  assertClose(v[0], 0.0120112240878645, "0.02 / 1.66511", 1e-15); // computed with Python math
  assert.equal(v[1], 0);
  assert.throws(() => parkinsonVolatility([1], [2]), /expected 0 < low ≤ high/);
});

test("quantile: linear interpolation between order statistics (numpy's default)", () => {
  const xs = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
  assertClose(quantile(xs, 0.1), 1.9, "position 0.9 between 1 and 2", 1e-12);
  assertClose(quantile(xs, 0.5), 5.5, "median", 1e-12);
  assert.equal(quantile(xs, 0), 1);
  assert.equal(quantile(xs, 1), 10);
  assert.throws(() => quantile([], 0.5), /no values/);
});

test("historical VaR uses only the returns before the day, and hits are losses beyond it", () => {
  const r = [-0.05, -0.01, 0.02, 0.03, -0.02, -0.03, 0.01];
  const v = historicalVaR(r, { window: 5, level: 0.8 });
  for (let t = 0; t < 5; t++) assert.ok(Number.isNaN(v[t]));
  // Day 5: sorted window −0.05, −0.02, −0.01, 0.02, 0.03; 20% quantile at position 0.8 → −0.05 + 0.8·0.03 = −0.026.
  assertClose(v[5], 0.026, "VaR day 5", 1e-12);
  // Day 6: window −0.01, 0.02, 0.03, −0.02, −0.03 → sorted −0.03, −0.02, …; position 0.8 → −0.03 + 0.8·0.01 = −0.022.
  assertClose(v[6], 0.022, "VaR day 6", 1e-12);
  assert.deepEqual(Array.from(varExceedances(r, v)), [0, 0, 0, 0, 0, 1, 0]); // −0.03 < −0.026
  // Changing day 6's own return does not change its VaR (no look-ahead).
  const r2 = [...r];
  r2[6] = -0.5;
  assert.equal(historicalVaR(r2, { window: 5, level: 0.8 })[6], v[6]);
  assert.throws(() => historicalVaR(r, { window: 5, level: 99 }), /level must be in \(0, 1\)/);
});

test("special functions against reference values (scipy 1.10 / math.lgamma)", () => {
  assertClose(lnGamma(5), Math.log(24), "lnΓ(5)", 1e-13);
  assertClose(lnGamma(0.5), 0.5 * Math.log(Math.PI), "lnΓ(1/2)", 1e-13);
  assertClose(lnGamma(0.3), 1.0957979948180752, "lnΓ(0.3)", 1e-13);
  assertClose(lnGamma(10.5), 13.940625219403763, "lnΓ(10.5)", 1e-12);
  assertClose(lnGamma(100), 359.1342053695754, "lnΓ(100)", 1e-10);
  assertClose(erf(0.5), 0.5204998778130465, "erf(0.5)", 1e-14);
  assertClose(erf(1), 0.8427007929497148, "erf(1)", 1e-14);
  assertClose(erf(2.5), 0.999593047982555, "erf(2.5)", 1e-14);
  assertClose(erf(-1), -0.8427007929497148, "erf(−1)", 1e-14);
  assertClose(regularizedGammaP(2.5, 1.3), 0.23863473215498604, "P(2.5, 1.3)", 1e-13);
  assertClose(regularizedGammaQ(2.5, 1.3), 0.761365267845014, "Q(2.5, 1.3)", 1e-13);
  const q = regularizedGammaQ(0.5, 40);
  assert.ok(Math.abs(q - 3.744097384202887e-19) / 3.744097384202887e-19 < 1e-9, `Q(0.5, 40) = ${q}: the far tail keeps its relative accuracy`);
});

test("chi-square CDF and survival function: critical values and closed forms", () => {
  assertClose(chiSquareSf(3.841458820694124, 1), 0.05, "χ²(1) 95% critical value", 1e-13);
  assertClose(chiSquareSf(6.634896601021214, 1), 0.01, "χ²(1) 99% critical value", 1e-13);
  assertClose(chiSquareSf(0.5, 1), 0.47950012218695337, "sf(0.5; 1)", 1e-13);
  const tail = chiSquareSf(30, 1);
  assert.ok(Math.abs(tail - 4.3204630578274955e-8) / 4.3204630578274955e-8 < 1e-9, `sf(30; 1) = ${tail}`);
  assertClose(chiSquareCdf(3, 4), 0.4421745996289252, "cdf(3; 4)", 1e-13);
  assertClose(chiSquareCdf(9.487729036781154, 4), 0.95, "χ²(4) 95% critical value", 1e-13);
  // Two degrees of freedom: cdf(x) = 1 − e^(−x/2) in closed form.
  for (const x of [0.1, 1, 2, 7.5]) assertClose(chiSquareCdf(x, 2), 1 - Math.exp(-x / 2), `cdf(${x}; 2)`, 1e-14);
  // One degree of freedom: sf(x) = 1 − erf(√(x/2)).
  for (const x of [0.2, 1, 3]) assertClose(chiSquareSf(x, 1), 1 - erf(Math.sqrt(x / 2)), `sf(${x}; 1) via erf`, 1e-14);
  assert.equal(chiSquareCdf(0, 1), 0);
  assert.equal(chiSquareSf(-1, 1), 1);
  assert.throws(() => chiSquareSf(1, 0), /degrees of freedom must be > 0/);
});

test("Kupiec proportion-of-failures test, by hand", () => {
  // n = 250, x = 5, p = 1%: LR = −2[245 ln(0.99/0.98) + 5 ln(0.01/0.02)] = 1.95681; p = 0.16185 (scipy chi2.sf).
  const k = kupiecTest(250, 5, 0.01);
  assertClose(k.lr, 1.956809788230622, "LR", 1e-10);
  assertClose(k.pValue, 0.1618549171960387, "p-value", 1e-10);
  // No exceedance at all: LR = −2 n ln(1 − p) = 5.02517, rejected at 5% (p = 0.02498).
  const z = kupiecTest(250, 0, 0.01);
  assertClose(z.lr, 5.025167926750726, "LR at x = 0", 1e-10);
  assertClose(z.pValue, 0.02498150305344973, "p at x = 0", 1e-10);
  // Exactly the nominal rate: LR = 0, p = 1.
  const e = kupiecTest(200, 10, 0.05);
  assertClose(e.lr, 0, "LR at x = np", 1e-12);
  assertClose(e.pValue, 1, "p at x = np", 1e-12);
  // 255 days at 1%: 6 exceedances pass at 5%, 7 fail (LR 3.4154 vs 5.3163 against 3.8415).
  assert.ok(kupiecTest(255, 6, 0.01).pValue > 0.05);
  assert.ok(kupiecTest(255, 7, 0.01).pValue < 0.05);
  assert.throws(() => kupiecTest(10, 11, 0.01), /x must be an integer in 0\.\.10/);
});

test("Christoffersen independence test, by hand", () => {
  // Transitions 00,01,11,10,00,00,01,10,00: n00 4, n01 2, n10 2, n11 1 → π01 = π11 = π = 1/3 → LR = 0.
  const flat = christoffersenIndependenceTest([0, 0, 1, 1, 0, 0, 0, 1, 0, 0]);
  assert.deepEqual([flat.n00, flat.n01, flat.n10, flat.n11], [4, 2, 2, 1]);
  assertClose(flat.lr, 0, "equal rates", 1e-12);
  // A cluster: n00 5, n01 1, n10 1, n11 2 → LR 2.23144, p 0.13523 (computed with Python math / scipy).
  const clustered = christoffersenIndependenceTest([0, 0, 0, 1, 1, 1, 0, 0, 0, 0]);
  assert.deepEqual([clustered.n00, clustered.n01, clustered.n10, clustered.n11], [5, 1, 1, 2]);
  assertClose(clustered.lr, 2.231435513142097, "LR", 1e-10);
  assertClose(clustered.pValue, 0.13522815768706561, "p", 1e-10);
});

test("VaR backtest counts hits over the days with a VaR value", () => {
  const r = [0, 0, -0.05, 0.01, -0.02, 0.0];
  const v = [NaN, NaN, 0.03, 0.03, 0.03, 0.01];
  const b = backtestVaR(r, v, 0.99);
  assert.equal(b.days, 4);
  assert.equal(b.exceedances, 1);
  assertClose(b.rate, 0.25, "rate", 1e-15);
  assertClose(b.expectedExceedances, 0.04, "expected", 1e-15);
  assertClose(b.kupiec.lr, kupiecTest(4, 1, 0.01).lr, "Kupiec", 1e-12);
  const late = backtestVaR(r, v, 0.99, { from: 3 });
  assert.equal(late.days, 3);
  assert.equal(late.exceedances, 0);
});

test("baseline forecasts are aligned to the day they forecast and use only earlier days", () => {
  const x = [1, 2, 3, 4, 5];
  assert.deepEqual(Array.from(persistenceForecast(x)), [NaN, 1, 2, 3, 4]);
  assert.deepEqual(Array.from(rollingMeanForecast(x, 2)), [NaN, NaN, 1.5, 2.5, 3.5]);
  const e = ewmaForecast(x, 0.5);
  assert.deepEqual(Array.from(e), [NaN, 1, 1.5, 2.25, 3.125]); // m = 0.5 m + 0.5 x[d−1]
  // RiskMetrics on 1%, 2%, 3% with λ = 0.5: s1 = 1e-4, s2 = 0.5e-4 + 0.5·4e-4 = 2.5e-4.
  const v = ewmaVolatilityForecast([0.01, 0.02, 0.03], 0.5);
  assertClose(v[1], 0.01, "σ1", 1e-15);
  assertClose(v[2], 0.015811388300841896, "σ2", 1e-15);
  // Changing the last value changes no forecast (each uses only earlier days).
  const y = [1, 2, 3, 4, 50];
  assert.deepEqual(Array.from(ewmaForecast(y, 0.5)), Array.from(e));
  assert.throws(() => ewmaForecast(x, 1), /lambda must be in \(0, 1\)/);
});

test("HAR regression recovers known coefficients from a simulated series", () => {
  const rng = mulberry32(7);
  const b = [0.2, 0.3, 0.25, 0.2];
  const x: number[] = [];
  for (let d = 0; d < 22; d++) x.push(1 + rng());
  for (let d = 22; d < 6000; d++) {
    let w = 0;
    let m = 0;
    for (let k = 1; k <= 22; k++) {
      if (k <= 5) w += x[d - k];
      m += x[d - k];
    }
    x.push(b[0] + b[1] * x[d - 1] + b[2] * (w / 5) + b[3] * (m / 22) + 0.3 * (rng() - 0.5));
  }
  const days = Array.from({ length: 6000 - 22 }, (_, i) => i + 22);
  const har = fitHar(x, days);
  har.coefficients.forEach((c, i) => assertClose(c, b[i], `coefficient ${i}`, 0.08));
  const f = har.forecast(x);
  assert.ok(Number.isNaN(f[21]) && Number.isFinite(f[22]));
  // Residuals are the noise: uniform(−0.15, 0.15) has MAE 0.075.
  assertClose(forecastErrors(f, x, days).mae, 0.075, "MAE of the fitted HAR", 0.005);
});

test("forecast errors: MAE, RMSE and bias by hand", () => {
  const e = forecastErrors([1, 2, 4, NaN], [1, 3, 2, 0], [0, 1, 2]);
  assert.equal(e.days, 3);
  assertClose(e.mae, 1, "MAE (0 + 1 + 2)/3", 1e-15);
  assertClose(e.rmse, Math.sqrt(5 / 3), "RMSE √((0 + 1 + 4)/3)", 1e-15);
  assertClose(e.bias, 1 / 3, "bias (0 − 1 + 2)/3", 1e-15);
  assert.throws(() => forecastErrors([1, 2, 4, NaN], [1, 3, 2, 0], [3]), /day 3 has forecast NaN/);
});

test("lag correlation, by hand", () => {
  assertClose(lagCorrelation([1, 2, 3, 4, 5]), 1, "a straight line", 1e-15);
  assertClose(lagCorrelation([1, -1, 1, -1, 1, -1]), -1, "alternating", 1e-15);
  // Pairs (1,3), (3,2), (2,5), (5,4): means 2.75 and 3.5; Σdx·dy = 0.5, Σdx² = 8.75, Σdy² = 5 → 0.5/√43.75
  // (numpy.corrcoef gives 0.07559289460184544).
  assertClose(lagCorrelation([1, 3, 2, 5, 4]), 0.07559289460184544, "by hand / numpy", 1e-12);
  assert.throws(() => lagCorrelation([1, 2], 1), /expected at least 3/);
});
