/**
 * Market-risk arithmetic for the §6 financial-risk scenario: log returns, rolling and range-based
 * volatility, historical Value-at-Risk, and the standard VaR backtests (Kupiec's proportion of
 * failures, Christoffersen's independence test) with their chi-square p-values.
 *
 * Conventions: arrays are indexed by trading day; a value that needs more history than exists is
 * NaN. Returns and VaR are fractions (0.01 = 1%); VaR is a positive loss threshold, and day t is an
 * exceedance ("hit") when its return r_t < −VaR_t.
 */
import { quantile } from "../../core/statistics";
import { requireAbove, requireAtLeast, requireInRange, requireIntegerAtLeast, requireIntegerInRange, requirePositiveInteger } from "../../core/validate";

/** ln(p[i+1] / p[i]) for i = 0..n−2: entry i is the return earned on day i+1 (article §6). */
export function logReturns(prices: ArrayLike<number>): Float64Array {
  if (prices.length < 2) throw new Error(`logReturns: prices has ${prices.length} value(s); expected at least 2`);
  const r = new Float64Array(prices.length - 1);
  for (let i = 0; i < r.length; i++) {
    const a = prices[i];
    const b = prices[i + 1];
    if (!(a > 0) || !(b > 0) || !Number.isFinite(a) || !Number.isFinite(b)) {
      throw new Error(
        `logReturns: prices[${a > 0 && Number.isFinite(a) ? i + 1 : i}] is ${a > 0 && Number.isFinite(a) ? b : a}; expected positive finite prices`,
      );
    }
    r[i] = Math.log(b / a);
  }
  return r;
}

function checkWindow(name: string, window: number, n: number): void {
  requireIntegerAtLeast(name, "window", window, 2);
  if (window > n) throw new Error(`${name}: window ${window} is longer than the series (${n} values)`);
}

/**
 * Rolling sample standard deviation (n − 1 in the denominator): entry t uses x[t−w+1..t], so it
 * describes the past w days including day t; NaN for t < w − 1 (article §6).
 */
export function rollingStd(x: ArrayLike<number>, window: number): Float64Array {
  checkWindow("rollingStd", window, x.length);
  const out = new Float64Array(x.length).fill(NaN);
  for (let t = window - 1; t < x.length; t++) {
    let mean = 0;
    for (let k = t - window + 1; k <= t; k++) mean += x[k];
    mean /= window;
    let ss = 0;
    for (let k = t - window + 1; k <= t; k++) ss += (x[k] - mean) ** 2;
    out[t] = Math.sqrt(ss / (window - 1));
  }
  return out;
}

/**
 * Parkinson's (1980) range estimate of one day's return standard deviation,
 * ln(high / low) / √(4 ln 2): uses the day's high and low only, and is about five times as
 * efficient as a squared close-to-close return (article §6).
 */
export function parkinsonVolatility(high: ArrayLike<number>, low: ArrayLike<number>): Float64Array {
  if (high.length !== low.length) throw new Error(`parkinsonVolatility: high has ${high.length} values but low has ${low.length}`);
  const c = Math.sqrt(4 * Math.LN2);
  const out = new Float64Array(high.length);
  for (let i = 0; i < out.length; i++) {
    if (!(low[i] > 0) || !(high[i] >= low[i])) throw new Error(`parkinsonVolatility: day ${i} has high ${high[i]}, low ${low[i]}; expected 0 < low ≤ high`);
    out[i] = Math.log(high[i] / low[i]) / c;
  }
  return out;
}

/**
 * Historical-simulation Value-at-Risk at confidence `level` (e.g. 0.99): for day t, the loss
 * −quantile(r[t−w..t−1], 1 − level) from the w returns strictly before t, so the threshold is
 * known before day t trades; NaN for t < w (article §6).
 */
export function historicalVaR(returns: ArrayLike<number>, opts: { window: number; level: number }): Float64Array {
  const { window, level } = opts;
  checkWindow("historicalVaR", window, returns.length);
  if (!(level > 0 && level < 1)) throw new Error(`historicalVaR: level must be in (0, 1), e.g. 0.99; got ${level}`);
  const out = new Float64Array(returns.length).fill(NaN);
  const buf = new Float64Array(window);
  for (let t = window; t < returns.length; t++) {
    for (let k = 0; k < window; k++) buf[k] = returns[t - window + k];
    out[t] = -quantile(buf, 1 - level);
  }
  return out;
}

