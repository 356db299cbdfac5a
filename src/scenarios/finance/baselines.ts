/**
 * One-day-ahead volatility forecasts a skeptic tries before any neural network (article §6):
 * persistence (tomorrow = today), a rolling mean, exponentially weighted moving averages
 * (RiskMetrics λ = 0.94) and a linear HAR regression; plus the error measures they are compared by.
 *
 * Alignment: every forecast array is indexed by the day it forecasts. `f[d]` uses x[0..d−1] only
 * (the information at the close of day d − 1), so `f[d]` and the actual `x[d]` compare index by
 * index; NaN where there is not enough history.
 */
import { requirePositiveInteger } from "../../core/validate";

/** f[d] = x[d − 1]: the naive persistence forecast (article §6). */
export function persistenceForecast(x: ArrayLike<number>): Float64Array {
  const f = new Float64Array(x.length).fill(NaN);
  for (let d = 1; d < x.length; d++) f[d] = x[d - 1];
  return f;
}

/** f[d] = mean(x[d−w..d−1]): the rolling-mean forecast (article §6). */
export function rollingMeanForecast(x: ArrayLike<number>, window: number): Float64Array {
  requirePositiveInteger("rollingMeanForecast", "window", window);
  const f = new Float64Array(x.length).fill(NaN);
  let sum = 0;
  for (let d = 0; d < x.length; d++) {
    if (d >= window) f[d] = sum / window;
    sum += x[d];
    if (d >= window) sum -= x[d - window];
  }
  return f;
}

function checkLambda(name: string, lambda: number): void {
  if (!(lambda > 0 && lambda < 1)) throw new Error(`${name}: lambda must be in (0, 1), e.g. 0.94; got ${lambda}`);
}

/**
 * RiskMetrics (J.P. Morgan, 1996) EWMA volatility: s_d = λ s_{d−1} + (1 − λ) x_{d−1}², forecast
 * √s_d. Started at s_1 = x_0²; its weight λ^d fades (0.94^100 ≈ 0.002) (article §6).
 */
export function ewmaVolatilityForecast(x: ArrayLike<number>, lambda = 0.94): Float64Array {
  checkLambda("ewmaVolatilityForecast", lambda);
  const f = new Float64Array(x.length).fill(NaN);
  if (x.length < 2) return f;
  let s = x[0] ** 2;
  f[1] = Math.sqrt(s);
  for (let d = 2; d < x.length; d++) {
    s = lambda * s + (1 - lambda) * x[d - 1] ** 2;
    f[d] = Math.sqrt(s);
  }
  return f;
}

/** EWMA of the values themselves: m_d = λ m_{d−1} + (1 − λ) x_{d−1}, started at m_1 = x_0 (article §6). */
export function ewmaForecast(x: ArrayLike<number>, lambda: number): Float64Array {
  checkLambda("ewmaForecast", lambda);
  const f = new Float64Array(x.length).fill(NaN);
  if (x.length < 2) return f;
  let m = x[0];
  f[1] = m;
  for (let d = 2; d < x.length; d++) {
    m = lambda * m + (1 - lambda) * x[d - 1];
    f[d] = m;
  }
  return f;
}

/** A fitted HAR model: f[d] = b0 + b1·x[d−1] + b2·mean(x[d−5..d−1]) + b3·mean(x[d−22..d−1]). */
export interface HarModel {
  coefficients: [number, number, number, number];
  /** Forecasts for every day (NaN for d < 22). */
  forecast(x: ArrayLike<number>): Float64Array;
}

function harRow(x: ArrayLike<number>, d: number): [number, number, number, number] {
  let w = 0;
  let m = 0;
  for (let k = 1; k <= 22; k++) {
    if (k <= 5) w += x[d - k];
    m += x[d - k];
  }
  return [1, x[d - 1], w / 5, m / 22];
}

/** Solves the square system A b = y by Gaussian elimination with partial pivoting. */
function solve(A: number[][], y: number[]): number[] {
  const n = y.length;
  const M = A.map((row, i) => [...row, y[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    if (Math.abs(M[p][c]) < 1e-12) throw new Error("fitHar: the regressors are collinear (singular normal equations)");
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = c + 1; r < n; r++) {
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  const b = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r][n];
    for (let k = r + 1; k < n; k++) s -= M[r][k] * b[k];
    b[r] = s / M[r][r];
  }
  return b;
}

/**
 * Fits Corsi's (2009) heterogeneous autoregression by least squares on the forecast days `fitDays`
 * (each ≥ 22): yesterday, last week's and last month's mean predict tomorrow (article §6).
 */
export function fitHar(x: ArrayLike<number>, fitDays: readonly number[]): HarModel {
  if (fitDays.length < 4) throw new Error(`fitHar: ${fitDays.length} fit days; expected at least 4`);
  const XtX = [0, 1, 2, 3].map(() => [0, 0, 0, 0]);
  const Xty = [0, 0, 0, 0];
  for (const d of fitDays) {
    if (!Number.isInteger(d) || d < 22 || d >= x.length) throw new Error(`fitHar: fit day ${d} is outside 22..${x.length - 1}`);
    const row = harRow(x, d);
    for (let i = 0; i < 4; i++) {
      Xty[i] += row[i] * x[d];
      for (let j = 0; j < 4; j++) XtX[i][j] += row[i] * row[j];
    }
  }
  const b = solve(XtX, Xty) as [number, number, number, number];
  return {
    coefficients: b,
    forecast(series) {
      const f = new Float64Array(series.length).fill(NaN);
      for (let d = 22; d < series.length; d++) {
        const row = harRow(series, d);
        f[d] = b[0] + b[1] * row[1] + b[2] * row[2] + b[3] * row[3];
      }
      return f;
    },
  };
}

/** Forecast errors over a set of days. */
export interface ForecastErrors {
  days: number;
  /** Mean absolute error. */
  mae: number;
  /** Root mean squared error. */
  rmse: number;
  /** Mean error (forecast − actual): positive means the forecast runs high. */
  bias: number;
}

/** MAE, RMSE and bias of forecast vs actual over `days` (indices into both) (article §6). */
export function forecastErrors(forecast: ArrayLike<number>, actual: ArrayLike<number>, days: readonly number[]): ForecastErrors {
  if (forecast.length !== actual.length) throw new Error(`forecastErrors: ${forecast.length} forecasts but ${actual.length} actual values`);
  if (days.length === 0) throw new Error("forecastErrors: no days to evaluate");
  let abs = 0;
  let sq = 0;
  let sum = 0;
  for (const d of days) {
    const e = forecast[d] - actual[d];
    if (!Number.isFinite(e)) throw new Error(`forecastErrors: day ${d} has forecast ${forecast[d]} and actual ${actual[d]}; expected finite values`);
    abs += Math.abs(e);
    sq += e * e;
    sum += e;
  }
  return { days: days.length, mae: abs / days.length, rmse: Math.sqrt(sq / days.length), bias: sum / days.length };
}