/** 1 where the day's return is below −VaR (a loss beyond the threshold), 0 otherwise or where VaR is NaN (article §6). */
export function varExceedances(returns: ArrayLike<number>, valueAtRisk: ArrayLike<number>): Uint8Array {
  if (returns.length !== valueAtRisk.length) throw new Error(`varExceedances: ${returns.length} returns but ${valueAtRisk.length} VaR values`);
  const hits = new Uint8Array(returns.length);
  for (let t = 0; t < hits.length; t++) hits[t] = Number.isFinite(valueAtRisk[t]) && returns[t] < -valueAtRisk[t] ? 1 : 0;
  return hits;
}

// ---------------------------------------------------------------------------------------------
// Special functions: ln Γ, the regularised incomplete gamma functions, and the chi-square law.

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
  9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7; relative error ~1e-15) (article §6). */
export function lnGamma(x: number): number {
  requireAbove("lnGamma", "x", x, 0);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x); // reflection
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

const EPS = 1e-16;
const MAX_ITER = 10000;

/** P(a, x) by its power series (converges fast for x < a + 1). */
function gammaPSeries(a: number, x: number): number {
  let ap = a;
  let del = 1 / a;
  let sum = del;
  for (let i = 0; i < MAX_ITER; i++) {
    ap += 1;
    del *= x / ap;
    sum += del;
    if (Math.abs(del) < Math.abs(sum) * EPS) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - lnGamma(a));
}

/** Q(a, x) by its continued fraction, modified Lentz (converges fast for x ≥ a + 1). */
function gammaQContinuedFraction(a: number, x: number): number {
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return Math.exp(-x + a * Math.log(x) - lnGamma(a)) * h;
}

function checkGammaArgs(name: string, a: number, x: number): void {
  requireAbove(name, "a", a, 0);
  requireAtLeast(name, "x", x, 0);
}

/** The regularised lower incomplete gamma function P(a, x) = γ(a, x) / Γ(a) (article §6). */
export function regularizedGammaP(a: number, x: number): number {
  checkGammaArgs("regularizedGammaP", a, x);
  if (x === 0) return 0;
  if (x === Infinity) return 1;
  return x < a + 1 ? gammaPSeries(a, x) : 1 - gammaQContinuedFraction(a, x);
}

/** The regularised upper incomplete gamma function Q(a, x) = 1 − P(a, x), accurate in the far tail (article §6). */
export function regularizedGammaQ(a: number, x: number): number {
  checkGammaArgs("regularizedGammaQ", a, x);
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  return x < a + 1 ? 1 - gammaPSeries(a, x) : gammaQContinuedFraction(a, x);
}

function checkChi(name: string, x: number, dof: number): void {
  requireAbove(name, "degrees of freedom", dof, 0);
  if (Number.isNaN(x)) throw new Error(`${name}: x is NaN`);
}

/** P(X ≤ x) for X ~ χ²(dof): P(dof/2, x/2) (article §6). */
export function chiSquareCdf(x: number, dof: number): number {
  checkChi("chiSquareCdf", x, dof);
  return x <= 0 ? 0 : regularizedGammaP(dof / 2, x / 2);
}

/** P(X > x) for X ~ χ²(dof): Q(dof/2, x/2), the p-value of a likelihood-ratio statistic x (article §6). */
export function chiSquareSf(x: number, dof: number): number {
  checkChi("chiSquareSf", x, dof);
  return x <= 0 ? 1 : regularizedGammaQ(dof / 2, x / 2);
}

// ---------------------------------------------------------------------------------------------
// VaR backtests.

/** A log-likelihood ratio: rounding leaves ~1e-14 where the two fits coincide; that is 0. */
function lrStatistic(logLikRestricted: number, logLikFree: number): number {
  const lr = -2 * (logLikRestricted - logLikFree);
  return lr < 1e-10 ? 0 : lr;
}

/** a · ln(b), with 0 · ln(0) = 0 (the convention of likelihoods with empty cells). */
function xlogy(a: number, b: number): number {
  return a === 0 ? 0 : a * Math.log(b);
}

/** A likelihood-ratio test statistic and its chi-square p-value. */
export interface LikelihoodRatioTest {
  lr: number;
  dof: number;
  pValue: number;
}

/**
 * Kupiec's (1995) proportion-of-failures test: is x exceedances in n days consistent with the
 * nominal rate p? LR = −2 ln[(1−p)^(n−x) p^x / ((1−x/n)^(n−x) (x/n)^x)] ~ χ²(1) (article §6).
 */
export function kupiecTest(n: number, x: number, p: number): LikelihoodRatioTest {
  requirePositiveInteger("kupiecTest", "n", n);
  requireIntegerInRange("kupiecTest", "x", x, 0, n);
  requireInRange("kupiecTest", "p", p, 0, 1, "()");
  const phat = x / n;
  const lr = lrStatistic(xlogy(n - x, 1 - p) + xlogy(x, p), xlogy(n - x, 1 - phat) + xlogy(x, phat));
  return { lr, dof: 1, pValue: chiSquareSf(lr, 1) };
}

/** Transition counts n_ij (state i yesterday → j today) of a 0/1 hit sequence. */
export interface HitTransitions {
  n00: number;
  n01: number;
  n10: number;
  n11: number;
}

/** Counts the day-to-day transitions of a 0/1 hit sequence. */
export function hitTransitions(hits: ArrayLike<number>): HitTransitions {
  const c = { n00: 0, n01: 0, n10: 0, n11: 0 };
  for (let t = 1; t < hits.length; t++) {
    const a = hits[t - 1];
    const b = hits[t];
    if ((a !== 0 && a !== 1) || (b !== 0 && b !== 1)) throw new Error(`hitTransitions: hits[${a !== 0 && a !== 1 ? t - 1 : t}] is not 0 or 1`);
    if (a === 0) b === 0 ? c.n00++ : c.n01++;
    else b === 0 ? c.n10++ : c.n11++;
  }
  return c;
}

/**
 * Christoffersen's (1998) independence test: is a hit more likely the day after a hit? Compares a
 * first-order Markov chain (π01, π11) with a constant rate π; LR ~ χ²(1) (article §6).
 */
export function christoffersenIndependenceTest(hits: ArrayLike<number>): LikelihoodRatioTest & HitTransitions {
  const c = hitTransitions(hits);
  const { n00, n01, n10, n11 } = c;
  const total = n00 + n01 + n10 + n11;
  if (total === 0) throw new Error("christoffersenIndependenceTest: need at least 2 days of hits");
  const pi = (n01 + n11) / total;
  const pi01 = n00 + n01 > 0 ? n01 / (n00 + n01) : 0;
  const pi11 = n10 + n11 > 0 ? n11 / (n10 + n11) : 0;
  const constant = xlogy(n00 + n10, 1 - pi) + xlogy(n01 + n11, pi);
  const markov = xlogy(n00, 1 - pi01) + xlogy(n01, pi01) + xlogy(n10, 1 - pi11) + xlogy(n11, pi11);
  const lr = lrStatistic(constant, markov);
  return { ...c, lr, dof: 1, pValue: chiSquareSf(lr, 1) };
}

/** What a VaR backtest reports. */
export interface VarBacktest {
  /** Days with a VaR value (the backtest sample). */
  days: number;
  exceedances: number;
  /** exceedances / days. */
  rate: number;
  /** 1 − level, the rate a correct VaR would show. */
  nominalRate: number;
  expectedExceedances: number;
  kupiec: LikelihoodRatioTest;
  independence: LikelihoodRatioTest;
}

/**
 * Backtests a VaR series at `level` over the days where it is defined (optionally only the days
 * in `from..to`, inclusive indices): exceedance count and rate, Kupiec and independence tests (article §6).
 */
export function backtestVaR(
  returns: ArrayLike<number>,
  valueAtRisk: ArrayLike<number>,
  level: number,
  range: { from?: number; to?: number } = {},
): VarBacktest {
  requireInRange("backtestVaR", "level", level, 0, 1, "()");
  const hitsAll = varExceedances(returns, valueAtRisk);
  const from = range.from ?? 0;
  const to = range.to ?? returns.length - 1;
  const hits: number[] = [];
  for (let t = Math.max(0, from); t <= Math.min(to, returns.length - 1); t++) if (Number.isFinite(valueAtRisk[t])) hits.push(hitsAll[t]);
  if (hits.length < 2) throw new Error(`backtestVaR: only ${hits.length} day(s) with a VaR value in days ${from}..${to}; expected at least 2`);
  const x = hits.reduce((a, b) => a + b, 0);
  const p = 1 - level;
  return {
    days: hits.length,
    exceedances: x,
    rate: x / hits.length,
    nominalRate: p,
    expectedExceedances: p * hits.length,
    kupiec: kupiecTest(hits.length, x, p),
    independence: christoffersenIndependenceTest(hits),
  };
}

/** Pearson correlation of x[t] with x[t + lag] over the finite pairs: how much today says about tomorrow (article §6). */
export function lagCorrelation(x: ArrayLike<number>, lag = 1): number {
  requirePositiveInteger("lagCorrelation", "lag", lag);
  const a: number[] = [];
  const b: number[] = [];
  for (let t = 0; t + lag < x.length; t++) {
    if (Number.isFinite(x[t]) && Number.isFinite(x[t + lag])) {
      a.push(x[t]);
      b.push(x[t + lag]);
    }
  }
  if (a.length < 3) throw new Error(`lagCorrelation: ${a.length} finite pairs at lag ${lag}; expected at least 3`);
  const ma = a.reduce((s, v) => s + v, 0) / a.length;
  const mb = b.reduce((s, v) => s + v, 0) / b.length;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}
